//! `hl` match (IPv6): compares the hop limit with a value (`==`, `!=`, `<`,
//! `>`).
//!
//! Kernel struct `ip6t_hl_info` (revision 0, 8 bytes): `u8 mode` (EQ 0, NE
//! 1, LT 2, GT 3), `u8 hop_limit`. Sent as a compat match; a native `ip6
//! hoplimit OP N` (payload network header offset 7, one byte) reads back as
//! this match. The code is shared with `ttl` ([`super::ttl::HopMatch`]).

use crate::tables::ext::Ext;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&super::ttl::HL];

#[cfg(test)]
mod tests {
    use super::super::ttl::HL;
    use crate::tables::error::XtResult;
    use crate::tables::expr::{base, cmp, Family};
    use crate::tables::ext::testing::run;
    use crate::tables::ext::{Extension, Field, Kind, Load, PrintCtx};

    fn t(line: &str) -> XtResult<crate::tables::ext::testing::Parsed> {
        let w: Vec<&str> = line.split_whitespace().collect();
        run(Kind::Match, "hl", Family::V6, 0, "filter", "INPUT", &w)
    }

    #[test]
    fn corpus() {
        for (rule, print) in [
            ("--hl-eq 42", " HL match HL == 42"),
            ("! --hl-eq 42", " HL match HL != 42"),
            ("--hl-lt 42", " HL match HL < 42"),
            ("--hl-gt 42", " HL match HL > 42"),
        ] {
            let p = t(rule).unwrap();
            assert_eq!(p.save, format!(" -m hl {rule}"));
            assert_eq!(p.print, print);
            assert_eq!(p.print_numeric, print);
        }
        for rule in ["", "--hl-gt 42 --hl-eq 42"] {
            assert!(t(rule).is_err(), "{rule}");
        }
        let e = |r: &str| t(r).unwrap_err().msg;
        assert_eq!(
            e(""),
            "HL match: You must specify one of `--hl-eq', `--hl-lt', `--hl-gt'"
        );
        assert_eq!(
            e("--hl-gt 42 --hl-eq 42"),
            "hl: option \"--hl-gt\" cannot be used together with \"--hl-eq\".\n"
        );
        assert_eq!(
            e("--hl-eq 256"),
            "hl: bad value for option \"--hl-eq\", or out of range (0-255).\n"
        );
        assert!(run(
            Kind::Match,
            "hl",
            Family::V4,
            0,
            "filter",
            "INPUT",
            &["--hl-eq", "1"]
        )
        .is_err());
    }

    #[test]
    fn blob_bytes() {
        // ip6tables -vvv -A INPUT -m hl --hl-gt 5
        assert_eq!(t("--hl-gt 5").unwrap().blob, vec![3, 5, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn decode() {
        // nft `ip6 hoplimit OP 5`, as ip6tables 1.8.9 lists it.
        let p = PrintCtx {
            family: Family::V6,
            numeric: true,
            proto: 0,
        };
        for (op, save) in [
            (cmp::EQ, " --hl-eq 5"),
            (cmp::NEQ, " ! --hl-eq 5"),
            (cmp::LT, " --hl-lt 5"),
            (cmp::GT, " --hl-gt 5"),
            (cmp::LTE, " --hl-lt 6"),
            (cmp::GTE, " --hl-gt 4"),
        ] {
            let f = vec![Field::Cmp {
                load: Load::Payload {
                    base: base::NETWORK,
                    offset: 7,
                    len: 1,
                },
                mask: None,
                op,
                data: vec![5],
            }];
            let b = HL.decode_native(Family::V6, &f).unwrap();
            let mut s = String::new();
            HL.save(&p, &b, &mut s);
            assert_eq!(s, save);
            assert!(HL.decode_native(Family::V4, &f).is_none());
        }
    }
}
