//! `REDIRECT` target: destination NAT to the local machine
//! (`--to-ports PORT[-PORT]`, `--random`).
//!
//! iptables-nft 1.8.9 sends rev 0: for `ip` `struct
//! nf_nat_ipv4_multi_range_compat` (24 bytes, rangesize 1), for `ip6`
//! `struct nf_nat_range` (40 bytes). `-L` shows ` redir ports 2525`.
//! A `/BASE` port is refused (`Shifted portmap ranges not supported with
//! this kernel`). Parsing and printing are shared with `DNAT`
//! ([`super::dnat`]).

use crate::tables::ext::targets::dnat::{Layout, NatTarget};
use crate::tables::ext::{Ext, Families, Opt};

static OPTS: &[Opt] = &[Opt::req("to-ports"), Opt::flag("random")];

/// The `REDIRECT` target.
pub(crate) static REDIRECT: NatTarget = NatTarget {
    name: "REDIRECT",
    families: Families::Both,
    rev: 0,
    v4: Layout::Compat,
    v6: Layout::Range,
    opts: OPTS,
    mandatory: None,
    print_opt: "redir ports ",
    save_opt: "--to-ports ",
    skip_colon: true,
    refuse_offset: true,
};

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&REDIRECT];

#[cfg(test)]
mod tests {
    use crate::tables::expr::Family;
    use crate::tables::ext::targets::dnat::tests::{corpus, tg};

    fn lines() -> Vec<(u8, &'static str, Option<&'static str>)> {
        vec![
            (6, "--to-ports 42", Some("=")),
            (6, "--to-ports 0", Some("=")),
            (6, "--to-ports 65535", Some("=")),
            (6, "--to-ports 65536", None),
            (17, "--to-ports 0-0", Some("--to-ports 0")),
            (17, "--to-ports 512-512", Some("--to-ports 512")),
            (17, "--to-ports 42-1234", Some("=")),
            (6, "--to-ports 42-1234 --random", Some("=")),
            (6, "--to-ports 42-1234/567", None),
            (6, "--to-ports ssh", Some("--to-ports 22")),
            (6, "--to-ports ftp-data", Some("--to-ports 20")),
            (6, "--to-ports ftp-ssh", None),
            (6, "--to-ports 10-ssh", None),
            (0, "--to-ports 42", None),
            (0, "--random", Some("=")),
        ]
    }

    #[test]
    fn corpus_both() {
        corpus(Family::V4, "nat", "PREROUTING", "REDIRECT", &lines());
        corpus(Family::V6, "nat", "PREROUTING", "REDIRECT", &lines());
    }

    #[test]
    fn print_and_blob() {
        let p = tg(
            Family::V4,
            "nat",
            "PREROUTING",
            6,
            "REDIRECT",
            "--to-ports 2525",
        )
        .unwrap();
        assert_eq!(p.print, " redir ports 2525");
        assert_eq!(
            p.blob,
            [1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0xdd, 9, 0xdd, 0, 0, 0, 0]
        );
        let p = tg(
            Family::V6,
            "nat",
            "PREROUTING",
            6,
            "REDIRECT",
            "--to-ports 2525",
        )
        .unwrap();
        let mut want = vec![0u8; 40];
        want[0] = 2;
        want[36..40].copy_from_slice(&[9, 0xdd, 9, 0xdd]);
        assert_eq!(p.blob, want);
        let p = tg(Family::V4, "nat", "PREROUTING", 0, "REDIRECT", "--random").unwrap();
        assert_eq!(p.print, " random");
        let p = tg(
            Family::V4,
            "nat",
            "PREROUTING",
            6,
            "REDIRECT",
            "--to-ports ssh --random",
        )
        .unwrap();
        assert_eq!(p.print, " redir ports 22 random");
        let e = tg(
            Family::V4,
            "nat",
            "PREROUTING",
            6,
            "REDIRECT",
            "--to-ports 42-1234/567",
        )
        .unwrap_err();
        assert_eq!(
            e.msg,
            "Shifted portmap ranges not supported with this kernel"
        );
    }
}
