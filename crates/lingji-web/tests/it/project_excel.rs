//! Projects from Excel, on SQLite and PostgreSQL: the template a unit downloads, and the import
//! of a workbook written by another program (openpyxl) — all of it, or nothing with every
//! wrong cell named.

use std::io::Read;

use crate::common::{Session, TestApp};
use axum::http::StatusCode;
use calamine::{Data, DataType, Reader};
use lingji_app::store::{Backend, backend_tests};
use serde_json::Value;

macro_rules! app {
    ($backend:expr) => {
        match TestApp::demo($backend).await {
            Some(app) => app,
            None => return,
        }
    };
}

const GOOD: &[u8] = include_bytes!("../fixtures/projects_openpyxl.xlsx");
const BAD_CELL: &[u8] = include_bytes!("../fixtures/projects_bad_cell.xlsx");

async fn import(t: &TestApp, s: &Session, bytes: &[u8]) -> crate::common::Reply {
    t.upload(
        "/api/v1/projects/import",
        s,
        &[("year", "2026")],
        "申报.xlsx",
        bytes,
    )
    .await
}

/// The projects of 市第一中学 the fixture names (both end in 外部导入).
async fn imported(t: &TestApp, s: &Session) -> Vec<Value> {
    let unit = t.org_id("101002").await;
    let q = url::form_urlencoded::byte_serialize("外部导入".as_bytes()).collect::<String>();
    t.get(
        &format!("/api/v1/projects?year=2026&unit_id={unit}&q={q}"),
        Some(s),
    )
    .await
    .json()
    .as_array()
    .unwrap()
    .clone()
}

fn errors(r: &crate::common::Reply) -> Vec<(String, String, String)> {
    r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_string(),
                e["code"].as_str().unwrap_or_default().to_string(),
                e["clause"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn an_openpyxl_workbook_imports_all_or_nothing(backend: Backend) {
    let t = app!(backend);
    let reviewer = t.login("zhuguan").await;
    let before = t.audit_count().await;

    // One cell above its standard: nothing is imported and the cell is named (ZB-14).
    let r = import(&t, &reviewer, BAD_CELL).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.code(), "IMPORT_INVALID");
    assert_eq!(
        errors(&r),
        [(
            "测算明细!F2".to_string(),
            "COST_ABOVE_STANDARD".to_string(),
            "ZB-14".to_string()
        )]
    );
    let message = r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("第 2 行「单价（元）」") && message.contains("二类培训综合定额"),
        "{message}"
    );
    assert!(imported(&t, &reviewer).await.is_empty());
    assert_eq!(
        t.audit_count().await,
        before,
        "a refused file leaves no trace"
    );

    // The same workbook without the bad cell imports whole.
    let r = import(&t, &reviewer, GOOD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let report = r.json();
    assert_eq!(
        (
            report["projects"].as_u64(),
            report["cost_lines"].as_u64(),
            report["indicators"].as_u64(),
            report["year_plans"].as_u64(),
            report["request_total"].as_str()
        ),
        (Some(2), Some(4), Some(5), Some(2), Some("339300.00")),
        "600 × 450 + 600 × 35.50 and 8 × 5,000 + 20 × 400"
    );
    let list = imported(&t, &reviewer).await;
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|p| p["state"] == "reserve"));
    assert!(
        list.iter()
            .all(|p| p["code"].as_str().unwrap().starts_with("3299002026101")),
        "codes are generated: 区划 + year + department + serial"
    );
    let security = list
        .iter()
        .find(|p| p["name"] == "校园安防设备更新（外部导入）")
        .unwrap();
    let detail = t
        .get(
            &format!("/api/v1/projects/{}", security["id"]),
            Some(&reviewer),
        )
        .await
        .json();
    let header = &detail["detail"];
    assert_eq!(header["total_need"], "96000.00");
    assert_eq!(header["function_code"], "2050202", "the code, not its name");
    assert_eq!(detail["detail"]["year_plan"].as_array().unwrap().len(), 2);
    let training = list
        .iter()
        .find(|p| p["name"] == "教师全员培训（外部导入）")
        .unwrap();
    let detail = t
        .get(
            &format!("/api/v1/projects/{}", training["id"]),
            Some(&reviewer),
        )
        .await
        .json();
    let header = &detail["detail"];
    assert_eq!(header["basis"]["expires_on"], "2028-12-31", "an Excel date");
    assert_eq!(header["features"]["training"], true);
    assert_eq!(header["request"], "291300.00");

    // Loading the file twice does not double the request.
    let r = import(&t, &reviewer, GOOD).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        errors(&r)
            .iter()
            .map(|(f, c, _)| (f.as_str(), c.as_str()))
            .collect::<Vec<_>>(),
        [
            ("项目!A2", "PROJECT_NAME_TAKEN"),
            ("项目!A3", "PROJECT_NAME_TAKEN")
        ]
    );
    assert_eq!(imported(&t, &reviewer).await.len(), 2);
}

async fn imports_respect_scope_and_refuse_broken_files(backend: Backend) {
    let t = app!(backend);
    // The operator of 教育局机关 may not import for 市第一中学: every row is named.
    let operator = t.login("danwei").await;
    let r = import(&t, &operator, GOOD).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(
        errors(&r)
            .iter()
            .map(|(f, c, _)| (f.as_str(), c.as_str()))
            .collect::<Vec<_>>(),
        [
            ("项目!C2", "IMPORT_UNIT_FORBIDDEN"),
            ("项目!C3", "IMPORT_UNIT_FORBIDDEN")
        ]
    );
    // Auditors add no projects at all.
    let auditor = t.login("shenji").await;
    assert_eq!(
        import(&t, &auditor, GOOD).await.status,
        StatusCode::FORBIDDEN
    );
    // Not a workbook.
    let r = import(&t, &operator, b"name,kind\nx,y\n").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "FILE_MALFORMED");
    // A workbook without the 项目 sheet.
    let r = import(
        &t,
        &operator,
        include_bytes!("../fixtures/function_codes_openpyxl.xlsx"),
    )
    .await;
    assert_eq!(r.code(), "IMPORT_SHEET_MISSING", "{}", r.text);
}

/// The XML of one part of an .xlsx file.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
    xml
}

async fn the_template_offers_the_callers_units_codes_and_classes(backend: Backend) {
    let t = app!(backend);
    let reviewer = t.login("zhuguan").await;
    let r = t
        .get("/api/v1/projects/template?year=2026", Some(&reviewer))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(r.bytes.clone())).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["说明", "项目", "测算明细", "绩效指标", "分年度计划", "代码"]
    );
    let projects = book.worksheet_range("项目").unwrap();
    assert_eq!(projects.get((0, 0)), Some(&Data::String("序号*".into())));
    assert_eq!(
        projects.get((0, 2)),
        Some(&Data::String("项目名称*".into()))
    );
    let lists = book.worksheet_range("代码").unwrap();
    let units: Vec<String> = lists
        .rows()
        .skip(1)
        .filter_map(|r| r[0].get_string().map(str::to_string))
        .collect();
    assert!(
        units.contains(&"101002 市第一中学".to_string()),
        "{units:?}"
    );
    assert!(
        units.iter().all(|u| u.starts_with("101")),
        "a department reviewer is offered its own units only: {units:?}"
    );
    // The drop-downs point at the hidden list sheet.
    let workbook = part(&r.bytes, "xl/workbook.xml");
    assert!(workbook.contains("state=\"hidden\""), "{workbook}");
    let sheet = part(&r.bytes, "xl/worksheets/sheet2.xml");
    assert!(
        sheet.contains("<dataValidation") && sheet.contains("'代码'!$A$2"),
        "unit list on the 项目 sheet"
    );
    // A unit operator gets a template too; an auditor does not.
    let operator = t.login("danwei").await;
    assert_eq!(
        t.get("/api/v1/projects/template?year=2026", Some(&operator))
            .await
            .status,
        StatusCode::OK
    );
    let auditor = t.login("shenji").await;
    assert_eq!(
        t.get("/api/v1/projects/template?year=2026", Some(&auditor))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn the_import_page_lists_every_wrong_cell(backend: Backend) {
    let t = app!(backend);
    let reviewer = t.login("zhuguan").await;
    let page = t.get("/projects/import", Some(&reviewer)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("下载模板"));
    let r = t
        .upload(
            &format!("/projects/import?_csrf={}", reviewer.csrf),
            &reviewer,
            &[("year", "2026")],
            "bad.xlsx",
            BAD_CELL,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text.contains("测算明细!F2") && r.text.contains("ZB-14"),
        "{}",
        r.text
    );
    let r = t
        .upload(
            &format!("/projects/import?_csrf={}", reviewer.csrf),
            &reviewer,
            &[("year", "2026")],
            "good.xlsx",
            GOOD,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text
            .contains("已导入 2026 年度项目 <strong>2</strong> 个"),
        "{}",
        r.text
    );
    let auditor = t.login("shenji").await;
    assert_eq!(
        t.get("/projects/import", Some(&auditor)).await.status,
        StatusCode::FORBIDDEN
    );
}

/// Hostile workbooks (scripts/workbook_bombs.py) sent to every upload that reads a workbook, by
/// the users allowed to upload there: each is refused with its code and the server goes on.
async fn hostile_workbooks_are_refused_on_every_upload_and_the_server_goes_on(backend: Backend) {
    macro_rules! bomb {
        ($name:literal) => {
            (
                $name,
                &include_bytes!(concat!("../../../lingji-workbook/tests/fixtures/", $name))[..],
            )
        };
    }
    let t = app!(backend);
    let operator = t.login("danwei").await;
    let admin = t.login("admin").await;
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    for ((name, bytes), code) in [
        (bomb!("far-cell.xlsx"), "WORKBOOK_RANGE_EXCEEDED"),
        (bomb!("far-cell-undeclared.xlsx"), "WORKBOOK_RANGE_EXCEEDED"),
        (bomb!("shared-strings-bomb.xlsx"), "WORKBOOK_TOO_LARGE"),
        (bomb!("shared-strings-bomb-lying.xlsx"), "FILE_MALFORMED"),
        (bomb!("unique-count.xlsx"), "WORKBOOK_TOO_MANY_CELLS"),
        (bomb!("many-parts.xlsx"), "WORKBOOK_TOO_MANY_PARTS"),
    ] {
        let replies = [
            import(&t, &operator, bytes).await,
            t.raw(
                "/api/v1/performance/checkpoints/import",
                &operator,
                xlsx,
                bytes.to_vec(),
            )
            .await,
            t.upload(
                "/api/v1/codes/import",
                &admin,
                &[("kind", "economic"), ("year", "2026"), ("source", "x")],
                name,
                bytes,
            )
            .await,
        ];
        for r in replies {
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{name}: {}",
                r.text
            );
            assert_eq!(r.code(), code, "{name}: {}", r.text);
            assert_eq!(
                r.headers["content-type"], "application/problem+json",
                "{name}"
            );
        }
    }
    // Nothing was imported and the server answers as before.
    assert_eq!(imported(&t, &operator).await.len(), 0);
    let r = import(&t, &operator, GOOD).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(errors(&r)[0].1, "IMPORT_UNIT_FORBIDDEN");
}

/// A workbook of `n` projects of 市第一中学 in the template's layout (the bench file's shape:
/// one cost line at 二类会议 and one indicator each), the cost line of project `bad` priced
/// above its standard when given.
fn many_projects(n: u32, bad: Option<u32>) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let projects = book.add_worksheet().set_name("项目").unwrap();
    projects
        .write_row(
            0,
            0,
            [
                "序号",
                "预算单位",
                "项目名称",
                "项目类别",
                "事项分类",
                "支出层级",
                "政策依据",
                "开始年度",
                "结束年度",
                "功能分类（项）",
                "政府经济分类（款）",
                "资金来源",
                "项目负责人",
                "联系电话",
                "绩效总体目标",
            ],
        )
        .unwrap();
    for i in 1..=n {
        projects
            .write_row(
                i,
                0,
                [
                    i.to_string(),
                    "101002".into(),
                    format!("批量项目{i:04}"),
                    "特定目标类".into(),
                    "公共服务".into(),
                    "“三保”支出".into(),
                    "批量导入测试政策".into(),
                    "2026".into(),
                    "2026".into(),
                    "2050202".into(),
                    "50202".into(),
                    "一般公共预算".into(),
                    "批量".into(),
                    "0518-85550000".into(),
                    "完成年度工作会议".into(),
                ],
            )
            .unwrap();
    }
    let lines = book.add_worksheet().set_name("测算明细").unwrap();
    lines
        .write_row(
            0,
            0,
            [
                "项目序号",
                "支出事项",
                "部门经济分类（款）",
                "支出标准",
                "数量",
                "单价（元）",
            ],
        )
        .unwrap();
    for i in 1..=n {
        let price = if Some(i) == bad { "99999" } else { "480" };
        lines
            .write_row(
                i,
                0,
                [
                    i.to_string(),
                    "年度工作会议（二类）".into(),
                    "30215".into(),
                    "P-MEET-2".into(),
                    format!("{}", 10 + i % 90),
                    price.to_string(),
                ],
            )
            .unwrap();
    }
    let targets = book.add_worksheet().set_name("绩效指标").unwrap();
    targets
        .write_row(
            0,
            0,
            [
                "项目序号",
                "指标类别",
                "指标名称",
                "比较符",
                "目标值",
                "计量单位",
            ],
        )
        .unwrap();
    for i in 1..=n {
        targets
            .write_row(
                i,
                0,
                [
                    i.to_string(),
                    "数量指标".into(),
                    "会议场次".into(),
                    "≥".into(),
                    "1".into(),
                    "场".into(),
                ],
            )
            .unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// The projects named 批量项目… and their cost lines and indicators, as stored.
async fn batch_rows(t: &TestApp) -> (i64, i64, i64) {
    let mut conn = t.app.store.read().acquire().await.unwrap();
    sqlx::query_as(
        "SELECT COUNT(DISTINCT p.id), \
         (SELECT COUNT(*) FROM project_cost_lines c JOIN projects q ON q.id = c.project_id \
          WHERE q.name LIKE '批量项目%'), \
         (SELECT COUNT(*) FROM project_indicators i JOIN projects q ON q.id = i.project_id \
          WHERE q.name LIKE '批量项目%') \
         FROM projects p WHERE p.name LIKE '批量项目%'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap()
}

/// Imports are written many rows to a statement: a wrong cell deep in a 1,000-row file still
/// leaves nothing and is named, and a good file's every project, cost line, indicator and
/// audit event is there with the chain intact.
async fn a_thousand_rows_import_whole_or_not_at_all(backend: Backend) {
    let t = app!(backend);
    let reviewer = t.login("zhuguan").await;
    let before = t.audit_count().await;

    // Project 899's price sits in row 900 of 测算明细, above its standard (ZB-14).
    let r = import(&t, &reviewer, &many_projects(1_000, Some(899))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(
        errors(&r),
        [(
            "测算明细!F900".to_string(),
            "COST_ABOVE_STANDARD".to_string(),
            "ZB-14".to_string()
        )]
    );
    assert_eq!(
        batch_rows(&t).await,
        (0, 0, 0),
        "nothing of the file is left"
    );
    assert_eq!(t.audit_count().await, before, "nor any event");

    let r = import(&t, &reviewer, &many_projects(1_000, None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let report = r.json();
    assert_eq!(
        (report["projects"].as_u64(), report["cost_lines"].as_u64()),
        (Some(1_000), Some(1_000))
    );
    assert_eq!(batch_rows(&t).await, (1_000, 1_000, 1_000));
    // One event per project and the import's own, the chain verified end to end.
    assert_eq!(t.audit_count().await, before + 1_001);

    // Project 900 reads back as the form would show it: its line's amount and its history.
    let q = url::form_urlencoded::byte_serialize("批量项目0900".as_bytes()).collect::<String>();
    let list = t
        .get(
            &format!("/api/v1/projects?year=2026&q={q}"),
            Some(&reviewer),
        )
        .await
        .json();
    let id = list[0]["id"].as_i64().unwrap();
    let detail = t
        .get(&format!("/api/v1/projects/{id}"), Some(&reviewer))
        .await
        .json();
    assert_eq!(detail["detail"]["request"], "4800.00", "10 × 480 元");
    assert_eq!(detail["detail"]["cost_lines"][0]["amount"], "4800.00");
    assert_eq!(detail["detail"]["indicators"][0]["name"], "会议场次");
    assert_eq!(detail["history"][0]["action"], "create", "{detail}");
    // Codes stay distinct: 1,000 serials in one department.
    let mut conn = t.app.store.read().acquire().await.unwrap();
    let (codes,): (i64,) =
        sqlx::query_as("SELECT COUNT(DISTINCT code) FROM projects WHERE name LIKE '批量项目%'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(codes, 1_000);
}

backend_tests!(
    a_thousand_rows_import_whole_or_not_at_all,
    hostile_workbooks_are_refused_on_every_upload_and_the_server_goes_on,
    an_openpyxl_workbook_imports_all_or_nothing,
    imports_respect_scope_and_refuse_broken_files,
    the_template_offers_the_callers_units_codes_and_classes,
    the_import_page_lists_every_wrong_cell,
);
