//! `cargo xtask <task>`: the project's own commands.
//!
//! - `codegen`          regenerate `generated/` from `schema/codegen.toml`
//! - `codegen --check`  fail, naming the files, if `generated/` is not what codegen would write
//! - `e2e`              run the end-to-end tests against a real Label Studio and S3 API (moto)

mod e2e;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use codegen::output::Mode;

const USAGE: &str = "usage:
  cargo xtask codegen [--check]
  cargo xtask e2e [--record] [--serve] [-- <test filter and libtest args>]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => codegen(Mode::Write),
        ["codegen", "--check"] => codegen(Mode::Check),
        ["e2e", rest @ ..] => match e2e::Options::parse(rest) {
            Some(options) => e2e::run(&workspace_root(), options),
            None => usage(),
        },
        _ => usage(),
    }
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn codegen(mode: Mode) -> ExitCode {
    let root = workspace_root();
    let run = match codegen::run(&root.join("schema/codegen.toml"), &root.join("generated"), mode) {
        Ok(run) => run,
        Err(err) => {
            eprintln!("error: {err}");
            eprintln!("nothing was written; generated/ is unchanged");
            return ExitCode::FAILURE;
        }
    };
    for warning in &run.warnings {
        eprintln!("warning: {warning}");
    }
    let report = &run.report;
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
                run.files,
                run.generation_time.as_secs_f64() * 1000.0,
                report.changed.len(),
                report.removed.len()
            );
            ExitCode::SUCCESS
        }
        Mode::Check if report.is_clean() => {
            eprintln!("generated/ is up to date ({} files)", run.files);
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
