//! The budget-line ledger on SQLite and PostgreSQL (ZB-7a): hundreds of simultaneous payment
//! holds on one line never overdraw it, every request gets exactly one answer, and the
//! line's balance is its entries replayed, to the fen.

use crate::common::TestApp;
use lingji_app::store::{Backend, backend_tests, execution::ledger};
use lingji_domain::Money;
use lingji_domain::execution::replay;

async fn zb_7a_simultaneous_holds_never_overdraw_a_line(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let id = crate::common::lines::line(&t, "101001", "302", 1_000, None).await;
    // 300 requests of 7.00 元 at once on 1,000.00 元: exactly 142 fit (994.00 元).
    let mut tasks = Vec::new();
    for n in 0..300 {
        let store = t.app.store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin().await?;
            let held =
                ledger::reserve(&mut tx, id, Money::from_yuan(7), &format!("P{n}"), "test").await?;
            tx.commit().await?;
            Ok::<bool, lingji_app::store::StoreError>(held)
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap().expect("every request gets an answer"));
    }
    assert_eq!(answers.len(), 300);
    assert_eq!(answers.iter().filter(|h| **h).count(), 142);
    let mut c = t.app.store.write().acquire().await.unwrap();
    let b = ledger::balance(&mut c, id).await.unwrap().unwrap();
    assert_eq!(b.reserved, Money::from_yuan(994));
    assert_eq!(b.available(), Money::from_yuan(6));
    // Settle some, release the rest: still the entries, to the fen.
    assert!(
        ledger::finish(&mut c, id, Money::from_yuan(700), true, "pay", "test")
            .await
            .unwrap()
    );
    assert!(
        ledger::finish(&mut c, id, Money::from_yuan(294), false, "back", "test")
            .await
            .unwrap()
    );
    assert!(
        !ledger::finish(&mut c, id, Money::from_fen(1), true, "none", "test")
            .await
            .unwrap()
    );
    let b = ledger::balance(&mut c, id).await.unwrap().unwrap();
    assert_eq!(
        (b.spent, b.reserved, b.available()),
        (Money::from_yuan(700), Money::ZERO, Money::from_yuan(300))
    );
    let entries = ledger::entries(&mut c, id).await.unwrap();
    assert_eq!(
        entries.len(),
        1 + 142 + 2,
        "approval, holds, settle, release"
    );
    assert_eq!(replay(&entries).unwrap(), b);
}

backend_tests!(zb_7a_simultaneous_holds_never_overdraw_a_line);
