//! `eui64` match (ip6tables only): the source address' interface
//! identifier is the EUI-64 derived from the packet's source MAC.
//!
//! No options and no kernel struct: iptables sends an `int`'s worth of
//! zeros, 8 bytes (XT_ALIGN of 4), name `eui64`, revision 0. `-L` and save
//! print nothing after `-m eui64`. The kernel allows it only in chains
//! reached from PREROUTING, INPUT and FORWARD (elsewhere `RULE_APPEND
//! failed (Invalid argument)`).

use crate::tables::error::XtResult;
use crate::tables::expr::Family;
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

/// The `eui64` match.
pub struct Eui64;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Eui64];

impl Extension for Eui64 {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "eui64"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        Families::V6
    }
    fn size(&self, _family: Family) -> usize {
        8
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
}

#[cfg(test)]
mod tests {
    use crate::tables::expr::Family;
    use crate::tables::ext::matches::frag::corpus::{check, run_line};

    #[test]
    fn corpus_lines() {
        // `:OUTPUT -m eui64;;FAIL` is refused by the kernel (hook mask).
        check(Family::V6, "-m eui64;=;OK");
    }

    #[test]
    fn print_blob() {
        // ip6tables -vvv -A INPUT -m eui64: 8 zero bytes; -L prints nothing.
        let p = run_line(Family::V6, "-m eui64").unwrap();
        assert_eq!(p.blob, [0u8; 8]);
        assert_eq!(p.print, "");
        assert_eq!(p.print_numeric, "");
        assert!(run_line(Family::V6, "-m eui64 --foo").is_err());
        assert!(run_line(Family::V4, "-m eui64").is_err());
    }
}
