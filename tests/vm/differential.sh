# shellcheck shell=sh
# Differential suite (guest side): rvsadm against the real ipvsadm 1.31 on the
# same kernel state. Every listing variant, every command's changes (compared
# through the resulting kernel state), error paths and exit codes, -S/-R round
# trips both ways, and rvsadm's deliberate differences asserted on their own.
# Run: scripts/vm/run.sh tests/vm/differential.sh
# shellcheck source=tests/vm/lib.sh
. /work/lib.sh

# --- a state that uses every option ------------------------------------------
# Every scheduler, TCP/UDP/SCTP/fwmark, IPv4/IPv6, persistence with mask and pe,
# scheduler flags, one-packet, DR/NAT/TUN (ipip, gue, gre with checksum modes),
# thresholds, a mixed-family tunnel, timeouts and both sync daemons.
# Addresses stay less than 2^31 apart: ipvsadm's sort wraps beyond that (a
# deliberate difference, checked separately below).
STATE=/tmp/state-full.sh
cat >"$STATE" <<'EOF'
set -e
$IPVS -A -t 10.0.0.1:80 -s wlc
$IPVS -a -t 10.0.0.1:80 -r 192.168.1.11:8080 -m -w 1
$IPVS -a -t 10.0.0.1:80 -r 192.168.1.10:8080 -m -w 3 -x 100 -y 75
$IPVS -a -t 10.0.0.1:80 -r 192.168.1.12 -g -w 0
$IPVS -A -u 10.0.0.1:53 -s rr -p 300 -M 255.255.255.0
$IPVS -a -u 10.0.0.1:53 -r 192.168.1.20:53 -g
$IPVS -A -t 10.0.0.2:443 -s sh -b sh-fallback,sh-port
$IPVS -a -t 10.0.0.2:443 -r 192.168.2.1 -i --tun-type gue --tun-port 6080 --tun-csum
$IPVS -a -t 10.0.0.2:443 -r 192.168.2.2 -i --tun-type gre --tun-nocsum
$IPVS -a -t 10.0.0.2:443 -r 192.168.2.3 -i
$IPVS -a -t 10.0.0.2:443 -r 192.168.2.4 -i --tun-type gue --tun-port 5555 --tun-remcsum
$IPVS -a -t 10.0.0.2:443 -r 192.168.2.5 -i --tun-type gre --tun-csum
$IPVS -A -t 127.0.0.1:22 -s mh -b mh-port
$IPVS -a -t 127.0.0.1:22 -r 127.0.0.1:22 -m
$IPVS -A --sctp-service 10.0.0.3:5060 -s lc
$IPVS -a --sctp-service 10.0.0.3:5060 -r 192.168.4.1:5060 -m -w 7
$IPVS -A -f 42 -s wrr -p 600 -o
$IPVS -a -f 42 -r 192.168.3.1 -g -w 2
$IPVS -a -f 42 -r 192.168.3.2:8080 -m -w 65536
$IPVS -A -t [2001:db8::1]:80 -s wlc
$IPVS -a -t [2001:db8::1]:80 -r [2001:db8::10]:8080 -m -x 5 -y 2
$IPVS -a -t [2001:db8::1]:80 -r 2001:db8::11 -g
$IPVS -A -f 7 -6 -s rr -p 300 -M 64 --pe sip
$IPVS -A -t [::1]:22 -s rr
$IPVS -a -t [::1]:22 -r [::1]:22 -m
$IPVS -A -f 8 -6 -s dh
$IPVS -a -f 8 -6 -r [2001:db8::20]:0 -m
$IPVS -A -u 10.0.0.9:53 -s lblc
$IPVS -a -u 10.0.0.9:53 -r 192.168.9.9:53 -i
$IPVS -A -u 10.0.0.6:5060 -s lblcr -o -p 30 --pe sip
$IPVS -A -t 10.0.0.4:8080 -s nq -p
$IPVS -A -t 10.0.0.5:0 -s sed -p 100 -M 255.255.0.0
$IPVS -A -t 10.0.0.7:http -s fo
$IPVS -a -t 10.0.0.7:80 -r 192.168.7.1:http-alt -m
$IPVS -A -u 10.0.0.8:domain -s ovf -b flag-3
$IPVS -A -t 10.0.0.10:25 -s rr -b flag-1,flag-2
$IPVS --set 900 120 300
$IPVS --start-daemon master --mcast-interface d0 --syncid 7
$IPVS --start-daemon backup --mcast-interface d0 --syncid 9 --sync-maxlen 1400 --mcast-group 239.1.2.3 --mcast-port 9000 --mcast-ttl 3
EOF

ns_new ref
ns_new new
check "setup: full state with ipvsadm" ns_exec ref env IPVS=ipvsadm sh "$STATE"
check "setup: full state with rvsadm" ns_exec new env IPVS=rvsadm sh "$STATE"

# --- listings: both tools read the same state ----------------------------------
LISTINGS='
-L
-l
-Ln
-L -n
-Ln --stats
-Ln --rate
-Ln --stats --exact
-Ln --rate --exact
-Ln --exact
-Ln -X --stats
-Ln --thresholds
-Ln --persistent-conn
-Ln --tun-info
-Ln --nosort
-Ln --sort
-Ln --stats --rate
-Ln --thresholds --persistent-conn --tun-info
-L --stats
-L --rate
-L --thresholds
-L --persistent-conn
-L --tun-info
-L --nosort
-L --timeout
-L --daemon
-Ln --timeout
-Ln -t 10.0.0.1:80
-L -t 10.0.0.1:http
-Ln -t 10.0.0.1:80 --stats
-Ln -t 10.0.0.1:80 --rate --exact
-Ln -t 10.0.0.2:443 --tun-info
-Ln -u 10.0.0.1:53 --thresholds
-Ln -u 10.0.0.1:53 --persistent-conn
-Ln --sctp-service 10.0.0.3:5060
-Ln -f 42
-Ln -f 7 -6
-Ln -f 8 -6 --tun-info
-Ln -t [2001:db8::1]:80
-L -t [2001:db8::1]:80
-Ln -t 10.9.9.9:80
-Ln -f 4242
-Lnc
-Lc
-Lnc --persistent-conn
-S
-Sn
-S -n
--save
--list --numeric
'
# No arguments at all lists like -L.
compare "list: (no arguments) [ipvsadm state]" ref
compare "list: (no arguments) [rvsadm state]" new
echo "$LISTINGS" | while IFS= read -r args; do
    [ -n "$args" ] || continue
    echo "$args"
done >/tmp/listings
while IFS= read -r args; do
    # shellcheck disable=SC2086 # split the option list
    compare "list: $args [ipvsadm state]" ref $args
    # shellcheck disable=SC2086
    compare "list: $args [rvsadm state]" new $args
done </tmp/listings

# Both tools built the same kernel state.
_state ref /tmp/ref.state
_state new /tmp/new.state
if cmp -s /tmp/ref.state /tmp/new.state; then
    pass "state: rvsadm builds what ipvsadm builds"
else
    fail "state: rvsadm builds what ipvsadm builds"
    diff -u /tmp/ref.state /tmp/new.state
fi

# The mixed-family tunnel dest of the state above is refused while a sync
# daemon runs, and a daemon is refused while one exists: a state of its own.
# shellcheck disable=SC2016
compare_change "change: mixed-family tunnel dest in a listing" \
    '$IPVS -A -u 10.0.0.9:53 -s rr && $IPVS -a -u 10.0.0.9:53 -r [2001:db8::9]:53 -i' -Ln --tun-info
# shellcheck disable=SC2016
compare_change "kernel error: daemon refused with a mixed-family dest" \
    '$IPVS -A -u 10.0.0.9:53 -s rr && $IPVS -a -u 10.0.0.9:53 -r [2001:db8::9]:53 -i' \
    --start-daemon master --mcast-interface d0

# --- kernel refusals on the full state (nothing changes) ----------------------
while IFS= read -r args; do
    [ -n "$args" ] || continue
    # shellcheck disable=SC2086
    compare "kernel error: $args" ref $args
done <<'EOF'
-A -t 10.0.0.1:80
-A -t 10.9.9.9:80 -s bogus
-A -t 10.9.9.9:80 -p --pe bogus
-E -t 10.9.9.9:80 -s rr
-E -t 10.0.0.1:80 -s bogus
-D -t 10.9.9.9:80
-D -f 4242
-Z -t 10.9.9.9:80
-a -t 10.9.9.9:80 -r 192.168.1.1
-a -t 10.0.0.1:80 -r 192.168.1.10:8080 -m
-e -t 10.0.0.1:80 -r 192.168.1.99:8080 -m
-e -t 10.9.9.9:80 -r 192.168.1.99:8080 -m
-d -t 10.0.0.1:80 -r 192.168.1.99:8080
-d -t 10.9.9.9:80 -r 192.168.1.99:8080
-a -t 10.0.0.1:80 -r 192.168.1.50:80 -m -x 10 -y 20
-a -u 10.0.0.1:53 -r [2001:db8::9]:53 -i
--start-daemon master --mcast-interface d0
EOF

# --- command-line errors (checked before the kernel is asked) ------------------
ns_new err
while IFS= read -r args; do
    [ -n "$args" ] || continue
    # shellcheck disable=SC2086
    compare "usage error: $args" err $args
done <<'EOF'
--bogus
-X
-n -L
-f 0 -A
-A -t
-A -t 10.0.0.1:80 --bogus
-A -t 10.0.0.1:80 -q
-a -t 10.0.0.1:80 -r
--start-daemon
-A -E
-L -A
-A -t 10.0.0.1:80 -t 10.0.0.2:80
-A -t 10.0.0.1:80 -s rr -s wrr
-A -t 10.0.0.1:80 extra
-A -t 10.0.0.1:99999
-A -t 1234
-A -t 10.0.0.1:nosuchservice
-A -t nosuchhost.invalid:80
-A -t [2001:db8::1:80
-A -t [2001:db8::1] -p
-a -t 10.0.0.1:80 -r [2001:db8::1] -i
-A -f 0
-A -f abc
-A -f 4294967296
-A -6 -f 1
-A -t 10.0.0.1
-A -t 10.0.0.1:80 -o
-A -t 10.0.0.1:80 -p 0
-A -t 10.0.0.1:80 -p 2678401
-A -t 10.0.0.1:80 -p abc
-A -t 10.0.0.1:80 -M 300.1.1.1
-A -t [2001:db8::1]:80 -p -M 129
-A -t [2001:db8::1]:80 -p -M 0
-A -t 10.0.0.1:80 -b sh-port
-A -t 10.0.0.1:80 -s sh -b mh-port
-A -t 10.0.0.1:80 -b bogus
-A -t 10.0.0.1:80 -r 10.0.0.2
-A -t 10.0.0.1:80 -w 1
-D -t 10.0.0.1:80 -s rr
-D
-C -n
-C -t 10.0.0.1:80
-Z -n
-S -t 10.0.0.1:80
-S --stats
-a -t 10.0.0.1:80
-a -r 10.0.0.2
-a -t 10.0.0.1:80 -r 10.0.0.2 -w -1
-a -t 10.0.0.1:80 -r 10.0.0.2 -w 2147483648
-a -t 10.0.0.1:80 -r 10.0.0.2 -w abc
-a -t 10.0.0.1:80 -r 10.0.0.2 -x -1
-a -t 10.0.0.1:80 -r 10.0.0.2 -y 2147483648
-a -t 10.0.0.1:80 -r 10.0.0.2 -g -m
-a -t 10.0.0.1:80 -r 10.0.0.2 -s rr
-a -t 10.0.0.1:80 -r 10.0.0.2:70000
-a -t 10.0.0.1:80 -r [2001:db8::1]:80 -m
-a -t 10.0.0.1:80 -r 10.0.0.2 --tun-type gre
-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type vxlan
-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue
-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 0
-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 6080 --tun-csum --tun-nocsum
-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-port 6080
-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-remcsum
-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-csum
-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-nocsum --tun-nocsum
-d -t 10.0.0.1:80 -r 10.0.0.2 -w 3
-d -t 10.0.0.1:80 -r 10.0.0.2 -m
-L -t 10.0.0.1:80 --daemon
-L -c --timeout
-L -c --stats
-L --timeout --rate
-L --daemon --thresholds
-L --timeout --persistent-conn
-L --daemon --persistent-conn
-L -r 10.0.0.2
-L -s rr
-L extra
--set
--set 1 2
--set 1 2 3 4
--set 1 2 abc
--set 1 2 2678401
--set 1 2 3 -n
--start-daemon foo
--stop-daemon foo
--start-daemon master --syncid 256
--start-daemon master --syncid -1
--start-daemon master --sync-maxlen 0
--start-daemon master --sync-maxlen 65508
--start-daemon master --mcast-group 10.0.0.1
--start-daemon master --mcast-group 2001:db8::1
--start-daemon master --mcast-group bogus
--start-daemon master --mcast-port 0
--start-daemon master --mcast-ttl 256
--start-daemon master -n
--stop-daemon master --mcast-interface d0
--stop-daemon master --mcast-port 9
-R -n
EOF
compare "daemon: stop when none runs" err --stop-daemon master
compare "daemon: start on a missing interface" err --start-daemon master
compare "daemon: list when none runs" err -L --daemon
compare "zero: all on an empty table" err -Z
compare "flush: empty table" err -C
compare "save: empty table" err -Sn
compare "list: empty table" err -Ln
compare "list: connections, empty table" err -Lnc
compare_stdin "restore: empty input" err /dev/null -R

# -h: the same text after rvsadm's own version line.
ns_exec err ipvsadm -h >/tmp/h.ref 2>&1
ns_exec err rvsadm -h >/tmp/h.new 2>&1
sed '1d; s/\<ipvsadm\>/rvsadm/g' /tmp/h.ref >/tmp/h.ref.r
sed '1d' /tmp/h.new >/tmp/h.new.r
if cmp -s /tmp/h.ref.r /tmp/h.new.r && head -n 1 /tmp/h.new | grep -q '^rvsadm v'; then
    pass "help: -h text"
else
    fail "help: -h text"
    diff -u /tmp/h.ref.r /tmp/h.new.r
fi

# --- changes: each command, compared through the kernel state it leaves --------
BASE='$IPVS -A -t 10.0.0.1:80 -s rr && $IPVS -a -t 10.0.0.1:80 -r 192.168.1.10:8080 -m && $IPVS -A -f 5 -s wrr && $IPVS -a -f 5 -r 192.168.1.20 -g'
while IFS='|' read -r name args; do
    [ -n "$name" ] || continue
    # shellcheck disable=SC2086
    compare_change "change: $name" "$BASE" $args
done <<'EOF'
add tcp service|-A -t 10.0.0.2:80
add udp persistent service|-A -u 10.0.0.2:53 -s rr -p 60 -M 255.255.255.0 -o
add sctp service|-A --sctp-service 10.0.0.2:9 -s sh -b sh-fallback
add fwmark v6 service|-A -f 9 -6 -s mh -b mh-fallback,mh-port -p -M 48 --pe sip
add v6 service|-A -t [2001:db8::5]:443 -s lblcr -p 10
add service by names|-A -t localhost:ssh -s rr
add service short addr|-A -t 10.2:81 -s rr
add service long options|--add-service --tcp-service 10.0.0.3:80 --scheduler=wrr --persistent 20 --netmask 255.0.0.0
edit service|-E -t 10.0.0.1:80 -s wrr -p 100
edit service defaults back to wlc|-E -t 10.0.0.1:80
edit fwmark service|-E -f 5 -s rr -o
delete service|-D -t 10.0.0.1:80
delete fwmark service|-D -f 5
add masq dest|-a -t 10.0.0.1:80 -r 192.168.1.11:8081 -m -w 4 -x 10 -y 3
add dr dest (port forced)|-a -t 10.0.0.1:80 -r 192.168.1.12:9999 -g
add dest without port|-a -t 10.0.0.1:80 -r 192.168.1.13 -m
add tunnel dest gue|-a -t 10.0.0.1:80 -r 192.168.1.14 -i --tun-type gue --tun-port 6080 --tun-remcsum
add tunnel dest gre|-a -t 10.0.0.1:80 -r 192.168.1.15 -i --tun-type gre --tun-csum
add mixed-family tunnel dest|-a -t 10.0.0.1:80 -r [2001:db8::15]:80 -i
add fwmark dest|-a -f 5 -r 192.168.1.21:8080 -m -w 0
add dest long options|--add-server --tcp-service 10.0.0.1:80 --real-server 192.168.1.16:80 --masquerading --weight=9 --u-threshold 8 --l-threshold 2
edit dest|-e -t 10.0.0.1:80 -r 192.168.1.10:8080 -m -w 5 -x 50 -y 10
edit dest to dr|-e -t 10.0.0.1:80 -r 192.168.1.10:8080 -g
edit fwmark dest|-e -f 5 -r 192.168.1.20 -g -w 3
delete dest|-d -t 10.0.0.1:80 -r 192.168.1.10:8080
delete fwmark dest|-d -f 5 -r 192.168.1.20
flush|-C
zero all|-Z
zero one|-Z -t 10.0.0.1:80
zero fwmark|-Z -f 5
set timeouts|--set 1000 130 310
set timeouts keep|--set 0 0 77
start master daemon|--start-daemon master --mcast-interface d0
start backup daemon all options|--start-daemon backup --mcast-interface d0 --syncid 200 --sync-maxlen 1200 --mcast-group 239.0.0.9 --mcast-port 8000 --mcast-ttl 9
start daemon v6 group|--start-daemon master --mcast-interface d0 --mcast-group ff02::1:9
EOF
compare_change "change: stop daemon" \
    '$IPVS --start-daemon master --mcast-interface d0 --syncid 3' --stop-daemon master
compare_change "change: stop backup daemon" \
    '$IPVS --start-daemon backup --mcast-interface d0' --stop-daemon backup

# --- -S / -R round trips, both ways ---------------------------------------------
ns_exec ref ipvsadm -Sn >/tmp/saved.ref
ns_exec new rvsadm -Sn >/tmp/saved.new
if cmp -s /tmp/saved.ref /tmp/saved.new && [ -s /tmp/saved.ref ]; then
    pass "save: -Sn of the full state"
else
    fail "save: -Sn of the full state"
    diff -u /tmp/saved.ref /tmp/saved.new
fi
compare_change_stdin "restore: ipvsadm -Sn output" '' /tmp/saved.ref -R
# ipvsadm cannot read back its own `[localhost]:ssh` (it loses the port of a
# bracketed host name): leave the [::1] service out of this one.
ns_exec ref ipvsadm -S | grep -v '\[localhost\]' >/tmp/saved-names.ref
compare_change_stdin "restore: ipvsadm -S output (names)" '' /tmp/saved-names.ref -R
# round_trip SAVED RESTORER SAVER: SAVED restored by one tool into a fresh
# namespace and saved again by the other must give the same text.
round_trip() {
    ns_new rt
    ns_exec rt "$2" -R <"$1"
    ns_exec rt "$3" -Sn >/tmp/saved.rt
    if cmp -s "$1" /tmp/saved.rt; then
        pass "round trip: $3 -Sn | $2 -R | $3 -Sn"
    else
        fail "round trip: $3 -Sn | $2 -R | $3 -Sn"
        diff -u "$1" /tmp/saved.rt
    fi
    ns_del rt
}
round_trip /tmp/saved.ref rvsadm ipvsadm
round_trip /tmp/saved.new ipvsadm rvsadm
printf '%s\n' 'ipvsadm -A -t 10.0.0.3:80 -s rr' '-L -n' '-Sn' '-L --timeout' >/tmp/restore-list
compare_change_stdin "restore: listings inside a restore" "$BASE" /tmp/restore-list -R

# --- rvsadm's deliberate differences (COMPATIBILITY), asserted on their own ----
ns_new d
printf '%s\n' '# saved by hand' '' '-A -t 10.0.0.1:80 -s rr   # web' '-a -t 10.0.0.1:80 -r 192.168.1.1 -m' >/tmp/restore-comments
check "restore: comments and blank lines" ns_exec d rvsadm -R </tmp/restore-comments
expect_output "restore: comments applied" d "-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 1" rvsadm -Sn
printf '%s\n' '-A -t 10.0.0.2:80 -s rr' '-a -t 10.0.0.2:80 -r 192.168.1.2 -m' '-a -t 10.0.0.2:80 -r 192.168.1.3 -w bogus' >/tmp/restore-bad
rc=0
ns_exec d rvsadm -R </tmp/restore-bad >/tmp/bad.out 2>/tmp/bad.err || rc=$?
ns_exec d rvsadm -Sn >/tmp/after-bad
if [ "$rc" -eq 2 ] && [ "$(cat /tmp/bad.err)" = "line 3: illegal weight specified" ] &&
    printf '%s\n' '-A -t 10.0.0.1:80 -s rr' '-a -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 1' | cmp -s - /tmp/after-bad; then
    pass "restore: a bad last line applies nothing, exit 2, names the line"
else
    fail "restore: a bad last line applies nothing, exit 2, names the line" "exit $rc"
    cat /tmp/bad.err /tmp/after-bad
fi
printf '%s\n' '-A -t 10.0.0.1:80' '-A -t 10.0.0.5:80 -s rr' '-a -t 10.0.0.9:80 -r 192.168.1.9' '-a -t 10.0.0.5:80 -r 192.168.1.5 -m' >/tmp/restore-kerr
rc=0
ns_exec d rvsadm -R </tmp/restore-kerr >/tmp/kerr.out 2>/tmp/kerr.err || rc=$?
if [ "$rc" -eq 255 ] && [ "$(cat /tmp/kerr.err)" = "line 1: Service already exists
line 3: Service not defined" ] && ns_exec d rvsadm -Ln -t 10.0.0.5:80 | grep -q '192.168.1.5:80'; then
    pass "restore: kernel errors named by line, the rest applied, exit 255"
else
    fail "restore: kernel errors named by line, the rest applied, exit 255" "exit $rc"
    cat /tmp/kerr.err
fi
ns_del d

# The sort is a total order: 200.0.0.1 and 10.0.0.1 list in address order
# (ipvsadm 1.31's comparator wraps and lists 200.0.0.1 first).
ns_new s
ns_exec s sh -c 'for a in 200.0.0.1 10.0.0.1 100.0.0.1; do rvsadm -A -t $a:80 -s rr; done;
rvsadm -a -t 200.0.0.1:80 -r 10.0.0.1:80 -m; rvsadm -a -t 200.0.0.1:80 -r 200.0.0.2:80 -m; rvsadm -a -t 200.0.0.1:80 -r 100.0.0.2:80 -m'
expect_output "sort: total order" s "-A -t 10.0.0.1:80 -s rr
-A -t 100.0.0.1:80 -s rr
-A -t 200.0.0.1:80 -s rr
-a -t 200.0.0.1:80 -r 10.0.0.1:80 -m -w 1
-a -t 200.0.0.1:80 -r 100.0.0.2:80 -m -w 1
-a -t 200.0.0.1:80 -r 200.0.0.2:80 -m -w 1" rvsadm -Sn
ns_del s

# JSON: valid, and the same services as the text listing.
ns_exec ref rvsadm -Ln --json >/tmp/list.json
if grep -q '"schema": "rvsadm/1"' /tmp/list.json && grep -q '"scheduler": "sh"' /tmp/list.json &&
    [ "$(grep -c '"scheduler"' /tmp/list.json)" -eq "$(grep -c -e '^-A' /tmp/saved.ref)" ]; then
    pass "json: -Ln --json lists every service"
else
    fail "json: -Ln --json lists every service"
    head -n 40 /tmp/list.json
fi
expect_output "json: timeouts" ref '{
  "schema": "rvsadm/1",
  "timeouts": {
    "tcp": 900,
    "tcp_fin": 120,
    "udp": 300
  }
}' rvsadm -L --timeout --json

ns_exec ref rvsadm -L --daemon --json >/tmp/daemon.json
if grep -q '"state": "master"' /tmp/daemon.json && grep -q '"mcast_group": "239.1.2.3"' /tmp/daemon.json; then
    pass "json: daemons"
else
    fail "json: daemons"
    cat /tmp/daemon.json
fi

ns_del ref
ns_del new
ns_del err
summary
