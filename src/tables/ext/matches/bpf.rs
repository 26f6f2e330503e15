//! `bpf` match: runs a classic BPF program (`--bytecode "N,code jt jf
//! k,..."`, as `nfbpf_compile` prints it) or a pinned eBPF object on the
//! packet.
//!
//! Kernel struct `xt_bpf_info_v1` (revision 1, 528 bytes): `u16 mode`
//! (bytecode 0, pinned 1), `u16 bpf_program_num_elem`, `s32 fd`, then
//! `struct sock_filter bpf_program[64]` (`u16 code`, `u8 jt`, `u8 jf`, `u32
//! k`) or `char path[512]` at 8, then the kernel's program pointer at 520,
//! which `-C`/`-D` do not compare.
//!
//! `--object-pinned` needs the `bpf(2)` system call to open the object,
//! which this module cannot make (no `unsafe`): it always fails as iptables
//! does for a missing object.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_str, rd_u16, rd_u32, rd_u8, wr_u16, wr_u32, wr_u8};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const MODE: usize = 0;
const NUM: usize = 2;
const PROGRAM: usize = 8;
const PATH_LEN: usize = 512;
/// `offsetof(struct xt_bpf_info_v1, filter)`
const USER_SIZE: usize = 520;
const SIZE: usize = 528;
/// `XT_BPF_MAX_NUM_INSTR`
const MAX_INSTR: u16 = 64;

const MODE_BYTECODE: u16 = 0;
const MODE_PINNED: u16 = 1;

/// The `bpf` match (revision 1).
pub struct Bpf;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Bpf];

static OPTS: &[Opt] = &[Opt::req("bytecode"), Opt::req("object-pinned")];

fn perr(msg: &str) -> XtError {
    XtError::param(format!("bpf: {msg}"))
}

/// One `sscanf` `%u`-style conversion: blanks, an optional sign, decimal
/// digits; the value wraps like C's `strtoul`.
fn scan_uint(s: &str) -> Option<(u64, &str)> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    if n == 0 {
        return None;
    }
    let v = t[..n].parse::<u64>().unwrap_or(u64::MAX);
    Some((if neg { 0u64.wrapping_sub(v) } else { v }, &t[n..]))
}

/// `N,code jt jf k,...` into the program array.
fn parse_bytecode(prog: &str, blob: &mut [u8]) -> XtResult<()> {
    let len = match scan_uint(prog) {
        Some((v, rest)) if rest.starts_with(',') => v as u16,
        _ => return Err(perr("error parsing program length")),
    };
    if len == 0 {
        return Err(perr("illegal zero length program"));
    }
    if len > MAX_INSTR {
        return Err(perr("number of instructions exceeds maximum"));
    }
    let mut i: u16 = 0;
    let mut token = prog;
    while let Some(c) = token.find(',') {
        token = &token[c + 1..];
        if token.is_empty() {
            break;
        }
        if i >= len {
            return Err(perr(
                "real program length exceeds the encoded length parameter",
            ));
        }
        let bad = || perr(&format!("error at instr {i}"));
        let (code, r) = scan_uint(token).ok_or_else(bad)?;
        let (jt, r) = scan_uint(r).ok_or_else(bad)?;
        let (jf, r) = scan_uint(r).ok_or_else(bad)?;
        let (k, _) = scan_uint(r).ok_or_else(bad)?;
        let off = PROGRAM + usize::from(i) * 8;
        wr_u16(blob, off, code as u16);
        wr_u8(blob, off + 2, jt as u8);
        wr_u8(blob, off + 3, jf as u8);
        wr_u32(blob, off + 4, k as u32);
        i += 1;
    }
    if i != len {
        return Err(perr(
            "parsed program length is less than the encoded length parameter",
        ));
    }
    wr_u16(blob, NUM, len);
    Ok(())
}

fn code_text(blob: &[u8], tail: &str, out: &mut String) {
    let n = rd_u16(blob, NUM).min(MAX_INSTR);
    for i in 0..n {
        let off = PROGRAM + usize::from(i) * 8;
        out.push_str(&format!(
            "{} {} {} {}",
            rd_u16(blob, off),
            rd_u8(blob, off + 2),
            rd_u8(blob, off + 3),
            rd_u32(blob, off + 4)
        ));
        out.push_str(if i + 1 < n { "," } else { tail });
    }
}

impl Extension for Bpf {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "bpf"
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
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        if opt == "bytecode" {
            parse_bytecode(arg.unwrap_or(""), &mut st.blob)?;
            wr_u16(&mut st.blob, MODE, MODE_BYTECODE);
            return Ok(());
        }
        // Opening a pinned object needs bpf(2).
        Err(perr("failed to get bpf object"))
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.saw(self, "bytecode") == st.saw(self, "object-pinned") {
            return Err(perr("one of --bytecode or --pinned is required"));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        // Sic: no leading space, and the program ends with a NUL byte.
        out.push_str("match bpf ");
        match rd_u16(blob, MODE) {
            MODE_BYTECODE => code_text(blob, "\0", out),
            MODE_PINNED => {
                out.push_str("pinned ");
                out.push_str(&rd_str(blob, PROGRAM, PATH_LEN));
            }
            _ => out.push_str("unknown"),
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        match rd_u16(blob, MODE) {
            MODE_PINNED => {
                out.push_str(" --object-pinned ");
                out.push_str(&rd_str(blob, PROGRAM, PATH_LEN));
            }
            _ => {
                out.push_str(&format!(" --bytecode \"{},", rd_u16(blob, NUM)));
                code_text(blob, "\"", out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(args: &[&str]) -> XtResult<crate::tables::ext::testing::Parsed> {
        run(Kind::Match, "bpf", Family::V4, 0, "filter", "INPUT", args)
    }

    #[test]
    fn corpus_and_observed() {
        let prog = "4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0";
        let p = t(&["--bytecode", prog]).unwrap();
        assert_eq!(p.save, format!(" -m bpf --bytecode \"{prog}\""));
        assert_eq!(p.print, "match bpf 48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0\0");
        assert_eq!(p.print_numeric, p.print);
        // iptables -vvv: mode 0, 4 instructions from offset 8.
        assert_eq!(
            &p.blob[..40],
            &[
                0, 0, 4, 0, 0, 0, 0, 0, 0x30, 0, 0, 0, 9, 0, 0, 0, 0x15, 0, 0, 1, 6, 0, 0, 0, 6, 0,
                0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0
            ]
        );
        assert_eq!(p.blob.len(), 528);
        assert_eq!(
            t(&["--bytecode", "1,6 0 0 0,"]).unwrap().save,
            " -m bpf --bytecode \"1,6 0 0 0\""
        );
        let e = |a: &str| t(&["--bytecode", a]).unwrap_err().msg;
        assert_eq!(e("0,6 0 0 0"), "bpf: illegal zero length program");
        assert_eq!(e("x"), "bpf: error parsing program length");
        assert_eq!(e("1 ,6 0 0 0"), "bpf: error parsing program length");
        assert_eq!(
            e("2,6 0 0 0"),
            "bpf: parsed program length is less than the encoded length parameter"
        );
        assert_eq!(
            e("1,6 0 0 0,6 0 0 0"),
            "bpf: real program length exceeds the encoded length parameter"
        );
        assert_eq!(e("1,6 0 0"), "bpf: error at instr 0");
        assert_eq!(
            e("65,6 0 0 0"),
            "bpf: number of instructions exceeds maximum"
        );
        assert_eq!(
            t(&[]).unwrap_err().msg,
            "bpf: one of --bytecode or --pinned is required"
        );
        assert_eq!(
            t(&["--object-pinned", "/nonexist"]).unwrap_err().msg,
            "bpf: failed to get bpf object"
        );
    }
}
