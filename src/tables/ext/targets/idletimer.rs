//! `IDLETIMER` target: (re)arms a timer per label that notifies userspace
//! after a period without packets (`struct idletimer_tg_info_v1 { __u32
//! timeout; char label[28]; __u8 send_nl_msg, timer_type; void *timer; }`,
//! revision 1, 48 bytes; the last 8 are the kernel's pointer;
//! `timer_type` `XT_IDLETIMER_ALARM` 1).

use crate::tables::error::XtResult;
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_str, rd_u32, rd_u8, wr_str, wr_u32, wr_u8};
use crate::tables::ext::xtables::{xt_fcheck, xt_uint};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const LABEL: usize = 4;
/// `MAX_IDLETIMER_LABEL_SIZE`
const LABEL_LEN: usize = 28;
const TIMER_TYPE: usize = 33;
/// `XT_IDLETIMER_ALARM`
const ALARM: u8 = 1;

/// The `IDLETIMER` target.
pub struct Idletimer;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Idletimer];

static OPTS: &[Opt] = &[Opt::req("timeout"), Opt::req("label"), Opt::flag("alarm")];
static IDS: &[u32] = &[0, 1, 2];
static EXCL: &[u32] = &[0, 0, 0];

impl Extension for Idletimer {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "IDLETIMER"
    }
    fn revision(&self) -> u32 {
        1
    }
    fn size(&self, _family: Family) -> usize {
        48
    }
    fn userspace_size(&self, _family: Family) -> usize {
        40
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
        match opt {
            "timeout" => {
                let v = xt_uint("IDLETIMER", opt, arg, 0, u32::MAX as u64)?;
                wr_u32(&mut st.blob, 0, v as u32);
            }
            "label" => wr_str(&mut st.blob, LABEL, LABEL_LEN, arg.unwrap_or("")),
            _ => wr_u8(&mut st.blob, TIMER_TYPE, ALARM),
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        xt_fcheck("IDLETIMER", OPTS, IDS, EXCL, 0b011, st.seen)
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(&format!(
            " timeout:{} label:{}",
            rd_u32(blob, 0),
            rd_str(blob, LABEL, LABEL_LEN)
        ));
        if rd_u8(blob, TIMER_TYPE) & ALARM != 0 {
            out.push_str(" alarm");
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(&format!(
            " --timeout {} --label {}",
            rd_u32(blob, 0),
            rd_str(blob, LABEL, LABEL_LEN)
        ));
        if rd_u8(blob, TIMER_TYPE) & ALARM != 0 {
            out.push_str(" --alarm");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    #[test]
    fn corpus_and_observed() {
        let t = |a: &[&str]| {
            run(
                Kind::Target,
                "IDLETIMER",
                Family::V4,
                0,
                "filter",
                "INPUT",
                a,
            )
        };
        let p = t(&["--timeout", "42", "--label", "foo"]).unwrap();
        assert_eq!(p.save, " -j IDLETIMER --timeout 42 --label foo");
        assert_eq!(p.print, " timeout:42 label:foo");
        let mut want = vec![0u8; 48];
        want[0] = 42;
        want[4..7].copy_from_slice(b"foo");
        assert_eq!(p.blob, want);
        let p = t(&["--timeout", "42", "--label", "bar", "--alarm"]).unwrap();
        assert_eq!(p.save, " -j IDLETIMER --timeout 42 --label bar --alarm");
        assert_eq!(p.print_numeric, " timeout:42 label:bar alarm");
        assert_eq!(p.blob[33], 1);
        assert_eq!(
            t(&["--timeout", "42"]).unwrap_err().msg,
            "IDLETIMER: option \"--label\" must be specified\n"
        );
        assert_eq!(
            t(&["--label", "x"]).unwrap_err().msg,
            "IDLETIMER: option \"--timeout\" must be specified\n"
        );
        let p = t(&[
            "--timeout",
            "1",
            "--label",
            "0123456789012345678901234567890",
        ])
        .unwrap();
        assert_eq!(
            p.save,
            " -j IDLETIMER --timeout 1 --label 012345678901234567890123456"
        );
        assert!(t(&["--timeout", "4294967296", "--label", "x"]).is_err());
    }
}
