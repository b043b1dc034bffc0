//! "待我审核" as one page of a search: the queue (a department's first reviews, finance's
//! reviews and panels, a joint body's routed projects) filtered by unit and a text, counted and
//! summed over every project found, sorted by a fixed set of keys and paged in the store
//! (issue 21, point 7: finance's queue in a jurisdiction of a province holds thousands).

use lingji_domain::Money;
use sqlx::AnyConnection;

use super::{QueueOf, QueueRow, ReviewState, department_queue, finance_queue, joint_queue};
use crate::error::StoreError;
use crate::library::projects::search::{
    PAGE_MAX, ProjectSort, and_code_or_name, order_by, page_sql,
};
use crate::library::projects::{Project, project_columns};
use crate::search::{Arg, Where, bind_args, count_and_sum};

/// What a person asks of their queue: the filters, the order and the page.
#[derive(Debug, Clone, Default)]
pub struct QueueAsk {
    pub unit_id: Option<i64>,
    /// Text in the code or name.
    pub text: Option<String>,
    /// Code, name, unit, year, amount or the department's rank.
    pub sort: ProjectSort,
    pub desc: bool,
    pub offset: i64,
    pub limit: i64,
}

/// One page of a queue, and how many of it the filters find with their 本年申请 in all.
#[derive(Debug, Clone)]
pub struct QueuePage {
    pub rows: Vec<(Project, ReviewState)>,
    pub count: i64,
    pub total: Money,
}

/// The queue's own condition (the one its count uses), then the filters given.
fn search_where(jurisdiction_id: i64, of: QueueOf, s: &QueueAsk) -> Where {
    let j = Arg::Int(jurisdiction_id);
    let mut w = match of {
        QueueOf::Department(dept) => Where::numbered(department_queue!(), vec![j, Arg::Int(dept)]),
        QueueOf::Finance => Where::numbered(finance_queue!(), vec![j]),
        QueueOf::Joint(body) => {
            Where::numbered(joint_queue!(), vec![j, Arg::Text(body.as_str().into())])
        }
    };
    w.and_int(" AND unit_id = ?", s.unit_id);
    and_code_or_name(&mut w, s.text.as_deref());
    w
}

/// One page of the jurisdiction's queue `of` as asked, with the count and the sum of the
/// 本年申请 of every project the filters find.
pub async fn search(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    of: QueueOf,
    s: &QueueAsk,
) -> Result<QueuePage, StoreError> {
    let w = search_where(jurisdiction_id, of, s);
    let (count, total) = count_and_sum(conn, "projects", "request", &w).await?;
    let Where { sql: filter, args } = w;
    let sql = page_sql(
        concat!(
            project_columns!(),
            ", review_stage, review_round, department_rank, reviewed_amount"
        ),
        &filter,
        &order_by(s.sort, s.desc, crate::is_postgres(conn)),
        args.len(),
    );
    let rows: Vec<QueueRow> = bind_args!(
        sqlx::query_as::<_, QueueRow>(sqlx::AssertSqlSafe(sql)),
        args
    )
    .bind(s.limit.clamp(1, PAGE_MAX))
    .bind(s.offset.max(0))
    .fetch_all(&mut *conn)
    .await?;
    Ok(QueuePage {
        rows: rows
            .into_iter()
            .map(|r| {
                Ok((
                    Project::try_from(r.project)?,
                    ReviewState::try_from(r.review)?,
                ))
            })
            .collect::<Result<_, StoreError>>()?,
        count,
        total: Money::from_fen(total),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_keeps_its_own_condition_and_adds_the_filters_after_it() {
        let mut s = QueueAsk {
            unit_id: Some(9),
            text: Some("会议".into()),
            sort: ProjectSort::Rank,
            limit: 50,
            ..QueueAsk::default()
        };
        let w = search_where(1, QueueOf::Department(5), &s);
        assert!(w.sql.starts_with(concat!(" WHERE ", department_queue!())));
        assert!(
            w.sql
                .contains(" AND unit_id = $3 AND (LOWER(name) LIKE LOWER($4)")
        );
        assert_eq!(w.args.len(), 4);
        s.unit_id = None;
        s.text = None;
        assert_eq!(
            search_where(1, QueueOf::Finance, &s).sql,
            concat!(" WHERE ", finance_queue!())
        );
    }
}
