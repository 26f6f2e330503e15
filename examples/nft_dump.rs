//! Prints every table, chain and rule of the current network namespace as
//! rtables decodes them: one line per expression, compat blobs and userdata
//! in hex. A debugging aid for the kernel layer:
//!
//! ```text
//! unshare -n sh -c 'iptables -A INPUT -s 10.0.0.0/8 -j ACCEPT; $CARGO_TARGET_DIR/debug/examples/nft_dump ip'
//! ```
//!
//! Usage: `nft_dump [ip|ip6]...` (default: both).

use std::process::ExitCode;

use netlb::tables::expr::{Expr, Family, ImmData};
use netlb::tables::socket::NfSocket;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn verdict_name(code: i32) -> String {
    match code {
        0 => "drop".into(),
        1 => "accept".into(),
        3 => "queue".into(),
        -1 => "continue".into(),
        -2 => "break".into(),
        -3 => "jump".into(),
        -4 => "goto".into(),
        -5 => "return".into(),
        c => format!("verdict {c}"),
    }
}

fn show(e: &Expr) -> String {
    match e {
        Expr::Payload {
            base,
            offset,
            len,
            dreg,
        } => format!("payload load {len}b @ base {base} + {offset} => reg {dreg}"),
        Expr::Meta { key, dreg, sreg } => match (dreg, sreg) {
            (Some(d), _) => format!("meta load key {key} => reg {d}"),
            (None, Some(s)) => format!("meta set key {key} with reg {s}"),
            _ => format!("meta key {key}"),
        },
        Expr::Cmp { sreg, op, data } => format!("cmp op {op} reg {sreg} {}", hex(data)),
        Expr::Bitwise {
            sreg,
            dreg,
            len,
            mask,
            xor,
        } => format!(
            "bitwise reg {dreg} = (reg {sreg} & {}) ^ {} len {len}",
            hex(mask),
            hex(xor)
        ),
        Expr::Range { sreg, op, from, to } => {
            format!("range op {op} reg {sreg} {} {}", hex(from), hex(to))
        }
        Expr::Immediate { dreg, data } => match data {
            ImmData::Verdict { code, chain } => format!(
                "immediate reg {dreg} {}{}",
                verdict_name(*code),
                chain.as_ref().map(|c| format!(" -> {c}")).unwrap_or_default()
            ),
            ImmData::Value(v) => format!("immediate reg {dreg} {}", hex(v)),
        },
        Expr::Counter { packets, bytes } => format!("counter pkts {packets} bytes {bytes}"),
        Expr::Match { name, rev, info } => {
            format!("match {name} rev {rev} info[{}] {}", info.len(), hex(info))
        }
        Expr::Target { name, rev, info } => {
            format!("target {name} rev {rev} info[{}] {}", info.len(), hex(info))
        }
        Expr::Limit {
            rate,
            unit,
            burst,
            kind,
            flags,
        } => format!("limit rate {rate}/{unit}s burst {burst} type {kind} flags {flags}"),
        Expr::Log {
            prefix,
            group,
            snaplen,
            qthreshold,
            level,
            flags,
        } => format!(
            "log prefix {prefix:?} group {group:?} snaplen {snaplen:?} qthreshold {qthreshold:?} level {level:?} flags {flags:?}"
        ),
        Expr::Lookup {
            sreg,
            set,
            dreg,
            flags,
        } => format!("lookup reg {sreg} set {set} dreg {dreg:?} flags {flags}"),
        Expr::Other { name, text } => format!("OTHER {name}: {text}"),
    }
}

fn dump(sock: &mut NfSocket, family: Family) -> Result<(), Box<dyn std::error::Error>> {
    for t in sock.tables(family)? {
        println!(
            "table {} {} (handle {}, flags {:#x})",
            family.nft_name(),
            t.name,
            t.handle,
            t.flags
        );
        for c in sock.chains(family, Some(&t.name))? {
            let mut line = format!(
                "  chain {} (handle {}, use {})",
                c.name, c.handle, c.use_count
            );
            if let Some((hook, prio)) = c.hook {
                line += &format!(" hook {hook} prio {prio}");
            }
            if let Some(t) = &c.chain_type {
                line += &format!(" type {t}");
            }
            if let Some(p) = c.policy {
                line += &format!(" policy {p}");
            }
            if let Some((p, b)) = c.counters {
                line += &format!(" counters [{p}:{b}]");
            }
            println!("{line}");
            for r in sock.rules(family, &t.name, Some(&c.name))? {
                println!("    rule handle {}", r.handle);
                for e in &r.exprs {
                    println!("      [ {} ]", show(e));
                }
                if let Some(u) = &r.userdata {
                    println!("      userdata {}", hex(u));
                }
            }
        }
    }
    println!("genid {}", sock.genid()?);
    Ok(())
}

fn main() -> ExitCode {
    let mut fams = Vec::new();
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "ip" | "4" => fams.push(Family::V4),
            "ip6" | "6" => fams.push(Family::V6),
            _ => {
                eprintln!("usage: nft_dump [ip|ip6]...");
                return ExitCode::from(2);
            }
        }
    }
    if fams.is_empty() {
        fams = vec![Family::V4, Family::V6];
    }
    let mut sock = match NfSocket::open() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("nft_dump: {e}");
            return ExitCode::FAILURE;
        }
    };
    for f in fams {
        if let Err(e) = dump(&mut sock, f) {
            eprintln!("nft_dump: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
