#!/usr/bin/env bash
# Fetch Debian's stock kernel (it has IPVS as modules) and prepare what the
# test VM needs, in a cache directory:
#
#   ${RVSADM_VM_CACHE:-/var/tmp/rvsadm-vm}/<kernel-version>.<module-set id>/
#       vmlinuz                  the kernel image
#       modules/*.ko             the modules we use and their dependencies
#       modules/load-order.txt   file names of modules/*.ko, in insmod order
#
# A prepared directory is reused. Prints the directory's path on stdout (the
# only thing printed there); progress goes to stderr.
#
# Usage: scripts/vm/kernel.sh
set -euo pipefail

CACHE=${RVSADM_VM_CACHE:-/var/tmp/rvsadm-vm}
# depmod and modprobe live in sbin, which a non-login PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

# Modules the rig needs: IPVS, every scheduler, the SIP persistence engine,
# nf_tables, and the link types the tests create.
REQUIRED_MODS=(
    ip_vs
    ip_vs_rr ip_vs_wrr ip_vs_wlc ip_vs_lc ip_vs_sh ip_vs_mh ip_vs_dh
    ip_vs_sed ip_vs_nq ip_vs_lblc ip_vs_lblcr ip_vs_fo ip_vs_ovf
    ip_vs_pe_sip
    nf_tables nft_compat
    dummy veth bridge ipip
    # iptables-nft's (and rtables') kube-proxy-style NAT rules, for the
    # dataplane benchmark (tests/vm/dataplane.sh): nat base chains, the
    # DNAT/MASQUERADE/MARK targets, the comment/statistic/mark/tcp matches.
    nft_chain_nat xt_nat xt_MASQUERADE xt_mark xt_comment xt_statistic xt_tcpudp
)
# Packed when the kernel has them as modules (skipped when absent/built in).
OPTIONAL_MODS=(ip_vs_ftp ip_vs_twos fou gre ip_gre)
# Never packed: crc32c-intel (pulled in by libcrc32c's softdep) needs SSE4.2,
# which QEMU's default TCG CPU lacks; crc32c_generic does the job.
SKIP_MODS=(crc32c-intel)

die() {
    echo "kernel.sh: error: $*" >&2
    exit 1
}
log() { echo "kernel.sh: $*" >&2; }

for tool in apt-cache apt-get dpkg-deb depmod modprobe flock; do
    command -v "$tool" >/dev/null 2>&1 || die "missing $tool: run scripts/install-deps.sh"
done

mkdir -p "$CACHE"
# Serialise concurrent preparations of the same cache.
exec 9>"$CACHE/.lock"
flock 9

# The signature records what a prepared dir contains; a different module list
# (this script changed) makes it stale.
SIG="v1 ${REQUIRED_MODS[*]} | ${OPTIONAL_MODS[*]} | ${SKIP_MODS[*]}"
# Each module set gets its own directory (<kernel-version>.<hash of SIG>), so
# checkouts with different module lists sharing the cache never rebuild (and
# swap out) each other's directory.
SIG_ID=$(printf '%s' "$SIG" | cksum | awk '{ printf "%08x", $1 }')

prepared() { # DIR -> true if DIR is complete and matches SIG
    [ -f "$1/.prepared" ] && [ "$(cat "$1/.prepared")" = "$SIG" ]
}

# Resolve the current kernel package, e.g. linux-image-6.1.0-56-amd64.
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
    awk '$1 == "Depends:" { gsub(/[<>]/, "", $2); if ($2 ~ /^linux-image-[0-9]/) { print $2; exit } }' || true)
if [ -z "$pkg" ]; then
    # Offline or no apt lists: fall back on the newest prepared kernel.
    newest=
    for d in "$CACHE"/*/; do
        d=${d%/}
        if prepared "$d" && { [ -z "$newest" ] || [ "$d/.prepared" -nt "$newest/.prepared" ]; }; then
            newest=$d
        fi
    done
    if [ -n "$newest" ]; then
        log "warning: cannot resolve linux-image-amd64 (apt-get update needed?); using cached $newest"
        echo "$newest"
        exit 0
    fi
    die "cannot resolve the package linux-image-amd64 depends on (no apt lists?): run scripts/install-deps.sh"
fi
ver=${pkg#linux-image-}
out=$CACHE/$ver.$SIG_ID

if prepared "$out"; then
    echo "$out"
    exit 0
fi

shopt -s nullglob

# Download the .deb (kept in $CACHE/deb; older kernels' debs are dropped).
mkdir -p "$CACHE/deb"
debs=("$CACHE/deb/${pkg}_"*.deb)
if [ "${#debs[@]}" -eq 0 ]; then
    log "downloading $pkg"
    rm -f "$CACHE/deb/"*.deb
    # As root, apt's _apt sandbox user may not be able to write here.
    sandbox=()
    [ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
    (cd "$CACHE/deb" && apt-get "${sandbox[@]}" download "$pkg") >&2 || die "apt-get download $pkg failed"
    debs=("$CACHE/deb/${pkg}_"*.deb)
    [ "${#debs[@]}" -gt 0 ] || die "apt-get download $pkg produced no .deb in $CACHE/deb"
fi
deb=${debs[0]}

tmp=$out.tmp.$$
rm -rf "$tmp"
mkdir -p "$tmp/modules"
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

log "extracting $deb"
dpkg-deb -x "$deb" "$root"
# Newer packages ship usr/lib/modules; depmod -b and modprobe -d look in lib/.
if [ ! -d "$root/lib/modules" ] && [ -d "$root/usr/lib/modules" ]; then
    ln -s usr/lib "$root/lib"
fi
kdirs=("$root"/lib/modules/*/)
[ "${#kdirs[@]}" -eq 1 ] || die "expected one lib/modules/<version> in $deb, found ${#kdirs[@]}"
kver=$(basename "${kdirs[0]}")
vmlinuz=$root/boot/vmlinuz-$kver
[ -f "$vmlinuz" ] || die "no boot/vmlinuz-$kver in $deb"

log "depmod $kver"
depmod -b "$root" "$kver"

declare -A seen=()
order=()

# Append the .ko files MOD needs (dependencies first) to `order`.
# Returns 1 when modprobe does not know MOD.
add_mod() {
    local mod=$1 deps line path name
    # -C /dev/null: ignore the host's modprobe.d (options, blacklists).
    deps=$(modprobe -C /dev/null -d "$root" -S "$kver" --show-depends "$mod" 2>/dev/null) || return 1
    while IFS= read -r line; do
        case $line in
        insmod\ *)
            path=${line#insmod }
            path=${path%% *}
            name=$(basename "$path")
            name=${name%%.ko*}
            [ -z "${seen[$name]:-}" ] || continue
            case " ${SKIP_MODS[*]} " in *" $name "*) continue ;; esac
            # libcrc32c needs a crc32c implementation loaded first, and the
            # guest has no modprobe to fetch one on demand.
            if [ "$name" = libcrc32c ] && [ -z "${seen[crc32c_generic]:-}" ]; then
                add_mod crc32c_generic || true
            fi
            seen[$name]=$path
            order+=("$name")
            ;;
        builtin\ *) ;;
        *) log "unexpected modprobe output for $mod: $line" ;;
        esac
    done <<<"$deps"
}

for m in "${REQUIRED_MODS[@]}"; do
    add_mod "$m" || die "module $m not found in $pkg"
done
for m in "${OPTIONAL_MODS[@]}"; do
    add_mod "$m" || log "optional module $m not available, skipped"
done

# Copy (and decompress: busybox insmod wants plain .ko) in load order.
for name in "${order[@]}"; do
    src=${seen[$name]}
    dst=$tmp/modules/$name.ko
    case $src in
    *.ko) cp "$src" "$dst" ;;
    *.ko.xz) xz -dc "$src" >"$dst" || die "xz needed to decompress $src" ;;
    *.ko.zst) zstd -qdc "$src" >"$dst" || die "zstd needed to decompress $src" ;;
    *.ko.gz) gzip -dc "$src" >"$dst" ;;
    *) die "unknown module file type: $src" ;;
    esac
    echo "$name.ko" >>"$tmp/modules/load-order.txt"
done
cp "$vmlinuz" "$tmp/vmlinuz"
echo "$kver" >"$tmp/kernel-version"
rm -rf "$root"
echo "$SIG" >"$tmp/.prepared"

rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
log "prepared $out (${#order[@]} modules)"
echo "$out"
