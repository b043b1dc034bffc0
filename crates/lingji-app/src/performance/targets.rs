//! Targets at the department and policy levels (PM-2, PM-7): a department's overall targets
//! (部门整体绩效目标) and a policy's — a special fund's, set by its lead department — with the
//! same indicator model as a project's. A policy lists the projects that carry it out; their
//! lines are its spending, as a department's lines are the department's.

use crate::Scope;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::org::OrgPath;
use lingji_domain::library::targets::TargetTable;
use lingji_domain::{Money, Refusal};
use lingji_store::performance::{self as store, NewTarget, Target};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;
use crate::library::projects::{IndicatorDraft, parse_indicators};

/// Targets as a department enters them.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetDraft {
    /// `department` or `policy`.
    pub subject: String,
    /// The department; the caller's own when absent. A policy's is its fund's lead department.
    #[serde(default)]
    pub department_id: Option<i64>,
    /// The special fund's code, for a policy.
    #[serde(default)]
    pub policy_code: String,
    /// Name, e.g. 市教育局 2026 年部门整体绩效目标.
    pub name: String,
    /// The budget it covers, in 元.
    pub budget: String,
    /// 总体目标.
    pub overall_goal: String,
    pub indicators: Vec<IndicatorDraft>,
    /// A policy's projects, by code.
    #[serde(default)]
    pub projects: Vec<String>,
    /// The version being changed; absent for new targets.
    /// Sent as `version`, the name every endpoint uses; `expected_version` is still read.
    #[serde(default)]
    #[serde(rename = "version", alias = "expected_version")]
    pub expected_version: Option<i64>,
}

/// Targets as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TargetView {
    pub id: i64,
    pub fiscal_year: i32,
    /// `department` or `policy`.
    pub subject: String,
    /// 部门整体 / 政策.
    pub subject_label: &'static str,
    pub department_id: i64,
    pub department_name: String,
    /// Special fund's code.
    pub policy_code: String,
    pub name: String,
    #[schema(value_type = String)]
    pub budget: Money,
    #[schema(value_type = crate::schema::domain::TargetTable)]
    pub targets: TargetTable,
    /// A policy's projects.
    pub projects: Vec<i64>,
    pub version: i64,
    /// Last changed by.
    pub updated_by: String,
}

/// The subject's Chinese name.
pub fn subject_label(subject: &str) -> &'static str {
    if subject == "policy" {
        "政策（专项资金）"
    } else {
        "部门整体"
    }
}

impl From<Target> for TargetView {
    fn from(t: Target) -> Self {
        TargetView {
            id: t.id,
            fiscal_year: t.fiscal_year,
            subject_label: subject_label(&t.subject),
            subject: t.subject,
            department_id: t.department_id,
            department_name: t.department_name,
            policy_code: t.policy_code,
            name: t.name,
            budget: t.budget,
            targets: t.targets,
            projects: t.projects,
            version: t.version,
            updated_by: t.updated_by,
        }
    }
}

/// The path of a department's (or a policy's lead department's) targets.
pub(crate) fn target_path(t: &Target) -> OrgPath {
    OrgPath {
        jurisdiction: t.jurisdiction_id,
        department: Some(t.department_id),
        unit: None,
    }
}

/// Budget and spending of targets from the ledger: the department's lines, or the policy's
/// projects' lines.
pub(crate) async fn execution(conn: &mut AnyConnection, t: &Target) -> AppResult<(Money, Money)> {
    if t.subject == "policy" {
        let (mut budget, mut spent) = (Money::ZERO, Money::ZERO);
        for p in &t.projects {
            let e = store::project_execution(conn, *p).await?;
            let (b, s) = (e.budget, e.spent);
            let add = |a: Money, b: Money| {
                a.checked_add(b)
                    .ok_or_else(|| AppError::Internal("execution overflow".into()))
            };
            budget = add(budget, b)?;
            spent = add(spent, s)?;
        }
        return Ok((budget, spent));
    }
    let rows = store::department_execution(
        conn,
        t.jurisdiction_id,
        t.fiscal_year,
        Some(t.department_id),
    )
    .await?;
    Ok(rows.first().map_or((Money::ZERO, Money::ZERO), |r| {
        (Money::from_fen(r.budget), Money::from_fen(r.spent))
    }))
}

/// A target is set for a department as a whole or for a policy (PM-2).
fn target_subject(draft: &TargetDraft) -> AppResult<&str> {
    match draft.subject.as_str() {
        "department" | "policy" => Ok(draft.subject.as_str()),
        _ => Err(
            Refusal::new("TARGET_SUBJECT_UNKNOWN", "目标层次应为部门整体或政策")
                .field("subject")
                .clause("PM-2")
                .into(),
        ),
    }
}

/// A policy's target belongs to its fund's lead department; a code not on the special-fund
/// list is refused (PM-2).
async fn policy_department(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    policy_code: &str,
    errors: &mut Vec<Refusal>,
) -> AppResult<Option<i64>> {
    let fund =
        lingji_store::review::lists::special_fund_in_force(conn, jurisdiction_id, policy_code)
            .await?;
    match fund {
        Some(f) => Ok(f.entry.fund.lead_department_id),
        None => {
            errors.push(
                Refusal::new(
                    "POLICY_UNKNOWN",
                    format!("专项资金“{policy_code}”不在专项资金目录内"),
                )
                .field("policy_code")
                .clause("PM-2"),
            );
            Ok(None)
        }
    }
}

/// The name, the budget and the target table as typed, each problem added to `errors`
/// (PM-7); the budget is absent when it does not parse.
fn target_content(draft: &TargetDraft, errors: &mut Vec<Refusal>) -> (Option<Money>, TargetTable) {
    if draft.name.trim().is_empty() || draft.name.chars().count() > 100 {
        errors.push(
            Refusal::new("TARGET_NAME_REQUIRED", "请填写名称（不超过 100 个字）").field("name"),
        );
    }
    let budget = Money::parse_non_negative(&draft.budget, "budget")
        .map_err(|r| errors.push(r))
        .ok();
    let table = TargetTable {
        overall_goal: draft.overall_goal.trim().to_string(),
        indicators: parse_indicators(&draft.indicators, errors),
    };
    if table.overall_goal.is_empty() {
        errors.push(
            Refusal::new("TARGET_GOAL_REQUIRED", "请填写总体目标")
                .field("overall_goal")
                .clause("PM-7"),
        );
    }
    if table.indicators.is_empty() && draft.indicators.is_empty() {
        errors.push(
            Refusal::new("TARGET_INDICATORS_REQUIRED", "至少填写一个绩效指标")
                .field("indicators")
                .clause("PM-7"),
        );
    }
    errors.extend(table.check_rows());
    (budget, table)
}

/// The ids of a policy's projects by their codes; an unknown code is refused by its row.
async fn policy_projects(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    codes: &[String],
    errors: &mut Vec<Refusal>,
) -> AppResult<Vec<i64>> {
    let mut projects = Vec::new();
    for (i, code) in codes.iter().map(|c| c.trim()).enumerate() {
        match lingji_store::library::projects::by_code(conn, jurisdiction_id, code).await? {
            Some(p) => projects.push(p.id),
            None => errors.push(
                Refusal::new("PROJECT_UNKNOWN", format!("项目编码“{code}”不存在"))
                    .field(format!("projects[{i}]")),
            ),
        }
    }
    Ok(projects)
}

/// Saves the year's one target of this subject (and policy): a new one, or the existing one
/// changed at the version the caller saw (PM-7).
async fn save_target(
    conn: &mut AnyConnection,
    new: &NewTarget<'_>,
    expected_version: Option<i64>,
) -> AppResult<i64> {
    let existing = store::targets(
        conn,
        new.jurisdiction_id,
        new.fiscal_year,
        Some(new.department_id),
    )
    .await?
    .into_iter()
    .find(|t| t.subject == new.subject && t.policy_code == new.policy_code);
    Ok(match (existing, expected_version) {
        (Some(t), Some(v)) => {
            store::update_target(conn, t.id, v, new).await?;
            t.id
        }
        (Some(_), None) => {
            return Err(AppError::Conflict(
                Refusal::new("TARGET_EXISTS", "本年度已有该绩效目标，请在原目标上修改")
                    .clause("PM-7"),
            ));
        }
        (None, _) => store::insert_target(conn, new).await?,
    })
}

impl crate::PerformanceUseCases<'_> {
    /// Records or changes a department's or a policy's targets (PM-7): the department's
    /// reviewer or finance; every indicator checked by its row. Audited.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn put_target(
        &self,
        scope: &Scope,
        fiscal_year: i32,
        draft: &TargetDraft,
    ) -> AppResult<TargetView> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        lingji_domain::foundation::codes::FiscalYear::new(fiscal_year)
            .map_err(|r| r.field("year"))?;
        let mut errors = Vec::new();
        let subject = target_subject(draft)?;
        let mut conn = self.store.begin().await?;
        let mut department = draft
            .department_id
            .or_else(|| caller.actor().and_then(|a| a.org.department));
        let policy_code = draft.policy_code.trim();
        if subject == "policy" {
            department = policy_department(&mut conn, jurisdiction_id, policy_code, &mut errors)
                .await?
                .or(department);
        }
        let Some(department_id) = department else {
            return Err(Refusal::new("TARGET_DEPARTMENT_REQUIRED", "请选择部门")
                .field("department_id")
                .into());
        };
        let path = OrgPath {
            jurisdiction: jurisdiction_id,
            department: Some(department_id),
            unit: None,
        };
        caller.authorize(Resource::Performance, Access::Write, &path)?;
        let (budget, table) = target_content(draft, &mut errors);
        let projects = if subject == "policy" {
            policy_projects(&mut conn, jurisdiction_id, &draft.projects, &mut errors).await?
        } else {
            Vec::new()
        };
        let Some(budget) = budget else {
            return Err(AppError::invalid("TARGET_INVALID", "绩效目标有误", errors));
        };
        if !errors.is_empty() {
            return Err(AppError::invalid("TARGET_INVALID", "绩效目标有误", errors));
        }
        let new = NewTarget {
            jurisdiction_id,
            fiscal_year,
            subject,
            department_id,
            policy_code: if subject == "policy" { policy_code } else { "" },
            name: draft.name.trim(),
            budget,
            targets: &table,
            projects: &projects,
            by: caller.name(),
        };
        let id = save_target(&mut conn, &new, draft.expected_version).await?;
        lingji_store::foundation::audit::append(
            &mut conn,
            caller
                .event(jurisdiction_id, "targets.put", "performance_target", id)
                .after_json(&serde_json::json!({ "subject": subject, "name": new.name, "indicators": table.indicators.len() })),
        )
        .await?;
        let stored = store::target(&mut conn, id)
            .await?
            .ok_or_else(|| AppError::Internal("targets vanished".into()))?;
        conn.commit().await?;
        Ok(stored.into())
    }

    /// Department and policy targets of a year the caller may see.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn targets(&self, scope: &Scope, fiscal_year: i32) -> AppResult<Vec<TargetView>> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let (department, unit) = caller.read_scope(Resource::Performance, jurisdiction_id)?;
        // Department-level targets are above a unit's reach.
        if unit.is_some() {
            return Ok(Vec::new());
        }
        let mut conn = self.store.read().acquire().await?;
        Ok(
            store::targets(&mut conn, jurisdiction_id, fiscal_year, department)
                .await?
                .into_iter()
                .map(TargetView::from)
                .collect(),
        )
    }

    /// The special funds in force whose targets the caller may set or read (PM-2): those its
    /// department leads, every one for finance and audit; `(code, name)` in order of code, what
    /// the policy form picks from.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn policy_funds(&self, scope: &Scope) -> AppResult<Vec<(String, String)>> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let (department, unit) = caller.read_scope(Resource::Performance, jurisdiction_id)?;
        if unit.is_some() {
            return Ok(Vec::new());
        }
        let mut conn = self.store.read().acquire().await?;
        let mut funds: Vec<(String, String)> = lingji_store::review::lists::entries(
            &mut conn,
            jurisdiction_id,
            lingji_domain::review::lists::ListKind::SpecialFunds,
            // The registry is not yearly: a fund is in force until retired (ZB-12).
            None,
            true,
        )
        .await?
        .into_iter()
        .filter(|f| department.is_none() || f.entry.fund.lead_department_id == department)
        .map(|f| (f.entry.code, f.entry.name))
        .collect();
        funds.sort();
        Ok(funds)
    }

    /// One target record, if the caller may see it.
    #[tracing::instrument(skip_all)]
    pub async fn target(&self, caller: &Caller, id: i64) -> AppResult<TargetView> {
        let mut conn = self.store.read().acquire().await?;
        let t = store::target(&mut conn, id)
            .await?
            .ok_or_else(|| AppError::not_found("绩效目标"))?;
        caller
            .authorize(Resource::Performance, Access::Read, &target_path(&t))
            .map_err(|_| AppError::not_found("绩效目标"))?;
        Ok(t.into())
    }
}
