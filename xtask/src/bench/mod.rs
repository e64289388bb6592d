//! `cargo xtask bench`: how fast the generator is, how fast its output builds, and what
//! the generated code costs at run time next to hand-written code.
//!
//! 1. [`generation`]: `xtask codegen` (`generator` profile: release + LTO) as a process,
//!    full description and seed endpoint, one warm-up then `--runs` timed runs (median),
//!    stages and peak memory from the process itself (`codegen --stats`).
//! 2. [`crates`]: the generated crate, copied into its own workspace under
//!    `target/bench/`: lines, clean build of the crate alone (dependencies built) in
//!    debug and release, debug with each optional feature on, and the incremental rebuild
//!    after one field is added to one schema.
//! 3. [`runtime`]: criterion (`client-tests/benches/runtime.rs`), generated vs
//!    hand-written, with the ratios measured side by side in time.
//! 4. [`transfer`]: peak memory of a 50 MB import and export against a real Label
//!    Studio, streamed and buffered.
//!
//! [`report`] prints a table and writes `target/bench/report.json`.

mod crates;
mod generation;
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
const FEATURES: [&str; 3] = ["roundtrip", "tracing", "blocking"];

/// The schema whose one field the incremental build adds.
const EDITED_SCHEMA: &str = "S3ImportStorage";

pub struct Options {
    /// Timed generation runs (builds: at most 3).
    pub runs: usize,
    /// Also install and measure the peer generators in the same run.
    pub peers: bool,
}

pub fn run(root: &Path, options: &Options) -> Result<()> {
    let bench_dir = root.join("target/bench");
    fs::create_dir_all(&bench_dir).at(&bench_dir)?;

    step("building xtask with the generator profile (release + LTO)");
    cargo(
        root,
        &["build", "--profile", "generator", "--locked", "-p", "xtask"],
        &[],
    )?;
    let xtask = root.join("target/generator/xtask");

    step("generation");
    let full_config = root.join("schema/codegen.toml");
    let seed_config = root.join("xtask/bench/seed.toml");
    let full_gen = generation::measure(&xtask, &full_config, &bench_dir.join("gen/full"), options.runs)?;
    let seed_gen = generation::measure(&xtask, &seed_config, &bench_dir.join("gen/seed"), options.runs)?;

    step("the generated crate: lines, clean builds, incremental rebuild");
    let full = BenchCrate::prepare(root, &bench_dir, "full", &full_config, Some(EDITED_SCHEMA))?;
    let seed = BenchCrate::prepare(root, &bench_dir, "seed", &seed_config, None)?;
    let seed_copied = BenchCrate::prepare_copied(root, &bench_dir, "seed-copied", &seed_config)?;
    let target_dir = bench_dir.join("target");
    let build_runs = options.runs.clamp(1, 3);

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
                step("peers: install, generate (alternating with ours), build");
                let ours = |config: &Path, out: &Path| -> Result<f64> {
                    // A fresh folder, as the peers get: the same writing work.
                    let _ = fs::remove_dir_all(out);
                    Ok(generation::run_codegen(&xtask, config, out)?.wall_ms())
                };
                let configs = [full_config.as_path(), seed_config.as_path()];
                Some(peers::compare(
                    root,
                    &bench_dir,
                    ours,
                    configs,
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

fn step(what: &str) {
    eprintln!("\n==> bench: {what}");
}
