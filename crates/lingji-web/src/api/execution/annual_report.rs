//! `/api/v1/annual-report`: 年度报告 — the year in figures (ZX-3a, ZX-4b, ZX-3c, CS-5b, PM-10)
//! reconciled with the ledger, for finance and audit; and the same as .xlsx.

use axum::Json;
use axum::response::Response;
use lingji_app::execution::annual_report::AnnualReport;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{Cx, Year, YearQuery, xlsx};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(annual_report))
        .routes(routes!(annual_report_xlsx))
}

/// The year in figures: projects cut, cancelled, new and increased with the ratio and its base
/// (ZX-3a); payments stopped by the monitoring rules (ZX-4b); money recovered at the close
/// (ZX-3c); budget cut for evaluation results (CS-5b); key evaluations by grade (PM-10); the
/// year's execution held against the ledger. Each figure names the pages it counts.
#[utoipa::path(get, path = "/annual-report", tag = "reports", params(YearQuery),
    responses((status = 200, body = AnnualReport), (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn annual_report(cx: Cx, Year(year): Year) -> ApiResult<Json<AnnualReport>> {
    Ok(Json(cx.year_end().annual_report(&cx.scope, year).await?))
}

/// The year in figures as .xlsx (amounts in 元 to the fen).
#[utoipa::path(get, path = "/annual-report/xlsx", tag = "reports", params(YearQuery),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn annual_report_xlsx(cx: Cx, Year(year): Year) -> ApiResult<Response> {
    let bytes = cx.year_end().export_annual_report(&cx.scope, year).await?;
    let ascii = format!("annual-report-{year}.xlsx");
    Ok(xlsx(bytes, &ascii, &format!("{year}年度报告.xlsx")))
}
