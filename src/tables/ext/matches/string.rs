//! `string` match: finds a byte pattern in the packet with one of the
//! kernel's textsearch algorithms (`bm`, `kmp`), within an offset window.
//!
//! Kernel struct `xt_string_info` (revision 1, 160 bytes): `u16
//! from_offset`, `u16 to_offset`, `char algo[16]` at 4, `char pattern[128]`
//! at 20, `u8 patlen` at 148, `u8 flags` at 149 (invert, ignore case), then
//! the kernel's textsearch `config` pointer at 152, which `-C`/`-D` do not
//! compare.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_str, rd_u16, rd_u8, wr, wr_str, wr_u16, wr_u8};
use crate::tables::ext::xtables::{err_range, options_fcheck, strtoul_full, xflags, XtEntry};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const FROM: usize = 0;
const TO: usize = 2;
const ALGO: usize = 4;
const ALGO_LEN: usize = 16;
const PATTERN: usize = 20;
const PATTERN_LEN: usize = 128;
const PATLEN: usize = 148;
const FLAGS: usize = 149;
/// `offsetof(struct xt_string_info, config)`
const USER_SIZE: usize = 152;
const SIZE: usize = 160;

const F_INVERT: u8 = 0x01;
const F_ICASE: u8 = 0x02;

const EXT_NAME: &str = "string";

/// The `string` match (revision 1).
pub struct StringMatch;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&StringMatch];

static OPTS: &[Opt] = &[
    Opt::req("from"),
    Opt::req("to"),
    Opt::req("algo"),
    Opt::req_inv("string"),
    Opt::req_inv("hex-string"),
    Opt::flag("icase"),
];

static TABLE: &[XtEntry] = &[
    XtEntry::new("from", 0),
    XtEntry::new("to", 1),
    XtEntry::new("algo", 2).mand(),
    XtEntry::new("string", 4).excl(1 << 5),
    XtEntry::new("hex-string", 5).excl(1 << 4),
    XtEntry::new("icase", 3),
];

fn too_long(s: &str) -> XtError {
    XtError::param(format!("STRING too long \"{s}\""))
}

/// `--hex-string`: plain bytes, `|hex pairs|` blocks (spaces allowed
/// inside) and `\c` literals outside blocks.
fn parse_hex(s: &str) -> XtResult<Vec<u8>> {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let slen = b.len();
    if slen == 0 {
        return Err(XtError::param("STRING must contain at least one char"));
    }
    let mut out = Vec::new();
    let (mut i, mut hex, mut literal) = (0usize, false, false);
    while i < slen {
        if out.len() >= PATTERN_LEN {
            return Err(too_long(s));
        }
        let c = at(i);
        if c == b'\\' && !hex {
            literal = true;
        } else if c == b'\\' {
            return Err(XtError::param("Cannot include literals in hex data"));
        } else if c == b'|' {
            if hex {
                hex = false;
            } else {
                hex = true;
                while at(i + 1) == b' ' {
                    i += 1;
                }
            }
            if i + 1 >= slen {
                break;
            }
            i += 1;
        }
        if literal {
            if i + 1 >= slen {
                return Err(XtError::param("Bad literal placement at end of string"));
            }
            out.push(at(i + 1));
            i += 2;
            literal = false;
        } else if hex {
            if i + 1 >= slen {
                return Err(XtError::param("Odd number of hex digits"));
            }
            if i + 2 >= slen {
                return Err(XtError::param("Invalid hex block"));
            }
            for k in [i, i + 1] {
                if !at(k).is_ascii_hexdigit() {
                    return Err(XtError::param(format!(
                        "Invalid hex char '{}'",
                        char::from(at(k))
                    )));
                }
            }
            let hexval = |x: u8| (x as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hexval(at(i)) << 4 | hexval(at(i + 1)));
            i += if at(i + 2) == b' ' { 3 } else { 2 };
        } else {
            out.push(at(i));
            i += 1;
        }
    }
    Ok(out)
}

/// Whether iptables prints the pattern as `|hex|`: a byte outside the
/// printable ASCII range, or a trailing backslash.
fn is_hex(p: &[u8]) -> bool {
    p.iter().any(|&c| !(0x20..0x7f).contains(&c)) || p.last() == Some(&b'\\')
}

fn pattern_text(p: &[u8], out: &mut String) {
    if is_hex(p) {
        out.push_str(" \"|");
        for c in p {
            out.push_str(&format!("{c:02x}"));
        }
        out.push_str("|\"");
    } else {
        out.push_str(" \"");
        for &c in p {
            if c == b'"' || c == b'\\' {
                out.push('\\');
            }
            out.push(char::from(c));
        }
        out.push('"');
    }
}

fn pattern(blob: &[u8]) -> Vec<u8> {
    let n = usize::from(rd_u8(blob, PATLEN)).min(PATTERN_LEN);
    blob.get(PATTERN..PATTERN + n).unwrap_or(&[]).to_vec()
}

impl Extension for StringMatch {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        EXT_NAME
    }
    fn revision(&self) -> u32 {
        1
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn userspace_size(&self, _family: Family) -> usize {
        USER_SIZE
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_u16(&mut st.blob, TO, u16::MAX);
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
        let flags = rd_u8(&st.blob, FLAGS);
        match opt {
            "from" | "to" => {
                let v =
                    strtoul_full(a, 0, 65535).ok_or_else(|| err_range(EXT_NAME, opt, 0, 65535))?;
                wr_u16(
                    &mut st.blob,
                    if opt == "from" { FROM } else { TO },
                    v as u16,
                );
            }
            "algo" => wr_str(&mut st.blob, ALGO, ALGO_LEN, a),
            "string" | "hex-string" => {
                let p = if opt == "string" {
                    if a.len() > PATTERN_LEN {
                        return Err(too_long(a));
                    }
                    a.as_bytes().to_vec()
                } else {
                    parse_hex(a)?
                };
                let mut field = [0u8; PATTERN_LEN];
                if let Some(dst) = field.get_mut(..p.len()) {
                    dst.copy_from_slice(&p);
                }
                wr(&mut st.blob, PATTERN, &field);
                wr_u8(&mut st.blob, PATLEN, p.len() as u8);
                if invert {
                    wr_u8(&mut st.blob, FLAGS, flags | F_INVERT);
                }
            }
            "icase" => wr_u8(&mut st.blob, FLAGS, flags | F_ICASE),
            _ => {}
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        let s = st.saw(self, "string");
        let h = st.saw(self, "hex-string");
        if !s && !h {
            return Err(XtError::param(
                "STRING match: You must specify `--string' or `--hex-string'",
            ));
        }
        options_fcheck(EXT_NAME, TABLE, xflags(self, st, TABLE))
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let flags = rd_u8(blob, FLAGS);
        out.push_str(" STRING match ");
        if flags & F_INVERT != 0 {
            out.push('!');
        }
        pattern_text(&pattern(blob), out);
        out.push_str(" ALGO name ");
        out.push_str(&rd_str(blob, ALGO, ALGO_LEN));
        let from = rd_u16(blob, FROM);
        if from != 0 {
            out.push_str(&format!(" FROM {from}"));
        }
        let to = rd_u16(blob, TO);
        if to != u16::MAX {
            out.push_str(&format!(" TO {to}"));
        }
        if flags & F_ICASE != 0 {
            out.push_str(" ICASE");
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let flags = rd_u8(blob, FLAGS);
        if flags & F_INVERT != 0 {
            out.push_str(" !");
        }
        let p = pattern(blob);
        out.push_str(if is_hex(&p) {
            " --hex-string"
        } else {
            " --string"
        });
        pattern_text(&p, out);
        out.push_str(" --algo ");
        out.push_str(&rd_str(blob, ALGO, ALGO_LEN));
        let from = rd_u16(blob, FROM);
        if from != 0 {
            out.push_str(&format!(" --from {from}"));
        }
        let to = rd_u16(blob, TO);
        if to != u16::MAX {
            out.push_str(&format!(" --to {to}"));
        }
        if flags & F_ICASE != 0 {
            out.push_str(" --icase");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(args: &[&str]) -> XtResult<crate::tables::ext::testing::Parsed> {
        run(
            Kind::Match,
            EXT_NAME,
            Family::V4,
            0,
            "filter",
            "INPUT",
            args,
        )
    }

    #[test]
    fn corpus() {
        let x128 = "x".repeat(128);
        let x129 = "x".repeat(129);
        let ok: Vec<(Vec<&str>, String, &str)> = vec![
            (
                vec!["--algo", "bm", "--string", "test"],
                " --string \"test\" --algo bm".into(),
                " STRING match  \"test\" ALGO name bm",
            ),
            (
                vec!["--string", "test", "--algo", "kmp"],
                " --string \"test\" --algo kmp".into(),
                " STRING match  \"test\" ALGO name kmp",
            ),
            (
                vec!["!", "--string", "test", "--algo", "kmp"],
                " ! --string \"test\" --algo kmp".into(),
                " STRING match ! \"test\" ALGO name kmp",
            ),
            (
                vec!["--string", &x128, "--algo", "bm"],
                format!(" --string \"{x128}\" --algo bm"),
                "",
            ),
            (
                vec!["--hex-string", "|0a0a0a0a|", "--algo", "bm"],
                " --hex-string \"|0a0a0a0a|\" --algo bm".into(),
                " STRING match  \"|0a0a0a0a|\" ALGO name bm",
            ),
            (
                vec![
                    "--algo", "bm", "--from", "0", "--to", "65535", "--string", "test",
                ],
                " --string \"test\" --algo bm".into(),
                " STRING match  \"test\" ALGO name bm",
            ),
            // Observed.
            (
                vec!["--string", "a\"b\\\\c", "--algo", "bm"],
                " --string \"a\\\"b\\\\\\\\c\" --algo bm".into(),
                " STRING match  \"a\\\"b\\\\\\\\c\" ALGO name bm",
            ),
            (
                vec!["--hex-string", "|00|ab", "--algo", "bm"],
                " --hex-string \"|006162|\" --algo bm".into(),
                " STRING match  \"|006162|\" ALGO name bm",
            ),
            (
                vec!["--string", "ab\\\\", "--algo", "bm"],
                " --hex-string \"|61625c5c|\" --algo bm".into(),
                " STRING match  \"|61625c5c|\" ALGO name bm",
            ),
            (
                vec!["--hex-string", "a\\\\", "--algo", "bm"],
                " --hex-string \"|615c|\" --algo bm".into(),
                " STRING match  \"|615c|\" ALGO name bm",
            ),
            (
                vec![
                    "--string", "foo", "--icase", "--from", "5", "--to", "100", "--algo", "bm",
                ],
                " --string \"foo\" --algo bm --from 5 --to 100 --icase".into(),
                " STRING match  \"foo\" ALGO name bm FROM 5 TO 100 ICASE",
            ),
            (
                vec!["--string", "a'b c", "--algo", "bm"],
                " --string \"a'b c\" --algo bm".into(),
                " STRING match  \"a'b c\" ALGO name bm",
            ),
        ];
        for (args, save, print) in ok {
            let p = t(&args).unwrap_or_else(|e| panic!("{args:?}: {e:?}"));
            assert_eq!(p.save, format!(" -m string{save}"));
            if !print.is_empty() {
                assert_eq!(p.print, print);
                assert_eq!(p.print_numeric, print);
            }
        }
        for args in [
            vec!["--string", x129.as_str(), "--algo", "bm"],
            vec!["--algo", "wrong"],
            vec!["--algo", "bm"],
            vec![],
        ] {
            assert!(t(&args).is_err(), "{args:?}");
        }
    }

    #[test]
    fn errors() {
        let e = |a: &[&str]| t(a).unwrap_err().msg;
        assert_eq!(
            e(&["--algo", "bm"]),
            "STRING match: You must specify `--string' or `--hex-string'"
        );
        assert_eq!(
            e(&["--string", "foo"]),
            "string: option \"--algo\" must be specified\n"
        );
        assert_eq!(
            e(&["--string", "foo", "--hex-string", "|00|", "--algo", "bm"]),
            "string: option \"--string\" cannot be used together with \"--hex-string\".\n"
        );
        assert_eq!(
            e(&["--hex-string", "|0|", "--algo", "bm"]),
            "Invalid hex block"
        );
        assert_eq!(
            e(&["--hex-string", "|00", "--algo", "bm"]),
            "Invalid hex block"
        );
        assert_eq!(
            e(&["--hex-string", "", "--algo", "bm"]),
            "STRING must contain at least one char"
        );
        assert_eq!(
            e(&["--hex-string", "|0g|", "--algo", "bm"]),
            "Invalid hex char 'g'"
        );
        assert_eq!(
            e(&["--string", "foo", "--from", "70000", "--algo", "bm"]),
            "string: bad value for option \"--from\", or out of range (0-65535).\n"
        );
    }

    #[test]
    fn blob_bytes() {
        // iptables -vvv -A INPUT -m string --string foo --algo bm
        let p = t(&["--string", "foo", "--algo", "bm"]).unwrap();
        let mut want = vec![0u8; SIZE];
        want[2..4].copy_from_slice(&u16::MAX.to_ne_bytes());
        want[4..6].copy_from_slice(b"bm");
        want[20..23].copy_from_slice(b"foo");
        want[148] = 3;
        assert_eq!(p.blob, want);
        assert_eq!(StringMatch.userspace_size(Family::V4), 152);
    }

    #[test]
    fn hex_forms() {
        assert_eq!(parse_hex("|00 01|a").unwrap(), vec![0, 1, b'a']);
        assert_eq!(parse_hex("| 41|").unwrap(), vec![0x41]);
        assert_eq!(parse_hex("\\|x").unwrap(), vec![b'|', b'x']);
        assert!(parse_hex("|00\\|").is_err());
    }
}
