//! The iptables side: the nat (and mangle) table from iptables-save /
//! rtables-save text, from rtables' JSON (schema `rtables/1`) or from the
//! live kernel, normalized rule by rule ([`rules`]) and then walked
//! ([`walk`]) to find every DNAT a new connection can reach from nat
//! PREROUTING/OUTPUT, with its share and the rules matched on the way.

pub mod rules;
pub mod walk;

use std::collections::HashMap;

use serde_json::Value;

use super::error::{Error, Result};
use super::model::Family;
use crate::tables::builtin;
use crate::tables::cli;
use crate::tables::restore::split_words;
use rules::{Action, NRule, Pending};

/// One chain.
#[derive(Clone, Debug)]
pub struct Chain {
    /// Name.
    pub name: String,
    /// A built-in chain (its end applies the policy; the others return).
    pub base: bool,
    /// Policy DROP.
    pub policy_drop: bool,
    /// Rules in order.
    pub rules: Vec<NRule>,
}

/// One table with its chains; jumps hold chain indexes.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Name.
    pub name: String,
    /// Chains.
    pub chains: Vec<Chain>,
    /// Chain index by name.
    pub index: HashMap<String, usize>,
}

impl Table {
    /// A chain's index.
    pub fn chain(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }
    /// Number of rules.
    pub fn rule_count(&self) -> usize {
        self.chains.iter().map(|c| c.rules.len()).sum()
    }
}

/// What the walk needs: the nat table and the mangle table (marks).
#[derive(Clone, Debug)]
pub struct Ruleset {
    /// Family.
    pub family: Family,
    /// `live` or the input's name.
    pub origin: String,
    /// The nat table, if present.
    pub nat: Option<Table>,
    /// The mangle table, if present.
    pub mangle: Option<Table>,
    /// Notes on the input.
    pub notes: Vec<String>,
}

/// Builds one table: chains declared, rules appended, jumps resolved at
/// the end.
struct Builder {
    name: String,
    chains: Vec<(Chain, Vec<Pending>)>,
    index: HashMap<String, usize>,
}

impl Builder {
    fn new(name: &str) -> Self {
        let mut b = Builder {
            name: name.to_string(),
            chains: Vec::new(),
            index: HashMap::new(),
        };
        if let Some(def) = builtin::table(name) {
            for c in def.chains {
                b.declare(c.name, true, false);
            }
        }
        b
    }
    fn declare(&mut self, chain: &str, base: bool, drop: bool) -> usize {
        if let Some(&i) = self.index.get(chain) {
            self.chains[i].0.policy_drop = drop;
            return i;
        }
        let i = self.chains.len();
        self.chains.push((
            Chain {
                name: chain.to_string(),
                base,
                policy_drop: drop,
                rules: Vec::new(),
            },
            Vec::new(),
        ));
        self.index.insert(chain.to_string(), i);
        i
    }
    /// Resolves jump targets; `missing(chain, position, line, target)`
    /// makes the error for a jump to a chain that does not exist.
    fn finish(self, missing: impl Fn(&Chain, usize, Option<u32>, &str) -> Error) -> Result<Table> {
        let index = self.index;
        let mut chains = Vec::with_capacity(self.chains.len());
        for (mut chain, pending) in self.chains {
            chain.rules.reserve(pending.len());
            for (i, p) in pending.into_iter().enumerate() {
                let mut r = p.rule;
                if let Some(t) = &p.target_chain {
                    let Some(&to) = index.get(t) else {
                        return Err(missing(&chain, i, r.line, t));
                    };
                    r.action = match r.action {
                        Action::Goto(_) => Action::Goto(to),
                        _ => Action::Jump(to),
                    };
                }
                chain.rules.push(r);
            }
            chains.push(chain);
        }
        Ok(Table {
            name: self.name,
            chains,
            index,
        })
    }
}

/// The tables rcompare reads.
fn wanted(table: &str) -> bool {
    table == "nat" || table == "mangle"
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("").trim_end()
}

fn excerpt(line: &str) -> String {
    let t = line.trim();
    if t.chars().count() > 100 {
        let s: String = t.chars().take(100).collect();
        format!("{s}...")
    } else {
        t.to_string()
    }
}

/// Reads iptables-save / rtables-save text.
pub fn from_save_text(text: &str, origin: &str, family: Family) -> Result<Ruleset> {
    let mut set = Ruleset {
        family,
        origin: origin.to_string(),
        nat: None,
        mangle: None,
        notes: Vec::new(),
    };
    let mut cur: Option<Builder> = None;
    let mut skipping: Option<String> = None;
    let mut last = 0;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        last = n;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let open = cur.is_some() || skipping.is_some();
        if let Some(name) = line.strip_prefix('*') {
            if open {
                return Err(Error::line(
                    origin,
                    n,
                    "a table starts before the previous one's COMMIT (is the file truncated?)",
                ));
            }
            let name = name.trim();
            if builtin::table(name).is_none() {
                return Err(Error::line(origin, n, format!("unknown table `{name}'")));
            }
            if wanted(name) {
                cur = Some(Builder::new(name));
            } else {
                skipping = Some(name.to_string());
            }
            continue;
        }
        if !open {
            return Err(Error::line(
                origin,
                n,
                format!(
                    "`{}' outside a table (an iptables-save file starts tables with *TABLE)",
                    excerpt(line)
                ),
            ));
        }
        if line == "COMMIT" {
            if let Some(b) = cur.take() {
                let table = b.finish(|c, _, line, what| {
                    Error::line(
                        origin,
                        line.unwrap_or(0) as usize,
                        format!(
                            "chain {} jumps to chain `{what}', which the file does not declare",
                            c.name
                        ),
                    )
                })?;
                match table.name.as_str() {
                    "nat" => set.nat = Some(table),
                    _ => set.mangle = Some(table),
                }
            }
            skipping = None;
            continue;
        }
        let Some(b) = cur.as_mut() else {
            continue;
        };
        if let Some(decl) = line.strip_prefix(':') {
            let mut it = decl.split_whitespace();
            let chain = it.next().unwrap_or("");
            let policy = it.next().unwrap_or("-");
            if chain.is_empty() {
                return Err(Error::line(origin, n, "chain declaration without a name"));
            }
            let base = policy != "-";
            if base && policy != "ACCEPT" && policy != "DROP" {
                return Err(Error::line(origin, n, format!("bad policy `{policy}'")));
            }
            b.declare(chain, base, policy == "DROP");
            continue;
        }
        rule_line(b, line, n, origin, family)?;
    }
    if cur.is_some() || skipping.is_some() {
        return Err(Error::line(
            origin,
            last + 1,
            "COMMIT expected (is the file truncated?)",
        ));
    }
    if set.nat.is_none() {
        set.notes
            .push("the input has no nat table: no iptables services".into());
    }
    Ok(set)
}

fn rule_line(b: &mut Builder, line: &str, n: usize, origin: &str, family: Family) -> Result<()> {
    let mut words = split_words(line);
    if words
        .first()
        .is_some_and(|w| w.starts_with('[') && w.ends_with(']'))
    {
        words.remove(0);
    }
    match words.first().map(String::as_str) {
        Some("-A" | "--append") => {}
        Some(w) => {
            return Err(Error::line(
                origin,
                n,
                format!("only -A rule lines are understood in a save file, not `{w}'"),
            ))
        }
        None => return Ok(()),
    }
    let extra = strip_ipsets(&mut words);
    let mut args = Vec::with_capacity(words.len() + 2);
    args.push("-t".to_string());
    args.push(b.name.clone());
    args.extend(words);
    let inv = cli::parse(&args, family).map_err(|e| {
        Error::line(
            origin,
            n,
            format!("{} (in `{}')", first_line(&e.msg), excerpt(line)),
        )
    })?;
    let chain = inv.chain.clone().unwrap_or_default();
    let Some(&ci) = b.index.get(&chain) else {
        return Err(Error::line(
            origin,
            n,
            format!("rule for chain `{chain}', which is not declared above"),
        ));
    };
    for r in inv.rules() {
        let mut p = rules::normalize(&r, family, Some(n as u32));
        p.rule.conds.extend(extra.iter().cloned());
        b.chains[ci].1.push(p);
    }
    Ok(())
}

/// Whether a word starts the next match, the target or the counters.
fn next_part(w: &str) -> bool {
    matches!(
        w,
        "-m" | "--match" | "-j" | "--jump" | "-g" | "--goto" | "-c" | "--set-counters"
    )
}

/// Takes `-m set ...` matches and a `-j SET ...` target out of a rule's
/// words: their blobs name ipsets by kernel index, which a file cannot
/// resolve. A set match becomes a condition rcompare does not interpret;
/// the SET target only adds to sets and does not matter here.
fn strip_ipsets(words: &mut Vec<String>) -> Vec<rules::Cond> {
    let mut extra = Vec::new();
    let mut i = 0;
    while i + 1 < words.len() {
        let kind = words[i].as_str();
        let is_match = (kind == "-m" || kind == "--match") && words[i + 1] == "set";
        let is_target = (kind == "-j" || kind == "--jump") && words[i + 1] == "SET";
        if !is_match && !is_target {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        while j < words.len() && !next_part(&words[j]) {
            j += 1;
        }
        let taken: Vec<String> = words.drain(i..j).collect();
        if is_match {
            extra.push(rules::Cond::Unknown(taken.join(" ")));
        }
    }
    extra
}

/// A JSON syntax error at its line and column.
pub(crate) fn json_syntax(origin: &str, e: &serde_json::Error) -> Error {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    Error::json(
        origin,
        format!("line {} column {}", e.line(), e.column()),
        text.strip_suffix(&suffix).unwrap_or(&text),
    )
}

fn json_str<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name).and_then(Value::as_str)
}

/// The command-line words of a rule in rtables' JSON.
fn json_rule_args(r: &Value, table: &str, chain: &str) -> std::result::Result<Vec<String>, String> {
    let mut a = vec![
        "-t".to_string(),
        table.to_string(),
        "-A".to_string(),
        chain.to_string(),
    ];
    let flag = |v: &Value, name: &str| v.get(name).and_then(Value::as_bool).unwrap_or(false);
    let opt = |a: &mut Vec<String>, field: &str, inv: &str, o: &str| {
        if let Some(s) = json_str(r, field) {
            if flag(r, inv) {
                a.push("!".into());
            }
            a.push(o.into());
            a.push(s.into());
        }
    };
    opt(&mut a, "source", "source_inverted", "-s");
    opt(&mut a, "destination", "destination_inverted", "-d");
    opt(&mut a, "in_interface", "in_interface_inverted", "-i");
    opt(&mut a, "out_interface", "out_interface_inverted", "-o");
    opt(&mut a, "protocol", "protocol_inverted", "-p");
    if let Some(f) = r.get("fragment").filter(|f| !f.is_null()) {
        if flag(f, "inverted") {
            a.push("!".into());
        }
        a.push("-f".into());
    }
    if let Some(ms) = r.get("matches").and_then(Value::as_array) {
        for m in ms {
            let name = json_str(m, "name").ok_or("a match without a name")?;
            a.push("-m".into());
            a.push(name.into());
            for o in m
                .get("options")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                a.push(o.as_str().ok_or("a non-string match option")?.into());
            }
        }
    }
    if let Some(t) = r.get("target").filter(|t| !t.is_null()) {
        let name = json_str(t, "name").ok_or("a target without a name")?;
        a.push(if flag(r, "goto") { "-g" } else { "-j" }.into());
        a.push(name.into());
        for o in t
            .get("options")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            a.push(o.as_str().ok_or("a non-string target option")?.into());
        }
    }
    Ok(a)
}

/// Reads rtables' JSON (`rtables-save --json`, schema `rtables/1`).
pub fn from_json(text: &str, origin: &str, family: Family) -> Result<Ruleset> {
    let doc: Value = serde_json::from_str(text).map_err(|e| json_syntax(origin, &e))?;
    if let Some(s) = doc.get("schema") {
        if s != "rtables/1" {
            return Err(Error::json(
                origin,
                "schema",
                format!("expected \"rtables/1\", found {s}"),
            ));
        }
    }
    if let Some(f) = json_str(&doc, "family") {
        if f != family.nft_name() {
            return Err(Error::json(
                origin,
                "family",
                format!(
                    "the document holds `{f}' rules; compare it {}",
                    if f == "ip6" { "with -6" } else { "without -6" }
                ),
            ));
        }
    }
    let tables = doc.get("tables").and_then(Value::as_array).ok_or_else(|| {
        Error::json(
            origin,
            "tables",
            "missing (not an rtables --json document?)",
        )
    })?;
    let mut set = Ruleset {
        family,
        origin: origin.to_string(),
        nat: None,
        mangle: None,
        notes: Vec::new(),
    };
    for (ti, t) in tables.iter().enumerate() {
        let tname = json_str(t, "name")
            .ok_or_else(|| Error::json(origin, format!("tables[{ti}]"), "missing \"name\""))?;
        if !wanted(tname) {
            continue;
        }
        let mut b = Builder::new(tname);
        let chains = t
            .get("chains")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::json(origin, format!("tables[{ti}]"), "missing \"chains\""))?;
        for (ci, c) in chains.iter().enumerate() {
            let cname = json_str(c, "name").ok_or_else(|| {
                Error::json(
                    origin,
                    format!("tables[{ti}].chains[{ci}]"),
                    "missing \"name\"",
                )
            })?;
            let policy = json_str(c, "policy");
            b.declare(cname, policy.is_some(), policy == Some("DROP"));
        }
        for (ci, c) in chains.iter().enumerate() {
            let cname = json_str(c, "name").unwrap_or("");
            let idx = b.index.get(cname).copied().unwrap_or(0);
            for (ri, r) in c
                .get("rules")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let at = format!("tables[{ti}].chains[{ci}].rules[{ri}]");
                if let Some(p) = json_str(r, "unexpressible") {
                    let rule = crate::tables::rule::Rule {
                        problem: Some(p.to_string()),
                        ..Default::default()
                    };
                    b.chains[idx].1.push(rules::normalize(&rule, family, None));
                    continue;
                }
                let mut args =
                    json_rule_args(r, tname, cname).map_err(|m| Error::json(origin, &at, m))?;
                let extra = strip_ipsets(&mut args);
                let inv = cli::parse(&args, family)
                    .map_err(|e| Error::json(origin, &at, first_line(&e.msg)))?;
                for rule in inv.rules() {
                    let mut p = rules::normalize(&rule, family, None);
                    p.rule.conds.extend(extra.iter().cloned());
                    b.chains[idx].1.push(p);
                }
            }
        }
        let table = b.finish(|c, i, _, what| {
            Error::json(
                origin,
                format!("chain {} rule {}", c.name, i + 1),
                format!("jump to chain `{what}', which the document does not have"),
            )
        })?;
        match tname {
            "nat" => set.nat = Some(table),
            _ => set.mangle = Some(table),
        }
    }
    if set.nat.is_none() {
        set.notes
            .push("the input has no nat table: no iptables services".into());
    }
    Ok(set)
}

/// Reads the live nat and mangle tables (this network namespace).
pub fn live(family: Family) -> Result<Ruleset> {
    use crate::tables::engine::Engine;
    let fail = |e: crate::tables::error::XtError| Error::Live {
        what: "nf_tables",
        message: first_line(&e.msg).trim().to_string(),
    };
    let mut eng = Engine::open(family).map_err(fail)?;
    let mut views = Vec::new();
    eng.transact(|tx| {
        views.clear();
        for t in ["mangle", "nat"] {
            if tx.table_exists(t)? {
                views.push(tx.view(t)?);
            }
        }
        Ok(())
    })
    .map_err(fail)?;
    let mut set = Ruleset {
        family,
        origin: "live".into(),
        nat: None,
        mangle: None,
        notes: Vec::new(),
    };
    for v in views {
        let mut b = Builder::new(&v.name);
        for c in &v.chains {
            b.declare(&c.name, c.policy.is_some(), c.policy == Some("DROP"));
        }
        for c in &v.chains {
            let idx = b.index.get(&c.name).copied().unwrap_or(0);
            for r in &c.rules {
                b.chains[idx].1.push(rules::normalize(r, family, None));
            }
        }
        let table = b.finish(|c, i, _, _| Error::Live {
            what: "nf_tables",
            message: format!(
                "chain {} rule {} jumps to a chain that does not exist",
                c.name,
                i + 1
            ),
        })?;
        match v.name.as_str() {
            "nat" => set.nat = Some(table),
            _ => set.mangle = Some(table),
        }
    }
    if set.nat.is_none() {
        set.notes
            .push("the kernel has no nat table: no iptables services".into());
    }
    Ok(set)
}

/// Reads a file's text: JSON when it starts with `{`, save text otherwise.
pub fn from_text(text: &str, origin: &str, family: Family) -> Result<Ruleset> {
    if text.trim_start().starts_with('{') {
        from_json(text, origin, family)
    } else {
        from_save_text(text, origin, family)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:S - [0:0]\n\
        -A PREROUTING -d 10.0.0.1/32 -p tcp -m tcp --dport 80 -j S\n\
        -A S -p tcp -j DNAT --to-destination 10.1.0.1:8080\nCOMMIT\n";

    #[test]
    fn save_text_loads_and_resolves_jumps() {
        let s = from_save_text(SMALL, "f", Family::V4).unwrap();
        let nat = s.nat.unwrap();
        let pre = nat.chain("PREROUTING").unwrap();
        let target = nat.chain("S").unwrap();
        assert_eq!(nat.chains[pre].rules[0].action, Action::Jump(target));
        assert_eq!(nat.chains[pre].rules[0].line, Some(5));
    }

    #[test]
    fn truncated_and_bad_files_name_the_line() {
        let cut = &SMALL[..SMALL.len() - 7];
        let e = from_save_text(cut, "f", Family::V4)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "f: line 7: COMMIT expected (is the file truncated?)");
        let bad = SMALL.replace("--dport 80", "--dport eighty-ish");
        let e = from_save_text(&bad, "f", Family::V4)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("f: line 5: "), "{e}");
        let undeclared = SMALL.replace(":S - [0:0]\n", "");
        let e = from_save_text(&undeclared, "f", Family::V4)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("f: line 5: rule for chain `S'"), "{e}");
        let nojump = SMALL.replace("-j S\n", "-j T\n");
        let e = from_save_text(&nojump, "f", Family::V4)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 5") && e.contains("`T'"), "{e}");
    }

    #[test]
    fn json_rules_load_like_text() {
        let j = r#"{"schema":"rtables/1","family":"ip","tables":[{"name":"nat","chains":[
          {"name":"PREROUTING","builtin":true,"policy":"ACCEPT","rules":[
            {"destination":"10.0.0.1/32","protocol":"tcp","matches":[{"name":"tcp","options":["--dport","80"]}],
             "target":{"name":"S","options":[]},"goto":false}]},
          {"name":"S","builtin":false,"policy":null,"rules":[
            {"protocol":"tcp","matches":[],"target":{"name":"DNAT","options":["--to-destination","10.1.0.1:8080"]}}]}]}]}"#;
        let a = from_json(j, "j", Family::V4).unwrap().nat.unwrap();
        let b = from_save_text(SMALL, "f", Family::V4).unwrap().nat.unwrap();
        for name in ["PREROUTING", "S"] {
            let ra = &a.chains[a.chain(name).unwrap()].rules;
            let rb = &b.chains[b.chain(name).unwrap()].rules;
            assert_eq!(ra.len(), rb.len());
            for (x, y) in ra.iter().zip(rb) {
                assert_eq!(x.conds, y.conds);
                assert_eq!(x.action, y.action);
            }
        }
        let e = from_json(&j.replace("\"ip\"", "\"ip6\""), "j", Family::V4)
            .unwrap_err()
            .to_string();
        assert!(e.contains("with -6"), "{e}");
    }
}
