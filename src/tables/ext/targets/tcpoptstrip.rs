//! `TCPOPTSTRIP` target: removes TCP options from packets (`struct
//! xt_tcpoptstrip_target_info { __u32 strip_bmap[8]; }`, revision 0,
//! 32 bytes; bit `n` of the 256-bit map strips option kind `n`).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{parse_uint, rd_u32, wr_u32};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// Option names libxt_TCPOPTSTRIP knows.
static NAMES: &[(&str, u8)] = &[
    ("mss", 2),
    ("wscale", 3),
    ("sack-permitted", 4),
    ("sack", 5),
    ("timestamp", 8),
    ("md5", 19),
];

/// The `TCPOPTSTRIP` target.
pub struct Tcpoptstrip;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Tcpoptstrip];

static OPTS: &[Opt] = &[Opt::req("strip-options")];

/// Whether option kind `n` is set in the map.
fn has(blob: &[u8], n: usize) -> bool {
    rd_u32(blob, (n >> 5) * 4) & (1 << (n & 31)) != 0
}

impl Extension for Tcpoptstrip {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "TCPOPTSTRIP"
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
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        _opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        for word in arg.unwrap_or("").split(',') {
            let n = match NAMES.iter().find(|(name, _)| *name == word) {
                Some((_, n)) => *n,
                None => parse_uint(word, 0, 255)
                    .ok_or_else(|| XtError::param(format!("Bad TCP option value \"{word}\"")))?
                    as u8,
            };
            if n < 2 {
                return Err(XtError::param("Option value may not be 0 or 1"));
            }
            let off = (n as usize >> 5) * 4;
            let v = rd_u32(&st.blob, off) | 1 << (n & 31);
            wr_u32(&mut st.blob, off, v);
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let list: Vec<String> = (0..256)
            .filter(|n| has(blob, *n))
            .map(|n| match NAMES.iter().find(|(_, k)| *k as usize == n) {
                Some((name, _)) if !ctx.numeric => name.to_string(),
                _ => n.to_string(),
            })
            .collect();
        if !list.is_empty() {
            out.push_str(" TCPOPTSTRIP options ");
            out.push_str(&list.join(","));
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let list: Vec<String> = (0..256)
            .filter(|n| has(blob, *n))
            .map(|n| n.to_string())
            .collect();
        if !list.is_empty() {
            out.push_str(" --strip-options ");
            out.push_str(&list.join(","));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn t(args: &[&str]) -> XtResult<Parsed> {
        run(
            Kind::Target,
            "TCPOPTSTRIP",
            Family::V4,
            6,
            "mangle",
            "POSTROUTING",
            args,
        )
    }

    #[test]
    fn corpus() {
        let p = t(&[]).unwrap();
        assert_eq!(p.save, " -j TCPOPTSTRIP");
        assert_eq!(p.print, "");
        assert_eq!(p.blob, [0; 32]);
        let p = t(&["--strip-options", "2,3,4,5,6,7"]).unwrap();
        assert_eq!(p.save, " -j TCPOPTSTRIP --strip-options 2,3,4,5,6,7");
        assert_eq!(
            p.print,
            " TCPOPTSTRIP options mss,wscale,sack-permitted,sack,6,7"
        );
        assert_eq!(p.print_numeric, " TCPOPTSTRIP options 2,3,4,5,6,7");
        assert_eq!(p.blob[0], 0xfc);
        for a in ["0", "1", "1,2"] {
            assert_eq!(
                t(&["--strip-options", a]).unwrap_err().msg,
                "Option value may not be 0 or 1"
            );
        }
    }

    #[test]
    fn observed() {
        let p = t(&[
            "--strip-options",
            "mss,wscale,sack-permitted,sack,timestamp,md5",
        ])
        .unwrap();
        assert_eq!(p.save, " -j TCPOPTSTRIP --strip-options 2,3,4,5,8,19");
        assert_eq!(
            p.print,
            " TCPOPTSTRIP options mss,wscale,sack-permitted,sack,timestamp,md5"
        );
        assert_eq!(p.blob[..4], [0x3c, 0x01, 0x08, 0]);
        let p = t(&["--strip-options", "255"]).unwrap();
        assert_eq!(p.blob[31], 0x80);
        for a in ["256", "foo", ""] {
            assert_eq!(
                t(&["--strip-options", a]).unwrap_err().msg,
                format!("Bad TCP option value \"{a}\"")
            );
        }
    }
}
