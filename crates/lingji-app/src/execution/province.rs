//! The province dashboard (issue 21, point 5): each jurisdiction of an upper bureau's tree — its
//! own and every one below — in the figures of its year: budget and execution against time,
//! rule hits and stopped payments, year-on-year project changes and evaluation grades.
//!
//! Every figure is the jurisdiction's own annual report (`annual_report`), so the dashboard and
//! the report cannot disagree. A report reads the jurisdiction's whole year (8 s for 100 of
//! them at a province's size), so each jurisdiction's figures are kept (`jurisdiction_figures`)
//! and gathered upward daily, as the national integration rules gather data: the server
//! refreshes those computed before today (Beijing) every hour, `lingji jurisdiction gather` at
//! once, and a jurisdiction without figures of the year has them computed when first asked.
//! Each row says when it was computed; the drill-down opens the live report.

use std::collections::HashMap;

use chrono::Utc;
use lingji_domain::Money;
use lingji_domain::allocation::Grade;
use lingji_domain::execution::calendar::time_progress;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::levels::JurisdictionNode;
use lingji_domain::foundation::policy::Rate;
use lingji_store::execution::figures::{self, StoredFigures};
use serde::{Deserialize, Serialize};
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
    /// When these figures were computed (RFC 3339).
    pub computed_at: String,
}

/// The dashboard of a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProvinceDashboard {
    pub fiscal_year: i32,
    /// 时间进度 on the day it was computed (Beijing).
    pub time_progress: String,
    /// When its oldest row was computed (RFC 3339): every figure is of that moment or later.
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

/// A jurisdiction's figures of a year as kept between refreshes: the dashboard's columns of
/// its annual report.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Kept {
    budget: Money,
    paid: Money,
    execution_rate: String,
    hits: u64,
    stopped: u64,
    stopped_amount: Money,
    project_changes: String,
    /// (grade, projects, their budget) of the key evaluations.
    grades: Vec<(String, u64, Money)>,
    agrees: bool,
}

impl Kept {
    fn of(r: &AnnualReport) -> Kept {
        let e = &r.execution;
        Kept {
            budget: e.budget,
            paid: e.paid,
            execution_rate: e.execution_rate.clone(),
            hits: r.stopped.hits,
            stopped: r.stopped.all.count,
            stopped_amount: r.stopped.all.amount,
            project_changes: r.projects.headline.clone(),
            grades: r
                .key_evaluations
                .by_grade
                .iter()
                .map(|g| (g.grade.as_str().to_string(), g.count, g.budget))
                .collect(),
            agrees: e.agrees,
        }
    }

    /// The row of the dashboard, behind time as of `time`.
    fn row(
        self,
        j: &JurisdictionNode,
        upper: Option<String>,
        time: Rate,
        computed_at: String,
    ) -> JurisdictionFigures {
        let rate = Rate::ratio(self.paid, self.budget);
        JurisdictionFigures {
            region: j.region.clone(),
            name: j.name.clone(),
            level_label: j.level.label(),
            upper,
            budget: self.budget,
            paid: self.paid,
            execution_rate: self.execution_rate,
            behind_time_bp: time.basis_points().saturating_sub(rate.basis_points()),
            hits: self.hits,
            stopped: self.stopped,
            stopped_amount: self.stopped_amount,
            project_changes: self.project_changes,
            grades: self
                .grades
                .into_iter()
                .filter_map(|(g, count, budget)| {
                    let grade = Grade::parse(&g)?;
                    Some(GradeCount {
                        grade,
                        grade_label: grade.label(),
                        count,
                        budget,
                    })
                })
                .collect(),
            agrees: self.agrees,
            computed_at,
        }
    }
}

/// Beijing's date of a stored time.
fn beijing_date(text: &str) -> Option<chrono::NaiveDate> {
    lingji_store::time::parse(text).map(|t| (t + chrono::Duration::hours(8)).date_naive())
}

fn beijing_today() -> chrono::NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
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
        let today = beijing_today();
        let time = time_progress(year, today);
        let mut kept: HashMap<i64, StoredFigures> = {
            let mut conn = self.store.read().acquire().await?;
            figures::of_year(&mut conn, i64::from(year))
                .await?
                .into_iter()
                .map(|f| (f.jurisdiction_id, f))
                .collect()
        };
        let mut rows = Vec::with_capacity(tree.len());
        for j in &tree {
            let stored = kept.remove(&j.id).and_then(|f| {
                Some((
                    serde_json::from_str::<Kept>(&f.figures).ok()?,
                    f.computed_at,
                ))
            });
            // Figures never computed (a new jurisdiction, a year first asked) are computed now.
            let (figures, computed_at) = match stored {
                Some(found) => found,
                None => self.refresh_figures(j.id, year).await?,
            };
            let upper = j
                .upper
                .and_then(|u| tree.iter().find(|t| t.id == u))
                .map(|u| u.region.clone());
            rows.push(figures.row(j, upper, time, computed_at));
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
            computed_at: rows
                .iter()
                .map(|r| r.computed_at.clone())
                .min()
                .unwrap_or_else(lingji_store::time::now_text),
            budget,
            paid,
            execution_rate: Rate::ratio(paid, budget).to_percent_display(),
            hits: rows.iter().map(|r| r.hits).sum(),
            stopped: rows.iter().map(|r| r.stopped).sum(),
            stopped_amount,
            jurisdictions: rows,
        })
    }

    /// Computes a jurisdiction's figures of a year from its annual report (read as the
    /// system: who may see them is decided when the dashboard is read) and keeps them.
    async fn refresh_figures(&self, jurisdiction_id: i64, year: i32) -> AppResult<(Kept, String)> {
        let report = self
            .annual_report(&Scope::system(jurisdiction_id), year)
            .await?;
        let kept = Kept::of(&report);
        let computed_at = lingji_store::time::now_text();
        let figures = serde_json::to_string(&kept)
            .map_err(|e| AppError::Internal(format!("province figures: {e}")))?;
        let mut conn = self.store.write().acquire().await?;
        figures::put(
            &mut conn,
            &StoredFigures {
                jurisdiction_id,
                fiscal_year: i64::from(year),
                computed_at: computed_at.clone(),
                figures,
            },
        )
        .await?;
        Ok((kept, computed_at))
    }

    /// Gathers the figures upward: every jurisdiction's figures of this (Beijing) year, and of
    /// every year since last year already kept, computed again — all of them (`all`), or only
    /// those computed before today (the server's hourly check). Returns how many were computed;
    /// a jurisdiction whose report cannot be computed (its year not opened) is logged and
    /// skipped, so that one does not hold the others back.
    #[tracing::instrument(skip_all)]
    pub async fn refresh_province_figures(&self, all: bool) -> AppResult<usize> {
        use chrono::Datelike;
        let today = beijing_today();
        let this_year = today.year();
        // Each (jurisdiction, year) to gather, with when it was last computed if ever.
        let todo: std::collections::BTreeMap<(i64, i64), Option<String>> = {
            let mut conn = self.store.read().acquire().await?;
            let js = lingji_store::foundation::orgs::jurisdictions(&mut conn).await?;
            let mut todo: std::collections::BTreeMap<_, _> = js
                .iter()
                .map(|j| ((j.id, i64::from(this_year)), None))
                .collect();
            for (j, y, at) in figures::kept_since(&mut conn, i64::from(this_year - 1)).await? {
                todo.insert((j, y), Some(at));
            }
            todo
        };
        let mut computed = 0;
        for ((jurisdiction_id, year), at) in todo {
            let fresh = at
                .as_deref()
                .and_then(beijing_date)
                .is_some_and(|d| d >= today);
            if !all && fresh {
                continue;
            }
            let year = i32::try_from(year)
                .map_err(|_| AppError::Internal("province figures: year out of range".into()))?;
            match self.refresh_figures(jurisdiction_id, year).await {
                Ok(_) => computed += 1,
                Err(e) => {
                    tracing::warn!(jurisdiction_id, year, error = %e, "province figures not computed")
                }
            }
        }
        Ok(computed)
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
