//! rvsadm: a drop-in ipvsadm. All the work is in `netlb::ipvsadm`.

fn main() {
    let mut argv = std::env::args();
    let prog = argv.next().unwrap_or_else(|| "rvsadm".into());
    let args: Vec<String> = argv.collect();
    let stdin = std::io::stdin();
    let mut stdin = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    let code = netlb::ipvsadm::run(
        &prog,
        &args,
        &mut stdin,
        &mut netlb::ipvsadm::Io {
            out: &mut out,
            err: &mut err,
        },
    );
    drop(out);
    std::process::exit(code);
}
