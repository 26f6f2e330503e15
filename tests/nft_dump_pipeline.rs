//! `NfSocket::rules_of_chains` (pipelined per-chain rule dumps) against the
//! real kernel: it must return exactly what one `rules(.., Some(chain))` per
//! chain returns, on a kube-proxy-sized table, and report missing chains.
//! Every test runs in a fresh network namespace of its own (`unshare` moves
//! only the test's thread; threads it spawns inherit the namespace). Needs
//! root; without it every test fails with a message saying so.
//!
//! The timings of the three ways to read the big table are printed (run with
//! `--nocapture`).

use std::time::{Duration, Instant};

use netlb::netlink::Error;
use netlb::tables::expr::{
    base, cmp, verdict, Expr, Family, ImmData, KChain, KRule, KTable, Op, REG_1, REG_VERDICT,
};
use netlb::tables::socket::NfSocket;
use nix::sched::{unshare, CloneFlags};

const TABLE: &str = "pipe";

/// Moves the calling thread into a fresh network namespace.
fn netns() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "tests/nft_dump_pipeline.rs needs root (a fresh network namespace and nf_tables); run as root"
    );
    unshare(CloneFlags::CLONE_NEWNET).expect("unshare(CLONE_NEWNET)");
}

/// User and system CPU time of the calling thread so far
/// (`/proc/thread-self/stat`, clock ticks of 10 ms).
fn cpu_times() -> (Duration, Duration) {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces): state is the
    // 3rd field, utime the 14th, stime the 15th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let tick = |i: usize| Duration::from_millis(f.get(i).copied().unwrap_or(0) * 10);
    (tick(11), tick(12))
}

/// Time the calling thread spent on a CPU so far
/// (`/proc/thread-self/schedstat`, nanoseconds).
fn on_cpu() -> Duration {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let ns = s
        .split_whitespace()
        .next()
        .and_then(|x| x.parse().ok())
        .unwrap_or(0);
    Duration::from_nanos(ns)
}

/// Runs `f`, printing its wall, user and system time under `what`.
fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let (u0, s0) = cpu_times();
    let c0 = on_cpu();
    let t = Instant::now();
    let v = f();
    let wall = t.elapsed();
    let c1 = on_cpu();
    let (u1, s1) = cpu_times();
    eprintln!(
        "{what}: {wall:.2?} (cpu {:.2?}: user {:?}, sys {:?})",
        c1.saturating_sub(c0),
        u1.saturating_sub(u0),
        s1.saturating_sub(s0)
    );
    v
}

fn table() -> KTable {
    KTable {
        name: TABLE.into(),
        ..KTable::default()
    }
}

fn chain(name: &str) -> KChain {
    KChain {
        table: TABLE.into(),
        name: name.into(),
        ..KChain::default()
    }
}

fn sep(i: usize) -> String {
    format!("KUBE-SEP-{i:016X}")
}

/// Rule `k` of chain `c`, shaped like kube-proxy's: a destination address
/// match, every other rule a compat `comment` match (its 256-byte info
/// makes the message ~600 bytes, as in a real kube-proxy table) or a
/// comment in the userdata, a counter, and a jump to another chain or an
/// accept.
fn rule(c: &str, k: usize, target: Option<&str>) -> KRule {
    let b = (k as u32).to_be_bytes();
    let text = format!("ns-{}/svc-{k}:port", k % 97);
    let mut exprs = vec![
        Expr::Payload {
            base: base::NETWORK,
            offset: 16,
            len: 4,
            dreg: REG_1,
        },
        Expr::Cmp {
            sreg: REG_1,
            op: cmp::EQ,
            data: vec![10, b[1], b[2], b[3]],
        },
    ];
    if k.is_multiple_of(2) {
        let mut info = vec![0u8; 256];
        info[..text.len()].copy_from_slice(text.as_bytes());
        exprs.push(Expr::Match {
            name: "comment".into(),
            rev: 0,
            info,
        });
    }
    exprs.push(Expr::Counter {
        packets: 0,
        bytes: 0,
    });
    let (code, chain) = match target {
        Some(t) => (verdict::JUMP, Some(t.to_string())),
        None => (verdict::ACCEPT, None),
    };
    exprs.push(Expr::Immediate {
        dreg: REG_VERDICT,
        data: ImmData::Verdict { code, chain },
    });
    let userdata = (k % 2 == 1).then(|| {
        // NFTNL_UDATA_RULE_COMMENT (type 0), NUL-terminated.
        let mut u = vec![0, text.len() as u8 + 1];
        u.extend_from_slice(text.as_bytes());
        u.push(0);
        u
    });
    KRule {
        table: TABLE.into(),
        chain: c.into(),
        exprs,
        userdata,
        ..KRule::default()
    }
}

fn add(rule: KRule) -> Op {
    Op::AddRule {
        rule,
        append: true,
        replace: false,
    }
}

/// `n` chains of 0-3 rules each (chain `i` has `i % 4`; its first rule
/// jumps to chain `i + 1`), and one chain `BIG` of `big` rules placed at
/// chain `n / 3`. Returns the ops and the chain names in creation order.
fn build(n: usize, big: usize) -> (Vec<Op>, Vec<String>) {
    build_mod(n, big, 4)
}

/// [`build`] with `i % per` rules in chain `i`.
fn build_mod(n: usize, big: usize, per: usize) -> (Vec<Op>, Vec<String>) {
    let mut ops = vec![Op::AddTable(table())];
    let mut names: Vec<String> = (0..n).map(sep).collect();
    names.insert(n / 3, "BIG".into());
    for c in &names {
        ops.push(Op::AddChain {
            chain: chain(c),
            excl: true,
        });
    }
    for i in 0..n {
        let c = sep(i);
        for k in 0..i % per {
            let target = (k == 0 && i + 1 < n).then(|| sep(i + 1));
            ops.push(add(rule(&c, i * 4 + k, target.as_deref())));
        }
    }
    for k in 0..big {
        ops.push(add(rule("BIG", k, None)));
    }
    (ops, names)
}

#[test]
fn pipelined_dumps_equal_per_chain_dumps() {
    netns();
    const N: usize = 40_000;
    const BIG: usize = 5_000;
    let mut sock = NfSocket::open().expect("open");
    let (ops, names) = build(N, BIG);
    let n_rules = ops
        .iter()
        .filter(|o| matches!(o, Op::AddRule { .. }))
        .count();
    timed(&format!("commit {} ops", ops.len()), || {
        sock.commit(Family::V4, &ops, None).expect("commit")
    });
    drop(ops);

    let kchains = timed("chains()", || {
        sock.chains(Family::V4, Some(TABLE)).expect("chains")
    });
    let kernel_names: Vec<&str> = kchains.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(kernel_names, names, "chains in creation order");

    let piped = timed("rules_of_chains, all chains", || {
        sock.rules_of_chains(Family::V4, TABLE, &kernel_names)
            .expect("rules_of_chains")
    });
    let single = timed("rules(Some(chain)) per chain", || {
        kernel_names
            .iter()
            .map(|c| sock.rules(Family::V4, TABLE, Some(c)).expect("rules"))
            .collect::<Vec<_>>()
    });
    let whole = timed("rules(None), whole table", || {
        sock.rules(Family::V4, TABLE, None).expect("rules")
    });

    assert_eq!(piped.len(), kernel_names.len());
    for (i, c) in kernel_names.iter().enumerate() {
        assert_eq!(piped[i], single[i], "rules of {c}");
    }
    assert_eq!(piped.iter().map(Vec::len).sum::<usize>(), n_rules);
    let big = kernel_names.iter().position(|c| *c == "BIG").expect("BIG");
    assert_eq!(piped[big].len(), BIG);
    assert!(piped[big].windows(2).all(|w| w[0].handle < w[1].handle));
    for i in [0, 1, 2, 3, N - 1] {
        let c = sep(i);
        let j = kernel_names.iter().position(|n| *n == c).expect("chain");
        assert_eq!(piped[j].len(), i % 4, "{c}");
    }
    // The whole-table dump is the per-chain dumps in chain order.
    assert_eq!(whole, single.concat());

    // Any order and repeats: the result follows the request.
    let mut some: Vec<&str> = kernel_names.iter().rev().step_by(7).copied().collect();
    some.push("BIG");
    some.push(kernel_names[3]);
    let got = sock
        .rules_of_chains(Family::V4, TABLE, &some)
        .expect("rules_of_chains");
    for (c, rules) in some.iter().zip(&got) {
        let i = kernel_names.iter().position(|n| n == c).expect("chain");
        assert_eq!(rules, &single[i], "rules of {c}");
    }
}

#[test]
fn missing_chains_and_tables_fail() {
    netns();
    let mut sock = NfSocket::open().expect("open");
    let (ops, names) = build(600, 300);
    sock.commit(Family::V4, &ops, None).expect("commit");
    let mut want: Vec<&str> = names.iter().map(String::as_str).collect();
    let all = sock
        .rules_of_chains(Family::V4, TABLE, &want)
        .expect("rules_of_chains");
    assert_eq!(all.len(), want.len());
    // The kernel answers a rule dump of a missing chain with an empty dump.
    assert!(sock
        .rules(Family::V4, TABLE, Some("NOPE"))
        .expect("rules")
        .is_empty());
    // rules_of_chains notices, wherever the missing chain is.
    for at in [0, 300, want.len()] {
        want.insert(at, "NOPE");
        match sock.rules_of_chains(Family::V4, TABLE, &want) {
            Err(Error::Kernel { errno }) => assert_eq!(errno, libc::ENOENT),
            other => panic!("expected ENOENT, got {:?}", other.map(|v| v.len())),
        }
        want.remove(at);
    }
    match sock.rules_of_chains(Family::V4, "nope", &["BIG"]) {
        Err(Error::Kernel { errno }) => assert_eq!(errno, libc::ENOENT),
        other => panic!("expected ENOENT, got {:?}", other.map(|v| v.len())),
    }
    match sock.rules_of_chains(Family::V6, TABLE, &["BIG"]) {
        Err(Error::Kernel { errno }) => assert_eq!(errno, libc::ENOENT),
        other => panic!("expected ENOENT, got {:?}", other.map(|v| v.len())),
    }
    assert!(sock
        .rules_of_chains(Family::V4, TABLE, &[])
        .expect("empty")
        .is_empty());
    // The socket is still in sync afterwards.
    assert_eq!(
        sock.rules_of_chains(Family::V4, TABLE, &want)
            .expect("again"),
        all
    );
    sock.genid().expect("genid");
}

/// A writer adds one rule to each of two far-apart chains in one commit,
/// and removes both in the next, while the reader dumps: every result
/// must show both chains in the same state (both chains have no rules of
/// their own).
#[test]
fn concurrent_commits_give_consistent_snapshots() {
    netns();
    let mut sock = NfSocket::open().expect("open");
    let (ops, names) = build(3_000, 0);
    sock.commit(Family::V4, &ops, None).expect("commit");
    let first = sep(0);
    let last = sep(2_996);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let (first, last) = (first.clone(), last.clone());
        std::thread::spawn(move || {
            let mut w = NfSocket::open().expect("open");
            let flush = |c: &str| {
                Op::DelRule(KRule {
                    table: TABLE.into(),
                    chain: c.into(),
                    ..KRule::default()
                })
            };
            let mut commits = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let ops = if commits % 2 == 0 {
                    vec![add(rule(&first, 1, None)), add(rule(&last, 2, None))]
                } else {
                    vec![flush(&first), flush(&last)]
                };
                w.commit(Family::V4, &ops, None).expect("writer commit");
                commits += 1;
                // Bursts of commits and quiet spells of up to 200 ms.
                std::thread::sleep(Duration::from_millis(commits % 11 * 20));
            }
            commits
        })
    };
    let want: Vec<&str> = names.iter().map(String::as_str).collect();
    let ia = want.iter().position(|c| *c == first).expect("first");
    let ib = want.iter().position(|c| *c == last).expect("last");
    let (mut ok, mut busy) = (0, 0);
    let t = Instant::now();
    while (ok < 5 || t.elapsed() < Duration::from_secs(2)) && t.elapsed() < Duration::from_secs(10)
    {
        match sock.rules_of_chains(Family::V4, TABLE, &want) {
            Ok(v) => {
                ok += 1;
                let (a, b) = (v[ia].len(), v[ib].len());
                assert!(a == b && a <= 1, "torn snapshot: {a} vs {b} rules");
            }
            Err(Error::Kernel { errno }) if errno == libc::EINTR => busy += 1,
            Err(e) => panic!("rules_of_chains: {e}"),
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let commits = writer.join().expect("writer");
    eprintln!("concurrent: {ok} snapshots, {busy} gave up (EINTR), {commits} commits");
    assert!(ok > 0, "no snapshot in 10 s");
}

/// The same three reads on a table the size of the kube-proxy nat table
/// that motivated `rules_of_chains`: 40,000 chains of 0-5 rules and one of
/// 5,000 (105,000 rules). The whole-table dump takes seconds here, so this
/// only runs on request: `cargo test --release --test nft_dump_pipeline --
/// --ignored --nocapture`.
#[test]
#[ignore]
fn kube_proxy_sized_table_timings() {
    netns();
    let mut sock = NfSocket::open().expect("open");
    let (ops, _) = build_mod(40_000, 5_000, 6);
    timed(&format!("commit {} ops", ops.len()), || {
        sock.commit(Family::V4, &ops, None).expect("commit")
    });
    let kchains = sock.chains(Family::V4, Some(TABLE)).expect("chains");
    let names: Vec<&str> = kchains.iter().map(|c| c.name.as_str()).collect();
    let piped = timed("rules_of_chains, all chains", || {
        sock.rules_of_chains(Family::V4, TABLE, &names)
            .expect("rules_of_chains")
    });
    let single = timed("rules(Some(chain)) per chain", || {
        names
            .iter()
            .map(|c| sock.rules(Family::V4, TABLE, Some(c)).expect("rules"))
            .collect::<Vec<_>>()
    });
    let whole = timed("rules(None), whole table", || {
        sock.rules(Family::V4, TABLE, None).expect("rules")
    });
    assert_eq!(piped, single);
    assert_eq!(whole, single.concat());
}
