//! `statistic` match: matches packets at random (`--mode random
//! --probability P`) or every Nth packet (`--mode nth --every N --packet P`).
//!
//! Kernel struct `struct xt_statistic_info` (`xt_statistic.h`), revision 0,
//! 24 bytes: `u16 mode; u16 flags; union { u32 probability; struct { u32
//! every, packet, count; } nth; } u; <kernel pointer, 8-aligned>`. The
//! probability is stored as `lround(P * 2^31)`, `every` as N - 1 (the two
//! share their offset), and iptables fills `count = every - packet` in either
//! mode. The kernel-private part starts at `count` (userspace size 12).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{parse_uint, rd_u16, rd_u32, wr_u16, wr_u32};
use crate::tables::ext::xtables::{err_also, err_excl};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 24;
const MODE: usize = 0;
const FLAGS: usize = 2;
const EVERY: usize = 4;
const PACKET: usize = 8;
const COUNT: usize = 12;
const MODE_RANDOM: u16 = 0;
const MODE_NTH: u16 = 1;
const INVERT: u16 = 1;

/// The `statistic` match.
pub struct Statistic;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Statistic];

static OPTS: &[Opt] = &[
    Opt::req("mode"),
    Opt::req_inv("probability"),
    Opt::req_inv("every"),
    Opt::req("packet"),
];

/// `strtod` over the whole argument (leading blanks allowed, hexadecimal
/// floats included).
pub(crate) fn strtod(s: &str) -> Option<f64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, u) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let v = if let Some(h) = u.strip_prefix("0x").or_else(|| u.strip_prefix("0X")) {
        hex_float(h)?
    } else {
        if u.is_empty() || !(u.as_bytes()[0].is_ascii_digit() || u.as_bytes()[0] == b'.') {
            let l = u.to_ascii_lowercase();
            if l == "inf" || l == "infinity" {
                return Some(if neg {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                });
            }
            return None;
        }
        u.parse::<f64>().ok()?
    };
    Some(if neg { -v } else { v })
}

fn hex_float(h: &str) -> Option<f64> {
    let (mant, exp) = match h.split_once(['p', 'P']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (h, 0),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
}

impl Extension for Statistic {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "statistic"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn userspace_size(&self, _family: Family) -> usize {
        COUNT
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
        let a = arg.unwrap_or("");
        if invert {
            let f = rd_u16(&st.blob, FLAGS) | INVERT;
            wr_u16(&mut st.blob, FLAGS, f);
        }
        match opt {
            "mode" => {
                let m = match a {
                    "random" => MODE_RANDOM,
                    "nth" => MODE_NTH,
                    _ => return Err(XtError::param(format!("Bad mode \"{a}\""))),
                };
                wr_u16(&mut st.blob, MODE, m);
            }
            "probability" => {
                let p = strtod(a).filter(|p| (0.0..=1.0).contains(p)).ok_or_else(|| {
                    XtError::param(
                        "statistic: bad value for option \"--probability\", or out of range (0-1).\n",
                    )
                })?;
                wr_u32(&mut st.blob, EVERY, (p * 2147483648.0).round() as u32);
            }
            "every" => {
                let v = parse_uint(a, 1, u32::MAX as u64).ok_or_else(|| {
                    XtError::param(
                        "statistic: bad value for option \"--every\", or out of range (1-4294967295).\n",
                    )
                })?;
                wr_u32(&mut st.blob, EVERY, v as u32 - 1);
            }
            "packet" => {
                let v = parse_uint(a, 0, u32::MAX as u64).ok_or_else(|| {
                    XtError::param(
                        "statistic: bad value for option \"--packet\", or out of range (0-4294967295).\n",
                    )
                })?;
                wr_u32(&mut st.blob, PACKET, v as u32);
            }
            _ => {}
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        // The extension's own check runs before libxtables' option checks.
        let mode = rd_u16(&st.blob, MODE);
        let (prob, every, packet) = (
            st.saw(self, "probability"),
            st.saw(self, "every"),
            st.saw(self, "packet"),
        );
        if mode == MODE_RANDOM && !prob {
            return Err(XtError::param(
                "--probability must be specified when using random mode",
            ));
        }
        if mode == MODE_NTH && !(every || packet) {
            return Err(XtError::param(
                "--every and --packet must be specified when using nth mode",
            ));
        }
        let (e, p) = (rd_u32(&st.blob, EVERY), rd_u32(&st.blob, PACKET));
        if p > e {
            return Err(XtError::param("the --packet p must be 0 <= p <= n-1"));
        }
        wr_u32(&mut st.blob, COUNT, e - p);
        if !st.saw(self, "mode") {
            return Err(XtError::param(
                "statistic: option \"--mode\" must be specified\n",
            ));
        }
        if prob && (every || packet) {
            let other = if every { "every" } else { "packet" };
            return Err(err_excl("statistic", "probability", other));
        }
        if every && !packet {
            return Err(err_also("statistic", "every", "packet"));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" statistic");
        text(blob, "", out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        text(blob, "--", out);
    }
}

fn text(blob: &[u8], prefix: &str, out: &mut String) {
    let inv = if rd_u16(blob, FLAGS) & INVERT != 0 {
        " !"
    } else {
        ""
    };
    match rd_u16(blob, MODE) {
        MODE_RANDOM => {
            let p = rd_u32(blob, EVERY) as f64 / 2147483648.0;
            out.push_str(&format!(
                " {prefix}mode random{inv} {prefix}probability {p:.11}"
            ));
        }
        MODE_NTH => {
            let e = rd_u32(blob, EVERY) as u64 + 1;
            out.push_str(&format!(" {prefix}mode nth{inv} {prefix}every {e}"));
            let p = rd_u32(blob, PACKET);
            if p != 0 || !prefix.is_empty() {
                out.push_str(&format!(" {prefix}packet {p}"));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};

    #[test]
    fn corpus_lines() {
        for l in [
            "-m statistic;;FAIL",
            "-m statistic --mode random ! --probability 0.50000000000;=;OK",
            "-m statistic --mode random ! --probability 1.1;;FAIL",
            "-m statistic --probability 1;;FAIL",
            "-m statistic --mode nth ! --every 5 --packet 2;=;OK",
            "-m statistic --mode nth ! --every 5;;FAIL",
            "-m statistic --mode nth ! --every 5 --packet 5;;FAIL",
        ] {
            check(Family::V4, "INPUT", l);
            check(Family::V6, "INPUT", l);
        }
    }

    #[test]
    fn observed() {
        for (a, s, l) in [
            (
                "--mode random --probability 0.25",
                "--mode random --probability 0.25000000000",
                " statistic mode random probability 0.25000000000",
            ),
            (
                "--mode random ! --probability 1e-1",
                "--mode random ! --probability 0.10000000009",
                " statistic mode random ! probability 0.10000000009",
            ),
            (
                "--mode random --probability 0.000000001",
                "--mode random --probability 0.00000000093",
                " statistic mode random probability 0.00000000093",
            ),
            (
                "--mode random --probability 0x1p-1",
                "--mode random --probability 0.50000000000",
                " statistic mode random probability 0.50000000000",
            ),
            (
                "--mode random --probability 0.99999999999",
                "--mode random --probability 1.00000000000",
                " statistic mode random probability 1.00000000000",
            ),
            (
                "--mode nth --every 3 --packet 0",
                "--mode nth --every 3 --packet 0",
                " statistic mode nth every 3",
            ),
            (
                "--mode nth ! --every 5 --packet 2",
                "--mode nth ! --every 5 --packet 2",
                " statistic mode nth ! every 5 packet 2",
            ),
        ] {
            let p = parse(Family::V4, "INPUT", &format!("-m statistic {a}")).unwrap();
            assert_eq!(p.save, format!(" -m statistic {s}"));
            assert_eq!(p.print, l);
            assert_eq!(p.print_numeric, l);
        }
    }

    #[test]
    fn errors() {
        let e = |r: &str| parse(Family::V4, "INPUT", r).unwrap_err().msg;
        assert_eq!(
            e("-m statistic"),
            "--probability must be specified when using random mode"
        );
        assert_eq!(
            e("-m statistic --probability 1"),
            "statistic: option \"--mode\" must be specified\n"
        );
        assert_eq!(
            e("-m statistic --mode nth --packet 2"),
            "the --packet p must be 0 <= p <= n-1"
        );
        assert_eq!(
            e("-m statistic --mode nth"),
            "--every and --packet must be specified when using nth mode"
        );
        assert_eq!(e("-m statistic --mode RANDOM"), "Bad mode \"RANDOM\"");
        assert_eq!(
            e("-m statistic --mode random --probability 0.5 --packet 0"),
            "statistic: option \"--probability\" cannot be used together with \"--packet\".\n"
        );
        assert_eq!(
            e("-m statistic --mode random --probability 0.5 --every 3"),
            "statistic: option \"--probability\" cannot be used together with \"--every\".\n"
        );
        assert_eq!(
            e("-m statistic --mode random --every 3 --packet 0"),
            "--probability must be specified when using random mode"
        );
        assert_eq!(
            e("-m statistic --mode nth --every 0 --packet 0"),
            "statistic: bad value for option \"--every\", or out of range (1-4294967295).\n"
        );
        assert_eq!(
            e("-m statistic --mode random --probability -0.5"),
            "statistic: bad value for option \"--probability\", or out of range (0-1).\n"
        );
    }

    #[test]
    fn blob_bytes() {
        // iptables -vvv -A INPUT -m statistic --mode random ! --probability 0.1
        let p = parse(
            Family::V4,
            "INPUT",
            "-m statistic --mode random ! --probability 0.1",
        )
        .unwrap();
        assert_eq!(
            p.blob,
            [
                0, 0, 1, 0, 0xcd, 0xcc, 0xcc, 0x0c, 0, 0, 0, 0, 0xcd, 0xcc, 0xcc, 0x0c, 0, 0, 0, 0,
                0, 0, 0, 0
            ]
        );
        // iptables -vvv -A INPUT -m statistic --mode nth ! --every 5 --packet 2
        let p = parse(
            Family::V4,
            "INPUT",
            "-m statistic --mode nth ! --every 5 --packet 2",
        )
        .unwrap();
        assert_eq!(
            p.blob,
            [1, 0, 1, 0, 4, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
    }
}
