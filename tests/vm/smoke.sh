# shellcheck shell=sh
# Smoke test of the VM rig (guest side): IPVS works in a namespace, the
# namespaces are independent, and the compare helpers run.
# Run: scripts/vm/run.sh tests/vm/smoke.sh
# shellcheck source=tests/vm/lib.sh
. /work/lib.sh

# The kernel's IPVS, driven by the reference tool.
ns_new a
check "smoke: add service" ns_exec a ipvsadm -A -t 10.0.0.1:80 -s rr
check "smoke: add masq dest" ns_exec a ipvsadm -a -t 10.0.0.1:80 -r 192.168.1.10:8080 -m
expect_output "smoke: list" a "$(printf '%s\n' \
    'IP Virtual Server version 1.2.1 (size=4096)' \
    'Prot LocalAddress:Port Scheduler Flags' \
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn' \
    'TCP  10.0.0.1:80 rr' \
    '  -> 192.168.1.10:8080            Masq    1      0          0         ')" \
    ipvsadm -Ln
check "smoke: IPv6 masq dest" ns_exec a sh -c \
    'ipvsadm -A -t [2001:db8::1]:80 && ipvsadm -a -t [2001:db8::1]:80 -r [2001:db8::10]:80 -m'
check "smoke: routable test ranges" ns_exec a sh -c \
    'ipvsadm -A -u 100.0.0.1:53 && ipvsadm -a -u 100.0.0.1:53 -r 200.0.0.1 -i && ipvsadm -a -u 100.0.0.1:53 -r 203.0.113.5 -i'

# A second namespace has its own, empty table.
ns_new b
expect_output "smoke: namespaces are independent" b "$(printf '%s\n' \
    'IP Virtual Server version 1.2.1 (size=4096)' \
    'Prot LocalAddress:Port Scheduler Flags' \
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn')" \
    ipvsadm -Ln

# ipvsadm vs rvsadm.
compare "smoke: -v" a -v
compare "smoke: -Ln" a -Ln
compare "smoke: -A existing service" a -A -t 10.0.0.1:80 -s rr
# shellcheck disable=SC2016 # $IPVS expands in the guest's setup shell
compare_change "smoke: -a masq dest" '$IPVS -A -t 10.0.0.1:80 -s wrr' \
    -a -t 10.0.0.1:80 -r 192.168.1.11:80 -m -w 3
printf '%s\n' '-A -t 10.0.0.2:443 -s sh -b sh-port' \
    '-a -t 10.0.0.2:443 -r 192.168.2.1:443 -g' >/tmp/smoke-restore
compare_change_stdin "smoke: -R" '' /tmp/smoke-restore -R

ns_del a
ns_del b
summary
