//! `rpfilter` match: reverse-path filter (does the route back to the
//! source leave through the incoming interface?).
//!
//! Kernel struct `xt_rpfilter_info` (revision 0, 8 bytes): `u8 flags`
//! (`XT_RPFILTER_LOOSE` 1, `_VALID_MARK` 2, `_ACCEPT_LOCAL` 4, `_INVERT`
//! 8). The kernel allows it only in the raw and mangle tables' PREROUTING
//! chains.

use crate::tables::error::XtResult;
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u8, wr_u8};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 8;

const FLAGS: [(u8, &str); 4] = [
    (1, "loose"),
    (2, "validmark"),
    (4, "accept-local"),
    (8, "invert"),
];

/// The `rpfilter` match.
pub struct Rpfilter;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Rpfilter];

static OPTS: &[Opt] = &[
    Opt::flag("loose"),
    Opt::flag("validmark"),
    Opt::flag("accept-local"),
    Opt::flag("invert"),
];

impl Extension for Rpfilter {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "rpfilter"
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
        _arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let bit = FLAGS.iter().find(|(_, n)| *n == opt).map_or(0, |(b, _)| *b);
        let f = rd_u8(&st.blob, 0);
        wr_u8(&mut st.blob, 0, f | bit);
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" rpfilter");
        let f = rd_u8(blob, 0);
        for (bit, name) in FLAGS {
            if f & bit != 0 {
                out.push(' ');
                out.push_str(name);
            }
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let f = rd_u8(blob, 0);
        for (bit, name) in FLAGS {
            if f & bit != 0 {
                out.push_str(" --");
                out.push_str(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    #[test]
    fn corpus() {
        let p = run(
            Kind::Match,
            "rpfilter",
            Family::V4,
            0,
            "mangle",
            "PREROUTING",
            &[],
        )
        .unwrap();
        assert_eq!(p.save, " -m rpfilter");
        assert_eq!(p.print, " rpfilter");
        let args = ["--loose", "--validmark", "--accept-local", "--invert"];
        let p = run(
            Kind::Match,
            "rpfilter",
            Family::V6,
            0,
            "mangle",
            "PREROUTING",
            &args,
        )
        .unwrap();
        assert_eq!(
            p.save,
            " -m rpfilter --loose --validmark --accept-local --invert"
        );
        assert_eq!(p.print, " rpfilter loose validmark accept-local invert");
        assert_eq!(p.print_numeric, p.print);
        // iptables -vvv -t mangle -A PREROUTING -m rpfilter --loose ...
        assert_eq!(p.blob, vec![0x0f, 0, 0, 0, 0, 0, 0, 0]);
    }
}
