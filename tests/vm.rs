//! The VM tier: boots Debian's kernel (which has IPVS) under QEMU with rvsadm
//! and the real ipvsadm 1.31 inside, and runs the guest suites in
//! `tests/vm/`. A missing prerequisite fails with the command that installs it.

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

const INSTALL: &str = "sudo scripts/install-deps.sh";

fn prerequisites() {
    let tools = [
        "qemu-system-x86_64",
        "cpio",
        "depmod",
        "modprobe",
        "busybox",
        "ipvsadm",
        "apt-get",
        "dpkg-deb",
    ];
    let path = format!(
        "{}:/usr/sbin:/sbin",
        std::env::var("PATH").unwrap_or_default()
    );
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| !path.split(':').any(|d| Path::new(d).join(t).is_file()))
        .collect();
    assert!(
        missing.is_empty() && Path::new("/bin/busybox").exists(),
        "missing {missing:?} (and busybox-static at /bin/busybox): run `{INSTALL}`"
    );
}

/// One VM at a time: the kernel cache is prepared on first use, and the
/// machine has two cores.
static VM: Mutex<()> = Mutex::new(());

/// Runs one guest script and checks its `N passed, N failed` line.
fn run_guest(script: &str) {
    let _one_at_a_time = VM.lock().unwrap_or_else(|e| e.into_inner());
    prerequisites();
    let root = env!("CARGO_MANIFEST_DIR");
    let log = format!("{root}/target/vm/{}.log", script.replace('/', "_"));
    let out = Command::new(format!("{root}/scripts/vm/run.sh"))
        .arg(format!("{root}/{script}"))
        .env("RVSADM", env!("CARGO_BIN_EXE_rvsadm"))
        .env("RVSADM_VM_LOG", &log)
        .current_dir(root)
        .output()
        .expect("scripts/vm/run.sh runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Show the failures (and only them) when the suite is red.
    let failures: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("FAIL"))
        .collect();
    let summary = stdout
        .lines()
        .rev()
        .find(|l| l.ends_with(" failed") && l.contains(" passed, "))
        .unwrap_or("");
    let counts: Vec<u64> = summary
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    println!("{script}: {summary}");
    assert!(
        out.status.success() && counts.len() == 2 && counts[1] == 0 && counts[0] > 0,
        "{script} failed (exit {:?}, summary {summary:?}; console log {log})\n{}\n{stderr}",
        out.status.code(),
        failures.join("\n")
    );
}

#[test]
fn differential_against_ipvsadm() {
    run_guest("tests/vm/differential.sh");
}

#[test]
fn traffic_through_nat_and_dr_services() {
    run_guest("tests/vm/traffic.sh");
}
