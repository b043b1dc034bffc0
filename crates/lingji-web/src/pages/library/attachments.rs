//! The 附件 tab's forms: upload to and delete from a project, back to the tab afterwards.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, OriginalUri, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use lingji_app::AppError;

use crate::AppState;
use crate::api::library::attachments::{read_upload, upload_body_limit};
use crate::identity::{Identity, PageUser};
use crate::pages::PageCtx;
use crate::pages::error_page;
use crate::pages::library::project_form::form_page;
use crate::pages::library::projects::stored;

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
    match result {
        Ok(()) => {
            Redirect::to(&format!("/projects/{project}?msg={done}#attachments")).into_response()
        }
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => error_page(id, path, &e),
        Err(e) => match stored(state, id, project, false).await {
            Ok(mut input) => {
                let r = e.refusal();
                input.attachment_error = match r.clause {
                    Some(c) => format!("{}（{c}）", r.message),
                    None => r.message,
                };
                let ctx = PageCtx { state, id, path };
                form_page(&ctx, input, None, crate::problem::status_of(&e)).await
            }
            Err(e) => error_page(id, path, &e),
        },
    }
}

async fn upload(
    State(state): State<AppState>,
    PageUser(id): PageUser,
    OriginalUri(uri): OriginalUri,
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
    State(state): State<AppState>,
    PageUser(id): PageUser,
    OriginalUri(uri): OriginalUri,
    Path((project, attachment)): Path<(i64, i64)>,
) -> Response {
    let result = state
        .app
        .library()
        .remove_attachment(&id.caller(), project, attachment)
        .await;
    outcome(&state, &id, uri.path(), project, result, "detached").await
}
