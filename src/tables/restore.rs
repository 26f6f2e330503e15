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
    if !line.contains('"') {
        return line
            .split([' ', '\t', '\n', '\r'])
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
    }
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
                '"' => {
                    // A closing quote ends the word.
                    in_q = false;
                    out.push(std::mem::take(&mut cur));
                    have = false;
                }
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

/// The words of a command line of table `table`, ready for the parser
/// (`-t TABLE` first, a `[P:B]` prefix as `-c P B` with `--counters`), or
/// `None` for a `-4`/`-6` line of the other family.
fn command_args(
    line: &str,
    table: &str,
    opts: &Opts,
    family: super::expr::Family,
    n: usize,
) -> XtResult<Option<Vec<String>>> {
    let mut words = split_words(line);
    // `[P:B] -A ...`: with -c the counters become `-c P B`, else they are
    // ignored (iptables-restore).
    let mut counter_args: Vec<String> = Vec::new();
    if words.first().is_some_and(|w| w.starts_with('[')) {
        let first = words.remove(0);
        let Some(inner) = first.strip_prefix('[').and_then(|w| w.strip_suffix(']')) else {
            return Err(XtError::param(format!("Bad line {n}: need ]")));
        };
        if opts.counters {
            let (p, b) = inner.split_once(':').unwrap_or((inner, ""));
            counter_args = vec!["-c".into(), p.to_string(), b.to_string()];
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
            if family != super::expr::Family::V4 {
                return Ok(None);
            }
            words.remove(0);
        }
        Some("-6") | Some("--ipv6") => {
            if family != super::expr::Family::V6 {
                return Ok(None);
            }
            words.remove(0);
        }
        _ => {}
    }
    let mut args = Vec::with_capacity(words.len() + 5);
    args.push("-t".to_string());
    args.push(table.to_string());
    args.extend(words);
    args.extend(counter_args);
    Ok(Some(args))
}

/// From this many command lines on, they are parsed on two threads before
/// the transaction is built (parsing a line depends on nothing else).
const PARALLEL_LINES: usize = 4096;

/// Parses the command lines of a big input ahead, in parallel: entry `i`
/// is line `i`'s result, `None` for lines the main pass handles itself.
fn pre_parse(
    lines: &[&str],
    opts: &Opts,
    family: super::expr::Family,
) -> Vec<Option<XtResult<cli::Invocation>>> {
    let mut jobs: Vec<(usize, Vec<String>)> = Vec::new();
    let mut table: Option<&str> = None;
    for (i, l) in lines.iter().enumerate() {
        if l.is_empty() || l.starts_with('#') || l.starts_with(':') {
            continue;
        }
        if let Some(name) = l.strip_prefix('*') {
            table = name.split([' ', '\t']).next();
            continue;
        }
        if *l == "COMMIT" {
            table = None;
            continue;
        }
        if let Some(t) = table {
            if let Ok(Some(args)) = command_args(l, t, opts, family, i + 1) {
                jobs.push((i, args));
            }
        }
    }
    let mut out: Vec<Option<XtResult<cli::Invocation>>> = Vec::new();
    if jobs.len() < PARALLEL_LINES {
        return out;
    }
    out.resize_with(lines.len(), || None);
    let (a, b) = jobs.split_at(jobs.len() / 2);
    let parse_all = |part: &[(usize, Vec<String>)]| -> Vec<(usize, XtResult<cli::Invocation>)> {
        part.iter()
            .map(|(i, args)| (*i, cli::parse(args, family)))
            .collect()
    };
    let (ra, rb) = std::thread::scope(|s| {
        let h = s.spawn(|| parse_all(b));
        let ra = parse_all(a);
        (ra, h.join().ok())
    });
    let Some(rb) = rb else {
        // The helper thread died: the main pass parses everything itself.
        return Vec::new();
    };
    for (i, r) in ra.into_iter().chain(rb) {
        out[i] = Some(r);
    }
    out
}

/// Runs a whole restore input inside `tx`.
pub fn run(tx: &mut Tx<'_>, input: &str, opts: &Opts, prog: &str) -> XtResult<()> {
    let mut table: Option<String> = None;
    let mut skipping = false;
    let mut last = 0;
    // Jump targets are checked at COMMIT, as iptables-restore does (not at
    // all with --test).
    tx.defer_jumps = Some(Vec::new());
    // Lines end at '\n' only: a '\r' stays part of the line, as with
    // iptables-restore.
    let body = input.strip_suffix('\n').unwrap_or(input);
    let lines: Vec<&str> = body.split('\n').collect();
    let mut pre = pre_parse(&lines, opts, tx.family);
    for (i, raw) in lines.iter().copied().enumerate() {
        let n = i + 1;
        last = n;
        tx.line = Some(n);
        let trimmed = raw;
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
            let name = name.split([' ', '\t']).next().unwrap_or("");
            if name.is_empty() {
                return Err(XtError::param(format!(
                    "{prog}: line {n} table name invalid\nError occurred at line: {n}"
                )));
            }
            if super::builtin::table(name).is_none() {
                return Err(XtError::param(format!(
                    "{prog}: line {n} table name '{name}' invalid\nError occurred at line: {n}"
                )));
            }
            skipping = opts.only_table.as_deref().is_some_and(|t| t != name);
            table = Some(name.to_string());
            if !skipping && !opts.noflush {
                if opts.verbose {
                    for c in tx.chain_names(name)? {
                        tx.out.push_str(&format!("Flushing chain `{c}'\n"));
                    }
                }
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
                return Err(XtError::param(format!(
                    "{prog}: line {n} chain name invalid\nError occurred at line: {n}"
                )));
            }
            if policy == "-" || tx.has_chain(&tname, chain).map(|b| !b).unwrap_or(true) {
                cli::check_chain_name(chain).map_err(|e| line_failed(prog, n, e))?;
            }
            let pol = (policy != "-").then_some(policy);
            if opts.counters && pol.is_some() {
                let c = it.next().unwrap_or("");
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
            tx.declare_chain(&tname, chain, pol).map_err(|mut e| {
                if e.msg.starts_with("Bad policy name.") {
                    e.msg = "Bad policy name.".into();
                }
                line_failed(prog, n, e)
            })?;
            continue;
        }
        let parsed = match pre.get_mut(i).and_then(Option::take) {
            Some(p) => p,
            None => match command_args(trimmed, &tname, opts, tx.family, n)
                .map_err(|e| line_failed(prog, n, e))?
            {
                Some(args) => cli::parse(&args, tx.family),
                None => continue,
            },
        };
        let mut inv = parsed.map_err(|e| line_failed(prog, n, e))?;
        if opts.verbose && !opts.noflush {
            inv.verbose = inv.verbose.max(1);
        }
        match inv.command {
            cli::Command::List | cli::Command::ListRules => {
                // Listing inside a restore shows the table as the
                // transaction has it so far.
                let view = tx.view(&inv.table)?;
                let mut text = String::new();
                if inv.command == cli::Command::List {
                    let o = super::render::ListOpts {
                        verbose: inv.verbose > 0,
                        numeric: inv.numeric,
                        exact: inv.exact,
                        line_numbers: inv.line_numbers,
                    };
                    super::render::list(&view, inv.chain.as_deref(), inv.rulenum, &o, &mut text);
                } else {
                    super::render::list_rules(
                        &view,
                        inv.chain.as_deref(),
                        inv.rulenum,
                        inv.verbose > 0,
                        &mut text,
                    );
                }
                tx.out.push_str(&text);
                continue;
            }
            cli::Command::Help | cli::Command::Version => {
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
