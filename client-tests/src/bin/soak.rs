//! A bounded soak against a real Label Studio: `clients` clients, each on its own task,
//! run a user journey over and over for `seconds`, checking after every write that the
//! server holds what was written. Run by `cargo xtask soak`, which starts the server.
//!
//! `soak <clients> <seconds>` with `LABEL_STUDIO_URL` and `LABEL_STUDIO_API_KEY` set;
//! prints one JSON line: journeys, HTTP exchanges, errors by kind, lost writes (a read
//! back that did not show a write the server had acknowledged), and the process's
//! resident memory after the first round and at the end.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use label_studio_client::models::ImportApiRequest;
use label_studio_client::{Auth, BoxError, CallInfo, Client, Error, Middleware, ReplyInfo};

/// Tasks each journey imports.
const TASKS: usize = 5;

const LABEL_CONFIG: &str = r#"<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="yes"/><Choice value="no"/></Choices></View>"#;

/// What all clients saw.
#[derive(Default)]
struct Tally {
    journeys: AtomicU64,
    exchanges: AtomicU64,
    lost_writes: AtomicU64,
    errors: Mutex<BTreeMap<String, u64>>,
}

impl Tally {
    fn error(&self, kind: String) {
        *self.errors.lock().unwrap().entry(kind).or_default() += 1;
    }
}

/// Counts every HTTP exchange of every client.
struct CountExchanges(Arc<Tally>);

impl Middleware for CountExchanges {
    fn on_request(&self, _: &CallInfo<'_>, _: &mut reqwest::Request) -> Result<(), BoxError> {
        self.0.exchanges.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn on_reply(&self, _: &CallInfo<'_>, _: Result<&ReplyInfo<'_>, &Error>) {}
}

/// Why a journey stopped: a call failed, or the server did not hold a write.
enum Stop {
    Call(Error),
    Lost(String),
}

impl From<Error> for Stop {
    fn from(error: Error) -> Stop {
        Stop::Call(error)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [clients, seconds] = args.as_slice() else {
        eprintln!("usage: soak <clients> <seconds>");
        return ExitCode::from(2);
    };
    let (Ok(clients), Ok(seconds)) = (clients.parse::<usize>(), seconds.parse::<u64>()) else {
        eprintln!("usage: soak <clients> <seconds>");
        return ExitCode::from(2);
    };
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let (url, key) = (var("LABEL_STUDIO_URL"), var("LABEL_STUDIO_API_KEY"));
    let tally = Arc::new(Tally::default());
    let until = Instant::now() + Duration::from_secs(seconds);
    let rss_after_first = Arc::new(Mutex::new(None));
    let mut running = Vec::new();
    for id in 0..clients {
        let client = Client::builder(url.as_str(), Auth::api_key(key.as_str()))
            .middleware(CountExchanges(tally.clone()))
            .build();
        let Ok(client) = client else {
            eprintln!("soak: cannot build a client for {url:?}");
            return ExitCode::FAILURE;
        };
        let (tally, first) = (tally.clone(), rss_after_first.clone());
        running.push(tokio::spawn(async move {
            let mut round = 0u64;
            while Instant::now() < until {
                match journey(&client, id, round).await {
                    Ok(()) => tally.journeys.fetch_add(1, Ordering::Relaxed),
                    Err(Stop::Call(error)) => {
                        tally.error(kind(&error));
                        0
                    }
                    Err(Stop::Lost(what)) => {
                        eprintln!("soak: client {id} round {round}: {what}");
                        tally.lost_writes.fetch_add(1, Ordering::Relaxed)
                    }
                };
                if round == 0 {
                    first.lock().unwrap().get_or_insert_with(rss_kib);
                }
                round += 1;
            }
        }));
    }
    let mut panics = 0;
    for task in running {
        panics += u64::from(task.await.is_err());
    }
    let errors = tally.errors.lock().unwrap().clone();
    let report = serde_json::json!({
        "clients": clients,
        "seconds": seconds,
        "journeys": tally.journeys.load(Ordering::Relaxed),
        "exchanges": tally.exchanges.load(Ordering::Relaxed),
        "errors": errors,
        "lost_writes": tally.lost_writes.load(Ordering::Relaxed),
        "panics": panics,
        "rss_kib_after_first_round": *rss_after_first.lock().unwrap(),
        "rss_kib_at_end": rss_kib(),
    });
    println!("{report}");
    ExitCode::SUCCESS
}

/// A project made, filled, annotated, exported and deleted, each write read back.
async fn journey(c: &Client, id: usize, round: u64) -> Result<(), Stop> {
    let title = format!("soak {id}.{round}");
    let project = c
        .projects()
        .create()
        .title(&title)
        .label_config(LABEL_CONFIG)
        .send()
        .await?;
    let task = import_tasks(c, project.id, &title).await?;
    annotate(c, task).await?;
    export(c, project.id, &title).await?;
    c.projects().delete(project.id).send().await?;
    match c.projects().get(project.id).send().await {
        Err(e) if e.status().map(|s| s.as_u16()) == Some(404) => Ok(()),
        Err(e) => Err(Stop::Call(e)),
        Ok(_) => Err(Stop::Lost(format!(
            "project {} still there after its delete",
            project.id
        ))),
    }
}

/// Imports the tasks and lists them back; the id of one.
async fn import_tasks(c: &Client, project: i64, title: &str) -> Result<i64, Stop> {
    let texts: Vec<String> = (0..TASKS).map(|n| format!("{title} task {n}")).collect();
    let tasks: Vec<ImportApiRequest> = texts
        .iter()
        .filter_map(|t| serde_json::from_value(serde_json::json!({"data": {"text": t}})).ok())
        .collect();
    c.projects().import_tasks(project, tasks).send().await?;
    let listed = c.tasks().list().project(project).send().await?;
    let mut seen: Vec<String> = listed
        .tasks
        .iter()
        .filter_map(|t| t.data.get("text")?.as_str().map(str::to_owned))
        .collect();
    seen.sort();
    match (seen == texts, listed.tasks.first()) {
        (true, Some(task)) => Ok(task.id),
        _ => Err(Stop::Lost(format!("imported {texts:?}, listed {seen:?}"))),
    }
}

/// Annotates the task, changes the annotation, and reads the change back.
async fn annotate(c: &Client, task: i64) -> Result<(), Stop> {
    let result = |choice: &str| {
        let item =
            serde_json::json!({"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": [choice]}});
        vec![serde_json::from_value(item).unwrap_or_default()]
    };
    let annotation = c.annotations().create(task).result(result("yes")).send().await?;
    c.annotations()
        .update(annotation.id)
        .result(result("no"))
        .send()
        .await?;
    let stored = c.tasks().get(task).send().await?.annotations.unwrap_or_default();
    let first_choice = |a: &label_studio_client::models::DataManagerTaskSerializerAnnotationsItem| {
        a.result.as_ref()?.first()?["value"]["choices"][0]
            .as_str()
            .map(str::to_owned)
    };
    let choice = stored.first().and_then(first_choice);
    match choice.as_deref() {
        Some("no") => Ok(()),
        _ => Err(Stop::Lost(format!(
            "annotation {} changed to `no`, read back {choice:?}",
            annotation.id
        ))),
    }
}

/// Exports the project and counts the tasks in the download.
async fn export(c: &Client, project: i64, title: &str) -> Result<(), Stop> {
    let exports = c.projects().exports();
    let export = exports.create(project).title(title).send().await?;
    let file = exports.download(export.id, project).export_type("JSON").send().await?;
    let exported: Vec<serde_json::Value> = serde_json::from_slice(&file).unwrap_or_default();
    match exported.len() {
        TASKS => Ok(()),
        n => Err(Stop::Lost(format!("{TASKS} tasks imported, {n} exported"))),
    }
}

/// The error's kind, with the status of an error reply (`api 500`).
fn kind(error: &Error) -> String {
    match error {
        Error::Api(e) => format!("api {}", e.status().as_u16()),
        Error::Timeout { .. } => "timeout".to_owned(),
        Error::Transport { .. } => "transport".to_owned(),
        Error::Decode(_) => "decode".to_owned(),
        Error::TooLarge { .. } => "too_large".to_owned(),
        other => format!("other: {other}"),
    }
}

/// The process's resident memory (`VmRSS`), in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or_default();
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0)
}
