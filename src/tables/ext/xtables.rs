//! libxtables' parsing conventions the extensions share: C's `strtoul`
//! family with an end pointer, the standard option error texts and the
//! `XTTYPE_UINT*` / `XTTYPE_UINT*RC` number options.
//!
//! One copy of each helper; extensions that reproduce a particular quirk of
//! their libxtables counterpart (how a sign or an overflow is treated) pick
//! the variant that keeps it.

use crate::tables::error::{XtError, XtResult};
use crate::tables::ext::util::parse_uint;

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
}
