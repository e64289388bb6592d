//! The generated crate as a user builds it: copied into a throwaway workspace of its own
//! (`target/bench/<name>/`), built into the shared `target/bench/target` so dependencies
//! build once for all.

use std::fs;
use std::path::{Path, PathBuf};

use super::generation::run_codegen;
use crate::error::{AtPath, Error, Result};
use crate::util::{cargo, median};

/// Added as the first property of the edited schema for the incremental build.
const ADDED_FIELD: &str = r#""bench_note": {"type": "string", "nullable": true},"#;

/// Lines of Rust under a generated crate's `src/`: all, and the verbatim runtime part.
pub struct Lines {
    pub total: usize,
    pub runtime: usize,
}

pub fn crate_lines(src: &Path) -> Result<Lines> {
    let mut lines = Lines { total: 0, runtime: 0 };
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).at(&dir)? {
            let path = entry.at(&dir)?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let n = fs::read_to_string(&path).at(&path)?.lines().count();
                lines.total += n;
                if path.strip_prefix(src).is_ok_and(|p| p.starts_with("runtime")) {
                    lines.runtime += n;
                }
            }
        }
    }
    Ok(lines)
}

pub struct BenchCrate {
    workspace: PathBuf,
    pub crate_dir: PathBuf,
    /// The crate's package name (the config's `[crate] name`).
    package: String,
    /// Configs generating the crate as is (`a`) and with one added field (`b`).
    configs: Option<(PathBuf, PathBuf)>,
    /// Builds use the copied lock file only (ours); a peer's crate resolves its own.
    offline: bool,
}

impl BenchCrate {
    /// Generates the crate from `config`; with `edit`, also prepares the two configs the
    /// incremental build alternates between (schema `edit` without and with a field).
    pub fn prepare(root: &Path, bench_dir: &Path, name: &str, config: &Path, edit: Option<&str>) -> Result<BenchCrate> {
        BenchCrate::prepare_with(root, bench_dir, name, config, edit, Runtime::AsConfigured)
    }

    /// Like [`prepare`](Self::prepare) without an edit, with the runtime copied into the
    /// crate whatever the config says: the other side of the runtime-crate lever.
    pub fn prepare_copied(root: &Path, bench_dir: &Path, name: &str, config: &Path) -> Result<BenchCrate> {
        BenchCrate::prepare_with(root, bench_dir, name, config, None, Runtime::Copied)
    }

    fn prepare_with(
        root: &Path,
        bench_dir: &Path,
        name: &str,
        config: &Path,
        edit: Option<&str>,
        runtime: Runtime,
    ) -> Result<BenchCrate> {
        let workspace = bench_dir.join(name);
        let crate_dir = workspace.join("crate");
        fs::create_dir_all(&crate_dir).at(&crate_dir)?;
        let manifest = workspace.join("Cargo.toml");
        fs::write(&manifest, "[workspace]\nresolver = \"2\"\nmembers = [\"crate\"]\n").at(&manifest)?;
        // The main workspace's versions: nothing new is downloaded or resolved differently.
        let lock = root.join("Cargo.lock");
        fs::copy(&lock, workspace.join("Cargo.lock")).at(&lock)?;
        let configs = match edit {
            None => None,
            Some(schema_name) => Some(edited_configs(root, &workspace, config, schema_name)?),
        };
        let first = configs.as_ref().map_or(config, |(a, _)| a.as_path());
        generate_into(root, first, &crate_dir, runtime)?;
        Ok(BenchCrate {
            workspace,
            crate_dir,
            package: codegen::Config::load(config)?.krate.name,
            configs,
            offline: true,
        })
    }

    /// A crate another generator wrote at `crate_dir`, in a workspace of its own (the
    /// folder above it); its dependencies come from the registry.
    pub fn peer(crate_dir: &Path, package: &str) -> Result<BenchCrate> {
        let workspace = crate_dir.parent().unwrap_or(crate_dir).to_path_buf();
        let name = crate_dir.file_name().unwrap_or_default().to_string_lossy();
        let manifest = workspace.join("Cargo.toml");
        let members = format!("[workspace]\nresolver = \"2\"\nmembers = [\"{name}\"]\n");
        fs::write(&manifest, members).at(&manifest)?;
        Ok(BenchCrate {
            workspace,
            crate_dir: crate_dir.to_path_buf(),
            package: package.to_owned(),
            configs: None,
            offline: false,
        })
    }

    /// `cargo <command> [--offline] -p <package>`.
    fn args<'a>(&'a self, command: &'a str) -> Vec<&'a str> {
        let offline = self.offline.then_some("--offline");
        [command]
            .into_iter()
            .chain(offline)
            .chain(["-p", self.package.as_str()])
            .collect()
    }

    fn build(&self, target_dir: &Path, release: bool) -> Result<f64> {
        self.build_with(target_dir, release, &[])
    }

    /// `cargo build`, with `features` (cargo's feature arguments) after it.
    fn build_with(&self, target_dir: &Path, release: bool, features: &[&str]) -> Result<f64> {
        let mut args = self.args("build");
        if release {
            args.push("--release");
        }
        args.extend(features);
        let target_dir = [("CARGO_TARGET_DIR", target_dir.as_os_str())];
        Ok(cargo(&self.workspace, &args, &target_dir)?.took.as_secs_f64())
    }

    /// Median clean build of the crate alone, its dependencies already built.
    pub fn clean_builds(&self, target_dir: &Path, release: bool, runs: usize) -> Result<f64> {
        self.build(target_dir, release)?; // dependencies
        let mut times = Vec::new();
        for _ in 0..runs {
            let mut clean = self.args("clean");
            if release {
                clean.push("--release");
            }
            cargo(&self.workspace, &clean, &[("CARGO_TARGET_DIR", target_dir.as_os_str())])?;
            times.push(self.build(target_dir, release)?);
        }
        let profile = if release { "release" } else { "debug" };
        eprintln!("{}: clean build {profile} {:?} s", self.crate_dir.display(), times);
        Ok(median(times))
    }

    /// Median clean debug build of the crate alone with `feature` on (its own
    /// dependencies built first), to set beside [`clean_builds`](Self::clean_builds).
    pub fn clean_builds_with_feature(&self, target_dir: &Path, runs: usize, feature: &str) -> Result<f64> {
        self.clean_builds_with(target_dir, runs, &["--features", feature])
    }

    /// Median clean debug build of the crate alone with its default features off and
    /// `features` (comma-separated) on.
    pub fn clean_builds_with_only(&self, target_dir: &Path, runs: usize, features: &str) -> Result<f64> {
        self.clean_builds_with(target_dir, runs, &["--no-default-features", "--features", features])
    }

    fn clean_builds_with(&self, target_dir: &Path, runs: usize, features: &[&str]) -> Result<f64> {
        self.build_with(target_dir, false, features)?; // dependencies
        let env = [("CARGO_TARGET_DIR", target_dir.as_os_str())];
        let mut times = Vec::new();
        for _ in 0..runs {
            cargo(&self.workspace, &self.args("clean"), &env)?;
            times.push(self.build_with(target_dir, false, features)?);
        }
        eprintln!(
            "{}: clean build debug, {}: {times:?} s",
            self.crate_dir.display(),
            features.join(" ")
        );
        Ok(median(times))
    }

    /// Median debug rebuild after regenerating with one field added, then removed, ...
    pub fn incremental_builds(&self, xtask: &Path, target_dir: &Path, runs: usize) -> Result<f64> {
        let Some((a, b)) = &self.configs else {
            return Err(Error::unexpected(
                self.crate_dir.display(),
                "no edited schema for the incremental build",
            ));
        };
        // The edited configs name this checkout's runtime already.
        codegen::run(a, &self.crate_dir, codegen::output::Mode::Write)?;
        self.build(target_dir, false)?;
        let mut times = Vec::new();
        for run in 0..runs {
            let config = if run % 2 == 0 { b } else { a };
            let changed = run_codegen(xtask, config, &self.crate_dir)?.stat("changed");
            if changed < 1.0 {
                return Err(Error::unexpected(
                    config.display(),
                    "the one-field change changed no file",
                ));
            }
            times.push(self.build(target_dir, false)?);
        }
        eprintln!("incremental rebuilds (debug): {times:?} s");
        codegen::run(a, &self.crate_dir, codegen::output::Mode::Write)?;
        Ok(median(times))
    }
}

/// Two copies of the description, one with [`ADDED_FIELD`] in `schema_name`, each beside
/// a copy of the config and its overlays (same file names: the name is in every header).
fn edited_configs(root: &Path, workspace: &Path, config: &Path, schema_name: &str) -> Result<(PathBuf, PathBuf)> {
    let original = codegen::Config::load(config)?;
    let schema_path = original.schema_path();
    let schema = fs::read_to_string(&schema_path).at(&schema_path)?;
    let edited = add_field(&schema, schema_name)?;
    let file_name = schema_path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let mut table: toml::Table = fs::read_to_string(config)
        .at(config)?
        .parse()
        .map_err(|e: toml::de::Error| Error::unexpected(config.display(), e.to_string()))?;
    table.insert("schema".to_owned(), file_name.clone().into());
    // The regenerations go through `cargo xtask codegen` too: the copy names the runtime
    // by its absolute path (see `generate_into`).
    if let Some(runtime) = table.get_mut("crate").and_then(|c| c.get_mut("runtime")) {
        let path = local_runtime(root).path.unwrap_or_default();
        *runtime = toml::Value::Table(toml::Table::from_iter([("path".to_owned(), path.into())]));
    }
    let mut pair = Vec::new();
    for (variant, text) in [("a", &schema), ("b", &edited)] {
        let dir = workspace.join(format!("schema-{variant}"));
        fs::create_dir_all(&dir).at(&dir)?;
        fs::write(dir.join(&file_name), text).at(&dir)?;
        let copy = dir.join("codegen.toml");
        fs::write(&copy, table.to_string()).at(&copy)?;
        copy_overlays(&original, &dir)?;
        pair.push(copy);
    }
    let b = pair.pop().unwrap_or_default();
    let a = pair.pop().unwrap_or_default();
    Ok((a, b))
}

/// Where a bench crate's runtime comes from.
#[derive(Clone, Copy, PartialEq)]
enum Runtime {
    /// As the config says, a `openapi-typed-runtime` dependency being this checkout's.
    AsConfigured,
    /// Copied into the crate.
    Copied,
}

/// Generates `config` into `out`. A runtime dependency's path is relative to the folder
/// the config writes to, which a bench crate is not: it is pointed at this checkout's.
fn generate_into(root: &Path, config: &Path, out: &Path, runtime: Runtime) -> Result<()> {
    let mut config = codegen::Config::load(config)?;
    config.krate.runtime = match (runtime, config.krate.runtime.take()) {
        (Runtime::AsConfigured, Some(_)) => Some(local_runtime(root)),
        _ => None,
    };
    let doc = codegen::load_document(&config)?;
    let generated = codegen::generate_from(&doc, &config)?;
    codegen::output::sync(out, &generated.files, codegen::output::Mode::Write)?;
    Ok(())
}

/// This checkout's `openapi-typed-runtime`, by absolute path.
pub fn local_runtime(root: &Path) -> codegen::config::RuntimeDependency {
    codegen::config::RuntimeDependency {
        path: Some(root.join("codegen/runtime").display().to_string()),
        ..Default::default()
    }
}

/// Copies the config's overlays beside a copy of it in `dir`, at the same relative paths.
fn copy_overlays(config: &codegen::Config, dir: &Path) -> Result<()> {
    for (relative, source) in config.overlays.iter().zip(config.overlay_paths()) {
        let target = dir.join(relative);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).at(parent)?;
        }
        fs::copy(&source, &target).at(&source)?;
    }
    Ok(())
}

/// Adds [`ADDED_FIELD`] as the first property of component schema `name`, editing the
/// text so everything else stays byte for byte.
fn add_field(schema: &str, name: &str) -> Result<String> {
    let start = schema
        .find(&format!("\"{name}\": {{"))
        .ok_or_else(|| Error::unexpected("the description", format!("no schema {name:?}")))?;
    let properties = schema[start..]
        .find("\"properties\": {")
        .map(|i| start + i + "\"properties\": {".len())
        .ok_or_else(|| Error::unexpected("the description", format!("schema {name:?} has no properties")))?;
    let mut edited = String::with_capacity(schema.len() + ADDED_FIELD.len());
    edited.push_str(&schema[..properties]);
    edited.push_str(ADDED_FIELD);
    edited.push_str(&schema[properties..]);
    Ok(edited)
}
