//! `nfacct` match: counts packets in a named nfacct accounting object
//! (`--nfacct-name NAME`); it always matches.
//!
//! Kernel struct `struct xt_nfacct_match_info { char name[32]; <kernel
//! pointer> }` (`xt_nfacct.h`), revision 0, 40 bytes, userspace size 32.
//! The kernel refuses the rule (ENOENT) unless the object exists. iptables
//! 1.8.9 prints the name with two spaces before it (`nfacct-name  NAME`).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_str, save_string, wr_str};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const NAME_LEN: usize = 32;

/// The `nfacct` match.
pub struct Nfacct;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Nfacct];

static OPTS: &[Opt] = &[Opt::req("nfacct-name")];

impl Extension for Nfacct {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "nfacct"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        40
    }
    fn userspace_size(&self, _family: Family) -> usize {
        NAME_LEN
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        _opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let a = arg.unwrap_or("");
        if a.is_empty() {
            return Err(XtError::param(
                "Argument must have a minimum length of 1 characters\n",
            ));
        }
        if a.contains('\n') {
            return Err(XtError::param("Newlines not allowed in --nfacct-name"));
        }
        wr_str(&mut st.blob, 0, NAME_LEN, a);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "nfacct: option \"--nfacct-name\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" nfacct-name  ");
        save_string(&rd_str(blob, 0, NAME_LEN), out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" --nfacct-name  ");
        save_string(&rd_str(blob, 0, NAME_LEN), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};

    #[test]
    fn corpus_lines() {
        check(Family::V4, "INPUT", "-m nfacct;;FAIL");
        // `--nfacct-name wrong;;FAIL` is the kernel's ENOENT.
    }

    #[test]
    fn texts() {
        let p = parse(Family::V4, "INPUT", "-m nfacct --nfacct-name test").unwrap();
        assert_eq!(p.save, " -m nfacct --nfacct-name  test");
        assert_eq!(p.print, " nfacct-name  test");
        assert_eq!(p.blob.len(), 40);
        assert_eq!(&p.blob[..5], b"test\0");
    }
}
