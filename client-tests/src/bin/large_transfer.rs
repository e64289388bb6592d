//! One large import and one large export through the generated client against a real
//! Label Studio, reporting the process's peak memory: run by `tests/e2e_large.rs` (what
//! arrives is checked there) and by `cargo xtask bench` (peak RSS, streamed against
//! buffered).
//!
//! `large_transfer <stream|buffered> <megabytes> <folder>` with `LABEL_STUDIO_URL` and
//! `LABEL_STUDIO_API_KEY` set: writes a tasks file of that size into the folder, imports
//! it into a new project, exports the project into `<folder>/export.json`, deletes the
//! project, and prints one JSON line: mode, tasks, bytes sent and received, peak RSS.
//! `stream` uploads with `FilePart::open` and downloads with `send_stream().save_to()`;
//! `buffered` reads the file into memory and downloads with `send()`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use label_studio_client::{Auth, Client, Error, FilePart};

/// Text per task: ~50 MB is ~800 tasks, few enough rows for the server to import quickly.
const TEXT_BYTES: usize = 64 * 1024;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Stream,
    Buffered,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, megabytes, folder) = match args.as_slice() {
        [mode, megabytes, folder] => match (mode.as_str(), megabytes.parse::<usize>()) {
            ("stream", Ok(mb)) => (Mode::Stream, mb, PathBuf::from(folder)),
            ("buffered", Ok(mb)) => (Mode::Buffered, mb, PathBuf::from(folder)),
            _ => return usage(),
        },
        _ => return usage(),
    };
    match transfer(mode, megabytes, &folder).await {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("large_transfer: {error}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: large_transfer <stream|buffered> <megabytes> <folder>");
    ExitCode::from(2)
}

async fn transfer(mode: Mode, megabytes: usize, folder: &Path) -> Result<serde_json::Value, Error> {
    let var = |name: &str| std::env::var(name).map_err(|_| Error::Config(format!("{name} is not set")));
    let client = Client::new(var("LABEL_STUDIO_URL")?, Auth::api_key(var("LABEL_STUDIO_API_KEY")?))?;
    std::fs::create_dir_all(folder).map_err(|e| io_error("creating", folder, e))?;
    let tasks_file = folder.join("tasks.json");
    let tasks = write_tasks(&tasks_file, megabytes * 1_000_000)?;
    let sent = std::fs::metadata(&tasks_file)
        .map_err(|e| io_error("reading", &tasks_file, e))?
        .len();

    let project = client.projects().create().title("large transfer").send().await?;
    let file = match mode {
        Mode::Stream => FilePart::open(&tasks_file)?,
        Mode::Buffered => {
            let bytes = std::fs::read(&tasks_file).map_err(|e| io_error("reading", &tasks_file, e))?;
            FilePart::new("tasks.json", bytes)
        }
    };
    let file = file.content_type("application/json");
    let imported = client.projects().import_tasks_upload(project.id, file).send().await?;

    let exports = client.projects().exports();
    let export = exports.create(project.id).title("large").send().await?;
    let download = exports.download(export.id, project.id).export_type("JSON");
    let export_file = folder.join("export.json");
    let received = match mode {
        Mode::Stream => download.send_stream().await?.save_to(&export_file).await?,
        Mode::Buffered => {
            let body = download.send().await?;
            std::fs::write(&export_file, &body).map_err(|e| io_error("writing", &export_file, e))?;
            body.len() as u64
        }
    };
    client.projects().delete(project.id).send().await?;
    Ok(serde_json::json!({
        "mode": if mode == Mode::Stream { "stream" } else { "buffered" },
        "tasks": tasks,
        "imported": imported.task_count,
        "sent_bytes": sent,
        "received_bytes": received,
        "peak_rss_kib": peak_rss_kib(),
    }))
}

/// Writes tasks (`{"data": {"text": ..., "n": i}}`) until the file holds `size` bytes,
/// a task at a time; gives how many.
fn write_tasks(path: &Path, size: usize) -> Result<usize, Error> {
    let file = std::fs::File::create(path).map_err(|e| io_error("creating", path, e))?;
    let mut out = std::io::BufWriter::new(file);
    let text: String = "lorem ipsum ".chars().cycle().take(TEXT_BYTES).collect();
    let (mut written, mut tasks) = (1, 0);
    let mut write = |bytes: &[u8]| out.write_all(bytes).map_err(|e| io_error("writing", path, e));
    write(b"[")?;
    while written < size {
        let task = serde_json::json!({"data": {"text": text, "n": tasks}}).to_string();
        if tasks > 0 {
            write(b",")?;
        }
        write(task.as_bytes())?;
        written += task.len() + 1;
        tasks += 1;
    }
    write(b"]")?;
    out.flush().map_err(|e| io_error("writing", path, e))?;
    Ok(tasks)
}

fn io_error(what: &str, path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        what: format!("{what} {}", path.display()),
        source,
    }
}

/// The process's peak resident memory (`VmHWM` in `/proc/self/status`), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
