//! iptables' command-line grammar: getopt_long in order (`-` optstring),
//! short-option clusters, unique-prefix long options, `!` before the option
//! it negates, extension options merged in as `-m`/`-j`/`-p` load them, and
//! the legality matrix of commands and options — with iptables' messages.

use std::net::IpAddr;

use super::error::{status, XtError, XtResult};
use super::expr::Family;
use super::ext::{self, Arg, Ctx, Ext, Kind, State};
use super::rule::{ExtInst, Net, Rule, Target};

/// The command of an invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `-A chain`
    Append,
    /// `-C chain`
    Check,
    /// `-D chain rule-specification`
    Delete,
    /// `-D chain rulenum`
    DeleteNum(u32),
    /// `-I chain [rulenum]`
    Insert(u32),
    /// `-R chain rulenum`
    Replace(u32),
    /// `-L [chain [rulenum]]`
    List,
    /// `-S [chain [rulenum]]`
    ListRules,
    /// `-F [chain]`
    Flush,
    /// `-Z [chain [rulenum]]`
    Zero,
    /// `-N chain`
    NewChain,
    /// `-X [chain]`
    DeleteChain,
    /// `-P chain target`
    Policy(String),
    /// `-E old new`
    Rename(String),
    /// `-h`
    Help,
    /// `-V`
    Version,
}

impl Command {
    fn letter(&self) -> char {
        match self {
            Command::Append => 'A',
            Command::Check => 'C',
            Command::Delete | Command::DeleteNum(_) => 'D',
            Command::Insert(_) => 'I',
            Command::Replace(_) => 'R',
            Command::List => 'L',
            Command::ListRules => 'S',
            Command::Flush => 'F',
            Command::Zero => 'Z',
            Command::NewChain => 'N',
            Command::DeleteChain => 'X',
            Command::Policy(_) => 'P',
            Command::Rename(_) => 'E',
            Command::Help => 'h',
            Command::Version => 'V',
        }
    }
}

/// A parsed command line.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// `ip` or `ip6`.
    pub family: Family,
    /// The command.
    pub command: Command,
    /// The chain the command names.
    pub chain: Option<String>,
    /// `-L/-S/-Z chain N`: one rule.
    pub rulenum: Option<u32>,
    /// `-t` (default `filter`).
    pub table: String,
    /// `-v` count.
    pub verbose: u32,
    /// `-n`
    pub numeric: bool,
    /// `-x`
    pub exact: bool,
    /// `--line-numbers`
    pub line_numbers: bool,
    /// `--json`
    pub json: bool,
    /// `-L -Z`: zero the counters after listing them.
    pub zero: bool,
    /// `-c` given.
    pub set_counters: bool,
    /// The rule (for -A/-C/-D/-I/-R), with `-c` counters.
    pub rule: Rule,
    /// `-s` addresses (several with commas or multi-address names: one
    /// rule per source × destination, as iptables does).
    pub srcs: Vec<Net>,
    /// `-d` addresses.
    pub dsts: Vec<Net>,
}

impl Invocation {
    /// The rules this invocation stands for (the product of `-s` and `-d`
    /// address lists).
    pub fn rules(&self) -> Vec<Rule> {
        if self.srcs.len() <= 1 && self.dsts.len() <= 1 {
            let mut r = self.rule.clone();
            r.spec.src = self.srcs.first().cloned();
            r.spec.dst = self.dsts.first().cloned();
            return vec![r];
        }
        let srcs: Vec<Option<&Net>> = if self.srcs.is_empty() {
            vec![None]
        } else {
            self.srcs.iter().map(Some).collect()
        };
        let dsts: Vec<Option<&Net>> = if self.dsts.is_empty() {
            vec![None]
        } else {
            self.dsts.iter().map(Some).collect()
        };
        let mut out = Vec::new();
        for s in &srcs {
            for d in &dsts {
                let mut r = self.rule.clone();
                r.spec.src = s.cloned();
                r.spec.dst = d.cloned();
                out.push(r);
            }
        }
        out
    }
}

/// Whether a base option takes an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseArg {
    /// No argument.
    None,
    /// A required argument.
    Req,
    /// An optional argument (the next word when it is not an option).
    Opt,
}

/// One of rtables' own options (the CLI definition the help text, man
/// page and completions are generated from).
#[derive(Debug)]
pub struct BaseOpt {
    /// Long name without `--`.
    pub long: &'static str,
    /// Short letter.
    pub short: Option<char>,
    /// Argument kind.
    pub arg: BaseArg,
}

const fn b(long: &'static str, short: Option<char>, arg: BaseArg) -> BaseOpt {
    BaseOpt { long, short, arg }
}

/// Every base option of rtables, in iptables' order.
pub static BASE: &[BaseOpt] = &[
    b("append", Some('A'), BaseArg::Req),
    b("delete", Some('D'), BaseArg::Req),
    b("check", Some('C'), BaseArg::Req),
    b("insert", Some('I'), BaseArg::Req),
    b("replace", Some('R'), BaseArg::Req),
    b("list", Some('L'), BaseArg::Opt),
    b("list-rules", Some('S'), BaseArg::Opt),
    b("flush", Some('F'), BaseArg::Opt),
    b("zero", Some('Z'), BaseArg::Opt),
    b("new-chain", Some('N'), BaseArg::Req),
    b("delete-chain", Some('X'), BaseArg::Opt),
    b("rename-chain", Some('E'), BaseArg::Req),
    b("policy", Some('P'), BaseArg::Req),
    b("source", Some('s'), BaseArg::Req),
    b("destination", Some('d'), BaseArg::Req),
    b("src", None, BaseArg::Req),
    b("dst", None, BaseArg::Req),
    b("protocol", Some('p'), BaseArg::Req),
    b("in-interface", Some('i'), BaseArg::Req),
    b("jump", Some('j'), BaseArg::Req),
    b("table", Some('t'), BaseArg::Req),
    b("match", Some('m'), BaseArg::Req),
    b("numeric", Some('n'), BaseArg::None),
    b("out-interface", Some('o'), BaseArg::Req),
    b("verbose", Some('v'), BaseArg::None),
    b("wait", Some('w'), BaseArg::Opt),
    b("wait-interval", Some('W'), BaseArg::Opt),
    b("exact", Some('x'), BaseArg::None),
    b("fragments", Some('f'), BaseArg::None),
    b("version", Some('V'), BaseArg::None),
    b("help", Some('h'), BaseArg::Opt),
    b("line-numbers", None, BaseArg::None),
    b("modprobe", Some('M'), BaseArg::Req),
    b("set-counters", Some('c'), BaseArg::Req),
    b("goto", Some('g'), BaseArg::Req),
    b("ipv4", Some('4'), BaseArg::None),
    b("ipv6", Some('6'), BaseArg::None),
    b("json", None, BaseArg::None),
];

/// Which option a long name resolved to.
enum Resolved {
    Base(usize),
    /// Extension instance index (usize::MAX = the target) and option index.
    Ext(usize, usize),
}

/// An extension being parsed.
struct Inst {
    ext: Ext,
    st: State,
}

/// Extension options that take two words, passed joined by a NUL.
const TWO_WORD_OPTS: &[(&str, &str)] = &[("tcp", "tcp-flags"), ("sctp", "chunk-types")];

/// Extension options that take two words, passed joined by a space.
const SPACE_JOINED_OPTS: &[(&str, &str)] = &[
    ("set", "match-set"),
    ("set", "set"),
    ("SET", "add-set"),
    ("SET", "del-set"),
    ("SET", "map-set"),
];

/// Options whose presence the legality matrix checks, in iptables' order.
const OPTFLAGS: [&str; 12] = [
    "-n", "-s", "-d", "-p", "-j", "-v", "-x", "-i", "-o",
    // iptables' option code for --line-numbers is '0', and that is what
    // its message shows.
    "-0", "-c", "-f",
];

fn matrix_row(c: &Command) -> &'static [u8; 12] {
    // ' ' optional, 'x' illegal (iptables' commands_v_options).
    match c {
        Command::Insert(_) | Command::Replace(_) | Command::Append => b"x     x  x  ",
        Command::Delete => b"x     x  xx ",
        Command::DeleteNum(_) => b"xxxxx xxxxxx",
        Command::List => b" xxxx  xx xx",
        Command::Check => b"x     x  xx ",
        Command::Policy(_) => b"xxxxx xxxx x",
        _ => b"xxxxx xxxxxx",
    }
}

struct Parser<'a> {
    args: &'a [String],
    pos: usize,
    family: Family,
    inv: Invocation,
    matches: Vec<Inst>,
    target: Option<Inst>,
    target_name: Option<String>,
    goto: bool,
    proto_given: bool,
    proto_loaded: bool,
    seen: [bool; 12],
    invert: bool,
    wait: bool,
    wait_interval: bool,
}

/// Parses rtables' arguments (without the program name).
pub fn parse(args: &[String], family: Family) -> XtResult<Invocation> {
    let mut p = Parser {
        args,
        pos: 0,
        family,
        inv: Invocation {
            family,
            command: Command::Help,
            chain: None,
            rulenum: None,
            table: "filter".into(),
            verbose: 0,
            numeric: false,
            exact: false,
            line_numbers: false,
            json: false,
            zero: false,
            set_counters: false,
            rule: Rule::new(),
            srcs: Vec::new(),
            dsts: Vec::new(),
        },
        matches: Vec::new(),
        target: None,
        target_name: None,
        goto: false,
        proto_given: false,
        proto_loaded: false,
        seen: [false; 12],
        invert: false,
        wait: false,
        wait_interval: false,
    };
    let mut have_cmd = false;
    p.run(&mut have_cmd)?;
    p.finish(have_cmd)
}

fn bad_rulenum(s: &str) -> XtError {
    XtError::param(format!("Invalid rule number `{s}'"))
}

fn parse_rulenum(s: &str) -> XtResult<u32> {
    match s.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(bad_rulenum(s)),
    }
}

impl<'a> Parser<'a> {
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            family: self.family,
            proto: self.inv.rule.spec.proto,
            proto_invert: self.inv.rule.spec.proto_inv,
            table: &self.inv.table,
            chain: self.inv.chain.as_deref().unwrap_or(""),
        }
    }

    /// The next word when it can be an optional argument (not an option).
    fn optional_word(&mut self) -> Option<String> {
        let w = self.args.get(self.pos)?;
        if w.starts_with('-') || w.starts_with('!') {
            return None;
        }
        self.pos += 1;
        Some(w.clone())
    }

    fn set_command(&mut self, have: &mut bool, c: Command) -> XtResult<()> {
        // `-L -Z`, `-S -Z`: list, then zero (iptables allows these pairs).
        let listing = |c: &Command| matches!(c, Command::List | Command::ListRules);
        if *have && !self.inv.zero {
            let cur = self.inv.command.clone();
            if listing(&cur) && c == Command::Zero {
                self.inv.zero = true;
                return Ok(());
            }
            if cur == Command::Zero && listing(&c) {
                self.inv.command = c;
                self.inv.zero = true;
                return Ok(());
            }
        }
        if *have {
            return Err(XtError::param(format!(
                "Cannot use -{} with -{}",
                c.letter(),
                self.inv.command.letter()
            )));
        }
        *have = true;
        self.inv.command = c;
        Ok(())
    }

    fn resolve_long(&self, name: &str) -> Option<Resolved> {
        // Exact names first, then a unique prefix (getopt_long).
        let mut cands: Vec<Resolved> = Vec::new();
        for exact in [true, false] {
            for (i, o) in BASE.iter().enumerate() {
                // `--json` is rtables' own: never a prefix match, so that
                // `--j` stays `--jump` as in iptables.
                let prefix_ok = o.long != "json" && o.long.starts_with(name);
                if (exact && o.long == name) || (!exact && prefix_ok) {
                    cands.push(Resolved::Base(i));
                }
            }
            if let Some(t) = &self.target {
                for (j, o) in t.ext.options().iter().enumerate() {
                    if (exact && o.name == name) || (!exact && o.name.starts_with(name)) {
                        cands.push(Resolved::Ext(usize::MAX, j));
                    }
                }
            }
            for (i, m) in self.matches.iter().enumerate().rev() {
                for (j, o) in m.ext.options().iter().enumerate() {
                    if (exact && o.name == name) || (!exact && o.name.starts_with(name)) {
                        cands.push(Resolved::Ext(i, j));
                    }
                }
            }
            if exact && !cands.is_empty() {
                return cands.into_iter().next();
            }
        }
        // Ambiguous prefixes: getopt refuses them unless they all name the
        // same option (the same extension loaded twice).
        let first = cands.first()?;
        let name_of = |r: &Resolved| -> &'static str {
            match r {
                Resolved::Base(i) => BASE[*i].long,
                Resolved::Ext(i, j) => {
                    let e = if *i == usize::MAX {
                        self.target.as_ref().map(|t| t.ext)
                    } else {
                        self.matches.get(*i).map(|m| m.ext)
                    };
                    e.and_then(|e| e.options().get(*j))
                        .map(|o| o.name)
                        .unwrap_or("")
                }
            }
        };
        let n0 = name_of(first);
        if cands.iter().all(|c| name_of(c) == n0) {
            return cands.into_iter().next();
        }
        None
    }

    fn run(&mut self, have_cmd: &mut bool) -> XtResult<()> {
        while self.pos < self.args.len() {
            let args = self.args;
            let word: &'a str = &args[self.pos];
            self.pos += 1;
            if word == "!" {
                if self.invert {
                    return Err(XtError::param("multiple consecutive ! not allowed"));
                }
                self.invert = true;
                continue;
            }
            if let Some(long) = word.strip_prefix("--") {
                if long.is_empty() {
                    // `--` ends options: the rest are arguments.
                    if let Some(w) = self.args.get(self.pos) {
                        return Err(XtError::plain(format!("Bad argument `{w}'")));
                    }
                    continue;
                }
                let (name, inline) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                match self.resolve_long(name) {
                    Some(Resolved::Base(i)) => {
                        let o = &BASE[i];
                        let arg = match (o.arg, inline) {
                            (BaseArg::None, Some(_)) => {
                                return Err(XtError::param(format!(
                                    "option '--{}' doesn't allow an argument",
                                    o.long
                                )))
                            }
                            (BaseArg::None, None) => None,
                            // 1.8.9 takes the whole word for `--jump=X` and
                            // `--protocol=X`.
                            (BaseArg::Req, Some(_)) if matches!(o.long, "jump" | "protocol") => {
                                Some(word.to_string())
                            }
                            (BaseArg::Req, Some(v)) => Some(v),
                            (BaseArg::Req, None) => match self.args.get(self.pos) {
                                Some(v) => {
                                    self.pos += 1;
                                    Some(v.clone())
                                }
                                None => {
                                    return Err(XtError::param(format!(
                                        "option \"{word}\" requires an argument"
                                    )))
                                }
                            },
                            (BaseArg::Opt, v) => v,
                        };
                        let key = o
                            .short
                            .map(|c| c.to_string())
                            .unwrap_or_else(|| o.long.to_string());
                        self.base_option(have_cmd, &key, o.long, arg)?;
                    }
                    Some(Resolved::Ext(i, j)) => self.ext_option(i, j, word, inline)?,
                    None => {
                        if self.try_load_proto()? {
                            self.pos -= 1;
                            continue;
                        }
                        return Err(XtError::param(format!("unknown option \"{word}\"")));
                    }
                }
                continue;
            }
            if word.len() > 1 && word.starts_with('-') {
                // A cluster of short options: `-nvL`, `-AINPUT`.
                let chars: Vec<char> = word[1..].chars().collect();
                let mut k = 0;
                while k < chars.len() {
                    let c = chars[k];
                    k += 1;
                    let Some(o) = BASE.iter().find(|o| o.short == Some(c)) else {
                        return Err(XtError::param(format!("unknown option \"-{c}\"")));
                    };
                    let rest: String = if k < chars.len() {
                        chars[k..].iter().collect()
                    } else {
                        String::new()
                    };
                    let arg = match o.arg {
                        BaseArg::None => None,
                        BaseArg::Req => {
                            if !rest.is_empty() {
                                k = chars.len();
                                // iptables 1.8.9 takes the whole word as the
                                // value of an attached -j/-p (`-jDROP`).
                                if c == 'j' || c == 'p' {
                                    Some(word.to_string())
                                } else {
                                    Some(rest)
                                }
                            } else {
                                match self.args.get(self.pos) {
                                    Some(v) => {
                                        self.pos += 1;
                                        Some(v.clone())
                                    }
                                    None => {
                                        return Err(XtError::param(format!(
                                            "option \"-{c}\" requires an argument"
                                        )))
                                    }
                                }
                            }
                        }
                        BaseArg::Opt => {
                            if !rest.is_empty() {
                                k = chars.len();
                                Some(rest)
                            } else {
                                None
                            }
                        }
                    };
                    self.base_option(have_cmd, &c.to_string(), o.long, arg)?;
                }
                continue;
            }
            return Err(XtError::plain(format!("Bad argument `{word}'")));
        }
        if self.invert {
            return Err(XtError::param("unexpected ! flag"));
        }
        Ok(())
    }

    /// iptables loads the protocol's match (`-p tcp` → `tcp`) when an
    /// option is unknown, once.
    fn try_load_proto(&mut self) -> XtResult<bool> {
        if !self.proto_given || self.proto_loaded {
            return Ok(false);
        }
        self.proto_loaded = true;
        let name = match proto_match_name(self.inv.rule.spec.proto, self.family) {
            Some(n) => n,
            None => return Ok(false),
        };
        if self.matches.iter().any(|m| m.ext.name() == name) {
            return Ok(false);
        }
        match ext::find(Kind::Match, name, self.family) {
            Some(e) => {
                self.load(e);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn load(&mut self, e: Ext) {
        super::compat::warn_if_missing(
            self.family,
            Kind::Match,
            e.name(),
            e.kernel_name(),
            e.revision(),
        );
        let mut st = State {
            blob: vec![0; e.size(self.family)],
            seen: 0,
            flags: 0,
        };
        e.init(&self.ctx(), &mut st);
        self.matches.push(Inst { ext: e, st });
    }

    fn ext_option(
        &mut self,
        i: usize,
        j: usize,
        word: &str,
        inline: Option<String>,
    ) -> XtResult<()> {
        let invert = std::mem::take(&mut self.invert);
        let ext = if i == usize::MAX {
            self.target.as_ref().map(|t| t.ext)
        } else {
            self.matches.get(i).map(|m| m.ext)
        }
        .ok_or_else(|| XtError::param(format!("unknown option \"{word}\"")))?;
        let o = ext.options()[j];
        let arg = match (o.arg, inline) {
            (Arg::None, Some(_)) => {
                return Err(XtError::param(format!(
                    "option '--{}' doesn't allow an argument",
                    o.name
                )))
            }
            (Arg::None, None) => None,
            (_, Some(v)) => Some(v),
            (Arg::Required, None) => match self.args.get(self.pos) {
                Some(v) => {
                    self.pos += 1;
                    let mut v = v.clone();
                    // Options that take two words (`--tcp-flags MASK COMP`)
                    // get them joined by a NUL, when the second is there.
                    let sep = if TWO_WORD_OPTS.contains(&(ext.name(), o.name)) {
                        Some('\0')
                    } else if SPACE_JOINED_OPTS.contains(&(ext.name(), o.name)) {
                        Some(' ')
                    } else {
                        None
                    };
                    if let Some(sep) = sep {
                        if let Some(w) = self.args.get(self.pos) {
                            if !w.starts_with('-') && !w.starts_with('!') {
                                v.push(sep);
                                v.push_str(w);
                                self.pos += 1;
                            }
                        }
                    }
                    Some(v)
                }
                None => {
                    return Err(XtError::param(format!(
                        "option \"--{}\" requires an argument",
                        o.name
                    )))
                }
            },
            (Arg::Optional, None) => self.optional_word(),
        };
        let ctx_proto = self.inv.rule.spec.proto;
        let ctx_inv = self.inv.rule.spec.proto_inv;
        let table = self.inv.table.clone();
        let chain = self.inv.chain.clone().unwrap_or_default();
        let ctx = Ctx {
            family: self.family,
            proto: ctx_proto,
            proto_invert: ctx_inv,
            table: &table,
            chain: &chain,
        };
        let inst = if i == usize::MAX {
            self.target.as_mut()
        } else {
            self.matches.get_mut(i)
        }
        .ok_or_else(|| XtError::param(format!("unknown option \"{word}\"")))?;
        if inst.st.seen & (1 << j) != 0 && !o.multi {
            return Err(XtError::param(format!(
                "{}: option \"--{}\" can only be used once.\n",
                ext.name(),
                o.name
            )));
        }
        if invert && !o.invert {
            return Err(XtError::param(format!(
                "{}: option \"--{}\" cannot be inverted.\n",
                ext.name(),
                o.name
            )));
        }
        inst.st.seen |= 1 << j;
        ext.parse(&ctx, o.name, arg.as_deref(), invert, &mut inst.st)
    }

    fn flag(&mut self, idx: usize, letter: &str) -> XtResult<()> {
        if self.seen[idx] && idx != 5 {
            return Err(XtError::param(format!(
                "multiple {letter} flags not allowed"
            )));
        }
        self.seen[idx] = true;
        Ok(())
    }

    fn no_invert(&mut self, long: &str) -> XtResult<()> {
        if self.invert {
            return Err(XtError::param(format!("unexpected ! flag before --{long}")));
        }
        Ok(())
    }

    fn chain_and_num(
        &mut self,
        have: &mut bool,
        cmd: Command,
        chain: Option<String>,
    ) -> XtResult<()> {
        self.set_command(have, cmd)?;
        let chain = chain.or_else(|| self.optional_word());
        if chain.is_some() {
            if let Some(n) = self.optional_word() {
                self.inv.rulenum = Some(parse_rulenum(&n)?);
            }
            self.inv.chain = chain;
        }
        Ok(())
    }

    fn base_option(
        &mut self,
        have: &mut bool,
        key: &str,
        long: &str,
        arg: Option<String>,
    ) -> XtResult<()> {
        let arg_s = arg.clone().unwrap_or_default();
        // `-s ! ADDR` (intrapositioned negation) is not accepted by 1.8.9:
        // the address becomes a stray argument.
        if arg_s == "!" && matches!(key, "s" | "d" | "src" | "dst" | "p" | "i" | "o") {
            if let Some(w) = self.args.get(self.pos) {
                return Err(XtError::plain(format!("Bad argument `{w}'")));
            }
        }
        match key {
            "A" | "C" | "N" => {
                self.no_invert(long)?;
                let cmd = match key {
                    "A" => Command::Append,
                    "C" => Command::Check,
                    _ => Command::NewChain,
                };
                self.set_command(have, cmd)?;
                if key == "N" {
                    check_chain_name(&arg_s)?;
                }
                self.inv.chain = Some(arg_s);
            }
            "D" => {
                self.no_invert(long)?;
                self.set_command(have, Command::Delete)?;
                self.inv.chain = Some(arg_s);
                if let Some(n) = self.optional_word() {
                    self.inv.command = Command::DeleteNum(parse_rulenum(&n)?);
                }
            }
            "I" => {
                self.no_invert(long)?;
                self.set_command(have, Command::Insert(1))?;
                self.inv.chain = Some(arg_s);
                if let Some(n) = self.optional_word() {
                    self.inv.command = Command::Insert(parse_rulenum(&n)?);
                }
            }
            "R" => {
                self.no_invert(long)?;
                self.set_command(have, Command::Replace(0))?;
                self.inv.chain = Some(arg_s);
                match self.optional_word() {
                    Some(n) => self.inv.command = Command::Replace(parse_rulenum(&n)?),
                    None => {
                        return Err(XtError::param("-R requires a rule number"));
                    }
                }
            }
            "L" => {
                self.no_invert(long)?;
                self.chain_and_num(have, Command::List, arg)?;
            }
            "S" => {
                self.no_invert(long)?;
                self.chain_and_num(have, Command::ListRules, arg)?;
            }
            "Z" => {
                self.no_invert(long)?;
                self.chain_and_num(have, Command::Zero, arg)?;
            }
            "F" | "X" => {
                self.no_invert(long)?;
                let cmd = if key == "F" {
                    Command::Flush
                } else {
                    Command::DeleteChain
                };
                self.set_command(have, cmd)?;
                self.inv.chain = arg.or_else(|| self.optional_word());
            }
            "E" => {
                self.no_invert(long)?;
                let new = self.optional_word().ok_or_else(|| {
                    XtError::param("-E requires old-chain-name and new-chain-name")
                })?;
                check_chain_name(&new)?;
                self.set_command(have, Command::Rename(new))?;
                self.inv.chain = Some(arg_s);
            }
            "P" => {
                self.no_invert(long)?;
                let pol = self
                    .optional_word()
                    .ok_or_else(|| XtError::param("-P requires a chain and a policy"))?;
                self.set_command(have, Command::Policy(pol))?;
                self.inv.chain = Some(arg_s);
            }
            "h" => {
                self.set_command(have, Command::Help)?;
                // `-h NAME` asks for an extension's help; ignored.
                let _ = self.optional_word();
            }
            "V" => self.set_command(have, Command::Version)?,
            "s" | "d" | "src" | "dst" => {
                let src = key == "s" || key == "src";
                self.flag(if src { 1 } else { 2 }, if src { "-s" } else { "-d" })?;
                let inv = std::mem::take(&mut self.invert);
                let nets = parse_addrs(&arg_s, self.family)?;
                if src {
                    self.inv.srcs = nets;
                    self.inv.rule.spec.src_inv = inv;
                } else {
                    self.inv.dsts = nets;
                    self.inv.rule.spec.dst_inv = inv;
                }
            }
            "p" => {
                self.flag(3, "-p")?;
                let inv = std::mem::take(&mut self.invert);
                let name = arg_s.to_ascii_lowercase();
                let proto = parse_proto(&name)?;
                if inv && proto == 0 {
                    return Err(XtError::param("rule would never match protocol"));
                }
                if self.family == Family::V6 && !inv && [43, 44, 51, 60].contains(&proto) {
                    // ip6tables' warning for extension headers, which never
                    // show up as the layer 4 protocol.
                    eprintln!(
                        "Warning: never matched protocol: {name}. use extension match instead."
                    );
                }
                self.inv.rule.spec.proto = proto;
                self.inv.rule.spec.proto_inv = inv;
                self.proto_given = proto != 0;
            }
            "i" | "o" => {
                let inn = key == "i";
                self.flag(if inn { 7 } else { 8 }, if inn { "-i" } else { "-o" })?;
                let inv = std::mem::take(&mut self.invert);
                check_iface(&arg_s)?;
                if inn {
                    self.inv.rule.spec.iniface = Some(arg_s);
                    self.inv.rule.spec.in_inv = inv;
                } else {
                    self.inv.rule.spec.outiface = Some(arg_s);
                    self.inv.rule.spec.out_inv = inv;
                }
            }
            "f" => {
                self.flag(11, "-f")?;
                let inv = std::mem::take(&mut self.invert);
                if self.family == Family::V6 {
                    return Err(XtError::param(
                        "`-f' is not supported in IPv6, use -m frag instead",
                    ));
                }
                self.inv.rule.spec.frag = Some(inv);
            }
            "j" | "g" => {
                if self.invert {
                    return Err(XtError::param(format!("cannot have ! before -{key}")));
                }
                self.flag(4, "-j")?;
                self.goto = key == "g";
                if key == "j" {
                    if let Some(e) = ext::find(Kind::Target, &arg_s, self.family) {
                        super::compat::warn_if_missing(
                            self.family,
                            Kind::Target,
                            e.name(),
                            e.kernel_name(),
                            e.revision(),
                        );
                        let mut st = State {
                            blob: vec![0; e.size(self.family)],
                            seen: 0,
                            flags: 0,
                        };
                        e.init(&self.ctx(), &mut st);
                        self.target = Some(Inst { ext: e, st });
                    }
                }
                self.target_name = Some(arg_s);
            }
            "m" => {
                if self.invert {
                    return Err(XtError::param("unexpected ! flag before --match"));
                }
                let e = ext::find(Kind::Match, &arg_s, self.family)
                    .ok_or_else(|| ext::not_found(Kind::Match, &arg_s))?;
                self.load(e);
                if Some(arg_s.as_str()) == proto_match_name(self.inv.rule.spec.proto, self.family) {
                    self.proto_loaded = true;
                }
            }
            "t" => {
                self.no_invert(long)?;
                self.inv.table = arg_s;
            }
            "v" => {
                self.no_invert(long)?;
                self.seen[5] = true;
                self.inv.verbose += 1;
            }
            "n" => {
                self.no_invert(long)?;
                self.seen[0] = true;
                self.inv.numeric = true;
            }
            "x" => {
                self.no_invert(long)?;
                self.seen[6] = true;
                self.inv.exact = true;
            }
            "line-numbers" => {
                self.no_invert(long)?;
                self.seen[9] = true;
                self.inv.line_numbers = true;
            }
            "json" => self.inv.json = true,
            "c" => {
                self.no_invert(long)?;
                self.flag(10, "-c")?;
                let (p, b) = match arg_s.split_once(',') {
                    Some((p, b)) => (p.to_string(), Some(b.to_string())),
                    None => (arg_s.clone(), self.optional_word()),
                };
                let b = b.ok_or_else(|| XtError::param("-c requires packet and byte counter"))?;
                let p: u64 = p
                    .parse()
                    .map_err(|_| XtError::param("-c packet counter not numeric"))?;
                let b: u64 = b
                    .parse()
                    .map_err(|_| XtError::param("-c byte counter not numeric"))?;
                self.inv.rule.counters = (p, b);
                self.inv.set_counters = true;
            }
            "w" | "W" => {
                // Accepted: nf_tables needs no lock. An optional value may
                // follow as the next word.
                if key == "W" {
                    eprintln!("Ignoring deprecated --wait-interval option.");
                    self.wait_interval = true;
                } else {
                    self.wait = true;
                }
                let val = arg.or_else(|| self.optional_word());
                if let Some(v) = val {
                    if key == "w" && v.parse::<u32>().is_err() {
                        return Err(XtError::param("wait seconds not numeric"));
                    }
                }
            }
            "M" => {}
            "4" => {
                if self.family == Family::V6 {
                    // 1.8.9 prints only the "Try ..." line here.
                    return Err(XtError::plain(""));
                }
            }
            "6" => {
                if self.family == Family::V4 {
                    return Err(XtError::with_status(
                        status::PARAMETER,
                        "This is the IPv4 version of rtables.",
                    ));
                }
            }
            _ => return Err(XtError::param(format!("unknown option \"-{key}\""))),
        }
        Ok(())
    }

    fn finish(mut self, have_cmd: bool) -> XtResult<Invocation> {
        if !have_cmd {
            return Err(XtError::param("no command specified"));
        }
        if self.inv.json && !matches!(self.inv.command, Command::List | Command::ListRules) {
            return Err(XtError::param("--json is only valid with -L and -S"));
        }
        if self.wait_interval && !self.wait {
            return Err(XtError::param(
                "--wait-interval only makes sense with --wait\n",
            ));
        }
        // The legality matrix.
        let row = matrix_row(&self.inv.command);
        if !matches!(self.inv.command, Command::Help | Command::Version) {
            for (i, &seen) in self.seen.iter().enumerate() {
                if seen && row[i] == b'x' {
                    return Err(XtError::param(format!(
                        "Illegal option `{}' with this command",
                        OPTFLAGS[i]
                    )));
                }
            }
        }
        let chain = self.inv.chain.clone().unwrap_or_default();
        if self.inv.rule.spec.iniface.is_some() && (chain == "OUTPUT" || chain == "POSTROUTING") {
            return Err(XtError::param(format!("Can't use -i with {chain}\n")));
        }
        if self.inv.rule.spec.outiface.is_some() && (chain == "INPUT" || chain == "PREROUTING") {
            return Err(XtError::param(format!("Can't use -o with {chain}\n")));
        }
        let table = self.inv.table.clone();
        let ctx = Ctx {
            family: self.family,
            proto: self.inv.rule.spec.proto,
            proto_invert: self.inv.rule.spec.proto_inv,
            table: &table,
            chain: &chain,
        };
        for m in &mut self.matches {
            m.ext.final_check(&ctx, &mut m.st)?;
        }
        if let Some(t) = &mut self.target {
            t.ext.final_check(&ctx, &mut t.st)?;
        }
        self.inv.rule.matches = self
            .matches
            .into_iter()
            .map(|m| ExtInst {
                ext: m.ext,
                blob: m.st.blob,
            })
            .collect();
        self.inv.rule.target = match (self.target, self.target_name) {
            (Some(t), _) => Target::Ext(ExtInst {
                ext: t.ext,
                blob: t.st.blob,
            }),
            (None, Some(n)) => match n.as_str() {
                "ACCEPT" if !self.goto => Target::Accept,
                "DROP" if !self.goto => Target::Drop,
                "RETURN" if !self.goto => Target::Return,
                _ if self.goto => Target::Goto(n),
                _ => Target::Jump(n),
            },
            (None, None) => Target::None,
        };
        Ok(self.inv)
    }
}

/// The match iptables loads for `-p PROTO` when an option is unknown.
pub fn proto_match_name(proto: u8, family: Family) -> Option<&'static str> {
    Some(match proto {
        6 => "tcp",
        17 => "udp",
        132 => "sctp",
        33 => "dccp",
        1 if family == Family::V4 => "icmp",
        58 if family == Family::V6 => "icmp6",
        50 => "esp",
        51 => "ah",
        135 if family == Family::V6 => "mh",
        _ => return None,
    })
}

/// iptables' own protocol names (`xtables_chain_protos`), tried after
/// /etc/protocols.
static CHAIN_PROTOS: &[(&str, u8)] = &[
    ("tcp", 6),
    ("sctp", 132),
    ("udp", 17),
    ("udplite", 136),
    ("icmp", 1),
    ("icmpv6", 58),
    ("ipv6-icmp", 58),
    ("esp", 50),
    ("ah", 51),
    ("ipv6-mh", 135),
    ("mh", 135),
    ("all", 0),
];

/// `xtables_parse_protocol`.
pub fn parse_proto(s: &str) -> XtResult<u8> {
    if let Some(v) = ext::util::parse_uint(s, 0, 255) {
        return Ok(v as u8);
    }
    if s == "all" {
        return Ok(0);
    }
    if let Some(n) = protocols().iter().find(|(n, _)| n == s).map(|(_, v)| *v) {
        return Ok(n);
    }
    if let Some((_, v)) = CHAIN_PROTOS.iter().find(|(n, _)| *n == s) {
        return Ok(*v);
    }
    Err(XtError::param(format!(
        "unknown protocol \"{s}\" specified"
    )))
}

/// The name save and `-L` print for a protocol number (/etc/protocols
/// first, then iptables' own table), or `None`.
pub fn proto_name(p: u8) -> Option<String> {
    if let Some((n, _)) = protocols().iter().find(|(_, v)| *v == p) {
        return Some(n.clone());
    }
    CHAIN_PROTOS
        .iter()
        .find(|(_, v)| *v == p)
        .map(|(n, _)| n.to_string())
}

fn protocols() -> &'static [(String, u8)] {
    static P: std::sync::OnceLock<Vec<(String, u8)>> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let text = std::fs::read_to_string("/etc/protocols").unwrap_or_default();
        let mut v = Vec::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut it = line.split_whitespace();
            if let (Some(name), Some(num)) = (it.next(), it.next()) {
                if let Ok(n) = num.parse::<u8>() {
                    v.push((name.to_string(), n));
                    for alias in it {
                        v.push((alias.to_string(), n));
                    }
                }
            }
        }
        v
    })
}

/// iptables' checks of a new chain name (`-N`, `-E`, restore's `:CHAIN`).
pub fn check_chain_name(name: &str) -> XtResult<()> {
    if name.chars().any(|c| c.is_ascii_whitespace()) {
        return Err(XtError::param(format!("Invalid chain name `{name}'")));
    }
    if name.starts_with('-') {
        return Err(XtError::param("chain name not allowed to start with `-'"));
    }
    if name.starts_with('!') {
        return Err(XtError::param("chain name not allowed to start with `!'"));
    }
    if name.len() >= 29 {
        return Err(XtError::param(format!(
            "chain name `{name}' too long (must be under 29 chars)"
        )));
    }
    if ["ACCEPT", "DROP", "QUEUE", "RETURN"].contains(&name)
        || ext::find(Kind::Target, name, Family::V4).is_some()
    {
        return Err(XtError::param("chain name may not clash with target name"));
    }
    Ok(())
}

fn check_iface(name: &str) -> XtResult<()> {
    if name.len() > 15 {
        return Err(XtError::param(format!(
            "interface name `{name}' must be shorter than IFNAMSIZ (15)"
        )));
    }
    Ok(())
}

fn prefix_mask(len: usize, bits: u32) -> Vec<u8> {
    let mut m = vec![0u8; len];
    for (i, b) in m.iter_mut().enumerate() {
        let start = (i * 8) as u32;
        if bits >= start + 8 {
            *b = 0xff;
        } else if bits > start {
            *b = 0xffu8 << (8 - (bits - start));
        }
    }
    m
}

fn ip_bytes(a: &IpAddr) -> Vec<u8> {
    match a {
        IpAddr::V4(v) => v.octets().to_vec(),
        IpAddr::V6(v) => v.octets().to_vec(),
    }
}

/// libxtables' dotted-number parser: up to four parts (each a `strtoul`
/// number 0..=255: decimal, `0x` hex or `0` octal); an address with fewer
/// parts is completed with zeros (`10.1` is 10.1.0.0), a mask is not.
pub fn numeric_v4(s: &str, is_mask: bool) -> Option<[u8; 4]> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 || (is_mask && parts.len() != 4) {
        return None;
    }
    let mut out = [0u8; 4];
    for (i, p) in parts.iter().enumerate() {
        out[i] = ext::util::parse_uint(p, 0, 255)? as u8;
    }
    Some(out)
}

/// Parses `-s`/`-d`: comma-separated addresses or names, each with an
/// optional `/prefix` or `/mask`; every address of a name counts.
pub fn parse_addrs(s: &str, family: Family) -> XtResult<Vec<Net>> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let (host, mask) = match part.split_once('/') {
            Some((h, m)) => (h, Some(m)),
            None => (part, None),
        };
        let alen = family.addr_len();
        let mask = match mask {
            None => prefix_mask(alen, (alen * 8) as u32),
            Some(m) => {
                if let Some(bits) = ext::util::parse_uint(m, 0, (alen * 8) as u64)
                    .filter(|_| !m.contains('.') && !m.contains(':'))
                {
                    prefix_mask(alen, bits as u32)
                } else {
                    match (m.parse::<IpAddr>(), family) {
                        _ if family == Family::V4 && numeric_v4(m, true).is_some() => {
                            numeric_v4(m, true).map(|a| a.to_vec()).unwrap_or_default()
                        }
                        (Ok(IpAddr::V4(v)), Family::V4) => v.octets().to_vec(),
                        (Ok(IpAddr::V6(v)), Family::V6) => v.octets().to_vec(),
                        _ => return Err(XtError::param(format!("invalid mask `{m}' specified"))),
                    }
                }
            }
        };
        let numeric = if family == Family::V4 {
            numeric_v4(host, false)
        } else {
            None
        };
        let addrs: Vec<Vec<u8>> = match host.parse::<IpAddr>() {
            _ if numeric.is_some() => vec![numeric.map(|a| a.to_vec()).unwrap_or_default()],
            Ok(a @ IpAddr::V4(_)) if family == Family::V4 => vec![ip_bytes(&a)],
            Ok(a @ IpAddr::V6(_)) if family == Family::V6 => vec![ip_bytes(&a)],
            _ => {
                let found: Vec<Vec<u8>> = dns_lookup::lookup_host(host)
                    .map(|v| {
                        let mut seen = Vec::new();
                        for a in v {
                            let ok = matches!(
                                (&a, family),
                                (IpAddr::V4(_), Family::V4) | (IpAddr::V6(_), Family::V6)
                            );
                            let b = ip_bytes(&a);
                            if ok && !seen.contains(&b) {
                                seen.push(b);
                            }
                        }
                        seen
                    })
                    .unwrap_or_default();
                if found.is_empty() || host.is_empty() {
                    return Err(XtError::param(format!("host/network `{host}' not found")));
                }
                found
            }
        };
        for mut a in addrs {
            for (x, m) in a.iter_mut().zip(&mask) {
                *x &= m;
            }
            let n = Net {
                addr: a,
                mask: mask.clone(),
            };
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> XtResult<Invocation> {
        let v: Vec<String> = s.split_whitespace().map(String::from).collect();
        parse(&v, Family::V4)
    }

    #[test]
    fn basic_commands() {
        let i = p("-A INPUT -s 10.11.12.13/8 -j ACCEPT").unwrap();
        assert_eq!(i.command, Command::Append);
        assert_eq!(i.chain.as_deref(), Some("INPUT"));
        assert_eq!(i.srcs[0].addr, vec![10, 0, 0, 0]);
        assert_eq!(i.rule.target, Target::Accept);
        let i = p("-nvL INPUT").unwrap();
        assert_eq!(i.command, Command::List);
        assert!(i.numeric && i.verbose == 1);
        let i = p("-D INPUT 3").unwrap();
        assert_eq!(i.command, Command::DeleteNum(3));
        let i = p("-I INPUT").unwrap();
        assert_eq!(i.command, Command::Insert(1));
        let i = p("--append=INPUT --jump DROP").unwrap();
        assert_eq!(i.rule.target, Target::Drop);
    }

    #[test]
    fn iptables_messages() {
        let e = |s| p(s).unwrap_err().msg;
        assert_eq!(e("-A INPUT -L"), "Cannot use -L with -A");
        assert_eq!(e("-A INPUT foo"), "Bad argument `foo'");
        assert_eq!(e("-A"), "option \"-A\" requires an argument");
        assert_eq!(
            e("-A INPUT -s 1.1.1.1 -s 2.2.2.2"),
            "multiple -s flags not allowed"
        );
        assert_eq!(e("-A INPUT -p foo"), "unknown protocol \"foo\" specified");
        assert_eq!(e("-A INPUT -s 1.2.3.4/33"), "invalid mask `33' specified");
        assert_eq!(e("-A INPUT --foo"), "unknown option \"--foo\"");
        assert_eq!(e("-D INPUT 0"), "Invalid rule number `0'");
        assert_eq!(e("-A OUTPUT -i eth0"), "Can't use -i with OUTPUT\n");
        assert_eq!(
            e("-A INPUT ! ! -s 1.1.1.1"),
            "multiple consecutive ! not allowed"
        );
        assert_eq!(e("-A INPUT ! -j ACCEPT"), "cannot have ! before -j");
        assert_eq!(e("-A INPUT -c x 2"), "-c packet counter not numeric");
        assert_eq!(e("-L -v -n INPUT"), "Bad argument `INPUT'");
        assert_eq!(e("-N ACCEPT"), "chain name may not clash with target name");
        assert_eq!(
            e("-A INPUT -m foobar"),
            "Couldn't load match `foobar':No such file or directory\n"
        );
        assert_eq!(e("-L -s 1.1.1.1"), "Illegal option `-s' with this command");
    }

    #[test]
    fn address_lists_multiply() {
        let i = p("-A INPUT -s 1.1.1.1,2.2.2.2 -d 3.3.3.3/255.255.0.0").unwrap();
        assert_eq!(i.rules().len(), 2);
        assert_eq!(i.dsts[0].addr, vec![3, 3, 0, 0]);
    }

    #[test]
    fn comment_match_and_prefix_options() {
        let i = p("-A INPUT -m comment --comm hello -j ACCEPT").unwrap();
        assert_eq!(i.rule.matches.len(), 1);
        assert_eq!(i.rule.matches[0].ext.name(), "comment");
    }
}
