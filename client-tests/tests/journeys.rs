//! What users do first, start to finish, through the generated client against a real
//! Label Studio, each journey checking the server's state afterwards. Run with
//! `cargo xtask e2e` (see `tests/e2e.rs`).

mod common;

use std::collections::BTreeMap;

use common::server::{client, env};
use futures_util::TryStreamExt;
use label_studio_client::models::ImportApiRequest;
use label_studio_client::{Auth, Client, Error, FilePart};
use serde_json::{Value, json};

const LABEL_CONFIG: &str = r#"<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text">
    <Choice value="positive"/>
    <Choice value="negative"/>
  </Choices>
</View>"#;

fn choice(value: &str) -> Vec<BTreeMap<String, Value>> {
    let item = json!({"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": [value]}});
    vec![serde_json::from_value(item).unwrap()]
}

fn is_404<T>(result: Result<T, Error>) -> bool {
    matches!(result, Err(e) if e.status().map(|s| s.as_u16()) == Some(404))
}

#[tokio::test]
#[ignore = "needs a running Label Studio: cargo xtask e2e"]
async fn a_project_from_config_to_export() {
    let c = client();
    let project = c
        .projects()
        .create()
        .title("Journey: sentiment")
        .label_config(LABEL_CONFIG)
        .send()
        .await
        .unwrap();
    assert_eq!(project.label_config.as_deref(), Some(LABEL_CONFIG));

    // Three tasks as JSON, two from an uploaded CSV file.
    let json_tasks: Vec<ImportApiRequest> = ["great", "awful", "fine"]
        .iter()
        .map(|t| serde_json::from_value(json!({"data": {"text": t}})).unwrap())
        .collect();
    let imported = c.projects().import_tasks(project.id, json_tasks).send().await.unwrap();
    assert_eq!(imported.task_count, Some(3));
    let csv = FilePart::new("more.csv", b"text\nsplendid\nmeh\n".to_vec()).content_type("text/csv");
    let uploaded = c.projects().import_tasks_upload(project.id, csv).send().await.unwrap();
    assert_eq!(uploaded.task_count, Some(2));

    // Listed two at a time: three pages, every task's data readable.
    let tasks: Vec<_> = c
        .tasks()
        .list()
        .project(project.id)
        .page_size(2)
        .all_items()
        .try_collect()
        .await
        .unwrap();
    let mut texts: Vec<&str> = tasks.iter().filter_map(|t| t.data.get("text")?.as_str()).collect();
    texts.sort();
    assert_eq!(texts, ["awful", "fine", "great", "meh", "splendid"]);
    let id_of = |text: &str| tasks.iter().find(|t| t.data["text"] == text).unwrap().id;

    // A prediction and an annotation, then the annotation changed.
    let prediction = c
        .predictions()
        .create()
        .task(id_of("great"))
        .result(choice("positive"))
        .score(0.9)
        .model_version("journey-model")
        .send()
        .await
        .unwrap();
    assert_eq!(prediction.task, id_of("great"));
    let annotation = c
        .annotations()
        .create(id_of("awful"))
        .result(choice("positive"))
        .send()
        .await
        .unwrap();
    let changed = c
        .annotations()
        .update(annotation.id)
        .result(choice("negative"))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.id, annotation.id);
    let task = c.tasks().get(id_of("awful")).send().await.unwrap();
    let stored = task.annotations.unwrap_or_default();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].result.as_ref().unwrap()[0]["value"],
        json!({"choices": ["negative"]})
    );

    // Exported, downloaded and parsed: the changed annotation is in it.
    let exports = c.projects().exports();
    let export = exports.create(project.id).title("journey").send().await.unwrap();
    let file = exports
        .download(export.id, project.id)
        .export_type("JSON")
        .send()
        .await
        .unwrap();
    let exported: Vec<Value> = serde_json::from_slice(&file).unwrap();
    let awful = exported
        .iter()
        .find(|t| t["data"]["text"] == "awful")
        .expect("the annotated task is exported");
    assert_eq!(
        awful["annotations"][0]["result"][0]["value"],
        json!({"choices": ["negative"]})
    );

    c.projects().delete(project.id).send().await.unwrap();
    assert!(is_404(c.projects().get(project.id).send().await));
    assert!(is_404(c.tasks().get(id_of("great")).send().await));
}

#[tokio::test]
#[ignore = "needs a running Label Studio: cargo xtask e2e"]
async fn a_webhook_made_listed_and_deleted() {
    let c = client();
    let url = "http://127.0.0.1:9/journey-hook";
    let project = c.projects().create().title("Journey: webhooks").send().await.unwrap();
    let hook = c
        .webhooks()
        .create(project.id, url)
        .send_payload(false)
        .send()
        .await
        .unwrap();
    let listed = c.webhooks().list().send().await.unwrap();
    assert!(listed.iter().any(|h| h.id == hook.id && h.url == url), "{listed:?}");

    c.webhooks().delete(hook.id).send().await.unwrap();
    let listed = c.webhooks().list().send().await.unwrap();
    assert!(listed.iter().all(|h| h.id != hook.id));
    assert!(is_404(c.webhooks().get(hook.id).send().await));
    c.projects().delete(project.id).send().await.unwrap();
}

#[tokio::test]
#[ignore = "needs a running Label Studio: cargo xtask e2e"]
async fn who_am_i_and_a_personal_access_token_from_creation_to_revocation() {
    let c = client();
    let me = c.users().whoami().send().await.unwrap();
    let users = c.users().list().send().await.unwrap();
    assert!(users.iter().any(|u| u.id == me.id && u.email == me.email));

    // A personal access token, used as a client's credentials.
    let token = c.tokens().create().send().await.unwrap().token;
    let with_token = Client::new(&env().url, Auth::refresh_token(&token)).unwrap();
    assert_eq!(with_token.users().whoami().send().await.unwrap().id, me.id);

    // Rotated: the new one works.
    let rotated = c.tokens().rotate(token).send().await.unwrap().refresh;
    let with_rotated = Client::new(&env().url, Auth::refresh_token(&rotated)).unwrap();
    assert_eq!(with_rotated.users().whoami().send().await.unwrap().id, me.id);

    // Revoked: a client holding it can no longer get an access token.
    c.tokens().blacklist(rotated.clone()).send().await.unwrap();
    let revoked = Client::new(&env().url, Auth::refresh_token(&rotated)).unwrap();
    let err = revoked.users().whoami().send().await.unwrap_err();
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert!(
        !format!("{err:?} {err}").contains(&rotated),
        "the token leaked into the error"
    );
}
