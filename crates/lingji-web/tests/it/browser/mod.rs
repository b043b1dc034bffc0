//! In headless Chromium (Debian's `chromium` + `chromium-driver`): sign in and work as people
//! do. Skipped when chromedriver is not installed, unless `LINGJI_REQUIRE_BROWSER=1` (as CI
//! sets), in which case it fails.

mod crawl;
mod documents;
mod lists;
mod payment_form;
mod pickers;
mod pools;
mod province;
mod review_page;
mod transfers;

use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use lingji_app::store::Backend;
use lingji_app::store::testing::TestDb;
use lingji_app::{App, Settings};
use lingji_web::WebConfig;
use serde_json::json;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// Chromedriver, in a process group of its own with the Chromium it starts.
struct Driver(Child);

impl Drop for Driver {
    /// Ends the whole group: a test that fails (or forgets `Client::close`) ends without
    /// closing its session, and killing chromedriver alone left its Chromium running under
    /// PID 1 (three after every suite, until stop 36).
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn browser_available() -> bool {
    let present =
        std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists();
    let required = std::env::var("LINGJI_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    assert!(
        present || !required,
        "LINGJI_REQUIRE_BROWSER=1 but {CHROMEDRIVER} or {CHROMIUM} is missing"
    );
    if !present {
        eprintln!("skipped: chromium / chromedriver not installed");
    }
    present
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The demo on a real port, as `lingji serve --demo` would run it.
async fn serve_demo() -> (String, TestDb) {
    let db = crate::common::demo_db(Backend::Sqlite, false)
        .await
        .unwrap();
    let app = App::open(&db.config, Settings::default()).await.unwrap();
    let router = lingji_web::router(
        app,
        WebConfig {
            show_demo_logins: true,
            ..WebConfig::default()
        },
    );
    (serve(router).await, db)
}

/// Serves `router` on a free port; its base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
}

async fn browser() -> (Client, Driver, tempfile::TempDir) {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .process_group(0)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver(child);
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1366,900", "--lang=zh-CN", format!("--user-data-dir={}", profile.path().display())]
        }),
    );
    // The console's errors, for the crawl to read.
    caps.insert("goog:loggingPrefs".into(), json!({ "browser": "SEVERE" }));
    let url = format!("http://127.0.0.1:{port}");
    let mut last = None;
    for _ in 0..50 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => return (c, driver, profile),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver did not start: {last:?}");
}

/// Waits until the browser has navigated to a URL containing `part` (a submitted form's
/// answer), so that elements found next belong to the new page, not the old one.
async fn wait_for_url(c: &Client, part: &str) {
    for _ in 0..100 {
        if c.current_url().await.unwrap().as_str().contains(part) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "never reached a URL containing {part}: {}",
        c.current_url().await.unwrap()
    );
}

async fn login(c: &Client, base: &str, user: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Css("input[name=username]"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("lingji-demo")
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=current-user]"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finance_officer_signs_in_and_sees_the_chinese_home_page() {
    if !browser_available() {
        return;
    }
    let (base, _db) = serve_demo().await;
    let (c, _driver, _profile) = browser().await;
    c.goto(&base).await.unwrap();
    // Not signed in: the login page, in Chinese, listing the demo logins.
    c.wait()
        .for_element(Locator::Css("input[name=username]"))
        .await
        .unwrap();
    assert!(c.title().await.unwrap().contains("登录"));
    login(&c, &base, "caizheng").await;
    assert_eq!(
        c.find(Locator::Css("main h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "首页"
    );
    assert_eq!(
        c.find(Locator::Css("[data-testid=home-org]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "市财政局"
    );
    assert_eq!(
        c.find(Locator::Css("[data-testid=home-year]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "2026 年度"
    );
    assert_eq!(
        c.find(Locator::Css("[data-testid=current-user]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "财政局预算科 王会计"
    );
    let nav = c
        .find(Locator::Css("nav.sidebar"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        nav.contains("政策参数") && !nav.contains("审计日志"),
        "{nav}"
    );
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(std::env::temp_dir().join("lingji-home.png"), png);
    }
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unit_operator_fixes_staffing_after_a_refusal_beside_the_field() {
    if !browser_available() {
        return;
    }
    let (base, _db) = serve_demo().await;
    let (c, _driver, _profile) = browser().await;
    login(&c, &base, "danwei").await;
    c.find(Locator::LinkText("组织机构"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::LinkText("市教育局机关"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let field = c
        .wait()
        .for_element(Locator::Css("input[name=contract_staff]"))
        .await
        .unwrap();
    field.clear().await.unwrap();
    field.send_keys("9").await.unwrap();
    c.find(Locator::Css("form.form-grid button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The refusal comes back on the form's own URL, with the message beside the field.
    wait_for_url(&c, "/staffing").await;
    let message = c
        .find(Locator::Css("[data-testid=error-contract_staff]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        message.contains("超过核定限额") && message.contains("ZB-6c"),
        "{message}"
    );
    let field = c
        .find(Locator::Css("input[name=contract_staff]"))
        .await
        .unwrap();
    assert_eq!(
        field.prop("value").await.unwrap().as_deref(),
        Some("9"),
        "the form keeps what was typed"
    );
    field.clear().await.unwrap();
    field.send_keys("1").await.unwrap();
    c.find(Locator::Css("form.form-grid button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "msg=saved").await;
    assert_eq!(
        c.find(Locator::Css("p.flash"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "已保存"
    );
    c.close().await.unwrap();
}

async fn fill(c: &Client, css: &str, text: &str) {
    let e = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn choose(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .select_by_value(value)
        .await
        .unwrap();
}

async fn tab(c: &Client, label: &str) {
    c.find(Locator::LinkText(label))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unit_operator_creates_fills_checks_and_submits_a_project() {
    if !browser_available() {
        return;
    }
    let (base, _db) = serve_demo().await;
    let (c, _driver, _profile) = browser().await;
    login(&c, &base, "danwei").await;
    c.find(Locator::LinkText("项目库"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::LinkText("新建项目"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("input[name=name]"))
        .await
        .unwrap();
    // 基本信息
    fill(&c, "input[name=name]", "全市中小学教师培训").await;
    choose(&c, "select[name=kind]", "specific_purpose").await;
    choose(&c, "select[name=matter_class]", "public_service").await;
    choose(&c, "select[name=tier]", "mandatory").await;
    fill(&c, "input[name=basis_title]", "示范市教师队伍建设实施意见").await;
    fill(&c, "input[name=basis_number]", "示政发〔2024〕8号").await;
    fill(&c, "input[name=start_year]", "2026").await;
    fill(&c, "input[name=end_year]", "2026").await;
    fill(&c, "input[name=function_code]", "2050803").await;
    fill(&c, "input[name=government_economic_code]", "50203").await;
    choose(&c, "select[name=fund_book]", "general_public").await;
    fill(&c, "input[name=responsible_person]", "张经办").await;
    fill(&c, "input[name=responsible_phone]", "0518-85550101").await;
    c.find(Locator::Css("input[name='f.training']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // 测算明细: one line on the 二类培训 standard, one with a written basis.
    tab(&c, "测算明细").await;
    let items = c
        .find_all(Locator::Css("input[name='line.item']"))
        .await
        .unwrap();
    items[0]
        .send_keys("骨干教师集中培训（二类）")
        .await
        .unwrap();
    items[1].send_keys("培训教材").await.unwrap();
    let econ = c
        .find_all(Locator::Css("input[name='line.economic_code']"))
        .await
        .unwrap();
    econ[0].send_keys("30216").await.unwrap();
    econ[1].send_keys("30216").await.unwrap();
    let standards = c
        .find_all(Locator::Css("input[name='line.standard']"))
        .await
        .unwrap();
    standards[0].send_keys("P-TRAIN-2").await.unwrap();
    let qty = c
        .find_all(Locator::Css("input[name='line.quantity']"))
        .await
        .unwrap();
    qty[0].send_keys("600").await.unwrap();
    qty[1].send_keys("300").await.unwrap();
    let price = c
        .find_all(Locator::Css("input[name='line.unit_amount']"))
        .await
        .unwrap();
    // Picking the standard filled 单价 with its 450.00; the same amount typed again.
    price[0].clear().await.unwrap();
    price[0].send_keys("450").await.unwrap();
    price[1].send_keys("42.5").await.unwrap();
    c.find_all(Locator::Css("input[name='line.basis']"))
        .await
        .unwrap()[1]
        .send_keys("出版社报价单")
        .await
        .unwrap();
    // 绩效目标
    tab(&c, "绩效目标").await;
    fill(
        &c,
        "input[name=overall_goal]",
        "培训骨干教师 300 人，教学能力明显提升",
    )
    .await;
    let names = c
        .find_all(Locator::Css("input[name='ind.name']"))
        .await
        .unwrap();
    let cats = c
        .find_all(Locator::Css("select[name='ind.category']"))
        .await
        .unwrap();
    let comps = c
        .find_all(Locator::Css("select[name='ind.comparator']"))
        .await
        .unwrap();
    let values = c
        .find_all(Locator::Css("input[name='ind.target_value']"))
        .await
        .unwrap();
    let units = c
        .find_all(Locator::Css("input[name='ind.unit']"))
        .await
        .unwrap();
    cats[0].select_by_value("quantity").await.unwrap();
    names[0].send_keys("培训教师人数").await.unwrap();
    comps[0].select_by_value("ge").await.unwrap();
    values[0].send_keys("300").await.unwrap();
    units[0].send_keys("人").await.unwrap();
    cats[1].select_by_value("social").await.unwrap();
    names[1].send_keys("教学能力").await.unwrap();
    comps[1].select_by_value("qualitative").await.unwrap();
    values[1].send_keys("明显提升").await.unwrap();
    c.find(Locator::Css("[data-testid=save-project]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "msg=created").await;
    // 600 × 450 + 300 × 42.5
    assert_eq!(
        c.find(Locator::Css("[data-testid=project-request]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "282,750.00"
    );
    // 附件: the policy document, uploaded in its tab.
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("教师队伍建设实施意见.pdf");
    std::fs::write(&doc, b"%PDF-1.7\n%%EOF\n").unwrap();
    tab(&c, "附件").await;
    c.find(Locator::Css("input[type=file][form=attach]"))
        .await
        .unwrap()
        .send_keys(doc.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Css("[data-testid=attach]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "msg=attached").await;
    let listed = c
        .find(Locator::Css("[data-testid=attachments]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(listed.contains("教师队伍建设实施意见.pdf"), "{listed}");
    c.find(Locator::LinkText("入库检查"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "check=1").await;
    let ok = c
        .find(Locator::Css("[data-testid=check-ok]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ok.contains("入库检查通过"), "{ok}");
    c.find(Locator::Css("[data-testid=move-submitted]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "state-submitted").await;
    assert_eq!(
        c.find(Locator::Css("[data-testid=project-state]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "已申报"
    );
    // Admitting is finance's move: the unit is not offered it.
    assert!(
        c.find(Locator::Css("[data-testid=move-admitted]"))
            .await
            .is_err()
    );
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(std::env::temp_dir().join("lingji-project.png"), png);
    }
    c.close().await.unwrap();
}

/// The text of the element with `data-testid` = `id`.
async fn text_of(c: &Client, id: &str) -> String {
    c.find(Locator::Css(&format!("[data-testid={id}]")))
        .await
        .unwrap_or_else(|e| panic!("{id}: {e}"))
        .text()
        .await
        .unwrap()
}

async fn click(c: &Client, id: &str) {
    c.find(Locator::Css(&format!("[data-testid={id}]")))
        .await
        .unwrap_or_else(|e| panic!("{id}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Clicks the element with `data-testid` = `id`, whose form asks first (`data-confirm`), and
/// accepts the question: its text.
async fn click_confirmed(c: &Client, id: &str) -> String {
    click(c, id).await;
    for _ in 0..50 {
        if let Ok(text) = c.get_alert_text().await {
            c.accept_alert().await.unwrap();
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{id} asked nothing");
}

/// Signs out (by forgetting the session) and in as `user`.
async fn sign_in_as(c: &Client, base: &str, user: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.delete_all_cookies().await.unwrap();
    login(c, base, user).await;
}

/// A reviewer finds the project in 待我审核, opens its review page and decides.
async fn decide_from_queue(c: &Client, code: &str, fields: &[(&str, &str)], decision: &str) {
    c.find(Locator::LinkText("待我审核"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(c, "/reviews").await;
    c.find(Locator::LinkText(code))
        .await
        .unwrap_or_else(|e| panic!("{code} not in the queue: {e}"))
        .click()
        .await
        .unwrap();
    wait_for_url(c, "/review").await;
    for (id, value) in fields {
        fill(c, &format!("[data-testid={id}]"), value).await;
    }
    click(c, &format!("decide-{decision}")).await;
    wait_for_url(c, "msg=saved").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zb_5a_a_government_investment_it_project_is_reviewed_by_every_role_to_admitted() {
    if !browser_available() {
        return;
    }
    let t = crate::common::TestApp::demo(Backend::Sqlite).await.unwrap();
    let base = serve(t.router.clone()).await;
    // The unit's draft, complete (its filling-in is the story above): IT construction under
    // government investment, so the data bureau and the development and reform commission
    // review it jointly (ZB-5e, ZB-2e).
    let op = t.login("danwei").await;
    let mut body =
        crate::common::projects::complete(crate::common::projects::meeting_standard(&t).await);
    body["name"] = json!("全市智慧教育平台建设");
    body["matter_class"] = json!("gov_investment");
    body["features"] = json!({"it": true, "government_investment": true});
    let p = crate::common::projects::create(&t, &op, body).await;
    let (id, code) = (
        p["id"].as_i64().unwrap(),
        p["code"].as_str().unwrap().to_string(),
    );
    // 240 × 480 + 3000 × 35.50, more than finance will allow.
    assert_eq!(p["request"], "221700.00");

    let (c, _driver, _profile) = browser().await;
    // 单位: submits.
    login(&c, &base, "danwei").await;
    c.goto(&format!("{base}/projects/{id}")).await.unwrap();
    click(&c, "move-submitted").await;
    wait_for_url(&c, "state-submitted").await;
    assert_eq!(text_of(&c, "project-state").await, "已申报");

    // 主管部门: 初审, pass with the department's rank.
    sign_in_as(&c, &base, "zhuguan").await;
    assert_eq!(text_of(&c, "home-queue").await, "1 个项目");
    decide_from_queue(
        &c,
        &code,
        &[("rank", "1"), ("opinion", "符合部门重点，同意报送")],
        "pass",
    )
    .await;
    assert_eq!(text_of(&c, "department-rank").await, "1");
    assert_eq!(text_of(&c, "review-stage").await, "财政审核论证");

    // 财政: records the fiscal capacity assessment (ZB-2c), then passes with the reviewed amount.
    sign_in_as(&c, &base, "caizheng").await;
    c.goto(&format!("{base}/projects/{id}/review"))
        .await
        .unwrap();
    assert!(text_of(&c, "gate-fiscal_capacity").await.contains("待记录"));
    c.find(Locator::XPath("//summary[contains(., '财政承受能力评估')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    choose(&c, "[data-testid=capacity-result]", "passed").await;
    fill(
        &c,
        "[data-testid=capacity-note]",
        "未超过一般公共预算支出 10% 红线",
    )
    .await;
    click(&c, "save-capacity").await;
    wait_for_url(&c, "msg=saved").await;
    assert!(text_of(&c, "gate-fiscal_capacity").await.contains("已满足"));
    let reviewed = "150000.00";
    decide_from_queue(
        &c,
        &code,
        &[
            ("reviewed", reviewed),
            ("opinion", "压减培训教材数量后核定"),
        ],
        "pass",
    )
    .await;
    assert_eq!(text_of(&c, "reviewed-amount").await, "150,000.00");
    assert_eq!(text_of(&c, "review-stage").await, "跨部门联审");
    assert!(
        text_of(&c, "route-data_bureau")
            .await
            .contains("待出具意见")
    );
    assert!(
        text_of(&c, "route-development_reform")
            .await
            .contains("待出具意见")
    );

    // 数据局 and 发改委: each records its opinion; the panel waits for both (ZB-5e).
    for (reviewer, body) in [("shuju", "data_bureau"), ("fagai", "development_reform")] {
        sign_in_as(&c, &base, reviewer).await;
        decide_from_queue(&c, &code, &[("opinion", "技术方案可行，同意")], "agree").await;
        assert!(
            text_of(&c, &format!("route-{body}"))
                .await
                .contains("已出具意见")
        );
    }
    assert_eq!(text_of(&c, "review-stage").await, "集中会审");

    // 财政: the panel's opinion on the four points and its recommendation (ZB-5b) admits it.
    sign_in_as(&c, &base, "caizheng").await;
    let panel = [
        ("panel-necessity", "教育数字化为年度重点"),
        ("panel-basis", "依据市政府文件"),
        ("panel-progress_match", "与建设进度匹配"),
        ("panel-benefit", "覆盖全市中小学"),
        ("recommended", "140000"),
    ];
    decide_from_queue(&c, &code, &panel, "admit").await;
    assert_eq!(text_of(&c, "project-state").await, "入库");
    assert_eq!(text_of(&c, "reviewed-amount").await, "140,000.00");
    let steps = text_of(&c, "review-steps").await;
    // People by the names they go by, not their logins.
    for who in ["李审核", "王会计", "陈联审", "周联审"] {
        assert!(steps.contains(who), "{who} missing from the steps: {steps}");
    }
    assert!(!steps.contains("caizheng"), "a login on the page: {steps}");
    c.close().await.unwrap();
}

/// The text of the first element matching `css`.
async fn text_at(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zb_3_finance_runs_compares_and_approves_and_the_budget_lines_appear() {
    if !browser_available() {
        return;
    }
    let t = crate::common::TestApp::demo(Backend::Sqlite).await.unwrap();
    let base = serve(t.router.clone()).await;
    // Two projects through review (the story above), admitted at 200,000.00 and 150,000.00.
    let meeting = crate::common::projects::admitted(
        &t,
        "全市教育工作会议",
        "mandatory",
        "200000.00",
        json!({}),
    )
    .await;
    let code = meeting["code"].as_str().unwrap().to_string();
    crate::common::projects::admitted(
        &t,
        "教师风采展示活动",
        "general_development",
        "150000.00",
        json!({}),
    )
    .await;

    let (c, _driver, _profile) = browser().await;
    login(&c, &base, "caizheng").await;
    tab(&c, "零基测算").await;
    wait_for_url(&c, "/allocation").await;
    // 可用财力: the general budget's revenue forecast.
    fill(
        &c,
        "input[form=res-general_public][name=revenue]",
        "800000000.00",
    )
    .await;
    click(&c, "save-general_public").await;
    wait_for_url(&c, "msg=resources").await;
    assert_eq!(text_of(&c, "resources-total").await, "800,000,000.00");

    // 一上测算 over the library: both projects funded in full, each explained.
    fill(&c, "[data-testid=run-name]", "一上测算").await;
    click(&c, "run-submit").await;
    wait_for_url(&c, "msg=run").await;
    let row = format!("tr[data-item='{code}']");
    assert_eq!(
        text_at(&c, &format!("{row} [data-testid=item-status]")).await,
        "足额安排"
    );
    assert!(
        text_at(&c, &format!("{row} td.explanation"))
            .await
            .contains("足额安排 20.00 万元（ZB-3）")
    );
    // The waterfall chart is drawn from the run's tiers.
    c.wait()
        .for_element(Locator::Css(
            "[data-testid=tier-chart][data-rendered=true] svg",
        ))
        .await
        .unwrap();
    let first = c.current_url().await.unwrap().to_string();

    // A scenario of it with hardly any money: the must-fund items cannot be met (ZB-3b).
    c.goto(&format!("{base}/allocation")).await.unwrap();
    choose(&c, "[data-testid=run-base]", &first_id(&first)).await;
    fill(&c, "[data-testid=run-name]", "财力紧张").await;
    fill(&c, "[data-testid=run-resources]", "1.00").await;
    click(&c, "run-submit").await;
    wait_for_url(&c, "msg=run").await;
    assert!(text_of(&c, "run-books").await.contains("ZB-3b"));
    assert_eq!(
        text_at(&c, &format!("{row} [data-testid=item-status]")).await,
        "未安排"
    );

    // Side by side: the meeting loses its 200,000.00 in the scenario.
    c.goto(&format!("{base}/allocation")).await.unwrap();
    click(&c, "compare-submit").await;
    wait_for_url(&c, "/allocation/compare").await;
    let diff = text_of(&c, "compare-projects").await;
    assert!(
        diff.contains("全市教育工作会议") && diff.contains("-200,000.00"),
        "{diff}"
    );
    c.wait()
        .for_element(Locator::Css(
            "[data-testid=compare-chart][data-rendered=true] svg",
        ))
        .await
        .unwrap();

    // 一上测算 becomes the control figures, is published, then approved.
    c.goto(&first).await.unwrap();
    click(&c, "run-choose").await;
    wait_for_url(&c, "msg=choose").await;
    click_confirmed(&c, "run-publish").await;
    wait_for_url(&c, "msg=publish").await;
    fill(&c, "[data-testid=run-document]", "示财预〔2026〕1号").await;
    click_confirmed(&c, "run-approve").await;
    wait_for_url(&c, "msg=approve").await;
    assert!(
        text_of(&c, "run-status")
            .await
            .contains("已批复（示财预〔2026〕1号）")
    );

    // The budget lines: the meeting's 200,000.00 by economic code, to the fen (found by its
    // name among the year's lines, 50 to a page).
    c.goto(&format!("{base}/budget-lines")).await.unwrap();
    fill(&c, "[data-testid=filter-q]", "全市教育工作会议").await;
    click(&c, "filter-submit").await;
    wait_for_url(&c, "q=").await;
    let lines = text_of(&c, "budget-lines").await;
    assert!(
        lines.contains("103,924.22") && lines.contains("96,075.78"),
        "{lines}"
    );
    assert!(lines.contains("示财预〔2026〕1号"));

    // The unit sees its own control figures, published.
    sign_in_as(&c, &base, "danwei").await;
    tab(&c, "控制数与指标").await;
    wait_for_url(&c, "/control-figures").await;
    assert!(text_of(&c, "figures-source").await.contains("下达"));
    assert!(text_of(&c, "figures").await.contains("教育局机关"));
    c.close().await.unwrap();
}

/// The run id at the end of a run page's URL (before any query).
fn first_id(url: &str) -> String {
    url.rsplit('/')
        .next()
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Waits until the element's text contains `part` (htmx swaps, charts drawn).
async fn wait_text(c: &Client, id: &str, part: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(&format!("[data-testid={id}]"))).await {
            last = e.text().await.unwrap_or_default();
            if last.contains(part) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{id} never showed {part}: {last}");
}

/// Fills the payment form for line `line` — payee, payee kind, amount, economic code — and
/// waits for the check the page shows as one types.
async fn payment_form(c: &Client, base: &str, line: i64, fields: [&str; 4], expect: &str) {
    let [payee, kind, amount, code] = fields;
    c.goto(&format!("{base}/payments/new")).await.unwrap();
    choose(c, "[data-testid=payment-line]", &line.to_string()).await;
    fill(c, "[data-testid=payee-name]", payee).await;
    fill(c, "[data-testid=payee-account]", "6222021234567890").await;
    choose(c, "[data-testid=payee-kind]", kind).await;
    fill(c, "[data-testid=payment-code]", code).await;
    fill(c, "[data-testid=payment-purpose]", "专家咨询与办公用品").await;
    fill(c, "[data-testid=payment-date]", "2026-03-10").await;
    fill(c, "[data-testid=payment-amount]", amount).await;
    wait_text(c, "payment-check", expect).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zx_4b_a_unit_files_payments_that_pass_are_warned_and_blocked_and_finance_confirms() {
    if !browser_available() {
        return;
    }
    let t = crate::common::TestApp::demo(Backend::Sqlite).await.unwrap();
    let line = crate::common::lines::line(&t, "101001", "302", 100_000, None).await;
    let unit_name = {
        let mut conn = t.app.store.write().acquire().await.unwrap();
        lingji_app::store::foundation::orgs::get(&mut conn, t.org_id("101001").await)
            .await
            .unwrap()
            .unwrap()
            .name
    };
    let base = serve(t.router.clone()).await;
    let (c, _driver, _profile) = browser().await;
    login(&c, &base, "danwei").await;
    tab(&c, "支付与监控").await;
    wait_for_url(&c, "/payments").await;

    // One that passes: the check says so before it is sent.
    payment_form(
        &c,
        &base,
        line,
        ["示范市办公用品有限公司", "unit", "12000.00", "30201"],
        "放行",
    )
    .await;
    assert!(text_of(&c, "payment-check").await.contains("100,000.00"));
    click(&c, "payment-submit").await;
    assert_eq!(wait_text(&c, "payment-status", "待支付").await, "待支付");

    // One to a person above 50,000.00 元: warned (B05-01) and held.
    payment_form(
        &c,
        &base,
        line,
        ["张三", "individual", "60000.00", "30226"],
        "预警",
    )
    .await;
    assert!(text_of(&c, "check-hits").await.contains("B05-01"));
    click(&c, "payment-submit").await;
    wait_text(&c, "payment-status", "预警待核").await;
    let warned = c.current_url().await.unwrap().to_string();

    // One to the unit itself: blocked (B06-01) before it is sent — the button is disabled and
    // the reason stands beside it; nothing is recorded.
    payment_form(
        &c,
        &base,
        line,
        [&unit_name, "unit", "5000.00", "30201"],
        "拦截",
    )
    .await;
    assert!(
        wait_text(&c, "payment-block-reason", "B06-01")
            .await
            .contains("ZX-4b")
    );
    assert!(
        !c.find(Locator::Css("[data-testid=payment-submit]"))
            .await
            .unwrap()
            .is_enabled()
            .await
            .unwrap()
    );

    // Finance confirms the warned one with a reason, then pays it.
    c.delete_all_cookies().await.unwrap();
    login(&c, &base, "caizheng").await;
    c.goto(&warned).await.unwrap();
    fill(&c, "[data-testid=decision-reason]", "已核对劳务合同").await;
    click(&c, "decision-confirm").await;
    wait_text(&c, "payment-status", "待支付").await;
    click_confirmed(&c, "decision-pay").await;
    wait_text(&c, "payment-status", "已支付").await;

    // The dashboard counts the warned payment's hit (the blocked one was never sent, so nothing
    // was stopped) and draws its chart.
    c.goto(&format!("{base}/monitoring/hits")).await.unwrap();
    let summary = wait_text(&c, "hit-summary", "止付").await;
    assert!(
        summary.contains("止付 0 笔") && !summary.contains("命中 0 次"),
        "{summary}"
    );
    c.wait()
        .for_element(Locator::Css(
            "[data-testid=hits-chart][data-rendered=true] svg",
        ))
        .await
        .unwrap();
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pm_5_a_unit_self_evaluates_finance_publishes_and_an_anonymous_visitor_sees_only_that() {
    if !browser_available() {
        return;
    }
    let t = crate::common::TestApp::demo(Backend::Sqlite).await.unwrap();
    let op = t.login("danwei").await;
    let (shown, _) = crate::common::projects::funded(&t, &op, 2026, 100_000).await;
    let (hidden, _) = crate::common::projects::funded(&t, &op, 2026, 100_000).await;
    // The hidden project is renamed so its name can be looked for on the public pages.
    {
        let mut c = t.app.store.write().acquire().await.unwrap();
        sqlx::query("UPDATE projects SET name = '未公开的测试项目' WHERE id = $1")
            .bind(hidden)
            .execute(&mut *c)
            .await
            .unwrap();
    }
    let base = serve(t.router.clone()).await;
    let (c, _driver, _profile) = browser().await;

    // The unit self-evaluates in the browser; a shortfall without reasons is refused beside
    // the fields, then accepted and graded.
    login(&c, &base, "danwei").await;
    tab(&c, "绩效管理").await;
    c.goto(&format!("{base}/evaluations")).await.unwrap();
    click(&c, &format!("self-{shown}")).await;
    fill(&c, "[data-testid=actual-0]", "2000").await;
    fill(&c, "[data-testid=actual-1]", "部分提升").await;
    choose(&c, "select[name='actuals[1].attainment']", "partly").await;
    fill(&c, "[data-testid=qscore-1]", "25").await;
    click(&c, "self-submit").await;
    c.wait().for_element(Locator::Css("p.error")).await.unwrap();
    assert!(
        text_at(&c, "form[data-testid=self-form]")
            .await
            .contains("须填写偏差原因")
    );
    for (id, text) in [
        ("reason-0", "下半年培训推迟"),
        ("remedy-0", "次年一季度补训"),
        ("reason-1", "覆盖不足"),
        ("remedy-1", "扩大覆盖"),
        ("execution-reason", "资金未支出"),
        ("execution-remedy", "加快支付"),
    ] {
        fill(&c, &format!("[data-testid={id}]"), text).await;
    }
    click(&c, "self-submit").await;
    assert_eq!(wait_text(&c, "grade", "中").await, "中");
    assert_eq!(text_of(&c, "score").await, "62.5分");
    let evaluation = c.current_url().await.unwrap().to_string();

    // Finance publishes it.
    c.delete_all_cookies().await.unwrap();
    login(&c, &base, "caizheng").await;
    c.goto(&evaluation).await.unwrap();
    c.find(Locator::Css("[data-testid=publish-evaluation] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "/publications").await;

    // The dashboard counts the grade and draws its charts.
    c.goto(&format!("{base}/performance")).await.unwrap();
    let grades = text_at(&c, "[data-testid=grade-distribution]").await;
    assert!(grades.contains("中 1"), "{grades}");
    for chart in ["grade-chart", "execution-chart"] {
        c.wait()
            .for_element(Locator::Css(&format!(
                "[data-testid={chart}][data-rendered=true] svg"
            )))
            .await
            .unwrap();
    }

    // Anonymous: the published result is there; the other project is nowhere, and its
    // evaluation pages ask for a sign-in.
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/public")).await.unwrap();
    let list = text_at(&c, "[data-testid=public-items]").await;
    assert!(list.contains("全市教育工作会议及教师培训"), "{list}");
    assert!(!list.contains("未公开的测试项目"), "{list}");
    c.find(Locator::LinkText("全市教育工作会议及教师培训"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let item = text_at(&c, "[data-testid=public-item]").await;
    assert!(item.contains("中") && item.contains("62.5"), "{item}");
    c.goto(&format!("{base}/evaluations")).await.unwrap();
    wait_for_url(&c, "/login").await;
    c.close().await.unwrap();
}

/// Under the Content-Security-Policy (no inline script): Swagger UI draws the API document, and
/// the policy page's year select still sends its form (a data attribute read by app.js, not an
/// inline handler).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csp_swagger_ui_renders_and_the_policy_year_select_submits() {
    if !browser_available() {
        return;
    }
    let (base, _db) = serve_demo().await;
    let (c, _driver, _profile) = browser().await;
    c.goto(&format!("{base}/api/docs/")).await.unwrap();
    let title = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(".swagger-ui .info .title"))
        .await
        .expect("Swagger UI draws the document under the policy")
        .text()
        .await
        .unwrap();
    assert!(title.contains("lingji"), "{title}");
    let operations = c
        .find_all(Locator::Css(".swagger-ui .opblock"))
        .await
        .unwrap();
    assert!(operations.len() > 50, "{} operations", operations.len());

    login(&c, &base, "caizheng").await;
    c.goto(&format!("{base}/policy")).await.unwrap();
    let years = c
        .execute(
            "return Array.from(document.querySelectorAll('select[name=year] option'))\
             .filter(o => !o.selected).map(o => o.value);",
            vec![],
        )
        .await
        .unwrap();
    let other = years[0]
        .as_str()
        .expect("another year to choose")
        .to_string();
    choose(&c, "select[name=year]", &other).await;
    wait_for_url(&c, &format!("year={other}")).await;
    c.close().await.unwrap();
}

/// 待办 on the home page, for three roles of the lived demo: the unit finds its returned project
/// with the reason, the department's reviewer its queue, finance a held payment, which it opens
/// from the list, confirms, and then finds waiting to be paid instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zb_5a_zx_4b_the_to_do_list_leads_each_role_to_its_work() {
    if !browser_available() {
        return;
    }
    let t = crate::common::TestApp::demo_with_projects(Backend::Sqlite)
        .await
        .unwrap();
    // The unit files a payment to a person above 50,000.00 元 on its 公用经费 line: warned, held.
    let unit = t.login("danwei").await;
    let lines = t.get("/api/v1/budget-lines", Some(&unit)).await.json();
    let line = lines
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["economic_code"] == "302" && l["fiscal_year"] == 2026)
        .unwrap_or_else(|| panic!("the unit's 2026 公用经费 line in {lines}"))["id"]
        .clone();
    let held = t
        .call(
            axum::http::Method::POST,
            "/api/v1/payments",
            Some(&unit),
            Some(json!({
                "payee_name": "张三", "payee_account": "6222021234567890",
                "payee_kind": "individual", "amount": "60000.00", "economic_code": "30226",
                "line_id": line, "purpose": "专家咨询劳务", "date": "2026-03-10",
                "contract_no": "HT-1", "idempotency_key": "todo-browser-1",
            })),
        )
        .await
        .json();
    assert_eq!(held["status"], "held", "{held}");

    let base = serve(t.router.clone()).await;
    let (c, _driver, _profile) = browser().await;

    // The unit: its returned project, with whose step and why, one click from the project.
    login(&c, &base, "danwei").await;
    assert_eq!(
        text_of(&c, "todo-count-projects_returned").await,
        "1 个项目"
    );
    let card = text_of(&c, "todo").await;
    assert!(card.contains("主管部门初审："), "{card}");
    assert!(
        !card.contains("预警待核"),
        "finance's work is not the unit's: {card}"
    );
    c.find(Locator::Css("[data-testid=todo] .todo-entries a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "/projects/").await;
    assert_eq!(text_of(&c, "project-state").await, "退回修改");

    // The department's reviewer: what waits at its step, as in 待我审核.
    sign_in_as(&c, &base, "zhuguan").await;
    let waiting = text_of(&c, "home-queue").await;
    assert!(
        waiting.ends_with(" 个项目") && waiting != "0 个项目",
        "{waiting}"
    );
    click(&c, "home-queue").await;
    wait_for_url(&c, "/reviews").await;

    // Finance: the held payment, opened from the list and confirmed …
    sign_in_as(&c, &base, "caizheng").await;
    assert_eq!(text_of(&c, "todo-count-held_payments").await, "1 笔");
    let to_pay = text_of(&c, "todo-count-payments_to_pay").await;
    c.find(Locator::LinkText("张三 60,000.00 元"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, &format!("/payments/{}", held["id"])).await;
    fill(&c, "[data-testid=decision-reason]", "已核对劳务合同").await;
    click(&c, "decision-confirm").await;
    wait_text(&c, "payment-status", "待支付").await;
    // … then waits to be paid instead.
    c.goto(&format!("{base}/")).await.unwrap();
    assert_eq!(text_of(&c, "todo-count-held_payments").await, "0 笔");
    let before: u64 = to_pay.trim_end_matches(" 笔").parse().unwrap();
    assert_eq!(
        text_of(&c, "todo-count-payments_to_pay").await,
        format!("{} 笔", before + 1)
    );
    c.close().await.unwrap();
}
