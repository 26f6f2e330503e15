//! rcompare: IPVS and iptables load balancing side by side. All the work
//! is in `netlb::compare`; see `man rcompare`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use netlb::compare::cli::{self, Env, Parsed};

fn run() -> anyhow::Result<u8> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match cli::parse(&args)? {
        Parsed::Print(text) => {
            print!("{text}");
            return Ok(0);
        }
        Parsed::Run(cfg) => cfg,
    };
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let code = cli::run(
        &cfg,
        &mut Env {
            stdin: &mut std::io::stdin().lock(),
            out: &mut out,
            err: &mut std::io::stderr().lock(),
            terminal,
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        },
    )?;
    out.flush()?;
    Ok(u8::try_from(code).unwrap_or(2))
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            match e.downcast_ref::<netlb::compare::Error>() {
                Some(netlb::compare::Error::Usage(m)) => eprintln!("{m}"),
                _ => eprintln!("rcompare: {e:#}"),
            }
            ExitCode::from(2)
        }
    }
}
