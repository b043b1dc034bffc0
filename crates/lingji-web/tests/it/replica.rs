//! Read-your-writes with reads on a streaming replica (issue 21, docs/ARCHITECTURE.md "Storage
//! on two backends"). On PostgreSQL with `LINGJI_TEST_POSTGRES_READ_URL` (CI's replica applies
//! every commit 100 ms late) an officer who saves a project sees it on the very next page, the
//! browser bringing back only the cookie it was given, and an API client that sends back the
//! header sees it too. Without a replica (SQLite, or PostgreSQL alone) no position is handed out.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use lingji_app::store::{Backend, backend_tests};
use tower::ServiceExt;

use crate::common::TestApp;
use crate::common::projects::{complete, meeting_standard};

backend_tests!(
    a_writer_sees_each_write_on_the_next_page_and_through_the_api,
    without_a_replica_no_position_is_given_and_a_bad_one_is_ignored
);

/// A GET as a browser sends it: its cookies, nothing else.
async fn page(t: &TestApp, path: &str, cookies: &str) -> (StatusCode, String) {
    let request = Request::get(path)
        .header(header::COOKIE, cookies)
        .body(Body::empty())
        .unwrap();
    let response = t.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn a_writer_sees_each_write_on_the_next_page_and_through_the_api(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let replica = t.app.store.has_replica();
    let standard = meeting_standard(&t).await;
    let s = t.login("danwei").await;
    for round in 0..8 {
        let mut body = complete(standard);
        body["name"] = format!("读己所写第{round}号项目").into();
        let reply = t
            .call(Method::POST, "/api/v1/projects", Some(&s), Some(body))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let id = reply.json()["id"].as_i64().unwrap();
        let header_lsn = reply.headers.get("lingji-lsn").map(|v| v.to_str().unwrap());
        let cookie = reply
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap())
            .find(|c| c.starts_with("lingji_lsn="));
        if !replica {
            assert_eq!(
                (header_lsn, cookie),
                (None, None),
                "no replica, no position"
            );
            continue;
        }
        let header_lsn = header_lsn.expect("a write answers with the primary's position");
        let cookie = cookie.expect("and puts it in a cookie for the browser");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        let pair = cookie.split(';').next().unwrap();
        assert_eq!(pair, format!("lingji_lsn={header_lsn}"));

        // The browser: the project's page, at once, with the cookies it holds.
        let (status, html) = page(
            &t,
            &format!("/projects/{id}"),
            &format!("lingji_session={}; {pair}", s.cookie),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!("读己所写第{round}号项目")), "{html}");

        // A script: the project through the API, sending back the header.
        let request = Request::get(format!("/api/v1/projects/{id}"))
            .header(header::COOKIE, format!("lingji_session={}", s.cookie))
            .header("lingji-lsn", header_lsn)
            .body(Body::empty())
            .unwrap();
        let response = t.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}

async fn without_a_replica_no_position_is_given_and_a_bad_one_is_ignored(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let s = t.login("danwei").await;
    // With a replica a read may still hand one out (a session's expiry is moved on now and
    // then, which is a write); without one there is nothing to hand out.
    if !t.app.store.has_replica() {
        for path in ["/projects", "/api/v1/projects"] {
            let r = t.get(path, Some(&s)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
            assert!(r.headers.get("lingji-lsn").is_none(), "{path}");
            assert!(
                !r.headers
                    .get_all(header::SET_COOKIE)
                    .iter()
                    .any(|v| v.to_str().unwrap().starts_with("lingji_lsn=")),
                "{path}"
            );
        }
    }
    // A position that is no position is ignored (beside the one the client holds): the page is
    // served. (Alone, it is as if none was brought: a session made a moment ago may not be on
    // the replica yet.)
    let r = t
        .send(
            Request::get("/projects")
                .header(
                    header::COOKIE,
                    format!("lingji_session={}; lingji_lsn=not-a-position", s.cookie),
                )
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}
