_rvsadm() {
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
                cmd="rvsadm"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        rvsadm)
            opts="-A -E -D -C -R -S -a -e -d -L -Z -h -v -t -u -f -s -p -M -r -g -i -m -w -x -y -c -X -o -n -b -6 --add-service --edit-service --delete-service --clear --restore --save --add-server --edit-server --delete-server --list --zero --set --start-daemon --stop-daemon --help --version --tcp-service --udp-service --sctp-service --fwmark-service --scheduler --pe --persistent --netmask --real-server --gatewaying --ipip --masquerading --tun-type --tun-port --tun-nocsum --tun-csum --tun-remcsum --weight --u-threshold --l-threshold --connection --timeout --daemon --stats --rate --exact --thresholds --persistent-conn --tun-info --nosort --sort --ops --numeric --sched-flags --json --ipv6 --mcast-interface --syncid --sync-maxlen --mcast-group --mcast-port --mcast-ttl"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --set)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --start-daemon)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --stop-daemon)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tcp-service)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -t)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --udp-service)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -u)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sctp-service)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --fwmark-service)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -f)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --scheduler)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -s)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --pe)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --persistent)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -p)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --netmask)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -M)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --real-server)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -r)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tun-type)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tun-port)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --weight)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -w)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --u-threshold)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -x)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --l-threshold)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -y)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sched-flags)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -b)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --mcast-interface)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --syncid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sync-maxlen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --mcast-group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --mcast-port)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --mcast-ttl)
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
    complete -F _rvsadm -o nosort -o bashdefault -o default rvsadm
else
    complete -F _rvsadm -o bashdefault -o default rvsadm
fi
