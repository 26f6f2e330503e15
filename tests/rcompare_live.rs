//! rcompare against the live kernel's nf_tables, each test in a fresh
//! network namespace (needs root): rules loaded with rtables-restore are
//! read back with `--iptables live`, dumped as rtables JSON and compared,
//! and translations of IPVS files load and compare equal to their source.
//! The live IPVS side needs a kernel with IPVS: see tests/rcompare_vm.rs.

#[path = "rcompare_fixture.rs"]
mod fixture;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use fixture::{every_plant, kube, NODE_IP};
use nix::sched::{unshare, CloneFlags};
use serde_json::Value;

const RCOMPARE: &str = env!("CARGO_BIN_EXE_rcompare");
const RESTORE: &str = env!("CARGO_BIN_EXE_rtables-restore");
const SAVE: &str = env!("CARGO_BIN_EXE_rtables-save");

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(bin: &str, args: &[&str], stdin: Option<&str>) -> Out {
    let mut c = Command::new(bin);
    c.args(args)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    if let (Some(text), Some(mut w)) = (stdin, child.stdin.take()) {
        w.write_all(text.as_bytes()).expect("write stdin");
    }
    let o = child.wait_with_output().expect("wait");
    let out = Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    };
    assert!(
        !out.stderr.contains("panicked"),
        "{bin} panicked: {}",
        out.stderr
    );
    out
}

/// A fresh, empty network namespace for this test's thread and children.
fn fresh_netns() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "these tests need root (fresh network namespaces and nf_tables)"
    );
    unshare(CloneFlags::CLONE_NEWNET).expect("unshare(CLONE_NEWNET)");
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rcompare-live-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn write(d: &std::path::Path, name: &str, text: &str) -> String {
    let p = d.join(name);
    std::fs::write(&p, text).expect("write");
    p.to_string_lossy().into_owned()
}

fn restore(text: &str, v6: bool) {
    let args: &[&str] = if v6 { &["-6"] } else { &[] };
    let o = run(RESTORE, args, Some(text));
    assert_eq!(o.code, 0, "rtables-restore: {}", o.stderr);
}

fn statuses(json: &str) -> std::collections::BTreeMap<String, String> {
    let v: Value = serde_json::from_str(json).expect("JSON");
    v["services"]
        .as_array()
        .expect("services")
        .iter()
        .map(|s| {
            (
                format!(
                    "{} {}:{}",
                    s["protocol"].as_str().unwrap_or("?"),
                    s["vip"].as_str().unwrap_or("?"),
                    s["port"]
                ),
                s["status"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

fn expected(f: &fixture::Fixture) -> std::collections::BTreeMap<String, String> {
    f.expected
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect()
}

#[test]
fn live_rules_compare_like_the_file() {
    fresh_netns();
    let d = dir("file");
    let f = kube(150, &every_plant(150, 1));
    restore(&f.iptables, false);
    let ipvs = write(&d, "ipvs.rules", &f.ipvs);
    let live = run(
        RCOMPARE,
        &[
            "--ipvs",
            &ipvs,
            "--iptables",
            "live",
            "--node-ip",
            NODE_IP,
            "--json",
        ],
        None,
    );
    assert_eq!(live.code, 1, "{}", live.stderr);
    assert_eq!(statuses(&live.stdout), expected(&f));
    // The same rules as rtables JSON, from a file and from stdin.
    let dump = run(SAVE, &["--json"], None);
    assert_eq!(dump.code, 0, "{}", dump.stderr);
    let json = write(&d, "rules.json", &dump.stdout);
    let from_json = run(
        RCOMPARE,
        &[
            "--ipvs",
            &ipvs,
            "--iptables",
            &json,
            "--node-ip",
            NODE_IP,
            "--json",
        ],
        None,
    );
    assert_eq!(from_json.code, 1, "{}", from_json.stderr);
    assert_eq!(statuses(&from_json.stdout), expected(&f));
    let piped = run(
        RCOMPARE,
        &[
            "--ipvs",
            &ipvs,
            "--iptables",
            "-",
            "--node-ip",
            NODE_IP,
            "--json",
        ],
        Some(&dump.stdout),
    );
    assert_eq!(statuses(&piped.stdout), expected(&f));
    // And as save text.
    let text = run(SAVE, &[], None);
    let saved = write(&d, "rules.txt", &text.stdout);
    let o = run(
        RCOMPARE,
        &[
            "--ipvs",
            &ipvs,
            "--iptables",
            &saved,
            "--node-ip",
            NODE_IP,
            "--json",
        ],
        None,
    );
    assert_eq!(statuses(&o.stdout), expected(&f));
    // Cost reads the live rules too.
    let o = run(
        RCOMPARE,
        &[
            "--ipvs",
            &ipvs,
            "--iptables",
            "live",
            "--node-ip",
            NODE_IP,
            "cost",
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("rules on average before its DNAT"));
}

#[test]
fn translation_to_iptables_loads_and_compares_equal() {
    fresh_netns();
    let d = dir("translate");
    let f = kube(120, &every_plant(120, 1));
    let ipvs = write(&d, "ipvs.rules", &f.ipvs);
    let extra = write(
        &d,
        "extra.rules",
        "-A -f 7 -s wrr\n-a -f 7 -r 10.1.0.1:0 -m -w 1\n-a -f 7 -r 10.1.0.2:0 -m -w 3\n\
         -A -t 10.0.0.9:80 -s sh -p 600\n-a -t 10.0.0.9:80 -r 10.1.0.5:80 -m -w 1\n-a -t 10.0.0.9:80 -r 10.1.0.6:80 -m -w 2\n",
    );
    for src in [&ipvs, &extra] {
        let t = run(
            RCOMPARE,
            &["--ipvs", src, "translate", "--to", "iptables"],
            None,
        );
        assert_eq!(t.code, 0, "{}", t.stderr);
        restore(&t.stdout, false);
        let o = run(
            RCOMPARE,
            &["--ipvs", src, "--iptables", "live", "--node-ip", NODE_IP],
            None,
        );
        assert_eq!(o.code, 0, "{src}:\n{}{}", o.stdout, o.stderr);
    }
    // The live rules translate back to IPVS input equal to the source.
    let back = run(
        RCOMPARE,
        &["--iptables", "live", "translate", "--to", "ipvs"],
        None,
    );
    assert_eq!(back.code, 0, "{}", back.stderr);
    let back = write(&d, "back.rules", &back.stdout);
    let o = run(RCOMPARE, &["--ipvs", &back, "--iptables", &extra], None);
    assert_eq!(o.code, 2, "extra is IPVS text, not rules: {}", o.stdout);
    let o = run(RCOMPARE, &["--ipvs", &back, "--iptables", "live"], None);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
}

#[test]
fn ipv6_translation_loads_and_compares_equal() {
    fresh_netns();
    let d = dir("v6");
    let ipvs = write(
        &d,
        "ipvs6.rules",
        "-A -t [fd00::10]:443 -s rr\n-a -t [fd00::10]:443 -r [fd01::1]:8443 -m -w 1\n-a -t [fd00::10]:443 -r [fd01::2]:8443 -m -w 1\n-a -t [fd00::10]:443 -r [fd01::3]:8443 -m -w 2\n\
         -A -u [fd00::53]:53 -s wlc\n-a -u [fd00::53]:53 -r [fd01::53]:53 -m -w 1\n",
    );
    let t = run(
        RCOMPARE,
        &["-6", "--ipvs", &ipvs, "translate", "--to", "iptables"],
        None,
    );
    assert_eq!(t.code, 0, "{}", t.stderr);
    restore(&t.stdout, true);
    let o = run(
        RCOMPARE,
        &["-6", "--ipvs", &ipvs, "--iptables", "live", "--json"],
        None,
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert_eq!(statuses(&o.stdout).len(), 2);
    // The IPv4 nat table is empty: nothing to compare there.
    let o = run(RCOMPARE, &["--ipvs", "none", "--iptables", "live"], None);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(o.stdout.contains("no virtual services"), "{}", o.stdout);
}

#[test]
fn live_ipvs_without_ipvs_in_the_kernel_is_trouble() {
    // This machine's kernel has no IPVS (the VM test covers a kernel with it).
    let o = run(RCOMPARE, &["--iptables", "none"], None);
    if o.code == 0 {
        return; // A kernel with IPVS: nothing to check here.
    }
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.starts_with("rcompare: cannot read IPVS: "),
        "{}",
        o.stderr
    );
}
