#!/usr/bin/env bash
# Dataplane benchmark: new connections through N = 100, 1,000 and 10,000
# services programmed through IPVS (rvsadm) and kube-proxy-style through
# iptables (rtables-restore), in the VM (see tests/vm/dataplane.sh). Prints
# DP/DPPROG lines. Needs scripts/install-deps.sh.
#
#   scripts/bench-dataplane.sh
#   RVSADM_GUEST_DP_SIZES="100 1000" scripts/bench-dataplane.sh
#
# RTABLES_DIR=dir (with rvsadm, rtables, rtables-restore and
# examples/connbench built) skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
if [ -z "${RTABLES_DIR:-}" ]; then
    cargo build --release --quiet --bin rvsadm --bin rtables --bin rtables-restore --example connbench
    RTABLES_DIR=${CARGO_TARGET_DIR:-$PWD/target}/release
fi
R=$RTABLES_DIR
export RVSADM=$R/rvsadm
export RVSADM_VM_BINS="$R/rtables-restore $R/rtables $R/examples/connbench"
# N = 10,000 in nf_tables needs more than the rig's default 1 GiB, and the
# guest's 6.1 kernel takes minutes under TCG to commit it.
export RVSADM_VM_MEM=${RVSADM_VM_MEM:-2048}
export RVSADM_VM_TIMEOUT=${RVSADM_VM_TIMEOUT:-2400}
RVSADM_GUEST_RSS_DIV=$(busybox_rss_div)
export RVSADM_GUEST_RSS_DIV
exec scripts/vm/run.sh tests/vm/dataplane.sh
