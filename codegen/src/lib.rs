//! OpenAPI 3.0 description → typed async Rust client crate.
//!
//! Three stages with a typed boundary between each:
//! [`load`] (YAML/JSON → `openapiv3`) → [`lower`] (→ our IR, [`ir`]) → [`emit`] (→ files).
//! [`output`] writes the files, or checks that what is on disk is fresh.

pub mod config;
pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod output;
pub mod pointer;

use std::path::Path;

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
    let config = Config::load(config_path)?;
    let doc = load::load(&config.schema_path())?;
    generate_from(&doc, &config)
}

/// Lowers and emits an already loaded description.
pub fn generate_from(doc: &load::Document, config: &Config) -> Result<Generated> {
    let (api, lowering_warnings) = lower::lower(doc, config)?;
    let files = emit::emit(&api)?;
    let warnings = doc.warnings.iter().cloned().chain(lowering_warnings).collect();
    Ok(Generated { files, warnings })
}

/// Generates from the config at `config_path` and syncs `out_dir` (writes, or checks).
/// Generation finishes in memory before the disk is touched: on any error,
/// `out_dir` is left exactly as it was.
pub fn run(config_path: &Path, out_dir: &Path, mode: output::Mode) -> Result<Run> {
    let started = std::time::Instant::now();
    let generated = generate(config_path)?;
    let generation_time = started.elapsed();
    let report = output::sync(out_dir, &generated.files, mode)?;
    Ok(Run {
        files: generated.files.len(),
        warnings: generated.warnings,
        report,
        generation_time,
    })
}

/// The outcome of [`run`].
#[derive(Debug)]
pub struct Run {
    pub files: usize,
    pub warnings: Vec<Warning>,
    pub report: output::Report,
    /// Load + lower + emit, without the disk.
    pub generation_time: std::time::Duration,
}

/// Compiles the README's Rust examples as doctests, so the README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
