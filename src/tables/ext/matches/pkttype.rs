//! `pkttype` match: the link-layer packet type (`unicast`, `broadcast`,
//! `multicast`, `otherhost`).
//!
//! Kernel struct `struct xt_pkttype_info { int pkttype; int invert; }`
//! (`xt_pkttype.h`), revision 0, 8 bytes, host byte order; `pkttype` is a
//! `PACKET_*` value.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u32, wr_u32};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 8;

/// Names in lookup and print order; `host` is a hidden alias of `unicast`.
const TYPES: &[(&str, u32)] = &[
    ("unicast", 0),
    ("broadcast", 1),
    ("multicast", 2),
    ("otherhost", 3),
    ("host", 0),
];

/// The `pkttype` match.
pub struct Pkttype;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Pkttype];

static OPTS: &[Opt] = &[Opt::req_inv("pkt-type")];

fn type_text(v: u32) -> String {
    TYPES
        .iter()
        .find(|(_, t)| *t == v)
        .map_or_else(|| v.to_string(), |(n, _)| n.to_string())
}

impl Extension for Pkttype {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "pkttype"
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
        _opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let a = arg.unwrap_or("");
        let v = TYPES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(a))
            .map(|&(_, v)| v)
            .ok_or_else(|| XtError::param(format!("Bad packet type '{a}'")))?;
        wr_u32(&mut st.blob, 0, v);
        wr_u32(&mut st.blob, 4, invert as u32);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "pkttype: option \"--pkt-type\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let op = if rd_u32(blob, 4) != 0 { "!=" } else { "=" };
        out.push_str(&format!(" PKTTYPE {op} {}", type_text(rd_u32(blob, 0))));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u32(blob, 4) != 0 {
            out.push_str(" !");
        }
        out.push_str(&format!(" --pkt-type {}", type_text(rd_u32(blob, 0))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};

    #[test]
    fn corpus_lines() {
        for l in [
            "-m pkttype --pkt-type unicast;=;OK",
            "-m pkttype --pkt-type broadcast;=;OK",
            "-m pkttype --pkt-type multicast;=;OK",
            "-m pkttype --pkt-type wrong;;FAIL",
            "-m pkttype;;FAIL",
        ] {
            check(Family::V4, "INPUT", l);
            check(Family::V6, "INPUT", l);
        }
    }

    #[test]
    fn observed() {
        let p = parse(Family::V4, "INPUT", "-m pkttype ! --pkt-type MULTICAST").unwrap();
        assert_eq!(p.save, " -m pkttype ! --pkt-type multicast");
        assert_eq!(p.print, " PKTTYPE != multicast");
        // iptables -vvv: 02 00 00 00 01 00 00 00
        assert_eq!(p.blob, [2, 0, 0, 0, 1, 0, 0, 0]);
        let p = parse(Family::V4, "INPUT", "-m pkttype --pkt-type Host").unwrap();
        assert_eq!(p.save, " -m pkttype --pkt-type unicast");
        assert_eq!(p.print_numeric, " PKTTYPE = unicast");
        let e = parse(Family::V4, "INPUT", "-m pkttype --pkt-type multi").unwrap_err();
        assert_eq!(e.msg, "Bad packet type 'multi'");
    }
}
