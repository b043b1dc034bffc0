//! `lingji bench province` at a tiny size (issue 21, point 7): the generated province has the
//! counts asked for, its levels hang together, and the audit log and the ledger verify.

use lingji_app::demo::province::{PROVINCE_REGION, ProvinceSize};
use lingji_app::store::testing::TestDb;
use lingji_app::store::{Backend, backend_tests};
use lingji_app::{App, Settings};

async fn count(app: &App, sql: &'static str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(app.store.write())
        .await
        .expect(sql);
    n
}

async fn a_tiny_province_has_the_counts_asked_for_and_verifies(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let app = App::open(&db.config, Settings::default())
        .await
        .expect("open");
    let size = ProvinceSize {
        jurisdictions: 7,
        units: 40,
        projects: 700,
        ledger: 1_000,
        lines_per_unit: 2,
    };
    let r = app
        .demo()
        .load_province(size, &|_| {})
        .await
        .expect("province");
    assert_eq!(
        (
            r.jurisdictions,
            r.units,
            r.projects,
            r.lines,
            r.ledger_entries
        ),
        (7, 40, 700, 80, 1_000)
    );
    assert_eq!(r.city_region, "320100");
    let jurisdictions = "SELECT COUNT(*) FROM organisations WHERE kind = 'jurisdiction'";
    assert_eq!(count(&app, jurisdictions).await, 7);
    let units = "SELECT COUNT(*) FROM organisations WHERE kind = 'unit'";
    assert_eq!(count(&app, units).await, 40);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM projects").await, 700);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM budget_lines").await, 80);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM ledger_entries").await,
        1_000
    );
    // Every state a list or queue shows has projects, and the allocation's county only
    // admitted ones (100 each).
    let waiting = "SELECT COUNT(*) FROM projects WHERE state = 'submitted' AND review_stage IN ('finance', 'department')";
    assert!(count(&app, waiting).await > 0);
    let admitted = "SELECT COUNT(*) FROM projects p JOIN organisations j ON j.id = p.jurisdiction_id \
                    WHERE p.state = 'admitted' AND p.reviewed_amount = p.request AND j.region_code = '320202'";
    assert_eq!(r.allocation_region, "320202");
    assert_eq!(count(&app, admitted).await, 100);
    // The province is above every other jurisdiction.
    let tree = app
        .foundation()
        .jurisdiction_tree(&lingji_app::Scope::system(
            app.foundation()
                .find_jurisdiction(Some(PROVINCE_REGION))
                .await
                .expect("province"),
        ))
        .await
        .expect("tree");
    assert_eq!(tree.len(), 7);
    let report = app.foundation().verify_audit(None).await.expect("verify");
    assert!(report.is_intact(), "{report:?}");
    // 1,000 entries: 80 approvals and 460 pairs of adjustments, each adjustment an event.
    assert!(report.chain.expect("chain") > 920);
    let ledger = app.foundation().verify_ledger().await.expect("ledger");
    assert_eq!(ledger, Ok(80));
}

backend_tests!(a_tiny_province_has_the_counts_asked_for_and_verifies);
