//! `tcp` match: TCP ports, flags and options (`struct xt_tcp { __u16
//! spts[2], dpts[2]; __u8 option, flg_mask, flg_cmp, invflags; }`, ports in
//! host order), compat rev 0, 16 bytes.
//!
//! iptables-nft 1.8.9 encodes it natively (transport-header payload loads
//! with `cmp`/`range`, flags with a `bitwise`) unless it carries a
//! `--tcp-option`, an inverted option, or nothing at all (`-p tcp -m tcp`),
//! which stay compat. The port helpers here are shared with `udp`.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::{base, cmp, range, Expr, Family, REG_1};
use crate::tables::ext::util::{parse_port, parse_uint, rd_u8, wr_u8};
use crate::tables::ext::xtables::{print_ports, rd_ports, save_ports, wr_ports};
use crate::tables::ext::{Ctx, Ext, Extension, Field, Kind, Load, Opt, PrintCtx, State};

/// `sizeof(struct xt_tcp)` aligned.
const SIZE: usize = 16;
/// `spts[0]`, `spts[1]`, `dpts[0]`, `dpts[1]`.
const SPTS: usize = 0;
const DPTS: usize = 4;
const OPTION: usize = 8;
const FLG_MASK: usize = 9;
const FLG_CMP: usize = 10;
const INVFLAGS: usize = 11;

/// `XT_TCP_INV_SRCPT`
pub(crate) const INV_SRCPT: u8 = 0x01;
/// `XT_TCP_INV_DSTPT`
pub(crate) const INV_DSTPT: u8 = 0x02;
/// `XT_TCP_INV_FLAGS`
const INV_FLAGS: u8 = 0x04;
/// `XT_TCP_INV_OPTION`
const INV_OPTION: u8 = 0x08;
/// `XT_TCP_INV_MASK`
const INV_MASK: u8 = 0x0f;

// Bits of `State::flags`.
const F_SRC: u32 = 1;
const F_DST: u32 = 2;
const F_FLAGS: u32 = 4;
const F_OPTION: u32 = 8;

/// TCP flag names in libxt_tcp's order (printing walks it front to back).
static FLAG_NAMES: &[(&str, u8)] = &[
    ("FIN", 0x01),
    ("SYN", 0x02),
    ("RST", 0x04),
    ("PSH", 0x08),
    ("ACK", 0x10),
    ("URG", 0x20),
    ("ALL", 0x3f),
    ("NONE", 0),
];

/// The `tcp` match.
pub struct Tcp;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Tcp];

// All options are invertible in 1.8.9 (old-style parser); repeats are
// checked here because the messages are tcp's own.
static OPTS: &[Opt] = &[
    Opt::req_inv("source-port").multi(),
    Opt::req_inv("sport").multi(),
    Opt::req_inv("destination-port").multi(),
    Opt::req_inv("dport").multi(),
    Opt::flag_inv("syn").multi(),
    Opt::req_inv("tcp-flags").multi(),
    Opt::req_inv("tcp-option").multi(),
];

/// Parses `PORT`, `LO:HI`, `LO:`, `:HI` as libxt_tcp does (numbers or
/// service names for `proto`); `min > max` is refused.
pub(crate) fn parse_port_range(s: &str, proto: &str) -> XtResult<[u16; 2]> {
    match s.split_once(':') {
        None => {
            let p = parse_port(s, Some(proto))?;
            Ok([p, p])
        }
        Some((lo, hi)) => {
            let lo = if lo.is_empty() {
                0
            } else {
                parse_port(lo, Some(proto))?
            };
            let hi = if hi.is_empty() {
                0xffff
            } else {
                parse_port(hi, Some(proto))?
            };
            if lo > hi {
                return Err(XtError::param("invalid portrange (min > max)"));
            }
            Ok([lo, hi])
        }
    }
}

fn payload(offset: u32, len: u32) -> Expr {
    Expr::Payload {
        base: base::TRANSPORT,
        offset,
        len,
        dreg: REG_1,
    }
}

fn cmp_expr(op: u32, data: Vec<u8>) -> Expr {
    Expr::Cmp {
        sreg: REG_1,
        op,
        data,
    }
}

/// 1.8.9's `expr_gen_range_cmp16`: one port, `0:HI` or a range.
fn range_cmp16(lo: u16, hi: u16, invert: bool, out: &mut Vec<Expr>) {
    if lo == hi {
        let op = if invert { cmp::NEQ } else { cmp::EQ };
        out.push(cmp_expr(op, lo.to_be_bytes().to_vec()));
    } else if lo == 0 && hi < 0xffff {
        let op = if invert { cmp::GT } else { cmp::LTE };
        out.push(cmp_expr(op, hi.to_be_bytes().to_vec()));
    } else {
        out.push(Expr::Range {
            sreg: REG_1,
            op: if invert { range::NEQ } else { range::EQ },
            from: lo.to_be_bytes().to_vec(),
            to: hi.to_be_bytes().to_vec(),
        });
    }
}

/// 1.8.9's `add_nft_tcpudp`: the port part of a native tcp/udp match.
/// Two single non-zero ports with the same inversion become one 4-byte
/// load; a `0:65535` side emits nothing (even when inverted).
pub(crate) fn port_exprs(src: [u16; 2], inv_src: bool, dst: [u16; 2], inv_dst: bool) -> Vec<Expr> {
    let mut v = Vec::new();
    if src[0] != 0 && src[0] == src[1] && dst[0] != 0 && dst[0] == dst[1] && inv_src == inv_dst {
        let mut data = src[0].to_be_bytes().to_vec();
        data.extend_from_slice(&dst[0].to_be_bytes());
        v.push(payload(0, 4));
        v.push(cmp_expr(if inv_src { cmp::NEQ } else { cmp::EQ }, data));
        return v;
    }
    if src[0] != 0 || src[1] < 0xffff {
        v.push(payload(0, 2));
        range_cmp16(src[0], src[1], inv_src, &mut v);
    }
    if dst[0] != 0 || dst[1] < 0xffff {
        v.push(payload(2, 2));
        range_cmp16(dst[0], dst[1], inv_dst, &mut v);
    }
    v
}

/// What native transport-header statements say about a tcp/udp match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Th {
    /// Source port range.
    pub spts: [u16; 2],
    /// Destination port range.
    pub dpts: [u16; 2],
    /// `INV_SRCPT` / `INV_DSTPT` / `XT_TCP_INV_FLAGS`.
    pub invflags: u8,
    /// TCP flags mask and value (tcp only).
    pub flags: Option<(u8, u8)>,
}

/// 1.8.9's `port_match_single_to_range`.
fn single_to_range(ports: &mut [u16; 2], inv: &mut u8, bit: u8, op: u32, port: u16) -> Option<()> {
    match op {
        cmp::NEQ => {
            *inv |= bit;
            *ports = [port, port];
        }
        cmp::EQ => *ports = [port, port],
        cmp::LT => ports[1] = port.saturating_sub(1).max(1),
        cmp::LTE => ports[1] = port,
        cmp::GT => ports[0] = port.saturating_add(1),
        cmp::GTE => ports[0] = port,
        _ => return None,
    }
    Some(())
}

fn be16(d: &[u8], off: usize) -> Option<u16> {
    let s = d.get(off..off + 2)?;
    Some(u16::from_be_bytes([s[0], s[1]]))
}

/// Reads native transport-header statements back the way 1.8.9's
/// `nft_parse_transport`/`nft_parse_transport_range` do; `None` for
/// anything a tcp (`tcp = true`) or udp match cannot hold.
pub(crate) fn decode_th(fields: &[Field], tcp: bool) -> Option<Th> {
    let mut th = Th {
        spts: [0, 0xffff],
        dpts: [0, 0xffff],
        invflags: 0,
        flags: None,
    };
    if fields.is_empty() {
        return None;
    }
    for f in fields {
        match f {
            Field::Cmp {
                load:
                    Load::Payload {
                        base: base::TRANSPORT,
                        offset,
                        len,
                    },
                mask,
                op,
                data,
            } => match (*offset, *len, data.len()) {
                (0, 2, 2) if mask.is_none() => {
                    let p = be16(data, 0)?;
                    single_to_range(&mut th.spts, &mut th.invflags, INV_SRCPT, *op, p)?;
                }
                (0, 4, 4) if mask.is_none() => {
                    let s = be16(data, 0)?;
                    let d = be16(data, 2)?;
                    single_to_range(&mut th.spts, &mut th.invflags, INV_SRCPT, *op, s)?;
                    single_to_range(&mut th.dpts, &mut th.invflags, INV_DSTPT, *op, d)?;
                }
                (2, 2, 2) if mask.is_none() => {
                    let p = be16(data, 0)?;
                    single_to_range(&mut th.dpts, &mut th.invflags, INV_DSTPT, *op, p)?;
                }
                (13, 1, 1) if tcp => {
                    let m = match mask {
                        Some(m) if m.len() == 1 => m[0],
                        Some(_) => return None,
                        None => 0xff,
                    };
                    match *op {
                        cmp::EQ => {}
                        cmp::NEQ => th.invflags |= INV_FLAGS,
                        _ => return None,
                    }
                    th.flags = Some((m, data[0]));
                }
                _ => return None,
            },
            Field::Range {
                load:
                    Load::Payload {
                        base: base::TRANSPORT,
                        offset,
                        len: 2,
                    },
                op,
                from,
                to,
            } if from.len() == 2 && to.len() == 2 => {
                let lo = be16(from, 0)?;
                let hi = be16(to, 0)?;
                let (ports, bit) = match offset {
                    0 => (&mut th.spts, INV_SRCPT),
                    2 => (&mut th.dpts, INV_DSTPT),
                    _ => return None,
                };
                match *op {
                    range::EQ => {}
                    range::NEQ => th.invflags |= bit,
                    _ => return None,
                }
                *ports = [lo, hi];
            }
            _ => return None,
        }
    }
    Some(th)
}

fn parse_flag_list(s: &str) -> XtResult<u8> {
    let mut v = 0u8;
    for tok in s.split(',').filter(|t| !t.is_empty()) {
        let f = FLAG_NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(tok))
            .ok_or_else(|| XtError::param(format!("Unknown TCP flag `{tok}'")))?;
        v |= f.1;
    }
    Ok(v)
}

/// `FIN,SYN,RST,ACK` or `NONE` (libxt_tcp `print_tcpf`).
fn flag_text(mut flags: u8, out: &mut String) {
    let mut have = false;
    while flags != 0 {
        let Some(&(name, bit)) = FLAG_NAMES.iter().find(|(_, b)| flags & b != 0) else {
            // Bits tcp has no name for (ECE, CWR): iptables cannot print them.
            break;
        };
        if have {
            out.push(',');
        }
        out.push_str(name);
        have = true;
        flags &= !bit;
    }
    if !have {
        out.push_str("NONE");
    }
}

fn once(st: &mut State, bit: u32, msg: &str) -> XtResult<()> {
    if st.flags & bit != 0 {
        return Err(XtError::param(msg));
    }
    st.flags |= bit;
    Ok(())
}

fn or_inv(st: &mut State, invert: bool, bit: u8) {
    if invert {
        let v = rd_u8(&st.blob, INVFLAGS) | bit;
        wr_u8(&mut st.blob, INVFLAGS, v);
    }
}

impl Extension for Tcp {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "tcp"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_ports(&mut st.blob, SPTS, [0, 0xffff]);
        wr_ports(&mut st.blob, DPTS, [0, 0xffff]);
    }
    /// `--tcp-flags MASK COMP` takes two words: the core passes them joined
    /// by a NUL byte (`"MASK\0COMP"`); a lone `MASK` means the second word
    /// was missing or started with `-` or `!`.
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let a = arg.unwrap_or("");
        match opt {
            "source-port" | "sport" => {
                once(st, F_SRC, "Only one `--source-port' allowed")?;
                let p = parse_port_range(a, "tcp")?;
                wr_ports(&mut st.blob, SPTS, p);
                or_inv(st, invert, INV_SRCPT);
            }
            "destination-port" | "dport" => {
                once(st, F_DST, "Only one `--destination-port' allowed")?;
                let p = parse_port_range(a, "tcp")?;
                wr_ports(&mut st.blob, DPTS, p);
                or_inv(st, invert, INV_DSTPT);
            }
            "syn" | "tcp-flags" => {
                once(st, F_FLAGS, "Only one of `--syn' or `--tcp-flags'  allowed")?;
                let (m, c) = if opt == "syn" {
                    (0x17, 0x02)
                } else {
                    let (m, c) = a
                        .split_once('\0')
                        .ok_or_else(|| XtError::param("--tcp-flags requires two args."))?;
                    if c.starts_with('-') || c.starts_with('!') {
                        return Err(XtError::param("--tcp-flags requires two args."));
                    }
                    (parse_flag_list(m)?, parse_flag_list(c)?)
                };
                wr_u8(&mut st.blob, FLG_MASK, m);
                wr_u8(&mut st.blob, FLG_CMP, c);
                or_inv(st, invert, INV_FLAGS);
            }
            "tcp-option" => {
                once(st, F_OPTION, "Only one `--tcp-option' allowed")?;
                let v = parse_uint(a, 1, 255)
                    .ok_or_else(|| XtError::param(format!("Bad TCP option \"{a}\"")))?;
                wr_u8(&mut st.blob, OPTION, v as u8);
                or_inv(st, invert, INV_OPTION);
            }
            _ => {}
        }
        Ok(())
    }
    /// Needs the rule's final `-p` (iptables checks after the whole command
    /// line, so `-m tcp --dport 1 -p tcp` is fine).
    fn final_check(&self, ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        // Without options iptables sends the compat match and lets the
        // kernel refuse it.
        if ctx.proto != 6 && st.seen != 0 {
            return Err(XtError::param("TCP match requires '-p tcp'"));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let inv = rd_u8(blob, INVFLAGS);
        out.push_str(" tcp");
        print_ports(
            "spt",
            rd_ports(blob, SPTS),
            inv & INV_SRCPT != 0,
            "tcp",
            ctx.numeric,
            out,
        );
        print_ports(
            "dpt",
            rd_ports(blob, DPTS),
            inv & INV_DSTPT != 0,
            "tcp",
            ctx.numeric,
            out,
        );
        let option = rd_u8(blob, OPTION);
        if option != 0 || inv & INV_OPTION != 0 {
            out.push_str(" option=");
            if inv & INV_OPTION != 0 {
                out.push('!');
            }
            out.push_str(&option.to_string());
        }
        let (m, c) = (rd_u8(blob, FLG_MASK), rd_u8(blob, FLG_CMP));
        if m != 0 || inv & INV_FLAGS != 0 {
            out.push_str(" flags:");
            if inv & INV_FLAGS != 0 {
                out.push('!');
            }
            if ctx.numeric {
                out.push_str(&format!("0x{m:02X}/0x{c:02X}"));
            } else {
                flag_text(m, out);
                out.push('/');
                flag_text(c, out);
            }
        }
        if inv & !INV_MASK != 0 {
            out.push_str(&format!(" Unknown invflags: 0x{:X}", inv & !INV_MASK));
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let inv = rd_u8(blob, INVFLAGS);
        save_ports("sport", rd_ports(blob, SPTS), inv & INV_SRCPT != 0, out);
        save_ports("dport", rd_ports(blob, DPTS), inv & INV_DSTPT != 0, out);
        let option = rd_u8(blob, OPTION);
        if option != 0 || inv & INV_OPTION != 0 {
            if inv & INV_OPTION != 0 {
                out.push_str(" !");
            }
            out.push_str(&format!(" --tcp-option {option}"));
        }
        let (m, c) = (rd_u8(blob, FLG_MASK), rd_u8(blob, FLG_CMP));
        if m != 0 || inv & INV_FLAGS != 0 {
            if inv & INV_FLAGS != 0 {
                out.push_str(" !");
            }
            out.push_str(" --tcp-flags ");
            flag_text(m, out);
            out.push(' ');
            flag_text(c, out);
        }
    }
    fn native(&self, _ctx: &Ctx<'_>, blob: &[u8]) -> Option<Vec<Expr>> {
        let inv = rd_u8(blob, INVFLAGS);
        let (spts, dpts) = (rd_ports(blob, SPTS), rd_ports(blob, DPTS));
        let (option, m, c) = (
            rd_u8(blob, OPTION),
            rd_u8(blob, FLG_MASK),
            rd_u8(blob, FLG_CMP),
        );
        if inv & !(INV_SRCPT | INV_DSTPT | INV_FLAGS) != 0 || option != 0 {
            return None;
        }
        let all_zero = spts == [0, 0xffff] && dpts == [0, 0xffff] && m == 0 && c == 0 && inv == 0;
        if all_zero {
            return None;
        }
        let mut v = Vec::new();
        if m != 0 {
            v.push(payload(13, 1));
            if m != 0xff {
                v.push(Expr::Bitwise {
                    sreg: REG_1,
                    dreg: REG_1,
                    len: 1,
                    mask: vec![m],
                    xor: vec![0],
                });
            }
            let op = if inv & INV_FLAGS != 0 {
                cmp::NEQ
            } else {
                cmp::EQ
            };
            v.push(cmp_expr(op, vec![c]));
        }
        v.extend(port_exprs(
            spts,
            inv & INV_SRCPT != 0,
            dpts,
            inv & INV_DSTPT != 0,
        ));
        Some(v)
    }
    fn decode_native(&self, _family: Family, fields: &[Field]) -> Option<Vec<u8>> {
        let th = decode_th(fields, true)?;
        let mut b = vec![0u8; SIZE];
        wr_ports(&mut b, SPTS, th.spts);
        wr_ports(&mut b, DPTS, th.dpts);
        if let Some((m, c)) = th.flags {
            wr_u8(&mut b, FLG_MASK, m);
            wr_u8(&mut b, FLG_CMP, c);
        }
        wr_u8(&mut b, INVFLAGS, th.invflags);
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    /// Runs `-p PROTO -m tcp ARGS`, joining `--tcp-flags MASK COMP` the way
    /// the core does.
    pub(crate) fn run_tcp(proto: u8, args: &[&str]) -> XtResult<Parsed> {
        let mut v: Vec<String> = Vec::new();
        let mut i = 0;
        while i < args.len() {
            if args[i] == "--tcp-flags" && i + 2 < args.len() + 1 {
                v.push(args[i].to_string());
                match (args.get(i + 1), args.get(i + 2)) {
                    (Some(m), Some(c)) if !c.starts_with('-') && !c.starts_with('!') => {
                        v.push(format!("{m}\0{c}"));
                        i += 3;
                    }
                    (Some(m), _) => {
                        v.push(m.to_string());
                        i += 2;
                    }
                    _ => i += 1,
                }
                continue;
            }
            v.push(args[i].to_string());
            i += 1;
        }
        let refs: Vec<&str> = v.iter().map(String::as_str).collect();
        run(
            Kind::Match,
            "tcp",
            Family::V4,
            proto,
            "filter",
            "INPUT",
            &refs,
        )
    }

    fn ctx() -> Ctx<'static> {
        Ctx {
            family: Family::V4,
            proto: 6,
            proto_invert: false,
            table: "filter",
            chain: "INPUT",
        }
    }

    /// Corpus `libxt_tcp.t`: `(args after -m tcp, expected save after -m tcp or None for FAIL)`.
    static CORPUS: &[(&str, Option<&str>)] = &[
        ("--sport 1", Some("=")),
        ("--sport 65535", Some("=")),
        ("--dport 1", Some("=")),
        ("--dport 65535", Some("=")),
        ("--sport 1:1023", Some("=")),
        ("--sport 1024:65535", Some("=")),
        ("--sport 1024:", Some("--sport 1024:65535")),
        ("! --sport 1", Some("=")),
        ("! --sport 65535", Some("=")),
        ("! --dport 1", Some("=")),
        ("! --dport 65535", Some("=")),
        ("--sport 1 --dport 65535", Some("=")),
        ("--sport 65535 --dport 1", Some("=")),
        ("! --sport 1 --dport 65535", Some("=")),
        ("! --sport 65535 --dport 1", Some("=")),
        ("--sport 65536", None),
        ("--sport -1", None),
        ("--dport -1", None),
        ("--syn", Some("--tcp-flags FIN,SYN,RST,ACK SYN")),
        ("--tcp-flags FIN,SYN,RST,ACK SYN", Some("=")),
        ("--tcp-flags FIN,SYN,RST,PSH,ACK,URG SYN", Some("=")),
        ("! --tcp-flags FIN,SYN,RST,PSH,ACK,URG SYN", Some("=")),
        ("--tcp-flags FIN,SYN,RST,PSH,ACK,URG RST", Some("=")),
        ("", Some("=")),
    ];

    fn words(s: &str) -> Vec<&str> {
        s.split_whitespace().collect()
    }

    #[test]
    fn corpus() {
        for (args, want) in CORPUS {
            let r = run_tcp(6, &words(args));
            match want {
                None => assert!(r.is_err(), "{args} should fail"),
                Some(w) => {
                    let p = r.unwrap_or_else(|e| panic!("{args}: {e:?}"));
                    let w = if *w == "=" { *args } else { *w };
                    let exp = if w.is_empty() {
                        " -m tcp".to_string()
                    } else {
                        format!(" -m tcp {w}")
                    };
                    assert_eq!(p.save, exp, "{args}");
                    // Native round trip where native.
                    if let Some(ex) = Tcp.native(&ctx(), &p.blob) {
                        let fields = to_fields(&ex);
                        assert_eq!(
                            Tcp.decode_native(Family::V4, &fields),
                            Some(p.blob.clone()),
                            "{args}"
                        );
                    }
                }
            }
        }
        // `-m tcp --dport 1` without `-p tcp`.
        let e = run_tcp(0, &["--dport", "1"]).unwrap_err();
        assert_eq!(e, XtError::param("TCP match requires '-p tcp'"));
        assert!(run_tcp(17, &["--dport", "1"]).is_err());
    }

    /// Groups expressions into the fields the core hands to `decode_native`.
    pub(crate) fn to_fields(ex: &[Expr]) -> Vec<Field> {
        let mut out = Vec::new();
        let mut load = None;
        let mut mask = None;
        for e in ex {
            match e {
                Expr::Payload {
                    base, offset, len, ..
                } => {
                    load = Some(Load::Payload {
                        base: *base,
                        offset: *offset,
                        len: *len,
                    });
                    mask = None;
                }
                Expr::Meta { key, .. } => {
                    load = Some(Load::Meta { key: *key });
                    mask = None;
                }
                Expr::Bitwise { mask: m, .. } => mask = Some(m.clone()),
                Expr::Cmp { op, data, .. } => out.push(Field::Cmp {
                    load: load.take().unwrap(),
                    mask: mask.take(),
                    op: *op,
                    data: data.clone(),
                }),
                Expr::Range { op, from, to, .. } => out.push(Field::Range {
                    load: load.take().unwrap(),
                    op: *op,
                    from: from.clone(),
                    to: to.clone(),
                }),
                other => out.push(Field::Expr(other.clone())),
            }
        }
        out
    }

    fn native_of(args: &[&str]) -> Option<Vec<Expr>> {
        let p = run_tcp(6, args).unwrap();
        Tcp.native(&ctx(), &p.blob)
    }

    #[test]
    fn native_encodings() {
        // Observed with nft --debug=netlink.
        assert_eq!(
            native_of(&["--sport", "22", "--dport", "22"]),
            Some(vec![payload(0, 4), cmp_expr(cmp::EQ, vec![0, 22, 0, 22])])
        );
        assert_eq!(
            native_of(&["!", "--sport", "22", "--dport", "80"]),
            Some(vec![
                payload(0, 2),
                cmp_expr(cmp::NEQ, vec![0, 22]),
                payload(2, 2),
                cmp_expr(cmp::EQ, vec![0, 80]),
            ])
        );
        assert_eq!(
            native_of(&["--sport", "1:1023", "!", "--dport", "5:6"]),
            Some(vec![
                payload(0, 2),
                Expr::Range {
                    sreg: REG_1,
                    op: range::EQ,
                    from: vec![0, 1],
                    to: vec![3, 0xff]
                },
                payload(2, 2),
                Expr::Range {
                    sreg: REG_1,
                    op: range::NEQ,
                    from: vec![0, 5],
                    to: vec![0, 6]
                },
            ])
        );
        assert_eq!(
            native_of(&["--dport", ":5"]),
            Some(vec![payload(2, 2), cmp_expr(cmp::LTE, vec![0, 5])])
        );
        assert_eq!(
            native_of(&["--sport", "0", "--dport", "22"]),
            Some(vec![
                payload(0, 2),
                cmp_expr(cmp::EQ, vec![0, 0]),
                payload(2, 2),
                cmp_expr(cmp::EQ, vec![0, 22]),
            ])
        );
        assert_eq!(
            native_of(&["!", "--sport", "22", "!", "--dport", "23"]),
            Some(vec![payload(0, 4), cmp_expr(cmp::NEQ, vec![0, 22, 0, 23])])
        );
        let syn = vec![
            payload(13, 1),
            Expr::Bitwise {
                sreg: REG_1,
                dreg: REG_1,
                len: 1,
                mask: vec![0x17],
                xor: vec![0],
            },
            cmp_expr(cmp::EQ, vec![2]),
        ];
        assert_eq!(native_of(&["--syn"]), Some(syn.clone()));
        let mut syn_dport = syn;
        syn_dport.push(payload(2, 2));
        syn_dport.push(cmp_expr(cmp::EQ, vec![0, 5]));
        assert_eq!(native_of(&["--syn", "--dport", "5"]), Some(syn_dport));
        // Compat cases.
        assert_eq!(native_of(&[]), None);
        assert_eq!(native_of(&["--sport", ":"]), None);
        assert_eq!(native_of(&["--tcp-option", "2"]), None);
        assert_eq!(native_of(&["--tcp-flags", "NONE", "NONE"]), None);
        // Inverted full range: nothing at all.
        assert_eq!(native_of(&["!", "--sport", "0:65535"]), Some(vec![]));
    }

    #[test]
    fn decode_lossy_like_189() {
        // `! --dport :5` is `cmp gt 5`, read back as `--dport 6:65535`.
        let ex = native_of(&["!", "--dport", ":5"]).unwrap();
        let b = Tcp.decode_native(Family::V4, &to_fields(&ex)).unwrap();
        let want = run_tcp(6, &["--dport", "6:65535"]).unwrap().blob;
        assert_eq!(b, want);
        assert_eq!(Tcp.decode_native(Family::V4, &[]), None);
    }

    #[test]
    fn print_and_errors() {
        let p = run_tcp(6, &["--sport", "22", "--dport", "22"]).unwrap();
        assert_eq!(p.print, " tcp spt:ssh dpt:ssh");
        assert_eq!(p.print_numeric, " tcp spt:22 dpt:22");
        let p = run_tcp(6, &["--sport", "1:1023", "!", "--dport", "5:6"]).unwrap();
        assert_eq!(p.print, " tcp spts:tcpmux:1023 dpts:!5:6");
        let p = run_tcp(6, &["!", "--syn"]).unwrap();
        assert_eq!(p.print, " tcp flags:!FIN,SYN,RST,ACK/SYN");
        assert_eq!(p.print_numeric, " tcp flags:!0x17/0x02");
        let p = run_tcp(6, &["--tcp-flags", "ALL", "NONE"]).unwrap();
        assert_eq!(p.print, " tcp flags:FIN,SYN,RST,PSH,ACK,URG/NONE");
        assert_eq!(p.print_numeric, " tcp flags:0x3F/0x00");
        assert_eq!(p.save, " -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE");
        let p = run_tcp(6, &["--dport", "3", "!", "--tcp-option", "2"]).unwrap();
        assert_eq!(p.print, " tcp dpt:3 option=!2");
        assert_eq!(p.save, " -m tcp --dport 3 ! --tcp-option 2");
        let p = run_tcp(6, &["!", "--tcp-flags", "syn,,ack,", ",SYN"]).unwrap();
        assert_eq!(p.save, " -m tcp ! --tcp-flags SYN,ACK SYN");
        let p = run_tcp(6, &["--sport", "5:5"]).unwrap();
        assert_eq!(p.save, " -m tcp --sport 5");
        let p = run_tcp(6, &["--dport", "ssh:http"]).unwrap();
        assert_eq!(p.save, " -m tcp --dport 22:80");
        let p = run_tcp(6, &[]).unwrap();
        assert_eq!(p.print, " tcp");
        assert_eq!(
            p.blob,
            [0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        // Compat blob, observed with -vvv.
        let p = run_tcp(6, &["--tcp-option", "2", "!", "--sport", "5", "--syn"]).unwrap();
        assert_eq!(
            p.blob,
            [5, 0, 5, 0, 0, 0, 0xff, 0xff, 2, 0x17, 2, 1, 0, 0, 0, 0]
        );
        assert_eq!(Tcp.native(&ctx(), &p.blob), None);
        let err = |args: &[&str]| run_tcp(6, args).unwrap_err();
        let msg = |m: &str| XtError::param(m);
        assert_eq!(
            err(&["--sport", "65536"]),
            msg("invalid port/service `65536' specified")
        );
        assert_eq!(
            err(&["--sport", "5:3"]),
            msg("invalid portrange (min > max)")
        );
        assert_eq!(
            err(&["--sport", "1:2:3"]),
            msg("invalid port/service `2:3' specified")
        );
        assert_eq!(
            err(&["--tcp-flags", "SYN,FOO", "SYN"]),
            msg("Unknown TCP flag `FOO'")
        );
        assert_eq!(
            err(&["--tcp-flags", "SYN"]),
            msg("--tcp-flags requires two args.")
        );
        assert_eq!(
            err(&["--syn", "--tcp-flags", "SYN", "SYN"]),
            msg("Only one of `--syn' or `--tcp-flags'  allowed")
        );
        assert_eq!(err(&["--tcp-option", "0"]), msg("Bad TCP option \"0\""));
        assert_eq!(err(&["--tcp-option", "256"]), msg("Bad TCP option \"256\""));
        assert_eq!(
            err(&["--sport", "1", "--sport", "2"]),
            msg("Only one `--source-port' allowed")
        );
        assert_eq!(
            err(&["--dport", "1", "--destination-port", "2"]),
            msg("Only one `--destination-port' allowed")
        );
    }
}
