//! The generated crate's typed mocks (feature `mock`): what a mock matches, what it
//! answers, and what it refuses.

mod common;

use common::s3_storage as storage;
use label_studio_client::mock::MockServer;
use label_studio_client::{Auth, CallOptions, Client, Error};

fn status_of(err: &Error) -> Option<u16> {
    err.api_error().map(|e| e.status().as_u16())
}

#[tokio::test]
async fn returns_answers_a_call_with_the_mocked_inputs_with_the_typed_reply() {
    let mock = MockServer::start().await;
    mock.import_storage()
        .s3()
        .update(42)
        .title("x")
        .returns(storage())
        .times(1)
        .await;
    // The call may set more than the mock names.
    let got = mock
        .client()
        .import_storage()
        .s3()
        .update(42)
        .title("x")
        .presign(true)
        .send()
        .await;
    assert!(got.unwrap() == storage());
}

#[tokio::test]
async fn a_body_field_with_another_value_is_not_matched() {
    let mock = MockServer::start().await;
    mock.import_storage()
        .s3()
        .update(42)
        .title("x")
        .returns(storage())
        .await;
    let err = mock
        .client()
        .import_storage()
        .s3()
        .update(42)
        .title("y")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), Some(404), "{err}");
    let err = mock.client().import_storage().s3().update(42).send().await.unwrap_err();
    assert_eq!(status_of(&err), Some(404), "a call without the field: {err}");
}

#[tokio::test]
async fn path_and_query_parameters_are_matched() {
    let mock = MockServer::start().await;
    mock.import_storage().s3().update(42).returns(storage()).await;
    mock.import_storage().s3().list(7).returns(vec![storage()]).await;
    let client = mock.client();
    assert_eq!(
        status_of(&client.import_storage().s3().update(43).send().await.unwrap_err()),
        Some(404)
    );
    assert_eq!(client.import_storage().s3().list(7).send().await.unwrap().len(), 1);
    let other_project = client.import_storage().s3().list(8).send().await.unwrap_err();
    assert_eq!(status_of(&other_project), Some(404));
}

#[tokio::test]
async fn fails_answers_with_the_status_and_the_body_given() {
    let mock = MockServer::start().await;
    mock.import_storage()
        .s3()
        .get(42)
        .fails(403)
        .json_body(&serde_json::json!({"detail": "You do not have permission to perform this action."}))
        .await;
    let err = mock.client().import_storage().s3().get(42).send().await.unwrap_err();
    let api = err.api_error().expect("an API error");
    assert_eq!(api.status().as_u16(), 403);
    assert_eq!(api.detail(), Some("You do not have permission to perform this action."));
}

#[tokio::test]
async fn empty_and_byte_replies_are_mocked_as_their_calls_read_them() {
    let mock = MockServer::start().await;
    mock.import_storage().s3().delete(42).returns().await;
    mock.projects()
        .exports()
        .download(2, 1)
        .export_type("JSON")
        .returns(b"[]".to_vec())
        .await;
    let client = mock.client();
    client.import_storage().s3().delete(42).send().await.unwrap();
    let bytes = client
        .projects()
        .exports()
        .download(2, 1)
        .export_type("JSON")
        .send()
        .await
        .unwrap();
    assert_eq!(&bytes[..], b"[]");
}

#[tokio::test]
async fn a_client_of_your_own_with_credentials_reaches_the_mocks() {
    let mock = MockServer::start().await;
    mock.import_storage().s3().get(42).returns(storage()).await;
    let client = Client::new(mock.uri(), Auth::api_key("test-key")).unwrap();
    assert!(client.import_storage().s3().get(42).send().await.unwrap() == storage());
}

#[tokio::test]
#[should_panic(expected = "Verifications failed")]
async fn a_count_not_met_fails_the_test_when_the_server_goes() {
    let mock = MockServer::start().await;
    mock.import_storage().s3().get(42).returns(storage()).times(2).await;
    mock.client().import_storage().s3().get(42).send().await.unwrap();
}

#[tokio::test]
#[should_panic(expected = "this builder comes from a `Client`")]
async fn a_builder_from_a_client_cannot_mock() {
    let client = Client::new("http://127.0.0.1:9", Auth::none()).unwrap();
    client.import_storage().s3().get(42).fails(500).await;
}

#[tokio::test]
#[should_panic(expected = "the mocked call's own inputs are refused: invalid request: `title`")]
async fn a_mock_whose_inputs_break_the_apis_limits_is_refused() {
    let mock = MockServer::start().await;
    mock.import_storage()
        .s3()
        .update(42)
        .title("x".repeat(2049))
        .returns(storage())
        .await;
}

#[tokio::test]
async fn per_call_options_set_on_the_mock_must_be_sent() {
    let mock = MockServer::start().await;
    let options = || CallOptions::new().header("x-trace-id", "t-1").query("dry_run", "1");
    mock.import_storage()
        .s3()
        .get(42)
        .options(options())
        .returns(storage())
        .await;
    let client = mock.client();
    client
        .import_storage()
        .s3()
        .get(42)
        .options(options())
        .send()
        .await
        .unwrap();
    let without = client.import_storage().s3().get(42).send().await.unwrap_err();
    assert_eq!(status_of(&without), Some(404));
}

#[tokio::test]
async fn a_delayed_reply_meets_the_callers_timeout() {
    let mock = MockServer::start().await;
    let slow = std::time::Duration::from_secs(5);
    mock.import_storage().s3().get(42).returns(storage()).delay(slow).await;
    let options = CallOptions::new().timeout(std::time::Duration::from_millis(100));
    let err = mock
        .client()
        .import_storage()
        .s3()
        .get(42)
        .options(options)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}
