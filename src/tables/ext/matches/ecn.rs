//! `ecn` match: tests the ECN bits of the IP header (`--ecn-ip-ect`) and
//! the TCP ECE/CWR flags.
//!
//! Kernel struct `xt_ecn_info` (revision 0, 8 bytes): `u8 operation`
//! (`XT_ECN_OP_MATCH_IP` 0x01, `_ECE` 0x10, `_CWR` 0x20), `u8 invert` (the
//! same bits), `u8 ip_ect`, `u8 tcp.ect`. The kernel accepts the TCP flags
//! only in rules with `-p tcp`.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u8, wr_u8};
use crate::tables::ext::xtables::err_range;
use crate::tables::ext::xtables::strtoul_full;
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const OPERATION: usize = 0;
const INVERT: usize = 1;
const IP_ECT: usize = 2;
const SIZE: usize = 8;

const MATCH_IP: u8 = 0x01;
const MATCH_ECE: u8 = 0x10;
const MATCH_CWR: u8 = 0x20;

/// The `ecn` match.
pub struct Ecn;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Ecn];

static OPTS: &[Opt] = &[
    Opt::flag_inv("ecn-tcp-cwr"),
    Opt::flag_inv("ecn-tcp-ece"),
    Opt::req_inv("ecn-ip-ect"),
];

impl Extension for Ecn {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "ecn"
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
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let bit = match opt {
            "ecn-tcp-cwr" => MATCH_CWR,
            "ecn-tcp-ece" => MATCH_ECE,
            _ => {
                let v = strtoul_full(arg.unwrap_or(""), 0, 3)
                    .ok_or_else(|| err_range("ecn", opt, 0, 3))?;
                wr_u8(&mut st.blob, IP_ECT, v as u8);
                MATCH_IP
            }
        };
        let op = rd_u8(&st.blob, OPERATION);
        wr_u8(&mut st.blob, OPERATION, op | bit);
        if invert {
            let inv = rd_u8(&st.blob, INVERT);
            wr_u8(&mut st.blob, INVERT, inv | bit);
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param("ECN match: some option required"));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let (op, inv) = (rd_u8(blob, OPERATION), rd_u8(blob, INVERT));
        out.push_str(" ECN match");
        for (bit, name) in [(MATCH_ECE, "ECE"), (MATCH_CWR, "CWR")] {
            if op & bit != 0 {
                out.push(' ');
                if inv & bit != 0 {
                    out.push('!');
                }
                out.push_str(name);
            }
        }
        if op & MATCH_IP != 0 {
            out.push(' ');
            if inv & MATCH_IP != 0 {
                out.push('!');
            }
            out.push_str(&format!("ECT={}", rd_u8(blob, IP_ECT)));
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let (op, inv) = (rd_u8(blob, OPERATION), rd_u8(blob, INVERT));
        for (bit, name) in [(MATCH_ECE, "ece"), (MATCH_CWR, "cwr")] {
            if op & bit != 0 {
                if inv & bit != 0 {
                    out.push_str(" !");
                }
                out.push_str(" --ecn-tcp-");
                out.push_str(name);
            }
        }
        if op & MATCH_IP != 0 {
            if inv & MATCH_IP != 0 {
                out.push_str(" !");
            }
            out.push_str(&format!(" --ecn-ip-ect {}", rd_u8(blob, IP_ECT)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(line: &str) -> XtResult<crate::tables::ext::testing::Parsed> {
        let w: Vec<&str> = line.split_whitespace().collect();
        run(Kind::Match, "ecn", Family::V4, 6, "filter", "INPUT", &w)
    }

    #[test]
    fn corpus_and_observed() {
        for (rule, print) in [
            ("--ecn-tcp-cwr", " ECN match CWR"),
            (
                "--ecn-tcp-ece --ecn-tcp-cwr --ecn-ip-ect 2",
                " ECN match ECE CWR ECT=2",
            ),
            (
                "! --ecn-tcp-ece ! --ecn-tcp-cwr ! --ecn-ip-ect 2",
                " ECN match !ECE !CWR !ECT=2",
            ),
            ("! --ecn-ip-ect 0", " ECN match !ECT=0"),
        ] {
            let p = t(rule).unwrap();
            assert_eq!(p.save, format!(" -m ecn {rule}"));
            assert_eq!(p.print, print);
            assert_eq!(p.print_numeric, print);
        }
        assert_eq!(t("").unwrap_err().msg, "ECN match: some option required");
        assert_eq!(
            t("--ecn-ip-ect 4").unwrap_err().msg,
            "ecn: bad value for option \"--ecn-ip-ect\", or out of range (0-3).\n"
        );
        // iptables -vvv -A INPUT -p tcp -m ecn ! --ecn-tcp-ece --ecn-tcp-cwr --ecn-ip-ect 2
        assert_eq!(
            t("! --ecn-tcp-ece --ecn-tcp-cwr --ecn-ip-ect 2")
                .unwrap()
                .blob,
            vec![0x31, 0x10, 2, 0, 0, 0, 0, 0]
        );
    }
}
