//! The nfnetlink socket: dumps of tables, chains and rules, the ruleset
//! generation id, and all-or-nothing transactions (batches) that carry it.
//!
//! One `NETLINK_NETFILTER` socket (from `neli`, so no `unsafe` here) with
//! reused send and receive buffers. Messages are built and parsed by
//! [`super::ffi`]; this module only frames requests and walks replies.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::io;
use std::os::unix::io::AsRawFd;

use neli::consts::socket::{Msg, NlFamily};
use neli::socket::NlSocket;
use neli::utils::Groups;

use super::expr::{Expr, Family, ImmData, KChain, KRule, KTable, Op};
use super::ffi::{self, msg, nft_type, NFNL_SUBSYS_NFTABLES};
use crate::netlink::Error;

const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_OVERRUN: u16 = 4;
const F_REQUEST: u16 = 0x1;
const F_DUMP: u16 = 0x300;
const F_DUMP_INTR: u16 = 0x10;
/// `NFNL_MSG_BATCH_BEGIN`
const BATCH_BEGIN: u16 = 0x10;
/// `NFNL_MSG_BATCH_END`
const BATCH_END: u16 = 0x11;
/// `NFNL_BATCH_GENID` (big endian u32)
const BATCH_GENID: u16 = 1;
/// `NFTA_GEN_ID` (big endian u32)
const GEN_ID: u16 = 1;
/// `NFTA_RULE_TABLE` / `NFTA_RULE_CHAIN`
const RULE_TABLE: u16 = 1;
const RULE_CHAIN: u16 = 2;
/// `NFTA_CHAIN_TABLE` / `NFTA_CHAIN_NAME`
const CHAIN_TABLE: u16 = 1;
const CHAIN_NAME: u16 = 3;

/// Receive buffer: one datagram. Dump datagrams are at most ~32 KiB; error
/// replies are short (`NETLINK_CAP_ACK`).
const RECV_BUF: usize = 256 * 1024;
/// Kernel-side receive queue: room for the errors of a large failed batch.
const SO_RCVBUF: usize = 16 << 20;
/// Give up on a reply after this long instead of hanging.
const RECV_TIMEOUT_MS: u64 = 60_000;
/// Dumps interrupted by a concurrent change (`NLM_F_DUMP_INTR`) are retried
/// this many times.
const DUMP_RETRIES: usize = 10;
/// `ERESTART`: the batch's generation id is stale.
const ERESTART: i32 = 85;
/// Most requests [`NfSocket::pipeline`] puts in one `sendmsg`. Every reply
/// is an skb of its own in the receive queue: about 32 KiB for a dump (the
/// kernel sizes dump skbs after the largest receive buffer seen, capped at
/// 32 KiB), 4 KiB for a `GETCHAIN` reply. 256 of them fit the 32 MiB queue
/// `open` asks for with room to spare; a smaller queue shows as an overrun,
/// and the batches are halved.
const PIPELINE_BATCH: usize = 256;

/// From this many ops on, a batch is encoded on two threads.
const PARALLEL_OPS: usize = 4096;

/// Appends the messages of `ops` (sequence numbers from `begin_seq + 1`) and
/// returns where the last one starts. Big batches are encoded in two halves
/// on two threads (libnftnl keeps no shared state) and joined.
fn encode_ops(
    buf: &mut Vec<u8>,
    family: Family,
    ops: &[Op],
    begin_seq: u32,
) -> Result<usize, Error> {
    let encode = |buf: &mut Vec<u8>, ops: &[Op], first: usize| -> Result<usize, Error> {
        let mut last = 0;
        for (i, op) in ops.iter().enumerate() {
            // encode_op starts the message at the next 4-byte boundary.
            last = (buf.len() + 3) & !3;
            ffi::encode_op(
                buf,
                family,
                op,
                begin_seq.wrapping_add(1 + (first + i) as u32),
            )?;
        }
        Ok(last)
    };
    if ops.len() < PARALLEL_OPS {
        return encode(buf, ops, 0);
    }
    let mid = ops.len() / 2;
    let (a, b) = ops.split_at(mid);
    let (ra, rb) = std::thread::scope(|s| {
        let h = s.spawn(|| {
            let mut second = Vec::with_capacity(b.len() * 256);
            encode(&mut second, b, mid).map(|last| (second, last))
        });
        let ra = encode(buf, a, 0);
        let rb = h
            .join()
            .unwrap_or_else(|_| Err(Error::Protocol("encoder thread failed".into())));
        (ra, rb)
    });
    ra?;
    let (second, last) = rb?;
    while !buf.len().is_multiple_of(4) {
        buf.push(0);
    }
    let base = buf.len();
    buf.extend_from_slice(&second);
    Ok(base + last)
}

/// Why a [`NfSocket::commit`] failed. In every case nothing of the batch was
/// applied: the kernel aborts the whole transaction.
#[derive(Debug)]
pub enum CommitError {
    /// The ruleset changed since the generation id passed to `commit` was
    /// read (`ERESTART` on the batch begin): reread and retry.
    Restart,
    /// The op at `index` (into the `ops` slice) was refused with `errno`
    /// (positive, e.g. `libc::ENOENT`). When several ops fail, the first.
    Op {
        /// Index into `ops`.
        index: usize,
        /// Positive errno.
        errno: i32,
    },
    /// Anything else: encoding, the socket, or an error on the batch itself.
    Other(Error),
}

impl fmt::Display for CommitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommitError::Restart => write!(f, "ruleset changed during the transaction"),
            CommitError::Op { index, errno } => write!(
                f,
                "operation {index} failed: {}",
                io::Error::from_raw_os_error(*errno)
            ),
            CommitError::Other(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CommitError {}

impl From<Error> for CommitError {
    fn from(e: Error) -> Self {
        CommitError::Other(e)
    }
}

/// One message of a received datagram.
struct RawMsg<'a> {
    ty: u16,
    flags: u16,
    seq: u32,
    /// The whole message, `nlmsghdr` first.
    bytes: &'a [u8],
}

impl RawMsg<'_> {
    /// The positive errno of an `NLMSG_ERROR` (0 for an ACK).
    fn errno(&self) -> Result<i32, Error> {
        let b = self
            .bytes
            .get(16..20)
            .ok_or_else(|| Error::Protocol("short error message".into()))?;
        Ok(-i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// Splits a datagram into messages.
fn split(data: &[u8]) -> Result<Vec<RawMsg<'_>>, Error> {
    let mut out = Vec::new();
    let mut rest = data;
    while rest.len() >= 16 {
        let len = u32::from_ne_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if len < 16 || len > rest.len() {
            return Err(Error::Protocol(format!("bad message length {len}")));
        }
        out.push(RawMsg {
            ty: u16::from_ne_bytes([rest[4], rest[5]]),
            flags: u16::from_ne_bytes([rest[6], rest[7]]),
            seq: u32::from_ne_bytes([rest[8], rest[9], rest[10], rest[11]]),
            bytes: &rest[..len],
        });
        rest = rest.get((len + 3) & !3..).unwrap_or(&[]);
    }
    Ok(out)
}

/// Appends a bare nfnetlink message (header + nfgenmsg), returning its start
/// so attributes can follow and [`finish`] can patch the length.
fn begin_msg(buf: &mut Vec<u8>, ty: u16, flags: u16, seq: u32, family: u8, res_id: u16) -> usize {
    let start = buf.len();
    buf.extend_from_slice(&0u32.to_ne_bytes());
    buf.extend_from_slice(&ty.to_ne_bytes());
    buf.extend_from_slice(&flags.to_ne_bytes());
    buf.extend_from_slice(&seq.to_ne_bytes());
    buf.extend_from_slice(&0u32.to_ne_bytes());
    buf.push(family);
    buf.push(0); // NFNETLINK_V0
    buf.extend_from_slice(&res_id.to_be_bytes());
    start
}

fn put_attr(buf: &mut Vec<u8>, ty: u16, payload: &[u8]) {
    buf.extend_from_slice(&((4 + payload.len()) as u16).to_ne_bytes());
    buf.extend_from_slice(&ty.to_ne_bytes());
    buf.extend_from_slice(payload);
    while !buf.len().is_multiple_of(4) {
        buf.push(0);
    }
}

fn put_strz(buf: &mut Vec<u8>, ty: u16, s: &str) {
    let mut v = Vec::with_capacity(s.len() + 1);
    v.extend_from_slice(s.as_bytes());
    v.push(0);
    put_attr(buf, ty, &v);
}

fn finish(buf: &mut [u8], start: usize) {
    let len = (buf.len() - start) as u32;
    buf[start..start + 4].copy_from_slice(&len.to_ne_bytes());
}

/// An nfnetlink socket for nf_tables, kept open for many requests.
pub struct NfSocket {
    sock: NlSocket,
    seq: u32,
    rbuf: Vec<u8>,
    sbuf: Vec<u8>,
    /// The send buffer size last set, so it only grows.
    sndbuf: usize,
    /// What [`NfSocket::pipeline`] ran into so far.
    stats: PipeStats,
}

/// Counters of [`NfSocket::pipeline`], for tests and measurements.
#[derive(Debug, Default, Clone, Copy)]
struct PipeStats {
    /// `sendmsg` calls.
    sends: u64,
    /// Requests answered with `EBUSY` or `ENOBUFS`, or lost, and sent again.
    again: u64,
    /// Receive queue overruns.
    overruns: u64,
}

impl NfSocket {
    /// Opens a `NETLINK_NETFILTER` socket in the calling thread's network
    /// namespace, with a large receive queue, short error replies
    /// (`NETLINK_CAP_ACK`) and a receive timeout.
    pub fn open() -> Result<Self, Error> {
        let sock = NlSocket::connect(NlFamily::Netfilter, None, Groups::empty())?;
        sock.block()?;
        let fd = sock.as_raw_fd();
        // Best effort: a smaller queue only matters for huge failed batches.
        let _ = ffi::set_rcvbuf_force(fd, SO_RCVBUF);
        let _ = ffi::set_cap_ack(fd, true);
        ffi::set_rcv_timeout(fd, RECV_TIMEOUT_MS)?;
        Ok(NfSocket {
            sock,
            seq: 0,
            rbuf: vec![0; RECV_BUF],
            sbuf: Vec::new(),
            sndbuf: 0,
            stats: PipeStats::default(),
        })
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        if self.seq == 0 {
            self.seq = 1;
        }
        self.seq
    }

    fn send(&mut self, buf: &[u8]) -> Result<(), Error> {
        if buf.len() + 64 * 1024 > self.sndbuf {
            let want = buf.len() + 64 * 1024;
            ffi::set_sndbuf_force(self.sock.as_raw_fd(), want)?;
            self.sndbuf = want;
        }
        let n = self.sock.send(buf, Msg::empty())?;
        if n != buf.len() {
            return Err(Error::Protocol(format!(
                "short send: {n} of {} bytes",
                buf.len()
            )));
        }
        Ok(())
    }

    /// Receives datagrams, feeding each message to `f` until it returns
    /// `true`.
    fn recv_loop(
        &mut self,
        mut f: impl FnMut(&RawMsg<'_>) -> Result<bool, Error>,
    ) -> Result<(), Error> {
        let mut rbuf = std::mem::take(&mut self.rbuf);
        let res = (|| loop {
            let (n, _) = self.sock.recv(&mut rbuf[..], Msg::empty())?;
            if n == 0 {
                return Err(Error::Protocol("socket closed".into()));
            }
            if n > rbuf.len() {
                return Err(Error::Protocol("datagram truncated".into()));
            }
            for m in split(&rbuf[..n])? {
                if m.ty == NLMSG_OVERRUN {
                    return Err(Error::Protocol("overrun".into()));
                }
                if f(&m)? {
                    return Ok(());
                }
            }
        })();
        self.rbuf = rbuf;
        res
    }

    /// Sends a dump request built by `build` and hands every data message of
    /// the reply to `each`. Retries when the kernel flags the dump as
    /// interrupted by a concurrent change; `reset` is called before a retry.
    fn dump(
        &mut self,
        build: impl Fn(&mut Vec<u8>, u32),
        mut reset: impl FnMut(),
        mut each: impl FnMut(&RawMsg<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        for _ in 0..DUMP_RETRIES {
            let seq = self.next_seq();
            let mut req = std::mem::take(&mut self.sbuf);
            req.clear();
            build(&mut req, seq);
            let sent = self.send(&req);
            self.sbuf = req;
            sent?;
            let mut intr = false;
            self.recv_loop(|m| {
                if m.seq != seq {
                    return Ok(false); // a stale reply to an earlier request
                }
                if m.flags & F_DUMP_INTR != 0 {
                    intr = true;
                }
                match m.ty {
                    NLMSG_DONE => Ok(true),
                    NLMSG_ERROR => match m.errno()? {
                        0 => Ok(true),
                        errno => Err(Error::Kernel { errno }),
                    },
                    _ => {
                        if !intr {
                            each(m)?;
                        }
                        Ok(false)
                    }
                }
            })?;
            if !intr {
                return Ok(());
            }
            reset();
        }
        Err(Error::Kernel { errno: libc::EINTR })
    }

    /// The ruleset generation id (`NFT_MSG_GETGEN`): pass it to
    /// [`NfSocket::commit`] to make the commit fail with
    /// [`CommitError::Restart`] if anything changed in between.
    pub fn genid(&mut self) -> Result<u32, Error> {
        let seq = self.next_seq();
        let mut req = Vec::with_capacity(32);
        let s = begin_msg(&mut req, nft_type(msg::GETGEN), F_REQUEST, seq, 0, 0);
        finish(&mut req, s);
        self.send(&req)?;
        let mut id = None;
        self.recv_loop(|m| {
            if m.seq != seq {
                return Ok(false);
            }
            match m.ty {
                NLMSG_ERROR => match m.errno()? {
                    0 => Ok(id.is_some()),
                    errno => Err(Error::Kernel { errno }),
                },
                NLMSG_DONE => Ok(true),
                t if t == nft_type(msg::NEWGEN) => {
                    let attrs = m.bytes.get(20..).unwrap_or(&[]);
                    for a in crate::netlink::Attrs::new(attrs) {
                        if a.ty == GEN_ID {
                            id = Some(u32::from_be_bytes(a.array::<4>()?));
                        }
                    }
                    Ok(true)
                }
                _ => Ok(false),
            }
        })?;
        id.ok_or_else(|| Error::Protocol("no generation id in reply".into()))
    }

    /// Every table of `family`, in kernel order.
    pub fn tables(&mut self, family: Family) -> Result<Vec<KTable>, Error> {
        let fam = family.nfproto();
        let out = std::cell::RefCell::new(Vec::new());
        self.dump(
            |buf, seq| {
                let s = begin_msg(
                    buf,
                    nft_type(msg::GETTABLE),
                    F_REQUEST | F_DUMP,
                    seq,
                    fam,
                    0,
                );
                finish(buf, s);
            },
            || out.borrow_mut().clear(),
            |m| {
                if m.ty == nft_type(msg::NEWTABLE) {
                    out.borrow_mut().push(ffi::decode_table(m.bytes)?);
                }
                Ok(())
            },
        )?;
        Ok(out.into_inner())
    }

    /// Every chain of `family` (of `table` only, when given), in kernel
    /// order. The kernel's chain dump has no table filter, so the filter is
    /// applied here.
    pub fn chains(&mut self, family: Family, table: Option<&str>) -> Result<Vec<KChain>, Error> {
        let fam = family.nfproto();
        let out = std::cell::RefCell::new(Vec::new());
        self.dump(
            |buf, seq| {
                let s = begin_msg(
                    buf,
                    nft_type(msg::GETCHAIN),
                    F_REQUEST | F_DUMP,
                    seq,
                    fam,
                    0,
                );
                finish(buf, s);
            },
            || out.borrow_mut().clear(),
            |m| {
                if m.ty == nft_type(msg::NEWCHAIN) {
                    let c = ffi::decode_chain(m.bytes)?;
                    if table.is_none_or(|t| t == c.table) {
                        out.borrow_mut().push(c);
                    }
                }
                Ok(())
            },
        )?;
        Ok(out.into_inner())
    }

    /// Asks whether the kernel has xtables extension `name` (a target when
    /// `target`) at revision `rev` (`NFNL_SUBSYS_NFT_COMPAT` /
    /// `NFNL_MSG_COMPAT_GET`, as iptables-nft does when it loads an
    /// extension). Returns 0 when it has, else the kernel's errno (`ENOENT`:
    /// unknown name, `EPROTONOSUPPORT`: other revisions only).
    pub fn compat_get(
        &mut self,
        family: Family,
        target: bool,
        name: &str,
        rev: u32,
    ) -> Result<i32, Error> {
        /// `NFNL_SUBSYS_NFT_COMPAT << 8 | NFNL_MSG_COMPAT_GET`.
        const COMPAT_GET: u16 = 0x0b00;
        let fam = family.nfproto();
        let r = self.dump(
            |buf, seq| {
                let s = begin_msg(buf, COMPAT_GET, F_REQUEST | 0x4, seq, fam, 0);
                put_strz(buf, 1, name); // NFTA_COMPAT_NAME
                put_attr(buf, 2, &rev.to_be_bytes()); // NFTA_COMPAT_REV
                put_attr(buf, 3, &u32::from(target).to_be_bytes()); // NFTA_COMPAT_TYPE
                finish(buf, s);
            },
            || {},
            |_| Ok(()),
        );
        match r {
            Ok(()) => Ok(0),
            Err(Error::Kernel { errno }) => Ok(errno),
            Err(e) => Err(e),
        }
    }

    /// One chain, looked up by name (`NFT_MSG_GETCHAIN` without a dump):
    /// `None` when the table or the chain does not exist. Commands on one
    /// chain use this instead of listing every chain of the table.
    pub fn chain(
        &mut self,
        family: Family,
        table: &str,
        name: &str,
    ) -> Result<Option<KChain>, Error> {
        let fam = family.nfproto();
        let out = std::cell::RefCell::new(None);
        let r = self.dump(
            |buf, seq| {
                let s = begin_msg(buf, nft_type(msg::GETCHAIN), F_REQUEST | 0x4, seq, fam, 0);
                put_strz(buf, CHAIN_TABLE, table);
                put_strz(buf, CHAIN_NAME, name);
                finish(buf, s);
            },
            || *out.borrow_mut() = None,
            |m| {
                if m.ty == nft_type(msg::NEWCHAIN) {
                    *out.borrow_mut() = Some(ffi::decode_chain(m.bytes)?);
                }
                Ok(())
            },
        );
        match r {
            Ok(()) => Ok(out.into_inner()),
            Err(Error::Kernel { errno }) if errno == libc::ENOENT => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every rule of `table` (of `chain` only, when given), in kernel order:
    /// one `NFT_MSG_GETRULE` dump filtered by the kernel
    /// (`NFTA_RULE_TABLE`/`NFTA_RULE_CHAIN`), decoded as it arrives.
    pub fn rules(
        &mut self,
        family: Family,
        table: &str,
        chain: Option<&str>,
    ) -> Result<Vec<KRule>, Error> {
        let fam = family.nfproto();
        let out = std::cell::RefCell::new(Vec::new());
        self.dump(
            |buf, seq| {
                let s = begin_msg(buf, nft_type(msg::GETRULE), F_REQUEST | F_DUMP, seq, fam, 0);
                put_strz(buf, RULE_TABLE, table);
                if let Some(c) = chain {
                    put_strz(buf, RULE_CHAIN, c);
                }
                finish(buf, s);
            },
            || out.borrow_mut().clear(),
            |m| {
                if m.ty == nft_type(msg::NEWRULE) {
                    out.borrow_mut().push(ffi::decode_rule(m.bytes)?);
                }
                Ok(())
            },
        )?;
        Ok(out.into_inner())
    }

    /// The rules of each chain of `chains` (all in `table`): element `i` of
    /// the result holds the rules of `chains[i]`, in kernel order, exactly
    /// what [`NfSocket::rules`] returns for that chain alone. Chains may
    /// repeat and come in any order.
    ///
    /// One whole-table dump (`rules(family, table, None)`) costs kernel time
    /// quadratic in the table size: the kernel resumes a rule dump by walking
    /// every rule before the resume point, once per ~32 KiB reply. A dump per
    /// chain (`NFT_MSG_GETRULE` with `NFTA_RULE_TABLE` and `NFTA_RULE_CHAIN`)
    /// is linear. The requests go through [`NfSocket::pipeline`], which
    /// puts several in one `sendmsg` only while the chains turn out empty:
    /// the dump of a chain with rules never ends inside the `sendmsg` (the
    /// kernel's rule dump reports its end only on the call after the one that
    /// filled a reply, and that call is made by the next receive), so every
    /// request behind it would be refused with `EBUSY`.
    ///
    /// The result is one consistent snapshot: the ruleset generation id is
    /// read before and after, and everything is read again (up to
    /// `DUMP_RETRIES` times, then `Error::Kernel { errno: EINTR }`) when it
    /// changed or a dump was flagged `NLM_F_DUMP_INTR`.
    ///
    /// The kernel answers the rule dump of a missing chain (or table) with
    /// an empty dump, not an error, so every chain that came back empty and
    /// is not the target of a jump or goto in the snapshot is looked up
    /// (`NFT_MSG_GETCHAIN`, pipelined); a missing one fails the whole call
    /// with `Error::Kernel { errno: ENOENT }`.
    pub fn rules_of_chains(
        &mut self,
        family: Family,
        table: &str,
        chains: &[&str],
    ) -> Result<Vec<Vec<KRule>>, Error> {
        if chains.is_empty() {
            return Ok(Vec::new());
        }
        let fam = family.nfproto();
        for _ in 0..DUMP_RETRIES {
            let gen = self.genid()?;
            let mut out: Vec<Vec<KRule>> = vec![Vec::new(); chains.len()];
            let mut intr = false;
            // Chains jumped to (or gone to) by a rule of the snapshot.
            let mut targets: HashSet<String> = HashSet::new();
            self.pipeline(
                chains.len(),
                Batching::Dumps,
                |buf, i, seq| {
                    let s = begin_msg(buf, nft_type(msg::GETRULE), F_REQUEST | F_DUMP, seq, fam, 0);
                    put_strz(buf, RULE_TABLE, table);
                    put_strz(buf, RULE_CHAIN, chains[i]);
                    finish(buf, s);
                },
                |i, reply| {
                    let m = match reply {
                        Reply::Restart => {
                            out[i].clear();
                            return Ok(false);
                        }
                        Reply::Msg(m) => m,
                    };
                    if m.flags & F_DUMP_INTR != 0 {
                        intr = true;
                    }
                    match m.ty {
                        NLMSG_DONE => match done_errno(m) {
                            0 => Ok(true),
                            errno => Err(Error::Kernel { errno }),
                        },
                        NLMSG_ERROR => match m.errno()? {
                            0 => Ok(true),
                            errno => Err(Error::Kernel { errno }),
                        },
                        t if t == nft_type(msg::NEWRULE) => {
                            let r = ffi::decode_rule(m.bytes)?;
                            if r.chain != chains[i] || r.table != table {
                                return Err(Error::Protocol(format!(
                                    "rule of {}/{} in the dump of {table}/{}",
                                    r.table, r.chain, chains[i]
                                )));
                            }
                            for e in &r.exprs {
                                if let Expr::Immediate {
                                    data: ImmData::Verdict { chain: Some(c), .. },
                                    ..
                                } = e
                                {
                                    if !targets.contains(c) {
                                        targets.insert(c.clone());
                                    }
                                }
                            }
                            out[i].push(r);
                            Ok(false)
                        }
                        _ => Ok(false),
                    }
                },
            )?;
            // An empty dump may be a missing chain: look those up, unless a
            // rule of the same snapshot jumps to the chain (the kernel keeps
            // a chain with references from being deleted).
            let empty: Vec<&str> = (0..chains.len())
                .filter(|&i| out[i].is_empty() && !targets.contains(chains[i]))
                .map(|i| chains[i])
                .collect();
            let mut missing = false;
            self.pipeline(
                empty.len(),
                Batching::Fixed(PIPELINE_BATCH),
                |buf, j, seq| {
                    let s = begin_msg(buf, nft_type(msg::GETCHAIN), F_REQUEST, seq, fam, 0);
                    put_strz(buf, CHAIN_TABLE, table);
                    put_strz(buf, CHAIN_NAME, empty[j]);
                    finish(buf, s);
                },
                |_, reply| match reply {
                    Reply::Restart => Ok(false),
                    Reply::Msg(m) if m.ty == NLMSG_ERROR => match m.errno()? {
                        0 => Ok(true),
                        libc::ENOENT => {
                            missing = true;
                            Ok(true)
                        }
                        errno => Err(Error::Kernel { errno }),
                    },
                    Reply::Msg(m) => Ok(m.ty == nft_type(msg::NEWCHAIN)),
                },
            )?;
            if !intr && self.genid()? == gen {
                if missing {
                    return Err(Error::Kernel {
                        errno: libc::ENOENT,
                    });
                }
                return Ok(out);
            }
        }
        Err(Error::Kernel { errno: libc::EINTR })
    }

    /// Sends `n` requests, several per `sendmsg` as `batching` allows, and
    /// collects their replies, matched to requests by sequence number.
    ///
    /// `build(buf, i, seq)` appends request `i` with sequence number `seq`.
    /// `reply(i, Reply::Msg(m))` gets every reply message of request `i` and
    /// returns `true` on the one that ends it; `reply(i, Reply::Restart)`
    /// says request `i` is sent again (forget what it got so far).
    ///
    /// The kernel handles the requests of one `sendmsg` in order. A dump
    /// request runs the first part of its dump right there; if that ends the
    /// dump, the next request follows, otherwise the receives drive the dump
    /// on (one part per receive) and every further dump request of the
    /// `sendmsg` is refused with `EBUSY` (one dump at a time per socket).
    /// Those, and requests refused with `ENOBUFS`, are sent again once every
    /// reply of the current `sendmsg` is in, which includes the end of the
    /// running dump.
    ///
    /// When the receive queue overflows (the kernel then drops replies: error
    /// replies and `GETCHAIN` answers, never dump data), the queue is read
    /// empty without waiting (each receive drives a running dump, so an
    /// empty queue means no dump is left running), every request without its
    /// final reply is sent again, and later batches are halved. Sequence
    /// numbers are fresh for every `sendmsg`, so a late reply to an earlier
    /// send is recognised and ignored.
    ///
    /// Only for requests that read (`GET*`): an `EBUSY` or `ENOBUFS` answer
    /// always means "try again" here.
    fn pipeline(
        &mut self,
        n: usize,
        batching: Batching,
        build: impl Fn(&mut Vec<u8>, usize, u32),
        mut reply: impl FnMut(usize, Reply<'_, '_>) -> Result<bool, Error>,
    ) -> Result<(), Error> {
        let mut todo: VecDeque<usize> = (0..n).collect();
        // Lowered on overruns.
        let mut limit = PIPELINE_BATCH;
        // Dumps: how many requests in a row ended inside their sendmsg.
        let mut streak = 0usize;
        // The requests of the current send, and how each stands.
        let mut batch: Vec<usize> = Vec::new();
        let mut state: Vec<Slot> = Vec::new();
        while !todo.is_empty() {
            let per_send = match batching {
                Batching::Fixed(k) => k,
                // Two empty chains in a row: guess a run of them and send as
                // many as the run is long so far; else one at a time.
                Batching::Dumps if streak >= 2 => streak,
                Batching::Dumps => 1,
            };
            let k = per_send.clamp(1, limit).min(todo.len());
            batch.clear();
            batch.extend(todo.drain(..k));
            let base = self.next_seq();
            // Reserve the batch's sequence numbers (base .. base + k - 1).
            self.seq = self.seq.wrapping_add(k as u32 - 1);
            let mut buf = std::mem::take(&mut self.sbuf);
            buf.clear();
            for (j, &i) in batch.iter().enumerate() {
                build(&mut buf, i, base.wrapping_add(j as u32));
            }
            let sent = self.send(&buf);
            self.sbuf = buf;
            sent?;
            self.stats.sends += 1;

            state.clear();
            state.resize(k, Slot::Waiting { more: false });
            let mut open = k;
            let overrun = self.recv_until(|m| {
                let j = m.seq.wrapping_sub(base) as usize;
                match state.get(j) {
                    Some(Slot::Waiting { .. }) => {}
                    // Not of this send, or of a request already settled.
                    _ => return Ok(open == 0),
                }
                if m.ty == NLMSG_ERROR {
                    let errno = m.errno()?;
                    if errno == libc::EBUSY || errno == libc::ENOBUFS {
                        state[j] = Slot::Again;
                        open -= 1;
                        return Ok(open == 0);
                    }
                }
                let first = state[j] == Slot::Waiting { more: false };
                state[j] = if reply(batch[j], Reply::Msg(m))? {
                    open -= 1;
                    Slot::Done { quick: first }
                } else {
                    Slot::Waiting { more: true }
                };
                Ok(open == 0)
            });
            let overrun = match overrun {
                Ok(o) => o,
                Err(e) => {
                    self.drain(|_| {});
                    return Err(e);
                }
            };
            if overrun {
                limit = (limit / 2).max(1);
                self.stats.overruns += 1;
            }
            for s in &state {
                streak = match s {
                    Slot::Done { quick: true } => streak + 1,
                    _ => 0,
                };
            }
            // Refused or lost: first in line for the next send, in order.
            for (j, &i) in batch.iter().enumerate().rev() {
                if !matches!(state[j], Slot::Done { .. }) {
                    self.stats.again += 1;
                    reply(i, Reply::Restart)?;
                    todo.push_front(i);
                }
            }
        }
        Ok(())
    }

    /// Receives datagrams, feeding each message to `f` until it returns
    /// `true`. On an overrun (`ENOBUFS`: the kernel dropped messages) reads
    /// the queue empty without waiting, still feeding `f`, and returns
    /// `Ok(true)`; otherwise `Ok(false)`.
    fn recv_until(
        &mut self,
        mut f: impl FnMut(&RawMsg<'_>) -> Result<bool, Error>,
    ) -> Result<bool, Error> {
        let mut rbuf = std::mem::take(&mut self.rbuf);
        let mut overrun = false;
        let res = (|| loop {
            let n = match self.sock.recv(&mut rbuf[..], Msg::empty()) {
                Ok((0, _)) if overrun => return Ok(()),
                Ok((0, _)) => return Err(Error::Protocol("socket closed".into())),
                Ok((n, _)) => n,
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                    if !overrun {
                        overrun = true;
                        self.sock.nonblock()?;
                    }
                    continue;
                }
                Err(e) if overrun && e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(Error::Io(e)),
            };
            if n > rbuf.len() {
                return Err(Error::Protocol("datagram truncated".into()));
            }
            for m in split(&rbuf[..n])? {
                if m.ty == NLMSG_OVERRUN {
                    return Err(Error::Protocol("overrun".into()));
                }
                if f(&m)? && !overrun {
                    return Ok(());
                }
            }
        })();
        self.rbuf = rbuf;
        if overrun {
            self.sock.block()?;
        }
        res.map(|()| overrun)
    }

    /// Applies `ops` as ONE transaction: `NFNL_MSG_BATCH_BEGIN` (carrying
    /// `genid` when given) + every op + `NFNL_MSG_BATCH_END`, sent in one
    /// `sendmsg` (the kernel treats one datagram as one batch; the send
    /// buffer is raised to fit). Only the last op asks for an ACK; errors of
    /// earlier ops arrive before it and are matched by sequence number.
    ///
    /// Either everything is applied or nothing is. Empty `ops` send nothing.
    pub fn commit(
        &mut self,
        family: Family,
        ops: &[Op],
        genid: Option<u32>,
    ) -> Result<(), CommitError> {
        if ops.is_empty() {
            return Ok(());
        }
        let n = ops.len() as u32;
        let begin_seq = self.next_seq();
        // Reserve the op and end sequence numbers.
        self.seq = self.seq.wrapping_add(n + 1);
        let end_seq = begin_seq.wrapping_add(n + 1);

        let mut buf = std::mem::take(&mut self.sbuf);
        buf.clear();
        let built = (|| -> Result<(), Error> {
            let s = begin_msg(
                &mut buf,
                BATCH_BEGIN,
                F_REQUEST,
                begin_seq,
                0,
                NFNL_SUBSYS_NFTABLES,
            );
            if let Some(g) = genid {
                put_attr(&mut buf, BATCH_GENID, &g.to_be_bytes());
            }
            finish(&mut buf, s);
            let last = encode_ops(&mut buf, family, ops, begin_seq)?;
            ffi::set_ack(last, &mut buf);
            let s = begin_msg(
                &mut buf,
                BATCH_END,
                F_REQUEST,
                end_seq,
                0,
                NFNL_SUBSYS_NFTABLES,
            );
            finish(&mut buf, s);
            Ok(())
        })();
        let sent = built.and_then(|()| self.send(&buf));
        // Keep the capacity for the next batch, but not tens of megabytes.
        buf.clear();
        if buf.capacity() > 4 << 20 {
            buf.shrink_to(4 << 20);
        }
        self.sbuf = buf;
        sent?;

        let mut st = BatchReplies {
            begin_seq,
            n,
            first_err: None,
            begin_err: None,
        };
        match self.recv_loop(|m| st.feed(m)) {
            Ok(()) => {}
            // The receive queue overflowed with error replies (the kernel
            // sends them all while processing the send, and drops the rest,
            // possibly the final ACK): read what was kept, without waiting.
            Err(Error::Io(e)) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                self.drain(|m| {
                    let _ = st.feed(m);
                });
                if st.first_err.is_none() && st.begin_err.is_none() {
                    return Err(CommitError::Other(Error::Io(e)));
                }
            }
            Err(e) => {
                self.drain(|_| {});
                return Err(CommitError::Other(e));
            }
        }
        match (st.begin_err, st.first_err) {
            (Some(ERESTART), _) => Err(CommitError::Restart),
            (Some(errno), _) => Err(CommitError::Other(Error::Kernel { errno })),
            (None, Some((index, errno))) => Err(CommitError::Op { index, errno }),
            (None, None) => Ok(()),
        }
    }

    /// Reads whatever is still queued without waiting (after an overflow
    /// or a timeout), handing each message to `f`, so the next request
    /// starts clean.
    fn drain(&mut self, mut f: impl FnMut(&RawMsg<'_>)) {
        if self.sock.nonblock().is_err() {
            return;
        }
        loop {
            match self.sock.recv(&mut self.rbuf[..], Msg::empty()) {
                Ok((0, _)) => break,
                Ok((n, _)) => {
                    let data = self.rbuf.get(..n).unwrap_or(&[]);
                    if let Ok(msgs) = split(data) {
                        msgs.iter().for_each(&mut f);
                    }
                }
                // A further overflow report: messages are still queued.
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {}
                Err(_) => break,
            }
        }
        let _ = self.sock.block();
    }
}

/// What [`NfSocket::pipeline`] tells about one request.
enum Reply<'a, 'b> {
    /// A reply message of the request.
    Msg(&'a RawMsg<'b>),
    /// The request is sent again: forget its replies so far.
    Restart,
}

/// How many requests [`NfSocket::pipeline`] puts in one `sendmsg`.
#[derive(Clone, Copy)]
enum Batching {
    /// Up to this many: for requests that do not start a dump.
    Fixed(usize),
    /// Dump requests: one per `sendmsg`, more only while they keep ending
    /// inside it (empty dumps), since any dump still running gets the dump
    /// requests behind it refused.
    Dumps,
}

/// The state of one request of a pipelined `sendmsg`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// No final reply yet; `more` once some reply came.
    Waiting {
        /// Some reply already came.
        more: bool,
    },
    /// Its last reply is in; `quick` when that was its only reply (an
    /// empty dump, ended inside the `sendmsg`).
    Done {
        /// The final reply was the only one.
        quick: bool,
    },
    /// Refused (`EBUSY`, `ENOBUFS`) or lost: to be sent again.
    Again,
}

/// The error a dump's `NLMSG_DONE` carries (positive; 0 for success).
fn done_errno(m: &RawMsg<'_>) -> i32 {
    match m.bytes.get(16..20) {
        Some(b) => -i32::from_ne_bytes([b[0], b[1], b[2], b[3]]),
        None => 0,
    }
}

/// The replies to one batch, matched by sequence number.
struct BatchReplies {
    begin_seq: u32,
    /// Number of ops; op `i` has sequence number `begin_seq + 1 + i`.
    n: u32,
    /// The lowest-index failed op and its errno.
    first_err: Option<(usize, i32)>,
    /// An error on the batch begin: the batch was refused as a whole.
    begin_err: Option<i32>,
}

impl BatchReplies {
    /// Takes one reply; `true` once the last reply of the batch is in.
    fn feed(&mut self, m: &RawMsg<'_>) -> Result<bool, Error> {
        if m.ty != NLMSG_ERROR {
            return Ok(false);
        }
        let errno = m.errno()?;
        if m.seq == self.begin_seq {
            // Refused as a whole (ERESTART, ENOMEM, a malformed batch):
            // nothing else follows.
            self.begin_err = Some(errno);
            return Ok(true);
        }
        let off = m.seq.wrapping_sub(self.begin_seq);
        if off == 0 || off > self.n {
            return Ok(false); // not ours (or the batch end)
        }
        let index = (off - 1) as usize;
        if errno != 0 && self.first_err.is_none_or(|(i, _)| index < i) {
            self.first_err = Some((index, errno));
        }
        // The last op carries NLM_F_ACK: its ACK or error comes last.
        Ok(off == self.n)
    }
}

#[cfg(test)]
mod tests {
    //! The pipelining paths that the integration tests cannot steer: `EBUSY`
    //! refusals and receive queue overruns. Needs root (a fresh network
    //! namespace for the test's thread).

    use super::*;
    use crate::tables::expr::{base, cmp, verdict, REG_1, REG_VERDICT};

    fn netns() {
        assert!(
            nix::unistd::geteuid().is_root(),
            "socket.rs tests need root (a fresh network namespace and nf_tables)"
        );
        nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET).expect("unshare");
    }

    fn rule(chain: &str, k: u32) -> Op {
        let b = k.to_be_bytes();
        Op::AddRule {
            rule: KRule {
                table: "t".into(),
                chain: chain.into(),
                exprs: vec![
                    Expr::Payload {
                        base: base::NETWORK,
                        offset: 12,
                        len: 4,
                        dreg: REG_1,
                    },
                    Expr::Cmp {
                        sreg: REG_1,
                        op: cmp::EQ,
                        data: vec![10, b[1], b[2], b[3]],
                    },
                    Expr::Immediate {
                        dreg: REG_VERDICT,
                        data: ImmData::Verdict {
                            code: verdict::ACCEPT,
                            chain: None,
                        },
                    },
                ],
                ..KRule::default()
            },
            append: true,
            replace: false,
        }
    }

    /// Runs of empty chains (sent many per `sendmsg`), with chains of one
    /// rule and a chain of 3,000 rules (many replies) inside the runs, so
    /// dumps are refused with `EBUSY` and sent again.
    fn table(sock: &mut NfSocket) -> Vec<String> {
        let mut names = Vec::new();
        let mut ops = vec![Op::AddTable(KTable {
            name: "t".into(),
            ..KTable::default()
        })];
        for i in 0..3000u32 {
            let name = format!("C{i}");
            ops.push(Op::AddChain {
                chain: KChain {
                    table: "t".into(),
                    name: name.clone(),
                    ..KChain::default()
                },
                excl: true,
            });
            if i == 1500 {
                ops.extend((0..3000).map(|k| rule(&name, k)));
            } else if i % 97 == 50 {
                ops.push(rule(&name, i));
            }
            names.push(name);
        }
        sock.commit(Family::V4, &ops, None).expect("commit");
        names
    }

    fn check(sock: &mut NfSocket, names: &[String]) {
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let got = sock
            .rules_of_chains(Family::V4, "t", &refs)
            .expect("rules_of_chains");
        for (c, rules) in refs.iter().zip(&got) {
            let want = sock.rules(Family::V4, "t", Some(c)).expect("rules");
            assert_eq!(rules, &want, "{c}");
        }
        assert_eq!(got[1500].len(), 3000);
        assert_eq!(got.iter().filter(|r| r.len() == 1).count(), 31);
    }

    #[test]
    fn refused_dumps_are_sent_again() {
        netns();
        let mut sock = NfSocket::open().expect("open");
        let names = table(&mut sock);
        check(&mut sock, &names);
        let st = sock.stats;
        assert!(st.again > 0, "{st:?}");
        assert!(st.sends < 3000 / 4, "{st:?}");
        assert_eq!(st.overruns, 0, "{st:?}");
    }

    #[test]
    fn overruns_lose_nothing() {
        netns();
        let mut sock = NfSocket::open().expect("open");
        let names = table(&mut sock);
        // Room for one 32 KiB dump reply (the kernel doubles the value):
        // replies to batches are dropped.
        ffi::set_rcvbuf_force(sock.sock.as_raw_fd(), 16 * 1024).expect("rcvbuf");
        check(&mut sock, &names);
        let st = sock.stats;
        assert!(st.overruns > 0, "{st:?}");
        // The socket is still in sync.
        sock.genid().expect("genid");
        check(&mut sock, &names);
    }
}
