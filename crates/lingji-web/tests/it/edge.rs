//! The edge of the server as a client meets it: every API error is problem+json in Chinese
//! (axum's own rejections included), pages answer bad input in Chinese, every answer carries
//! the security headers, and the metrics' label values stay bounded.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use lingji_app::store::{Backend, backend_tests};
use lingji_web::WebConfig;

use crate::common::{Reply, TestApp};

/// A problem+json answer with this status and code, its title in Chinese.
fn assert_problem(r: &Reply, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(
        r.headers[header::CONTENT_TYPE],
        "application/problem+json",
        "{}",
        r.text
    );
    let p = r.json();
    assert_eq!(p["code"], code, "{}", r.text);
    assert_eq!(p["status"], status.as_u16(), "{}", r.text);
    assert_eq!(p["type"], format!("urn:lingji:problem:{code}"));
    let title = p["title"].as_str().unwrap();
    assert!(
        title
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "title not in Chinese: {title}"
    );
}

async fn api_errors_are_problem_json_in_chinese(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let finance = t.login("caizheng").await;

    // A query value of the wrong type names the parameter and quotes the value.
    let r = t.get("/api/v1/projects?year=abc", Some(&finance)).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "QUERY_PARAM_INVALID");
    assert_eq!(r.json()["field"], "year");
    assert!(r.json()["title"].as_str().unwrap().contains("abc"));

    // A required query parameter left out.
    let r = t.get("/api/v1/allocation/compare", Some(&finance)).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "QUERY_PARAM_MISSING");
    assert_eq!(r.json()["field"], "a");

    // A path parameter that is not a number.
    let r = t.get("/api/v1/projects/abc", Some(&finance)).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "PATH_PARAM_INVALID");
    assert_eq!(r.json()["field"], "id");
    let r = t
        .get("/api/v1/projects/99999999999999999999999", Some(&finance))
        .await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "PATH_PARAM_INVALID");

    // A route that does not exist, signed in or not.
    let r = t.get("/api/v1/no-such-thing", Some(&finance)).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "ROUTE_NOT_FOUND");
    let r = t.get("/api/nothing", None).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "ROUTE_NOT_FOUND");

    // A method the route does not take keeps its Allow header.
    let r = t
        .call(Method::DELETE, "/api/v1/projects", Some(&finance), None)
        .await;
    assert_problem(&r, StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
    assert!(r.headers.contains_key(header::ALLOW));

    // A JSON body without its media type.
    let r = t
        .raw(
            "/api/v1/users",
            &finance,
            "text/plain",
            b"{\"username\":\"x\"}".to_vec(),
        )
        .await;
    assert_problem(
        &r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "CONTENT_TYPE_NOT_JSON",
    );

    // A JSON body over the 2 MB of a JSON route, read to its limit.
    let big = format!("{{\"username\":\"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let r = t
        .raw(
            "/api/v1/users",
            &finance,
            "application/json",
            big.into_bytes(),
        )
        .await;
    assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "BODY_TOO_LARGE");

    // A body announced over the server's limit is refused before it is read.
    let request = Request::post("/api/v1/users")
        .header(header::COOKIE, format!("lingji_session={}", finance.cookie))
        .header("x-csrf-token", &finance.csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, lingji_web::BODY_LIMIT + 1)
        .body(Body::from("{}"))
        .unwrap();
    let r = t.send(request).await;
    assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "BODY_TOO_LARGE");

    // A multipart upload without its boundary.
    let project = t
        .get("/api/v1/projects?limit=1", Some(&finance))
        .await
        .json()[0]["id"]
        .as_i64();
    if let Some(id) = project {
        let r = t
            .raw(
                &format!("/api/v1/projects/{id}/attachments"),
                &finance,
                "multipart/form-data",
                b"garbage".to_vec(),
            )
            .await;
        assert!(r.status.is_client_error(), "{}", r.text);
        assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
    }

    // Without a login the refusal is a problem too.
    let r = t.get("/api/v1/projects", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
}

async fn pages_answer_bad_input_in_chinese(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let finance = t.login("caizheng").await;
    for (path, status, text) in [
        // A filter the list cannot read is refused beside its field, the list still shown.
        (
            "/projects?year=abc",
            StatusCode::UNPROCESSABLE_ENTITY,
            "“abc”不是年度，请填写四位数字",
        ),
        (
            "/projects/abc",
            StatusCode::BAD_REQUEST,
            "请求参数格式不正确",
        ),
        ("/no-such-page", StatusCode::NOT_FOUND, "页面不存在"),
    ] {
        let r = t.get(path, Some(&finance)).await;
        assert_eq!(r.status, status, "{path}: {}", r.text);
        assert!(r.text.contains(text), "{path}: {}", r.text);
        assert!(!r.text.contains("Failed to"), "{path}: {}", r.text);
        // A page, not a line of plain text; an error with no form to go back to says what to do
        // next.
        assert!(
            r.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        if status != StatusCode::UNPROCESSABLE_ENTITY {
            assert!(
                r.text.contains("data-testid=\"error\"") && r.text.contains("返回首页"),
                "{path}: {}",
                r.text
            );
        }
    }
    // An unknown address of a signed-in person keeps their frame (name, navigation).
    let r = t.get("/no-such-page", Some(&finance)).await;
    assert!(r.text.contains("财政局预算科 王会计"), "{}", r.text);
    // Before sign-in, the same page without one.
    let r = t.get("/no-such-page", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text.contains("页面不存在"), "{}", r.text);
    // A page the role may not open says so, with the rule's reason and whom to ask, and no code.
    let unit = t.login("danwei").await;
    let r = t.get("/year-end", Some(&unit)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("无权访问"), "{}", r.text);
    assert!(r.text.contains("系统管理员"), "{}", r.text);
    assert!(!r.text.contains(">FORBIDDEN<"), "{}", r.text);
}

/// The headers every answer carries; `hsts` when cookies are Secure.
fn assert_security_headers(r: &Reply, hsts: bool) {
    let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let script = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .expect("script-src");
    assert!(!script.contains("unsafe-inline"), "{csp}");
    assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(r.headers.contains_key(header::REFERRER_POLICY));
    assert_eq!(
        r.headers.contains_key(header::STRICT_TRANSPORT_SECURITY),
        hsts
    );
}

async fn security_headers_on_pages_api_and_errors(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let finance = t.login("caizheng").await;
    for path in ["/", "/login", "/api/v1/me", "/api/v1/nothing", "/no-page"] {
        let r = t.get(path, Some(&finance)).await;
        assert_security_headers(&r, false);
    }
    let r = t.get("/api/docs/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_security_headers(&r, false);

    // Behind TLS (secure cookies) browsers are also told to keep to HTTPS.
    let secure = lingji_web::router(
        t.app.clone(),
        WebConfig {
            secure_cookies: true,
            ..WebConfig::default()
        },
    );
    for path in ["/login", "/api/v1/me"] {
        let response = tower::ServiceExt::oneshot(
            secure.clone(),
            Request::get(path).body(Body::empty()).unwrap(),
        )
        .await
        .unwrap();
        let r = Reply {
            status: response.status(),
            headers: response.headers().clone(),
            text: String::new(),
            bytes: Vec::new(),
        };
        assert_security_headers(&r, true);
    }

    // Every page is free of inline script and inline event handlers, so the policy holds.
    for path in ["/", "/projects", "/policy", "/allocation", "/payments"] {
        let r = t.get(path, Some(&finance)).await;
        let html = r.text.to_lowercase();
        for (at, _) in html.match_indices("<script") {
            let tag = &html[at..at + html[at..].find('>').unwrap()];
            assert!(tag.contains(" src="), "{path}: inline script {tag}");
        }
        for handler in [
            " onclick=",
            " onchange=",
            " onsubmit=",
            " onload=",
            " oninput=",
        ] {
            assert!(!html.contains(handler), "{path}: inline {handler}");
        }
    }
}

async fn metrics_labels_stay_bounded(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    // Invented methods and paths no route matches, as a scanner sends them.
    for i in 0..5 {
        let method = Method::from_bytes(format!("SCAN{i}").as_bytes()).unwrap();
        t.call(method, &format!("/probe/{i}"), None, None).await;
        t.get(&format!("/api/v1/probe-{i}"), None).await;
    }
    let metrics = t.get("/metrics", None).await.text;
    assert!(!metrics.contains("SCAN"), "{metrics}");
    assert!(!metrics.contains("/probe"), "{metrics}");
    assert!(metrics.contains("method=\"other\""), "{metrics}");
    assert!(metrics.contains("route=\"unmatched\""), "{metrics}");

    // With a metrics address of its own, the main listener has no /metrics.
    let private = lingji_web::router(
        t.app.clone(),
        WebConfig {
            metrics_listen: Some("127.0.0.1:0".parse().unwrap()),
            ..WebConfig::default()
        },
    );
    let response = tower::ServiceExt::oneshot(
        private,
        Request::get("/metrics").body(Body::empty()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = tower::ServiceExt::oneshot(
        lingji_web::metrics_router(),
        Request::get("/metrics").body(Body::empty()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

backend_tests!(
    api_errors_are_problem_json_in_chinese,
    pages_answer_bad_input_in_chinese,
    security_headers_on_pages_api_and_errors,
    metrics_labels_stay_bounded,
);
