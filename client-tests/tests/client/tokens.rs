//! Personal access tokens: exchanged once for an access token, renewed when rejected
//! or about to expire, never shown.

use super::*;

async fn mount_exchange(server: &MockServer, access: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .and(body_json(serde_json::json!({"refresh": "my-personal-access-token"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"access": access})))
        .up_to_n_times(times)
        .expect(times)
        .mount(server)
        .await;
}

fn pat_client(server: &MockServer) -> Client {
    Client::new(server.uri(), Auth::refresh_token("my-personal-access-token")).unwrap()
}

#[tokio::test]
async fn a_personal_access_token_is_exchanged_once_for_many_concurrent_calls() {
    let server = MockServer::start().await;
    let access = jwt("a", Duration::from_secs(300));
    mount_exchange(&server, &access, 1).await;
    Mock::given(method("PATCH"))
        .and(header("authorization", format!("Bearer {access}").as_str()))
        .respond_with(storage_reply())
        .expect(32)
        .mount(&server)
        .await;
    let client = pat_client(&server);
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..32 {
        let client = client.clone();
        calls.spawn(async move {
            client
                .import_storage()
                .s3()
                .update(42)
                .title(format!("t{i}"))
                .send()
                .await
        });
    }
    while let Some(result) = calls.join_next().await {
        result.unwrap().unwrap();
    }
}

#[tokio::test]
async fn a_rejected_access_token_is_renewed_once_and_the_call_repeated() {
    let server = MockServer::start().await;
    let (first, second) = (
        jwt("first", Duration::from_secs(300)),
        jwt("second", Duration::from_secs(300)),
    );
    mount_exchange(&server, &first, 1).await;
    mount_exchange(&server, &second, 1).await;
    Mock::given(method("PATCH"))
        .and(header("authorization", format!("Bearer {first}").as_str()))
        .respond_with(ResponseTemplate::new(401).set_body_raw(fixture("error_unauthorized.json"), "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(header("authorization", format!("Bearer {second}").as_str()))
        .respond_with(storage_reply())
        .expect(1)
        .mount(&server)
        .await;
    pat_client(&server)
        .import_storage()
        .s3()
        .update(42)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn an_access_token_about_to_expire_is_renewed_before_use() {
    let server = MockServer::start().await;
    // Valid for 10 s: inside the 30 s safety margin, so every call renews it.
    let short = jwt("short", Duration::from_secs(10));
    mount_exchange(&server, &short, 2).await;
    Mock::given(method("PATCH"))
        .respond_with(storage_reply())
        .expect(2)
        .mount(&server)
        .await;
    let client = pat_client(&server);
    client.import_storage().s3().update(42).send().await.unwrap();
    client.import_storage().s3().update(42).send().await.unwrap();
}

#[tokio::test]
async fn a_refused_exchange_is_an_auth_error_that_hides_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_raw(fixture("error_unauthorized.json"), "application/json"))
        .mount(&server)
        .await;
    let err = pat_client(&server)
        .import_storage()
        .s3()
        .update(42)
        .send()
        .await
        .unwrap_err();
    let Error::Auth(inner) = &err else { panic!("{err:?}") };
    assert_eq!(inner.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(
        err.to_string(),
        "could not get an access token: POST /api/token/refresh/ answered 401 Unauthorized: Invalid token."
    );
    assert!(!format!("{err:?}").contains("my-personal-access-token"));
    assert_eq!(requests(&server).await.len(), 1, "the PATCH is never sent");
}

#[tokio::test]
async fn the_token_refresh_operation_is_sent_without_credentials() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .and(body_json(serde_json::json!({"refresh": "r"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"access": "a"})))
        .mount(&server)
        .await;
    let reply = legacy_client(&server).tokens().refresh("r").send().await.unwrap();
    assert_eq!(reply.access, "a");
    assert!(requests(&server).await[0].headers.get("authorization").is_none());
    // An empty refresh token breaks the documented minLength before sending.
    let err = legacy_client(&server).tokens().refresh("").send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
}

#[tokio::test]
async fn debug_output_never_shows_credentials() {
    let server = MockServer::start().await;
    let legacy = legacy_client(&server);
    let pat = pat_client(&server);
    let builder = legacy
        .import_storage()
        .s3()
        .update(1)
        .aws_secret_access_key("very-secret");
    let shown = format!("{legacy:?} {pat:?} {builder:?} {:?}", Auth::api_key(LEGACY_TOKEN));
    for secret in [LEGACY_TOKEN, "my-personal-access-token", "very-secret"] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
}
