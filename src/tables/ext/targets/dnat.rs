//! `DNAT` target: rewrites the destination address and/or port
//! (`--to-destination [ADDR[-ADDR]][:PORT[-PORT[/BASE]]]`, `--random`,
//! `--persistent`).
//!
//! iptables-nft 1.8.9 sends `DNAT` rev 2 for both families, whose blob is
//! `struct nf_nat_range2` (48 bytes). This file also holds the NAT helpers
//! the `SNAT`, `MASQUERADE` and `REDIRECT` targets share: one parser and
//! printer over the three kernel layouts (`nf_nat_ipv4_multi_range_compat`,
//! `nf_nat_range`, `nf_nat_range2`), shaped like iptables' `libxt_NAT`.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_be16, rd_u32, service_port, wr, wr_be16, wr_u32};
use crate::tables::ext::xtables::err_mandatory;
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

/// `NF_NAT_RANGE_MAP_IPS`
pub(crate) const MAP_IPS: u32 = 1 << 0;
/// `NF_NAT_RANGE_PROTO_SPECIFIED`
pub(crate) const PROTO_SPECIFIED: u32 = 1 << 1;
/// `NF_NAT_RANGE_PROTO_RANDOM`
pub(crate) const PROTO_RANDOM: u32 = 1 << 2;
/// `NF_NAT_RANGE_PERSISTENT`
pub(crate) const PERSISTENT: u32 = 1 << 3;
/// `NF_NAT_RANGE_PROTO_RANDOM_FULLY`
pub(crate) const PROTO_RANDOM_FULLY: u32 = 1 << 4;
/// `NF_NAT_RANGE_PROTO_OFFSET`
pub(crate) const PROTO_OFFSET: u32 = 1 << 5;

/// The kernel struct a NAT target's blob holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// `struct nf_nat_ipv4_multi_range_compat` with one range (24 bytes):
    /// rangesize, flags, min_ip, max_ip, min port, max port.
    Compat,
    /// `struct nf_nat_range` (40 bytes): flags, min/max address (16 each),
    /// min/max port.
    Range,
    /// `struct nf_nat_range2` (48 bytes): `nf_nat_range` plus a base port.
    Range2,
}

impl Layout {
    /// The blob size (`XT_ALIGN`ed).
    pub(crate) fn size(self) -> usize {
        match self {
            Layout::Compat => 24,
            Layout::Range => 40,
            Layout::Range2 => 48,
        }
    }
}

/// A NAT range in `nf_nat_range2` terms, ports in host order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Range {
    /// `NF_NAT_RANGE_*` flags.
    pub flags: u32,
    /// Lowest address (an IPv4 address takes the first 4 bytes).
    pub min: [u8; 16],
    /// Highest address.
    pub max: [u8; 16],
    /// Lowest port.
    pub min_port: u16,
    /// Highest port.
    pub max_port: u16,
    /// Base port of a shifted port map (`/BASE`).
    pub base_port: u16,
}

fn rd16(b: &[u8], off: usize) -> [u8; 16] {
    let mut a = [0u8; 16];
    if let Some(s) = b.get(off..off + 16) {
        a.copy_from_slice(s);
    }
    a
}

impl Range {
    /// Reads a range from a blob of the given layout (missing bytes are 0).
    pub(crate) fn read(layout: Layout, b: &[u8]) -> Range {
        match layout {
            Layout::Compat => {
                let mut min = [0u8; 16];
                let mut max = [0u8; 16];
                min[..4].copy_from_slice(&rd_u32(b, 8).to_ne_bytes());
                max[..4].copy_from_slice(&rd_u32(b, 12).to_ne_bytes());
                Range {
                    flags: rd_u32(b, 4),
                    min,
                    max,
                    min_port: rd_be16(b, 16),
                    max_port: rd_be16(b, 18),
                    base_port: 0,
                }
            }
            Layout::Range | Layout::Range2 => Range {
                flags: rd_u32(b, 0),
                min: rd16(b, 4),
                max: rd16(b, 20),
                min_port: rd_be16(b, 36),
                max_port: rd_be16(b, 38),
                base_port: if layout == Layout::Range2 {
                    rd_be16(b, 40)
                } else {
                    0
                },
            },
        }
    }

    /// Writes the range into a blob of the given layout (what the layout
    /// cannot hold, the base port, is dropped as iptables drops it).
    pub(crate) fn write(&self, layout: Layout, b: &mut [u8]) {
        match layout {
            Layout::Compat => {
                wr_u32(b, 0, 1);
                wr_u32(b, 4, self.flags);
                wr(b, 8, &self.min[..4]);
                wr(b, 12, &self.max[..4]);
                wr_be16(b, 16, self.min_port);
                wr_be16(b, 18, self.max_port);
            }
            Layout::Range | Layout::Range2 => {
                wr_u32(b, 0, self.flags);
                wr(b, 4, &self.min);
                wr(b, 20, &self.max);
                wr_be16(b, 36, self.min_port);
                wr_be16(b, 38, self.max_port);
                if layout == Layout::Range2 {
                    wr_be16(b, 40, self.base_port);
                }
            }
        }
    }
}

/// Whether `-p PROTO` allows a port specification (tcp, udp, sctp, dccp,
/// and protocol 1 as libxt_NAT has it).
pub(crate) fn port_ok(proto: u8) -> bool {
    matches!(proto, 6 | 17 | 132 | 33 | 1)
}

/// `strtoumax(s, &end, 0)` on a prefix of `s`, then the `min..=max` check of
/// `xtables_strtoui`: `Some((value, rest))` when a number was read and is in
/// range, `None` otherwise.
pub(crate) fn strtoui_prefix(s: &str, min: u64, max: u64) -> Option<(u64, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i] == b' ' || (b'\t'..=b'\r').contains(&b[i])) {
        i += 1;
    }
    // libxtables refuses a leading minus itself (strtoumax would wrap it).
    if b.get(i) == Some(&b'-') {
        return None;
    }
    if b.get(i) == Some(&b'+') {
        i += 1;
    }
    let mut radix = 10u32;
    if i + 1 < b.len()
        && b[i] == b'0'
        && (b[i + 1] == b'x' || b[i + 1] == b'X')
        && b.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit())
    {
        radix = 16;
        i += 2;
    } else if i < b.len() && b[i] == b'0' {
        radix = 8;
    }
    let start = i;
    let mut v: u64 = 0;
    let mut overflow = false;
    while i < b.len() {
        let d = match (b[i] as char).to_digit(radix) {
            Some(d) => d,
            None => break,
        };
        match v
            .checked_mul(radix as u64)
            .and_then(|x| x.checked_add(d as u64))
        {
            Some(x) => v = x,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return None;
    }
    if overflow || v < min || v > max {
        return None;
    }
    Some((v, &s[i..]))
}

/// `xtables_service_to_port(name, NULL)`: any protocol's port for `name`.
fn service_any(name: &str) -> Option<u16> {
    service_port(name, "tcp").or_else(|| service_port(name, "udp"))
}

fn port_invalid(s: &str) -> XtError {
    XtError::param(format!("Port `{s}' not valid"))
}

/// Parses `PORT[-PORT[/BASE]]` into `r` (libxt_NAT's `parse_ports`).
pub(crate) fn parse_ports(arg: &str, portok: bool, r: &mut Range) -> XtResult<()> {
    if !portok {
        return Err(XtError::param(
            "Need TCP, UDP, SCTP or DCCP with port specification",
        ));
    }
    r.flags |= PROTO_SPECIFIED;
    let (port, end) = match strtoui_prefix(arg, 0, 65535) {
        Some((v, rest)) => (v as u16, rest),
        None => (service_any(arg).ok_or_else(|| port_invalid(arg))?, ""),
    };
    let rest = match end.chars().next() {
        None => {
            r.min_port = port;
            r.max_port = port;
            return Ok(());
        }
        Some('-') => &end[1..],
        Some(':') => {
            return Err(XtError::param("Invalid port:port syntax - use dash"));
        }
        Some(_) => {
            return Err(XtError::param(format!("Garbage after port value: `{end}'")));
        }
    };
    let (maxport, end) = strtoui_prefix(rest, 0, 65535).ok_or_else(|| port_invalid(rest))?;
    let maxport = maxport as u16;
    if maxport < port {
        return Err(XtError::param(format!("Port range `{rest}' funky")));
    }
    r.min_port = port;
    r.max_port = maxport;
    let base = match end.chars().next() {
        None => return Ok(()),
        Some('/') => &end[1..],
        Some(_) => {
            return Err(XtError::param(format!("Garbage after port range: `{end}'")));
        }
    };
    let baseport = match strtoui_prefix(base, 1, 65535) {
        Some((v, _)) => v as u16,
        None => service_any(base).ok_or_else(|| port_invalid(base))?,
    };
    r.flags |= PROTO_OFFSET;
    r.base_port = baseport;
    Ok(())
}

fn parse_addr(family: Family, s: &str) -> XtResult<[u8; 16]> {
    let mut a = [0u8; 16];
    let ok = match family {
        Family::V4 => s
            .parse::<Ipv4Addr>()
            .map(|ip| a[..4].copy_from_slice(&ip.octets()))
            .is_ok(),
        Family::V6 => s
            .parse::<Ipv6Addr>()
            .map(|ip| a.copy_from_slice(&ip.octets()))
            .is_ok(),
    };
    if ok {
        Ok(a)
    } else {
        Err(XtError::param(format!("Bad IP address \"{s}\"")))
    }
}

/// Parses `[ADDR[-ADDR]][:PORTS]` (IPv6 ports need `[ADDR]:PORTS`) into `r`
/// (libxt_NAT's `parse_to`).
pub(crate) fn parse_to(arg: &str, portok: bool, r: &mut Range, family: Family) -> XtResult<()> {
    // `addr` is the address text; `ports` what follows the port colon.
    let (addr, ports, no_ip) = match arg.find('[') {
        None => match arg.find(':') {
            Some(c) if !arg[c + 1..].contains(':') => {
                (&arg[..c], Some(&arg[c + 1..]), c == 0 || c == 2)
            }
            _ => (arg, None, false),
        },
        Some(o) => {
            let start = &arg[o + 1..];
            let close = match start.find(']') {
                Some(c) if family == Family::V6 => c,
                _ => return Err(XtError::param("Invalid address format")),
            };
            let after = &start[close + 1..];
            let addr = &start[..close];
            match after.find(':') {
                Some(c) => {
                    // position of the colon in the whole argument
                    let pos = o + 1 + close + 1 + c;
                    (addr, Some(&after[c + 1..]), pos == 0 || pos == 2)
                }
                None => (addr, None, false),
            }
        }
    };
    if let Some(p) = ports {
        parse_ports(p, portok, r)?;
        if no_ip {
            return Ok(());
        }
    }
    r.flags |= MAP_IPS;
    match addr.split_once('-') {
        Some((lo, hi)) => {
            r.min = parse_addr(family, lo)?;
            r.max = parse_addr(family, hi)?;
        }
        None => {
            r.min = parse_addr(family, addr)?;
            r.max = r.min;
        }
    }
    Ok(())
}

fn addr_text(family: Family, a: &[u8; 16]) -> String {
    match family {
        Family::V4 => Ipv4Addr::new(a[0], a[1], a[2], a[3]).to_string(),
        Family::V6 => Ipv6Addr::from(*a).to_string(),
    }
}

/// libxt_NAT's `sprint_range`: `ADDR[-ADDR]` (bracketed for IPv6 with
/// ports) then `:PORT[-PORT][/BASE]`.
pub(crate) fn range_text(r: &Range, family: Family) -> String {
    let brackets = family == Family::V6 && r.flags & PROTO_SPECIFIED != 0;
    let mut s = String::new();
    if r.flags & MAP_IPS != 0 {
        if brackets {
            s.push('[');
        }
        s.push_str(&addr_text(family, &r.min));
        if r.min != r.max {
            s.push('-');
            s.push_str(&addr_text(family, &r.max));
        }
        if brackets {
            s.push(']');
        }
    }
    if r.flags & PROTO_SPECIFIED != 0 {
        s.push_str(&format!(":{}", r.min_port));
        if r.max_port != r.min_port {
            s.push_str(&format!("-{}", r.max_port));
        }
        if r.flags & PROTO_OFFSET != 0 {
            s.push_str(&format!("/{}", r.base_port));
        }
    }
    s
}

/// libxt_NAT's `__NAT_print`: ` RANGEOPT RANGE` then the flag words, each
/// prefixed with `flag_pfx` (`""` for `-L`, `"--"` for save).
pub(crate) fn nat_print(
    r: &Range,
    family: Family,
    rangeopt: &str,
    flag_pfx: &str,
    skip_colon: bool,
    out: &mut String,
) {
    let text = range_text(r, family);
    if !text.is_empty() {
        let t = match text.strip_prefix(':') {
            Some(rest) if skip_colon => rest,
            _ => &text,
        };
        out.push(' ');
        out.push_str(rangeopt);
        out.push_str(t);
    }
    if r.flags & PROTO_RANDOM != 0 {
        out.push_str(&format!(" {flag_pfx}random"));
    }
    if r.flags & PROTO_RANDOM_FULLY != 0 {
        out.push_str(&format!(" {flag_pfx}random-fully"));
    }
    if r.flags & PERSISTENT != 0 {
        out.push_str(&format!(" {flag_pfx}persistent"));
    }
}

/// One libxt_NAT target (DNAT, SNAT, MASQUERADE, REDIRECT) for a family set.
pub(crate) struct NatTarget {
    /// User and kernel name.
    pub name: &'static str,
    /// Families served.
    pub families: Families,
    /// Revision sent.
    pub rev: u32,
    /// Layout for `ip`.
    pub v4: Layout,
    /// Layout for `ip6`.
    pub v6: Layout,
    /// Options, in iptables' order.
    pub opts: &'static [Opt],
    /// The mandatory option, if any (`to-destination`, `to-source`).
    pub mandatory: Option<&'static str>,
    /// `-L` text before the range (`to:`, `redir ports `).
    pub print_opt: &'static str,
    /// Save option before the range (`--to-destination `).
    pub save_opt: &'static str,
    /// Print a ports-only range without its leading colon.
    pub skip_colon: bool,
    /// Refuse `/BASE` (`Shifted portmap ranges not supported ...`).
    pub refuse_offset: bool,
}

impl NatTarget {
    fn layout(&self, family: Family) -> Layout {
        match family {
            Family::V4 => self.v4,
            Family::V6 => self.v6,
        }
    }
}

impl Extension for NatTarget {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        self.name
    }
    fn revision(&self) -> u32 {
        self.rev
    }
    fn families(&self) -> Families {
        self.families
    }
    fn size(&self, family: Family) -> usize {
        self.layout(family).size()
    }
    fn options(&self) -> &'static [Opt] {
        self.opts
    }
    fn init(&self, ctx: &Ctx<'_>, st: &mut State) {
        if self.layout(ctx.family) == Layout::Compat {
            wr_u32(&mut st.blob, 0, 1);
        }
    }
    fn parse(
        &self,
        ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let layout = self.layout(ctx.family);
        let mut r = Range::read(layout, &st.blob);
        let portok = port_ok(ctx.proto);
        match opt {
            "to-destination" | "to-source" => {
                parse_to(arg.unwrap_or(""), portok, &mut r, ctx.family)?
            }
            "to-ports" => parse_ports(arg.unwrap_or(""), portok, &mut r)?,
            "random" => r.flags |= PROTO_RANDOM,
            "random-fully" => r.flags |= PROTO_RANDOM_FULLY,
            "persistent" => r.flags |= PERSISTENT,
            _ => {}
        }
        r.write(layout, &mut st.blob);
        Ok(())
    }
    fn final_check(&self, ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if let Some(m) = self.mandatory {
            if !st.saw(self, m) {
                return Err(err_mandatory(self.name, m));
            }
        }
        let layout = self.layout(ctx.family);
        if layout == Layout::Compat {
            wr_u32(&mut st.blob, 0, 1);
        }
        if self.refuse_offset && Range::read(layout, &st.blob).flags & PROTO_OFFSET != 0 {
            return Err(XtError::param(
                "Shifted portmap ranges not supported with this kernel",
            ));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let r = Range::read(self.layout(ctx.family), blob);
        nat_print(&r, ctx.family, self.print_opt, "", self.skip_colon, out);
    }
    fn save(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let r = Range::read(self.layout(ctx.family), blob);
        nat_print(&r, ctx.family, self.save_opt, "--", self.skip_colon, out);
    }
}

static OPTS: &[Opt] = &[
    Opt::req("to-destination"),
    Opt::flag("random"),
    Opt::flag("persistent"),
];

/// The `DNAT` target (rev 2, `nf_nat_range2`, both families).
pub(crate) static DNAT: NatTarget = NatTarget {
    name: "DNAT",
    families: Families::Both,
    rev: 2,
    v4: Layout::Range2,
    v6: Layout::Range2,
    opts: OPTS,
    mandatory: Some("to-destination"),
    print_opt: "to:",
    save_opt: "--to-destination ",
    skip_colon: false,
    refuse_offset: false,
};

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&DNAT];

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    /// Runs a corpus line's target part: `proto` from `-p`, `args` after
    /// `-j NAME`.
    pub(crate) fn tg(
        fam: Family,
        table: &str,
        chain: &str,
        proto: u8,
        name: &str,
        args: &str,
    ) -> XtResult<Parsed> {
        let words: Vec<&str> = args.split_whitespace().collect();
        run(Kind::Target, name, fam, proto, table, chain, &words)
    }

    /// Checks corpus lines `(proto, args, Some(saved) | None for FAIL)`;
    /// `saved` `"="` means the same as `args`.
    pub(crate) fn corpus(
        fam: Family,
        table: &str,
        chain: &str,
        name: &str,
        lines: &[(u8, &str, Option<&str>)],
    ) {
        for (proto, args, want) in lines {
            let got = tg(fam, table, chain, *proto, name, args);
            match want {
                None => assert!(got.is_err(), "{name} {args}: should fail, got {got:?}"),
                Some(w) => {
                    let p = got.unwrap_or_else(|e| panic!("{name} {args}: {e:?}"));
                    let w = if *w == "=" { *args } else { *w };
                    let want = if w.is_empty() {
                        format!(" -j {name}")
                    } else {
                        format!(" -j {name} {w}")
                    };
                    assert_eq!(p.save, want, "{name} {args}");
                }
            }
        }
    }

    fn err(fam: Family, proto: u8, args: &str) -> String {
        tg(fam, "nat", "PREROUTING", proto, "DNAT", args)
            .unwrap_err()
            .msg
    }

    #[test]
    fn corpus_v4() {
        corpus(
            Family::V4,
            "nat",
            "PREROUTING",
            "DNAT",
            &[
                (0, "--to-destination 1.1.1.1", Some("=")),
                (0, "--to-destination 1.1.1.1-1.1.1.10", Some("=")),
                (0, "--to-destination 1.1.1.1:1025-65535", None),
                (6, "--to-destination 1.1.1.1:1025-65535", Some("=")),
                (6, "--to-destination 1.1.1.1-1.1.1.10:1025-65535", Some("=")),
                (6, "--to-destination 1.1.1.1-1.1.1.10:1025-65536", None),
                (6, "--to-destination 1.1.1.1:1000-2000/1000", Some("=")),
                (6, "--to-destination 1.1.1.1:1000-2000/3000", Some("=")),
                (6, "--to-destination 1.1.1.1:1000-2000/65535", Some("=")),
                (6, "--to-destination 1.1.1.1:1000-2000/0", None),
                (6, "--to-destination 1.1.1.1:1000-2000/65536", None),
                (
                    6,
                    "--to-destination 1.1.1.1:ssh",
                    Some("--to-destination 1.1.1.1:22"),
                ),
                (
                    6,
                    "--to-destination 1.1.1.1:ftp-data",
                    Some("--to-destination 1.1.1.1:20"),
                ),
                (6, "--to-destination 1.1.1.1:echo-ssh", None),
                (
                    6,
                    "--to-destination 1.1.1.1:10-20/ftp",
                    Some("--to-destination 1.1.1.1:10-20/21"),
                ),
                (0, "", None),
            ],
        );
        // Repeats are refused by the option parser.
        assert!(tg(
            Family::V4,
            "nat",
            "PREROUTING",
            0,
            "DNAT",
            "--to-destination 1.1.1.1 --to-destination 2.2.2.2"
        )
        .is_err());
    }

    #[test]
    fn corpus_v6() {
        corpus(
            Family::V6,
            "nat",
            "PREROUTING",
            "DNAT",
            &[
                (0, "--to-destination dead::beef", Some("=")),
                (0, "--to-destination dead::beef-dead::fee7", Some("=")),
                (0, "--to-destination [dead::beef]:1025-65535", None),
                (6, "--to-destination [dead::beef]:1025-65535", Some("=")),
                (
                    6,
                    "--to-destination [dead::beef-dead::fee7]:1025-65535",
                    Some("="),
                ),
                (
                    6,
                    "--to-destination [dead::beef-dead::fee7]:1025-65536",
                    None,
                ),
                (
                    6,
                    "--to-destination [dead::beef-dead::fee7]:1000-2000/1000",
                    Some("="),
                ),
                (
                    6,
                    "--to-destination [dead::beef-dead::fee7]:1000-2000/3000",
                    Some("="),
                ),
                (
                    6,
                    "--to-destination [dead::beef-dead::fee7]:1000-2000/65535",
                    Some("="),
                ),
                (
                    6,
                    "--to-destination [dead::beef-dead::fee7]:1000-2000/0",
                    None,
                ),
                (
                    6,
                    "--to-destination [dead::beef-dead::fee7]:1000-2000/65536",
                    None,
                ),
                (
                    6,
                    "--to-destination [dead::beef]:ssh",
                    Some("--to-destination [dead::beef]:22"),
                ),
                (
                    6,
                    "--to-destination [dead::beef]:ftp-data",
                    Some("--to-destination [dead::beef]:20"),
                ),
                (6, "--to-destination [dead::beef]:echo-ssh", None),
                (
                    6,
                    "--to-destination [dead::beef]:10-20/ftp",
                    Some("--to-destination [dead::beef]:10-20/21"),
                ),
                (0, "", None),
            ],
        );
    }

    #[test]
    fn errors_as_iptables() {
        let v4 = Family::V4;
        assert_eq!(
            err(v4, 0, "--to-destination 1.1.1.1:1025-65535"),
            "Need TCP, UDP, SCTP or DCCP with port specification"
        );
        assert_eq!(
            err(v4, 0, ""),
            "DNAT: option \"--to-destination\" must be specified\n"
        );
        assert_eq!(
            err(v4, 6, "--to-destination 1.1.1.1-1.1.1.10:1025-65536"),
            "Port `65536' not valid"
        );
        assert_eq!(
            err(v4, 6, "--to-destination 1.1.1.1:1000-2000/0"),
            "Port `0' not valid"
        );
        assert_eq!(
            err(v4, 6, "--to-destination 1.1.1.1:echo-ssh"),
            "Port `echo-ssh' not valid"
        );
        assert_eq!(
            err(v4, 6, "--to-destination 1.1.1.1:10-ssh"),
            "Port `ssh' not valid"
        );
        assert_eq!(
            err(v4, 6, "--to-destination 1.1.1.1:20-10"),
            "Port range `10' funky"
        );
        assert_eq!(
            err(v4, 6, "--to-destination 1.1.1.1:20:30"),
            "Bad IP address \"1.1.1.1:20:30\""
        );
        assert_eq!(
            err(v4, 6, "--to-destination 1.1.1.1:20x"),
            "Garbage after port value: `x'"
        );
        assert_eq!(
            err(v4, 6, "--to-destination 1.1.1.1:20-30x"),
            "Garbage after port range: `x'"
        );
        assert_eq!(
            err(v4, 6, "--to-destination 1.1.1.1-1.1.1.y"),
            "Bad IP address \"1.1.1.y\""
        );
        assert_eq!(
            err(v4, 6, "--to-destination [1.1.1.1]:80"),
            "Invalid address format"
        );
    }

    #[test]
    fn print_and_blob() {
        let p = tg(
            Family::V4,
            "nat",
            "PREROUTING",
            6,
            "DNAT",
            "--to-destination 10.0.0.2:8080",
        )
        .unwrap();
        assert_eq!(p.print, " to:10.0.0.2:8080");
        assert_eq!(p.print_numeric, " to:10.0.0.2:8080");
        let mut want = vec![0u8; 48];
        want[0] = 3;
        want[4..8].copy_from_slice(&[10, 0, 0, 2]);
        want[20..24].copy_from_slice(&[10, 0, 0, 2]);
        want[36..40].copy_from_slice(&[0x1f, 0x90, 0x1f, 0x90]);
        assert_eq!(p.blob, want);

        let p = tg(
            Family::V4,
            "nat",
            "PREROUTING",
            6,
            "DNAT",
            "--to-destination 1.1.1.1:10-20/ftp --random --persistent",
        )
        .unwrap();
        assert_eq!(p.print, " to:1.1.1.1:10-20/21 random persistent");
        assert_eq!(
            p.save,
            " -j DNAT --to-destination 1.1.1.1:10-20/21 --random --persistent"
        );
        let p = tg(
            Family::V4,
            "nat",
            "PREROUTING",
            6,
            "DNAT",
            "--to-destination :80",
        )
        .unwrap();
        assert_eq!(p.print, " to::80");
        assert_eq!(p.save, " -j DNAT --to-destination :80");
        let p = tg(
            Family::V4,
            "nat",
            "PREROUTING",
            1,
            "DNAT",
            "--to-destination 1.1.1.1:10",
        )
        .unwrap();
        assert_eq!(p.save, " -j DNAT --to-destination 1.1.1.1:10");

        let p = tg(
            Family::V6,
            "nat",
            "PREROUTING",
            6,
            "DNAT",
            "--to-destination [dead::beef]:80",
        )
        .unwrap();
        assert_eq!(p.print, " to:[dead::beef]:80");
        let mut want = vec![0u8; 48];
        want[0] = 3;
        want[4..6].copy_from_slice(&[0xde, 0xad]);
        want[18..20].copy_from_slice(&[0xbe, 0xef]);
        want[20..22].copy_from_slice(&[0xde, 0xad]);
        want[34..36].copy_from_slice(&[0xbe, 0xef]);
        want[36..40].copy_from_slice(&[0, 80, 0, 80]);
        assert_eq!(p.blob, want);
    }

    #[test]
    fn strtoui_like_libxtables() {
        assert_eq!(strtoui_prefix("20x", 0, 65535), Some((20, "x")));
        assert_eq!(strtoui_prefix("0x10-", 0, 65535), Some((16, "-")));
        assert_eq!(strtoui_prefix("-1", 0, 65535), None);
        assert_eq!(strtoui_prefix("-0", 0, 65535), None);
        assert_eq!(strtoui_prefix(" +7", 0, 65535), Some((7, "")));
        assert_eq!(strtoui_prefix("65536", 0, 65535), None);
        assert_eq!(strtoui_prefix("ssh", 0, 65535), None);
        assert_eq!(strtoui_prefix("", 0, 65535), None);
    }
}
