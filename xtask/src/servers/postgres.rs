//! A throwaway PostgreSQL cluster for a server that needs one: Debian's packages
//! (installed if missing; needs root and apt), a fresh cluster in the run folder, on a
//! free loopback port, trusting local connections (user `sweep`), stopped with the rest.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::e2e::services::Services;
use crate::error::{AtPath, Error, Result};
use crate::util::{captured, free_port};

/// Starts a cluster with `database`; its port.
pub fn start(services: &Services, run_dir: &Path, database: &str) -> Result<u16> {
    let bin = ensure_installed()?;
    let data = run_dir.join("pgdata");
    fs::create_dir_all(&data).at(&data)?;
    let as_root = is_root();
    if as_root {
        // PostgreSQL refuses to run as root: its files belong to `postgres`.
        captured(
            Command::new("chown").arg("-R").arg("postgres").arg(run_dir),
            "chown postgres",
        )?;
    }
    let user_command = |program: PathBuf| {
        let mut command = match as_root {
            true => {
                let mut c = Command::new("runuser");
                c.args(["-u", "postgres", "--"]).arg(program);
                c
            }
            false => Command::new(program),
        };
        command.stdin(Stdio::null());
        command
    };
    let mut initdb = user_command(bin.join("initdb"));
    initdb
        .arg("-D")
        .arg(&data)
        .args(["-U", "sweep", "--auth=trust", "--no-sync"]);
    captured(&mut initdb, "initdb")?;
    let port = free_port()?;
    let mut postgres = user_command(bin.join("postgres"));
    postgres
        .arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string(), "-k"])
        .arg(run_dir)
        .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]);
    let log = run_dir.join("postgres.log");
    services.start("PostgreSQL", postgres, &log)?;
    services.wait_tcp("PostgreSQL", port, Duration::from_secs(60), &log)?;
    let mut create = Command::new(bin.join("createdb"));
    create.args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "sweep", database]);
    // Accepting connections can lag the port opening by a moment.
    for attempt in 0.. {
        match captured(&mut create, "createdb") {
            Ok(_) => break,
            Err(_) if attempt < 20 => std::thread::sleep(Duration::from_millis(500)),
            Err(error) => return Err(error),
        }
    }
    Ok(port)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The folder of PostgreSQL's server programs, installing them if none is found.
fn ensure_installed() -> Result<PathBuf> {
    if let Some(found) = server_bin() {
        return Ok(found);
    }
    eprintln!("servers: installing PostgreSQL from Debian's packages");
    for args in [
        &["update", "-qq"][..],
        &["install", "-y", "-qq", "--no-install-recommends", "postgresql"],
    ] {
        let mut apt = Command::new("apt-get");
        apt.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        captured(&mut apt, &format!("apt-get {}", args.join(" ")))?;
    }
    // The package starts a system-wide cluster; the sweep uses its own.
    let _ = Command::new("service").args(["postgresql", "stop"]).output();
    server_bin().ok_or_else(|| Error::Service("PostgreSQL is still not found after installing it".into()))
}

/// `/usr/lib/postgresql/<version>/bin`, the newest there is.
fn server_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| Some(e.ok()?.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop()
}
