//! `policy` match: matches the IPsec policy used for decapsulation (`--dir
//! in`) or to be used for encapsulation (`--dir out`), element by element
//! (`--next`) with `--strict`.
//!
//! Kernel struct `xt_policy_info` (revision 0, 312 bytes): four 76-byte
//! `xt_policy_elem` (`saddr`, `smask`, `daddr`, `dmask` of 16 bytes each,
//! `__be32 spi` at 64 (but 1.8.9 writes and reads it in host byte order), `u32 reqid` at 68, `u8 proto` at 72, `u8 mode` at 73,
//! `u8 match` and `u8 invert` bit sets at 74 and 75: saddr 1, daddr 2,
//! proto 4, mode 8, spi 16, reqid 32), then `u16 flags` at 304 (in 1, out
//! 2, none 4, strict 8) and `u16 len` at 306.

use super::ipvs::{mask_suffix, parse_hostmask, parse_protocol};
use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{
    rd_ipv4, rd_ipv6, rd_u16, rd_u32, rd_u8, wr, wr_u16, wr_u32, wr_u8,
};
use crate::tables::ext::xtables::protocol_name;
use crate::tables::ext::xtables::{err_range, options_fcheck, strtoul_full, xflags, XtEntry};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const ELEM: usize = 76;
const MAX_ELEM: usize = 4;
const SADDR: usize = 0;
const SMASK: usize = 16;
const DADDR: usize = 32;
const DMASK: usize = 48;
const SPI: usize = 64;
const REQID: usize = 68;
const PROTO: usize = 72;
const MODE: usize = 73;
const MATCH: usize = 74;
const INVERT: usize = 75;
const FLAGS: usize = 304;
const LEN: usize = 306;
const SIZE: usize = 312;

const M_SADDR: u8 = 1;
const M_DADDR: u8 = 2;
const M_PROTO: u8 = 4;
const M_MODE: u8 = 8;
const M_SPI: u8 = 16;
const M_REQID: u8 = 32;

const F_IN: u16 = 1;
const F_OUT: u16 = 2;
const F_NONE: u16 = 4;
const F_STRICT: u16 = 8;

const MODE_TRANSPORT: u8 = 0;
const MODE_TUNNEL: u8 = 1;

/// The `policy` match.
pub struct Policy;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Policy];

static OPTS: &[Opt] = &[
    Opt::req_inv("dir"),
    Opt::req("pol"),
    Opt::flag("strict"),
    Opt::req_inv("reqid").multi(),
    Opt::req_inv("spi").multi(),
    Opt::req_inv("tunnel-src").multi(),
    Opt::req_inv("tunnel-dst").multi(),
    Opt::req_inv("proto").multi(),
    Opt::req_inv("mode").multi(),
    Opt::flag("next").multi(),
];

static TABLE: &[XtEntry] = &[
    XtEntry::new("dir", 0),
    XtEntry::new("pol", 1),
    XtEntry::new("strict", 2),
    XtEntry::new("reqid", 3),
    XtEntry::new("spi", 4),
    XtEntry::new("tunnel-src", 7),
    XtEntry::new("tunnel-dst", 8),
    XtEntry::new("proto", 5),
    XtEntry::new("mode", 6),
    XtEntry::new("next", 9).also(1 << 2),
];

fn perr(msg: String) -> XtError {
    XtError::param(format!("policy match: {msg}"))
}

fn elem(blob: &[u8]) -> usize {
    usize::from(rd_u16(blob, LEN)).min(MAX_ELEM - 1) * ELEM
}

fn entry_text(family: Family, b: &[u8], e: usize, numeric: bool, prefix: &str, out: &mut String) {
    let m = rd_u8(b, e + MATCH);
    let inv = rd_u8(b, e + INVERT);
    let not = |bit: u8, out: &mut String| {
        if inv & bit != 0 {
            out.push_str(" !");
        }
    };
    if m & M_REQID != 0 {
        not(M_REQID, out);
        out.push_str(&format!(" {prefix}reqid {}", rd_u32(b, e + REQID)));
    }
    if m & M_SPI != 0 {
        not(M_SPI, out);
        out.push_str(&format!(" {prefix}spi 0x{:x}", rd_u32(b, e + SPI)));
    }
    if m & M_PROTO != 0 {
        not(M_PROTO, out);
        let p = rd_u8(b, e + PROTO);
        let name = if numeric { None } else { protocol_name(p) };
        out.push_str(&format!(
            " {prefix}proto {}",
            name.unwrap_or_else(|| p.to_string())
        ));
    }
    if m & M_MODE != 0 {
        not(M_MODE, out);
        let mode = match rd_u8(b, e + MODE) {
            MODE_TRANSPORT => "transport",
            MODE_TUNNEL => "tunnel",
            _ => "???",
        };
        out.push_str(&format!(" {prefix}mode {mode}"));
    }
    for (bit, addr, mask, name) in [
        (M_DADDR, DADDR, DMASK, "tunnel-dst"),
        (M_SADDR, SADDR, SMASK, "tunnel-src"),
    ] {
        if m & bit != 0 {
            not(bit, out);
            let a = match family {
                Family::V4 => rd_ipv4(b, e + addr).to_string(),
                Family::V6 => rd_ipv6(b, e + addr).to_string(),
            };
            out.push_str(&format!(
                " {prefix}{name} {a}{}",
                mask_suffix(family, b, e + mask)
            ));
        }
    }
}

fn flags_text(b: &[u8], prefix: &str, out: &mut String) {
    let f = rd_u16(b, FLAGS);
    let dir = if f & F_IN != 0 { "in" } else { "out" };
    out.push_str(&format!(" {prefix}dir {dir}"));
    let pol = if f & F_NONE != 0 { "none" } else { "ipsec" };
    out.push_str(&format!(" {prefix}pol {pol}"));
    if f & F_STRICT != 0 {
        out.push_str(&format!(" {prefix}strict"));
    }
}

impl Extension for Policy {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "policy"
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
    fn parse(
        &self,
        ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let a = arg.unwrap_or("");
        let flags = rd_u16(&st.blob, FLAGS);
        let e = elem(&st.blob);
        let b = &mut st.blob;
        let set_match = |b: &mut [u8], bit: u8, name: &str| -> XtResult<()> {
            let m = rd_u8(b, e + MATCH);
            if m & bit != 0 {
                return Err(perr(format!("double --{name} option")));
            }
            wr_u8(b, e + MATCH, m | bit);
            let inv = rd_u8(b, e + INVERT);
            wr_u8(b, e + INVERT, if invert { inv | bit } else { inv & !bit });
            Ok(())
        };
        match opt {
            "dir" => {
                let d = match a {
                    "in" => F_IN,
                    "out" => F_OUT,
                    _ => return Err(XtError::param(format!("policy_match: invalid dir \"{a}\""))),
                };
                wr_u16(b, FLAGS, flags | d);
            }
            "pol" => {
                let p = match a {
                    "none" => F_NONE,
                    "ipsec" => 0,
                    _ => return Err(perr(format!("invalid policy \"{a}\""))),
                };
                wr_u16(b, FLAGS, flags | p);
            }
            "strict" => wr_u16(b, FLAGS, flags | F_STRICT),
            "reqid" | "spi" => {
                let v = strtoul_full(a, 0, u32::MAX.into())
                    .ok_or_else(|| err_range("policy", opt, 0, u32::MAX.into()))?
                    as u32;
                if opt == "reqid" {
                    set_match(b, M_REQID, opt)?;
                    wr_u32(b, e + REQID, v);
                } else {
                    set_match(b, M_SPI, opt)?;
                    // 1.8.9 stores the SPI in host byte order despite `__be32`.
                    wr_u32(b, e + SPI, v);
                }
            }
            "tunnel-src" | "tunnel-dst" => {
                let (addr, mask) = parse_hostmask("policy", opt, ctx.family, a)?;
                let (bit, ao, mo) = if opt == "tunnel-src" {
                    (M_SADDR, SADDR, SMASK)
                } else {
                    (M_DADDR, DADDR, DMASK)
                };
                set_match(b, bit, opt)?;
                wr(b, e + ao, &addr);
                wr(b, e + mo, &mask);
            }
            "proto" => {
                if rd_u8(b, e + MATCH) & M_PROTO != 0 {
                    return Err(perr("double --proto option".into()));
                }
                let p = parse_protocol(a)?;
                wr_u8(b, e + PROTO, p);
                if ![51, 50, 108].contains(&p) {
                    return Err(perr("protocol must be ah/esp/ipcomp".into()));
                }
                set_match(b, M_PROTO, opt)?;
            }
            "mode" => {
                set_match(b, M_MODE, opt)?;
                let m = match a {
                    "transport" => MODE_TRANSPORT,
                    "tunnel" => MODE_TUNNEL,
                    _ => return Err(perr(format!("invalid mode \"{a}\""))),
                };
                wr_u8(b, e + MODE, m);
            }
            _ => {
                let len = rd_u16(b, LEN) + 1;
                wr_u16(b, LEN, len);
                if usize::from(len) == MAX_ELEM {
                    return Err(perr("maximum policy depth reached".into()));
                }
            }
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        let flags = rd_u16(&st.blob, FLAGS);
        if flags & (F_IN | F_OUT) == 0 {
            return Err(perr("neither --dir in nor --dir out specified".into()));
        }
        let mut len = rd_u16(&st.blob, LEN);
        if flags & F_NONE != 0 {
            if flags & F_STRICT != 0 {
                return Err(perr("policy none but --strict given".into()));
            }
            if len != 0 {
                return Err(perr("policy none but policy given".into()));
            }
        } else {
            len += 1;
            wr_u16(&mut st.blob, LEN, len);
        }
        for i in 0..usize::from(len).min(MAX_ELEM) {
            let e = i * ELEM;
            let m = rd_u8(&st.blob, e + MATCH);
            if flags & F_STRICT != 0 && m == 0 {
                return Err(perr(format!(
                    "empty policy element {i}. --strict is in effect, but at least one of reqid, spi, tunnel-src, tunnel-dst, proto or mode is required."
                )));
            }
            let mode = rd_u8(&st.blob, e + MODE);
            let mode_inv = rd_u8(&st.blob, e + INVERT) & M_MODE != 0;
            if m & (M_SADDR | M_DADDR) != 0
                && ((mode == MODE_TUNNEL && mode_inv) || (mode == MODE_TRANSPORT && !mode_inv))
            {
                return Err(perr(
                    "--tunnel-src/--tunnel-dst is only valid in tunnel mode".into(),
                ));
            }
        }
        options_fcheck("policy", TABLE, xflags(self, st, TABLE))
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" policy match");
        flags_text(blob, "", out);
        let len = usize::from(rd_u16(blob, LEN)).min(MAX_ELEM);
        for i in 0..len {
            if len > 1 {
                out.push_str(&format!(" [{i}]"));
            }
            entry_text(ctx.family, blob, i * ELEM, ctx.numeric, "", out);
        }
    }
    fn save(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        flags_text(blob, "--", out);
        let len = usize::from(rd_u16(blob, LEN)).min(MAX_ELEM);
        for i in 0..len {
            entry_text(ctx.family, blob, i * ELEM, false, "--", out);
            if i + 1 < len {
                out.push_str(" --next");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(fam: Family, line: &str) -> XtResult<crate::tables::ext::testing::Parsed> {
        let w: Vec<&str> = line.split_whitespace().collect();
        run(Kind::Match, "policy", fam, 0, "filter", "INPUT", &w)
    }

    #[test]
    fn corpus() {
        let tun = "--dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --mode tunnel --tunnel-dst 10.0.0.0/8 --tunnel-src 10.0.0.0/8 --next --reqid 2";
        let tun2 = "--dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto ipcomp --mode tunnel --tunnel-dst 10.0.0.0/8 --tunnel-src 10.0.0.0/8 --next --reqid 2";
        for (rule, print, printn) in [
            ("--dir in --pol ipsec", " policy match dir in pol ipsec", " policy match dir in pol ipsec"),
            ("--dir in --pol ipsec --proto ipcomp", " policy match dir in pol ipsec proto ipcomp", " policy match dir in pol ipsec proto 108"),
            ("--dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto ipcomp",
             " policy match dir in pol ipsec strict reqid 1 spi 0x1 proto ipcomp",
             " policy match dir in pol ipsec strict reqid 1 spi 0x1 proto 108"),
            (tun, " policy match dir in pol ipsec strict [0] reqid 1 spi 0x1 proto esp mode tunnel tunnel-dst 10.0.0.0/8 tunnel-src 10.0.0.0/8 [1] reqid 2",
             " policy match dir in pol ipsec strict [0] reqid 1 spi 0x1 proto 50 mode tunnel tunnel-dst 10.0.0.0/8 tunnel-src 10.0.0.0/8 [1] reqid 2"),
            (tun2, " policy match dir in pol ipsec strict [0] reqid 1 spi 0x1 proto ipcomp mode tunnel tunnel-dst 10.0.0.0/8 tunnel-src 10.0.0.0/8 [1] reqid 2",
             " policy match dir in pol ipsec strict [0] reqid 1 spi 0x1 proto 108 mode tunnel tunnel-dst 10.0.0.0/8 tunnel-src 10.0.0.0/8 [1] reqid 2"),
        ] {
            let p = t(Family::V4, rule).unwrap_or_else(|e| panic!("{rule}: {e:?}"));
            assert_eq!(p.save, format!(" -m policy {rule}"));
            assert_eq!(p.print, print);
            assert_eq!(p.print_numeric, printn);
        }
        assert_eq!(
            t(Family::V4, "--dir in --pol ipsec --strict").unwrap_err().msg,
            "policy match: empty policy element 0. --strict is in effect, but at least one of reqid, spi, tunnel-src, tunnel-dst, proto or mode is required."
        );
        assert_eq!(
            t(Family::V4, "--dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --tunnel-dst 10.0.0.0/8")
                .unwrap_err()
                .msg,
            "policy match: --tunnel-src/--tunnel-dst is only valid in tunnel mode"
        );
        // iptables -vvv for the tunnel line: element 0 and the trailer.
        let p = t(Family::V4, tun).unwrap();
        let mut e0 = [0u8; 76];
        e0[0] = 10;
        e0[16] = 0xff;
        e0[32] = 10;
        e0[48] = 0xff;
        e0[64] = 1; // spi 0x1, host byte order
        e0[68] = 1;
        e0[72] = 50;
        e0[73] = 1;
        e0[74] = 0x3f;
        assert_eq!(&p.blob[..76], &e0[..]);
        assert_eq!(&p.blob[76 + 68..76 + 76], &[2, 0, 0, 0, 0, 0, 0x20, 0]);
        assert_eq!(&p.blob[304..308], &[0x09, 0, 2, 0]);
        // iptables -vvv -A INPUT -m policy --dir in --pol ipsec --strict --reqid 0x102
        //   --spi 0x1 --proto esp --mode tunnel --tunnel-dst 10.0.0.0/8 --tunnel-src 10.1.2.3/16
        let p = t(
            Family::V4,
            "--dir in --pol ipsec --strict --reqid 0x102 --spi 0x1 --proto esp --mode tunnel \
             --tunnel-dst 10.0.0.0/8 --tunnel-src 10.1.2.3/16",
        )
        .unwrap();
        assert_eq!(&p.blob[..4], &[10, 1, 2, 3]);
        assert_eq!(&p.blob[16..20], &[0xff, 0xff, 0, 0]);
        assert_eq!(&p.blob[64..76], &[1, 0, 0, 0, 2, 1, 0, 0, 0x32, 1, 0x3f, 0]);
        assert_eq!(&p.blob[304..308], &[0x09, 0, 1, 0]);
        assert!(p.save.contains(" --reqid 258 --spi 0x1 "), "{}", p.save);
    }

    #[test]
    fn errors_and_v6() {
        let e = |r: &str| t(Family::V4, r).unwrap_err().msg;
        assert_eq!(
            e("--pol ipsec"),
            "policy match: neither --dir in nor --dir out specified"
        );
        assert_eq!(e("--dir up"), "policy_match: invalid dir \"up\"");
        assert_eq!(
            e("--dir in --pol none --strict"),
            "policy match: policy none but --strict given"
        );
        assert_eq!(
            e("--dir in --proto tcp"),
            "policy match: protocol must be ah/esp/ipcomp"
        );
        assert_eq!(
            e("--dir in --reqid 1 --reqid 2"),
            "policy match: double --reqid option"
        );
        assert_eq!(
            e("--dir in --reqid 1 --next --reqid 2"),
            "policy: option \"--next\" also requires \"--strict\".\n"
        );
        let p = t(
            Family::V6,
            "--dir out --pol ipsec --mode tunnel ! --tunnel-src 2001:db8::/32",
        )
        .unwrap();
        assert_eq!(
            p.save,
            " -m policy --dir out --pol ipsec --mode tunnel ! --tunnel-src 2001:db8::/32"
        );
    }
}
