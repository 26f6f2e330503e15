#!/usr/bin/env bash
# Control-plane benchmark: rvsadm against ipvsadm 1.31 in the same VM boot
# (restore, -Ln, -Sn and one add at 2,000 x 10 and 10,000 x 2), medians of 3
# alternating runs, printed as BENCH/RATIO lines (see tests/vm/bench.sh).
# Needs scripts/install-deps.sh. RVSADM=path skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
if [ -z "${RVSADM:-}" ]; then
    cargo build --release --quiet --bin rvsadm
    RVSADM=${CARGO_TARGET_DIR:-$PWD/target}/release/rvsadm
fi
RVSADM_GUEST_RSS_DIV=$(busybox_rss_div)
export RVSADM RVSADM_GUEST_RSS_DIV
exec scripts/vm/run.sh tests/vm/bench.sh
