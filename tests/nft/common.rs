//! Helpers shared by `tests/nft_corpus.rs` and `tests/nft_differential.rs`:
//! fresh network namespaces for the calling thread, running commands with a
//! timeout, shell-like word splitting, and the name mapping iptables → rtables.
#![allow(dead_code)]

use std::io::Write;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use nix::sched::{unshare, CloneFlags};

/// The rtables binaries of this build.
pub const RTABLES: &str = env!("CARGO_BIN_EXE_rtables");
pub const RTABLES_SAVE: &str = env!("CARGO_BIN_EXE_rtables-save");
pub const RTABLES_RESTORE: &str = env!("CARGO_BIN_EXE_rtables-restore");

/// Seconds any single command may run before it is killed (SIGALRM).
pub const TIMEOUT_S: u32 = 60;

/// `target/` (the directory holding `debug/rtables`), where summaries go.
pub fn target_dir() -> PathBuf {
    let exe = PathBuf::from(RTABLES);
    exe.parent()
        .and_then(|p| p.parent())
        .map(|p| p.to_path_buf())
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// Panics with a clear message unless we are root and the reference tools exist.
pub fn require_root_and_tools() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "these tests need root (fresh network namespaces and nf_tables); run `cargo test` as root"
    );
    for tool in [
        "iptables",
        "ip6tables",
        "iptables-save",
        "ip6tables-save",
        "iptables-restore",
        "nft",
    ] {
        let ok = Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {tool}"))
            .stdout(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "`{tool}` (iptables-nft 1.8.9 / nftables) is not in PATH; install the Debian packages iptables and nftables");
    }
    let v = run(&["iptables".to_string(), "-V".to_string()], None);
    assert!(
        v.stdout.contains("v1.8.9 (nf_tables)"),
        "the reference must be iptables-nft 1.8.9, found: {}",
        v.stdout.trim()
    );
}

/// Moves the calling thread (and so every process it spawns from now on)
/// into a new, empty network namespace. Calling it again gives another one.
pub fn fresh_netns() {
    unshare(CloneFlags::CLONE_NEWNET).expect("unshare(CLONE_NEWNET)");
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Out {
    /// Exit status; 128+N when killed by signal N (like a shell).
    pub rc: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs argv (no shell) with an optional stdin, capturing everything.
pub fn run(argv: &[String], stdin: Option<&[u8]>) -> Out {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    run_cmd(cmd, stdin)
}

/// Runs `sh -c script`.
pub fn sh(script: &str) -> Out {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script);
    run_cmd(cmd, None)
}

fn run_cmd(mut cmd: Command, stdin: Option<&[u8]>) -> Out {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .env("LC_ALL", "C");
    // SAFETY: alarm() is async-signal-safe; a pending alarm survives execve,
    // so a hanging command is killed by SIGALRM after TIMEOUT_S seconds.
    unsafe {
        cmd.pre_exec(|| {
            libc::alarm(TIMEOUT_S);
            Ok(())
        });
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Out {
                rc: 127,
                stdout: String::new(),
                stderr: format!("cannot run {cmd:?}: {e}\n"),
            }
        }
    };
    if let Some(data) = stdin {
        let mut si = child.stdin.take().unwrap();
        let data = data.to_vec();
        // A writer thread, so a child that does not read cannot deadlock us.
        std::thread::spawn(move || {
            let _ = si.write_all(&data);
        });
    }
    let out = child.wait_with_output().expect("wait");
    let rc = match out.status.code() {
        Some(c) => c,
        None => 128 + out.status.signal().unwrap_or(0),
    };
    Out {
        rc,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Splits a command line like a POSIX shell would for the simple cases the
/// `.t` files use: blanks separate words, '...' and "..." quote, backslash
/// escapes.
pub fn shell_split(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    cur.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.peek() {
                            Some(&n) if matches!(n, '"' | '\\' | '$' | '`') => {
                                cur.push(n);
                                chars.next();
                            }
                            _ => cur.push('\\'),
                        },
                        _ => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// The tool under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// iptables-nft 1.8.9 (iptables, ip6tables, iptables-save, ...)
    Ref,
    /// rtables (target/debug binaries)
    Rt,
}

impl Tool {
    pub fn label(self) -> &'static str {
        match self {
            Tool::Ref => "iptables",
            Tool::Rt => "rtables",
        }
    }
}

/// The shell-word replacement of a program name for `tool`:
/// `iptables` → `/…/rtables`, `ip6tables-save` → `/…/rtables-save -6`, …
pub fn program_for(tool: Tool, name: &str) -> Option<String> {
    if tool == Tool::Ref {
        return match name {
            "iptables" | "ip6tables" | "iptables-save" | "ip6tables-save" | "iptables-restore"
            | "ip6tables-restore" => Some(name.to_string()),
            _ => None,
        };
    }
    Some(match name {
        "iptables" => RTABLES.to_string(),
        "ip6tables" => format!("{RTABLES} -6"),
        "iptables-save" => RTABLES_SAVE.to_string(),
        "ip6tables-save" => format!("{RTABLES_SAVE} -6"),
        "iptables-restore" => RTABLES_RESTORE.to_string(),
        "ip6tables-restore" => format!("{RTABLES_RESTORE} -6"),
        _ => return None,
    })
}

/// Rewrites every command-position (or any whole-word) occurrence of the
/// iptables program names in a shell command for `tool`.
///
/// Two prefixes pin a program for both runs, for mixed pipelines:
/// `ref-iptables-save` is always iptables-save, `rt-iptables-restore` is
/// always rtables-restore.
pub fn rewrite_shell(tool: Tool, script: &str) -> String {
    let mut out = String::with_capacity(script.len() + 64);
    let bytes: Vec<char> = script.chars().collect();
    let mut i = 0;
    let is_word =
        |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '/' || c == '.';
    while i < bytes.len() {
        if is_word(bytes[i]) && (i == 0 || !is_word(bytes[i - 1])) {
            let mut j = i;
            while j < bytes.len() && is_word(bytes[j]) {
                j += 1;
            }
            let word: String = bytes[i..j].iter().collect();
            let mapped = if let Some(w) = word.strip_prefix("ref-") {
                program_for(Tool::Ref, w)
            } else if let Some(w) = word.strip_prefix("rt-") {
                program_for(Tool::Rt, w)
            } else {
                program_for(tool, &word)
            };
            match mapped {
                Some(p) => out.push_str(&p),
                None => out.push_str(&word),
            }
            i = j;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Maps the reference's program names in messages to rtables' names, so the
/// two tools' stderr can be compared: `ip6tables-restore` → `r6tables-restore`,
/// `iptables` → `rtables`, …
/// Only whole words (not preceded by a letter, digit, `_` or `-`) are
/// mapped, so a chain name such as `tooLongForiptables` stays as it is.
pub fn rename_messages(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let boundary = |prev: Option<char>| !matches!(prev, Some(c) if c.is_alphanumeric() || c == '_' || c == '-');
    while !rest.is_empty() {
        let prev = out.chars().last();
        if boundary(prev) && rest.starts_with("ip6tables") {
            out.push_str("r6tables");
            rest = &rest["ip6tables".len()..];
        } else if boundary(prev) && rest.starts_with("iptables") {
            out.push_str("rtables");
            rest = &rest["iptables".len()..];
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// A unified-style line diff of two texts (small inputs; LCS based).
pub fn diff(a: &str, b: &str, label_a: &str, label_b: &str) -> String {
    let la: Vec<&str> = a.split('\n').collect();
    let lb: Vec<&str> = b.split('\n').collect();
    let (n, m) = (la.len(), lb.len());
    if n * m > 4_000_000 {
        return format!("--- {label_a}\n{a}\n+++ {label_b}\n{b}\n");
    }
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if la[i] == lb[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = format!("    --- {label_a}\n    +++ {label_b}\n");
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && la[i] == lb[j] {
            out.push_str(&format!("      {}\n", show(la[i])));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("    + {}\n", show(lb[j])));
            j += 1;
        } else {
            out.push_str(&format!("    - {}\n", show(la[i])));
            i += 1;
        }
    }
    out
}

/// Makes trailing blanks visible.
fn show(line: &str) -> String {
    if line.ends_with(' ') || line.ends_with('\t') {
        format!("{line}$")
    } else {
        line.to_string()
    }
}

// ------------------------------------------------------------ the .t corpus

/// One line of a `.t` file.
#[derive(Debug, Clone)]
pub enum Line {
    /// `:CHAIN,...`
    Chains(Vec<String>),
    /// `*table`
    Table(String),
    /// `@cmd` / `%cmd`
    External(String),
    /// `RULE;SAVED;RESULT[;VARIANT[;ALT]]`, result already resolved for nft.
    Rule {
        lineno: usize,
        rule: String,
        saved: String,
        res: String,
    },
}

pub fn parse_t(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let rest = line.trim_end();
        match line.as_bytes()[0] {
            b':' => out.push(Line::Chains(
                rest[1..].split(',').map(|s| s.to_string()).collect(),
            )),
            b'*' => out.push(Line::Table(rest[1..].to_string())),
            b'@' | b'%' => out.push(Line::External(rest[1..].to_string())),
            _ => {
                let item: Vec<&str> = line.split(';').collect();
                if item.len() < 3 {
                    continue;
                }
                let mut res = item[2].trim_end().to_string();
                if item.len() > 3 {
                    // iptables-test.py's variant_res() for EXECUTABLE = xtables-nft-multi.
                    let variant = item[3].trim_end().to_lowercase();
                    if variant != "nft" {
                        res = if item.len() > 4 {
                            item[4].trim_end().to_string()
                        } else {
                            match res.as_str() {
                                "OK" => "FAIL".into(),
                                "FAIL" => "OK".into(),
                                _ => "OK".into(),
                            }
                        };
                    }
                }
                let saved = if item[1] == "=" {
                    item[0].to_string()
                } else {
                    item[1].to_string()
                };
                out.push(Line::Rule {
                    lineno: i + 1,
                    rule: item[0].to_string(),
                    saved,
                    res,
                });
            }
        }
    }
    out
}

pub fn corpus_dir() -> PathBuf {
    if let Ok(d) = std::env::var("NFT_CORPUS_DIR") {
        return PathBuf::from(d);
    }
    for d in [
        "/work/shared/conformance/iptables-1.8.9",
        "../shared/conformance/iptables-1.8.9",
    ] {
        if Path::new(d).is_dir() {
            return PathBuf::from(d);
        }
    }
    panic!("corpus not found: set NFT_CORPUS_DIR to the directory holding iptables 1.8.9's extensions/*.t");
}
