//! `u32` match: tests 32-bit words read at computed packet offsets against
//! value ranges (`location=value[,value...][&&...]`).
//!
//! Kernel struct `xt_u32` (revision 0, 1984 bytes): 11 tests of 180 bytes
//! each (`struct { u32 number; u8 nextop; } location[11]` at 0, `struct {
//! u32 min, max; } value[11]` at 88, `u8 nnums` at 176, `u8 nvalues` at
//! 177), then `u8 ntests` at 1980 and `u8 invert` at 1981.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u32, rd_u8, wr_u32, wr_u8};
use crate::tables::ext::xtables::err_mandatory;
use crate::tables::ext::xtables::strtoul_prefix;
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const TEST_SIZE: usize = 180;
const LOC: usize = 0;
const VAL: usize = 88;
const NNUMS: usize = 176;
const NVALUES: usize = 177;
const NTESTS: usize = 1980;
const INVERT: usize = 1981;
const SIZE: usize = 1984;
/// `XT_U32_MAXSIZE`
const MAXSIZE: usize = 10;

const OP_AND: u8 = 0;
const OP_LEFTSH: u8 = 1;
const OP_RIGHTSH: u8 = 2;
const OP_AT: u8 = 3;

/// The `u32` match.
pub struct U32;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&U32];

static OPTS: &[Opt] = &[Opt::req_inv("u32")];

fn err(at: usize, what: &str) -> XtError {
    XtError::param(format!("u32: at char {at}: {what}"))
}

/// Reads a number at `*pos` (leading blanks allowed, up to 2^32-1).
fn number(s: &str, pos: &mut usize) -> XtResult<u32> {
    let at = *pos;
    let rest = s.get(at..).unwrap_or("");
    match strtoul_prefix(rest) {
        Some((v, end)) if v <= u64::from(u32::MAX) => {
            *pos = s.len() - end.len();
            Ok(v as u32)
        }
        _ => Err(err(at, "not a number or out of range")),
    }
}

fn loc_off(test: usize, i: usize) -> usize {
    test * TEST_SIZE + LOC + i * 8
}

fn val_off(test: usize, i: usize) -> usize {
    test * TEST_SIZE + VAL + i * 8
}

fn parse_tests(s: &str, blob: &mut [u8]) -> XtResult<()> {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let (mut test, mut locind, mut valind) = (0usize, 0usize, 0usize);
    let mut reading_values = false;
    let mut p = 0usize;
    loop {
        while at(p).is_ascii_whitespace() {
            p += 1;
        }
        if p >= b.len() {
            if !reading_values {
                return Err(XtError::param(
                    "u32: abrupt end of input after location specifier",
                ));
            }
            if valind == 0 {
                return Err(XtError::param("u32: test ended with no value specified"));
            }
            wr_u8(blob, test * TEST_SIZE + NNUMS, locind as u8);
            wr_u8(blob, test * TEST_SIZE + NVALUES, valind as u8);
            test += 1;
            wr_u8(blob, NTESTS, test as u8);
            if test > MAXSIZE {
                return Err(err(p, "too many \"&&\"s"));
            }
            return Ok(());
        }
        if !reading_values {
            if at(p) == b'=' {
                if locind == 0 {
                    return Err(err(p, "location spec missing"));
                }
                p += 1;
                reading_values = true;
                continue;
            }
            if locind != 0 {
                let op = match at(p) {
                    b'&' => OP_AND,
                    b'<' => {
                        p += 1;
                        if at(p) != b'<' {
                            return Err(err(p, "a second '<' was expected"));
                        }
                        OP_LEFTSH
                    }
                    b'>' => {
                        p += 1;
                        if at(p) != b'>' {
                            return Err(err(p, "a second '>' was expected"));
                        }
                        OP_RIGHTSH
                    }
                    b'@' => OP_AT,
                    _ => return Err(err(p, "operator expected")),
                };
                wr_u8(blob, loc_off(test, locind) + 4, op);
                p += 1;
            }
            let n = number(s, &mut p)?;
            wr_u32(blob, loc_off(test, locind), n);
            locind += 1;
            if locind > MAXSIZE {
                return Err(err(p, "too many operators"));
            }
        } else if at(p) == b'&' {
            p += 1;
            if at(p) != b'&' {
                return Err(err(p, "a second '&' was expected"));
            }
            if valind == 0 {
                return Err(err(p, "value spec missing"));
            }
            wr_u8(blob, test * TEST_SIZE + NNUMS, locind as u8);
            wr_u8(blob, test * TEST_SIZE + NVALUES, valind as u8);
            test += 1;
            if test > MAXSIZE {
                return Err(err(p, "too many \"&&\"s"));
            }
            p += 1;
            reading_values = false;
            locind = 0;
            valind = 0;
        } else {
            if valind > 0 {
                if at(p) != b',' {
                    return Err(err(p, "expected \",\" or \"&&\""));
                }
                p += 1;
            }
            let min = number(s, &mut p)?;
            while at(p).is_ascii_whitespace() {
                p += 1;
            }
            let max = if at(p) == b':' {
                p += 1;
                number(s, &mut p)?
            } else {
                min
            };
            wr_u32(blob, val_off(test, valind), min);
            wr_u32(blob, val_off(test, valind) + 4, max);
            valind += 1;
            if valind > MAXSIZE {
                return Err(err(p, "too many \",\"s"));
            }
        }
    }
}

fn dump(blob: &[u8], out: &mut String) {
    out.push('"');
    for t in 0..usize::from(rd_u8(blob, NTESTS)).min(MAXSIZE + 1) {
        if t > 0 {
            out.push_str("&&");
        }
        out.push_str(&format!("0x{:x}", rd_u32(blob, loc_off(t, 0))));
        let nnums = usize::from(rd_u8(blob, t * TEST_SIZE + NNUMS)).min(MAXSIZE + 1);
        for i in 1..nnums {
            out.push_str(match rd_u8(blob, loc_off(t, i) + 4) {
                OP_AND => "&",
                OP_LEFTSH => "<<",
                OP_RIGHTSH => ">>",
                OP_AT => "@",
                _ => "",
            });
            out.push_str(&format!("0x{:x}", rd_u32(blob, loc_off(t, i))));
        }
        out.push('=');
        let nvalues = usize::from(rd_u8(blob, t * TEST_SIZE + NVALUES)).min(MAXSIZE + 1);
        for i in 0..nvalues {
            if i > 0 {
                out.push(',');
            }
            let (min, max) = (rd_u32(blob, val_off(t, i)), rd_u32(blob, val_off(t, i) + 4));
            if min == max {
                out.push_str(&format!("0x{min:x}"));
            } else {
                out.push_str(&format!("0x{min:x}:0x{max:x}"));
            }
        }
    }
    out.push('"');
}

impl Extension for U32 {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "u32"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        _opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        wr_u8(&mut st.blob, INVERT, u8::from(invert));
        parse_tests(arg.unwrap_or(""), &mut st.blob)
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(err_mandatory("u32", "u32"));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" u32");
        if rd_u8(blob, INVERT) != 0 {
            out.push_str(" !");
        }
        out.push(' ');
        dump(blob, out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u8(blob, INVERT) != 0 {
            out.push_str(" !");
        }
        out.push_str(" --u32 ");
        dump(blob, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(args: &[&str]) -> XtResult<crate::tables::ext::testing::Parsed> {
        run(Kind::Match, "u32", Family::V4, 0, "filter", "INPUT", args)
    }

    #[test]
    fn corpus_and_observed() {
        let p = t(&["--u32", "0x0=0x0&&0x0=0x1"]).unwrap();
        assert_eq!(p.save, " -m u32 --u32 \"0x0=0x0&&0x0=0x1\"");
        assert_eq!(p.print, " u32 \"0x0=0x0&&0x0=0x1\"");
        // iptables -vvv: two tests of one location and one value each.
        let mut want = vec![0u8; SIZE];
        want[176] = 1;
        want[177] = 1;
        want[180 + 88] = 1;
        want[180 + 88 + 4] = 1;
        want[180 + 176] = 1;
        want[180 + 177] = 1;
        want[1980] = 2;
        assert_eq!(p.blob, want);
        for (arg, saved) in [
            (
                "0 >> 22 & 0x3C @ 12 >> 26 & 0x3C = 0:5,7",
                "0x0>>0x16&0x3c@0xc>>0x1a&0x3c=0x0:0x5,0x7",
            ),
            ("0=1:2,3", "0x0=0x1:0x2,0x3"),
            ("0 = 1 && 2=3 ", "0x0=0x1&&0x2=0x3"),
        ] {
            let p = t(&["!", "--u32", arg]).unwrap();
            assert_eq!(p.save, format!(" -m u32 ! --u32 \"{saved}\""));
            assert_eq!(p.print, format!(" u32 ! \"{saved}\""));
        }
        let e = |a: &str| t(&["--u32", a]).unwrap_err().msg;
        assert_eq!(e("=1"), "u32: at char 0: location spec missing");
        assert_eq!(e("0"), "u32: abrupt end of input after location specifier");
        assert_eq!(e("0=1&2"), "u32: at char 4: a second '&' was expected");
        assert_eq!(e("0=1,&&"), "u32: at char 4: not a number or out of range");
        assert_eq!(e("0<1=2"), "u32: at char 2: a second '<' was expected");
        assert_eq!(e("0x=1"), "u32: at char 1: operator expected");
        assert_eq!(
            e("0=99999999999"),
            "u32: at char 2: not a number or out of range"
        );
        assert_eq!(e("0=-1"), "u32: at char 2: not a number or out of range");
        assert_eq!(
            e("0=1&&"),
            "u32: abrupt end of input after location specifier"
        );
    }
}
