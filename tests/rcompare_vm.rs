//! rcompare with live IPVS: one boot of the project's QEMU rig (Debian's
//! kernel has IPVS, this machine's does not) running tests/vm/rcompare.sh
//! with rcompare and rvsadm inside. The fixtures and the
//! expected classification are made here, from files, by the same binary.

#[path = "rcompare_fixture.rs"]
mod fixture;

use std::path::{Path, PathBuf};
use std::process::Command;

use fixture::{every_plant, kube, NODE_IP};

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

fn write(d: &Path, name: &str, text: &str) -> PathBuf {
    let p = d.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p
}

#[test]
fn live_ipvs_in_the_vm() {
    prerequisites();
    let root = env!("CARGO_MANIFEST_DIR");
    let rcompare = env!("CARGO_BIN_EXE_rcompare");
    let d = PathBuf::from(format!("{root}/target/vm/rcompare"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("fixture dir");
    let planted = kube(200, &every_plant(200, 1));
    let same = kube(120, &[]);
    let files = vec![
        write(&d, "rc-ipvs.rules", &planted.ipvs),
        write(&d, "rc-nat.rules", &planted.iptables),
        write(&d, "rc-same-ipvs.rules", &same.ipvs),
        write(&d, "rc-same-nat.rules", &same.iptables),
        write(
            &d,
            "rc-extra.rules",
            "-A -f 7 -s wrr\n-a -f 7 -r 10.1.0.1:0 -m -w 1\n-a -f 7 -r 10.1.0.2:0 -m -w 3\n\
             -A -t 10.0.0.9:80 -s fo\n-a -t 10.0.0.9:80 -r 10.1.0.5:80 -m -w 1\n-a -t 10.0.0.9:80 -r 10.1.0.6:80 -m -w 2\n\
             -A -u 10.0.0.10:53 -s rr\n-a -u 10.0.0.10:53 -r 10.1.0.7:53 -m -w 0\n\
             -A -t [2001:db8::80]:443 -s wlc\n-a -t [2001:db8::80]:443 -r [2001:db8::10]:8443 -m -w 1\n-a -t [2001:db8::80]:443 -r [2001:db8::11]:8443 -m -w 1\n",
        ),
    ];
    // What the files say, on the host: the guest must say the same live.
    let expected = Command::new(rcompare)
        .args(["--ipvs", &files[0].to_string_lossy()])
        .args(["--iptables", &files[1].to_string_lossy()])
        .args(["--node-ip", NODE_IP, "--diff", "--color", "never"])
        .output()
        .expect("rcompare runs");
    assert_eq!(expected.status.code(), Some(1));
    let text = String::from_utf8_lossy(&expected.stdout);
    let body: Vec<&str> = text.lines().skip(2).collect();
    let mut files = files;
    files.push(write(&d, "rc-expected.diff", &(body.join("\n") + "\n")));

    let log = format!("{root}/target/vm/rcompare.log");
    let out = Command::new(format!("{root}/scripts/vm/run.sh"))
        .arg(format!("{root}/tests/vm/rcompare.sh"))
        .args(&files)
        .env("RVSADM", env!("CARGO_BIN_EXE_rvsadm"))
        .env("RCOMPARE", rcompare)
        .env("RVSADM_VM_LOG", &log)
        .env("RVSADM_VM_TIMEOUT", "300")
        .current_dir(root)
        .output()
        .expect("scripts/vm/run.sh runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
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
    println!("tests/vm/rcompare.sh: {summary}");
    assert!(
        out.status.success() && counts.len() == 2 && counts[1] == 0 && counts[0] > 0,
        "tests/vm/rcompare.sh failed (exit {:?}, summary {summary:?}; console log {log})\n{}\n{stderr}",
        out.status.code(),
        failures.join("\n")
    );
}
