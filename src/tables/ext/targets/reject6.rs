//! `REJECT` target for `ip6`: drops the packet and answers with an ICMPv6
//! error or a TCP reset (`--reject-with TYPE`).
//!
//! Kernel struct `struct ip6t_reject_info { __u32 with; }`, rev 0, 8 bytes;
//! default `icmp6-port-unreachable` (4). Same user name and prefix matching
//! as the IPv4 [`super::reject`], with libip6t_REJECT's table (whose
//! `tcp-reset` alias is `tcp-reset` itself).

use crate::tables::ext::targets::reject::RejectTarget;
use crate::tables::ext::{Ext, Families};

/// `REJECT` for `ip6`.
pub(crate) static REJECT6: RejectTarget = RejectTarget {
    families: Families::V6,
    table: &[
        (0, "icmp6-no-route", "no-route"),
        (1, "icmp6-adm-prohibited", "adm-prohibited"),
        (3, "icmp6-addr-unreachable", "addr-unreach"),
        (4, "icmp6-port-unreachable", "port-unreach"),
        (6, "tcp-reset", "tcp-reset"),
        (7, "icmp6-policy-fail", "policy-fail"),
        (8, "icmp6-reject-route", "reject-route"),
    ],
    default: 4,
    echo_warning: false,
};

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&REJECT6];

#[cfg(test)]
mod tests {
    use crate::tables::expr::Family;
    use crate::tables::ext::targets::dnat::tests::{corpus, tg};

    #[test]
    fn corpus_v6() {
        let lines: Vec<(u8, &str, Option<&str>)> = vec![
            (0, "", Some("--reject-with icmp6-port-unreachable")),
            (0, "--reject-with icmp6-no-route", Some("=")),
            (0, "--reject-with icmp6-adm-prohibited", Some("=")),
            (0, "--reject-with icmp6-addr-unreachable", Some("=")),
            (0, "--reject-with icmp6-port-unreachable", Some("=")),
            (0, "--reject-with icmp6-policy-fail", Some("=")),
            (0, "--reject-with icmp6-reject-route", Some("=")),
            (6, "--reject-with tcp-reset", Some("=")),
            // observed
            (
                0,
                "--reject-with no-route",
                Some("--reject-with icmp6-no-route"),
            ),
            (
                0,
                "--reject-with addr-unreach",
                Some("--reject-with icmp6-addr-unreachable"),
            ),
            (
                0,
                "--reject-with reject-route",
                Some("--reject-with icmp6-reject-route"),
            ),
            (0, "--reject-with icmp-port-unreachable", None),
            (0, "--reject-with foo", None),
            (0, "--reject-with echo-reply", None),
        ];
        corpus(Family::V6, "filter", "INPUT", "REJECT", &lines);
    }

    #[test]
    fn print_and_blob() {
        let p = tg(Family::V6, "filter", "INPUT", 0, "REJECT", "").unwrap();
        assert_eq!(p.print, " reject-with icmp6-port-unreachable");
        assert_eq!(p.blob, [4, 0, 0, 0, 0, 0, 0, 0]);
        // `-j REJECT --reject-with tcp-reset` without `-p tcp` (corpus FAIL)
        // parses; the kernel refuses it with EINVAL.
        let p = tg(
            Family::V6,
            "filter",
            "INPUT",
            0,
            "REJECT",
            "--reject-with tcp-reset",
        )
        .unwrap();
        assert_eq!(p.blob, [6, 0, 0, 0, 0, 0, 0, 0]);
    }
}
