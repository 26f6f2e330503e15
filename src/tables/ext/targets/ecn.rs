//! `ECN` target (IPv4): rewrites the ECN bits of the IP header and the
//! ECE/CWR flags of TCP (`struct ipt_ECN_info { __u8 operation, ip_ect;
//! __u8 ece:1, cwr:1; }`, revision 0, 8 bytes).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u8, wr_u8};
use crate::tables::ext::xtables::xt_uint;
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

/// `IPT_ECN_OP_SET_IP`
const OP_IP: u8 = 0x01;
/// `IPT_ECN_OP_SET_ECE`
const OP_ECE: u8 = 0x10;
/// `IPT_ECN_OP_SET_CWR`
const OP_CWR: u8 = 0x20;
/// Bits of the `proto.tcp` byte.
const ECE_BIT: u8 = 0x01;
const CWR_BIT: u8 = 0x02;

/// The `ECN` target.
pub struct Ecn;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Ecn];

static OPTS: &[Opt] = &[
    Opt::flag("ecn-tcp-remove"),
    Opt::req("ecn-tcp-cwr"),
    Opt::req("ecn-tcp-ece"),
    Opt::req("ecn-ip-ect"),
];

impl Extension for Ecn {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "ECN"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        Families::V4
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
        let b = &mut st.blob;
        let op = rd_u8(b, 0);
        let tcp = rd_u8(b, 2);
        match opt {
            "ecn-tcp-remove" => {
                wr_u8(b, 0, OP_ECE | OP_CWR);
                wr_u8(b, 2, 0);
            }
            "ecn-tcp-cwr" | "ecn-tcp-ece" => {
                let v = xt_uint("ECN", opt, arg, 0, 1)? as u8;
                let (o, bit) = if opt == "ecn-tcp-cwr" {
                    (OP_CWR, CWR_BIT)
                } else {
                    (OP_ECE, ECE_BIT)
                };
                wr_u8(b, 0, op | o);
                wr_u8(b, 2, if v != 0 { tcp | bit } else { tcp & !bit });
            }
            _ => {
                let v = xt_uint("ECN", opt, arg, 0, 3)? as u8;
                wr_u8(b, 0, op | OP_IP);
                wr_u8(b, 1, v);
            }
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if rd_u8(&st.blob, 0) == 0 {
            return Err(XtError::param("ECN target: An operation is required"));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" ECN");
        write_opts(blob, false, out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        write_opts(blob, true, out);
    }
}

/// ` TCP remove` / ` ECE=1 CWR=0 ECT codepoint=2` or the save options.
fn write_opts(blob: &[u8], save: bool, out: &mut String) {
    let (op, ect, tcp) = (rd_u8(blob, 0), rd_u8(blob, 1), rd_u8(blob, 2));
    let (ece, cwr) = (tcp & ECE_BIT, (tcp & CWR_BIT) >> 1);
    if op == OP_ECE | OP_CWR && ece == 0 && cwr == 0 {
        out.push_str(if save {
            " --ecn-tcp-remove"
        } else {
            " TCP remove"
        });
        return;
    }
    if op & OP_ECE != 0 {
        out.push_str(&if save {
            format!(" --ecn-tcp-ece {ece}")
        } else {
            format!(" ECE={ece}")
        });
    }
    if op & OP_CWR != 0 {
        out.push_str(&if save {
            format!(" --ecn-tcp-cwr {cwr}")
        } else {
            format!(" CWR={cwr}")
        });
    }
    if op & OP_IP != 0 {
        out.push_str(&if save {
            format!(" --ecn-ip-ect {ect}")
        } else {
            format!(" ECT codepoint={ect}")
        });
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
            "ECN",
            Family::V4,
            6,
            "mangle",
            "POSTROUTING",
            &a,
        )
    }

    #[test]
    fn corpus_and_observed() {
        for (args, save, print, blob) in [
            (
                "--ecn-tcp-remove",
                "--ecn-tcp-remove",
                "TCP remove",
                [0x30, 0, 0],
            ),
            ("--ecn-tcp-cwr 1", "--ecn-tcp-cwr 1", "CWR=1", [0x20, 0, 2]),
            ("--ecn-tcp-ece 0", "--ecn-tcp-ece 0", "ECE=0", [0x10, 0, 0]),
            (
                "--ecn-ip-ect 2",
                "--ecn-ip-ect 2",
                "ECT codepoint=2",
                [1, 2, 0],
            ),
            (
                "--ecn-tcp-cwr 1 --ecn-tcp-ece 1 --ecn-ip-ect 3",
                "--ecn-tcp-ece 1 --ecn-tcp-cwr 1 --ecn-ip-ect 3",
                "ECE=1 CWR=1 ECT codepoint=3",
                [0x31, 3, 3],
            ),
            (
                "--ecn-tcp-remove --ecn-ip-ect 1",
                "--ecn-tcp-ece 0 --ecn-tcp-cwr 0 --ecn-ip-ect 1",
                "ECE=0 CWR=0 ECT codepoint=1",
                [0x31, 1, 0],
            ),
            (
                "--ecn-ip-ect 1 --ecn-tcp-remove",
                "--ecn-tcp-remove",
                "TCP remove",
                [0x30, 1, 0],
            ),
        ] {
            let p = t(args).unwrap();
            assert_eq!(p.save, format!(" -j ECN {save}"), "{args}");
            assert_eq!(p.print, format!(" ECN {print}"), "{args}");
            assert_eq!(p.print_numeric, format!(" ECN {print}"), "{args}");
            assert_eq!(p.blob[..3], blob, "{args}");
        }
        for (args, msg) in [
            ("", "ECN target: An operation is required"),
            (
                "--ecn-ip-ect 4",
                "ECN: bad value for option \"--ecn-ip-ect\", or out of range (0-3).\n",
            ),
            (
                "--ecn-tcp-cwr 2",
                "ECN: bad value for option \"--ecn-tcp-cwr\", or out of range (0-1).\n",
            ),
        ] {
            assert_eq!(t(args).unwrap_err().msg, msg, "{args}");
        }
    }
}
