//! `HL` target (IPv6): sets, increments or decrements the hop limit
//! (`struct ip6t_HL_info { __u8 mode, hop_limit; }`, revision 0, 8 bytes).
//! Same code as the IPv4 `TTL` target (`ttl.rs`).

use crate::tables::ext::targets::ttl::HopTarget;
use crate::tables::ext::{Ext, Families, Opt};

/// The `HL` target.
pub static HL: HopTarget = HopTarget {
    name: "HL",
    pre: "hl",
    family: Families::V6,
    opts: &[Opt::req("hl-set"), Opt::req("hl-dec"), Opt::req("hl-inc")],
};

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&HL];

#[cfg(test)]
mod tests {
    use crate::tables::error::XtResult;
    use crate::tables::expr::Family;
    use crate::tables::ext::testing::{run, Parsed};
    use crate::tables::ext::Kind;

    fn t(args: &str) -> XtResult<Parsed> {
        let a: Vec<&str> = args.split(' ').filter(|s| !s.is_empty()).collect();
        run(
            Kind::Target,
            "HL",
            Family::V6,
            0,
            "mangle",
            "PREROUTING",
            &a,
        )
    }

    #[test]
    fn corpus() {
        for (args, print) in [
            ("--hl-set 42", " HL set to 42"),
            ("--hl-inc 1", " HL increment by 1"),
            ("--hl-dec 1", " HL decrement by 1"),
        ] {
            let p = t(args).unwrap();
            assert_eq!(p.save, format!(" -j HL {args}"));
            assert_eq!(p.print, print);
            assert_eq!(p.print_numeric, print);
        }
        for (args, msg) in [
            (
                "--hl-set 256",
                "HL: bad value for option \"--hl-set\", or out of range (0-255).\n",
            ),
            (
                "--hl-inc 0",
                "HL: bad value for option \"--hl-inc\", or out of range (1-255).\n",
            ),
            (
                "--hl-dec 0",
                "HL: bad value for option \"--hl-dec\", or out of range (1-255).\n",
            ),
            (
                "--hl-dec 1 --hl-inc 1",
                "HL: option \"--hl-dec\" cannot be used together with \"--hl-inc\".\n",
            ),
            (
                "--hl-set --hl-inc 1",
                "HL: bad value for option \"--hl-set\", or out of range (0-255).\n",
            ),
            ("", "HL: You must specify an action"),
        ] {
            assert_eq!(t(args).unwrap_err().msg, msg, "{args}");
        }
        assert_eq!(t("--hl-dec 1").unwrap().blob, [2, 1, 0, 0, 0, 0, 0, 0]);
        assert!(run(Kind::Target, "HL", Family::V4, 0, "mangle", "INPUT", &[]).is_err());
    }
}
