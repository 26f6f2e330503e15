//! `udp` match: UDP source/destination ports (`struct xt_udp { __u16
//! spts[2], dpts[2]; __u8 invflags; }`, host order), compat rev 0, 16 bytes.
//!
//! iptables-nft 1.8.9 encodes it natively (transport-header payload loads
//! with `cmp`/`range`, see [`super::tcp::port_exprs`]); only a match without
//! any port (`-p udp -m udp`) stays compat.
//!
//! Unlike tcp, udp parses ports with libxtables' `XTTYPE_PORTRC`, which
//! resolves through `getaddrinfo`: numbers are decimal and wrap modulo
//! 65536, `LO:HI` is not ordered-checked, and errors differ.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::{Expr, Family};
use crate::tables::ext::matches::tcp::{decode_th, port_exprs, INV_DSTPT, INV_SRCPT};
use crate::tables::ext::util::{rd_u8, service_port, wr_u8};
use crate::tables::ext::xtables::{err_once, print_ports, rd_ports, save_ports, wr_ports};
use crate::tables::ext::{Ctx, Ext, Extension, Field, Kind, Opt, PrintCtx, State};

/// `sizeof(struct xt_udp)` aligned.
const SIZE: usize = 16;
const SPTS: usize = 0;
const DPTS: usize = 4;
const INVFLAGS: usize = 8;
/// `XT_UDP_INV_MASK`
const INV_MASK: u8 = 0x03;

/// The `udp` match.
pub struct Udp;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Udp];

static OPTS: &[Opt] = &[
    Opt::req_inv("source-port").multi(),
    Opt::req_inv("sport").multi(),
    Opt::req_inv("destination-port").multi(),
    Opt::req_inv("dport").multi(),
];

/// `xtables_getportbyname`: what `getaddrinfo(NULL, s, NULL, ...)` makes of
/// a service string. glibc reads it with `strtoul(s, &end, 10)` into an
/// `int`: a full number that is non-negative as an `int` is taken modulo
/// 65536; anything else is looked up as a service name (tcp, then udp).
pub(crate) fn getportbyname(s: &str) -> Option<u16> {
    let t = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
        let mut v: u64 = 0;
        for c in digits.bytes() {
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(c - b'0')))
                .unwrap_or(u64::MAX);
        }
        if neg {
            v = v.wrapping_neg();
        }
        let num = v as u32 as i32;
        if num >= 0 {
            return Some(num as u16);
        }
    }
    service_port(s, "tcp").or_else(|| service_port(s, "udp"))
}

/// `XTTYPE_PORTRC` for option `--NAME` of extension `ext`: `PORT`,
/// `LO:HI`, `LO:`, `:HI`, `:` (empty parts keep `0` / `65535`).
pub(crate) fn parse_portrc(ext: &str, name: &str, arg: &str) -> XtResult<[u16; 2]> {
    let mut r = [0u16, 0xffff];
    let mut n = 0usize;
    for part in arg.split(':') {
        if n == 2 {
            return Err(XtError::param(format!(
                "{ext}: Too many components for option \"--{name}\" (max: 2)\n"
            )));
        }
        if !part.is_empty() {
            let p = getportbyname(part).ok_or_else(|| {
                XtError::param(format!("Port \"{part}\" does not resolve to anything.\n"))
            })?;
            r[n] = p;
        }
        n += 1;
    }
    if n == 1 {
        r[1] = r[0];
    }
    Ok(r)
}

impl Extension for Udp {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "udp"
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
        wr_ports(&mut st.blob, SPTS, [0, 0xffff]);
        wr_ports(&mut st.blob, DPTS, [0, 0xffff]);
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        // libxtables names an option by the first table entry with its id.
        let (canon, bit, off, inv) = match opt {
            "source-port" | "sport" => ("source-port", 1, SPTS, INV_SRCPT),
            _ => ("destination-port", 2, DPTS, INV_DSTPT),
        };
        if st.flags & bit != 0 {
            return Err(err_once("udp", canon));
        }
        let p = parse_portrc("udp", canon, arg.unwrap_or(""))?;
        st.flags |= bit;
        wr_ports(&mut st.blob, off, p);
        if invert {
            let v = rd_u8(&st.blob, INVFLAGS) | inv;
            wr_u8(&mut st.blob, INVFLAGS, v);
        }
        Ok(())
    }
    /// Needs the rule's final `-p` (checked after the whole command line).
    fn final_check(&self, ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        // Without options iptables sends the compat match and lets the
        // kernel refuse it.
        if ctx.proto != 17 && st.seen != 0 {
            return Err(XtError::param("UDP match requires '-p udp'"));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let inv = rd_u8(blob, INVFLAGS);
        out.push_str(" udp");
        print_ports(
            "spt",
            rd_ports(blob, SPTS),
            inv & INV_SRCPT != 0,
            "udp",
            ctx.numeric,
            out,
        );
        print_ports(
            "dpt",
            rd_ports(blob, DPTS),
            inv & INV_DSTPT != 0,
            "udp",
            ctx.numeric,
            out,
        );
        if inv & !INV_MASK != 0 {
            out.push_str(&format!(" Unknown invflags: 0x{:X}", inv & !INV_MASK));
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let inv = rd_u8(blob, INVFLAGS);
        save_ports("sport", rd_ports(blob, SPTS), inv & INV_SRCPT != 0, out);
        save_ports("dport", rd_ports(blob, DPTS), inv & INV_DSTPT != 0, out);
    }
    fn native(&self, _ctx: &Ctx<'_>, blob: &[u8]) -> Option<Vec<Expr>> {
        let inv = rd_u8(blob, INVFLAGS);
        let (spts, dpts) = (rd_ports(blob, SPTS), rd_ports(blob, DPTS));
        if inv > INV_MASK || (spts == [0, 0xffff] && dpts == [0, 0xffff] && inv == 0) {
            return None;
        }
        Some(port_exprs(
            spts,
            inv & INV_SRCPT != 0,
            dpts,
            inv & INV_DSTPT != 0,
        ))
    }
    fn decode_native(&self, _family: Family, fields: &[Field]) -> Option<Vec<u8>> {
        let th = decode_th(fields, false)?;
        let mut b = vec![0u8; SIZE];
        wr_ports(&mut b, SPTS, th.spts);
        wr_ports(&mut b, DPTS, th.dpts);
        wr_u8(&mut b, INVFLAGS, th.invflags);
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::expr::{base, cmp, range, REG_1};
    use crate::tables::ext::testing::{run, Parsed};
    use crate::tables::ext::Load;

    fn run_udp(proto: u8, args: &[&str]) -> XtResult<Parsed> {
        run(
            Kind::Match,
            "udp",
            Family::V4,
            proto,
            "filter",
            "INPUT",
            args,
        )
    }

    fn ctx() -> Ctx<'static> {
        Ctx {
            family: Family::V4,
            proto: 17,
            proto_invert: false,
            table: "filter",
            chain: "INPUT",
        }
    }

    /// Corpus `libxt_udp.t`.
    static CORPUS: &[(&str, Option<&str>)] = &[
        ("--sport 1", Some("=")),
        ("--sport 65535", Some("=")),
        ("--dport 1", Some("=")),
        ("--dport 65535", Some("=")),
        ("--sport 1:1023", Some("=")),
        ("--sport 1024:65535", Some("=")),
        ("--sport 1024:", Some("--sport 1024:65535")),
        ("! --sport 1", Some("=")),
        ("! --sport 65535", Some("=")),
        ("! --dport 1", Some("=")),
        ("! --dport 65535", Some("=")),
        ("--sport 1 --dport 65535", Some("=")),
        ("--sport 65535 --dport 1", Some("=")),
        ("! --sport 1 --dport 65535", Some("=")),
        ("! --sport 65535 --dport 1", Some("=")),
        ("--sport -1", None),
        ("--dport -1", None),
        ("", Some("=")),
    ];

    fn fields(ex: &[Expr]) -> Vec<Field> {
        let mut out = Vec::new();
        let mut load = None;
        for e in ex {
            match e {
                Expr::Payload {
                    base, offset, len, ..
                } => {
                    load = Some(Load::Payload {
                        base: *base,
                        offset: *offset,
                        len: *len,
                    })
                }
                Expr::Cmp { op, data, .. } => out.push(Field::Cmp {
                    load: load.take().unwrap(),
                    mask: None,
                    op: *op,
                    data: data.clone(),
                }),
                Expr::Range { op, from, to, .. } => out.push(Field::Range {
                    load: load.take().unwrap(),
                    op: *op,
                    from: from.clone(),
                    to: to.clone(),
                }),
                _ => panic!("unexpected {e:?}"),
            }
        }
        out
    }

    #[test]
    fn corpus() {
        for (args, want) in CORPUS {
            let words: Vec<&str> = args.split_whitespace().collect();
            let r = run_udp(17, &words);
            match want {
                None => assert!(r.is_err(), "{args} should fail"),
                Some(w) => {
                    let p = r.unwrap_or_else(|e| panic!("{args}: {e:?}"));
                    let w = if *w == "=" { *args } else { *w };
                    let exp = if w.is_empty() {
                        " -m udp".to_string()
                    } else {
                        format!(" -m udp {w}")
                    };
                    assert_eq!(p.save, exp, "{args}");
                    if let Some(ex) = Udp.native(&ctx(), &p.blob) {
                        assert_eq!(
                            Udp.decode_native(Family::V4, &fields(&ex)),
                            Some(p.blob.clone()),
                            "{args}"
                        );
                    }
                }
            }
        }
        assert_eq!(
            run_udp(0, &["--dport", "1"]).unwrap_err(),
            XtError::param("UDP match requires '-p udp'")
        );
    }

    #[test]
    fn native_encodings() {
        let n = |args: &[&str]| Udp.native(&ctx(), &run_udp(17, args).unwrap().blob);
        let pl = |offset, len| Expr::Payload {
            base: base::TRANSPORT,
            offset,
            len,
            dreg: REG_1,
        };
        // Fact sheet #8: `--sport 53 --dport 1024:65535`.
        assert_eq!(
            n(&["--sport", "53", "--dport", "1024:65535"]),
            Some(vec![
                pl(0, 2),
                Expr::Cmp {
                    sreg: REG_1,
                    op: cmp::EQ,
                    data: vec![0, 53]
                },
                pl(2, 2),
                Expr::Range {
                    sreg: REG_1,
                    op: range::EQ,
                    from: vec![4, 0],
                    to: vec![0xff, 0xff]
                },
            ])
        );
        assert_eq!(n(&[]), None);
        assert_eq!(n(&["--sport", ":"]), None);
        assert_eq!(n(&["!", "--sport", ":"]), Some(vec![]));
        // Unordered range is kept as is.
        assert_eq!(
            n(&["--sport", "5:3"]),
            Some(vec![
                pl(0, 2),
                Expr::Range {
                    sreg: REG_1,
                    op: range::EQ,
                    from: vec![0, 5],
                    to: vec![0, 3]
                }
            ])
        );
    }

    #[test]
    fn portrc_quirks() {
        let save = |a: &str| run_udp(17, &["--sport", a]).unwrap().save;
        // Observed: numbers wrap, decimal only, no order check.
        assert_eq!(save("65536"), " -m udp --sport 0");
        assert_eq!(save("65537"), " -m udp --sport 1");
        assert_eq!(save("70000"), " -m udp --sport 4464");
        assert_eq!(save("4294967296"), " -m udp --sport 0");
        assert_eq!(save("010"), " -m udp --sport 10");
        assert_eq!(save("5:3"), " -m udp --sport 5:3");
        assert_eq!(save(":5"), " -m udp --sport 0:5");
        assert_eq!(save("5:"), " -m udp --sport 5:65535");
        assert_eq!(save(""), " -m udp --sport 0");
        assert_eq!(save(":"), " -m udp");
        let err = |a: &str| run_udp(17, &["--sport", a]).unwrap_err();
        assert_eq!(
            err("-1"),
            XtError::param("Port \"-1\" does not resolve to anything.\n")
        );
        assert_eq!(
            err("0x10"),
            XtError::param("Port \"0x10\" does not resolve to anything.\n")
        );
        assert_eq!(
            err("1:2:3"),
            XtError::param("udp: Too many components for option \"--source-port\" (max: 2)\n")
        );
        assert_eq!(
            run_udp(17, &["--sport", "1", "--sport", "2"]).unwrap_err(),
            XtError::param("udp: option \"--source-port\" can only be used once.\n")
        );
        let p = run_udp(17, &["!", "--sport", "53", "--dport", "1:1023"]).unwrap();
        assert_eq!(p.print, " udp spt:!domain dpts:1:1023");
        assert_eq!(p.print_numeric, " udp spt:!53 dpts:1:1023");
        assert_eq!(
            p.blob,
            [53, 0, 53, 0, 1, 0, 0xff, 3, 1, 0, 0, 0, 0, 0, 0, 0]
        );
    }
}
