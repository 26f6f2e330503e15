# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rcompare_global_optspecs
    string join \n ipvs= iptables= 6/ipv6 node-ip= color= json diff h/help V/version
end

function __fish_rcompare_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rcompare_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rcompare_using_subcommand
    set -l cmd (__fish_rcompare_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rcompare -n "__fish_rcompare_needs_command" -l ipvs -d 'IPVS side: live, none, - (stdin) or a file (ipvsadm -S / rvsadm -S text, or rvsadm JSON)' -r
complete -c rcompare -n "__fish_rcompare_needs_command" -l iptables -d 'iptables side: live, none, - (stdin) or a file (iptables-save / rtables-save text, or rtables JSON)' -r
complete -c rcompare -n "__fish_rcompare_needs_command" -l node-ip -d 'The node\'s own addresses: iptables NodePorts (--dst-type LOCAL) become services on each' -r
complete -c rcompare -n "__fish_rcompare_needs_command" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rcompare -n "__fish_rcompare_needs_command" -s 6 -l ipv6 -d 'Compare IPv6 services (ip6tables rules, IPv6 IPVS services)'
complete -c rcompare -n "__fish_rcompare_needs_command" -l json -d 'Print JSON (schema rcompare/1) instead of a table'
complete -c rcompare -n "__fish_rcompare_needs_command" -l diff -d 'Print unified-diff-style lines for the services that differ'
complete -c rcompare -n "__fish_rcompare_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcompare -n "__fish_rcompare_needs_command" -s V -l version -d 'Print version'
complete -c rcompare -n "__fish_rcompare_needs_command" -f -a "translate" -d 'Write one dataplane\'s services as input for the other'
complete -c rcompare -n "__fish_rcompare_needs_command" -f -a "cost" -d 'Per service and in total: rules matched before the DNAT in iptables, and IPVS\'s lookup and scheduler'
complete -c rcompare -n "__fish_rcompare_using_subcommand translate" -l to -d 'iptables: the IPVS services as iptables-restore input; ipvs: the iptables services as ipvsadm -R input' -r -f -a "iptables\t''
ipvs\t''"
complete -c rcompare -n "__fish_rcompare_using_subcommand translate" -l chain-prefix -d 'Prefix of the chains written for iptables (PREFIX-SERVICES, PREFIX-SVC-..., PREFIX-SEP-...)' -r
complete -c rcompare -n "__fish_rcompare_using_subcommand translate" -l ipvs -d 'IPVS side: live, none, - (stdin) or a file (ipvsadm -S / rvsadm -S text, or rvsadm JSON)' -r
complete -c rcompare -n "__fish_rcompare_using_subcommand translate" -l iptables -d 'iptables side: live, none, - (stdin) or a file (iptables-save / rtables-save text, or rtables JSON)' -r
complete -c rcompare -n "__fish_rcompare_using_subcommand translate" -l node-ip -d 'The node\'s own addresses: iptables NodePorts (--dst-type LOCAL) become services on each' -r
complete -c rcompare -n "__fish_rcompare_using_subcommand translate" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rcompare -n "__fish_rcompare_using_subcommand translate" -s 6 -l ipv6 -d 'Compare IPv6 services (ip6tables rules, IPv6 IPVS services)'
complete -c rcompare -n "__fish_rcompare_using_subcommand translate" -l json -d 'Print JSON (schema rcompare/1) instead of a table'
complete -c rcompare -n "__fish_rcompare_using_subcommand translate" -s h -l help -d 'Print help'
complete -c rcompare -n "__fish_rcompare_using_subcommand cost" -l ipvs -d 'IPVS side: live, none, - (stdin) or a file (ipvsadm -S / rvsadm -S text, or rvsadm JSON)' -r
complete -c rcompare -n "__fish_rcompare_using_subcommand cost" -l iptables -d 'iptables side: live, none, - (stdin) or a file (iptables-save / rtables-save text, or rtables JSON)' -r
complete -c rcompare -n "__fish_rcompare_using_subcommand cost" -l node-ip -d 'The node\'s own addresses: iptables NodePorts (--dst-type LOCAL) become services on each' -r
complete -c rcompare -n "__fish_rcompare_using_subcommand cost" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rcompare -n "__fish_rcompare_using_subcommand cost" -s 6 -l ipv6 -d 'Compare IPv6 services (ip6tables rules, IPv6 IPVS services)'
complete -c rcompare -n "__fish_rcompare_using_subcommand cost" -l json -d 'Print JSON (schema rcompare/1) instead of a table'
complete -c rcompare -n "__fish_rcompare_using_subcommand cost" -s h -l help -d 'Print help'
