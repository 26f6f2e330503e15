//! `NFLOG` target: hands packets to a nfnetlink_log group (`--nflog-group`,
//! `--nflog-prefix`, `--nflog-size`, `--nflog-threshold`, and the obsolete
//! `--nflog-range`).
//!
//! iptables-nft 1.8.9 never sends it as a compat target: it becomes a native
//! `log` expression (`[ log prefix nfl group 5 snaplen 0 qthreshold 0 ]`)
//! carrying the group always, the prefix when set, the snaplen only with
//! `--nflog-size` and the queue threshold only when non-zero. Reading back,
//! 1.8.9 turns a `log` expression with a group into `NFLOG`; one without a
//! group (nft's syslog `log`) makes the chain incompatible (observed).
//!
//! The blob is `struct xt_nflog_info` (`u32 len; u16 group; u16 threshold;
//! u16 flags; u16 pad; char prefix[]`) with the prefix widened from 64 to
//! 128 bytes (`NF_LOG_PREFIXLEN`), the layout 1.8.9's reader uses, since
//! 1.8.9 keeps up to 127 prefix bytes in the native expression (observed):
//! 144 bytes. `--nflog-range` only warns (it has no effect with nf_tables)
//! and is not kept.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::{Expr, Family};
use crate::tables::ext::util::{
    parse_uint, rd_str, rd_u16, rd_u32, save_string, wr_str, wr_u16, wr_u32, xt_align,
};
use crate::tables::ext::{Ctx, Ext, Extension, Field, Kind, Opt, PrintCtx, State};

/// Offset of the prefix.
const PREFIX_OFF: usize = 12;
/// `NF_LOG_PREFIXLEN`
const PREFIX_LEN: usize = 128;
/// `XT_NFLOG_F_COPY_LEN`
const COPY_LEN: u16 = 1;

/// The `NFLOG` target.
pub struct Nflog;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Nflog];

static OPTS: &[Opt] = &[
    Opt::req("nflog-group"),
    Opt::req("nflog-prefix"),
    Opt::req("nflog-range"),
    Opt::req("nflog-size"),
    Opt::req("nflog-threshold"),
];

fn bad_value(opt: &str, max: u64) -> XtError {
    XtError::param(format!(
        "NFLOG: bad value for option \"--{opt}\", or out of range (0-{max}).\n"
    ))
}

/// Builds the blob from a native `log` expression's attributes, as 1.8.9's
/// `nft_parse_log` does.
fn blob_from_log(
    prefix: Option<&str>,
    group: Option<u16>,
    snaplen: Option<u32>,
    qthreshold: Option<u16>,
) -> Vec<u8> {
    let mut b = vec![0u8; xt_align(PREFIX_OFF + PREFIX_LEN)];
    if let Some(l) = snaplen {
        wr_u32(&mut b, 0, l);
        wr_u16(&mut b, 8, COPY_LEN);
    }
    wr_u16(&mut b, 4, group.unwrap_or(0));
    wr_u16(&mut b, 6, qthreshold.unwrap_or(0));
    if let Some(p) = prefix {
        wr_str(&mut b, PREFIX_OFF, PREFIX_LEN, p);
    }
    b
}

impl Nflog {
    fn text(&self, blob: &[u8], pfx: &str, out: &mut String) {
        let prefix = rd_str(blob, PREFIX_OFF, PREFIX_LEN);
        if !prefix.is_empty() {
            out.push_str(&format!(" {pfx}nflog-prefix "));
            save_string(&prefix, out);
        }
        let group = rd_u16(blob, 4);
        if group != 0 {
            out.push_str(&format!(" {pfx}nflog-group {group}"));
        }
        let len = rd_u32(blob, 0);
        if rd_u16(blob, 8) & COPY_LEN != 0 {
            out.push_str(&format!(" {pfx}nflog-size {len}"));
        } else if len != 0 {
            out.push_str(&format!(" {pfx}nflog-range {len}"));
        }
        let threshold = rd_u16(blob, 6);
        if threshold != 0 {
            out.push_str(&format!(" {pfx}nflog-threshold {threshold}"));
        }
    }
}

impl Extension for Nflog {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "NFLOG"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        xt_align(PREFIX_OFF + PREFIX_LEN)
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let arg = arg.unwrap_or("");
        match opt {
            "nflog-group" | "nflog-threshold" => {
                let v = parse_uint(arg, 0, 65535).ok_or_else(|| bad_value(opt, 65535))?;
                let off = if opt == "nflog-group" { 4 } else { 6 };
                wr_u16(&mut st.blob, off, v as u16);
            }
            "nflog-range" | "nflog-size" => {
                let max = u32::MAX as u64;
                let v = parse_uint(arg, 0, max).ok_or_else(|| bad_value(opt, max))?;
                if opt == "nflog-size" {
                    wr_u32(&mut st.blob, 0, v as u32);
                    wr_u16(&mut st.blob, 8, COPY_LEN);
                }
            }
            "nflog-prefix" => {
                if arg.is_empty() {
                    return Err(XtError::param(
                        "Argument must have a minimum length of 1 characters\n",
                    ));
                }
                if arg.contains('\n') {
                    return Err(XtError::param("Newlines not allowed in --log-prefix"));
                }
                wr_str(&mut st.blob, PREFIX_OFF, PREFIX_LEN, arg);
            }
            _ => {}
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        let range = st.saw(self, "nflog-range");
        if range {
            // iptables writes this to stderr and goes on.
            eprintln!(
                "warn: --nflog-range has never worked and is no longer supported, please use --nflog-size instead"
            );
        }
        if range && st.saw(self, "nflog-size") {
            return Err(XtError::param(
                "NFLOG: option \"--nflog-range\" cannot be used together with \"--nflog-size\".\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        self.text(blob, "", out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        self.text(blob, "--", out);
    }
    fn native(&self, _ctx: &Ctx<'_>, blob: &[u8]) -> Option<Vec<Expr>> {
        let prefix = rd_str(blob, PREFIX_OFF, PREFIX_LEN);
        let threshold = rd_u16(blob, 6);
        Some(vec![Expr::Log {
            prefix: (!prefix.is_empty()).then_some(prefix),
            group: Some(rd_u16(blob, 4)),
            snaplen: (rd_u16(blob, 8) & COPY_LEN != 0).then(|| rd_u32(blob, 0)),
            qthreshold: (threshold != 0).then_some(threshold),
            level: None,
            flags: None,
        }])
    }
    fn decode_native(&self, _family: Family, fields: &[Field]) -> Option<Vec<u8>> {
        match fields {
            [Field::Expr(Expr::Log {
                prefix,
                group,
                snaplen,
                qthreshold,
                ..
            })] if group.is_some() => Some(blob_from_log(
                prefix.as_deref(),
                *group,
                *snaplen,
                *qthreshold,
            )),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn tg(args: &[&str]) -> XtResult<Parsed> {
        run(
            Kind::Target,
            "NFLOG",
            Family::V4,
            0,
            "filter",
            "OUTPUT",
            args,
        )
    }

    fn ctx() -> Ctx<'static> {
        Ctx {
            family: Family::V4,
            proto: 0,
            proto_invert: false,
            table: "filter",
            chain: "OUTPUT",
        }
    }

    #[test]
    fn corpus() {
        let x63 = "x".repeat(63);
        let x65 = "x".repeat(65);
        let s63 = format!(" -j NFLOG --nflog-prefix {x63}");
        let s65 = format!(" -j NFLOG --nflog-prefix {x65}");
        let lines: Vec<(Vec<&str>, Option<&str>)> = vec![
            (
                vec!["--nflog-group", "1"],
                Some(" -j NFLOG --nflog-group 1"),
            ),
            (
                vec!["--nflog-group", "65535"],
                Some(" -j NFLOG --nflog-group 65535"),
            ),
            (vec!["--nflog-group", "65536"], None),
            (vec!["--nflog-group", "0"], Some(" -j NFLOG")),
            // NOMATCH with nf_tables: the range has no effect
            (vec!["--nflog-range", "1"], Some(" -j NFLOG")),
            (vec!["--nflog-range", "4294967295"], Some(" -j NFLOG")),
            (vec!["--nflog-range", "4294967296"], None),
            (vec!["--nflog-range", "-1"], None),
            (vec!["--nflog-size", "0"], Some(" -j NFLOG --nflog-size 0")),
            (vec!["--nflog-size", "1"], Some(" -j NFLOG --nflog-size 1")),
            (
                vec!["--nflog-size", "4294967295"],
                Some(" -j NFLOG --nflog-size 4294967295"),
            ),
            (vec!["--nflog-size", "4294967296"], None),
            (vec!["--nflog-size", "-1"], None),
            (vec!["--nflog-prefix", &x63], Some(&s63)),
            // the corpus (legacy) truncates to 63; 1.8.9 nft keeps 127 bytes
            (vec!["--nflog-prefix", &x65], Some(&s65)),
            (
                vec!["--nflog-threshold", "1"],
                Some(" -j NFLOG --nflog-threshold 1"),
            ),
            (
                vec!["--nflog-threshold", "65535"],
                Some(" -j NFLOG --nflog-threshold 65535"),
            ),
            (vec!["--nflog-threshold", "65536"], None),
            (vec![], Some(" -j NFLOG")),
            // observed
            (
                vec!["--nflog-group", "5", "--nflog-prefix", "nfl"],
                Some(" -j NFLOG --nflog-prefix nfl --nflog-group 5"),
            ),
            (
                vec!["--nflog-group", "0x10"],
                Some(" -j NFLOG --nflog-group 16"),
            ),
            (
                vec!["--nflog-prefix", "a\"b"],
                Some(" -j NFLOG --nflog-prefix \"a\\\"b\""),
            ),
            (vec!["--nflog-prefix", ""], None),
            (vec!["--nflog-range", "5", "--nflog-size", "3"], None),
        ];
        for (args, want) in &lines {
            let got = tg(args);
            match want {
                None => assert!(got.is_err(), "{args:?}"),
                Some(w) => assert_eq!(got.unwrap().save, *w, "{args:?}"),
            }
        }
        let p = tg(&["--nflog-prefix", &"y".repeat(200)]).unwrap();
        assert_eq!(
            p.save,
            format!(" -j NFLOG --nflog-prefix {}", "y".repeat(127))
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            tg(&["--nflog-group", "65536"]).unwrap_err().msg,
            "NFLOG: bad value for option \"--nflog-group\", or out of range (0-65535).\n"
        );
        assert_eq!(
            tg(&["--nflog-size", "-1"]).unwrap_err().msg,
            "NFLOG: bad value for option \"--nflog-size\", or out of range (0-4294967295).\n"
        );
        assert_eq!(
            tg(&["--nflog-size", "3", "--nflog-range", "5"])
                .unwrap_err()
                .msg,
            "NFLOG: option \"--nflog-range\" cannot be used together with \"--nflog-size\".\n"
        );
    }

    #[test]
    fn print_native_and_back() {
        let p = tg(&["--nflog-group", "5", "--nflog-prefix", "nfl"]).unwrap();
        assert_eq!(p.print, " nflog-prefix nfl nflog-group 5");
        assert_eq!(p.print_numeric, " nflog-prefix nfl nflog-group 5");
        let e = Nflog.native(&ctx(), &p.blob).unwrap();
        assert_eq!(
            e,
            vec![Expr::Log {
                prefix: Some("nfl".into()),
                group: Some(5),
                snaplen: None,
                qthreshold: None,
                level: None,
                flags: None
            }]
        );
        let fields: Vec<Field> = e.into_iter().map(Field::Expr).collect();
        assert_eq!(Nflog.decode_native(Family::V4, &fields).unwrap(), p.blob);

        let p = tg(&[]).unwrap();
        assert_eq!(p.print, "");
        let e = Nflog.native(&ctx(), &p.blob).unwrap();
        assert_eq!(
            e,
            vec![Expr::Log {
                prefix: None,
                group: Some(0),
                snaplen: None,
                qthreshold: None,
                level: None,
                flags: None
            }]
        );

        let p = tg(&["--nflog-size", "0", "--nflog-threshold", "3"]).unwrap();
        assert_eq!(p.print, " nflog-size 0 nflog-threshold 3");
        let e = Nflog.native(&ctx(), &p.blob).unwrap();
        assert_eq!(
            e,
            vec![Expr::Log {
                prefix: None,
                group: Some(0),
                snaplen: Some(0),
                qthreshold: Some(3),
                level: None,
                flags: None
            }]
        );
        let fields: Vec<Field> = e.into_iter().map(Field::Expr).collect();
        assert_eq!(Nflog.decode_native(Family::V4, &fields).unwrap(), p.blob);
        assert!(Nflog.decode_native(Family::V4, &[]).is_none());
        let syslog = Field::Expr(Expr::Log {
            prefix: Some("x".into()),
            group: None,
            snaplen: None,
            qthreshold: None,
            level: Some(6),
            flags: None,
        });
        assert!(Nflog.decode_native(Family::V4, &[syslog]).is_none());
    }
}
