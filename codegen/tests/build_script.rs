//! The library API for build scripts: one bundled file with every module inlined, the
//! crate's manifest beside it, the same every time, and errors instead of panics.

use std::path::{Path, PathBuf};

fn fixture_config(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .join("codegen.toml")
}

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/build-script-test")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_config_file_gives_one_file_with_every_module_inlined() {
    let dir = out_dir("inlined");
    let built = openapi_typed_codegen::Builder::from_config_file(fixture_config("pagination"))
        .out_dir(&dir)
        .cargo_instructions(false)
        .generate()
        .unwrap();
    let code = std::fs::read_to_string(&built.path).unwrap();
    assert!(code.starts_with("// @generated"));
    let file = syn::parse_file(&code).unwrap();
    assert!(file.attrs.is_empty(), "an include!d file cannot have inner attributes");
    // Every module of the multi-file crate is here, with its body.
    let generated = openapi_typed_codegen::generate(&fixture_config("pagination")).unwrap();
    let mut modules = 0;
    for f in generated
        .files
        .iter()
        .filter(|f| f.path.ends_with(".rs") && f.path != "src/lib.rs")
    {
        let name = Path::new(&f.path).file_stem().unwrap().to_str().unwrap();
        let name = if name == "mod" {
            f.path.rsplit('/').nth(1).unwrap()
        } else {
            name
        };
        assert!(
            code.contains(&format!("mod {name} {{")),
            "module `{name}` ({}) not inlined",
            f.path
        );
        modules += 1;
    }
    assert!(modules > 3);
    assert!(!code.contains("mod runtime;"));
    let manifest = std::fs::read_to_string(dir.join("client.Cargo.toml")).unwrap();
    assert_eq!(manifest, built.manifest);
    assert!(manifest.contains("[features]"));
}

#[test]
fn generating_twice_writes_the_same_bytes_and_leaves_the_file_alone() {
    let dir = out_dir("twice");
    let build = || {
        openapi_typed_codegen::Builder::from_config_file(fixture_config("params"))
            .out_dir(&dir)
            .file_name("params.rs")
            .cargo_instructions(false)
            .generate()
            .unwrap()
    };
    let first = build();
    let bytes = std::fs::read(&first.path).unwrap();
    let modified = std::fs::metadata(&first.path).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = build();
    assert_eq!(std::fs::read(&second.path).unwrap(), bytes);
    // Untouched: an unchanged description does not rebuild the crate that includes it.
    assert_eq!(std::fs::metadata(&second.path).unwrap().modified().unwrap(), modified);
}

#[test]
fn a_config_made_in_code_generates_like_the_same_config_read_from_a_file() {
    let from_file = openapi_typed_codegen::Config::load(&fixture_config("params")).unwrap();
    let mut in_code = openapi_typed_codegen::Config::for_schema(from_file.schema_path());
    in_code.krate = from_file.krate.clone();
    in_code.operations = from_file.operations.clone();
    in_code.fields = from_file.fields.clone();
    in_code.types = from_file.types.clone();
    in_code.groups = from_file.groups.clone();
    let [a, b] = [from_file, in_code].map(|config| {
        let dir = out_dir(&format!("same-{}", config.file.display()).replace(['/', '.'], "_"));
        let built = openapi_typed_codegen::Builder::from_config(config)
            .out_dir(&dir)
            .cargo_instructions(false)
            .generate()
            .unwrap();
        std::fs::read_to_string(built.path).unwrap()
    });
    assert_eq!(a, b);
}

#[test]
fn bad_input_is_an_error_naming_it_and_nothing_is_written() {
    let dir = out_dir("bad");
    let missing = openapi_typed_codegen::Builder::from_config_file("no/such/codegen.toml")
        .out_dir(&dir)
        .cargo_instructions(false)
        .generate()
        .unwrap_err();
    assert!(missing.to_string().contains("no/such/codegen.toml"), "{missing}");
    let broken =
        openapi_typed_codegen::Config::for_schema(fixture_config("error_broken_yaml").with_file_name("openapi.yaml"));
    let err = openapi_typed_codegen::Builder::from_config(broken)
        .out_dir(&dir)
        .cargo_instructions(false)
        .generate()
        .unwrap_err();
    assert!(!err.to_string().is_empty());
    assert!(!dir.exists(), "nothing written on an error");
}

#[test]
fn every_file_a_multi_file_description_reads_is_listed_for_rebuilds() {
    let config = openapi_typed_codegen::Config::load(&fixture_config("multi_file")).unwrap();
    let doc = openapi_typed_codegen::load_document(&config).unwrap();
    let names: Vec<String> = doc
        .files
        .iter()
        .map(|f| {
            f.strip_prefix(config.schema_path().parent().unwrap())
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names[0], "openapi.yaml", "the root first: {names:?}");
    assert_eq!(
        sorted,
        [
            "docs/intro.md",
            "docs/pets.md",
            "mirror/labels.yaml",
            "openapi.yaml",
            "paths/parameters.yaml",
            "paths/pets.yaml",
            "paths/responses.yaml",
            "schemas/Owner.yaml",
            "schemas/Pet.yaml",
            "schemas/common.yaml",
        ]
    );
}
