//! Parameters and form fields as text, spelled as OpenAPI's `style`, `explode` and
//! `allowReserved` say, for whatever JSON shape the value has at run time: a scalar, an
//! array, an object, a union of those, nested at any depth.
//!
//! The specification's "Style Examples" table is the reference (path styles follow RFC
//! 6570, as OpenAPI 3.0.4 corrected the table's `label` row). Where it defines nothing,
//! the conventions the vendors' own SDKs use: nested values in `deepObject` as
//! `a[b][0][c]=v`, and arrays or objects nested in any other style as JSON text.
#![allow(dead_code)] // which styles a crate uses depends on its API

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

/// OpenAPI's `style` of a parameter or form field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `blue,black,brown` (path and header default).
    Simple,
    /// `.blue.black.brown` (path).
    Label,
    /// `;color=blue,black,brown` (path).
    Matrix,
    /// `color=blue&color=black` (query and cookie default).
    Form,
    /// `color=blue%20black%20brown` (query).
    SpaceDelimited,
    /// `color=blue|black|brown` (query).
    PipeDelimited,
    /// `color[R]=100&color[G]=200` (query).
    DeepObject,
}

/// How one value is spelled: its style, whether arrays and objects explode, and whether
/// reserved characters go unescaped (`allowReserved`, queries and forms only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spelling {
    pub style: Style,
    pub explode: bool,
    pub allow_reserved: bool,
}

impl Spelling {
    pub const fn new(style: Style, explode: bool) -> Spelling {
        Spelling {
            style,
            explode,
            allow_reserved: false,
        }
    }

    pub const fn allow_reserved(mut self) -> Spelling {
        self.allow_reserved = true;
        self
    }
}

/// A scalar as text (strings bare, numbers and booleans as JSON spells them); arrays and
/// objects nested where a style has no place for them, as JSON text.
fn text(value: &Value) -> Cow<'_, str> {
    match value {
        Value::String(text) => Cow::Borrowed(text),
        Value::Null => Cow::Borrowed(""),
        Value::Bool(true) => Cow::Borrowed("true"),
        Value::Bool(false) => Cow::Borrowed("false"),
        other => Cow::Owned(other.to_string()),
    }
}

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Items of an array, or keys and values of an object, in the order given (nulls left out).
fn entries(value: &Value) -> Vec<(Option<&str>, &Value)> {
    match value {
        Value::Array(items) => items.iter().filter(|v| !v.is_null()).map(|v| (None, v)).collect(),
        Value::Object(properties) => properties
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (Some(k.as_str()), v))
            .collect(),
        _ => Vec::new(),
    }
}

/// `k1,v1,k2,v2` (an unexploded object) or `k1=v1,k2=v2` (exploded), each part through
/// `escape`, joined by `delimiter`.
fn joined(value: &Value, explode: bool, delimiter: &str, escape: &dyn Fn(&str) -> String) -> String {
    let mut parts = Vec::new();
    for (key, item) in entries(value) {
        match key {
            None => parts.push(escape(&text(item))),
            Some(key) if explode => parts.push(format!("{}={}", escape(key), escape(&text(item)))),
            Some(key) => parts.extend([escape(key), escape(&text(item))]),
        }
    }
    parts.join(delimiter)
}

/// What replaces `{name}` in a path: `simple`, `label` or `matrix`, escaped so that no
/// value can change the path's structure.
pub fn path_text<T: serde::Serialize>(name: &str, value: &T, style: Style, explode: bool) -> String {
    styled_path_text(name, to_value(value), style, explode)
}

fn styled_path_text(name: &str, value: Value, style: Style, explode: bool) -> String {
    let escape = |text: &str| super::path_segment(text.to_owned());
    let name = escape(name);
    let scalar = !matches!(value, Value::Array(_) | Value::Object(_));
    match style {
        Style::Label => {
            let delimiter = if explode { "." } else { "," };
            match scalar {
                true => format!(".{}", escape(&text(&value))),
                false => format!(".{}", joined(&value, explode, delimiter, &escape)),
            }
        }
        Style::Matrix => match (&value, explode) {
            (Value::String(s), _) if s.is_empty() => format!(";{name}"),
            (Value::Array(_), true) => entries(&value)
                .iter()
                .map(|(_, item)| format!(";{name}={}", escape(&text(item))))
                .collect(),
            (Value::Object(_), true) => format!(";{}", joined(&value, true, ";", &escape)),
            _ if scalar => format!(";{name}={}", escape(&text(&value))),
            _ => format!(";{name}={}", joined(&value, false, ",", &escape)),
        },
        _ if scalar => escape(&text(&value)),
        _ => joined(&value, explode, ",", &escape),
    }
}

/// A header parameter's value (`simple`, the only style headers have): not escaped,
/// HTTP refuses what a header cannot hold.
pub fn header_text<T: serde::Serialize>(value: &T, explode: bool) -> String {
    let value = to_value(value);
    match value {
        Value::Array(_) | Value::Object(_) => joined(&value, explode, ",", &|t| t.to_owned()),
        scalar => text(&scalar).into_owned(),
    }
}

/// A cookie parameter's `name=value` pairs (`form`, the only style cookies have); what a
/// cookie value may not hold is percent-encoded.
pub fn cookie_pairs<T: serde::Serialize>(cookies: &mut Vec<String>, name: &str, value: &T, explode: bool) {
    const NOT_COOKIE_OCTET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b',')
        .add(b';')
        .add(b'\\')
        .add(b'%');
    let escape = |text: &str| percent_encoding::utf8_percent_encode(text, NOT_COOKIE_OCTET).to_string();
    let value = to_value(value);
    match (&value, explode) {
        (Value::Array(_), true) => {
            for (_, item) in entries(&value) {
                cookies.push(format!("{}={}", escape(name), escape(&text(item))));
            }
        }
        (Value::Object(_), true) => {
            for (key, item) in entries(&value) {
                cookies.push(format!("{}={}", escape(key.unwrap_or_default()), escape(&text(item))));
            }
        }
        (Value::Array(_) | Value::Object(_), false) => {
            cookies.push(format!("{}={}", escape(name), joined(&value, false, ",", &escape)));
        }
        (scalar, _) => cookies.push(format!("{}={}", escape(name), escape(&text(scalar)))),
    }
}

/// How a query pair is escaped when the URL is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Escape {
    /// As `application/x-www-form-urlencoded` does (what browsers and `url` do).
    Form,
    /// `allowReserved`: RFC 3986's reserved characters and `%XX` triples as they are,
    /// but for those that would break the query (`#`, `&`, `+`, `[`, `]`).
    Reserved,
    /// Already escaped (a file's bytes in a URL-encoded form).
    Done,
}

/// A request's query pairs, or a URL-encoded form's. Names are the parameters' own,
/// except where a value is spread over several pairs (`filter[status]`).
#[derive(Clone, Default)]
#[doc(hidden)]
pub struct Query(Vec<(Cow<'static, str>, String, Escape)>);

impl fmt::Debug for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names only: a value may be a credential (`?token=`).
        f.debug_list().entries(self.0.iter().map(|(name, _, _)| name)).finish()
    }
}

impl Query {
    /// A pair whose value is already text.
    pub fn push(&mut self, (name, value): (&'static str, String)) {
        self.0.push((Cow::Borrowed(name), value, Escape::Form));
    }

    /// A pair of a caller's (`CallOptions::query`).
    pub(crate) fn push_owned(&mut self, name: String, value: String) {
        self.0.push((Cow::Owned(name), value, Escape::Form));
    }

    /// A value of any shape, spread over pairs as `spelling` says (`form`,
    /// `spaceDelimited`, `pipeDelimited`, `deepObject`).
    pub fn push_value<T: serde::Serialize>(&mut self, name: &'static str, value: &T, spelling: Spelling) {
        let escape = match spelling.allow_reserved {
            true => Escape::Reserved,
            false => Escape::Form,
        };
        let mut pairs = Vec::new();
        spread(&mut pairs, name, &to_value(value), spelling);
        self.0
            .extend(pairs.into_iter().map(|(name, value)| (name, value, escape)));
    }

    /// A form field holding a file's bytes (a URL-encoded form has no file parts).
    pub fn push_bytes(&mut self, name: &'static str, bytes: &[u8]) {
        let escaped = percent_encoding::percent_encode(bytes, FORM)
            .to_string()
            .replace("%20", "+");
        self.0.push((Cow::Borrowed(name), escaped, Escape::Done));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The pairs, unescaped (for multipart parts).
    pub(crate) fn into_pairs(self) -> impl Iterator<Item = (Cow<'static, str>, String)> {
        self.0.into_iter().map(|(name, value, _)| (name, value))
    }

    /// Appends the pairs as `a=1&b=2`, each escaped as it should be.
    pub(crate) fn encode_into(&self, out: &mut String) {
        for (name, value, escape) in &self.0 {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(&form_escape(name));
            out.push('=');
            match escape {
                Escape::Form => out.push_str(&form_escape(value)),
                Escape::Reserved => out.push_str(&reserved_escape(value)),
                Escape::Done => out.push_str(value),
            }
        }
    }
}

/// `value`'s pairs under `name`, by style; nulls leave no pair.
fn spread(pairs: &mut Vec<(Cow<'static, str>, String)>, name: &'static str, value: &Value, spelling: Spelling) {
    let delimiter = match spelling.style {
        Style::SpaceDelimited => " ",
        Style::PipeDelimited => "|",
        _ => ",",
    };
    match (value, spelling.style, spelling.explode) {
        (Value::Null, _, _) => {}
        (Value::Object(_) | Value::Array(_), Style::DeepObject, _) => deep(pairs, name.to_owned(), value),
        (Value::Array(_), _, true) => {
            for (_, item) in entries(value) {
                pairs.push((Cow::Borrowed(name), text(item).into_owned()));
            }
        }
        (Value::Object(_), _, true) => {
            for (key, item) in entries(value) {
                let key = key.unwrap_or_default();
                // An array inside an exploded object: one pair per item, as above.
                let items = match item {
                    Value::Array(_) => entries(item),
                    _ => vec![(None, item)],
                };
                for (_, item) in items {
                    pairs.push((Cow::Owned(key.to_owned()), text(item).into_owned()));
                }
            }
        }
        (Value::Object(_) | Value::Array(_), _, false) => {
            pairs.push((Cow::Borrowed(name), joined(value, false, delimiter, &|t| t.to_owned())))
        }
        (scalar, _, _) => pairs.push((Cow::Borrowed(name), text(scalar).into_owned())),
    }
}

/// `prefix[key]...=value` for every scalar inside, arrays by index (`a[b][0][c]=v`).
fn deep(pairs: &mut Vec<(Cow<'static, str>, String)>, prefix: String, value: &Value) {
    match value {
        Value::Null => {}
        Value::Object(properties) => {
            for (key, inner) in properties {
                deep(pairs, format!("{prefix}[{key}]"), inner);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                deep(pairs, format!("{prefix}[{i}]"), inner);
            }
        }
        scalar => pairs.push((Cow::Owned(prefix), text(scalar).into_owned())),
    }
}

/// What `application/x-www-form-urlencoded` leaves as it is: letters, digits, `*-._`
/// (a space becomes `+`).
const FORM: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'*');

pub(crate) fn form_escape(text: &str) -> Cow<'_, str> {
    match Cow::from(percent_encoding::utf8_percent_encode(text, FORM)) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        // A space is `%20` here, and nothing else is (a `%` is `%25`).
        Cow::Owned(escaped) => Cow::Owned(escaped.replace("%20", "+")),
    }
}

/// `allowReserved`: RFC 3986's reserved characters other than those that would break a
/// query (`#&+[]`), and `%XX` triples, go as they are (OpenAPI 3.1.1, `allowReserved`).
fn reserved_escape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let triple = b == b'%'
            && bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        if triple {
            out.push_str(&text[i..i + 3]);
            i += 3;
            continue;
        }
        if b.is_ascii_alphanumeric() || b"-._~:/?@!$'()*,;=".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(value: Value, spelling: Spelling) -> String {
        let mut q = Query::default();
        q.push_value("color", &value, spelling);
        let mut out = String::new();
        q.encode_into(&mut out);
        out
    }

    #[test]
    fn deep_objects_nest_by_brackets_and_index_arrays() {
        let value = json!({"address": {"city": "Berlin"}, "expand": ["sources", "tax"], "gone": null});
        let mut pairs = Vec::new();
        spread(&mut pairs, "p", &value, Spelling::new(Style::DeepObject, true));
        let pairs: Vec<(String, String)> = pairs.into_iter().map(|(k, v)| (k.into_owned(), v)).collect();
        assert_eq!(
            pairs,
            [
                ("p[address][city]".to_owned(), "Berlin".to_owned()),
                ("p[expand][0]".to_owned(), "sources".to_owned()),
                ("p[expand][1]".to_owned(), "tax".to_owned()),
            ]
        );
    }

    #[test]
    fn a_scalar_in_deep_object_style_is_one_plain_pair() {
        assert_eq!(
            query(json!(1700000000), Spelling::new(Style::DeepObject, true)),
            "color=1700000000"
        );
    }

    #[test]
    fn form_escaping_matches_url_encoded_forms() {
        assert_eq!(form_escape("a b&c=é*"), "a+b%26c%3D%C3%A9*");
        assert_eq!(form_escape("plain-text_1.0"), "plain-text_1.0");
        assert_eq!(form_escape(" x "), "+x+");
        assert_eq!(form_escape("100%20"), "100%2520");
    }

    #[test]
    fn allow_reserved_keeps_reserved_characters_but_not_those_breaking_the_query() {
        let spelling = Spelling::new(Style::Form, true).allow_reserved();
        assert_eq!(query(json!("a/b:c?d,e;f=g%20h"), spelling), "color=a/b:c?d,e;f=g%20h");
        assert_eq!(
            query(json!("x&y+z#w[0] %zz"), spelling),
            "color=x%26y%2Bz%23w%5B0%5D%20%25zz"
        );
    }

    #[test]
    fn debug_shows_names_not_values() {
        let mut q = Query::default();
        q.push(("token", "s3cr3t".to_owned()));
        assert_eq!(format!("{q:?}"), r#"["token"]"#);
    }
}
