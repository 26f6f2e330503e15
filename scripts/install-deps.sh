#!/usr/bin/env bash
# Install the host packages needed by the QEMU test rig (scripts/vm/*) on a
# Debian-based machine. Idempotent: does nothing when everything is installed,
# and runs `apt-get update` at most once, only when it is needed.
#
# Usage (as root): scripts/install-deps.sh
set -euo pipefail

# qemu-system-x86: the VM; busybox-static: the guest userland; kmod: depmod and
#   modprobe --show-depends on the host; cpio: initramfs packing;
# ipvsadm: the reference tool; iproute2: the real `ip` for the guest;
# iptables, nftables: the nf_tables reference tools (iptables-nft 1.8.9, nft);
# libnftnl-dev, libmnl-dev, pkg-config: build dependencies of nftnl-sys;
# netbase: /etc/services and /etc/protocols copied into the guest (ipvsadm -L
#   prints port names from them), often missing from minimal images;
# time, strace, python3: the benchmark (scripts/bench.sh): /usr/bin/time for
#   peak memory, strace -T for the kernel's commit time, python3 for the rule
#   generator and the report.
PKGS=(qemu-system-x86 busybox-static kmod cpio ipvsadm iproute2 iptables nftables netbase
      libnftnl-dev libmnl-dev pkg-config time strace python3)

die() {
    echo "install-deps: error: $*" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || die "must be run as root"
command -v apt-get >/dev/null 2>&1 || die "apt-get not found: a Debian-based host is required"
command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: a Debian-based host is required"

# Packages not yet installed.
missing=()
for p in "${PKGS[@]}"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" != installed ]; then
        missing+=("$p")
    fi
done

# kernel.sh needs apt's package lists (apt-cache depends, apt-get download)
# even when every package above is already installed.
lists_ok() {
    apt-cache show linux-image-amd64 >/dev/null 2>&1
}

export DEBIAN_FRONTEND=noninteractive
updated=0
update_once() {
    if [ "$updated" -eq 0 ]; then
        echo "install-deps: apt-get update" >&2
        apt-get update || die "apt-get update failed"
        updated=1
    fi
}

if ! lists_ok; then
    update_once
    lists_ok || die "apt cannot find linux-image-amd64 even after apt-get update (check the apt sources)"
fi

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all packages already installed" >&2
    exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
install() {
    apt-get install -y --no-install-recommends "${missing[@]}"
}
# Stale package lists make downloads fail (404): update once and retry.
if ! install; then
    [ "$updated" -eq 0 ] || die "apt-get install ${missing[*]} failed"
    update_once
    install || die "apt-get install ${missing[*]} failed"
fi
echo "install-deps: done" >&2
