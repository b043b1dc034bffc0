//! The `lingji` binary as an operator uses it, on SQLite and on PostgreSQL.

use std::process::{Command, Output};

use lingji_app::store::testing::TestDb;
use lingji_app::store::{Backend, Store, backend_tests};

fn lingji(db: &TestDb, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lingji"));
    cmd.args(args)
        .env("LINGJI_DATABASE_URL", &db.config.database_url)
        .env("LINGJI_AUDIT_KEY_FILE", db.config.audit_key_path())
        .env_remove("LINGJI_USER_PASSWORD")
        .current_dir(std::env::temp_dir());
    match stdin {
        None => cmd.stdin(std::process::Stdio::null()).output().unwrap(),
        Some(text) => {
            use std::io::Write;
            let mut child = cmd
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        }
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn tamper(db: &TestDb, sql: &'static str) {
    let store = Store::connect(&db.config).await.unwrap();
    sqlx::query(sql).execute(store.write()).await.unwrap();
    store.close().await;
}

async fn audit_verify_names_the_first_tampered_event(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let out = lingji(&db, &["demo"], None);
    assert!(out.status.success(), "{}", text(&out));
    let out = lingji(&db, &["audit", "verify"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("审计链完整"));
    tamper(
        &db,
        "UPDATE audit_events SET after = '{\"name\":\"篡改\"}' WHERE seq = 10",
    )
    .await;
    let out = lingji(&db, &["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("第 10 号"), "{}", text(&out));
}

async fn audit_verify_checks_every_budget_line_against_its_entries(backend: Backend) {
    let Some(db) = crate::common::demo_db(backend).await else {
        return;
    };
    // The lived demo's lines agree with their entries; counted before a line is added.
    let lines = |out: &std::process::Output| -> u64 {
        let t = text(out);
        let at = t.find("指标账相符：共 ").expect("ledger line") + "指标账相符：共 ".len();
        t[at..].split(' ').next().unwrap().parse().unwrap()
    };
    let out = lingji(&db, &["audit", "verify"], None);
    assert!(out.status.success(), "{}", text(&out));
    let before = lines(&out);
    assert!(before > 100, "the lived demo's lines: {}", text(&out));
    // A line of 1,000.00 元 approved: balance and entries agree.
    tamper(
        &db,
        "INSERT INTO budget_lines (jurisdiction_id, fiscal_year, department_id, unit_id, item_id, name, \
         economic_code, fund_book, three_guarantees, approved, reserved, source_document, created_at) \
         SELECT jurisdiction_id, 2026, department_id, id, -1, '公用经费', '302', 'general_public', 1, 100000, 0, \
         '示财预〔2026〕9号', '2026-01-01T00:00:00Z' FROM organisations WHERE code = '101001'",
    )
    .await;
    tamper(
        &db,
        "INSERT INTO ledger_entries (line_id, kind, amount, reference, actor, at) \
         SELECT MAX(id), 'approve', 100000, '示财预〔2026〕9号', 'test', '2026-01-01T00:00:00Z' FROM budget_lines",
    )
    .await;
    let out = lingji(&db, &["audit", "verify"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(lines(&out), before + 1, "{}", text(&out));
    // Somebody raises the balance behind the ledger's back.
    tamper(
        &db,
        "UPDATE budget_lines SET approved = 200000 WHERE id = (SELECT MAX(id) FROM budget_lines)",
    )
    .await;
    let out = lingji(&db, &["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("指标账不符") && text(&out).contains("账面 批复 2,000.00"),
        "{}",
        text(&out)
    );
}

async fn audit_verify_notices_a_deleted_event(backend: Backend) {
    let Some(db) = crate::common::demo_db(backend).await else {
        return;
    };
    tamper(&db, "DELETE FROM audit_events WHERE seq = 7").await;
    let out = lingji(&db, &["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("缺少第 7 条"), "{}", text(&out));
}

async fn operators_manage_users_and_code_tables(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    assert!(lingji(&db, &["migrate"], None).status.success());
    assert!(lingji(&db, &["demo"], None).status.success());
    // The demo only goes into an empty database.
    let out = lingji(&db, &["demo"], None);
    assert!(!out.status.success() && text(&out).contains("DEMO_NOT_EMPTY"));
    let out = lingji(
        &db,
        &[
            "user",
            "add",
            "liu",
            "--role",
            "unit_operator",
            "--org",
            "102001",
            "--display-name",
            "卫健委机关 刘经办",
        ],
        Some("liu-secret-2026\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = lingji(
        &db,
        &[
            "user",
            "add",
            "liu",
            "--role",
            "unit_operator",
            "--org",
            "102001",
        ],
        Some("liu-secret-2026\n"),
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("USERNAME_TAKEN"), "{}", text(&out));
    let out = lingji(
        &db,
        &["user", "add", "wang", "--role", "boss", "--org", "102001"],
        Some("wang-secret-2026\n"),
    );
    assert!(text(&out).contains("ROLE_UNKNOWN"), "{}", text(&out));
    let out = lingji(&db, &["user", "token", "liu"], None);
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).starts_with("lj_"));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "科目编码,科目名称\n501,机关工资福利支出\n50101,工资奖金津补贴\n5019,坏\n",
    )
    .unwrap();
    let out = lingji(
        &db,
        &[
            "codes",
            "import",
            "--kind",
            "economic",
            "--year",
            "2027",
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("第 4 行「科目编码」"), "{}", text(&out));
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "科目编码,科目名称\n501,机关工资福利支出\n50101,工资奖金津补贴\n",
    )
    .unwrap();
    let out = lingji(
        &db,
        &[
            "codes",
            "import",
            "--kind",
            "economic",
            "--year",
            "2027",
            "--source",
            "测试",
            good.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("2 条"));
    // The demo library holds stale projects; the clean-up lists and retires them (ZB-15c, ZB-5d).
    let out = lingji(&db, &["projects", "cleanup", "--year", "2026"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("ZB-15c") && text(&out).contains("ZB-5d"),
        "{}",
        text(&out)
    );
    let out = lingji(
        &db,
        &["projects", "cleanup", "--year", "2026", "--retire"],
        None,
    );
    assert!(text(&out).contains("已退出"), "{}", text(&out));
    let out = lingji(&db, &["projects", "cleanup", "--year", "2026"], None);
    assert!(text(&out).contains("共 0 个项目需清理"), "{}", text(&out));
    // Everything above was audited, and the chain holds.
    assert!(lingji(&db, &["audit", "verify"], None).status.success());
}

async fn projects_import_from_excel_with_a_progress_bar(backend: Backend) {
    let Some(db) = crate::common::demo_db(backend).await else {
        return;
    };
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../lingji-web/tests/fixtures");
    let bad = format!("{fixtures}/projects_bad_cell.xlsx");
    let out = lingji(&db, &["import", "projects", &bad, "--year", "2026"], None);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("“测算明细”表 F2") && text(&out).contains("ZB-14"),
        "{}",
        text(&out)
    );
    let good = format!("{fixtures}/projects_openpyxl.xlsx");
    let out = lingji(&db, &["import", "projects", &good, "--year", "2026"], None);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("已导入 2026 年度项目 2 个") && stdout.contains("339300.00"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("100% 2/2"), "progress bar: {stderr}");
    // The template for the same year, with every unit of the jurisdiction.
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("模板.xlsx");
    let out = lingji(
        &db,
        &[
            "projects",
            "template",
            "--year",
            "2026",
            "--out",
            template.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(std::fs::read(&template).unwrap().starts_with(b"PK"));
}

async fn allocate_prints_the_waterfall_and_writes_the_result(backend: Backend) {
    let Some(db) = crate::common::demo_db(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // The demo's lived 2026 saved its runs 1–3 (the demand survey, 一上测算 — approved — and
    // a scenario on it). Hardly any money: the units' basic expenditure alone is short (ZB-3b).
    let scenario = dir.path().join("情景.json");
    std::fs::write(&scenario, r#"{"resources": {"general_public": "1000.00"}}"#).unwrap();
    let json = dir.path().join("结果.json");
    let out = lingji(
        &db,
        &[
            "allocate",
            "--year",
            "2026",
            "--scenario",
            scenario.to_str().unwrap(),
            "--out",
            json.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2026 年度测算方案第 4 号")
            && stdout.contains("可用财力 1,000.00 元")
            && stdout.contains("（ZB-3b）"),
        "{stdout}"
    );
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let allocated: i64 = written["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let s = i["result"]["allocated"].as_str().unwrap().replace('.', "");
            s.parse::<i64>().unwrap()
        })
        .sum();
    assert!(
        allocated <= 100_000,
        "never more than the resources: {allocated} fen"
    );
    // A scenario of the demo's 2026 一上测算 as .xlsx (run id 5: 2025's three runs came first);
    // a malformed scenario names what it expects.
    let xlsx = dir.path().join("结果.xlsx");
    let out = lingji(
        &db,
        &[
            "allocate",
            "--year",
            "2026",
            "--base",
            "5",
            "--out",
            xlsx.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("第 5 号"));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    std::fs::write(&scenario, r#"{"resource": {}}"#).unwrap();
    let out = lingji(
        &db,
        &[
            "allocate",
            "--year",
            "2026",
            "--scenario",
            scenario.to_str().unwrap(),
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("不是有效的情景文件"), "{}", text(&out));
}

backend_tests!(
    allocate_prints_the_waterfall_and_writes_the_result,
    audit_verify_checks_every_budget_line_against_its_entries,
    projects_import_from_excel_with_a_progress_bar,
    audit_verify_names_the_first_tampered_event,
    audit_verify_notices_a_deleted_event,
    operators_manage_users_and_code_tables,
);
