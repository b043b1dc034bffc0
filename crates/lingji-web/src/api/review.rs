//! `/api/v1/projects/{id}/review-plan`: how a project will be reviewed (ZB-5a) and which
//! joint-review bodies it goes to (ZB-5e, ZB-2e).

use axum::Json;
use axum::extract::{Path, State};
use lingji_app::review::ReviewPlan;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::identity::ApiUser;
use crate::problem::{ApiResult, Problem};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(plan))
}

/// A joint-review body a project is routed to.
#[derive(Debug, Serialize, ToSchema)]
pub struct JointDto {
    /// `organisation_department`, `data_bureau` or `development_reform`.
    pub body: String,
    /// Chinese name.
    pub label: String,
    /// Why, with the clause.
    pub reason: String,
}

/// The review a project faces.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewPlanDto {
    /// `simplified`, `standard` or `focused`.
    pub mode: String,
    /// Chinese name of the mode.
    pub mode_label: String,
    /// Why, each citing ZB-5a.
    pub reasons: Vec<String>,
    /// Joint reviews required before the panel.
    pub joint: Vec<JointDto>,
}

impl From<ReviewPlan> for ReviewPlanDto {
    fn from(p: ReviewPlan) -> Self {
        ReviewPlanDto {
            mode: serde_json::to_value(p.mode.mode)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            mode_label: p.mode.mode.label().into(),
            reasons: p.mode.reasons,
            joint: p
                .joint
                .into_iter()
                .map(|b| JointDto {
                    body: b.as_str().into(),
                    label: b.label().into(),
                    reason: b.reason().into(),
                })
                .collect(),
        }
    }
}

/// How a project will be reviewed: simplified, standard or focused by rule (ZB-5a, thresholds
/// from the year's policy profile), and the joint reviews it needs (ZB-5e, ZB-2e).
#[utoipa::path(get, path = "/projects/{id}/review-plan", tag = "projects",
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = ReviewPlanDto), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn plan(
    State(state): State<AppState>,
    ApiUser(id): ApiUser,
    Path(project): Path<i64>,
) -> ApiResult<Json<ReviewPlanDto>> {
    Ok(Json(
        state.app.review_plan(&id.caller(), project).await?.into(),
    ))
}
