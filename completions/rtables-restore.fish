complete -c rtables-restore -s w -l wait -d 'Accepted and ignored: nf_tables needs no lock.' -r
complete -c rtables-restore -s W -l wait-interval -d 'Accepted and ignored.' -r
complete -c rtables-restore -s M -l modprobe -d 'Accepted and ignored.' -r -f -a "(__fish_complete_command)"
complete -c rtables-restore -s T -l table -d 'Restore only this table\'s section and skip the others.' -r -f -a "mangle\t''
security\t''
raw\t''
filter\t''
nat\t''"
complete -c rtables-restore -s c -l counters -d 'Set the rules\' counters from the [packets:bytes] prefixes in the input.'
complete -c rtables-restore -s n -l noflush -d 'Do not flush the tables the input names: its rules and chains are added to what is there.'
complete -c rtables-restore -s t -l test -d 'Parse the input and build the whole transaction against the current ruleset, but commit nothing.'
complete -c rtables-restore -s v -l verbose -d 'Accepted; prints nothing more.'
complete -c rtables-restore -s 4 -l ipv4 -d 'IPv4, the default.'
complete -c rtables-restore -s 6 -l ipv6 -d 'IPv6: restore into the ip6 family\'s tables, as ip6tables-restore (the same as running r6tables-restore).'
complete -c rtables-restore -s V -l version -d 'Print the version line.'
complete -c rtables-restore -s h -l help -d 'Print a usage summary.'
