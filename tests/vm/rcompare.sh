# shellcheck shell=sh
# rcompare with live IPVS (guest side). Run by tests/rcompare_vm.rs:
#   RCOMPARE=... scripts/vm/run.sh tests/vm/rcompare.sh \
#       rc-ipvs.rules rc-nat.rules rc-same-ipvs.rules rc-same-nat.rules \
#       rc-extra.rules rc-expected.diff
# rc-ipvs.rules/rc-nat.rules: a kube-proxy-style pair with planted
# differences; rc-expected.diff: what `rcompare --diff` says about the two
# files (on the host), without its two header lines; rc-same-*: a pair without
# differences; rc-extra.rules: fwmark, zero-weight and IPv6 services.
# shellcheck source=tests/vm/lib.sh
. /work/lib.sh

NODE=192.168.0.10
T=/tmp/rc
mkdir -p $T

# expect_rc NAME WANT CMD...: CMD (in namespace $NS) must exit WANT.
expect_rc() {
    _name=$1 _want=$2
    shift 2
    _rc=0
    ns_exec "$NS" "$@" >$T/out 2>$T/err || _rc=$?
    if [ "$_rc" = "$_want" ]; then
        pass "$_name"
    else
        fail "$_name" "exit $_rc, want $_want"
        head -n 20 $T/out $T/err
    fi
}

# same_file NAME GOT WANT
same_file() {
    if cmp -s "$2" "$3"; then
        pass "$1"
    else
        fail "$1"
        diff -u "$3" "$2" | head -n 30
    fi
}

# --- live IPVS with planted differences against the iptables file -------
ns_new a
NS=a
check "rcompare: load the planted IPVS table" ns_exec a sh -c 'rvsadm -R </work/rc-ipvs.rules'
expect_rc "rcompare: live IPVS differs (exit 1)" 1 \
    rcompare --ipvs live --iptables /work/rc-nat.rules --node-ip $NODE --diff
tail -n +3 $T/out >$T/live.diff
same_file "rcompare: live IPVS classified as the file is" $T/live.diff /work/rc-expected.diff
# rvsadm's own save and JSON read back the same.
ns_exec a rvsadm -Sn >$T/saved.rules
ns_exec a rvsadm -Ln --json >$T/saved.json
expect_rc "rcompare: rvsadm -Sn of the live table" 1 \
    rcompare --ipvs $T/saved.rules --iptables /work/rc-nat.rules --node-ip $NODE --diff
tail -n +3 $T/out >$T/saved.diff
same_file "rcompare: rvsadm -Sn compares as live" $T/saved.diff /work/rc-expected.diff
expect_rc "rcompare: rvsadm JSON of the live table" 1 \
    rcompare --ipvs $T/saved.json --iptables /work/rc-nat.rules --node-ip $NODE --diff
tail -n +3 $T/out >$T/json.diff
same_file "rcompare: rvsadm JSON compares as live" $T/json.diff /work/rc-expected.diff
expect_rc "rcompare: cost with live IPVS" 0 \
    rcompare --ipvs live --iptables /work/rc-nat.rules --node-ip $NODE cost
if grep -q "1 hash lookup + rr" $T/out; then pass "rcompare: cost names the scheduler"; else fail "rcompare: cost names the scheduler"; fi
ns_del a

# --- translations, compared with the live IPVS table --------------------
# (Loading iptables translations live is tested on the host, whose kernel
# has nf_tables nat; this guest kernel's rig packs no nat modules.)
ns_new b
NS=b
check "rcompare: load the IPVS table without differences" ns_exec b sh -c 'rvsadm -R </work/rc-same-ipvs.rules'
expect_rc "rcompare: live IPVS same as the iptables file" 0 \
    rcompare --ipvs live --iptables /work/rc-same-nat.rules --node-ip $NODE
expect_rc "rcompare: live IPVS translates to iptables" 0 \
    rcompare --ipvs live translate --to iptables
cp $T/out $T/nat.rules
expect_rc "rcompare: live IPVS same as its translation" 0 \
    rcompare --ipvs live --iptables $T/nat.rules --node-ip $NODE
ns_del b

ns_new c
NS=c
# iptables file -> IPVS, loaded with rvsadm.
rcompare --iptables /work/rc-same-nat.rules --node-ip $NODE translate --to ipvs >$T/ipvs.rules
check "rcompare: translation to IPVS loads" ns_exec c sh -c "rvsadm -R <$T/ipvs.rules"
expect_rc "rcompare: translation to IPVS same as its source" 0 \
    rcompare --ipvs live --iptables /work/rc-same-nat.rules --node-ip $NODE
ns_del c

ns_new d
NS=d
# fwmark, weight 0, fo and IPv6 services.
check "rcompare: load fwmark, zero-weight and IPv6 services" ns_exec d sh -c 'rvsadm -R </work/rc-extra.rules'
ns_exec d rcompare --ipvs live translate --to iptables >$T/extra4.rules
ns_exec d rcompare -6 --ipvs live translate --to iptables >$T/extra6.rules
expect_rc "rcompare: fwmark and zero-weight services same as their translation" 0 \
    rcompare --ipvs live --iptables $T/extra4.rules
expect_rc "rcompare: IPv6 services same as their translation" 0 \
    rcompare -6 --ipvs live --iptables $T/extra6.rules --json
if grep -q '"same": 1' $T/out; then pass "rcompare: the IPv6 service is compared"; else fail "rcompare: the IPv6 service is compared"; cat $T/out; fi
ns_del d

summary
