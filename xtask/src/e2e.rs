//! `cargo xtask e2e`: the generated client against a real Label Studio and a real S3 API.
//!
//! 1. Installs the pinned Python environment (`xtask/e2e/requirements.txt`) into
//!    `target/e2e/venv`, once; later runs reuse it.
//! 2. Starts moto's S3 server and Label Studio on free 127.0.0.1 ports, each in its own
//!    process group, with a throwaway data directory copied from a migrated template
//!    (the first start migrates for ~90 s; the template makes later starts ~10 s).
//! 3. Runs the `#[ignore]`d tests of `generated/tests/e2e.rs` against them.
//! 4. Stops every process it started — also on failure, panic or Ctrl-C — and checks
//!    that nothing is left listening.

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Credentials of the server's first user; throwaway, local to the test server.
const USERNAME: &str = "e2e@example.com";
const PASSWORD: &str = "e2e-password-1234";
/// The first user's legacy token (40 hex digits, as Label Studio makes them).
const LEGACY_TOKEN: &str = "e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0";
/// A second user, for the conformance sweep: it resets its own legacy token and
/// makes personal access tokens, which other tests must not see change under them.
const SWEEP_USER: &str = "e2e-sweep@example.com";
const SWEEP_TOKEN: &str = "5eeb5eeb5eeb5eeb5eeb5eeb5eeb5eeb5eeb5eeb";

const FIRST_START_TIMEOUT: Duration = Duration::from_secs(420);
const START_TIMEOUT: Duration = Duration::from_secs(180);

pub struct Options {
    /// Write the replies the tests see into `generated/tests/fixtures/recorded/`.
    record: bool,
    /// Start the services and wait, for running single tests by hand.
    serve: bool,
    /// Passed to the test binary after `--ignored`.
    test_args: Vec<String>,
}

impl Options {
    pub fn parse(args: &[&str]) -> Option<Options> {
        let mut options = Options {
            record: false,
            serve: false,
            test_args: Vec::new(),
        };
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            match *arg {
                "--record" => options.record = true,
                "--serve" => options.serve = true,
                "--" => options.test_args.extend(rest.by_ref().map(|s| s.to_string())),
                _ => return None,
            }
        }
        Some(options)
    }
}

pub fn run(root: &Path, options: Options) -> ExitCode {
    let services = Services::new();
    let result = run_with(root, &options, &services);
    services.stop_all();
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("e2e: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_with(root: &Path, options: &Options, services: &Services) -> Result<ExitCode, String> {
    let e2e = root.join("target/e2e");
    let venv = ensure_venv(root, &e2e)?;

    let run_dir = e2e.join("run");
    if run_dir.exists() {
        fs::remove_dir_all(&run_dir).map_err(|e| format!("cannot clear {}: {e}", run_dir.display()))?;
    }
    fs::create_dir_all(run_dir.join("logs")).map_err(|e| e.to_string())?;

    // S3 first: Label Studio checks the bucket when a storage is created.
    let s3_port = free_port()?;
    let s3_url = format!("http://127.0.0.1:{s3_port}");
    let mut moto = Command::new(venv.join("bin/moto_server"));
    moto.args(["-H", "127.0.0.1", "-p", &s3_port.to_string()]);
    let moto_log = run_dir.join("logs/moto.log");
    services.start("moto", moto, &moto_log)?;
    services.wait_ready("moto", &s3_url, "/", Duration::from_secs(60), &moto_log)?;
    let seeded = Command::new(venv.join("bin/python"))
        .arg(root.join("xtask/e2e/seed_s3.py"))
        .arg(&s3_url)
        .status()
        .map_err(|e| format!("cannot run seed_s3.py: {e}"))?;
    if !seeded.success() {
        return Err("seeding S3 failed (see above)".to_owned());
    }

    // Redis, for the Redis storage round trip: from Debian's packages when missing.
    let redis_server = ensure_redis_server()?;
    let redis_port = free_port()?;
    let mut redis = Command::new(&redis_server);
    redis
        .args([
            "--bind",
            "127.0.0.1",
            "--port",
            &redis_port.to_string(),
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .arg("--dir")
        .arg(&run_dir);
    let redis_log = run_dir.join("logs/redis.log");
    services.start("redis", redis, &redis_log)?;
    services.wait_tcp("redis", redis_port, Duration::from_secs(30), &redis_log)?;

    // GCS (gcp-storage-emulator): Label Studio's GCS client goes there when
    // STORAGE_EMULATOR_HOST is set, without credentials.
    let gcs_url = start_gcs(root, &venv, &run_dir, services)?;
    // A stand-in ML backend, for the calls that need a connected model.
    let ml_url = start_ml_backend(root, &venv, &run_dir, services)?;

    let template = ensure_template(root, &e2e, &venv, services)?;
    let data = run_dir.join("data");
    copy_dir(&template, &data)?;
    // Local-files storages may only read and write below this folder; tests make theirs in it.
    let local_files = run_dir.join("local-files");
    fs::create_dir_all(&local_files).map_err(|e| e.to_string())?;
    let ls_port = free_port()?;
    let ls_url = format!("http://127.0.0.1:{ls_port}");
    let ls_log = run_dir.join("logs/label-studio.log");
    let mut ls = label_studio(root, &venv, &data, ls_port);
    ls.env("LOCAL_FILES_SERVING_ENABLED", "true")
        .env("LOCAL_FILES_DOCUMENT_ROOT", &local_files)
        .env("STORAGE_EMULATOR_HOST", &gcs_url);
    services.start("label-studio", ls, &ls_log)?;
    services.wait_ready("label-studio", &ls_url, "/health", START_TIMEOUT, &ls_log)?;

    let env = [
        ("LABEL_STUDIO_URL", ls_url.clone()),
        ("LABEL_STUDIO_API_KEY", LEGACY_TOKEN.to_owned()),
        ("E2E_S3_ENDPOINT", s3_url.clone()),
        ("E2E_LOCAL_FILES_ROOT", local_files.display().to_string()),
        ("E2E_REDIS_PORT", redis_port.to_string()),
        ("E2E_GCS_ENDPOINT", gcs_url.clone()),
        ("E2E_ML_URL", ml_url.clone()),
        ("E2E_SWEEP_TOKEN", SWEEP_TOKEN.to_owned()),
        (
            "E2E_CONFORMANCE_LOG",
            e2e.join("conformance-calls.jsonl").display().to_string(),
        ),
    ];
    if options.serve {
        let exports: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        eprintln!("\nLabel Studio: {ls_url} (sign in as {USERNAME} / {PASSWORD})\nS3 (moto):    {s3_url}");
        eprintln!(
            "Run tests against them with:\n  {} cargo test -p label-studio-client --test e2e --test e2e_storages \
             --test journeys --test conformance -- --ignored [name]",
            exports.join(" ")
        );
        eprintln!("Ctrl-C stops both.");
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut test = Command::new(cargo);
    test.current_dir(root)
        .args([
            "test",
            "-p",
            "label-studio-client",
            "--test",
            "e2e",
            "--test",
            "e2e_storages",
            "--test",
            "journeys",
            "--test",
            "conformance",
            "--",
            "--ignored",
        ])
        .args(&options.test_args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    if options.record {
        test.env("E2E_RECORD_DIR", root.join("generated/tests/fixtures/recorded"));
    }
    let started = Instant::now();
    let _ = fs::remove_file(e2e.join("conformance-calls.jsonl"));
    let status = test.status().map_err(|e| format!("cannot run cargo test: {e}"))?;
    eprintln!("e2e tests took {:.0} s", started.elapsed().as_secs_f64());
    let conformance_met = super::conformance::report(root, &e2e)?;

    services.stop_all();
    for (name, port) in [("moto", s3_port), ("label-studio", ls_port), ("redis", redis_port)] {
        // (The GCS emulator and the ML backend are on ports `free_port` chose too; they
        // are stopped with their process groups like the rest.)
        if TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), Duration::from_millis(300)).is_ok() {
            return Err(format!("{name} still listens on port {port} after being stopped"));
        }
    }
    if status.success() && conformance_met {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("logs: {}", run_dir.join("logs").display());
        Ok(ExitCode::FAILURE)
    }
}

/// The venv, installed from the pinned requirements unless it already holds exactly them.
fn ensure_venv(root: &Path, e2e: &Path) -> Result<PathBuf, String> {
    let requirements = root.join("xtask/e2e/requirements.txt");
    let wanted = fs::read_to_string(&requirements).map_err(|e| format!("{}: {e}", requirements.display()))?;
    let venv = e2e.join("venv");
    let marker = venv.join(".e2e-requirements");
    if fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(venv);
    }
    eprintln!(
        "e2e: installing the pinned Python environment into {} (takes a few minutes, once)",
        venv.display()
    );
    let started = Instant::now();
    if !venv.join("bin/python").exists() {
        run_checked(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "python3 -m venv",
        )?;
    }
    run_checked(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements),
        "pip install",
    )?;
    fs::write(&marker, &wanted).map_err(|e| e.to_string())?;
    eprintln!("e2e: installed in {:.0} s", started.elapsed().as_secs_f64());
    Ok(venv)
}

/// `redis-server` from PATH, or installed from Debian's packages (needs root and apt).
fn ensure_redis_server() -> Result<PathBuf, String> {
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .map(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(name))
                    .find(|p| p.is_file())
            })
            .unwrap_or_default()
    };
    if let Some(found) = on_path("redis-server") {
        return Ok(found);
    }
    eprintln!("e2e: installing redis-server from Debian's packages");
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run apt-get: {e}"))
            .and_then(|s| {
                if s.success() {
                    Ok(())
                } else {
                    Err(format!("apt-get {} failed ({s})", args.join(" ")))
                }
            })
    };
    apt(&["update", "-qq"])?;
    apt(&["install", "-y", "-qq", "--no-install-recommends", "redis-server"])?;
    // The package starts a system-wide server; the tests use their own.
    let _ = Command::new("service")
        .args(["redis-server", "stop"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    on_path("redis-server").ok_or_else(|| "redis-server is still not on PATH after installing it".to_owned())
}

/// A data directory with migrations applied and the first user created; rebuilt when
/// the Python environment or the server settings change.
fn ensure_template(root: &Path, e2e: &Path, venv: &Path, services: &Services) -> Result<PathBuf, String> {
    let template = e2e.join("ls-template");
    let marker = template.join(".e2e-template");
    let key = template_key(root)?;
    if fs::read_to_string(&marker).ok().as_deref() == Some(key.as_str()) {
        return Ok(template);
    }
    if template.exists() {
        fs::remove_dir_all(&template).map_err(|e| e.to_string())?;
    }
    fs::create_dir_all(&template).map_err(|e| e.to_string())?;
    eprintln!("e2e: first Label Studio start on a fresh database (migrations take ~90 s, once)");
    let started = Instant::now();
    let port = free_port()?;
    let log = e2e.join("ls-template.log");
    services.start(
        "label-studio (template)",
        label_studio(root, venv, &template, port),
        &log,
    )?;
    services.wait_ready(
        "label-studio (template)",
        &format!("http://127.0.0.1:{port}"),
        "/health",
        FIRST_START_TIMEOUT,
        &log,
    )?;
    services.stop("label-studio (template)");
    let mut add_users = Command::new(venv.join("bin/python"));
    add_users
        .arg(root.join("xtask/e2e/add_users.py"))
        .arg(format!("{SWEEP_USER}:{SWEEP_TOKEN}"));
    server_env(&mut add_users, root, venv, &template)?;
    run_checked(&mut add_users, "add_users.py")?;
    fs::write(&marker, key).map_err(|e| e.to_string())?;
    eprintln!("e2e: template ready in {:.0} s", started.elapsed().as_secs_f64());
    Ok(template)
}

fn template_key(root: &Path) -> Result<String, String> {
    let mut key = String::new();
    for file in [
        "xtask/e2e/requirements.txt",
        "xtask/e2e/e2e_settings.py",
        "xtask/e2e/e2e_tokens.py",
        "xtask/e2e/add_users.py",
    ] {
        key.push_str(&fs::read_to_string(root.join(file)).map_err(|e| format!("{file}: {e}"))?);
    }
    key.push_str(LEGACY_TOKEN);
    Ok(key)
}

/// `label-studio start` bound to 127.0.0.1, calling nothing outside, legacy tokens on.
fn label_studio(root: &Path, venv: &Path, data: &Path, port: u16) -> Command {
    let mut cmd = Command::new(venv.join("bin/label-studio"));
    cmd.args([
        "start",
        "--no-browser",
        "--internal-host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
    ])
    .arg("--data-dir")
    .arg(data)
    .arg("--enable-legacy-api-token");
    server_settings(&mut cmd, root, data);
    cmd
}

/// The server's environment for a Python script using its Django models directly.
fn server_env(cmd: &mut Command, root: &Path, venv: &Path, data: &Path) -> Result<(), String> {
    let lib = venv.join("lib");
    let python = fs::read_dir(&lib)
        .map_err(|e| format!("{}: {e}", lib.display()))?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("python")))
        .ok_or_else(|| format!("no python* folder in {}", lib.display()))?;
    server_settings(cmd, root, data);
    // Label Studio's apps import each other as top-level modules (`users.models`).
    let paths = [root.join("xtask/e2e"), python.join("site-packages/label_studio")];
    cmd.env("PYTHONPATH", std::env::join_paths(paths).map_err(|e| e.to_string())?);
    Ok(())
}

/// Settings shared by the server and scripts run with its environment.
fn server_settings(cmd: &mut Command, root: &Path, data: &Path) {
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
fn start_gcs(root: &Path, venv: &Path, run_dir: &Path, services: &Services) -> Result<String, String> {
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
fn start_ml_backend(root: &Path, venv: &Path, run_dir: &Path, services: &Services) -> Result<String, String> {
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

/// Processes this run started, each leading its own process group, so stopping one
/// also stops whatever it spawned.
struct Services {
    running: Arc<Mutex<Vec<(String, Child)>>>,
}

impl Services {
    fn new() -> Services {
        let services = Services {
            running: Arc::new(Mutex::new(Vec::new())),
        };
        let running = Arc::clone(&services.running);
        // Ctrl-C or SIGTERM: stop everything, then exit as interrupted.
        let installed = ctrlc::set_handler(move || {
            stop(&running, |_| true);
            eprintln!("\ne2e: interrupted; stopped every service");
            std::process::exit(130);
        });
        if let Err(e) = installed {
            eprintln!("e2e: warning: cannot handle Ctrl-C ({e}); services stop when this process ends normally");
        }
        services
    }

    fn start(&self, name: &str, mut cmd: Command, log: &Path) -> Result<(), String> {
        let out = fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {name} ({:?}): {e}", cmd.get_program()))?;
        eprintln!("e2e: started {name} (pid {}), log {}", child.id(), log.display());
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((name.to_owned(), child));
        Ok(())
    }

    /// Polls `GET {url}{path}` until it answers 200, the process dies, or time runs out.
    fn wait_ready(&self, name: &str, url: &str, path: &str, timeout: Duration, log: &Path) -> Result<(), String> {
        let started = Instant::now();
        let address: SocketAddr = url
            .trim_start_matches("http://")
            .parse()
            .map_err(|e| format!("bad address {url}: {e}"))?;
        loop {
            if http_status(address, path) == Some(200) {
                eprintln!(
                    "e2e: {name} ready at {url} after {:.0} s",
                    started.elapsed().as_secs_f64()
                );
                return Ok(());
            }
            let exited = {
                let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
                running
                    .iter_mut()
                    .find(|(n, _)| n == name)
                    .and_then(|(_, c)| c.try_wait().ok().flatten())
            };
            let reason = match exited {
                Some(status) => format!("{name} exited ({status}) before it was ready"),
                None if started.elapsed() > timeout => format!("{name} was not ready within {} s", timeout.as_secs()),
                None => {
                    std::thread::sleep(Duration::from_millis(500));
                    continue;
                }
            };
            return Err(format!("{reason}; last lines of {}:\n{}", log.display(), tail(log, 40)));
        }
    }

    /// Waits until something accepts connections on `port`.
    fn wait_tcp(&self, name: &str, port: u16, timeout: Duration, log: &Path) -> Result<(), String> {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), Duration::from_secs(1)).is_ok() {
                eprintln!("e2e: {name} ready on port {port}");
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!(
            "{name} did not listen on {port} within {} s; last lines of {}:\n{}",
            timeout.as_secs(),
            log.display(),
            tail(log, 40)
        ))
    }

    fn stop_all(&self) {
        stop(&self.running, |_| true);
    }

    fn stop(&self, name: &str) {
        stop(&self.running, |n| n == name);
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        self.stop_all();
    }
}

/// SIGTERM to each chosen process group, then SIGKILL to whatever is left after 15 s.
fn stop(running: &Mutex<Vec<(String, Child)>>, chosen: impl Fn(&str) -> bool) {
    let mut running = running.lock().unwrap_or_else(|p| p.into_inner());
    let (mut stopping, kept): (Vec<_>, Vec<_>) = running.drain(..).partition(|(name, _)| chosen(name));
    *running = kept;
    for (_, child) in &stopping {
        signal_group(child.id(), libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    for (name, child) in stopping.iter_mut() {
        while group_alive(child.id()) && Instant::now() < deadline {
            let _ = child.try_wait(); // reap the leader so the group can empty
            std::thread::sleep(Duration::from_millis(100));
        }
        if group_alive(child.id()) {
            eprintln!("e2e: {name} ignored SIGTERM; killing it");
            signal_group(child.id(), libc::SIGKILL);
        }
        let _ = child.wait();
    }
}

fn signal_group(pgid: u32, signal: libc::c_int) {
    if let Ok(pgid) = libc::pid_t::try_from(pgid) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is involved.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
}

fn group_alive(pgid: u32) -> bool {
    let Ok(pgid) = libc::pid_t::try_from(pgid) else {
        return false;
    };
    // SAFETY: signal 0 only checks whether the group exists.
    unsafe { libc::kill(-pgid, 0) == 0 }
}

/// A port nothing listens on right now.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// The status code of `GET path`, or `None` if nothing answered.
fn http_status(address: SocketAddr, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").ok()?;
    let mut head = [0u8; 64];
    let n = stream.read(&mut head).ok()?;
    let line = String::from_utf8_lossy(&head[..n]);
    line.split_whitespace().nth(1)?.parse().ok()
}

fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target).map_err(|e| format!("{}: {e}", target.display()))?;
        }
    }
    Ok(())
}

fn run_checked(cmd: &mut Command, what: &str) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("cannot run {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}
