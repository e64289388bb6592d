//! Feature `tracing`: one span per call with its operation, method, path template,
//! status, attempts and latency; events for retries and token renewals; nothing secret.
//! A capturing layer records every span and event the client's crate emits.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use label_studio_client::{Auth, Client, RetryPolicy};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const STORAGE: &str = include_str!("../../tests/fixtures/s3_import_storage.json");
const API_KEY: &str = "0123456789abcdef0123456789abcdef01234567";

/// A span or event of the client, with its fields as text.
#[derive(Debug, Clone)]
struct Captured {
    name: String,
    /// For an event: the span it happened in.
    parent: Option<String>,
    fields: BTreeMap<String, String>,
}

impl Captured {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<Captured>>>,
    events: Arc<Mutex<Vec<Captured>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

/// The client's spans and events come from its runtime, the `openapi-typed-runtime` crate.
fn ours(metadata: &tracing::Metadata<'_>) -> bool {
    metadata.target().starts_with("openapi_typed_runtime")
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        ctx.span(id).unwrap().extensions_mut().insert(fields);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let span = ctx.span(id).unwrap();
        let mut extensions = span.extensions_mut();
        values.record(&mut Fields(extensions.get_mut::<BTreeMap<String, String>>().unwrap()));
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        if !ours(event.metadata()) {
            return;
        }
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let parent = ctx.event_span(event).map(|s| s.name().to_owned());
        let name = fields.get("message").cloned().unwrap_or_default();
        self.events.lock().unwrap().push(Captured { name, parent, fields });
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let span = ctx.span(&id).unwrap();
        if !ours(span.metadata()) {
            return;
        }
        let fields = span
            .extensions()
            .get::<BTreeMap<String, String>>()
            .cloned()
            .unwrap_or_default();
        let name = span.name().to_owned();
        self.spans.lock().unwrap().push(Captured {
            name,
            parent: None,
            fields,
        });
    }
}

/// Runs `calls` with the capture as this thread's subscriber (`#[tokio::test]` runs
/// everything on one thread).
async fn captured<F: std::future::Future<Output = ()>>(calls: F) -> (Vec<Captured>, Vec<Captured>) {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    let guard = tracing::subscriber::set_default(subscriber);
    calls.await;
    drop(guard);
    let spans = capture.spans.lock().unwrap().clone();
    let events = capture.events.lock().unwrap().clone();
    (spans, events)
}

fn reply(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(STORAGE, "application/json")
}

#[tokio::test]
async fn a_call_is_one_span_with_operation_template_status_attempts_and_latency() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).respond_with(reply(200)).mount(&server).await;
    let client = Client::builder(server.uri(), Auth::api_key(API_KEY))
        .retry(RetryPolicy::new(2).backoff(Duration::from_millis(1), Duration::from_millis(1)))
        .build()
        .unwrap();
    let (spans, events) = captured(async {
        client.import_storage().s3().get(42).send().await.unwrap();
    })
    .await;

    assert_eq!(spans.len(), 1, "{spans:#?}");
    let span = &spans[0];
    assert_eq!(span.name, "api_call");
    assert_eq!(span.field("operation"), Some("api_storages_s3_retrieve"));
    assert_eq!(span.field("method"), Some("GET"));
    assert_eq!(span.field("path"), Some("/api/storages/s3/{id}"));
    assert_eq!(span.field("status"), Some("200"));
    assert_eq!(span.field("attempts"), Some("2"));
    assert!(span.field("latency_ms").is_some_and(|ms| ms.parse::<u64>().is_ok()));
    assert_eq!(span.field("error"), None);

    let retry = events.iter().find(|e| e.name == "retrying").expect("a retry event");
    assert_eq!(retry.parent.as_deref(), Some("api_call"));
    assert_eq!(retry.field("status"), Some("503"));
    assert_eq!(retry.field("attempt"), Some("1"));
    // Full jitter: a random wait up to the 1 ms cap.
    let wait_ms = retry.field("wait_ms").and_then(|ms| ms.parse::<u64>().ok());
    assert!(wait_ms.is_some_and(|ms| ms <= 1), "{wait_ms:?}");
}

#[tokio::test]
async fn a_failed_call_records_its_status_and_error_kind() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(serde_json::json!({"detail": "Not found."})))
        .mount(&server)
        .await;
    let client = Client::new(server.uri(), Auth::api_key(API_KEY)).unwrap();
    let (spans, _) = captured(async {
        client.import_storage().s3().get(42).send().await.unwrap_err();
    })
    .await;
    assert_eq!(spans[0].field("status"), Some("404"));
    assert_eq!(spans[0].field("error"), Some("api"));
    assert_eq!(spans[0].field("attempts"), Some("1"));
}

#[tokio::test]
async fn token_exchanges_and_a_rejected_token_are_events_of_the_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/token/refresh/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"access": "the-access-token"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).respond_with(reply(200)).mount(&server).await;
    let client = Client::new(server.uri(), Auth::refresh_token("the-refresh-token")).unwrap();
    let (spans, events) = captured(async {
        client.import_storage().s3().get(42).send().await.unwrap();
    })
    .await;
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "access token obtained",
            "access token rejected (401); renewing it",
            "access token obtained"
        ]
    );
    assert!(events.iter().all(|e| e.parent.as_deref() == Some("api_call")));
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].field("attempts"), Some("2"));
}

#[tokio::test]
async fn no_credential_body_or_path_value_reaches_a_span_or_event() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/token/refresh/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"access": "the-access-token"})))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({"detail": "bad secret-title"})))
        .mount(&server)
        .await;
    let client = Client::new(server.uri(), Auth::refresh_token("the-refresh-token")).unwrap();
    let (spans, events) = captured(async {
        let update = client.import_storage().s3().update(987_654_321);
        update
            .title("secret-title")
            .aws_secret_access_key("the-aws-secret")
            .send()
            .await
            .unwrap_err();
    })
    .await;
    assert!(!spans.is_empty() && !events.is_empty());
    let text = format!("{spans:?} {events:?}");
    for secret in [
        "the-refresh-token",
        "the-access-token",
        "the-aws-secret",
        "secret-title",
        "987654321",
    ] {
        assert!(!text.contains(secret), "`{secret}` in {text}");
    }
}
