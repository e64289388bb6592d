//! OpenAPI 3.0 description → typed async Rust client crate.
//!
//! Three stages with a typed boundary between each: `load` (YAML/JSON → `openapiv3`,
//! corrected by overlays) → `lower` (→ the project's IR) → `emit` (→ files). [`output`]
//! writes the files, or checks that what is on disk is fresh.
//!
//! The library's surface is what build scripts and the command need: [`Config`], the
//! build-script [`Builder`], [`run`] and [`generate`] with their reports, [`surface`]'s
//! API change report, and [`Error`]. The stages' modules are crate-private; the
//! `internals` feature makes them public for this repository's own tools and tests,
//! with no stability promise.

pub mod build_script;
pub mod config;
pub mod error;
pub mod output;
pub mod surface;

/// The stages' own modules: public with the `internals` feature (this repository's
/// tools and tests read the IR), crate-private otherwise, so they are not part of the
/// library's stable surface.
macro_rules! internal_modules {
    ($($name:ident),* $(,)?) => {$(
        #[cfg(feature = "internals")]
        pub mod $name;
        #[cfg(not(feature = "internals"))]
        pub(crate) mod $name;
    )*};
}

internal_modules!(emit, ir, load, lower, naming, overlay, pointer);
mod parallel;

use std::path::Path;
use std::time::{Duration, Instant};

pub use build_script::{Builder, Built};
pub use config::Config;
pub use emit::OutputFile;
pub use error::{Error, Result, Warning};
pub use load::Document;

/// What one generation run produced, before anything touches the disk.
#[derive(Debug)]
pub struct Generated {
    pub files: Vec<OutputFile>,
    pub warnings: Vec<Warning>,
    /// How long each stage took.
    pub timings: Timings,
}

impl Generated {
    /// Strict mode: an error listing the warnings, if there are any.
    pub fn deny_warnings(self) -> Result<Generated> {
        match self.warnings.is_empty() {
            true => Ok(self),
            false => Err(Error::Strict {
                warnings: self.warnings,
            }),
        }
    }
}

/// Runs all three stages for the config at `config_path`.
pub fn generate(config_path: &Path) -> Result<Generated> {
    let started = Instant::now();
    let config = Config::load(config_path)?;
    let reading_config = started.elapsed();
    let mut generated = generate_config(&config)?;
    generated.timings.load += reading_config;
    Ok(generated)
}

/// Runs all three stages for a config made in code (see [`Config::for_schema`]).
pub fn generate_config(config: &Config) -> Result<Generated> {
    let started = Instant::now();
    let doc = load_document(config)?;
    let load = started.elapsed();
    let mut generated = generate_from(&doc, config)?;
    generated.timings.load = load;
    Ok(generated)
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
    load::load_for(&config.schema_path(), ids.as_deref(), &overlays, &config.ref_sources())
}

/// Lowers and emits an already loaded description (its load time is left at zero).
pub fn generate_from(doc: &load::Document, config: &Config) -> Result<Generated> {
    let started = Instant::now();
    let (api, lowering_warnings) = lower::lower(doc, config)?;
    let lower = started.elapsed();
    let (files, emit) = emit::emit(&api)?;
    let warnings = doc.warnings.iter().cloned().chain(lowering_warnings).collect();
    let timings = Timings {
        load: Duration::ZERO,
        lower,
        emit: emit.emit,
        format: emit.format,
        emit_and_format: emit.wall,
    };
    Ok(Generated {
        files,
        warnings,
        timings,
    })
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
    run_with(config_path, out_dir, mode, false)
}

/// [`run`]; with `strict`, any warning is an error and nothing is written.
pub fn run_with(config_path: &Path, out_dir: &Path, mode: output::Mode, strict: bool) -> Result<Run> {
    sync_generated(generate(config_path)?, out_dir, mode, strict)
}

/// [`run_with`] for a config made in code (see [`Config::for_schema`]).
pub fn run_config(config: &Config, out_dir: &Path, mode: output::Mode, strict: bool) -> Result<Run> {
    sync_generated(generate_config(config)?, out_dir, mode, strict)
}

fn sync_generated(generated: Generated, out_dir: &Path, mode: output::Mode, strict: bool) -> Result<Run> {
    let generated = if strict { generated.deny_warnings()? } else { generated };
    let check = output::sync(out_dir, &generated.files, output::Mode::Check)?;
    let api_changes = match check.is_clean() {
        true => None,
        false => api_changes(out_dir, &generated.files)?,
    };
    let report = match mode {
        output::Mode::Write if !check.is_clean() => output::sync(out_dir, &generated.files, mode)?,
        // Nothing to write, or only checking: the check just made is the whole report.
        _ => check,
    };
    Ok(Run {
        files: generated.files.len(),
        warnings: generated.warnings,
        report,
        timings: generated.timings,
        api_changes,
    })
}

/// What changes for callers if `files` replace the crate in `out_dir`; `None` if there
/// is no crate there to compare with, or it is not readable Rust (a broken crate must
/// not stop the generation that repairs it).
fn api_changes(out_dir: &Path, files: &[OutputFile]) -> Result<Option<surface::Changes>> {
    if !out_dir.join("src").is_dir() {
        return Ok(None);
    }
    let Ok(old) = surface::Surface::of_dir(out_dir) else {
        return Ok(None);
    };
    let new = surface::Surface::of_files(files)?;
    Ok(Some(surface::diff(&old, &new)))
}

/// The outcome of [`run`].
#[derive(Debug)]
pub struct Run {
    pub files: usize,
    pub warnings: Vec<Warning>,
    pub report: output::Report,
    /// Load + lower + emit + format, without the disk.
    pub timings: Timings,
    /// What changed (or, checking, would change) for the crate's callers; `None` when no
    /// file changed or there was no crate to compare with.
    pub api_changes: Option<surface::Changes>,
}
