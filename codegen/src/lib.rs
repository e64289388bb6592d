//! OpenAPI 3.0 description → typed async Rust client crate.
//!
//! Three stages with a typed boundary between each:
//! [`load`] (YAML/JSON → `openapiv3`, corrected by [`overlay`]s) → [`lower`] (→ our IR, [`ir`]) → [`emit`] (→ files).
//! [`output`] writes the files, or checks that what is on disk is fresh.

pub mod config;
pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod output;
pub mod overlay;
pub mod pointer;

use std::path::Path;
use std::time::{Duration, Instant};

pub use config::Config;
pub use emit::OutputFile;
pub use error::{Error, Result, Warning};

/// What one generation run produced, before anything touches the disk.
#[derive(Debug)]
pub struct Generated {
    pub files: Vec<OutputFile>,
    pub warnings: Vec<Warning>,
}

/// Runs all three stages for the config at `config_path`.
pub fn generate(config_path: &Path) -> Result<Generated> {
    generate_timed(config_path).map(|(generated, _)| generated)
}

/// [`generate`], also reporting how long each stage took.
pub fn generate_timed(config_path: &Path) -> Result<(Generated, Timings)> {
    let started = Instant::now();
    let config = Config::load(config_path)?;
    let doc = load_document(&config)?;
    let load = started.elapsed();
    let (generated, mut timings) = generate_from_timed(&doc, &config)?;
    timings.load = load;
    Ok((generated, timings))
}

/// The config's description, corrected by its overlays. With a list of operations, only
/// what they reach is loaded (plus the token exchange).
pub fn load_document(config: &Config) -> Result<load::Document> {
    let ids = config
        .operations
        .ids()
        .filter(|_| config.operations.tags.is_empty())
        .map(|ids| {
            let mut ids = ids.to_vec();
            ids.extend(config.auth.token_exchange.iter().map(|t| t.operation.clone()));
            ids
        });
    let overlays = config
        .overlay_paths()
        .iter()
        .map(|path| overlay::Overlay::load(path))
        .collect::<Result<Vec<_>>>()?;
    load::load_for(&config.schema_path(), ids.as_deref(), &overlays)
}

/// Lowers and emits an already loaded description.
pub fn generate_from(doc: &load::Document, config: &Config) -> Result<Generated> {
    generate_from_timed(doc, config).map(|(generated, _)| generated)
}

fn generate_from_timed(doc: &load::Document, config: &Config) -> Result<(Generated, Timings)> {
    let mut timings = Timings::default();
    let started = Instant::now();
    let (api, lowering_warnings) = lower::lower(doc, config)?;
    timings.lower = started.elapsed();
    let (files, emit_timings) = emit::emit_timed(&api)?;
    timings.emit = emit_timings.emit;
    timings.format = emit_timings.format;
    timings.emit_and_format = emit_timings.wall;
    let warnings = doc.warnings.iter().cloned().chain(lowering_warnings).collect();
    Ok((Generated { files, warnings }, timings))
}

/// How long each stage of one generation took.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// Reading the config and parsing the description (wall time).
    pub load: Duration,
    /// Building the IR (wall time).
    pub lower: Duration,
    /// Building token streams (CPU time, summed over threads).
    pub emit: Duration,
    /// prettyplease and headers (CPU time, summed over threads).
    pub format: Duration,
    /// Emitting and formatting, run in parallel per file (wall time).
    pub emit_and_format: Duration,
}

impl Timings {
    /// Wall time of the whole generation.
    pub fn total(&self) -> Duration {
        self.load + self.lower + self.emit_and_format
    }
}

/// Generates from the config at `config_path` and syncs `out_dir` (writes, or checks).
/// Generation finishes in memory before the disk is touched: on any error,
/// `out_dir` is left exactly as it was.
pub fn run(config_path: &Path, out_dir: &Path, mode: output::Mode) -> Result<Run> {
    let (generated, timings) = generate_timed(config_path)?;
    let report = output::sync(out_dir, &generated.files, mode)?;
    Ok(Run {
        files: generated.files.len(),
        warnings: generated.warnings,
        report,
        timings,
    })
}

/// The outcome of [`run`].
#[derive(Debug)]
pub struct Run {
    pub files: usize,
    pub warnings: Vec<Warning>,
    pub report: output::Report,
    /// Load + lower + emit + format, without the disk.
    pub timings: Timings,
}

/// Compiles the README's Rust examples as doctests, so the README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
