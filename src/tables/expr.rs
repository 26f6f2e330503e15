//! What the kernel holds: nf_tables tables, chains and rules as plain Rust
//! values, one [`Expr`] per nf_tables expression.
//!
//! This is the layer between the libnftnl wrapper ([`super::ffi`]), which
//! turns these values into netlink messages and back, and the iptables model
//! ([`super::rule`]), which maps iptables syntax onto them. Nothing here knows
//! iptables; nothing above it touches libnftnl.

/// An address family iptables-nft uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// `ip` (NFPROTO_IPV4): iptables.
    V4,
    /// `ip6` (NFPROTO_IPV6): ip6tables.
    V6,
}

impl Family {
    /// The NFPROTO_* number.
    pub fn nfproto(self) -> u8 {
        match self {
            Family::V4 => 2,
            Family::V6 => 10,
        }
    }
    /// The nft family name (`ip`, `ip6`).
    pub fn nft_name(self) -> &'static str {
        match self {
            Family::V4 => "ip",
            Family::V6 => "ip6",
        }
    }
    /// The address length in bytes.
    pub fn addr_len(self) -> usize {
        match self {
            Family::V4 => 4,
            Family::V6 => 16,
        }
    }
}

/// `NFT_PAYLOAD_*_HEADER`: where a payload load starts.
pub mod base {
    /// Link layer header.
    pub const LL: u32 = 0;
    /// Network header.
    pub const NETWORK: u32 = 1;
    /// Transport header.
    pub const TRANSPORT: u32 = 2;
}

/// `NFT_META_*` keys used by iptables-nft.
pub mod meta {
    /// Packet length.
    pub const LEN: u32 = 0;
    /// Packet mark.
    pub const MARK: u32 = 3;
    /// Input interface index.
    pub const IIF: u32 = 4;
    /// Output interface index.
    pub const OIF: u32 = 5;
    /// Input interface name.
    pub const IIFNAME: u32 = 6;
    /// Output interface name.
    pub const OIFNAME: u32 = 7;
    /// Socket uid.
    pub const SKUID: u32 = 10;
    /// Socket gid.
    pub const SKGID: u32 = 11;
    /// nftrace bit.
    pub const NFTRACE: u32 = 12;
    /// Layer 4 protocol.
    pub const L4PROTO: u32 = 16;
    /// Packet type.
    pub const PKTTYPE: u32 = 19;
}

/// `NFT_CMP_*` operators.
pub mod cmp {
    /// `==`
    pub const EQ: u32 = 0;
    /// `!=`
    pub const NEQ: u32 = 1;
    /// `<`
    pub const LT: u32 = 2;
    /// `<=`
    pub const LTE: u32 = 3;
    /// `>`
    pub const GT: u32 = 4;
    /// `>=`
    pub const GTE: u32 = 5;
}

/// `NFT_RANGE_*` operators.
pub mod range {
    /// Inside the range.
    pub const EQ: u32 = 0;
    /// Outside the range.
    pub const NEQ: u32 = 1;
}

/// Verdict codes (`NF_*` and `NFT_*`), as the kernel stores them.
pub mod verdict {
    /// `NF_DROP`
    pub const DROP: i32 = 0;
    /// `NF_ACCEPT`
    pub const ACCEPT: i32 = 1;
    /// `NF_QUEUE`
    pub const QUEUE: i32 = 3;
    /// `NFT_CONTINUE`
    pub const CONTINUE: i32 = -1;
    /// `NFT_BREAK`
    pub const BREAK: i32 = -2;
    /// `NFT_JUMP`
    pub const JUMP: i32 = -3;
    /// `NFT_GOTO`
    pub const GOTO: i32 = -4;
    /// `NFT_RETURN`
    pub const RETURN: i32 = -5;
}

/// `NFT_REG_VERDICT`.
pub const REG_VERDICT: u32 = 0;
/// `NFT_REG_1`, the register iptables-nft loads everything into.
pub const REG_1: u32 = 1;

/// What an `immediate` expression loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImmData {
    /// A verdict, with the chain for jump/goto.
    Verdict {
        /// One of [`verdict`].
        code: i32,
        /// Target chain of a jump or goto.
        chain: Option<String>,
    },
    /// Plain data.
    Value(Vec<u8>),
}

/// One nf_tables expression. Register data is kept as the raw bytes the
/// kernel holds (network order for packet fields, host order for meta keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// `payload load LEN @ BASE + OFFSET => reg DREG`
    Payload {
        /// One of [`base`].
        base: u32,
        /// Offset in bytes.
        offset: u32,
        /// Length in bytes.
        len: u32,
        /// Destination register.
        dreg: u32,
    },
    /// `meta load KEY => reg DREG` (or `meta set KEY with reg SREG`).
    Meta {
        /// One of [`meta`].
        key: u32,
        /// Destination register, for a load.
        dreg: Option<u32>,
        /// Source register, for a set.
        sreg: Option<u32>,
    },
    /// `cmp OP reg SREG DATA`
    Cmp {
        /// Source register.
        sreg: u32,
        /// One of [`cmp`].
        op: u32,
        /// The bytes compared against.
        data: Vec<u8>,
    },
    /// `bitwise reg DREG = (reg SREG & MASK) ^ XOR`
    Bitwise {
        /// Source register.
        sreg: u32,
        /// Destination register.
        dreg: u32,
        /// Length in bytes.
        len: u32,
        /// The mask.
        mask: Vec<u8>,
        /// The xor value.
        xor: Vec<u8>,
    },
    /// `range OP reg SREG FROM TO`
    Range {
        /// Source register.
        sreg: u32,
        /// One of [`range`].
        op: u32,
        /// Lower bound.
        from: Vec<u8>,
        /// Upper bound.
        to: Vec<u8>,
    },
    /// `immediate reg DREG DATA`
    Immediate {
        /// Destination register (0 = verdict).
        dreg: u32,
        /// What is loaded.
        data: ImmData,
    },
    /// `counter pkts P bytes B`
    Counter {
        /// Packets.
        packets: u64,
        /// Bytes.
        bytes: u64,
    },
    /// An xtables match (`NFTA_MATCH_*`).
    Match {
        /// Kernel extension name.
        name: String,
        /// Revision.
        rev: u32,
        /// The extension's info blob.
        info: Vec<u8>,
    },
    /// An xtables target (`NFTA_TARGET_*`).
    Target {
        /// Kernel extension name.
        name: String,
        /// Revision.
        rev: u32,
        /// The extension's info blob.
        info: Vec<u8>,
    },
    /// `limit rate R/UNIT burst B type T flags F`
    Limit {
        /// Rate.
        rate: u64,
        /// Unit in seconds.
        unit: u64,
        /// Burst.
        burst: u32,
        /// 0 = packets, 1 = bytes.
        kind: u32,
        /// 1 = inverted.
        flags: u32,
    },
    /// `log ...` (NFLOG when a group is set).
    Log {
        /// Prefix.
        prefix: Option<String>,
        /// NFLOG group.
        group: Option<u16>,
        /// Copy length.
        snaplen: Option<u32>,
        /// Queue threshold.
        qthreshold: Option<u16>,
        /// Syslog level.
        level: Option<u32>,
        /// Log flags.
        flags: Option<u32>,
    },
    /// `lookup reg SREG set NAME`
    Lookup {
        /// Source register.
        sreg: u32,
        /// Set name.
        set: String,
        /// Destination register (maps).
        dreg: Option<u32>,
        /// Flags (1 = inverted).
        flags: u32,
    },
    /// Any other expression, kept by name with libnftnl's rendering of it so
    /// it can be shown but never mistaken for something it is not.
    Other {
        /// Expression name (`ct`, `nat`, `fib`, ...).
        name: String,
        /// libnftnl's text for it (as `nft --debug=netlink` shows it).
        text: String,
    },
}

/// A rule as the kernel holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KRule {
    /// Family.
    pub family: Option<Family>,
    /// Table name.
    pub table: String,
    /// Chain name.
    pub chain: String,
    /// Rule handle (0 when not yet in the kernel).
    pub handle: u64,
    /// `NFTA_RULE_POSITION`: insert before/after (replace: the handle to replace).
    pub position: Option<u64>,
    /// `NFTA_RULE_POSITION_ID`: position given as the batch id of a rule
    /// added earlier in the same batch.
    pub position_id: Option<u32>,
    /// `NFTA_RULE_ID`: this rule's id within its batch.
    pub id: Option<u32>,
    /// `NFTA_RULE_COMPAT` (proto, flags); never sent back by the kernel.
    pub compat: Option<(u32, u32)>,
    /// The expressions, in order.
    pub exprs: Vec<Expr>,
    /// `NFTA_RULE_USERDATA` (TLVs; type 0 = comment).
    pub userdata: Option<Vec<u8>>,
}

/// A chain as the kernel holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KChain {
    /// Family.
    pub family: Option<Family>,
    /// Table name.
    pub table: String,
    /// Chain name.
    pub name: String,
    /// Chain handle.
    pub handle: u64,
    /// Hook number and priority for base chains.
    pub hook: Option<(u32, i32)>,
    /// `NF_ACCEPT` (1) or `NF_DROP` (0), base chains only.
    pub policy: Option<u32>,
    /// Chain type (`filter`, `nat`, `route`).
    pub chain_type: Option<String>,
    /// Base-chain counters (packets, bytes), when the chain has them.
    pub counters: Option<(u64, u64)>,
    /// Number of references (jumps) the kernel counts (`NFTA_CHAIN_USE`).
    pub use_count: u32,
}

/// A table as the kernel holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KTable {
    /// Family.
    pub family: Option<Family>,
    /// Table name.
    pub name: String,
    /// Table flags.
    pub flags: u32,
    /// Table handle.
    pub handle: u64,
}

/// One step of a transaction: what to send, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// NEWTABLE with `NLM_F_CREATE`.
    AddTable(KTable),
    /// DELTABLE (a restore's table flush).
    DelTable(KTable),
    /// NEWCHAIN: a base chain (`NLM_F_CREATE`), a policy change, or a user
    /// chain (`NLM_F_EXCL` when `excl`). A chain with `handle != 0` and a new
    /// name is a rename.
    AddChain {
        /// The chain.
        chain: KChain,
        /// Send `NLM_F_EXCL` (user chain creation).
        excl: bool,
    },
    /// DELCHAIN with `NLM_F_NONREC`.
    DelChain(KChain),
    /// NEWRULE: `NLM_F_CREATE` plus `NLM_F_APPEND` when `append`, plus
    /// `NLM_F_REPLACE` when `replace` (the rule's handle names the victim).
    AddRule {
        /// The rule.
        rule: KRule,
        /// Append (after `position` when set, else at the end).
        append: bool,
        /// Replace the rule with `rule.handle`.
        replace: bool,
    },
    /// DELRULE by handle (or, with handle 0, every rule of the chain).
    DelRule(KRule),
}
