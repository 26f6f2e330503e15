_rcompare() {
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
                cmd="rcompare"
                ;;
            rcompare,cost)
                cmd="rcompare__subcmd__cost"
                ;;
            rcompare,translate)
                cmd="rcompare__subcmd__translate"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        rcompare)
            opts="-6 -h -V --ipvs --iptables --ipv6 --node-ip --color --json --diff --help --version translate cost"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --ipvs)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --iptables)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --node-ip)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        rcompare__subcmd__cost)
            opts="-6 -h --ipvs --iptables --ipv6 --node-ip --color --json --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --ipvs)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --iptables)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --node-ip)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        rcompare__subcmd__translate)
            opts="-6 -h --to --chain-prefix --ipvs --iptables --ipv6 --node-ip --color --json --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --to)
                    COMPREPLY=($(compgen -W "iptables ipvs" -- "${cur}"))
                    return 0
                    ;;
                --chain-prefix)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ipvs)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --iptables)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --node-ip)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
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
    complete -F _rcompare -o nosort -o bashdefault -o default rcompare
else
    complete -F _rcompare -o bashdefault -o default rcompare
fi
