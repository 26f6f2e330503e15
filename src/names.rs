//! Host and service names, looked up the way ipvsadm does: services from
//! `/etc/services` per protocol, hosts through the C library's resolver
//! (`/etc/hosts`, DNS, as nsswitch says). Only used without `-n`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::OnceLock;

/// The services database path.
pub const SERVICES_PATH: &str = "/etc/services";

/// A parsed services(5) database.
#[derive(Debug, Default)]
pub struct Services {
    by_port: HashMap<(u16, String), String>,
    by_name: HashMap<(String, String), u16>,
}

impl Services {
    /// Parses services(5) text: `name port/proto [aliases...] [# comment]`.
    /// The first entry for a port wins, as with getservbyport.
    pub fn parse(text: &str) -> Self {
        let mut s = Services::default();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut f = line.split_whitespace();
            let (Some(name), Some(pp)) = (f.next(), f.next()) else {
                continue;
            };
            let Some((port, proto)) = pp.split_once('/') else {
                continue;
            };
            let Ok(port) = port.parse::<u16>() else {
                continue;
            };
            s.by_port
                .entry((port, proto.to_string()))
                .or_insert_with(|| name.to_string());
            for n in std::iter::once(name).chain(f) {
                s.by_name
                    .entry((n.to_string(), proto.to_string()))
                    .or_insert(port);
            }
        }
        s
    }

    /// The name of `port` for `proto` (`tcp`, `udp`, `sctp`).
    pub fn name(&self, port: u16, proto: &str) -> Option<&str> {
        self.by_port
            .get(&(port, proto.to_string()))
            .map(String::as_str)
    }

    /// The port named `name` for `proto`.
    pub fn port(&self, name: &str, proto: &str) -> Option<u16> {
        self.by_name
            .get(&(name.to_string(), proto.to_string()))
            .copied()
    }
}

/// The system's services database, read once.
pub fn services() -> &'static Services {
    static DB: OnceLock<Services> = OnceLock::new();
    DB.get_or_init(|| Services::parse(&std::fs::read_to_string(SERVICES_PATH).unwrap_or_default()))
}

/// The host name of an address (like gethostbyaddr), if it has one.
pub fn host_name(addr: &IpAddr) -> Option<String> {
    dns_lookup::lookup_addr(addr).ok()
}

/// The first IPv4 address of a host name (like gethostbyname).
pub fn host_v4(name: &str) -> Option<Ipv4Addr> {
    dns_lookup::lookup_host(name)
        .ok()?
        .into_iter()
        .find_map(|a| match a {
            IpAddr::V4(v4) => Some(v4),
            IpAddr::V6(_) => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_services_text() {
        let s = Services::parse(
            "# comment\nhttp 80/tcp www # WWW\nhttp 80/udp\ndomain 53/udp\nsip 5060/udp\nbad line\n",
        );
        assert_eq!(s.name(80, "tcp"), Some("http"));
        assert_eq!(s.port("www", "tcp"), Some(80));
        assert_eq!(s.name(5060, "sctp"), None);
        assert_eq!(s.port("domain", "tcp"), None);
    }
}
