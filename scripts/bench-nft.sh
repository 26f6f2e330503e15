#!/usr/bin/env bash
# Control-plane benchmark, nf_tables: rtables against iptables-nft 1.8.9 on
# this machine's kernel, in fresh network namespaces, the two tools
# alternating (which one goes first flips from one run to the next), median of
# RUNS runs.
#
#   scripts/bench-nft.sh                 # RUNS=5
#   RUNS=3 scripts/bench-nft.sh
#   BENCH_NFT_SETS="filter1k" scripts/bench-nft.sh   # a subset
#
# Rule sets (scripts/gen-rules.py):
#   filter1k    1,000 rules `-s A/32 -p tcp -m tcp --dport P -j ACCEPT` in one
#               user chain CH0 jumped to from INPUT (for the append scaling);
#   filter100k  100,000 such rules in 100 user chains of 1,000;
#   kube10k     a kube-proxy-like nat table: 10,000 services x 3 endpoints,
#               40,000 KUBE-SVC/KUBE-SEP chains created in name order,
#               comment + statistic + DNAT rules (~100,000 rules).
# Each set also gets two copies of a rule at the end of OUTPUT and, in the
# middle of a big chain, two copies of one rule: each tool deletes "its" copy
# by specification (-D).
#
# One run of one set:
#   restore     each tool restores the set into its own fresh namespace
#               (`unshare -n`); the two resulting tables must save the same
#               (checked with iptables-nft-save: CHECK lines);
#   then, in a third namespace loaded (untimed) by iptables-nft-restore:
#   save        `*-save -t TABLE`
#   S           `-t TABLE -S`
#   Ln          `-t TABLE -L -n`
#   list-chain  `-t TABLE -L CHAIN -n` of one chain (filter: the 1,000-rule
#               CH50; nat: KUBE-SERVICES, 10,000 rules)
#   append      `-t TABLE -A CHAIN -s 192.0.2.N -j ACCEPT` (CH0 / KUBE-SERVICES)
#   delete      `-D OUTPUT -d 192.0.2.98/32 -j ACCEPT`: the last rule of a
#               small chain, by specification
#   delete-mid  by specification, a rule in the middle of a big chain (rule
#               500 of CH50; the DNAT rule of service 5,000's first endpoint)
#   restore-again  the set restored over itself (the table is replaced)
#   and the floor: `nft list ruleset` (nft 1.0.6, the kernel's dump plus nft's
#   own printing) in the same namespace.
#
# Every timed command runs under /usr/bin/time (peak RSS, user and system
# CPU time); the wall clock is bash's $EPOCHREALTIME around it (the fork and
# exec of /usr/bin/time are included, equally for both tools; name=overhead
# measures that cost alone).
#
# Output (one line each; scripts/bench-report.py reads them):
#   BENCH suite=nft name=SET/OP tool=TOOL median_ms=M runs=N samples_ms=a,b,..
#         rss_kb=R user_ms=U sys_ms=S       (medians of each column)
#   RATIO suite=nft name=SET/OP iptables/rtables=X
#   SYSCALLS suite=nft name=SET/OP tool=TOOL requests=N replies=N (strace -c)
#   PASS NAME / FAIL NAME, and a final `N passed, N failed`
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
REPS=${REPS:-3} # samples of the quick operations per run
SETS=${BENCH_NFT_SETS:-filter1k filter100k kube10k}
[ "$(id -u)" -eq 0 ] || { echo "bench-nft: must run as root (network namespaces)" >&2; exit 1; }
for t in iptables-nft iptables-nft-save iptables-nft-restore nft unshare nsenter python3 strace; do
    command -v "$t" >/dev/null || { echo "bench-nft: $t missing: run scripts/install-deps.sh" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench-nft: /usr/bin/time missing (package time): run scripts/install-deps.sh" >&2; exit 1; }
if [ -z "${RTABLES_DIR:-}" ]; then
    cargo build --release --quiet --bin rtables --bin rtables-save --bin rtables-restore
    RTABLES_DIR=${CARGO_TARGET_DIR:-$PWD/target}/release
fi
R=$RTABLES_DIR
W=$(mktemp -d /tmp/bench-nft.XXXXXX)
HOLDER=
cleanup() {
    [ -z "$HOLDER" ] || { kill "$HOLDER" 2>/dev/null || :; wait "$HOLDER" 2>/dev/null || :; }
    rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$W/s"
PASSED=0 FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; [ $# -lt 2 ] || echo "  $2"; }

# --- rule sets ---------------------------------------------------------------

# add_extras SET TABLE MIDCHAIN MIDRULE: the delete targets (see above).
add_extras() {
    local f=$W/$1 table=$2
    # The mid-chain rule twice (the copy right after the original).
    awk -v r="$4" -v k=$((2 * RUNS * REPS)) '{ print } $0 == r { for (i = 0; i < k; i++) print }' "$f" >"$f.tmp"
    [ "$(grep -cxF -- "$4" "$f.tmp")" -eq $((2 * RUNS * REPS + 1)) ] || { echo "bench-nft: $1: mid rule not found: $4" >&2; exit 1; }
    # Two copies of the small-chain rule, before the table's COMMIT (a
    # second *table section would flush the first).
    awk -v k=$((2 * RUNS * REPS)) '$0 == "COMMIT" { for (i = 0; i < k; i++) print "-A OUTPUT -d 192.0.2.98/32 -j ACCEPT" } { print }' "$f.tmp" >"$f"
    rm -f "$f.tmp"
}
declare -A TABLE CHAIN APPEND_CHAIN MID
for set in $SETS; do
    case $set in
    filter1k) python3 scripts/gen-rules.py filter 1000 >"$W/$set" ;;
    filter100k) python3 scripts/gen-rules.py filter 100000 >"$W/$set" ;;
    kube10k) python3 scripts/gen-rules.py kube 10000 >"$W/$set" ;;
    *) echo "bench-nft: unknown set $set" >&2; exit 1 ;;
    esac
    case $set in
    filter*)
        TABLE[$set]=filter
        if [ "$set" = filter1k ]; then CHAIN[$set]=CH0; else CHAIN[$set]=CH50; fi
        APPEND_CHAIN[$set]=CH0
        # Rule 500 of the listed chain.
        MID[$set]=$(awk -v c="-A ${CHAIN[$set]} " 'index($0, c) == 1 && ++n == 500 { print; exit }' "$W/$set")
        ;;
    kube*)
        TABLE[$set]=nat
        CHAIN[$set]=KUBE-SERVICES
        APPEND_CHAIN[$set]=KUBE-SERVICES
        MID[$set]=$(grep -m1 -- '--comment "ns/svc5000:http" -m tcp -j DNAT' "$W/$set")
        ;;
    esac
    add_extras "$set" "${TABLE[$set]}" "${CHAIN[$set]}" "${MID[$set]}"
done

# --- measuring -----------------------------------------------------------------

# tool_cmd TOOL KIND: the program of TOOL (iptables | rtables) for KIND.
tool_cmd() {
    case $1/$2 in
    iptables/ipt) echo iptables-nft ;;
    iptables/save) echo iptables-nft-save ;;
    iptables/restore) echo iptables-nft-restore ;;
    rtables/ipt) echo "$R/rtables" ;;
    rtables/save) echo "$R/rtables-save" ;;
    rtables/restore) echo "$R/rtables-restore" ;;
    esac
}

# measure OUT STDIN CMD...: run CMD (stdin STDIN, stdout /dev/null) under
# /usr/bin/time, append "wall_ms rss_kb user_ms sys_ms" to OUT. Runs in the
# caller's namespace. Returns CMD's status.
measure() {
    local out=$1 in=$2 t0 t1 rc=0
    shift 2
    t0=$EPOCHREALTIME
    /usr/bin/time -f '%M %U %S' -o "$W/time" "$@" <"$in" >/dev/null 2>"$W/err" || rc=$?
    t1=$EPOCHREALTIME
    if [ "$rc" -ne 0 ]; then
        fail "$(basename "$out"): $* exited $rc" "$(head -c 300 "$W/err")"
        return "$rc"
    fi
    awk -v a="$t0" -v b="$t1" '{ printf "%.3f %d %.0f %.0f\n", (b - a) * 1000, $1, $2 * 1000, $3 * 1000 }' "$W/time" >>"$out"
}
export -f measure fail
export W

# in_ns CMD...: run CMD in the holder's namespace.
in_ns() { nsenter -t "$HOLDER" -n "$@"; }

# fresh_restore SET TOOL: TOOL restores SET in a new namespace; the table is
# saved (iptables-nft-save) to $W/state.TOOL.
fresh_restore() {
    local set=$1 tool=$2
    unshare -n bash -c '
        set -u
        PASSED=0 FAILED=0
        pass() { :; }
        measure "$1" "$2" "$3"
        rc=$?
        iptables-nft-save -t "$4" | grep -v "^#" >"$5"
        exit $rc
    ' _ "$W/s/$set-restore.$tool" "$W/$set" "$(tool_cmd "$tool" restore)" "${TABLE[$set]}" "$W/state.$tool" ||
        FAILED=$((FAILED + 1))
}

# m NAME TOOL STDIN CMD...: measure CMD in the holder's namespace, sample
# into $W/s/NAME.TOOL.
m() {
    local name=$1 tool=$2
    shift 2
    in_ns bash -c 'measure "$@"' _ "$W/s/$name.$tool" "$@" || FAILED=$((FAILED + 1))
}

# The words of a rule line (quotes honoured), with -A turned into -D.
del_words() {
    local -a w
    eval "w=($1)"
    w[0]=-D
    printf '%s\n' "${w[@]}"
}

# count_calls NAME TOOL CMD...: SYSCALLS line with CMD's netlink requests
# (sendto + sendmsg calls) and reply reads (recvfrom + recvmsg).
count_calls() {
    local name=$1 tool=$2
    shift 2
    in_ns strace -f -c -o "$W/strace" "$@" >/dev/null 2>&1 || :
    awk -v n="$name" -v t="$tool" '
        $NF == "sendto" || $NF == "sendmsg" { q += $4 }
        $NF == "recvfrom" || $NF == "recvmsg" { r += $4 }
        END { printf "SYSCALLS suite=nft name=%s tool=%s requests=%d replies=%d\n", n, t, q, r }' "$W/strace"
}

ops_in_ns() { # SET RUN ORDER: the loaded-table operations, tools alternating
    local set=$1 run=$2 order=$3 table=${TABLE[$1]} tool rep n=0 ipt
    local -a mid
    mapfile -t mid < <(del_words "${MID[$set]}")
    # The listings (the slow ones: once per run).
    for op in save S Ln; do
        for tool in $order; do
            ipt=$(tool_cmd "$tool" ipt)
            case $op in
            save) m "$set-save" "$tool" /dev/null "$(tool_cmd "$tool" save)" -t "$table" ;;
            S) m "$set-S" "$tool" /dev/null "$ipt" -t "$table" -S ;;
            Ln) m "$set-Ln" "$tool" /dev/null "$ipt" -t "$table" -L -n ;;
            esac
        done
    done
    # The quick ones: REPS times per run, the order flipping each time.
    for rep in $(seq "$REPS"); do
        local o=$order
        [ $((rep % 2)) -eq 1 ] || o=$(echo "$order" | awk '{ print $2, $1 }')
        for tool in $o; do
            ipt=$(tool_cmd "$tool" ipt)
            n=$((n + 1))
            m "$set-list-chain" "$tool" /dev/null "$ipt" -t "$table" -L "${CHAIN[$set]}" -n
            m "$set-append" "$tool" /dev/null "$ipt" -t "$table" -A "${APPEND_CHAIN[$set]}" -s "192.0.2.$(((run - 1) * 2 * REPS + n))" -j ACCEPT
            m "$set-delete" "$tool" /dev/null "$ipt" -t "$table" -D OUTPUT -d 192.0.2.98/32 -j ACCEPT
            m "$set-delete-mid" "$tool" /dev/null "$ipt" -t "$table" "${mid[@]}"
        done
    done
    # How many netlink requests and reply reads each tool needs (strace -c,
    # first run only, untimed): where a tool spends system time, this says why.
    if [ "$run" -eq 1 ]; then
        for tool in iptables rtables; do
            ipt=$(tool_cmd "$tool" ipt)
            count_calls "$set/save" "$tool" "$(tool_cmd "$tool" save)" -t "$table"
            count_calls "$set/list-chain" "$tool" "$ipt" -t "$table" -L "${CHAIN[$set]}" -n
            count_calls "$set/append" "$tool" "$ipt" -t "$table" -A "${APPEND_CHAIN[$set]}" -s 192.0.2.251 -j ACCEPT
            count_calls "$set/delete" "$tool" "$ipt" -t "$table" -D "${APPEND_CHAIN[$set]}" -s 192.0.2.251 -j ACCEPT
        done
    fi
    # The kernel's share of an append: how long the batch's sendto takes
    # (strace -T), for one more rtables append.
    local t
    t=$(in_ns strace -T -e trace=sendto "$R/rtables" -t "$table" -A "${APPEND_CHAIN[$set]}" -s 192.0.2.250 -j ACCEPT 2>&1 >/dev/null |
        awk '/BATCH_BEGIN/ { if (match($0, /<[0-9.]+>$/)) print substr($0, RSTART + 1, RLENGTH - 2) * 1000 }')
    [ -z "$t" ] || echo "$t 0 0 0" >>"$W/s/$set-append-commit.kernel"
}

median_cols() { # FILE -> "wall rss user sys" medians, and the samples
    local f=$1
    for col in 1 2 3 4; do
        awk -v c="$col" '{ print $c }' "$f" | sort -g | awk '{ v[NR] = $1 } END {
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s ", m }'
    done
    echo
}

report() { # NAME (SET/OP) FILEBASE
    local name=$1 base=$2 tool med
    for tool in iptables rtables nft kernel; do
        [ -s "$base.$tool" ] || continue
        read -r -a med < <(median_cols "$base.$tool")
        printf 'BENCH suite=nft name=%s tool=%s median_ms=%.2f runs=%d samples_ms=%s rss_kb=%.0f user_ms=%.0f sys_ms=%.0f\n' \
            "$name" "$tool" "${med[0]}" "$(wc -l <"$base.$tool")" \
            "$(awk '{ printf "%s%.1f", (NR > 1 ? "," : ""), $1 }' "$base.$tool")" "${med[1]}" "${med[2]}" "${med[3]}"
    done
    if [ -s "$base.iptables" ] && [ -s "$base.rtables" ]; then
        local a b
        a=$(median_cols "$base.iptables" | awk '{ print $1 }')
        b=$(median_cols "$base.rtables" | awk '{ print $1 }')
        awk -v a="$a" -v b="$b" -v w="$name" 'BEGIN { printf "RATIO suite=nft name=%s iptables/rtables=%.2f\n", w, (b > 0 ? a / b : 0) }'
    fi
}

# The wrapper's own cost.
for _ in 1 2 3 4 5; do measure "$W/s/overhead.none" /dev/null true; done
read -r -a med < <(median_cols "$W/s/overhead.none")
echo "BENCH suite=nft name=overhead tool=none median_ms=${med[0]} runs=5 samples_ms=$(awk '{ printf "%s%.1f", (NR > 1 ? "," : ""), $1 }' "$W/s/overhead.none")"

for set in $SETS; do
    echo "# $set: $(grep -c '^-A' "$W/$set") rules, $(grep -c '^:' "$W/$set") chains" >&2
    for run in $(seq "$RUNS"); do
        if [ $((run % 2)) -eq 1 ]; then order='iptables rtables'; else order='rtables iptables'; fi
        echo "#   run $run/$RUNS (order: $order)" >&2
        for tool in $order; do
            fresh_restore "$set" "$tool"
            sleep 0.5 # the old namespace is torn down asynchronously
        done
        if cmp -s "$W/state.iptables" "$W/state.rtables"; then
            [ "$run" -ne 1 ] || pass "nft: $set: rtables-restore table = iptables-nft-restore table"
        else
            fail "nft: $set run $run: rtables-restore table = iptables-nft-restore table" \
                "$(diff "$W/state.iptables" "$W/state.rtables" | head -n 10)"
        fi
        # The loaded namespace.
        unshare -n sleep 100000 &
        HOLDER=$!
        while [ "$(readlink /proc/$HOLDER/ns/net 2>/dev/null)" = "$(readlink /proc/$$/ns/net)" ]; do sleep 0.01; done
        in_ns iptables-nft-restore <"$W/$set"
        if [ "$run" -eq 1 ]; then
            in_ns iptables-nft-save -t "${TABLE[$set]}" | grep -v '^#' >"$W/save.iptables"
            in_ns "$R/rtables-save" -t "${TABLE[$set]}" | grep -v '^#' >"$W/save.rtables"
            if cmp -s "$W/save.iptables" "$W/save.rtables"; then
                pass "nft: $set: rtables-save output = iptables-nft-save output"
            else
                fail "nft: $set: rtables-save output = iptables-nft-save output" \
                    "$(diff "$W/save.iptables" "$W/save.rtables" | head -n 10)"
            fi
        fi
        ops_in_ns "$set" "$run" "$order"
        # The floor: nft's listing of the same ruleset (one sample per run).
        m "$set-nft-list-ruleset" nft /dev/null nft list ruleset
        for tool in $order; do
            m "$set-restore-again" "$tool" "$W/$set" "$(tool_cmd "$tool" restore)"
        done
        kill "$HOLDER"
        wait "$HOLDER" 2>/dev/null || :
        HOLDER=
        sleep 1
    done
    for op in restore restore-again save S Ln list-chain append append-commit delete delete-mid nft-list-ruleset; do
        [ -e "$W/s/$set-$op.iptables" ] || [ -e "$W/s/$set-$op.nft" ] || [ -e "$W/s/$set-$op.kernel" ] || continue
        report "$set/$op" "$W/s/$set-$op"
    done
done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
