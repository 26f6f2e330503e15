//! Microbenchmarks of the hot paths behind `rvsadm` and `rtables`, without a
//! kernel: parsing (ipvsadm restore lines, iptables rule lines), encoding
//! (rule → nf_tables expressions, expressions → netlink via libnftnl, IPVS
//! generic-netlink requests), decoding (the reverse) and formatting (save
//! output of a table, `ipvsadm -Sn`/`-Ln`).
//!
//! The "recorded" nf_tables messages are the NEWRULE messages the encoder
//! produces for each rule: the same attribute layout the kernel sends back in
//! a dump (less the handle and position).
//!
//! Run: `cargo bench --bench hot_paths` (scripts/bench.sh runs it and puts the
//! medians in BENCHMARKS.md). Short runs on purpose (the whole file in about a
//! minute); pass `-- --measurement-time 10` for tighter intervals.

use std::hint::black_box;
use std::net::IpAddr;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use netlb::ipvs::model::{
    Dest, Family as IpvsFamily, Forward, Protocol, Service, ServiceEntry, ServiceKey,
};
use netlb::ipvs::wire::{self, Request};
use netlb::ipvsadm::cli::Format;
use netlb::ipvsadm::render::{self as ipvs_render, Namer};
use netlb::netlink::MsgWriter;
use netlb::tables::cli;
use netlb::tables::expr::{Family, KRule, Op};
use netlb::tables::ffi;
use netlb::tables::render::{self, ChainView, TableView};
use netlb::tables::restore::split_words;
use netlb::tables::rule::{self, Place, Rule};

/// The iptables rule lines measured: the 100k filter set's rule and the
/// three kinds of rules of a kube-proxy nat table.
const RULES: &[(&str, &str, &str)] = &[
    (
        "filter",
        "filter",
        "-A CH0 -s 10.0.3.7/32 -p tcp -m tcp --dport 80 -j ACCEPT",
    ),
    (
        "kube_service",
        "nat",
        "-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment \"ns/svc10:http cluster IP\" -m tcp --dport 80 -j KUBE-SVC-0123456789ABCDEF",
    ),
    (
        "kube_statistic",
        "nat",
        "-A KUBE-SVC-0123456789ABCDEF -m comment --comment \"ns/svc10:http -> 10.244.0.10:8080\" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-0123456789ABCDEF",
    ),
    (
        "kube_dnat",
        "nat",
        "-A KUBE-SEP-0123456789ABCDEF -p tcp -m comment --comment \"ns/svc10:http\" -m tcp -j DNAT --to-destination 10.244.0.10:8080",
    ),
];

fn parse_rule(table: &str, line: &str) -> (String, Rule) {
    let mut words = split_words(line);
    words.insert(0, table.to_string());
    words.insert(0, "-t".to_string());
    let inv = cli::parse(&words, Family::V4).expect("benchmark rule parses");
    let chain = inv.chain.clone().expect("rule has a chain");
    let r = inv.rules().into_iter().next().expect("one rule");
    (chain, r)
}

fn encode_rule(table: &str, chain: &str, r: &Rule) -> KRule {
    rule::encode(
        r,
        Place {
            family: Family::V4,
            table,
            chain,
        },
    )
}

fn nft_message(k: &KRule) -> Vec<u8> {
    let mut buf = Vec::new();
    let op = Op::AddRule {
        rule: k.clone(),
        append: true,
        replace: false,
    };
    ffi::encode_op(&mut buf, Family::V4, &op, 1).expect("encodes");
    buf
}

fn ipvs_key(i: u32) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: IpAddr::V4((0x0a01_0001 + i).into()),
        port: 80,
    }
}

fn ipvs_dest(i: u32, j: u32) -> Dest {
    let mut d = Dest::new(IpAddr::V4((0xc0a8_0101 + j * 256 + i % 250).into()), 8080);
    d.forward = Forward::Masq;
    d
}

fn ipvs_message(req: &Request) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut w = MsgWriter::new(&mut buf, 0x24, 0, 0, req.cmd(), 1);
    req.encode(&mut w);
    w.finish();
    buf
}

fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(1));
    for (name, line) in [
        ("ipvsadm_service", "-A -t 10.1.0.1:80 -s rr"),
        (
            "ipvsadm_dest",
            "-a -t 10.1.0.1:80 -r 192.168.1.1:8080 -m -w 1",
        ),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let words = netlb::ipvsadm::restore_words(black_box(line));
                netlb::ipvsadm::cli::parse(&words, "rvsadm", true).is_ok()
            })
        });
    }
    for &(name, table, line) in RULES {
        let mut words = split_words(line);
        words.insert(0, table.to_string());
        words.insert(0, "-t".to_string());
        g.bench_function(format!("iptables_{name}"), |b| {
            b.iter(|| {
                let w = split_words(black_box(line));
                black_box(w);
                cli::parse(black_box(&words), Family::V4).is_ok()
            })
        });
    }
    g.finish();
}

fn encode(c: &mut Criterion) {
    let mut g = c.benchmark_group("encode");
    g.throughput(Throughput::Elements(1));
    for &(name, table, line) in RULES {
        let (chain, r) = parse_rule(table, line);
        g.bench_function(format!("nft_rule_{name}"), |b| {
            b.iter(|| encode_rule(table, &chain, black_box(&r)))
        });
        let k = encode_rule(table, &chain, &r);
        let op = Op::AddRule {
            rule: k,
            append: true,
            replace: false,
        };
        let mut buf = Vec::with_capacity(4096);
        g.bench_function(format!("nft_msg_{name}"), |b| {
            b.iter(|| {
                buf.clear();
                ffi::encode_op(&mut buf, Family::V4, black_box(&op), 1).expect("encodes");
                buf.len()
            })
        });
    }
    let svc = Request::NewService(Service::new(ipvs_key(7)));
    let dest = Request::NewDest(ipvs_key(7), ipvs_dest(7, 3));
    let mut buf = Vec::with_capacity(512);
    for (name, req) in [("ipvs_new_service", &svc), ("ipvs_new_dest", &dest)] {
        g.bench_function(name, |b| {
            b.iter(|| {
                buf.clear();
                let mut w = MsgWriter::new(&mut buf, 0x24, 0, 0, req.cmd(), 1);
                black_box(req).encode(&mut w);
                w.finish();
                buf.len()
            })
        });
    }
    g.finish();
}

fn decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(1));
    for &(name, table, line) in RULES {
        let (chain, r) = parse_rule(table, line);
        let k = encode_rule(table, &chain, &r);
        let msg = nft_message(&k);
        g.bench_function(format!("nft_msg_{name}"), |b| {
            b.iter(|| ffi::decode_rule(black_box(&msg)).expect("decodes"))
        });
        let back = ffi::decode_rule(&msg).expect("decodes");
        g.bench_function(format!("nft_rule_{name}"), |b| {
            b.iter(|| rule::decode(black_box(&back), Family::V4))
        });
    }
    let svc = ipvs_message(&Request::NewService(Service::new(ipvs_key(7))));
    let dest = ipvs_message(&Request::NewDest(ipvs_key(7), ipvs_dest(7, 3)));
    g.bench_function("ipvs_service", |b| {
        b.iter(|| wire::decode_service(black_box(&svc[20..])).expect("decodes"))
    });
    g.bench_function("ipvs_dest", |b| {
        b.iter(|| wire::decode_dest(black_box(&dest[20..]), IpvsFamily::Inet).expect("decodes"))
    });
    g.finish();
}

/// A 10,000-rule filter table (10 chains of 1,000) and a kube-proxy nat table
/// of 1,000 services × 3 endpoints (~10,000 rules), as decoded rules.
fn tables() -> Vec<(&'static str, TableView, u64)> {
    let decoded = |table: &str, line: &str| {
        let (chain, r) = parse_rule(table, line);
        let k = encode_rule(table, &chain, &r);
        (chain, rule::decode(&k, Family::V4))
    };
    let chain = |name: &str, policy: Option<&'static str>, rules: Vec<Rule>| ChainView {
        name: name.to_string(),
        policy,
        counters: (0, 0),
        refs: 0,
        rules,
    };

    let mut filter = vec![
        chain("INPUT", Some("ACCEPT"), Vec::new()),
        chain("FORWARD", Some("ACCEPT"), Vec::new()),
        chain("OUTPUT", Some("ACCEPT"), Vec::new()),
    ];
    for c in 0..10 {
        filter[0]
            .rules
            .push(decoded("filter", &format!("-A INPUT -j CH{c}")).1);
        let mut rules = Vec::new();
        for i in 0..1000u32 {
            let n = c * 1000 + i;
            let line = format!(
                "-A CH{c} -s 10.0.{}.{}/32 -p tcp -m tcp --dport {} -j ACCEPT",
                n >> 8,
                n & 255,
                1 + n
            );
            rules.push(decoded("filter", &line).1);
        }
        filter.push(chain(&format!("CH{c}"), None, rules));
    }

    let services = 1000u32;
    let svc = |s: u32| format!("KUBE-SVC-{:016X}", 0x5eed_0000_0000 + u64::from(s));
    let sep = |s: u32, e: u32| format!("KUBE-SEP-{:016X}", 0x5ee9_0000_0000 + u64::from(s * 4 + e));
    let mut nat = vec![
        chain("PREROUTING", Some("ACCEPT"), Vec::new()),
        chain("INPUT", Some("ACCEPT"), Vec::new()),
        chain("OUTPUT", Some("ACCEPT"), Vec::new()),
        chain("POSTROUTING", Some("ACCEPT"), Vec::new()),
    ];
    let mut services_chain = Vec::new();
    let mut user = Vec::new();
    for s in 0..services {
        services_chain.push(
            decoded(
                "nat",
                &format!(
                    "-A KUBE-SERVICES -d 10.96.{}.{}/32 -p tcp -m comment --comment \"ns/svc{s}:http cluster IP\" -m tcp --dport 80 -j {}",
                    s >> 8,
                    s & 255,
                    svc(s)
                ),
            )
            .1,
        );
        let mut svc_rules = Vec::new();
        for e in 0..3 {
            let ip = format!("10.244.{e}.{}", s % 250);
            let stat = match 3 - e {
                1 => String::new(),
                left => format!(
                    " -m statistic --mode random --probability {:.11}",
                    1.0 / f64::from(left)
                ),
            };
            svc_rules.push(
                decoded(
                    "nat",
                    &format!(
                        "-A {} -m comment --comment \"ns/svc{s}:http -> {ip}:8080\"{stat} -j {}",
                        svc(s),
                        sep(s, e)
                    ),
                )
                .1,
            );
            let sep_rules = vec![
                decoded(
                    "nat",
                    &format!(
                        "-A {} -s {ip}/32 -m comment --comment \"ns/svc{s}:http\" -j KUBE-MARK-MASQ",
                        sep(s, e)
                    ),
                )
                .1,
                decoded(
                    "nat",
                    &format!(
                        "-A {} -p tcp -m comment --comment \"ns/svc{s}:http\" -m tcp -j DNAT --to-destination {ip}:8080",
                        sep(s, e)
                    ),
                )
                .1,
            ];
            user.push(chain(&sep(s, e), None, sep_rules));
        }
        user.push(chain(&svc(s), None, svc_rules));
    }
    user.push(chain("KUBE-MARK-MASQ", None, Vec::new()));
    user.push(chain("KUBE-SERVICES", None, services_chain));
    user.sort_by(|a, b| a.name.cmp(&b.name));
    nat.extend(user);

    let count = |t: &[ChainView]| t.iter().map(|c| c.rules.len() as u64).sum::<u64>();
    let (nf, nn) = (count(&filter), count(&nat));
    vec![
        (
            "save_filter_10k",
            TableView {
                family: Family::V4,
                name: "filter".into(),
                chains: filter,
            },
            nf,
        ),
        (
            "save_kube_1k_services",
            TableView {
                family: Family::V4,
                name: "nat".into(),
                chains: nat,
            },
            nn,
        ),
    ]
}

fn ipvs_entries(services: u32, dests: u32) -> Vec<ServiceEntry> {
    let mut entries: Vec<ServiceEntry> = (0..services)
        .map(|i| {
            let svc = ipvs_message(&Request::NewService(Service::new(ipvs_key(i))));
            ServiceEntry {
                service: wire::decode_service(&svc[20..]).expect("decodes"),
                dests: (0..dests)
                    .map(|j| {
                        let m = ipvs_message(&Request::NewDest(ipvs_key(i), ipvs_dest(i, j)));
                        wire::decode_dest(&m[20..], IpvsFamily::Inet).expect("decodes")
                    })
                    .collect(),
            }
        })
        .collect();
    ipvs_render::sort_entries(&mut entries);
    entries
}

fn format(c: &mut Criterion) {
    let mut g = c.benchmark_group("format");
    let mut out = String::with_capacity(16 << 20);
    for (name, t, rules) in tables() {
        g.throughput(Throughput::Elements(rules));
        g.bench_function(name, |b| {
            b.iter(|| {
                out.clear();
                render::save_table(black_box(&t), false, &mut out);
                out.len()
            })
        });
    }
    let entries = ipvs_entries(2000, 10);
    let namer = Namer::new(true);
    g.throughput(Throughput::Elements(22_000));
    g.bench_function("ipvsadm_save_2000x10", |b| {
        b.iter(|| ipvs_render::save(black_box(&entries), &namer).len())
    });
    let f = Format {
        numeric: true,
        ..Format::default()
    };
    g.bench_function("ipvsadm_list_2000x10", |b| {
        b.iter(|| ipvs_render::list(black_box(&entries), &f, &namer).len())
    });
    g.bench_function("ipvsadm_sort_2000x10", |b| {
        b.iter_batched(
            || {
                let mut e = entries.clone();
                e.reverse();
                e
            },
            |mut e| {
                ipvs_render::sort_entries(&mut e);
                e
            },
            criterion::BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
}

criterion_group! {
    name = benches;
    config = config();
    targets = parse, encode, decode, format
}
criterion_main!(benches);
