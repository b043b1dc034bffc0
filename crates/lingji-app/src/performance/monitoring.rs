//! Dual monitoring (双监控, PM-9, CS-3, QJ-5a, ZX-5): at the profile's checkpoints a unit
//! records each indicator's progress with reasons, in the browser or from .xlsx; the spending
//! rate comes from the ledger by itself; the lights compare both with time elapsed. Finance
//! decides on a project that lags: correct, suspend payments (the payment check honours the
//! suspension) or stop, with reasons.

use std::collections::BTreeMap;

use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::policy::{ParamValue, Rate};
use lingji_domain::library::ProjectState;
use lingji_domain::performance::{Decision, IndicatorProgress, Light, Likelihood, assess};
use lingji_domain::{Money, Refusal};
use lingji_store::library::projects::ProjectDetail;
use lingji_store::performance::{self as store, NewRecord, Record, RecordFilter};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::Scope;
use crate::error::{AppError, AppResult, required_note};
use crate::foundation::caller::Caller;
use crate::library::projects::path_of;
use crate::workbook::{Book, Limits, Rows};

/// One indicator's progress as entered.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressDraft {
    /// What has been reached so far.
    #[serde(default)]
    pub actual: String,
    /// Share of the annual target reached, e.g. "60" or "60%".
    pub progress: String,
    /// 确定能 / 有可能 / 完全不可能.
    #[schema(value_type = crate::schema::Likelihood)]
    pub likelihood: Likelihood,
    /// Why it is behind, and what is done.
    #[serde(default)]
    pub reason: String,
}

/// A checkpoint as a unit records it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckpointDraft {
    pub project_id: i64,
    /// The checkpoint's month.
    pub month: u32,
    /// One row per indicator of the project's target table, in order.
    pub indicators: Vec<ProgressDraft>,
    /// A note on the whole.
    #[serde(default)]
    pub note: String,
}

/// A checkpoint as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Checkpoint {
    pub id: i64,
    pub project_id: i64,
    pub project_code: String,
    pub project_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub fiscal_year: i64,
    pub month: i64,
    #[schema(value_type = u32)]
    pub elapsed: Rate,
    /// Budget from the ledger.
    #[schema(value_type = String)]
    pub budget: Money,
    /// Spent from the ledger.
    #[schema(value_type = String)]
    pub spent: Money,
    #[schema(value_type = u32)]
    pub spending_rate: Rate,
    #[schema(value_type = u32)]
    pub indicator_rate: Rate,
    #[schema(value_type = crate::schema::Light)]
    pub light: Light,
    /// Its Chinese name.
    pub light_label: &'static str,
    #[schema(value_type = Vec<crate::schema::domain::IndicatorProgress>)]
    pub indicators: Vec<IndicatorProgress>,
    /// The unit's note.
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: String,
    /// Finance's decision.
    #[schema(value_type = Option<crate::schema::MonitoringDecision>)]
    pub decision: Option<Decision>,
    /// Its Chinese name.
    pub decision_label: Option<&'static str>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<String>,
    /// The project's payments are suspended now.
    pub suspended: bool,
}

impl TryFrom<Record> for Checkpoint {
    type Error = AppError;
    fn try_from(r: Record) -> AppResult<Self> {
        let corrupt =
            |what: &str| AppError::Internal(format!("monitoring record {}: {what}", r.id));
        let light = Light::parse(&r.light).ok_or_else(|| corrupt("light"))?;
        let decision = r.decision.as_deref().and_then(Decision::parse);
        let rate = |v: i64| Rate(u32::try_from(v).unwrap_or(0));
        Ok(Checkpoint {
            id: r.id,
            project_id: r.project_id,
            project_code: r.project_code,
            project_name: r.project_name,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            fiscal_year: r.fiscal_year,
            month: r.month,
            elapsed: lingji_domain::performance::monitoring::elapsed(
                u32::try_from(r.month).unwrap_or(12),
            ),
            budget: Money::from_fen(r.budget),
            spent: Money::from_fen(r.spent),
            spending_rate: rate(r.spending_rate),
            indicator_rate: rate(r.indicator_rate),
            light,
            light_label: light.label(),
            indicators: serde_json::from_str(&r.indicators).map_err(|_| corrupt("indicators"))?,
            note: r.note,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
            decision,
            decision_label: decision.map(Decision::label),
            decision_reason: r.decision_reason,
            decided_by: r.decided_by,
            suspended: r.suspended != 0,
        })
    }
}

/// What a checkpoint form shows before it is filled: the project's indicators and the
/// ledger's figures now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckpointForm {
    pub project_id: i64,
    pub project_code: String,
    pub project_name: String,
    /// Checkpoints of the profile.
    pub months: Vec<u32>,
    #[schema(value_type = String)]
    pub budget: Money,
    #[schema(value_type = String)]
    pub spent: Money,
    #[schema(value_type = u32)]
    pub spending_rate: Rate,
    /// The indicators: name and target with unit.
    pub indicators: Vec<(String, String)>,
    /// Checkpoints already recorded.
    pub recorded: Vec<Checkpoint>,
}

/// Finance's decision on a checkpoint.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionDraft {
    /// 督促整改 / 暂缓拨款 / 停止拨款.
    #[schema(value_type = crate::schema::MonitoringDecision)]
    pub decision: Decision,
    pub reason: String,
}

/// An imported monitoring workbook: how many checkpoints were recorded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MonitoringImport {
    pub recorded: usize,
    pub ids: Vec<i64>,
}

/// The columns of the monitoring workbook, in order.
pub const IMPORT_COLUMNS: [&str; 7] = [
    "项目编码",
    "监控月份",
    "指标名称",
    "实际完成",
    "完成进度(%)",
    "完成可能性",
    "原因及措施",
];

/// What a monitoring workbook may hold: the columns above and a few for notes; a row per
/// indicator and month of every project of a city.
pub const IMPORT_LIMITS: Limits = Limits {
    columns: IMPORT_COLUMNS.len() as u32 + 8,
    rows: 200_000,
    cells: 1_500_000,
};

fn parse_progress(raw: &str, field: String) -> Result<Rate, Refusal> {
    Rate::parse_param(raw)
        .ok()
        .filter(|r| *r <= Rate(100_000))
        .ok_or_else(|| {
            Refusal::new(
                "MONITORING_PROGRESS_INVALID",
                format!("完成进度“{raw}”应为 0 到 1000 之间的百分数，如 60 或 60%"),
            )
            .field(field)
            .clause("PM-9")
        })
}

/// A row of the monitoring workbook: its number, the indicator's name and what it says.
type WorkbookRow = (usize, String, ProgressDraft);

/// The progress entered against each indicator of the project's target table, in its order
/// (PM-9); every wrong row is refused at once.
fn progress_rows(d: &ProjectDetail, draft: &CheckpointDraft) -> AppResult<Vec<IndicatorProgress>> {
    let mut errors = Vec::new();
    if draft.indicators.len() != d.indicators.len() {
        errors.push(
            Refusal::new(
                "MONITORING_INDICATORS_MISMATCH",
                format!(
                    "绩效目标表有 {} 个指标，填报了 {} 个",
                    d.indicators.len(),
                    draft.indicators.len()
                ),
            )
            .field("indicators")
            .clause("PM-9"),
        );
    }
    if draft.note.chars().count() > 1000 {
        errors.push(Refusal::new("MONITORING_NOTE_TOO_LONG", "说明不超过 1000 个字").field("note"));
    }
    let mut rows = Vec::new();
    for (i, (ind, given)) in d.indicators.iter().zip(&draft.indicators).enumerate() {
        match parse_progress(&given.progress, format!("indicators[{i}].progress")) {
            Ok(progress) => rows.push(IndicatorProgress {
                name: ind.name.clone(),
                target: ind.target_text(),
                actual: given.actual.trim().chars().take(200).collect(),
                progress,
                likelihood: given.likelihood,
                reason: given.reason.trim().to_string(),
            }),
            Err(r) => errors.push(r),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(
            "MONITORING_INVALID",
            "监控表有误",
            errors,
        ));
    }
    Ok(rows)
}

/// The monitoring workbook starts with the header row of [`IMPORT_COLUMNS`].
fn check_import_header(rows: &Rows) -> AppResult<()> {
    let header_ok = rows.first().is_some_and(|(_, cells)| {
        IMPORT_COLUMNS
            .iter()
            .enumerate()
            .all(|(i, c)| cells.get(i).map(|s| s.trim()) == Some(*c))
    });
    if !header_ok {
        return Err(Refusal::new(
            "MONITORING_IMPORT_HEADER",
            format!("第 1 行应为表头：{}", IMPORT_COLUMNS.join("、")),
        )
        .field("第 1 行")
        .into());
    }
    Ok(())
}

/// The workbook's rows grouped by project code and month, each checked by its cell; every
/// wrong cell of the file is refused at once.
fn import_groups(rows: &Rows) -> AppResult<BTreeMap<(String, u32), Vec<WorkbookRow>>> {
    let mut errors = Vec::new();
    let mut groups: BTreeMap<(String, u32), Vec<WorkbookRow>> = BTreeMap::new();
    for (row, cells) in rows.iter().skip(1) {
        let cell = |i: usize| cells.get(i).map(|s| s.trim()).unwrap_or("");
        if (0..IMPORT_COLUMNS.len()).all(|i| cell(i).is_empty()) {
            continue;
        }
        let at = |col: usize| format!("第 {row} 行 {} 列", crate::workbook::column_letter(col));
        let month = cell(1).parse::<u32>().ok().filter(|m| (1..=12).contains(m));
        if month.is_none() {
            errors.push(Refusal::new("MONITORING_MONTH_INVALID", "监控月份应为 1–12").field(at(1)));
        }
        let likelihood = Likelihood::ALL
            .iter()
            .copied()
            .find(|l| l.label() == cell(5));
        if likelihood.is_none() {
            errors.push(
                Refusal::new(
                    "MONITORING_LIKELIHOOD_INVALID",
                    "完成可能性应为“确定能”“有可能”或“完全不可能”",
                )
                .field(at(5)),
            );
        }
        if let Err(mut r) = parse_progress(cell(4), String::new()) {
            r.field = Some(at(4));
            errors.push(r);
        }
        if let (Some(month), Some(likelihood)) = (month, likelihood) {
            groups
                .entry((cell(0).to_string(), month))
                .or_default()
                .push((
                    *row,
                    cell(2).to_string(),
                    ProgressDraft {
                        actual: cell(3).to_string(),
                        progress: cell(4).to_string(),
                        likelihood,
                        reason: cell(6).to_string(),
                    },
                ));
        }
    }
    if groups.is_empty() && errors.is_empty() {
        errors.push(Refusal::new("MONITORING_IMPORT_EMPTY", "文件中没有监控数据").field("第 2 行"));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(
            "MONITORING_IMPORT_INVALID",
            "监控表有误",
            errors,
        ));
    }
    Ok(groups)
}

/// An error of one imported group, its message naming the project, the month and the row the
/// group starts at.
fn in_group(e: AppError, code: &str, month: u32, first_row: usize) -> AppError {
    let mut r = e.refusal();
    r.message = format!(
        "项目 {code}（{month} 月，自第 {first_row} 行）：{}",
        r.message
    );
    match e {
        AppError::Invalid { errors, .. } => AppError::Invalid { summary: r, errors },
        AppError::Forbidden(_) => AppError::Forbidden(r),
        AppError::Conflict(_) => AppError::Conflict(r),
        AppError::NotFound(_) => AppError::NotFound(r),
        _ => AppError::Refused(r),
    }
}

/// A workbook group's rows in the order of the project's target table, matched by indicator
/// name; a name not in the table, or an indicator without a row, is refused by its row.
fn in_table_order(
    indicators: &[lingji_domain::library::targets::Indicator],
    group: Vec<WorkbookRow>,
    first_row: usize,
) -> AppResult<Vec<ProgressDraft>> {
    let mut errors = Vec::new();
    for (row, name, _) in &group {
        if !indicators.iter().any(|i| i.name == *name) {
            errors.push(
                Refusal::new(
                    "MONITORING_INDICATOR_UNKNOWN",
                    format!("指标“{name}”不在该项目的绩效目标表中"),
                )
                .field(format!("第 {row} 行 C 列"))
                .clause("PM-9"),
            );
        }
    }
    let mut ordered = Vec::with_capacity(indicators.len());
    let mut rows: Vec<Option<WorkbookRow>> = group.into_iter().map(Some).collect();
    for i in indicators {
        match rows
            .iter_mut()
            .find(|r| r.as_ref().is_some_and(|(_, n, _)| *n == i.name))
        {
            Some(slot) => {
                if let Some((_, _, d)) = slot.take() {
                    ordered.push(d);
                }
            }
            None => errors.push(
                Refusal::new(
                    "MONITORING_INDICATOR_MISSING",
                    format!("缺少指标“{}”的监控数据", i.name),
                )
                .field(format!("第 {first_row} 行起"))
                .clause("PM-9"),
            ),
        }
    }
    if errors.is_empty() {
        Ok(ordered)
    } else {
        Err(AppError::invalid(
            "MONITORING_IMPORT_INVALID",
            "监控表有误",
            errors,
        ))
    }
}

impl crate::PerformanceUseCases<'_> {
    /// Loads a project the caller may monitor (`access`), with its ledger figures.
    async fn monitored(
        &self,
        caller: &Caller,
        conn: &mut AnyConnection,
        project_id: i64,
        access: Access,
    ) -> AppResult<(ProjectDetail, Money, Money)> {
        let detail = lingji_store::library::projects::get_detail(conn, project_id)
            .await?
            .ok_or_else(|| AppError::not_found("项目"))?;
        let path = path_of(&detail.project.header);
        caller
            .authorize(Resource::Performance, Access::Read, &path)
            .map_err(|_| AppError::not_found("项目"))?;
        caller.authorize(Resource::Performance, access, &path)?;
        let e = store::project_execution(conn, project_id).await?;
        let (budget, spent) = (e.budget, e.spent);
        Ok((detail, budget, spent))
    }

    /// The checkpoint form of a project.
    #[tracing::instrument(skip_all)]
    pub async fn checkpoint_form(
        &self,
        caller: &Caller,
        project_id: i64,
    ) -> AppResult<CheckpointForm> {
        let mut conn = self.store.read().acquire().await?;
        let (d, budget, spent) = self
            .monitored(caller, &mut conn, project_id, Access::Read)
            .await?;
        let h = &d.project.header;
        let profile =
            crate::foundation::profiles::in_force(&mut conn, h.jurisdiction_id, h.fiscal_year)
                .await?;
        let recorded = store::project_records(&mut conn, project_id)
            .await?
            .into_iter()
            .map(Checkpoint::try_from)
            .collect::<AppResult<_>>()?;
        Ok(CheckpointForm {
            project_id,
            project_code: h.code.clone(),
            project_name: h.name.clone(),
            months: profile.performance.monitoring_months.0.clone(),
            budget,
            spent,
            spending_rate: Rate::ratio(spent, budget),
            indicators: d
                .indicators
                .iter()
                .map(|i| (i.name.clone(), i.target_text()))
                .collect(),
            recorded,
        })
    }

    /// Records a checkpoint of a funded project (PM-9): the ledger's spending, each
    /// indicator's progress with reasons where behind, and the lights. One per project and
    /// month; audited.
    #[tracing::instrument(skip_all)]
    pub async fn record_checkpoint(
        &self,
        caller: &Caller,
        draft: &CheckpointDraft,
    ) -> AppResult<Checkpoint> {
        let mut tx = self.store.begin().await?;
        let id = self.record_in(caller, &mut tx, draft).await?;
        let record = store::record(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::Internal("checkpoint vanished".into()))?;
        tx.commit().await?;
        Checkpoint::try_from(record)
    }

    async fn record_in(
        &self,
        caller: &Caller,
        conn: &mut AnyConnection,
        draft: &CheckpointDraft,
    ) -> AppResult<i64> {
        let (d, budget, spent) = self
            .monitored(caller, conn, draft.project_id, Access::Write)
            .await?;
        let h = &d.project.header;
        if h.state != ProjectState::Funded {
            return Err(Refusal::new(
                "MONITORING_PROJECT_NOT_FUNDED",
                "只有已批复预算的项目才进行绩效运行监控",
            )
            .field("project_id")
            .clause("PM-9")
            .into());
        }
        let rows = progress_rows(&d, draft)?;
        let profile =
            crate::foundation::profiles::in_force(conn, h.jurisdiction_id, h.fiscal_year).await?;
        let spending_rate = Rate::ratio(spent, budget);
        let a = assess(draft.month, spending_rate, &rows, &profile.performance)
            .map_err(|errors| AppError::invalid("MONITORING_INVALID", "监控表有误", errors))?;
        let indicators =
            serde_json::to_string(&rows).map_err(|e| AppError::Internal(e.to_string()))?;
        let id = store::insert_record(
            conn,
            &NewRecord {
                jurisdiction_id: h.jurisdiction_id,
                project_id: d.project.id,
                fiscal_year: h.fiscal_year,
                month: draft.month,
                budget,
                spent,
                spending_rate: a.spending_rate.0,
                indicator_rate: a.indicator_rate.0,
                light: a.light.as_str(),
                indicators,
                note: draft.note.trim(),
                by: caller.name(),
            },
        )
        .await
        .map_err(|e| match e {
            lingji_store::StoreError::Conflict(_) => AppError::Conflict(
                Refusal::new(
                    "MONITORING_ALREADY_RECORDED",
                    format!("项目“{}”{} 月的监控已填报", h.name, draft.month),
                )
                .field("month")
                .clause("PM-9"),
            ),
            other => other.into(),
        })?;
        lingji_store::foundation::audit::append(
            conn,
            caller
                .event(
                    h.jurisdiction_id,
                    "monitoring.record",
                    "project",
                    d.project.id,
                )
                .after_json(&serde_json::json!({
                    "month": draft.month,
                    "light": a.light.as_str(),
                    "spending_rate": a.spending_rate,
                    "indicator_rate": a.indicator_rate,
                })),
        )
        .await?;
        Ok(id)
    }

    /// Records the checkpoints of a monitoring workbook ([`IMPORT_COLUMNS`], one row per
    /// indicator, grouped by project and month) — all or none: any wrong cell refuses the
    /// whole file, naming the row and column.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn import_checkpoints(
        &self,
        scope: &Scope,
        bytes: &[u8],
    ) -> AppResult<MonitoringImport> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let rows =
            crate::blocking::parse(bytes, |b| Book::open(b, IMPORT_LIMITS)?.first_sheet()).await?;
        check_import_header(&rows)?;
        let groups = import_groups(&rows)?;
        let mut tx = self.store.begin().await?;
        let mut ids = Vec::new();
        for ((code, month), group) in groups {
            let first_row = group.first().map(|(r, _, _)| *r).unwrap_or(2);
            // An unknown code answers like a project out of reach: codes of others stay unknown.
            let unknown = || {
                AppError::NotFound(
                    Refusal::new("NOT_FOUND", format!("项目“{code}”不存在或无权查看"))
                        .field(format!("第 {first_row} 行 A 列")),
                )
            };
            let project = lingji_store::library::projects::get_detail_by_code(
                &mut tx,
                jurisdiction_id,
                &code,
            )
            .await?
            .ok_or_else(unknown)?;
            let draft = CheckpointDraft {
                project_id: project.project.id,
                month,
                indicators: in_table_order(&project.indicators, group, first_row)?,
                note: String::new(),
            };
            // A wrong group names the rows it came from; nothing of the file is kept.
            let id = self
                .record_in(caller, &mut tx, &draft)
                .await
                .map_err(|e| in_group(e, &code, month, first_row))?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(MonitoringImport {
            recorded: ids.len(),
            ids,
        })
    }

    /// Checkpoints of a year the caller may see, red first.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn checkpoints(
        &self,
        scope: &Scope,
        fiscal_year: i32,
        month: Option<u32>,
        light: Option<Light>,
    ) -> AppResult<Vec<Checkpoint>> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let (department_id, unit_id) = caller.read_scope(Resource::Performance, jurisdiction_id)?;
        let mut conn = self.store.read().acquire().await?;
        store::records(
            &mut conn,
            jurisdiction_id,
            &RecordFilter {
                fiscal_year,
                month,
                light: light.map(Light::as_str),
                department_id,
                unit_id,
            },
        )
        .await?
        .into_iter()
        .map(Checkpoint::try_from)
        .collect()
    }

    /// Finance's decision on a checkpoint (PM-9, CS-3): 督促整改, or 暂缓 / 停止拨款, which
    /// suspends the project's payments in the same transaction. Once per checkpoint; audited.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn decide_checkpoint(
        &self,
        scope: &Scope,
        id: i64,
        draft: &DecisionDraft,
    ) -> AppResult<Checkpoint> {
        scope.authorize_jurisdiction(Resource::PerformanceDecision, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let reason = required_note(&draft.reason, || {
            Refusal::new(
                "DECISION_REASON_REQUIRED",
                "请填写处理理由（不超过 500 个字）",
            )
            .field("reason")
            .clause("PM-9")
        })?;
        let mut tx = self.store.begin().await?;
        let record = store::record(&mut tx, id)
            .await?
            .filter(|r| r.jurisdiction_id == jurisdiction_id)
            .ok_or_else(|| AppError::not_found("监控记录"))?;
        if !store::decide(&mut tx, id, draft.decision.as_str(), reason, caller.name()).await? {
            return Err(AppError::Conflict(
                Refusal::new("MONITORING_ALREADY_DECIDED", "该监控记录已作出处理").clause("PM-9"),
            ));
        }
        if draft.decision.blocks_payments() && record.suspended == 0 {
            let why = format!("绩效监控{}：{reason}", draft.decision.label());
            lingji_store::execution::suspensions::suspend(
                &mut tx,
                jurisdiction_id,
                record.project_id,
                &why,
                caller.name(),
            )
            .await?;
        }
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(
                    jurisdiction_id,
                    "monitoring.decide",
                    "project",
                    record.project_id,
                )
                .after_json(&serde_json::json!({
                    "record": id,
                    "decision": draft.decision.as_str(),
                    "reason": reason,
                })),
        )
        .await?;
        let record = store::record(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::Internal("checkpoint vanished".into()))?;
        tx.commit().await?;
        Checkpoint::try_from(record)
    }
}
