//! `ipvs` match: matches packets of IPVS connections, by virtual service
//! protocol, address, port, direction, forwarding method and controlling
//! connection port.
//!
//! Kernel struct `xt_ipvs_mtinfo` (revision 0, 40 bytes): `union
//! nf_inet_addr vaddr, vmask`, `__be16 vport` at 32, `u8 l4proto`, `u8
//! fwd_method`, `__be16 vportctl` at 36, `u8 invert`, `u8 bitmask` (bit N =
//! option N: ipvs, vproto, vaddr, vport, vdir, vmethod, vportctl).
//!
//! This kernel has no `xt_ipvs`: iptables 1.8.9 warns `Extension ipvs
//! revision 0 not supported, missing kernel module?` and the kernel refuses
//! the rule.

use std::net::IpAddr;

use super::hashlimit::parse_plen;
use crate::names;
use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{
    rd_be16, rd_ipv4, rd_ipv6, rd_u8, service_port, wr, wr_be16, wr_u8,
};
use crate::tables::ext::xtables::{host_bytes, parse_protocol_with, prefix_mask, strtoul_full};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const VADDR: usize = 0;
const VMASK: usize = 16;
const VPORT: usize = 32;
const L4PROTO: usize = 34;
const FWD: usize = 35;
const VPORTCTL: usize = 36;
const INVERT: usize = 38;
const BITMASK: usize = 39;
const SIZE: usize = 40;

const B_IPVS: u8 = 1 << 0;
const B_PROTO: u8 = 1 << 1;
const B_VADDR: u8 = 1 << 2;
const B_VPORT: u8 = 1 << 3;
const B_DIR: u8 = 1 << 4;
const B_METHOD: u8 = 1 << 5;
const B_VPORTCTL: u8 = 1 << 6;
const ONCE_MASK: u8 = 0x7f & !B_IPVS;

/// `IP_VS_CONN_F_MASQ`, `_TUNNEL`, `_DROUTE`
const METHODS: [(&str, u8); 3] = [("GATE", 3), ("IPIP", 2), ("MASQ", 0)];

/// The `ipvs` match.
pub struct Ipvs;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Ipvs];

static OPTS: &[Opt] = &[
    Opt::flag_inv("ipvs"),
    Opt::req_inv("vproto"),
    Opt::req_inv("vaddr"),
    Opt::req_inv("vport"),
    Opt::req("vdir"),
    Opt::req_inv("vmethod"),
    Opt::req_inv("vportctl"),
];

/// `xtables_parse_protocol` ([`parse_protocol_with`]): numbers read by
/// `xtables_strtoul`.
pub(crate) fn parse_protocol(s: &str) -> XtResult<u8> {
    parse_protocol_with(s, strtoul_full, &[])
}

/// `XTTYPE_HOSTMASK`: `HOST[/MASK]` into 16-byte address and mask (a host
/// without mask gets an all-ones mask).
pub(crate) fn parse_hostmask(
    ext: &str,
    opt: &str,
    family: Family,
    arg: &str,
) -> XtResult<([u8; 16], [u8; 16])> {
    let (host, mask) = match arg.split_once('/') {
        Some((h, m)) => (h, Some(m)),
        None => (arg, None),
    };
    let addr = host_bytes(family, host)?;
    let m = match mask {
        None => [0xff; 16],
        Some(m) => prefix_mask(u32::from(parse_plen(ext, opt, family, m)?)),
    };
    Ok((addr, m))
}

/// `XTTYPE_PORT`: a number or a service name of any protocol.
fn parse_port(s: &str) -> XtResult<u16> {
    if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
        if let Ok(v) = s.parse::<u16>() {
            return Ok(v);
        }
    }
    ["tcp", "udp", "sctp", "dccp"]
        .iter()
        .find_map(|p| service_port(s, p))
        .ok_or_else(|| XtError::param(format!("Port \"{s}\" does not resolve to anything.\n")))
}

/// `xtables_ipmask_to_numeric` / `xtables_ip6mask_to_numeric` for the mask
/// at `off`: empty for a host mask, `/N` for a prefix, `/MASK` otherwise.
pub(crate) fn mask_suffix(family: Family, blob: &[u8], off: usize) -> String {
    let (m, width, text) = match family {
        Family::V4 => {
            let m = rd_ipv4(blob, off);
            (u128::from(u32::from(m)) << 96, 32, m.to_string())
        }
        Family::V6 => {
            let m = rd_ipv6(blob, off);
            (u128::from(m), 128, m.to_string())
        }
    };
    let ones = m.leading_ones();
    if m.checked_shl(ones).unwrap_or(0) != 0 {
        format!("/{text}")
    } else if ones == width {
        String::new()
    } else {
        format!("/{ones}")
    }
}

fn addr_text(family: Family, blob: &[u8], numeric: bool) -> String {
    let addr = match family {
        Family::V4 => IpAddr::V4(rd_ipv4(blob, VADDR)),
        Family::V6 => IpAddr::V6(rd_ipv6(blob, VADDR)),
    };
    if !numeric && addr.is_unspecified() {
        return "anywhere".into();
    }
    let text = if numeric {
        addr.to_string()
    } else {
        names::host_name(&addr).unwrap_or_else(|| addr.to_string())
    };
    format!("{text}{}", mask_suffix(family, blob, VMASK))
}

fn dump(ctx: &PrintCtx, blob: &[u8], numeric: bool, prefix: &str, out: &mut String) {
    let bm = rd_u8(blob, BITMASK);
    let inv = rd_u8(blob, INVERT);
    let not = |bit: u8, out: &mut String| {
        if inv & bit != 0 {
            out.push_str(" !");
        }
    };
    if bm == B_IPVS {
        not(B_IPVS, out);
        out.push_str(&format!(" {prefix}ipvs"));
    }
    if bm & B_PROTO != 0 {
        not(B_PROTO, out);
        out.push_str(&format!(" {prefix}vproto {}", rd_u8(blob, L4PROTO)));
    }
    if bm & B_VADDR != 0 {
        not(B_VADDR, out);
        out.push_str(&format!(
            " {prefix}vaddr {}",
            addr_text(ctx.family, blob, numeric)
        ));
    }
    if bm & B_VPORT != 0 {
        not(B_VPORT, out);
        out.push_str(&format!(" {prefix}vport {}", rd_be16(blob, VPORT)));
    }
    if bm & B_DIR != 0 {
        let d = if inv & B_DIR != 0 {
            "REPLY"
        } else {
            "ORIGINAL"
        };
        out.push_str(&format!(" {prefix}vdir {d}"));
    }
    if bm & B_METHOD != 0 {
        not(B_METHOD, out);
        let m = rd_u8(blob, FWD);
        let name = METHODS
            .iter()
            .find(|(_, v)| *v == m)
            .map_or("UNKNOWN", |(n, _)| n);
        out.push_str(&format!(" {prefix}vmethod {name}"));
    }
    if bm & B_VPORTCTL != 0 {
        not(B_VPORTCTL, out);
        out.push_str(&format!(" {prefix}vportctl {}", rd_be16(blob, VPORTCTL)));
    }
}

impl Extension for Ipvs {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "ipvs"
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
        let bad = || crate::tables::ext::xtables::err_bad_value("ipvs", opt, a);
        let bit = match opt {
            "ipvs" => B_IPVS,
            "vproto" => {
                wr_u8(&mut st.blob, L4PROTO, parse_protocol(a)?);
                B_PROTO
            }
            "vaddr" => {
                let (addr, m) = parse_hostmask("ipvs", opt, ctx.family, a)?;
                wr(&mut st.blob, VADDR, &addr);
                wr(&mut st.blob, VMASK, &m);
                B_VADDR
            }
            "vport" => {
                wr_be16(&mut st.blob, VPORT, parse_port(a)?);
                B_VPORT
            }
            "vportctl" => {
                wr_be16(&mut st.blob, VPORTCTL, parse_port(a)?);
                B_VPORTCTL
            }
            "vdir" => {
                let inv = rd_u8(&st.blob, INVERT);
                if a.eq_ignore_ascii_case("ORIGINAL") {
                    wr_u8(&mut st.blob, INVERT, inv & !B_DIR);
                } else if a.eq_ignore_ascii_case("REPLY") {
                    wr_u8(&mut st.blob, INVERT, inv | B_DIR);
                } else {
                    return Err(bad());
                }
                B_DIR
            }
            _ => {
                let m = METHODS
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(a))
                    .map(|(_, v)| *v)
                    .ok_or_else(bad)?;
                wr_u8(&mut st.blob, FWD, m);
                B_METHOD
            }
        };
        let bm = rd_u8(&st.blob, BITMASK);
        wr_u8(&mut st.blob, BITMASK, bm | bit);
        if invert {
            let inv = rd_u8(&st.blob, INVERT);
            wr_u8(&mut st.blob, INVERT, inv | bit);
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param("IPVS: At least one option is required"));
        }
        let bm = rd_u8(&st.blob, BITMASK);
        if bm & ONCE_MASK != 0 {
            if rd_u8(&st.blob, INVERT) & B_IPVS != 0 {
                return Err(XtError::param(
                    "! --ipvs cannot be together with other options",
                ));
            }
            wr_u8(&mut st.blob, BITMASK, bm | B_IPVS);
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        dump(ctx, blob, ctx.numeric, "", out);
    }
    fn save(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        dump(ctx, blob, true, "--", out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(line: &str) -> XtResult<crate::tables::ext::testing::Parsed> {
        let w: Vec<&str> = line.split_whitespace().collect();
        run(Kind::Match, "ipvs", Family::V4, 0, "filter", "INPUT", &w)
    }

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    #[test]
    fn corpus() {
        let z = "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";
        // (rule, saved, tail of the blob from offset 32, observed with -vvv)
        for (rule, saved, tail) in [
            ("--ipvs", "=", "00 00 00 00 00 00 00 01"),
            ("! --ipvs", "=", "00 00 00 00 00 00 01 01"),
            ("--vproto tcp", "--vproto 6", "00 00 06 00 00 00 00 03"),
            ("! --vproto TCP", "! --vproto 6", "00 00 06 00 00 00 02 03"),
            ("--vproto 23", "=", "00 00 17 00 00 00 00 03"),
            ("--vport http", "--vport 80", "00 50 00 00 00 00 00 09"),
            ("! --vport ssh", "! --vport 22", "00 16 00 00 00 00 08 09"),
            ("--vport 22", "=", "00 16 00 00 00 00 00 09"),
            ("! --vport 443", "=", "01 bb 00 00 00 00 08 09"),
            ("--vdir ORIGINAL", "=", "00 00 00 00 00 00 00 11"),
            ("--vdir REPLY", "=", "00 00 00 00 00 00 10 11"),
            ("--vmethod GATE", "=", "00 00 00 03 00 00 00 21"),
            ("! --vmethod IPIP", "=", "00 00 00 02 00 00 20 21"),
            ("--vmethod MASQ", "=", "00 00 00 00 00 00 00 21"),
            ("--vportctl 21", "=", "00 00 00 00 00 15 00 41"),
            ("! --vportctl 21", "=", "00 00 00 00 00 15 40 41"),
        ] {
            let p = t(rule).unwrap_or_else(|e| panic!("{rule}: {e:?}"));
            let want = if saved == "=" { rule } else { saved };
            assert_eq!(p.save, format!(" -m ipvs {want}"), "{rule}");
            assert_eq!(p.blob, hex(&format!("{z} {z} {tail}")), "{rule}");
            assert_eq!(p.print, format!(" {}", want.replace("--", "")), "{rule}");
        }
        let p = t("--vaddr 1.2.3.4").unwrap();
        assert_eq!(p.save, " -m ipvs --vaddr 1.2.3.4");
        assert_eq!(p.print_numeric, " vaddr 1.2.3.4");
        let p = t("! --vaddr 1.2.3.4/255.255.255.0").unwrap();
        assert_eq!(p.save, " -m ipvs ! --vaddr 1.2.3.4/24");
        assert_eq!(
            p.blob,
            hex("01 02 03 04 00 00 00 00 00 00 00 00 00 00 00 00 ff ff ff 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 04 05")
        );
        let r = "--vproto 6 --vaddr 1.2.3.4/16 --vport 22 --vdir ORIGINAL --vmethod GATE";
        let p = t(r).unwrap();
        assert_eq!(p.save, format!(" -m ipvs {r}"));
        assert_eq!(
            p.blob,
            hex("01 02 03 04 00 00 00 00 00 00 00 00 00 00 00 00 ff ff 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 16 06 03 00 00 00 3f")
        );
        assert_eq!(
            t("").unwrap_err().msg,
            "IPVS: At least one option is required"
        );
        assert_eq!(
            t("! --ipvs --vport 22").unwrap_err().msg,
            "! --ipvs cannot be together with other options"
        );
        assert_eq!(
            t("--vdir X").unwrap_err().msg,
            "ipvs: Bad value for \"--vdir\" option: \"X\""
        );
    }
}
