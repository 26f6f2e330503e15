//! `connlimit` match: the number of connections from (or to) an address or
//! network, `--connlimit-above N` / `--connlimit-upto N`.
//!
//! Kernel struct `struct xt_connlimit_info { union nf_inet_addr mask; u32
//! limit; u32 flags; <kernel pointer> }` (`xt_connlimit.h`), revision 1,
//! 32 bytes, userspace size 24. `flags`: `XT_CONNLIMIT_INVERT` (1) means
//! "up to", `XT_CONNLIMIT_DADDR` (2) groups by destination. The mask
//! defaults to all ones (16 bytes); save always prints it as a prefix.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::matches::conntrack::parse_plenmask;
use crate::tables::ext::util::{parse_uint, rd_u32, wr, wr_u32};
use crate::tables::ext::xtables::mask_prefix;
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 32;
const LIMIT: usize = 16;
const FLAGS: usize = 20;
const F_INVERT: u32 = 1;
const F_DADDR: u32 = 2;

/// The `connlimit` match.
pub struct Connlimit;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Connlimit];

static OPTS: &[Opt] = &[
    Opt::req_inv("connlimit-upto"),
    Opt::req_inv("connlimit-above"),
    Opt::req("connlimit-mask"),
    Opt::flag("connlimit-saddr"),
    Opt::flag("connlimit-daddr"),
];

/// The prefix length of the blob's mask (leading ones).
fn prefix(family: Family, blob: &[u8]) -> u32 {
    let n = family.addr_len();
    let m = blob.get(..n).unwrap_or(&[]);
    mask_prefix(m).unwrap_or_else(|| m.iter().map(|b| b.count_ones()).sum())
}

impl Extension for Connlimit {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "connlimit"
    }
    fn revision(&self) -> u32 {
        1
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn userspace_size(&self, _family: Family) -> usize {
        24
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr(&mut st.blob, 0, &[0xff; 16]);
    }
    fn parse(
        &self,
        ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let a = arg.unwrap_or("");
        let mut flags = rd_u32(&st.blob, FLAGS);
        match opt {
            "connlimit-upto" | "connlimit-above" => {
                let v = parse_uint(a, 0, u32::MAX as u64).ok_or_else(|| {
                    XtError::param(format!(
                        "connlimit: bad value for option \"--{opt}\", or out of range (0-4294967295).\n"
                    ))
                })?;
                wr_u32(&mut st.blob, LIMIT, v as u32);
                // "up to" is the kernel's inverted "above".
                if (opt == "connlimit-upto") != invert {
                    flags |= F_INVERT;
                } else {
                    flags &= !F_INVERT;
                }
            }
            "connlimit-mask" => {
                let m = parse_plenmask("connlimit", opt, ctx.family, a)?;
                wr(&mut st.blob, 0, &m);
            }
            "connlimit-saddr" => flags &= !F_DADDR,
            "connlimit-daddr" => flags |= F_DADDR,
            _ => {}
        }
        wr_u32(&mut st.blob, FLAGS, flags);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        let (up, above) = (
            st.saw(self, "connlimit-upto"),
            st.saw(self, "connlimit-above"),
        );
        if !up && !above {
            return Err(XtError::param(
                "You must specify \"--connlimit-above\" or \"--connlimit-upto\".",
            ));
        }
        if up && above {
            return Err(XtError::param(
                "connlimit: option \"--connlimit-upto\" cannot be used together with \"--connlimit-above\".\n",
            ));
        }
        if st.saw(self, "connlimit-saddr") && st.saw(self, "connlimit-daddr") {
            return Err(XtError::param(
                "connlimit: option \"--connlimit-saddr\" cannot be used together with \"--connlimit-daddr\".\n",
            ));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let flags = rd_u32(blob, FLAGS);
        let dir = if flags & F_DADDR != 0 { "dst" } else { "src" };
        let op = if flags & F_INVERT != 0 { "<=" } else { ">" };
        out.push_str(&format!(
            " #conn {dir}/{} {op} {}",
            prefix(ctx.family, blob),
            rd_u32(blob, LIMIT)
        ));
    }
    fn save(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let flags = rd_u32(blob, FLAGS);
        let which = if flags & F_INVERT != 0 {
            "upto"
        } else {
            "above"
        };
        let dir = if flags & F_DADDR != 0 {
            "daddr"
        } else {
            "saddr"
        };
        out.push_str(&format!(
            " --connlimit-{which} {} --connlimit-mask {} --connlimit-{dir}",
            rd_u32(blob, LIMIT),
            prefix(ctx.family, blob)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};

    #[test]
    fn corpus_lines() {
        for l in [
            "-m connlimit --connlimit-upto 0;-m connlimit --connlimit-upto 0 --connlimit-mask 32 --connlimit-saddr;OK",
            "-m connlimit --connlimit-upto 4294967295 --connlimit-mask 32 --connlimit-saddr;=;OK",
            "-m connlimit --connlimit-upto 4294967296 --connlimit-mask 32 --connlimit-saddr;;FAIL",
            "-m connlimit --connlimit-upto -1;;FAIL",
            "-m connlimit --connlimit-above 0;-m connlimit --connlimit-above 0 --connlimit-mask 32 --connlimit-saddr;OK",
            "-m connlimit --connlimit-above 4294967295 --connlimit-mask 32 --connlimit-saddr;=;OK",
            "-m connlimit --connlimit-above 4294967296 --connlimit-mask 32 --connlimit-saddr;;FAIL",
            "-m connlimit --connlimit-above -1;;FAIL",
            "-m connlimit --connlimit-above 10 --connlimit-saddr;-m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-saddr;OK",
            "-m connlimit --connlimit-above 10 --connlimit-daddr;-m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-daddr;OK",
            "-m connlimit --connlimit-above 10 --connlimit-saddr --connlimit-daddr;;FAIL",
            "-m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-saddr;=;OK",
            "-m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-daddr;=;OK",
            "-m connlimit;;FAIL",
        ] {
            check(Family::V4, "INPUT", l);
        }
        // `--conlimit-above` (misspelt) is refused by the option parser.
    }

    #[test]
    fn observed() {
        let p = parse(
            Family::V4,
            "INPUT",
            "-m connlimit --connlimit-above 10 --connlimit-mask 24 --connlimit-daddr",
        )
        .unwrap();
        assert_eq!(
            p.save,
            " -m connlimit --connlimit-above 10 --connlimit-mask 24 --connlimit-daddr"
        );
        assert_eq!(p.print, " #conn dst/24 > 10");
        let mut want = vec![0u8; 32];
        want[..3].fill(0xff);
        want[16] = 10;
        want[20] = 2;
        assert_eq!(p.blob, want);
        for (a, s, l) in [
            (
                "! --connlimit-upto 3",
                "--connlimit-above 3 --connlimit-mask 32 --connlimit-saddr",
                " #conn src/32 > 3",
            ),
            (
                "! --connlimit-above 3",
                "--connlimit-upto 3 --connlimit-mask 32 --connlimit-saddr",
                " #conn src/32 <= 3",
            ),
            (
                "--connlimit-above 3 --connlimit-mask 0",
                "--connlimit-above 3 --connlimit-mask 0 --connlimit-saddr",
                " #conn src/0 > 3",
            ),
            (
                "--connlimit-above 3 --connlimit-mask 33",
                "--connlimit-above 3 --connlimit-mask 32 --connlimit-saddr",
                " #conn src/32 > 3",
            ),
            (
                "--connlimit-above 3 --connlimit-mask 255.255.0.0",
                "--connlimit-above 3 --connlimit-mask 16 --connlimit-saddr",
                " #conn src/16 > 3",
            ),
        ] {
            let p = parse(Family::V4, "INPUT", &format!("-m connlimit {a}")).unwrap();
            assert_eq!(p.save, format!(" -m connlimit {s}"));
            assert_eq!(p.print, l);
        }
        let p = parse(
            Family::V6,
            "INPUT",
            "-m connlimit ! --connlimit-above 10 --connlimit-mask 65",
        )
        .unwrap();
        assert_eq!(
            p.save,
            " -m connlimit --connlimit-upto 10 --connlimit-mask 65 --connlimit-saddr"
        );
        assert_eq!(
            p.blob[..9],
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80]
        );
        assert_eq!(p.blob[20], 1);
        let p = parse(Family::V6, "INPUT", "-m connlimit --connlimit-above 10").unwrap();
        assert_eq!(p.print, " #conn src/128 > 10");
        let e = |r: &str| parse(Family::V4, "INPUT", r).unwrap_err().msg;
        assert_eq!(
            e("-m connlimit --connlimit-above 1 --connlimit-mask x"),
            "connlimit: bad value for option \"--connlimit-mask\", neither a valid network mask nor valid CIDR (0-32).\n"
        );
        assert_eq!(
            e("-m connlimit --connlimit-mask 24"),
            "You must specify \"--connlimit-above\" or \"--connlimit-upto\"."
        );
        assert_eq!(
            e("-m connlimit --connlimit-upto 1 --connlimit-above 1"),
            "connlimit: option \"--connlimit-upto\" cannot be used together with \"--connlimit-above\".\n"
        );
    }
}
