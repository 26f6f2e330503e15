//! `realm` match (IPv4 only): the routing realm of the packet's route
//! (`[!] --realm VALUE[/MASK]` or a name from /etc/iproute2/rt_realms).
//!
//! Kernel struct `struct xt_realm_info { u32 id; u32 mask; u8 invert; }`
//! (`xt_realm.h`), revision 0, 16 bytes. Save prints realm names too.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::matches::conntrack::{lmap, parse_val_mask, val_mask_text};
use crate::tables::ext::util::{rd_u32, rd_u8, wr_u32, wr_u8};
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

const SIZE: usize = 16;
/// The realm names file.
const REALMS: &str = "/etc/iproute2/rt_realms";

/// The `realm` match.
pub struct Realm;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Realm];

static OPTS: &[Opt] = &[Opt::req_inv("realm")];

impl Extension for Realm {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "realm"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        Families::V4
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
        let names = lmap(REALMS);
        let names = (!names.is_empty()).then_some(names.as_slice());
        let (v, m) = parse_val_mask("realm", opt, arg.unwrap_or(""), names)?;
        wr_u32(&mut st.blob, 0, v);
        wr_u32(&mut st.blob, 4, m);
        wr_u8(&mut st.blob, 8, invert as u8);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "realm: option \"--realm\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        show(blob, "realm", ctx.numeric, out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        show(blob, "--realm", false, out);
    }
}

fn show(blob: &[u8], label: &str, numeric: bool, out: &mut String) {
    if rd_u8(blob, 8) != 0 {
        out.push_str(" !");
    }
    out.push(' ');
    out.push_str(label);
    out.push_str(&val_mask_text(
        rd_u32(blob, 0),
        rd_u32(blob, 4),
        &lmap(REALMS),
        numeric,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::find;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};

    #[test]
    fn corpus_lines() {
        for l in [
            "-m realm --realm 0x1/0x2a;=;OK",
            "-m realm --realm 0x2a;=;OK",
            "-m realm;;FAIL",
        ] {
            check(Family::V4, "INPUT", l);
        }
        assert!(find(Kind::Match, "realm", Family::V6).is_none());
    }

    #[test]
    fn observed() {
        let p = parse(Family::V4, "INPUT", "-m realm ! --realm 0x1/0x2a").unwrap();
        assert_eq!(p.save, " -m realm ! --realm 0x1/0x2a");
        assert_eq!(p.print, " ! realm 0x1/0x2a");
        // iptables -vvv
        assert_eq!(p.blob, [1, 0, 0, 0, 0x2a, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
        let p = parse(Family::V4, "INPUT", "-m realm ! --realm 5").unwrap();
        assert_eq!(p.save, " -m realm ! --realm 0x5");
        let p = parse(Family::V4, "INPUT", "-m realm --realm 0/0xff").unwrap();
        assert_eq!(p.print, " realm 0x0/0xff");
        if lmap(REALMS).iter().any(|(i, n)| *i == 0 && n == "cosmos") {
            let p = parse(Family::V4, "INPUT", "-m realm --realm cosmos").unwrap();
            assert_eq!(p.save, " -m realm --realm cosmos");
            assert_eq!(p.print, " realm cosmos");
            assert_eq!(p.print_numeric, " realm 0x0");
        }
        let e = |r: &str| parse(Family::V4, "INPUT", r).unwrap_err().msg;
        assert_eq!(
            e("-m realm --realm 1/2x"),
            "realm: trailing garbage after value for option \"--realm\".\n"
        );
        assert_eq!(
            e("-m realm --realm 1/x"),
            "realm: bad integer value for option \"--realm\", or out of range.\n"
        );
    }
}
