//! Helpers every extension uses: reading and writing blob fields without
//! panicking, and libxtables' number, port, mark and string conventions.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::names;
use crate::tables::error::{XtError, XtResult};

/// Reads a byte at `off` (0 outside the blob).
pub fn rd_u8(b: &[u8], off: usize) -> u8 {
    b.get(off).copied().unwrap_or(0)
}

/// Reads a host-order u16 at `off` (0 outside the blob).
pub fn rd_u16(b: &[u8], off: usize) -> u16 {
    match b.get(off..off + 2) {
        Some(s) => u16::from_ne_bytes([s[0], s[1]]),
        None => 0,
    }
}

/// Reads a network-order u16 at `off` (0 outside the blob).
pub fn rd_be16(b: &[u8], off: usize) -> u16 {
    match b.get(off..off + 2) {
        Some(s) => u16::from_be_bytes([s[0], s[1]]),
        None => 0,
    }
}

/// Reads a host-order u32 at `off` (0 outside the blob).
pub fn rd_u32(b: &[u8], off: usize) -> u32 {
    match b.get(off..off + 4) {
        Some(s) => u32::from_ne_bytes([s[0], s[1], s[2], s[3]]),
        None => 0,
    }
}

/// Reads a network-order u32 at `off` (0 outside the blob).
pub fn rd_be32(b: &[u8], off: usize) -> u32 {
    match b.get(off..off + 4) {
        Some(s) => u32::from_be_bytes([s[0], s[1], s[2], s[3]]),
        None => 0,
    }
}

/// Reads a host-order u64 at `off` (0 outside the blob).
pub fn rd_u64(b: &[u8], off: usize) -> u64 {
    match b.get(off..off + 8) {
        Some(s) => {
            let mut a = [0u8; 8];
            a.copy_from_slice(s);
            u64::from_ne_bytes(a)
        }
        None => 0,
    }
}

/// Reads an IPv4 address stored in network order at `off`.
pub fn rd_ipv4(b: &[u8], off: usize) -> Ipv4Addr {
    Ipv4Addr::from(rd_be32(b, off))
}

/// Reads an IPv6 address at `off` (unspecified outside the blob).
pub fn rd_ipv6(b: &[u8], off: usize) -> Ipv6Addr {
    match b.get(off..off + 16) {
        Some(s) => {
            let mut a = [0u8; 16];
            a.copy_from_slice(s);
            Ipv6Addr::from(a)
        }
        None => Ipv6Addr::UNSPECIFIED,
    }
}

/// Reads a NUL-terminated string from a fixed-size field.
pub fn rd_str(b: &[u8], off: usize, len: usize) -> String {
    let end = (off + len).min(b.len());
    let s = b.get(off..end).unwrap_or(&[]);
    let n = s.iter().position(|&c| c == 0).unwrap_or(s.len());
    String::from_utf8_lossy(&s[..n]).into_owned()
}

/// Writes bytes at `off`; silently ignores what does not fit.
pub fn wr(b: &mut [u8], off: usize, v: &[u8]) {
    if let Some(dst) = b.get_mut(off..off + v.len()) {
        dst.copy_from_slice(v);
    }
}

/// Writes a byte.
pub fn wr_u8(b: &mut [u8], off: usize, v: u8) {
    wr(b, off, &[v]);
}

/// Writes a host-order u16.
pub fn wr_u16(b: &mut [u8], off: usize, v: u16) {
    wr(b, off, &v.to_ne_bytes());
}

/// Writes a network-order u16.
pub fn wr_be16(b: &mut [u8], off: usize, v: u16) {
    wr(b, off, &v.to_be_bytes());
}

/// Writes a host-order u32.
pub fn wr_u32(b: &mut [u8], off: usize, v: u32) {
    wr(b, off, &v.to_ne_bytes());
}

/// Writes a network-order u32.
pub fn wr_be32(b: &mut [u8], off: usize, v: u32) {
    wr(b, off, &v.to_be_bytes());
}

/// Writes a host-order u64.
pub fn wr_u64(b: &mut [u8], off: usize, v: u64) {
    wr(b, off, &v.to_ne_bytes());
}

/// Writes a string into a fixed-size field, NUL padded (truncated to
/// `len - 1` bytes so a NUL always ends it).
pub fn wr_str(b: &mut [u8], off: usize, len: usize, s: &str) {
    let bytes = s.as_bytes();
    let n = bytes.len().min(len.saturating_sub(1));
    wr(b, off, &bytes[..n]);
    for i in n..len {
        wr_u8(b, off + i, 0);
    }
}

/// `XT_ALIGN`: rounds up to 8 bytes.
pub const fn xt_align(n: usize) -> usize {
    (n + 7) & !7
}

/// Parses an unsigned number the way `strtoul(s, &end, 0)` does (decimal,
/// `0x` hex, leading-`0` octal), the whole string, within `min..=max`
/// (libxtables' `xtables_strtoul`). `None` on anything else.
pub fn parse_uint(s: &str, min: u64, max: u64) -> Option<u64> {
    let t = s.trim_start();
    if t.is_empty() || t.starts_with('-') {
        return None;
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    let v = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        if h.is_empty() {
            return None;
        }
        u64::from_str_radix(h, 16).ok()?
    } else if t.len() > 1 && t.starts_with('0') {
        u64::from_str_radix(&t[1..], 8).ok()?
    } else {
        t.parse::<u64>().ok()?
    };
    (min..=max).contains(&v).then_some(v)
}

/// Looks a service name up in /etc/services for `proto` (`tcp`, `udp`, ...).
pub fn service_port(name: &str, proto: &str) -> Option<u16> {
    names::services().port(name, proto)
}

/// The service name of `port` for `proto`, if /etc/services has one.
pub fn service_name(port: u16, proto: &str) -> Option<&'static str> {
    names::services().name(port, proto)
}

/// The protocol name libxtables uses for a protocol number when looking up
/// services (`tcp`, `udp`, `sctp`, `dccp`), or `None`.
pub fn proto_service_name(proto: u8) -> Option<&'static str> {
    match proto {
        6 => Some("tcp"),
        17 => Some("udp"),
        132 => Some("sctp"),
        33 => Some("dccp"),
        136 => Some("udplite"),
        _ => None,
    }
}

/// `xtables_parse_port`: a number 0..=65535 or a service name for `proto`;
/// otherwise `invalid port/service `NAME' specified`.
pub fn parse_port(s: &str, proto: Option<&str>) -> XtResult<u16> {
    if let Some(v) = parse_uint(s, 0, 65535) {
        return Ok(v as u16);
    }
    if let Some(p) = proto.and_then(|p| service_port(s, p)) {
        return Ok(p);
    }
    if proto.is_none() {
        for p in ["tcp", "udp"] {
            if let Some(v) = service_port(s, p) {
                return Ok(v);
            }
        }
    }
    Err(XtError::param(format!(
        "invalid port/service `{s}' specified"
    )))
}

/// Prints a port as `-L` does: the service name unless `numeric`.
pub fn port_text(port: u16, proto: Option<&str>, numeric: bool) -> String {
    if !numeric {
        if let Some(n) = proto.and_then(|p| service_name(port, p)) {
            return n.to_string();
        }
    }
    port.to_string()
}

/// `xtables_save_string`: bare when the value is non-empty and only
/// `[A-Za-z0-9_-]`, else double-quoted with `"`, `\\` and `'` escaped by a
/// backslash (iptables 1.8.9 saves the comment `a'b` as `"a\'b"`).
pub fn save_string(s: &str, out: &mut String) {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
    if plain {
        out.push_str(s);
        return;
    }
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' || c == '\'' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// Parses `VALUE[/MASK]` marks (`xtables_parse_mark_mask`); the mask defaults
/// to 0xffffffff. Errors name the whole argument: `Bad MARK value "ARG"`.
pub fn parse_mark_mask(s: &str) -> Option<(u32, u32)> {
    let (v, m) = match s.split_once('/') {
        Some((v, m)) => (v, Some(m)),
        None => (s, None),
    };
    let v = parse_uint(v, 0, u32::MAX as u64)? as u32;
    let m = match m {
        Some(m) => parse_uint(m, 0, u32::MAX as u64)? as u32,
        None => u32::MAX,
    };
    Some((v, m))
}

/// `xtables_print_mark_mask`: `0xV` or `0xV/0xM`.
pub fn mark_mask_text(v: u32, m: u32) -> String {
    if m == u32::MAX {
        format!("0x{v:x}")
    } else {
        format!("0x{v:x}/0x{m:x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtoul_like() {
        assert_eq!(parse_uint("10", 0, 100), Some(10));
        assert_eq!(parse_uint("0x10", 0, 100), Some(16));
        assert_eq!(parse_uint("010", 0, 100), Some(8));
        assert_eq!(parse_uint("101", 0, 100), None);
        assert_eq!(parse_uint("-1", 0, 100), None);
        assert_eq!(parse_uint("1x", 0, 100), None);
    }

    #[test]
    fn blob_access_never_panics() {
        let mut b = vec![0u8; 4];
        wr_u32(&mut b, 2, 7);
        assert_eq!(b, [0, 0, 0, 0]);
        assert_eq!(rd_u64(&b, 0), 0);
        wr_str(&mut b, 0, 4, "abcdef");
        assert_eq!(&b, b"abc\0");
        assert_eq!(rd_str(&b, 0, 4), "abc");
    }

    #[test]
    fn quoting() {
        let mut s = String::new();
        save_string("a \"b'", &mut s);
        assert_eq!(s, "\"a \\\"b\\'\"");
        s.clear();
        save_string("abc_-9", &mut s);
        assert_eq!(s, "abc_-9");
        s.clear();
        save_string("", &mut s);
        assert_eq!(s, "\"\"");
    }
}
