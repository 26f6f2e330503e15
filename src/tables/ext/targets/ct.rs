//! `CT` target: attaches a conntrack template to the packet (no tracking,
//! helper, timeout policy, event masks, zone). Kernel struct
//! `xt_ct_target_info_v1 { __u16 flags, zone; __u32 ct_events, exp_events;
//! char helper[16], timeout[32]; struct nf_conn *ct; }`, revision 2,
//! 72 bytes (the last 8 are the kernel's pointer, not compared).
//!
//! `-j NOTRACK` (see `notrack.rs`) is the same kernel target with
//! `XT_CT_NOTRACK_ALIAS` set; this extension decodes those blobs too and
//! then saves them as `-j NOTRACK` and prints ` NOTRACK`.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{parse_uint, rd_str, rd_u16, rd_u32, wr_str, wr_u16, wr_u32};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// `XT_CT_NOTRACK`
pub(crate) const NOTRACK: u16 = 1 << 0;
/// `XT_CT_NOTRACK_ALIAS`
pub(crate) const NOTRACK_ALIAS: u16 = 1 << 1;
/// `XT_CT_ZONE_DIR_ORIG`
const ZONE_DIR_ORIG: u16 = 1 << 2;
/// `XT_CT_ZONE_DIR_REPL`
const ZONE_DIR_REPL: u16 = 1 << 3;
/// `XT_CT_ZONE_MARK`
const ZONE_MARK: u16 = 1 << 4;

/// Blob offsets and sizes.
pub(crate) const FLAGS: usize = 0;
const ZONE: usize = 2;
const CT_EVENTS: usize = 4;
const EXP_EVENTS: usize = 8;
const HELPER: usize = 12;
const HELPER_LEN: usize = 16;
const TIMEOUT: usize = 28;
const TIMEOUT_LEN: usize = 32;
/// `XT_ALIGN(sizeof(struct xt_ct_target_info_v1))`
pub(crate) const SIZE: usize = 72;
/// `offsetof(struct xt_ct_target_info_v1, ct)`
pub(crate) const USERSPACE_SIZE: usize = 64;

/// Conntrack event names by bit (`IPCT_NEW` ... `IPCT_SECMARK`).
static CT_EVENT_NAMES: &[&str] = &[
    "new",
    "related",
    "destroy",
    "reply",
    "assured",
    "protoinfo",
    "helper",
    "mark",
    "natseqinfo",
    "secmark",
];
/// Expectation event names by bit (`IPEXP_NEW`).
static EXP_EVENT_NAMES: &[&str] = &["new"];

/// The `CT` target.
pub struct Ct;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Ct];

static OPTS: &[Opt] = &[
    Opt::flag("notrack"),
    Opt::req("helper"),
    Opt::req("timeout"),
    Opt::req("ctevents"),
    Opt::req("expevents"),
    Opt::req("zone-orig"),
    Opt::req("zone-reply"),
    Opt::req("zone"),
];

/// Parses a comma-separated event list against `names`.
fn parse_events(arg: &str, names: &[&str]) -> XtResult<u32> {
    let mut mask = 0u32;
    for word in arg.split(',') {
        let bit = names
            .iter()
            .position(|n| *n == word)
            .ok_or_else(|| XtError::param(format!("Unknown event type \"{word}\"")))?;
        mask |= 1 << bit;
    }
    Ok(mask)
}

/// The comma-separated names of the bits set in `mask`.
fn events_text(mask: u32, names: &[&str]) -> String {
    names
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(",")
}

/// `-orig`, `-reply` or nothing (both or neither direction).
fn direction(flags: u16) -> &'static str {
    match flags & (ZONE_DIR_ORIG | ZONE_DIR_REPL) {
        ZONE_DIR_ORIG => "-orig",
        ZONE_DIR_REPL => "-reply",
        _ => "",
    }
}

impl Extension for Ct {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "CT"
    }
    fn revision(&self) -> u32 {
        2
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn userspace_size(&self, _family: Family) -> usize {
        USERSPACE_SIZE
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
        let b = &mut st.blob;
        let mut flags = rd_u16(b, FLAGS);
        match opt {
            "notrack" => flags |= NOTRACK,
            "helper" => wr_str(b, HELPER, HELPER_LEN, arg),
            "timeout" => wr_str(b, TIMEOUT, TIMEOUT_LEN, arg),
            "ctevents" => wr_u32(b, CT_EVENTS, parse_events(arg, CT_EVENT_NAMES)?),
            "expevents" => wr_u32(b, EXP_EVENTS, parse_events(arg, EXP_EVENT_NAMES)?),
            _ => {
                if opt == "zone-orig" {
                    flags |= ZONE_DIR_ORIG;
                } else if opt == "zone-reply" {
                    flags |= ZONE_DIR_REPL;
                }
                let zone = if arg.eq_ignore_ascii_case("mark") {
                    flags |= ZONE_MARK;
                    0
                } else {
                    parse_uint(arg, 0, u16::MAX as u64)
                        .ok_or_else(|| XtError::param(format!("Cannot parse {arg} as a zone ID")))?
                        as u16
                };
                wr_u16(b, ZONE, zone);
            }
        }
        wr_u16(b, FLAGS, flags);
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let flags = rd_u16(blob, FLAGS);
        if flags & NOTRACK_ALIAS != 0 {
            out.push_str(" NOTRACK");
            return;
        }
        out.push_str(" CT");
        write_opts(blob, "", out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u16(blob, FLAGS) & NOTRACK_ALIAS != 0 {
            return;
        }
        write_opts(blob, "--", out);
    }
    fn save_name(&self, blob: &[u8]) -> &'static str {
        if rd_u16(blob, FLAGS) & NOTRACK_ALIAS != 0 {
            "NOTRACK"
        } else {
            "CT"
        }
    }
}

/// The options in `-L` (`pre` empty) or save (`pre` `--`) form.
fn write_opts(blob: &[u8], pre: &str, out: &mut String) {
    let flags = rd_u16(blob, FLAGS);
    if flags & NOTRACK != 0 {
        out.push_str(&format!(" {pre}notrack"));
    }
    let helper = rd_str(blob, HELPER, HELPER_LEN);
    if !helper.is_empty() {
        out.push_str(&format!(" {pre}helper {helper}"));
    }
    let timeout = rd_str(blob, TIMEOUT, TIMEOUT_LEN);
    if !timeout.is_empty() {
        out.push_str(&format!(" {pre}timeout {timeout}"));
    }
    let ev = rd_u32(blob, CT_EVENTS);
    if ev != 0 {
        out.push_str(&format!(
            " {pre}ctevents {}",
            events_text(ev, CT_EVENT_NAMES)
        ));
    }
    let ev = rd_u32(blob, EXP_EVENTS);
    if ev != 0 {
        out.push_str(&format!(
            " {pre}expevents {}",
            events_text(ev, EXP_EVENT_NAMES)
        ));
    }
    let zone = rd_u16(blob, ZONE);
    if flags & ZONE_MARK != 0 {
        out.push_str(&format!(" {pre}zone{} mark", direction(flags)));
    } else if zone != 0 {
        out.push_str(&format!(" {pre}zone{} {zone}", direction(flags)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn t(args: &str) -> XtResult<Parsed> {
        let a: Vec<&str> = args.split(' ').filter(|s| !s.is_empty()).collect();
        run(Kind::Target, "CT", Family::V4, 0, "raw", "PREROUTING", &a)
    }

    #[test]
    fn corpus() {
        for args in [
            "--notrack",
            "--ctevents new,related,destroy,reply,assured,protoinfo,helper,mark",
            "--expevents new",
            "--zone 65535",
            "--timeout test",
            "--helper rpc",
        ] {
            assert_eq!(t(args).unwrap().save, format!(" -j CT {args}"));
        }
        assert_eq!(t("--zone 0").unwrap().save, " -j CT");
        assert!(t("--zone 65536").is_err());
        assert!(t("--zone -1").is_err());
    }

    #[test]
    fn observed() {
        for (args, save) in [
            ("", ""),
            ("--zone mark", " --zone mark"),
            ("--zone MARK", " --zone mark"),
            ("--zone-orig 5", " --zone-orig 5"),
            ("--zone-reply mark", " --zone-reply mark"),
            ("--zone-orig mark --zone-reply 3", " --zone mark"),
            ("--zone-orig mark --zone 5", " --zone-orig mark"),
            ("--zone-reply 7 --zone-orig 3", " --zone 3"),
            ("--zone-orig 2 --zone 1", " --zone-orig 1"),
            ("--zone-orig 0", ""),
            ("--zone 0x10", " --zone 16"),
            ("--ctevents new,new", " --ctevents new"),
            (
                "--ctevents natseqinfo,secmark",
                " --ctevents natseqinfo,secmark",
            ),
            ("--helper ftp --notrack", " --notrack --helper ftp"),
            (
                "--helper ftp --timeout x --ctevents new --expevents new --zone-reply 7 --notrack",
                " --notrack --helper ftp --timeout x --ctevents new --expevents new --zone-reply 7",
            ),
        ] {
            let p = t(args).unwrap();
            assert_eq!(p.save, format!(" -j CT{save}"), "{args}");
            let print = format!(" CT{}", save.replace(" --", " "));
            assert_eq!(p.print, print, "{args}");
            assert_eq!(p.print_numeric, print, "{args}");
        }
        let p = t("--ctevents new --expevents new --zone 3").unwrap();
        let mut want = vec![0u8; 72];
        want[2] = 3;
        want[4] = 1;
        want[8] = 1;
        assert_eq!(p.blob, want);
        let p = t("--helper ftp --notrack").unwrap();
        let mut want = vec![0u8; 72];
        want[0] = 1;
        want[12..15].copy_from_slice(b"ftp");
        assert_eq!(p.blob, want);
        // 17 characters: truncated to 15 as libxtables' string options do.
        let p = t("--helper 0123456789abcdefg").unwrap();
        assert_eq!(p.save, " -j CT --helper 0123456789abcde");
    }

    #[test]
    fn notrack_alias_blob() {
        let mut b = vec![0u8; 72];
        b[0] = 3;
        let p = PrintCtx {
            family: Family::V4,
            numeric: false,
            proto: 0,
        };
        assert_eq!(Ct.save_name(&b), "NOTRACK");
        let mut s = String::new();
        Ct.save(&p, &b, &mut s);
        assert_eq!(s, "");
        Ct.print(&p, &b, &mut s);
        assert_eq!(s, " NOTRACK");
        assert!(Ct.claims("CT", 2));
    }

    #[test]
    fn errors() {
        for (args, msg) in [
            ("--zone 65536", "Cannot parse 65536 as a zone ID"),
            ("--zone 5x", "Cannot parse 5x as a zone ID"),
            ("--ctevents foo", "Unknown event type \"foo\""),
            ("--ctevents NEW", "Unknown event type \"NEW\""),
            ("--ctevents new,", "Unknown event type \"\""),
            ("--expevents related", "Unknown event type \"related\""),
        ] {
            assert_eq!(t(args).unwrap_err().msg, msg, "{args}");
        }
    }
}
