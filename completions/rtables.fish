complete -c rtables -s A -l append -d 'Append rules to the end of chain.' -r
complete -c rtables -s D -l delete -d 'Delete the first rule in chain that matches the rule specification, or rule number rulenum (1 = first).' -r
complete -c rtables -s C -l check -d 'Check whether a rule matching the specification exists in chain: exit 0 if it does, exit 1 with "Bad rule (does a matching rule exist in that chain?)." if not.' -r
complete -c rtables -s I -l insert -d 'Insert rules into chain as rule number rulenum (default 1, the head of the chain).' -r
complete -c rtables -s R -l replace -d 'Replace rule number rulenum (1 = first) in chain.' -r
complete -c rtables -s L -l list -d 'List the rules of chain (or one rule), or of every chain of the table, in iptables\' table layout.' -r
complete -c rtables -s S -l list-rules -d 'Print the rules of chain (or one rule), or of the whole table, as -P, -N and -A lines in iptables-save syntax.' -r
complete -c rtables -s F -l flush -d 'Delete every rule in chain, or in every chain of the table.' -r
complete -c rtables -s Z -l zero -d 'Zero the packet and byte counters of chain (or of one rule), or of every chain of the table.' -r
complete -c rtables -s N -l new-chain -d 'Create a user-defined chain.' -r
complete -c rtables -s X -l delete-chain -d 'Delete the user-defined chain, which must be empty and not referenced, or every user-defined chain of the table.' -r
complete -c rtables -s E -l rename-chain -d 'Rename a user-defined chain; rules jumping to it follow.' -r
complete -c rtables -s P -l policy -d 'Set the policy of a built-in chain: ACCEPT or DROP.' -r
complete -c rtables -s s -l source -d '[!] Source address: an address, network or host name with an optional prefix length or dotted mask.' -r
complete -c rtables -s d -l destination -d '[!] Destination address, as for --source.' -r
complete -c rtables -l src -d 'The same as --source.' -r
complete -c rtables -l dst -d 'The same as --destination.' -r
complete -c rtables -s p -l protocol -d '[!] Protocol: tcp, udp, udplite, icmp, icmpv6, esp, ah, sctp, mh, all, a name from /etc/protocols or a number.' -r -f -a "tcp\t''
udp\t''
udplite\t''
icmp\t''
icmpv6\t''
esp\t''
ah\t''
sctp\t''
mh\t''
all\t''"
complete -c rtables -s i -l in-interface -d '[!] Input interface (PREROUTING, INPUT and FORWARD chains); a trailing + matches every interface whose name begins with the rest.' -r
complete -c rtables -s j -l jump -d 'What to do when the rule matches: ACCEPT, DROP, RETURN, a user-defined chain, or a target extension with its options (see EXTENSIONS).' -r -f -a "ACCEPT\t''
DROP\t''
RETURN\t''
DNAT\t''
SNAT\t''
MASQUERADE\t''
REDIRECT\t''
NETMAP\t''
REJECT\t''
LOG\t''
NFLOG\t''
TRACE\t''
DNPT\t''
SNPT\t''
TPROXY\t''
MARK\t''
CONNMARK\t''
CT\t''
NOTRACK\t''
TCPMSS\t''
DSCP\t''
TOS\t''
TTL\t''
HL\t''
CHECKSUM\t''
CLASSIFY\t''
NFQUEUE\t''
AUDIT\t''
HMARK\t''
IDLETIMER\t''
RATEEST\t''
SYNPROXY\t''
TCPOPTSTRIP\t''
TEE\t''
ECN\t''
SET\t''
CONNSECMARK\t''
SECMARK\t''
LED\t''
CLUSTERIP\t''"
complete -c rtables -s t -l table -d 'The table: filter (the default), nat, mangle, raw or security.' -r -f -a "mangle\t''
security\t''
raw\t''
filter\t''
nat\t''"
complete -c rtables -s m -l match -d 'Load a match extension; its options follow (see EXTENSIONS).' -r -f -a "tcp\t''
udp\t''
sctp\t''
dccp\t''
multiport\t''
icmp\t''
icmp6\t''
mark\t''
limit\t''
conntrack\t''
state\t''
comment\t''
connmark\t''
statistic\t''
addrtype\t''
iprange\t''
owner\t''
pkttype\t''
length\t''
mac\t''
physdev\t''
helper\t''
cpu\t''
quota\t''
connlimit\t''
connbytes\t''
devgroup\t''
cgroup\t''
cluster\t''
realm\t''
nfacct\t''
hashlimit\t''
recent\t''
set\t''
string\t''
tcpmss\t''
dscp\t''
tos\t''
ttl\t''
hl\t''
ecn\t''
time\t''
u32\t''
socket\t''
rpfilter\t''
policy\t''
rateest\t''
connlabel\t''
bpf\t''
osf\t''
ipvs\t''
dst\t''
hbh\t''
eui64\t''
frag\t''
ipv6header\t''
mh\t''
rt\t''
srh\t''
ah\t''
esp\t''
ipcomp\t''"
complete -c rtables -s o -l out-interface -d '[!] Output interface (FORWARD, OUTPUT and POSTROUTING chains), as for --in-interface.' -r
complete -c rtables -s w -l wait -d 'Accepted and ignored: nf_tables needs no lock (see DESCRIPTION).' -r
complete -c rtables -s W -l wait-interval -d 'Accepted and ignored, as --wait.' -r
complete -c rtables -s h -l help -d 'Print the help text (a following extension name is accepted and ignored).' -r
complete -c rtables -s M -l modprobe -d 'Accepted and ignored: rtables loads no modules itself.' -r -f -a "(__fish_complete_command)"
complete -c rtables -s c -l set-counters -d 'Set the packet and byte counters of the rule being added, inserted or replaced (also as packets,bytes).' -r
complete -c rtables -s g -l goto -d 'Continue in the user-defined chain without coming back: a RETURN there returns to the caller of this chain.' -r
complete -c rtables -l new -d 'The same as --new-chain (the long name iptables\' -h text shows).' -r
complete -c rtables -s n -l numeric -d 'Numeric output of addresses, ports and protocols in -L.'
complete -c rtables -s v -l verbose -d 'Verbose output: -L shows counters, interfaces and options, -S adds counters; -A, -I, -R, -D and -C print the rule.'
complete -c rtables -s x -l exact -d 'Exact packet and byte counters in -L (no K, M, G suffixes).'
complete -c rtables -s f -l fragments -d '[!] Match second and further fragments only (IPv4; --fragment works too).'
complete -c rtables -s V -l version -d 'Print rtables\' version line.'
complete -c rtables -l line-numbers -d 'Number the rules in -L.'
complete -c rtables -s 4 -l ipv4 -d 'IPv4, the default.'
complete -c rtables -s 6 -l ipv6 -d 'IPv6: work on the ip6 family\'s tables, as ip6tables does.'
complete -c rtables -l json -d 'With -L or -S: print one JSON document (schema rtables/1, see JSON) instead of text.'
