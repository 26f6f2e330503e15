//! `length` match: the packet's layer-3 length lies in `MIN[:MAX]`.
//!
//! Kernel struct `struct xt_length_info { u16 min, max; u8 invert; }`
//! (`xt_length.h`), revision 0, 8 bytes, host byte order.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u16, rd_u8, wr_u16, wr_u8};
use crate::tables::ext::xtables::parse_mint;
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 8;

/// The `length` match.
pub struct Length;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Length];

static OPTS: &[Opt] = &[Opt::req_inv("length")];

fn range_text(blob: &[u8]) -> String {
    let (lo, hi) = (rd_u16(blob, 0), rd_u16(blob, 2));
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}:{hi}")
    }
}

impl Extension for Length {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "length"
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
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let v = parse_mint("length", opt, arg.unwrap_or(""), 65535, 2)?;
        let lo = v.first().copied().unwrap_or(0) as u16;
        let hi = v.get(1).map_or(lo, |&h| h as u16);
        wr_u16(&mut st.blob, 0, lo);
        wr_u16(&mut st.blob, 2, hi);
        wr_u8(&mut st.blob, 4, invert as u8);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "length: option \"--length\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" length ");
        if rd_u8(blob, 4) != 0 {
            out.push('!');
        }
        out.push_str(&range_text(blob));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u8(blob, 4) != 0 {
            out.push_str(" !");
        }
        out.push_str(" --length ");
        out.push_str(&range_text(blob));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};

    #[test]
    fn corpus_lines() {
        for l in [
            "-m length --length 1;=;OK",
            "-m length --length :2;-m length --length 0:2;OK",
            "-m length --length 0:3;=;OK",
            "-m length --length 4:;-m length --length 4:65535;OK",
            "-m length --length 0:65535;=;OK",
            "-m length ! --length 0:65535;=;OK",
            "-m length --length 0:65536;;FAIL",
            "-m length --length -1:65535;;FAIL",
            "-m length;;FAIL",
        ] {
            check(Family::V4, "INPUT", l);
            check(Family::V6, "INPUT", l);
        }
    }

    #[test]
    fn observed() {
        let p = parse(Family::V4, "INPUT", "-m length ! --length 100:200").unwrap();
        assert_eq!(p.save, " -m length ! --length 100:200");
        assert_eq!(p.print, " length !100:200");
        // iptables -vvv: 64 00 c8 00 01 00 00 00
        assert_eq!(p.blob, [0x64, 0, 0xc8, 0, 1, 0, 0, 0]);
        let p = parse(Family::V4, "INPUT", "-m length --length 0x10:010").unwrap();
        assert_eq!(p.save, " -m length --length 16:8");
        let p = parse(Family::V4, "INPUT", "-m length --length :").unwrap();
        assert_eq!(p.print_numeric, " length 0:65535");
        let e = |r: &str| parse(Family::V4, "INPUT", r).unwrap_err().msg;
        assert_eq!(
            e("-m length --length 5-6"),
            "length: Argument to \"--length\" has unexpected characters near \"-6\".\n"
        );
        assert_eq!(
            e("-m length --length -1:65535"),
            "length: bad value for option \"--length\" near \"-1:65535\", or out of range (0-65535).\n"
        );
        assert_eq!(
            e("-m length --length 0:65536"),
            "length: bad value for option \"--length\" near \"65536\", or out of range (0-65535).\n"
        );
        assert_eq!(
            e("-m length --length 1:2:3"),
            "length: Too many components for option \"--length\" (max: 2)\n"
        );
    }
}
