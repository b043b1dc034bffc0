//! The province dashboard (issue 21, point 5): each jurisdiction of an upper bureau's tree — its
//! own and every one below — in the figures of its year: budget and execution against time,
//! rule hits and stopped payments, year-on-year project changes and evaluation grades. Every
//! figure is the jurisdiction's own annual report (`annual_report`), computed when asked, so the
//! dashboard is as fresh as the ledger; drill-down opens one jurisdiction's report.

use chrono::Utc;
use lingji_domain::Money;
use lingji_domain::execution::calendar::time_progress;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::levels::JurisdictionNode;
use lingji_domain::foundation::policy::Rate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::execution::annual_report::{AnnualReport, GradeCount};

/// One jurisdiction's row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JurisdictionFigures {
    /// 区划 code.
    pub region: String,
    pub name: String,
    /// 省级 / 市级 / 县级.
    pub level_label: &'static str,
    /// The jurisdiction directly above, by 区划 code (none at the top).
    pub upper: Option<String>,
    /// Budget: approved + adjusted.
    #[schema(value_type = String)]
    pub budget: Money,
    #[schema(value_type = String)]
    pub paid: Money,
    /// 执行率.
    pub execution_rate: String,
    /// Execution behind time by this many basis points (0 when on or ahead of time).
    pub behind_time_bp: u32,
    /// Rule hits of the year.
    pub hits: u64,
    /// Payments stopped, and their sum.
    pub stopped: u64,
    #[schema(value_type = String)]
    pub stopped_amount: Money,
    /// "压缩 a 个、取消 b 个…" (ZX-3a).
    pub project_changes: String,
    /// Key evaluations by grade (PM-10).
    pub grades: Vec<GradeCount>,
    /// The lines agree with their ledger.
    pub agrees: bool,
}

/// The dashboard of a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProvinceDashboard {
    pub fiscal_year: i32,
    /// 时间进度 on the day it was computed (Beijing).
    pub time_progress: String,
    /// When it was computed (RFC 3339): the figures are those of that moment.
    pub computed_at: String,
    pub jurisdictions: Vec<JurisdictionFigures>,
    /// Sums over every jurisdiction.
    #[schema(value_type = String)]
    pub budget: Money,
    #[schema(value_type = String)]
    pub paid: Money,
    pub execution_rate: String,
    pub hits: u64,
    pub stopped: u64,
    #[schema(value_type = String)]
    pub stopped_amount: Money,
}

fn add(a: Money, b: Money) -> AppResult<Money> {
    a.checked_add(b)
        .ok_or_else(|| AppError::Internal("province dashboard: amount out of range".into()))
}

fn row(
    j: &JurisdictionNode,
    upper: Option<String>,
    r: &AnnualReport,
    time: Rate,
) -> JurisdictionFigures {
    let e = &r.execution;
    let rate = Rate::ratio(e.paid, e.budget);
    JurisdictionFigures {
        region: j.region.clone(),
        name: j.name.clone(),
        level_label: j.level.label(),
        upper,
        budget: e.budget,
        paid: e.paid,
        execution_rate: e.execution_rate.clone(),
        behind_time_bp: time.basis_points().saturating_sub(rate.basis_points()),
        hits: r.stopped.hits,
        stopped: r.stopped.all.count,
        stopped_amount: r.stopped.all.amount,
        project_changes: r.projects.headline.clone(),
        grades: r.key_evaluations.by_grade.clone(),
        agrees: e.agrees,
    }
}

impl crate::YearEndUseCases<'_> {
    /// The dashboard of `year` over the scope's jurisdiction and every one below it (finance
    /// and audit of the upper bureau; each jurisdiction read as `Actor::authorize` allows).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn province_dashboard(
        &self,
        scope: &Scope,
        year: i32,
    ) -> AppResult<ProvinceDashboard> {
        scope.authorize_jurisdiction(Resource::AnnualReport, Access::Read)?;
        // Only the jurisdictions the caller reads: the tree below is structure anybody there
        // may see, but a finance officer bound to a department of the bureau reads no
        // jurisdiction below (`Actor::below`), whose rows would refuse the whole page.
        let tree: Vec<_> = self
            .foundation()
            .jurisdiction_tree(scope)
            .await?
            .into_iter()
            .filter(|j| {
                Scope::new(&scope.caller, j.id)
                    .authorize_jurisdiction(Resource::AnnualReport, Access::Read)
                    .is_ok()
            })
            .collect();
        let today = (Utc::now() + chrono::Duration::hours(8)).date_naive();
        let time = time_progress(year, today);
        let mut rows = Vec::with_capacity(tree.len());
        for j in &tree {
            let report = self
                .annual_report(&Scope::new(&scope.caller, j.id), year)
                .await?;
            let upper = j
                .upper
                .and_then(|u| tree.iter().find(|t| t.id == u))
                .map(|u| u.region.clone());
            rows.push(row(j, upper, &report, time));
        }
        let (mut budget, mut paid, mut stopped_amount) = (Money::ZERO, Money::ZERO, Money::ZERO);
        for r in &rows {
            budget = add(budget, r.budget)?;
            paid = add(paid, r.paid)?;
            stopped_amount = add(stopped_amount, r.stopped_amount)?;
        }
        Ok(ProvinceDashboard {
            fiscal_year: year,
            time_progress: time.to_percent_display(),
            computed_at: lingji_store::time::now_text(),
            budget,
            paid,
            execution_rate: Rate::ratio(paid, budget).to_percent_display(),
            hits: rows.iter().map(|r| r.hits).sum(),
            stopped: rows.iter().map(|r| r.stopped).sum(),
            stopped_amount,
            jurisdictions: rows,
        })
    }

    /// One jurisdiction of the dashboard, by 区划 code (drill-down): its annual report, read as
    /// its upper.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn jurisdiction_report(
        &self,
        scope: &Scope,
        region: &str,
        year: i32,
    ) -> AppResult<(JurisdictionNode, AnnualReport)> {
        let below = self.foundation().scope_below(scope, region).await?;
        let node = self
            .foundation()
            .jurisdiction_tree(scope)
            .await?
            .into_iter()
            .find(|j| j.id == below.jurisdiction)
            .ok_or_else(|| AppError::not_found("区划"))?;
        Ok((node, self.annual_report(&below, year).await?))
    }
}
