//! `devgroup` match: the device group of the incoming and/or outgoing
//! interface (`--src-group`, `--dst-group`, `VALUE[/MASK]` or a name from
//! /etc/iproute2/group).
//!
//! Kernel struct `struct xt_devgroup_info { u32 flags, src_group, src_mask,
//! dst_group, dst_mask; }` (`xt_devgroup.h`), revision 0, 24 bytes. Save
//! prints group names too (iptables saves with names). The kernel refuses
//! `--src-group` on OUTPUT/POSTROUTING and `--dst-group` on
//! PREROUTING/INPUT.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::matches::conntrack::{lmap, parse_val_mask, val_mask_text};
use crate::tables::ext::util::{rd_u32, wr_u32};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 24;
const FLAGS: usize = 0;
const MATCH_SRC: u32 = 1;
const INVERT_SRC: u32 = 2;
const MATCH_DST: u32 = 4;
const INVERT_DST: u32 = 8;
/// The group names file.
const GROUPS: &str = "/etc/iproute2/group";

/// The `devgroup` match.
pub struct Devgroup;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Devgroup];

static OPTS: &[Opt] = &[Opt::req_inv("src-group"), Opt::req_inv("dst-group")];

impl Extension for Devgroup {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "devgroup"
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
        let names = lmap(GROUPS);
        let names = (!names.is_empty()).then_some(names.as_slice());
        let (v, m) = parse_val_mask("devgroup", opt, arg.unwrap_or(""), names)?;
        let (off, fm, fi) = if opt == "src-group" {
            (4, MATCH_SRC, INVERT_SRC)
        } else {
            (12, MATCH_DST, INVERT_DST)
        };
        wr_u32(&mut st.blob, off, v);
        wr_u32(&mut st.blob, off + 4, m);
        let mut f = rd_u32(&st.blob, FLAGS) | fm;
        if invert {
            f |= fi;
        }
        wr_u32(&mut st.blob, FLAGS, f);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "devgroup match: You must specify either '--src-group' or '--dst-group'",
            ));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        show(blob, "", ctx.numeric, out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        show(blob, "--", false, out);
    }
}

fn show(blob: &[u8], pfx: &str, numeric: bool, out: &mut String) {
    let names = lmap(GROUPS);
    let f = rd_u32(blob, FLAGS);
    for (fm, fi, off, name) in [
        (MATCH_SRC, INVERT_SRC, 4, "src-group"),
        (MATCH_DST, INVERT_DST, 12, "dst-group"),
    ] {
        if f & fm == 0 {
            continue;
        }
        if f & fi != 0 {
            out.push_str(" !");
        }
        out.push_str(&format!(" {pfx}{name}"));
        out.push_str(&val_mask_text(
            rd_u32(blob, off),
            rd_u32(blob, off + 4),
            &names,
            numeric,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::parse;

    #[test]
    fn observed() {
        let p = parse(
            Family::V4,
            "FORWARD",
            "-m devgroup --src-group 1 ! --dst-group 0x10/0xff",
        )
        .unwrap();
        assert_eq!(
            p.save,
            " -m devgroup --src-group 0x1 ! --dst-group 0x10/0xff"
        );
        assert_eq!(p.print, " src-group 0x1 ! dst-group 0x10/0xff");
        // iptables -vvv
        assert_eq!(
            p.blob,
            [
                0x0d, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0, 0xff, 0, 0, 0, 0,
                0, 0, 0
            ]
        );
        let p = parse(Family::V4, "FORWARD", "-m devgroup ! --src-group 5/5").unwrap();
        assert_eq!(p.save, " -m devgroup ! --src-group 0x5/0x5");
        assert_eq!(p.print, " ! src-group 0x5/0x5");
        if lmap(GROUPS).iter().any(|(i, n)| *i == 0 && n == "default") {
            let p = parse(
                Family::V4,
                "FORWARD",
                "-m devgroup --src-group default --dst-group 0",
            )
            .unwrap();
            assert_eq!(
                p.save,
                " -m devgroup --src-group default --dst-group default"
            );
            assert_eq!(p.print, " src-group default dst-group default");
            assert_eq!(p.print_numeric, " src-group 0x0 dst-group 0x0");
        }
        let e = |r: &str| parse(Family::V4, "FORWARD", r).unwrap_err().msg;
        assert_eq!(
            e("-m devgroup"),
            "devgroup match: You must specify either '--src-group' or '--dst-group'"
        );
        assert_eq!(
            e("-m devgroup --src-group 1/"),
            "devgroup: bad integer value for option \"--src-group\", or out of range.\n"
        );
        if !lmap(GROUPS).is_empty() {
            assert_eq!(
                e("-m devgroup --src-group foo"),
                "devgroup: could not map name foo to an integer value for option \"--src-group\".\n"
            );
        }
    }
}
