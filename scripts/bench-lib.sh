# shellcheck shell=bash
# Helpers shared by scripts/bench*.sh (sourced, not run).

# busybox_rss_div: what busybox `time`'s %M must be divided by to give kB.
# busybox 1.35 (Debian 12) treats ru_maxrss (kB) as a page count and prints it
# times 4; later versions print kB. Measured with the busybox the VM gets
# (/bin/busybox): its `cat` prints its own VmHWM, and %M of the same process
# is about that (1) or four times that (4).
busybox_rss_div() {
    local out m hwm
    out=$(mktemp)
    /bin/busybox time -f '%M' -o "$out.m" /bin/busybox cat /proc/self/status >"$out" 2>/dev/null || {
        rm -f "$out" "$out.m"
        echo 1
        return
    }
    m=$(tail -n 1 "$out.m")
    hwm=$(awk '$1 == "VmHWM:" { print $2 }' "$out")
    rm -f "$out" "$out.m"
    awk -v m="$m" -v h="$hwm" 'BEGIN { print (h > 0 && m / h > 2.5) ? 4 : 1 }'
}
