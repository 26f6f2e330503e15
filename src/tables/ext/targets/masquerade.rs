//! `MASQUERADE` target: source NAT to the outgoing interface's address
//! (`--to-ports PORT[-PORT]`, `--random`, `--random-fully`).
//!
//! iptables-nft 1.8.9 sends rev 0: for `ip` `struct
//! nf_nat_ipv4_multi_range_compat` (24 bytes, rangesize 1), for `ip6`
//! `struct nf_nat_range` (40 bytes). `-L` shows ` masq ports: 1024-65535`.
//! Parsing and printing are shared with `DNAT` ([`super::dnat`]).

use crate::tables::ext::targets::dnat::{Layout, NatTarget};
use crate::tables::ext::{Ext, Families, Opt};

static OPTS: &[Opt] = &[
    Opt::req("to-ports"),
    Opt::flag("random"),
    Opt::flag("random-fully"),
];

/// The `MASQUERADE` target.
pub(crate) static MASQUERADE: NatTarget = NatTarget {
    name: "MASQUERADE",
    families: Families::Both,
    rev: 0,
    v4: Layout::Compat,
    v6: Layout::Range,
    opts: OPTS,
    mandatory: None,
    print_opt: "masq ports: ",
    save_opt: "--to-ports ",
    skip_colon: true,
    refuse_offset: false,
};

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&MASQUERADE];

#[cfg(test)]
mod tests {
    use crate::tables::expr::Family;
    use crate::tables::ext::targets::dnat::tests::{corpus, tg};

    fn lines() -> Vec<(u8, &'static str, Option<&'static str>)> {
        vec![
            (0, "", Some("")),
            (0, "--random", Some("=")),
            (0, "--random-fully", Some("=")),
            (6, "--to-ports 1024", Some("=")),
            (17, "--to-ports 1024-65535", Some("=")),
            (17, "--to-ports 1024-65536", None),
            (17, "--to-ports -1", None),
            (0, "--to-ports 1024", None),
            (17, "--to-ports 10-20/5", Some("--to-ports 10-20/0")),
        ]
    }

    #[test]
    fn corpus_both() {
        corpus(Family::V4, "nat", "POSTROUTING", "MASQUERADE", &lines());
        corpus(Family::V6, "nat", "POSTROUTING", "MASQUERADE", &lines());
    }

    #[test]
    fn print_and_blob() {
        let p = tg(Family::V4, "nat", "POSTROUTING", 0, "MASQUERADE", "").unwrap();
        assert_eq!(p.print, "");
        assert_eq!(
            p.blob,
            [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        let p = tg(Family::V6, "nat", "POSTROUTING", 0, "MASQUERADE", "").unwrap();
        assert_eq!(p.blob, vec![0u8; 40]);
        let p = tg(
            Family::V4,
            "nat",
            "POSTROUTING",
            6,
            "MASQUERADE",
            "--to-ports 1024-2000 --random",
        )
        .unwrap();
        assert_eq!(p.print, " masq ports: 1024-2000 random");
        assert_eq!(
            p.blob,
            [1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 7, 0xd0, 0, 0, 0, 0]
        );
        let p = tg(
            Family::V4,
            "nat",
            "POSTROUTING",
            17,
            "MASQUERADE",
            "--to-ports 1024-65535 --random --random-fully",
        )
        .unwrap();
        assert_eq!(p.print, " masq ports: 1024-65535 random random-fully");
        let e = tg(
            Family::V4,
            "nat",
            "POSTROUTING",
            17,
            "MASQUERADE",
            "--to-ports 1.2.3.4:5",
        )
        .unwrap_err();
        assert_eq!(e.msg, "Garbage after port value: `.2.3.4:5'");
        let e = tg(
            Family::V4,
            "nat",
            "POSTROUTING",
            0,
            "MASQUERADE",
            "--to-ports 5",
        )
        .unwrap_err();
        assert_eq!(e.msg, "Need TCP, UDP, SCTP or DCCP with port specification");
    }
}
