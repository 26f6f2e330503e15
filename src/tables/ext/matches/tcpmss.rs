//! `tcpmss` match: compares the MSS option of TCP SYN packets with a value
//! or range.
//!
//! Kernel struct `xt_tcpmss_match_info` (revision 0, 8 bytes): `u16
//! mss_min`, `u16 mss_max`, `u8 invert`. The kernel accepts it only in rules
//! with `-p tcp` (iptables itself does not check).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u16, rd_u8, wr_u16, wr_u8};
use crate::tables::ext::xtables::{err_mandatory, parse_mint};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const MIN: usize = 0;
const MAX: usize = 2;
const INVERT: usize = 4;
const SIZE: usize = 8;

/// The `tcpmss` match.
pub struct Tcpmss;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Tcpmss];

static OPTS: &[Opt] = &[Opt::req_inv("mss")];

fn range_text(blob: &[u8], out: &mut String) {
    let (lo, hi) = (rd_u16(blob, MIN), rd_u16(blob, MAX));
    if lo == hi {
        out.push_str(&lo.to_string());
    } else {
        out.push_str(&format!("{lo}:{hi}"));
    }
}

impl Extension for Tcpmss {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "tcpmss"
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
        let v = parse_mint("tcpmss", "mss", arg.unwrap_or(""), 65535, 2)?;
        let lo = v.first().copied().unwrap_or(0) as u16;
        let hi = v.get(1).map_or(lo, |h| *h as u16);
        if lo > hi {
            return Err(XtError::param("tcpmss: invalid range given"));
        }
        wr_u16(&mut st.blob, MIN, lo);
        wr_u16(&mut st.blob, MAX, hi);
        wr_u8(&mut st.blob, INVERT, u8::from(invert));
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(err_mandatory("tcpmss", "mss"));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" tcpmss match ");
        if rd_u8(blob, INVERT) != 0 {
            out.push('!');
        }
        range_text(blob, out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u8(blob, INVERT) != 0 {
            out.push_str(" !");
        }
        out.push_str(" --mss ");
        range_text(blob, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(line: &str) -> XtResult<crate::tables::ext::testing::Parsed> {
        let w: Vec<&str> = line.split_whitespace().collect();
        run(Kind::Match, "tcpmss", Family::V4, 6, "filter", "INPUT", &w)
    }

    #[test]
    fn corpus_and_observed() {
        for (rule, save, print) in [
            ("--mss 42", "--mss 42", " tcpmss match 42"),
            ("--mss 42:12345", "--mss 42:12345", " tcpmss match 42:12345"),
            ("! --mss 5:", "! --mss 5:65535", " tcpmss match !5:65535"),
            ("--mss :5", "--mss 0:5", " tcpmss match 0:5"),
            ("--mss :", "--mss 0:65535", " tcpmss match 0:65535"),
            ("--mss 0x10", "--mss 16", " tcpmss match 16"),
        ] {
            let p = t(rule).unwrap();
            assert_eq!(p.save, format!(" -m tcpmss {save}"));
            assert_eq!(p.print, print);
            assert_eq!(p.print_numeric, print);
        }
        let e = |r: &str| t(r).unwrap_err().msg;
        assert_eq!(
            e("--mss 42:65536"),
            "tcpmss: bad value for option \"--mss\" near \"65536\", or out of range (0-65535).\n"
        );
        assert_eq!(e("--mss 65535:1000"), "tcpmss: invalid range given");
        assert_eq!(
            e("--mss 1:2:3"),
            "tcpmss: Too many components for option \"--mss\" (max: 2)\n"
        );
        assert_eq!(
            e("--mss 5x"),
            "tcpmss: Argument to \"--mss\" has unexpected characters near \"x\".\n"
        );
        assert_eq!(e(""), "tcpmss: option \"--mss\" must be specified\n");
        // `-m tcpmss --mss 42` without `-p tcp` parses; the kernel refuses it.
        assert!(run(
            Kind::Match,
            "tcpmss",
            Family::V4,
            0,
            "filter",
            "INPUT",
            &["--mss", "42"]
        )
        .is_ok());
        // iptables -vvv -A INPUT -p tcp -m tcpmss ! --mss 5:7
        assert_eq!(t("! --mss 5:7").unwrap().blob, vec![5, 0, 7, 0, 1, 0, 0, 0]);
    }
}
