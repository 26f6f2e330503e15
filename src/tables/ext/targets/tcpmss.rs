//! `TCPMSS` target: rewrites the MSS option of TCP SYN packets, to a fixed
//! value or to the path MTU (`struct xt_tcpmss_info { __u16 mss; }`,
//! revision 0, 8 bytes; `mss` 0xffff means `--clamp-mss-to-pmtu`).
//!
//! iptables-nft 1.8.9 does not insist on `-p tcp` (only legacy does).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u16, wr_u16};
use crate::tables::ext::xtables::xt_uint;
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// `XT_TCPMSS_CLAMP_PMTU`
const CLAMP_PMTU: u16 = 0xffff;

/// The `TCPMSS` target.
pub struct Tcpmss;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Tcpmss];

static OPTS: &[Opt] = &[Opt::req("set-mss"), Opt::flag("clamp-mss-to-pmtu")];

impl Extension for Tcpmss {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "TCPMSS"
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
        ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let mss = if opt == "set-mss" {
            // 65535 minus the minimal IP header and the TCP header.
            let max = match ctx.family {
                Family::V6 => 65535 - 40,
                _ => 65535 - 20,
            };
            xt_uint("TCPMSS", opt, arg, 0, max)? as u16
        } else {
            CLAMP_PMTU
        };
        wr_u16(&mut st.blob, 0, mss);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "TCPMSS target: At least one parameter is required",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        match rd_u16(blob, 0) {
            CLAMP_PMTU => out.push_str(" TCPMSS clamp to PMTU"),
            mss => out.push_str(&format!(" TCPMSS set {mss}")),
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        match rd_u16(blob, 0) {
            CLAMP_PMTU => out.push_str(" --clamp-mss-to-pmtu"),
            mss => out.push_str(&format!(" --set-mss {mss}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn t(fam: Family, args: &str) -> XtResult<Parsed> {
        let a: Vec<&str> = args.split(' ').filter(|s| !s.is_empty()).collect();
        run(Kind::Target, "TCPMSS", fam, 6, "mangle", "POSTROUTING", &a)
    }

    #[test]
    fn corpus() {
        for (args, print) in [
            ("--set-mss 42", " TCPMSS set 42"),
            ("--clamp-mss-to-pmtu", " TCPMSS clamp to PMTU"),
        ] {
            let p = t(Family::V4, args).unwrap();
            assert_eq!(p.save, format!(" -j TCPMSS {args}"));
            assert_eq!(p.print, print);
            assert_eq!(p.print_numeric, print);
        }
        assert_eq!(
            t(Family::V4, "").unwrap_err().msg,
            "TCPMSS target: At least one parameter is required"
        );
    }

    #[test]
    fn observed() {
        assert_eq!(
            t(Family::V4, "--set-mss 42").unwrap().blob,
            [42, 0, 0, 0, 0, 0, 0, 0]
        );
        let p = t(Family::V4, "--set-mss 42 --clamp-mss-to-pmtu").unwrap();
        assert_eq!(p.blob, [0xff, 0xff, 0, 0, 0, 0, 0, 0]);
        let p = t(Family::V4, "--clamp-mss-to-pmtu --set-mss 42").unwrap();
        assert_eq!(p.save, " -j TCPMSS --set-mss 42");
        assert_eq!(t(Family::V4, "--set-mss 0").unwrap().print, " TCPMSS set 0");
        assert_eq!(
            t(Family::V4, "--set-mss 65516").unwrap_err().msg,
            "TCPMSS: bad value for option \"--set-mss\", or out of range (0-65515).\n"
        );
        assert_eq!(
            t(Family::V6, "--set-mss 65496").unwrap_err().msg,
            "TCPMSS: bad value for option \"--set-mss\", or out of range (0-65495).\n"
        );
        assert!(t(Family::V6, "--set-mss 65495").is_ok());
    }
}
