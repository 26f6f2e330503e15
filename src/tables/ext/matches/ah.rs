//! `ah` match for iptables (IPv4): the IPsec AH header's SPI (range).
//!
//! Kernel struct `struct ipt_ah { __u32 spis[2]; __u8 invflags; }`, name
//! `ah` (NFPROTO_IPV4), revision 0, 16 bytes. The kernel accepts it only in
//! rules with `-p ah` (not inverted). The ip6tables `ah` match is ah6.rs.
//! The code is esp.rs' [`SpiMatch`].

use crate::tables::ext::matches::esp::SpiMatch;
use crate::tables::ext::{Ext, Families, Opt};

/// The IPv4 `ah` match.
pub static AH: SpiMatch = SpiMatch {
    name: "ah",
    families: Families::V4,
    opts: &[Opt::req_inv("ahspi")],
    label: " ah ",
    spaced: false,
    full_default: true,
};

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&AH];

#[cfg(test)]
mod tests {
    use crate::tables::expr::Family;
    use crate::tables::ext::matches::frag::corpus::{check, run_line};

    #[test]
    fn corpus_lines() {
        // `-m ah --ahspi 0`, `-m ah` (no `-p ah`) are refused by the kernel.
        check(
            Family::V4,
            "-p ah -m ah --ahspi 0;=;OK
            -p ah -m ah --ahspi 4294967295;=;OK
            -p ah -m ah --ahspi 0:4294967295;-p ah -m ah;OK
            -p ah -m ah ! --ahspi 0;=;OK
            -p ah -m ah --ahspi -1;;FAIL
            -p ah -m ah --ahspi 4294967296;;FAIL
            -p ah -m ah --ahspi invalid;;FAIL
            -p ah -m ah --ahspi 0:invalid;;FAIL
            -p ah -m ah;=;OK",
        );
    }

    #[test]
    fn prints() {
        for (rule, save, print) in [
            ("-p ah -m ah --ahspi 0", "-m ah --ahspi 0", " ah spi:0"),
            ("-p ah -m ah", "-m ah", " ah "),
            ("-p ah -m ah ! --ahspi 0", "-m ah ! --ahspi 0", " ah spi:!0"),
            (
                "-p ah -m ah --ahspi 5:3",
                "-m ah --ahspi 5:3",
                " ah spis:5:3",
            ),
            (
                "-p ah -m ah --ahspi :7",
                "-m ah --ahspi 0:7",
                " ah spis:0:7",
            ),
            (
                "-p ah -m ah ! --ahspi 0:4294967295",
                "-m ah",
                " ah spis:!0:4294967295",
            ),
        ] {
            let p = run_line(Family::V4, rule).unwrap();
            assert_eq!(p.save.trim_start(), save, "{rule}");
            assert_eq!(p.print, print, "{rule}");
            assert_eq!(p.print_numeric, print, "{rule}");
        }
    }

    #[test]
    fn errors() {
        for (rule, msg) in [
            (
                "-p ah -m ah --ahspi 4294967296",
                "ah: bad value for option \"--ahspi\" near \"4294967296\", or out of range (0-4294967295).\n",
            ),
            (
                "-p ah -m ah --ahspi 0:invalid",
                "ah: bad value for option \"--ahspi\" near \"invalid\", or out of range (0-4294967295).\n",
            ),
            (
                "-p ah -m ah --ahspi 1:2:3",
                "ah: Too many components for option \"--ahspi\" (max: 2)\n",
            ),
        ] {
            assert_eq!(run_line(Family::V4, rule).unwrap_err().msg, msg, "{rule}");
        }
    }

    #[test]
    fn blob_bytes() {
        // iptables -vvv -A INPUT -p ah -m ah ! --ahspi 1:2
        let p = run_line(Family::V4, "-p ah -m ah ! --ahspi 1:2").unwrap();
        assert_eq!(p.blob, [1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
        let p = run_line(Family::V4, "-p ah -m ah").unwrap();
        assert_eq!(
            p.blob,
            [0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]
        );
    }
}
