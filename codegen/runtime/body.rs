//! Request bodies that are not JSON: raw text or bytes, URL-encoded forms, and
//! `multipart/form-data` with files. Encoded to bytes up front, so a retry can
//! send the same body again.
#![allow(dead_code)] // which encodings a crate uses depends on its API

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;

/// An encoded body and its `Content-Type`. `Bytes`: each try sends the same buffer.
pub struct RequestBody {
    pub bytes: Bytes,
    pub content_type: Cow<'static, str>,
}

/// A file to upload in a form.
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    file_name: String,
    content_type: String,
    bytes: Vec<u8>,
}

impl FilePart {
    /// A file named `file_name` holding `bytes`, sent as `application/octet-stream`.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> FilePart {
        FilePart {
            file_name: file_name.into(),
            content_type: "application/octet-stream".to_owned(),
            bytes: bytes.into(),
        }
    }

    /// The file's content.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Sets the part's `Content-Type` (e.g. `application/json`, `image/png`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> FilePart {
        self.content_type = content_type.into();
        self
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The content may be large or private: show its size only.
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// One part of a multipart form.
#[derive(Clone)]
pub enum Part {
    Text(Cow<'static, str>, String),
    File(Cow<'static, str>, FilePart),
    /// A value with a media type of its own (`application/json` for objects).
    Data {
        name: Cow<'static, str>,
        content_type: Cow<'static, str>,
        bytes: Vec<u8>,
    },
}

impl Part {
    fn bytes(&self) -> &[u8] {
        match self {
            Part::Text(_, value) => value.as_bytes(),
            Part::File(_, file) => &file.bytes,
            Part::Data { bytes, .. } => bytes,
        }
    }
}

/// A form field of any shape as multipart parts: an array gives a part per item, an
/// object is JSON, a scalar is text; `content_type` (the description's `encoding`) gives
/// each part that media type instead.
pub fn push_parts<T: serde::Serialize>(
    parts: &mut Vec<Part>,
    name: &'static str,
    value: &T,
    content_type: Option<&'static str>,
) {
    let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    push_value_parts(parts, name, &value, content_type);
}

fn push_value_parts(
    parts: &mut Vec<Part>,
    name: &'static str,
    value: &serde_json::Value,
    content_type: Option<&'static str>,
) {
    use serde_json::Value;
    let is_json = |media: &str| {
        media
            .split(';')
            .next()
            .is_some_and(|m| m.trim() == "application/json" || m.trim().ends_with("+json"))
    };
    match (value, content_type) {
        (Value::Null, _) => {}
        (Value::Array(items), _) => items
            .iter()
            .for_each(|item| push_value_parts(parts, name, item, content_type)),
        (Value::String(text), Some(media)) if !is_json(media) => parts.push(Part::Data {
            name: Cow::Borrowed(name),
            content_type: Cow::Borrowed(media),
            bytes: text.clone().into_bytes(),
        }),
        (Value::Object(_), _) | (_, Some(_)) => parts.push(Part::Data {
            name: Cow::Borrowed(name),
            content_type: Cow::Borrowed(content_type.unwrap_or("application/json")),
            bytes: value.to_string().into_bytes(),
        }),
        (scalar, None) => parts.push(Part::Text(Cow::Borrowed(name), super::param_text(scalar))),
    }
}

/// A form field with an explicit `style` in the description's `encoding`: the pairs of
/// that style (`file_link_data[create]=true`), each a text part.
pub fn push_styled_parts<T: serde::Serialize>(
    parts: &mut Vec<Part>,
    name: &'static str,
    value: &T,
    spelling: super::Spelling,
) {
    let mut pairs = super::Query::default();
    pairs.push_value(name, value, spelling);
    parts.extend(pairs.into_pairs().map(|(name, value)| Part::Text(name, value)));
}

/// A multipart form built by the caller, for a body the description gives no fields
/// for: text fields, files and JSON values, sent in the order added.
#[derive(Clone, Default)]
pub struct Form {
    parts: Vec<Part>,
}

impl Form {
    pub fn new() -> Form {
        Form::default()
    }

    /// A text field.
    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Form {
        self.parts.push(Part::Text(Cow::Owned(name.into()), value.into()));
        self
    }

    /// A file part.
    pub fn file(mut self, name: impl Into<String>, file: FilePart) -> Form {
        self.parts.push(Part::File(Cow::Owned(name.into()), file));
        self
    }

    /// A value as an `application/json` part.
    pub fn json<T: serde::Serialize>(mut self, name: impl Into<String>, value: &T) -> Form {
        self.parts.push(Part::Data {
            name: Cow::Owned(name.into()),
            content_type: Cow::Borrowed("application/json"),
            bytes: serde_json::to_vec(value).unwrap_or_default(),
        });
        self
    }

    #[doc(hidden)]
    pub fn into_parts(self) -> Vec<Part> {
        self.parts
    }
}

impl fmt::Debug for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names and sizes: values may be large or private.
        let parts: Vec<String> = self
            .parts
            .iter()
            .map(|part| match part {
                Part::Text(name, value) => format!("{name}: text, {} bytes", value.len()),
                Part::File(name, file) => format!("{name}: {file:?}"),
                Part::Data {
                    name,
                    content_type,
                    bytes,
                } => format!("{name}: {content_type}, {} bytes", bytes.len()),
            })
            .collect();
        f.debug_struct("Form").field("parts", &parts).finish()
    }
}

impl RequestBody {
    pub fn raw(bytes: Vec<u8>, content_type: &'static str) -> RequestBody {
        RequestBody {
            bytes: bytes.into(),
            content_type: Cow::Borrowed(content_type),
        }
    }

    /// `application/x-www-form-urlencoded`: the fields' pairs, escaped as their
    /// `encoding` says.
    pub fn url_encoded(form: super::Query) -> RequestBody {
        let mut out = String::new();
        form.encode_into(&mut out);
        RequestBody {
            bytes: out.into_bytes().into(),
            content_type: Cow::Borrowed("application/x-www-form-urlencoded"),
        }
    }

    /// `multipart/form-data` (RFC 7578), with a boundary that does not occur in the parts.
    pub fn multipart(parts: Vec<Part>) -> RequestBody {
        let boundary = boundary_for(&parts);
        let mut out = Vec::new();
        for part in &parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match part {
                Part::Text(name, value) => {
                    let name = quote(name);
                    out.extend_from_slice(
                        format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                    );
                    out.extend_from_slice(value.as_bytes());
                }
                Part::File(name, file) => {
                    let (name, file_name) = (quote(name), quote(&file.file_name));
                    out.extend_from_slice(
                        format!(
                            "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {}\r\n\r\n",
                            quote(&file.content_type)
                        )
                        .as_bytes(),
                    );
                    out.extend_from_slice(&file.bytes);
                }
                Part::Data {
                    name,
                    content_type,
                    bytes,
                } => {
                    let (name, content_type) = (quote(name), quote(content_type));
                    out.extend_from_slice(
                        format!(
                            "Content-Disposition: form-data; name=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                        )
                        .as_bytes(),
                    );
                    out.extend_from_slice(bytes);
                }
            }
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        RequestBody {
            bytes: out.into(),
            content_type: Cow::Owned(format!("multipart/form-data; boundary={boundary}")),
        }
    }
}

/// Quotes and line breaks cannot appear inside a header's quoted string.
fn quote(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace(['\r', '\n'], " ")
}

/// A boundary that appears in none of the parts (deterministic, so requests are reproducible).
fn boundary_for(parts: &[Part]) -> String {
    let contains = |boundary: &str| {
        parts
            .iter()
            .any(|p| p.bytes().windows(boundary.len()).any(|w| w == boundary.as_bytes()))
    };
    (0u32..)
        .map(|n| format!("form-boundary-{n:08x}"))
        .find(|b| !contains(b))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_frames_each_part() {
        let body = RequestBody::multipart(vec![
            Part::Text("title".into(), "a \"b\"".to_owned()),
            Part::File(
                "file".into(),
                FilePart::new("t.json", b"[1]".to_vec()).content_type("application/json"),
            ),
        ]);
        assert_eq!(
            body.content_type,
            "multipart/form-data; boundary=form-boundary-00000000"
        );
        let text = String::from_utf8(body.bytes.to_vec()).unwrap();
        assert_eq!(
            text,
            "--form-boundary-00000000\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\na \"b\"\r\n\
             --form-boundary-00000000\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.json\"\r\n\
             Content-Type: application/json\r\n\r\n[1]\r\n--form-boundary-00000000--\r\n"
        );
    }

    #[test]
    fn the_boundary_avoids_the_content() {
        let body = RequestBody::multipart(vec![Part::Text("x".into(), "form-boundary-00000000".to_owned())]);
        assert!(body.content_type.ends_with("form-boundary-00000001"));
    }

    #[test]
    fn url_encoding_escapes_names_and_values() {
        let mut form = super::super::Query::default();
        form.push(("a b", "1&2=3 é".to_owned()));
        let body = RequestBody::url_encoded(form);
        assert_eq!(String::from_utf8(body.bytes.to_vec()).unwrap(), "a+b=1%262%3D3+%C3%A9");
    }

    #[test]
    fn debug_shows_file_size_not_content() {
        let shown = format!("{:?}", FilePart::new("secret.txt", b"s3cr3t".to_vec()));
        assert!(!shown.contains("s3cr3t") && shown.contains("len: 6"), "{shown}");
    }
}
