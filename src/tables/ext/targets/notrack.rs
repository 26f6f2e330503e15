//! `NOTRACK` target: exempts packets from connection tracking. iptables
//! 1.8.9 sends it as the kernel's `CT` target, revision 2 (`struct
//! xt_ct_target_info_v1`, 72 bytes), with `XT_CT_NOTRACK |
//! XT_CT_NOTRACK_ALIAS` set and no options.
//!
//! Reading such a blob back is the `CT` extension's job (`ct.rs`), which
//! saves it as `-j NOTRACK`; this extension never claims kernel blobs.

use crate::tables::error::XtResult;
use crate::tables::expr::Family;
use crate::tables::ext::targets::ct::{FLAGS, NOTRACK, NOTRACK_ALIAS, SIZE, USERSPACE_SIZE};
use crate::tables::ext::util::wr_u16;
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// The `NOTRACK` target.
pub struct Notrack;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Notrack];

impl Extension for Notrack {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "NOTRACK"
    }
    fn kernel_name(&self) -> &'static str {
        "CT"
    }
    fn revision(&self) -> u32 {
        2
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn userspace_size(&self, _family: Family) -> usize {
        USERSPACE_SIZE
    }
    fn options(&self) -> &'static [Opt] {
        &[]
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_u16(&mut st.blob, FLAGS, NOTRACK | NOTRACK_ALIAS);
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
    fn print(&self, _ctx: &PrintCtx, _blob: &[u8], out: &mut String) {
        out.push_str(" NOTRACK");
    }
    fn save(&self, _ctx: &PrintCtx, _blob: &[u8], _out: &mut String) {}
    fn claims(&self, _kernel_name: &str, _rev: u32) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;
    use crate::tables::ext::{find_kernel, same};

    #[test]
    fn corpus_and_blob() {
        // libxt_NOTRACK.t: `-j NOTRACK;=;OK`
        let p = run(
            Kind::Target,
            "NOTRACK",
            Family::V4,
            0,
            "raw",
            "PREROUTING",
            &[],
        )
        .unwrap();
        assert_eq!(p.save, " -j NOTRACK");
        assert_eq!(p.print, " NOTRACK");
        assert_eq!(p.print_numeric, " NOTRACK");
        let mut want = vec![0u8; 72];
        want[0] = 3;
        assert_eq!(p.blob, want);
        assert_eq!(p.ext.kernel_name(), "CT");
        // The kernel blob is decoded by CT, which saves it as NOTRACK.
        let ct = find_kernel(Kind::Target, "CT", 2, Family::V4).unwrap();
        assert!(same(ct, &crate::tables::ext::targets::ct::Ct));
        assert_eq!(ct.save_name(&p.blob), "NOTRACK");
        let mut s = String::new();
        ct.save(
            &PrintCtx {
                family: Family::V4,
                numeric: true,
                proto: 0,
            },
            &p.blob,
            &mut s,
        );
        assert_eq!(s, "");
    }
}
