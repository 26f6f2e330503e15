//! `rtables-restore`: a drop-in `iptables-restore` for iptables-nft 1.8.9's rules (see `man rtables-restore`).
//! With `-6` (or when invoked as `r6tables-restore`) it works on IPv6.

use netlb::tables::app;
use netlb::tables::expr::Family;

fn main() {
    let mut args: Vec<String> = std::env::args().collect();
    let argv0 = args.remove(0);
    let base = std::path::Path::new(&argv0)
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("rtables-restore")
        .to_string();
    let mut family = if base.starts_with("r6tables") {
        Family::V6
    } else {
        Family::V4
    };
    if let Some(i) = args.iter().position(|a| a == "-6" || a == "--ipv6") {
        family = Family::V6;
        args.remove(i);
    }
    let prog = if family == Family::V6 {
        base.replacen("rtables", "r6tables", 1)
    } else {
        base
    };
    std::process::exit(app::restore_main(&args, family, &prog));
}
