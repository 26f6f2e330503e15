//! The IPVS side: services and destinations from `ipvsadm -S`/`rvsadm -S`
//! text, from rvsadm's JSON (schema `rvsadm/1`) or from the live kernel,
//! turned into the normalized [`Picture`].
//!
//! Shares of new connections follow from the scheduler and the weights: a
//! weight-0 destination takes no new connections; `rr lc sed nq sh mh dh`
//! share equally among the others; `wrr wlc lblc lblcr twos` share by
//! weight; `fo ovf` send everything to the first destination of the
//! highest weight.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::Value;

use super::error::{Error, Result};
use super::model::{self, Backend, Family, Key, Picture, Service, Side, Vip};
use crate::ipvs::model as ipvs;
use crate::ipvsadm::cli::{self, Invocation};
use crate::ipvsadm::restore_words;

/// How a scheduler divides new connections among destinations of
/// non-zero weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareRule {
    /// Equally.
    Equal,
    /// In proportion to the weights.
    Weighted,
    /// All to the first destination of the highest weight.
    Highest,
}

/// Every scheduler the kernel has, with how it shares.
pub const SCHEDULERS: &[(&str, ShareRule)] = &[
    ("rr", ShareRule::Equal),
    ("wrr", ShareRule::Weighted),
    ("lc", ShareRule::Equal),
    ("wlc", ShareRule::Weighted),
    ("lblc", ShareRule::Weighted),
    ("lblcr", ShareRule::Weighted),
    ("dh", ShareRule::Equal),
    ("sh", ShareRule::Equal),
    ("sed", ShareRule::Equal),
    ("nq", ShareRule::Equal),
    ("fo", ShareRule::Highest),
    ("ovf", ShareRule::Highest),
    ("mh", ShareRule::Equal),
    ("twos", ShareRule::Weighted),
];

/// How `scheduler` shares, or `None` for a scheduler the kernel does not have.
pub fn share_rule(scheduler: &str) -> Option<ShareRule> {
    SCHEDULERS
        .iter()
        .find(|(n, _)| *n == scheduler)
        .map(|(_, r)| *r)
}

/// The share of new connections of each destination (same order as
/// `weights`), or `None` for an unknown scheduler. Negative weights count
/// as 0; when every weight is 0 every share is 0.
pub fn shares(scheduler: &str, weights: &[i32]) -> Option<Vec<f64>> {
    let rule = share_rule(scheduler)?;
    let w: Vec<f64> = weights.iter().map(|&w| f64::from(w.max(0))).collect();
    let active = w.iter().filter(|&&w| w > 0.0).count();
    if active == 0 {
        return Some(vec![0.0; w.len()]);
    }
    Some(match rule {
        ShareRule::Equal => w
            .iter()
            .map(|&x| if x > 0.0 { 1.0 / active as f64 } else { 0.0 })
            .collect(),
        ShareRule::Weighted => {
            let total: f64 = w.iter().sum();
            w.iter().map(|&x| x / total).collect()
        }
        ShareRule::Highest => {
            let max = w.iter().cloned().fold(0.0, f64::max);
            let first = w.iter().position(|&x| x == max).unwrap_or(0);
            (0..w.len())
                .map(|i| if i == first { 1.0 } else { 0.0 })
                .collect()
        }
    })
}

/// A service with its destinations and where it was defined.
struct Entry {
    service: ipvs::Service,
    dests: Vec<ipvs::Dest>,
    origin: String,
}

fn wanted(key: &ipvs::ServiceKey, family: Family) -> bool {
    matches!(
        (key.family(), family),
        (ipvs::Family::Inet, Family::V4) | (ipvs::Family::Inet6, Family::V6)
    )
}

fn model_key(key: &ipvs::ServiceKey) -> Key {
    match key {
        ipvs::ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => Key::Addr {
            vip: Vip::Addr(*addr),
            port: *port,
            protocol: protocol.number().min(255) as u8,
        },
        ipvs::ServiceKey::Fwmark { mark, .. } => Key::Fwmark { mark: *mark },
    }
}

/// Builds the picture from the entries.
fn picture(entries: Vec<Entry>, origin: &str, family: Family) -> Result<Picture> {
    let mut pic = Picture::new(Side::Ipvs, origin, family);
    let mut other_family = 0usize;
    for e in entries {
        if !wanted(&e.service.key, family) {
            other_family += 1;
            continue;
        }
        let sched = e.service.scheduler.as_str();
        let weights: Vec<i32> = e.dests.iter().map(|d| d.weight).collect();
        let Some(sh) = shares(sched, &weights) else {
            return Err(unknown_scheduler(origin, &e.origin, sched));
        };
        let key = model_key(&e.service.key);
        let mut svc = Service::new(key);
        svc.scheduler = Some(sched.to_string());
        svc.persistence = e.service.persistent().then_some(e.service.timeout);
        svc.origin = Some(e.origin.clone());
        for (d, share) in e.dests.iter().zip(sh) {
            let port = match (d.port, key) {
                (0, Key::Addr { port, .. }) => port,
                (p, _) => p,
            };
            let mut b = Backend::new(d.addr, port, share);
            b.weight = Some(d.weight);
            b.forward = Some(d.forward.name());
            if d.u_threshold != 0 {
                svc.notes.push(format!(
                    "{} has an upper connection threshold ({}); shares are those of servers below it",
                    model::addr_port(&d.addr, port),
                    d.u_threshold
                ));
            }
            svc.backends.push(b);
        }
        if share_rule(sched) == Some(ShareRule::Highest) && svc.active().count() > 0 {
            svc.notes.push(format!(
                "{sched}: the first server of the highest weight takes every new connection"
            ));
        }
        svc.sort();
        pic.services.insert(key, svc);
    }
    if other_family > 0 {
        let (this, flag) = match family {
            Family::V4 => ("IPv6", "with -6"),
            Family::V6 => ("IPv4", "without -6"),
        };
        pic.notes.push(format!(
            "{other_family} {this} service(s) left out (compare them {flag})"
        ));
    }
    Ok(pic)
}

fn unknown_scheduler(origin: &str, at: &str, sched: &str) -> Error {
    let known: Vec<&str> = SCHEDULERS.iter().map(|(n, _)| *n).collect();
    let message = format!("unknown scheduler `{sched}' (known: {})", known.join(" "));
    match at.strip_prefix("line ").and_then(|n| n.parse().ok()) {
        Some(n) => Error::line(origin, n, message),
        None => Error::json(origin, at, message),
    }
}

/// Reads `ipvsadm -S` / `rvsadm -S` text (also any `ipvsadm -R` input
/// made of `-A -a -E -e -D -d -C` lines, applied in order).
pub fn from_save_text(text: &str, origin: &str, family: Family) -> Result<Picture> {
    let mut entries: BTreeMap<ServiceKeyOrd, Entry> = BTreeMap::new();
    let mut ignored = 0usize;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let words = restore_words(line);
        if words.is_empty() {
            continue;
        }
        let inv = cli::parse(&words, "rcompare", true).map_err(|e| {
            let msg = e.message.lines().next().unwrap_or("").to_string();
            Error::line(origin, n, format!("{msg}: {}", line.trim()))
        })?;
        let Invocation::Change(req) = inv else {
            ignored += 1;
            continue;
        };
        use crate::ipvs::Request as R;
        match req {
            R::NewService(s) => {
                if share_rule(&s.scheduler).is_none() {
                    return Err(unknown_scheduler(
                        origin,
                        &format!("line {n}"),
                        &s.scheduler,
                    ));
                }
                let k = ServiceKeyOrd::of(&s.key);
                if let Some(prev) = entries.get(&k) {
                    return Err(Error::line(
                        origin,
                        n,
                        format!("service defined twice (first at {})", prev.origin),
                    ));
                }
                entries.insert(
                    k,
                    Entry {
                        service: s,
                        dests: Vec::new(),
                        origin: format!("line {n}"),
                    },
                );
            }
            R::SetService(s) => {
                if share_rule(&s.scheduler).is_none() {
                    return Err(unknown_scheduler(
                        origin,
                        &format!("line {n}"),
                        &s.scheduler,
                    ));
                }
                let e = entries
                    .get_mut(&ServiceKeyOrd::of(&s.key))
                    .ok_or_else(|| Error::line(origin, n, "edit of a service not defined above"))?;
                e.service = s;
            }
            R::DelService(k) => {
                entries.remove(&ServiceKeyOrd::of(&k)).ok_or_else(|| {
                    Error::line(origin, n, "delete of a service not defined above")
                })?;
            }
            R::NewDest(k, d) => {
                let e = entries.get_mut(&ServiceKeyOrd::of(&k)).ok_or_else(|| {
                    Error::line(
                        origin,
                        n,
                        "real server for a service not defined above (is the file truncated or out of order?)",
                    )
                })?;
                if e.dests.iter().any(|x| x.addr == d.addr && x.port == d.port) {
                    return Err(Error::line(origin, n, "real server defined twice"));
                }
                e.dests.push(d);
            }
            R::SetDest(k, d) => {
                let e = entries
                    .get_mut(&ServiceKeyOrd::of(&k))
                    .ok_or_else(|| Error::line(origin, n, "edit of a service not defined above"))?;
                let x = e
                    .dests
                    .iter_mut()
                    .find(|x| x.addr == d.addr && x.port == d.port)
                    .ok_or_else(|| {
                        Error::line(origin, n, "edit of a real server not defined above")
                    })?;
                *x = d;
            }
            R::DelDest(k, d) => {
                let e = entries
                    .get_mut(&ServiceKeyOrd::of(&k))
                    .ok_or_else(|| Error::line(origin, n, "edit of a service not defined above"))?;
                let before = e.dests.len();
                e.dests.retain(|x| !(x.addr == d.addr && x.port == d.port));
                if e.dests.len() == before {
                    return Err(Error::line(
                        origin,
                        n,
                        "delete of a real server not defined above",
                    ));
                }
            }
            R::Flush => entries.clear(),
            _ => ignored += 1,
        }
    }
    let mut pic = picture(entries.into_values().collect(), origin, family)?;
    if ignored > 0 {
        pic.notes.push(format!(
            "{ignored} line(s) that do not define services or real servers were ignored"
        ));
    }
    Ok(pic)
}

/// A total order on IPVS service keys (for the map of a restore).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ServiceKeyOrd(u8, u32, Option<IpAddr>, u16, u16);

impl ServiceKeyOrd {
    fn of(k: &ipvs::ServiceKey) -> Self {
        match k {
            ipvs::ServiceKey::Addr {
                protocol,
                addr,
                port,
            } => ServiceKeyOrd(0, 0, Some(*addr), *port, protocol.number()),
            ipvs::ServiceKey::Fwmark { mark, family } => {
                ServiceKeyOrd(1, *mark, None, family.af(), 0)
            }
        }
    }
}

/// Reads rvsadm's JSON (`rvsadm -L --json`, schema `rvsadm/1`).
pub fn from_json(text: &str, origin: &str, family: Family) -> Result<Picture> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| super::iptables::json_syntax(origin, &e))?;
    if let Some(s) = doc.get("schema") {
        if s != "rvsadm/1" {
            return Err(Error::json(
                origin,
                "schema",
                format!("expected \"rvsadm/1\", found {s}"),
            ));
        }
    }
    let services = doc
        .get("services")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            Error::json(
                origin,
                "services",
                "missing (not an rvsadm -L --json document?)",
            )
        })?;
    let mut entries = Vec::with_capacity(services.len());
    for (i, s) in services.iter().enumerate() {
        let at = format!("services[{i}]");
        entries.push(json_entry(s, origin, &at)?);
    }
    picture(entries, origin, family)
}

fn field<'a>(v: &'a Value, name: &str, origin: &str, at: &str) -> Result<&'a Value> {
    v.get(name)
        .filter(|x| !x.is_null())
        .ok_or_else(|| Error::json(origin, at, format!("missing \"{name}\"")))
}

fn json_u64(v: &Value, name: &str, origin: &str, at: &str, max: u64) -> Result<u64> {
    field(v, name, origin, at)?
        .as_u64()
        .filter(|n| *n <= max)
        .ok_or_else(|| {
            Error::json(
                origin,
                at,
                format!("\"{name}\" is not a number up to {max}"),
            )
        })
}

fn json_addr(v: &Value, origin: &str, at: &str) -> Result<IpAddr> {
    let s = field(v, "address", origin, at)?
        .as_str()
        .ok_or_else(|| Error::json(origin, at, "\"address\" is not a string"))?;
    s.parse()
        .map_err(|_| Error::json(origin, at, format!("bad address {s:?}")))
}

fn json_entry(s: &Value, origin: &str, at: &str) -> Result<Entry> {
    let key = if let Some(m) = s.get("fwmark").filter(|m| !m.is_null()) {
        let mark = m
            .as_u64()
            .filter(|m| *m <= u64::from(u32::MAX))
            .ok_or_else(|| Error::json(origin, at, "\"fwmark\" is not a 32-bit number"))?;
        let fam = match s.get("family").and_then(Value::as_str) {
            Some("inet6") => ipvs::Family::Inet6,
            Some("inet") | None => ipvs::Family::Inet,
            Some(f) => return Err(Error::json(origin, at, format!("unknown family {f:?}"))),
        };
        ipvs::ServiceKey::Fwmark {
            mark: mark as u32,
            family: fam,
        }
    } else {
        let protocol = match field(s, "protocol", origin, at)? {
            Value::String(p) => match p.as_str() {
                "tcp" => ipvs::Protocol::Tcp,
                "udp" => ipvs::Protocol::Udp,
                "sctp" => ipvs::Protocol::Sctp,
                p => return Err(Error::json(origin, at, format!("unknown protocol {p:?}"))),
            },
            Value::Number(n) => ipvs::Protocol::from_number(
                n.as_u64()
                    .filter(|n| *n <= 255)
                    .ok_or_else(|| Error::json(origin, at, "bad protocol number"))?
                    as u16,
            ),
            _ => return Err(Error::json(origin, at, "\"protocol\" is not a name")),
        };
        ipvs::ServiceKey::Addr {
            protocol,
            addr: json_addr(s, origin, at)?,
            port: json_u64(s, "port", origin, at, 65535)? as u16,
        }
    };
    let mut service = ipvs::Service::new(key);
    service.scheduler = field(s, "scheduler", origin, at)?
        .as_str()
        .ok_or_else(|| Error::json(origin, at, "\"scheduler\" is not a string"))?
        .to_string();
    if let Some(p) = s.get("persistence").filter(|p| !p.is_null()) {
        service.flags |= ipvs::SVC_F_PERSISTENT;
        service.timeout = json_u64(
            p,
            "timeout",
            origin,
            &format!("{at}.persistence"),
            u64::from(u32::MAX),
        )? as u32;
    }
    let mut dests = Vec::new();
    if let Some(ds) = s.get("destinations").filter(|d| !d.is_null()) {
        let ds = ds
            .as_array()
            .ok_or_else(|| Error::json(origin, at, "\"destinations\" is not an array"))?;
        for (j, d) in ds.iter().enumerate() {
            let dat = format!("{at}.destinations[{j}]");
            let mut dest = ipvs::Dest::new(
                json_addr(d, origin, &dat)?,
                json_u64(d, "port", origin, &dat, 65535)? as u16,
            );
            dest.weight = field(d, "weight", origin, &dat)?
                .as_i64()
                .and_then(|w| i32::try_from(w).ok())
                .ok_or_else(|| Error::json(origin, &dat, "\"weight\" is not a 32-bit number"))?;
            dest.forward = match d.get("forward").and_then(Value::as_str) {
                Some("masq") => ipvs::Forward::Masq,
                Some("local") => ipvs::Forward::Local,
                Some("tunnel") => ipvs::Forward::Tunnel,
                _ => ipvs::Forward::Route,
            };
            if let Some(t) = d.get("u_threshold").and_then(Value::as_u64) {
                dest.u_threshold = t.min(u64::from(u32::MAX)) as u32;
            }
            dests.push(dest);
        }
    }
    Ok(Entry {
        service,
        dests,
        origin: at.to_string(),
    })
}

/// Reads the live kernel's IPVS table (this network namespace).
pub fn live(family: Family) -> Result<Picture> {
    let fail = |e: crate::netlink::Error| Error::Live {
        what: "IPVS",
        message: match &e {
            crate::netlink::Error::FamilyNotFound(_) => {
                "IPVS is not available in this kernel (no IPVS generic netlink family)".into()
            }
            e => crate::ipvsadm::kernel_message(None, e.errno()),
        },
    };
    let mut client = crate::ipvs::Client::connect().map_err(fail)?;
    let list = client.entries().map_err(fail)?;
    let entries = list
        .into_iter()
        .map(|e| {
            let origin = format!("kernel service {}", model_key(&e.service.key));
            Entry {
                service: e.service,
                dests: e.dests,
                origin,
            }
        })
        .collect();
    picture(entries, "live", family)
}

/// Reads a file's text: JSON when it starts with `{`, save text otherwise.
pub fn from_text(text: &str, origin: &str, family: Family) -> Result<Picture> {
    if text.trim_start().starts_with('{') {
        from_json(text, origin, family)
    } else {
        from_save_text(text, origin, family)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_follow_the_scheduler() {
        assert_eq!(shares("rr", &[1, 5, 0]), Some(vec![0.5, 0.5, 0.0]));
        assert_eq!(shares("wrr", &[1, 3]), Some(vec![0.25, 0.75]));
        assert_eq!(shares("fo", &[1, 3, 3]), Some(vec![0.0, 1.0, 0.0]));
        assert_eq!(shares("wlc", &[0, 0]), Some(vec![0.0, 0.0]));
        assert_eq!(shares("nope", &[1]), None);
    }

    #[test]
    fn save_text_with_weights_and_persistence() {
        let t = "-A -t 10.96.0.1:443 -s wrr -p 600\n\
                 -a -t 10.96.0.1:443 -r 10.0.0.2:6443 -m -w 1\n\
                 -a -t 10.96.0.1:443 -r 10.0.0.3:6443 -m -w 3\n\
                 -A -f 7 -s rr\n\
                 -a -f 7 -r 10.0.0.9:0 -g -w 0\n\
                 -A -t [2001:db8::1]:80 -s rr\n";
        let p = from_save_text(t, "t", Family::V4).unwrap();
        assert_eq!(p.services.len(), 2);
        let s = p.services.values().next().unwrap();
        assert_eq!(s.persistence, Some(600));
        assert_eq!(s.backends[1].share, 0.75);
        assert!(p.notes[0].contains("IPv6"));
        let f = &p.services[&Key::Fwmark { mark: 7 }];
        assert_eq!(f.active().count(), 0);
    }

    #[test]
    fn bad_lines_are_named() {
        let e = from_save_text(
            "-A -t 10.0.0.1:80 -s rr\n-A -t 10.0.0.2:80 -s fancy\n",
            "f",
            Family::V4,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("f: line 2: unknown scheduler `fancy'"), "{e}");
        let e = from_save_text("-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m\n", "f", Family::V4)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 1: real server for a service not defined above"),
            "{e}"
        );
        let e = from_save_text(
            "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.",
            "f",
            Family::V4,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("f: line 2: "), "{e}");
    }

    #[test]
    fn json_document() {
        let j = r#"{"schema":"rvsadm/1","services":[
            {"protocol":"udp","address":"10.96.0.10","port":53,"family":"inet","scheduler":"rr",
             "persistence":null,"destinations":[
               {"address":"10.0.0.5","port":53,"weight":1,"forward":"masq"},
               {"address":"10.0.0.6","port":53,"weight":1,"forward":"masq"}]},
            {"fwmark":3,"family":"inet","scheduler":"wlc","persistence":{"timeout":30},"destinations":[]}]}"#;
        let p = from_json(j, "j", Family::V4).unwrap();
        assert_eq!(p.services.len(), 2);
        assert_eq!(p.services[&Key::Fwmark { mark: 3 }].persistence, Some(30));
        let e = from_json(&j[..60], "j", Family::V4)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("j: line 2 column 26: EOF while parsing"),
            "{e}"
        );
        let e = from_json(
            r#"{"services":[{"protocol":"tcp","port":1,"scheduler":"rr"}]}"#,
            "j",
            Family::V4,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(e, "j: services[0]: missing \"address\"");
    }
}
