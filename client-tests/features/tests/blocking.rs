//! Feature `blocking`: `send_blocking()` and `all_items_blocking()` without an async
//! runtime of the caller's — one runtime per client, shared by its clones and threads —
//! and a clear error, not a panic, inside an async runtime.

use std::sync::mpsc;
use std::thread;

use label_studio_client::{Auth, Client, Error};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const STORAGE: &str = include_str!("../../tests/fixtures/s3_import_storage.json");
const API_KEY: &str = "0123456789abcdef0123456789abcdef01234567";

/// A mock server on a runtime of its own thread, so the test thread has none.
fn serve(mount: impl FnOnce(&MockServer) -> Vec<Mock> + Send + 'static) -> (String, mpsc::Sender<()>) {
    let (uri_tx, uri_rx) = mpsc::channel();
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let server = MockServer::start().await;
            for mock in mount(&server) {
                mock.mount(&server).await;
            }
            uri_tx.send(server.uri()).unwrap();
            tokio::task::spawn_blocking(move || stop_rx.recv()).await.unwrap().ok();
        });
    });
    (uri_rx.recv().unwrap(), stop_tx)
}

fn storage() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(STORAGE, "application/json")
}

#[test]
fn send_blocking_works_without_a_runtime_and_from_several_threads() {
    let (uri, _stop) = serve(|_| vec![Mock::given(method("GET")).respond_with(storage())]);
    let client = Client::new(uri, Auth::api_key(API_KEY)).unwrap();
    let storage = client.import_storage().s3().get(42).send_blocking().unwrap();
    assert_eq!(storage.id, 42);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            thread::spawn(move || client.import_storage().s3().get(42).send_blocking().map(|s| s.id))
        })
        .collect();
    for handle in threads {
        assert_eq!(handle.join().unwrap().unwrap(), 42);
    }
}

#[test]
fn send_with_response_blocking_gives_the_status() {
    let (uri, _stop) = serve(|_| vec![Mock::given(method("GET")).respond_with(storage())]);
    let client = Client::new(uri, Auth::api_key(API_KEY)).unwrap();
    let reply = client
        .import_storage()
        .s3()
        .get(42)
        .send_with_response_blocking()
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    assert_eq!(reply.value().id, 42);
}

#[test]
fn all_items_blocking_walks_every_page() {
    let page = |n: u32, ids: &[i64], next: bool| {
        let results: Vec<_> = ids.iter().map(|id| label(*id)).collect();
        let next = next.then(|| format!("http://x/api/labels/?page={}", n + 1));
        Mock::given(method("GET"))
            .and(path("/api/labels/"))
            .and(query_param("page", n.to_string()))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"count": 3, "next": next, "previous": null, "results": results})),
            )
    };
    let (uri, _stop) = serve(move |_| vec![page(1, &[1, 2], true), page(2, &[3], false)]);
    let client = Client::new(uri, Auth::api_key(API_KEY)).unwrap();
    let ids: Vec<i64> = client
        .labels()
        .list()
        .all_items_blocking()
        .map(|label| label.unwrap().id)
        .collect();
    assert_eq!(ids, [1, 2, 3]);
}

fn label(id: i64) -> serde_json::Value {
    serde_json::json!({
        "id": id, "links": [], "created_at": "2026-11-27T12:00:00Z", "updated_at": "2026-11-27T12:00:00Z",
        "value": {"choices": ["cat"]}, "title": format!("label {id}"), "created_by": 1, "organization": 1, "projects": [7]
    })
}

#[tokio::test]
async fn inside_an_async_runtime_a_blocking_call_is_an_error_not_a_panic() {
    let client = Client::new("http://127.0.0.1:9", Auth::api_key(API_KEY)).unwrap();
    let err = client.import_storage().s3().get(42).send_blocking().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("use `.send().await` there"), "{err}");
    let mut items = client.labels().list().all_items_blocking();
    assert!(matches!(items.next(), Some(Err(Error::Config(_)))));
    assert!(items.next().is_none());
}

#[tokio::test]
async fn a_blocking_client_dropped_inside_async_code_does_not_panic() {
    let (uri, _stop) = serve(|_| vec![Mock::given(method("GET")).respond_with(storage())]);
    let client = thread::spawn(move || {
        let client = Client::new(uri, Auth::api_key(API_KEY)).unwrap();
        client.import_storage().s3().get(42).send_blocking().unwrap();
        client
    })
    .join()
    .unwrap();
    drop(client); // its runtime goes here, inside this test's runtime
}
