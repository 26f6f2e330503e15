//! `TTL` target (IPv4): sets, increments or decrements the IP TTL
//! (`struct ipt_TTL_info { __u8 mode, ttl; }`, revision 0, 8 bytes; mode
//! `IPT_TTL_SET` 0, `_INC` 1, `_DEC` 2). The IPv6 twin `HL` (`hl.rs`)
//! shares this implementation.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u8, wr_u8};
use crate::tables::ext::xtables::{xt_fcheck, xt_uint};
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

/// A TTL/hop-limit rewriting target: `NAME` with options `PRE-set`,
/// `PRE-dec`, `PRE-inc` (in that table order).
pub struct HopTarget {
    /// `TTL` or `HL`.
    pub name: &'static str,
    /// `ttl` or `hl`.
    pub pre: &'static str,
    /// The family served.
    pub family: Families,
    /// `[set, dec, inc]` options.
    pub opts: &'static [Opt],
}

/// Mode `SET`.
const SET: u8 = 0;
/// Mode `INC`.
const INC: u8 = 1;
/// Mode `DEC`.
const DEC: u8 = 2;

static IDS: &[u32] = &[0, 1, 2];
static EXCL: &[u32] = &[7, 7, 7];

/// The `TTL` target.
pub static TTL: HopTarget = HopTarget {
    name: "TTL",
    pre: "ttl",
    family: Families::V4,
    opts: &[
        Opt::req("ttl-set"),
        Opt::req("ttl-dec"),
        Opt::req("ttl-inc"),
    ],
};

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&TTL];

impl Extension for HopTarget {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        self.name
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        self.family
    }
    fn size(&self, _family: Family) -> usize {
        8
    }
    fn options(&self) -> &'static [Opt] {
        self.opts
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let (mode, min) = if opt.ends_with("-set") {
            (SET, 0)
        } else if opt.ends_with("-inc") {
            (INC, 1)
        } else {
            (DEC, 1)
        };
        let v = xt_uint(self.name, opt, arg, min, 255)? as u8;
        wr_u8(&mut st.blob, 0, mode);
        wr_u8(&mut st.blob, 1, v);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        xt_fcheck(self.name, self.opts, IDS, EXCL, 0, st.seen)?;
        if st.seen == 0 {
            return Err(XtError::param(format!(
                "{}: You must specify an action",
                self.name
            )));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let v = rd_u8(blob, 1);
        let what = match rd_u8(blob, 0) {
            SET => "set to",
            INC => "increment by",
            DEC => "decrement by",
            _ => "",
        };
        out.push_str(&format!(" {} {what} {v}", self.name));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let v = rd_u8(blob, 1);
        let what = match rd_u8(blob, 0) {
            SET => "set",
            INC => "inc",
            DEC => "dec",
            _ => return,
        };
        out.push_str(&format!(" --{}-{what} {v}", self.pre));
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
            "TTL",
            Family::V4,
            0,
            "mangle",
            "PREROUTING",
            &a,
        )
    }

    #[test]
    fn corpus() {
        for (args, print) in [
            ("--ttl-set 42", " TTL set to 42"),
            ("--ttl-inc 1", " TTL increment by 1"),
            ("--ttl-dec 1", " TTL decrement by 1"),
        ] {
            let p = t(args).unwrap();
            assert_eq!(p.save, format!(" -j TTL {args}"));
            assert_eq!(p.print, print);
            assert_eq!(p.print_numeric, print);
        }
        for (args, msg) in [
            (
                "--ttl-set 256",
                "TTL: bad value for option \"--ttl-set\", or out of range (0-255).\n",
            ),
            (
                "--ttl-inc 0",
                "TTL: bad value for option \"--ttl-inc\", or out of range (1-255).\n",
            ),
            (
                "--ttl-dec 0",
                "TTL: bad value for option \"--ttl-dec\", or out of range (1-255).\n",
            ),
            (
                "--ttl-dec 1 --ttl-inc 1",
                "TTL: option \"--ttl-dec\" cannot be used together with \"--ttl-inc\".\n",
            ),
            (
                "--ttl-set --ttl-inc 1",
                "TTL: bad value for option \"--ttl-set\", or out of range (0-255).\n",
            ),
            ("", "TTL: You must specify an action"),
        ] {
            assert_eq!(t(args).unwrap_err().msg, msg, "{args}");
        }
    }

    #[test]
    fn blob_and_family() {
        assert_eq!(t("--ttl-inc 1").unwrap().blob, [1, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(t("--ttl-set 42").unwrap().blob, [0, 42, 0, 0, 0, 0, 0, 0]);
        assert!(run(Kind::Target, "TTL", Family::V6, 0, "mangle", "INPUT", &[]).is_err());
    }
}
