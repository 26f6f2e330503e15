//! rvsadm: ipvsadm 1.31's command line on the typed IPVS client.
//!
//! [`run`] is the whole program; the binary only passes argv and stdio.

pub mod cli;
pub mod docs;
pub mod json;
pub mod render;

use std::io::{BufRead, Write};

use cli::{CliError, Format, Invocation, ListWhat};
use render::Namer;

use crate::ipvs::conn;
use crate::ipvs::model::*;
use crate::ipvs::{Client, Request};
use crate::netlink::Error;

/// rvsadm's version line (`-v`, first line of `-h`).
pub fn version_line() -> String {
    format!(
        "rvsadm v{} (ipvsadm v1.31 compatible, IPVS v1.2.1)",
        env!("CARGO_PKG_VERSION")
    )
}

/// ipvsadm's message for an errno, as `ipvs_strerror` words it for the
/// request that failed (`req` is `None` for listings).
pub fn kernel_message(req: Option<&Request>, errno: i32) -> String {
    use libc::*;
    let specific = match (req, errno) {
        (Some(Request::NewService(_)), EEXIST) => Some("Service already exists"),
        (Some(Request::NewService(_) | Request::SetService(_)), ENOENT) => {
            Some("Scheduler or persistence engine not found")
        }
        (
            Some(Request::SetService(_) | Request::DelService(_) | Request::Zero(_)) | None,
            ESRCH,
        ) => Some("No such service"),
        (Some(Request::NewDest(..) | Request::SetDest(..) | Request::DelDest(..)), ESRCH) => {
            Some("Service not defined")
        }
        (Some(Request::NewDest(..)), EEXIST) => Some("Destination already exists"),
        (Some(Request::SetDest(..) | Request::DelDest(..)), ENOENT) => Some("No such destination"),
        (Some(Request::NewDaemon(_)), EEXIST) => Some("Daemon has already run"),
        (Some(Request::DelDaemon(_)), ESRCH) => Some("No daemon is running"),
        (_, EPERM) => Some("Permission denied (you must be root)"),
        (_, EINVAL) => {
            Some("Invalid operation.  Possibly wrong module version, address not unicast, ...")
        }
        (_, ENOPROTOOPT) => Some("Protocol not available"),
        (_, ENOMEM) => Some("Memory allocation problem"),
        (_, EOPNOTSUPP) => Some("Operation not supported with IPv6"),
        (_, EAFNOSUPPORT) => Some("Operation not supported with specified address family"),
        (_, EMSGSIZE) => Some("Module is wrong version"),
        _ => None,
    };
    match specific {
        Some(s) => s.to_string(),
        None => errno_text(errno),
    }
}

/// The C library's text for an errno, without Rust's "(os error N)".
pub fn errno_text(errno: i32) -> String {
    let s = std::io::Error::from_raw_os_error(errno).to_string();
    match s.rfind(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Where the program's output goes.
pub struct Io<'a> {
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard error.
    pub err: &'a mut dyn Write,
}

fn init_error(io: &mut Io<'_>, e: &Error) -> i32 {
    let _ = writeln!(
        io.err,
        "Can't initialize ipvs: {}\nAre you sure that IP Virtual Server is built in the kernel or as module?",
        kernel_message(None, e.errno())
    );
    2
}

fn connect(io: &mut Io<'_>) -> Result<Client, i32> {
    match Client::connect() {
        Ok(c) => Ok(c),
        Err(Error::FamilyNotFound(_)) => {
            // As ipvsadm: try loading the module once, then give up.
            let _ = std::process::Command::new("/sbin/modprobe")
                .args(["--", "ip_vs"])
                .status();
            Client::connect().map_err(|e| init_error(io, &e))
        }
        Err(e) => Err(init_error(io, &e)),
    }
}

/// Runs rvsadm with `args` (without the program name). Returns the exit status.
pub fn run(prog: &str, args: &[String], stdin: &mut dyn BufRead, io: &mut Io<'_>) -> i32 {
    let inv = match cli::parse(args, prog, false) {
        Ok(i) => i,
        Err(e) => return report(io, &e),
    };
    match inv {
        Invocation::Help => {
            let _ = io.out.write_all(docs::help_text(prog).as_bytes());
            return 0;
        }
        Invocation::Version => {
            let _ = writeln!(io.out, "{}", version_line());
            return 0;
        }
        _ => {}
    }
    let mut client = match connect(io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match inv {
        Invocation::Restore => restore(&mut client, prog, stdin, io),
        other => execute(&mut client, &other, io),
    }
}

fn report(io: &mut Io<'_>, e: &CliError) -> i32 {
    let _ = writeln!(io.err, "{}", e.message);
    e.exit
}

fn execute(client: &mut Client, inv: &Invocation, io: &mut Io<'_>) -> i32 {
    match inv {
        Invocation::Help | Invocation::Version | Invocation::Restore => 0,
        Invocation::Change(req) => match client.execute(req) {
            Ok(()) => 0,
            Err(e) => {
                let _ = writeln!(io.err, "{}", kernel_message(Some(req), e.errno()));
                255
            }
        },
        Invocation::Save(f) => match client.entries() {
            Ok(mut entries) => {
                if !f.nosort {
                    render::sort_entries(&mut entries);
                }
                let _ = io
                    .out
                    .write_all(render::save(&entries, &Namer::new(f.numeric)).as_bytes());
                0
            }
            Err(e) => list_failure(io, &e),
        },
        Invocation::List(what, key, f) => list(client, *what, key.as_ref(), f, io),
    }
}

fn list_failure(io: &mut Io<'_>, e: &Error) -> i32 {
    let _ = writeln!(io.err, "{}", kernel_message(None, e.errno()));
    1
}

fn list(
    client: &mut Client,
    what: ListWhat,
    key: Option<&ServiceKey>,
    f: &Format,
    io: &mut Io<'_>,
) -> i32 {
    let namer = Namer::new(f.numeric);
    let text = match what {
        ListWhat::Timeouts => match client.timeouts() {
            Ok(t) if f.json => json::timeouts(&t),
            Ok(t) => render::timeouts(&t),
            Err(_) => return 1,
        },
        ListWhat::Daemons => match client.daemons() {
            Ok(d) if f.json => json::daemons(&d),
            Ok(d) => render::daemons(&d),
            Err(_) => return 1,
        },
        ListWhat::Connections => {
            let Ok(text) = std::fs::read_to_string(conn::PROC_PATH) else {
                let _ = writeln!(io.err, "cannot open file {}", conn::PROC_PATH);
                return 1;
            };
            match conn::parse(&text) {
                Ok(c) if f.json => json::connections(&c),
                Ok(c) => render::connections(&c, f.persistent_conn, &namer),
                Err(_) => {
                    let _ = writeln!(io.err, "unexpected input from {}", conn::PROC_PATH);
                    return 1;
                }
            }
        }
        ListWhat::Service => {
            let Some(key) = key else { return 1 };
            let service = match client.service(key) {
                Ok(s) => s,
                Err(e) => return list_failure(io, &e),
            };
            let dests = match client.dests(&service.key) {
                Ok(d) => d,
                Err(e) => return list_failure(io, &e),
            };
            let mut entries = vec![ServiceEntry { service, dests }];
            if !f.nosort {
                render::sort_entries(&mut entries);
            }
            if f.json {
                json::services(&entries, None)
            } else {
                render::list(&entries, f, &namer)
            }
        }
        ListWhat::All => {
            let info = match client.info() {
                Ok(i) => i,
                Err(e) => return list_failure(io, &e),
            };
            let mut entries = match client.entries() {
                Ok(e) => e,
                Err(e) => return list_failure(io, &e),
            };
            if !f.nosort {
                render::sort_entries(&mut entries);
            }
            if f.json {
                json::services(&entries, Some(&info))
            } else {
                let mut s = render::header(&info);
                s.push_str(&render::list(&entries, f, &namer));
                s
            }
        }
    };
    let _ = io.out.write_all(text.as_bytes());
    0
}

/// Splits a restore line into arguments: blanks separate, a word starting
/// with `#` starts a comment, and a leading program name is dropped.
pub fn restore_words(line: &str) -> Vec<&str> {
    line.split([' ', '\t', '\r'])
        .filter(|w| !w.is_empty())
        .take_while(|w| !w.starts_with('#'))
        .filter(|w| *w != "ipvsadm" && *w != "rvsadm")
        .collect()
}

/// `-R`: checks every line first (one bad line: nothing is applied, exit 2),
/// then sends the changes in batches; kernel errors are reported with their
/// line numbers and make the exit status 255.
fn restore(client: &mut Client, prog: &str, stdin: &mut dyn BufRead, io: &mut Io<'_>) -> i32 {
    let mut text = String::new();
    if let Err(e) = stdin.read_to_string(&mut text) {
        let _ = writeln!(io.err, "{prog}: cannot read standard input: {e}");
        return 2;
    }
    let mut plan: Vec<(usize, Invocation)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let words = restore_words(line);
        if words.is_empty() {
            continue;
        }
        match cli::parse(&words, prog, true) {
            Ok(inv) => plan.push((i + 1, inv)),
            Err(e) => {
                let _ = writeln!(io.err, "line {}: {}", i + 1, e.message);
                return 2;
            }
        }
    }
    let mut failed = false;
    let mut batch = Batch::default();
    for (line, inv) in plan {
        match inv {
            Invocation::Change(req) => {
                batch.lines.push(line);
                batch.reqs.push(req);
            }
            other => {
                match batch.send(client, io) {
                    Ok(f) => failed |= f,
                    Err(e) => {
                        let _ = writeln!(io.err, "{}", kernel_message(None, e.errno()));
                        return 255;
                    }
                }
                match other {
                    Invocation::Help => {
                        let _ = io.out.write_all(docs::help_text(prog).as_bytes());
                    }
                    Invocation::Version => {
                        let _ = writeln!(io.out, "{}", version_line());
                    }
                    inv => failed |= execute(client, &inv, io) != 0,
                }
            }
        }
    }
    match batch.send(client, io) {
        Ok(f) => failed |= f,
        Err(e) => {
            let _ = writeln!(io.err, "{}", kernel_message(None, e.errno()));
            return 255;
        }
    }
    if failed {
        255
    } else {
        0
    }
}

/// The changes of a restore not yet sent, with their line numbers.
#[derive(Default)]
struct Batch {
    lines: Vec<usize>,
    reqs: Vec<Request>,
}

impl Batch {
    /// Sends the pending changes; reports each refusal with its line
    /// number. Returns whether any failed.
    fn send(&mut self, client: &mut Client, io: &mut Io<'_>) -> Result<bool, Error> {
        if self.reqs.is_empty() {
            return Ok(false);
        }
        let results = client.execute_batch(&self.reqs)?;
        let mut failed = false;
        for ((line, req), res) in self.lines.iter().zip(&self.reqs).zip(results) {
            if let Err(e) = res {
                failed = true;
                let _ = writeln!(
                    io.err,
                    "line {line}: {}",
                    kernel_message(Some(req), e.errno())
                );
            }
        }
        self.lines.clear();
        self.reqs.clear();
        Ok(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_words_drop_comments_and_program_name() {
        assert_eq!(
            restore_words("ipvsadm -A -t 10.0.0.1:80\t-s rr # web\r"),
            ["-A", "-t", "10.0.0.1:80", "-s", "rr"]
        );
        assert!(restore_words("   # only a comment").is_empty());
        assert!(restore_words("").is_empty());
    }

    #[test]
    fn messages_per_command() {
        let key = ServiceKey::Fwmark {
            mark: 1,
            family: Family::Inet,
        };
        let add = Request::NewService(Service::new(key));
        assert_eq!(
            kernel_message(Some(&add), libc::EEXIST),
            "Service already exists"
        );
        assert_eq!(kernel_message(Some(&add), libc::ESRCH), "No such process");
        let dd = Request::DelDest(key, Dest::new("10.0.0.1".parse().unwrap(), 0));
        assert_eq!(
            kernel_message(Some(&dd), libc::ESRCH),
            "Service not defined"
        );
        assert_eq!(
            kernel_message(Some(&dd), libc::ERANGE),
            "Numerical result out of range"
        );
    }
}
