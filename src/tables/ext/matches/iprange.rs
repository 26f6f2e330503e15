//! `iprange` match: the source and/or destination address lies in an
//! inclusive range (`--src-range A-B`, `--dst-range A-B`).
//!
//! Kernel struct `struct xt_iprange_mtinfo { union nf_inet_addr src_min,
//! src_max, dst_min, dst_max; u8 flags; }` (`xt_iprange.h`), revision 1,
//! 72 bytes, addresses in network order (IPv4 in the first 4 bytes).
//! Addresses are numeric only (no host names); an IPv4 address may be
//! shortened (`1.1` is `1.1.0.0`). A reversed range is accepted with a
//! warning on stderr, as iptables does.

use std::net::Ipv6Addr;

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::matches::conntrack::addr_text;
use crate::tables::ext::util::{rd_u8, wr, wr_u8};
use crate::tables::ext::xtables::{err_bad_value, strtoul_prefix};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 72;
const SRC_MIN: usize = 0;
const SRC_MAX: usize = 16;
const DST_MIN: usize = 32;
const DST_MAX: usize = 48;
const FLAGS: usize = 64;
const F_SRC: u8 = 1 << 0;
const F_DST: u8 = 1 << 1;
const F_SRC_INV: u8 = 1 << 4;
const F_DST_INV: u8 = 1 << 5;

/// The `iprange` match.
pub struct Iprange;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Iprange];

static OPTS: &[Opt] = &[Opt::req_inv("src-range"), Opt::req_inv("dst-range")];

/// `xtables_numeric_to_ipaddr`: one to four dotted parts (strtoul base 0,
/// each 0-255); missing trailing parts are 0.
pub(crate) fn numeric_ipv4(s: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    for (i, p) in parts.iter().enumerate() {
        let (v, rest) = strtoul_prefix(p)?;
        if !rest.is_empty() || v > 255 {
            return None;
        }
        out[i] = v as u8;
    }
    Some(out)
}

/// One numeric address of `family` as 16 bytes (IPv4 in the first 4).
fn numeric_addr(family: Family, s: &str) -> Option<[u8; 16]> {
    let mut out = [0u8; 16];
    match family {
        Family::V4 => out[..4].copy_from_slice(&numeric_ipv4(s)?),
        Family::V6 => out = s.parse::<Ipv6Addr>().ok()?.octets(),
    }
    Some(out)
}

fn parse_range(family: Family, opt: &str, s: &str) -> XtResult<([u8; 16], [u8; 16])> {
    let bad = |v: &str| err_bad_value("iprange", opt, v);
    let (lo, hi) = match s.split_once('-') {
        Some((l, h)) => (l, Some(h)),
        None => (s, None),
    };
    let a = numeric_addr(family, lo).ok_or_else(|| bad(lo))?;
    let b = match hi {
        Some(h) => numeric_addr(family, h).ok_or_else(|| bad(h))?,
        None => a,
    };
    let n = family.addr_len();
    if a[..n] > b[..n] {
        eprintln!("xt_iprange: range {s} is reversed and will never match");
    }
    Ok((a, b))
}

impl Extension for Iprange {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "iprange"
    }
    fn revision(&self) -> u32 {
        1
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let (a, b) = parse_range(ctx.family, opt, arg.unwrap_or(""))?;
        let (min, max, f, fi) = if opt == "src-range" {
            (SRC_MIN, SRC_MAX, F_SRC, F_SRC_INV)
        } else {
            (DST_MIN, DST_MAX, F_DST, F_DST_INV)
        };
        wr(&mut st.blob, min, &a);
        wr(&mut st.blob, max, &b);
        let mut flags = rd_u8(&st.blob, FLAGS) | f;
        if invert {
            flags |= fi;
        }
        wr_u8(&mut st.blob, FLAGS, flags);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "iprange match: You must specify `--src-range' or `--dst-range'",
            ));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        text(ctx.family, blob, false, out);
    }
    fn save(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        text(ctx.family, blob, true, out);
    }
}

fn text(family: Family, blob: &[u8], save: bool, out: &mut String) {
    let flags = rd_u8(blob, FLAGS);
    let n = family.addr_len();
    let range = |min: usize, max: usize| {
        format!(
            "{}-{}",
            addr_text(family, blob.get(min..min + n).unwrap_or(&[]), true),
            addr_text(family, blob.get(max..max + n).unwrap_or(&[]), true)
        )
    };
    for (f, fi, min, max, label, opt) in [
        (
            F_SRC,
            F_SRC_INV,
            SRC_MIN,
            SRC_MAX,
            "source IP range",
            "--src-range",
        ),
        (
            F_DST,
            F_DST_INV,
            DST_MIN,
            DST_MAX,
            "destination IP range",
            "--dst-range",
        ),
    ] {
        if flags & f == 0 {
            continue;
        }
        let inv = flags & fi != 0;
        if save {
            if inv {
                out.push_str(" !");
            }
            out.push_str(&format!(" {opt} {}", range(min, max)));
        } else {
            out.push_str(&format!(" {label} "));
            if inv {
                out.push_str("! ");
            }
            out.push_str(&range(min, max));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};

    #[test]
    fn corpus_lines() {
        for l in [
            "-m iprange --src-range 1.1.1.1-1.1.1.10;=;OK",
            "-m iprange ! --src-range 1.1.1.1-1.1.1.10;=;OK",
            "-m iprange --dst-range 1.1.1.1-1.1.1.10;=;OK",
            "-m iprange ! --dst-range 1.1.1.1-1.1.1.10;=;OK",
            "-m iprange;;FAIL",
        ] {
            check(Family::V4, "INPUT", l);
        }
        // Commented out in the corpus; 1.8.9 accepts it (observed).
        check(
            Family::V4,
            "INPUT",
            "-m iprange --src-range 1.1.1.1;-m iprange --src-range 1.1.1.1-1.1.1.1;OK",
        );
    }

    #[test]
    fn observed() {
        let p = parse(
            Family::V4,
            "INPUT",
            "-m iprange --src-range 1.1.1.1-1.1.1.10 ! --dst-range 2.2.2.2-2.2.2.1",
        )
        .unwrap();
        assert_eq!(
            p.save,
            " -m iprange --src-range 1.1.1.1-1.1.1.10 ! --dst-range 2.2.2.2-2.2.2.1"
        );
        assert_eq!(
            p.print,
            " source IP range 1.1.1.1-1.1.1.10 destination IP range ! 2.2.2.2-2.2.2.1"
        );
        let mut want = vec![0u8; 72];
        want[..4].copy_from_slice(&[1, 1, 1, 1]);
        want[16..20].copy_from_slice(&[1, 1, 1, 10]);
        want[32..36].copy_from_slice(&[2, 2, 2, 2]);
        want[48..52].copy_from_slice(&[2, 2, 2, 1]);
        want[64] = 0x23;
        assert_eq!(p.blob, want);
        let p = parse(Family::V4, "INPUT", "-m iprange --src-range 1.1-1.2").unwrap();
        assert_eq!(p.save, " -m iprange --src-range 1.1.0.0-1.2.0.0");
        let p = parse(
            Family::V4,
            "INPUT",
            "-m iprange --src-range 127.0.0.1-127.0.0.2",
        )
        .unwrap();
        assert_eq!(p.print, " source IP range 127.0.0.1-127.0.0.2");
        let p = parse(
            Family::V6,
            "INPUT",
            "-m iprange ! --src-range ::1-::2 --dst-range 2001:db8::1-2001:db8::ff",
        )
        .unwrap();
        assert_eq!(
            p.save,
            " -m iprange ! --src-range ::1-::2 --dst-range 2001:db8::1-2001:db8::ff"
        );
        assert_eq!(
            p.print,
            " source IP range ! ::1-::2 destination IP range 2001:db8::1-2001:db8::ff"
        );
    }

    #[test]
    fn errors() {
        let e = |r: &str| parse(Family::V4, "INPUT", r).unwrap_err().msg;
        assert_eq!(
            e("-m iprange"),
            "iprange match: You must specify `--src-range' or `--dst-range'"
        );
        for (a, v) in [
            ("1.1.1.1-x", "x"),
            ("localhost", "localhost"),
            ("1.1.1.1-1.1.1.2-1.1.1.3", "1.1.1.2-1.1.1.3"),
            ("1.1.1.1/24", "1.1.1.1/24"),
            ("-1.1.1.1", ""),
            ("1.1.1.1-", ""),
            ("1.2.3.4.5", "1.2.3.4.5"),
        ] {
            assert_eq!(
                e(&format!("-m iprange --src-range {a}")),
                format!("iprange: Bad value for \"--src-range\" option: \"{v}\"")
            );
        }
    }
}
