//! Helpers more than one task uses: files, processes, numbers.

use std::ffi::OsStr;
use std::fs;
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::error::{AtPath, Error, Result};

/// Copies a folder's files and subfolders into `to` (created if missing).
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).at(to)?;
    for entry in fs::read_dir(from).at(from)? {
        let path = entry.at(from)?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            fs::copy(&path, &target).at(&path)?;
        }
    }
    Ok(())
}

/// The last `lines` lines of `text`.
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The last `lines` lines of a file (empty when it cannot be read: a log not written yet).
pub fn tail_of_file(path: &Path, lines: usize) -> String {
    tail(&fs::read_to_string(path).unwrap_or_default(), lines)
}

/// Runs a command with its output on the terminal; fails unless it succeeds.
pub fn run_checked(cmd: &mut Command, what: &str) -> Result<()> {
    let status = cmd.status().map_err(|source| Error::Spawn {
        program: what.to_owned(),
        source,
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Failed {
            what: what.to_owned(),
            status,
            output: String::new(),
        })
    }
}

/// What a successful cargo run took, and what it printed on stdout.
pub struct CargoRun {
    pub took: Duration,
    pub stdout: String,
}

/// Runs cargo in `dir` with extra environment variables; a failure carries stderr's tail.
pub fn cargo(dir: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> Result<CargoRun> {
    let started = Instant::now();
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(args).current_dir(dir).envs(env.iter().copied());
    let output = captured(&mut cmd, &format!("`cargo {}` in {}", args.join(" "), dir.display()))?;
    Ok(CargoRun {
        took: started.elapsed(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    })
}

/// Runs a command with its output captured; a failure carries the end of its stderr.
pub fn captured(cmd: &mut Command, what: &str) -> Result<std::process::Output> {
    let output = cmd.output().map_err(|source| Error::Spawn {
        program: what.to_owned(),
        source,
    })?;
    if !output.status.success() {
        return Err(Error::Failed {
            what: what.to_owned(),
            status: output.status,
            output: tail(&String::from_utf8_lossy(&output.stderr), 30),
        });
    }
    Ok(output)
}

/// The median (NaN for no values).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The venv at `venv`, installed from `requirements` unless it already holds exactly them
/// (a marker file keeps the requirements it was made from).
pub fn ensure_venv(requirements: &Path, venv: &Path, task: &str) -> Result<std::path::PathBuf> {
    let wanted = fs::read_to_string(requirements).at(requirements)?;
    let marker = venv.join(".requirements");
    if fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(venv.to_path_buf());
    }
    eprintln!(
        "{task}: installing the pinned Python environment into {} (once)",
        venv.display()
    );
    let started = Instant::now();
    if !venv.join("bin/python").exists() {
        run_checked(
            Command::new("python3").args(["-m", "venv"]).arg(venv),
            "python3 -m venv",
        )?;
    }
    run_checked(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(requirements),
        "pip install",
    )?;
    fs::write(&marker, &wanted).at(&marker)?;
    eprintln!("{task}: installed in {:.0} s", started.elapsed().as_secs_f64());
    Ok(venv.to_path_buf())
}

/// The npm packages of `spec/package-lock.json` installed in `dir` (with `npm ci`),
/// unless already installed from that lock file; returns `dir`.
pub fn ensure_node_modules(spec: &Path, dir: &Path, task: &str) -> Result<std::path::PathBuf> {
    let lock = spec.join("package-lock.json");
    let wanted = fs::read_to_string(&lock).at(&lock)?;
    let marker = dir.join(".installed-lock");
    if fs::read_to_string(&marker).ok().as_deref() != Some(wanted.as_str()) {
        fs::create_dir_all(dir).at(dir)?;
        for file in ["package.json", "package-lock.json"] {
            fs::copy(spec.join(file), dir.join(file)).at(&spec.join(file))?;
        }
        eprintln!("{task}: installing the pinned npm packages into {}", dir.display());
        captured(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(dir),
            &format!("npm ci ({})", lock.display()),
        )?;
        fs::write(&marker, &wanted).at(&marker)?;
    }
    Ok(dir.to_owned())
}

/// A port nothing listens on right now.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| Error::Service(format!("no free port: {e}")))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| Error::Service(format!("no free port: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_no_values() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(Vec::new()).is_nan());
    }

    #[test]
    fn copy_dir_copies_nested_folders_and_fails_on_a_missing_source() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("from");
        fs::create_dir_all(from.join("sub")).unwrap();
        fs::write(from.join("a.txt"), "a").unwrap();
        fs::write(from.join("sub/b.txt"), "b").unwrap();
        copy_dir(&from, &dir.path().join("to")).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("to/sub/b.txt")).unwrap(), "b");
        let err = copy_dir(&dir.path().join("missing"), &dir.path().join("to2")).unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");
    }
}
