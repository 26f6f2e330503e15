//! Commands as nf_tables transactions.
//!
//! A [`Tx`] holds what a transaction has read of the kernel (tables,
//! chains, and the rules of the chains it needed) and the ops it will send;
//! every command mutates that view and appends ops, so a restore is many
//! commands in one transaction. [`Engine::transact`] reads the generation
//! id first and commits with it: if another writer changed the ruleset in
//! between, the kernel refuses the batch and the whole transaction is
//! rebuilt from a fresh read and sent again, so parallel writers lose
//! nothing.

use std::collections::HashMap;

use super::builtin::{self, TableDef};
use super::cli::Command;
use super::error::{status, XtError, XtResult};
use super::expr::{Expr, Family, KChain, KRule, KTable, Op};
use super::render::{ChainView, TableView};
use super::rule::{self, Place, Rule, Target};
use super::socket::{CommitError, NfSocket};

/// From this many chains on, rules are read on two sockets in parallel.
const PARALLEL_MIN_CHAINS: usize = 64;

/// Up to this many chains, rules are dumped chain by chain.
const PER_CHAIN_DUMP_LIMIT: usize = 2000;

/// How many times a transaction is rebuilt after a concurrent change.
const MAX_RETRIES: usize = 1000;

/// A rule in a transaction's view.
#[derive(Debug, Clone)]
pub struct VRule {
    /// The kernel rule (handle 0 and `id` set when added in this
    /// transaction).
    pub k: KRule,
    /// The decoded rule, once needed.
    pub rule: Option<Rule>,
}

/// A chain in a transaction's view.
#[derive(Debug, Clone)]
pub struct VChain {
    /// The kernel chain (handle 0 when created in this transaction).
    pub k: KChain,
    /// An iptables built-in chain of this table.
    pub builtin: bool,
    /// In the kernel or created in this transaction (built-in chains are
    /// listed even when they do not exist yet).
    pub exists: bool,
    /// The rules, once read.
    pub rules: Option<Vec<VRule>>,
}

/// A table in a transaction's view.
#[derive(Debug, Clone)]
pub struct VTable {
    /// iptables' definition.
    pub def: &'static TableDef,
    /// In the kernel or created in this transaction.
    pub exists: bool,
    /// Chains: kernel order, then created ones.
    pub chains: Vec<VChain>,
    /// Chain name → index into `chains`.
    index: HashMap<String, usize>,
}

impl VTable {
    fn reindex(&mut self) {
        self.index = self
            .chains
            .iter()
            .enumerate()
            .map(|(i, c)| (c.k.name.clone(), i))
            .collect();
    }

    fn push_chain(&mut self, c: VChain) {
        self.index.insert(c.k.name.clone(), self.chains.len());
        self.chains.push(c);
    }
}

/// What an op was, for kernel error messages (` RULE_APPEND failed
/// (Invalid argument): rule in chain INPUT`).
#[derive(Debug, Clone)]
struct OpDesc {
    what: &'static str,
    obj: String,
    line: Option<usize>,
}

/// One transaction being built.
pub struct Tx<'a> {
    sock: &'a mut NfSocket,
    /// Family.
    pub family: Family,
    tables: Vec<VTable>,
    kernel_tables: Option<Vec<KTable>>,
    ops: Vec<Op>,
    descs: Vec<OpDesc>,
    next_id: u32,
    /// Text for stdout, printed once the transaction committed.
    pub out: String,
    /// Whether some listed rule could not be expressed.
    pub lossy: bool,
    /// The restore input line being executed (for error messages).
    pub line: Option<usize>,
    /// Restore checks jump targets at COMMIT (when `Some`): the pending
    /// (table index, chain) pairs.
    pub defer_jumps: Option<Vec<(usize, String)>>,
    /// Policy counters given to built-in chains (restore `-c`).
    pub policy_counters: Option<(u64, u64)>,
    /// An error to report after the transaction committed (1.8.9 applies
    /// some changes and still fails).
    pub post_error: Option<XtError>,
    /// User chains deleted in this transaction (table index, name).
    ever_user_chains: std::collections::HashSet<(usize, String)>,
    /// Commands on one chain: tables are read chain by chain, by name,
    /// instead of listing every chain (set before the first `table` call).
    pub lazy: bool,
    /// In lazy mode: the (table index, chain) names already looked up.
    looked_up: std::collections::HashSet<(usize, String)>,
}

fn no_chain() -> XtError {
    XtError::bare(status::OTHER, "No chain/target/match by that name.")
}

fn kerr(e: crate::netlink::Error) -> XtError {
    XtError::with_status(status::RESOURCE, format!("kernel request failed: {e}"))
}

/// `strerror()` text for an errno.
pub fn strerror(errno: i32) -> String {
    let s = std::io::Error::from_raw_os_error(errno).to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

impl<'a> Tx<'a> {
    fn new(sock: &'a mut NfSocket, family: Family) -> Self {
        Tx {
            sock,
            family,
            tables: Vec::new(),
            kernel_tables: None,
            ops: Vec::new(),
            descs: Vec::new(),
            next_id: 1,
            out: String::new(),
            lossy: false,
            line: None,
            defer_jumps: None,
            policy_counters: None,
            post_error: None,
            ever_user_chains: std::collections::HashSet::new(),
            lazy: false,
            looked_up: std::collections::HashSet::new(),
        }
    }

    fn push(&mut self, op: Op, what: &'static str, obj: String) {
        self.ops.push(op);
        let line = self.line;
        self.descs.push(OpDesc { what, obj, line });
    }

    fn kernel_tables(&mut self) -> XtResult<&[KTable]> {
        if self.kernel_tables.is_none() {
            let t = self.sock.tables(self.family).map_err(kerr)?;
            self.kernel_tables = Some(t);
        }
        Ok(self.kernel_tables.as_deref().unwrap_or(&[]))
    }

    /// The table `name`, read from the kernel on first use. Unknown table
    /// names are refused like iptables does (exit 3).
    pub fn table(&mut self, name: &str) -> XtResult<usize> {
        if let Some(i) = self.tables.iter().position(|t| t.def.name == name) {
            return Ok(i);
        }
        let def = builtin::table(name).ok_or_else(|| {
            XtError::with_status(status::VERSION, format!("table '{name}' does not exist"))
        })?;
        let exists = self.kernel_tables()?.iter().any(|t| t.name == name);
        let mut chains: Vec<VChain> = Vec::new();
        if exists && !self.lazy {
            for k in self.sock.chains(self.family, Some(name)).map_err(kerr)? {
                if k.table != name {
                    continue;
                }
                let builtin = def.is_builtin(&k);
                chains.push(VChain {
                    k,
                    builtin,
                    exists: true,
                    rules: None,
                });
            }
        }
        for c in def.chains {
            if !chains.iter().any(|v| v.builtin && v.k.name == c.name) {
                chains.push(VChain {
                    k: def.kchain(self.family, c, 1),
                    builtin: true,
                    exists: false,
                    rules: Some(Vec::new()),
                });
            }
        }
        let mut vt = VTable {
            def,
            exists,
            chains,
            index: HashMap::new(),
        };
        vt.reindex();
        self.tables.push(vt);
        Ok(self.tables.len() - 1)
    }

    /// The index of chain `name`; in lazy mode it is first looked up in the
    /// kernel (one `GETCHAIN`), once per name.
    fn lookup(&mut self, t: usize, name: &str) -> XtResult<Option<usize>> {
        if self.lazy && self.tables[t].exists && self.looked_up.insert((t, name.to_string())) {
            let table = self.tables[t].def.name;
            if let Some(k) = self.sock.chain(self.family, table, name).map_err(kerr)? {
                let builtin = self.tables[t].def.is_builtin(&k);
                let v = VChain {
                    k,
                    builtin,
                    exists: true,
                    rules: None,
                };
                match self.chain_idx(t, name) {
                    Some(i) => self.tables[t].chains[i] = v,
                    None => self.tables[t].push_chain(v),
                }
            }
        }
        Ok(self.chain_idx(t, name))
    }

    fn chain_idx(&self, t: usize, name: &str) -> Option<usize> {
        self.tables[t].index.get(name).copied()
    }

    /// An existing chain (built-in chains are created on demand, as
    /// iptables-nft does).
    fn ensure_chain(&mut self, t: usize, name: &str) -> XtResult<usize> {
        let c = self.lookup(t, name)?.ok_or_else(no_chain)?;
        if self.tables[t].chains[c].exists {
            return Ok(c);
        }
        if !self.tables[t].chains[c].builtin {
            return Err(no_chain());
        }
        self.ensure_table(t);
        let k = self.tables[t].chains[c].k.clone();
        self.push(
            Op::AddChain {
                chain: k,
                excl: false,
            },
            "CHAIN_ADD",
            format!("chain {name}"),
        );
        self.tables[t].chains[c].exists = true;
        Ok(c)
    }

    fn ensure_table(&mut self, t: usize) {
        if self.tables[t].exists {
            return;
        }
        let name = self.tables[t].def.name;
        self.push(
            Op::AddTable(KTable {
                family: Some(self.family),
                name: name.to_string(),
                ..KTable::default()
            }),
            "TABLE_ADD",
            format!("table {name}"),
        );
        self.tables[t].exists = true;
    }

    /// The rules of a chain, read on first use.
    fn load_rules(&mut self, t: usize, c: usize) -> XtResult<()> {
        if self.tables[t].chains[c].rules.is_some() {
            return Ok(());
        }
        let table = self.tables[t].def.name.to_string();
        let chain = self.tables[t].chains[c].k.name.clone();
        let ks = self
            .sock
            .rules(self.family, &table, Some(&chain))
            .map_err(kerr)?;
        let v = ks
            .into_iter()
            .filter(|k| k.chain == chain)
            .map(|k| VRule { k, rule: None })
            .collect();
        self.tables[t].chains[c].rules = Some(v);
        Ok(())
    }

    /// Reads and decodes the rules of many chains on two sockets at once:
    /// the kernel's dump work and the decoding run on two cores. The
    /// transaction re-reads the generation id afterwards, so a change in
    /// between makes it start over.
    fn load_parallel(&mut self, t: usize, missing: &[usize]) -> XtResult<()> {
        let family = self.family;
        let table = self.tables[t].def.name;
        let names: Vec<String> = missing
            .iter()
            .map(|&c| self.tables[t].chains[c].k.name.clone())
            .collect();
        let half = names.len() / 2;
        let (first, second) = names.split_at(half);
        let fetch = |sock: &mut NfSocket, chains: &[String]| -> XtResult<Vec<Vec<VRule>>> {
            let refs: Vec<&str> = chains.iter().map(String::as_str).collect();
            let all = sock.rules_of_chains(family, table, &refs).map_err(kerr)?;
            Ok(all
                .into_iter()
                .map(|ks| {
                    ks.into_iter()
                        .map(|k| {
                            let r = rule::decode(&k, family);
                            VRule { k, rule: Some(r) }
                        })
                        .collect()
                })
                .collect())
        };
        let sock = &mut *self.sock;
        let (a, b) = std::thread::scope(|s| {
            let h = s.spawn(|| -> XtResult<Vec<Vec<VRule>>> {
                let mut other = NfSocket::open().map_err(kerr)?;
                fetch(&mut other, second)
            });
            let a = fetch(sock, first);
            let b = h
                .join()
                .unwrap_or_else(|_| Err(XtError::other("rule reader thread failed")));
            (a, b)
        });
        for (c, rules) in missing.iter().zip(a?.into_iter().chain(b?)) {
            self.tables[t].chains[*c].rules = Some(rules);
        }
        Ok(())
    }

    /// Reads every chain's rules of a table with one dump.
    fn load_all_rules(&mut self, t: usize) -> XtResult<()> {
        if !self.tables[t].exists || self.tables[t].chains.iter().all(|c| c.rules.is_some()) {
            return Ok(());
        }
        // The kernel resumes a rule dump by skipping every rule before the
        // resume point, for each 32 KiB reply: one dump per chain keeps that
        // skip short (iptables does the same); with very many chains one
        // table dump costs fewer round trips.
        let missing: Vec<usize> = (0..self.tables[t].chains.len())
            .filter(|&c| self.tables[t].chains[c].rules.is_none())
            .collect();
        if missing.len() >= PARALLEL_MIN_CHAINS {
            return self.load_parallel(t, &missing);
        }
        if missing.len() < PER_CHAIN_DUMP_LIMIT {
            for c in missing {
                self.load_rules(t, c)?;
            }
            return Ok(());
        }
        let table = self.tables[t].def.name.to_string();
        let ks = self.sock.rules(self.family, &table, None).map_err(kerr)?;
        let mut by_chain: HashMap<String, Vec<VRule>> = HashMap::new();
        for k in ks {
            by_chain
                .entry(k.chain.clone())
                .or_default()
                .push(VRule { k, rule: None });
        }
        for c in &mut self.tables[t].chains {
            if c.rules.is_none() {
                c.rules = Some(by_chain.remove(&c.k.name).unwrap_or_default());
            }
        }
        Ok(())
    }

    fn decoded(&mut self, t: usize, c: usize) -> XtResult<&mut Vec<VRule>> {
        self.load_rules(t, c)?;
        let family = self.family;
        let rules = self.tables[t].chains[c].rules.get_or_insert_with(Vec::new);
        for r in rules.iter_mut() {
            if r.rule.is_none() {
                r.rule = Some(rule::decode(&r.k, family));
            }
        }
        Ok(rules)
    }

    fn check_target(&mut self, t: usize, r: &Rule) -> XtResult<()> {
        if let Target::Jump(c) | Target::Goto(c) = &r.target {
            // QUEUE is a standard target name to iptables; the kernel
            // answers it (there is no such chain).
            if c == "QUEUE" {
                return Ok(());
            }
            if let Some(d) = self.defer_jumps.as_mut() {
                d.push((t, c.clone()));
                return Ok(());
            }
            let ok = self.lookup(t, c)?.is_some_and(|i| {
                self.tables[t].chains[i].exists && !self.tables[t].chains[i].builtin
            });
            if !ok {
                return Err(XtError::param(format!("Chain '{c}' does not exist")));
            }
        }
        Ok(())
    }

    /// `-L CHAIN` / `-S CHAIN` in lazy mode: the table with that one chain
    /// (read by name, its rules only), or `None` when it does not exist.
    /// References are the kernel's use count less the chain's own rules
    /// (the kernel counts both).
    pub fn view_chain(&mut self, table: &str, chain: &str) -> XtResult<Option<TableView>> {
        let t = self.table(table)?;
        let Some(c) = self.lookup(t, chain)? else {
            return Ok(None);
        };
        if !self.tables[t].chains[c].exists && !self.tables[t].chains[c].builtin {
            return Ok(None);
        }
        if self.tables[t].chains[c].exists {
            self.load_rules(t, c)?;
        }
        let family = self.family;
        let ch = &mut self.tables[t].chains[c];
        let rules: Vec<Rule> = ch
            .rules
            .get_or_insert_with(Vec::new)
            .iter_mut()
            .map(|r| r.rule.take().unwrap_or_else(|| rule::decode(&r.k, family)))
            .collect();
        let refs = ch.k.use_count.saturating_sub(rules.len() as u32);
        let view = ChainView {
            name: ch.k.name.clone(),
            policy: if ch.builtin {
                Some(if ch.k.policy == Some(0) {
                    "DROP"
                } else {
                    "ACCEPT"
                })
            } else {
                None
            },
            counters: ch.k.counters.unwrap_or((0, 0)),
            refs,
            rules,
        };
        Ok(Some(TableView {
            family,
            name: table.to_string(),
            chains: vec![view],
        }))
    }

    fn new_krule(&mut self, t: usize, chain: &str, r: &Rule) -> KRule {
        let mut k = rule::encode(
            r,
            Place {
                family: self.family,
                table: self.tables[t].def.name,
                chain,
            },
        );
        k.id = Some(self.next_id);
        self.next_id += 1;
        k
    }

    /// `-A`
    pub fn append(&mut self, table: &str, chain: &str, r: Rule) -> XtResult<()> {
        let t = self.table(table)?;
        self.check_target(t, &r)?;
        let c = self.ensure_chain(t, chain)?;
        let k = self.new_krule(t, chain, &r);
        if let Some(rules) = self.tables[t].chains[c].rules.as_mut() {
            rules.push(VRule {
                k: meta_only(&k),
                rule: Some(r),
            });
        }
        self.push(
            Op::AddRule {
                rule: k,
                append: true,
                replace: false,
            },
            "RULE_APPEND",
            format!("rule in chain {chain}"),
        );
        Ok(())
    }

    /// `-I chain N`
    pub fn insert(&mut self, table: &str, chain: &str, n: u32, r: Rule) -> XtResult<()> {
        let t = self.table(table)?;
        self.check_target(t, &r)?;
        let c = self.ensure_chain(t, chain)?;
        self.load_rules(t, c)?;
        let mut k = self.new_krule(t, chain, &r);
        let rules = self.tables[t].chains[c].rules.get_or_insert_with(Vec::new);
        let len = rules.len();
        let n = n as usize;
        if n > len + 1 {
            return Err(XtError::bare(status::OTHER, "Index of insertion too big."));
        }
        let append = if n == len + 1 {
            len > 0
        } else {
            let reference = &rules[n - 1].k;
            if reference.handle != 0 {
                k.position = Some(reference.handle);
            } else {
                k.position_id = reference.id;
            }
            false
        };
        rules.insert(
            n - 1,
            VRule {
                k: meta_only(&k),
                rule: Some(r),
            },
        );
        self.push(
            Op::AddRule {
                rule: k,
                append,
                replace: false,
            },
            "RULE_INSERT",
            format!("rule in chain {chain}"),
        );
        Ok(())
    }

    /// `-R chain N`
    pub fn replace(&mut self, table: &str, chain: &str, n: u32, r: Rule) -> XtResult<()> {
        let t = self.table(table)?;
        self.check_target(t, &r)?;
        let c = self.ensure_existing(t, chain)?;
        self.load_rules(t, c)?;
        let mut k = self.new_krule(t, chain, &r);
        let rules = self.tables[t].chains[c].rules.get_or_insert_with(Vec::new);
        let n = n as usize;
        if n > rules.len() {
            return Err(XtError::bare(
                status::OTHER,
                "Index of replacement too big.",
            ));
        }
        let old = rules[n - 1].k.handle;
        if old == 0 {
            return Err(XtError::bare(
                status::OTHER,
                "Cannot replace a rule added earlier in the same transaction.",
            ));
        }
        k.handle = old;
        rules[n - 1] = VRule {
            k: meta_only(&k),
            rule: Some(r),
        };
        self.push(
            Op::AddRule {
                rule: k,
                append: false,
                replace: true,
            },
            "RULE_REPLACE",
            format!("rule in chain {chain}"),
        );
        Ok(())
    }

    fn delete_at(&mut self, t: usize, c: usize, idx: usize) {
        let chain = self.tables[t].chains[c].k.name.clone();
        let Some(rules) = self.tables[t].chains[c].rules.as_mut() else {
            return;
        };
        let v = rules.remove(idx);
        let mut k = KRule {
            family: Some(self.family),
            table: self.tables[t].def.name.to_string(),
            chain: chain.clone(),
            handle: v.k.handle,
            ..KRule::default()
        };
        if v.k.handle == 0 {
            k.id = v.k.id;
        }
        self.push(
            Op::DelRule(k),
            "RULE_DELETE",
            format!("rule in chain {chain}"),
        );
    }

    /// `-D chain N`
    pub fn delete_num(&mut self, table: &str, chain: &str, n: u32) -> XtResult<()> {
        let t = self.table(table)?;
        let c = self.ensure_existing(t, chain)?;
        self.load_rules(t, c)?;
        let len = self.tables[t].chains[c].rules.as_ref().map_or(0, Vec::len);
        if n as usize > len {
            return Err(XtError::bare(status::OTHER, "Index of deletion too big."));
        }
        self.delete_at(t, c, n as usize - 1);
        Ok(())
    }

    fn find_rule(&mut self, t: usize, c: usize, r: &Rule) -> XtResult<Option<usize>> {
        let rules = self.decoded(t, c)?;
        Ok(rules
            .iter()
            .position(|v| v.rule.as_ref().is_some_and(|x| x.same_as(r))))
    }

    fn ensure_existing(&mut self, t: usize, chain: &str) -> XtResult<usize> {
        match self.lookup(t, chain)? {
            Some(c) if self.tables[t].chains[c].exists => Ok(c),
            _ => Err(no_chain()),
        }
    }

    /// `-D chain rule-spec`
    pub fn delete(&mut self, table: &str, chain: &str, r: &Rule) -> XtResult<()> {
        let t = self.table(table)?;
        self.check_target(t, r)?;
        let c = self.ensure_existing(t, chain).map_err(|_| bad_rule())?;
        match self.find_rule(t, c, r)? {
            Some(i) => {
                self.delete_at(t, c, i);
                Ok(())
            }
            None => Err(bad_rule()),
        }
    }

    /// `-C chain rule-spec`
    pub fn check(&mut self, table: &str, chain: &str, r: &Rule) -> XtResult<()> {
        let t = self.table(table)?;
        self.check_target(t, r)?;
        let c = self.ensure_existing(t, chain).map_err(|_| bad_rule())?;
        match self.find_rule(t, c, r)? {
            Some(_) => Ok(()),
            None => Err(bad_rule()),
        }
    }

    /// `-F [chain]`
    pub fn flush(&mut self, table: &str, chain: Option<&str>, verbose: bool) -> XtResult<()> {
        let t = self.table(table)?;
        let idx: Vec<usize> = match chain {
            Some(ch) => vec![self.ensure_existing(t, ch)?],
            None => self.all_chains_created(t, verbose)?,
        };
        for c in idx {
            let name = self.tables[t].chains[c].k.name.clone();
            if verbose {
                self.out.push_str(&format!("Flushing chain `{name}'\n"));
            }
            if !self.tables[t].chains[c].exists {
                continue;
            }
            self.tables[t].chains[c].rules = Some(Vec::new());
            self.push(
                Op::DelRule(KRule {
                    family: Some(self.family),
                    table: table.to_string(),
                    chain: name.clone(),
                    ..KRule::default()
                }),
                "RULE_FLUSH",
                format!("chain {name}"),
            );
        }
        Ok(())
    }

    /// `-Z [chain [N]]`: every rule is replaced by itself with zeroed counters.
    pub fn zero(
        &mut self,
        table: &str,
        chain: Option<&str>,
        n: Option<u32>,
        verbose: bool,
    ) -> XtResult<()> {
        let t = self.table(table)?;
        let idx: Vec<usize> = match chain {
            Some(ch) => vec![self.ensure_existing(t, ch)?],
            None => self.all_chains_created(t, verbose)?,
        };
        for c in idx {
            let name = self.tables[t].chains[c].k.name.clone();
            if verbose && n.is_none() {
                self.out.push_str(&format!("Zeroing chain `{name}'\n"));
            }
            if !self.tables[t].chains[c].exists {
                continue;
            }
            let family = self.family;
            let rules = self.decoded(t, c)?.clone();
            for (i, v) in rules.iter().enumerate() {
                if n.is_some_and(|n| n as usize != i + 1) {
                    continue;
                }
                let has = v
                    .k
                    .exprs
                    .iter()
                    .any(|e| matches!(e, Expr::Counter { packets, bytes } if *packets != 0 || *bytes != 0));
                if !has || v.k.handle == 0 {
                    continue;
                }
                let mut k = v.k.clone();
                for e in &mut k.exprs {
                    if let Expr::Counter { packets, bytes } = e {
                        *packets = 0;
                        *bytes = 0;
                    }
                }
                if let Some(r) = &v.rule {
                    k.compat = Some((u32::from(r.spec.proto), u32::from(r.spec.proto_inv)));
                }
                k.family = Some(family);
                self.push(
                    Op::AddRule {
                        rule: k,
                        append: false,
                        replace: true,
                    },
                    "RULE_REPLACE",
                    format!("rule in chain {name}"),
                );
            }
        }
        Ok(())
    }

    /// `-N chain`
    pub fn new_chain(&mut self, table: &str, chain: &str) -> XtResult<()> {
        let t = self.table(table)?;
        if let Some(c) = self.chain_idx(t, chain) {
            if self.tables[t].chains[c].exists || self.tables[t].chains[c].builtin {
                return Err(XtError::bare(status::OTHER, "Chain already exists."));
            }
        }
        self.ensure_table(t);
        let k = KChain {
            family: Some(self.family),
            table: table.to_string(),
            name: chain.to_string(),
            ..KChain::default()
        };
        self.tables[t].push_chain(VChain {
            k: k.clone(),
            builtin: false,
            exists: true,
            rules: Some(Vec::new()),
        });
        self.push(
            Op::AddChain {
                chain: k,
                excl: true,
            },
            "CHAIN_USER_ADD",
            format!("chain {chain}"),
        );
        Ok(())
    }

    /// `-X [chain]`
    pub fn delete_chain(
        &mut self,
        table: &str,
        chain: Option<&str>,
        verbose: bool,
    ) -> XtResult<()> {
        let t = self.table(table)?;
        let idx: Vec<usize> = match chain {
            Some(ch) => {
                // iptables 1.8.9 refuses an empty built-in chain as missing
                // and sends a busy one to the kernel, which refuses it.
                let c = self.ensure_existing(t, ch)?;
                if self.tables[t].chains[c].builtin {
                    self.load_rules(t, c)?;
                    if self.tables[t].chains[c]
                        .rules
                        .as_ref()
                        .is_none_or(Vec::is_empty)
                    {
                        // 1.8.9 deletes the empty base chain and still
                        // reports it as missing.
                        self.post_error = Some(no_chain());
                    }
                }
                vec![c]
            }
            None => {
                // Every user chain, and (1.8.9) every empty built-in chain
                // that exists.
                let mut v = Vec::new();
                // Kernel (creation) order, as iptables sends them.
                for c in 0..self.tables[t].chains.len() {
                    let ch = &self.tables[t].chains[c];
                    if !ch.exists {
                        continue;
                    }
                    if ch.builtin {
                        // Only a built-in chain that is empty and accepts.
                        if ch.k.policy == Some(0) {
                            continue;
                        }
                        self.load_rules(t, c)?;
                        if self.tables[t].chains[c]
                            .rules
                            .as_ref()
                            .is_some_and(|r| !r.is_empty())
                        {
                            continue;
                        }
                    }
                    v.push(c);
                }
                v
            }
        };
        let mut gone = Vec::new();
        for c in idx {
            let k = self.tables[t].chains[c].k.clone();
            if verbose {
                self.out.push_str(&format!("Deleting chain `{}'\n", k.name));
            }
            gone.push(k.name.clone());
            if !self.tables[t].chains[c].builtin {
                self.ever_user_chains.insert((t, k.name.clone()));
            }
            let name = k.name.clone();
            self.push(Op::DelChain(k), "CHAIN_DEL", format!("chain {name}"));
        }
        let gone: std::collections::HashSet<String> = gone.into_iter().collect();
        let def = self.tables[t].def;
        let family = self.family;
        for c in &mut self.tables[t].chains {
            if c.builtin && gone.contains(&c.k.name) {
                // A deleted built-in chain is listed (synthesized) again.
                if let Some(bc) = def.chain(&c.k.name) {
                    c.k = def.kchain(family, bc, 1);
                }
                c.exists = false;
                c.rules = Some(Vec::new());
            }
        }
        self.tables[t]
            .chains
            .retain(|c| c.builtin || !gone.contains(&c.k.name));
        self.tables[t].reindex();
        Ok(())
    }

    /// `-P chain policy`
    pub fn policy(&mut self, table: &str, chain: &str, policy: &str) -> XtResult<()> {
        let t = self.table(table)?;
        let def = self.tables[t].def;
        let bc = def
            .chain(chain)
            .ok_or_else(|| XtError::bare(status::OTHER, "Bad built-in chain name."))?;
        let p = match policy {
            "ACCEPT" => 1,
            "DROP" if table == "nat" => {
                return Err(XtError::param(
                    "\nThe \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n",
                ))
            }
            "DROP" => 0,
            _ => {
                return Err(XtError::bare(
                    status::OTHER,
                    "Bad policy name. Run `dmesg' for more information.",
                ))
            }
        };
        self.ensure_table(t);
        let mut k = def.kchain(self.family, bc, p);
        k.counters = Some(self.policy_counters.take().unwrap_or((0, 0)));
        if let Some(c) = self.chain_idx(t, chain) {
            self.tables[t].chains[c].k.policy = Some(p);
            self.tables[t].chains[c].exists = true;
        }
        self.push(
            Op::AddChain {
                chain: k,
                excl: false,
            },
            "CHAIN_UPDATE",
            format!("chain {chain}"),
        );
        Ok(())
    }

    /// `-E old new`
    pub fn rename(&mut self, table: &str, old: &str, new: &str) -> XtResult<()> {
        let t = self.table(table)?;
        if self
            .chain_idx(t, new)
            .is_some_and(|i| self.tables[t].chains[i].exists)
        {
            return Err(XtError::bare(status::OTHER, "File exists."));
        }
        let c = self.ensure_existing(t, old)?;
        let mut k = self.tables[t].chains[c].k.clone();
        if k.handle == 0 {
            return Err(XtError::bare(
                status::OTHER,
                "Cannot rename a chain created in the same transaction.",
            ));
        }
        k.name = new.to_string();
        k.hook = None;
        k.policy = None;
        k.chain_type = None;
        self.tables[t].chains[c].k.name = new.to_string();
        self.tables[t].index.remove(old);
        self.tables[t].index.insert(new.to_string(), c);
        self.push(
            Op::AddChain {
                chain: k,
                excl: false,
            },
            "CHAIN_RENAME",
            format!("chain {old}"),
        );
        Ok(())
    }

    /// Restore's table flush: the whole table goes (DELTABLE) and is
    /// created again, in the same transaction.
    pub fn flush_table(&mut self, table: &str) -> XtResult<()> {
        let t = self.table(table)?;
        if self.tables[t].exists {
            self.push(
                Op::DelTable(KTable {
                    family: Some(self.family),
                    name: table.to_string(),
                    ..KTable::default()
                }),
                "TABLE_FLUSH",
                format!("table {table}"),
            );
        }
        let def = self.tables[t].def;
        let family = self.family;
        self.tables[t] = VTable {
            index: HashMap::new(),
            def,
            exists: false,
            chains: def
                .chains
                .iter()
                .map(|c| VChain {
                    k: def.kchain(family, c, 1),
                    builtin: true,
                    exists: false,
                    rules: Some(Vec::new()),
                })
                .collect(),
        };
        self.tables[t].reindex();
        Ok(())
    }

    /// Restore's `:CHAIN POLICY [p:b]` line: built-in chains get their
    /// policy (and are created), user chains are created or flushed.
    pub fn declare_chain(
        &mut self,
        table: &str,
        chain: &str,
        policy: Option<&str>,
    ) -> XtResult<()> {
        let t = self.table(table)?;
        let builtin = self.tables[t].def.chain(chain).is_some();
        match policy {
            Some(p) if builtin => self.policy(table, chain, p),
            _ if builtin => Err(XtError::other(format!(
                "Can't set policy `-' on built-in chain `{chain}'"
            ))),
            _ => match self.chain_idx(t, chain) {
                Some(c) if self.tables[t].chains[c].exists => self.flush(table, Some(chain), false),
                _ => self.new_chain(table, chain),
            },
        }
    }

    /// Every chain of a table in listing order; when the table exists, its
    /// missing built-in chains are created first when `verbose`
    /// (iptables-nft 1.8.9 does this for `-v -F` and `-v -Z` of a table).
    fn all_chains_created(&mut self, t: usize, verbose: bool) -> XtResult<Vec<usize>> {
        if self.tables[t].exists && verbose {
            let names: Vec<&'static str> =
                self.tables[t].def.chains.iter().map(|c| c.name).collect();
            for n in names {
                self.ensure_chain(t, n)?;
            }
        }
        Ok(self.ordered(t))
    }

    /// Chain indices in listing order: built-in chains in hook order, then
    /// user chains by name.
    fn ordered(&self, t: usize) -> Vec<usize> {
        let tab = &self.tables[t];
        let mut out: Vec<usize> = Vec::new();
        for bc in tab.def.chains {
            if let Some(i) = tab
                .chains
                .iter()
                .position(|c| c.builtin && c.k.name == bc.name)
            {
                out.push(i);
            }
        }
        let mut users: Vec<usize> = (0..tab.chains.len())
            .filter(|&i| !tab.chains[i].builtin && tab.chains[i].exists)
            .collect();
        users.sort_unstable_by(|&a, &b| {
            tab.chains[a]
                .k
                .name
                .as_bytes()
                .cmp(tab.chains[b].k.name.as_bytes())
        });
        out.extend(users);
        out
    }

    /// The table as listed (all rules read and decoded).
    pub fn view(&mut self, table: &str) -> XtResult<TableView> {
        let t = self.table(table)?;
        self.load_all_rules(t)?;
        let order = self.ordered(t);
        // References are the jumps and gotos of the table's rules (the
        // kernel's use count also counts other bindings).
        let mut refs: HashMap<&str, u32> = HashMap::new();
        for c in &self.tables[t].chains {
            for r in c.rules.iter().flatten() {
                if let Some(Target::Jump(to) | Target::Goto(to)) = r
                    .rule
                    .as_ref()
                    .map(|x| &x.target)
                    .filter(|_| r.k.exprs.is_empty())
                {
                    *refs.entry(to.as_str()).or_default() += 1;
                }
                for e in &r.k.exprs {
                    if let Expr::Immediate {
                        data:
                            super::expr::ImmData::Verdict {
                                chain: Some(to), ..
                            },
                        ..
                    } = e
                    {
                        *refs.entry(to.as_str()).or_default() += 1;
                    }
                }
            }
        }
        let refs: HashMap<String, u32> =
            refs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let mut chains = Vec::with_capacity(order.len());
        for c in order {
            let rules: Vec<Rule> = {
                let family = self.family;
                let v = self.tables[t].chains[c].rules.get_or_insert_with(Vec::new);
                // The decoded rules move into the view (the kernel rules
                // stay, to decode again if needed).
                v.iter_mut()
                    .map(|r| {
                        // Rules added in this transaction keep no kernel
                        // expressions: their decoded form stays.
                        let keep = r.k.exprs.is_empty();
                        match (keep, r.rule.as_ref()) {
                            (true, Some(x)) => x.clone(),
                            _ => r.rule.take().unwrap_or_else(|| rule::decode(&r.k, family)),
                        }
                    })
                    .collect()
            };
            let ch = &self.tables[t].chains[c];
            chains.push(ChainView {
                name: ch.k.name.clone(),
                policy: if ch.builtin {
                    Some(if ch.k.policy == Some(0) {
                        "DROP"
                    } else {
                        "ACCEPT"
                    })
                } else {
                    None
                },
                counters: ch.k.counters.unwrap_or((0, 0)),
                refs: refs.get(&ch.k.name).copied().unwrap_or(0),
                rules,
            });
        }
        Ok(TableView {
            family: self.family,
            name: table.to_string(),
            chains,
        })
    }

    /// The names of a table's chains in listing order (built-in chains
    /// included even when they do not exist yet).
    pub fn chain_names(&mut self, table: &str) -> XtResult<Vec<String>> {
        let t = self.table(table)?;
        Ok(self
            .ordered(t)
            .into_iter()
            .map(|c| self.tables[t].chains[c].k.name.clone())
            .collect())
    }

    /// Checks the jump targets deferred since the last call (restore does
    /// this at each COMMIT, like iptables-restore).
    pub fn check_deferred_jumps(&mut self) -> XtResult<()> {
        let pending = match self.defer_jumps.as_mut() {
            Some(d) => std::mem::take(d),
            None => return Ok(()),
        };
        for (t, c) in pending {
            // A chain deleted later in the same transaction still counts:
            // the kernel refuses that deletion (as with iptables-restore).
            let ok = self.ever_user_chains.contains(&(t, c.clone()))
                || self.chain_idx(t, &c).is_some_and(|i| {
                    self.tables[t].chains[i].exists && !self.tables[t].chains[i].builtin
                });
            if !ok {
                return Err(XtError::param(format!("Chain '{c}' does not exist")));
            }
        }
        Ok(())
    }

    /// Whether the table exists in the kernel.
    pub fn table_exists(&mut self, table: &str) -> XtResult<bool> {
        let t = self.table(table)?;
        Ok(self.tables[t].exists)
    }

    /// Whether a chain exists (or is a built-in chain of the table).
    pub fn has_chain(&mut self, table: &str, chain: &str) -> XtResult<bool> {
        let t = self.table(table)?;
        Ok(self
            .chain_idx(t, chain)
            .is_some_and(|c| self.tables[t].chains[c].exists || self.tables[t].chains[c].builtin))
    }

    /// Runs one parsed rtables command (not -L/-S, which only read).
    pub fn command(&mut self, inv: &super::cli::Invocation) -> XtResult<()> {
        let table = inv.table.as_str();
        let chain = inv.chain.as_deref().unwrap_or("");
        let verbose = inv.verbose > 0;
        match &inv.command {
            Command::Append
            | Command::Insert(_)
            | Command::Replace(_)
            | Command::Delete
            | Command::Check => {
                let rules = inv.rules();
                if matches!(inv.command, Command::Replace(_)) && rules.len() != 1 {
                    return Err(XtError::param(
                        "-R requires a single source and destination",
                    ));
                }
                for (i, r) in rules.into_iter().enumerate() {
                    if verbose {
                        super::render::echo(&r, self.family, &mut self.out);
                    }
                    match inv.command {
                        Command::Append => self.append(table, chain, r)?,
                        Command::Insert(n) => self.insert(table, chain, n + i as u32, r)?,
                        Command::Replace(n) => self.replace(table, chain, n, r)?,
                        Command::Delete => self.delete(table, chain, &r)?,
                        _ => self.check(table, chain, &r)?,
                    }
                }
                Ok(())
            }
            Command::DeleteNum(n) => self.delete_num(table, chain, *n),
            Command::Flush => self.flush(table, inv.chain.as_deref(), verbose),
            Command::Zero => self.zero(table, inv.chain.as_deref(), inv.rulenum, verbose),
            Command::NewChain => self.new_chain(table, chain),
            Command::DeleteChain => self.delete_chain(table, inv.chain.as_deref(), verbose),
            Command::Policy(p) => self.policy(table, chain, p),
            Command::Rename(new) => self.rename(table, chain, new),
            _ => Ok(()),
        }
    }

    fn take_ops(&mut self) -> (Vec<Op>, Vec<OpDesc>) {
        (
            std::mem::take(&mut self.ops),
            std::mem::take(&mut self.descs),
        )
    }
}

/// A kernel rule's identity without its expressions: what a transaction
/// keeps of a rule it adds itself, next to the decoded rule.
fn meta_only(k: &KRule) -> KRule {
    KRule {
        family: k.family,
        table: k.table.clone(),
        chain: k.chain.clone(),
        handle: k.handle,
        position: None,
        position_id: None,
        id: k.id,
        compat: k.compat,
        exprs: Vec::new(),
        userdata: None,
    }
}

fn bad_rule() -> XtError {
    XtError::bare(
        status::OTHER,
        "Bad rule (does a matching rule exist in that chain?).",
    )
}

/// The nf_tables side of rtables: one socket, transactions with retry.
pub struct Engine {
    sock: NfSocket,
    /// Family.
    pub family: Family,
}

impl Engine {
    /// Opens the netlink socket.
    pub fn open(family: Family) -> XtResult<Self> {
        let sock = NfSocket::open().map_err(|e| {
            XtError::with_status(status::OTHER, format!("can't open nf_tables socket: {e}"))
        })?;
        Ok(Engine { sock, family })
    }

    /// Builds a transaction with `f` against a fresh read of the kernel and
    /// commits it carrying the generation id; on a concurrent change,
    /// rebuilds and retries. Returns the transaction's output text and
    /// whether every listed rule was expressible.
    pub fn transact(
        &mut self,
        f: impl FnMut(&mut Tx<'_>) -> XtResult<()>,
    ) -> XtResult<(String, bool)> {
        self.transact_opt(f, true)
    }

    /// [`Engine::transact`], committing only when `commit` (restore's
    /// `--test` builds everything and sends nothing).
    pub fn transact_opt(
        &mut self,
        mut f: impl FnMut(&mut Tx<'_>) -> XtResult<()>,
        commit: bool,
    ) -> XtResult<(String, bool)> {
        for _ in 0..MAX_RETRIES {
            let genid = self.sock.genid().map_err(kerr)?;
            let family = self.family;
            let mut tx = Tx::new(&mut self.sock, family);
            f(&mut tx)?;
            let (ops, descs) = tx.take_ops();
            let out = std::mem::take(&mut tx.out);
            let lossy = tx.lossy;
            let post_error = tx.post_error.take();
            drop(tx);
            if !commit {
                return Ok((out, !lossy));
            }
            if ops.is_empty() {
                // Read-only: what was read is one snapshot only if nobody
                // changed the ruleset meanwhile.
                if self.sock.genid().map_err(kerr)? != genid {
                    continue;
                }
                if let Some(e) = post_error {
                    return Err(e);
                }
                return Ok((out, !lossy));
            }
            match self.sock.commit(family, &ops, Some(genid)) {
                Ok(()) => {
                    if let Some(e) = post_error {
                        return Err(e);
                    }
                    return Ok((out, !lossy));
                }
                Err(CommitError::Restart) => continue,
                Err(CommitError::Op { index, errno }) => {
                    let d = descs.get(index).cloned().unwrap_or(OpDesc {
                        what: "COMMIT",
                        obj: String::new(),
                        line: None,
                    });
                    let lead = match d.line {
                        Some(l) => format!("\nline {l}: "),
                        None => " ".to_string(),
                    };
                    return Err(XtError::with_status(
                        status::RESOURCE,
                        format!("{lead}{} failed ({}): {}", d.what, strerror(errno), d.obj),
                    ));
                }
                Err(CommitError::Other(e)) => return Err(kerr(e)),
            }
        }
        Err(XtError::other(
            "too many concurrent ruleset changes, giving up",
        ))
    }
}
