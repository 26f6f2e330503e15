//! `cluster` match: hash-based cluster load sharing; the packet matches when
//! its hash falls on one of this node's slots.
//!
//! Kernel struct `struct xt_cluster_match_info { u32 total_nodes,
//! node_mask, hash_seed, flags; }` (`xt_cluster.h`), revision 0, 16 bytes.
//! `--cluster-local-node N` is stored as the mask `1 << (N - 1)` and saved
//! as `--cluster-local-nodemask 0x%08x`; `!` sets `XT_CLUSTER_F_INV`.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u32, wr_u32};
use crate::tables::ext::xtables::xt_uint;
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const TOTAL: usize = 0;
const MASK: usize = 4;
const SEED: usize = 8;
const FLAGS: usize = 12;
const F_INV: u32 = 1;

/// The `cluster` match.
pub struct Cluster;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Cluster];

static OPTS: &[Opt] = &[
    Opt::req("cluster-total-nodes"),
    Opt::req_inv("cluster-local-node"),
    Opt::req_inv("cluster-local-nodemask"),
    Opt::req("cluster-hash-seed"),
];

impl Extension for Cluster {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "cluster"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        16
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
        let (min, max) = match opt {
            "cluster-hash-seed" => (0, u32::MAX as u64),
            _ => (1, 32),
        };
        let v = xt_uint("cluster", opt, arg, min, max)? as u32;
        match opt {
            "cluster-total-nodes" => wr_u32(&mut st.blob, TOTAL, v),
            "cluster-local-node" => wr_u32(&mut st.blob, MASK, 1 << (v - 1)),
            "cluster-local-nodemask" => wr_u32(&mut st.blob, MASK, v),
            _ => wr_u32(&mut st.blob, SEED, v),
        }
        if invert {
            let f = rd_u32(&st.blob, FLAGS) | F_INV;
            wr_u32(&mut st.blob, FLAGS, f);
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        // The extension's check, then libxtables' option checks.
        let (node, nodemask) = (
            st.saw(self, "cluster-local-node"),
            st.saw(self, "cluster-local-nodemask"),
        );
        if !node && !nodemask {
            return Err(XtError::param(
                "cluster match: `--cluster-local-node' or`--cluster-local-nodemask' is missing",
            ));
        }
        let total = rd_u32(&st.blob, TOTAL) as u64;
        let mask = rd_u32(&st.blob, MASK) as u64;
        if node && mask >= 1u64 << total {
            return Err(XtError::param(
                "cluster match: `--cluster-local-node' must be <= `--cluster-total-nodes'",
            ));
        }
        if nodemask && mask >= 1u64 << total {
            return Err(XtError::param(
                "cluster match: `--cluster-local-nodemask' too big for `--cluster-total-nodes'",
            ));
        }
        // A missing --cluster-total-nodes (0) always fails the checks above.
        if node && nodemask {
            return Err(XtError::param(
                "cluster: option \"--cluster-local-node\" cannot be used together with \"--cluster-local-nodemask\".\n",
            ));
        }
        if !st.saw(self, "cluster-hash-seed") {
            return Err(XtError::param(
                "cluster: option \"--cluster-hash-seed\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let inv = if rd_u32(blob, FLAGS) & F_INV != 0 {
            "!"
        } else {
            ""
        };
        out.push_str(&format!(
            " cluster {inv}node_mask=0x{:08x} total_nodes={} hash_seed=0x{:08x}",
            rd_u32(blob, MASK),
            rd_u32(blob, TOTAL),
            rd_u32(blob, SEED)
        ));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u32(blob, FLAGS) & F_INV != 0 {
            out.push_str(" !");
        }
        out.push_str(&format!(
            " --cluster-local-nodemask 0x{:08x} --cluster-total-nodes {} --cluster-hash-seed 0x{:08x}",
            rd_u32(blob, MASK),
            rd_u32(blob, TOTAL),
            rd_u32(blob, SEED)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};

    #[test]
    fn corpus_lines() {
        for l in [
            "-m cluster;;FAIL",
            "-m cluster --cluster-total-nodes 3;;FAIL",
            "-m cluster --cluster-total-nodes 2 --cluster-local-node 2;;FAIL",
            "-m cluster --cluster-total-nodes 2 --cluster-local-node 2 --cluster-hash-seed 0xfeedcafe;-m cluster --cluster-local-nodemask 0x00000002 --cluster-total-nodes 2 --cluster-hash-seed 0xfeedcafe;OK",
        ] {
            check(Family::V4, "PREROUTING", l);
            check(Family::V6, "PREROUTING", l);
        }
        // `--cluster-hash-seed` without its argument: the option parser.
    }

    #[test]
    fn observed() {
        let p = parse(
            Family::V4,
            "INPUT",
            "-m cluster --cluster-total-nodes 2 ! --cluster-local-node 1 --cluster-hash-seed 1",
        )
        .unwrap();
        assert_eq!(
            p.save,
            " -m cluster ! --cluster-local-nodemask 0x00000001 --cluster-total-nodes 2 --cluster-hash-seed 0x00000001"
        );
        assert_eq!(
            p.print,
            " cluster !node_mask=0x00000001 total_nodes=2 hash_seed=0x00000001"
        );
        let p = parse(
            Family::V4,
            "INPUT",
            "-m cluster --cluster-total-nodes 2 ! --cluster-local-node 2 --cluster-hash-seed 0xfeedcafe",
        )
        .unwrap();
        // iptables -vvv
        assert_eq!(
            p.blob,
            [2, 0, 0, 0, 2, 0, 0, 0, 0xfe, 0xca, 0xed, 0xfe, 1, 0, 0, 0]
        );
        let e = |r: &str| parse(Family::V4, "INPUT", r).unwrap_err().msg;
        assert_eq!(
            e("-m cluster --cluster-total-nodes 2 --cluster-local-node 3 --cluster-hash-seed 1"),
            "cluster match: `--cluster-local-node' must be <= `--cluster-total-nodes'"
        );
        assert_eq!(
            e("-m cluster --cluster-total-nodes 2 --cluster-local-nodemask 7 --cluster-hash-seed 1"),
            "cluster match: `--cluster-local-nodemask' too big for `--cluster-total-nodes'"
        );
        assert_eq!(
            e("-m cluster --cluster-total-nodes 2 --cluster-local-node 1 --cluster-local-nodemask 1 --cluster-hash-seed 1"),
            "cluster: option \"--cluster-local-node\" cannot be used together with \"--cluster-local-nodemask\".\n"
        );
        assert_eq!(
            e("-m cluster --cluster-total-nodes 2 --cluster-local-node 1"),
            "cluster: option \"--cluster-hash-seed\" must be specified\n"
        );
        assert_eq!(
            e("-m cluster --cluster-total-nodes 33 --cluster-local-node 1 --cluster-hash-seed 1"),
            "cluster: bad value for option \"--cluster-total-nodes\", or out of range (1-32).\n"
        );
    }
}
