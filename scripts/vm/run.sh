#!/usr/bin/env bash
# Boot Debian's kernel (with IPVS) under QEMU and run one guest test script in
# it, as root, with busybox, iproute2's ip, the real ipvsadm and rvsadm.
#
# Usage: scripts/vm/run.sh GUEST_SCRIPT [FILE...]
#
# In the guest:
#   /work/<basename of GUEST_SCRIPT>  run with busybox `sh`, cwd /work
#   /work/lib.sh                      tests/vm/lib.sh (always packed)
#   /work/<basename of FILE>          each extra FILE (files or directories)
#   /work/env.sh                      every host variable RVSADM_GUEST_*, sourced first
#   /usr/sbin/ipvsadm, /usr/sbin/rvsadm (on PATH), /sbin/ip.real (iproute2's ip:
#   call it by full path, busybox sh prefers its own `ip` applet)
#   /usr/sbin/rcompare when RCOMPARE names it
#
# Only the script's output goes to stdout; the whole console goes to a log
# (${RVSADM_VM_LOG:-<repo>/target/vm/console.log}). Exit status: the guest
# script's, or 125 when it did not run to completion (boot failure, timeout).
#
# Environment:
#   RVSADM             rvsadm binary (default <repo>/target/release/rvsadm); a
#                      script works too if its interpreter is /bin/sh
#   RCOMPARE           optional: the rcompare binary to pack (with its libraries)
#   RVSADM_VM_CACHE    kernel cache (see kernel.sh), default /var/tmp/rvsadm-vm
#   RVSADM_VM_MEM      guest memory in MiB, default 1024
#   RVSADM_VM_TIMEOUT  seconds before the VM is killed, default 1200
#   RVSADM_VM_LOG      console log path
#   RVSADM_VM_KEEP     if set, keep the initramfs build dir (path: mktemp under $TMPDIR)
#   RVSADM_VM_BINS     more host programs (space-separated paths) to pack into
#                      the guest's /usr/sbin under their own names, with the
#                      shared libraries they load (e.g. rtables-restore)
set -euo pipefail

now_ms() { echo $(($(date +%s%N) / 1000000)); }
t0=$(now_ms)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

# ipvsadm, depmod and modprobe live in sbin, which a non-login PATH may lack.
PATH=$PATH:/usr/sbin:/sbin
MEM=${RVSADM_VM_MEM:-1024}
TIMEOUT=${RVSADM_VM_TIMEOUT:-1200}
LOG=${RVSADM_VM_LOG:-$ROOT/target/vm/console.log}
BEGIN_MARK='@@RVSADM-VM-BEGIN@@'
END_MARK='@@RVSADM-VM-END'

die() {
    echo "run.sh: error: $*" >&2
    exit 125
}

[ $# -ge 1 ] || die "usage: $0 GUEST_SCRIPT [FILE...]"
script=$1
shift
[ -f "$script" ] || die "guest script not found: $script"
case $(basename "$script") in
*[!A-Za-z0-9._-]*) die "guest script name must be made of [A-Za-z0-9._-]: $script" ;;
esac
for f in "$@"; do
    [ -e "$f" ] || die "file not found: $f"
done

for tool in qemu-system-x86_64 cpio gzip ldd timeout awk; do
    command -v "$tool" >/dev/null 2>&1 || die "missing $tool: run scripts/install-deps.sh"
done
if ! { [ -x /bin/busybox ] && /bin/busybox --list-full >/dev/null 2>&1; }; then
    die "missing busybox (busybox-static): run scripts/install-deps.sh"
fi
[ -x /usr/sbin/ipvsadm ] || die "missing ipvsadm: run scripts/install-deps.sh"
IP_BIN=$(command -v ip || true)
[ -n "$IP_BIN" ] || die "missing ip (iproute2): run scripts/install-deps.sh"
IP_BIN=$(readlink -f "$IP_BIN")
for f in /etc/services /etc/protocols; do
    [ -f "$f" ] || die "missing $f (netbase): run scripts/install-deps.sh"
done

RVSADM_BIN=${RVSADM:-$ROOT/target/release/rvsadm}
if ! { [ -f "$RVSADM_BIN" ] && [ -x "$RVSADM_BIN" ]; }; then
    die "rvsadm binary not found or not executable: $RVSADM_BIN (build it with cargo build --release, or set RVSADM)"
fi

EXTRA_BINS=()
for bin in ${RVSADM_VM_BINS:-}; do
    { [ -f "$bin" ] && [ -x "$bin" ]; } || die "RVSADM_VM_BINS: not an executable file: $bin"
    EXTRA_BINS+=("$bin")
done

# Kernel and modules (downloaded once, then cached).
KDIR=$("$HERE/kernel.sh") || die "scripts/vm/kernel.sh failed"
if ! { [ -f "$KDIR/vmlinuz" ] && [ -f "$KDIR/modules/load-order.txt" ]; }; then
    die "kernel.sh did not prepare a kernel (got: $KDIR)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rvsadm-vm.XXXXXX")
trap '[ -n "${RVSADM_VM_KEEP:-}" ] || rm -rf "$work"' EXIT
rootfs=$work/root
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,work,modules,root}

# busybox and its applet links (never over a file packed below).
cp /bin/busybox "$rootfs/bin/busybox"
while IFS= read -r applet; do
    [ -e "$rootfs/$applet" ] || [ -L "$rootfs/$applet" ] || ln -s /bin/busybox "$rootfs/$applet"
done < <(/bin/busybox --list-full)

# The dynamically linked binaries, and every library they load.
cp "$IP_BIN" "$rootfs/sbin/ip.real"
cp /usr/sbin/ipvsadm "$rootfs/usr/sbin/ipvsadm"
cp "$RVSADM_BIN" "$rootfs/usr/sbin/rvsadm"
chmod 755 "$rootfs/usr/sbin/rvsadm"
for bin in ${EXTRA_BINS[@]+"${EXTRA_BINS[@]}"}; do
    cp "$bin" "$rootfs/usr/sbin/$(basename "$bin")"
    chmod 755 "$rootfs/usr/sbin/$(basename "$bin")"
done
if [ -n "${RCOMPARE:-}" ]; then
    { [ -f "$RCOMPARE" ] && [ -x "$RCOMPARE" ]; } || die "rcompare binary not found or not executable: $RCOMPARE"
    cp "$RCOMPARE" "$rootfs/usr/sbin/rcompare"
    EXTRA_BINS+=("$RCOMPARE")
fi
for bin in "$IP_BIN" /usr/sbin/ipvsadm "$RVSADM_BIN" ${EXTRA_BINS[@]+"${EXTRA_BINS[@]}"}; do
    # ldd fails on scripts and static binaries: nothing to copy then.
    libs=$(ldd "$bin" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' || true)
    for lib in $libs; do
        if [ ! -e "$rootfs$lib" ]; then
            mkdir -p "$rootfs$(dirname "$lib")"
            cp -L "$lib" "$rootfs$lib"
        fi
    done
done

# Name service: files only.
cp /etc/services /etc/protocols "$rootfs/etc/"
printf '%s\n' '127.0.0.1 localhost' '::1 localhost ip6-localhost ip6-loopback' >"$rootfs/etc/hosts"
printf '%s\n' 'hosts: files' 'services: files' 'protocols: files' >"$rootfs/etc/nsswitch.conf"
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"

# Modules, in load order.
cp "$KDIR"/modules/*.ko "$KDIR/modules/load-order.txt" "$rootfs/modules/"

# Test files: lib.sh, the extra files, the script itself (last: it wins).
cp "$ROOT/tests/vm/lib.sh" "$rootfs/work/lib.sh"
for f in "$@"; do
    cp -R "$f" "$rootfs/work/"
done
script_name=$(basename "$script")
cp "$script" "$rootfs/work/$script_name"

# Host variables RVSADM_GUEST_* -> /work/env.sh (single-quoted values).
{
    echo '# generated by scripts/vm/run.sh'
    while IFS= read -r name; do
        case $name in
        RVSADM_GUEST_*)
            value=${!name}
            printf "export %s='%s'\n" "$name" "${value//\'/\'\\\'\'}"
            ;;
        esac
    done < <(compgen -e)
} >"$rootfs/work/env.sh"

# /init: set up, load modules, run the script between two marker lines.
cat >"$rootfs/init" <<EOF
#!/bin/sh
# generated by scripts/vm/run.sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
# Keep kernel messages out of the test output (they stay in dmesg).
echo 1 >/proc/sys/kernel/printk
while read -r m; do
    insmod "/modules/\$m" || echo "init: insmod \$m failed"
done </modules/load-order.txt
ip link set lo up
cd /work
echo '$BEGIN_MARK'
(. /work/env.sh && exec sh "/work/$script_name") </dev/null
rc=\$?
echo '$END_MARK rc='"\$rc"'@@'
poweroff -f
EOF
chmod 755 "$rootfs/init"

initrd=$work/initrd.gz
(cd "$rootfs" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$initrd"

mkdir -p "$(dirname "$LOG")"
: >"$LOG"
t1=$(now_ms)
# The console comes back with \r\n line ends. awk strips \r, logs every
# line, and streams the script's output (between the markers) to stdout.
set +e
timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel tcg -m "$MEM" -smp 1 \
    -nographic -no-reboot -nic none \
    -kernel "$KDIR/vmlinuz" -initrd "$initrd" \
    -append "console=ttyS0 quiet panic=-1" </dev/null 2>&1 |
    awk -v logf="$LOG" -v begin="$BEGIN_MARK" -v endm="$END_MARK" '
        { gsub(/\r/, ""); print >> logf; fflush(logf) }
        state == 1 && (i = index($0, endm)) > 0 {
            # The end marker may follow output that lacked a final newline.
            if (i > 1) { printf "%s", substr($0, 1, i - 1); fflush() }
            state = 2
            next
        }
        state == 1 { print; fflush(); next }
        # SeaBIOS leaves terminal escapes in front of the first guest line.
        state == 0 && index($0, begin) > 0 { state = 1 }
    '
statuses=("${PIPESTATUS[@]}")
set -e
t2=$(now_ms)
timing="host prep $(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100))s, VM $(((t2 - t1) / 1000)).$(((t2 - t1) % 1000 / 100))s"

rc=$(sed -n "s/.*$END_MARK rc=\([0-9][0-9]*\)@@.*/\1/p" "$LOG" | tail -n 1)
if [ -z "$rc" ]; then
    if [ "${statuses[0]}" -eq 124 ] || [ "${statuses[0]}" -eq 137 ]; then
        echo "run.sh: error: VM timed out after ${TIMEOUT}s" >&2
    else
        echo "run.sh: error: the guest script did not complete (qemu/timeout status ${statuses[0]})" >&2
    fi
    echo "run.sh: last console lines ($LOG):" >&2
    tail -n 40 "$LOG" >&2
    exit 125
fi
echo "run.sh: guest script exited $rc ($timing; console log: $LOG)" >&2
exit "$rc"
