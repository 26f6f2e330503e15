//! `AUDIT` target: sends an audit record for the packet (`struct
//! xt_audit_info { __u8 type; }`, revision 0, 8 bytes; `XT_AUDIT_TYPE_ACCEPT`
//! 0, `_DROP` 1, `_REJECT` 2).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u8, wr_u8};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// Type names by value.
static TYPES: &[&str] = &["accept", "drop", "reject"];

/// The `AUDIT` target.
pub struct Audit;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Audit];

static OPTS: &[Opt] = &[Opt::req("type")];

impl Extension for Audit {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "AUDIT"
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
        _opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let arg = arg.unwrap_or("");
        let t = TYPES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(arg))
            .ok_or_else(|| XtError::param(format!("Bad action type value \"{arg}\"")))?;
        wr_u8(&mut st.blob, 0, t as u8);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "AUDIT: option \"--type\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" AUDIT ");
        out.push_str(type_name(blob));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" --type ");
        out.push_str(type_name(blob));
    }
}

/// The blob's type name (`?` for an unknown value).
fn type_name(blob: &[u8]) -> &'static str {
    TYPES.get(rd_u8(blob, 0) as usize).copied().unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    #[test]
    fn corpus() {
        let t = |a: &[&str]| run(Kind::Target, "AUDIT", Family::V4, 0, "filter", "INPUT", a);
        for (i, ty) in ["accept", "drop", "reject"].iter().enumerate() {
            let p = t(&["--type", ty]).unwrap();
            assert_eq!(p.save, format!(" -j AUDIT --type {ty}"));
            assert_eq!(p.print, format!(" AUDIT {ty}"));
            assert_eq!(p.blob, [i as u8, 0, 0, 0, 0, 0, 0, 0]);
        }
        assert_eq!(
            t(&["--type", "DROP"]).unwrap().save,
            " -j AUDIT --type drop"
        );
        assert_eq!(
            t(&[]).unwrap_err().msg,
            "AUDIT: option \"--type\" must be specified\n"
        );
        assert_eq!(
            t(&["--type", "wrong"]).unwrap_err().msg,
            "Bad action type value \"wrong\""
        );
    }
}
