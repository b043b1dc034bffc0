//! The 附件 tab's forms: upload to and delete from a project, back to the tab afterwards.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path};
use axum::response::Response;
use axum::routing::post;
use lingji_app::AppError;

use crate::AppState;
use crate::api::library::attachments::{read_upload, upload_body_limit};
use crate::identity::Identity;
use crate::pages::library::project_form::FormInput;
use crate::pages::library::projects::stored_again;
use crate::pages::{Page, PageCtx, answer, forbidden_or_missing, said};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/attachments", post(upload))
        .route(
            "/projects/{id}/attachments/{attachment}/delete",
            post(remove),
        )
        .layer(DefaultBodyLimit::max(upload_body_limit()))
}

/// Back to the tab, or the project page with the refusal in the tab.
async fn outcome(
    state: &AppState,
    id: &Identity,
    path: &str,
    project: i64,
    result: Result<(), AppError>,
    done: &str,
) -> Response {
    let to = result.map(|()| format!("/projects/{project}?msg={done}#attachments"));
    answer(id, path, forbidden_or_missing, to, async |e| {
        let ctx = PageCtx { state, id, path };
        stored_again(&ctx, project, &e, |input| FormInput {
            attachment_error: said(&e.refusal()),
            ..input
        })
        .await
    })
    .await
}

async fn upload(
    Page { state, id, uri }: Page,
    Path(project): Path<i64>,
    multipart: Multipart,
) -> Response {
    let result = async {
        let u = read_upload(multipart).await?;
        state
            .app
            .library()
            .add_attachment(&id.caller(), project, &u.file_name, &u.note, &u.bytes)
            .await?;
        Ok(())
    }
    .await;
    outcome(&state, &id, uri.path(), project, result, "attached").await
}

async fn remove(
    Page { state, id, uri }: Page,
    Path((project, attachment)): Path<(i64, i64)>,
) -> Response {
    let result = state
        .app
        .library()
        .remove_attachment(&id.caller(), project, attachment)
        .await;
    outcome(&state, &id, uri.path(), project, result, "detached").await
}
