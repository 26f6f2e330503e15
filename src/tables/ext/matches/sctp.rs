//! `sctp` match: SCTP ports and chunk types (`struct xt_sctp_info { __u16
//! dpts[2], spts[2]; __u32 chunkmap[64]; __u32 chunk_match_type; struct
//! xt_sctp_flag_info { __u8 chunktype, flag, flag_mask; } flag_info[4]; int
//! flag_count; __u32 flags, invflags; }`), compat rev 0, 296 bytes.
//!
//! Like libxt_sctp 1.8.9, a chunk's flag entry records the chunk's index
//! in the name table rather than its type (they only differ for `I_DATA`,
//! whose flags are therefore never printed).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::matches::tcp::parse_port_range;
use crate::tables::ext::util::{rd_u32, rd_u8, wr_u16, wr_u32, wr_u8};
use crate::tables::ext::xtables::{print_ports, rd_ports, save_port_range};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 296;
const DPTS: usize = 0;
const SPTS: usize = 4;
const CHUNKMAP: usize = 8;
/// Words in `chunkmap`.
const MAP_WORDS: usize = 64;
const MATCH_TYPE: usize = 264;
const FLAG_INFO: usize = 268;
const FLAG_COUNT: usize = 280;
const FLAGS: usize = 284;
const INVFLAGS: usize = 288;
/// `XT_NUM_SCTP_FLAGS`
const NUM_FLAGS: usize = 4;

/// `XT_SCTP_SRC_PORTS`
const SRC_PORTS: u32 = 0x01;
/// `XT_SCTP_DEST_PORTS`
const DEST_PORTS: u32 = 0x02;
/// `XT_SCTP_CHUNK_TYPES`
const CHUNK_TYPES: u32 = 0x04;

/// `SCTP_CHUNK_MATCH_ANY` / `ALL` / `ONLY`.
const MATCH_ANY: u32 = 0x01;
const MATCH_ALL: u32 = 0x02;
const MATCH_ONLY: u32 = 0x04;

/// `(name, chunk type, valid flags from bit 7 down to bit 0)`.
static CHUNKS: &[(&str, u32, &str)] = &[
    ("DATA", 0, "----IUBE"),
    ("INIT", 1, "--------"),
    ("INIT_ACK", 2, "--------"),
    ("SACK", 3, "--------"),
    ("HEARTBEAT", 4, "--------"),
    ("HEARTBEAT_ACK", 5, "--------"),
    ("ABORT", 6, "-------T"),
    ("SHUTDOWN", 7, "--------"),
    ("SHUTDOWN_ACK", 8, "--------"),
    ("ERROR", 9, "--------"),
    ("COOKIE_ECHO", 10, "--------"),
    ("COOKIE_ACK", 11, "--------"),
    ("ECN_ECNE", 12, "--------"),
    ("ECN_CWR", 13, "--------"),
    ("SHUTDOWN_COMPLETE", 14, "-------T"),
    ("I_DATA", 64, "----IUBE"),
    ("RE_CONFIG", 130, "--------"),
    ("PAD", 132, "--------"),
    ("ASCONF", 193, "--------"),
    ("ASCONF_ACK", 128, "--------"),
    ("FORWARD_TSN", 192, "--------"),
    ("I_FORWARD_TSN", 194, "--------"),
];

/// The `sctp` match.
pub struct Sctp;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Sctp];

static OPTS: &[Opt] = &[
    Opt::req_inv("source-port").multi(),
    Opt::req_inv("sport").multi(),
    Opt::req_inv("destination-port").multi(),
    Opt::req_inv("dport").multi(),
    Opt::req_inv("chunk-types").multi(),
];

fn map_set(b: &mut [u8], t: u32) {
    let off = CHUNKMAP + 4 * (t as usize / 32);
    let v = rd_u32(b, off) | (1 << (t % 32));
    wr_u32(b, off, v);
}

fn map_has(b: &[u8], t: u32) -> bool {
    rd_u32(b, CHUNKMAP + 4 * (t as usize / 32)) & (1 << (t % 32)) != 0
}

fn or32(b: &mut [u8], off: usize, bit: u32) {
    let v = rd_u32(b, off) | bit;
    wr_u32(b, off, v);
}

/// `save_chunk_flag_info`: `idx` is the name-table index.
fn save_flag(b: &mut [u8], idx: u8, bit: u8, set: bool) -> XtResult<()> {
    let count = (rd_u32(b, FLAG_COUNT) as usize).min(NUM_FLAGS);
    let slot = match (0..count).find(|&i| rd_u8(b, FLAG_INFO + 3 * i) == idx) {
        Some(i) => i,
        None => {
            if count == NUM_FLAGS {
                return Err(XtError::param(
                    "Number of chunk types with flags exceeds currently allowed limit. \
                     Increasing this limit involves changing IPT_NUM_SCTP_FLAGS and \
                     recompiling both the kernel space and user space modules",
                ));
            }
            wr_u32(b, FLAG_COUNT, count as u32 + 1);
            count
        }
    };
    let o = FLAG_INFO + 3 * slot;
    wr_u8(b, o, idx);
    wr_u8(b, o + 2, rd_u8(b, o + 2) | (1 << bit));
    if set {
        wr_u8(b, o + 1, rd_u8(b, o + 1) | (1 << bit));
    }
    Ok(())
}

fn parse_chunks(b: &mut [u8], mtype: &str, chunks: &str) -> XtResult<()> {
    let mt = if mtype.eq_ignore_ascii_case("ANY") {
        MATCH_ANY
    } else if mtype.eq_ignore_ascii_case("ALL") {
        MATCH_ALL
    } else if mtype.eq_ignore_ascii_case("ONLY") {
        MATCH_ONLY
    } else {
        return Err(XtError::param(
            "Match type has to be one of \"ALL\", \"ANY\" or \"ONLY\"",
        ));
    };
    wr_u32(b, MATCH_TYPE, mt);
    for w in 0..MAP_WORDS {
        wr_u32(b, CHUNKMAP + 4 * w, 0);
    }
    if chunks.eq_ignore_ascii_case("ALL") {
        for w in 0..MAP_WORDS {
            wr_u32(b, CHUNKMAP + 4 * w, u32::MAX);
        }
        return Ok(());
    }
    if chunks.eq_ignore_ascii_case("NONE") {
        return Ok(());
    }
    for tok in chunks.split(',').filter(|t| !t.is_empty()) {
        let (name, flags) = match tok.split_once(':') {
            Some((n, f)) => (n, Some(f)),
            None => (tok, None),
        };
        let (idx, &(_, ty, valid)) = CHUNKS
            .iter()
            .enumerate()
            .find(|(_, c)| c.0.eq_ignore_ascii_case(name))
            .ok_or_else(|| XtError::param(format!("Unknown sctp chunk `{name}'")))?;
        map_set(b, ty);
        for c in flags.unwrap_or("").chars() {
            let up = c.to_ascii_uppercase();
            let pos = valid
                .find(up)
                .ok_or_else(|| XtError::param(format!("Invalid flags for chunk type {idx}")))?;
            save_flag(b, idx as u8, 7 - pos as u8, c.is_ascii_uppercase())?;
        }
    }
    Ok(())
}

fn chunk_text(b: &[u8], numeric: bool, out: &mut String) {
    out.push_str(match rd_u32(b, MATCH_TYPE) {
        MATCH_ANY => " any",
        MATCH_ALL => " all",
        MATCH_ONLY => " only",
        _ => "Never reach here\n",
    });
    let words: Vec<u32> = (0..MAP_WORDS)
        .map(|w| rd_u32(b, CHUNKMAP + 4 * w))
        .collect();
    if words.iter().all(|&w| w == 0) {
        out.push_str(" NONE");
        return;
    }
    if words.iter().all(|&w| w == u32::MAX) {
        out.push_str(" ALL");
        return;
    }
    let count = (rd_u32(b, FLAG_COUNT) as usize).min(NUM_FLAGS);
    let mut first = true;
    for t in 0..256u32 {
        if !map_has(b, t) {
            continue;
        }
        out.push(if first { ' ' } else { ',' });
        first = false;
        if numeric {
            out.push_str(&format!("0x{t:04X}"));
        } else {
            for c in CHUNKS.iter().filter(|c| c.1 == t) {
                out.push_str(c.0);
            }
        }
        for j in 0..count {
            let o = FLAG_INFO + 3 * j;
            if u32::from(rd_u8(b, o)) != t {
                continue;
            }
            let (flag, mask) = (rd_u8(b, o + 1), rd_u8(b, o + 2));
            let valid = CHUNKS
                .get(t as usize)
                .map_or("--------", |c| c.2)
                .as_bytes();
            if mask != 0 {
                out.push(':');
            }
            for i in (0..8).rev() {
                if mask & (1 << i) != 0 {
                    let ch = char::from(valid.get(7 - i).copied().unwrap_or(b'-'));
                    out.push(if flag & (1 << i) != 0 {
                        ch
                    } else {
                        ch.to_ascii_lowercase()
                    });
                }
            }
        }
    }
}

impl Extension for Sctp {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "sctp"
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
        for i in 0..NUM_FLAGS {
            wr_u8(&mut st.blob, FLAG_INFO + 3 * i, 0xff);
        }
    }
    /// `--chunk-types MATCH CHUNKS` takes two words: the core passes them
    /// joined by a NUL byte, as for tcp's `--tcp-flags`.
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let a = arg.unwrap_or("");
        let (bit, msg) = match opt {
            "source-port" | "sport" => (SRC_PORTS, "Only one `--source-port' allowed"),
            "destination-port" | "dport" => (DEST_PORTS, "Only one `--destination-port' allowed"),
            _ => (CHUNK_TYPES, "Only one `--chunk-types' allowed"),
        };
        if st.flags & bit != 0 {
            return Err(XtError::param(msg));
        }
        if bit == CHUNK_TYPES {
            let (m, c) = a
                .split_once('\0')
                .filter(|(_, c)| !c.starts_with('-') && !c.starts_with('!'))
                .ok_or_else(|| XtError::param("--chunk-types requires two args"))?;
            or32(&mut st.blob, FLAGS, bit);
            parse_chunks(&mut st.blob, m, c)?;
        } else {
            or32(&mut st.blob, FLAGS, bit);
            let p = parse_port_range(a, "sctp")?;
            let off = if bit == SRC_PORTS { SPTS } else { DPTS };
            wr_u16(&mut st.blob, off, p[0]);
            wr_u16(&mut st.blob, off + 2, p[1]);
        }
        if invert {
            or32(&mut st.blob, INVFLAGS, bit);
        }
        st.flags |= bit;
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let (fl, inv) = (rd_u32(blob, FLAGS), rd_u32(blob, INVFLAGS));
        out.push_str(" sctp");
        if fl & SRC_PORTS != 0 {
            print_ports(
                "spt",
                rd_ports(blob, SPTS),
                inv & SRC_PORTS != 0,
                "sctp",
                ctx.numeric,
                out,
            );
        }
        if fl & DEST_PORTS != 0 {
            print_ports(
                "dpt",
                rd_ports(blob, DPTS),
                inv & DEST_PORTS != 0,
                "sctp",
                ctx.numeric,
                out,
            );
        }
        if fl & CHUNK_TYPES != 0 {
            if inv & CHUNK_TYPES != 0 {
                out.push_str(" !");
            }
            chunk_text(blob, ctx.numeric, out);
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let (fl, inv) = (rd_u32(blob, FLAGS), rd_u32(blob, INVFLAGS));
        if fl & SRC_PORTS != 0 {
            save_port_range("sport", rd_ports(blob, SPTS), inv & SRC_PORTS != 0, out);
        }
        if fl & DEST_PORTS != 0 {
            save_port_range("dport", rd_ports(blob, DPTS), inv & DEST_PORTS != 0, out);
        }
        if fl & CHUNK_TYPES != 0 {
            if inv & CHUNK_TYPES != 0 {
                out.push_str(" !");
            }
            out.push_str(" --chunk-types");
            chunk_text(blob, false, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    /// Runs `-p sctp -m sctp ARGS`, joining `--chunk-types A B` as the core does.
    fn r(args: &[&str]) -> XtResult<Parsed> {
        let mut v: Vec<String> = Vec::new();
        let mut i = 0;
        while i < args.len() {
            v.push(args[i].to_string());
            if args[i] == "--chunk-types" {
                if let (Some(a), Some(b)) = (args.get(i + 1), args.get(i + 2)) {
                    v.push(format!("{a}\0{b}"));
                    i += 3;
                    continue;
                }
            }
            i += 1;
        }
        let refs: Vec<&str> = v.iter().map(String::as_str).collect();
        run(
            Kind::Match,
            "sctp",
            Family::V4,
            132,
            "filter",
            "INPUT",
            &refs,
        )
    }

    #[test]
    fn corpus() {
        // libxt_sctp.t
        let ok = [
            "--sport 1",
            "--sport 65535",
            "--sport 1:65535",
            "--dport 1",
            "--dport 1:65535",
            "--dport 65535",
        ];
        for a in ok {
            let w: Vec<&str> = a.split_whitespace().collect();
            assert_eq!(r(&w).unwrap().save, format!(" -m sctp {a}"));
        }
        for a in ["--sport -1", "--sport 65536", "--dport -1", "--dport 65536"] {
            let w: Vec<&str> = a.split_whitespace().collect();
            assert!(r(&w).is_err(), "{a}");
        }
        for c in CHUNKS {
            let p = r(&["--chunk-types", "all", c.0]).unwrap();
            assert_eq!(p.save, format!(" -m sctp --chunk-types all {}", c.0));
        }
    }

    #[test]
    fn observed() {
        let p = r(&["--chunk-types", "any", "DATA:Be,INIT", "--sport", "5"]).unwrap();
        assert_eq!(p.save, " -m sctp --sport 5 --chunk-types any DATA:Be,INIT");
        assert_eq!(p.print, " sctp spt:5 any DATA:Be,INIT");
        assert_eq!(p.print_numeric, " sctp spt:5 any 0x0000:Be,0x0001");
        let mut want = vec![0u8; SIZE];
        want[4..8].copy_from_slice(&[5, 0, 5, 0]);
        want[8] = 3;
        want[264] = 1;
        want[268..280].copy_from_slice(&[0, 2, 3, 0xff, 0, 0, 0xff, 0, 0, 0xff, 0, 0]);
        want[280] = 1;
        want[284] = 5;
        assert_eq!(p.blob, want);
        let p = r(&["!", "--chunk-types", "only", "I_DATA:iUB,ABORT:T,PAD"]).unwrap();
        assert_eq!(p.save, " -m sctp ! --chunk-types only ABORT:T,I_DATA,PAD");
        assert_eq!(p.print_numeric, " sctp ! only 0x0006:T,0x0040,0x0084");
        assert_eq!(
            &p.blob[268..284],
            &[15, 6, 14, 6, 1, 1, 0xff, 0, 0, 0xff, 0, 0, 2, 0, 0, 0]
        );
        let p = r(&["!", "--sport", "5", "--dport", "1:65535"]).unwrap();
        assert_eq!(p.save, " -m sctp ! --sport 5 --dport 1:65535");
        assert_eq!(p.print, " sctp spt:!5 dpts:1:65535");
        let p = r(&[]).unwrap();
        assert_eq!(p.save, " -m sctp");
        assert_eq!(p.print, " sctp");
        let s = |a: &[&str]| r(a).unwrap().save;
        assert_eq!(
            s(&["--chunk-types", "any", "NONE"]),
            " -m sctp --chunk-types any NONE"
        );
        assert_eq!(
            s(&["--chunk-types", "ALL", "all"]),
            " -m sctp --chunk-types all ALL"
        );
        assert_eq!(
            s(&["--chunk-types", "any", "DATA:-"]),
            " -m sctp --chunk-types any DATA:-"
        );
        assert_eq!(
            s(&["--chunk-types", "any", "DATA:I,DATA:e"]),
            " -m sctp --chunk-types any DATA:Ie"
        );
        assert_eq!(
            s(&["--chunk-types", "any", "data,,init"]),
            " -m sctp --chunk-types any DATA,INIT"
        );
        assert_eq!(
            s(&[
                "--chunk-types",
                "any",
                "RE_CONFIG,I_FORWARD_TSN,ASCONF,ASCONF_ACK,FORWARD_TSN"
            ]),
            " -m sctp --chunk-types any ASCONF_ACK,RE_CONFIG,FORWARD_TSN,ASCONF,I_FORWARD_TSN"
        );
        assert_eq!(
            s(&[
                "--chunk-types",
                "any",
                "DATA:I,ABORT:T,SHUTDOWN_COMPLETE:t,I_DATA:E,DATA:U"
            ]),
            " -m sctp --chunk-types any DATA:IU,ABORT:T,SHUTDOWN_COMPLETE:t,I_DATA"
        );
        let e = |a: &[&str]| r(a).unwrap_err();
        let m = XtError::param;
        assert_eq!(
            e(&["--chunk-types", "none", "NONE"]),
            m("Match type has to be one of \"ALL\", \"ANY\" or \"ONLY\"")
        );
        assert_eq!(
            e(&["--chunk-types", "any"]),
            m("--chunk-types requires two args")
        );
        assert_eq!(
            e(&["--chunk-types", "any", "DATA:X"]),
            m("Invalid flags for chunk type 0")
        );
        assert_eq!(
            e(&["--chunk-types", "any", "FOO"]),
            m("Unknown sctp chunk `FOO'")
        );
        assert_eq!(
            e(&["--sport", "1", "--sport", "2"]),
            m("Only one `--source-port' allowed")
        );
        assert_eq!(e(&["--sport", "5:3"]), m("invalid portrange (min > max)"));
        assert_eq!(
            e(&["--chunk-types", "any", "DATA:I,ABORT:T,SHUTDOWN_COMPLETE:t,I_DATA:E,INIT:-"]),
            m("Number of chunk types with flags exceeds currently allowed limit. Increasing this \
               limit involves changing IPT_NUM_SCTP_FLAGS and recompiling both the kernel space \
               and user space modules")
        );
    }
}
