//! Which of a body's media types is read as JSON.

use openapiv3::{MediaType, ReferenceOr, SchemaKind, Type};

use super::unsupported;
use crate::error::Result;
use crate::pointer::Pointer;

/// Picks the JSON media type: `application/json`, else any `+json` type, else `*/*`
/// (or `application/*`) with a schema that is not bytes.
pub(super) fn pick_json<'c>(
    content: &'c indexmap::IndexMap<String, MediaType>,
    at: &Pointer,
    what: &str,
) -> Result<(&'c str, &'c MediaType)> {
    let essence = |m: &str| m.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    // `*/*` with a schema (springdoc's default) means JSON, unless the schema is bytes.
    // A string schema (bytes, or "the raw file data") is the body itself, not JSON.
    let any_with_schema = |(m, t): &(&String, &MediaType)| {
        matches!(essence(m).as_str(), "*/*" | "application/*")
            && t.schema.as_ref().is_some_and(
                |s| !matches!(s, ReferenceOr::Item(s) if matches!(s.schema_kind, SchemaKind::Type(Type::String(_)))),
            )
    };
    content
        .iter()
        .find(|(m, _)| essence(m) == "application/json")
        .or_else(|| content.iter().find(|(m, _)| essence(m).ends_with("+json")))
        .or_else(|| content.iter().find(any_with_schema))
        .map(|(m, t)| (m.as_str(), t))
        .ok_or_else(|| {
            let offered: Vec<&str> = content.keys().map(String::as_str).collect();
            unsupported(
                &at.join("content"),
                &format!("a {what} without a JSON media type (offered: {})", offered.join(", ")),
            )
        })
}
