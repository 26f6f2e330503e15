//! Help text for rtables (man pages and completions are generated from the
//! same option list by `netlb-gen-docs`).

/// `rtables -h`.
pub fn help_text(prog: &str) -> String {
    format!(
        "{prog} {tag}

Usage: {prog} -[ACD] chain rule-specification [options]
       {prog} -I chain [rulenum] rule-specification [options]
       {prog} -R chain rulenum rule-specification [options]
       {prog} -D chain rulenum [options]
       {prog} -[LS] [chain [rulenum]] [options]
       {prog} -[FZ] [chain] [options]
       {prog} -[NX] chain
       {prog} -E old-chain-name new-chain-name
       {prog} -P chain target [options]
       {prog} -h (print this help information)

Commands:
  --append  -A chain            Append to chain
  --check   -C chain            Check for the existence of a rule
  --delete  -D chain            Delete matching rule from chain
  --delete  -D chain rulenum    Delete rule rulenum (1 = first) from chain
  --insert  -I chain [rulenum]  Insert in chain as rulenum (default 1=first)
  --replace -R chain rulenum    Replace rule rulenum (1 = first) in chain
  --list    -L [chain [rulenum]]  List the rules in a chain or all chains
  --list-rules -S [chain [rulenum]]  Print the rules in a chain or all chains
  --flush   -F [chain]          Delete all rules in chain or all chains
  --zero    -Z [chain [rulenum]]  Zero counters in chain or all chains
  --new     -N chain            Create a new user-defined chain
  --delete-chain -X [chain]     Delete a user-defined chain
  --policy  -P chain target     Change policy on chain to target
  --rename-chain -E old-chain new-chain  Change chain name (moving any references)

Options:
  --ipv4    -4                  Nothing (line is ignored by ip6tables-restore)
  --ipv6    -6                  Error (line is ignored by iptables-restore)
[!] --protocol -p proto         protocol: by number or name, eg. `tcp'
[!] --source  -s address[/mask][...]  source specification
[!] --destination -d address[/mask][...]  destination specification
[!] --in-interface -i input name[+]  network interface name ([+] for wildcard)
 --jump    -j target            target for rule (may load target extension)
  --goto   -g chain             jump to chain with no return
  --match   -m match            extended match (may load extension)
  --numeric -n                  numeric output of addresses and ports
[!] --out-interface -o output name[+]  network interface name ([+] for wildcard)
  --table   -t table            table to manipulate (default: `filter')
  --verbose -v                  verbose mode
  --wait    -w [seconds]        accepted for compatibility (nf_tables needs no lock)
  --line-numbers                print line numbers when listing
  --exact   -x                  expand numbers (display exact values)
[!] --fragment -f               match second or further fragments only
  --set-counters -c PKTS BYTES  set the counter during insert/append
  --json                        JSON output for -L/-S (schema rtables/1)
  --version -V                  print package version.
",
        tag = super::error::VERSION_TAG
    )
}
