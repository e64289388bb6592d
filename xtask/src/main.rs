//! `cargo xtask <task>`: the project's own commands.
//!
//! - `codegen`          regenerate `generated/` from `schema/codegen.toml`
//! - `codegen --check`  fail, naming the files, if `generated/` is not what codegen would write

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use codegen::output::{self, Mode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => codegen(Mode::Write),
        ["codegen", "--check"] => codegen(Mode::Check),
        _ => {
            eprintln!("usage: cargo xtask codegen [--check]");
            ExitCode::from(2)
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn codegen(mode: Mode) -> ExitCode {
    let root = workspace_root();
    let config = root.join("schema/codegen.toml");
    let out_dir = root.join("generated");
    let started = Instant::now();
    let generated = match codegen::generate(&config) {
        Ok(generated) => generated,
        Err(err) => {
            eprintln!("error: {err}");
            eprintln!("nothing was written; `generated/` is unchanged");
            return ExitCode::FAILURE;
        }
    };
    let elapsed = started.elapsed();
    for warning in &generated.warnings {
        eprintln!("warning: {warning}");
    }
    let report = match output::sync(&out_dir, &generated.files, mode) {
        Ok(report) => report,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    match mode {
        Mode::Write => {
            for path in &report.changed {
                eprintln!("wrote generated/{path}");
            }
            for path in &report.removed {
                eprintln!("removed generated/{path}");
            }
            eprintln!(
                "generated {} files in {:.1} ms ({} changed, {} removed)",
                generated.files.len(),
                elapsed.as_secs_f64() * 1000.0,
                report.changed.len(),
                report.removed.len()
            );
            ExitCode::SUCCESS
        }
        Mode::Check if report.is_clean() => {
            eprintln!("generated/ is up to date ({} files)", generated.files.len());
            ExitCode::SUCCESS
        }
        Mode::Check => {
            for path in &report.changed {
                eprintln!("stale: generated/{path}");
            }
            for path in &report.removed {
                eprintln!("not generated any more: generated/{path}");
            }
            eprintln!("generated/ is out of date: run `cargo xtask codegen` and commit the result");
            ExitCode::FAILURE
        }
    }
}
