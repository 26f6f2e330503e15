//! One iptables rule reduced to what decides load balancing: conditions on
//! the first packet of a new connection and what the rule does with it.
//!
//! Matches are read from the text their extension saves (`-m statistic
//! --mode random --probability 0.33333333349`), so a rule read from a save
//! file, from rtables' JSON or from the kernel is understood the same way.
//! Anything else becomes [`Cond::Unknown`] or [`Action::Opaque`], which the
//! walk reports instead of guessing.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::tables::expr::Family;
use crate::tables::ext::PrintCtx;
use crate::tables::render::net_save;
use crate::tables::restore::split_words;
use crate::tables::rule::{Net, Rule, Target};

/// A condition on the packet.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    /// `[!] -p PROTO`.
    Proto {
        /// Protocol number.
        proto: u8,
        /// Negated.
        inv: bool,
    },
    /// `[!] -d NET`.
    Dst {
        /// Address bytes, masked.
        addr: Vec<u8>,
        /// Mask bytes.
        mask: Vec<u8>,
        /// Negated.
        inv: bool,
    },
    /// `[!] --dport P[:Q]`, `-m multiport [!] --dports ...`.
    Dport {
        /// Inclusive port ranges.
        ranges: Vec<(u16, u16)>,
        /// Negated.
        inv: bool,
    },
    /// `[!] -m mark --mark V/M`.
    Mark {
        /// Value.
        value: u32,
        /// Mask.
        mask: u32,
        /// Negated.
        inv: bool,
    },
    /// `[!] -m addrtype --dst-type LOCAL`.
    DstLocal {
        /// Negated.
        inv: bool,
    },
    /// A condition on the client (source address, port or interface):
    /// evaluated for a remote client the rules do not name.
    Client {
        /// The option as written.
        desc: String,
        /// Negated (then it holds for such a client).
        inv: bool,
    },
    /// `-m statistic`: the fraction of packets that match.
    Random(f64),
    /// Always true or always false for a new connection's first packet
    /// (`--ctstate NEW`, `--syn`, `-f`).
    Const(bool),
    /// `-m recent --rcheck/--update --seconds N`: client affinity; never
    /// true for a client's first connection.
    Affinity {
        /// `--seconds` (0 when not given).
        seconds: u32,
    },
    /// Something rcompare does not interpret.
    Unknown(String),
}

/// What a rule does to the packets it matches.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// No target: counts, then the next rule.
    Continue,
    /// A non-terminating target that does not matter here (`LOG`, ...).
    Ignore(String),
    /// `ACCEPT`: leaves the nat table without a DNAT.
    Accept,
    /// `DROP`.
    Drop,
    /// `RETURN`.
    Return,
    /// `-j CHAIN` (index resolved after loading).
    Jump(usize),
    /// `-g CHAIN`.
    Goto(usize),
    /// `-j DNAT --to-destination ADDR[:PORT]`.
    Dnat {
        /// New destination address.
        addr: IpAddr,
        /// New port, if given.
        port: Option<u16>,
    },
    /// `-j MARK --set-xmark V/M`: `mark = (mark & !M) ^ V`.
    Mark {
        /// Value.
        value: u32,
        /// Mask.
        mask: u32,
    },
    /// A target that sets the mark to something unknown (`CONNMARK --restore-mark`).
    MarkUnknown(String),
    /// A terminating target rcompare does not follow (`REDIRECT`, a DNAT
    /// to a range, ...): the packet leaves without reaching a backend.
    Opaque(String),
}

/// A normalized rule.
#[derive(Clone, Debug, PartialEq)]
pub struct NRule {
    /// All must hold.
    pub conds: Vec<Cond>,
    /// What happens then.
    pub action: Action,
    /// The first word of its comment (kube-proxy's `namespace/name:port`).
    pub name: Option<String>,
    /// Its line in a save file.
    pub line: Option<u32>,
}

/// A rule as read, before chain names are resolved.
#[derive(Clone, Debug)]
pub struct Pending {
    /// The rule, with `Jump(0)`/`Goto(0)` placeholders.
    pub rule: NRule,
    /// The chain a jump or goto names.
    pub target_chain: Option<String>,
}

/// Option words of a saved extension: `(negated, --name, arguments)`.
fn options(words: &[String]) -> Vec<(bool, &str, Vec<&str>)> {
    let mut out = Vec::new();
    let mut inv = false;
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        i += 1;
        if w == "!" {
            inv = true;
            continue;
        }
        let mut args = Vec::new();
        while i < words.len() && words[i] != "!" && !words[i].starts_with("--") {
            args.push(words[i].as_str());
            i += 1;
        }
        out.push((inv, w, args));
        inv = false;
    }
    out
}

fn parse_num(s: &str) -> Option<u32> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// `V[/M]` as `(V, M)`, M defaulting to all ones.
pub fn value_mask(s: &str) -> Option<(u32, u32)> {
    match s.split_once('/') {
        Some((v, m)) => Some((parse_num(v)?, parse_num(m)?)),
        None => Some((parse_num(s)?, u32::MAX)),
    }
}

fn port_ranges(s: &str) -> Option<Vec<(u16, u16)>> {
    s.split(',')
        .map(|p| match p.split_once(':') {
            Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
            None => {
                let v = p.parse().ok()?;
                Some((v, v))
            }
        })
        .collect()
}

fn unknown(name: &str, text: &str) -> Cond {
    Cond::Unknown(format!("-m {name}{text}"))
}

/// The conditions of one match from its saved text.
fn match_conds(name: &str, text: &str, out: &mut Vec<Cond>, comment: &mut Option<String>) {
    let words = split_words(text);
    let opts = options(&words);
    match name {
        "comment" => {
            if comment.is_none() {
                *comment = words
                    .get(1)
                    .and_then(|c| c.split_whitespace().next())
                    .map(str::to_string);
            }
        }
        "tcp" | "udp" | "sctp" | "udplite" | "dccp" => {
            for (inv, opt, args) in opts {
                match (opt, args.as_slice()) {
                    ("--dport" | "--destination-port", [p]) => match port_ranges(p) {
                        Some(ranges) => out.push(Cond::Dport { ranges, inv }),
                        None => out.push(unknown(name, text)),
                    },
                    ("--sport" | "--source-port", [p]) => out.push(Cond::Client {
                        desc: format!("{}--sport {p}", if inv { "! " } else { "" }),
                        inv,
                    }),
                    ("--syn", []) => out.push(Cond::Const(!inv)),
                    _ => out.push(unknown(name, text)),
                }
            }
        }
        "multiport" => {
            for (inv, opt, args) in opts {
                match (opt, args.as_slice()) {
                    ("--dports" | "--destination-ports", [p]) => match port_ranges(p) {
                        Some(ranges) => out.push(Cond::Dport { ranges, inv }),
                        None => out.push(unknown(name, text)),
                    },
                    ("--sports" | "--source-ports", [p]) => out.push(Cond::Client {
                        desc: format!("-m multiport {}--sports {p}", if inv { "! " } else { "" }),
                        inv,
                    }),
                    _ => out.push(unknown(name, text)),
                }
            }
        }
        "mark" => {
            for (inv, opt, args) in opts {
                match (opt, args.as_slice()) {
                    ("--mark", [v]) => match value_mask(v) {
                        Some((value, mask)) => out.push(Cond::Mark {
                            value: value & mask,
                            mask,
                            inv,
                        }),
                        None => out.push(unknown(name, text)),
                    },
                    _ => out.push(unknown(name, text)),
                }
            }
        }
        "statistic" => {
            let mut mode = "";
            let mut frac: Option<f64> = None;
            let mut inv_all = false;
            let mut ok = true;
            for (inv, opt, args) in opts {
                inv_all |= inv;
                match (opt, args.as_slice()) {
                    ("--mode", [m]) => mode = m,
                    ("--probability", [p]) => frac = p.parse::<f64>().ok(),
                    ("--every", [n]) => {
                        frac = n
                            .parse::<u32>()
                            .ok()
                            .filter(|n| *n > 0)
                            .map(|n| 1.0 / f64::from(n))
                    }
                    ("--packet", [_]) => {}
                    _ => ok = false,
                }
            }
            match (ok, mode, frac) {
                (true, "random" | "nth", Some(f)) if (0.0..=1.0).contains(&f) => {
                    out.push(Cond::Random(if inv_all { 1.0 - f } else { f }))
                }
                _ => out.push(unknown(name, text)),
            }
        }
        "addrtype" => {
            for (inv, opt, args) in opts {
                match (opt, args.as_slice()) {
                    ("--dst-type", ["LOCAL"]) => out.push(Cond::DstLocal { inv }),
                    ("--src-type", [t]) => out.push(Cond::Client {
                        desc: format!("-m addrtype {}--src-type {t}", if inv { "! " } else { "" }),
                        inv,
                    }),
                    _ => out.push(unknown(name, text)),
                }
            }
        }
        "conntrack" | "state" => {
            for (inv, opt, args) in opts {
                match (opt, args.as_slice()) {
                    ("--ctstate" | "--state", [s]) => {
                        out.push(Cond::Const(s.split(',').any(|x| x == "NEW") != inv))
                    }
                    _ => out.push(unknown(name, text)),
                }
            }
        }
        "recent" => {
            let mut check = false;
            let mut seconds = 0;
            let mut inv_check = false;
            for (inv, opt, args) in &opts {
                match (*opt, args.as_slice()) {
                    ("--rcheck" | "--update", []) => {
                        check = true;
                        inv_check = *inv;
                    }
                    ("--seconds", [s]) => seconds = s.parse().unwrap_or(0),
                    _ => {}
                }
            }
            if check && !inv_check {
                out.push(Cond::Affinity { seconds });
            } else if check {
                out.push(unknown(name, text));
            }
            // `--set` and `--remove` always match; they only record.
        }
        "icmp" | "icmp6" | "ah" | "esp" => out.push(Cond::Const(false)),
        _ => out.push(unknown(name, text)),
    }
}

/// `--to-destination ADDR[:PORT]` (IPv6 `[ADDR]:PORT` or bare `ADDR`).
fn dnat_target(words: &[String], family: Family) -> Option<(IpAddr, Option<u16>)> {
    let opts = options(words);
    let mut to = None;
    for (_, opt, args) in &opts {
        match (*opt, args.as_slice()) {
            ("--to-destination", [t]) => {
                if to.is_some() {
                    return None;
                }
                to = Some(*t);
            }
            ("--random" | "--persistent" | "--random-fully", []) => {}
            _ => return None,
        }
    }
    let t = to?;
    let (host, port) = if let Some(rest) = t.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        (h, after.strip_prefix(':'))
    } else if family == Family::V6 {
        (t, None)
    } else {
        match t.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (t, None),
        }
    };
    let addr: IpAddr = match family {
        Family::V4 => IpAddr::V4(host.parse::<Ipv4Addr>().ok()?),
        Family::V6 => IpAddr::V6(host.parse::<Ipv6Addr>().ok()?),
    };
    let port = match port {
        None => None,
        Some(p) => Some(p.parse::<u16>().ok()?),
    };
    Some((addr, port))
}

/// Targets that do not end the walk and do not matter for load balancing.
const IGNORED_TARGETS: &[&str] = &[
    "LOG",
    "NFLOG",
    "TRACE",
    "AUDIT",
    "CONNSECMARK",
    "SECMARK",
    "NFQUEUE_BYPASS",
    "TOS",
    "DSCP",
    "TTL",
    "HL",
    "ECN",
    "CHECKSUM",
    "CLASSIFY",
    "IDLETIMER",
    "LED",
    "RATEEST",
    "SET",
    "TCPMSS",
    "TCPOPTSTRIP",
];

fn target_action(name: &str, text: &str, family: Family) -> Action {
    let words = split_words(text);
    match name {
        "DNAT" => match dnat_target(&words, family) {
            Some((addr, port)) => Action::Dnat { addr, port },
            None => Action::Opaque(format!("-j DNAT{text}")),
        },
        "MARK" => {
            let opts = options(&words);
            match opts.as_slice() {
                [(false, "--set-xmark", a)] if a.len() == 1 => match value_mask(a[0]) {
                    Some((value, mask)) => Action::Mark { value, mask },
                    None => Action::MarkUnknown(format!("-j MARK{text}")),
                },
                [(false, "--set-mark", a)] if a.len() == 1 => match value_mask(a[0]) {
                    Some((v, m)) => Action::Mark {
                        value: v,
                        mask: m | v,
                    },
                    None => Action::MarkUnknown(format!("-j MARK{text}")),
                },
                _ => Action::MarkUnknown(format!("-j MARK{text}")),
            }
        }
        "CONNMARK" => {
            if words.iter().any(|w| w == "--restore-mark") {
                Action::MarkUnknown(format!("-j CONNMARK{text}"))
            } else {
                Action::Ignore(format!("-j CONNMARK{text}"))
            }
        }
        n if IGNORED_TARGETS.contains(&n) => Action::Ignore(format!("-j {n}")),
        n => Action::Opaque(format!("-j {n}{text}")),
    }
}

/// Normalizes one decoded rule. Jumps and gotos come back with index 0 and
/// the chain name in [`Pending::target_chain`].
pub fn normalize(rule: &Rule, family: Family, line: Option<u32>) -> Pending {
    if let Some(p) = &rule.problem {
        return Pending {
            rule: NRule {
                conds: vec![Cond::Unknown(format!(
                    "a rule iptables syntax cannot express ({p})"
                ))],
                action: Action::Opaque("an unexpressible rule".into()),
                name: None,
                line,
            },
            target_chain: None,
        };
    }
    let s = &rule.spec;
    let mut conds = Vec::new();
    if s.proto != 0 {
        conds.push(Cond::Proto {
            proto: s.proto,
            inv: s.proto_inv,
        });
    }
    if let Some(n) = s.dst.as_ref().filter(|n| !n.is_any() || s.dst_inv) {
        conds.push(Cond::Dst {
            addr: n.addr.clone(),
            mask: n.mask.clone(),
            inv: s.dst_inv,
        });
    }
    let client = |flag: &str, text: String, inv: bool| Cond::Client {
        desc: format!("{}{flag} {text}", if inv { "! " } else { "" }),
        inv,
    };
    if let Some(n) = s.src.as_ref().filter(|n| !n.is_any() || s.src_inv) {
        conds.push(client("-s", net_text(n, family), s.src_inv));
    }
    if let Some(i) = s.iniface.as_ref().filter(|i| *i != "+" || s.in_inv) {
        conds.push(client("-i", i.clone(), s.in_inv));
    }
    if let Some(o) = s.outiface.as_ref().filter(|o| *o != "+" || s.out_inv) {
        conds.push(client("-o", o.clone(), s.out_inv));
    }
    if let Some(inv) = s.frag {
        // The first packet of a connection is never a later fragment.
        conds.push(Cond::Const(inv));
    }
    let pc = PrintCtx {
        family,
        numeric: true,
        proto: s.proto,
    };
    let mut name = None;
    let mut text = String::new();
    for m in &rule.matches {
        text.clear();
        m.ext.save(&pc, &m.blob, &mut text);
        match_conds(m.ext.save_name(&m.blob), &text, &mut conds, &mut name);
    }
    let mut target_chain = None;
    let action = match &rule.target {
        Target::None => Action::Continue,
        Target::Accept => Action::Accept,
        Target::Drop => Action::Drop,
        Target::Return => Action::Return,
        Target::Jump(c) => {
            target_chain = Some(c.clone());
            Action::Jump(0)
        }
        Target::Goto(c) => {
            target_chain = Some(c.clone());
            Action::Goto(0)
        }
        Target::Ext(t) => {
            text.clear();
            t.ext.save(&pc, &t.blob, &mut text);
            target_action(t.ext.save_name(&t.blob), &text, family)
        }
    };
    Pending {
        rule: NRule {
            conds,
            action,
            name,
            line,
        },
        target_chain,
    }
}

fn net_text(n: &Net, family: Family) -> String {
    net_save(n, family)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::cli;

    fn norm(line: &str) -> Pending {
        let mut args = vec!["-t".to_string(), "nat".to_string()];
        args.extend(split_words(line));
        let inv = cli::parse(&args, Family::V4).unwrap();
        normalize(&inv.rules()[0], Family::V4, Some(1))
    }

    #[test]
    fn kube_service_rule() {
        let p = norm(
            r#"-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-NPX"#,
        );
        assert_eq!(p.target_chain.as_deref(), Some("KUBE-SVC-NPX"));
        assert_eq!(p.rule.name.as_deref(), Some("default/kubernetes:https"));
        assert_eq!(
            p.rule.conds,
            vec![
                Cond::Proto {
                    proto: 6,
                    inv: false
                },
                Cond::Dst {
                    addr: vec![10, 96, 0, 1],
                    mask: vec![255; 4],
                    inv: false
                },
                Cond::Dport {
                    ranges: vec![(443, 443)],
                    inv: false
                },
            ]
        );
    }

    #[test]
    fn statistic_dnat_mark_and_client() {
        let p = norm("-A S -m statistic --mode random --probability 0.33333333349 -j SEP");
        match p.rule.conds[0] {
            Cond::Random(f) => assert!((f - 1.0 / 3.0).abs() < 1e-9),
            ref c => panic!("{c:?}"),
        }
        let p = norm("-A S -m statistic --mode nth --every 4 --packet 0 -j SEP");
        assert_eq!(p.rule.conds, vec![Cond::Random(0.25)]);
        let p = norm("-A SEP -p tcp -m tcp -j DNAT --to-destination 10.0.0.2:8080");
        assert_eq!(
            p.rule.action,
            Action::Dnat {
                addr: "10.0.0.2".parse().unwrap(),
                port: Some(8080)
            }
        );
        let p = norm("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000");
        assert_eq!(
            p.rule.action,
            Action::Mark {
                value: 0x4000,
                mask: 0x4000
            }
        );
        let p = norm("-A X ! -s 10.244.0.0/16 -m mark ! --mark 0x1/0xff -j RETURN");
        assert_eq!(
            p.rule.conds,
            vec![
                Cond::Client {
                    desc: "! -s 10.244.0.0/16".into(),
                    inv: true
                },
                Cond::Mark {
                    value: 1,
                    mask: 0xff,
                    inv: true
                }
            ]
        );
        let p = norm("-A X -p tcp -j DNAT --to-destination 10.0.0.2-10.0.0.4:80");
        assert!(matches!(p.rule.action, Action::Opaque(_)));
        let p = norm("-A X -m recent --name A --rcheck --seconds 10800 --reap -j SEP");
        assert_eq!(p.rule.conds, vec![Cond::Affinity { seconds: 10800 }]);
        let p = norm("-A X -m conntrack --ctstate NEW -m addrtype --dst-type LOCAL -j SEP");
        assert_eq!(
            p.rule.conds,
            vec![Cond::Const(true), Cond::DstLocal { inv: false }]
        );
    }
}
