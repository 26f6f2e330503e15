//! `CLASSIFY` target: sets `skb->priority` to a tc class
//! (`struct xt_classify_target_info { __u32 priority; }`, revision 0,
//! 8 bytes). `--set-class MAJOR:MINOR` is read as two hex numbers the way
//! `sscanf("%x:%x")` reads them.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u32, wr_u32};
use crate::tables::ext::xtables::strtoumax;
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// Reads one `%x` conversion: optional blanks, sign, `0x`, hex digits.
/// Returns the value (as C's `unsigned int` receives it) and the rest.
fn scan_hex(s: &str) -> Option<(u32, &str)> {
    let r = strtoumax(s, 16)?;
    // strtoul saturates at ULONG_MAX; the int conversion keeps the low bits.
    let v = r.val.unwrap_or(u64::MAX);
    let v = if r.neg { v.wrapping_neg() } else { v };
    Some((v as u32, r.rest))
}

/// Parses `MAJOR:MINOR` into the priority `TC_H_MAKE(MAJOR << 16, MINOR)`.
pub(crate) fn parse_class(arg: &str) -> Option<u32> {
    let (major, rest) = scan_hex(arg)?;
    let rest = rest.strip_prefix(':')?;
    let (minor, _) = scan_hex(rest)?;
    Some((major << 16) | (minor & 0xffff))
}

/// The `CLASSIFY` target.
pub struct Classify;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Classify];

static OPTS: &[Opt] = &[Opt::req("set-class")];

impl Extension for Classify {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "CLASSIFY"
    }
    fn revision(&self) -> u32 {
        0
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
        _opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let arg = arg.unwrap_or("");
        let prio =
            parse_class(arg).ok_or_else(|| XtError::param(format!("Bad class value \"{arg}\"")))?;
        wr_u32(&mut st.blob, 0, prio);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "CLASSIFY: option \"--set-class\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let p = rd_u32(blob, 0);
        out.push_str(&format!(" CLASSIFY set {:x}:{:x}", p >> 16, p & 0xffff));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let p = rd_u32(blob, 0);
        out.push_str(&format!(" --set-class {:04x}:{:04x}", p >> 16, p & 0xffff));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn t(args: &[&str]) -> XtResult<Parsed> {
        run(
            Kind::Target,
            "CLASSIFY",
            Family::V4,
            0,
            "mangle",
            "POSTROUTING",
            args,
        )
    }

    #[test]
    fn corpus() {
        let p = t(&["--set-class", "0000:ffff"]).unwrap();
        assert_eq!(p.save, " -j CLASSIFY --set-class 0000:ffff");
        assert_eq!(p.print, " CLASSIFY set 0:ffff");
        assert_eq!(p.print_numeric, " CLASSIFY set 0:ffff");
        assert_eq!(p.blob, [0xff, 0xff, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            t(&[]).unwrap_err().msg,
            "CLASSIFY: option \"--set-class\" must be specified\n"
        );
    }

    #[test]
    fn observed() {
        for (arg, save) in [
            ("1:2", "0001:0002"),
            ("0000:ffffffff", "0000:ffff"),
            ("1:-1", "0001:ffff"),
            ("10:abc", "0010:0abc"),
            ("0x10:0x20", "0010:0020"),
            ("1:2:3", "0001:0002"),
            ("10000:1", "0000:0001"),
            (" 5:5", "0005:0005"),
        ] {
            assert_eq!(
                t(&["--set-class", arg]).unwrap().save,
                format!(" -j CLASSIFY --set-class {save}"),
                "{arg}"
            );
        }
        assert_eq!(
            t(&["--set-class", "10:abc"]).unwrap().blob,
            [0xbc, 0x0a, 0x10, 0, 0, 0, 0, 0]
        );
        for arg in ["1", "x:1", "1:", ":1"] {
            assert_eq!(
                t(&["--set-class", arg]).unwrap_err().msg,
                format!("Bad class value \"{arg}\"")
            );
        }
    }
}
