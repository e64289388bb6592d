//! `cargo xtask api-diff OLD NEW`: what a caller of the generated crate would see change
//! between two descriptions (generated with the same config), as Markdown for a pull
//! request; breaking changes first.

use std::path::PathBuf;
use std::process::ExitCode;

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
    let report = openapi_typed::api_diff(&config, &options.old, &options.new)?;
    match &options.out {
        Some(out) => {
            std::fs::write(out, &report).at(out)?;
            eprintln!("wrote {}", out.display());
        }
        None => print!("{report}"),
    }
    Ok(ExitCode::SUCCESS)
}
