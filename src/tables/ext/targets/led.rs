//! `LED` target: blinks an LED through the `netfilter-ID` LED trigger
//! (`struct xt_led_info { char id[27]; __u8 always_blink; __u32 delay;
//! void *internal_data; }`, revision 0, 40 bytes; the last 8 are the
//! kernel's pointer). This kernel lacks the module: the real iptables warns
//! and the kernel refuses the rule.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{parse_uint, rd_str, rd_u32, rd_u8, wr_str, wr_u32, wr_u8};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const ID_LEN: usize = 27;
const ALWAYS_BLINK: usize = 27;
const DELAY: usize = 28;
/// The trigger name prefix iptables adds.
const PREFIX: &str = "netfilter-";

/// The `LED` target.
pub struct Led;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Led];

static OPTS: &[Opt] = &[
    Opt::req("led-trigger-id"),
    Opt::req("led-delay"),
    Opt::flag("led-always-blink"),
];

impl Extension for Led {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "LED"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        40
    }
    fn userspace_size(&self, _family: Family) -> usize {
        32
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
        let arg = arg.unwrap_or("");
        match opt {
            "led-trigger-id" => {
                let max = ID_LEN - PREFIX.len() - 1;
                if arg.len() > max {
                    return Err(XtError::param(format!(
                        "Argument must have a maximum length of {max} characters\n"
                    )));
                }
                wr_str(&mut st.blob, 0, ID_LEN, &format!("{PREFIX}{arg}"));
            }
            "led-delay" => {
                let v = if arg == "inf" {
                    u32::MAX
                } else {
                    parse_uint(arg, 0, u32::MAX as u64).ok_or_else(|| {
                        XtError::param("Delay value must be within range 0..4294967295")
                    })? as u32
                };
                wr_u32(&mut st.blob, DELAY, v);
            }
            _ => wr_u8(&mut st.blob, ALWAYS_BLINK, 1),
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen & 1 == 0 {
            return Err(XtError::param(
                "LED: option \"--led-trigger-id\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(&format!(" led-trigger-id:\"{}\"", trigger_id(blob)));
        match rd_u32(blob, DELAY) {
            u32::MAX => out.push_str(" led-delay:inf"),
            d => out.push_str(&format!(" led-delay:{d}ms")),
        }
        if rd_u8(blob, ALWAYS_BLINK) != 0 {
            out.push_str(" led-always-blink");
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(&format!(" --led-trigger-id \"{}\"", trigger_id(blob)));
        match rd_u32(blob, DELAY) {
            0 => {}
            u32::MAX => out.push_str(" --led-delay inf"),
            d => out.push_str(&format!(" --led-delay {d}")),
        }
        if rd_u8(blob, ALWAYS_BLINK) != 0 {
            out.push_str(" --led-always-blink");
        }
    }
}

/// The trigger id without the `netfilter-` prefix.
fn trigger_id(blob: &[u8]) -> String {
    let id = rd_str(blob, 0, ID_LEN);
    match id.strip_prefix(PREFIX) {
        Some(s) => s.to_string(),
        None => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    #[test]
    fn corpus_and_observed() {
        let t = |a: &[&str]| run(Kind::Target, "LED", Family::V4, 0, "filter", "INPUT", a);
        // The corpus writes the id quoted; the shell removes the quotes.
        let p = t(&["--led-trigger-id", "foo"]).unwrap();
        assert_eq!(p.save, " -j LED --led-trigger-id \"foo\"");
        assert_eq!(p.print, " led-trigger-id:\"foo\" led-delay:0ms");
        let mut want = vec![0u8; 40];
        want[..13].copy_from_slice(b"netfilter-foo");
        assert_eq!(p.blob, want);
        let p = t(&[
            "--led-trigger-id",
            "foo",
            "--led-delay",
            "42",
            "--led-always-blink",
        ])
        .unwrap();
        assert_eq!(
            p.save,
            " -j LED --led-trigger-id \"foo\" --led-delay 42 --led-always-blink"
        );
        assert_eq!(
            p.print,
            " led-trigger-id:\"foo\" led-delay:42ms led-always-blink"
        );
        assert_eq!(p.blob[27..32], [1, 42, 0, 0, 0]);
        let p = t(&["--led-trigger-id", "foo", "--led-delay", "inf"]).unwrap();
        assert_eq!(p.print, " led-trigger-id:\"foo\" led-delay:inf");
        assert_eq!(
            t(&[]).unwrap_err().msg,
            "LED: option \"--led-trigger-id\" must be specified\n"
        );
        assert_eq!(
            t(&["--led-trigger-id", "01234567890123456"])
                .unwrap_err()
                .msg,
            "Argument must have a maximum length of 16 characters\n"
        );
        assert_eq!(
            t(&["--led-trigger-id", "a", "--led-delay", "foo"])
                .unwrap_err()
                .msg,
            "Delay value must be within range 0..4294967295"
        );
    }
}
