//! One small description per concern under `tests/fixtures/<name>/`, each snapshotted
//! (the emitted code, or the error for `error_*` fixtures). The emitted crates are also
//! built, linted and tested — see `fixture_crates_build_lint_and_pass_their_tests`.

use std::path::{Path, PathBuf};
use std::process::Command;

use openapi_typed_codegen::output::{self, Mode};

const FIXTURES: &str = "tests/fixtures";

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(FIXTURES)
        .expect("tests/fixtures exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The emitted files a reviewer reads (the runtime is the same everywhere and skipped).
fn render(generated: &openapi_typed_codegen::Generated) -> String {
    let mut out = String::new();
    if !generated.warnings.is_empty() {
        out.push_str("warnings:\n");
        for w in &generated.warnings {
            out.push_str(&format!("- {w}\n"));
        }
        out.push('\n');
    }
    for file in generated.files.iter().filter(|f| !f.path.starts_with("src/runtime/")) {
        out.push_str(&format!("=== {} ===\n{}\n", file.path, file.contents));
    }
    out
}

fn snapshot(name: &str) {
    let config = Path::new(FIXTURES).join(name).join("codegen.toml");
    let text = match (name.starts_with("error_"), openapi_typed_codegen::generate(&config)) {
        (false, Ok(generated)) => render(&generated),
        (true, Err(err)) => format!("error: {err}\n"),
        (false, Err(err)) => panic!("fixture {name} should generate, but: {err}"),
        (true, Ok(_)) => panic!("fixture {name} should fail, but generated"),
    };
    insta::with_settings!({ snapshot_path => "snapshots/fixtures", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

macro_rules! fixtures {
    ($($name:ident),* $(,)?) => {
        $( #[test] fn $name() { snapshot(stringify!($name)); } )*
        const LISTED: &[&str] = &[$(stringify!($name)),*];
    };
}

fixtures!(
    all_of,
    auth_cookie,
    auth_schemes,
    collisions,
    components_only,
    direction_twins,
    discriminated_inline,
    enum_unknown,
    error_broken_json,
    error_broken_yaml,
    error_dangling_ref,
    error_missing_operation,
    error_overlay_no_match,
    error_path_placeholder,
    error_ref_absolute,
    error_ref_file_syntax,
    error_ref_missing_file,
    error_ref_outside,
    error_ref_remote,
    examples,
    form_encodings,
    group_features,
    inline_body,
    int_enum,
    limits,
    maps_arrays_formats,
    media,
    multi_file,
    one_of,
    openapi31,
    overlay,
    pagination,
    params,
    patch_defaults,
    query_objects,
    recursive,
    ref_chain,
    runtime_crate,
    same_shape,
    sensitive,
    skip_unsupported,
    sloppy,
    streams,
    styles,
    swagger2,
    tagless,
    tri_state,
    types_only,
    unreadable_parts,
    uploads,
    webhooks,
    webhooks_only,
);

#[test]
fn every_fixture_folder_has_a_test() {
    assert_eq!(fixture_names(), LISTED, "add new fixture folders to the fixtures! list");
}

#[test]
fn generation_is_deterministic() {
    for name in fixture_names().iter().filter(|n| !n.starts_with("error_")) {
        let config = Path::new(FIXTURES).join(name).join("codegen.toml");
        let first = openapi_typed_codegen::generate(&config).unwrap().files;
        let second = openapi_typed_codegen::generate(&config).unwrap().files;
        assert_eq!(first, second, "{name}");
        for file in first
            .iter()
            .filter(|f| f.path.ends_with(".rs") || f.path.ends_with(".toml"))
        {
            assert!(
                file.contents.contains("@generated"),
                "{name}/{} lacks the header",
                file.path
            );
            let first_line = file.contents.lines().next().unwrap_or_default();
            assert!(
                first_line.contains("@generated"),
                "{name}/{}: header must be the first line",
                file.path
            );
        }
    }
}

/// Writes every fixture's crate into one throwaway workspace, each beside a crate of its
/// hand-written tests (`tests/*.rs` in its folder, their dependencies in `tests.toml`),
/// then runs clippy (`-D warnings`, tests included, and the library with every feature on)
/// and the tests on it. Uses its own
/// target dir, so it can run while cargo holds ours.
#[test]
fn fixture_crates_build_lint_and_pass_their_tests() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace_root = manifest_dir.parent().unwrap();
    let root = workspace_root.join("target/fixture-crates");
    let mut members = Vec::new();
    // With group features: (crate, group) for a lint of the crate with that group alone.
    let mut lone_groups = Vec::new();
    for name in fixture_names().iter().filter(|n| !n.starts_with("error_")) {
        let fixture = Path::new(FIXTURES).join(name);
        let config = openapi_typed_codegen::Config::load(&fixture.join("codegen.toml")).unwrap();
        let generated = openapi_typed_codegen::generate(&fixture.join("codegen.toml")).unwrap();
        output::sync(&root.join(name), &generated.files, Mode::Write).unwrap();
        write_tests_crate(&fixture, &root.join(format!("{name}-tests")), name, &config.krate.name);
        if config.krate.group_features {
            let manifest = generated.files.iter().find(|f| f.path == "Cargo.toml").unwrap();
            let manifest: toml::Table = manifest.contents.parse().unwrap();
            for group in manifest["features"]["default"].as_array().unwrap() {
                lone_groups.push((config.krate.name.clone(), group.as_str().unwrap().to_owned()));
            }
        }
        members.push(format!("{name:?}, \"{name}-tests\""));
    }
    // No debug info, no incremental state: ~40 test binaries would take gigabytes of disk.
    let manifest = format!(
        "[workspace]\nresolver = \"2\"\nmembers = [{}]\n\n[profile.dev]\ndebug = false\nincremental = false\n",
        members.join(", ")
    );
    std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    // Same dependency versions as the main workspace, so nothing new is downloaded.
    std::fs::copy(workspace_root.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let lone_group_lints = lone_groups.iter().map(|(krate, group)| {
        let args = [
            "clippy",
            "-p",
            krate,
            "--lib",
            "--no-default-features",
            "--features",
            group,
        ];
        args.into_iter()
            .chain(["--offline", "--quiet", "--", "-D", "warnings"])
            .collect::<Vec<_>>()
    });
    let lone_group_lints: Vec<Vec<&str>> = lone_group_lints.collect();
    let fixed: [&[&str]; 3] = [
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--offline",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ][..],
        // The optional features (tracing, blocking, roundtrip) lint clean too.
        &[
            "clippy",
            "--workspace",
            "--lib",
            "--all-features",
            "--offline",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ][..],
        &["test", "--workspace", "--offline", "--quiet"][..],
    ];
    for args in fixed.into_iter().chain(lone_group_lints.iter().map(Vec::as_slice)) {
        let out = Command::new(&cargo)
            .args(args)
            .current_dir(&root)
            .env("CARGO_TARGET_DIR", root.join("target"))
            .env_remove("RUSTFLAGS")
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "`cargo {}` failed in {}:\n{}{}",
            args.join(" "),
            root.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The crate holding one fixture's tests: depends on the generated crate (as `tests.toml`
/// says, or plainly), so the generated manifest stays exactly as emitted.
fn write_tests_crate(fixture: &Path, dir: &Path, name: &str, crate_name: &str) {
    let tests = fixture.join("tests");
    assert!(
        tests.is_dir(),
        "fixture {name} has no tests/ folder: every generating fixture needs tests"
    );
    let extra = std::fs::read_to_string(fixture.join("tests.toml")).unwrap_or_default();
    let mut table: toml::Table = extra.parse().unwrap_or_else(|e| panic!("{name}/tests.toml: {e}"));
    let deps = table
        .entry("dev-dependencies")
        .or_insert_with(|| toml::Table::new().into())
        .as_table_mut()
        .unwrap_or_else(|| panic!("{name}/tests.toml: [dev-dependencies] is not a table"));
    if !deps.contains_key(crate_name) {
        let mut dep = toml::Table::new();
        dep.insert("path".to_owned(), format!("../{name}").into());
        deps.insert(crate_name.to_owned(), dep.into());
    }
    let package = format!(
        "[package]\nname = \"{crate_name}-tests\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n"
    );
    let _ = std::fs::remove_dir_all(dir); // tests removed from the fixture must not linger
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), package + &table.to_string()).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "//! Only tests here.\n").unwrap();
    copy_files(&tests, &dir.join("tests"));
}

fn copy_files(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target: PathBuf = to.join(entry.file_name());
        std::fs::copy(entry.path(), target).unwrap();
    }
}

/// No generated file defines one name twice in one namespace (the compiler's E0428):
/// every name the generator makes up (types, default fns, handles) is claimed in one
/// scope. Read from the emitted files of every fixture, so a new kind of item is covered.
#[test]
fn no_generated_module_defines_a_name_twice() {
    for name in fixture_names().iter().filter(|n| !n.starts_with("error_")) {
        let config = Path::new(FIXTURES).join(name).join("codegen.toml");
        let generated = openapi_typed_codegen::generate(&config).unwrap();
        for file in generated.files.iter().filter(|f| f.path.ends_with(".rs")) {
            let parsed = syn::parse_file(&file.contents).unwrap_or_else(|e| panic!("{name}/{}: {e}", file.path));
            let mut clashes = Vec::new();
            find_clashes(&parsed.items, &file.path, &mut clashes);
            assert!(clashes.is_empty(), "{name}: defined twice: {clashes:?}");
        }
    }
}

/// Names defined twice among `items` (and inside their inline modules), by namespace and
/// `cfg`: items under different `cfg`s may share a name, as only one is compiled.
fn find_clashes(items: &[syn::Item], module: &str, clashes: &mut Vec<String>) {
    use quote::ToTokens;
    let mut seen = std::collections::BTreeSet::new();
    for item in items {
        let (namespace, ident, attrs) = match item {
            syn::Item::Fn(f) => ("value", &f.sig.ident, &f.attrs),
            syn::Item::Const(c) => ("value", &c.ident, &c.attrs),
            syn::Item::Static(s) => ("value", &s.ident, &s.attrs),
            syn::Item::Struct(s) => ("type", &s.ident, &s.attrs),
            syn::Item::Enum(e) => ("type", &e.ident, &e.attrs),
            syn::Item::Type(t) => ("type", &t.ident, &t.attrs),
            syn::Item::Trait(t) => ("type", &t.ident, &t.attrs),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    find_clashes(inner, &format!("{module}::{}", m.ident), clashes);
                }
                ("type", &m.ident, &m.attrs)
            }
            _ => continue,
        };
        let cfg: Vec<String> = attrs
            .iter()
            .filter(|a| a.path().is_ident("cfg"))
            .map(|a| a.to_token_stream().to_string())
            .collect();
        if !seen.insert((namespace, ident.to_string(), cfg)) {
            clashes.push(format!("{module}: {ident}"));
        }
    }
}
