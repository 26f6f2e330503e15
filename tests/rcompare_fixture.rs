//! Fixtures for the rcompare tests (included by the other `rcompare*`
//! test files with `#[path]`; on its own it only checks itself): a
//! kube-proxy-style `iptables-save` dump (KUBE-SERVICES, KUBE-SVC-*,
//! KUBE-SEP-*, KUBE-EXT-*, KUBE-MARK-MASQ, KUBE-POSTROUTING,
//! KUBE-NODEPORTS, comments, session affinity, services without endpoints)
//! with the `ipvsadm -Sn` table kube-proxy's IPVS mode would have made for
//! the same cluster, and planted differences of every kind with the status
//! rcompare must give each service.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The node address NodePorts are opened on (pass it with `--node-ip`).
pub const NODE_IP: &str = "192.168.0.10";

/// A difference planted in one service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plant {
    /// IPVS has the service, iptables does not.
    OnlyIpvs,
    /// iptables has the service, IPVS does not.
    OnlyIptables,
    /// One backend has another address in IPVS.
    BackendAddr,
    /// One backend has another port in IPVS.
    BackendPort,
    /// iptables' first probability is 0.5 instead of 1/n.
    CascadeShares,
    /// IPVS uses wrr with the first weight 3.
    WeightShares,
    /// IPVS is persistent, iptables has no affinity.
    Persistence,
    /// iptables' last rule has a probability: some connections are not DNATed.
    Leak,
    /// iptables lacks the last endpoint.
    MissingEndpoint,
    /// IPVS weights 50/51: shares 0.5 points off, within tolerance (same).
    NearShares,
    /// The NodePort is missing from IPVS.
    NodePortOnlyIptables,
}

impl Plant {
    /// Every kind.
    pub const ALL: [Plant; 11] = [
        Plant::OnlyIpvs,
        Plant::OnlyIptables,
        Plant::BackendAddr,
        Plant::BackendPort,
        Plant::CascadeShares,
        Plant::WeightShares,
        Plant::Persistence,
        Plant::Leak,
        Plant::MissingEndpoint,
        Plant::NearShares,
        Plant::NodePortOnlyIptables,
    ];
}

/// A generated pair and what rcompare must say about it.
pub struct Fixture {
    /// `iptables-save` text.
    pub iptables: String,
    /// `ipvsadm -Sn` text.
    pub ipvs: String,
    /// Expected status per service (`tcp 10.96.0.1:80` -> `same`).
    pub expected: BTreeMap<String, &'static str>,
}

fn hash(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016X}")
}

struct Svc {
    i: usize,
    name: String,
    proto: &'static str,
    vip: String,
    port: u16,
    target_port: u16,
    endpoints: Vec<String>,
    nodeport: Option<u16>,
    affinity: bool,
    terminating: Option<String>,
}

fn service(i: usize) -> Svc {
    let udp = i % 7 == 3;
    let n = if i % 11 == 5 { 0 } else { 1 + i % 4 };
    let endpoints = (0..n)
        .map(|e| {
            let k = i * 4 + e;
            format!("10.{}.{}.{}", 128 + (k >> 16), (k >> 8) & 255, k & 255)
        })
        .collect();
    Svc {
        i,
        name: format!("ns{}/svc{i}:{}", i % 10, if udp { "dns" } else { "http" }),
        proto: if udp { "udp" } else { "tcp" },
        vip: format!("10.96.{}.{}", i >> 8, i & 255),
        port: if udp { 53 } else { 80 },
        target_port: if udp { 5353 } else { 8080 },
        endpoints,
        nodeport: (!udp && i.is_multiple_of(10)).then_some(30000 + (i / 10 % 2700) as u16),
        affinity: i % 13 == 6,
        terminating: (i % 17 == 9).then(|| format!("10.64.{}.{}", i >> 8, i & 255)),
    }
}

fn key(proto: &str, vip: &str, port: u16) -> String {
    format!("{proto} {vip}:{port}")
}

/// Generates `n` services; `plants` puts a difference in the service of
/// that index (the index must hold a service with endpoints; the
/// generator picks a suitable one nearby).
pub fn kube(n: usize, plants: &[(usize, Plant)]) -> Fixture {
    let mut svcs: Vec<Svc> = (0..n).map(service).collect();
    let mut plant_at: BTreeMap<usize, Plant> = BTreeMap::new();
    for &(at, p) in plants {
        // Find a plain service with at least two endpoints (three for the
        // cascade kinds), no affinity, the right protocol for NodePorts.
        let ok = |s: &Svc| {
            s.endpoints.len() >= 3
                && !s.affinity
                && s.terminating.is_none()
                && (p == Plant::NodePortOnlyIptables) == s.nodeport.is_some()
                && !plant_at.contains_key(&s.i)
        };
        let idx = (at..n)
            .chain(0..at)
            .find(|&i| ok(&svcs[i]))
            .expect("a service to plant in");
        plant_at.insert(idx, p);
    }
    let mut expected = BTreeMap::new();
    let mut ipvs = String::new();
    let mut filter_rules = Vec::new();
    let mut chains: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut services_rules: Vec<String> = Vec::new();
    let mut nodeport_rules: Vec<String> = Vec::new();
    let push = |chains: &mut BTreeMap<String, Vec<String>>, c: &str, r: String| {
        chains.entry(c.to_string()).or_default().push(r);
    };
    for s in svcs.iter_mut() {
        let plant = plant_at.get(&s.i).copied();
        let svc_chain = format!("KUBE-SVC-{}", hash(&format!("svc{}", s.name)));
        let ext_chain = format!("KUBE-EXT-{}", hash(&format!("ext{}", s.name)));
        let ck = key(s.proto, &s.vip, s.port);
        let status = match plant {
            None | Some(Plant::NearShares) | Some(Plant::NodePortOnlyIptables) => "same",
            Some(Plant::OnlyIpvs) => "only-ipvs",
            Some(Plant::OnlyIptables) => "only-iptables",
            Some(_) => "differs",
        };
        expected.insert(ck.clone(), status);
        if let Some(np) = s.nodeport {
            let nk = key(s.proto, NODE_IP, np);
            let st = match plant {
                Some(Plant::NodePortOnlyIptables) => "only-iptables",
                _ => status,
            };
            expected.insert(nk, st);
        }
        // --- IPVS side -------------------------------------------------
        let flag = if s.proto == "udp" { "-u" } else { "-t" };
        let mut vips = vec![(s.vip.clone(), s.port)];
        if let Some(np) = s.nodeport {
            if plant != Some(Plant::NodePortOnlyIptables) {
                vips.push((NODE_IP.to_string(), np));
            }
        }
        if plant != Some(Plant::OnlyIptables) {
            for (vip, port) in &vips {
                let sched = match plant {
                    Some(Plant::WeightShares | Plant::NearShares) => "wrr",
                    _ => "rr",
                };
                let persist = if s.affinity || plant == Some(Plant::Persistence) {
                    " -p 10800"
                } else {
                    ""
                };
                let _ = writeln!(ipvs, "-A {flag} {vip}:{port} -s {sched}{persist}");
                for (e, ep) in s.endpoints.iter().enumerate() {
                    let mut addr = ep.clone();
                    let mut tport = s.target_port;
                    let mut w = 1;
                    match plant {
                        Some(Plant::BackendAddr) if e == 0 => {
                            addr = format!("10.1.{}.{}", s.i >> 8, s.i & 255)
                        }
                        Some(Plant::BackendPort) if e == 0 => tport += 1,
                        Some(Plant::WeightShares) if e == 0 => w = 3,
                        Some(Plant::NearShares) => w = 50 + (e % 2),
                        _ => {}
                    }
                    let _ = writeln!(ipvs, "-a {flag} {vip}:{port} -r {addr}:{tport} -m -w {w}");
                }
                if let Some(t) = &s.terminating {
                    let _ = writeln!(
                        ipvs,
                        "-a {flag} {vip}:{port} -r {t}:{} -m -w 0",
                        s.target_port
                    );
                }
            }
        }
        // --- iptables side ---------------------------------------------
        if plant == Some(Plant::OnlyIpvs) {
            continue;
        }
        if s.endpoints.is_empty() {
            filter_rules.push(format!(
                "-A KUBE-SERVICES -d {}/32 -p {} -m comment --comment \"{} has no endpoints\" -m {} --dport {} -j REJECT --reject-with icmp-port-unreachable",
                s.vip, s.proto, s.name, s.proto, s.port
            ));
            continue;
        }
        services_rules.push(format!(
            "-A KUBE-SERVICES -d {}/32 -p {} -m comment --comment \"{} cluster IP\" -m {} --dport {} -j {svc_chain}",
            s.vip, s.proto, s.name, s.proto, s.port
        ));
        if let Some(np) = s.nodeport {
            nodeport_rules.push(format!(
                "-A KUBE-NODEPORTS -p {} -m comment --comment \"{}\" -m {} --dport {np} -j {ext_chain}",
                s.proto, s.name, s.proto
            ));
            push(&mut chains, &ext_chain, format!(
                "-A {ext_chain} -m comment --comment \"masquerade traffic for {} external destinations\" -j KUBE-MARK-MASQ",
                s.name
            ));
            push(
                &mut chains,
                &ext_chain,
                format!("-A {ext_chain} -j {svc_chain}"),
            );
        }
        push(&mut chains, &svc_chain, format!(
            "-A {svc_chain} ! -s 10.128.0.0/9 -d {}/32 -p {} -m comment --comment \"{} cluster IP\" -m {} --dport {} -j KUBE-MARK-MASQ",
            s.vip, s.proto, s.name, s.proto, s.port
        ));
        let mut eps: Vec<String> = s.endpoints.clone();
        if plant == Some(Plant::MissingEndpoint) {
            eps.pop();
        }
        let seps: Vec<String> = eps
            .iter()
            .map(|ep| format!("KUBE-SEP-{}", hash(&format!("sep{}{ep}", s.name))))
            .collect();
        if s.affinity {
            for (ep, sep) in eps.iter().zip(&seps) {
                push(&mut chains, &svc_chain, format!(
                    "-A {svc_chain} -m comment --comment \"{} -> {ep}:{}\" -m recent --rcheck --seconds 10800 --reap --name {sep} --mask 255.255.255.255 --rsource -j {sep}",
                    s.name, s.target_port
                ));
            }
        }
        let m = eps.len();
        for (e, (ep, sep)) in eps.iter().zip(&seps).enumerate() {
            let left = m - e;
            let p = match plant {
                Some(Plant::CascadeShares) if e == 0 => Some(0.5),
                Some(Plant::Leak) if left == 1 => Some(0.5),
                _ if left > 1 => Some(1.0 / left as f64),
                _ => None,
            };
            let stat = p
                .map(|p| format!(" -m statistic --mode random --probability {p:.11}"))
                .unwrap_or_default();
            push(
                &mut chains,
                &svc_chain,
                format!(
                    "-A {svc_chain} -m comment --comment \"{} -> {ep}:{}\"{stat} -j {sep}",
                    s.name, s.target_port
                ),
            );
            push(
                &mut chains,
                sep,
                format!(
                    "-A {sep} -s {ep}/32 -m comment --comment \"{}\" -j KUBE-MARK-MASQ",
                    s.name
                ),
            );
            let recent = if s.affinity {
                format!(" -m recent --set --name {sep} --mask 255.255.255.255 --rsource")
            } else {
                String::new()
            };
            push(&mut chains, sep, format!(
                "-A {sep} -p {} -m comment --comment \"{}\"{recent} -m {} -j DNAT --to-destination {ep}:{}",
                s.proto, s.name, s.proto, s.target_port
            ));
        }
    }
    // Planted only-ipvs services also need an IPVS entry that iptables
    // lacks entirely: the generator kept the IPVS lines above.
    services_rules.push(
        "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS"
            .to_string(),
    );
    chains.insert("KUBE-SERVICES".into(), services_rules);
    chains.insert("KUBE-NODEPORTS".into(), nodeport_rules);
    chains.insert(
        "KUBE-MARK-MASQ".into(),
        vec!["-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000".into()],
    );
    chains.insert(
        "KUBE-POSTROUTING".into(),
        vec![
            "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN".into(),
            "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0".into(),
            "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully".into(),
        ],
    );
    let mut t = String::new();
    t.push_str("# Generated by iptables-save v1.8.9 (nf_tables) on Thu Jan  1 00:00:00 2026\n");
    t.push_str("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n");
    t.push_str("-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
    t.push_str("-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
    for r in &filter_rules {
        t.push_str(r);
        t.push('\n');
    }
    t.push_str("COMMIT\n# Completed on Thu Jan  1 00:00:00 2026\n");
    t.push_str("# Generated by iptables-save v1.8.9 (nf_tables) on Thu Jan  1 00:00:00 2026\n");
    t.push_str("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
    for c in chains.keys() {
        let _ = writeln!(t, ":{c} - [0:0]");
    }
    t.push_str(
        "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n",
    );
    t.push_str("-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
    t.push_str("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n");
    for rules in chains.values() {
        for r in rules {
            t.push_str(r);
            t.push('\n');
        }
    }
    t.push_str("COMMIT\n# Completed on Thu Jan  1 00:00:00 2026\n");
    Fixture {
        iptables: t,
        ipvs,
        expected,
    }
}

/// Every kind of plant, each at a few places spread over `n` services.
pub fn every_plant(n: usize, per_kind: usize) -> Vec<(usize, Plant)> {
    let mut out = Vec::new();
    let kinds = Plant::ALL.len();
    for r in 0..per_kind {
        for (k, p) in Plant::ALL.iter().enumerate() {
            let at = (r * kinds + k) * n / (per_kind * kinds) + n / (2 * per_kind * kinds);
            out.push((at.min(n.saturating_sub(1)), *p));
        }
    }
    out
}

#[test]
fn fixture_is_consistent() {
    let f = kube(60, &every_plant(60, 1));
    let count = |s: &str| f.expected.values().filter(|v| **v == s).count();
    assert!(count("same") > 30);
    assert_eq!(count("only-ipvs"), 1);
    assert_eq!(count("only-iptables"), 2);
    assert_eq!(count("differs"), 7);
    assert!(f.iptables.contains("-m recent --rcheck"));
    assert!(f.iptables.contains("KUBE-NODEPORTS -p tcp"));
    assert!(f.ipvs.contains(" -w 0\n"));
}
