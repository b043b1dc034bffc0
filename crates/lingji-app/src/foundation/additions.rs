//! What a transaction that adds projects holds until it commits: the audit chain's head and
//! each department's serial counter, read once and written once however many projects it
//! adds. PostgreSQL keeps every version of a row updated inside one transaction, so an import
//! that updated these rows per project would slow down with every project it added.

use std::collections::HashMap;

use lingji_store::foundation::audit::Chain;
use lingji_store::library::projects;
use sqlx::AnyConnection;

use crate::error::AppResult;

/// Counters held by a transaction that adds projects.
#[must_use = "finish() writes the counters; without it the transaction must not commit"]
pub(crate) struct Additions {
    /// The audit chain's head.
    pub(crate) chain: Chain,
    /// Next free serial by (jurisdiction, year, department).
    serials: HashMap<(i64, i32, i64), u32>,
}

impl Additions {
    /// Takes the audit chain's head.
    pub(crate) async fn begin(conn: &mut AnyConnection) -> AppResult<Additions> {
        Ok(Additions {
            chain: Chain::take(conn).await?,
            serials: HashMap::new(),
        })
    }

    /// The next serial number of a department's project codes in a year.
    pub(crate) async fn serial(
        &mut self,
        conn: &mut AnyConnection,
        jurisdiction_id: i64,
        year: i32,
        department_id: i64,
    ) -> AppResult<u32> {
        let key = (jurisdiction_id, year, department_id);
        let next = match self.serials.get(&key) {
            Some(next) => *next,
            None => projects::take_serial(conn, jurisdiction_id, year, department_id).await?,
        };
        self.serials.insert(key, next + 1);
        Ok(next)
    }

    /// Writes the counters and the chain's head.
    pub(crate) async fn finish(self, conn: &mut AnyConnection) -> AppResult<()> {
        for ((jurisdiction_id, year, department_id), next) in self.serials {
            projects::set_serial(conn, jurisdiction_id, year, department_id, next).await?;
        }
        self.chain.finish(conn).await?;
        Ok(())
    }
}
