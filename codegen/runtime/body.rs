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

/// One form field.
pub enum Part {
    Text(&'static str, String),
    File(&'static str, FilePart),
}

impl RequestBody {
    pub fn raw(bytes: Vec<u8>, content_type: &'static str) -> RequestBody {
        RequestBody {
            bytes: bytes.into(),
            content_type: Cow::Borrowed(content_type),
        }
    }

    /// `application/x-www-form-urlencoded` (forms without files).
    pub fn url_encoded(parts: Vec<Part>) -> RequestBody {
        let mut out = String::new();
        for part in parts {
            if let Part::Text(name, value) = part {
                if !out.is_empty() {
                    out.push('&');
                }
                out.push_str(&form_escape(name));
                out.push('=');
                out.push_str(&form_escape(&value));
            }
        }
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
                            file.content_type
                        )
                        .as_bytes(),
                    );
                    out.extend_from_slice(&file.bytes);
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

fn form_escape(text: &str) -> String {
    const FORM: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'*')
        .remove(b' ');
    percent_encoding::utf8_percent_encode(text, FORM)
        .to_string()
        .replace(' ', "+")
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
        parts.iter().any(|p| {
            let bytes = match p {
                Part::Text(_, value) => value.as_bytes(),
                Part::File(_, file) => &file.bytes,
            };
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
            Part::Text("title", "a \"b\"".to_owned()),
            Part::File(
                "file",
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
        let body = RequestBody::multipart(vec![Part::Text("x", "form-boundary-00000000".to_owned())]);
        assert!(body.content_type.ends_with("form-boundary-00000001"));
    }

    #[test]
    fn url_encoding_escapes_names_and_values() {
        let body = RequestBody::url_encoded(vec![Part::Text("a b", "1&2=3 é".to_owned())]);
        assert_eq!(String::from_utf8(body.bytes.to_vec()).unwrap(), "a+b=1%262%3D3+%C3%A9");
    }

    #[test]
    fn debug_shows_file_size_not_content() {
        let shown = format!("{:?}", FilePart::new("secret.txt", b"s3cr3t".to_vec()));
        assert!(!shown.contains("s3cr3t") && shown.contains("len: 6"), "{shown}");
    }
}
