//! The `openapi-typed` command as a user runs it: generate, check, diff, and the
//! errors of wrong arguments — through the built binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

fn openapi_typed(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_openapi-typed"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the command runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_description_alone_generates_a_crate_named_after_its_file_in_the_current_folder() {
    let dir = tempfile::tempdir().unwrap();
    let description = dir.path().join("pet-store.yaml");
    std::fs::copy(fixture("params/openapi.yaml"), &description).unwrap();
    let output = openapi_typed(dir.path(), &["generate", "pet-store.yaml"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let manifest = std::fs::read_to_string(dir.path().join("pet-store-client/Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"pet-store-client\""), "{manifest}");
    assert!(dir.path().join("pet-store-client/src/lib.rs").is_file());
}

#[test]
fn check_passes_on_a_fresh_crate_and_fails_naming_a_changed_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = fixture("swagger2/codegen.toml");
    let config = config.to_str().unwrap();
    let out = dir.path().join("crate");
    let out = out.to_str().unwrap();
    let generated = openapi_typed(dir.path(), &["generate", "--config", config, "--out", out]);
    assert!(generated.status.success(), "{}", stderr(&generated));
    let fresh = openapi_typed(dir.path(), &["check", "--config", config, "--out", out]);
    assert!(fresh.status.success(), "{}", stderr(&fresh));
    assert!(stderr(&fresh).contains("is up to date"), "{}", stderr(&fresh));

    let lib = dir.path().join("crate/src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, format!("{text}\n// edited by hand\n")).unwrap();
    let stale = openapi_typed(dir.path(), &["check", "--config", config, "--out", out]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(
        stderr(&stale).contains("stale: ") && stderr(&stale).contains("src/lib.rs"),
        "{}",
        stderr(&stale)
    );
    assert!(
        stderr(&stale).contains("run `openapi-typed generate`"),
        "{}",
        stderr(&stale)
    );
    assert_eq!(
        std::fs::read_to_string(&lib).unwrap(),
        format!("{text}\n// edited by hand\n"),
        "check writes nothing"
    );
}

#[test]
fn a_broken_description_is_a_located_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let config = fixture("error_broken_yaml/codegen.toml");
    let output = openapi_typed(
        dir.path(),
        &["generate", "--config", config.to_str().unwrap(), "--out", "out"],
    );
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("openapi.yaml") && message.contains("nothing was written"),
        "{message}"
    );
    assert!(!dir.path().join("out").exists(), "no folder made for a run that failed");
}

#[test]
fn wrong_arguments_are_refused_with_usage() {
    let dir = tempfile::tempdir().unwrap();
    let neither = openapi_typed(dir.path(), &["generate"]);
    assert_eq!(neither.status.code(), Some(2));
    assert!(stderr(&neither).contains("<DESCRIPTION>"), "{}", stderr(&neither));
    let both = openapi_typed(dir.path(), &["generate", "a.yaml", "--config", "c.toml"]);
    assert_eq!(both.status.code(), Some(2));
    assert!(stderr(&both).contains("cannot be used with"), "{}", stderr(&both));
}

#[test]
fn diff_reports_an_operation_taken_away_as_breaking() {
    let dir = tempfile::tempdir().unwrap();
    let old = fixture("swagger2/openapi.yaml");
    // The same description without its first path: each of its calls is gone.
    let mut doc: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(&old).unwrap()).unwrap();
    let paths = doc["paths"].as_mapping_mut().expect("paths");
    let first = paths.keys().next().cloned().expect("a path");
    paths.remove(&first);
    std::fs::write(dir.path().join("new.yaml"), serde_yaml::to_string(&doc).unwrap()).unwrap();
    let output = openapi_typed(dir.path(), &["diff", old.to_str().unwrap(), "new.yaml"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(report.contains("API changes: openapi.yaml → new.yaml"), "{report}");
    assert!(
        report.contains("reaking"),
        "removing {first:?} breaks callers:\n{report}"
    );
}

#[test]
fn the_seed_endpoint_generates_from_the_repository_description_with_its_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seed.toml");
    let output = openapi_typed(
        dir.path(),
        &["generate", "--config", config.to_str().unwrap(), "--strict"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let crate_dir = dir.path().join("label-studio-seed");
    let storage = std::fs::read_to_string(crate_dir.join("src/import_storage/s3.rs")).unwrap();
    assert!(storage.contains("pub fn update("), "the seed call is there");
    // No dependency on this checkout: the runtime is in the crate.
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    assert!(!manifest.contains("path ="), "{manifest}");
    assert!(crate_dir.join("src/runtime/client.rs").is_file());
}
