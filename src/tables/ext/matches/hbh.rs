//! `hbh` match (ip6tables only): the IPv6 Hop-by-Hop Options header's
//! length and option types/lengths.
//!
//! Kernel struct `struct ip6t_opts { __u32 hdrlen; __u8 flags; __u8
//! invflags; __u16 opts[16]; __u8 optsnr; }`, name `hbh`, revision 0,
//! 40 bytes (XT_ALIGN of 39). Each `opts[i]` is `TYPE << 8 | LEN` in host
//! order, `LEN` 0xff meaning "any length". The `dst` match (dst.rs) uses
//! the same struct and code through [`OptsMatch`].

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u16, rd_u32, rd_u8, wr_u16, wr_u32, wr_u8};
use crate::tables::ext::xtables::{strtoul_wrapping, xt_uint_wrapping};
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

/// `IP6T_OPTS_LEN`
const F_LEN: u8 = 0x01;
/// `IP6T_OPTS_OPTS`
const F_OPTS: u8 = 0x02;
/// `IP6T_OPTS_INV_LEN`
const INV_LEN: u8 = 0x01;
/// `IP6T_OPTS_OPTSNR`
const OPTSNR: usize = 16;

const OFF_LEN: usize = 0;
const OFF_FLAGS: usize = 4;
const OFF_INV: usize = 5;
const OFF_OPTS: usize = 6;
const OFF_NR: usize = 38;

/// A match on `struct ip6t_opts` (`hbh` or `dst`).
pub struct OptsMatch {
    /// `hbh` or `dst`.
    pub name: &'static str,
    /// Options: `NAME-len`, `NAME-opts`.
    pub opts: &'static [Opt],
    /// The error for a `0:LEN` entry (the two libraries word it differently).
    pub pad0: &'static str,
}

/// The `hbh` match.
pub static HBH: OptsMatch = OptsMatch {
    name: "hbh",
    opts: &[Opt::req_inv("hbh-len"), Opt::req("hbh-opts")],
    pad0: "PAD0 has not got length",
};

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&HBH];

impl OptsMatch {
    /// libip6t_hbh's `parse_opts_num`: a C `strtoul` number of which the
    /// low 8 bits are kept by the caller.
    fn num(&self, s: &str, what: &str) -> XtResult<u64> {
        match strtoul_wrapping(s) {
            None => Err(XtError::param(format!(
                "{}: no valid digits in {what} `{s}'",
                self.name
            ))),
            Some((None, _)) => Err(XtError::param(format!(
                "{what} `{s}' specified too big: would overflow"
            ))),
            Some((Some(_), rest)) if !rest.is_empty() => Err(XtError::param(format!(
                "{}: error parsing {what} `{s}'",
                self.name
            ))),
            Some((Some(v), _)) => Ok(v),
        }
    }

    /// Parses `TYPE[:LEN][,TYPE[:LEN]...]` into the opts array; returns the
    /// count.
    fn parse_list(&self, s: &str, blob: &mut [u8]) -> XtResult<u8> {
        let mut n = 0usize;
        let mut rest = Some(s);
        while let Some(cur) = rest {
            if n == OPTSNR {
                return Err(XtError::param("too many addresses specified"));
            }
            let (item, next) = match cur.split_once(',') {
                Some((a, b)) => (a, Some(b)),
                None => (cur, None),
            };
            rest = next;
            let (ty, len) = match item.split_once(':') {
                Some((t, l)) => {
                    if n == OPTSNR - 1 {
                        return Err(XtError::param("too many ports specified"));
                    }
                    (t, Some(l))
                }
                None => (item, None),
            };
            let mut v = ((self.num(ty, "opt")? & 0xff) as u16) << 8;
            match len {
                Some(l) => {
                    if v == 0 {
                        return Err(XtError::param(self.pad0));
                    }
                    v |= (self.num(l, "length")? & 0xff) as u16;
                }
                None => v |= 0xff,
            }
            wr_u16(blob, OFF_OPTS + 2 * n, v);
            n += 1;
        }
        Ok(n as u8)
    }

    /// The list as `-L` and save write it.
    fn list_text(blob: &[u8], out: &mut String) {
        let n = (rd_u8(blob, OFF_NR) as usize).min(OPTSNR);
        for i in 0..n {
            let v = rd_u16(blob, OFF_OPTS + 2 * i);
            if i > 0 {
                out.push(',');
            }
            out.push_str(&(v >> 8).to_string());
            if v & 0xff != 0xff {
                out.push_str(&format!(":{}", v & 0xff));
            }
        }
    }
}

impl Extension for OptsMatch {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        self.name
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        Families::V6
    }
    fn size(&self, _family: Family) -> usize {
        40
    }
    fn options(&self) -> &'static [Opt] {
        self.opts
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
        let mut flags = rd_u8(&st.blob, OFF_FLAGS);
        if opt.ends_with("-len") {
            let v = xt_uint_wrapping(self.name, opt, a, 0, u32::MAX as u64)?;
            wr_u32(&mut st.blob, OFF_LEN, v as u32);
            flags |= F_LEN;
            if invert {
                let inv = rd_u8(&st.blob, OFF_INV) | INV_LEN;
                wr_u8(&mut st.blob, OFF_INV, inv);
            }
        } else {
            let n = self.parse_list(a, &mut st.blob)?;
            wr_u8(&mut st.blob, OFF_NR, n);
            flags |= F_OPTS;
        }
        wr_u8(&mut st.blob, OFF_FLAGS, flags);
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let flags = rd_u8(blob, OFF_FLAGS);
        let inv = rd_u8(blob, OFF_INV);
        out.push(' ');
        out.push_str(self.name);
        if flags & F_LEN != 0 {
            let bang = if inv & INV_LEN != 0 { "!" } else { "" };
            out.push_str(&format!(" length:{bang}{}", rd_u32(blob, OFF_LEN)));
        }
        if flags & F_OPTS != 0 {
            out.push_str(" opts ");
        }
        Self::list_text(blob, out);
        if inv & !INV_LEN != 0 {
            out.push_str(&format!(" Unknown invflags: 0x{:X}", inv & !INV_LEN));
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let flags = rd_u8(blob, OFF_FLAGS);
        let inv = rd_u8(blob, OFF_INV);
        if flags & F_LEN != 0 {
            out.push_str(if inv & INV_LEN != 0 { " !" } else { "" });
            out.push_str(&format!(" --{}-len {}", self.name, rd_u32(blob, OFF_LEN)));
        }
        if flags & F_OPTS != 0 {
            out.push_str(&format!(" --{}-opts ", self.name));
        }
        Self::list_text(blob, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::frag::corpus::{check, run_line};

    #[test]
    fn corpus_lines() {
        check(
            Family::V6,
            "-m hbh;=;OK
            -m hbh --hbh-len 42;=;OK
            -m hbh ! --hbh-len 42;=;OK
            -m hbh --hbh-len 42 --hbh-opts 1:2,23:42,4:6,8:10,42,23,4:5;=;OK",
        );
    }

    #[test]
    fn prints() {
        for (rule, save, print) in [
            ("-m hbh", "-m hbh", " hbh"),
            (
                "-m hbh --hbh-len 42",
                "-m hbh --hbh-len 42",
                " hbh length:42",
            ),
            (
                "-m hbh ! --hbh-len 42",
                "-m hbh ! --hbh-len 42",
                " hbh length:!42",
            ),
            (
                "-m hbh --hbh-len 42 --hbh-opts 1:2,23:42,4:6,8:10,42,23,4:5",
                "-m hbh --hbh-len 42 --hbh-opts 1:2,23:42,4:6,8:10,42,23,4:5",
                " hbh length:42 opts 1:2,23:42,4:6,8:10,42,23,4:5",
            ),
            (
                "-m hbh --hbh-opts 0x10:0x20",
                "-m hbh --hbh-opts 16:32",
                " hbh opts 16:32",
            ),
            (
                "-m hbh --hbh-opts 256",
                "-m hbh --hbh-opts 0",
                " hbh opts 0",
            ),
            (
                "-m hbh --hbh-opts 1:256",
                "-m hbh --hbh-opts 1:0",
                " hbh opts 1:0",
            ),
            (
                "-m hbh --hbh-opts -1",
                "-m hbh --hbh-opts 255",
                " hbh opts 255",
            ),
            (
                "-m hbh --hbh-opts 1:-1",
                "-m hbh --hbh-opts 1",
                " hbh opts 1",
            ),
            (
                "-m hbh --hbh-opts 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:1",
                "-m hbh --hbh-opts 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:1",
                " hbh opts 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:1",
            ),
            (
                "-m hbh --hbh-opts 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
                "-m hbh --hbh-opts 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
                " hbh opts 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
            ),
        ] {
            let p = run_line(Family::V6, rule).unwrap();
            assert_eq!(p.save.trim_start(), save, "{rule}");
            assert_eq!(p.print, print, "{rule}");
            assert_eq!(p.print_numeric, print, "{rule}");
        }
    }

    #[test]
    fn errors() {
        for (rule, msg) in [
            (
                "-m hbh --hbh-opts 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17",
                "too many addresses specified",
            ),
            (
                "-m hbh --hbh-opts 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16:1",
                "too many ports specified",
            ),
            ("-m hbh --hbh-opts a", "hbh: no valid digits in opt `a'"),
            (
                "-m hbh --hbh-opts 1:a",
                "hbh: no valid digits in length `a'",
            ),
            ("-m hbh --hbh-opts 1:", "hbh: no valid digits in length `'"),
            ("-m hbh --hbh-opts ,1", "hbh: no valid digits in opt `'"),
            ("-m hbh --hbh-opts 1,", "hbh: no valid digits in opt `'"),
            ("-m hbh --hbh-opts 1:2:3", "hbh: error parsing length `2:3'"),
            ("-m hbh --hbh-opts 1x", "hbh: error parsing opt `1x'"),
            ("-m hbh --hbh-opts 0:0", "PAD0 has not got length"),
            (
                "-m hbh --hbh-opts 1:99999999999999999999",
                "length `99999999999999999999' specified too big: would overflow",
            ),
            (
                "-m hbh ! --hbh-opts 1",
                "hbh: option \"--hbh-opts\" cannot be inverted.\n",
            ),
            (
                "-m hbh --hbh-len -1",
                "hbh: bad value for option \"--hbh-len\", or out of range (0-4294967295).\n",
            ),
        ] {
            assert_eq!(run_line(Family::V6, rule).unwrap_err().msg, msg, "{rule}");
        }
    }

    #[test]
    fn blob_bytes() {
        // ip6tables -vvv -A INPUT -m hbh ! --hbh-len 42 --hbh-opts 1:2,23
        let p = run_line(Family::V6, "-m hbh ! --hbh-len 42 --hbh-opts 1:2,23").unwrap();
        let mut want = vec![0u8; 40];
        want[..10].copy_from_slice(&[0x2a, 0, 0, 0, 3, 1, 2, 1, 0xff, 0x17]);
        want[38] = 2;
        assert_eq!(p.blob, want);
        assert_eq!(run_line(Family::V6, "-m hbh").unwrap().blob, vec![0u8; 40]);
    }

    #[test]
    fn short_blob_does_not_panic() {
        let p = PrintCtx {
            family: Family::V6,
            numeric: false,
            proto: 0,
        };
        let mut s = String::new();
        HBH.print(&p, &[0xff; 5], &mut s);
        HBH.save(&p, &[0xff; 39], &mut s);
    }
}
