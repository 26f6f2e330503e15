//! `cgroup` match: the socket's cgroup, by v2 path (`--path`) or net_cls
//! class id (`--cgroup`).
//!
//! Kernel struct `struct xt_cgroup_info_v2 { u8 has_path, has_classid,
//! invert_path, invert_classid; union { char path[512]; u32 classid; };
//! <kernel pointer> }` (`xt_cgroup.h`), revision 2, 528 bytes, userspace
//! size 520. The path and the class id share their bytes; the kernel
//! refuses a rule with both, or with neither, and the match outside
//! INPUT/OUTPUT/POSTROUTING.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{
    parse_uint, rd_str, rd_u32, rd_u8, save_string, wr_str, wr_u32, wr_u8,
};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 528;
const HAS_PATH: usize = 0;
const HAS_CLASSID: usize = 1;
const INVERT_PATH: usize = 2;
const INVERT_CLASSID: usize = 3;
const DATA: usize = 4;
const PATH_LEN: usize = 512;

/// The `cgroup` match.
pub struct Cgroup;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Cgroup];

static OPTS: &[Opt] = &[Opt::req_inv("path"), Opt::req_inv("cgroup")];

impl Extension for Cgroup {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "cgroup"
    }
    fn revision(&self) -> u32 {
        2
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn userspace_size(&self, _family: Family) -> usize {
        520
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
        let a = arg.unwrap_or("");
        if opt == "path" {
            wr_str(&mut st.blob, DATA, PATH_LEN, a);
            wr_u8(&mut st.blob, HAS_PATH, 1);
            wr_u8(&mut st.blob, INVERT_PATH, invert as u8);
        } else {
            let v = parse_uint(a, 0, u32::MAX as u64).ok_or_else(|| {
                XtError::param(
                    "cgroup: bad value for option \"--cgroup\", or out of range (0-4294967295).\n",
                )
            })?;
            wr_u32(&mut st.blob, DATA, v as u32);
            wr_u8(&mut st.blob, HAS_CLASSID, 1);
            wr_u8(&mut st.blob, INVERT_CLASSID, invert as u8);
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" cgroup");
        if rd_u8(blob, HAS_PATH) != 0 {
            let inv = if rd_u8(blob, INVERT_PATH) != 0 {
                "! "
            } else {
                ""
            };
            out.push_str(&format!(" {inv}{}", rd_str(blob, DATA, PATH_LEN)));
        }
        if rd_u8(blob, HAS_CLASSID) != 0 {
            let inv = if rd_u8(blob, INVERT_CLASSID) != 0 {
                "! "
            } else {
                ""
            };
            out.push_str(&format!(" {inv}{}", rd_u32(blob, DATA)));
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u8(blob, HAS_PATH) != 0 {
            if rd_u8(blob, INVERT_PATH) != 0 {
                out.push_str(" !");
            }
            out.push_str(" --path ");
            save_string(&rd_str(blob, DATA, PATH_LEN), out);
        }
        if rd_u8(blob, HAS_CLASSID) != 0 {
            if rd_u8(blob, INVERT_CLASSID) != 0 {
                out.push_str(" !");
            }
            out.push_str(&format!(" --cgroup {}", rd_u32(blob, DATA)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};

    #[test]
    fn corpus_lines() {
        for l in [
            "-m cgroup --cgroup 1;=;OK",
            "-m cgroup ! --cgroup 1;=;OK",
            "-m cgroup --path \"/\";=;OK",
            "-m cgroup ! --path \"/\";=;OK",
        ] {
            check(Family::V4, "OUTPUT", l);
            check(Family::V6, "OUTPUT", l);
        }
        // `--cgroup 1 --path "/"` and no option at all pass iptables' parser
        // and are refused by the kernel (EINVAL).
        assert!(parse(Family::V4, "OUTPUT", "-m cgroup").is_ok());
    }

    #[test]
    fn observed() {
        let p = parse(Family::V4, "OUTPUT", "-m cgroup ! --cgroup 0x10").unwrap();
        assert_eq!(p.save, " -m cgroup ! --cgroup 16");
        assert_eq!(p.print, " cgroup ! 16");
        assert_eq!(p.blob.len(), 528);
        assert_eq!(p.blob[..8], [0, 1, 0, 1, 0x10, 0, 0, 0]);
        let p = parse(Family::V4, "OUTPUT", "-m cgroup ! --path /").unwrap();
        assert_eq!(p.save, " -m cgroup ! --path \"/\"");
        assert_eq!(p.print, " cgroup ! /");
        assert_eq!(p.blob[..6], [1, 0, 1, 0, b'/', 0]);
        let e = parse(Family::V4, "OUTPUT", "-m cgroup --cgroup x").unwrap_err();
        assert_eq!(
            e.msg,
            "cgroup: bad value for option \"--cgroup\", or out of range (0-4294967295).\n"
        );
    }
}
