//! `TRACE` target: marks packets for nftables tracing (`nft monitor
//! trace`). No options.
//!
//! iptables-nft 1.8.9 encodes it natively, never as a compat target:
//! `[ immediate reg 9 0x00000001 ]` `[ meta set nftrace with reg 9 ]`. The
//! kernel's `TRACE` target (rev 0) has no info struct, so the blob is empty.
//! Any table and chain is accepted (observed in filter/INPUT too).

use crate::tables::error::XtResult;
use crate::tables::expr::{meta, Expr, Family, ImmData};
use crate::tables::ext::{Ctx, Ext, Extension, Field, Kind, Opt, PrintCtx, State};

/// The register iptables-nft loads the trace bit into.
const REG: u32 = 9;

/// The `TRACE` target.
pub struct Trace;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Trace];

impl Extension for Trace {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "TRACE"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        0
    }
    fn options(&self) -> &'static [Opt] {
        &[]
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        _opt: &'static str,
        _arg: Option<&str>,
        _invert: bool,
        _st: &mut State,
    ) -> XtResult<()> {
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, _blob: &[u8], _out: &mut String) {}
    fn save(&self, _ctx: &PrintCtx, _blob: &[u8], _out: &mut String) {}
    fn native(&self, _ctx: &Ctx<'_>, _blob: &[u8]) -> Option<Vec<Expr>> {
        Some(vec![
            Expr::Immediate {
                dreg: REG,
                data: ImmData::Value(1u32.to_ne_bytes().to_vec()),
            },
            Expr::Meta {
                key: meta::NFTRACE,
                dreg: None,
                sreg: Some(REG),
            },
        ])
    }
    fn decode_native(&self, _family: Family, fields: &[Field]) -> Option<Vec<u8>> {
        match fields {
            [Field::Expr(Expr::Immediate {
                dreg,
                data: ImmData::Value(v),
            }), Field::Expr(Expr::Meta {
                key: meta::NFTRACE,
                dreg: None,
                sreg: Some(s),
            })] if dreg == s && v.iter().enumerate().all(|(i, b)| *b == u8::from(i == 0)) => {
                Some(Vec::new())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    #[test]
    fn corpus_and_native() {
        // libxt_TRACE.t: `-j TRACE;=;OK` (raw PREROUTING, OUTPUT)
        for fam in [Family::V4, Family::V6] {
            let p = run(Kind::Target, "TRACE", fam, 0, "raw", "OUTPUT", &[]).unwrap();
            assert_eq!(p.save, " -j TRACE");
            assert_eq!(p.print, "");
            assert!(p.blob.is_empty());
        }
        assert!(run(
            Kind::Target,
            "TRACE",
            Family::V4,
            0,
            "raw",
            "OUTPUT",
            &["--foo"]
        )
        .is_err());
        let ctx = Ctx {
            family: Family::V4,
            proto: 0,
            proto_invert: false,
            table: "raw",
            chain: "OUTPUT",
        };
        let e = Trace.native(&ctx, &[]).unwrap();
        assert_eq!(
            e[0],
            Expr::Immediate {
                dreg: 9,
                data: ImmData::Value(vec![1, 0, 0, 0])
            }
        );
        let fields: Vec<Field> = e.into_iter().map(Field::Expr).collect();
        assert_eq!(Trace.decode_native(Family::V4, &fields), Some(vec![]));
        let off = vec![
            Field::Expr(Expr::Immediate {
                dreg: 9,
                data: ImmData::Value(vec![0, 0, 0, 0]),
            }),
            fields[1].clone(),
        ];
        assert_eq!(Trace.decode_native(Family::V4, &off), None);
    }
}
