//! The projects finance may rank in a run (the finance rank, ZB-3: within a tier, finance's
//! order before the department's): the items of the base run, or the year's admitted projects.

use lingji_domain::foundation::authz::Access;
use lingji_store::allocation as store;
use lingji_store::library::projects::{self, Filter};

use crate::Scope;
use crate::error::AppResult;

/// A project finance can give a rank: id, code, name and the rank it had, if any.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RankCandidate {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// The finance rank the base run gave it.
    pub rank: Option<u32>,
}

impl crate::AllocationUseCases<'_> {
    /// The projects a run over `base_run_id` (or over the library) would rank, by code.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn rank_candidates(
        &self,
        scope: &Scope,
        year: i32,
        base_run_id: Option<i64>,
    ) -> AppResult<Vec<RankCandidate>> {
        let jurisdiction_id = scope.jurisdiction;
        self.authorize_allocation(scope, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        let mut out: Vec<RankCandidate> = match base_run_id {
            Some(id) => {
                self.run_in(&mut conn, jurisdiction_id, id).await?;
                store::all_items(&mut conn, id)
                    .await?
                    .into_iter()
                    .filter(|i| i.candidate.id > 0)
                    .map(|i| RankCandidate {
                        id: i.candidate.id,
                        code: i.candidate.code,
                        name: i.candidate.name,
                        rank: i.candidate.finance_rank,
                    })
                    .collect()
            }
            None => {
                let admitted = store::admitted_codes(&mut conn, jurisdiction_id, year).await?;
                let mut out = Vec::with_capacity(admitted.len());
                if !admitted.is_empty() {
                    let listed = projects::list(
                        &mut conn,
                        &Filter {
                            jurisdiction_id,
                            fiscal_year: Some(year),
                            state: Some(lingji_domain::library::ProjectState::Admitted),
                            limit: 100_000,
                            ..Default::default()
                        },
                    )
                    .await?;
                    let names: std::collections::HashMap<i64, String> =
                        listed.into_iter().map(|p| (p.id, p.header.name)).collect();
                    for a in admitted {
                        let name = names.get(&a.id).cloned().unwrap_or_default();
                        out.push(RankCandidate {
                            id: a.id,
                            code: a.code,
                            name,
                            rank: None,
                        });
                    }
                }
                out
            }
        };
        out.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(out)
    }
}
