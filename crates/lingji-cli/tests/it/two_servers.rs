//! Two `lingji serve` processes sharing one PostgreSQL (ZB-7a): hundreds of simultaneous
//! payment requests on one budget line, sent to both, never overdraw it; every request gets
//! exactly one answer, a retry on the other server included; the ledger balances to the fen.
//! With a streaming replica (`LINGJI_TEST_POSTGRES_READ_URL`, as CI has) both servers read
//! from it (`--read-database-url`) and write to the primary, as a deployment behind a load
//! balancer does.

use std::process::Command;

use crate::common::{Server, http, serve};
use lingji_app::store::allocation::{BudgetLine, insert_lines};
use lingji_app::store::testing::TestDb;
use lingji_app::store::{Backend, Store, execution::ledger};
use lingji_domain::Money;
use lingji_domain::execution::replay;
use lingji_domain::foundation::fund::FundBook;

fn lingji(db: &TestDb) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lingji"));
    cmd.env("LINGJI_DATABASE_URL", &db.config.database_url)
        .current_dir(std::env::temp_dir());
    cmd
}

fn start(db: &TestDb) -> Server {
    let mut cmd = lingji(db);
    if let Some(read) = &db.config.read_database_url {
        cmd.args(["--read-database-url", read]);
    }
    serve(cmd)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zb_7a_two_servers_on_one_postgresql_never_overdraw_a_line() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let demo = lingji(&db).args(["demo"]).output().unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let token = lingji(&db)
        .args(["user", "token", "danwei"])
        .output()
        .unwrap();
    let token = String::from_utf8(token.stdout).unwrap().trim().to_string();
    let store = Store::connect(&db.config).await.unwrap();
    let line = {
        let mut c = store.write().acquire().await.unwrap();
        let (unit, department, jurisdiction): (i64, i64, i64) = sqlx::query_as(
            "SELECT id, department_id, jurisdiction_id FROM organisations WHERE code = '101001'",
        )
        .fetch_one(&mut *c)
        .await
        .unwrap();
        drop(c);
        let mut tx = store.begin().await.unwrap();
        insert_lines(
            &mut tx,
            jurisdiction,
            &[BudgetLine {
                id: 0,
                fiscal_year: 2026,
                department_id: department,
                unit_id: unit,
                project_id: None,
                item_id: -1,
                name: "公用经费".into(),
                economic_code: "302".into(),
                fund_book: FundBook::GeneralPublic,
                three_guarantees: false,
                approved: Money::from_yuan(1_000),
                source_document: "示财预〔2026〕1号".into(),
                run_id: None,
            }],
            "test",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let (id,): (i64,) = sqlx::query_as("SELECT MAX(id) FROM budget_lines")
            .fetch_one(store.write())
            .await
            .unwrap();
        id
    };
    // The token and the line reach the replica before clients that know nothing of them
    // arrive (the servers read tokens there).
    db.replica_caught_up().await;
    let servers = [start(&db), start(&db)];
    let ports = [servers[0].1, servers[1].1];
    // 240 requests of 7.00 元 on 1,000.00 元 from 24 threads, alternating servers; keys repeat
    // every 200, so 40 are retries that may land on the other server.
    let answers: Vec<(u16, serde_json::Value)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..24)
            .map(|thread| {
                let token = token.clone();
                scope.spawn(move || {
                    (0..10)
                        .map(|i| {
                            let n = thread * 10 + i;
                            let body = serde_json::json!({
                                "payee_name": "示范市办公用品有限公司",
                                "payee_account": format!("62220212345{:05}", n % 200),
                                "payee_kind": "unit",
                                "amount": "7.00",
                                "economic_code": "30201",
                                "line_id": line,
                                "purpose": "采购办公用品",
                                "date": "2026-03-10",
                                "contract_no": "HT-1",
                                "idempotency_key": format!("two-{:04}", n % 200),
                            });
                            let (status, text) = http(
                                ports[n % 2],
                                "POST",
                                "/api/v1/payments",
                                &token,
                                &body.to_string(),
                            )
                            .expect("every request gets an answer");
                            (status, serde_json::from_str(&text).unwrap_or_default())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(answers.len(), 240);
    let mut by_key = std::collections::HashMap::new();
    for (status, p) in &answers {
        assert!(*status == 201 || *status == 200, "{status} {p}");
        let key = p["idempotency_key"].as_str().unwrap().to_string();
        if let Some(first) = by_key.insert(key, p["id"].clone()) {
            assert_eq!(first, p["id"], "a retry is answered with the first payment");
        }
    }
    assert_eq!(by_key.len(), 200);
    if let Some(read) = &db.config.read_database_url {
        // The servers' reads (the callers' tokens) were answered by the replica.
        let (readers,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_one(
            &mut <sqlx::PgConnection as sqlx::Connection>::connect(read)
                .await
                .unwrap(),
        )
        .await
        .unwrap();
        assert!(readers > 0, "no server connected to the replica");
    }
    let (pending,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM payments WHERE line_id = $1 AND status = 'pending'")
            .bind(line)
            .fetch_one(store.write())
            .await
            .unwrap();
    assert_eq!(pending, 142, "994.00 of 1,000.00 元 held, never more");
    let mut c = store.write().acquire().await.unwrap();
    let b = ledger::balance(&mut c, line).await.unwrap().unwrap();
    assert_eq!(
        (b.reserved, b.available()),
        (Money::from_yuan(994), Money::from_yuan(6))
    );
    assert_eq!(
        replay(&ledger::entries(&mut c, line).await.unwrap()).unwrap(),
        b
    );
    drop(c);
    drop(servers);
    store.close().await;
}
