//! `owner` match: the local socket's owner (`--uid-owner`, `--gid-owner`
//! with `--suppl-groups`) or whether a socket exists (`--socket-exists`).
//! Only valid on OUTPUT/POSTROUTING (the kernel refuses it elsewhere).
//!
//! Kernel struct `struct xt_owner_match_info { u32 uid_min, uid_max,
//! gid_min, gid_max; u8 match, invert; }` (`xt_owner.h`), revision 1,
//! 24 bytes, host byte order. Users and groups are looked up in
//! /etc/passwd and /etc/group; save always prints numbers, `-L` prints the
//! name of a single id unless `-n`.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u32, rd_u8, wr_u32, wr_u8};
use crate::tables::ext::xtables::{err_bad_value, strtoul_prefix};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 24;
const UID_MIN: usize = 0;
const UID_MAX: usize = 4;
const GID_MIN: usize = 8;
const GID_MAX: usize = 12;
const MATCH: usize = 16;
const INVERT: usize = 17;
const F_UID: u8 = 1 << 0;
const F_GID: u8 = 1 << 1;
const F_SOCKET: u8 = 1 << 2;
const F_SUPPL: u8 = 1 << 3;

/// The `owner` match.
pub struct Owner;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Owner];

static OPTS: &[Opt] = &[
    Opt::req_inv("uid-owner"),
    Opt::req_inv("gid-owner"),
    Opt::flag_inv("socket-exists"),
    Opt::flag("suppl-groups"),
];

/// Entries `(name, id)` of a passwd(5)/group(5) style file.
fn id_db(path: &str) -> Vec<(String, u32)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            let _ = f.next()?;
            let id = f.next()?.parse().ok()?;
            Some((name.to_string(), id))
        })
        .collect()
}

/// The id of a user (`group` false) or group name.
pub(crate) fn id_by_name(group: bool, name: &str) -> Option<u32> {
    let db = id_db(if group { "/etc/group" } else { "/etc/passwd" });
    db.into_iter().find(|(n, _)| n == name).map(|(_, i)| i)
}

/// The name of a user (`group` false) or group id.
pub(crate) fn name_by_id(group: bool, id: u32) -> Option<String> {
    let db = id_db(if group { "/etc/group" } else { "/etc/passwd" });
    db.into_iter().find(|(_, i)| *i == id).map(|(n, _)| n)
}

/// `owner_parse_range`: a name, `N`, `N-M` or `N:M` (strtoul base 0, at
/// most 4294967294 since -1 is reserved).
fn parse_range(group: bool, opt: &str, s: &str) -> XtResult<(u32, u32)> {
    if let Some(id) = id_by_name(group, s) {
        return Ok((id, id));
    }
    let bad = || err_bad_value("owner", opt, s);
    let max = u32::MAX as u64 - 1;
    let (from, rest) = strtoul_prefix(s)
        .filter(|(v, _)| *v <= max)
        .ok_or_else(bad)?;
    let (to, rest) = match rest.strip_prefix(['-', ':']) {
        Some(r) => strtoul_prefix(r)
            .filter(|(v, _)| *v <= max)
            .ok_or_else(bad)?,
        None => (from, rest),
    };
    if !rest.is_empty() {
        return Err(bad());
    }
    Ok((from as u32, to as u32))
}

impl Extension for Owner {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "owner"
    }
    fn revision(&self) -> u32 {
        1
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
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
        let bit = match opt {
            "uid-owner" => {
                let (lo, hi) = parse_range(false, opt, a)?;
                wr_u32(&mut st.blob, UID_MIN, lo);
                wr_u32(&mut st.blob, UID_MAX, hi);
                F_UID
            }
            "gid-owner" => {
                let (lo, hi) = parse_range(true, opt, a)?;
                wr_u32(&mut st.blob, GID_MIN, lo);
                wr_u32(&mut st.blob, GID_MAX, hi);
                F_GID
            }
            "socket-exists" => F_SOCKET,
            "suppl-groups" => {
                if rd_u8(&st.blob, MATCH) & F_GID == 0 {
                    return Err(XtError::param(
                        "owner: Bad value for \"--suppl-groups\" option: \"you need to use --gid-owner first\"",
                    ));
                }
                F_SUPPL
            }
            _ => 0,
        };
        let m = rd_u8(&st.blob, MATCH) | bit;
        wr_u8(&mut st.blob, MATCH, m);
        if invert {
            let i = rd_u8(&st.blob, INVERT) | bit;
            wr_u8(&mut st.blob, INVERT, i);
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "owner: At least one of --uid-owner, --gid-owner or --socket-exists is required",
            ));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        text(blob, false, ctx.numeric, out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        text(blob, true, true, out);
    }
}

/// `owner_mt_print_item` for each flag in iptables' order.
fn text(blob: &[u8], save: bool, numeric: bool, out: &mut String) {
    let m = rd_u8(blob, MATCH);
    let inv = rd_u8(blob, INVERT);
    for (bit, label, opt) in [
        (F_SOCKET, "owner socket exists", "--socket-exists"),
        (F_UID, "owner UID match", "--uid-owner"),
        (F_GID, "owner GID match", "--gid-owner"),
        (F_SUPPL, "incl. suppl. groups", "--suppl-groups"),
    ] {
        if m & bit == 0 {
            continue;
        }
        if inv & bit != 0 {
            out.push_str(" !");
        }
        out.push(' ');
        out.push_str(if save { opt } else { label });
        let (lo, hi) = match bit {
            F_UID => (rd_u32(blob, UID_MIN), rd_u32(blob, UID_MAX)),
            F_GID => (rd_u32(blob, GID_MIN), rd_u32(blob, GID_MAX)),
            _ => continue,
        };
        if lo != hi {
            out.push_str(&format!(" {lo}-{hi}"));
            continue;
        }
        match name_by_id(bit == F_GID, lo).filter(|_| !numeric) {
            Some(n) => out.push_str(&format!(" {n}")),
            None => out.push_str(&format!(" {lo}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};

    #[test]
    fn corpus_lines() {
        for l in [
            "-m owner --uid-owner root;-m owner --uid-owner 0;OK",
            "-m owner --uid-owner 0-10;=;OK",
            "-m owner --gid-owner root;-m owner --gid-owner 0;OK",
            "-m owner --gid-owner 0-10;=;OK",
            "-m owner --uid-owner root --gid-owner root;-m owner --uid-owner 0 --gid-owner 0;OK",
            "-m owner --uid-owner 0-10 --gid-owner 0-10;=;OK",
            "-m owner ! --uid-owner root;-m owner ! --uid-owner 0;OK",
            "-m owner --socket-exists;=;OK",
            "-m owner --gid-owner 0-10 --suppl-groups;=;OK",
            "-m owner --suppl-groups --gid-owner 0-10;;FAIL",
            "-m owner --gid-owner 0-10 ! --suppl-groups;;FAIL",
            "-m owner --suppl-groups;;FAIL",
        ] {
            check(Family::V4, "OUTPUT", l);
            check(Family::V6, "OUTPUT", l);
        }
        // `:INPUT -m owner --uid-owner root;;FAIL` is the kernel's refusal
        // (hook mask), not checked here.
    }

    #[test]
    fn observed() {
        let p = parse(
            Family::V4,
            "OUTPUT",
            "-m owner ! --uid-owner 0-10 --gid-owner 2 --suppl-groups",
        )
        .unwrap();
        assert_eq!(
            p.save,
            " -m owner ! --uid-owner 0-10 --gid-owner 2 --suppl-groups"
        );
        // iptables -vvv
        assert_eq!(
            p.blob,
            [0, 0, 0, 0, 10, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0x0b, 1, 0, 0, 0, 0, 0, 0]
        );
        let p = parse(
            Family::V4,
            "OUTPUT",
            "-m owner --uid-owner 1:5 ! --socket-exists",
        )
        .unwrap();
        assert_eq!(p.save, " -m owner ! --socket-exists --uid-owner 1-5");
        assert_eq!(p.print, " ! owner socket exists owner UID match 1-5");
        let p = parse(Family::V4, "OUTPUT", "-m owner --uid-owner 0 --gid-owner 0").unwrap();
        assert_eq!(p.print_numeric, " owner UID match 0 owner GID match 0");
        if name_by_id(false, 0).as_deref() == Some("root") {
            assert_eq!(p.print, " owner UID match root owner GID match root");
        }
        let p = parse(Family::V4, "OUTPUT", "-m owner --uid-owner 0x10").unwrap();
        assert_eq!(p.save, " -m owner --uid-owner 16");
    }

    #[test]
    fn errors() {
        let e = |r: &str| parse(Family::V4, "OUTPUT", r).unwrap_err().msg;
        assert_eq!(
            e("-m owner"),
            "owner: At least one of --uid-owner, --gid-owner or --socket-exists is required"
        );
        for a in ["4294967295", "1-", "1x", "5-4294967295"] {
            assert_eq!(
                e(&format!("-m owner --uid-owner {a}")),
                format!("owner: Bad value for \"--uid-owner\" option: \"{a}\"")
            );
        }
        assert_eq!(
            e("-m owner --suppl-groups"),
            "owner: Bad value for \"--suppl-groups\" option: \"you need to use --gid-owner first\""
        );
    }
}
