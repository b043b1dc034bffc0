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

backend_tests!(
    hostile_workbooks_are_refused_on_every_upload_and_the_server_goes_on,
    an_openpyxl_workbook_imports_all_or_nothing,
    imports_respect_scope_and_refuse_broken_files,
    the_template_offers_the_callers_units_codes_and_classes,
    the_import_page_lists_every_wrong_cell,
);
