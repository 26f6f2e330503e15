//! `SET` target: adds/deletes the packet's addresses/ports to/from ipsets,
//! or maps set element extensions onto the packet (`struct
//! xt_set_info_target_v3 { struct xt_set_info add_set, del_set, map_set;
//! __u32 flags, timeout; }`, revision 3, 24 bytes; `xt_set_info` is
//! `{ __u16 index; __u8 dim, flags; }`, index 65535 meaning "no set").
//!
//! The blob holds set indexes, which only the kernel knows (iptables asks
//! through `getsockopt(SO_IP_SET)`, which needs `unsafe` code this module
//! does not have). The program registers a [`TargetSetResolver`] with
//! [`set_target_resolver`]; without one every set is missing (`Set NAME
//! doesn't exist.`), as when no such set exists.
//!
//! `--add-set`, `--del-set` and `--map-set` take two words (`NAME FLAGS`),
//! which the command-line parser passes joined by one space.
//!
//! Not checked against the real tool beyond its error paths: this system
//! has no `ipset` to create a set with.

use std::sync::OnceLock;

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{parse_uint, rd_u16, rd_u32, rd_u8, wr_u16, wr_u32, wr_u8};
use crate::tables::ext::{Arg, Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const ADD_SET: usize = 0;
const DEL_SET: usize = 4;
const MAP_SET: usize = 8;
const FLAGS: usize = 12;
const TIMEOUT: usize = 16;

/// `IPSET_INVALID_ID`
const INVALID_ID: u16 = 65535;
/// `IPSET_MAXNAMELEN`
const MAXNAMELEN: usize = 32;
/// `IPSET_DIM_MAX`
const DIM_MAX: u8 = 6;
/// `IPSET_FLAG_EXIST`
const F_EXIST: u32 = 1 << 0;
/// `IPSET_FLAG_MAP_SKBMARK`
const F_MAP_MARK: u32 = 1 << 8;
/// `IPSET_FLAG_MAP_SKBPRIO`
const F_MAP_PRIO: u32 = 1 << 9;
/// `IPSET_FLAG_MAP_SKBQUEUE`
const F_MAP_QUEUE: u32 = 1 << 10;

/// How the program finds ipsets in the kernel (same shape as the `set`
/// match's resolver, so one object can serve both).
pub trait TargetSetResolver: Sync + Send {
    /// The index and family (`NFPROTO_*`, 0 for any) of the set `name`, or
    /// `None` when no such set exists.
    fn by_name(&self, name: &str) -> XtResult<Option<(u16, u8)>>;
    /// The name of the set with kernel index `index`.
    fn by_index(&self, index: u16) -> Option<String>;
}

static RESOLVER: OnceLock<&'static dyn TargetSetResolver> = OnceLock::new();

/// Registers the ipset lookup for the `SET` target (once).
pub fn set_target_resolver(r: &'static dyn TargetSetResolver) {
    let _ = RESOLVER.set(r);
}

/// The `SET` target.
pub struct SetTarget;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&SetTarget];

/// Old-style options: iptables lets the extension see `!` and repeats.
const fn opt(name: &'static str, arg: bool) -> Opt {
    Opt {
        name,
        arg: if arg { Arg::Required } else { Arg::None },
        invert: true,
        multi: true,
    }
}

static OPTS: &[Opt] = &[
    opt("add-set", true),
    opt("del-set", true),
    opt("exist", false),
    opt("timeout", true),
    opt("map-set", true),
    opt("map-mark", false),
    opt("map-prio", false),
    opt("map-queue", false),
];

/// `State::flags` bits (iptables' option flags).
const S_ADD: u32 = 1;
const S_DEL: u32 = 2;
const S_EXIST: u32 = 4;
const S_TIMEOUT: u32 = 8;
const S_MAP: u32 = 16;
const S_MAP_MARK: u32 = 32;
const S_MAP_PRIO: u32 = 64;
const S_MAP_QUEUE: u32 = 128;

/// Looks a set up by name for `family`.
fn lookup(name: &str, family: Family) -> XtResult<u16> {
    let missing = || XtError::param(format!("Set {name} doesn't exist.\n"));
    let r = RESOLVER.get().ok_or_else(missing)?;
    let (index, fam) = r.by_name(name)?.ok_or_else(missing)?;
    if fam != 0 && fam != family.nfproto() {
        let f = if fam == Family::V4.nfproto() {
            "IPv4"
        } else {
            "IPv6"
        };
        return Err(XtError::param(format!(
            "The protocol family of set {name} is {f}, which is not applicable.\n"
        )));
    }
    Ok(index)
}

/// `--add-set NAME FLAGS` and friends into the `xt_set_info` at `off`.
fn parse_target(
    family: Family,
    what: &str,
    arg: &str,
    blob: &mut [u8],
    off: usize,
) -> XtResult<()> {
    if rd_u8(blob, off + 2) != 0 {
        return Err(XtError::param(format!(
            "--{what} can be specified only once"
        )));
    }
    let (name, dirs) = match arg.split_once(' ') {
        Some((n, d)) if !d.is_empty() && !d.starts_with(['-', '!']) => (n, d),
        _ => {
            return Err(XtError::param(format!("--{what} requires two args.")));
        }
    };
    if name.len() > MAXNAMELEN - 1 {
        return Err(XtError::param(format!(
            "setname `{name}' too long, max {} characters.",
            MAXNAMELEN - 1
        )));
    }
    let index = lookup(name, family)?;
    wr_u16(blob, off, index);
    let mut dim = 0u8;
    let mut flags = 0u8;
    let mut parts = dirs.split(',');
    let mut next = parts.next();
    while dim < DIM_MAX {
        let Some(p) = next else { break };
        dim += 1;
        if p.starts_with("src") {
            flags |= 1 << dim;
        } else if !p.starts_with("dst") {
            return Err(XtError::param(
                "You must spefify (the comma separated list of) 'src' or 'dst'.",
            ));
        }
        next = parts.next();
    }
    if next.is_some() {
        return Err(XtError::param(format!(
            "Can't be more src/dst options than {DIM_MAX}."
        )));
    }
    wr_u8(blob, off + 2, dim);
    wr_u8(blob, off + 3, flags);
    Ok(())
}

impl Extension for SetTarget {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "SET"
    }
    fn revision(&self) -> u32 {
        3
    }
    fn size(&self, _family: Family) -> usize {
        24
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_u16(&mut st.blob, ADD_SET, INVALID_ID);
        wr_u16(&mut st.blob, DEL_SET, INVALID_ID);
        wr_u16(&mut st.blob, MAP_SET, INVALID_ID);
        wr_u32(&mut st.blob, TIMEOUT, u32::MAX);
    }
    fn parse(
        &self,
        ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let argv = arg.unwrap_or("");
        let b = &mut st.blob;
        let mut flags = rd_u32(b, FLAGS);
        let s = match opt {
            "add-set" => {
                parse_target(ctx.family, opt, argv, b, ADD_SET)?;
                S_ADD
            }
            "del-set" => {
                parse_target(ctx.family, opt, argv, b, DEL_SET)?;
                S_DEL
            }
            "map-set" => {
                parse_target(ctx.family, opt, argv, b, MAP_SET)?;
                S_MAP
            }
            "exist" => {
                flags |= F_EXIST;
                S_EXIST
            }
            "timeout" => {
                let v = parse_uint(argv, 0, u32::MAX as u64 - 1).ok_or_else(|| {
                    XtError::param(format!(
                        "Invalid value for option --timeout or out of range 0-{}",
                        u32::MAX - 1
                    ))
                })?;
                wr_u32(b, TIMEOUT, v as u32);
                S_TIMEOUT
            }
            "map-mark" => {
                flags |= F_MAP_MARK;
                S_MAP_MARK
            }
            "map-prio" => {
                flags |= F_MAP_PRIO;
                S_MAP_PRIO
            }
            _ => {
                flags |= F_MAP_QUEUE;
                S_MAP_QUEUE
            }
        };
        wr_u32(b, FLAGS, flags);
        st.flags |= s;
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        let f = st.flags;
        if f & (S_ADD | S_DEL | S_MAP) == 0 {
            return Err(XtError::param(
                "You must specify either `--add-set' or `--del-set' or `--map-set'",
            ));
        }
        if f & S_ADD == 0 {
            if f & S_EXIST != 0 {
                return Err(XtError::param(
                    "Option `--exist' can be used with `--add-set' only",
                ));
            }
            if f & S_TIMEOUT != 0 {
                return Err(XtError::param(
                    "Option `--timeout' can be used with `--add-set' only",
                ));
            }
        }
        if f & S_MAP == 0 {
            for (bit, name) in [
                (S_MAP_MARK, "map-mark"),
                (S_MAP_PRIO, "map-prio"),
                (S_MAP_QUEUE, "map-queue"),
            ] {
                if f & bit != 0 {
                    return Err(XtError::param(format!(
                        "Option `--{name}' can be used with `--map-set' only"
                    )));
                }
            }
        }
        if f & S_MAP != 0 && f & (S_MAP_MARK | S_MAP_PRIO | S_MAP_QUEUE) == 0 {
            return Err(XtError::param(
                "You must specify flags `--map-mark' or `--map-prio` or `--map-queue'",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        write_opts(blob, "", out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        write_opts(blob, "--", out);
    }
}

/// ` PRE-add-set NAME src,dst ...` for print (`pre` empty) or save.
fn write_opts(blob: &[u8], pre: &str, out: &mut String) {
    let flags = rd_u32(blob, FLAGS);
    set_text(blob, ADD_SET, &format!("{pre}add-set"), out);
    if flags & F_EXIST != 0 {
        out.push_str(&format!(" {pre}exist"));
    }
    let timeout = rd_u32(blob, TIMEOUT);
    if timeout != u32::MAX {
        out.push_str(&format!(" {pre}timeout {timeout}"));
    }
    set_text(blob, DEL_SET, &format!("{pre}del-set"), out);
    set_text(blob, MAP_SET, &format!("{pre}map-set"), out);
    for (bit, name) in [
        (F_MAP_MARK, "map-mark"),
        (F_MAP_PRIO, "map-prio"),
        (F_MAP_QUEUE, "map-queue"),
    ] {
        if flags & bit != 0 {
            out.push_str(&format!(" {pre}{name}"));
        }
    }
}

/// ` PREFIX NAME src,dst` for the set info at `off`, nothing when unused.
fn set_text(blob: &[u8], off: usize, prefix: &str, out: &mut String) {
    let index = rd_u16(blob, off);
    if index == INVALID_ID {
        return;
    }
    let name = RESOLVER
        .get()
        .and_then(|r| r.by_index(index))
        .unwrap_or_default();
    out.push_str(&format!(" {prefix} {name}"));
    let (dim, flags) = (rd_u8(blob, off + 2), rd_u8(blob, off + 3));
    for i in 1..=dim.min(DIM_MAX) {
        out.push_str(if i == 1 { " " } else { "," });
        out.push_str(if flags & (1 << i) != 0 { "src" } else { "dst" });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    struct Fake;
    impl TargetSetResolver for Fake {
        fn by_name(&self, name: &str) -> XtResult<Option<(u16, u8)>> {
            Ok(match name {
                "bar" => Some((3, 0)),
                "six" => Some((4, Family::V6.nfproto())),
                _ => None,
            })
        }
        fn by_index(&self, index: u16) -> Option<String> {
            (index == 3).then(|| "bar".to_string())
        }
    }

    fn t(args: &[&str]) -> XtResult<Parsed> {
        set_target_resolver(&Fake);
        run(Kind::Target, "SET", Family::V4, 0, "filter", "INPUT", args)
    }

    #[test]
    fn corpus_and_errors() {
        // libxt_SET.t: foo does not exist.
        assert_eq!(
            t(&["--add-set", "foo src,dst"]).unwrap_err().msg,
            "Set foo doesn't exist.\n"
        );
        for (args, msg) in [
            (
                &[][..],
                "You must specify either `--add-set' or `--del-set' or `--map-set'",
            ),
            (
                &["--timeout", "5"][..],
                "You must specify either `--add-set' or `--del-set' or `--map-set'",
            ),
            (&["--add-set", "foo"][..], "--add-set requires two args."),
            (&["--add-set", "foo -x"][..], "--add-set requires two args."),
            (
                &["--add-set", "bar src", "--timeout", "x"][..],
                "Invalid value for option --timeout or out of range 0-4294967294",
            ),
            (
                &["--add-set", "0123456789012345678901234567890123 src"][..],
                "setname `0123456789012345678901234567890123' too long, max 31 characters.",
            ),
            (
                &["--add-set", "six src"][..],
                "The protocol family of set six is IPv6, which is not applicable.\n",
            ),
            (
                &["--del-set", "bar src", "--exist"][..],
                "Option `--exist' can be used with `--add-set' only",
            ),
        ] {
            assert_eq!(t(args).unwrap_err().msg, msg, "{args:?}");
        }
    }

    #[test]
    fn with_resolver() {
        let p = t(&["--add-set", "bar src,dst", "--exist", "--timeout", "10"]).unwrap();
        assert_eq!(p.save, " -j SET --add-set bar src,dst --exist --timeout 10");
        assert_eq!(p.print, " add-set bar src,dst exist timeout 10");
        assert_eq!(
            p.blob,
            [3, 0, 2, 2, 0xff, 0xff, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0]
        );
        let p = t(&["--map-set", "bar dst", "--map-mark"]).unwrap();
        assert_eq!(p.save, " -j SET --map-set bar dst --map-mark");
    }
}
