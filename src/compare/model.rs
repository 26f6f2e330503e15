//! The one normalized picture both dataplanes are turned into: virtual
//! services (protocol, VIP and port, or a firewall mark) with their backends
//! and each backend's share of new connections.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

pub use crate::tables::expr::Family;

/// Two shares closer than this are the same (one percentage point).
pub const SHARE_TOLERANCE: f64 = 0.01;

/// Shares at or below this are "no new connections".
pub const SHARE_EPSILON: f64 = 1e-9;

/// The destination address of a virtual service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Vip {
    /// One address.
    Addr(IpAddr),
    /// Any of the node's own addresses (iptables' `-m addrtype --dst-type
    /// LOCAL`, kube-proxy's NodePorts), when no `--node-ip` names them.
    Local,
}

impl fmt::Display for Vip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Vip::Addr(a) => write!(f, "{a}"),
            Vip::Local => f.write_str("LOCAL"),
        }
    }
}

/// What identifies a virtual service. The field order is the sort order:
/// address services by VIP, port and protocol, then fwmark services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// `-t/-u/--sctp-service VIP:PORT`, `-d VIP -p P --dport PORT`.
    Addr {
        /// The virtual address.
        vip: Vip,
        /// The port (0: every port, as a persistent port-less IPVS service).
        port: u16,
        /// The IP protocol number (0: every protocol).
        protocol: u8,
    },
    /// `-f MARK`, `-m mark --mark MARK`.
    Fwmark {
        /// The firewall mark.
        mark: u32,
    },
}

impl Key {
    /// An address service on every port (port 0).
    pub fn port_is_zero(&self) -> bool {
        matches!(self, Key::Addr { port: 0, .. })
    }
}

/// The name of an IP protocol as both tools print it.
pub fn protocol_name(p: u8) -> String {
    match p {
        0 => "all".into(),
        6 => "tcp".into(),
        17 => "udp".into(),
        132 => "sctp".into(),
        n => n.to_string(),
    }
}

/// An address with a port, `[v6]:port` for IPv6.
pub fn addr_port(addr: &IpAddr, port: u16) -> String {
    match addr {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("[{a}]:{port}"),
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Addr {
                vip,
                port,
                protocol,
            } => {
                let p = protocol_name(*protocol);
                match vip {
                    Vip::Addr(IpAddr::V6(a)) => write!(f, "{p} [{a}]:{port}"),
                    v => write!(f, "{p} {v}:{port}"),
                }
            }
            Key::Fwmark { mark } => write!(f, "fwmark {mark}"),
        }
    }
}

/// A real server and its share of the service's new connections.
#[derive(Clone, Debug, PartialEq)]
pub struct Backend {
    /// Address.
    pub addr: IpAddr,
    /// Port (0: the packet's own port, for fwmark services).
    pub port: u16,
    /// Fraction of new connections sent here, 0 to 1.
    pub share: f64,
    /// IPVS weight.
    pub weight: Option<i32>,
    /// IPVS forwarding method (`masq`, `route`, `tunnel`, `local`).
    pub forward: Option<&'static str>,
    /// iptables: rules a new connection's first packet is matched against
    /// on its way to this backend's DNAT (min, mean, max over the paths).
    pub rules: Option<RuleCount>,
}

impl Backend {
    /// A backend with only an address, a port and a share.
    pub fn new(addr: IpAddr, port: u16, share: f64) -> Self {
        Backend {
            addr,
            port,
            share,
            weight: None,
            forward: None,
            rules: None,
        }
    }
    /// Whether it takes new connections.
    pub fn active(&self) -> bool {
        self.share > SHARE_EPSILON
    }
}

/// How many rules a packet is matched against: best, expected and worst.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RuleCount {
    /// Fewest.
    pub best: u32,
    /// Mean, weighted by share.
    pub expected: f64,
    /// Most.
    pub worst: u32,
}

/// A share of new connections that reaches no backend (iptables only).
#[derive(Clone, Debug, PartialEq)]
pub struct Leak {
    /// What happens to it (`not DNATed`, `dropped`, `REDIRECT`, ...).
    pub what: String,
    /// Fraction of new connections.
    pub share: f64,
}

/// One virtual service as one dataplane implements it.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// Identity.
    pub key: Key,
    /// IPVS scheduler name.
    pub scheduler: Option<String>,
    /// Client affinity in seconds (IPVS persistence, iptables `-m recent`).
    pub persistence: Option<u32>,
    /// Backends, sorted by address and port.
    pub backends: Vec<Backend>,
    /// New connections that reach no backend.
    pub leaks: Vec<Leak>,
    /// iptables: rules matched before the DNAT, over all backends.
    pub rules: Option<RuleCount>,
    /// A name from the rules' comments (kube-proxy's `namespace/name:port`).
    pub name: Option<String>,
    /// Where it was defined (`line 12`, `services[3]`).
    pub origin: Option<String>,
    /// What could not be interpreted or was assumed.
    pub notes: Vec<String>,
}

impl Service {
    /// An empty service.
    pub fn new(key: Key) -> Self {
        Service {
            key,
            scheduler: None,
            persistence: None,
            backends: Vec::new(),
            leaks: Vec::new(),
            rules: None,
            name: None,
            origin: None,
            notes: Vec::new(),
        }
    }
    /// The backends that take new connections.
    pub fn active(&self) -> impl Iterator<Item = &Backend> {
        self.backends.iter().filter(|b| b.active())
    }
    /// Sorts the backends by address and port.
    pub fn sort(&mut self) {
        self.backends.sort_by_key(|b| (b.addr, b.port));
    }
}

/// Which dataplane a picture comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// IPVS.
    Ipvs,
    /// iptables (nat table).
    Iptables,
}

impl Side {
    /// Its name as printed.
    pub fn name(self) -> &'static str {
        match self {
            Side::Ipvs => "IPVS",
            Side::Iptables => "iptables",
        }
    }
}

/// Every virtual service of one dataplane, plus what could not be read.
#[derive(Clone, Debug)]
pub struct Picture {
    /// Which dataplane.
    pub side: Side,
    /// `live` or the input's name.
    pub origin: String,
    /// Address family.
    pub family: Family,
    /// The services by key.
    pub services: BTreeMap<Key, Service>,
    /// Notes about the input as a whole.
    pub notes: Vec<String>,
    /// iptables: rules in the nat chains reachable from PREROUTING and OUTPUT.
    pub nat_rules: Option<usize>,
    /// iptables: the mangle rules that set each firewall mark (`line 3:
    /// tcp 10.0.0.5:443`), the traffic that feeds fwmark services.
    pub mark_feeds: BTreeMap<u32, Vec<String>>,
}

impl Picture {
    /// An empty picture.
    pub fn new(side: Side, origin: &str, family: Family) -> Self {
        Picture {
            side,
            origin: origin.to_string(),
            family,
            services: BTreeMap::new(),
            notes: Vec::new(),
            nat_rules: None,
            mark_feeds: BTreeMap::new(),
        }
    }
}

/// Formats a share as a percentage with one decimal.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_by_vip_port_protocol_then_fwmark() {
        let a = |s: &str, port, protocol| Key::Addr {
            vip: Vip::Addr(s.parse().unwrap()),
            port,
            protocol,
        };
        let mut v = [
            Key::Fwmark { mark: 1 },
            a("10.0.0.2", 80, 6),
            a("10.0.0.1", 443, 6),
            a("10.0.0.1", 80, 17),
            a("10.0.0.1", 80, 6),
        ];
        v.sort();
        let s: Vec<String> = v.iter().map(|k| k.to_string()).collect();
        assert_eq!(
            s,
            [
                "tcp 10.0.0.1:80",
                "udp 10.0.0.1:80",
                "tcp 10.0.0.1:443",
                "tcp 10.0.0.2:80",
                "fwmark 1"
            ]
        );
    }

    #[test]
    fn v6_keys_have_brackets() {
        let k = Key::Addr {
            vip: Vip::Addr("2001:db8::1".parse().unwrap()),
            port: 80,
            protocol: 132,
        };
        assert_eq!(k.to_string(), "sctp [2001:db8::1]:80");
        assert_eq!(percent(1.0 / 3.0), "33.3%");
    }
}
