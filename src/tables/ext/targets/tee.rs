//! `TEE` target: clones the packet and routes the copy to a gateway
//! (`struct xt_tee_tginfo { union nf_inet_addr gw; char oif[16]; void
//! *priv; }`, revision 1, 40 bytes; the last 8 are the kernel's pointer).

use std::net::IpAddr;

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_ipv4, rd_ipv6, rd_str, wr, wr_str};
use crate::tables::ext::xtables::gai_host;
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// Offset and size of `oif`.
const OIF: usize = 16;
const IFNAMSIZ: usize = 16;

/// The `TEE` target.
pub struct Tee;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Tee];

static OPTS: &[Opt] = &[Opt::req("gateway"), Opt::req("oif")];

impl Extension for Tee {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "TEE"
    }
    fn revision(&self) -> u32 {
        1
    }
    fn size(&self, _family: Family) -> usize {
        40
    }
    fn userspace_size(&self, _family: Family) -> usize {
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
        if opt == "gateway" {
            match gai_host(ctx.family, arg)? {
                IpAddr::V4(a) => wr(&mut st.blob, 0, &a.octets()),
                IpAddr::V6(a) => wr(&mut st.blob, 0, &a.octets()),
            }
        } else {
            wr_str(&mut st.blob, OIF, IFNAMSIZ, arg);
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen & 1 == 0 {
            return Err(XtError::param(
                "TEE: option \"--gateway\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let gw = gateway(ctx.family, blob);
        let text = if ctx.numeric {
            gw.to_string()
        } else {
            crate::names::host_name(&gw).unwrap_or_else(|| gw.to_string())
        };
        out.push_str(&format!(" TEE gw:{text}"));
        let oif = rd_str(blob, OIF, IFNAMSIZ);
        if !oif.is_empty() {
            out.push_str(&format!(" oif={oif}"));
        }
    }
    fn save(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(&format!(" --gateway {}", gateway(ctx.family, blob)));
        let oif = rd_str(blob, OIF, IFNAMSIZ);
        if !oif.is_empty() {
            out.push_str(&format!(" --oif {oif}"));
        }
    }
}

/// The gateway address of the blob.
fn gateway(family: Family, blob: &[u8]) -> IpAddr {
    match family {
        Family::V6 => IpAddr::V6(rd_ipv6(blob, 0)),
        _ => IpAddr::V4(rd_ipv4(blob, 0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    #[test]
    fn corpus_and_observed() {
        let t = |f, a: &[&str]| run(Kind::Target, "TEE", f, 0, "mangle", "PREROUTING", a);
        let p = t(Family::V4, &["--gateway", "1.1.1.1"]).unwrap();
        assert_eq!(p.save, " -j TEE --gateway 1.1.1.1");
        assert_eq!(p.print_numeric, " TEE gw:1.1.1.1");
        let mut want = vec![0u8; 40];
        want[..4].copy_from_slice(&[1, 1, 1, 1]);
        assert_eq!(p.blob, want);
        let p = t(Family::V4, &["--gateway", "1.1.1.1", "--oif", "eth0"]).unwrap();
        assert_eq!(p.save, " -j TEE --gateway 1.1.1.1 --oif eth0");
        assert_eq!(p.print_numeric, " TEE gw:1.1.1.1 oif=eth0");
        let p = t(Family::V6, &["--gateway", "2001:db8::1", "--oif", "lo"]).unwrap();
        assert_eq!(p.save, " -j TEE --gateway 2001:db8::1 --oif lo");
        assert_eq!(p.print_numeric, " TEE gw:2001:db8::1 oif=lo");
        assert_eq!(p.blob[15], 1);
        assert_eq!(&p.blob[16..19], b"lo\0");
        for a in [&[][..], &["--oif", "eth0"][..]] {
            assert_eq!(
                t(Family::V4, a).unwrap_err().msg,
                "TEE: option \"--gateway\" must be specified\n"
            );
        }
        assert!(t(Family::V4, &["--gateway", "1.1.1.1/24"]).is_err());
        // ip6tables -t mangle -A PREROUTING -j TEE --gateway 1.1.1.1; iptables ... ::1
        let gai = "getaddrinfo: Address family for hostname not supported\n";
        assert_eq!(
            t(Family::V6, &["--gateway", "1.1.1.1"]).unwrap_err().msg,
            gai
        );
        assert_eq!(t(Family::V4, &["--gateway", "::1"]).unwrap_err().msg, gai);
        // getaddrinfo's numeric forms: `1` is 0.0.0.1
        let p = t(Family::V4, &["--gateway", "1"]).unwrap();
        assert_eq!(p.save, " -j TEE --gateway 0.0.0.1");
    }
}
