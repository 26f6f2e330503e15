//! `tos` match: compares the IPv4 TOS / IPv6 traffic class byte, under a
//! mask, with a value or a symbolic TOS name.
//!
//! Kernel struct `xt_tos_match_info` (revision 1, 8 bytes): `u8 tos_mask`,
//! `u8 tos_value`, `u8 invert`.

use crate::tables::error::XtResult;
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u8, wr_u8};
use crate::tables::ext::xtables::err_mandatory;
use crate::tables::ext::xtables::{parse_tosmask, tos_symbol};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const MASK: usize = 0;
const VALUE: usize = 1;
const INVERT: usize = 2;
const SIZE: usize = 8;

/// The `tos` match (revision 1).
pub struct Tos;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Tos];

static OPTS: &[Opt] = &[Opt::req_inv("tos")];

impl Extension for Tos {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "tos"
    }
    fn revision(&self) -> u32 {
        1
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
        _opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let (v, m) = parse_tosmask(arg.unwrap_or(""), 0x3f)?;
        wr_u8(&mut st.blob, VALUE, v);
        wr_u8(&mut st.blob, MASK, m);
        if invert {
            wr_u8(&mut st.blob, INVERT, 1);
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(err_mandatory("tos", "tos"));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" tos match");
        if rd_u8(blob, INVERT) != 0 {
            out.push('!');
        }
        let (v, m) = (rd_u8(blob, VALUE), rd_u8(blob, MASK));
        match tos_symbol(v, m) {
            Some(n) if !ctx.numeric => {
                out.push(' ');
                out.push_str(n);
            }
            _ => out.push_str(&format!("0x{v:02x}/0x{m:02x}")),
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u8(blob, INVERT) != 0 {
            out.push_str(" !");
        }
        out.push_str(&format!(
            " --tos 0x{:02x}/0x{:02x}",
            rd_u8(blob, VALUE),
            rd_u8(blob, MASK)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(fam: Family, line: &str) -> XtResult<crate::tables::ext::testing::Parsed> {
        let w: Vec<&str> = line.split_whitespace().collect();
        run(Kind::Match, "tos", fam, 0, "filter", "INPUT", &w)
    }

    #[test]
    fn corpus_and_observed() {
        for fam in [Family::V4, Family::V6] {
            for (rule, save, print, printn) in [
                (
                    "--tos Minimize-Delay",
                    "--tos 0x10/0x3f",
                    " tos match Minimize-Delay",
                    " tos match0x10/0x3f",
                ),
                (
                    "--tos Maximize-Throughput",
                    "--tos 0x08/0x3f",
                    " tos match Maximize-Throughput",
                    " tos match0x08/0x3f",
                ),
                (
                    "--tos Maximize-Reliability",
                    "--tos 0x04/0x3f",
                    " tos match Maximize-Reliability",
                    " tos match0x04/0x3f",
                ),
                (
                    "--tos Minimize-Cost",
                    "--tos 0x02/0x3f",
                    " tos match Minimize-Cost",
                    " tos match0x02/0x3f",
                ),
                (
                    "--tos Normal-Service",
                    "--tos 0x00/0x3f",
                    " tos match Normal-Service",
                    " tos match0x00/0x3f",
                ),
                (
                    "--tos 0xff",
                    "--tos 0xff/0xff",
                    " tos match0xff/0xff",
                    " tos match0xff/0xff",
                ),
                (
                    "! --tos 0xff",
                    "! --tos 0xff/0xff",
                    " tos match!0xff/0xff",
                    " tos match!0xff/0xff",
                ),
                (
                    "--tos 0x00",
                    "--tos 0x00/0xff",
                    " tos match0x00/0xff",
                    " tos match0x00/0xff",
                ),
                (
                    "--tos 0x0f",
                    "--tos 0x0f/0xff",
                    " tos match0x0f/0xff",
                    " tos match0x0f/0xff",
                ),
                (
                    "--tos 0x0f/0x0f",
                    "--tos 0x0f/0x0f",
                    " tos match0x0f/0x0f",
                    " tos match0x0f/0x0f",
                ),
                (
                    "! --tos 0x10/0x3f",
                    "! --tos 0x10/0x3f",
                    " tos match! Minimize-Delay",
                    " tos match!0x10/0x3f",
                ),
                (
                    "--tos minimize-delay",
                    "--tos 0x10/0x3f",
                    " tos match Minimize-Delay",
                    " tos match0x10/0x3f",
                ),
                (
                    "--tos 0x11/0x3f",
                    "--tos 0x11/0x3f",
                    " tos match0x11/0x3f",
                    " tos match0x11/0x3f",
                ),
            ] {
                let p = t(fam, rule).unwrap();
                assert_eq!(p.save, format!(" -m tos {save}"));
                assert_eq!(p.print, print);
                assert_eq!(p.print_numeric, printn);
            }
        }
        let e = |r: &str| t(Family::V4, r).unwrap_err().msg;
        assert_eq!(e("--tos wrong"), "Symbolic name \"wrong\" is unknown");
        assert_eq!(e("--tos 0x100"), "Symbolic name \"0x100\" is unknown");
        assert_eq!(e("--tos 5/0x100"), "Illegal value: \"5/0x100\"");
        assert_eq!(e("--tos 5/"), "Illegal value: \"5/\"");
        assert_eq!(e("--tos 5x"), "Illegal value: \"5x\"");
        assert_eq!(e(""), "tos: option \"--tos\" must be specified\n");
        // iptables -vvv -A INPUT -m tos ! --tos Minimize-Cost
        assert_eq!(
            t(Family::V4, "! --tos Minimize-Cost").unwrap().blob,
            vec![0x3f, 2, 1, 0, 0, 0, 0, 0]
        );
    }
}
