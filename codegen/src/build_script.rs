//! Generating from a `build.rs`, prost-build style: the crate is written as one Rust
//! file into `OUT_DIR` and included at the root of a crate of yours.
//!
//! ```no_run
//! // build.rs, in its `fn main()`:
//! if let Err(err) = openapi_typed_codegen::Builder::from_config_file("codegen.toml").generate() {
//!     panic!("{err}");
//! }
//! // src/lib.rs: include!(concat!(env!("OUT_DIR"), "/client.rs"));
//! ```
//!
//! The including crate needs the dependencies and features the generated `Cargo.toml`
//! lists ([`Built::manifest`], also written beside the code as `client.Cargo.toml`):
//! generated code uses `crate::` paths, and `#[cfg(feature = ..)]` for `roundtrip`,
//! `tracing` and `blocking`.

use std::path::PathBuf;

use crate::config::{Config, CrateConfig, OperationsConfig, Selection};
use crate::error::{Error, Result};
use crate::{OutputFile, Warning};

/// Where the config comes from.
#[derive(Debug)]
enum Source {
    File(PathBuf),
    Code(Box<Config>),
}

/// Generates a client at build time.
#[derive(Debug)]
#[must_use = "call `.generate()`"]
pub struct Builder {
    source: Source,
    out_dir: Option<PathBuf>,
    file_name: String,
    cargo_instructions: bool,
}

/// What [`Builder::generate`] wrote.
#[derive(Debug)]
pub struct Built {
    /// The Rust file to `include!`.
    pub path: PathBuf,
    /// The generated crate's `Cargo.toml`: the dependencies and features the including
    /// crate must declare.
    pub manifest: String,
    pub warnings: Vec<Warning>,
}

impl Builder {
    /// Reads the config from a `codegen.toml` (paths in it are relative to it).
    pub fn from_config_file(path: impl Into<PathBuf>) -> Builder {
        Builder::with(Source::File(path.into()))
    }

    /// Uses a config made in code (see [`Config::for_schema`]).
    pub fn from_config(config: Config) -> Builder {
        Builder::with(Source::Code(Box::new(config)))
    }

    fn with(source: Source) -> Builder {
        Builder {
            source,
            out_dir: None,
            file_name: "client.rs".to_owned(),
            cargo_instructions: true,
        }
    }

    /// Writes into `dir` instead of `$OUT_DIR`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Builder {
        self.out_dir = Some(dir.into());
        self
    }

    /// The file's name in the output folder (default `client.rs`).
    pub fn file_name(mut self, name: impl Into<String>) -> Builder {
        self.file_name = name.into();
        self
    }

    /// Whether to print `cargo:rerun-if-changed` and `cargo:warning` lines (default:
    /// yes; turn off outside a build script).
    pub fn cargo_instructions(mut self, print: bool) -> Builder {
        self.cargo_instructions = print;
        self
    }

    /// Generates, bundles the crate into one file and writes it (only if it changed, so
    /// an unchanged description does not rebuild the including crate).
    pub fn generate(self) -> Result<Built> {
        let config = match self.source {
            Source::File(path) => Config::load(&path)?,
            Source::Code(config) => *config,
        };
        if self.cargo_instructions {
            let inputs = [config.file.clone(), config.schema_path()].into_iter();
            for input in inputs.chain(config.overlay_paths()).filter(|p| p.is_file()) {
                println!("cargo:rerun-if-changed={}", input.display());
            }
        }
        let doc = crate::load_document(&config)?;
        if self.cargo_instructions {
            // The files a multi-file description's `$ref`s reached.
            for file in doc.files.iter().skip(1) {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
        let generated = crate::generate_from(&doc, &config)?;
        if self.cargo_instructions {
            for warning in &generated.warnings {
                // One line each: cargo shows only the first line of a warning.
                println!("cargo:warning={}", warning.to_string().replace('\n', " "));
            }
        }
        let out_dir = match self.out_dir.or_else(|| std::env::var_os("OUT_DIR").map(PathBuf::from)) {
            Some(dir) => dir,
            None => return Err(config.error("no output folder: set `out_dir(..)` or run from a build script")),
        };
        let code = bundle(&generated.files)?;
        let manifest = file(&generated.files, "Cargo.toml")?.contents.clone();
        let path = out_dir.join(&self.file_name);
        crate::output::write_if_changed(&path, &code)?;
        let stem = self.file_name.strip_suffix(".rs").unwrap_or(&self.file_name);
        crate::output::write_if_changed(&out_dir.join(format!("{stem}.Cargo.toml")), &manifest)?;
        Ok(Built {
            path,
            manifest,
            warnings: generated.warnings,
        })
    }
}

impl Config {
    /// A config for `schema` made in code: every operation, a crate named `client`;
    /// change the fields you need (`operations.include`, `fields.sensitive`, ...).
    /// Relative paths (the schema, overlays) resolve against the current folder, which
    /// in a build script is the crate's.
    pub fn for_schema(schema: impl Into<PathBuf>) -> Config {
        Config {
            schema: schema.into(),
            overlays: Vec::new(),
            ref_mirrors: Default::default(),
            ref_root: None,
            krate: CrateConfig {
                name: "client".to_owned(),
                version: "0.1.0".to_owned(),
                description: None,
                types_only: false,
                runtime: None,
                group_features: false,
            },
            operations: OperationsConfig {
                include: Selection::Keyword("all".to_owned()),
                tags: Vec::new(),
                exclude: Vec::new(),
                rename: Default::default(),
            },
            groups: Default::default(),
            types: Default::default(),
            fields: Default::default(),
            auth: Default::default(),
            streams: Default::default(),
            retries: Default::default(),
            file: PathBuf::from("./build.rs"),
        }
    }
}

fn file<'a>(files: &'a [OutputFile], path: &str) -> Result<&'a OutputFile> {
    files.iter().find(|f| f.path == path).ok_or_else(|| Error::Config {
        file: PathBuf::from(path),
        message: "the generator wrote no such file".to_owned(),
    })
}

/// The crate as one file: each `mod x;` replaced by `mod x { .. }` with its file's items,
/// and the root's inner attributes (not allowed in an `include!`d file) put on each item.
pub fn bundle(files: &[OutputFile]) -> Result<String> {
    let root = parse(file(files, "src/lib.rs")?)?;
    let mut items = inline_modules(files, "src", root.items)?;
    // Outer attributes cannot be cloned in syn 3 without a feature; keep them as tokens.
    let mut inherited = proc_macro2::TokenStream::new();
    for mut attr in root.attrs.into_iter().filter(|a| !a.path().is_ident("doc")) {
        // Lints about a whole crate's identifiers are the including crate's to set.
        let whole_crate = ["uncommon_codepoints", "confusable_idents", "mixed_script_confusables"];
        if whole_crate
            .iter()
            .any(|lint| quote::ToTokens::to_token_stream(&attr).to_string().contains(lint))
        {
            continue;
        }
        if matches!(attr.style, syn::AttrStyle::Inner(_)) {
            attr.style = syn::AttrStyle::Outer;
            quote::ToTokens::to_tokens(&attr, &mut inherited);
        }
    }
    // Test modules last, as clippy wants of inline ones.
    items.sort_by_key(is_test_module);
    for item in items.iter_mut().filter(|i| !matches!(i, syn::Item::Use(_))) {
        if let Some(attrs) = item_attrs(item) {
            let outer = syn::parse::Parser::parse2(syn::Attribute::parse_outer, inherited.clone()).map_err(|e| {
                Error::Config {
                    file: PathBuf::from("src/lib.rs"),
                    message: format!("its attributes do not parse: {e}"),
                }
            })?;
            attrs.splice(0..0, outer);
        }
    }
    let first_line = file(files, "src/lib.rs")?.contents.lines().next().unwrap_or_default();
    let header = first_line.replace(
        "`cargo xtask codegen`",
        "`openapi_typed_codegen::Builder` (a build script)",
    );
    let mut bundled = syn::parse_file("").map_err(|e| Error::Config {
        file: PathBuf::from("src/lib.rs"),
        message: e.to_string(),
    })?;
    bundled.items = items;
    Ok(format!("{header}\n\n{}", prettyplease::unparse(&bundled)))
}

fn parse(file: &OutputFile) -> Result<syn::File> {
    syn::parse_file(&file.contents).map_err(|e| Error::Config {
        file: PathBuf::from(&file.path),
        message: format!("generated file does not parse: {e}"),
    })
}

/// `items` of the module whose files live in `dir`, with `mod x;` filled in.
fn inline_modules(files: &[OutputFile], dir: &str, items: Vec<syn::Item>) -> Result<Vec<syn::Item>> {
    items
        .into_iter()
        .map(|item| match item {
            syn::Item::Mod(mut module) if module.content.is_none() => {
                let name = module.ident.to_string();
                let flat = format!("{dir}/{name}.rs");
                let nested = format!("{dir}/{name}/mod.rs");
                let source = file(files, &flat).or_else(|_| file(files, &nested))?;
                let parsed = parse(source)?;
                // The file's `//!` docs replace the declaration's `///` (they say the
                // same); all become outer attributes, as clippy wants one style.
                if parsed.attrs.iter().any(|a| a.path().is_ident("doc")) {
                    module.attrs.retain(|a| !a.path().is_ident("doc"));
                }
                module.attrs.extend(parsed.attrs.into_iter().map(|mut a| {
                    a.style = syn::AttrStyle::Outer;
                    a
                }));
                let items = inline_modules(files, &format!("{dir}/{name}"), parsed.items)?;
                module.content = Some((Default::default(), items));
                module.semi = None;
                Ok(syn::Item::Mod(module))
            }
            other => Ok(other),
        })
        .collect()
}

fn is_test_module(item: &syn::Item) -> bool {
    let syn::Item::Mod(module) = item else { return false };
    let cfg_test = |a: &syn::Attribute| {
        a.path().is_ident("cfg") && quote::ToTokens::to_token_stream(&a.meta).to_string().contains("test")
    };
    module.attrs.iter().any(cfg_test)
}

fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    use syn::Item::*;
    match item {
        Const(i) => Some(&mut i.attrs),
        Enum(i) => Some(&mut i.attrs),
        Fn(i) => Some(&mut i.attrs),
        Impl(i) => Some(&mut i.attrs),
        Mod(i) => Some(&mut i.attrs),
        Static(i) => Some(&mut i.attrs),
        Struct(i) => Some(&mut i.attrs),
        Trait(i) => Some(&mut i.attrs),
        Type(i) => Some(&mut i.attrs),
        Use(i) => Some(&mut i.attrs),
        Macro(i) => Some(&mut i.attrs),
        _ => None,
    }
}
