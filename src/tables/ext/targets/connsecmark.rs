//! `CONNSECMARK` target: copies the security mark between packet and
//! connection (`struct xt_connsecmark_target_info { __u8 mode; }`,
//! revision 0, 8 bytes; `CONNSECMARK_SAVE` 1, `CONNSECMARK_RESTORE` 2).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u8, wr_u8};
use crate::tables::ext::xtables::xt_fcheck;
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// `CONNSECMARK_SAVE`
const SAVE: u8 = 1;
/// `CONNSECMARK_RESTORE`
const RESTORE: u8 = 2;

/// The `CONNSECMARK` target.
pub struct Connsecmark;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Connsecmark];

static OPTS: &[Opt] = &[Opt::flag("save"), Opt::flag("restore")];
static IDS: &[u32] = &[0, 1];
static EXCL: &[u32] = &[2, 1];

impl Extension for Connsecmark {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "CONNSECMARK"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        8
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        _arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        wr_u8(&mut st.blob, 0, if opt == "save" { SAVE } else { RESTORE });
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        xt_fcheck("CONNSECMARK", OPTS, IDS, EXCL, 0, st.seen)?;
        if st.seen == 0 {
            return Err(XtError::param("CONNSECMARK target: parameter required"));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" CONNSECMARK");
        match rd_u8(blob, 0) {
            SAVE => out.push_str(" save"),
            RESTORE => out.push_str(" restore"),
            m => out.push_str(&format!(" invalid mode {m}")),
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        match rd_u8(blob, 0) {
            SAVE => out.push_str(" --save"),
            RESTORE => out.push_str(" --restore"),
            m => out.push_str(&format!(" invalid mode {m}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    #[test]
    fn corpus() {
        let t = |a: &[&str]| {
            run(
                Kind::Target,
                "CONNSECMARK",
                Family::V4,
                0,
                "mangle",
                "OUTPUT",
                a,
            )
        };
        for (opt, v) in [("restore", 2), ("save", 1)] {
            let p = t(&[&format!("--{opt}")]).unwrap();
            assert_eq!(p.save, format!(" -j CONNSECMARK --{opt}"));
            assert_eq!(p.print, format!(" CONNSECMARK {opt}"));
            assert_eq!(p.blob, [v, 0, 0, 0, 0, 0, 0, 0]);
        }
        assert_eq!(
            t(&[]).unwrap_err().msg,
            "CONNSECMARK target: parameter required"
        );
        assert_eq!(
            t(&["--save", "--restore"]).unwrap_err().msg,
            "CONNSECMARK: option \"--save\" cannot be used together with \"--restore\".\n"
        );
    }
}
