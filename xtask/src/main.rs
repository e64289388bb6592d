//! `cargo xtask <task>`: the project's own commands, one module each.
//!
//! - `codegen` ([`regenerate`]): regenerate `generated/` from `schema/codegen.toml`, or
//!   with `--check` fail, naming the files, if `generated/` is not what it would write
//! - `e2e` ([`e2e`]): the end-to-end tests against a real Label Studio and storage services
//! - `bench` ([`bench`]): generation time, the generated crate's build time, its run time
//! - `api-diff` ([`api_diff`]): what changed for callers between two descriptions, as Markdown
//! - `corpus` ([`corpus`]): public descriptions from other producers, generated, built, linted;
//!   with `--suites` ([`suites`]) the peer generators' own test inputs
//! - `wire` ([`wire`]): the same calls through the generated clients and the vendors' official SDKs, compared
//! - `servers` ([`servers`]): conformance sweeps of the real servers of `servers/` beside Label Studio
//! - `soak` ([`soak`]): many clients running the user journey against a real Label Studio for minutes

mod api_diff;
mod bench;
mod corpus;
mod crate_checks;
mod e2e;
mod error;
mod regenerate;
mod servers;
mod soak;
mod suites;
mod util;
mod wire;

// Generation allocates millions of small token and syntax nodes: mimalloc makes
// `cargo xtask codegen` ~20% faster than the system allocator (built without
// transparent huge pages; see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(all(test, target_os = "linux"))]
mod tests {
    /// No mapping of this process asks for huge pages (`hg` in its VmFlags): the
    /// allocator is built with `no_thp`.
    #[test]
    fn the_allocator_asks_for_no_huge_pages() {
        let held: Vec<Vec<u8>> = (0..64).map(|i| vec![i as u8; 64 * 1024]).collect();
        let smaps = std::fs::read_to_string("/proc/self/smaps").expect("/proc/self/smaps");
        let huge: Vec<&str> = smaps
            .lines()
            .filter(|l| l.starts_with("VmFlags:") && l.split_whitespace().any(|f| f == "hg"))
            .collect();
        assert!(huge.is_empty(), "mappings advised for huge pages: {huge:?}");
        assert_eq!(held.len(), 64);
    }
}

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use codegen::output::Mode;

#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", about = "The project's own commands")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate generated/ from schema/codegen.toml
    Codegen {
        /// Only check that the output is what the generator would write
        #[arg(long)]
        check: bool,
        /// The generator config
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// The folder to generate into
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Also print one JSON line of figures on stdout (for `cargo xtask bench`)
        #[arg(long)]
        stats: bool,
        /// Treat warnings as errors (nothing is written when there is one)
        #[arg(long)]
        strict: bool,
    },
    /// Run the end-to-end tests against a real Label Studio and storage services
    E2e {
        /// Write the replies the tests see into client-tests/tests/fixtures/recorded/
        #[arg(long)]
        record: bool,
        /// Start the services and wait, for running single tests by hand
        #[arg(long)]
        serve: bool,
        /// Label Studio on PostgreSQL (Debian's package, a throwaway cluster) instead of SQLite;
        /// the sweep's report goes to target/e2e/conformance-postgres.json
        #[arg(long)]
        postgres: bool,
        /// Test filter and libtest arguments, after `--`
        #[arg(last = true)]
        test_args: Vec<String>,
    },
    /// Compare the generated API of two descriptions (same config, schema/codegen.toml by
    /// default): Markdown for a pull request
    ApiDiff(openapi_typed::DiffArgs),
    /// Generate, build, lint and doctest every description in corpus/SOURCES.toml
    Corpus {
        /// Instead: the peer generators' own test inputs (corpus/suites/SUITES.toml)
        #[arg(long)]
        suites: bool,
        /// Only these documents (their names in corpus/SOURCES.toml); all by default
        names: Vec<String>,
    },
    /// Make the same calls through generated clients and the vendors' official SDKs, and compare what arrives
    Wire,
    /// Sweep the real servers of servers/ with their generated clients (after `e2e`, for servers.json)
    Servers {
        /// Only these servers (folder names); all by default
        names: Vec<String>,
    },
    /// Run the user journey on many clients at once against a real Label Studio, checking every write
    Soak {
        /// Clients running at once
        #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
        clients: u16,
        /// How long, in minutes
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
        minutes: u16,
    },
    /// Measure generation, the generated crate's build, and its run time
    Bench {
        /// Timed generation runs
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u16).range(1..))]
        runs: u16,
        /// Timed clean builds of each crate (a minute or more each for the large ones)
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
        build_runs: u16,
        /// Also install the pinned peer generators under target/peers/ and measure them in the same run
        #[arg(long)]
        peers: bool,
    },
}

fn main() -> ExitCode {
    let root = workspace_root();
    let result = match Cli::parse().task {
        Task::Codegen {
            check,
            config,
            out,
            stats,
            strict,
        } => regenerate::run(&regenerate::Options {
            mode: if check { Mode::Check } else { Mode::Write },
            config: config.unwrap_or_else(|| root.join("schema/codegen.toml")),
            out: out.unwrap_or_else(|| root.join("generated")),
            stats,
            strict,
        }),
        Task::E2e {
            record,
            serve,
            postgres,
            test_args,
        } => e2e::run(
            &root,
            &e2e::Options {
                record,
                serve,
                test_args,
                postgres,
            },
        ),
        Task::ApiDiff(openapi_typed::DiffArgs { old, new, config, out }) => api_diff::run(&api_diff::Options {
            old,
            new,
            config: config.unwrap_or_else(|| root.join("schema/codegen.toml")),
            out,
        }),
        Task::Corpus { suites: false, names } => corpus::run(&root, &names),
        Task::Corpus { suites: true, .. } => suites::run(&root),
        Task::Wire => wire::run(&root),
        Task::Servers { names } => servers::run(&root, &names),
        Task::Soak { clients, minutes } => soak::run(&root, &soak::Options { clients, minutes }),
        Task::Bench {
            runs,
            build_runs,
            peers,
        } => bench::run(
            &root,
            &bench::Options {
                runs: runs.into(),
                build_runs: build_runs.into(),
                peers,
            },
        )
        .map(|()| ExitCode::SUCCESS),
    };
    result.unwrap_or_else(|err| {
        eprintln!("error: {err}");
        ExitCode::FAILURE
    })
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}
