//! `/public…`: what finance has published (PM-5, QJ-5c), for anybody, without signing in.
//! These pages read only the published copies.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lingji_app::disclosure::{PublicItem, PublicationKind, value_text as text};
use lingji_domain::foundation::policy::Score;
use lingji_domain::performance::{Dimension, ScoredIndicator};
use serde_json::Value;

use crate::AppState;
use crate::pages::render;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/public", get(list))
        .route("/public/{id}", get(item))
}

#[derive(Template)]
#[template(path = "public.html")]
struct ListPage {
    title: String,
    kind: String,
    kinds: &'static [PublicationKind],
    /// The jurisdictions to pick from (区划 code, name), and the one picked ("" for all).
    regions: Vec<(String, String)>,
    region: String,
    items: Vec<PublicItem>,
}

impl ListPage {
    /// The query that keeps the picked 地区 on a link (`&region=…`, or nothing).
    fn region_query(&self) -> String {
        if self.region.is_empty() {
            String::new()
        } else {
            format!("&region={}", self.region)
        }
    }
}

#[derive(Template)]
#[template(path = "public_item.html")]
struct ItemPage {
    title: String,
    i: PublicItem,
    rows: Vec<(&'static str, String)>,
    line_head: Vec<&'static str>,
    lines: Vec<Vec<String>>,
}

fn plain(message: &str, status: StatusCode) -> Response {
    (status, message.to_string()).into_response()
}

async fn list(
    State(state): State<AppState>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let kind = q.get("kind").and_then(|k| PublicationKind::parse(k));
    let year = q.get("year").and_then(|y| y.parse().ok());
    let disclosure = state.app.disclosure();
    let Ok(regions) = disclosure.public_regions().await else {
        return plain(
            "暂时无法读取公开信息，请稍后再试",
            StatusCode::SERVICE_UNAVAILABLE,
        );
    };
    // Only a 地区 of the deployment is picked; anything else shows every 地区.
    let region = q
        .get("region")
        .filter(|r| regions.iter().any(|(code, _)| code == *r))
        .cloned()
        .unwrap_or_default();
    let picked = Some(region.as_str()).filter(|r| !r.is_empty());
    match disclosure.public_items(year, kind, picked).await {
        Ok(items) => render(
            StatusCode::OK,
            &ListPage {
                title: "预算绩效信息公开".into(),
                kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
                kinds: &PublicationKind::ALL,
                regions,
                region,
                items,
            },
        ),
        Err(_) => plain(
            "暂时无法读取公开信息，请稍后再试",
            StatusCode::SERVICE_UNAVAILABLE,
        ),
    }
}

/// A score stored in hundredths, as points.
fn points(v: &Value) -> String {
    let h = v.as_u64().and_then(|h| u32::try_from(h).ok()).unwrap_or(0);
    lingji_domain::review::gates::show(Score(h))
}

fn label_of<T: serde::de::DeserializeOwned>(v: &Value, label: fn(T) -> &'static str) -> String {
    serde_json::from_value::<T>(v.clone())
        .map(|t| label(t).to_string())
        .unwrap_or_else(|_| text(v))
}

/// A published target table's indicators: level, name, target.
fn indicator_lines(b: &Value) -> Vec<Vec<String>> {
    b["indicators"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|x| vec![text(&x["level"]), text(&x["name"]), text(&x["target"])])
                .collect()
        })
        .unwrap_or_default()
}

/// The rows and the table of a published copy, by kind.
type Shown = (
    Vec<(&'static str, String)>,
    Vec<&'static str>,
    Vec<Vec<String>>,
);

fn shown(i: &PublicItem) -> Shown {
    let b = &i.body;
    let list = |k: &str| b[k].as_array().cloned().unwrap_or_default();
    match PublicationKind::parse(&i.kind) {
        Some(PublicationKind::ProjectTargets) => (
            vec![
                ("项目编码", text(&b["project_code"])),
                ("预算（元）", text(&b["budget"])),
                ("绩效总体目标", text(&b["overall_goal"])),
            ],
            vec!["指标类别", "指标", "指标值"],
            indicator_lines(b),
        ),
        Some(PublicationKind::Targets) => (
            vec![
                ("层次", text(&b["subject"])),
                ("专项资金代码", text(&b["policy_code"])),
                ("预算（元）", text(&b["budget"])),
                ("绩效总体目标", text(&b["overall_goal"])),
            ],
            vec!["指标类别", "指标", "指标值"],
            indicator_lines(b),
        ),
        Some(PublicationKind::SelfEvaluation) => (
            vec![
                ("项目编码", text(&b["project_code"])),
                ("实施单位", text(&b["unit"])),
                ("预算（元）", text(&b["budget"])),
                ("执行数（元）", text(&b["spent"])),
                ("自评得分", text(&b["score"])),
                ("评价等级", text(&b["grade"])),
                ("总体完成情况", text(&b["findings"])),
            ],
            vec!["指标", "年度指标值", "实际完成值", "分值", "得分"],
            b["scorecard"]["indicators"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|x| {
                    vec![
                        text(&x["name"]),
                        serde_json::from_value::<ScoredIndicator>(x.clone())
                            .map(|i| i.target_text())
                            .unwrap_or_else(|_| text(&x["target"])),
                        text(&x["actual"]),
                        points(&x["weight"]),
                        points(&x["score"]),
                    ]
                })
                .collect(),
        ),
        Some(PublicationKind::KeyEvaluation) => (
            vec![
                ("项目编码", text(&b["project_code"])),
                ("预算（元）", text(&b["budget"])),
                ("评价得分", text(&b["score"])),
                ("评价等级", text(&b["grade"])),
                ("评价机构", text(&b["agency"])),
                ("评价结论", text(&b["findings"])),
            ],
            vec!["一级指标", "评价指标", "分值", "得分"],
            b["key_scorecard"]["items"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|x| {
                    vec![
                        label_of(&x["dimension"], Dimension::label),
                        text(&x["name"]),
                        points(&x["weight"]),
                        points(&x["score"]),
                    ]
                })
                .collect(),
        ),
        Some(PublicationKind::SpecialFund) | None => (
            vec![
                ("专项资金代码", text(&b["code"])),
                ("支出政策", text(&b["policy"])),
                ("起始年度", text(&b["start_year"])),
                ("实施期限（年）", text(&b["period_years"])),
            ],
            vec!["序号", "任务清单"],
            list("tasks")
                .iter()
                .enumerate()
                .map(|(n, t)| vec![(n + 1).to_string(), text(t)])
                .collect(),
        ),
    }
}

async fn item(State(state): State<AppState>, Path(id): Path<i64>) -> Response {
    match state.app.disclosure().public_item(id).await {
        Ok(i) => {
            let (rows, line_head, lines) = shown(&i);
            render(
                StatusCode::OK,
                &ItemPage {
                    title: i.title.clone(),
                    i,
                    rows,
                    line_head,
                    lines,
                },
            )
        }
        Err(lingji_app::AppError::NotFound(_)) => {
            plain("该内容未公开或已撤回", StatusCode::NOT_FOUND)
        }
        Err(_) => plain(
            "暂时无法读取公开信息，请稍后再试",
            StatusCode::SERVICE_UNAVAILABLE,
        ),
    }
}
