//! Writes the services of one dataplane for the other: as
//! `iptables-restore` input (kube-proxy-like chains, shares as a
//! `-m statistic` probability cascade) or as `ipvsadm -R` input (shares as
//! `wrr` weights). Loading a translation and comparing it with its source
//! gives "same"; what cannot be written is reported in the notes.

use std::fmt::Write as _;
use std::net::IpAddr;

use super::model::{addr_port, protocol_name, Family, Key, Picture, Service, Vip};

/// A translation: the text to load and what could not be expressed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Translation {
    /// `iptables-restore` or `ipvsadm -R` input.
    pub text: String,
    /// Services left out or changed, one line each.
    pub notes: Vec<String>,
}

/// Options of the iptables translation.
#[derive(Clone, Debug)]
pub struct IptablesOptions {
    /// Chain name prefix (`KUBE` gives `KUBE-SERVICES`, `KUBE-SVC-...`).
    pub prefix: String,
}

impl Default for IptablesOptions {
    fn default() -> Self {
        IptablesOptions {
            prefix: "KUBE".into(),
        }
    }
}

/// The longest chain name iptables accepts.
pub const MAX_CHAIN_NAME: usize = 28;

/// 16 characters of base32 over a 80-bit FNV-1a digest of `s` (the shape
/// of kube-proxy's chain name hashes).
pub fn hash16(s: &str) -> String {
    let fnv = |seed: u64| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for b in s.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    };
    let a = fnv(0);
    let b = fnv(0x9e37_79b9_7f4a_7c15);
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let bits: u128 = (u128::from(a) << 16) | u128::from(b & 0xffff);
    (0..16)
        .map(|i| ALPHABET[((bits >> (75 - 5 * i)) & 31) as usize] as char)
        .collect()
}

/// A probability as kube-proxy prints it (11 decimals).
pub fn probability(p: f64) -> String {
    format!("{:.11}", p.clamp(0.0, 1.0))
}

/// The `-m statistic` probabilities of a cascade over `shares` (one less
/// than there are shares; the last rule takes the rest).
pub fn cascade(shares: &[f64]) -> Vec<f64> {
    let total: f64 = shares.iter().sum();
    let mut left = total;
    let mut out = Vec::new();
    for s in shares.iter().take(shares.len().saturating_sub(1)) {
        out.push(if left > 0.0 { (s / left).min(1.0) } else { 1.0 });
        left -= s;
    }
    out
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Integer `wrr` weights whose shares are within 0.1 percentage point of
/// `shares` (the smallest such scale up to 1,000; else per ten thousand).
pub fn weights(shares: &[f64]) -> Vec<i32> {
    let total: f64 = shares.iter().sum();
    if shares.is_empty() || total <= 0.0 {
        return vec![1; shares.len()];
    }
    let s: Vec<f64> = shares.iter().map(|x| x / total).collect();
    let reduce = |w: Vec<i64>| -> Vec<i32> {
        let g = w.iter().fold(0, |g, &x| gcd(g, x)).max(1);
        w.iter()
            .map(|x| i32::try_from(x / g).unwrap_or(i32::MAX))
            .collect()
    };
    for d in 1..=1000 {
        let w: Vec<i64> = s.iter().map(|x| (x * d as f64).round() as i64).collect();
        if w.iter().any(|&x| x < 1) {
            continue;
        }
        let wt: i64 = w.iter().sum();
        if w.iter()
            .zip(&s)
            .all(|(&wi, si)| (wi as f64 / wt as f64 - si).abs() <= 0.001)
        {
            return reduce(w);
        }
    }
    reduce(
        s.iter()
            .map(|x| ((x * 10000.0).round() as i64).max(1))
            .collect(),
    )
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn host_net(a: &IpAddr) -> String {
    match a {
        IpAddr::V4(x) => format!("{x}/32"),
        IpAddr::V6(x) => format!("{x}/128"),
    }
}

fn dnat_to(a: &IpAddr, port: Option<u16>) -> String {
    match (a, port) {
        (a, Some(p)) => addr_port(a, p),
        (IpAddr::V6(x), None) => x.to_string(),
        (IpAddr::V4(x), None) => x.to_string(),
    }
}

/// The services as `iptables-restore` input for the nat table.
pub fn to_iptables(pic: &Picture, opts: &IptablesOptions) -> Translation {
    let p = &opts.prefix;
    let services = format!("{p}-SERVICES");
    let mark_masq = format!("{p}-MARK-MASQ");
    let postrouting = format!("{p}-POSTROUTING");
    let mut notes = Vec::new();
    if format!("{p}-SVC-").len() + 16 > MAX_CHAIN_NAME {
        notes.push(format!(
            "chain prefix `{p}' is too long: chain names have at most {MAX_CHAIN_NAME} characters"
        ));
        return Translation {
            text: String::new(),
            notes,
        };
    }
    let mut decl = vec![mark_masq.clone(), postrouting.clone(), services.clone()];
    let mut svc_rules: Vec<String> = Vec::new();
    let mut fw_rules: Vec<String> = Vec::new();
    let mut chain_rules: Vec<String> = Vec::new();
    let rmask = match pic.family {
        Family::V4 => "255.255.255.255",
        Family::V6 => "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    };
    for s in pic.services.values() {
        let label = s.name.clone().unwrap_or_else(|| s.key.to_string());
        let (proto, entry) = match s.key {
            Key::Addr {
                vip: Vip::Addr(vip),
                port,
                protocol,
            } => {
                if protocol == 0 && port != 0 {
                    notes.push(format!("{}: a port without a protocol; left out", s.key));
                    continue;
                }
                if protocol != 0 && !matches!(protocol, 6 | 17 | 132) {
                    notes.push(format!(
                        "{}: protocol {protocol} has no port match; left out",
                        s.key
                    ));
                    continue;
                }
                let mut r = format!("-d {}", host_net(&vip));
                if protocol != 0 {
                    let pn = protocol_name(protocol);
                    let _ = write!(r, " -p {pn}");
                    let _ = write!(
                        r,
                        " -m comment --comment {}",
                        quote(&format!("{label} cluster IP"))
                    );
                    if port != 0 {
                        let _ = write!(r, " -m {pn} --dport {port}");
                    }
                } else {
                    let _ = write!(
                        r,
                        " -m comment --comment {}",
                        quote(&format!("{label} cluster IP"))
                    );
                }
                (protocol, r)
            }
            Key::Addr {
                vip: Vip::Local, ..
            } => {
                notes.push(format!(
                    "{}: a service on any node address; left out",
                    s.key
                ));
                continue;
            }
            Key::Fwmark { mark } => (
                0,
                format!(
                    "-m comment --comment {} -m mark --mark {mark:#x}",
                    quote(&label)
                ),
            ),
        };
        let active: Vec<_> = s.active().collect();
        if active.is_empty() {
            let line = format!("-A {services} {entry} -j DROP");
            match s.key {
                Key::Fwmark { .. } => fw_rules.push(line),
                _ => svc_rules.push(line),
            }
            continue;
        }
        let svc_chain = format!("{p}-SVC-{}", hash16(&s.key.to_string()));
        decl.push(svc_chain.clone());
        let line = format!("-A {services} {entry} -j {svc_chain}");
        match s.key {
            Key::Fwmark { .. } => fw_rules.push(line),
            _ => svc_rules.push(line),
        }
        let seps: Vec<String> = active
            .iter()
            .map(|b| {
                format!(
                    "{p}-SEP-{}",
                    hash16(&format!("{} -> {}", s.key, addr_port(&b.addr, b.port)))
                )
            })
            .collect();
        if let Some(t) = s.persistence {
            for (b, sep) in active.iter().zip(&seps) {
                chain_rules.push(format!(
                    "-A {svc_chain} -m comment --comment {} -m recent --rcheck --seconds {t} --reap --name {sep} --mask {rmask} --rsource -j {sep}",
                    quote(&format!("{label} -> {}", addr_port(&b.addr, b.port)))
                ));
            }
        }
        let shares: Vec<f64> = active.iter().map(|b| b.share).collect();
        let probs = cascade(&shares);
        for (i, (b, sep)) in active.iter().zip(&seps).enumerate() {
            let stat = probs
                .get(i)
                .map(|p| {
                    format!(
                        " -m statistic --mode random --probability {}",
                        probability(*p)
                    )
                })
                .unwrap_or_default();
            chain_rules.push(format!(
                "-A {svc_chain} -m comment --comment {}{stat} -j {sep}",
                quote(&format!("{label} -> {}", addr_port(&b.addr, b.port)))
            ));
        }
        for (b, sep) in active.iter().zip(&seps) {
            decl.push(sep.clone());
            let c = quote(&label);
            chain_rules.push(format!(
                "-A {sep} -s {} -m comment --comment {c} -j {mark_masq}",
                host_net(&b.addr)
            ));
            let recent = match s.persistence {
                Some(_) => format!(" -m recent --set --name {sep} --mask {rmask} --rsource"),
                None => String::new(),
            };
            let line = if proto != 0 {
                let pn = protocol_name(proto);
                format!(
                    "-A {sep} -p {pn} -m comment --comment {c}{recent} -m {pn} -j DNAT --to-destination {}",
                    dnat_to(&b.addr, (b.port != 0).then_some(b.port))
                )
            } else {
                if b.port != 0 {
                    notes.push(format!(
                        "{}: backend {} keeps the packet's port (a DNAT to a port needs a protocol)",
                        s.key,
                        addr_port(&b.addr, b.port)
                    ));
                }
                format!(
                    "-A {sep} -m comment --comment {c}{recent} -j DNAT --to-destination {}",
                    dnat_to(&b.addr, None)
                )
            };
            chain_rules.push(line);
        }
    }
    let mut t = String::from("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
    for c in &decl {
        let _ = writeln!(t, ":{c} - [0:0]");
    }
    let _ = writeln!(
        t,
        "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j {services}"
    );
    let _ = writeln!(
        t,
        "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j {services}"
    );
    let _ = writeln!(
        t,
        "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j {postrouting}"
    );
    let _ = writeln!(t, "-A {mark_masq} -j MARK --set-xmark 0x4000/0x4000");
    let _ = writeln!(
        t,
        "-A {postrouting} -m mark ! --mark 0x4000/0x4000 -j RETURN"
    );
    let _ = writeln!(t, "-A {postrouting} -j MARK --set-xmark 0x4000/0x0");
    let _ = writeln!(
        t,
        "-A {postrouting} -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE"
    );
    // IPVS looks fwmark services up before address services.
    for l in fw_rules.iter().chain(&svc_rules).chain(&chain_rules) {
        t.push_str(l);
        t.push('\n');
    }
    t.push_str("COMMIT\n");
    Translation { text: t, notes }
}

fn service_arg(s: &Service, family: Family) -> Option<String> {
    match s.key {
        Key::Addr {
            vip: Vip::Addr(vip),
            port,
            protocol,
        } => {
            let flag = match protocol {
                6 => "-t",
                17 => "-u",
                132 => "--sctp-service",
                _ => return None,
            };
            Some(format!("{flag} {}", addr_port(&vip, port)))
        }
        Key::Addr {
            vip: Vip::Local, ..
        } => None,
        Key::Fwmark { mark } => Some(match family {
            Family::V4 => format!("-f {mark}"),
            Family::V6 => format!("-f {mark} -6"),
        }),
    }
}

/// The services as `ipvsadm -R` input (`wrr`, NAT forwarding).
pub fn to_ipvs(pic: &Picture) -> Translation {
    let mut t = String::new();
    let mut notes = Vec::new();
    for s in pic.services.values() {
        let Some(arg) = service_arg(s, pic.family) else {
            notes.push(match s.key {
                Key::Addr { vip: Vip::Local, .. } => format!(
                    "{}: a service on any node address; name the addresses with --node-ip; left out",
                    s.key
                ),
                _ => format!("{}: IPVS has no such service; left out", s.key),
            });
            continue;
        };
        if s.key.port_is_zero() && s.persistence.is_none() {
            notes.push(format!(
                "{}: IPVS needs persistence for a service on every port; left out",
                s.key
            ));
            continue;
        }
        let _ = write!(t, "-A {arg} -s wrr");
        if let Some(p) = s.persistence {
            let _ = write!(t, " -p {p}");
        }
        t.push('\n');
        let active: Vec<_> = s.active().collect();
        let w = weights(&active.iter().map(|b| b.share).collect::<Vec<_>>());
        for (b, w) in active.iter().zip(w) {
            let _ = writeln!(t, "-a {arg} -r {} -m -w {w}", addr_port(&b.addr, b.port));
        }
        for l in &s.leaks {
            notes.push(format!(
                "{}: {} of new connections are {} in iptables; IPVS sends them to the servers",
                s.key,
                super::model::percent(l.share),
                l.what
            ));
        }
    }
    Translation { text: t, notes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cascades_and_weights() {
        let c = cascade(&[1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0]);
        assert_eq!(
            c.iter().map(|p| probability(*p)).collect::<Vec<_>>(),
            ["0.33333333333", "0.50000000000"]
        );
        assert_eq!(weights(&[1.0 / 3.0; 3]), [1, 1, 1]);
        assert_eq!(weights(&[0.7, 0.3]), [7, 3]);
        assert_eq!(weights(&[0.25, 0.75]), [1, 3]);
        let w = weights(&[0.123456, 0.876544]);
        let s = f64::from(w[0]) / f64::from(w[0] + w[1]);
        assert!((s - 0.123456).abs() <= 0.001, "{w:?}");
    }

    #[test]
    fn hashes_are_stable_and_short() {
        let h = hash16("tcp 10.0.0.1:80");
        assert_eq!(h.len(), 16);
        assert_eq!(h, hash16("tcp 10.0.0.1:80"));
        assert_ne!(h, hash16("tcp 10.0.0.1:81"));
        assert!(h
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
    }
}
