//! Output: the side-by-side table (comfy-table), unified-diff-style lines,
//! JSON (schema `rcompare/1`), and the cost report as a table or JSON.

use std::fmt::Write as _;

use comfy_table::{presets, Cell, Color, ContentArrangement, Table};
use serde::Serialize;

use super::cost::{self, Report};
use super::diff::{Comparison, Row, Status};
use super::model::{
    addr_port, percent, protocol_name, Family, Key, Picture, RuleCount, Service, Vip,
    SHARE_TOLERANCE,
};

/// The schema identifier of rcompare's JSON documents.
pub const SCHEMA: &str = "rcompare/1";

/// How to draw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Standard output is a terminal: fit the table to its width.
    pub terminal: bool,
}

fn new_table(style: Style) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL);
    if style.terminal {
        t.set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        t.force_no_tty();
        t.set_content_arrangement(ContentArrangement::Disabled);
    }
    if style.color {
        t.enforce_styling();
    }
    t
}

fn status_color(s: Status) -> Color {
    match s {
        Status::Same => Color::Green,
        Status::Differs => Color::Red,
        Status::OnlyIpvs | Status::OnlyIptables => Color::Yellow,
    }
}

fn service_cell(key: &Key, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{key}\n{n}"),
        None => key.to_string(),
    }
}

fn ipvs_cell(s: &Service) -> String {
    let mut out = s.scheduler.clone().unwrap_or_default();
    if let Some(p) = s.persistence {
        let _ = write!(out, ", persistent {p}s");
    }
    if s.backends.is_empty() {
        out.push_str("\n(no servers)");
    }
    for b in &s.backends {
        let _ = write!(
            out,
            "\n{}  w{}  {}",
            addr_port(&b.addr, b.port),
            b.weight.unwrap_or(0),
            percent(b.share)
        );
    }
    out
}

fn iptables_cell(s: &Service) -> String {
    let mut lines = Vec::new();
    if let Some(p) = s.persistence {
        lines.push(format!("affinity {p}s"));
    }
    for b in &s.backends {
        lines.push(format!(
            "{}  {}",
            addr_port(&b.addr, b.port),
            percent(b.share)
        ));
    }
    for l in &s.leaks {
        lines.push(format!("({})  {}", short(&l.what), percent(l.share)));
    }
    if s.backends.is_empty() && s.leaks.is_empty() {
        lines.push("(no backends)".into());
    }
    lines.join("\n")
}

/// The first words of a long description.
fn short(s: &str) -> String {
    if s.chars().count() > 40 {
        let t: String = s.chars().take(37).collect();
        format!("{t}...")
    } else {
        s.to_string()
    }
}

fn row_name<'a>(r: &Row<'a>) -> Option<&'a str> {
    r.iptables
        .and_then(|s| s.name.as_deref())
        .or_else(|| r.ipvs.and_then(|s| s.name.as_deref()))
}

fn status_text(r: &Row<'_>) -> String {
    let mut s = r.status.words().to_string();
    if !r.reasons.is_empty() {
        s.push_str(": ");
        s.push_str(
            &r.reasons
                .iter()
                .map(|x| x.name())
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    let notes = r.ipvs.map_or(0, |s| s.notes.len()) + r.iptables.map_or(0, |s| s.notes.len());
    if notes > 0 {
        let _ = write!(s, "\n{notes} note{}", if notes == 1 { "" } else { "s" });
    }
    s
}

/// One line per count: `N services: a same, b differ, ...`.
pub fn summary_line(c: &Comparison<'_>) -> String {
    let s = &c.summary;
    format!(
        "{} service{}: {} same, {} differ, {} only in IPVS, {} only in iptables",
        s.services,
        if s.services == 1 { "" } else { "s" },
        s.same,
        s.differs,
        s.only_ipvs,
        s.only_iptables
    )
}

/// Every note: the inputs', then each service's.
pub fn notes(c: &Comparison<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for p in [c.ipvs, c.iptables] {
        for n in &p.notes {
            out.push(format!("{} ({}): {n}", p.side.name(), p.origin));
        }
    }
    for r in &c.rows {
        for (side, s) in [("IPVS", r.ipvs), ("iptables", r.iptables)] {
            if let Some(s) = s {
                for n in &s.notes {
                    out.push(format!("{} ({side}): {n}", r.key));
                }
            }
        }
    }
    out
}

/// The side-by-side table, the summary line and the notes.
pub fn table(c: &Comparison<'_>, style: Style) -> String {
    let mut t = new_table(style);
    let head = |s: &str| {
        let c = Cell::new(s);
        if style.color {
            c.add_attribute(comfy_table::Attribute::Bold)
        } else {
            c
        }
    };
    t.set_header(vec![
        head("Service"),
        head(&format!("IPVS ({})", c.ipvs.origin)),
        head(&format!("iptables ({})", c.iptables.origin)),
        head("Status"),
    ]);
    for r in &c.rows {
        let mut status = Cell::new(status_text(r));
        if style.color {
            status = status.fg(status_color(r.status));
        }
        t.add_row(vec![
            Cell::new(service_cell(&r.key, row_name(r))),
            Cell::new(r.ipvs.map(ipvs_cell).unwrap_or_else(|| "-".into())),
            Cell::new(r.iptables.map(iptables_cell).unwrap_or_else(|| "-".into())),
            status,
        ]);
    }
    let mut out = if c.rows.is_empty() {
        String::from("no virtual services on either side\n")
    } else {
        let mut s = t.to_string();
        s.push('\n');
        s
    };
    out.push_str(&summary_line(c));
    out.push('\n');
    let n = notes(c);
    if !n.is_empty() {
        out.push_str("notes:\n");
        for l in n {
            let _ = writeln!(out, "  {l}");
        }
    }
    out
}

fn paint(s: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// Unified-diff-style lines for the services that are not the same:
/// `-` the IPVS side, `+` the iptables side, ` ` both.
pub fn diff(c: &Comparison<'_>, color: bool) -> String {
    let mut out = String::new();
    out.push_str(&paint(&format!("--- IPVS ({})", c.ipvs.origin), "1", color));
    out.push('\n');
    out.push_str(&paint(
        &format!("+++ iptables ({})", c.iptables.origin),
        "1",
        color,
    ));
    out.push('\n');
    for r in c.rows.iter().filter(|r| r.status != Status::Same) {
        let mut head = format!("@@ {}", r.key);
        if let Some(n) = row_name(r) {
            let _ = write!(head, " {n}");
        }
        let _ = write!(head, " @@ {}", r.status.words());
        if !r.reasons.is_empty() {
            let _ = write!(
                head,
                ": {}",
                r.reasons
                    .iter()
                    .map(|x| x.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        out.push_str(&paint(&head, "36", color));
        out.push('\n');
        let minus = |out: &mut String, s: String| {
            out.push_str(&paint(&format!("-{s}"), "31", color));
            out.push('\n');
        };
        let plus = |out: &mut String, s: String| {
            out.push_str(&paint(&format!("+{s}"), "32", color));
            out.push('\n');
        };
        let pa = r.ipvs.and_then(|s| s.persistence);
        let pb = r.iptables.and_then(|s| s.persistence);
        if pa != pb {
            let p = |x: Option<u32>| x.map_or("none".to_string(), |t| format!("{t}s"));
            if r.ipvs.is_some() {
                minus(&mut out, format!("persistence {}", p(pa)));
            }
            if r.iptables.is_some() {
                plus(&mut out, format!("persistence {}", p(pb)));
            }
        }
        let mut keys: Vec<(std::net::IpAddr, u16)> = Vec::new();
        for s in [r.ipvs, r.iptables].into_iter().flatten() {
            for b in s.active() {
                keys.push((b.addr, b.port));
            }
        }
        keys.sort();
        keys.dedup();
        let share = |s: Option<&Service>, k: &(std::net::IpAddr, u16)| {
            s.and_then(|s| {
                s.backends
                    .iter()
                    .find(|b| (b.addr, b.port) == *k && b.active())
                    .map(|b| b.share)
            })
        };
        for k in &keys {
            let a = share(r.ipvs, k);
            let b = share(r.iptables, k);
            let ap = addr_port(&k.0, k.1);
            match (a, b) {
                (Some(x), Some(y)) if (x - y).abs() <= SHARE_TOLERANCE + 1e-9 => {
                    let _ = writeln!(out, " {ap} {}", percent(x));
                }
                _ => {
                    if let Some(x) = a {
                        minus(&mut out, format!("{ap} {}", percent(x)));
                    }
                    if let Some(y) = b {
                        plus(&mut out, format!("{ap} {}", percent(y)));
                    }
                }
            }
        }
        if let Some(s) = r.iptables {
            for l in &s.leaks {
                plus(&mut out, format!("({}) {}", l.what, percent(l.share)));
            }
        }
        if keys.is_empty() && r.iptables.is_none_or(|s| s.leaks.is_empty()) {
            let _ = writeln!(out, " (no backends)");
        }
    }
    out
}

/// The identity fields every service object starts with.
#[derive(Serialize)]
struct KeyJson {
    protocol: Option<String>,
    vip: Option<String>,
    port: Option<u16>,
    fwmark: Option<u32>,
}

fn key_json(key: &Key) -> KeyJson {
    match key {
        Key::Addr {
            vip,
            port,
            protocol,
        } => KeyJson {
            protocol: Some(protocol_name(*protocol)),
            vip: Some(match vip {
                Vip::Addr(a) => a.to_string(),
                Vip::Local => "LOCAL".into(),
            }),
            port: Some(*port),
            fwmark: None,
        },
        Key::Fwmark { mark } => KeyJson {
            protocol: None,
            vip: None,
            port: None,
            fwmark: Some(*mark),
        },
    }
}

#[derive(Serialize)]
struct RulesJson {
    best: u32,
    expected: f64,
    worst: u32,
}

fn rules_json(r: Option<RuleCount>) -> Option<RulesJson> {
    r.map(|r| RulesJson {
        best: r.best,
        expected: round3(r.expected),
        worst: r.worst,
    })
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[derive(Serialize)]
struct IpvsBackendJson {
    address: String,
    port: u16,
    weight: Option<i32>,
    forward: Option<&'static str>,
    share: f64,
}

#[derive(Serialize)]
struct IpvsJson<'a> {
    scheduler: Option<&'a str>,
    persistence: Option<u32>,
    backends: Vec<IpvsBackendJson>,
    origin: Option<&'a str>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct IptablesBackendJson {
    address: String,
    port: u16,
    share: f64,
    rules: Option<RulesJson>,
}

#[derive(Serialize)]
struct LeakJson<'a> {
    what: &'a str,
    share: f64,
}

#[derive(Serialize)]
struct IptablesJson<'a> {
    name: Option<&'a str>,
    persistence: Option<u32>,
    backends: Vec<IptablesBackendJson>,
    leaks: Vec<LeakJson<'a>>,
    rules: Option<RulesJson>,
    notes: &'a [String],
}

fn ipvs_json(s: &Service) -> IpvsJson<'_> {
    IpvsJson {
        scheduler: s.scheduler.as_deref(),
        persistence: s.persistence,
        backends: s
            .backends
            .iter()
            .map(|b| IpvsBackendJson {
                address: b.addr.to_string(),
                port: b.port,
                weight: b.weight,
                forward: b.forward,
                share: round6(b.share),
            })
            .collect(),
        origin: s.origin.as_deref(),
        notes: &s.notes,
    }
}

fn iptables_json(s: &Service) -> IptablesJson<'_> {
    IptablesJson {
        name: s.name.as_deref(),
        persistence: s.persistence,
        backends: s
            .backends
            .iter()
            .map(|b| IptablesBackendJson {
                address: b.addr.to_string(),
                port: b.port,
                share: round6(b.share),
                rules: rules_json(b.rules),
            })
            .collect(),
        leaks: s
            .leaks
            .iter()
            .map(|l| LeakJson {
                what: &l.what,
                share: round6(l.share),
            })
            .collect(),
        rules: rules_json(s.rules),
        notes: &s.notes,
    }
}

fn family_name(f: Family) -> &'static str {
    match f {
        Family::V4 => "inet",
        Family::V6 => "inet6",
    }
}

#[derive(Serialize)]
struct SourceJson<'a> {
    source: &'a str,
    services: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    nat_rules: Option<usize>,
    notes: &'a [String],
}

fn source_json(p: &Picture) -> SourceJson<'_> {
    SourceJson {
        source: &p.origin,
        services: p.services.len(),
        nat_rules: p.nat_rules,
        notes: &p.notes,
    }
}

#[derive(Serialize)]
struct SourcesJson<'a> {
    ipvs: SourceJson<'a>,
    iptables: SourceJson<'a>,
}

#[derive(Serialize)]
struct RowJson<'a> {
    #[serde(flatten)]
    key: KeyJson,
    name: Option<&'a str>,
    status: &'static str,
    reasons: Vec<&'static str>,
    ipvs: Option<IpvsJson<'a>>,
    iptables: Option<IptablesJson<'a>>,
}

#[derive(Serialize)]
struct SummaryJson {
    services: usize,
    same: usize,
    differs: usize,
    only_ipvs: usize,
    only_iptables: usize,
    equivalent: bool,
}

#[derive(Serialize)]
struct CompareDoc<'a> {
    schema: &'static str,
    family: &'static str,
    sources: SourcesJson<'a>,
    services: Vec<RowJson<'a>>,
    summary: SummaryJson,
}

fn pretty<T: Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// The comparison as JSON (schema `rcompare/1`).
pub fn json(c: &Comparison<'_>) -> String {
    let s = &c.summary;
    pretty(&CompareDoc {
        schema: SCHEMA,
        family: family_name(c.ipvs.family),
        sources: SourcesJson {
            ipvs: source_json(c.ipvs),
            iptables: source_json(c.iptables),
        },
        services: c
            .rows
            .iter()
            .map(|r| RowJson {
                key: key_json(&r.key),
                name: row_name(r),
                status: r.status.name(),
                reasons: r.reasons.iter().map(|x| x.name()).collect(),
                ipvs: r.ipvs.map(ipvs_json),
                iptables: r.iptables.map(iptables_json),
            })
            .collect(),
        summary: SummaryJson {
            services: s.services,
            same: s.same,
            differs: s.differs,
            only_ipvs: s.only_ipvs,
            only_iptables: s.only_iptables,
            equivalent: s.equivalent(),
        },
    })
}

fn ipvs_cost_text(c: &cost::IpvsCost) -> String {
    let work = match cost::scheduler_work(&c.scheduler) {
        Some(cost::SchedulerWork::Linear) => "scans",
        _ => "picks from",
    };
    format!(
        "1 hash lookup + {} {work} {} server{} = {}",
        c.scheduler,
        c.destinations,
        if c.destinations == 1 { "" } else { "s" },
        c.total()
    )
}

/// The totals as sentences.
pub fn cost_totals(r: &Report) -> String {
    let t = &r.totals;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} service{}; {} rule{} in the nat chains reachable from PREROUTING and OUTPUT",
        t.services,
        if t.services == 1 { "" } else { "s" },
        t.nat_rules,
        if t.nat_rules == 1 { "" } else { "s" }
    );
    if t.iptables_services > 0 {
        let _ = writeln!(
            out,
            "iptables: a new connection's first packet is matched against {:.1} rules on average before its DNAT \
             (best backends {:.1}, worst backends {:.1}; fewest {}, most {}) over {} service{}",
            t.mean_expected,
            t.mean_best,
            t.mean_worst,
            t.min_best,
            t.max_worst,
            t.iptables_services,
            if t.iptables_services == 1 { "" } else { "s" }
        );
    } else {
        out.push_str("iptables: no services\n");
    }
    if t.ipvs_services > 0 {
        let _ = writeln!(
            out,
            "IPVS: 1 hash lookup plus the scheduler, {:.1} steps on average (most {}) over {} service{}",
            t.ipvs_mean_steps,
            t.ipvs_max_steps,
            t.ipvs_services,
            if t.ipvs_services == 1 { "" } else { "s" }
        );
    } else {
        out.push_str("IPVS: no services\n");
    }
    if t.iptables_services > 0 && t.ipvs_services > 0 && t.ipvs_mean_steps > 0.0 {
        let _ = writeln!(
            out,
            "per new connection: {:.1} iptables rule matches against {:.1} IPVS steps ({:.1}x)",
            t.mean_expected,
            t.ipvs_mean_steps,
            t.mean_expected / t.ipvs_mean_steps
        );
    }
    out
}

/// The cost report as a table and totals.
pub fn cost_table(r: &Report, style: Style) -> String {
    let mut t = new_table(style);
    t.set_header(vec![
        "Service",
        "iptables rules before DNAT\nbest / expected / worst",
        "IPVS work",
    ]);
    for s in &r.services {
        let ipt = match s.iptables {
            Some(c) => format!("{} / {:.1} / {}", c.best, c.expected, c.worst),
            None => "-".into(),
        };
        let ipvs = s
            .ipvs
            .as_ref()
            .map(ipvs_cost_text)
            .unwrap_or_else(|| "-".into());
        t.add_row(vec![
            Cell::new(service_cell(&s.key, s.name.as_deref())),
            Cell::new(ipt),
            Cell::new(ipvs),
        ]);
    }
    let mut out = if r.services.is_empty() {
        String::new()
    } else {
        let mut s = t.to_string();
        s.push('\n');
        s
    };
    out.push_str(&cost_totals(r));
    out
}

#[derive(Serialize)]
struct IpvsCostJson<'a> {
    scheduler: &'a str,
    destinations: usize,
    lookups: u32,
    scheduler_steps: u32,
    total: u32,
}

#[derive(Serialize)]
struct CostRowJson<'a> {
    #[serde(flatten)]
    key: KeyJson,
    name: Option<&'a str>,
    iptables: Option<RulesJson>,
    ipvs: Option<IpvsCostJson<'a>>,
}

#[derive(Serialize)]
struct CostTotalsJson {
    services: usize,
    nat_rules: usize,
    iptables_services: usize,
    iptables_mean_best: f64,
    iptables_mean_expected: f64,
    iptables_mean_worst: f64,
    iptables_min_best: u32,
    iptables_max_worst: u32,
    ipvs_services: usize,
    ipvs_mean_steps: f64,
    ipvs_max_steps: u32,
}

#[derive(Serialize)]
struct CostJson<'a> {
    services: Vec<CostRowJson<'a>>,
    totals: CostTotalsJson,
}

#[derive(Serialize)]
struct CostDoc<'a> {
    schema: &'static str,
    family: &'static str,
    cost: CostJson<'a>,
}

/// The cost report as JSON (schema `rcompare/1`, key `cost`).
pub fn cost_json(r: &Report, family: Family) -> String {
    let t = &r.totals;
    pretty(&CostDoc {
        schema: SCHEMA,
        family: family_name(family),
        cost: CostJson {
            services: r
                .services
                .iter()
                .map(|s| CostRowJson {
                    key: key_json(&s.key),
                    name: s.name.as_deref(),
                    iptables: rules_json(s.iptables),
                    ipvs: s.ipvs.as_ref().map(|c| IpvsCostJson {
                        scheduler: &c.scheduler,
                        destinations: c.destinations,
                        lookups: c.lookups,
                        scheduler_steps: c.scheduler_steps,
                        total: c.total(),
                    }),
                })
                .collect(),
            totals: CostTotalsJson {
                services: t.services,
                nat_rules: t.nat_rules,
                iptables_services: t.iptables_services,
                iptables_mean_best: round3(t.mean_best),
                iptables_mean_expected: round3(t.mean_expected),
                iptables_mean_worst: round3(t.mean_worst),
                iptables_min_best: t.min_best,
                iptables_max_worst: t.max_worst,
                ipvs_services: t.ipvs_services,
                ipvs_mean_steps: round3(t.ipvs_mean_steps),
                ipvs_max_steps: t.ipvs_max_steps,
            },
        },
    })
}
