//! `cargo xtask codegen`: regenerate `generated/` (or check it is fresh), printing the
//! generator's warnings, the files written and the time each stage took.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use codegen::output::Mode;

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
    let out_name = options.out.display().to_string();
    let run = match codegen::run_with(&options.config, &options.out, options.mode, options.strict) {
        Ok(run) => run,
        Err(err) => {
            eprintln!("error: {err}\nnothing was written; {out_name} is unchanged");
            return Ok(ExitCode::FAILURE);
        }
    };
    for warning in &run.warnings {
        eprintln!("warning: {warning}");
    }
    if options.stats {
        println!("{}", stats_line(&run));
    }
    let report = &run.report;
    for path in &report.foreign {
        eprintln!("warning: {out_name}/{path} is not the generator's (no `@generated` header): left as it is");
    }
    match options.mode {
        Mode::Write => {
            for path in &report.changed {
                eprintln!("wrote {out_name}/{path}");
            }
            for path in &report.removed {
                eprintln!("removed {out_name}/{path} (generated, no longer produced)");
            }
            print_api_changes(&run);
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
            Ok(ExitCode::SUCCESS)
        }
        Mode::Check if report.is_clean() => {
            eprintln!("{out_name} is up to date ({} files)", run.files);
            Ok(ExitCode::SUCCESS)
        }
        Mode::Check => {
            for path in &report.changed {
                eprintln!("stale: {out_name}/{path}");
            }
            for path in &report.removed {
                eprintln!("no longer generated: {out_name}/{path}");
            }
            print_api_changes(&run);
            eprintln!("{out_name} is out of date: run `cargo xtask codegen` and commit the result");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// What the new files change for the crate's callers, one line each, breaking first.
fn print_api_changes(run: &codegen::Run) {
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
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
