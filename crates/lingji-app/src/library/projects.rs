//! Project library use cases: units prepare projects from zero (ZB-4), every amount computed
//! from a standard or justified (ZB-14), checked for admission (ZB-15a, CS-1, …) and moved
//! through the lifecycle (ZB-15c).

mod codes;
mod draft;

use crate::Scope;
use lingji_domain::foundation::authz::{Access, Resource, Role};
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::foundation::org::{OrgKind, OrgPath, UnitKind};
use lingji_domain::library::admission::{ProjectFacts, check_admission};
use lingji_domain::library::cost::check_line;
use lingji_domain::library::lifecycle::Mover;
use lingji_domain::library::targets::{Indicator, TargetTable};
use lingji_domain::library::{
    Features, PolicyBasis, ProjectKind, ProjectState, YearNeed, project_code,
};
use lingji_domain::review::routing::JointBody;
use lingji_domain::{Money, Refusal};
use lingji_store::foundation::audit::Chain;
use lingji_store::foundation::orgs::Organisation;
use lingji_store::library::projects::search::{self as project_search, ProjectPage, ProjectSearch};
use lingji_store::library::projects::{
    self, CostLine, Filter, HistoryEntry, Project, ProjectDetail, ProjectHeader,
};
use lingji_store::{foundation::orgs, foundation::profiles, library::standards};
use sqlx::AnyConnection;

use self::codes::refuse_codes;
pub(crate) use self::codes::{code_errors, year_codes};
use self::draft::parse_draft;
pub(crate) use self::draft::parse_indicators;
pub use self::draft::{CostLineDraft, IndicatorDraft, ProjectDraft, YearNeedDraft};
use crate::error::{AppError, AppResult};
use crate::foundation::additions::Additions;
use crate::foundation::caller::Caller;

/// A project the clean-up proposes to retire, with why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CleanupCandidate {
    pub project: Project,
    /// Reasons, each citing its clause.
    pub reasons: Vec<String>,
}

/// A jurisdiction's catalogue of standards by id, read once by an import (ZB-14).
pub(crate) type Catalogue = std::collections::HashMap<i64, lingji_domain::library::cost::Standard>;

/// A new project numbered and checked, not yet written.
pub(crate) struct NewProject {
    pub(crate) header: ProjectHeader,
    pub(crate) lines: Vec<CostLine>,
    pub(crate) indicators: Vec<Indicator>,
    pub(crate) plan: Vec<YearNeed>,
}

fn invalid(errors: Vec<Refusal>, what: &str) -> AppError {
    AppError::Invalid {
        summary: Refusal::new(
            "PROJECT_INVALID",
            format!("{what}有 {} 处需要修改", errors.len()),
        ),
        errors,
    }
}

pub(crate) fn path_of(p: &ProjectHeader) -> OrgPath {
    OrgPath {
        jurisdiction: p.jurisdiction_id,
        department: Some(p.department_id),
        unit: Some(p.unit_id),
    }
}

/// The unit a new project belongs to, with its department and jurisdiction (for the code).
pub(crate) struct Owner {
    pub(crate) unit: Organisation,
    pub(crate) department: Organisation,
    pub(crate) jurisdiction: Organisation,
}

impl Owner {
    /// Loads the unit and checks the caller may add projects to it; a unit outside the
    /// caller's scope is reported as not found.
    pub(crate) async fn load(
        conn: &mut AnyConnection,
        caller: &Caller,
        unit_id: i64,
    ) -> AppResult<Owner> {
        let unit = orgs::get(conn, unit_id)
            .await?
            .ok_or_else(|| AppError::not_found("单位"))?;
        caller
            .authorize(Resource::Project, Access::Write, &unit.path)
            .map_err(|_| AppError::not_found("单位"))?;
        if unit.kind != OrgKind::Unit {
            return Err(Refusal::new(
                "PROJECT_OWNER_NOT_UNIT",
                "项目资金须细化到具体预算单位，由预算单位申报",
            )
            .field("unit_id")
            .clause("ZB-2b")
            .into());
        }
        let department_id = unit
            .path
            .department
            .ok_or_else(|| AppError::Internal("unit without department".into()))?;
        let department = orgs::get(conn, department_id)
            .await?
            .ok_or_else(|| AppError::not_found("主管部门"))?;
        let jurisdiction = orgs::get(conn, unit.path.jurisdiction)
            .await?
            .ok_or_else(|| AppError::not_found("区划"))?;
        Ok(Owner {
            unit,
            department,
            jurisdiction,
        })
    }
}

/// Shows a project's approved and paid amounts as its lines' ledger says (carry-overs counted
/// once), the figures review, allocation and evaluation read; a project without lines keeps
/// what was recorded on it.
pub(crate) async fn with_ledger_figures(
    conn: &mut AnyConnection,
    d: &mut ProjectDetail,
) -> AppResult<()> {
    let h = &mut d.project.header;
    let e = lingji_store::performance::project_execution(conn, d.project.id)
        .await?
        .or_recorded(h.approved, h.spent);
    (h.approved, h.spent) = (e.budget, e.spent);
    Ok(())
}

/// Refuses the move to `to` with every admission problem (ZB-15a), if there is any.
pub(crate) fn admissible(problems: Vec<Refusal>, to: ProjectState) -> AppResult<()> {
    if problems.is_empty() {
        return Ok(());
    }
    Err(AppError::Invalid {
        summary: Refusal::new(
            "PROJECT_NOT_ADMISSIBLE",
            format!(
                "项目有 {} 处不符合入库要求，未能{}",
                problems.len(),
                to.label()
            ),
        )
        .clause("ZB-15a"),
        errors: problems,
    })
}

/// Who moves a project, from the caller's role.
pub fn mover(caller: &Caller) -> Option<Mover> {
    match caller {
        Caller::System => Some(Mover::System),
        Caller::User(a) => match a.role {
            Role::UnitOperator => Some(Mover::Unit),
            Role::DepartmentReviewer => Some(Mover::Reviewer),
            Role::FinanceOfficer => Some(Mover::Finance),
            _ => None,
        },
    }
}

/// The standards a draft's cost lines name, read from the store: the catalogue of a project
/// entered alone (an import reads the jurisdiction's whole catalogue once).
async fn named_standards(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    draft: &ProjectDraft,
) -> AppResult<Catalogue> {
    let mut named = Catalogue::new();
    for id in draft.cost_lines.iter().filter_map(|l| l.standard_id) {
        if !named.contains_key(&id)
            && let Some(standard) = standards::get(conn, jurisdiction_id, id).await?
        {
            named.insert(id, standard);
        }
    }
    Ok(named)
}

/// The parts of a project as checked and built from its draft.
type Built = (ProjectHeader, Vec<CostLine>, Vec<Indicator>, Vec<YearNeed>);

/// Computes the cost lines against the catalogue (ZB-14) for a unit of `unit_kind` and builds
/// the header content; a line naming a standard not in `catalogue` is refused as unknown.
fn build(
    draft: &ProjectDraft,
    base: ProjectHeader,
    unit_kind: Option<UnitKind>,
    catalogue: &Catalogue,
) -> AppResult<Built> {
    let (parsed, mut errors) = parse_draft(draft);
    let mut lines = Vec::new();
    for (i, input) in parsed.lines {
        let standard = input.standard_id.and_then(|id| catalogue.get(&id));
        match check_line(&input, standard, base.fiscal_year, unit_kind) {
            Ok(amount) => lines.push(CostLine { input, amount }),
            Err(r) => {
                let field = r.field.clone().unwrap_or_default();
                let message = format!("第 {} 行测算：{}", i + 1, r.message);
                errors.push(Refusal {
                    message,
                    field: Some(format!("cost_lines[{i}].{field}")),
                    ..r
                });
            }
        }
    }
    let kind = match parsed.kind {
        Some(kind) if errors.is_empty() => kind,
        _ => return Err(invalid(errors, "项目")),
    };
    let request = Money::checked_sum(lines.iter().map(|l| l.amount)).ok_or_else(|| {
        AppError::Refused(
            Refusal::new("MONEY_OUT_OF_RANGE", "测算合计超出允许范围").field("cost_lines"),
        )
    })?;
    let multi_year = parsed.period.is_some_and(|p| p.is_multi_year());
    let header = ProjectHeader {
        name: parsed.name,
        kind,
        matter_class: parsed.matter_class,
        tier: parsed.tier,
        basis: parsed.basis,
        period: parsed.period,
        // A single-year project needs exactly this year's request.
        total_need: if multi_year {
            parsed.total_need
        } else {
            request
        },
        request,
        min_viable: parsed.min_viable,
        function_code: draft.function_code.trim().to_string(),
        government_economic_code: draft.government_economic_code.trim().to_string(),
        fund_book: parsed.fund_book,
        responsible_person: draft.responsible_person.trim().to_string(),
        responsible_phone: draft.responsible_phone.trim().to_string(),
        is_new: draft.is_new,
        is_major: draft.is_major,
        livelihood: draft.livelihood,
        features: draft.features,
        overall_goal: draft.overall_goal.trim().to_string(),
        ..base
    };
    let plan = if multi_year { parsed.plan } else { Vec::new() };
    Ok((header, lines, parsed.indicators, plan))
}

/// A new project of `owner` numbered `serial` in its department's year, checked and built
/// from its draft against `catalogue` (ZB-14); needs no connection, so an import numbers the
/// next rows while the last are written.
pub(crate) fn numbered_project(
    owner: &Owner,
    year: FiscalYear,
    serial: u32,
    draft: &ProjectDraft,
    previous: Option<i64>,
    catalogue: &Catalogue,
) -> AppResult<NewProject> {
    let jurisdiction = &owner.jurisdiction;
    let base = ProjectHeader {
        jurisdiction_id: jurisdiction.id,
        department_id: owner.department.id,
        unit_id: owner.unit.id,
        code: project_code(
            &jurisdiction.code,
            year.value(),
            &owner.department.code,
            serial,
        ),
        fiscal_year: year.value(),
        name: String::new(),
        kind: ProjectKind::SpecificPurpose,
        matter_class: None,
        tier: None,
        state: ProjectState::Reserve,
        basis: PolicyBasis::default(),
        period: None,
        total_need: Money::ZERO,
        request: Money::ZERO,
        min_viable: Money::ZERO,
        function_code: String::new(),
        government_economic_code: String::new(),
        fund_book: None,
        responsible_person: String::new(),
        responsible_phone: String::new(),
        is_new: true,
        is_major: false,
        features: Features::default(),
        overall_goal: String::new(),
        last_funded_year: None,
        previous_id: previous,
        approved: Money::ZERO,
        spent: Money::ZERO,
        livelihood: false,
        livelihood_checked: None,
    };
    let (header, lines, indicators, plan) = build(draft, base, owner.unit.unit_kind, catalogue)?;
    Ok(NewProject {
        header,
        lines,
        indicators,
        plan,
    })
}

impl crate::LibraryUseCases<'_> {
    /// Creates a project in the reserve of `unit_id` for `year`, from zero (ZB-4): nothing is
    /// taken from last year; every amount is computed from the cost lines.
    ///
    /// `previous` links last year's project of the same line as reference (ZB-4): its approved
    /// and spent amounts are shown beside the new request, never copied into it.
    #[tracing::instrument(skip_all)]
    pub async fn create_project(
        &self,
        caller: &Caller,
        unit_id: i64,
        year: FiscalYear,
        draft: &ProjectDraft,
        previous: Option<i64>,
    ) -> AppResult<ProjectDetail> {
        let mut tx = self.store.begin().await?;
        let owner = Owner::load(&mut tx, caller, unit_id).await?;
        if let Some(prev) = previous {
            let p = self
                .load_for(caller, &mut tx, prev, Access::Read)
                .await?
                .project
                .header;
            if p.unit_id != unit_id || p.fiscal_year >= year.value() {
                return Err(Refusal::new(
                    "PREVIOUS_PROJECT_INVALID",
                    "上年项目须为本单位以前年度的项目",
                )
                .field("previous_id")
                .clause("ZB-4")
                .into());
            }
        }
        refuse_codes(&mut tx, draft, year.value()).await?;
        let mut adds = Additions::begin(&mut tx).await?;
        let new = self
            .prepare_project(&mut tx, &mut adds, &owner, year, draft, previous, None)
            .await?;
        let detail = self
            .store_projects(&mut tx, &mut adds.chain, caller, vec![new])
            .await?
            .pop()
            .ok_or_else(|| AppError::not_found("项目"))?;
        adds.finish(&mut tx).await?;
        tx.commit().await?;
        Ok(detail)
    }

    /// Numbers and checks a new project of `owner` inside the caller's transaction (its code
    /// counted in `adds`), computing its cost lines against the catalogue (ZB-14): the
    /// standards its lines name read from the store, or `catalogue` when the caller read it
    /// once. Nothing is written yet: [`Self::store_projects`] does, for one project or
    /// thousands.
    #[expect(clippy::too_many_arguments)]
    pub(crate) async fn prepare_project(
        &self,
        conn: &mut AnyConnection,
        adds: &mut Additions,
        owner: &Owner,
        year: FiscalYear,
        draft: &ProjectDraft,
        previous: Option<i64>,
        catalogue: Option<&Catalogue>,
    ) -> AppResult<NewProject> {
        let serial = adds
            .serials
            .take(
                conn,
                owner.jurisdiction.id,
                year.value(),
                owner.department.id,
            )
            .await?;
        let named;
        let catalogue = match catalogue {
            Some(loaded) => loaded,
            None => {
                named = named_standards(conn, owner.jurisdiction.id, draft).await?;
                &named
            }
        };
        numbered_project(owner, year, serial, draft, previous, catalogue)
    }

    /// Writes new projects inside the caller's transaction — content, child rows, history and
    /// one audit event each (`project.create`, on `chain`) — each table in multi-row
    /// statements; the caller finishes its [`Additions`] and commits. The stored projects, in
    /// order.
    pub(crate) async fn store_projects(
        &self,
        conn: &mut AnyConnection,
        chain: &mut Chain,
        caller: &Caller,
        new: Vec<NewProject>,
    ) -> AppResult<Vec<ProjectDetail>> {
        let (headers, contents): (Vec<_>, Vec<_>) = new
            .into_iter()
            .map(|n| (n.header, (n.lines, n.indicators, n.plan)))
            .unzip();
        let stored = projects::insert_many(conn, headers).await?;
        // What was just written, without reading it back (imports add projects by the
        // hundred thousand).
        let details: Vec<ProjectDetail> = stored
            .into_iter()
            .zip(contents)
            .map(
                |(project, (cost_lines, indicators, year_plan))| ProjectDetail {
                    project,
                    cost_lines,
                    indicators,
                    year_plan,
                },
            )
            .collect();
        let children: Vec<projects::Children<'_>> = details
            .iter()
            .map(|d| {
                (
                    d.project.id,
                    d.cost_lines.as_slice(),
                    d.indicators.as_slice(),
                    d.year_plan.as_slice(),
                )
            })
            .collect();
        let ids: Vec<i64> = details.iter().map(|d| d.project.id).collect();
        // Each event holds its project as JSON: made and hashed on the chain here while
        // PostgreSQL's server writes the child rows and the history (on SQLite no gain was
        // measured, docs/BENCHMARKS.md).
        let (written, sealed) = tokio::join!(
            async {
                projects::insert_children_many(conn, &children).await?;
                projects::add_history_many(conn, &ids, caller.name(), "create", "").await
            },
            async {
                let events = details
                    .iter()
                    .map(|d| {
                        caller
                            .event(
                                d.project.header.jurisdiction_id,
                                "project.create",
                                "project",
                                d.project.id,
                            )
                            .after_json(d)
                    })
                    .collect();
                chain.seal(events)
            }
        );
        written?;
        drop(children);
        sealed?.write(conn).await?;
        Ok(details)
    }

    /// Replaces a project's content while the unit may still edit it (储备, 退回修改).
    #[tracing::instrument(skip_all)]
    pub async fn update_project(
        &self,
        caller: &Caller,
        id: i64,
        draft: &ProjectDraft,
        expected_version: i64,
    ) -> AppResult<ProjectDetail> {
        let mut tx = self.store.begin().await?;
        let before = self.load_for(caller, &mut tx, id, Access::Write).await?;
        let state = before.project.header.state;
        if mover(caller).is_none() {
            return Err(AppError::Forbidden(Refusal::new(
                "FORBIDDEN",
                "您的角色不编辑项目内容",
            )));
        }
        if !state.editable_by_unit() {
            return Err(Refusal::new(
                "PROJECT_NOT_EDITABLE",
                format!("“{}”状态的项目不能修改", state.label()),
            )
            .field("state")
            .clause("ZB-15c")
            .into());
        }
        refuse_codes(&mut tx, draft, before.project.header.fiscal_year).await?;
        let unit = orgs::get(&mut tx, before.project.header.unit_id)
            .await?
            .ok_or_else(|| AppError::not_found("单位"))?;
        let named = named_standards(&mut tx, before.project.header.jurisdiction_id, draft).await?;
        let (header, lines, indicators, plan) =
            build(draft, before.project.header.clone(), unit.unit_kind, &named)?;
        projects::update(&mut tx, id, &header, expected_version).await?;
        projects::replace_children(&mut tx, id, &lines, &indicators, &plan).await?;
        projects::add_history(&mut tx, id, caller.name(), "update", None, "").await?;
        let after = projects::get_detail(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("项目"))?;
        let event = caller
            .event(header.jurisdiction_id, "project.update", "project", id)
            .before_json(&before)
            .after_json(&after);
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub(crate) async fn load_for(
        &self,
        caller: &Caller,
        conn: &mut AnyConnection,
        id: i64,
        access: Access,
    ) -> AppResult<ProjectDetail> {
        let detail = projects::get_detail(conn, id)
            .await?
            .ok_or_else(|| AppError::not_found("项目"))?;
        let path = path_of(&detail.project.header);
        let routed = self.review().routed_to_caller(conn, caller, id).await?;
        caller
            .authorize_routed(Resource::Project, Access::Read, &path, routed)
            .map_err(|_| AppError::not_found("项目"))?;
        caller.authorize_routed(Resource::Project, access, &path, routed)?;
        Ok(detail)
    }

    /// One project with its lines, targets, plan and history.
    #[tracing::instrument(skip_all)]
    pub async fn project(
        &self,
        caller: &Caller,
        id: i64,
    ) -> AppResult<(ProjectDetail, Vec<HistoryEntry>)> {
        let mut conn = self.store.read().acquire().await?;
        let mut detail = self.load_for(caller, &mut conn, id, Access::Read).await?;
        with_ledger_figures(&mut conn, &mut detail).await?;
        let history = projects::history(&mut conn, id).await?;
        Ok((detail, history))
    }

    /// Runs the admission checks without moving the project: every problem with its field and
    /// clause (empty when it may be submitted).
    #[tracing::instrument(skip_all)]
    pub async fn check_project(&self, caller: &Caller, id: i64) -> AppResult<Vec<Refusal>> {
        let mut conn = self.store.read().acquire().await?;
        let detail = self.load_for(caller, &mut conn, id, Access::Read).await?;
        self.admission(&mut conn, &detail).await
    }

    pub(crate) async fn admission(
        &self,
        conn: &mut AnyConnection,
        d: &ProjectDetail,
    ) -> AppResult<Vec<Refusal>> {
        let h = &d.project.header;
        let profile = profiles::current(conn, h.jurisdiction_id, h.fiscal_year)
            .await?
            .ok_or_else(|| AppError::not_found(&format!("{} 年度政策参数", h.fiscal_year)))?;
        let book = year_codes(conn, h.fiscal_year).await?;
        let targets = TargetTable {
            overall_goal: h.overall_goal.clone(),
            indicators: d.indicators.clone(),
        };
        let facts = ProjectFacts {
            name: &h.name,
            kind: h.kind,
            matter_class: h.matter_class,
            tier: h.tier,
            basis: &h.basis,
            period: h.period,
            function_code: &h.function_code,
            government_economic_code: &h.government_economic_code,
            line_economic_codes: d
                .cost_lines
                .iter()
                .map(|l| l.input.economic_code.as_str())
                .collect(),
            fund_book: h.fund_book,
            responsible_person: &h.responsible_person,
            responsible_phone: &h.responsible_phone,
            total_need: h.total_need,
            year_plan: &d.year_plan,
            cost_line_count: d.cost_lines.len(),
            cost_total: h.request,
            targets: &targets,
        };
        Ok(check_admission(
            &facts,
            &profile.profile,
            h.fiscal_year,
            &book,
        ))
    }

    /// Moves a project (ZB-15c). Submitting runs the admission checks first and refuses with
    /// all of them; returning needs comments.
    #[tracing::instrument(skip_all)]
    pub async fn move_project(
        &self,
        caller: &Caller,
        id: i64,
        to: ProjectState,
        note: &str,
        expected_version: i64,
    ) -> AppResult<ProjectDetail> {
        let mut tx = self.store.begin().await?;
        let before = self.load_for(caller, &mut tx, id, Access::Write).await?;
        let from = before.project.header.state;
        let by = mover(caller).ok_or_else(|| {
            AppError::Forbidden(Refusal::new("FORBIDDEN", "您的角色不办理项目流转"))
        })?;
        from.check_move(to, by)?;
        if to == ProjectState::Returned && note.trim().is_empty() {
            return Err(
                Refusal::new("RETURN_COMMENT_REQUIRED", "退回修改须写明意见")
                    .field("note")
                    .into(),
            );
        }
        if to == ProjectState::Submitted || to == ProjectState::Admitted {
            admissible(self.admission(&mut tx, &before).await?, to)?;
        }
        if to == ProjectState::Submitted {
            // Each submission starts a new round of review at the department (ZB-5a); the
            // steps of earlier rounds stay in the history.
            let round = lingji_store::review::state(&mut tx, id).await?.round + 1;
            let review = lingji_store::review::ReviewState {
                stage: Some(lingji_domain::review::decision::ReviewStage::Department),
                round,
                department_rank: None,
                reviewed: None,
            };
            lingji_store::review::advance(&mut tx, id, expected_version, to, &review).await?;
        } else {
            projects::set_state(&mut tx, id, to, expected_version).await?;
        }
        projects::add_history(
            &mut tx,
            id,
            caller.name(),
            "move",
            Some((from, to)),
            note.trim(),
        )
        .await?;
        let after = projects::get_detail(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("项目"))?;
        let event = caller
            .event(
                before.project.header.jurisdiction_id,
                "project.move",
                "project",
                id,
            )
            .before_json(&serde_json::json!({ "state": from.as_str() }))
            .after_json(&serde_json::json!({ "state": to.as_str(), "note": note.trim() }));
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The expenditure standards catalogue of a jurisdiction (ZB-14).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn standards(
        &self,
        scope: &Scope,
    ) -> AppResult<Vec<lingji_domain::library::cost::Standard>> {
        let jurisdiction_id = scope.jurisdiction;
        scope.authorize_jurisdiction(Resource::Standard, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        Ok(standards::list(&mut conn, jurisdiction_id).await?)
    }

    /// Last year's project of this line, for reference beside the request (ZB-4).
    #[tracing::instrument(skip_all)]
    pub async fn previous_of(
        &self,
        caller: &Caller,
        detail: &ProjectDetail,
    ) -> AppResult<Option<Project>> {
        let Some(prev) = detail.project.header.previous_id else {
            return Ok(None);
        };
        let mut conn = self.store.read().acquire().await?;
        let mut detail = self.load_for(caller, &mut conn, prev, Access::Read).await?;
        with_ledger_figures(&mut conn, &mut detail).await?;
        Ok(Some(detail.project))
    }

    /// "Copy last year's structure" (ZB-4): last year's lines, targets and elements with every
    /// quantity empty, so that each amount is justified again before it is saved. A multi-year
    /// project that runs on keeps its total need and year plan (CS-4 rolling management): its
    /// new request must then match the plan's year (QJ-2b).
    #[tracing::instrument(skip_all)]
    pub async fn copy_structure(&self, caller: &Caller, previous: i64) -> AppResult<ProjectDraft> {
        let mut conn = self.store.read().acquire().await?;
        let detail = self
            .load_for(caller, &mut conn, previous, Access::Read)
            .await?;
        let mut draft = ProjectDraft::of(&detail);
        for line in &mut draft.cost_lines {
            line.quantity.clear();
        }
        draft.is_new = false;
        let h = &detail.project.header;
        if h.period.is_none_or(|p| p.end_year <= h.fiscal_year) {
            draft.total_need = None;
            draft.year_plan.clear();
        }
        Ok(draft)
    }

    /// Projects to clean out of the library in budget year `year` (ZB-15c: unfunded for the
    /// profile's number of years; ZB-5d: policy basis expired).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn cleanup_candidates(
        &self,
        scope: &Scope,
        year: FiscalYear,
    ) -> AppResult<Vec<CleanupCandidate>> {
        let jurisdiction_id = scope.jurisdiction;
        scope.authorize_jurisdiction(Resource::Project, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        let profile = profiles::current(&mut conn, jurisdiction_id, year.value())
            .await?
            .ok_or_else(|| AppError::not_found(&format!("{year} 年度政策参数")))?;
        let years =
            i32::try_from(profile.profile.library.cleanup_unfunded_years.0).unwrap_or(i32::MAX);
        let through = year.value().saturating_sub(years);
        let start = chrono::NaiveDate::from_ymd_opt(year.value(), 1, 1)
            .ok_or_else(|| AppError::Internal("year".into()))?;
        let found =
            projects::cleanup_candidates(&mut conn, jurisdiction_id, through, start).await?;
        Ok(found
            .into_iter()
            .map(|p| {
                let h = &p.header;
                let mut reasons = Vec::new();
                let last = h.last_funded_year.unwrap_or(h.fiscal_year);
                if last <= through {
                    reasons.push(match h.last_funded_year {
                        Some(y) => format!("自 {y} 年后连续 {years} 年以上未安排预算（ZB-15c）"),
                        None => format!(
                            "{} 年入库申报以来连续 {years} 年以上未安排预算（ZB-15c）",
                            h.fiscal_year
                        ),
                    });
                }
                if let Some(expiry) = h.basis.expires_on.filter(|d| *d < start) {
                    reasons.push(format!("政策依据已于 {expiry} 到期（ZB-5d）"));
                }
                CleanupCandidate {
                    project: p,
                    reasons,
                }
            })
            .collect())
    }

    /// Retires the chosen clean-up candidates in one transaction (finance; the CLI as the
    /// system). Anything not a candidate any more is refused and nothing is retired.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn retire_candidates(
        &self,
        scope: &Scope,
        year: FiscalYear,
        ids: &[i64],
        note: &str,
    ) -> AppResult<usize> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        scope.authorize_jurisdiction(Resource::Project, Access::Write)?;
        let by = mover(caller).ok_or_else(|| {
            AppError::Forbidden(Refusal::new("FORBIDDEN", "您的角色不办理项目退出"))
        })?;
        let candidates = self.cleanup_candidates(scope, year).await?;
        let mut tx = self.store.begin().await?;
        for id in ids {
            let Some(c) = candidates.iter().find(|c| c.project.id == *id) else {
                return Err(Refusal::new(
                    "NOT_A_CLEANUP_CANDIDATE",
                    format!("项目 {id} 不在清理名单中"),
                )
                .field("ids")
                .clause("ZB-15c")
                .into());
            };
            let from = c.project.header.state;
            from.check_move(ProjectState::Retired, by)?;
            projects::set_state(&mut tx, *id, ProjectState::Retired, c.project.version).await?;
            let why = format!(
                "{}{}",
                c.reasons.join("；"),
                if note.trim().is_empty() {
                    String::new()
                } else {
                    format!("。{}", note.trim())
                }
            );
            projects::add_history(
                &mut tx,
                *id,
                caller.name(),
                "cleanup",
                Some((from, ProjectState::Retired)),
                &why,
            )
            .await?;
            let event = caller
                .event(jurisdiction_id, "project.retire", "project", id)
                .before_json(&serde_json::json!({ "state": from.as_str() }))
                .after_json(&serde_json::json!({ "state": "retired", "reasons": c.reasons }));
            lingji_store::foundation::audit::append(&mut tx, event).await?;
        }
        tx.commit().await?;
        Ok(ids.len())
    }

    /// What of the library the caller may see: the whole jurisdiction for finance and audit,
    /// an operator's own unit, a reviewer's department, the projects routed to a joint
    /// reviewer's body (ZB-5e) — the filter narrowed to it, or `None` when that is nothing.
    async fn narrowed(
        &self,
        caller: &Caller,
        mut filter: Filter,
    ) -> AppResult<Option<(Filter, Option<JointBody>)>> {
        let whole = OrgPath::of_jurisdiction(filter.jurisdiction_id);
        if caller
            .authorize(Resource::Project, Access::Read, &whole)
            .is_ok()
        {
            return Ok(Some((filter, None)));
        }
        let actor = caller
            .actor()
            .ok_or_else(|| AppError::Internal("system lists everything".into()))?;
        match actor.role {
            Role::UnitOperator => filter.unit_id = actor.org.unit,
            Role::DepartmentReviewer => filter.department_id = actor.org.department,
            Role::JointReviewer => {
                let mut conn = self.store.read().acquire().await?;
                let body = self.review().joint_body_of(&mut conn, caller).await?;
                return Ok(body.map(|b| (filter, Some(b))));
            }
            _ => {
                return Err(AppError::Forbidden(Refusal::new(
                    "FORBIDDEN",
                    format!("{}无权查看项目库", actor.role.label()),
                )));
            }
        }
        Ok((filter.unit_id.is_some() || filter.department_id.is_some()).then_some((filter, None)))
    }

    /// A page of projects the caller may see (see [`Self::narrowed`]), by id.
    #[tracing::instrument(skip_all)]
    pub async fn list_projects(&self, caller: &Caller, filter: Filter) -> AppResult<Vec<Project>> {
        let Some((filter, routed)) = self.narrowed(caller, filter).await? else {
            return Ok(Vec::new());
        };
        let mut conn = self.store.read().acquire().await?;
        Ok(match routed {
            Some(body) => {
                lingji_store::review::routed_to(
                    &mut conn,
                    filter.jurisdiction_id,
                    body,
                    filter.after_id.unwrap_or(0),
                    filter.limit,
                )
                .await?
            }
            None => projects::list(&mut conn, &filter).await?,
        })
    }

    /// One page of the projects the caller may see that a search finds, sorted, with how many
    /// it finds and their 本年申请 in all — counted, summed and paged by the store.
    #[tracing::instrument(skip_all)]
    pub async fn projects_page(
        &self,
        caller: &Caller,
        mut search: ProjectSearch,
    ) -> AppResult<ProjectPage> {
        let Some((filter, routed)) = self.narrowed(caller, search.filter).await? else {
            return Ok(ProjectPage {
                rows: Vec::new(),
                count: 0,
                total: Money::ZERO,
            });
        };
        search.filter = filter;
        search.routed_to = routed;
        let mut conn = self.store.read().acquire().await?;
        Ok(project_search::search(&mut conn, &search).await?)
    }
}
