//! Disclosure (PM-5, QJ-5c): finance publishes a project's performance targets, a
//! self-evaluation's or a key evaluation's result, or a special fund's task list and policy
//! basis. Publishing freezes a copy; the public pages and the open data read only those
//! copies, never the working tables, so nothing unpublished is reachable.

use crate::Scope;
pub use lingji_domain::disclosure::PublicationKind;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::{Money, Refusal};
use lingji_store::disclosure::publications::{self as store, NewPublication, Publication};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::Caller;
use crate::error::{AppError, AppResult};
use crate::performance::evaluations::EvaluationView;

/// What finance asks to publish.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishDraft {
    #[schema(value_type = crate::schema::PublicationKind)]
    pub kind: PublicationKind,
    /// The project (targets), the evaluation (results), or the special fund's code.
    pub source: String,
}

/// A published item as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicItem {
    pub id: i64,
    /// Jurisdiction's name.
    pub jurisdiction: String,
    pub fiscal_year: i64,
    #[schema(value_type = crate::schema::PublicationKind)]
    pub kind: String,
    /// Its Chinese name.
    pub kind_label: &'static str,
    pub title: String,
    pub department: String,
    /// The published copy.
    pub body: Value,
    pub published_at: String,
    /// When withdrawn (finance's view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn_at: Option<String>,
}

impl PublicItem {
    /// The day it was published, e.g. 2026-03-31.
    pub fn published_on(&self) -> &str {
        self.published_at.get(..10).unwrap_or(&self.published_at)
    }
}

impl TryFrom<Publication> for PublicItem {
    type Error = AppError;
    fn try_from(p: Publication) -> AppResult<Self> {
        let body = serde_json::from_str(&p.body)
            .map_err(|e| AppError::Internal(format!("publication {}: {e}", p.id)))?;
        Ok(PublicItem {
            id: p.id,
            jurisdiction: p.jurisdiction_name,
            fiscal_year: p.fiscal_year,
            kind_label: PublicationKind::parse(&p.kind).map_or("", PublicationKind::label),
            kind: p.kind,
            title: p.title,
            department: p.department,
            body,
            published_at: p.published_at,
            withdrawn_at: p.withdrawn_at,
        })
    }
}

fn evaluation_body(e: &EvaluationView) -> Value {
    json!({
        "project_code": e.project_code,
        "unit": e.unit_name,
        "budget": e.budget,
        "spent": e.spent,
        "score": lingji_domain::review::gates::show(e.score).trim_end_matches('分'),
        "grade": e.grade_label,
        "scorecard": e.scorecard,
        "key_scorecard": e.key_scorecard,
        "findings": e.findings,
        "agency": e.agency_code,
    })
}

/// A target table's indicators as published: level, name and target.
fn indicator_rows(indicators: &[lingji_domain::library::targets::Indicator]) -> Vec<Value> {
    indicators
        .iter()
        .map(|i| json!({"level": i.category.label(), "name": i.name, "target": i.target_text()}))
        .collect()
}

/// A value of a published copy as text: strings as they are, nothing for null.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The open-data columns, in order.
pub const OPEN_DATA_COLUMNS: [&str; 10] = [
    "编号",
    "地区",
    "年度",
    "公开类别",
    "部门",
    "标题",
    "预算（元）",
    "得分",
    "等级",
    "发布时间",
];

/// A CSV cell: quoted when it holds a separator, quote or line break, and with a leading `'`
/// when a spreadsheet would take it for a formula (a name typed as `=…` must stay text).
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t'])
        && s.parse::<rust_decimal::Decimal>().is_err()
    {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// What a publication shows, taken from its source when it is published.
struct Content {
    year: i32,
    /// `project:12`, `target:3`, `evaluation:7`, `fund:ZX01`: publishing a source again replaces
    /// what was published of it.
    key: String,
    title: String,
    department: String,
    body: Value,
}

fn unknown_source(source: &str) -> AppError {
    AppError::Refused(
        Refusal::new(
            "PUBLICATION_SOURCE_UNKNOWN",
            format!("要公开的内容“{source}”不存在"),
        )
        .field("source")
        .clause("PM-5"),
    )
}

fn source_id(source: &str) -> AppResult<i64> {
    source.parse::<i64>().map_err(|_| unknown_source(source))
}

impl crate::DisclosureUseCases<'_> {
    /// Publishes an item (finance, PM-5, QJ-5c): a frozen copy of it now; publishing the same
    /// source again replaces the copy. Audited.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn publish(&self, scope: &Scope, draft: &PublishDraft) -> AppResult<PublicItem> {
        scope.authorize_jurisdiction(Resource::PerformanceDecision, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let source = draft.source.trim();
        let content = match draft.kind {
            PublicationKind::ProjectTargets => {
                self.project_targets_content(jurisdiction_id, source)
                    .await?
            }
            PublicationKind::Targets => self.targets_content(caller, source).await?,
            PublicationKind::SelfEvaluation | PublicationKind::KeyEvaluation => {
                self.evaluation_content(caller, draft.kind, source).await?
            }
            PublicationKind::SpecialFund => {
                self.special_fund_content(jurisdiction_id, source).await?
            }
        };
        let Content {
            year,
            key,
            title,
            department,
            body,
        } = content;
        let mut tx = self.store.begin().await?;
        let id = store::publish(
            &mut tx,
            &NewPublication {
                jurisdiction_id,
                fiscal_year: year,
                kind: draft.kind.as_str(),
                source_key: &key,
                title: &title,
                department: &department,
                body: body.to_string(),
                by: caller.name(),
            },
        )
        .await?;
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(jurisdiction_id, "disclosure.publish", "publication", id)
                .after_json(&json!({ "kind": draft.kind.as_str(), "source": key })),
        )
        .await?;
        let stored = store::public_one(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::Internal("publication vanished".into()))?;
        tx.commit().await?;
        PublicItem::try_from(stored)
    }

    /// A project's targets as approved (or requested, before approval), of this jurisdiction.
    async fn project_targets_content(
        &self,
        jurisdiction_id: i64,
        source: &str,
    ) -> AppResult<Content> {
        let mut conn = self.store.read().acquire().await?;
        let d = lingji_store::library::projects::get_detail(&mut conn, source_id(source)?)
            .await?
            .filter(|d| d.project.header.jurisdiction_id == jurisdiction_id)
            .ok_or_else(|| unknown_source(source))?;
        let h = &d.project.header;
        let department = lingji_store::foundation::orgs::get(&mut conn, h.department_id)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        let body = json!({
            "project_code": h.code,
            "budget": if d.project.header.approved > Money::ZERO { h.approved } else { h.request },
            "overall_goal": h.overall_goal,
            "indicators": indicator_rows(&d.indicators),
        });
        Ok(Content {
            year: h.fiscal_year,
            key: format!("project:{}", d.project.id),
            title: h.name.clone(),
            department,
            body,
        })
    }

    /// A target table the caller may read.
    async fn targets_content(&self, caller: &Caller, source: &str) -> AppResult<Content> {
        let t = self
            .performance()
            .target(caller, source_id(source)?)
            .await
            .map_err(|_| unknown_source(source))?;
        let body = json!({
            "subject": t.subject_label,
            "budget": t.budget,
            "overall_goal": t.targets.overall_goal,
            "policy_code": t.policy_code,
            "indicators": indicator_rows(&t.targets.indicators),
        });
        Ok(Content {
            year: t.fiscal_year,
            key: format!("target:{}", t.id),
            title: t.name.clone(),
            department: t.department_name.clone(),
            body,
        })
    }

    /// An evaluation the caller may read, of the kind asked (self or key).
    async fn evaluation_content(
        &self,
        caller: &Caller,
        kind: PublicationKind,
        source: &str,
    ) -> AppResult<Content> {
        let e = self
            .performance()
            .evaluation(caller, source_id(source)?)
            .await
            .map_err(|_| unknown_source(source))?;
        let want = if kind == PublicationKind::KeyEvaluation {
            "key"
        } else {
            "self"
        };
        if e.kind != want {
            return Err(unknown_source(source));
        }
        let year = i32::try_from(e.fiscal_year).map_err(|_| unknown_source(source))?;
        Ok(Content {
            year,
            key: format!("evaluation:{}", e.id),
            title: e.name.clone(),
            department: e.department_name.clone(),
            body: evaluation_body(&e),
        })
    }

    /// A special fund on the jurisdiction's list in force, by its code.
    async fn special_fund_content(&self, jurisdiction_id: i64, source: &str) -> AppResult<Content> {
        let mut conn = self.store.read().acquire().await?;
        let fund =
            lingji_store::review::lists::special_fund_in_force(&mut conn, jurisdiction_id, source)
                .await?
                .ok_or_else(|| unknown_source(source))?;
        let department = match fund.entry.fund.lead_department_id {
            Some(d) => lingji_store::foundation::orgs::get(&mut conn, d)
                .await?
                .map(|o| o.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        let year = fund.entry.year.or(fund.entry.fund.start_year).unwrap_or(0);
        let body = json!({
            "code": fund.entry.code,
            "tasks": fund.entry.fund.tasks,
            "policy": fund.entry.note,
            "start_year": fund.entry.fund.start_year,
            "period_years": fund.entry.fund.period_years,
        });
        Ok(Content {
            year,
            key: format!("fund:{}", fund.entry.code),
            title: fund.entry.name.clone(),
            department,
            body,
        })
    }

    /// Withdraws a published item (finance): it is no longer public. Audited.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn withdraw(&self, scope: &Scope, id: i64) -> AppResult<()> {
        scope.authorize_jurisdiction(Resource::PerformanceDecision, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let mut tx = self.store.begin().await?;
        if !store::withdraw(&mut tx, jurisdiction_id, id, caller.name()).await? {
            return Err(AppError::not_found("已公开的内容"));
        }
        lingji_store::foundation::audit::append(
            &mut tx,
            caller.event(jurisdiction_id, "disclosure.withdraw", "publication", id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Everything published for a year, withdrawn items included (finance, audit).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn publications(
        &self,
        scope: &Scope,
        fiscal_year: i32,
    ) -> AppResult<Vec<PublicItem>> {
        scope.authorize_jurisdiction(Resource::PerformanceDecision, Access::Read)?;
        let jurisdiction_id = scope.jurisdiction;
        let mut conn = self.store.read().acquire().await?;
        store::all(&mut conn, jurisdiction_id, fiscal_year)
            .await?
            .into_iter()
            .map(PublicItem::try_from)
            .collect()
    }

    /// The jurisdictions of the deployment as (区划 code, name), for the public pages' 地区
    /// picker: a province's deployment publishes for every city and county in it.
    #[tracing::instrument(skip_all)]
    pub async fn public_regions(&self) -> AppResult<Vec<(String, String)>> {
        let mut conn = self.store.read().acquire().await?;
        Ok(lingji_store::foundation::levels::all(&mut conn)
            .await?
            .into_iter()
            .map(|j| (j.code, j.name))
            .collect())
    }

    /// What anybody may read, without signing in: published items not withdrawn, of one
    /// jurisdiction (its 区划 code) or of all.
    #[tracing::instrument(skip_all)]
    pub async fn public_items(
        &self,
        fiscal_year: Option<i32>,
        kind: Option<PublicationKind>,
        region: Option<&str>,
    ) -> AppResult<Vec<PublicItem>> {
        let mut conn = self.store.read().acquire().await?;
        let jurisdiction = match region.map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(r) => Some(
                lingji_store::foundation::levels::all(&mut conn)
                    .await?
                    .into_iter()
                    .find(|j| j.code == r)
                    .ok_or_else(|| {
                        AppError::from(
                            Refusal::new("REGION_UNKNOWN", format!("没有区划代码为 {r} 的地区"))
                                .field("region"),
                        )
                    })?
                    .id,
            ),
        };
        store::public(
            &mut conn,
            fiscal_year,
            kind.map(PublicationKind::as_str),
            jurisdiction,
        )
        .await?
        .into_iter()
        .map(PublicItem::try_from)
        .collect()
    }

    /// One public item, without signing in.
    #[tracing::instrument(skip_all)]
    pub async fn public_item(&self, id: i64) -> AppResult<PublicItem> {
        let mut conn = self.store.read().acquire().await?;
        store::public_one(&mut conn, id)
            .await?
            .ok_or_else(|| AppError::not_found("公开内容"))
            .and_then(PublicItem::try_from)
    }

    /// The public items as CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese).
    #[tracing::instrument(skip_all)]
    pub async fn open_data_csv(
        &self,
        fiscal_year: Option<i32>,
        region: Option<&str>,
    ) -> AppResult<String> {
        let items = self.public_items(fiscal_year, None, region).await?;
        let mut out = String::from("\u{feff}");
        out.push_str(&OPEN_DATA_COLUMNS.join(","));
        out.push_str("\r\n");
        for i in items {
            let text = |k: &str| value_text(&i.body[k]);
            let budget = i.body["budget"]
                .as_str()
                .and_then(|s| Money::parse(s).ok())
                .map(Money::to_plain)
                .unwrap_or_default();
            let cells = [
                i.id.to_string(),
                i.jurisdiction.clone(),
                i.fiscal_year.to_string(),
                i.kind_label.to_string(),
                i.department.clone(),
                i.title.clone(),
                budget,
                text("score"),
                text("grade"),
                i.published_at.clone(),
            ];
            let row: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn open_data_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_cell("市教育局"), "市教育局");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-12.50"), "-12.50");
    }
}
