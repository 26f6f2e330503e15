//! `icmp6` match (IPv6): ICMPv6 type and code range (`struct ip6t_icmp {
//! __u8 type, code[2], invflags; }`), compat rev 0, 8 bytes. The option is
//! `--icmpv6-type`; the parser and tables live in [`super::icmp`].

use crate::tables::error::XtResult;
use crate::tables::expr::Family;
use crate::tables::ext::matches::icmp::{SIZE, V6};
use crate::tables::ext::util::wr_u8;
use crate::tables::ext::{Ctx, Ext, Extension, Families, Field, Kind, Opt, PrintCtx, State};

/// The `icmp6` match.
pub struct Icmp6;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Icmp6];

static OPTS: &[Opt] = &[Opt::req_inv("icmpv6-type")];

impl Extension for Icmp6 {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "icmp6"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        Families::V6
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_u8(&mut st.blob, 2, 0xff);
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        _opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        V6.parse_opt(arg.unwrap_or(""), invert, st)
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        V6.check(st)
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        V6.print_type(blob, ctx.numeric, out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        V6.save_type(blob, out);
    }
    fn decode_native(&self, _family: Family, fields: &[Field]) -> Option<Vec<u8>> {
        V6.decode(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::error::XtError;
    use crate::tables::ext::testing::{run, Parsed};

    fn r(args: &[&str]) -> XtResult<Parsed> {
        run(
            Kind::Match,
            "icmp6",
            Family::V6,
            58,
            "filter",
            "INPUT",
            args,
        )
    }

    #[test]
    fn corpus() {
        // libip6t_icmp6.t
        assert!(run(Kind::Match, "icmpv6", Family::V6, 0, "filter", "INPUT", &[]).is_err());
        let p = r(&["--icmpv6-type", "1/0"]).unwrap();
        assert_eq!(p.save, " -m icmp6 --icmpv6-type 1/0");
        let p = r(&["--icmpv6-type", "2"]).unwrap();
        assert_eq!(p.save, " -m icmp6 --icmpv6-type 2");
        assert!(r(&[
            "--icmpv6-type",
            "no-route",
            "--icmpv6-type",
            "packet-too-big"
        ])
        .is_err());
        assert!(run(
            Kind::Match,
            "icmp6",
            Family::V4,
            1,
            "filter",
            "INPUT",
            &["--icmpv6-type", "1"]
        )
        .is_err());
    }

    #[test]
    fn observed() {
        let cases: &[(&[&str], &str, &str, &str)] = &[
            (
                &["--icmpv6-type", "1/0"],
                "--icmpv6-type 1/0",
                "ipv6-icmp no-route",
                "ipv6-icmptype 1 code 0",
            ),
            (
                &["!", "--icmpv6-type", "2"],
                "! --icmpv6-type 2",
                "ipv6-icmp !packet-too-big",
                "ipv6-icmp !type 2",
            ),
            (
                &["--icmpv6-type", "200"],
                "--icmpv6-type 200",
                "ipv6-icmptype 200",
                "ipv6-icmptype 200",
            ),
            (
                &["--icmpv6-type", "1/200"],
                "--icmpv6-type 1/200",
                "ipv6-icmptype 1 code 200",
                "ipv6-icmptype 1 code 200",
            ),
            (
                &["--icmpv6-type", "255"],
                "--icmpv6-type 255",
                "ipv6-icmptype 255",
                "ipv6-icmptype 255",
            ),
            (
                &["--icmpv6-type", "ttl-exceeded"],
                "--icmpv6-type 3",
                "ipv6-icmp time-exceeded",
                "ipv6-icmptype 3",
            ),
            (
                &["--icmpv6-type", "neighbor-solicitation"],
                "--icmpv6-type 135",
                "ipv6-icmp neighbour-solicitation",
                "ipv6-icmptype 135",
            ),
            (
                &["--icmpv6-type", "ping"],
                "--icmpv6-type 128",
                "ipv6-icmp echo-request",
                "ipv6-icmptype 128",
            ),
        ];
        for (args, save, l, n) in cases {
            let p = r(args).unwrap();
            assert_eq!(p.save, format!(" -m icmp6 {save}"), "{args:?}");
            assert_eq!(p.print, format!(" {l}"), "{args:?}");
            assert_eq!(p.print_numeric, format!(" {n}"), "{args:?}");
        }
        let p = r(&["--icmpv6-type", "echo-request"]).unwrap();
        assert_eq!(p.blob, [128, 0, 0xff, 0, 0, 0, 0, 0]);
        let e = |a: &str| r(&["--icmpv6-type", a]).unwrap_err();
        assert_eq!(e("any"), XtError::param("Unknown ICMPv6 type `any'"));
        assert_eq!(e("256"), XtError::param("Unknown ICMPv6 type `256'"));
        assert_eq!(e("3/x"), XtError::param("Unknown ICMPv6 code `3/x'"));
        assert_eq!(
            e("ne"),
            XtError::param(
                "Ambiguous ICMPv6 type `ne': `neighbour-solicitation' or `neighbor-solicitation'?"
            )
        );
        assert_eq!(
            r(&[]).unwrap_err(),
            XtError::param("icmp6: option \"--icmpv6-type\" must be specified\n")
        );
    }
}
