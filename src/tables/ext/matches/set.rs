//! `set` match: matches addresses/ports against an ipset (`--match-set
//! NAME src,dst`), optionally on the element's packet/byte counters.
//!
//! Kernel struct `xt_set_info_match_v4` (revision 4, 48 bytes): `struct
//! xt_set_info { u16 index; u8 dim; u8 flags; }`, then `struct
//! ip_set_counter_match { u64 value; u8 op; }` for packets at 8 and bytes at
//! 24, then `u32 flags` at 40.
//!
//! The blob holds the set's kernel index, not its name: iptables asks the
//! kernel through `getsockopt(SOL_IP, SO_IP_SET)` (`IP_SET_OP_GET_FNAME` /
//! `IP_SET_OP_GET_BYINDEX`). That needs a raw socket and `unsafe` code,
//! which this module does not have: the program registers a
//! [`SetResolver`] with [`set_resolver`]. Without one, every set is missing
//! (`Set NAME doesn't exist.`), as when no set of that name exists.
//!
//! `--match-set` takes two words (`NAME FLAGS`); the command-line parser
//! passes them joined by one space.

use std::sync::OnceLock;

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u16, rd_u32, rd_u64, rd_u8, wr_u16, wr_u32, wr_u64, wr_u8};
use crate::tables::ext::xtables::strtoul_full;
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const INDEX: usize = 0;
const DIM: usize = 2;
const SFLAGS: usize = 3;
const PACKETS: usize = 8;
const BYTES: usize = 24;
const FLAGS: usize = 40;
const SIZE: usize = 48;

/// `IPSET_MAXNAMELEN`
const MAXNAMELEN: usize = 32;
/// `IPSET_DIM_MAX`
const DIM_MAX: u8 = 6;

/// `IPSET_INV_MATCH` (in the set info's flags)
const INV_MATCH: u8 = 1;
/// `IPSET_FLAG_SKIP_COUNTER_UPDATE`
const SKIP_COUNTER: u32 = 1 << 3;
/// `IPSET_FLAG_SKIP_SUBCOUNTER_UPDATE`
const SKIP_SUBCOUNTER: u32 = 1 << 4;
/// `IPSET_FLAG_RETURN_NOMATCH`
const RETURN_NOMATCH: u32 = 1 << 7;

const OP_NONE: u8 = 0;
const OP_EQ: u8 = 1;
const OP_NE: u8 = 2;
const OP_LT: u8 = 3;
const OP_GT: u8 = 4;

/// How the program finds ipsets in the kernel.
pub trait SetResolver: Sync + Send {
    /// The index and family (`NFPROTO_*`, 0 for any) of the set `name`, or
    /// `None` when no such set exists. Errors talking to the kernel are
    /// returned as iptables words them.
    fn by_name(&self, name: &str) -> XtResult<Option<(u16, u8)>>;
    /// The name of the set with kernel index `index`.
    fn by_index(&self, index: u16) -> Option<String>;
}

static RESOLVER: OnceLock<&'static dyn SetResolver> = OnceLock::new();

/// Registers the ipset lookup (once; later calls are ignored).
pub fn set_resolver(r: &'static dyn SetResolver) {
    let _ = RESOLVER.set(r);
}

/// The `set` match (revision 4).
pub struct SetMatch;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&SetMatch];

// Old-style (non-x6) options: iptables hands `!` and repeats to the
// extension, which decides.
const fn any(name: &'static str, arg: bool) -> Opt {
    Opt {
        name,
        arg: if arg {
            crate::tables::ext::Arg::Required
        } else {
            crate::tables::ext::Arg::None
        },
        invert: true,
        multi: true,
    }
}

static OPTS: &[Opt] = &[
    any("match-set", true),
    any("set", true),
    any("return-nomatch", false),
    any("update-counters", false),
    any("packets-eq", true),
    any("packets-lt", true),
    any("packets-gt", true),
    any("bytes-eq", true),
    any("bytes-lt", true),
    any("bytes-gt", true),
    any("update-subcounters", false),
];

fn parse_counter(s: &str) -> XtResult<u64> {
    strtoul_full(s, 0, u64::MAX)
        .ok_or_else(|| XtError::param(format!("Cannot parse {s} as a counter value\n")))
}

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

/// `src,dst,...` into the set info's dimension and flags.
fn parse_dirs(arg: &str, blob: &mut [u8]) -> XtResult<()> {
    let mut dim = rd_u8(blob, DIM);
    let mut flags = rd_u8(blob, SFLAGS);
    let mut parts = arg.split(',');
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
    wr_u8(blob, DIM, dim);
    wr_u8(blob, SFLAGS, flags);
    Ok(())
}

fn counter_text(blob: &[u8], off: usize, name: &str, sep: &str, out: &mut String) {
    let v = rd_u64(blob, off);
    match rd_u8(blob, off + 8) {
        OP_EQ => out.push_str(&format!(" {sep}{name}-eq {v}")),
        OP_NE => out.push_str(&format!(" ! {sep}{name}-eq {v}")),
        OP_LT => out.push_str(&format!(" {sep}{name}-lt {v}")),
        OP_GT => out.push_str(&format!(" {sep}{name}-gt {v}")),
        _ => {}
    }
}

fn info_text(blob: &[u8], opt: &str, sep: &str, out: &mut String) {
    let sflags = rd_u8(blob, SFLAGS);
    let index = rd_u16(blob, INDEX);
    let name = RESOLVER
        .get()
        .and_then(|r| r.by_index(index))
        .unwrap_or_default();
    if sflags & INV_MATCH != 0 {
        out.push_str(" !");
    }
    out.push_str(&format!(" {opt} {name}"));
    for i in 1..=rd_u8(blob, DIM).min(DIM_MAX) {
        out.push(if i == 1 { ' ' } else { ',' });
        out.push_str(if sflags & (1 << i) != 0 { "src" } else { "dst" });
    }
    let flags = rd_u32(blob, FLAGS);
    if flags & RETURN_NOMATCH != 0 {
        out.push_str(&format!(" {sep}return-nomatch"));
    }
    if flags & SKIP_COUNTER != 0 {
        out.push_str(&format!(" ! {sep}update-counters"));
    }
    if flags & SKIP_SUBCOUNTER != 0 {
        out.push_str(&format!(" ! {sep}update-subcounters"));
    }
    counter_text(blob, PACKETS, "packets", sep, out);
    counter_text(blob, BYTES, "bytes", sep, out);
}

impl Extension for SetMatch {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "set"
    }
    fn revision(&self) -> u32 {
        4
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let a = arg.unwrap_or("");
        let flags = rd_u32(&st.blob, FLAGS);
        let counter = |st: &mut State, off: usize, what: &str, op: &str| -> XtResult<()> {
            if rd_u8(&st.blob, off + 8) != OP_NONE {
                return Err(XtError::param(format!(
                    "only one of the --{what}-[eq|lt|gt] is allowed\n"
                )));
            }
            let code = match op {
                "eq" if invert => OP_NE,
                "eq" => OP_EQ,
                _ if invert => {
                    return Err(XtError::param(format!(
                        "--{what}-{op} option cannot be inverted\n"
                    )))
                }
                "lt" => OP_LT,
                _ => OP_GT,
            };
            wr_u8(&mut st.blob, off + 8, code);
            let v = parse_counter(a)?;
            wr_u64(&mut st.blob, off, v);
            Ok(())
        };
        match opt {
            "update-subcounters" if invert => {
                wr_u32(&mut st.blob, FLAGS, flags | SKIP_SUBCOUNTER);
            }
            "update-counters" if invert => {
                wr_u32(&mut st.blob, FLAGS, flags | SKIP_COUNTER);
            }
            "return-nomatch" => {
                if invert {
                    return Err(XtError::param("--return-nomatch flag cannot be inverted\n"));
                }
                wr_u32(&mut st.blob, FLAGS, flags | RETURN_NOMATCH);
            }
            "match-set" | "set" => {
                if opt == "set" {
                    eprintln!("--set option deprecated, please use --match-set");
                }
                if rd_u8(&st.blob, DIM) != 0 {
                    return Err(XtError::param("--match-set can be specified only once"));
                }
                if invert {
                    let f = rd_u8(&st.blob, SFLAGS);
                    wr_u8(&mut st.blob, SFLAGS, f | INV_MATCH);
                }
                let (name, dirs) = match a.split_once(' ') {
                    Some((n, d)) if !d.is_empty() && !d.starts_with(['-', '!']) => (n, d),
                    _ => return Err(XtError::param("--match-set requires two args.")),
                };
                if name.len() > MAXNAMELEN - 1 {
                    return Err(XtError::param(format!(
                        "setname `{name}' too long, max {} characters.",
                        MAXNAMELEN - 1
                    )));
                }
                let index = lookup(name, ctx.family)?;
                wr_u16(&mut st.blob, INDEX, index);
                parse_dirs(dirs, &mut st.blob)?;
                st.flags = 1;
            }
            _ => {
                if let Some((what, op)) = opt.split_once('-') {
                    let off = if what == "packets" { PACKETS } else { BYTES };
                    if what == "packets" || what == "bytes" {
                        counter(st, off, what, op)?;
                    }
                }
            }
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.flags == 0 {
            return Err(XtError::param(
                "You must specify `--match-set' with proper arguments",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        info_text(blob, "match-set", "", out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        info_text(blob, "--match-set", "--", out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    struct Fake;
    impl SetResolver for Fake {
        fn by_name(&self, name: &str) -> XtResult<Option<(u16, u8)>> {
            Ok(match name {
                "bar" => Some((3, 2)),
                "six" => Some((4, 10)),
                _ => None,
            })
        }
        fn by_index(&self, index: u16) -> Option<String> {
            match index {
                3 => Some("bar".into()),
                4 => Some("six".into()),
                _ => None,
            }
        }
    }
    static FAKE: Fake = Fake;

    fn t(args: &[&str]) -> XtResult<crate::tables::ext::testing::Parsed> {
        set_resolver(&FAKE);
        run(Kind::Match, "set", Family::V4, 0, "filter", "INPUT", args)
    }

    #[test]
    fn corpus_and_errors() {
        let e = |a: &[&str]| t(a).unwrap_err().msg;
        // The corpus: both FAIL (one word; the set does not exist).
        assert_eq!(e(&["--match-set", "foo"]), "--match-set requires two args.");
        assert_eq!(
            e(&["--match-set", "foo src,dst"]),
            "Set foo doesn't exist.\n"
        );
        assert_eq!(e(&["--match-set", "foo bad"]), "Set foo doesn't exist.\n");
        assert_eq!(
            e(&[]),
            "You must specify `--match-set' with proper arguments"
        );
        assert_eq!(
            e(&["--match-set", "six src"]),
            "The protocol family of set six is IPv6, which is not applicable.\n"
        );
        assert_eq!(
            e(&["--match-set", "bar bad"]),
            "You must spefify (the comma separated list of) 'src' or 'dst'."
        );
        assert_eq!(
            e(&["--match-set", "bar src,src,src,src,src,src,src"]),
            "Can't be more src/dst options than 6."
        );
        assert_eq!(
            e(&["--match-set", "bar src", "--match-set", "bar dst"]),
            "--match-set can be specified only once"
        );
        assert_eq!(
            e(&["--match-set", "bar src", "!", "--return-nomatch"]),
            "--return-nomatch flag cannot be inverted\n"
        );
        assert_eq!(
            e(&["--match-set", "bar src", "!", "--bytes-gt", "5"]),
            "--bytes-gt option cannot be inverted\n"
        );
        assert_eq!(
            e(&[
                "--match-set",
                "bar src",
                "--bytes-gt",
                "5",
                "--bytes-lt",
                "7"
            ]),
            "only one of the --bytes-[eq|lt|gt] is allowed\n"
        );
        assert_eq!(
            e(&["--match-set", "bar src", "--packets-eq", "x"]),
            "Cannot parse x as a counter value\n"
        );
    }

    #[test]
    fn save_print_blob() {
        let p = t(&[
            "!",
            "--match-set",
            "bar src,dst",
            "--return-nomatch",
            "!",
            "--update-counters",
            "!",
            "--packets-eq",
            "5",
            "--bytes-lt",
            "100",
        ])
        .unwrap();
        assert_eq!(
            p.save,
            " -m set ! --match-set bar src,dst --return-nomatch ! --update-counters ! --packets-eq 5 --bytes-lt 100"
        );
        assert_eq!(
            p.print,
            " ! match-set bar src,dst return-nomatch ! update-counters ! packets-eq 5 bytes-lt 100"
        );
        let mut want = vec![0u8; SIZE];
        want[0] = 3;
        want[2] = 2;
        want[3] = INV_MATCH | 1 << 1;
        want[8] = 5;
        want[16] = OP_NE;
        want[24] = 100;
        want[32] = OP_LT;
        want[40] = (RETURN_NOMATCH | SKIP_COUNTER) as u8;
        assert_eq!(p.blob, want);
        let p = t(&["--match-set", "bar dst", "--update-counters"]).unwrap();
        assert_eq!(p.save, " -m set --match-set bar dst");
    }
}
