//! `ipv6header` match (ip6tables only): which IPv6 extension headers a
//! packet carries (exactly these, or with `--soft` at least these).
//!
//! Kernel struct `struct ip6t_ipv6header_info { __u8 matchflags; __u8
//! invflags; __u8 modeflag; }`, name `ipv6header`, revision 0, 8 bytes.
//! ip6tables stores `!` as invflags 0xff and `--soft` as modeflag 0xff.
//!
//! Header names are looked up as libip6t_ipv6header does: first in
//! /etc/protocols (`getprotobyname`, so `ip`, `hopopt`, `IPv6-Frag` work),
//! then in its own table (`hop`, `dst`, `route`, `frag`, `auth`, `esp`,
//! `none`, `prot`, `hop-by-hop`, `protocol` and the numbers).

use std::sync::OnceLock;

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u8, wr_u8};
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

/// `chain_protos`: the extension's own names, first match wins.
static CHAIN_PROTOS: &[(&str, u8)] = &[
    ("hop-by-hop", 0),
    ("protocol", 255),
    ("hop", 0),
    ("dst", 60),
    ("route", 43),
    ("frag", 44),
    ("auth", 51),
    ("esp", 50),
    ("none", 59),
    ("prot", 255),
    ("0", 0),
    ("60", 60),
    ("43", 43),
    ("44", 44),
    ("51", 51),
    ("50", 50),
    ("59", 59),
    ("255", 255),
];

/// Protocol number to flag bit (`MASK_*`), in print order.
static FLAGS: &[(u8, u8)] = &[
    (0, 0x80),
    (60, 0x40),
    (43, 0x20),
    (44, 0x10),
    (51, 0x08),
    (50, 0x04),
    (59, 0x02),
    (255, 0x01),
];

/// The /etc/protocols entries of a stock system, used when the file is
/// missing: (name, number, aliases).
static BUILTIN_PROTOCOLS: &str = "ip 0 IP\nhopopt 0 HOPOPT\nicmp 1 ICMP\ntcp 6 TCP\nudp 17 UDP\n\
    ipv6 41 IPv6\nipv6-route 43 IPv6-Route\nipv6-frag 44 IPv6-Frag\nesp 50 IPSEC-ESP\n\
    ah 51 IPSEC-AH\nipv6-icmp 58 IPv6-ICMP\nipv6-nonxt 59 IPv6-NoNxt\nipv6-opts 60 IPv6-Opts\n";

/// /etc/protocols as (name, number, aliases), read once.
fn protocols() -> &'static [(String, u8, Vec<String>)] {
    static P: OnceLock<Vec<(String, u8, Vec<String>)>> = OnceLock::new();
    P.get_or_init(|| {
        let text = std::fs::read_to_string("/etc/protocols")
            .unwrap_or_else(|_| BUILTIN_PROTOCOLS.to_string());
        text.lines()
            .filter_map(|l| {
                let l = l.split('#').next().unwrap_or("");
                let mut w = l.split_whitespace();
                let name = w.next()?.to_string();
                let num = w.next()?.parse::<u8>().ok()?;
                Some((name, num, w.map(str::to_string).collect()))
            })
            .collect()
    })
}

/// `getprotobyname`: a name or alias (case-sensitive).
fn proto_by_name(s: &str) -> Option<u8> {
    protocols()
        .iter()
        .find(|(n, _, a)| n == s || a.iter().any(|x| x == s))
        .map(|(_, num, _)| *num)
}

/// The name `-L`/save use for a header: /etc/protocols for non-zero
/// numbers, else the extension's table.
fn proto_name(num: u8) -> Option<&'static str> {
    if num != 0 {
        if let Some((n, _, _)) = protocols().iter().find(|(_, p, _)| *p == num) {
            return Some(n.as_str());
        }
    }
    CHAIN_PROTOS
        .iter()
        .find(|(_, p)| *p == num)
        .map(|(n, _)| *n)
}

/// Parses the comma-separated header list into the flag mask.
fn parse_header(s: &str) -> XtResult<u8> {
    let mut mask = 0u8;
    for tok in s.split(',').filter(|t| !t.is_empty()) {
        let num = match proto_by_name(tok) {
            Some(n) => n,
            None => CHAIN_PROTOS
                .iter()
                .find(|(n, _)| *n == tok)
                .map(|(_, p)| *p)
                .ok_or_else(|| XtError::param(format!("unknown header `{tok}' specified")))?,
        };
        let flag = FLAGS
            .iter()
            .find(|(p, _)| *p == num)
            .map(|(_, f)| *f)
            .ok_or_else(|| XtError::param(format!("unknown header `{num}' specified")))?;
        mask |= flag;
    }
    Ok(mask)
}

/// The header list: names, comma separated, in flag order.
fn names_text(mask: u8, out: &mut String) {
    let mut first = true;
    for (proto, flag) in FLAGS {
        if mask & flag != 0 {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(proto_name(*proto).unwrap_or(""));
        }
    }
}

/// The `ipv6header` match.
pub struct Ipv6Header;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Ipv6Header];

static OPTS: &[Opt] = &[Opt::req_inv("header"), Opt::flag("soft")];

impl Extension for Ipv6Header {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "ipv6header"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        Families::V6
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
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        if opt == "header" {
            let mask = parse_header(arg.unwrap_or(""))?;
            if mask == 0 {
                return Err(XtError::param("ip6t_ipv6header: cannot parse header names"));
            }
            wr_u8(&mut st.blob, 0, mask);
            if invert {
                wr_u8(&mut st.blob, 1, 0xff);
            }
        } else {
            wr_u8(&mut st.blob, 2, 0xff);
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if !st.saw(self, "header") {
            return Err(XtError::param(
                "ipv6header: option \"--header\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let (mask, inv, soft) = (rd_u8(blob, 0), rd_u8(blob, 1), rd_u8(blob, 2));
        out.push_str(" ipv6header flags:");
        if inv != 0 {
            out.push('!');
        }
        if ctx.numeric {
            out.push_str(&format!("0x{mask:02X}"));
        } else {
            names_text(mask, out);
        }
        if soft != 0 {
            out.push_str(" soft");
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let (mask, inv, soft) = (rd_u8(blob, 0), rd_u8(blob, 1), rd_u8(blob, 2));
        if inv != 0 {
            out.push_str(" !");
        }
        out.push_str(" --header ");
        names_text(mask, out);
        if soft != 0 {
            out.push_str(" --soft");
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
            "-m ipv6header --header hop-by-hop;=;OK
            -m ipv6header --header hop-by-hop --soft;=;OK
            -m ipv6header --header ipv6-nonxt;=;OK",
        );
    }

    #[test]
    fn prints() {
        for (arg, save, print, numeric) in [
            ("--header hop-by-hop", "--header hop-by-hop", " ipv6header flags:hop-by-hop", " ipv6header flags:0x80"),
            (
                "--header hop-by-hop --soft",
                "--header hop-by-hop --soft",
                " ipv6header flags:hop-by-hop soft",
                " ipv6header flags:0x80 soft",
            ),
            ("--header ipv6-nonxt", "--header ipv6-nonxt", " ipv6header flags:ipv6-nonxt", " ipv6header flags:0x02"),
            (
                "--header hop,dst,route,frag,auth,esp,none,prot",
                "--header hop-by-hop,ipv6-opts,ipv6-route,ipv6-frag,ah,esp,ipv6-nonxt,protocol",
                " ipv6header flags:hop-by-hop,ipv6-opts,ipv6-route,ipv6-frag,ah,esp,ipv6-nonxt,protocol",
                " ipv6header flags:0xFF",
            ),
            ("! --header ah,esp", "! --header ah,esp", " ipv6header flags:!ah,esp", " ipv6header flags:!0x0C"),
            (
                "--header 0,60,43,44,51,50,59",
                "--header hop-by-hop,ipv6-opts,ipv6-route,ipv6-frag,ah,esp,ipv6-nonxt",
                " ipv6header flags:hop-by-hop,ipv6-opts,ipv6-route,ipv6-frag,ah,esp,ipv6-nonxt",
                " ipv6header flags:0xFE",
            ),
            ("--header 255", "--header protocol", " ipv6header flags:protocol", " ipv6header flags:0x01"),
            ("--header HOPOPT,dst", "--header hop-by-hop,ipv6-opts", " ipv6header flags:hop-by-hop,ipv6-opts", " ipv6header flags:0xC0"),
            ("--header IPv6-Frag", "--header ipv6-frag", " ipv6header flags:ipv6-frag", " ipv6header flags:0x10"),
            ("--header ip", "--header hop-by-hop", " ipv6header flags:hop-by-hop", " ipv6header flags:0x80"),
            ("--header hop,", "--header hop-by-hop", " ipv6header flags:hop-by-hop", " ipv6header flags:0x80"),
        ] {
            let rule = format!("-m ipv6header {arg}");
            let p = run_line(Family::V6, &rule).unwrap();
            assert_eq!(p.save, format!(" -m ipv6header {save}"), "{rule}");
            assert_eq!(p.print, print, "{rule}");
            assert_eq!(p.print_numeric, numeric, "{rule}");
        }
    }

    #[test]
    fn errors() {
        for (arg, msg) in [
            ("--header foo", "unknown header `foo' specified"),
            ("--header 6", "unknown header `6' specified"),
            ("--header tcp", "unknown header `6' specified"),
            ("--header ipv6-icmp", "unknown header `58' specified"),
            ("--header 0x3c", "unknown header `0x3c' specified"),
            ("--header HOP", "unknown header `HOP' specified"),
            ("--header ,", "ip6t_ipv6header: cannot parse header names"),
            ("", "ipv6header: option \"--header\" must be specified\n"),
            (
                "--soft",
                "ipv6header: option \"--header\" must be specified\n",
            ),
        ] {
            let rule = format!("-m ipv6header {arg}");
            assert_eq!(run_line(Family::V6, &rule).unwrap_err().msg, msg, "{rule}");
        }
    }

    #[test]
    fn blob_bytes() {
        // ip6tables -vvv -A INPUT -m ipv6header ! --header ah,esp --soft
        let p = run_line(Family::V6, "-m ipv6header ! --header ah,esp --soft").unwrap();
        assert_eq!(p.blob, [0x0c, 0xff, 0xff, 0, 0, 0, 0, 0]);
    }
}
