//! What a reviewer decides on besides the request itself: last year's figures of the same
//! line and of the unit (budget, paid, execution rate, evaluation grade — ZB-4, CS-5b, PM-13).

use std::collections::BTreeMap;

use lingji_domain::Money;
use lingji_domain::allocation::Grade;
use lingji_domain::execution::ProjectExecution;
use lingji_domain::foundation::authz::Access;
use lingji_domain::foundation::policy::{Rate, Score};
use lingji_store::foundation::orgs;
use lingji_store::library::projects::{self, Filter, Project};
use sqlx::AnyConnection;

use crate::error::AppResult;
use crate::foundation::caller::Caller;

/// A project of last year as the review page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LastYearProject {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Budget (approved and adjusted) from its lines.
    pub budget: Money,
    /// Paid.
    pub spent: Money,
    /// Paid over budget, "87.5%"; none without a budget.
    pub rate: Option<String>,
    /// Score ("86.5") and grade label (优/良/中/差) of its evaluation, when there is one.
    pub evaluation: Option<(String, &'static str)>,
}

/// The unit's year before: its projects and what they came to.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct UnitYear {
    pub unit_name: String,
    /// Projects of the year that had a budget.
    pub funded: usize,
    pub budget: Money,
    pub spent: Money,
    pub rate: Option<String>,
    /// Evaluated projects per grade, best first, only grades that occur.
    pub grades: Vec<(&'static str, usize)>,
}

/// Last year beside this year's request.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct LastYear {
    pub fiscal_year: i32,
    /// The same line last year: the project it continues (ZB-4), else the unit's project of
    /// the same name.
    pub project: Option<LastYearProject>,
    /// The unit's year.
    pub unit: UnitYear,
}

fn rate_of(e: &ProjectExecution) -> Option<String> {
    e.rate().map(Rate::to_percent_display)
}

fn score_text(hundredths: i64) -> String {
    lingji_domain::review::gates::show(Score(u32::try_from(hundredths).unwrap_or(0)))
}

async fn figures(conn: &mut AnyConnection, p: &Project) -> AppResult<ProjectExecution> {
    Ok(lingji_store::performance::project_execution(conn, p.id)
        .await?
        .or_recorded(p.header.approved, p.header.spent))
}

async fn evaluation(
    conn: &mut AnyConnection,
    project_id: i64,
) -> AppResult<Option<(String, Grade)>> {
    Ok(
        lingji_store::execution::supervision::evaluation(conn, project_id)
            .await?
            .and_then(|r| Some((score_text(r.score), Grade::parse(&r.grade)?))),
    )
}

impl crate::ReviewUseCases<'_> {
    /// Last year's figures beside a project under review: the same line's budget, payments,
    /// execution rate and evaluation, and the unit's year. Read once the caller may read the
    /// project (they are what the review decides on, ZB-4, CS-5b), whoever could open last
    /// year's projects themselves.
    #[tracing::instrument(skip_all)]
    pub async fn last_year(&self, caller: &Caller, project: i64) -> AppResult<LastYear> {
        let mut conn = self.store.read().acquire().await?;
        let detail = self
            .library()
            .load_for(caller, &mut conn, project, Access::Read)
            .await?;
        let h = &detail.project.header;
        let year = h.fiscal_year - 1;
        let theirs = projects::list(
            &mut conn,
            &Filter {
                jurisdiction_id: h.jurisdiction_id,
                fiscal_year: Some(year),
                unit_id: Some(h.unit_id),
                limit: 2000,
                ..Default::default()
            },
        )
        .await?;
        let mut unit = UnitYear {
            unit_name: orgs::get(&mut conn, h.unit_id)
                .await?
                .map(|o| o.name)
                .unwrap_or_default(),
            ..UnitYear::default()
        };
        let mut total = ProjectExecution::default();
        let mut grades: BTreeMap<usize, usize> = BTreeMap::new();
        for p in &theirs {
            let e = figures(&mut conn, p).await?;
            if e.budget > Money::ZERO {
                unit.funded += 1;
                total.budget = total.budget.checked_add(e.budget).unwrap_or(total.budget);
                total.spent = total.spent.checked_add(e.spent).unwrap_or(total.spent);
            }
            if let Some((_, g)) = evaluation(&mut conn, p.id).await? {
                let at = Grade::ALL.iter().position(|x| *x == g).unwrap_or(0);
                *grades.entry(at).or_default() += 1;
            }
        }
        (unit.budget, unit.spent, unit.rate) = (total.budget, total.spent, rate_of(&total));
        unit.grades = grades
            .into_iter()
            .map(|(at, n)| (Grade::ALL[at].label(), n))
            .collect();
        let same = match h.previous_id {
            Some(prev) => projects::get(&mut conn, prev).await?,
            None => theirs.iter().find(|p| p.header.name == h.name).cloned(),
        };
        let project = match same {
            Some(p) => {
                let e = figures(&mut conn, &p).await?;
                let evaluation = evaluation(&mut conn, p.id)
                    .await?
                    .map(|(score, g)| (score, g.label()));
                Some(LastYearProject {
                    id: p.id,
                    code: p.header.code,
                    name: p.header.name,
                    budget: e.budget,
                    spent: e.spent,
                    rate: rate_of(&e),
                    evaluation,
                })
            }
            None => None,
        };
        Ok(LastYear {
            fiscal_year: year,
            project,
            unit,
        })
    }
}
