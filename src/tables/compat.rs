//! Asking the kernel whether it has an xtables extension at a revision
//! (`NFNL_SUBSYS_NFT_COMPAT` / `NFNL_MSG_COMPAT_GET`), once per extension
//! and process, so rtables warns about a missing kernel module exactly where
//! iptables-nft 1.8.9 does:
//! `Warning: Extension LED revision 0 not supported, missing kernel module?`.

use std::collections::HashMap;
use std::sync::Mutex;

use neli::consts::socket::{Msg, NlFamily};
use neli::socket::NlSocket;
use neli::utils::Groups;

use super::expr::Family;
use super::ext::Kind;
use crate::netlink::{messages, Reply};

/// `NFNL_SUBSYS_NFT_COMPAT << 8 | NFNL_MSG_COMPAT_GET`.
const COMPAT_GET: u16 = 0x0b00;
const F_REQUEST: u16 = 0x1;
const F_ACK: u16 = 0x4;
const NFTA_COMPAT_NAME: u16 = 1;
const NFTA_COMPAT_REV: u16 = 2;
const NFTA_COMPAT_TYPE: u16 = 3;

/// (family, target?, kernel name, revision).
type Key = (Family, bool, String, u32);

static CACHE: Mutex<Option<HashMap<Key, bool>>> = Mutex::new(None);

fn attr(buf: &mut Vec<u8>, ty: u16, payload: &[u8]) {
    let len = 4 + payload.len();
    buf.extend_from_slice(&(len as u16).to_ne_bytes());
    buf.extend_from_slice(&ty.to_ne_bytes());
    buf.extend_from_slice(payload);
    while !buf.len().is_multiple_of(4) {
        buf.push(0);
    }
}

/// Asks the kernel; `Some(errno)` (0 = supported), `None` when it could
/// not be asked at all.
fn query(family: Family, target: bool, name: &str, rev: u32) -> Option<i32> {
    let sock = NlSocket::connect(NlFamily::Netfilter, None, Groups::empty()).ok()?;
    sock.block().ok()?;
    let mut buf = Vec::with_capacity(64);
    buf.extend_from_slice(&[0u8; 16]);
    buf.extend_from_slice(&[family.nfproto(), 0, 0, 0]);
    let mut n = name.as_bytes().to_vec();
    n.push(0);
    attr(&mut buf, NFTA_COMPAT_NAME, &n);
    attr(&mut buf, NFTA_COMPAT_REV, &rev.to_be_bytes());
    attr(&mut buf, NFTA_COMPAT_TYPE, &u32::from(target).to_be_bytes());
    let len = buf.len() as u32;
    buf[0..4].copy_from_slice(&len.to_ne_bytes());
    buf[4..6].copy_from_slice(&COMPAT_GET.to_ne_bytes());
    buf[6..8].copy_from_slice(&(F_REQUEST | F_ACK).to_ne_bytes());
    buf[8..12].copy_from_slice(&1u32.to_ne_bytes());
    sock.send(&buf, Msg::empty()).ok()?;
    let mut rbuf = vec![0u8; 8192];
    let (n, _) = sock.recv(&mut rbuf[..], Msg::empty()).ok()?;
    let data = rbuf.get(..n)?;
    // The first message says it: an echo of the request (supported) or an
    // error.
    match messages(data).ok()?.first()? {
        Reply::Ack { errno, .. } => Some(*errno),
        Reply::Data { .. } | Reply::Done { .. } => Some(0),
    }
}

/// Whether the kernel has extension `name` (as the kernel names it) at
/// `rev`; a kernel that cannot be asked counts as having it.
pub fn supported(family: Family, kind: Kind, name: &str, rev: u32) -> bool {
    let target = kind == Kind::Target;
    let key = (family, target, name.to_string(), rev);
    if let Ok(mut g) = CACHE.lock() {
        if let Some(v) = g.get_or_insert_with(HashMap::new).get(&key) {
            return *v;
        }
    }
    // Only an unknown name means a missing module: another revision of a
    // known name is a kernel that differs from this one.
    let ok = query(family, target, name, rev).is_none_or(|e| e != libc::ENOENT);
    if let Ok(mut g) = CACHE.lock() {
        g.get_or_insert_with(HashMap::new).insert(key, ok);
    }
    ok
}

/// Prints iptables' warning when the kernel lacks the extension.
pub fn warn_if_missing(family: Family, kind: Kind, user_name: &str, kernel_name: &str, rev: u32) {
    if !supported(family, kind, kernel_name, rev) {
        eprintln!(
            "Warning: Extension {user_name} revision 0 not supported, missing kernel module?"
        );
    }
}
