//! `cargo xtask codegen`: regenerate `generated/` (or check it is fresh), printing the
//! generator's warnings, the files written and the time each stage took (as the
//! `openapi-typed` command does: the same code).

use std::path::PathBuf;
use std::process::ExitCode;

use codegen::output::Mode;
use openapi_typed::ms;

use crate::error::Result;

pub struct Options {
    pub mode: Mode,
    pub config: PathBuf,
    pub out: PathBuf,
    /// Also print one JSON line of figures on stdout (read by `cargo xtask bench`).
    pub stats: bool,
    /// Warnings are errors: nothing is written when there is one.
    pub strict: bool,
}

pub fn run(options: &Options) -> Result<ExitCode> {
    let config = match codegen::Config::load(&options.config) {
        Ok(config) => config,
        Err(err) => {
            eprintln!(
                "error: {err}\nnothing was written; {} is unchanged",
                options.out.display()
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    let (run, code) = openapi_typed::sync(
        &config,
        &options.out,
        options.mode,
        options.strict,
        "cargo xtask codegen",
    );
    if let (true, Some(run)) = (options.stats, &run) {
        println!("{}", stats_line(run));
    }
    Ok(code)
}

/// Stage timings, changed files and peak memory of this process, as one JSON object.
fn stats_line(run: &codegen::Run) -> String {
    let t = &run.timings;
    serde_json::json!({
        "load_ms": ms(t.load),
        "lower_ms": ms(t.lower),
        "emit_and_format_ms": ms(t.emit_and_format),
        "emit_cpu_ms": ms(t.emit),
        "format_cpu_ms": ms(t.format),
        "total_ms": ms(t.total()),
        "files": run.files,
        "changed": run.report.changed.len() + run.report.removed.len(),
        "peak_rss_kib": peak_rss_kib().unwrap_or(0),
    })
    .to_string()
}

/// The process's peak resident set (`VmHWM`), in KiB; Linux only.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
