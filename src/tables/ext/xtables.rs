//! libxtables' parsing conventions the extensions share: C's `strtoul`
//! family with an end pointer, the standard option error texts and the
//! `XTTYPE_UINT*` / `XTTYPE_UINT*RC` number options.
//!
//! One copy of each helper; extensions that reproduce a particular quirk of
//! their libxtables counterpart (how a sign or an overflow is treated) pick
//! the variant that keeps it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{parse_uint, port_text, rd_u16, wr_u16};
use crate::tables::ext::{Extension, Opt, State};

/// The white space C's `isspace` accepts.
pub(crate) const C_SPACE: [char; 6] = [' ', '\t', '\n', '\r', '\x0b', '\x0c'];

/// What glibc `strtoumax(s, &end, base)` read: the sign, the magnitude
/// (`None` when it overflowed) and the unparsed rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Strtoul<'a> {
    /// A `-` preceded the digits.
    pub neg: bool,
    /// The magnitude, `None` on overflow.
    pub val: Option<u64>,
    /// What follows the digits.
    pub rest: &'a str,
}

/// glibc `strtoumax(s, &end, base)`: leading white space, an optional sign,
/// then (base 0) `0x` hex / leading-`0` octal / decimal, or (base 16) an
/// optional `0x` and hex, or digits of `base`. `None` when no digit was
/// read.
pub(crate) fn strtoumax(s: &str, base: u32) -> Option<Strtoul<'_>> {
    let t = s.trim_start_matches(C_SPACE);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let hex = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) if h.bytes().next().is_some_and(|c| c.is_ascii_hexdigit()) => Some(h),
        _ => None,
    };
    let (radix, digits) = match (base, hex) {
        (0 | 16, Some(h)) => (16, h),
        (0, None) if t.starts_with('0') => (8, t),
        (0, None) => (10, t),
        (b, _) => (b, t),
    };
    let n = digits
        .bytes()
        .take_while(|c| (*c as char).is_digit(radix))
        .count();
    if n == 0 {
        return None;
    }
    let mut val: Option<u64> = Some(0);
    for c in digits[..n].chars() {
        let d = u64::from(c.to_digit(radix).unwrap_or(0));
        val = val
            .and_then(|x| x.checked_mul(u64::from(radix)))
            .and_then(|x| x.checked_add(d));
    }
    Some(Strtoul {
        neg,
        val,
        rest: &digits[n..],
    })
}

/// `strtoul(s, &end, 0)` as `xtables_strtoul` with an end pointer uses it:
/// the value and the unparsed rest, or `None` when no digit was read, the
/// value overflows, or the number is negative (libxtables refuses it).
pub(crate) fn strtoul_prefix(s: &str) -> Option<(u64, &str)> {
    match strtoumax(s, 0)? {
        Strtoul {
            neg: false,
            val: Some(v),
            rest,
        } => Some((v, rest)),
        _ => None,
    }
}

/// `xtables_strtoui(s, NULL, ...)`: the whole string, within `min..=max`.
pub(crate) fn strtoul_full(s: &str, min: u64, max: u64) -> Option<u64> {
    match strtoul_prefix(s) {
        Some((v, "")) if (min..=max).contains(&v) => Some(v),
        _ => None,
    }
}

/// Plain C `strtoumax(s, &end, 0)`: a `-` negates modulo 2^64; the value is
/// `None` when it overflowed. `None` when no digit was read.
pub(crate) fn strtoul_wrapping(s: &str) -> Option<(Option<u64>, &str)> {
    let r = strtoumax(s, 0)?;
    let v = if r.neg {
        r.val.map(u64::wrapping_neg)
    } else {
        r.val
    };
    Some((v, r.rest))
}

/// `atoll(s)`: leading blanks, a sign and decimal digits; 0 when none,
/// saturated on overflow as glibc does.
pub(crate) fn atoll(s: &str) -> i64 {
    let t = s.trim_start_matches(C_SPACE);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut v: i64 = 0;
    for c in t.bytes() {
        if !c.is_ascii_digit() {
            break;
        }
        let d = i64::from(c - b'0');
        v = match v.checked_mul(10).and_then(|x| {
            if neg {
                x.checked_sub(d)
            } else {
                x.checked_add(d)
            }
        }) {
            Some(x) => x,
            None => return if neg { i64::MIN } else { i64::MAX },
        };
    }
    v
}

/// Plain C `strtoumax(s, &end, 0)` that did not overflow: a `-` negates
/// modulo 2^64 (so `-0` is 0). `None` when no digit was read or on overflow.
pub(crate) fn strtoul_wrapping_in(s: &str) -> Option<(u64, &str)> {
    match strtoul_wrapping(s)? {
        (Some(v), rest) => Some((v, rest)),
        (None, _) => None,
    }
}

// ---------------------------------------------------------------------------
// Standard error texts.

/// libxtables' `XTTYPE_UINT*` error: `EXT: bad value for option "--OPT", or
/// out of range (MIN-MAX).` followed by the empty line.
pub(crate) fn err_range(ext: &str, opt: &str, min: u64, max: u64) -> XtError {
    XtError::param(format!(
        "{ext}: bad value for option \"--{opt}\", or out of range ({min}-{max}).\n"
    ))
}

/// `xtables_param_act(XTF_BAD_VALUE, ...)`: `EXT: Bad value for "--OPT"
/// option: "ARG"`.
pub(crate) fn err_bad_value(ext: &str, opt: &str, arg: &str) -> XtError {
    XtError::param(format!(
        "{ext}: Bad value for \"--{opt}\" option: \"{arg}\""
    ))
}

/// libxtables' mandatory-option error: `EXT: option "--OPT" must be
/// specified` followed by the empty line.
pub(crate) fn err_mandatory(ext: &str, opt: &str) -> XtError {
    XtError::param(format!("{ext}: option \"--{opt}\" must be specified\n"))
}

/// libxtables' exclusion error, raised once all options are parsed.
pub(crate) fn err_excl(ext: &str, opt: &str, other: &str) -> XtError {
    XtError::param(format!(
        "{ext}: option \"--{opt}\" cannot be used together with \"--{other}\".\n"
    ))
}

/// libxtables' `XTOPT_NEEDS` error, raised once all options are parsed.
pub(crate) fn err_also(ext: &str, opt: &str, other: &str) -> XtError {
    XtError::param(format!(
        "{ext}: option \"--{opt}\" also requires \"--{other}\".\n"
    ))
}

/// libxtables' repeat error: `EXT: option "--OPT" can only be used once.`
pub(crate) fn err_once(ext: &str, opt: &str) -> XtError {
    XtError::param(format!(
        "{ext}: option \"--{opt}\" can only be used once.\n"
    ))
}

// ---------------------------------------------------------------------------
// Number options.

/// `XTTYPE_UINT*` parsing: the whole argument as a number within
/// `min..=max` ([`parse_uint`]), else [`err_range`].
pub(crate) fn xt_uint(
    ext: &str,
    opt: &str,
    arg: Option<&str>,
    min: u64,
    max: u64,
) -> XtResult<u64> {
    parse_uint(arg.unwrap_or(""), min, max).ok_or_else(|| err_range(ext, opt, min, max))
}

/// [`xt_uint`] reading the number as plain C `strtoumax` does
/// ([`strtoul_wrapping_in`]: a `-` negates), as the IPv6 header matches do.
pub(crate) fn xt_uint_wrapping(ext: &str, opt: &str, s: &str, min: u64, max: u64) -> XtResult<u64> {
    match strtoul_wrapping_in(s) {
        Some((v, "")) if (min..=max).contains(&v) => Ok(v),
        _ => Err(err_range(ext, opt, min, max)),
    }
}

/// `XTTYPE_UINT*RC` (libxtables' `xtopt_parse_mint`): up to `maxiter`
/// colon-separated numbers in `0..=lmax`; an empty first part is 0, an
/// empty second part is `lmax`. Numbers are read with `num`.
pub(crate) fn parse_mint_with(
    ext: &str,
    opt: &str,
    arg: &str,
    lmax: u64,
    maxiter: usize,
    num: fn(&str) -> Option<(u64, &str)>,
) -> XtResult<Vec<u64>> {
    let mut vals = Vec::new();
    let mut rest = arg;
    loop {
        if vals.len() == maxiter {
            return Err(XtError::param(format!(
                "{ext}: Too many components for option \"--{opt}\" (max: {maxiter})\n"
            )));
        }
        let (v, end) = if rest.is_empty() || rest.starts_with(':') {
            (if vals.len() == 1 { lmax } else { 0 }, rest)
        } else {
            let (v, end) = num(rest).filter(|(v, _)| *v <= lmax).ok_or_else(|| {
                XtError::param(format!(
                    "{ext}: bad value for option \"--{opt}\" near \"{rest}\", or out of range (0-{lmax}).\n"
                ))
            })?;
            if !end.is_empty() && !end.starts_with(':') {
                return Err(XtError::param(format!(
                    "{ext}: Argument to \"--{opt}\" has unexpected characters near \"{end}\".\n"
                )));
            }
            (v, end)
        };
        vals.push(v);
        match end.strip_prefix(':') {
            Some(r) => rest = r,
            None => break,
        }
    }
    Ok(vals)
}

/// [`parse_mint_with`] reading numbers as `xtables_strtoul` does
/// ([`strtoul_prefix`]).
pub(crate) fn parse_mint(
    ext: &str,
    opt: &str,
    arg: &str,
    lmax: u64,
    maxiter: usize,
) -> XtResult<Vec<u64>> {
    parse_mint_with(ext, opt, arg, lmax, maxiter, strtoul_prefix)
}

/// `XTTYPE_UINT32RC`: `N` or `N:M`; a single value gives `(N, N)`.
pub(crate) fn parse_u32_range(ext: &str, opt: &str, s: &str) -> XtResult<(u32, u32)> {
    let v = parse_mint(ext, opt, s, u32::MAX as u64, 2)?;
    let lo = v.first().copied().unwrap_or(0) as u32;
    Ok((lo, v.get(1).map_or(lo, |&h| h as u32)))
}

/// A `FROM[:TO]` option up to `max` read with plain C `strtoumax`
/// ([`strtoul_wrapping_in`]), as the IPv6 header and IPsec matches do; a
/// single value gives `(N, N)`.
pub(crate) fn xt_range_wrapping(ext: &str, opt: &str, s: &str, max: u64) -> XtResult<(u64, u64)> {
    let v = parse_mint_with(ext, opt, s, max, 2, strtoul_wrapping_in)?;
    let lo = v.first().copied().unwrap_or(0);
    Ok((lo, v.get(1).copied().unwrap_or(lo)))
}

// ---------------------------------------------------------------------------
// Option final checks.

/// One entry of a libxtables option table, for the checks libxtables runs
/// once all options are parsed ([`options_fcheck`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct XtEntry {
    /// Option name without `--`.
    pub name: &'static str,
    /// The entry's id (aliases share one).
    pub id: u32,
    /// Ids this option cannot be combined with (`1 << id` bits).
    pub excl: u32,
    /// Ids this option needs (`1 << id` bits).
    pub also: u32,
    /// `XTOPT_MAND`
    pub mand: bool,
}

impl XtEntry {
    /// An entry without constraints.
    pub const fn new(name: &'static str, id: u32) -> XtEntry {
        XtEntry {
            name,
            id,
            excl: 0,
            also: 0,
            mand: false,
        }
    }
    /// The same entry, excluding the ids in `mask`.
    pub const fn excl(self, mask: u32) -> XtEntry {
        XtEntry { excl: mask, ..self }
    }
    /// The same entry, requiring the ids in `mask`.
    pub const fn also(self, mask: u32) -> XtEntry {
        XtEntry { also: mask, ..self }
    }
    /// The same entry, mandatory.
    pub const fn mand(self) -> XtEntry {
        XtEntry { mand: true, ..self }
    }
}

/// The id bits of the options given so far (`xflags`), from the parser's
/// record of option names.
pub(crate) fn xflags(ext: &dyn Extension, st: &State, table: &[XtEntry]) -> u32 {
    table
        .iter()
        .filter(|e| st.saw(ext, e.name))
        .fold(0, |f, e| f | (1 << e.id))
}

/// The name libxtables reports for an id: its first entry's.
pub(crate) fn entry_name(table: &[XtEntry], id: u32) -> &'static str {
    table
        .iter()
        .find(|e| e.id == id)
        .map(|e| e.name)
        .unwrap_or("")
}

/// Refuses a second option of the same id given under another name (an
/// alias): `EXT: option "--FIRST-NAME" can only be used once.`
pub(crate) fn alias_once(
    ext: &dyn Extension,
    st: &State,
    table: &[XtEntry],
    opt: &str,
) -> XtResult<()> {
    let Some(cur) = table.iter().find(|e| e.name == opt) else {
        return Ok(());
    };
    let again = table
        .iter()
        .any(|e| e.id == cur.id && e.name != opt && st.saw(ext, e.name));
    if again {
        return Err(err_once(ext.name(), entry_name(table, cur.id)));
    }
    Ok(())
}

/// libxtables' `xtables_options_fcheck`: mandatory options, then for each
/// given option (in table order) the options it needs and excludes.
pub(crate) fn options_fcheck(ext: &str, table: &[XtEntry], xflags: u32) -> XtResult<()> {
    for e in table {
        let ef = 1u32 << e.id;
        if e.mand && xflags & ef == 0 {
            return Err(err_mandatory(ext, e.name));
        }
        if xflags & ef == 0 {
            continue;
        }
        for i in 0..32u32 {
            if i == e.id {
                continue;
            }
            let Some(other) = table.iter().find(|o| o.id == i) else {
                continue;
            };
            let of = 1u32 << i;
            if e.also & of != 0 && xflags & of == 0 {
                return Err(err_also(ext, e.name, other.name));
            }
            if e.excl & of != 0 && xflags & of != 0 {
                return Err(err_excl(ext, e.name, other.name));
            }
        }
    }
    Ok(())
}

/// [`options_fcheck`] for an option list given as parallel tables, as the
/// targets keep them: `ids[i]` is the id (below 32) of `opts[i]`, `excl[i]` the id bits
/// option `i` excludes, `mand` the option positions that must be given and
/// `seen` the positions given.
pub(crate) fn xt_fcheck(
    ext: &str,
    opts: &[Opt],
    ids: &[u32],
    excl: &[u32],
    mand: u64,
    seen: u64,
) -> XtResult<()> {
    xt_fcheck_also(ext, opts, ids, excl, &[], mand, seen)
}

/// [`xt_fcheck`] with `also[i]`: the id bits option `i` requires
/// (`EXT: option "--A" also requires "--B".`).
pub(crate) fn xt_fcheck_also(
    ext: &str,
    opts: &[Opt],
    ids: &[u32],
    excl: &[u32],
    also: &[u32],
    mand: u64,
    seen: u64,
) -> XtResult<()> {
    let at = |t: &[u32], i: usize| t.get(i).copied().unwrap_or(0);
    let table: Vec<XtEntry> = opts
        .iter()
        .zip(ids)
        .enumerate()
        .map(|(i, (o, &id))| {
            let e = XtEntry::new(o.name, id).excl(at(excl, i)).also(at(also, i));
            if mand & (1 << i) != 0 {
                e.mand()
            } else {
                e
            }
        })
        .collect();
    let given = table
        .iter()
        .enumerate()
        .filter(|(i, _)| seen & (1 << i) != 0)
        .fold(0, |f, (_, e)| f | (1 << e.id));
    options_fcheck(ext, &table, given)
}

// ---------------------------------------------------------------------------
// Addresses and masks.

/// glibc `inet_aton`'s shape: `a.b.c.d`, `a.b.c` (c fills 16 bits), `a.b`
/// (b fills 24 bits) or `a` (32 bits), each part read by `part`.
pub(crate) fn inet_aton_with(s: &str, part: impl Fn(&str) -> Option<u64>) -> Option<Ipv4Addr> {
    let parts: Vec<u64> = s.split('.').map(part).collect::<Option<_>>()?;
    let v = match parts.as_slice() {
        [a] if *a <= 0xffff_ffff => *a as u32,
        [a, b] if *a <= 255 && *b <= 0xff_ffff => (*a as u32) << 24 | *b as u32,
        [a, b, c] if *a <= 255 && *b <= 255 && *c <= 0xffff => {
            (*a as u32) << 24 | (*b as u32) << 16 | *c as u32
        }
        [a, b, c, d] if *a <= 255 && *b <= 255 && *c <= 255 && *d <= 255 => {
            (*a as u32) << 24 | (*b as u32) << 16 | (*c as u32) << 8 | *d as u32
        }
        _ => return None,
    };
    Some(Ipv4Addr::from(v))
}

/// One `inet_aton` part: starts with a digit, then the whole part as
/// [`parse_uint`] reads it (decimal, `0x` hex, leading-`0` octal).
pub(crate) fn aton_part(p: &str) -> Option<u64> {
    if !p.bytes().next()?.is_ascii_digit() {
        return None;
    }
    parse_uint(p, 0, u64::MAX)
}

/// `inet_aton` with [`aton_part`] parts.
pub(crate) fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    inet_aton_with(s, aton_part)
}

/// A prefix length as a 16-byte mask (the bits past `len` stay 0).
pub(crate) fn prefix_mask(len: u32) -> [u8; 16] {
    let mut m = [0u8; 16];
    for (i, b) in m.iter_mut().enumerate() {
        let bits = len.saturating_sub(i as u32 * 8).min(8);
        *b = if bits == 0 { 0 } else { 0xffu8 << (8 - bits) };
    }
    m
}

/// The prefix length of a contiguous mask, or `None`.
pub(crate) fn mask_prefix(m: &[u8]) -> Option<u32> {
    let mut n = 0u32;
    let mut ended = false;
    for &b in m {
        if ended {
            if b != 0 {
                return None;
            }
            continue;
        }
        let ones = b.leading_ones();
        if b != 0xff {
            if b << ones != 0 {
                return None;
            }
            ended = true;
        }
        n += ones;
    }
    Some(n)
}

/// libxtables' `XTTYPE_PLEN` / `XTTYPE_PLENMASK` error.
pub(crate) fn err_plen(ext: &str, opt: &str, max: u64) -> XtError {
    XtError::param(format!(
        "{ext}: bad value for option \"--{opt}\", neither a valid network mask nor valid CIDR (0-{max}).\n"
    ))
}

/// A netmask of `family` as 16 bytes (IPv4 in the first 4), IPv4 read by
/// `aton`.
fn netmask(family: Family, s: &str, aton: fn(&str) -> Option<Ipv4Addr>) -> Option<[u8; 16]> {
    let mut m = [0u8; 16];
    match family {
        Family::V4 => m[..4].copy_from_slice(&aton(s)?.octets()),
        Family::V6 => m.copy_from_slice(&s.parse::<Ipv6Addr>().ok()?.octets()),
    }
    Some(m)
}

/// `XTTYPE_PLEN` (libxtables' `xtopt_parse_plen`): a prefix length up to
/// the address width (read by `num(s, 0, max)`) or a netmask (IPv4 read by
/// `aton`), whose length is taken: 255 when the mask is not contiguous,
/// which the kernel then refuses.
pub(crate) fn parse_plen_with(
    ext: &str,
    opt: &str,
    family: Family,
    arg: &str,
    num: fn(&str, u64, u64) -> Option<u64>,
    aton: fn(&str) -> Option<Ipv4Addr>,
) -> XtResult<u8> {
    let max = family.addr_len() as u64 * 8;
    if let Some(v) = num(arg, 0, max) {
        return Ok(v as u8);
    }
    let m = netmask(family, arg, aton).ok_or_else(|| err_plen(ext, opt, max))?;
    Ok(mask_prefix(&m[..family.addr_len()]).map_or(255, |b| b as u8))
}

/// The mask part of `XTTYPE_HOSTMASK` / `XTTYPE_PLENMASK`: a prefix length
/// ([`parse_uint`], up to the address width) fills only the bits it names;
/// a netmask (IPv4 read by `aton`) gives its prefix when contiguous and
/// all ones (16 bytes) otherwise.
pub(crate) fn parse_plenmask_with(
    ext: &str,
    opt: &str,
    family: Family,
    m: &str,
    aton: fn(&str) -> Option<Ipv4Addr>,
) -> XtResult<[u8; 16]> {
    let max = family.addr_len() as u64 * 8;
    if let Some(p) = parse_uint(m, 0, max) {
        return Ok(prefix_mask(p as u32));
    }
    let b = netmask(family, m, aton).ok_or_else(|| err_plen(ext, opt, max))?;
    Ok(mask_prefix(&b[..family.addr_len()]).map_or([0xff; 16], prefix_mask))
}

// ---------------------------------------------------------------------------
// Marks, DSCP classes and TOS values.

/// `XTTYPE_MARKMASK32` parsing: `VALUE[/MASK]`, mask defaulting to
/// 0xffffffff, numbers read by `num`, with libxtables' error texts.
pub(crate) fn parse_markmask_with(
    ext: &str,
    opt: &str,
    arg: &str,
    num: fn(&str) -> Option<(u64, &str)>,
) -> XtResult<(u32, u32)> {
    let bad = || {
        XtError::param(format!(
            "{ext}: bad integer value for option \"--{opt}\", or out of range.\n"
        ))
    };
    let (v, mut rest) = num(arg).ok_or_else(bad)?;
    let v = u32::try_from(v).map_err(|_| bad())?;
    let mut m = u32::MAX;
    if let Some(r) = rest.strip_prefix('/') {
        let (mv, r2) = num(r).ok_or_else(bad)?;
        m = u32::try_from(mv).map_err(|_| bad())?;
        rest = r2;
    }
    if !rest.is_empty() {
        return Err(XtError::param(format!(
            "{ext}: trailing garbage after value for option \"--{opt}\".\n"
        )));
    }
    Ok((v, m))
}

/// [`parse_markmask_with`] reading numbers as `xtables_strtoul` does.
pub(crate) fn parse_markmask(ext: &str, opt: &str, arg: &str) -> XtResult<(u32, u32)> {
    parse_markmask_with(ext, opt, arg, strtoul_prefix)
}

/// The DiffServ class names iptables knows (`dscp_helper.c`), matched
/// without regard to case.
pub(crate) static DSCP_CLASSES: &[(&str, u8)] = &[
    ("CS0", 0x00),
    ("CS1", 0x08),
    ("CS2", 0x10),
    ("CS3", 0x18),
    ("CS4", 0x20),
    ("CS5", 0x28),
    ("CS6", 0x30),
    ("CS7", 0x38),
    ("BE", 0x00),
    ("AF11", 0x0a),
    ("AF12", 0x0c),
    ("AF13", 0x0e),
    ("AF21", 0x12),
    ("AF22", 0x14),
    ("AF23", 0x16),
    ("AF31", 0x1a),
    ("AF32", 0x1c),
    ("AF33", 0x1e),
    ("AF41", 0x22),
    ("AF42", 0x24),
    ("AF43", 0x26),
    ("EF", 0x2e),
];

/// A DiffServ class name to its code point, or ``Invalid DSCP value `NAME'``.
pub(crate) fn class_to_dscp(name: &str) -> XtResult<u8> {
    DSCP_CLASSES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
        .ok_or_else(|| XtError::param(format!("Invalid DSCP value `{name}'")))
}

/// The symbolic TOS names (libxtables' `tos_symbol_names`).
pub(crate) static TOS_NAMES: &[(u8, &str)] = &[
    (0x10, "Minimize-Delay"),
    (0x08, "Maximize-Throughput"),
    (0x04, "Maximize-Reliability"),
    (0x02, "Minimize-Cost"),
    (0x00, "Normal-Service"),
];

/// `XTTYPE_TOSMASK`: `VALUE[/MASK]` (numbers up to 255; the mask defaults
/// to 0xff) or a symbolic name, which takes `sym_mask`. Returns (value,
/// mask).
pub(crate) fn parse_tosmask(arg: &str, sym_mask: u8) -> XtResult<(u8, u8)> {
    let illegal = || XtError::param(format!("Illegal value: \"{arg}\""));
    if let Some((v, end)) = strtoul_prefix(arg).filter(|(v, _)| *v <= 255) {
        let mut mask = 0xff;
        let mut end = end;
        if let Some(m) = end.strip_prefix('/') {
            let (mv, e) = strtoul_prefix(m)
                .filter(|(mv, _)| *mv <= 255)
                .ok_or_else(illegal)?;
            mask = mv as u8;
            end = e;
        }
        if !end.is_empty() {
            return Err(illegal());
        }
        return Ok((v as u8, mask));
    }
    TOS_NAMES
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(arg))
        .map(|(v, _)| (*v, sym_mask))
        .ok_or_else(|| XtError::param(format!("Symbolic name \"{arg}\" is unknown")))
}

/// The symbolic name `-L` prints for (value, mask), when the mask is 0x3f.
pub(crate) fn tos_symbol(value: u8, mask: u8) -> Option<&'static str> {
    if mask != 0x3f {
        return None;
    }
    TOS_NAMES.iter().find(|(v, _)| *v == value).map(|(_, n)| *n)
}

// ---------------------------------------------------------------------------
// Protocols.

/// The protocols xtables knows without /etc/protocols
/// (`xtables_chain_protos`).
const CHAIN_PROTOS: &[(&str, u8)] = &[
    ("tcp", 6),
    ("sctp", 132),
    ("udp", 17),
    ("udplite", 136),
    ("icmp", 1),
    ("icmpv6", 58),
    ("ipv6-icmp", 58),
    ("esp", 50),
    ("ah", 51),
];

/// Name (and aliases) to number from /etc/protocols, in file order, read
/// once; lines whose number is not 0-255 are skipped.
fn protocols() -> &'static [(String, u8)] {
    static DB: OnceLock<Vec<(String, u8)>> = OnceLock::new();
    DB.get_or_init(|| {
        let text = std::fs::read_to_string("/etc/protocols").unwrap_or_default();
        let mut v = Vec::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut f = line.split_whitespace();
            let (Some(name), Some(num)) = (f.next(), f.next()) else {
                continue;
            };
            let Ok(num) = num.parse::<u8>() else {
                continue;
            };
            v.push((name.to_string(), num));
            for a in f {
                v.push((a.to_string(), num));
            }
        }
        v
    })
}

/// `xtables_parse_protocol`: a number 0-255 (read by `num(s, 0, 255)`),
/// `all`, a name or alias from /etc/protocols, or one of xtables' own names
/// (then the `extra` ones); otherwise `unknown protocol "S" specified`.
pub(crate) fn parse_protocol_with(
    s: &str,
    num: fn(&str, u64, u64) -> Option<u64>,
    extra: &[(&str, u8)],
) -> XtResult<u8> {
    if let Some(v) = num(s, 0, 255) {
        return Ok(v as u8);
    }
    if s == "all" {
        return Ok(0);
    }
    protocols()
        .iter()
        .map(|(n, v)| (n.as_str(), *v))
        .chain(CHAIN_PROTOS.iter().copied())
        .chain(extra.iter().copied())
        .find(|(n, _)| *n == s)
        .map(|(_, v)| v)
        .ok_or_else(|| XtError::param(format!("unknown protocol \"{s}\" specified")))
}

/// `getprotobynumber`: the protocol's name in /etc/protocols.
pub(crate) fn protocol_name(num: u8) -> Option<String> {
    protocols()
        .iter()
        .find(|(_, v)| *v == num)
        .map(|(n, _)| n.clone())
}

// ---------------------------------------------------------------------------
// Port ranges (tcp, udp, dccp, sctp).

/// A `[from, to]` port pair stored as two host-order u16 at `off`.
pub(crate) fn rd_ports(blob: &[u8], off: usize) -> [u16; 2] {
    [rd_u16(blob, off), rd_u16(blob, off + 2)]
}

/// Writes a `[from, to]` port pair at `off`.
pub(crate) fn wr_ports(blob: &mut [u8], off: usize, p: [u16; 2]) {
    wr_u16(blob, off, p[0]);
    wr_u16(blob, off + 2, p[1]);
}

/// ` spt:22`, ` dpts:!1:1023` (libxt_tcp/udp `print_ports`).
pub(crate) fn print_ports(
    name: &str,
    p: [u16; 2],
    invert: bool,
    proto: &str,
    numeric: bool,
    out: &mut String,
) {
    if p[0] == 0 && p[1] == 0xffff && !invert {
        return;
    }
    let inv = if invert { "!" } else { "" };
    out.push(' ');
    out.push_str(name);
    if p[0] == p[1] {
        out.push(':');
        out.push_str(inv);
        out.push_str(&port_text(p[0], Some(proto), numeric));
    } else {
        out.push_str("s:");
        out.push_str(inv);
        out.push_str(&port_text(p[0], Some(proto), numeric));
        out.push(':');
        out.push_str(&port_text(p[1], Some(proto), numeric));
    }
}

/// ` --sport 22`, ` ! --dport 1:1023` (save form; nothing for `0:65535`).
pub(crate) fn save_ports(opt: &str, p: [u16; 2], invert: bool, out: &mut String) {
    if p[0] == 0 && p[1] == 0xffff {
        return;
    }
    save_port_range(opt, p, invert, out);
}

/// ` [!] --OPT FROM[:TO]`, also for the full range.
pub(crate) fn save_port_range(opt: &str, p: [u16; 2], invert: bool, out: &mut String) {
    if invert {
        out.push_str(" !");
    }
    if p[0] == p[1] {
        out.push_str(&format!(" --{opt} {}", p[0]));
    } else {
        out.push_str(&format!(" --{opt} {}:{}", p[0], p[1]));
    }
}

// ---------------------------------------------------------------------------
// Host names.

/// libxtables' host lookup (`XTTYPE_HOST`, `XTTYPE_HOSTMASK`):
/// `getaddrinfo(name, NULL, {ai_family = AF_INET|AF_INET6, ai_socktype =
/// SOCK_RAW})`, numeric forms included. A failure is `getaddrinfo:
/// <gai_strerror text>` (for example "Address family for hostname not
/// supported" for an IPv4 address given to ip6tables); several different
/// addresses are `NAME resolves to more than one address`.
pub(crate) fn gai_host(family: Family, name: &str) -> XtResult<IpAddr> {
    let hints = dns_lookup::AddrInfoHints {
        flags: 0,
        address: match family {
            Family::V4 => libc::AF_INET,
            Family::V6 => libc::AF_INET6,
        },
        socktype: libc::SOCK_RAW,
        protocol: 0,
    };
    let fail = |m: &str| XtError::param(format!("getaddrinfo: {m}\n"));
    let iter = dns_lookup::getaddrinfo(Some(name), None, Some(hints)).map_err(|e| {
        let s = std::io::Error::from(e).to_string();
        match s.strip_prefix("failed to lookup address information: ") {
            Some(m) => fail(m),
            None => fail("System error"),
        }
    })?;
    let mut found: Option<IpAddr> = None;
    for ai in iter.flatten() {
        let ip = ai.sockaddr.ip();
        if ip.is_ipv4() != (family == Family::V4) {
            continue;
        }
        match found {
            None => found = Some(ip),
            Some(f) if f != ip => {
                return Err(XtError::param(format!(
                    "{name} resolves to more than one address\n"
                )))
            }
            Some(_) => {}
        }
    }
    found.ok_or_else(|| fail("Name or service not known"))
}

/// [`gai_host`] as 16 bytes (IPv4 in the first 4), the form the address
/// fields of `struct nf_inet_addr` take.
pub(crate) fn host_bytes(family: Family, s: &str) -> XtResult<[u8; 16]> {
    let mut out = [0u8; 16];
    match gai_host(family, s)? {
        IpAddr::V4(a) => out[..4].copy_from_slice(&a.octets()),
        IpAddr::V6(a) => out.copy_from_slice(&a.octets()),
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtoul_variants() {
        assert_eq!(strtoul_prefix("400kb"), Some((400, "kb")));
        assert_eq!(strtoul_prefix("0x1fz"), Some((31, "z")));
        assert_eq!(strtoul_prefix("0x1f/3"), Some((31, "/3")));
        assert_eq!(strtoul_prefix("0x"), Some((0, "x")));
        assert_eq!(strtoul_prefix("019"), Some((1, "9")));
        assert_eq!(strtoul_prefix("x"), None);
        assert_eq!(strtoul_prefix("-1"), None);
        assert_eq!(strtoul_prefix("+-1"), None);
        assert_eq!(strtoul_prefix("99999999999999999999"), None);
        assert_eq!(strtoul_wrapping("-1"), Some((Some(u64::MAX), "")));
        assert_eq!(strtoul_wrapping("99999999999999999999x"), Some((None, "x")));
        assert_eq!(strtoul_full(" 0x10", 0, 16), Some(16));
        assert_eq!(strtoul_full("17", 0, 16), None);
        assert_eq!(
            strtoumax("0x1g", 16).map(|r| (r.val, r.rest)),
            Some((Some(1), "g"))
        );
        assert_eq!(strtoumax("12a", 10).map(|r| r.rest), Some("a"));
        assert_eq!(atoll("12/sec"), 12);
        assert_eq!(atoll("-3"), -3);
        assert_eq!(atoll("x"), 0);
    }

    #[test]
    fn addresses() {
        assert_eq!(inet_aton("33"), Some(Ipv4Addr::new(0, 0, 0, 33)));
        assert_eq!(inet_aton("1.2.3"), Some(Ipv4Addr::new(1, 2, 0, 3)));
        assert_eq!(inet_aton("0x7f.1"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(inet_aton("1.2.3.256"), None);
        assert_eq!(inet_aton("1.2.3.4.5"), None);
        assert_eq!(inet_aton("x"), None);
        assert_eq!(inet_aton(""), None);
        assert_eq!(mask_prefix(&[0xff, 0xf0, 0]), Some(12));
        assert_eq!(mask_prefix(&[0xff, 0x0f]), None);
        assert_eq!(prefix_mask(12)[..3], [0xff, 0xf0, 0]);
    }
}
