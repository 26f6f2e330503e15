//! What finding a backend costs a new connection's first packet in each
//! dataplane: in iptables, the rules it is matched against from nat
//! PREROUTING to its DNAT (following jumps; best, expected and worst
//! backend); in IPVS, one hash lookup of the service plus the scheduler's
//! work. Totals put "O(n) versus O(1)" in numbers for the ruleset at hand.

use super::model::{Key, Picture, RuleCount, Service};

/// How much work an IPVS scheduler does per new connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchedulerWork {
    /// A fixed number of steps.
    Constant,
    /// A scan over the service's destinations.
    Linear,
}

/// The work of a scheduler (`None` for an unknown one).
pub fn scheduler_work(name: &str) -> Option<SchedulerWork> {
    Some(match name {
        "rr" | "wrr" | "sh" | "dh" | "mh" | "lblc" | "lblcr" => SchedulerWork::Constant,
        "lc" | "wlc" | "sed" | "nq" | "fo" | "ovf" | "twos" => SchedulerWork::Linear,
        _ => return None,
    })
}

/// IPVS's cost for one service.
#[derive(Clone, Debug, PartialEq)]
pub struct IpvsCost {
    /// Scheduler name.
    pub scheduler: String,
    /// Destinations.
    pub destinations: usize,
    /// Hash lookups to find the service (always 1).
    pub lookups: u32,
    /// Destinations the scheduler looks at.
    pub scheduler_steps: u32,
}

impl IpvsCost {
    /// Lookup plus scheduler steps.
    pub fn total(&self) -> u32 {
        self.lookups + self.scheduler_steps
    }
}

fn ipvs_cost(s: &Service) -> Option<IpvsCost> {
    let scheduler = s.scheduler.clone()?;
    let n = s.backends.len();
    let steps = match scheduler_work(&scheduler) {
        Some(SchedulerWork::Linear) => n as u32,
        _ => u32::from(n > 0),
    };
    Some(IpvsCost {
        scheduler,
        destinations: n,
        lookups: 1,
        scheduler_steps: steps,
    })
}

/// One service's costs on both sides.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceCost {
    /// The service.
    pub key: Key,
    /// Its name from the rules' comments.
    pub name: Option<String>,
    /// iptables: rules matched before the DNAT.
    pub iptables: Option<RuleCount>,
    /// IPVS: lookup and scheduler.
    pub ipvs: Option<IpvsCost>,
}

/// Sums over all services.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    /// Services in either dataplane.
    pub services: usize,
    /// Services with a DNAT in iptables.
    pub iptables_services: usize,
    /// Services in IPVS.
    pub ipvs_services: usize,
    /// Rules in nat chains reachable from PREROUTING/OUTPUT.
    pub nat_rules: usize,
    /// Mean over iptables services of their best backend's rule count.
    pub mean_best: f64,
    /// Mean over iptables services of the expected rule count (each
    /// service getting the same number of new connections).
    pub mean_expected: f64,
    /// Mean over iptables services of their worst backend's rule count.
    pub mean_worst: f64,
    /// The fewest rules any DNAT needs.
    pub min_best: u32,
    /// The most rules any DNAT needs.
    pub max_worst: u32,
    /// Sum of expected rule counts (one new connection to every service).
    pub sum_expected: f64,
    /// Mean IPVS steps (lookup + scheduler) per new connection.
    pub ipvs_mean_steps: f64,
    /// Most IPVS steps for a service.
    pub ipvs_max_steps: u32,
}

/// The cost report.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Per service, in key order.
    pub services: Vec<ServiceCost>,
    /// Totals.
    pub totals: Totals,
}

/// Costs of every service in either picture.
pub fn report(ipvs: &Picture, iptables: &Picture) -> Report {
    let mut keys: Vec<Key> = ipvs
        .services
        .keys()
        .chain(iptables.services.keys())
        .copied()
        .collect();
    keys.sort();
    keys.dedup();
    let mut services = Vec::with_capacity(keys.len());
    let mut t = Totals {
        services: keys.len(),
        nat_rules: iptables.nat_rules.unwrap_or(0),
        min_best: u32::MAX,
        ..Totals::default()
    };
    let mut ipvs_sum = 0u64;
    for key in keys {
        let a = ipvs.services.get(&key);
        let b = iptables.services.get(&key);
        let rc = b.and_then(|s| s.rules);
        let ic = a.and_then(ipvs_cost);
        if let Some(r) = rc {
            t.iptables_services += 1;
            t.mean_best += f64::from(r.best);
            t.mean_expected += r.expected;
            t.mean_worst += f64::from(r.worst);
            t.min_best = t.min_best.min(r.best);
            t.max_worst = t.max_worst.max(r.worst);
        }
        if let Some(c) = &ic {
            t.ipvs_services += 1;
            ipvs_sum += u64::from(c.total());
            t.ipvs_max_steps = t.ipvs_max_steps.max(c.total());
        }
        services.push(ServiceCost {
            key,
            name: b.and_then(|s| s.name.clone()),
            iptables: rc,
            ipvs: ic,
        });
    }
    if t.iptables_services > 0 {
        let n = t.iptables_services as f64;
        t.sum_expected = t.mean_expected;
        t.mean_best /= n;
        t.mean_expected /= n;
        t.mean_worst /= n;
    } else {
        t.min_best = 0;
    }
    if t.ipvs_services > 0 {
        t.ipvs_mean_steps = ipvs_sum as f64 / t.ipvs_services as f64;
    }
    Report {
        services,
        totals: t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::model::{Backend, Family, Side, Vip};

    #[test]
    fn totals_average_over_services() {
        let mut a = Picture::new(Side::Ipvs, "a", Family::V4);
        let mut b = Picture::new(Side::Iptables, "b", Family::V4);
        for (i, (best, exp, worst)) in [(3, 4.0, 5), (5, 6.0, 7)].into_iter().enumerate() {
            let key = Key::Addr {
                vip: Vip::Addr(format!("10.0.0.{i}").parse().unwrap()),
                port: 80,
                protocol: 6,
            };
            let mut s = Service::new(key);
            s.rules = Some(RuleCount {
                best,
                expected: exp,
                worst,
            });
            b.services.insert(key, s);
            let mut v = Service::new(key);
            v.scheduler = Some(if i == 0 { "rr" } else { "wlc" }.into());
            for j in 0..3 {
                v.backends.push(Backend::new(
                    format!("10.1.0.{j}").parse().unwrap(),
                    80,
                    1.0 / 3.0,
                ));
            }
            a.services.insert(key, v);
        }
        let r = report(&a, &b);
        assert_eq!(r.totals.iptables_services, 2);
        assert_eq!(r.totals.mean_expected, 5.0);
        assert_eq!((r.totals.min_best, r.totals.max_worst), (3, 7));
        assert_eq!(r.services[0].ipvs.as_ref().unwrap().total(), 2);
        assert_eq!(r.services[1].ipvs.as_ref().unwrap().total(), 4);
        assert_eq!(r.totals.ipvs_mean_steps, 3.0);
    }
}
