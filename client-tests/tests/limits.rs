//! Bounded replies and streamed downloads: a reply longer than the client's limit ends
//! the call with `Error::TooLarge` (by its `Content-Length`, or as it arrives, even if it
//! never ends); a download's `send_stream()` reads as it arrives, with no limit.

mod common;

use std::time::Duration;

use common::{LEGACY_TOKEN, legacy_client};
use label_studio_client::{Auth, CallOptions, Client, Error};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const MIB: u64 = 1024 * 1024;

/// What the raw server answers every request with, after reading its head.
#[derive(Clone, Copy)]
enum Answer {
    /// `200`, chunked, 64 KiB chunks for as long as the client reads.
    Endless,
    /// `200` with a `Content-Length` of 10 GiB, and then nothing.
    DeclaredHuge,
}

/// A server on loopback answering as `answer` says; its base URL.
async fn raw_server(answer: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && socket.read(&mut byte).await.unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let _ = match answer {
                    Answer::Endless => endless(&mut socket).await,
                    Answer::DeclaredHuge => headers_only(&mut socket).await,
                };
            });
        }
    });
    format!("http://{address}")
}

/// A 10 GiB `Content-Length`, then no body, keeping the connection open.
async fn headers_only(socket: &mut tokio::net::TcpStream) -> std::io::Result<()> {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10737418240\r\n\r\n";
    socket.write_all(head.as_bytes()).await?;
    std::future::pending().await
}

/// Chunks of 64 KiB until the client hangs up.
async fn endless(socket: &mut tokio::net::TcpStream) -> std::io::Result<()> {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    socket.write_all(head.as_bytes()).await?;
    let mut chunk = b"10000\r\n".to_vec();
    chunk.extend(std::iter::repeat_n(b'[', 0x10000));
    chunk.extend(b"\r\n");
    loop {
        socket.write_all(&chunk).await?;
    }
}

fn client_with_limit(base_url: &str, limit: u64) -> Client {
    Client::builder(base_url, Auth::api_key(LEGACY_TOKEN))
        .max_reply_size(limit)
        .build()
        .unwrap()
}

/// If the limit did not hold, the call would read forever: this ends it.
fn at_most_a_minute() -> CallOptions {
    CallOptions::new().deadline(Duration::from_secs(60))
}

/// The error of a project listing, which must fail.
async fn list_projects_failing(client: &Client) -> Error {
    let listing = client.projects().list().options(at_most_a_minute());
    listing.send().await.unwrap_err()
}

#[tokio::test]
async fn a_reply_that_never_ends_stops_at_the_limit_with_an_error_naming_it() {
    let base_url = raw_server(Answer::Endless).await;
    let client = client_with_limit(&base_url, MIB);
    let error = list_projects_failing(&client).await;
    let Error::TooLarge {
        operation,
        limit,
        status,
        ..
    } = &error
    else {
        panic!("expected TooLarge, got {error}")
    };
    assert_eq!((*operation, *limit, status.as_u16()), ("api_projects_list", MIB, 200));
    let shown = error.to_string();
    assert!(
        shown.contains("GET /api/projects/") && shown.contains("1048576 bytes"),
        "{shown}"
    );
    assert_eq!(error.operation_id(), Some("api_projects_list"));
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_reading() {
    // The server sends headers only: a client that waited for the body would hit the deadline.
    let base_url = raw_server(Answer::DeclaredHuge).await;
    let client = client_with_limit(&base_url, MIB);
    let error = client
        .projects()
        .get(1)
        .options(at_most_a_minute())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::TooLarge { .. }), "{error}");
}

#[tokio::test]
async fn the_default_limit_holds_without_any_setting() {
    let base_url = raw_server(Answer::Endless).await;
    let client = Client::new(base_url.as_str(), Auth::api_key(LEGACY_TOKEN)).unwrap();
    let error = list_projects_failing(&client).await;
    let Error::TooLarge { limit, .. } = error else {
        panic!("expected TooLarge, got {error}")
    };
    assert_eq!(limit, 256 * MIB);
}

/// A 3 MiB download, each byte its offset modulo 251 (so a reordering shows).
fn three_mib() -> Vec<u8> {
    (0..3 * MIB).map(|i| (i % 251) as u8).collect()
}

async fn download_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(three_mib(), "application/json"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_call_may_raise_the_clients_limit_for_itself() {
    let server = download_server().await;
    let client = client_with_limit(&server.uri(), MIB);
    let exports = client.projects().exports();
    let error = exports.download(2, 1).send().await.unwrap_err();
    assert!(matches!(error, Error::TooLarge { .. }), "{error}");
    let raised = CallOptions::new().max_reply_size(4 * MIB);
    let file = exports.download(2, 1).options(raised).send().await.unwrap();
    assert_eq!(&file[..], &three_mib()[..]);
}

#[tokio::test]
async fn an_error_reply_over_the_limit_is_too_large_with_its_status() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(three_mib(), "text/plain"))
        .mount(&server)
        .await;
    let error = client_with_limit(&server.uri(), MIB)
        .projects()
        .get(1)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::TooLarge { status, .. } if status.as_u16() == 500),
        "{error}"
    );
}

#[tokio::test]
async fn a_streamed_download_is_not_limited_and_arrives_whole() {
    let server = download_server().await;
    let client = client_with_limit(&server.uri(), MIB);
    let mut download = client.projects().exports().download(2, 1).send_stream().await.unwrap();
    assert_eq!(download.content_length(), Some(3 * MIB));
    let mut body = Vec::new();
    while let Some(chunk) = download.next().await {
        body.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(body, three_mib());
}

#[tokio::test]
async fn a_streamed_download_saved_to_a_file_is_the_whole_body() {
    let server = download_server().await;
    let client = legacy_client(&server);
    let dir = std::env::temp_dir().join(format!("limits-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("export.json");
    let download = client.projects().exports().download(2, 1).send_stream().await.unwrap();
    let written = download.save_to(&path).await.unwrap();
    assert_eq!((written, std::fs::read(&path).unwrap()), (3 * MIB, three_mib()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_never_ending_download_streams_past_the_limit_until_dropped() {
    let base_url = raw_server(Answer::Endless).await;
    let client = client_with_limit(&base_url, MIB);
    let mut download = client.projects().exports().download(2, 1).send_stream().await.unwrap();
    let mut read = 0u64;
    while read < 4 * MIB {
        read += download.next().await.unwrap().unwrap().len() as u64;
    }
    assert!(read >= 4 * MIB);
}

#[tokio::test]
async fn a_streamed_download_refused_by_the_server_is_an_api_error() {
    let mock = label_studio_client::mock::MockServer::start().await;
    let not_found = serde_json::json!({"detail": "Not found."});
    mock.projects()
        .exports()
        .download(2, 1)
        .fails(404)
        .json_body(&not_found)
        .await;
    let error = mock
        .client()
        .projects()
        .exports()
        .download(2, 1)
        .send_stream()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404), "{error}");
}
