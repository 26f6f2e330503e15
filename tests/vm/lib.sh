# shellcheck shell=sh
# Library for guest test scripts run by scripts/vm/run.sh (busybox sh, root,
# kernel with IPVS). Source it with `. /work/lib.sh`.
#
# Namespaces: every test works in its own network namespace, so its IPVS
# table starts empty and does not leak into other tests.
#   ns_new NAME             create namespace NAME (letters, digits, _)
#   ns_exec NAME CMD...     run CMD (a program, not a shell function) in NAME
#   ns_del NAME             destroy NAME
#
# Comparisons of `ipvsadm ARGS` with `rvsadm ARGS` (stdout, stderr and exit
# status must be byte-identical once the word ipvsadm in the reference's
# output is replaced by rvsadm):
#   compare NAME NS ARGS...              both run in NS (commands that do not change state)
#   compare_stdin NAME NS FILE ARGS...   same, with FILE on stdin
#   compare_change NAME SETUP ARGS...    state-changing commands: see below
#   compare_change_stdin NAME SETUP FILE ARGS...
#
# Plain assertions:
#   check NAME CMD...                    CMD must exit 0
#   expect_output NAME NS EXPECTED CMD...  CMD in NS must exit 0 and print EXPECTED (+ newline)
#   pass NAME / fail NAME [MESSAGE...]   count a result yourself
#   summary                              prints "N passed, N failed"; non-zero if any failed
#
# Each result prints one line `PASS NAME` or `FAIL NAME` (then details). Call
# these functions directly, not in a pipeline or $(...): the counters live in
# this shell. The library does not use `set -e`, but works under it.
#
# iproute2's ip is /sbin/ip.real: busybox sh would run its own `ip` applet.

IP=/sbin/ip.real
RVSADM_TESTS_PASSED=0
RVSADM_TESTS_FAILED=0
_LIB_TMP=$(mktemp -d /tmp/rvsadm-tests.XXXXXX)

# --- results -------------------------------------------------------------

pass() {
    RVSADM_TESTS_PASSED=$((RVSADM_TESTS_PASSED + 1))
    echo "PASS $1"
}

fail() {
    _name=$1
    shift
    RVSADM_TESTS_FAILED=$((RVSADM_TESTS_FAILED + 1))
    echo "FAIL $_name"
    [ $# -eq 0 ] || echo "  $*"
}

summary() {
    echo "$RVSADM_TESTS_PASSED passed, $RVSADM_TESTS_FAILED failed"
    [ "$RVSADM_TESTS_FAILED" -eq 0 ]
}

# --- namespaces ----------------------------------------------------------

_ns_pid() { # NAME -> prints the pid holding namespace NAME
    case $1 in
    '' | *[!A-Za-z0-9_]*)
        echo "lib.sh: bad namespace name '$1'" >&2
        return 2
        ;;
    esac
    eval "_p=\${_NS_PID_$1:-}"
    if [ -z "$_p" ]; then
        echo "lib.sh: no namespace '$1'" >&2
        return 2
    fi
    echo "$_p"
}

ns_new() { # NAME
    case $1 in
    '' | *[!A-Za-z0-9_]*)
        echo "lib.sh: bad namespace name '$1'" >&2
        return 2
        ;;
    esac
    # busybox unshare execs sleep without forking, so $! is the process that
    # owns the new namespace (and stays its handle for nsenter).
    unshare -n sleep 100000 &
    _p=$!
    eval "_NS_PID_$1=$_p"
    # Wait until the child has really unshared: before that, nsenter would
    # enter our own namespace.
    _self=$(readlink /proc/$$/ns/net)
    _i=0
    while :; do
        _ns=$(readlink "/proc/$_p/ns/net" 2>/dev/null) || {
            echo "lib.sh: unshare for namespace '$1' died" >&2
            ns_del "$1"
            return 1
        }
        [ "$_ns" = "$_self" ] || break
        _i=$((_i + 1))
        if [ "$_i" -gt 500 ]; then
            echo "lib.sh: namespace '$1' not created in time" >&2
            ns_del "$1"
            return 1
        fi
        sleep 0.01
    done
    # lo, and a dummy link that makes the test address ranges unicast-routable
    # (IPVS refuses masquerade/tunnel dests it cannot route) and can carry a
    # sync daemon (multicast).
    # One `ip -batch` (loading ip under TCG costs more than the commands).
    nsenter -t "$_p" -n "$IP" -batch - <<EOF || {
link set lo up
link add d0 type dummy
addr add 192.168.0.1/16 dev d0
addr add 10.0.0.254/8 dev d0
addr add 2001:db8::fe/64 dev d0 nodad
link set d0 multicast on up
route add 100.0.0.0/8 dev d0
route add 200.0.0.0/8 dev d0
route add 203.0.113.0/24 dev d0
EOF
        echo "lib.sh: network setup of namespace '$1' failed" >&2
        ns_del "$1"
        return 1
    }
}

ns_exec() { # NAME CMD...
    _p=$(_ns_pid "$1") || return 2
    shift
    nsenter -t "$_p" -n "$@"
}

ns_del() { # NAME
    _p=$(_ns_pid "$1") || return 2
    kill "$_p" 2>/dev/null || :
    wait "$_p" 2>/dev/null || :
    eval "unset _NS_PID_$1"
    return 0
}

# --- comparisons ---------------------------------------------------------

# _run OUT NS STDIN TOOL ARGS...: run TOOL ARGS in NS, stdin from STDIN;
# stdout -> OUT.out, stderr -> OUT.err, exit status -> OUT.rc.
_run() {
    _o=$1 _n=$2 _in=$3 _tool=$4
    shift 4
    _rc=0
    ns_exec "$_n" "$_tool" "$@" <"$_in" >"$_o.out" 2>"$_o.err" || _rc=$?
    echo "$_rc" >"$_o.rc"
}

# _rename IN OUT: the reference's output with the word ipvsadm -> rvsadm.
_rename() {
    sed 's/\<ipvsadm\>/rvsadm/g' "$1" >"$2"
}

# _diff_files LABEL A B: print a unified diff of A and B if they differ;
# returns 1 if they differ.
_diff_files() {
    cmp -s "$2" "$3" && return 0
    diff -u -L "ipvsadm $1" -L "rvsadm $1" "$2" "$3"
    # Trailing blanks are invisible in a diff: say so when they are the cause.
    sed 's/[[:space:]]*$//' "$2" >"$_LIB_TMP/ws.a"
    sed 's/[[:space:]]*$//' "$3" >"$_LIB_TMP/ws.b"
    if cmp -s "$_LIB_TMP/ws.a" "$_LIB_TMP/ws.b"; then
        echo "  ($1 differs only in trailing whitespace)"
    fi
    return 1
}

# _compare_outputs NAME REF NEW ARGS...: REF.{out,err,rc} vs NEW.{...};
# prints the diff details (no PASS/FAIL line); returns 1 on a difference.
_compare_outputs() {
    _ref=$2 _new=$3
    _rename "$_ref.out" "$_ref.out.r"
    _rename "$_ref.err" "$_ref.err.r"
    _ok=0
    _diff_files stdout "$_ref.out.r" "$_new.out" >"$_LIB_TMP/details" || _ok=1
    _diff_files stderr "$_ref.err.r" "$_new.err" >>"$_LIB_TMP/details" || _ok=1
    cmp -s "$_ref.rc" "$_new.rc" || _ok=1
    return $_ok
}

_print_failure() { # ARGS...: details of the last _compare_outputs
    echo "  command: $*"
    cat "$_LIB_TMP/details"
    echo "  exit status: ipvsadm $(cat "$_LIB_TMP/ref.rc"), rvsadm $(cat "$_LIB_TMP/new.rc")"
}

compare_stdin() { # NAME NS FILE ARGS...
    _cname=$1 _cns=$2 _cin=$3
    shift 3
    _run "$_LIB_TMP/ref" "$_cns" "$_cin" ipvsadm "$@"
    _run "$_LIB_TMP/new" "$_cns" "$_cin" rvsadm "$@"
    if _compare_outputs "$_cname" "$_LIB_TMP/ref" "$_LIB_TMP/new"; then
        pass "$_cname"
    else
        fail "$_cname"
        _print_failure "$@"
    fi
}

compare() { # NAME NS ARGS...
    _cname=$1 _cns=$2
    shift 2
    compare_stdin "$_cname" "$_cns" /dev/null "$@"
}

# What must be equal after a state change (all listed with the reference tool).
_STATE_CMDS='-Sn
-Ln --stats --exact
-Ln --thresholds
-L --timeout
-L --daemon'

_state() { # NS OUT: dump the kernel state of NS to OUT
    : >"$2"
    while IFS= read -r _scmd; do
        echo "== ipvsadm $_scmd" >>"$2"
        # shellcheck disable=SC2086 # split the option list
        ns_exec "$1" ipvsadm $_scmd </dev/null >>"$2" 2>&1 || echo "== exit status $?" >>"$2"
    done <<EOF
$_STATE_CMDS
EOF
}

_setup() { # NS TOOL SETUP OUTPREFIX: run SETUP (shell code or a file) with IPVS=TOOL
    _rc=0
    if [ -f "$3" ]; then
        ns_exec "$1" env IPVS="$2" sh "$3" </dev/null >"$4.setup" 2>&1 || _rc=$?
    else
        ns_exec "$1" env IPVS="$2" sh -c "$3" </dev/null >"$4.setup" 2>&1 || _rc=$?
    fi
    return $_rc
}

# compare_change_stdin NAME SETUP FILE ARGS...
# Two fresh namespaces: SETUP (shell code, or the path of a script file, with the tool's
# name in $IPVS) runs with ipvsadm in one and with rvsadm in the other; then
# `$IPVS ARGS` (stdin FILE) is compared as in `compare`, and finally the two
# kernel states (ipvsadm -Sn, -Ln --stats --exact, --thresholds, --timeout,
# --daemon) must be identical.
compare_change_stdin() {
    _cname=$1 _csetup=$2 _cin=$3
    shift 3
    _T=$_LIB_TMP
    ns_new _cc_ref || { fail "$_cname" "cannot create namespace"; return 0; }
    ns_new _cc_new || { ns_del _cc_ref; fail "$_cname" "cannot create namespace"; return 0; }
    _bad=0
    _ref_setup_rc=0 _new_setup_rc=0
    _setup _cc_ref ipvsadm "$_csetup" "$_T/ref" || _ref_setup_rc=$?
    _setup _cc_new rvsadm "$_csetup" "$_T/new" || _new_setup_rc=$?
    if [ "$_ref_setup_rc" -ne 0 ] || [ "$_new_setup_rc" -ne 0 ]; then
        fail "$_cname" "setup failed: exit status with ipvsadm $_ref_setup_rc, with rvsadm $_new_setup_rc"
        echo "  setup output with ipvsadm:"
        sed 's/^/    /' "$_T/ref.setup"
        echo "  setup output with rvsadm:"
        sed 's/^/    /' "$_T/new.setup"
    else
        _run "$_T/ref" _cc_ref "$_cin" ipvsadm "$@"
        _run "$_T/new" _cc_new "$_cin" rvsadm "$@"
        _compare_outputs "$_cname" "$_T/ref" "$_T/new" || _bad=1
        _state _cc_ref "$_T/ref.state"
        _state _cc_new "$_T/new.state"
        if ! cmp -s "$_T/ref.state" "$_T/new.state"; then
            _bad=1
            {
                echo "  kernel state differs:"
                diff -u -L "state after ipvsadm" -L "state after rvsadm" "$_T/ref.state" "$_T/new.state" || :
            } >>"$_T/details"
        fi
        if [ "$_bad" -eq 0 ]; then
            pass "$_cname"
        else
            fail "$_cname"
            _print_failure "$@"
        fi
    fi
    ns_del _cc_ref
    ns_del _cc_new
}

compare_change() { # NAME SETUP ARGS...
    _cname=$1 _csetup=$2
    shift 2
    compare_change_stdin "$_cname" "$_csetup" /dev/null "$@"
}

# --- plain assertions ----------------------------------------------------

check() { # NAME CMD...
    _cname=$1
    shift
    _rc=0
    "$@" >"$_LIB_TMP/check.out" 2>&1 || _rc=$?
    if [ "$_rc" -eq 0 ]; then
        pass "$_cname"
    else
        fail "$_cname" "command: $*"
        sed 's/^/  | /' "$_LIB_TMP/check.out"
        echo "  exit status: $_rc"
    fi
}

expect_output() { # NAME NS EXPECTED CMD...
    _cname=$1 _cns=$2
    printf '%s\n' "$3" >"$_LIB_TMP/expected"
    shift 3
    _rc=0
    ns_exec "$_cns" "$@" </dev/null >"$_LIB_TMP/actual" 2>"$_LIB_TMP/actual.err" || _rc=$?
    if [ "$_rc" -eq 0 ] && cmp -s "$_LIB_TMP/expected" "$_LIB_TMP/actual"; then
        pass "$_cname"
    else
        fail "$_cname" "command: $*"
        diff -u -L expected -L actual "$_LIB_TMP/expected" "$_LIB_TMP/actual" || :
        sed 's/^/  stderr: /' "$_LIB_TMP/actual.err"
        echo "  exit status: $_rc"
    fi
}
