//! The generator never panics and never fails without saying where: property tests
//! feed it truncated and mutated versions of the real description and of every
//! fixture. Each run either generates, or fails with a typed error that names a
//! place (a JSON pointer, or a file position) — never an internal error.
//!
//! Case counts are bounded for `cargo test` (well under a minute); for a longer run:
//! `ROBUSTNESS_CASES=20000 cargo test --release -p codegen --test robustness`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use codegen::Config;
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
            let tree = codegen::load::json_tree(&text, name.ends_with(".json")).unwrap();
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
    let outcome = codegen::load::parse(&path, text).and_then(|doc| codegen::generate_from(&doc, &config_for(file)));
    match outcome {
        Ok(generated) => {
            prop_assert!(!generated.files.is_empty());
            for w in &generated.warnings {
                prop_assert!(
                    w.pointer.contains('#') || w.pointer.contains("codegen.toml"),
                    "unlocated warning: {w}"
                );
            }
        }
        Err(err) => {
            prop_assert!(!matches!(err, codegen::Error::Emit { .. }), "internal error: {err}");
            let shown = err.to_string();
            let located = shown.contains("fuzz/") && (shown.contains('#') || shown.contains(&format!("{file}:")));
            prop_assert!(located, "the error does not say where: {shown}");
        }
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
