//! Stage 1: read an OpenAPI 3.0 description (YAML or JSON) into `openapiv3` types.
//!
//! Errors carry the file, line and column, and — for documents that parse but do not
//! match the OpenAPI shape — the JSON pointer of the offending value.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::pointer::Pointer;

/// A parsed description and where it came from.
#[derive(Debug)]
pub struct Document {
    pub file: PathBuf,
    pub openapi: openapiv3::OpenAPI,
}

/// Reads and parses `file`; JSON when the name ends in `.json` or the text starts with `{`.
pub fn load(file: &Path) -> Result<Document> {
    let text = std::fs::read_to_string(file).map_err(|source| Error::Io {
        path: file.to_owned(),
        source,
    })?;
    parse(file, &text)
}

/// Parses `text` as if read from `file` (the name is used for the format and in errors).
pub fn parse(file: &Path, text: &str) -> Result<Document> {
    let is_json = match file.extension().and_then(|e| e.to_str()) {
        Some("json") => true,
        Some("yaml" | "yml") => false,
        _ => text.trim_start().starts_with('{'),
    };
    let openapi = if is_json {
        parse_json(file, text)?
    } else {
        parse_yaml(file, text)?
    };
    check_version(file, &openapi)?;
    Ok(Document {
        file: file.to_owned(),
        openapi,
    })
}

fn parse_json(file: &Path, text: &str) -> Result<openapiv3::OpenAPI> {
    let mut de = serde_json::Deserializer::from_str(text);
    let doc = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let pointer = path_to_pointer(err.path());
        let inner = err.inner();
        let message = strip_position(&inner.to_string());
        if inner.is_syntax() || inner.is_eof() {
            Error::Syntax {
                file: file.to_owned(),
                line: inner.line(),
                column: inner.column(),
                message,
            }
        } else {
            Error::Structure {
                file: file.to_owned(),
                line: inner.line(),
                column: inner.column(),
                pointer: pointer.to_string(),
                message,
            }
        }
    })?;
    de.end().map_err(|err| Error::Syntax {
        file: file.to_owned(),
        line: err.line(),
        column: err.column(),
        message: strip_position(&err.to_string()),
    })?;
    Ok(doc)
}

fn parse_yaml(file: &Path, text: &str) -> Result<openapiv3::OpenAPI> {
    // Well-formedness first, so a scanner error is reported as one, not as a wrong shape.
    if let Err(err) = serde_yaml::from_str::<serde_yaml::Value>(text) {
        let (line, column) = err.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
        return Err(Error::Syntax {
            file: file.to_owned(),
            line,
            column,
            message: strip_position(&err.to_string()),
        });
    }
    let de = serde_yaml::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let pointer = path_to_pointer(err.path());
        let inner = err.inner();
        let (line, column) = inner.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
        let message = strip_position(&inner.to_string());
        if pointer == Pointer::root() {
            Error::Syntax {
                file: file.to_owned(),
                line,
                column,
                message,
            }
        } else {
            Error::Structure {
                file: file.to_owned(),
                line,
                column,
                pointer: pointer.to_string(),
                message,
            }
        }
    })
}

/// openapiv3 models 3.0 only; 2.0 documents fail above on the missing `openapi` field.
fn check_version(file: &Path, doc: &openapiv3::OpenAPI) -> Result<()> {
    if doc.openapi.starts_with("3.") {
        return Ok(());
    }
    Err(Error::Structure {
        file: file.to_owned(),
        line: 0,
        column: 0,
        pointer: "#/openapi".to_owned(),
        message: format!("expected an OpenAPI 3.x document, found version `{}`", doc.openapi),
    })
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> Pointer {
    use serde_path_to_error::Segment;
    path.iter().fold(Pointer::root(), |p, seg| match seg {
        Segment::Seq { index } => p.join(index),
        Segment::Map { key } => p.join(key),
        Segment::Enum { variant } => p.join(variant),
        Segment::Unknown => p.join("?"),
    })
}

/// serde's messages end in " at line L column C"; we print the position ourselves.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_syntax_error_has_line_and_column() {
        let err = parse(Path::new("x.json"), "{\n  \"openapi\": \"3.0.3\",\n  oops\n}").unwrap_err();
        assert!(matches!(err, Error::Syntax { line: 3, column: 3, .. }), "{err:?}");
        assert_eq!(err.to_string(), "x.json:3:3: key must be a string");
    }

    #[test]
    fn yaml_syntax_error_has_line_and_column() {
        let err = parse(Path::new("x.yaml"), "openapi: 3.0.3\ninfo: [\n").unwrap_err();
        let Error::Syntax { line, .. } = err else {
            panic!("expected a syntax error, got {err:?}")
        };
        assert_eq!(line, 3);
    }

    #[test]
    fn wrong_shape_names_the_pointer_and_position() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 7\n";
        let err = parse(Path::new("x.yaml"), text).unwrap_err();
        let Error::Structure {
            pointer, line, message, ..
        } = &err
        else {
            panic!("expected a structure error, got {err:?}")
        };
        // openapiv3 flattens `paths` (for its `x-` extensions), which buffers the map and
        // hides deeper path segments from serde; the position still points at the item.
        assert_eq!(pointer, "#/paths");
        assert_eq!(*line, 4);
        assert!(
            message.contains("invalid type: integer `7`, expected struct Responses"),
            "{message}"
        );
    }

    #[test]
    fn swagger_2_is_refused() {
        let err = parse(
            Path::new("x.json"),
            r#"{"swagger":"2.0","info":{"title":"t","version":"1"},"paths":{}}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("missing field `openapi`"), "{err}");
    }
}
