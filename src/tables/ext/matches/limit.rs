//! `limit` match: a token-bucket rate limit (`struct xt_rateinfo { __u32
//! avg, burst; unsigned long prev; __u32 credit, credit_cap, cost; void
//! *master; }`, `avg` in 1/10000 s per packet), rev 0, 40 bytes; only `avg`
//! and `burst` are user data.
//!
//! iptables-nft 1.8.9 always encodes it natively as `limit rate R/UNIT
//! burst B type packets flags 0`, with R/UNIT chosen from `avg` the way
//! `-L` prints it; reading back sets `avg = 10000 * unit / rate`.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::{Expr, Family};
use crate::tables::ext::util::{parse_uint, rd_u32, wr_u32};
use crate::tables::ext::{Ctx, Ext, Extension, Field, Kind, Opt, PrintCtx, State};

const SIZE: usize = 40;
const AVG: usize = 0;
const BURST: usize = 4;
/// `XT_LIMIT_SCALE`
const SCALE: u32 = 10000;
/// `XT_LIMIT_AVG` (3/hour) and `XT_LIMIT_BURST`.
const DEFAULT_AVG: u32 = SCALE * 3600 / 3;
const DEFAULT_BURST: u32 = 5;

/// Periods in scale units, longest first (libxt_limit's `rates`).
const RATES: [(&str, u32); 4] = [
    ("day", SCALE * 24 * 60 * 60),
    ("hour", SCALE * 60 * 60),
    ("min", SCALE * 60),
    ("sec", SCALE),
];

/// The `limit` match.
pub struct Limit;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Limit];

static OPTS: &[Opt] = &[Opt::req("limit"), Opt::req("limit-burst")];

/// C `atoi` (glibc: `(int) strtol(s, NULL, 10)`).
fn atoi(s: &str) -> i32 {
    let t = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut v: i64 = 0;
    let mut over = false;
    for c in t.bytes().take_while(u8::is_ascii_digit) {
        match v
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(c - b'0')))
        {
            Some(n) => v = n,
            None => over = true,
        }
    }
    let v = match (over, neg) {
        (true, false) => i64::MAX,
        (true, true) => i64::MIN,
        (false, true) => -v,
        (false, false) => v,
    };
    v as i32
}

/// `parse_rate`: `N[/second|/minute|/hour|/day]` (unit prefixes, any case)
/// into `avg`.
fn parse_rate(s: &str) -> XtResult<u32> {
    let bad = || XtError::param(format!("bad rate \"{s}\"'"));
    let mult: u32 = match s.split_once('/') {
        None => 1,
        Some((_, u)) => {
            if u.is_empty() {
                return Err(bad());
            }
            let pre = |w: &str| w.get(..u.len()).is_some_and(|p| p.eq_ignore_ascii_case(u));
            if pre("second") {
                1
            } else if pre("minute") {
                60
            } else if pre("hour") {
                3600
            } else if pre("day") {
                86400
            } else {
                return Err(bad());
            }
        }
    };
    let r = atoi(s) as u32;
    if r == 0 {
        return Err(bad());
    }
    let v = SCALE * mult / r;
    if v == 0 {
        return Err(XtError::param(format!("Rate too fast \"{s}\"")));
    }
    Ok(v)
}

/// The rate/period pair `-L` shows for `avg` (`print_rate`): the longest
/// period whose rate is still exact enough. `None` for `avg == 0`.
fn rate_of(avg: u32) -> Option<(u32, &'static str, u32)> {
    if avg == 0 {
        return None;
    }
    let mut i = 1;
    while i < RATES.len() {
        let m = RATES[i].1;
        if avg > m || m / avg < m % avg {
            break;
        }
        i += 1;
    }
    let (name, m) = RATES[i - 1];
    Some((m / avg, name, m / SCALE))
}

fn rate_text(avg: u32, out: &mut String) {
    match rate_of(avg) {
        Some((n, name, _)) => out.push_str(&format!(" {n}/{name}")),
        None => out.push_str(" inf"),
    }
}

impl Extension for Limit {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "limit"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn userspace_size(&self, _family: Family) -> usize {
        8
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_u32(&mut st.blob, AVG, DEFAULT_AVG);
        wr_u32(&mut st.blob, BURST, DEFAULT_BURST);
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let a = arg.unwrap_or("");
        if opt == "limit" {
            let v = parse_rate(a)?;
            wr_u32(&mut st.blob, AVG, v);
        } else {
            let b = parse_uint(a, 0, 10000).ok_or_else(|| {
                XtError::param(
                    "limit: bad value for option \"--limit-burst\", or out of range (0-10000).\n",
                )
            })?;
            wr_u32(&mut st.blob, BURST, b as u32);
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" limit: avg");
        rate_text(rd_u32(blob, AVG), out);
        out.push_str(&format!(" burst {}", rd_u32(blob, BURST)));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" --limit");
        rate_text(rd_u32(blob, AVG), out);
        let b = rd_u32(blob, BURST);
        if b != DEFAULT_BURST {
            out.push_str(&format!(" --limit-burst {b}"));
        }
    }
    /// `limit rate R/UNIT burst B type packets flags 0`. A burst of 0 is
    /// sent as is (the kernel turns it into 5).
    fn native(&self, _ctx: &Ctx<'_>, blob: &[u8]) -> Option<Vec<Expr>> {
        let (rate, _, unit) = rate_of(rd_u32(blob, AVG))?;
        Some(vec![Expr::Limit {
            rate: u64::from(rate),
            unit: u64::from(unit),
            burst: rd_u32(blob, BURST),
            kind: 0,
            flags: 0,
        }])
    }
    /// A packet limit without flags (1.8.9 calls anything else incompatible).
    fn decode_native(&self, _family: Family, fields: &[Field]) -> Option<Vec<u8>> {
        let [Field::Expr(Expr::Limit {
            rate,
            unit,
            burst,
            kind: 0,
            flags: 0,
        })] = fields
        else {
            return None;
        };
        if *rate == 0 {
            return None;
        }
        let avg = u64::from(SCALE).checked_mul(*unit)? / rate;
        let mut b = vec![0u8; SIZE];
        wr_u32(&mut b, AVG, avg as u32);
        wr_u32(&mut b, BURST, *burst);
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn r(args: &[&str]) -> XtResult<Parsed> {
        run(Kind::Match, "limit", Family::V4, 0, "filter", "INPUT", args)
    }

    fn ctx() -> Ctx<'static> {
        Ctx {
            family: Family::V4,
            proto: 0,
            proto_invert: false,
            table: "filter",
            chain: "INPUT",
        }
    }

    fn lim(rate: u64, unit: u64, burst: u32) -> Expr {
        Expr::Limit {
            rate,
            unit,
            burst,
            kind: 0,
            flags: 0,
        }
    }

    #[test]
    fn corpus() {
        // libxt_limit.t: all `=`.
        for a in [
            "--limit 1/sec",
            "--limit 1/min",
            "--limit 1000/hour",
            "--limit 1000/day",
            "--limit 1/sec --limit-burst 1",
        ] {
            let w: Vec<&str> = a.split_whitespace().collect();
            let p = r(&w).unwrap();
            assert_eq!(p.save, format!(" -m limit {a}"));
            let n = Limit.native(&ctx(), &p.blob).unwrap();
            let f: Vec<Field> = n.into_iter().map(Field::Expr).collect();
            assert_eq!(
                Limit.decode_native(Family::V4, &f),
                Some(p.blob.clone()),
                "{a}"
            );
        }
    }

    #[test]
    fn observed() {
        // (args, save, -L, native)
        let cases: &[(&[&str], &str, &str, Expr)] = &[
            (
                &[],
                "--limit 3/hour",
                "limit: avg 3/hour burst 5",
                lim(3, 3600, 5),
            ),
            (
                &["--limit", "5/min", "--limit-burst", "10"],
                "--limit 5/min --limit-burst 10",
                "limit: avg 5/min burst 10",
                lim(5, 60, 10),
            ),
            (
                &["--limit", "1/day"],
                "--limit 1/day",
                "limit: avg 1/day burst 5",
                lim(1, 86400, 5),
            ),
            (
                &["--limit", "7"],
                "--limit 7/sec",
                "limit: avg 7/sec burst 5",
                lim(7, 1, 5),
            ),
            (
                &["--limit", "5/m"],
                "--limit 5/min",
                "limit: avg 5/min burst 5",
                lim(5, 60, 5),
            ),
            (
                &["--limit", "13/min"],
                "--limit 13/min",
                "limit: avg 13/min burst 5",
                lim(13, 60, 5),
            ),
            (
                &["--limit", "2000/hour"],
                "--limit 2000/hour",
                "limit: avg 2000/hour burst 5",
                lim(2000, 3600, 5),
            ),
            (
                &["--limit-burst", "0"],
                "--limit 3/hour --limit-burst 0",
                "limit: avg 3/hour burst 0",
                lim(3, 3600, 0),
            ),
        ];
        for (args, save, l, n) in cases {
            let p = r(args).unwrap();
            assert_eq!(p.save, format!(" -m limit {save}"), "{args:?}");
            assert_eq!(p.print, format!(" {l}"), "{args:?}");
            assert_eq!(
                Limit.native(&ctx(), &p.blob),
                Some(vec![n.clone()]),
                "{args:?}"
            );
        }
        let p = r(&["--limit", "5/min", "--limit-burst", "10"]).unwrap();
        assert_eq!(&p.blob[..8], &[0xc0, 0xd4, 1, 0, 10, 0, 0, 0]);
        assert_eq!(p.blob.len(), 40);
        let e = |a: &str| r(&["--limit", a]).unwrap_err();
        assert_eq!(
            e("100000/sec"),
            XtError::param("Rate too fast \"100000/sec\"")
        );
        for a in ["0/sec", "5/foo", "5/", "x5/sec", "5/seconds"] {
            assert_eq!(e(a), XtError::param(format!("bad rate \"{a}\"'")), "{a}");
        }
        assert_eq!(
            r(&["--limit-burst", "10001"]).unwrap_err(),
            XtError::param(
                "limit: bad value for option \"--limit-burst\", or out of range (0-10000).\n"
            )
        );
        // Kernel-stored burst 0 shows as 5; other types are not ours.
        let f = [Field::Expr(Expr::Limit {
            rate: 5,
            unit: 60,
            burst: 5,
            kind: 1,
            flags: 0,
        })];
        assert_eq!(Limit.decode_native(Family::V4, &f), None);
        let f = [Field::Expr(Expr::Limit {
            rate: 5,
            unit: 60,
            burst: 5,
            kind: 0,
            flags: 1,
        })];
        assert_eq!(Limit.decode_native(Family::V4, &f), None);
    }
}
