//! `helper` match: the connection's conntrack helper name (`--helper ftp`,
//! `ftp-21` for a helper on a given port).
//!
//! Kernel struct `struct xt_helper_info { int invert; char name[30]; }`
//! (`xt_helper.h`), revision 0, 40 bytes; longer names keep 29 bytes.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_str, rd_u32, save_string, wr_str, wr_u32};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 40;
const NAME: usize = 4;
const NAME_LEN: usize = 30;

/// The `helper` match.
pub struct Helper;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Helper];

static OPTS: &[Opt] = &[Opt::req_inv("helper")];

impl Extension for Helper {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "helper"
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
        wr_u32(&mut st.blob, 0, invert as u32);
        wr_str(&mut st.blob, NAME, NAME_LEN, arg.unwrap_or(""));
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "helper: option \"--helper\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" helper match ");
        if rd_u32(blob, 0) != 0 {
            out.push_str("! ");
        }
        out.push('"');
        out.push_str(&rd_str(blob, NAME, NAME_LEN));
        out.push('"');
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u32(blob, 0) != 0 {
            out.push_str(" !");
        }
        out.push_str(" --helper ");
        save_string(&rd_str(blob, NAME, NAME_LEN), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};

    #[test]
    fn corpus_lines() {
        for l in ["-m helper --helper ftp;=;OK", "-m helper;;FAIL"] {
            check(Family::V4, "INPUT", l);
            check(Family::V6, "INPUT", l);
        }
    }

    #[test]
    fn observed() {
        let p = parse(Family::V4, "INPUT", "-m helper ! --helper ftp-21").unwrap();
        assert_eq!(p.save, " -m helper ! --helper ftp-21");
        assert_eq!(p.print, " helper match ! \"ftp-21\"");
        let p = parse(Family::V4, "INPUT", "-m helper --helper \"a b\"").unwrap();
        assert_eq!(p.save, " -m helper --helper \"a b\"");
        assert_eq!(p.print_numeric, " helper match \"a b\"");
        let long = "a".repeat(39);
        let p = parse(Family::V4, "INPUT", &format!("-m helper --helper {long}")).unwrap();
        assert_eq!(p.save, format!(" -m helper --helper {}", "a".repeat(29)));
        assert_eq!(p.blob.len(), 40);
        assert_eq!(p.blob[33], 0);
    }
}
