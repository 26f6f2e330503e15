//! Parses a restore file the way `rvsadm -R` does, without a kernel: a
//! profiling aid for the parser (`cargo run --release --example
//! parse_restore < rules`).

use std::io::Read;

fn main() {
    let mut text = String::new();
    let _ = std::io::stdin().read_to_string(&mut text);
    let mut n = 0usize;
    for line in text.lines() {
        let words = netlb::ipvsadm::restore_words(line);
        if words.is_empty() {
            continue;
        }
        if netlb::ipvsadm::cli::parse(&words, "rvsadm", true).is_ok() {
            n += 1;
        }
    }
    println!("{n} lines parsed");
}
