#!/usr/bin/env bash
# Control-plane benchmark: rvsadm against ipvsadm 1.31 in the same VM boot
# (restore, -Ln, -Sn and one add at 2,000 x 10 and 10,000 x 2), medians of 3
# alternating runs, printed as BENCH/RATIO lines. Needs scripts/install-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin rvsadm
RVSADM=$PWD/target/release/rvsadm exec scripts/vm/run.sh tests/vm/bench.sh
