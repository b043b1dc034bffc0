//! What a transaction that adds projects holds until it commits: the audit chain's head and
//! each department's serial counter, read once and written once however many projects it
//! adds. PostgreSQL keeps every version of a row updated inside one transaction, so an import
//! that updated these rows per project would slow down with every project it added.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use lingji_store::foundation::audit::Chain;
use lingji_store::library::projects;
use sqlx::AnyConnection;

use crate::error::{AppError, AppResult};

/// Counters held by a transaction that adds projects.
#[must_use = "finish() writes the counters; without it the transaction must not commit"]
pub(crate) struct Additions {
    /// The audit chain's head.
    pub(crate) chain: Chain,
    /// The departments' serial counters.
    pub(crate) serials: Serials,
}

/// A department's counter: its jurisdiction, year and department.
type SerialKey = (i64, i32, i64);

/// Next free serial by (jurisdiction, year, department), each read once.
#[derive(Default)]
pub(crate) struct Serials(HashMap<SerialKey, u32>);

impl Serials {
    /// Reads a department's counter now (if not yet held), so that numbering its projects
    /// later needs no connection: an import numbers rows while its earlier projects are being
    /// written on the connection.
    pub(crate) async fn hold(
        &mut self,
        conn: &mut AnyConnection,
        jurisdiction_id: i64,
        year: i32,
        department_id: i64,
    ) -> AppResult<()> {
        if let Entry::Vacant(slot) = self.0.entry((jurisdiction_id, year, department_id)) {
            slot.insert(projects::take_serial(conn, jurisdiction_id, year, department_id).await?);
        }
        Ok(())
    }

    /// The next serial number of a department's project codes in a year.
    pub(crate) async fn take(
        &mut self,
        conn: &mut AnyConnection,
        jurisdiction_id: i64,
        year: i32,
        department_id: i64,
    ) -> AppResult<u32> {
        self.hold(conn, jurisdiction_id, year, department_id)
            .await?;
        self.take_held(jurisdiction_id, year, department_id)
    }

    /// As [`Self::take`] for a counter already held; an internal error if it was not (the
    /// caller's mistake, not the data's).
    pub(crate) fn take_held(
        &mut self,
        jurisdiction_id: i64,
        year: i32,
        department_id: i64,
    ) -> AppResult<u32> {
        let next = self
            .0
            .get_mut(&(jurisdiction_id, year, department_id))
            .ok_or_else(|| AppError::Internal("serial counter not held".into()))?;
        let taken = *next;
        *next += 1;
        Ok(taken)
    }
}

impl Additions {
    /// Takes the audit chain's head.
    pub(crate) async fn begin(conn: &mut AnyConnection) -> AppResult<Additions> {
        Ok(Additions {
            chain: Chain::take(conn).await?,
            serials: Serials::default(),
        })
    }

    /// Writes the counters and the chain's head.
    pub(crate) async fn finish(self, conn: &mut AnyConnection) -> AppResult<()> {
        for ((jurisdiction_id, year, department_id), next) in self.serials.0 {
            projects::set_serial(conn, jurisdiction_id, year, department_id, next).await?;
        }
        self.chain.finish(conn).await?;
        Ok(())
    }
}
