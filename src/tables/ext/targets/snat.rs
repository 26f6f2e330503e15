//! `SNAT` target: rewrites the source address and/or port
//! (`--to-source [ADDR[-ADDR]][:PORT[-PORT]]`, `--random`, `--random-fully`,
//! `--persistent`).
//!
//! iptables-nft 1.8.9 sends, for `ip`, `SNAT` rev 0 with `struct
//! nf_nat_ipv4_multi_range_compat` (24 bytes, rangesize 1) and, for `ip6`,
//! `SNAT` rev 1 with `struct nf_nat_range` (40 bytes). A `/BASE` after the
//! port range is accepted but neither layout holds it: the offset flag stays
//! and saves as `/0`, as iptables does. Parsing and printing are shared with
//! `DNAT` ([`super::dnat`]).

use crate::tables::ext::targets::dnat::{Layout, NatTarget};
use crate::tables::ext::{Ext, Families, Opt};

static OPTS: &[Opt] = &[
    Opt::req("to-source"),
    Opt::flag("random"),
    Opt::flag("random-fully"),
    Opt::flag("persistent"),
];

/// `SNAT` for `ip` (rev 0, 24 bytes).
pub(crate) static SNAT4: NatTarget = NatTarget {
    name: "SNAT",
    families: Families::V4,
    rev: 0,
    v4: Layout::Compat,
    v6: Layout::Range,
    opts: OPTS,
    mandatory: Some("to-source"),
    print_opt: "to:",
    save_opt: "--to-source ",
    skip_colon: false,
    refuse_offset: false,
};

/// `SNAT` for `ip6` (rev 1, 40 bytes).
pub(crate) static SNAT6: NatTarget = NatTarget {
    name: "SNAT",
    families: Families::V6,
    rev: 1,
    v4: Layout::Compat,
    v6: Layout::Range,
    opts: OPTS,
    mandatory: Some("to-source"),
    print_opt: "to:",
    save_opt: "--to-source ",
    skip_colon: false,
    refuse_offset: false,
};

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&SNAT4, &SNAT6];

#[cfg(test)]
mod tests {
    use crate::tables::expr::Family;
    use crate::tables::ext::targets::dnat::tests::{corpus, tg};

    #[test]
    fn corpus_v4() {
        corpus(
            Family::V4,
            "nat",
            "POSTROUTING",
            "SNAT",
            &[
                (0, "--to-source 1.1.1.1", Some("=")),
                (0, "--to-source 1.1.1.1-1.1.1.10", Some("=")),
                (0, "--to-source 1.1.1.1:1025-65535", None),
                (0, "--to-source 1.1.1.1 --to-source 2.2.2.2", None),
                (0, "--to-source 1.1.1.1 --random", Some("=")),
                (0, "--to-source 1.1.1.1 --random-fully", Some("=")),
                (0, "--to-source 1.1.1.1 --persistent", Some("=")),
                (0, "--to-source 1.1.1.1 --random --persistent", Some("=")),
                (0, "--to-source 1.1.1.1 --random --random-fully", Some("=")),
                (
                    0,
                    "--to-source 1.1.1.1 --random --random-fully --persistent",
                    Some("="),
                ),
                (6, "--to-source 1.1.1.1:1025-65535", Some("=")),
                (6, "--to-source 1.1.1.1-1.1.1.10:1025-65535", Some("=")),
                (6, "--to-source 1.1.1.1-1.1.1.10:1025-65536", None),
                (
                    6,
                    "--to-source 1.1.1.1-1.1.1.10:1025-65535 --to-source 2.2.2.2-2.2.2.20:1025-65535",
                    None,
                ),
                (0, "", None),
                // observed: the base port is lost, the offset flag kept
                (
                    6,
                    "--to-source 1.1.1.1:10-20/30",
                    Some("--to-source 1.1.1.1:10-20/0"),
                ),
                (6, "--to-source :80", Some("=")),
                (0, "--random", None),
            ],
        );
    }

    #[test]
    fn corpus_v6() {
        corpus(
            Family::V6,
            "nat",
            "POSTROUTING",
            "SNAT",
            &[
                (0, "--to-source dead::beef", Some("=")),
                (0, "--to-source dead::beef-dead::fee7", Some("=")),
                (0, "--to-source [dead::beef]:1025-65535", None),
                (0, "--to-source [dead::beef] --to-source [dead::fee7]", None),
                (0, "--to-source dead::beef --random", Some("=")),
                (0, "--to-source dead::beef --random-fully", Some("=")),
                (0, "--to-source dead::beef --persistent", Some("=")),
                (0, "--to-source dead::beef --random --persistent", Some("=")),
                (0, "--to-source dead::beef --random --random-fully", Some("=")),
                (
                    0,
                    "--to-source dead::beef --random --random-fully --persistent",
                    Some("="),
                ),
                (6, "--to-source [dead::beef]:1025-65535", Some("=")),
                (6, "--to-source [dead::beef-dead::fee7]:1025-65535", Some("=")),
                (6, "--to-source [dead::beef-dead::fee7]:1025-65536", None),
                (
                    6,
                    "--to-source [dead::beef-dead::fee7]:1025-65535 --to-source [dead::beef-dead::fee8]:1025-65535",
                    None,
                ),
                (0, "", None),
                (
                    6,
                    "--to-source [dead::beef]:10-20/30",
                    Some("--to-source [dead::beef]:10-20/0"),
                ),
                (6, "--to-source []:80", Some("--to-source :80")),
                (6, "--to-source [dead::beef", None),
            ],
        );
    }

    #[test]
    fn print_and_blob() {
        let p = tg(
            Family::V4,
            "nat",
            "POSTROUTING",
            0,
            "SNAT",
            "--to-source 1.2.3.4",
        )
        .unwrap();
        assert_eq!(p.print, " to:1.2.3.4");
        assert_eq!(
            p.blob,
            [1, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3, 4, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(p.ext.revision(), 0);
        let p = tg(
            Family::V4,
            "nat",
            "POSTROUTING",
            0,
            "SNAT",
            "--to-source 1.1.1.1 --random --random-fully --persistent",
        )
        .unwrap();
        assert_eq!(p.print, " to:1.1.1.1 random random-fully persistent");
        let p = tg(
            Family::V6,
            "nat",
            "POSTROUTING",
            0,
            "SNAT",
            "--to-source dead::beef",
        )
        .unwrap();
        assert_eq!(p.print_numeric, " to:dead::beef");
        assert_eq!(p.ext.revision(), 1);
        let mut want = vec![0u8; 40];
        want[0] = 1;
        want[4..6].copy_from_slice(&[0xde, 0xad]);
        want[18..20].copy_from_slice(&[0xbe, 0xef]);
        want[20..22].copy_from_slice(&[0xde, 0xad]);
        want[34..36].copy_from_slice(&[0xbe, 0xef]);
        assert_eq!(p.blob, want);
        let p = tg(
            Family::V6,
            "nat",
            "POSTROUTING",
            6,
            "SNAT",
            "--to-source [dead::beef-dead::fee7]:1025-65535 --random",
        )
        .unwrap();
        assert_eq!(p.print, " to:[dead::beef-dead::fee7]:1025-65535 random");
    }
}
