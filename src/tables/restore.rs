//! iptables-restore's input grammar (`*table`, `:CHAIN POLICY [p:b]`,
//! command lines, `COMMIT`) executed as ONE nf_tables transaction across all
//! tables: any error and nothing changes; messages name the line.

use super::cli;
use super::engine::Tx;
use super::error::{status, XtError, XtResult};

/// Restore options.
#[derive(Debug, Clone, Default)]
pub struct Opts {
    /// `-c`: use the `[p:b]` counters.
    pub counters: bool,
    /// `-n`: do not flush the tables first.
    pub noflush: bool,
    /// `-T table`: restore only this table.
    pub only_table: Option<String>,
    /// `-t`: parse and build, check nothing that needs the commit.
    pub test: bool,
    /// `-v`: print what is done.
    pub verbose: bool,
}

/// Splits a restore line into words: double quotes group (with `\"` for a
/// quote inside), as iptables-restore does.
pub fn split_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_q = false;
    let mut have = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if in_q {
            match c {
                '\\' if chars.peek() == Some(&'"') => {
                    cur.push('"');
                    chars.next();
                }
                '"' => in_q = false,
                _ => cur.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                in_q = true;
                have = true;
            }
            ' ' | '\t' | '\n' | '\r' => {
                if have {
                    out.push(std::mem::take(&mut cur));
                    have = false;
                }
            }
            _ => {
                cur.push(c);
                have = true;
            }
        }
    }
    if have {
        out.push(cur);
    }
    out
}

fn line_failed(_prog: &str, n: usize, e: XtError) -> XtError {
    if e.bare {
        return XtError::bare(e.status, format!("line {n} failed: {}", e.msg));
    }
    if e.status == status::PARAMETER {
        let mut e = e;
        e.msg.push_str(&format!("\nError occurred at line: {n}"));
        return e;
    }
    e
}

/// Runs a whole restore input inside `tx`.
pub fn run(tx: &mut Tx<'_>, input: &str, opts: &Opts, prog: &str) -> XtResult<()> {
    let mut table: Option<String> = None;
    let mut skipping = false;
    let mut last = 0;
    // Jump targets are checked at COMMIT, as iptables-restore does (not at
    // all with --test).
    tx.defer_jumps = Some(Vec::new());
    for (i, raw) in input.lines().enumerate() {
        let n = i + 1;
        last = n;
        tx.line = Some(n);
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('*') {
            if table.is_some() {
                return Err(line_failed(
                    prog,
                    n,
                    XtError::plain(format!("Bad argument `{trimmed}'")),
                ));
            }
            let name = name.trim();
            if super::builtin::table(name).is_none() {
                return Err(XtError::param(format!(
                    "{prog}: line {n} table name '{name}' invalid\nError occurred at line: {n}"
                )));
            }
            skipping = opts.only_table.as_deref().is_some_and(|t| t != name);
            table = Some(name.to_string());
            if !skipping && !opts.noflush {
                tx.flush_table(name).map_err(|e| line_failed(prog, n, e))?;
            }
            continue;
        }
        let Some(tname) = table.clone() else {
            return Err(XtError::bare(status::OTHER, format!("line {n} failed")));
        };
        if trimmed == "COMMIT" {
            table = None;
            if !opts.test {
                tx.check_deferred_jumps()
                    .map_err(|e| line_failed(prog, n, e))?;
            } else if let Some(d) = tx.defer_jumps.as_mut() {
                d.clear();
            }
            continue;
        }
        if skipping {
            continue;
        }
        if let Some(decl) = trimmed.strip_prefix(':') {
            let mut it = decl.split_whitespace();
            let chain = it.next().unwrap_or("");
            let policy = it.next().unwrap_or("-");
            if chain.is_empty() {
                return Err(XtError::bare(status::OTHER, format!("line {n} failed")));
            }
            let pol = (policy != "-").then_some(policy);
            if opts.counters && pol.is_some() {
                let c = it.next().unwrap_or("[0:0]");
                let parsed = c
                    .strip_prefix('[')
                    .and_then(|c| c.strip_suffix(']'))
                    .and_then(|c| c.split_once(':'))
                    .and_then(|(p, b)| Some((p.parse::<u64>().ok()?, b.parse::<u64>().ok()?)));
                match parsed {
                    Some(pc) => tx.policy_counters = Some(pc),
                    None => {
                        return Err(line_failed(
                            prog,
                            n,
                            XtError::param(format!("invalid policy counters for chain '{chain}'")),
                        ))
                    }
                }
            }
            if opts.verbose {
                tx.out.push_str(&format!("Flushing chain `{chain}'\n"));
            }
            tx.declare_chain(&tname, chain, pol).map_err(|mut e| {
                if e.msg.starts_with("Bad policy name.") {
                    e.msg = "Bad policy name.".into();
                }
                line_failed(prog, n, e)
            })?;
            continue;
        }
        let mut words = split_words(trimmed);
        let mut counters = None;
        if let Some(first) = words.first() {
            if first.starts_with('[') && first.ends_with(']') {
                let inner = &first[1..first.len() - 1];
                if let Some((p, b)) = inner.split_once(':') {
                    if let (Ok(p), Ok(b)) = (p.parse::<u64>(), b.parse::<u64>()) {
                        counters = Some((p, b));
                    }
                }
                words.remove(0);
            }
        }
        if words
            .first()
            .is_some_and(|w| w == "iptables" || w == "ip6tables" || w == "rtables")
        {
            words.remove(0);
        }
        // `-4`/`-6` lines: kept (without the flag) by the matching family,
        // ignored by the other.
        match words.first().map(String::as_str) {
            Some("-4") | Some("--ipv4") => {
                if tx.family != super::expr::Family::V4 {
                    continue;
                }
                words.remove(0);
            }
            Some("-6") | Some("--ipv6") => {
                if tx.family != super::expr::Family::V6 {
                    continue;
                }
                words.remove(0);
            }
            _ => {}
        }
        let mut args = vec!["-t".to_string(), tname.clone()];
        args.extend(words);
        let mut inv = cli::parse(&args, tx.family).map_err(|e| line_failed(prog, n, e))?;
        if opts.counters {
            if let Some(c) = counters {
                inv.rule.counters = c;
            }
        }
        if opts.verbose {
            inv.verbose = inv.verbose.max(1);
        }
        match inv.command {
            cli::Command::List
            | cli::Command::ListRules
            | cli::Command::Help
            | cli::Command::Version => {
                return Err(XtError::bare(status::OTHER, format!("line {n} failed")));
            }
            _ => {}
        }
        tx.command(&inv).map_err(|e| line_failed(prog, n, e))?;
    }
    if table.is_some() {
        return Err(XtError::bare(
            status::OTHER,
            format!("COMMIT expected at line {}", last + 1),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_quotes() {
        assert_eq!(
            split_words(r#"-A INPUT -m comment --comment "a b\" c" -j ACCEPT"#),
            vec![
                "-A",
                "INPUT",
                "-m",
                "comment",
                "--comment",
                "a b\" c",
                "-j",
                "ACCEPT"
            ]
        );
        assert_eq!(split_words(r#"--comment """#), vec!["--comment", ""]);
    }
}
