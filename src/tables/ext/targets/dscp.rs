//! `DSCP` target: rewrites the DSCP bits of the IPv4 TOS / IPv6 traffic
//! class (`struct xt_DSCP_info { __u8 dscp; }`, revision 0, 8 bytes).
//! `--set-dscp-class NAME` is stored as its number; save prints
//! `--set-dscp 0xNN`.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u8, wr_u8};
use crate::tables::ext::xtables::{class_to_dscp, xt_fcheck, xt_uint};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// The `DSCP` target.
pub struct Dscp;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Dscp];

static OPTS: &[Opt] = &[Opt::req("set-dscp"), Opt::req("set-dscp-class")];
static IDS: &[u32] = &[0, 1];
static EXCL: &[u32] = &[2, 1];

impl Extension for Dscp {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "DSCP"
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
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let v = if opt == "set-dscp" {
            xt_uint("DSCP", opt, arg, 0, 0x3f)? as u8
        } else {
            class_to_dscp(arg.unwrap_or(""))?
        };
        wr_u8(&mut st.blob, 0, v);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        xt_fcheck("DSCP", OPTS, IDS, EXCL, 0, st.seen)?;
        if st.seen == 0 {
            return Err(XtError::param(
                "DSCP target: Parameter --set-dscp is required",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(&format!(" DSCP set 0x{:02x}", rd_u8(blob, 0)));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(&format!(" --set-dscp 0x{:02x}", rd_u8(blob, 0)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn t(args: &str) -> XtResult<Parsed> {
        let a: Vec<&str> = args.split(' ').filter(|s| !s.is_empty()).collect();
        run(
            Kind::Target,
            "DSCP",
            Family::V4,
            0,
            "mangle",
            "POSTROUTING",
            &a,
        )
    }

    #[test]
    fn corpus() {
        for (args, saved) in [
            ("--set-dscp 0x00", "--set-dscp 0x00"),
            ("--set-dscp 0x3f", "--set-dscp 0x3f"),
            ("--set-dscp-class CS0", "--set-dscp 0x00"),
            ("--set-dscp-class BE", "--set-dscp 0x00"),
            ("--set-dscp-class EF", "--set-dscp 0x2e"),
        ] {
            assert_eq!(t(args).unwrap().save, format!(" -j DSCP {saved}"), "{args}");
        }
        for args in [
            "--set-dscp -1",
            "--set-dscp 0x40",
            "--set-dscp 0x3f --set-dscp-class CS0",
            "",
        ] {
            assert!(t(args).is_err(), "{args}");
        }
    }

    #[test]
    fn observed() {
        let p = t("--set-dscp 10").unwrap();
        assert_eq!(p.save, " -j DSCP --set-dscp 0x0a");
        assert_eq!(p.print, " DSCP set 0x0a");
        assert_eq!(p.print_numeric, " DSCP set 0x0a");
        assert_eq!(p.blob, [0x0a, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(t("--set-dscp-class ef").unwrap().print, " DSCP set 0x2e");
        for (args, msg) in [
            (
                "--set-dscp 0x40",
                "DSCP: bad value for option \"--set-dscp\", or out of range (0-63).\n",
            ),
            ("--set-dscp-class foo", "Invalid DSCP value `foo'"),
            (
                "--set-dscp 1 --set-dscp-class CS0",
                "DSCP: option \"--set-dscp\" cannot be used together with \"--set-dscp-class\".\n",
            ),
            ("", "DSCP target: Parameter --set-dscp is required"),
        ] {
            assert_eq!(t(args).unwrap_err().msg, msg, "{args}");
        }
    }
}
