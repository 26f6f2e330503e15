//! `CHECKSUM` target: fills in the checksum of packets that lack one
//! (`struct xt_CHECKSUM_info { __u8 operation; }`, revision 0, 8 bytes;
//! `XT_CHECKSUM_OP_FILL` 1).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u8, wr_u8};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// `XT_CHECKSUM_OP_FILL`
const OP_FILL: u8 = 1;

/// The `CHECKSUM` target.
pub struct Checksum;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Checksum];

static OPTS: &[Opt] = &[Opt::flag("checksum-fill")];

impl Extension for Checksum {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "CHECKSUM"
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
        _arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        wr_u8(&mut st.blob, 0, OP_FILL);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "CHECKSUM: option \"--checksum-fill\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" CHECKSUM");
        if rd_u8(blob, 0) & OP_FILL != 0 {
            out.push_str(" fill");
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u8(blob, 0) & OP_FILL != 0 {
            out.push_str(" --checksum-fill");
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
                "CHECKSUM",
                Family::V4,
                0,
                "mangle",
                "PREROUTING",
                a,
            )
        };
        let p = t(&["--checksum-fill"]).unwrap();
        assert_eq!(p.save, " -j CHECKSUM --checksum-fill");
        assert_eq!(p.print, " CHECKSUM fill");
        assert_eq!(p.print_numeric, " CHECKSUM fill");
        assert_eq!(p.blob, [1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            t(&[]).unwrap_err().msg,
            "CHECKSUM: option \"--checksum-fill\" must be specified\n"
        );
    }
}
