//! New-connection benchmark helper for the dataplane benchmark
//! (`tests/vm/dataplane.sh`), std and libc only.
//!
//! ```text
//! connbench serve PORT                   accept forever: send one byte, close
//! connbench connect ADDR:PORT COUNT SECS COUNT sequential connections (or as
//!                                        many as fit in SECS seconds)
//! ```
//!
//! One connection: `connect()`, read the server's byte, close with
//! `SO_LINGER {on, 0}` (an RST: no TIME_WAIT on the client, and conntrack/IPVS
//! entries go to CLOSE). Its latency runs from just before `connect()` to the
//! byte's arrival: the SYN, SYN-ACK, ACK and first data through the dataplane
//! (a new connection, so the NAT rules or the IPVS lookup are on the path).
//!
//! `connect` prints one line:
//! `conns=N failed=F failed_connect=FC failed_read=FR secs=S rate=R p50_us=A
//! p90_us=B p99_us=C max_us=D`. A connection that fails (refused or timed out
//! after 2 s in `connect()`, or no byte within 2 s) counts in `failed` (and in
//! one of its two parts) and not in the latencies; the exit status is 1 when
//! nothing succeeded.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn usage() -> ExitCode {
    eprintln!("usage: connbench serve PORT | connbench connect ADDR:PORT COUNT SECS");
    ExitCode::from(2)
}

fn set_linger_zero(s: &TcpStream) {
    let l = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket descriptor and a correctly sized `linger`.
    unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&l as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

fn serve(port: u16) -> ExitCode {
    let l = match TcpListener::bind(("0.0.0.0", port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("connbench: bind :{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    for mut s in l.incoming().flatten() {
        let _ = s.write_all(b"x");
    }
    ExitCode::SUCCESS
}

/// Why a connection failed: in `connect()` or waiting for the byte.
enum Failure {
    Connect,
    Read,
}

fn one(addr: &SocketAddr) -> Result<Duration, Failure> {
    let t0 = Instant::now();
    let mut s =
        TcpStream::connect_timeout(addr, Duration::from_secs(2)).map_err(|_| Failure::Connect)?;
    s.set_read_timeout(Some(Duration::from_secs(2)))
        .map_err(|_| Failure::Read)?;
    let mut b = [0u8; 1];
    let got = s.read(&mut b).map_err(|_| Failure::Read)?;
    let dt = t0.elapsed();
    set_linger_zero(&s);
    if got == 1 {
        Ok(dt)
    } else {
        Err(Failure::Read)
    }
}

fn pct(sorted: &[Duration], p: f64) -> u128 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_micros()
}

fn connect(addr: SocketAddr, count: usize, secs: f64) -> ExitCode {
    let limit = Duration::from_secs_f64(secs);
    let mut lat = Vec::with_capacity(count);
    let (mut failed_connect, mut failed_read) = (0usize, 0usize);
    let start = Instant::now();
    while lat.len() + failed_connect + failed_read < count && start.elapsed() < limit {
        match one(&addr) {
            Ok(d) => lat.push(d),
            Err(Failure::Connect) => failed_connect += 1,
            Err(Failure::Read) => failed_read += 1,
        }
    }
    let total = start.elapsed().as_secs_f64();
    lat.sort();
    println!(
        "conns={} failed={} failed_connect={failed_connect} failed_read={failed_read} secs={:.3} rate={:.1} p50_us={} p90_us={} p99_us={} max_us={}",
        lat.len(),
        failed_connect + failed_read,
        total,
        lat.len() as f64 / total.max(1e-9),
        pct(&lat, 0.5),
        pct(&lat, 0.9),
        pct(&lat, 0.99),
        lat.last().map_or(0, |d| d.as_micros())
    );
    if lat.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["serve", port] => match port.parse() {
            Ok(p) => serve(p),
            Err(_) => usage(),
        },
        ["connect", addr, count, secs] => match (addr.parse(), count.parse(), secs.parse()) {
            (Ok(a), Ok(c), Ok(s)) => connect(a, c, s),
            _ => usage(),
        },
        _ => usage(),
    }
}
