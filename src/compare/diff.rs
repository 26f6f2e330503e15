//! Lines the two pictures up service by service and classifies each one:
//! the same, only in IPVS, only in iptables, or different (backend
//! addresses, ports, shares more than one percentage point apart, or
//! persistence). An IPVS service whose servers all have weight 0 (or that
//! has none) takes no new connections: without an iptables counterpart it
//! counts as the same.

use std::net::IpAddr;

use super::model::{Key, Picture, Service, SHARE_EPSILON, SHARE_TOLERANCE};

/// How a service compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Both implement it the same way.
    Same,
    /// Both have it, differently.
    Differs,
    /// Only IPVS has it.
    OnlyIpvs,
    /// Only iptables has it.
    OnlyIptables,
}

impl Status {
    /// The name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Status::Same => "same",
            Status::Differs => "differs",
            Status::OnlyIpvs => "only-ipvs",
            Status::OnlyIptables => "only-iptables",
        }
    }
    /// The words used in tables.
    pub fn words(self) -> &'static str {
        match self {
            Status::Same => "same",
            Status::Differs => "differs",
            Status::OnlyIpvs => "only in IPVS",
            Status::OnlyIptables => "only in iptables",
        }
    }
}

/// Why two implementations of a service differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// Different backend addresses.
    Backends,
    /// The same addresses on different ports.
    Ports,
    /// Shares more than one percentage point apart.
    Shares,
    /// Client affinity differs.
    Persistence,
}

impl Reason {
    /// The name used in JSON and tables.
    pub fn name(self) -> &'static str {
        match self {
            Reason::Backends => "backends",
            Reason::Ports => "ports",
            Reason::Shares => "shares",
            Reason::Persistence => "persistence",
        }
    }
}

/// One service, both sides.
#[derive(Clone, Debug)]
pub struct Row<'a> {
    /// The service.
    pub key: Key,
    /// How it compares.
    pub status: Status,
    /// Why it differs (empty unless [`Status::Differs`]).
    pub reasons: Vec<Reason>,
    /// The IPVS side.
    pub ipvs: Option<&'a Service>,
    /// The iptables side.
    pub iptables: Option<&'a Service>,
}

/// Counts per status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Services in all.
    pub services: usize,
    /// The same.
    pub same: usize,
    /// Different.
    pub differs: usize,
    /// Only in IPVS.
    pub only_ipvs: usize,
    /// Only in iptables.
    pub only_iptables: usize,
}

impl Summary {
    /// Whether the two sides are equivalent.
    pub fn equivalent(&self) -> bool {
        self.services == self.same
    }
}

/// The comparison of two pictures.
#[derive(Clone, Debug)]
pub struct Comparison<'a> {
    /// The IPVS picture.
    pub ipvs: &'a Picture,
    /// The iptables picture.
    pub iptables: &'a Picture,
    /// One row per service, in key order.
    pub rows: Vec<Row<'a>>,
    /// Counts.
    pub summary: Summary,
}

/// Why `a` (IPVS) and `b` (iptables) differ; empty when they are the same.
pub fn reasons(a: &Service, b: &Service) -> Vec<Reason> {
    let mut out = Vec::new();
    let ka: Vec<(IpAddr, u16)> = a.active().map(|x| (x.addr, x.port)).collect();
    let kb: Vec<(IpAddr, u16)> = b.active().map(|x| (x.addr, x.port)).collect();
    if ka != kb {
        let mut aa: Vec<IpAddr> = ka.iter().map(|k| k.0).collect();
        let mut ab: Vec<IpAddr> = kb.iter().map(|k| k.0).collect();
        aa.sort();
        aa.dedup();
        ab.sort();
        ab.dedup();
        out.push(if aa == ab {
            Reason::Ports
        } else {
            Reason::Backends
        });
    } else {
        let share = |s: &Service, k: &(IpAddr, u16)| {
            s.backends
                .iter()
                .filter(|x| (x.addr, x.port) == *k)
                .map(|x| x.share)
                .sum::<f64>()
        };
        if ka
            .iter()
            .any(|k| (share(a, k) - share(b, k)).abs() > SHARE_TOLERANCE + SHARE_EPSILON)
        {
            out.push(Reason::Shares);
        }
    }
    // Affinity only matters for a service that takes connections.
    if !ka.is_empty() && a.persistence != b.persistence {
        out.push(Reason::Persistence);
    }
    out
}

/// Notes on each IPVS fwmark service which mangle rules set its mark (the
/// traffic it receives), from the iptables input.
pub fn annotate_mark_feeds(ipvs: &mut Picture, iptables: &Picture) {
    for (key, s) in ipvs.services.iter_mut() {
        if let Key::Fwmark { mark } = key {
            match iptables.mark_feeds.get(mark) {
                Some(feeds) => {
                    for f in feeds {
                        s.notes.push(format!("marked by the mangle rule at {f}"));
                    }
                }
                None if !iptables.mark_feeds.is_empty() || iptables.nat_rules.is_some() => {
                    s.notes.push(format!(
                        "no -j MARK --set-mark {mark:#x} rule in the iptables input's mangle table"
                    ))
                }
                None => {}
            }
        }
    }
}

/// Compares the IPVS picture with the iptables picture.
pub fn compare<'a>(ipvs: &'a Picture, iptables: &'a Picture) -> Comparison<'a> {
    let mut keys: Vec<Key> = ipvs
        .services
        .keys()
        .chain(iptables.services.keys())
        .copied()
        .collect();
    keys.sort();
    keys.dedup();
    let mut summary = Summary {
        services: keys.len(),
        ..Summary::default()
    };
    let mut rows = Vec::with_capacity(keys.len());
    for key in keys {
        let a = ipvs.services.get(&key);
        let b = iptables.services.get(&key);
        let (status, reasons) = match (a, b) {
            (Some(a), Some(b)) => {
                let r = reasons(a, b);
                if r.is_empty() {
                    (Status::Same, r)
                } else {
                    (Status::Differs, r)
                }
            }
            // A service without servers takes no connections, like no
            // service (kube-proxy's iptables mode rejects them in the
            // filter table, which is not compared).
            (Some(a), None) if a.active().next().is_none() => (Status::Same, Vec::new()),
            (Some(_), None) => (Status::OnlyIpvs, Vec::new()),
            _ => (Status::OnlyIptables, Vec::new()),
        };
        match status {
            Status::Same => summary.same += 1,
            Status::Differs => summary.differs += 1,
            Status::OnlyIpvs => summary.only_ipvs += 1,
            Status::OnlyIptables => summary.only_iptables += 1,
        }
        rows.push(Row {
            key,
            status,
            reasons,
            ipvs: a,
            iptables: b,
        });
    }
    Comparison {
        ipvs,
        iptables,
        rows,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::model::{Backend, Family, Side, Vip};

    fn svc(backends: &[(&str, u16, f64)], persistence: Option<u32>) -> Service {
        let mut s = Service::new(Key::Addr {
            vip: Vip::Addr("10.0.0.1".parse().unwrap()),
            port: 80,
            protocol: 6,
        });
        s.persistence = persistence;
        for (a, p, sh) in backends {
            s.backends.push(Backend::new(a.parse().unwrap(), *p, *sh));
        }
        s.sort();
        s
    }

    #[test]
    fn reasons_of_every_kind() {
        let base = svc(&[("10.1.0.1", 80, 0.5), ("10.1.0.2", 80, 0.5)], None);
        assert!(reasons(&base, &base).is_empty());
        let zero = svc(
            &[
                ("10.1.0.1", 80, 0.5),
                ("10.1.0.2", 80, 0.5),
                ("10.1.0.3", 80, 0.0),
            ],
            None,
        );
        assert!(reasons(&zero, &base).is_empty(), "weight 0 takes nothing");
        let close = svc(&[("10.1.0.1", 80, 0.505), ("10.1.0.2", 80, 0.495)], None);
        assert!(reasons(&base, &close).is_empty());
        let far = svc(&[("10.1.0.1", 80, 0.52), ("10.1.0.2", 80, 0.48)], None);
        assert_eq!(reasons(&base, &far), [Reason::Shares]);
        let port = svc(&[("10.1.0.1", 81, 0.5), ("10.1.0.2", 80, 0.5)], None);
        assert_eq!(reasons(&base, &port), [Reason::Ports]);
        let other = svc(&[("10.1.0.1", 80, 0.5), ("10.1.0.9", 80, 0.5)], None);
        assert_eq!(reasons(&base, &other), [Reason::Backends]);
        let sticky = svc(&[("10.1.0.1", 80, 0.5), ("10.1.0.2", 80, 0.5)], Some(60));
        assert_eq!(reasons(&base, &sticky), [Reason::Persistence]);
    }

    #[test]
    fn rows_and_summary() {
        let mut a = Picture::new(Side::Ipvs, "a", Family::V4);
        let mut b = Picture::new(Side::Iptables, "b", Family::V4);
        let s = svc(&[("10.1.0.1", 80, 1.0)], None);
        a.services.insert(s.key, s.clone());
        b.services.insert(s.key, s.clone());
        let mut t = s.clone();
        t.key = Key::Fwmark { mark: 1 };
        b.services.insert(t.key, t);
        let c = compare(&a, &b);
        assert_eq!(c.rows.len(), 2);
        assert_eq!(c.rows[0].status, Status::Same);
        assert_eq!(c.rows[1].status, Status::OnlyIptables);
        assert!(!c.summary.equivalent());
    }
}
