//! rvsadm's JSON output (`--json`), schema version 1.
//!
//! Every document is an object with `"schema": "rvsadm/1"` and one of
//! `services`, `timeouts`, `daemons` or `connections`. Addresses are always
//! numeric; counters are exact 64-bit integers. The full schema is in the
//! man page (JSON OUTPUT) and in `docs/json-schema.md`.

use serde::Serialize;
use serde_json::{json, Value};

use crate::ipvs::conn::Connection;
use crate::ipvs::model::*;

/// The schema identifier carried by every document.
pub const SCHEMA: &str = "rvsadm/1";

#[derive(Serialize)]
struct JsonDest<'a> {
    address: String,
    port: u16,
    family: Family,
    forward: &'static str,
    weight: i32,
    u_threshold: u32,
    l_threshold: u32,
    active_conns: u32,
    inactive_conns: u32,
    persistent_conns: u32,
    tunnel: Option<Value>,
    stats: &'a Stats,
}

fn service_json(e: &ServiceEntry) -> Value {
    let s = &e.service;
    let mut v = match &s.key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => json!({
            "protocol": protocol,
            "address": addr.to_string(),
            "port": port,
            "family": Family::of(addr),
        }),
        ServiceKey::Fwmark { mark, family } => json!({
            "fwmark": mark,
            "family": family,
        }),
    };
    let persistence = s.persistent().then(|| {
        let mask = match s.key.family() {
            Family::Inet => json!(s.netmask_v4().to_string()),
            Family::Inet6 => json!(s.netmask),
        };
        json!({"timeout": s.timeout, "netmask": mask, "pe": s.pe})
    });
    let dests: Vec<Value> = e
        .dests
        .iter()
        .map(|d| {
            let tunnel = (d.forward == Forward::Tunnel).then(|| {
                json!({
                    "type": d.tun_type,
                    "port": d.tun_port,
                    "checksum": d.tun_flags,
                })
            });
            serde_json::to_value(JsonDest {
                address: d.addr.to_string(),
                port: d.port,
                family: d.family(),
                forward: d.forward.name(),
                weight: d.weight,
                u_threshold: d.u_threshold,
                l_threshold: d.l_threshold,
                active_conns: d.active_conns,
                inactive_conns: d.inact_conns,
                persistent_conns: d.persist_conns,
                tunnel,
                stats: &d.stats,
            })
            .unwrap_or(Value::Null)
        })
        .collect();
    if let Value::Object(m) = &mut v {
        m.insert("scheduler".into(), json!(s.scheduler));
        m.insert("sched_flags".into(), json!(s.sched_flag_names()));
        m.insert("persistence".into(), json!(persistence));
        m.insert("pe".into(), json!(s.pe));
        m.insert("one_packet".into(), json!(s.one_packet()));
        m.insert("flags".into(), json!(s.flags));
        m.insert("stats".into(), json!(s.stats));
        m.insert("destinations".into(), Value::Array(dests));
    }
    v
}

fn doc(key: &str, body: Value, info: Option<&Info>) -> String {
    let mut m = serde_json::Map::new();
    m.insert("schema".into(), json!(SCHEMA));
    if let Some(i) = info {
        m.insert("ipvs_version".into(), json!(i.version_string()));
        m.insert("conn_tab_size".into(), json!(i.conn_tab_size));
    }
    m.insert(key.into(), body);
    let mut s = serde_json::to_string_pretty(&Value::Object(m)).unwrap_or_default();
    s.push('\n');
    s
}

/// Services with their destinations.
pub fn services(entries: &[ServiceEntry], info: Option<&Info>) -> String {
    doc(
        "services",
        Value::Array(entries.iter().map(service_json).collect()),
        info,
    )
}

/// Connection timeouts.
pub fn timeouts(t: &Timeouts) -> String {
    doc("timeouts", json!(t), None)
}

/// Sync daemons.
pub fn daemons(d: &[Daemon]) -> String {
    doc("daemons", json!(d), None)
}

/// Connection entries.
pub fn connections(c: &[Connection]) -> String {
    doc("connections", json!(c), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_document_shape() {
        let mut s = Service::new(ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "10.96.0.1".parse().unwrap(),
            port: 443,
        });
        s.scheduler = "rr".into();
        let mut d = Dest::new("10.0.0.2".parse().unwrap(), 6443);
        d.forward = Forward::Tunnel;
        d.tun_type = TunnelType::Gue;
        d.tun_port = 6080;
        d.stats.conns = 5_000_000_000;
        let out = services(
            &[ServiceEntry {
                service: s,
                dests: vec![d],
            }],
            None,
        );
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["schema"], "rvsadm/1");
        let svc = &v["services"][0];
        assert_eq!(svc["protocol"], "tcp");
        assert_eq!(svc["port"], 443);
        assert_eq!(svc["persistence"], Value::Null);
        let dst = &svc["destinations"][0];
        assert_eq!(dst["forward"], "tunnel");
        assert_eq!(dst["tunnel"]["type"], "gue");
        assert_eq!(dst["stats"]["conns"], 5_000_000_000u64);
    }
}
