//! `rt` match (ip6tables only): the IPv6 Routing header's type, segments
//! left (range), length, and for type 0 the reserved field and address list.
//!
//! Kernel struct `struct ip6t_rt { __u32 rt_type; __u32 segsleft[2]; __u32
//! hdrlen; __u8 flags; __u8 invflags; struct in6_addr addrs[16]; __u8
//! addrnr; }`, name `rt`, revision 0, 280 bytes.

use std::net::Ipv6Addr;

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_ipv6, rd_u32, rd_u8, wr, wr_u32, wr_u8};
use crate::tables::ext::xtables::{xt_range_wrapping, xt_uint_wrapping};
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

/// `IP6T_RT_TYP`
const TYP: u8 = 0x01;
/// `IP6T_RT_SGS`
const SGS: u8 = 0x02;
/// `IP6T_RT_LEN`
const LEN: u8 = 0x04;
/// `IP6T_RT_RES`
const RES: u8 = 0x08;
/// `IP6T_RT_FST`
const FST: u8 = 0x10;
/// `IP6T_RT_FST_NSTRICT`
const NSTRICT: u8 = 0x20;
/// `IP6T_RT_INV_TYP`
const INV_TYP: u8 = 0x01;
/// `IP6T_RT_INV_SGS`
const INV_SGS: u8 = 0x02;
/// `IP6T_RT_INV_LEN`
const INV_LEN: u8 = 0x04;
/// `IP6T_RT_HOPS`
const HOPS: usize = 16;

const OFF_TYPE: usize = 0;
const OFF_SGS: usize = 4;
const OFF_LEN: usize = 12;
const OFF_FLAGS: usize = 16;
const OFF_INV: usize = 17;
const OFF_ADDRS: usize = 20;
const OFF_NR: usize = 276;

/// An IPv6 address as glibc's `inet_ntop` writes it (`::1.2.3.4` and
/// `::ffff:1.2.3.4` keep the dotted tail).
pub(crate) fn ip6_text(a: Ipv6Addr) -> String {
    let s = a.segments();
    let o = a.octets();
    let v4 = format!("{}.{}.{}.{}", o[12], o[13], o[14], o[15]);
    if s[..5] == [0; 5] && s[5] == 0xffff {
        return format!("::ffff:{v4}");
    }
    if s[..6] == [0; 6] && s[6] != 0 {
        return format!("::{v4}");
    }
    a.to_string()
}

/// The `rt` match.
pub struct Rt;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Rt];

static OPTS: &[Opt] = &[
    Opt::req_inv("rt-type"),
    Opt::req_inv("rt-segsleft"),
    Opt::req_inv("rt-len"),
    Opt::flag("rt-0-res"),
    Opt::req("rt-0-addrs"),
    Opt::flag("rt-0-not-strict"),
];

/// Parses the `--rt-0-addrs` list (numeric addresses only).
fn parse_addrs(s: &str, blob: &mut [u8]) -> XtResult<u8> {
    let mut n = 0;
    for a in s.split(',') {
        if n == HOPS {
            return Err(XtError::param("too many addresses specified"));
        }
        let ip: Ipv6Addr = a
            .parse()
            .map_err(|_| XtError::param(format!("bad address: {a}")))?;
        wr(blob, OFF_ADDRS + 16 * n, &ip.octets());
        n += 1;
    }
    Ok(n as u8)
}

/// The address list, comma separated.
fn addrs_text(blob: &[u8], out: &mut String) {
    let n = (rd_u8(blob, OFF_NR) as usize).min(HOPS);
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&ip6_text(rd_ipv6(blob, OFF_ADDRS + 16 * i)));
    }
}

impl Extension for Rt {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "rt"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        Families::V6
    }
    fn size(&self, _family: Family) -> usize {
        280
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_u32(&mut st.blob, OFF_SGS + 4, u32::MAX);
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
        let mut flags = rd_u8(&st.blob, OFF_FLAGS);
        let mut inv = rd_u8(&st.blob, OFF_INV);
        match opt {
            "rt-type" => {
                let v = xt_uint_wrapping("rt", opt, a, 0, u32::MAX as u64)?;
                wr_u32(&mut st.blob, OFF_TYPE, v as u32);
                flags |= TYP;
                if invert {
                    inv |= INV_TYP;
                }
            }
            "rt-segsleft" => {
                let (from, to) = xt_range_wrapping("rt", opt, a, u32::MAX as u64)?;
                wr_u32(&mut st.blob, OFF_SGS, from as u32);
                wr_u32(&mut st.blob, OFF_SGS + 4, to as u32);
                flags |= SGS;
                if invert {
                    inv |= INV_SGS;
                }
            }
            "rt-len" => {
                let v = xt_uint_wrapping("rt", opt, a, 0, u32::MAX as u64)?;
                wr_u32(&mut st.blob, OFF_LEN, v as u32);
                flags |= LEN;
                if invert {
                    inv |= INV_LEN;
                }
            }
            "rt-0-res" | "rt-0-addrs" => {
                let type0 = st.saw(self, "rt-type")
                    && rd_u32(&st.blob, OFF_TYPE) == 0
                    && inv & INV_TYP == 0;
                if !type0 {
                    return Err(XtError::param(format!(
                        "`--rt-type 0' required before `--{opt}'"
                    )));
                }
                if opt == "rt-0-res" {
                    flags |= RES;
                } else {
                    let n = parse_addrs(a, &mut st.blob)?;
                    wr_u8(&mut st.blob, OFF_NR, n);
                    flags |= FST;
                }
            }
            _ => {
                if !st.saw(self, "rt-0-addrs") {
                    return Err(XtError::param(
                        "`--rt-0-addr ...' required before `--rt-0-not-strict'",
                    ));
                }
                flags |= NSTRICT;
            }
        }
        wr_u8(&mut st.blob, OFF_FLAGS, flags);
        wr_u8(&mut st.blob, OFF_INV, inv);
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let flags = rd_u8(blob, OFF_FLAGS);
        let inv = rd_u8(blob, OFF_INV);
        let bang = |bit: u8| if inv & bit != 0 { "!" } else { "" };
        out.push_str(" rt");
        if flags & TYP != 0 {
            // iptables prints the type with %d.
            let t = rd_u32(blob, OFF_TYPE) as i32;
            out.push_str(&format!(" type:{}{t}", bang(INV_TYP)));
        }
        let (from, to) = (rd_u32(blob, OFF_SGS), rd_u32(blob, OFF_SGS + 4));
        if from != 0 || to != u32::MAX || inv & INV_SGS != 0 {
            if from == to {
                out.push_str(&format!(" segsleft:{}{from}", bang(INV_SGS)));
            } else {
                out.push_str(&format!(" segslefts:{}{from}:{to}", bang(INV_SGS)));
            }
        }
        if flags & LEN != 0 {
            out.push_str(&format!(
                " length:{}{}",
                bang(INV_LEN),
                rd_u32(blob, OFF_LEN)
            ));
        }
        if flags & RES != 0 {
            out.push_str(" reserved");
        }
        if flags & FST != 0 {
            out.push_str(" 0-addrs ");
            addrs_text(blob, out);
            if flags & NSTRICT != 0 {
                out.push_str(" 0-not-strict");
            }
        }
        let unknown = inv & !(INV_TYP | INV_SGS | INV_LEN);
        if unknown != 0 {
            out.push_str(&format!(" Unknown invflags: 0x{unknown:X}"));
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let flags = rd_u8(blob, OFF_FLAGS);
        let inv = rd_u8(blob, OFF_INV);
        let bang = |bit: u8| if inv & bit != 0 { " !" } else { "" };
        if flags & TYP != 0 {
            out.push_str(&format!(
                "{} --rt-type {}",
                bang(INV_TYP),
                rd_u32(blob, OFF_TYPE)
            ));
        }
        let (from, to) = (rd_u32(blob, OFF_SGS), rd_u32(blob, OFF_SGS + 4));
        if from != 0 || to != u32::MAX {
            out.push_str(bang(INV_SGS));
            if from == to {
                out.push_str(&format!(" --rt-segsleft {from}"));
            } else {
                out.push_str(&format!(" --rt-segsleft {from}:{to}"));
            }
        }
        if flags & LEN != 0 {
            out.push_str(&format!(
                "{} --rt-len {}",
                bang(INV_LEN),
                rd_u32(blob, OFF_LEN)
            ));
        }
        if flags & RES != 0 {
            out.push_str(" --rt-0-res");
        }
        if flags & FST != 0 {
            out.push_str(" --rt-0-addrs ");
            addrs_text(blob, out);
            if flags & NSTRICT != 0 {
                out.push_str(" --rt-0-not-strict");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::frag::corpus::{check, run_line};

    #[test]
    fn corpus_lines() {
        check(
            Family::V6,
            "-m rt --rt-type 0 --rt-segsleft 1:23 --rt-len 42 --rt-0-res;=;OK
            -m rt --rt-type 0 ! --rt-segsleft 1:23 ! --rt-len 42 --rt-0-res;=;OK
            -m rt ! --rt-type 1 ! --rt-segsleft 12:23 ! --rt-len 42;=;OK
            -m rt;=;OK",
        );
    }

    #[test]
    fn prints() {
        for (rule, save, print) in [
            (
                "-m rt --rt-type 0 --rt-segsleft 1:23 --rt-len 42 --rt-0-res",
                "-m rt --rt-type 0 --rt-segsleft 1:23 --rt-len 42 --rt-0-res",
                " rt type:0 segslefts:1:23 length:42 reserved",
            ),
            (
                "-m rt ! --rt-type 1 ! --rt-segsleft 12:23 ! --rt-len 42",
                "-m rt ! --rt-type 1 ! --rt-segsleft 12:23 ! --rt-len 42",
                " rt type:!1 segslefts:!12:23 length:!42",
            ),
            ("-m rt", "-m rt", " rt"),
            (
                "-m rt --rt-type 0 --rt-0-addrs ::1,2001:db8::1",
                "-m rt --rt-type 0 --rt-0-addrs ::1,2001:db8::1",
                " rt type:0 0-addrs ::1,2001:db8::1",
            ),
            (
                "-m rt --rt-type 0 --rt-0-addrs ::1 --rt-0-not-strict",
                "-m rt --rt-type 0 --rt-0-addrs ::1 --rt-0-not-strict",
                " rt type:0 0-addrs ::1 0-not-strict",
            ),
            (
                "-m rt --rt-type 0 --rt-0-addrs ::ffff:1.2.3.4",
                "-m rt --rt-type 0 --rt-0-addrs ::ffff:1.2.3.4",
                " rt type:0 0-addrs ::ffff:1.2.3.4",
            ),
            (
                "-m rt --rt-segsleft 5",
                "-m rt --rt-segsleft 5",
                " rt segsleft:5",
            ),
            (
                "-m rt ! --rt-segsleft 5:5",
                "-m rt ! --rt-segsleft 5",
                " rt segsleft:!5",
            ),
            ("-m rt --rt-segsleft 0:4294967295", "-m rt", " rt"),
            ("-m rt --rt-type 256", "-m rt --rt-type 256", " rt type:256"),
            (
                "-m rt --rt-type 4294967295",
                "-m rt --rt-type 4294967295",
                " rt type:-1",
            ),
        ] {
            let p = run_line(Family::V6, rule).unwrap();
            assert_eq!(p.save.trim_start(), save, "{rule}");
            assert_eq!(p.print, print, "{rule}");
            assert_eq!(p.print_numeric, print, "{rule}");
        }
    }

    #[test]
    fn errors() {
        let many: Vec<String> = (1..18).map(|i| format!("::{i:x}")).collect();
        let many = format!("-m rt --rt-type 0 --rt-0-addrs {}", many.join(","));
        for (rule, msg) in [
            (
                "-m rt --rt-0-res",
                "`--rt-type 0' required before `--rt-0-res'",
            ),
            (
                "-m rt ! --rt-type 0 --rt-0-res",
                "`--rt-type 0' required before `--rt-0-res'",
            ),
            (
                "-m rt --rt-type 1 --rt-0-addrs ::1",
                "`--rt-type 0' required before `--rt-0-addrs'",
            ),
            (
                "-m rt --rt-type 0 --rt-0-not-strict",
                "`--rt-0-addr ...' required before `--rt-0-not-strict'",
            ),
            (
                "-m rt --rt-type -1",
                "rt: bad value for option \"--rt-type\", or out of range (0-4294967295).\n",
            ),
            ("-m rt --rt-type 0 --rt-0-addrs foo", "bad address: foo"),
            ("-m rt --rt-type 0 --rt-0-addrs ::1,,::2", "bad address: "),
            (
                "-m rt --rt-type 0 --rt-0-addrs ::1/64",
                "bad address: ::1/64",
            ),
            (
                "-m rt --rt-type 0 --rt-0-addrs 1.2.3.4",
                "bad address: 1.2.3.4",
            ),
            (&many, "too many addresses specified"),
            (
                "-m rt --rt-segsleft 1:2:3",
                "rt: Too many components for option \"--rt-segsleft\" (max: 2)\n",
            ),
        ] {
            assert_eq!(run_line(Family::V6, rule).unwrap_err().msg, msg, "{rule}");
        }
    }

    #[test]
    fn blob_bytes() {
        // ip6tables -vvv -A INPUT -m rt --rt-type 0 ! --rt-segsleft 1:23 --rt-len 42
        //   --rt-0-res --rt-0-addrs ::1,2001:db8::1 --rt-0-not-strict
        let p = run_line(
            Family::V6,
            "-m rt --rt-type 0 ! --rt-segsleft 1:23 --rt-len 42 --rt-0-res \
             --rt-0-addrs ::1,2001:db8::1 --rt-0-not-strict",
        )
        .unwrap();
        let mut want = vec![0u8; 280];
        want[..20].copy_from_slice(&[
            0, 0, 0, 0, 1, 0, 0, 0, 0x17, 0, 0, 0, 0x2a, 0, 0, 0, 0x3f, 2, 0, 0,
        ]);
        want[35] = 1;
        want[36..40].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        want[51] = 1;
        want[276] = 2;
        assert_eq!(p.blob, want);
        let p = run_line(Family::V6, "-m rt").unwrap();
        let mut want = vec![0u8; 280];
        want[8..12].copy_from_slice(&[0xff; 4]);
        assert_eq!(p.blob, want);
    }

    #[test]
    fn glibc_address_text() {
        assert_eq!(ip6_text("::1.2.3.4".parse().unwrap()), "::1.2.3.4");
        assert_eq!(ip6_text("::1".parse().unwrap()), "::1");
        assert_eq!(ip6_text("::".parse().unwrap()), "::");
        assert_eq!(
            ip6_text("::ffff:1.2.3.4".parse().unwrap()),
            "::ffff:1.2.3.4"
        );
    }

    #[test]
    fn short_blob_does_not_panic() {
        let p = PrintCtx {
            family: Family::V6,
            numeric: false,
            proto: 0,
        };
        let mut s = String::new();
        Rt.print(&p, &[0xff; 30], &mut s);
        Rt.save(&p, &[0xff; 277], &mut s);
    }
}
