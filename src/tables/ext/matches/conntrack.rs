//! `conntrack` match: tests a packet's connection tracking entry (state,
//! status, original/reply tuple, protocol, expiry, direction).
//!
//! Kernel struct `struct xt_conntrack_mtinfo3` (`xt_conntrack.h`), revision 3,
//! 168 bytes (162 rounded up by `XT_ALIGN`). Host byte order everywhere,
//! ports included (rev 3); addresses are `union nf_inet_addr` (an IPv4
//! address fills the first 4 bytes of its 16).
//!
//! `-m state --state X` is sent as this same blob with
//! `XT_CONNTRACK_STATE_ALIAS` set in `match_flags` (see `state.rs`); this
//! extension decodes every conntrack rev 3 blob and prints such a blob back
//! as `-m state --state X`.
//!
//! The file also holds the helpers several matches share: protocol names
//! (`xtables_parse_protocol`), `inet_aton`, host[/mask] parsing
//! (`XTTYPE_HOSTMASK`) and address printing.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::names;
use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{parse_uint, rd_u16, rd_u32, service_port, wr, wr_u16, wr_u32};
use crate::tables::ext::xtables::{
    aton_part, host_bytes, inet_aton_with, mask_prefix, parse_plenmask_with, parse_protocol_with,
    parse_u32_range, strtoul_prefix,
};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// Blob size: `XT_ALIGN(sizeof(struct xt_conntrack_mtinfo3))`.
pub(crate) const SIZE: usize = 168;

// Field offsets in `struct xt_conntrack_mtinfo3`.
const ORIGSRC: usize = 0;
const ORIGDST: usize = 32;
const REPLSRC: usize = 64;
const REPLDST: usize = 96;
const EXPIRES_MIN: usize = 128;
const EXPIRES_MAX: usize = 132;
const L4PROTO: usize = 136;
const ORIGSRC_PORT: usize = 138;
const ORIGDST_PORT: usize = 140;
const REPLSRC_PORT: usize = 142;
const REPLDST_PORT: usize = 144;
/// Offset of `match_flags`.
pub(crate) const MATCH_FLAGS: usize = 146;
/// Offset of `invert_flags`.
pub(crate) const INVERT_FLAGS: usize = 148;
/// Offset of `state_mask`.
pub(crate) const STATE_MASK: usize = 150;
const STATUS_MASK: usize = 152;
const ORIGSRC_PORT_HIGH: usize = 154;
const ORIGDST_PORT_HIGH: usize = 156;
const REPLSRC_PORT_HIGH: usize = 158;
const REPLDST_PORT_HIGH: usize = 160;

// `match_flags` / `invert_flags` bits.
/// `XT_CONNTRACK_STATE`
pub(crate) const F_STATE: u16 = 1 << 0;
const F_PROTO: u16 = 1 << 1;
const F_ORIGSRC: u16 = 1 << 2;
const F_ORIGDST: u16 = 1 << 3;
const F_REPLSRC: u16 = 1 << 4;
const F_REPLDST: u16 = 1 << 5;
const F_STATUS: u16 = 1 << 6;
const F_EXPIRES: u16 = 1 << 7;
const F_ORIGSRC_PORT: u16 = 1 << 8;
const F_ORIGDST_PORT: u16 = 1 << 9;
const F_REPLSRC_PORT: u16 = 1 << 10;
const F_REPLDST_PORT: u16 = 1 << 11;
const F_DIRECTION: u16 = 1 << 12;
/// `XT_CONNTRACK_STATE_ALIAS`: the blob came from `-m state`.
pub(crate) const F_STATE_ALIAS: u16 = 1 << 13;

/// State bits in iptables' print order, with their names. `--state` knows
/// the first five; `--ctstate` all seven.
pub(crate) const STATES: &[(&str, u16)] = &[
    ("INVALID", 1 << 0),
    ("NEW", 1 << 3),
    ("RELATED", 1 << 2),
    ("ESTABLISHED", 1 << 1),
    ("UNTRACKED", 1 << 8),
    ("SNAT", 1 << 6),
    ("DNAT", 1 << 7),
];

/// Status bits (`IPS_*`) in print order.
const STATUSES: &[(&str, u16)] = &[
    ("EXPECTED", 1 << 0),
    ("SEEN_REPLY", 1 << 1),
    ("ASSURED", 1 << 2),
    ("CONFIRMED", 1 << 3),
];

/// The `conntrack` match.
pub struct Conntrack;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Conntrack];

static OPTS: &[Opt] = &[
    Opt::req_inv("ctstate"),
    Opt::req_inv("ctproto"),
    Opt::req_inv("ctorigsrc"),
    Opt::req_inv("ctorigdst"),
    Opt::req_inv("ctreplsrc"),
    Opt::req_inv("ctrepldst"),
    Opt::req_inv("ctorigsrcport"),
    Opt::req_inv("ctorigdstport"),
    Opt::req_inv("ctreplsrcport"),
    Opt::req_inv("ctrepldstport"),
    Opt::req_inv("ctstatus"),
    Opt::req_inv("ctexpire"),
    Opt::req("ctdir"),
];

/// Matches `tok` against a name list the way libxt_conntrack does:
/// case-insensitive, and a prefix is enough (`strncasecmp(tok, name,
/// strlen(tok))`); the first entry in list order wins.
pub(crate) fn find_prefix(list: &[(&str, u16)], tok: &str) -> Option<u16> {
    if tok.is_empty() {
        return None;
    }
    list.iter()
        .find(|(n, _)| n.len() >= tok.len() && n[..tok.len()].eq_ignore_ascii_case(tok))
        .map(|&(_, b)| b)
}

/// Parses a comma list of names (`--ctstate`, `--ctstatus`): an error names
/// the rest of the argument from the bad token on (`Bad ctstate "foo,NEW"`).
fn parse_list(list: &[(&str, u16)], arg: &str, what: &str) -> XtResult<u16> {
    let mut mask = 0u16;
    let mut rest = arg;
    loop {
        let (tok, next) = match rest.split_once(',') {
            Some((t, n)) => (t, Some(n)),
            None => (rest, None),
        };
        let bit = find_prefix(list, tok)
            .ok_or_else(|| XtError::param(format!("Bad {what} \"{rest}\"")))?;
        mask |= bit;
        match next {
            Some(n) => rest = n,
            None => return Ok(mask),
        }
    }
}

fn status_bits(arg: &str) -> XtResult<u16> {
    // NONE is the empty mask; it is tried first, like iptables does.
    let mut list: Vec<(&str, u16)> = vec![("NONE", 0)];
    list.extend_from_slice(STATUSES);
    parse_list(&list, arg, "ctstatus")
}

/// Writes a state mask as iptables prints it (`NEW,ESTABLISHED`).
pub(crate) fn states_text(mask: u16, out: &mut String) {
    let mut sep = "";
    for &(n, b) in STATES {
        if mask & b != 0 {
            out.push_str(sep);
            out.push_str(n);
            sep = ",";
        }
    }
}

fn statuses_text(mask: u16, out: &mut String) {
    let mut sep = "";
    for &(n, b) in STATUSES {
        if mask & b != 0 {
            out.push_str(sep);
            out.push_str(n);
            sep = ",";
        }
    }
    if mask == 0 {
        out.push_str("NONE");
    }
}

/// `xtables_parse_protocol` ([`parse_protocol_with`]): numbers read by
/// [`parse_uint`]; besides xtables' own names, `mh` and `ipv6-mh` are
/// known without /etc/protocols.
pub(crate) fn parse_protocol(s: &str) -> XtResult<u8> {
    parse_protocol_with(s, parse_uint, &[("ipv6-mh", 135), ("mh", 135)])
}

/// glibc `inet_aton`: `a.b.c.d`, `a.b.c` (c fills 16 bits), `a.b` (b fills
/// 24 bits) or `a` (32 bits); each part decimal, `0x` hex or `0` octal, a
/// bare `0x` reading as 0.
pub(crate) fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    inet_aton_with(s, |p| match p {
        "0x" | "0X" => Some(0),
        _ => aton_part(p),
    })
}

/// `XTTYPE_HOSTMASK`: `HOST[/MASK]`, MASK a prefix length (strtoul base 0)
/// or an address mask. A non-contiguous mask, and no mask at all, give an
/// all-ones 16-byte mask (as iptables 1.8.9 does); a prefix length fills
/// only the bits it names. The address is not masked.
pub(crate) fn parse_hostmask(
    ext: &str,
    opt: &str,
    family: Family,
    s: &str,
) -> XtResult<([u8; 16], [u8; 16])> {
    let Some((host, m)) = s.split_once('/') else {
        return Ok((host_bytes(family, s)?, [0xff; 16]));
    };
    let addr = host_bytes(family, host)?;
    Ok((addr, parse_plenmask(ext, opt, family, m)?))
}

/// The mask part of `XTTYPE_HOSTMASK` / `XTTYPE_PLENMASK`
/// ([`parse_plenmask_with`], IPv4 masks read by [`inet_aton`]).
pub(crate) fn parse_plenmask(ext: &str, opt: &str, family: Family, m: &str) -> XtResult<[u8; 16]> {
    parse_plenmask_with(ext, opt, family, m, inet_aton)
}

/// An address as `-L` prints it: the host name unless `numeric` (and one
/// exists), else the numeric form.
pub(crate) fn addr_text(family: Family, b: &[u8], numeric: bool) -> String {
    let ip = match family {
        Family::V4 => {
            let mut a = [0u8; 4];
            for (i, x) in a.iter_mut().enumerate() {
                *x = b.get(i).copied().unwrap_or(0);
            }
            IpAddr::V4(Ipv4Addr::from(a))
        }
        Family::V6 => {
            let mut a = [0u8; 16];
            for (i, x) in a.iter_mut().enumerate() {
                *x = b.get(i).copied().unwrap_or(0);
            }
            IpAddr::V6(Ipv6Addr::from(a))
        }
    };
    if !numeric {
        if let Some(n) = names::host_name(&ip) {
            return n;
        }
    }
    ip.to_string()
}

/// `xtables_ipmask_to_numeric` / `xtables_ip6mask_to_numeric`: empty for a
/// host mask, `/N` for a prefix, `/MASK` otherwise.
pub(crate) fn mask_text(family: Family, m: &[u8]) -> String {
    let n = family.addr_len();
    let mut b = vec![0u8; n];
    for (i, x) in b.iter_mut().enumerate() {
        *x = m.get(i).copied().unwrap_or(0);
    }
    match mask_prefix(&b) {
        Some(p) if p as usize == n * 8 => String::new(),
        Some(p) => format!("/{p}"),
        None => format!("/{}", addr_text(family, &b, true)),
    }
}

/// `conntrack_dump_addr`: ` anywhere` for the zero address unless numeric,
/// else ` ADDR[/MASK]`.
fn dump_addr(family: Family, blob: &[u8], off: usize, numeric: bool, out: &mut String) {
    let n = family.addr_len();
    let addr = blob.get(off..off + n).unwrap_or(&[]);
    let mask = blob.get(off + 16..off + 16 + n).unwrap_or(&[]);
    if !numeric && addr.iter().all(|&b| b == 0) {
        out.push_str(" anywhere");
        return;
    }
    out.push(' ');
    out.push_str(&addr_text(family, addr, numeric));
    out.push_str(&mask_text(family, mask));
}

/// `XTTYPE_PORTRC` one part: a decimal number (truncated to 16 bits, as
/// getaddrinfo does) or a service name.
fn port_part(s: &str, whole: &str) -> XtResult<u16> {
    if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
        let v = s.bytes().fold(0u64, |a, c| {
            a.saturating_mul(10).saturating_add((c - b'0') as u64)
        });
        return Ok(v as u16);
    }
    service_port(s, "tcp")
        .or_else(|| service_port(s, "udp"))
        .ok_or_else(|| XtError::param(format!("Port \"{whole}\" does not resolve to anything.\n")))
}

/// `XTTYPE_PORTRC`: `P` or `P:Q` (empty low = 0, empty high = 65535).
fn parse_port_range(ext: &str, opt: &str, s: &str) -> XtResult<(u16, u16)> {
    let parts: Vec<&str> = s.split(':').collect();
    match parts.as_slice() {
        [p] => {
            let v = if p.is_empty() { 0 } else { port_part(p, p)? };
            Ok((v, v))
        }
        [a, b] => {
            let lo = if a.is_empty() { 0 } else { port_part(a, a)? };
            let hi = if b.is_empty() {
                65535
            } else {
                port_part(b, b)?
            };
            Ok((lo, hi))
        }
        _ => Err(XtError::param(format!(
            "{ext}: Too many components for option \"--{opt}\" (max: 2)\n"
        ))),
    }
}

/// An iproute2-style name map (`/etc/iproute2/group`, `rt_realms`): lines
/// `ID NAME`, `#` comments (`xtables_lmap_init`). Empty when unreadable.
pub(crate) fn lmap(path: &str) -> Vec<(u32, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            if l.starts_with('#') {
                return None;
            }
            let mut f = l.split_whitespace();
            let id = f.next()?;
            let name = f.next()?;
            let (v, rest) = strtoul_prefix(id)?;
            (rest.is_empty() && v <= u32::MAX as u64).then(|| (v as u32, name.to_string()))
        })
        .collect()
}

/// `xtables_parse_val_mask`: `VALUE[/MASK]` (strtoul base 0, mask
/// defaults to 0xffffffff) or, when a name map is given and the argument is
/// not a number, a name from it.
pub(crate) fn parse_val_mask(
    ext: &str,
    opt: &str,
    arg: &str,
    names: Option<&[(u32, String)]>,
) -> XtResult<(u32, u32)> {
    let max = u32::MAX as u64;
    let bad = || {
        XtError::param(format!(
            "{ext}: bad integer value for option \"--{opt}\", or out of range.\n"
        ))
    };
    let garbage = || {
        XtError::param(format!(
            "{ext}: trailing garbage after value for option \"--{opt}\".\n"
        ))
    };
    let by_name = |names: &[(u32, String)]| {
        names
            .iter()
            .find(|(_, n)| n == arg)
            .map(|(v, _)| (*v, u32::MAX))
            .ok_or_else(|| {
                XtError::param(format!(
                    "{ext}: could not map name {arg} to an integer value for option \"--{opt}\".\n"
                ))
            })
    };
    let (val, rest) = match strtoul_prefix(arg).filter(|(v, _)| *v <= max) {
        Some(x) => x,
        None => return names.map_or_else(|| Err(bad()), by_name),
    };
    if rest.is_empty() {
        return Ok((val as u32, u32::MAX));
    }
    let Some(m) = rest.strip_prefix('/') else {
        return names.map_or_else(|| Err(garbage()), by_name);
    };
    let (mask, rest) = strtoul_prefix(m)
        .filter(|(v, _)| *v <= max)
        .ok_or_else(bad)?;
    if !rest.is_empty() {
        return Err(garbage());
    }
    Ok((val as u32, mask as u32))
}

/// `print_realm` / `print_devgroup`: ` 0xV/0xM`, or for a full mask the
/// mapped name (unless `numeric`) or ` 0xV`.
pub(crate) fn val_mask_text(v: u32, m: u32, names: &[(u32, String)], numeric: bool) -> String {
    if m != u32::MAX {
        return format!(" 0x{v:x}/0x{m:x}");
    }
    match names.iter().find(|(i, _)| *i == v).filter(|_| !numeric) {
        Some((_, n)) => format!(" {n}"),
        None => format!(" 0x{v:x}"),
    }
}

fn set_flag(st: &mut State, bit: u16, invert: bool) {
    let f = rd_u16(&st.blob, MATCH_FLAGS) | bit;
    wr_u16(&mut st.blob, MATCH_FLAGS, f);
    if invert {
        let i = rd_u16(&st.blob, INVERT_FLAGS) | bit;
        wr_u16(&mut st.blob, INVERT_FLAGS, i);
    }
}

impl Extension for Conntrack {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "conntrack"
    }
    fn revision(&self) -> u32 {
        3
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let a = arg.unwrap_or("");
        let addr = |st: &mut State, off: usize, bit: u16| -> XtResult<()> {
            let (ad, m) = parse_hostmask("conntrack", opt, ctx.family, a)?;
            wr(&mut st.blob, off, &ad);
            wr(&mut st.blob, off + 16, &m);
            set_flag(st, bit, invert);
            Ok(())
        };
        let port = |st: &mut State, lo: usize, hi: usize, bit: u16| -> XtResult<()> {
            let (l, h) = parse_port_range("conntrack", opt, a)?;
            wr_u16(&mut st.blob, lo, l);
            wr_u16(&mut st.blob, hi, h);
            set_flag(st, bit, invert);
            Ok(())
        };
        match opt {
            "ctstate" => {
                let m = parse_list(STATES, a, "ctstate")?;
                let old = rd_u16(&st.blob, STATE_MASK);
                wr_u16(&mut st.blob, STATE_MASK, old | m);
                set_flag(st, F_STATE, invert);
            }
            "ctproto" => {
                let p = parse_protocol(a)?;
                wr_u16(&mut st.blob, L4PROTO, p as u16);
                set_flag(st, F_PROTO, invert);
            }
            "ctorigsrc" => addr(st, ORIGSRC, F_ORIGSRC)?,
            "ctorigdst" => addr(st, ORIGDST, F_ORIGDST)?,
            "ctreplsrc" => addr(st, REPLSRC, F_REPLSRC)?,
            "ctrepldst" => addr(st, REPLDST, F_REPLDST)?,
            "ctorigsrcport" => port(st, ORIGSRC_PORT, ORIGSRC_PORT_HIGH, F_ORIGSRC_PORT)?,
            "ctorigdstport" => port(st, ORIGDST_PORT, ORIGDST_PORT_HIGH, F_ORIGDST_PORT)?,
            "ctreplsrcport" => port(st, REPLSRC_PORT, REPLSRC_PORT_HIGH, F_REPLSRC_PORT)?,
            "ctrepldstport" => port(st, REPLDST_PORT, REPLDST_PORT_HIGH, F_REPLDST_PORT)?,
            "ctstatus" => {
                let m = status_bits(a)?;
                let old = rd_u16(&st.blob, STATUS_MASK);
                wr_u16(&mut st.blob, STATUS_MASK, old | m);
                set_flag(st, F_STATUS, invert);
            }
            "ctexpire" => {
                let (lo, hi) = parse_u32_range("conntrack", opt, a)?;
                wr_u32(&mut st.blob, EXPIRES_MIN, lo);
                wr_u32(&mut st.blob, EXPIRES_MAX, hi);
                set_flag(st, F_EXPIRES, invert);
            }
            "ctdir" => {
                if a.eq_ignore_ascii_case("ORIGINAL") {
                    set_flag(st, F_DIRECTION, false);
                } else if a.eq_ignore_ascii_case("REPLY") {
                    set_flag(st, F_DIRECTION, true);
                } else {
                    return Err(XtError::param(format!(
                        "conntrack: Bad value for \"--ctdir\" option: \"{a}\""
                    )));
                }
            }
            _ => {}
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param("conntrack: At least one option is required"));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        dump(ctx, blob, "", ctx.numeric, out);
    }
    fn save(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        dump(ctx, blob, "--", true, out);
    }
    fn save_name(&self, blob: &[u8]) -> &'static str {
        if rd_u16(blob, MATCH_FLAGS) & F_STATE_ALIAS != 0 {
            "state"
        } else {
            "conntrack"
        }
    }
}

/// `conntrack_dump` (and `state_print`/`state_save` for alias blobs):
/// `prefix` is `""` for `-L` and `"--"` for save.
fn dump(ctx: &PrintCtx, blob: &[u8], prefix: &str, numeric: bool, out: &mut String) {
    let flags = rd_u16(blob, MATCH_FLAGS);
    let inv = rd_u16(blob, INVERT_FLAGS);
    let neg = |bit: u16, out: &mut String| {
        if inv & bit != 0 {
            out.push_str(" !");
        }
    };
    if flags & F_STATE_ALIAS != 0 {
        neg(F_STATE, out);
        out.push_str(&format!(" {prefix}state "));
        states_text(rd_u16(blob, STATE_MASK), out);
        return;
    }
    if flags & F_STATE != 0 {
        neg(F_STATE, out);
        out.push_str(&format!(" {prefix}ctstate "));
        states_text(rd_u16(blob, STATE_MASK), out);
    }
    if flags & F_PROTO != 0 {
        neg(F_PROTO, out);
        out.push_str(&format!(" {prefix}ctproto {}", rd_u16(blob, L4PROTO)));
    }
    for (bit, off, name) in [
        (F_ORIGSRC, ORIGSRC, "ctorigsrc"),
        (F_ORIGDST, ORIGDST, "ctorigdst"),
        (F_REPLSRC, REPLSRC, "ctreplsrc"),
        (F_REPLDST, REPLDST, "ctrepldst"),
    ] {
        if flags & bit != 0 {
            neg(bit, out);
            out.push_str(&format!(" {prefix}{name}"));
            dump_addr(ctx.family, blob, off, numeric, out);
        }
    }
    for (bit, lo, hi, name) in [
        (
            F_ORIGSRC_PORT,
            ORIGSRC_PORT,
            ORIGSRC_PORT_HIGH,
            "ctorigsrcport",
        ),
        (
            F_ORIGDST_PORT,
            ORIGDST_PORT,
            ORIGDST_PORT_HIGH,
            "ctorigdstport",
        ),
        (
            F_REPLSRC_PORT,
            REPLSRC_PORT,
            REPLSRC_PORT_HIGH,
            "ctreplsrcport",
        ),
        (
            F_REPLDST_PORT,
            REPLDST_PORT,
            REPLDST_PORT_HIGH,
            "ctrepldstport",
        ),
    ] {
        if flags & bit != 0 {
            neg(bit, out);
            let (l, h) = (rd_u16(blob, lo), rd_u16(blob, hi));
            out.push_str(&format!(" {prefix}{name} {l}"));
            if l != h {
                out.push_str(&format!(":{h}"));
            }
        }
    }
    if flags & F_STATUS != 0 {
        neg(F_STATUS, out);
        out.push_str(&format!(" {prefix}ctstatus "));
        statuses_text(rd_u16(blob, STATUS_MASK), out);
    }
    if flags & F_EXPIRES != 0 {
        neg(F_EXPIRES, out);
        let (l, h) = (rd_u32(blob, EXPIRES_MIN), rd_u32(blob, EXPIRES_MAX));
        out.push_str(&format!(" {prefix}ctexpire {l}"));
        if l != h {
            out.push_str(&format!(":{h}"));
        }
    }
    if flags & F_DIRECTION != 0 {
        let d = if inv & F_DIRECTION != 0 {
            "REPLY"
        } else {
            "ORIGINAL"
        };
        out.push_str(&format!(" {prefix}ctdir {d}"));
    }
}

/// Test helpers shared by this directory's match tests: run one corpus line
/// (`-m NAME ARGS;SAVED;RESULT`) through the test driver.
#[cfg(test)]
pub(crate) mod corpus {
    use crate::tables::expr::Family;
    use crate::tables::ext::testing::{run, Parsed};
    use crate::tables::ext::Kind;

    /// Splits a rule into words, honouring double quotes.
    fn words(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        let mut cur = String::new();
        let mut q = false;
        let mut any = false;
        for c in s.chars() {
            match c {
                '"' => {
                    q = !q;
                    any = true;
                }
                ' ' if !q => {
                    if any {
                        v.push(std::mem::take(&mut cur));
                        any = false;
                    }
                }
                _ => {
                    cur.push(c);
                    any = true;
                }
            }
        }
        if any {
            v.push(cur);
        }
        v
    }

    /// Parses `[-p PROTO] -m NAME ARGS` in `family`/`chain`.
    pub(crate) fn parse(
        family: Family,
        chain: &str,
        rule: &str,
    ) -> crate::tables::error::XtResult<Parsed> {
        let w = words(rule);
        let mut i = 0;
        let mut proto = 0u8;
        let mut pre = String::new();
        if w.first().map(String::as_str) == Some("-p") {
            let p = w.get(1).cloned().unwrap_or_default();
            proto = super::parse_protocol(&p).unwrap_or(0);
            pre = format!("-p {p} ");
            i = 2;
        }
        let _ = pre;
        assert_eq!(w.get(i).map(String::as_str), Some("-m"), "{rule}");
        let name = w.get(i + 1).cloned().unwrap_or_default();
        let args: Vec<&str> = w[i + 2..].iter().map(String::as_str).collect();
        run(Kind::Match, &name, family, proto, "filter", chain, &args)
    }

    /// Checks one corpus line: `RULE;SAVED;OK` gives SAVED (or RULE when
    /// `=`), `RULE;;FAIL` is refused.
    pub(crate) fn check(family: Family, chain: &str, line: &str) {
        let f: Vec<&str> = line.split(';').collect();
        let (rule, saved, res) = (f[0], f[1], f[2]);
        let r = parse(family, chain, rule);
        if res == "OK" {
            let p = r.unwrap_or_else(|e| panic!("{rule}: {e:?}"));
            let want = if saved == "=" { rule } else { saved };
            // Strip a leading `-p X ` from the expected text.
            let want = match want.strip_prefix("-p ") {
                Some(w) => w.split_once(' ').map(|x| x.1).unwrap_or(""),
                None => want,
            };
            assert_eq!(p.save.trim_start(), want, "{rule}");
        } else {
            assert!(
                r.is_err(),
                "{rule} should fail, got {:?}",
                r.map(|p| p.save)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::corpus::{check, parse};
    use super::*;

    const CORPUS: &str = "\
-m conntrack --ctstate NEW;=;OK
-m conntrack --ctstate NEW,ESTABLISHED;=;OK
-m conntrack --ctstate NEW,RELATED,ESTABLISHED;=;OK
-m conntrack --ctstate INVALID;=;OK
-m conntrack --ctstate UNTRACKED;=;OK
-m conntrack --ctstate SNAT,DNAT;=;OK
-m conntrack --ctstate wrong;;FAIL
-m conntrack --ctproto tcp;-m conntrack --ctproto 6;OK
-m conntrack --ctorigsrc 1.1.1.1;=;OK
-m conntrack --ctorigdst 1.1.1.1;=;OK
-m conntrack --ctreplsrc 1.1.1.1;=;OK
-m conntrack --ctrepldst 1.1.1.1;=;OK
-m conntrack --ctexpire 0;=;OK
-m conntrack --ctexpire 4294967295;=;OK
-m conntrack --ctexpire 0:4294967295;=;OK
-m conntrack --ctexpire 42949672956;;FAIL
-m conntrack --ctexpire -1;;FAIL
-m conntrack --ctdir ORIGINAL;=;OK
-m conntrack --ctdir REPLY;=;OK
-m conntrack --ctstatus NONE;=;OK
-m conntrack --ctstatus CONFIRMED;=;OK
-m conntrack --ctstatus ASSURED;=;OK
-m conntrack --ctstatus EXPECTED;=;OK
-m conntrack --ctstatus SEEN_REPLY;=;OK
-m conntrack;;FAIL";

    #[test]
    fn corpus_lines() {
        for l in CORPUS.lines() {
            check(Family::V4, "INPUT", l);
            check(Family::V6, "INPUT", l.replace("1.1.1.1", "::1").as_str());
        }
    }

    #[test]
    fn observed_texts() {
        let p = parse(
            Family::V4,
            "INPUT",
            "-m conntrack ! --ctorigsrc 1.1.1.0/24 --ctorigdst 2.2.2.2 --ctreplsrc 3.3.3.3/255.0.255.0 ! --ctrepldst 4.4.4.4",
        )
        .unwrap();
        assert_eq!(
            p.save,
            " -m conntrack ! --ctorigsrc 1.1.1.0/24 --ctorigdst 2.2.2.2 --ctreplsrc 3.3.3.3 ! --ctrepldst 4.4.4.4"
        );
        assert_eq!(
            p.print_numeric,
            " ! ctorigsrc 1.1.1.0/24 ctorigdst 2.2.2.2 ctreplsrc 3.3.3.3 ! ctrepldst 4.4.4.4"
        );
        let p = parse(
            Family::V4,
            "INPUT",
            "-m conntrack ! --ctproto 17 --ctstate NEW ! --ctexpire 3:4",
        )
        .unwrap();
        assert_eq!(
            p.save,
            " -m conntrack --ctstate NEW ! --ctproto 17 ! --ctexpire 3:4"
        );
        assert_eq!(p.print, " ctstate NEW ! ctproto 17 ! ctexpire 3:4");
        let p = parse(
            Family::V4,
            "INPUT",
            "-m conntrack --ctstate SNAT,DNAT,UNTRACKED,INVALID",
        )
        .unwrap();
        assert_eq!(
            p.save,
            " -m conntrack --ctstate INVALID,UNTRACKED,SNAT,DNAT"
        );
        let p = parse(
            Family::V4,
            "INPUT",
            "-m conntrack --ctstate INV,E,r,U,S,D,N",
        )
        .unwrap();
        assert_eq!(
            p.print,
            " ctstate INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED,SNAT,DNAT"
        );
        let p = parse(
            Family::V4,
            "INPUT",
            "-m conntrack ! --ctstatus NONE,CONFIRMED,ASSURED,EXPECTED,SEEN_REPLY",
        )
        .unwrap();
        assert_eq!(p.print, " ! ctstatus EXPECTED,SEEN_REPLY,ASSURED,CONFIRMED");
        let p = parse(
            Family::V4,
            "INPUT",
            "-m conntrack --ctorigsrcport 22 ! --ctorigdstport 1000:2000 --ctreplsrcport ssh --ctrepldstport 5:5",
        )
        .unwrap();
        assert_eq!(
            p.save,
            " -m conntrack --ctorigsrcport 22 ! --ctorigdstport 1000:2000 --ctreplsrcport 22 --ctrepldstport 5"
        );
        assert_eq!(
            p.print,
            " ctorigsrcport 22 ! ctorigdstport 1000:2000 ctreplsrcport 22 ctrepldstport 5"
        );
        let p = parse(Family::V4, "INPUT", "-m conntrack --ctorigsrc 0.0.0.0/8").unwrap();
        assert_eq!(p.print, " ctorigsrc anywhere");
        assert_eq!(p.print_numeric, " ctorigsrc 0.0.0.0/8");
        let p = parse(
            Family::V6,
            "INPUT",
            "-m conntrack ! --ctorigsrc 2001:db8::/32 --ctorigdst ::1 --ctreplsrc ::/0 --ctrepldst 2001:db8::1/ffff::ff",
        )
        .unwrap();
        assert_eq!(
            p.save,
            " -m conntrack ! --ctorigsrc 2001:db8::/32 --ctorigdst ::1 --ctreplsrc ::/0 --ctrepldst 2001:db8::1"
        );
        assert_eq!(
            p.print_numeric,
            " ! ctorigsrc 2001:db8::/32 ctorigdst ::1 ctreplsrc ::/0 ctrepldst 2001:db8::1"
        );
        for (a, s) in [
            ("1.1.1.1/0x10", "1.1.1.1/16"),
            ("1.1.1.1/010", "1.1.1.1/8"),
            ("1.1.1.1/33", "1.1.1.1"),
            ("1.1.1.1/255.255.0.0", "1.1.1.1/16"),
            ("1.1", "1.0.0.1"),
        ] {
            let p = parse(
                Family::V4,
                "INPUT",
                &format!("-m conntrack --ctorigsrc {a}"),
            )
            .unwrap();
            assert_eq!(p.save, format!(" -m conntrack --ctorigsrc {s}"));
        }
        for (a, s) in [
            ("--ctorigsrcport 65536", "--ctorigsrcport 0"),
            ("--ctorigsrcport 022", "--ctorigsrcport 22"),
            ("--ctorigsrcport 5:", "--ctorigsrcport 5:65535"),
            ("--ctorigsrcport :5", "--ctorigsrcport 0:5"),
            ("--ctexpire 0x10", "--ctexpire 16"),
            ("--ctexpire 5:", "--ctexpire 5:4294967295"),
            (
                "--ctproto all --ctdir original",
                "--ctproto 0 --ctdir ORIGINAL",
            ),
        ] {
            let p = parse(Family::V4, "INPUT", &format!("-m conntrack {a}")).unwrap();
            assert_eq!(p.save, format!(" -m conntrack {s}"));
        }
    }

    #[test]
    fn errors() {
        let e = |r: &str| parse(Family::V4, "INPUT", r).unwrap_err().msg;
        assert_eq!(
            e("-m conntrack --ctstate foo,NEW"),
            "Bad ctstate \"foo,NEW\""
        );
        assert_eq!(
            e("-m conntrack --ctstate NEW,,INVALID"),
            "Bad ctstate \",INVALID\""
        );
        assert_eq!(e("-m conntrack --ctstatus foo"), "Bad ctstatus \"foo\"");
        assert_eq!(
            e("-m conntrack --ctdir o"),
            "conntrack: Bad value for \"--ctdir\" option: \"o\""
        );
        assert_eq!(
            e("-m conntrack --ctproto 300"),
            "unknown protocol \"300\" specified"
        );
        assert_eq!(
            e("-m conntrack --ctorigsrcport 0x102"),
            "Port \"0x102\" does not resolve to anything.\n"
        );
        assert_eq!(
            e("-m conntrack --ctexpire 1:2:3"),
            "conntrack: Too many components for option \"--ctexpire\" (max: 2)\n"
        );
        assert_eq!(
            e("-m conntrack --ctexpire 5:4294967296"),
            "conntrack: bad value for option \"--ctexpire\" near \"4294967296\", or out of range (0-4294967295).\n"
        );
        assert_eq!(
            e("-m conntrack --ctorigsrc 1.1.1.1/-1"),
            "conntrack: bad value for option \"--ctorigsrc\", neither a valid network mask nor valid CIDR (0-32).\n"
        );
        assert_eq!(
            e("-m conntrack"),
            "conntrack: At least one option is required"
        );
        // ip6tables -A INPUT -m conntrack --ctorigsrc 1.1.1.1 (libxtables' getaddrinfo)
        assert_eq!(
            parse(Family::V6, "INPUT", "-m conntrack --ctorigsrc 1.1.1.1")
                .unwrap_err()
                .msg,
            "getaddrinfo: Address family for hostname not supported\n"
        );
        assert_eq!(
            e("-m conntrack --ctorigdst ::1"),
            "getaddrinfo: Address family for hostname not supported\n"
        );
    }

    #[test]
    fn blob_bytes() {
        // iptables -vvv -A INPUT -m conntrack --ctorigsrcport 22
        //   ! --ctorigdstport 1000:2000 --ctreplsrcport 258 --ctrepldstport 5:5
        //   ! --ctexpire 7:9 --ctproto 6 --ctstatus ASSURED --ctdir REPLY
        let p = parse(
            Family::V4,
            "INPUT",
            "-m conntrack --ctorigsrcport 22 ! --ctorigdstport 1000:2000 --ctreplsrcport 258 --ctrepldstport 5:5 ! --ctexpire 7:9 --ctproto 6 --ctstatus ASSURED --ctdir REPLY",
        )
        .unwrap();
        assert_eq!(p.blob.len(), 168);
        assert!(p.blob[..128].iter().all(|&b| b == 0));
        assert_eq!(
            p.blob[128..],
            [
                7, 0, 0, 0, 9, 0, 0, 0, 6, 0, 0x16, 0, 0xe8, 3, 2, 1, //
                5, 0, 0xc2, 0x1f, 0x80, 0x12, 0, 0, 4, 0, 0x16, 0, 0xd0, 7, 2, 1, //
                5, 0, 0, 0, 0, 0, 0, 0
            ]
        );
        let p = parse(Family::V4, "INPUT", "-m conntrack --ctorigsrc 1.1.1.1/24").unwrap();
        assert_eq!(p.blob[..4], [1, 1, 1, 1]);
        assert_eq!(
            p.blob[16..32],
            [0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        let p = parse(Family::V4, "INPUT", "-m conntrack --ctorigsrc 1.1.1.1").unwrap();
        assert_eq!(p.blob[16..32], [0xff; 16]);
    }

    #[test]
    fn short_blob_is_safe() {
        let c = PrintCtx {
            family: Family::V6,
            numeric: false,
            proto: 0,
        };
        let mut s = String::new();
        let mut b = vec![0u8; 150];
        b[146] = 0xff;
        b[147] = 0x1f;
        Conntrack.print(&c, &b, &mut s);
        Conntrack.save(&c, &[], &mut s);
    }
}
