//! A test application: a fresh database (SQLite or PostgreSQL) with the demo jurisdiction, and
//! requests sent through the real router, cookies, CSRF and all.
#![allow(dead_code)]

pub mod lines;
pub mod projects;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use lingji_app::store::replica::Lsn;
use lingji_app::store::testing::TestDb;
use lingji_app::store::{Backend, foundation::audit};
use lingji_app::{App, Settings};
use lingji_web::{WebConfig, router};
use serde_json::Value;
use tower::ServiceExt;

/// A fresh database with the demo (and its lived years when `projects`), loaded once through
/// the use cases for this build of the tests and copied for each test: the demo with its lived
/// 2025 takes a quarter of a minute to load, and over a hundred tests start from it.
pub async fn demo_db(backend: Backend, projects: bool) -> Option<TestDb> {
    let name = if projects { "demo_lived" } else { "demo" };
    TestDb::from_template(backend, name, async |config| {
        let app = App::open(config, Settings::default()).await.expect("open");
        app.demo().load_demo(1, projects).await.expect("demo");
        app.store.close().await;
    })
    .await
}

/// Makes `request` come after everything the test did before it — through requests of any of
/// its clients or through the use cases directly — as a person told of it acts after it: with
/// reads on a replica (PostgreSQL with `LINGJI_TEST_POSTGRES_READ_URL`) it brings the primary's
/// log position now, so that those reads see all of it. A request that brings its own position
/// (a test of the header itself) keeps it; with the primary down there is none to bring (a test
/// of the outage).
pub async fn after_everything(store: &lingji_app::Store, request: &mut Request<Body>) {
    if store.has_replica()
        && !request.headers().contains_key("lingji-lsn")
        && let Ok(Some(lsn)) = store.primary_lsn().await
    {
        request
            .headers_mut()
            .insert("lingji-lsn", lsn.to_string().parse().unwrap());
    }
}

pub struct TestApp {
    pub app: App,
    pub router: Router,
    /// When set, every request names this jurisdiction below the caller's in `X-Lingji-Region`
    /// (an upper bureau reading a lower one).
    pub region: std::sync::Mutex<Option<String>>,
    pub db: TestDb,
    /// Where the test's clients stand on the primary's log (reads on a replica, PostgreSQL with
    /// `LINGJI_TEST_POSTGRES_READ_URL`): see [`TestApp::send`].
    positions: std::sync::Mutex<Positions>,
}

/// The position the last answer gave (`Lingji-Lsn`), and the primary's own right after it.
#[derive(Default)]
struct Positions {
    given: Option<Lsn>,
    primary_after: Option<Lsn>,
}

/// A signed-in browser: its session cookie and CSRF token.
#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
    pub user_id: i64,
    pub org_id: i64,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
    /// The body as sent, for downloads.
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_string()
    }
}

impl TestApp {
    /// A fresh database with the demo loaded; `None` when the backend is not available here.
    pub async fn demo(backend: Backend) -> Option<TestApp> {
        Self::with_demo(backend, false).await
    }

    /// The demo with its project library (a few hundred projects).
    pub async fn demo_with_projects(backend: Backend) -> Option<TestApp> {
        Self::with_demo(backend, true).await
    }

    async fn with_demo(backend: Backend, projects: bool) -> Option<TestApp> {
        Self::demo_with(backend, projects, Settings::default(), WebConfig::default()).await
    }

    /// The demo under other sign-in or web settings (short backoffs, trusted proxies).
    pub async fn demo_with(
        backend: Backend,
        projects: bool,
        settings: Settings,
        web: WebConfig,
    ) -> Option<TestApp> {
        let db = demo_db(backend, projects).await?;
        let app = App::open(&db.config, settings).await.expect("open");
        let router = router(app.clone(), web);
        let t = TestApp {
            app,
            router,
            region: std::sync::Mutex::new(None),
            db,
            positions: std::sync::Mutex::default(),
        };
        Some(t)
    }

    pub async fn send(&self, mut request: Request<Body>) -> Reply {
        let region = self.region.lock().unwrap().clone();
        if let Some(region) = region {
            request
                .headers_mut()
                .entry("x-lingji-region")
                .or_insert(region.parse().unwrap());
        }
        self.bring_position(&mut request).await;
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        if self.app.store.has_replica() {
            let given = headers
                .get("lingji-lsn")
                .and_then(|v| v.to_str().ok()?.parse::<Lsn>().ok());
            let primary_after = self.app.store.primary_lsn().await.ok().flatten();
            let mut p = self.positions.lock().unwrap();
            p.given = given.or(p.given);
            p.primary_after = primary_after;
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    /// The position a request brings, as a client does: the one the last answer gave (the
    /// clients of one test share it: a person told of a colleague's write acts after it). When
    /// the primary moved since that answer, the test wrote around the API — through the use
    /// cases or the store — and the request brings the primary's position now instead, so that
    /// its reads see that too. A write route that failed to give its position would still be
    /// caught whenever nothing else wrote on the server between its answer and the next request
    /// (the log is the cluster's: tests running beside this one move it too); `replica.rs` tests
    /// the position itself. A request that brings its own position (a test of the header
    /// itself) keeps it.
    async fn bring_position(&self, request: &mut Request<Body>) {
        let store = &self.app.store;
        if !store.has_replica() || request.headers().contains_key("lingji-lsn") {
            return;
        }
        // With the primary down there is no position to read (a test of the outage).
        let now = store.primary_lsn().await.ok().flatten();
        let carried = {
            let mut p = self.positions.lock().unwrap();
            if let Some(now) = now
                && p.primary_after.is_none_or(|after| now > after)
            {
                // Known from now on, as a position an answer gave.
                p.given = Some(now);
            }
            p.given
        };
        if let Some(lsn) = carried {
            request
                .headers_mut()
                .insert("lingji-lsn", lsn.to_string().parse().unwrap());
        }
    }

    fn builder(
        method: Method,
        path: &str,
        session: Option<&Session>,
    ) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method.clone()).uri(path);
        if let Some(s) = session {
            b = b.header(header::COOKIE, format!("lingji_session={}", s.cookie));
            if method != Method::GET {
                b = b.header("x-csrf-token", &s.csrf);
            }
        }
        b
    }

    /// A POST with a raw body of a media type (an uploaded workbook, say).
    pub async fn raw(
        &self,
        path: &str,
        session: &Session,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Reply {
        let request = Self::builder(Method::POST, path, Some(session))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(bytes))
            .unwrap();
        self.send(request).await
    }

    /// A JSON request (GET without body).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        session: Option<&Session>,
        body: Option<Value>,
    ) -> Reply {
        let b = Self::builder(method, path, session);
        let request = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        };
        self.send(request.unwrap()).await
    }

    pub async fn get(&self, path: &str, session: Option<&Session>) -> Reply {
        self.call(Method::GET, path, session, None).await
    }

    /// A browser form post; `_csrf` is added from the session unless `csrf` overrides it.
    pub async fn form(
        &self,
        path: &str,
        session: &Session,
        fields: &[(&str, &str)],
        csrf: Option<&str>,
    ) -> Reply {
        let mut pairs: Vec<(&str, &str)> = fields.to_vec();
        pairs.push(("_csrf", csrf.unwrap_or(&session.csrf)));
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::COOKIE, format!("lingji_session={}", session.cookie))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// A multipart upload as browsers send it.
    pub async fn upload(
        &self,
        path: &str,
        session: &Session,
        fields: &[(&str, &str)],
        file_name: &str,
        bytes: &[u8],
    ) -> Reply {
        let boundary = "----lingjitestboundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = Self::builder(Method::POST, path, Some(session))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// Signs in through the API.
    pub async fn login(&self, username: &str) -> Session {
        let reply = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(serde_json::json!({"username": username, "password": "lingji-demo"})),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "login {username}: {}",
            reply.text
        );
        let cookie = reply
            .headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .and_then(|v| v.strip_prefix("lingji_session="))
            .expect("session cookie")
            .to_string();
        let body = reply.json();
        Session {
            cookie,
            csrf: body["csrf_token"].as_str().unwrap().to_string(),
            user_id: body["user"]["id"].as_i64().unwrap(),
            org_id: body["user"]["org_id"].as_i64().unwrap(),
        }
    }

    /// A second finance officer of the demo's finance bureau (`caizheng2`), made by the
    /// administrator and signed in: who pays what `caizheng` asked for, as no one confirms or
    /// pays their own request.
    pub async fn second_finance(&self) -> Session {
        let admin = self.login("admin").await;
        let made = self
            .call(
                Method::POST,
                "/api/v1/users",
                Some(&admin),
                Some(serde_json::json!({"username": "caizheng2", "role": "finance_officer",
                    "org": "111", "display_name": "财政局国库科 孙出纳", "password": "lingji-demo"})),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
        self.login("caizheng2").await
    }

    /// Number of audit events so far.
    pub async fn audit_count(&self) -> i64 {
        let mut conn = self.app.store.write().acquire().await.unwrap();
        audit::verify(&mut conn)
            .await
            .unwrap()
            .expect("audit chain intact")
    }

    /// How many audit events there are (the main chain's and the lines'), counted without
    /// verifying them: for a test that checks after each of a thousand requests that a refused
    /// one wrote nothing, and verifies the chain ([`TestApp::audit_count`]) once at the end.
    pub async fn audit_events(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
            .fetch_one(self.app.store.write())
            .await
            .unwrap()
    }

    /// The id of an organisation by code.
    pub async fn org_id(&self, code: &str) -> i64 {
        let mut conn = self.app.store.read().acquire().await.unwrap();
        lingji_app::store::foundation::orgs::find_by_code_anywhere(&mut conn, code)
            .await
            .unwrap()[0]
            .id
    }
}
