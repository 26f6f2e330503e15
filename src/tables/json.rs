//! `--json` output of `-S`/`-L` and rtables-save (schema `rtables/1`,
//! documented in docs/json-schema.md): tables, chains with policy and
//! counters, rules with their addresses, matches (name and options as
//! save prints them), target, counters and handle. A rule iptables syntax
//! cannot express carries `"unexpressible"` with what it is instead.

use serde_json::{json, Value};

use super::expr::Family;
use super::ext::PrintCtx;
use super::render::{net_save, TableView};
use super::restore::split_words;
use super::rule::{Rule, Target};

fn ext_json(name: &str, save: &str) -> Value {
    json!({ "name": name, "options": split_words(save) })
}

fn rule_json(r: &Rule, family: Family) -> Value {
    if let Some(p) = &r.problem {
        return json!({
            "handle": r.handle,
            "packets": r.counters.0,
            "bytes": r.counters.1,
            "unexpressible": p,
        });
    }
    let s = &r.spec;
    let net = |n: &Option<super::rule::Net>| {
        n.as_ref()
            .filter(|n| !n.is_any())
            .map(|n| Value::String(net_save(n, family)))
            .unwrap_or(Value::Null)
    };
    let pc = PrintCtx {
        family,
        numeric: true,
        proto: s.proto,
    };
    let matches: Vec<Value> = r
        .matches
        .iter()
        .map(|m| {
            let mut t = String::new();
            m.ext.save(&pc, &m.blob, &mut t);
            ext_json(m.ext.save_name(&m.blob), &t)
        })
        .collect();
    let target = match &r.target {
        Target::None => Value::Null,
        Target::Ext(t) => {
            let mut txt = String::new();
            t.ext.save(&pc, &t.blob, &mut txt);
            ext_json(t.ext.save_name(&t.blob), &txt)
        }
        t => json!({ "name": t.name(), "options": [] }),
    };
    json!({
        "handle": r.handle,
        "packets": r.counters.0,
        "bytes": r.counters.1,
        "source": net(&s.src),
        "source_inverted": s.src_inv,
        "destination": net(&s.dst),
        "destination_inverted": s.dst_inv,
        "in_interface": s.iniface,
        "in_interface_inverted": s.in_inv,
        "out_interface": s.outiface,
        "out_interface_inverted": s.out_inv,
        "protocol": if s.proto == 0 { Value::Null } else {
            Value::String(super::cli::proto_name(s.proto).unwrap_or_else(|| s.proto.to_string()))
        },
        "protocol_number": s.proto,
        "protocol_inverted": s.proto_inv,
        "fragment": match s.frag { None => Value::Null, Some(inv) => json!({ "inverted": inv }) },
        "matches": matches,
        "target": target,
        "goto": matches!(r.target, Target::Goto(_)),
    })
}

/// The JSON document for some tables (optionally one chain, optionally
/// one rule of it: `rulenum` counts from 1).
pub fn tables(views: &[TableView], chain: Option<&str>, rulenum: Option<u32>) -> String {
    let family = views.first().map(|v| v.family).unwrap_or(Family::V4);
    let tables: Vec<Value> = views
        .iter()
        .map(|t| {
            let chains: Vec<Value> = t
                .chains
                .iter()
                .filter(|c| chain.is_none_or(|n| n == c.name))
                .map(|c| {
                    json!({
                        "name": c.name,
                        "builtin": c.policy.is_some(),
                        "policy": c.policy,
                        "packets": c.counters.0,
                        "bytes": c.counters.1,
                        "references": if c.policy.is_some() { Value::Null } else { json!(c.refs) },
                        "rules": c
                            .rules
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| rulenum.is_none_or(|n| n as usize == i + 1))
                            .map(|(_, r)| rule_json(r, t.family))
                            .collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({ "name": t.name, "chains": chains })
        })
        .collect();
    let doc = json!({
        "schema": "rtables/1",
        "family": family.nft_name(),
        "tables": tables,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
