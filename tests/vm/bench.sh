# shellcheck shell=sh
# Control-plane benchmark (guest side): rvsadm against the real ipvsadm 1.31 in
# the same boot, alternating the tools.
#
# For each table size (services x dests per service) a restore file is made in
# the guest (`-A -t 10.a.b.c:80 -s rr` and `-a -t ... -r 192.168.d.e:8080 -m -w 1`,
# every dest on the /16 of ns_new's dummy link, so routable). Each repeat:
#   - restore it with each tool (`TOOL -R < file`), each in a fresh namespace;
#     after each restore `ipvsadm -Sn | wc -l` must equal the file's line count
#     (pass/fail), and the two restored tables must be identical;
#   - on the loaded table, time `TOOL -Ln` and `TOOL -Sn` (output to /dev/null)
#     and one `TOOL -a` (a new dest in the first service; removed again untimed);
# the tool that goes first alternates from one repeat to the next. In the first
# repeat rvsadm's -Ln and -Sn of the big table are also compared with ipvsadm's.
#
# Timing: busybox `ts '%.s'` (microsecond wall clock; busybox date has no %N)
# read before and after each command. Every timed command runs as
# `nsenter ... timeout 300 time -f '%M %U %S' TOOL ...` (busybox time: the
# tool's peak RSS, user and system CPU seconds); the cost of that wrapper
# alone is reported as name=overhead (it is included in every figure, for
# both tools).
#
# Output: `BENCH name=OP-SIZE tool=TOOL median_ms=M runs=N samples_ms=a,b,c
# rss_kb=R user_ms=U sys_ms=S` (each a median) per operation and tool, `RATIO op=OP-SIZE ipvsadm/rvsadm=R net=R2` per
# operation (net: both medians less the overhead median), then `summary`
# (only the correctness checks are pass/fail; the timings assert nothing).
#
# Guest variables (host: RVSADM_GUEST_*): RVSADM_GUEST_BENCH_SIZES (default
# "2000x10 10000x2"), RVSADM_GUEST_BENCH_REPEATS (default 3),
# RVSADM_GUEST_RSS_DIV (default 1; see RSS_DIV).
#
# Run: scripts/vm/run.sh tests/vm/bench.sh
# shellcheck source=tests/vm/lib.sh
. /work/lib.sh

SIZES=${RVSADM_GUEST_BENCH_SIZES:-2000x10 10000x2}
# busybox time's %M divided by this is kB (scripts/bench-lib.sh measures it:
# busybox 1.35 prints four times the peak RSS).
RSS_DIV=${RVSADM_GUEST_RSS_DIV:-1}
REPEATS=${RVSADM_GUEST_BENCH_REPEATS:-3}
B=/tmp/bench
us=0 # set by timed
rm -rf "$B"
mkdir -p "$B/samples"

# now_us: wall clock in microseconds.
now_us() {
    _t=$(echo | ts '%.s')
    _t=${_t%% *}
    echo $((${_t%.*} * 1000000 + 1${_t#*.} - 1000000))
}

# timed VAR NS STDIN CMD...: run CMD in NS (stdin from STDIN, stdout to
# /dev/null, stderr to $B/err) under `timeout 300` and busybox `time`;
# VAR = "elapsed-microseconds peak-rss-kB user-ms system-ms".
# Returns CMD's exit status.
timed() {
    _tv=$1 _tn=$2 _ti=$3
    shift 3
    _trc=0
    rm -f "$B/time"
    _t0=$(now_us)
    ns_exec "$_tn" timeout 300 time -f '%M %U %S' -o "$B/time" "$@" <"$_ti" >/dev/null 2>"$B/err" || _trc=$?
    _t1=$(now_us)
    _tres=$(awk -v d="$RSS_DIV" 'END { printf "%d %.0f %.0f", $1 / d, $2 * 1000, $3 * 1000 }' "$B/time" 2>/dev/null)
    eval "$_tv=\"\$((_t1 - _t0)) \${_tres:-0 0 0}\""
    return $_trc
}

record() { # NAME TOOL "MICROSECONDS RSS USER SYS"
    echo "$3" >>"$B/samples/$1.$2"
}

# median_col FILE COLUMN: median of one column of the samples.
median_col() {
    awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ v[NR] = $1 }
        END {
            if (NR == 0) { print "nan"; exit }
            printf "%.0f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        }'
}

# median_ms FILE: median of the samples (microseconds) in ms, one decimal.
median_ms() {
    sort -n "$1" | awk '{ v[NR] = $1 }
        END {
            if (NR == 0) { print "nan"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.1f\n", m / 1000
        }'
}

report() { # NAME: BENCH lines for both tools, then the RATIO line
    for _tool in ipvsadm rvsadm; do
        _f=$B/samples/$1.$_tool
        [ -s "$_f" ] || continue
        _samples=$(awk '{ printf "%s%.1f", (NR > 1 ? "," : ""), $1 / 1000 }' "$_f")
        echo "BENCH name=$1 tool=$_tool median_ms=$(median_ms "$_f") runs=$(wc -l <"$_f") samples_ms=$_samples rss_kb=$(median_col "$_f" 2) user_ms=$(median_col "$_f" 3) sys_ms=$(median_col "$_f" 4)"
    done
    if [ -s "$B/samples/$1.ipvsadm" ] && [ -s "$B/samples/$1.rvsadm" ]; then
        _ri=$(median_ms "$B/samples/$1.ipvsadm")
        _rr=$(median_ms "$B/samples/$1.rvsadm")
        # net: with the wrapper's cost (name=overhead) taken off both medians.
        echo "RATIO op=$1 ipvsadm/rvsadm=$(awk -v a="$_ri" -v b="$_rr" -v o="$OVERHEAD_MS" 'BEGIN {
            if (b > 0) printf "%.2f", a / b; else printf "inf"
            if (b - o > 0) printf " net=%.2f", (a - o) / (b - o)
        }')"
    fi
}

# gen SERVICES DESTS FILE: the restore file.
gen() {
    awk -v S="$1" -v D="$2" 'BEGIN {
        for (i = 0; i < S; i++) {
            vip = sprintf("10.%d.%d.%d:80", 1 + int(i / 62500), int(i / 250) % 250, i % 250 + 1)
            print "-A -t " vip " -s rr"
            for (j = 0; j < D; j++)
                printf "-a -t %s -r 192.168.%d.%d:8080 -m -w 1\n", vip, 1 + j, 1 + i % 250
        }
    }' >"$3"
}

# check_count NAME NS LINES: ipvsadm -Sn in NS has LINES lines.
check_count() {
    _n=$(ns_exec "$2" ipvsadm -Sn 2>/dev/null | wc -l)
    if [ "$_n" -eq "$3" ]; then
        pass "$1"
    else
        fail "$1" "ipvsadm -Sn has $_n lines, expected $3"
    fi
}

# The wrapper's own cost: nsenter + timeout + a trivial program.
ns_new bo
i=0
while [ "$i" -lt 5 ]; do
    timed us bo /dev/null true && record overhead true "$us"
    i=$((i + 1))
done
ns_del bo
_f=$B/samples/overhead.true
OVERHEAD_MS=$(median_ms "$_f")
echo "BENCH name=overhead tool=none median_ms=$OVERHEAD_MS runs=$(wc -l <"$_f") samples_ms=$(awk '{ printf "%s%.1f", (NR > 1 ? "," : ""), $1 / 1000 }' "$_f")"

for size in $SIZES; do
    S=${size%x*}
    D=${size#*x}
    file=$B/restore-$size
    gen "$S" "$D" "$file"
    lines=$(wc -l <"$file")
    if [ "$lines" -eq $((S * (D + 1))) ]; then
        pass "bench: $size restore file has $lines lines"
    else
        fail "bench: $size restore file has $lines lines, expected $((S * (D + 1)))"
    fi
    svc=$(awk 'NR == 1 { print $3; exit }' "$file")
    newdest=192.168.250.250:8080

    rep=1
    while [ "$rep" -le "$REPEATS" ]; do
        if [ $((rep % 2)) -eq 1 ]; then order='ipvsadm rvsadm'; else order='rvsadm ipvsadm'; fi
        echo "# $size run $rep/$REPEATS (order: $order)"

        # Restores, each into a fresh namespace.
        for tool in $order; do
            ns_new "b_$tool" || { fail "bench: $size namespace for $tool"; continue; }
            if timed us "b_$tool" "$file" "$tool" -R; then
                record "restore-$size" "$tool" "$us"
                check_count "bench: $size run $rep: $tool -R loads $lines rules" "b_$tool" "$lines"
            else
                fail "bench: $size run $rep: $tool -R" "exit status $?"
                sed 's/^/  stderr: /' "$B/err" | head -n 20
            fi
        done
        # Both restores give the same table.
        ns_exec b_ipvsadm ipvsadm -Sn >"$B/state.ipvsadm" 2>&1
        ns_exec b_rvsadm ipvsadm -Sn >"$B/state.rvsadm" 2>&1
        if cmp -s "$B/state.ipvsadm" "$B/state.rvsadm"; then
            pass "bench: $size run $rep: rvsadm -R table = ipvsadm -R table"
        else
            fail "bench: $size run $rep: rvsadm -R table = ipvsadm -R table"
            diff -u -L "restored by ipvsadm" -L "restored by rvsadm" "$B/state.ipvsadm" "$B/state.rvsadm" | head -n 40
        fi

        # Listings of the loaded table (the one rvsadm restored).
        for op in Ln Sn; do
            for tool in $order; do
                if timed us b_rvsadm /dev/null "$tool" "-$op"; then
                    record "$(echo "$op" | sed 's/^Ln$/list/; s/^Sn$/save/')-$size" "$tool" "$us"
                else
                    fail "bench: $size run $rep: $tool -$op" "exit status $?"
                    sed 's/^/  stderr: /' "$B/err" | head -n 20
                fi
            done
        done

        # One dest added to the loaded table (removed again, untimed).
        for tool in $order; do
            if timed us b_rvsadm /dev/null "$tool" -a -t "$svc" -r "$newdest" -m -w 1; then
                record "add-$size" "$tool" "$us"
                if ns_exec b_rvsadm ipvsadm -Ln -t "$svc" 2>/dev/null | grep -q " $newdest "; then
                    :
                else
                    fail "bench: $size run $rep: $tool -a adds the dest"
                fi
            else
                fail "bench: $size run $rep: $tool -a" "exit status $?"
                sed 's/^/  stderr: /' "$B/err" | head -n 20
            fi
            ns_exec b_rvsadm ipvsadm -d -t "$svc" -r "$newdest" >/dev/null 2>&1
        done

        # Outputs of the big table: rvsadm = ipvsadm (first run only).
        if [ "$rep" -eq 1 ]; then
            compare "bench: $size -Sn rvsadm = ipvsadm" b_rvsadm -Sn
            compare "bench: $size -Ln rvsadm = ipvsadm" b_rvsadm -Ln
        fi

        # Flush (untimed) before dropping the namespaces, and let the kernel
        # finish tearing them down before the next timed command.
        for tool in ipvsadm rvsadm; do
            ns_exec "b_$tool" ipvsadm -C >/dev/null 2>&1
            ns_del "b_$tool"
        done
        sleep 1
        rep=$((rep + 1))
    done
    rm -f "$file"

    for op in restore list save add; do
        report "$op-$size"
    done
done

summary
