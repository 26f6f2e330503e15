#!/usr/bin/env python3
"""Generates iptables-restore inputs for the benchmarks and scale tests.

  gen-rules.py filter N   N rules `-s A/32 -p tcp -m tcp --dport P -j ACCEPT`
                          in N/1000 user chains of 1,000 jumped to from INPUT
  gen-rules.py kube S     a kube-proxy-like nat table: S services x 3
                          endpoints, 4*S KUBE-SVC/KUBE-SEP chains declared in
                          name order, comment + statistic + DNAT rules
"""
import hashlib
import sys


def filter_table(n):
    out = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"]
    chains = max(1, n // 1000)
    out += [f":CH{c} - [0:0]" for c in range(chains)]
    out += [f"-A INPUT -j CH{c}" for c in range(chains)]
    for i in range(n):
        out.append(
            f"-A CH{i // 1000} -s 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}/32"
            f" -p tcp -m tcp --dport {1 + i % 60000} -j ACCEPT"
        )
    out.append("COMMIT")
    return out


def h(s):
    return hashlib.sha256(s.encode()).hexdigest()[:16].upper()


def kube_table(services, endpoints=3):
    svc = [f"KUBE-SVC-{h(f'svc{s}')}" for s in range(services)]
    sep = [[f"KUBE-SEP-{h(f'sep{s}-{e}')}" for e in range(endpoints)] for s in range(services)]
    out = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
           ":POSTROUTING ACCEPT [0:0]", ":KUBE-MARK-MASQ - [0:0]", ":KUBE-POSTROUTING - [0:0]",
           ":KUBE-SERVICES - [0:0]"]
    out += [f":{c} - [0:0]" for c in sorted(svc + [c for eps in sep for c in eps])]
    out += [
        '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
        "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
        "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
        "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0",
        '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
    ]
    for s in range(services):
        out.append(f'-A KUBE-SERVICES -d 10.96.{s >> 8}.{s & 255}/32 -p tcp -m comment '
                   f'--comment "ns/svc{s}:http cluster IP" -m tcp --dport 80 -j {svc[s]}')
    for s in range(services):
        for e, name in enumerate(sep[s]):
            left = endpoints - e
            stat = (f" -m statistic --mode random --probability {1 / left:.11f}" if left > 1 else "")
            out.append(f'-A {svc[s]} -m comment --comment "ns/svc{s}:http -> 10.244.{e}.{s % 250}:8080"'
                       f"{stat} -j {name}")
    for s in range(services):
        for e, name in enumerate(sep[s]):
            ip = f"10.244.{e}.{s % 250}"
            out.append(f'-A {name} -s {ip}/32 -m comment --comment "ns/svc{s}:http" -j KUBE-MARK-MASQ')
            out.append(f'-A {name} -p tcp -m comment --comment "ns/svc{s}:http" -m tcp '
                       f"-j DNAT --to-destination {ip}:8080")
    out.append("COMMIT")
    return out


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("filter", "kube"):
        sys.exit(__doc__)
    n = int(sys.argv[2])
    lines = filter_table(n) if sys.argv[1] == "filter" else kube_table(n)
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
