//! `hashlimit` match: a token-bucket rate limit kept per hash bucket
//! (source/destination address and port, grouped by prefix masks), like
//! `limit` but per flow.
//!
//! Kernel struct `xt_hashlimit_mtinfo3` (revision 3, 312 bytes): `char
//! name[255]`, then `struct hashlimit_cfg3` at 256 (`u64 avg`, `u64 burst`,
//! `u32 mode`, `size`, `max`, `gc_interval`, `expire`, `interval`, `u8
//! srcmask`, `u8 dstmask`), then the kernel's `hinfo` pointer at 304, which
//! `-C`/`-D` do not compare.
//!
//! This file also holds the libxtables helpers the other matches of this
//! group share (prefix lengths, the option final checks); the number parsers
//! and error texts are in [`crate::tables::ext::xtables`].

use std::net::Ipv4Addr;

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_str, rd_u32, rd_u64, rd_u8, wr_str, wr_u32, wr_u64, wr_u8};
use crate::tables::ext::xtables::{
    atoll, err_bad_value, err_excl, err_mandatory, err_once, err_range, inet_aton_with,
    parse_plen_with, strtoul_full, strtoul_prefix,
};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

// ---------------------------------------------------------------------------
// Shared libxtables helpers.

/// `inet_aton` with parts read by `xtables_strtoul` (no leading blank or
/// `+`).
pub(crate) fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    inet_aton_with(s, |p| {
        if p.starts_with([' ', '+']) {
            return None;
        }
        strtoul_full(p, 0, u64::MAX)
    })
}

/// `XTTYPE_PLEN` ([`parse_plen_with`]): numbers read by `xtables_strtoul`,
/// IPv4 masks by [`inet_aton`].
pub(crate) fn parse_plen(ext: &str, opt: &str, family: Family, arg: &str) -> XtResult<u8> {
    parse_plen_with(ext, opt, family, arg, strtoul_full, inet_aton)
}

// ---------------------------------------------------------------------------
// hashlimit

const NAME: usize = 0;
const NAME_LEN: usize = 255;
const AVG: usize = 256;
const BURST: usize = 264;
const MODE: usize = 272;
const HSIZE: usize = 276;
const HMAX: usize = 280;
const GC: usize = 284;
const EXPIRE: usize = 288;
const INTERVAL: usize = 292;
const SRCMASK: usize = 296;
const DSTMASK: usize = 297;
/// `offsetof(struct xt_hashlimit_mtinfo3, hinfo)`
const USER_SIZE: usize = 304;
const SIZE: usize = 312;

const HASH_DIP: u32 = 1 << 0;
const HASH_DPT: u32 = 1 << 1;
const HASH_SIP: u32 = 1 << 2;
const HASH_SPT: u32 = 1 << 3;
const INVERT: u32 = 1 << 4;
const BYTES: u32 = 1 << 5;
const RATE_MATCH: u32 = 1 << 6;

const DEF_BURST: u64 = 5;
const BURST_MAX: u64 = 1_000_000;
const GC_DEFAULT: u32 = 1000;
const BYTE_EXPIRE: u64 = 15;
const BYTE_EXPIRE_BURST: u64 = 60;
const SCALE: u64 = 1_000_000;
const BYTE_SHIFT: u32 = 4;

const EXT_NAME: &str = "hashlimit";

/// The `hashlimit` match (revision 3).
pub struct Hashlimit;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Hashlimit];

static OPTS: &[Opt] = &[
    Opt::req_inv("hashlimit-upto"),
    Opt::req_inv("hashlimit-above"),
    Opt::req_inv("hashlimit"),
    Opt::req("hashlimit-srcmask"),
    Opt::req("hashlimit-dstmask"),
    Opt::req("hashlimit-burst"),
    Opt::req("hashlimit-htable-size"),
    Opt::req("hashlimit-htable-max"),
    Opt::req("hashlimit-htable-gcinterval"),
    Opt::req("hashlimit-htable-expire"),
    Opt::req("hashlimit-mode"),
    Opt::req("hashlimit-name"),
    Opt::flag("hashlimit-rate-match"),
    Opt::req("hashlimit-rate-interval"),
];

fn cost_to_bytes(cost: u64) -> u64 {
    let r = u64::from(u32::MAX)
        .checked_div(cost)
        .unwrap_or(u64::from(u32::MAX));
    r.wrapping_sub(1) << BYTE_SHIFT
}

fn bytes_to_cost(bytes: u64) -> u64 {
    let r = (bytes >> BYTE_SHIFT) as u32;
    u64::from(u32::MAX.checked_div(r.wrapping_add(1)).unwrap_or(0))
}

fn factor(c: Option<u8>) -> u64 {
    match c {
        Some(b'm') => 1024 * 1024,
        Some(b'k') => 1024,
        _ => 1,
    }
}

/// `NUMBER[k|m]b/s`: the cost, or `None` when this is not a byte rate.
fn parse_bytes(rate: &str) -> XtResult<Option<u64>> {
    let pos = match rate.find("b/s") {
        Some(p) if p > 0 => p,
        _ => return Ok(None),
    };
    let r = atoll(rate);
    if r == 0 {
        return Ok(None);
    }
    let f = factor(rate.as_bytes().get(pos - 1).copied());
    let cost = bytes_to_cost((r as u64).wrapping_mul(f));
    if cost == 0 {
        return Err(XtError::param(format!("Rate too high \"{rate}\"")));
    }
    Ok(Some(cost))
}

/// `NUMBER[/second|minute|hour|day]` (any prefix of the unit): the period
/// and the unit's multiplier in seconds, `None` when malformed.
fn parse_rate(rate: &str) -> XtResult<Option<(u64, u64)>> {
    let mut mult = 1;
    if let Some((_, unit)) = rate.split_once('/') {
        if unit.is_empty() {
            return Ok(None);
        }
        let is =
            |full: &str| unit.len() <= full.len() && full[..unit.len()].eq_ignore_ascii_case(unit);
        mult = if is("second") {
            1
        } else if is("minute") {
            60
        } else if is("hour") {
            3600
        } else if is("day") {
            86400
        } else {
            return Ok(None);
        };
    }
    let r = atoll(rate);
    if r == 0 {
        return Ok(None);
    }
    let period = (SCALE * mult) / (r as u64);
    if period == 0 {
        return Err(XtError::param(format!("Rate too fast \"{rate}\"")));
    }
    Ok(Some((period, mult)))
}

fn parse_burst(arg: &str) -> XtResult<u64> {
    let err = || {
        XtError::param(format!(
            "bad value for option \"--hashlimit-burst\", or out of range (1-{BURST_MAX})."
        ))
    };
    let (v, end) = strtoul_prefix(arg).ok_or_else(err)?;
    if v < 1 || (end.is_empty() && v > BURST_MAX) {
        return Err(err());
    }
    Ok(v.wrapping_mul(factor(end.as_bytes().first().copied())))
}

const RATES: [(&str, u64); 4] = [
    ("day", SCALE * 86400),
    ("hour", SCALE * 3600),
    ("min", SCALE * 60),
    ("sec", SCALE),
];

/// ` N/unit` for a period; returns the unit in milliseconds (the default
/// expiry).
fn rate_text(period: u64, out: &mut String) -> u64 {
    if period == 0 {
        out.push_str(" inf");
        return 0;
    }
    let mut i = 1;
    while i < RATES.len() {
        let m = RATES[i].1;
        if period > m || m / period < m % period {
            break;
        }
        i += 1;
    }
    let (name, mult) = RATES[i - 1];
    out.push_str(&format!(" {}/{}", mult / period, name));
    mult / SCALE * 1000
}

const UNITS: [(&str, u64); 3] = [("m", 1024 * 1024), ("k", 1024), ("", 1)];

/// ` Nkb/s` and, when there is a burst, ` PREFIXburst Nkb`; returns the
/// default expiry in milliseconds.
fn bytes_text(avg: u64, burst: u64, prefix: &str, out: &mut String) -> u64 {
    let r = cost_to_bytes(avg);
    let mut i = 0;
    while i < UNITS.len() - 1 {
        let t = UNITS[i].1;
        if r >= t && bytes_to_cost(r & !(t - 1)) == avg {
            break;
        }
        i += 1;
    }
    out.push_str(&format!(" {}{}b/s", r / UNITS[i].1, UNITS[i].0));
    if burst == 0 {
        return BYTE_EXPIRE * 1000;
    }
    let r = r.wrapping_mul(burst);
    out.push(' ');
    out.push_str(prefix);
    let mut i = 0;
    while i < UNITS.len() - 1 {
        if r >= UNITS[i].1 {
            break;
        }
        i += 1;
    }
    out.push_str(&format!("burst {}{}b", r / UNITS[i].1, UNITS[i].0));
    BYTE_EXPIRE_BURST * 1000
}

fn mode_text(mode: u32, sep: char, out: &mut String) {
    out.push(' ');
    let mut first = true;
    for (bit, name) in [
        (HASH_SIP, "srcip"),
        (HASH_SPT, "srcport"),
        (HASH_DIP, "dstip"),
        (HASH_DPT, "dstport"),
    ] {
        if mode & bit != 0 {
            if !first {
                out.push(sep);
            }
            out.push_str(name);
            first = false;
        }
    }
}

fn default_mask(family: Family) -> u8 {
    match family {
        Family::V4 => 32,
        Family::V6 => 128,
    }
}

/// `st.flags`: the rate's unit multiplier in seconds (iptables' udata).
fn set_mult(st: &mut State, mult: u64) {
    st.flags = mult as u32;
}

impl Hashlimit {
    fn parse_limit(&self, opt: &str, arg: &str, st: &mut State) -> XtResult<()> {
        if let Some(cost) = parse_bytes(arg)? {
            wr_u64(&mut st.blob, AVG, cost);
            let mode = rd_u32(&st.blob, MODE) | BYTES;
            wr_u32(&mut st.blob, MODE, mode);
            set_mult(st, BYTE_EXPIRE);
            return Ok(());
        }
        match parse_rate(arg)? {
            Some((period, mult)) => {
                wr_u64(&mut st.blob, AVG, period);
                set_mult(st, mult);
                Ok(())
            }
            None => Err(err_bad_value(EXT_NAME, opt, arg)),
        }
    }
}

impl Extension for Hashlimit {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        EXT_NAME
    }
    fn revision(&self) -> u32 {
        3
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn userspace_size(&self, _family: Family) -> usize {
        USER_SIZE
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, ctx: &Ctx<'_>, st: &mut State) {
        wr_u64(&mut st.blob, BURST, DEF_BURST);
        wr_u32(&mut st.blob, GC, GC_DEFAULT);
        wr_u8(&mut st.blob, SRCMASK, default_mask(ctx.family));
        wr_u8(&mut st.blob, DSTMASK, default_mask(ctx.family));
    }
    fn parse(
        &self,
        ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let a = arg.unwrap_or("");
        let mode = rd_u32(&st.blob, MODE);
        match opt {
            "hashlimit-upto" | "hashlimit" => {
                let other = if opt == "hashlimit" {
                    "hashlimit-upto"
                } else {
                    "hashlimit"
                };
                if st.saw(self, other) {
                    return Err(err_once(EXT_NAME, "hashlimit-upto"));
                }
                if invert {
                    wr_u32(&mut st.blob, MODE, mode | INVERT);
                }
                // iptables names the option --hashlimit-upto in errors.
                self.parse_limit("hashlimit-upto", a, st)?;
            }
            "hashlimit-above" => {
                if !invert {
                    wr_u32(&mut st.blob, MODE, mode | INVERT);
                }
                self.parse_limit(opt, a, st)?;
            }
            "hashlimit-srcmask" => {
                let v = parse_plen(EXT_NAME, opt, ctx.family, a)?;
                wr_u8(&mut st.blob, SRCMASK, v);
            }
            "hashlimit-dstmask" => {
                let v = parse_plen(EXT_NAME, opt, ctx.family, a)?;
                wr_u8(&mut st.blob, DSTMASK, v);
            }
            "hashlimit-burst" => {
                let v = parse_burst(a)?;
                wr_u64(&mut st.blob, BURST, v);
            }
            "hashlimit-htable-size"
            | "hashlimit-htable-max"
            | "hashlimit-htable-gcinterval"
            | "hashlimit-htable-expire" => {
                let v = strtoul_full(a, 0, u32::MAX.into())
                    .ok_or_else(|| err_range(EXT_NAME, opt, 0, u32::MAX.into()))?;
                let off = match opt {
                    "hashlimit-htable-size" => HSIZE,
                    "hashlimit-htable-max" => HMAX,
                    "hashlimit-htable-gcinterval" => GC,
                    _ => EXPIRE,
                };
                wr_u32(&mut st.blob, off, v as u32);
            }
            "hashlimit-mode" => {
                let mut m = mode;
                for tok in a.split([',', '|']).filter(|t| !t.is_empty()) {
                    m |= match tok {
                        "dstip" => HASH_DIP,
                        "srcip" => HASH_SIP,
                        "srcport" => HASH_SPT,
                        "dstport" => HASH_DPT,
                        _ => return Err(err_bad_value(EXT_NAME, opt, a)),
                    };
                }
                wr_u32(&mut st.blob, MODE, m);
            }
            "hashlimit-name" => {
                if a.is_empty() {
                    return Err(XtError::param(
                        "Argument must have a minimum length of 1 characters\n",
                    ));
                }
                wr_str(&mut st.blob, NAME, NAME_LEN, a);
            }
            "hashlimit-rate-match" => {
                wr_u32(&mut st.blob, MODE, mode | RATE_MATCH);
            }
            "hashlimit-rate-interval" => {
                let v = atoll(a) as i32;
                if v <= 0 {
                    return Err(err_bad_value(EXT_NAME, opt, a));
                }
                wr_u32(&mut st.blob, INTERVAL, v as u32);
            }
            _ => {}
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        let upto = st.saw(self, "hashlimit-upto") || st.saw(self, "hashlimit");
        let above = st.saw(self, "hashlimit-above");
        if !upto && !above {
            return Err(XtError::param("You have to specify --hashlimit"));
        }
        let mult = u64::from(st.flags);
        if !st.saw(self, "hashlimit-htable-expire") {
            wr_u32(&mut st.blob, EXPIRE, (mult * 1000) as u32);
        }
        let mode = rd_u32(&st.blob, MODE);
        let avg = rd_u64(&st.blob, AVG);
        let burst = rd_u64(&st.blob, BURST);
        if mode & BYTES != 0 {
            let mut nb: u32 = 0;
            if st.saw(self, "hashlimit-burst") {
                let unit = cost_to_bytes(avg);
                if burst < unit {
                    return Err(XtError::param(format!(
                        "burst cannot be smaller than {unit}b"
                    )));
                }
                nb = (burst as u32).checked_div(unit as u32).unwrap_or(0);
                if burst.checked_rem(unit).unwrap_or(0) != 0 {
                    nb = nb.wrapping_add(1);
                }
                if !st.saw(self, "hashlimit-htable-expire") {
                    wr_u32(&mut st.blob, EXPIRE, (BYTE_EXPIRE_BURST * 1000) as u32);
                }
            }
            wr_u64(&mut st.blob, BURST, u64::from(nb));
        } else if burst > BURST_MAX {
            return Err(XtError::param(format!(
                "bad value for option \"--hashlimit-burst\", or out of range (1-{BURST_MAX})."
            )));
        }
        if st.saw(self, "hashlimit-rate-match") {
            if mode & BYTES == 0 {
                wr_u64(&mut st.blob, AVG, avg.checked_div(mult).unwrap_or(0));
            }
            if rd_u32(&st.blob, INTERVAL) == 0 {
                let iv = if mode & BYTES != 0 { 1 } else { mult as u32 };
                wr_u32(&mut st.blob, INTERVAL, iv);
            }
        }
        if upto && above {
            return Err(err_excl(EXT_NAME, "hashlimit-upto", "hashlimit-above"));
        }
        if !st.saw(self, "hashlimit-name") {
            return Err(err_mandatory(EXT_NAME, "hashlimit-name"));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let mode = rd_u32(blob, MODE);
        let avg = rd_u64(blob, AVG);
        let burst = rd_u64(blob, BURST);
        let interval = rd_u32(blob, INTERVAL);
        out.push_str(if mode & INVERT != 0 {
            " limit: above"
        } else {
            " limit: up to"
        });
        let quantum = if mode & BYTES != 0 {
            bytes_text(avg, burst, "", out)
        } else {
            let period = if interval != 0 {
                avg.wrapping_mul(u64::from(interval))
            } else {
                avg
            };
            let q = rate_text(period, out);
            out.push_str(&format!(" burst {burst}"));
            q
        };
        if mode & (HASH_SIP | HASH_SPT | HASH_DIP | HASH_DPT) != 0 {
            out.push_str(" mode");
            mode_text(mode, '-', out);
        }
        self.tail(ctx, blob, quantum, "", out);
    }
    fn save(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let mode = rd_u32(blob, MODE);
        let avg = rd_u64(blob, AVG);
        let burst = rd_u64(blob, BURST);
        out.push_str(if mode & INVERT != 0 {
            " --hashlimit-above"
        } else {
            " --hashlimit-upto"
        });
        let quantum = if mode & BYTES != 0 {
            bytes_text(avg, burst, "--hashlimit-", out)
        } else {
            let q = rate_text(avg, out);
            out.push_str(&format!(" --hashlimit-burst {burst}"));
            q
        };
        if mode & (HASH_SIP | HASH_SPT | HASH_DIP | HASH_DPT) != 0 {
            out.push_str(" --hashlimit-mode");
            mode_text(mode, ',', out);
        }
        out.push_str(" --hashlimit-name ");
        out.push_str(&rd_str(blob, NAME, NAME_LEN));
        self.tail(ctx, blob, quantum, "--hashlimit-", out);
    }
}

impl Hashlimit {
    /// The optional settings after the mode, for print (`prefix` empty) and
    /// save (`--hashlimit-`).
    fn tail(&self, ctx: &PrintCtx, blob: &[u8], quantum: u64, prefix: &str, out: &mut String) {
        let mode = rd_u32(blob, MODE);
        let mut put = |name: &str, v: Option<String>| {
            out.push(' ');
            out.push_str(prefix);
            out.push_str(name);
            if let Some(v) = v {
                out.push(' ');
                out.push_str(&v);
            }
        };
        let size = rd_u32(blob, HSIZE);
        if size != 0 {
            put("htable-size", Some(size.to_string()));
        }
        let max = rd_u32(blob, HMAX);
        if max != 0 {
            put("htable-max", Some(max.to_string()));
        }
        let gc = rd_u32(blob, GC);
        if gc != GC_DEFAULT {
            put("htable-gcinterval", Some(gc.to_string()));
        }
        let expire = rd_u32(blob, EXPIRE);
        if u64::from(expire) != quantum {
            put("htable-expire", Some(expire.to_string()));
        }
        let dmask = default_mask(ctx.family);
        let src = rd_u8(blob, SRCMASK);
        if src != dmask {
            put("srcmask", Some(src.to_string()));
        }
        let dst = rd_u8(blob, DSTMASK);
        if dst != dmask {
            put("dstmask", Some(dst.to_string()));
        }
        if mode & RATE_MATCH != 0 {
            put("rate-match", None);
            let iv = rd_u32(blob, INTERVAL);
            if iv != 1 {
                put("rate-interval", Some(iv.to_string()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(family: Family, line: &str) -> XtResult<crate::tables::ext::testing::Parsed> {
        let words = split(line);
        let w: Vec<&str> = words.iter().map(|s| s.as_str()).collect();
        run(Kind::Match, EXT_NAME, family, 0, "filter", "INPUT", &w)
    }

    /// Splits a corpus rule's arguments (after `-m hashlimit`), honouring
    /// double quotes.
    fn split(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        let mut cur = String::new();
        let mut inq = false;
        let mut any = false;
        for c in s.chars() {
            match c {
                '"' => {
                    inq = !inq;
                    any = true;
                }
                ' ' if !inq => {
                    if any {
                        v.push(std::mem::take(&mut cur));
                    }
                    any = false;
                }
                _ => {
                    cur.push(c);
                    any = true;
                }
            }
        }
        if any {
            v.push(cur);
        }
        v
    }

    const OK: &[(&str, &str, &str)] = &[
        ("--hashlimit-above 1/sec --hashlimit-burst 5 --hashlimit-name mini1", "=", " limit: above 1/sec burst 5"),
        ("--hashlimit-above 1000000/sec --hashlimit-burst 5 --hashlimit-name mini1", "=", " limit: above 1000000/sec burst 5"),
        ("--hashlimit-above 1/min --hashlimit-burst 5 --hashlimit-name mini1", "=", " limit: above 1/min burst 5"),
        ("--hashlimit-above 1/hour --hashlimit-burst 5 --hashlimit-name mini1", "=", " limit: above 1/hour burst 5"),
        ("--hashlimit-above 1/day --hashlimit-burst 1 --hashlimit-name mini1", "=", " limit: above 1/day burst 1"),
        ("--hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name mini1", "=", " limit: up to 1/sec burst 5"),
        ("--hashlimit-upto 1000000/sec --hashlimit-burst 5 --hashlimit-name mini1", "=", " limit: up to 1000000/sec burst 5"),
        ("--hashlimit-upto 1/min --hashlimit-burst 5 --hashlimit-name mini1", "=", " limit: up to 1/min burst 5"),
        ("--hashlimit-upto 1/hour --hashlimit-burst 5 --hashlimit-name mini1", "=", " limit: up to 1/hour burst 5"),
        ("--hashlimit-upto 1/day --hashlimit-burst 1 --hashlimit-name mini1", "=", " limit: up to 1/day burst 1"),
        ("--hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-name mini1 --hashlimit-htable-expire 2000", "=", " limit: up to 1/sec burst 1 htable-expire 2000"),
        ("--hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-mode srcip --hashlimit-name mini1 --hashlimit-htable-expire 2000", "=", " limit: up to 1/sec burst 1 mode srcip htable-expire 2000"),
        ("--hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-mode dstip --hashlimit-name mini1 --hashlimit-htable-expire 2000", "=", " limit: up to 1/sec burst 1 mode dstip htable-expire 2000"),
        ("--hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-mode dstip --hashlimit-name mini1 --hashlimit-htable-max 2000 --hashlimit-htable-expire 2000", "=", " limit: up to 1/sec burst 1 mode dstip htable-max 2000 htable-expire 2000"),
        ("--hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-mode dstip --hashlimit-name mini1 --hashlimit-htable-max 2000 --hashlimit-htable-gcinterval 60000 --hashlimit-htable-expire 2000", "=", " limit: up to 1/sec burst 1 mode dstip htable-max 2000 htable-gcinterval 60000 htable-expire 2000"),
        ("--hashlimit-upto 1/sec --hashlimit-name mini1", "--hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name mini1", " limit: up to 1/sec burst 5"),
        ("--hashlimit-upto 4kb/s --hashlimit-burst 400kb --hashlimit-name mini5", "=", " limit: up to 4kb/s burst 400kb"),
        ("--hashlimit-upto 10mb/s --hashlimit-name mini6", "=", " limit: up to 10mb/s"),
        ("--hashlimit-upto 123456b/s --hashlimit-burst 1mb --hashlimit-name mini7", "=", " limit: up to 123456b/s burst 1mb"),
        ("--hashlimit-upto 40/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name syn-flood", "=", " limit: up to 40/sec burst 20 mode srcip"),
        ("--hashlimit-upto 40/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name rate1 --hashlimit-rate-match", "=", " limit: up to 40/sec burst 20 mode srcip rate-match"),
        ("--hashlimit-upto 40mb/s --hashlimit-mode srcip --hashlimit-name rate2 --hashlimit-rate-match", "=", " limit: up to 40mb/s mode srcip rate-match"),
        ("--hashlimit-upto 40/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name rate3 --hashlimit-rate-match --hashlimit-rate-interval 10", "=", " limit: up to 4/sec burst 20 mode srcip rate-match rate-interval 10"),
        ("--hashlimit-upto 40mb/s --hashlimit-mode srcip --hashlimit-name rate4 --hashlimit-rate-match --hashlimit-rate-interval 10", "=", " limit: up to 40mb/s mode srcip rate-match rate-interval 10"),
        // Observed: masks, mode order, the old option name, `!`.
        ("--hashlimit-upto 1/sec --hashlimit-name x --hashlimit-srcmask 24 --hashlimit-dstmask 16", "--hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name x --hashlimit-srcmask 24 --hashlimit-dstmask 16", " limit: up to 1/sec burst 5 srcmask 24 dstmask 16"),
        ("--hashlimit-upto 10/sec --hashlimit-mode srcip --hashlimit-name hl", "--hashlimit-upto 10/sec --hashlimit-burst 5 --hashlimit-mode srcip --hashlimit-name hl", " limit: up to 10/sec burst 5 mode srcip"),
    ];

    #[test]
    fn corpus_ok() {
        for fam in [Family::V4, Family::V6] {
            for (rule, saved, print) in OK {
                let p = t(fam, rule).unwrap_or_else(|e| panic!("{rule}: {e:?}"));
                let want = if *saved == "=" { rule } else { saved };
                assert_eq!(p.save, format!(" -m hashlimit {want}"), "{rule}");
                assert_eq!(&p.print, print, "{rule}");
                assert_eq!(&p.print_numeric, print, "{rule}");
            }
        }
    }

    #[test]
    fn corpus_fail() {
        for rule in ["--hashlimit-name mini1", "--hashlimit-upto 1/sec", ""] {
            assert!(t(Family::V4, rule).is_err(), "{rule}");
        }
    }

    #[test]
    fn errors() {
        let e = |r: &str| t(Family::V4, r).unwrap_err().msg;
        assert_eq!(
            e("--hashlimit-name mini1"),
            "You have to specify --hashlimit"
        );
        assert_eq!(
            e("--hashlimit-upto 1/sec"),
            "hashlimit: option \"--hashlimit-name\" must be specified\n"
        );
        assert_eq!(
            e("--hashlimit-upto 1/sec --hashlimit-above 2/sec --hashlimit-name x"),
            "hashlimit: option \"--hashlimit-upto\" cannot be used together with \"--hashlimit-above\".\n"
        );
        assert_eq!(
            e("--hashlimit-upto 1/sec --hashlimit 2/sec --hashlimit-name x"),
            "hashlimit: option \"--hashlimit-upto\" can only be used once.\n"
        );
        assert_eq!(
            e("--hashlimit-upto 1/xx --hashlimit-name x"),
            "hashlimit: Bad value for \"--hashlimit-upto\" option: \"1/xx\""
        );
        assert_eq!(
            e("--hashlimit-upto 0/s --hashlimit-name x"),
            "hashlimit: Bad value for \"--hashlimit-upto\" option: \"0/s\""
        );
        assert_eq!(
            e("--hashlimit-upto 1/sec --hashlimit-mode none --hashlimit-name x"),
            "hashlimit: Bad value for \"--hashlimit-mode\" option: \"none\""
        );
        assert_eq!(
            e("--hashlimit-upto 1/sec --hashlimit-burst 0 --hashlimit-name x"),
            "bad value for option \"--hashlimit-burst\", or out of range (1-1000000)."
        );
        assert_eq!(
            e("--hashlimit-upto 1/sec --hashlimit-burst 2000000 --hashlimit-name x"),
            "bad value for option \"--hashlimit-burst\", or out of range (1-1000000)."
        );
        assert_eq!(
            e("--hashlimit-upto 1/sec --hashlimit-htable-size x --hashlimit-name x"),
            "hashlimit: bad value for option \"--hashlimit-htable-size\", or out of range (0-4294967295).\n"
        );
        assert_eq!(
            e("--hashlimit-upto 1/sec --hashlimit-rate-interval 0 --hashlimit-name x"),
            "hashlimit: Bad value for \"--hashlimit-rate-interval\" option: \"0\""
        );
        assert_eq!(
            e("--hashlimit-upto 2000000/sec --hashlimit-name x"),
            "Rate too fast \"2000000/sec\""
        );
        assert_eq!(
            e("--hashlimit-upto 1kb/s --hashlimit-burst 1 --hashlimit-name x"),
            "burst cannot be smaller than 1024b"
        );
        assert_eq!(
            e("--hashlimit-upto 1/sec --hashlimit-srcmask x --hashlimit-name x"),
            "hashlimit: bad value for option \"--hashlimit-srcmask\", neither a valid network mask nor valid CIDR (0-32).\n"
        );
        assert_eq!(
            t(Family::V6, "--hashlimit-upto 1/sec --hashlimit-srcmask 129 --hashlimit-name x")
                .unwrap_err()
                .msg,
            "hashlimit: bad value for option \"--hashlimit-srcmask\", neither a valid network mask nor valid CIDR (0-128).\n"
        );
    }

    #[test]
    fn masks() {
        // iptables takes a dotted mask; a non-contiguous one (or "33",
        // read as 0.0.0.33) becomes 255, which the kernel refuses.
        let p = t(
            Family::V4,
            "--hashlimit-upto 1/sec --hashlimit-name x --hashlimit-srcmask 255.255.255.0",
        )
        .unwrap();
        assert_eq!(rd_u8(&p.blob, SRCMASK), 24);
        let p = t(
            Family::V4,
            "--hashlimit-upto 1/sec --hashlimit-name x --hashlimit-srcmask 33",
        )
        .unwrap();
        assert_eq!(p.print, " limit: up to 1/sec burst 5 srcmask 255");
        let p = t(
            Family::V6,
            "--hashlimit-upto 1/sec --hashlimit-name x --hashlimit-srcmask 33",
        )
        .unwrap();
        assert_eq!(p.print, " limit: up to 1/sec burst 5 srcmask 33");
        let p = t(
            Family::V6,
            "--hashlimit-upto 1/sec --hashlimit-name x --hashlimit-srcmask ffff:ff00::",
        )
        .unwrap();
        assert_eq!(rd_u8(&p.blob, SRCMASK), 24);
    }

    #[test]
    fn blob_bytes() {
        // iptables -vvv -A INPUT -m hashlimit --hashlimit-upto 10/sec
        //   --hashlimit-mode srcip --hashlimit-name hl
        let p = t(
            Family::V4,
            "--hashlimit-upto 10/sec --hashlimit-mode srcip --hashlimit-name hl",
        )
        .unwrap();
        let mut want = vec![0u8; SIZE];
        want[0] = b'h';
        want[1] = b'l';
        want[256..264].copy_from_slice(&100_000u64.to_ne_bytes());
        want[264] = 5;
        want[272] = 4;
        want[284..288].copy_from_slice(&1000u32.to_ne_bytes());
        want[288..292].copy_from_slice(&1000u32.to_ne_bytes());
        want[296] = 0x20;
        want[297] = 0x20;
        assert_eq!(p.blob, want);
        assert_eq!(Hashlimit.userspace_size(Family::V4), 304);
    }

    #[test]
    fn helpers() {
        assert_eq!(inet_aton("33"), Some(Ipv4Addr::new(0, 0, 0, 33)));
        assert_eq!(inet_aton("1.2.3.4"), Some(Ipv4Addr::new(1, 2, 3, 4)));
        assert_eq!(inet_aton("1.2.3.4.5"), None);
    }

    /// Dumps a blob for comparing with `iptables -vvv` (manual use:
    /// `RT_EXT=name RT_FAM=4 RT_ARGS='...' cargo test --lib dump_blob -- --ignored --nocapture`).
    #[test]
    #[ignore]
    fn dump_blob() {
        let ext = std::env::var("RT_EXT").unwrap_or_default();
        let fam = match std::env::var("RT_FAM").as_deref() {
            Ok("6") => Family::V6,
            _ => Family::V4,
        };
        let proto: u8 = std::env::var("RT_PROTO")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let args = split(&std::env::var("RT_ARGS").unwrap_or_default());
        let w: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        match run(Kind::Match, &ext, fam, proto, "filter", "INPUT", &w) {
            Ok(p) => {
                let hex: Vec<String> = p.blob.iter().map(|b| format!("{b:02x}")).collect();
                println!("BLOB {} {}", p.blob.len(), hex.join(" "));
                println!("SAVE{}", p.save);
                println!("PRINT{}", p.print);
                println!("PRINTN{}", p.print_numeric);
            }
            Err(e) => println!("ERR {:?}", e.msg),
        }
    }
}
