//! `mh` match (ip6tables only): the Mobility Header type (range).
//!
//! Kernel struct `struct ip6t_mh { __u8 types[2]; __u8 invflags; }`, name
//! `mh`, revision 0, 8 bytes (XT_ALIGN of 3). The kernel accepts it only in
//! rules with `-p mobility-header` (135, not inverted).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u8, wr_u8};
use crate::tables::ext::xtables::strtoul_wrapping;
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

/// `IP6T_MH_INV_TYPE`
const INV_TYPE: u8 = 0x01;

/// The type names, long name first, in libip6t_mh's order (a prefix picks
/// the first entry it begins, an exact name wins).
static NAMES: &[(&str, u8)] = &[
    ("binding-refresh-request", 0),
    ("brr", 0),
    ("home-test-init", 1),
    ("hoti", 1),
    ("careof-test-init", 2),
    ("coti", 2),
    ("home-test", 3),
    ("hot", 3),
    ("careof-test", 4),
    ("cot", 4),
    ("binding-update", 5),
    ("bu", 5),
    ("binding-acknowledgement", 6),
    ("ba", 6),
    ("binding-error", 7),
    ("be", 7),
];

/// A type name or number (0-255).
fn name_to_type(s: &str) -> XtResult<u8> {
    let mut found: Option<u8> = None;
    for (name, t) in NAMES {
        let prefix = name
            .get(..s.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(s));
        if prefix && (found.is_none() || name.len() == s.len()) {
            found = Some(*t);
        }
    }
    if let Some(t) = found {
        return Ok(t);
    }
    match strtoul_wrapping(s) {
        Some((Some(v), "")) if v <= 255 => Ok(v as u8),
        _ => Err(XtError::param(format!("Invalid MH type `{s}'"))),
    }
}

/// A type as `-L` prints it: the long name unless numeric or unnamed.
fn type_text(t: u8, numeric: bool) -> String {
    match NAMES.iter().find(|(_, v)| *v == t) {
        Some((name, _)) if !numeric => name.to_string(),
        _ => t.to_string(),
    }
}

/// The `mh` match.
pub struct Mh;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Mh];

static OPTS: &[Opt] = &[Opt::req_inv("mh-type")];

impl Extension for Mh {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "mh"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        Families::V6
    }
    fn size(&self, _family: Family) -> usize {
        8
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_u8(&mut st.blob, 1, 0xff);
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        _opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let a = arg.unwrap_or("");
        let (from, to) = match a.split_once(':') {
            None => {
                let t = name_to_type(a)?;
                (t, t)
            }
            Some((f, t)) => {
                let f = if f.is_empty() { 0 } else { name_to_type(f)? };
                let t = if t.is_empty() { 0xff } else { name_to_type(t)? };
                if f > t {
                    return Err(XtError::param("Invalid MH type range (min > max)"));
                }
                (f, t)
            }
        };
        wr_u8(&mut st.blob, 0, from);
        wr_u8(&mut st.blob, 1, to);
        if invert {
            let inv = rd_u8(&st.blob, 2) | INV_TYPE;
            wr_u8(&mut st.blob, 2, inv);
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let (from, to, inv) = (rd_u8(blob, 0), rd_u8(blob, 1), rd_u8(blob, 2));
        out.push_str(" mh");
        if from != 0 || to != 0xff || inv & INV_TYPE != 0 {
            out.push(' ');
            if inv & INV_TYPE != 0 {
                out.push('!');
            }
            out.push_str(&type_text(from, ctx.numeric));
            if from != to {
                out.push(':');
                out.push_str(&type_text(to, ctx.numeric));
            }
        }
        if inv & !INV_TYPE != 0 {
            out.push_str(&format!(" Unknown invflags: 0x{:X}", inv & !INV_TYPE));
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let (from, to, inv) = (rd_u8(blob, 0), rd_u8(blob, 1), rd_u8(blob, 2));
        if from == 0 && to == 0xff {
            return;
        }
        if inv & INV_TYPE != 0 {
            out.push_str(" !");
        }
        if from == to {
            out.push_str(&format!(" --mh-type {from}"));
        } else {
            out.push_str(&format!(" --mh-type {from}:{to}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::frag::corpus::{check, run_line};

    #[test]
    fn corpus_lines() {
        // `-m mh;;FAIL` (no `-p mobility-header`) is refused by the kernel.
        check(
            Family::V6,
            "-p mobility-header -m mh;=;OK
            -p mobility-header -m mh --mh-type 1;=;OK
            -p mobility-header -m mh ! --mh-type 4;=;OK
            -p mobility-header -m mh --mh-type 4:123;=;OK",
        );
    }

    #[test]
    fn prints() {
        for (arg, save, print, numeric) in [
            ("", "", " mh", " mh"),
            ("--mh-type 1", " --mh-type 1", " mh home-test-init", " mh 1"),
            (
                "! --mh-type 4",
                " ! --mh-type 4",
                " mh !careof-test",
                " mh !4",
            ),
            (
                "--mh-type 4:123",
                " --mh-type 4:123",
                " mh careof-test:123",
                " mh 4:123",
            ),
            (
                "--mh-type bu",
                " --mh-type 5",
                " mh binding-update",
                " mh 5",
            ),
            (
                "--mh-type binding-update:be",
                " --mh-type 5:7",
                " mh binding-update:binding-error",
                " mh 5:7",
            ),
            ("--mh-type 0:255", "", " mh", " mh"),
            ("--mh-type 255", " --mh-type 255", " mh 255", " mh 255"),
            (
                "--mh-type :5",
                " --mh-type 0:5",
                " mh binding-refresh-request:binding-update",
                " mh 0:5",
            ),
            (
                "--mh-type 5:",
                " --mh-type 5:255",
                " mh binding-update:255",
                " mh 5:255",
            ),
            (
                "! --mh-type 0:255",
                "",
                " mh !binding-refresh-request:255",
                " mh !0:255",
            ),
            ("--mh-type 0x10", " --mh-type 16", " mh 16", " mh 16"),
            (
                "--mh-type 7:8",
                " --mh-type 7:8",
                " mh binding-error:8",
                " mh 7:8",
            ),
            (
                "--mh-type b",
                " --mh-type 0",
                " mh binding-refresh-request",
                " mh 0",
            ),
            (
                "--mh-type BU",
                " --mh-type 5",
                " mh binding-update",
                " mh 5",
            ),
            (
                "--mh-type home-test",
                " --mh-type 3",
                " mh home-test",
                " mh 3",
            ),
            (
                "--mh-type home",
                " --mh-type 1",
                " mh home-test-init",
                " mh 1",
            ),
            (
                "--mh-type ho",
                " --mh-type 1",
                " mh home-test-init",
                " mh 1",
            ),
            ("--mh-type :", "", " mh", " mh"),
            ("--mh-type 010", " --mh-type 8", " mh 8", " mh 8"),
        ] {
            let rule = format!("-p mh -m mh {arg}");
            let p = run_line(Family::V6, &rule).unwrap();
            assert_eq!(p.save, format!(" -m mh{save}"), "{rule}");
            assert_eq!(p.print, print, "{rule}");
            assert_eq!(p.print_numeric, numeric, "{rule}");
        }
    }

    #[test]
    fn errors() {
        for (arg, msg) in [
            ("256", "Invalid MH type `256'"),
            ("foo", "Invalid MH type `foo'"),
            ("1:2:3", "Invalid MH type `2:3'"),
            ("-1", "Invalid MH type `-1'"),
            ("binding-updatex", "Invalid MH type `binding-updatex'"),
            ("7:3", "Invalid MH type range (min > max)"),
        ] {
            let rule = format!("-p mh -m mh --mh-type {arg}");
            assert_eq!(run_line(Family::V6, &rule).unwrap_err().msg, msg, "{rule}");
        }
    }

    #[test]
    fn blob_bytes() {
        // ip6tables -vvv -A INPUT -p 135 -m mh ! --mh-type 3:5
        let p = run_line(Family::V6, "-p mh -m mh ! --mh-type 3:5").unwrap();
        assert_eq!(p.blob, [3, 5, 1, 0, 0, 0, 0, 0]);
        let p = run_line(Family::V6, "-p mh -m mh").unwrap();
        assert_eq!(p.blob, [0, 0xff, 0, 0, 0, 0, 0, 0]);
    }
}
