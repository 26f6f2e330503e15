//! `ipcomp` match (iptables and ip6tables): the IPComp header's SPI (range)
//! and reserved field.
//!
//! Kernel struct `struct xt_ipcomp { __u32 spis[2]; __u8 invflags; __u8
//! hdrres; }`, name `ipcomp`, revision 0, 16 bytes. The kernel accepts it
//! only in rules with `-p ipcomp`. Unlike esp/ah there is no init: a rule
//! without `--ipcompspi` matches SPI 0 and saves as `--ipcompspi 0`.
//! `-L` labels it `comp`. The code is esp.rs' [`SpiMatch`].

use crate::tables::ext::matches::esp::SpiMatch;
use crate::tables::ext::{Ext, Families, Opt};

/// The `ipcomp` match.
pub static IPCOMP: SpiMatch = SpiMatch {
    name: "ipcomp",
    families: Families::Both,
    opts: &[Opt::req_inv("ipcompspi"), Opt::flag("compres")],
    label: " comp ",
    spaced: false,
    full_default: false,
};

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&IPCOMP];

#[cfg(test)]
mod tests {
    use crate::tables::expr::Family;
    use crate::tables::ext::matches::frag::corpus::{check, run_line};

    #[test]
    fn corpus_lines() {
        let c = "-p ipcomp -m ipcomp --ipcompspi 18 -j DROP;=;OK
            -p ipcomp -m ipcomp ! --ipcompspi 18 -j ACCEPT;=;OK";
        check(Family::V4, c);
        check(Family::V6, c);
    }

    #[test]
    fn prints() {
        for (rule, save, print) in [
            (
                "-p ipcomp -m ipcomp --ipcompspi 18",
                "-m ipcomp --ipcompspi 18",
                " comp spi:18",
            ),
            (
                "-p ipcomp -m ipcomp ! --ipcompspi 18",
                "-m ipcomp ! --ipcompspi 18",
                " comp spi:!18",
            ),
            (
                "-p ipcomp -m ipcomp",
                "-m ipcomp --ipcompspi 0",
                " comp spi:0",
            ),
            (
                "-p ipcomp -m ipcomp --ipcompspi 1:5",
                "-m ipcomp --ipcompspi 1:5",
                " comp spis:1:5",
            ),
            (
                "-p ipcomp -m ipcomp --compres",
                "-m ipcomp --ipcompspi 0 --compres",
                " comp spi:0 reserved",
            ),
            (
                "-p ipcomp -m ipcomp --ipcompspi 0:4294967295",
                "-m ipcomp",
                " comp ",
            ),
            (
                "-p ipcomp -m ipcomp --ipcompspi 0:4294967295 --compres",
                "-m ipcomp --compres",
                " comp  reserved",
            ),
            (
                "-p ipcomp -m ipcomp ! --ipcompspi 0:4294967295",
                "-m ipcomp",
                " comp spis:!0:4294967295",
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
        for (rule, msg) in [
            (
                "-p ipcomp -m ipcomp --ipcompspi x",
                "ipcomp: bad value for option \"--ipcompspi\" near \"x\", or out of range (0-4294967295).\n",
            ),
            (
                "-p ipcomp -m ipcomp ! --compres",
                "ipcomp: option \"--compres\" cannot be inverted.\n",
            ),
        ] {
            assert_eq!(run_line(Family::V4, rule).unwrap_err().msg, msg, "{rule}");
        }
    }

    #[test]
    fn blob_bytes() {
        // iptables -vvv -A INPUT -p ipcomp -m ipcomp ! --ipcompspi 1:2 --compres
        let p = run_line(
            Family::V4,
            "-p ipcomp -m ipcomp ! --ipcompspi 1:2 --compres",
        )
        .unwrap();
        assert_eq!(p.blob, [1, 0, 0, 0, 2, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]);
        let p = run_line(Family::V4, "-p ipcomp -m ipcomp").unwrap();
        assert_eq!(p.blob, [0u8; 16]);
    }
}
