//! `esp` match (iptables and ip6tables): the IPsec ESP header's SPI (range).
//!
//! Kernel struct `struct xt_esp { __u32 spis[2]; __u8 invflags; }`, name
//! `esp`, revision 0, 16 bytes (XT_ALIGN of 12). The kernel accepts it only
//! in rules with `-p esp` (not inverted).
//!
//! This file also holds [`SpiMatch`], the code shared with the IPv4 `ah`
//! match (ah.rs) and the `ipcomp` match (ipcomp.rs), whose structs begin the
//! same way (`spis[2]`, `invflags`, and for ipcomp `hdrres`).

use crate::tables::error::XtResult;
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u32, rd_u8, wr_u32, wr_u8};
use crate::tables::ext::xtables::xt_range_wrapping;
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

/// `XT_ESP_INV_SPI` (also `IPT_AH_INV_SPI`, `XT_IPCOMP_INV_SPI`)
const INV_SPI: u8 = 0x01;

const OFF_SPIS: usize = 0;
const OFF_INV: usize = 8;
/// `hdrres` in `struct xt_ipcomp`.
const OFF_RES: usize = 9;

/// A match on an SPI range (`esp`, IPv4 `ah`, `ipcomp`).
pub struct SpiMatch {
    /// The `-m` and kernel name.
    pub name: &'static str,
    /// Families served.
    pub families: Families,
    /// Options: the SPI option first, then an optional `hdrres` flag.
    pub opts: &'static [Opt],
    /// The `-L` label with its spaces (`" esp"`, `" ah "`, `" comp "`).
    pub label: &'static str,
    /// Whether the `spi:` part starts with a space (esp) or is glued to
    /// the label (ah, ipcomp).
    pub spaced: bool,
    /// Whether a fresh blob holds the full range 0:4294967295 (esp, ah) or
    /// 0:0 (ipcomp, which has no init).
    pub full_default: bool,
}

/// The `esp` match.
pub static ESP: SpiMatch = SpiMatch {
    name: "esp",
    families: Families::Both,
    opts: &[Opt::req_inv("espspi")],
    label: " esp",
    spaced: true,
    full_default: true,
};

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&ESP];

impl Extension for SpiMatch {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        self.name
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        self.families
    }
    fn size(&self, _family: Family) -> usize {
        16
    }
    fn options(&self) -> &'static [Opt] {
        self.opts
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        if self.full_default {
            wr_u32(&mut st.blob, OFF_SPIS + 4, u32::MAX);
        }
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        if opt.ends_with("spi") {
            let (from, to) = xt_range_wrapping(self.name, opt, arg.unwrap_or(""), u32::MAX as u64)?;
            wr_u32(&mut st.blob, OFF_SPIS, from as u32);
            wr_u32(&mut st.blob, OFF_SPIS + 4, to as u32);
            if invert {
                let inv = rd_u8(&st.blob, OFF_INV) | INV_SPI;
                wr_u8(&mut st.blob, OFF_INV, inv);
            }
        } else {
            wr_u8(&mut st.blob, OFF_RES, 1);
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let inv = rd_u8(blob, OFF_INV);
        out.push_str(self.label);
        let (from, to) = (rd_u32(blob, OFF_SPIS), rd_u32(blob, OFF_SPIS + 4));
        if from != 0 || to != u32::MAX || inv & INV_SPI != 0 {
            if self.spaced {
                out.push(' ');
            }
            let bang = if inv & INV_SPI != 0 { "!" } else { "" };
            if from == to {
                out.push_str(&format!("spi:{bang}{from}"));
            } else {
                out.push_str(&format!("spis:{bang}{from}:{to}"));
            }
        }
        if self.opts.len() > 1 && rd_u8(blob, OFF_RES) != 0 {
            out.push_str(" reserved");
        }
        if inv & !INV_SPI != 0 {
            out.push_str(&format!(" Unknown invflags: 0x{:X}", inv & !INV_SPI));
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let inv = rd_u8(blob, OFF_INV);
        let (from, to) = (rd_u32(blob, OFF_SPIS), rd_u32(blob, OFF_SPIS + 4));
        if from != 0 || to != u32::MAX {
            if inv & INV_SPI != 0 {
                out.push_str(" !");
            }
            let opt = self.opts.first().map_or("", |o| o.name);
            if from == to {
                out.push_str(&format!(" --{opt} {from}"));
            } else {
                out.push_str(&format!(" --{opt} {from}:{to}"));
            }
        }
        if let Some(res) = self.opts.get(1) {
            if rd_u8(blob, OFF_RES) != 0 {
                out.push_str(&format!(" --{}", res.name));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::frag::corpus::{check, run_line};

    const CORPUS: &str = "-p esp -m esp --espspi 0;=;OK
        -p esp -m esp --espspi :32;-p esp -m esp --espspi 0:32;OK
        -p esp -m esp --espspi 0:4294967295;-p esp -m esp;OK
        -p esp -m esp ! --espspi 0:4294967294;=;OK
        -p esp -m esp --espspi -1;;FAIL
        -p esp -m esp;=;OK";

    #[test]
    fn corpus_lines() {
        // `-m esp;;FAIL` is refused by the kernel (xt_esp requires -p esp).
        check(Family::V4, CORPUS);
        check(Family::V6, CORPUS);
    }

    #[test]
    fn prints() {
        for (rule, save, print) in [
            (
                "-p esp -m esp --espspi 0",
                "-m esp --espspi 0",
                " esp spi:0",
            ),
            (
                "-p esp -m esp --espspi :32",
                "-m esp --espspi 0:32",
                " esp spis:0:32",
            ),
            ("-p esp -m esp", "-m esp", " esp"),
            (
                "-p esp -m esp ! --espspi 0:4294967294",
                "-m esp ! --espspi 0:4294967294",
                " esp spis:!0:4294967294",
            ),
            (
                "-p esp -m esp ! --espspi 0:4294967295",
                "-m esp",
                " esp spis:!0:4294967295",
            ),
            (
                "-p esp -m esp ! --espspi 5",
                "-m esp ! --espspi 5",
                " esp spi:!5",
            ),
        ] {
            for fam in [Family::V4, Family::V6] {
                let p = run_line(fam, rule).unwrap();
                assert_eq!(p.save.trim_start(), save, "{rule}");
                assert_eq!(p.print, print, "{rule}");
                assert_eq!(p.print_numeric, print, "{rule}");
            }
        }
    }

    #[test]
    fn errors() {
        assert_eq!(
            run_line(Family::V4, "-p esp -m esp --espspi -1")
                .unwrap_err()
                .msg,
            "esp: bad value for option \"--espspi\" near \"-1\", or out of range (0-4294967295).\n"
        );
    }

    #[test]
    fn blob_bytes() {
        // iptables -vvv -A INPUT -p esp -m esp ! --espspi 1:2 (ip6tables: same)
        let p = run_line(Family::V4, "-p esp -m esp ! --espspi 1:2").unwrap();
        assert_eq!(p.blob, [1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
        let p = run_line(Family::V6, "-p esp -m esp").unwrap();
        assert_eq!(
            p.blob,
            [0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]
        );
    }
}
