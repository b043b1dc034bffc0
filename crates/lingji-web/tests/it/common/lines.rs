//! Budget lines for tests, approved with their first ledger entry as approval writes them.

use lingji_app::store::allocation::{BudgetLine, insert_lines};
use lingji_domain::Money;
use lingji_domain::foundation::fund::FundBook;

use super::TestApp;

/// A 2026 line of `yuan` 元 on economic code `code` for the unit with code `unit`, optionally
/// funding a project; returns its id.
pub async fn line(t: &TestApp, unit: &str, code: &str, yuan: i64, project_id: Option<i64>) -> i64 {
    line_in(t, 2026, unit, code, yuan, project_id).await
}

/// The same line in another year.
pub async fn line_in(
    t: &TestApp,
    year: i32,
    unit: &str,
    code: &str,
    yuan: i64,
    project_id: Option<i64>,
) -> i64 {
    let unit = t.org_id(unit).await;
    let org = {
        let mut c = t.app.store.write().acquire().await.unwrap();
        lingji_app::store::foundation::orgs::get(&mut c, unit)
            .await
            .unwrap()
            .unwrap()
    };
    let mut tx = t.app.store.begin().await.unwrap();
    insert_lines(
        &mut tx,
        org.path.jurisdiction,
        &[BudgetLine {
            id: 0,
            fiscal_year: year,
            department_id: org.path.department.expect("a unit has a department"),
            unit_id: unit,
            project_id,
            item_id: -1,
            name: format!("测试指标 {code}"),
            economic_code: code.into(),
            fund_book: FundBook::GeneralPublic,
            three_guarantees: false,
            approved: Money::from_yuan(yuan),
            source_document: "示财预〔2026〕1号".into(),
            run_id: None,
        }],
        "test",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut c = t.app.store.write().acquire().await.unwrap();
    let (id,): (i64,) = sqlx::query_as("SELECT MAX(id) FROM budget_lines")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    drop(c);
    id
}
