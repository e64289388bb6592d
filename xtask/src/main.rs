//! `cargo xtask <task>`: the project's own commands.
//!
//! - `codegen`          regenerate `generated/` from `schema/codegen.toml`
//! - `codegen --check`  fail, naming the files, if `generated/` is not what codegen would write
//!   (`--config FILE --out DIR` generate from another description, into another folder)
//! - `e2e`              run the end-to-end tests against a real Label Studio and S3 API (moto)
//! - `bench`            measure generation, the generated crate's build, and its run time

mod bench;
mod conformance;
mod e2e;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use codegen::output::Mode;

const USAGE: &str = "usage:
  cargo xtask codegen [--check] [--config schema/codegen.toml] [--out generated]
  cargo xtask e2e [--record] [--serve] [-- <test filter and libtest args>]
  cargo xtask bench [--runs N]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen", rest @ ..] => match CodegenArgs::parse(rest) {
            Some(args) => codegen(args),
            None => usage(),
        },
        ["bench", rest @ ..] => match bench::Options::parse(rest) {
            Some(options) => bench::run(&workspace_root(), options),
            None => usage(),
        },
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

struct CodegenArgs {
    mode: Mode,
    config: PathBuf,
    out: PathBuf,
    /// Also print one JSON line of figures on stdout (read by `cargo xtask bench`).
    stats: bool,
}

impl CodegenArgs {
    fn parse(args: &[&str]) -> Option<CodegenArgs> {
        let root = workspace_root();
        let mut parsed = CodegenArgs {
            mode: Mode::Write,
            config: root.join("schema/codegen.toml"),
            out: root.join("generated"),
            stats: false,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match *arg {
                "--check" => parsed.mode = Mode::Check,
                "--config" => parsed.config = PathBuf::from(args.next()?),
                "--out" => parsed.out = PathBuf::from(args.next()?),
                "--stats" => parsed.stats = true,
                _ => return None,
            }
        }
        Some(parsed)
    }
}

fn codegen(args: CodegenArgs) -> ExitCode {
    let CodegenArgs {
        mode,
        config,
        out,
        stats,
    } = args;
    let out_name = out.display().to_string();
    let run = match codegen::run(&config, &out, mode) {
        Ok(run) => run,
        Err(err) => {
            eprintln!("error: {err}");
            eprintln!("nothing was written; {out_name} is unchanged");
            return ExitCode::FAILURE;
        }
    };
    for warning in &run.warnings {
        eprintln!("warning: {warning}");
    }
    let report = &run.report;
    if stats {
        println!("{}", stats_line(&run));
    }
    match mode {
        Mode::Write => {
            for path in &report.changed {
                eprintln!("wrote {out_name}/{path}");
            }
            for path in &report.removed {
                eprintln!("removed {out_name}/{path}");
            }
            let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
            let t = run.timings;
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
                eprintln!("not generated any more: {out_name}/{path}");
            }
            eprintln!("{out_name} is out of date: run `cargo xtask codegen` and commit the result");
            ExitCode::FAILURE
        }
    }
}

/// Stage timings, changed files and peak memory of this process, as one JSON object.
fn stats_line(run: &codegen::Run) -> String {
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let t = &run.timings;
    format!(
        "{{\"load_ms\":{},\"lower_ms\":{},\"emit_and_format_ms\":{},\"emit_cpu_ms\":{},\"format_cpu_ms\":{},\
         \"total_ms\":{},\"files\":{},\"changed\":{},\"peak_rss_kib\":{}}}",
        ms(t.load),
        ms(t.lower),
        ms(t.emit_and_format),
        ms(t.emit),
        ms(t.format),
        ms(t.total()),
        run.files,
        run.report.changed.len() + run.report.removed.len(),
        peak_rss_kib().unwrap_or(0)
    )
}

/// The process's peak resident set (`VmHWM`), in KiB; Linux only.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
