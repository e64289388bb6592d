//! Text → typed document, with errors that say where: line and column for syntax,
//! the JSON pointer of the value for a wrong shape.

use std::path::Path;

use crate::error::{Error, Result};
use crate::pointer::Pointer;

/// Where and why a (corrected) tree is not an OpenAPI document.
pub(super) fn tree_structure_error(file: &Path, tree: &serde_json::Value) -> Error {
    let (pointer, message) =
        typed_read_error(tree).unwrap_or_else(|| (Pointer::root(), "not an OpenAPI document".to_owned()));
    Error::Structure {
        file: file.to_owned(),
        line: 0,
        column: 0,
        pointer: pointer.to_string(),
        message: format!("{message} (in the document as read and corrected: overlays, 3.1 rewrites)"),
    }
}

/// JSON when the name ends in `.json`, YAML for `.yaml`/`.yml`, else by the first character.
pub(super) fn is_json(file: &Path, text: &str) -> bool {
    match file.extension().and_then(|e| e.to_str()) {
        Some("json") => true,
        Some("yaml" | "yml") => false,
        _ => text.trim_start().starts_with('{'),
    }
}

/// The file's text as a tree, or where it is not well-formed.
pub(super) fn tree_or_syntax_error(file: &Path, text: &str) -> Result<serde_json::Value> {
    let syntax = |line, column, message: String| Error::Syntax {
        file: file.to_owned(),
        line,
        column,
        message: strip_position(&message),
    };
    match is_json(file, text) {
        true => serde_json::from_str(text).map_err(|e| syntax(e.line(), e.column(), e.to_string())),
        false => serde_yaml::from_str::<Lenient>(text).map(|l| l.0).map_err(|e| {
            let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
            syntax(line, column, e.to_string())
        }),
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
pub(super) fn parse_json(file: &Path, text: &str) -> Result<openapiv3::OpenAPI> {
    let err = match serde_json::from_str(text) {
        Ok(doc) => return Ok(doc),
        Err(err) => err,
    };
    let message = strip_position(&err.to_string());
    if err.is_syntax() || err.is_eof() {
        return Err(Error::Syntax {
            file: file.to_owned(),
            line: err.line(),
            column: err.column(),
            message,
        });
    }
    let pointer = pointer_of_shape_error(text, true);
    Err(Error::Structure {
        file: file.to_owned(),
        line: err.line(),
        column: err.column(),
        pointer: pointer.to_string(),
        message,
    })
}

pub(super) fn parse_yaml(file: &Path, text: &str) -> Result<openapiv3::OpenAPI> {
    let err = match serde_yaml::from_str(text) {
        Ok(doc) => return Ok(doc),
        Err(err) => err,
    };
    // Well-formedness first, so a scanner error is reported as one, not as a wrong shape.
    let err = serde_yaml::from_str::<Lenient>(text).err().unwrap_or(err);
    let (line, column) = err.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
    let message = strip_position(&err.to_string());
    let pointer = pointer_of_shape_error(text, false);
    match pointer == Pointer::root() {
        true => Err(Error::Syntax {
            file: file.to_owned(),
            line,
            column,
            message,
        }),
        false => Err(Error::Structure {
            file: file.to_owned(),
            line,
            column,
            pointer: pointer.to_string(),
            message,
        }),
    }
}

/// Where in a well-formed document the typed read fails, found on its tree: the
/// tracking read is compiled once, for trees, rather than once per text format (each
/// read of the whole OpenAPI model is a large share of the generator's build).
fn pointer_of_shape_error(text: &str, is_json: bool) -> Pointer {
    json_tree(text, is_json)
        .and_then(|tree| typed_read_error(&tree))
        .map_or_else(Pointer::root, |(pointer, _)| pointer)
}

/// Where and why `tree` does not read as an OpenAPI document, or `None` when it does.
fn typed_read_error(tree: &serde_json::Value) -> Option<(Pointer, String)> {
    let err = serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(tree).err()?;
    Some((path_to_pointer(err.path()), err.into_inner().to_string()))
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

/// The line and column (from 1) of the value at `pointer` in `text`, found by walking
/// the text with serde and stopping there: the parser's own position is the answer.
pub(super) fn position_of(text: &str, is_json: bool, pointer: &Pointer) -> Option<(usize, usize)> {
    let target: Vec<String> = pointer.segments().collect();
    if target.is_empty() {
        return Some((1, 1));
    }
    let seek = Seek { target: &target };
    let error = match is_json {
        true => {
            let mut de = serde_json::Deserializer::from_str(text);
            let err = serde::de::DeserializeSeed::deserialize(seek, &mut de).err()?;
            return (err.to_string().contains(FOUND)).then(|| (err.line(), err.column()));
        }
        false => serde::de::DeserializeSeed::deserialize(seek, serde_yaml::Deserializer::from_str(text)).err()?,
    };
    let found = error.to_string().contains(FOUND);
    found
        .then(|| error.location().map(|l| (l.line(), l.column())))
        .flatten()
}

/// The message [`Seek`] stops with at its target.
const FOUND: &str = "the sought value is here";

/// Walks to `target` (path segments), ignoring everything else, and fails there.
struct Seek<'t> {
    target: &'t [String],
}

impl<'de> serde::de::DeserializeSeed<'de> for Seek<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> std::result::Result<(), D::Error> {
        match self.target.is_empty() {
            // Reading the value's first token places the parser, and so the error, there.
            true => deserializer.deserialize_any(Stop),
            false => deserializer.deserialize_any(self),
        }
    }
}

impl<'de> serde::de::Visitor<'de> for Seek<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map or a list on the way to the sought value")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(Lenient(key)) = map.next_key()? {
            let key = match key {
                serde_json::Value::String(key) => key,
                other => other.to_string(),
            };
            if key == self.target[0] {
                return map.next_value_seed(Seek {
                    target: &self.target[1..],
                });
            }
            map.next_value::<serde::de::IgnoredAny>()?;
        }
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let Ok(wanted) = self.target[0].parse::<usize>() else {
            return Ok(());
        };
        for _ in 0..wanted {
            if seq.next_element::<serde::de::IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(Seek {
            target: &self.target[1..],
        })
        .map(drop)
    }
    // A scalar on the way: the pointer goes nowhere.
    fn visit_bool<E>(self, _: bool) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> std::result::Result<(), E> {
        Ok(())
    }
}

/// Fails on whatever value it is given, with [`FOUND`].
struct Stop;

impl<'de> serde::de::Visitor<'de> for Stop {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any value")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> std::result::Result<(), A::Error> {
        Err(serde::de::Error::custom(FOUND))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> std::result::Result<(), A::Error> {
        Err(serde::de::Error::custom(FOUND))
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> std::result::Result<(), E> {
        Err(E::custom(FOUND))
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> std::result::Result<(), E> {
        Err(E::custom(FOUND))
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> std::result::Result<(), E> {
        Err(E::custom(FOUND))
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> std::result::Result<(), E> {
        Err(E::custom(FOUND))
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> std::result::Result<(), E> {
        Err(E::custom(FOUND))
    }
    fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<(), E> {
        Err(E::custom(FOUND))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pointer_is_found_at_its_line_and_column_in_yaml_and_json() {
        let yaml = "a:\n  b:\n    - x\n    - {c: 1}\nd: 2\n";
        let at = |p: &str| Pointer::from_ref(p).unwrap();
        assert_eq!(position_of(yaml, false, &at("#/a/b/1/c")), Some((4, 11)));
        assert_eq!(position_of(yaml, false, &at("#/d")), Some((5, 4)));
        assert_eq!(position_of(yaml, false, &at("#/a/nothing")), None);
        let json = "{\n  \"a\": {\"b\": [1,\n    true]}\n}";
        let (line, _) = position_of(json, true, &at("#/a/b/1")).unwrap();
        assert_eq!(line, 3);
    }
}
