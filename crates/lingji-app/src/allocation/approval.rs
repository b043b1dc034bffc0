//! From a chosen run to the ledger: the run chosen as the basis of the control figures
//! (预算控制数), the figures published to departments and units, then approval (批复) that turns
//! every allocated amount into budget lines (指标) per unit, project, economic code and fund
//! book, carrying the three-guarantees flag.

use std::collections::HashMap;

use lingji_domain::allocation::spread;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::library::ProjectState;
use lingji_domain::library::tier::{Guarantee, SpendingTier};
use lingji_domain::{Money, Refusal};
use lingji_store::allocation::lines::search::{LinePage, LineSearch};
use lingji_store::allocation::{self as store, BudgetLine, Figure, Mark};
use serde::Serialize;

use crate::Scope;
use crate::allocation::RunView;
use crate::error::{AppError, AppResult};

/// Control figures of a year as the caller may see them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ControlFigures {
    /// The run they come from (`None`: no run chosen, or not yet published for the caller).
    pub run: Option<RunView>,
    /// Per unit and fund book, within the caller's scope.
    pub figures: Vec<Figure>,
    /// Organisation names by id.
    pub names: HashMap<i64, String>,
}

fn refused(code: &'static str, message: &str) -> AppError {
    Refusal::new(code, message).into()
}

impl crate::AllocationUseCases<'_> {
    /// Chooses a run as the basis of the year's control figures (finance). Refused once the
    /// year's figures are published.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn choose_run(&self, scope: &Scope, id: i64) -> AppResult<RunView> {
        self.mark_run(scope, id, Mark::Chosen, None).await
    }

    /// Publishes the chosen run's control figures to departments and units (finance).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn publish_control_figures(&self, scope: &Scope, id: i64) -> AppResult<RunView> {
        self.mark_run(scope, id, Mark::Published, None).await
    }

    /// Approves the published run (finance): budget lines for every allocated item, the
    /// projects funded with their approved amounts, all in one transaction.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn approve_budget(
        &self,
        scope: &Scope,
        id: i64,
        document: &str,
    ) -> AppResult<RunView> {
        let document = document.trim();
        if document.is_empty() || document.chars().count() > 100 {
            return Err(Refusal::new(
                "APPROVAL_DOCUMENT_REQUIRED",
                "请填写批复文号（不超过 100 个字）",
            )
            .field("document")
            .into());
        }
        self.mark_run(scope, id, Mark::Approved, Some(document))
            .await
    }

    async fn mark_run(
        &self,
        scope: &Scope,
        id: i64,
        mark: Mark,
        document: Option<&str>,
    ) -> AppResult<RunView> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        self.authorize_allocation(scope, Access::Write)?;
        let mut tx = self.store.begin().await?;
        let run = self.run_in(&mut tx, jurisdiction_id, id).await?;
        let year = i32::try_from(run.header.fiscal_year)
            .map_err(|_| AppError::Internal("year out of range".into()))?;
        let others = store::runs(&mut tx, jurisdiction_id, year).await?;
        if others.iter().any(|r| r.approved_at.is_some()) {
            return Err(refused(
                "ALLOCATION_YEAR_APPROVED",
                "本年度预算已批复，测算方案不能再选择、下达或批复",
            ));
        }
        let h = &run.header;
        let action = match mark {
            Mark::Chosen => {
                if others.iter().any(|r| r.published_at.is_some()) {
                    return Err(refused(
                        "CONTROL_FIGURES_PUBLISHED",
                        "本年度预算控制数已下达，不能更换测算方案",
                    ));
                }
                "allocation.choose"
            }
            Mark::Published => {
                if h.chosen_at.is_none() {
                    return Err(refused(
                        "RUN_NOT_CHOSEN",
                        "只能下达已选定为控制数依据的测算方案",
                    ));
                }
                if h.published_at.is_some() {
                    return Err(AppError::Conflict(Refusal::new(
                        "CONTROL_FIGURES_PUBLISHED",
                        "该测算方案的预算控制数已下达",
                    )));
                }
                "allocation.publish"
            }
            Mark::Approved => {
                // Approving a closed year's budget would open lines no close ever carries.
                crate::execution::year_end::refuse_if_closed(
                    &mut tx,
                    jurisdiction_id,
                    year,
                    lingji_domain::execution::MoneyMovement::NewLine,
                    "id",
                )
                .await?;
                if h.published_at.is_none() {
                    return Err(refused(
                        "CONTROL_FIGURES_NOT_PUBLISHED",
                        "预算控制数下达后方可批复",
                    ));
                }
                let (lines, projects) = self
                    .budget_lines_of(&mut tx, &run, document.unwrap_or_default())
                    .await?;
                let funded = store::set_run_funded(&mut tx, h.id).await?;
                if funded != projects {
                    return Err(AppError::Internal(format!(
                        "approval marked {funded} projects funded of the run's {projects}"
                    )));
                }
                store::insert_lines(&mut tx, jurisdiction_id, &lines, caller.name()).await?;
                "allocation.approve"
            }
        };
        store::mark(&mut tx, h, mark, caller.name(), document).await?;
        let after = self.run_in(&mut tx, jurisdiction_id, id).await?;
        let event = caller
            .event(jurisdiction_id, action, "allocation_run", id)
            .before_json(&run.header)
            .after_json(&after.header);
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The budget lines approval makes of `run`, and how many projects it funds; every funded
    /// project must still be admitted.
    async fn budget_lines_of(
        &self,
        conn: &mut sqlx::AnyConnection,
        run: &RunView,
        document: &str,
    ) -> AppResult<(Vec<BudgetLine>, u64)> {
        let items = store::all_items(conn, run.header.id).await?;
        let funded = store::funded_projects(conn, run.header.id).await?;
        let year = i32::try_from(run.header.fiscal_year)
            .map_err(|_| AppError::Internal("year out of range".into()))?;
        let (mut lines, mut projects) = (Vec::new(), 0);
        for item in items.iter().filter(|i| i.result.allocated > Money::ZERO) {
            let (c, r) = (&item.candidate, &item.result);
            let mut base = BudgetLine {
                id: 0,
                fiscal_year: year,
                department_id: c.department_id,
                unit_id: c.unit_id,
                project_id: None,
                item_id: c.id,
                name: c.name.clone(),
                economic_code: String::new(),
                fund_book: r.fund_book,
                three_guarantees: r.tier == SpendingTier::ThreeGuarantees,
                approved: Money::ZERO,
                source_document: document.to_string(),
                run_id: Some(run.header.id),
            };
            let parts = if c.id < 0 {
                let code = match c.guarantee {
                    Some(Guarantee::Wages) => "301",
                    _ => "302",
                };
                vec![(code.to_string(), r.allocated)]
            } else {
                let (state, economic_code) = funded
                    .heads
                    .get(&c.id)
                    .ok_or_else(|| AppError::not_found("项目"))?;
                if *state != ProjectState::Admitted {
                    return Err(Refusal::new(
                        "ALLOCATION_STALE",
                        format!(
                            "项目 {} {} 已不在“已入库”状态，请重新测算后再批复",
                            c.code, c.name
                        ),
                    )
                    .into());
                }
                projects += 1;
                base.project_id = Some(c.id);
                let weights = funded.lines.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
                spread(r.allocated, weights, economic_code)
            };
            for (code, amount) in parts {
                lines.push(BudgetLine {
                    economic_code: code,
                    approved: amount,
                    ..base.clone()
                });
            }
        }
        Ok((lines, projects))
    }

    /// The year's control figures: finance and audit see the chosen run's (a draft until
    /// published); departments and units see their own once published.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn control_figures(&self, scope: &Scope, year: i32) -> AppResult<ControlFigures> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let (department, unit) = caller.read_scope(Resource::BudgetLine, jurisdiction_id)?;
        let finance = department.is_none();
        let mut conn = self.store.read().acquire().await?;
        let names = lingji_store::foundation::orgs::names(&mut conn, jurisdiction_id).await?;
        let chosen = store::runs(&mut conn, jurisdiction_id, year)
            .await?
            .into_iter()
            .find(|r| r.chosen_at.is_some() && (finance || r.published_at.is_some()));
        let Some(run) = chosen else {
            return Ok(ControlFigures {
                run: None,
                figures: Vec::new(),
                names,
            });
        };
        let figures = store::figures(&mut conn, run.id, department, unit).await?;
        Ok(ControlFigures {
            run: Some(RunView::try_from(run)?),
            figures,
            names,
        })
    }

    /// One page of the year's budget lines within the caller's scope that a search finds,
    /// sorted, with how many it finds and their 批复数, 已支付 and 可用 in all — counted, summed
    /// and paged by the store (issue 21). The search's jurisdiction is the scope's, and its
    /// department and unit the caller's own where that is all they may read.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn budget_lines_page(
        &self,
        scope: &Scope,
        mut search: LineSearch,
    ) -> AppResult<LinePage> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let (department, unit) = caller.read_scope(Resource::BudgetLine, jurisdiction_id)?;
        search.jurisdiction_id = jurisdiction_id;
        search.department_id = department;
        search.unit_id = unit;
        let mut conn = self.store.read().acquire().await?;
        Ok(lingji_store::allocation::lines::search::search(&mut conn, &search).await?)
    }

    /// The year's approved budget lines within the caller's scope, a page after `after_id`.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn budget_lines(
        &self,
        scope: &Scope,
        year: i32,
        after_id: i64,
        limit: i64,
    ) -> AppResult<Vec<BudgetLine>> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let (department, unit) = caller.read_scope(Resource::BudgetLine, jurisdiction_id)?;
        let mut conn = self.store.read().acquire().await?;
        Ok(store::lines(
            &mut conn,
            jurisdiction_id,
            year,
            department,
            unit,
            after_id,
            limit,
        )
        .await?)
    }
}
