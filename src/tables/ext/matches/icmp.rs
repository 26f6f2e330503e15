//! `icmp` match (IPv4): ICMP type and code range (`struct ipt_icmp { __u8
//! type, code[2], invflags; }`), compat rev 0, 8 bytes. Type 255 is `any`.
//!
//! The type-name tables and the parser are shared with `icmp6`
//! ([`IcmpKind`]). iptables 1.8.9 does not check `-p icmp` itself; the
//! kernel refuses the rule (`RULE_APPEND failed (Invalid argument)`).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::{base, cmp, Family};
use crate::tables::ext::util::{parse_uint, rd_u8, wr_u8};
use crate::tables::ext::xtables::err_mandatory;
use crate::tables::ext::{Ctx, Ext, Extension, Families, Field, Kind, Load, Opt, PrintCtx, State};

/// Blob size of `ipt_icmp` / `ip6t_icmp`.
pub(crate) const SIZE: usize = 8;
const TYPE: usize = 0;
const CODE_MIN: usize = 1;
const CODE_MAX: usize = 2;
const INVFLAGS: usize = 3;
/// `IPT_ICMP_INV` / `IP6T_ICMP_INV`
const INV: u8 = 0x01;

/// `(name, type, code_min, code_max)`, libxt_icmp.h order (aliases follow
/// their entry).
type Code = (&'static str, u8, u8, u8);

static ICMP_CODES: &[Code] = &[
    ("any", 0xff, 0, 0xff),
    ("echo-reply", 0, 0, 0xff),
    ("pong", 0, 0, 0xff),
    ("destination-unreachable", 3, 0, 0xff),
    ("network-unreachable", 3, 0, 0),
    ("host-unreachable", 3, 1, 1),
    ("protocol-unreachable", 3, 2, 2),
    ("port-unreachable", 3, 3, 3),
    ("fragmentation-needed", 3, 4, 4),
    ("source-route-failed", 3, 5, 5),
    ("network-unknown", 3, 6, 6),
    ("host-unknown", 3, 7, 7),
    ("network-prohibited", 3, 9, 9),
    ("host-prohibited", 3, 10, 10),
    ("TOS-network-unreachable", 3, 11, 11),
    ("TOS-host-unreachable", 3, 12, 12),
    ("communication-prohibited", 3, 13, 13),
    ("host-precedence-violation", 3, 14, 14),
    ("precedence-cutoff", 3, 15, 15),
    ("source-quench", 4, 0, 0xff),
    ("redirect", 5, 0, 0xff),
    ("network-redirect", 5, 0, 0),
    ("host-redirect", 5, 1, 1),
    ("TOS-network-redirect", 5, 2, 2),
    ("TOS-host-redirect", 5, 3, 3),
    ("echo-request", 8, 0, 0xff),
    ("ping", 8, 0, 0xff),
    ("router-advertisement", 9, 0, 0xff),
    ("router-solicitation", 10, 0, 0xff),
    ("time-exceeded", 11, 0, 0xff),
    ("ttl-exceeded", 11, 0, 0xff),
    ("ttl-zero-during-transit", 11, 0, 0),
    ("ttl-zero-during-reassembly", 11, 1, 1),
    ("parameter-problem", 12, 0, 0xff),
    ("ip-header-bad", 12, 0, 0),
    ("required-option-missing", 12, 1, 1),
    ("timestamp-request", 13, 0, 0xff),
    ("timestamp-reply", 14, 0, 0xff),
    ("address-mask-request", 17, 0, 0xff),
    ("address-mask-reply", 18, 0, 0xff),
];

static ICMPV6_CODES: &[Code] = &[
    ("destination-unreachable", 1, 0, 0xff),
    ("no-route", 1, 0, 0),
    ("communication-prohibited", 1, 1, 1),
    ("beyond-scope", 1, 2, 2),
    ("address-unreachable", 1, 3, 3),
    ("port-unreachable", 1, 4, 4),
    ("failed-policy", 1, 5, 5),
    ("reject-route", 1, 6, 6),
    ("packet-too-big", 2, 0, 0xff),
    ("time-exceeded", 3, 0, 0xff),
    ("ttl-exceeded", 3, 0, 0xff),
    ("ttl-zero-during-transit", 3, 0, 0),
    ("ttl-zero-during-reassembly", 3, 1, 1),
    ("parameter-problem", 4, 0, 0xff),
    ("bad-header", 4, 0, 0),
    ("unknown-header-type", 4, 1, 1),
    ("unknown-option", 4, 2, 2),
    ("echo-request", 128, 0, 0xff),
    ("ping", 128, 0, 0xff),
    ("echo-reply", 129, 0, 0xff),
    ("pong", 129, 0, 0xff),
    ("router-solicitation", 133, 0, 0xff),
    ("router-advertisement", 134, 0, 0xff),
    ("neighbour-solicitation", 135, 0, 0xff),
    ("neighbor-solicitation", 135, 0, 0xff),
    ("neighbour-advertisement", 136, 0, 0xff),
    ("neighbor-advertisement", 136, 0, 0xff),
    ("redirect", 137, 0, 0xff),
];

/// What differs between `icmp` and `icmp6`.
#[derive(Debug)]
pub(crate) struct IcmpKind {
    /// Extension name (`icmp`, `icmp6`).
    pub ext: &'static str,
    /// Option name without `--`.
    pub opt: &'static str,
    /// `ICMP` / `ICMPv6` in messages.
    pub word: &'static str,
    /// ` icmp` / ` ipv6-icmp` in `-L`.
    pub label: &'static str,
    /// The type table.
    pub codes: &'static [Code],
    /// Save prints `any` for type 255 (IPv4 only).
    pub any: bool,
}

pub(crate) static V4: IcmpKind = IcmpKind {
    ext: "icmp",
    opt: "icmp-type",
    word: "ICMP",
    label: " icmp",
    codes: ICMP_CODES,
    any: true,
};

pub(crate) static V6: IcmpKind = IcmpKind {
    ext: "icmp6",
    opt: "icmpv6-type",
    word: "ICMPv6",
    label: " ipv6-icmp",
    codes: ICMPV6_CODES,
    any: false,
};

impl IcmpKind {
    /// Parses `NAME` (a case-insensitive unique prefix), `TYPE` or
    /// `TYPE/CODE` into `(type, code_min, code_max)`.
    pub(crate) fn parse_type(&self, s: &str) -> XtResult<(u8, u8, u8)> {
        let mut found: Option<&Code> = None;
        for c in self.codes {
            let prefix =
                c.0.get(..s.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(s));
            if prefix {
                if let Some(f) = found {
                    return Err(XtError::param(format!(
                        "Ambiguous {} type `{s}': `{}' or `{}'?",
                        self.word, f.0, c.0
                    )));
                }
                found = Some(c);
            }
        }
        if let Some(c) = found {
            return Ok((c.1, c.2, c.3));
        }
        let (t, code) = match s.split_once('/') {
            Some((t, c)) => (t, Some(c)),
            None => (s, None),
        };
        let t = parse_uint(t, 0, 255)
            .ok_or_else(|| XtError::param(format!("Unknown {} type `{s}'", self.word)))?
            as u8;
        match code {
            Some(c) => {
                let c = parse_uint(c, 0, 255)
                    .ok_or_else(|| XtError::param(format!("Unknown {} code `{s}'", self.word)))?
                    as u8;
                Ok((t, c, c))
            }
            None => Ok((t, 0, 0xff)),
        }
    }

    /// `-L` text after the label.
    pub(crate) fn print_type(&self, blob: &[u8], numeric: bool, out: &mut String) {
        let (t, lo, hi) = (
            rd_u8(blob, TYPE),
            rd_u8(blob, CODE_MIN),
            rd_u8(blob, CODE_MAX),
        );
        let inv = rd_u8(blob, INVFLAGS);
        out.push_str(self.label);
        let named = if numeric {
            None
        } else {
            self.codes
                .iter()
                .find(|c| c.1 == t && c.2 == lo && c.3 == hi)
        };
        match named {
            Some(c) => {
                out.push(' ');
                if inv & INV != 0 {
                    out.push('!');
                }
                out.push_str(c.0);
            }
            None => {
                if inv & INV != 0 {
                    out.push_str(" !");
                }
                out.push_str(&format!("type {t}"));
                if lo == hi {
                    out.push_str(&format!(" code {lo}"));
                } else if lo != 0 || hi != 0xff {
                    out.push_str(&format!(" codes {lo}-{hi}"));
                }
            }
        }
        if inv & !INV != 0 {
            out.push_str(&format!(" Unknown invflags: 0x{:X}", inv & !INV));
        }
    }

    /// Save text.
    pub(crate) fn save_type(&self, blob: &[u8], out: &mut String) {
        let (t, lo, hi) = (
            rd_u8(blob, TYPE),
            rd_u8(blob, CODE_MIN),
            rd_u8(blob, CODE_MAX),
        );
        if rd_u8(blob, INVFLAGS) & INV != 0 {
            out.push_str(" !");
        }
        if self.any && t == 0xff {
            out.push_str(&format!(" --{} any", self.opt));
            return;
        }
        out.push_str(&format!(" --{} {t}", self.opt));
        if lo != 0 || hi != 0xff {
            out.push_str(&format!("/{lo}"));
        }
    }

    pub(crate) fn parse_opt(&self, arg: &str, invert: bool, st: &mut State) -> XtResult<()> {
        let (t, lo, hi) = self.parse_type(arg)?;
        wr_u8(&mut st.blob, TYPE, t);
        wr_u8(&mut st.blob, CODE_MIN, lo);
        wr_u8(&mut st.blob, CODE_MAX, hi);
        if invert {
            wr_u8(&mut st.blob, INVFLAGS, INV);
        }
        Ok(())
    }

    pub(crate) fn check(&self, st: &State) -> XtResult<()> {
        if st.seen & 1 == 0 {
            return Err(err_mandatory(self.ext, self.opt));
        }
        Ok(())
    }

    /// 1.8.9's `nft_parse_icmp`: one transport-header `cmp eq` on the type
    /// (1 byte), type and code (2 bytes) or the code alone.
    pub(crate) fn decode(&self, fields: &[Field]) -> Option<Vec<u8>> {
        let [Field::Cmp {
            load:
                Load::Payload {
                    base: base::TRANSPORT,
                    offset,
                    len,
                },
            mask: None,
            op: cmp::EQ,
            data,
        }] = fields
        else {
            return None;
        };
        let (mut t, mut lo, mut hi) = (0xffu8, 0u8, 0xffu8);
        match (*offset, *len, data.as_slice()) {
            (0, 1, [ty]) => t = *ty,
            (0, 2, [ty, c]) => (t, lo, hi) = (*ty, *c, *c),
            (1, 1, [c]) => (lo, hi) = (*c, *c),
            _ => return None,
        }
        if !self.any && t == 0xff {
            return None;
        }
        let mut b = vec![0u8; SIZE];
        wr_u8(&mut b, TYPE, t);
        wr_u8(&mut b, CODE_MIN, lo);
        wr_u8(&mut b, CODE_MAX, hi);
        Some(b)
    }
}

/// The `icmp` match.
pub struct Icmp;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Icmp];

static OPTS: &[Opt] = &[Opt::req_inv("icmp-type")];

impl Extension for Icmp {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "icmp"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        Families::V4
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_u8(&mut st.blob, CODE_MAX, 0xff);
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        _opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        V4.parse_opt(arg.unwrap_or(""), invert, st)
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        V4.check(st)
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        V4.print_type(blob, ctx.numeric, out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        V4.save_type(blob, out);
    }
    fn decode_native(&self, _family: Family, fields: &[Field]) -> Option<Vec<u8>> {
        V4.decode(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn r(args: &[&str]) -> XtResult<Parsed> {
        run(Kind::Match, "icmp", Family::V4, 1, "filter", "INPUT", args)
    }

    #[test]
    fn corpus() {
        // libipt_icmp.t
        let p = r(&["--icmp-type", "any"]).unwrap();
        assert_eq!(p.save, " -m icmp --icmp-type any");
        assert_eq!(p.print, " icmp any");
        assert_eq!(p.print_numeric, " icmptype 255");
        assert!(r(&[]).is_err());
        assert_eq!(
            r(&[]).unwrap_err(),
            XtError::param("icmp: option \"--icmp-type\" must be specified\n")
        );
        assert!(run(
            Kind::Match,
            "icmp",
            Family::V6,
            58,
            "filter",
            "INPUT",
            &["--icmp-type", "8"]
        )
        .is_err());
    }

    #[test]
    fn observed() {
        // (arg, save, -L, -L -n), observed on iptables 1.8.9.
        let cases: &[(&[&str], &str, &str, &str)] = &[
            (
                &["--icmp-type", "echo-request"],
                "--icmp-type 8",
                "icmp echo-request",
                "icmptype 8",
            ),
            (
                &["--icmp-type", "ping"],
                "--icmp-type 8",
                "icmp echo-request",
                "icmptype 8",
            ),
            (
                &["--icmp-type", "3/1"],
                "--icmp-type 3/1",
                "icmp host-unreachable",
                "icmptype 3 code 1",
            ),
            (
                &["!", "--icmp-type", "3/1"],
                "! --icmp-type 3/1",
                "icmp !host-unreachable",
                "icmp !type 3 code 1",
            ),
            (
                &["--icmp-type", "destination-unreachable"],
                "--icmp-type 3",
                "icmp destination-unreachable",
                "icmptype 3",
            ),
            (
                &["--icmp-type", "255"],
                "--icmp-type any",
                "icmp any",
                "icmptype 255",
            ),
            (
                &["--icmp-type", "0"],
                "--icmp-type 0",
                "icmp echo-reply",
                "icmptype 0",
            ),
            (
                &["--icmp-type", "200"],
                "--icmp-type 200",
                "icmptype 200",
                "icmptype 200",
            ),
            (
                &["--icmp-type", "network-unreachable"],
                "--icmp-type 3/0",
                "icmp network-unreachable",
                "icmptype 3 code 0",
            ),
            (
                &["--icmp-type", "0x8"],
                "--icmp-type 8",
                "icmp echo-request",
                "icmptype 8",
            ),
            (
                &["--icmp-type", "TTL-EXC"],
                "--icmp-type 11",
                "icmp time-exceeded",
                "icmptype 11",
            ),
        ];
        for (args, save, l, n) in cases {
            let p = r(args).unwrap();
            assert_eq!(p.save, format!(" -m icmp {save}"), "{args:?}");
            assert_eq!(p.print, format!(" {l}"), "{args:?}");
            assert_eq!(p.print_numeric, format!(" {n}"), "{args:?}");
        }
        let p = r(&["!", "--icmp-type", "3/1"]).unwrap();
        assert_eq!(p.blob, [3, 1, 1, 1, 0, 0, 0, 0]);
        let e = |a: &str| r(&["--icmp-type", a]).unwrap_err();
        assert_eq!(e("256"), XtError::param("Unknown ICMP type `256'"));
        assert_eq!(e("foo"), XtError::param("Unknown ICMP type `foo'"));
        assert_eq!(e("/5"), XtError::param("Unknown ICMP type `/5'"));
        assert_eq!(e("3/256"), XtError::param("Unknown ICMP code `3/256'"));
        assert_eq!(e("5/"), XtError::param("Unknown ICMP code `5/'"));
        assert_eq!(
            e("ec"),
            XtError::param("Ambiguous ICMP type `ec': `echo-reply' or `echo-request'?")
        );
    }

    #[test]
    fn decode() {
        let f = |offset, len, data: Vec<u8>| {
            vec![Field::Cmp {
                load: Load::Payload {
                    base: base::TRANSPORT,
                    offset,
                    len,
                },
                mask: None,
                op: cmp::EQ,
                data,
            }]
        };
        assert_eq!(
            Icmp.decode_native(Family::V4, &f(0, 1, vec![8])),
            Some(vec![8, 0, 0xff, 0, 0, 0, 0, 0])
        );
        assert_eq!(
            Icmp.decode_native(Family::V4, &f(0, 2, vec![3, 1])),
            Some(vec![3, 1, 1, 0, 0, 0, 0, 0])
        );
        assert_eq!(
            Icmp.decode_native(Family::V4, &f(1, 1, vec![4])),
            Some(vec![0xff, 4, 4, 0, 0, 0, 0, 0])
        );
        assert_eq!(Icmp.decode_native(Family::V4, &f(2, 1, vec![4])), None);
    }
}
