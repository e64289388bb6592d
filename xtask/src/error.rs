//! What can go wrong in a task, each saying what and where.

use std::path::{Path, PathBuf};
use std::process::ExitStatus;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading, writing or listing a file or folder.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// A program could not be started.
    #[error("cannot run {program}: {source}")]
    Spawn { program: String, source: std::io::Error },
    /// A program ran and failed; `output` is the end of what it printed, if kept.
    #[error("{what} failed ({status}){}", if output.is_empty() { String::new() } else { format!(":\n{output}") })]
    Failed {
        what: String,
        status: ExitStatus,
        output: String,
    },
    /// A test service did not start, or did not stop.
    #[error("{0}")]
    Service(String),
    /// A file or a program's output is not what the task expects.
    #[error("{what}: {message}")]
    Unexpected { what: String, message: String },
    #[error(transparent)]
    Codegen(#[from] codegen::Error),
}

impl Error {
    pub fn unexpected(what: impl std::fmt::Display, message: impl Into<String>) -> Error {
        Error::Unexpected {
            what: what.to_string(),
            message: message.into(),
        }
    }
}

/// Attaches the path to an I/O error.
pub trait AtPath<T> {
    fn at(self, path: &Path) -> Result<T>;
}

impl<T> AtPath<T> for std::io::Result<T> {
    fn at(self, path: &Path) -> Result<T> {
        self.map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}
