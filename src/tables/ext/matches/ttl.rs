//! `ttl` match (IPv4): compares the IP time-to-live with a value (`==`,
//! `!=`, `<`, `>`).
//!
//! Kernel struct `ipt_ttl_info` (revision 0, 8 bytes): `u8 mode` (EQ 0, NE
//! 1, LT 2, GT 3), `u8 ttl`. iptables-nft 1.8.9 sends it as a compat match
//! but reads a native `ip ttl OP N` (payload network header offset 8, one
//! byte) back as this match. The IPv6 `hl` match has the same layout and
//! shares this code ([`HopMatch`]).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::{base, cmp, Family};
use crate::tables::ext::util::{rd_u8, wr_u8};
use crate::tables::ext::xtables::{
    alias_once, entry_name, err_range, options_fcheck, strtoul_full, xflags, XtEntry,
};
use crate::tables::ext::{Ctx, Ext, Extension, Families, Field, Kind, Load, Opt, PrintCtx, State};

const MODE: usize = 0;
const VALUE: usize = 1;
const SIZE: usize = 8;

const EQ: u8 = 0;
const NE: u8 = 1;
const LT: u8 = 2;
const GT: u8 = 3;

/// `ttl` (IPv4) or `hl` (IPv6): the same match under two names.
pub struct HopMatch {
    /// `ttl` or `hl`.
    name: &'static str,
    /// `TTL` or `HL`, for `-L`.
    label: &'static str,
    /// The family served.
    family: Families,
    /// The network-header offset of the field (8 for TTL, 7 for the hop
    /// limit).
    offset: u32,
    /// `--ttl-lt`, `--ttl-gt`, `--ttl-eq`, `--ttl` (or the `hl` names).
    opts: &'static [Opt],
    /// The same as libxtables entries (ids EQ 0, LT 1, GT 2).
    table: &'static [XtEntry],
    /// The error when no option was given.
    missing: &'static str,
}

/// The `ttl` match.
pub static TTL: HopMatch = HopMatch {
    name: "ttl",
    label: "TTL",
    family: Families::V4,
    offset: 8,
    opts: &[
        Opt::req("ttl-lt"),
        Opt::req("ttl-gt"),
        Opt::req_inv("ttl-eq"),
        // An alias of --ttl-eq: libxtables treats it as that entry,
        // including `!`.
        Opt::req_inv("ttl"),
    ],
    table: &[
        XtEntry::new("ttl-lt", 1).excl(7),
        XtEntry::new("ttl-gt", 2).excl(7),
        XtEntry::new("ttl-eq", 0).excl(7),
        XtEntry::new("ttl", 0).excl(7),
    ],
    // Sic: iptables 1.8.9 misses the closing quote.
    missing: "TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt",
};

/// The `hl` match (IPv6 hop limit).
pub static HL: HopMatch = HopMatch {
    name: "hl",
    label: "HL",
    family: Families::V6,
    offset: 7,
    opts: &[
        Opt::req("hl-lt"),
        Opt::req("hl-gt"),
        Opt::req_inv("hl-eq"),
        Opt::req_inv("hl"),
    ],
    table: &[
        XtEntry::new("hl-lt", 1).excl(7),
        XtEntry::new("hl-gt", 2).excl(7),
        XtEntry::new("hl-eq", 0).excl(7),
        XtEntry::new("hl", 0).excl(7),
    ],
    missing: "HL match: You must specify one of `--hl-eq', `--hl-lt', `--hl-gt'",
};

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&TTL];

impl Extension for HopMatch {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        self.name
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        self.family
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn options(&self) -> &'static [Opt] {
        self.opts
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        alias_once(self, st, self.table, opt)?;
        let a = arg.unwrap_or("");
        let v = strtoul_full(a, 0, 255).ok_or_else(|| {
            let shown = self
                .table
                .iter()
                .find(|e| e.name == opt)
                .map(|e| entry_name(self.table, e.id))
                .unwrap_or(opt);
            err_range(self.name, shown, 0, 255)
        })?;
        let mode = match opt.rsplit('-').next() {
            Some("lt") => LT,
            Some("gt") => GT,
            _ if invert => NE,
            _ => EQ,
        };
        wr_u8(&mut st.blob, MODE, mode);
        wr_u8(&mut st.blob, VALUE, v as u8);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        let xf = xflags(self, st, self.table);
        if xf & 7 == 0 {
            return Err(XtError::param(self.missing));
        }
        options_fcheck(self.name, self.table, xf)
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let op = match rd_u8(blob, MODE) {
            EQ => " ==",
            NE => " !=",
            LT => " <",
            GT => " >",
            _ => "",
        };
        out.push_str(&format!(
            " {0} match {0}{op} {1}",
            self.label,
            rd_u8(blob, VALUE)
        ));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let n = self.name;
        let op = match rd_u8(blob, MODE) {
            EQ => format!(" --{n}-eq"),
            NE => format!(" ! --{n}-eq"),
            LT => format!(" --{n}-lt"),
            GT => format!(" --{n}-gt"),
            _ => String::new(),
        };
        out.push_str(&format!("{op} {}", rd_u8(blob, VALUE)));
    }
    fn decode_native(&self, family: Family, fields: &[Field]) -> Option<Vec<u8>> {
        if !self.family.has(family) {
            return None;
        }
        let [Field::Cmp {
            load:
                Load::Payload {
                    base: b,
                    offset,
                    len: 1,
                },
            mask: None,
            op,
            data,
        }] = fields
        else {
            return None;
        };
        if *b != base::NETWORK || *offset != self.offset || data.len() != 1 {
            return None;
        }
        let v = *data.first()?;
        // iptables 1.8.9 (nft_parse_hl) turns <= and >= into < and > of
        // the neighbour value, and gives up at the ends.
        let (mode, v) = match *op {
            cmp::EQ => (EQ, v),
            cmp::NEQ => (NE, v),
            cmp::LT => (LT, v),
            cmp::GT => (GT, v),
            cmp::LTE => (LT, v.checked_add(1)?),
            cmp::GTE => (GT, v.checked_sub(1)?),
            _ => return None,
        };
        let mut blob = vec![0u8; SIZE];
        wr_u8(&mut blob, MODE, mode);
        wr_u8(&mut blob, VALUE, v);
        Some(blob)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(line: &str) -> XtResult<crate::tables::ext::testing::Parsed> {
        let w: Vec<&str> = line.split_whitespace().collect();
        run(Kind::Match, "ttl", Family::V4, 0, "filter", "INPUT", &w)
    }

    #[test]
    fn corpus() {
        for (rule, print) in [
            ("--ttl-eq 0", " TTL match TTL == 0"),
            ("--ttl-eq 255", " TTL match TTL == 255"),
            ("! --ttl-eq 0", " TTL match TTL != 0"),
            ("! --ttl-eq 255", " TTL match TTL != 255"),
            ("--ttl-gt 0", " TTL match TTL > 0"),
            ("--ttl-lt 0", " TTL match TTL < 0"),
        ] {
            let p = t(rule).unwrap();
            assert_eq!(p.save, format!(" -m ttl {rule}"));
            assert_eq!(p.print, print);
            assert_eq!(p.print_numeric, print);
        }
        for rule in ["--ttl-eq 256", "--ttl-eq -1", ""] {
            assert!(t(rule).is_err(), "{rule}");
        }
    }

    #[test]
    fn observed() {
        assert_eq!(t("! --ttl 5").unwrap().save, " -m ttl ! --ttl-eq 5");
        assert_eq!(t("--ttl-lt 0x10").unwrap().save, " -m ttl --ttl-lt 16");
        let e = |r: &str| t(r).unwrap_err().msg;
        assert_eq!(e(""), TTL.missing);
        assert_eq!(
            e("--ttl-eq 256"),
            "ttl: bad value for option \"--ttl-eq\", or out of range (0-255).\n"
        );
        assert_eq!(
            e("--ttl-gt 3 --ttl-eq 4"),
            "ttl: option \"--ttl-gt\" cannot be used together with \"--ttl-eq\".\n"
        );
        assert_eq!(
            e("--ttl-eq 5 --ttl-lt 4"),
            "ttl: option \"--ttl-lt\" cannot be used together with \"--ttl-eq\".\n"
        );
        assert_eq!(
            e("--ttl 5 --ttl-eq 4"),
            "ttl: option \"--ttl-eq\" can only be used once.\n"
        );
        assert!(run(
            Kind::Match,
            "ttl",
            Family::V6,
            0,
            "filter",
            "INPUT",
            &["--ttl-eq", "1"]
        )
        .is_err());
    }

    #[test]
    fn blob_bytes() {
        // iptables -vvv -A INPUT -m ttl ! --ttl-eq 5
        assert_eq!(
            t("! --ttl-eq 5").unwrap().blob,
            vec![1, 5, 0, 0, 0, 0, 0, 0]
        );
    }

    fn native(op: u32, v: u8) -> Vec<Field> {
        vec![Field::Cmp {
            load: Load::Payload {
                base: base::NETWORK,
                offset: 8,
                len: 1,
            },
            mask: None,
            op,
            data: vec![v],
        }]
    }

    #[test]
    fn decode() {
        // nft `ip ttl OP 5`, as iptables 1.8.9 lists it.
        let p = PrintCtx {
            family: Family::V4,
            numeric: true,
            proto: 0,
        };
        for (op, save) in [
            (cmp::EQ, " --ttl-eq 5"),
            (cmp::NEQ, " ! --ttl-eq 5"),
            (cmp::LT, " --ttl-lt 5"),
            (cmp::GT, " --ttl-gt 5"),
            (cmp::LTE, " --ttl-lt 6"),
            (cmp::GTE, " --ttl-gt 4"),
        ] {
            let b = TTL.decode_native(Family::V4, &native(op, 5)).unwrap();
            let mut s = String::new();
            TTL.save(&p, &b, &mut s);
            assert_eq!(s, save);
        }
        assert!(TTL
            .decode_native(Family::V4, &native(cmp::LTE, 255))
            .is_none());
        assert!(TTL
            .decode_native(Family::V4, &native(cmp::GTE, 0))
            .is_none());
        assert!(TTL.decode_native(Family::V6, &native(cmp::EQ, 5)).is_none());
        let mut f = native(cmp::EQ, 5);
        if let Some(Field::Cmp { mask, .. }) = f.first_mut() {
            *mask = Some(vec![0xff]);
        }
        assert!(TTL.decode_native(Family::V4, &f).is_none());
    }
}
