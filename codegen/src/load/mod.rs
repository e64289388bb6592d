//! Stage 1: read an OpenAPI 3.0 description (YAML or JSON) into `openapiv3` types.
//!
//! By job: [`parse`] (text → typed document, errors with line, column and JSON pointer),
//! [`bundle`] (`$ref`s to other files brought into one tree), [`normalize`] (3.1 habits
//! rewritten into 3.0, with warnings), [`prune`] (a few operations of a big description
//! cut out before typing). Overlays ([`crate::overlay`]) apply to the tree between
//! bundling and typing, and a selection is cut after them.

mod bundle;
mod encoding;
mod normalize;
mod openapi31;
mod origins;
mod parse;
mod prune;
mod swagger2;
mod unreadable;

pub use bundle::RefSources;
pub use normalize::normalize;
pub use origins::Origins;
pub use parse::json_tree;

use normalize::normalized;
use parse::{is_json, parse_json, parse_yaml, tree_structure_error};

use std::path::{Path, PathBuf};

use serde::Deserialize as _;

use crate::error::{Error, Result, Warning};
use crate::overlay::Overlay;

/// A parsed description and where it came from.
#[derive(Debug)]
pub struct Document {
    pub file: PathBuf,
    pub openapi: openapiv3::OpenAPI,
    /// What the loader had to rewrite to read the document (see `load/normalize.rs`).
    pub warnings: Vec<Warning>,
    /// Every file read: `file`, then those its `$ref`s reach.
    pub files: Vec<PathBuf>,
    /// Which file each part of a multi-file description was written in.
    pub origins: Origins,
}

impl Document {
    /// `file#/pointer` for a pointer in the loaded document: the file it was written in.
    pub fn name(&self, pointer: &str) -> String {
        self.origins.name(pointer)
    }
}

#[cfg(feature = "internals")]
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
    let text = without_bom(text);
    if bundle::may_refer_elsewhere(text) || declares_swagger2(text) {
        return parse_tree(file, text, &[], &RefSources::default(), None);
    }
    let is_json = is_json(file, text);
    if openapi31::declares_31(text) {
        return parse_31(file, text, is_json);
    }
    let typed = if is_json {
        parse_json(file, text)
    } else {
        parse_yaml(file, text)
    };
    let (openapi, warnings) = match typed {
        Ok(openapi) => (openapi, Vec::new()),
        // A shape error may come from OpenAPI 3.1 habits in a 3.0 document: retry on a
        // normalized tree, and report the first error if that does not help either.
        Err(first @ Error::Structure { .. }) => match json_tree(text, is_json) {
            Some(tree) => match normalized(tree.clone()).or_else(|| without_unreadable(tree)) {
                Some(recovered) => recovered,
                None => return Err(first),
            },
            None => return Err(first),
        },
        Err(other) => return Err(other),
    };
    if openapi.openapi.starts_with("3.1") {
        return parse_31(file, text, is_json); // declared later than its first lines
    }
    let mut openapi = openapi;
    if encoding::ambiguous(&openapi)
        && let Some(tree) = json_tree(text, is_json)
    {
        encoding::restore_explode(&mut openapi, &tree);
    }
    finish(file, openapi, in_file(file, warnings))
}

/// A 3.1 document: read as a tree, rewritten into 3.0 terms, then typed.
fn parse_31(file: &Path, text: &str, is_json: bool) -> Result<Document> {
    let Some(tree) = json_tree(text, is_json) else {
        // Not well-formed: the typed parse says where.
        let plain = if is_json {
            parse_json(file, text)
        } else {
            parse_yaml(file, text)
        };
        return Err(plain
            .err()
            .unwrap_or_else(|| tree_structure_error(file, &serde_json::Value::Null)));
    };
    let (openapi, warnings) = typed_from_tree(file, tree)?;
    finish(file, openapi, in_file(file, warnings))
}

/// Types a (corrected) tree; 3.1 documents are rewritten into 3.0 terms first. The
/// warnings' pointers are in the tree, not yet named with a file.
fn typed_from_tree(file: &Path, mut tree: serde_json::Value) -> Result<(openapiv3::OpenAPI, Vec<Warning>)> {
    let is_31 = tree
        .get("openapi")
        .and_then(|v| v.as_str())
        .is_some_and(|v| v.starts_with("3.1"));
    let mut warnings = if is_31 {
        openapi31::downgrade(&mut tree)
    } else {
        Vec::new()
    };
    let mut openapi = match openapiv3::OpenAPI::deserialize(&tree) {
        Ok(openapi) => openapi,
        Err(_) => match normalized(tree.clone()) {
            Some((openapi, more)) => {
                warnings.extend(more);
                openapi
            }
            None => match without_unreadable(tree.clone()) {
                Some((openapi, more)) => {
                    warnings.extend(more);
                    openapi
                }
                None => return Err(tree_structure_error(file, &tree)),
            },
        },
    };
    if encoding::ambiguous(&openapi) {
        encoding::restore_explode(&mut openapi, &tree);
    }
    Ok((openapi, warnings))
}

/// The document without the operations and components that do not read (each named in
/// a warning), if that is what kept it from typing.
fn without_unreadable(mut tree: serde_json::Value) -> Option<(openapiv3::OpenAPI, Vec<Warning>)> {
    let mut warnings = Vec::new();
    normalize(&mut tree, &crate::pointer::Pointer::root(), &mut warnings);
    let dropped = unreadable::drop_unreadable(&mut tree);
    if dropped.is_empty() {
        return None;
    }
    warnings.extend(dropped);
    let openapi = openapiv3::OpenAPI::deserialize(&tree).ok()?;
    Some((openapi, warnings))
}

#[cfg(feature = "internals")]
/// Parses `text` as if read from `file`, then applies `overlays` in order. The
/// corrections apply to the document's tree, so errors after them name a JSON pointer
/// rather than a line.
pub fn parse_corrected(file: &Path, text: &str, overlays: &[Overlay]) -> Result<Document> {
    parse_with(file, text, overlays, &RefSources::default(), None)
}

fn parse_with(
    file: &Path,
    text: &str,
    overlays: &[Overlay],
    sources: &RefSources,
    operation_ids: Option<&[String]>,
) -> Result<Document> {
    let text = without_bom(text);
    if overlays.is_empty() && !bundle::may_refer_elsewhere(text) && !declares_swagger2(text) {
        return parse(file, text);
    }
    parse_tree(file, text, overlays, sources, operation_ids)
}

/// Read as a tree: the files it refers to brought in, then the overlays applied; with
/// `operation_ids`, the tree is then cut to what they reach before it is typed.
fn parse_tree(
    file: &Path,
    text: &str,
    overlays: &[Overlay],
    sources: &RefSources,
    operation_ids: Option<&[String]>,
) -> Result<Document> {
    let Some(tree) = json_tree(text, is_json(file, text)) else {
        // Not well-formed: the typed parse says where.
        let plain = match is_json(file, text) {
            true => parse_json(file, text).err(),
            false => parse_yaml(file, text).err(),
        };
        return Err(plain.unwrap_or_else(|| tree_structure_error(file, &serde_json::Value::Null)));
    };
    let bundled = match bundle::may_refer_elsewhere(text) {
        true => bundle::bundle(file, text, tree, sources)?,
        false => bundle::Bundled::single(file, tree),
    };
    let (mut tree, files, origins) = bundled.into_parts();
    // Overlays correct the description as written (a 2.0 one in 2.0 terms).
    for overlay in overlays {
        overlay.apply(&mut tree)?;
    }
    let upgraded = match swagger2::is_swagger2(&tree) {
        true => swagger2::upgrade(&mut tree),
        false => Vec::new(),
    };
    if let Some(ids) = operation_ids {
        prune::prune_tree(&mut tree, ids);
    }
    let (openapi, typed) = typed_from_tree(file, tree).map_err(|e| origins.locate_error(e))?;
    // Each warning names the file its pointer was written in.
    let warnings = upgraded
        .into_iter()
        .chain(typed)
        .map(|w| Warning {
            pointer: origins.origins.name(&w.pointer),
            ..w
        })
        .collect();
    let mut doc = finish(file, openapi, warnings)?;
    doc.files = files;
    doc.origins = origins.origins;
    Ok(doc)
}

/// Whether the text starts like a Swagger 2.0 document (`swagger: "2.0"`); the tree
/// decides.
fn declares_swagger2(text: &str) -> bool {
    let head = &text[..text.len().min(4096)];
    head.match_indices("swagger").any(|(at, _)| {
        let rest = head[at + 7..].trim_start_matches(|c: char| c == '"' || c == '\'' || c == ':' || c.is_whitespace());
        rest.starts_with('2')
    })
}

/// Names each warning's pointer with `file`, where it was written.
fn in_file(file: &Path, warnings: Vec<Warning>) -> Vec<Warning> {
    let named = |w: Warning| Warning {
        pointer: format!("{}{}", file.display(), w.pointer),
        ..w
    };
    warnings.into_iter().map(named).collect()
}

/// Checks the version; `warnings` are already named with their files.
fn finish(file: &Path, openapi: openapiv3::OpenAPI, warnings: Vec<Warning>) -> Result<Document> {
    check_version(file, &openapi)?;
    Ok(Document {
        file: file.to_owned(),
        openapi,
        warnings,
        files: vec![file.to_owned()],
        origins: Origins::of(file),
    })
}

/// Loads what generating `operation_ids` needs, corrected by `overlays`. For JSON
/// documents without overlays that is only the path items holding those operations and
/// the components their `$ref`s reach: the rest is skimmed as raw JSON, never typed,
/// which makes small selections from big descriptions fast. Anything unusual falls back
/// to loading the whole document (so errors keep their exact positions). Overlays may
/// target anything, so with them the whole tree is read and corrected, then cut before
/// it is typed.
pub fn load_for(
    file: &Path,
    operation_ids: Option<&[String]>,
    overlays: &[Overlay],
    sources: &RefSources,
) -> Result<Document> {
    let text = std::fs::read_to_string(file).map_err(|source| Error::Io {
        path: file.to_owned(),
        source,
    })?;
    let text = without_bom(&text);
    if let (Some(ids), true, true) = (operation_ids, is_json(file, text), overlays.is_empty())
        && !bundle::may_refer_elsewhere(text)
        && let Some(pruned) = prune::prune(text, ids)
        && let Ok(doc) = parse(file, &pruned)
    {
        return Ok(doc);
    }
    parse_with(file, text, overlays, sources, operation_ids)
}

/// The text without a leading byte order mark (.NET tools write one before JSON).
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
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
    fn a_wrong_shape_in_one_operation_skips_it_with_a_warning() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 7\n";
        let doc = parse(Path::new("x.yaml"), text).unwrap();
        assert!(
            doc.openapi
                .paths
                .paths
                .get("/a")
                .is_none_or(|item| item.as_item().unwrap().get.is_none())
        );
        let warning = &doc.warnings[0];
        assert_eq!(warning.pointer, "x.yaml#/paths/~1a/get");
        assert!(
            warning.message.contains("expected struct Responses"),
            "{}",
            warning.message
        );
    }

    /// openapi-generator's fake-endpoints petstore writes `port` values as numbers;
    /// a server variable's values are strings.
    #[test]
    fn numbers_in_server_variables_are_read_as_strings() {
        let text = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "servers": [{"url": "http://{host}:{port}/v2", "variables": {
                "host": {"default": "api"}, "port": {"enum": [80, 8080], "default": 80}}}]}"#;
        let doc = parse(Path::new("x.json"), text).unwrap();
        let port = &doc.openapi.servers[0].variables.as_ref().unwrap()["port"];
        assert_eq!(
            (port.default.as_str(), port.enumeration.clone()),
            ("80", vec!["80".to_owned(), "8080".to_owned()])
        );
        assert_eq!(doc.warnings.len(), 1, "{:?}", doc.warnings);
        assert_eq!(doc.warnings[0].pointer, "x.json#/servers/0/variables/port");
    }

    #[test]
    fn wrong_shape_names_the_pointer_and_position() {
        // Outside any operation or component: nothing to leave out, the document fails.
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 7\nsecurity: 7\n";
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
    fn a_wrong_shape_in_json_names_the_pointer_and_line() {
        let text = "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"t\", \"version\": \"1\"},\n\"paths\": {},\n\"security\": 7}";
        let err = parse(Path::new("x.json"), text).unwrap_err();
        let Error::Structure {
            pointer, line, message, ..
        } = &err
        else {
            panic!("expected a structure error, got {err:?}")
        };
        assert_eq!(pointer, "#/security");
        assert_eq!(*line, 3);
        assert!(message.contains("invalid type: integer `7`"), "{message}");
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_document() {
        let text = "\u{feff}{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"t\",\"version\":\"1\"},\"paths\":{}}";
        let doc = parse(Path::new("x.json"), text).unwrap();
        assert_eq!(doc.openapi.info.title, "t");
        assert!(parse_corrected(Path::new("x.json"), text, &[]).is_ok());
    }

    #[test]
    fn swagger_2_is_read_as_openapi_3() {
        let text = r#"{"swagger":"2.0","info":{"title":"t","version":"1"},"host":"api.example.com","basePath":"/v1","paths":{}}"#;
        let doc = parse(Path::new("x.json"), text).unwrap();
        assert_eq!(doc.openapi.openapi, "3.0.3");
        assert_eq!(doc.openapi.servers[0].url, "https://api.example.com/v1");
    }
}
