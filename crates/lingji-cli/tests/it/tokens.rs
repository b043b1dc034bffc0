//! API tokens from the command line (issue 17): issued with an expiry, listed and revoked, each
//! step audited, on SQLite and on PostgreSQL.

use std::process::{Command, Output};

use lingji_app::store::testing::TestDb;
use lingji_app::store::{Backend, backend_tests};
use lingji_app::{App, Settings};

fn lingji(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lingji"))
        .args(args)
        .env("LINGJI_DATABASE_URL", &db.config.database_url)
        .env("LINGJI_AUDIT_KEY_FILE", db.config.audit_key_path())
        .current_dir(std::env::temp_dir())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn operators_issue_list_and_revoke_tokens(backend: Backend) {
    let Some(db) = crate::common::demo_db(backend).await else {
        return;
    };
    let out = lingji(
        &db,
        &[
            "user",
            "token",
            "danwei",
            "--label",
            "报表脚本",
            "--days",
            "3",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        token.starts_with("lj_") && !token.contains(' '),
        "stdout is the token alone"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("有效期至"));
    let out = lingji(&db, &["user", "token", "danwei", "--days", "0"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("TOKEN_DAYS_INVALID"), "{}", text(&out));

    let app = App::open(&db.config, Settings::default()).await.unwrap();
    assert!(app.accounts().token_actor(&token).await.unwrap().is_some());

    let out = lingji(&db, &["user", "tokens", "danwei"]);
    assert!(out.status.success(), "{}", text(&out));
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    let row = listed
        .lines()
        .find(|l| l.contains("报表脚本"))
        .unwrap_or_else(|| panic!("token not listed: {listed}"));
    assert!(row.ends_with("有效"), "{row}");
    assert!(!listed.contains(&token[3..]), "the secret is never listed");
    let id = row.split('\t').next().unwrap().to_string();

    let out = lingji(&db, &["user", "revoke-token", &id]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("已撤销 danwei"), "{}", text(&out));
    assert!(app.accounts().token_actor(&token).await.unwrap().is_none());
    let out = lingji(&db, &["user", "tokens", "danwei"]);
    assert!(text(&out).contains("已撤销"), "{}", text(&out));
    let out = lingji(&db, &["user", "revoke-token", &id]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("TOKEN_ALREADY_REVOKED"),
        "{}",
        text(&out)
    );

    // Issue and revocation are on the audit chain.
    let mut conn = app.store.read().acquire().await.unwrap();
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE action LIKE 'token.%' ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert_eq!(actions, ["token.issue", "token.revoke"]);
    drop(conn);
    let out = lingji(&db, &["audit", "verify"]);
    assert!(out.status.success(), "{}", text(&out));
}

backend_tests!(operators_issue_list_and_revoke_tokens);
