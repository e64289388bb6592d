//! The hand-written part a crate of models alone needs (`[crate] types_only = true`):
//! `Nullable`, the limits a request is checked against, the helpers the types call, and
//! the decoding of webhooks' bodies.
//! Copied verbatim from the runtime crate's sources (`codegen/runtime/`), like the
//! client's runtime.

mod invalid;
pub mod nullable;
mod support;
// Which checks a crate uses depends on the limits its API documents.
#[allow(dead_code)]
pub mod validate;
// Only APIs describing webhooks use it.
#[allow(dead_code)]
mod webhook;

pub use invalid::{InvalidRequest, Violation};
pub use nullable::Nullable;
#[allow(unused_imports)] // each API uses the helpers its types need
pub use support::{Redacted, str_enum};
#[allow(unused_imports)] // only APIs describing webhooks use them
pub use webhook::{WebhookError, parse_webhook};
