//! rcompare's command line (a clap builder, shared with the man page and
//! the completions) and the program itself: [`parse`] then [`run`].

use std::io::{Read, Write};
use std::net::IpAddr;

use clap::{Arg, ArgAction, Command};

use super::error::{Error, Result};
use super::model::{Family, Picture, Side};
use super::{cost, diff, iptables, ipvs, render, translate};

/// Where one side is read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The kernel, through the library.
    Live,
    /// Nothing: an empty side.
    None,
    /// Standard input (`-`).
    Stdin,
    /// A file.
    File(String),
}

impl Source {
    /// From the option's value.
    pub fn parse(s: &str) -> Self {
        match s {
            "live" => Source::Live,
            "none" => Source::None,
            "-" => Source::Stdin,
            f => Source::File(f.to_string()),
        }
    }
    /// The name shown in output.
    pub fn label(&self) -> String {
        match self {
            Source::Live => "live".into(),
            Source::None => "none".into(),
            Source::Stdin => "-".into(),
            Source::File(f) => f.clone(),
        }
    }
}

/// When to colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// What to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Compare the two sides (the default).
    Compare {
        /// `--diff`.
        diff: bool,
    },
    /// `translate --to ...`: write one side's services for the other.
    Translate {
        /// The dataplane to write for.
        to: Side,
        /// `--chain-prefix`.
        prefix: String,
    },
    /// `cost`.
    Cost,
}

/// A parsed command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// What to do.
    pub mode: Mode,
    /// `--ipvs`.
    pub ipvs: Source,
    /// `--iptables`.
    pub iptables: Source,
    /// `-6`.
    pub family: Family,
    /// `--node-ip`.
    pub node_ips: Vec<IpAddr>,
    /// `--color`.
    pub color: ColorWhen,
    /// `--json`.
    pub json: bool,
}

/// The outcome of parsing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// Run with this configuration.
    Run(Config),
    /// Print this (help, version) and exit 0.
    Print(String),
}

const ABOUT: &str = "Compare IPVS and iptables load balancing side by side";

fn common_args() -> Vec<Arg> {
    vec![
        Arg::new("ipvs")
            .long("ipvs")
            .value_name("SOURCE")
            .default_value("live")
            .global(true)
            .help("IPVS side: live, none, - (stdin) or a file (ipvsadm -S / rvsadm -S text, or rvsadm JSON)"),
        Arg::new("iptables")
            .long("iptables")
            .value_name("SOURCE")
            .default_value("live")
            .global(true)
            .help("iptables side: live, none, - (stdin) or a file (iptables-save / rtables-save text, or rtables JSON)"),
        Arg::new("ipv6")
            .short('6')
            .long("ipv6")
            .action(ArgAction::SetTrue)
            .global(true)
            .help("Compare IPv6 services (ip6tables rules, IPv6 IPVS services)"),
        Arg::new("node-ip")
            .long("node-ip")
            .value_name("ADDR[,ADDR...]")
            .action(ArgAction::Append)
            .global(true)
            .help("The node's own addresses: iptables NodePorts (--dst-type LOCAL) become services on each"),
        Arg::new("color")
            .long("color")
            .value_name("WHEN")
            .value_parser(["auto", "always", "never"])
            .default_value("auto")
            .global(true)
            .help("Colour: auto (on a terminal, unless NO_COLOR is set), always or never"),
        Arg::new("json")
            .long("json")
            .action(ArgAction::SetTrue)
            .global(true)
            .help("Print JSON (schema rcompare/1) instead of a table"),
    ]
}

/// The command line as a clap [`Command`].
pub fn command() -> Command {
    Command::new("rcompare")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .long_about(super::docs::DESCRIPTION)
        .disable_help_subcommand(true)
        .args(common_args())
        .arg(
            Arg::new("diff")
                .long("diff")
                .action(ArgAction::SetTrue)
                .conflicts_with("json")
                .help("Print unified-diff-style lines for the services that differ"),
        )
        .subcommand(
            Command::new("translate")
                .about("Write one dataplane's services as input for the other")
                .arg(
                    Arg::new("to")
                        .long("to")
                        .value_name("DATAPLANE")
                        .value_parser(["iptables", "ipvs"])
                        .required(true)
                        .help("iptables: the IPVS services as iptables-restore input; ipvs: the iptables services as ipvsadm -R input"),
                )
                .arg(
                    Arg::new("chain-prefix")
                        .long("chain-prefix")
                        .value_name("PREFIX")
                        .default_value("KUBE")
                        .help("Prefix of the chains written for iptables (PREFIX-SERVICES, PREFIX-SVC-..., PREFIX-SEP-...)"),
                ),
        )
        .subcommand(
            Command::new("cost")
                .about("Per service and in total: rules matched before the DNAT in iptables, and IPVS's lookup and scheduler"),
        )
}

fn usage(msg: impl Into<String>) -> Error {
    Error::Usage(msg.into())
}

/// Parses the arguments (without the program name).
pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<Parsed> {
    let argv = std::iter::once("rcompare").chain(args.iter().map(|a| a.as_ref()));
    let m = match command().try_get_matches_from(argv) {
        Ok(m) => m,
        Err(e) => {
            let text = e.render().to_string();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    Ok(Parsed::Print(text))
                }
                _ => Err(usage(text.trim_end().to_string())),
            };
        }
    };
    let (mode, sub) = match m.subcommand() {
        Some(("translate", s)) => {
            let to = match s.get_one::<String>("to").map(String::as_str) {
                Some("ipvs") => Side::Ipvs,
                _ => Side::Iptables,
            };
            let prefix = s
                .get_one::<String>("chain-prefix")
                .cloned()
                .unwrap_or_else(|| "KUBE".into());
            if prefix.is_empty()
                || !prefix
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                || prefix.len() + "-SVC-".len() + 16 > translate::MAX_CHAIN_NAME
            {
                return Err(usage(format!(
                    "error: --chain-prefix `{prefix}': use up to {} letters, digits, - or _",
                    translate::MAX_CHAIN_NAME - 21
                )));
            }
            (Mode::Translate { to, prefix }, Some(s))
        }
        Some(("cost", s)) => (Mode::Cost, Some(s)),
        _ => (
            Mode::Compare {
                diff: m.get_flag("diff"),
            },
            None,
        ),
    };
    // Global options are visible in the subcommand's matches.
    let g = sub.unwrap_or(&m);
    let src = |name: &str| Source::parse(g.get_one::<String>(name).map_or("live", String::as_str));
    let ipvs = src("ipvs");
    let iptables = src("iptables");
    if ipvs == Source::Stdin && iptables == Source::Stdin {
        return Err(usage(
            "error: only one side can be read from standard input",
        ));
    }
    let mut node_ips = Vec::new();
    for v in g.get_many::<String>("node-ip").into_iter().flatten() {
        for part in v.split(',').filter(|p| !p.is_empty()) {
            let ip: IpAddr = part
                .parse()
                .map_err(|_| usage(format!("error: --node-ip: `{part}' is not an address")))?;
            node_ips.push(ip);
        }
    }
    let color = match g.get_one::<String>("color").map(String::as_str) {
        Some("always") => ColorWhen::Always,
        Some("never") => ColorWhen::Never,
        _ => ColorWhen::Auto,
    };
    let json = g.get_flag("json");
    if json && matches!(mode, Mode::Translate { .. }) {
        return Err(usage(
            "error: translate writes restore input; --json does not apply",
        ));
    }
    Ok(Parsed::Run(Config {
        mode,
        ipvs,
        iptables,
        family: if g.get_flag("ipv6") {
            Family::V6
        } else {
            Family::V4
        },
        node_ips,
        color,
        json,
    }))
}

/// What the program needs from its surroundings.
pub struct Env<'a> {
    /// Standard input (for a `-` source).
    pub stdin: &'a mut dyn Read,
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard error (translation notes).
    pub err: &'a mut dyn Write,
    /// Standard output is a terminal.
    pub terminal: bool,
    /// `NO_COLOR` is set to something.
    pub no_color: bool,
}

fn read(src: &Source, stdin: &mut dyn Read) -> Result<String> {
    match src {
        Source::Stdin => {
            let mut s = String::new();
            stdin.read_to_string(&mut s).map_err(|e| Error::Io {
                path: "standard input".into(),
                source: e,
            })?;
            Ok(s)
        }
        Source::File(f) => std::fs::read_to_string(f).map_err(|e| Error::Io {
            path: f.clone(),
            source: e,
        }),
        Source::Live | Source::None => Ok(String::new()),
    }
}

/// Loads the IPVS side.
pub fn load_ipvs(src: &Source, family: Family, stdin: &mut dyn Read) -> Result<Picture> {
    match src {
        Source::Live => ipvs::live(family),
        Source::None => Ok(Picture::new(Side::Ipvs, "none", family)),
        s => ipvs::from_text(&read(s, stdin)?, &s.label(), family),
    }
}

/// Loads the iptables side and walks it.
pub fn load_iptables(
    src: &Source,
    family: Family,
    node_ips: &[IpAddr],
    stdin: &mut dyn Read,
) -> Result<Picture> {
    let set = match src {
        Source::Live => iptables::live(family)?,
        Source::None => return Ok(Picture::new(Side::Iptables, "none", family)),
        s => iptables::from_text(&read(s, stdin)?, &s.label(), family)?,
    };
    let opts = iptables::walk::Options {
        node_ips: node_ips.to_vec(),
    };
    Ok(iptables::walk::services(&set, &opts))
}

/// Runs a parsed command line. Returns the exit status: 0 equivalent
/// (or done), 1 different; errors are trouble (2).
pub fn run(cfg: &Config, env: &mut Env<'_>) -> Result<i32> {
    let color = match cfg.color {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => env.terminal && !env.no_color,
    };
    let style = render::Style {
        color,
        terminal: env.terminal,
    };
    let write = |out: &mut dyn Write, s: &str| out.write_all(s.as_bytes()).map_err(Error::Output);
    match &cfg.mode {
        Mode::Translate { to, prefix } => {
            let t = match to {
                Side::Iptables => {
                    let p = load_ipvs(&cfg.ipvs, cfg.family, env.stdin)?;
                    translate::to_iptables(
                        &p,
                        &translate::IptablesOptions {
                            prefix: prefix.clone(),
                        },
                    )
                }
                Side::Ipvs => {
                    let p = load_iptables(&cfg.iptables, cfg.family, &cfg.node_ips, env.stdin)?;
                    let mut t = translate::to_ipvs(&p);
                    t.notes.splice(0..0, p.notes.iter().cloned());
                    t
                }
            };
            write(env.out, &t.text)?;
            for n in &t.notes {
                write(env.err, &format!("rcompare: note: {n}\n"))?;
            }
            Ok(0)
        }
        Mode::Compare { diff: as_diff } => {
            let mut a = load_ipvs(&cfg.ipvs, cfg.family, env.stdin)?;
            let b = load_iptables(&cfg.iptables, cfg.family, &cfg.node_ips, env.stdin)?;
            diff::annotate_mark_feeds(&mut a, &b);
            let c = diff::compare(&a, &b);
            let text = if cfg.json {
                render::json(&c)
            } else if *as_diff {
                for n in render::notes(&c) {
                    write(env.err, &format!("rcompare: note: {n}\n"))?;
                }
                render::diff(&c, color)
            } else {
                render::table(&c, style)
            };
            write(env.out, &text)?;
            Ok(if c.summary.equivalent() { 0 } else { 1 })
        }
        Mode::Cost => {
            let a = load_ipvs(&cfg.ipvs, cfg.family, env.stdin)?;
            let b = load_iptables(&cfg.iptables, cfg.family, &cfg.node_ips, env.stdin)?;
            let r = cost::report(&a, &b);
            let text = if cfg.json {
                render::cost_json(&r, cfg.family)
            } else {
                render::cost_table(&r, style)
            };
            write(env.out, &text)?;
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(args: &[&str]) -> Config {
        match parse(args).unwrap() {
            Parsed::Run(c) => c,
            Parsed::Print(t) => panic!("{t}"),
        }
    }

    #[test]
    fn defaults_and_subcommands() {
        let c = cfg(&[]);
        assert_eq!(c.mode, Mode::Compare { diff: false });
        assert_eq!(
            (c.ipvs.clone(), c.iptables.clone()),
            (Source::Live, Source::Live)
        );
        let c = cfg(&["--ipvs", "a.txt", "translate", "--to", "iptables", "-6"]);
        assert_eq!(c.ipvs, Source::File("a.txt".into()));
        assert_eq!(c.family, Family::V6);
        assert!(matches!(
            c.mode,
            Mode::Translate {
                to: Side::Iptables,
                ..
            }
        ));
        let c = cfg(&[
            "cost",
            "--iptables",
            "-",
            "--node-ip",
            "10.0.0.1,10.0.0.2",
            "--json",
        ]);
        assert_eq!(c.mode, Mode::Cost);
        assert_eq!(c.node_ips.len(), 2);
        assert!(c.json);
    }

    #[test]
    fn usage_errors() {
        assert!(matches!(parse(&["--diff", "--json"]), Err(Error::Usage(_))));
        assert!(matches!(parse(&["translate"]), Err(Error::Usage(_))));
        assert!(matches!(
            parse(&["--node-ip", "nope"]),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            parse(&["--ipvs", "-", "--iptables", "-"]),
            Err(Error::Usage(_))
        ));
        assert!(matches!(parse(&["--help"]), Ok(Parsed::Print(_))));
    }
}
