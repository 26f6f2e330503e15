# shellcheck shell=sh
# Real TCP traffic through IPVS programmed by rvsadm (guest side).
#
# Topology (one namespace each, joined by veth pairs; no dummy d0 links):
#
#   cl (client)            dir (director)                  rsN (real servers, N=1..3)
#   eth0 10.1.0.2/24 ---- cl0 10.1.0.1/24
#   default via 10.1.0.1   rsN 10.2.N.1/24 ------------ eth0 10.2.N.2/24
#                          lo  10.100.0.1/32 (NAT VIP)  default via 10.2.N.1
#                          lo  10.100.0.2/32 (DR VIP)   lo 10.100.0.2/32 (DR VIP),
#                          ip_forward=1                 arp_ignore=1, arp_announce=2
#
# Every real server answers with its name: on RIP:8080 for the NAT service,
# busybox `nc -ll -e` (a persistent listener that forks per connection, so
# there is no gap between two connections); on VIP:80 for the DR service,
# busybox httpd bound to the VIP only, so only a packet still addressed to the
# VIP (forwarded by MAC, not rewritten) can reach it; the client uses wget.
#
# NAT: 10.100.0.1:80 rr, dests 10.2.N.2:8080 -m; replies go back through the
# director (their default route), which rewrites them.
# DR:  10.100.0.2:80 rr, dests 10.2.N.2 -g; the real servers accept the VIP on
# lo and reply straight to the client with the VIP as source, routed by the
# director as a plain router. The director owns the VIP too, so it would drop
# those replies as "martian source" (a packet arriving with one of its own
# addresses as source): accept_local=1 on the director lets them through.
#
# Run: scripts/vm/run.sh tests/vm/traffic.sh
# shellcheck source=tests/vm/lib.sh
. /work/lib.sh

NAT_VIP=10.100.0.1
DR_VIP=10.100.0.2
NRS=3
NCONN=6 # connections per service (a multiple of NRS)
T=/tmp/traffic
mkdir -p "$T"
LISTENERS=''

cleanup() {
    for _pid in $LISTENERS; do
        kill "$_pid" 2>/dev/null || :
    done
    for _pid in $LISTENERS; do
        wait "$_pid" 2>/dev/null || :
    done
    LISTENERS=''
    for _n in cl dir rs1 rs2 rs3; do
        ns_del "$_n" 2>/dev/null || :
    done
}

# sysctl NS KEY VALUE: KEY as a path under /proc/sys (slashes), in NS.
set_sysctl() {
    ns_exec "$1" sh -c "echo $3 >/proc/sys/$2"
}

# --- topology ----------------------------------------------------------------

setup_ok=1
for n in cl dir rs1 rs2 rs3; do
    ns_new "$n" || setup_ok=0
done
if [ "$setup_ok" -eq 1 ]; then
    {
        echo "link add cl0 netns $(_ns_pid dir) type veth peer name eth0 netns $(_ns_pid cl)"
        i=1
        while [ "$i" -le "$NRS" ]; do
            echo "link add rs$i netns $(_ns_pid dir) type veth peer name eth0 netns $(_ns_pid "rs$i")"
            i=$((i + 1))
        done
    } >"$T/root.batch"
    $IP -batch "$T/root.batch" || setup_ok=0

    cat >"$T/cl.batch" <<EOF
link del d0
addr add 10.1.0.2/24 dev eth0
link set eth0 up
route add default via 10.1.0.1
EOF
    ns_exec cl "$IP" -batch "$T/cl.batch" || setup_ok=0

    {
        echo "link del d0"
        echo "addr add 10.1.0.1/24 dev cl0"
        echo "link set cl0 up"
        echo "addr add $NAT_VIP/32 dev lo"
        echo "addr add $DR_VIP/32 dev lo"
        i=1
        while [ "$i" -le "$NRS" ]; do
            echo "addr add 10.2.$i.1/24 dev rs$i"
            echo "link set rs$i up"
            i=$((i + 1))
        done
    } >"$T/dir.batch"
    ns_exec dir "$IP" -batch "$T/dir.batch" || setup_ok=0
    set_sysctl dir net/ipv4/ip_forward 1 || setup_ok=0
    set_sysctl dir net/ipv4/conf/all/accept_local 1 || setup_ok=0
    set_sysctl dir net/ipv4/conf/all/rp_filter 0 || setup_ok=0

    i=1
    while [ "$i" -le "$NRS" ]; do
        cat >"$T/rs$i.batch" <<EOF
link del d0
addr add 10.2.$i.2/24 dev eth0
link set eth0 up
route add default via 10.2.$i.1
addr add $DR_VIP/32 dev lo
EOF
        ns_exec "rs$i" "$IP" -batch "$T/rs$i.batch" || setup_ok=0
        set_sysctl "rs$i" net/ipv4/conf/all/arp_ignore 1 || setup_ok=0
        set_sysctl "rs$i" net/ipv4/conf/all/arp_announce 2 || setup_ok=0
        set_sysctl "rs$i" net/ipv4/conf/eth0/arp_ignore 1 || setup_ok=0
        set_sysctl "rs$i" net/ipv4/conf/eth0/arp_announce 2 || setup_ok=0
        # NAT listener (any address, 8080) and DR listener (VIP:80 only),
        # both answer "rsN".
        ns_exec "rs$i" nc -ll -p 8080 -e echo "rs$i" </dev/null >/dev/null 2>&1 &
        LISTENERS="$LISTENERS $!"
        mkdir -p "$T/www-rs$i"
        echo "rs$i" >"$T/www-rs$i/index.html"
        ns_exec "rs$i" httpd -f -p "$DR_VIP:80" -h "$T/www-rs$i" </dev/null >/dev/null 2>&1 &
        LISTENERS="$LISTENERS $!"
        i=$((i + 1))
    done
fi
if [ "$setup_ok" -eq 1 ]; then
    pass "traffic: topology set up"
else
    fail "traffic: topology set up"
    cleanup
    summary
    exit 1
fi

# nat_get ADDR [PORT]: one nc connection from the client, the answer on stdout.
nat_get() {
    ns_exec cl timeout 5 nc -w 3 "$1" "${2:-80}" </dev/null 2>/dev/null
}
# dr_get ADDR [NS]: one HTTP request (from the client by default). Bounded by
# timeout alone: this busybox's wget crashes (SIGSEGV) when given -T.
dr_get() {
    ns_exec "${2:-cl}" timeout 5 wget -q -O - "http://$1/" </dev/null 2>/dev/null
}

# Wait (bounded) until every real server answers: its NAT listener directly
# from the client (client -> RIP:8080, routed by the director, no IPVS
# involved yet), its DR listener from inside (VIP on its own lo).
direct_ok=1
i=1
while [ "$i" -le "$NRS" ]; do
    for kind in nat dr; do
        got=''
        tries=0
        while [ "$tries" -lt 20 ]; do
            if [ "$kind" = nat ]; then
                got=$(nat_get "10.2.$i.2" 8080) || got=''
            else
                got=$(dr_get "$DR_VIP" "rs$i") || got=''
            fi
            [ "$got" = "rs$i" ] && break
            tries=$((tries + 1))
            sleep 0.25
        done
        if [ "$got" != "rs$i" ]; then
            direct_ok=0
            echo "  rs$i ($kind listener) did not answer (got '$got')"
        fi
    done
    i=$((i + 1))
done
if [ "$direct_ok" -eq 1 ]; then
    pass "traffic: real servers answer directly"
else
    fail "traffic: real servers answer directly"
fi

# --- services, programmed by rvsadm ---------------------------------------------

{
    echo "set -e"
    echo "rvsadm -A -t $NAT_VIP:80 -s rr"
    echo "rvsadm -A -t $DR_VIP:80 -s rr"
    i=1
    while [ "$i" -le "$NRS" ]; do
        echo "rvsadm -a -t $NAT_VIP:80 -r 10.2.$i.2:8080 -m"
        echo "rvsadm -a -t $DR_VIP:80 -r 10.2.$i.2 -g"
        i=$((i + 1))
    done
} >"$T/services.sh"
check "traffic: rvsadm -A/-a NAT and DR services" ns_exec dir sh "$T/services.sh"
ns_exec dir ipvsadm -Ln >"$T/table" 2>&1
echo "  table (ipvsadm -Ln):"
sed 's/^/  | /' "$T/table"

# expected_order VIP: the backends' names in the kernel's rr order (the
# kernel's list order, i.e. the reference tool's --nosort listing: the kernel
# adds a dest at the head of the list, so the last added comes first),
# repeated to NCONN answers.
expected_order() {
    ns_exec dir ipvsadm -Ln --nosort -t "$1:80" 2>/dev/null |
        awk -v n="$NCONN" '
            $1 == "->" && $2 ~ /^10\.2\./ {
                split($2, a, /[.:]/); names[k++] = "rs" a[3]
            }
            END { for (i = 0; i < n && k > 0; i++) printf "%s%s", (i ? " " : ""), names[i % k] }'
}

# run_clients GETTER VIP: NCONN sequential connections from the client,
# answers on one line.
run_clients() {
    _ans=''
    _c=0
    while [ "$_c" -lt "$NCONN" ]; do
        _a=$("$1" "$2") || _a=''
        [ -n "$_a" ] || _a='(none)'
        _ans="$_ans${_ans:+ }$_a"
        _c=$((_c + 1))
    done
    echo "$_ans"
}

for case in NAT DR; do
    if [ "$case" = NAT ]; then
        vip=$NAT_VIP getter=nat_get
    else
        vip=$DR_VIP getter=dr_get
    fi
    want=$(expected_order "$vip")
    got=$(run_clients "$getter" "$vip")
    echo "  $case answers: $got (expected: $want)"
    if [ -n "$want" ] && [ "$got" = "$want" ]; then
        pass "traffic: $case rr order through $vip:80"
    else
        fail "traffic: $case rr order through $vip:80" "got '$got', expected '$want'"
    fi
    all=1
    i=1
    while [ "$i" -le "$NRS" ]; do
        case " $got " in
        *" rs$i "*) ;;
        *) all=0 ;;
        esac
        i=$((i + 1))
    done
    if [ "$all" -eq 1 ]; then
        pass "traffic: $case reaches every backend"
    else
        fail "traffic: $case reaches every backend" "answers: $got"
    fi
done

# --- connection table -------------------------------------------------------------
# Right after the traffic (entries in CLOSE expire after 10 s).

ns_exec dir rvsadm -Lnc >"$T/conn.rvsadm" 2>"$T/conn.rvsadm.err"
rc=$?
echo "  rvsadm -Lnc:"
sed 's/^/  | /' "$T/conn.rvsadm"
# Every connection of both services is listed: NCONN per VIP, NCONN/NRS per dest.
conn_ok=1
for vip in $NAT_VIP $DR_VIP; do
    nv=$(awk -v v="$vip:80" '$1 == "TCP" && $5 == v' "$T/conn.rvsadm" | wc -l)
    if [ "$nv" -ne "$NCONN" ]; then
        conn_ok=0
        echo "  $vip:80: $nv connection entries, expected $NCONN"
    fi
    i=1
    while [ "$i" -le "$NRS" ]; do
        nd=$(awk -v v="$vip:80" -v d="10.2.$i.2:" '$1 == "TCP" && $5 == v && index($6, d) == 1' "$T/conn.rvsadm" | wc -l)
        if [ "$nd" -ne $((NCONN / NRS)) ]; then
            conn_ok=0
            echo "  $vip:80 -> 10.2.$i.2: $nd connection entries, expected $((NCONN / NRS))"
        fi
        i=$((i + 1))
    done
done
if [ "$rc" -eq 0 ] && [ "$conn_ok" -eq 1 ]; then
    pass "traffic: rvsadm -Lnc lists the connections"
else
    fail "traffic: rvsadm -Lnc lists the connections" "exit status $rc"
    sed 's/^/  stderr: /' "$T/conn.rvsadm.err"
fi

# rvsadm -Lnc against ipvsadm -Lnc: identical but for the expire column (mm:ss),
# which may differ by one second between the two reads.
same_conns() { # A B: 0 when equal modulo expire +-1 s
    awk '
        function secs(t,  p) { split(t, p, ":"); return p[1] * 60 + p[2] }
        NR == FNR { a[FNR] = $0; na = FNR; next }
        {
            nb = FNR
            if (!(FNR in a)) { bad = 1; next }
            if (a[FNR] == $0) next
            nf = split(a[FNR], x, " ")
            if (nf != NF || $1 != "TCP" || x[1] != "TCP") { bad = 1; next }
            for (i = 1; i <= NF; i++) if (i != 2 && x[i] != $i) bad = 1
            d = secs(x[2]) - secs($2)
            if (d > 1 || d < -1) bad = 1
            # the columns must still line up
            if (length(a[FNR]) != length($0)) bad = 1
        }
        END { exit (bad || na != nb) }' "$1" "$2"
}
conns_same=0
attempt=0
while [ "$attempt" -lt 2 ]; do
    ns_exec dir ipvsadm -Lnc >"$T/conn.ref" 2>&1
    ns_exec dir rvsadm -Lnc >"$T/conn.new" 2>&1
    if same_conns "$T/conn.ref" "$T/conn.new"; then
        conns_same=1
        break
    fi
    attempt=$((attempt + 1))
done
if [ "$conns_same" -eq 1 ]; then
    if cmp -s "$T/conn.ref" "$T/conn.new"; then
        pass "traffic: -Lnc rvsadm = ipvsadm"
    else
        pass "traffic: -Lnc rvsadm = ipvsadm (expire column within 1 s)"
    fi
else
    fail "traffic: -Lnc rvsadm = ipvsadm"
    diff -u -L "ipvsadm -Lnc" -L "rvsadm -Lnc" "$T/conn.ref" "$T/conn.new" || :
fi

# --- statistics ---------------------------------------------------------------------
# The kernel folds the per-cpu counters in every 2 s: poll (bounded) until
# every dest shows its NCONN/NRS connections.

dest_conns() { # file -> "addr conns" per dest line of -Ln --stats
    awk '$1 == "->" && $2 ~ /^10\.2\./ { print $2, $3 }' "$1"
}
stats_settled=0
tries=0
while [ "$tries" -lt 16 ]; do
    ns_exec dir rvsadm -Ln --stats >"$T/stats" 2>&1
    if [ "$(dest_conns "$T/stats" | awk -v w=$((NCONN / NRS)) '$2 == w' | wc -l)" -eq $((2 * NRS)) ]; then
        stats_settled=1
        break
    fi
    tries=$((tries + 1))
    sleep 0.5
done
echo "  rvsadm -Ln --stats (after $tries polls):"
sed 's/^/  | /' "$T/stats"
nd=$(dest_conns "$T/stats" | wc -l)
nz=$(dest_conns "$T/stats" | awk '$2 + 0 > 0' | wc -l)
if [ "$nd" -eq $((2 * NRS)) ] && [ "$nz" -eq "$nd" ]; then
    pass "traffic: rvsadm -Ln --stats non-zero Conns for every dest"
else
    fail "traffic: rvsadm -Ln --stats non-zero Conns for every dest" "$nz of $nd dests (expected $((2 * NRS)))"
fi
if [ "$stats_settled" -eq 1 ]; then
    pass "traffic: rvsadm -Ln --stats Conns = $((NCONN / NRS)) per dest"
else
    fail "traffic: rvsadm -Ln --stats Conns = $((NCONN / NRS)) per dest"
fi
# The byte/packet totals are settled too by now: rvsadm must print what ipvsadm prints.
compare "traffic: -Ln --stats rvsadm = ipvsadm" dir -Ln --stats
compare "traffic: -Ln --stats --exact rvsadm = ipvsadm" dir -Ln --stats --exact
compare "traffic: -Ln rvsadm = ipvsadm (active/inactive conns)" dir -Ln

cleanup
summary
