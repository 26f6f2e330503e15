#!/usr/bin/env python3
"""Writes BENCHMARKS.md and the dataplane chart from one run of scripts/bench.sh.

  bench-report.py RESULTS_DIR MARKDOWN_OUT SVG_OUT [CRITERION_DIR]

RESULTS_DIR holds what scripts/bench.sh collected:
  meta.env        KEY=VALUE lines: date, machine, versions, phase durations
  nft.log         scripts/bench-nft.sh's output (BENCH/RATIO/PASS/FAIL lines)
  ipvs.log        tests/vm/bench.sh's output (in the VM)
  dataplane.log   tests/vm/dataplane.sh's output (in the VM)
CRITERION_DIR is criterion's output directory (target/criterion).

Only the standard library: the chart is written as SVG by hand.
"""
import json
import math
import os
import statistics
import sys

# --- reading -----------------------------------------------------------------


def kv(line):
    """`WORD k=v k=v ...` -> dict (values kept as strings)."""
    out = {}
    for tok in line.split()[1:]:
        if "=" in tok:
            k, v = tok.split("=", 1)
            out[k] = v
    return out


def read_lines(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def read_meta(path):
    meta = {}
    for line in read_lines(path):
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            meta[k.strip()] = v.strip()
    return meta


def checks(lines):
    passed = [l[5:] for l in lines if l.startswith("PASS ")]
    failed = [l[5:] for l in lines if l.startswith("FAIL ")]
    return passed, failed


def bench_table(lines, suite=None):
    """{(name, tool): dict} from BENCH lines."""
    out = {}
    for line in lines:
        if not line.startswith("BENCH "):
            continue
        d = kv(line)
        if suite and d.get("suite", suite) != suite:
            continue
        out[(d["name"], d["tool"])] = d
    return out


def f(d, key):
    try:
        return float(d[key])
    except (KeyError, ValueError, TypeError):
        return None


# --- formatting ----------------------------------------------------------------


def ms(v):
    if v is None:
        return "—"
    if v >= 1000:
        return f"{v / 1000:.2f} s"
    if v >= 100:
        return f"{v:.0f} ms"
    if v >= 10:
        return f"{v:.1f} ms"
    return f"{v:.2f} ms"


def mib(kb):
    if kb is None or kb == 0:
        return "—"
    return f"{kb / 1024:.1f}"


def ratio_str(r):
    if r is None:
        return "—"
    return f"**{r:.2f}×**" if r >= 1 else f"{r:.2f}×"


def cpu(d):
    u, s = f(d, "user_ms"), f(d, "sys_ms")
    if u is None or s is None:
        return "—"
    return f"{u:.0f} / {s:.0f}"


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return None
    return a / b


# --- targets -------------------------------------------------------------------


class Targets:
    def __init__(self):
        self.rows = []

    def add(self, what, measured, goal, met, why=""):
        self.rows.append((what, measured, goal, met, why))


# --- sections --------------------------------------------------------------------

IPVS_OPS = [
    ("restore", "restore (`-R`)"),
    ("list", "list (`-Ln`)"),
    ("save", "save (`-Sn`)"),
    ("add", "one add (`-a`) into the loaded table"),
]
IPVS_SIZES = [("2000x10", "2,000 services × 10 destinations"), ("10000x2", "10,000 services × 2 destinations")]


def ipvs_section(lines, targets, md):
    t = bench_table(lines)
    passed, failed = checks(lines)
    over = f(t.get(("overhead", "none"), {}), "median_ms")
    md.append("## Control plane: IPVS (rvsadm against ipvsadm 1.31)\n")
    if not t:
        md.append("_Not measured in this run (see the log)._\n")
        return
    runs = {d.get("runs") for (n, tool), d in t.items() if tool != "none"}
    md.append(
        "In the QEMU rig (Debian's 6.1 kernel with IPVS, TCG emulation, one vCPU), both tools in "
        f"the same boot, alternating, median of {'/'.join(sorted(r for r in runs if r))} runs. Every "
        "restore goes into a fresh network namespace; the listings and the add work on the "
        "table rvsadm restored. The absolute times are emulated (roughly 10× slower than "
        "hardware); the ratios are what counts. Times include the wrapper "
        f"(`nsenter` + `timeout` + busybox `time`: {ms(over)} alone). Peak RSS and CPU "
        "(user / system ms) from busybox `time`.\n"
    )
    md.append("| table | operation | ipvsadm | rvsadm | ipvsadm ÷ rvsadm | peak RSS MiB (ipvsadm / rvsadm) | CPU user / sys ms, ipvsadm | rvsadm |")
    md.append("|---|---|---:|---:|---:|---:|---:|---:|")
    for size, size_label in IPVS_SIZES:
        for op, label in IPVS_OPS:
            a = t.get((f"{op}-{size}", "ipvsadm"))
            b = t.get((f"{op}-{size}", "rvsadm"))
            if not a or not b:
                continue
            r = ratio(f(a, "median_ms"), f(b, "median_ms"))
            md.append(
                f"| {size_label} | {label} | {ms(f(a, 'median_ms'))} | {ms(f(b, 'median_ms'))} | {ratio_str(r)} "
                f"| {mib(f(a, 'rss_kb'))} / {mib(f(b, 'rss_kb'))} | {cpu(a)} | {cpu(b)} |"
            )
    md.append("")
    md.append(f"Checks in the same boot: {len(passed)} passed, {len(failed)} failed "
              "(every restore loads every line; both tools restore the same table; rvsadm's "
              "`-Sn`/`-Ln` of the big tables equal ipvsadm's byte for byte).\n")
    for l in failed:
        md.append(f"- FAIL {l}")
    if failed:
        md.append("")

    for size, size_label in IPVS_SIZES:
        for op, goal in (("restore", 10.0), ("list", 3.0), ("save", 3.0)):
            a = t.get((f"{op}-{size}", "ipvsadm"))
            b = t.get((f"{op}-{size}", "rvsadm"))
            if not a or not b:
                continue
            r = ratio(f(a, "median_ms"), f(b, "median_ms"))
            net = ratio(f(a, "median_ms") - (over or 0), f(b, "median_ms") - (over or 0))
            met = r is not None and r >= goal
            why = ""
            bu, bs = f(b, "user_ms") or 0, f(b, "sys_ms") or 0
            au, as_ = f(a, "user_ms") or 0, f(a, "sys_ms") or 0
            bw = f(b, "median_ms") or 0
            if not met:
                aw = f(a, "median_ms") or 0
                bound = aw / max(bs, 1)
                what = ("the kernel's own work for the additions" if op == "restore" else
                        "the kernel's work for the listing: IPVS has no dump of all destinations, "
                        "so every service costs a destination dump, for either tool")
                why = (f"rvsadm: {bu:.0f} ms user + {bs:.0f} ms system of {bw:.0f} ms (ipvsadm: {au:.0f} + "
                       f"{as_:.0f} of {aw:.0f} ms). rvsadm's system time is {what}; with no user time "
                       f"and no wrapper at all the ratio could reach at most {bound:.1f}× "
                       "(ipvsadm's time ÷ rvsadm's system time)")
                if bound < goal:
                    why += ": the kernel is the floor"
                else:
                    why += (f": what stands between is rvsadm's user time ({bu:.0f} ms) and the "
                            f"wrapper ({(over or 0):.0f} ms)")
            targets.add(
                f"IPVS {op} (`{ {'restore': '-R', 'list': '-Ln', 'save': '-Sn'}[op] }`), {size_label}",
                f"{r:.2f}×" + (f" (net of wrapper {net:.2f}×)" if net else ""),
                f"≥ {goal:.0f}×",
                met,
                why,
            )


NFT_SETS = [
    ("filter100k", "filter table, 100,000 rules in 100 chains"),
    ("kube10k", "kube-proxy nat table, 10,000 services × 3 endpoints (40,000 chains, ~100,000 rules)"),
    ("filter1k", "filter table, 1,000 rules (for the append scaling)"),
]
NFT_OPS = [
    ("restore", "restore into a fresh namespace"),
    ("restore-again", "restore over the loaded table"),
    ("save", "save (`*-save -t TABLE`)"),
    ("S", "`-S`"),
    ("Ln", "`-L -n`"),
    ("list-chain", "`-L CHAIN -n` of one chain"),
    ("append", "one `-A`"),
    ("delete", "`-D` by specification, end of a small chain"),
    ("delete-mid", "`-D` by specification, middle of a big chain"),
]


def syscalls(lines):
    out = {}
    for line in lines:
        if line.startswith("SYSCALLS "):
            d = kv(line)
            out[(d["name"], d["tool"])] = (int(d["requests"]), int(d["replies"]))
    return out


def calls_text(sc, name):
    a, b = sc.get((name, "iptables")), sc.get((name, "rtables"))
    if not a or not b:
        return ""
    return (f"netlink requests / reply reads (strace -c): iptables-nft {a[0]:,} / {a[1]:,}, "
            f"rtables {b[0]:,} / {b[1]:,}")


def nft_section(lines, targets, md):
    sc = syscalls(lines)
    t = bench_table(lines, "nft")
    passed, failed = checks(lines)
    over = f(t.get(("overhead", "none"), {}), "median_ms")
    md.append("## Control plane: nf_tables (rtables against iptables-nft 1.8.9)\n")
    if not t:
        md.append("_Not measured in this run (see the log)._\n")
        return
    runs = sorted({d.get("runs") for (n, tool), d in t.items() if tool in ("iptables", "rtables")}, key=lambda x: int(x))
    md.append(
        "On this machine's own kernel, in fresh network namespaces, the tools alternating (the "
        "first one flips every run). Restores: each tool into its own new namespace; the other "
        "operations: in a namespace loaded (untimed) by iptables-nft-restore. Medians of "
        f"{'/'.join(runs)} samples (the quick operations are sampled several times per run). "
        f"Wall clock includes starting `/usr/bin/time` ({ms(over)} alone); peak RSS and CPU from it.\n"
    )
    for set_, label in NFT_SETS:
        if not any(n.startswith(set_ + "/") for (n, _) in t):
            continue
        md.append(f"### {label}\n")
        md.append("| operation | iptables-nft | rtables | iptables-nft ÷ rtables | peak RSS MiB (iptables-nft / rtables) | CPU user / sys ms, iptables-nft | rtables |")
        md.append("|---|---:|---:|---:|---:|---:|---:|")
        for op, olabel in NFT_OPS:
            a = t.get((f"{set_}/{op}", "iptables"))
            b = t.get((f"{set_}/{op}", "rtables"))
            if not a or not b:
                continue
            if op == "list-chain":
                olabel += " (CH50, 1,000 rules)" if set_ == "filter100k" else (" (KUBE-SERVICES, 10,000 rules)" if set_ == "kube10k" else " (CH0)")
            r = ratio(f(a, "median_ms"), f(b, "median_ms"))
            md.append(
                f"| {olabel} | {ms(f(a, 'median_ms'))} | {ms(f(b, 'median_ms'))} | {ratio_str(r)} "
                f"| {mib(f(a, 'rss_kb'))} / {mib(f(b, 'rss_kb'))} | {cpu(a)} | {cpu(b)} |"
            )
        nl = t.get((f"{set_}/nft-list-ruleset", "nft"))
        kc = t.get((f"{set_}/append-commit", "kernel"))
        md.append("")
        floor = []
        if nl:
            floor.append(f"`nft list ruleset` (nft 1.0.6) of the same table: {ms(f(nl, 'median_ms'))} "
                         f"({cpu(nl)} ms user / sys, {mib(f(nl, 'rss_kb'))} MiB)")
        if kc:
            floor.append(f"the kernel's commit of one appended rule (the batch's `sendto`, `strace -T`): "
                         f"{ms(f(kc, 'median_ms'))}")
        if floor:
            md.append("Floors: " + "; ".join(floor) + ".\n")
        calls = []
        for op in ("save", "list-chain", "append", "delete"):
            a_, b_ = sc.get((f"{set_}/{op}", "iptables")), sc.get((f"{set_}/{op}", "rtables"))
            if a_ and b_:
                calls.append(f"{op}: iptables-nft {a_[0]:,} / {a_[1]:,}, rtables {b_[0]:,} / {b_[1]:,}")
        if calls:
            md.append("Netlink requests / reply reads (`sendto`+`sendmsg` / `recvfrom`+`recvmsg` calls, one "
                      "untimed run under `strace -c`): " + "; ".join(calls) + ".\n")

    md.append(f"Checks: {len(passed)} passed, {len(failed)} failed (both tools' restores give the "
              "same table; rtables-save's output equals iptables-nft-save's).\n")
    for l in failed:
        md.append(f"- FAIL {l}")
    if failed:
        md.append("")

    # Targets: never slower; save of the big nat table >= 10x; append flat.
    for set_, label in NFT_SETS[:2]:
        for op, olabel in NFT_OPS:
            a = t.get((f"{set_}/{op}", "iptables"))
            b = t.get((f"{set_}/{op}", "rtables"))
            if not a or not b:
                continue
            r = ratio(f(a, "median_ms"), f(b, "median_ms"))
            goal = 10.0 if (set_, op) == ("kube10k", "save") else 1.0
            # Within 5 % counts as "not slower" for the quick operations, whose
            # samples spread more than that on a shared machine.
            met = r is not None and (r >= goal or (goal == 1.0 and r >= 0.95))
            why = ""
            if not met:
                au, as_ = f(a, "user_ms") or 0, f(a, "sys_ms") or 0
                bu, bs = f(b, "user_ms") or 0, f(b, "sys_ms") or 0
                aw, bw = f(a, "median_ms") or 0, f(b, "median_ms") or 0
                why = (f"CPU user / sys: iptables-nft {au:.0f} / {as_:.0f} ms, rtables {bu:.0f} / {bs:.0f} ms; "
                       f"peak RSS {mib(f(a, 'rss_kb'))} vs {mib(f(b, 'rss_kb'))} MiB")
                parallel = bu + bs > 1.1 * bw
                if goal > 1:
                    why += (f" — rtables' {ms(bw)} hold {bu:.0f} ms of its own CPU work and {bs:.0f} ms of the kernel's"
                            + (" (more CPU than wall time: it reads on two sockets in parallel)" if parallel else ""))
                elif bu > au * 1.2 and bu - au > 5:
                    why += " — rtables' own (user-space) work is the difference: a library bottleneck"
                elif bs > as_ * 1.2 and bs - as_ > 5:
                    why += " — rtables makes the kernel work more (system time)"
                else:
                    why += " — CPU times are close: the gap is small and within this shared machine's noise"
                calls_op = "save" if op in ("S", "Ln") else op
                rq = sc.get((f"{set_}/{calls_op}", "rtables"))
                per_chain = op in ("save", "S", "Ln", "list-chain") and rq and rq[0] >= 1000
                if bs >= 20 and not parallel:
                    bound = aw / bs
                    why += (f"; rtables' system time alone bounds the ratio at {bound:.2f}× "
                            f"(iptables-nft's {ms(aw)} ÷ rtables' {bs:.0f} ms in the kernel)")
                    if bound < goal and (as_ >= bs * 0.8):
                        if per_chain:
                            why += (": that kernel work comes from asking for the rules chain by chain "
                                    f"({rq[0]:,} netlink requests, as iptables-nft does too); one dump of "
                                    "the table's rules would cut it")
                        else:
                            why += ": the kernel's work, which iptables-nft pays too, is the floor"
                    elif per_chain:
                        why += (f"; rtables asks for the rules chain by chain ({rq[0]:,} netlink requests), "
                                "where one dump of the table's rules would do")
                elif per_chain:
                    why += (f"; rtables asks for the rules chain by chain ({rq[0]:,} netlink requests), "
                            "where one dump of the table's rules would do")
                if op == "append" and set_ in ("filter100k", "kube10k"):
                    kc = t.get((f"{set_}/append-commit", "kernel"))
                    if kc:
                        why += (f"; the kernel's commit of the one-rule batch alone takes {ms(f(kc, 'median_ms'))} "
                                f"of rtables' {ms(bw)}")
                if op == "list-chain" and per_chain:
                    why += "; rtables fetches the whole table to list one chain, iptables-nft fetches only that chain"
                ct = calls_text(sc, f"{set_}/{calls_op}")
                if ct:
                    why += f"; {ct}" + (" (for `-S`/`-L`, as for save)" if op in ("S", "Ln") else "")
            targets.add(f"nf_tables {op}, {label.split(',')[0]} ({set_})", f"{r:.2f}×", f"≥ {goal:g}×", met, why)

    a1 = t.get(("filter1k/append", "rtables"))
    a2 = t.get(("filter100k/append", "rtables"))
    if a1 and a2:
        r = ratio(f(a2, "median_ms"), f(a1, "median_ms"))
        met = r is not None and r <= 1.25
        why = ""
        k1 = t.get(("filter1k/append-commit", "kernel"))
        k2 = t.get(("filter100k/append-commit", "kernel"))
        i1 = t.get(("filter1k/append", "iptables"))
        i2 = t.get(("filter100k/append", "iptables"))
        if not met:
            why = "rtables sends the same one-rule batch either way (no dump of the rules)"
            if k1 and k2:
                why += (f"; the kernel's commit of that batch takes {ms(f(k1, 'median_ms'))} with 1,000 rules "
                        f"and {ms(f(k2, 'median_ms'))} with 100,000 (`strace -T` on the `sendto`): the kernel "
                        "is the floor")
            if i1 and i2:
                why += (f"; iptables-nft grows the same way ({ms(f(i1, 'median_ms'))} → {ms(f(i2, 'median_ms'))})")
        targets.add(
            "one `-A`: 100,000 rules loaded ÷ 1,000 loaded (rtables)",
            f"{r:.2f} ({ms(f(a1, 'median_ms'))} → {ms(f(a2, 'median_ms'))})",
            "≈ 1 (≤ 1.25)",
            met,
            why,
        )


def dataplane_data(lines):
    """{(mode, n, target): [dicts]} and {(mode, n): prog dict}."""
    dp, prog = {}, {}
    for line in lines:
        if line.startswith("DP "):
            d = kv(line)
            if "rate" not in d:
                continue
            dp.setdefault((d["mode"], int(d["n"]), d["target"]), []).append(d)
        elif line.startswith("DPPROG "):
            d = kv(line)
            prog[(d["mode"], int(d["n"]))] = d
    return dp, prog


def med(ds, key):
    vals = [float(d[key]) for d in ds if key in d]
    return statistics.median(vals) if vals else None


MODE_LABEL = {"ipvs": "IPVS (rvsadm)", "iptables": "iptables (rtables)"}


def dataplane_section(lines, md, svg_rel):
    dp, prog = dataplane_data(lines)
    passed, failed = checks(lines)
    md.append("## Dataplane: a new connection through N services (VM)\n")
    if not dp:
        md.append("_Not measured in this run (see the log)._\n")
        return
    reps = max(len(v) for v in dp.values())
    md.append(
        "Client, node and backend in three namespaces of the QEMU guest (veth pairs, one vCPU, TCG), "
        "one such topology per mode, both up at the same time. "
        "N services, each a VIP with 3 endpoints, programmed once as IPVS services (`rvsadm -R`, NAT) "
        "and once as a kube-proxy nat table (`rtables-restore`: KUBE-SERVICES → KUBE-SVC-* → "
        "statistic → KUBE-SEP-* → DNAT); the measurements of the two modes alternate (the first "
        "mode flips every round). A client opens sequential new connections (connect, read "
        "one byte, close with RST) to the first and to the last service; `no service` is the same client "
        "talking to a backend address (port 8081, which no service uses) straight through the node "
        "(the baseline: no VIP, no DNAT — but in "
        "the iptables mode it still walks all of KUBE-SERVICES in PREROUTING, as any new connection "
        "through a kube-proxy node does). A failed connection (nothing within 2 s) is left out of the "
        "latencies and counted. "
        f"Medians of {reps} rounds; rate in connections per second, latency from `connect()` to the "
        "first byte. Emulated CPU: compare the rows, not the absolute numbers with hardware.\n"
    )
    md.append(f"![new-connection rate and latency against N](docs/{os.path.basename(svg_rel)})\n")
    md.append("| N | mode | programming: time, peak RSS (CPU user / sys) | no service: conn/s, p50 µs | first service: conn/s | p50 / p99 µs | last service: conn/s | p50 / p99 µs | failed connections |")
    md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    ns = sorted({n for (_, n, _) in dp})
    for n in ns:
        for mode in ("ipvs", "iptables"):
            if not any(k[0] == mode and k[1] == n for k in dp):
                continue
            p = prog.get((mode, n), {})
            pr = (f"{ms(f(p, 'ms'))}, {mib(f(p, 'rss_kb'))} MiB ({cpu(p)})" if p else "—")
            row = [f"{n:,}", MODE_LABEL[mode], pr]
            d = dp.get((mode, n, "direct"), [])
            row.append(f"{med(d, 'rate'):.0f}, {med(d, 'p50_us'):.0f}" if d else "—")
            nfail, nconn = 0, 0
            for target in ("direct", "first", "last"):
                for x in dp.get((mode, n, target), []):
                    nfail += int(x.get("failed", 0))
                    nconn += int(x.get("conns", 0))
            for target in ("first", "last"):
                d = dp.get((mode, n, target), [])
                if d:
                    row.append(f"{med(d, 'rate'):.0f}")
                    row.append(f"{med(d, 'p50_us'):.0f} / {med(d, 'p99_us'):.0f}")
                else:
                    row += ["—", "—"]
            row.append(f"{nfail} of {nconn + nfail:,}")
            md.append("| " + " | ".join(row) + " |")
    md.append("")
    # The growth, in words.
    notes = []
    for mode in ("ipvs", "iptables"):
        lo, hi = min(ns), max(ns)
        a = dp.get((mode, lo, "last"))
        b = dp.get((mode, hi, "last"))
        if a and b:
            notes.append(
                f"{MODE_LABEL[mode]}: last-service p50 latency {med(a, 'p50_us'):.0f} µs at N={lo:,} → "
                f"{med(b, 'p50_us'):.0f} µs at N={hi:,} ({med(b, 'p50_us') / med(a, 'p50_us'):.2f}×); "
                f"rate {med(a, 'rate'):.0f} → {med(b, 'rate'):.0f} conn/s"
            )
    if notes:
        md.append("How it grows: " + "; ".join(notes) + ".\n")
    md.append(f"Checks: {len(passed)} passed, {len(failed)} failed (every connection of every "
              "measurement reached a backend).\n")
    for l in failed:
        md.append(f"- FAIL {l}")
    if failed:
        md.append("")


def chart(lines, path):
    """Two panels: conn/s and p50 latency against N (log x), one line per mode × target."""
    dp, _ = dataplane_data(lines)
    if not dp:
        return False
    ns = sorted({n for (_, n, _) in dp})
    series = []
    styles = {
        ("ipvs", "first"): ("#1f77b4", "", "IPVS, first service"),
        ("ipvs", "last"): ("#1f77b4", "6,4", "IPVS, last service"),
        ("iptables", "first"): ("#d62728", "", "iptables, first service"),
        ("iptables", "last"): ("#d62728", "6,4", "iptables, last service"),
    }
    for (mode, target), (color, dash, label) in styles.items():
        pts = [(n, dp[(mode, n, target)]) for n in ns if (mode, n, target) in dp]
        if pts:
            series.append((label, color, dash, pts))
    # The baseline: no service on the path (the IPVS runs' node: IPVS only
    # touches VIP traffic; the iptables runs' node walks KUBE-SERVICES).
    direct = [d for (m, n, t), v in dp.items() if t == "direct" and m == "ipvs" for d in v]

    W, H = 960, 420
    panels = [
        ("New connections per second (higher is better)", "rate", 1.0),
        ("Latency of a new connection, p50 µs (lower is better)", "p50_us", 1.0),
    ]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
        f'<rect width="{W}" height="{H}" fill="white"/>',
        f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">'
        "Dataplane: new connections through N services (QEMU guest, TCG)</text>",
    ]
    pw, ph = 380, 270
    for i, (title, key, _) in enumerate(panels):
        x0, y0 = 70 + i * 470, 60
        vals = [med(pts_d, key) for (_, _, _, pts) in series for (_, pts_d) in pts]
        if direct:
            vals.append(med(direct, key))
        vals = [v for v in vals if v is not None]
        vmax = max(vals) * 1.15 if vals else 1
        lx0, lx1 = math.log10(min(ns)), math.log10(max(ns))
        span = (lx1 - lx0) or 1

        def X(n):
            return x0 + 20 + (math.log10(n) - lx0) / span * (pw - 40)

        def Y(v):
            return y0 + ph - v / vmax * ph

        out.append(f'<text x="{x0 + pw / 2}" y="{y0 - 12}" text-anchor="middle" font-size="13">{title}</text>')
        out.append(f'<rect x="{x0}" y="{y0}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>')
        # y grid and labels
        step = nice_step(vmax / 5)
        v = 0.0
        while v <= vmax:
            y = Y(v)
            out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + pw}" y2="{y:.1f}" stroke="#ddd"/>')
            out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{fmt_num(v)}</text>')
            v += step
        for n in ns:
            out.append(f'<line x1="{X(n):.1f}" y1="{y0}" x2="{X(n):.1f}" y2="{y0 + ph}" stroke="#eee"/>')
            out.append(f'<text x="{X(n):.1f}" y="{y0 + ph + 16}" text-anchor="middle">{n:,}</text>')
        out.append(f'<text x="{x0 + pw / 2}" y="{y0 + ph + 34}" text-anchor="middle">N services (log scale)</text>')
        if direct:
            y = Y(med(direct, key))
            out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + pw}" y2="{y:.1f}" stroke="#888" stroke-dasharray="2,3"/>')
        for label, color, dash, pts in series:
            coords = [(X(n), Y(med(d, key))) for n, d in pts]
            path_d = " ".join(f"{'M' if j == 0 else 'L'}{x:.1f},{y:.1f}" for j, (x, y) in enumerate(coords))
            da = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<path d="{path_d}" fill="none" stroke="{color}" stroke-width="2"{da}/>')
            for x, y in coords:
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"/>')
    # legend
    lx, ly = 70, H - 42
    items = [(l, c, d) for (l, c, d, _) in series]
    if direct:
        items.append(("no service on the path (baseline)", "#888", "2,3"))
    for j, (label, color, dash) in enumerate(items):
        x = lx + (j % 3) * 300
        y = ly + (j // 3) * 18
        da = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{x}" y1="{y}" x2="{x + 28}" y2="{y}" stroke="{color}" stroke-width="2"{da}/>')
        out.append(f'<text x="{x + 34}" y="{y + 4}">{label}</text>')
    out.append("</svg>")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out) + "\n")
    return True


def nice_step(x):
    if x <= 0:
        return 1
    e = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * e >= x:
            return m * e
    return 10 * e


def fmt_num(v):
    if v >= 1000:
        return f"{v / 1000:g}k"
    return f"{v:g}"


def criterion_section(cdir, md):
    md.append("## Microbenchmarks (criterion)\n")
    rows = []
    if cdir and os.path.isdir(cdir):
        for group in sorted(os.listdir(cdir)):
            gdir = os.path.join(cdir, group)
            if not os.path.isdir(gdir) or group == "report":
                continue
            for name in sorted(os.listdir(gdir)):
                est = os.path.join(gdir, name, "new", "estimates.json")
                bj = os.path.join(gdir, name, "new", "benchmark.json")
                if not os.path.isfile(est):
                    continue
                with open(est) as fh:
                    e = json.load(fh)
                elems = None
                if os.path.isfile(bj):
                    with open(bj) as fh:
                        b = json.load(fh)
                    thr = b.get("throughput") or {}
                    elems = thr.get("Elements")
                m = e["median"]["point_estimate"]
                lo = e["median"]["confidence_interval"]["lower_bound"]
                hi = e["median"]["confidence_interval"]["upper_bound"]
                rows.append((group, name, m, lo, hi, elems))
    if not rows:
        md.append("_Not measured in this run._\n")
        return
    md.append(
        "`cargo bench --bench hot_paths` (benches/hot_paths.rs), no kernel involved: parsing one "
        "line, encoding one rule (to nf_tables expressions; to a netlink message through libnftnl; "
        "an IPVS request), decoding (the reverse), formatting whole tables. Median time per "
        "iteration with criterion's 95 % interval; for the table formatters, also per rule.\n"
    )
    md.append("| group | benchmark | median | 95 % interval | per element |")
    md.append("|---|---|---:|---:|---:|")
    for group, name, m, lo, hi, elems in rows:
        per = f"{dur(m / elems)}" if elems and elems > 1 else ""
        md.append(f"| {group} | `{name}` | {dur(m)} | {dur(lo)} – {dur(hi)} | {per} |")
    md.append("")


def dur(ns):
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    rdir, md_out, svg_out = sys.argv[1:4]
    cdir = sys.argv[4] if len(sys.argv) > 4 else None
    meta = read_meta(os.path.join(rdir, "meta.env"))
    nft = read_lines(os.path.join(rdir, "nft.log"))
    ipvs = read_lines(os.path.join(rdir, "ipvs.log"))
    dpl = read_lines(os.path.join(rdir, "dataplane.log"))

    targets = Targets()
    body = []
    ipvs_section(ipvs, targets, body)
    nft_section(nft, targets, body)
    have_chart = chart(dpl, svg_out)
    dataplane_section(dpl, body, svg_out)
    criterion_section(cdir, body)

    md = ["# Benchmarks\n"]
    md.append(
        "Written by `sudo scripts/bench.sh` (the whole run: build, nf_tables control plane, IPVS "
        "control plane and dataplane in the QEMU rig, criterion microbenchmarks, this file and "
        "the chart). Every figure is a median of several runs, and every ratio compares two "
        "tools measured in the same run, alternating, on the same kernel state. "
        "Ratios are reference ÷ ours: above 1 means ours is faster.\n"
    )
    md.append("## Machine and run\n")
    md.append("| | |")
    md.append("|---|---|")
    for key, label in [
        ("date", "date"),
        ("cpu", "CPU"),
        ("cores", "cores"),
        ("memory", "memory"),
        ("os", "host OS"),
        ("host_kernel", "host kernel (nf_tables runs)"),
        ("vm_kernel", "VM kernel (IPVS and dataplane runs)"),
        ("vm", "VM"),
        ("load", "load average at the start"),
        ("rustc", "rustc"),
        ("commit", "netlb commit"),
        ("iptables", "iptables-nft"),
        ("ipvsadm", "ipvsadm"),
        ("nft", "nft"),
        ("durations", "phase durations"),
    ]:
        if meta.get(key):
            md.append(f"| {label} | {meta[key]} |")
    md.append("")
    md.append(
        "This machine is shared (two cores, other jobs running): single samples spread by 10-30 %, "
        "the medians and ratios less. Peak memory is the maximum resident set size of the "
        "measured process.\n"
    )
    md.extend(body)

    md.append("## Closing note: the targets\n")
    md.append("| target | measured | goal | met? | what holds it back |")
    md.append("|---|---|---|---|---|")
    for what, measured, goal, met, why in targets.rows:
        md.append(f"| {what} | {measured} | {goal} | {'met' if met else '**missed**'} | {why or ''} |")
    md.append("")
    missed = [r for r in targets.rows if not r[3]]
    md.append(f"{len(targets.rows) - len(missed)} of {len(targets.rows)} targets met in this run.\n")
    notes = meta.get("notes_file")
    if notes and os.path.isfile(notes):
        with open(notes, encoding="utf-8") as fh:
            md.append(fh.read().rstrip() + "\n")
    with open(md_out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(md).rstrip() + "\n")
    if not have_chart:
        print("bench-report: no dataplane results: chart not written", file=sys.stderr)


if __name__ == "__main__":
    main()
