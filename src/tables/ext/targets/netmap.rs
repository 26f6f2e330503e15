//! `NETMAP` target: maps a whole network onto another one, keeping the
//! host part (`--to ADDR[/MASK]`).
//!
//! Rev 0: for `ip` `struct nf_nat_ipv4_multi_range_compat` (24 bytes,
//! rangesize 1, flags `MAP_IPS`, min = addr & mask, max = min | ~mask),
//! for `ip6` `struct nf_nat_range` (40 bytes, same fields). The argument is
//! libxtables' host/mask type: a host (numeric or resolved name) and a
//! prefix length or a mask; a mask that is not contiguous (and, for `ip`,
//! a number above 32, which `getaddrinfo` reads as an address such as
//! `0.0.0.33`) ends up as a full host mask, as 1.8.9 does (observed).

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::targets::dnat::{Layout, Range, MAP_IPS};
use crate::tables::ext::util::parse_uint;
use crate::tables::ext::xtables::{
    host_bytes, inet_aton, mask_prefix, parse_plen_with, prefix_mask,
};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// The `NETMAP` target.
pub struct Netmap;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Netmap];

static OPTS: &[Opt] = &[Opt::req("to")];

fn layout(f: Family) -> Layout {
    match f {
        Family::V4 => Layout::Compat,
        Family::V6 => Layout::Range,
    }
}

fn hlen(f: Family) -> u32 {
    match f {
        Family::V4 => 32,
        Family::V6 => 128,
    }
}

/// libxtables' `xtopt_parse_plen` for the part after `/` of option `opt`
/// of extension `ext` ([`parse_plen_with`]).
pub(crate) fn parse_plen(ext: &str, opt: &str, f: Family, s: &str) -> XtResult<u8> {
    parse_plen_with(ext, opt, f, s, parse_uint, inet_aton)
}

/// libxtables' `xtopt_parse_plenmask`: the mask of [`parse_plen`]'s length
/// (a full host mask for 255).
fn parse_mask(f: Family, s: &str) -> XtResult<[u8; 16]> {
    let plen = parse_plen("NETMAP", "to", f, s)? as u32;
    Ok(prefix_mask(plen.min(hlen(f))))
}

fn addr_text(f: Family, a: &[u8; 16]) -> String {
    match f {
        Family::V4 => Ipv4Addr::new(a[0], a[1], a[2], a[3]).to_string(),
        Family::V6 => Ipv6Addr::from(*a).to_string(),
    }
}

fn net_text(f: Family, blob: &[u8]) -> String {
    let r = Range::read(layout(f), blob);
    let mut mask = [0u8; 16];
    for (i, m) in mask.iter_mut().enumerate().take(f.addr_len()) {
        *m = !(r.min[i] ^ r.max[i]);
    }
    let suffix = match mask_prefix(&mask[..f.addr_len()]) {
        Some(b) => b.to_string(),
        None => addr_text(f, &mask),
    };
    format!("{}/{}", addr_text(f, &r.min), suffix)
}

impl Extension for Netmap {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "NETMAP"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, family: Family) -> usize {
        layout(family).size()
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        ctx: &Ctx<'_>,
        _opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let f = ctx.family;
        let arg = arg.unwrap_or("");
        let (host, mask) = match arg.split_once('/') {
            Some((h, m)) => {
                let mask = parse_mask(f, m)?;
                (host_bytes(f, h)?, mask)
            }
            None => (host_bytes(f, arg)?, prefix_mask(hlen(f))),
        };
        let mut r = Range::read(layout(f), &st.blob);
        r.flags |= MAP_IPS;
        for i in 0..f.addr_len() {
            r.min[i] = host[i] & mask[i];
            r.max[i] = r.min[i] | !mask[i];
        }
        r.write(layout(f), &mut st.blob);
        Ok(())
    }
    fn final_check(&self, ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "NETMAP: option \"--to\" must be specified\n",
            ));
        }
        if ctx.family == Family::V4 {
            crate::tables::ext::util::wr_u32(&mut st.blob, 0, 1);
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" to:");
        out.push_str(&net_text(ctx.family, blob));
    }
    fn save(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" --to ");
        out.push_str(&net_text(ctx.family, blob));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::targets::dnat::tests::{corpus, tg};

    #[test]
    fn corpus_v4() {
        corpus(
            Family::V4,
            "nat",
            "PREROUTING",
            "NETMAP",
            &[
                (0, "--to 1.2.3.0/24", Some("=")),
                (0, "--to 1.2.3.4", Some("--to 1.2.3.4/32")),
                // observed
                (0, "--to 1.2.3.4/255.255.0.0", Some("--to 1.2.0.0/16")),
                (0, "--to 1.2.3.4/255.0.255.0", Some("--to 1.2.3.4/32")),
                (0, "--to 1.2.3.4/33", Some("--to 1.2.3.4/32")),
                (0, "--to 1.2.3.4/0", Some("--to 0.0.0.0/0")),
                (0, "--to 10.0.0.0/0x8", Some("--to 10.0.0.0/8")),
                (0, "--to 1.2.3/255.255", Some("--to 1.2.0.3/32")),
                (0, "--to 1.2.3.4/", None),
                (0, "--to 1.2.3.4/x", None),
                (0, "--to dead::1", None),
                (0, "", None),
            ],
        );
    }

    #[test]
    fn corpus_v6() {
        corpus(
            Family::V6,
            "nat",
            "PREROUTING",
            "NETMAP",
            &[
                (0, "--to dead::/64", Some("=")),
                (0, "--to dead::beef", Some("--to dead::beef/128")),
                (0, "--to dead::beef/129", None),
                (0, "--to dead::/ffff::", Some("--to dead::/16")),
                (
                    0,
                    "--to dead::beef/ffff:0:ffff::",
                    Some("--to dead::beef/128"),
                ),
                (0, "--to 1.2.3.4", None),
            ],
        );
    }

    #[test]
    fn print_errors_blob() {
        let p = tg(
            Family::V4,
            "nat",
            "PREROUTING",
            0,
            "NETMAP",
            "--to 1.2.3.0/24",
        )
        .unwrap();
        assert_eq!(p.print, " to:1.2.3.0/24");
        assert_eq!(
            p.blob,
            [1, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3, 0, 1, 2, 3, 255, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        let p = tg(
            Family::V6,
            "nat",
            "PREROUTING",
            0,
            "NETMAP",
            "--to dead::/64",
        )
        .unwrap();
        assert_eq!(p.print, " to:dead::/64");
        let mut want = vec![0u8; 40];
        want[0] = 1;
        want[4..6].copy_from_slice(&[0xde, 0xad]);
        want[20..22].copy_from_slice(&[0xde, 0xad]);
        want[28..36].copy_from_slice(&[0xff; 8]);
        assert_eq!(p.blob, want);
        let e = tg(
            Family::V4,
            "nat",
            "PREROUTING",
            0,
            "NETMAP",
            "--to 1.2.3.4/x",
        )
        .unwrap_err();
        assert_eq!(
            e.msg,
            "NETMAP: bad value for option \"--to\", neither a valid network mask nor valid CIDR (0-32).\n"
        );
        let e = tg(Family::V4, "nat", "PREROUTING", 0, "NETMAP", "").unwrap_err();
        assert_eq!(e.msg, "NETMAP: option \"--to\" must be specified\n");
        let e = tg(Family::V6, "nat", "PREROUTING", 0, "NETMAP", "--to 1.2.3.4").unwrap_err();
        assert_eq!(
            e.msg,
            "getaddrinfo: Address family for hostname not supported\n"
        );
        // a foreign blob with a mask that is not contiguous prints the mask
        let mut b = p.blob.clone();
        b[20] = 0xff;
        let mut s = String::new();
        Netmap.print(
            &PrintCtx {
                family: Family::V6,
                numeric: true,
                proto: 0,
            },
            &b,
            &mut s,
        );
        assert_eq!(s, " to:dead::/deff:ffff:ffff:ffff::");
    }

    #[test]
    fn aton() {
        assert_eq!(inet_aton("33"), Some(Ipv4Addr::new(0, 0, 0, 33)));
        assert_eq!(inet_aton("1.2.3"), Some(Ipv4Addr::new(1, 2, 0, 3)));
        assert_eq!(inet_aton("0x7f.1"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(inet_aton("1.2.3.256"), None);
        assert_eq!(inet_aton("x"), None);
        assert_eq!(inet_aton(""), None);
    }
}
