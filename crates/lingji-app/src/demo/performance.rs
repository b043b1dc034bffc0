//! The demo's publications: a few of 2025's results and 2026's targets for the public pages
//! (PM-5).

use crate::Scope;

use crate::disclosure::{PublicationKind, PublishDraft};
use crate::error::AppResult;
use crate::foundation::caller::Caller;

impl crate::DemoUseCases<'_> {
    /// Publishes a few of the demo's 2025 self-evaluations and 2026 targets (PM-5).
    pub(crate) async fn load_demo_publications(&self, city: i64) -> AppResult<()> {
        let system = Caller::System;
        let evaluations = self
            .performance()
            .evaluations(&Scope::new(&system, city), 2025, Some("self"))
            .await?;
        // Six results spread over the departments, each with next year's targets.
        let step = (evaluations.len() / 6).max(1);
        for e in evaluations.iter().step_by(step).take(6) {
            let draft = PublishDraft {
                kind: PublicationKind::SelfEvaluation,
                source: e.id.to_string(),
            };
            self.disclosure()
                .publish(&Scope::new(&system, city), &draft)
                .await?;
            if let Some(p) = e.project_id {
                let mut conn = self.store.read().acquire().await?;
                let next = lingji_store::library::projects::successor(&mut conn, p).await?;
                drop(conn);
                if let Some(next) = next {
                    let draft = PublishDraft {
                        kind: PublicationKind::ProjectTargets,
                        source: next.to_string(),
                    };
                    self.disclosure()
                        .publish(&Scope::new(&system, city), &draft)
                        .await?;
                }
            }
        }
        Ok(())
    }
}
