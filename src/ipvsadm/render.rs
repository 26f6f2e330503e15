//! ipvsadm 1.31's text output, byte for byte: `-L` in all its variants,
//! `-S`, `--timeout`, `--daemon` and `-c`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::IpAddr;

use super::cli::Format;
use crate::ipvs::conn::Connection;
use crate::ipvs::model::*;
use crate::names;

/// Turns addresses and ports into text: numbers with `-n`, names without.
pub struct Namer {
    numeric: bool,
    hosts: RefCell<HashMap<IpAddr, Option<String>>>,
}

impl Namer {
    /// A namer; `numeric` is `-n`.
    pub fn new(numeric: bool) -> Self {
        Namer {
            numeric,
            hosts: RefCell::new(HashMap::new()),
        }
    }

    fn host(&self, addr: &IpAddr) -> String {
        if self.numeric {
            return addr.to_string();
        }
        self.hosts
            .borrow_mut()
            .entry(*addr)
            .or_insert_with(|| names::host_name(addr))
            .clone()
            .unwrap_or_else(|| addr.to_string())
    }

    fn port(&self, port: u16, proto: &str) -> String {
        if self.numeric || proto.is_empty() {
            return port.to_string();
        }
        names::services()
            .name(port, proto)
            .map(str::to_string)
            .unwrap_or_else(|| port.to_string())
    }

    /// `addr:port`, `[v6]:port`, or their names (`proto` empty: numeric port).
    pub fn addr_port(&self, addr: &IpAddr, port: u16, proto: &str) -> String {
        if self.numeric {
            return numeric_addr_port(addr, port);
        }
        let host = self.host(addr);
        let port = self.port(port, proto);
        match addr {
            IpAddr::V4(_) => format!("{host}:{port}"),
            IpAddr::V6(_) => format!("[{host}]:{port}"),
        }
    }
}

/// Appends a decimal number (faster than `fmt` for the hot listing path).
fn push_decimal(out: &mut String, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

/// Appends `s` left-aligned in `width` columns (`%-Ns`).
fn push_padded(out: &mut String, s: &str, width: usize) {
    out.push_str(s);
    for _ in s.chars().count()..width {
        out.push(' ');
    }
}

/// `a.b.c.d:port` or `[v6]:port`, built without the formatting machinery:
/// listings of tens of thousands of destinations spend their time here.
fn numeric_addr_port(addr: &IpAddr, port: u16) -> String {
    let mut s = String::with_capacity(24);
    match addr {
        IpAddr::V4(a) => {
            for (i, o) in a.octets().iter().enumerate() {
                if i > 0 {
                    s.push('.');
                }
                push_decimal(&mut s, u64::from(*o));
            }
            s.push(':');
        }
        IpAddr::V6(a) => {
            let _ = write!(s, "[{a}]:");
        }
    }
    push_decimal(&mut s, u64::from(port));
    s
}

fn proto_label(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "TCP",
        Protocol::Udp => "UDP",
        Protocol::Sctp => "SCTP",
        Protocol::Other(_) => "?",
    }
}

/// The protocol whose port names a service's destinations use; none for
/// fwmark services (ipvsadm prints their ports as numbers).
fn svc_proto(key: &ServiceKey) -> String {
    match key {
        ServiceKey::Addr { protocol, .. } => protocol.name(),
        ServiceKey::Fwmark { .. } => String::new(),
    }
}

fn truncate(s: String, n: usize) -> String {
    if s.len() > n {
        s.chars().take(n).collect()
    } else {
        s
    }
}

/// The service column: `TCP  10.0.0.1:80`, `FWM  7 IPv6`.
pub fn service_name(key: &ServiceKey, namer: &Namer) -> String {
    match key {
        ServiceKey::Fwmark { mark, family } => match family {
            Family::Inet => format!("FWM  {mark}"),
            Family::Inet6 => format!("FWM  {mark} IPv6"),
        },
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            let s = format!(
                "{:<4} {}",
                proto_label(*protocol),
                namer.addr_port(addr, *port, &protocol.name())
            );
            if addr.is_ipv4() {
                truncate(s, 33)
            } else {
                s
            }
        }
    }
}

fn dest_name(svc: &ServiceKey, d: &Dest, namer: &Namer) -> String {
    let s = namer.addr_port(&d.addr, d.port, &svc_proto(svc));
    if d.addr.is_ipv4() {
        truncate(s, 28)
    } else {
        s
    }
}

/// ipvsadm's `print_largenum`: 1000-based units, or exact with `--exact`.
pub fn largenum(v: u64, exact: bool) -> String {
    if exact {
        let s = v.to_string();
        let w = if s.len() <= 8 { 9 } else { s.len() + 1 };
        return format!("{s:>w$}");
    }
    if v < 100_000_000 {
        format!("{v:>9}")
    } else if v < 1_000_000_000 {
        format!("{:>8}K", v / 1000)
    } else if v < 100_000_000_000 {
        format!("{:>8}M", v / 1_000_000)
    } else if v < 100_000_000_000_000 {
        format!("{:>8}G", v / 1_000_000_000)
    } else {
        format!("{:>8}T", v / 1_000_000_000_000)
    }
}

/// The version header.
pub fn header(info: &Info) -> String {
    format!(
        "IP Virtual Server version {} (size={})\n",
        info.version_string(),
        info.conn_tab_size
    )
}

/// Which columns a listing shows (`--stats` > `--rate` > `--thresholds` >
/// `--persistent-conn` > `--tun-info` > default).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Stats,
    Rate,
    Thresholds,
    PersistConn,
    TunInfo,
    Default,
}

fn style(f: &Format) -> Style {
    if f.stats {
        Style::Stats
    } else if f.rate {
        Style::Rate
    } else if f.thresholds {
        Style::Thresholds
    } else if f.persistent_conn {
        Style::PersistConn
    } else if f.tun_info {
        Style::TunInfo
    } else {
        Style::Default
    }
}

/// The column titles.
pub fn title(f: &Format) -> String {
    match style(f) {
        Style::Stats => format!(
            "{:<33} {:>8} {:>8} {:>8} {:>8} {:>8}\n  -> RemoteAddress:Port\n",
            "Prot LocalAddress:Port", "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"
        ),
        Style::Rate => format!(
            "{:<33} {:>8} {:>8} {:>8} {:>8} {:>8}\n  -> RemoteAddress:Port\n",
            "Prot LocalAddress:Port", "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"
        ),
        Style::Thresholds => format!(
            "{:<33} {:<10} {:<10} {:<10} {:<10}\n  -> RemoteAddress:Port\n",
            "Prot LocalAddress:Port", "Uthreshold", "Lthreshold", "ActiveConn", "InActConn"
        ),
        Style::PersistConn => format!(
            "{:<33} {:<9} {:<11} {:<10} {:<10}\n  -> RemoteAddress:Port\n",
            "Prot LocalAddress:Port", "Weight", "PersistConn", "ActiveConn", "InActConn"
        ),
        Style::TunInfo => "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n".into(),
        Style::Default => "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n".into(),
    }
}

fn stats5(out: &mut String, a: [u64; 5], exact: bool) {
    for v in a {
        out.push_str(&largenum(v, exact));
    }
}

/// The forwarding method column.
pub fn forward_label(f: Forward) -> &'static str {
    match f {
        Forward::Masq => "Masq",
        Forward::Local => "Local",
        Forward::Tunnel => "Tunnel",
        Forward::Route => "Route",
        Forward::Other(_) => "Unknown",
    }
}

fn tunnel_info(d: &Dest) -> String {
    if d.forward != Forward::Tunnel {
        return "n/a".into();
    }
    let csum = match d.tun_flags {
        TunnelCsum::Nocsum => "-c",
        TunnelCsum::Csum => "+c",
        TunnelCsum::Remcsum => "r+c",
    };
    match d.tun_type {
        TunnelType::Ipip => "ipip".into(),
        TunnelType::Gue => format!("gue:{}:{csum}", d.tun_port),
        TunnelType::Gre => format!("gre:{csum}"),
    }
}

/// One service and its destinations in a `-L` listing.
pub fn service_entry(out: &mut String, e: &ServiceEntry, f: &Format, namer: &Namer) {
    let s = &e.service;
    let name = service_name(&s.key, namer);
    let st = style(f);
    match st {
        Style::Stats => {
            let _ = write!(out, "{name:<33}");
            let x = &s.stats;
            stats5(
                out,
                [x.conns, x.inpkts, x.outpkts, x.inbytes, x.outbytes],
                f.exact,
            );
            out.push('\n');
        }
        Style::Rate => {
            let _ = write!(out, "{name:<33}");
            let x = &s.stats;
            stats5(out, [x.cps, x.inpps, x.outpps, x.inbps, x.outbps], f.exact);
            out.push('\n');
        }
        _ => {
            let _ = write!(out, "{name} {}", s.scheduler);
            let flags = s.sched_flag_names();
            if !flags.is_empty() {
                let _ = write!(out, " ({})", flags.join(","));
            }
            if s.persistent() {
                let _ = write!(out, " persistent {}", s.timeout);
                if !s.netmask_is_full() {
                    match s.key.family() {
                        Family::Inet => {
                            let _ = write!(out, " mask {}", s.netmask_v4());
                        }
                        Family::Inet6 => {
                            let _ = write!(out, " mask {}", s.netmask);
                        }
                    }
                }
                if let Some(pe) = &s.pe {
                    let _ = write!(out, " pe {pe}");
                }
            }
            if s.one_packet() {
                out.push_str(" ops");
            }
            out.push('\n');
        }
    }
    for d in &e.dests {
        let dn = dest_name(&s.key, d, namer);
        match st {
            Style::Stats => {
                let _ = write!(out, "  -> {dn:<28}");
                let x = &d.stats;
                stats5(
                    out,
                    [x.conns, x.inpkts, x.outpkts, x.inbytes, x.outbytes],
                    f.exact,
                );
                out.push('\n');
            }
            Style::Rate => {
                let x = &d.stats;
                let _ = write!(
                    out,
                    "  -> {dn:<28} {:>8} {:>8} {:>8}",
                    x.cps, x.inpps, x.outpps
                );
                out.push_str(&largenum(x.inbps, f.exact));
                out.push_str(&largenum(x.outbps, f.exact));
                out.push('\n');
            }
            Style::Thresholds => {
                let _ = writeln!(
                    out,
                    "  -> {dn:<28} {:<10} {:<10} {:<10} {:<10}",
                    d.u_threshold, d.l_threshold, d.active_conns, d.inact_conns
                );
            }
            Style::PersistConn => {
                let _ = writeln!(
                    out,
                    "  -> {dn:<28} {:<9} {:<11} {:<10} {:<10}",
                    d.weight, d.persist_conns, d.active_conns, d.inact_conns
                );
            }
            Style::TunInfo => {
                let _ = writeln!(
                    out,
                    "  -> {dn:<28} {:<7} {:<13} {:<6} {:<10} {:<10}",
                    forward_label(d.forward),
                    tunnel_info(d),
                    d.weight,
                    d.active_conns,
                    d.inact_conns
                );
            }
            Style::Default => {
                // "  -> %-28s %-7s %-6d %-10u %-10u\n", without fmt: the
                // common listing of big tables.
                out.push_str("  -> ");
                push_padded(out, &dn, 28);
                out.push(' ');
                push_padded(out, forward_label(d.forward), 7);
                out.push(' ');
                let mut num = String::with_capacity(11);
                if d.weight < 0 {
                    num.push('-');
                }
                push_decimal(&mut num, u64::from(d.weight.unsigned_abs()));
                push_padded(out, &num, 6);
                out.push(' ');
                num.clear();
                push_decimal(&mut num, u64::from(d.active_conns));
                push_padded(out, &num, 10);
                out.push(' ');
                num.clear();
                push_decimal(&mut num, u64::from(d.inact_conns));
                push_padded(out, &num, 10);
                out.push('\n');
            }
        }
    }
}

/// The whole `-L` listing after the header.
pub fn list(entries: &[ServiceEntry], f: &Format, namer: &Namer) -> String {
    let mut out = title(f);
    out.reserve(capacity(entries));
    for e in entries {
        service_entry(&mut out, e, f, namer);
    }
    out
}

/// A guess at the output size, so the buffer grows once.
fn capacity(entries: &[ServiceEntry]) -> usize {
    entries.iter().map(|e| 64 + 80 * e.dests.len()).sum()
}

/// The `-S` form of a service key: `-t 10.0.0.1:80`, `-f 7 -6`.
pub fn rule_service(key: &ServiceKey, namer: &Namer) -> String {
    match key {
        ServiceKey::Fwmark { mark, family } => match family {
            Family::Inet => format!("-f {mark}"),
            Family::Inet6 => format!("-f {mark} -6"),
        },
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            let flag = match protocol {
                Protocol::Tcp => "-t".to_string(),
                Protocol::Udp => "-u".to_string(),
                Protocol::Sctp => "--sctp-service".to_string(),
                Protocol::Other(n) => format!("--{n}-service"),
            };
            format!("{flag} {}", namer.addr_port(addr, *port, &protocol.name()))
        }
    }
}

/// The `-S` output.
pub fn save(entries: &[ServiceEntry], namer: &Namer) -> String {
    let mut out = String::with_capacity(capacity(entries));
    for e in entries {
        let s = &e.service;
        let svc = rule_service(&s.key, namer);
        let proto = svc_proto(&s.key);
        let _ = write!(out, "-A {svc} -s {}", s.scheduler);
        if s.persistent() {
            let _ = write!(out, " -p {}", s.timeout);
            if !s.netmask_is_full() {
                match s.key.family() {
                    Family::Inet => {
                        let _ = write!(out, " -M {}", s.netmask_v4());
                    }
                    Family::Inet6 => {
                        let _ = write!(out, " -M {}", s.netmask);
                    }
                }
            }
        }
        if let Some(pe) = &s.pe {
            let _ = write!(out, " --pe {pe}");
        }
        if s.one_packet() {
            out.push_str(" -o");
        }
        let flags = s.sched_flag_names();
        if !flags.is_empty() {
            let _ = write!(out, " -b {}", flags.join(","));
        }
        out.push('\n');
        for d in &e.dests {
            let fwd = match d.forward {
                Forward::Masq => "-m",
                Forward::Tunnel => "-i",
                _ => "-g",
            };
            out.push_str("-a ");
            out.push_str(&svc);
            out.push_str(" -r ");
            out.push_str(&namer.addr_port(&d.addr, d.port, &proto));
            out.push(' ');
            out.push_str(fwd);
            out.push_str(" -w ");
            if d.weight < 0 {
                out.push('-');
            }
            push_decimal(&mut out, u64::from(d.weight.unsigned_abs()));
            if d.forward == Forward::Tunnel {
                let csum = match d.tun_flags {
                    TunnelCsum::Nocsum => "--tun-nocsum",
                    TunnelCsum::Csum => "--tun-csum",
                    TunnelCsum::Remcsum => "--tun-remcsum",
                };
                match d.tun_type {
                    TunnelType::Ipip => out.push_str(" --tun-type ipip"),
                    TunnelType::Gre => {
                        let _ = write!(out, " --tun-type gre {csum}");
                    }
                    TunnelType::Gue => {
                        let _ = write!(out, " --tun-type gue --tun-port {} {csum}", d.tun_port);
                    }
                }
            }
            out.push('\n');
        }
    }
    out
}

/// `--timeout`.
pub fn timeouts(t: &Timeouts) -> String {
    format!(
        "Timeout (tcp tcpfin udp): {} {} {}\n",
        t.tcp, t.tcp_fin, t.udp
    )
}

/// `--daemon`.
pub fn daemons(ds: &[Daemon]) -> String {
    let mut out = String::new();
    for d in ds {
        let _ = write!(
            out,
            "{} sync daemon (mcast={}, syncid={}",
            d.state.name(),
            d.mcast_ifn,
            d.syncid
        );
        if d.sync_maxlen != 0 {
            let _ = write!(out, ", maxlen={}", d.sync_maxlen);
        }
        if let Some(g) = d.mcast_group {
            let _ = write!(out, ", group={g}");
        }
        let _ = writeln!(out, ", port={}, ttl={})", d.mcast_port, d.mcast_ttl);
    }
    out
}

/// `-c`, optionally with `--persistent-conn`.
pub fn connections(conns: &[Connection], persistent: bool, namer: &Namer) -> String {
    let mut out = String::from("IPVS connection entries\n");
    if persistent {
        out.push_str(
            "pro expire state       source             virtual            destination        pe name          pe_data\n",
        );
    } else {
        out.push_str("pro expire state       source             virtual            destination\n");
    }
    for c in conns {
        let proto = c.protocol.to_lowercase();
        let src = namer.addr_port(&c.client_addr, c.client_port, &proto);
        let vip = namer.addr_port(&c.virtual_addr, c.virtual_port, &proto);
        let dst = namer.addr_port(&c.dest_addr, c.dest_port, &proto);
        let expire = format!("{:02}:{:02}", c.expires / 60, c.expires % 60);
        match (&c.pe_name, &c.pe_data, persistent) {
            (Some(name), Some(data), true) => {
                let _ = writeln!(
                    out,
                    "{:<3} {:<6} {:<11} {:<18} {:<18} {:<16} {:<18} {}",
                    c.protocol, expire, c.state, src, vip, dst, name, data
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "{:<3} {:<6} {:<11} {:<18} {:<18} {}",
                    c.protocol, expire, c.state, src, vip, dst
                );
            }
        }
    }
    out
}

/// Sorts services and destinations for listing: services by fwmark,
/// family, protocol, address, port; destinations by address, port.
///
/// Unlike ipvsadm 1.31 (whose comparator wraps for addresses 2^31 apart),
/// this is a total order.
pub fn sort_entries(entries: &mut [ServiceEntry]) {
    fn addr_key(a: &IpAddr) -> (u8, [u8; 16]) {
        match a {
            IpAddr::V4(v) => {
                let mut b = [0u8; 16];
                b[..4].copy_from_slice(&v.octets());
                (0, b)
            }
            IpAddr::V6(v) => (1, v.octets()),
        }
    }
    entries.sort_by_key(|e| {
        let k = &e.service.key;
        let (proto, addr) = match k {
            ServiceKey::Addr { protocol, addr, .. } => (protocol.number(), addr_key(addr)),
            ServiceKey::Fwmark { .. } => (6, (0, [0u8; 16])),
        };
        (k.fwmark(), k.family().af(), proto, addr, k.port())
    });
    for e in entries.iter_mut() {
        e.dests.sort_by_key(|d| (addr_key(&d.addr), d.port));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_addresses() {
        let a: IpAddr = "10.0.255.1".parse().unwrap();
        assert_eq!(numeric_addr_port(&a, 0), "10.0.255.1:0");
        let b: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(numeric_addr_port(&b, 65535), "[2001:db8::1]:65535");
    }

    #[test]
    fn largenum_boundaries() {
        let cases = [
            (99_999_999u64, " 99999999"),
            (100_000_000, "  100000K"),
            (999_999_999, "  999999K"),
            (1_000_000_000, "     1000M"),
            (99_999_999_999, "    99999M"),
            (100_000_000_000, "      100G"),
            (99_999_999_999_999, "    99999G"),
            (100_000_000_000_000, "      100T"),
        ];
        for (v, s) in cases {
            assert_eq!(largenum(v, false).trim_start(), s.trim_start(), "{v}");
            assert!(largenum(v, false).len() == 9, "{v}");
        }
        assert_eq!(largenum(123_456_789, true), " 123456789");
        assert_eq!(largenum(1234, true), "     1234");
    }

    fn state1() -> Vec<ServiceEntry> {
        let mut s = Service::new(ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "10.0.0.1".parse().unwrap(),
            port: 80,
        });
        s.stats = Stats {
            conns: 1234,
            inpkts: 56789,
            outpkts: 43210,
            inbytes: 123456789,
            outbytes: 98765432109,
            cps: 5,
            inpps: 100,
            outpps: 90,
            inbps: 123456,
            outbps: 7654321,
        };
        let mut d1 = Dest::new("192.168.1.11".parse().unwrap(), 8080);
        d1.forward = Forward::Masq;
        d1.active_conns = 3;
        d1.inact_conns = 10;
        let mut d2 = Dest::new("192.168.1.10".parse().unwrap(), 8080);
        d2.forward = Forward::Masq;
        d2.weight = 3;
        d2.u_threshold = 100;
        d2.l_threshold = 75;
        d2.active_conns = 2;
        d2.inact_conns = 4;
        let mut u = Service::new(ServiceKey::Addr {
            protocol: Protocol::Udp,
            addr: "10.0.0.1".parse().unwrap(),
            port: 53,
        });
        u.scheduler = "rr".into();
        u.flags = SVC_F_PERSISTENT;
        u.timeout = 300;
        u.set_netmask_v4("255.255.255.0".parse().unwrap());
        let mut f = Service::new(ServiceKey::Fwmark {
            mark: 7,
            family: Family::Inet6,
        });
        f.scheduler = "rr".into();
        f.flags = SVC_F_PERSISTENT;
        f.timeout = 300;
        f.netmask = 64;
        f.pe = Some("sip".into());
        vec![
            ServiceEntry {
                service: s,
                dests: vec![d1, d2],
            },
            ServiceEntry {
                service: u,
                dests: vec![],
            },
            ServiceEntry {
                service: f,
                dests: vec![],
            },
        ]
    }

    #[test]
    fn default_listing_matches_reference() {
        let mut e = state1();
        sort_entries(&mut e);
        let out = list(&e, &Format::default(), &Namer::new(true));
        let want = "Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.0.0.1:80 wlc
  -> 192.168.1.10:8080            Masq    3      2          4         
  -> 192.168.1.11:8080            Masq    1      3          10        
UDP  10.0.0.1:53 rr persistent 300 mask 255.255.255.0
FWM  7 IPv6 rr persistent 300 mask 64 pe sip
";
        assert_eq!(out, want);
    }

    #[test]
    fn stats_and_save_match_reference() {
        let mut e = state1();
        sort_entries(&mut e);
        let f = Format {
            stats: true,
            ..Format::default()
        };
        let out = list(&e[..1], &f, &Namer::new(true));
        assert!(out.contains(
            "TCP  10.0.0.1:80                      1234    56789    43210  123456K   98765M\n"
        ));
        let f = Format {
            thresholds: true,
            ..Format::default()
        };
        let out = list(&e[..1], &f, &Namer::new(true));
        assert!(out.starts_with(
            "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
        ));
        assert!(out.contains(
            "  -> 192.168.1.10:8080            100        75         2          4         \n"
        ));
        let s = save(&e, &Namer::new(true));
        assert_eq!(
            s,
            "-A -t 10.0.0.1:80 -s wlc
-a -t 10.0.0.1:80 -r 192.168.1.10:8080 -m -w 3
-a -t 10.0.0.1:80 -r 192.168.1.11:8080 -m -w 1
-A -u 10.0.0.1:53 -s rr -p 300 -M 255.255.255.0
-A -f 7 -6 -s rr -p 300 -M 64 --pe sip
"
        );
    }

    #[test]
    fn connections_format() {
        let text = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
TCP 0A004FB6 0045 0A004FB6 1F90 0A004FB6 1F91 SYN_RECV         57
UDP 0A000001 13C4 0A000003 13C4 0A000004 13C4 UDP             170 sip 3d1f2a
";
        let c = crate::ipvs::conn::parse(text).unwrap();
        let out = connections(&c, true, &Namer::new(true));
        assert_eq!(out, "IPVS connection entries
pro expire state       source             virtual            destination        pe name          pe_data
TCP 00:57  SYN_RECV    10.0.79.182:69     10.0.79.182:8080   10.0.79.182:8081
UDP 02:50  UDP         10.0.0.1:5060      10.0.0.3:5060      10.0.0.4:5060    sip                3d1f2a
");
    }
}
