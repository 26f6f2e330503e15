//! Walks the nat table the way the first packet of a new connection does.
//!
//! Candidate services come from the rules themselves: every single-address
//! `-d` (with its `-p` and `--dport`), every `-p P --dport N` without `-d`
//! (a NodePort: any of the node's addresses, or each `--node-ip`), and
//! every `-m mark --mark M` (a fwmark service). For each candidate one
//! packet starts at nat PREROUTING (nat OUTPUT if PREROUTING does not
//! handle it) with a mass of 1. Rules are evaluated in order, jumps and
//! gotos followed; a `-m statistic` rule splits the mass (probability p
//! matches, 1 - p goes on), so a cascade p1, p2, ... gives the shares
//! p1, (1 - p1) p2, .... Every rule a packet is matched against counts
//! toward the cost of the DNAT it ends in.
//!
//! Conditions on the client (`-s`, `--sport`, `-i`, `--src-type`) are
//! evaluated for a remote client the rules do not name: the positive form
//! does not match, the negated form does. Conditions rcompare does not
//! interpret do not match. Both are reported as notes on the service when
//! the rule could change where a connection goes.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::IpAddr;

use super::rules::{Action, Cond, NRule};
use super::{Ruleset, Table};
use crate::compare::model::{
    percent, protocol_name, Backend, Key, Leak, Picture, RuleCount, Service, Side, Vip,
};

/// At most this many nested jumps.
const MAX_DEPTH: u32 = 64;
/// At most this many notes per service.
const MAX_NOTES: usize = 8;
/// Parallel paths kept per walk before giving up on the service.
const MAX_FLOWS: usize = 4096;

/// Walk options.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The node's own addresses: NodePorts (`--dst-type LOCAL`) are
    /// compared as services on each of them.
    pub node_ips: Vec<IpAddr>,
}

/// The destination a walk is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dst {
    Ip(IpAddr),
    Local,
    Any,
}

/// The packet class of one walk.
#[derive(Clone, Copy, Debug)]
struct Class {
    proto: u8,
    dst: Dst,
    dport: Option<u16>,
}

/// The packet mark: its value and which bits are known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Mark {
    value: u32,
    known: u32,
}

/// One share of the packets, on its way through the rules.
#[derive(Clone, Debug)]
struct Flow<'r> {
    mark: Mark,
    mass: f64,
    count: u32,
    affinity: Option<u32>,
    name: Option<&'r str>,
}

/// How a path ends.
#[derive(Clone, Debug, PartialEq)]
enum End {
    Dnat(IpAddr, u16),
    NoDnat,
    Drop,
    Opaque(String),
}

#[derive(Clone, Debug)]
struct Outcome<'r> {
    end: End,
    flow: Flow<'r>,
}

/// A condition's verdict for a class.
enum Ev {
    Yes,
    No,
    Frac(f64),
    /// Undecidable: assumed true/false, with the reason.
    Assume(bool, String),
}

/// Static facts about a table.
struct Facts {
    /// Per chain: can a rule in it (or below it) change where a new
    /// connection goes?
    relevant_chain: Vec<bool>,
    /// Mark bits some reachable rule tests.
    tested: u32,
    /// Chains reachable from PREROUTING/OUTPUT.
    reachable: Vec<bool>,
    /// Per chain: which rules a packet to a given address can match.
    index: Vec<ChainIndex>,
}

/// The rules of a chain split by their single destination address: a
/// packet to address A can only match the rules without one and the rules
/// for A; the others are passed over (and counted) without evaluation.
#[derive(Default)]
struct ChainIndex {
    /// Positions of rules without a single-address `-d`.
    generic: Vec<u32>,
    /// Positions of the rules for each address.
    by_dst: HashMap<IpAddr, Vec<u32>>,
}

fn single_dst(r: &NRule) -> Option<IpAddr> {
    r.conds.iter().find_map(|c| match c {
        Cond::Dst {
            addr,
            mask,
            inv: false,
        } if full_mask(mask) => bytes_ip(addr),
        _ => None,
    })
}

fn chain_index(ch: &super::Chain) -> ChainIndex {
    let mut ix = ChainIndex::default();
    for (i, r) in ch.rules.iter().enumerate() {
        match single_dst(r) {
            Some(a) => ix.by_dst.entry(a).or_default().push(i as u32),
            None => ix.generic.push(i as u32),
        }
    }
    ix
}

/// Two ascending position lists, merged.
struct Merged<'a> {
    a: &'a [u32],
    b: &'a [u32],
}

impl Iterator for Merged<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        match (self.a.split_first(), self.b.split_first()) {
            (Some((x, ra)), Some((y, _))) if x <= y => {
                self.a = ra;
                Some(*x)
            }
            (_, Some((y, rb))) => {
                self.b = rb;
                Some(*y)
            }
            (Some((x, ra)), None) => {
                self.a = ra;
                Some(*x)
            }
            (None, None) => None,
        }
    }
}

fn facts(t: &Table) -> Facts {
    let n = t.chains.len();
    let mut reachable = vec![false; n];
    let mut stack: Vec<usize> = ["PREROUTING", "OUTPUT"]
        .iter()
        .filter_map(|c| t.chain(c))
        .collect();
    while let Some(c) = stack.pop() {
        if std::mem::replace(&mut reachable[c], true) {
            continue;
        }
        for r in &t.chains[c].rules {
            if let Action::Jump(to) | Action::Goto(to) = r.action {
                if !reachable[to] {
                    stack.push(to);
                }
            }
        }
    }
    let mut tested = 0u32;
    for (c, ch) in t.chains.iter().enumerate() {
        if !reachable[c] {
            continue;
        }
        for r in &ch.rules {
            for cond in &r.conds {
                if let Cond::Mark { mask, .. } = cond {
                    tested |= mask;
                }
            }
        }
    }
    let mut relevant = vec![false; n];
    let mut callers: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut work = Vec::new();
    for (c, ch) in t.chains.iter().enumerate() {
        for r in &ch.rules {
            match r.action {
                Action::Jump(to) => callers[to].push(c),
                Action::Goto(to) => {
                    callers[to].push(c);
                    relevant[c] = true;
                }
                _ => {}
            }
            if intrinsic(&r.action, tested) {
                relevant[c] = true;
            }
        }
        if relevant[c] {
            work.push(c);
        }
    }
    while let Some(c) = work.pop() {
        for &caller in &callers[c] {
            if !relevant[caller] {
                relevant[caller] = true;
                work.push(caller);
            }
        }
    }
    Facts {
        relevant_chain: relevant,
        tested,
        index: t.chains.iter().map(chain_index).collect(),
        reachable,
    }
}

fn intrinsic(a: &Action, tested: u32) -> bool {
    match a {
        Action::Dnat { .. } | Action::Accept | Action::Drop | Action::Opaque(_) => true,
        Action::Mark { mask, .. } => mask & tested != 0,
        Action::MarkUnknown(_) => tested != 0,
        _ => false,
    }
}

struct Walker<'r> {
    table: &'r Table,
    facts: &'r Facts,
    class: Class,
    node_ips: &'r [IpAddr],
    out: Vec<Outcome<'r>>,
    notes: Vec<String>,
    seen_notes: HashSet<(usize, usize)>,
    too_many: bool,
}

fn place(t: &Table, c: usize, i: usize, r: &NRule) -> String {
    match r.line {
        Some(l) => format!("line {l}"),
        None => format!("chain {} rule {}", t.chains[c].name, i + 1),
    }
}

fn in_net(a: &IpAddr, addr: &[u8], mask: &[u8]) -> bool {
    let check = |b: &[u8]| {
        b.len() == addr.len() && b.iter().zip(mask).zip(addr).all(|((x, m), y)| x & m == *y)
    };
    match a {
        IpAddr::V4(x) => check(&x.octets()),
        IpAddr::V6(x) => check(&x.octets()),
    }
}

fn full_mask(mask: &[u8]) -> bool {
    mask.iter().all(|&b| b == 0xff)
}

fn net_text(addr: &[u8], mask: &[u8]) -> String {
    let ip = bytes_ip(addr).map(|a| a.to_string()).unwrap_or_default();
    let prefix: u32 = mask.iter().map(|b| b.count_ones()).sum();
    format!("{ip}/{prefix}")
}

fn bytes_ip(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => <[u8; 4]>::try_from(b).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(b).ok().map(IpAddr::from),
        _ => None,
    }
}

fn bang(inv: bool) -> &'static str {
    if inv {
        "! "
    } else {
        ""
    }
}

fn assumed(holds: bool) -> &'static str {
    if holds {
        "assumed to match"
    } else {
        "assumed not to match"
    }
}

impl<'r> Walker<'r> {
    fn cond(&self, c: &Cond, mark: Mark) -> Ev {
        let yes = |b: bool| if b { Ev::Yes } else { Ev::No };
        match c {
            Cond::Proto { proto, inv } => {
                if self.class.proto == 0 {
                    Ev::Assume(
                        *inv,
                        format!(
                            "`{}-p {}' holds for only some packets of the service; {}",
                            bang(*inv),
                            protocol_name(*proto),
                            assumed(*inv)
                        ),
                    )
                } else {
                    yes((self.class.proto == *proto) != *inv)
                }
            }
            Cond::Dst { addr, mask, inv } => match self.class.dst {
                Dst::Ip(a) => yes(in_net(&a, addr, mask) != *inv),
                Dst::Local | Dst::Any if full_mask(mask) => yes(*inv),
                _ => Ev::Assume(
                    *inv,
                    format!(
                        "`{}-d {}' holds for only some of the service's addresses; {}",
                        bang(*inv),
                        net_text(addr, mask),
                        assumed(*inv)
                    ),
                ),
            },
            Cond::Dport { ranges, inv } => match self.class.dport {
                Some(p) => yes(ranges.iter().any(|&(lo, hi)| lo <= p && p <= hi) != *inv),
                None if self.class.dst == Dst::Any => yes(*inv),
                None => Ev::Assume(
                    *inv,
                    format!(
                        "`{}--dport' holds for only some of the service's ports; {}",
                        bang(*inv),
                        assumed(*inv)
                    ),
                ),
            },
            Cond::Mark { value, mask, inv } => {
                if mark.known & mask == *mask {
                    yes((mark.value & mask == *value) != *inv)
                } else {
                    Ev::Assume(
                        *inv,
                        format!(
                            "`{}--mark {value:#x}/{mask:#x}' tests a mark rcompare cannot know here; {}",
                            bang(*inv),
                            assumed(*inv)
                        ),
                    )
                }
            }
            Cond::DstLocal { inv } => match self.class.dst {
                Dst::Ip(a) => yes(self.node_ips.contains(&a) != *inv),
                Dst::Local => yes(!*inv),
                Dst::Any => Ev::Assume(
                    *inv,
                    format!(
                        "`{}--dst-type LOCAL' cannot be decided for a fwmark service; {}",
                        bang(*inv),
                        assumed(*inv)
                    ),
                ),
            },
            Cond::Client { desc, inv } => Ev::Assume(
                *inv,
                format!(
                    "`{desc}' depends on the client; {} for a remote client",
                    assumed(*inv)
                ),
            ),
            Cond::Random(f) => {
                if *f <= 0.0 {
                    Ev::No
                } else if *f >= 1.0 {
                    Ev::Yes
                } else {
                    Ev::Frac(*f)
                }
            }
            Cond::Const(b) => yes(*b),
            Cond::Affinity { .. } => Ev::No,
            Cond::Unknown(d) => Ev::Assume(
                false,
                format!("`{d}' is not interpreted by rcompare; assumed not to match"),
            ),
        }
    }

    /// The probability that the rule matches, and the affinity timeout it
    /// records. Notes an assumption on a relevant rule.
    fn eval(&mut self, c: usize, i: usize, r: &NRule, mark: Mark) -> (f64, Option<u32>) {
        let mut p = 1.0;
        let mut affinity = None;
        let mut assumption: Option<String> = None;
        let mut no_by_assumption = false;
        for cond in &r.conds {
            match self.cond(cond, mark) {
                Ev::Yes => {}
                Ev::No => {
                    if let Cond::Affinity { seconds } = cond {
                        affinity = Some(*seconds);
                        continue;
                    }
                    return (0.0, None);
                }
                Ev::Frac(f) => p *= f,
                Ev::Assume(holds, why) => {
                    if assumption.is_none() {
                        assumption = Some(why);
                    }
                    if !holds {
                        no_by_assumption = true;
                    }
                }
            }
        }
        if affinity.is_some() {
            p = 0.0;
        }
        if let Some(why) = assumption {
            if self.rule_relevant(c, r) && self.seen_notes.insert((c, i)) {
                self.notes
                    .push(format!("{}: {why}", place(self.table, c, i, r)));
            }
        }
        if no_by_assumption {
            p = 0.0;
        }
        (p, affinity)
    }

    fn rule_relevant(&self, c: usize, r: &NRule) -> bool {
        match r.action {
            Action::Jump(to) => self.facts.relevant_chain[to],
            Action::Goto(_) => true,
            Action::Return => self.facts.relevant_chain[c],
            ref a => intrinsic(a, self.facts.tested),
        }
    }

    fn end(&mut self, end: End, flow: Flow<'r>) {
        if flow.mass > 0.0 {
            self.out.push(Outcome { end, flow });
        }
    }

    fn policy(&mut self, c: usize, flow: Flow<'r>) {
        let end = if self.table.chains[c].policy_drop {
            End::Drop
        } else {
            End::NoDnat
        };
        self.end(end, flow);
    }

    /// Runs `flows` through chain `c`; returns the flows that come back
    /// (RETURN or the end of a user chain).
    fn chain(&mut self, c: usize, mut live: Vec<Flow<'r>>, depth: u32) -> Vec<Flow<'r>> {
        let table = self.table;
        let chain = &table.chains[c];
        if depth > MAX_DEPTH {
            for f in live {
                self.end(End::Opaque("jumps nested too deep (a loop?)".into()), f);
            }
            return Vec::new();
        }
        let mut returned = Vec::new();
        let facts = self.facts;
        let ix = &facts.index[c];
        let own: &[u32] = match self.class.dst {
            Dst::Ip(a) => ix.by_dst.get(&a).map_or(&[], Vec::as_slice),
            _ => &[],
        };
        let positions = Merged {
            a: &ix.generic,
            b: own,
        };
        let mut next: Vec<Flow<'r>> = Vec::with_capacity(4);
        // Rules passed over still count: the packet is matched against them.
        let mut done = 0u32;
        for pos in positions {
            if live.is_empty() {
                break;
            }
            let skipped = pos - done;
            done = pos + 1;
            let i = pos as usize;
            let Some(r) = chain.rules.get(i) else {
                break;
            };
            next.clear();
            for mut f in live.drain(..) {
                f.count += skipped + 1;
                let (p, affinity) = self.eval(c, i, r, f.mark);
                if let Some(s) = affinity {
                    f.affinity = Some(f.affinity.map_or(s, |a| a.max(s)));
                }
                if p < 1.0 {
                    next.push(Flow {
                        mass: f.mass * (1.0 - p),
                        ..f.clone()
                    });
                }
                if p <= 0.0 {
                    continue;
                }
                let mut m = Flow {
                    mass: f.mass * p,
                    ..f
                };
                if m.name.is_none()
                    && r.conds
                        .iter()
                        .any(|c| matches!(c, Cond::Dst { .. } | Cond::Dport { .. }))
                {
                    m.name = r.name.as_deref();
                }
                match &r.action {
                    Action::Continue | Action::Ignore(_) => next.push(m),
                    Action::Accept => self.end(End::NoDnat, m),
                    Action::Drop => self.end(End::Drop, m),
                    Action::Opaque(d) => {
                        let what = format!("{d} ({})", place(table, c, i, r));
                        self.end(End::Opaque(what), m)
                    }
                    Action::Return => {
                        if chain.base {
                            self.policy(c, m);
                        } else {
                            returned.push(m);
                        }
                    }
                    Action::Jump(to) => {
                        let back = self.chain(*to, vec![m], depth + 1);
                        next.extend(back);
                    }
                    Action::Goto(to) => {
                        let back = self.chain(*to, vec![m], depth + 1);
                        if chain.base {
                            for b in back {
                                self.policy(c, b);
                            }
                        } else {
                            returned.extend(back);
                        }
                    }
                    Action::Dnat { addr, port } => {
                        let port = port.or(self.class.dport).unwrap_or(0);
                        self.end(End::Dnat(*addr, port), m);
                    }
                    Action::Mark { value, mask } => {
                        m.mark.value = (m.mark.value & !mask) ^ value;
                        m.mark.known |= mask;
                        next.push(m);
                    }
                    Action::MarkUnknown(_) => {
                        m.mark.known = 0;
                        next.push(m);
                    }
                }
            }
            merge(&mut next);
            std::mem::swap(&mut live, &mut next);
            if live.len() > MAX_FLOWS {
                self.too_many = true;
                return Vec::new();
            }
        }
        let tail = (chain.rules.len() as u32).saturating_sub(done);
        for f in live.iter_mut() {
            f.count += tail;
        }
        if chain.base {
            for f in live {
                self.policy(c, f);
            }
        } else {
            returned.extend(live);
        }
        returned
    }
}

/// Joins flows that differ only in mass; drops empty ones.
fn merge(v: &mut Vec<Flow<'_>>) {
    v.retain(|f| f.mass > 0.0);
    let mut i = 0;
    while i < v.len() {
        let mut j = i + 1;
        while j < v.len() {
            let same = {
                let (o, f) = (&v[i], &v[j]);
                o.mark == f.mark
                    && o.count == f.count
                    && o.affinity == f.affinity
                    && o.name == f.name
            };
            if same {
                let m = v[j].mass;
                v[i].mass += m;
                v.swap_remove(j);
            } else {
                j += 1;
            }
        }
        i += 1;
    }
}

/// A candidate service found in the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Candidate {
    Addr { vip: IpAddr, port: u16, proto: u8 },
    Local { port: u16, proto: u8 },
    Mark(u32),
}

fn candidates(t: &Table, f: &Facts) -> BTreeSet<Candidate> {
    let mut out = BTreeSet::new();
    for (c, ch) in t.chains.iter().enumerate() {
        if !f.reachable[c] {
            continue;
        }
        for r in &ch.rules {
            let relevant = match r.action {
                Action::Jump(to) => f.relevant_chain[to],
                Action::Goto(_) => true,
                ref a => intrinsic(a, f.tested),
            };
            if !relevant {
                continue;
            }
            let mut dst = None;
            let mut proto = 0u8;
            let mut ports: Vec<u16> = Vec::new();
            for cond in &r.conds {
                match cond {
                    Cond::Dst {
                        addr,
                        mask,
                        inv: false,
                    } if full_mask(mask) => dst = bytes_ip(addr),
                    Cond::Proto {
                        proto: p,
                        inv: false,
                    } => proto = *p,
                    Cond::Dport { ranges, inv: false } => {
                        ports = ranges
                            .iter()
                            .filter(|(lo, hi)| lo == hi)
                            .map(|(lo, _)| *lo)
                            .collect()
                    }
                    Cond::Mark {
                        value, inv: false, ..
                    } => {
                        out.insert(Candidate::Mark(*value));
                    }
                    _ => {}
                }
            }
            match dst {
                Some(vip) if ports.is_empty() => {
                    out.insert(Candidate::Addr {
                        vip,
                        port: 0,
                        proto,
                    });
                }
                Some(vip) => {
                    for port in ports {
                        out.insert(Candidate::Addr { vip, port, proto });
                    }
                }
                None if proto != 0 => {
                    for port in ports {
                        out.insert(Candidate::Local { port, proto });
                    }
                }
                None => {}
            }
        }
    }
    out
}

/// The mark a packet of `class` carries when it reaches nat, from the
/// mangle table's MARK rules (all bits known and 0 without them).
fn mangle_mark(m: Option<(&Table, &Facts)>, class: Class, node_ips: &[IpAddr]) -> Mark {
    let zero = Mark {
        value: 0,
        known: u32::MAX,
    };
    let Some((t, f)) = m else {
        return zero;
    };
    let Some(pre) = t.chain("PREROUTING") else {
        return zero;
    };
    let mut w = Walker {
        table: t,
        facts: f,
        class,
        node_ips,
        out: Vec::new(),
        notes: Vec::new(),
        seen_notes: HashSet::new(),
        too_many: false,
    };
    let start = Flow {
        mark: zero,
        mass: 1.0,
        count: 0,
        affinity: None,
        name: None,
    };
    w.chain(pre, vec![start], 0);
    let marks: HashSet<Mark> = w.out.iter().map(|o| o.flow.mark).collect();
    match (marks.len(), marks.iter().next()) {
        (1, Some(m)) if !w.too_many => *m,
        _ => Mark { value: 0, known: 0 },
    }
}

/// Whether the mangle table sets marks on the way in.
fn mangle_marks(t: &Table, f: &Facts) -> bool {
    t.chains.iter().enumerate().any(|(c, ch)| {
        f.reachable[c]
            && ch
                .rules
                .iter()
                .any(|r| matches!(r.action, Action::Mark { .. } | Action::MarkUnknown(_)))
    })
}

/// Walks one class from nat PREROUTING (or OUTPUT) and builds its service.
fn walk_one(
    nat: &Table,
    facts: &Facts,
    mangle: Option<(&Table, &Facts)>,
    class: Class,
    key: Key,
    node_ips: &[IpAddr],
) -> Option<Service> {
    let mark = match key {
        Key::Fwmark { mark } => Mark {
            value: mark,
            known: u32::MAX,
        },
        _ => mangle_mark(mangle, class, node_ips),
    };
    let mut result = None;
    for (entry, note) in [
        ("PREROUTING", None),
        (
            "OUTPUT",
            Some("handled only for connections from the node itself (nat OUTPUT)"),
        ),
    ] {
        let Some(start) = nat.chain(entry) else {
            continue;
        };
        let mut w = Walker {
            table: nat,
            facts,
            class,
            node_ips,
            out: Vec::new(),
            notes: Vec::new(),
            seen_notes: HashSet::new(),
            too_many: false,
        };
        let flow = Flow {
            mark,
            mass: 1.0,
            count: 0,
            affinity: None,
            name: None,
        };
        w.chain(start, vec![flow], 0);
        if w.too_many {
            let mut s = Service::new(key);
            s.notes.push(format!(
                "more than {MAX_FLOWS} parallel paths through the rules; not interpreted"
            ));
            s.leaks.push(Leak {
                what: "not interpreted".into(),
                share: 1.0,
            });
            return Some(s);
        }
        if w.out.iter().any(|o| o.end != End::NoDnat) {
            let mut s = build(key, w.out, w.notes);
            if let Some(n) = note {
                s.notes.insert(0, n.to_string());
            }
            result = Some(s);
            break;
        }
    }
    result
}

fn build(key: Key, out: Vec<Outcome<'_>>, mut notes: Vec<String>) -> Service {
    let mut s = Service::new(key);
    let mut by_backend: HashMap<(IpAddr, u16), (f64, u32, f64, u32)> = HashMap::new();
    let mut leaks: Vec<Leak> = Vec::new();
    let (mut best, mut worst, mut weighted, mut dnat_mass) = (u32::MAX, 0u32, 0.0f64, 0.0f64);
    let mut name: Option<(&str, f64)> = None;
    for o in &out {
        let f = &o.flow;
        match &o.end {
            End::Dnat(a, p) => {
                let e = by_backend
                    .entry((*a, *p))
                    .or_insert((0.0, u32::MAX, 0.0, 0));
                e.0 += f.mass;
                e.1 = e.1.min(f.count);
                e.2 += f.mass * f64::from(f.count);
                e.3 = e.3.max(f.count);
                best = best.min(f.count);
                worst = worst.max(f.count);
                weighted += f.mass * f64::from(f.count);
                dnat_mass += f.mass;
                if let Some(a) = f.affinity {
                    s.persistence = Some(s.persistence.map_or(a, |p| p.max(a)));
                }
                if let Some(n) = f.name {
                    if name.is_none_or(|(_, m)| f.mass > m) {
                        name = Some((n, f.mass));
                    }
                }
            }
            end => {
                let what = match end {
                    End::NoDnat => "not DNATed".to_string(),
                    End::Drop => "dropped".to_string(),
                    End::Opaque(d) => d.clone(),
                    End::Dnat(..) => String::new(),
                };
                match leaks.iter_mut().find(|l| l.what == what) {
                    Some(l) => l.share += f.mass,
                    None => leaks.push(Leak {
                        what,
                        share: f.mass,
                    }),
                }
            }
        }
    }
    for ((addr, port), (share, lo, sum, hi)) in by_backend {
        let mut b = Backend::new(addr, port, share);
        b.rules = Some(RuleCount {
            best: lo,
            expected: if share > 0.0 { sum / share } else { 0.0 },
            worst: hi,
        });
        s.backends.push(b);
    }
    s.sort();
    if dnat_mass > 0.0 {
        s.rules = Some(RuleCount {
            best,
            expected: weighted / dnat_mass,
            worst,
        });
    }
    for l in &leaks {
        if l.what != "not DNATed" && l.what != "dropped" {
            notes.push(format!(
                "{} of new connections end in {}, which rcompare does not follow",
                percent(l.share),
                l.what
            ));
        }
    }
    leaks.retain(|l| l.share > 1e-12);
    s.leaks = leaks;
    s.name = name.map(|(n, _)| n.to_string());
    if notes.len() > MAX_NOTES {
        let more = notes.len() - MAX_NOTES;
        notes.truncate(MAX_NOTES);
        notes.push(format!("... and {more} more notes"));
    }
    s.notes = notes;
    s
}

/// Every virtual service the ruleset implements.
pub fn services(set: &Ruleset, opts: &Options) -> Picture {
    let mut pic = Picture::new(Side::Iptables, &set.origin, set.family);
    pic.notes = set.notes.clone();
    if let Some(m) = &set.mangle {
        pic.mark_feeds = mark_feeds(m);
    }
    let Some(nat) = &set.nat else {
        return pic;
    };
    let facts = facts(nat);
    pic.nat_rules = Some(
        nat.chains
            .iter()
            .enumerate()
            .filter(|(c, _)| facts.reachable[*c])
            .map(|(_, ch)| ch.rules.len())
            .sum(),
    );
    let mangle_facts = set.mangle.as_ref().map(|m| (m, facts_of(m)));
    let mangle = mangle_facts
        .as_ref()
        .filter(|(m, f)| mangle_marks(m, f))
        .map(|(m, f)| (*m, f));
    let mut local_without_ips = 0usize;
    for cand in candidates(nat, &facts) {
        let classes: Vec<(Class, Key)> = match cand {
            Candidate::Addr { vip, port, proto } => vec![(
                Class {
                    proto,
                    dst: Dst::Ip(vip),
                    dport: (port != 0).then_some(port),
                },
                Key::Addr {
                    vip: Vip::Addr(vip),
                    port,
                    protocol: proto,
                },
            )],
            Candidate::Local { port, proto } if opts.node_ips.is_empty() => {
                local_without_ips += 1;
                vec![(
                    Class {
                        proto,
                        dst: Dst::Local,
                        dport: Some(port),
                    },
                    Key::Addr {
                        vip: Vip::Local,
                        port,
                        protocol: proto,
                    },
                )]
            }
            Candidate::Local { port, proto } => opts
                .node_ips
                .iter()
                .filter(|ip| {
                    matches!(
                        (ip, set.family),
                        (IpAddr::V4(_), crate::compare::model::Family::V4)
                            | (IpAddr::V6(_), crate::compare::model::Family::V6)
                    )
                })
                .map(|ip| {
                    (
                        Class {
                            proto,
                            dst: Dst::Ip(*ip),
                            dport: Some(port),
                        },
                        Key::Addr {
                            vip: Vip::Addr(*ip),
                            port,
                            protocol: proto,
                        },
                    )
                })
                .collect(),
            Candidate::Mark(m) => vec![(
                Class {
                    proto: 0,
                    dst: Dst::Any,
                    dport: None,
                },
                Key::Fwmark { mark: m },
            )],
        };
        for (class, key) in classes {
            if pic.services.contains_key(&key) {
                continue;
            }
            if let Some(s) = walk_one(nat, &facts, mangle, class, key, &opts.node_ips) {
                pic.services.insert(key, s);
            }
        }
    }
    let local = pic
        .services
        .keys()
        .filter(|k| {
            matches!(
                k,
                Key::Addr {
                    vip: Vip::Local,
                    ..
                }
            )
        })
        .count();
    if local > 0 && local_without_ips > 0 {
        pic.notes.push(format!(
            "{local} service(s) on any node address (`--dst-type LOCAL', NodePorts) are listed as LOCAL; name the node's addresses with --node-ip to compare them with IPVS"
        ));
    }
    pic
}

/// What each `-j MARK --set-mark M` rule of the mangle table marks, by mark.
fn mark_feeds(t: &Table) -> std::collections::BTreeMap<u32, Vec<String>> {
    let mut out: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
    for (c, ch) in t.chains.iter().enumerate() {
        for (i, r) in ch.rules.iter().enumerate() {
            let Action::Mark { value, mask } = r.action else {
                continue;
            };
            if mask != u32::MAX {
                continue;
            }
            let mut proto = String::from("all");
            let mut dst = String::from("*");
            let mut port = String::from("*");
            for cond in &r.conds {
                match cond {
                    Cond::Proto {
                        proto: p,
                        inv: false,
                    } => proto = protocol_name(*p),
                    Cond::Dst {
                        addr,
                        mask,
                        inv: false,
                    } => dst = net_text(addr, mask),
                    Cond::Dport { ranges, inv: false } => {
                        port = ranges
                            .iter()
                            .map(|(a, b)| {
                                if a == b {
                                    a.to_string()
                                } else {
                                    format!("{a}:{b}")
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(",")
                    }
                    _ => {}
                }
            }
            let dst = dst
                .strip_suffix("/32")
                .or_else(|| dst.strip_suffix("/128"))
                .unwrap_or(&dst)
                .to_string();
            out.entry(value)
                .or_default()
                .push(format!("{}: {proto} {dst}:{port}", place(t, c, i, r)));
        }
    }
    out
}

fn facts_of(t: &Table) -> Facts {
    facts(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::iptables::from_save_text;
    use crate::compare::model::Family;

    fn pic(rules: &str, node_ips: &[&str]) -> Picture {
        let text = format!(
            "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n{rules}COMMIT\n"
        );
        let set = from_save_text(&text, "t", Family::V4).unwrap();
        let opts = Options {
            node_ips: node_ips.iter().map(|s| s.parse().unwrap()).collect(),
        };
        services(&set, &opts)
    }

    fn key(s: &str) -> Key {
        let (p, rest) = s.split_once(' ').unwrap();
        let (a, port) = rest.rsplit_once(':').unwrap();
        Key::Addr {
            vip: if a == "LOCAL" {
                Vip::Local
            } else {
                Vip::Addr(a.parse().unwrap())
            },
            port: port.parse().unwrap(),
            protocol: match p {
                "tcp" => 6,
                "udp" => 17,
                _ => 0,
            },
        }
    }

    const KUBE: &str = r#":KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-SVC-A - [0:0]
:KUBE-EXT-A - [0:0]
:KUBE-SEP-1 - [0:0]
:KUBE-SEP-2 - [0:0]
:KUBE-SEP-3 - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "ns/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-A
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-NODEPORTS -p tcp -m comment --comment "ns/web:http" -m tcp --dport 30080 -j KUBE-EXT-A
-A KUBE-EXT-A -m comment --comment "masquerade traffic for ns/web:http external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-A -j KUBE-SVC-A
-A KUBE-SVC-A ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m comment --comment "ns/web:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-A -m comment --comment "ns/web:http -> 10.244.0.1:8080" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-1
-A KUBE-SVC-A -m comment --comment "ns/web:http -> 10.244.0.2:8080" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-2
-A KUBE-SVC-A -m comment --comment "ns/web:http -> 10.244.0.3:8080" -j KUBE-SEP-3
-A KUBE-SEP-1 -s 10.244.0.1/32 -m comment --comment "ns/web:http" -j KUBE-MARK-MASQ
-A KUBE-SEP-1 -p tcp -m comment --comment "ns/web:http" -m tcp -j DNAT --to-destination 10.244.0.1:8080
-A KUBE-SEP-2 -s 10.244.0.2/32 -m comment --comment "ns/web:http" -j KUBE-MARK-MASQ
-A KUBE-SEP-2 -p tcp -m comment --comment "ns/web:http" -m tcp -j DNAT --to-destination 10.244.0.2:8080
-A KUBE-SEP-3 -s 10.244.0.3/32 -m comment --comment "ns/web:http" -j KUBE-MARK-MASQ
-A KUBE-SEP-3 -p tcp -m comment --comment "ns/web:http" -m tcp -j DNAT --to-destination 10.244.0.3:8080
"#;

    #[test]
    fn kube_cascade_gives_equal_shares_and_counts_rules() {
        let p = pic(KUBE, &[]);
        assert_eq!(p.services.len(), 2, "{:?}", p.services.keys());
        let s = &p.services[&key("tcp 10.96.0.10:80")];
        assert_eq!(s.name.as_deref(), Some("ns/web:http"));
        assert_eq!(s.backends.len(), 3);
        for b in &s.backends {
            assert!((b.share - 1.0 / 3.0).abs() < 1e-6, "{b:?}");
        }
        assert!(s.leaks.is_empty());
        assert!(s.notes.is_empty(), "{:?}", s.notes);
        // PREROUTING 1, KUBE-SERVICES 1, SVC: masq rule (+1 inside
        // KUBE-MARK-MASQ for a remote client) then 1..3 statistic rules,
        // SEP: 2 rules.
        let r = s.rules.unwrap();
        assert_eq!((r.best, r.worst), (1 + 1 + 2 + 1 + 2, 1 + 1 + 2 + 3 + 2));
        assert!((r.expected - 8.0).abs() < 1e-6, "{r:?}");
        let n = &p.services[&key("tcp LOCAL:30080")];
        assert_eq!(n.backends.len(), 3);
        assert!(p.notes[0].contains("--node-ip"));
    }

    #[test]
    fn node_ips_expand_nodeports() {
        let p = pic(KUBE, &["192.168.0.10", "192.168.0.11"]);
        assert!(p.services.contains_key(&key("tcp 192.168.0.10:30080")));
        assert!(p.services.contains_key(&key("tcp 192.168.0.11:30080")));
        assert!(!p.services.contains_key(&key("tcp LOCAL:30080")));
    }

    #[test]
    fn leaks_nth_marks_and_unknowns() {
        let rules = ":S - [0:0]\n:F - [0:0]\n\
            -A PREROUTING -d 10.0.0.1/32 -p udp -m udp --dport 53 -j S\n\
            -A S -m statistic --mode nth --every 2 --packet 0 -j DNAT --to-destination 10.1.0.1\n\
            -A S -p udp -m statistic --mode random --probability 0.5 -j DNAT --to-destination 10.1.0.2:5353\n\
            -A PREROUTING -m mark --mark 0x7 -j F\n\
            -A F -m set --match-set foo dst -j DNAT --to-destination 10.2.0.9\n\
            -A F -j DNAT --to-destination 10.2.0.1\n\
            -A PREROUTING -d 10.0.0.2/32 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8080\n";
        let p = pic(rules, &[]);
        let s = &p.services[&key("udp 10.0.0.1:53")];
        assert_eq!(s.backends[0].port, 53);
        assert!((s.backends[0].share - 0.5).abs() < 1e-9);
        assert!((s.backends[1].share - 0.25).abs() < 1e-9);
        assert_eq!(s.leaks[0].what, "not DNATed");
        assert!((s.leaks[0].share - 0.25).abs() < 1e-9);
        let f = &p.services[&Key::Fwmark { mark: 7 }];
        assert_eq!(f.backends.len(), 1);
        assert!(f.notes[0].starts_with("line 12: `-m set"), "{:?}", f.notes);
        let r = &p.services[&key("tcp 10.0.0.2:80")];
        assert!(r.backends.is_empty());
        assert!(r.leaks[0].what.starts_with("-j REDIRECT"));
    }

    #[test]
    fn jump_loops_end_in_a_note_not_a_hang() {
        let rules = ":A - [0:0]\n:B - [0:0]\n\
            -A PREROUTING -d 10.0.0.1/32 -p tcp -m tcp --dport 80 -j A\n\
            -A A -m statistic --mode random --probability 0.5 -j B\n\
            -A A -j DNAT --to-destination 10.1.0.1\n\
            -A B -j A\n";
        let p = pic(rules, &[]);
        let s = &p.services[&key("tcp 10.0.0.1:80")];
        assert_eq!(s.backends.len(), 1);
        assert!(
            s.leaks.iter().any(|l| l.what.contains("nested too deep")),
            "{s:?}"
        );
    }

    #[test]
    fn affinity_becomes_persistence() {
        let rules = ":S - [0:0]\n:E - [0:0]\n\
            -A PREROUTING -d 10.0.0.1/32 -p tcp -m tcp --dport 80 -j S\n\
            -A S -m recent --rcheck --seconds 10800 --reap --name E --mask 255.255.255.255 --rsource -j E\n\
            -A S -j E\n\
            -A E -p tcp -m recent --set --name E --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.1.0.1:80\n";
        let p = pic(rules, &[]);
        let s = &p.services[&key("tcp 10.0.0.1:80")];
        assert_eq!(s.persistence, Some(10800));
        assert_eq!(s.backends[0].share, 1.0);
    }

    #[test]
    fn mangle_marks_feed_fwmark_rules() {
        let text = "*mangle\n:PREROUTING ACCEPT [0:0]\n\
            -A PREROUTING -d 10.0.0.5/32 -p tcp -m tcp --dport 443 -j MARK --set-mark 0x9\nCOMMIT\n\
            *nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n\
            -A PREROUTING -d 10.0.0.6/32 -p tcp -m tcp --dport 443 -m mark --mark 0x9 -j DNAT --to-destination 10.9.0.1\n\
            -A PREROUTING -d 10.0.0.5/32 -p tcp -m tcp --dport 443 -m mark --mark 0x9 -j DNAT --to-destination 10.9.0.2\nCOMMIT\n";
        let set = from_save_text(text, "t", Family::V4).unwrap();
        let p = services(&set, &Options::default());
        assert!(!p.services.contains_key(&key("tcp 10.0.0.6:443")));
        let s = &p.services[&key("tcp 10.0.0.5:443")];
        assert_eq!(s.backends[0].addr.to_string(), "10.9.0.2");
    }
}
