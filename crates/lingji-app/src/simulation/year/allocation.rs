//! 测算批复: resources entered, the run and a scenario on it, the chosen run published and
//! approved, an upper transfer added, the targets published.

use crate::Scope;
use lingji_domain::Money;
use lingji_domain::allocation::{Status, share};
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::foundation::policy::Rate;
use lingji_store::allocation::ResourceParts;

use super::{Counts, Sim};
use crate::allocation::{RunView, Scenario};
use crate::error::AppResult;
use crate::execution::transfer_lines::TransferLine;

/// 测算批复: an upper transfer entered, a demand survey with resources to spare, the general
/// budget entered at the basic expenditure plus a share of the projects' demand (so a lower
/// tier runs short, as budgets do), the run, a scenario on it, then choose → publish → approve.
pub(super) async fn allocation(sim: &mut Sim<'_>, year: i32) -> AppResult<Counts> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    let revenue = enter_resources(sim, year).await?;
    let run = app
        .allocation()
        .run_allocation(
            &Scope::new(&finance, city),
            year,
            "一上测算",
            None,
            Scenario::default(),
        )
        .await?;
    compare_scenario(sim, year, &run, revenue).await?;
    approve(sim, year, &run).await?;
    sim.approved_runs.insert(year, run.header.id);
    let (_, items) = app
        .allocation()
        .allocation_items(&Scope::new(&finance, city), run.header.id)
        .await?;
    let count = |s: Status| {
        i64::try_from(items.iter().filter(|i| i.result.status == s).count()).unwrap_or(0)
    };
    add_upper_transfer(sim, year).await?;
    let lines = app
        .allocation()
        .budget_lines(&Scope::new(&finance, city), year, 0, 100_000)
        .await?;
    // The targets are public with the budget (PM-5).
    let funded: Vec<i64> = items
        .iter()
        .filter(|i| i.candidate.id > 0 && i.result.allocated > Money::ZERO)
        .map(|i| i.candidate.id)
        .collect();
    let published = crate::simulation::disclosure::publish_targets(sim, &funded).await?;
    Ok(vec![
        ("runs", 3),
        ("funded", count(Status::Funded)),
        ("partial", count(Status::Partial)),
        ("unfunded", count(Status::Unfunded)),
        ("excluded", count(Status::Excluded)),
        ("cancelled", count(Status::Cancelled)),
        ("lines", i64::try_from(lines.len()).unwrap_or(0)),
        ("targets_published", published),
    ])
}

/// Surveys the general demand and enters the general budget's resources: the basic
/// expenditure plus 55–95 % of the projects' demand. Answers the revenue entered.
async fn enter_resources(sim: &mut Sim<'_>, year: i32) -> AppResult<Money> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    let (basic, projects) = app
        .survey_general_demand(&Scope::new(&finance, city), year, "需求摸底")
        .await?;
    let pct = u32::try_from(sim.rng.between(55, 95)).unwrap_or(75);
    let revenue = basic
        .checked_add(share(projects, Rate::percent(pct)))
        .unwrap_or(basic);
    app.allocation()
        .set_resources(
            &Scope::new(&finance, city),
            year,
            FundBook::GeneralPublic,
            ResourceParts {
                revenue,
                transfers: share(projects, Rate::percent(5)),
                ..ResourceParts::default()
            },
            share(projects, Rate::percent(1)),
            "本级收入预测与上级转移支付",
            0,
        )
        .await?;
    Ok(revenue)
}

/// A scenario on the run's very inputs with less money: saved and compared, not chosen.
async fn compare_scenario(
    sim: &Sim<'_>,
    year: i32,
    run: &RunView,
    revenue: Money,
) -> AppResult<()> {
    let (app, city, finance) = (sim.app, sim.j.id, &sim.j.finance);
    let less = share(revenue, Rate::percent(90));
    let scenario = app
        .allocation()
        .run_allocation(
            &Scope::new(finance, city),
            year,
            "压减一成情景",
            Some(run.header.id),
            Scenario {
                resources: [(FundBook::GeneralPublic, less)].into(),
                ..Scenario::default()
            },
        )
        .await?;
    app.allocation()
        .compare_runs(
            &Scope::new(finance, city),
            run.header.id,
            scenario.header.id,
        )
        .await?;
    Ok(())
}

/// Chooses the run, publishes its control figures and approves the budget.
async fn approve(sim: &Sim<'_>, year: i32, run: &RunView) -> AppResult<()> {
    let (app, city, finance) = (sim.app, sim.j.id, &sim.j.finance);
    app.allocation()
        .choose_run(&Scope::new(finance, city), run.header.id)
        .await?;
    app.allocation()
        .publish_control_figures(&Scope::new(finance, city), run.header.id)
        .await?;
    app.allocation()
        .approve_budget(
            &Scope::new(finance, city),
            run.header.id,
            // The document number opens with the place's first character (模财预, 示财预).
            &format!(
                "{}财预〔{year}〕1号",
                sim.j.place.chars().next().unwrap_or('市')
            ),
        )
        .await?;
    Ok(())
}

/// An upper transfer for one unit, paid from like any line (QJ-4b decides it at year-end).
async fn add_upper_transfer(sim: &mut Sim<'_>, year: i32) -> AppResult<()> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    let units = sim.units();
    let (_, unit) = &units[sim.rng.index(units.len())];
    app.execution()
        .add_transfer_line(
            &Scope::new(&finance, city),
            TransferLine {
                fiscal_year: year,
                unit_id: unit.id,
                project_id: None,
                name: "上级补助设备购置".into(),
                economic_code: "31002".into(),
                fund_book: FundBook::UpperTransfer,
                three_guarantees: false,
                amount: Money::from_yuan(i64::try_from(sim.rng.between(5, 50)).unwrap_or(5) * 1000),
                document: format!("财建〔{year}〕{}号", sim.rng.between(1, 99)),
            },
        )
        .await?;
    Ok(())
}
