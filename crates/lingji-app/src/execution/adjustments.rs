//! Budget adjustments in execution (ZB-7b): units ask to transfer budget between lines of their
//! department (调剂) or for new money for a library project (追加, QJ-2a; a major one only after
//! its assessments); finance approves — the lines' ledgers move in the same transaction, a cut
//! only if the line still has it available — or sends it back. Approved adjustments make up the
//! budget amendment document for the people's congress standing committee (QJ-4c), as .xlsx.

use crate::Scope;
use lingji_domain::execution::{
    AdjustmentKind, AdjustmentStatus, LineSide, MoneyMovement, SupplementFacts, above_available,
    check_supplement, check_transfer, check_within_available,
};
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::foundation::org::OrgPath;
use lingji_domain::review::gates::{CapacityResult as Capacity, GateRecord};
use lingji_domain::{Money, Refusal};
use lingji_store::allocation::{BudgetLine, NewLine, insert_line};
use lingji_store::execution::adjustments::{
    self as store, Adjustment, AdjustmentFilter, NewAdjustment, SupplementProject,
};
use lingji_store::execution::payments::{PayableLine, payable_line};
use lingji_store::{execution::ledger, foundation::profiles, review};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::error::{AppError, AppResult, required_note};
use crate::execution::department_totals::department_totals;
use crate::foundation::caller::Caller;
use crate::sheets::{Book, Cell};

/// An adjustment as asked for.
#[derive(Debug, Clone, Deserialize)]
pub struct AdjustmentDraft {
    /// Transfer or supplement.
    pub kind: AdjustmentKind,
    /// Transfer: the line taken from.
    #[serde(default)]
    pub from_line_id: Option<i64>,
    /// Transfer: the line added to; supplement: an existing line of the project.
    #[serde(default)]
    pub to_line_id: Option<i64>,
    /// Supplement: the library project.
    #[serde(default)]
    pub project_id: Option<i64>,
    /// Supplement without a line: the economic code of the new line.
    #[serde(default)]
    pub economic_code: Option<String>,
    pub amount: Money,
    /// Why (the general rule is to restructure first, ZB-7b).
    pub reason: String,
}

/// An adjustment as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AdjustmentView {
    pub id: i64,
    pub fiscal_year: i32,
    pub department_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    #[schema(value_type = crate::schema::AdjustmentKind)]
    pub kind: AdjustmentKind,
    /// 调剂 / 追加.
    pub kind_label: &'static str,
    /// Line taken from.
    pub from_line_id: Option<i64>,
    pub from_line_name: Option<String>,
    /// Line added to (for a supplement, the new line once approved).
    pub to_line_id: Option<i64>,
    pub to_line_name: Option<String>,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    /// Economic code of a new line.
    pub economic_code: Option<String>,
    #[schema(value_type = String)]
    pub amount: Money,
    /// A major supplement, assessed first (ZB-7b).
    pub major: bool,
    pub reason: String,
    #[schema(value_type = crate::schema::AdjustmentStatus)]
    pub status: AdjustmentStatus,
    /// Its Chinese name.
    pub status_label: &'static str,
    pub requested_by: String,
    pub requested_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
}

impl From<Adjustment> for AdjustmentView {
    fn from(a: Adjustment) -> Self {
        let (from_line_id, from_line_name) = a.from_line.unzip();
        let (to_line_id, to_line_name) = a.to_line.unzip();
        let (project_id, project_name) = a.project.unzip();
        AdjustmentView {
            id: a.id,
            fiscal_year: a.fiscal_year,
            department_name: a.department_name,
            unit_id: a.unit_id,
            unit_name: a.unit_name,
            kind: a.kind,
            kind_label: a.kind.label(),
            from_line_id,
            from_line_name,
            to_line_id,
            to_line_name,
            project_id,
            project_name,
            economic_code: a.economic_code,
            amount: a.amount,
            major: a.major,
            reason: a.reason,
            status: a.status,
            status_label: a.status.label(),
            requested_by: a.requested_by,
            requested_at: a.requested_at,
            decided_by: a.decided_by,
            decided_at: a.decided_at,
            decision_note: a.decision_note,
        }
    }
}

/// The amendment document (预算调整方案, QJ-4c): every approved change, with totals by
/// department.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Amendment {
    pub fiscal_year: i32,
    /// Approved changes by department.
    pub changes: Vec<AdjustmentView>,
    /// Per department: name, transferred, supplemented.
    #[schema(value_type = Vec<(String, String, String)>)]
    pub departments: Vec<(String, Money, Money)>,
    /// Total transferred (moved, not new money).
    #[schema(value_type = String)]
    pub transferred: Money,
    /// Total supplemented (new money).
    #[schema(value_type = String)]
    pub supplemented: Money,
}

fn path_of(jurisdiction: i64, department: i64, unit: i64) -> OrgPath {
    OrgPath {
        jurisdiction,
        department: Some(department),
        unit: Some(unit),
    }
}

fn side(l: &PayableLine) -> LineSide<'_> {
    LineSide {
        id: l.id,
        fiscal_year: l.fiscal_year,
        department_id: l.department_id,
        economic_code: &l.economic_code,
        source: &l.source,
    }
}

fn missing(code: &'static str, field: &str, what: &str) -> AppError {
    Refusal::new(code, format!("请选择{what}"))
        .field(field)
        .into()
}

async fn line_in(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    id: i64,
    field: &str,
) -> AppResult<PayableLine> {
    payable_line(conn, id)
        .await?
        .filter(|l| l.jurisdiction_id == jurisdiction_id)
        .ok_or_else(|| {
            Refusal::new("BUDGET_LINE_MISSING", "该预算指标不存在")
                .field(field)
                .into()
        })
}

/// The adjustment as its transaction left it, once the transaction is committed.
async fn committed(mut tx: lingji_store::Tx, id: i64) -> AppResult<AdjustmentView> {
    let row = store::adjustment(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("adjustment {id} vanished")))?;
    tx.commit().await?;
    Ok(row.into())
}

/// The reason is required (ZB-7b: ordinary new spending is met by restructuring first) and
/// short enough for the amendment document.
fn check_reason(reason: &str) -> AppResult<&str> {
    required_note(reason, || {
        Refusal::new(
            "ADJUSTMENT_REASON_REQUIRED",
            "请填写调整理由（一般增支应先通过调整支出结构解决，ZB-7b；不超过 500 个字）",
        )
        .field("reason")
        .clause("ZB-7b")
    })
}

/// 调剂 (ZB-7b): budget moved between two lines of one department, within what the line taken
/// from has available.
async fn transfer<'a>(
    conn: &mut AnyConnection,
    caller: &'a Caller,
    jurisdiction_id: i64,
    d: &AdjustmentDraft,
    reason: &'a str,
) -> AppResult<NewAdjustment<'a>> {
    let from_id = d
        .from_line_id
        .ok_or_else(|| missing("FROM_LINE_REQUIRED", "from_line_id", "调出指标"))?;
    let to_id = d
        .to_line_id
        .ok_or_else(|| missing("TO_LINE_REQUIRED", "to_line_id", "调入指标"))?;
    let from = line_in(conn, jurisdiction_id, from_id, "from_line_id").await?;
    let to = line_in(conn, jurisdiction_id, to_id, "to_line_id").await?;
    for l in [&from, &to] {
        caller.authorize(
            Resource::Adjustment,
            Access::Write,
            &path_of(jurisdiction_id, l.department_id, l.unit_id),
        )?;
    }
    // A closed year is refused for its year before anything else: its close took
    // the balance away, and "above available" would send the unit looking for money
    // that now sits on next year's carried line (ZB-7b).
    crate::execution::year_end::refuse_if_closed(
        conn,
        jurisdiction_id,
        from.fiscal_year,
        MoneyMovement::Transfer,
        "from_line_id",
    )
    .await?;
    check_transfer(&side(&from), &side(&to), d.amount)?;
    check_within_available(&from.name, from.balance.available(), d.amount)?;
    Ok(NewAdjustment {
        jurisdiction_id,
        fiscal_year: from.fiscal_year,
        department_id: from.department_id,
        unit_id: from.unit_id,
        kind: d.kind,
        from_line_id: Some(from.id),
        to_line_id: Some(to.id),
        project_id: None,
        economic_code: None,
        amount: d.amount,
        major: false,
        reason,
        requested_by: caller.name(),
    })
}

/// A supplement without a line opens one, so it needs an economic code of 3, 5 or 7 digits.
fn check_new_line_code(code: Option<&str>) -> AppResult<()> {
    if !code.is_some_and(|c| matches!(c.len(), 3 | 5 | 7) && c.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Refusal::new(
            "ECONOMIC_CODE_MALFORMED",
            "新增指标的经济分类科目应为 3、5 或 7 位数字",
        )
        .field("economic_code")
        .into());
    }
    Ok(())
}

impl crate::ExecutionUseCases<'_> {
    /// The supplement's project, if in the caller's reach, with the facts its check needs.
    async fn supplement_facts(
        &self,
        conn: &mut AnyConnection,
        jurisdiction_id: i64,
        project_id: i64,
        year: i32,
    ) -> AppResult<(SupplementProject, SupplementFacts)> {
        let project = store::supplement_project(conn, project_id)
            .await?
            .filter(|p| p.jurisdiction_id == jurisdiction_id)
            .ok_or_else(|| {
                AppError::from(Refusal::new("PROJECT_MISSING", "该项目不存在").field("project_id"))
            })?;
        let profile = profiles::current(conn, jurisdiction_id, year)
            .await?
            .ok_or_else(|| AppError::not_found(&format!("{year} 年度政策参数")))?
            .profile;
        let gates = review::gates(conn, project_id).await?;
        let mut facts = SupplementFacts {
            in_library: matches!(project.state.as_str(), "admitted" | "funded"),
            major_threshold: profile.library.major_project_threshold,
            ex_ante_supports: None,
            capacity_passed: None,
        };
        for g in gates {
            match g.record {
                GateRecord::ExAnte(a) => facts.ex_ante_supports = Some(a.supports(&profile.review)),
                GateRecord::FiscalCapacity { result, .. } => {
                    facts.capacity_passed = Some(result == Capacity::Passed)
                }
                _ => {}
            }
        }
        Ok((project, facts))
    }

    /// Asks for an adjustment. Everything that can be checked now is checked now; finance's
    /// approval checks the balance again as it moves the money.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn request_adjustment(
        &self,
        scope: &Scope,
        d: AdjustmentDraft,
    ) -> AppResult<AdjustmentView> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let reason = check_reason(&d.reason)?;
        let mut tx = self.store.begin().await?;
        let new = match d.kind {
            AdjustmentKind::Transfer => {
                transfer(&mut tx, caller, jurisdiction_id, &d, reason).await?
            }
            AdjustmentKind::Supplement => {
                self.supplement(&mut tx, caller, jurisdiction_id, &d, reason)
                    .await?
            }
        };
        let field = match new.kind {
            AdjustmentKind::Transfer => "from_line_id",
            AdjustmentKind::Supplement => "project_id",
        };
        crate::execution::year_end::refuse_if_closed(
            &mut tx,
            jurisdiction_id,
            new.fiscal_year,
            new.kind.movement(),
            field,
        )
        .await?;
        let id = store::insert(&mut tx, &new).await?;
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(jurisdiction_id, "adjustment.request", "adjustment", id)
                .after_json(&serde_json::json!({
                    "kind": new.kind.as_str(), "from_line_id": new.from_line_id, "to_line_id": new.to_line_id,
                    "project_id": new.project_id, "amount": new.amount, "major": new.major, "reason": reason,
                })),
        )
        .await?;
        committed(tx, id).await
    }

    /// 追加 (QJ-2a): new money for a library project, onto one of its lines or a new line; a
    /// major one only after its assessments.
    async fn supplement<'a>(
        &self,
        conn: &mut AnyConnection,
        caller: &'a Caller,
        jurisdiction_id: i64,
        d: &'a AdjustmentDraft,
        reason: &'a str,
    ) -> AppResult<NewAdjustment<'a>> {
        let project_id = d
            .project_id
            .ok_or_else(|| missing("PROJECT_REQUIRED", "project_id", "项目库项目"))?;
        let line = match d.to_line_id {
            Some(id) => Some(line_in(conn, jurisdiction_id, id, "to_line_id").await?),
            None => None,
        };
        let year = match &line {
            Some(l) => l.fiscal_year,
            None => self.foundation().current_year(jurisdiction_id).await?,
        };
        let (project, facts) = self
            .supplement_facts(conn, jurisdiction_id, project_id, year)
            .await?;
        caller.authorize(
            Resource::Adjustment,
            Access::Write,
            &path_of(jurisdiction_id, project.department_id, project.unit_id),
        )?;
        if line
            .as_ref()
            .is_some_and(|l| l.project_id != Some(project_id))
        {
            return Err(Refusal::new(
                "LINE_NOT_OF_PROJECT",
                "追加的指标须是该项目的指标；不选指标则为项目新增一条指标",
            )
            .field("to_line_id")
            .into());
        }
        let code = d
            .economic_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if line.is_none() {
            check_new_line_code(code)?;
        }
        let major = check_supplement(&facts, d.amount)?;
        Ok(NewAdjustment {
            jurisdiction_id,
            fiscal_year: year,
            department_id: project.department_id,
            unit_id: project.unit_id,
            kind: d.kind,
            from_line_id: None,
            to_line_id: line.map(|l| l.id),
            project_id: Some(project_id),
            economic_code: if d.to_line_id.is_none() { code } else { None },
            amount: d.amount,
            major,
            reason,
            requested_by: caller.name(),
        })
    }

    /// Finance approves (the ledgers move) or rejects (with a note) a requested adjustment; one
    /// decided meanwhile by someone else is a 409.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn decide_adjustment(
        &self,
        scope: &Scope,
        id: i64,
        approve: bool,
        note: &str,
    ) -> AppResult<AdjustmentView> {
        scope.authorize_jurisdiction(Resource::Adjustment, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let note = note.trim();
        if (!approve && note.is_empty()) || note.chars().count() > 500 {
            return Err(Refusal::new(
                "DECISION_REASON_REQUIRED",
                "退回须填写理由（不超过 500 个字）",
            )
            .field("note")
            .into());
        }
        let mut tx = self.store.begin().await?;
        let a = store::adjustment(&mut tx, id)
            .await?
            .filter(|a| a.jurisdiction_id == jurisdiction_id)
            .ok_or_else(|| AppError::not_found("预算调整"))?;
        if a.status != AdjustmentStatus::Requested {
            return Err(AppError::stale());
        }
        if approve {
            // Requested before the close, decided after it: the year's money is gone.
            crate::execution::year_end::refuse_if_closed(
                &mut tx,
                jurisdiction_id,
                a.fiscal_year,
                a.kind.movement(),
                "id",
            )
            .await?;
        }
        let reference = format!("预算调整 {id}");
        let mut new_line = None;
        if approve {
            new_line = self
                .apply(&mut tx, caller, jurisdiction_id, &a, &reference)
                .await?;
        }
        let to = if approve {
            AdjustmentStatus::Approved
        } else {
            AdjustmentStatus::Rejected
        };
        if !store::decide(&mut tx, id, to, new_line, caller.name(), note).await? {
            return Err(AppError::stale());
        }
        lingji_store::foundation::audit::append(
            &mut tx,
            caller
                .event(
                    jurisdiction_id,
                    if approve { "adjustment.approve" } else { "adjustment.reject" },
                    "adjustment",
                    id,
                )
                .before_json(&serde_json::json!({ "status": a.status.as_str() }))
                .after_json(&serde_json::json!({ "status": to.as_str(), "note": note, "new_line": new_line })),
        )
        .await?;
        committed(tx, id).await
    }

    /// Moves the money of an approved adjustment; the id of a line a supplement created.
    async fn apply(
        &self,
        tx: &mut AnyConnection,
        caller: &Caller,
        jurisdiction_id: i64,
        a: &Adjustment,
        reference: &str,
    ) -> AppResult<Option<i64>> {
        match (a.kind, a.from_line.as_ref(), a.to_line.as_ref()) {
            (AdjustmentKind::Transfer, Some((from, _)), Some((to, _))) => {
                let cut = Money::from_fen(-a.amount.fen());
                if !ledger::adjust(tx, *from, cut, reference, caller.name()).await? {
                    let line = line_in(tx, jurisdiction_id, *from, "from_line_id").await?;
                    return Err(
                        above_available(&line.name, line.balance.available(), a.amount).into(),
                    );
                }
                ledger::adjust(tx, *to, a.amount, reference, caller.name()).await?;
                Ok(None)
            }
            (AdjustmentKind::Supplement, _, to) => {
                let (project_id, _) = a
                    .project
                    .clone()
                    .ok_or_else(|| AppError::Internal("supplement without project".into()))?;
                // The assessments may have changed since the request: check again.
                let (project, facts) = self
                    .supplement_facts(tx, jurisdiction_id, project_id, a.fiscal_year)
                    .await?;
                check_supplement(&facts, a.amount)?;
                if let Some((line, _)) = to {
                    ledger::adjust(tx, *line, a.amount, reference, caller.name()).await?;
                    return Ok(None);
                }
                let fund_book = project
                    .fund_book
                    .as_deref()
                    .and_then(|b| FundBook::parse(b).ok())
                    .unwrap_or(FundBook::GeneralPublic);
                let line = BudgetLine {
                    id: 0,
                    fiscal_year: a.fiscal_year,
                    department_id: a.department_id,
                    unit_id: a.unit_id,
                    project_id: Some(project_id),
                    item_id: 0,
                    name: format!("{}（追加）", project.name),
                    economic_code: a.economic_code.clone().unwrap_or_default(),
                    fund_book,
                    three_guarantees: false,
                    approved: a.amount,
                    source_document: reference.to_string(),
                    run_id: None,
                };
                Ok(Some(
                    insert_line(
                        tx,
                        &NewLine {
                            jurisdiction_id,
                            line: &line,
                            source: "supplement",
                            actor: caller.name(),
                        },
                    )
                    .await?,
                ))
            }
            _ => Err(AppError::Internal(format!(
                "adjustment {} is incomplete",
                a.id
            ))),
        }
    }

    /// Adjustments the caller may see: a unit its own, a department its units', finance and
    /// audit all.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn adjustments(
        &self,
        scope: &Scope,
        mut filter: AdjustmentFilter,
    ) -> AppResult<Vec<AdjustmentView>> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let (department, unit) = caller.read_scope(Resource::Adjustment, jurisdiction_id)?;
        filter.unit_id = unit.or(filter.unit_id);
        filter.department_id = department.or(filter.department_id);
        let mut conn = self.store.read().acquire().await?;
        Ok(store::list(&mut conn, jurisdiction_id, &filter)
            .await?
            .into_iter()
            .map(AdjustmentView::from)
            .collect())
    }

    /// The year's amendment document (QJ-4c): finance and audit.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn amendment(&self, scope: &Scope, fiscal_year: i32) -> AppResult<Amendment> {
        scope.authorize_jurisdiction(Resource::Adjustment, Access::Read)?;
        let filter = AdjustmentFilter {
            fiscal_year,
            status: Some(AdjustmentStatus::Approved),
            ..AdjustmentFilter::default()
        };
        let changes = self.adjustments(scope, filter).await?;
        let (departments, (transferred, supplemented)) =
            department_totals(changes.iter().map(|c| match c.kind {
                AdjustmentKind::Transfer => (c.department_name.as_str(), c.amount, Money::ZERO),
                AdjustmentKind::Supplement => (c.department_name.as_str(), Money::ZERO, c.amount),
            }))?;
        Ok(Amendment {
            fiscal_year,
            changes,
            departments,
            transferred,
            supplemented,
        })
    }

    /// The amendment document as .xlsx: sheet 调整事项 (every change) and sheet 部门汇总.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn amendment_xlsx(&self, scope: &Scope, fiscal_year: i32) -> AppResult<Vec<u8>> {
        let a = self.amendment(scope, fiscal_year).await?;
        // People by the names they go by, not their logins; times in Beijing time.
        let names: std::collections::BTreeMap<String, String> = {
            let mut conn = self.store.read().acquire().await?;
            lingji_store::foundation::users::list(&mut conn, scope.jurisdiction)
                .await?
                .into_iter()
                .map(|u| (u.username, u.display_name))
                .collect()
        };
        let person = |login: &str| names.get(login).cloned().unwrap_or_else(|| login.into());
        let east8 = chrono::FixedOffset::east_opt(8 * 3600)
            .ok_or_else(|| AppError::Internal("UTC+8".into()))?;
        let beijing = |at: &str| {
            lingji_store::time::parse(at).map_or_else(
                || at.to_string(),
                |t| t.with_timezone(&east8).format("%Y-%m-%d %H:%M").to_string(),
            )
        };
        let mut book = Book::new();
        let mut sheet = book.sheet(
            "调整事项",
            &[
                ("序号", 8.0),
                ("部门", 24.0),
                ("单位", 24.0),
                ("类型", 8.0),
                ("调出指标", 30.0),
                ("调入指标或项目", 36.0),
                ("金额（元）", 16.0),
                ("重大追加", 10.0),
                ("调整理由", 48.0),
                ("批准人", 12.0),
                ("批准时间（北京时间）", 22.0),
            ],
        )?;
        for (number, c) in (1u32..).zip(&a.changes) {
            let to = match c.kind {
                AdjustmentKind::Transfer => c.to_line_name.as_deref(),
                AdjustmentKind::Supplement => c.project_name.as_deref(),
            };
            sheet.row([
                Cell::Number(f64::from(number)),
                Cell::text(c.department_name.as_str()),
                Cell::text(c.unit_name.as_str()),
                Cell::text(c.kind_label),
                Cell::text(c.from_line_name.as_deref().unwrap_or("")),
                Cell::text(to.unwrap_or("")),
                Cell::Yuan(c.amount),
                Cell::text(if c.major { "是" } else { "" }),
                Cell::text(c.reason.as_str()),
                Cell::text(c.decided_by.as_deref().map(person).unwrap_or_default()),
                Cell::text(c.decided_at.as_deref().map(beijing).unwrap_or_default()),
            ])?;
        }
        let mut sums = book.sheet(
            "部门汇总",
            &[("部门", 28.0), ("调剂（元）", 18.0), ("追加（元）", 18.0)],
        )?;
        let total = ("合计".to_string(), a.transferred, a.supplemented);
        for (name, moved, added) in a.departments.iter().chain([&total]) {
            sums.row([
                Cell::text(name.as_str()),
                Cell::Yuan(*moved),
                Cell::Yuan(*added),
            ])?;
        }
        book.save()
    }
}
