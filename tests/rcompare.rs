//! rcompare end to end on generated files: kube-proxy-style pairs with
//! planted differences, every output, translations round trips, cost,
//! bad input, IPv6, and the 5,000-service run (timed).

#[path = "rcompare_fixture.rs"]
mod fixture;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use fixture::{every_plant, kube, Plant, NODE_IP};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_rcompare");

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Out {
    run_env(args, &[])
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut c = Command::new(BIN);
    c.args(args)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().expect("rcompare runs");
    let out = Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    };
    assert!(
        !out.stderr.contains("panicked"),
        "rcompare panicked: {}",
        out.stderr
    );
    out
}

/// A directory of its own for one test.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rcompare-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn write(d: &std::path::Path, name: &str, text: &str) -> String {
    let p = d.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p.to_string_lossy().into_owned()
}

fn statuses(json: &str) -> std::collections::BTreeMap<String, String> {
    let v: Value = serde_json::from_str(json).expect("JSON output");
    assert_eq!(v["schema"], "rcompare/1");
    v["services"]
        .as_array()
        .expect("services")
        .iter()
        .map(|s| {
            let k = format!(
                "{} {}:{}",
                s["protocol"].as_str().unwrap_or("?"),
                s["vip"].as_str().unwrap_or("?"),
                s["port"]
            );
            (k, s["status"].as_str().unwrap_or("?").to_string())
        })
        .collect()
}

fn check_classification(f: &fixture::Fixture, json: &str) {
    let got = statuses(json);
    let want: std::collections::BTreeMap<String, String> = f
        .expected
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    let wrong: Vec<String> = want
        .iter()
        .filter(|(k, v)| got.get(*k) != Some(v))
        .map(|(k, v)| format!("{k}: want {v}, got {:?}", got.get(k)))
        .chain(
            got.keys()
                .filter(|k| !want.contains_key(*k))
                .map(|k| format!("{k}: unexpected")),
        )
        .collect();
    assert!(
        wrong.is_empty(),
        "{} misclassified:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn equal_sides_are_the_same() {
    let d = dir("same");
    let f = kube(40, &[]);
    let ipt = write(&d, "nat.rules", &f.iptables);
    let ipvs = write(&d, "ipvs.rules", &f.ipvs);
    let o = run(&["--ipvs", &ipvs, "--iptables", &ipt, "--node-ip", NODE_IP]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let n = f.expected.len();
    assert!(
        o.stdout.contains(&format!(
            "{n} services: {n} same, 0 differ, 0 only in IPVS, 0 only in iptables"
        )),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("ns0/svc0:http"), "names from comments");
    assert!(o.stdout.contains("│ Service"), "a comfy table");
    assert!(!o.stdout.contains('\x1b'), "no colour off a terminal");
}

#[test]
fn every_planted_difference_is_classified() {
    let d = dir("planted");
    let f = kube(150, &every_plant(150, 2));
    let ipt = write(&d, "nat.rules", &f.iptables);
    let ipvs = write(&d, "ipvs.rules", &f.ipvs);
    let o = run(&[
        "--ipvs",
        &ipvs,
        "--iptables",
        &ipt,
        "--node-ip",
        NODE_IP,
        "--json",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    check_classification(&f, &o.stdout);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    let reasons: std::collections::BTreeSet<String> = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["reasons"].as_array().cloned().unwrap_or_default())
        .filter_map(|r| r.as_str().map(str::to_string))
        .collect();
    assert_eq!(
        reasons.into_iter().collect::<Vec<_>>(),
        ["backends", "persistence", "ports", "shares"]
    );
    assert_eq!(v["summary"]["equivalent"], false);
    // The leak shows as a share that is not DNATed.
    assert!(o.stdout.contains("\"what\": \"not DNATed\""));
}

#[test]
fn nodeports_without_node_ip_are_local() {
    let d = dir("local");
    let f = kube(25, &[]);
    let ipt = write(&d, "nat.rules", &f.iptables);
    let ipvs = write(&d, "ipvs.rules", &f.ipvs);
    let o = run(&["--ipvs", &ipvs, "--iptables", &ipt, "--json"]);
    assert_eq!(o.code, 1);
    let s = statuses(&o.stdout);
    assert_eq!(s["tcp LOCAL:30000"], "only-iptables");
    assert_eq!(s[&format!("tcp {NODE_IP}:30000")], "only-ipvs");
    assert!(o.stdout.contains("--node-ip"), "the note says what to do");
}

#[test]
fn diff_lines_show_both_sides() {
    let d = dir("diff");
    let f = kube(
        60,
        &[
            (10, Plant::CascadeShares),
            (20, Plant::BackendPort),
            (30, Plant::OnlyIpvs),
        ],
    );
    let ipt = write(&d, "nat.rules", &f.iptables);
    let ipvs = write(&d, "ipvs.rules", &f.ipvs);
    let o = run(&[
        "--ipvs",
        &ipvs,
        "--iptables",
        &ipt,
        "--node-ip",
        NODE_IP,
        "--diff",
    ]);
    assert_eq!(o.code, 1);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(lines[0].starts_with("--- IPVS ("), "{}", o.stdout);
    assert!(lines[1].starts_with("+++ iptables ("));
    let heads: Vec<&&str> = lines.iter().filter(|l| l.starts_with("@@ ")).collect();
    assert_eq!(heads.len(), 3, "{}", o.stdout);
    assert!(heads.iter().any(|h| h.ends_with("differs: shares")));
    assert!(heads.iter().any(|h| h.ends_with("differs: ports")));
    assert!(heads.iter().any(|h| h.ends_with("only in IPVS")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with('-') && l.ends_with("33.3%")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with('+') && l.ends_with("50.0%")));
    assert!(lines.iter().any(|l| l.starts_with(' ')));
}

#[test]
fn colour_follows_the_option_and_no_color() {
    let d = dir("color");
    let f = kube(5, &[(1, Plant::Persistence)]);
    let ipt = write(&d, "nat.rules", &f.iptables);
    let ipvs = write(&d, "ipvs.rules", &f.ipvs);
    let base = ["--ipvs", ipvs.as_str(), "--iptables", ipt.as_str()];
    let with = |extra: &[&str], env: &[(&str, &str)]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(extra);
        run_env(&a, env).stdout.contains('\x1b')
    };
    assert!(with(&["--color", "always"], &[]));
    assert!(with(&["--color", "always", "--diff"], &[]));
    assert!(!with(&["--color", "never"], &[]));
    assert!(!with(&[], &[]), "auto off a terminal");
    assert!(!with(&["--color", "auto"], &[("NO_COLOR", "1")]));
}

#[test]
fn cost_measures_rules_against_one_lookup() {
    let d = dir("cost");
    let f = kube(200, &[]);
    let ipt = write(&d, "nat.rules", &f.iptables);
    let ipvs = write(&d, "ipvs.rules", &f.ipvs);
    let o = run(&[
        "--ipvs",
        &ipvs,
        "--iptables",
        &ipt,
        "--node-ip",
        NODE_IP,
        "cost",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("iptables rules before DNAT"),
        "{}",
        o.stdout
    );
    assert!(o
        .stdout
        .contains("1 hash lookup + rr picks from 3 servers = 2"));
    assert!(o.stdout.contains("rules on average before its DNAT"));
    let o = run(&[
        "--ipvs",
        &ipvs,
        "--iptables",
        &ipt,
        "--node-ip",
        NODE_IP,
        "cost",
        "--json",
    ]);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    let t = &v["cost"]["totals"];
    let ipt_mean = t["iptables_mean_expected"].as_f64().unwrap();
    let ipvs_mean = t["ipvs_mean_steps"].as_f64().unwrap();
    // KUBE-SERVICES is walked linearly: on average half of ~180 rules.
    assert!(ipt_mean > 80.0 && ipvs_mean < 5.0, "{t}");
    // The first service's DNAT is reached fastest; later ones need more.
    let svcs = v["cost"]["services"].as_array().unwrap();
    let first = svcs.iter().find(|s| s["vip"] == "10.96.0.0").unwrap();
    let last = svcs.iter().find(|s| s["vip"] == "10.96.0.199").unwrap();
    assert!(first["iptables"]["worst"].as_u64() < last["iptables"]["best"].as_u64());
    // Without IPVS at all, cost still reports iptables.
    let o = run(&["--ipvs", "none", "--iptables", &ipt, "cost"]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains("IPVS: no services"));
}

#[test]
fn translations_round_trip_through_files() {
    let d = dir("translate");
    let f = kube(120, &every_plant(120, 1));
    let ipt = write(&d, "nat.rules", &f.iptables);
    let ipvs = write(&d, "ipvs.rules", &f.ipvs);
    // IPVS -> iptables -> compare with the IPVS source.
    let t = run(&["--ipvs", &ipvs, "translate", "--to", "iptables"]);
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert!(t
        .stdout
        .contains("-m statistic --mode random --probability 0.33333333333"));
    assert!(t.stdout.contains("-m recent --rcheck --seconds 10800"));
    let back = write(&d, "from-ipvs.rules", &t.stdout);
    let o = run(&["--ipvs", &ipvs, "--iptables", &back, "--json"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    // iptables -> IPVS -> compare with the iptables source.
    let t = run(&[
        "--iptables",
        &ipt,
        "--node-ip",
        NODE_IP,
        "translate",
        "--to",
        "ipvs",
    ]);
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert!(t.stdout.contains(" -s wrr -p 10800\n"));
    assert!(
        t.stderr.contains("not DNATed"),
        "the leak is reported: {}",
        t.stderr
    );
    let back = write(&d, "from-iptables.rules", &t.stdout);
    let o = run(&[
        "--ipvs",
        &back,
        "--iptables",
        &ipt,
        "--node-ip",
        NODE_IP,
        "--json",
    ]);
    // The leak cannot be written for IPVS: that one service differs.
    let s = statuses(&o.stdout);
    let bad: Vec<_> = s.iter().filter(|(_, v)| *v != "same").collect();
    assert_eq!(bad.len(), 1, "{bad:?}");
    // A translation of a translation is stable.
    let t2 = run(&["--ipvs", &back, "translate", "--to", "iptables"]);
    let again = write(&d, "again.rules", &t2.stdout);
    let o = run(&["--ipvs", &back, "--iptables", &again]);
    assert_eq!(o.code, 0, "{}", o.stdout);
}

#[test]
fn fwmark_and_zero_weight_services_translate() {
    let d = dir("fwmark");
    let ipvs = write(
        &d,
        "ipvs.rules",
        "-A -f 7 -s wrr\n-a -f 7 -r 10.1.0.1:0 -m -w 1\n-a -f 7 -r 10.1.0.2:0 -m -w 3\n\
         -A -t 10.0.0.9:80 -s fo\n-a -t 10.0.0.9:80 -r 10.1.0.5:80 -m -w 1\n-a -t 10.0.0.9:80 -r 10.1.0.6:80 -m -w 2\n\
         -A -u 10.0.0.10:53 -s rr\n-a -u 10.0.0.10:53 -r 10.1.0.7:53 -m -w 0\n",
    );
    let t = run(&["--ipvs", &ipvs, "translate", "--to", "iptables"]);
    assert_eq!(t.code, 0, "{}", t.stderr);
    let fw = t.stdout.find("-m mark --mark 0x7").unwrap();
    let addr = t.stdout.find("-d 10.0.0.9/32").unwrap();
    assert!(
        fw < addr,
        "fwmark services come first, as IPVS looks them up first"
    );
    assert!(t.stdout.contains("--probability 0.25000000000"));
    assert!(t.stdout.contains("-j DROP"), "a service without servers");
    let back = write(&d, "nat.rules", &t.stdout);
    let o = run(&["--ipvs", &ipvs, "--iptables", &back]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(o.stdout.contains("fwmark 7"));
}

#[test]
fn ipv6_services() {
    let d = dir("v6");
    let ipvs = write(
        &d,
        "ipvs.rules",
        "-A -t [fd00::10]:443 -s rr\n-a -t [fd00::10]:443 -r [fd01::1]:8443 -m -w 1\n-a -t [fd00::10]:443 -r [fd01::2]:8443 -m -w 1\n\
         -A -t 10.0.0.1:80 -s rr\n",
    );
    let t = run(&["--ipvs", &ipvs, "-6", "translate", "--to", "iptables"]);
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert!(t.stdout.contains("-d fd00::10/128"), "{}", t.stdout);
    assert!(t.stdout.contains("--to-destination [fd01::1]:8443"));
    let ipt = write(&d, "nat6.rules", &t.stdout);
    let o = run(&["--ipvs", &ipvs, "--iptables", &ipt, "-6", "--json"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert_eq!(statuses(&o.stdout)["tcp fd00::10:443"], "same");
    assert!(o.stdout.contains("IPv4 service(s) left out"));
    // The IPv6 rules read as IPv4 are an error that names the line.
    let o = run(&["--ipvs", &ipvs, "--iptables", &ipt]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("line "), "{}", o.stderr);
}

#[test]
fn bad_input_is_named_never_a_panic() {
    let d = dir("bad");
    let f = kube(20, &[]);
    let good_ipt = write(&d, "nat.rules", &f.iptables);
    let good_ipvs = write(&d, "ipvs.rules", &f.ipvs);
    let cases: Vec<(&str, &str, String, &str)> = vec![
        (
            "truncated iptables",
            "--iptables",
            f.iptables[..f.iptables.len() / 2].to_string(),
            "COMMIT expected (is the file truncated?)",
        ),
        (
            "truncated rule",
            "--iptables",
            {
                let cut = f.iptables.find("-j DNAT --to-destination").unwrap() + 9;
                format!("{}\nCOMMIT\n", &f.iptables[..cut])
            },
            "line ",
        ),
        (
            "unknown match",
            "--iptables",
            f.iptables.replacen(
                "-A KUBE-SERVICES -d 10.96.0.0/32",
                "-A KUBE-SERVICES -m frobnicate --frob 1 -d 10.96.0.0/32",
                1,
            ),
            "Couldn't load match `frobnicate'",
        ),
        (
            "undeclared chain",
            "--iptables",
            f.iptables.replacen(":KUBE-MARK-MASQ - [0:0]\n", "", 1),
            "KUBE-MARK-MASQ",
        ),
        (
            "unknown scheduler",
            "--ipvs",
            f.ipvs.replacen("-s rr", "-s fancy", 1),
            "line 1: unknown scheduler `fancy'",
        ),
        (
            "truncated ipvs",
            "--ipvs",
            f.ipvs[..f.ipvs.rfind(" -r ").unwrap_or(0) + 3].to_string(),
            "line ",
        ),
        (
            "orphan real server",
            "--ipvs",
            f.ipvs.lines().skip(1).collect::<Vec<_>>().join("\n"),
            "line 1: real server for a service not defined above",
        ),
        (
            "truncated json",
            "--ipvs",
            "{\"schema\":\"rvsadm/1\",\"services\":[{\"protocol\":\"tcp\",".into(),
            "line 1 column",
        ),
        (
            "json of the wrong tool",
            "--ipvs",
            "{\"schema\":\"rtables/1\",\"tables\":[]}".into(),
            "expected \"rvsadm/1\"",
        ),
    ];
    for (what, side, text, want) in cases {
        let p = write(&d, "bad", &text);
        let (ipvs, ipt) = if side == "--ipvs" {
            (p.as_str(), good_ipt.as_str())
        } else {
            (good_ipvs.as_str(), p.as_str())
        };
        let o = run(&["--ipvs", ipvs, "--iptables", ipt]);
        assert_eq!(o.code, 2, "{what}: exit {}, {}", o.code, o.stderr);
        assert!(o.stderr.starts_with("rcompare: "), "{what}: {}", o.stderr);
        assert!(
            o.stderr.contains(&p),
            "{what}: names the file: {}",
            o.stderr
        );
        assert!(o.stderr.contains(want), "{what}: {}", o.stderr);
        assert_eq!(
            o.stderr.lines().count(),
            1,
            "{what}: one line: {}",
            o.stderr
        );
    }
    let o = run(&["--ipvs", "/nonexistent/ipvs.rules", "--iptables", &good_ipt]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("/nonexistent/ipvs.rules: No such file"));
    let o = run(&["--frobnicate"]);
    assert_eq!(o.code, 2);
    let o = run(&["--help"]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains("translate") && o.stdout.contains("cost"));
}

#[test]
fn rules_rcompare_does_not_interpret_are_reported() {
    let d = dir("notes");
    let f = kube(10, &[]);
    // kube-proxy's IPVS mode keeps ipset rules in nat; a REDIRECT; a
    // client-dependent jump.
    let ipt = f
        .iptables
        .replacen(
            "-A KUBE-SERVICES -d 10.96.0.0/32",
            "-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ\n-A KUBE-SERVICES -s 10.200.0.0/16 -d 10.96.0.2/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.9.9.9:80\n-A KUBE-SERVICES -d 10.99.0.1/32 -p tcp -m tcp --dport 25 -j REDIRECT --to-ports 2525\n-A KUBE-SERVICES -d 10.96.0.0/32",
            1,
        );
    let ipt = write(&d, "nat.rules", &ipt);
    let ipvs = write(&d, "ipvs.rules", &f.ipvs);
    let o = run(&[
        "--ipvs",
        &ipvs,
        "--iptables",
        &ipt,
        "--node-ip",
        NODE_IP,
        "--json",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    let svc = |vip: &str, port: u64| {
        v["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["vip"] == vip && s["port"] == port)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let s2 = svc("10.96.0.2", 80);
    assert_eq!(
        s2["status"], "same",
        "the client-dependent DNAT is assumed away"
    );
    let note = s2["iptables"]["notes"][0].as_str().unwrap_or("");
    assert!(
        note.contains("`-s 10.200.0.0/16' depends on the client"),
        "{note}"
    );
    assert!(note.starts_with("line "), "{note}");
    let r = svc("10.99.0.1", 25);
    assert_eq!(r["status"], "only-iptables");
    assert!(r["iptables"]["leaks"][0]["what"]
        .as_str()
        .unwrap_or("")
        .starts_with("-j REDIRECT"));
    // The set match is not relevant (its target only marks): no note.
    assert!(!o.stdout.contains("match-set"), "{}", o.stdout);
}

#[test]
fn five_thousand_services_classified_and_timed() {
    let d = dir("scale");
    let n = 5000;
    let f = kube(n, &every_plant(n, 3));
    let ipt = write(&d, "nat.rules", &f.iptables);
    let ipvs = write(&d, "ipvs.rules", &f.ipvs);
    let lines = f.iptables.lines().count() + f.ipvs.lines().count();
    let t0 = Instant::now();
    let o = run(&[
        "--ipvs",
        &ipvs,
        "--iptables",
        &ipt,
        "--node-ip",
        NODE_IP,
        "--json",
    ]);
    let json_time = t0.elapsed();
    assert_eq!(o.code, 1, "{}", o.stderr);
    check_classification(&f, &o.stdout);
    let t0 = Instant::now();
    let table = run(&["--ipvs", &ipvs, "--iptables", &ipt, "--node-ip", NODE_IP]);
    let table_time = t0.elapsed();
    assert_eq!(table.code, 1);
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "rcompare, {n} services ({} keys, {lines} input lines), {build} build: --json {:.3}s, table {:.3}s",
        f.expected.len(),
        json_time.as_secs_f64(),
        table_time.as_secs_f64()
    );
    if !cfg!(debug_assertions) {
        assert!(json_time.as_secs_f64() < 1.0, "{json_time:?}");
    }
}

#[test]
fn mangle_marks_feed_fwmark_services() {
    let d = dir("feeds");
    let ipvs = write(
        &d,
        "ipvs.rules",
        "-A -f 7 -s rr\n-a -f 7 -r 10.1.0.1:0 -m -w 1\n",
    );
    let t = run(&["--ipvs", &ipvs, "translate", "--to", "iptables"]);
    let mangle = "*mangle\n:PREROUTING ACCEPT [0:0]\n\
        -A PREROUTING -d 10.0.0.5/32 -p tcp -m multiport --dports 80,443 -j MARK --set-mark 7\nCOMMIT\n";
    let ipt = write(&d, "rules", &format!("{mangle}{}", t.stdout));
    let o = run(&["--ipvs", &ipvs, "--iptables", &ipt, "--json"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(
        o.stdout
            .contains("marked by the mangle rule at line 3: tcp 10.0.0.5:80,443"),
        "{}",
        o.stdout
    );
    // Packets the mangle table marks 7 reach the fwmark service, not an
    // address service of their own.
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["summary"]["services"], 1);
}
