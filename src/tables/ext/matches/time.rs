//! `time` match: matches by arrival date, daytime, weekday and day of the
//! month (UTC, or the kernel's timezone with `--kerneltz`).
//!
//! Kernel struct `xt_time_info` (revision 0, 24 bytes): `u32 date_start`,
//! `u32 date_stop` (seconds since the epoch), `u32 daytime_start`, `u32
//! daytime_stop` (seconds since midnight), `u32 monthdays_match` (bit N =
//! day N), `u8 weekdays_match` (bit 1 = Monday .. bit 7 = Sunday), `u8
//! flags` (`XT_TIME_LOCAL_TZ` 1, `XT_TIME_CONTIGUOUS` 2).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u32, rd_u8, wr_u32, wr_u8};
use crate::tables::ext::xtables::{options_fcheck, strtoul_prefix, strtoumax, xflags, XtEntry};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const DATE_START: usize = 0;
const DATE_STOP: usize = 4;
const DAY_START: usize = 8;
const DAY_STOP: usize = 12;
const MONTHDAYS: usize = 16;
const WEEKDAYS: usize = 20;
const FLAGS: usize = 21;
const SIZE: usize = 24;

const LOCAL_TZ: u8 = 1;
const CONTIGUOUS: u8 = 2;
const ALL_MONTHDAYS: u32 = 0xFFFF_FFFE;
const ALL_WEEKDAYS: u8 = 0xFE;
const MAX_DAYTIME: u32 = 24 * 60 * 60 - 1;
const INT_MAX: u32 = i32::MAX as u32;

const WEEK_DAYS: [&str; 8] = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The `time` match.
pub struct Time;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Time];

static OPTS: &[Opt] = &[
    Opt::req("datestart"),
    Opt::req("datestop"),
    Opt::req("timestart"),
    Opt::req("timestop"),
    Opt::flag("contiguous"),
    Opt::req_inv("weekdays"),
    Opt::req_inv("monthdays"),
    Opt::flag("localtz"),
    Opt::flag("utc"),
    Opt::flag("kerneltz"),
];

static TABLE: &[XtEntry] = &[
    XtEntry::new("datestart", 0),
    XtEntry::new("datestop", 1),
    XtEntry::new("timestart", 2),
    XtEntry::new("timestop", 3),
    XtEntry::new("contiguous", 4),
    XtEntry::new("weekdays", 6),
    XtEntry::new("monthdays", 5),
    XtEntry::new("localtz", 7).excl(1 << 8),
    XtEntry::new("utc", 8).excl(1 << 7 | 1 << 9),
    XtEntry::new("kerneltz", 9).excl(1 << 8),
];

/// `strtoul(s, &end, 10)`: no digits gives (0, s); a minus sign gives a
/// huge value, as C's wrap-around does.
fn strtoul10(s: &str) -> (u64, &str) {
    match strtoumax(s, 10) {
        None => (0, s),
        Some(r) if r.neg => (u64::MAX, r.rest),
        Some(r) => (r.val.unwrap_or(u64::MAX), r.rest),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1..=12).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY[-MM[-DD[Thh[:mm[:ss]]]]]` as UTC seconds, normalised like
/// `mktime` (month 0 is December of the year before, day 0 the last day of
/// the month before).
fn parse_date(s: &str) -> XtResult<u32> {
    let bad = || {
        XtError::param(format!(
            "Invalid date \"{s}\" specified. Should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]"
        ))
    };
    // (terminator allowed after the field, maximum)
    let fields: [(char, u64); 6] = [
        ('-', 2038),
        ('-', 12),
        ('T', 31),
        (':', 23),
        (':', 59),
        ('\0', 59),
    ];
    let mut v = [1970u64, 1, 1, 0, 0, 0];
    let mut rest = s;
    for (i, (term, max)) in fields.iter().enumerate() {
        let (n, e) = strtoul10(rest);
        let next = e.chars().next();
        if (next.is_some() && next != Some(*term)) || n > *max || (i == 0 && n < 1970) {
            return Err(bad());
        }
        if let Some(slot) = v.get_mut(i) {
            *slot = n;
        }
        match next {
            None => break,
            Some(c) => rest = &e[c.len_utf8()..],
        }
    }
    let [y, mo, d, h, mi, se] = v.map(|x| x as i64);
    let months = y * 12 + (mo - 1);
    let (yy, mm) = (months.div_euclid(12), months.rem_euclid(12) + 1);
    let days = days_from_civil(yy, mm, 1) + d - 1;
    let t = days * 86400 + h * 3600 + mi * 60 + se;
    if t < 0 {
        return Err(XtError::other("mktime returned an error"));
    }
    Ok(t as u32)
}

/// `hh:mm[:ss]` as seconds since midnight.
fn parse_daytime(s: &str) -> XtResult<u32> {
    let bad = |at: &str| {
        XtError::param(format!(
            "invalid time \"{at}\" specified, should be hh:mm[:ss] format and within the boundaries"
        ))
    };
    let (h, e) = strtoul10(s);
    if !e.starts_with(':') || h > 23 {
        return Err(bad(s));
    }
    let s = &e[1..];
    let (m, e) = strtoul10(s);
    if (!e.is_empty() && !e.starts_with(':')) || m > 59 {
        return Err(bad(s));
    }
    let mut sec = 0;
    if let Some(s) = e.strip_prefix(':') {
        let (v, e) = strtoul10(s);
        if !e.is_empty() || v > 59 {
            return Err(bad(s));
        }
        sec = v;
    }
    Ok((h * 3600 + m * 60 + sec) as u32)
}

/// Comma-separated segments, each cut to `keep` characters (iptables reads
/// them into a small buffer); an empty list has no segments.
fn segments(arg: &str, keep: usize) -> Vec<String> {
    if arg.is_empty() {
        return Vec::new();
    }
    let mut parts: Vec<&str> = arg.split(',').collect();
    if arg.ends_with(',') {
        parts.pop();
    }
    parts
        .into_iter()
        .map(|p| p.chars().take(keep).collect())
        .collect()
}

fn parse_monthdays(arg: &str) -> XtResult<u32> {
    let mut ret = 0u32;
    for day in segments(arg, 2) {
        let (i, e) = match strtoul_prefix(&day) {
            Some(x) => x,
            None if day.trim_start().starts_with('-') => (u64::MAX, ""),
            None => (0, day.as_str()),
        };
        if !e.is_empty() || i > 31 {
            return Err(XtError::param(format!(
                "{day} is not a valid day for --monthdays"
            )));
        }
        ret |= 1 << i;
    }
    Ok(ret)
}

fn parse_weekdays(arg: &str) -> XtResult<u8> {
    let mut ret = 0u32;
    for day in segments(arg, 3) {
        let (i, e) = strtoul_prefix(&day).unwrap_or((0, day.as_str()));
        if e.is_empty() {
            if i == 0 {
                return Err(XtError::param("No, the week does NOT begin with Sunday."));
            }
            ret |= 1u32.checked_shl(i as u32).unwrap_or(0);
            continue;
        }
        let mut valid = false;
        for (n, name) in WEEK_DAYS.iter().enumerate().skip(1) {
            if day.get(..2).unwrap_or(&day) == name.get(..2).unwrap_or(name) && day.len() >= 2 {
                ret |= 1 << n;
                valid = true;
            }
        }
        if !valid {
            return Err(XtError::param(format!(
                "{day} is not a valid day specifier"
            )));
        }
    }
    Ok(ret as u8)
}

fn daytime_text(t: u32) -> String {
    format!("{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

fn date_text(t: u32, sep: char) -> String {
    let t = i64::from(t);
    let (y, m, d) = civil_from_days(t.div_euclid(86400));
    let s = t.rem_euclid(86400);
    format!(
        "{y:04}-{m:02}-{d:02}{sep}{:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn weekdays_text(mask: u8) -> String {
    (1..=7)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| WEEK_DAYS[i])
        .collect::<Vec<_>>()
        .join(",")
}

fn monthdays_text(mask: u32, human: bool) -> String {
    (1..=31u32)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| {
            let suffix = match (human, i % 10) {
                (false, _) => "",
                (true, 1) => "st",
                (true, 2) => "nd",
                (true, 3) => "rd",
                _ => "th",
            };
            format!("{i}{suffix}")
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl Extension for Time {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "time"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_u32(&mut st.blob, MONTHDAYS, ALL_MONTHDAYS);
        wr_u8(&mut st.blob, WEEKDAYS, ALL_WEEKDAYS);
        wr_u32(&mut st.blob, DAY_STOP, MAX_DAYTIME);
        wr_u32(&mut st.blob, DATE_STOP, INT_MAX);
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let a = arg.unwrap_or("");
        let flags = rd_u8(&st.blob, FLAGS);
        match opt {
            "datestart" => wr_u32(&mut st.blob, DATE_START, parse_date(a)?),
            "datestop" => wr_u32(&mut st.blob, DATE_STOP, parse_date(a)?),
            "timestart" => wr_u32(&mut st.blob, DAY_START, parse_daytime(a)?),
            "timestop" => wr_u32(&mut st.blob, DAY_STOP, parse_daytime(a)?),
            "contiguous" => wr_u8(&mut st.blob, FLAGS, flags | CONTIGUOUS),
            "localtz" => {
                eprintln!(
                    "WARNING: --localtz is being replaced by --kerneltz, since \"local\" is ambiguous. Note the kernel timezone has caveats - see manpage for details."
                );
                wr_u8(&mut st.blob, FLAGS, flags | LOCAL_TZ);
            }
            "kerneltz" => wr_u8(&mut st.blob, FLAGS, flags | LOCAL_TZ),
            "monthdays" => {
                let mut m = parse_monthdays(a)?;
                if invert {
                    m ^= ALL_MONTHDAYS;
                }
                wr_u32(&mut st.blob, MONTHDAYS, m);
            }
            "weekdays" => {
                let mut w = parse_weekdays(a)?;
                if invert {
                    w ^= ALL_WEEKDAYS;
                }
                wr_u8(&mut st.blob, WEEKDAYS, w);
            }
            _ => {}
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.saw(self, "contiguous") && rd_u32(&st.blob, DAY_START) < rd_u32(&st.blob, DAY_STOP) {
            return Err(XtError::param(
                "time: --contiguous only makes sense when stoptime is smaller than starttime",
            ));
        }
        options_fcheck("time", TABLE, xflags(self, st, TABLE))
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" TIME");
        let (ds, de) = (rd_u32(blob, DAY_START), rd_u32(blob, DAY_STOP));
        if ds != 0 || de != MAX_DAYTIME {
            out.push_str(&format!(
                " from {} to {}",
                daytime_text(ds),
                daytime_text(de)
            ));
        }
        let w = rd_u8(blob, WEEKDAYS);
        if w != ALL_WEEKDAYS {
            out.push_str(" on ");
            out.push_str(&weekdays_text(w));
        }
        let m = rd_u32(blob, MONTHDAYS);
        if m != ALL_MONTHDAYS {
            out.push_str(" on ");
            out.push_str(&monthdays_text(m, true));
        }
        let start = rd_u32(blob, DATE_START);
        if start != 0 {
            out.push_str(" starting from ");
            out.push_str(&date_text(start, ' '));
        }
        let stop = rd_u32(blob, DATE_STOP);
        if stop != INT_MAX {
            out.push_str(" until date");
            if stop != 0 {
                out.push(' ');
                out.push_str(&date_text(stop, ' '));
            }
        }
        let flags = rd_u8(blob, FLAGS);
        if flags & LOCAL_TZ == 0 {
            out.push_str(" UTC");
        }
        if flags & CONTIGUOUS != 0 {
            out.push_str(" contiguous");
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let (ds, de) = (rd_u32(blob, DAY_START), rd_u32(blob, DAY_STOP));
        if ds != 0 || de != MAX_DAYTIME {
            out.push_str(&format!(
                " --timestart {} --timestop {}",
                daytime_text(ds),
                daytime_text(de)
            ));
        }
        let m = rd_u32(blob, MONTHDAYS);
        if m != ALL_MONTHDAYS {
            out.push_str(" --monthdays ");
            out.push_str(&monthdays_text(m, false));
        }
        let w = rd_u8(blob, WEEKDAYS);
        if w != ALL_WEEKDAYS {
            out.push_str(" --weekdays ");
            out.push_str(&weekdays_text(w));
        }
        // iptables skips only 0 here, so the default stop date is saved.
        for (off, opt) in [(DATE_START, "--datestart"), (DATE_STOP, "--datestop")] {
            let d = rd_u32(blob, off);
            if d != 0 {
                out.push_str(&format!(" {opt} {}", date_text(d, 'T')));
            }
        }
        let flags = rd_u8(blob, FLAGS);
        if flags & LOCAL_TZ != 0 {
            out.push_str(" --kerneltz");
        }
        if flags & CONTIGUOUS != 0 {
            out.push_str(" --contiguous");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(line: &str) -> XtResult<crate::tables::ext::testing::Parsed> {
        let w: Vec<&str> = line.split_whitespace().collect();
        run(Kind::Match, "time", Family::V4, 0, "filter", "INPUT", &w)
    }

    const DS: &str = " --datestop 2038-01-19T03:14:07";

    #[test]
    fn corpus() {
        let a = "--timestart 01:02:03 --timestop 04:05:06 --monthdays 1,2,3,4,5 --weekdays Mon,Fri,Sun --datestart 2001-02-03T04:05:06 --datestop 2012-09-08T09:06:05";
        let pa = " TIME from 01:02:03 to 04:05:06 on Mon,Fri,Sun on 1st,2nd,3rd,4th,5th starting from 2001-02-03 04:05:06 until date 2012-09-08 09:06:05";
        let p = t(&format!("{a} --kerneltz")).unwrap();
        assert_eq!(p.save, format!(" -m time {a} --kerneltz"));
        assert_eq!(p.print, pa);
        let p = t(a).unwrap();
        assert_eq!(p.save, format!(" -m time {a}"));
        assert_eq!(p.print, format!("{pa} UTC"));
        let b = "--timestart 02:00:00 --timestop 03:00:00 --datestart 1970-01-01T02:00:00 --datestop 1970-01-01T03:00:00";
        let p = t(b).unwrap();
        assert_eq!(p.save, format!(" -m time {b}"));
        assert_eq!(
            p.print_numeric,
            " TIME from 02:00:00 to 03:00:00 starting from 1970-01-01 02:00:00 until date 1970-01-01 03:00:00 UTC"
        );
    }

    #[test]
    fn observed() {
        for (rule, save, print) in [
            ("--timestart 01:00", " --timestart 01:00:00 --timestop 23:59:59", " TIME from 01:00:00 to 23:59:59 UTC"),
            ("--datestart 1970-01-01 --datestop 2038-01-19T03:14:07", "", " TIME UTC"),
            ("--timestart :30 --timestop 2:3:4", " --timestart 00:30:00 --timestop 02:03:04", " TIME from 00:30:00 to 02:03:04 UTC"),
            ("! --monthdays 100,0,,31", " --monthdays 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30",
             " TIME on 1st,2nd,3rd,4th,5th,6th,7th,8th,9th,11st,12nd,13rd,14th,15th,16th,17th,18th,19th,20th,21st,22nd,23rd,24th,25th,26th,27th,28th,29th,30th UTC"),
            ("! --weekdays Moxyz,8,Su", " --weekdays Tue,Wed,Thu,Fri,Sat", " TIME on Tue,Wed,Thu,Fri,Sat UTC"),
            ("--datestart 2038-12-31", " --datestart 2038-12-31T00:00:00", " TIME starting from 2038-12-31 00:00:00 UTC"),
            ("--datestart 2001-02-30T1", " --datestart 2001-03-02T01:00:00", " TIME starting from 2001-03-02 01:00:00 UTC"),
            ("--timestart 23:00 --timestop 01:00 --contiguous", " --timestart 23:00:00 --timestop 01:00:00", " TIME from 23:00:00 to 01:00:00 UTC contiguous"),
            ("--localtz", "", " TIME"),
            ("--datestart 2001-0", " --datestart 2000-12-01T00:00:00", " TIME starting from 2000-12-01 00:00:00 UTC"),
            ("--datestart 2001-00-00", " --datestart 2000-11-30T00:00:00", " TIME starting from 2000-11-30 00:00:00 UTC"),
        ] {
            let p = t(rule).unwrap_or_else(|e| panic!("{rule}: {e:?}"));
            let mut want = format!(" -m time{save}{DS}");
            if rule.contains("localtz") {
                want.push_str(" --kerneltz");
            }
            if rule.contains("contiguous") {
                want.push_str(" --contiguous");
            }
            assert_eq!(p.save, want, "{rule}");
            assert_eq!(p.print, print, "{rule}");
        }
        let e = |r: &str| t(r).unwrap_err().msg;
        assert_eq!(
            e("--timestart 01:61"),
            "invalid time \"61\" specified, should be hh:mm[:ss] format and within the boundaries"
        );
        assert_eq!(e("--timestart 25:00"), "invalid time \"25:00\" specified, should be hh:mm[:ss] format and within the boundaries");
        assert_eq!(e("--monthdays 32"), "32 is not a valid day for --monthdays");
        assert_eq!(
            e("--weekdays ,Mon"),
            "No, the week does NOT begin with Sunday."
        );
        assert_eq!(e("--weekdays Xy"), "Xy is not a valid day specifier");
        assert_eq!(
            e("--datestart 1969"),
            "Invalid date \"1969\" specified. Should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]"
        );
        assert_eq!(
            e("--timestart 01:00 --timestop 02:00 --contiguous"),
            "time: --contiguous only makes sense when stoptime is smaller than starttime"
        );
        let utc = "time: option \"--utc\" cannot be used together with \"--kerneltz\".\n";
        assert_eq!(e("--utc --kerneltz"), utc);
        assert_eq!(e("--kerneltz --utc"), utc);
    }

    #[test]
    fn blob_bytes() {
        // iptables -vvv for the first corpus line.
        let p = t("--timestart 01:02:03 --timestop 04:05:06 --monthdays 1,2,3,4,5 --weekdays Mon,Fri,Sun --datestart 2001-02-03T04:05:06 --datestop 2012-09-08T09:06:05 --kerneltz").unwrap();
        assert_eq!(
            p.blob,
            vec![
                0x72, 0x83, 0x7b, 0x3a, 0x7d, 0x0a, 0x4b, 0x50, 0x8b, 0x0e, 0, 0, 0x72, 0x39, 0, 0,
                0x3e, 0, 0, 0, 0xa2, 0x01, 0, 0
            ]
        );
    }
}
