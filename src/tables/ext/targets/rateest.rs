//! `RATEEST` target: feeds packets into a named rate estimator (`struct
//! xt_rateest_target_info { char name[16]; __s8 interval; __u8 ewma_log;
//! void *est; }`, revision 0, 32 bytes; the last 8 are the kernel's
//! pointer). The interval is stored as `log2(interval / 250ms) - 2` and the
//! averaging constant as a power of two of intervals, as tc does.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_str, rd_u32, rd_u8, wr_str, wr_u32, wr_u64, wr_u8};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// `TIME_UNITS_PER_SEC` (microseconds).
const UNITS: f64 = 1_000_000.0;
const NAME_LEN: usize = 16;
const INTERVAL: usize = 16;
const EWMA_LOG: usize = 17;
/// Offset of the kernel's `est` pointer, where parsing parks the raw
/// microsecond values.
const RAW: usize = 24;

/// The `RATEEST` target.
pub struct Rateest;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Rateest];

static OPTS: &[Opt] = &[
    Opt::req("rateest-name"),
    Opt::req("rateest-interval"),
    Opt::req("rateest-ewmalog"),
];

/// The longest prefix of `s` that `strtod` reads (decimal form), parsed.
fn strtod_prefix(s: &str) -> Option<(f64, &str)> {
    let t = s.trim_start();
    let b = t.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_start = i;
    while b.get(i).is_some_and(|c| c.is_ascii_digit()) {
        i += 1;
    }
    let mut digits = i - int_start;
    if b.get(i) == Some(&b'.') {
        let f = i + 1;
        let mut j = f;
        while b.get(j).is_some_and(|c| c.is_ascii_digit()) {
            j += 1;
        }
        if digits > 0 || j > f {
            digits += j - f;
            i = j;
        }
    }
    if digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let e = j;
        while b.get(j).is_some_and(|c| c.is_ascii_digit()) {
            j += 1;
        }
        if j > e {
            i = j;
        }
    }
    let v = t.get(..i)?.parse::<f64>().ok()?;
    Some((v, t.get(i..).unwrap_or("")))
}

/// tc's `get_time`: a number with an optional `s`/`ms`/`us` unit (plain
/// numbers are microseconds), as whole microseconds.
fn parse_time(s: &str) -> Option<u32> {
    let (v, unit) = strtod_prefix(s)?;
    let mult = match unit.to_ascii_lowercase().as_str() {
        "" => 1.0,
        "s" | "sec" | "secs" => UNITS,
        "ms" | "msec" | "msecs" => UNITS / 1000.0,
        "us" | "usec" | "usecs" => 1.0,
        _ => return None,
    };
    let t = v * mult;
    // C's double to unsigned conversion; out-of-range values saturate here.
    Some(if t <= 0.0 {
        0
    } else {
        t.min(u32::MAX as f64) as u32
    })
}

/// Prints a microsecond count as `1.0s`, `250.0ms` or `500us`.
fn time_text(t: u32) -> String {
    let f = t as f64;
    if f >= UNITS {
        format!("{:.1}s", f / UNITS)
    } else if f >= UNITS / 1000.0 {
        format!("{:.1}ms", f / (UNITS / 1000.0))
    } else {
        format!("{t}us")
    }
}

impl Extension for Rateest {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "RATEEST"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        32
    }
    fn userspace_size(&self, _family: Family) -> usize {
        24
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
            "rateest-name" => wr_str(&mut st.blob, 0, NAME_LEN, arg),
            _ => {
                let what = if opt == "rateest-interval" {
                    "interval"
                } else {
                    "ewmalog"
                };
                let t = parse_time(arg).ok_or_else(|| {
                    XtError::param(format!("RATEEST: bad {what} value \"{arg}\""))
                })?;
                // The raw values wait in the kernel's pointer slot (sent as
                // zeros) until final_check turns them into the two fields.
                let off = if what == "interval" { RAW } else { RAW + 4 };
                wr_u32(&mut st.blob, off, t);
            }
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen & 1 == 0 {
            return Err(XtError::param(
                "RATEEST: option \"--rateest-name\" must be specified\n",
            ));
        }
        let (interval, ewma) = (rd_u32(&st.blob, RAW), rd_u32(&st.blob, RAW + 4));
        wr_u64(&mut st.blob, RAW, 0);
        let mut i: i32 = 0;
        while i <= 5 {
            if f64::from(interval) <= f64::from(1u32 << i) * (UNITS / 4.0) {
                break;
            }
            i += 1;
        }
        if i > 5 {
            return Err(XtError::param("RATEEST: interval value is too large"));
        }
        let mut log: u32 = 1;
        while log < 32 {
            let w = 1.0 - 1.0 / f64::from(1u32 << log);
            if f64::from(interval) / (-w.ln()) > f64::from(ewma) {
                break;
            }
            log += 1;
        }
        log -= 1;
        if log == 0 || log >= 31 {
            return Err(XtError::param("RATEEST: ewmalog value is out of range"));
        }
        wr_u8(&mut st.blob, INTERVAL, (i - 2) as i8 as u8);
        wr_u8(&mut st.blob, EWMA_LOG, log as u8);
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(&format!(" name {}", rd_str(blob, 0, NAME_LEN)));
        write_times(blob, "", out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(&format!(" --rateest-name {}", rd_str(blob, 0, NAME_LEN)));
        write_times(blob, "--rateest-", out);
    }
}

/// ` interval T ewmalog T` with `pre` before each keyword.
fn write_times(blob: &[u8], pre: &str, out: &mut String) {
    let shift = (rd_u8(blob, INTERVAL) as i8 as i32 + 2).clamp(0, 31) as u32;
    let interval = 1_000_000u32.wrapping_shl(shift) / 4;
    let ewma = interval.wrapping_mul(1u32.wrapping_shl(u32::from(rd_u8(blob, EWMA_LOG)) & 31));
    out.push_str(&format!(
        " {pre}interval {} {pre}ewmalog {}",
        time_text(interval),
        time_text(ewma)
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn t(args: &str) -> XtResult<Parsed> {
        let a: Vec<&str> = args.split(' ').filter(|s| !s.is_empty()).collect();
        run(
            Kind::Target,
            "RATEEST",
            Family::V4,
            0,
            "filter",
            "INPUT",
            &a,
        )
    }

    #[test]
    fn corpus_and_observed() {
        for (i, e, save, blob) in [
            ("250.0ms", "500.0ms", ("250.0ms", "500.0ms"), [0xfe, 1]),
            ("1s", "2s", ("1.0s", "2.0s"), [0, 1]),
            ("100ms", "1s", ("250.0ms", "2.0s"), [0xfe, 3]),
            ("500us", "1s", ("250.0ms", "256.0s"), [0xfe, 10]),
            ("3s", "8s", ("4.0s", "8.0s"), [2, 1]),
            ("1Sec", "2e6", ("1.0s", "2.0s"), [0, 1]),
            ("8s", "100s", ("8.0s", "64.0s"), [3, 3]),
        ] {
            let p = t(&format!(
                "--rateest-name RE1 --rateest-interval {i} --rateest-ewmalog {e}"
            ))
            .unwrap();
            assert_eq!(
                p.save,
                format!(
                    " -j RATEEST --rateest-name RE1 --rateest-interval {} --rateest-ewmalog {}",
                    save.0, save.1
                )
            );
            assert_eq!(
                p.print,
                format!(" name RE1 interval {} ewmalog {}", save.0, save.1)
            );
            assert_eq!(p.blob.len(), 32);
            assert_eq!(p.blob[16..18], blob, "{i} {e}");
            assert_eq!(&p.blob[..4], b"RE1\0");
            assert_eq!(p.blob[24..], [0; 8]);
        }
        for (args, msg) in [
            (
                "--rateest-name RE1 --rateest-interval foo",
                "RATEEST: bad interval value \"foo\"",
            ),
            (
                "--rateest-name RE1 --rateest-interval 1s --rateest-ewmalog 2x",
                "RATEEST: bad ewmalog value \"2x\"",
            ),
            (
                "--rateest-name RE1 --rateest-interval 10s --rateest-ewmalog 1000s",
                "RATEEST: interval value is too large",
            ),
            (
                "--rateest-name RE1 --rateest-interval 250ms --rateest-ewmalog 1",
                "RATEEST: ewmalog value is out of range",
            ),
            (
                "--rateest-name RE1",
                "RATEEST: ewmalog value is out of range",
            ),
            (
                "--rateest-interval 1s --rateest-ewmalog 2s",
                "RATEEST: option \"--rateest-name\" must be specified\n",
            ),
        ] {
            assert_eq!(t(args).unwrap_err().msg, msg, "{args}");
        }
    }
}
