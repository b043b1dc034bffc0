//! Everything that moves money is provable (issue 17): `lingji audit verify` names a payment
//! altered or deleted in the database, a chain rewritten without the audit key and a truncated
//! tail (with an anchor); `lingji backup` copies a SQLite database during a burst of payments
//! and the copy verifies. The tests play the attacker with SQL on the test database; everything
//! else goes through the `lingji` binary or the use cases.

use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use lingji_app::Scope;
use lingji_app::store::testing::TestDb;
use lingji_app::store::{Backend, Store, backend_tests};
use lingji_app::{App, Settings};
use lingji_domain::Money;
use lingji_domain::execution::{PayeeKind, PaymentDraft};
use lingji_domain::foundation::audit::{AuditKey, record_hash};

fn lingji_at(url: &str, key: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lingji"))
        .args(args)
        .env("LINGJI_DATABASE_URL", url)
        .env("LINGJI_AUDIT_KEY_FILE", key)
        .env_remove("LINGJI_USER_PASSWORD")
        .current_dir(std::env::temp_dir())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

fn lingji(db: &TestDb, args: &[&str]) -> Output {
    lingji_at(&db.config.database_url, &db.config.audit_key_path(), args)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The attacker: SQL straight on the database, bypassing lingji.
async fn tamper(db: &TestDb, sql: &str) {
    let store = Store::connect(&db.config).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(store.write())
        .await
        .unwrap();
    store.close().await;
}

async fn scalar(db: &TestDb, sql: &str) -> i64 {
    let store = Store::connect(&db.config).await.unwrap();
    let (v,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(store.write())
        .await
        .unwrap();
    store.close().await;
    v
}

/// The demo and `n` payments filed through the use case (`lingji bench payments`); with the
/// number of payments the lived demo made and the newest of them, which the bench's follow.
async fn demo_with_payments(db: &TestDb, n: u32) -> (Output, i64, i64) {
    let out = lingji(db, &["demo"]);
    assert!(out.status.success(), "{}", text(&out));
    payments_on_demo(db, n).await
}

/// [`demo_with_payments`] on a database that holds the demo already.
async fn payments_on_demo(db: &TestDb, n: u32) -> (Output, i64, i64) {
    let lived = scalar(db, "SELECT COUNT(*) FROM payments").await;
    let newest = scalar(db, "SELECT COALESCE(MAX(id), 0) FROM payments").await;
    let out = lingji(
        db,
        &[
            "bench",
            "payments",
            "--requests",
            &n.to_string(),
            "--concurrency",
            "3",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    (out, lived, newest)
}

fn verify_fails_with(db: &TestDb, args: &[&str], needle: &str) {
    let out = lingji(db, args);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains(needle),
        "want «{needle}» in:\n{}",
        text(&out)
    );
}

fn verify_passes(db: &TestDb, args: &[&str]) -> String {
    let out = lingji(db, args);
    assert!(out.status.success(), "{}", text(&out));
    text(&out)
}

async fn audit_verify_names_an_altered_or_deleted_payment(backend: Backend) {
    let Some(db) = crate::common::demo_db(backend).await else {
        return;
    };
    let (_, lived, newest) = payments_on_demo(&db, 12).await;
    let out = verify_passes(&db, &["audit", "verify"]);
    assert!(
        out.contains(&format!("支付申请相符：共 {} 笔", lived + 12)),
        "{out}"
    );
    // The first of the bench's payments (the lived demo's came before).
    let id = scalar(
        &db,
        &format!("SELECT MIN(id) FROM payments WHERE id > {newest}"),
    )
    .await;

    // The amount: named against its request event and against its hold in the ledger.
    tamper(
        &db,
        &format!("UPDATE payments SET amount = amount + 1 WHERE id = {id}"),
    )
    .await;
    verify_fails_with(
        &db,
        &["audit", "verify"],
        &format!("支付申请 #{id} 被改动：金额"),
    );
    verify_fails_with(
        &db,
        &["audit", "verify"],
        &format!("支付申请 #{id} 与其指标账的占用分录不符"),
    );
    tamper(
        &db,
        &format!("UPDATE payments SET amount = amount - 1 WHERE id = {id}"),
    )
    .await;
    verify_passes(&db, &["audit", "verify"]);

    // The payee.
    tamper(
        &db,
        &format!("UPDATE payments SET payee_account = '6222999999999999' WHERE id = {id}"),
    )
    .await;
    verify_fails_with(
        &db,
        &["audit", "verify"],
        &format!("支付申请 #{id} 被改动：收款人"),
    );
    tamper(&db, &format!("UPDATE payments SET payee_account = (SELECT payee_account FROM payments WHERE id = {id} + 1) WHERE id = {id}")).await;

    // The line it draws on, with its ledger entry moved along so the ledger agrees.
    tamper(
        &db,
        &format!(
            "UPDATE ledger_entries SET line_id = line_id + 1 WHERE reference = (SELECT idempotency_key FROM payments WHERE id = {id}); \
             UPDATE payments SET line_id = line_id + 1 WHERE id = {id}"
        ),
    )
    .await;
    verify_fails_with(
        &db,
        &["audit", "verify"],
        &format!("支付申请 #{id} 被改动：预算指标"),
    );
    tamper(
        &db,
        &format!(
            "UPDATE ledger_entries SET line_id = line_id - 1 WHERE reference = (SELECT idempotency_key FROM payments WHERE id = {id}); \
             UPDATE payments SET line_id = line_id - 1 WHERE id = {id}"
        ),
    )
    .await;

    // Deleted, with its hits and its ledger entries, and the line's balance put back: the
    // ledger agrees with itself, the request event still names the payment.
    tamper(
        &db,
        &format!(
            "UPDATE budget_lines SET reserved = reserved - (SELECT amount FROM payments WHERE id = {id}) \
             WHERE id = (SELECT line_id FROM payments WHERE id = {id}); \
             DELETE FROM ledger_entries WHERE reference = (SELECT idempotency_key FROM payments WHERE id = {id}); \
             DELETE FROM payment_hits WHERE payment_id = {id}; \
             DELETE FROM payments WHERE id = {id}"
        ),
    )
    .await;
    let out = lingji(&db, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("指标账相符"), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("支付申请 #{id} 已从数据库中删除")),
        "{}",
        text(&out)
    );
}

/// The attacker's rewrite of the main chain: its event at position `from` gets `after`, and
/// it and every later event are rehashed — unkeyed (`key` None) or with a key of the
/// attacker's — and the head follows.
async fn rewrite_chain(db: &TestDb, from: i64, after: &str, key: Option<&AuditKey>) {
    type Event = (
        i64,
        String,
        i64,
        i64,
        String,
        String,
        String,
        String,
        String,
        String,
    );
    let store = Store::connect(&db.config).await.unwrap();
    let events: Vec<Event> = sqlx::query_as(
        "SELECT link, at, jurisdiction_id, actor_id, actor, action, entity_type, entity_id, before, after \
         FROM audit_events WHERE chain = 0 ORDER BY link",
    )
    .fetch_all(store.write())
    .await
    .unwrap();
    let mut prev = lingji_domain::foundation::audit::GENESIS_HASH.to_string();
    for (link, at, j, actor_id, actor, action, etype, eid, before, mut aft) in events {
        if link < from {
            let (h,): (String,) =
                sqlx::query_as("SELECT hash FROM audit_events WHERE chain = 0 AND link = $1")
                    .bind(link)
                    .fetch_one(store.write())
                    .await
                    .unwrap();
            prev = h;
            continue;
        }
        if link == from {
            aft = after.to_string();
        }
        let hash = record_hash(
            key,
            &prev,
            0,
            link,
            [
                &at,
                &j.to_string(),
                &actor_id.to_string(),
                &actor,
                &action,
                &etype,
                &eid,
                &before,
                &aft,
            ],
        );
        sqlx::query("UPDATE audit_events SET after = $1, prev_hash = $2, hash = $3, keyed = $4 WHERE chain = 0 AND link = $5")
            .bind(&aft)
            .bind(&prev)
            .bind(&hash)
            .bind(i64::from(key.is_some()))
            .bind(link)
            .execute(store.write())
            .await
            .unwrap();
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(link)
            .bind(&hash)
            .execute(store.write())
            .await
            .unwrap();
        prev = hash;
    }
    store.close().await;
}

async fn audit_verify_names_a_chain_rewritten_without_the_key(backend: Backend) {
    let Some(db) = crate::common::demo_db(backend).await else {
        return;
    };
    // Rehashed with SHA-256, as the chain was before it had a key.
    rewrite_chain(&db, 9, "{\"name\":\"篡改\"}", None).await;
    verify_fails_with(&db, &["audit", "verify"], "第 9 号审计事件没有密钥签名");
    // Rehashed with a key that is not the key file's.
    rewrite_chain(&db, 9, "{\"name\":\"篡改\"}", Some(&AuditKey::new([9; 32]))).await;
    verify_fails_with(&db, &["audit", "verify"], "第 9 号审计事件");
    verify_fails_with(&db, &["audit", "verify"], "密钥签名不符");
    // The whole chain rehashed as if it had never been keyed: lingji does not start a new
    // keyed part over it (its key file exists), and verify names it.
    rewrite_chain(&db, 1, "{\"name\":\"篡改\"}", None).await;
    verify_fails_with(&db, &["audit", "verify"], "都没有密钥签名");
    verify_fails_with(&db, &["audit", "verify"], "都没有密钥签名");
}

async fn audit_anchor_catches_a_truncated_tail(backend: Backend) {
    let Some(db) = crate::common::demo_db(backend).await else {
        return;
    };
    let out = lingji(&db, &["audit", "anchor"]);
    assert!(out.status.success(), "{}", text(&out));
    let anchor = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let (link, _) = anchor.split_once(':').expect("LINK:HASH");
    let link: i64 = link.parse().unwrap();
    let out = verify_passes(&db, &["audit", "verify", "--anchor", &anchor]);
    assert!(out.contains("锚点相符"), "{out}");
    // The newest three events removed and the head set back to the one before them: the chain
    // is whole by itself, only the anchor kept elsewhere shows what is missing.
    let kept = link - 3;
    tamper(
        &db,
        &format!(
            "DELETE FROM audit_events WHERE chain = 0 AND link > {kept}; \
             UPDATE audit_head SET seq = {kept}, \
             hash = (SELECT hash FROM audit_events WHERE chain = 0 AND link = {kept}) WHERE id = 1"
        ),
    )
    .await;
    verify_passes(&db, &["audit", "verify"]);
    verify_fails_with(
        &db,
        &["audit", "verify", "--anchor", &anchor],
        &format!("达不到锚点第 {link} 条"),
    );
    let out = lingji(&db, &["audit", "verify", "--anchor", "12:xyz"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("AUDIT_ANCHOR_INVALID"),
        "{}",
        text(&out)
    );
}

/// A payment's request event lives on its line's chain. The newest payment of a line removed
/// with everything that shows it — its event, its hits, its ledger entry, the money it held, its
/// row — and the line's head set back: nothing in the database contradicts it any more, but
/// the seal `lingji audit anchor` wrote into the main chain still says where the line stood.
async fn a_line_chain_truncated_after_an_anchor_is_named_by_its_seal(backend: Backend) {
    let Some(db) = crate::common::demo_db(backend).await else {
        return;
    };
    payments_on_demo(&db, 9).await;
    let out = lingji(&db, &["audit", "anchor"]);
    assert!(out.status.success(), "{}", text(&out));
    let anchor = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let line = scalar(&db, "SELECT line_id FROM payments ORDER BY id DESC LIMIT 1").await;
    let id = scalar(&db, "SELECT MAX(id) FROM payments").await;
    tamper(
        &db,
        &format!(
            "UPDATE budget_lines SET reserved = reserved - (SELECT amount FROM payments WHERE id = {id}) \
             WHERE id = {line}; \
             DELETE FROM ledger_entries WHERE reference = (SELECT idempotency_key FROM payments WHERE id = {id}); \
             DELETE FROM payment_hits WHERE payment_id = {id}; \
             UPDATE payment_usage SET amount = amount - (SELECT amount FROM payments WHERE id = {id}) \
             WHERE unit_id = (SELECT unit_id FROM payments WHERE id = {id}) \
             AND economic_code = (SELECT economic_code FROM payments WHERE id = {id}); \
             DELETE FROM payments WHERE id = {id}; \
             UPDATE audit_line_heads SET link = link - 1, \
             hash = (SELECT prev_hash FROM audit_events WHERE chain = {line} ORDER BY link DESC LIMIT 1) \
             WHERE line_id = {line}; \
             DELETE FROM audit_events WHERE chain = {line} \
             AND link = (SELECT MAX(link) FROM audit_events WHERE chain = {line})"
        ),
    )
    .await;
    let needle = format!("封存时，指标 #{line} 的审计链到第");
    verify_fails_with(&db, &["audit", "verify"], &needle);
    verify_fails_with(&db, &["audit", "verify", "--anchor", &anchor], &needle);
}

/// A database of the version before the key: its chain is plain SHA-256 and it has no key
/// file. The first start creates the key and the start event; the old events keep verifying.
async fn a_chain_written_before_the_key_keeps_verifying(backend: Backend) {
    let Some(db) = TestDb::without_key(backend).await else {
        return;
    };
    let (_, lived, _) = demo_with_payments(&db, 6).await;
    // As the version before wrote it: every event unkeyed on one chain, no payment request
    // events (nor line chains), no key file.
    tamper(
        &db,
        "DELETE FROM audit_events WHERE chain <> 0; DELETE FROM audit_line_heads",
    )
    .await;
    rewrite_chain(&db, 1, "{}", None).await;
    std::fs::remove_file(db.config.audit_key_path()).unwrap();
    let events = scalar(&db, "SELECT COUNT(*) FROM audit_events").await;
    let out = verify_passes(&db, &["audit", "verify"]);
    // The key start is the newest event; its log number, as the audit page shows it.
    let start = scalar(
        &db,
        "SELECT MAX(seq) FROM audit_events WHERE action = 'audit.key'",
    )
    .await;
    assert!(
        out.contains(&format!("共 {} 条事件", events + 1))
            && out.contains(&format!("密钥签名自第 {start} 号起")),
        "{out}"
    );
    assert!(db.config.audit_key_path().exists());
    // New payments after the start are held to their events like any.
    let out = lingji(&db, &["bench", "payments", "--requests", "3"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = verify_passes(&db, &["audit", "verify"]);
    assert!(
        out.contains(&format!("支付申请相符：共 {} 笔", lived + 9)),
        "{out}"
    );
}

async fn the_audit_key_file_is_created_private_and_then_required(backend: Backend) {
    let Some(db) = TestDb::without_key(backend).await else {
        return;
    };
    let key = db.config.audit_key_path();
    assert!(!key.exists());
    assert!(lingji(&db, &["demo"]).status.success());
    let meta = std::fs::metadata(&key).expect("the key file is created on first start");
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777,
        0o600
    );
    assert_eq!(std::fs::read_to_string(&key).unwrap().trim().len(), 64);
    verify_passes(&db, &["audit", "verify"]);
    // Without the key the keyed chain cannot be verified, and no new key is made up for it.
    std::fs::remove_file(&key).unwrap();
    let out = lingji(&db, &["audit", "verify"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("AUDIT_KEY_MISSING"), "{}", text(&out));
    assert!(!key.exists());
}

/// Payments filed through the use case on the bench's lines while `lingji backup` copies the
/// database; the copy verifies and holds every payment acknowledged before the backup began.
async fn a_backup_taken_during_a_burst_of_payments_restores_and_verifies(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.to_str().unwrap().to_string();
    if backend == Backend::Postgres {
        assert!(lingji(&db, &["migrate"]).status.success());
        let out = lingji(&db, &["backup", "--to", &copy_arg]);
        assert!(!out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("pg_dump"), "{}", text(&out));
        return;
    }
    let (out, ..) = demo_with_payments(&db, 3).await;
    let lines: Vec<i64> = {
        // The bench's last line: 指标：40 条（a–b）
        let t = text(&out);
        let line = t.lines().find(|l| l.starts_with("指标：")).unwrap();
        let range = line.split('（').nth(1).unwrap().trim_end_matches('）');
        let (a, b) = range.split_once('–').unwrap();
        (a.parse().unwrap()..=b.parse().unwrap()).collect()
    };
    let app = App::open(&db.config, Settings::default()).await.unwrap();
    let jurisdiction = app.foundation().find_jurisdiction(None).await.unwrap();
    let acknowledged = Arc::new(Mutex::new(Vec::<(i64, i64)>::new()));
    let mut burst = tokio::task::JoinSet::new();
    for worker in 0..6_usize {
        let (app, lines, acknowledged) = (app.clone(), lines.clone(), Arc::clone(&acknowledged));
        burst.spawn(async move {
            for n in 0..60_usize {
                let draft = PaymentDraft {
                    payee_name: "示范市办公用品有限公司".into(),
                    payee_account: format!("6222021234500{worker}{n:02}"),
                    payee_kind: PayeeKind::Unit,
                    amount: Money::from_fen(10_000 + i64::try_from(n).unwrap()),
                    economic_code: "30201".into(),
                    line_id: lines[(worker + n) % lines.len()],
                    purpose: "采购办公用品".into(),
                    date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
                    contract_no: Some("HT-1".into()),
                    event_code: None,
                    headcount: None,
                    days: None,
                    idempotency_key: format!("burst-{worker}-{n}"),
                };
                let p = app
                    .execution()
                    .request_payment(&Scope::system(jurisdiction), draft)
                    .await
                    .unwrap();
                acknowledged
                    .lock()
                    .unwrap()
                    .push((p.id, p.draft.amount.fen()));
            }
        });
    }
    // Mid-burst: once some payments are acknowledged, the backup starts.
    while acknowledged.lock().unwrap().len() < 60 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before_backup = acknowledged.lock().unwrap().clone();
    let (url, key) = (db.config.database_url.clone(), db.config.audit_key_path());
    let out =
        tokio::task::spawn_blocking(move || lingji_at(&url, &key, &["backup", "--to", &copy_arg]))
            .await
            .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        acknowledged.lock().unwrap().len() < 360,
        "the backup ran after the burst, not during it"
    );
    while let Some(r) = burst.join_next().await {
        r.unwrap();
    }
    app.store.close().await;

    // Restore: the copy is a database file; lingji opens and verifies it with the key file.
    let restored = format!("sqlite:{}", copy.display());
    let out = lingji_at(&restored, &db.config.audit_key_path(), &["audit", "verify"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("指标账相符"), "{}", text(&out));
    let store = Store::connect(&lingji_app::StoreConfig::new(restored))
        .await
        .unwrap();
    for (id, fen) in before_backup {
        let found: Option<(i64,)> = sqlx::query_as("SELECT amount FROM payments WHERE id = $1")
            .bind(id)
            .fetch_optional(store.write())
            .await
            .unwrap();
        assert_eq!(
            found,
            Some((fen,)),
            "payment #{id} acknowledged before the backup"
        );
    }
    store.close().await;
}

backend_tests!(
    audit_verify_names_an_altered_or_deleted_payment,
    audit_verify_names_a_chain_rewritten_without_the_key,
    audit_anchor_catches_a_truncated_tail,
    a_line_chain_truncated_after_an_anchor_is_named_by_its_seal,
    the_audit_key_file_is_created_private_and_then_required,
    a_chain_written_before_the_key_keeps_verifying,
    a_backup_taken_during_a_burst_of_payments_restores_and_verifies,
);
