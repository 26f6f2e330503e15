//! iptables-nft's tables and built-in chains: names, hooks, priorities and
//! chain types (`xtables_ipv4[]` in iptables' nft.c), and the order save
//! prints tables in.

use super::expr::{Family, KChain};

/// One built-in chain of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinChain {
    /// Chain name (upper case).
    pub name: &'static str,
    /// nft chain type (`filter`, `nat`, `route`).
    pub chain_type: &'static str,
    /// Netfilter hook number (`NF_INET_*`).
    pub hook: u32,
    /// Priority.
    pub priority: i32,
}

/// One iptables table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableDef {
    /// Table name.
    pub name: &'static str,
    /// Built-in chains in hook order.
    pub chains: &'static [BuiltinChain],
}

/// `NF_INET_PRE_ROUTING`
pub const HOOK_PREROUTING: u32 = 0;
/// `NF_INET_LOCAL_IN`
pub const HOOK_INPUT: u32 = 1;
/// `NF_INET_FORWARD`
pub const HOOK_FORWARD: u32 = 2;
/// `NF_INET_LOCAL_OUT`
pub const HOOK_OUTPUT: u32 = 3;
/// `NF_INET_POST_ROUTING`
pub const HOOK_POSTROUTING: u32 = 4;

const fn bc(
    name: &'static str,
    chain_type: &'static str,
    hook: u32,
    priority: i32,
) -> BuiltinChain {
    BuiltinChain {
        name,
        chain_type,
        hook,
        priority,
    }
}

/// The tables in the order iptables-save prints them (`enum nft_table_type`).
pub static TABLES: &[TableDef] = &[
    TableDef {
        name: "mangle",
        chains: &[
            bc("PREROUTING", "filter", HOOK_PREROUTING, -150),
            bc("INPUT", "filter", HOOK_INPUT, -150),
            bc("FORWARD", "filter", HOOK_FORWARD, -150),
            bc("OUTPUT", "route", HOOK_OUTPUT, -150),
            bc("POSTROUTING", "filter", HOOK_POSTROUTING, -150),
        ],
    },
    TableDef {
        name: "security",
        chains: &[
            bc("INPUT", "filter", HOOK_INPUT, 150),
            bc("FORWARD", "filter", HOOK_FORWARD, 150),
            bc("OUTPUT", "filter", HOOK_OUTPUT, 150),
        ],
    },
    TableDef {
        name: "raw",
        chains: &[
            bc("PREROUTING", "filter", HOOK_PREROUTING, -300),
            bc("OUTPUT", "filter", HOOK_OUTPUT, -300),
        ],
    },
    TableDef {
        name: "filter",
        chains: &[
            bc("INPUT", "filter", HOOK_INPUT, 0),
            bc("FORWARD", "filter", HOOK_FORWARD, 0),
            bc("OUTPUT", "filter", HOOK_OUTPUT, 0),
        ],
    },
    TableDef {
        name: "nat",
        chains: &[
            bc("PREROUTING", "nat", HOOK_PREROUTING, -100),
            bc("INPUT", "nat", HOOK_INPUT, 100),
            bc("OUTPUT", "nat", HOOK_OUTPUT, -100),
            bc("POSTROUTING", "nat", HOOK_POSTROUTING, 100),
        ],
    },
];

/// Finds a table by name.
pub fn table(name: &str) -> Option<&'static TableDef> {
    TABLES.iter().find(|t| t.name == name)
}

impl TableDef {
    /// The built-in chain `name`, if this table has it.
    pub fn chain(&self, name: &str) -> Option<&'static BuiltinChain> {
        self.chains.iter().find(|c| c.name == name)
    }

    /// The kernel chain to create for built-in chain `c` with `policy`
    /// (`NF_ACCEPT` = 1, `NF_DROP` = 0).
    pub fn kchain(&self, family: Family, c: &BuiltinChain, policy: u32) -> KChain {
        KChain {
            family: Some(family),
            table: self.name.to_string(),
            name: c.name.to_string(),
            handle: 0,
            hook: Some((c.hook, c.priority)),
            policy: Some(policy),
            chain_type: Some(c.chain_type.to_string()),
            counters: None,
            use_count: 0,
        }
    }

    /// Whether a kernel chain is this table's built-in chain of that name,
    /// with iptables' hook, priority and type (a renamed or foreign base
    /// chain is not).
    pub fn is_builtin(&self, k: &KChain) -> bool {
        match self.chain(&k.name) {
            Some(c) => {
                k.hook == Some((c.hook, c.priority))
                    && k.chain_type.as_deref().is_none_or(|t| t == c.chain_type)
            }
            None => false,
        }
    }
}

/// The hook bit of a chain for `-i`/`-o` checks: `-i` is refused in
/// OUTPUT/POSTROUTING, `-o` in INPUT/PREROUTING (built-in chains only).
pub fn hook_of(table: &str, chain: &str) -> Option<u32> {
    self::table(table)
        .and_then(|t| t.chain(chain))
        .map(|c| c.hook)
}
