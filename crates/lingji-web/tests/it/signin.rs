//! Sign-in that cannot be used to lock people out, client addresses behind proxies, API tokens
//! and CSRF tokens never taken from the URL (issue 17), through the real router on SQLite and
//! PostgreSQL; and what a client is told when the database is gone (the outage itself, a
//! stopped PostgreSQL cluster, is in `lingji-cli/tests/outage.rs`).

use std::net::SocketAddr;
use std::time::Duration;

use crate::common::{Reply, Session, TestApp};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use lingji_app::Settings;
use lingji_app::store::{Backend, backend_tests};
use lingji_web::WebConfig;
use lingji_web::forwarded::TrustedProxies;
use serde_json::{Value, json};

const A: &str = "198.51.100.1";
const B: &str = "203.0.113.9";

/// A JSON request as it arrives from `peer`, with forwarded-for hops if any.
async fn from(
    t: &TestApp,
    peer: &str,
    forwarded: Option<&str>,
    method: Method,
    path: &str,
    session: Option<&Session>,
    body: Value,
) -> Reply {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(f) = forwarded {
        b = b.header("x-forwarded-for", f);
    }
    if let Some(s) = session {
        b = b
            .header(header::COOKIE, format!("lingji_session={}", s.cookie))
            .header("x-csrf-token", &s.csrf);
    }
    let mut request = b.body(Body::from(body.to_string())).unwrap();
    let addr: SocketAddr = format!("{peer}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    t.send(request).await
}

async fn login_from(t: &TestApp, peer: &str, user: &str, password: &str) -> Reply {
    from(
        t,
        peer,
        None,
        Method::POST,
        "/api/v1/auth/login",
        None,
        json!({"username": user, "password": password}),
    )
    .await
}

fn retry_after(r: &Reply) -> u64 {
    r.headers
        .get(header::RETRY_AFTER)
        .unwrap_or_else(|| panic!("no Retry-After on {} {}", r.status, r.text))
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Asserts a 429 problem in Chinese and returns its `Retry-After`.
fn throttled(r: &Reply, code: &str) -> u64 {
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::TOO_MANY_REQUESTS, code.to_string()),
        "{}",
        r.text
    );
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
    assert!(r.json()["title"].as_str().unwrap().contains("后再试"));
    retry_after(r)
}

/// Settings with waits short enough for a test: one second, then two, …
fn quick() -> Settings {
    Settings {
        login_backoff_seconds: 1,
        login_max_failures_per_ip: 8,
        ..Settings::default()
    }
}

async fn wrong_passwords_from_one_address_never_stop_the_right_one_from_another(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    for _ in 0..5 {
        let r = login_from(&t, A, "caizheng", "guess-guess").await;
        assert_eq!(r.code(), "LOGIN_FAILED");
    }
    // From A even the right password waits now, and is told how long (the first wait is 60 s).
    let r = login_from(&t, A, "caizheng", "lingji-demo").await;
    let wait = throttled(&r, "LOGIN_THROTTLED");
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert!(r.json()["title"].as_str().unwrap().contains("分钟"));
    // From B the user signs in at once: A's failures are not B's.
    let r = login_from(&t, B, "caizheng", "lingji-demo").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // And another user at A is not held by caizheng's failures there.
    let r = login_from(&t, A, "danwei", "lingji-demo").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

async fn a_user_at_one_address_waits_longer_after_each_failure(backend: Backend) {
    let Some(t) = TestApp::demo_with(backend, false, quick(), WebConfig::default()).await else {
        return;
    };
    for _ in 0..5 {
        login_from(&t, A, "zhuguan", "guess-guess").await;
    }
    assert_eq!(
        throttled(
            &login_from(&t, A, "zhuguan", "lingji-demo").await,
            "LOGIN_THROTTLED"
        ),
        1
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // The wait is over: the attempt is taken (and fails), and the next wait is twice as long.
    assert_eq!(
        login_from(&t, A, "zhuguan", "guess-guess").await.code(),
        "LOGIN_FAILED"
    );
    let r = login_from(&t, A, "zhuguan", "lingji-demo").await;
    assert_eq!(throttled(&r, "LOGIN_THROTTLED"), 2);
    assert!(r.json()["title"].as_str().unwrap().contains("2 秒"));
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = login_from(&t, A, "zhuguan", "lingji-demo").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // A success starts the count afresh.
    assert_eq!(
        login_from(&t, A, "zhuguan", "guess-guess").await.code(),
        "LOGIN_FAILED"
    );
    assert_eq!(
        login_from(&t, A, "zhuguan", "lingji-demo").await.status,
        StatusCode::OK
    );
}

async fn an_address_guessing_at_many_users_is_held_back(backend: Backend) {
    let Some(t) = TestApp::demo_with(backend, false, quick(), WebConfig::default()).await else {
        return;
    };
    // Eight failures (the limit in `quick`) spread over users, none of them backing off.
    for user in ["danwei", "zhuguan", "caizheng", "shuju"] {
        for _ in 0..2 {
            assert_eq!(
                login_from(&t, A, user, "guess-guess").await.code(),
                "LOGIN_FAILED"
            );
        }
    }
    let r = login_from(&t, A, "shenji", "lingji-demo").await;
    let wait = throttled(&r, "LOGIN_THROTTLED");
    assert!(
        wait > 60 && wait <= 15 * 60,
        "until the window passes: {wait}"
    );
    let r = login_from(&t, B, "shenji", "lingji-demo").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

async fn wrong_current_passwords_back_off_and_a_change_ends_every_token(backend: Backend) {
    let Some(t) = TestApp::demo_with(backend, false, quick(), WebConfig::default()).await else {
        return;
    };
    let s = t.login("zhuguan").await;
    let token = t
        .app
        .accounts()
        .issue_token("zhuguan", "报表脚本", None)
        .await
        .unwrap()
        .token;
    let change =
        |current: &str| json!({"current_password": current, "new_password": "new-secret-2026"});
    for _ in 0..5 {
        let r = from(
            &t,
            A,
            None,
            Method::POST,
            "/api/v1/me/password",
            Some(&s),
            change("guess-guess"),
        )
        .await;
        assert_eq!(r.code(), "PASSWORD_WRONG");
    }
    let r = from(
        &t,
        A,
        None,
        Method::POST,
        "/api/v1/me/password",
        Some(&s),
        change("lingji-demo"),
    )
    .await;
    assert_eq!(throttled(&r, "PASSWORD_THROTTLED"), 1);
    // The page says the same (and does not change the password either).
    let mut form = Request::builder()
        .method(Method::POST)
        .uri("/account/password")
        .header(header::COOKIE, format!("lingji_session={}", s.cookie))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "_csrf={}&current_password=lingji-demo&password=new-secret-2026&confirm=new-secret-2026",
            s.csrf
        )))
        .unwrap();
    form.extensions_mut()
        .insert(ConnectInfo(format!("{A}:1").parse::<SocketAddr>().unwrap()));
    let r = t.send(form).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text.contains("当前密码输错次数过多"), "{}", r.text);
    assert_eq!(retry_after(&r), 1);
    // The token still works until the password changes …
    let me = |token: String| {
        Request::get("/api/v1/me")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(t.send(me(token.clone())).await.status, StatusCode::OK);
    // … which from another address goes through at once.
    let r = from(
        &t,
        B,
        None,
        Method::POST,
        "/api/v1/me/password",
        Some(&s),
        change("lingji-demo"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = t.send(me(token)).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "TOKEN_INVALID".into())
    );
}

async fn behind_proxies_the_client_is_the_right_most_hop_not_ours(backend: Backend) {
    let web = WebConfig {
        trusted_proxies: TrustedProxies::parse(&["10.0.0.0/8", "127.0.0.1"]).unwrap(),
        ..WebConfig::default()
    };
    let Some(t) = TestApp::demo_with(backend, false, Settings::default(), web).await else {
        return;
    };
    let login = |peer: &'static str, hops: &'static str, password: &'static str| {
        let t = &t;
        async move {
            from(
                t,
                peer,
                Some(hops),
                Method::POST,
                "/api/v1/auth/login",
                None,
                json!({"username": "caizheng", "password": password}),
            )
            .await
        }
    };
    // The client 203.0.113.5 came through two of our proxies and writes a hop of its own at the
    // left, different each time, hoping to be somebody new.
    for i in 0..5 {
        let hops: &'static str =
            Box::leak(format!("192.0.2.{i}, 203.0.113.5, 10.0.0.3").into_boxed_str());
        assert_eq!(
            login("127.0.0.1", hops, "guess-guess").await.code(),
            "LOGIN_FAILED"
        );
    }
    let r = login(
        "127.0.0.1",
        "192.0.2.77, 203.0.113.5, 10.0.0.3",
        "lingji-demo",
    )
    .await;
    throttled(&r, "LOGIN_THROTTLED");
    // Somebody else behind the same proxies, who claims to be 203.0.113.5 at the left: let in.
    let r = login("10.0.0.2", "203.0.113.5, 198.51.100.8", "lingji-demo").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // A stranger's own X-Forwarded-For counts for nothing: it is the peer that is throttled
    // (or not).
    let r = login("198.51.100.20", "203.0.113.5", "lingji-demo").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = login("203.0.113.5", "10.0.0.9", "lingji-demo").await;
    throttled(&r, "LOGIN_THROTTLED");
}

async fn tokens_expire_and_are_listed_and_revoked_by_their_owner_or_an_administrator(
    backend: Backend,
) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    let admin = t.login("admin").await;
    let stranger = t.login("danwei").await;
    let before = t.audit_count().await;
    let first = t
        .app
        .accounts()
        .issue_token("caizheng", "报表脚本", None)
        .await
        .unwrap();
    let second = t
        .app
        .accounts()
        .issue_token("caizheng", "对账", Some(1))
        .await
        .unwrap();
    assert_eq!(t.audit_count().await, before + 2, "issuing is audited");
    let expires = lingji_app::store::time::parse(&first.expires_at).unwrap();
    let days = (expires - chrono::Utc::now()).num_days();
    assert!((89..=90).contains(&days), "90 days by default: {days}");
    assert_eq!(
        t.app
            .accounts()
            .issue_token("caizheng", "x", Some(0))
            .await
            .unwrap_err()
            .refusal()
            .code,
        "TOKEN_DAYS_INVALID"
    );
    let bearer = |token: &str| {
        Request::get("/api/v1/me")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(t.send(bearer(&first.token)).await.status, StatusCode::OK);

    // The owner sees both on the account page, never a secret.
    let page = t.get("/account/tokens", Some(&fin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("报表脚本") && page.text.contains("对账"));
    assert!(page.text.contains("有效"));
    assert!(
        !page.text.contains(&first.token[3..]),
        "the secret is never shown"
    );
    // Another user does not even learn that caizheng exists; the administrator sees it all.
    let fin_path = format!("/users/{}/tokens", fin.user_id);
    assert_eq!(
        t.get(&fin_path, Some(&stranger)).await.status,
        StatusCode::NOT_FOUND
    );
    let page = t.get(&fin_path, Some(&admin)).await;
    assert!(
        page.text.contains("caizheng") && page.text.contains("对账"),
        "{}",
        page.text
    );

    // A stranger cannot revoke it; the owner can, once; the token then opens nothing.
    let revoke = |id: i64| format!("/tokens/{id}/revoke");
    let r = t.form(&revoke(first.id), &stranger, &[], None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t.form(&revoke(first.id), &fin, &[], None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/account/tokens?msg=revoked");
    assert_eq!(t.audit_count().await, before + 3, "revoking is audited");
    let r = t.send(bearer(&first.token)).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "TOKEN_INVALID".into())
    );
    let r = t.form(&revoke(first.id), &fin, &[], None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // The administrator revokes anyone's and comes back to that user's list.
    let third = t
        .app
        .accounts()
        .issue_token("caizheng", "第三个", None)
        .await
        .unwrap();
    let r = t.form(&revoke(third.id), &admin, &[], None).await;
    assert_eq!(
        r.headers[header::LOCATION],
        format!("{fin_path}?msg=revoked")
    );
    assert_eq!(
        t.send(bearer(&third.token)).await.status,
        StatusCode::UNAUTHORIZED
    );

    // A token past its expiry opens nothing and is listed as expired.
    assert_eq!(t.send(bearer(&second.token)).await.status, StatusCode::OK);
    {
        let mut conn = t.app.store.write().acquire().await.unwrap();
        sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE id = $2")
            .bind("2026-01-01T00:00:00.000Z")
            .bind(second.id)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    assert_eq!(
        t.send(bearer(&second.token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let page = t.get("/account/tokens", Some(&fin)).await;
    assert!(page.text.contains("已过期") && page.text.contains("已撤销"));

    // An administrator's password reset ends the user's tokens as the user's own change does.
    let fourth = t
        .app
        .accounts()
        .issue_token("caizheng", "第四个", None)
        .await
        .unwrap();
    assert_eq!(t.send(bearer(&fourth.token)).await.status, StatusCode::OK);
    let r = t
        .call(
            Method::POST,
            &format!("/api/v1/users/{}/password", fin.user_id),
            Some(&admin),
            Some(json!({"password": "reset-pass-2026"})),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    assert_eq!(
        t.send(bearer(&fourth.token)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// A browser's upload: the fields in order, the file last, no `X-CSRF-Token` header.
fn browser_upload(path: &str, s: &Session, fields: &[(&str, &str)], file: &[u8]) -> Request<Body> {
    let boundary = "----browserboundary7MA4YWxk";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"codes.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::post(path)
        .header(header::COOKIE, format!("lingji_session={}", s.cookie))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

async fn the_csrf_token_is_never_taken_from_the_url(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let s = t.login("danwei").await;
    let before = t.audit_count().await;
    // A form post with the token only in the query string.
    let r = t
        .send(
            Request::post(format!("/orgs/{}/staffing?_csrf={}", s.org_id, s.csrf))
                .header(header::COOKIE, format!("lingji_session={}", s.cookie))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("authorized_posts=20"))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "CSRF_TOKEN_INVALID".into())
    );
    // A JSON call likewise.
    let r = t
        .send(
            Request::put(format!(
                "/api/v1/orgs/{}/staffing?_csrf={}",
                s.org_id, s.csrf
            ))
            .header(header::COOKIE, format!("lingji_session={}", s.cookie))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"authorized_posts": 20, "actual_staff": 18, "retired_staff": 2, "contract_staff": 1, "contract_quota": 3, "version": 1}).to_string(),
            ))
            .unwrap(),
        )
        .await;
    assert_eq!(r.code(), "CSRF_TOKEN_INVALID");
    assert_eq!(t.audit_count().await, before, "nothing was changed");

    // Uploads carry it as their first field, as the pages' forms do; in the URL it is refused.
    let admin = t.login("admin").await;
    let csv = "科目编码,科目名称\n201,一般公共服务支出\n20101,人大事务\n2010101,行政运行\n";
    let fields = [("kind", "function"), ("year", "2027"), ("source", "测试")];
    let in_url = browser_upload(
        &format!("/codes/import?_csrf={}", admin.csrf),
        &admin,
        &fields,
        csv.as_bytes(),
    );
    let r = t.send(in_url).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "CSRF_TOKEN_INVALID".into())
    );
    let last = browser_upload(
        "/codes/import",
        &admin,
        &[fields.as_slice(), &[("_csrf", admin.csrf.as_str())]].concat(),
        csv.as_bytes(),
    );
    assert_eq!(
        t.send(last).await.status,
        StatusCode::FORBIDDEN,
        "not first: refused"
    );
    let forged = browser_upload(
        "/codes/import",
        &admin,
        &[&[("_csrf", "forged")], fields.as_slice()].concat(),
        csv.as_bytes(),
    );
    assert_eq!(t.send(forged).await.status, StatusCode::FORBIDDEN);
    let good = browser_upload(
        "/codes/import",
        &admin,
        &[&[("_csrf", admin.csrf.as_str())], fields.as_slice()].concat(),
        csv.as_bytes(),
    );
    let r = t.send(good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let codes = t
        .get("/api/v1/codes/function?year=2027", Some(&admin))
        .await
        .json();
    assert_eq!(
        codes.as_array().unwrap().len(),
        3,
        "the file behind the token arrived whole"
    );
}

/// The answer while the database cannot take the request: 503, problem+json in Chinese, and
/// when to try again.
fn assert_unavailable(r: &Reply) {
    assert_eq!(
        (r.status, r.code()),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "DATABASE_UNAVAILABLE".into()
        ),
        "{}",
        r.text
    );
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(r.json()["title"], "数据库暂时无法连接，请稍后重试");
    assert_eq!(retry_after(r), lingji_app::UNAVAILABLE_RETRY_AFTER_SECS);
}

async fn without_a_database_requests_answer_503_with_retry_after(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let s = t.login("danwei").await;
    t.app.store.close().await;
    for r in [
        t.get("/api/v1/me", Some(&s)).await,
        login_from(&t, A, "danwei", "lingji-demo").await,
        t.get("/", Some(&s)).await,
    ] {
        assert_unavailable(&r);
    }
    let r = t.get("/healthz", None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.text, "database unavailable", "no driver details");
    assert!(r.headers.get(header::RETRY_AFTER).is_some());
}

/// A primary that takes no writes for a while — after a failover pg_auto_failover keeps the new
/// primary read-only until the old one is surely demoted (docs/OPERATIONS.md) — answers a
/// write 503 with Retry-After, like an outage, not 500; reads go on, and writes come back
/// when it takes them again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_read_only_primary_answers_writes_503_and_recovers() {
    let Some(t) = TestApp::demo(Backend::Postgres).await else {
        return;
    };
    let s = t.login("danwei").await;
    t.db.set_read_only(true).await;
    // Its sessions were ended, as a failover ends them. A pooled connection idle for more
    // than 5 s is pinged before use (`IDLE_BEFORE_PING`): after 6 s the dead ones are found
    // and replaced by connections to a primary that takes no writes.
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    let me = t.get("/api/v1/me", Some(&s)).await;
    assert_eq!(me.status, StatusCode::OK, "reads go on: {}", me.text);
    // Every sign-in writes its attempt and its session: refused for now, never a 500, however
    // many fresh connections the pool makes meanwhile.
    for _ in 0..5 {
        assert_unavailable(&login_from(&t, A, "danwei", "lingji-demo").await);
    }

    t.db.set_read_only(false).await;
    let mut again = login_from(&t, A, "danwei", "lingji-demo").await;
    for _ in 0..100 {
        if again.status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        again = login_from(&t, A, "danwei", "lingji-demo").await;
    }
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
}

backend_tests!(
    without_a_database_requests_answer_503_with_retry_after,
    wrong_passwords_from_one_address_never_stop_the_right_one_from_another,
    a_user_at_one_address_waits_longer_after_each_failure,
    an_address_guessing_at_many_users_is_held_back,
    wrong_current_passwords_back_off_and_a_change_ends_every_token,
    behind_proxies_the_client_is_the_right_most_hop_not_ours,
    tokens_expire_and_are_listed_and_revoked_by_their_owner_or_an_administrator,
    the_csrf_token_is_never_taken_from_the_url,
);
