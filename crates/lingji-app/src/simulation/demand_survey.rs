//! The demand survey that sizes a lived year's general budget (the demo's and the
//! simulation's): a run with resources to spare shows what the library asks for.

use crate::Scope;
use lingji_domain::Money;
use lingji_domain::foundation::fund::FundBook;

use crate::App;
use crate::allocation::Scenario;
use crate::error::AppResult;

impl App {
    /// A demand survey saved as run `name`: every admitted project run with resources to
    /// spare; what the general budget's basic expenditure (must-fund items) and its projects
    /// ask for. The demo and the simulation size the year's general budget from it.
    pub(crate) async fn survey_general_demand(
        &self,
        scope: &Scope,
        year: i32,
        name: &str,
    ) -> AppResult<(Money, Money)> {
        let plenty = Money::from_yuan(100_000_000_000);
        let survey = self
            .allocation()
            .run_allocation(
                scope,
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
            .allocation()
            .allocation_items(scope, survey.header.id)
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
}
