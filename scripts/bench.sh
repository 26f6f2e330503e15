#!/usr/bin/env bash
# The whole benchmark, one command (as root, after scripts/install-deps.sh):
#
#   sudo scripts/bench.sh
#
# 1. builds the release binaries and the connection helper (examples/connbench);
# 2. nf_tables control plane on this machine's kernel: rtables against
#    iptables-nft 1.8.9 (scripts/bench-nft.sh);
# 3. IPVS control plane in the QEMU rig: rvsadm against ipvsadm 1.31
#    (scripts/bench-ipvs.sh -> tests/vm/bench.sh);
# 4. dataplane in the QEMU rig: new connections through N services, IPVS
#    against kube-proxy-style iptables (scripts/bench-dataplane.sh ->
#    tests/vm/dataplane.sh);
# 5. criterion microbenchmarks (benches/hot_paths.rs);
# 6. writes BENCHMARKS.md and docs/benchmarks.svg (scripts/bench-report.py).
#
# About 30 minutes on the project's 2-core machine. The raw logs stay in
# $BENCH_OUT (default <target dir>/bench-results).
#
# Environment:
#   BENCH_PHASES   the phases to run (default "nft ipvs dataplane micro"); a
#                  phase left out keeps its log from an earlier run, so the
#                  report can be rewritten from partial runs
#   BENCH_OUT      where the logs go
#   RUNS, REPS     scripts/bench-nft.sh's runs (default 5) and quick-op samples
#                  per run (default 3)
#   RVSADM_GUEST_BENCH_REPEATS, RVSADM_GUEST_DP_*   the VM phases' settings
#                  (see tests/vm/bench.sh and tests/vm/dataplane.sh)
# Exit status: 0 when every phase ran and all its checks passed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PATH=$PATH:/usr/sbin:/sbin

die() {
    echo "bench: error: $*" >&2
    exit 1
}
[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, nf_tables): sudo scripts/bench.sh"
for t in cargo python3 qemu-system-x86_64 iptables-nft nft ipvsadm strace unshare nsenter; do
    command -v "$t" >/dev/null 2>&1 || die "$t missing: run scripts/install-deps.sh (cargo: a Rust toolchain on root's PATH)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time missing (package time): run scripts/install-deps.sh"

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=${BENCH_OUT:-$TARGET/bench-results}
PHASES=${BENCH_PHASES:-nft ipvs dataplane micro}
mkdir -p "$OUT"
export CARGO_TARGET_DIR=$TARGET
# The IPVS control plane: 5 alternating rounds (the VM script's default is 3).
export RVSADM_GUEST_BENCH_REPEATS=${RVSADM_GUEST_BENCH_REPEATS:-5}
START=$(date +%s)
status=0
durations=()

phase_wanted() { case " $PHASES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# run_phase NAME LOG CMD...: run CMD, its output to LOG (and the terminal).
run_phase() {
    local name=$1 log=$2 t0 rc
    shift 2
    echo "bench: === $name ===" >&2
    t0=$(date +%s)
    "$@" 2>&1 | tee "$log.tmp"
    rc=${PIPESTATUS[0]}
    mv "$log.tmp" "$log"
    durations+=("$name $(($(date +%s) - t0)) s")
    if [ "$rc" -ne 0 ]; then
        echo "bench: $name exited $rc (log: $log)" >&2
        status=1
    fi
}

# --- build -------------------------------------------------------------------
echo "bench: building (release)" >&2
t0=$(date +%s)
cargo build --release --bins --example connbench || die "cargo build failed"
durations+=("build $(($(date +%s) - t0)) s")
R=$TARGET/release

# --- the machine -------------------------------------------------------------------
vm_kernel=$(scripts/vm/kernel.sh 2>/dev/null) && vm_kernel=$(cat "$vm_kernel/kernel-version" 2>/dev/null)
{
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "cores=$(nproc)"
    echo "memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
    echo "host_kernel=$(uname -r)"
    echo "vm_kernel=Debian ${vm_kernel:-?} (QEMU TCG, 1 vCPU; 1 GiB for the IPVS runs, 2 GiB for the dataplane)"
    echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "rustc=$(rustc -V 2>/dev/null)"
    echo "commit=$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- src 2>/dev/null || echo ' (src modified)')"
    echo "iptables=$(iptables-nft --version 2>/dev/null)"
    echo "ipvsadm=ipvsadm $(dpkg-query -W -f='${Version}' ipvsadm 2>/dev/null) (Debian package)"
    echo "nft=$(nft --version 2>/dev/null)"
} >"$OUT/meta.env.tmp"

# --- the phases ---------------------------------------------------------------------
if phase_wanted nft; then
    run_phase "nf_tables control plane" "$OUT/nft.log" env RTABLES_DIR="$R" scripts/bench-nft.sh
fi
if phase_wanted ipvs; then
    run_phase "IPVS control plane (VM)" "$OUT/ipvs.log" env RVSADM="$R/rvsadm" \
        RVSADM_VM_LOG="$OUT/ipvs-console.log" scripts/bench-ipvs.sh
fi
if phase_wanted dataplane; then
    run_phase "dataplane (VM)" "$OUT/dataplane.log" env RTABLES_DIR="$R" \
        RVSADM_VM_LOG="$OUT/dataplane-console.log" scripts/bench-dataplane.sh
fi
if phase_wanted micro; then
    run_phase "criterion microbenchmarks" "$OUT/criterion.log" cargo bench --bench hot_paths
fi

# --- the report ---------------------------------------------------------------------
total=$(($(date +%s) - START))
joined=''
for d in "${durations[@]}"; do joined+="${joined:+; }$d"; done
{
    cat "$OUT/meta.env.tmp"
    echo "durations=$joined; total $((total / 60)) min $((total % 60)) s (phases: $PHASES)"
} >"$OUT/meta.env"
rm -f "$OUT/meta.env.tmp"
mkdir -p docs
python3 scripts/bench-report.py "$OUT" BENCHMARKS.md docs/benchmarks.svg "$TARGET/criterion" || status=1
echo "bench: wrote BENCHMARKS.md and docs/benchmarks.svg ($((total / 60)) min $((total % 60)) s; logs in $OUT)" >&2
exit "$status"
