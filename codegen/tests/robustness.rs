//! The generator never panics and never fails without saying where: property tests
//! feed it truncated and mutated versions of the real description and of every
//! fixture. Each run either generates, or fails with a typed error that names a
//! place (a JSON pointer, or a file position) — never an internal error.
//!
//! Case counts are bounded for `cargo test` (well under a minute); for a longer run:
//! `ROBUSTNESS_CASES=20000 cargo test --release -p openapi-typed-codegen --test robustness`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use openapi_typed_codegen::Config;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Cases per property, from `ROBUSTNESS_CASES` (default: a bounded CI run).
fn cases(default: u32) -> u32 {
    std::env::var("ROBUSTNESS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Corpus {
    /// (file name, text) of each description.
    texts: Vec<(String, String)>,
    /// The same documents as JSON trees.
    trees: Vec<(String, Value)>,
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<PathBuf> = vec![manifest.join("../schema/label-studio-1.23.2.openapi.json")];
        let mut fixtures: Vec<PathBuf> = std::fs::read_dir(manifest.join("tests/fixtures"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with("error_"))
            .map(|p| p.join("openapi.yaml"))
            .collect();
        fixtures.sort();
        files.extend(fixtures);
        let mut texts = Vec::new();
        let mut trees = Vec::new();
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&file).unwrap();
            let tree = openapi_typed_codegen::load::json_tree(&text, name.ends_with(".json")).unwrap();
            texts.push((name.clone(), text));
            trees.push((name, tree));
        }
        Corpus { texts, trees }
    })
}

fn config_for(file: &str) -> Config {
    let text = format!(
        "schema = {file:?}\n[crate]\nname = \"fuzzed\"\nversion = \"0.1.0\"\n[operations]\ninclude = \"all\"\n"
    );
    Config::parse(Path::new("fuzz/codegen.toml"), &text).unwrap()
}

/// Runs the whole pipeline on `text`; the property every input must satisfy.
fn check(file: &str, text: &str) -> Result<(), TestCaseError> {
    let path = Path::new("fuzz").join(file);
    let outcome = openapi_typed_codegen::load::parse(&path, text)
        .and_then(|doc| openapi_typed_codegen::generate_from(&doc, &config_for(file)));
    match outcome {
        Ok(generated) => {
            prop_assert!(!generated.files.is_empty());
            warnings_are_located(&generated.warnings)?;
        }
        Err(err) => {
            prop_assert!(
                !matches!(err, openapi_typed_codegen::Error::Emit { .. }),
                "internal error: {err}"
            );
            let shown = err.to_string();
            let located = shown.contains("fuzz/") && (shown.contains('#') || shown.contains(&format!("{file}:")));
            prop_assert!(located, "the error does not say where: {shown}");
        }
    }
    Ok(())
}

/// Every warning names a place: a JSON pointer, or the config.
fn warnings_are_located(warnings: &[openapi_typed_codegen::Warning]) -> Result<(), TestCaseError> {
    for w in warnings {
        prop_assert!(
            w.pointer.contains('#') || w.pointer.contains("codegen.toml"),
            "unlocated warning: {w}"
        );
    }
    Ok(())
}

/// A random JSON value, small and of every kind.
fn junk() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e6f64..1e6).prop_map(|n| json!(n)),
        "[a-z#/{}$ ]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("#/components/schemas/Nope"),
            Just("#/components/schemas/Project/properties/title"),
            Just("#/paths"),
            Just("other.yaml#/X"),
            Just("integer"),
            Just("object"),
            Just("array"),
            Just("null"),
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("type".to_owned()),
                    Just("$ref".to_owned()),
                    Just("properties".to_owned()),
                    Just("items".to_owned()),
                    Just("oneOf".to_owned()),
                    Just("allOf".to_owned()),
                    Just("enum".to_owned()),
                    Just("required".to_owned()),
                    Just("nullable".to_owned()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[derive(Clone, Debug)]
enum Mutation {
    Delete,
    Replace(Value),
    Keyword(&'static str, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let keyword = prop_oneof![
        Just("$ref"),
        Just("type"),
        Just("oneOf"),
        Just("anyOf"),
        Just("allOf"),
        Just("not"),
        Just("nullable"),
        Just("enum"),
        Just("default"),
        Just("required"),
        Just("discriminator"),
        Just("additionalProperties"),
        Just("operationId"),
        Just("minimum"),
        Just("maxLength"),
    ];
    prop_oneof![
        Just(Mutation::Delete),
        junk().prop_map(Mutation::Replace),
        (keyword, junk()).prop_map(|(k, v)| Mutation::Keyword(k, v)),
    ]
}

/// Every node's location, as the keys and indexes leading to it.
fn nodes(value: &Value) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![(Vec::new(), value)];
    while let Some((path, value)) = stack.pop() {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let mut p = path.clone();
                    p.push(k.clone());
                    stack.push((p, v));
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let mut p = path.clone();
                    p.push(i.to_string());
                    stack.push((p, v));
                }
            }
            _ => {}
        }
        out.push(path);
    }
    out.sort();
    out
}

fn apply(tree: &mut Value, at: &[String], mutation: &Mutation) {
    let Some((last, parent_path)) = at.split_last() else {
        if let Mutation::Replace(v) = mutation {
            *tree = v.clone();
        }
        return;
    };
    let mut parent = &mut *tree;
    for key in parent_path {
        parent = match parent {
            Value::Object(map) => map.get_mut(key).unwrap(),
            Value::Array(items) => &mut items[key.parse::<usize>().unwrap()],
            _ => return,
        };
    }
    match (parent, mutation) {
        (Value::Object(map), Mutation::Delete) => {
            map.remove(last);
        }
        (Value::Array(items), Mutation::Delete) => {
            items.remove(last.parse::<usize>().unwrap());
        }
        (Value::Object(map), Mutation::Replace(v)) => {
            map.insert(last.clone(), v.clone());
        }
        (Value::Array(items), Mutation::Replace(v)) => {
            items[last.parse::<usize>().unwrap()] = v.clone();
        }
        (Value::Object(map), Mutation::Keyword(keyword, v)) => {
            if let Some(Value::Object(target)) = map.get_mut(last) {
                target.insert((*keyword).to_owned(), v.clone());
            }
        }
        _ => {}
    }
}

/// Mutates one document of the corpus at `edits` random places; `doc` picks which.
fn mutated(doc: usize, edits: &[(usize, Mutation)]) -> (String, String) {
    let (name, tree) = &corpus().trees[doc % corpus().trees.len()];
    let mut tree = tree.clone();
    for (pick, mutation) in edits {
        let all = nodes(&tree);
        let at = &all[pick % all.len()];
        apply(&mut tree, at, mutation);
    }
    let name = name.replace(".yaml", ".json");
    (name, serde_json::to_string(&tree).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(1500), failure_persistence: None, ..ProptestConfig::default() })]

    /// Fixtures (small, fast): many mutations each.
    #[test]
    fn mutated_fixtures(doc in 1usize..64, edits in prop::collection::vec((any::<usize>(), mutation()), 1..6)) {
        let (name, text) = mutated(doc.max(1) % corpus().trees.len().max(2), &edits);
        check(&name, &text)?;
    }

    /// Any prefix of any document, as JSON or YAML text.
    #[test]
    fn truncated_documents(doc in 0usize..64, cut in 0.0f64..1.0) {
        let (name, text) = &corpus().texts[doc % corpus().texts.len()];
        let mut end = (text.len() as f64 * cut) as usize;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        check(name, &text[..end])?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(40), failure_persistence: None, ..ProptestConfig::default() })]

    /// The real description (big, ~0.3 s a run): fewer cases, more edits each.
    #[test]
    fn mutated_real_description(edits in prop::collection::vec((any::<usize>(), mutation()), 1..12)) {
        let (name, text) = mutated(0, &edits);
        check(&name, &text)?;
    }
}

/// A copy of the multi-file fixture (a description split over files, a mirrored remote
/// `$ref`) with one of its files replaced by `edit` of it; its `codegen.toml`.
fn multi_file_copy(pick: usize, edit: impl FnOnce(&str, &str) -> String) -> (PathBuf, PathBuf) {
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/multi_file");
    let run = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("robustness-multi-{}-{run}", std::process::id()));
    let mut yaml = Vec::new();
    for sub in ["", "paths", "schemas", "mirror", "docs"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for entry in std::fs::read_dir(source.join(sub)).unwrap().flatten() {
            let name = Path::new(sub).join(entry.file_name());
            if entry.path().is_file() {
                std::fs::copy(entry.path(), dir.join(&name)).unwrap();
                if name.extension().is_some_and(|e| e == "yaml") {
                    yaml.push(name);
                }
            }
        }
    }
    yaml.sort();
    let chosen = &yaml[pick % yaml.len()];
    let text = std::fs::read_to_string(dir.join(chosen)).unwrap();
    std::fs::write(dir.join(chosen), edit(&chosen.to_string_lossy(), &text)).unwrap();
    (dir.clone(), dir.join("codegen.toml"))
}

/// Generates the multi-file copy at `config`: it generates with located warnings, or
/// fails with an error naming a file of it and a place in that file.
fn check_files(dir: &Path, config: &Path) -> Result<(), TestCaseError> {
    let outcome = openapi_typed_codegen::generate(config);
    let _ = std::fs::remove_dir_all(dir);
    match outcome {
        Ok(generated) => {
            warnings_are_located(&generated.warnings)?;
        }
        Err(err) => {
            prop_assert!(
                !matches!(err, openapi_typed_codegen::Error::Emit { .. }),
                "internal error: {err}"
            );
            let shown = err.to_string();
            let names_a_file = shown.contains(".yaml") || shown.contains("codegen.toml");
            prop_assert!(
                names_a_file && (shown.contains('#') || shown.contains(".yaml:")),
                "the error does not say where: {shown}"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(150), failure_persistence: None, ..ProptestConfig::default() })]

    /// A description split over files, one file mutated: the bundling loader reads the
    /// rest and names the file and the place of what it cannot use.
    #[test]
    fn mutated_multi_file_descriptions(pick in any::<usize>(), edits in prop::collection::vec((any::<usize>(), mutation()), 1..4)) {
        let (dir, config) = multi_file_copy(pick, |name, text| {
            let mut tree = openapi_typed_codegen::load::json_tree(text, false).unwrap_or_else(|| panic!("{name} does not read as YAML"));
            for (at, mutation) in &edits {
                let all = nodes(&tree);
                apply(&mut tree, &all[at % all.len()], mutation);
            }
            serde_json::to_string(&tree).unwrap()
        });
        check_files(&dir, &config)?;
    }

    /// One file of a split description cut short anywhere.
    #[test]
    fn truncated_multi_file_descriptions(pick in any::<usize>(), cut in 0.0f64..1.0) {
        let (dir, config) = multi_file_copy(pick, |_, text| {
            let mut end = (text.len() as f64 * cut) as usize;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text[..end].to_owned()
        });
        check_files(&dir, &config)?;
    }
}

/// Schemas that lead back to themselves, each as a `Project` component answered by one
/// call: through a `$ref` inside a component, an `allOf`, alternatives, items, maps.
fn cycles() -> Vec<(&'static str, Value)> {
    let deep = |p: &str| json!({"$ref": format!("#/components/schemas/Project/{p}")});
    let this = json!({"$ref": "#/components/schemas/Project"});
    vec![
        (
            "deep ref to itself",
            json!({"type": "object", "properties": {"title": deep("properties/title")}}),
        ),
        (
            "deep ref in items",
            json!({"type": "object", "properties": {"title": {"type": "array", "items": deep("properties/title")}}}),
        ),
        (
            "deep ref in allOf",
            json!({"type": "object", "properties": {"title": {"allOf": [deep("properties/title")]}}}),
        ),
        (
            "deep ref in an object",
            json!({"type": "object", "properties": {"title": {"type": "object", "properties": {"x": deep("properties/title")}}}}),
        ),
        (
            "deep ref in oneOf",
            json!({"type": "object", "properties": {"title": {"oneOf": [deep("properties/title"), {"type": "string"}]}}}),
        ),
        (
            "deep ref in a map",
            json!({"type": "object", "properties": {"title": {"type": "object", "additionalProperties": deep("properties/title")}}}),
        ),
        (
            "deep refs in a ring",
            json!({"oneOf": [deep("oneOf/1"), deep("oneOf/0")]}),
        ),
        ("oneOf of itself", json!({"oneOf": [deep("oneOf/0")]})),
        (
            "allOf of itself and more",
            json!({"allOf": [this, {"type": "object", "properties": {"a": {"type": "string"}}}]}),
        ),
        (
            "allOf of itself and docs",
            json!({"allOf": [this, {"description": "x"}]}),
        ),
        ("allOf of a deep ref to itself", json!({"allOf": [deep("allOf/0")]})),
        ("alias of itself", this.clone()),
        ("items of itself", json!({"type": "array", "items": this})),
        ("map of itself", json!({"type": "object", "additionalProperties": this})),
        ("anyOf of itself or null", json!({"anyOf": [this, {"type": "null"}]})),
        ("not itself", json!({"not": this})),
    ]
}

/// A description whose one call answers `Project`, with `schemas` as its components.
fn answering_project(schemas: Value) -> String {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "get_a", "responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Project"}}}}}}}},
        "components": {"schemas": schemas},
    })
    .to_string()
}

/// Generates `text` on a thread with a test thread's 2 MiB stack, where following a
/// schema round and round would overflow it and abort the process; the warnings shown.
fn generate_on_small_stack(text: String) -> Result<Vec<String>, String> {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            check("cycle.json", &text).map_err(|e| e.to_string())?;
            let doc =
                openapi_typed_codegen::load::parse(Path::new("fuzz/cycle.json"), &text).map_err(|e| e.to_string())?;
            let generated =
                openapi_typed_codegen::generate_from(&doc, &config_for("cycle.json")).map_err(|e| e.to_string())?;
            Ok(generated.warnings.iter().map(ToString::to_string).collect())
        })
        .unwrap()
        .join()
        .unwrap()
}

/// Each cycle generates or is skipped with a located warning.
#[test]
fn schemas_leading_back_to_themselves_never_overflow_the_stack() {
    for (case, project) in cycles() {
        let outcome = generate_on_small_stack(answering_project(json!({"Project": project})));
        assert!(outcome.is_ok(), "{case}: {outcome:?}");
    }
}

/// 2,000 aliases, each used in place inside the one before: refused past 64, by name.
#[test]
fn a_long_chain_of_aliases_is_refused_not_followed_off_the_stack() {
    type Link = fn(Value) -> Value;
    let chains: [(&str, Link); 2] = [
        ("items", |next| json!({"type": "array", "items": next})),
        ("allOf", |next| json!({"allOf": [next, {"description": "one more"}]})),
    ];
    for (case, link) in chains {
        let mut schemas = serde_json::Map::new();
        for i in 0..2000 {
            let name = if i == 0 { "Project".to_owned() } else { format!("A{i}") };
            schemas.insert(name, link(json!({"$ref": format!("#/components/schemas/A{}", i + 1)})));
        }
        schemas.insert(
            "A2000".to_owned(),
            json!({"type": "object", "properties": {"x": {"type": "string"}}}),
        );
        let warnings = generate_on_small_stack(answering_project(Value::Object(schemas))).unwrap();
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("a chain of more than 64 schemas used in place")),
            "{case}: {warnings:?}"
        );
    }
}
