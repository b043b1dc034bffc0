//! 待办: the work waiting for the caller, counted and linked, each kind read through the list
//! use case a person would open to do it — so a count never shows what that person could not
//! see, and what they may not do is not listed at all (`TodoKind::for_role`).

use lingji_domain::execution::{AdjustmentStatus, Disposition, PaymentStatus, PlanStatus};
use lingji_domain::foundation::todo::TodoKind;
use lingji_domain::library::ProjectState;
use lingji_domain::performance::Light;
use lingji_domain::review::decision::ReviewDecision;
use lingji_store::execution::adjustments::AdjustmentFilter;
use lingji_store::execution::payments::PaymentFilter;
use lingji_store::execution::plans::PlanFilter;
use lingji_store::library::projects::Filter;
use serde::Serialize;

use crate::Scope;
use crate::error::AppResult;

/// How many of each kind are named on the home page; the count covers them all.
const SHOWN: usize = 5;

/// Everything waiting for the caller.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Todo {
    /// The budget year the work belongs to (evaluations and results: the year before).
    pub fiscal_year: i32,
    /// Every kind of work the caller's role does, in the home page's order, with its count
    /// (zero when there is nothing to do).
    pub items: Vec<TodoItem>,
    /// Things waiting in all.
    pub total: usize,
}

/// One kind of work.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TodoItem {
    #[schema(value_type = crate::schema::TodoKind)]
    pub kind: TodoKind,
    /// Its Chinese name.
    pub label: &'static str,
    pub count: usize,
    /// The count's measure word: 笔, 条, 个项目 ….
    pub measure: &'static str,
    /// The page where the work is done.
    pub href: &'static str,
    /// The first few, most urgent first.
    pub entries: Vec<TodoEntry>,
}

/// One thing waiting.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TodoEntry {
    /// What it is: a project by code and name, a payment by payee and amount.
    pub title: String,
    /// Why it waits: the reviewer's reason, the rule hit, the state.
    pub detail: String,
    pub href: String,
}

fn entry(title: String, detail: impl Into<String>, href: String) -> TodoEntry {
    TodoEntry {
        title,
        detail: detail.into(),
        href,
    }
}

impl crate::TodoUseCases<'_> {
    /// The caller's 待办 for the jurisdiction's current year.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn todo(&self, scope: &Scope) -> AppResult<Todo> {
        let year = self.foundation().current_year(scope.jurisdiction).await?;
        let kinds = scope
            .caller
            .actor()
            .map(|a| TodoKind::of_role(a.role))
            .unwrap_or_default();
        let mut items = Vec::with_capacity(kinds.len());
        for kind in kinds {
            let all = self.entries(scope, kind, year).await?;
            items.push(TodoItem {
                kind,
                label: kind.label(),
                count: all.len(),
                measure: kind.measure(),
                href: kind.href(),
                entries: all.into_iter().take(SHOWN).collect(),
            });
        }
        Ok(Todo {
            fiscal_year: year,
            total: items.iter().map(|i| i.count).sum(),
            items,
        })
    }

    /// Every thing of one kind waiting for the caller.
    async fn entries(&self, scope: &Scope, kind: TodoKind, year: i32) -> AppResult<Vec<TodoEntry>> {
        use TodoKind::*;
        Ok(match kind {
            HeldPayments => self.payments_in(scope, PaymentStatus::Held).await?,
            PaymentsToPay => self.payments_in(scope, PaymentStatus::Pending).await?,
            OpenHits => self
                .supervision()
                .rule_hits(scope, year, Some(Disposition::Open))
                .await?
                .into_iter()
                .map(|h| {
                    entry(
                        format!("{} {}", h.hit.code, h.hit.name),
                        format!("{} 元 · {}", h.amount.to_yuan_display(), h.hit.message),
                        format!("/payments/{}", h.payment_id),
                    )
                })
                .collect(),
            PlansToReview => self.plans_filed(scope, year).await?,
            AdjustmentsToReview => self.adjustments_requested(scope, year).await?,
            ProjectsToReview => self
                .review()
                .review_queue(&scope.caller, 0, 1000)
                .await?
                .items
                .into_iter()
                .map(|q| {
                    let p = &q.project;
                    entry(
                        format!("{} {}", p.header.code, p.header.name),
                        format!("申报 {} 元", p.header.request.to_yuan_display()),
                        format!("/projects/{}/review", p.id),
                    )
                })
                .collect(),
            ProjectsReturned => self.returned_projects(scope, year).await?,
            CheckpointsToDecide => self
                .performance()
                .checkpoints(scope, year, None, Some(Light::Red))
                .await?
                .into_iter()
                .filter(|c| c.decision.is_none())
                .map(|c| {
                    entry(
                        format!("{} {}", c.project_code, c.project_name),
                        format!("{} · {} 月 · {}", c.unit_name, c.month, c.light_label),
                        format!("/performance/monitoring?month={}&light=red", c.month),
                    )
                })
                .collect(),
            EvaluationsDue => self.evaluations_due(scope, year - 1).await?,
            ResultsToConfirm => self
                .performance()
                .results(scope, year - 1)
                .await?
                .rows
                .into_iter()
                .filter(|r| r.confirmed.is_none())
                .map(|r| {
                    entry(
                        format!("{} {}", r.project_code, r.name),
                        format!("{} · {}", r.unit_name, r.grade_label),
                        format!("/performance/results?year={}", year - 1),
                    )
                })
                .collect(),
        })
    }

    /// Spending plans filed and waiting for finance's review this year.
    async fn plans_filed(&self, scope: &Scope, year: i32) -> AppResult<Vec<TodoEntry>> {
        Ok(self
            .execution()
            .plans(
                scope,
                PlanFilter {
                    fiscal_year: year,
                    status: Some(PlanStatus::Filed),
                    ..PlanFilter::default()
                },
            )
            .await?
            .into_iter()
            .map(|p| {
                entry(
                    format!("{} {} 月 {}", p.unit_name, p.month, p.line_name),
                    format!("{} 元 · {}", p.amount.to_yuan_display(), p.tier_label),
                    format!("/spending-plans?month={}", p.month),
                )
            })
            .collect())
    }

    /// Adjustments requested and waiting for a decision this year.
    async fn adjustments_requested(&self, scope: &Scope, year: i32) -> AppResult<Vec<TodoEntry>> {
        Ok(self
            .execution()
            .adjustments(
                scope,
                AdjustmentFilter {
                    fiscal_year: year,
                    status: Some(AdjustmentStatus::Requested),
                    ..AdjustmentFilter::default()
                },
            )
            .await?
            .into_iter()
            .map(|a| {
                entry(
                    format!("{} {}", a.unit_name, a.kind_label),
                    format!("{} 元 · {}", a.amount.to_yuan_display(), a.reason),
                    format!("/adjustments#adjustment-{}", a.id),
                )
            })
            .collect())
    }

    async fn payments_in(&self, scope: &Scope, status: PaymentStatus) -> AppResult<Vec<TodoEntry>> {
        Ok(self
            .execution()
            .payments(
                scope,
                PaymentFilter {
                    status: Some(status),
                    queue: true,
                    limit: 1000,
                    ..PaymentFilter::default()
                },
            )
            .await?
            .into_iter()
            .map(|p| {
                entry(
                    format!(
                        "{} {} 元",
                        p.draft.payee_name,
                        p.draft.amount.to_yuan_display()
                    ),
                    p.refusal_message.unwrap_or_else(|| p.draft.purpose.clone()),
                    format!("/payments/{}", p.id),
                )
            })
            .collect())
    }

    /// The caller's projects of `year` in `state` (the library's list: a unit its own).
    async fn projects_in(
        &self,
        scope: &Scope,
        year: i32,
        state: ProjectState,
    ) -> AppResult<Vec<lingji_store::library::projects::Project>> {
        self.library()
            .list_projects(
                &scope.caller,
                Filter {
                    jurisdiction_id: scope.jurisdiction,
                    fiscal_year: Some(year),
                    state: Some(state),
                    limit: 1000,
                    ..Filter::default()
                },
            )
            .await
    }

    /// The caller's projects sent back for revision, each with the reason of the step that
    /// returned it.
    async fn returned_projects(&self, scope: &Scope, year: i32) -> AppResult<Vec<TodoEntry>> {
        let projects = self
            .projects_in(scope, year, ProjectState::Returned)
            .await?;
        let mut out = Vec::with_capacity(projects.len());
        for p in projects {
            let record = self.review().review_record(&scope.caller, p.id).await?;
            let reason = record
                .steps
                .iter()
                .rev()
                .find(|s| s.outcome == ReviewDecision::Return.as_str())
                .map(|s| format!("{}：{}", s.stage.label(), s.opinion))
                .unwrap_or_default();
            out.push(entry(
                format!("{} {}", p.header.code, p.header.name),
                reason,
                format!("/projects/{}", p.id),
            ));
        }
        Ok(out)
    }

    /// Funded projects of `year` the caller's unit has not self-evaluated (PM-10).
    async fn evaluations_due(&self, scope: &Scope, year: i32) -> AppResult<Vec<TodoEntry>> {
        let done: std::collections::HashSet<i64> = self
            .performance()
            .evaluations(scope, year, Some("self"))
            .await?
            .into_iter()
            .filter_map(|e| e.project_id)
            .collect();
        let funded = self.projects_in(scope, year, ProjectState::Funded).await?;
        Ok(funded
            .into_iter()
            .filter(|p| !done.contains(&p.id))
            .map(|p| {
                entry(
                    format!("{} {}", p.header.code, p.header.name),
                    format!("{year} 年度项目，尚未自评"),
                    format!("/evaluations?year={year}"),
                )
            })
            .collect())
    }
}
