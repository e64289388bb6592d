//! The generator's one error type. Every variant says *where* (a file position,
//! a JSON pointer into the description, or an operationId) and *what*.

use std::path::PathBuf;

/// Everything that can stop generation. Nothing is written when one occurs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file is not well-formed YAML, JSON or TOML.
    #[error("{}:{line}:{column}: {message}", file.display())]
    Syntax {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// The file parses, but is not an OpenAPI 3.0 document (or not a valid config).
    /// Line 0 means the position is unknown (the error is in a corrected tree).
    #[error("{}: at {pointer}: {message}", position(file, *line, *column))]
    Structure {
        file: PathBuf,
        line: usize,
        column: usize,
        pointer: String,
        message: String,
    },

    /// An overlay action that cannot be applied (`action` counts from 1).
    #[error("{}: action {action} (`{target}`): {message}", file.display())]
    Overlay {
        file: PathBuf,
        action: usize,
        target: String,
        message: String,
    },

    /// A `$ref` that points at nothing.
    #[error("{pointer}: `$ref: {reference}` does not resolve to anything in the document")]
    DanglingRef { pointer: String, reference: String },

    /// A construct the generator cannot express.
    #[error("{pointer}: unsupported: {what}")]
    Unsupported { pointer: String, what: String },

    /// The description contradicts itself (a path placeholder without a parameter, ...).
    #[error("{pointer}: {message}")]
    Invalid { pointer: String, message: String },

    /// The config asks for something the description does not have, or is inconsistent.
    #[error("{}: {message}", file.display())]
    Config { file: PathBuf, message: String },

    /// Files the generator writes would replace files it did not write (no `@generated`
    /// header): nothing is overwritten, nor anything else written.
    #[error(
        "{}: the generator writes {}, but what is there is not its own (the first line is not its `@generated` header); move it away or delete it, then run again",
        dir.display(),
        paths.join(", ")
    )]
    NotOurs { dir: PathBuf, paths: Vec<String> },

    /// Emitted code did not parse as Rust: a generator bug, reported instead of writing it.
    #[error("internal error: generated `{file}` is not valid Rust ({message}); please report this")]
    Emit { file: String, message: String },

    /// The generator broke one of its own rules: a bug, reported instead of writing output.
    #[error("internal error: {message}; please report this")]
    Internal { message: String },

    /// Strict mode: the generator had to decide something on its own.
    #[error("{} warning(s), and warnings are errors here:\n{}", warnings.len(), list(warnings))]
    Strict { warnings: Vec<Warning> },
}

fn list(warnings: &[Warning]) -> String {
    warnings.iter().map(|w| format!("- {w}")).collect::<Vec<_>>().join("\n")
}

/// `file:line:column`, or just `file` when the position is unknown.
fn position(file: &std::path::Path, line: usize, column: usize) -> String {
    match line {
        0 => file.display().to_string(),
        _ => format!("{}:{line}:{column}", file.display()),
    }
}

/// Something the generator decided on its own; printed, never fatal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub pointer: String,
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

impl Error {
    /// Names JSON pointers with the file they are written in (`openapi.yaml#/paths/...`),
    /// by `name` (see [`crate::load::Document::name`]).
    pub(crate) fn in_file(self, name: impl Fn(&str) -> String) -> Error {
        let locate = |pointer: String| name(&pointer);
        match self {
            Error::DanglingRef { pointer, reference } => Error::DanglingRef {
                pointer: locate(pointer),
                reference,
            },
            Error::Unsupported { pointer, what } => Error::Unsupported {
                pointer: locate(pointer),
                what,
            },
            Error::Invalid { pointer, message } => Error::Invalid {
                pointer: locate(pointer),
                message,
            },
            other => other,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
