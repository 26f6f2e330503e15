//! `dst` match (ip6tables only): the IPv6 Destination Options header's
//! length and option types/lengths.
//!
//! Kernel struct `struct ip6t_opts` (see hbh.rs, which holds the shared
//! code), name `dst`, revision 0, 40 bytes.

use crate::tables::ext::matches::hbh::OptsMatch;
use crate::tables::ext::{Ext, Opt};

/// The `dst` match.
pub static DST: OptsMatch = OptsMatch {
    name: "dst",
    opts: &[Opt::req_inv("dst-len"), Opt::req("dst-opts")],
    pad0: "PAD0 hasn't got length",
};

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&DST];

#[cfg(test)]
mod tests {
    use crate::tables::expr::Family;
    use crate::tables::ext::matches::frag::corpus::{check, run_line};

    #[test]
    fn corpus_lines() {
        check(
            Family::V6,
            "-m dst --dst-len 0;=;OK
            -m dst --dst-opts 149:92,12:12,123:12;=;OK
            -m dst ! --dst-len 42;=;OK
            -m dst --dst-len 42 --dst-opts 149:92,12:12,123:12;=;OK",
        );
    }

    #[test]
    fn prints() {
        for (rule, print) in [
            ("-m dst --dst-len 0", " dst length:0"),
            ("-m dst ! --dst-len 42", " dst length:!42"),
            (
                "-m dst --dst-opts 149:92,12:12,123:12",
                " dst opts 149:92,12:12,123:12",
            ),
            ("-m dst --dst-opts -1", " dst opts 255"),
            ("-m dst", " dst"),
        ] {
            let p = run_line(Family::V6, rule).unwrap();
            assert_eq!(p.print, print, "{rule}");
            assert_eq!(p.print_numeric, print, "{rule}");
        }
    }

    #[test]
    fn errors() {
        for (rule, msg) in [
            ("-m dst --dst-opts a", "dst: no valid digits in opt `a'"),
            ("-m dst --dst-opts 1:2:3", "dst: error parsing length `2:3'"),
            ("-m dst --dst-opts 0:1", "PAD0 hasn't got length"),
            (
                "-m dst --dst-opts 99999999999999999999",
                "opt `99999999999999999999' specified too big: would overflow",
            ),
        ] {
            assert_eq!(run_line(Family::V6, rule).unwrap_err().msg, msg, "{rule}");
        }
    }

    #[test]
    fn blob_bytes() {
        // ip6tables -vvv -A INPUT -m dst --dst-opts 1:2,23
        let p = run_line(Family::V6, "-m dst --dst-opts 1:2,23").unwrap();
        let mut want = vec![0u8; 40];
        want[..10].copy_from_slice(&[0, 0, 0, 0, 2, 0, 2, 1, 0xff, 0x17]);
        want[38] = 2;
        assert_eq!(p.blob, want);
    }
}
