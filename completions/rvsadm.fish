complete -c rvsadm -l set -d 'set connection timeout values (tcp tcpfin udp)' -r
complete -c rvsadm -l start-daemon -d 'start connection sync daemon' -r
complete -c rvsadm -l stop-daemon -d 'stop connection sync daemon' -r
complete -c rvsadm -s t -l tcp-service -d 'TCP virtual service, host[:port]' -r
complete -c rvsadm -s u -l udp-service -d 'UDP virtual service, host[:port]' -r
complete -c rvsadm -l sctp-service -d 'SCTP virtual service, host[:port]' -r
complete -c rvsadm -s f -l fwmark-service -d 'firewall-mark virtual service, an integer greater than zero' -r
complete -c rvsadm -s s -l scheduler -d 'one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh; the default is wlc' -r
complete -c rvsadm -l pe -d 'alternate persistence engine (sip)' -r
complete -c rvsadm -s p -l persistent -d 'persistent service, timeout in seconds (default 360)' -r
complete -c rvsadm -s M -l netmask -d 'persistent granularity mask' -r
complete -c rvsadm -s r -l real-server -d 'real server, host[:port]' -r
complete -c rvsadm -l tun-type -d 'one of ipip|gue|gre; the default is ipip' -r
complete -c rvsadm -l tun-port -d 'tunnel destination port' -r
complete -c rvsadm -s w -l weight -d 'capacity of real server' -r
complete -c rvsadm -s x -l u-threshold -d 'upper threshold of connections' -r
complete -c rvsadm -s y -l l-threshold -d 'lower threshold of connections' -r
complete -c rvsadm -s b -l sched-flags -d 'scheduler flags (comma-separated)' -r
complete -c rvsadm -l mcast-interface -d 'multicast interface for connection sync' -r
complete -c rvsadm -l syncid -d 'syncid for connection sync (default=0)' -r
complete -c rvsadm -l sync-maxlen -d 'max sync message length (default=1472)' -r
complete -c rvsadm -l mcast-group -d 'IPv4/IPv6 group (default=224.0.0.81)' -r
complete -c rvsadm -l mcast-port -d 'UDP port (default=8848)' -r
complete -c rvsadm -l mcast-ttl -d 'multicast TTL (default=1)' -r
complete -c rvsadm -s A -l add-service -d 'add virtual service with options'
complete -c rvsadm -s E -l edit-service -d 'edit virtual service with options'
complete -c rvsadm -s D -l delete-service -d 'delete virtual service'
complete -c rvsadm -s C -l clear -d 'clear the whole table'
complete -c rvsadm -s R -l restore -d 'restore rules from stdin'
complete -c rvsadm -s S -l save -d 'save rules to stdout'
complete -c rvsadm -s a -l add-server -d 'add real server with options'
complete -c rvsadm -s e -l edit-server -d 'edit real server with options'
complete -c rvsadm -s d -l delete-server -d 'delete real server'
complete -c rvsadm -s L -l list -d 'list the table'
complete -c rvsadm -s Z -l zero -d 'zero counters in a service or all services'
complete -c rvsadm -s h -l help -d 'display this help message'
complete -c rvsadm -s v -l version -d 'display the version'
complete -c rvsadm -s g -l gatewaying -d 'gatewaying (direct routing) (default)'
complete -c rvsadm -s i -l ipip -d 'ipip encapsulation (tunneling)'
complete -c rvsadm -s m -l masquerading -d 'masquerading (NAT)'
complete -c rvsadm -l tun-nocsum -d 'tunnel encapsulation without checksum'
complete -c rvsadm -l tun-csum -d 'tunnel encapsulation with checksum'
complete -c rvsadm -l tun-remcsum -d 'tunnel encapsulation with remote checksum'
complete -c rvsadm -s c -l connection -d 'output of current IPVS connections'
complete -c rvsadm -l timeout -d 'output of timeout (tcp tcpfin udp)'
complete -c rvsadm -l daemon -d 'output of daemon information'
complete -c rvsadm -l stats -d 'output of statistics information'
complete -c rvsadm -l rate -d 'output of rate information'
complete -c rvsadm -s X -l exact -d 'expand numbers (display exact values)'
complete -c rvsadm -l thresholds -d 'output of thresholds information'
complete -c rvsadm -l persistent-conn -d 'output of persistent connection info'
complete -c rvsadm -l tun-info -d 'output of tunnel information'
complete -c rvsadm -l nosort -d 'disable sorting output of service/server entries'
complete -c rvsadm -l sort -d 'does nothing, for backwards compatibility'
complete -c rvsadm -s o -l ops -d 'one-packet scheduling'
complete -c rvsadm -s n -l numeric -d 'numeric output of addresses and ports'
complete -c rvsadm -l json -d 'listings as JSON (rvsadm extension; schema in the man page)'
complete -c rvsadm -s 6 -l ipv6 -d 'fwmark entry uses IPv6'
