//! `rateest` match: compares rate estimators (made by the `RATEEST`
//! target) with fixed rates (absolute mode) or with each other (relative
//! mode, `--rateest1`/`--rateest2`), optionally on the differences to given
//! rates (`--rateest-delta`).
//!
//! Kernel struct `xt_rateest_match_info` (revision 0, 72 bytes): `char
//! name1[16]`, `char name2[16]`, `u16 flags` at 32 (invert 1, abs 2, rel 4,
//! delta 8, bps 16, pps 32), `u16 mode` at 34 (eq 1, lt 2, gt 3), `u32
//! bps1, pps1, bps2, pps2` at 36, then two kernel pointers from 56, which
//! `-C`/`-D` do not compare. Rates are kept in bytes per second.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_str, rd_u16, rd_u32, wr, wr_u16, wr_u32};
use crate::tables::ext::xtables::strtoul_full;
use crate::tables::ext::{Arg, Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const NAME1: usize = 0;
const NAME2: usize = 16;
const NAME_LEN: usize = 16;
const FLAGS: usize = 32;
const MODE: usize = 34;
const BPS1: usize = 36;
const PPS1: usize = 40;
const BPS2: usize = 44;
const PPS2: usize = 48;
/// `offsetof(struct xt_rateest_match_info, est1)`
const USER_SIZE: usize = 56;
const SIZE: usize = 72;

const F_INVERT: u16 = 1;
const F_ABS: u16 = 2;
const F_REL: u16 = 4;
const F_DELTA: u16 = 8;
const F_BPS: u16 = 16;
const F_PPS: u16 = 32;

const M_EQ: u16 = 1;
const M_LT: u16 = 2;
const M_GT: u16 = 3;

/// The `rateest` match.
pub struct Rateest;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Rateest];

// Old-style options: iptables hands `!` and repeats to the extension.
const fn o(name: &'static str, arg: Arg) -> Opt {
    Opt {
        name,
        arg,
        invert: true,
        multi: true,
    }
}

static OPTS: &[Opt] = &[
    o("rateest1", Arg::Required),
    o("rateest", Arg::Required),
    o("rateest2", Arg::Required),
    o("rateest-bps1", Arg::Optional),
    o("rateest-pps1", Arg::Optional),
    o("rateest-bps2", Arg::Optional),
    o("rateest-pps2", Arg::Optional),
    o("rateest-bps", Arg::Optional),
    o("rateest-pps", Arg::Optional),
    o("rateest-delta", Arg::None),
    o("rateest-lt", Arg::None),
    o("rateest-gt", Arg::None),
    o("rateest-eq", Arg::None),
];

/// Rate units (iproute2's table), in bits per second.
const SUFFIXES: [(&str, f64); 18] = [
    ("bit", 1.),
    ("Kibit", 1024.),
    ("kbit", 1000.),
    ("mibit", 1024. * 1024.),
    ("mbit", 1_000_000.),
    ("gibit", 1024. * 1024. * 1024.),
    ("gbit", 1_000_000_000.),
    ("tibit", 1024. * 1024. * 1024. * 1024.),
    ("tbit", 1_000_000_000_000.),
    ("Bps", 8.),
    ("KiBps", 8. * 1024.),
    ("KBps", 8000.),
    ("MiBps", 8. * 1024. * 1024.),
    ("MBps", 8_000_000.),
    ("GiBps", 8. * 1024. * 1024. * 1024.),
    ("GBps", 8_000_000_000.),
    ("TiBps", 8. * 1024. * 1024. * 1024. * 1024.),
    ("TBps", 8_000_000_000_000.),
];

/// `strtod`'s decimal form: the value and the rest, `None` without digits.
fn strtod(s: &str) -> Option<(f64, &str)> {
    let t = s.trim_start();
    let b = t.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut n = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if digits(&mut j) > 0 {
            i = j;
        }
    }
    Some((t.get(..i)?.parse().ok()?, t.get(i..)?))
}

/// A rate (`8bit`, `5kbit`, `1.5KBps`, or a bare number of bits) in bytes
/// per second.
fn parse_rate(s: &str) -> XtResult<u32> {
    let bad = || XtError::param(format!("rateest: could not parse rate `{s}'"));
    let (v, rest) = strtod(s).ok_or_else(bad)?;
    let scale = if rest.is_empty() {
        1.
    } else {
        SUFFIXES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(rest))
            .map(|(_, sc)| *sc)
            .ok_or_else(bad)?
    };
    Ok((v * scale / 8.) as u32)
}

/// `%.0f` of `num / den` (round half to even, as printf does).
fn rounded(num: u64, den: u64) -> u64 {
    let (q, r) = (num / den, num % den);
    if r * 2 > den || (r * 2 == den && q % 2 == 1) {
        q + 1
    } else {
        q
    }
}

fn rate_text(rate: u32, numeric: bool) -> String {
    let bits = u64::from(rate) * 8;
    if numeric {
        format!(" {rate}")
    } else if bits >= 1_000_000_000 {
        format!(" {}Mbit", rounded(bits, 1_000_000))
    } else if bits >= 1_000_000 {
        format!(" {}Kbit", rounded(bits, 1000))
    } else {
        format!(" {bits}bit")
    }
}

fn mode_text(blob: &[u8], prefix: &str) -> String {
    let inv = if rd_u16(blob, FLAGS) & F_INVERT != 0 {
        " !"
    } else {
        ""
    };
    let m = match rd_u16(blob, MODE) {
        M_EQ => "eq",
        M_LT => "lt",
        M_GT => "gt",
        _ => "",
    };
    format!("{inv} {prefix}{m}")
}

/// `st.flags` bits: options already given (iptables' own `flags`).
fn once(st: &mut State, bit: u32, msg: &str) -> XtResult<()> {
    if st.flags & bit != 0 {
        return Err(XtError::param(format!("rateest: {msg}")));
    }
    st.flags |= bit;
    Ok(())
}

impl Extension for Rateest {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "rateest"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn userspace_size(&self, _family: Family) -> usize {
        USER_SIZE
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let flags = rd_u16(&st.blob, FLAGS);
        let name = |b: &mut [u8], off: usize, v: &str| {
            let v = v.as_bytes();
            let n = v.len().min(NAME_LEN - 1);
            wr(b, off, &v[..n]);
        };
        let no_invert = |what: &str| -> XtResult<()> {
            if invert {
                return Err(XtError::param(format!("rateest: {what} can't be inverted")));
            }
            Ok(())
        };
        match opt {
            "rateest1" | "rateest" => {
                no_invert("rateest")?;
                once(st, 1 << 0, "can't specify --rateest1 twice")?;
                name(&mut st.blob, NAME1, arg.unwrap_or(""));
            }
            "rateest2" => {
                no_invert("rateest")?;
                once(st, 1 << 1, "can't specify --rateest2 twice")?;
                name(&mut st.blob, NAME2, arg.unwrap_or(""));
                wr_u16(&mut st.blob, FLAGS, flags | F_REL);
            }
            "rateest-bps1" | "rateest-bps2" | "rateest-bps" => {
                no_invert("rateest-bps")?;
                let (bit, full, off) = if opt == "rateest-bps1" {
                    (2, "rateest-bps1", BPS1)
                } else {
                    (4, "rateest-bps2", BPS2)
                };
                once(st, 1 << bit, &format!("can't specify --{full} twice"))?;
                wr_u16(&mut st.blob, FLAGS, flags | F_BPS);
                if let Some(a) = arg {
                    wr_u32(&mut st.blob, off, parse_rate(a)?);
                }
            }
            "rateest-pps1" | "rateest-pps2" | "rateest-pps" => {
                no_invert("rateest-pps")?;
                let (bit, full, off) = if opt == "rateest-pps1" {
                    (3, "rateest-pps1", PPS1)
                } else {
                    (5, "rateest-pps2", PPS2)
                };
                once(st, 1 << bit, &format!("can't specify --{full} twice"))?;
                wr_u16(&mut st.blob, FLAGS, flags | F_PPS);
                if let Some(a) = arg {
                    let v = strtoul_full(a, 0, u32::MAX.into()).ok_or_else(|| {
                        XtError::param(format!("rateest: could not parse pps `{a}'"))
                    })?;
                    wr_u32(&mut st.blob, off, v as u32);
                }
            }
            "rateest-delta" => {
                no_invert("rateest-delta")?;
                once(st, 1 << 6, "can't specify --rateest-delta twice")?;
                wr_u16(&mut st.blob, FLAGS, flags | F_DELTA);
            }
            _ => {
                let (bit, mode) = match opt {
                    "rateest-lt" => (7, M_LT),
                    "rateest-gt" => (8, M_GT),
                    _ => (9, M_EQ),
                };
                once(st, 1 << bit, "can't specify lt/gt/eq twice")?;
                wr_u16(&mut st.blob, MODE, mode);
                if invert {
                    wr_u16(&mut st.blob, FLAGS, flags | F_INVERT);
                }
            }
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        let flags = rd_u16(&st.blob, FLAGS);
        if flags & F_REL == 0 {
            wr_u16(&mut st.blob, FLAGS, flags | F_ABS);
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let f = rd_u16(blob, FLAGS);
        let delta = f & F_DELTA != 0;
        out.push_str(" rateest match ");
        out.push_str(&rd_str(blob, NAME1, NAME_LEN));
        if delta {
            out.push_str(" delta");
        }
        if f & F_BPS != 0 {
            out.push_str(" bps");
            if delta {
                out.push_str(&rate_text(rd_u32(blob, BPS1), ctx.numeric));
            }
            if f & F_ABS != 0 {
                out.push_str(&rate_text(rd_u32(blob, BPS2), ctx.numeric));
                out.push_str(&mode_text(blob, ""));
            }
        }
        if f & F_PPS != 0 {
            out.push_str(" pps");
            if delta {
                out.push_str(&format!(" {}", rd_u32(blob, PPS1)));
            }
            if f & F_ABS != 0 {
                out.push_str(&mode_text(blob, ""));
                out.push_str(&format!(" {}", rd_u32(blob, PPS2)));
            }
        }
        if f & F_REL != 0 {
            out.push_str(&mode_text(blob, ""));
            out.push(' ');
            out.push_str(&rd_str(blob, NAME2, NAME_LEN));
            if f & F_BPS != 0 {
                out.push_str(" bps");
                if delta {
                    out.push_str(&rate_text(rd_u32(blob, BPS2), ctx.numeric));
                }
            }
            if f & F_PPS != 0 {
                out.push_str(" pps");
                if delta {
                    out.push_str(&format!(" {}", rd_u32(blob, PPS2)));
                }
            }
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let f = rd_u16(blob, FLAGS);
        let delta = f & F_DELTA != 0;
        let rel = f & F_REL != 0;
        if delta {
            out.push_str(" --rateest-delta");
        }
        out.push_str(if rel { " --rateest1 " } else { " --rateest " });
        out.push_str(&rd_str(blob, NAME1, NAME_LEN));
        let second = if delta { "2" } else { "" };
        if f & F_BPS != 0 {
            if delta {
                out.push_str(" --rateest-bps1");
                out.push_str(&rate_text(rd_u32(blob, BPS1), false));
            }
            out.push_str(&mode_text(blob, "--rateest-"));
            out.push_str(&format!(" --rateest-bps{second}"));
            if delta || !rel {
                out.push_str(&rate_text(rd_u32(blob, BPS2), false));
            }
        }
        if f & F_PPS != 0 {
            if delta {
                out.push_str(&format!(" --rateest-pps1 {}", rd_u32(blob, PPS1)));
            }
            out.push_str(&mode_text(blob, "--rateest-"));
            out.push_str(&format!(" --rateest-pps{second}"));
            if delta || !rel {
                out.push_str(&format!(" {}", rd_u32(blob, PPS2)));
            }
        }
        if rel {
            out.push_str(" --rateest2 ");
            out.push_str(&rd_str(blob, NAME2, NAME_LEN));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(line: &str) -> XtResult<crate::tables::ext::testing::Parsed> {
        let w: Vec<&str> = line.split_whitespace().collect();
        run(Kind::Match, "rateest", Family::V4, 0, "filter", "INPUT", &w)
    }

    #[test]
    fn corpus() {
        for (rule, saved, print, printn) in [
            ("--rateest RE1 --rateest-lt --rateest-bps 8bit", "=", " rateest match RE1 bps 8bit lt", " rateest match RE1 bps 1 lt"),
            ("--rateest RE1 --rateest-eq --rateest-pps 5", "=", " rateest match RE1 pps eq 5", " rateest match RE1 pps eq 5"),
            ("--rateest RE1 --rateest-gt --rateest-bps 5kbit", "--rateest RE1 --rateest-gt --rateest-bps 5000bit", " rateest match RE1 bps 5000bit gt", " rateest match RE1 bps 625 gt"),
            ("--rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-lt --rateest-bps2 16bit", "=", " rateest match RE1 delta bps 8bit 16bit lt", " rateest match RE1 delta bps 1 2 lt"),
            ("--rateest1 RE1 --rateest-lt --rateest-bps --rateest2 RE2", "=", " rateest match RE1 bps lt RE2 bps", " rateest match RE1 bps lt RE2 bps"),
            ("--rateest-delta --rateest1 RE1 --rateest-pps1 0 --rateest-lt --rateest-pps2 42 --rateest2 RE2", "=", " rateest match RE1 delta pps 0 lt RE2 pps 42", " rateest match RE1 delta pps 0 lt RE2 pps 42"),
            ("--rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-eq --rateest-bps2 16bit", "=", " rateest match RE1 delta bps 8bit 16bit eq", " rateest match RE1 delta bps 1 2 eq"),
            ("--rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-gt --rateest-bps2 16bit", "=", " rateest match RE1 delta bps 8bit 16bit gt", " rateest match RE1 delta bps 1 2 gt"),
            ("--rateest-delta --rateest RE1 --rateest-pps1 8 --rateest-lt --rateest-pps2 9", "=", " rateest match RE1 delta pps 8 lt 9", " rateest match RE1 delta pps 8 lt 9"),
            ("--rateest-delta --rateest RE1 --rateest-pps1 8 --rateest-eq --rateest-pps2 9", "=", " rateest match RE1 delta pps 8 eq 9", " rateest match RE1 delta pps 8 eq 9"),
            ("--rateest-delta --rateest RE1 --rateest-pps1 8 --rateest-gt --rateest-pps2 9", "=", " rateest match RE1 delta pps 8 gt 9", " rateest match RE1 delta pps 8 gt 9"),
            // Observed.
            ("--rateest RE1 --rateest-lt --rateest-gt --rateest-bps 8", "--rateest RE1 --rateest-gt --rateest-bps 8bit", " rateest match RE1 bps 8bit gt", " rateest match RE1 bps 1 gt"),
            ("--rateest RE1 ! --rateest-lt --rateest-bps 8000000", "--rateest RE1 ! --rateest-lt --rateest-bps 8000Kbit", " rateest match RE1 bps 8000Kbit ! lt", " rateest match RE1 bps 1000000 ! lt"),
            ("--rateest RE1 --rateest-gt --rateest-bps 1Gbit", "--rateest RE1 --rateest-gt --rateest-bps 1000Mbit", " rateest match RE1 bps 1000Mbit gt", " rateest match RE1 bps 125000000 gt"),
            ("--rateest RE1 --rateest-gt --rateest-bps 1.5KBps", "--rateest RE1 --rateest-gt --rateest-bps 12000bit", " rateest match RE1 bps 12000bit gt", " rateest match RE1 bps 1500 gt"),
            ("--rateest RE1 --rateest-gt --rateest-bps 8 --rateest-pps 3", "--rateest RE1 --rateest-gt --rateest-bps 8bit --rateest-gt --rateest-pps 3", " rateest match RE1 bps 8bit gt pps gt 3", " rateest match RE1 bps 1 gt pps gt 3"),
        ] {
            let p = t(rule).unwrap_or_else(|e| panic!("{rule}: {e:?}"));
            let want = if saved == "=" { rule } else { saved };
            assert_eq!(p.save, format!(" -m rateest {want}"), "{rule}");
            assert_eq!(p.print, print, "{rule}");
            assert_eq!(p.print_numeric, printn, "{rule}");
        }
    }

    #[test]
    fn errors_and_blob() {
        let e = |r: &str| t(r).unwrap_err().msg;
        assert_eq!(e("! --rateest RE1"), "rateest: rateest can't be inverted");
        assert_eq!(
            e("--rateest RE1 --rateest1 RE1"),
            "rateest: can't specify --rateest1 twice"
        );
        assert_eq!(
            e("--rateest RE1 --rateest-lt --rateest-lt"),
            "rateest: can't specify lt/gt/eq twice"
        );
        assert_eq!(
            e("--rateest RE1 --rateest-gt --rateest-bps xx"),
            "rateest: could not parse rate `xx'"
        );
        // iptables -vvv for three corpus lines.
        let p = t("--rateest RE1 --rateest-lt --rateest-bps 8bit").unwrap();
        assert_eq!(&p.blob[..3], b"RE1");
        assert_eq!(
            &p.blob[32..52],
            &[0x12, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
        );
        let p = t("--rateest-delta --rateest1 RE1 --rateest-pps1 0 --rateest-lt --rateest-pps2 42 --rateest2 RE2").unwrap();
        assert_eq!(&p.blob[16..19], b"RE2");
        assert_eq!(
            &p.blob[32..52],
            &[0x2c, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0]
        );
        let p = t("--rateest1 RE1 ! --rateest-lt --rateest-bps --rateest2 RE2").unwrap();
        assert_eq!(&p.blob[32..36], &[0x15, 0, 2, 0]);
        assert_eq!(p.blob.len(), 72);
    }
}
