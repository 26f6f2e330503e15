//! Help text, man pages and shell completions of `rtables`, `rtables-save`
//! and `rtables-restore`.
//!
//! The man pages' option sections and the completions are generated: for
//! rtables from the option table [`cli::BASE`] (long name, short letter,
//! argument kind) with the per-option help kept here in [`RTABLES_HELP`],
//! keyed by long name; for rtables-save and rtables-restore from
//! [`SAVE_OPTIONS`] and [`RESTORE_OPTIONS`], which mirror the option
//! parsing in [`super::app`]. The EXTENSIONS section lists
//! [`ext::all()`]. The other sections are hand-written roff below.
//! `netlb-gen-docs` writes the files; `tests/docs.rs` checks they are
//! current and complete.

use clap::{Arg, ArgAction, Command, ValueHint};
use clap_complete::Shell;

use super::cli::{self, BaseArg};
use super::ext::{self, Ext, Families, Kind};

/// `rtables -h`.
pub fn help_text(prog: &str) -> String {
    format!(
        "{prog} {tag}

Usage: {prog} -[ACD] chain rule-specification [options]
       {prog} -I chain [rulenum] rule-specification [options]
       {prog} -R chain rulenum rule-specification [options]
       {prog} -D chain rulenum [options]
       {prog} -[LS] [chain [rulenum]] [options]
       {prog} -[FZ] [chain] [options]
       {prog} -[NX] chain
       {prog} -E old-chain-name new-chain-name
       {prog} -P chain target [options]
       {prog} -h (print this help information)

Commands:
  --append  -A chain            Append to chain
  --check   -C chain            Check for the existence of a rule
  --delete  -D chain            Delete matching rule from chain
  --delete  -D chain rulenum    Delete rule rulenum (1 = first) from chain
  --insert  -I chain [rulenum]  Insert in chain as rulenum (default 1=first)
  --replace -R chain rulenum    Replace rule rulenum (1 = first) in chain
  --list    -L [chain [rulenum]]  List the rules in a chain or all chains
  --list-rules -S [chain [rulenum]]  Print the rules in a chain or all chains
  --flush   -F [chain]          Delete all rules in chain or all chains
  --zero    -Z [chain [rulenum]]  Zero counters in chain or all chains
  --new-chain -N chain          Create a new user-defined chain
  --delete-chain -X [chain]     Delete a user-defined chain
  --policy  -P chain target     Change policy on chain to target
  --rename-chain -E old-chain new-chain  Change chain name (moving any references)

Options:
  --ipv4    -4                  IPv4 (the default; an error with -6)
  --ipv6    -6                  IPv6, the same as r6tables
[!] --protocol -p proto         protocol: by number or name, eg. `tcp'
[!] --source  -s address[/mask][...]  source specification
[!] --destination -d address[/mask][...]  destination specification
[!] --in-interface -i input name[+]  network interface name ([+] for wildcard)
 --jump    -j target            target for rule (may load target extension)
  --goto   -g chain             jump to chain with no return
  --match   -m match            extended match (may load extension)
  --numeric -n                  numeric output of addresses and ports
[!] --out-interface -o output name[+]  network interface name ([+] for wildcard)
  --table   -t table            table to manipulate (default: `filter')
  --verbose -v                  verbose mode
  --wait    -w [seconds]        accepted for compatibility (nf_tables needs no lock)
  --wait-interval -W [usecs]    accepted for compatibility (nf_tables needs no lock)
  --line-numbers                print line numbers when listing
  --exact   -x                  expand numbers (display exact values)
[!] --fragment -f               match second or further fragments only
  --modprobe=<command>          accepted for compatibility (ignored)
  --set-counters -c PKTS BYTES  set the counter during insert/append
  --json                        JSON output for -L/-S (schema rtables/1)
  --version -V                  print package version.
",
        tag = super::error::VERSION_TAG
    )
}

// ---------------------------------------------------------------------------
// The option tables.

/// One documented option: what the man page and completions show.
#[derive(Debug, Clone, Copy)]
pub struct OptDoc {
    /// Long name without `--`.
    pub long: &'static str,
    /// Short letter.
    pub short: Option<char>,
    /// The words that follow, `[...]` for optional ones: `"chain [rulenum]"`.
    pub values: &'static str,
    /// Man page section (`COMMANDS`, `PARAMETERS`, `OTHER OPTIONS`), or
    /// `""` for the plain OPTIONS section.
    pub heading: &'static str,
    /// The help paragraph.
    pub help: &'static str,
}

const COMMANDS: &str = "Commands";
const PARAMETERS: &str = "Parameters";
const OTHER: &str = "Other options";

/// Help for every option in [`cli::BASE`], keyed by long name:
/// (long, heading, values, help). The short letter and the argument kind
/// come from `cli::BASE`; a test checks both tables name the same options
/// and that `values` agrees with the argument kind.
pub static RTABLES_HELP: &[(&str, &str, &str, &str)] = &[
    ("append", COMMANDS, "chain",
     "Append rules to the end of chain. Several comma-separated -s/-d addresses (or names resolving to several addresses) add one rule per source and destination pair."),
    ("delete", COMMANDS, "chain [rulenum]",
     "Delete the first rule in chain that matches the rule specification, or rule number rulenum (1 = first)."),
    ("check", COMMANDS, "chain",
     "Check whether a rule matching the specification exists in chain: exit 0 if it does, exit 1 with \"Bad rule (does a matching rule exist in that chain?).\" if not."),
    ("insert", COMMANDS, "chain [rulenum]",
     "Insert rules into chain as rule number rulenum (default 1, the head of the chain)."),
    ("replace", COMMANDS, "chain rulenum",
     "Replace rule number rulenum (1 = first) in chain."),
    ("list", COMMANDS, "[chain [rulenum]]",
     "List the rules of chain (or one rule), or of every chain of the table, in iptables' table layout. With -v: counters, interfaces and options; -n: numeric addresses and ports; -x: exact counters; --line-numbers: rule numbers; --json: JSON. Rules iptables syntax cannot express print as marked comment lines (see EXIT STATUS)."),
    ("list-rules", COMMANDS, "[chain [rulenum]]",
     "Print the rules of chain (or one rule), or of the whole table, as -P, -N and -A lines in iptables-save syntax. With -v each rule carries its counters as -c packets bytes; --json prints JSON."),
    ("flush", COMMANDS, "[chain]",
     "Delete every rule in chain, or in every chain of the table."),
    ("zero", COMMANDS, "[chain [rulenum]]",
     "Zero the packet and byte counters of chain (or of one rule), or of every chain of the table."),
    ("new-chain", COMMANDS, "chain",
     "Create a user-defined chain."),
    ("delete-chain", COMMANDS, "[chain]",
     "Delete the user-defined chain, which must be empty and not referenced, or every user-defined chain of the table."),
    ("rename-chain", COMMANDS, "old-chain new-chain",
     "Rename a user-defined chain; rules jumping to it follow."),
    ("policy", COMMANDS, "chain target",
     "Set the policy of a built-in chain: ACCEPT or DROP."),
    ("source", PARAMETERS, "address[/mask][,...]",
     "[!] Source address: an address, network or host name with an optional prefix length or dotted mask. Several comma-separated addresses add one rule each."),
    ("destination", PARAMETERS, "address[/mask][,...]",
     "[!] Destination address, as for --source."),
    ("src", PARAMETERS, "address[/mask][,...]",
     "The same as --source."),
    ("dst", PARAMETERS, "address[/mask][,...]",
     "The same as --destination."),
    ("protocol", PARAMETERS, "protocol",
     "[!] Protocol: tcp, udp, udplite, icmp, icmpv6, esp, ah, sctp, mh, all, a name from /etc/protocols or a number. A protocol with a match extension of the same name (tcp, udp, icmp, ...) lets that match's options follow without -m."),
    ("in-interface", PARAMETERS, "name[+]",
     "[!] Input interface (PREROUTING, INPUT and FORWARD chains); a trailing + matches every interface whose name begins with the rest."),
    ("jump", PARAMETERS, "target",
     "What to do when the rule matches: ACCEPT, DROP, RETURN, a user-defined chain, or a target extension with its options (see EXTENSIONS). Without -j a rule only counts."),
    ("goto", PARAMETERS, "chain",
     "Continue in the user-defined chain without coming back: a RETURN there returns to the caller of this chain."),
    ("match", PARAMETERS, "match",
     "Load a match extension; its options follow (see EXTENSIONS)."),
    ("out-interface", PARAMETERS, "name[+]",
     "[!] Output interface (FORWARD, OUTPUT and POSTROUTING chains), as for --in-interface."),
    ("fragments", PARAMETERS, "",
     "[!] Match second and further fragments only (IPv4; --fragment works too)."),
    ("set-counters", PARAMETERS, "packets bytes",
     "Set the packet and byte counters of the rule being added, inserted or replaced (also as packets,bytes)."),
    ("ipv4", PARAMETERS, "",
     "IPv4, the default. With -6 (or as r6tables) it is an error."),
    ("ipv6", PARAMETERS, "",
     "IPv6: work on the ip6 family's tables, as ip6tables does. Accepted anywhere on the command line; the same as running r6tables. Messages then say r6tables."),
    ("table", OTHER, "table",
     "The table: filter (the default), nat, mangle, raw or security."),
    ("numeric", OTHER, "",
     "Numeric output of addresses, ports and protocols in -L."),
    ("verbose", OTHER, "",
     "Verbose output: -L shows counters, interfaces and options, -S adds counters; -A, -I, -R, -D and -C print the rule."),
    ("wait", OTHER, "[seconds]",
     "Accepted and ignored: nf_tables needs no lock (see DESCRIPTION)."),
    ("wait-interval", OTHER, "[usecs]",
     "Accepted and ignored, as --wait."),
    ("exact", OTHER, "",
     "Exact packet and byte counters in -L (no K, M, G suffixes)."),
    ("version", OTHER, "",
     "Print rtables' version line."),
    ("help", OTHER, "[extension]",
     "Print the help text (a following extension name is accepted and ignored)."),
    ("line-numbers", OTHER, "",
     "Number the rules in -L."),
    ("modprobe", OTHER, "command",
     "Accepted and ignored: rtables loads no modules itself."),
    ("json", OTHER, "",
     "With -L or -S: print one JSON document (schema rtables/1, see JSON) instead of text."),
];

/// rtables-save's options (mirrors `save_main` in [`super::app`]).
pub static SAVE_OPTIONS: &[OptDoc] = &[
    o("counters", Some('c'), "", "", "Include every rule's packet and byte counters, as [packets:bytes] before the -A. Chain counters are always printed."),
    o("table", Some('t'), "table", "", "Save only this table (filter, nat, mangle, raw or security). --table=table works too."),
    o("modprobe", Some('M'), "command", "", "Accepted and ignored."),
    o("json", None, "", "", "Print one JSON document (schema rtables/1, see JSON) instead of save text."),
    o("ipv4", Some('4'), "", "", "IPv4, the default."),
    o("ipv6", Some('6'), "", "", "IPv6: save the ip6 family's tables, as ip6tables-save (the same as running r6tables-save)."),
    o("version", Some('V'), "", "", "Print the version line."),
    o("help", Some('h'), "", "", "Print a usage summary."),
];

/// rtables-restore's options (mirrors `restore_main` in [`super::app`]).
pub static RESTORE_OPTIONS: &[OptDoc] = &[
    o("counters", Some('c'), "", "", "Set the rules' counters from the [packets:bytes] prefixes in the input."),
    o("noflush", Some('n'), "", "", "Do not flush the tables the input names: its rules and chains are added to what is there. Without it each table section replaces the whole table (everything in the nf_tables table, including what nft added)."),
    o("test", Some('t'), "", "", "Parse the input and build the whole transaction against the current ruleset, but commit nothing."),
    o("verbose", Some('v'), "", "", "Accepted; prints nothing more."),
    o("wait", Some('w'), "[seconds]", "", "Accepted and ignored: nf_tables needs no lock."),
    o("wait-interval", Some('W'), "[usecs]", "", "Accepted and ignored."),
    o("modprobe", Some('M'), "command", "", "Accepted and ignored."),
    o("table", Some('T'), "table", "", "Restore only this table's section and skip the others. --table=table works too."),
    o("ipv4", Some('4'), "", "", "IPv4, the default."),
    o("ipv6", Some('6'), "", "", "IPv6: restore into the ip6 family's tables, as ip6tables-restore (the same as running r6tables-restore)."),
    o("version", Some('V'), "", "", "Print the version line."),
    o("help", Some('h'), "", "", "Print a usage summary."),
];

const fn o(
    long: &'static str,
    short: Option<char>,
    values: &'static str,
    heading: &'static str,
    help: &'static str,
) -> OptDoc {
    OptDoc {
        long,
        short,
        values,
        heading,
        help,
    }
}

/// rtables' options: [`cli::BASE`] joined with [`RTABLES_HELP`], in
/// `BASE` order. An option without help gets an empty help text (and a
/// failing test).
pub fn rtables_options() -> Vec<OptDoc> {
    cli::BASE
        .iter()
        .map(|b| {
            let h = RTABLES_HELP.iter().find(|h| h.0 == b.long);
            OptDoc {
                long: b.long,
                short: b.short,
                values: h.map_or("", |h| h.2),
                heading: h.map_or(OTHER, |h| h.1),
                help: h.map_or("", |h| h.3),
            }
        })
        .collect()
}

/// The value words of `values`: (name, required).
pub fn value_words(values: &str) -> Vec<(&str, bool)> {
    values
        .split_whitespace()
        .map(|w| match w.strip_prefix('[') {
            Some(rest) => (rest.trim_end_matches(']'), false),
            None => (w, true),
        })
        .collect()
}

/// Whether `values` agrees with an argument kind from `cli::BASE`.
pub fn values_fit(values: &str, arg: BaseArg) -> bool {
    let w = value_words(values);
    match arg {
        BaseArg::None => w.is_empty(),
        BaseArg::Req => w.first().is_some_and(|v| v.1),
        BaseArg::Opt => !w.is_empty() && w.iter().all(|v| !v.1),
    }
}

// ---------------------------------------------------------------------------
// clap commands (for clap_mangen and clap_complete).

fn arg_of(d: &OptDoc, order: usize) -> Arg {
    // Completions show the first sentence, the man page all of it.
    let mut a = Arg::new(d.long)
        .long(d.long)
        .help(first_sentence(d.help))
        .long_help(d.help)
        .display_order(order);
    if let Some(c) = d.short {
        a = a.short(c);
    }
    if !d.heading.is_empty() {
        a = a.help_heading(d.heading);
    }
    let words = value_words(d.values);
    if words.is_empty() {
        return a.action(ArgAction::SetTrue);
    }
    let names: Vec<&'static str> = words.iter().map(|w| w.0).collect();
    let min = words.iter().filter(|w| w.1).count();
    a = a
        .action(ArgAction::Set)
        .value_names(names)
        .num_args(min..=words.len());
    match d.long {
        "table" => a
            .value_parser(
                super::builtin::TABLES
                    .iter()
                    .map(|t| t.name)
                    .collect::<Vec<_>>(),
            )
            .hide_possible_values(true),
        "protocol" => a
            .value_parser([
                "tcp", "udp", "udplite", "icmp", "icmpv6", "esp", "ah", "sctp", "mh", "all",
            ])
            .hide_possible_values(true),
        "match" => a
            .value_parser(ext_names(Kind::Match))
            .hide_possible_values(true),
        "jump" => {
            let mut v = vec!["ACCEPT", "DROP", "RETURN"];
            v.extend(ext_names(Kind::Target));
            a.value_parser(v).hide_possible_values(true)
        }
        "modprobe" => a.value_hint(ValueHint::CommandName),
        _ => a,
    }
}

/// `help` up to and including its first ". ".
fn first_sentence(help: &'static str) -> &'static str {
    match help.find(". ") {
        Some(i) => &help[..=i],
        None => help,
    }
}

fn ext_names(kind: Kind) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = Vec::new();
    for e in ext::all().filter(|e| e.kind() == kind) {
        if !v.contains(&e.name()) {
            v.push(e.name());
        }
    }
    v
}

fn base_command(name: &'static str, about: &'static str, opts: &[OptDoc]) -> Command {
    let mut cmd = Command::new(name)
        .version(env!("CARGO_PKG_VERSION"))
        .about(about)
        .disable_help_flag(true)
        .disable_version_flag(true);
    for (i, d) in opts.iter().enumerate() {
        cmd = cmd.arg(arg_of(d, i));
    }
    cmd
}

/// `rtables` as a clap [`Command`], built from [`cli::BASE`].
pub fn rtables_command() -> Command {
    base_command(
        "rtables",
        "administration of iptables rules on nf_tables, a drop-in iptables-nft 1.8.9",
        &rtables_options(),
    )
    .override_usage(RTABLES_USAGE)
}

/// `rtables-save` as a clap [`Command`].
pub fn save_command() -> Command {
    base_command(
        "rtables-save",
        "dump iptables rules from nf_tables, a drop-in iptables-nft-save 1.8.9",
        SAVE_OPTIONS,
    )
    .override_usage(SAVE_USAGE)
}

/// `rtables-restore` as a clap [`Command`].
pub fn restore_command() -> Command {
    base_command(
        "rtables-restore",
        "restore iptables rules into nf_tables in one transaction, a drop-in iptables-nft-restore 1.8.9",
        RESTORE_OPTIONS,
    )
    .override_usage(RESTORE_USAGE)
    .arg(
        Arg::new("file")
            .value_name("file")
            .help("Read the rules from file instead of standard input.")
            .value_hint(ValueHint::FilePath)
            .display_order(RESTORE_OPTIONS.len()),
    )
}

const RTABLES_USAGE: &str = "rtables [-4|-6] [-t table] -[ACD] chain rule-specification [options]
rtables [-4|-6] [-t table] -I chain [rulenum] rule-specification [options]
rtables [-4|-6] [-t table] -R chain rulenum rule-specification [options]
rtables [-4|-6] [-t table] -D chain rulenum [options]
rtables [-4|-6] [-t table] -[LS] [chain [rulenum]] [options] [--json]
rtables [-4|-6] [-t table] -[FZ] [chain] [options]
rtables [-4|-6] [-t table] -[NX] chain
rtables [-4|-6] [-t table] -E old-chain-name new-chain-name
rtables [-4|-6] [-t table] -P chain target [options]
rtables -h | -V
r6tables ... (the same as rtables -6 ...)

rule-specification = [matches...] [target]
match = -m matchname [per-match-options]
target = -j targetname [per-target-options]";

const SAVE_USAGE: &str = "rtables-save [-4|-6] [-c] [-t table] [-M modprobe] [--json]
r6tables-save ... (the same as rtables-save -6 ...)";

const RESTORE_USAGE: &str =
    "rtables-restore [-4|-6] [-c] [-n] [-t] [-v] [-w [secs]] [-W [usecs]] [-T table] [-M command] [file]
r6tables-restore ... (the same as rtables-restore -6 ...)";

// ---------------------------------------------------------------------------
// Man pages.

/// Escapes generated text for roff.
fn roff(s: &str) -> String {
    s.replace('\\', "\\e").replace('-', "\\-")
}

fn synopsis(usage: &str) -> String {
    let mut s = String::from(".SH SYNOPSIS\n.nf\n");
    for line in usage.lines() {
        s.push_str(&roff(line));
        s.push('\n');
    }
    s.push_str(".fi\n");
    s
}

fn families_text(f: Families) -> &'static str {
    match f {
        Families::Both => "",
        Families::V4 => " (IPv4 only)",
        Families::V6 => " (IPv6 only)",
    }
}

/// The EXTENSIONS section, generated from the extension registry.
pub fn extensions_section() -> String {
    let mut s = String::from(EXTENSIONS_INTRO);
    for (kind, title, flag) in [
        (Kind::Match, "Matches", "\\-m"),
        (Kind::Target, "Targets", "\\-j"),
    ] {
        // Group same-named extensions (REJECT for IPv4 and IPv6, ...).
        let mut groups: Vec<(&'static str, Vec<Ext>)> = Vec::new();
        for e in ext::all().filter(|e| e.kind() == kind) {
            match groups.iter_mut().find(|g| g.0 == e.name()) {
                Some(g) => g.1.push(e),
                None => groups.push((e.name(), vec![e])),
            }
        }
        groups.sort_by_key(|g| g.0.to_ascii_lowercase());
        s.push_str(&format!(".SS \"{title} ({flag} \\fIname\\fR)\"\n"));
        for (name, exts) in &groups {
            let v4 = exts
                .iter()
                .any(|e| e.families().has(super::expr::Family::V4));
            let v6 = exts
                .iter()
                .any(|e| e.families().has(super::expr::Family::V6));
            let fam = match (v4, v6) {
                (true, false) => families_text(Families::V4),
                (false, true) => families_text(Families::V6),
                _ => families_text(Families::Both),
            };
            s.push_str(&format!(".TP\n\\fB{flag} {}\\fR{fam}\n", roff(name)));
            let mut opts: Vec<String> = Vec::new();
            for e in exts {
                for opt in e.options() {
                    let text = format!(
                        "{}\\-\\-{}",
                        if opt.invert { "[!] " } else { "" },
                        roff(opt.name)
                    );
                    if !opts.contains(&text) {
                        opts.push(text);
                    }
                }
            }
            if opts.is_empty() {
                s.push_str("no options");
            } else {
                s.push_str(&opts.join(", "));
            }
            let kn = exts[0].kernel_name();
            if kn != *name {
                s.push_str(&format!("; kernel extension {}", roff(kn)));
            }
            s.push('\n');
        }
    }
    s
}

const EXTENSIONS_INTRO: &str = r#".SH EXTENSIONS
These are every match and target extension rtables knows, with their options
(\fB[!]\fR: the option may be negated with a \fB!\fR before it). They take the
arguments iptables\-extensions(8) describes and are encoded in the kernel exactly as
iptables\-nft 1.8.9 encodes them: natively where it does (\fBtcp\fR, \fBudp\fR,
\fBmark\fR, \fBlimit\fR, ...), otherwise as an xtables compat match or target
with the same revision and info blob. \fB\-p tcp\fR, \fB\-p udp\fR and the other
protocols with a match of the same name load that match, so its options may follow
without \fB\-m\fR. An unknown name fails with
\fBCouldn't load match `\fR\fIname\fR\fB':No such file or directory\fR (exit 2), as in iptables.
"#;

const RTABLES_DESCRIPTION: &str = r#".SH DESCRIPTION
\fBrtables\fR is a drop\-in replacement for \fBiptables\-nft\fR 1.8.9 (\fBiptables v1.8.9 (nf_tables)\fR):
it takes the same commands, options, rule specifications and extensions, prints the same
output and exits with the same status, so scripts can switch to it unchanged.
\fBrtables \-6\fR (or the program invoked as \fBr6tables\fR) is the same for \fBip6tables\-nft\fR.
.PP
The rules live in the kernel's nf_tables, in the tables iptables\-nft uses (family \fBip\fR
or \fBip6\fR; tables \fBfilter\fR, \fBnat\fR, \fBmangle\fR, \fBraw\fR, \fBsecurity\fR with the
built\-in chains in upper case), and rtables writes them with the same kernel encoding
iptables\-nft 1.8.9 uses: the same native expressions, and the same xtables compat matches and
targets with the same revisions and info blobs. iptables\-nft and rtables can therefore manage
one table together: each reads, changes, checks (\fB\-C\fR) and deletes (\fB\-D\fR) the rules
the other wrote.
.PP
Every command is one nf_tables transaction. rtables reads what the command needs, builds all
its changes and sends them in one batch that carries the ruleset's generation id. If another
program changed the ruleset in between, the kernel refuses the batch and rtables rebuilds it
from a fresh read and sends it again, so concurrent writers lose nothing and no lock is taken
(\fB\-w\fR and \fB\-W\fR are accepted and ignored). \fBrtables\-restore\fR(8) applies a whole
input the same way: all tables in one transaction.
.PP
Rules other programs (such as \fBnft\fR) put into these tables are read too. Those iptables
syntax can express (a rule comment in userdata, \fBip ttl\fR, \fBmeta mark set\fR, ...) print as
iptables would print them. The others are never printed as something they are not: listings
and saves show each as a marked comment line in its place,
.PP
.RS
.nf
\fB# Warning: rule handle\fR \fIN\fR \fBin chain\fR \fIchain\fR \fBcannot be expressed in iptables syntax (\fR\fIwhat it is\fR\fB)\fR
.fi
.RE
.PP
and rtables prints everything else and exits with status 1.
"#;

const JSON_SECTION: &str = r#".SH JSON
With \fB\-\-json\fR, \fB\-L\fR and \fB\-S\fR (and \fBrtables\-save \-\-json\fR) print one JSON object:
\fB{"schema": "rtables/1", "family": "ip"|"ip6", "tables": [...]}\fR. A table has \fBname\fR and
\fBchains\fR; a chain has \fBname\fR, \fBbuiltin\fR, \fBpolicy\fR (null for user\-defined chains),
\fBpackets\fR, \fBbytes\fR, \fBreferences\fR (null for built\-in chains) and \fBrules\fR. A rule has
\fBhandle\fR, \fBpackets\fR, \fBbytes\fR, \fBsource\fR, \fBdestination\fR, \fBin_interface\fR,
\fBout_interface\fR, \fBprotocol\fR, \fBprotocol_number\fR (each with an \fB_inverted\fR flag),
\fBfragment\fR, \fBmatches\fR and \fBtarget\fR (each {\fBname\fR, \fBoptions\fR}: the words
iptables\-save prints after \fB\-m\fR \fIname\fR / \fB\-j\fR \fIname\fR) and \fBgoto\fR. A rule iptables
syntax cannot express has only \fBhandle\fR, \fBpackets\fR, \fBbytes\fR and \fBunexpressible\fR (what it
is); the exit status is then 1. Addresses, ports and counters are always numeric and exact.
Within rtables/1 fields are only ever added. The full description with an example is
docs/json\-schema.md in the source.
"#;

const RTABLES_EXIT: &str = r#".SH "EXIT STATUS"
.TP
0
Success.
.TP
1
Any other problem (\fBNo chain/target/match by that name.\fR, \fBBad rule (does a matching rule
exist in that chain?).\fR, \fBChain already exists.\fR, \fBIndex of insertion too big.\fR, ...), and a
listing (\fB\-L\fR, \fB\-S\fR, \fB\-\-json\fR) that holds a rule iptables syntax cannot express: the
listing still prints everything, such rules as \fB# Warning: ...\fR comment lines.
.TP
2
A parameter problem: the command line is wrong. The message is followed by
\fBTry `rtables \-h' or 'rtables \-\-help' for more information.\fR
.TP
3
A version problem: an unknown table (\fBtable 'foo' does not exist\fR, followed by
\fBPerhaps rtables or your kernel needs to be upgraded.\fR).
.TP
4
A resource problem: the kernel refused the transaction (for example
\fBCHAIN_DEL failed (Device or resource busy): chain X\fR for a chain still referenced).
Nothing of it was applied.
"#;

const RTABLES_EXAMPLES: &str = r#".SH EXAMPLES
.nf
rtables \-A INPUT \-i lo \-j ACCEPT
rtables \-A INPUT \-m conntrack \-\-ctstate ESTABLISHED,RELATED \-j ACCEPT
rtables \-A INPUT \-p tcp \-m multiport \-\-dports 22,80,443 \-j ACCEPT
rtables \-P INPUT DROP
rtables \-t nat \-A POSTROUTING \-s 10.0.0.0/8 \-o eth0 \-j MASQUERADE
rtables \-6 \-A INPUT \-p ipv6\-icmp \-j ACCEPT
rtables \-L \-n \-v \-\-line\-numbers
rtables \-S INPUT
rtables \-D INPUT 3
rtables \-C INPUT \-p tcp \-\-dport 22 \-j ACCEPT && echo present
rtables \-S \-\-json | jq \-r \(aq.tables[].chains[] | "\e(.name) \e(.rules | length)"\(aq
.fi
"#;

/// The COMPATIBILITY items all three pages share: messages and `-V`/`-h`.
fn compat_messages() -> String {
    format!(
        r#".IP \(bu 2
Messages name the program: \fBrtables\fR (or \fBr6tables\fR, \fBrtables\-save\fR, ...) where iptables
prints \fBiptables\fR or \fBip6tables\fR (\fBiptables\-save\fR, ...), with the same \fB{tag}\fR tag,
e.g. \fBrtables {tag}: Chain 'NOPE' does not exist\fR.
.IP \(bu 2
\fB\-V\fR prints rtables' own version line (\fB{version}\fR) and \fB\-h\fR rtables' own help text.
"#,
        tag = super::error::VERSION_TAG,
        version = roff(super::app::version_line("rtables").trim_end()),
    )
}

/// Foreign rules in listings (rtables and rtables-save).
const COMPAT_FOREIGN: &str = r#".IP \(bu 2
Foreign native rules (written by nft) are never printed as something else. Those iptables syntax
can express (a userdata comment, \fBip ttl\fR, \fBmeta mark set\fR, ...) print as iptables prints them;
the others become marked comment lines (\fB# Warning: rule handle\fR \fIN\fR \fB...\fR), everything else is
still printed, and the exit status is 1. iptables 1.8.9 instead prints some of them as a different
rule (an \fBip saddr { 5.5.5.5, 6.6.6.6 } accept\fR set lookup becomes \fB\-A INPUT \-j ACCEPT\fR), calls
the whole table or chain incompatible, or stops at the rule with \fBParsing nftables rule failed\fR
and exit 3.
"#;

/// Newer encodings (all three pages).
const COMPAT_ENCODINGS: &str = r#".IP \(bu 2
The encodings iptables 1.8.10 and later write are read too: \fB\-p\fR as a payload match on the IPv4
protocol field, addresses before interfaces, base chains with counters, and native
\fBmeta mark set\fR as \fB\-j MARK\fR. rtables itself writes 1.8.9's encoding.
"#;

const RTABLES_COMPAT: &str = r#".SH COMPATIBILITY
rtables follows iptables\-nft 1.8.9 (Debian 1.8.9\-2) except for these deliberate differences:
.IP \(bu 2
\fB\-L\fR or \fB\-S\fR of a chain that does not exist prints \fBrtables: No chain/target/match by that
name.\fR and exits 1, as iptables 1.8.10 and later do; 1.8.9 prints \fBchain `X' in table `filter'
is incompatible, use 'nft' tool.\fR (also exit 1).
.IP \(bu 2
\fB\-w\fR and \fB\-W\fR are accepted and ignored: there is no lock (see DESCRIPTION).
.IP \(bu 2
\fB\-\-json\fR is new (valid with \fB\-L\fR and \fB\-S\fR). \fB\-6\fR is accepted anywhere on the command line and
selects IPv6 (\fBiptables \-6\fR refuses; \fBrtables \-6\fR is \fBip6tables\fR).
.IP \(bu 2
\fBip6tables \-A ... \-c\fR \fIP B\fR stores zero counters in 1.8.9 (a bug); rtables stores the counters
given, as \fBiptables\fR does.
.IP \(bu 2
When the kernel refuses several operations of one transaction, rtables reports the first one;
1.8.9 prints a line for each.
.IP \(bu 2
\fBrtables\-restore\fR applies all tables of its input in one transaction and its error
messages name the line; \fBrtables\-save\fR prints its dates in UTC (see their pages).
"#;

const RTABLES_SEE_ALSO: &str = r#".SH "SEE ALSO"
rtables\-save(8), rtables\-restore(8), iptables(8), iptables\-extensions(8), nft(8), rvsadm(8)
"#;

const SAVE_DESCRIPTION: &str = r#".SH DESCRIPTION
\fBrtables\-save\fR prints the iptables rules in the kernel's nf_tables in the format
\fBiptables\-save\fR from iptables\-nft 1.8.9 prints, for \fBrtables\-restore\fR(8) or
\fBiptables\-restore\fR to read back. \fBrtables\-save \-6\fR (or \fBr6tables\-save\fR) saves the
IPv6 tables, as \fBip6tables\-save\fR.
.PP
It prints the tables that exist, in iptables' order (mangle, security, raw, filter, nat), each as
.PP
.RS
.nf
# Generated by rtables\-save v1.8.9 (nf_tables) on Thu Nov 26 10:14:43 2026
*filter
:INPUT ACCEPT [0:0]
\&...
\-A INPUT \-p tcp \-m tcp \-\-dport 22 \-j ACCEPT
COMMIT
# Completed on Thu Nov 26 10:14:43 2026
.fi
.RE
.PP
All tables are read in one consistent view of the ruleset (one generation). Rules written by
other programs (nft) that iptables syntax cannot express are printed as marked comment lines
(\fB# Warning: rule handle\fR \fIN\fR \fBin chain\fR \fIchain\fR \fBcannot be expressed in iptables
syntax (\fR\fIwhat\fR\fB)\fR) in their place, and the exit status is 1; iptables\-restore and
rtables\-restore skip comment lines, so such a rule is not restored.
"#;

const SAVE_EXIT: &str = r#".SH "EXIT STATUS"
0 on success; 1 when a rule iptables syntax cannot express was printed as a comment line (the
output is otherwise complete), when the table given with \fB\-t\fR is not one of iptables' tables
(\fBTable `foo' does not exist\fR), for an unknown option, or when the nf_tables socket cannot be
opened; 4 when a kernel request fails.
"#;

const SAVE_EXAMPLES: &str = r#".SH EXAMPLES
.nf
rtables\-save > /etc/iptables/rules.v4
rtables\-save \-c \-t nat
rtables\-save \-6 > /etc/iptables/rules.v6
rtables\-save \-\-json | jq \(aq[.tables[].chains[].rules[]] | length\(aq
.fi
"#;

const SAVE_COMPAT: &str = r#".SH COMPATIBILITY
rtables\-save follows iptables\-save from iptables\-nft 1.8.9 (Debian 1.8.9\-2) except for these deliberate
differences:
.IP \(bu 2
The dates in the \fB# Generated by\fR and \fB# Completed on\fR lines are in UTC (iptables\-save uses the
local time zone).
.IP \(bu 2
\fB\-\-json\fR is new; \fB\-h\fR prints a usage summary (iptables\-save has no \fB\-h\fR).
"#;

const RESTORE_DESCRIPTION: &str = r#".SH DESCRIPTION
\fBrtables\-restore\fR reads iptables rules in the format \fBiptables\-save\fR and \fBrtables\-save\fR(8)
print (from file, or standard input) and applies them to the kernel's nf_tables, as
\fBiptables\-restore\fR from iptables\-nft 1.8.9 does. \fBrtables\-restore \-6\fR (or
\fBr6tables\-restore\fR) restores IPv6 tables, as \fBip6tables\-restore\fR.
.PP
The input is a sequence of table sections: \fB*\fR\fItable\fR, then chain lines
\fB:\fR\fIchain\fR \fIpolicy\fR|\fB\-\fR [\fIpackets\fR\fB:\fR\fIbytes\fR], then commands as rtables(8)
takes them (\fB\-A\fR, \fB\-I\fR, \fB\-D\fR, \fB\-N\fR, \fB\-F\fR, \fB\-X\fR, \fB\-P\fR, ..., optionally after a
\fB[\fR\fIpackets\fR\fB:\fR\fIbytes\fR\fB]\fR counter prefix), then \fBCOMMIT\fR. Blank lines and \fB#\fR comments
are skipped. Without \fB\-\-noflush\fR each section first flushes its table: everything in that
nf_tables table is replaced, including chains and rules nft added to it.
.PP
The whole input, all of its tables, is one nf_tables transaction carrying the ruleset's generation id:
either everything is applied or nothing is. If another program changes the ruleset meanwhile, the
transaction is rebuilt from a fresh read and sent again. An error stops the restore with a message
naming the input line, and the ruleset stays as it was.
"#;

const RESTORE_EXIT: &str = r#".SH "EXIT STATUS"
.TP
0
The input was applied (with \fB\-\-test\fR: it would apply).
.TP
1
A malformed input (\fBline\fR \fIN\fR \fBfailed\fR, \fBCOMMIT expected at line\fR \fIN\fR), an error from a
command such as \fBNo chain/target/match by that name.\fR, an unknown option, or an unreadable file.
.TP
2
A parameter problem in a command line of the input; the message ends with
\fBError occurred at line:\fR \fIN\fR.
.TP
4
The kernel refused the transaction; the message names the line (\fBline\fR \fIN\fR\fB:\fR ...).
.PP
In every failing case nothing was changed.
"#;

const RESTORE_EXAMPLES: &str = r#".SH EXAMPLES
.nf
rtables\-restore < /etc/iptables/rules.v4
rtables\-restore \-\-test /etc/iptables/rules.v4 && echo valid
printf \(aq*filter\en\-A INPUT \-s 192.0.2.1 \-j DROP\enCOMMIT\en\(aq | rtables\-restore \-\-noflush
rtables\-save \-6 | r6tables\-restore \-\-counters
.fi
"#;

const RESTORE_COMPAT: &str = r#".SH COMPATIBILITY
rtables\-restore follows iptables\-restore from iptables\-nft 1.8.9 (Debian 1.8.9\-2) except for these
deliberate differences:
.IP \(bu 2
All tables of an input are applied in ONE transaction; iptables\-restore commits each table at its
\fBCOMMIT\fR, so an error in a later table leaves the earlier ones applied.
.IP \(bu 2
Kernel errors name the input line of the command the kernel refused (\fBline\fR \fIN\fR\fB: ... failed\fR),
like iptables\-restore; a jump to a chain that does not exist is reported at the table's \fBCOMMIT\fR
line, as iptables\-restore does.
.IP \(bu 2
\fB\-w\fR and \fB\-W\fR are accepted and ignored: there is no lock.
"#;

const SAVE_SEE_ALSO: &str = r#".SH "SEE ALSO"
rtables(8), rtables\-restore(8), iptables\-save(8)
"#;

const RESTORE_SEE_ALSO: &str = r#".SH "SEE ALSO"
rtables(8), rtables\-save(8), iptables\-restore(8)
"#;

fn render(cmd: Command, synopsis_text: &str, sections: &[&str]) -> Vec<u8> {
    let man = clap_mangen::Man::new(cmd).section("8");
    let mut out = Vec::new();
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    out.extend_from_slice(synopsis(synopsis_text).as_bytes());
    let mut after_options = false;
    for s in sections {
        if s.is_empty() {
            let _ = man.render_options_section(&mut out);
            after_options = true;
            continue;
        }
        out.extend_from_slice(s.as_bytes());
    }
    if !after_options {
        let _ = man.render_options_section(&mut out);
    }
    let _ = man.render_version_section(&mut out);
    out
}

/// rtables(8), in roff.
pub fn rtables_man_page() -> Vec<u8> {
    let exts = extensions_section();
    let compat = format!(
        "{RTABLES_COMPAT}{}{COMPAT_FOREIGN}{COMPAT_ENCODINGS}",
        compat_messages()
    );
    render(
        rtables_command(),
        RTABLES_USAGE,
        &[
            RTABLES_DESCRIPTION,
            "",
            &exts,
            JSON_SECTION,
            RTABLES_EXIT,
            RTABLES_EXAMPLES,
            &compat,
            RTABLES_SEE_ALSO,
        ],
    )
}

/// rtables-save(8), in roff.
pub fn save_man_page() -> Vec<u8> {
    let compat = format!(
        "{SAVE_COMPAT}{}{COMPAT_FOREIGN}{COMPAT_ENCODINGS}",
        compat_messages()
    );
    render(
        save_command(),
        SAVE_USAGE,
        &[
            SAVE_DESCRIPTION,
            "",
            JSON_SECTION,
            SAVE_EXIT,
            SAVE_EXAMPLES,
            &compat,
            SAVE_SEE_ALSO,
        ],
    )
}

/// rtables-restore(8), in roff.
pub fn restore_man_page() -> Vec<u8> {
    let compat = format!("{RESTORE_COMPAT}{}{COMPAT_ENCODINGS}", compat_messages());
    render(
        restore_command(),
        RESTORE_USAGE,
        &[
            RESTORE_DESCRIPTION,
            "",
            RESTORE_EXIT,
            RESTORE_EXAMPLES,
            &compat,
            RESTORE_SEE_ALSO,
        ],
    )
}

/// Completion script for `shell` for `cmd`.
fn completion(mut cmd: Command, shell: Shell) -> Vec<u8> {
    let name = cmd.get_name().to_string();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut out);
    out
}

/// Every generated file of the three rtables programs: (path relative to
/// the repository, contents).
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    let mut v = vec![
        ("man/rtables.8".to_string(), rtables_man_page()),
        ("man/rtables-save.8".into(), save_man_page()),
        ("man/rtables-restore.8".into(), restore_man_page()),
    ];
    for (name, cmd) in [
        ("rtables", rtables_command as fn() -> Command),
        ("rtables-save", save_command),
        ("rtables-restore", restore_command),
    ] {
        v.push((
            format!("completions/{name}.bash"),
            completion(cmd(), Shell::Bash),
        ));
        v.push((
            format!("completions/_{name}"),
            completion(cmd(), Shell::Zsh),
        ));
        v.push((
            format!("completions/{name}.fish"),
            completion(cmd(), Shell::Fish),
        ));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_names_the_program_and_options() {
        let h = help_text("r6tables");
        assert!(h.starts_with("r6tables v1.8.9 (nf_tables)\n"));
        for b in cli::BASE {
            if ["src", "dst", "new", "fragments", "help"].contains(&b.long) {
                continue;
            }
            assert!(
                h.contains(&format!("--{}", b.long)),
                "help lacks --{}",
                b.long
            );
        }
    }

    #[test]
    fn every_base_option_has_help_that_fits() {
        for b in cli::BASE {
            let h = RTABLES_HELP.iter().find(|h| h.0 == b.long);
            let h = h.unwrap_or_else(|| panic!("no help for --{}", b.long));
            assert!(!h.3.is_empty(), "--{}", b.long);
            assert!(
                values_fit(h.2, b.arg),
                "--{}: values {:?} vs {:?}",
                b.long,
                h.2,
                b.arg
            );
        }
        for h in RTABLES_HELP {
            assert!(
                cli::BASE.iter().any(|b| b.long == h.0),
                "help for unknown --{}",
                h.0
            );
        }
    }

    #[test]
    fn commands_build() {
        for mut c in [rtables_command(), save_command(), restore_command()] {
            c.build();
        }
    }

    #[test]
    fn extensions_are_all_listed() {
        let s = extensions_section();
        for e in ext::all() {
            let flag = if e.kind() == Kind::Match {
                "\\-m"
            } else {
                "\\-j"
            };
            let line = format!("\\fB{flag} {}\\fR", roff(e.name()));
            assert!(s.contains(&line), "{line}");
        }
    }

    #[test]
    fn man_pages_have_hand_written_sections() {
        for (m, extra) in [
            (rtables_man_page(), "EXTENSIONS"),
            (save_man_page(), "JSON"),
            (restore_man_page(), "noflush"),
        ] {
            let m = String::from_utf8(m).unwrap();
            for s in [
                "DESCRIPTION",
                "EXIT STATUS",
                "EXAMPLES",
                "COMPATIBILITY",
                extra,
            ] {
                assert!(m.contains(s), "{s}");
            }
        }
    }
}
