//! The iptables 1.8.9 extension test corpus (`extensions/*.t`, copied to
//! `/work/shared/conformance/iptables-1.8.9`, or `$NFT_CORPUS_DIR`) run with
//! the algorithm of iptables-test.py (non-fast mode), once against the real
//! iptables-nft 1.8.9 and once against rtables, each file in a fresh network
//! namespace per tool.
//!
//! Per rule line and chain: `-A <chain> [-t table] <rule>`, exit status
//! against OK/FAIL; on OK the save output must contain
//! `"\n-A <chain> <expected>\n"` (NOMATCH: must not), then `-D` with the same
//! rule (only exit status 1 counts as "cannot delete", as in 1.8.9's script).
//! `@`/`%` lines run as shell commands with iptables/ip6tables replaced by the
//! tool under test. `LEGACY`/`NFT` variant columns are resolved for the nft
//! variant. Files: `libxt_*` for IPv4 and IPv6, `libipt_*` and `iptables.t`
//! IPv4, `libip6t_*` IPv6; `libebt_*`/`libarpt_*` skipped.
//!
//! Prints a per-file table and totals to stderr, writes
//! `target/nft-corpus-summary.txt` (with every line that the reference passes
//! and rtables does not, and the reason), and asserts that rtables passes at
//! least 95 % of the lines the reference passes, per family.
//!
//! Environment: `NFT_CORPUS_JOBS` (worker threads, default 4),
//! `NFT_CORPUS_FILTER` (substring of the file names to run).
//! Run: `cargo test --test nft_corpus -- --nocapture` (as root).

#[path = "nft/common.rs"]
mod common;

use common::*;
use std::collections::VecDeque;
use std::fmt::Write as _;

use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fam {
    V4,
    V6,
}

impl Fam {
    fn label(self) -> &'static str {
        match self {
            Fam::V4 => "IPv4",
            Fam::V6 => "IPv6",
        }
    }
}

/// Commands of one tool for one family.
struct Cmds {
    tool: Tool,
    ipt: Vec<String>,
    save: Vec<String>,
}

fn cmds(tool: Tool, fam: Fam) -> Cmds {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let (ipt, save) = match (tool, fam) {
        (Tool::Ref, Fam::V4) => (s(&["iptables"]), s(&["iptables-save"])),
        (Tool::Ref, Fam::V6) => (s(&["ip6tables"]), s(&["ip6tables-save"])),
        (Tool::Rt, Fam::V4) => (s(&[RTABLES]), s(&[RTABLES_SAVE])),
        (Tool::Rt, Fam::V6) => (s(&[RTABLES, "-6"]), s(&[RTABLES_SAVE, "-6"])),
    };
    Cmds { tool, ipt, save }
}

/// Outcome of one rule line.
#[derive(Debug, Clone)]
struct LineResult {
    lineno: usize,
    text: String,
    pass: bool,
    reason: String,
}

fn argv(prefix: &[String], rest: &str) -> Vec<String> {
    let mut v = prefix.to_vec();
    v.extend(shell_split(rest));
    v
}

fn brief(o: &Out) -> String {
    let mut s = format!("rc {}", o.rc);
    let e = o.stderr.trim();
    if !e.is_empty() {
        let e: String = e.lines().take(3).collect::<Vec<_>>().join(" | ");
        let _ = write!(s, ", stderr: {e}");
    }
    s
}

/// iptables-test.py's run_test() for one chain; Err(reason) on failure.
fn run_test(c: &Cmds, rule: &str, rule_save: &str, res: &str) -> Result<(), String> {
    let add = argv(&c.ipt, &format!("-A {rule}"));
    let o = run(&add, None);
    let delete = |c: &Cmds| -> Result<(), String> {
        let o = run(&argv(&c.ipt, &format!("-D {rule}")), None);
        if o.rc == 1 {
            Err(format!("cannot delete: -D {rule} ({})", brief(&o)))
        } else {
            Ok(())
        }
    };
    if o.rc != 0 {
        if res != "FAIL" {
            return Err(format!("cannot load: -A {rule} ({})", brief(&o)));
        }
        return Ok(());
    } else if res == "FAIL" {
        let _ = delete(c);
        return Err(format!("should fail: -A {rule}"));
    }
    let s = run(&c.save, None);
    if s.rc >= 128 {
        let _ = delete(c);
        return Err(format!("save crashed ({})", brief(&s)));
    }
    let needle = format!("\n-A {rule_save}\n");
    if !s.stdout.contains(&needle) {
        if res == "OK" {
            let _ = delete(c);
            let got: Vec<&str> = s.stdout.lines().filter(|l| l.starts_with("-A ")).collect();
            return Err(format!(
                "cannot find: -A {rule_save}\n        save has: {}",
                if got.is_empty() {
                    "(no -A lines)".to_string()
                } else {
                    got.join("\n                  ")
                }
            ));
        }
        return Ok(());
    } else if res != "OK" {
        let _ = delete(c);
        return Err(format!("should not match: -A {rule}"));
    }
    delete(c)
}

/// Runs a whole file for one tool and family in the current netns.
fn run_file(lines: &[Line], c: &Cmds) -> Vec<LineResult> {
    let mut chains: Vec<String> = Vec::new();
    let mut table = String::new();
    let mut results = Vec::new();
    for l in lines {
        match l {
            Line::Chains(v) => chains = v.clone(),
            Line::Table(t) => table = t.clone(),
            Line::External(cmd) => {
                let _ = sh(&rewrite_shell(c.tool, cmd));
            }
            Line::Rule {
                lineno,
                rule,
                saved,
                res,
            } => {
                let mut r = LineResult {
                    lineno: *lineno,
                    text: format!("{rule};{saved};{res}"),
                    pass: true,
                    reason: String::new(),
                };
                if chains.is_empty() {
                    r.pass = false;
                    r.reason = "broken test, missing chain".into();
                }
                for chain in &chains {
                    let full = if table.is_empty() {
                        format!("{chain} {rule}")
                    } else {
                        format!("{chain} -t {table} {rule}")
                    };
                    let rule_save = format!("{chain} {saved}");
                    if let Err(e) = run_test(c, &full, &rule_save, res) {
                        r.pass = false;
                        r.reason = e;
                        break;
                    }
                }
                results.push(r);
            }
        }
    }
    results
}

struct FileResult {
    file: String,
    fam: Fam,
    reference: Vec<LineResult>,
    rtables: Vec<LineResult>,
    secs: f64,
}

fn families(name: &str) -> Vec<Fam> {
    if name.starts_with("libxt_") {
        vec![Fam::V4, Fam::V6]
    } else if name.starts_with("libip6t_") {
        vec![Fam::V6]
    } else if name.starts_with("libebt_") || name.starts_with("libarpt_") {
        vec![]
    } else {
        vec![Fam::V4]
    }
}

#[test]
fn corpus() {
    require_root_and_tools();
    let start = Instant::now();
    let dir = corpus_dir();
    let filter = std::env::var("NFT_CORPUS_FILTER").unwrap_or_default();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("read corpus dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".t") && n.contains(&filter))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no .t files in {}", dir.display());

    let mut jobs: VecDeque<(String, Fam, Vec<Line>)> = VecDeque::new();
    for n in &names {
        let text = std::fs::read_to_string(dir.join(n)).expect("read .t");
        let lines = parse_t(&text);
        for f in families(n) {
            jobs.push_back((n.clone(), f, lines.clone()));
        }
    }
    let njobs = jobs.len();
    let queue = Arc::new(Mutex::new(jobs));
    let results: Arc<Mutex<Vec<FileResult>>> = Arc::new(Mutex::new(Vec::new()));
    let workers: usize = std::env::var("NFT_CORPUS_JOBS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let mut handles = Vec::new();
    for _ in 0..workers.max(1) {
        let queue = Arc::clone(&queue);
        let results = Arc::clone(&results);
        handles.push(std::thread::spawn(move || loop {
            let job = queue.lock().unwrap().pop_front();
            let Some((file, fam, lines)) = job else { break };
            let t0 = Instant::now();
            fresh_netns();
            let reference = run_file(&lines, &cmds(Tool::Ref, fam));
            fresh_netns();
            let rtables = run_file(&lines, &cmds(Tool::Rt, fam));
            let secs = t0.elapsed().as_secs_f64();
            results.lock().unwrap().push(FileResult {
                file,
                fam,
                reference,
                rtables,
                secs,
            });
        }));
    }
    for h in handles {
        h.join().expect("worker panicked");
    }
    let mut results = Arc::try_unwrap(results).ok().unwrap().into_inner().unwrap();
    assert_eq!(results.len(), njobs);
    results.sort_by(|a, b| (a.fam, &a.file).cmp(&(b.fam, &b.file)));

    // Report.
    let mut table = String::new();
    let mut details = String::new();
    let mut ref_fails = String::new();
    let _ = writeln!(
        table,
        "{:<28} {:<4} {:>5} {:>5} {:>5} {:>5}",
        "file", "fam", "lines", "ref", "rt", "both"
    );
    let mut totals: Vec<(Fam, usize, usize, usize, usize)> = Vec::new();
    for fam in [Fam::V4, Fam::V6] {
        let (mut n, mut r, mut t, mut b) = (0, 0, 0, 0);
        for fr in results.iter().filter(|x| x.fam == fam) {
            let lines = fr.reference.len();
            let rp = fr.reference.iter().filter(|x| x.pass).count();
            let tp = fr.rtables.iter().filter(|x| x.pass).count();
            let bp = fr
                .reference
                .iter()
                .zip(&fr.rtables)
                .filter(|(a, b)| a.pass && b.pass)
                .count();
            let mark = if bp < rp { "  <--" } else { "" };
            let _ = writeln!(
                table,
                "{:<28} {:<4} {:>5} {:>5} {:>5} {:>5}{mark}",
                fr.file,
                fam.label(),
                lines,
                rp,
                tp,
                bp
            );
            n += lines;
            r += rp;
            t += tp;
            b += bp;
            let mut head = false;
            for (a, z) in fr.reference.iter().zip(&fr.rtables) {
                if !a.pass && !z.pass {
                    let _ = writeln!(
                        ref_fails,
                        "  {} ({}) line {}: {}\n    iptables: {}\n    rtables: {}",
                        fr.file,
                        fam.label(),
                        a.lineno,
                        a.text,
                        a.reason,
                        z.reason
                    );
                }
                if a.pass != z.pass {
                    if !head {
                        let _ = writeln!(
                            details,
                            "\n== {} ({}) {:.1}s",
                            fr.file,
                            fam.label(),
                            fr.secs
                        );
                        head = true;
                    }
                    if a.pass {
                        let _ = writeln!(
                            details,
                            "  line {}: {}\n    rtables: {}",
                            z.lineno, z.text, z.reason
                        );
                    } else {
                        let _ = writeln!(
                            details,
                            "  line {}: {}\n    (rtables passes, iptables does not: {})",
                            a.lineno, a.text, a.reason
                        );
                    }
                }
            }
        }
        totals.push((fam, n, r, t, b));
    }
    let mut summary = String::new();
    for (fam, n, r, t, b) in &totals {
        let pct = if *r == 0 {
            100.0
        } else {
            100.0 * *b as f64 / *r as f64
        };
        let _ = writeln!(
            summary,
            "TOTAL {}: lines {n}, reference passed {r}, rtables passed {t}, both {b} ({pct:.1}% of the reference's)",
            fam.label()
        );
    }
    let elapsed = start.elapsed().as_secs_f64();
    let _ = writeln!(
        summary,
        "elapsed {elapsed:.1}s, {} file runs, {workers} threads",
        njobs
    );
    let report = format!(
        "{table}\n{summary}\nLines where the two tools differ (reason given for the failing one):\n{details}\n\
         Lines both tools fail (kernel or environment gaps):\n{ref_fails}"
    );
    eprintln!("{table}\n{summary}");
    let path = target_dir().join("nft-corpus-summary.txt");
    std::fs::write(&path, &report).expect("write summary");
    eprintln!(
        "details (every line rtables fails and the reference passes): {}",
        path.display()
    );

    for (fam, _n, r, _t, b) in &totals {
        assert!(
            (*b as f64) >= 0.95 * (*r as f64),
            "{}: rtables passes {b} of the {r} lines the reference passes (< 95%); see {}",
            fam.label(),
            path.display()
        );
    }
}
