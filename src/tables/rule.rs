//! The iptables rule model (`-s -d -i -o -p -f`, matches, a target,
//! counters) and its nf_tables encoding: written exactly as iptables-nft
//! 1.8.9 writes it, read back from both the 1.8.9 and the 1.8.10+ encodings.
//! A rule that cannot be expressed in iptables syntax is kept with a
//! description of what it is ([`Rule::problem`]) so it is never shown as
//! something it is not.

use super::expr::{self, base, cmp, meta, verdict, Expr, Family, ImmData, KRule, REG_1};
use super::ext::{self, util, Ext, Field, Kind, Load};

/// An address with its mask, `addr` already masked, as many bytes as the
/// family's address length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Net {
    /// Address bytes (network order), masked.
    pub addr: Vec<u8>,
    /// Mask bytes.
    pub mask: Vec<u8>,
}

impl Net {
    /// The prefix length when the mask is a prefix (`None` for masks such as
    /// 255.0.255.0).
    pub fn prefix_len(&self) -> Option<u32> {
        let mut len = 0;
        let mut ended = false;
        for &b in &self.mask {
            for i in (0..8).rev() {
                let bit = b >> i & 1 == 1;
                if bit {
                    if ended {
                        return None;
                    }
                    len += 1;
                } else {
                    ended = true;
                }
            }
        }
        Some(len)
    }
    /// Whether this matches everything (`0.0.0.0/0`).
    pub fn is_any(&self) -> bool {
        self.mask.iter().all(|&b| b == 0)
    }
}

/// The fields every rule has (iptables' `struct ipt_ip` / `ip6t_ip6`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpSpec {
    /// `-s`
    pub src: Option<Net>,
    /// `! -s`
    pub src_inv: bool,
    /// `-d`
    pub dst: Option<Net>,
    /// `! -d`
    pub dst_inv: bool,
    /// `-i` (`eth+` keeps the `+`).
    pub iniface: Option<String>,
    /// `! -i`
    pub in_inv: bool,
    /// `-o`
    pub outiface: Option<String>,
    /// `! -o`
    pub out_inv: bool,
    /// `-p` number (0 = all / not given).
    pub proto: u8,
    /// `! -p`
    pub proto_inv: bool,
    /// `-f` (`Some(false)`) or `! -f` (`Some(true)`), IPv4 only.
    pub frag: Option<bool>,
}

/// A match or target extension instance.
#[derive(Debug, Clone)]
pub struct ExtInst {
    /// The extension.
    pub ext: Ext,
    /// Its blob.
    pub blob: Vec<u8>,
}

impl PartialEq for ExtInst {
    fn eq(&self, o: &Self) -> bool {
        // The same kernel extension (a `-m state` rule read back is decoded
        // by conntrack, `-j NOTRACK` by CT) printing the same name.
        if self.ext.kind() != o.ext.kind()
            || self.ext.kernel_name() != o.ext.kernel_name()
            || self.ext.revision() != o.ext.revision()
            || self.ext.save_name(&self.blob) != o.ext.save_name(&o.blob)
        {
            return false;
        }
        // iptables compares `userspacesize` bytes; the rest is the kernel's.
        let fam = Family::V4;
        let n = self.ext.userspace_size(fam).min(self.ext.size(fam));
        let a = self.blob.get(..n.min(self.blob.len())).unwrap_or(&[]);
        let b = o.blob.get(..n.min(o.blob.len())).unwrap_or(&[]);
        a == b
    }
}

/// What a rule does when it matches.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// No target (only counts).
    None,
    /// `-j ACCEPT`
    Accept,
    /// `-j DROP`
    Drop,
    /// `-j RETURN`
    Return,
    /// `-j CHAIN`
    Jump(String),
    /// `-g CHAIN`
    Goto(String),
    /// `-j EXTENSION`
    Ext(ExtInst),
}

impl Target {
    /// The name shown in the `target` column and after `-j`.
    pub fn name(&self) -> &str {
        match self {
            Target::None => "",
            Target::Accept => "ACCEPT",
            Target::Drop => "DROP",
            Target::Return => "RETURN",
            Target::Jump(c) | Target::Goto(c) => c,
            Target::Ext(e) => e.ext.save_name(&e.blob),
        }
    }

    /// The name `-L` shows in its target column: the extension's own name
    /// (a `-j NOTRACK` rule read back lists as `CT`, as in iptables).
    pub fn list_name(&self) -> &str {
        match self {
            Target::Ext(e) => e.ext.name(),
            t => t.name(),
        }
    }
}

/// One iptables rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Addresses, interfaces, protocol, fragment.
    pub spec: IpSpec,
    /// Matches in order.
    pub matches: Vec<ExtInst>,
    /// The target.
    pub target: Target,
    /// Packet and byte counters.
    pub counters: (u64, u64),
    /// Kernel handle (0 for a rule not yet added).
    pub handle: u64,
    /// Set when the kernel rule cannot be expressed in iptables syntax:
    /// what it is, for the marked comment line that replaces it.
    pub problem: Option<String>,
}

impl Rule {
    /// An empty rule (`-A CHAIN` with nothing else).
    pub fn new() -> Self {
        Rule {
            spec: IpSpec::default(),
            matches: Vec::new(),
            target: Target::None,
            counters: (0, 0),
            handle: 0,
            problem: None,
        }
    }

    /// Whether two rules are the same rule for `-C`/`-D` (counters and
    /// handles aside).
    pub fn same_as(&self, o: &Rule) -> bool {
        self.problem.is_none()
            && o.problem.is_none()
            && self.spec == o.spec
            && self.matches == o.matches
            && self.target == o.target
    }
}

impl Default for Rule {
    fn default() -> Self {
        Rule::new()
    }
}

fn nh_offsets(family: Family) -> (u32, u32) {
    match family {
        Family::V4 => (12, 16),
        Family::V6 => (8, 24),
    }
}

fn load_cmp(load: Expr, op: u32, data: Vec<u8>, out: &mut Vec<Expr>) {
    out.push(load);
    out.push(Expr::Cmp {
        sreg: REG_1,
        op,
        data,
    });
}

fn encode_iface(key: u32, name: &str, inv: bool, out: &mut Vec<Expr>) {
    let load = Expr::Meta {
        key,
        dreg: Some(REG_1),
        sreg: None,
    };
    if name == "+" {
        if inv {
            // iptables-nft matches `! -i +` against an impossible name.
            load_cmp(load, cmp::EQ, b"INVAL/D\0".to_vec(), out);
        } else {
            // 1.8.9 leaves a lone load behind (fixed in 1.8.10).
            out.push(load);
        }
        return;
    }
    let op = if inv { cmp::NEQ } else { cmp::EQ };
    let data = match name.strip_suffix('+') {
        Some(prefix) => prefix.as_bytes().to_vec(),
        None => {
            let mut d = name.as_bytes().to_vec();
            d.push(0);
            d
        }
    };
    load_cmp(load, op, data, out);
}

fn encode_addr(offset: u32, net: &Net, inv: bool, out: &mut Vec<Expr>) {
    if net.is_any() && !inv {
        return;
    }
    let op = if inv { cmp::NEQ } else { cmp::EQ };
    match net.prefix_len() {
        Some(p) if p % 8 == 0 => {
            let n = (p / 8) as usize;
            load_cmp(
                Expr::Payload {
                    base: base::NETWORK,
                    offset,
                    len: n as u32,
                    dreg: REG_1,
                },
                op,
                net.addr.get(..n).unwrap_or(&[]).to_vec(),
                out,
            );
        }
        _ => {
            let len = net.addr.len() as u32;
            out.push(Expr::Payload {
                base: base::NETWORK,
                offset,
                len,
                dreg: REG_1,
            });
            out.push(Expr::Bitwise {
                sreg: REG_1,
                dreg: REG_1,
                len,
                mask: net.mask.clone(),
                xor: vec![0; len as usize],
            });
            out.push(Expr::Cmp {
                sreg: REG_1,
                op,
                data: net.addr.clone(),
            });
        }
    }
}

/// Where a rule goes, for [`encode`].
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    /// Family.
    pub family: Family,
    /// Table.
    pub table: &'a str,
    /// Chain.
    pub chain: &'a str,
}

/// Encodes a rule exactly as iptables-nft 1.8.9 does: interfaces, protocol,
/// addresses, fragment, the matches in order, the counter, the target.
pub fn encode(rule: &Rule, place: Place<'_>) -> KRule {
    let mut e = Vec::new();
    let s = &rule.spec;
    if let Some(i) = &s.iniface {
        encode_iface(meta::IIFNAME, i, s.in_inv, &mut e);
    }
    if let Some(o) = &s.outiface {
        encode_iface(meta::OIFNAME, o, s.out_inv, &mut e);
    }
    if s.proto != 0 {
        load_cmp(
            Expr::Meta {
                key: meta::L4PROTO,
                dreg: Some(REG_1),
                sreg: None,
            },
            if s.proto_inv { cmp::NEQ } else { cmp::EQ },
            vec![s.proto],
            &mut e,
        );
    }
    let (so, dof) = nh_offsets(place.family);
    if let Some(n) = &s.src {
        encode_addr(so, n, s.src_inv, &mut e);
    }
    if let Some(n) = &s.dst {
        encode_addr(dof, n, s.dst_inv, &mut e);
    }
    if let Some(inv) = s.frag {
        e.push(Expr::Payload {
            base: base::NETWORK,
            offset: 6,
            len: 2,
            dreg: REG_1,
        });
        e.push(Expr::Bitwise {
            sreg: REG_1,
            dreg: REG_1,
            len: 2,
            mask: vec![0x1f, 0xff],
            xor: vec![0, 0],
        });
        e.push(Expr::Cmp {
            sreg: REG_1,
            op: if inv { cmp::EQ } else { cmp::NEQ },
            data: vec![0, 0],
        });
    }
    let ctx = ext::Ctx {
        family: place.family,
        proto: s.proto,
        proto_invert: s.proto_inv,
        table: place.table,
        chain: place.chain,
    };
    for m in &rule.matches {
        match m.ext.native(&ctx, &m.blob) {
            Some(v) => e.extend(v),
            None => e.push(Expr::Match {
                name: m.ext.kernel_name().to_string(),
                rev: m.ext.revision(),
                info: m.blob.clone(),
            }),
        }
    }
    e.push(Expr::Counter {
        packets: rule.counters.0,
        bytes: rule.counters.1,
    });
    let verdict = |code: i32, chain: Option<&String>| Expr::Immediate {
        dreg: expr::REG_VERDICT,
        data: ImmData::Verdict {
            code,
            chain: chain.cloned(),
        },
    };
    match &rule.target {
        Target::None => {}
        Target::Accept => e.push(verdict(verdict::ACCEPT, None)),
        Target::Drop => e.push(verdict(verdict::DROP, None)),
        Target::Return => e.push(verdict(verdict::RETURN, None)),
        Target::Jump(c) => e.push(verdict(verdict::JUMP, Some(c))),
        Target::Goto(c) => e.push(verdict(verdict::GOTO, Some(c))),
        Target::Ext(t) => match t.ext.native(&ctx, &t.blob) {
            Some(v) => e.extend(v),
            None => e.push(Expr::Target {
                name: t.ext.kernel_name().to_string(),
                rev: t.ext.revision(),
                info: t.blob.clone(),
            }),
        },
    }
    KRule {
        family: Some(place.family),
        table: place.table.to_string(),
        chain: place.chain.to_string(),
        handle: rule.handle,
        compat: Some((s.proto as u32, u32::from(s.proto_inv))),
        exprs: e,
        ..KRule::default()
    }
}

/// A register's content while decoding.
#[derive(Debug, Clone)]
struct Reg {
    load: Load,
    mask: Option<Vec<u8>>,
}

fn describe(k: &KRule) -> String {
    let mut s = String::new();
    for e in &k.exprs {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push('[');
        s.push_str(&expr_text(e));
        s.push(']');
    }
    s
}

fn hex(d: &[u8]) -> String {
    let mut s = String::from("0x");
    for b in d {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A short text for an expression (shown in the marked comment line of a
/// rule rtables cannot express).
pub fn expr_text(e: &Expr) -> String {
    match e {
        Expr::Payload {
            base, offset, len, ..
        } => {
            let b = match *base {
                0 => "link",
                1 => "network",
                2 => "transport",
                _ => "inner",
            };
            format!("payload {len}b @ {b} + {offset}")
        }
        Expr::Meta { key, dreg, .. } => match dreg {
            Some(_) => format!("meta load {key}"),
            None => format!("meta set {key}"),
        },
        Expr::Cmp { op, data, .. } => format!("cmp {op} {}", hex(data)),
        Expr::Bitwise { mask, xor, .. } => format!("bitwise & {} ^ {}", hex(mask), hex(xor)),
        Expr::Range { op, from, to, .. } => format!("range {op} {} {}", hex(from), hex(to)),
        Expr::Immediate { dreg, data } => match data {
            ImmData::Verdict { code, chain } => {
                format!(
                    "immediate verdict {code}{}",
                    chain
                        .as_deref()
                        .map(|c| format!(" {c}"))
                        .unwrap_or_default()
                )
            }
            ImmData::Value(v) => format!("immediate reg {dreg} {}", hex(v)),
        },
        Expr::Counter { .. } => "counter".into(),
        Expr::Match { name, rev, .. } => format!("match {name} rev {rev}"),
        Expr::Target { name, rev, .. } => format!("target {name} rev {rev}"),
        Expr::Limit {
            rate,
            unit,
            burst,
            kind,
            flags,
        } => format!("limit rate {rate}/{unit}s burst {burst} type {kind} flags {flags}"),
        Expr::Log { prefix, group, .. } => format!(
            "log{}{}",
            prefix
                .as_deref()
                .map(|p| format!(" prefix {p}"))
                .unwrap_or_default(),
            group.map(|g| format!(" group {g}")).unwrap_or_default()
        ),
        Expr::Lookup { set, flags, .. } => {
            format!(
                "lookup set {set}{}",
                if flags & 1 != 0 { " inverted" } else { "" }
            )
        }
        Expr::Other { name, text } => {
            if text.is_empty() {
                name.clone()
            } else {
                text.clone()
            }
        }
    }
}

/// Decodes a kernel rule. Never fails: a rule that cannot be expressed
/// comes back with [`Rule::problem`] set.
pub fn decode(k: &KRule, family: Family) -> Rule {
    let mut r = Rule::new();
    r.handle = k.handle;
    if let Err(why) = decode_into(k, family, &mut r) {
        r.problem = Some(format!("{why}: {}", describe(k)));
    }
    r
}

fn ext_from_native(
    kind: Kind,
    name: &str,
    family: Family,
    fields: &[Field],
) -> Result<ExtInst, String> {
    let e = ext::find(kind, name, family).ok_or_else(|| format!("no {name} extension"))?;
    let blob = e
        .decode_native(family, fields)
        .ok_or_else(|| format!("{name} cannot express this"))?;
    Ok(ExtInst { ext: e, blob })
}

fn iface_from(data: &[u8], op: u32) -> Result<(String, bool), String> {
    if op == cmp::EQ && (data == b"INVAL/D\0" || data == b"INVAL/D") {
        return Ok(("+".into(), true));
    }
    let inv = match op {
        cmp::EQ => false,
        cmp::NEQ => true,
        _ => return Err("interface comparison".into()),
    };
    // An exact name ends in a NUL (nft pads it to IFNAMSIZ with more);
    // without one it is a prefix (`eth+`).
    let name = match data.iter().position(|&b| b == 0) {
        Some(n) => String::from_utf8_lossy(&data[..n]).into_owned(),
        None => format!("{}+", String::from_utf8_lossy(data)),
    };
    Ok((name, inv))
}

fn net_from(family: Family, data: &[u8], mask: Option<&[u8]>) -> Result<Net, String> {
    let alen = family.addr_len();
    if data.len() > alen {
        return Err("address too long".into());
    }
    let mut addr = vec![0u8; alen];
    addr[..data.len()].copy_from_slice(data);
    let m = match mask {
        Some(m) => {
            let mut v = vec![0u8; alen];
            let n = m.len().min(alen);
            v[..n].copy_from_slice(&m[..n]);
            v
        }
        None => {
            let mut v = vec![0u8; alen];
            for b in v.iter_mut().take(data.len()) {
                *b = 0xff;
            }
            v
        }
    };
    for (a, m) in addr.iter_mut().zip(&m) {
        *a &= m;
    }
    Ok(Net { addr, mask: m })
}

fn decode_into(k: &KRule, family: Family, r: &mut Rule) -> Result<(), String> {
    let mut reg: Option<Reg> = None;
    let mut imm: Option<(u32, Vec<u8>)> = None;
    let mut th: Vec<Field> = Vec::new();
    let (so, dof) = nh_offsets(family);
    // Flushes collected transport-header statements into a tcp/udp match.
    let flush_th = |th: &mut Vec<Field>, r: &mut Rule| -> Result<(), String> {
        if th.is_empty() {
            return Ok(());
        }
        let name = match r.spec.proto {
            6 => "tcp",
            17 => "udp",
            _ => return Err("transport header match without -p tcp/udp".into()),
        };
        let m = ext_from_native(Kind::Match, name, family, th)?;
        r.matches.push(m);
        th.clear();
        Ok(())
    };
    let n = k.exprs.len();
    let mut i = 0;
    while i < n {
        let e = &k.exprs[i];
        i += 1;
        match e {
            Expr::Payload {
                base, offset, len, ..
            } => {
                // A 1.8.9 `-i +` leaves a lone load; a load followed by
                // another load is simply overwritten.
                reg = Some(Reg {
                    load: Load::Payload {
                        base: *base,
                        offset: *offset,
                        len: *len,
                    },
                    mask: None,
                });
            }
            Expr::Meta {
                key, dreg: Some(_), ..
            } => {
                reg = Some(Reg {
                    load: Load::Meta { key: *key },
                    mask: None,
                });
            }
            Expr::Meta {
                key,
                dreg: None,
                sreg: Some(_),
            } => {
                flush_th(&mut th, r)?;
                let (dreg, val) = imm.take().ok_or("meta set without a value")?;
                let f = [
                    Field::Expr(Expr::Immediate {
                        dreg,
                        data: ImmData::Value(val),
                    }),
                    Field::Expr(e.clone()),
                ];
                let name = match *key {
                    meta::NFTRACE => "TRACE",
                    meta::MARK => "MARK",
                    _ => return Err("unknown meta set".into()),
                };
                set_target(r, ext_from_native(Kind::Target, name, family, &f)?)?;
            }
            Expr::Bitwise { mask, xor, .. } => {
                if xor.iter().any(|&b| b != 0) {
                    return Err("bitwise with xor".into());
                }
                match reg.as_mut() {
                    Some(rg) => rg.mask = Some(mask.clone()),
                    None => return Err("bitwise without load".into()),
                }
            }
            Expr::Cmp { op, data, .. } | Expr::Range { op, from: data, .. } => {
                let rg = reg.take().ok_or("comparison without load")?;
                let field = match e {
                    Expr::Range { from, to, .. } => Field::Range {
                        load: rg.load.clone(),
                        op: *op,
                        from: from.clone(),
                        to: to.clone(),
                    },
                    _ => Field::Cmp {
                        load: rg.load.clone(),
                        mask: rg.mask.clone(),
                        op: *op,
                        data: data.clone(),
                    },
                };
                let is_cmp = matches!(e, Expr::Cmp { .. });
                match (&rg.load, is_cmp) {
                    (
                        Load::Payload {
                            base: base::TRANSPORT,
                            ..
                        },
                        _,
                    ) => {
                        th.push(field);
                        continue;
                    }
                    _ => flush_th(&mut th, r)?,
                }
                match (&rg.load, is_cmp) {
                    (Load::Meta { key: meta::IIFNAME }, true) if rg.mask.is_none() => {
                        let (n, inv) = iface_from(data, *op)?;
                        r.spec.iniface = Some(n);
                        r.spec.in_inv = inv;
                    }
                    (Load::Meta { key: meta::OIFNAME }, true) if rg.mask.is_none() => {
                        let (n, inv) = iface_from(data, *op)?;
                        r.spec.outiface = Some(n);
                        r.spec.out_inv = inv;
                    }
                    (Load::Meta { key: meta::L4PROTO }, true)
                        if rg.mask.is_none() && data.len() == 1 && *op <= cmp::NEQ =>
                    {
                        r.spec.proto = data[0];
                        r.spec.proto_inv = *op == cmp::NEQ;
                    }
                    (
                        Load::Payload {
                            base: base::NETWORK,
                            offset: 9,
                            len: 1,
                        },
                        true,
                    ) if family == Family::V4 && rg.mask.is_none() && *op <= cmp::NEQ => {
                        r.spec.proto = data.first().copied().unwrap_or(0);
                        r.spec.proto_inv = *op == cmp::NEQ;
                    }
                    (
                        Load::Payload {
                            base: base::NETWORK,
                            offset,
                            len,
                        },
                        true,
                    ) if (*offset == so || *offset == dof)
                        && *len as usize <= family.addr_len()
                        && *op <= cmp::NEQ =>
                    {
                        let net = net_from(family, data, rg.mask.as_deref())?;
                        if *offset == so {
                            r.spec.src = Some(net);
                            r.spec.src_inv = *op == cmp::NEQ;
                        } else {
                            r.spec.dst = Some(net);
                            r.spec.dst_inv = *op == cmp::NEQ;
                        }
                    }
                    (
                        Load::Payload {
                            base: base::NETWORK,
                            offset: 6,
                            len: 2,
                        },
                        true,
                    ) if family == Family::V4
                        && rg.mask.as_deref() == Some(&[0x1f, 0xff][..])
                        && data == &[0, 0]
                        && *op <= cmp::NEQ =>
                    {
                        r.spec.frag = Some(*op == cmp::EQ);
                    }
                    (Load::Meta { key: meta::MARK }, _) => {
                        r.matches
                            .push(ext_from_native(Kind::Match, "mark", family, &[field])?);
                    }
                    (
                        Load::Payload {
                            base: base::NETWORK,
                            offset: 8,
                            len: 1,
                        },
                        _,
                    ) if family == Family::V4 => {
                        r.matches
                            .push(ext_from_native(Kind::Match, "ttl", family, &[field])?);
                    }
                    (
                        Load::Payload {
                            base: base::NETWORK,
                            offset: 7,
                            len: 1,
                        },
                        _,
                    ) if family == Family::V6 => {
                        r.matches
                            .push(ext_from_native(Kind::Match, "hl", family, &[field])?);
                    }
                    (Load::Meta { key: meta::PKTTYPE }, _) => {
                        r.matches
                            .push(ext_from_native(Kind::Match, "pkttype", family, &[field])?);
                    }
                    (Load::Meta { key }, _) => return Err(format!("unknown meta key {key}")),
                    (Load::Payload { base, offset, .. }, _) => {
                        return Err(format!("unknown payload offset {offset} (base {base})"))
                    }
                }
            }
            Expr::Immediate { dreg, data } => {
                flush_th(&mut th, r)?;
                match data {
                    ImmData::Verdict { code, chain } => {
                        let t = match (*code, chain) {
                            (verdict::ACCEPT, _) => Target::Accept,
                            (verdict::DROP, _) => Target::Drop,
                            (verdict::RETURN, _) => Target::Return,
                            (verdict::JUMP, Some(c)) => Target::Jump(c.clone()),
                            (verdict::GOTO, Some(c)) => Target::Goto(c.clone()),
                            _ => return Err(format!("verdict {code}")),
                        };
                        if r.target != Target::None {
                            return Err("two verdicts".into());
                        }
                        r.target = t;
                    }
                    ImmData::Value(v) => imm = Some((*dreg, v.clone())),
                }
            }
            Expr::Counter { packets, bytes } => {
                flush_th(&mut th, r)?;
                r.counters = (*packets, *bytes);
            }
            Expr::Match { name, rev, info } => {
                flush_th(&mut th, r)?;
                let e = ext::find_kernel(Kind::Match, name, *rev, family)
                    .ok_or_else(|| format!("match {name} rev {rev} unknown"))?;
                r.matches.push(ExtInst {
                    ext: e,
                    blob: info.clone(),
                });
            }
            Expr::Target { name, rev, info } => {
                flush_th(&mut th, r)?;
                let e = ext::find_kernel(Kind::Target, name, *rev, family)
                    .ok_or_else(|| format!("target {name} rev {rev} unknown"))?;
                set_target(
                    r,
                    ExtInst {
                        ext: e,
                        blob: info.clone(),
                    },
                )?;
            }
            Expr::Limit { .. } => {
                flush_th(&mut th, r)?;
                r.matches.push(ext_from_native(
                    Kind::Match,
                    "limit",
                    family,
                    &[Field::Expr(e.clone())],
                )?);
            }
            Expr::Log { group: Some(_), .. } => {
                flush_th(&mut th, r)?;
                set_target(
                    r,
                    ext_from_native(Kind::Target, "NFLOG", family, &[Field::Expr(e.clone())])?,
                )?;
            }
            Expr::Log { .. } => return Err("log without group".into()),
            Expr::Meta { .. } => return Err("meta without register".into()),
            Expr::Lookup { .. } => return Err("set lookup".into()),
            Expr::Other { name, .. } => return Err(format!("{name} expression")),
        }
    }
    flush_th(&mut th, r)?;
    if let Some(c) = userdata_comment(k.userdata.as_deref()) {
        let e = ext::find(Kind::Match, "comment", family).ok_or("no comment extension")?;
        let size = e.size(family);
        let mut blob = vec![0u8; size];
        util::wr_str(&mut blob, 0, size, &c);
        r.matches.push(ExtInst { ext: e, blob });
    }
    Ok(())
}

fn set_target(r: &mut Rule, t: ExtInst) -> Result<(), String> {
    if r.target != Target::None {
        return Err("two targets".into());
    }
    r.target = Target::Ext(t);
    Ok(())
}

/// The comment in rule userdata (`NFTNL_UDATA_RULE_COMMENT`, type 0), as nft
/// writes it.
pub fn userdata_comment(ud: Option<&[u8]>) -> Option<String> {
    let mut d = ud?;
    while d.len() >= 2 {
        let (ty, len) = (d[0], d[1] as usize);
        let v = d.get(2..2 + len)?;
        if ty == 0 {
            let n = v.iter().position(|&c| c == 0).unwrap_or(v.len());
            return Some(String::from_utf8_lossy(&v[..n]).into_owned());
        }
        d = &d[2 + len..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net4(a: [u8; 4], m: [u8; 4]) -> Net {
        Net {
            addr: a.to_vec(),
            mask: m.to_vec(),
        }
    }

    const P: Place<'static> = Place {
        family: Family::V4,
        table: "filter",
        chain: "INPUT",
    };

    #[test]
    fn sheet_example_1_and_2() {
        let mut r = Rule::new();
        r.spec.src = Some(net4([10, 0, 0, 0], [255, 0, 0, 0]));
        r.target = Target::Accept;
        let k = encode(&r, P);
        assert_eq!(
            k.exprs[0],
            Expr::Payload {
                base: 1,
                offset: 12,
                len: 1,
                dreg: 1
            }
        );
        assert_eq!(
            k.exprs[1],
            Expr::Cmp {
                sreg: 1,
                op: 0,
                data: vec![10]
            }
        );
        assert!(matches!(k.exprs[2], Expr::Counter { .. }));
        let back = decode(&k, Family::V4);
        assert!(back.same_as(&r), "{back:?}");

        let mut r = Rule::new();
        r.spec.src = Some(net4([10, 1, 2, 0], [255, 255, 254, 0]));
        r.spec.dst = Some(net4([172, 16, 0, 0], [255, 255, 0, 255]));
        let k = encode(&r, P);
        assert_eq!(k.exprs.len(), 7);
        assert_eq!(
            k.exprs[1],
            Expr::Bitwise {
                sreg: 1,
                dreg: 1,
                len: 4,
                mask: vec![255, 255, 254, 0],
                xor: vec![0; 4]
            }
        );
        assert!(decode(&k, Family::V4).same_as(&r));
    }

    #[test]
    fn interfaces_and_proto() {
        let mut r = Rule::new();
        r.spec.iniface = Some("eth+".into());
        r.spec.outiface = Some("eth0".into());
        r.spec.out_inv = true;
        r.spec.proto = 17;
        r.spec.proto_inv = true;
        r.spec.frag = Some(false);
        r.target = Target::Jump("X".into());
        let k = encode(
            &r,
            Place {
                chain: "FORWARD",
                ..P
            },
        );
        assert_eq!(
            k.exprs[1],
            Expr::Cmp {
                sreg: 1,
                op: 0,
                data: b"eth".to_vec()
            }
        );
        assert_eq!(
            k.exprs[3],
            Expr::Cmp {
                sreg: 1,
                op: 1,
                data: b"eth0\0".to_vec()
            }
        );
        assert_eq!(k.compat, Some((17, 1)));
        assert!(decode(&k, Family::V4).same_as(&r));
    }

    #[test]
    fn foreign_rules_are_marked() {
        let k = KRule {
            exprs: vec![
                Expr::Other {
                    name: "ct".into(),
                    text: "ct load mark => reg 1".into(),
                },
                Expr::Counter {
                    packets: 0,
                    bytes: 0,
                },
            ],
            ..KRule::default()
        };
        let r = decode(&k, Family::V4);
        assert!(r.problem.as_deref().unwrap_or("").contains("ct"));
        let k = KRule {
            exprs: vec![
                Expr::Payload {
                    base: 1,
                    offset: 12,
                    len: 4,
                    dreg: 1,
                },
                Expr::Lookup {
                    sreg: 1,
                    set: "__set0".into(),
                    dreg: None,
                    flags: 0,
                },
            ],
            ..KRule::default()
        };
        assert!(decode(&k, Family::V4).problem.is_some());
    }

    #[test]
    fn nft_padded_interface_names_are_exact() {
        let mut name = b"eth0".to_vec();
        name.resize(16, 0);
        let k = KRule {
            exprs: vec![
                Expr::Meta {
                    key: meta::IIFNAME,
                    dreg: Some(1),
                    sreg: None,
                },
                Expr::Cmp {
                    sreg: 1,
                    op: cmp::EQ,
                    data: name,
                },
            ],
            ..KRule::default()
        };
        let r = decode(&k, Family::V4);
        assert_eq!(r.spec.iniface.as_deref(), Some("eth0"));
    }

    #[test]
    fn userdata_comment_is_read() {
        let ud = [0u8, 7, b'n', b'a', b't', b'i', b'v', b'e', 0];
        assert_eq!(userdata_comment(Some(&ud)).as_deref(), Some("native"));
    }
}
