//! `dscp` match: compares the DiffServ code point (the upper six bits of
//! the IPv4 TOS / IPv6 traffic class) with a value or a class name.
//!
//! Kernel struct `xt_dscp_info` (revision 0, 8 bytes): `u8 dscp`, `u8
//! invert`.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u8, wr_u8};
use crate::tables::ext::xtables::{class_to_dscp, options_fcheck, strtoul_full, xflags, XtEntry};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const DSCP: usize = 0;
const INVERT: usize = 1;
const SIZE: usize = 8;

/// `XT_DSCP_MAX`
const DSCP_MAX: u64 = 0x3f;

/// The `dscp` match.
pub struct Dscp;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Dscp];

static OPTS: &[Opt] = &[Opt::req_inv("dscp"), Opt::req_inv("dscp-class")];

static TABLE: &[XtEntry] = &[
    XtEntry::new("dscp", 0).excl(2),
    XtEntry::new("dscp-class", 1).excl(1),
];

impl Extension for Dscp {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "dscp"
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
        let a = arg.unwrap_or("");
        let v = if opt == "dscp" {
            strtoul_full(a, 0, DSCP_MAX).ok_or_else(|| {
                crate::tables::ext::xtables::err_range("dscp", "dscp", 0, DSCP_MAX)
            })? as u8
        } else {
            class_to_dscp(a)?
        };
        wr_u8(&mut st.blob, DSCP, v);
        if invert {
            wr_u8(&mut st.blob, INVERT, 1);
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        let xf = xflags(self, st, TABLE);
        if xf == 0 {
            return Err(XtError::param("DSCP match: Parameter --dscp is required"));
        }
        options_fcheck("dscp", TABLE, xf)
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" DSCP match ");
        if rd_u8(blob, INVERT) != 0 {
            out.push('!');
        }
        out.push_str(&format!("0x{:02x}", rd_u8(blob, DSCP)));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u8(blob, INVERT) != 0 {
            out.push_str(" !");
        }
        out.push_str(&format!(" --dscp 0x{:02x}", rd_u8(blob, DSCP)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(fam: Family, line: &str) -> XtResult<crate::tables::ext::testing::Parsed> {
        let w: Vec<&str> = line.split_whitespace().collect();
        run(Kind::Match, "dscp", fam, 0, "filter", "INPUT", &w)
    }

    #[test]
    fn corpus_and_observed() {
        for fam in [Family::V4, Family::V6] {
            for (rule, save, print) in [
                ("--dscp 0x00", "--dscp 0x00", " DSCP match 0x00"),
                ("--dscp 0x3f", "--dscp 0x3f", " DSCP match 0x3f"),
                ("--dscp-class CS0", "--dscp 0x00", " DSCP match 0x00"),
                ("--dscp-class BE", "--dscp 0x00", " DSCP match 0x00"),
                ("--dscp-class EF", "--dscp 0x2e", " DSCP match 0x2e"),
                ("! --dscp 5", "! --dscp 0x05", " DSCP match !0x05"),
                ("! --dscp-class af41", "! --dscp 0x22", " DSCP match !0x22"),
                ("--dscp-class cs7", "--dscp 0x38", " DSCP match 0x38"),
            ] {
                let p = t(fam, rule).unwrap();
                assert_eq!(p.save, format!(" -m dscp {save}"));
                assert_eq!(p.print, print);
                assert_eq!(p.print_numeric, print);
            }
        }
        let e = |r: &str| t(Family::V4, r).unwrap_err().msg;
        let range = "dscp: bad value for option \"--dscp\", or out of range (0-63).\n";
        assert_eq!(e("--dscp -1"), range);
        assert_eq!(e("--dscp 0x40"), range);
        assert_eq!(
            e("--dscp 0x3f --dscp-class CS0"),
            "dscp: option \"--dscp\" cannot be used together with \"--dscp-class\".\n"
        );
        assert_eq!(e(""), "DSCP match: Parameter --dscp is required");
        assert_eq!(e("--dscp-class CS8"), "Invalid DSCP value `CS8'");
        // iptables -vvv -A INPUT -m dscp ! --dscp 5
        assert_eq!(
            t(Family::V4, "! --dscp 5").unwrap().blob,
            vec![5, 1, 0, 0, 0, 0, 0, 0]
        );
    }
}
