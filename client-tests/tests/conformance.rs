//! The conformance sweep: every operation of the description that one local server
//! can serve, called through the generated client against a real Label Studio, its
//! reply decoded with the generated types. Each call is logged (see `common/sweep.rs`);
//! `cargo xtask e2e` turns the log into `target/e2e/conformance.json`.
//!
//! The sweep seeds what it calls on: users, projects with a labeling config, tasks
//! (from JSON and from an uploaded file), annotations, predictions, drafts, labels,
//! views with filters, webhooks, storages of each kind that runs locally (S3 on moto,
//! GCS on its emulator, local files, Redis), an ML backend (a stand-in) and exports.
//! What changes a user's own credentials runs as a second user (`E2E_SWEEP_TOKEN`);
//! as it resets that user's legacy token, the sweep runs once per server: against a
//! `cargo xtask e2e --serve`, restart the servers before running it again.

mod common;
#[path = "conformance/exports.rs"]
mod exports;
#[path = "conformance/labeling.rs"]
mod labeling;
#[path = "conformance/storages.rs"]
mod storages;

use std::collections::BTreeMap;

use common::server::env;
use common::sweep::Sweep;
use label_studio_client::{Auth, Client, FilePart};
use serde_json::{Value, json};

const LABEL_CONFIG: &str = r#"<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text">
    <Choice value="positive"/>
    <Choice value="negative"/>
  </Choices>
</View>"#;

/// A choice annotation (or prediction) result for [`LABEL_CONFIG`].
fn choice(value: &str) -> Vec<BTreeMap<String, Value>> {
    let item = json!({
        "from_name": "sentiment",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": [value]},
    });
    vec![serde_json::from_value(item).unwrap()]
}

fn task_data(text: &str) -> BTreeMap<String, Value> {
    BTreeMap::from([("text".to_owned(), json!(text))])
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run the sweep with `cargo xtask e2e`"))
}

/// What the sweep calls with, and what it made so far.
struct Sweeper {
    log: Sweep,
    /// The first user (an administrator), legacy token.
    client: Client,
    /// A second user of the same organization, for its own credentials.
    second: Client,
}

#[tokio::test]
#[ignore = "needs a running Label Studio: cargo xtask e2e"]
async fn every_operation_against_a_real_server() {
    let s = Sweeper {
        log: Sweep::open(),
        client: Client::new(&env().url, Auth::api_key(&env().token)).unwrap(),
        second: Client::new(&env().url, Auth::api_key(var("E2E_SWEEP_TOKEN"))).unwrap(),
    };
    let organization = users_and_organization(&s).await;
    let project = projects(&s).await;
    let tasks = tasks_and_imports(&s, project).await;
    labeling::annotations_and_predictions(&s, project, &tasks).await;
    labeling::labels(&s, project, organization).await;
    labeling::views_and_actions(&s, project, &tasks).await;
    exports::exports_and_files(&s, project).await;
    exports::webhooks(&s, project).await;
    storages::s3_storages(&s, project).await;
    storages::gcs_storages(&s, project).await;
    storages::local_storages(&s, project).await;
    storages::redis_storages(&s, project).await;
    storages::storage_lists(&s, project).await;
    storages::azure_storages(&s);
    ml_backend(&s, project, &tasks).await;
    state_machine(&s, &tasks).await;
    own_credentials(&s).await;
    members_and_cleanup(&s, organization, project, &tasks).await;
    s.log.assert_clean();
}

/// Users, the organization, its invite, and the settings of both.
async fn users_and_organization(s: &Sweeper) -> i64 {
    let (log, c) = (&s.log, &s.client);
    let me = log.must(
        "api_current_user_whoami_retrieve",
        c.users().whoami().send_with_response().await,
    );
    let organization = me.active_organization.expect("the first user has an organization");
    log.ok("api_users_list", c.users().list().send_with_response().await);
    log.ok("api_users_retrieve", c.users().get(me.id).send_with_response().await);
    let hotkeys = log.must(
        "api_current_user_hotkeys_retrieve",
        c.users().get_hotkeys().send_with_response().await,
    );
    let mut custom = hotkeys.custom_hotkeys;
    custom.insert(
        "annotation:submit".to_owned(),
        json!({"key": "ctrl+enter", "active": true}),
    );
    log.ok(
        "api_current_user_hotkeys_partial_update",
        c.users()
            .update_hotkeys()
            .custom_hotkeys(custom)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_current_user_token_retrieve",
        c.users().get_token().send_with_response().await,
    );

    log.ok(
        "api_organizations_list",
        c.organizations().list().send_with_response().await,
    );
    let org = log.must(
        "api_organizations_retrieve",
        c.organizations().get(organization).send_with_response().await,
    );
    log.ok(
        "api_organizations_partial_update",
        c.organizations()
            .update(organization)
            .title(org.title.clone())
            .send_with_response()
            .await,
    );
    log.ok(
        "api_invite_retrieve",
        c.organizations().get_invite().send_with_response().await,
    );
    log.ok(
        "api_invite_reset_token_create",
        c.organizations().reset_token().send_with_response().await,
    );
    log.ok(
        "api_organizations_memberships_list",
        c.organizations()
            .members()
            .list(organization)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_organizations_memberships_retrieve",
        c.organizations()
            .members()
            .get(organization, me.id)
            .send_with_response()
            .await,
    );

    let jwt = log.must(
        "api_jwt_settings_retrieve",
        c.jwt_settings().get().send_with_response().await,
    );
    log.ok(
        "api_jwt_settings_create",
        c.jwt_settings()
            .update()
            .api_tokens_enabled(jwt.api_tokens_enabled.unwrap_or(true))
            .legacy_api_tokens_enabled(jwt.legacy_api_tokens_enabled.unwrap_or(true))
            .send_with_response()
            .await,
    );
    let policy = log.must(
        "api_session_policy_retrieve",
        c.session_policy().get().send_with_response().await,
    );
    log.ok(
        "api_session_policy_partial_update",
        c.session_policy()
            .update()
            .max_session_age(policy.max_session_age.unwrap_or(20_160))
            .send_with_response()
            .await,
    );
    organization
}

/// A project with a labeling config, and the calls on projects themselves.
async fn projects(s: &Sweeper) -> i64 {
    let (log, c) = (&s.log, &s.client);
    let project = log.must(
        "api_projects_create",
        c.projects()
            .create()
            .title("Sweep project")
            .label_config(LABEL_CONFIG)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_projects_retrieve",
        c.projects().get(project.id).send_with_response().await,
    );
    log.ok(
        "api_projects_partial_update",
        c.projects()
            .update(project.id)
            .description("made by the conformance sweep")
            .send_with_response()
            .await,
    );
    log.ok("api_projects_list", c.projects().list().send_with_response().await);
    log.ok(
        "api_projects_counts_list",
        c.projects().list_counts().send_with_response().await,
    );
    log.ok(
        "api_projects_validate_label_config",
        c.projects()
            .validate_label_config(project.id, LABEL_CONFIG)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_projects_validate_create",
        c.projects().validate_config(LABEL_CONFIG).send_with_response().await,
    );
    project.id
}

/// Tasks from a JSON body, from an uploaded file and one by one; reading and changing them.
async fn tasks_and_imports(s: &Sweeper, project: i64) -> Vec<i64> {
    let (log, c) = (&s.log, &s.client);
    let body: Vec<_> = (1..=3)
        .map(|i| serde_json::from_value(json!({"data": {"text": format!("imported {i}")}})).unwrap())
        .collect();
    log.ok(
        "api_projects_import_create",
        c.projects()
            .import_tasks(project, body)
            .return_task_ids(true)
            .send_with_response()
            .await,
    );
    let file = FilePart::new(
        "tasks.json",
        br#"[{"text": "uploaded 1"}, {"text": "uploaded 2"}]"#.to_vec(),
    )
    .content_type("application/json");
    log.ok(
        "api_projects_import_create",
        c.projects()
            .import_tasks_upload(project, file)
            .send_with_response()
            .await,
    );
    let created = log.must(
        "api_tasks_create",
        c.tasks()
            .create()
            .project(project)
            .data(task_data("created one by one"))
            .send_with_response()
            .await,
    );
    let list = log.must(
        "api_tasks_list",
        c.tasks().list().project(project).send_with_response().await,
    );
    let ids: Vec<i64> = list.tasks.iter().map(|t| t.id).collect();
    assert_eq!(ids.len(), 6, "three imported, two uploaded, one created");
    log.ok(
        "api_tasks_retrieve",
        c.tasks().get(created.id).send_with_response().await,
    );
    log.ok(
        "api_tasks_partial_update",
        c.tasks()
            .update(created.id)
            .data(task_data("changed"))
            .send_with_response()
            .await,
    );
    log.ok(
        "api_projects_tasks_list",
        c.projects().list_tasks(project).send_with_response().await,
    );
    log.fails(
        "api_tasks_agreement_retrieve",
        403,
        c.tasks().get_agreement(created.id).send_with_response().await,
    );
    ids
}

/// An ML backend (the stand-in from `xtask/e2e/fake_ml_backend.py`) and what it serves.
async fn ml_backend(s: &Sweeper, project: i64, tasks: &[i64]) {
    let (log, c) = (&s.log, &s.client);
    let url = var("E2E_ML_URL");
    let backend = log.must(
        "api_ml_create",
        c.ml()
            .create()
            .project(project)
            .url(&url)
            .title("stand-in")
            .send_with_response()
            .await,
    );
    log.ok("api_ml_list", c.ml().list().project(project).send_with_response().await);
    log.ok("api_ml_retrieve", c.ml().get(backend.id).send_with_response().await);
    log.ok(
        "api_ml_partial_update",
        c.ml()
            .update(backend.id, &url, project)
            .title("stand-in, renamed")
            .send_with_response()
            .await,
    );
    log.ok(
        "api_ml_predict_test_create",
        c.ml()
            .test_predict(backend.id, true, &url, project)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_ml_interactive_annotating_create",
        c.ml()
            .predict_interactive(backend.id, tasks[0])
            .send_with_response()
            .await,
    );
    log.ok(
        "api_ml_train_create",
        c.ml().train(backend.id).send_with_response().await,
    );
    log.ok(
        "api_ml_versions_retrieve",
        c.ml().list_model_versions(backend.id).send_with_response().await,
    );
    log.ok("api_ml_destroy", c.ml().delete(backend.id).send_with_response().await);
}

/// The task state machine: its history, and a transition the open-source server lacks.
async fn state_machine(s: &Sweeper, tasks: &[i64]) {
    let (log, c) = (&s.log, &s.client);
    log.ok(
        "api_fsm_entities_history_list",
        c.fsm().state_history(tasks[0], "task").send_with_response().await,
    );
    log.fails(
        "api_fsm_entities_transition_create",
        400,
        c.fsm()
            .execute_transition(tasks[0], "task", "no_such_transition")
            .send_with_response()
            .await,
    );
}

/// A user's own credentials, as the second user: personal access tokens (made, listed,
/// exchanged, rotated, revoked) and a reset of the legacy token.
async fn own_credentials(s: &Sweeper) {
    let (log, c) = (&s.log, &s.second);
    let token = log
        .must("api_token_create", c.tokens().create().send_with_response().await)
        .token;
    log.ok("api_token_list", c.tokens().list().send_with_response().await);
    log.ok(
        "api_token_refresh_create",
        c.tokens().refresh(token.clone()).send_with_response().await,
    );
    let rotated = log.must(
        "api_token_rotate_create",
        c.tokens().rotate(token).send_with_response().await,
    );
    log.ok(
        "api_token_blacklist_create",
        c.tokens().blacklist(rotated.refresh).send_with_response().await,
    );
    let reset = log.must(
        "api_current_user_reset_token_create",
        c.users().reset_token().send_with_response().await,
    );
    let token = reset.token.expect("a new legacy token");
    let renewed = Client::new(&env().url, Auth::api_key(token)).unwrap();
    let me = renewed
        .users()
        .whoami()
        .send()
        .await
        .expect("the new legacy token works");
    assert_eq!(me.email.as_deref(), Some("e2e-sweep@example.com"));
}

/// A user added and removed, and the project and its tasks deleted.
async fn members_and_cleanup(s: &Sweeper, organization: i64, project: i64, tasks: &[i64]) {
    let (log, c) = (&s.log, &s.client);
    let user = log.must(
        "api_users_create",
        c.users()
            .create("sweep-member")
            .email("sweep-member@example.com")
            .first_name("Sweep")
            .send_with_response()
            .await,
    );
    log.ok(
        "api_users_partial_update",
        c.users().update(user.id).last_name("Member").send_with_response().await,
    );
    log.ok(
        "api_organizations_memberships_destroy",
        c.organizations()
            .members()
            .delete(organization, user.id)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_users_destroy",
        c.users().delete(user.id).send_with_response().await,
    );

    log.ok(
        "api_tasks_destroy",
        c.tasks().delete(tasks[5]).send_with_response().await,
    );
    log.ok(
        "api_annotations_destroy",
        c.annotations()
            .delete(first_annotation(s, tasks[0]).await)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_projects_tasks_destroy",
        c.tasks().delete_all_tasks(project).send_with_response().await,
    );
    log.ok(
        "api_projects_destroy",
        c.projects().delete(project).send_with_response().await,
    );
}

async fn first_annotation(s: &Sweeper, task: i64) -> i64 {
    let annotations = s
        .client
        .annotations()
        .list(task)
        .send()
        .await
        .expect("the task's annotations");
    annotations.first().expect("the task has an annotation").id
}
