//! `MARK` target: sets the packet mark (`struct xt_mark_tginfo2 { __u32
//! mark, mask; }`, revision 2, 8 bytes): the kernel computes
//! `nfmark = (nfmark & ~mask) ^ mark`.
//!
//! Every option is stored as that `--set-xmark V/M` pair, which is also the
//! one form `-S` prints. `-L` names the operation (`MARK set 0x10`,
//! `MARK and 0xf`, ...). iptables-nft 1.8.10+ also reads a native
//! `meta mark set` as `-j MARK` ([`Extension::decode_native`]).
//!
//! This file also holds the libxtables option helpers the other target
//! files share (`xtopt`-style number parsing and the final exclusion check).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::{meta, Expr, Family, ImmData};
use crate::tables::ext::util::{rd_u32, wr_u32};
use crate::tables::ext::xtables::{parse_markmask, xt_fcheck, xt_uint};
use crate::tables::ext::{Ctx, Ext, Extension, Field, Kind, Opt, PrintCtx, State};

/// The `MARK` target.
pub struct Mark;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Mark];

static OPTS: &[Opt] = &[
    Opt::req("set-xmark"),
    Opt::req("set-mark"),
    Opt::req("and-mark"),
    Opt::req("or-mark"),
    Opt::req("xor-mark"),
];
/// libxt_MARK's option ids (set-mark, and, or, xor, set-xmark).
static IDS: &[u32] = &[4, 0, 1, 2, 3];
/// Every operation excludes the others.
const ANY: u32 = 0x1f;
static EXCL: &[u32] = &[ANY, ANY, ANY, ANY, ANY];

impl Extension for Mark {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "MARK"
    }
    fn revision(&self) -> u32 {
        2
    }
    fn size(&self, _family: Family) -> usize {
        8
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let (mark, mask) = match opt {
            "set-xmark" => parse_markmask("MARK", opt, arg.unwrap_or(""))?,
            "set-mark" => {
                let (v, m) = parse_markmask("MARK", opt, arg.unwrap_or(""))?;
                (v, v | m)
            }
            _ => {
                let v = xt_uint("MARK", opt, arg, 0, u32::MAX as u64)? as u32;
                match opt {
                    "and-mark" => (0, !v),
                    "or-mark" => (v, v),
                    _ => (v, 0),
                }
            }
        };
        wr_u32(&mut st.blob, 0, mark);
        wr_u32(&mut st.blob, 4, mask);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        xt_fcheck("MARK", OPTS, IDS, EXCL, 0, st.seen)?;
        if st.seen == 0 {
            return Err(XtError::param(
                "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let (mark, mask) = (rd_u32(blob, 0), rd_u32(blob, 4));
        out.push_str(&mark_op_text("MARK", mark, mask));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(&format!(
            " --set-xmark 0x{:x}/0x{:x}",
            rd_u32(blob, 0),
            rd_u32(blob, 4)
        ));
    }
    fn decode_native(&self, _family: Family, fields: &[Field]) -> Option<Vec<u8>> {
        match fields {
            [Field::Expr(Expr::Immediate {
                dreg: 1,
                data: ImmData::Value(v),
            }), Field::Expr(Expr::Meta {
                key: meta::MARK,
                sreg: Some(1),
                dreg: None,
            })] if v.len() == 4 => {
                let mut b = vec![0; 8];
                wr_u32(&mut b, 0, rd_u32(v, 0));
                wr_u32(&mut b, 4, u32::MAX);
                Some(b)
            }
            _ => None,
        }
    }
}

/// The `-L` text of a `(x & ~mask) ^ mark` operation, as MARK and CONNMARK
/// print it: ` NAME and|or|xor|set|xset ...`.
pub(crate) fn mark_op_text(name: &str, mark: u32, mask: u32) -> String {
    if mark == 0 {
        format!(" {name} and 0x{:x}", !mask)
    } else if mark == mask {
        format!(" {name} or 0x{mark:x}")
    } else if mask == 0 {
        format!(" {name} xor 0x{mark:x}")
    } else if mask == u32::MAX {
        format!(" {name} set 0x{mark:x}")
    } else {
        format!(" {name} xset 0x{mark:x}/0x{mask:x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(args: &[&str]) -> XtResult<crate::tables::ext::testing::Parsed> {
        run(Kind::Target, "MARK", Family::V4, 0, "filter", "INPUT", args)
    }

    #[test]
    fn corpus() {
        for (args, saved) in [
            (
                "--set-xmark 0xfeedcafe/0xfeedcafe",
                " -j MARK --set-xmark 0xfeedcafe/0xfeedcafe",
            ),
            ("--set-xmark 0x0", " -j MARK --set-xmark 0x0/0xffffffff"),
            (
                "--set-xmark 4294967295",
                " -j MARK --set-xmark 0xffffffff/0xffffffff",
            ),
        ] {
            let a: Vec<&str> = args.split(' ').collect();
            assert_eq!(t(&a).unwrap().save, saved, "{args}");
        }
        for args in ["--set-xmark 4294967296", "--set-xmark -1", ""] {
            let a: Vec<&str> = args.split(' ').filter(|s| !s.is_empty()).collect();
            assert!(t(&a).is_err(), "{args}");
        }
    }

    #[test]
    fn observed() {
        for (args, save, print) in [
            (
                "--set-mark 0x10",
                " --set-xmark 0x10/0xffffffff",
                " MARK set 0x10",
            ),
            (
                "--set-xmark 0x10/0xff",
                " --set-xmark 0x10/0xff",
                " MARK xset 0x10/0xff",
            ),
            (
                "--set-mark 0x10/0x1",
                " --set-xmark 0x10/0x11",
                " MARK xset 0x10/0x11",
            ),
            (
                "--and-mark 0x10",
                " --set-xmark 0x0/0xffffffef",
                " MARK and 0x10",
            ),
            ("--or-mark 0x10", " --set-xmark 0x10/0x10", " MARK or 0x10"),
            ("--xor-mark 0x10", " --set-xmark 0x10/0x0", " MARK xor 0x10"),
            (
                "--set-xmark 0",
                " --set-xmark 0x0/0xffffffff",
                " MARK and 0x0",
            ),
            (
                "--set-xmark 0/0",
                " --set-xmark 0x0/0x0",
                " MARK and 0xffffffff",
            ),
            (
                "--set-xmark 0xffffffff/0xffffffff",
                " --set-xmark 0xffffffff/0xffffffff",
                " MARK or 0xffffffff",
            ),
        ] {
            let a: Vec<&str> = args.split(' ').collect();
            let p = t(&a).unwrap();
            assert_eq!(p.save, format!(" -j MARK{save}"), "{args}");
            assert_eq!(p.print, print, "{args}");
            assert_eq!(p.print_numeric, print, "{args}");
        }
        let p = t(&["--set-xmark", "0x10/0xff"]).unwrap();
        assert_eq!(p.blob, [0x10, 0, 0, 0, 0xff, 0, 0, 0]);
    }

    #[test]
    fn errors() {
        let e = |a: &[&str]| t(a).unwrap_err().msg;
        for (args, msg) in [
            (
                "--set-xmark 4294967296",
                "MARK: bad integer value for option \"--set-xmark\", or out of range.\n",
            ),
            (
                "--set-mark 1/",
                "MARK: bad integer value for option \"--set-mark\", or out of range.\n",
            ),
            (
                "--set-mark 0x1/0x2/3",
                "MARK: trailing garbage after value for option \"--set-mark\".\n",
            ),
            (
                "--and-mark 1/2",
                "MARK: bad value for option \"--and-mark\", or out of range (0-4294967295).\n",
            ),
            (
                "--set-mark 1 --and-mark 2",
                "MARK: option \"--set-mark\" cannot be used together with \"--and-mark\".\n",
            ),
            (
                "--set-mark 1 --set-xmark 2 --and-mark 3",
                "MARK: option \"--set-xmark\" cannot be used together with \"--set-mark\".\n",
            ),
            (
                "--xor-mark 1 --and-mark 2",
                "MARK: option \"--and-mark\" cannot be used together with \"--xor-mark\".\n",
            ),
        ] {
            let a: Vec<&str> = args.split(' ').collect();
            assert_eq!(e(&a), msg, "{args}");
        }
        assert_eq!(
            e(&[]),
            "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required"
        );
    }

    #[test]
    fn native_meta_mark_set() {
        let f = [
            Field::Expr(Expr::Immediate {
                dreg: 1,
                data: ImmData::Value(0x10u32.to_ne_bytes().to_vec()),
            }),
            Field::Expr(Expr::Meta {
                key: meta::MARK,
                sreg: Some(1),
                dreg: None,
            }),
        ];
        let b = Mark.decode_native(Family::V4, &f).unwrap();
        assert_eq!(b, [0x10, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(Mark.decode_native(Family::V4, &f[..1]), None);
    }
}
