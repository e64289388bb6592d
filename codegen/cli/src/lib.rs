//! The work of the `openapi-typed` command, shared with this repository's
//! `cargo xtask codegen` so both say the same things: generate a crate or check one
//! ([`sync`]), and the API change report between two descriptions ([`api_diff`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use codegen::output::Mode;
use codegen::{Config, Run};

/// Where a run's config comes from.
pub enum ConfigSource {
    /// A `codegen.toml` (paths in it are relative to it).
    File(PathBuf),
    /// A description alone: every operation, into a crate of this name.
    Description { path: PathBuf, crate_name: String },
}

impl ConfigSource {
    pub fn load(&self) -> codegen::Result<Config> {
        match self {
            ConfigSource::File(path) => Config::load(path),
            ConfigSource::Description { path, crate_name } => {
                let schema = std::path::absolute(path).map_err(|source| codegen::Error::Io {
                    path: path.clone(),
                    source,
                })?;
                let mut config = Config::for_schema(schema);
                config.krate.name = crate_name.clone();
                Ok(config)
            }
        }
    }
}

/// The crate name a description gives when none is asked for: its file's stem in
/// cargo's spelling, then `-client` (`petstore.yaml` → `petstore-client`).
pub fn default_crate_name(description: &Path) -> String {
    let stem = description.file_stem().unwrap_or_default().to_string_lossy();
    let words: Vec<String> = stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    match words.first() {
        Some(first) if first.starts_with(|c: char| c.is_ascii_alphabetic()) => format!("{}-client", words.join("-")),
        _ => "client".to_owned(),
    }
}

/// Generates into `out` (or, with [`Mode::Check`], compares), printing the warnings,
/// what changed on disk and for callers; the exit code says whether the run did what
/// was asked. On an error nothing is written. `regenerate` is the command that brings
/// the crate up to date, for the message of a failed check.
pub fn sync(config: &Config, out: &Path, mode: Mode, strict: bool, regenerate: &str) -> (Option<Run>, ExitCode) {
    let out_name = out.display().to_string();
    match codegen::run_config(config, out, mode, strict) {
        Ok(run) => {
            let code = report(&run, &out_name, mode, regenerate);
            (Some(run), code)
        }
        Err(err) => {
            eprintln!("error: {err}\nnothing was written; {out_name} is unchanged");
            (None, ExitCode::FAILURE)
        }
    }
}

fn report(run: &Run, out_name: &str, mode: Mode, regenerate: &str) -> ExitCode {
    for warning in &run.warnings {
        eprintln!("warning: {warning}");
    }
    let report = &run.report;
    for path in &report.foreign {
        eprintln!("warning: {out_name}/{path} is not the generator's (no `@generated` header): left as it is");
    }
    match mode {
        Mode::Write => {
            for path in &report.changed {
                eprintln!("wrote {out_name}/{path}");
            }
            for path in &report.removed {
                eprintln!("removed {out_name}/{path} (generated, no longer produced)");
            }
            print_api_changes(run);
            let t = &run.timings;
            eprintln!(
                "generated {} files in {:.1} ms (load {:.1}, lower {:.1}, emit+format {:.1} on all cores: \
                 emit {:.1} + format {:.1} CPU); {} changed, {} removed",
                run.files,
                ms(t.total()),
                ms(t.load),
                ms(t.lower),
                ms(t.emit_and_format),
                ms(t.emit),
                ms(t.format),
                report.changed.len(),
                report.removed.len()
            );
            ExitCode::SUCCESS
        }
        Mode::Check if report.is_clean() => {
            eprintln!("{out_name} is up to date ({} files)", run.files);
            ExitCode::SUCCESS
        }
        Mode::Check => {
            for path in &report.changed {
                eprintln!("stale: {out_name}/{path}");
            }
            for path in &report.removed {
                eprintln!("no longer generated: {out_name}/{path}");
            }
            print_api_changes(run);
            eprintln!("{out_name} is out of date: run `{regenerate}` and commit the result");
            ExitCode::FAILURE
        }
    }
}

/// What the new files change for the crate's callers, one line each, breaking first.
fn print_api_changes(run: &Run) {
    let Some(changes) = &run.api_changes else {
        return;
    };
    if changes.is_empty() {
        eprintln!("the generated API is unchanged (only code behind it changed)");
        return;
    }
    eprintln!("{}", changes.summary());
    for change in &changes.0 {
        eprintln!("  {change}");
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// What a caller of the crate `config` generates would see change between two
/// descriptions, as Markdown (breaking changes first).
/// What `diff` takes (and `cargo xtask api-diff`, which defaults the config to this
/// repository's).
#[derive(clap::Args)]
pub struct DiffArgs {
    /// The description callers have now
    pub old: PathBuf,
    /// The description they would get
    pub new: PathBuf,
    /// A generator config whose overlays, names and secrets apply to both
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write the report to FILE instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn api_diff(config: &Config, old: &Path, new: &Path) -> codegen::Result<String> {
    let surface_of = |description: &Path| {
        let (surface, warnings) = codegen::surface::of_description(config, description)?;
        if !warnings.is_empty() {
            eprintln!("{}: {} generator warnings", description.display(), warnings.len());
        }
        Ok::<_, codegen::Error>(surface)
    };
    let (old_surface, new_surface) = (surface_of(old)?, surface_of(new)?);
    let title = format!("API changes: {} → {}", file_name(old), file_name(new));
    Ok(codegen::surface::diff(&old_surface, &new_surface).markdown(&title))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_come_from_the_description_file() {
        assert_eq!(
            default_crate_name(Path::new("specs/Pet Store.v2.yaml")),
            "pet-store-v2-client"
        );
        assert_eq!(default_crate_name(Path::new("openapi.json")), "openapi-client");
        // Nothing usable, or a leading digit cargo refuses: the plain default.
        assert_eq!(default_crate_name(Path::new("2024.yaml")), "client");
        assert_eq!(default_crate_name(Path::new("ÅÄÖ.yaml")), "client");
    }
}
