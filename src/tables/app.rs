//! The three programs — `rtables`, `rtables-save`, `rtables-restore` — as
//! library functions returning an exit status, so the binaries stay thin.

use std::io::{Read, Write};

use super::cli::{self, Command, Invocation};
use super::engine::Engine;
use super::error::{status, XtError, XtResult};
use super::expr::Family;
use super::json;
use super::render::{self, ListOpts};
use super::restore;

/// Exit status when a listing had to show a rule as a comment because
/// iptables syntax cannot express it.
pub const EXIT_LOSSY: i32 = 1;

/// The three programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    /// `rtables` (iptables).
    Rtables,
    /// `rtables-save` (iptables-save).
    Save,
    /// `rtables-restore` (iptables-restore).
    Restore,
}

/// A binary's whole `main`: the family from the name it was invoked by
/// (`r6tables*`) or a `-6` anywhere on the command line, the program name
/// for messages (`r6tables` in IPv6 mode, as ip6tables says `ip6tables`),
/// then the program. Returns the exit status.
pub fn main(program: Program, mut args: Vec<String>) -> i32 {
    let default = match program {
        Program::Rtables => "rtables",
        Program::Save => "rtables-save",
        Program::Restore => "rtables-restore",
    };
    let argv0 = if args.is_empty() {
        default.to_string()
    } else {
        args.remove(0)
    };
    let base = std::path::Path::new(&argv0)
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or(default)
        .to_string();
    let mut family = if base.starts_with("r6tables") {
        Family::V6
    } else {
        Family::V4
    };
    if let Some(i) = args.iter().position(|a| a == "-6" || a == "--ipv6") {
        family = Family::V6;
        args.remove(i);
    }
    let prog = if family == Family::V6 {
        base.replacen("rtables", "r6tables", 1)
    } else {
        base
    };
    match program {
        Program::Rtables => rtables_main(&args, family, &prog),
        Program::Save => save_main(&args, family, &prog),
        Program::Restore => restore_main(&args, family, &prog),
    }
}

/// The version line (`-V`).
pub fn version_line(prog: &str) -> String {
    format!(
        "{prog} v{} (nf_tables; iptables-nft 1.8.9 compatible)\n",
        env!("CARGO_PKG_VERSION")
    )
}

fn write_out(s: &str) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(s.as_bytes());
    let _ = o.flush();
}

fn fail(e: &XtError, prog: &str) -> i32 {
    eprint!("{}", e.render(prog));
    e.status
}

/// `rtables` / `rtables -6`: `args` without the program name.
pub fn rtables_main(args: &[String], family: Family, prog: &str) -> i32 {
    let inv = match cli::parse(args, family) {
        Ok(i) => i,
        Err(e) => return fail(&e, prog),
    };
    match run_command(&inv, prog) {
        Ok(code) => code,
        Err(e) => fail(&e, prog),
    }
}

fn run_command(inv: &Invocation, prog: &str) -> XtResult<i32> {
    match &inv.command {
        Command::Help => {
            write_out(&super::docs::help_text(prog));
            return Ok(0);
        }
        Command::Version => {
            write_out(&version_line(prog));
            return Ok(0);
        }
        _ => {}
    }
    let mut eng = Engine::open(inv.family)?;
    match &inv.command {
        Command::List | Command::ListRules => {
            let mut text = String::new();
            let mut ok = true;
            let (zout, _) = eng.transact(|tx| {
                text.clear();
                let missing =
                    || XtError::bare(status::OTHER, "No chain/target/match by that name.");
                // One chain: read it by name, not the whole table.
                let view = match (&inv.chain, inv.zero) {
                    (Some(c), false) => {
                        tx.lazy = true;
                        tx.view_chain(&inv.table, c)?.ok_or_else(missing)?
                    }
                    _ => tx.view(&inv.table)?,
                };
                if let Some(c) = &inv.chain {
                    if !view.chains.iter().any(|v| &v.name == c) {
                        return Err(missing());
                    }
                }
                if inv.json {
                    text = json::tables(
                        std::slice::from_ref(&view),
                        inv.chain.as_deref(),
                        inv.rulenum,
                    );
                    ok = view
                        .chains
                        .iter()
                        .all(|c| c.rules.iter().all(|r| r.problem.is_none()));
                } else if inv.command == Command::List {
                    let o = ListOpts {
                        verbose: inv.verbose > 0,
                        numeric: inv.numeric,
                        exact: inv.exact,
                        line_numbers: inv.line_numbers,
                    };
                    ok = render::list(&view, inv.chain.as_deref(), inv.rulenum, &o, &mut text);
                } else {
                    ok = render::list_rules(
                        &view,
                        inv.chain.as_deref(),
                        inv.rulenum,
                        inv.verbose > 0,
                        &mut text,
                    );
                }
                if inv.zero {
                    tx.zero(&inv.table, inv.chain.as_deref(), None, inv.verbose > 0)?;
                }
                Ok(())
            })?;
            text.push_str(&zout);
            write_out(&text);
            Ok(if ok { 0 } else { EXIT_LOSSY })
        }
        _ => {
            let (out, _) = eng.transact(|tx| {
                // Commands on one chain look chains up by name.
                tx.lazy = matches!(
                    inv.command,
                    Command::Append
                        | Command::Insert(_)
                        | Command::Replace(_)
                        | Command::Delete
                        | Command::DeleteNum(_)
                        | Command::Check
                );
                tx.command(inv)
            })?;
            write_out(&out);
            Ok(0)
        }
    }
}

/// `rtables-save` options.
#[derive(Debug, Default)]
struct SaveOpts {
    table: Option<String>,
    counters: bool,
    json: bool,
    file: Option<String>,
}

fn save_usage(prog: &str) -> String {
    format!(
        "Usage: {prog} [-c] [-t table] [-M modprobe] [-4|-6] [--json] [-V] [-h]\n\
         \x20 -c, --counters       include packet and byte counters\n\
         \x20 -t, --table TABLE    save only TABLE\n\
         \x20 --json               JSON output (schema rtables/1)\n\
         \x20 -4, -6               IPv4 (default for {prog}) or IPv6\n\
         \x20 -V, --version        print the version\n"
    )
}

/// `rtables-save` / `rtables-save -6`.
pub fn save_main(args: &[String], mut family: Family, prog: &str) -> i32 {
    let mut o = SaveOpts::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        i += 1;
        match a {
            "-c" | "--counters" => o.counters = true,
            "-t" | "--table" => match args.get(i) {
                Some(t) => {
                    o.table = Some(t.clone());
                    i += 1;
                }
                None => return fail(&XtError::param("option \"-t\" requires an argument"), prog),
            },
            "-M" | "--modprobe" => i += 1,
            "-f" | "--file" => match args.get(i) {
                Some(f) => {
                    o.file = Some(f.clone());
                    i += 1;
                }
                None => return fail(&XtError::param("option \"-f\" requires an argument"), prog),
            },
            "--json" => o.json = true,
            "-4" | "--ipv4" => family = Family::V4,
            "-6" | "--ipv6" => family = Family::V6,
            "-V" | "--version" => {
                write_out(&version_line(prog));
                return 0;
            }
            "-h" | "--help" => {
                write_out(&save_usage(prog));
                return 0;
            }
            _ => {
                if let Some(t) = a.strip_prefix("--table=") {
                    o.table = Some(t.to_string());
                    continue;
                }
                eprint!(
                    "{prog}: unrecognized option '{a}'\nLook at manual page `{prog}.8' for more information.\n"
                );
                return 1;
            }
        }
    }
    match save(&o, family, prog) {
        Ok(c) => c,
        Err(e) => fail(&e, prog),
    }
}

fn save(o: &SaveOpts, family: Family, prog: &str) -> XtResult<i32> {
    if let Some(t) = &o.table {
        if super::builtin::table(t).is_none() {
            return Err(XtError::plain_status(
                status::OTHER,
                format!("Table `{t}' does not exist"),
            ));
        }
    }
    let mut eng = Engine::open(family)?;
    let mut text = String::new();
    let mut ok = true;
    eng.transact(|tx| {
        text.clear();
        ok = true;
        let mut views = Vec::new();
        for def in super::builtin::TABLES {
            if o.table.as_deref().is_some_and(|t| t != def.name) {
                continue;
            }
            // With -t the table is printed even when it does not exist
            // yet (its built-in chains synthesized), as iptables-save does.
            if o.table.is_none() && !tx.table_exists(def.name)? {
                continue;
            }
            views.push(tx.view(def.name)?);
        }
        if o.json {
            text = json::tables(&views, None, None);
            ok = views.iter().all(|v| {
                v.chains
                    .iter()
                    .all(|c| c.rules.iter().all(|r| r.problem.is_none()))
            });
            return Ok(());
        }
        for v in &views {
            let date = render::ctime_now();
            text.push_str(&format!(
                "# Generated by {prog} {} on {date}\n",
                super::error::VERSION_TAG
            ));
            ok &= render::save_table(v, o.counters, &mut text);
            text.push_str(&format!("# Completed on {date}\n"));
        }
        Ok(())
    })?;
    match &o.file {
        Some(f) => std::fs::write(f, text.as_bytes()).map_err(|e| {
            XtError::other(format!(
                "Failed to open file, error: {}",
                super::engine::strerror(e.raw_os_error().unwrap_or(libc::EIO))
            ))
        })?,
        None => write_out(&text),
    }
    Ok(if ok { 0 } else { EXIT_LOSSY })
}

fn restore_usage(prog: &str) -> String {
    format!(
        "Usage: {prog} [-c] [-v] [-V] [-t] [-h] [-n] [-T table] [-M command] [-4|-6] [file]\n\
         \x20   [ --counters ]\n\
         \x20   [ --verbose ]\n\
         \x20   [ --version]\n\
         \x20   [ --test ]\n\
         \x20   [ --help ]\n\
         \x20   [ --noflush ]\n\
         \x20   [ --table=<TABLE> ]\n\
         \x20   [ --modprobe=<command> ]\n\
         \x20   [ --ipv4 ]\n\
         \x20   [ --ipv6 ]\n"
    )
}

/// `rtables-restore` / `rtables-restore -6`. The input (a file or stdin)
/// is applied as one transaction: all of it or nothing.
pub fn restore_main(args: &[String], mut family: Family, prog: &str) -> i32 {
    let mut o = restore::Opts::default();

    let mut file: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].clone();
        i += 1;
        let mut shorts: Vec<String> = Vec::new();
        if a.starts_with('-') && !a.starts_with("--") && a.len() > 2 {
            shorts = a[1..].chars().map(|c| format!("-{c}")).collect();
        } else {
            shorts.push(a.clone());
        }
        for s in shorts {
            match s.as_str() {
                "-c" | "--counters" => o.counters = true,
                "-n" | "--noflush" => o.noflush = true,
                "-t" | "--test" => o.test = true,
                "-v" | "--verbose" => o.verbose = true,
                "-w" | "--wait" | "-W" | "--wait-interval" => {
                    if args.get(i).is_some_and(|v| v.parse::<f64>().is_ok()) {
                        i += 1;
                    }
                }
                "-M" | "--modprobe" => i += 1,
                "-T" | "--table" => match args.get(i) {
                    Some(t) => {
                        o.only_table = Some(t.clone());
                        i += 1;
                    }
                    None => {
                        return fail(&XtError::param("option \"-T\" requires an argument"), prog)
                    }
                },
                "-4" | "--ipv4" => family = Family::V4,
                "-6" | "--ipv6" => family = Family::V6,
                "-V" | "--version" => {
                    write_out(&version_line(prog));
                    return 0;
                }
                "-h" | "--help" => {
                    write_out(&restore_usage(prog));
                    return 0;
                }
                x if x.starts_with("--table=") => o.only_table = Some(x[8..].to_string()),
                x if !x.starts_with('-') && file.is_none() => file = Some(x.to_string()),
                x => {
                    eprint!(
                        "{prog}: unrecognized option '{x}'\nTry `{prog} -h' for more information.\n"
                    );
                    return 1;
                }
            }
        }
    }
    let mut input = String::new();
    let read = match &file {
        Some(f) => std::fs::read_to_string(f).map(|s| input = s),
        None => std::io::stdin().read_to_string(&mut input).map(|_| ()),
    };
    if let Err(e) = read {
        let why = std::io::Error::from_raw_os_error(e.raw_os_error().unwrap_or(libc::EIO));
        eprintln!(
            "Can't open {}: {}",
            file.as_deref().unwrap_or("stdin"),
            super::engine::strerror(why.raw_os_error().unwrap_or(libc::EIO))
        );
        return 1;
    }
    let mut eng = match Engine::open(family) {
        Ok(e) => e,
        Err(e) => return fail(&e, prog),
    };
    match eng.transact_opt(|tx| restore::run(tx, &input, &o, prog), !o.test) {
        Ok((out, _)) => {
            write_out(&out);
            0
        }
        Err(e) => fail(&e, prog),
    }
}
