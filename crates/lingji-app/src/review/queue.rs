//! "待我审核": each reviewer's work queue — a department's first reviews, the finance bureau's
//! reviews and panels, a joint-review body's routed projects (ZB-5a, ZB-5e).

use lingji_domain::foundation::authz::Role;
use lingji_store::library::projects::Project;
use lingji_store::review::queue_search::{self, QueueAsk, QueuePage};
use lingji_store::review::{self, QueueOf, ReviewState};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::AppResult;
use crate::foundation::caller::Caller;

/// One project waiting for the caller, with where it stands in review.
#[derive(Debug, Clone, Serialize)]
pub struct QueueItem {
    pub project: Project,
    /// Stage, round, rank and reviewed amount.
    pub review: ReviewState,
}

/// A page of the caller's queue and its size.
#[derive(Debug, Clone, Serialize)]
pub struct Queue {
    /// How many projects wait in all.
    pub total: i64,
    /// This page, by id.
    pub items: Vec<QueueItem>,
}

impl crate::ReviewUseCases<'_> {
    async fn queue_of(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
    ) -> AppResult<Option<QueueOf>> {
        let Some(actor) = caller.actor() else {
            return Ok(Some(QueueOf::Finance));
        };
        Ok(match actor.role {
            Role::DepartmentReviewer => actor.org.department.map(QueueOf::Department),
            Role::FinanceOfficer => Some(QueueOf::Finance),
            Role::JointReviewer => self.joint_body_of(conn, caller).await?.map(QueueOf::Joint),
            _ => None,
        })
    }

    /// How many projects wait for the caller; none when the role reviews nothing.
    #[tracing::instrument(skip_all)]
    pub async fn queue_count(&self, caller: &Caller) -> AppResult<Option<i64>> {
        let mut conn = self.store.read().acquire().await?;
        let Some(of) = self.queue_of(&mut conn, caller).await? else {
            return Ok(None);
        };
        let jurisdiction = caller.actor().map_or(0, |a| a.org.jurisdiction);
        Ok(Some(
            review::queue_count(&mut conn, jurisdiction, of).await?,
        ))
    }

    /// A page of the caller's queue, after `after_id`.
    #[tracing::instrument(skip_all)]
    pub async fn review_queue(
        &self,
        caller: &Caller,
        after_id: i64,
        limit: i64,
    ) -> AppResult<Queue> {
        let mut conn = self.store.read().acquire().await?;
        let Some(of) = self.queue_of(&mut conn, caller).await? else {
            return Ok(Queue {
                total: 0,
                items: Vec::new(),
            });
        };
        let jurisdiction = caller.actor().map_or(0, |a| a.org.jurisdiction);
        let total = review::queue_count(&mut conn, jurisdiction, of).await?;
        let items = review::queue(&mut conn, jurisdiction, of, after_id, limit)
            .await?
            .into_iter()
            .map(|(project, review)| QueueItem { project, review })
            .collect();
        Ok(Queue { total, items })
    }

    /// One page of the caller's queue as a search finds it (unit, text, sort, page), with how
    /// many wait in all, how many the search finds and their 本年申请 — the store counts, sums
    /// and pages (issue 21). `None` when the role reviews nothing.
    #[tracing::instrument(skip_all)]
    pub async fn queue_search(
        &self,
        caller: &Caller,
        ask: QueueAsk,
    ) -> AppResult<Option<(i64, QueuePage)>> {
        let mut conn = self.store.read().acquire().await?;
        let Some(of) = self.queue_of(&mut conn, caller).await? else {
            return Ok(None);
        };
        let jurisdiction_id = caller.actor().map_or(0, |a| a.org.jurisdiction);
        let waiting = review::queue_count(&mut conn, jurisdiction_id, of).await?;
        let page = queue_search::search(&mut conn, jurisdiction_id, of, &ask).await?;
        Ok(Some((waiting, page)))
    }
}
