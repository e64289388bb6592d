//! Puts generated files on disk, or checks that the disk already holds them.
//!
//! The output folder may be the user's own crate (`--out path/to/crate`), so the generator
//! deletes or overwrites only files whose first line is its `@generated` header. Anything
//! else there is the user's: left alone and named in the report (`foreign`). Hidden entries
//! (`.git/`, `.gitignore`), cargo's `target/` and `Cargo.lock` are not even looked at, and
//! symlinks are never followed. A user's file where a generated one goes stops the run
//! before anything is written. Files are only rewritten when their content changed, each
//! through a temp file and a rename, so a crash never leaves a half-written file.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::emit::{OutputFile, has_header};
use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// What differed between the generated files and the disk (and, in `Write` mode, was fixed).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Generated files whose content on disk differed or was missing.
    pub changed: Vec<String>,
    /// Files with the generator's header that it no longer produces (stale).
    pub removed: Vec<String>,
    /// The user's files in the output folder (no `@generated` header), and symlinks:
    /// left as they are, never a reason for `--check` to fail.
    pub foreign: Vec<String>,
}

impl Report {
    /// Is the folder what the generator writes (the user's own files aside)?
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }
}

/// A generated file compared with what is on disk at its path.
enum OnDisk {
    Current,
    /// Missing, or the generator's own file with other contents.
    Stale,
    /// A file (or folder) the generator did not write.
    Users,
}

pub fn sync(out_dir: &Path, files: &[OutputFile], mode: Mode) -> Result<Report> {
    // Reads on every core: each file is a few syscalls, most of them waiting on the file
    // system (writing the whole API fresh: 3.2 ms on one thread).
    let states = crate::parallel::map(files, |file| on_disk(&out_dir.join(&file.path), &file.contents));
    let mut report = Report::default();
    let mut in_the_way = Vec::new();
    for (file, state) in files.iter().zip(states) {
        match state? {
            OnDisk::Current => {}
            OnDisk::Stale => report.changed.push(file.path.clone()),
            OnDisk::Users => in_the_way.push(file.path.clone()),
        }
    }
    if !in_the_way.is_empty() {
        return Err(Error::NotOurs {
            dir: out_dir.to_path_buf(),
            paths: in_the_way,
        });
    }
    let wanted: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let found = scan(out_dir)?;
    report.removed = found
        .generated
        .into_iter()
        .filter(|p| !wanted.contains(p.as_str()))
        .collect();
    report.foreign = found.foreign;
    if mode == Mode::Write {
        write_changed(out_dir, files, &report.changed)?;
        remove_stale(out_dir, &report.removed)?;
    }
    Ok(report)
}

fn on_disk(target: &Path, contents: &str) -> Result<OnDisk> {
    match fs::read(target) {
        Ok(bytes) if bytes == contents.as_bytes() => Ok(OnDisk::Current),
        Ok(bytes) if has_header(&bytes) && !is_symlink(target) => Ok(OnDisk::Stale),
        Ok(_) => Ok(OnDisk::Users),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(OnDisk::Stale),
        Err(_) if target.is_dir() => Ok(OnDisk::Users),
        Err(source) => Err(io_error(target, source)),
    }
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn write_changed(out_dir: &Path, files: &[OutputFile], changed: &[String]) -> Result<()> {
    let changed: BTreeSet<&str> = changed.iter().map(String::as_str).collect();
    let to_write: Vec<&OutputFile> = files.iter().filter(|f| changed.contains(f.path.as_str())).collect();
    crate::parallel::map(&to_write, |file| {
        write_atomically(&out_dir.join(&file.path), file.contents.as_bytes())
    })
    .into_iter()
    .collect()
}

/// Deletes stale generated files, then each folder that deleting them left empty.
fn remove_stale(out_dir: &Path, stale: &[String]) -> Result<()> {
    for path in stale {
        let full = out_dir.join(path);
        fs::remove_file(&full).map_err(|source| io_error(&full, source))?;
        let mut dir = full.parent();
        while let Some(d) = dir.filter(|d| *d != out_dir) {
            if fs::remove_dir(d).is_err() {
                break; // not empty: it holds something else, ours or the user's
            }
            dir = d.parent();
        }
    }
    Ok(())
}

/// Does the file at `target` hold exactly `contents`?
fn is_current(target: &Path, contents: &str) -> bool {
    fs::read(target).ok().as_deref() == Some(contents.as_bytes())
}

/// Writes `contents` to `target` unless it already holds them (so its mtime, and the
/// builds that watch it, stay put).
pub(crate) fn write_if_changed(target: &Path, contents: &str) -> Result<()> {
    match is_current(target, contents) {
        true => Ok(()),
        false => write_atomically(target, contents.as_bytes()),
    }
}

fn write_atomically(target: &Path, contents: &[u8]) -> Result<()> {
    if let Some(dir) = target.parent() {
        fs::create_dir_all(dir).map_err(|source| io_error(dir, source))?;
    }
    let mut tmp_name = target.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".codegen-tmp");
    let tmp = target.with_file_name(tmp_name);
    fs::write(&tmp, contents).map_err(|source| io_error(&tmp, source))?;
    fs::rename(&tmp, target).map_err(|source| {
        let _ = fs::remove_file(&tmp);
        io_error(target, source)
    })
}

/// Entries the generator never looks into: hidden ones (`.git/`, an editor's files) and
/// cargo's own in a crate built in place.
fn is_never_ours(relative: &Path) -> bool {
    let hidden = relative
        .file_name()
        .is_some_and(|name| name.to_string_lossy().starts_with('.'));
    hidden || relative == Path::new("target") || relative == Path::new("Cargo.lock")
}

/// The output folder's files, as `/`-separated relative paths, sorted.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Files whose first line is the generator's header.
    pub generated: Vec<String>,
    /// Every other file, and symlinks (never followed).
    pub foreign: Vec<String>,
}

/// Lists the output folder, reading the first line of each file to tell whose it is.
pub(crate) fn scan(out_dir: &Path) -> Result<Found> {
    let mut found = Found::default();
    let mut stack = vec![out_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(io_error(&dir, source)),
        };
        for entry in entries {
            let entry = entry.map_err(|source| io_error(&dir, source))?;
            let path = entry.path();
            let Ok(relative) = path.strip_prefix(out_dir) else {
                continue;
            };
            if is_never_ours(relative) {
                continue;
            }
            // The entry itself, not what a symlink points at.
            let kind = entry.file_type().map_err(|source| io_error(&path, source))?;
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            let name = slash_path(relative);
            if kind.is_file() && starts_with_header(&path)? {
                found.generated.push(name);
            } else {
                found.foreign.push(name);
            }
        }
    }
    found.generated.sort();
    found.foreign.sort();
    Ok(found)
}

fn starts_with_header(path: &Path) -> Result<bool> {
    let mut head = Vec::with_capacity(160);
    fs::File::open(path)
        .and_then(|file| file.take(160).read_to_end(&mut head))
        .map_err(|source| io_error(path, source))?;
    Ok(has_header(&head))
}

fn slash_path(relative: &Path) -> String {
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: PathBuf::from(path),
        source,
    }
}
