//! Evaluations (PM-10, NAT-10, PM-12): a unit's self-evaluation of a funded project, scored
//! indicator by indicator with the execution rate from the ledger, and finance's key evaluation
//! in the 决策 / 过程 / 产出 / 效益 framework, by finance itself or by a registered agency that is
//! not blacklisted. The printable self-evaluation table and its .xlsx.

use std::collections::BTreeMap;

use lingji_domain::allocation::Grade;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::org::OrgPath;
use lingji_domain::foundation::policy::{ParamValue, Rate, Score};
use lingji_domain::performance::evaluation::EvaluationKind;
use lingji_domain::performance::{
    Actual, Attainment, Dimension, KeyItem, KeyScorecard, Scorecard, SelfEvaluation, score_key,
    score_self,
};
use lingji_domain::review::lists::ListKind;
use lingji_domain::{Money, Refusal};
use lingji_store::performance::evaluations::{self as store, Evaluation, NewEvaluation};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;
use crate::sheets::{Book, Cell};

/// One indicator's actual value as entered.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActualDraft {
    /// A number for ≥ ≤ =, words for 定性.
    #[serde(default)]
    pub actual: String,
    /// 定性: 达成 / 部分达成 / 未达成.
    #[serde(default)]
    #[schema(value_type = Option<crate::schema::Attainment>)]
    pub attainment: Option<Attainment>,
    /// 定性: the score given, e.g. "18.5".
    #[serde(default)]
    pub score: String,
    /// 偏差原因.
    #[serde(default)]
    pub reason: String,
    /// 改进措施.
    #[serde(default)]
    pub remedy: String,
}

/// A self-evaluation as a unit enters it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfDraft {
    /// The project evaluated…
    #[serde(default)]
    pub project_id: Option<i64>,
    /// …or the department's or policy's targets.
    #[serde(default)]
    pub target_id: Option<i64>,
    /// One per indicator of its target table, in order.
    pub actuals: Vec<ActualDraft>,
    /// Why the budget was not fully spent.
    #[serde(default)]
    pub execution_reason: String,
    /// What will be done.
    #[serde(default)]
    pub execution_remedy: String,
    /// The overall summary (总体完成情况).
    #[serde(default)]
    pub summary: String,
}

/// One indicator of a key evaluation as entered.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyItemDraft {
    /// 决策 / 过程 / 产出 / 效益.
    #[schema(value_type = crate::schema::Dimension)]
    pub dimension: Dimension,
    pub name: String,
    /// Weight, e.g. "10".
    pub weight: String,
    /// Score, e.g. "8.5".
    pub score: String,
}

/// A key evaluation as finance enters it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyDraft {
    /// The project evaluated…
    #[serde(default)]
    pub project_id: Option<i64>,
    /// …or the department's or policy's targets.
    #[serde(default)]
    pub target_id: Option<i64>,
    /// The agency's code in the registry; empty when finance evaluates itself.
    #[serde(default)]
    pub agency_code: String,
    pub items: Vec<KeyItemDraft>,
    /// Findings and the report's conclusions.
    pub findings: String,
    /// The evaluation report, uploaded as an attachment of the project.
    #[serde(default)]
    pub report_attachment_id: Option<i64>,
}

/// An evaluation as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvaluationView {
    pub id: i64,
    pub fiscal_year: i64,
    #[schema(value_type = crate::schema::EvaluationKind)]
    pub kind: String,
    /// 单位自评 / 财政重点评价.
    pub kind_label: &'static str,
    pub project_id: Option<i64>,
    pub project_code: Option<String>,
    pub name: String,
    pub department_id: i64,
    pub department_name: String,
    pub unit_name: Option<String>,
    /// Agency, for a key evaluation by one.
    pub agency_code: String,
    #[schema(value_type = String)]
    pub budget: Money,
    #[schema(value_type = String)]
    pub spent: Money,
    #[schema(value_type = u32)]
    pub score: Score,
    #[schema(value_type = crate::schema::Grade)]
    pub grade: Grade,
    /// Its Chinese name.
    pub grade_label: &'static str,
    /// The self-evaluation's scorecard.
    #[schema(value_type = Option<crate::schema::domain::Scorecard>)]
    pub scorecard: Option<Scorecard>,
    /// The key evaluation's scorecard.
    #[schema(value_type = Option<crate::schema::domain::KeyScorecard>)]
    pub key_scorecard: Option<KeyScorecard>,
    /// Findings or summary.
    pub findings: String,
    /// The key evaluation's report (an attachment of the project).
    pub report_attachment_id: Option<i64>,
    pub recorded_by: String,
    pub recorded_at: String,
    /// Results application has confirmed it.
    pub applied: bool,
}

/// What an evaluation records beside its subject.
struct Recorded<'a> {
    /// `self` or `key`.
    kind: &'a str,
    /// The agency, or empty.
    agency: &'a str,
    score: Score,
    grade: Grade,
    /// The scorecard as JSON.
    scorecard: String,
    findings: &'a str,
    /// The key evaluation's report.
    report: Option<i64>,
}

/// What an evaluation is of.
struct Subject {
    /// `project:ID` or `target:ID`.
    key: String,
    project_id: Option<i64>,
    target_id: Option<i64>,
    /// Where it sits: a project's unit, or the targets' department.
    path: OrgPath,
    fiscal_year: i32,
    name: String,
    indicators: Vec<lingji_domain::library::targets::Indicator>,
    budget: Money,
    spent: Money,
}

impl Subject {
    fn department_id(&self) -> AppResult<i64> {
        self.path
            .department
            .ok_or_else(|| AppError::Internal("an evaluated subject has a department".into()))
    }

    fn entity(&self) -> &'static str {
        if self.project_id.is_some() {
            "project"
        } else {
            "performance_target"
        }
    }

    fn entity_id(&self) -> i64 {
        self.project_id.or(self.target_id).unwrap_or_default()
    }
}

/// Per subject, the evaluation its results come from: the key evaluation where there is one,
/// else the self-evaluation (PM-10). `subject` names an item's subject, None to skip it.
pub(crate) fn key_before_self<T, K: Ord>(
    items: impl IntoIterator<Item = T>,
    subject: impl Fn(&T) -> Option<K>,
    is_key: impl Fn(&T) -> bool,
) -> BTreeMap<K, T> {
    let mut out: BTreeMap<K, T> = BTreeMap::new();
    for item in items {
        let Some(k) = subject(&item) else { continue };
        if out.get(&k).is_none_or(|old| !is_key(old) && is_key(&item)) {
            out.insert(k, item);
        }
    }
    out
}

/// The kind's Chinese name (a stored kind is one of the two; anything else reads as self).
pub fn kind_label(kind: &str) -> &'static str {
    EvaluationKind::parse(kind)
        .unwrap_or(EvaluationKind::SelfEvaluation)
        .label()
}

impl TryFrom<Evaluation> for EvaluationView {
    type Error = AppError;
    fn try_from(e: Evaluation) -> AppResult<Self> {
        let corrupt = |what: &str| AppError::Internal(format!("evaluation {}: {what}", e.id));
        let grade = Grade::parse(&e.grade).ok_or_else(|| corrupt("grade"))?;
        let (scorecard, key_scorecard) = if e.kind == "key" {
            let k = serde_json::from_str(&e.scorecard).map_err(|_| corrupt("scorecard"))?;
            (None, Some(k))
        } else {
            let s = serde_json::from_str(&e.scorecard).map_err(|_| corrupt("scorecard"))?;
            (Some(s), None)
        };
        Ok(EvaluationView {
            id: e.id,
            fiscal_year: e.fiscal_year,
            kind_label: kind_label(&e.kind),
            kind: e.kind,
            project_id: e.project_id,
            project_code: e.project_code,
            name: e.name,
            department_id: e.department_id,
            department_name: e.department_name,
            unit_name: e.unit_name,
            agency_code: e.agency_code,
            budget: Money::from_fen(e.budget),
            spent: Money::from_fen(e.spent),
            score: Score(u32::try_from(e.score).unwrap_or(0)),
            grade,
            grade_label: grade.label(),
            scorecard,
            key_scorecard,
            findings: e.findings,
            report_attachment_id: e.report_attachment_id,
            recorded_by: e.recorded_by,
            recorded_at: e.recorded_at,
            applied: e.applied != 0,
        })
    }
}

fn parse_score(raw: &str, field: String, errors: &mut Vec<Refusal>) -> Score {
    Score::parse_param(raw).unwrap_or_else(|_| {
        errors.push(
            Refusal::new("SCORE_INVALID", format!("“{raw}”不是分值，应如 18 或 18.5"))
                .field(field)
                .clause("NAT-10"),
        );
        Score(0)
    })
}

fn text_limit(text: &str, max: usize, field: &str, errors: &mut Vec<Refusal>) {
    if text.chars().count() > max {
        errors.push(Refusal::new("TEXT_TOO_LONG", format!("内容不超过 {max} 个字")).field(field));
    }
}

/// A third-party agency comes from the agencies list and is not blacklisted (PM-12).
async fn check_agency(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    agency: &str,
    errors: &mut Vec<Refusal>,
) -> AppResult<()> {
    let agencies =
        lingji_store::review::lists::entries(conn, jurisdiction_id, ListKind::Agencies, None, true)
            .await?;
    match agencies.iter().find(|e| e.entry.code == agency) {
        None => errors.push(
            Refusal::new(
                "AGENCY_UNKNOWN",
                format!("第三方机构“{agency}”不在评估机构名录内"),
            )
            .field("agency_code")
            .clause("PM-12"),
        ),
        Some(e) if e.entry.blacklisted => errors.push(
            Refusal::new(
                "AGENCY_BLACKLISTED",
                format!("第三方机构“{}”已列入黑名单，不得委托评价", e.entry.name),
            )
            .field("agency_code")
            .clause("PM-12"),
        ),
        Some(_) => {}
    }
    Ok(())
}

/// The key evaluation's report is an attachment of the project evaluated (PM-10); an
/// evaluation of a target has no project to attach it to.
async fn check_report(
    conn: &mut AnyConnection,
    project_id: Option<i64>,
    attachment_id: i64,
    errors: &mut Vec<Refusal>,
) -> AppResult<()> {
    let found = match project_id {
        Some(p) => lingji_store::library::attachments::get(conn, p, attachment_id)
            .await?
            .is_some(),
        None => false,
    };
    if !found {
        errors.push(
            Refusal::new("KEY_REPORT_NOT_ATTACHED", "评价报告须是被评价项目的附件")
                .field("report_attachment_id")
                .clause("PM-10"),
        );
    }
    Ok(())
}

impl crate::PerformanceUseCases<'_> {
    /// What is evaluated: a project, or a department's or policy's targets, with its
    /// indicators and ledger figures. Hidden (404) from a caller who may not read it.
    async fn subject_of(
        conn: &mut AnyConnection,
        caller: &Caller,
        project_id: Option<i64>,
        target_id: Option<i64>,
    ) -> AppResult<Subject> {
        let subject = match (project_id, target_id) {
            (Some(id), None) => {
                let d = lingji_store::library::projects::get_detail(conn, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("项目"))?;
                let e = lingji_store::performance::project_execution(conn, id).await?;
                let (budget, spent) = (e.budget, e.spent);
                let h = d.project.header;
                Subject {
                    key: format!("project:{id}"),
                    project_id: Some(id),
                    target_id: None,
                    path: OrgPath {
                        jurisdiction: h.jurisdiction_id,
                        department: Some(h.department_id),
                        unit: Some(h.unit_id),
                    },
                    fiscal_year: h.fiscal_year,
                    name: h.name,
                    indicators: d.indicators,
                    budget,
                    spent,
                }
            }
            (None, Some(id)) => {
                let t = lingji_store::performance::target(conn, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("绩效目标"))?;
                let (budget, spent) = crate::performance::targets::execution(conn, &t).await?;
                Subject {
                    key: format!("target:{id}"),
                    project_id: None,
                    target_id: Some(id),
                    path: crate::performance::targets::target_path(&t),
                    fiscal_year: t.fiscal_year,
                    name: t.name,
                    indicators: t.targets.indicators,
                    budget,
                    spent,
                }
            }
            _ => {
                return Err(Refusal::new(
                    "EVALUATION_SUBJECT_REQUIRED",
                    "请指定评价的项目（project_id）或绩效目标（target_id）之一",
                )
                .field("project_id")
                .into());
            }
        };
        caller
            .authorize(Resource::Performance, Access::Read, &subject.path)
            .map_err(|_| AppError::not_found("评价对象"))?;
        Ok(subject)
    }

    /// Only a subject with an approved budget is evaluated.
    fn require_budget(budget: Money) -> AppResult<()> {
        if budget <= Money::ZERO {
            return Err(
                Refusal::new("EVALUATION_NO_BUDGET", "没有已批复的预算指标，无法评价")
                    .field("project_id")
                    .clause("PM-10")
                    .into(),
            );
        }
        Ok(())
    }

    async fn refuse_if_applied(conn: &mut AnyConnection, project_id: i64) -> AppResult<()> {
        let applied = store::applied_one(conn, project_id).await?;
        if applied {
            return Err(AppError::Conflict(
                Refusal::new(
                    "EVALUATION_RESULT_APPLIED",
                    "评价结果已确认应用于下年预算，不能再修改",
                )
                .clause("PM-13"),
            ));
        }
        Ok(())
    }

    /// Records a unit's self-evaluation of a funded project (PM-10): every indicator scored
    /// by its formula, the execution rate from the ledger, the total and the grade; a
    /// shortfall without a reason and a remedy is refused. Replaces an earlier one until
    /// results application confirms it; audited.
    #[tracing::instrument(skip_all)]
    pub async fn self_evaluate(
        &self,
        caller: &Caller,
        draft: &SelfDraft,
    ) -> AppResult<EvaluationView> {
        let mut tx = self.store.begin().await?;
        let sub = Self::subject_of(&mut tx, caller, draft.project_id, draft.target_id).await?;
        caller.authorize(Resource::Performance, Access::Write, &sub.path)?;
        Self::require_budget(sub.budget)?;
        if let Some(p) = sub.project_id {
            Self::refuse_if_applied(&mut tx, p).await?;
        }
        let mut errors = Vec::new();
        text_limit(&draft.summary, 2000, "summary", &mut errors);
        let actuals: Vec<Actual> = draft
            .actuals
            .iter()
            .enumerate()
            .map(|(i, a)| Actual {
                actual: a.actual.chars().take(200).collect(),
                attainment: a.attainment,
                score: (!a.score.trim().is_empty())
                    .then(|| parse_score(&a.score, format!("actuals[{i}].score"), &mut errors)),
                reason: a.reason.chars().take(500).collect(),
                remedy: a.remedy.chars().take(500).collect(),
            })
            .collect();
        if !errors.is_empty() {
            return Err(AppError::invalid(
                "EVALUATION_INVALID",
                "自评表有误",
                errors,
            ));
        }
        let profile =
            crate::foundation::profiles::in_force(&mut tx, sub.path.jurisdiction, sub.fiscal_year)
                .await?;
        let input = SelfEvaluation {
            actuals,
            execution_reason: draft.execution_reason.chars().take(500).collect(),
            execution_remedy: draft.execution_remedy.chars().take(500).collect(),
        };
        // The same reading as next year's review and cut (CS-5a, ZB-5a).
        let rate = lingji_domain::execution::ProjectExecution {
            budget: sub.budget,
            spent: sub.spent,
            lines: 0,
        }
        .rate()
        .unwrap_or(Rate(0));
        let card = score_self(&sub.indicators, &input, rate, &profile.performance)
            .map_err(|errors| AppError::invalid("EVALUATION_INVALID", "自评表有误", errors))?;
        let view = Self::record_evaluation(
            &mut tx,
            caller,
            &sub,
            Recorded {
                kind: "self",
                agency: "",
                score: card.total,
                grade: card.grade,
                scorecard: serde_json::to_string(&card)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
                findings: draft.summary.trim(),
                report: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Records finance's key evaluation of a funded project (PM-10): the framework's
    /// dimension weights from the profile, by finance or by a registered agency that is not
    /// blacklisted (PM-12). Replaces an earlier one until results application confirms it.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn key_evaluate(&self, scope: &Scope, draft: &KeyDraft) -> AppResult<EvaluationView> {
        scope.authorize_jurisdiction(Resource::PerformanceDecision, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let mut tx = self.store.begin().await?;
        let sub = Self::subject_of(&mut tx, caller, draft.project_id, draft.target_id).await?;
        if sub.path.jurisdiction != jurisdiction_id {
            return Err(AppError::not_found("评价对象"));
        }
        Self::require_budget(sub.budget)?;
        if let Some(p) = sub.project_id {
            Self::refuse_if_applied(&mut tx, p).await?;
        }
        let mut errors = Vec::new();
        text_limit(&draft.findings, 5000, "findings", &mut errors);
        if draft.findings.trim().is_empty() {
            errors.push(
                Refusal::new("KEY_FINDINGS_REQUIRED", "请填写评价发现的问题和结论")
                    .field("findings")
                    .clause("PM-10"),
            );
        }
        let agency = draft.agency_code.trim();
        if !agency.is_empty() {
            check_agency(&mut tx, jurisdiction_id, agency, &mut errors).await?;
        }
        if let Some(att) = draft.report_attachment_id {
            check_report(&mut tx, sub.project_id, att, &mut errors).await?;
        }
        let items: Vec<KeyItem> = draft
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| KeyItem {
                dimension: it.dimension,
                name: it.name.trim().chars().take(100).collect(),
                weight: parse_score(&it.weight, format!("items[{i}].weight"), &mut errors),
                score: parse_score(&it.score, format!("items[{i}].score"), &mut errors),
            })
            .collect();
        if !errors.is_empty() {
            return Err(AppError::invalid(
                "KEY_EVALUATION_INVALID",
                "重点评价有误",
                errors,
            ));
        }
        let profile =
            crate::foundation::profiles::in_force(&mut tx, jurisdiction_id, sub.fiscal_year)
                .await?;
        let card = score_key(&items, &profile.performance).map_err(|errors| {
            AppError::invalid("KEY_EVALUATION_INVALID", "重点评价有误", errors)
        })?;
        let view = Self::record_evaluation(
            &mut tx,
            caller,
            &sub,
            Recorded {
                kind: "key",
                agency,
                score: card.total,
                grade: card.grade,
                scorecard: serde_json::to_string(&card)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
                findings: draft.findings.trim(),
                report: draft.report_attachment_id,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Records an evaluation of `sub` with its audit event (`evaluation.self` / `.key`); the
    /// stored view.
    async fn record_evaluation(
        tx: &mut AnyConnection,
        caller: &Caller,
        sub: &Subject,
        r: Recorded<'_>,
    ) -> AppResult<EvaluationView> {
        let id = store::put(
            tx,
            &NewEvaluation {
                jurisdiction_id: sub.path.jurisdiction,
                fiscal_year: sub.fiscal_year,
                kind: r.kind,
                subject_key: &sub.key,
                project_id: sub.project_id,
                target_id: sub.target_id,
                department_id: sub.department_id()?,
                unit_id: sub.path.unit,
                name: &sub.name,
                agency_code: r.agency,
                budget: sub.budget,
                spent: sub.spent,
                score: r.score.0,
                grade: r.grade.as_str(),
                scorecard: r.scorecard,
                findings: r.findings,
                report_attachment_id: r.report,
                by: caller.name(),
            },
        )
        .await?;
        let action = if r.kind == "key" {
            "evaluation.key"
        } else {
            "evaluation.self"
        };
        lingji_store::foundation::audit::append(
            tx,
            caller
                .event(sub.path.jurisdiction, action, sub.entity(), sub.entity_id())
                .after_json(&serde_json::json!({
                    "evaluation": id,
                    "agency": r.agency,
                    "score": r.score,
                    "grade": r.grade.as_str(),
                })),
        )
        .await?;
        let stored = store::get(tx, id)
            .await?
            .ok_or_else(|| AppError::Internal("evaluation vanished".into()))?;
        EvaluationView::try_from(stored)
    }

    /// Evaluations of a year the caller may see.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn evaluations(
        &self,
        scope: &Scope,
        fiscal_year: i32,
        kind: Option<&str>,
    ) -> AppResult<Vec<EvaluationView>> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let (department, unit) = caller.read_scope(Resource::Performance, jurisdiction_id)?;
        let mut conn = self.store.read().acquire().await?;
        store::list(
            &mut conn,
            jurisdiction_id,
            fiscal_year,
            kind,
            department,
            unit,
        )
        .await?
        .into_iter()
        .map(EvaluationView::try_from)
        .collect()
    }

    /// One evaluation, if the caller may see it.
    #[tracing::instrument(skip_all)]
    pub async fn evaluation(&self, caller: &Caller, id: i64) -> AppResult<EvaluationView> {
        let mut conn = self.store.read().acquire().await?;
        let e = store::get(&mut conn, id)
            .await?
            .ok_or_else(|| AppError::not_found("绩效评价"))?;
        let path = OrgPath {
            jurisdiction: e.jurisdiction_id,
            department: Some(e.department_id),
            unit: e.unit_id,
        };
        caller
            .authorize(Resource::Performance, Access::Read, &path)
            .map_err(|_| AppError::not_found("绩效评价"))?;
        EvaluationView::try_from(e)
    }

    /// A self-evaluation as the national table (项目支出绩效自评表) in .xlsx.
    #[tracing::instrument(skip_all)]
    pub async fn evaluation_xlsx(&self, caller: &Caller, id: i64) -> AppResult<Vec<u8>> {
        let e = self.evaluation(caller, id).await?;
        let Some(card) = &e.scorecard else {
            return Err(Refusal::new("EVALUATION_NOT_SELF", "只有单位自评可导出自评表").into());
        };
        let mut book = Book::new();
        let mut sheet = book.sheet(
            "项目支出绩效自评表",
            &[
                ("一级指标", 12.0),
                ("二级指标", 16.0),
                ("三级指标", 28.0),
                ("年度指标值", 16.0),
                ("实际完成值", 20.0),
                ("分值", 8.0),
                ("得分", 8.0),
                ("偏差原因", 36.0),
                ("改进措施", 36.0),
            ],
        )?;
        let points = |s: Score| lingji_domain::review::gates::show(s);
        let exec = [
            "预算执行率".to_string(),
            String::new(),
            format!(
                "预算 {} 元，执行 {} 元",
                e.budget.to_yuan_display(),
                e.spent.to_yuan_display()
            ),
            "100%".to_string(),
            card.execution_rate.to_percent_display(),
            points(card.execution_weight),
            points(card.execution_score),
            card.execution_reason.clone(),
            card.execution_remedy.clone(),
        ];
        sheet.row(exec.map(Cell::text))?;
        for i in &card.indicators {
            let level = match i.category.level() {
                lingji_domain::library::targets::IndicatorLevel::Output => "产出指标",
                lingji_domain::library::targets::IndicatorLevel::Benefit => "效益指标",
                lingji_domain::library::targets::IndicatorLevel::Satisfaction => "满意度指标",
            };
            let texts = [
                level.to_string(),
                i.category.label().to_string(),
                i.name.clone(),
                i.target_text(),
                i.actual.clone(),
                points(i.weight),
                points(i.score),
                i.reason.clone(),
                i.remedy.clone(),
            ];
            sheet.row(texts.map(Cell::text))?;
        }
        sheet.skip(1);
        let foot = [
            (
                "项目",
                format!("{} {}", e.project_code.clone().unwrap_or_default(), e.name),
            ),
            ("总分", points(e.score)),
            ("评价等级", e.grade_label.to_string()),
            ("总体完成情况", e.findings.clone()),
        ];
        for (k, v) in foot {
            sheet.row([Cell::bold(k), Cell::text(v)])?;
        }
        sheet.row([Cell::bold("预算（元）"), Cell::Yuan(e.budget)])?;
        book.save()
    }
}
