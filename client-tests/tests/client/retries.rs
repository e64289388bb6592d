//! Retries: which calls are tried again, after how long, and when the client stops.

use super::*;

/// Answers `method` with 503 (`Retry-After: 0`) twice, then with a storage.
async fn unavailable_twice(method_name: &str) -> MockServer {
    unavailable(method_name, 2, "0").await
}

/// Answers `method` with 503 and `Retry-After: retry_after` `times` times, then with a
/// storage.
async fn unavailable(method_name: &str, times: u64, retry_after: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(method_name))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", retry_after))
        .up_to_n_times(times)
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

fn retrying_client(server: &MockServer, policy: RetryPolicy) -> Client {
    Client::builder(server.uri(), Auth::api_key(LEGACY_TOKEN))
        .retry(policy)
        .build()
        .unwrap()
}

#[tokio::test]
async fn retries_then_succeed() {
    let server = unavailable_twice("GET").await;
    let client = retrying_client(&server, RetryPolicy::new(3));
    let storage = client.import_storage().s3().get(42).send().await.unwrap();
    assert_eq!(storage.id, 42);
    assert_eq!(requests(&server).await.len(), 3);
}

/// With no backoff of its own, the client waits only because the server said so.
#[tokio::test]
async fn a_retry_waits_as_long_as_retry_after_says() {
    let server = unavailable("GET", 1, "1").await;
    let policy = RetryPolicy::new(1).backoff(Duration::ZERO, Duration::ZERO);
    let client = retrying_client(&server, policy);
    let started = std::time::Instant::now();
    client.import_storage().s3().get(42).send().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "retried after {:?}",
        started.elapsed()
    );
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn a_patch_is_not_retried_unless_the_caller_opts_in() {
    let server = unavailable_twice("PATCH").await;
    let client = retrying_client(&server, RetryPolicy::new(3));
    let err = client
        .import_storage()
        .s3()
        .update(42)
        .title("t")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(requests(&server).await.len(), 1, "it may have been applied already");

    let server = unavailable_twice("PATCH").await;
    let client = retrying_client(&server, RetryPolicy::new(3).non_idempotent(true));
    let storage = client.import_storage().s3().update(42).title("t").send().await.unwrap();
    assert_eq!(storage.id, 42);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3);
    assert!(
        sent.iter().all(|r| r.body == br#"{"title":"t"}"#),
        "every try sends the same body"
    );
}

#[tokio::test]
async fn a_post_is_not_retried_by_default() {
    let server = unavailable_twice("POST").await;
    let client = retrying_client(&server, RetryPolicy::new(3));
    let err = client.import_storage().s3().sync(42).send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn retried_statuses_are_configurable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(storage_reply())
        .with_priority(2)
        .mount(&server)
        .await;
    let quick = || RetryPolicy::new(1).backoff(Duration::from_millis(1), Duration::from_millis(1));
    let err = retrying_client(&server, quick())
        .import_storage()
        .s3()
        .get(42)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.status().map(|s| s.as_u16()),
        Some(500),
        "500 is not retried by default"
    );
    let storage = retrying_client(&server, quick().retry_status(500))
        .import_storage()
        .s3()
        .get(42)
        .send()
        .await
        .unwrap();
    assert_eq!(storage.id, 42);
}

#[tokio::test]
async fn retries_back_off_without_retry_after_and_stop_at_the_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429))
        .mount(&server)
        .await;
    let policy = RetryPolicy::new(2).backoff(Duration::from_millis(10), Duration::from_millis(20));
    let err = retrying_client(&server, policy)
        .import_storage()
        .s3()
        .get(42)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(requests(&server).await.len(), 3, "one try and two retries");
}

#[tokio::test]
async fn no_retries_unless_asked_for_other_statuses_or_too_long_waits() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0"))
        .mount(&server)
        .await;
    let err = legacy_client(&server)
        .import_storage()
        .s3()
        .update(42)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(requests(&server).await.len(), 1, "retries are opt-in");

    for (status, retry_after) in [(500, "0"), (503, "3600")] {
        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).insert_header("retry-after", retry_after))
            .mount(&server)
            .await;
        let client = retrying_client(&server, RetryPolicy::new(3));
        let err = client.import_storage().s3().get(42).send().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(
            requests(&server).await.len(),
            1,
            "{status} with Retry-After {retry_after} is not retried"
        );
    }
}
