//! The demo's 2026 allocation: a first run with resources to spare shows what the library asks
//! for; the general budget is then entered at the basic expenditure plus three quarters of the
//! projects' demand, so the saved 一上测算 runs short in a lower tier, as budgets do.

use lingji_domain::Money;
use lingji_domain::allocation::share;
use lingji_domain::fund::FundBook;
use lingji_domain::policy::Rate;
use lingji_store::allocation::ResourceParts;

use crate::App;
use crate::allocation::Scenario;
use crate::caller::Caller;
use crate::error::AppResult;

const YEAR: i32 = 2026;

impl App {
    /// A demand survey saved as run `name`: every admitted project run with resources to
    /// spare; what the general budget's basic expenditure (must-fund items) and its projects
    /// ask for. The demo and the simulation size the year's general budget from it.
    pub(crate) async fn survey_general_demand(
        &self,
        caller: &Caller,
        jurisdiction_id: i64,
        year: i32,
        name: &str,
    ) -> AppResult<(Money, Money)> {
        let plenty = Money::from_yuan(100_000_000_000);
        let survey = self
            .run_allocation(
                caller,
                jurisdiction_id,
                year,
                name,
                None,
                Scenario {
                    resources: [(FundBook::GeneralPublic, plenty)].into(),
                    ..Scenario::default()
                },
            )
            .await?;
        let (_, items) = self
            .allocation_items(caller, jurisdiction_id, survey.header.id)
            .await?;
        let general = |must: bool| {
            items
                .iter()
                .filter(|i| i.result.fund_book == FundBook::GeneralPublic)
                .filter(|i| i.candidate.must_fund == must)
                .fold(Money::ZERO, |s, i| {
                    s.checked_add(i.result.allocated).unwrap_or(s)
                })
        };
        Ok((general(true), general(false)))
    }

    /// Enters the demo's resources and saves two runs: the demand survey and 一上测算.
    pub(crate) async fn load_demo_allocation(&self, jurisdiction_id: i64) -> AppResult<()> {
        let system = Caller::System;
        let (basic, projects) = self
            .survey_general_demand(&system, jurisdiction_id, YEAR, "需求摸底（可用财力充足时）")
            .await?;
        let revenue = basic
            .checked_add(share(projects, Rate::percent(60)))
            .unwrap_or(basic);
        let transfers = share(projects, Rate::percent(15));
        let parts = ResourceParts {
            revenue,
            transfers,
            ..ResourceParts::default()
        };
        self.set_resources(
            &system,
            jurisdiction_id,
            YEAR,
            FundBook::GeneralPublic,
            parts,
            share(projects, Rate::percent(2)),
            "示范：本级收入预测与上级转移支付",
            0,
        )
        .await?;
        self.run_allocation(
            &system,
            jurisdiction_id,
            YEAR,
            "一上测算",
            None,
            Scenario::default(),
        )
        .await?;
        Ok(())
    }
}
