# shellcheck shell=sh
# Dataplane benchmark (guest side): the cost of a new connection through N
# services programmed once through IPVS (rvsadm) and once kube-proxy-style
# through iptables (rtables-restore into nf_tables), for N in
# RVSADM_GUEST_DP_SIZES.
#
# Topology, one per mode (namespaces cl_MODE, dir_MODE, be_MODE; veth pairs,
# as in traffic.sh), both up at once, made anew for each N:
#
#   cl (client)             dir (the node / director)       be (backends)
#   eth0 10.1.0.2/24 ------ cl0 10.1.0.1/24
#   default via 10.1.0.1    be0 10.2.0.1/24 --------------- eth0 10.2.0.2/24, .3, .4
#                           ip_forward=1                    default via 10.2.0.1
#                                                           connbench serve 8080, 8081
#
# Service s (0 <= s < N) is VIP 10.96.(s/250).(s%250+1):80 with three
# endpoints 10.2.0.2-4:8080.
#   ipvs      `rvsadm -R`: N services (rr) x 3 masquerading dests; the VIPs
#             are local to dir through `ip route add local 10.96.0.0/16 dev lo`.
#   iptables  `rtables-restore`: a kube-proxy nat table (KUBE-SERVICES with one
#             rule per service in PREROUTING, KUBE-SVC-* chains choosing an
#             endpoint with `-m statistic`, KUBE-SEP-* chains with DNAT, the
#             KUBE-MARK-MASQ/KUBE-POSTROUTING chains), chains in name order.
# The first service is matched by the first rule of KUBE-SERVICES, the last one
# after N rules: that is the cost this benchmark shows.
#
# Each measurement is `connbench connect VIP:80 COUNT SECS` in cl: sequential
# new connections (connect, read the backend's byte, close with RST), COUNT
# or SECS seconds, whichever comes first; it prints the rate and latency
# percentiles. Per N, REPEATS rounds; in each, for each mode (the order of the
# modes flips every round): direct (cl -> 10.2.0.2:8081, routed by dir, no
# service: the baseline), first service, last service (their order flips
# too). The baseline uses its own port: a
# direct connection to an IPVS real server's address and port from a client
# port that still has an IPVS NAT entry (CLOSE, 10 s) has its SYN-ACK rewritten
# to the VIP by the director, and hangs.
#
# Output: `DP mode=M n=N target=T rep=R conns=.. failed=.. secs=.. rate=..
# p50_us=.. p90_us=.. p99_us=.. max_us=..` per measurement, `DPPROG mode=M
# n=N ms=.. lines=.. rss_kb=.. user_ms=.. sys_ms=..` for the programming
# step, PASS/FAIL lines and the summary. scripts/bench-report.py makes the table and the chart.
#
# Guest variables (host: RVSADM_GUEST_*): RVSADM_GUEST_DP_SIZES (default
# "100 1000 10000"), RVSADM_GUEST_DP_COUNT (1000), RVSADM_GUEST_DP_SECS (3),
# RVSADM_GUEST_DP_REPEATS (5), RVSADM_GUEST_DP_MODES ("ipvs iptables"),
# RVSADM_GUEST_RSS_DIV (1; see tests/vm/bench.sh).
#
# Run: RVSADM_VM_BINS="rtables-restore rtables connbench" scripts/vm/run.sh tests/vm/dataplane.sh
# shellcheck source=tests/vm/lib.sh
. /work/lib.sh

SIZES=${RVSADM_GUEST_DP_SIZES:-100 1000 10000}
COUNT=${RVSADM_GUEST_DP_COUNT:-1000}
SECS=${RVSADM_GUEST_DP_SECS:-3}
REPEATS=${RVSADM_GUEST_DP_REPEATS:-5}
MODES=${RVSADM_GUEST_DP_MODES:-ipvs iptables}
# busybox time's %M divided by this is kB (see tests/vm/bench.sh).
RSS_DIV=${RVSADM_GUEST_RSS_DIV:-1}
D=/tmp/dp
rm -rf "$D"
mkdir -p "$D"
SRV=''

for prog in rvsadm rtables-restore rtables connbench; do
    command -v "$prog" >/dev/null 2>&1 || {
        fail "dataplane: $prog in the guest" "pack it with RVSADM_VM_BINS"
        summary
        exit 1
    }
done

# Conntrack entries of the iptables runs (CLOSE: 10 s) must not fill the table.
echo 262144 >/proc/sys/net/netfilter/nf_conntrack_max 2>/dev/null || :

now_us() {
    _t=$(echo | ts '%.s')
    _t=${_t%% *}
    echo $((${_t%.*} * 1000000 + 1${_t#*.} - 1000000))
}

set_sysctl() { # NS KEY VALUE
    ns_exec "$1" sh -c "echo $3 >/proc/sys/$2"
}

vip() { # SERVICE-INDEX
    echo "10.96.$(($1 / 250)).$(($1 % 250 + 1))"
}

# --- rule files ---------------------------------------------------------------

gen_ipvs() { # N FILE
    awk -v N="$1" 'BEGIN {
        for (s = 0; s < N; s++) {
            vip = sprintf("10.96.%d.%d:80", int(s / 250), s % 250 + 1)
            print "-A -t " vip " -s rr"
            for (e = 2; e <= 4; e++)
                printf "-a -t %s -r 10.2.0.%d:8080 -m -w 1\n", vip, e
        }
    }' >"$2"
}

gen_kube() { # N FILE
    awk -v N="$1" '
    function h(x, m) { return sprintf("%08X", (x * m + 12345) % 4294967296) }
    BEGIN {
        for (s = 0; s < N; s++) {
            svc[s] = "KUBE-SVC-" h(s, 2654435761) h(s, 40503)
            for (e = 0; e < 3; e++) {
                sep[s, e] = "KUBE-SEP-" h(s * 3 + e, 2246822519) h(s * 3 + e, 3266489917)
                names[++n] = sep[s, e]
            }
            names[++n] = svc[s]
        }
        print "*nat"
        print ":PREROUTING ACCEPT [0:0]"
        print ":INPUT ACCEPT [0:0]"
        print ":OUTPUT ACCEPT [0:0]"
        print ":POSTROUTING ACCEPT [0:0]"
        print ":KUBE-MARK-MASQ - [0:0]"
        print ":KUBE-POSTROUTING - [0:0]"
        print ":KUBE-SERVICES - [0:0]"
        for (i = 1; i <= n; i++) print ":" names[i] " - [0:0]" | "sort"
        close("sort")
        print "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"
        print "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"
        print "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING"
        print "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000"
        print "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN"
        print "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0"
        print "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE"
        for (s = 0; s < N; s++)
            printf "-A KUBE-SERVICES -d 10.96.%d.%d/32 -p tcp -m comment --comment \"ns/svc%d:http cluster IP\" -m tcp --dport 80 -j %s\n",
                int(s / 250), s % 250 + 1, s, svc[s]
        for (s = 0; s < N; s++) {
            printf "-A %s -m comment --comment \"ns/svc%d:http -> 10.2.0.2:8080\" -m statistic --mode random --probability 0.33333333349 -j %s\n", svc[s], s, sep[s, 0]
            printf "-A %s -m comment --comment \"ns/svc%d:http -> 10.2.0.3:8080\" -m statistic --mode random --probability 0.50000000000 -j %s\n", svc[s], s, sep[s, 1]
            printf "-A %s -m comment --comment \"ns/svc%d:http -> 10.2.0.4:8080\" -j %s\n", svc[s], s, sep[s, 2]
            for (e = 0; e < 3; e++) {
                printf "-A %s -s 10.2.0.%d/32 -m comment --comment \"ns/svc%d:http\" -j KUBE-MARK-MASQ\n", sep[s, e], e + 2, s
                printf "-A %s -p tcp -m comment --comment \"ns/svc%d:http\" -m tcp -j DNAT --to-destination 10.2.0.%d:8080\n", sep[s, e], s, e + 2
            }
        }
        print "COMMIT"
    }' >"$2"
}

# --- topology -------------------------------------------------------------------
# One topology per mode (namespaces cl_MODE, dir_MODE, be_MODE), both up at
# the same time so that the measurements of the two modes can alternate.

topo_down() { # MODE
    for _n in "cl_$1" "dir_$1" "be_$1"; do
        ns_del "$_n" 2>/dev/null || :
    done
}

servers_down() {
    for _pid in $SRV; do
        kill "$_pid" 2>/dev/null || :
        wait "$_pid" 2>/dev/null || :
    done
    SRV=''
}

topo_up() { # MODE
    _cl=cl_$1 _dir=dir_$1 _be=be_$1
    for _n in "$_cl" "$_dir" "$_be"; do
        ns_new "$_n" || return 1
    done
    $IP link add cl0 netns "$(_ns_pid "$_dir")" type veth peer name eth0 netns "$(_ns_pid "$_cl")" || return 1
    $IP link add be0 netns "$(_ns_pid "$_dir")" type veth peer name eth0 netns "$(_ns_pid "$_be")" || return 1
    printf '%s\n' 'link del d0' 'addr add 10.1.0.2/24 dev eth0' 'link set eth0 up' \
        'route add default via 10.1.0.1' >"$D/cl.batch"
    printf '%s\n' 'link del d0' 'addr add 10.1.0.1/24 dev cl0' 'link set cl0 up' \
        'addr add 10.2.0.1/24 dev be0' 'link set be0 up' >"$D/dir.batch"
    printf '%s\n' 'link del d0' 'addr add 10.2.0.2/24 dev eth0' 'addr add 10.2.0.3/24 dev eth0' \
        'addr add 10.2.0.4/24 dev eth0' 'link set eth0 up' 'route add default via 10.2.0.1' >"$D/be.batch"
    ns_exec "$_cl" "$IP" -batch "$D/cl.batch" || return 1
    ns_exec "$_dir" "$IP" -batch "$D/dir.batch" || return 1
    ns_exec "$_be" "$IP" -batch "$D/be.batch" || return 1
    set_sysctl "$_dir" net/ipv4/ip_forward 1 || return 1
    set_sysctl "$_dir" net/ipv4/conf/all/rp_filter 0 || return 1
    # busybox nsenter execs the program: $! is the server itself.
    for _port in 8080 8081; do
        nsenter -t "$(_ns_pid "$_be")" -n connbench serve "$_port" </dev/null >/dev/null 2>&1 &
        SRV="$SRV $!"
    done
    # Wait (bounded) for the backend to answer through dir.
    for _port in 8080 8081; do
        _i=0
        until ns_exec "$_cl" connbench connect "10.2.0.2:$_port" 1 2 >/dev/null 2>&1; do
            _i=$((_i + 1))
            if [ "$_i" -ge 50 ]; then
                echo "  backend 10.2.0.2:$_port does not answer"
                return 1
            fi
            sleep 0.2
        done
    done
    return 0
}

# program MODE N: load the services into dir_MODE (timed; DPPROG line).
program() {
    _mode=$1 _n=$2
    if [ "$_mode" = ipvs ]; then
        gen_ipvs "$_n" "$D/rules"
        ns_exec "dir_$_mode" "$IP" route add local 10.96.0.0/16 dev lo || return 1
        set -- rvsadm -R
    else
        gen_kube "$_n" "$D/rules"
        set -- rtables-restore
    fi
    _lines=$(wc -l <"$D/rules")
    _t0=$(now_us)
    _rc=0
    ns_exec "dir_$_mode" time -f '%M %U %S' -o "$D/time" timeout 1200 "$@" <"$D/rules" >/dev/null 2>"$D/err" || _rc=$?
    _t1=$(now_us)
    rm -f "$D/rules"
    if [ "$_rc" -ne 0 ]; then
        fail "dataplane: $_mode N=$_n: $* exited $_rc"
        sed 's/^/  stderr: /' "$D/err" | head -n 10
        return 1
    fi
    echo "DPPROG mode=$_mode n=$_n ms=$(((_t1 - _t0) / 1000)) lines=$_lines $(awk -v d="$RSS_DIV" 'END {
        printf "rss_kb=%d user_ms=%.0f sys_ms=%.0f", $1 / d, $2 * 1000, $3 * 1000 }' "$D/time")"
    return 0
}

# unprogram MODE: empty dir_MODE's tables again (untimed) before it goes.
unprogram() {
    if [ "$1" = ipvs ]; then
        ns_exec "dir_$1" rvsadm -C >/dev/null 2>&1
    else
        printf '*nat\nCOMMIT\n' | ns_exec "dir_$1" rtables-restore >/dev/null 2>&1
    fi
}

# measure MODE N TARGET REP ADDR:PORT: one measurement from cl_MODE.
measure() {
    _out=$(ns_exec "cl_$1" connbench connect "$5" "$COUNT" "$SECS" 2>&1)
    _rc=$?
    echo "DP mode=$1 n=$2 target=$3 rep=$4 $_out"
    if [ "$_rc" -ne 0 ]; then
        fail "dataplane: $1 N=$2 $3: connections through $5" "$_out"
        return 1
    fi
    case $_out in
    *' failed=0 '*) ;;
    *) echo "  (some connections failed: $_out)" ;;
    esac
    return 0
}

for n in $SIZES; do
    first=$(vip 0):80
    last=$(vip $((n - 1))):80
    up=''
    for mode in $MODES; do
        echo "# N=$n mode=$mode: programming"
        if topo_up "$mode" && program "$mode" "$n"; then
            up="$up $mode"
            # Warm up (ARP, route and socket caches) through both services.
            ns_exec "cl_$mode" connbench connect "$first" 20 5 >/dev/null 2>&1
            ns_exec "cl_$mode" connbench connect "$last" 20 5 >/dev/null 2>&1
        else
            fail "dataplane: N=$n $mode: topology and services"
        fi
    done
    bad=''
    rep=1
    while [ "$rep" -le "$REPEATS" ]; do
        # The modes alternate, and so do first and last.
        if [ $((rep % 2)) -eq 1 ]; then
            order=$up targets='first last'
        else
            order=$(echo "$up" | awk '{ for (i = NF; i > 0; i--) printf "%s ", $i }') targets='last first'
        fi
        echo "# N=$n round $rep/$REPEATS (order: $order)"
        for mode in $order; do
            measure "$mode" "$n" direct "$rep" 10.2.0.2:8081 || bad="$bad $mode"
            for target in $targets; do
                if [ "$target" = first ]; then addr=$first; else addr=$last; fi
                measure "$mode" "$n" "$target" "$rep" "$addr" || bad="$bad $mode"
            done
        done
        rep=$((rep + 1))
    done
    for mode in $up; do
        case " $bad " in
        *" $mode "*) ;;
        *) pass "dataplane: $mode N=$n: connections to the first and the last service" ;;
        esac
        unprogram "$mode"
    done
    servers_down
    for mode in $MODES; do
        topo_down "$mode"
    done
    sleep 1
done

summary
