//! ipvsadm 1.31's command-line grammar: the option table, a popt-style
//! scanner, the command × option legality matrix and the semantic checks,
//! each failing with ipvsadm's own message and exit status.
//!
//! The option table [`OPTIONS`] is the single definition of the command
//! line; the man page and shell completions are generated from it.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use crate::ipvs::model::*;
use crate::names;

/// What a parse or check failure looks like to the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CliError {
    /// The message, printed to stderr (a newline is added).
    pub message: String,
    /// The exit status.
    pub exit: i32,
}

impl CliError {
    fn fail(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            exit: 2,
        }
    }
    /// The "Try `prog -h'" error (exit 255).
    pub fn try_help(prog: &str) -> Self {
        CliError {
            message: format!("Try `{prog} -h' or '{prog} --help' for more information."),
            exit: 255,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The commands, in ipvsadm's matrix order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `-A`
    Add,
    /// `-E`
    Edit,
    /// `-D`
    Del,
    /// `-C`
    Flush,
    /// `-L`
    List,
    /// `-a`
    AddDest,
    /// `-d`
    DelDest,
    /// `-e`
    EditDest,
    /// `--set`
    Timeout,
    /// `--start-daemon`
    StartDaemon,
    /// `--stop-daemon`
    StopDaemon,
    /// `-R`
    Restore,
    /// `-S`
    Save,
    /// `-Z`
    Zero,
}

impl Command {
    /// The name ipvsadm uses in messages.
    pub fn name(self) -> &'static str {
        match self {
            Command::Add => "add-service",
            Command::Edit => "edit-service",
            Command::Del => "delete-service",
            Command::Flush => "flush",
            Command::List => "list",
            Command::AddDest => "add-server",
            Command::DelDest => "delete-server",
            Command::EditDest => "edit-server",
            Command::Timeout => "set",
            Command::StartDaemon => "start-daemon",
            Command::StopDaemon => "stop-daemon",
            Command::Restore => "restore",
            Command::Save => "save",
            Command::Zero => "zero",
        }
    }
    fn column(self) -> usize {
        self as usize
    }
}

/// Options that count in the legality matrix, in ipvsadm's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Opt {
    Numeric,
    Connection,
    Service,
    Scheduler,
    Persistent,
    Netmask,
    RealServer,
    Forward,
    Weight,
    UThreshold,
    LThreshold,
    McastInterface,
    Timeout,
    Daemon,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    NoSort,
    SyncId,
    Exact,
    Ops,
    Pe,
    SchedFlags,
    McastGroup,
    McastPort,
    McastTtl,
    SyncMaxlen,
    TunInfo,
    TunType,
    TunPort,
    TunNocsum,
    TunCsum,
    TunRemcsum,
    /// rvsadm's own: JSON output for listings.
    Json,
}

/// Each option's message name and its legality per command (matrix order:
/// ADD EDIT DEL FLUSH LIST ADDSRV DELSRV EDITSRV TIMEOUT STARTD STOPD
/// RESTORE SAVE ZERO). `+` compulsory, `x` illegal, `1` exclusive, `.` optional.
const MATRIX: [(Opt, &str, &str); 35] = [
    (Opt::Numeric, "numeric", "xxxx.xxxxxxx.x"),
    (Opt::Connection, "connection", "xxxx1xxxxxxxxx"),
    (Opt::Service, "service-address", "+++x1+++xxxxx."),
    (Opt::Scheduler, "scheduler", "..xxxxxxxxxxxx"),
    (Opt::Persistent, "persistent", "..xxxxxxxxxxxx"),
    (Opt::Netmask, "netmask", "..xxxxxxxxxxxx"),
    (Opt::RealServer, "real-server", "xxxxx+++xxxxxx"),
    (Opt::Forward, "forwarding-method", "xxxxx.x.xxxxxx"),
    (Opt::Weight, "weight", "xxxxx.x.xxxxxx"),
    (Opt::UThreshold, "u-threshold", "xxxxx.x.xxxxxx"),
    (Opt::LThreshold, "l-threshold", "xxxxx.x.xxxxxx"),
    (Opt::McastInterface, "mcast-interface", "xxxxxxxxx.xxxx"),
    (Opt::Timeout, "timeout", "xxxx1xxxxxxxxx"),
    (Opt::Daemon, "daemon", "xxxx1xxxxxxxxx"),
    (Opt::Stats, "stats", "xxxx.xxxxxxxxx"),
    (Opt::Rate, "rate", "xxxx.xxxxxxxxx"),
    (Opt::Thresholds, "thresholds", "xxxx.xxxxxxxxx"),
    (Opt::PersistentConn, "persistent-conn", "xxxx.xxxxxxxxx"),
    (Opt::NoSort, "nosort", "xxxx.xxxxxxxxx"),
    (Opt::SyncId, "syncid", "xxxx.xxxx..xxx"),
    (Opt::Exact, "exact", "xxxx.xxxxxxxxx"),
    (Opt::Ops, "ops", "..xxxxxxxxxxxx"),
    (Opt::Pe, "pe", "..xxxxxxxxxxxx"),
    (Opt::SchedFlags, "sched-flags", "..xxxxxxxxxxxx"),
    (Opt::McastGroup, "mcast-group", "xxxxxxxxx.xxxx"),
    (Opt::McastPort, "mcast-port", "xxxxxxxxx.xxxx"),
    (Opt::McastTtl, "mcast-ttl", "xxxxxxxxx.xxxx"),
    (Opt::SyncMaxlen, "sync-maxlen", "xxxxxxxxx.xxxx"),
    (Opt::TunInfo, "tun-info", "xxxx.xxxxxxxxx"),
    (Opt::TunType, "tun-type", "xxxxx.x.xxxxxx"),
    (Opt::TunPort, "tun-port", "xxxxx.x.xxxxxx"),
    (Opt::TunNocsum, "tun-nocsum", "xxxxx.x.xxxxxx"),
    (Opt::TunCsum, "tun-csum", "xxxxx.x.xxxxxx"),
    (Opt::TunRemcsum, "tun-remcsum", "xxxxx.x.xxxxxx"),
    (Opt::Json, "json", "xxxx.xxxxxxxxx"),
];

impl Opt {
    /// The name ipvsadm uses for this option in messages.
    pub fn name(self) -> &'static str {
        MATRIX[self as usize].1
    }
}

/// What an entry of the option table does when it is seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Selects the command.
    Cmd(Command),
    /// `-h`.
    Help,
    /// `-v`.
    Version,
    /// `-t`, `-u`, `--sctp-service`.
    ServiceAddr(Protocol),
    /// `-f`.
    Fwmark,
    /// `-6`.
    Ipv6,
    /// `-g`, `-i`, `-m`.
    Forward(Forward),
    /// `--tun-nocsum` etc.
    TunCsum(TunnelCsum),
    /// `--sort` (accepted, does nothing).
    Sort,
    /// Any other option: sets the value of a matrix option.
    Set(Opt),
}

/// Whether an option takes an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// No argument.
    None,
    /// A required argument.
    Required,
    /// An optional argument (taken if the next word does not start with `-`).
    Optional,
}

/// One command-line option: what it is called, whether it takes a value,
/// what it does, and its help text.
#[derive(Clone, Copy, Debug)]
pub struct OptSpec {
    /// Long name without dashes.
    pub long: &'static str,
    /// Short letter, if any.
    pub short: Option<char>,
    /// Argument kind.
    pub arg: Arg,
    /// Value name for help.
    pub value: &'static str,
    /// What it does.
    pub action: Action,
    /// Help text.
    pub help: &'static str,
}

macro_rules! o {
    ($long:expr, $short:expr, $arg:ident, $value:expr, $action:expr, $help:expr) => {
        OptSpec {
            long: $long,
            short: $short,
            arg: Arg::$arg,
            value: $value,
            action: $action,
            help: $help,
        }
    };
}

/// The whole command line of rvsadm (ipvsadm 1.31's, plus `--json`).
pub const OPTIONS: &[OptSpec] = &[
    o!(
        "add-service",
        Some('A'),
        None,
        "",
        Action::Cmd(Command::Add),
        "add virtual service with options"
    ),
    o!(
        "edit-service",
        Some('E'),
        None,
        "",
        Action::Cmd(Command::Edit),
        "edit virtual service with options"
    ),
    o!(
        "delete-service",
        Some('D'),
        None,
        "",
        Action::Cmd(Command::Del),
        "delete virtual service"
    ),
    o!(
        "clear",
        Some('C'),
        None,
        "",
        Action::Cmd(Command::Flush),
        "clear the whole table"
    ),
    o!(
        "restore",
        Some('R'),
        None,
        "",
        Action::Cmd(Command::Restore),
        "restore rules from stdin"
    ),
    o!(
        "save",
        Some('S'),
        None,
        "",
        Action::Cmd(Command::Save),
        "save rules to stdout"
    ),
    o!(
        "add-server",
        Some('a'),
        None,
        "",
        Action::Cmd(Command::AddDest),
        "add real server with options"
    ),
    o!(
        "edit-server",
        Some('e'),
        None,
        "",
        Action::Cmd(Command::EditDest),
        "edit real server with options"
    ),
    o!(
        "delete-server",
        Some('d'),
        None,
        "",
        Action::Cmd(Command::DelDest),
        "delete real server"
    ),
    o!(
        "list",
        Some('L'),
        None,
        "",
        Action::Cmd(Command::List),
        "list the table"
    ),
    o!(
        "zero",
        Some('Z'),
        None,
        "",
        Action::Cmd(Command::Zero),
        "zero counters in a service or all services"
    ),
    o!(
        "set",
        None,
        None,
        "",
        Action::Cmd(Command::Timeout),
        "set connection timeout values (tcp tcpfin udp)"
    ),
    o!(
        "start-daemon",
        None,
        Required,
        "master|backup",
        Action::Cmd(Command::StartDaemon),
        "start connection sync daemon"
    ),
    o!(
        "stop-daemon",
        None,
        Required,
        "master|backup",
        Action::Cmd(Command::StopDaemon),
        "stop connection sync daemon"
    ),
    o!(
        "help",
        Some('h'),
        None,
        "",
        Action::Help,
        "display this help message"
    ),
    o!(
        "version",
        Some('v'),
        None,
        "",
        Action::Version,
        "display the version"
    ),
    o!(
        "tcp-service",
        Some('t'),
        Required,
        "service-address",
        Action::ServiceAddr(Protocol::Tcp),
        "TCP virtual service, host[:port]"
    ),
    o!(
        "udp-service",
        Some('u'),
        Required,
        "service-address",
        Action::ServiceAddr(Protocol::Udp),
        "UDP virtual service, host[:port]"
    ),
    o!(
        "sctp-service",
        None,
        Required,
        "service-address",
        Action::ServiceAddr(Protocol::Sctp),
        "SCTP virtual service, host[:port]"
    ),
    o!(
        "fwmark-service",
        Some('f'),
        Required,
        "fwmark",
        Action::Fwmark,
        "firewall-mark virtual service, an integer greater than zero"
    ),
    o!(
        "scheduler",
        Some('s'),
        Required,
        "scheduler",
        Action::Set(Opt::Scheduler),
        "one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh; the default is wlc"
    ),
    o!(
        "pe",
        None,
        Required,
        "engine",
        Action::Set(Opt::Pe),
        "alternate persistence engine (sip)"
    ),
    o!(
        "persistent",
        Some('p'),
        Optional,
        "timeout",
        Action::Set(Opt::Persistent),
        "persistent service, timeout in seconds (default 360)"
    ),
    o!(
        "netmask",
        Some('M'),
        Required,
        "netmask",
        Action::Set(Opt::Netmask),
        "persistent granularity mask"
    ),
    o!(
        "real-server",
        Some('r'),
        Required,
        "server-address",
        Action::Set(Opt::RealServer),
        "real server, host[:port]"
    ),
    o!(
        "gatewaying",
        Some('g'),
        None,
        "",
        Action::Forward(Forward::Route),
        "gatewaying (direct routing) (default)"
    ),
    o!(
        "ipip",
        Some('i'),
        None,
        "",
        Action::Forward(Forward::Tunnel),
        "ipip encapsulation (tunneling)"
    ),
    o!(
        "masquerading",
        Some('m'),
        None,
        "",
        Action::Forward(Forward::Masq),
        "masquerading (NAT)"
    ),
    o!(
        "tun-type",
        None,
        Required,
        "type",
        Action::Set(Opt::TunType),
        "one of ipip|gue|gre; the default is ipip"
    ),
    o!(
        "tun-port",
        None,
        Required,
        "port",
        Action::Set(Opt::TunPort),
        "tunnel destination port"
    ),
    o!(
        "tun-nocsum",
        None,
        None,
        "",
        Action::TunCsum(TunnelCsum::Nocsum),
        "tunnel encapsulation without checksum"
    ),
    o!(
        "tun-csum",
        None,
        None,
        "",
        Action::TunCsum(TunnelCsum::Csum),
        "tunnel encapsulation with checksum"
    ),
    o!(
        "tun-remcsum",
        None,
        None,
        "",
        Action::TunCsum(TunnelCsum::Remcsum),
        "tunnel encapsulation with remote checksum"
    ),
    o!(
        "weight",
        Some('w'),
        Required,
        "weight",
        Action::Set(Opt::Weight),
        "capacity of real server"
    ),
    o!(
        "u-threshold",
        Some('x'),
        Required,
        "uthreshold",
        Action::Set(Opt::UThreshold),
        "upper threshold of connections"
    ),
    o!(
        "l-threshold",
        Some('y'),
        Required,
        "lthreshold",
        Action::Set(Opt::LThreshold),
        "lower threshold of connections"
    ),
    o!(
        "connection",
        Some('c'),
        None,
        "",
        Action::Set(Opt::Connection),
        "output of current IPVS connections"
    ),
    o!(
        "timeout",
        None,
        None,
        "",
        Action::Set(Opt::Timeout),
        "output of timeout (tcp tcpfin udp)"
    ),
    o!(
        "daemon",
        None,
        None,
        "",
        Action::Set(Opt::Daemon),
        "output of daemon information"
    ),
    o!(
        "stats",
        None,
        None,
        "",
        Action::Set(Opt::Stats),
        "output of statistics information"
    ),
    o!(
        "rate",
        None,
        None,
        "",
        Action::Set(Opt::Rate),
        "output of rate information"
    ),
    o!(
        "exact",
        Some('X'),
        None,
        "",
        Action::Set(Opt::Exact),
        "expand numbers (display exact values)"
    ),
    o!(
        "thresholds",
        None,
        None,
        "",
        Action::Set(Opt::Thresholds),
        "output of thresholds information"
    ),
    o!(
        "persistent-conn",
        None,
        None,
        "",
        Action::Set(Opt::PersistentConn),
        "output of persistent connection info"
    ),
    o!(
        "tun-info",
        None,
        None,
        "",
        Action::Set(Opt::TunInfo),
        "output of tunnel information"
    ),
    o!(
        "nosort",
        None,
        None,
        "",
        Action::Set(Opt::NoSort),
        "disable sorting output of service/server entries"
    ),
    o!(
        "sort",
        None,
        None,
        "",
        Action::Sort,
        "does nothing, for backwards compatibility"
    ),
    o!(
        "ops",
        Some('o'),
        None,
        "",
        Action::Set(Opt::Ops),
        "one-packet scheduling"
    ),
    o!(
        "numeric",
        Some('n'),
        None,
        "",
        Action::Set(Opt::Numeric),
        "numeric output of addresses and ports"
    ),
    o!(
        "sched-flags",
        Some('b'),
        Required,
        "flags",
        Action::Set(Opt::SchedFlags),
        "scheduler flags (comma-separated)"
    ),
    o!(
        "json",
        None,
        None,
        "",
        Action::Set(Opt::Json),
        "listings as JSON (rvsadm extension; schema in the man page)"
    ),
    o!(
        "ipv6",
        Some('6'),
        None,
        "",
        Action::Ipv6,
        "fwmark entry uses IPv6"
    ),
    o!(
        "mcast-interface",
        None,
        Required,
        "interface",
        Action::Set(Opt::McastInterface),
        "multicast interface for connection sync"
    ),
    o!(
        "syncid",
        None,
        Required,
        "sid",
        Action::Set(Opt::SyncId),
        "syncid for connection sync (default=0)"
    ),
    o!(
        "sync-maxlen",
        None,
        Required,
        "length",
        Action::Set(Opt::SyncMaxlen),
        "max sync message length (default=1472)"
    ),
    o!(
        "mcast-group",
        None,
        Required,
        "address",
        Action::Set(Opt::McastGroup),
        "IPv4/IPv6 group (default=224.0.0.81)"
    ),
    o!(
        "mcast-port",
        None,
        Required,
        "port",
        Action::Set(Opt::McastPort),
        "UDP port (default=8848)"
    ),
    o!(
        "mcast-ttl",
        None,
        Required,
        "ttl",
        Action::Set(Opt::McastTtl),
        "multicast TTL (default=1)"
    ),
];

/// Output format switches of `-L`/`-S`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Format {
    /// `-n`
    pub numeric: bool,
    /// `--stats`
    pub stats: bool,
    /// `--rate`
    pub rate: bool,
    /// `--thresholds`
    pub thresholds: bool,
    /// `--persistent-conn`
    pub persistent_conn: bool,
    /// `--tun-info`
    pub tun_info: bool,
    /// `--nosort`
    pub nosort: bool,
    /// `--exact`
    pub exact: bool,
    /// `--json`
    pub json: bool,
}

/// What `-L` lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListWhat {
    /// The whole table.
    All,
    /// One service.
    Service,
    /// `-c`
    Connections,
    /// `--timeout`
    Timeouts,
    /// `--daemon`
    Daemons,
}

/// A fully parsed and checked command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invocation {
    /// `-h`
    Help,
    /// `-v`
    Version,
    /// A kernel change.
    Change(crate::ipvs::Request),
    /// `-L`
    List(ListWhat, Option<ServiceKey>, Format),
    /// `-S`
    Save(Format),
    /// `-R`
    Restore,
}

/// Parses ipvsadm-style C `strtol` numbers: optional leading blanks and
/// sign, decimal digits, nothing after; in `min..=max`.
pub fn string_to_number(s: &str, min: i64, max: i64) -> Option<i64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    let v = if neg { -v } else { v };
    (min..=max).contains(&v).then_some(v)
}

/// C `strtoul` with base 0 (0x hex, leading-0 octal, decimal) for one part
/// of an `inet_aton` address.
fn c_number(s: &str) -> Option<u64> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if h.is_empty() {
            return Some(0);
        }
        u64::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(&s[1..], 8).ok()
    } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// `inet_aton`: dotted quads and their short forms (`10.1` = `10.0.0.1`).
pub fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    if let Ok(a) = s.parse::<Ipv4Addr>() {
        return Some(a);
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let nums: Vec<u64> = parts.iter().map(|p| c_number(p)).collect::<Option<_>>()?;
    let (last, head) = nums.split_last()?;
    if head.iter().any(|&n| n > 255) {
        return None;
    }
    let rest_bits = 8 * (4 - head.len() as u32);
    if rest_bits < 64 && *last >= (1u64 << rest_bits) {
        return None;
    }
    let mut v: u32 = 0;
    for (i, n) in head.iter().enumerate() {
        v |= (*n as u32) << (24 - 8 * i);
    }
    v |= *last as u32;
    Some(Ipv4Addr::from(v))
}

/// Splits `host[:port]` / `[v6][:port]` into an address and optional port,
/// as ipvsadm's `parse_service` does. `None` means "illegal".
pub fn parse_host_port(buf: &str, proto: Protocol) -> Option<(IpAddr, Option<u16>)> {
    if !buf.is_empty() && buf.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // inet_pton(AF_INET6) needs at least two colons: only then is a bare
    // IPv6 address (without a port) possible.
    let bare_v6 = !buf.starts_with('[') && buf.bytes().filter(|&b| b == b':').count() >= 2;
    let (host, port) = if let Some(rest) = buf.strip_prefix('[') {
        // ipvsadm 1.31 wants a port after a bracketed address.
        let (h, after) = rest.split_once(']')?;
        (h, Some(after.strip_prefix(':')?))
    } else if bare_v6 && buf.parse::<Ipv6Addr>().is_ok() {
        (buf, None)
    } else {
        match buf.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (buf, None),
        }
    };
    let addr = if buf.starts_with('[') || host.contains(':') {
        IpAddr::V6(host.parse::<Ipv6Addr>().ok()?)
    } else {
        IpAddr::V4(inet_aton(host).or_else(|| names::host_v4(host))?)
    };
    let port = match port {
        None => None,
        Some(p) => Some(match string_to_number(p, 0, 65535) {
            Some(n) => n as u16,
            None => names::services().port(p, &proto.name())?,
        }),
    };
    Some((addr, port))
}

/// The state built while scanning options, like ipvsadm's `ce` and `options`.
#[derive(Debug)]
struct Scan {
    cmd: Option<Command>,
    seen: u64,
    service: Service,
    have_service: bool,
    dest: Dest,
    sched_flags: Option<String>,
    daemon: Daemon,
    daemon_state: Option<DaemonState>,
    format: Format,
    positional: Vec<String>,
}

fn set_opt(s: &mut Scan, opt: Opt) -> Result<(), CliError> {
    let bit = 1u64 << (opt as u32);
    if s.seen & bit != 0 {
        return Err(CliError::fail(format!(
            "multiple '{}' options specified",
            opt.name()
        )));
    }
    s.seen |= bit;
    Ok(())
}

fn has(s: &Scan, opt: Opt) -> bool {
    s.seen & (1u64 << (opt as u32)) != 0
}

/// How an option was written, for messages (`-t`, `--bogus`).
#[derive(Clone, Copy)]
enum Typed<'a> {
    Short(char),
    Long(&'a str),
}

impl fmt::Display for Typed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Typed::Short(c) => write!(f, "-{c}"),
            Typed::Long(s) => f.write_str(s),
        }
    }
}

/// A token of the command line after splitting clusters and `=`; borrows
/// from argv, so a restore of many lines allocates little.
enum Token<'a> {
    Opt(&'static OptSpec, Option<&'a str>, Typed<'a>),
    Positional(&'a str),
}

/// popt-style error: `%s: %s` with the option as typed, exit 255.
fn popt_err(opt: Typed<'_>, what: &str) -> CliError {
    CliError {
        message: format!("{opt}: {what}"),
        exit: 255,
    }
}

fn find_short(c: char) -> Option<&'static OptSpec> {
    // A table by letter, built once: restores parse many lines.
    static BY_LETTER: OnceLock<[Option<&'static OptSpec>; 128]> = OnceLock::new();
    let table = BY_LETTER.get_or_init(|| {
        let mut t = [None; 128];
        for o in OPTIONS {
            if let Some(c) = o.short {
                t[c as usize & 127] = Some(o);
            }
        }
        // `-l` is ipvsadm's alias of `-L`.
        t[b'l' as usize] = t[b'L' as usize];
        t
    });
    if c.is_ascii() {
        table[c as usize]
    } else {
        None
    }
}

/// Splits argv into options with their arguments and positionals.
fn tokenize<S: AsRef<str>>(args: &[S]) -> Vec<Result<Token<'_>, CliError>> {
    let mut out = Vec::with_capacity(args.len());
    let mut i = 0;
    let mut only_positional = false;
    // The next word as an option's argument: always for a required one,
    // only when it does not look like an option for an optional one.
    let next_arg = |i: &mut usize, optional: bool| -> Option<&str> {
        let v = args.get(*i)?.as_ref();
        if optional && v.starts_with('-') {
            return None;
        }
        *i += 1;
        Some(v)
    };
    while i < args.len() {
        let a = args[i].as_ref();
        i += 1;
        if only_positional || a == "-" || !a.starts_with('-') {
            out.push(Ok(Token::Positional(a)));
            continue;
        }
        if a == "--" {
            only_positional = true;
            continue;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            let typed = Typed::Long(a);
            let Some(spec) = OPTIONS.iter().find(|o| o.long == name) else {
                out.push(Err(popt_err(typed, "unknown option")));
                continue;
            };
            let arg = match (spec.arg, inline) {
                (Arg::None, Some(_)) => {
                    out.push(Err(popt_err(typed, "option does not take an argument")));
                    continue;
                }
                (_, Some(v)) => Some(v),
                (Arg::Required, None) => match next_arg(&mut i, false) {
                    Some(v) => Some(v),
                    None => {
                        out.push(Err(popt_err(typed, "missing argument")));
                        continue;
                    }
                },
                (Arg::Optional, None) => next_arg(&mut i, true),
                (Arg::None, None) => None,
            };
            out.push(Ok(Token::Opt(spec, arg, typed)));
            continue;
        }
        // A cluster of short options: -Lnc, -w5.
        let cluster = &a[1..];
        for (pos, c) in cluster.char_indices() {
            let typed = Typed::Short(c);
            let Some(spec) = find_short(c) else {
                out.push(Err(popt_err(typed, "unknown option")));
                break;
            };
            let rest = &cluster[pos + c.len_utf8()..];
            let (arg, done) = match spec.arg {
                Arg::None => (None, false),
                Arg::Required | Arg::Optional if !rest.is_empty() => (Some(rest), true),
                Arg::Required => match next_arg(&mut i, false) {
                    Some(v) => (Some(v), true),
                    None => {
                        out.push(Err(popt_err(typed, "missing argument")));
                        break;
                    }
                },
                Arg::Optional => (next_arg(&mut i, true), true),
            };
            out.push(Ok(Token::Opt(spec, arg, typed)));
            if done {
                break;
            }
        }
    }
    out
}

/// Parses and checks one command line (without the program name).
/// `prog` is the name to print in "Try `prog -h'"; `in_restore` is set for
/// lines read by `-R` (where `-R` itself is refused).
pub fn parse<S: AsRef<str>>(
    args: &[S],
    prog: &str,
    in_restore: bool,
) -> Result<Invocation, CliError> {
    if args.is_empty() {
        return Ok(Invocation::List(ListWhat::All, None, Format::default()));
    }
    let mut s = Scan {
        cmd: None,
        seen: 0,
        service: Service::new(ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port: 0,
        }),
        have_service: false,
        dest: Dest::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
        sched_flags: None,
        daemon: Daemon::new(DaemonState::Master, "", 0),
        daemon_state: None,
        format: Format::default(),
        positional: Vec::new(),
    };
    s.service.scheduler.clear();
    let mut forward: Option<Forward> = None;
    let mut first = true;
    for tok in tokenize(args) {
        let tok = match tok {
            Ok(t) => t,
            // popt's first option must be a command.
            Err(_) if first => return Err(CliError::try_help(prog)),
            Err(e) => return Err(e),
        };
        let (spec, arg, typed) = match tok {
            Token::Positional(p) => {
                s.positional.push(p.to_string());
                continue;
            }
            Token::Opt(spec, arg, typed) => (spec, arg, typed),
        };
        let arg_str = arg.unwrap_or_default();
        if first {
            first = false;
            match spec.action {
                Action::Help => return Ok(Invocation::Help),
                Action::Version => return Ok(Invocation::Version),
                Action::Cmd(Command::Restore) if in_restore => {
                    return Err(CliError::try_help(prog))
                }
                Action::Cmd(c) => {
                    s.cmd = Some(c);
                    match c {
                        Command::StartDaemon | Command::StopDaemon => {
                            let st = match arg_str {
                                "master" => DaemonState::Master,
                                "backup" => DaemonState::Backup,
                                _ if c == Command::StartDaemon => {
                                    return Err(CliError::fail(
                                        "illegal start-daemon parameter specified",
                                    ))
                                }
                                _ => return Err(CliError::fail("illegal start_daemon specified")),
                            };
                            s.daemon_state = Some(st);
                        }
                        _ => {}
                    }
                    continue;
                }
                _ => return Err(CliError::try_help(prog)),
            }
        }
        match spec.action {
            Action::Cmd(_) | Action::Help | Action::Version => {
                return Err(CliError::fail(format!("invalid option `{typed}'")));
            }
            Action::Sort => {}
            Action::ServiceAddr(proto) => {
                set_opt(&mut s, Opt::Service)?;
                let (addr, port) = parse_host_port(arg_str, proto).ok_or_else(|| {
                    CliError::fail("illegal virtual server address[:port] specified")
                })?;
                s.service.key = ServiceKey::Addr {
                    protocol: proto,
                    addr,
                    port: port.unwrap_or(0),
                };
                if addr.is_ipv6() && s.service.netmask == u32::MAX {
                    s.service.netmask = 128;
                }
                s.have_service = true;
            }
            Action::Fwmark => {
                set_opt(&mut s, Opt::Service)?;
                let mark = string_to_number(arg_str, 1, u32::MAX as i64).ok_or_else(|| {
                    CliError::fail(format!("invalid fwmark value `{arg_str}' specified"))
                })?;
                s.service.key = ServiceKey::Fwmark {
                    mark: mark as u32,
                    family: Family::Inet,
                };
                s.have_service = true;
            }
            Action::Ipv6 => match s.service.key {
                ServiceKey::Fwmark { mark, .. } if s.have_service => {
                    s.service.key = ServiceKey::Fwmark {
                        mark,
                        family: Family::Inet6,
                    };
                    s.service.netmask = 128;
                }
                _ => return Err(CliError::fail("-6 used before -f\n")),
            },
            Action::Forward(f) => {
                set_opt(&mut s, Opt::Forward)?;
                forward = Some(f);
            }
            Action::TunCsum(c) => {
                let opt = match c {
                    TunnelCsum::Nocsum => Opt::TunNocsum,
                    TunnelCsum::Csum => Opt::TunCsum,
                    TunnelCsum::Remcsum => Opt::TunRemcsum,
                };
                set_opt(&mut s, opt)?;
                s.dest.tun_flags = c;
            }
            Action::Set(opt) => {
                set_opt(&mut s, opt)?;
                apply_value(&mut s, opt, arg)?;
            }
        }
    }
    let Some(cmd) = s.cmd else {
        return Err(CliError::try_help(prog));
    };
    // `--set` takes three positionals.
    let mut positional = std::mem::take(&mut s.positional).into_iter();
    let mut timeouts = Timeouts::default();
    if cmd == Command::Timeout {
        let vals: Vec<String> = positional.by_ref().take(3).collect();
        if vals.len() != 3 {
            return Err(CliError::fail("--set option requires 3 timeout values"));
        }
        let parse_t = |v: &str| {
            string_to_number(v, 0, 86400 * 31)
                .map(|n| n as u32)
                .ok_or_else(|| CliError::fail(format!("invalid timeout value `{v}' specified")))
        };
        timeouts = Timeouts {
            tcp: parse_t(&vals[0])?,
            tcp_fin: parse_t(&vals[1])?,
            udp: parse_t(&vals[2])?,
        };
    }
    if let Some(extra) = positional.next() {
        return Err(CliError::fail(format!("unexpected argument {extra}")));
    }
    if let Some(flags) = &s.sched_flags {
        let sched = if s.service.scheduler.is_empty() {
            "wlc"
        } else {
            s.service.scheduler.as_str()
        };
        s.service.flags |= parse_sched_flags(flags, sched)?;
    }
    check_matrix(cmd, s.seen)?;
    if cmd == Command::List {
        let bad = (has(&s, Opt::Connection) || has(&s, Opt::Timeout) || has(&s, Opt::Daemon))
            && (has(&s, Opt::Stats) || has(&s, Opt::Rate) || has(&s, Opt::Thresholds))
            || (has(&s, Opt::Timeout) || has(&s, Opt::Daemon)) && has(&s, Opt::PersistentConn);
        if bad {
            return Err(CliError::fail("options conflicts in the list command"));
        }
    }
    finish(cmd, s, forward, timeouts)
}

fn apply_value(s: &mut Scan, opt: Opt, arg: Option<&str>) -> Result<(), CliError> {
    let v = arg.unwrap_or("");
    let num = |min: i64, max: i64, msg: &str| {
        string_to_number(v, min, max).ok_or_else(|| CliError::fail(msg.to_string()))
    };
    match opt {
        Opt::Scheduler => s.service.scheduler = v.chars().take(15).collect(),
        Opt::Pe => s.service.pe = Some(v.chars().take(16).collect()),
        Opt::Persistent => {
            s.service.flags |= SVC_F_PERSISTENT;
            s.service.timeout = match arg {
                None => DEFAULT_PERSISTENT_TIMEOUT,
                Some(t) => string_to_number(t, 1, 86400 * 31).ok_or_else(|| {
                    CliError::fail(format!("invalid timeout value `{t}' specified"))
                })? as u32,
            };
        }
        Opt::Netmask => {
            if s.have_service && s.service.key.family() == Family::Inet6 {
                let n = atoi(v);
                if !(1..=128).contains(&n) {
                    return Err(CliError::fail("illegal ipv6 netmask specified"));
                }
                s.service.netmask = n as u32;
            } else {
                let m = inet_aton(v).or_else(|| names::host_v4(v)).ok_or_else(|| {
                    CliError::fail("illegal virtual server persistent mask specified")
                })?;
                s.service.set_netmask_v4(m);
            }
        }
        Opt::RealServer => {
            let proto = match s.service.key {
                ServiceKey::Addr { protocol, .. } => protocol,
                ServiceKey::Fwmark { .. } => Protocol::Tcp,
            };
            let (addr, port) = parse_host_port(v, proto)
                .ok_or_else(|| CliError::fail("illegal real server address[:port] specified"))?;
            s.dest.addr = addr;
            match port {
                Some(p) => s.dest.port = p,
                None => s.dest.port = s.service.key.port(),
            }
        }
        Opt::Weight => s.dest.weight = num(0, i32::MAX as i64, "illegal weight specified")? as i32,
        Opt::UThreshold => {
            s.dest.u_threshold = num(0, i32::MAX as i64, "illegal u_threshold specified")? as u32
        }
        Opt::LThreshold => {
            s.dest.l_threshold = num(0, i32::MAX as i64, "illegal l_threshold specified")? as u32
        }
        Opt::TunType => {
            s.dest.tun_type = match v {
                "ipip" => TunnelType::Ipip,
                "gue" => TunnelType::Gue,
                "gre" => TunnelType::Gre,
                _ => return Err(CliError::fail("illegal tunnel type specified")),
            }
        }
        Opt::TunPort => s.dest.tun_port = num(1, 65535, "illegal tunnel port specified")? as u16,
        Opt::McastInterface => s.daemon.mcast_ifn = v.chars().take(15).collect(),
        Opt::SyncId => s.daemon.syncid = num(0, 255, "illegal syncid specified")? as u32,
        Opt::SyncMaxlen => {
            s.daemon.sync_maxlen = num(1, 65535 - 20 - 8, "illegal sync-maxlen specified")? as u16
        }
        Opt::McastGroup => {
            let g = match (v.parse::<Ipv4Addr>(), v.parse::<Ipv6Addr>()) {
                (Ok(a), _) if a.is_multicast() => IpAddr::V4(a),
                (_, Ok(a)) if a.is_multicast() => IpAddr::V6(a),
                (_, Ok(_)) => {
                    return Err(CliError::fail(format!("invalid IPv6 mcast-group `{v}'")))
                }
                _ => return Err(CliError::fail(format!("invalid IPv4 mcast-group `{v}'"))),
            };
            s.daemon.mcast_group = Some(g);
        }
        Opt::McastPort => {
            s.daemon.mcast_port = num(1, 65535, "illegal mcast-port specified")? as u16
        }
        Opt::McastTtl => s.daemon.mcast_ttl = num(1, 255, "illegal mcast-ttl specified")? as u8,
        Opt::SchedFlags => s.sched_flags = Some(v.to_string()),
        Opt::Ops => s.service.flags |= SVC_F_ONEPACKET,
        Opt::Numeric => s.format.numeric = true,
        Opt::Stats => s.format.stats = true,
        Opt::Rate => s.format.rate = true,
        Opt::Thresholds => s.format.thresholds = true,
        Opt::PersistentConn => s.format.persistent_conn = true,
        Opt::TunInfo => s.format.tun_info = true,
        Opt::NoSort => s.format.nosort = true,
        Opt::Exact => s.format.exact = true,
        Opt::Json => s.format.json = true,
        Opt::Connection | Opt::Timeout | Opt::Daemon => {}
        Opt::Service | Opt::Forward | Opt::TunNocsum | Opt::TunCsum | Opt::TunRemcsum => {}
    }
    Ok(())
}

/// C `atoi`: leading blanks, sign, digits; stops at the first non-digit.
fn atoi(s: &str) -> i64 {
    let t = s.trim_start();
    let (neg, d) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits: String = d.chars().take_while(|c| c.is_ascii_digit()).collect();
    let v: i64 = digits.parse().unwrap_or(0);
    if neg {
        -v
    } else {
        v
    }
}

/// Parses `-b` flags against the scheduler they will be used with.
pub fn parse_sched_flags(list: &str, sched: &str) -> Result<u32, CliError> {
    let mut flags = 0;
    for f in list.split(',') {
        let (bit, only) = match f {
            "flag-1" => (SVC_F_SCHED1, None),
            "flag-2" => (SVC_F_SCHED2, None),
            "flag-3" => (SVC_F_SCHED3, None),
            "sh-fallback" => (SVC_F_SCHED1, Some("sh")),
            "sh-port" => (SVC_F_SCHED2, Some("sh")),
            "mh-fallback" => (SVC_F_SCHED1, Some("mh")),
            "mh-port" => (SVC_F_SCHED2, Some("mh")),
            _ => return Err(CliError::fail(format!("invalid scheduler flag `{f}'"))),
        };
        if let Some(only) = only {
            if only != sched {
                return Err(CliError::fail(format!("incompatible scheduler flag `{f}'")));
            }
        }
        flags |= bit;
    }
    Ok(flags)
}

fn check_matrix(cmd: Command, seen: u64) -> Result<(), CliError> {
    let col = cmd.column();
    let mut first_exclusive: Option<&str> = None;
    for (opt, name, row) in MATRIX.iter() {
        let rule = row.as_bytes()[col];
        let present = seen & (1u64 << (*opt as u32)) != 0;
        if !present {
            if rule == b'+' {
                return Err(CliError::fail(format!(
                    "You need to supply the '{name}' option for the '{}' command",
                    cmd.name()
                )));
            }
            continue;
        }
        match rule {
            b'x' => {
                return Err(CliError::fail(format!(
                    "Illegal '{name}' option with the '{}' command",
                    cmd.name()
                )))
            }
            b'1' => match first_exclusive {
                None => first_exclusive = Some(name),
                Some(last) => {
                    return Err(CliError::fail(format!(
                    "The option '{name}' conflicts with the '{last}' option in the '{}' command",
                    cmd.name()
                )))
                }
            },
            _ => {}
        }
    }
    Ok(())
}

fn finish(
    cmd: Command,
    mut s: Scan,
    forward: Option<Forward>,
    timeouts: Timeouts,
) -> Result<Invocation, CliError> {
    use crate::ipvs::Request;
    let key = s.service.key;
    Ok(match cmd {
        Command::Add | Command::Edit => {
            if key.fwmark() == 0 && key.port() == 0 && !s.service.persistent() {
                return Err(CliError::fail(
                    "Zero port specified for non-persistent service",
                ));
            }
            let udp = matches!(
                key,
                ServiceKey::Addr {
                    protocol: Protocol::Udp,
                    ..
                }
            );
            if s.service.one_packet() && key.fwmark() == 0 && !udp {
                return Err(CliError::fail(
                    "One-Packet Scheduling is only for UDP virtual services",
                ));
            }
            if s.service.scheduler.is_empty() {
                s.service.scheduler = "wlc".into();
            }
            if cmd == Command::Add {
                Invocation::Change(Request::NewService(s.service))
            } else {
                Invocation::Change(Request::SetService(s.service))
            }
        }
        Command::Del => Invocation::Change(Request::DelService(key)),
        Command::Flush => Invocation::Change(Request::Flush),
        Command::Zero => Invocation::Change(Request::Zero(s.have_service.then_some(key))),
        Command::AddDest | Command::EditDest | Command::DelDest => {
            let mut d = s.dest;
            d.forward = forward.unwrap_or(Forward::Route);
            if cmd != Command::DelDest {
                if matches!(d.forward, Forward::Route | Forward::Tunnel) && key.fwmark() == 0 {
                    d.port = key.port();
                }
                if d.family() != key.family() && d.forward != Forward::Tunnel {
                    return Err(CliError::fail(
                        "Different address family is allowed only for tunneling servers",
                    ));
                }
                check_tunnel(&s.seen, &d)?;
            }
            Invocation::Change(match cmd {
                Command::AddDest => Request::NewDest(key, d),
                Command::EditDest => Request::SetDest(key, d),
                _ => Request::DelDest(key, d),
            })
        }
        Command::Timeout => Invocation::Change(Request::SetTimeouts(timeouts)),
        Command::StartDaemon => {
            let mut d = s.daemon;
            d.state = s.daemon_state.unwrap_or(DaemonState::Master);
            if d.mcast_ifn.is_empty() {
                d.mcast_ifn = "eth0".into();
            }
            Invocation::Change(Request::NewDaemon(d))
        }
        Command::StopDaemon => Invocation::Change(Request::DelDaemon(
            s.daemon_state.unwrap_or(DaemonState::Master),
        )),
        Command::Restore => Invocation::Restore,
        Command::Save => Invocation::Save(s.format),
        Command::List => {
            let what = if has(&s, Opt::Connection) {
                ListWhat::Connections
            } else if has(&s, Opt::Timeout) {
                ListWhat::Timeouts
            } else if has(&s, Opt::Daemon) {
                ListWhat::Daemons
            } else if s.have_service {
                ListWhat::Service
            } else {
                ListWhat::All
            };
            Invocation::List(what, s.have_service.then_some(key), s.format)
        }
    })
}

fn check_tunnel(seen: &u64, d: &Dest) -> Result<(), CliError> {
    let present = |o: Opt| seen & (1u64 << (o as u32)) != 0;
    let tun_opts = [
        Opt::TunType,
        Opt::TunPort,
        Opt::TunNocsum,
        Opt::TunCsum,
        Opt::TunRemcsum,
    ];
    if d.forward != Forward::Tunnel {
        if tun_opts.iter().any(|o| present(*o)) {
            return Err(CliError::fail(
                "Tunnel options conflict with forward method",
            ));
        }
        return Ok(());
    }
    // Rows: tun-port, tun-nocsum, tun-csum, tun-remcsum.
    let row: &[u8; 4] = match d.tun_type {
        TunnelType::Ipip => b"xxxx",
        TunnelType::Gue => b"+111",
        TunnelType::Gre => b"x11x",
    };
    let cols = [Opt::TunPort, Opt::TunNocsum, Opt::TunCsum, Opt::TunRemcsum];
    let tname = d.tun_type.name();
    let mut last: Option<&str> = None;
    for (opt, rule) in cols.iter().zip(row.iter()) {
        if !present(*opt) {
            if *rule == b'+' {
                return Err(CliError::fail(format!(
                    "You need to supply the '{}' option for the '{tname}' tunnel type",
                    opt.name()
                )));
            }
            continue;
        }
        match rule {
            b'x' => {
                return Err(CliError::fail(format!(
                    "Illegal '{}' option with the '{tname}' tunnel type",
                    opt.name()
                )))
            }
            b'1' => match last {
                None => last = Some(opt.name()),
                Some(l) => {
                    return Err(CliError::fail(format!(
                    "The option '{}' conflicts with the '{l}' option in the '{tname}' tunnel type",
                    opt.name()
                )))
                }
            },
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipvs::Request;

    fn p(line: &str) -> Result<Invocation, CliError> {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        parse(&args, "rvsadm", false)
    }
    fn err(line: &str) -> (String, i32) {
        let e = p(line).unwrap_err();
        (e.message, e.exit)
    }

    #[test]
    fn add_service_defaults() {
        let Invocation::Change(Request::NewService(s)) = p("-A -t 10.0.0.5:80").unwrap() else {
            panic!()
        };
        assert_eq!(s.scheduler, "wlc");
        assert_eq!(s.netmask, u32::MAX);
        let Invocation::Change(Request::NewService(s)) =
            p("-A -t [2001:db8::1]:80 -s rr -p").unwrap()
        else {
            panic!()
        };
        assert_eq!(s.netmask, 128);
        assert_eq!(s.timeout, 360);
        assert!(s.persistent());
    }

    #[test]
    fn sched_flags_after_scheduler_check() {
        let Invocation::Change(Request::NewService(s)) =
            p("-A -u 10.0.0.5:53 -b sh-port,sh-fallback -s sh -p 60 -M 255.255.0.0").unwrap()
        else {
            panic!()
        };
        assert_eq!(s.flags, 0x19);
        assert_eq!(s.netmask_v4().to_string(), "255.255.0.0");
        assert_eq!(
            err("-A -t 10.0.0.1:80 -b sh-port"),
            ("incompatible scheduler flag `sh-port'".into(), 2)
        );
        assert_eq!(
            err("-A -t 10.0.0.1:80 -b foo"),
            ("invalid scheduler flag `foo'".into(), 2)
        );
    }

    #[test]
    fn matrix_messages() {
        assert_eq!(
            err("-L -t 10.0.0.1:80 --daemon"),
            (
                "The option 'daemon' conflicts with the 'service-address' option in the 'list' command".into(),
                2
            )
        );
        assert_eq!(
            err("-a -t 10.0.0.1:80"),
            (
                "You need to supply the 'real-server' option for the 'add-server' command".into(),
                2
            )
        );
        assert_eq!(
            err("-D -t 10.0.0.1:80 -s rr"),
            (
                "Illegal 'scheduler' option with the 'delete-service' command".into(),
                2
            )
        );
        assert_eq!(
            err("-L -c --stats"),
            ("options conflicts in the list command".into(), 2)
        );
    }

    #[test]
    fn popt_level_errors() {
        assert_eq!(
            err("-f 0 -A"),
            (
                "Try `rvsadm -h' or 'rvsadm --help' for more information.".into(),
                255
            )
        );
        assert_eq!(err("-A -t"), ("-t: missing argument".into(), 255));
        assert_eq!(err("-A -E"), ("invalid option `-E'".into(), 2));
        assert_eq!(
            err("-A -t 10.0.0.1:80 -t 10.0.0.2:80"),
            ("multiple 'service-address' options specified".into(), 2)
        );
        assert_eq!(
            err("-A -t 10.0.0.1:80 extra"),
            ("unexpected argument extra".into(), 2)
        );
    }

    #[test]
    fn semantic_checks() {
        assert_eq!(
            err("-A -t 10.0.0.1"),
            ("Zero port specified for non-persistent service".into(), 2)
        );
        assert_eq!(
            err("-A -t 10.0.0.1:80 -o"),
            (
                "One-Packet Scheduling is only for UDP virtual services".into(),
                2
            )
        );
        assert_eq!(err("-A -6 -f 1"), ("-6 used before -f\n".into(), 2));
        assert_eq!(
            err("-a -t 10.0.0.1:80 -r 10.0.0.2 -w 2147483648"),
            ("illegal weight specified".into(), 2)
        );
        assert_eq!(
            err("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue"),
            (
                "You need to supply the 'tun-port' option for the 'gue' tunnel type".into(),
                2
            )
        );
        assert_eq!(
            err("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-port 1"),
            (
                "Illegal 'tun-port' option with the 'gre' tunnel type".into(),
                2
            )
        );
        assert_eq!(
            err("-a -t 10.0.0.1:80 -r 10.0.0.2 --tun-type gre"),
            ("Tunnel options conflict with forward method".into(), 2)
        );
        assert_eq!(
            err("-a -t 10.0.0.1:80 -r [2001:db8::1]:80 -m"),
            (
                "Different address family is allowed only for tunneling servers".into(),
                2
            )
        );
    }

    #[test]
    fn dest_port_rules() {
        let Invocation::Change(Request::NewDest(_, d)) =
            p("-a -t 10.0.0.1:80 -r 192.168.0.1:8080 -g").unwrap()
        else {
            panic!()
        };
        assert_eq!(d.port, 80);
        let Invocation::Change(Request::NewDest(_, d)) =
            p("-a -t 10.0.0.1:80 -r 192.168.0.1:8080 -m -w5").unwrap()
        else {
            panic!()
        };
        assert_eq!((d.port, d.weight, d.forward), (8080, 5, Forward::Masq));
        let Invocation::Change(Request::DelDest(_, d)) =
            p("-d -t 10.0.0.1:80 -r 192.168.0.1").unwrap()
        else {
            panic!()
        };
        assert_eq!((d.port, d.forward), (80, Forward::Route));
    }

    #[test]
    fn listing_and_set() {
        assert_eq!(
            p("-Lnc").unwrap(),
            Invocation::List(
                ListWhat::Connections,
                None,
                Format {
                    numeric: true,
                    ..Format::default()
                }
            )
        );
        assert_eq!(
            p("--set 900 120 300").unwrap(),
            Invocation::Change(Request::SetTimeouts(Timeouts {
                tcp: 900,
                tcp_fin: 120,
                udp: 300
            }))
        );
        assert_eq!(
            err("--set 900 120"),
            ("--set option requires 3 timeout values".into(), 2)
        );
    }

    #[test]
    fn address_parsing() {
        let t = Protocol::Tcp;
        assert_eq!(
            parse_host_port("10.1:80", t),
            Some(("10.0.0.1".parse().unwrap(), Some(80)))
        );
        assert_eq!(parse_host_port("[2001:db8::1]", t), None);
        assert_eq!(
            parse_host_port("2001:db8::1", t),
            Some(("2001:db8::1".parse().unwrap(), None))
        );
        assert_eq!(parse_host_port("1234", t), None);
        assert_eq!(parse_host_port("10.0.0.1:99999", t), None);
        assert_eq!(inet_aton("0x0a.1"), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(inet_aton("256.1.1.1"), None);
        assert_eq!(string_to_number(" +5", 0, 10), Some(5));
        assert_eq!(string_to_number("5x", 0, 10), None);
    }
}
