//! Descriptions split across files: `$ref`s to other files (a relative path, YAML or
//! JSON, with or without a `#fragment`; Markdown or text for a `description`) brought
//! into one tree. A schema is placed under `components/schemas` (so it keeps a name and
//! cycles across files resolve); anything else (parameters, responses, path items,
//! examples, descriptions) is copied where it is used. Refs inside a file are relative
//! to that file, its `#/…` refs to itself. Where each piece came from is kept, so errors
//! and warnings name the file it is written in.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use super::origins::{Origins, Sources};
use super::parse::{is_json, position_of, tree_or_syntax_error};
use crate::error::{Error, Result};
use crate::pointer::Pointer;

/// Where `$ref`s may read files from.
#[derive(Clone, Debug, Default)]
pub struct RefSources {
    /// URL prefix → local folder: where remote `$ref`s are read from (`[ref_mirrors]`).
    pub mirrors: BTreeMap<String, PathBuf>,
    /// The folder every file must be in (`ref_root`); else the root file's folder. A
    /// description cannot make the generator read (and copy into a crate) a file
    /// outside it, such as a key in the user's home.
    pub root: Option<PathBuf>,
}

/// The one tree, every file read for it, and where its pieces came from.
pub(super) struct Bundled {
    tree: Value,
    files: Vec<PathBuf>,
    sources: Sources,
}

impl Bundled {
    /// A description in one file.
    pub fn single(file: &Path, tree: Value) -> Bundled {
        Bundled {
            tree,
            files: vec![file.to_owned()],
            sources: Sources {
                origins: Origins::of(file),
                texts: BTreeMap::new(),
            },
        }
    }

    pub fn into_parts(self) -> (Value, Vec<PathBuf>, Sources) {
        (self.tree, self.files, self.sources)
    }
}

/// Whether the text may hold a `$ref` to another file: one whose value does not start
/// with `#` (a cheap look, so one-file descriptions keep their fast path).
pub(super) fn may_refer_elsewhere(text: &str) -> bool {
    text.match_indices("$ref").any(|(at, _)| {
        let rest = text[at + 4..].trim_start_matches(|c: char| c == '"' || c == '\'' || c == ':' || c.is_whitespace());
        !rest.starts_with('#')
    })
}

/// Brings every file `tree` (read from `root`, whose text is `text`) refers to into it.
pub(super) fn bundle(root: &Path, text: &str, tree: Value, sources: &RefSources) -> Result<Bundled> {
    let root = normal(root);
    let mut bundler = Bundler {
        root: root.clone(),
        sources,
        files: BTreeMap::new(),
        texts: BTreeMap::from([(root.clone(), text.to_owned())]),
        order: vec![root.clone()],
        schemas: BTreeMap::new(),
        taken: BTreeSet::new(),
        queue: Vec::new(),
        copying: Vec::new(),
        origins: Origins::of(&root),
    };
    let mut tree = tree;
    bundler.claim_component_schemas(&tree)?;
    let mut place = Place::root(&root);
    bundler.walk(&mut tree, &mut place)?;
    while let Some((name, file, fragment)) = bundler.queue.pop() {
        let mut schema = bundler.target(&file, &fragment, &place_of_schema(&root, &name))?;
        let mut place = Place {
            file: file.clone(),
            at: vec!["components".into(), "schemas".into(), name.clone()],
            there: fragment_segments(&fragment),
        };
        bundler
            .origins
            .pieces
            .push((place.at_pointer(), file.clone(), fragment.clone()));
        bundler.walk(&mut schema, &mut place)?;
        let schemas = tree
            .as_object_mut()
            .map(|o| o.entry("components").or_insert_with(|| Value::Object(Map::new())))
            .and_then(|c| c.as_object_mut())
            .map(|c| c.entry("schemas").or_insert_with(|| Value::Object(Map::new())))
            .and_then(|s| s.as_object_mut());
        if let Some(schemas) = schemas {
            schemas.insert(name, schema);
        }
    }
    // The root's own text stays out: its errors keep the pointer alone (overlays may
    // have changed what a line would say).
    bundler.texts.remove(&root);
    Ok(Bundled {
        tree,
        files: bundler.order,
        sources: Sources {
            origins: bundler.origins,
            texts: bundler.texts,
        },
    })
}

/// Where the walk is: the file being read, the pointer in the bundled tree, and the
/// pointer in that file.
#[derive(Clone)]
struct Place {
    file: PathBuf,
    at: Vec<String>,
    there: Vec<String>,
}

impl Place {
    fn root(file: &Path) -> Place {
        Place {
            file: file.to_owned(),
            at: Vec::new(),
            there: Vec::new(),
        }
    }

    fn at_pointer(&self) -> String {
        pointer_of(&self.at)
    }

    fn there_pointer(&self) -> Pointer {
        Pointer::from_ref(&pointer_of(&self.there)).unwrap_or_default()
    }
}

fn place_of_schema(root: &Path, name: &str) -> Place {
    Place {
        file: root.to_owned(),
        at: vec!["components".into(), "schemas".into(), name.to_owned()],
        there: Vec::new(),
    }
}

fn pointer_of(segments: &[String]) -> String {
    segments.iter().fold(Pointer::root(), |p, s| p.join(s)).to_string()
}

fn fragment_segments(fragment: &str) -> Vec<String> {
    Pointer::from_ref(&format!("#{fragment}"))
        .map(|p| p.segments().collect())
        .unwrap_or_default()
}

struct Bundler<'m> {
    root: PathBuf,
    sources: &'m RefSources,
    /// Every other file read, as a tree (a text file as a string).
    files: BTreeMap<PathBuf, Value>,
    texts: BTreeMap<PathBuf, String>,
    order: Vec<PathBuf>,
    /// (file, fragment) → its name under `components/schemas`.
    schemas: BTreeMap<(PathBuf, String), String>,
    taken: BTreeSet<String>,
    /// Schemas named but not yet placed: (name, file, fragment).
    queue: Vec<(String, PathBuf, String)>,
    /// What is being copied, to refuse a cycle outside schemas.
    copying: Vec<(PathBuf, String)>,
    origins: Origins,
}

impl Bundler<'_> {
    /// The root's own schema names are taken; a root schema that is only a `$ref` to
    /// another file gives that file its name.
    fn claim_component_schemas(&mut self, tree: &Value) -> Result<()> {
        let Some(schemas) = tree.pointer("/components/schemas").and_then(Value::as_object) else {
            return Ok(());
        };
        self.taken.extend(schemas.keys().cloned());
        for (name, schema) in schemas {
            let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
                continue;
            };
            if reference.starts_with('#') {
                continue;
            }
            let place = place_of_schema(&self.root, name);
            let (file, fragment) = self.resolve(reference, &place)?;
            self.schemas.entry((file, fragment)).or_insert_with(|| name.clone());
        }
        Ok(())
    }

    fn walk(&mut self, value: &mut Value, place: &mut Place) -> Result<()> {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(reference)) = object.get("$ref") {
                    let reference = reference.clone();
                    if !(reference.starts_with('#') && place.file == self.root) {
                        return self.replace(value, &reference, place);
                    }
                }
                for (key, child) in object.iter_mut() {
                    if is_data(&place.at, key) {
                        continue;
                    }
                    place.at.push(key.clone());
                    place.there.push(key.clone());
                    let walked = self.walk(child, place);
                    place.at.pop();
                    place.there.pop();
                    walked?;
                }
                Ok(())
            }
            // 3.1 `examples` of a schema: a list of values, not of Example objects.
            Value::Array(_) if place.at.last().is_some_and(|k| k == "examples") => Ok(()),
            Value::Array(items) => {
                for (index, child) in items.iter_mut().enumerate() {
                    place.at.push(index.to_string());
                    place.there.push(index.to_string());
                    let walked = self.walk(child, place);
                    place.at.pop();
                    place.there.pop();
                    walked?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A `$ref` leaving the root file: a local one for a schema, else the thing itself.
    fn replace(&mut self, value: &mut Value, reference: &str, place: &mut Place) -> Result<()> {
        let (file, fragment) = self.resolve(reference, place)?;
        if file == self.root {
            // Back into the root from another file: a local ref there.
            set_ref(value, format!("#{fragment}"));
            return Ok(());
        }
        let key = (file.clone(), fragment.clone());
        let here_is_its_home = matches!(place.at.as_slice(), [c, s, name] if c == "components" && s == "schemas" && self.schemas.get(&key) == Some(name));
        if is_schema_place(&place.at, &fragment) && !here_is_its_home {
            let name = self.schema_name(&file, &fragment);
            set_ref(value, format!("#/components/schemas/{}", escape(&name)));
            return Ok(());
        }
        if self.copying.contains(&key) {
            return Err(self.error(place, format!("`$ref: {reference}` refers back to itself through other files outside schemas, which cannot be copied")));
        }
        let mut copy = self.target(&file, &fragment, place)?;
        if let (Value::Object(copied), Value::Object(siblings)) = (&mut copy, &*value) {
            for (key, sibling) in siblings.iter().filter(|(k, _)| *k != "$ref") {
                copied.insert(key.clone(), sibling.clone());
            }
        }
        self.origins
            .pieces
            .push((place.at_pointer(), file.clone(), fragment.clone()));
        let mut inner = Place {
            file: file.clone(),
            at: place.at.clone(),
            there: fragment_segments(&fragment),
        };
        self.copying.push(key);
        let walked = self.walk(&mut copy, &mut inner);
        self.copying.pop();
        walked?;
        *value = copy;
        Ok(())
    }

    /// The name a schema from another file takes under `components/schemas`: its own
    /// (the fragment's last segment, or the file's stem), numbered if taken.
    fn schema_name(&mut self, file: &Path, fragment: &str) -> String {
        let key = (file.to_owned(), fragment.to_owned());
        if let Some(name) = self.schemas.get(&key) {
            return name.clone();
        }
        let base = fragment_segments(fragment)
            .last()
            .cloned()
            .or_else(|| file.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "Schema".to_owned());
        let base: String = base
            .chars()
            .map(|c| match c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                true => c,
                false => '_',
            })
            .collect();
        let name = (1..)
            .map(|n| match n {
                1 => base.clone(),
                n => format!("{base}{n}"),
            })
            .find(|n| !self.taken.contains(n))
            .unwrap_or(base);
        self.taken.insert(name.clone());
        self.schemas.insert(key, name.clone());
        self.queue.push((name.clone(), file.to_owned(), fragment.to_owned()));
        name
    }

    /// The file and fragment a `$ref` names, seen from `place`.
    fn resolve(&mut self, reference: &str, place: &Place) -> Result<(PathBuf, String)> {
        let (path, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if path.is_empty() {
            return Ok((place.file.clone(), fragment.to_owned()));
        }
        let file = match path.split_once("://") {
            Some(("http" | "https", _)) => self.mirrored(path, reference, place)?,
            Some(_) => {
                return Err(self.error(
                    place,
                    format!("`$ref: {reference}`: only relative paths (and http(s) URLs with a mirror) are read"),
                ));
            }
            None if Path::new(path).is_absolute() => {
                return Err(self.error(
                    place,
                    format!(
                        "`$ref: {reference}`: an absolute path; a `$ref` names a file relative to the one it is in"
                    ),
                ));
            }
            None => {
                let file = normal(&place.file.parent().unwrap_or(Path::new("")).join(path));
                self.check_inside(&file, reference, place)?;
                file
            }
        };
        self.read(&file, reference, place)?;
        Ok((file, fragment.to_owned()))
    }

    /// A file outside the allowed folder is refused before it is read.
    fn check_inside(&self, file: &Path, reference: &str, place: &Place) -> Result<()> {
        let absolute = |p: &Path| {
            std::path::absolute(p)
                .map(|p| normal(&p))
                .unwrap_or_else(|_| p.to_owned())
        };
        let allowed = match &self.sources.root {
            Some(root) => root.clone(),
            None => self.root.parent().unwrap_or(Path::new("")).to_owned(),
        };
        if absolute(file).starts_with(absolute(&allowed)) {
            return Ok(());
        }
        Err(self.error(
            place,
            format!(
                "`$ref: {reference}` leaves `{}`, the folder a description's files are read from; set `ref_root` in the config to a folder holding them all",
                allowed.display()
            ),
        ))
    }

    fn mirrored(&self, url: &str, reference: &str, place: &Place) -> Result<PathBuf> {
        let mirror = self.sources.mirrors.iter().find_map(|(prefix, folder)| {
            let rest = url.strip_prefix(prefix.as_str())?;
            Some(folder.join(rest.trim_start_matches('/')))
        });
        mirror.map(|p| normal(&p)).ok_or_else(|| {
            self.error(
                place,
                format!("`$ref: {reference}` is on the network, which the generator does not read; save it and map its URL to the copy in the config (`[ref_mirrors] \"{}\" = \"folder/\"`)", url.rsplit_once('/').map_or(url, |(base, _)| base).to_owned() + "/"),
            )
        })
    }

    /// Reads `file` once: YAML or JSON as a tree, anything else as text.
    fn read(&mut self, file: &Path, reference: &str, place: &Place) -> Result<()> {
        if self.files.contains_key(file) || *file == self.root {
            return Ok(());
        }
        let text = std::fs::read_to_string(file).map_err(|e| {
            self.error(
                place,
                format!("`$ref: {reference}`: cannot read {}: {e}", file.display()),
            )
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned();
        let tree = match file.extension().and_then(|e| e.to_str()) {
            Some("yaml" | "yml" | "json") => tree_or_syntax_error(file, &text)?,
            _ => Value::String(text.clone()),
        };
        self.files.insert(file.to_owned(), tree);
        self.texts.insert(file.to_owned(), text);
        self.order.push(file.to_owned());
        Ok(())
    }

    /// A copy of what `fragment` points at in `file`.
    fn target(&self, file: &Path, fragment: &str, place: &Place) -> Result<Value> {
        let Some(tree) = self.files.get(file) else {
            return Err(self.error(place, format!("`$ref` to {}: the file was not read", file.display())));
        };
        let found = match fragment {
            "" | "/" => Some(tree),
            fragment => tree.pointer(fragment),
        };
        found.cloned().ok_or_else(|| {
            self.error(
                place,
                format!(
                    "`$ref` to {}#{fragment}: there is nothing at `#{fragment}` in that file",
                    file.display()
                ),
            )
        })
    }

    /// An error at `place`: its file, line and column, and the pointer in that file.
    fn error(&self, place: &Place, message: String) -> Error {
        let pointer = place.there_pointer();
        let position = self
            .texts
            .get(&place.file)
            .and_then(|text| position_of(text, is_json(&place.file, text), &pointer));
        let (line, column) = position.unwrap_or((0, 0));
        Error::Structure {
            file: place.file.clone(),
            line,
            column,
            pointer: pointer.to_string(),
            message,
        }
    }
}

/// Whether `key` under `at` holds values rather than description: an example, a
/// default, an enum, an extension. A `$ref` key there is data (GitHub's SCIM examples
/// hold `"$ref": "https://api.github.com/scim/v2/…"`), never followed.
fn is_data(at: &[String], key: &str) -> bool {
    let last = at.last().map(String::as_str);
    let parent = at.len().checked_sub(2).map(|i| at[i].as_str());
    // Under a map of names (`properties`, `responses`, `schemas`, ...) a key is a name:
    // a property called `default`, the `default` response.
    let names = matches!(
        last,
        Some(
            "properties"
                | "patternProperties"
                | "responses"
                | "schemas"
                | "parameters"
                | "examples"
                | "headers"
                | "requestBodies"
                | "securitySchemes"
                | "links"
                | "callbacks"
                | "pathItems"
                | "definitions"
                | "$defs"
                | "encoding"
                | "content"
        )
    );
    if names {
        return false;
    }
    matches!(key, "example" | "default" | "enum" | "const")
        || key.starts_with("x-")
        || (key == "value" && parent == Some("examples"))
}

/// Whether a `$ref` at `at` (in the bundled tree) stands for a schema: by where it is,
/// else by what it names (`#/components/schemas/X`, `#/definitions/X`).
fn is_schema_place(at: &[String], fragment: &str) -> bool {
    let last = at.last().map(String::as_str);
    let parent = at.len().checked_sub(2).map(|i| at[i].as_str());
    let by_place = matches!(
        last,
        Some(
            "schema"
                | "items"
                | "additionalProperties"
                | "not"
                | "additionalItems"
                | "contains"
                | "propertyNames"
                | "if"
                | "then"
                | "else"
        )
    ) || matches!(
        parent,
        Some("properties" | "patternProperties" | "definitions" | "$defs" | "dependentSchemas")
    ) || (matches!(parent, Some("allOf" | "anyOf" | "oneOf" | "prefixItems"))
        && last.is_some_and(|l| l.parse::<usize>().is_ok()))
        || matches!(at, [c, s, _] if c == "components" && s == "schemas");
    by_place || fragment.starts_with("/components/schemas/") || fragment.starts_with("/definitions/")
}

fn set_ref(value: &mut Value, reference: String) {
    if let Value::Object(object) = value {
        object.insert("$ref".to_owned(), Value::String(reference));
    }
}

fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// `a/./b/../c` → `a/c`, without touching the file system (names stay as written).
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_refs_not_starting_with_a_hash_send_the_document_to_the_bundler() {
        assert!(!may_refer_elsewhere(
            "a: {$ref: '#/components/schemas/A'}\nb: {\"$ref\": \"#/x\"}"
        ));
        assert!(may_refer_elsewhere("a: {$ref: common.yaml#/A}"));
        assert!(may_refer_elsewhere("{\"$ref\": \"./a.json\"}"));
        assert!(!may_refer_elsewhere("no refs at all"));
    }

    #[test]
    fn a_ref_stands_for_a_schema_by_its_place_or_by_what_it_names() {
        let at = |p: &str| p.split('/').map(str::to_owned).collect::<Vec<_>>();
        assert!(is_schema_place(&at("paths/~1a/get/responses/200/content/x/schema"), ""));
        assert!(is_schema_place(&at("components/schemas/A/properties/b"), ""));
        assert!(is_schema_place(&at("components/schemas/A/allOf/0"), ""));
        assert!(!is_schema_place(&at("paths/~1a/get/parameters/0"), "/limit"));
        assert!(!is_schema_place(&at("tags/0/description"), ""));
        assert!(is_schema_place(&at("x/y"), "/components/schemas/Pet"));
    }

    #[test]
    fn a_ref_inside_an_example_value_is_data_and_stays() {
        let dir = std::env::temp_dir().join(format!("bundle-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let root = dir.join("openapi.yaml");
        let tree = serde_json::json!({
            "paths": {"/a": {"get": {"responses": {"default": {"description": "d"}}}}},
            "components": {
                "examples": {"group": {"value": {"members": [{"$ref": "https://api.example.com/Users/1"}]}}},
                "schemas": {"A": {"type": "object", "example": {"$ref": "elsewhere.yaml"}, "x-note": {"$ref": "x.yaml"}}}
            }
        });
        let text = "$ref: elsewhere";
        let bundled = bundle(&root, text, tree.clone(), &RefSources::default()).unwrap();
        assert_eq!(bundled.into_parts().0, tree);
    }

    #[test]
    fn a_default_response_and_a_property_named_default_are_walked() {
        let at = |p: &str| p.split('/').map(str::to_owned).collect::<Vec<_>>();
        assert!(!is_data(&at("paths/~1a/get/responses"), "default"));
        assert!(!is_data(&at("components/schemas/A/properties"), "default"));
        assert!(is_data(&at("components/schemas/A"), "default"));
        assert!(is_data(&at("components/examples/e"), "value"));
        assert!(is_data(&at("components/examples/e"), "x-note"));
    }

    #[test]
    fn paths_are_normalised_without_the_file_system() {
        assert_eq!(normal(Path::new("a/./b/../c.yaml")), PathBuf::from("a/c.yaml"));
        assert_eq!(normal(Path::new("../x/../y.yaml")), PathBuf::from("../y.yaml"));
    }
}
