//! `DNPT` target (IPv6 only): stateless destination prefix translation
//! (RFC 6296), `--src-pfx ADDR/LEN --dst-pfx ADDR/LEN`, both required.
//!
//! Kernel struct `struct ip6t_npt_tginfo { union nf_inet_addr src_pfx,
//! dst_pfx; u8 src_pfx_len, dst_pfx_len; __sum16 adjustment; }`, rev 0,
//! 40 bytes; the adjustment is kernel-private (userspace size 34). The
//! prefixes are stored as given: a prefix with host bits, or a length
//! above 64 (an address without `/LEN` is /128), parses but the kernel
//! refuses the rule (EINVAL). `SNPT` ([`super::snpt`]) shares this code.

use crate::tables::error::XtResult;
use crate::tables::expr::Family;
use crate::tables::ext::targets::netmap::parse_plen;
use crate::tables::ext::util::{rd_ipv6, rd_u8, wr, wr_u8};
use crate::tables::ext::xtables::err_mandatory;
use crate::tables::ext::xtables::host_bytes;
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

/// `DNPT` or `SNPT`.
pub(crate) struct NptTarget {
    /// `DNPT` / `SNPT`.
    pub name: &'static str,
}

static OPTS: &[Opt] = &[Opt::req("src-pfx"), Opt::req("dst-pfx")];

impl NptTarget {
    fn text(&self, blob: &[u8], print: bool, out: &mut String) {
        let (s, d) = if print {
            (" src-pfx ", " dst-pfx ")
        } else {
            (" --src-pfx ", " --dst-pfx ")
        };
        if print {
            out.push(' ');
            out.push_str(self.name);
        }
        out.push_str(&format!(
            "{s}{}/{}{d}{}/{}",
            rd_ipv6(blob, 0),
            rd_u8(blob, 32),
            rd_ipv6(blob, 16),
            rd_u8(blob, 33)
        ));
    }
}

impl Extension for NptTarget {
    fn kind(&self) -> Kind {
        Kind::Target
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
    fn userspace_size(&self, _family: Family) -> usize {
        34
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
        let f = Family::V6;
        let arg = arg.unwrap_or("");
        let (addr, plen) = match arg.split_once('/') {
            Some((h, m)) => {
                let plen = parse_plen(self.name, opt, f, m)?;
                (host_bytes(f, h)?, plen)
            }
            None => (host_bytes(f, arg)?, 128),
        };
        let (off, len_off) = if opt == "src-pfx" { (0, 32) } else { (16, 33) };
        wr(&mut st.blob, off, &addr);
        wr_u8(&mut st.blob, len_off, plen);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        for o in ["src-pfx", "dst-pfx"] {
            if !st.saw(self, o) {
                return Err(err_mandatory(self.name, o));
            }
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        self.text(blob, true, out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        self.text(blob, false, out);
    }
}

/// The `DNPT` target.
pub(crate) static DNPT: NptTarget = NptTarget { name: "DNPT" };

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&DNPT];

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::tables::ext::targets::dnat::tests::{corpus, tg};

    /// The corpus lines shared by `DNPT` and `SNPT`.
    pub(crate) fn lines() -> Vec<(u8, &'static str, Option<&'static str>)> {
        vec![
            (0, "--src-pfx dead::/64 --dst-pfx 1c3::/64", Some("=")),
            // FAIL in the corpus: the kernel refuses /128 (EINVAL)
            (
                0,
                "--src-pfx dead::beef --dst-pfx 1c3::/64",
                Some("--src-pfx dead::beef/128 --dst-pfx 1c3::/64"),
            ),
            (0, "--src-pfx dead::/64", None),
            (0, "--dst-pfx dead::/64", None),
            (0, "", None),
            // observed
            (0, "--src-pfx dead::/129 --dst-pfx 1c3::/64", None),
            (
                0,
                "--src-pfx dead::/ffff:: --dst-pfx 1c3::/64",
                Some("--src-pfx dead::/16 --dst-pfx 1c3::/64"),
            ),
            (0, "--src-pfx 1.2.3.4/8 --dst-pfx 1c3::/64", None),
        ]
    }

    #[test]
    fn corpus_lines() {
        corpus(Family::V6, "mangle", "PREROUTING", "DNPT", &lines());
        assert!(crate::tables::ext::find(Kind::Target, "DNPT", Family::V4).is_none());
    }

    #[test]
    fn print_and_blob() {
        let p = tg(
            Family::V6,
            "mangle",
            "PREROUTING",
            0,
            "DNPT",
            "--src-pfx dead::/64 --dst-pfx 1c3::/64",
        )
        .unwrap();
        assert_eq!(p.print, " DNPT src-pfx dead::/64 dst-pfx 1c3::/64");
        let mut want = vec![0u8; 40];
        want[0..2].copy_from_slice(&[0xde, 0xad]);
        want[16..18].copy_from_slice(&[0x01, 0xc3]);
        want[32] = 64;
        want[33] = 64;
        assert_eq!(p.blob, want);
        let e = tg(Family::V6, "mangle", "PREROUTING", 0, "DNPT", "").unwrap_err();
        assert_eq!(e.msg, "DNPT: option \"--src-pfx\" must be specified\n");
        let e = tg(
            Family::V6,
            "mangle",
            "PREROUTING",
            0,
            "DNPT",
            "--src-pfx dead::/129",
        )
        .unwrap_err();
        assert_eq!(
            e.msg,
            "DNPT: bad value for option \"--src-pfx\", neither a valid network mask nor valid CIDR (0-128).\n"
        );
    }
}
