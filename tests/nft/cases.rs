//! The differential cases of `tests/nft_differential.rs`: (name, script).
//! Scripts are written for iptables; see the syntax in nft_differential.rs.
//! Add a case by appending a pair; names must be unique.

pub const CASES: &[(&str, &str)] = &[
    // ---------------------------------------------------------------- basics
    (
        "empty ruleset listings",
        r#"
iptables -S
iptables -L
iptables -L -n
iptables -L -v
iptables -L -v -x -n --line-numbers
iptables-save
ip6tables -S
ip6tables -L -n
iptables -t nat -L
iptables -t nat -S
iptables -t mangle -L -n -v
iptables -t raw -S
iptables -t security -S
"#,
    ),
    (
        "append and list",
        r#"
iptables -A INPUT -s 10.0.0.0/8 -j ACCEPT
iptables -A INPUT -d 192.168.1.1 -j DROP
iptables -A OUTPUT -p tcp --dport 22 -j ACCEPT
iptables -S
iptables -v -S
iptables -S INPUT
iptables -S INPUT 2
iptables -v -S INPUT 1
iptables -L
iptables -L -n
iptables -L -v
iptables -L -x -v
iptables -L -v -x -n --line-numbers
iptables -L INPUT
iptables -L INPUT 1
iptables -L INPUT 2 -n
iptables -L OUTPUT -n --line-numbers
iptables -S OUTPUT 1
"#,
    ),
    (
        "append verbose echo",
        r#"
iptables -v -A INPUT -s 10.0.0.1 -j ACCEPT
iptables -v -A INPUT -p tcp -m multiport --dports 80,443 -m comment --comment hi -j ACCEPT
iptables -v -A INPUT -i eth2 -o eth3 -s 10.0.0.1 -d 10.0.0.2 -j ACCEPT
iptables -v -A FORWARD -i eth2 -o eth3 -s 10.0.0.1 -d 10.0.0.2 -j ACCEPT
iptables -v -I INPUT -j DROP
iptables -v -D INPUT -j DROP
iptables -v -R INPUT 1 -j ACCEPT
iptables -v -C INPUT -j ACCEPT
iptables -v -N VCHAIN
iptables -v -F VCHAIN
iptables -v -Z VCHAIN
iptables -v -X VCHAIN
iptables -v -F
iptables -v -Z
iptables -v -P INPUT ACCEPT
"#,
    ),
    (
        "check -C",
        r#"
iptables -A INPUT -s 10.0.0.1 -p tcp --dport 80 -j ACCEPT
iptables -C INPUT -s 10.0.0.1 -p tcp --dport 80 -j ACCEPT
iptables -C INPUT -s 10.0.0.1/32 -p tcp -m tcp --dport 80 -j ACCEPT
iptables -C INPUT -s 10.0.0.2 -p tcp --dport 80 -j ACCEPT
iptables -C FORWARD -s 10.0.0.1 -p tcp --dport 80 -j ACCEPT
iptables -C nonexist -j ACCEPT
iptables -C INPUT -m foobar -j ACCEPT
iptables -C INPUT -j foobar
iptables -t foobar -C INPUT -j ACCEPT
"#,
    ),
    (
        "delete by spec and by number",
        r#"
iptables -A INPUT -s 1.1.1.1 -j ACCEPT
iptables -A INPUT -s 2.2.2.2 -j ACCEPT
iptables -A INPUT -s 3.3.3.3 -j ACCEPT
iptables -A INPUT -s 2.2.2.2 -j ACCEPT
iptables -D INPUT -s 2.2.2.2 -j ACCEPT
iptables -S INPUT
iptables -D INPUT 1
iptables -S INPUT
iptables -D INPUT 5
iptables -D INPUT 0
iptables -D INPUT -s 9.9.9.9 -j ACCEPT
iptables -D INPUT -p tcp --dport 22 -j ACCEPT
iptables -D nonexist 1
iptables -D nonexist -j ACCEPT
iptables -D INPUT 2
iptables -D INPUT 1
iptables -D INPUT 1
iptables -S
"#,
    ),
    (
        "insert with and without number",
        r#"
iptables -I INPUT -s 1.1.1.1 -j ACCEPT
iptables -I INPUT -s 2.2.2.2 -j ACCEPT
iptables -I INPUT 1 -s 3.3.3.3 -j ACCEPT
iptables -I INPUT 2 -s 4.4.4.4 -j ACCEPT
iptables -I INPUT 5 -s 5.5.5.5 -j ACCEPT
iptables -I INPUT 7 -s 6.6.6.6 -j ACCEPT
iptables -I INPUT 23 -j ACCEPT
iptables -I INPUT 0 -j ACCEPT
iptables -I nonexist 1 -j ACCEPT
iptables -I OUTPUT 1 -j ACCEPT
iptables -I OUTPUT 2 -j DROP
iptables -L -n --line-numbers
"#,
    ),
    (
        "replace",
        r#"
iptables -A INPUT -s 1.1.1.1 -j ACCEPT
iptables -A INPUT -s 2.2.2.2 -j ACCEPT
iptables -R INPUT 1 -s 9.9.9.9 -j DROP
iptables -R INPUT 2 -p udp --dport 53 -j ACCEPT
iptables -R INPUT 3 -j ACCEPT
iptables -R INPUT 23 -j ACCEPT
iptables -R nonexist 1 -j ACCEPT
iptables -R INPUT -j ACCEPT
iptables -R INPUT 1 -j foobar
iptables -S
"#,
    ),
    (
        "flush",
        r#"
iptables -N A
iptables -A A -j ACCEPT
iptables -A INPUT -j A
iptables -A OUTPUT -j DROP
iptables -F OUTPUT
iptables -S
iptables -F
iptables -S
iptables -F bar
iptables -t nat -A POSTROUTING -j MASQUERADE
iptables -t nat -F
iptables -t nat -S
"#,
    ),
    (
        "zero counters",
        r#"
iptables -A INPUT -c 10 100 -j ACCEPT
iptables -A INPUT -c 20 200 -s 1.1.1.1 -j ACCEPT
iptables -A OUTPUT -c 30 300 -j ACCEPT
iptables -N C
iptables -A C -c 40 400 -j RETURN
iptables-save -c
iptables -Z INPUT 2
iptables-save -c
iptables -Z INPUT
iptables-save -c
iptables -A INPUT -c 5 50 -j DROP
iptables -Z
iptables-save -c
iptables -A OUTPUT -c 7 70 -j DROP
iptables -L -Z -v -n OUTPUT
iptables -L -v -n OUTPUT
iptables -Z bar
iptables -Z INPUT 9
"#,
    ),
    (
        "zero chain rule list",
        r#"
iptables -A INPUT -c 1 2 -j ACCEPT
iptables -A INPUT -c 3 4 -j ACCEPT
iptables -Z INPUT 1
iptables -v -S
iptables -v -L -x
"#,
    ),
    (
        "user chains new delete",
        r#"
iptables -N MYCHAIN
iptables -N MYCHAIN
iptables -N OTHER
iptables -A INPUT -j MYCHAIN
iptables -A MYCHAIN -j OTHER
iptables -X OTHER
iptables -X MYCHAIN
iptables -F MYCHAIN
iptables -X OTHER
iptables -S
iptables -L
iptables -D INPUT 1
iptables -X MYCHAIN
iptables -N X1
iptables -N X2
iptables -X
iptables -S
iptables -X nonexist
iptables -X INPUT
iptables -N INPUT
iptables -N "a b"
iptables -N -bad
iptables -N verylongchainnamethatiswaytoolongforiptables
iptables -N ACCEPT
"#,
    ),
    (
        "rename chain -E",
        r#"
iptables -N foo
iptables -A foo -j ACCEPT
iptables -A INPUT -j foo
iptables -E foo bar
iptables -E foo bar
iptables -E foo bar2
iptables -N foo2
iptables -E foo2 bar
iptables -S
iptables -L -n
!known renaming a built-in chain: both rename the base chain, 1.8.9 then lists "incompatible base-chains" and hides it, rtables lists it as a user chain :: iptables -E INPUT bar3
# the two namespaces now differ by design: start again from an empty ruleset
nft flush ruleset
"#,
    ),
    (
        "policy -P",
        r#"
iptables -P INPUT DROP
iptables -P FORWARD DROP
iptables -P OUTPUT ACCEPT
iptables -S
iptables -L -n -v
iptables -P INPUT RETURN
iptables -P INPUT FOO
iptables -N U
iptables -P U DROP
iptables -P nonexist DROP
iptables -t nat -P PREROUTING DROP
iptables -t nat -S
iptables -P INPUT ACCEPT
iptables-save
"#,
    ),
    (
        "policy counters -c",
        r#"
iptables -P INPUT DROP -c 5 500
iptables -P OUTPUT ACCEPT -c 7 700
iptables-save -c
iptables -L -v
iptables -v -S
"#,
    ),
    (
        "goto and jump",
        r#"
iptables -N TARGET1
iptables -N TARGET2
iptables -A INPUT -p tcp --syn -j TARGET1
iptables -A INPUT -g TARGET2
iptables -A TARGET1 -j RETURN
iptables -A TARGET2 -g TARGET1
iptables -A INPUT -j NOPE
iptables -A INPUT -g NOPE
iptables -S
iptables -L
iptables -L -n -v --line-numbers
"#,
    ),
    (
        "negations",
        r#"
iptables -A INPUT ! -s 1.2.3.4 -j DROP
iptables -A INPUT ! -d 10.0.0.0/8 -j DROP
iptables -A INPUT ! -i eth0 -j DROP
iptables -A OUTPUT ! -o eth+ -j DROP
iptables -A INPUT ! -p tcp -j DROP
iptables -A INPUT ! -f -j DROP
iptables -A INPUT -f -j DROP
iptables -A INPUT -p tcp ! --dport 1000:2000 -j ACCEPT
iptables -A INPUT -p tcp ! --sport 22 -j ACCEPT
iptables -A INPUT -p tcp ! --syn -j ACCEPT
iptables -A INPUT -m mark ! --mark 0x2 -j ACCEPT
iptables -A INPUT ! -i + -j ACCEPT
iptables -A INPUT -s ! 1.2.3.4 -j DROP
iptables -A INPUT ! ! -s 1.2.3.4 -j DROP
iptables -S
iptables -L
iptables -L -n -v
"#,
    ),
    (
        "counters -c on rules",
        r#"
iptables -A INPUT -c 123456789 98765432100 -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT
iptables -A INPUT -c 0 0 -i lo -j ACCEPT
iptables -I INPUT -c 99999 100000 -j DROP
iptables -A INPUT --set-counters 1 2 -j DROP
iptables -A INPUT -c 1,2 -j DROP
iptables -A INPUT -c 1 -j DROP
iptables -A INPUT -c x y -j DROP
iptables -R INPUT 1 -c 5 6 -j DROP
iptables-save -c
iptables -v -S
iptables -L -v
iptables -L -v -x
iptables -L -v -n --line-numbers
"#,
    ),
    (
        "number scaling in -L -v",
        r#"
iptables -A INPUT -c 99999 99999 -j ACCEPT
iptables -A INPUT -c 100000 100499 -j ACCEPT
iptables -A INPUT -c 9999499 9999500 -j ACCEPT
iptables -A INPUT -c 99999999999 999999999999 -j ACCEPT
iptables -A INPUT -c 99999999999999 999999999999999 -j ACCEPT
iptables -A INPUT -c 18446744073709551615 18446744073709551615 -j ACCEPT
iptables -P INPUT DROP -c 123456 7890123
iptables -L -v
iptables -L -v -x
iptables-save -c
"#,
    ),
    (
        "options -n -x -w --line-numbers",
        r#"
iptables -w -A INPUT -j ACCEPT
iptables -w 5 -A INPUT -j DROP
iptables -w -W 1000 -A INPUT -j DROP
iptables --wait -L -n
iptables -L --numeric --exact --verbose --line-numbers
iptables --list INPUT --numeric
iptables --list-rules
iptables --append INPUT --source 1.2.3.4 --jump ACCEPT
iptables --insert INPUT 1 --destination 4.3.2.1 --jump DROP
iptables --delete INPUT 1
iptables --new-chain LONG
iptables --rename-chain LONG LONGER
iptables --delete-chain LONGER
iptables --policy FORWARD DROP
iptables --flush INPUT
iptables --zero
iptables-save
"#,
    ),
    (
        "option abbreviations and concatenation",
        r#"
iptables -AINPUT -jACCEPT
iptables -L -nv
iptables -nvL
iptables -nvxL INPUT --line-numbers
iptables --lis -n
iptables --app INPUT --jum DROP
iptables -S
"#,
    ),
    (
        "interfaces",
        r#"
iptables -A INPUT -i eth0 -j ACCEPT
iptables -A OUTPUT -o eth0.100 -j ACCEPT
iptables -A INPUT -i eth+ -j ACCEPT
iptables -A FORWARD ! -o veth+ -j DROP
iptables -A INPUT ! -i + -j ACCEPT
iptables -A INPUT -i + -j ACCEPT
iptables -A FORWARD -i alongifacename0 -j ACCEPT
iptables -A FORWARD -i thisinterfaceistoolong0 -j ACCEPT
iptables -A FORWARD -i eth+ -o alongifacename+ -j ACCEPT
iptables -A FORWARD -i eth0 -o eth1 -s 1.1.1.1 -p tcp
iptables -A OUTPUT -i eth0 -j ACCEPT
iptables -A INPUT -o eth0 -j ACCEPT
iptables -A PREROUTING -t nat -o eth0 -j ACCEPT
iptables -S
iptables -L -v
iptables -L -v -n
"#,
    ),
    (
        "addresses and masks",
        r#"
iptables -A INPUT -s 10.0.0.0/8 -j ACCEPT
iptables -A INPUT -s 10.1.2.3/8 -j ACCEPT
iptables -A INPUT -s 10.1.2.0/23 -d 172.16.0.0/255.255.0.255 -j ACCEPT
iptables -A INPUT -s 0.0.0.0/0 -j ACCEPT
iptables -A INPUT -s 1.2.3.4/0 -j ACCEPT
iptables -A INPUT -d 192.168.1.1/255.255.255.0 -j ACCEPT
iptables -A INPUT -d 192.168.1.1/31 -j ACCEPT
iptables -A INPUT -d 192.168.1.1/1 -j ACCEPT
iptables -A INPUT -s 1.2.3.4/33 -j ACCEPT
iptables -A INPUT -s 1.2.3 -j ACCEPT
iptables -A INPUT -s 256.1.1.1 -j ACCEPT
iptables -A INPUT -s localhost -j ACCEPT
iptables -A INPUT -s 1.1.1.1,2.2.2.2 -d 3.3.3.3,4.4.4.4 -j ACCEPT
iptables -S
iptables -L
iptables -L -n -v
"#,
    ),
    (
        "protocols",
        r#"
iptables -A INPUT -p tcp -j ACCEPT
iptables -A INPUT -p udp -j ACCEPT
iptables -A INPUT -p icmp -j ACCEPT
iptables -A INPUT -p 6 -j ACCEPT
iptables -A INPUT -p all -j ACCEPT
iptables -A INPUT -p 0 -j ACCEPT
iptables -A INPUT -p sctp -j ACCEPT
iptables -A INPUT -p udplite -j ACCEPT
iptables -A INPUT -p esp -j ACCEPT
iptables -A INPUT -p gre -j ACCEPT
iptables -A INPUT -p 47 -j ACCEPT
iptables -A INPUT -p 253 -j ACCEPT
iptables -A INPUT -p 255 -j ACCEPT
iptables -A INPUT -p 256 -j ACCEPT
iptables -A INPUT -p foo -j ACCEPT
iptables -A INPUT -p TCP -j ACCEPT
iptables -A INPUT -p ipv6-icmp -j ACCEPT
iptables -S
iptables -L
iptables -L -n
"#,
    ),
    (
        "tcp udp icmp sctp matches",
        r#"
iptables -A INPUT -p udp --sport 53 --dport 1024:65535 -j ACCEPT
iptables -A OUTPUT -p tcp -m tcp --sport 22 --dport 22 -j ACCEPT
iptables -A INPUT -p tcp --dport 1024: -j ACCEPT
iptables -A INPUT -p tcp --sport :1023 -j ACCEPT
iptables -A INPUT -p tcp --dport ssh -j ACCEPT
iptables -A INPUT -p tcp --dport http:https -j ACCEPT
iptables -A INPUT -p tcp --tcp-flags SYN,ACK SYN -j DROP
iptables -A INPUT -p tcp --tcp-flags ALL NONE -j DROP
iptables -A INPUT -p tcp --tcp-flags ALL ALL -j DROP
iptables -A INPUT -p tcp --tcp-option 2 -j DROP
iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
iptables -A INPUT -p icmp --icmp-type 3/4 -j ACCEPT
iptables -A INPUT -p icmp --icmp-type any -j ACCEPT
iptables -A INPUT -p icmp ! --icmp-type 8 -j ACCEPT
iptables -A INPUT -p sctp --dport 1000 -j ACCEPT
iptables -A INPUT -p sctp --chunk-types any DATA,INIT -j ACCEPT
iptables -A INPUT -p tcp --dport 4:3 -j ACCEPT
iptables -A INPUT --dport 22 -j ACCEPT
iptables -A INPUT -m tcp --dport 22 -j ACCEPT
iptables -S
iptables -L
iptables -L -n -v
"#,
    ),
    // ------------------------------------------------ the fact sheet's rules
    (
        "sheet 1.6 example rules",
        r#"
iptables -N MYCHAIN
iptables -A INPUT -s 10.0.0.0/8 -j ACCEPT
iptables -A INPUT -s 10.1.2.0/23 -d 172.16.0.0/255.255.0.255 -j ACCEPT
iptables -A INPUT ! -s 1.2.3.4 -j DROP
iptables -A INPUT -i eth0 -j ACCEPT
iptables -A OUTPUT -o eth0.100 -j ACCEPT
iptables -A INPUT -i eth+ -j ACCEPT
iptables -A FORWARD ! -o veth+ -j DROP
iptables -A INPUT ! -i + -j ACCEPT
iptables -A INPUT -i + -j ACCEPT
iptables -A INPUT -p udp --sport 53 --dport 1024:65535 -j ACCEPT
iptables -A OUTPUT -p tcp -m tcp --sport 22 --dport 22 -j ACCEPT
iptables -A OUTPUT -p tcp ! --dport 1000:2000 -j ACCEPT
iptables -A OUTPUT ! -p udp -j ACCEPT
iptables -A INPUT -p tcp --syn -j MYCHAIN
iptables -A INPUT -g MYCHAIN
iptables -A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT
iptables -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables -A INPUT -m state --state NEW -j ACCEPT
iptables -A INPUT -m comment --comment "hello world" -j ACCEPT
iptables -A INPUT -m mark --mark 0x1/0xff -j ACCEPT
iptables -A OUTPUT -m mark ! --mark 0x2 -j ACCEPT
iptables -A INPUT -m limit --limit 5/min --limit-burst 10 -j LOG --log-prefix "lim: " --log-level 4
iptables -A INPUT -m statistic --mode random --probability 0.25 -j DROP
iptables -A INPUT -p tcp -j REJECT --reject-with tcp-reset
iptables -A INPUT -f -j DROP
iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2:8080
iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE
iptables -t mangle -A PREROUTING -j MARK --set-mark 0x10
iptables -A OUTPUT -j NFLOG --nflog-group 5 --nflog-prefix "nfl"
iptables -t raw -A OUTPUT -j TRACE
ip6tables -A INPUT -s 2001:db8::/32 -p tcp --dport 443 -j ACCEPT
ip6tables -A OUTPUT -d 2001:db8::1/ffff:ffff:0:0:ffff:: -j DROP
iptables -A FORWARD -i eth0 -o eth1 -s 1.1.1.1 -p tcp
iptables -S
iptables -L
iptables -L -v
iptables -L -n -v --line-numbers
iptables -t nat -L -n -v --line-numbers
iptables -t mangle -S
iptables -t raw -L -v -n
ip6tables -S
ip6tables -L -n -v
"#,
    ),
    (
        "sheet 1.8 example table via restore",
        r#"
printf '%s\n' '*filter' ':INPUT ACCEPT [0:0]' ':FORWARD DROP [0:0]' ':OUTPUT ACCEPT [0:0]' ':MYCHAIN - [0:0]' \
 '-A INPUT -s 10.0.0.0/8 -j ACCEPT' '-A INPUT -d 192.168.1.1/32 -j DROP' \
 '-A INPUT -s 10.1.2.0/23 -d 172.16.0.0/255.255.0.255 -j ACCEPT' '-A INPUT ! -s 1.2.3.4/32 -j DROP' \
 '-A INPUT -i eth0 -j ACCEPT' '-A INPUT -i eth+ -j ACCEPT' '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT' \
 '-A INPUT -p udp -m udp --sport 53 --dport 1024:65535 -j ACCEPT' \
 '-A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT' \
 '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT' '-A INPUT -m state --state NEW -j ACCEPT' \
 '-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT' '-A INPUT -m comment --comment "hello world" -j ACCEPT' \
 '-A INPUT -m mark --mark 0x1/0xff -j ACCEPT' \
 '-A INPUT -m limit --limit 5/min --limit-burst 10 -j LOG --log-prefix "lim: "' \
 '-A INPUT -m statistic --mode random --probability 0.25000000000 -j DROP' \
 '-A INPUT -p tcp -m tcp --tcp-flags SYN,ACK SYN -j DROP' \
 '-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j MYCHAIN' '-A INPUT -g MYCHAIN' \
 '-A INPUT -p tcp -j REJECT --reject-with tcp-reset' '-A INPUT -j REJECT --reject-with icmp-port-unreachable' \
 '-A INPUT -m addrtype --dst-type LOCAL -j ACCEPT' '-A INPUT -p sctp -m sctp --dport 1000 -j ACCEPT' \
 '-A INPUT -f -j DROP' '-A FORWARD ! -o veth+ -j DROP' '-A MYCHAIN -j RETURN' 'COMMIT' > /tmp/nft-diff-sheet18.rules
iptables-restore < /tmp/nft-diff-sheet18.rules
iptables-save
iptables -L
iptables -L -n -v --line-numbers
iptables -L -v
iptables -S
iptables -v -S
iptables -L MYCHAIN
iptables -S INPUT 7
iptables -L INPUT 7
iptables -L INPUT 7 -n -v
"#,
    ),
    (
        "sheet 1.8 -v -S and -L formats",
        r#"
iptables -P INPUT DROP
iptables -N MYCHAIN
iptables -A INPUT -c 123456789 98765432100 -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT
iptables -A INPUT -i lo -j MYCHAIN
iptables -A MYCHAIN -m comment --comment "x y" -j RETURN
iptables -v -S
iptables -L
iptables -L -v
iptables -L -v -x -n
iptables-save -c
"#,
    ),
    // ------------------------------------------------------------------ nat
    (
        "nat DNAT SNAT MASQUERADE REDIRECT",
        r#"
iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2:8080
iptables -t nat -A PREROUTING -p tcp --dport 25 -j REDIRECT --to-ports 2525
iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:ssh
iptables -t nat -A PREROUTING -p udp -j DNAT --to-destination 1.1.1.1-1.1.1.10:1000-2000
iptables -t nat -A PREROUTING -j DNAT --to-destination 1.1.1.1
iptables -t nat -A PREROUTING -j DNAT --to-destination 1.1.1.1:80
iptables -t nat -A OUTPUT -d 1.2.3.4 -j DNAT --to-destination 10.0.0.1
iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE
iptables -t nat -A POSTROUTING -o eth1 -j SNAT --to-source 1.2.3.4
iptables -t nat -A POSTROUTING -p tcp -o eth1 -j SNAT --to-source 1.2.3.4:1024-2048 --random
iptables -t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1024-2048 --random
iptables -t nat -A POSTROUTING -j MASQUERADE --random-fully
iptables -t nat -A PREROUTING -p tcp -j REDIRECT
iptables -t nat -A PREROUTING -j SNAT --to-source 1.2.3.4
iptables -t nat -A POSTROUTING -j DNAT --to-destination 1.2.3.4
iptables -t filter -A INPUT -j MASQUERADE
iptables -t nat -A INPUT -j SNAT --to-source 1.2.3.4
iptables -t nat -S
iptables -t nat -L
iptables -t nat -L -n -v --line-numbers
iptables -t nat -L -v
iptables -t nat -S POSTROUTING
iptables -t nat -L POSTROUTING 2
"#,
    ),
    (
        "nat ipv6",
        r#"
ip6tables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination [2001:db8::2]:8080
ip6tables -t nat -A PREROUTING -j DNAT --to-destination 2001:db8::3
ip6tables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
ip6tables -t nat -A POSTROUTING -o eth1 -j SNAT --to-source 2001:db8::1
ip6tables -t nat -A PREROUTING -p tcp --dport 25 -j REDIRECT --to-ports 2525
ip6tables -t nat -S
ip6tables -t nat -L
ip6tables -t nat -L -n -v
"#,
    ),
    // ----------------------------------------------------------------- IPv6
    (
        "ipv6 basics",
        r#"
ip6tables -A INPUT -s 2001:db8::/32 -p tcp --dport 443 -j ACCEPT
ip6tables -A OUTPUT -d 2001:db8::1/ffff:ffff:0:0:ffff:: -j DROP
ip6tables -A INPUT -s ::1 -j ACCEPT
ip6tables -A INPUT ! -s fe80::/10 -i eth0 -j DROP
ip6tables -A INPUT -p ipv6-icmp --icmpv6-type 128 -j ACCEPT
ip6tables -A INPUT -p icmpv6 --icmpv6-type echo-reply -j ACCEPT
ip6tables -A INPUT -p udp --dport 546 -d fe80::/64 -j ACCEPT
ip6tables -A INPUT -j REJECT
ip6tables -A INPUT -j REJECT --reject-with icmp6-adm-prohibited
ip6tables -A INPUT -p tcp -j REJECT --reject-with tcp-reset
ip6tables -A INPUT -s 1.2.3.4 -j ACCEPT
ip6tables -A INPUT -f -j ACCEPT
ip6tables -N V6CHAIN
ip6tables -A V6CHAIN -m comment --comment "six" -j RETURN
ip6tables -I INPUT 2 -j V6CHAIN
ip6tables -S
ip6tables -v -S
ip6tables -L
ip6tables -L -n -v --line-numbers
ip6tables -L -v -x
ip6tables -D INPUT 1
ip6tables -D INPUT -s ::1 -j ACCEPT
ip6tables -R INPUT 1 -j ACCEPT
ip6tables -C INPUT -j ACCEPT
ip6tables -P FORWARD DROP
ip6tables -Z
ip6tables -E V6CHAIN V6NEW
ip6tables-save
ip6tables-save -c
"#,
    ),
    (
        "ipv6 errors",
        r#"
ip6tables -A OUTPUT -i eth0 -j ACCEPT
ip6tables -A INPUT -j NOPE
ip6tables -N X
ip6tables -N X
ip6tables -I INPUT 5 -j ACCEPT
ip6tables -D INPUT -j ACCEPT
ip6tables -F bar
ip6tables -t foobar -L
ip6tables -A INPUT -m foobar
ip6tables --bogus
ip6tables -A INPUT -s
ip6tables -A INPUT -p icmp --icmp-type 8 -j ACCEPT
"#,
    ),
    // ---------------------------------------------------------------- errors
    (
        "errors from the sheet 1.11",
        r#"
iptables -A OUTPUT -i eth0 -j ACCEPT
iptables -A INPUT -o eth0 -j ACCEPT
iptables -A INPUT -m set --match-set foo src -j ACCEPT
iptables -C INPUT -m foobar
iptables -A INPUT -j NOPE
iptables -N X
iptables -N X
iptables -I INPUT 5 -j ACCEPT
iptables -D INPUT -j ACCEPT
iptables -F bar
iptables -D bar -j ACCEPT
iptables -R bar 1 -j ACCEPT
iptables -t foobar -L
iptables -t foobar -A INPUT -j ACCEPT
"#,
    ),
    (
        "errors return codes shell test",
        r#"
iptables -N foo
iptables -N foo
iptables -F foo
iptables -Z foo
iptables -F bar
iptables -Z bar
iptables -E foo bar
iptables -E foo bar
iptables -E foo bar2
!known 1.8.9 prints the 'incompatible' chain message for a missing chain; rtables follows 1.8.10 :: iptables -L foo
iptables -N foo2
iptables -E foo2 bar
iptables -A INPUT -j ACCEPT
iptables -A noexist -j ACCEPT
iptables -I INPUT -j foobar
iptables -R INPUT 1 -j foobar
iptables -D INPUT 1 -j foobar
iptables -D INPUT -p tcp --dport 22 -j ACCEPT
iptables -I INPUT 23 -j ACCEPT
iptables -D INPUT 23
iptables -R INPUT 23 -j ACCEPT
iptables -I nonexist 23 -j ACCEPT
iptables -D nonexist 23
iptables -R nonexist 23 -j ACCEPT
iptables -C INPUT -j ACCEPT
iptables -C FORWARD -j ACCEPT
iptables -C nonexist -j ACCEPT
iptables -C INPUT -m foobar -j ACCEPT
iptables -C INPUT -j foobar
iptables -t foobar -C INPUT -j ACCEPT
"#,
    ),
    (
        "errors bad options and arguments",
        r#"
iptables --bogus
iptables -A
iptables -A INPUT -s
iptables -A INPUT -j
iptables -A INPUT -p
iptables -A INPUT -m
iptables -I
iptables -D INPUT 1 2
iptables -D INPUT x
iptables -A INPUT extra
iptables -A INPUT -s 1.1.1.1 -s 2.2.2.2
iptables -A INPUT -j ACCEPT -j DROP
iptables -A INPUT -p tcp -p udp
iptables -A INPUT -A OUTPUT
iptables -L -S
iptables -F -X
iptables -A INPUT -p tcp --dport 99999 -j ACCEPT
iptables -A INPUT -p tcp --dport foo -j ACCEPT
iptables -A INPUT -p tcp --bogus-tcp-opt -j ACCEPT
iptables -A INPUT -m tcp -j ACCEPT
iptables -A INPUT -m foobar -j ACCEPT
iptables -A INPUT -j foobar
iptables -A INPUT -j LOG --log-level bad
iptables -A INPUT -m comment
iptables -A INPUT -n -j ACCEPT
iptables -A INPUT --line-numbers -j ACCEPT
iptables -L -c 1 2
iptables -S INPUT x
iptables -L INPUT 0
iptables -L INPUT 5
iptables -S INPUT 5
iptables -Z INPUT 0
iptables -P INPUT
iptables -E A
iptables -X INPUT OUTPUT
iptables -t
iptables -t nat -A INPUT -j DNAT --to-destination 1.1.1.1
iptables -4 -A INPUT -j ACCEPT
iptables
iptables -v
iptables -n
"#,
    ),
    (
        "unknown match and target",
        r#"
iptables -A INPUT -m foobar -j ACCEPT
iptables -A INPUT -m tcp --dport 1 -j ACCEPT
iptables -A INPUT -j FOOBAR
iptables -A INPUT -j foo-bar
iptables -A INPUT -g FOOBAR
iptables -A INPUT -m conntrack -j ACCEPT
iptables -A INPUT -m conntrack --bogus -j ACCEPT
iptables -A INPUT -j MARK
iptables -A INPUT -j DNAT --to-destination 1.1.1.1
"#,
    ),
    (
        "-t foobar",
        r#"
iptables -t foobar -L
iptables -t foobar -S
iptables -t foobar -A INPUT -j ACCEPT
iptables -t foobar -F
iptables -t foobar -N X
iptables-save -t foobar
"#,
    ),
    (
        "known: version and help texts",
        r#"
!known the -V/-h texts differ deliberately :: iptables -V
!known the -V/-h texts differ deliberately :: iptables --version
!known the -V/-h texts differ deliberately :: iptables -h
!known the -V/-h texts differ deliberately :: iptables-save -h
!known the -V/-h texts differ deliberately :: iptables-restore -h
"#,
    ),
    (
        "known: -6 anywhere selects IPv6",
        r#"
!known rtables: -6 anywhere on the command line selects IPv6 (by design); iptables rejects it :: iptables -6 -A INPUT -j ACCEPT
# the two namespaces now differ by design: start again from an empty ruleset
nft flush ruleset
"#,
    ),
    // ----------------------------------------------------------- extensions
    (
        "common matches",
        r#"
iptables -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables -A INPUT -m conntrack ! --ctstate INVALID --ctproto tcp -j ACCEPT
iptables -A INPUT -m state --state NEW,ESTABLISHED -j ACCEPT
iptables -A INPUT -m comment --comment "hello world" -j ACCEPT
iptables -A INPUT -m comment --comment simple -j ACCEPT
iptables -A INPUT -m mark --mark 0x1/0xff -j ACCEPT
iptables -A INPUT -m mark --mark 5 -j ACCEPT
iptables -A INPUT -m limit --limit 5/min --limit-burst 10 -j ACCEPT
iptables -A INPUT -m limit --limit 100/sec -j ACCEPT
iptables -A INPUT -m limit -j ACCEPT
iptables -A INPUT -m statistic --mode random --probability 0.25 -j DROP
iptables -A INPUT -m statistic --mode nth --every 3 --packet 1 -j DROP
iptables -A INPUT -m addrtype --dst-type LOCAL -j ACCEPT
iptables -A INPUT -m addrtype --src-type UNICAST --limit-iface-in -j ACCEPT
iptables -A INPUT -m iprange --src-range 10.0.0.1-10.0.0.9 -j ACCEPT
iptables -A INPUT -m owner --uid-owner 0 -j ACCEPT
iptables -A OUTPUT -m owner --uid-owner 0 -j ACCEPT
iptables -A INPUT -m pkttype --pkt-type broadcast -j DROP
iptables -A INPUT -m ttl --ttl-eq 5 -j ACCEPT
iptables -A INPUT -m ttl --ttl-gt 5 -j ACCEPT
iptables -A INPUT -m length --length 100:200 -j ACCEPT
iptables -A INPUT -m hashlimit --hashlimit-upto 10/sec --hashlimit-mode srcip --hashlimit-name hl -j ACCEPT
iptables -A INPUT -m recent --set --name rc -j ACCEPT
iptables -A INPUT -m string --string foo --algo bm -j ACCEPT
iptables -A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT
iptables -A INPUT -p udp -m multiport --sports 53,5353 -j ACCEPT
iptables -A INPUT -p tcp -m multiport --ports 1:2 -j ACCEPT
iptables -A INPUT -m multiport --dports 80 -j ACCEPT
iptables -A INPUT -m connlimit --connlimit-above 10 -j REJECT
iptables -A INPUT -m physdev --physdev-in eth0 -j ACCEPT
iptables -A INPUT -m time --timestart 08:00 --timestop 17:00 -j ACCEPT
iptables -A INPUT -m tos --tos 0x10 -j ACCEPT
iptables -A INPUT -m dscp --dscp 10 -j ACCEPT
iptables -A INPUT -m helper --helper ftp -j ACCEPT
iptables -A INPUT -m connmark --mark 0x5 -j ACCEPT
iptables -A INPUT -m mac --mac-source 00:11:22:33:44:55 -j ACCEPT
iptables -A INPUT -m icmp -p icmp --icmp-type 0 -j ACCEPT
iptables -A INPUT -m u32 --u32 "0>>22&0x3C@12>>26&0x3F=0x10" -j ACCEPT
iptables -A INPUT -p tcp -m tcpmss --mss 1000:1500 -j ACCEPT
iptables -A INPUT -m cpu --cpu 0 -j ACCEPT
iptables -A INPUT -m devgroup --src-group 1 -j ACCEPT
iptables -A INPUT -m realm --realm 1 -j ACCEPT
iptables -A INPUT -m ecn --ecn-tcp-cwr -p tcp -j ACCEPT
iptables -A INPUT -m quota --quota 1000 -j ACCEPT
iptables -A INPUT -m socket -j ACCEPT
iptables -A INPUT -m rpfilter -t mangle -j ACCEPT
iptables -A PREROUTING -m rpfilter -t mangle -j ACCEPT
iptables -S
iptables -L
iptables -L -n -v
"#,
    ),
    (
        "common targets",
        r#"
iptables -A INPUT -j REJECT
iptables -A INPUT -j REJECT --reject-with icmp-host-prohibited
iptables -A INPUT -p tcp -j REJECT --reject-with tcp-reset
iptables -A INPUT -j LOG
iptables -A INPUT -j LOG --log-prefix "lim: " --log-level 4
iptables -A INPUT -j LOG --log-prefix "x" --log-level debug --log-tcp-options --log-uid
iptables -A OUTPUT -j NFLOG --nflog-group 5 --nflog-prefix "nfl"
iptables -A OUTPUT -j NFLOG
iptables -A OUTPUT -j NFLOG --nflog-threshold 2 --nflog-size 64
iptables -A OUTPUT -j NFQUEUE --queue-num 3
iptables -A OUTPUT -j NFQUEUE --queue-balance 1:4 --queue-bypass
iptables -A OUTPUT -j AUDIT --type accept
iptables -A INPUT -j CONNMARK --set-mark 0x5
iptables -A INPUT -j CONNMARK --restore-mark
iptables -A INPUT -j CONNMARK --save-mark --mask 0xff
iptables -t mangle -A PREROUTING -j MARK --set-mark 0x10
iptables -t mangle -A PREROUTING -j MARK --set-xmark 0x10/0xff
iptables -t mangle -A PREROUTING -j MARK --and-mark 0x10
iptables -t mangle -A PREROUTING -j MARK --or-mark 0x10
iptables -t mangle -A PREROUTING -j DSCP --set-dscp 10
iptables -t mangle -A PREROUTING -j DSCP --set-dscp-class EF
iptables -t mangle -A PREROUTING -j TOS --set-tos 0x10
iptables -t mangle -A PREROUTING -j TTL --ttl-set 64
iptables -t mangle -A PREROUTING -j TTL --ttl-dec 1
iptables -t mangle -A POSTROUTING -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
iptables -t mangle -A POSTROUTING -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1400
iptables -t mangle -A POSTROUTING -j CLASSIFY --set-class 1:10
iptables -t mangle -A POSTROUTING -p udp -j CHECKSUM --checksum-fill
iptables -t mangle -A PREROUTING -j TPROXY --on-port 80 -p tcp --tproxy-mark 0x1/0x1
iptables -t mangle -A PREROUTING -p tcp -j TPROXY --on-port 80 --tproxy-mark 0x1/0x1
iptables -t raw -A OUTPUT -j TRACE
iptables -t raw -A PREROUTING -j CT --notrack
iptables -t raw -A PREROUTING -j NOTRACK
iptables -t raw -A PREROUTING -p tcp -j CT --helper ftp
iptables -t raw -A PREROUTING -j CT --zone 1
iptables -A INPUT -j SET --add-set foo src
iptables -A INPUT -j IDLETIMER --timeout 10 --label foo
iptables -A INPUT -j LED --led-trigger-id foo
iptables -A INPUT -j RETURN
iptables -A INPUT -j QUEUE
iptables -S
iptables -L
iptables -L -n -v
iptables -t mangle -S
iptables -t mangle -L -n -v
iptables -t raw -S
iptables -t raw -L -n
"#,
    ),
    (
        "quoting in comments and prefixes",
        r#"
iptables -A INPUT -m comment --comment "a \"quoted\" word" -j ACCEPT
iptables -A INPUT -m comment --comment 'single $quotes' -j ACCEPT
iptables -A INPUT -m comment --comment "" -j ACCEPT
iptables -A INPUT -m comment --comment "tab	inside" -j ACCEPT
iptables -A INPUT -m comment --comment "back\\slash" -j ACCEPT
iptables -A INPUT -m comment --comment "äöü utf8" -j ACCEPT
iptables -A INPUT -m comment --comment "x" -m comment --comment "y" -j ACCEPT
iptables -A INPUT -m comment --comment 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 -j ACCEPT
iptables -A INPUT -j LOG --log-prefix "has space "
iptables -A INPUT -j LOG --log-prefix 'q"q'
iptables -A INPUT -j LOG --log-prefix 0123456789012345678901234567890
iptables -S
iptables -L
iptables -L -n -v
iptables-save
"#,
    ),
    (
        "many chains sorted",
        r#"
iptables -N zeta
iptables -N alpha
iptables -N Beta
iptables -N _under
iptables -N 9nine
iptables -N mid-dle
iptables -A INPUT -j zeta
iptables -A zeta -j alpha
iptables -A alpha -j Beta
iptables -A Beta -j RETURN
iptables -S
iptables -L -n
iptables-save
iptables -L alpha -n -v
iptables -S zeta
iptables -X zeta
"#,
    ),
    (
        "all tables and chains",
        r#"
iptables -t mangle -A PREROUTING -j ACCEPT
iptables -t mangle -A INPUT -j ACCEPT
iptables -t mangle -A FORWARD -j ACCEPT
iptables -t mangle -A OUTPUT -j ACCEPT
iptables -t mangle -A POSTROUTING -j ACCEPT
iptables -t raw -A PREROUTING -j ACCEPT
iptables -t raw -A OUTPUT -j ACCEPT
iptables -t nat -A PREROUTING -j ACCEPT
iptables -t nat -A INPUT -j ACCEPT
iptables -t nat -A OUTPUT -j ACCEPT
iptables -t nat -A POSTROUTING -j ACCEPT
iptables -t security -A INPUT -j ACCEPT
iptables -t security -A FORWARD -j ACCEPT
iptables -t security -A OUTPUT -j ACCEPT
iptables -t raw -A INPUT -j ACCEPT
iptables -t nat -A FORWARD -j ACCEPT
iptables -t mangle -P PREROUTING DROP
iptables -t mangle -L -n
iptables -t raw -L -n
iptables -t security -S
iptables-save
ip6tables -t mangle -A PREROUTING -j ACCEPT
ip6tables -t raw -A OUTPUT -j ACCEPT
ip6tables -t security -A INPUT -j ACCEPT
ip6tables-save
"#,
    ),
    // -------------------------------------------------------------- restore
    (
        "restore round trip",
        r#"
iptables -N MYCHAIN
iptables -P INPUT DROP
iptables -A INPUT -c 5 6 -i lo -j ACCEPT
iptables -A INPUT -j MYCHAIN
iptables -A MYCHAIN -p tcp --dport 22 -m comment --comment "ssh in" -j ACCEPT
iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
ip6tables -A INPUT -s 2001:db8::/32 -j ACCEPT
iptables-save > /tmp/nft-diff-rt.v4
iptables-save -c > /tmp/nft-diff-rt.v4c
ip6tables-save > /tmp/nft-diff-rt.v6
iptables -F
iptables -X
iptables -t nat -F
iptables-restore < /tmp/nft-diff-rt.v4
iptables-save
iptables-restore -c < /tmp/nft-diff-rt.v4c
iptables-save -c
iptables-restore --counters < /tmp/nft-diff-rt.v4c
iptables-save -c
ip6tables -F
ip6tables-restore < /tmp/nft-diff-rt.v6
ip6tables-save
iptables-save | iptables-restore
iptables-save
"#,
    ),
    (
        "restore noflush",
        r#"
iptables -A INPUT -s 1.1.1.1 -j ACCEPT
printf '*filter\n-A INPUT -s 10.0.0.1 -j ACCEPT\nCOMMIT\n' | iptables-restore --noflush
printf '*filter\n-A INPUT -s 10.0.0.2 -j ACCEPT\nCOMMIT\n' | iptables-restore -n
printf '*filter\n:NEWC - [0:0]\n-A NEWC -j RETURN\n-I INPUT 1 -j NEWC\nCOMMIT\n' | iptables-restore -n
printf '*filter\n-D INPUT -s 10.0.0.1 -j ACCEPT\n-R INPUT 1 -j DROP\nCOMMIT\n' | iptables-restore -n
printf '*filter\n-F INPUT\n-A INPUT -j ACCEPT\nCOMMIT\n' | iptables-restore -n
iptables-save
printf '*filter\n-A INPUT -s 10.0.0.3 -j ACCEPT\nCOMMIT\n' | iptables-restore
iptables-save
"#,
    ),
    (
        "restore test mode and table selection",
        r#"
iptables -A INPUT -s 1.1.1.1 -j ACCEPT
printf '*filter\n-A INPUT -s 10.0.0.1 -j ACCEPT\nCOMMIT\n' | iptables-restore --test
printf '*filter\n-A INPUT -s 10.0.0.1 -j ACCEPT\nCOMMIT\n' | iptables-restore -t
printf '*filter\n-A INPUT -j NOPE\nCOMMIT\n' | iptables-restore --test
printf '*filter\n-A INPUT -s 10.0.0.1 -j ACCEPT\nCOMMIT\n*nat\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n' | iptables-restore -T nat
printf '*filter\n-A INPUT -s 10.0.0.9 -j ACCEPT\nCOMMIT\n*nat\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n' | iptables-restore --table=filter
printf '*filter\n-A INPUT -s 10.0.0.9 -j ACCEPT\nCOMMIT\n' | iptables-restore -T mangle
iptables-save
iptables-save -t nat
iptables-save -t filter -c
iptables-save -t mangle
"#,
    ),
    (
        "restore file argument and verbose",
        r#"
#!ignore-handles replacing an existing table: 1.8.9 flushes it in place, rtables-restore deletes and recreates it in the same transaction, so the new rules get other handle numbers
printf '*filter\n:INPUT DROP [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n' > /tmp/nft-diff-restore-file.rules
iptables-restore /tmp/nft-diff-restore-file.rules
iptables-restore -v /tmp/nft-diff-restore-file.rules
iptables-restore /tmp/nft-diff-does-not-exist.rules
iptables-restore -v --noflush /tmp/nft-diff-restore-file.rules
iptables-save
"#,
    ),
    (
        "restore error messages",
        r#"
printf '*filter\n-A INPUT -j ACCEPT\n-A INPUT --bogus\nCOMMIT\n' | iptables-restore
printf '*filter\n-A INPUT -j ACCEPT\n' | iptables-restore
printf '*foobar\n-A INPUT -j ACCEPT\nCOMMIT\n' | iptables-restore
printf '*filter\n-A INPUT -j NOPE\nCOMMIT\n' | iptables-restore
printf '*filter\n-A NOCHAIN -j ACCEPT\nCOMMIT\n' | iptables-restore
printf '-A INPUT -j ACCEPT\nCOMMIT\n' | iptables-restore
printf '*filter\n:INPUT BOGUS [0:0]\nCOMMIT\n' | iptables-restore
printf '*filter\n:INPUT DROP [x:y]\nCOMMIT\n' | iptables-restore -c
printf '*filter\n:MYCHAIN - [0:0]\n:MYCHAIN - [0:0]\nCOMMIT\n' | iptables-restore
printf '*filter\n-A INPUT -s 1.1.1.1 -j ACCEPT\nCOMMIT\n*filter\nCOMMIT\n' | iptables-restore
printf '*filter\nCOMMIT\nCOMMIT\n' | iptables-restore
printf '*filter\n*nat\nCOMMIT\n' | iptables-restore
printf 'garbage\n' | iptables-restore
printf '\n# comment\n\n' | iptables-restore
printf '*filter\n-A INPUT -m foobar -j ACCEPT\nCOMMIT\n' | iptables-restore
printf '*filter\n-A INPUT -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n' | iptables-restore
printf '*filter\n[1:2] -A INPUT -j ACCEPT\nCOMMIT\n' | iptables-restore -c
printf '*filter\n[1:2] -A INPUT -j ACCEPT\nCOMMIT\n' | iptables-restore
printf '*filter\n-A INPUT -m comment --comment "unterminated -j ACCEPT\nCOMMIT\n' | iptables-restore
printf '*filter\n-A INPUT -j ACCEPT -c 1 2\nCOMMIT\n' | iptables-restore
iptables-restore --bogus < /dev/null
iptables-save
"#,
    ),
    (
        "restore kernel error line",
        r#"
printf '*filter\n:A - [0:0]\n-A A -j ACCEPT\n-X A\nCOMMIT\n' | iptables-restore
printf '*filter\n:A - [0:0]\n-A INPUT -j A\n-X A\nCOMMIT\n' | iptables-restore
printf '*nat\n-A INPUT -j DNAT --to-destination 1.1.1.1\nCOMMIT\n' | iptables-restore
printf '*filter\n-A INPUT -j MASQUERADE\nCOMMIT\n' | iptables-restore
printf '*filter\n-A INPUT -m set --match-set nosuch src -j ACCEPT\nCOMMIT\n' | iptables-restore
printf '*filter\n-D INPUT -s 9.9.9.9 -j ACCEPT\nCOMMIT\n' | iptables-restore --noflush
printf '*filter\n-D INPUT 3\nCOMMIT\n' | iptables-restore --noflush
printf '*filter\n-I INPUT 3 -j ACCEPT\nCOMMIT\n' | iptables-restore --noflush
iptables-save
"#,
    ),
    (
        "restore policies counters and chains",
        r#"
printf '*filter\n:INPUT DROP [10:1000]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [3:30]\n:USER - [5:50]\n[7:70] -A INPUT -j USER\n-A USER -j RETURN\nCOMMIT\n' | iptables-restore -c
iptables-save -c
iptables -L -v -x
printf '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n' | iptables-restore
iptables-save -c
printf '*filter\n:FORWARD DROP [1:1]\nCOMMIT\n' | iptables-restore --noflush
iptables-save -c
"#,
    ),
    (
        "restore ipv6 and -6 lines",
        r#"
printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 2001:db8::1 -j DROP\n-6 -A INPUT -s 2001:db8::2 -j DROP\n-4 -A INPUT -s 1.2.3.4 -j DROP\nCOMMIT\n' | ip6tables-restore
ip6tables-save
printf '*filter\n-4 -A INPUT -s 1.2.3.4 -j DROP\n-6 -A INPUT -s 2001:db8::2 -j DROP\nCOMMIT\n' | iptables-restore
iptables-save
printf '*filter\n-A INPUT -s 1.2.3.4 -j DROP\nCOMMIT\n' | ip6tables-restore
ip6tables-save
"#,
    ),
    (
        "restore the 1.9 example twice",
        r#"
printf '*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:MYCHAIN - [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -j MYCHAIN\n-A MYCHAIN -p tcp --dport 22 -j ACCEPT\nCOMMIT\n' > /tmp/nft-diff-19.rules
iptables-restore < /tmp/nft-diff-19.rules
iptables-restore < /tmp/nft-diff-19.rules
printf '*filter\n-A INPUT -s 10.0.0.1 -j ACCEPT\nCOMMIT\n' | iptables-restore --noflush
iptables -D INPUT 1
iptables -I INPUT 2 -s 1.1.1.1 -j DROP
iptables -R INPUT 1 -s 2.2.2.2 -j DROP
iptables -E MYCHAIN NEWNAME
iptables-save
iptables -L -n -v --line-numbers
"#,
    ),
    (
        "save options",
        r#"
iptables -A INPUT -j ACCEPT
iptables -t nat -A POSTROUTING -j MASQUERADE
iptables-save -t filter
iptables-save -t nat
iptables-save -t raw
iptables-save --table mangle
iptables-save -c -t nat
iptables-save --counters
iptables-save -f /tmp/nft-diff-save-out
cat /tmp/nft-diff-save-out
iptables-save --bogus
iptables-save -t foobar
iptables-save -M /bin/true
ip6tables-save -t filter
"#,
    ),
    // ------------------------------------------------------- mixed tools
    (
        "round trip: iptables-save | rtables-restore",
        r#"
ref-iptables -N MYCHAIN
ref-iptables -P FORWARD DROP
ref-iptables -A INPUT -c 10 1000 -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT
ref-iptables -A INPUT -i lo -j MYCHAIN
ref-iptables -A MYCHAIN -m comment --comment "x y" -j RETURN
ref-iptables -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ref-iptables -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
ref-iptables -A INPUT -m limit --limit 5/min -j LOG --log-prefix "lim: "
ref-iptables -A OUTPUT -o eth+ -j DROP
ref-iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE
ref-iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2:8080
ref-iptables -t mangle -A PREROUTING -j MARK --set-mark 0x10
ref-ip6tables -A INPUT -s 2001:db8::/32 -p tcp --dport 443 -j ACCEPT
ref-iptables-save -c > /tmp/nft-diff-mixed1.v4
ref-ip6tables-save -c > /tmp/nft-diff-mixed1.v6
iptables-restore -c < /tmp/nft-diff-mixed1.v4
ip6tables-restore -c < /tmp/nft-diff-mixed1.v6
ref-iptables-save -c
ref-ip6tables-save -c
ref-iptables-save | iptables-restore
ref-iptables-save -c
ref-iptables-save | iptables-restore --noflush
ref-iptables-save
"#,
    ),
    (
        "round trip: rtables-save | iptables-restore",
        r#"
iptables -N MYCHAIN
iptables -P INPUT DROP
iptables -A INPUT -c 3 30 -s 192.168.0.0/16 -j MYCHAIN
iptables -A MYCHAIN -p udp --dport 53 -j ACCEPT
iptables -A MYCHAIN -m comment --comment "dns" -j RETURN
iptables -t nat -A POSTROUTING -o eth1 -j SNAT --to-source 1.2.3.4
ip6tables -A INPUT -p ipv6-icmp -j ACCEPT
iptables-save -c > /tmp/nft-diff-mixed2.v4
ip6tables-save -c > /tmp/nft-diff-mixed2.v6
ref-iptables-restore -c < /tmp/nft-diff-mixed2.v4
ref-ip6tables-restore -c < /tmp/nft-diff-mixed2.v6
iptables-save -c
ip6tables-save -c
"#,
    ),
    (
        "mixed: iptables rules, rtables edits",
        r#"
ref-iptables -A INPUT -s 1.1.1.1 -j ACCEPT
ref-iptables -A INPUT -s 2.2.2.2 -j ACCEPT
ref-iptables -A INPUT -p tcp --dport 22 -m comment --comment ssh -j ACCEPT
iptables -D INPUT -s 2.2.2.2 -j ACCEPT
iptables -C INPUT -p tcp --dport 22 -m comment --comment ssh -j ACCEPT
iptables -D INPUT -p tcp --dport 22 -m comment --comment ssh -j ACCEPT
iptables -I INPUT 1 -s 3.3.3.3 -j DROP
iptables -R INPUT 2 -s 4.4.4.4 -j DROP
ref-iptables -S
iptables -S
ref-iptables -A INPUT -m conntrack --ctstate NEW -j ACCEPT
iptables -D INPUT -m conntrack --ctstate NEW -j ACCEPT
iptables -S
"#,
    ),
    // ----------------------------------------------------- more commands
    (
        "delete user chain errors",
        r#"
iptables -N REF
iptables -N NONEMPTY
iptables -A NONEMPTY -j ACCEPT
iptables -A INPUT -j REF
iptables -X REF
iptables -X NONEMPTY
iptables -X
iptables -S
iptables -F NONEMPTY
iptables -X NONEMPTY
iptables -D INPUT -j REF
iptables -X REF
iptables -S
"#,
    ),
    (
        "references counts in -L",
        r#"
iptables -N A
iptables -N B
iptables -A INPUT -j A
iptables -A OUTPUT -j A
iptables -A FORWARD -g A
iptables -A A -j B
iptables -A B -j RETURN
iptables -L
iptables -L A
iptables -L B -v
iptables -L -n --line-numbers
iptables -t nat -N NATC
iptables -t nat -A PREROUTING -j NATC
iptables -t nat -L -n
"#,
    ),
    (
        "list and zero together",
        r#"
iptables -A INPUT -c 5 50 -j ACCEPT
iptables -A OUTPUT -c 6 60 -j ACCEPT
iptables -L -Z -v
iptables -L -v
iptables -A INPUT -c 7 70 -j ACCEPT
iptables -L INPUT -Z -v -n -x
iptables -S -Z
iptables -Z -L INPUT -v
iptables -Z OUTPUT 1
iptables-save -c
"#,
    ),
    (
        "-S and -L variants",
        r#"
iptables -N U
iptables -A U -s 1.1.1.1 -j RETURN
iptables -A INPUT -j U
iptables -S U
iptables -S U 1
iptables -S U 2
iptables -S INPUT 0
iptables -v -S U
iptables -L U 1
iptables -L U 1 -v
iptables -L U 1 -n -v -x --line-numbers
iptables -L U 2
iptables -S --line-numbers
iptables -L INPUT -n --line-numbers -v
iptables -L -x
iptables -n -L -t nat
iptables -t mangle -L PREROUTING -v
iptables -t raw -S PREROUTING
iptables -t raw -L OUTPUT 1
"#,
    ),
    (
        "ipv6 listing formats",
        r#"
ip6tables -N U6
!known ip6tables 1.8.9 stores 0/0 for -A ... -c P B (a bug); rtables stores the counters :: ip6tables -A INPUT -c 123456 654321 -s 2001:db8:1::/48 -d ::/0 -j U6
# the same rule with zero counters on both sides again
ip6tables -R INPUT 1 -s 2001:db8:1::/48 -d ::/0 -j U6
ip6tables -A U6 -i eth0 -o eth1 -s fe80::1 -d ff02::1/128 -j ACCEPT
ip6tables -A U6 ! -s 2001:db8::1 ! -p udp -j DROP
ip6tables -A U6 -p tcp --sport 80 -j ACCEPT
ip6tables -A U6 -p ipv6-icmp --icmpv6-type neighbour-solicitation -j ACCEPT
ip6tables -A U6 -m comment --comment "v6 comment" -j RETURN
ip6tables -A OUTPUT -d 2001:db8::1/ffff:ffff:0:0:ffff:: -j DROP
ip6tables -A OUTPUT -d 2001:db8::1/64 -j DROP
ip6tables -A OUTPUT -d 2001:db8::1/0 -j DROP
ip6tables -S
ip6tables -v -S
ip6tables -L
ip6tables -L -v
ip6tables -L -n -v -x --line-numbers
ip6tables -L U6 3
ip6tables -S U6 2
ip6tables -Z U6 1
ip6tables-save -c
"#,
    ),
    (
        "ipv6 extension headers",
        r#"
ip6tables -A INPUT -m ah --ahspi 100 -j ACCEPT
ip6tables -A INPUT -m dst --dst-len 8 -j ACCEPT
ip6tables -A INPUT -m frag --fragid 1:10 --fragfirst -j ACCEPT
ip6tables -A INPUT -m hbh --hbh-len 8 -j ACCEPT
ip6tables -A INPUT -m ipv6header --header hop-by-hop --soft -j ACCEPT
ip6tables -A INPUT -m rt --rt-type 0 -j ACCEPT
ip6tables -A INPUT -p mh -m mh --mh-type 1 -j ACCEPT
ip6tables -A INPUT -m hl --hl-eq 255 -j ACCEPT
ip6tables -t mangle -A PREROUTING -j HL --hl-set 64
ip6tables -A INPUT -m eui64 -j ACCEPT
ip6tables -t nat -A PREROUTING -j NETMAP --to 2001:db8::/64
ip6tables -t mangle -A POSTROUTING -j SNPT --src-pfx 2001:db8::/64 --dst-pfx 2001:db9::/64
ip6tables -S
ip6tables -L -n -v
ip6tables -t mangle -S
ip6tables -t nat -L -n
"#,
    ),
    (
        "ipv4 specific extensions",
        r#"
iptables -A INPUT -p ah -m ah --ahspi 100 -j ACCEPT
iptables -A INPUT -p icmp --icmp-type host-unreachable -j ACCEPT
iptables -A INPUT -p icmp --icmp-type timestamp-request -j ACCEPT
iptables -A INPUT -m ttl --ttl-lt 3 -j DROP
iptables -t mangle -A PREROUTING -j TTL --ttl-inc 1
iptables -t mangle -A PREROUTING -j ECN --ecn-tcp-remove
iptables -t nat -A PREROUTING -j NETMAP --to 10.0.0.0/24
iptables -A INPUT -m realm --realm 0x10/0xff -j ACCEPT
iptables -A INPUT -j REJECT --reject-with icmp-net-unreachable
iptables -A INPUT -j REJECT --reject-with icmp-admin-prohibited
iptables -A INPUT -j CLUSTERIP --new --hashmode sourceip --clustermac 01:AA:7B:47:F7:D7 --total-nodes 2 --local-node 1
iptables -S
iptables -L
iptables -L -n -v
iptables -t mangle -L -n
iptables -t nat -S
"#,
    ),
    (
        "wait options",
        r#"
iptables -w -L -n
iptables -w 0 -L -n
iptables -w 1 -A INPUT -j ACCEPT
iptables -w abc -L
iptables -W 100 -L -n
iptables --wait 3 --wait-interval 10 -S
iptables-restore -w < /dev/null
iptables-restore -w 5 -W 1000 < /dev/null
iptables-save
"#,
    ),
    (
        "counters on check and delete",
        r#"
iptables -A INPUT -c 1 2 -j ACCEPT
iptables -C INPUT -c 1 2 -j ACCEPT
iptables -C INPUT -c 9 9 -j ACCEPT
iptables -D INPUT -c 9 9 -j ACCEPT
iptables -S
iptables -A INPUT -j DROP
iptables -R INPUT 2 -c 4 5 -j DROP
iptables-save -c
"#,
    ),
    (
        "missing arguments",
        r#"
iptables -A INPUT -p tcp --dport
iptables -A INPUT -d
iptables -A INPUT -i
iptables -A INPUT -o
iptables -A INPUT -g
iptables -A INPUT -c 1
iptables -A INPUT -m comment --comment
iptables -A INPUT -j LOG --log-prefix
iptables -N
iptables -X INPUT extra
iptables -E
iptables -P
iptables -P INPUT
iptables -R INPUT
iptables -D
iptables -Z INPUT 1 2
iptables -L INPUT 1 2
iptables -t nat
ip6tables -A INPUT -s
ip6tables -A INPUT -p
"#,
    ),
    (
        "restore commands inside tables",
        r#"
!known a batch the kernel refuses twice: 1.8.9 prints every failing line (CHAIN_DEL of a non-empty chain, CHAIN_RENAME of a chain created in the batch), rtables reports the first failure it finds; both change nothing :: printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:U - [0:0]\n:V - [0:0]\n-A INPUT -j U\n-A U -j V\n-A V -j RETURN\n-I INPUT 1 -s 1.1.1.1 -j DROP\n-D INPUT -s 1.1.1.1 -j DROP\n-N W\n-A W -j ACCEPT\n-X W\n-P OUTPUT DROP\n-E V VV\n-Z\n-F V\n# a comment\n\nCOMMIT\n' | iptables-restore
iptables-save
printf '*filter\n:U - [0:0]\n-A U -m comment --comment "restore comment" -j RETURN\n-A U -m comment --comment "with \\"escaped\\" quotes" -j RETURN\n-A U -j LOG --log-prefix "a b: "\nCOMMIT\n' | iptables-restore --noflush
iptables-save
printf '*filter\n-R INPUT 1 -j ACCEPT\n-C INPUT -j ACCEPT\nCOMMIT\n' | iptables-restore --noflush
printf '*filter\n-L\nCOMMIT\n' | iptables-restore --noflush
printf '*filter\n-S\nCOMMIT\n' | iptables-restore --noflush
iptables-save
"#,
    ),
    (
        "restore noflush chain declarations",
        r#"
iptables -N U
iptables -A U -j ACCEPT
iptables -A INPUT -j U
printf '*filter\n:U - [0:0]\nCOMMIT\n' | iptables-restore --noflush
iptables-save
printf '*filter\n:INPUT DROP [0:0]\nCOMMIT\n' | iptables-restore --noflush
iptables-save
printf '*nat\n:NEWNAT - [0:0]\n-A PREROUTING -j NEWNAT\nCOMMIT\n' | iptables-restore --noflush
iptables-save
printf '*filter\n-F\n-X\nCOMMIT\n' | iptables-restore --noflush
iptables-save
"#,
    ),
    (
        "restore flushes only the given tables",
        r#"
iptables -A INPUT -j ACCEPT
iptables -t nat -A POSTROUTING -j MASQUERADE
iptables -t mangle -A OUTPUT -j MARK --set-mark 1
printf '*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n' | iptables-restore
iptables-save
printf '*filter\nCOMMIT\n*mangle\nCOMMIT\n' | iptables-restore
iptables-save
ip6tables -A INPUT -j ACCEPT
printf '*filter\nCOMMIT\n' | iptables-restore
ip6tables-save
"#,
    ),
    (
        "restore counters formats",
        r#"
printf '*filter\n:INPUT ACCEPT [1:2]\n[3:4] -A INPUT -j ACCEPT\n-A INPUT -c 5 6 -j ACCEPT\n[7:8] -A INPUT -c 9 10 -j ACCEPT\nCOMMIT\n' | iptables-restore -c
iptables-save -c
printf '*filter\n[3:4] -A INPUT -j ACCEPT\n-A INPUT -c 5 6 -j ACCEPT\nCOMMIT\n' | iptables-restore
iptables-save -c
printf '*filter\n[3:4 -A INPUT -j ACCEPT\nCOMMIT\n' | iptables-restore -c
printf '*filter\n[a:b] -A INPUT -j ACCEPT\nCOMMIT\n' | iptables-restore -c
printf '*filter\n:INPUT ACCEPT\nCOMMIT\n' | iptables-restore -c
printf '*filter\n:INPUT ACCEPT 1:2\nCOMMIT\n' | iptables-restore -c
iptables-save -c
"#,
    ),
    (
        "restore syntax edge cases",
        r#"
printf '*filter\n-A INPUT -j ACCEPT\nCOMMIT' | iptables-restore
iptables-save
printf '*filter\r\n-A INPUT -j ACCEPT\r\nCOMMIT\r\n' | iptables-restore
printf '  *filter\n-A INPUT -j DROP\nCOMMIT\n' | iptables-restore
printf '*filter\n  -A INPUT -j DROP\nCOMMIT\n' | iptables-restore
printf '*filter\n-A INPUT -j DROP   \nCOMMIT   \n' | iptables-restore
printf '*filter\n-A INPUT -j DROP\nCOMMIT extra\n' | iptables-restore
printf '*filter\n-A INPUT -m comment --comment "a\\nb" -j DROP\nCOMMIT\n' | iptables-restore
printf '*filter\n-A INPUT -m comment --comment a"b -j DROP\nCOMMIT\n' | iptables-restore
printf '*filter\n-A INPUT -m comment --comment "a b"c -j DROP\nCOMMIT\n' | iptables-restore
printf '*filter extra\nCOMMIT\n' | iptables-restore
printf '*\nCOMMIT\n' | iptables-restore
printf ':INPUT ACCEPT [0:0]\n' | iptables-restore
printf '*filter\n:\nCOMMIT\n' | iptables-restore
printf '*filter\n: - [0:0]\nCOMMIT\n' | iptables-restore
iptables-save
"#,
    ),
    (
        "restore ipv6 errors",
        r#"
printf '*filter\n-A INPUT -s 1.2.3.4 -j ACCEPT\nCOMMIT\n' | ip6tables-restore
printf '*filter\n-A INPUT -j NOPE\nCOMMIT\n' | ip6tables-restore
printf '*foobar\nCOMMIT\n' | ip6tables-restore
printf '*filter\n-A INPUT -j ACCEPT\n' | ip6tables-restore
printf '*filter\n-A INPUT -p icmpv6 --icmpv6-type 1 -j ACCEPT\nCOMMIT\n' | ip6tables-restore --test
printf '*nat\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n' | ip6tables-restore -T nat
ip6tables-save
"#,
    ),
    (
        "big chain positions",
        r#"
iptables -A INPUT -s 10.0.0.1 -j ACCEPT
iptables -A INPUT -s 10.0.0.2 -j ACCEPT
iptables -A INPUT -s 10.0.0.3 -j ACCEPT
iptables -A INPUT -s 10.0.0.4 -j ACCEPT
iptables -A INPUT -s 10.0.0.5 -j ACCEPT
iptables -A INPUT -s 10.0.0.6 -j ACCEPT
iptables -I INPUT 3 -s 10.0.1.3 -j DROP
iptables -I INPUT 7 -s 10.0.1.7 -j DROP
iptables -I INPUT 9 -s 10.0.1.9 -j DROP
iptables -D INPUT 4
iptables -R INPUT 8 -s 10.0.2.8 -j DROP
iptables -D INPUT 1
iptables -I INPUT -s 10.0.3.1 -j ACCEPT
iptables -L INPUT -n --line-numbers
iptables -S INPUT 5
iptables -L INPUT 5 -n
iptables -Z INPUT 5
iptables -v -S INPUT
"#,
    ),
    (
        "same rule many times",
        r#"
iptables -A INPUT -j ACCEPT
iptables -A INPUT -j ACCEPT
iptables -A INPUT -j ACCEPT
iptables -D INPUT -j ACCEPT
iptables -C INPUT -j ACCEPT
iptables -S
iptables -D INPUT -j ACCEPT
iptables -D INPUT -j ACCEPT
iptables -D INPUT -j ACCEPT
iptables -C INPUT -j ACCEPT
"#,
    ),
    (
        "chain names edge cases",
        r#"
iptables -N a-b_c.d
iptables -N 123
iptables -N x!y
iptables -N "with space"
iptables -N 'tab	tab'
iptables -N !neg
iptables -N -n
iptables -N 12345678901234567890123456789
iptables -N 1234567890123456789012345678
iptables -N RETURN
iptables -N DROP
iptables -N QUEUE
iptables -N LOG
iptables -A INPUT -j 123
iptables -A INPUT -j a-b_c.d
iptables -S
iptables -L -n
iptables-save
"#,
    ),
    // ------------------------------------------------- listing formats
    (
        "listing: ports services and protocols",
        r#"
iptables -A INPUT -p udp --dport 53 -j ACCEPT
iptables -A INPUT -p tcp --sport 80:443 -j ACCEPT
iptables -A INPUT -p tcp --dport 0:1023 -j ACCEPT
iptables -A INPUT -p tcp ! --dport 8080 -j ACCEPT
iptables -A INPUT -p udp --sport 1:2 --dport 3:4 -j ACCEPT
iptables -A INPUT -p tcp --source-port 25 --destination-port 587 -j ACCEPT
iptables -A INPUT -p tcp --syn -j ACCEPT
iptables -A INPUT -p tcp ! --syn -j ACCEPT
iptables -A INPUT -p tcp --tcp-flags FIN,ACK FIN -j ACCEPT
iptables -A INPUT -p icmp --icmp-type echo-reply -j ACCEPT
iptables -A INPUT -p icmp --icmp-type 3/1 -j ACCEPT
iptables -A INPUT -p 50 -j ACCEPT
iptables -A INPUT -p 132 -j ACCEPT
iptables -A INPUT -p all --dport 22 -j ACCEPT
iptables -L
iptables -L -n
iptables -L -v
iptables -S
"#,
    ),
    (
        "listing: LOG limit mark connmark",
        r#"
iptables -A INPUT -m limit --limit 3/hour -j LOG
iptables -A INPUT -m limit --limit 1/day --limit-burst 1 -j LOG --log-level crit
iptables -A INPUT -m limit --limit 10000/s -j LOG --log-level 7 --log-prefix "p " --log-ip-options --log-tcp-sequence --log-macdecode
iptables -A INPUT -m mark --mark 0xffffffff -j ACCEPT
iptables -A INPUT -m mark ! --mark 0x1/0x1 -j ACCEPT
iptables -A INPUT -m connmark --mark 0x10/0xf0 -j ACCEPT
iptables -A INPUT -j CONNMARK --set-xmark 0x1/0x3
iptables -A INPUT -j CONNMARK --and-mark 0x3
iptables -A INPUT -j CONNMARK --or-mark 0x3
iptables -A INPUT -j CONNMARK --xor-mark 0x3
iptables -A INPUT -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xf0
iptables -t mangle -A OUTPUT -j MARK --xor-mark 0x4
iptables -t mangle -A OUTPUT -j MARK --set-mark 0x4/0xf
iptables -L
iptables -L -n -v
iptables -S
iptables -t mangle -L -n
iptables -t mangle -S
"#,
    ),
    (
        "listing: conntrack state reject",
        r#"
iptables -A INPUT -m state --state INVALID -j DROP
iptables -A INPUT -m state ! --state NEW,RELATED -j DROP
iptables -A INPUT -m conntrack --ctstate NEW,UNTRACKED,SNAT,DNAT -j ACCEPT
iptables -A INPUT -m conntrack --ctstatus ASSURED -j ACCEPT
iptables -A INPUT -m conntrack --ctdir ORIGINAL -j ACCEPT
iptables -A INPUT -m conntrack --ctorigsrc 10.0.0.0/8 --ctorigdstport 80 -j ACCEPT
iptables -A INPUT -m conntrack --ctexpire 10:20 -j ACCEPT
iptables -A INPUT -j REJECT --reject-with icmp-net-prohibited
iptables -A INPUT -j REJECT --reject-with icmp-proto-unreachable
iptables -A INPUT -j REJECT --reject-with icmp-host-unreachable
ip6tables -A INPUT -j REJECT --reject-with icmp6-no-route
ip6tables -A INPUT -j REJECT --reject-with icmp6-addr-unreachable
ip6tables -A INPUT -j REJECT --reject-with icmp6-port-unreachable
ip6tables -A INPUT -m state --state ESTABLISHED -j ACCEPT
iptables -L
iptables -L -n -v
iptables -S
ip6tables -L
ip6tables -L -n -v
"#,
    ),
    (
        "family options -4 -6",
        r#"
iptables -4 -A INPUT -s 1.1.1.1 -j ACCEPT
iptables --ipv4 -A INPUT -s 1.1.1.2 -j ACCEPT
ip6tables -6 -A INPUT -s ::2 -j ACCEPT
ip6tables --ipv6 -A INPUT -s ::3 -j ACCEPT
!known rtables: -6 anywhere selects IPv6, so `ip6tables -4` is rtables' "-6 -4" (1.8.9 prints only the Try line) :: ip6tables -4 -A INPUT -s 1.1.1.1 -j ACCEPT
iptables -S
ip6tables -S
"#,
    ),
    (
        "empty user chain in every table",
        r#"
iptables -N E
iptables -t nat -N E
iptables -t mangle -N E
iptables -t raw -N E
iptables -t security -N E
ip6tables -N E
ip6tables -t nat -N E
iptables-save
ip6tables-save
iptables -t raw -L
iptables -t security -L -n -v
iptables -t nat -X E
iptables -t nat -S
"#,
    ),
    (
        "flush and delete all chains in nat",
        r#"
iptables -t nat -N A
iptables -t nat -N B
iptables -t nat -A A -j B
iptables -t nat -A PREROUTING -j A
iptables -t nat -X
iptables -t nat -F
iptables -t nat -X
iptables -t nat -S
iptables -t nat -L
"#,
    ),
    // --------------------------------------------------------- cross checks
    (
        "cross: mixed writers",
        r#"
iptables -A INPUT -s 1.1.1.1 -j ACCEPT
ip6tables -A INPUT -s ::1 -j ACCEPT
iptables -N C1
iptables -A C1 -m comment --comment "c one" -j RETURN
iptables -I INPUT -j C1
iptables -S
"#,
    ),
];
