//! Annotations, predictions, drafts, labels, and the data manager's views and actions.

use super::*;

/// Annotations, drafts and predictions on the project's tasks.
pub(super) async fn annotations_and_predictions(s: &Sweeper, project: i64, tasks: &[i64]) {
    let (log, c) = (&s.log, &s.client);
    let annotation = log.must(
        "api_tasks_annotations_create",
        c.annotations()
            .create(tasks[0])
            .result(choice("positive"))
            .send_with_response()
            .await,
    );
    log.ok(
        "api_tasks_annotations_list",
        c.annotations().list(tasks[0]).send_with_response().await,
    );
    log.ok(
        "api_annotations_retrieve",
        c.annotations().get(annotation.id).send_with_response().await,
    );
    log.ok(
        "api_annotations_partial_update",
        c.annotations()
            .update(annotation.id)
            .ground_truth(true)
            .send_with_response()
            .await,
    );
    let draft = log.must(
        "api_tasks_annotations_create",
        c.annotations()
            .create(tasks[1])
            .result(choice("negative"))
            .send_with_response()
            .await,
    );
    log.ok(
        "api_annotations_convert_to_draft_create",
        c.annotations().convert_to_draft(draft.id).send_with_response().await,
    );

    let prediction = log.must(
        "api_predictions_create",
        c.predictions()
            .create()
            .task(tasks[2])
            .result(choice("negative"))
            .score(0.75)
            .model_version("sweep-1")
            .send_with_response()
            .await,
    );
    log.ok(
        "api_predictions_list",
        c.predictions().list().project(project).send_with_response().await,
    );
    log.ok(
        "api_predictions_retrieve",
        c.predictions().get(prediction.id).send_with_response().await,
    );
    log.ok(
        "api_predictions_partial_update",
        c.predictions()
            .update(prediction.id)
            .score(0.5)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_predictions_update",
        c.predictions()
            .replace(prediction.id)
            .task(tasks[2])
            .result(choice("positive"))
            .send_with_response()
            .await,
    );
    let imported: Vec<_> = vec![
        serde_json::from_value(json!({"task": tasks[3], "result": choice("positive"), "model_version": "sweep-2"}))
            .unwrap(),
    ];
    log.ok(
        "api_projects_import_predictions_create",
        c.projects()
            .import_predictions(project, imported)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_predictions_destroy",
        c.predictions().delete(prediction.id).send_with_response().await,
    );
    log.ok(
        "api_projects_annotators_retrieve",
        c.projects().list_unique_annotators(project).send_with_response().await,
    );
}

/// Labels (an organization's label library) and their links to projects.
pub(super) async fn labels(s: &Sweeper, project: i64, organization: i64) {
    let (log, c) = (&s.log, &s.client);
    let new: Vec<_> = vec![
        serde_json::from_value(json!({
            "project": project, "from_name": "sentiment", "value": {"choices": ["neutral"]}, "title": "neutral"
        }))
        .unwrap(),
    ];
    let created = log.must("api_labels_create", c.labels().create(new).send_with_response().await);
    let label = created.first().expect("one label made").id;
    log.ok("api_labels_list", c.labels().list().send_with_response().await);
    log.ok("api_labels_retrieve", c.labels().get(label).send_with_response().await);
    log.ok(
        "api_labels_partial_update",
        c.labels()
            .update(label)
            .description("added by the sweep")
            .organization(organization)
            .send_with_response()
            .await,
    );
    let links = log.must(
        "api_label_links_list",
        c.projects().labels().list().send_with_response().await,
    );
    let link = links
        .results
        .iter()
        .find(|l| l.project == project && l.label == label)
        .expect("the label is linked to the project")
        .id;
    log.ok(
        "api_label_links_retrieve",
        c.projects().labels().get(link).send_with_response().await,
    );
    log.ok(
        "api_label_links_partial_update",
        c.projects()
            .labels()
            .update(link)
            .from_name("sentiment")
            .send_with_response()
            .await,
    );
    log.ok(
        "api_labels_bulk_create",
        c.projects()
            .labels()
            .update_many(json!({"choices": ["neutral"]}), json!({"choices": ["mixed"]}))
            .project(project)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_label_links_destroy",
        c.projects().labels().delete(link).send_with_response().await,
    );
    let relinked = log.must(
        "api_label_links_create",
        c.projects()
            .labels()
            .create("sentiment", project, label)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_label_links_destroy",
        c.projects().labels().delete(relinked.id).send_with_response().await,
    );
    log.ok(
        "api_labels_destroy",
        c.labels().delete(label).send_with_response().await,
    );
}

/// Data Manager views with filters, actions on the tasks they select, and the columns.
pub(super) async fn views_and_actions(s: &Sweeper, project: i64, tasks: &[i64]) {
    let (log, c) = (&s.log, &s.client);
    let data = serde_json::from_value(json!({
        "filters": {
            "conjunction": "and",
            "items": [{"filter": "filter:tasks:total_annotations", "operator": "greater_or_equal", "type": "Number", "value": 0}]
        },
        "ordering": ["tasks:id"]
    }))
    .unwrap();
    let view = log.must(
        "api_dm_views_create",
        c.views()
            .create()
            .project(project)
            .data(data)
            .send_with_response()
            .await,
    );
    let second = log.must(
        "api_dm_views_create",
        c.views().create().project(project).send_with_response().await,
    );
    log.ok(
        "api_dm_views_list",
        c.views().list().project(project).send_with_response().await,
    );
    log.ok(
        "api_dm_views_retrieve",
        c.views().get(view.id).send_with_response().await,
    );
    fn unfiltered<T: serde::de::DeserializeOwned>() -> T {
        serde_json::from_value(json!({"ordering": ["-tasks:id"]})).unwrap()
    }
    log.ok(
        "api_dm_views_partial_update",
        c.views()
            .update(view.id, unfiltered())
            .project(project)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_dm_views_update",
        c.views()
            .replace(view.id, unfiltered())
            .project(project)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_dm_views_order_create",
        c.views()
            .update_order(project, vec![second.id, view.id])
            .send_with_response()
            .await,
    );
    log.ok(
        "api_dm_views_destroy",
        c.views().delete(second.id).send_with_response().await,
    );

    log.ok(
        "api_dm_actions_retrieve",
        c.actions().list(project).send_with_response().await,
    );
    log.ok(
        "api_dm_actions_form_retrieve",
        c.actions()
            .get_form("retrieve_tasks_predictions", project)
            .send_with_response()
            .await,
    );
    let selected = serde_json::from_value(json!({"all": false, "included": [tasks[4]]})).unwrap();
    log.ok(
        "api_dm_actions_create",
        c.actions()
            .create("delete_tasks_predictions".into(), project)
            .view(view.id)
            .selected_items(selected)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_dm_columns_retrieve",
        c.data_manager().list_columns(project).send_with_response().await,
    );
    log.ok(
        "api_dm_project_retrieve",
        c.data_manager()
            .get_project()
            .project(project)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_dm_views_reset_destroy",
        c.views().delete_all(project).send_with_response().await,
    );
}
