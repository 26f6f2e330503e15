//! libxtables' parsing conventions the extensions share: C's `strtoul`
//! family with an end pointer.
//!
//! One copy of each helper; extensions that reproduce a particular quirk of
//! their libxtables counterpart (how a sign or an overflow is treated) pick
//! the variant that keeps it.

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
