//! Per-call options on any builder: a timeout per try and a deadline for the whole call,
//! extra headers and query pairs, a retry policy, an `Idempotency-Key` (which lets a POST
//! or PATCH be retried only where the server honours it; Label Studio does not).

mod common;

use std::time::Duration;

use common::{LEGACY_TOKEN, fixture, legacy_client, slow_storage_server};
use label_studio_client::models::S3ImportStorage;
use label_studio_client::{Auth, CallOptions, Client, Error, RetryPolicy};
use wiremock::matchers::{header, method, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// `GET` of storage 42 with `options` for this call alone.
async fn get_storage_with(client: &Client, options: CallOptions) -> Result<S3ImportStorage, Error> {
    client.import_storage().s3().get(42).options(options).send().await
}

fn storage_reply() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture("s3_import_storage.json"), "application/json")
}

#[tokio::test]
async fn extra_headers_and_query_pairs_go_on_this_call_only() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(header("x-trace-id", "t-1"))
        .and(query_param("dry_run", "1"))
        .respond_with(storage_reply())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(storage_reply())
        .mount(&server)
        .await;
    let client = legacy_client(&server);
    let options = CallOptions::new().header("x-trace-id", "t-1").query("dry_run", "1");
    client
        .import_storage()
        .s3()
        .update(42)
        .options(options)
        .send()
        .await
        .unwrap();
    client.import_storage().s3().get(42).send().await.unwrap();
    let sent = server.received_requests().await.unwrap();
    assert!(sent[1].headers.get("x-trace-id").is_none());
    assert_eq!(sent[1].url.query(), None);
}

#[tokio::test]
async fn a_call_timeout_overrides_the_clients() {
    let mock = slow_storage_server().await;
    let client = Client::new(mock.uri(), Auth::api_key(LEGACY_TOKEN)).unwrap(); // 60 s by default
    let options = CallOptions::new().timeout(Duration::from_millis(200));
    let err = get_storage_with(&client, options).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

/// Answers `method` with `first` once, then with a storage.
async fn first_then_storage(method_name: &str, first: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(method_name))
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method(method_name))
        .respond_with(storage_reply())
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

/// Answers `method` with 503 (`Retry-After: 0`) once, then with a storage.
async fn unavailable_once(method_name: &str) -> MockServer {
    first_then_storage(
        method_name,
        ResponseTemplate::new(503).insert_header("retry-after", "0"),
    )
    .await
}

#[tokio::test]
async fn a_call_retry_policy_applies_where_the_client_has_none() {
    let server = unavailable_once("GET").await;
    let client = legacy_client(&server); // no retries
    let options = CallOptions::new().retry(RetryPolicy::new(2));
    get_storage_with(&client, options).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_idempotency_key_is_sent_but_retries_no_patch_where_the_server_ignores_it() {
    // Label Studio neither declares nor honours `Idempotency-Key`: a keyed PATCH that
    // failed may have been applied, so it is not repeated.
    let server = unavailable_once("PATCH").await;
    let client = Client::builder(server.uri(), Auth::api_key(LEGACY_TOKEN))
        .retry(RetryPolicy::new(2))
        .build()
        .unwrap();
    let keyed = CallOptions::new().idempotency_key("k-42");
    let err = client
        .import_storage()
        .s3()
        .update(42)
        .options(keyed)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Api(e) if e.status() == 503), "{err:?}");
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1, "not repeated");
    assert_eq!(sent[0].headers.get("idempotency-key").unwrap(), "k-42");
}

/// A client retrying quickly, each try allowed `timeout`.
fn quick_retries(server: &MockServer, timeout: Duration) -> Client {
    let policy = RetryPolicy::new(2).backoff(Duration::from_millis(1), Duration::from_millis(5));
    Client::builder(server.uri(), Auth::api_key(LEGACY_TOKEN))
        .retry(policy)
        .timeout(timeout)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_get_that_timed_out_is_tried_again_a_patch_is_not() {
    let server = first_then_storage("GET", storage_reply().set_delay(Duration::from_secs(2))).await;
    let client = quick_retries(&server, Duration::from_millis(300));
    client.import_storage().s3().get(42).send().await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    let server = first_then_storage("PATCH", storage_reply().set_delay(Duration::from_secs(2))).await;
    let client = quick_retries(&server, Duration::from_millis(300));
    let err = client.import_storage().s3().update(42).send().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "it may have been applied"
    );
}

#[tokio::test]
async fn a_get_that_could_not_connect_is_tried_again() {
    // Nothing listens there: every try fails to connect. A middleware counts the tries.
    let tries = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    struct Count(std::sync::Arc<std::sync::atomic::AtomicU32>);
    impl label_studio_client::Middleware for Count {
        fn on_request(
            &self,
            _: &label_studio_client::CallInfo<'_>,
            _: &mut reqwest::Request,
        ) -> Result<(), label_studio_client::BoxError> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        }
    }
    let policy = RetryPolicy::new(2).backoff(Duration::from_millis(1), Duration::from_millis(5));
    let client = Client::builder("http://127.0.0.1:9", Auth::api_key(LEGACY_TOKEN))
        .retry(policy)
        .middleware(Count(tries.clone()))
        .build()
        .unwrap();
    let err = client.import_storage().s3().get(42).send().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(
        tries.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "one try and two retries"
    );
}

#[tokio::test]
async fn a_deadline_bounds_the_whole_call_across_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_delay(Duration::from_millis(150)))
        .mount(&server)
        .await;
    let policy = RetryPolicy::new(50).backoff(Duration::from_millis(1), Duration::from_millis(5));
    let client = Client::builder(server.uri(), Auth::api_key(LEGACY_TOKEN))
        .retry(policy)
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let options = CallOptions::new().deadline(Duration::from_millis(500));
    let err = get_storage_with(&client, options).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    let tries = server.received_requests().await.unwrap().len();
    assert!((2..=5).contains(&tries), "{tries} tries in 500 ms of 150 ms each");
}

#[tokio::test]
async fn a_header_http_refuses_is_a_config_error_without_its_value() {
    let server = MockServer::start().await;
    let options = CallOptions::new().header("x-secret", "line\nbreak-s3cr3t");
    let err = get_storage_with(&legacy_client(&server), options.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("x-secret"), "{err}");
    for shown in [err.to_string(), format!("{err:?}"), format!("{options:?}")] {
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}
