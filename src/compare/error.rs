//! rcompare's errors: what went wrong and where (a file and line, a JSON
//! path, or the live kernel). Each one is "trouble" (exit status 2).

use std::fmt;

/// Everything that stops rcompare from producing an answer.
#[derive(Debug)]
pub enum Error {
    /// A bad command line; the text is the complete message.
    Usage(String),
    /// A file could not be read.
    Io {
        /// The file name as given.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A line of a text input (a save file) is wrong or incomplete.
    Line {
        /// The input's name (a file name, or `-` for standard input).
        origin: String,
        /// The 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// A JSON input is malformed or does not follow its schema.
    Json {
        /// The input's name.
        origin: String,
        /// Where in the document (`services[3].destinations[0]`), or the
        /// parser's line and column.
        at: String,
        /// What is wrong.
        message: String,
    },
    /// The kernel could not be read.
    Live {
        /// Which side (`IPVS`, `nf_tables`).
        what: &'static str,
        /// The error as reported.
        message: String,
    },
    /// The output could not be written.
    Output(std::io::Error),
}

impl Error {
    /// A line error.
    pub fn line(origin: &str, line: usize, message: impl Into<String>) -> Self {
        Error::Line {
            origin: origin.to_string(),
            line,
            message: message.into(),
        }
    }
    /// A JSON error.
    pub fn json(origin: &str, at: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Json {
            origin: origin.to_string(),
            at: at.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) => f.write_str(m),
            Error::Io { path, source } => write!(f, "{path}: {source}"),
            Error::Line {
                origin,
                line,
                message,
            } => write!(f, "{origin}: line {line}: {message}"),
            Error::Json {
                origin,
                at,
                message,
            } => write!(f, "{origin}: {at}: {message}"),
            Error::Live { what, message } => write!(f, "cannot read {what}: {message}"),
            Error::Output(e) => write!(f, "cannot write output: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Output(e) => Some(e),
            _ => None,
        }
    }
}

/// Results of this module.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_place() {
        assert_eq!(
            Error::line("rules.txt", 12, "COMMIT expected").to_string(),
            "rules.txt: line 12: COMMIT expected"
        );
        assert_eq!(
            Error::json("ipvs.json", "services[2]", "no address").to_string(),
            "ipvs.json: services[2]: no address"
        );
    }
}
