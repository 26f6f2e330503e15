_rtables() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="rtables"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        rtables)
            opts="-A -D -C -I -R -L -S -F -Z -N -X -E -P -s -d -p -i -j -t -m -n -o -v -w -W -x -f -V -h -M -c -g -4 -6 --append --delete --check --insert --replace --list --list-rules --flush --zero --new-chain --delete-chain --rename-chain --policy --source --destination --src --dst --protocol --in-interface --jump --table --match --numeric --out-interface --verbose --wait --wait-interval --exact --fragments --version --help --line-numbers --modprobe --set-counters --goto --ipv4 --ipv6 --json"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --append)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -A)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --delete)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -D)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --check)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -C)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --insert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -I)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --replace)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -R)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --list)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -L)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --list-rules)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -S)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --flush)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -F)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --zero)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -Z)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --new-chain)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -N)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --delete-chain)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -X)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --rename-chain)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -E)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --policy)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -P)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --source)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -s)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --destination)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -d)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --src)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --dst)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --protocol)
                    COMPREPLY=($(compgen -W "tcp udp udplite icmp icmpv6 esp ah sctp mh all" -- "${cur}"))
                    return 0
                    ;;
                -p)
                    COMPREPLY=($(compgen -W "tcp udp udplite icmp icmpv6 esp ah sctp mh all" -- "${cur}"))
                    return 0
                    ;;
                --in-interface)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -i)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --jump)
                    COMPREPLY=($(compgen -W "ACCEPT DROP RETURN DNAT SNAT MASQUERADE REDIRECT NETMAP REJECT LOG NFLOG TRACE DNPT SNPT TPROXY MARK CONNMARK CT NOTRACK TCPMSS DSCP TOS TTL HL CHECKSUM CLASSIFY NFQUEUE AUDIT HMARK IDLETIMER RATEEST SYNPROXY TCPOPTSTRIP TEE ECN SET CONNSECMARK SECMARK LED CLUSTERIP" -- "${cur}"))
                    return 0
                    ;;
                -j)
                    COMPREPLY=($(compgen -W "ACCEPT DROP RETURN DNAT SNAT MASQUERADE REDIRECT NETMAP REJECT LOG NFLOG TRACE DNPT SNPT TPROXY MARK CONNMARK CT NOTRACK TCPMSS DSCP TOS TTL HL CHECKSUM CLASSIFY NFQUEUE AUDIT HMARK IDLETIMER RATEEST SYNPROXY TCPOPTSTRIP TEE ECN SET CONNSECMARK SECMARK LED CLUSTERIP" -- "${cur}"))
                    return 0
                    ;;
                --table)
                    COMPREPLY=($(compgen -W "mangle security raw filter nat" -- "${cur}"))
                    return 0
                    ;;
                -t)
                    COMPREPLY=($(compgen -W "mangle security raw filter nat" -- "${cur}"))
                    return 0
                    ;;
                --match)
                    COMPREPLY=($(compgen -W "tcp udp sctp dccp multiport icmp icmp6 mark limit conntrack state comment connmark statistic addrtype iprange owner pkttype length mac physdev helper cpu quota connlimit connbytes devgroup cgroup cluster realm nfacct hashlimit recent set string tcpmss dscp tos ttl hl ecn time u32 socket rpfilter policy rateest connlabel bpf osf ipvs dst hbh eui64 frag ipv6header mh rt srh ah esp ipcomp" -- "${cur}"))
                    return 0
                    ;;
                -m)
                    COMPREPLY=($(compgen -W "tcp udp sctp dccp multiport icmp icmp6 mark limit conntrack state comment connmark statistic addrtype iprange owner pkttype length mac physdev helper cpu quota connlimit connbytes devgroup cgroup cluster realm nfacct hashlimit recent set string tcpmss dscp tos ttl hl ecn time u32 socket rpfilter policy rateest connlabel bpf osf ipvs dst hbh eui64 frag ipv6header mh rt srh ah esp ipcomp" -- "${cur}"))
                    return 0
                    ;;
                --out-interface)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -o)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --wait)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -w)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --wait-interval)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -W)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --help)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -h)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --modprobe)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -M)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --set-counters)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -c)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --goto)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -g)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _rtables -o nosort -o bashdefault -o default rtables
else
    complete -F _rtables -o bashdefault -o default rtables
fi
