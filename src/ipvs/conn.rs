//! Connection entries, read from `/proc/net/ip_vs_conn` (the kernel has no
//! netlink dump for them).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

/// Where the kernel publishes the connection table.
pub const PROC_PATH: &str = "/proc/net/ip_vs_conn";

/// One IPVS connection entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Connection {
    /// Protocol as the kernel names it (`TCP`, `UDP`, `SCTP`, ...).
    pub protocol: String,
    /// Client address.
    pub client_addr: IpAddr,
    /// Client port.
    pub client_port: u16,
    /// Virtual address.
    pub virtual_addr: IpAddr,
    /// Virtual port.
    pub virtual_port: u16,
    /// Real server address.
    pub dest_addr: IpAddr,
    /// Real server port.
    pub dest_port: u16,
    /// Protocol state (`ESTABLISHED`, `SYN_RECV`, `UDP`, ...).
    pub state: String,
    /// Seconds until the entry expires.
    pub expires: u64,
    /// Persistence engine name, if the entry has one.
    pub pe_name: Option<String>,
    /// Persistence engine data, if the entry has one.
    pub pe_data: Option<String>,
}

/// Why the connection table could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum ConnError {
    /// The header line is missing (empty file).
    NoHeader,
    /// A line could not be parsed (1-based line number).
    BadLine(usize),
}

fn parse_addr(s: &str) -> Option<IpAddr> {
    if s.contains(':') {
        s.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
    } else {
        u32::from_str_radix(s, 16)
            .ok()
            .map(|v| IpAddr::V4(Ipv4Addr::from(v)))
    }
}

fn parse_port(s: &str) -> Option<u16> {
    u16::from_str_radix(s, 16).ok()
}

/// Parses the whole proc file: a header line, then one entry per line.
pub fn parse(text: &str) -> Result<Vec<Connection>, ConnError> {
    let mut lines = text.lines();
    lines.next().ok_or(ConnError::NoHeader)?;
    let mut out = Vec::new();
    for (i, line) in lines.enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.is_empty() {
            continue;
        }
        let bad = || ConnError::BadLine(i + 2);
        if f.len() < 9 {
            return Err(bad());
        }
        out.push(Connection {
            protocol: f[0].to_string(),
            client_addr: parse_addr(f[1]).ok_or_else(bad)?,
            client_port: parse_port(f[2]).ok_or_else(bad)?,
            virtual_addr: parse_addr(f[3]).ok_or_else(bad)?,
            virtual_port: parse_port(f[4]).ok_or_else(bad)?,
            dest_addr: parse_addr(f[5]).ok_or_else(bad)?,
            dest_port: parse_port(f[6]).ok_or_else(bad)?,
            state: f[7].to_string(),
            expires: f[8].parse().map_err(|_| bad())?,
            pe_name: f.get(9).map(|s| s.to_string()),
            pe_data: f.get(10).map(|s| s.to_string()),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
TCP 0A004FB6 0045 0A004FB6 1F90 0A004FB6 1F91 SYN_RECV         57
TCP 2001:0db8:0000:0000:0000:0000:0000:0001 C350 2001:0db8:0000:0000:0000:0000:0000:0002 0050 2001:0db8:0000:0000:0000:0000:0000:0010 0050 FIN_WAIT         61
UDP 0A000001 13C4 0A000003 13C4 0A000004 13C4 UDP             170 sip 3d1f2a
";

    #[test]
    fn parses_v4_v6_and_pe_entries() {
        let c = parse(SAMPLE).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].client_addr.to_string(), "10.0.79.182");
        assert_eq!(c[0].client_port, 69);
        assert_eq!(c[0].dest_port, 8081);
        assert_eq!(c[1].virtual_addr.to_string(), "2001:db8::2");
        assert_eq!(c[2].pe_name.as_deref(), Some("sip"));
        assert_eq!(c[2].pe_data.as_deref(), Some("3d1f2a"));
    }

    #[test]
    fn empty_and_garbage_are_errors() {
        assert_eq!(parse(""), Err(ConnError::NoHeader));
        assert_eq!(parse("hdr\nTCP zz\n"), Err(ConnError::BadLine(2)));
    }
}
