//! `physdev` match: the bridge port a bridged packet came in on or goes out
//! through (`--physdev-in`, `--physdev-out`, `--physdev-is-in`,
//! `--physdev-is-out`, `--physdev-is-bridged`).
//!
//! Kernel struct `struct xt_physdev_info { char physindev[16], in_mask[16],
//! physoutdev[16], out_mask[16]; u8 invert; u8 bitmask; }` (`xt_physdev.h`),
//! revision 0, 72 bytes. Names and masks follow `xtables_parse_interface`
//! (`eth+` masks the prefix). The kernel refuses `--physdev-out` without
//! `--physdev-is-bridged` on OUTPUT/FORWARD/POSTROUTING.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_str, rd_u8, wr, wr_u8};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 72;
const IN: usize = 0;
const OUT: usize = 32;
const INVERT: usize = 64;
const BITMASK: usize = 65;
const OP_IN: u8 = 0x01;
const OP_OUT: u8 = 0x02;
const OP_BRIDGED: u8 = 0x04;
const OP_ISIN: u8 = 0x08;
const OP_ISOUT: u8 = 0x10;

/// The `physdev` match.
pub struct Physdev;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Physdev];

static OPTS: &[Opt] = &[
    Opt::req_inv("physdev-in"),
    Opt::req_inv("physdev-out"),
    Opt::flag_inv("physdev-is-in"),
    Opt::flag_inv("physdev-is-out"),
    Opt::flag_inv("physdev-is-bridged"),
];

/// `xtables_parse_interface`: the name (at most 15 bytes) and its 16-byte
/// match mask: a trailing `+` masks only the bytes before it, otherwise the
/// name and its NUL are masked.
pub(crate) fn parse_interface(s: &str) -> XtResult<([u8; 16], [u8; 16])> {
    let b = s.as_bytes();
    if b.len() + 1 > 16 {
        return Err(XtError::param(format!(
            "interface name `{s}' must be shorter than IFNAMSIZ (15)"
        )));
    }
    let mut name = [0u8; 16];
    let mut mask = [0u8; 16];
    name[..b.len()].copy_from_slice(b);
    if b.last() == Some(&b'+') {
        mask[..b.len() - 1].fill(0xff);
    } else if !b.is_empty() {
        mask[..b.len() + 1].fill(0xff);
        if b.iter().any(|&c| c == b'/' || c == b' ') {
            eprintln!(
                "Warning: weird character in interface `{s}' ('/' and ' ' are not allowed by the kernel)."
            );
        }
    }
    Ok((name, mask))
}

impl Extension for Physdev {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "physdev"
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
            "physdev-in" | "physdev-out" => {
                let (n, m) = parse_interface(arg.unwrap_or(""))?;
                let off = if opt == "physdev-in" { IN } else { OUT };
                wr(&mut st.blob, off, &n);
                wr(&mut st.blob, off + 16, &m);
                if opt == "physdev-in" {
                    OP_IN
                } else {
                    OP_OUT
                }
            }
            "physdev-is-in" => OP_ISIN,
            "physdev-is-out" => OP_ISOUT,
            "physdev-is-bridged" => OP_BRIDGED,
            _ => 0,
        };
        let b = rd_u8(&st.blob, BITMASK) | bit;
        wr_u8(&mut st.blob, BITMASK, b);
        if invert {
            let i = rd_u8(&st.blob, INVERT) | bit;
            wr_u8(&mut st.blob, INVERT, i);
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param("PHYSDEV: no physdev option specified"));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" PHYSDEV match");
        self.save(ctx, blob, out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let b = rd_u8(blob, BITMASK);
        let inv = rd_u8(blob, INVERT);
        let neg = |bit: u8| if inv & bit != 0 { " !" } else { "" };
        if b & OP_ISIN != 0 {
            out.push_str(&format!("{} --physdev-is-in", neg(OP_ISIN)));
        }
        if b & OP_IN != 0 {
            out.push_str(&format!(
                "{} --physdev-in {}",
                neg(OP_IN),
                rd_str(blob, IN, 16)
            ));
        }
        if b & OP_ISOUT != 0 {
            out.push_str(&format!("{} --physdev-is-out", neg(OP_ISOUT)));
        }
        if b & OP_OUT != 0 {
            out.push_str(&format!(
                "{} --physdev-out {}",
                neg(OP_OUT),
                rd_str(blob, OUT, 16)
            ));
        }
        if b & OP_BRIDGED != 0 {
            out.push_str(&format!("{} --physdev-is-bridged", neg(OP_BRIDGED)));
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
            "-m physdev --physdev-in lo;=;OK",
            "-m physdev --physdev-is-in --physdev-in lo;=;OK",
        ] {
            check(Family::V4, "INPUT", l);
            check(Family::V6, "INPUT", l);
        }
        check(
            Family::V4,
            "FORWARD",
            "-m physdev --physdev-in lo --physdev-is-bridged;=;OK",
        );
        check(
            Family::V4,
            "POSTROUTING",
            "-m physdev --physdev-out lo --physdev-is-bridged;=;OK",
        );
    }

    #[test]
    fn observed() {
        let p = parse(
            Family::V4,
            "FORWARD",
            "-m physdev ! --physdev-is-in ! --physdev-in eth+ ! --physdev-out veth0 ! --physdev-is-out ! --physdev-is-bridged",
        )
        .unwrap();
        assert_eq!(
            p.save,
            " -m physdev ! --physdev-is-in ! --physdev-in eth+ ! --physdev-is-out ! --physdev-out veth0 ! --physdev-is-bridged"
        );
        assert_eq!(
            p.print,
            " PHYSDEV match ! --physdev-is-in ! --physdev-in eth+ ! --physdev-is-out ! --physdev-out veth0 ! --physdev-is-bridged"
        );
        // iptables -vvv
        let mut want = vec![0u8; 72];
        want[..4].copy_from_slice(b"eth+");
        want[16..19].fill(0xff);
        want[32..37].copy_from_slice(b"veth0");
        want[48..54].fill(0xff);
        want[64] = 0x1f;
        want[65] = 0x1f;
        assert_eq!(p.blob, want);
        let p = parse(Family::V4, "FORWARD", "-m physdev --physdev-in +").unwrap();
        assert_eq!(p.save, " -m physdev --physdev-in +");
        assert!(p.blob[16..32].iter().all(|&b| b == 0));
        let e = |r: &str| parse(Family::V4, "FORWARD", r).unwrap_err().msg;
        assert_eq!(e("-m physdev"), "PHYSDEV: no physdev option specified");
        assert_eq!(
            e("-m physdev --physdev-in aaaaaaaaaaaaaaaa"),
            "interface name `aaaaaaaaaaaaaaaa' must be shorter than IFNAMSIZ (15)"
        );
    }
}
