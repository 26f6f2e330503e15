//! iptables extensions: one file per match (`matches/`) or target
//! (`targets/`), each behind the one [`Extension`] trait, the shape
//! iptables' own `extensions/` folder has.
//!
//! An extension's state is its kernel info blob (the `struct xt_*_info` the
//! kernel's xtables module reads), kept as bytes in host order exactly as
//! iptables-nft sends it in `NFTA_MATCH_INFO` / `NFTA_TARGET_INFO`. Parsing
//! fills the blob; printing (`-L`), saving (`-S`, save) and encoding read it.
//! Extensions iptables-nft encodes natively (tcp, udp, mark, limit, NFLOG,
//! TRACE) also turn their blob into nf_tables expressions ([`Extension::native`])
//! and back ([`Extension::decode_native`]).

use super::error::{XtError, XtResult};
use super::expr::{Expr, Family};

pub mod matches;
pub mod targets;
pub mod testing;
pub mod util;
pub mod xtables;

/// Match or target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `-m NAME`
    Match,
    /// `-j NAME`
    Target,
}

/// The families an extension serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Families {
    /// iptables and ip6tables (`libxt_*`).
    Both,
    /// iptables only (`libipt_*`).
    V4,
    /// ip6tables only (`libip6t_*`).
    V6,
}

impl Families {
    /// Whether `f` is served.
    pub fn has(self, f: Family) -> bool {
        matches!(
            (self, f),
            (Families::Both, _) | (Families::V4, Family::V4) | (Families::V6, Family::V6)
        )
    }
}

/// Whether an option takes an argument (getopt's `has_arg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// `--flag`
    None,
    /// `--opt VALUE`
    Required,
    /// `--opt [VALUE]`: takes the next word when it does not start with `-`
    /// (or `!`), as iptables' optional arguments do.
    Optional,
}

/// One long option of an extension.
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    /// Name without the leading `--`.
    pub name: &'static str,
    /// Argument kind.
    pub arg: Arg,
    /// `! --name` is allowed. When false, a `!` before it is refused with
    /// `EXT: option "--name" cannot be inverted.`
    pub invert: bool,
    /// The option may be given more than once. When false, a repeat is
    /// refused with `EXT: option "--name" can only be used once.`
    pub multi: bool,
}

impl Opt {
    /// A once-only option with a required argument, not invertible.
    pub const fn req(name: &'static str) -> Opt {
        Opt {
            name,
            arg: Arg::Required,
            invert: false,
            multi: false,
        }
    }
    /// A once-only, invertible option with a required argument.
    pub const fn req_inv(name: &'static str) -> Opt {
        Opt {
            name,
            arg: Arg::Required,
            invert: true,
            multi: false,
        }
    }
    /// A once-only flag without argument, not invertible.
    pub const fn flag(name: &'static str) -> Opt {
        Opt {
            name,
            arg: Arg::None,
            invert: false,
            multi: false,
        }
    }
    /// A once-only, invertible flag without argument.
    pub const fn flag_inv(name: &'static str) -> Opt {
        Opt {
            name,
            arg: Arg::None,
            invert: true,
            multi: false,
        }
    }
    /// The same option, allowed more than once (the extension checks).
    pub const fn multi(self) -> Opt {
        Opt {
            multi: true,
            ..self
        }
    }
    /// The same option with an optional argument.
    pub const fn optional(self) -> Opt {
        Opt {
            arg: Arg::Optional,
            ..self
        }
    }
}

/// What an extension knows about the rule it is parsed into.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// `ip` or `ip6`.
    pub family: Family,
    /// The protocol number given with `-p` (0 when none or `all`).
    pub proto: u8,
    /// `! -p PROTO`.
    pub proto_invert: bool,
    /// Table name (`filter`, `nat`, ...).
    pub table: &'a str,
    /// Chain name.
    pub chain: &'a str,
}

/// What an extension needs to print itself.
#[derive(Debug, Clone, Copy)]
pub struct PrintCtx {
    /// `ip` or `ip6`.
    pub family: Family,
    /// `-n`: numbers instead of names (ports, hosts, ...).
    pub numeric: bool,
    /// The rule's `-p` protocol number (0 = any).
    pub proto: u8,
}

/// An extension instance being parsed: its blob and which options were seen.
#[derive(Debug, Clone)]
pub struct State {
    /// The info blob, `size()` bytes, zeroed before `init`.
    pub blob: Vec<u8>,
    /// Bit `i` set: option `options()[i]` was given (maintained by the
    /// command-line parser before `parse` is called).
    pub seen: u64,
    /// Free bits for the extension's own bookkeeping (iptables' `flags`).
    pub flags: u32,
}

impl State {
    /// Whether option `name` was given so far (including the current one).
    pub fn saw(&self, ext: &dyn Extension, name: &str) -> bool {
        ext.options()
            .iter()
            .position(|o| o.name == name)
            .is_some_and(|i| self.seen & (1 << i) != 0)
    }
}

/// Where a native match loads its data from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load {
    /// `payload load LEN @ BASE + OFFSET`
    Payload {
        /// `NFT_PAYLOAD_*_HEADER`
        base: u32,
        /// Offset in bytes.
        offset: u32,
        /// Length in bytes.
        len: u32,
    },
    /// `meta load KEY`
    Meta {
        /// `NFT_META_*`
        key: u32,
    },
}

/// A native statement recovered from a rule's expressions, handed to the
/// extension that owns it ([`Extension::decode_native`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// `LOAD [& MASK] OP DATA`
    Cmp {
        /// What was loaded.
        load: Load,
        /// Bitwise mask applied before the comparison (xor is always 0).
        mask: Option<Vec<u8>>,
        /// `NFT_CMP_*`
        op: u32,
        /// Compared bytes.
        data: Vec<u8>,
    },
    /// `LOAD OP FROM-TO` (a `range` expression).
    Range {
        /// What was loaded.
        load: Load,
        /// `NFT_RANGE_EQ` / `NFT_RANGE_NEQ`
        op: u32,
        /// Lower bound.
        from: Vec<u8>,
        /// Upper bound.
        to: Vec<u8>,
    },
    /// A self-contained expression (`limit`, `log`, `meta set` after an
    /// `immediate`, ...).
    Expr(Expr),
}

/// One iptables match or target.
///
/// Every method that reads a blob must cope with a blob of any length (a
/// foreign or newer rule may carry one): read through [`util::rd_u32`] and
/// friends, which return 0 outside the blob, and never index directly.
pub trait Extension: Sync {
    /// Match or target.
    fn kind(&self) -> Kind;
    /// The name users write after `-m` / `-j`.
    fn name(&self) -> &'static str;
    /// The kernel's extension name (`state` is `conntrack`, `NOTRACK` is `CT`).
    fn kernel_name(&self) -> &'static str {
        self.name()
    }
    /// The revision iptables-nft 1.8.9 sends on this kernel.
    fn revision(&self) -> u32;
    /// Families served.
    fn families(&self) -> Families {
        Families::Both
    }
    /// Blob size sent to the kernel (already `XT_ALIGN`ed as iptables does).
    fn size(&self, family: Family) -> usize;
    /// Leading bytes that `-C`/`-D` compare (iptables' `userspacesize`);
    /// the rest is kernel-private.
    fn userspace_size(&self, family: Family) -> usize {
        self.size(family)
    }
    /// The long options, in iptables' order.
    fn options(&self) -> &'static [Opt];
    /// Fills defaults into the zeroed blob.
    fn init(&self, _ctx: &Ctx<'_>, _st: &mut State) {}
    /// Parses one option (`opt` is the full option name from
    /// [`Extension::options`]); `invert` is a preceding `!`.
    fn parse(
        &self,
        ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()>;
    /// Checks the whole instance once all options are parsed.
    fn final_check(&self, _ctx: &Ctx<'_>, _st: &mut State) -> XtResult<()> {
        Ok(())
    }
    /// The `-L` text, each part with its leading space (` tcp dpt:22`).
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String);
    /// The `-S`/save text after `-m NAME`/`-j NAME`, each option with its
    /// leading space (` --dport 22`).
    fn save(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String);
    /// The name printed after `-m`/`-j` for this blob (conntrack prints
    /// `state` for a `-m state` blob).
    fn save_name(&self, _blob: &[u8]) -> &'static str {
        self.name()
    }
    /// Whether a kernel blob with this name and revision belongs to this
    /// extension (conntrack claims `state` blobs too, but `state` is found
    /// through conntrack; the default matches `kernel_name` and `revision`).
    fn claims(&self, kernel_name: &str, rev: u32) -> bool {
        kernel_name == self.kernel_name() && rev == self.revision()
    }
    /// The native nf_tables encoding iptables-nft 1.8.9 uses instead of a
    /// compat expression, or `None` to send the blob as a compat
    /// match/target.
    fn native(&self, _ctx: &Ctx<'_>, _blob: &[u8]) -> Option<Vec<Expr>> {
        None
    }
    /// Rebuilds a blob from native statements (the inverse of
    /// [`Extension::native`], also for what newer iptables or nft wrote), or
    /// `None` when they cannot be expressed by this extension.
    fn decode_native(&self, _family: Family, _fields: &[Field]) -> Option<Vec<u8>> {
        None
    }
}

/// An extension reference, as stored in rules.
pub type Ext = &'static dyn Extension;

macro_rules! registry {
    ($($group:ident :: $module:ident),* $(,)?) => {
        /// Every extension, in registry order.
        pub fn all() -> impl Iterator<Item = Ext> {
            [$($group::$module::EXTS),*].into_iter().flatten().copied()
        }
    };
}

include!("registry.rs");

/// Finds the extension users name `name` (`-m name` / `-j name`).
pub fn find(kind: Kind, name: &str, family: Family) -> Option<Ext> {
    type Index = std::collections::HashMap<(bool, &'static str), Vec<Ext>>;
    static INDEX: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
    let idx = INDEX.get_or_init(|| {
        let mut m: Index = std::collections::HashMap::new();
        for e in all() {
            m.entry((e.kind() == Kind::Target, e.name()))
                .or_default()
                .push(e);
        }
        m
    });
    idx.get(&(kind == Kind::Target, name))?
        .iter()
        .copied()
        .find(|e| e.families().has(family))
}

/// Finds the extension that decodes a kernel blob.
pub fn find_kernel(kind: Kind, kernel_name: &str, rev: u32, family: Family) -> Option<Ext> {
    type Index = std::collections::HashMap<(bool, &'static str), Vec<Ext>>;
    static INDEX: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
    let idx = INDEX.get_or_init(|| {
        let mut m: Index = std::collections::HashMap::new();
        for e in all() {
            m.entry((e.kind() == Kind::Target, e.kernel_name()))
                .or_default()
                .push(e);
        }
        m
    });
    idx.get(&(kind == Kind::Target, kernel_name))?
        .iter()
        .copied()
        .find(|e| e.families().has(family) && e.claims(kernel_name, rev))
}

/// Whether some extension of this kind has this kernel name at any
/// revision (for ` [unsupported revision]`).
pub fn known_kernel_name(kind: Kind, kernel_name: &str, family: Family) -> Option<Ext> {
    all().find(|e| e.kind() == kind && e.families().has(family) && e.kernel_name() == kernel_name)
}

/// `Couldn't load match `NAME':No such file or directory` and friends.
pub fn not_found(kind: Kind, name: &str) -> XtError {
    match kind {
        Kind::Match => XtError::param(format!(
            "Couldn't load match `{name}':No such file or directory\n"
        )),
        Kind::Target => XtError::param(format!(
            "Couldn't load target `{name}':No such file or directory\n"
        )),
    }
}

impl std::fmt::Debug for dyn Extension {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let k = match self.kind() {
            Kind::Match => "-m",
            Kind::Target => "-j",
        };
        write!(f, "{k} {}", self.name())
    }
}

/// Whether two extension references are the same extension.
pub fn same(a: Ext, b: Ext) -> bool {
    a.kind() == b.kind() && a.name() == b.name() && a.families() == b.families()
}
