//! The kernel layer against the real kernel and the real iptables-nft 1.8.9:
//! every test runs in a fresh network namespace of its own (`unshare` moves
//! only the test's thread; the iptables it spawns inherit the namespace).
//! Needs root; without it every test fails with a message saying so.

use std::process::Command;
use std::time::Instant;

use netlb::tables::expr::{
    base, cmp, meta, verdict, Expr, Family, ImmData, KChain, KRule, KTable, Op, REG_1, REG_VERDICT,
};
use netlb::tables::socket::{CommitError, NfSocket};
use nix::sched::{unshare, CloneFlags};

/// Moves the calling thread into a fresh network namespace.
fn netns() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "tests/nft_ffi.rs needs root (a fresh network namespace and nf_tables); run as root"
    );
    unshare(CloneFlags::CLONE_NEWNET).expect("unshare(CLONE_NEWNET)");
}

fn run(prog: &str, args: &[&str]) -> String {
    let out = Command::new(prog)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {prog}: {e}"));
    assert!(
        out.status.success(),
        "{prog} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ipt(args: &[&str]) -> String {
    run("iptables", args)
}

/// The 25 representative rules of the fact sheet (section 1.6).
const RULES4: &[&[&str]] = &[
    &["-A", "INPUT", "-s", "10.0.0.0/8", "-j", "ACCEPT"],
    &[
        "-A",
        "INPUT",
        "-s",
        "10.1.2.0/23",
        "-d",
        "172.16.0.0/255.255.0.255",
        "-j",
        "ACCEPT",
    ],
    &["-A", "INPUT", "!", "-s", "1.2.3.4", "-j", "DROP"],
    &["-A", "INPUT", "-i", "eth0", "-j", "ACCEPT"],
    &["-A", "OUTPUT", "-o", "eth0.100", "-j", "ACCEPT"],
    &["-A", "INPUT", "-i", "eth+", "-j", "ACCEPT"],
    &["-A", "FORWARD", "!", "-o", "veth+", "-j", "DROP"],
    &["-A", "INPUT", "!", "-i", "+", "-j", "ACCEPT"],
    &[
        "-A",
        "INPUT",
        "-p",
        "udp",
        "--sport",
        "53",
        "--dport",
        "1024:65535",
        "-j",
        "ACCEPT",
    ],
    &[
        "-A", "OUTPUT", "-p", "tcp", "-m", "tcp", "--sport", "22", "--dport", "22", "-j", "ACCEPT",
    ],
    &[
        "-A",
        "OUTPUT",
        "-p",
        "tcp",
        "!",
        "--dport",
        "1000:2000",
        "-j",
        "ACCEPT",
    ],
    &["-A", "OUTPUT", "!", "-p", "udp", "-j", "ACCEPT"],
    &["-N", "MYCHAIN"],
    &["-A", "INPUT", "-p", "tcp", "--syn", "-j", "MYCHAIN"],
    &["-A", "INPUT", "-g", "MYCHAIN"],
    &[
        "-A",
        "INPUT",
        "-p",
        "tcp",
        "-m",
        "multiport",
        "--dports",
        "80,443,8000:8080",
        "-m",
        "comment",
        "--comment",
        "web ports",
        "-j",
        "ACCEPT",
    ],
    &[
        "-A",
        "INPUT",
        "-m",
        "conntrack",
        "--ctstate",
        "RELATED,ESTABLISHED",
        "-j",
        "ACCEPT",
    ],
    &[
        "-A",
        "INPUT",
        "-m",
        "comment",
        "--comment",
        "hello world",
        "-j",
        "ACCEPT",
    ],
    &[
        "-A", "INPUT", "-m", "mark", "--mark", "0x1/0xff", "-j", "ACCEPT",
    ],
    &[
        "-A", "OUTPUT", "-m", "mark", "!", "--mark", "0x2", "-j", "ACCEPT",
    ],
    &[
        "-A",
        "INPUT",
        "-m",
        "limit",
        "--limit",
        "5/min",
        "--limit-burst",
        "10",
        "-j",
        "LOG",
        "--log-prefix",
        "lim: ",
        "--log-level",
        "4",
    ],
    &[
        "-A",
        "INPUT",
        "-m",
        "statistic",
        "--mode",
        "random",
        "--probability",
        "0.25",
        "-j",
        "DROP",
    ],
    &[
        "-A",
        "INPUT",
        "-p",
        "tcp",
        "-j",
        "REJECT",
        "--reject-with",
        "tcp-reset",
    ],
    &["-A", "INPUT", "-f", "-j", "DROP"],
    &[
        "-t",
        "nat",
        "-A",
        "PREROUTING",
        "-p",
        "tcp",
        "--dport",
        "80",
        "-j",
        "DNAT",
        "--to-destination",
        "10.0.0.2:8080",
    ],
    &[
        "-t",
        "nat",
        "-A",
        "POSTROUTING",
        "-s",
        "10.0.0.0/24",
        "-o",
        "eth0",
        "-j",
        "MASQUERADE",
    ],
    &[
        "-t",
        "mangle",
        "-A",
        "PREROUTING",
        "-j",
        "MARK",
        "--set-mark",
        "0x10",
    ],
    &[
        "-A",
        "OUTPUT",
        "-j",
        "NFLOG",
        "--nflog-group",
        "5",
        "--nflog-prefix",
        "nfl",
    ],
    &["-t", "raw", "-A", "OUTPUT", "-j", "TRACE"],
    &[
        "-A", "FORWARD", "-i", "eth0", "-o", "eth1", "-s", "1.1.1.1", "-p", "tcp",
    ],
];

const RULES6: &[&[&str]] = &[
    &[
        "-A",
        "INPUT",
        "-s",
        "2001:db8::/32",
        "-p",
        "tcp",
        "--dport",
        "443",
        "-j",
        "ACCEPT",
    ],
    &[
        "-A",
        "OUTPUT",
        "-d",
        "2001:db8::1/ffff:ffff:0:0:ffff::",
        "-j",
        "DROP",
    ],
];

const TABLES: &[&str] = &["filter", "nat", "mangle", "raw"];

/// `-S` of every table of a family, as one string.
fn listing(prog: &str) -> String {
    let mut s = String::new();
    for t in TABLES {
        s += &format!("## {t}\n");
        s += &run(prog, &["-t", t, "-S"]);
    }
    s
}

fn counter() -> Expr {
    Expr::Counter {
        packets: 0,
        bytes: 0,
    }
}

fn verdict_expr(code: i32, chain: Option<&str>) -> Expr {
    Expr::Immediate {
        dreg: REG_VERDICT,
        data: ImmData::Verdict {
            code,
            chain: chain.map(str::to_string),
        },
    }
}

fn l4proto(p: u8) -> [Expr; 2] {
    [
        Expr::Meta {
            key: meta::L4PROTO,
            dreg: Some(REG_1),
            sreg: None,
        },
        Expr::Cmp {
            sreg: REG_1,
            op: cmp::EQ,
            data: vec![p],
        },
    ]
}

/// The protocol of the rule's `meta l4proto == P`, which the kernel needs as
/// `NFTA_RULE_COMPAT` to check compat tcp/udp/multiport matches.
fn compat_of(r: &KRule) -> Option<(u32, u32)> {
    r.exprs.windows(2).find_map(|w| match w {
        [Expr::Meta {
            key: meta::L4PROTO,
            dreg: Some(_),
            ..
        }, Expr::Cmp {
            op: cmp::EQ, data, ..
        }] if data.len() == 1 => Some((u32::from(data[0]), 0)),
        _ => None,
    })
}

fn all_rules(sock: &mut NfSocket, family: Family) -> Vec<KRule> {
    let mut v = Vec::new();
    for t in sock.tables(family).expect("tables") {
        v.extend(sock.rules(family, &t.name, None).expect("rules"));
    }
    v
}

fn find<'a>(
    rules: &'a [KRule],
    table: &str,
    chain: &str,
    pred: impl Fn(&KRule) -> bool,
) -> &'a KRule {
    rules
        .iter()
        .find(|r| r.table == table && r.chain == chain && pred(r))
        .unwrap_or_else(|| panic!("no matching rule in {table}/{chain}"))
}

fn has_match(r: &KRule, name: &str) -> bool {
    r.exprs
        .iter()
        .any(|e| matches!(e, Expr::Match { name: n, .. } if n == name))
}

fn has_target(r: &KRule, name: &str) -> bool {
    r.exprs
        .iter()
        .any(|e| matches!(e, Expr::Target { name: n, .. } if n == name))
}

#[test]
fn iptables_rules_decode_and_round_trip() {
    netns();
    for r in RULES4 {
        ipt(r);
    }
    for r in RULES6 {
        run("ip6tables", r);
    }
    let before4 = listing("iptables");
    let before6 = listing("ip6tables");
    assert!(
        before4.contains("-A INPUT -s 10.0.0.0/8 -j ACCEPT"),
        "{before4}"
    );

    let mut sock = NfSocket::open().expect("open");
    let rules4 = all_rules(&mut sock, Family::V4);
    let rules6 = all_rules(&mut sock, Family::V6);
    assert_eq!(rules4.len(), RULES4.len() - 1, "one entry is -N");
    assert_eq!(rules6.len(), RULES6.len());
    assert!(rules4
        .iter()
        .all(|r| r.family == Some(Family::V4) && r.handle != 0));
    assert!(rules6.iter().all(|r| r.family == Some(Family::V6)));

    // #1: payload 1b @ nh + 12, cmp [10], counter before the verdict.
    let r1 = &sock
        .rules(Family::V4, "filter", Some("INPUT"))
        .expect("INPUT")[0];
    assert_eq!(
        r1.exprs,
        vec![
            Expr::Payload {
                base: base::NETWORK,
                offset: 12,
                len: 1,
                dreg: REG_1,
            },
            Expr::Cmp {
                sreg: REG_1,
                op: cmp::EQ,
                data: vec![10],
            },
            counter(),
            verdict_expr(verdict::ACCEPT, None),
        ]
    );
    assert_eq!((r1.table.as_str(), r1.chain.as_str()), ("filter", "INPUT"));
    assert_eq!(r1.position, None);

    // #2: masked address.
    let r2 = &rules4[1];
    assert_eq!(
        r2.exprs[..3],
        [
            Expr::Payload {
                base: base::NETWORK,
                offset: 12,
                len: 4,
                dreg: REG_1,
            },
            Expr::Bitwise {
                sreg: REG_1,
                dreg: REG_1,
                len: 4,
                mask: vec![255, 255, 254, 0],
                xor: vec![0; 4],
            },
            Expr::Cmp {
                sreg: REG_1,
                op: cmp::EQ,
                data: vec![10, 1, 2, 0],
            },
        ]
    );

    // #4: interface name with its NUL.
    let r4 = find(&rules4, "filter", "INPUT", |r| {
        r.exprs.get(1)
            == Some(&Expr::Cmp {
                sreg: REG_1,
                op: cmp::EQ,
                data: b"eth0\0".to_vec(),
            })
    });
    assert_eq!(
        r4.exprs[0],
        Expr::Meta {
            key: meta::IIFNAME,
            dreg: Some(REG_1),
            sreg: None,
        }
    );

    // #8: udp ports, a range.
    let r8 = find(&rules4, "filter", "INPUT", |r| r.exprs[..2] == l4proto(17));
    assert_eq!(
        r8.exprs[2..6],
        [
            Expr::Payload {
                base: base::TRANSPORT,
                offset: 0,
                len: 2,
                dreg: REG_1,
            },
            Expr::Cmp {
                sreg: REG_1,
                op: cmp::EQ,
                data: vec![0, 53],
            },
            Expr::Payload {
                base: base::TRANSPORT,
                offset: 2,
                len: 2,
                dreg: REG_1,
            },
            Expr::Range {
                sreg: REG_1,
                op: 0,
                from: vec![4, 0],
                to: vec![255, 255],
            },
        ]
    );

    // #9b: goto.
    let r9b = find(&rules4, "filter", "INPUT", |r| r.exprs.len() == 2);
    assert_eq!(
        r9b.exprs,
        vec![counter(), verdict_expr(verdict::GOTO, Some("MYCHAIN"))]
    );

    // #10: multiport + comment compat blobs (comment match, not udata).
    let r10 = find(&rules4, "filter", "INPUT", |r| has_match(r, "multiport"));
    match &r10.exprs[2] {
        Expr::Match { name, rev, info } => {
            assert_eq!((name.as_str(), *rev, info.len()), ("multiport", 1, 48));
            // xt_multiport_v1: flags 1 (destination), count 4 (a range takes two).
            assert_eq!(&info[..6], &[1, 4, 80, 0, 0xbb, 1]);
        }
        e => panic!("expected multiport, got {e:?}"),
    }
    match &r10.exprs[3] {
        Expr::Match { name, rev, info } => {
            assert_eq!((name.as_str(), *rev, info.len()), ("comment", 0, 256));
            assert_eq!(&info[..10], b"web ports\0");
        }
        e => panic!("expected comment, got {e:?}"),
    }
    assert_eq!(compat_of(r10), Some((6, 0)));

    // #14: limit + LOG target.
    let r14 = find(&rules4, "filter", "INPUT", |r| has_target(r, "LOG"));
    assert_eq!(
        r14.exprs[0],
        Expr::Limit {
            rate: 5,
            unit: 60,
            burst: 10,
            kind: 0,
            flags: 0,
        }
    );
    assert_eq!(r14.exprs[1], counter());

    // #18: DNAT rev 2 with its 48-byte info, counter before the target.
    let nat = sock
        .rules(Family::V4, "nat", Some("PREROUTING"))
        .expect("nat");
    assert_eq!(nat.len(), 1);
    let r18 = &nat[0];
    assert_eq!(r18.exprs[..2], l4proto(6));
    assert_eq!(
        r18.exprs[2..5],
        [
            Expr::Payload {
                base: base::TRANSPORT,
                offset: 2,
                len: 2,
                dreg: REG_1,
            },
            Expr::Cmp {
                sreg: REG_1,
                op: cmp::EQ,
                data: vec![0, 80],
            },
            counter(),
        ]
    );
    match &r18.exprs[5] {
        Expr::Target { name, rev, info } => {
            assert_eq!((name.as_str(), *rev, info.len()), ("DNAT", 2, 48));
        }
        e => panic!("expected DNAT, got {e:?}"),
    }

    // #19: MASQUERADE rev 0.
    let r19 = find(&rules4, "nat", "POSTROUTING", |_| true);
    assert!(
        matches!(r19.exprs.last(), Some(Expr::Target { name, rev: 0, .. }) if name == "MASQUERADE")
    );

    // #21: NFLOG as a native log expression.
    let r21 = find(&rules4, "filter", "OUTPUT", |r| {
        r.exprs.iter().any(|e| matches!(e, Expr::Log { .. }))
    });
    match &r21.exprs[..] {
        [Expr::Counter { .. }, Expr::Log { prefix, group, .. }] => {
            assert_eq!(prefix.as_deref(), Some("nfl"));
            assert_eq!(*group, Some(5));
        }
        e => panic!("unexpected NFLOG encoding {e:?}"),
    }

    // #22: TRACE as immediate + meta set nftrace.
    let r22 = find(&rules4, "raw", "OUTPUT", |_| true);
    assert_eq!(
        r22.exprs,
        vec![
            counter(),
            Expr::Immediate {
                dreg: 9,
                data: ImmData::Value(vec![1]),
            },
            Expr::Meta {
                key: meta::NFTRACE,
                dreg: None,
                sreg: Some(9),
            },
        ]
    );

    // #25: no verdict at all.
    let r25 = find(&rules4, "filter", "FORWARD", |r| r.exprs.len() == 9);
    assert_eq!(r25.exprs.last(), Some(&counter()));

    // #23 / #24 (ip6).
    assert_eq!(rules6[0].exprs[..2], l4proto(6));
    assert_eq!(
        rules6[0].exprs[2..4],
        [
            Expr::Payload {
                base: base::NETWORK,
                offset: 8,
                len: 4,
                dreg: REG_1,
            },
            Expr::Cmp {
                sreg: REG_1,
                op: cmp::EQ,
                data: vec![0x20, 0x01, 0x0d, 0xb8],
            },
        ]
    );
    let mut mask = vec![0xff; 4];
    mask.extend([0; 4]);
    mask.extend([0xff, 0xff, 0, 0]);
    mask.extend([0; 4]);
    assert_eq!(
        rules6[1].exprs[1],
        Expr::Bitwise {
            sreg: REG_1,
            dreg: REG_1,
            len: 16,
            mask,
            xor: vec![0; 16],
        }
    );

    // (b) delete everything through commit, re-add the decoded rules.
    for (family, rules) in [(Family::V4, &rules4), (Family::V6, &rules6)] {
        let dels: Vec<Op> = rules.iter().map(|r| Op::DelRule(r.clone())).collect();
        sock.commit(family, &dels, None).expect("delete");
        assert!(all_rules(&mut sock, family).is_empty());
        let adds: Vec<Op> = rules
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.compat = compat_of(&r);
                Op::AddRule {
                    rule: r,
                    append: true,
                    replace: false,
                }
            })
            .collect();
        let g = sock.genid().expect("genid");
        sock.commit(family, &adds, Some(g)).expect("re-add");
    }
    assert_eq!(listing("iptables"), before4);
    assert_eq!(listing("ip6tables"), before6);
    let again = all_rules(&mut sock, Family::V4);
    assert_eq!(again.len(), rules4.len());
    for (a, b) in again.iter().zip(&rules4) {
        assert_eq!(a.exprs, b.exprs);
        assert_eq!(a.userdata, b.userdata);
    }

    // Foreign expressions decode as Other with libnftnl's text.
    run(
        "nft",
        &["add rule ip filter INPUT ct state established counter accept"],
    );
    let last = sock
        .rules(Family::V4, "filter", Some("INPUT"))
        .expect("rules")
        .pop()
        .expect("a rule");
    assert_eq!(
        last.exprs[0],
        Expr::Other {
            name: "ct".into(),
            text: "ct load state => reg 1".into(),
        }
    );
}

#[test]
fn stale_genid_restarts_and_changes_nothing() {
    netns();
    ipt(&["-A", "INPUT", "-s", "1.1.1.1", "-j", "ACCEPT"]);
    let mut sock = NfSocket::open().expect("open");
    let g = sock.genid().expect("genid");
    let mut rule = sock.rules(Family::V4, "filter", None).expect("rules")[0].clone();
    ipt(&["-A", "INPUT", "-s", "2.2.2.2", "-j", "ACCEPT"]);
    assert_ne!(sock.genid().expect("genid"), g);
    let before = ipt(&["-S"]);
    rule.handle = 0;
    let op = Op::AddRule {
        rule,
        append: true,
        replace: false,
    };
    let ops = vec![op.clone(), op.clone()];
    match sock.commit(Family::V4, &ops, Some(g)) {
        Err(CommitError::Restart) => {}
        other => panic!("expected Restart, got {other:?}"),
    }
    assert_eq!(ipt(&["-S"]), before);
    // With the current id it goes through, and the socket is still in sync.
    let g = sock.genid().expect("genid");
    sock.commit(Family::V4, &ops, Some(g)).expect("commit");
    assert_eq!(
        sock.rules(Family::V4, "filter", None).expect("rules").len(),
        4
    );
    // No ops: nothing sent, fine.
    sock.commit(Family::V4, &[], Some(0)).expect("empty commit");
}

fn accept_rule(table: &str, chain: &str, addr: [u8; 4]) -> KRule {
    KRule {
        table: table.into(),
        chain: chain.into(),
        exprs: vec![
            Expr::Payload {
                base: base::NETWORK,
                offset: 12,
                len: 4,
                dreg: REG_1,
            },
            Expr::Cmp {
                sreg: REG_1,
                op: cmp::EQ,
                data: addr.to_vec(),
            },
            counter(),
            verdict_expr(verdict::ACCEPT, None),
        ],
        ..KRule::default()
    }
}

fn filter_table() -> KTable {
    KTable {
        name: "filter".into(),
        ..KTable::default()
    }
}

fn base_chain(name: &str, hook: u32) -> KChain {
    KChain {
        table: "filter".into(),
        name: name.into(),
        hook: Some((hook, 0)),
        policy: Some(1),
        chain_type: Some("filter".into()),
        ..KChain::default()
    }
}

fn append(rule: KRule) -> Op {
    Op::AddRule {
        rule,
        append: true,
        replace: false,
    }
}

#[test]
fn failing_op_aborts_the_whole_batch() {
    netns();
    let mut sock = NfSocket::open().expect("open");
    let ops = vec![
        Op::AddTable(filter_table()),
        Op::AddChain {
            chain: base_chain("INPUT", 1),
            excl: false,
        },
        append(accept_rule("filter", "NOPE", [1, 2, 3, 4])),
        append(accept_rule("filter", "INPUT", [1, 2, 3, 5])),
        append(accept_rule("filter", "ALSO_MISSING", [1, 2, 3, 6])),
        append(accept_rule("filter", "INPUT", [1, 2, 3, 7])),
    ];
    match sock.commit(Family::V4, &ops, None) {
        Err(CommitError::Op { index: 2, errno }) => assert_eq!(errno, libc::ENOENT),
        other => panic!("expected Op {{ index: 2 }}, got {other:?}"),
    }
    assert!(sock.tables(Family::V4).expect("tables").is_empty());
    // The last op failing is reported too (its error replaces the ACK).
    let mut ops2 = ops.clone();
    ops2.remove(2);
    ops2.remove(3);
    ops2.push(append(accept_rule("filter", "NOPE", [9, 9, 9, 9])));
    match sock.commit(Family::V4, &ops2, None) {
        Err(CommitError::Op { index, errno }) => {
            assert_eq!((index, errno), (ops2.len() - 1, libc::ENOENT))
        }
        other => panic!("expected Op error, got {other:?}"),
    }
    assert!(sock.tables(Family::V4).expect("tables").is_empty());
    // And the same socket then commits fine.
    ops2.pop();
    sock.commit(Family::V4, &ops2, None).expect("commit");
    assert_eq!(ipt(&["-S", "INPUT"]).lines().count(), 3, "{}", ipt(&["-S"]));
}

#[test]
fn chains_decode_and_rename() {
    netns();
    ipt(&["-P", "FORWARD", "DROP"]);
    ipt(&["-N", "X"]);
    ipt(&["-A", "INPUT", "-j", "X"]);
    let mut sock = NfSocket::open().expect("open");
    let tables = sock.tables(Family::V4).expect("tables");
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0].name, "filter");
    assert_eq!(tables[0].family, Some(Family::V4));
    assert!(sock.tables(Family::V6).expect("tables").is_empty());
    let chains = sock.chains(Family::V4, Some("filter")).expect("chains");
    let fwd = chains
        .iter()
        .find(|c| c.name == "FORWARD")
        .expect("FORWARD");
    assert_eq!(fwd.hook, Some((2, 0)));
    assert_eq!(fwd.policy, Some(0));
    assert_eq!(fwd.chain_type.as_deref(), Some("filter"));
    assert_eq!(fwd.table, "filter");
    assert_eq!(fwd.family, Some(Family::V4));
    let input = chains.iter().find(|c| c.name == "INPUT").expect("INPUT");
    // 1.8.9 creates base chains without counters; `-P` sends them.
    assert_eq!(input.counters, None);
    assert_eq!(fwd.counters, Some((0, 0)));
    assert_eq!((input.hook, input.policy), (Some((1, 0)), Some(1)));
    let x = chains.iter().find(|c| c.name == "X").expect("X");
    assert_eq!((x.hook, x.policy, &x.chain_type), (None, None, &None));
    assert_eq!(x.use_count, 1, "one jump to X");
    assert!(x.handle != 0);
    assert!(sock
        .chains(Family::V4, Some("nat"))
        .expect("chains")
        .is_empty());
    assert_eq!(
        sock.chains(Family::V4, None).expect("chains").len(),
        chains.len()
    );

    // Rename X to Y by handle.
    let rename = KChain {
        table: "filter".into(),
        name: "Y".into(),
        handle: x.handle,
        ..KChain::default()
    };
    sock.commit(
        Family::V4,
        &[Op::AddChain {
            chain: rename,
            excl: false,
        }],
        None,
    )
    .expect("rename");
    let chains = sock.chains(Family::V4, Some("filter")).expect("chains");
    let y = chains.iter().find(|c| c.name == "Y").expect("Y");
    assert_eq!(y.handle, x.handle);
    assert!(!chains.iter().any(|c| c.name == "X"));
    let s = ipt(&["-S"]);
    assert!(s.contains("-N Y\n") && s.contains("-A INPUT -j Y\n"), "{s}");

    // A user chain with excl: created once, EEXIST the second time;
    // a referenced chain cannot be deleted (NLM_F_NONREC).
    let z = KChain {
        table: "filter".into(),
        name: "Z".into(),
        ..KChain::default()
    };
    let add_z = Op::AddChain {
        chain: z.clone(),
        excl: true,
    };
    sock.commit(Family::V4, std::slice::from_ref(&add_z), None)
        .expect("Z");
    match sock.commit(Family::V4, &[add_z], None) {
        Err(CommitError::Op { index: 0, errno }) => assert_eq!(errno, libc::EEXIST),
        other => panic!("expected EEXIST, got {other:?}"),
    }
    match sock.commit(Family::V4, &[Op::DelChain(y.clone())], None) {
        Err(CommitError::Op { index: 0, errno }) => assert_eq!(errno, libc::EBUSY),
        other => panic!("expected EBUSY, got {other:?}"),
    }
    sock.commit(Family::V4, &[Op::DelChain(z)], None)
        .expect("del Z");
    // Policy change and table delete.
    let mut fwd = fwd.clone();
    fwd.policy = Some(1);
    fwd.handle = 0;
    sock.commit(
        Family::V4,
        &[Op::AddChain {
            chain: fwd,
            excl: false,
        }],
        None,
    )
    .expect("policy");
    assert!(ipt(&["-S"]).contains("-P FORWARD ACCEPT"));
    sock.commit(Family::V4, &[Op::DelTable(filter_table())], None)
        .expect("del table");
    assert!(sock.tables(Family::V4).expect("tables").is_empty());
}

#[test]
fn insert_replace_and_delete_by_handle() {
    netns();
    let mut sock = NfSocket::open().expect("open");
    let mut first = accept_rule("filter", "INPUT", [1, 1, 1, 1]);
    first.id = Some(1);
    let mut before_first = accept_rule("filter", "INPUT", [2, 2, 2, 2]);
    before_first.position_id = Some(1);
    let ops = vec![
        Op::AddTable(filter_table()),
        Op::AddChain {
            chain: base_chain("INPUT", 1),
            excl: false,
        },
        append(first),
        // Insert before a rule of the same batch (NFTA_RULE_POSITION_ID).
        Op::AddRule {
            rule: before_first,
            append: false,
            replace: false,
        },
    ];
    sock.commit(Family::V4, &ops, None).expect("commit");
    let s = ipt(&["-S", "INPUT"]);
    assert_eq!(
        s,
        "-P INPUT ACCEPT\n-A INPUT -s 2.2.2.2/32 -j ACCEPT\n-A INPUT -s 1.1.1.1/32 -j ACCEPT\n"
    );
    let rules = sock
        .rules(Family::V4, "filter", Some("INPUT"))
        .expect("rules");
    // Insert before handle; replace by handle; delete by handle.
    let mut ins = accept_rule("filter", "INPUT", [3, 3, 3, 3]);
    ins.position = Some(rules[1].handle);
    let mut rep = accept_rule("filter", "INPUT", [4, 4, 4, 4]);
    rep.handle = rules[0].handle;
    let ops = vec![
        Op::AddRule {
            rule: ins,
            append: false,
            replace: false,
        },
        Op::AddRule {
            rule: rep,
            append: false,
            replace: true,
        },
    ];
    sock.commit(Family::V4, &ops, None).expect("commit");
    assert_eq!(
        ipt(&["-S", "INPUT"]),
        "-P INPUT ACCEPT\n-A INPUT -s 4.4.4.4/32 -j ACCEPT\n-A INPUT -s 3.3.3.3/32 -j ACCEPT\n-A INPUT -s 1.1.1.1/32 -j ACCEPT\n"
    );
    sock.commit(Family::V4, &[Op::DelRule(rules[1].clone())], None)
        .expect("delete");
    assert_eq!(
        ipt(&["-S", "INPUT"]),
        "-P INPUT ACCEPT\n-A INPUT -s 4.4.4.4/32 -j ACCEPT\n-A INPUT -s 3.3.3.3/32 -j ACCEPT\n"
    );
    // Handle 0: flush the chain.
    let flush = KRule {
        table: "filter".into(),
        chain: "INPUT".into(),
        ..KRule::default()
    };
    sock.commit(Family::V4, &[Op::DelRule(flush)], None)
        .expect("flush");
    assert_eq!(ipt(&["-S", "INPUT"]), "-P INPUT ACCEPT\n");
}

#[test]
fn hundred_thousand_rules() {
    netns();
    const N: usize = 100_000;
    let mut sock = NfSocket::open().expect("open");
    let mut ops = vec![
        Op::AddTable(filter_table()),
        Op::AddChain {
            chain: base_chain("INPUT", 1),
            excl: false,
        },
    ];
    for i in 0..N {
        let b = (i as u32).to_be_bytes();
        ops.push(append(accept_rule(
            "filter",
            "INPUT",
            [10, b[1], b[2], b[3]],
        )));
    }
    let t = Instant::now();
    let g = sock.genid().expect("genid");
    sock.commit(Family::V4, &ops, Some(g)).expect("commit");
    let commit = t.elapsed();
    let t = Instant::now();
    let rules = sock
        .rules(Family::V4, "filter", Some("INPUT"))
        .expect("rules");
    let dump = t.elapsed();
    eprintln!("100k rules: commit {commit:?}, dump {dump:?}");
    assert_eq!(rules.len(), N);
    for i in [0, 1, N / 2, N - 1] {
        let b = (i as u32).to_be_bytes();
        assert_eq!(
            rules[i].exprs[1],
            accept_rule("", "", [10, b[1], b[2], b[3]]).exprs[1]
        );
    }
    assert!(rules.windows(2).all(|w| w[0].handle < w[1].handle));
    assert_eq!(
        sock.chains(Family::V4, Some("filter"))
            .expect("chains")
            .len(),
        1
    );
    // Flush the chain in one op (deleting 100k rules one by one by handle
    // is quadratic in the kernel: each lookup walks the chain).
    let t = Instant::now();
    let flush = KRule {
        table: "filter".into(),
        chain: "INPUT".into(),
        ..KRule::default()
    };
    sock.commit(Family::V4, &[Op::DelRule(flush)], None)
        .expect("flush");
    eprintln!("100k rules: flush {:?}", t.elapsed());
    assert!(sock
        .rules(Family::V4, "filter", None)
        .expect("rules")
        .is_empty());
}

#[test]
fn hundred_thousand_failing_ops_overflow_safely() {
    netns();
    const N: usize = 100_000;
    let mut sock = NfSocket::open().expect("open");
    let mut ops = vec![Op::AddTable(filter_table())];
    for i in 0..N {
        let b = (i as u32).to_be_bytes();
        ops.push(append(accept_rule(
            "filter",
            "MISSING",
            [10, b[1], b[2], b[3]],
        )));
    }
    let t = Instant::now();
    match sock.commit(Family::V4, &ops, None) {
        Err(CommitError::Op { index: 1, errno }) => assert_eq!(errno, libc::ENOENT),
        other => panic!("expected Op {{ index: 1 }}, got {other:?}"),
    }
    eprintln!("100k failing ops: {:?}", t.elapsed());
    // Nothing applied, and the socket is usable again.
    assert!(sock.tables(Family::V4).expect("tables").is_empty());
    sock.genid().expect("genid");
    sock.commit(Family::V4, &ops[..1], None).expect("commit");
    assert_eq!(sock.tables(Family::V4).expect("tables").len(), 1);
}
