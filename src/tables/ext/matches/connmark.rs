//! `connmark` match: tests the connection's mark (`[!] --mark V[/M]`).
//!
//! Kernel struct `struct xt_connmark_mtinfo1 { u32 mark, mask; u8 invert; }`
//! (`xt_connmark.h`), revision 1, 16 bytes, host byte order.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::matches::conntrack::parse_val_mask;
use crate::tables::ext::util::{mark_mask_text, rd_u32, rd_u8, wr_u32, wr_u8};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 16;
const MARK: usize = 0;
const MASK: usize = 4;
const INVERT: usize = 8;

/// The `connmark` match.
pub struct Connmark;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Connmark];

static OPTS: &[Opt] = &[Opt::req_inv("mark")];

impl Extension for Connmark {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "connmark"
    }
    fn revision(&self) -> u32 {
        1
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
        let (v, m) = parse_val_mask("connmark", "mark", arg.unwrap_or(""), None)?;
        wr_u32(&mut st.blob, MARK, v);
        wr_u32(&mut st.blob, MASK, m);
        wr_u8(&mut st.blob, INVERT, invert as u8);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "connmark: option \"--mark\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" connmark match ");
        if rd_u8(blob, INVERT) != 0 {
            out.push('!');
        }
        out.push(' ');
        out.push_str(&mark_mask_text(rd_u32(blob, MARK), rd_u32(blob, MASK)));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u8(blob, INVERT) != 0 {
            out.push_str(" !");
        }
        out.push_str(" --mark ");
        out.push_str(&mark_mask_text(rd_u32(blob, MARK), rd_u32(blob, MASK)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};

    #[test]
    fn corpus_lines() {
        for l in [
            "-m connmark --mark 0xffffffff;=;OK",
            "-m connmark --mark 0xffffffff/0xffffffff;-m connmark --mark 0xffffffff;OK",
            "-m connmark --mark 0xffffffff/0x0;=;OK",
            "-m connmark --mark 0/0xffffffff;-m connmark --mark 0x0;OK",
            "-m connmark --mark -1;;FAIL",
            "-m connmark --mark 0xfffffffff;;FAIL",
            "-m connmark;;FAIL",
        ] {
            check(Family::V4, "PREROUTING", l);
            check(Family::V6, "PREROUTING", l);
        }
    }

    #[test]
    fn observed() {
        let p = parse(Family::V4, "INPUT", "-m connmark ! --mark 5/0xff").unwrap();
        assert_eq!(p.save, " -m connmark ! --mark 0x5/0xff");
        assert_eq!(p.print, " connmark match ! 0x5/0xff");
        // iptables -vvv: 05 00 00 00 ff 00 00 00 01 00 00 00 00 00 00 00
        assert_eq!(p.blob, [5, 0, 0, 0, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
        let p = parse(Family::V4, "INPUT", "-m connmark --mark 010").unwrap();
        assert_eq!(p.save, " -m connmark --mark 0x8");
        assert_eq!(p.print_numeric, " connmark match  0x8");
        let e = parse(Family::V4, "INPUT", "-m connmark --mark 1/").unwrap_err();
        assert_eq!(
            e.msg,
            "connmark: bad integer value for option \"--mark\", or out of range.\n"
        );
        let e = parse(Family::V4, "INPUT", "-m connmark --mark 1/2x").unwrap_err();
        assert_eq!(
            e.msg,
            "connmark: trailing garbage after value for option \"--mark\".\n"
        );
    }
}
