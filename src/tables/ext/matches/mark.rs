//! `mark` match: the packet mark under a mask (`struct xt_mark_mtinfo1 {
//! __u32 mark, mask; __u8 invert; }`), rev 1, 16 bytes.
//!
//! iptables-nft 1.8.9 encodes it natively: `meta load mark`, a `bitwise`
//! with the mask unless it is 0xffffffff, and `cmp eq`/`neq` with the value.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::{cmp, meta, Expr, Family, REG_1};
use crate::tables::ext::util::{mark_mask_text, rd_u32, rd_u8, wr_u32, wr_u8};
use crate::tables::ext::xtables::{parse_markmask_with, strtoumax};
use crate::tables::ext::{Ctx, Ext, Extension, Field, Kind, Load, Opt, PrintCtx, State};

const SIZE: usize = 16;
const MARK: usize = 0;
const MASK: usize = 4;
const INVERT: usize = 8;

/// The `mark` match.
pub struct Mark;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Mark];

static OPTS: &[Opt] = &[Opt::req_inv("mark")];

/// `strtoul(s, &end, 0)` as this match has always read it: a `-` negates
/// modulo 2^64 and an overflow reads as `u64::MAX` (negated when `-`);
/// a vertical tab does not count as leading white space.
fn strtoul_mark(s: &str) -> Option<(u64, &str)> {
    if s.trim_start_matches(|c: char| c.is_ascii_whitespace())
        .starts_with('\x0b')
    {
        return None;
    }
    let r = strtoumax(s, 0)?;
    let v = r.val.unwrap_or(u64::MAX);
    Some((if r.neg { v.wrapping_neg() } else { v }, r.rest))
}

impl Extension for Mark {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "mark"
    }
    fn revision(&self) -> u32 {
        1
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        _opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let (v, m) = parse_markmask_with("mark", "mark", arg.unwrap_or(""), strtoul_mark)?;
        wr_u32(&mut st.blob, MARK, v);
        wr_u32(&mut st.blob, MASK, m);
        if invert {
            wr_u8(&mut st.blob, INVERT, 1);
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen & 1 == 0 {
            return Err(XtError::param(
                "mark: option \"--mark\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" mark match");
        if rd_u8(blob, INVERT) != 0 {
            out.push_str(" !");
        }
        out.push(' ');
        out.push_str(&mark_mask_text(rd_u32(blob, MARK), rd_u32(blob, MASK)));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u8(blob, INVERT) != 0 {
            out.push_str(" !");
        }
        out.push_str(" --mark ");
        out.push_str(&mark_mask_text(rd_u32(blob, MARK), rd_u32(blob, MASK)));
    }
    fn native(&self, _ctx: &Ctx<'_>, blob: &[u8]) -> Option<Vec<Expr>> {
        let (v, m) = (rd_u32(blob, MARK), rd_u32(blob, MASK));
        let mut e = vec![Expr::Meta {
            key: meta::MARK,
            dreg: Some(REG_1),
            sreg: None,
        }];
        if m != u32::MAX {
            e.push(Expr::Bitwise {
                sreg: REG_1,
                dreg: REG_1,
                len: 4,
                mask: m.to_ne_bytes().to_vec(),
                xor: vec![0; 4],
            });
        }
        e.push(Expr::Cmp {
            sreg: REG_1,
            op: if rd_u8(blob, INVERT) != 0 {
                cmp::NEQ
            } else {
                cmp::EQ
            },
            data: v.to_ne_bytes().to_vec(),
        });
        Some(e)
    }
    /// One `meta mark [& MASK] ==/!= V` (as 1.8.9's `parse_meta_mark`).
    fn decode_native(&self, _family: Family, fields: &[Field]) -> Option<Vec<u8>> {
        let [Field::Cmp {
            load: Load::Meta { key: meta::MARK },
            mask,
            op,
            data,
        }] = fields
        else {
            return None;
        };
        let word = |d: &[u8]| -> Option<u32> { Some(u32::from_ne_bytes(d.try_into().ok()?)) };
        let v = word(data)?;
        let m = match mask {
            Some(m) => word(m)?,
            None => u32::MAX,
        };
        let inv = match *op {
            cmp::EQ => 0,
            cmp::NEQ => 1,
            _ => return None,
        };
        let mut b = vec![0u8; SIZE];
        wr_u32(&mut b, MARK, v);
        wr_u32(&mut b, MASK, m);
        wr_u8(&mut b, INVERT, inv);
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn r(args: &[&str]) -> XtResult<Parsed> {
        run(Kind::Match, "mark", Family::V4, 0, "filter", "INPUT", args)
    }

    fn ctx() -> Ctx<'static> {
        Ctx {
            family: Family::V4,
            proto: 0,
            proto_invert: false,
            table: "filter",
            chain: "INPUT",
        }
    }

    fn fields(ex: &[Expr]) -> Vec<Field> {
        let mask = ex.iter().find_map(|e| match e {
            Expr::Bitwise { mask, .. } => Some(mask.clone()),
            _ => None,
        });
        ex.iter()
            .filter_map(|e| match e {
                Expr::Cmp { op, data, .. } => Some(Field::Cmp {
                    load: Load::Meta { key: meta::MARK },
                    mask: mask.clone(),
                    op: *op,
                    data: data.clone(),
                }),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn corpus() {
        // libxt_mark.t
        let ok: &[(&str, &str)] = &[
            ("0xfeedcafe/0xfeedcafe", "0xfeedcafe/0xfeedcafe"),
            ("0x0", "0x0"),
            ("4294967295", "0xffffffff"),
            ("0x0/0xff0", "0x0/0xff0"),
        ];
        for (a, s) in ok {
            let p = r(&["--mark", a]).unwrap();
            assert_eq!(p.save, format!(" -m mark --mark {s}"));
            let n = Mark.native(&ctx(), &p.blob).unwrap();
            assert_eq!(
                Mark.decode_native(Family::V4, &fields(&n)),
                Some(p.blob.clone())
            );
        }
        for a in ["4294967296", "-1"] {
            assert!(r(&["--mark", a]).is_err(), "{a}");
        }
        assert_eq!(
            r(&[]).unwrap_err(),
            XtError::param("mark: option \"--mark\" must be specified\n")
        );
    }

    #[test]
    fn native_and_text() {
        // Fact sheet 13 / 13b.
        let p = r(&["--mark", "0x1/0xff"]).unwrap();
        assert_eq!(p.blob, [1, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            Mark.native(&ctx(), &p.blob),
            Some(vec![
                Expr::Meta {
                    key: meta::MARK,
                    dreg: Some(REG_1),
                    sreg: None
                },
                Expr::Bitwise {
                    sreg: REG_1,
                    dreg: REG_1,
                    len: 4,
                    mask: vec![0xff, 0, 0, 0],
                    xor: vec![0; 4]
                },
                Expr::Cmp {
                    sreg: REG_1,
                    op: cmp::EQ,
                    data: vec![1, 0, 0, 0]
                },
            ])
        );
        assert_eq!(p.print, " mark match 0x1/0xff");
        let p = r(&["!", "--mark", "2"]).unwrap();
        assert_eq!(p.save, " -m mark ! --mark 0x2");
        assert_eq!(p.print, " mark match ! 0x2");
        assert_eq!(
            Mark.native(&ctx(), &p.blob),
            Some(vec![
                Expr::Meta {
                    key: meta::MARK,
                    dreg: Some(REG_1),
                    sreg: None
                },
                Expr::Cmp {
                    sreg: REG_1,
                    op: cmp::NEQ,
                    data: vec![2, 0, 0, 0]
                },
            ])
        );
        let save = |a: &str| r(&["--mark", a]).map(|p| p.save);
        assert_eq!(save(" 1").unwrap(), " -m mark --mark 0x1");
        assert_eq!(save("1/ 2").unwrap(), " -m mark --mark 0x1/0x2");
        assert_eq!(save("010/0x0f").unwrap(), " -m mark --mark 0x8/0xf");
        assert_eq!(save("+5").unwrap(), " -m mark --mark 0x5");
        assert_eq!(save("5/0").unwrap(), " -m mark --mark 0x5/0x0");
        let bad =
            XtError::param("mark: bad integer value for option \"--mark\", or out of range.\n");
        let garbage = XtError::param("mark: trailing garbage after value for option \"--mark\".\n");
        for a in ["1/", "/5", "1/4294967296", "1//2", "", "foo", "1/foo"] {
            assert_eq!(save(a), Err(bad.clone()), "{a}");
        }
        for a in ["1x", "0x1/0xff/"] {
            assert_eq!(save(a), Err(garbage.clone()), "{a}");
        }
    }
}
