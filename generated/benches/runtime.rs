//! What the generated code costs at run time, next to hand-written code doing the same
//! work (the limit): encoding an update body, decoding `S3ImportStorage` (one, and a list
//! of 1,000), and one whole `update` call against a minimal HTTP server on 127.0.0.1.
//!
//! Run by `cargo xtask bench`, which reads criterion's estimates and reports the ratios
//! generated / hand-written. Every pair is checked to produce the same result before it
//! is timed, so a ratio never compares different work.

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
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

/// The reply as someone would write it by hand: same fields and types, `status` a plain string.
#[derive(Debug, Deserialize)]
#[allow(dead_code)] // fields are decoded, not read
struct HandStorage {
    id: i64,
    #[serde(rename = "type", default)]
    type_: String,
    synchronizable: Option<bool>,
    presign: Option<bool>,
    last_sync: Option<chrono::DateTime<chrono::Utc>>,
    last_sync_count: Option<i64>,
    last_sync_job: Option<String>,
    status: Option<String>,
    traceback: Option<String>,
    meta: Option<serde_json::Value>,
    title: Option<String>,
    description: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
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

fn codec(c: &mut Criterion) {
    let generated = generated_update();
    let hand = hand_update();
    assert_eq!(
        serde_json::to_vec(&generated).unwrap(),
        serde_json::to_vec(&hand).unwrap()
    );
    let mut group = c.benchmark_group("encode_update_body");
    group.bench_function("generated", |b| {
        b.iter(|| serde_json::to_vec(black_box(&generated)).unwrap())
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| serde_json::to_vec(black_box(&hand)).unwrap())
    });
    group.finish();

    let one = STORAGE.as_bytes();
    assert_eq!(serde_json::from_slice::<S3ImportStorage>(one).unwrap().id, 42);
    assert_eq!(serde_json::from_slice::<HandStorage>(one).unwrap().id, 42);
    let mut group = c.benchmark_group("decode_storage");
    group.bench_function("generated", |b| {
        b.iter(|| serde_json::from_slice::<S3ImportStorage>(black_box(one)).unwrap())
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| serde_json::from_slice::<HandStorage>(black_box(one)).unwrap())
    });
    group.finish();

    let list = storage_list(1000);
    let list = list.as_bytes();
    assert_eq!(
        serde_json::from_slice::<Vec<S3ImportStorage>>(list).unwrap().len(),
        1000
    );
    assert_eq!(serde_json::from_slice::<Vec<HandStorage>>(list).unwrap().len(), 1000);
    let mut group = c.benchmark_group("decode_1000_storages");
    group.bench_function("generated", |b| {
        b.iter(|| serde_json::from_slice::<Vec<S3ImportStorage>>(black_box(list)).unwrap())
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| serde_json::from_slice::<Vec<HandStorage>>(black_box(list)).unwrap())
    });
    group.finish();
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

fn call(c: &mut Criterion) {
    let addr = start_server();
    let base = format!("http://{addr}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let client = Client::new(&base, Auth::api_key("bench-key")).unwrap();
    let generated_call = || async {
        client
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
    };

    // The same request by hand: same timeout as the generated client's default, same
    // header, same body, status checked, reply decoded.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let url = format!("{base}/api/storages/s3/42");
    let hand_call = || async {
        http.patch(&url)
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
    };

    assert_eq!(runtime.block_on(generated_call()).id, 42);
    assert_eq!(runtime.block_on(hand_call()).id, 42);
    let mut group = c.benchmark_group("update_call");
    group.bench_function("generated", |b| b.to_async(&runtime).iter(generated_call));
    group.bench_function("hand_written", |b| b.to_async(&runtime).iter(hand_call));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    targets = codec, call
}
criterion_main!(benches);
