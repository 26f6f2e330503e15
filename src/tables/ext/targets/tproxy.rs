//! `TPROXY` target: transparent proxying, delivers the packet to a local
//! socket without changing it (`--on-port PORT`, `--on-ip ADDR`,
//! `--tproxy-mark VALUE[/MASK]`).
//!
//! iptables-nft 1.8.9 sends rev 1 for both families: `struct
//! xt_tproxy_target_info_v1 { u32 mark_mask; u32 mark_value; union
//! nf_inet_addr laddr; __be16 lport; }`, 32 bytes. `--on-port` is required
//! and resolved like `getaddrinfo(NULL, port)` does (decimal, truncated to
//! 16 bits, or a service name); without `--tproxy-mark` the mark is
//! `0x0/0x0`. The kernel refuses the rule without `-p tcp`/`-p udp`.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{
    parse_mark_mask, rd_be16, rd_ipv4, rd_ipv6, rd_u32, service_port, wr, wr_be16, wr_u32,
};
use crate::tables::ext::xtables::host_bytes;
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// The `TPROXY` target.
pub struct Tproxy;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Tproxy];

static OPTS: &[Opt] = &[
    Opt::req("on-port"),
    Opt::req("on-ip"),
    Opt::req("tproxy-mark"),
];

/// `xtables_getportbyname`: a decimal number (any size, kept modulo
/// 65536, the empty word is 0) or a service name.
fn port_by_name(s: &str) -> Option<u16> {
    let t = s.trim_start();
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.bytes().all(|c| c.is_ascii_digit()) && !t.starts_with('-') {
        let mut v: u64 = 0;
        for c in t.bytes() {
            v = v.saturating_mul(10).saturating_add((c - b'0') as u64);
        }
        return Some((v & 0xffff) as u16);
    }
    service_port(s, "tcp").or_else(|| service_port(s, "udp"))
}

fn addr_text(f: Family, blob: &[u8]) -> String {
    match f {
        Family::V4 => rd_ipv4(blob, 8).to_string(),
        Family::V6 => rd_ipv6(blob, 8).to_string(),
    }
}

impl Extension for Tproxy {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "TPROXY"
    }
    fn revision(&self) -> u32 {
        1
    }
    fn size(&self, _family: Family) -> usize {
        32
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let arg = arg.unwrap_or("");
        match opt {
            "on-port" => {
                let p = port_by_name(arg).ok_or_else(|| {
                    XtError::param(format!("Port \"{arg}\" does not resolve to anything.\n"))
                })?;
                wr_be16(&mut st.blob, 24, p);
            }
            "on-ip" => {
                let a = host_bytes(ctx.family, arg)?;
                wr(&mut st.blob, 8, &a[..ctx.family.addr_len()]);
            }
            "tproxy-mark" => {
                let (v, m) = parse_mark_mask(arg).ok_or_else(|| {
                    XtError::param(
                        "TPROXY: bad integer value for option \"--tproxy-mark\", or out of range.\n",
                    )
                })?;
                wr_u32(&mut st.blob, 0, m);
                wr_u32(&mut st.blob, 4, v);
            }
            _ => {}
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if !st.saw(self, "on-port") {
            return Err(XtError::param(
                "TPROXY: option \"--on-port\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(&format!(
            " TPROXY redirect {}:{} mark 0x{:x}/0x{:x}",
            addr_text(ctx.family, blob),
            rd_be16(blob, 24),
            rd_u32(blob, 4),
            rd_u32(blob, 0)
        ));
    }
    fn save(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(&format!(
            " --on-port {} --on-ip {} --tproxy-mark 0x{:x}/0x{:x}",
            rd_be16(blob, 24),
            addr_text(ctx.family, blob),
            rd_u32(blob, 4),
            rd_u32(blob, 0)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::targets::dnat::tests::{corpus, tg};

    #[test]
    fn corpus_lines() {
        let full = "--on-port 12345 --on-ip 10.0.0.1 --tproxy-mark 0x23/0xff";
        corpus(
            Family::V4,
            "mangle",
            "PREROUTING",
            "TPROXY",
            &[
                // `-j TPROXY ...` without -p: FAIL comes from the kernel (EINVAL)
                (17, full, Some("=")),
                (6, full, Some("=")),
                // observed
                (
                    6,
                    "--on-port 12345",
                    Some("--on-port 12345 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0"),
                ),
                (
                    6,
                    "--on-port ssh --tproxy-mark 5",
                    Some("--on-port 22 --on-ip 0.0.0.0 --tproxy-mark 0x5/0xffffffff"),
                ),
                (
                    6,
                    "--on-port 70000",
                    Some("--on-port 4464 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0"),
                ),
                (
                    6,
                    "--on-port 1 --on-ip 1.2.3",
                    Some("--on-port 1 --on-ip 1.2.0.3 --tproxy-mark 0x0/0x0"),
                ),
                (6, "--on-ip 1.2.3.4", None),
                (6, "--on-port foo", None),
                (6, "--on-port -1", None),
                (6, "--on-port 0x10", None),
                (6, "--on-port 1 --tproxy-mark x", None),
                (6, "--on-port 1 --tproxy-mark 1/", None),
                (6, "--on-port 1 --on-ip dead::1", None),
            ],
        );
        corpus(
            Family::V6,
            "mangle",
            "PREROUTING",
            "TPROXY",
            &[(
                17,
                "--on-port 12345 --on-ip dead::1 --tproxy-mark 0x23/0xff",
                Some("="),
            )],
        );
    }

    #[test]
    fn print_and_blob() {
        let p = tg(
            Family::V4,
            "mangle",
            "PREROUTING",
            17,
            "TPROXY",
            "--on-port 12345 --on-ip 10.0.0.1 --tproxy-mark 0x23/0xff",
        )
        .unwrap();
        assert_eq!(p.print, " TPROXY redirect 10.0.0.1:12345 mark 0x23/0xff");
        let mut want = vec![0u8; 32];
        want[0] = 0xff;
        want[4] = 0x23;
        want[8..12].copy_from_slice(&[10, 0, 0, 1]);
        want[24..26].copy_from_slice(&[0x30, 0x39]);
        assert_eq!(p.blob, want);
        let p = tg(
            Family::V6,
            "mangle",
            "PREROUTING",
            17,
            "TPROXY",
            "--on-port 12345 --on-ip dead::1 --tproxy-mark 0x23/0xff",
        )
        .unwrap();
        assert_eq!(p.print, " TPROXY redirect dead::1:12345 mark 0x23/0xff");
        let e = tg(
            Family::V4,
            "mangle",
            "PREROUTING",
            6,
            "TPROXY",
            "--on-port foo",
        )
        .unwrap_err();
        assert_eq!(e.msg, "Port \"foo\" does not resolve to anything.\n");
        let e = tg(Family::V4, "mangle", "PREROUTING", 6, "TPROXY", "").unwrap_err();
        assert_eq!(e.msg, "TPROXY: option \"--on-port\" must be specified\n");
    }
}
