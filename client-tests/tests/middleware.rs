//! Middleware: the caller's code around every HTTP exchange — it sees and may change
//! each request (custom auth, signing), sees each reply or error (logging, metrics),
//! and can stop a request before anything is sent.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{LEGACY_TOKEN, fixture, slow_storage_server};
use label_studio_client::{Auth, BoxError, CallInfo, Client, Error, Middleware, ReplyInfo, RetryPolicy};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn storage_reply() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture("s3_import_storage.json"), "application/json")
}

/// Writes what it sees into a shared log, tagged with its name.
struct Recorder {
    name: &'static str,
    log: Arc<Mutex<Vec<String>>>,
}

impl Middleware for Recorder {
    fn on_request(&self, call: &CallInfo<'_>, request: &mut reqwest::Request) -> Result<(), BoxError> {
        let line = format!(
            "{} request {} {} {} attempt {}",
            self.name, call.operation, call.method, call.path_template, call.attempt
        );
        self.log.lock().unwrap().push(line);
        request.headers_mut().insert("x-seen-by", self.name.parse().unwrap());
        Ok(())
    }

    fn on_reply(&self, call: &CallInfo<'_>, reply: Result<&ReplyInfo<'_>, &Error>) {
        let outcome = match reply {
            Ok(reply) => format!("{}", reply.status.as_u16()),
            Err(Error::Timeout { .. }) => "timeout".to_owned(),
            Err(other) => format!("error {other}"),
        };
        let line = format!(
            "{} reply {} attempt {}: {outcome}",
            self.name, call.operation, call.attempt
        );
        self.log.lock().unwrap().push(line);
    }
}

fn client_with(server: &MockServer, log: &Arc<Mutex<Vec<String>>>) -> Client {
    Client::builder(server.uri(), Auth::api_key(LEGACY_TOKEN))
        .middleware(Recorder {
            name: "outer",
            log: log.clone(),
        })
        .middleware(Recorder {
            name: "inner",
            log: log.clone(),
        })
        .retry(RetryPolicy::new(1).backoff(Duration::from_millis(1), Duration::from_millis(1)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn middlewares_see_every_try_requests_in_order_replies_in_reverse() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(storage_reply())
        .mount(&server)
        .await;
    let log = Arc::new(Mutex::new(Vec::new()));
    client_with(&server, &log)
        .import_storage()
        .s3()
        .get(42)
        .send()
        .await
        .unwrap();
    let op = "api_storages_s3_retrieve";
    let expected: Vec<String> = [1, 2]
        .iter()
        .flat_map(|attempt| {
            let status = if *attempt == 1 { 503 } else { 200 };
            [
                format!("outer request {op} GET /api/storages/s3/{{id}} attempt {attempt}"),
                format!("inner request {op} GET /api/storages/s3/{{id}} attempt {attempt}"),
                format!("inner reply {op} attempt {attempt}: {status}"),
                format!("outer reply {op} attempt {attempt}: {status}"),
            ]
        })
        .collect();
    assert_eq!(*log.lock().unwrap(), expected);
}

#[tokio::test]
async fn a_middleware_can_change_the_request_after_auth_is_set() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("x-seen-by", "inner"))
        .and(header("authorization", format!("Token {LEGACY_TOKEN}").as_str()))
        .respond_with(storage_reply())
        .expect(1)
        .mount(&server)
        .await;
    let log = Arc::new(Mutex::new(Vec::new()));
    client_with(&server, &log)
        .import_storage()
        .s3()
        .get(42)
        .send()
        .await
        .unwrap();
}

struct Refuse;

impl Middleware for Refuse {
    fn on_request(&self, _: &CallInfo<'_>, _: &mut reqwest::Request) -> Result<(), BoxError> {
        Err("outside the maintenance window".into())
    }
}

#[tokio::test]
async fn a_middleware_error_stops_the_request_before_it_is_sent() {
    let server = MockServer::start().await;
    let client = Client::builder(server.uri(), Auth::api_key(LEGACY_TOKEN))
        .middleware(Refuse)
        .build()
        .unwrap();
    let err = client.import_storage().s3().delete(42).send().await.unwrap_err();
    assert!(matches!(err, Error::Middleware { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "DELETE /api/storages/s3/42 stopped by a middleware: outside the maintenance window"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_middleware_sees_a_timeout_as_the_error_in_place_of_a_reply() {
    let mock = slow_storage_server().await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let client = Client::builder(mock.uri(), Auth::api_key(LEGACY_TOKEN))
        .middleware(Recorder {
            name: "only",
            log: log.clone(),
        })
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let err = client.import_storage().s3().get(42).send().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }));
    assert_eq!(
        log.lock().unwrap().last().map(String::as_str),
        Some("only reply api_storages_s3_retrieve attempt 1: timeout")
    );
}

#[test]
fn a_client_debug_counts_middlewares_without_showing_them() {
    let client = Client::builder("http://127.0.0.1:1", Auth::api_key(LEGACY_TOKEN))
        .middleware(Refuse)
        .build()
        .unwrap();
    assert!(format!("{client:?}").contains("middleware: 1 middleware(s)"));
}
