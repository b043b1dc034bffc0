//! 年度报告 through the API, the page and the .xlsx on SQLite and PostgreSQL: two years lived
//! through the use cases (projects → review → allocation → approval → payments, one blocked by
//! a rule, one released after a warning, one over the balance → year-end close → evaluations →
//! results), and every headline figure equal to what was done, to the fen; each figure links
//! to the list it counts; finance and audit read it, a unit operator is refused; a year with
//! nothing done shows zeros and names the steps not taken.

#[path = "../../../lingji-app/tests/it/common/mod.rs"]
mod world;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use lingji_app::Scope;
use lingji_app::foundation::users::NewUser;
use lingji_app::performance::evaluations::{KeyDraft, KeyItemDraft};
use lingji_app::performance::results::ApplyDraft;
use lingji_app::store::{Backend, backend_tests};
use lingji_domain::Money;
use lingji_domain::allocation::share;
use lingji_domain::execution::{Decision, PayeeKind, PaymentStatus};
use lingji_domain::foundation::policy::{Preset, Rate};
use lingji_domain::performance::Dimension;
use serde_json::Value;
use tower::ServiceExt;
use world::{Ask, LAST, THIS, World};

const PASSWORD: &str = "lingji-test-password";

/// The web front of a `World`: its router and signed-in sessions.
struct Web {
    router: Router,
    store: lingji_app::Store,
}

struct Reply {
    status: StatusCode,
    text: String,
    bytes: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

impl Web {
    /// Sends a request as somebody who comes after everything the world did (through use cases,
    /// outside any request).
    async fn answer(&self, mut request: Request<Body>) -> axum::response::Response {
        crate::common::after_everything(&self.store, &mut request).await;
        self.router.clone().oneshot(request).await.unwrap()
    }

    async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.answer(request).await;
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    /// Signs in through the API; the session cookie.
    async fn login(&self, username: &str) -> String {
        let body = serde_json::json!({"username": username, "password": PASSWORD}).to_string();
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let response = self.answer(request).await;
        assert_eq!(response.status(), StatusCode::OK, "login {username}");
        response
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("session cookie")
            .to_string()
    }

    async fn get(&self, path: &str, cookie: &str) -> Reply {
        let request = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }
}

/// Finance and audit users of the world's jurisdiction, and its router.
async fn web(w: &World) -> Web {
    for (username, role) in [("caizheng", "finance_officer"), ("shenji", "auditor")] {
        w.app
            .accounts()
            .add_user(
                &w.system,
                NewUser {
                    username: username.into(),
                    display_name: None,
                    role: role.into(),
                    org: w.city.to_string(),
                    password: PASSWORD.into(),
                },
            )
            .await
            .expect("user");
    }
    Web {
        router: lingji_web::router(w.app.clone(), lingji_web::WebConfig::default()),
        store: w.app.store.clone(),
    }
}

fn money(v: &Value) -> Money {
    Money::parse(v.as_str().unwrap_or_else(|| panic!("not an amount: {v}"))).unwrap()
}

fn counted(v: &Value) -> (u64, Money) {
    (v["count"].as_u64().unwrap(), money(&v["amount"]))
}

fn sum(items: impl IntoIterator<Item = Money>) -> Money {
    Money::checked_sum(items).unwrap()
}

fn key_items(scores: [&str; 4]) -> Vec<KeyItemDraft> {
    [
        (Dimension::Decision, "立项依据充分性", "20", scores[0]),
        (Dimension::Process, "资金使用合规性", "20", scores[1]),
        (Dimension::Output, "产出数量", "30", scores[2]),
        (Dimension::Benefit, "社会效益", "30", scores[3]),
    ]
    .into_iter()
    .map(|(dimension, name, weight, score)| KeyItemDraft {
        dimension,
        name: name.into(),
        weight: weight.into(),
        score: score.into(),
    })
    .collect()
}

/// The one line of a project in a year.
async fn line_of(w: &World, project: i64, year: i32) -> i64 {
    let lines = w.lines_of(project, year).await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    lines[0].id
}

async fn zx_3a_zx_4b_zx_3c_cs_5b_the_year_in_figures_is_what_was_done(backend: Backend) {
    let Some(w) = World::new(backend, Preset::CsCity).await else {
        return;
    };
    let web = web(&w).await;

    // 2025: four projects funded, one partly paid, the year closed, one evaluated 差 and its
    // result confirmed for 2026.
    let ask = |name, yuan, previous| Ask {
        name,
        yuan,
        previous,
        ..Ask::default()
    };
    let a = w.admitted(&ask("教学设备更新", 100_000, None), LAST).await;
    let b = w
        .admitted(&ask("校园安全设施改造", 50_000, None), LAST)
        .await;
    let c = w.admitted(&ask("校园绿化提升", 30_000, None), LAST).await;
    let e = w
        .admitted(&ask("图书馆数字资源采购", 20_000, None), LAST)
        .await;
    w.approve_year(LAST).await;
    w.pay(line_of(&w, a, LAST).await, 60_000, "31002", "a-2025", LAST)
        .await;
    let closed_last = w.close(LAST).await;
    assert_eq!(w.self_evaluate_missed(c).await.grade_label, "差");
    let confirm = |project| ApplyDraft {
        project_id: project,
        cut: String::new(),
        retire: false,
        reason: String::new(),
    };
    w.app
        .performance()
        .apply_result(&Scope::new(&w.system, w.city), LAST, &confirm(c))
        .await
        .expect("confirm 2025 result");

    // 2026: three continued (e is not), one new.
    let a2 = w
        .admitted(&ask("教学设备更新", 80_000, Some(a)), THIS)
        .await;
    let b2 = w
        .admitted(&ask("校园安全设施改造", 70_000, Some(b)), THIS)
        .await;
    let c2 = w
        .admitted(&ask("校园绿化提升", 30_000, Some(c)), THIS)
        .await;
    let d2 = w
        .admitted(&ask("课后服务设备购置", 40_000, None), THIS)
        .await;
    w.approve_year(THIS).await;
    let (line_a, line_b, line_d) = (
        line_of(&w, a2, THIS).await,
        line_of(&w, b2, THIS).await,
        line_of(&w, d2, THIS).await,
    );
    // Paid; held at the close; blocked by B06-01 (to the unit itself); released by finance
    // after B06-03 (to a trade union); blocked by B01-01 (more than the line has, ZB-7a); and
    // blocked by the PM-9 suspension of its project, which is no monitoring rule.
    w.pay(line_a, 30_000, "31002", "a-2026", THIS).await;
    let held = w
        .app
        .execution()
        .request_payment(
            &Scope::new(&w.system, w.city),
            w.payment(line_b, 2_000, "31002", "held", THIS),
        )
        .await
        .unwrap();
    assert_eq!(held.status, PaymentStatus::Pending, "{held:?}");
    let mut own = w.payment(line_a, 5_000, "31002", "own", THIS);
    own.payee_name = "试验市教育局机关".into();
    let own = w
        .app
        .execution()
        .request_payment(&Scope::new(&w.system, w.city), own)
        .await
        .unwrap();
    assert_eq!(own.status, PaymentStatus::Blocked, "{own:?}");
    let mut union = w.payment(line_d, 3_000, "31002", "union", THIS);
    union.payee_name = "试验市教育工会".into();
    union.payee_kind = PayeeKind::Unit;
    let union = w
        .app
        .execution()
        .request_payment(&Scope::new(&w.system, w.city), union)
        .await
        .unwrap();
    assert_eq!(union.status, PaymentStatus::Held, "{union:?}");
    w.app
        .execution()
        .decide_payment(
            &Scope::new(&w.system, w.city),
            union.id,
            Decision::Reject,
            "用途不符",
        )
        .await
        .unwrap();
    let over = w
        .app
        .execution()
        .request_payment(
            &Scope::new(&w.system, w.city),
            w.payment(line_d, 10_000_000, "31002", "over", THIS),
        )
        .await
        .unwrap();
    assert_eq!(over.status, PaymentStatus::Blocked, "{over:?}");
    w.app
        .supervision()
        .suspend_payments(&Scope::new(&w.system, w.city), d2, "绩效监控发现严重问题")
        .await
        .unwrap();
    let suspended = w
        .app
        .execution()
        .request_payment(
            &Scope::new(&w.system, w.city),
            w.payment(line_d, 1_000, "31002", "suspended", THIS),
        )
        .await
        .unwrap();
    assert_eq!(suspended.status, PaymentStatus::Blocked, "{suspended:?}");
    assert!(suspended.hits.is_empty(), "{suspended:?}");
    w.app
        .supervision()
        .lift_suspension(&Scope::new(&w.system, w.city), d2, "已整改")
        .await
        .unwrap();
    let closed = w.close(THIS).await;
    // Key evaluations: 80 points (良) and 40 (差); a self-evaluation; the 差 confirmed.
    let key = |project, scores| KeyDraft {
        project_id: Some(project),
        target_id: None,
        agency_code: String::new(),
        items: key_items(scores),
        findings: "按重点评价框架评分".into(),
        report_attachment_id: None,
    };
    let good = w
        .app
        .performance()
        .key_evaluate(
            &Scope::new(&w.system, w.city),
            &key(a2, ["18", "16", "24", "22"]),
        )
        .await
        .unwrap();
    let poor = w
        .app
        .performance()
        .key_evaluate(
            &Scope::new(&w.system, w.city),
            &key(c2, ["10", "10", "10", "10"]),
        )
        .await
        .unwrap();
    assert_eq!((good.grade_label, poor.grade_label), ("良", "差"));
    w.self_evaluate(b2).await;
    let confirmed = w
        .app
        .performance()
        .apply_result(&Scope::new(&w.system, w.city), THIS, &confirm(c2))
        .await
        .unwrap();

    // What was done, from the use cases' own answers.
    let runs = w
        .app
        .allocation()
        .allocation_runs(&Scope::new(&w.system, w.city), THIS)
        .await
        .unwrap();
    let (_, items) = w
        .app
        .allocation()
        .allocation_items(&Scope::new(&w.system, w.city), runs[0].header.id)
        .await
        .unwrap();
    let allocated = |p: i64| {
        items
            .iter()
            .find(|i| i.candidate.id == p)
            .unwrap()
            .result
            .allocated
    };
    // Last year's budget of each project, as approved from its request.
    let last_budget = |p: i64| {
        let yuan = [(a, 100_000), (b, 50_000), (c, 30_000), (e, 20_000)]
            .into_iter()
            .find(|(id, _)| *id == p)
            .unwrap()
            .1;
        Money::from_yuan(yuan)
    };
    let (mut cut, mut increased) = ((0, Money::ZERO), (0, Money::ZERO));
    for (this, last) in [(a2, a), (b2, b), (c2, c)] {
        let (now, before) = (allocated(this), last_budget(last));
        if now < before {
            cut = (cut.0 + 1, sum([cut.1, before.checked_sub(now).unwrap()]));
        } else if now > before {
            increased = (
                increased.0 + 1,
                sum([increased.1, now.checked_sub(before).unwrap()]),
            );
        }
    }
    let cancelled = (1, last_budget(e));
    let reduction = sum([cut.1, cancelled.1]);
    let base = Money::from_yuan(200_000);
    let result_cuts: Vec<Money> = items
        .iter()
        .filter(|i| i.candidate.id > 0)
        .flat_map(|i| i.result.adjustments.iter())
        .filter(|adj| ["CS-5b", "QJ-5b", "PM-13"].contains(&&*adj.clause))
        .map(|adj| adj.amount)
        .collect();
    assert_eq!(
        result_cuts.len(),
        1,
        "the 2025 差 is cut in 2026: {items:?}"
    );
    let c_rate = confirmed.confirmed.as_ref().unwrap().rate;
    assert!(c_rate > Rate(0), "{confirmed:?}");
    let next_cut = share(confirmed.budget, c_rate);

    // Finance reads the report; every figure as done.
    let fin = web.login("caizheng").await;
    let r = web
        .get(&format!("/api/v1/annual-report?year={THIS}"), &fin)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = r.json();
    let p = &r["projects"];
    assert_eq!(counted(&p["cut"]), cut, "{p}");
    assert_eq!(counted(&p["increased"]), increased, "{p}");
    assert_eq!(counted(&p["cancelled"]), cancelled, "{p}");
    assert_eq!(counted(&p["new"]), (1, allocated(d2)), "{p}");
    assert_eq!(money(&p["reduction"]), reduction);
    assert_eq!(
        (p["base_count"].as_u64(), money(&p["base_amount"])),
        (Some(4), base)
    );
    let ratio = Rate::ratio(reduction, base).to_percent_display();
    assert_eq!(p["ratio"], ratio.as_str());
    assert_eq!(
        p["headline"].as_str().unwrap().split('；').next().unwrap(),
        format!(
            "压缩项目 {} 个、取消 1 个、核减 {} 万元、压减比例 {ratio}",
            cut.0,
            reduction.to_wan_display()
        )
    );

    let s = &r["stopped"];
    let y = Money::from_yuan;
    assert_eq!(counted(&s["rule_blocked"]), (2, y(10_005_000)), "{s}");
    assert_eq!(counted(&s["released_after_hit"]), (1, y(3_000)), "{s}");
    assert_eq!(counted(&s["by_rules"]), (3, y(10_008_000)), "{s}");
    assert_eq!(counted(&s["other_blocked"]), (1, y(1_000)), "{s}");
    assert_eq!(counted(&s["all"]), (4, y(10_009_000)), "{s}");
    assert_eq!(s["headline"], "止付 3 笔 1,000.80 万元");

    let v = &r["recovered"];
    assert_eq!(v["closed"], true);
    assert_eq!(money(&v["recovered"]), closed.recovered);
    assert_eq!(money(&v["carried"]), closed.carried);
    let idle = sum(closed
        .lines
        .iter()
        .filter(|l| l.clause == "ZX-3c")
        .map(|l| l.recovered));
    assert_eq!(money(&v["idle"]), idle);
    assert!(closed.recovered > Money::ZERO, "{closed:?}");

    let ec = &r["evaluation_cuts"];
    assert_eq!(counted(&ec["this_year"]), (1, result_cuts[0]), "{ec}");
    assert_eq!(counted(&ec["next_year"]), (1, next_cut), "{ec}");
    assert_eq!(ec["unconfirmed"], 2, "{ec}");

    let k = &r["key_evaluations"];
    assert_eq!(k["count"], 2);
    assert_eq!(money(&k["budget"]), sum([good.budget, poor.budget]));
    // Each grade by the code the API accepts and by its Chinese name.
    let grades: Vec<(String, String, u64)> = k["by_grade"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["grade"].as_str().unwrap().to_string(),
                g["grade_label"].as_str().unwrap().to_string(),
                g["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        grades,
        [
            ("excellent", "优", 0),
            ("good", "良", 1),
            ("fair", "中", 0),
            ("poor", "差", 1)
        ]
        .map(|(g, l, n)| (g.to_string(), l.to_string(), n))
    );

    let x = &r["execution"];
    let lines = w.lines(THIS).await;
    assert_eq!(money(&x["approved"]), sum(lines.iter().map(|l| l.approved)));
    assert_eq!(money(&x["carried_in"]), closed_last.carried);
    assert_eq!(money(&x["paid"]), y(30_000));
    assert_eq!(money(&x["held"]), y(2_000));
    assert_eq!(money(&x["carried_over"]), closed.carried);
    assert_eq!(money(&x["recovered"]), closed.recovered);
    assert_eq!(x["agrees"], true, "{x}");
    // Only the two results finance has not confirmed are outstanding.
    assert_eq!(
        r["pending"],
        serde_json::json!(["2026 年度 2 个项目的评价结果尚未确认"]),
        "{r}"
    );
    // Nothing went unaccounted: budget = paid + held + carried + recovered + available.
    assert_eq!(
        money(&x["budget"]),
        sum([
            money(&x["paid"]),
            money(&x["held"]),
            closed.carried,
            closed.recovered,
            money(&x["available"])
        ])
    );

    // The page shows the headlines in 万元 and links every figure to its list.
    let page = web.get(&format!("/annual-report?year={THIS}"), &fin).await;
    assert_eq!(page.status, StatusCode::OK);
    for part in [
        "projects",
        "stopped",
        "recovered",
        "evaluation_cuts",
        "key_evaluations",
        "execution",
    ] {
        let links = r[part]["links"].as_array().unwrap();
        assert!(!links.is_empty(), "{part}");
        for l in links {
            let href = l["href"].as_str().unwrap().replace('&', "&amp;");
            assert!(
                page.text.contains(&format!("href=\"{href}\"")),
                "{part}: {href}"
            );
        }
    }
    assert!(page.text.contains(p["headline"].as_str().unwrap()));
    assert!(page.text.contains("止付 3 笔 1,000.80 万元"));
    assert!(page.text.contains("data-testid=\"annual-reconciled\""));
    assert!(page.text.contains("href=\"/annual-report\""), "nav link");
    // The linked close of last year opens on its own year.
    let year_end = web.get(&format!("/year-end?year={THIS}"), &fin).await;
    assert!(
        year_end.text.contains(&format!("{THIS} 年度年终结转")),
        "{}",
        year_end.text
    );
    // When it was closed reads in Beijing time, not as the stored UTC text.
    let heading = year_end
        .text
        .split(&format!("{THIS} 年度年终结转"))
        .nth(1)
        .and_then(|t| t.split("</h2>").next())
        .unwrap_or_default();
    assert!(
        heading.contains("（北京时间）执行") && !heading.contains('Z'),
        "{heading}"
    );

    // Audit reads it; a unit operator is refused, on the API, the export and the page.
    let audit = web.login("shenji").await;
    let seen = web
        .get(&format!("/api/v1/annual-report?year={THIS}"), &audit)
        .await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.json()["stopped"], r["stopped"]);
    let unit = web.login("danwei0").await;
    for path in [
        "/api/v1/annual-report",
        "/api/v1/annual-report/xlsx",
        "/annual-report",
    ] {
        let refused = web.get(&format!("{path}?year={THIS}"), &unit).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
    }

    // The workbook opens and says the same, to the fen.
    let xlsx = web
        .get(&format!("/api/v1/annual-report/xlsx?year={THIS}"), &audit)
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    use calamine::{DataType, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.bytes)).unwrap();
    let sheet = book.worksheet_range("年度报告").unwrap();
    let row = |name: &str| -> (Option<u64>, Option<Money>) {
        let r = sheet
            .rows()
            .find(|r| r[1].get_string() == Some(name))
            .unwrap_or_else(|| panic!("row {name}"));
        let count = r[2].get_float().map(|f| f as u64);
        // The cell is the amount's exact decimal text in 元; two decimals give it back.
        let amount = r[3]
            .get_float()
            .map(|f| Money::parse(&format!("{f:.2}")).unwrap());
        (count, amount)
    };
    assert_eq!(row("压缩项目"), (Some(cut.0), Some(cut.1)));
    assert_eq!(row("取消项目"), (Some(1), Some(cancelled.1)));
    assert_eq!(row("核减合计"), (None, Some(reduction)));
    assert_eq!(row("监控规则止付"), (Some(3), Some(y(10_008_000))));
    assert_eq!(row("其他校验拦截"), (Some(1), Some(y(1_000))));
    assert_eq!(row("止付合计"), (Some(4), Some(y(10_009_000))));
    assert_eq!(row("收回合计"), (None, Some(closed.recovered)));
    assert_eq!(row("其中：连续闲置资金收回"), (None, Some(idle)));
    assert_eq!(
        row("本年预算因上年评价调减"),
        (Some(1), Some(result_cuts[0]))
    );
    assert_eq!(
        row("财政重点评价项目"),
        (Some(2), Some(sum([good.budget, poor.budget])))
    );
    assert_eq!(row("已支付"), (None, Some(y(30_000))));
    assert_eq!(row("在途（冻结）"), (None, Some(y(2_000))));
    let grades = book.worksheet_range("评价等级").unwrap();
    let poor_row = grades
        .rows()
        .find(|r| r[0].get_string() == Some("差"))
        .unwrap();
    assert_eq!(poor_row[1].get_float(), Some(1.0));

    // A ledger that no longer agrees with its line is shown, both figures side by side.
    {
        let mut conn = w.app.store.write().acquire().await.unwrap();
        sqlx::query("UPDATE budget_lines SET spent = spent + 1 WHERE id = $1")
            .bind(line_a)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    let broken = web
        .get(&format!("/api/v1/annual-report?year={THIS}"), &fin)
        .await
        .json();
    assert_eq!(broken["execution"]["agrees"], false);
    assert_eq!(
        broken["execution"]["disagreements"][0]["figure"], "已支付",
        "{}",
        broken["execution"]
    );
    let page = web.get(&format!("/annual-report?year={THIS}"), &fin).await;
    assert!(page.text.contains("data-testid=\"annual-unreconciled\""));
}

async fn a_year_with_nothing_done_shows_zeros_and_the_steps_not_taken(backend: Backend) {
    let Some(w) = World::new(backend, Preset::LianyungangCity).await else {
        return;
    };
    let web = web(&w).await;
    let fin = web.login("caizheng").await;
    let r = web.get("/api/v1/annual-report", &fin).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = r.json();
    assert_eq!(r["fiscal_year"], THIS);
    assert_eq!(r["stopped"]["headline"], "止付 0 笔 0.00 万元");
    assert_eq!(r["projects"]["reduction"], "0.00");
    assert_eq!(r["recovered"]["closed"], false);
    assert_eq!(r["execution"]["lines"], 0);
    assert_eq!(r["execution"]["agrees"], true);
    let pending: Vec<&str> = r["pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    for step in [
        "2026 年度尚无测算方案",
        "2026 年度年终结转尚未办理",
        "2026 年度尚无财政重点评价",
        "2026 年度预算尚未批复（没有指标）",
    ] {
        assert!(pending.contains(&step), "{step}: {pending:?}");
    }
    let page = web.get("/annual-report", &fin).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("2026 年度年终结转尚未办理"));
    let xlsx = web.get("/api/v1/annual-report/xlsx", &fin).await;
    assert_eq!(xlsx.status, StatusCode::OK);
}

backend_tests!(
    zx_3a_zx_4b_zx_3c_cs_5b_the_year_in_figures_is_what_was_done,
    a_year_with_nothing_done_shows_zeros_and_the_steps_not_taken,
);
