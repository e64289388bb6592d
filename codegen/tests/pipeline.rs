//! The whole run as `cargo xtask codegen` does it: freshness of the checked-in
//! output, writing only what changed, and leaving the output alone on any error.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use openapi_typed_codegen::output::Mode;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `cargo test` fails when `generated/` is not what `cargo xtask codegen` would write.
#[test]
fn checked_in_generated_crate_is_fresh() {
    let root = workspace_root();
    let run =
        openapi_typed_codegen::run(&root.join("schema/codegen.toml"), &root.join("generated"), Mode::Check).unwrap();
    assert!(
        run.report.is_clean(),
        "generated/ is out of date ({:?}); run `cargo xtask codegen` and commit the result",
        run.report
    );
    // A user's crate may hold files of its own; generated/ holds only the generator's.
    assert!(
        run.report.foreign.is_empty(),
        "generated/ holds files the generator did not write: {:?}",
        run.report.foreign
    );
}

/// Every file under `dir`, with its bytes.
fn snapshot_dir(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.strip_prefix(dir).unwrap().to_path_buf(), fs::read(&path).unwrap());
            }
        }
    }
    out
}

const GOOD_SCHEMA: &str = r##"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /things/{id}:
    get:
      operationId: things_get
      parameters: [{in: path, name: id, required: true, schema: {type: integer}}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
components:
  schemas:
    Thing:
      type: object
      properties:
        name: {type: string}
"##;

/// A temp folder holding `openapi.<ext>`, `codegen.toml`, and an output crate
/// generated from the good schema.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Workspace {
        let ws = Workspace {
            dir: tempfile::tempdir().unwrap(),
        };
        ws.set_schema("yaml", GOOD_SCHEMA, "things_get");
        let run = openapi_typed_codegen::run(&ws.config(), &ws.out(), Mode::Write).unwrap();
        assert!(!run.report.changed.is_empty());
        ws
    }

    fn set_schema(&self, ext: &str, text: &str, operation: &str) {
        fs::write(self.dir.path().join(format!("openapi.{ext}")), text).unwrap();
        let config = format!(
            "schema = \"openapi.{ext}\"\n[crate]\nname = \"t\"\nversion = \"0.1.0\"\n[operations]\ninclude = [\"{operation}\"]\n"
        );
        fs::write(self.config(), config).unwrap();
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("codegen.toml")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }
}

#[test]
fn bad_inputs_give_located_errors_and_leave_the_output_untouched() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "broken YAML",
            "yaml",
            "openapi: 3.0.3\ninfo: [unclosed\n",
            "openapi.yaml:3:1",
        ),
        (
            "broken JSON",
            "json",
            "{\"openapi\": \"3.0.3\",}",
            "openapi.json:1:21: trailing comma",
        ),
        (
            "not OpenAPI",
            "json",
            "{\"hello\": \"world\"}",
            "missing field `openapi`",
        ),
        (
            "dangling $ref",
            "yaml",
            &GOOD_SCHEMA.replace("schemas/Thing\"", "schemas/Nothing\""),
            "#/paths/~1things~1{id}/get/responses/200/content/application~1json/schema: `$ref: #/components/schemas/Nothing` does not resolve",
        ),
        (
            "unsupported construct",
            "yaml",
            &GOOD_SCHEMA.replace(
                "parameters: [{in: path,",
                "parameters: [{in: query, name: filter, content: {application/json: {}}}, {in: path,",
            ),
            "#/paths/~1things~1{id}/get/parameters/0/content/application~1json/schema: unsupported: a parameter without a schema",
        ),
    ];
    for (what, ext, schema, expected) in cases {
        let ws = Workspace::new();
        let before = snapshot_dir(&ws.out());
        ws.set_schema(ext, schema, "things_get");
        let err = openapi_typed_codegen::run(&ws.config(), &ws.out(), Mode::Write)
            .expect_err(what)
            .to_string();
        assert!(err.contains(expected), "{what}: `{err}` should contain `{expected}`");
        assert_eq!(snapshot_dir(&ws.out()), before, "{what}: the output changed");
    }
}

#[test]
fn excluded_operations_are_left_out_and_unknown_ones_named() {
    let dir = tempfile::tempdir().unwrap();
    let two_operations = GOOD_SCHEMA.replace(
        "  /things/{id}:\n",
        "  /things:\n    delete:\n      operationId: things_purge\n      responses: {\"204\": {description: gone}}\n  /things/{id}:\n",
    );
    fs::write(dir.path().join("openapi.yaml"), two_operations).unwrap();
    let config = dir.path().join("codegen.toml");
    let write_config = |exclude: &str| {
        let text = format!(
            "schema = \"openapi.yaml\"\n[crate]\nname = \"t\"\nversion = \"0.1.0\"\n[operations]\ninclude = \"all\"\nexclude = [\"{exclude}\"]\n"
        );
        fs::write(&config, text).unwrap();
    };
    let all_code = |generated: &openapi_typed_codegen::Generated| -> String {
        generated.files.iter().map(|f| f.contents.as_str()).collect()
    };

    write_config("things_purge");
    let code = all_code(&openapi_typed_codegen::generate(&config).unwrap());
    assert!(code.contains("operation `things_get`"), "the other operation stays");
    assert!(!code.contains("things_purge"), "the excluded operation is left out");

    write_config("things_prge");
    let err = openapi_typed_codegen::generate(&config).unwrap_err().to_string();
    assert!(
        err.contains("`[operations] exclude` names `things_prge`, which is not an operationId"),
        "{err}"
    );
    assert!(err.contains("did you mean `things_purge`?"), "{err}");
}

#[test]
fn strict_mode_turns_warnings_into_an_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // No operationId: named after method and path, with a warning.
    fs::write(
        dir.path().join("openapi.yaml"),
        GOOD_SCHEMA.replace("      operationId: things_get\n", ""),
    )
    .unwrap();
    let config = dir.path().join("codegen.toml");
    let text =
        "schema = \"openapi.yaml\"\n[crate]\nname = \"t\"\nversion = \"0.1.0\"\n[operations]\ninclude = \"all\"\n";
    fs::write(&config, text).unwrap();
    let out = dir.path().join("out");

    let err = openapi_typed_codegen::run_with(&config, &out, Mode::Write, true)
        .unwrap_err()
        .to_string();
    assert!(err.contains("1 warning(s), and warnings are errors here"), "{err}");
    assert!(err.contains("#/paths/~1things~1{id}/get: no operationId"), "{err}");
    assert!(
        !out.exists(),
        "nothing is written in strict mode when there is a warning"
    );

    let run = openapi_typed_codegen::run_with(&config, &out, Mode::Write, false).unwrap();
    assert_eq!(run.warnings.len(), 1);
    assert!(out.join("src/lib.rs").exists());
}

/// A schema in another file that does not read: the warning (and the strict error) names
/// that file, not the root document the bundler brought it into.
#[test]
fn a_broken_schema_in_another_file_is_warned_about_at_that_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n      operationId: a_create\n      requestBody:\n        content:\n          application/json:\n            schema: {$ref: 'schemas/thing.yaml'}\n      responses:\n        '204': {description: done}\n";
    fs::write(dir.path().join("openapi.yaml"), root).unwrap();
    fs::create_dir(dir.path().join("schemas")).unwrap();
    let thing = "type: object\nrequired: name\nproperties:\n  name: {type: string}\n";
    fs::write(dir.path().join("schemas/thing.yaml"), thing).unwrap();
    let config = dir.path().join("codegen.toml");
    fs::write(
        &config,
        "schema = \"openapi.yaml\"\n[crate]\nname = \"t\"\nversion = \"0.1.0\"\n[operations]\ninclude = \"all\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");

    let run = openapi_typed_codegen::run_with(&config, &out, Mode::Write, false).unwrap();
    let warnings: Vec<String> = run.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("schemas/thing.yaml#"), "{warnings:?}");
    assert!(warnings[0].contains("typed as any JSON value"), "{warnings:?}");

    let err = openapi_typed_codegen::run_with(&config, &dir.path().join("strict"), Mode::Write, true).unwrap_err();
    assert!(err.to_string().contains("schemas/thing.yaml#"), "{err}");
}

#[test]
fn an_operation_missing_from_the_description_is_named_with_a_suggestion() {
    let ws = Workspace::new();
    let before = snapshot_dir(&ws.out());
    ws.set_schema("yaml", GOOD_SCHEMA, "things_gte");
    let err = openapi_typed_codegen::run(&ws.config(), &ws.out(), Mode::Write)
        .unwrap_err()
        .to_string();
    assert!(err.contains("names `things_gte`, which is not an operationId"), "{err}");
    assert!(err.contains("did you mean `things_get`?"), "{err}");
    assert_eq!(snapshot_dir(&ws.out()), before);
}

#[test]
fn only_changed_files_are_written_and_check_names_stale_ones() {
    let ws = Workspace::new();
    let out = ws.out();
    // A second run changes nothing.
    let run = openapi_typed_codegen::run(&ws.config(), &out, Mode::Write).unwrap();
    assert!(run.report.is_clean(), "{:?}", run.report);

    // Hand edits and stale generated files are found by --check, which touches nothing...
    let header = fs::read_to_string(out.join("src/lib.rs"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let edited = format!("{header}\n// edited\n");
    fs::write(out.join("src/models/mod.rs"), &edited).unwrap();
    fs::write(out.join("src/stray.rs"), format!("{header}\n")).unwrap();
    fs::write(
        out.join("notes.txt"),
        format!("{header}\nonce generated, outside src/\n"),
    )
    .unwrap();
    fs::create_dir_all(out.join("target/debug")).unwrap();
    fs::write(out.join("target/debug/build.log"), "cargo's, built in place\n").unwrap();
    fs::write(out.join("Cargo.lock"), "# cargo's\n").unwrap();
    let mtime = |p: &str| fs::metadata(out.join(p)).unwrap().modified().unwrap();
    let lib_before = mtime("src/lib.rs");
    let check = openapi_typed_codegen::run(&ws.config(), &out, Mode::Check).unwrap();
    assert_eq!(check.report.changed, ["src/models/mod.rs"]);
    assert_eq!(check.report.removed, ["notes.txt", "src/stray.rs"]);
    assert_eq!(fs::read_to_string(out.join("src/models/mod.rs")).unwrap(), edited);

    // ...and fixed by a write, which leaves unchanged files alone.
    let run = openapi_typed_codegen::run(&ws.config(), &out, Mode::Write).unwrap();
    assert_eq!(run.report.changed, ["src/models/mod.rs"]);
    assert!(!out.join("src/stray.rs").exists());
    assert!(!out.join("notes.txt").exists());
    assert!(out.join("target/debug/build.log").exists() && out.join("Cargo.lock").exists());
    assert_eq!(mtime("src/lib.rs"), lib_before);
    assert!(
        openapi_typed_codegen::run(&ws.config(), &out, Mode::Check)
            .unwrap()
            .report
            .is_clean()
    );
    // No temp files are left behind.
    assert!(
        snapshot_dir(&out)
            .keys()
            .all(|p| !p.to_string_lossy().contains("codegen-tmp"))
    );
}

#[test]
fn real_description_generates_the_same_headed_files_twice() {
    let config = workspace_root().join("schema/codegen.toml");
    let first = openapi_typed_codegen::generate(&config).unwrap();
    let second = openapi_typed_codegen::generate(&config).unwrap();
    assert_eq!(first.files, second.files);
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    // generated/ is exactly these files (the freshness test), so each of its files is
    // marked as the generator's.
    for file in &first.files {
        let first_line = file.contents.lines().next().unwrap_or_default();
        assert!(first_line.contains("@generated"), "{} lacks the header", file.path);
    }
}

/// A few operations of a big JSON description load through the pruned fast path; what
/// it generates must not differ by a byte from what the whole description generates.
#[test]
fn pruned_load_generates_the_same_bytes_as_a_full_load() {
    let config = openapi_typed_codegen::Config::load(&workspace_root().join("codegen/tests/pruned_seed.toml")).unwrap();
    let pruned = openapi_typed_codegen::load_document(&config).unwrap();
    let full = openapi_typed_codegen::load::load(&config.schema_path()).unwrap();
    assert!(
        pruned.openapi.paths.paths.len() < full.openapi.paths.paths.len() / 10,
        "the seed config should take the pruned path ({} of {} paths)",
        pruned.openapi.paths.paths.len(),
        full.openapi.paths.paths.len()
    );
    let from_pruned = openapi_typed_codegen::generate_from(&pruned, &config).unwrap();
    let from_full = openapi_typed_codegen::generate_from(&full, &config).unwrap();
    assert_eq!(from_pruned.files, from_full.files);
    assert_eq!(from_pruned.warnings, from_full.warnings);
}

/// The real config, overlays and all, cut to the seed operations: the tree is corrected
/// whole, then cut before it is typed; what it generates must not differ by a byte from
/// what the whole corrected description generates.
#[test]
fn a_selection_with_overlays_generates_the_same_bytes_as_the_whole_corrected_description() {
    use openapi_typed_codegen::config::Selection;
    let mut config = openapi_typed_codegen::Config::load(&workspace_root().join("schema/codegen.toml")).unwrap();
    let seed = ["api_storages_s3_partial_update", "api_token_refresh_create"];
    config.operations.include = Selection::Ids(seed.map(str::to_owned).to_vec());
    let cut = openapi_typed_codegen::load_document(&config).unwrap();
    let overlays: Vec<_> = config
        .overlay_paths()
        .iter()
        .map(|path| openapi_typed_codegen::overlay::Overlay::load(path).unwrap())
        .collect();
    assert!(!overlays.is_empty(), "the real config should have overlays");
    let file = config.schema_path();
    let text = fs::read_to_string(&file).unwrap();
    let whole = openapi_typed_codegen::load::parse_corrected(&file, &text, &overlays).unwrap();
    assert!(
        cut.openapi.paths.paths.len() < whole.openapi.paths.paths.len() / 10,
        "the selection should be cut before it is typed ({} of {} paths)",
        cut.openapi.paths.paths.len(),
        whole.openapi.paths.paths.len()
    );
    let from_cut = openapi_typed_codegen::generate_from(&cut, &config).unwrap();
    let from_whole = openapi_typed_codegen::generate_from(&whole, &config).unwrap();
    assert_eq!(from_cut.files, from_whole.files);
    assert_eq!(from_cut.warnings, from_whole.warnings);
}

/// Every method of a generated builder is one every builder has
/// (`naming::BUILDER_METHODS`, which the API change report leaves out and no input may
/// take) or the setter of one of its operation's inputs: a method added to every
/// builder without joining that table shows up here as a setter nothing explains.
#[test]
fn every_builder_method_is_common_or_sets_one_of_its_inputs() {
    use openapi_typed_codegen::ir::Body;
    let generated = openapi_typed_codegen::generate(&workspace_root().join("schema/codegen.toml")).unwrap();
    let surface = openapi_typed_codegen::surface::Surface::of_files(&generated.files).unwrap();
    let api = real_api();
    let mut checked = 0;
    for op in &api.operations {
        let read = &surface.operations[&op.id];
        let mut inputs: std::collections::BTreeSet<&str> = op.params().map(|p| p.rust_name.as_str()).collect();
        match &op.body {
            Some(Body::Fields { fields, .. }) => {
                inputs.extend(fields.iter().map(|f| f.arg_name.as_str()));
                inputs.extend(fields.iter().filter_map(|f| f.null_setter.as_deref()));
            }
            Some(Body::Form { fields, .. }) => inputs.extend(fields.iter().map(|f| f.arg_name.as_str())),
            _ => {}
        }
        // Whatever its kind, a body can be given whole.
        inputs.insert("body");
        for setter in read.setters.keys() {
            assert!(
                inputs.contains(setter.as_str()),
                "{}: `{setter}` sets no input of it",
                op.id
            );
            checked += 1;
        }
    }
    assert!(
        checked > 200,
        "checked only {checked} setters: is the surface read right?"
    );
}

/// Loads and lowers the real description as `cargo xtask codegen` does.
fn real_api() -> openapi_typed_codegen::ir::Api {
    let config = openapi_typed_codegen::Config::load(&workspace_root().join("schema/codegen.toml")).unwrap();
    let doc = openapi_typed_codegen::load_document(&config).unwrap();
    openapi_typed_codegen::lower::lower(&doc, &config).unwrap().0
}

/// Walking pages re-sends the request once per page: only a GET may do that. The
/// description gives some POSTs a `page` parameter and a paginated reply.
#[test]
fn only_gets_walk_pages() {
    let api = real_api();
    let paged: Vec<_> = api.operations.iter().filter(|op| op.pagination.is_some()).collect();
    assert!(!paged.is_empty());
    for op in &paged {
        assert_eq!(
            op.http_method,
            openapi_typed_codegen::ir::HttpMethod::Get,
            "{} walks pages",
            op.id
        );
    }
    let with_page_parameter =
        |op: &&openapi_typed_codegen::ir::Operation| op.query_params.iter().any(|p| p.wire_name == "page");
    let not_get = api
        .operations
        .iter()
        .filter(with_page_parameter)
        .find(|op| op.http_method != openapi_typed_codegen::ir::HttpMethod::Get);
    assert!(
        not_get.is_some_and(|op| op.pagination.is_none()),
        "a non-GET with a `page` parameter exists and gets no page walk"
    );
}

/// Generating into a folder the user already keeps things in (`--out path/to/crate`):
/// only a stale file carrying the generator's header goes; the user's own files, and
/// anything under a hidden folder, stay, and are named in the report.
#[test]
fn generating_into_a_users_folder_deletes_only_stale_generated_files() {
    let ws = Workspace::new();
    let out = ws.out();
    let header = fs::read_to_string(out.join("src/lib.rs"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    fs::create_dir_all(out.join(".git/refs/tags")).unwrap();
    fs::write(out.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    fs::write(out.join(".git/config"), "[core]\n").unwrap();
    fs::write(out.join("NOTES.md"), "# my notes\n").unwrap();
    fs::create_dir_all(out.join("examples")).unwrap();
    fs::write(out.join("examples/demo.rs"), "fn main() {}\n").unwrap();
    let stale = format!("{header}\npub fn gone() {{}}\n");
    fs::write(out.join("src/stale_group.rs"), &stale).unwrap();
    let users = [".git/HEAD", ".git/config", "NOTES.md", "examples/demo.rs"];
    let kept_bytes = |p: &str| fs::read(out.join(p)).ok();
    let before: Vec<_> = users.iter().map(|p| kept_bytes(p)).collect();

    // --check names the stale file (the check fails) and the user's files (it does not).
    let check = openapi_typed_codegen::run(&ws.config(), &out, Mode::Check).unwrap();
    assert_eq!(check.report.removed, ["src/stale_group.rs"]);
    assert_eq!(check.report.foreign, ["NOTES.md", "examples/demo.rs"]);
    assert!(!check.report.is_clean());

    let run = openapi_typed_codegen::run(&ws.config(), &out, Mode::Write).unwrap();
    assert_eq!(run.report.removed, ["src/stale_group.rs"]);
    assert_eq!(run.report.foreign, ["NOTES.md", "examples/demo.rs"]);
    assert!(!out.join("src/stale_group.rs").exists());
    let after: Vec<_> = users.iter().map(|p| kept_bytes(p)).collect();
    assert_eq!(after, before, "the user's files are untouched");
    assert!(
        out.join(".git/refs/tags").is_dir(),
        "an empty folder of the user's stays"
    );

    // With the stale file gone, the user's files alone do not make the folder stale.
    let check = openapi_typed_codegen::run(&ws.config(), &out, Mode::Check).unwrap();
    assert!(check.report.is_clean(), "{:?}", check.report);
    assert_eq!(check.report.foreign, ["NOTES.md", "examples/demo.rs"]);
}

/// A file the generator would write, but that is the user's (no header): nothing is
/// overwritten, nothing else written, and the error names it.
#[test]
fn a_users_file_where_a_generated_one_goes_stops_the_write() {
    let ws = Workspace::new();
    let out = ws.out();
    fs::write(out.join("Cargo.toml"), "[package]\nname = \"mine\"\n").unwrap();
    fs::remove_file(out.join("src/lib.rs")).unwrap();
    let before = snapshot_dir(&out);
    let err = openapi_typed_codegen::run(&ws.config(), &out, Mode::Write)
        .unwrap_err()
        .to_string();
    assert!(err.contains("Cargo.toml"), "{err}");
    assert!(err.contains("@generated"), "{err}");
    assert_eq!(snapshot_dir(&out), before, "nothing was written");
}

/// A symlink in the output folder is never followed into, deleted or written through.
#[cfg(unix)]
#[test]
fn a_symlinked_folder_in_the_output_is_not_followed() {
    let ws = Workspace::new();
    let out = ws.out();
    let elsewhere = tempfile::tempdir().unwrap();
    let header = fs::read_to_string(out.join("src/lib.rs"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    fs::write(elsewhere.path().join("old.rs"), format!("{header}\n")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), out.join("src/linked")).unwrap();
    let run = openapi_typed_codegen::run(&ws.config(), &out, Mode::Write).unwrap();
    assert!(elsewhere.path().join("old.rs").exists());
    assert_eq!(run.report.foreign, ["src/linked"]);
}

/// `[retries] idempotency_key = true`: every call honours the key, not only those
/// declaring the header (the generated request says so).
#[test]
fn the_config_can_say_every_call_honours_an_idempotency_key() {
    let doc = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n      operationId: a_create\n      responses:\n        '204': {description: done}\n";
    let doc = openapi_typed_codegen::load::parse(Path::new("keys/openapi.yaml"), doc).unwrap();
    let honoured = |extra: &str| {
        let text = format!(
            "schema = \"openapi.yaml\"\n[crate]\nname = \"t\"\nversion = \"0.1.0\"\n[operations]\ninclude = \"all\"\n{extra}"
        );
        let config = openapi_typed_codegen::Config::parse(Path::new("keys/codegen.toml"), &text).unwrap();
        let generated = openapi_typed_codegen::generate_from(&doc, &config).unwrap();
        let calls = generated.files.iter().find(|f| f.path == "src/a.rs").unwrap();
        calls.contents.contains("honours_idempotency_key: true")
    };
    assert!(!honoured(""));
    assert!(honoured("[retries]\nidempotency_key = true\n"));
}
