//! Generic netlink plumbing shared by the kernel clients: a message writer, an
//! attribute reader, and a socket that resolves a family once and then sends
//! many requests per system call.
//!
//! The socket itself comes from `neli` (so this crate holds no `unsafe`); the
//! bytes are built and parsed here, because the IPVS attributes are typed in
//! [`crate::ipvs::wire`] and batching needs control over the buffer.

use std::fmt;
use std::io;

use neli::consts::socket::{Msg, NlFamily};
use neli::socket::NlSocket;
use neli::utils::Groups;

/// `NLMSG_ERROR`: an ACK (error 0) or an error reply.
pub const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`: the end of a dump.
pub const NLMSG_DONE: u16 = 3;
/// `NLMSG_NOOP`.
pub const NLMSG_NOOP: u16 = 1;
/// `NLMSG_OVERRUN`.
pub const NLMSG_OVERRUN: u16 = 4;

/// `NLM_F_REQUEST`.
pub const F_REQUEST: u16 = 0x1;
/// `NLM_F_MULTI`.
pub const F_MULTI: u16 = 0x2;
/// `NLM_F_ACK`.
pub const F_ACK: u16 = 0x4;
/// `NLM_F_DUMP` (`ROOT | MATCH`).
pub const F_DUMP: u16 = 0x300;

/// `NLA_F_NESTED`, set on nests the way libnl does.
pub const NLA_F_NESTED: u16 = 0x8000;
const NLA_TYPE_MASK: u16 = 0x3fff;

const GENL_ID_CTRL: u16 = 0x10;
const CTRL_CMD_GETFAMILY: u8 = 3;
const CTRL_ATTR_FAMILY_ID: u16 = 1;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;

/// Most requests a batch holds before its replies are read: error replies
/// echo the request, and they all have to fit in the socket's receive buffer.
pub const MAX_BATCH: usize = 128;

/// What can go wrong talking to the kernel.
#[derive(Debug)]
pub enum Error {
    /// The kernel refused a request; `errno` is positive (e.g. `libc::EEXIST`).
    Kernel {
        /// The positive errno from the kernel's `nlmsgerr`.
        errno: i32,
    },
    /// A system call on the socket failed.
    Io(io::Error),
    /// The generic netlink family is not registered (module not loaded,
    /// or not built into this kernel).
    FamilyNotFound(String),
    /// The kernel sent something this client cannot make sense of.
    Protocol(String),
}

impl Error {
    /// The errno behind this error, as ipvsadm would see it in `errno`.
    pub fn errno(&self) -> i32 {
        match self {
            Error::Kernel { errno } => *errno,
            Error::Io(e) => e.raw_os_error().unwrap_or(libc::EIO),
            // libipvs falls back to the sockopt interface, which reports
            // ENOPROTOOPT on a kernel without IPVS.
            Error::FamilyNotFound(_) => libc::ENOPROTOOPT,
            Error::Protocol(_) => libc::EINVAL,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Kernel { errno } => write!(f, "{}", io::Error::from_raw_os_error(*errno)),
            Error::Io(e) => write!(f, "{e}"),
            Error::FamilyNotFound(name) => write!(f, "generic netlink family {name} not found"),
            Error::Protocol(m) => write!(f, "netlink protocol error: {m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

/// Builds one generic netlink message, attribute by attribute.
///
/// Nests are opened with [`MsgWriter::nest_start`] and closed with
/// [`MsgWriter::nest_end`]; lengths are patched in place, so a message is
/// written once into a buffer that may already hold other messages (a batch).
pub struct MsgWriter<'a> {
    buf: &'a mut Vec<u8>,
    start: usize,
}

impl<'a> MsgWriter<'a> {
    /// Starts a message at the end of `buf`: netlink header plus genl header.
    pub fn new(
        buf: &'a mut Vec<u8>,
        family: u16,
        flags: u16,
        seq: u32,
        cmd: u8,
        version: u8,
    ) -> Self {
        let start = buf.len();
        buf.extend_from_slice(&0u32.to_ne_bytes());
        buf.extend_from_slice(&family.to_ne_bytes());
        buf.extend_from_slice(&flags.to_ne_bytes());
        buf.extend_from_slice(&seq.to_ne_bytes());
        buf.extend_from_slice(&0u32.to_ne_bytes());
        buf.extend_from_slice(&[cmd, version, 0, 0]);
        MsgWriter { buf, start }
    }

    /// Appends one attribute with a raw payload (padded to 4 bytes).
    pub fn put(&mut self, ty: u16, payload: &[u8]) {
        let len = (4 + payload.len()) as u16;
        self.buf.extend_from_slice(&len.to_ne_bytes());
        self.buf.extend_from_slice(&ty.to_ne_bytes());
        self.buf.extend_from_slice(payload);
        self.pad();
    }

    /// Appends a u8 attribute.
    pub fn put_u8(&mut self, ty: u16, v: u8) {
        self.put(ty, &[v]);
    }
    /// Appends a u16 attribute in host order.
    pub fn put_u16(&mut self, ty: u16, v: u16) {
        self.put(ty, &v.to_ne_bytes());
    }
    /// Appends a u16 attribute in network order.
    pub fn put_be16(&mut self, ty: u16, v: u16) {
        self.put(ty, &v.to_be_bytes());
    }
    /// Appends a u32 attribute in host order.
    pub fn put_u32(&mut self, ty: u16, v: u32) {
        self.put(ty, &v.to_ne_bytes());
    }
    /// Appends a NUL-terminated string attribute.
    pub fn put_str(&mut self, ty: u16, s: &str) {
        let mut v = Vec::with_capacity(s.len() + 1);
        v.extend_from_slice(s.as_bytes());
        v.push(0);
        self.put(ty, &v);
    }

    /// Opens a nested attribute; returns its offset for [`MsgWriter::nest_end`].
    pub fn nest_start(&mut self, ty: u16) -> usize {
        let at = self.buf.len();
        self.buf.extend_from_slice(&0u16.to_ne_bytes());
        self.buf
            .extend_from_slice(&(ty | NLA_F_NESTED).to_ne_bytes());
        at
    }

    /// Closes the nest opened at `at`.
    pub fn nest_end(&mut self, at: usize) {
        let len = (self.buf.len() - at) as u16;
        self.buf[at..at + 2].copy_from_slice(&len.to_ne_bytes());
    }

    fn pad(&mut self) {
        while !self.buf.len().is_multiple_of(4) {
            self.buf.push(0);
        }
    }

    /// Patches the message length; the message is complete.
    pub fn finish(self) {
        let len = (self.buf.len() - self.start) as u32;
        self.buf[self.start..self.start + 4].copy_from_slice(&len.to_ne_bytes());
    }
}

/// One attribute as read from the wire.
#[derive(Clone, Copy, Debug)]
pub struct Attr<'a> {
    /// Attribute type, without the nested/byte-order flags.
    pub ty: u16,
    /// Payload, without padding.
    pub data: &'a [u8],
}

impl<'a> Attr<'a> {
    /// Reads a u8 payload.
    pub fn u8(&self) -> Result<u8, Error> {
        self.data.first().copied().ok_or_else(|| short(self.ty))
    }
    /// Reads a u16 payload in host order.
    pub fn u16(&self) -> Result<u16, Error> {
        Ok(u16::from_ne_bytes(self.array::<2>()?))
    }
    /// Reads a u16 payload in network order.
    pub fn be16(&self) -> Result<u16, Error> {
        Ok(u16::from_be_bytes(self.array::<2>()?))
    }
    /// Reads a u32 payload in host order.
    pub fn u32(&self) -> Result<u32, Error> {
        Ok(u32::from_ne_bytes(self.array::<4>()?))
    }
    /// Reads a u64 payload in host order.
    pub fn u64(&self) -> Result<u64, Error> {
        Ok(u64::from_ne_bytes(self.array::<8>()?))
    }
    /// Reads a NUL-terminated (or unterminated) string payload.
    pub fn string(&self) -> String {
        let end = self
            .data
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.data.len());
        String::from_utf8_lossy(&self.data[..end]).into_owned()
    }
    /// Iterates over the attributes nested in this one.
    pub fn nested(&self) -> Attrs<'a> {
        Attrs { data: self.data }
    }
    /// The first `N` bytes of the payload.
    pub fn array<const N: usize>(&self) -> Result<[u8; N], Error> {
        self.data
            .get(..N)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| short(self.ty))
    }
}

fn short(ty: u16) -> Error {
    Error::Protocol(format!("attribute {ty} is too short"))
}

/// Iterator over a run of attributes; stops at the first malformed one.
#[derive(Clone)]
pub struct Attrs<'a> {
    data: &'a [u8],
}

impl<'a> Attrs<'a> {
    /// Attributes laid out back to back in `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Attrs { data }
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Attr<'a>;
    fn next(&mut self) -> Option<Attr<'a>> {
        if self.data.len() < 4 {
            return None;
        }
        let len = u16::from_ne_bytes([self.data[0], self.data[1]]) as usize;
        let ty = u16::from_ne_bytes([self.data[2], self.data[3]]) & NLA_TYPE_MASK;
        if len < 4 || len > self.data.len() {
            self.data = &[];
            return None;
        }
        let attr = Attr {
            ty,
            data: &self.data[4..len],
        };
        let next = (len + 3) & !3;
        self.data = self.data.get(next..).unwrap_or(&[]);
        Some(attr)
    }
}

/// One message received from the kernel.
#[derive(Debug)]
pub enum Reply<'a> {
    /// A data message: genl command and its attributes.
    Data {
        /// Sequence number of the request it answers.
        seq: u32,
        /// The genl command byte.
        cmd: u8,
        /// The attribute bytes after the genl header.
        attrs: &'a [u8],
    },
    /// An ACK (`errno` 0) or error for the request with this sequence number.
    Ack {
        /// Sequence number of the request.
        seq: u32,
        /// Positive errno, or 0 for success.
        errno: i32,
    },
    /// End of a dump.
    Done {
        /// Sequence number of the dump request.
        seq: u32,
    },
}

/// Splits a received datagram into messages.
pub fn messages(data: &[u8]) -> Result<Vec<Reply<'_>>, Error> {
    let mut out = Vec::new();
    let mut rest = data;
    while rest.len() >= 16 {
        let len = u32::from_ne_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let ty = u16::from_ne_bytes([rest[4], rest[5]]);
        let seq = u32::from_ne_bytes([rest[8], rest[9], rest[10], rest[11]]);
        if len < 16 || len > rest.len() {
            return Err(Error::Protocol(format!("bad message length {len}")));
        }
        let body = &rest[16..len];
        match ty {
            NLMSG_ERROR => {
                let code = body
                    .get(..4)
                    .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
                    .ok_or_else(|| Error::Protocol("short error message".into()))?;
                out.push(Reply::Ack { seq, errno: -code });
            }
            NLMSG_DONE => out.push(Reply::Done { seq }),
            NLMSG_NOOP => {}
            NLMSG_OVERRUN => return Err(Error::Protocol("overrun".into())),
            _ => {
                let cmd = *body
                    .first()
                    .ok_or_else(|| Error::Protocol("short genl message".into()))?;
                out.push(Reply::Data {
                    seq,
                    cmd,
                    attrs: body.get(4..).unwrap_or(&[]),
                });
            }
        }
        let next = (len + 3) & !3;
        rest = rest.get(next..).unwrap_or(&[]);
    }
    Ok(out)
}

/// A generic netlink socket bound to one family, resolved once.
pub struct GenlSocket {
    sock: NlSocket,
    family: u16,
    seq: u32,
    rbuf: Vec<u8>,
}

const RECV_BUF: usize = 256 * 1024;

impl GenlSocket {
    /// Opens a socket and resolves the family `name` on it.
    pub fn open(name: &str) -> Result<Self, Error> {
        let sock = NlSocket::connect(NlFamily::Generic, None, Groups::empty())?;
        sock.block()?;
        // Room for a batch's worth of replies; the kernel caps it at rmem_max.
        let _ = sock.set_recv_buffer_size(4 << 20);
        let mut s = GenlSocket {
            sock,
            family: 0,
            seq: 0,
            rbuf: vec![0; RECV_BUF],
        };
        s.family = s.resolve(name)?;
        Ok(s)
    }

    /// The numeric id the family was resolved to.
    pub fn family(&self) -> u16 {
        self.family
    }

    /// Hands out the next sequence number.
    pub fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    fn resolve(&mut self, name: &str) -> Result<u16, Error> {
        let seq = self.next_seq();
        let mut buf = Vec::with_capacity(64);
        let mut w = MsgWriter::new(
            &mut buf,
            GENL_ID_CTRL,
            F_REQUEST | F_ACK,
            seq,
            CTRL_CMD_GETFAMILY,
            1,
        );
        w.put_str(CTRL_ATTR_FAMILY_NAME, name);
        w.finish();
        self.send_raw(&buf)?;
        let mut id = None;
        let mut err = None;
        self.recv_until(seq, |r| match r {
            Reply::Data { attrs, .. } => {
                for a in Attrs::new(attrs) {
                    if a.ty == CTRL_ATTR_FAMILY_ID {
                        id = a.u16().ok();
                    }
                }
                Ok(false)
            }
            Reply::Ack { errno, .. } => {
                if *errno != 0 {
                    err = Some(*errno);
                }
                Ok(true)
            }
            Reply::Done { .. } => Ok(true),
        })?;
        match (id, err) {
            (Some(id), _) => Ok(id),
            _ => Err(Error::FamilyNotFound(name.to_string())),
        }
    }

    /// Sends a buffer holding one or more complete messages in one `send`.
    pub fn send_raw(&self, buf: &[u8]) -> Result<(), Error> {
        let n = self.sock.send(buf, Msg::empty())?;
        if n != buf.len() {
            return Err(Error::Protocol(format!(
                "short send: {n} of {} bytes",
                buf.len()
            )));
        }
        Ok(())
    }

    /// Receives datagrams and feeds each message to `f` until `f` returns
    /// `true` for a message carrying sequence number `last_seq`.
    pub fn recv_until(
        &mut self,
        last_seq: u32,
        mut f: impl FnMut(&Reply<'_>) -> Result<bool, Error>,
    ) -> Result<(), Error> {
        let mut rbuf = std::mem::take(&mut self.rbuf);
        let res = (|| loop {
            let (n, _) = self.sock.recv(&mut rbuf[..], Msg::empty())?;
            if n == 0 {
                return Err(Error::Protocol("socket closed".into()));
            }
            let data = rbuf.get(..n).unwrap_or(&[]);
            for m in messages(data)? {
                let seq = match &m {
                    Reply::Data { seq, .. } | Reply::Ack { seq, .. } | Reply::Done { seq } => *seq,
                };
                if f(&m)? && seq == last_seq {
                    return Ok(());
                }
            }
        })();
        self.rbuf = rbuf;
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_pads_and_patches_lengths() {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, 0x24, F_REQUEST | F_ACK, 7, 1, 1);
        let n = w.nest_start(1);
        w.put_u16(1, 2);
        w.put_str(6, "rr");
        w.nest_end(n);
        w.finish();
        assert_eq!(buf.len(), 20 + 4 + 8 + 8);
        assert_eq!(u32::from_ne_bytes(buf[0..4].try_into().unwrap()), 40);
        assert_eq!(&buf[20..24], &[20, 0, 1, 0x80]);
        assert_eq!(&buf[32..40], &[7, 0, 6, 0, b'r', b'r', 0, 0]);
        let attrs: Vec<_> = Attrs::new(&buf[20..]).collect();
        assert_eq!(attrs.len(), 1);
        let inner: Vec<_> = attrs[0].nested().collect();
        assert_eq!(inner[0].u16().unwrap(), 2);
        assert_eq!(inner[1].string(), "rr");
    }

    #[test]
    fn parses_ack_error_and_done() {
        let mut buf = Vec::new();
        for (ty, seq, code) in [(NLMSG_ERROR, 1u32, -17i32), (NLMSG_DONE, 2, 0)] {
            buf.extend_from_slice(&20u32.to_ne_bytes());
            buf.extend_from_slice(&ty.to_ne_bytes());
            buf.extend_from_slice(&0u16.to_ne_bytes());
            buf.extend_from_slice(&seq.to_ne_bytes());
            buf.extend_from_slice(&0u32.to_ne_bytes());
            buf.extend_from_slice(&code.to_ne_bytes());
        }
        let m = messages(&buf).unwrap();
        assert!(matches!(m[0], Reply::Ack { seq: 1, errno: 17 }));
        assert!(matches!(m[1], Reply::Done { seq: 2 }));
    }

    #[test]
    fn truncated_attributes_stop_iteration() {
        let data = [8u8, 0, 1, 0, 1, 2];
        assert_eq!(Attrs::new(&data).count(), 0);
    }
}
