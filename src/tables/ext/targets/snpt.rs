//! `SNPT` target (IPv6 only): stateless source prefix translation
//! (RFC 6296), `--src-pfx ADDR/LEN --dst-pfx ADDR/LEN`, both required.
//!
//! Same kernel struct as `DNPT` (`struct ip6t_npt_tginfo`, rev 0, 40
//! bytes); the code is shared in [`super::dnpt`].

use crate::tables::ext::targets::dnpt::NptTarget;
use crate::tables::ext::Ext;

/// The `SNPT` target.
pub(crate) static SNPT: NptTarget = NptTarget { name: "SNPT" };

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&SNPT];

#[cfg(test)]
mod tests {
    use crate::tables::expr::Family;
    use crate::tables::ext::targets::dnat::tests::{corpus, tg};
    use crate::tables::ext::targets::dnpt::tests::lines;

    #[test]
    fn corpus_lines() {
        corpus(Family::V6, "mangle", "POSTROUTING", "SNPT", &lines());
        let p = tg(
            Family::V6,
            "mangle",
            "POSTROUTING",
            0,
            "SNPT",
            "--src-pfx dead::/64 --dst-pfx 1c3::/64",
        )
        .unwrap();
        assert_eq!(p.print, " SNPT src-pfx dead::/64 dst-pfx 1c3::/64");
        let e = tg(
            Family::V6,
            "mangle",
            "POSTROUTING",
            0,
            "SNPT",
            "--src-pfx dead::/64",
        )
        .unwrap_err();
        assert_eq!(e.msg, "SNPT: option \"--dst-pfx\" must be specified\n");
    }
}
