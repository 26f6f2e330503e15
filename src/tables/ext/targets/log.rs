//! `LOG` target: logs matching packets to the kernel log (`--log-level`,
//! `--log-prefix`, `--log-tcp-sequence`, `--log-tcp-options`,
//! `--log-ip-options`, `--log-uid`, `--log-macdecode`).
//!
//! Kernel struct `struct xt_log_info { u8 level; u8 logflags; char
//! prefix[30]; }`, rev 0, 32 bytes, both families. Default level 4
//! (`warning`), which save omits. The prefix keeps its first 29 bytes.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{parse_uint, rd_str, rd_u8, save_string, wr_str, wr_u8};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// `sizeof(prefix)`
const PREFIX_LEN: usize = 30;
/// `LOG_WARNING`
const DEFAULT_LEVEL: u8 = 4;

/// `XT_LOG_TCPSEQ`
const TCPSEQ: u8 = 0x01;
/// `XT_LOG_TCPOPT`
const TCPOPT: u8 = 0x02;
/// `XT_LOG_IPOPT`
const IPOPT: u8 = 0x04;
/// `XT_LOG_UID`
const UID: u8 = 0x08;
/// `XT_LOG_MACDECODE`
const MACDECODE: u8 = 0x20;
/// `XT_LOG_MASK`
const MASK: u8 = 0x2f;

/// The `LOG` target.
pub struct Log;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Log];

static OPTS: &[Opt] = &[
    Opt::req("log-level"),
    Opt::req("log-prefix"),
    Opt::flag("log-tcp-sequence"),
    Opt::flag("log-tcp-options"),
    Opt::flag("log-ip-options"),
    Opt::flag("log-uid"),
    Opt::flag("log-macdecode"),
];

/// The level names libxtables' `XTTYPE_SYSLOGLEVEL` accepts.
const LEVEL_NAMES: &[(&str, u8)] = &[
    ("emerg", 0),
    ("alert", 1),
    ("crit", 2),
    ("error", 3),
    ("warning", 4),
    ("notice", 5),
    ("info", 6),
    ("debug", 7),
    ("panic", 0),
];

/// The first name glibc's `prioritynames` gives a level (what `-L` shows).
fn level_name(level: u8) -> Option<&'static str> {
    const NAMES: [&str; 8] = [
        "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
    ];
    if level == 16 {
        // glibc's INTERNAL_NOPRI
        return Some("none");
    }
    NAMES.get(level as usize).copied()
}

/// Parses a syslog level: a number 0..=7 or one of [`LEVEL_NAMES`]
/// (`log level "X" unknown`).
pub(crate) fn parse_level(s: &str) -> XtResult<u8> {
    if let Some(v) = parse_uint(s, 0, 7) {
        return Ok(v as u8);
    }
    LEVEL_NAMES
        .iter()
        .find(|(n, _)| *n == s)
        .map(|(_, v)| *v)
        .ok_or_else(|| XtError::param(format!("log level \"{s}\" unknown\n")))
}

impl Extension for Log {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "LOG"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        32
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_u8(&mut st.blob, 0, DEFAULT_LEVEL);
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
        let flag = match opt {
            "log-level" => {
                let l = parse_level(arg)?;
                wr_u8(&mut st.blob, 0, l);
                return Ok(());
            }
            "log-prefix" => {
                if arg.is_empty() {
                    return Err(XtError::param(
                        "Argument must have a minimum length of 1 characters\n",
                    ));
                }
                wr_str(&mut st.blob, 2, PREFIX_LEN, arg);
                if arg.contains('\n') {
                    return Err(XtError::param("Newlines not allowed in --log-prefix"));
                }
                return Ok(());
            }
            "log-tcp-sequence" => TCPSEQ,
            "log-tcp-options" => TCPOPT,
            "log-ip-options" => IPOPT,
            "log-uid" => UID,
            "log-macdecode" => MACDECODE,
            _ => 0,
        };
        let f = rd_u8(&st.blob, 1) | flag;
        wr_u8(&mut st.blob, 1, f);
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let level = rd_u8(blob, 0);
        let flags = rd_u8(blob, 1);
        out.push_str(" LOG");
        if ctx.numeric {
            out.push_str(&format!(" flags {flags} level {level}"));
        } else {
            match level_name(level) {
                Some(n) => out.push_str(&format!(" level {n}")),
                None => out.push_str(&format!(" UNKNOWN level {level}")),
            }
            for (bit, word) in [
                (TCPSEQ, " tcp-sequence"),
                (TCPOPT, " tcp-options"),
                (IPOPT, " ip-options"),
                (UID, " uid"),
                (MACDECODE, " macdecode"),
            ] {
                if flags & bit != 0 {
                    out.push_str(word);
                }
            }
            if flags & !MASK != 0 {
                out.push_str(" unknown-flags");
            }
        }
        let prefix = rd_str(blob, 2, PREFIX_LEN);
        if !prefix.is_empty() {
            out.push_str(&format!(" prefix \"{prefix}\""));
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let level = rd_u8(blob, 0);
        let flags = rd_u8(blob, 1);
        let prefix = rd_str(blob, 2, PREFIX_LEN);
        if !prefix.is_empty() {
            out.push_str(" --log-prefix ");
            save_string(&prefix, out);
        }
        if level != DEFAULT_LEVEL {
            out.push_str(&format!(" --log-level {level}"));
        }
        for (bit, word) in [
            (TCPSEQ, " --log-tcp-sequence"),
            (TCPOPT, " --log-tcp-options"),
            (IPOPT, " --log-ip-options"),
            (UID, " --log-uid"),
            (MACDECODE, " --log-macdecode"),
        ] {
            if flags & bit != 0 {
                out.push_str(word);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn tg(fam: Family, args: &[&str]) -> XtResult<crate::tables::ext::testing::Parsed> {
        run(Kind::Target, "LOG", fam, 0, "filter", "INPUT", args)
    }

    #[test]
    fn corpus_both() {
        let lines: &[(&[&str], Option<&str>)] = &[
            (&[], Some(" -j LOG")),
            (
                &["--log-prefix", "test: "],
                Some(" -j LOG --log-prefix \"test: \""),
            ),
            (
                &["--log-prefix", "test: ", "--log-level", "1"],
                Some(" -j LOG --log-prefix \"test: \" --log-level 1"),
            ),
            (
                &["--log-prefix", "test: ", "--log-level", "alert"],
                Some(" -j LOG --log-prefix \"test: \" --log-level 1"),
            ),
            (
                &["--log-prefix", "test: ", "--log-tcp-sequence"],
                Some(" -j LOG --log-prefix \"test: \" --log-tcp-sequence"),
            ),
            (
                &["--log-prefix", "test: ", "--log-tcp-options"],
                Some(" -j LOG --log-prefix \"test: \" --log-tcp-options"),
            ),
            (
                &["--log-prefix", "test: ", "--log-ip-options"],
                Some(" -j LOG --log-prefix \"test: \" --log-ip-options"),
            ),
            (
                &["--log-prefix", "test: ", "--log-uid"],
                Some(" -j LOG --log-prefix \"test: \" --log-uid"),
            ),
            (&["--log-prefix", "test: ", "--log-level", "bad"], None),
            (&["--log-prefix"], None),
            // observed
            (&["--log-level", "4"], Some(" -j LOG")),
            (&["--log-level", "warning"], Some(" -j LOG")),
            (&["--log-level", "0x3"], Some(" -j LOG --log-level 3")),
            (&["--log-level", "panic"], Some(" -j LOG --log-level 0")),
            (&["--log-level", "err"], None),
            (&["--log-level", "warn"], None),
            (&["--log-level", "8"], None),
            (&["--log-level", "-0"], None),
            (&["--log-prefix", ""], None),
            (&["--log-prefix", "a\nb"], None),
            (
                &["--log-prefix", "a\"b"],
                Some(" -j LOG --log-prefix \"a\\\"b\""),
            ),
            (
                &["--log-prefix", &"a".repeat(36)],
                Some(" -j LOG --log-prefix aaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            ),
        ];
        for fam in [Family::V4, Family::V6] {
            for (args, want) in lines {
                let got = tg(fam, args);
                match want {
                    None => assert!(got.is_err(), "{args:?}"),
                    Some(w) => assert_eq!(got.unwrap().save, *w, "{args:?}"),
                }
            }
        }
    }

    #[test]
    fn print_and_blob() {
        let p = tg(Family::V4, &["--log-prefix", "lim: ", "--log-level", "4"]).unwrap();
        assert_eq!(p.print, " LOG level warn prefix \"lim: \"");
        assert_eq!(p.print_numeric, " LOG flags 0 level 4 prefix \"lim: \"");
        let p = tg(Family::V4, &["--log-prefix", "lim:", "--log-uid"]).unwrap();
        let mut want = vec![0u8; 32];
        want[..6].copy_from_slice(&[4, 8, b'l', b'i', b'm', b':']);
        assert_eq!(p.blob, want);
        let p = tg(
            Family::V4,
            &[
                "--log-level",
                "7",
                "--log-tcp-sequence",
                "--log-tcp-options",
                "--log-ip-options",
                "--log-uid",
                "--log-macdecode",
            ],
        )
        .unwrap();
        assert_eq!(
            p.print,
            " LOG level debug tcp-sequence tcp-options ip-options uid macdecode"
        );
        assert_eq!(p.print_numeric, " LOG flags 47 level 7");
        assert_eq!(
            p.save,
            " -j LOG --log-level 7 --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid --log-macdecode"
        );
        let p = tg(Family::V4, &["--log-level", "error"]).unwrap();
        assert_eq!(p.print, " LOG level err");
        let p = tg(Family::V4, &["--log-prefix", "a\"b"]).unwrap();
        assert_eq!(p.print, " LOG level warn prefix \"a\"b\"");
        let e = tg(Family::V4, &["--log-level", "bad"]).unwrap_err();
        assert_eq!(e.msg, "log level \"bad\" unknown\n");
        let e = tg(Family::V4, &["--log-prefix", ""]).unwrap_err();
        assert_eq!(
            e.msg,
            "Argument must have a minimum length of 1 characters\n"
        );
    }
}
