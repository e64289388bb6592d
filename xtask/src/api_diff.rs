//! `cargo xtask api-diff OLD NEW`: what a caller of the generated crate would see change
//! between two descriptions (generated with the same config), as Markdown for a pull
//! request; breaking changes first.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use codegen::surface::{self, Surface};

use crate::error::{AtPath, Result};

pub struct Options {
    pub old: PathBuf,
    pub new: PathBuf,
    pub config: PathBuf,
    /// Write the report here instead of stdout.
    pub out: Option<PathBuf>,
}

pub fn run(options: &Options) -> Result<ExitCode> {
    let config = codegen::Config::load(&options.config)?;
    let old = surface_of(&config, &options.old)?;
    let new = surface_of(&config, &options.new)?;
    let title = format!("API changes: {} → {}", file_name(&options.old), file_name(&options.new));
    let report = surface::diff(&old, &new).markdown(&title);
    match &options.out {
        Some(out) => {
            std::fs::write(out, &report).at(out)?;
            eprintln!("wrote {}", out.display());
        }
        None => print!("{report}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn surface_of(config: &codegen::Config, description: &Path) -> Result<Surface> {
    let (surface, warnings) = surface::of_description(config, description)?;
    if !warnings.is_empty() {
        eprintln!("{}: {} generator warnings", description.display(), warnings.len());
    }
    Ok(surface)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}
