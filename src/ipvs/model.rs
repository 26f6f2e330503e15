//! The typed IPVS model: virtual services, destinations, daemons, timeouts.
//!
//! These are the values the kernel stores; the wire codec turns them into
//! netlink attributes and back, and the CLI renders them.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

/// Address family of a service or destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// IPv4 (`AF_INET`, 2).
    Inet,
    /// IPv6 (`AF_INET6`, 10).
    Inet6,
}

impl Family {
    /// The `AF_*` number.
    pub fn af(self) -> u16 {
        match self {
            Family::Inet => libc::AF_INET as u16,
            Family::Inet6 => libc::AF_INET6 as u16,
        }
    }
    /// From an `AF_*` number.
    pub fn from_af(af: u16) -> Option<Self> {
        match af as i32 {
            libc::AF_INET => Some(Family::Inet),
            libc::AF_INET6 => Some(Family::Inet6),
            _ => None,
        }
    }
    /// The family of an address.
    pub fn of(addr: &IpAddr) -> Self {
        match addr {
            IpAddr::V4(_) => Family::Inet,
            IpAddr::V6(_) => Family::Inet6,
        }
    }
}

/// Transport protocol of an address-based virtual service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// TCP (6).
    Tcp,
    /// UDP (17).
    Udp,
    /// SCTP (132).
    Sctp,
    /// Any other IP protocol number.
    Other(u16),
}

impl Protocol {
    /// The IP protocol number.
    pub fn number(self) -> u16 {
        match self {
            Protocol::Tcp => 6,
            Protocol::Udp => 17,
            Protocol::Sctp => 132,
            Protocol::Other(n) => n,
        }
    }
    /// From an IP protocol number.
    pub fn from_number(n: u16) -> Self {
        match n {
            6 => Protocol::Tcp,
            17 => Protocol::Udp,
            132 => Protocol::Sctp,
            n => Protocol::Other(n),
        }
    }
    /// Lower-case name (`tcp`, `udp`, `sctp`) used by services(5) and JSON.
    pub fn name(self) -> String {
        match self {
            Protocol::Tcp => "tcp".into(),
            Protocol::Udp => "udp".into(),
            Protocol::Sctp => "sctp".into(),
            Protocol::Other(n) => n.to_string(),
        }
    }
}

impl Serialize for Protocol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Protocol::Other(n) => s.serialize_u16(*n),
            p => s.serialize_str(&p.name()),
        }
    }
}

/// What identifies a virtual service: protocol, address and port, or a
/// firewall mark with a family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServiceKey {
    /// `-t/-u/--sctp-service addr:port`.
    Addr {
        /// Transport protocol.
        protocol: Protocol,
        /// Virtual IP.
        addr: IpAddr,
        /// Virtual port (0 for persistent port-less services).
        port: u16,
    },
    /// `-f mark [-6]`.
    Fwmark {
        /// The firewall mark.
        mark: u32,
        /// Family of the packets the mark applies to.
        family: Family,
    },
}

impl ServiceKey {
    /// The family of the service.
    pub fn family(&self) -> Family {
        match self {
            ServiceKey::Addr { addr, .. } => Family::of(addr),
            ServiceKey::Fwmark { family, .. } => *family,
        }
    }
    /// The port, 0 for fwmark services.
    pub fn port(&self) -> u16 {
        match self {
            ServiceKey::Addr { port, .. } => *port,
            ServiceKey::Fwmark { .. } => 0,
        }
    }
    /// The fwmark, 0 for address services.
    pub fn fwmark(&self) -> u32 {
        match self {
            ServiceKey::Fwmark { mark, .. } => *mark,
            ServiceKey::Addr { .. } => 0,
        }
    }
}

/// Service flag: persistent service.
pub const SVC_F_PERSISTENT: u32 = 0x01;
/// Service flag: hashed (set by the kernel on every live service).
pub const SVC_F_HASHED: u32 = 0x02;
/// Service flag: one-packet scheduling.
pub const SVC_F_ONEPACKET: u32 = 0x04;
/// Scheduler flag 1 (`sh-fallback`, `mh-fallback`).
pub const SVC_F_SCHED1: u32 = 0x08;
/// Scheduler flag 2 (`sh-port`, `mh-port`).
pub const SVC_F_SCHED2: u32 = 0x10;
/// Scheduler flag 3.
pub const SVC_F_SCHED3: u32 = 0x20;

/// Default persistence timeout in seconds when `-p` has no value.
pub const DEFAULT_PERSISTENT_TIMEOUT: u32 = 360;

/// Connection and traffic counters, and their rates. Always 64-bit here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Connections scheduled.
    pub conns: u64,
    /// Incoming packets.
    pub inpkts: u64,
    /// Outgoing packets.
    pub outpkts: u64,
    /// Incoming bytes.
    pub inbytes: u64,
    /// Outgoing bytes.
    pub outbytes: u64,
    /// Connections per second.
    pub cps: u64,
    /// Incoming packets per second.
    pub inpps: u64,
    /// Outgoing packets per second.
    pub outpps: u64,
    /// Incoming bytes per second.
    pub inbps: u64,
    /// Outgoing bytes per second.
    pub outbps: u64,
}

/// A virtual service as stored by the kernel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    /// Identity.
    pub key: ServiceKey,
    /// Scheduler name (`rr`, `wlc`, ...).
    pub scheduler: String,
    /// Persistence engine (`sip`), if any.
    pub pe: Option<String>,
    /// `SVC_F_*` bits.
    pub flags: u32,
    /// Persistence timeout in seconds.
    pub timeout: u32,
    /// Persistence granularity: raw kernel value (IPv4: the mask's bytes in
    /// network order read as a host u32; IPv6: prefix length).
    pub netmask: u32,
    /// Counters (64-bit).
    pub stats: Stats,
}

impl Service {
    /// A service with ipvsadm's defaults for `key`: wlc, no flags, full mask.
    pub fn new(key: ServiceKey) -> Self {
        let netmask = match key.family() {
            Family::Inet => u32::MAX,
            Family::Inet6 => 128,
        };
        Service {
            key,
            scheduler: "wlc".into(),
            pe: None,
            flags: 0,
            timeout: 0,
            netmask,
            stats: Stats::default(),
        }
    }
    /// Whether the service is persistent.
    pub fn persistent(&self) -> bool {
        self.flags & SVC_F_PERSISTENT != 0
    }
    /// Whether one-packet scheduling is on.
    pub fn one_packet(&self) -> bool {
        self.flags & SVC_F_ONEPACKET != 0
    }
    /// The IPv4 persistence mask as an address.
    pub fn netmask_v4(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.netmask.to_ne_bytes())
    }
    /// Sets the IPv4 persistence mask from an address.
    pub fn set_netmask_v4(&mut self, mask: Ipv4Addr) {
        self.netmask = u32::from_ne_bytes(mask.octets());
    }
    /// Whether the persistence mask is the family's full mask.
    pub fn netmask_is_full(&self) -> bool {
        match self.key.family() {
            Family::Inet => self.netmask == u32::MAX,
            Family::Inet6 => self.netmask == 128,
        }
    }
    /// Names of the scheduler flags set, as ipvsadm spells them for this scheduler.
    pub fn sched_flag_names(&self) -> Vec<&'static str> {
        sched_flag_names(&self.scheduler, self.flags)
    }
}

/// Names of the scheduler flags in `flags`, as spelled for `scheduler`.
pub fn sched_flag_names(scheduler: &str, flags: u32) -> Vec<&'static str> {
    let names: [&'static str; 3] = match scheduler {
        "sh" => ["sh-fallback", "sh-port", "flag-3"],
        "mh" => ["mh-fallback", "mh-port", "flag-3"],
        _ => ["flag-1", "flag-2", "flag-3"],
    };
    [SVC_F_SCHED1, SVC_F_SCHED2, SVC_F_SCHED3]
        .iter()
        .zip(names)
        .filter(|(f, _)| flags & **f != 0)
        .map(|(_, n)| n)
        .collect()
}

/// How packets reach a destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Forward {
    /// NAT (`-m`), 0.
    Masq,
    /// Local node, 1.
    Local,
    /// IP tunnelling (`-i`), 2.
    Tunnel,
    /// Direct routing (`-g`), 3.
    Route,
    /// Another value from the kernel.
    Other(u32),
}

impl Forward {
    /// The kernel's `IP_VS_CONN_F_*` forwarding value.
    pub fn value(self) -> u32 {
        match self {
            Forward::Masq => 0,
            Forward::Local => 1,
            Forward::Tunnel => 2,
            Forward::Route => 3,
            Forward::Other(v) => v,
        }
    }
    /// From the kernel's forwarding value (`conn_flags & 7`).
    pub fn from_value(v: u32) -> Self {
        match v & 7 {
            0 => Forward::Masq,
            1 => Forward::Local,
            2 => Forward::Tunnel,
            3 => Forward::Route,
            v => Forward::Other(v),
        }
    }
    /// Name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Forward::Masq => "masq",
            Forward::Local => "local",
            Forward::Tunnel => "tunnel",
            Forward::Route => "route",
            Forward::Other(_) => "other",
        }
    }
}

/// Tunnel encapsulation of a tunnelling destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TunnelType {
    /// IP-in-IP, 0.
    Ipip,
    /// Generic UDP encapsulation, 1.
    Gue,
    /// GRE, 2.
    Gre,
}

impl TunnelType {
    /// The kernel value.
    pub fn value(self) -> u8 {
        match self {
            TunnelType::Ipip => 0,
            TunnelType::Gue => 1,
            TunnelType::Gre => 2,
        }
    }
    /// From the kernel value; unknown values read as ipip.
    pub fn from_value(v: u8) -> Self {
        match v {
            1 => TunnelType::Gue,
            2 => TunnelType::Gre,
            _ => TunnelType::Ipip,
        }
    }
    /// Name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            TunnelType::Ipip => "ipip",
            TunnelType::Gue => "gue",
            TunnelType::Gre => "gre",
        }
    }
}

/// Tunnel checksum mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TunnelCsum {
    /// No checksum, 0.
    Nocsum,
    /// Checksum, 1.
    Csum,
    /// Remote checksum offload, 2.
    Remcsum,
}

impl TunnelCsum {
    /// The kernel value.
    pub fn value(self) -> u16 {
        match self {
            TunnelCsum::Nocsum => 0,
            TunnelCsum::Csum => 1,
            TunnelCsum::Remcsum => 2,
        }
    }
    /// From the kernel value.
    pub fn from_value(v: u16) -> Self {
        match v {
            1 => TunnelCsum::Csum,
            2 => TunnelCsum::Remcsum,
            _ => TunnelCsum::Nocsum,
        }
    }
}

/// A real server behind a virtual service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dest {
    /// Address.
    pub addr: IpAddr,
    /// Port.
    pub port: u16,
    /// Forwarding method.
    pub forward: Forward,
    /// Weight (the kernel rejects negative weights).
    pub weight: i32,
    /// Upper connection threshold (0 = none).
    pub u_threshold: u32,
    /// Lower connection threshold.
    pub l_threshold: u32,
    /// Active connections.
    pub active_conns: u32,
    /// Inactive connections.
    pub inact_conns: u32,
    /// Persistent connection templates.
    pub persist_conns: u32,
    /// Tunnel type.
    pub tun_type: TunnelType,
    /// Tunnel (GUE) port.
    pub tun_port: u16,
    /// Tunnel checksum mode.
    pub tun_flags: TunnelCsum,
    /// Counters (64-bit).
    pub stats: Stats,
}

impl Dest {
    /// A destination with ipvsadm's defaults: direct routing, weight 1.
    pub fn new(addr: IpAddr, port: u16) -> Self {
        Dest {
            addr,
            port,
            forward: Forward::Route,
            weight: 1,
            u_threshold: 0,
            l_threshold: 0,
            active_conns: 0,
            inact_conns: 0,
            persist_conns: 0,
            tun_type: TunnelType::Ipip,
            tun_port: 0,
            tun_flags: TunnelCsum::Nocsum,
            stats: Stats::default(),
        }
    }
    /// The destination's address family.
    pub fn family(&self) -> Family {
        Family::of(&self.addr)
    }
}

/// Role of a connection-sync daemon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DaemonState {
    /// Sends sync messages (1).
    Master,
    /// Receives them (2).
    Backup,
}

impl DaemonState {
    /// Kernel value.
    pub fn value(self) -> u32 {
        match self {
            DaemonState::Master => 1,
            DaemonState::Backup => 2,
        }
    }
    /// Name as printed.
    pub fn name(self) -> &'static str {
        match self {
            DaemonState::Master => "master",
            DaemonState::Backup => "backup",
        }
    }
}

/// A connection-sync daemon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Daemon {
    /// Master or backup.
    pub state: DaemonState,
    /// Multicast interface.
    pub mcast_ifn: String,
    /// Sync id (0..255).
    pub syncid: u32,
    /// Maximum sync message length (0 = kernel default).
    pub sync_maxlen: u16,
    /// Multicast group, if set.
    pub mcast_group: Option<IpAddr>,
    /// Multicast port (0 = kernel default).
    pub mcast_port: u16,
    /// Multicast TTL (0 = kernel default).
    pub mcast_ttl: u8,
}

impl Daemon {
    /// A daemon with only state, interface and sync id set.
    pub fn new(state: DaemonState, mcast_ifn: &str, syncid: u32) -> Self {
        Daemon {
            state,
            mcast_ifn: mcast_ifn.into(),
            syncid,
            sync_maxlen: 0,
            mcast_group: None,
            mcast_port: 0,
            mcast_ttl: 0,
        }
    }
}

/// Connection timeouts (seconds); 0 in a request means "keep".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeouts {
    /// Established TCP.
    pub tcp: u32,
    /// TCP after FIN.
    pub tcp_fin: u32,
    /// UDP.
    pub udp: u32,
}

/// IPVS version and connection table size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Info {
    /// Version code (0x010201 = 1.2.1).
    pub version: u32,
    /// Connection hash table size.
    pub conn_tab_size: u32,
}

impl Info {
    /// The version as `major.minor.patch`.
    pub fn version_string(&self) -> String {
        format!(
            "{}.{}.{}",
            (self.version >> 16) & 0xff,
            (self.version >> 8) & 0xff,
            self.version & 0xff
        )
    }
}

/// A service together with its destinations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceEntry {
    /// The service.
    pub service: Service,
    /// Its destinations.
    pub dests: Vec<Dest>,
}

/// Formats an address with a port the way ipvsadm does (`[v6]:port`).
pub struct AddrPort<'a>(pub &'a IpAddr, pub u16);

impl fmt::Display for AddrPort<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(a) => write!(f, "{a}:{}", self.1),
            IpAddr::V6(a) => write!(f, "[{a}]:{}", self.1),
        }
    }
}

/// The all-zero address of a family.
pub fn unspecified(family: Family) -> IpAddr {
    match family {
        Family::Inet => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        Family::Inet6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netmask_round_trip() {
        let mut s = Service::new(ServiceKey::Addr {
            protocol: Protocol::Udp,
            addr: "10.0.0.1".parse().unwrap(),
            port: 53,
        });
        assert!(s.netmask_is_full());
        s.set_netmask_v4("255.255.255.0".parse().unwrap());
        assert_eq!(s.netmask_v4().to_string(), "255.255.255.0");
        assert!(!s.netmask_is_full());
    }

    #[test]
    fn flag_names_depend_on_scheduler() {
        assert_eq!(
            sched_flag_names("sh", SVC_F_SCHED1 | SVC_F_SCHED2),
            ["sh-fallback", "sh-port"]
        );
        assert_eq!(sched_flag_names("rr", SVC_F_SCHED3), ["flag-3"]);
        assert!(sched_flag_names("mh", SVC_F_PERSISTENT).is_empty());
    }

    #[test]
    fn addr_port_brackets_v6() {
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(AddrPort(&a, 80).to_string(), "[2001:db8::1]:80");
    }
}
