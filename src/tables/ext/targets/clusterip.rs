//! `CLUSTERIP` target (IPv4): load-shares a cluster IP between nodes
//! (`struct ipt_clusterip_tgt_info { __u32 flags; __u8 clustermac[6];
//! __u16 num_total_nodes, num_local_nodes, local_nodes[16]; __u32
//! hash_mode, hash_initval; void *config; }`, revision 0, 64 bytes; the
//! last 8 are the kernel's pointer). This kernel no longer has the module:
//! the real iptables warns and the kernel refuses the rule.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u16, rd_u32, rd_u8, wr, wr_u16, wr_u32};
use crate::tables::ext::xtables::xt_uint;
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

const FLAGS: usize = 0;
const MAC: usize = 4;
const TOTAL_NODES: usize = 10;
const NUM_LOCAL: usize = 12;
const LOCAL_NODES: usize = 14;
const HASH_MODE: usize = 48;
const HASH_INIT: usize = 52;
/// `CLUSTERIP_FLAG_NEW`
const FLAG_NEW: u32 = 1;
/// `CLUSTERIP_MAX_NODES`
const MAX_NODES: u64 = 16;

/// Hash mode names by value.
static MODES: &[&str] = &[
    "sourceip",
    "sourceip-sourceport",
    "sourceip-sourceport-destport",
];

/// The `CLUSTERIP` target.
pub struct Clusterip;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Clusterip];

static OPTS: &[Opt] = &[
    Opt::flag("new"),
    Opt::req("hashmode"),
    Opt::req("clustermac"),
    Opt::req("total-nodes"),
    Opt::req("local-node"),
    Opt::req("hash-init"),
];
/// The options `--new` needs (positions in [`OPTS`]).
const FULL: u64 = 0b11111;

/// `xtables_parse_mac`: six `:`-separated hex bytes.
fn parse_mac(s: &str) -> Option<[u8; 6]> {
    if s.len() != 17 {
        return None;
    }
    let mut m = [0u8; 6];
    for (i, part) in s.split(':').enumerate() {
        if i >= 6 || part.len() != 2 {
            return None;
        }
        *m.get_mut(i)? = u8::from_str_radix(part, 16).ok()?;
    }
    Some(m)
}

impl Extension for Clusterip {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "CLUSTERIP"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        Families::V4
    }
    fn size(&self, _family: Family) -> usize {
        64
    }
    fn userspace_size(&self, _family: Family) -> usize {
        56
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
        const N: &str = "CLUSTERIP";
        let argv = arg.unwrap_or("");
        let b = &mut st.blob;
        match opt {
            "new" => {
                let f = rd_u32(b, FLAGS) | FLAG_NEW;
                wr_u32(b, FLAGS, f);
            }
            "hashmode" => {
                let m = MODES
                    .iter()
                    .position(|m| *m == argv)
                    .ok_or_else(|| XtError::param(format!("Unknown hashmode \"{argv}\"")))?;
                wr_u32(b, HASH_MODE, m as u32);
            }
            "clustermac" => {
                let mac = parse_mac(argv)
                    .ok_or_else(|| XtError::param("Invalid MAC address specified."))?;
                if mac[0] & 1 == 0 {
                    return Err(XtError::param("MAC has to be a multicast ethernet address"));
                }
                wr(b, MAC, &mac);
            }
            "total-nodes" => {
                let v = xt_uint(N, opt, arg, 0, MAX_NODES)?;
                wr_u16(b, TOTAL_NODES, v as u16);
            }
            "local-node" => {
                let v = xt_uint(N, opt, arg, 0, MAX_NODES)?;
                wr_u16(b, NUM_LOCAL, 1);
                wr_u16(b, LOCAL_NODES, v as u16);
            }
            _ => {
                let v = xt_uint(N, opt, arg, 0, u32::MAX as u64)?;
                wr_u32(b, HASH_INIT, v as u32);
            }
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 || st.seen & FULL == FULL {
            return Ok(());
        }
        Err(XtError::param(
            "CLUSTERIP target: Invalid parameter combination",
        ))
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" CLUSTERIP");
        if rd_u32(blob, FLAGS) & FLAG_NEW == 0 {
            return;
        }
        let (mode, mac, total, local, init) = fields(blob);
        out.push_str(&format!(
            " hashmode={mode} clustermac={mac} total_nodes={total} local_node={local} hash_init={init}"
        ));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u32(blob, FLAGS) & FLAG_NEW == 0 {
            return;
        }
        let (mode, mac, total, local, init) = fields(blob);
        out.push_str(&format!(
            " --new --hashmode {mode} --clustermac {mac} --total-nodes {total} --local-node {local} --hash-init {init}"
        ));
    }
}

/// Hash mode name, MAC text, total nodes, first local node, hash init.
fn fields(blob: &[u8]) -> (&'static str, String, u16, u16, u32) {
    let mode = MODES
        .get(rd_u32(blob, HASH_MODE) as usize)
        .copied()
        .unwrap_or("UNKNOWN");
    let mac = (0..6)
        .map(|i| format!("{:02X}", rd_u8(blob, MAC + i)))
        .collect::<Vec<_>>()
        .join(":");
    (
        mode,
        mac,
        rd_u16(blob, TOTAL_NODES),
        rd_u16(blob, LOCAL_NODES),
        rd_u32(blob, HASH_INIT),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn t(args: &str) -> XtResult<Parsed> {
        let a: Vec<&str> = args.split(' ').filter(|s| !s.is_empty()).collect();
        run(
            Kind::Target,
            "CLUSTERIP",
            Family::V4,
            0,
            "filter",
            "INPUT",
            &a,
        )
    }

    #[test]
    fn corpus_and_observed() {
        for node in ["0", "1", "2"] {
            let args = format!("--new --hashmode sourceip --clustermac 01:AA:7B:47:F7:D7 --total-nodes 2 --local-node {node} --hash-init 1");
            let p = t(&args).unwrap();
            assert_eq!(p.save, format!(" -j CLUSTERIP {args}"));
        }
        let p = t("--new --hashmode sourceip --clustermac 01:AA:7B:47:F7:D7 --total-nodes 2 --local-node 1 --hash-init 1").unwrap();
        assert_eq!(p.print, " CLUSTERIP hashmode=sourceip clustermac=01:AA:7B:47:F7:D7 total_nodes=2 local_node=1 hash_init=1");
        let mut want = vec![0u8; 64];
        want[0] = 1;
        want[4..10].copy_from_slice(&[1, 0xaa, 0x7b, 0x47, 0xf7, 0xd7]);
        want[10] = 2;
        want[12] = 1;
        want[14] = 1;
        want[52] = 1;
        assert_eq!(p.blob, want);
        assert_eq!(t("").unwrap().save, " -j CLUSTERIP");
        assert!(t("--new --hashmode sourceip --clustermac 01:AA:7B:47:F7:D7 --total-nodes 2 --local-node 1").is_ok());
        for (args, msg) in [
            ("--hashmode sourceip", "CLUSTERIP target: Invalid parameter combination"),
            ("--new --hashmode sourceip", "CLUSTERIP target: Invalid parameter combination"),
            ("--new --hashmode foo", "Unknown hashmode \"foo\""),
            ("--new --clustermac 00:11:22:33:44:55", "MAC has to be a multicast ethernet address"),
            ("--new --clustermac 01:11:22:33:44", "Invalid MAC address specified."),
            (
                "--new --total-nodes 17",
                "CLUSTERIP: bad value for option \"--total-nodes\", or out of range (0-16).\n",
            ),
            (
                "--new --hash-init x",
                "CLUSTERIP: bad value for option \"--hash-init\", or out of range (0-4294967295).\n",
            ),
        ] {
            assert_eq!(t(args).unwrap_err().msg, msg, "{args}");
        }
    }
}
