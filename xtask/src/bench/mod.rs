//! `cargo xtask bench`: how fast the generator is, how fast its output builds, and what
//! the generated code costs at run time next to hand-written code.
//!
//! 1. [`generation`]: `xtask codegen` as `cargo xtask` builds it (the dev profile) as a
//!    process, full description and seed endpoint (the real config, overlays included,
//!    cut to the seed operations), one warm-up then `--runs` timed runs (median), stages
//!    and peak memory from the process itself (`codegen --stats`).
//! 2. [`crates`]: the generated crate, copied into its own workspace under
//!    `target/bench/`: lines, clean build of the crate alone (dependencies built) in
//!    debug and release, debug with each optional feature on, and the incremental rebuild
//!    after one field is added to one schema.
//! 3. [`runtime`]: criterion (`client-tests/benches/runtime.rs`), generated vs
//!    hand-written, with the ratios measured side by side in time.
//! 4. [`transfer`]: peak memory of a 50 MB import and export against a real Label
//!    Studio, streamed and buffered.
//!
//! With `--peers`, [`peers`]: each peer generator beside ours on Label Studio (whole and
//! seed) and GitHub, ours being the installed command (`cargo install --path
//! codegen/cli`, as users get it) and `cargo xtask codegen` as invoked here.
//!
//! [`report`] prints a table and writes `target/bench/report.json`.

mod crates;
mod first_run;
mod generation;
mod groups;
mod inputs;
mod peers;
mod report;
mod runtime;
mod transfer;

use std::fs;
use std::path::Path;

use crate::error::{AtPath, Result};
use crate::util::cargo;
use crates::BenchCrate;
use report::Report;

/// The generated crate's optional features, each built on its own beside the default.
const FEATURES: [&str; 4] = ["roundtrip", "tracing", "blocking", "mock"];

/// The schema whose one field the incremental build adds.
const EDITED_SCHEMA: &str = "S3ImportStorage";

pub struct Options {
    /// Timed generation runs.
    pub runs: usize,
    /// Timed clean builds of each crate.
    pub build_runs: usize,
    /// Also install and measure the peer generators in the same run.
    pub peers: bool,
}

pub fn run(root: &Path, options: &Options) -> Result<()> {
    let bench_dir = root.join("target/bench");
    fs::create_dir_all(&bench_dir).at(&bench_dir)?;

    step("building xtask as `cargo xtask` does (dev profile)");
    cargo(root, &["build", "--locked", "-p", "xtask"], &[])?;
    let xtask = root.join("target/debug/xtask");

    step("generation");
    let full_config = root.join("schema/codegen.toml");
    let seed_config = seed_config(root, &bench_dir)?;
    let full_gen = generation::measure(&xtask, &full_config, &bench_dir.join("gen/full"), options.runs)?;
    let seed_gen = generation::measure(&xtask, &seed_config, &bench_dir.join("gen/seed"), options.runs)?;

    step("the generated crate: lines, clean builds, incremental rebuild");
    let full = BenchCrate::prepare(root, &bench_dir, "full", &full_config, Some(EDITED_SCHEMA))?;
    let seed = BenchCrate::prepare(root, &bench_dir, "seed", &seed_config, None)?;
    let seed_copied = BenchCrate::prepare_copied(root, &bench_dir, "seed-copied", &seed_config)?;
    let target_dir = bench_dir.join("target");
    let build_runs = options.build_runs;

    let report = Report {
        runs: options.runs,
        full_gen,
        seed_gen,
        lines: crates::crate_lines(&full.crate_dir.join("src"))?,
        seed_lines: crates::crate_lines(&seed.crate_dir.join("src"))?,
        debug: full.clean_builds(&target_dir, false, build_runs)?,
        release: full.clean_builds(&target_dir, true, build_runs)?,
        seed_debug: seed.clean_builds(&target_dir, false, build_runs)?,
        seed_copied_lines: crates::crate_lines(&seed_copied.crate_dir.join("src"))?,
        seed_copied_debug: seed_copied.clean_builds(&target_dir, false, build_runs)?,
        feature_debug: FEATURES
            .iter()
            .map(|f| Ok((*f, full.clean_builds_with_feature(&target_dir, build_runs, f)?)))
            .collect::<Result<_>>()?,
        incremental: full.incremental_builds(&xtask, &target_dir, build_runs)?,
        group_builds: {
            step("group features: GitHub's crate whole and with two groups");
            groups::measure(root, &bench_dir, build_runs)?
        },
        first_run_s: {
            step("the first `cargo xtask codegen` from an empty target directory");
            first_run::measure(root, &bench_dir)?
        },
        runtime: {
            step("run time (criterion)");
            runtime::measure(root)?
        },
        transfers: {
            step("large transfers against a real Label Studio: peak memory");
            transfer::measure(root)?
        },
        comparison: match options.peers {
            false => None,
            true => {
                step("the command as users install it (`cargo install --path codegen/cli`)");
                let command = install_command(root, &bench_dir)?;
                step("peers: install, generate (alternating with ours), build");
                let generate = |config: &Path, out: &Path| -> Result<f64> {
                    // A fresh folder, as the peers get: the same writing work.
                    let _ = fs::remove_dir_all(out);
                    generation::run_command(&command, config, out)
                };
                let xtask_codegen = || generation::run_cargo_xtask_codegen(root);
                let ours = peers::Ours {
                    generate: &generate,
                    xtask_codegen: &xtask_codegen,
                };
                Some(peers::compare(
                    root,
                    &bench_dir,
                    &ours,
                    &seed_config,
                    options.runs,
                    build_runs,
                )?)
            }
        },
    };
    println!("\n{}", report.table());
    let path = bench_dir.join("report.json");
    let text = serde_json::to_string_pretty(&report.json()).unwrap_or_default();
    fs::write(&path, text + "\n").at(&path)?;
    println!("wrote {}", path.display());
    Ok(())
}

/// The operations of the seed endpoint's crate: the call, and the token exchange its auth needs.
const SEED_OPERATIONS: [&str; 2] = ["api_storages_s3_partial_update", "api_token_refresh_create"];

/// `schema/codegen.toml` with only the seed operations, at `target/bench/seed.toml`: the
/// real config, overlays and all (so the load does what it does for the whole API), its
/// paths made absolute and its runtime this checkout's.
fn seed_config(root: &Path, bench_dir: &Path) -> Result<std::path::PathBuf> {
    let config = root.join("schema/codegen.toml");
    let text = fs::read_to_string(&config).at(&config)?;
    let mut table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| crate::error::Error::unexpected(config.display(), e.to_string()))?;
    let base = root.join("schema");
    let absolute =
        |v: &toml::Value| toml::Value::String(base.join(v.as_str().unwrap_or_default()).display().to_string());
    if let Some(schema) = table.get_mut("schema") {
        *schema = absolute(schema);
    }
    if let Some(overlays) = table.get_mut("overlays").and_then(toml::Value::as_array_mut) {
        for overlay in overlays.iter_mut() {
            *overlay = absolute(overlay);
        }
    }
    if let Some(krate) = table.get_mut("crate").and_then(toml::Value::as_table_mut) {
        let runtime = crates::local_runtime(root).path.unwrap_or_default();
        let runtime = toml::Table::from_iter([("path".to_owned(), toml::Value::String(runtime))]);
        krate.insert("runtime".to_owned(), runtime.into());
    }
    if let Some(operations) = table.get_mut("operations").and_then(toml::Value::as_table_mut) {
        let include = SEED_OPERATIONS.iter().map(|id| toml::Value::String((*id).to_owned()));
        operations.insert("include".to_owned(), toml::Value::Array(include.collect()));
    }
    let path = bench_dir.join("seed.toml");
    fs::write(&path, table.to_string()).at(&path)?;
    Ok(path)
}

/// `cargo install --path codegen/cli` into `target/bench/cli` (release, as users get it).
fn install_command(root: &Path, bench_dir: &Path) -> Result<std::path::PathBuf> {
    let install_root = bench_dir.join("cli");
    let target = bench_dir.join("cli-target");
    let (install_root_arg, target_arg) = (install_root.display().to_string(), target.display().to_string());
    let args = [
        "install",
        "--path",
        "codegen/cli",
        "--locked",
        "--offline",
        "--root",
        &install_root_arg,
    ];
    let args: Vec<&str> = args.into_iter().chain(["--target-dir", &target_arg]).collect();
    cargo(root, &args, &[])?;
    Ok(install_root.join("bin/openapi-typed"))
}

fn step(what: &str) {
    eprintln!("\n==> bench: {what}");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed config is the real one (its overlays applied) generating the seed
    /// operations alone, wherever it is written.
    #[test]
    fn the_seed_config_generates_the_seed_operations_through_the_real_config() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let config = codegen::Config::load(&seed_config(root, dir.path()).unwrap()).unwrap();
        let real = codegen::Config::load(&root.join("schema/codegen.toml")).unwrap();
        assert!(!real.overlays.is_empty());
        assert_eq!(config.overlay_paths(), real.overlay_paths());
        let doc = codegen::load_document(&config).unwrap();
        let (api, _) = codegen::lower::lower(&doc, &config).unwrap();
        let mut ids: Vec<&str> = api.operations.iter().map(|op| op.id.as_str()).collect();
        ids.sort();
        assert_eq!(ids, SEED_OPERATIONS);
    }
}
