//! The errors rtables reports, shaped like iptables' `xtables_error()`:
//! a status that becomes the exit code and a message printed after the
//! program prefix.

use std::fmt;

/// iptables' exit statuses (`enum xtables_exittype`).
pub mod status {
    /// `OTHER_PROBLEM`
    pub const OTHER: i32 = 1;
    /// `PARAMETER_PROBLEM`: the message is followed by the "Try ..." line.
    pub const PARAMETER: i32 = 2;
    /// `VERSION_PROBLEM`
    pub const VERSION: i32 = 3;
    /// `RESOURCE_PROBLEM`
    pub const RESOURCE: i32 = 4;
}

/// An error with iptables' wording and exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XtError {
    /// Exit status (see [`status`]).
    pub status: i32,
    /// The message as iptables prints it after `iptables v1.8.9 (nf_tables): `
    /// (without the final newline; a message that iptables ends with `\n`
    /// keeps it, which prints the empty line iptables prints).
    pub msg: String,
    /// Printed as is, without the program prefix (e.g. `iptables: Chain
    /// already exists.` style messages built by the caller).
    pub bare: bool,
    /// Printed without any prefix (iptables' `Bad argument `X'`), still
    /// followed by the "Try ..." hint when it is a parameter problem.
    pub plain: bool,
}

impl XtError {
    /// A `PARAMETER_PROBLEM` (exit 2, followed by the "Try ..." hint).
    pub fn param(msg: impl Into<String>) -> Self {
        XtError {
            status: status::PARAMETER,
            msg: msg.into(),
            bare: false,
            plain: false,
        }
    }
    /// An `OTHER_PROBLEM` (exit 1).
    pub fn other(msg: impl Into<String>) -> Self {
        XtError {
            status: status::OTHER,
            msg: msg.into(),
            bare: false,
            plain: false,
        }
    }
    /// An error with a given status.
    pub fn with_status(status: i32, msg: impl Into<String>) -> Self {
        XtError {
            status,
            msg: msg.into(),
            bare: false,
            plain: false,
        }
    }
    /// A message printed without the version prefix, as `iptables: ...`.
    pub fn bare(status: i32, msg: impl Into<String>) -> Self {
        XtError {
            status,
            msg: msg.into(),
            bare: true,
            plain: false,
        }
    }

    /// A parameter problem printed without the program prefix
    /// (`Bad argument `X'`).
    pub fn plain(msg: impl Into<String>) -> Self {
        XtError {
            status: status::PARAMETER,
            msg: msg.into(),
            bare: false,
            plain: true,
        }
    }

    /// A message without any prefix, with a given status.
    pub fn plain_status(status: i32, msg: impl Into<String>) -> Self {
        XtError {
            status,
            msg: msg.into(),
            bare: false,
            plain: true,
        }
    }

    /// The full text iptables prints to stderr for this error.
    /// `prog` is the program name (`rtables`, `rtables-restore`, ...).
    pub fn render(&self, prog: &str) -> String {
        if self.bare {
            return format!("{prog}: {}\n", self.msg);
        }
        let mut s = if self.plain && self.msg.is_empty() {
            String::new()
        } else if self.plain {
            format!("{}\n", self.msg)
        } else {
            format!("{prog} {}: {}\n", VERSION_TAG, self.msg)
        };
        if self.status == status::VERSION {
            s.push_str(&format!(
                "Perhaps {prog} or your kernel needs to be upgraded.\n"
            ));
        }
        if self.status == status::PARAMETER {
            s.push_str(&format!(
                "Try `{prog} -h' or '{prog} --help' for more information.\n"
            ));
        }
        s
    }
}

/// The version tag printed where iptables prints `v1.8.9 (nf_tables)`:
/// rtables speaks iptables-nft 1.8.9's language, so its messages carry the
/// same tag (see the man page's COMPATIBILITY section).
pub const VERSION_TAG: &str = "v1.8.9 (nf_tables)";

impl fmt::Display for XtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for XtError {}

/// Shorthand for results carrying an [`XtError`].
pub type XtResult<T> = Result<T, XtError>;
