//! `quota` match: matches until a byte quota is used up (`[!] --quota N`).
//!
//! Kernel struct `struct xt_quota_info { u32 flags; u32 pad; u64 quota;
//! <kernel pointer> }` (`xt_quota.h`), revision 0, 24 bytes; the kernel
//! part starts at offset 16 (userspace size 16). `-L` does not show `!`.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{parse_uint, rd_u32, rd_u64, wr_u32, wr_u64};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// The `quota` match.
pub struct Quota;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Quota];

static OPTS: &[Opt] = &[Opt::req_inv("quota")];

impl Extension for Quota {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "quota"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        24
    }
    fn userspace_size(&self, _family: Family) -> usize {
        16
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
        let v = parse_uint(arg.unwrap_or(""), 0, u64::MAX).ok_or_else(|| {
            XtError::param(
                "quota: bad value for option \"--quota\", or out of range (0-18446744073709551615).\n",
            )
        })?;
        wr_u64(&mut st.blob, 8, v);
        wr_u32(&mut st.blob, 0, invert as u32);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "quota: option \"--quota\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(&format!(" quota: {} bytes", rd_u64(blob, 8)));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let inv = if rd_u32(blob, 0) & 1 != 0 { " !" } else { "" };
        out.push_str(&format!("{inv} --quota {}", rd_u64(blob, 8)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};

    #[test]
    fn corpus_lines() {
        for l in [
            "-m quota --quota 0;=;OK",
            "-m quota ! --quota 0;=;OK",
            "-m quota --quota 18446744073709551615;=;OK",
            "-m quota ! --quota 18446744073709551615;=;OK",
            "-m quota --quota 18446744073709551616;;FAIL",
            "-m quota;;FAIL",
        ] {
            check(Family::V4, "INPUT", l);
            check(Family::V6, "INPUT", l);
        }
    }

    #[test]
    fn observed() {
        let p = parse(Family::V4, "INPUT", "-m quota ! --quota 1000").unwrap();
        assert_eq!(p.save, " -m quota ! --quota 1000");
        assert_eq!(p.print, " quota: 1000 bytes");
        // iptables -vvv
        assert_eq!(
            p.blob,
            [1, 0, 0, 0, 0, 0, 0, 0, 0xe8, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        let p = parse(Family::V4, "INPUT", "-m quota --quota 0x10").unwrap();
        assert_eq!(p.save, " -m quota --quota 16");
    }
}
