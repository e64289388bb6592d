//! What the services need before they start: the pinned Python environment, Redis, a
//! migrated Label Studio data folder, and the commands (with settings) that run them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::services::Services;
use super::{LEGACY_TOKEN, PASSWORD, SWEEP_TOKEN, SWEEP_USER, USERNAME};
use crate::error::{AtPath, Error, Result};
use crate::util::{free_port, run_checked};

pub const FIRST_START_TIMEOUT: Duration = Duration::from_secs(420);

/// The venv, installed from the pinned requirements unless it already holds exactly them.
pub fn ensure_venv(root: &Path, e2e: &Path) -> Result<PathBuf> {
    crate::util::ensure_venv(&root.join("xtask/e2e/requirements.txt"), &e2e.join("venv"), "e2e")
}

/// `redis-server` from PATH, or installed from Debian's packages (needs root and apt).
pub fn ensure_redis_server() -> Result<PathBuf> {
    if let Some(found) = on_path("redis-server") {
        return Ok(found);
    }
    eprintln!("e2e: installing redis-server from Debian's packages");
    let apt = |args: &[&str]| {
        let mut cmd = Command::new("apt-get");
        cmd.args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null());
        run_checked(&mut cmd, &format!("apt-get {}", args.join(" ")))
    };
    apt(&["update", "-qq"])?;
    apt(&["install", "-y", "-qq", "--no-install-recommends", "redis-server"])?;
    // The package starts a system-wide server; the tests use their own.
    let _ = Command::new("service")
        .args(["redis-server", "stop"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    on_path("redis-server")
        .ok_or_else(|| Error::Service("redis-server is still not on PATH after installing it".into()))
}

fn on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A Redis without persistence on `port`, its files in `run_dir`.
pub fn redis(server: &Path, port: u16, run_dir: &Path) -> Command {
    let mut redis = Command::new(server);
    redis
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args(["--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(run_dir);
    redis
}

/// A data directory with migrations applied and the first user created; rebuilt when
/// the Python environment or the server settings change.
pub fn ensure_template(root: &Path, e2e: &Path, venv: &Path, services: &Services) -> Result<PathBuf> {
    let template = e2e.join("ls-template");
    let marker = template.join(".e2e-template");
    let key = template_key(root)?;
    if fs::read_to_string(&marker).ok().as_deref() == Some(key.as_str()) {
        return Ok(template);
    }
    if template.exists() {
        fs::remove_dir_all(&template).at(&template)?;
    }
    fs::create_dir_all(&template).at(&template)?;
    eprintln!("e2e: first Label Studio start on a fresh database (migrations take ~90 s, once)");
    let started = Instant::now();
    let port = free_port()?;
    let log = e2e.join("ls-template.log");
    let name = "label-studio (template)";
    services.start(name, label_studio(root, venv, &template, port, Database::Sqlite), &log)?;
    let url = format!("http://127.0.0.1:{port}");
    services.wait_ready(name, &url, "/health", FIRST_START_TIMEOUT, &log)?;
    services.stop(name);
    add_users(root, venv, &template, Database::Sqlite)?;
    fs::write(&marker, key).at(&marker)?;
    eprintln!("e2e: template ready in {:.0} s", started.elapsed().as_secs_f64());
    Ok(template)
}

/// Adds the sweep's user (`add_users.py`) to a migrated database.
pub fn add_users(root: &Path, venv: &Path, data: &Path, db: Database) -> Result<()> {
    let mut add_users = python_with_server_env(root, venv, data, db)?;
    add_users
        .arg(root.join("xtask/e2e/add_users.py"))
        .arg(format!("{SWEEP_USER}:{SWEEP_TOKEN}"));
    run_checked(&mut add_users, "add_users.py")
}

/// Everything the template depends on: a change to any of it rebuilds the template.
fn template_key(root: &Path) -> Result<String> {
    let mut key = String::new();
    for file in [
        "xtask/e2e/requirements.txt",
        "xtask/e2e/e2e_settings.py",
        "xtask/e2e/e2e_tokens.py",
        "xtask/e2e/add_users.py",
    ] {
        let path = root.join(file);
        key.push_str(&fs::read_to_string(&path).at(&path)?);
    }
    key.push_str(LEGACY_TOKEN);
    Ok(key)
}

/// Where Label Studio keeps its records: SQLite in its data folder (the default), or a
/// PostgreSQL database (`cargo xtask e2e --postgres`), as production installs do.
#[derive(Clone, Copy)]
pub enum Database {
    Sqlite,
    Postgres { port: u16 },
}

impl Database {
    /// The database this run's Label Studio uses (made by `servers::postgres::start`).
    pub const POSTGRES_NAME: &str = "labelstudio";

    fn configure(self, cmd: &mut Command) {
        if let Database::Postgres { port } = self {
            // Label Studio's settings: `DJANGO_DB=default` is PostgreSQL, from POSTGRE_*.
            cmd.env("DJANGO_DB", "default")
                .env("POSTGRE_NAME", Self::POSTGRES_NAME)
                .env("POSTGRE_USER", "sweep")
                .env("POSTGRE_PASSWORD", "")
                .env("POSTGRE_HOST", "127.0.0.1")
                .env("POSTGRE_PORT", port.to_string());
        }
    }
}

/// `label-studio start` bound to 127.0.0.1, calling nothing outside, legacy tokens on.
pub fn label_studio(root: &Path, venv: &Path, data: &Path, port: u16, db: Database) -> Command {
    let mut cmd = Command::new(venv.join("bin/label-studio"));
    cmd.args(["start", "--no-browser", "--internal-host", "127.0.0.1"])
        .args(["--port", &port.to_string()])
        .arg("--data-dir")
        .arg(data)
        .arg("--enable-legacy-api-token");
    server_settings(&mut cmd, root, data, db);
    cmd
}

/// The venv's Python with the server's environment, for scripts using its Django models.
pub fn python_with_server_env(root: &Path, venv: &Path, data: &Path, db: Database) -> Result<Command> {
    let lib = venv.join("lib");
    let python = fs::read_dir(&lib)
        .at(&lib)?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("python")))
        .ok_or_else(|| Error::unexpected(lib.display(), "no python* folder"))?;
    let mut cmd = Command::new(venv.join("bin/python"));
    server_settings(&mut cmd, root, data, db);
    // Label Studio's apps import each other as top-level modules (`users.models`).
    let paths = [root.join("xtask/e2e"), python.join("site-packages/label_studio")];
    let joined = std::env::join_paths(paths).map_err(|e| Error::unexpected("PYTHONPATH", e.to_string()))?;
    cmd.env("PYTHONPATH", joined);
    Ok(cmd)
}

/// Settings shared by the server and scripts run with its environment.
fn server_settings(cmd: &mut Command, root: &Path, data: &Path, db: Database) {
    db.configure(cmd);
    cmd.env("LABEL_STUDIO_BASE_DATA_DIR", data)
        .env("LABEL_STUDIO_USERNAME", USERNAME)
        .env("LABEL_STUDIO_PASSWORD", PASSWORD)
        .env("LABEL_STUDIO_USER_TOKEN", LEGACY_TOKEN)
        .env("LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN", "true")
        // A loopback S3 endpoint is otherwise refused as SSRF...
        .env("USE_DEFAULT_BANNED_SUBNETS", "false")
        // ...and S3 errors for an IP endpoint are otherwise masked as 500s.
        .env("S3_TRUSTED_STORAGE_DOMAINS", "amazonaws.com,")
        .env("SECRET_KEY", "e2e-only-secret-key-not-used-anywhere-else-0123456789")
        .env("SENTRY_DSN", "")
        .env("FRONTEND_SENTRY_DSN", "")
        .env("COLLECT_ANALYTICS", "false")
        .env("LATEST_VERSION_CHECK", "false")
        // Short-lived, skewed JWTs: see xtask/e2e/e2e_settings.py.
        .env("DJANGO_SETTINGS_MODULE", "e2e_settings")
        .env("PYTHONPATH", root.join("xtask/e2e"));
}

/// The GCS emulator, in memory, with the seeded bucket; returns its URL.
pub fn start_gcs(root: &Path, venv: &Path, run_dir: &Path, services: &Services) -> Result<String> {
    let port = free_port()?;
    let url = format!("http://127.0.0.1:{port}");
    let mut gcs = Command::new(venv.join("bin/gcp-storage-emulator"));
    gcs.args(["start", "-H", "127.0.0.1", "--port", &port.to_string()])
        .args(["--default-bucket", "e2e-gcs", "--in-memory", "--quiet"]);
    let log = run_dir.join("logs/gcs.log");
    services.start("gcs", gcs, &log)?;
    services.wait_tcp("gcs", port, Duration::from_secs(60), &log)?;
    let mut seed = Command::new(venv.join("bin/python"));
    seed.arg(root.join("xtask/e2e/seed_gcs.py")).arg(&url);
    run_checked(&mut seed, "seed_gcs.py")?;
    Ok(url)
}

/// `xtask/e2e/fake_ml_backend.py`; returns its URL.
pub fn start_ml_backend(root: &Path, venv: &Path, run_dir: &Path, services: &Services) -> Result<String> {
    let port = free_port()?;
    let url = format!("http://127.0.0.1:{port}");
    let mut ml = Command::new(venv.join("bin/python"));
    ml.arg(root.join("xtask/e2e/fake_ml_backend.py"))
        .args(["127.0.0.1", &port.to_string()]);
    let log = run_dir.join("logs/ml-backend.log");
    services.start("ml-backend", ml, &log)?;
    services.wait_ready("ml-backend", &url, "/health", Duration::from_secs(30), &log)?;
    Ok(url)
}

/// moto's S3 server, seeded with `xtask/e2e/seed_s3.py`'s buckets; returns its URL.
pub fn start_s3(root: &Path, venv: &Path, run_dir: &Path, services: &Services) -> Result<String> {
    let port = free_port()?;
    let url = format!("http://127.0.0.1:{port}");
    let mut moto = Command::new(venv.join("bin/moto_server"));
    moto.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
    let log = run_dir.join("logs/moto.log");
    services.start("moto", moto, &log)?;
    services.wait_ready("moto", &url, "/", Duration::from_secs(60), &log)?;
    let mut seed = Command::new(venv.join("bin/python"));
    seed.arg(root.join("xtask/e2e/seed_s3.py")).arg(&url);
    run_checked(&mut seed, "seed_s3.py")?;
    Ok(url)
}
