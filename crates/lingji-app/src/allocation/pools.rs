//! Fund pools 资金池 (ZX-3b, ZB-10, ZB-12): finance merges special funds of several departments
//! from the registry into a pool of a year with a lead department and an application deadline;
//! units apply to the pool with their projects (one gate); finance allocates the pool to the
//! applications in one decision, which — like the approval of a run — spreads each share over
//! the project's cost lines into budget lines and marks the project funded, in one transaction
//! with its audit event. Everyone in the jurisdiction reads the pools (as they read the
//! special-fund registry); the applications each reader sees are those of projects they may
//! read.

use chrono::NaiveDate;
use lingji_domain::allocation::pool::{self as rules, PoolDraft, PoolMember, Share, check_request};
use lingji_domain::allocation::spread;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::library::ProjectState;
use lingji_domain::{Money, Refusal};
use lingji_store::allocation::pools::{
    self as store, Application, NewApplication, Pool, StoredMember,
};
use lingji_store::allocation::{BudgetLine, insert_lines, set_funded};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::sheets::{Book, Cell};

/// A member fund as finance picks it: the registry's code and the amount it brings.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    /// Code in the special-fund registry (专项资金目录).
    pub fund_code: String,
    /// 纳入金额 in 元.
    #[schema(value_type = String)]
    pub amount: Money,
}

/// A pool as finance creates or edits it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolInput {
    pub name: String,
    pub fiscal_year: i32,
    /// 牵头部门 (organisation id), one of the members' departments.
    pub lead_department_id: Option<i64>,
    /// 申报截止日期, YYYY-MM-DD.
    pub deadline: String,
    pub members: Vec<MemberInput>,
}

/// A unit's application to a pool with one of its projects.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationInput {
    pub project_id: i64,
    /// 申请金额 in 元.
    #[schema(value_type = String)]
    pub amount: Money,
    /// 用途.
    #[serde(default)]
    pub purpose: String,
}

/// One application's share in the allocation.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    pub application_id: i64,
    /// 分配金额 in 元 (zero: nothing).
    #[schema(value_type = String)]
    pub amount: Money,
}

/// The pool's allocation as finance decides it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationInput {
    /// 分配方案文号, the budget lines' document.
    pub document: String,
    /// One share per application; an application left out gets nothing.
    pub shares: Vec<ShareInput>,
    /// The pool's version read.
    pub version: i64,
}

/// A pool with its members, the applications the caller may read and the totals.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PoolView {
    #[serde(flatten)]
    pub pool: Pool,
    pub members: Vec<StoredMember>,
    /// 涉及部门 (the members' departments, each once).
    pub departments: Vec<String>,
    pub applications: Vec<Application>,
    /// 申请合计 (of the applications shown).
    #[schema(value_type = String)]
    pub requested: Money,
    /// 已分配 (the whole pool's allocation).
    #[schema(value_type = String)]
    pub given: Money,
    /// 结余: size − given.
    #[schema(value_type = String)]
    pub left: Money,
    /// Whether applications are still taken today (before the deadline and not allocated).
    pub open: bool,
}

/// The day in Beijing.
pub fn beijing_today() -> NaiveDate {
    chrono::FixedOffset::east_opt(8 * 3600)
        .map(|z| chrono::Utc::now().with_timezone(&z).date_naive())
        .unwrap_or_else(|| chrono::Utc::now().date_naive())
}

fn display_name(scope: &Scope) -> String {
    scope
        .caller
        .actor()
        .map_or_else(|| "系统".to_string(), |a| a.display_name.clone())
}

fn refused(code: &'static str, message: impl Into<String>, field: &str) -> AppError {
    Refusal::new(code, message)
        .field(field)
        .clause(rules::CLAUSE)
        .into()
}

impl crate::AllocationUseCases<'_> {
    /// The year's pools with their members and totals (everyone in the jurisdiction reads).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn fund_pools(&self, scope: &Scope, year: i32) -> AppResult<Vec<PoolView>> {
        scope.authorize_jurisdiction(Resource::FinanceList, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        let mut out = Vec::new();
        for p in store::pools(&mut conn, scope.jurisdiction, year).await? {
            out.push(self.view(&mut conn, scope, p).await?);
        }
        Ok(out)
    }

    /// One pool.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn fund_pool(&self, scope: &Scope, id: i64) -> AppResult<PoolView> {
        scope.authorize_jurisdiction(Resource::FinanceList, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        let pool = self.pool_in(&mut conn, scope, id).await?;
        self.view(&mut conn, scope, pool).await
    }

    /// Ends a change to pool `id`: reads it again, audits `action` with before and after, and
    /// commits.
    async fn finish_change(
        &self,
        mut tx: lingji_store::Tx,
        scope: &Scope,
        id: i64,
        action: &str,
        before: &PoolView,
    ) -> AppResult<PoolView> {
        let pool = self.pool_in(&mut tx, scope, id).await?;
        let after = self.view(&mut tx, scope, pool).await?;
        let event = scope
            .caller
            .event(scope.jurisdiction, action, "fund_pool", id)
            .before_json(before)
            .after_json(&after);
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn pool_in(&self, conn: &mut AnyConnection, scope: &Scope, id: i64) -> AppResult<Pool> {
        store::pool(conn, id)
            .await?
            .filter(|p| p.jurisdiction_id == scope.jurisdiction)
            .ok_or_else(|| AppError::not_found("资金池"))
    }

    async fn view(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        pool: Pool,
    ) -> AppResult<PoolView> {
        let members = store::members(conn, pool.id).await?;
        let all = store::applications(conn, pool.id).await?;
        let given = Money::checked_sum(all.iter().filter_map(|a| a.given))
            .ok_or_else(|| AppError::Internal("pool total overflow".into()))?;
        let applications: Vec<Application> = all
            .into_iter()
            .filter(|a| {
                let path = lingji_domain::foundation::org::OrgPath {
                    jurisdiction: pool.jurisdiction_id,
                    department: Some(a.department_id),
                    unit: Some(a.unit_id),
                };
                scope
                    .caller
                    .authorize(Resource::Project, Access::Read, &path)
                    .is_ok()
            })
            .collect();
        let requested = Money::checked_sum(applications.iter().map(|a| a.requested))
            .ok_or_else(|| AppError::Internal("pool total overflow".into()))?;
        let mut departments: Vec<String> = Vec::new();
        for m in &members {
            if !departments.contains(&m.department) {
                departments.push(m.department.clone());
            }
        }
        let open = pool.allocated_at.is_none()
            && NaiveDate::parse_from_str(&pool.deadline, "%Y-%m-%d")
                .is_ok_and(|d| PoolDraft::gate_open(d, beijing_today()));
        Ok(PoolView {
            left: pool.size.checked_sub(given).unwrap_or(Money::ZERO),
            pool,
            members,
            departments,
            applications,
            requested,
            given,
            open,
        })
    }

    /// The draft of `input` with each fund read from the registry: unknown funds, funds whose
    /// period ended (ZB-12) and a bad deadline are refused by field.
    async fn draft(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        input: &PoolInput,
        errors: &mut Vec<Refusal>,
    ) -> AppResult<PoolDraft> {
        let deadline = NaiveDate::parse_from_str(input.deadline.trim(), "%Y-%m-%d").ok();
        if deadline.is_none() && !input.deadline.trim().is_empty() {
            errors.push(
                Refusal::new(
                    "POOL_DEADLINE_INVALID",
                    "申报截止日期应为 年-月-日，如 2026-03-31",
                )
                .field("deadline")
                .clause(rules::CLAUSE),
            );
        }
        let mut members = Vec::new();
        for (i, m) in input.members.iter().enumerate() {
            let code = m.fund_code.trim();
            let fund =
                lingji_store::review::lists::special_fund_in_force(conn, scope.jurisdiction, code)
                    .await?;
            match fund {
                Some(f) if f.entry.fund.ended_before(input.fiscal_year) => errors.push(
                    Refusal::new(
                        "POOL_FUND_ENDED",
                        format!(
                            "专项资金“{}”执行期限已满，{}年度不再安排",
                            f.entry.name, input.fiscal_year
                        ),
                    )
                    .field(format!("members[{i}].fund_code"))
                    .clause("ZB-12"),
                ),
                Some(f) => members.push(PoolMember {
                    fund_code: code.to_string(),
                    fund_name: f.entry.name.clone(),
                    department_id: f.entry.fund.lead_department_id.unwrap_or_default(),
                    amount: m.amount,
                }),
                None => errors.push(
                    Refusal::new("POOL_FUND_UNKNOWN", "请从专项资金目录中选择在用的专项资金")
                        .field(format!("members[{i}].fund_code"))
                        .clause("ZB-12"),
                ),
            }
        }
        Ok(PoolDraft {
            name: input.name.trim().to_string(),
            fiscal_year: input.fiscal_year,
            lead_department_id: input.lead_department_id,
            deadline,
            members,
        })
    }

    async fn checked(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        input: &PoolInput,
        except: Option<i64>,
    ) -> AppResult<(PoolDraft, Money)> {
        let mut errors = Vec::new();
        let draft = self.draft(conn, scope, input, &mut errors).await?;
        let taken = store::taken(conn, scope.jurisdiction, input.fiscal_year, except).await?;
        // A member refused as unknown is not in the draft: the draft's own refusals would name
        // the wrong row, so they are checked on complete drafts only.
        if errors.is_empty() {
            errors.extend(draft.check(&taken));
        } else if draft.name.is_empty() {
            errors.extend(
                draft
                    .check(&taken)
                    .into_iter()
                    .filter(|r| r.field.as_deref() == Some("name")),
            );
        }
        if !errors.is_empty() {
            return Err(AppError::invalid("POOL_INVALID", "资金池设置有误", errors));
        }
        let size = draft
            .size()
            .ok_or_else(|| AppError::Internal("pool size overflow".into()))?;
        Ok((draft, size))
    }

    /// Creates a pool (finance), audited.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn create_fund_pool(&self, scope: &Scope, input: PoolInput) -> AppResult<PoolView> {
        scope.authorize_jurisdiction(Resource::FinanceList, Access::Write)?;
        let mut tx = self.store.begin().await?;
        let (draft, size) = self.checked(&mut tx, scope, &input, None).await?;
        let id = store::insert(
            &mut tx,
            scope.jurisdiction,
            &draft,
            size,
            &display_name(scope),
        )
        .await
        .map_err(taken_conflict)?;
        let pool = self.pool_in(&mut tx, scope, id).await?;
        let view = self.view(&mut tx, scope, pool).await?;
        let event = scope
            .caller
            .event(scope.jurisdiction, "fund_pool.create", "fund_pool", id)
            .after_json(&view);
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Changes a pool's terms and members while it is not allocated (finance), audited.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn update_fund_pool(
        &self,
        scope: &Scope,
        id: i64,
        input: PoolInput,
        expected_version: i64,
    ) -> AppResult<PoolView> {
        scope.authorize_jurisdiction(Resource::FinanceList, Access::Write)?;
        let mut tx = self.store.begin().await?;
        let before = self.pool_in(&mut tx, scope, id).await?;
        if before.allocated_at.is_some() {
            return Err(refused("POOL_ALLOCATED", "资金池已分配，不能再修改", "id"));
        }
        if input.fiscal_year != before.fiscal_year {
            return Err(Refusal::new("POOL_YEAR_FIXED", "资金池的预算年度不能修改")
                .field("fiscal_year")
                .into());
        }
        let (draft, size) = self.checked(&mut tx, scope, &input, Some(id)).await?;
        let before = self.view(&mut tx, scope, before).await?;
        store::update(
            &mut tx,
            id,
            scope.jurisdiction,
            &draft,
            size,
            expected_version,
        )
        .await
        .map_err(taken_conflict)?;
        self.finish_change(tx, scope, id, "fund_pool.update", &before)
            .await
    }

    /// A unit applies to a pool with one of its projects of the pool's year, before the
    /// deadline (one gate, ZX-3b), audited.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn apply_to_fund_pool(
        &self,
        scope: &Scope,
        id: i64,
        input: ApplicationInput,
    ) -> AppResult<Application> {
        let mut tx = self.store.begin().await?;
        let pool = self.pool_in(&mut tx, scope, id).await?;
        let detail = self
            .library()
            .load_for(&scope.caller, &mut tx, input.project_id, Access::Write)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => AppError::NotFound(
                    Refusal::new("PROJECT_UNKNOWN", "请选择本单位的项目").field("project_id"),
                ),
                other => other,
            })?;
        store::lock(&mut tx, id).await?;
        let pool = store::pool(&mut tx, id).await?.unwrap_or(pool);
        if pool.allocated_at.is_some() {
            return Err(refused(
                "POOL_ALLOCATED",
                "资金池已分配，不再受理申报",
                "project_id",
            ));
        }
        let deadline = NaiveDate::parse_from_str(&pool.deadline, "%Y-%m-%d")
            .map_err(|_| AppError::Internal("pool deadline".into()))?;
        if !PoolDraft::gate_open(deadline, beijing_today()) {
            return Err(refused(
                "POOL_GATE_CLOSED",
                format!("资金池申报已于 {} 截止", pool.deadline),
                "project_id",
            ));
        }
        let h = &detail.project.header;
        if h.fiscal_year != pool.fiscal_year {
            return Err(refused(
                "POOL_YEAR_MISMATCH",
                format!("请选择 {} 年度的项目", pool.fiscal_year),
                "project_id",
            ));
        }
        if matches!(
            h.state,
            ProjectState::Rejected | ProjectState::Retired | ProjectState::Completed
        ) {
            return Err(Refusal::new(
                "POOL_PROJECT_STATE",
                format!("“{}”状态的项目不能申报资金池", h.state.label()),
            )
            .field("project_id")
            .into());
        }
        check_request(input.amount, pool.size).map_err(AppError::from)?;
        let purpose = input.purpose.trim();
        if purpose.chars().count() > 200 {
            return Err(Refusal::new("POOL_PURPOSE_LONG", "用途不超过 200 个字")
                .field("purpose")
                .into());
        }
        let app_id = store::apply(
            &mut tx,
            &NewApplication {
                pool_id: id,
                project_id: input.project_id,
                unit_id: h.unit_id,
                department_id: h.department_id,
                requested: input.amount,
                purpose,
                actor: &display_name(scope),
            },
        )
        .await
        .map_err(|e| match e {
            lingji_store::StoreError::Conflict(_) => AppError::Conflict(
                Refusal::new("POOL_APPLIED", "该项目已申报本资金池").field("project_id"),
            ),
            other => other.into(),
        })?;
        let application = store::applications(&mut tx, id)
            .await?
            .into_iter()
            .find(|a| a.id == app_id)
            .ok_or_else(|| AppError::Internal("application vanished".into()))?;
        let event = scope
            .caller
            .event(scope.jurisdiction, "fund_pool.apply", "fund_pool", id)
            .after_json(&application);
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(application)
    }

    /// Allocates the pool to its applications in one decision (finance): never more than the
    /// pool (ZX-3b), each funded project admitted (QJ-2a); the shares become budget lines over
    /// each project's cost lines and the projects are marked funded, audited, in one
    /// transaction.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn allocate_fund_pool(
        &self,
        scope: &Scope,
        id: i64,
        input: AllocationInput,
    ) -> AppResult<PoolView> {
        self.authorize_allocation(scope, Access::Write)?;
        let mut tx = self.store.begin().await?;
        let pool = self.pool_in(&mut tx, scope, id).await?;
        store::lock(&mut tx, id).await?;
        if pool.allocated_at.is_some() {
            return Err(AppError::Conflict(
                Refusal::new("POOL_ALLOCATED", "资金池已分配").clause(rules::CLAUSE),
            ));
        }
        let document = input.document.trim();
        if document.is_empty() || document.chars().count() > 100 {
            return Err(Refusal::new(
                "POOL_DOCUMENT_REQUIRED",
                "请填写分配方案文号（不超过 100 个字；分配方案经集体研究）",
            )
            .field("document")
            .clause("QJ-3b")
            .into());
        }
        crate::execution::year_end::refuse_if_closed(
            &mut tx,
            scope.jurisdiction,
            pool.fiscal_year,
            lingji_domain::execution::MoneyMovement::NewLine,
            "document",
        )
        .await?;
        let applications = store::applications(&mut tx, id).await?;
        let mut errors = Vec::new();
        let mut shares = Vec::new();
        for (i, s) in input.shares.iter().enumerate() {
            match applications.iter().find(|a| a.id == s.application_id) {
                Some(a) => shares.push(Share {
                    requested: a.requested,
                    given: s.amount,
                }),
                None => {
                    errors.push(
                        Refusal::new("POOL_APPLICATION_UNKNOWN", "该申报不属于本资金池")
                            .field(format!("shares[{i}].application_id")),
                    );
                    shares.push(Share {
                        requested: Money::ZERO,
                        given: Money::ZERO,
                    });
                }
            }
            if input.shares[..i]
                .iter()
                .any(|o| o.application_id == s.application_id)
            {
                errors.push(
                    Refusal::new("POOL_APPLICATION_TWICE", "同一申报只能分配一次")
                        .field(format!("shares[{i}].application_id")),
                );
            }
        }
        if let Err(e) = rules::allocate(pool.size, &shares) {
            errors.extend(e);
        }
        let mut lines = Vec::new();
        for (i, s) in input.shares.iter().enumerate() {
            let Some(a) = applications.iter().find(|a| a.id == s.application_id) else {
                continue;
            };
            if s.amount <= Money::ZERO {
                continue;
            }
            let detail = lingji_store::library::projects::get_detail(&mut tx, a.project_id)
                .await?
                .ok_or_else(|| AppError::not_found("项目"))?;
            let h = &detail.project.header;
            if h.state != ProjectState::Admitted {
                errors.push(
                    Refusal::new(
                        "POOL_PROJECT_NOT_ADMITTED",
                        format!(
                            "项目 {} {} 尚未入库（{}），不能安排资金",
                            h.code,
                            h.name,
                            h.state.label()
                        ),
                    )
                    .field(format!("shares[{i}].amount"))
                    .clause("QJ-2a"),
                );
                continue;
            }
            let weights: Vec<(String, Money)> = detail
                .cost_lines
                .iter()
                .map(|l| (l.input.economic_code.clone(), l.amount))
                .collect();
            let base = BudgetLine {
                id: 0,
                fiscal_year: pool.fiscal_year,
                department_id: h.department_id,
                unit_id: h.unit_id,
                project_id: Some(a.project_id),
                item_id: a.project_id,
                name: format!("{}（{}）", h.name, pool.name),
                economic_code: String::new(),
                fund_book: h.fund_book.unwrap_or(FundBook::GeneralPublic),
                three_guarantees: false,
                approved: Money::ZERO,
                source_document: document.to_string(),
                run_id: None,
            };
            for (code, amount) in spread(s.amount, &weights, &h.government_economic_code) {
                lines.push(BudgetLine {
                    economic_code: code,
                    approved: amount,
                    ..base.clone()
                });
            }
            if errors.is_empty() {
                set_funded(&mut tx, a.project_id, s.amount).await?;
            }
        }
        if !errors.is_empty() {
            return Err(AppError::invalid(
                "POOL_ALLOCATION_INVALID",
                "资金池分配有误",
                errors,
            ));
        }
        let before = self.view(&mut tx, scope, pool).await?;
        for s in &input.shares {
            store::give(&mut tx, s.application_id, s.amount).await?;
        }
        insert_lines(&mut tx, scope.jurisdiction, &lines, scope.caller.name()).await?;
        store::mark_allocated(&mut tx, id, &display_name(scope), document, input.version).await?;
        self.finish_change(tx, scope, id, "fund_pool.allocate", &before)
            .await
    }

    /// The pool as .xlsx: its terms and size, members, applications and the allocation.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn export_fund_pool(&self, scope: &Scope, id: i64) -> AppResult<(PoolView, Vec<u8>)> {
        let v = self.fund_pool(scope, id).await?;
        let mut book = Book::new();
        {
            let mut sheet = book.sheet("资金池", &[("项目", 18.0), ("内容", 40.0)])?;
            let p = &v.pool;
            let rows: [(&str, Cell); 8] = [
                ("资金池", Cell::text(p.name.as_str())),
                ("预算年度", Cell::Number(f64::from(p.fiscal_year))),
                ("牵头部门", Cell::text(p.lead_department.as_str())),
                ("涉及部门", Cell::text(v.departments.join("、"))),
                ("申报截止日期", Cell::text(p.deadline.as_str())),
                ("资金池规模（元）", Cell::Yuan(p.size)),
                ("已分配（元）", Cell::Yuan(v.given)),
                ("结余（元）", Cell::Yuan(v.left)),
            ];
            for (label, value) in rows {
                sheet.row([Cell::bold(label), value])?;
            }
            if let Some(d) = &p.document {
                sheet.row([Cell::bold("分配方案文号"), Cell::text(d.as_str())])?;
            }
        }
        {
            let mut sheet = book.sheet(
                "成员资金",
                &[
                    ("专项资金编码", 16.0),
                    ("专项资金", 30.0),
                    ("主管部门", 24.0),
                    ("纳入金额（元）", 18.0),
                ],
            )?;
            for m in &v.members {
                sheet.row([
                    Cell::text(m.fund_code.as_str()),
                    Cell::text(m.fund_name.as_str()),
                    Cell::text(m.department.as_str()),
                    Cell::Yuan(m.amount),
                ])?;
            }
            sheet.row([
                Cell::bold("合计"),
                Cell::Empty,
                Cell::Empty,
                Cell::Yuan(v.pool.size),
            ])?;
        }
        {
            let mut sheet = book.sheet(
                "申报与分配",
                &[
                    ("项目编码", 22.0),
                    ("项目名称", 30.0),
                    ("申报单位", 24.0),
                    ("主管部门", 20.0),
                    ("用途", 24.0),
                    ("申请金额（元）", 18.0),
                    ("分配金额（元）", 18.0),
                ],
            )?;
            for a in &v.applications {
                sheet.row([
                    Cell::text(a.project_code.as_str()),
                    Cell::text(a.project_name.as_str()),
                    Cell::text(a.unit.as_str()),
                    Cell::text(a.department.as_str()),
                    Cell::text(a.purpose.as_str()),
                    Cell::Yuan(a.requested),
                    a.given.map_or(Cell::Empty, Cell::Yuan),
                ])?;
            }
            sheet.row([
                Cell::bold("合计"),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Yuan(v.requested),
                Cell::Yuan(v.given),
            ])?;
        }
        let bytes = book.save()?;
        Ok((v, bytes))
    }
}

/// The unique index on a fund per year met by a simultaneous pool: the ZX-3b refusal.
fn taken_conflict(e: lingji_store::StoreError) -> AppError {
    match e {
        lingji_store::StoreError::Conflict(what) if what.contains("fund_pool_members") => {
            AppError::Conflict(
                Refusal::new(
                    "POOL_FUND_TAKEN",
                    "所选专项资金已纳入本年度另一个资金池，一项专项资金一年只能归并一个资金池",
                )
                .field("members")
                .clause(rules::CLAUSE),
            )
        }
        other => other.into(),
    }
}
