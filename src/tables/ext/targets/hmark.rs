//! `HMARK` target: sets the packet mark from a hash of chosen packet
//! fields (`struct xt_hmark_info { union nf_inet_addr src_mask, dst_mask;
//! union hmark_ports port_mask, port_set; __u32 flags; __u16 proto_mask;
//! __u32 hashrnd, hmodulus, hoffset; }`, revision 0, 64 bytes; ports and
//! SPI values are big-endian).
//!
//! `--hmark-tuple` also counts as giving the options it implies (a later
//! `--hmark-src-prefix` after `--hmark-tuple src` is "used once" too), as
//! in iptables.

use std::net::Ipv4Addr;

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{
    parse_uint, rd_be16, rd_be32, rd_u16, rd_u32, rd_u8, wr, wr_be16, wr_be32, wr_u16, wr_u32,
};
use crate::tables::ext::xtables::{inet_aton_with, mask_prefix, parse_plenmask_with, xt_uint};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SRC_MASK: usize = 0;
const DST_MASK: usize = 16;
const PORT_MASK: usize = 32;
const PORT_SET: usize = 36;
const FLAGS: usize = 40;
const PROTO_MASK: usize = 44;
const HASHRND: usize = 48;
const HMODULUS: usize = 52;
const HOFFSET: usize = 56;

/// `XT_HMARK_*` flag bits.
const F_SADDR_MASK: u32 = 1 << 0;
const F_DADDR_MASK: u32 = 1 << 1;
const F_SPI: u32 = 1 << 2;
const F_SPI_MASK: u32 = 1 << 3;
const F_SPORT: u32 = 1 << 4;
const F_DPORT: u32 = 1 << 5;
const F_SPORT_MASK: u32 = 1 << 6;
const F_DPORT_MASK: u32 = 1 << 7;
const F_PROTO_MASK: u32 = 1 << 8;
const F_RND: u32 = 1 << 9;
const F_MODULUS: u32 = 1 << 10;
const F_OFFSET: u32 = 1 << 11;
const F_CT: u32 = 1 << 12;
/// The flags that say what is hashed.
const F_TUPLE: u32 = 0x1ff | F_CT;

/// The `HMARK` target.
pub struct Hmark;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Hmark];

static OPTS: &[Opt] = &[
    Opt::req("hmark-tuple"),
    Opt::req("hmark-mod"),
    Opt::req("hmark-offset"),
    Opt::req("hmark-src-prefix"),
    Opt::req("hmark-dst-prefix"),
    Opt::req("hmark-sport-mask"),
    Opt::req("hmark-dport-mask"),
    Opt::req("hmark-spi-mask"),
    Opt::req("hmark-sport"),
    Opt::req("hmark-dport"),
    Opt::req("hmark-spi"),
    Opt::req("hmark-proto-mask"),
    Opt::req("hmark-rnd"),
];

/// The position of option `name` in [`OPTS`] as a `seen` bit.
fn seen_bit(name: &str) -> u64 {
    OPTS.iter()
        .position(|o| o.name == name)
        .map_or(0, |i| 1 << i)
}

/// `inet_aton` with [`parse_uint`] parts (no leading blank or sign).
fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    inet_aton_with(s, |p| {
        if p.is_empty() || p.starts_with(['+', '-', ' ']) {
            return None;
        }
        parse_uint(p, 0, u64::MAX)
    })
}

/// `XTTYPE_PLENMASK`: a prefix length or a mask; a mask that is not a
/// prefix selects the whole address, as iptables does.
fn parse_plenmask(family: Family, opt: &str, arg: &str) -> XtResult<[u8; 16]> {
    parse_plenmask_with("HMARK", opt, family, arg, inet_aton)
}

/// Tuple type names, in iptables' lookup order.
static TYPES: &[&str] = &["src", "dst", "sport", "dport", "spi", "proto", "ct"];

/// One `--hmark-tuple` word: a case-insensitive prefix of a type name.
fn tuple_type(word: &str) -> Option<&'static str> {
    if word.is_empty() {
        return None;
    }
    TYPES.iter().copied().find(|t| {
        t.len() >= word.len()
            && t.get(..word.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(word))
    })
}

impl Hmark {
    /// Applies one tuple type to the blob and the seen options.
    fn apply_type(&self, ty: &str, st: &mut State) {
        let b = &mut st.blob;
        let mut flags = rd_u32(b, FLAGS);
        match ty {
            "src" => {
                wr(b, SRC_MASK, &[0xff; 16]);
                flags |= F_SADDR_MASK;
                st.seen |= seen_bit("hmark-src-prefix");
            }
            "dst" => {
                wr(b, DST_MASK, &[0xff; 16]);
                flags |= F_DADDR_MASK;
                st.seen |= seen_bit("hmark-dst-prefix");
            }
            "sport" => {
                wr_be16(b, PORT_MASK, 0xffff);
                flags |= F_SPORT_MASK;
                st.seen |= seen_bit("hmark-sport-mask");
            }
            "dport" => {
                wr_be16(b, PORT_MASK + 2, 0xffff);
                flags |= F_DPORT_MASK;
                st.seen |= seen_bit("hmark-dport-mask");
            }
            "spi" => {
                wr_be32(b, PORT_MASK, u32::MAX);
                flags |= F_SPI_MASK;
                st.seen |= seen_bit("hmark-spi-mask");
            }
            "proto" => {
                wr_u16(b, PROTO_MASK, 0xffff);
                flags |= F_PROTO_MASK;
                st.seen |= seen_bit("hmark-proto-mask");
            }
            _ => flags |= F_CT,
        }
        wr_u32(&mut st.blob, FLAGS, flags);
    }
}

impl Extension for Hmark {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "HMARK"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        64
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        const N: &str = "HMARK";
        let argv = arg.unwrap_or("");
        let u32opt = |a| xt_uint(N, opt, a, 0, u32::MAX as u64).map(|v| v as u32);
        let u16opt = |a| xt_uint(N, opt, a, 0, 0xffff).map(|v| v as u16);
        let flag = match opt {
            "hmark-tuple" => {
                let mut rest = argv;
                while let Some((word, after)) = rest.split_once(',') {
                    let ty = tuple_type(word)
                        .ok_or_else(|| XtError::param(format!("Bad type \"{rest}\"")))?;
                    self.apply_type(ty, st);
                    rest = after;
                }
                if rest.is_empty() {
                    return Err(XtError::param(
                        "\"--hmark-tuple\" requires a list of types with no spaces, e.g. src,dst,sport,dport,proto",
                    ));
                }
                let ty = tuple_type(rest)
                    .ok_or_else(|| XtError::param(format!("Bad type \"{rest}\"")))?;
                self.apply_type(ty, st);
                0
            }
            "hmark-mod" => {
                wr_u32(&mut st.blob, HMODULUS, u32opt(arg)?);
                F_MODULUS
            }
            "hmark-offset" => {
                wr_u32(&mut st.blob, HOFFSET, u32opt(arg)?);
                F_OFFSET
            }
            "hmark-src-prefix" | "hmark-dst-prefix" => {
                let m = parse_plenmask(ctx.family, opt, argv)?;
                if opt == "hmark-src-prefix" {
                    wr(&mut st.blob, SRC_MASK, &m);
                    F_SADDR_MASK
                } else {
                    wr(&mut st.blob, DST_MASK, &m);
                    F_DADDR_MASK
                }
            }
            "hmark-sport-mask" => {
                wr_be16(&mut st.blob, PORT_MASK, u16opt(arg)?);
                F_SPORT_MASK
            }
            "hmark-dport-mask" => {
                wr_be16(&mut st.blob, PORT_MASK + 2, u16opt(arg)?);
                F_DPORT_MASK
            }
            "hmark-spi-mask" => {
                wr_be32(&mut st.blob, PORT_MASK, u32opt(arg)?);
                F_SPI_MASK
            }
            "hmark-sport" => {
                wr_be16(&mut st.blob, PORT_SET, u16opt(arg)?);
                F_SPORT
            }
            "hmark-dport" => {
                wr_be16(&mut st.blob, PORT_SET + 2, u16opt(arg)?);
                F_DPORT
            }
            "hmark-spi" => {
                wr_be32(&mut st.blob, PORT_SET, u32opt(arg)?);
                F_SPI
            }
            "hmark-proto-mask" => {
                wr_u16(&mut st.blob, PROTO_MASK, u16opt(arg)?);
                F_PROTO_MASK
            }
            _ => {
                wr_u32(&mut st.blob, HASHRND, u32opt(arg)?);
                F_RND
            }
        };
        let f = rd_u32(&st.blob, FLAGS) | flag;
        wr_u32(&mut st.blob, FLAGS, f);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        let flags = rd_u32(&st.blob, FLAGS);
        if flags & F_MODULUS == 0 {
            return Err(XtError::param("--hmark-mod is mandatory"));
        }
        if flags & F_RND == 0 {
            return Err(XtError::param("--hmark-rnd is mandatory"));
        }
        if flags & F_SPI_MASK != 0 && flags & (F_SPORT_MASK | F_DPORT_MASK) != 0 {
            return Err(XtError::param(
                "you cannot use --hmark-spi-mask and --hmark-?port-mask,at the same time",
            ));
        }
        if flags & F_TUPLE == 0 {
            return Err(XtError::param("you have to specify --hmark-tuple at least"));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let f = rd_u32(blob, FLAGS);
        out.push_str(" HMARK ");
        if f & F_MODULUS != 0 {
            out.push_str(&format!("mod {} ", rd_u32(blob, HMODULUS)));
        }
        if f & F_OFFSET != 0 {
            out.push_str(&format!("+ 0x{:x} ", rd_u32(blob, HOFFSET)));
        }
        if f & F_CT != 0 {
            out.push_str("ct, ");
        }
        for (bit, off, name) in [
            (F_SADDR_MASK, SRC_MASK, "src-prefix"),
            (F_DADDR_MASK, DST_MASK, "dst-prefix"),
        ] {
            if f & bit != 0 {
                let p = prefix(ctx.family, blob, off);
                // ip6tables prints nothing for a full /128 mask.
                let text = if ctx.family == Family::V6 && p == 128 {
                    String::new()
                } else {
                    p.to_string()
                };
                out.push_str(&format!("{name} {text} "));
            }
        }
        for (bit, text) in fields(blob) {
            if f & bit != 0 {
                out.push_str(&format!("{} 0x{:x} ", text.0, text.1));
            }
        }
        if f & F_RND != 0 {
            out.push_str(&format!("rnd 0x{:x} ", rd_u32(blob, HASHRND)));
        }
    }
    fn save(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let f = rd_u32(blob, FLAGS);
        if f & F_SADDR_MASK != 0 {
            out.push_str(&format!(
                " --hmark-src-prefix {}",
                prefix(ctx.family, blob, SRC_MASK)
            ));
        }
        if f & F_DADDR_MASK != 0 {
            out.push_str(&format!(
                " --hmark-dst-prefix {}",
                prefix(ctx.family, blob, DST_MASK)
            ));
        }
        for (bit, (name, v)) in fields(blob) {
            if f & bit != 0 {
                let w = match name {
                    "proto-mask" => 2,
                    n if n.starts_with("spi") => 8,
                    _ => 4,
                };
                out.push_str(&format!(" --hmark-{name} 0x{v:0w$x}"));
            }
        }
        if f & F_RND != 0 {
            out.push_str(&format!(" --hmark-rnd 0x{:08x}", rd_u32(blob, HASHRND)));
        }
        if f & F_MODULUS != 0 {
            out.push_str(&format!(" --hmark-mod {}", rd_u32(blob, HMODULUS)));
        }
        if f & F_OFFSET != 0 {
            out.push_str(&format!(" --hmark-offset {}", rd_u32(blob, HOFFSET)));
        }
        if f & F_CT != 0 {
            out.push_str(" --hmark-tuple ct");
        }
    }
}

/// The prefix length of the mask at `off` (IPv4 looks at 4 bytes).
fn prefix(family: Family, blob: &[u8], off: usize) -> u32 {
    let n = if family == Family::V6 { 16 } else { 4 };
    let m: Vec<u8> = (0..n).map(|i| rd_u8(blob, off + i)).collect();
    mask_prefix(&m).unwrap_or_else(|| m.iter().map(|b| b.leading_ones()).sum())
}

/// The port/SPI/proto fields in print and save order, with their flags.
fn fields(blob: &[u8]) -> [(u32, (&'static str, u32)); 7] {
    [
        (
            F_SPORT_MASK,
            ("sport-mask", u32::from(rd_be16(blob, PORT_MASK))),
        ),
        (
            F_DPORT_MASK,
            ("dport-mask", u32::from(rd_be16(blob, PORT_MASK + 2))),
        ),
        (F_SPI_MASK, ("spi-mask", rd_be32(blob, PORT_MASK))),
        (F_SPORT, ("sport", u32::from(rd_be16(blob, PORT_SET)))),
        (F_DPORT, ("dport", u32::from(rd_be16(blob, PORT_SET + 2)))),
        (F_SPI, ("spi", rd_be32(blob, PORT_SET))),
        (
            F_PROTO_MASK,
            ("proto-mask", u32::from(rd_u16(blob, PROTO_MASK))),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn t(args: &str) -> XtResult<Parsed> {
        t6(Family::V4, args)
    }

    fn t6(f: Family, args: &str) -> XtResult<Parsed> {
        let a: Vec<&str> = args.split(' ').filter(|s| !s.is_empty()).collect();
        run(Kind::Target, "HMARK", f, 0, "filter", "INPUT", &a)
    }

    #[test]
    fn corpus() {
        for args in [
            "--hmark-src-prefix 32 --hmark-rnd 0x00000004 --hmark-mod 42",
            "--hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-sport-mask 0xffff --hmark-dport-mask 0xffff --hmark-proto-mask 0xffff --hmark-rnd 0x00000004 --hmark-mod 42 --hmark-offset 1 --hmark-tuple ct",
            "--hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-spi-mask 0x00000004 --hmark-proto-mask 0xffff --hmark-rnd 0x00000004 --hmark-mod 42 --hmark-offset 1 --hmark-tuple ct",
            "--hmark-src-prefix 1 --hmark-dst-prefix 2 --hmark-sport-mask 0x0003 --hmark-dport-mask 0x0004 --hmark-proto-mask 0x05 --hmark-rnd 0x00000004 --hmark-mod 42 --hmark-offset 1 --hmark-tuple ct",
        ] {
            assert_eq!(t(args).unwrap().save, format!(" -j HMARK {args}"));
        }
        assert!(t("").is_err());
        assert!(t("--hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-sport-mask 0xffff --hmark-dport-mask 0xffff --hmark-proto-mask 0xffff --hmark-rnd 0x00000004 --hmark-mod 42 --hmark-offset 1 --hmark-tuple ct --hmark-spi-mask 4").is_err());
    }

    #[test]
    fn observed_print_and_blob() {
        let p = t("--hmark-src-prefix 32 --hmark-rnd 0x00000004 --hmark-mod 42").unwrap();
        assert_eq!(p.print, " HMARK mod 42 src-prefix 32 rnd 0x4 ");
        let mut want = vec![0u8; 64];
        want[..4].copy_from_slice(&[0xff; 4]);
        want[40..42].copy_from_slice(&[0x01, 0x06]);
        want[48] = 4;
        want[52] = 42;
        assert_eq!(p.blob, want);
        let p = t("--hmark-src-prefix 1 --hmark-dst-prefix 2 --hmark-sport-mask 0x0003 --hmark-dport-mask 0x0004 --hmark-proto-mask 0x05 --hmark-rnd 0x00000004 --hmark-mod 42 --hmark-offset 1 --hmark-tuple ct").unwrap();
        assert_eq!(p.print, " HMARK mod 42 + 0x1 ct, src-prefix 1 dst-prefix 2 sport-mask 0x3 dport-mask 0x4 proto-mask 0x5 rnd 0x4 ");
        assert_eq!(p.blob[..1], [0x80]);
        assert_eq!(p.blob[16..17], [0xc0]);
        assert_eq!(
            p.blob[32..48],
            [0, 3, 0, 4, 0, 0, 0, 0, 0xc3, 0x1f, 0, 0, 5, 0, 0, 0]
        );
        let p = t("--hmark-sport 1 --hmark-dport 2 --hmark-spi-mask 7 --hmark-rnd 1 --hmark-mod 5")
            .unwrap();
        assert_eq!(p.save, " -j HMARK --hmark-spi-mask 0x00000007 --hmark-sport 0x0001 --hmark-dport 0x0002 --hmark-rnd 0x00000001 --hmark-mod 5");
        assert_eq!(
            p.print,
            " HMARK mod 5 spi-mask 0x7 sport 0x1 dport 0x2 rnd 0x1 "
        );
        assert_eq!(p.blob[32..42], [0, 0, 0, 7, 0, 1, 0, 2, 0x38, 0x06]);
        let p = t("--hmark-spi 3 --hmark-spi-mask 7 --hmark-rnd 1 --hmark-mod 5").unwrap();
        assert_eq!(p.save, " -j HMARK --hmark-spi-mask 0x00000007 --hmark-spi 0x00000003 --hmark-rnd 0x00000001 --hmark-mod 5");
        let p = t("--hmark-tuple src,dst,sport,dport,proto --hmark-rnd 1 --hmark-mod 5").unwrap();
        assert_eq!(p.save, " -j HMARK --hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-sport-mask 0xffff --hmark-dport-mask 0xffff --hmark-proto-mask 0xffff --hmark-rnd 0x00000001 --hmark-mod 5");
        assert_eq!(p.blob[..36], [0xff; 36]);
        let p = t("--hmark-tuple ct --hmark-rnd 1 --hmark-mod 5").unwrap();
        assert_eq!(
            p.save,
            " -j HMARK --hmark-rnd 0x00000001 --hmark-mod 5 --hmark-tuple ct"
        );
        assert_eq!(p.print, " HMARK mod 5 ct, rnd 0x1 ");
        assert_eq!(
            t("--hmark-tuple SRC --hmark-rnd 1 --hmark-mod 5")
                .unwrap()
                .save,
            " -j HMARK --hmark-src-prefix 32 --hmark-rnd 0x00000001 --hmark-mod 5"
        );
        assert_eq!(
            t("--hmark-tuple sr --hmark-rnd 1 --hmark-mod 5")
                .unwrap()
                .blob[..16],
            [0xff; 16]
        );
        for (arg, save, full) in [
            ("33", 32, true),
            ("129", 32, true),
            ("24", 24, false),
            ("255.255.0.0", 16, false),
            ("255.0.255.0", 32, true),
            ("0x10", 16, false),
            ("0", 0, false),
        ] {
            let p = t(&format!(
                "--hmark-src-prefix {arg} --hmark-rnd 1 --hmark-mod 5"
            ))
            .unwrap();
            assert_eq!(
                p.save,
                format!(" -j HMARK --hmark-src-prefix {save} --hmark-rnd 0x00000001 --hmark-mod 5"),
                "{arg}"
            );
            assert_eq!(p.blob[4] == 0xff, full, "{arg}");
        }
        for (arg, save, print) in [
            ("64", "64", "64"),
            ("128", "128", ""),
            ("ffff:ffff::", "32", "32"),
        ] {
            let p = t6(
                Family::V6,
                &format!("--hmark-src-prefix {arg} --hmark-rnd 1 --hmark-mod 5"),
            )
            .unwrap();
            assert_eq!(
                p.save,
                format!(" -j HMARK --hmark-src-prefix {save} --hmark-rnd 0x00000001 --hmark-mod 5")
            );
            assert_eq!(p.print, format!(" HMARK mod 5 src-prefix {print} rnd 0x1 "));
        }
    }

    #[test]
    fn errors() {
        let r = "--hmark-rnd 1 --hmark-mod 5";
        for (args, msg) in [
            ("".to_string(), "--hmark-mod is mandatory"),
            ("--hmark-rnd 1".to_string(), "--hmark-mod is mandatory"),
            ("--hmark-mod 1".to_string(), "--hmark-rnd is mandatory"),
            (r.to_string(), "you have to specify --hmark-tuple at least"),
            (format!("--hmark-offset 3 {r}"), "you have to specify --hmark-tuple at least"),
            (format!("--hmark-tuple spi,sport {r}"), "you cannot use --hmark-spi-mask and --hmark-?port-mask,at the same time"),
            (format!("--hmark-tuple foo {r}"), "Bad type \"foo\""),
            (format!("--hmark-tuple src,,dst {r}"), "Bad type \",dst\""),
            (format!("--hmark-tuple src,foo,dst {r}"), "Bad type \"foo,dst\""),
            (format!("--hmark-tuple srcx {r}"), "Bad type \"srcx\""),
            (format!("--hmark-tuple src, {r}"), "\"--hmark-tuple\" requires a list of types with no spaces, e.g. src,dst,sport,dport,proto"),
            (format!("--hmark-src-prefix foo {r}"), "HMARK: bad value for option \"--hmark-src-prefix\", neither a valid network mask nor valid CIDR (0-32).\n"),
            (format!("--hmark-sport 65536 {r}"), "HMARK: bad value for option \"--hmark-sport\", or out of range (0-65535).\n"),
        ] {
            assert_eq!(t(&args).unwrap_err().msg, msg, "{args}");
        }
        assert_eq!(
            t6(Family::V6, &format!("--hmark-src-prefix 129 {r}")).unwrap_err().msg,
            "HMARK: bad value for option \"--hmark-src-prefix\", neither a valid network mask nor valid CIDR (0-128).\n"
        );
        // --hmark-tuple dst counts as --hmark-dst-prefix.
        assert!(t(&format!("--hmark-tuple dst --hmark-dst-prefix 8 {r}")).is_err());
        assert_eq!(
            t(&format!("--hmark-dst-prefix 8 --hmark-tuple dst {r}"))
                .unwrap()
                .save,
            " -j HMARK --hmark-dst-prefix 32 --hmark-rnd 0x00000001 --hmark-mod 5"
        );
    }
}
