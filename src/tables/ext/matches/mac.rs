//! `mac` match: the Ethernet source address (`[!] --mac-source XX:..:XX`).
//! The kernel allows it on PREROUTING, INPUT and FORWARD only.
//!
//! Kernel struct `struct xt_mac_info { unsigned char srcaddr[6]; int
//! invert; }` (`xt_mac.h`), revision 0, 16 bytes (`invert` at offset 8).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u32, rd_u8, wr, wr_u32};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 16;
const INVERT: usize = 8;

/// The `mac` match.
pub struct Mac;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Mac];

static OPTS: &[Opt] = &[Opt::req_inv("mac-source")];

/// `xtopt_parse_ethermac`: six `:`-separated parts of at most two hex
/// digits (an empty part is 0).
pub(crate) fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        return None;
    }
    let mut m = [0u8; 6];
    for (i, p) in parts.iter().enumerate() {
        if p.len() > 2 || !p.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        m[i] = if p.is_empty() {
            0
        } else {
            u8::from_str_radix(p, 16).ok()?
        };
    }
    Some(m)
}

/// `aa:bb:cc:dd:ee:ff`, lower case.
pub(crate) fn mac_text(blob: &[u8], off: usize) -> String {
    (0..6)
        .map(|i| format!("{:02x}", rd_u8(blob, off + i)))
        .collect::<Vec<_>>()
        .join(":")
}

impl Extension for Mac {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "mac"
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
        let m = parse_mac(arg.unwrap_or(""))
            .ok_or_else(|| XtError::param("Invalid MAC address specified."))?;
        wr(&mut st.blob, 0, &m);
        wr_u32(&mut st.blob, INVERT, invert as u32);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "mac: option \"--mac-source\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" MAC");
        if rd_u32(blob, INVERT) != 0 {
            out.push_str(" !");
        }
        out.push(' ');
        out.push_str(&mac_text(blob, 0));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u32(blob, INVERT) != 0 {
            out.push_str(" !");
        }
        out.push_str(" --mac-source ");
        out.push_str(&mac_text(blob, 0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};

    #[test]
    fn corpus_lines() {
        for l in [
            "-m mac --mac-source 42:01:02:03:04:05;=;OK",
            "-m mac --mac-source 42:01:02:03:04;=;FAIL",
            "-m mac --mac-source 42:01:02:03:04:05:06;=;FAIL",
            "-m mac;;FAIL",
        ] {
            check(Family::V4, "INPUT", l);
            check(Family::V6, "FORWARD", l);
        }
    }

    #[test]
    fn observed() {
        let p = parse(
            Family::V4,
            "INPUT",
            "-m mac ! --mac-source 42:01:02:03:04:0A",
        )
        .unwrap();
        assert_eq!(p.save, " -m mac ! --mac-source 42:01:02:03:04:0a");
        assert_eq!(p.print, " MAC ! 42:01:02:03:04:0a");
        let p = parse(
            Family::V4,
            "INPUT",
            "-m mac ! --mac-source 42:01:02:03:04:05",
        )
        .unwrap();
        // iptables -vvv: 42 01 02 03 04 05 00 00 01 00 00 00 00 00 00 00
        assert_eq!(p.blob, [0x42, 1, 2, 3, 4, 5, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
        for bad in ["4201:02:03:04:05", "42:01:02:03:04:1ff"] {
            let e = parse(Family::V4, "INPUT", &format!("-m mac --mac-source {bad}")).unwrap_err();
            assert_eq!(e.msg, "Invalid MAC address specified.");
        }
    }
}
