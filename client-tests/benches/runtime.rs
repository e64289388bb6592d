//! What the generated code costs at run time, next to hand-written code doing the same
//! work (the limit): encoding an update body, decoding `S3ImportStorage` (one, and a list
//! of 1,000), and one whole `update` call against a minimal HTTP server on 127.0.0.1.
//!
//! Run by `cargo xtask bench`, which reports criterion's estimates and the ratios
//! generated / hand-written measured in adjacent batches (`BENCH_PAIRED=1`). Every pair
//! is checked to produce the same result before it is timed, so a ratio never compares
//! different work.

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::Criterion;
use label_studio_client::models::{ImportStorageS3UpdateRequest, S3ImportStorage};
use label_studio_client::{Auth, Client};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const STORAGE: &str = include_str!("../tests/fixtures/s3_import_storage.json");

/// The update body as someone would write it by hand for this one call.
#[derive(Default, Serialize)]
struct HandUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    regex_filter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    use_blob_urls: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    presign: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    presign_ttl: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recursive_scan: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    project: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bucket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aws_access_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aws_secret_access_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aws_session_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aws_sse_kms_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    s3_endpoint: Option<String>,
}

/// The storage status as someone would write it by hand: the known values, and any
/// other kept as text (as the generated enum does).
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
enum HandStatus {
    Initialized,
    Queued,
    InProgress,
    Failed,
    Completed,
    CompletedWithErrors,
    #[serde(untagged)]
    Unknown(String),
}

/// The reply as someone would write it by hand: same fields and types.
#[derive(Debug, Deserialize, Serialize)]
struct HandStorage {
    id: i64,
    #[serde(rename = "type", default)]
    type_: String,
    synchronizable: Option<bool>,
    presign: Option<bool>,
    last_sync: Option<chrono::DateTime<chrono::FixedOffset>>,
    last_sync_count: Option<i64>,
    last_sync_job: Option<String>,
    status: Option<HandStatus>,
    traceback: Option<String>,
    meta: Option<serde_json::Value>,
    title: Option<String>,
    description: Option<String>,
    created_at: chrono::DateTime<chrono::FixedOffset>,
    bucket: Option<String>,
    prefix: Option<String>,
    regex_filter: Option<String>,
    use_blob_urls: Option<bool>,
    aws_access_key_id: Option<String>,
    aws_secret_access_key: Option<String>,
    aws_session_token: Option<String>,
    aws_sse_kms_key_id: Option<String>,
    region_name: Option<String>,
    s3_endpoint: Option<String>,
    presign_ttl: Option<i64>,
    recursive_scan: Option<bool>,
    project: i64,
}

fn generated_update() -> ImportStorageS3UpdateRequest {
    ImportStorageS3UpdateRequest {
        title: Some("Training images".into()),
        prefix: Some("train/".into()),
        regex_filter: Some(r".*\.jpg".into()),
        presign_ttl: Some(15),
        ..Default::default()
    }
}

fn hand_update() -> HandUpdate {
    HandUpdate {
        title: Some("Training images".into()),
        prefix: Some("train/".into()),
        regex_filter: Some(r".*\.jpg".into()),
        presign_ttl: Some(15),
        ..Default::default()
    }
}

fn storage_list(n: usize) -> String {
    let one: serde_json::Value = serde_json::from_str(STORAGE).unwrap();
    let list: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let mut storage = one.clone();
            storage["id"] = i.into();
            storage
        })
        .collect();
    serde_json::to_string(&list).unwrap()
}

/// A minimal HTTP/1.1 server on 127.0.0.1: answers every request on a kept-alive
/// connection with 200 and the same JSON storage, on its own thread and runtime so
/// the client side measured is all that runs on the benchmark's runtime.
fn start_server() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                tokio::spawn(serve_connection(socket));
            }
        });
    });
    addr
}

async fn serve_connection(mut socket: tokio::net::TcpStream) {
    let reply = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{STORAGE}",
        STORAGE.len()
    );
    let mut buffer = Vec::with_capacity(4096);
    loop {
        // Read one request: headers, then as many body bytes as content-length says.
        let head_end = loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
        let body_len = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        while buffer.len() < head_end + body_len {
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        buffer.drain(..head_end + body_len);
        if socket.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Everything the pairs work on, built (and checked) before anything is timed.
struct Fixtures {
    generated_body: ImportStorageS3UpdateRequest,
    hand_body: HandUpdate,
    one: Vec<u8>,
    list: Vec<u8>,
    runtime: tokio::runtime::Runtime,
    client: Client,
    http: reqwest::Client,
    /// The server's base URL; the hand-written call adds the path with the id, as the
    /// generated one does.
    base: String,
}

impl Fixtures {
    fn new() -> Fixtures {
        let addr = start_server();
        let base = format!("http://{addr}");
        let fixtures = Fixtures {
            generated_body: generated_update(),
            hand_body: hand_update(),
            one: STORAGE.as_bytes().to_vec(),
            list: storage_list(1000).into_bytes(),
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client: Client::new(&base, Auth::api_key("bench-key")).unwrap(),
            // The same timeout as the generated client's default.
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            base,
        };
        // Each pair must do the same work, or its ratio means nothing.
        assert_eq!(
            serde_json::to_vec(&fixtures.generated_body).unwrap(),
            serde_json::to_vec(&fixtures.hand_body).unwrap()
        );
        assert_same(&fixtures.decode_generated(), &fixtures.decode_hand());
        assert_same(&fixtures.decode_list_generated(), &fixtures.decode_list_hand());
        assert_eq!(fixtures.decode_list_generated().len(), 1000);
        assert_same(&fixtures.call_generated(), &fixtures.call_hand());
        fixtures
    }

    fn decode_generated(&self) -> S3ImportStorage {
        serde_json::from_slice(black_box(&self.one)).unwrap()
    }

    fn decode_hand(&self) -> HandStorage {
        serde_json::from_slice(black_box(&self.one)).unwrap()
    }

    fn decode_list_generated(&self) -> Vec<S3ImportStorage> {
        serde_json::from_slice(black_box(&self.list)).unwrap()
    }

    fn decode_list_hand(&self) -> Vec<HandStorage> {
        serde_json::from_slice(black_box(&self.list)).unwrap()
    }

    fn call_generated(&self) -> S3ImportStorage {
        self.runtime.block_on(async {
            self.client
                .import_storage()
                .s3()
                .update(42)
                .title("Training images")
                .prefix("train/")
                .regex_filter(r".*\.jpg")
                .presign_ttl(15)
                .send()
                .await
                .unwrap()
        })
    }

    /// The same request by hand: same headers, same body, status checked, reply decoded.
    fn call_hand(&self) -> HandStorage {
        self.runtime.block_on(async {
            self.http
                .patch(format!("{}/api/storages/s3/{}", self.base, black_box(42)))
                .header("accept", "application/json")
                .header("user-agent", "label-studio-client/0.1.0")
                .header("authorization", "Token bench-key")
                .json(&hand_update())
                .send()
                .await
                .unwrap()
                .error_for_status()
                .unwrap()
                .json::<HandStorage>()
                .await
                .unwrap()
        })
    }
}

/// Both sides decoded the same values, field by field: compared as JSON trees, with
/// absent and null alike (the generated types skip unset fields when encoding).
fn assert_same(generated: &impl Serialize, hand: &impl Serialize) {
    fn without_nulls(value: serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) => map
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
            serde_json::Value::Array(items) => items.into_iter().map(without_nulls).collect(),
            other => other,
        }
    }
    let generated = without_nulls(serde_json::to_value(generated).unwrap());
    let hand = without_nulls(serde_json::to_value(hand).unwrap());
    assert!(generated.is_object() || generated.is_array());
    assert_eq!(generated, hand, "the pair decoded different values");
}

/// One comparison: the same work through the generated code and by hand.
struct Pair<'a> {
    group: &'static str,
    generated: Box<dyn FnMut() + 'a>,
    hand_written: Box<dyn FnMut() + 'a>,
}

fn pairs(f: &Fixtures) -> Vec<Pair<'_>> {
    vec![
        Pair {
            group: "encode_update_body",
            generated: Box::new(|| drop(black_box(serde_json::to_vec(black_box(&f.generated_body)).unwrap()))),
            hand_written: Box::new(|| drop(black_box(serde_json::to_vec(black_box(&f.hand_body)).unwrap()))),
        },
        Pair {
            group: "decode_storage",
            generated: Box::new(|| drop(black_box(f.decode_generated()))),
            hand_written: Box::new(|| drop(black_box(f.decode_hand()))),
        },
        Pair {
            group: "decode_1000_storages",
            generated: Box::new(|| drop(black_box(f.decode_list_generated()))),
            hand_written: Box::new(|| drop(black_box(f.decode_list_hand()))),
        },
        Pair {
            group: "update_call",
            generated: Box::new(|| drop(black_box(f.call_generated()))),
            hand_written: Box::new(|| drop(black_box(f.call_hand()))),
        },
    ]
}

fn time(work: &mut dyn FnMut(), iterations: u32) -> f64 {
    let started = Instant::now();
    for _ in 0..iterations {
        work();
    }
    started.elapsed().as_secs_f64()
}

/// The ratio generated / hand-written from adjacent batches: each round times one
/// ~1 ms batch of each, in alternating order, and the median of the per-round ratios
/// is printed. Side by side in time, both halves of a round see the same machine, so
/// a slow spell on a shared 2-core VM cannot make one side look slower.
fn paired(pair: &mut Pair<'_>) {
    const ROUNDS: usize = 600;
    let mut batch = 1;
    while time(&mut pair.generated, batch) < 1e-3 && batch < 1 << 20 {
        batch *= 2;
    }
    let mut ratios = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS + 50 {
        let (generated, hand) = if round % 2 == 0 {
            let g = time(&mut pair.generated, batch);
            (g, time(&mut pair.hand_written, batch))
        } else {
            let h = time(&mut pair.hand_written, batch);
            (time(&mut pair.generated, batch), h)
        };
        if round >= 50 {
            ratios.push(generated / hand); // the first 50 rounds warm up
        }
    }
    ratios.sort_by(f64::total_cmp);
    println!("paired {} {:.4} {ROUNDS} {batch}", pair.group, ratios[ROUNDS / 2]);
}

/// `cargo bench --bench runtime`: criterion's figures for every benchmark.
/// With `BENCH_PAIRED=1`: the paired ratios instead (read by `cargo xtask bench`).
fn main() {
    let fixtures = Fixtures::new();
    let mut pairs = pairs(&fixtures);
    if std::env::var_os("BENCH_PAIRED").is_some() {
        for pair in &mut pairs {
            paired(pair);
        }
        return;
    }
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    for pair in &mut pairs {
        let mut group = criterion.benchmark_group(pair.group);
        group.bench_function("generated", |b| b.iter(&mut pair.generated));
        group.bench_function("hand_written", |b| b.iter(&mut pair.hand_written));
        group.finish();
    }
    criterion.final_summary();
}
