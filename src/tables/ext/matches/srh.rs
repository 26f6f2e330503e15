//! `srh` match (ip6tables only): fields of the IPv6 Segment Routing Header
//! (next header, length, segments left, last entry, tag, and the
//! previous/next/last SIDs with masks).
//!
//! Kernel struct `struct ip6t_srh1 { __u8 next_hdr, hdr_len, segs_left,
//! last_entry; __u16 tag; struct in6_addr psid_addr, nsid_addr, lsid_addr,
//! psid_msk, nsid_msk, lsid_msk; __u16 mt_flags, mt_invflags; }`, name
//! `srh`, revision 1, 112 bytes (XT_ALIGN of 108: the addresses are
//! 4-byte aligned, so they start at offset 8).
//!
//! The `-eq`/`-gt`/`-lt` variants of a field share its one byte: the last
//! one given sets the value for all of them. SID addresses are kept as
//! written (not masked); host names are resolved like libxtables does
//! (`getaddrinfo`, IPv6 only).

use std::net::Ipv6Addr;

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::matches::rt::ip6_text;
use crate::tables::ext::util::{rd_ipv6, rd_u16, rd_u8, wr, wr_u16, wr_u8};
use crate::tables::ext::xtables::{strtoul_wrapping, xt_uint_wrapping};
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

const OFF_TAG: usize = 4;
/// `struct in6_addr` is 4-byte aligned: two padding bytes follow the tag.
const OFF_PSID: usize = 8;
const OFF_NSID: usize = 24;
const OFF_LSID: usize = 40;
/// Masks follow the three addresses, in the same order.
const MASKS: usize = 48;
const OFF_FLAGS: usize = 104;
const OFF_INV: usize = 106;

/// What an option sets.
#[derive(Clone, Copy)]
enum Field {
    /// A byte at this offset, range 0-255.
    Byte(usize),
    /// The 16-bit tag.
    Tag,
    /// An address/mask pair, address at this offset.
    Sid(usize),
}

/// One option: name (without `srh-`), `-L` label, flag bit, field.
struct Item {
    opt: &'static str,
    label: &'static str,
    bit: u16,
    field: Field,
}

/// The options in print/save order (`IP6T_SRH_*` bits).
static ITEMS: &[Item] = &[
    Item {
        opt: "srh-next-hdr",
        label: "next-hdr",
        bit: 0x0001,
        field: Field::Byte(0),
    },
    Item {
        opt: "srh-hdr-len-eq",
        label: "hdr-len-eq",
        bit: 0x0002,
        field: Field::Byte(1),
    },
    Item {
        opt: "srh-hdr-len-gt",
        label: "hdr-len-gt",
        bit: 0x0004,
        field: Field::Byte(1),
    },
    Item {
        opt: "srh-hdr-len-lt",
        label: "hdr-len-lt",
        bit: 0x0008,
        field: Field::Byte(1),
    },
    Item {
        opt: "srh-segs-left-eq",
        label: "segs-left-eq",
        bit: 0x0010,
        field: Field::Byte(2),
    },
    Item {
        opt: "srh-segs-left-gt",
        label: "segs-left-gt",
        bit: 0x0020,
        field: Field::Byte(2),
    },
    Item {
        opt: "srh-segs-left-lt",
        label: "segs-left-lt",
        bit: 0x0040,
        field: Field::Byte(2),
    },
    Item {
        opt: "srh-last-entry-eq",
        label: "last-entry-eq",
        bit: 0x0080,
        field: Field::Byte(3),
    },
    Item {
        opt: "srh-last-entry-gt",
        label: "last-entry-gt",
        bit: 0x0100,
        field: Field::Byte(3),
    },
    Item {
        opt: "srh-last-entry-lt",
        label: "last-entry-lt",
        bit: 0x0200,
        field: Field::Byte(3),
    },
    Item {
        opt: "srh-tag",
        label: "tag",
        bit: 0x0400,
        field: Field::Tag,
    },
    Item {
        opt: "srh-psid",
        label: "psid",
        bit: 0x0800,
        field: Field::Sid(OFF_PSID),
    },
    Item {
        opt: "srh-nsid",
        label: "nsid",
        bit: 0x1000,
        field: Field::Sid(OFF_NSID),
    },
    Item {
        opt: "srh-lsid",
        label: "lsid",
        bit: 0x2000,
        field: Field::Sid(OFF_LSID),
    },
];

static OPTS: &[Opt] = &[
    Opt::req_inv("srh-next-hdr"),
    Opt::req_inv("srh-hdr-len-eq"),
    Opt::req_inv("srh-hdr-len-gt"),
    Opt::req_inv("srh-hdr-len-lt"),
    Opt::req_inv("srh-segs-left-eq"),
    Opt::req_inv("srh-segs-left-gt"),
    Opt::req_inv("srh-segs-left-lt"),
    Opt::req_inv("srh-last-entry-eq"),
    Opt::req_inv("srh-last-entry-gt"),
    Opt::req_inv("srh-last-entry-lt"),
    Opt::req_inv("srh-tag"),
    Opt::req_inv("srh-psid"),
    Opt::req_inv("srh-nsid"),
    Opt::req_inv("srh-lsid"),
];

/// `getaddrinfo(name, AF_INET6)` as libxtables does it (see
/// [`crate::tables::ext::xtables::gai_host`]).
fn resolve6(name: &str) -> XtResult<Ipv6Addr> {
    match crate::tables::ext::xtables::gai_host(Family::V6, name)? {
        std::net::IpAddr::V6(a) => Ok(a),
        std::net::IpAddr::V4(a) => Ok(a.to_ipv6_mapped()),
    }
}

/// `xtables_ip6mask_to_cidr`: the prefix length, or -1 when the mask has
/// holes.
fn mask_to_cidr(m: Ipv6Addr) -> i32 {
    let v = u128::from(m);
    let ones = v.leading_ones();
    if ones == 128 || v << ones == 0 {
        ones as i32
    } else {
        -1
    }
}

/// A prefix length as a mask (`xtopt_parse_plenmask`: anything above 128,
/// such as a mask with holes, gives all ones).
fn cidr_to_mask(len: u32) -> [u8; 16] {
    let v: u128 = match len {
        0 => 0,
        1..=127 => !(u128::MAX >> len),
        _ => u128::MAX,
    };
    v.to_be_bytes()
}

/// `ADDR[/LEN|/MASK]` (`XTTYPE_HOSTMASK`): the address and the mask.
fn parse_hostmask(opt: &str, s: &str) -> XtResult<(Ipv6Addr, [u8; 16])> {
    let (host, mask) = match s.split_once('/') {
        Some((h, m)) => (h, Some(m)),
        None => (s, None),
    };
    let addr = resolve6(host)?;
    let len = match mask {
        None => 128,
        Some(m) => match strtoul_wrapping(m) {
            Some((Some(v), "")) if v <= 128 => v as u32,
            _ => match m.parse::<Ipv6Addr>() {
                Ok(a) => (mask_to_cidr(a) as u8) as u32,
                Err(_) => {
                    return Err(XtError::param(format!(
                        "srh: bad value for option \"--{opt}\", neither a valid network mask \
                         nor valid CIDR (0-128).\n"
                    )))
                }
            },
        },
    };
    Ok((addr, cidr_to_mask(len)))
}

/// The `srh` match.
pub struct Srh;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Srh];

impl Extension for Srh {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "srh"
    }
    fn revision(&self) -> u32 {
        1
    }
    fn families(&self) -> Families {
        Families::V6
    }
    fn size(&self, _family: Family) -> usize {
        112
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
        let a = arg.unwrap_or("");
        let Some(item) = ITEMS.iter().find(|i| i.opt == opt) else {
            return Ok(());
        };
        match item.field {
            Field::Byte(off) => {
                let v = xt_uint_wrapping("srh", opt, a, 0, 255)?;
                wr_u8(&mut st.blob, off, v as u8);
            }
            Field::Tag => {
                let v = xt_uint_wrapping("srh", opt, a, 0, 65535)?;
                wr_u16(&mut st.blob, OFF_TAG, v as u16);
            }
            Field::Sid(off) => {
                let (addr, mask) = parse_hostmask(opt, a)?;
                wr(&mut st.blob, off, &addr.octets());
                wr(&mut st.blob, off + MASKS, &mask);
            }
        }
        let flags = rd_u16(&st.blob, OFF_FLAGS) | item.bit;
        wr_u16(&mut st.blob, OFF_FLAGS, flags);
        if invert {
            let inv = rd_u16(&st.blob, OFF_INV) | item.bit;
            wr_u16(&mut st.blob, OFF_INV, inv);
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let flags = rd_u16(blob, OFF_FLAGS);
        let inv = rd_u16(blob, OFF_INV);
        out.push_str(" srh");
        for item in ITEMS.iter().filter(|i| flags & i.bit != 0) {
            let bang = if inv & item.bit != 0 { "!" } else { "" };
            let label = item.label;
            match item.field {
                Field::Byte(off) => {
                    out.push_str(&format!(" {label}:{bang}{}", rd_u8(blob, off)));
                }
                Field::Tag => out.push_str(&format!(" {label}:{bang}{}", rd_u16(blob, OFF_TAG))),
                Field::Sid(off) => {
                    let addr = ip6_text(rd_ipv6(blob, off));
                    let len = mask_to_cidr(rd_ipv6(blob, off + MASKS)) as u32;
                    out.push_str(&format!(" {label} {bang} {addr}/{len}"));
                }
            }
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let flags = rd_u16(blob, OFF_FLAGS);
        let inv = rd_u16(blob, OFF_INV);
        for item in ITEMS.iter().filter(|i| flags & i.bit != 0) {
            if inv & item.bit != 0 {
                out.push_str(" !");
            }
            let opt = item.opt;
            match item.field {
                Field::Byte(off) => out.push_str(&format!(" --{opt} {}", rd_u8(blob, off))),
                Field::Tag => out.push_str(&format!(" --{opt} {}", rd_u16(blob, OFF_TAG))),
                Field::Sid(off) => {
                    let addr = ip6_text(rd_ipv6(blob, off));
                    let len = mask_to_cidr(rd_ipv6(blob, off + MASKS)) as u32;
                    out.push_str(&format!(" --{opt} {addr}/{len}"));
                }
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
            "-m srh --srh-next-hdr 17;=;OK
            -m srh --srh-hdr-len-eq 8;=;OK
            -m srh --srh-hdr-len-gt 8;=;OK
            -m srh --srh-hdr-len-lt 8;=;OK
            -m srh --srh-segs-left-eq 1;=;OK
            -m srh --srh-segs-left-gt 1;=;OK
            -m srh --srh-segs-left-lt 1;=;OK
            -m srh --srh-last-entry-eq 4;=;OK
            -m srh --srh-last-entry-gt 4;=;OK
            -m srh --srh-last-entry-lt 4;=;OK
            -m srh --srh-tag 0;=;OK
            -m srh ! --srh-next-hdr 17;=;OK
            -m srh ! --srh-hdr-len-eq 8;=;OK
            -m srh ! --srh-hdr-len-gt 8;=;OK
            -m srh ! --srh-hdr-len-lt 8;=;OK
            -m srh ! --srh-segs-left-eq 1;=;OK
            -m srh ! --srh-segs-left-gt 1;=;OK
            -m srh ! --srh-segs-left-lt 1;=;OK
            -m srh ! --srh-last-entry-eq 4;=;OK
            -m srh ! --srh-last-entry-gt 4;=;OK
            -m srh ! --srh-last-entry-lt 4;=;OK
            -m srh ! --srh-tag 0;=;OK
            -m srh --srh-next-hdr 17 --srh-segs-left-eq 1 --srh-last-entry-eq 4 --srh-tag 0;=;OK
            -m srh ! --srh-next-hdr 17 ! --srh-segs-left-eq 0 --srh-tag 0;=;OK
            -m srh --srh-psid a::/64 --srh-nsid b::/128 --srh-lsid c::/0;=;OK
            -m srh ! --srh-psid a::/64 ! --srh-nsid b::/128 ! --srh-lsid c::/0;=;OK
            -m srh;=;OK",
        );
    }

    #[test]
    fn prints() {
        for (arg, save, print) in [
            ("--srh-next-hdr 17", "--srh-next-hdr 17", " srh next-hdr:17"),
            (
                "! --srh-hdr-len-eq 8",
                "! --srh-hdr-len-eq 8",
                " srh hdr-len-eq:!8",
            ),
            ("! --srh-tag 0", "! --srh-tag 0", " srh tag:!0"),
            (
                "! --srh-next-hdr 17 ! --srh-segs-left-eq 0 --srh-tag 0",
                "! --srh-next-hdr 17 ! --srh-segs-left-eq 0 --srh-tag 0",
                " srh next-hdr:!17 segs-left-eq:!0 tag:0",
            ),
            (
                "--srh-psid a::/64 --srh-nsid b::/128 --srh-lsid c::/0",
                "--srh-psid a::/64 --srh-nsid b::/128 --srh-lsid c::/0",
                " srh psid  a::/64 nsid  b::/128 lsid  c::/0",
            ),
            (
                "! --srh-psid a::/64 ! --srh-nsid b::/128 ! --srh-lsid c::/0",
                "! --srh-psid a::/64 ! --srh-nsid b::/128 ! --srh-lsid c::/0",
                " srh psid ! a::/64 nsid ! b::/128 lsid ! c::/0",
            ),
            ("", "", " srh"),
            (
                "--srh-psid a::1",
                "--srh-psid a::1/128",
                " srh psid  a::1/128",
            ),
            (
                "--srh-psid a::1/ffff::",
                "--srh-psid a::1/16",
                " srh psid  a::1/16",
            ),
            (
                "--srh-psid a::/ffff:0::1",
                "--srh-psid a::/128",
                " srh psid  a::/128",
            ),
            ("--srh-psid ::/0", "--srh-psid ::/0", " srh psid  ::/0"),
            (
                "--srh-hdr-len-eq 1 --srh-hdr-len-gt 2 --srh-hdr-len-lt 3 --srh-segs-left-gt 1 \
                 --srh-last-entry-lt 2",
                "--srh-hdr-len-eq 3 --srh-hdr-len-gt 3 --srh-hdr-len-lt 3 --srh-segs-left-gt 1 \
                 --srh-last-entry-lt 2",
                " srh hdr-len-eq:3 hdr-len-gt:3 hdr-len-lt:3 segs-left-gt:1 last-entry-lt:2",
            ),
        ] {
            let rule = format!("-m srh {arg}");
            let p = run_line(Family::V6, &rule).unwrap();
            assert_eq!(
                p.save.trim_end(),
                format!(" -m srh {save}").trim_end(),
                "{rule}"
            );
            assert_eq!(p.print, print, "{rule}");
            assert_eq!(p.print_numeric, print, "{rule}");
        }
    }

    #[test]
    fn errors() {
        let cidr = |o: &str| {
            format!(
                "srh: bad value for option \"--{o}\", neither a valid network mask nor valid \
                 CIDR (0-128).\n"
            )
        };
        for (arg, msg) in [
            ("--srh-psid a::/129", cidr("srh-psid")),
            ("--srh-nsid a::/", cidr("srh-nsid")),
            ("--srh-lsid a::/x", cidr("srh-lsid")),
            (
                "--srh-psid 1.2.3.4",
                "getaddrinfo: Address family for hostname not supported\n".to_string(),
            ),
            (
                "--srh-next-hdr 256",
                "srh: bad value for option \"--srh-next-hdr\", or out of range (0-255).\n"
                    .to_string(),
            ),
            (
                "--srh-tag 65536",
                "srh: bad value for option \"--srh-tag\", or out of range (0-65535).\n".to_string(),
            ),
            (
                "--srh-tag -1",
                "srh: bad value for option \"--srh-tag\", or out of range (0-65535).\n".to_string(),
            ),
        ] {
            let rule = format!("-m srh {arg}");
            assert_eq!(run_line(Family::V6, &rule).unwrap_err().msg, msg, "{rule}");
        }
    }

    #[test]
    fn blob_bytes() {
        // ip6tables -vvv -A INPUT -m srh --srh-next-hdr 17 --srh-tag 0x1234
        //   --srh-psid a::/64 --srh-lsid c::1 ! --srh-nsid b::2/48
        let p = run_line(
            Family::V6,
            "-m srh --srh-next-hdr 17 --srh-tag 0x1234 --srh-psid a::/64 --srh-lsid c::1 \
             ! --srh-nsid b::2/48",
        )
        .unwrap();
        let hex = "11000000 34120000 000a0000 00000000 00000000 00000000 \
                   000b0000 00000000 00000000 00000002 000c0000 00000000 00000000 00000001 \
                   ffffffff ffffffff 00000000 00000000 ffffffff ffff0000 00000000 00000000 \
                   ffffffff ffffffff ffffffff ffffffff 013c0010 00000000";
        let digits: Vec<u8> = hex
            .bytes()
            .filter(u8::is_ascii_hexdigit)
            .map(|c| (c as char).to_digit(16).unwrap_or(0) as u8)
            .collect();
        let want: Vec<u8> = digits.chunks(2).map(|c| c[0] << 4 | c[1]).collect();
        assert_eq!(want.len(), 112);
        assert_eq!(p.blob, want);
        assert_eq!(
            p.print,
            " srh next-hdr:17 tag:4660 psid  a::/64 nsid ! b::2/48 lsid  c::1/128"
        );
    }

    #[test]
    fn masks() {
        assert_eq!(mask_to_cidr("ffff::".parse().unwrap()), 16);
        assert_eq!(mask_to_cidr("::".parse().unwrap()), 0);
        assert_eq!(mask_to_cidr(Ipv6Addr::from(u128::MAX)), 128);
        assert_eq!(mask_to_cidr("ffff::1".parse().unwrap()), -1);
        assert_eq!(cidr_to_mask(1)[0], 0x80);
        assert_eq!(cidr_to_mask(255), [0xff; 16]);
    }
}
