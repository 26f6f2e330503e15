//! `rtables-save`: a drop-in `iptables-save` for iptables-nft 1.8.9's rules (see `man rtables-save`).
//! With `-6` (or when invoked as `r6tables-save`) it works on IPv6.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    std::process::exit(netlb::tables::app::main(
        netlb::tables::app::Program::Save,
        args,
    ));
}
