//! The libnftnl wrapper: turns [`Op`]s into nf_tables netlink messages and
//! dumped messages back into [`KRule`], [`KChain`] and [`KTable`] values.
//!
//! This is the only module of the crate with `unsafe` code. libnftnl (through
//! `nftnl-sys`, bindings for libnftnl 1.2.4) does the attribute layout, so the
//! bytes we send are the bytes iptables-nft sends; every pointer it hands out
//! lives inside one of the small owning wrappers below and never escapes.
//!
//! Two facts about libnftnl 1.2.4 shape the code:
//!
//! - Its message builders write through a raw `char *` without any bounds
//!   check (libmnl's `mnl_attr_put`). Every message is therefore built in a
//!   zeroed, 8-byte aligned scratch area whose size is an upper bound computed
//!   from the input ([`op_bound`]), and only `nlmsg_len` bytes are copied out.
//! - Register data (`cmp`, `bitwise`, `range`, `immediate`) is copied into a
//!   fixed 64-byte register (`NFT_DATA_VALUE_MAXLEN`) without a length check,
//!   so lengths are checked here first; xtables info blobs are *adopted* by
//!   libnftnl (freed with `free()`; older releases read up to
//!   `XT_ALIGN(len)`), so they are handed over as a `calloc`ed copy padded to
//!   8 bytes.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString};
use std::io;
use std::os::raw::{c_char, c_int, c_void};
use std::os::unix::io::RawFd;
use std::ptr::NonNull;

use nftnl_sys as sys;

use super::expr::{Expr, Family, ImmData, KChain, KRule, KTable, Op};
use crate::netlink::Error;

/// `NFNL_SUBSYS_NFTABLES`: the nfnetlink subsystem of nf_tables.
pub const NFNL_SUBSYS_NFTABLES: u16 = 10;

/// nf_tables message numbers (`NFT_MSG_*`), without the subsystem byte.
pub mod msg {
    /// `NFT_MSG_NEWTABLE`
    pub const NEWTABLE: u16 = 0;
    /// `NFT_MSG_GETTABLE`
    pub const GETTABLE: u16 = 1;
    /// `NFT_MSG_DELTABLE`
    pub const DELTABLE: u16 = 2;
    /// `NFT_MSG_NEWCHAIN`
    pub const NEWCHAIN: u16 = 3;
    /// `NFT_MSG_GETCHAIN`
    pub const GETCHAIN: u16 = 4;
    /// `NFT_MSG_DELCHAIN`
    pub const DELCHAIN: u16 = 5;
    /// `NFT_MSG_NEWRULE`
    pub const NEWRULE: u16 = 6;
    /// `NFT_MSG_GETRULE`
    pub const GETRULE: u16 = 7;
    /// `NFT_MSG_DELRULE`
    pub const DELRULE: u16 = 8;
    /// `NFT_MSG_NEWGEN`
    pub const NEWGEN: u16 = 15;
    /// `NFT_MSG_GETGEN`
    pub const GETGEN: u16 = 16;
}

/// The full `nlmsg_type` of an nf_tables message (`subsystem << 8 | msg`).
pub fn nft_type(m: u16) -> u16 {
    (NFNL_SUBSYS_NFTABLES << 8) | m
}

/// `NLM_F_REQUEST`
const F_REQUEST: u16 = 0x1;
/// `NLM_F_ACK`
const F_ACK: u16 = 0x4;
/// `NLM_F_REPLACE`
const F_REPLACE: u16 = 0x100;
/// `NLM_F_NONREC` (on deletes)
const F_NONREC: u16 = 0x100;
/// `NLM_F_EXCL`
const F_EXCL: u16 = 0x200;
/// `NLM_F_CREATE`
const F_CREATE: u16 = 0x400;
/// `NLM_F_APPEND`
const F_APPEND: u16 = 0x800;

/// `NFT_DATA_VALUE_MAXLEN`: the size of libnftnl's (and the kernel's)
/// register data.
const DATA_MAX: usize = 64;
/// `XT_EXTENSION_MAXNAMELEN`
const XT_NAME_LEN: usize = 29;
/// Longest name libnftnl copies for tables, chains and sets
/// (`NFT_NAME_MAXLEN` is 256 in the kernel).
const NAME_MAX: usize = 255;

const NLMSG_HDRLEN: usize = 16;
const NFGENMSG_LEN: usize = 4;

fn proto_err(m: impl Into<String>) -> Error {
    Error::Protocol(m.into())
}

/// A value libnftnl or the kernel cannot take (`errno()` is `EINVAL`).
fn inval(m: impl Into<String>) -> Error {
    Error::Protocol(m.into())
}

/// A NUL-terminated copy of a name, refused when it holds a NUL byte or is
/// longer than the kernel accepts.
fn cstring(s: &str) -> Result<CString, Error> {
    if s.len() > NAME_MAX {
        return Err(inval(format!("name too long: {s}")));
    }
    CString::new(s).map_err(|_| inval(format!("name holds a NUL byte: {s:?}")))
}

// ---------------------------------------------------------------------------
// Owning wrappers around libnftnl objects.

/// An `nftnl_expr` not (yet) owned by a rule.
struct ExprBox(NonNull<sys::nftnl_expr>);

impl ExprBox {
    fn new(name: &CStr) -> Result<Self, Error> {
        // SAFETY: `name` is a valid NUL-terminated string; libnftnl copies
        // what it needs and returns NULL for an unknown expression.
        let p = unsafe { sys::nftnl_expr_alloc(name.as_ptr()) };
        NonNull::new(p)
            .map(ExprBox)
            .ok_or_else(|| proto_err(format!("libnftnl has no expression {name:?}")))
    }
    fn u32(&mut self, attr: u32, v: u32) {
        // SAFETY: the expression pointer is valid (owned by self); setting a
        // scalar attribute copies the value.
        unsafe { sys::nftnl_expr_set_u32(self.0.as_ptr(), attr as u16, v) }
    }
    fn u64(&mut self, attr: u32, v: u64) {
        // SAFETY: as in `u32`.
        unsafe { sys::nftnl_expr_set_u64(self.0.as_ptr(), attr as u16, v) }
    }
    fn u16(&mut self, attr: u32, v: u16) {
        // SAFETY: as in `u32`.
        unsafe { sys::nftnl_expr_set_u16(self.0.as_ptr(), attr as u16, v) }
    }
    fn str(&mut self, attr: u32, s: &str) -> Result<(), Error> {
        let c = cstring(s)?;
        // SAFETY: the expression is valid; libnftnl duplicates the string
        // (strdup) before this call returns, so `c` may be dropped after.
        let rc = unsafe { sys::nftnl_expr_set_str(self.0.as_ptr(), attr as u16, c.as_ptr()) };
        if rc < 0 {
            return Err(proto_err("libnftnl refused a string attribute"));
        }
        Ok(())
    }
    /// Register data: copied into a 64-byte register by libnftnl 1.2.4
    /// without a length check, hence the check here.
    fn reg_data(&mut self, attr: u32, data: &[u8]) -> Result<(), Error> {
        if data.len() > DATA_MAX {
            return Err(inval("register data longer than 64 bytes"));
        }
        // SAFETY: the expression is valid; `data` is readable for
        // `data.len()` bytes, which fit the destination register (checked
        // above); libnftnl copies them before returning.
        let rc = unsafe {
            sys::nftnl_expr_set(
                self.0.as_ptr(),
                attr as u16,
                data.as_ptr().cast::<c_void>(),
                data.len() as u32,
            )
        };
        if rc < 0 {
            return Err(proto_err("libnftnl refused register data"));
        }
        Ok(())
    }
    /// An xtables extension name: libnftnl 1.2.4 may copy a fixed
    /// `XT_EXTENSION_MAXNAMELEN` bytes from the pointer, so a full-size,
    /// zero-padded buffer is passed.
    fn xt_name(&mut self, attr: u32, name: &str) -> Result<(), Error> {
        if name.len() >= XT_NAME_LEN || name.as_bytes().contains(&0) {
            return Err(inval(format!("bad extension name {name:?}")));
        }
        let mut b = [0u8; XT_NAME_LEN];
        b[..name.len()].copy_from_slice(name.as_bytes());
        // SAFETY: the expression is valid; `b` is readable for its full
        // length and NUL-terminated; libnftnl copies it into its own array.
        let rc = unsafe {
            sys::nftnl_expr_set(
                self.0.as_ptr(),
                attr as u16,
                b.as_ptr().cast::<c_void>(),
                (name.len() + 1) as u32,
            )
        };
        if rc < 0 {
            return Err(proto_err("libnftnl refused an extension name"));
        }
        Ok(())
    }
    /// An xtables info blob, whose ownership libnftnl takes: it keeps the
    /// pointer and frees it with `free()`; older releases read
    /// `XT_ALIGN(len)` bytes, hence the zeroed padding.
    fn xt_info(&mut self, attr: u32, info: &[u8]) -> Result<(), Error> {
        let padded = (info.len() + 7) & !7;
        // SAFETY: calloc with a non-zero size (at least 8) returns either NULL
        // or a zeroed block of that size.
        let p = unsafe { libc::calloc(1, padded.max(8)) }.cast::<u8>();
        if p.is_null() {
            return Err(Error::Io(io::Error::from_raw_os_error(libc::ENOMEM)));
        }
        // SAFETY: `p` points to at least `padded >= info.len()` writable
        // bytes that do not overlap `info`.
        unsafe { std::ptr::copy_nonoverlapping(info.as_ptr(), p, info.len()) };
        // SAFETY: the expression is valid; on success libnftnl adopts `p`
        // (a malloc-family block, as it expects) and frees it with the
        // expression.
        let rc = unsafe {
            sys::nftnl_expr_set(
                self.0.as_ptr(),
                attr as u16,
                p.cast::<c_void>(),
                info.len() as u32,
            )
        };
        if rc < 0 {
            // SAFETY: libnftnl refused the attribute, so `p` is still ours.
            unsafe { libc::free(p.cast::<c_void>()) };
            return Err(proto_err("libnftnl refused an info blob"));
        }
        Ok(())
    }
}

impl Drop for ExprBox {
    fn drop(&mut self) {
        // SAFETY: the expression was allocated by nftnl_expr_alloc and is
        // still owned by this wrapper (ownership moves out in `RuleBox::add`,
        // which forgets the wrapper).
        unsafe { sys::nftnl_expr_free(self.0.as_ptr()) }
    }
}

/// An owned `nftnl_rule` (with the expressions added to it).
struct RuleBox(NonNull<sys::nftnl_rule>);

impl RuleBox {
    fn new() -> Result<Self, Error> {
        // SAFETY: plain allocation; NULL means out of memory.
        let p = unsafe { sys::nftnl_rule_alloc() };
        NonNull::new(p)
            .map(RuleBox)
            .ok_or_else(|| Error::Io(io::Error::from_raw_os_error(libc::ENOMEM)))
    }
    fn str(&mut self, attr: u32, s: &str) -> Result<(), Error> {
        let c = cstring(s)?;
        // SAFETY: the rule is valid; libnftnl duplicates the string.
        let rc = unsafe { sys::nftnl_rule_set_str(self.0.as_ptr(), attr as u16, c.as_ptr()) };
        if rc < 0 {
            return Err(proto_err("libnftnl refused a rule string"));
        }
        Ok(())
    }
    fn u32(&mut self, attr: u32, v: u32) {
        // SAFETY: the rule is valid; the value is copied.
        unsafe { sys::nftnl_rule_set_u32(self.0.as_ptr(), attr as u16, v) }
    }
    fn u64(&mut self, attr: u32, v: u64) {
        // SAFETY: the rule is valid; the value is copied.
        unsafe { sys::nftnl_rule_set_u64(self.0.as_ptr(), attr as u16, v) }
    }
    fn data(&mut self, attr: u32, d: &[u8]) -> Result<(), Error> {
        // SAFETY: the rule is valid; `d` is readable for its length and
        // libnftnl copies it (malloc + memcpy for userdata).
        let rc = unsafe {
            sys::nftnl_rule_set_data(
                self.0.as_ptr(),
                attr as u16,
                d.as_ptr().cast::<c_void>(),
                d.len() as u32,
            )
        };
        if rc < 0 {
            return Err(proto_err("libnftnl refused rule data"));
        }
        Ok(())
    }
    fn add(&mut self, e: ExprBox) {
        let p = e.0.as_ptr();
        std::mem::forget(e);
        // SAFETY: both pointers are valid; the rule takes ownership of the
        // expression (freed by nftnl_rule_free), so the wrapper was forgotten.
        unsafe { sys::nftnl_rule_add_expr(self.0.as_ptr(), p) }
    }
}

impl Drop for RuleBox {
    fn drop(&mut self) {
        // SAFETY: allocated by nftnl_rule_alloc and owned by this wrapper.
        unsafe { sys::nftnl_rule_free(self.0.as_ptr()) }
    }
}

/// An owned `nftnl_chain`.
struct ChainBox(NonNull<sys::nftnl_chain>);

impl ChainBox {
    fn new() -> Result<Self, Error> {
        // SAFETY: plain allocation; NULL means out of memory.
        let p = unsafe { sys::nftnl_chain_alloc() };
        NonNull::new(p)
            .map(ChainBox)
            .ok_or_else(|| Error::Io(io::Error::from_raw_os_error(libc::ENOMEM)))
    }
    fn str(&mut self, attr: u32, s: &str) -> Result<(), Error> {
        let c = cstring(s)?;
        // SAFETY: the chain is valid; libnftnl duplicates the string.
        let rc = unsafe { sys::nftnl_chain_set_str(self.0.as_ptr(), attr as u16, c.as_ptr()) };
        if rc < 0 {
            return Err(proto_err("libnftnl refused a chain string"));
        }
        Ok(())
    }
    fn u32(&mut self, attr: u32, v: u32) {
        // SAFETY: the chain is valid; the value is copied.
        unsafe { sys::nftnl_chain_set_u32(self.0.as_ptr(), attr as u16, v) }
    }
    fn s32(&mut self, attr: u32, v: i32) {
        // SAFETY: the chain is valid; the value is copied.
        unsafe { sys::nftnl_chain_set_s32(self.0.as_ptr(), attr as u16, v) }
    }
    fn u64(&mut self, attr: u32, v: u64) {
        // SAFETY: the chain is valid; the value is copied.
        unsafe { sys::nftnl_chain_set_u64(self.0.as_ptr(), attr as u16, v) }
    }
}

impl Drop for ChainBox {
    fn drop(&mut self) {
        // SAFETY: allocated by nftnl_chain_alloc and owned by this wrapper.
        unsafe { sys::nftnl_chain_free(self.0.as_ptr()) }
    }
}

/// An owned `nftnl_table`.
struct TableBox(NonNull<sys::nftnl_table>);

impl TableBox {
    fn new() -> Result<Self, Error> {
        // SAFETY: plain allocation; NULL means out of memory.
        let p = unsafe { sys::nftnl_table_alloc() };
        NonNull::new(p)
            .map(TableBox)
            .ok_or_else(|| Error::Io(io::Error::from_raw_os_error(libc::ENOMEM)))
    }
    fn str(&mut self, attr: u32, s: &str) -> Result<(), Error> {
        let c = cstring(s)?;
        // SAFETY: the table is valid; libnftnl duplicates the string.
        let rc = unsafe { sys::nftnl_table_set_str(self.0.as_ptr(), attr as u16, c.as_ptr()) };
        if rc < 0 {
            return Err(proto_err("libnftnl refused a table string"));
        }
        Ok(())
    }
    fn u32(&mut self, attr: u32, v: u32) {
        // SAFETY: the table is valid; the value is copied.
        unsafe { sys::nftnl_table_set_u32(self.0.as_ptr(), attr as u16, v) }
    }
}

impl Drop for TableBox {
    fn drop(&mut self) {
        // SAFETY: allocated by nftnl_table_alloc and owned by this wrapper.
        unsafe { sys::nftnl_table_free(self.0.as_ptr()) }
    }
}

// ---------------------------------------------------------------------------
// Encoding.

/// What a message is built from.
enum Obj {
    Table(TableBox),
    Chain(ChainBox),
    Rule(RuleBox),
}

/// An aligned, zeroed scratch area of at least `bytes` bytes.
fn scratch(bytes: usize) -> Vec<u64> {
    vec![0u64; bytes.div_ceil(8)]
}

/// Upper bound of one netlink attribute carrying `payload` bytes.
fn attr_bound(payload: usize) -> usize {
    4 + payload + 3
}

/// Upper bound of one expression inside `NFTA_RULE_EXPRESSIONS`.
fn expr_bound(e: &Expr) -> usize {
    // NFTA_LIST_ELEM + NFTA_EXPR_NAME (<= 16 bytes) + NFTA_EXPR_DATA nest,
    // and room for up to ten scalar attributes of up to 8 bytes each.
    let fixed = 4 + attr_bound(17) + 4 + 10 * attr_bound(8);
    let var = match e {
        Expr::Cmp { data, .. } => 4 + attr_bound(data.len()),
        Expr::Bitwise { mask, xor, .. } => 8 + attr_bound(mask.len()) + attr_bound(xor.len()),
        Expr::Range { from, to, .. } => 8 + attr_bound(from.len()) + attr_bound(to.len()),
        Expr::Immediate { data, .. } => match data {
            ImmData::Verdict { chain, .. } => {
                8 + attr_bound(8) + chain.as_ref().map_or(0, |c| attr_bound(c.len() + 1))
            }
            ImmData::Value(v) => 4 + attr_bound(v.len()),
        },
        Expr::Match { info, .. } | Expr::Target { info, .. } => {
            attr_bound(XT_NAME_LEN) + attr_bound(info.len() + 8)
        }
        Expr::Log { prefix, .. } => prefix.as_ref().map_or(0, |p| attr_bound(p.len() + 1)),
        Expr::Lookup { set, .. } => attr_bound(set.len() + 1),
        _ => 0,
    };
    fixed + var
}

/// Upper bound of the whole message for `op` (header included), with slack.
fn op_bound(op: &Op) -> usize {
    let hdr = NLMSG_HDRLEN + NFGENMSG_LEN + 64;
    let body = match op {
        Op::AddTable(t) | Op::DelTable(t) => attr_bound(t.name.len() + 1) + 4 * attr_bound(8),
        Op::AddChain { chain, .. } | Op::DelChain(chain) => {
            attr_bound(chain.table.len() + 1)
                + attr_bound(chain.name.len() + 1)
                + chain
                    .chain_type
                    .as_ref()
                    .map_or(0, |t| attr_bound(t.len() + 1))
                + 12 * attr_bound(8)
        }
        Op::AddRule { rule, .. } | Op::DelRule(rule) => {
            attr_bound(rule.table.len() + 1)
                + attr_bound(rule.chain.len() + 1)
                + rule.userdata.as_ref().map_or(0, |u| attr_bound(u.len()))
                + 12 * attr_bound(8)
                + 4
                + rule.exprs.iter().map(expr_bound).sum::<usize>()
        }
    };
    hdr + body + 256
}

fn family_of(msg: &[u8]) -> Option<Family> {
    match msg.get(NLMSG_HDRLEN) {
        Some(2) => Some(Family::V4),
        Some(10) => Some(Family::V6),
        _ => None,
    }
}

fn expr_to_nftnl(e: &Expr) -> Result<ExprBox, Error> {
    Ok(match e {
        Expr::Payload {
            base,
            offset,
            len,
            dreg,
        } => {
            let mut x = ExprBox::new(c"payload")?;
            x.u32(sys::NFTNL_EXPR_PAYLOAD_DREG, *dreg);
            x.u32(sys::NFTNL_EXPR_PAYLOAD_BASE, *base);
            x.u32(sys::NFTNL_EXPR_PAYLOAD_OFFSET, *offset);
            x.u32(sys::NFTNL_EXPR_PAYLOAD_LEN, *len);
            x
        }
        Expr::Meta { key, dreg, sreg } => {
            let mut x = ExprBox::new(c"meta")?;
            x.u32(sys::NFTNL_EXPR_META_KEY, *key);
            if let Some(d) = dreg {
                x.u32(sys::NFTNL_EXPR_META_DREG, *d);
            }
            if let Some(s) = sreg {
                x.u32(sys::NFTNL_EXPR_META_SREG, *s);
            }
            x
        }
        Expr::Cmp { sreg, op, data } => {
            let mut x = ExprBox::new(c"cmp")?;
            x.u32(sys::NFTNL_EXPR_CMP_SREG, *sreg);
            x.u32(sys::NFTNL_EXPR_CMP_OP, *op);
            x.reg_data(sys::NFTNL_EXPR_CMP_DATA, data)?;
            x
        }
        Expr::Bitwise {
            sreg,
            dreg,
            len,
            mask,
            xor,
        } => {
            let mut x = ExprBox::new(c"bitwise")?;
            x.u32(sys::NFTNL_EXPR_BITWISE_SREG, *sreg);
            x.u32(sys::NFTNL_EXPR_BITWISE_DREG, *dreg);
            x.u32(sys::NFTNL_EXPR_BITWISE_LEN, *len);
            x.reg_data(sys::NFTNL_EXPR_BITWISE_MASK, mask)?;
            x.reg_data(sys::NFTNL_EXPR_BITWISE_XOR, xor)?;
            x
        }
        Expr::Range { sreg, op, from, to } => {
            let mut x = ExprBox::new(c"range")?;
            x.u32(sys::NFTNL_EXPR_RANGE_SREG, *sreg);
            x.u32(sys::NFTNL_EXPR_RANGE_OP, *op);
            x.reg_data(sys::NFTNL_EXPR_RANGE_FROM_DATA, from)?;
            x.reg_data(sys::NFTNL_EXPR_RANGE_TO_DATA, to)?;
            x
        }
        Expr::Immediate { dreg, data } => {
            let mut x = ExprBox::new(c"immediate")?;
            x.u32(sys::NFTNL_EXPR_IMM_DREG, *dreg);
            match data {
                ImmData::Verdict { code, chain } => {
                    x.u32(sys::NFTNL_EXPR_IMM_VERDICT, *code as u32);
                    if let Some(c) = chain {
                        x.str(sys::NFTNL_EXPR_IMM_CHAIN, c)?;
                    }
                }
                ImmData::Value(v) => x.reg_data(sys::NFTNL_EXPR_IMM_DATA, v)?,
            }
            x
        }
        Expr::Counter { packets, bytes } => {
            let mut x = ExprBox::new(c"counter")?;
            x.u64(sys::NFTNL_EXPR_CTR_PACKETS, *packets);
            x.u64(sys::NFTNL_EXPR_CTR_BYTES, *bytes);
            x
        }
        Expr::Match { name, rev, info } => {
            let mut x = ExprBox::new(c"match")?;
            x.xt_name(sys::NFTNL_EXPR_MT_NAME, name)?;
            x.u32(sys::NFTNL_EXPR_MT_REV, *rev);
            x.xt_info(sys::NFTNL_EXPR_MT_INFO, info)?;
            x
        }
        Expr::Target { name, rev, info } => {
            let mut x = ExprBox::new(c"target")?;
            x.xt_name(sys::NFTNL_EXPR_TG_NAME, name)?;
            x.u32(sys::NFTNL_EXPR_TG_REV, *rev);
            x.xt_info(sys::NFTNL_EXPR_TG_INFO, info)?;
            x
        }
        Expr::Limit {
            rate,
            unit,
            burst,
            kind,
            flags,
        } => {
            let mut x = ExprBox::new(c"limit")?;
            x.u64(sys::NFTNL_EXPR_LIMIT_RATE, *rate);
            x.u64(sys::NFTNL_EXPR_LIMIT_UNIT, *unit);
            x.u32(sys::NFTNL_EXPR_LIMIT_BURST, *burst);
            x.u32(sys::NFTNL_EXPR_LIMIT_TYPE, *kind);
            x.u32(sys::NFTNL_EXPR_LIMIT_FLAGS, *flags);
            x
        }
        Expr::Log {
            prefix,
            group,
            snaplen,
            qthreshold,
            level,
            flags,
        } => {
            let mut x = ExprBox::new(c"log")?;
            if let Some(p) = prefix {
                x.str(sys::NFTNL_EXPR_LOG_PREFIX, p)?;
            }
            if let Some(g) = group {
                x.u16(sys::NFTNL_EXPR_LOG_GROUP, *g);
            }
            if let Some(s) = snaplen {
                x.u32(sys::NFTNL_EXPR_LOG_SNAPLEN, *s);
            }
            if let Some(q) = qthreshold {
                x.u16(sys::NFTNL_EXPR_LOG_QTHRESHOLD, *q);
            }
            if let Some(l) = level {
                x.u32(sys::NFTNL_EXPR_LOG_LEVEL, *l);
            }
            if let Some(f) = flags {
                x.u32(sys::NFTNL_EXPR_LOG_FLAGS, *f);
            }
            x
        }
        Expr::Lookup {
            sreg,
            set,
            dreg,
            flags,
        } => {
            let mut x = ExprBox::new(c"lookup")?;
            x.u32(sys::NFTNL_EXPR_LOOKUP_SREG, *sreg);
            x.str(sys::NFTNL_EXPR_LOOKUP_SET, set)?;
            if let Some(d) = dreg {
                x.u32(sys::NFTNL_EXPR_LOOKUP_DREG, *d);
            }
            x.u32(sys::NFTNL_EXPR_LOOKUP_FLAGS, *flags);
            x
        }
        Expr::Other { name, .. } => {
            return Err(inval(format!("expression {name} cannot be encoded")));
        }
    })
}

fn rule_to_nftnl(rule: &KRule, send_handle: bool) -> Result<RuleBox, Error> {
    let mut r = RuleBox::new()?;
    r.str(sys::NFTNL_RULE_TABLE, &rule.table)?;
    r.str(sys::NFTNL_RULE_CHAIN, &rule.chain)?;
    if send_handle && rule.handle != 0 {
        r.u64(sys::NFTNL_RULE_HANDLE, rule.handle);
    }
    if let Some(p) = rule.position {
        r.u64(sys::NFTNL_RULE_POSITION, p);
    }
    if let Some(p) = rule.position_id {
        r.u32(sys::NFTNL_RULE_POSITION_ID, p);
    }
    if let Some(id) = rule.id {
        r.u32(sys::NFTNL_RULE_ID, id);
    }
    if let Some((proto, flags)) = rule.compat {
        r.u32(sys::NFTNL_RULE_COMPAT_PROTO, proto);
        r.u32(sys::NFTNL_RULE_COMPAT_FLAGS, flags);
    }
    if let Some(u) = &rule.userdata {
        r.data(sys::NFTNL_RULE_USERDATA, u)?;
    }
    for e in &rule.exprs {
        let x = expr_to_nftnl(e)?;
        r.add(x);
    }
    Ok(r)
}

fn chain_to_nftnl(c: &KChain, full: bool) -> Result<ChainBox, Error> {
    let mut x = ChainBox::new()?;
    x.str(sys::NFTNL_CHAIN_TABLE, &c.table)?;
    if !c.name.is_empty() {
        x.str(sys::NFTNL_CHAIN_NAME, &c.name)?;
    }
    if c.handle != 0 {
        x.u64(sys::NFTNL_CHAIN_HANDLE, c.handle);
    }
    if full {
        if let Some((hooknum, prio)) = c.hook {
            x.u32(sys::NFTNL_CHAIN_HOOKNUM, hooknum);
            x.s32(sys::NFTNL_CHAIN_PRIO, prio);
        }
        if let Some(p) = c.policy {
            x.u32(sys::NFTNL_CHAIN_POLICY, p);
        }
        if let Some(t) = &c.chain_type {
            x.str(sys::NFTNL_CHAIN_TYPE, t)?;
        }
        if let Some((pkts, bytes)) = c.counters {
            x.u64(sys::NFTNL_CHAIN_PACKETS, pkts);
            x.u64(sys::NFTNL_CHAIN_BYTES, bytes);
        }
    }
    Ok(x)
}

fn table_to_nftnl(t: &KTable, full: bool) -> Result<TableBox, Error> {
    let mut x = TableBox::new()?;
    x.str(sys::NFTNL_TABLE_NAME, &t.name)?;
    if full && t.flags != 0 {
        x.u32(sys::NFTNL_TABLE_FLAGS, t.flags);
    }
    Ok(x)
}

/// Appends one complete nf_tables netlink message for `op` to `buf`:
/// `nlmsghdr` + `nfgenmsg` + attributes, laid out by libnftnl.
///
/// The flags are iptables-nft 1.8.9's (`nft_action()`): `NLM_F_REQUEST`
/// always, plus
///
/// - `AddTable`: `NLM_F_CREATE`; `DelTable`: none;
/// - `AddChain`: `NLM_F_EXCL` when `excl`, none for a rename (a chain with a
///   handle and no hook), `NLM_F_CREATE` otherwise; `DelChain`:
///   `NLM_F_NONREC` (the kernel refuses to delete a chain still referenced);
/// - `AddRule`: `NLM_F_CREATE|NLM_F_REPLACE` with the rule handle when
///   `replace`, else `NLM_F_CREATE|NLM_F_APPEND` when `append`, else
///   `NLM_F_CREATE` (an insert, before `position`/`position_id`, or at the
///   head). The rule handle is only sent for a replace: the kernel refuses a
///   plain add that names a handle;
/// - `DelRule`: by handle, or every rule of the chain when the handle is 0.
///
/// `NLM_F_ACK` is never set; OR it in with [`set_ack`]. The message starts at
/// the next 4-byte boundary of `buf` (the buffer is zero-padded up to it).
/// An [`Expr::Other`] cannot be encoded (`EINVAL`), nor can register data
/// longer than 64 bytes or names with NUL bytes.
pub fn encode_op(buf: &mut Vec<u8>, family: Family, op: &Op, seq: u32) -> Result<(), Error> {
    let (m, flags, obj) = match op {
        Op::AddTable(t) => (
            msg::NEWTABLE,
            F_CREATE,
            Obj::Table(table_to_nftnl(t, true)?),
        ),
        Op::DelTable(t) => (msg::DELTABLE, 0, Obj::Table(table_to_nftnl(t, false)?)),
        Op::AddChain { chain, excl } => {
            let flags = if *excl {
                F_EXCL
            } else if chain.handle != 0 && chain.hook.is_none() {
                0
            } else {
                F_CREATE
            };
            (
                msg::NEWCHAIN,
                flags,
                Obj::Chain(chain_to_nftnl(chain, true)?),
            )
        }
        Op::DelChain(c) => (
            msg::DELCHAIN,
            F_NONREC,
            Obj::Chain(chain_to_nftnl(c, false)?),
        ),
        Op::AddRule {
            rule,
            append,
            replace,
        } => {
            let flags = if *replace {
                F_CREATE | F_REPLACE
            } else if *append {
                F_CREATE | F_APPEND
            } else {
                F_CREATE
            };
            (
                msg::NEWRULE,
                flags,
                Obj::Rule(rule_to_nftnl(rule, *replace)?),
            )
        }
        Op::DelRule(rule) => {
            let mut r = RuleBox::new()?;
            r.str(sys::NFTNL_RULE_TABLE, &rule.table)?;
            r.str(sys::NFTNL_RULE_CHAIN, &rule.chain)?;
            if rule.handle != 0 {
                r.u64(sys::NFTNL_RULE_HANDLE, rule.handle);
            }
            (msg::DELRULE, 0, Obj::Rule(r))
        }
    };

    let bound = op_bound(op);
    let mut area = scratch(bound);
    let base = area.as_mut_ptr().cast::<c_char>();
    // SAFETY: `base` points to `area`, a zeroed, 8-byte aligned block of at
    // least `bound` bytes that outlives these calls. `bound` is an upper
    // bound of everything libnftnl writes for this object (header, every
    // attribute with padding, plus slack), computed from the same values the
    // object was built from, so the unchecked writes stay inside `area`.
    // The object pointers are valid and owned by the boxes in `obj`.
    unsafe {
        let nlh = sys::nftnl_nlmsg_build_hdr(
            base,
            nft_type(m),
            u16::from(family.nfproto()),
            F_REQUEST | flags,
            seq,
        );
        match &obj {
            Obj::Table(t) => sys::nftnl_table_nlmsg_build_payload(nlh, t.0.as_ptr()),
            Obj::Chain(c) => sys::nftnl_chain_nlmsg_build_payload(nlh, c.0.as_ptr()),
            Obj::Rule(r) => sys::nftnl_rule_nlmsg_build_payload(nlh, r.0.as_ptr()),
        }
    }
    drop(obj);
    // SAFETY: `area` is a live allocation of `area.len() * 8` initialized
    // bytes; viewing it as bytes is valid for any alignment.
    let bytes = unsafe { std::slice::from_raw_parts(area.as_ptr().cast::<u8>(), area.len() * 8) };
    let len = u32::from_ne_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    if !(NLMSG_HDRLEN + NFGENMSG_LEN..=bound).contains(&len) {
        // Cannot happen with a correct bound; refuse rather than send junk.
        return Err(proto_err(format!(
            "message length {len} outside 20..={bound}"
        )));
    }
    while !buf.len().is_multiple_of(4) {
        buf.push(0);
    }
    buf.extend_from_slice(&bytes[..len]);
    Ok(())
}

/// ORs `NLM_F_ACK` into the flags of the message starting at `msg_start` in
/// `buf` (as written by [`encode_op`]). Does nothing if `buf` is too short.
pub fn set_ack(msg_start: usize, buf: &mut [u8]) {
    if let Some(f) = buf.get_mut(msg_start + 6..msg_start + 8) {
        let flags = u16::from_ne_bytes([f[0], f[1]]) | F_ACK;
        f.copy_from_slice(&flags.to_ne_bytes());
    }
}

// ---------------------------------------------------------------------------
// Decoding.

/// Checks the netlink header of `msg` and returns an aligned copy of exactly
/// `nlmsg_len` bytes (libnftnl reads header fields in place and trusts
/// `nlmsg_len`).
fn aligned_copy(msg: &[u8]) -> Result<Vec<u64>, Error> {
    let head = msg
        .get(..4)
        .ok_or_else(|| proto_err("message shorter than a netlink header"))?;
    let len = u32::from_ne_bytes([head[0], head[1], head[2], head[3]]) as usize;
    if len < NLMSG_HDRLEN + NFGENMSG_LEN || len > msg.len() {
        return Err(proto_err(format!(
            "bad nlmsg_len {len} for a {} byte message",
            msg.len()
        )));
    }
    let mut v = scratch(len);
    // SAFETY: `v` holds at least `len` writable bytes; `msg` holds at least
    // `len` readable bytes (checked above); they do not overlap.
    unsafe { std::ptr::copy_nonoverlapping(msg.as_ptr(), v.as_mut_ptr().cast::<u8>(), len) };
    Ok(v)
}

fn nlh_of(v: &[u64]) -> *const libc::nlmsghdr {
    v.as_ptr().cast::<libc::nlmsghdr>()
}

/// Copies a C string owned by libnftnl, or "" for NULL.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string valid for this call.
unsafe fn c_str(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: per the contract above.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// Copies `len` bytes at `p`, or nothing for NULL.
///
/// # Safety
/// `p` is NULL or readable for `len` bytes.
unsafe fn c_bytes(p: *const c_void, len: u32) -> Vec<u8> {
    if p.is_null() {
        return Vec::new();
    }
    // SAFETY: per the contract above.
    unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len as usize) }.to_vec()
}

/// A borrowed expression of a parsed rule.
struct ExprRef(*const sys::nftnl_expr);

impl ExprRef {
    fn is_set(&self, attr: u32) -> bool {
        // SAFETY: the expression belongs to a rule that outlives this value
        // (see `decode_rule`).
        unsafe { sys::nftnl_expr_is_set(self.0, attr as u16) }
    }
    fn u32(&self, attr: u32) -> u32 {
        // SAFETY: as in `is_set`; an unset attribute reads as 0.
        unsafe { sys::nftnl_expr_get_u32(self.0, attr as u16) }
    }
    fn u16(&self, attr: u32) -> u16 {
        // SAFETY: as in `is_set`.
        unsafe { sys::nftnl_expr_get_u16(self.0, attr as u16) }
    }
    fn u64(&self, attr: u32) -> u64 {
        // SAFETY: as in `is_set`.
        unsafe { sys::nftnl_expr_get_u64(self.0, attr as u16) }
    }
    fn opt_u32(&self, attr: u32) -> Option<u32> {
        self.is_set(attr).then(|| self.u32(attr))
    }
    fn str(&self, attr: u32) -> String {
        // SAFETY: as in `is_set`; the returned string lives as long as the
        // expression and is copied at once.
        unsafe { c_str(sys::nftnl_expr_get_str(self.0, attr as u16)) }
    }
    fn data(&self, attr: u32) -> Vec<u8> {
        let mut len = 0u32;
        // SAFETY: as in `is_set`; libnftnl returns a pointer into the
        // expression valid for `len` bytes (or NULL), copied at once.
        unsafe {
            let p = sys::nftnl_expr_get(self.0, attr as u16, &mut len);
            c_bytes(p, len)
        }
    }
    /// libnftnl's text for the expression, as in `nft --debug=netlink`.
    fn text(&self, name: &str) -> String {
        let mut size = 256usize;
        loop {
            let mut b = vec![0u8; size];
            // SAFETY: `b` is writable for `size` bytes; snprintf writes at
            // most `size` bytes including the NUL and returns the length it
            // wanted.
            let n = unsafe {
                sys::nftnl_expr_snprintf(
                    b.as_mut_ptr().cast::<c_char>(),
                    size,
                    self.0,
                    sys::NFTNL_OUTPUT_DEFAULT,
                    0,
                )
            };
            if n < 0 {
                return name.to_string();
            }
            let n = n as usize;
            if n < size {
                b.truncate(n);
                let body = String::from_utf8_lossy(&b);
                let body = body.trim();
                return if body.is_empty() {
                    name.to_string()
                } else {
                    format!("{name} {body}")
                };
            }
            size = n + 1;
        }
    }
}

fn other(x: &ExprRef, name: &str) -> Expr {
    Expr::Other {
        name: name.to_string(),
        text: x.text(name),
    }
}

fn expr_from_nftnl(x: &ExprRef) -> Expr {
    let name = x.str(sys::NFTNL_EXPR_NAME);
    match name.as_str() {
        "payload" => {
            if x.is_set(sys::NFTNL_EXPR_PAYLOAD_SREG) || !x.is_set(sys::NFTNL_EXPR_PAYLOAD_DREG) {
                return other(x, &name);
            }
            Expr::Payload {
                base: x.u32(sys::NFTNL_EXPR_PAYLOAD_BASE),
                offset: x.u32(sys::NFTNL_EXPR_PAYLOAD_OFFSET),
                len: x.u32(sys::NFTNL_EXPR_PAYLOAD_LEN),
                dreg: x.u32(sys::NFTNL_EXPR_PAYLOAD_DREG),
            }
        }
        "meta" => Expr::Meta {
            key: x.u32(sys::NFTNL_EXPR_META_KEY),
            dreg: x.opt_u32(sys::NFTNL_EXPR_META_DREG),
            sreg: x.opt_u32(sys::NFTNL_EXPR_META_SREG),
        },
        "cmp" => Expr::Cmp {
            sreg: x.u32(sys::NFTNL_EXPR_CMP_SREG),
            op: x.u32(sys::NFTNL_EXPR_CMP_OP),
            data: x.data(sys::NFTNL_EXPR_CMP_DATA),
        },
        "bitwise" => {
            // Only the mask/xor form (NFT_BITWISE_BOOL); shifts are foreign.
            if x.opt_u32(sys::NFTNL_EXPR_BITWISE_OP).unwrap_or(0) != 0 {
                return other(x, &name);
            }
            Expr::Bitwise {
                sreg: x.u32(sys::NFTNL_EXPR_BITWISE_SREG),
                dreg: x.u32(sys::NFTNL_EXPR_BITWISE_DREG),
                len: x.u32(sys::NFTNL_EXPR_BITWISE_LEN),
                mask: x.data(sys::NFTNL_EXPR_BITWISE_MASK),
                xor: x.data(sys::NFTNL_EXPR_BITWISE_XOR),
            }
        }
        "range" => Expr::Range {
            sreg: x.u32(sys::NFTNL_EXPR_RANGE_SREG),
            op: x.u32(sys::NFTNL_EXPR_RANGE_OP),
            from: x.data(sys::NFTNL_EXPR_RANGE_FROM_DATA),
            to: x.data(sys::NFTNL_EXPR_RANGE_TO_DATA),
        },
        "immediate" => {
            let dreg = x.u32(sys::NFTNL_EXPR_IMM_DREG);
            let data = if x.is_set(sys::NFTNL_EXPR_IMM_VERDICT) {
                ImmData::Verdict {
                    code: x.u32(sys::NFTNL_EXPR_IMM_VERDICT) as i32,
                    chain: x
                        .is_set(sys::NFTNL_EXPR_IMM_CHAIN)
                        .then(|| x.str(sys::NFTNL_EXPR_IMM_CHAIN)),
                }
            } else if x.is_set(sys::NFTNL_EXPR_IMM_DATA) {
                ImmData::Value(x.data(sys::NFTNL_EXPR_IMM_DATA))
            } else {
                return other(x, &name);
            };
            Expr::Immediate { dreg, data }
        }
        "counter" => Expr::Counter {
            packets: x.u64(sys::NFTNL_EXPR_CTR_PACKETS),
            bytes: x.u64(sys::NFTNL_EXPR_CTR_BYTES),
        },
        "match" => Expr::Match {
            name: x.str(sys::NFTNL_EXPR_MT_NAME),
            rev: x.u32(sys::NFTNL_EXPR_MT_REV),
            info: x.data(sys::NFTNL_EXPR_MT_INFO),
        },
        "target" => Expr::Target {
            name: x.str(sys::NFTNL_EXPR_TG_NAME),
            rev: x.u32(sys::NFTNL_EXPR_TG_REV),
            info: x.data(sys::NFTNL_EXPR_TG_INFO),
        },
        "limit" => Expr::Limit {
            rate: x.u64(sys::NFTNL_EXPR_LIMIT_RATE),
            unit: x.u64(sys::NFTNL_EXPR_LIMIT_UNIT),
            burst: x.u32(sys::NFTNL_EXPR_LIMIT_BURST),
            kind: x.u32(sys::NFTNL_EXPR_LIMIT_TYPE),
            flags: x.u32(sys::NFTNL_EXPR_LIMIT_FLAGS),
        },
        "log" => Expr::Log {
            prefix: x
                .is_set(sys::NFTNL_EXPR_LOG_PREFIX)
                .then(|| x.str(sys::NFTNL_EXPR_LOG_PREFIX)),
            group: x
                .is_set(sys::NFTNL_EXPR_LOG_GROUP)
                .then(|| x.u16(sys::NFTNL_EXPR_LOG_GROUP)),
            snaplen: x.opt_u32(sys::NFTNL_EXPR_LOG_SNAPLEN),
            qthreshold: x
                .is_set(sys::NFTNL_EXPR_LOG_QTHRESHOLD)
                .then(|| x.u16(sys::NFTNL_EXPR_LOG_QTHRESHOLD)),
            level: x.opt_u32(sys::NFTNL_EXPR_LOG_LEVEL),
            flags: x.opt_u32(sys::NFTNL_EXPR_LOG_FLAGS),
        },
        "lookup" => {
            // A map lookup (with a destination register) has no iptables
            // meaning; keep it foreign so it is never taken for a set match.
            if x.is_set(sys::NFTNL_EXPR_LOOKUP_DREG) {
                return other(x, &name);
            }
            Expr::Lookup {
                sreg: x.u32(sys::NFTNL_EXPR_LOOKUP_SREG),
                set: x.str(sys::NFTNL_EXPR_LOOKUP_SET),
                dreg: None,
                flags: x.u32(sys::NFTNL_EXPR_LOOKUP_FLAGS),
            }
        }
        _ => other(x, &name),
    }
}

/// Decodes one `NFT_MSG_NEWRULE` message of a dump (`msg` starts with the
/// `nlmsghdr`; bytes after `nlmsg_len` are ignored).
///
/// Every expression becomes an [`Expr`]; expressions rtables does not model
/// (ct, nat, fib, map lookups, payload writes, shifts, ...) become
/// [`Expr::Other`] with libnftnl's text. The kernel's `NFTA_RULE_POSITION`
/// on dumps (the previous rule's handle) is *not* kept: `position` is a
/// request attribute, and a decoded rule sent back must not carry a stale one.
/// `compat` is never sent back by the kernel, so it is `None`.
pub fn decode_rule(msg: &[u8]) -> Result<KRule, Error> {
    let v = aligned_copy(msg)?;
    let r = RuleBox::new()?;
    let rp = r.0.as_ptr();
    // SAFETY: `v` holds a complete message whose nlmsg_len was checked
    // against its size; libnftnl validates every attribute length against
    // nlmsg_len while parsing into the rule it is given.
    let rc = unsafe { sys::nftnl_rule_nlmsg_parse(nlh_of(&v), rp) };
    if rc < 0 {
        return Err(proto_err("libnftnl could not parse a rule message"));
    }
    let is_set = |a: u32| {
        // SAFETY: `rp` is the valid rule owned by `r`.
        unsafe { sys::nftnl_rule_is_set(rp, a as u16) }
    };
    let get_u64 = |a: u32| {
        // SAFETY: `rp` is the valid rule owned by `r`.
        unsafe { sys::nftnl_rule_get_u64(rp, a as u16) }
    };
    let get_u32 = |a: u32| {
        // SAFETY: `rp` is the valid rule owned by `r`.
        unsafe { sys::nftnl_rule_get_u32(rp, a as u16) }
    };
    let get_str = |a: u32| {
        // SAFETY: `rp` is valid; the string lives as long as the rule and is
        // copied at once.
        unsafe { c_str(sys::nftnl_rule_get_str(rp, a as u16)) }
    };
    let mut out = KRule {
        family: family_of(msg),
        table: get_str(sys::NFTNL_RULE_TABLE),
        chain: get_str(sys::NFTNL_RULE_CHAIN),
        handle: if is_set(sys::NFTNL_RULE_HANDLE) {
            get_u64(sys::NFTNL_RULE_HANDLE)
        } else {
            0
        },
        position: None,
        position_id: is_set(sys::NFTNL_RULE_POSITION_ID)
            .then(|| get_u32(sys::NFTNL_RULE_POSITION_ID)),
        id: is_set(sys::NFTNL_RULE_ID).then(|| get_u32(sys::NFTNL_RULE_ID)),
        compat: is_set(sys::NFTNL_RULE_COMPAT_PROTO).then(|| {
            (
                get_u32(sys::NFTNL_RULE_COMPAT_PROTO),
                get_u32(sys::NFTNL_RULE_COMPAT_FLAGS),
            )
        }),
        exprs: Vec::new(),
        userdata: None,
    };
    if is_set(sys::NFTNL_RULE_USERDATA) {
        let mut len = 0u32;
        // SAFETY: `rp` is valid; the returned pointer is valid for `len`
        // bytes while the rule lives and is copied at once.
        out.userdata = Some(unsafe {
            let p = sys::nftnl_rule_get_data(rp, sys::NFTNL_RULE_USERDATA as u16, &mut len);
            c_bytes(p, len)
        });
    }
    // SAFETY: `rp` is valid; the iterator borrows the rule, which outlives it
    // (destroyed below before `r` drops).
    let it = unsafe { sys::nftnl_expr_iter_create(rp) };
    if it.is_null() {
        return Err(Error::Io(io::Error::from_raw_os_error(libc::ENOMEM)));
    }
    loop {
        // SAFETY: `it` is a live iterator over the rule's expressions.
        let e = unsafe { sys::nftnl_expr_iter_next(it) };
        if e.is_null() {
            break;
        }
        out.exprs.push(expr_from_nftnl(&ExprRef(e)));
    }
    // SAFETY: `it` was created above and is destroyed exactly once.
    unsafe { sys::nftnl_expr_iter_destroy(it) };
    drop(r);
    Ok(out)
}

/// Decodes one `NFT_MSG_NEWCHAIN` message of a dump: name, table, handle,
/// hook and priority, policy and type (base chains), counters when the chain
/// has them (`NFTA_CHAIN_COUNTERS`) and the kernel's use count.
pub fn decode_chain(msg: &[u8]) -> Result<KChain, Error> {
    let v = aligned_copy(msg)?;
    let c = ChainBox::new()?;
    let cp = c.0.as_ptr();
    // SAFETY: as in `decode_rule`, for a chain.
    let rc = unsafe { sys::nftnl_chain_nlmsg_parse(nlh_of(&v), cp) };
    if rc < 0 {
        return Err(proto_err("libnftnl could not parse a chain message"));
    }
    let is_set = |a: u32| {
        // SAFETY: `cp` is the valid chain owned by `c`.
        unsafe { sys::nftnl_chain_is_set(cp, a as u16) }
    };
    let get_u32 = |a: u32| {
        // SAFETY: `cp` is the valid chain owned by `c`.
        unsafe { sys::nftnl_chain_get_u32(cp, a as u16) }
    };
    let get_u64 = |a: u32| {
        // SAFETY: `cp` is the valid chain owned by `c`.
        unsafe { sys::nftnl_chain_get_u64(cp, a as u16) }
    };
    let get_str = |a: u32| {
        // SAFETY: `cp` is valid; the string is copied at once.
        unsafe { c_str(sys::nftnl_chain_get_str(cp, a as u16)) }
    };
    let hook = (is_set(sys::NFTNL_CHAIN_HOOKNUM) && is_set(sys::NFTNL_CHAIN_PRIO)).then(|| {
        // SAFETY: `cp` is valid.
        let prio = unsafe { sys::nftnl_chain_get_s32(cp, sys::NFTNL_CHAIN_PRIO as u16) };
        (get_u32(sys::NFTNL_CHAIN_HOOKNUM), prio)
    });
    let out = KChain {
        family: family_of(msg),
        table: get_str(sys::NFTNL_CHAIN_TABLE),
        name: get_str(sys::NFTNL_CHAIN_NAME),
        handle: if is_set(sys::NFTNL_CHAIN_HANDLE) {
            get_u64(sys::NFTNL_CHAIN_HANDLE)
        } else {
            0
        },
        hook,
        policy: is_set(sys::NFTNL_CHAIN_POLICY).then(|| get_u32(sys::NFTNL_CHAIN_POLICY)),
        chain_type: is_set(sys::NFTNL_CHAIN_TYPE).then(|| get_str(sys::NFTNL_CHAIN_TYPE)),
        counters: (is_set(sys::NFTNL_CHAIN_PACKETS) && is_set(sys::NFTNL_CHAIN_BYTES)).then(|| {
            (
                get_u64(sys::NFTNL_CHAIN_PACKETS),
                get_u64(sys::NFTNL_CHAIN_BYTES),
            )
        }),
        use_count: if is_set(sys::NFTNL_CHAIN_USE) {
            get_u32(sys::NFTNL_CHAIN_USE)
        } else {
            0
        },
    };
    drop(c);
    Ok(out)
}

/// Decodes one `NFT_MSG_NEWTABLE` message of a dump: name, flags, handle.
pub fn decode_table(msg: &[u8]) -> Result<KTable, Error> {
    let v = aligned_copy(msg)?;
    let t = TableBox::new()?;
    let tp = t.0.as_ptr();
    // SAFETY: as in `decode_rule`, for a table.
    let rc = unsafe { sys::nftnl_table_nlmsg_parse(nlh_of(&v), tp) };
    if rc < 0 {
        return Err(proto_err("libnftnl could not parse a table message"));
    }
    let is_set = |a: u32| {
        // SAFETY: `tp` is the valid table owned by `t`.
        unsafe { sys::nftnl_table_is_set(tp, a as u16) }
    };
    // SAFETY: `tp` is valid for all the reads below; strings are copied.
    let out = unsafe {
        KTable {
            family: family_of(msg),
            name: c_str(sys::nftnl_table_get_str(tp, sys::NFTNL_TABLE_NAME as u16)),
            flags: if is_set(sys::NFTNL_TABLE_FLAGS) {
                sys::nftnl_table_get_u32(tp, sys::NFTNL_TABLE_FLAGS as u16)
            } else {
                0
            },
            handle: if is_set(sys::NFTNL_TABLE_HANDLE) {
                sys::nftnl_table_get_u64(tp, sys::NFTNL_TABLE_HANDLE as u16)
            } else {
                0
            },
        }
    };
    drop(t);
    Ok(out)
}

// ---------------------------------------------------------------------------
// Socket options neli does not offer.

fn setsockopt_int(fd: RawFd, level: c_int, name: c_int, val: c_int) -> io::Result<()> {
    // SAFETY: `val` is a live c_int and its size is passed; the kernel only
    // reads it. An invalid fd makes the call fail with EBADF, nothing worse.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&val as *const c_int).cast::<c_void>(),
            std::mem::size_of::<c_int>() as libc::socklen_t,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn clamp_buf(size: usize) -> c_int {
    // The kernel doubles the value; keep the doubled value in range.
    size.min((i32::MAX / 2) as usize) as c_int
}

/// Sets the socket's send buffer to `size` bytes with `SO_SNDBUFFORCE`
/// (ignoring `wmem_max`; needs CAP_NET_ADMIN), falling back to `SO_SNDBUF`.
/// A batch must go out in one `sendmsg`, and netlink refuses a message larger
/// than the send buffer.
pub fn set_sndbuf_force(fd: RawFd, size: usize) -> io::Result<()> {
    setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_SNDBUFFORCE, clamp_buf(size))
        .or_else(|_| setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_SNDBUF, clamp_buf(size)))
}

/// Sets the socket's receive buffer to `size` bytes with `SO_RCVBUFFORCE`
/// (ignoring `rmem_max`), falling back to `SO_RCVBUF`: room for the errors of
/// a large failed batch and for dump replies.
pub fn set_rcvbuf_force(fd: RawFd, size: usize) -> io::Result<()> {
    setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, clamp_buf(size))
        .or_else(|_| setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_RCVBUF, clamp_buf(size)))
}

/// `NETLINK_CAP_ACK`: error replies carry only the failed request's header,
/// not the whole request (a rule message can be kilobytes).
pub fn set_cap_ack(fd: RawFd, on: bool) -> io::Result<()> {
    setsockopt_int(
        fd,
        libc::SOL_NETLINK,
        libc::NETLINK_CAP_ACK,
        c_int::from(on),
    )
}

/// `NETLINK_EXT_ACK`: error replies may carry the kernel's message and the
/// offending attribute (`NLMSGERR_ATTR_*` TLVs after the error).
pub fn set_ext_ack(fd: RawFd, on: bool) -> io::Result<()> {
    setsockopt_int(
        fd,
        libc::SOL_NETLINK,
        libc::NETLINK_EXT_ACK,
        c_int::from(on),
    )
}

/// `SO_RCVTIMEO`: a receive that waits longer than `ms` milliseconds fails
/// with `EAGAIN` (0 = wait forever), so a reply the kernel never sends cannot
/// hang the caller.
pub fn set_rcv_timeout(fd: RawFd, ms: u64) -> io::Result<()> {
    let tv = libc::timeval {
        tv_sec: (ms / 1000) as libc::time_t,
        tv_usec: ((ms % 1000) * 1000) as libc::suseconds_t,
    };
    // SAFETY: `tv` is a live timeval and its size is passed; the kernel only
    // reads it.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            (&tv as *const libc::timeval).cast::<c_void>(),
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::expr::{base, cmp, meta, verdict, REG_1, REG_VERDICT};

    fn sample_rule() -> KRule {
        KRule {
            table: "filter".into(),
            chain: "INPUT".into(),
            compat: Some((6, 0)),
            userdata: Some(vec![0, 3, b'h', b'i', 0]),
            exprs: vec![
                Expr::Meta {
                    key: meta::L4PROTO,
                    dreg: Some(REG_1),
                    sreg: None,
                },
                Expr::Cmp {
                    sreg: REG_1,
                    op: cmp::EQ,
                    data: vec![6],
                },
                Expr::Payload {
                    base: base::NETWORK,
                    offset: 12,
                    len: 4,
                    dreg: REG_1,
                },
                Expr::Bitwise {
                    sreg: REG_1,
                    dreg: REG_1,
                    len: 4,
                    mask: vec![255, 255, 0, 0],
                    xor: vec![0; 4],
                },
                Expr::Range {
                    sreg: REG_1,
                    op: 0,
                    from: vec![0, 1],
                    to: vec![0, 9],
                },
                Expr::Match {
                    name: "comment".into(),
                    rev: 0,
                    info: vec![b'x'; 256],
                },
                Expr::Limit {
                    rate: 5,
                    unit: 60,
                    burst: 10,
                    kind: 0,
                    flags: 0,
                },
                Expr::Log {
                    prefix: Some("p".into()),
                    group: Some(5),
                    snaplen: None,
                    qthreshold: None,
                    level: None,
                    flags: None,
                },
                Expr::Counter {
                    packets: 1,
                    bytes: 2,
                },
                Expr::Immediate {
                    dreg: REG_VERDICT,
                    data: ImmData::Verdict {
                        code: verdict::JUMP,
                        chain: Some("X".into()),
                    },
                },
            ],
            ..KRule::default()
        }
    }

    #[test]
    fn rule_round_trip_through_libnftnl() {
        let rule = sample_rule();
        let mut buf = vec![1u8]; // odd start: padded to 4
        let op = Op::AddRule {
            rule: rule.clone(),
            append: true,
            replace: false,
        };
        encode_op(&mut buf, Family::V4, &op, 7).unwrap();
        assert_eq!(&buf[..4], &[1, 0, 0, 0]);
        let m = &buf[4..];
        let len = u32::from_ne_bytes(m[..4].try_into().unwrap()) as usize;
        assert_eq!(len, m.len());
        assert_eq!(u16::from_ne_bytes([m[4], m[5]]), 0x0a06);
        assert_eq!(u16::from_ne_bytes([m[6], m[7]]), 0x1 | 0x400 | 0x800);
        assert_eq!(u32::from_ne_bytes(m[8..12].try_into().unwrap()), 7);
        assert_eq!(m[16], 2);
        set_ack(4, &mut buf);
        assert_eq!(u16::from_ne_bytes([buf[10], buf[11]]), 0xc05);
        let back = decode_rule(&buf[4..]).unwrap();
        let mut want = rule;
        want.family = Some(Family::V4);
        assert_eq!(back, want);
    }

    #[test]
    fn other_is_refused_and_long_data_too() {
        let mut rule = sample_rule();
        rule.exprs = vec![Expr::Other {
            name: "ct".into(),
            text: String::new(),
        }];
        let mut buf = Vec::new();
        let op = Op::AddRule {
            rule: rule.clone(),
            append: true,
            replace: false,
        };
        assert!(encode_op(&mut buf, Family::V4, &op, 1).is_err());
        rule.exprs = vec![Expr::Cmp {
            sreg: 1,
            op: 0,
            data: vec![0; 65],
        }];
        let op = Op::AddRule {
            rule,
            append: true,
            replace: false,
        };
        assert!(encode_op(&mut buf, Family::V4, &op, 1).is_err());
        assert!(buf.is_empty());
    }

    #[test]
    fn chain_and_table_round_trip() {
        let c = KChain {
            family: Some(Family::V6),
            table: "filter".into(),
            name: "INPUT".into(),
            hook: Some((1, -150)),
            policy: Some(0),
            chain_type: Some("filter".into()),
            counters: Some((3, 4)),
            ..KChain::default()
        };
        let mut buf = Vec::new();
        let op = Op::AddChain {
            chain: c.clone(),
            excl: false,
        };
        encode_op(&mut buf, Family::V6, &op, 1).unwrap();
        assert_eq!(decode_chain(&buf).unwrap(), c);
        let t = KTable {
            family: Some(Family::V4),
            name: "nat".into(),
            flags: 0,
            handle: 0,
        };
        let mut buf = Vec::new();
        encode_op(&mut buf, Family::V4, &Op::AddTable(t.clone()), 1).unwrap();
        assert_eq!(decode_table(&buf).unwrap(), t);
    }

    /// The scratch bound must hold without its slack for the largest values
    /// accepted, since libnftnl writes unchecked.
    #[test]
    fn bound_holds_for_extreme_values() {
        let long = "n".repeat(NAME_MAX);
        let d = vec![0xa5u8; DATA_MAX];
        let exprs = vec![
            Expr::Payload {
                base: 1,
                offset: u32::MAX,
                len: 64,
                dreg: 1,
            },
            Expr::Meta {
                key: 3,
                dreg: Some(1),
                sreg: Some(2),
            },
            Expr::Cmp {
                sreg: 1,
                op: 5,
                data: d.clone(),
            },
            Expr::Bitwise {
                sreg: 1,
                dreg: 1,
                len: 64,
                mask: d.clone(),
                xor: d.clone(),
            },
            Expr::Range {
                sreg: 1,
                op: 1,
                from: d.clone(),
                to: d.clone(),
            },
            Expr::Immediate {
                dreg: 0,
                data: ImmData::Verdict {
                    code: verdict::GOTO,
                    chain: Some(long.clone()),
                },
            },
            Expr::Immediate {
                dreg: 1,
                data: ImmData::Value(d.clone()),
            },
            Expr::Counter {
                packets: u64::MAX,
                bytes: u64::MAX,
            },
            Expr::Match {
                name: "x".repeat(XT_NAME_LEN - 1),
                rev: 9,
                info: vec![1; 1001],
            },
            Expr::Target {
                name: "y".repeat(XT_NAME_LEN - 1),
                rev: 9,
                info: vec![1; 3],
            },
            Expr::Limit {
                rate: 1,
                unit: 2,
                burst: 3,
                kind: 1,
                flags: 1,
            },
            Expr::Log {
                prefix: Some(long.clone()),
                group: Some(1),
                snaplen: Some(2),
                qthreshold: Some(3),
                level: Some(4),
                flags: Some(5),
            },
            Expr::Lookup {
                sreg: 1,
                set: long.clone(),
                dreg: Some(2),
                flags: 1,
            },
        ];
        let rule = KRule {
            table: long.clone(),
            chain: long.clone(),
            handle: 1,
            position: Some(2),
            position_id: Some(3),
            id: Some(4),
            compat: Some((6, 2)),
            userdata: Some(vec![7; 333]),
            exprs,
            ..KRule::default()
        };
        let chain = KChain {
            table: long.clone(),
            name: long.clone(),
            handle: 5,
            hook: Some((4, i32::MIN)),
            policy: Some(0),
            chain_type: Some(long.clone()),
            counters: Some((u64::MAX, 1)),
            ..KChain::default()
        };
        let table = KTable {
            name: long.clone(),
            flags: 1,
            ..KTable::default()
        };
        let ops = [
            Op::AddRule {
                rule: rule.clone(),
                append: true,
                replace: true,
            },
            Op::DelRule(rule),
            Op::AddChain {
                chain: chain.clone(),
                excl: false,
            },
            Op::DelChain(chain),
            Op::AddTable(table.clone()),
            Op::DelTable(table),
        ];
        for op in &ops {
            let mut buf = Vec::new();
            encode_op(&mut buf, Family::V6, op, 1).unwrap();
            assert!(
                buf.len() + 256 <= op_bound(op),
                "{} > {}",
                buf.len(),
                op_bound(op) - 256
            );
        }
        let mut buf = Vec::new();
        encode_op(&mut buf, Family::V6, &ops[0], 1).unwrap();
        let back = decode_rule(&buf).unwrap();
        match (&back.exprs[8], &back.exprs[12]) {
            (Expr::Match { info, .. }, Expr::Other { name, .. }) => {
                // libnftnl 1.2.4 sends the blob as given (no XT_ALIGN).
                assert_eq!(info.len(), 1001);
                assert_eq!(name, "lookup");
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(decode_rule(&[]).is_err());
        assert!(
            decode_rule(&[200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0]).is_err()
        );
    }
}
