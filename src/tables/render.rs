//! iptables-nft 1.8.9's text formats, byte for byte: save (with and
//! without counters), `-S` (and `-v -S`), every `-L` variant, and the `-v`
//! echo of a rule. A rule rtables cannot express is printed as a marked
//! comment line, never as something it is not.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::cli::proto_name;
use super::expr::Family;
use super::ext::PrintCtx;
use super::rule::{Net, Rule, Target};

/// A chain as listed.
#[derive(Debug, Clone)]
pub struct ChainView {
    /// Name.
    pub name: String,
    /// `Some("ACCEPT" | "DROP")` for a built-in chain.
    pub policy: Option<&'static str>,
    /// Policy counters (packets, bytes).
    pub counters: (u64, u64),
    /// References (jumps to a user chain).
    pub refs: u32,
    /// Rules in order.
    pub rules: Vec<Rule>,
}

/// A table as listed: built-in chains in hook order, then user chains in
/// name order.
#[derive(Debug, Clone)]
pub struct TableView {
    /// Family.
    pub family: Family,
    /// Table name.
    pub name: String,
    /// Chains.
    pub chains: Vec<ChainView>,
}

/// Output options of `-L`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListOpts {
    /// `-v`
    pub verbose: bool,
    /// `-n`
    pub numeric: bool,
    /// `-x`
    pub exact: bool,
    /// `--line-numbers`
    pub line_numbers: bool,
}

/// The comment line that stands for a rule rtables cannot express.
pub fn problem_line(chain: &str, r: &Rule, out: &mut String) {
    out.push_str("# Warning: rule handle ");
    out.push_str(&r.handle.to_string());
    out.push_str(" in chain ");
    out.push_str(chain);
    out.push_str(" cannot be expressed in iptables syntax (");
    out.push_str(r.problem.as_deref().unwrap_or(""));
    out.push_str(")\n");
}

fn mask_text(n: &Net, family: Family) -> Option<String> {
    let full = n.mask.iter().all(|&b| b == 0xff);
    if full {
        return None;
    }
    Some(match n.prefix_len() {
        Some(p) => p.to_string(),
        None => addr_text(&n.mask, family),
    })
}

fn addr_text(a: &[u8], family: Family) -> String {
    match family {
        Family::V4 => {
            let mut o = [0u8; 4];
            for (d, s) in o.iter_mut().zip(a) {
                *d = *s;
            }
            Ipv4Addr::from(o).to_string()
        }
        Family::V6 => {
            let mut o = [0u8; 16];
            for (d, s) in o.iter_mut().zip(a) {
                *d = *s;
            }
            Ipv6Addr::from(o).to_string()
        }
    }
}

/// `-s`/`-d` in save form: `10.0.0.0/8`, `1.2.3.4/32`, `10.0.12.0/255.0.255.0`.
pub fn net_save(n: &Net, family: Family) -> String {
    let a = addr_text(&n.addr, family);
    match n.prefix_len() {
        Some(p) => format!("{a}/{p}"),
        None => format!("{a}/{}", addr_text(&n.mask, family)),
    }
}

fn networks() -> &'static [(String, [u8; 4])] {
    static N: std::sync::OnceLock<Vec<(String, [u8; 4])>> = std::sync::OnceLock::new();
    N.get_or_init(|| {
        let text = std::fs::read_to_string("/etc/networks").unwrap_or_default();
        let mut v = Vec::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut it = line.split_whitespace();
            if let (Some(name), Some(num)) = (it.next(), it.next()) {
                // getnetbyaddr's short forms: "127" is 127.0.0.0.
                let mut o = [0u8; 4];
                let parts: Vec<&str> = num.split('.').collect();
                let ok = parts.len() <= 4
                    && parts
                        .iter()
                        .zip(o.iter_mut())
                        .all(|(p, d)| p.parse::<u8>().map(|x| *d = x).is_ok());
                if ok {
                    v.push((name.to_string(), o));
                }
            }
        }
        v
    })
}

/// A host or network name for an address (`-L` without `-n`): the host
/// name, else (IPv4) the /etc/networks name, else the number.
fn addr_name(a: &[u8], family: Family) -> String {
    let num = addr_text(a, family);
    let ip: std::net::IpAddr = match num.parse() {
        Ok(ip) => ip,
        Err(_) => return num,
    };
    if let Ok(name) = dns_lookup::lookup_addr(&ip) {
        if name != num {
            return name;
        }
    }
    if family == Family::V4 {
        if let Some((n, _)) = networks()
            .iter()
            .find(|(_, o)| o[..] == a[..4.min(a.len())])
        {
            return n.clone();
        }
    }
    num
}

/// `-L` address column text.
fn net_list(n: Option<&Net>, family: Family, numeric: bool) -> String {
    // ip6tables also says `anywhere` for the all-zero address, whatever
    // its mask (without -n).
    let any = n.is_none_or(|n| {
        n.is_any() || (!numeric && family == Family::V6 && n.addr.iter().all(|&b| b == 0))
    });
    if any {
        return if numeric {
            match family {
                Family::V4 => "0.0.0.0/0".into(),
                Family::V6 => "::/0".into(),
            }
        } else {
            "anywhere".into()
        };
    }
    let Some(n) = n else {
        return String::new();
    };
    let a = if numeric {
        addr_text(&n.addr, family)
    } else {
        addr_name(&n.addr, family)
    };
    match mask_text(n, family) {
        Some(m) => format!("{a}/{m}"),
        None => a,
    }
}

/// The rule's text after `-A CHAIN` (save and `-S`), with ` -c P B` before
/// the target when `counters_inline` (`-v -S`).
pub fn rule_spec(r: &Rule, family: Family, counters_inline: bool, out: &mut String) {
    let s = &r.spec;
    let inv = |b: bool, out: &mut String| {
        if b {
            out.push_str(" !");
        }
    };
    if let Some(n) = &s.src {
        if !n.is_any() || s.src_inv {
            inv(s.src_inv, out);
            out.push_str(" -s ");
            out.push_str(&net_save(n, family));
        }
    }
    if let Some(n) = &s.dst {
        if !n.is_any() || s.dst_inv {
            inv(s.dst_inv, out);
            out.push_str(" -d ");
            out.push_str(&net_save(n, family));
        }
    }
    if let Some(i) = &s.iniface {
        if i != "+" || s.in_inv {
            inv(s.in_inv, out);
            out.push_str(" -i ");
            out.push_str(i);
        }
    }
    if let Some(o) = &s.outiface {
        if o != "+" || s.out_inv {
            inv(s.out_inv, out);
            out.push_str(" -o ");
            out.push_str(o);
        }
    }
    if s.proto != 0 {
        inv(s.proto_inv, out);
        out.push_str(" -p ");
        match proto_name(s.proto) {
            Some(n) => out.push_str(&n),
            None => out.push_str(&s.proto.to_string()),
        }
    }
    if let Some(finv) = s.frag {
        inv(finv, out);
        out.push_str(" -f");
    }
    let pc = PrintCtx {
        family,
        numeric: true,
        proto: s.proto,
    };
    for m in &r.matches {
        out.push_str(" -m ");
        out.push_str(m.ext.save_name(&m.blob));
        m.ext.save(&pc, &m.blob, out);
    }
    if counters_inline {
        out.push_str(&format!(" -c {} {}", r.counters.0, r.counters.1));
    }
    match &r.target {
        Target::None => {}
        Target::Goto(c) => {
            out.push_str(" -g ");
            out.push_str(c);
        }
        Target::Ext(t) => {
            out.push_str(" -j ");
            out.push_str(t.ext.save_name(&t.blob));
            t.ext.save(&pc, &t.blob, out);
        }
        t => {
            out.push_str(" -j ");
            out.push_str(t.name());
        }
    }
}

/// One `-A` line (save or `-S`), or the marked comment for a rule rtables
/// cannot express. Returns false for the latter.
pub fn rule_line(
    chain: &str,
    r: &Rule,
    family: Family,
    counters: SaveCounters,
    out: &mut String,
) -> bool {
    if r.problem.is_some() {
        problem_line(chain, r, out);
        return false;
    }
    if counters == SaveCounters::Prefix {
        out.push_str(&format!("[{}:{}] ", r.counters.0, r.counters.1));
    }
    out.push_str("-A ");
    out.push_str(chain);
    rule_spec(r, family, counters == SaveCounters::Inline, out);
    out.push('\n');
    true
}

/// How rule counters appear in save/-S output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveCounters {
    /// Not at all.
    None,
    /// `[P:B] -A ...` (`iptables-save -c`).
    Prefix,
    /// `... -c P B -j ...` (`iptables -v -S`).
    Inline,
}

/// The save section of one table (between the header and trailer comments):
/// `*table`, chain lines, rules, `COMMIT`. Returns false when a rule had
/// to be shown as a comment.
pub fn save_table(t: &TableView, counters: bool, out: &mut String) -> bool {
    let mut ok = true;
    out.push('*');
    out.push_str(&t.name);
    out.push('\n');
    for c in &t.chains {
        out.push(':');
        out.push_str(&c.name);
        out.push(' ');
        out.push_str(c.policy.unwrap_or("-"));
        out.push_str(&format!(" [{}:{}]\n", c.counters.0, c.counters.1));
    }
    let mode = if counters {
        SaveCounters::Prefix
    } else {
        SaveCounters::None
    };
    let all: Vec<&ChainView> = t.chains.iter().collect();
    ok &= rule_lines(t, &all, mode, out);
    out.push_str("COMMIT\n");
    ok
}

/// Rules from this many on are formatted on two threads.
const PARALLEL_RULES: usize = 20_000;

/// The `-A` lines of `chains`, in order; big tables are formatted in two
/// halves on two threads and joined.
fn rule_lines(t: &TableView, chains: &[&ChainView], mode: SaveCounters, out: &mut String) -> bool {
    let total: usize = chains.iter().map(|c| c.rules.len()).sum();
    let one = |chains: &[&ChainView], out: &mut String| {
        let mut ok = true;
        for c in chains {
            for r in &c.rules {
                ok &= rule_line(&c.name, r, t.family, mode, out);
            }
        }
        ok
    };
    if total < PARALLEL_RULES || chains.len() < 2 {
        return one(chains, out);
    }
    // Split where half of the rules are.
    let mut acc = 0;
    let mut mid = chains.len() / 2;
    for (i, c) in chains.iter().enumerate() {
        acc += c.rules.len();
        if acc * 2 >= total {
            mid = (i + 1).min(chains.len() - 1).max(1);
            break;
        }
    }
    let (a, b) = chains.split_at(mid);
    let (ok_b, text_b) = std::thread::scope(|s| {
        let h = s.spawn(|| {
            let mut o = String::with_capacity(total * 40);
            let ok = one(b, &mut o);
            (ok, o)
        });
        let ok_a = one(a, out);
        let (ok_b, text_b) = h.join().unwrap_or((false, String::new()));
        (ok_a && ok_b, text_b)
    });
    out.push_str(&text_b);
    ok_b
}

/// `-S [chain [rulenum]]`. Returns false when a rule had to be shown as a
/// comment.
pub fn list_rules(
    t: &TableView,
    chain: Option<&str>,
    rulenum: Option<u32>,
    verbose: bool,
    out: &mut String,
) -> bool {
    let mut ok = true;
    let mode = if verbose {
        SaveCounters::Inline
    } else {
        SaveCounters::None
    };
    let chains: Vec<&ChainView> = t
        .chains
        .iter()
        .filter(|c| chain.is_none_or(|n| n == c.name))
        .collect();
    if let Some(n) = rulenum {
        for c in &chains {
            if let Some(r) = c.rules.get(n as usize - 1) {
                ok &= rule_line(&c.name, r, t.family, mode, out);
            }
        }
        return ok;
    }
    for c in &chains {
        match c.policy {
            Some(p) => {
                out.push_str(&format!("-P {} {}", c.name, p));
                if verbose {
                    out.push_str(&format!(" -c {} {}", c.counters.0, c.counters.1));
                }
                out.push('\n');
            }
            None => {
                out.push_str("-N ");
                out.push_str(&c.name);
                out.push('\n');
            }
        }
    }
    ok &= rule_lines(t, &chains, mode, out);
    ok
}

/// `xtables_print_num` in table mode.
fn num(n: u64, exact: bool, out: &mut String) {
    if exact {
        out.push_str(&format!("{n:>8} "));
        return;
    }
    if n <= 99999 {
        out.push_str(&format!("{n:>5} "));
        return;
    }
    let mut n = n;
    for suffix in ['K', 'M', 'G'] {
        n = n.wrapping_add(500) / 1000;
        if n <= 9999 {
            out.push_str(&format!("{n:>4}{suffix} "));
            return;
        }
    }
    n = n.wrapping_add(500) / 1000;
    out.push_str(&format!("{n:>4}T "));
}

/// `xtables_print_num` in the no-table format (policy counters).
fn num_notable(n: u64, exact: bool, out: &mut String) {
    if exact || n <= 99999 {
        out.push_str(&format!("{n} "));
        return;
    }
    let mut n = n;
    for suffix in ['K', 'M', 'G'] {
        n = n.wrapping_add(500) / 1000;
        if n <= 9999 {
            out.push_str(&format!("{n}{suffix} "));
            return;
        }
    }
    n = n.wrapping_add(500) / 1000;
    out.push_str(&format!("{n}T "));
}

fn header(o: &ListOpts, out: &mut String) {
    if o.line_numbers {
        out.push_str("num  ");
    }
    if o.verbose {
        if o.exact {
            out.push_str("    pkts      bytes ");
        } else {
            out.push_str(" pkts bytes ");
        }
    }
    out.push_str("target     prot opt");
    if o.verbose {
        out.push_str(" in     out    ");
    }
    out.push_str(" source               destination         \n");
}

fn iface_col(name: Option<&String>, inv: bool, numeric: bool) -> String {
    let mut s = String::new();
    if inv {
        s.push('!');
    }
    match name {
        Some(n) if n != "+" || inv => s.push_str(n),
        _ => s.push_str(if numeric { "*" } else { "any" }),
    }
    s
}

fn proto_col(p: u8, numeric: bool) -> String {
    if numeric {
        return p.to_string();
    }
    if p == 0 {
        return "all".into();
    }
    proto_name(p).unwrap_or_else(|| p.to_string())
}

/// One `-L` rule line (without the newline handling of problem rules).
pub fn list_line(r: &Rule, family: Family, o: &ListOpts, num_: Option<usize>, out: &mut String) {
    if r.problem.is_some() {
        return;
    }
    if let Some(n) = num_ {
        out.push_str(&format!("{n:<4} "));
    }
    if o.verbose {
        num(r.counters.0, o.exact, out);
        num(r.counters.1, o.exact, out);
    }
    out.push_str(&format!("{:<9} ", r.target.list_name()));
    let s = &r.spec;
    out.push(if s.proto_inv { '!' } else { ' ' });
    out.push_str(&format!("{:<4} ", proto_col(s.proto, o.numeric)));
    match s.frag {
        None => out.push_str("-- "),
        Some(false) => out.push_str("-f "),
        Some(true) => out.push_str("!f "),
    }
    if o.verbose {
        out.push_str(&format!(
            " {:<6} ",
            iface_col(s.iniface.as_ref(), s.in_inv, o.numeric)
        ));
        out.push_str(&format!(
            "{:<6} ",
            iface_col(s.outiface.as_ref(), s.out_inv, o.numeric)
        ));
    }
    out.push(if s.src_inv { '!' } else { ' ' });
    out.push_str(&format!(
        "{:<19} ",
        net_list(s.src.as_ref(), family, o.numeric)
    ));
    out.push(if s.dst_inv { '!' } else { ' ' });
    out.push_str(&format!(
        "{:<19} ",
        net_list(s.dst.as_ref(), family, o.numeric)
    ));
    if matches!(r.target, Target::Goto(_)) {
        out.push_str("[goto] ");
    }
    ext_texts(r, family, o.numeric, out);
    out.push('\n');
}

fn ext_texts(r: &Rule, family: Family, numeric: bool, out: &mut String) {
    let pc = PrintCtx {
        family,
        numeric,
        proto: r.spec.proto,
    };
    for m in &r.matches {
        m.ext.print(&pc, &m.blob, out);
    }
    if let Target::Ext(t) = &r.target {
        t.ext.print(&pc, &t.blob, out);
    }
}

/// `-L [chain [rulenum]]` of one table. Returns false when a rule had to
/// be shown as a comment.
pub fn list(
    t: &TableView,
    chain: Option<&str>,
    rulenum: Option<u32>,
    o: &ListOpts,
    out: &mut String,
) -> bool {
    let mut ok = true;
    let mut first = true;
    for c in t
        .chains
        .iter()
        .filter(|c| chain.is_none_or(|n| n == c.name))
    {
        if let Some(n) = rulenum {
            if let Some(r) = c.rules.get(n as usize - 1) {
                if r.problem.is_some() {
                    problem_line(&c.name, r, out);
                    ok = false;
                } else {
                    list_line(r, t.family, o, o.line_numbers.then_some(n as usize), out);
                }
            }
            continue;
        }
        if !first {
            out.push('\n');
        }
        first = false;
        out.push_str("Chain ");
        out.push_str(&c.name);
        match c.policy {
            Some(p) => {
                out.push_str(" (policy ");
                out.push_str(p);
                if o.verbose {
                    out.push(' ');
                    num_notable(c.counters.0, o.exact, out);
                    out.push_str("packets, ");
                    num_notable(c.counters.1, o.exact, out);
                    out.push_str("bytes");
                }
                out.push_str(")\n");
            }
            None => out.push_str(&format!(" ({} references)\n", c.refs)),
        }
        header(o, out);
        for (i, r) in c.rules.iter().enumerate() {
            if r.problem.is_some() {
                problem_line(&c.name, r, out);
                ok = false;
            } else {
                list_line(r, t.family, o, o.line_numbers.then_some(i + 1), out);
            }
        }
    }
    ok
}

/// The `-v` echo of a rule being added or deleted (iptables' no-table
/// format): `ACCEPT  tcp opt -- in * out *  1.2.3.4  -> 0.0.0.0/0   tcp dpt:22`.
pub fn echo(r: &Rule, family: Family, out: &mut String) {
    let s = &r.spec;
    out.push_str(r.target.name());
    out.push(' ');
    out.push(if s.proto_inv { '!' } else { ' ' });
    out.push_str(&proto_col(s.proto, false));
    out.push_str(" opt ");
    match s.frag {
        None => out.push_str("-- "),
        Some(false) => out.push_str("-f "),
        Some(true) => out.push_str("!f "),
    }
    out.push_str("in ");
    out.push_str(&iface_col(s.iniface.as_ref(), s.in_inv, true));
    out.push_str(" out ");
    out.push_str(&iface_col(s.outiface.as_ref(), s.out_inv, true));
    out.push(' ');
    out.push(if s.src_inv { '!' } else { ' ' });
    out.push_str(&net_list(s.src.as_ref(), family, true));
    out.push(' ');
    out.push(if s.dst_inv { '!' } else { ' ' });
    out.push_str("-> ");
    out.push_str(&net_list(s.dst.as_ref(), family, true));
    out.push_str("  ");
    if matches!(r.target, Target::Goto(_)) {
        out.push_str("[goto] ");
    }
    ext_texts(r, family, true, out);
    out.push('\n');
}

/// `ctime()`-style date for the save header and trailer
/// (`Thu Nov 26 10:14:43 2026`), in UTC.
pub fn ctime_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z.rem_euclid(146097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    let wd = (days + 4).rem_euclid(7);
    const WD: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MO: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {:>2} {:02}:{:02}:{:02} {}",
        WD[wd as usize],
        MO[(mo - 1) as usize],
        d,
        h,
        m,
        s,
        y
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_scale_like_iptables() {
        let mut s = String::new();
        num(123456789, false, &mut s);
        num(98765432100, false, &mut s);
        num(99999, false, &mut s);
        assert_eq!(s, " 123M   99G 99999 ");
        s.clear();
        num(0, true, &mut s);
        assert_eq!(s, "       0 ");
    }

    #[test]
    fn headers() {
        let mut s = String::new();
        header(&ListOpts::default(), &mut s);
        assert_eq!(
            s,
            "target     prot opt source               destination         \n"
        );
        s.clear();
        header(
            &ListOpts {
                verbose: true,
                line_numbers: true,
                ..ListOpts::default()
            },
            &mut s,
        );
        assert_eq!(
            s,
            "num   pkts bytes target     prot opt in     out     source               destination         \n"
        );
    }

    #[test]
    fn ctime_shape() {
        let t = ctime_now();
        assert_eq!(t.len(), 24, "{t}");
    }
}
