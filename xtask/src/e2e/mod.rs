//! `cargo xtask e2e`: the generated client against a real Label Studio and real storage
//! services, all on 127.0.0.1.
//!
//! 1. Installs the pinned Python environment (`xtask/e2e/requirements.txt`) into
//!    `target/e2e/venv`, once; later runs reuse it ([`setup`]).
//! 2. Starts moto's S3 server, Redis, a GCS emulator, a stand-in ML backend and Label
//!    Studio on free ports, each in its own process group ([`services`]), Label Studio
//!    with a throwaway data folder copied from a migrated template (the first start
//!    migrates for ~90 s; the template makes later starts ~10 s).
//! 3. Runs the `#[ignore]`d tests of `client-tests/tests/{e2e,e2e_storages,e2e_large,
//!    journeys,conformance}.rs` against them, then writes the conformance report ([`conformance`]).
//! 4. Stops every process it started — also on failure, panic or Ctrl-C — and checks
//!    that nothing is left listening.

pub(crate) mod conformance;
pub(crate) mod services;
mod setup;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use services::Services;
use setup::Database;

use crate::error::{AtPath, Error, Result};
use crate::util::{copy_dir, free_port};

/// Credentials of the server's first user; throwaway, local to the test server.
const USERNAME: &str = "e2e@example.com";
const PASSWORD: &str = "e2e-password-1234";
/// The first user's legacy token (40 hex digits, as Label Studio makes them).
const LEGACY_TOKEN: &str = "e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0";
/// A second user, for the conformance sweep: it resets its own legacy token and
/// makes personal access tokens, which other tests must not see change under them.
const SWEEP_USER: &str = "e2e-sweep@example.com";
const SWEEP_TOKEN: &str = "5eeb5eeb5eeb5eeb5eeb5eeb5eeb5eeb5eeb5eeb";

const START_TIMEOUT: Duration = Duration::from_secs(180);

/// The test binaries of `client-tests` that need the servers.
const TEST_TARGETS: &[&str] = &["e2e", "e2e_storages", "e2e_large", "journeys", "conformance"];

pub struct Options {
    /// Write the replies the tests see into `client-tests/tests/fixtures/recorded/`.
    pub record: bool,
    /// Start the services and wait, for running single tests by hand.
    pub serve: bool,
    /// Passed to the test binaries after `--ignored`.
    pub test_args: Vec<String>,
    /// Label Studio on PostgreSQL instead of SQLite.
    pub postgres: bool,
}

pub fn run(root: &Path, options: &Options) -> Result<ExitCode> {
    let services = Services::new();
    let result = run_with(root, options, &services);
    services.stop_all();
    result
}

/// The running servers: what the tests are told, and the ports that must close at the end.
struct Servers {
    env: Vec<(&'static str, String)>,
    ports: Vec<(&'static str, u16)>,
}

/// Starts the servers as `cargo xtask e2e` does, runs `work` with the environment the
/// tests get (`LABEL_STUDIO_URL`, ...), then stops them all: for the bench's transfers.
pub(crate) fn with_servers<T>(root: &Path, work: impl FnOnce(&[(&'static str, String)]) -> Result<T>) -> Result<T> {
    let services = Services::new();
    let e2e = root.join("target/e2e");
    let venv = setup::ensure_venv(root, &e2e)?;
    fresh_run_dir(&e2e)?;
    let result = start_servers(root, &venv, &e2e, &services, false).and_then(|servers| work(&servers.env));
    services.stop_all();
    result
}

/// `run/` (this run's data, logs), emptied.
fn fresh_run_dir(e2e: &Path) -> Result<()> {
    let run_dir = e2e.join("run");
    if run_dir.exists() {
        fs::remove_dir_all(&run_dir).at(&run_dir)?;
    }
    fs::create_dir_all(run_dir.join("logs")).at(&run_dir)
}

fn run_with(root: &Path, options: &Options, services: &Services) -> Result<ExitCode> {
    let e2e = root.join("target/e2e");
    let venv = setup::ensure_venv(root, &e2e)?;
    fresh_run_dir(&e2e)?;
    let run_dir = e2e.join("run");
    let servers = start_servers(root, &venv, &e2e, services, options.postgres)?;
    if options.serve {
        serve(&servers);
    }
    let tests_passed = run_tests(root, options, &servers, &e2e)?;
    let report = if options.postgres {
        "conformance-postgres.json"
    } else {
        "conformance.json"
    };
    let conformance_met = conformance::report(root, &e2e, report)?;

    services.stop_all();
    for (name, port) in &servers.ports {
        if services::listens(*port, Duration::from_millis(300)) {
            return Err(Error::Service(format!(
                "{name} still listens on port {port} after being stopped"
            )));
        }
    }
    if tests_passed && conformance_met {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("logs: {}", run_dir.join("logs").display());
        Ok(ExitCode::FAILURE)
    }
}

/// Starts every server, `e2e` holding the template and this run's folder (`run/`);
/// Label Studio on PostgreSQL with `postgres`.
fn start_servers(root: &Path, venv: &Path, e2e: &Path, services: &Services, postgres: bool) -> Result<Servers> {
    let run_dir = &e2e.join("run");
    // S3 first: Label Studio checks the bucket when a storage is created.
    let s3_url = setup::start_s3(root, venv, run_dir, services)?;
    // Redis, for the Redis storage round trip: from Debian's packages when missing.
    let redis_server = setup::ensure_redis_server()?;
    let redis_port = free_port()?;
    let redis_log = run_dir.join("logs/redis.log");
    services.start("redis", setup::redis(&redis_server, redis_port, run_dir), &redis_log)?;
    services.wait_tcp("redis", redis_port, Duration::from_secs(30), &redis_log)?;
    // GCS (gcp-storage-emulator): Label Studio's GCS client goes there when
    // STORAGE_EMULATOR_HOST is set, without credentials.
    let gcs_url = setup::start_gcs(root, venv, run_dir, services)?;
    // A stand-in ML backend, for the calls that need a connected model.
    let ml_url = setup::start_ml_backend(root, venv, run_dir, services)?;

    let data = run_dir.join("data");
    let db = match postgres {
        false => {
            copy_dir(&setup::ensure_template(root, e2e, venv, services)?, &data)?;
            Database::Sqlite
        }
        true => {
            fs::create_dir_all(&data).at(&data)?;
            let port = crate::servers::postgres::start(services, &run_dir.join("postgres"), Database::POSTGRES_NAME)?;
            Database::Postgres { port }
        }
    };
    // Local-files storages may only read and write below this folder; tests make theirs in it.
    let local_files = run_dir.join("local-files");
    fs::create_dir_all(&local_files).at(&local_files)?;
    let ls_port = free_port()?;
    let ls_url = format!("http://127.0.0.1:{ls_port}");
    let ls_log = run_dir.join("logs/label-studio.log");
    let mut ls = setup::label_studio(root, venv, &data, ls_port, db);
    ls.env("LOCAL_FILES_SERVING_ENABLED", "true")
        .env("LOCAL_FILES_DOCUMENT_ROOT", &local_files)
        .env("STORAGE_EMULATOR_HOST", &gcs_url);
    services.start("label-studio", ls, &ls_log)?;
    if let Database::Postgres { .. } = db {
        // A fresh database: the first start migrates it (there is no template to copy).
        eprintln!("e2e: Label Studio on PostgreSQL, migrating a fresh database");
        services.wait_ready("label-studio", &ls_url, "/health", setup::FIRST_START_TIMEOUT, &ls_log)?;
        setup::add_users(root, venv, &data, db)?;
    }
    services.wait_ready("label-studio", &ls_url, "/health", START_TIMEOUT, &ls_log)?;
    let stored_fields = stored_fields_script(root, venv, &data, run_dir, db)?;

    let env = vec![
        ("LABEL_STUDIO_URL", ls_url),
        ("LABEL_STUDIO_API_KEY", LEGACY_TOKEN.to_owned()),
        ("E2E_S3_ENDPOINT", s3_url.clone()),
        ("E2E_LOCAL_FILES_ROOT", local_files.display().to_string()),
        ("E2E_REDIS_PORT", redis_port.to_string()),
        ("E2E_GCS_ENDPOINT", gcs_url),
        ("E2E_ML_URL", ml_url),
        ("E2E_SWEEP_TOKEN", SWEEP_TOKEN.to_owned()),
        ("E2E_DATABASE", if postgres { "postgres" } else { "sqlite" }.to_owned()),
        ("E2E_STORED_FIELDS", stored_fields.display().to_string()),
        (
            "E2E_CONFORMANCE_LOG",
            e2e.join("conformance-calls.jsonl").display().to_string(),
        ),
    ];
    // (The GCS emulator and the ML backend are on ports `free_port` chose too; they are
    // stopped with their process groups like the rest.)
    let ports = vec![
        ("moto", port_of(&s3_url)?),
        ("label-studio", ls_port),
        ("redis", redis_port),
    ];
    Ok(Servers { env, ports })
}

fn port_of(url: &str) -> Result<u16> {
    url.rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| Error::unexpected(url, "no port"))
}

/// A script running `xtask/e2e/stored_fields.py` with the server's settings, so tests can
/// read what the database holds for fields the API never returns.
fn stored_fields_script(root: &Path, venv: &Path, data: &Path, run_dir: &Path, db: Database) -> Result<PathBuf> {
    let python = setup::python_with_server_env(root, venv, data, db)?;
    let quote = |s: &std::ffi::OsStr| format!("'{}'", s.to_string_lossy().replace('\'', r"'\''"));
    let mut script = String::from("#!/bin/sh\n# Written by `cargo xtask e2e`.\n");
    for (key, value) in python.get_envs() {
        if let Some(value) = value {
            let _ = writeln!(script, "export {}={}", key.to_string_lossy(), quote(value));
        }
    }
    let program = quote(python.get_program());
    let stored_fields = root.join("xtask/e2e/stored_fields.py");
    let _ = writeln!(script, "exec {program} {} \"$@\"", quote(stored_fields.as_os_str()));
    let path = run_dir.join("stored-fields");
    fs::write(&path, script).at(&path)?;
    let mut permissions = fs::metadata(&path).at(&path)?.permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    fs::set_permissions(&path, permissions).at(&path)?;
    Ok(path)
}

/// `--serve`: prints how to reach the servers and run tests by hand, then waits for Ctrl-C.
fn serve(servers: &Servers) -> ! {
    let exports: Vec<String> = servers.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let url = |key: &str| {
        servers
            .env
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    eprintln!(
        "\nLabel Studio: {} (sign in as {USERNAME} / {PASSWORD})\nS3 (moto):    {}",
        url("LABEL_STUDIO_URL"),
        url("E2E_S3_ENDPOINT")
    );
    let targets: Vec<String> = TEST_TARGETS.iter().map(|t| format!("--test {t}")).collect();
    eprintln!(
        "Run tests against them with:\n  {} cargo test -p label-studio-client-tests {} -- --ignored [name]",
        exports.join(" "),
        targets.join(" ")
    );
    eprintln!("Ctrl-C stops them all.");
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// Runs the end-to-end test binaries; `Ok(true)` when they pass.
fn run_tests(root: &Path, options: &Options, servers: &Servers, e2e: &Path) -> Result<bool> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut test = Command::new(cargo);
    test.current_dir(root).args(["test", "-p", "label-studio-client-tests"]);
    for target in TEST_TARGETS {
        test.args(["--test", target]);
    }
    test.args(["--", "--ignored"])
        .args(&options.test_args)
        .envs(servers.env.iter().map(|(k, v)| (*k, v.as_str())));
    if options.record {
        test.env("E2E_RECORD_DIR", root.join("client-tests/tests/fixtures/recorded"));
    }
    let started = Instant::now();
    let _ = fs::remove_file(e2e.join("conformance-calls.jsonl"));
    let status = test.status().map_err(|source| Error::Spawn {
        program: "cargo test".to_owned(),
        source,
    })?;
    eprintln!("e2e tests took {:.0} s", started.elapsed().as_secs_f64());
    Ok(status.success())
}
