//! `ah` match for ip6tables (IPv6): the IPsec AH header's SPI (range),
//! length and reserved field.
//!
//! Kernel struct `struct ip6t_ah { __u32 spis[2]; __u32 hdrlen; __u8 hdrres;
//! __u8 invflags; }`, name `ah` (NFPROTO_IPV6; the IPv4 `ah` is ah.rs),
//! revision 0, 16 bytes (XT_ALIGN of 14). Unlike the IPv4 one it walks the
//! extension headers, so it needs no `-p`.
//!
//! `-L` glues the parts as ip6tables 1.8.9 does: `ah spis:1:2length:32`.
//! A length of 0 without `!` is neither printed nor saved.

use crate::tables::error::XtResult;
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u32, rd_u8, wr_u32, wr_u8};
use crate::tables::ext::xtables::{xt_range_wrapping, xt_uint_wrapping};
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

/// `IP6T_AH_INV_SPI`
const INV_SPI: u8 = 0x01;
/// `IP6T_AH_INV_LEN`
const INV_LEN: u8 = 0x02;

const OFF_SPIS: usize = 0;
const OFF_LEN: usize = 8;
const OFF_RES: usize = 12;
const OFF_INV: usize = 13;

/// The ip6tables `ah` match.
pub struct Ah6;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Ah6];

static OPTS: &[Opt] = &[
    Opt::req_inv("ahspi"),
    Opt::req_inv("ahlen"),
    Opt::flag("ahres"),
];

impl Extension for Ah6 {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "ah"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        Families::V6
    }
    fn size(&self, _family: Family) -> usize {
        16
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_u32(&mut st.blob, OFF_SPIS + 4, u32::MAX);
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
        let mut inv = rd_u8(&st.blob, OFF_INV);
        match opt {
            "ahspi" => {
                let (from, to) = xt_range_wrapping("ah", opt, a, u32::MAX as u64)?;
                wr_u32(&mut st.blob, OFF_SPIS, from as u32);
                wr_u32(&mut st.blob, OFF_SPIS + 4, to as u32);
                if invert {
                    inv |= INV_SPI;
                }
            }
            "ahlen" => {
                let v = xt_uint_wrapping("ah", opt, a, 0, u32::MAX as u64)?;
                wr_u32(&mut st.blob, OFF_LEN, v as u32);
                if invert {
                    inv |= INV_LEN;
                }
            }
            _ => wr_u8(&mut st.blob, OFF_RES, 1),
        }
        wr_u8(&mut st.blob, OFF_INV, inv);
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let inv = rd_u8(blob, OFF_INV);
        out.push_str(" ah ");
        let (from, to) = (rd_u32(blob, OFF_SPIS), rd_u32(blob, OFF_SPIS + 4));
        if from != 0 || to != u32::MAX || inv & INV_SPI != 0 {
            let bang = if inv & INV_SPI != 0 { "!" } else { "" };
            if from == to {
                out.push_str(&format!("spi:{bang}{from}"));
            } else {
                out.push_str(&format!("spis:{bang}{from}:{to}"));
            }
        }
        let len = rd_u32(blob, OFF_LEN);
        if len != 0 || inv & INV_LEN != 0 {
            let bang = if inv & INV_LEN != 0 { "!" } else { "" };
            out.push_str(&format!("length:{bang}{len}"));
        }
        if rd_u8(blob, OFF_RES) != 0 {
            out.push_str(" reserved");
        }
        let unknown = inv & !(INV_SPI | INV_LEN);
        if unknown != 0 {
            out.push_str(&format!(" Unknown invflags: 0x{unknown:X}"));
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let inv = rd_u8(blob, OFF_INV);
        let (from, to) = (rd_u32(blob, OFF_SPIS), rd_u32(blob, OFF_SPIS + 4));
        if from != 0 || to != u32::MAX {
            if inv & INV_SPI != 0 {
                out.push_str(" !");
            }
            if from == to {
                out.push_str(&format!(" --ahspi {from}"));
            } else {
                out.push_str(&format!(" --ahspi {from}:{to}"));
            }
        }
        let len = rd_u32(blob, OFF_LEN);
        if len != 0 || inv & INV_LEN != 0 {
            if inv & INV_LEN != 0 {
                out.push_str(" !");
            }
            out.push_str(&format!(" --ahlen {len}"));
        }
        if rd_u8(blob, OFF_RES) != 0 {
            out.push_str(" --ahres");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::frag::corpus::{check, run_line};

    #[test]
    fn corpus_lines() {
        check(
            Family::V6,
            "-m ah --ahspi 0;=;OK
            -m ah --ahspi 4294967295;=;OK
            -m ah --ahspi 0:4294967295;-m ah;OK
            -m ah ! --ahspi 0;=;OK
            -m ah --ahres;=;OK
            -m ah --ahlen 32;=;OK
            -m ah --ahspi -1;;FAIL
            -m ah --ahspi 4294967296;;FAIL
            -m ah --ahspi invalid;;FAIL
            -m ah --ahspi 0:invalid;;FAIL
            -m ah;=;OK",
        );
    }

    #[test]
    fn prints() {
        for (rule, save, print) in [
            ("-m ah --ahspi 0", "-m ah --ahspi 0", " ah spi:0"),
            ("-m ah --ahspi 0:4294967295", "-m ah", " ah "),
            ("-m ah ! --ahspi 0", "-m ah ! --ahspi 0", " ah spi:!0"),
            ("-m ah --ahres", "-m ah --ahres", " ah  reserved"),
            ("-m ah --ahlen 32", "-m ah --ahlen 32", " ah length:32"),
            ("-m ah ! --ahlen 32", "-m ah ! --ahlen 32", " ah length:!32"),
            ("-m ah --ahlen 0", "-m ah", " ah "),
            ("-m ah ! --ahlen 0", "-m ah ! --ahlen 0", " ah length:!0"),
            (
                "-m ah --ahspi 1:2 --ahlen 0 --ahres",
                "-m ah --ahspi 1:2 --ahres",
                " ah spis:1:2 reserved",
            ),
            (
                "-m ah --ahspi 1:2 --ahlen 32",
                "-m ah --ahspi 1:2 --ahlen 32",
                " ah spis:1:2length:32",
            ),
            (
                "-m ah ! --ahspi 5 ! --ahlen 7 --ahres",
                "-m ah ! --ahspi 5 ! --ahlen 7 --ahres",
                " ah spi:!5length:!7 reserved",
            ),
            (
                "-m ah ! --ahspi 0:4294967295",
                "-m ah",
                " ah spis:!0:4294967295",
            ),
        ] {
            let p = run_line(Family::V6, rule).unwrap();
            assert_eq!(p.save.trim_start(), save, "{rule}");
            assert_eq!(p.print, print, "{rule}");
            assert_eq!(p.print_numeric, print, "{rule}");
        }
    }

    #[test]
    fn errors() {
        for (rule, msg) in [
            (
                "-m ah --ahspi -1",
                "ah: bad value for option \"--ahspi\" near \"-1\", or out of range (0-4294967295).\n",
            ),
            (
                "-m ah --ahlen 1:2",
                "ah: bad value for option \"--ahlen\", or out of range (0-4294967295).\n",
            ),
            ("-m ah ! --ahres", "ah: option \"--ahres\" cannot be inverted.\n"),
        ] {
            assert_eq!(run_line(Family::V6, rule).unwrap_err().msg, msg, "{rule}");
        }
    }

    #[test]
    fn blob_bytes() {
        // ip6tables -vvv -A INPUT -m ah ! --ahspi 1:2 --ahlen 32 --ahres
        let p = run_line(Family::V6, "-m ah ! --ahspi 1:2 --ahlen 32 --ahres").unwrap();
        assert_eq!(p.blob, [1, 0, 0, 0, 2, 0, 0, 0, 0x20, 0, 0, 0, 1, 1, 0, 0]);
        // ip6tables -vvv -A INPUT -m ah ! --ahlen 0
        let p = run_line(Family::V6, "-m ah ! --ahlen 0").unwrap();
        assert_eq!(
            p.blob,
            [0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 2, 0, 0]
        );
    }

    #[test]
    fn families_do_not_clash() {
        use crate::tables::ext::{find, find_kernel};
        let v4 = find(Kind::Match, "ah", Family::V4).unwrap();
        let v6 = find(Kind::Match, "ah", Family::V6).unwrap();
        assert_eq!(v4.options().len(), 1);
        assert_eq!(v6.options().len(), 3);
        let k6 = find_kernel(Kind::Match, "ah", 0, Family::V6).unwrap();
        assert_eq!(k6.options().len(), 3);
    }
}
