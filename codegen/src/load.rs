//! Stage 1: read an OpenAPI 3.0 description (YAML or JSON) into `openapiv3` types.
//!
//! Errors carry the file, line and column, and — for documents that parse but do not
//! match the OpenAPI shape — the JSON pointer of the offending value.

use std::path::{Path, PathBuf};

use serde::Deserialize as _;

use crate::error::{Error, Result, Warning};
use crate::overlay::Overlay;
use crate::pointer::Pointer;

/// A parsed description and where it came from.
#[derive(Debug)]
pub struct Document {
    pub file: PathBuf,
    pub openapi: openapiv3::OpenAPI,
    /// What the loader had to rewrite to read the document (see [`normalize`]).
    pub warnings: Vec<Warning>,
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
    let is_json = is_json(file, text);
    let typed = if is_json {
        parse_json(file, text)
    } else {
        parse_yaml(file, text)
    };
    let (openapi, warnings) = match typed {
        Ok(openapi) => (openapi, Vec::new()),
        // A shape error may come from OpenAPI 3.1 habits in a 3.0 document: retry on a
        // normalized tree, and report the first error if that does not help either.
        Err(first @ Error::Structure { .. }) => match json_tree(text, is_json).and_then(normalized) {
            Some(recovered) => recovered,
            None => return Err(first),
        },
        Err(other) => return Err(other),
    };
    finish(file, openapi, warnings)
}

/// Parses `text` as if read from `file`, then applies `overlays` in order. The
/// corrections apply to the document's tree, so errors after them name a JSON pointer
/// rather than a line.
pub fn parse_corrected(file: &Path, text: &str, overlays: &[Overlay]) -> Result<Document> {
    if overlays.is_empty() {
        return parse(file, text);
    }
    let Some(mut tree) = json_tree(text, is_json(file, text)) else {
        // Not well-formed: the plain parse says where.
        return Err(parse(file, text).err().unwrap_or_else(|| Error::Structure {
            file: file.to_owned(),
            line: 0,
            column: 0,
            pointer: "#".to_owned(),
            message: "cannot be read as a JSON tree".to_owned(),
        }));
    };
    for overlay in overlays {
        overlay.apply(&mut tree)?;
    }
    let (openapi, warnings) = match openapiv3::OpenAPI::deserialize(&tree) {
        Ok(openapi) => (openapi, Vec::new()),
        Err(_) => match normalized(tree.clone()) {
            Some(recovered) => recovered,
            None => return Err(tree_structure_error(file, &tree)),
        },
    };
    finish(file, openapi, warnings)
}

fn is_json(file: &Path, text: &str) -> bool {
    match file.extension().and_then(|e| e.to_str()) {
        Some("json") => true,
        Some("yaml" | "yml") => false,
        _ => text.trim_start().starts_with('{'),
    }
}

/// Checks the version and places the loader's warnings in `file`.
fn finish(file: &Path, openapi: openapiv3::OpenAPI, warnings: Vec<Warning>) -> Result<Document> {
    check_version(file, &openapi)?;
    let warnings = warnings
        .into_iter()
        .map(|w| Warning {
            pointer: format!("{}{}", file.display(), w.pointer),
            ..w
        })
        .collect();
    Ok(Document {
        file: file.to_owned(),
        openapi,
        warnings,
    })
}

/// Where and why a (corrected) tree is not an OpenAPI document.
fn tree_structure_error(file: &Path, tree: &serde_json::Value) -> Error {
    let result: std::result::Result<openapiv3::OpenAPI, _> = serde_path_to_error::deserialize(tree);
    let (pointer, message) = match result {
        Ok(_) => (Pointer::root(), "not an OpenAPI document".to_owned()),
        Err(err) => (path_to_pointer(err.path()), err.into_inner().to_string()),
    };
    Error::Structure {
        file: file.to_owned(),
        line: 0,
        column: 0,
        pointer: pointer.to_string(),
        message: format!("{message} (after applying the overlays)"),
    }
}

/// The document as a JSON tree (YAML integers beyond 64 bits become floats).
pub fn json_tree(text: &str, is_json: bool) -> Option<serde_json::Value> {
    if is_json {
        serde_json::from_str(text).ok()
    } else {
        serde_yaml::from_str::<Lenient>(text).ok().map(|l| l.0)
    }
}

fn normalized(mut value: serde_json::Value) -> Option<(openapiv3::OpenAPI, Vec<Warning>)> {
    let mut warnings = Vec::new();
    normalize(&mut value, &Pointer::root(), &mut warnings);
    if warnings.is_empty() {
        return None;
    }
    let openapi = serde_json::from_value(value).ok()?;
    Some((openapi, warnings))
}

/// Rewrites what OpenAPI 3.1 (and sloppy 3.0) documents say in ways openapiv3 cannot
/// read, into their 3.0 equivalents, with a warning per rewrite:
/// `type: [T, "null"]` → `type: T, nullable: true`; numeric `exclusiveMinimum` /
/// `exclusiveMaximum` → a bound plus the 3.0 flag; `const: v` → `enum: [v]`; integer
/// bounds and enum values outside i64 are dropped.
pub fn normalize(value: &mut serde_json::Value, at: &Pointer, warnings: &mut Vec<Warning>) {
    use serde_json::Value;
    let warn = |warnings: &mut Vec<Warning>, at: &Pointer, message: String| {
        warnings.push(Warning {
            pointer: at.to_string(),
            message,
        })
    };
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get("type").cloned() {
                let named: Vec<&str> = types
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|t| *t != "null")
                    .collect();
                if types.iter().any(|t| t == "null") {
                    map.insert("nullable".to_owned(), Value::Bool(true));
                }
                match named.as_slice() {
                    [one] => {
                        map.insert("type".to_owned(), Value::String((*one).to_owned()));
                    }
                    _ => {
                        map.remove("type");
                    }
                }
                warn(
                    warnings,
                    at,
                    format!(
                        "`type: {}` (OpenAPI 3.1) read as its 3.0 equivalent",
                        Value::Array(types)
                    ),
                );
            }
            for (keyword, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
                if let Some(number @ Value::Number(_)) = map.get(keyword).cloned() {
                    map.insert(bound.to_owned(), number);
                    map.insert(keyword.to_owned(), Value::Bool(true));
                    warn(
                        warnings,
                        &at.join(keyword),
                        format!("numeric `{keyword}` (OpenAPI 3.1) read as `{bound}` + `{keyword}: true`"),
                    );
                }
            }
            if let Some(constant) = map.remove("const") {
                warn(
                    warnings,
                    &at.join("const"),
                    "`const` (OpenAPI 3.1) read as a one-value `enum`".to_owned(),
                );
                map.insert("enum".to_owned(), Value::Array(vec![constant]));
            }
            if map.get("type").and_then(Value::as_str) == Some("integer") {
                let fits = |v: &Value| v.as_i64().is_some() || !v.is_number();
                for keyword in ["minimum", "maximum", "multipleOf"] {
                    if map.get(keyword).is_some_and(|v| !fits(v)) {
                        map.remove(keyword);
                        warn(
                            warnings,
                            &at.join(keyword),
                            format!("`{keyword}` is outside the 64-bit integer range; ignored"),
                        );
                    }
                }
                if let Some(Value::Array(values)) = map.get_mut("enum")
                    && values.iter().any(|v| !fits(v))
                {
                    values.retain(|v| fits(v));
                    warn(
                        warnings,
                        &at.join("enum"),
                        "enum values outside the 64-bit integer range were dropped".to_owned(),
                    );
                }
            }
            for (key, child) in map.iter_mut() {
                normalize(child, &at.join(key), warnings);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                normalize(item, &at.join(i), warnings);
            }
        }
        _ => {}
    }
}

fn parse_json(file: &Path, text: &str) -> Result<openapiv3::OpenAPI> {
    // Fast path: path tracking costs a third of the parse, so it only runs to
    // locate an error.
    if let Ok(doc) = serde_json::from_str(text) {
        return Ok(doc);
    }
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
    if let Ok(doc) = serde_yaml::from_str(text) {
        return Ok(doc);
    }
    // Well-formedness first, so a scanner error is reported as one, not as a wrong shape.
    if let Err(err) = serde_yaml::from_str::<Lenient>(text) {
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

/// Any YAML/JSON value, like `serde_json::Value`, but integers beyond 64 bits become
/// floats instead of errors (the normalizer then drops them where they are bounds).
struct Lenient(serde_json::Value);

impl<'de> serde::Deserialize<'de> for Lenient {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor).map(Lenient)
    }
}

struct LenientVisitor;

impl<'de> serde::de::Visitor<'de> for LenientVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i128<E>(self, v: i128) -> std::result::Result<Self::Value, E> {
        Ok((v as f64).into())
    }
    fn visit_u128<E>(self, v: u128) -> std::result::Result<Self::Value, E> {
        Ok((v as f64).into())
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Lenient(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some((Lenient(key), Lenient(value))) = map.next_entry()? {
            // YAML keys may be numbers or booleans (`200:`); JSON keys are strings.
            let key = match key {
                serde_json::Value::String(key) => key,
                other => other.to_string(),
            };
            out.insert(key, value);
        }
        Ok(serde_json::Value::Object(out))
    }
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

/// Loads what generating `operation_ids` needs, corrected by `overlays`. For JSON
/// documents without overlays that is only the path items holding those operations and
/// the components their `$ref`s reach: the rest is skimmed as raw JSON, never typed,
/// which makes small selections from big descriptions fast. Anything unusual falls back
/// to loading the whole document (so errors keep their exact positions); so do overlays,
/// whose targets may lie anywhere.
pub fn load_for(file: &Path, operation_ids: Option<&[String]>, overlays: &[Overlay]) -> Result<Document> {
    let text = std::fs::read_to_string(file).map_err(|source| Error::Io {
        path: file.to_owned(),
        source,
    })?;
    if let (Some(ids), true, true) = (operation_ids, is_json(file, &text), overlays.is_empty())
        && let Some(pruned) = prune(&text, ids)
        && let Ok(doc) = parse(file, &pruned)
    {
        return Ok(doc);
    }
    parse_corrected(file, &text, overlays)
}

/// An object's members as (decoded key, raw value text), in document order.
type Members<'a> = Vec<(String, &'a str)>;

/// The document with only the selected path items and the components they reach.
fn prune(text: &str, ids: &[String]) -> Option<String> {
    let top = skim::members(text)?;
    fn find<'t>(members: &Members<'t>, key: &str) -> Option<&'t str> {
        members.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
    let paths = skim::members(find(&top, "paths")?)?;
    let components: Vec<(String, Members<'_>)> = match find(&top, "components") {
        Some(raw) => skim::members(raw)?
            .into_iter()
            .map(|(kind, raw)| skim::members(raw).map(|m| (kind, m)))
            .collect::<Option<_>>()?,
        None => Vec::new(),
    };
    // A path item is kept if it names a wanted operationId. A plain text search is
    // enough: a false hit only keeps an extra item; a miss falls back (below).
    let kept_paths: Vec<&(String, &str)> = paths
        .iter()
        .filter(|(_, item)| strings_after(item, "\"operationId\"").iter().any(|id| ids.contains(id)))
        .collect();
    let wanted: std::collections::BTreeSet<&String> = ids.iter().collect();
    let seen = wanted
        .iter()
        .filter(|id| kept_paths.iter().any(|(_, item)| item.contains(id.as_str())))
        .count();
    if seen < wanted.len() {
        return None; // an id was not seen: the full load reports it properly
    }
    // Components reached through `$ref`, transitively; security schemes always (small).
    let component = |kind: &str, name: &str| {
        components
            .iter()
            .find(|(k, _)| k == kind)
            .and_then(|(_, m)| m.iter().find(|(n, _)| n == name))
            .map(|(_, v)| *v)
    };
    let mut needed: std::collections::BTreeSet<(String, String)> = components
        .iter()
        .filter(|(kind, _)| kind == "securitySchemes")
        .flat_map(|(kind, members)| members.iter().map(move |(name, _)| (kind.clone(), name.clone())))
        .collect();
    let mut queue: Vec<&str> = kept_paths.iter().map(|(_, raw)| *raw).collect();
    while let Some(raw) = queue.pop() {
        for reference in refs_in(raw) {
            let Some(rest) = reference.strip_prefix("#/components/") else {
                continue;
            };
            let mut segments = rest.split('/');
            let (Some(kind), Some(name)) = (segments.next(), segments.next()) else {
                continue;
            };
            let name = name.replace("~1", "/").replace("~0", "~");
            if needed.insert((kind.to_owned(), name.clone()))
                && let Some(target) = component(kind, &name)
            {
                queue.push(target);
            }
        }
    }

    let key = |k: &str| serde_json::to_string(k).unwrap_or_default();
    let mut out = String::with_capacity(text.len() / 8);
    out.push('{');
    for (name, raw) in top.iter().filter(|(k, _)| k != "paths" && k != "components") {
        out.push_str(&format!("{}:{raw},", key(name)));
    }
    let items: Vec<String> = kept_paths
        .iter()
        .map(|(path, raw)| format!("{}:{raw}", key(path)))
        .collect();
    out.push_str(&format!("\"paths\":{{{}}},\"components\":{{", items.join(",")));
    let kinds: Vec<String> = components
        .iter()
        .map(|(kind, entries)| {
            let kept: Vec<String> = entries
                .iter()
                .filter(|(name, _)| needed.contains(&(kind.clone(), name.clone())))
                .map(|(name, raw)| format!("{}:{raw}", key(name)))
                .collect();
            format!("{}:{{{}}}", key(kind), kept.join(","))
        })
        .collect();
    out.push_str(&kinds.join(","));
    out.push_str("}}");
    Some(out)
}

/// A minimal JSON skimmer: finds where values start and end without building them.
/// It trusts the text to be JSON; anything it cannot follow returns `None`, and the
/// caller then parses the document properly.
mod skim {
    use super::Members;

    /// The members of the object `text` holds (surrounding whitespace allowed).
    pub fn members(text: &str) -> Option<Members<'_>> {
        let b = text.as_bytes();
        let mut i = ws(b, 0);
        if b.get(i) != Some(&b'{') {
            return None;
        }
        i = ws(b, i + 1);
        let mut out = Vec::new();
        if b.get(i) == Some(&b'}') {
            return Some(out);
        }
        loop {
            let key_end = string_end(b, i)?;
            let key: String = serde_json::from_str(&text[i..key_end]).ok()?;
            i = ws(b, key_end);
            if b.get(i) != Some(&b':') {
                return None;
            }
            let start = ws(b, i + 1);
            let end = value_end(b, start)?;
            out.push((key, &text[start..end]));
            i = ws(b, end);
            match b.get(i) {
                Some(b',') => i = ws(b, i + 1),
                Some(b'}') => return Some(out),
                _ => return None,
            }
        }
    }

    fn ws(b: &[u8], mut i: usize) -> usize {
        while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            i += 1;
        }
        i
    }

    /// The index just past the string starting at `i` (which must be a `"`).
    fn string_end(b: &[u8], i: usize) -> Option<usize> {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let mut j = i + 1;
        loop {
            j += memchr::memchr2(b'"', b'\\', b.get(j..)?)?;
            if b[j] == b'\\' {
                j += 2;
            } else {
                return Some(j + 1);
            }
        }
    }

    /// The index just past the value starting at `i`. Inside an object only braces
    /// need counting (brackets balance within them), and the other way round for
    /// arrays, so three bytes are searched for, with SIMD.
    fn value_end(b: &[u8], i: usize) -> Option<usize> {
        let (open, close) = match b.get(i)? {
            b'"' => return string_end(b, i),
            b'{' => (b'{', b'}'),
            b'[' => (b'[', b']'),
            _ => {
                let len = b
                    .get(i..)?
                    .iter()
                    .position(|&c| matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'));
                return Some(i + len.unwrap_or(b.len() - i));
            }
        };
        let mut depth = 0usize;
        let mut j = i;
        loop {
            j += memchr::memchr3(b'"', open, close, b.get(j..)?)?;
            let c = b[j];
            if c == b'"' {
                j = string_end(b, j)?;
                continue;
            }
            if c == open {
                depth += 1;
            } else {
                depth -= 1;
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            j += 1;
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn members_keep_raw_values_and_decode_keys() {
            let text = r#" {"a\"b": {"x": "}]\\\"", "y": [1, {"z": []}]}, "n": -1.5e3 ,"t":true} "#;
            let m = members(text).unwrap();
            assert_eq!(
                m.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
                ["a\"b", "n", "t"]
            );
            assert_eq!(m[0].1, r#"{"x": "}]\\\"", "y": [1, {"z": []}]}"#);
            assert_eq!(m[1].1, "-1.5e3");
            assert!(members("[1]").is_none());
            assert!(members(r#"{"a": "unterminated"#).is_none());
        }
    }
}

/// The targets of every `"$ref": "..."` in a stretch of JSON text.
fn refs_in(raw: &str) -> Vec<String> {
    strings_after(raw, "\"$ref\"")
}

/// The string values of every `key: "..."` in a stretch of JSON text.
fn strings_after(raw: &str, key: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = raw;
    while let Some(at) = rest.find(key) {
        rest = &rest[at + key.len()..];
        let after = rest.trim_start();
        let Some(after) = after.strip_prefix(':') else { continue };
        let after = after.trim_start();
        if let Ok(reference) = serde_json::Deserializer::from_str(after)
            .into_iter::<String>()
            .next()
            .transpose()
        {
            found.extend(reference);
        }
    }
    found
}
