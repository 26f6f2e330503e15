//! `osf` match (IPv4): passive OS fingerprinting of TCP SYN packets
//! against the fingerprints loaded into the kernel (`nfnl_osf`).
//!
//! Kernel struct `xt_osf_info` (revision 0, 48 bytes): `char genre[32]`,
//! `u32 len` (the genre's length), `u32 flags` (`XT_OSF_TTL` 2, `_LOG` 4,
//! `_INVERT` 8), `u32 loglevel`, `u32 ttl`. The kernel accepts it only in
//! rules with `-p tcp`.

use crate::tables::error::XtResult;
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_str, rd_u32, wr, wr_u32, wr_u8};
use crate::tables::ext::xtables::{err_mandatory, err_range, strtoul_full};
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

const GENRE: usize = 0;
const GENRE_LEN: usize = 32;
const LEN: usize = 32;
const FLAGS: usize = 36;
const LOGLEVEL: usize = 40;
const TTL: usize = 44;
const SIZE: usize = 48;

const F_TTL: u32 = 1 << 1;
const F_LOG: u32 = 1 << 2;
const F_INVERT: u32 = 1 << 3;

/// The `osf` match.
pub struct Osf;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Osf];

static OPTS: &[Opt] = &[Opt::req_inv("genre"), Opt::req("ttl"), Opt::req("log")];

impl Extension for Osf {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "osf"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        Families::V4
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
        let flags = rd_u32(&st.blob, FLAGS);
        match opt {
            "genre" => {
                let b = a.as_bytes();
                let n = b.len().min(GENRE_LEN - 1);
                wr(&mut st.blob, GENRE, &b[..n]);
                wr_u8(&mut st.blob, GENRE + n, 0);
                let len = rd_str(&st.blob, GENRE, GENRE_LEN).len();
                wr_u32(&mut st.blob, LEN, len as u32);
                if invert {
                    wr_u32(&mut st.blob, FLAGS, flags | F_INVERT);
                }
            }
            _ => {
                let v = strtoul_full(a, 0, 2).ok_or_else(|| err_range("osf", opt, 0, 2))?;
                let (off, bit) = if opt == "ttl" {
                    (TTL, F_TTL)
                } else {
                    (LOGLEVEL, F_LOG)
                };
                wr_u32(&mut st.blob, off, v as u32);
                wr_u32(&mut st.blob, FLAGS, flags | bit);
            }
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if !st.saw(self, "genre") {
            return Err(err_mandatory("osf", "genre"));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" OS fingerprint match ");
        if rd_u32(blob, FLAGS) & F_INVERT != 0 {
            out.push_str("! ");
        }
        out.push_str(&rd_str(blob, GENRE, GENRE_LEN));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let flags = rd_u32(blob, FLAGS);
        if flags & F_INVERT != 0 {
            out.push_str(" !");
        }
        out.push_str(" --genre ");
        out.push_str(&rd_str(blob, GENRE, GENRE_LEN));
        if flags & F_TTL != 0 {
            out.push_str(&format!(" --ttl {}", rd_u32(blob, TTL)));
        }
        if flags & F_LOG != 0 {
            out.push_str(&format!(" --log {}", rd_u32(blob, LOGLEVEL)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(line: &str) -> XtResult<crate::tables::ext::testing::Parsed> {
        let w: Vec<&str> = line.split_whitespace().collect();
        run(Kind::Match, "osf", Family::V4, 6, "filter", "INPUT", &w)
    }

    #[test]
    fn corpus() {
        let p = t("--genre linux --ttl 0 --log 0").unwrap();
        assert_eq!(p.save, " -m osf --genre linux --ttl 0 --log 0");
        assert_eq!(p.print, " OS fingerprint match linux");
        assert_eq!(p.print_numeric, p.print);
        // iptables -vvv -A INPUT -p tcp -m osf --genre linux --ttl 0 --log 0
        let mut want = vec![0u8; SIZE];
        want[..5].copy_from_slice(b"linux");
        want[32] = 5;
        want[36] = 6;
        assert_eq!(p.blob, want);
        assert_eq!(
            t("--genre linux --ttl 3 --log 0").unwrap_err().msg,
            "osf: bad value for option \"--ttl\", or out of range (0-2).\n"
        );
        let p = t("! --genre BSD").unwrap();
        assert_eq!(p.save, " -m osf ! --genre BSD");
        assert_eq!(p.print, " OS fingerprint match ! BSD");
        assert_eq!(
            t("").unwrap_err().msg,
            "osf: option \"--genre\" must be specified\n"
        );
        assert!(run(
            Kind::Match,
            "osf",
            Family::V6,
            6,
            "filter",
            "INPUT",
            &["--genre", "x"]
        )
        .is_err());
    }
}
