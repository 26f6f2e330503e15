complete -c rtables-save -s t -l table -d 'Save only this table (filter, nat, mangle, raw or security).' -r -f -a "mangle\t''
security\t''
raw\t''
filter\t''
nat\t''"
complete -c rtables-save -s M -l modprobe -d 'Accepted and ignored.' -r -f -a "(__fish_complete_command)"
complete -c rtables-save -s c -l counters -d 'Include every rule\'s packet and byte counters, as [packets:bytes] before the -A.'
complete -c rtables-save -l json -d 'Print one JSON document (schema rtables/1, see JSON) instead of save text.'
complete -c rtables-save -s 4 -l ipv4 -d 'IPv4, the default.'
complete -c rtables-save -s 6 -l ipv6 -d 'IPv6: save the ip6 family\'s tables, as ip6tables-save (the same as running r6tables-save).'
complete -c rtables-save -s V -l version -d 'Print the version line.'
complete -c rtables-save -s h -l help -d 'Print a usage summary.'
