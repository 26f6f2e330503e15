//! `SYNPROXY` target: answers TCP handshakes on behalf of the server
//! (`struct xt_synproxy_info { __u8 options, wscale; __u16 mss; }`,
//! revision 0, 8 bytes; option bits MSS 1, WSCALE 2, SACK_PERM 4,
//! TIMESTAMP 8, ECN 0x10).

use crate::tables::error::XtResult;
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u16, rd_u8, wr_u16, wr_u8};
use crate::tables::ext::xtables::xt_uint;
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const OPT_MSS: u8 = 0x01;
const OPT_WSCALE: u8 = 0x02;
const OPT_SACK_PERM: u8 = 0x04;
const OPT_TIMESTAMP: u8 = 0x08;
const OPT_ECN: u8 = 0x10;

/// The `SYNPROXY` target.
pub struct Synproxy;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Synproxy];

static OPTS: &[Opt] = &[
    Opt::req("mss"),
    Opt::req("wscale"),
    Opt::flag("sack-perm"),
    Opt::flag("timestamp"),
    Opt::flag("ecn"),
];

impl Extension for Synproxy {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "SYNPROXY"
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
        opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let b = &mut st.blob;
        let flag = match opt {
            "mss" => {
                // Read as a 32-bit number and truncated, as iptables does.
                let v = xt_uint("SYNPROXY", opt, arg, 0, u32::MAX as u64)?;
                wr_u16(b, 2, v as u16);
                OPT_MSS
            }
            "wscale" => {
                let v = xt_uint("SYNPROXY", opt, arg, 0, u32::MAX as u64)?;
                wr_u8(b, 1, v as u8);
                OPT_WSCALE
            }
            "sack-perm" => OPT_SACK_PERM,
            "timestamp" => OPT_TIMESTAMP,
            _ => OPT_ECN,
        };
        let o = rd_u8(b, 0) | flag;
        wr_u8(b, 0, o);
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" SYNPROXY ");
        for part in parts(blob) {
            out.push_str(&part);
            out.push(' ');
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        for part in parts(blob) {
            out.push_str(" --");
            out.push_str(&part);
        }
    }
}

/// The options set, in iptables' print order.
fn parts(blob: &[u8]) -> Vec<String> {
    let o = rd_u8(blob, 0);
    let mut v = Vec::new();
    if o & OPT_SACK_PERM != 0 {
        v.push("sack-perm".to_string());
    }
    if o & OPT_TIMESTAMP != 0 {
        v.push("timestamp".to_string());
    }
    if o & OPT_WSCALE != 0 {
        v.push(format!("wscale {}", rd_u8(blob, 1)));
    }
    if o & OPT_MSS != 0 {
        v.push(format!("mss {}", rd_u16(blob, 2)));
    }
    if o & OPT_ECN != 0 {
        v.push("ecn".to_string());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn t(args: &str) -> XtResult<Parsed> {
        let a: Vec<&str> = args.split(' ').filter(|s| !s.is_empty()).collect();
        run(
            Kind::Target,
            "SYNPROXY",
            Family::V4,
            6,
            "filter",
            "INPUT",
            &a,
        )
    }

    #[test]
    fn corpus_and_observed() {
        let p = t("--sack-perm --timestamp --wscale 9 --mss 1460").unwrap();
        assert_eq!(
            p.save,
            " -j SYNPROXY --sack-perm --timestamp --wscale 9 --mss 1460"
        );
        assert_eq!(p.print, " SYNPROXY sack-perm timestamp wscale 9 mss 1460 ");
        assert_eq!(p.blob, [0x0f, 9, 0xb4, 5, 0, 0, 0, 0]);
        let p = t("--ecn --mss 5 --wscale 3 --timestamp --sack-perm").unwrap();
        assert_eq!(
            p.save,
            " -j SYNPROXY --sack-perm --timestamp --wscale 3 --mss 5 --ecn"
        );
        assert_eq!(
            p.print_numeric,
            " SYNPROXY sack-perm timestamp wscale 3 mss 5 ecn "
        );
        let p = t("").unwrap();
        assert_eq!(p.save, " -j SYNPROXY");
        assert_eq!(p.print, " SYNPROXY ");
        assert_eq!(t("--wscale 256").unwrap().save, " -j SYNPROXY --wscale 0");
        assert_eq!(t("--mss 65536").unwrap().save, " -j SYNPROXY --mss 0");
        assert_eq!(
            t("--mss 4294967296").unwrap_err().msg,
            "SYNPROXY: bad value for option \"--mss\", or out of range (0-4294967295).\n"
        );
    }
}
