//! `cpu` match: the CPU handling the packet (`[!] --cpu N`).
//!
//! Kernel struct `struct xt_cpu_info { u32 cpu; u32 invert; }` (`xt_cpu.h`),
//! revision 0, 8 bytes, host byte order.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{parse_uint, rd_u32, wr_u32};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// The `cpu` match.
pub struct Cpu;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Cpu];

static OPTS: &[Opt] = &[Opt::req_inv("cpu")];

impl Extension for Cpu {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "cpu"
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
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let v = parse_uint(arg.unwrap_or(""), 0, u32::MAX as u64).ok_or_else(|| {
            XtError::param("cpu: bad value for option \"--cpu\", or out of range (0-4294967295).\n")
        })?;
        wr_u32(&mut st.blob, 0, v as u32);
        wr_u32(&mut st.blob, 4, invert as u32);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param("cpu: option \"--cpu\" must be specified\n"));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let inv = if rd_u32(blob, 4) != 0 { "! " } else { "" };
        out.push_str(&format!(" cpu {inv}{}", rd_u32(blob, 0)));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let inv = if rd_u32(blob, 4) != 0 { " !" } else { "" };
        out.push_str(&format!("{inv} --cpu {}", rd_u32(blob, 0)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};

    #[test]
    fn corpus_lines() {
        for l in [
            "-m cpu --cpu 0;=;OK",
            "-m cpu ! --cpu 0;=;OK",
            "-m cpu --cpu 4294967295;=;OK",
            "-m cpu --cpu 4294967296;;FAIL",
            "-m cpu;;FAIL",
        ] {
            check(Family::V4, "INPUT", l);
            check(Family::V6, "INPUT", l);
        }
    }

    #[test]
    fn observed() {
        let p = parse(Family::V4, "INPUT", "-m cpu ! --cpu 3").unwrap();
        assert_eq!(p.save, " -m cpu ! --cpu 3");
        assert_eq!(p.print, " cpu ! 3");
        // iptables -vvv: 03 00 00 00 01 00 00 00
        assert_eq!(p.blob, [3, 0, 0, 0, 1, 0, 0, 0]);
    }
}
