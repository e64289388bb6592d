//! The API change report on two real Label Studio versions: 1.22.0 (kept in
//! `tests/api_diff/`) against 1.23.2 (`schema/`), both generated with `schema/codegen.toml`.

use std::path::{Path, PathBuf};

use openapi_typed_codegen::output::{self, Mode};
use openapi_typed_codegen::surface::{self, Surface};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn config() -> openapi_typed_codegen::Config {
    openapi_typed_codegen::Config::load(&root().join("schema/codegen.toml")).unwrap()
}

fn old_description() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api_diff/label-studio-1.22.0.openapi.json")
}

#[test]
fn label_studio_1_22_to_1_23_report() {
    let config = config();
    let (old, _) = surface::of_description(&config, &old_description()).unwrap();
    let (new, _) = surface::of_description(&config, &config.schema_path()).unwrap();
    let changes = surface::diff(&old, &new);
    assert!(changes.breaking() > 0 && changes.breaking() < changes.0.len());
    insta::assert_snapshot!(changes.markdown("API changes: Label Studio 1.22.0 → 1.23.2"));
}

/// `cargo xtask codegen` over a crate generated from 1.22.0 reports the same changes as
/// `api-diff`, and, checking, leaves the crate alone.
#[test]
fn regenerating_over_an_older_crate_reports_what_changes_for_callers() {
    let mut config = config();
    let dir = root().join("target/api-diff-test");
    let _ = std::fs::remove_dir_all(&dir);
    let new_schema = config.schema_path();
    config.schema = old_description();
    let older =
        openapi_typed_codegen::generate_from(&openapi_typed_codegen::load_document(&config).unwrap(), &config).unwrap();
    output::sync(&dir, &older.files, Mode::Write).unwrap();

    let run = openapi_typed_codegen::run(&root().join("schema/codegen.toml"), &dir, Mode::Check).unwrap();
    let reported = run.api_changes.expect("changes reported");
    let (new, _) = surface::of_description(&config, &new_schema).unwrap();
    let expected = surface::diff(&Surface::of_files(&older.files).unwrap(), &new);
    assert_eq!(reported, expected);
    assert_eq!(Surface::of_dir(&dir).unwrap(), Surface::of_files(&older.files).unwrap());
}

#[test]
fn regenerating_an_unchanged_crate_reports_nothing() {
    let dir = root().join("generated");
    let run = openapi_typed_codegen::run(&root().join("schema/codegen.toml"), &dir, Mode::Check).unwrap();
    assert!(run.report.is_clean());
    assert_eq!(run.api_changes, None);
}

/// Every operation and every model of the generated crate is in its surface: the
/// report cannot miss a change because the reader skipped a file.
#[test]
fn the_surface_holds_every_operation_and_model() {
    let surface = Surface::of_dir(&root().join("generated")).unwrap();
    let config = config();
    let doc = openapi_typed_codegen::load_document(&config).unwrap();
    let (api, _) = openapi_typed_codegen::lower::lower(&doc, &config).unwrap();
    // Every call: an operation's twins (its upload) are `id (method)` beside it.
    let mut calls: Vec<(&str, &str)> = api
        .operations
        .iter()
        .map(|op| (op.id.as_str(), op.method_name.as_str()))
        .collect();
    calls.sort_by_key(|(id, method)| (*id, method.len(), *method));
    let mut expected: Vec<String> = Vec::new();
    let mut previous = None;
    for (id, method) in calls {
        expected.push(match previous == Some(id) {
            true => format!("{id} ({method})"),
            false => id.to_owned(),
        });
        previous = Some(id);
    }
    expected.sort();
    let read: Vec<&String> = surface.operations.keys().collect();
    assert_eq!(read, expected.iter().collect::<Vec<_>>());
    for def in &api.types {
        assert!(surface.types.contains_key(&def.name), "{} missing", def.name);
    }
    assert!(
        surface
            .operations
            .values()
            .all(|op| !op.reply.is_empty() && !op.endpoint.is_empty())
    );
}

/// Calls are read from the request each builder sends, so rewording their docs changes
/// nothing in the report.
#[test]
fn the_surface_reads_calls_from_their_code_not_their_docs() {
    let generated =
        openapi_typed_codegen::generate_from(&openapi_typed_codegen::load_document(&config()).unwrap(), &config())
            .unwrap();
    let undocumented: Vec<_> = generated
        .files
        .iter()
        .map(|file| {
            let mut file = file.clone();
            let kept: Vec<&str> = file.contents.lines().filter(|l| !l.contains("(operation `")).collect();
            file.contents = kept.join("\n");
            file
        })
        .collect();
    assert_ne!(undocumented, generated.files, "no doc line named an operation");
    let with_docs = Surface::of_files(&generated.files).unwrap();
    assert!(!with_docs.operations.is_empty());
    assert_eq!(Surface::of_files(&undocumented).unwrap(), with_docs);
}
