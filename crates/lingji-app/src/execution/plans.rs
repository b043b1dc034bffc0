//! Monthly spending plans (用款计划, ZX-4a): a unit files what one of its lines will need in a
//! month; finance reviews all of a month's filed plans at once, in tier order within the
//! treasury's cash limit (QJ-4a subjects first inside a tier). What is approved becomes the plan
//! balance of the line and month; when the profile says so, payments may not exceed it.

use crate::Scope;
use lingji_domain::execution::{
    PlanGrant, PlanStatus, PlanTier, plan_tier, priority_subject, review_plans,
};
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::org::OrgPath;
use lingji_domain::library::tier::SpendingTier;
use lingji_domain::{Money, Refusal};
use lingji_store::execution::payments::{self as payment_store, PayableLine};
use lingji_store::execution::plans::{self as store, NewPlan, Plan, PlanFilter, ReviewRow};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;

/// A plan as a unit files it.
#[derive(Debug, Clone, Deserialize)]
pub struct PlanDraft {
    /// The unit's line.
    pub line_id: i64,
    /// Month 1–12 of the line's year.
    pub month: u32,
    pub amount: Money,
    pub purpose: String,
}

fn check(d: &PlanDraft) -> Vec<Refusal> {
    let mut out = Vec::new();
    if !(1..=12).contains(&d.month) {
        out.push(Refusal::new("PLAN_MONTH_INVALID", "月份应为 1–12").field("month"));
    }
    if d.amount <= Money::ZERO {
        out.push(Refusal::new("PLAN_AMOUNT_NOT_POSITIVE", "用款计划金额须大于零").field("amount"));
    }
    let purpose = d.purpose.trim();
    if purpose.is_empty() || purpose.chars().count() > 200 {
        out.push(
            Refusal::new("PLAN_PURPOSE_REQUIRED", "请填写用途（不超过 200 个字）").field("purpose"),
        );
    }
    out
}

/// A plan as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanRow {
    pub id: i64,
    pub month: u32,
    pub unit_id: i64,
    pub unit_name: String,
    pub line_id: i64,
    pub line_name: String,
    pub economic_code: String,
    /// Review tier (ZX-4a).
    #[schema(value_type = crate::schema::PlanTier)]
    pub tier: PlanTier,
    /// Its Chinese name.
    pub tier_label: &'static str,
    /// QJ-4a priority subject.
    pub priority: Option<String>,
    #[schema(value_type = String)]
    pub amount: Money,
    #[schema(value_type = String)]
    pub approved: Money,
    #[schema(value_type = crate::schema::PlanStatus)]
    pub status: PlanStatus,
    /// Its Chinese name.
    pub status_label: &'static str,
    pub purpose: String,
    pub filed_by: String,
    pub filed_at: String,
}

impl From<Plan> for PlanRow {
    fn from(p: Plan) -> Self {
        PlanRow {
            id: p.id,
            month: p.month,
            unit_id: p.unit_id,
            unit_name: p.unit_name,
            line_id: p.line_id,
            line_name: p.line_name,
            economic_code: p.economic_code,
            tier: p.tier,
            tier_label: p.tier.label(),
            priority: p.priority,
            amount: p.amount,
            approved: p.approved,
            status: p.status,
            status_label: p.status.label(),
            purpose: p.purpose,
            filed_by: p.filed_by,
            filed_at: p.filed_at,
        }
    }
}

/// One plan in a review, in review order.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewLine {
    #[serde(flatten)]
    pub plan: PlanRow,
    /// What the review gives it.
    #[schema(value_type = String)]
    pub granted: Money,
    /// The state it lands in.
    #[schema(value_type = crate::schema::PlanStatus)]
    pub outcome: PlanStatus,
    /// Its Chinese name.
    pub outcome_label: &'static str,
    /// Cash limit left after it.
    #[schema(value_type = String)]
    pub remaining: Money,
}

/// A month's review: what it would give (a dry run) or gave.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanReview {
    pub fiscal_year: i32,
    pub month: u32,
    /// The treasury's cash limit.
    #[schema(value_type = String)]
    pub cash_limit: Money,
    #[schema(value_type = String)]
    pub approved_total: Money,
    #[schema(value_type = String)]
    pub requested_total: Money,
    /// The plans in review order.
    pub lines: Vec<ReviewLine>,
    /// The recorded review, None for a dry run.
    pub review_id: Option<i64>,
}

/// A recorded review as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewSummary {
    pub id: i64,
    pub month: i64,
    #[schema(value_type = String)]
    pub cash_limit: Money,
    #[schema(value_type = String)]
    pub approved_total: Money,
    pub plans: i64,
    pub reviewed_by: String,
    pub reviewed_at: String,
}

impl From<ReviewRow> for ReviewSummary {
    fn from(r: ReviewRow) -> Self {
        ReviewSummary {
            id: r.id,
            month: r.month,
            cash_limit: Money::from_fen(r.cash_limit),
            approved_total: Money::from_fen(r.approved_total),
            plans: r.plans,
            reviewed_by: r.reviewed_by,
            reviewed_at: r.reviewed_at,
        }
    }
}

/// The review tier and QJ-4a subject of a line's plans and payments.
pub(crate) fn line_priority(line: &PayableLine) -> (PlanTier, Option<&'static str>) {
    let tier = line
        .project_tier
        .as_deref()
        .and_then(|t| SpendingTier::parse(t).ok());
    let f = line.function_code.as_deref();
    (
        plan_tier(line.three_guarantees, tier, f, &line.economic_code),
        priority_subject(f),
    )
}

fn plan_path(l: &PayableLine) -> OrgPath {
    OrgPath {
        jurisdiction: l.jurisdiction_id,
        department: Some(l.department_id),
        unit: Some(l.unit_id),
    }
}

impl crate::ExecutionUseCases<'_> {
    /// Files a unit's plan for one of its lines (ZX-4a). What the line has planned and not yet
    /// paid, with this plan, may not exceed what the line has available (ZB-7a).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn file_plan(&self, scope: &Scope, draft: PlanDraft) -> AppResult<PlanRow> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let errors = check(&draft);
        let mut tx = self.store.begin().await?;
        let line = payment_store::payable_line(&mut tx, draft.line_id)
            .await?
            .filter(|l| l.jurisdiction_id == jurisdiction_id)
            .ok_or_else(|| {
                AppError::Refused(
                    Refusal::new("BUDGET_LINE_MISSING", "该预算指标不存在").field("line_id"),
                )
            })?;
        caller.authorize(Resource::SpendingPlan, Access::Write, &plan_path(&line))?;
        if !errors.is_empty() {
            return Err(AppError::Invalid {
                summary: Refusal::new("PLAN_INVALID", "用款计划有误，请按提示修改"),
                errors,
            });
        }
        crate::execution::year_end::refuse_if_closed(
            &mut tx,
            jurisdiction_id,
            line.fiscal_year,
            lingji_domain::execution::MoneyMovement::Plan,
            "line_id",
        )
        .await?;
        // Two filings on one line at the same time take turns here, so their sum is checked.
        store::lock_line(&mut tx, line.id).await?;
        let planned = store::open_planned(&mut tx, line.id).await?;
        let available = line.balance.available();
        let room = available.checked_sub(planned).unwrap_or(Money::ZERO);
        if draft.amount > room {
            return Err(Refusal::new(
                "PLAN_ABOVE_AVAILABLE",
                format!(
                    "用款计划 {} 元超过该指标可计划余额 {} 元（可用 {} 元，已有未支用计划 {} 元）",
                    draft.amount.to_yuan_display(),
                    room.max(Money::ZERO).to_yuan_display(),
                    available.to_yuan_display(),
                    planned.to_yuan_display()
                ),
            )
            .field("amount")
            .clause("ZX-4a")
            .into());
        }
        let (tier, priority) = line_priority(&line);
        let purpose = draft.purpose.trim();
        let id = store::insert(
            &mut tx,
            &NewPlan {
                jurisdiction_id,
                fiscal_year: line.fiscal_year,
                month: draft.month,
                department_id: line.department_id,
                unit_id: line.unit_id,
                line_id: line.id,
                tier,
                priority,
                amount: draft.amount,
                purpose,
                filed_by: caller.name(),
            },
        )
        .await?;
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(jurisdiction_id, "spending_plan.file", "spending_plan", id)
                .after_json(&serde_json::json!({
                    "line_id": line.id, "month": draft.month, "amount": draft.amount, "tier": tier.as_str(),
                })),
        )
        .await?;
        let filter = PlanFilter {
            fiscal_year: line.fiscal_year,
            month: Some(draft.month),
            unit_id: Some(line.unit_id),
            ..PlanFilter::default()
        };
        let row = store::list(&mut tx, jurisdiction_id, &filter)
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| AppError::Internal(format!("plan {id} vanished")))?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// Plans the caller may see: a unit its own, a department its units', finance and audit all.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn plans(&self, scope: &Scope, mut filter: PlanFilter) -> AppResult<Vec<PlanRow>> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let (department, unit) = caller.read_scope(Resource::SpendingPlan, jurisdiction_id)?;
        filter.unit_id = unit.or(filter.unit_id);
        filter.department_id = department.or(filter.department_id);
        let mut conn = self.store.read().acquire().await?;
        Ok(store::list(&mut conn, jurisdiction_id, &filter)
            .await?
            .into_iter()
            .map(PlanRow::from)
            .collect())
    }

    /// Finance reviews a month's filed plans within the cash limit (ZX-4a): a dry run shows
    /// what each plan would get; the real run records it, adds the approved amounts to the plan
    /// balances and is audited. A plan filed or reviewed meanwhile makes it a 409.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn review_month(
        &self,
        scope: &Scope,
        (fiscal_year, month): (i32, u32),
        cash_limit: Money,
        record: bool,
    ) -> AppResult<PlanReview> {
        scope.authorize_jurisdiction(Resource::SpendingPlan, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        if !(1..=12).contains(&month) {
            return Err(Refusal::new("PLAN_MONTH_INVALID", "月份应为 1–12")
                .field("month")
                .into());
        }
        if cash_limit <= Money::ZERO {
            return Err(Refusal::new(
                "CASH_LIMIT_NOT_POSITIVE",
                "请填写本月国库库款限额（大于零）",
            )
            .field("cash_limit")
            .clause("ZX-4a")
            .into());
        }
        let mut tx = self.store.begin().await?;
        let claims = store::filed_claims(&mut tx, jurisdiction_id, fiscal_year, month).await?;
        if claims.is_empty() {
            return Err(Refusal::new(
                "PLAN_NONE_FILED",
                format!("{fiscal_year} 年 {month} 月没有待审核的用款计划"),
            )
            .field("month")
            .into());
        }
        let grants = review_plans(&claims, cash_limit);
        let filter = PlanFilter {
            fiscal_year,
            month: Some(month),
            status: Some(PlanStatus::Filed),
            ..PlanFilter::default()
        };
        let mut plans: std::collections::HashMap<i64, Plan> =
            store::list(&mut tx, jurisdiction_id, &filter)
                .await?
                .into_iter()
                .map(|p| (p.id, p))
                .collect();
        let approved_total = Money::checked_sum(grants.iter().map(|g| g.approved))
            .ok_or_else(|| AppError::Internal("plan total overflows".into()))?;
        let requested_total = Money::checked_sum(claims.iter().map(|c| c.amount))
            .ok_or_else(|| Refusal::new("MONEY_OUT_OF_RANGE", "金额超出允许范围"))?;
        let review_id = if record {
            Some(
                self.record_review(
                    &mut tx,
                    caller,
                    jurisdiction_id,
                    (fiscal_year, month),
                    (cash_limit, approved_total),
                    &grants,
                )
                .await?,
            )
        } else {
            None
        };
        let lines = grants
            .iter()
            .map(|g| {
                let plan = plans
                    .remove(&g.id)
                    .ok_or_else(|| AppError::Internal(format!("plan {} not listed", g.id)))?;
                Ok(ReviewLine {
                    plan: plan.into(),
                    granted: g.approved,
                    outcome: g.status,
                    outcome_label: g.status.label(),
                    remaining: g.remaining,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        if record {
            tx.commit().await?;
        }
        Ok(PlanReview {
            fiscal_year,
            month,
            cash_limit,
            approved_total,
            requested_total,
            lines,
            review_id,
        })
    }

    async fn record_review(
        &self,
        tx: &mut sqlx::AnyConnection,
        caller: &Caller,
        jurisdiction_id: i64,
        (fiscal_year, month): (i32, u32),
        (cash_limit, approved_total): (Money, Money),
        grants: &[PlanGrant],
    ) -> AppResult<i64> {
        let id = store::insert_review(
            tx,
            &store::NewReview {
                jurisdiction_id,
                fiscal_year,
                month,
                cash_limit,
                approved: approved_total,
                plans: grants.len(),
                by: caller.name(),
            },
        )
        .await?;
        for g in grants {
            if !store::decide(tx, g.id, g.approved, g.status, id).await? {
                return Err(AppError::stale());
            }
            if g.approved > Money::ZERO {
                store::add_balance(tx, g.id, g.approved).await?;
            }
        }
        lingji_store::foundation::audit::append(
            tx,
            caller
                .event(jurisdiction_id, "spending_plan.review", "plan_review", id)
                .after_json(&serde_json::json!({
                    "fiscal_year": fiscal_year, "month": month, "cash_limit": cash_limit,
                    "approved_total": approved_total, "plans": grants.len(),
                })),
        )
        .await?;
        Ok(id)
    }

    /// A year's recorded reviews, newest first.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn plan_reviews(
        &self,
        scope: &Scope,
        fiscal_year: i32,
    ) -> AppResult<Vec<ReviewSummary>> {
        scope.authorize_jurisdiction(Resource::SpendingPlan, Access::Read)?;
        let jurisdiction_id = scope.jurisdiction;
        let mut conn = self.store.read().acquire().await?;
        Ok(store::reviews(&mut conn, jurisdiction_id, fiscal_year)
            .await?
            .into_iter()
            .map(ReviewSummary::from)
            .collect())
    }
}
