//! A request that breaks a limit the API documents: what and where. Free of HTTP, so
//! a crate of models alone has it too.

use std::fmt;

/// A limit the API documents, broken by a request before it was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidRequest {
    field: String,
    violation: Violation,
}

/// Which limit was broken, with the limit and the value's size.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation {
    /// `maxLength`.
    TooLong {
        /// The limit.
        max: u64,
        /// The value's length in characters.
        actual: u64,
    },
    /// `minLength`.
    TooShort {
        /// The limit.
        min: u64,
        /// The value's length in characters.
        actual: u64,
    },
    /// `minimum` (or `exclusiveMinimum`).
    TooSmall {
        /// The limit.
        minimum: String,
        /// Whether the limit itself is allowed.
        exclusive: bool,
        /// The value.
        actual: String,
    },
    /// `maximum` (or `exclusiveMaximum`).
    TooLarge {
        /// The limit.
        maximum: String,
        /// Whether the limit itself is allowed.
        exclusive: bool,
        /// The value.
        actual: String,
    },
    /// `minItems`.
    TooFewItems {
        /// The limit.
        min: u64,
        /// The number of items.
        actual: u64,
    },
    /// `maxItems`.
    TooManyItems {
        /// The limit.
        max: u64,
        /// The number of items.
        actual: u64,
    },
    /// The body could not be encoded as JSON.
    Encoding(String),
    /// A path parameter is `.` or `..`, a segment the URL resolves away (the request
    /// would reach another path).
    DotSegment,
}

impl InvalidRequest {
    pub(crate) fn new(field: &str, violation: Violation) -> Self {
        InvalidRequest {
            field: field.to_owned(),
            violation,
        }
    }

    #[allow(dead_code)] // only APIs with request bodies use it
    pub(crate) fn encoding(message: String) -> Self {
        InvalidRequest::new("", Violation::Encoding(message))
    }

    /// Puts the field below `parent` (`sku` within `lines[2]` is `lines[2].sku`).
    #[allow(dead_code)] // only APIs with nested request objects use it
    pub fn within(mut self, parent: &str) -> Self {
        self.field = match (parent.is_empty(), self.field.is_empty()) {
            (true, _) => self.field,
            (false, true) => parent.to_owned(),
            (false, false) if self.field.starts_with('[') => format!("{parent}{}", self.field),
            (false, false) => format!("{parent}.{}", self.field),
        };
        self
    }

    /// The field's name on the wire (`title`, or `lines[2].sku` when nested).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// Which limit was broken.
    pub fn violation(&self) -> &Violation {
        &self.violation
    }
}

impl fmt::Display for InvalidRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = &self.field;
        match &self.violation {
            Violation::TooLong { max, actual } => {
                write!(
                    f,
                    "`{field}` is {actual} characters long; the API allows at most {max} (maxLength)"
                )
            }
            Violation::TooShort { min, actual } => {
                write!(
                    f,
                    "`{field}` is {actual} characters long; the API requires at least {min} (minLength)"
                )
            }
            Violation::TooSmall {
                minimum,
                exclusive: false,
                actual,
            } => {
                write!(
                    f,
                    "`{field}` is {actual}; the API requires at least {minimum} (minimum)"
                )
            }
            Violation::TooSmall {
                minimum,
                exclusive: true,
                actual,
            } => {
                write!(
                    f,
                    "`{field}` is {actual}; the API requires more than {minimum} (exclusiveMinimum)"
                )
            }
            Violation::TooLarge {
                maximum,
                exclusive: false,
                actual,
            } => {
                write!(f, "`{field}` is {actual}; the API allows at most {maximum} (maximum)")
            }
            Violation::TooLarge {
                maximum,
                exclusive: true,
                actual,
            } => {
                write!(
                    f,
                    "`{field}` is {actual}; the API requires less than {maximum} (exclusiveMaximum)"
                )
            }
            Violation::TooFewItems { min, actual } => {
                write!(
                    f,
                    "`{field}` has {actual} items; the API requires at least {min} (minItems)"
                )
            }
            Violation::TooManyItems { max, actual } => {
                write!(
                    f,
                    "`{field}` has {actual} items; the API allows at most {max} (maxItems)"
                )
            }
            Violation::Encoding(message) => write!(f, "the body cannot be encoded as JSON: {message}"),
            Violation::DotSegment => write!(
                f,
                "`{field}` is a dot segment (`.` or `..`), which a URL resolves away: the request would reach another path"
            ),
        }
    }
}

impl std::error::Error for InvalidRequest {}
