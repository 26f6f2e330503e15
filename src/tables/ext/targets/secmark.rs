//! `SECMARK` target: sets the packet's security mark from an SELinux
//! context (`struct xt_secmark_target_info_v1 { __u8 mode; char
//! secctx[256]; __u32 secid; }`, revision 1, 264 bytes; `mode`
//! `SECMARK_MODE_SEL` 1; `secid` is filled in by the kernel).
//!
//! This kernel has no SELinux: the real iptables builds the rule but the
//! kernel refuses it (ENOENT).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_str, rd_u8, wr_str, wr_u8};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// `SECMARK_MODE_SEL`
const MODE_SEL: u8 = 1;
/// `SECMARK_SECCTX_MAX`
const CTX_LEN: usize = 256;

/// The `SECMARK` target.
pub struct Secmark;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Secmark];

static OPTS: &[Opt] = &[Opt::req("selctx")];

impl Extension for Secmark {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "SECMARK"
    }
    fn revision(&self) -> u32 {
        1
    }
    fn size(&self, _family: Family) -> usize {
        264
    }
    fn userspace_size(&self, _family: Family) -> usize {
        // Everything before the kernel's `secid`.
        260
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        _opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        wr_u8(&mut st.blob, 0, MODE_SEL);
        wr_str(&mut st.blob, 1, CTX_LEN, arg.unwrap_or(""));
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "SECMARK: option \"--selctx\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" SECMARK ");
        write_ctx(blob, "", out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push(' ');
        write_ctx(blob, "--", out);
    }
}

/// `selctx CTX` (or the invalid-mode text).
fn write_ctx(blob: &[u8], pre: &str, out: &mut String) {
    match rd_u8(blob, 0) {
        MODE_SEL => out.push_str(&format!("{pre}selctx {}", rd_str(blob, 1, CTX_LEN))),
        m => out.push_str(&format!("invalid mode {m}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    #[test]
    fn corpus() {
        let t = |a: &[&str]| {
            run(
                Kind::Target,
                "SECMARK",
                Family::V4,
                0,
                "security",
                "INPUT",
                a,
            )
        };
        let ctx = "system_u:object_r:firewalld_exec_t:s0";
        let p = t(&["--selctx", ctx]).unwrap();
        assert_eq!(p.save, format!(" -j SECMARK --selctx {ctx}"));
        assert_eq!(p.print, format!(" SECMARK selctx {ctx}"));
        assert_eq!(p.blob.len(), 264);
        assert_eq!(p.blob[0], 1);
        assert_eq!(&p.blob[1..4], b"sys");
        assert_eq!(
            t(&[]).unwrap_err().msg,
            "SECMARK: option \"--selctx\" must be specified\n"
        );
        let long = "a".repeat(300);
        let p = t(&["--selctx", &long]).unwrap();
        assert_eq!(p.print, format!(" SECMARK selctx {}", "a".repeat(255)));
    }
}
