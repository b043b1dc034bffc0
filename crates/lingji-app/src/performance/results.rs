//! Results application (PM-13, CS-5b, QJ-5b): every evaluated project of a year with its grade
//! and the cut the profile proposes for next year; finance confirms or overrides with a reason,
//! or retires the project. The confirmed result is what the next year's allocation run reads.
//! The page also reports what last year's results took off this year's budget.

use std::collections::BTreeMap;

use lingji_domain::allocation::{Adjustment, Grade, ResultCut, grade_cut, share};
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::policy::{ParamValue, Rate, Score};
use lingji_domain::review::lists::ListKind;
use lingji_domain::{Money, Refusal};
use lingji_store::performance::evaluations::{self as store, NewApplied};
use serde::{Deserialize, Serialize};

use crate::Scope;
use crate::error::{AppError, AppResult, required_note};
use crate::performance::evaluations::{key_before_self, kind_label};

/// A confirmed result as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Confirmed {
    /// The cut confirmed.
    #[schema(value_type = u32)]
    pub rate: Rate,
    /// The project is retired.
    pub retire: bool,
    /// Finance's reason when it overrode the proposal.
    pub reason: String,
    pub by: String,
    pub at: String,
}

/// One evaluated project with its proposal and its confirmed result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResultRow {
    pub project_id: i64,
    pub project_code: String,
    pub name: String,
    pub department_name: String,
    pub unit_name: String,
    /// The evaluation the result comes from (key before self).
    pub evaluation_id: i64,
    /// Its kind's Chinese name.
    pub evaluation_kind: &'static str,
    #[schema(value_type = u32)]
    pub score: Score,
    #[schema(value_type = crate::schema::Grade)]
    pub grade: Grade,
    /// Its Chinese name.
    pub grade_label: &'static str,
    /// This year's budget.
    #[schema(value_type = String)]
    pub budget: Money,
    /// The profile's proposal for next year.
    #[schema(value_type = crate::schema::domain::ResultCut)]
    pub proposed: ResultCut,
    /// Its amount against this year's budget.
    #[schema(value_type = String)]
    pub proposed_amount: Money,
    /// Finance's confirmation.
    pub confirmed: Option<Confirmed>,
}

/// What this year's allocation took off for last year's results.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reductions {
    /// Projects cut or cancelled.
    pub projects: usize,
    /// Amount taken off.
    #[schema(value_type = String)]
    pub amount: Money,
    /// "对上年评价效果不理想的项目调减预算 1,400 万元".
    pub text: String,
}

/// The results application page of a year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Results {
    pub fiscal_year: i32,
    pub rows: Vec<ResultRow>,
    /// Projects per grade, best first.
    pub grades: Vec<(&'static str, usize)>,
    /// What the year's chosen allocation run took off for the year before's results.
    pub reductions: Reductions,
    /// Evaluated policies (special funds), which poor results can retire.
    pub policies: Vec<PolicyResult>,
}

/// An evaluated policy (a special fund's targets) with its grade and whether its fund is
/// still in the registry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicyResult {
    pub target_id: i64,
    pub name: String,
    /// The special fund's code.
    pub policy_code: String,
    /// The evaluation (key before self).
    pub evaluation_id: i64,
    #[schema(value_type = u32)]
    pub score: Score,
    /// Grade's Chinese name.
    pub grade_label: &'static str,
    /// The fund is retired from the registry.
    pub retired: bool,
}

/// Finance retiring a special fund for its results.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetireDraft {
    /// The policy's targets.
    pub target_id: i64,
    pub reason: String,
}

/// Finance's confirmation as entered.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyDraft {
    pub project_id: i64,
    /// The cut, e.g. "20" or "20%"; empty: the proposal.
    #[serde(default)]
    pub cut: String,
    /// Retire the project.
    #[serde(default)]
    pub retire: bool,
    /// Why, when it differs from the proposal.
    #[serde(default)]
    pub reason: String,
}

/// Clauses whose adjustments apply evaluation results.
const RESULT_CLAUSES: [&str; 3] = ["CS-5b", "QJ-5b", "PM-13"];

/// The cut finance confirms: the proposal unless another rate is typed; retiring takes all.
fn decided_cut(draft: &ApplyDraft, proposed: ResultCut) -> AppResult<ResultCut> {
    let cut = if draft.cut.trim().is_empty() {
        proposed.rate
    } else {
        Rate::parse_param(&draft.cut)
            .ok()
            .filter(|r| *r <= Rate::FULL)
            .ok_or_else(|| {
                AppError::Refused(
                    Refusal::new("RESULT_CUT_INVALID", "压减比例应为 0 至 100 之间的百分数")
                        .field("cut")
                        .clause("PM-13"),
                )
            })?
    };
    Ok(ResultCut {
        rate: if draft.retire { Rate::FULL } else { cut },
        retire: draft.retire,
    })
}

/// A decision other than the proposal is explained (PM-13), in at most 500 characters.
fn check_reason(reason: &str, overridden: bool, proposed: ResultCut) -> AppResult<()> {
    if overridden && reason.is_empty() {
        return Err(Refusal::new(
            "RESULT_OVERRIDE_REASON_REQUIRED",
            format!(
                "与建议（{}）不同，须说明理由",
                if proposed.retire {
                    "取消".to_string()
                } else {
                    format!("压减 {}", proposed.rate.to_percent_display())
                }
            ),
        )
        .field("reason")
        .clause("PM-13")
        .into());
    }
    if reason.chars().count() > 500 {
        return Err(Refusal::new("TEXT_TOO_LONG", "理由不超过 500 个字")
            .field("reason")
            .into());
    }
    Ok(())
}

impl crate::PerformanceUseCases<'_> {
    /// The profile's proposal for a grade, by next year's profile when there is one.
    async fn proposal(
        &self,
        conn: &mut sqlx::AnyConnection,
        jurisdiction_id: i64,
        fiscal_year: i32,
    ) -> AppResult<lingji_domain::foundation::policy::Allocation> {
        let next =
            crate::foundation::profiles::in_force(conn, jurisdiction_id, fiscal_year + 1).await;
        Ok(match next {
            Ok(p) => p.allocation,
            Err(_) => {
                crate::foundation::profiles::in_force(conn, jurisdiction_id, fiscal_year)
                    .await?
                    .allocation
            }
        })
    }

    /// Every evaluated project of a year with its proposal and confirmation (finance, audit).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn results(&self, scope: &Scope, fiscal_year: i32) -> AppResult<Results> {
        scope.authorize_jurisdiction(Resource::PerformanceDecision, Access::Read)?;
        let jurisdiction_id = scope.jurisdiction;
        let mut conn = self.store.read().acquire().await?;
        let (rows, evaluated_targets) = self
            .evaluated(&mut conn, jurisdiction_id, fiscal_year)
            .await?;
        let grades = Grade::ALL
            .iter()
            .map(|g| (g.label(), rows.iter().filter(|r| r.grade == *g).count()))
            .collect();
        let reductions = self
            .reductions(&mut conn, jurisdiction_id, fiscal_year)
            .await?;
        let policies = self
            .policy_results(&mut conn, jurisdiction_id, fiscal_year, &evaluated_targets)
            .await?;
        Ok(Results {
            fiscal_year,
            rows,
            grades,
            reductions,
            policies,
        })
    }

    /// Every evaluated project of a year with its proposal and confirmation, and the evaluation
    /// of each department's or policy's targets.
    async fn evaluated(
        &self,
        conn: &mut sqlx::AnyConnection,
        jurisdiction_id: i64,
        fiscal_year: i32,
    ) -> AppResult<(Vec<ResultRow>, BTreeMap<i64, store::Evaluation>)> {
        let policy = self
            .proposal(&mut *conn, jurisdiction_id, fiscal_year)
            .await?;
        let evaluations =
            store::list(&mut *conn, jurisdiction_id, fiscal_year, None, None, None).await?;
        // Key evaluation before self-evaluation, per project and per department or policy.
        let (of_targets, of_projects): (Vec<_>, Vec<_>) =
            evaluations.into_iter().partition(|e| e.target_id.is_some());
        let chosen = key_before_self(of_projects, |e| e.project_id, |e| e.kind == "key");
        let evaluated_targets = key_before_self(of_targets, |e| e.target_id, |e| e.kind == "key");
        let applied: BTreeMap<i64, store::Applied> =
            store::applied(&mut *conn, jurisdiction_id, fiscal_year)
                .await?
                .into_iter()
                .map(|a| (a.project_id, a))
                .collect();
        let mut rows = Vec::new();
        for (project_id, e) in chosen {
            let grade = Grade::parse(&e.grade)
                .ok_or_else(|| AppError::Internal(format!("evaluation {}: grade", e.id)))?;
            let proposed = grade_cut(grade, &policy);
            let budget = Money::from_fen(e.budget);
            let rate = |v: Option<i64>| Rate(v.and_then(|v| u32::try_from(v).ok()).unwrap_or(0));
            rows.push(ResultRow {
                project_id,
                project_code: e.project_code.clone().unwrap_or_default(),
                name: e.name.clone(),
                department_name: e.department_name.clone(),
                unit_name: e.unit_name.clone().unwrap_or_default(),
                evaluation_id: e.id,
                evaluation_kind: kind_label(&e.kind),
                score: Score(u32::try_from(e.score).unwrap_or(0)),
                grade,
                grade_label: grade.label(),
                budget,
                proposed,
                proposed_amount: if proposed.retire {
                    budget
                } else {
                    share(budget, proposed.rate)
                },
                confirmed: applied.get(&project_id).map(|a| Confirmed {
                    rate: rate(a.cut_rate),
                    retire: a.retire != 0,
                    reason: a.reason.clone(),
                    by: a.recorded_by.clone(),
                    at: a.recorded_at.clone(),
                }),
            });
        }
        Ok((rows, evaluated_targets))
    }

    /// The evaluated policies of a year and whether their funds are still registered.
    async fn policy_results(
        &self,
        conn: &mut sqlx::AnyConnection,
        jurisdiction_id: i64,
        fiscal_year: i32,
        evaluated: &BTreeMap<i64, store::Evaluation>,
    ) -> AppResult<Vec<PolicyResult>> {
        let funds = lingji_store::review::lists::entries(
            conn,
            jurisdiction_id,
            ListKind::SpecialFunds,
            None,
            false,
        )
        .await?;
        let mut out = Vec::new();
        for t in
            lingji_store::performance::targets(conn, jurisdiction_id, fiscal_year, None).await?
        {
            let Some(e) = evaluated.get(&t.id).filter(|_| t.subject == "policy") else {
                continue;
            };
            let grade = Grade::parse(&e.grade)
                .ok_or_else(|| AppError::Internal(format!("evaluation {}: grade", e.id)))?;
            out.push(PolicyResult {
                target_id: t.id,
                name: t.name,
                retired: !funds
                    .iter()
                    .any(|f| f.entry.code == t.policy_code && f.active),
                policy_code: t.policy_code,
                evaluation_id: e.id,
                score: Score(u32::try_from(e.score).unwrap_or(0)),
                grade_label: grade.label(),
            });
        }
        Ok(out)
    }

    /// Retires an evaluated policy's special fund from the registry for its results (PM-13):
    /// projects of the fund no longer pass its gate (ZB-12). Audited.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn retire_policy(
        &self,
        scope: &Scope,
        fiscal_year: i32,
        draft: &RetireDraft,
    ) -> AppResult<PolicyResult> {
        scope.authorize_jurisdiction(Resource::PerformanceDecision, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let reason = required_note(&draft.reason, || {
            Refusal::new(
                "RESULT_RETIRE_REASON_REQUIRED",
                "请填写取消专项资金的理由（不超过 500 个字）",
            )
            .field("reason")
            .clause("PM-13")
        })?;
        let policies = {
            let mut conn = self.store.read().acquire().await?;
            let (_, targets) = self
                .evaluated(&mut conn, jurisdiction_id, fiscal_year)
                .await?;
            self.policy_results(&mut conn, jurisdiction_id, fiscal_year, &targets)
                .await?
        };
        let policy = policies
            .into_iter()
            .find(|p| p.target_id == draft.target_id)
            .ok_or_else(|| {
                AppError::Refused(
                    Refusal::new("RESULT_NOT_EVALUATED", "该政策本年度没有绩效评价")
                        .field("target_id")
                        .clause("PM-13"),
                )
            })?;
        let mut tx = self.store.begin().await?;
        let fund = lingji_store::review::lists::special_fund_in_force(
            &mut tx,
            jurisdiction_id,
            &policy.policy_code,
        )
        .await?
        .ok_or_else(|| {
            AppError::Conflict(
                Refusal::new("POLICY_ALREADY_RETIRED", "该专项资金已取消").clause("PM-13"),
            )
        })?;
        lingji_store::review::lists::update(&mut tx, fund.id, &fund.entry, false, fund.version)
            .await?;
        lingji_store::review::lists::add_history(
            &mut tx,
            fund.id,
            caller.name(),
            "retire",
            &fund.entry,
            false,
        )
        .await?;
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(
                    jurisdiction_id,
                    "results.retire_policy",
                    "performance_target",
                    policy.target_id,
                )
                .after_json(&serde_json::json!({ "fund": policy.policy_code, "reason": reason })),
        )
        .await?;
        tx.commit().await?;
        Ok(PolicyResult {
            retired: true,
            ..policy
        })
    }

    /// What the year's chosen allocation run took off for the year before's results.
    async fn reductions(
        &self,
        conn: &mut sqlx::AnyConnection,
        jurisdiction_id: i64,
        fiscal_year: i32,
    ) -> AppResult<Reductions> {
        let lists =
            lingji_store::allocation::chosen_adjustments(conn, jurisdiction_id, fiscal_year)
                .await?;
        let (mut projects, mut amount) = (0, Money::ZERO);
        for text in lists {
            let adjustments: Vec<Adjustment> = serde_json::from_str(&text)
                .map_err(|e| AppError::Internal(format!("stored adjustments: {e}")))?;
            let mut hit = false;
            for a in adjustments
                .iter()
                .filter(|a| RESULT_CLAUSES.contains(&&*a.clause))
            {
                hit = true;
                amount = amount
                    .checked_add(a.amount)
                    .ok_or_else(|| AppError::Internal("reductions overflow".into()))?;
            }
            projects += usize::from(hit);
        }
        Ok(Reductions {
            projects,
            amount,
            text: format!(
                "{fiscal_year} 年预算对上年评价效果不理想的 {projects} 个项目调减预算 {} 万元",
                amount.to_wan_display()
            ),
        })
    }

    /// Confirms a project's result for next year (PM-13): the proposal, or another cut or
    /// retirement with a reason. Once per project; audited.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn apply_result(
        &self,
        scope: &Scope,
        fiscal_year: i32,
        draft: &ApplyDraft,
    ) -> AppResult<ResultRow> {
        scope.authorize_jurisdiction(Resource::PerformanceDecision, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let mut conn = self.store.read().acquire().await?;
        let (rows, _) = self
            .evaluated(&mut conn, jurisdiction_id, fiscal_year)
            .await?;
        drop(conn);
        let row = rows
            .into_iter()
            .find(|r| r.project_id == draft.project_id)
            .ok_or_else(|| {
                AppError::Refused(
                    Refusal::new("RESULT_NOT_EVALUATED", "该项目本年度没有绩效评价")
                        .field("project_id")
                        .clause("PM-13"),
                )
            })?;
        let decided = decided_cut(draft, row.proposed)?;
        let reason = draft.reason.trim();
        let overridden = decided != row.proposed;
        check_reason(reason, overridden, row.proposed)?;
        let mut tx = self.store.begin().await?;
        let inserted = store::apply(
            &mut tx,
            &NewApplied {
                project_id: row.project_id,
                evaluation_id: row.evaluation_id,
                score: row.score.0,
                grade: row.grade.as_str(),
                proposed_rate: row.proposed.rate.0,
                cut_rate: decided.rate.0,
                retire: decided.retire,
                reason: if overridden { reason } else { "" },
                by: caller.name(),
            },
        )
        .await?;
        if !inserted {
            return Err(AppError::Conflict(
                Refusal::new("RESULT_ALREADY_APPLIED", "该项目的评价结果已确认").clause("PM-13"),
            ));
        }
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(jurisdiction_id, "results.apply", "project", row.project_id)
                .after_json(&serde_json::json!({
                    "grade": row.grade.as_str(),
                    "proposed": row.proposed,
                    "confirmed": decided,
                    "reason": reason,
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(ResultRow {
            confirmed: Some(Confirmed {
                rate: decided.rate,
                retire: decided.retire,
                reason: if overridden {
                    reason.to_string()
                } else {
                    String::new()
                },
                by: caller.name().to_string(),
                at: lingji_store::time::now_text(),
            }),
            ..row
        })
    }
}
