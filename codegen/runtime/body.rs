//! Request bodies that are not JSON: raw text or bytes, URL-encoded forms, and
//! `multipart/form-data` with files. Encoded up front, so a retry sends the same body
//! again; only files and streams (see `upload.rs`) are read as they are sent.
#![allow(dead_code)] // which encodings a crate uses depends on its API

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;

use super::error::Error;
use super::invalid::InvalidRequest;
use super::upload::{self, Piece, Upload};

/// An encoded body and its `Content-Type`: its pieces in order, bytes in memory (each
/// try sends the same buffers) or uploads read as they are sent.
pub struct RequestBody {
    pieces: Vec<Piece>,
    pub content_type: Cow<'static, str>,
}

/// A file to upload in a form.
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    file_name: String,
    content_type: String,
    content: Upload,
}

impl FilePart {
    /// A file named `file_name` holding `bytes`, sent as `application/octet-stream`.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> FilePart {
        FilePart::upload(file_name, Upload::bytes(bytes.into()))
    }

    /// The file at `path`, under its own name, read as the request is sent (never
    /// loaded whole); sent as `application/octet-stream` unless
    /// [`content_type`](Self::content_type) says otherwise.
    pub fn open(path: impl Into<std::path::PathBuf>) -> Result<FilePart, Error> {
        let content = Upload::file(path)?;
        Ok(FilePart::upload(content.file_name().unwrap_or_default(), content))
    }

    /// A file named `file_name` whose content is `upload` (a file, a stream, bytes).
    pub fn upload(file_name: impl Into<String>, upload: Upload) -> FilePart {
        FilePart {
            file_name: file_name.into(),
            content_type: "application/octet-stream".to_owned(),
            content: upload,
        }
    }

    /// The file's content, when it is in memory (empty for a file or stream, which is
    /// read as the request is sent).
    pub fn bytes(&self) -> &[u8] {
        self.content.in_memory().map_or(&[], |bytes| &bytes[..])
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
            .field("content", &self.content)
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
    /// The content, `None` when it is read as it is sent.
    fn bytes(&self) -> Option<&[u8]> {
        match self {
            Part::Text(_, value) => Some(value.as_bytes()),
            Part::File(_, file) => file.content.in_memory().map(|bytes| &bytes[..]),
            Part::Data { bytes, .. } => Some(bytes),
        }
    }
}

/// A file's content for a URL-encoded form, which has no file parts: only bytes in
/// memory can be sent there.
#[allow(dead_code)] // only APIs with files in URL-encoded forms use it
pub fn in_memory_bytes<'a>(field: &str, file: &'a FilePart) -> Result<&'a [u8], Error> {
    match file.content.in_memory() {
        Some(bytes) => Ok(bytes),
        None => Err(Error::InvalidRequest(InvalidRequest::encoding(format!(
            "`{field}` is a file read as it is sent, which a URL-encoded form cannot carry: use `FilePart::new` with its bytes"
        )))),
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
    /// Bytes already encoded.
    pub fn in_memory(bytes: Bytes, content_type: &'static str) -> RequestBody {
        RequestBody {
            pieces: vec![Piece::Bytes(bytes)],
            content_type: Cow::Borrowed(content_type),
        }
    }

    /// A body that is not JSON: bytes, a file or a stream.
    pub fn raw(content: impl Into<Upload>, content_type: &'static str) -> RequestBody {
        let content = content.into();
        let piece = match content.in_memory() {
            Some(bytes) => Piece::Bytes(bytes.clone()),
            None => Piece::Upload(content),
        };
        RequestBody {
            pieces: vec![piece],
            content_type: Cow::Borrowed(content_type),
        }
    }

    /// `application/x-www-form-urlencoded`: the fields' pairs, escaped as their
    /// `encoding` says.
    pub fn url_encoded(form: super::Query) -> RequestBody {
        let mut out = String::new();
        form.encode_into(&mut out);
        RequestBody::in_memory(out.into_bytes().into(), "application/x-www-form-urlencoded")
    }

    /// `multipart/form-data` (RFC 7578), with a boundary that does not occur in the
    /// parts; files and streams stay pieces of their own, read as they are sent.
    pub fn multipart(parts: Vec<Part>) -> RequestBody {
        let boundary = boundary_for(&parts);
        let mut pieces = Pieces::default();
        for part in &parts {
            pieces.text(&format!("--{boundary}\r\n"));
            match part {
                Part::Text(name, value) => {
                    pieces.text(&format!(
                        "Content-Disposition: form-data; name=\"{}\"\r\n\r\n",
                        quote(name)
                    ));
                    pieces.text(value);
                }
                Part::File(name, file) => {
                    let (name, file_name) = (quote(name), quote(&file.file_name));
                    let content_type = quote(&file.content_type);
                    pieces.text(&format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                    ));
                    pieces.upload(&file.content);
                }
                Part::Data {
                    name,
                    content_type,
                    bytes,
                } => {
                    let (name, content_type) = (quote(name), quote(content_type));
                    pieces.text(&format!(
                        "Content-Disposition: form-data; name=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                    ));
                    pieces.buffer.extend_from_slice(bytes);
                }
            }
            pieces.text("\r\n");
        }
        pieces.text(&format!("--{boundary}--\r\n"));
        RequestBody {
            pieces: pieces.finish(),
            content_type: Cow::Owned(format!("multipart/form-data; boundary={boundary}")),
        }
    }

    /// The body of one try (files opened now: a missing one fails before sending).
    pub(crate) fn http_body(&self) -> Result<reqwest::Body, Error> {
        match self.pieces.as_slice() {
            [Piece::Bytes(bytes)] => Ok(reqwest::Body::from(bytes.clone())),
            pieces => upload::http_body(pieces),
        }
    }

    /// Its `Content-Type`.
    #[cfg(feature = "mock")]
    pub(crate) fn content_type(&self) -> &str {
        &self.content_type
    }

    /// Whether another try can send it again (no stream in it).
    pub(crate) fn is_repeatable(&self) -> bool {
        upload::repeatable(&self.pieces)
    }

    /// The whole body, when it is all in memory.
    #[cfg(any(test, feature = "mock"))]
    pub(crate) fn in_memory_bytes(&self) -> Option<Vec<u8>> {
        let mut all = Vec::new();
        for piece in &self.pieces {
            match piece {
                Piece::Bytes(bytes) => all.extend_from_slice(bytes),
                Piece::Upload(_) => return None,
            }
        }
        Some(all)
    }
}

/// A body being put together: text and bytes gather in one buffer, each upload read
/// as it is sent becomes a piece of its own.
#[derive(Default)]
struct Pieces {
    done: Vec<Piece>,
    buffer: Vec<u8>,
}

impl Pieces {
    fn text(&mut self, text: &str) {
        self.buffer.extend_from_slice(text.as_bytes());
    }

    fn upload(&mut self, upload: &Upload) {
        match upload.in_memory() {
            Some(bytes) => self.buffer.extend_from_slice(bytes),
            None => {
                let buffered = std::mem::take(&mut self.buffer);
                self.done.push(Piece::Bytes(buffered.into()));
                self.done.push(Piece::Upload(upload.clone()));
            }
        }
    }

    fn finish(mut self) -> Vec<Piece> {
        self.done.push(Piece::Bytes(self.buffer.into()));
        self.done
    }
}

/// Quotes and line breaks cannot appear inside a header's quoted string.
fn quote(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace(['\r', '\n'], " ")
}

/// A boundary that appears in none of the parts: deterministic, so requests are
/// reproducible, when every part is in memory; random (128 bits) when a part is read
/// as it is sent and cannot be searched first.
fn boundary_for(parts: &[Part]) -> String {
    if parts.iter().any(|part| part.bytes().is_none()) {
        let random = (super::support::random_u64(), super::support::random_u64());
        return format!("form-boundary-{:016x}{:016x}", random.0, random.1);
    }
    let contains = |boundary: &str| {
        parts.iter().any(|p| {
            let bytes = p.bytes().unwrap_or_default();
            bytes.windows(boundary.len()).any(|w| w == boundary.as_bytes())
        })
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
        let text = String::from_utf8(body.in_memory_bytes().unwrap()).unwrap();
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
        assert_eq!(
            String::from_utf8(body.in_memory_bytes().unwrap()).unwrap(),
            "a+b=1%262%3D3+%C3%A9"
        );
    }

    #[test]
    fn debug_shows_file_size_not_content() {
        let shown = format!("{:?}", FilePart::new("secret.txt", b"s3cr3t".to_vec()));
        assert!(!shown.contains("s3cr3t") && shown.contains("len: 6"), "{shown}");
    }
}
