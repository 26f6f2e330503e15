//! Whether the kernel has an xtables extension at a revision, asked once
//! per extension and process ([`NfSocket::compat_get`]), so rtables warns
//! about a missing kernel module exactly where iptables-nft 1.8.9 does:
//! `Warning: Extension LED revision 0 not supported, missing kernel module?`.

use std::collections::HashMap;
use std::sync::Mutex;

use super::expr::Family;
use super::ext::Kind;
use super::socket::NfSocket;

/// (family, target?, kernel name, revision).
type Key = (Family, bool, String, u32);

static CACHE: Mutex<Option<HashMap<Key, bool>>> = Mutex::new(None);

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
    let ok = NfSocket::open()
        .and_then(|mut s| s.compat_get(family, target, name, rev))
        .map_or(true, |errno| errno != libc::ENOENT);
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
