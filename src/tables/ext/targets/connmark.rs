//! `CONNMARK` target: sets the connection mark, or copies it to/from the
//! packet mark (`struct xt_connmark_tginfo2 { __u32 ctmark, ctmask, nfmask;
//! __u8 shift_dir, shift_bits, mode; }`, revision 2, 16 bytes).
//!
//! `--set-mark`, `--and-mark`, ... are stored as the `--set-xmark V/M`
//! pair `-S` prints; `--save-mark`/`--restore-mark` always save both masks.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::targets::mark::mark_op_text;
use crate::tables::ext::util::{rd_u32, rd_u8, wr_u32, wr_u8};
use crate::tables::ext::xtables::{parse_markmask, xt_fcheck, xt_uint};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// `XT_CONNMARK_SET`
const SET: u8 = 0;
/// `XT_CONNMARK_SAVE`
const SAVE: u8 = 1;
/// `XT_CONNMARK_RESTORE`
const RESTORE: u8 = 2;
/// `D_SHIFT_RIGHT` (`D_SHIFT_LEFT` is 0)
const SHIFT_RIGHT: u8 = 1;

/// Blob offsets.
const CTMARK: usize = 0;
const CTMASK: usize = 4;
const NFMASK: usize = 8;
const SHIFT_DIR: usize = 12;
const SHIFT_BITS: usize = 13;
const MODE: usize = 14;

/// The `CONNMARK` target.
pub struct Connmark;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Connmark];

static OPTS: &[Opt] = &[
    Opt::req("set-xmark"),
    Opt::req("set-mark"),
    Opt::req("and-mark"),
    Opt::req("or-mark"),
    Opt::req("xor-mark"),
    Opt::flag("save-mark"),
    Opt::flag("restore-mark"),
    Opt::req("ctmask"),
    Opt::req("nfmask"),
    Opt::req("mask"),
    Opt::req("left-shift-mark"),
    Opt::req("right-shift-mark"),
];
/// libxt_CONNMARK's option ids, in table order.
static IDS: &[u32] = &[8, 0, 3, 4, 5, 1, 2, 9, 10, 11, 6, 7];
/// The operations (ids 0-5 and 8) exclude each other.
const OP_ANY: u32 = 0x13f;
const F_MASK: u32 = 1 << 11;
const F_CT_NF: u32 = (1 << 9) | (1 << 10);
static EXCL: &[u32] = &[
    OP_ANY, OP_ANY, OP_ANY, OP_ANY, OP_ANY, OP_ANY, OP_ANY, F_MASK, F_MASK, F_CT_NF, 0, 0,
];
/// The option positions that choose an operation.
const OP_SEEN: u64 = 0x7f;

impl Extension for Connmark {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "CONNMARK"
    }
    fn revision(&self) -> u32 {
        2
    }
    fn size(&self, _family: Family) -> usize {
        16
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_u32(&mut st.blob, CTMASK, u32::MAX);
        wr_u32(&mut st.blob, NFMASK, u32::MAX);
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        const N: &str = "CONNMARK";
        let b = &mut st.blob;
        let u32arg = |arg| xt_uint(N, opt, arg, 0, u32::MAX as u64).map(|v| v as u32);
        let mut set = |mark: u32, mask: u32| {
            wr_u8(b, MODE, SET);
            wr_u32(b, CTMARK, mark);
            wr_u32(b, CTMASK, mask);
        };
        match opt {
            "set-xmark" => {
                let (v, m) = parse_markmask(N, opt, arg.unwrap_or(""))?;
                set(v, m);
            }
            "set-mark" => {
                let (v, m) = parse_markmask(N, opt, arg.unwrap_or(""))?;
                set(v, v | m);
            }
            "and-mark" => {
                let v = u32arg(arg)?;
                set(0, !v);
            }
            "or-mark" => {
                let v = u32arg(arg)?;
                set(v, v);
            }
            "xor-mark" => {
                let v = u32arg(arg)?;
                set(v, 0);
            }
            "save-mark" => wr_u8(b, MODE, SAVE),
            "restore-mark" => wr_u8(b, MODE, RESTORE),
            "ctmask" => wr_u32(b, CTMASK, u32arg(arg)?),
            "nfmask" => wr_u32(b, NFMASK, u32arg(arg)?),
            "mask" => {
                let v = u32arg(arg)?;
                wr_u32(b, CTMASK, v);
                wr_u32(b, NFMASK, v);
            }
            _ => {
                let v = xt_uint(N, opt, arg, 0, 32)? as u8;
                let dir = if opt == "right-shift-mark" {
                    SHIFT_RIGHT
                } else {
                    0
                };
                wr_u8(b, SHIFT_DIR, dir);
                wr_u8(b, SHIFT_BITS, v);
            }
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        xt_fcheck("CONNMARK", OPTS, IDS, EXCL, 0, st.seen)?;
        if st.seen & OP_SEEN == 0 {
            return Err(XtError::param("CONNMARK target: No operation specified"));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let (ctmark, ctmask, nfmask) = (
            rd_u32(blob, CTMARK),
            rd_u32(blob, CTMASK),
            rd_u32(blob, NFMASK),
        );
        match rd_u8(blob, MODE) {
            SET => out.push_str(&mark_op_text("CONNMARK", ctmark, ctmask)),
            SAVE => {
                if nfmask == u32::MAX && ctmask == u32::MAX {
                    out.push_str(" CONNMARK save");
                } else if nfmask == ctmask {
                    out.push_str(&format!(" CONNMARK save mask 0x{nfmask:x}"));
                } else {
                    out.push_str(&format!(
                        " CONNMARK save nfmask 0x{nfmask:x} ctmask ~0x{ctmask:x}"
                    ));
                }
            }
            RESTORE => {
                if nfmask == u32::MAX && ctmask == u32::MAX {
                    out.push_str(" CONNMARK restore");
                } else if nfmask == ctmask {
                    out.push_str(&format!(" CONNMARK restore mask 0x{nfmask:x}"));
                } else {
                    out.push_str(&format!(
                        " CONNMARK restore ctmask 0x{ctmask:x} nfmask ~0x{nfmask:x}"
                    ));
                }
            }
            _ => out.push_str(" ERROR: UNKNOWN CONNMARK MODE"),
        }
        let bits = rd_u8(blob, SHIFT_BITS);
        if bits != 0 {
            out.push_str(&format!(" {} {bits}", shift_name(blob)));
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let (ctmark, ctmask, nfmask) = (
            rd_u32(blob, CTMARK),
            rd_u32(blob, CTMASK),
            rd_u32(blob, NFMASK),
        );
        match rd_u8(blob, MODE) {
            SET => out.push_str(&format!(" --set-xmark 0x{ctmark:x}/0x{ctmask:x}")),
            SAVE => out.push_str(&format!(
                " --save-mark --nfmask 0x{nfmask:x} --ctmask 0x{ctmask:x}"
            )),
            RESTORE => out.push_str(&format!(
                " --restore-mark --nfmask 0x{nfmask:x} --ctmask 0x{ctmask:x}"
            )),
            _ => out.push_str(" ERROR: UNKNOWN CONNMARK MODE"),
        }
        let bits = rd_u8(blob, SHIFT_BITS);
        if bits != 0 {
            out.push_str(&format!(" --{} {bits}", shift_name(blob)));
        }
    }
}

/// `left-shift-mark` or `right-shift-mark`, from the blob's direction.
fn shift_name(blob: &[u8]) -> &'static str {
    if rd_u8(blob, SHIFT_DIR) == SHIFT_RIGHT {
        "right-shift-mark"
    } else {
        "left-shift-mark"
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
            "CONNMARK",
            Family::V4,
            0,
            "mangle",
            "PREROUTING",
            &a,
        )
    }

    #[test]
    fn corpus() {
        for (args, saved) in [
            (
                "--restore-mark",
                "--restore-mark --nfmask 0xffffffff --ctmask 0xffffffff",
            ),
            (
                "--save-mark",
                "--save-mark --nfmask 0xffffffff --ctmask 0xffffffff",
            ),
            (
                "--save-mark --nfmask 0xfffffff --ctmask 0xffffffff",
                "--save-mark --nfmask 0xfffffff --ctmask 0xffffffff",
            ),
            (
                "--restore-mark --nfmask 0xfffffff --ctmask 0xffffffff",
                "--restore-mark --nfmask 0xfffffff --ctmask 0xffffffff",
            ),
        ] {
            assert_eq!(t(args).unwrap().save, format!(" -j CONNMARK {saved}"));
        }
        assert!(t("").is_err());
    }

    #[test]
    fn observed() {
        for (args, save, print) in [
            (
                "--set-mark 0x5",
                "--set-xmark 0x5/0xffffffff",
                "CONNMARK set 0x5",
            ),
            (
                "--set-mark 0x5/0xf",
                "--set-xmark 0x5/0xf",
                "CONNMARK xset 0x5/0xf",
            ),
            (
                "--set-mark 0x10/0x1",
                "--set-xmark 0x10/0x11",
                "CONNMARK xset 0x10/0x11",
            ),
            (
                "--and-mark 0x5",
                "--set-xmark 0x0/0xfffffffa",
                "CONNMARK and 0x5",
            ),
            ("--or-mark 5", "--set-xmark 0x5/0x5", "CONNMARK or 0x5"),
            ("--xor-mark 5", "--set-xmark 0x5/0x0", "CONNMARK xor 0x5"),
            (
                "--set-xmark 0/0",
                "--set-xmark 0x0/0x0",
                "CONNMARK and 0xffffffff",
            ),
            (
                "--restore-mark",
                "--restore-mark --nfmask 0xffffffff --ctmask 0xffffffff",
                "CONNMARK restore",
            ),
            (
                "--save-mark --mask 0xff",
                "--save-mark --nfmask 0xff --ctmask 0xff",
                "CONNMARK save mask 0xff",
            ),
            (
                "--restore-mark --mask 0xff",
                "--restore-mark --nfmask 0xff --ctmask 0xff",
                "CONNMARK restore mask 0xff",
            ),
            (
                "--save-mark --nfmask 0xf --ctmask 0xff",
                "--save-mark --nfmask 0xf --ctmask 0xff",
                "CONNMARK save nfmask 0xf ctmask ~0xff",
            ),
            (
                "--restore-mark --nfmask 0xf",
                "--restore-mark --nfmask 0xf --ctmask 0xffffffff",
                "CONNMARK restore ctmask 0xffffffff nfmask ~0xf",
            ),
            (
                "--set-mark 0x5 --left-shift-mark 3",
                "--set-xmark 0x5/0xffffffff --left-shift-mark 3",
                "CONNMARK set 0x5 left-shift-mark 3",
            ),
            (
                "--save-mark --right-shift-mark 2",
                "--save-mark --nfmask 0xffffffff --ctmask 0xffffffff --right-shift-mark 2",
                "CONNMARK save right-shift-mark 2",
            ),
            (
                "--and-mark 5 --right-shift-mark 0",
                "--set-xmark 0x0/0xfffffffa",
                "CONNMARK and 0x5",
            ),
            (
                "--mask 3 --save-mark",
                "--save-mark --nfmask 0x3 --ctmask 0x3",
                "CONNMARK save mask 0x3",
            ),
            (
                "--mask 3 --set-mark 1",
                "--set-xmark 0x1/0xffffffff",
                "CONNMARK set 0x1",
            ),
        ] {
            let p = t(args).unwrap();
            assert_eq!(p.save, format!(" -j CONNMARK {save}"), "{args}");
            assert_eq!(p.print, format!(" {print}"), "{args}");
            assert_eq!(p.print_numeric, format!(" {print}"), "{args}");
        }
        assert_eq!(
            t("--set-mark 1 --mask 3").unwrap().blob,
            [1, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            t("--save-mark --right-shift-mark 2").unwrap().blob,
            [0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 1, 0]
        );
    }

    #[test]
    fn errors() {
        for (args, msg) in [
            ("--left-shift-mark 3", "CONNMARK target: No operation specified"),
            (
                "--save-mark --left-shift-mark 33",
                "CONNMARK: bad value for option \"--left-shift-mark\", or out of range (0-32).\n",
            ),
            (
                "--set-mark 1 --save-mark",
                "CONNMARK: option \"--set-mark\" cannot be used together with \"--save-mark\".\n",
            ),
            (
                "--set-xmark 1 --and-mark 2 --save-mark",
                "CONNMARK: option \"--set-xmark\" cannot be used together with \"--save-mark\".\n",
            ),
            (
                "--restore-mark --xor-mark 1",
                "CONNMARK: option \"--xor-mark\" cannot be used together with \"--restore-mark\".\n",
            ),
            (
                "--save-mark --mask 1 --nfmask 2",
                "CONNMARK: option \"--nfmask\" cannot be used together with \"--mask\".\n",
            ),
            (
                "--save-mark --nfmask 1 --ctmask 2 --mask 4",
                "CONNMARK: option \"--ctmask\" cannot be used together with \"--mask\".\n",
            ),
            (
                "--restore-mark --mask 0x1/2",
                "CONNMARK: bad value for option \"--mask\", or out of range (0-4294967295).\n",
            ),
            (
                "--set-xmark 1/2/3",
                "CONNMARK: trailing garbage after value for option \"--set-xmark\".\n",
            ),
        ] {
            assert_eq!(t(args).unwrap_err().msg, msg, "{args}");
        }
    }
}
