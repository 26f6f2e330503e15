//! `rtables`: a drop-in `iptables` for iptables-nft 1.8.9's rules (see `man rtables`).
//! With `-6` (or when invoked as `r6tables`) it works on IPv6.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    std::process::exit(netlb::tables::app::main(
        netlb::tables::app::Program::Rtables,
        args,
    ));
}
