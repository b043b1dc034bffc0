//! The role × resource × own/other-organisation matrix, through every API route and the pages
//! that change data. Every route of the OpenAPI document must appear here, so a new route
//! cannot slip past the authorisation check untested.

use std::collections::BTreeSet;

use crate::common::{Session, TestApp};
use axum::http::{Method, StatusCode};
use lingji_app::store::{Backend, backend_tests};
use serde_json::{Value, json};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Want {
    /// 2xx (or a redirect after a form post).
    Allow,
    /// 403, or 404 where existence itself is hidden.
    Deny,
    /// 422: within scope, but a rule of the domain refused (e.g. the lifecycle).
    Refused,
}
use Want::{Allow as A, Deny as D, Refused as R};

/// Demo users in the order of the columns below.
const ROLES: [&str; 6] = ["danwei", "zhuguan", "caizheng", "shuju", "shenji", "admin"];

/// For each role: an organisation that is its own (or within its reach) and one that is not.
/// danwei is the operator of 101001; zhuguan reviews department 101; shuju is the data bureau
/// (109); the others reach the whole jurisdiction.
const OWN: [&str; 6] = ["101001", "101002", "101001", "109001", "101001", "101001"];
const OTHER: [&str; 6] = ["101002", "102001", "102001", "101001", "102001", "102001"];

/// A route and what each role may do on its own / another organisation.
struct Case {
    method: Method,
    /// Template as in the OpenAPI document; `{id}` is an organisation, user or year.
    path: &'static str,
    /// Page route (not in the OpenAPI document).
    page: bool,
    want: [(Want, Want); 6],
}

/// A payment body on `line`: to a supplier, or 60,000.00 元 to a person (warning B05-01).
fn payment_body(line: i64, key: &str, warned: bool) -> Value {
    json!({
        "payee_name": if warned { "张三" } else { "示范市办公用品有限公司" },
        "payee_account": "6222021234567890",
        "payee_kind": if warned { "individual" } else { "unit" },
        "amount": if warned { "60000.00" } else { "1200.00" },
        "economic_code": if warned { "30226" } else { "30201" },
        "line_id": line,
        "purpose": "矩阵支付",
        "date": "2026-03-10",
        "contract_no": "HT-1",
        "idempotency_key": key,
    })
}

/// A workbook with one reserve project of the unit `unit_code`.
fn one_project_workbook(unit_code: &str, n: u32) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("项目").unwrap();
    for (c, (header, value)) in [
        ("序号", "1".to_string()),
        ("预算单位", unit_code.to_string()),
        ("项目名称", format!("矩阵导入{n}")),
        ("项目类别", "其他运转类".to_string()),
    ]
    .iter()
    .enumerate()
    {
        let c = u16::try_from(c).unwrap();
        sheet.write_string(0, c, *header).unwrap();
        sheet.write_string(1, c, value).unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn cases() -> Vec<Case> {
    let api = |method: Method, path: &'static str, want: [(Want, Want); 6]| Case {
        method,
        path,
        page: false,
        want,
    };
    let page = |method: Method, path: &'static str, want: [(Want, Want); 6]| Case {
        method,
        path,
        page: true,
        want,
    };
    let all = [(A, A); 6];
    let admin_only = [(D, D), (D, D), (D, D), (D, D), (D, D), (A, A)];
    let admin_audit = [(D, D), (D, D), (D, D), (D, D), (A, A), (A, A)];
    let org_read = [(A, D), (A, D), (A, A), (A, D), (A, A), (A, A)];
    let project_writers = [(A, A), (A, A), (A, A), (D, D), (D, D), (D, D)];
    let org_write = [(A, D), (A, D), (A, A), (D, D), (D, D), (A, A)];
    let project_read = [(A, D), (A, D), (A, A), (D, D), (A, A), (D, D)];
    let project_write = [(A, D), (A, D), (A, A), (D, D), (D, D), (D, D)];
    let finance_only = [(D, D), (D, D), (A, A), (D, D), (D, D), (D, D)];
    let allocation_read = [(D, D), (D, D), (A, A), (D, D), (A, A), (D, D)];
    // Within reach, but out of order (a fresh run is neither chosen nor published).
    let finance_refused = [(D, D), (D, D), (R, R), (D, D), (D, D), (D, D)];
    let budget_read = [(A, A), (A, A), (A, A), (D, D), (A, A), (D, D)];
    let payment_write = [(A, D), (D, D), (A, A), (D, D), (D, D), (D, D)];
    // A department's own targets (PM-7): its reviewer and finance write, audit reads too.
    let department_write = [(D, D), (A, D), (A, A), (D, D), (D, D), (D, D)];
    let department_read = [(D, D), (A, D), (A, A), (D, D), (A, A), (D, D)];
    vec![
        api(Method::GET, "/api/v1/orgs", all),
        api(Method::POST, "/api/v1/orgs", admin_only),
        api(Method::GET, "/api/v1/orgs/{id}", org_read),
        api(Method::PUT, "/api/v1/orgs/{id}", admin_only),
        api(Method::POST, "/api/v1/years", admin_only),
        api(Method::PUT, "/api/v1/orgs/{id}/staffing", org_write),
        api(Method::GET, "/api/v1/orgs/{id}/basic-expenditure", org_read),
        api(Method::GET, "/api/v1/users", admin_audit),
        api(Method::POST, "/api/v1/users", admin_only),
        api(Method::GET, "/api/v1/users/{id}", admin_audit),
        api(Method::PUT, "/api/v1/users/{id}", admin_only),
        api(Method::POST, "/api/v1/users/{id}/password", admin_only),
        api(Method::GET, "/api/v1/policy/{year}", all),
        api(Method::PUT, "/api/v1/policy/{year}", admin_only),
        api(Method::GET, "/api/v1/policy/{year}/history", all),
        api(Method::GET, "/api/v1/calendar/{year}", all),
        api(Method::GET, "/api/v1/codes/tables", all),
        api(Method::GET, "/api/v1/codes/function", all),
        api(Method::GET, "/api/v1/codes/economic", all),
        api(Method::POST, "/api/v1/codes/import", admin_only),
        api(
            Method::GET,
            "/api/v1/audit",
            [(D, D), (D, D), (D, D), (D, D), (A, A), (D, D)],
        ),
        api(Method::GET, "/api/v1/me", all),
        api(Method::GET, "/api/v1/todo", all),
        // A joint reviewer's list holds only what is routed to its body (ZB-5e).
        api(
            Method::GET,
            "/api/v1/projects",
            [(A, A), (A, A), (A, A), (A, A), (A, A), (D, D)],
        ),
        api(Method::POST, "/api/v1/projects", project_write),
        api(Method::GET, "/api/v1/projects/{id}", project_read),
        api(Method::PUT, "/api/v1/projects/{id}", project_write),
        api(Method::GET, "/api/v1/projects/{id}/check", project_read),
        api(
            Method::GET,
            "/api/v1/projects/{id}/review-plan",
            project_read,
        ),
        api(
            Method::GET,
            "/api/v1/projects/{id}/attachments",
            project_read,
        ),
        api(
            Method::POST,
            "/api/v1/projects/{id}/attachments",
            project_write,
        ),
        api(
            Method::GET,
            "/api/v1/projects/{id}/attachments/{attachment_id}",
            project_read,
        ),
        api(
            Method::DELETE,
            "/api/v1/projects/{id}/attachments/{attachment_id}",
            project_write,
        ),
        api(Method::GET, "/api/v1/projects/{id}/copy", project_read),
        // Review: a joint reviewer reaches only what is routed to it (none here); a reserve
        // project is not under review, so whoever may act on it is refused by the workflow.
        api(Method::GET, "/api/v1/projects/{id}/review", project_read),
        api(
            Method::POST,
            "/api/v1/projects/{id}/review",
            [(R, D), (R, D), (R, R), (D, D), (D, D), (D, D)],
        ),
        api(Method::GET, "/api/v1/projects/{id}/gates", project_read),
        api(
            Method::GET,
            "/api/v1/projects/{id}/eligibility",
            project_read,
        ),
        // Clearing "not ready" (ZB-5f) is the department's or finance's.
        api(
            Method::PUT,
            "/api/v1/projects/{id}/gates",
            [(D, D), (A, D), (A, A), (D, D), (D, D), (D, D)],
        ),
        api(Method::GET, "/api/v1/reviews/queue", all),
        // Each item is checked in scope; an unknown project is refused by name for everyone.
        api(Method::POST, "/api/v1/reviews/bulk", [(R, R); 6]),
        // Allocation: finance arranges, audit reads; control figures and budget lines reach
        // units and departments within their scope.
        api(Method::GET, "/api/v1/allocation/resources", allocation_read),
        api(
            Method::PUT,
            "/api/v1/allocation/resources/{fund_book}",
            finance_only,
        ),
        api(Method::GET, "/api/v1/allocation/runs", allocation_read),
        api(Method::POST, "/api/v1/allocation/runs", finance_only),
        api(Method::GET, "/api/v1/allocation/runs/{id}", allocation_read),
        api(
            Method::GET,
            "/api/v1/allocation/runs/{id}/xlsx",
            allocation_read,
        ),
        api(
            Method::POST,
            "/api/v1/allocation/runs/{id}/choose",
            finance_only,
        ),
        api(
            Method::POST,
            "/api/v1/allocation/runs/{id}/publish",
            finance_refused,
        ),
        api(
            Method::POST,
            "/api/v1/allocation/runs/{id}/approve",
            finance_refused,
        ),
        api(Method::GET, "/api/v1/allocation/compare", allocation_read),
        api(
            Method::GET,
            "/api/v1/allocation/statistics",
            allocation_read,
        ),
        api(
            Method::GET,
            "/api/v1/allocation/statistics/xlsx",
            allocation_read,
        ),
        api(Method::GET, "/api/v1/allocation/overlaps", allocation_read),
        api(Method::GET, "/api/v1/control-figures", budget_read),
        api(Method::GET, "/api/v1/budget-lines", budget_read),
        api(Method::POST, "/api/v1/budget-lines", finance_only),
        // Payments: units request on their own lines, departments follow theirs, finance
        // decides, disposes of hits and suspends; audit reads; everyone reads the rules.
        api(Method::GET, "/api/v1/payments", budget_read),
        api(Method::GET, "/api/v1/payees", budget_read),
        api(Method::POST, "/api/v1/payments", payment_write),
        api(Method::POST, "/api/v1/payments/check", payment_write),
        api(Method::GET, "/api/v1/payments/{id}", project_read),
        api(Method::POST, "/api/v1/payments/{id}/decision", finance_only),
        // Spending plans: units file theirs, finance reviews the month, audit reads (ZX-4a).
        api(Method::GET, "/api/v1/spending-plans", budget_read),
        api(Method::POST, "/api/v1/spending-plans", payment_write),
        api(Method::POST, "/api/v1/spending-plans/review", finance_only),
        api(
            Method::GET,
            "/api/v1/spending-plans/reviews",
            allocation_read,
        ),
        // Adjustments: units ask for their lines, finance decides; finance and audit read the
        // amendment document (ZB-7b, QJ-4c).
        api(Method::GET, "/api/v1/adjustments", budget_read),
        api(Method::POST, "/api/v1/adjustments", payment_write),
        api(
            Method::POST,
            "/api/v1/adjustments/{id}/decision",
            finance_only,
        ),
        api(
            Method::GET,
            "/api/v1/adjustments/amendment",
            allocation_read,
        ),
        api(
            Method::GET,
            "/api/v1/adjustments/amendment.xlsx",
            allocation_read,
        ),
        // The year-end close: finance tries and runs it, finance and audit read the report.
        api(Method::POST, "/api/v1/year-end", finance_only),
        api(Method::GET, "/api/v1/year-end", allocation_read),
        // Penetrating supervision: finance and audit (ZX-2).
        api(Method::GET, "/api/v1/supervision", allocation_read),
        api(Method::GET, "/api/v1/supervision/{id}", allocation_read),
        // The year in figures: finance and audit read it; nobody writes it.
        api(Method::GET, "/api/v1/annual-report", allocation_read),
        api(Method::GET, "/api/v1/annual-report/xlsx", allocation_read),
        api(Method::GET, "/api/v1/province-dashboard", allocation_read),
        api(Method::GET, "/api/v1/jurisdictions", all),
        // A jurisdiction below the caller's, with its administrator: administrators only.
        api(Method::POST, "/api/v1/jurisdictions", admin_only),
        api(Method::GET, "/api/v1/monitoring-rules", all),
        api(Method::PUT, "/api/v1/monitoring-rules/{code}", finance_only),
        api(
            Method::POST,
            "/api/v1/monitoring-rules/dry-run",
            finance_only,
        ),
        api(Method::GET, "/api/v1/rule-hits", allocation_read),
        api(Method::GET, "/api/v1/rule-hits/stats", allocation_read),
        api(
            Method::POST,
            "/api/v1/rule-hits/{id}/disposition",
            finance_only,
        ),
        api(
            Method::POST,
            "/api/v1/projects/{id}/payment-suspension",
            finance_only,
        ),
        api(
            Method::POST,
            "/api/v1/projects/{id}/payment-suspension/lift",
            finance_only,
        ),
        // Performance: units monitor and self-evaluate their projects, departments theirs;
        // finance decides, evaluates, applies results and publishes; audit reads (PM-9–PM-13).
        api(Method::GET, "/api/v1/performance/checkpoints", budget_read),
        api(
            Method::POST,
            "/api/v1/performance/checkpoints",
            project_write,
        ),
        api(
            Method::POST,
            "/api/v1/performance/checkpoints/import",
            project_write,
        ),
        api(
            Method::GET,
            "/api/v1/performance/projects/{id}/checkpoints",
            project_read,
        ),
        api(
            Method::POST,
            "/api/v1/performance/checkpoints/{id}/decision",
            finance_only,
        ),
        api(Method::GET, "/api/v1/evaluations", budget_read),
        api(Method::GET, "/api/v1/evaluations/{id}", project_read),
        api(
            Method::GET,
            "/api/v1/evaluations/{id}/table.xlsx",
            project_read,
        ),
        api(Method::POST, "/api/v1/evaluations/self", project_write),
        api(Method::POST, "/api/v1/evaluations/key", finance_only),
        api(Method::GET, "/api/v1/performance/targets", budget_read),
        api(
            Method::POST,
            "/api/v1/performance/targets",
            department_write,
        ),
        api(
            Method::GET,
            "/api/v1/performance/targets/{id}",
            department_read,
        ),
        api(Method::GET, "/api/v1/performance/results", allocation_read),
        api(Method::POST, "/api/v1/performance/results", finance_only),
        api(
            Method::POST,
            "/api/v1/performance/results/policies",
            finance_only,
        ),
        api(Method::GET, "/api/v1/publications", allocation_read),
        api(Method::POST, "/api/v1/publications", finance_only),
        api(
            Method::POST,
            "/api/v1/publications/{id}/withdraw",
            finance_only,
        ),
        api(Method::GET, "/api/v1/lists/{list}", all),
        api(Method::POST, "/api/v1/lists/{list}", finance_only),
        api(Method::GET, "/api/v1/lists/entries/{id}", all),
        api(Method::PUT, "/api/v1/lists/entries/{id}", finance_only),
        api(Method::PUT, "/api/v1/orgs/{id}/own-funds", org_write),
        // Retiring a reserve project is the unit's or finance's; a reviewer is refused by the lifecycle.
        api(
            Method::POST,
            "/api/v1/projects/{id}/transitions",
            [(A, D), (R, D), (A, A), (D, D), (D, D), (D, D)],
        ),
        api(Method::GET, "/api/v1/standards", all),
        api(Method::GET, "/api/v1/indicators", all),
        api(
            Method::GET,
            "/api/v1/projects/export",
            [(A, A), (A, A), (A, A), (A, A), (A, A), (D, D)],
        ),
        api(Method::GET, "/api/v1/projects/template", project_writers),
        api(
            Method::POST,
            "/api/v1/projects/import",
            [(A, R), (A, R), (A, A), (D, D), (D, D), (D, D)],
        ),
        api(
            Method::GET,
            "/api/v1/projects/cleanup",
            [(D, D), (D, D), (A, A), (D, D), (A, A), (D, D)],
        ),
        api(
            Method::POST,
            "/api/v1/projects/cleanup",
            [(D, D), (D, D), (A, A), (D, D), (D, D), (D, D)],
        ),
        page(Method::GET, "/", all),
        page(Method::GET, "/orgs", all),
        page(Method::GET, "/policy", all),
        page(Method::GET, "/codes", all),
        page(Method::GET, "/account/password", all),
        page(Method::GET, "/account/tokens", all),
        // Another user's API tokens: administrators only (the owner's own is in signin.rs).
        page(Method::GET, "/users/{id}/tokens", admin_only),
        page(Method::POST, "/tokens/{id}/revoke", admin_only),
        page(Method::GET, "/orgs/{id}", org_read),
        page(
            Method::GET,
            "/projects",
            [(A, A), (A, A), (A, A), (A, A), (A, A), (D, D)],
        ),
        page(Method::GET, "/standards", all),
        page(Method::GET, "/indicators", all),
        page(Method::GET, "/projects/import", project_writers),
        page(
            Method::POST,
            "/projects/import",
            [(A, R), (A, R), (A, A), (D, D), (D, D), (D, D)],
        ),
        page(
            Method::GET,
            "/projects/cleanup",
            [(D, D), (D, D), (A, A), (D, D), (A, A), (D, D)],
        ),
        page(
            Method::POST,
            "/projects/cleanup",
            [(D, D), (D, D), (A, A), (D, D), (D, D), (D, D)],
        ),
        page(Method::GET, "/projects/{id}", project_read),
        page(Method::POST, "/projects/{id}", project_write),
        page(Method::POST, "/projects/{id}/attachments", project_write),
        page(
            Method::POST,
            "/projects/{id}/attachments/{attachment}/delete",
            project_write,
        ),
        page(
            Method::POST,
            "/projects/{id}/move",
            [(A, D), (R, D), (A, A), (D, D), (D, D), (D, D)],
        ),
        // New projects from the page belong to the caller's own unit; roles without one are refused.
        page(
            Method::POST,
            "/projects/new",
            [(A, A), (R, R), (R, R), (R, R), (R, R), (R, R)],
        ),
        page(Method::POST, "/orgs/{id}/staffing", org_write),
        page(Method::POST, "/orgs/{id}/own-funds", org_write),
        page(Method::GET, "/allocation", allocation_read),
        page(Method::POST, "/allocation/resources", finance_only),
        page(Method::POST, "/allocation/runs", finance_only),
        page(Method::GET, "/allocation/runs/{id}", allocation_read),
        page(
            Method::POST,
            "/allocation/runs/{id}/{step}",
            finance_refused,
        ),
        page(Method::GET, "/allocation/compare", allocation_read),
        page(Method::GET, "/allocation/statistics", allocation_read),
        page(Method::GET, "/allocation/overlaps", allocation_read),
        page(Method::GET, "/control-figures", budget_read),
        page(Method::GET, "/payments", budget_read),
        page(
            Method::GET,
            "/payments/new",
            [(A, A), (D, D), (A, A), (D, D), (D, D), (D, D)],
        ),
        page(Method::POST, "/payments", payment_write),
        page(Method::POST, "/payments/check", payment_write),
        page(Method::GET, "/payments/{id}", project_read),
        page(Method::POST, "/payments/{id}/decision", finance_only),
        page(Method::GET, "/budget-lines/{id}", project_read),
        page(Method::GET, "/spending-plans", budget_read),
        page(Method::POST, "/spending-plans", payment_write),
        page(Method::POST, "/spending-plans/review", finance_only),
        page(Method::GET, "/adjustments", budget_read),
        page(Method::POST, "/adjustments", payment_write),
        page(Method::POST, "/adjustments/{id}/decision", finance_only),
        page(Method::GET, "/year-end", allocation_read),
        page(Method::POST, "/year-end", finance_only),
        page(Method::GET, "/supervision", allocation_read),
        page(Method::GET, "/supervision/{id}", allocation_read),
        page(Method::GET, "/annual-report", allocation_read),
        page(Method::GET, "/province", allocation_read),
        page(Method::GET, "/performance", budget_read),
        page(Method::GET, "/performance/monitoring", budget_read),
        page(
            Method::POST,
            "/performance/monitoring/import",
            project_write,
        ),
        page(
            Method::POST,
            "/performance/monitoring/{id}/decision",
            finance_only,
        ),
        page(
            Method::GET,
            "/performance/projects/{id}/monitoring",
            project_read,
        ),
        page(
            Method::POST,
            "/performance/projects/{id}/monitoring",
            project_write,
        ),
        page(Method::GET, "/evaluations", budget_read),
        page(Method::GET, "/evaluations/self/{project}", project_read),
        page(Method::POST, "/evaluations/self/{project}", project_write),
        page(Method::GET, "/evaluations/key/{project}", finance_only),
        page(Method::POST, "/evaluations/key/{project}", finance_only),
        page(Method::GET, "/evaluations/{id}", project_read),
        page(Method::GET, "/performance/targets", budget_read),
        page(Method::POST, "/performance/targets", department_write),
        page(
            Method::GET,
            "/evaluations/targets/{id}/self",
            department_read,
        ),
        page(
            Method::POST,
            "/evaluations/targets/{id}/self",
            department_write,
        ),
        page(Method::GET, "/evaluations/targets/{id}/key", finance_only),
        page(Method::POST, "/evaluations/targets/{id}/key", finance_only),
        page(Method::GET, "/performance/results", allocation_read),
        page(Method::POST, "/performance/results", finance_only),
        page(Method::POST, "/performance/results/policies", finance_only),
        page(Method::GET, "/publications", allocation_read),
        page(Method::POST, "/publications", finance_only),
        page(Method::POST, "/publications/{id}/withdraw", finance_only),
        page(Method::GET, "/monitoring/rules", all),
        page(Method::GET, "/monitoring/rules/new", finance_only),
        page(Method::POST, "/monitoring/rules/new", finance_only),
        page(Method::GET, "/monitoring/rules/{code}", all),
        page(Method::POST, "/monitoring/rules/{code}", finance_only),
        page(Method::GET, "/monitoring/hits", allocation_read),
        page(Method::POST, "/monitoring/hits/{id}", finance_only),
        page(Method::GET, "/budget-lines", budget_read),
        page(Method::POST, "/budget-lines", finance_only),
        page(Method::GET, "/lists", all),
        page(Method::GET, "/lists/{list}", all),
        page(Method::POST, "/lists/{list}", finance_only),
        page(Method::GET, "/lists/entries/{id}", all),
        page(Method::POST, "/lists/entries/{id}", finance_only),
        page(Method::GET, "/projects/{id}/review", project_read),
        page(
            Method::POST,
            "/projects/{id}/review",
            [(R, D), (R, D), (R, R), (D, D), (D, D), (D, D)],
        ),
        page(
            Method::POST,
            "/projects/{id}/gates",
            [(D, D), (A, D), (A, A), (D, D), (D, D), (D, D)],
        ),
        page(Method::GET, "/reviews", all),
        page(Method::POST, "/reviews", [(R, R); 6]),
        page(Method::POST, "/orgs", admin_only),
        page(Method::GET, "/jurisdictions", all),
        page(Method::POST, "/jurisdictions", admin_only),
        page(Method::GET, "/admin/users", admin_audit),
        page(Method::POST, "/admin/users", admin_only),
        page(Method::GET, "/admin/users/{id}", admin_audit),
        page(Method::POST, "/admin/users/{id}", admin_only),
        page(Method::POST, "/policy", admin_only),
        page(Method::POST, "/policy/years", admin_only),
        page(Method::POST, "/orgs/{id}/details", admin_only),
        page(Method::POST, "/codes/import", admin_only),
        page(
            Method::GET,
            "/audit",
            [(D, D), (D, D), (D, D), (D, D), (A, A), (D, D)],
        ),
        // Documents people sign: a unit's 预算批复 and a payment's 支付凭证 by whoever may read
        // the unit's lines or the payment; the year's control figures as the caller may read
        // them; the year-end table and the amendment for finance and audit.
        page(Method::GET, "/documents", all),
        page(Method::GET, "/documents/approval", project_read),
        page(Method::GET, "/documents/approval.xlsx", project_read),
        page(Method::GET, "/documents/control-figures", budget_read),
        page(Method::GET, "/documents/control-figures.xlsx", budget_read),
        page(Method::GET, "/documents/year-end", allocation_read),
        page(Method::GET, "/documents/year-end.xlsx", allocation_read),
        page(Method::GET, "/documents/adjustments", allocation_read),
        page(Method::GET, "/documents/payments/{id}", project_read),
        page(Method::GET, "/documents/payments/{id}/xlsx", project_read),
        // --- 资金池 (fund pools, ZX-3b): everyone reads them like the special-fund registry;
        // finance creates, edits and allocates; units apply with their own projects.
        api(Method::GET, "/api/v1/pools", all),
        api(Method::POST, "/api/v1/pools", finance_only),
        api(Method::GET, "/api/v1/pools/{id}", all),
        api(Method::PUT, "/api/v1/pools/{id}", finance_only),
        api(Method::GET, "/api/v1/pools/{id}/xlsx", all),
        api(
            Method::POST,
            "/api/v1/pools/{id}/applications",
            project_write,
        ),
        api(Method::POST, "/api/v1/pools/{id}/allocate", finance_only),
        page(Method::GET, "/pools", all),
        page(Method::POST, "/pools", finance_only),
        page(Method::GET, "/pools/{id}", all),
        page(Method::POST, "/pools/{id}", finance_only),
        page(Method::POST, "/pools/{id}/apply", project_write),
        page(Method::POST, "/pools/{id}/allocate", finance_only),
        // --- end of 资金池
        // --- Transfers between levels (issue 21 point 3): the demo city's finance allocates to a
        // county placed under it (`Ctx::send_transfers`); a fund with no lower is refused.
        api(Method::GET, "/api/v1/transfers", allocation_read),
        api(Method::POST, "/api/v1/transfers", finance_refused),
        api(Method::GET, "/api/v1/transfers/{id}", allocation_read),
        api(Method::POST, "/api/v1/transfers/{id}/approve", finance_only),
        api(Method::GET, "/api/v1/lower-performance", allocation_read),
        api(Method::PUT, "/api/v1/lower-performance/{id}", finance_only),
        api(Method::GET, "/api/v1/transfer-receipts", allocation_read),
        page(Method::GET, "/transfers", allocation_read),
        page(Method::POST, "/transfers", finance_refused),
        page(Method::POST, "/transfers/scores", finance_only),
        page(Method::GET, "/transfers/{id}", allocation_read),
        page(Method::POST, "/transfers/{id}/approve", finance_only),
        // --- end of transfers
    ]
}

/// Routes that act on the caller alone or open a session, and the public disclosure routes
/// anybody may read without signing in (PM-5, tested in `performance.rs`): not a matter of
/// scope.
const SELF_SERVICE: [(&str, &str); 7] = [
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/me/password"),
    ("GET", "/api/v1/public/publications"),
    ("GET", "/api/v1/public/publications/{id}"),
    ("GET", "/api/v1/public/open-data.csv"),
    ("GET", "/api/v1/public/open-data.json"),
];

#[test]
fn every_api_route_is_in_the_matrix() {
    let spec = serde_json::to_value(lingji_web::openapi()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let mut covered: BTreeSet<(String, String)> = cases()
        .into_iter()
        .filter(|c| !c.page)
        .map(|c| (c.method.to_string(), c.path.to_string()))
        .collect();
    covered.extend(
        SELF_SERVICE
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string())),
    );
    assert_eq!(
        documented, covered,
        "every API route needs a row in the scope matrix"
    );
}

struct Ctx<'a> {
    t: &'a TestApp,
    admin: &'a Session,
    finance: &'a Session,
    serial: std::cell::Cell<u32>,
    /// Fiscal years to open, one per attempt, all unused and within range.
    years: std::cell::Cell<u32>,
}

impl Ctx<'_> {
    fn next_year(&self) -> u32 {
        self.years.set(self.years.get() + 1);
        2030 + self.years.get()
    }

    fn next(&self) -> u32 {
        self.serial.set(self.serial.get() + 1);
        self.serial.get()
    }

    async fn org(&self, code: &str) -> Value {
        let id = self.t.org_id(code).await;
        self.t
            .get(&format!("/api/v1/orgs/{id}"), Some(self.admin))
            .await
            .json()
    }

    /// A user bound to `org_code`, created for the purpose.
    async fn user_in(&self, org_code: &str) -> Value {
        let name = format!("scope{}", self.next());
        let r = self
            .t
            .call(Method::POST, "/api/v1/users", Some(self.admin), Some(json!({"username": name, "role": "unit_operator", "org": org_code, "password": "lingji-test-1"})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json()
    }

    /// A reserve project of the unit `org_code`, created by finance for the purpose.
    async fn project_in(&self, org_code: &str) -> Value {
        let unit = self.t.org_id(org_code).await;
        let r = self
            .t
            .call(Method::POST, "/api/v1/projects", Some(self.finance), Some(json!({"unit_id": unit, "name": format!("矩阵项目{}", self.next()), "kind": "other_operating"})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json()
    }

    /// A payment request of finance on a fresh line of `org_code`; a payment to a person
    /// (held by a warning) when `warned`.
    async fn payment_in(&self, org_code: &str, warned: bool) -> Value {
        let line = crate::common::lines::line(self.t, org_code, "302", 1_000_000, None).await;
        let r = self
            .t
            .call(
                Method::POST,
                "/api/v1/payments",
                Some(self.finance),
                Some(payment_body(
                    line,
                    &format!("matrix-{:04}", self.next()),
                    warned,
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json()
    }

    /// A transfer finance asked for between two fresh lines of `org_code`, waiting for approval.
    async fn adjustment_in(&self, org_code: &str) -> Value {
        let from = crate::common::lines::line(self.t, org_code, "302", 1_000_000, None).await;
        let to = crate::common::lines::line(self.t, org_code, "31002", 1_000, None).await;
        let body = json!({"kind": "transfer", "from_line_id": from, "to_line_id": to, "amount": "100", "reason": "矩阵调剂"});
        let r = self
            .t
            .call(
                Method::POST,
                "/api/v1/adjustments",
                Some(self.finance),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json()
    }

    /// A June plan of finance on a fresh line of `org_code`, waiting for the month's review.
    async fn plan_in(&self, org_code: &str) {
        let line = crate::common::lines::line(self.t, org_code, "302", 1_000_000, None).await;
        let body = json!({"line_id": line, "month": 6, "amount": "100", "purpose": "矩阵计划"});
        let r = self
            .t
            .call(
                Method::POST,
                "/api/v1/spending-plans",
                Some(self.finance),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }

    /// An allocation run of 2026, made by finance for the purpose.
    async fn run(&self) -> Value {
        let r = self
            .t
            .call(
                Method::POST,
                "/api/v1/allocation/runs",
                Some(self.finance),
                Some(json!({"year": 2026})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json()
    }

    /// An entry on the events list, added by finance for the purpose.
    async fn list_entry(&self) -> Value {
        let body = json!({"code": format!("E{}", self.next()), "name": "矩阵条目", "year": 2026});
        let r = self
            .t
            .call(
                Method::POST,
                "/api/v1/lists/events",
                Some(self.finance),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json()
    }

    /// An attachment on a new reserve project of `org_code`, uploaded by finance: its href.
    async fn attachment_in(&self, org_code: &str) -> String {
        let p = self.project_in(org_code).await;
        let r = self
            .t
            .upload(
                &format!("/api/v1/projects/{}/attachments", p["id"]),
                self.finance,
                &[],
                "a.txt",
                b"note",
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json()["href"].as_str().unwrap().to_string()
    }

    /// A project of `org_code` with two indicators, funded with a line of 100,000.00 元.
    async fn funded_in(&self, org_code: &str) -> i64 {
        let unit = self.t.org_id(org_code).await;
        let body = json!({"unit_id": unit, "name": format!("矩阵绩效项目{}", self.next()), "kind": "specific_purpose",
        "indicators": [
            {"category": "quantity", "name": "培训人次", "comparator": "ge", "target_value": "100", "unit": "人次"},
            {"category": "satisfaction", "name": "满意度", "comparator": "ge", "target_value": "90", "unit": "%"}
        ]});
        let r = self
            .t
            .call(
                Method::POST,
                "/api/v1/projects",
                Some(self.finance),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let p = r.json();
        let id = p["id"].as_i64().unwrap();
        let mut tx = self.t.app.store.begin().await.unwrap();
        lingji_app::store::library::projects::set_state(
            &mut tx,
            id,
            lingji_domain::library::ProjectState::Funded,
            p["version"].as_i64().unwrap(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        crate::common::lines::line(self.t, org_code, "30215", 100_000, Some(id)).await;
        id
    }

    fn checkpoint_body(project: i64) -> Value {
        json!({"project_id": project, "month": 6, "indicators": [
            {"actual": "60", "progress": "60", "likelihood": "certain"},
            {"actual": "92", "progress": "100", "likelihood": "certain"}
        ]})
    }

    fn self_evaluation_body(project: i64) -> Value {
        json!({"project_id": project, "actuals": [{"actual": "120"}, {"actual": "95"}],
            "execution_reason": "尚未支付", "execution_remedy": "加快支付"})
    }

    /// A June checkpoint of a funded project of `org_code`, recorded by finance: its id.
    async fn checkpoint_in(&self, org_code: &str) -> Value {
        let project = self.funded_in(org_code).await;
        let r = self
            .t
            .call(
                Method::POST,
                "/api/v1/performance/checkpoints",
                Some(self.finance),
                Some(Self::checkpoint_body(project)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json()["id"].clone()
    }

    /// A self-evaluation of a funded project of `org_code`, recorded by finance: the project
    /// and the evaluation's id.
    async fn evaluation_in(&self, org_code: &str) -> (i64, Value) {
        let project = self.funded_in(org_code).await;
        let r = self
            .t
            .call(
                Method::POST,
                "/api/v1/evaluations/self",
                Some(self.finance),
                Some(Self::self_evaluation_body(project)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        (project, r.json()["id"].clone())
    }

    /// The monitoring workbook with the checkpoint of `project` (its code).
    fn checkpoint_workbook(code: &str) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let rows = [
            [
                "项目编码",
                "监控月份",
                "指标名称",
                "实际完成",
                "完成进度(%)",
                "完成可能性",
                "原因及措施",
            ],
            [code, "6", "培训人次", "60", "60", "确定能", ""],
            [code, "6", "满意度", "92", "100", "确定能", ""],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet
                    .write_string(u32::try_from(r).unwrap(), u16::try_from(c).unwrap(), *v)
                    .unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    }

    async fn project_code(&self, id: i64) -> String {
        self.t
            .get(&format!("/api/v1/projects/{id}"), Some(self.finance))
            .await
            .json()["code"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The 2026 department targets of every organisation's department in the matrix, each
    /// with a line so they have a budget — made before the cases, so a case's own writes are
    /// all its refused request could have written.
    async fn prepare_targets(&self) {
        for org in OWN.iter().chain(OTHER.iter()) {
            if self.target_in(org).await.is_null() {
                let body = self.target_body(org).await;
                let r = self
                    .t
                    .call(
                        Method::POST,
                        "/api/v1/performance/targets?year=2026",
                        Some(self.finance),
                        Some(body),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text);
                crate::common::lines::line(self.t, org, "30215", 100_000, None).await;
            }
        }
    }

    /// The 2026 department targets of the department of `org_code` (null when none yet).
    async fn target_in(&self, org_code: &str) -> Value {
        let department = self.org(org_code).await["department_id"].clone();
        let list = self
            .t
            .get("/api/v1/performance/targets?year=2026", Some(self.finance))
            .await
            .json();
        list.as_array()
            .unwrap()
            .iter()
            .find(|t| t["department_id"] == department && t["subject"] == "department")
            .map(|t| t["id"].clone())
            .unwrap_or(Value::Null)
    }

    /// An update of those targets at their current version.
    async fn target_update(&self, org_code: &str) -> Value {
        let id = self.target_in(org_code).await;
        let version = self
            .t
            .get(
                &format!("/api/v1/performance/targets/{id}"),
                Some(self.finance),
            )
            .await
            .json()["version"]
            .clone();
        let mut body = self.target_body(org_code).await;
        body["expected_version"] = version;
        body
    }

    async fn target_body(&self, org_code: &str) -> Value {
        let org = self.org(org_code).await;
        json!({"subject": "department", "department_id": org["department_id"], "name": "矩阵部门整体目标", "budget": "100000",
            "overall_goal": "矩阵总体目标",
            "indicators": [{"category": "quantity", "name": "培训人次", "comparator": "ge", "target_value": "100", "unit": "人次"}]})
    }

    /// A special fund led by the department of `org_code`, its policy targets carried out by a
    /// funded project there, self-evaluated by finance: the targets' id.
    async fn policy_in(&self, org_code: &str) -> Value {
        let code = format!("MX{}", self.next());
        let department = self.org(org_code).await["department_id"].clone();
        let fund = json!({"code": code, "name": "矩阵专项资金", "lead_department_id": department, "start_year": 2026,
            "period_years": 3, "tasks": ["矩阵任务"]});
        let r = self
            .t
            .call(
                Method::POST,
                "/api/v1/lists/special_funds",
                Some(self.finance),
                Some(fund),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let project = self.funded_in(org_code).await;
        let mut body = self.target_body(org_code).await;
        body["subject"] = json!("policy");
        body["policy_code"] = json!(code);
        body["projects"] = json!([self.project_code(project).await]);
        let r = self
            .t
            .call(
                Method::POST,
                "/api/v1/performance/targets?year=2026",
                Some(self.finance),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let target = r.json()["id"].clone();
        let body = json!({"target_id": target, "actuals": [{"actual": "120"}], "execution_reason": "尚未支付", "execution_remedy": "加快支付"});
        let r = self
            .t
            .call(
                Method::POST,
                "/api/v1/evaluations/self",
                Some(self.finance),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        target
    }

    /// Sends a performance case (PM-9–PM-13); None when the case is another's.
    async fn send_performance(
        &self,
        case: &Case,
        who: &Session,
        org_code: &str,
    ) -> Option<crate::common::Reply> {
        let t = self.t;
        let csrf = |path: &str| format!("{path}?_csrf={}", who.csrf);
        Some(match (case.method.clone(), case.path) {
            (Method::POST, "/api/v1/performance/targets") => {
                let body = self.target_update(org_code).await;
                t.call(
                    Method::POST,
                    "/api/v1/performance/targets?year=2026",
                    Some(who),
                    Some(body),
                )
                .await
            }
            (Method::POST, "/performance/targets") => {
                let body = self.target_update(org_code).await;
                let text = |k: &str| {
                    body[k]
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| body[k].to_string())
                };
                let (department, version) = (text("department_id"), text("expected_version"));
                t.form(
                    case.path,
                    who,
                    &[
                        ("year", "2026"),
                        ("department_id", &department),
                        ("expected_version", &version),
                        ("subject", "department"),
                        ("name", "矩阵部门整体目标"),
                        ("budget", "100000"),
                        ("overall_goal", "矩阵总体目标"),
                        ("indicators[0].category", "quantity"),
                        ("indicators[0].name", "培训人次"),
                        ("indicators[0].comparator", "ge"),
                        ("indicators[0].target_value", "100"),
                        ("indicators[0].unit", "人次"),
                    ],
                    None,
                )
                .await
            }
            (
                Method::GET,
                "/api/v1/performance/targets/{id}"
                | "/evaluations/targets/{id}/self"
                | "/evaluations/targets/{id}/key",
            ) => {
                let target = self.target_in(org_code).await;
                t.get(&case.path.replace("{id}", &target.to_string()), Some(who))
                    .await
            }
            (Method::POST, "/evaluations/targets/{id}/self") => {
                let target = self.target_in(org_code).await;
                t.form(
                    &case.path.replace("{id}", &target.to_string()),
                    who,
                    &[
                        ("actuals[0].actual", "120"),
                        ("execution_reason", "尚未支付"),
                        ("execution_remedy", "加快支付"),
                    ],
                    None,
                )
                .await
            }
            (Method::POST, "/evaluations/targets/{id}/key") => {
                let target = self.target_in(org_code).await;
                let mut fields: Vec<(String, String)> =
                    vec![("findings".into(), "矩阵结论".into())];
                for (i, (d, w)) in [
                    ("decision", "20"),
                    ("process", "20"),
                    ("output", "30"),
                    ("benefit", "30"),
                ]
                .iter()
                .enumerate()
                {
                    fields.push((format!("items[{i}].dimension"), d.to_string()));
                    fields.push((format!("items[{i}].name"), format!("{d}指标")));
                    fields.push((format!("items[{i}].weight"), w.to_string()));
                    fields.push((format!("items[{i}].score"), w.to_string()));
                }
                let refs: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                t.form(
                    &case.path.replace("{id}", &target.to_string()),
                    who,
                    &refs,
                    None,
                )
                .await
            }
            (
                Method::POST,
                "/api/v1/performance/results/policies" | "/performance/results/policies",
            ) => {
                let target = self.policy_in(org_code).await;
                if case.page {
                    t.form(
                        case.path,
                        who,
                        &[
                            ("year", "2026"),
                            ("target_id", &target.to_string()),
                            ("reason", "矩阵取消"),
                        ],
                        None,
                    )
                    .await
                } else {
                    let body = json!({"target_id": target, "reason": "矩阵取消"});
                    t.call(
                        Method::POST,
                        "/api/v1/performance/results/policies?year=2026",
                        Some(who),
                        Some(body),
                    )
                    .await
                }
            }
            (Method::POST, "/api/v1/performance/checkpoints") => {
                let p = self.funded_in(org_code).await;
                t.call(
                    Method::POST,
                    case.path,
                    Some(who),
                    Some(Self::checkpoint_body(p)),
                )
                .await
            }
            (
                Method::POST,
                "/api/v1/performance/checkpoints/import" | "/performance/monitoring/import",
            ) => {
                let p = self.funded_in(org_code).await;
                let book = Self::checkpoint_workbook(&self.project_code(p).await);
                if case.page {
                    t.upload(&csrf(case.path), who, &[], "m.xlsx", &book).await
                } else {
                    t.raw(
                        case.path,
                        who,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        book,
                    )
                    .await
                }
            }
            (
                Method::GET,
                "/api/v1/performance/projects/{id}/checkpoints"
                | "/performance/projects/{id}/monitoring",
            ) => {
                let p = self.funded_in(org_code).await;
                t.get(&case.path.replace("{id}", &p.to_string()), Some(who))
                    .await
            }
            (Method::POST, "/performance/projects/{id}/monitoring") => {
                let p = self.funded_in(org_code).await;
                t.form(
                    &case.path.replace("{id}", &p.to_string()),
                    who,
                    &[
                        ("month", "6"),
                        ("indicators[0].progress", "60"),
                        ("indicators[0].likelihood", "certain"),
                        ("indicators[1].progress", "100"),
                        ("indicators[1].likelihood", "certain"),
                    ],
                    None,
                )
                .await
            }
            (Method::POST, "/api/v1/performance/checkpoints/{id}/decision") => {
                let c = self.checkpoint_in(org_code).await;
                t.call(
                    Method::POST,
                    &case.path.replace("{id}", &c.to_string()),
                    Some(who),
                    Some(json!({"decision": "correct", "reason": "矩阵整改"})),
                )
                .await
            }
            (Method::POST, "/performance/monitoring/{id}/decision") => {
                let c = self.checkpoint_in(org_code).await;
                t.form(
                    &case.path.replace("{id}", &c.to_string()),
                    who,
                    &[("decision", "correct"), ("reason", "矩阵整改")],
                    None,
                )
                .await
            }
            (
                Method::GET,
                "/api/v1/evaluations/{id}"
                | "/api/v1/evaluations/{id}/table.xlsx"
                | "/evaluations/{id}",
            ) => {
                let (_, e) = self.evaluation_in(org_code).await;
                t.get(&case.path.replace("{id}", &e.to_string()), Some(who))
                    .await
            }
            (Method::POST, "/api/v1/evaluations/self") => {
                let p = self.funded_in(org_code).await;
                t.call(
                    Method::POST,
                    case.path,
                    Some(who),
                    Some(Self::self_evaluation_body(p)),
                )
                .await
            }
            (Method::GET, "/evaluations/self/{project}" | "/evaluations/key/{project}") => {
                let p = self.funded_in(org_code).await;
                t.get(&case.path.replace("{project}", &p.to_string()), Some(who))
                    .await
            }
            (Method::POST, "/evaluations/self/{project}") => {
                let p = self.funded_in(org_code).await;
                t.form(
                    &case.path.replace("{project}", &p.to_string()),
                    who,
                    &[
                        ("actuals[0].actual", "120"),
                        ("actuals[1].actual", "95"),
                        ("execution_reason", "尚未支付"),
                        ("execution_remedy", "加快支付"),
                    ],
                    None,
                )
                .await
            }
            (Method::POST, "/api/v1/evaluations/key" | "/evaluations/key/{project}") => {
                let p = self.funded_in(org_code).await;
                let items = [
                    ("decision", "20"),
                    ("process", "20"),
                    ("output", "30"),
                    ("benefit", "30"),
                ];
                if case.page {
                    let mut fields: Vec<(String, String)> =
                        vec![("findings".into(), "矩阵结论".into())];
                    for (i, (d, w)) in items.iter().enumerate() {
                        fields.push((format!("items[{i}].dimension"), d.to_string()));
                        fields.push((format!("items[{i}].name"), format!("{d}指标")));
                        fields.push((format!("items[{i}].weight"), w.to_string()));
                        fields.push((format!("items[{i}].score"), w.to_string()));
                    }
                    let refs: Vec<(&str, &str)> = fields
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    t.form(
                        &case.path.replace("{project}", &p.to_string()),
                        who,
                        &refs,
                        None,
                    )
                    .await
                } else {
                    let items: Vec<Value> = items.iter().map(|(d, w)| json!({"dimension": d, "name": format!("{d}指标"), "weight": w, "score": w})).collect();
                    t.call(
                        Method::POST,
                        case.path,
                        Some(who),
                        Some(json!({"project_id": p, "items": items, "findings": "矩阵结论"})),
                    )
                    .await
                }
            }
            (Method::POST, "/api/v1/performance/results" | "/performance/results") => {
                let (p, _) = self.evaluation_in(org_code).await;
                if case.page {
                    t.form(case.path, who, &[("project_id", &p.to_string())], None)
                        .await
                } else {
                    t.call(
                        Method::POST,
                        "/api/v1/performance/results?year=2026",
                        Some(who),
                        Some(json!({"project_id": p})),
                    )
                    .await
                }
            }
            (Method::POST, "/api/v1/publications" | "/publications") => {
                let p = self.funded_in(org_code).await.to_string();
                if case.page {
                    t.form(
                        case.path,
                        who,
                        &[("kind", "project_targets"), ("source", &p)],
                        None,
                    )
                    .await
                } else {
                    t.call(
                        Method::POST,
                        case.path,
                        Some(who),
                        Some(json!({"kind": "project_targets", "source": p})),
                    )
                    .await
                }
            }
            (
                Method::POST,
                "/api/v1/publications/{id}/withdraw" | "/publications/{id}/withdraw",
            ) => {
                let p = self.funded_in(org_code).await.to_string();
                let r = t
                    .call(
                        Method::POST,
                        "/api/v1/publications",
                        Some(self.finance),
                        Some(json!({"kind": "project_targets", "source": p})),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
                let path = case.path.replace("{id}", &r.json()["id"].to_string());
                if case.page {
                    t.form(&path, who, &[], None).await
                } else {
                    t.call(Method::POST, &path, Some(who), None).await
                }
            }
            _ => return None,
        })
    }

    // --- Transfers between levels (issue 21 point 3).

    /// A county (示范县, 329901) under the demo city with its 2026 score, and draft funds of the
    /// city for it, made once through the use cases (the first request of the block is a read,
    /// so no refused write counts these events); answers the county and the drafts, newest first.
    async fn transfer_world(&self) -> (i64, Vec<i64>) {
        use lingji_app::Scope;
        let app = &self.t.app;
        let city = self.t.org_id("329900").await;
        let existing = {
            let mut conn = app.store.read().acquire().await.unwrap();
            lingji_app::store::foundation::levels::all(&mut conn)
                .await
                .unwrap()
                .into_iter()
                .find(|j| j.code == "329901")
                .map(|j| j.id)
        };
        let county = match existing {
            Some(id) => id,
            None => {
                let system = lingji_app::Caller::System;
                let j = app
                    .foundation()
                    .create_jurisdiction(&system, "329901", "示范县", &[], Some("329900"))
                    .await
                    .unwrap();
                app.foundation()
                    .start_year(
                        &Scope::system(j.id),
                        lingji_domain::foundation::codes::FiscalYear::new(2026).unwrap(),
                        lingji_app::foundation::profiles::YearSource::FromUpper(city),
                        true,
                    )
                    .await
                    .unwrap();
                j.id
            }
        };
        // Drafts to read and approve: made once, whoever made the county (the province's
        // setup of the upper reach matrix makes 329901 itself).
        let none_yet = app
            .allocation()
            .transfers(&Scope::system(city), 2026)
            .await
            .unwrap()
            .is_empty();
        if none_yet {
            app.allocation()
                .record_lower_score(&Scope::system(city), 2026, county, "90")
                .await
                .unwrap();
            let input: lingji_app::allocation::transfers::TransferInput =
                serde_json::from_value(crate::transfers::fund(&[(county, "10", "20")])).unwrap();
            for _ in 0..6 {
                app.allocation()
                    .create_transfer(&Scope::system(city), &input)
                    .await
                    .unwrap();
            }
        }
        let drafts = app
            .allocation()
            .transfers(&Scope::system(city), 2026)
            .await
            .unwrap()
            .into_iter()
            .filter(|f| f.status == "draft")
            .map(|f| f.id)
            .collect();
        (county, drafts)
    }

    async fn send_transfers(&self, case: &Case, who: &Session) -> Option<crate::common::Reply> {
        let t = self.t;
        if !(case.path.contains("/transfer") || case.path.contains("lower-performance")) {
            return None;
        }
        let (county, drafts) = self.transfer_world().await;
        let fund = drafts.first().copied().unwrap_or(0);
        Some(match (case.method.clone(), case.path) {
            (Method::POST, "/api/v1/transfers") => {
                t.call(
                    Method::POST,
                    case.path,
                    Some(who),
                    Some(crate::transfers::fund(&[])),
                )
                .await
            }
            (Method::GET, "/api/v1/transfers/{id}") => {
                t.get(&format!("/api/v1/transfers/{fund}"), Some(who)).await
            }
            (Method::POST, "/api/v1/transfers/{id}/approve") => {
                t.call(
                    Method::POST,
                    &format!("/api/v1/transfers/{fund}/approve"),
                    Some(who),
                    None,
                )
                .await
            }
            (Method::PUT, "/api/v1/lower-performance/{id}") => {
                t.call(
                    Method::PUT,
                    &format!("/api/v1/lower-performance/{county}"),
                    Some(who),
                    Some(json!({"year": 2026, "score": "88.5"})),
                )
                .await
            }
            (Method::POST, "/transfers") => {
                t.form(
                    case.path,
                    who,
                    &[("year", "2026"), ("name", ""), ("total", "")],
                    None,
                )
                .await
            }
            (Method::POST, "/transfers/scores") => {
                let county = county.to_string();
                t.form(
                    case.path,
                    who,
                    &[("year", "2026"), ("lower_id", &county), ("score", "87")],
                    None,
                )
                .await
            }
            (Method::GET, "/transfers/{id}") => {
                t.get(&format!("/transfers/{fund}"), Some(who)).await
            }
            (Method::POST, "/transfers/{id}/approve") => {
                t.form(&format!("/transfers/{fund}/approve"), who, &[], None)
                    .await
            }
            (Method::GET, path) => t.get(&format!("{path}?year=2026"), Some(who)).await,
            (m, p) => panic!("no request for {m} {p}"),
        })
    }

    // --- end of transfers

    /// Audit events the setup of a performance case writes (the project, and the checkpoint,
    /// evaluation or publication acted on); None when the case is another's.
    fn performance_setup_events(case: &Case) -> Option<i64> {
        let p = case.path;
        let perf =
            p.contains("/performance") || p.contains("/evaluations") || p.contains("/publications");
        if !perf {
            return None;
        }
        let events = if p.ends_with("/performance/targets") || p.contains("/evaluations/targets/") {
            0
        } else if p.ends_with("/results/policies") {
            // The fund, its project, its targets and their self-evaluation.
            4
        } else if p.contains("decision") || p.contains("results") || p.contains("withdraw") {
            2
        } else {
            1
        };
        Some(events)
    }

    async fn policy_version(&self) -> i64 {
        self.t
            .get("/api/v1/policy/2026", Some(self.admin))
            .await
            .json()["version"]
            .as_i64()
            .unwrap()
    }

    /// Sends the case for `who` against organisation `org_code`, with a body that would succeed
    /// if allowed.
    async fn send(&self, case: &Case, who: &Session, org_code: &str) -> crate::common::Reply {
        let t = self.t;
        let n = self.next();
        let org = self.org(org_code).await;
        let org_id = org["id"].as_i64().unwrap();
        let staffing = json!({"authorized_posts": 20 + n, "actual_staff": 18, "retired_staff": 1, "contract_staff": 0, "contract_quota": 2, "version": org["version"]});
        let csv = format!(
            "科目编码,科目名称\n201,一般公共服务支出\n20101,人大事务\n2010101,行政运行{n}\n"
        );
        if let Some(reply) = self.send_performance(case, who, org_code).await {
            return reply;
        }
        if let Some(reply) = self.send_pools(case, who, org_code).await {
            return reply;
        }
        if let Some(reply) = self.send_transfers(case, who).await {
            return reply;
        }
        match (case.method.clone(), case.path) {
            (Method::GET, "/api/v1/orgs/{id}") => {
                t.get(&format!("/api/v1/orgs/{org_id}"), Some(who)).await
            }
            (Method::GET, "/api/v1/orgs/{id}/basic-expenditure") => {
                t.get(&format!("/api/v1/orgs/{org_id}/basic-expenditure?year=2026"), Some(who)).await
            }
            (Method::GET, "/api/v1/projects/cleanup") => t.get("/api/v1/projects/cleanup?year=2026", Some(who)).await,
            (Method::POST, "/api/v1/projects/cleanup") => {
                t.call(Method::POST, "/api/v1/projects/cleanup", Some(who), Some(json!({"year": 2026, "ids": []}))).await
            }
            (Method::POST, "/projects/cleanup") => t.form("/projects/cleanup", who, &[("note", "")], None).await,
            (Method::PUT, "/api/v1/orgs/{id}") => {
                let body = json!({"name": format!("{}（更名{n}）", org["name"].as_str().unwrap()), "unit_kind": org["unit_kind"], "version": org["version"]});
                t.call(
                    Method::PUT,
                    &format!("/api/v1/orgs/{org_id}"),
                    Some(who),
                    Some(body),
                )
                .await
            }
            (Method::POST, "/api/v1/years") => {
                t.call(
                    Method::POST,
                    "/api/v1/years",
                    Some(who),
                    Some(json!({"year": self.next_year(), "preset": "zixing"})),
                )
                .await
            }
            (Method::PUT, "/api/v1/orgs/{id}/staffing") => {
                t.call(
                    Method::PUT,
                    &format!("/api/v1/orgs/{org_id}/staffing"),
                    Some(who),
                    Some(staffing),
                )
                .await
            }
            (Method::POST, "/api/v1/orgs") => {
                let dept = self.org(&org_code[..3]).await["id"].as_i64().unwrap();
                let body = json!({"kind": "unit", "parent_id": dept, "code": format!("{}{:03}", &org_code[..3], 100 + n % 900), "name": format!("新单位{n}"), "unit_kind": "public_welfare_1"});
                t.call(Method::POST, "/api/v1/orgs", Some(who), Some(body))
                    .await
            }
            (Method::POST, "/api/v1/jurisdictions") => {
                // Counties of the demo city, 329910–329949, one per request.
                let body = json!({"region_code": format!("3299{}", 10 + n % 40), "name": format!("矩阵县{n}"), "admin_username": format!("jadmin{n}"), "admin_password": "lingji-test-1"});
                t.call(Method::POST, "/api/v1/jurisdictions", Some(who), Some(body))
                    .await
            }
            (Method::POST, "/api/v1/users") => {
                let body = json!({"username": format!("new{n}"), "role": "unit_operator", "org": org_code, "password": "lingji-test-1"});
                t.call(Method::POST, "/api/v1/users", Some(who), Some(body))
                    .await
            }
            (Method::GET, "/api/v1/users/{id}") => {
                let u = self.user_in(org_code).await;
                t.get(&format!("/api/v1/users/{}", u["id"]), Some(who))
                    .await
            }
            (Method::PUT, "/api/v1/users/{id}") => {
                let u = self.user_in(org_code).await;
                let body = json!({"display_name": format!("改名{n}"), "role": "unit_operator", "org": org_code, "active": true, "version": u["version"]});
                t.call(
                    Method::PUT,
                    &format!("/api/v1/users/{}", u["id"]),
                    Some(who),
                    Some(body),
                )
                .await
            }
            (Method::POST, "/api/v1/users/{id}/password") => {
                let u = self.user_in(org_code).await;
                t.call(
                    Method::POST,
                    &format!("/api/v1/users/{}/password", u["id"]),
                    Some(who),
                    Some(json!({"password": format!("reset-pass-{n}")})),
                )
                .await
            }
            (Method::PUT, "/api/v1/policy/{year}") => {
                let body = json!({"based_on": self.policy_version().await, "note": "矩阵测试", "changes": {"review.focused_if_findings_at_least": (n % 50 + 3).to_string()}});
                t.call(Method::PUT, "/api/v1/policy/2026", Some(who), Some(body))
                    .await
            }
            (Method::GET, "/api/v1/projects/template") => {
                t.get("/api/v1/projects/template?year=2026", Some(who)).await
            }
            (Method::POST, "/api/v1/projects/import") => {
                let book = one_project_workbook(org_code, n);
                t.upload("/api/v1/projects/import", who, &[("year", "2026")], "p.xlsx", &book)
                    .await
            }
            (Method::POST, "/projects/import") => {
                let book = one_project_workbook(org_code, n);
                let path = format!("/projects/import?_csrf={}", who.csrf);
                t.upload(&path, who, &[("year", "2026")], "p.xlsx", &book).await
            }
            (Method::POST, "/api/v1/codes/import") => {
                t.upload(
                    "/api/v1/codes/import",
                    who,
                    &[("kind", "function"), ("year", "2030")],
                    "t.csv",
                    csv.as_bytes(),
                )
                .await
            }
            (Method::GET, "/orgs/{id}") => t.get(&format!("/orgs/{org_id}"), Some(who)).await,
            (Method::POST, "/orgs/{id}/staffing") => {
                let fields = [
                    ("authorized_posts", (20 + n).to_string()),
                    ("actual_staff", "18".into()),
                    ("retired_staff", "1".into()),
                    ("contract_staff", "0".into()),
                    ("contract_quota", "2".into()),
                    ("version", org["version"].to_string()),
                ];
                let fields: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                t.form(&format!("/orgs/{org_id}/staffing"), who, &fields, None)
                    .await
            }
            (Method::POST, "/jurisdictions") => {
                // Counties of the demo city, 329950–329989, one per request.
                let region = format!("3299{}", 50 + n % 40);
                let (name, admin) = (format!("页面矩阵县{n}"), format!("pjadmin{n}"));
                t.form(
                    "/jurisdictions",
                    who,
                    &[
                        ("region_code", &region),
                        ("name", &name),
                        ("admin_username", &admin),
                        ("admin_password", "lingji-test-1"),
                    ],
                    None,
                )
                .await
            }
            (Method::POST, "/orgs") => {
                let dept = self.org(&org_code[..3]).await["id"].to_string();
                let code = format!("{}{:03}", &org_code[..3], 100 + n % 900);
                let name = format!("页面新单位{n}");
                t.form(
                    "/orgs",
                    who,
                    &[
                        ("kind", "unit"),
                        ("parent_id", &dept),
                        ("code", &code),
                        ("name", &name),
                        ("unit_kind", "public_welfare_1"),
                    ],
                    None,
                )
                .await
            }
            (Method::POST, "/admin/users") => {
                let name = format!("pnew{n}");
                t.form(
                    "/admin/users",
                    who,
                    &[
                        ("username", &name),
                        ("display_name", "页面用户"),
                        ("role", "unit_operator"),
                        ("org", &org_id.to_string()),
                        ("password", "lingji-test-1"),
                    ],
                    None,
                )
                .await
            }
            (Method::GET, "/users/{id}/tokens") => {
                let u = self.user_in(org_code).await;
                t.get(&format!("/users/{}/tokens", u["id"]), Some(who)).await
            }
            (Method::POST, "/tokens/{id}/revoke") => {
                let u = self.user_in(org_code).await;
                let token = t.app.accounts().issue_token(u["username"].as_str().unwrap(), "矩阵", None).await.unwrap();
                t.form(&format!("/tokens/{}/revoke", token.id), who, &[], None).await
            }
            (Method::GET, "/admin/users/{id}") => {
                let u = self.user_in(org_code).await;
                t.get(&format!("/admin/users/{}", u["id"]), Some(who)).await
            }
            (Method::POST, "/admin/users/{id}") => {
                let u = self.user_in(org_code).await;
                let name = format!("页面改名{n}");
                t.form(
                    &format!("/admin/users/{}", u["id"]),
                    who,
                    &[
                        ("display_name", &name),
                        ("role", "unit_operator"),
                        ("org", &org_id.to_string()),
                        ("active", "on"),
                        ("version", &u["version"].to_string()),
                    ],
                    None,
                )
                .await
            }
            (Method::POST, "/policy") => {
                let v = self.policy_version().await.to_string();
                let value = (n % 50 + 3).to_string();
                t.form(
                    "/policy",
                    who,
                    &[
                        ("year", "2026"),
                        ("based_on", &v),
                        ("note", "页面矩阵测试"),
                        ("p.review.focused_if_findings_at_least", &value),
                    ],
                    None,
                )
                .await
            }
            (Method::POST, "/policy/years") => {
                let year = self.next_year().to_string();
                t.form(
                    "/policy/years",
                    who,
                    &[("year", &year), ("source", "copy:2026")],
                    None,
                )
                .await
            }
            (Method::POST, "/orgs/{id}/details") => {
                let name = format!("{}（页面更名{n}）", org["name"].as_str().unwrap());
                let kind = org["unit_kind"].as_str().unwrap_or("").to_string();
                t.form(
                    &format!("/orgs/{org_id}/details"),
                    who,
                    &[
                        ("name", &name),
                        ("unit_kind", &kind),
                        ("version", &org["version"].to_string()),
                    ],
                    None,
                )
                .await
            }
            (Method::POST, "/codes/import") => {
                let path = format!("/codes/import?_csrf={}", who.csrf);
                t.upload(
                    &path,
                    who,
                    &[("kind", "function"), ("year", "2030")],
                    "t.csv",
                    csv.as_bytes(),
                )
                .await
            }
            (Method::POST, "/api/v1/projects") => {
                t.call(Method::POST, "/api/v1/projects", Some(who), Some(json!({"unit_id": org_id, "name": format!("新项目{n}"), "kind": "other_operating"}))).await
            }
            (Method::GET, "/api/v1/projects/{id}") => {
                let p = self.project_in(org_code).await;
                t.get(&format!("/api/v1/projects/{}", p["id"]), Some(who)).await
            }
            (Method::GET, "/api/v1/projects/{id}/copy") => {
                let p = self.project_in(org_code).await;
                t.get(&format!("/api/v1/projects/{}/copy", p["id"]), Some(who)).await
            }
            (Method::GET, "/api/v1/projects/{id}/check") => {
                let p = self.project_in(org_code).await;
                t.get(&format!("/api/v1/projects/{}/check", p["id"]), Some(who)).await
            }
            (Method::PUT, "/api/v1/projects/{id}") => {
                let p = self.project_in(org_code).await;
                let body = json!({"version": p["version"], "name": format!("改名{n}"), "kind": "other_operating"});
                t.call(Method::PUT, &format!("/api/v1/projects/{}", p["id"]), Some(who), Some(body)).await
            }
            (Method::POST, "/api/v1/projects/{id}/transitions") => {
                let p = self.project_in(org_code).await;
                let body = json!({"to": "retired", "note": "不再需要", "version": p["version"]});
                t.call(Method::POST, &format!("/api/v1/projects/{}/transitions", p["id"]), Some(who), Some(body)).await
            }
            (Method::GET, "/projects/{id}") => {
                let p = self.project_in(org_code).await;
                t.get(&format!("/projects/{}", p["id"]), Some(who)).await
            }
            (Method::POST, "/projects/{id}") => {
                let p = self.project_in(org_code).await;
                let name = format!("页面改名{n}");
                t.form(&format!("/projects/{}", p["id"]), who, &[("name", &name), ("kind", "other_operating"), ("version", &p["version"].to_string())], None).await
            }
            (Method::GET, "/api/v1/projects/{id}/review-plan") => {
                let p = self.project_in(org_code).await;
                t.get(&format!("/api/v1/projects/{}/review-plan", p["id"]), Some(who)).await
            }
            (Method::GET, "/api/v1/projects/{id}/attachments") => {
                let p = self.project_in(org_code).await;
                t.get(&format!("/api/v1/projects/{}/attachments", p["id"]), Some(who)).await
            }
            (Method::POST, "/api/v1/projects/{id}/attachments") => {
                let p = self.project_in(org_code).await;
                t.upload(&format!("/api/v1/projects/{}/attachments", p["id"]), who, &[], "a.txt", b"note").await
            }
            (Method::POST, "/projects/{id}/attachments") => {
                let p = self.project_in(org_code).await;
                let path = format!("/projects/{}/attachments?_csrf={}", p["id"], who.csrf);
                t.upload(&path, who, &[], "a.txt", b"note").await
            }
            (Method::GET, "/api/v1/projects/{id}/attachments/{attachment_id}") => {
                let href = self.attachment_in(org_code).await;
                t.get(&href, Some(who)).await
            }
            (Method::DELETE, "/api/v1/projects/{id}/attachments/{attachment_id}") => {
                let href = self.attachment_in(org_code).await;
                t.call(Method::DELETE, &href, Some(who), None).await
            }
            (Method::POST, "/projects/{id}/attachments/{attachment}/delete") => {
                let href = self.attachment_in(org_code).await;
                let path = format!("{}/delete", href.trim_start_matches("/api/v1"));
                t.form(&path, who, &[], None).await
            }
            (Method::POST, "/projects/{id}/move") => {
                let p = self.project_in(org_code).await;
                t.form(&format!("/projects/{}/move", p["id"]), who, &[("to", "retired"), ("note", "不再需要"), ("version", &p["version"].to_string())], None).await
            }
            (Method::POST, "/projects/new") => {
                let name = format!("页面新项目{n}");
                t.form("/projects/new", who, &[("name", &name), ("kind", "other_operating")], None).await
            }
            (Method::GET, "/api/v1/codes/function") => {
                t.get("/api/v1/codes/function?year=2026", Some(who)).await
            }
            (Method::GET, "/api/v1/codes/economic") => {
                t.get("/api/v1/codes/economic?year=2026", Some(who)).await
            }
            (Method::GET, "/api/v1/projects/{id}/review" | "/api/v1/projects/{id}/gates" | "/api/v1/projects/{id}/eligibility" | "/projects/{id}/review") => {
                let p = self.project_in(org_code).await;
                t.get(&case.path.replace("{id}", &p["id"].to_string()), Some(who)).await
            }
            (Method::POST, "/api/v1/projects/{id}/review") => {
                let p = self.project_in(org_code).await;
                let body = json!({"decision": "pass", "rank": 1, "expected_version": p["version"]});
                t.call(Method::POST, &format!("/api/v1/projects/{}/review", p["id"]), Some(who), Some(body)).await
            }
            (Method::POST, "/projects/{id}/review") => {
                let p = self.project_in(org_code).await;
                t.form(&format!("/projects/{}/review", p["id"]), who, &[("decision", "pass"), ("rank", "1"), ("version", &p["version"].to_string())], None).await
            }
            (Method::PUT, "/api/v1/projects/{id}/gates") => {
                let p = self.project_in(org_code).await;
                let body = json!({"gate": "not_ready", "reasons": [], "note": ""});
                t.call(Method::PUT, &format!("/api/v1/projects/{}/gates", p["id"]), Some(who), Some(body)).await
            }
            (Method::POST, "/projects/{id}/gates") => {
                let p = self.project_in(org_code).await;
                t.form(&format!("/projects/{}/gates", p["id"]), who, &[("gate", "not_ready"), ("note", "")], None).await
            }
            (Method::GET, "/api/v1/reviews/queue" | "/reviews") => t.get(case.path, Some(who)).await,
            (Method::POST, "/api/v1/reviews/bulk") => {
                let body = json!({"items": [{"project_id": 999_999_999, "decision": "pass", "rank": 1, "expected_version": 1}]});
                t.call(Method::POST, case.path, Some(who), Some(body)).await
            }
            (Method::POST, "/reviews") => {
                t.form("/reviews", who, &[("pick", "999999999"), ("decision", "pass"), ("rank_999999999", "1")], None).await
            }
            (Method::PUT, "/api/v1/allocation/resources/{fund_book}") => {
                let v = t.get("/api/v1/allocation/resources?year=2026", Some(self.finance)).await.json()["books"][0]["version"].clone();
                let body = json!({"year": 2026, "revenue": "100", "transfers": "0", "recovered": "0", "debt": "0", "unit_funds": "0", "expected_version": v});
                t.call(Method::PUT, "/api/v1/allocation/resources/general_public", Some(who), Some(body)).await
            }
            (Method::POST, "/api/v1/allocation/runs") => {
                t.call(Method::POST, case.path, Some(who), Some(json!({"year": 2026}))).await
            }
            (Method::POST, "/allocation/resources") => {
                let v = t.get("/api/v1/allocation/resources?year=2026", Some(self.finance)).await.json()["books"][0]["version"].to_string();
                t.form(case.path, who, &[("year", "2026"), ("fund_book", "general_public"), ("revenue", "100"), ("version", &v)], None).await
            }
            (Method::POST, "/allocation/runs") => {
                t.form(case.path, who, &[("year", "2026"), ("name", "矩阵")], None).await
            }
            (Method::POST, "/allocation/runs/{id}/{step}") => {
                let r = self.run().await;
                t.form(&format!("/allocation/runs/{}/publish", r["id"]), who, &[], None).await
            }
            (Method::GET, "/allocation/compare") => {
                let (a, b) = (self.run().await, self.run().await);
                t.get(&format!("/allocation/compare?a={}&b={}", a["id"], b["id"]), Some(who)).await
            }
            (
                Method::GET,
                "/api/v1/allocation/runs/{id}" | "/api/v1/allocation/runs/{id}/xlsx" | "/allocation/runs/{id}",
            ) => {
                let r = self.run().await;
                t.get(&case.path.replace("{id}", &r["id"].to_string()), Some(who)).await
            }
            (Method::POST, path) if path.starts_with("/api/v1/allocation/runs/{id}/") => {
                let r = self.run().await;
                let body = path.ends_with("approve").then(|| json!({"document": "矩阵批复"}));
                t.call(Method::POST, &path.replace("{id}", &r["id"].to_string()), Some(who), body).await
            }
            (Method::GET, "/api/v1/allocation/compare") => {
                let (a, b) = (self.run().await, self.run().await);
                t.get(&format!("/api/v1/allocation/compare?a={}&b={}", a["id"], b["id"]), Some(who)).await
            }
            (Method::POST, "/api/v1/payments" | "/api/v1/payments/check") => {
                let line = crate::common::lines::line(t, org_code, "302", 1_000_000, None).await;
                t.call(Method::POST, case.path, Some(who), Some(payment_body(line, &format!("matrix-{n:04}"), false))).await
            }
            (Method::POST, "/payments" | "/payments/check") => {
                let line = crate::common::lines::line(t, org_code, "302", 1_000_000, None).await;
                let b = payment_body(line, &format!("matrix-{n:04}"), false);
                let f = |k: &str| b[k].as_str().map(str::to_string).unwrap_or_else(|| b[k].to_string());
                let fields: Vec<(&str, String)> = ["payee_name", "payee_account", "payee_kind", "amount", "economic_code", "line_id", "purpose", "date", "contract_no", "idempotency_key"].iter().map(|k| (*k, f(k))).collect();
                let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                t.form(case.path, who, &pairs, None).await
            }
            (Method::POST, "/api/v1/spending-plans" | "/spending-plans") => {
                let line = crate::common::lines::line(t, org_code, "302", 1_000_000, None).await.to_string();
                let fields = [("line_id", line.as_str()), ("month", "6"), ("amount", "100"), ("purpose", "矩阵计划")];
                if case.page {
                    t.form(case.path, who, &fields, None).await
                } else {
                    let body: serde_json::Map<String, Value> = fields.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
                    let mut body = Value::Object(body);
                    body["line_id"] = json!(line.parse::<i64>().unwrap());
                    body["month"] = json!(6);
                    t.call(Method::POST, case.path, Some(who), Some(body)).await
                }
            }
            (Method::POST, "/api/v1/spending-plans/review" | "/spending-plans/review") => {
                self.plan_in(org_code).await;
                if case.page {
                    t.form(case.path, who, &[("month", "6"), ("cash_limit", "1000"), ("record", "1")], None).await
                } else {
                    t.call(Method::POST, case.path, Some(who), Some(json!({"month": 6, "cash_limit": "1000", "record": true}))).await
                }
            }
            (Method::POST, "/api/v1/adjustments" | "/adjustments") => {
                let from = crate::common::lines::line(t, org_code, "302", 1_000_000, None).await.to_string();
                let to = crate::common::lines::line(t, org_code, "31002", 1_000, None).await.to_string();
                let fields = [("kind", "transfer"), ("from_line_id", from.as_str()), ("to_line_id", to.as_str()), ("amount", "100"), ("reason", "矩阵调剂")];
                if case.page {
                    t.form(case.path, who, &fields, None).await
                } else {
                    let body = json!({"kind": "transfer", "from_line_id": from.parse::<i64>().unwrap(), "to_line_id": to.parse::<i64>().unwrap(), "amount": "100", "reason": "矩阵调剂"});
                    t.call(Method::POST, case.path, Some(who), Some(body)).await
                }
            }
            (Method::POST, "/api/v1/adjustments/{id}/decision" | "/adjustments/{id}/decision") => {
                let a = self.adjustment_in(org_code).await;
                let path = case.path.replace("{id}", &a["id"].to_string());
                if case.page {
                    t.form(&path, who, &[("approve", "1"), ("note", "矩阵")], None).await
                } else {
                    t.call(Method::POST, &path, Some(who), Some(json!({"approve": true, "note": "矩阵"}))).await
                }
            }
            (Method::POST, "/api/v1/year-end") => t.call(Method::POST, case.path, Some(who), Some(json!({"record": false}))).await,
            (Method::POST, "/year-end") => t.form(case.path, who, &[("contracts", ""), ("record", "0")], None).await,
            (Method::GET, "/api/v1/year-end") => {
                // The report exists once the year is closed (the first close writes the only event).
                // Last year is closed: a closed year takes no more payments, and the other cases
                // pay in this one.
                let r = t.call(Method::POST, case.path, Some(self.finance), Some(json!({"record": true, "year": 2025}))).await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text);
                t.get(&format!("{}?year=2025", case.path), Some(who)).await
            }
            (Method::GET, "/api/v1/supervision/{id}" | "/supervision/{id}") => {
                let p = self.project_in(org_code).await;
                t.get(&case.path.replace("{id}", &p["id"].to_string()), Some(who)).await
            }
            (Method::GET, "/documents/approval" | "/documents/approval.xlsx") => {
                t.get(&format!("{}?year=2026&org={org_id}", case.path), Some(who)).await
            }
            (Method::GET, "/documents/year-end" | "/documents/year-end.xlsx") => {
                // The table exists once the year is closed, as for the report above.
                let r = t.call(Method::POST, "/api/v1/year-end", Some(self.finance), Some(json!({"record": true, "year": 2025}))).await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text);
                t.get(&format!("{}?year=2025", case.path), Some(who)).await
            }
            (Method::GET, "/documents/payments/{id}" | "/documents/payments/{id}/xlsx") => {
                let p = self.payment_in(org_code, false).await;
                t.get(&case.path.replace("{id}", &p["id"].to_string()), Some(who)).await
            }
            (Method::GET, "/payments/{id}") => {
                let p = self.payment_in(org_code, false).await;
                t.get(&format!("/payments/{}", p["id"]), Some(who)).await
            }
            (Method::POST, "/payments/{id}/decision") => {
                let p = self.payment_in(org_code, false).await;
                t.form(&format!("/payments/{}/decision", p["id"]), who, &[("decision", "reject"), ("reason", "矩阵退回")], None).await
            }
            (Method::POST, "/api/v1/budget-lines") => {
                let body = json!({"year": 2026, "unit_id": org_id, "name": "矩阵转移支付", "economic_code": "302", "fund_book": "general_public", "amount": "1000", "document": "矩阵文号"});
                t.call(Method::POST, case.path, Some(who), Some(body)).await
            }
            (Method::POST, "/budget-lines") => {
                let unit = org_id.to_string();
                t.form(case.path, who, &[("year", "2026"), ("unit_id", &unit), ("name", "矩阵转移支付"), ("economic_code", "302"), ("fund_book", "general_public"), ("amount", "1000"), ("document", "矩阵文号")], None).await
            }
            (Method::GET, "/budget-lines/{id}") => {
                let line = crate::common::lines::line(t, org_code, "302", 1_000, None).await;
                t.get(&format!("/budget-lines/{line}"), Some(who)).await
            }
            (Method::GET, "/monitoring/rules/{code}") => t.get("/monitoring/rules/B01-01", Some(who)).await,
            (Method::POST, "/monitoring/rules/new" | "/monitoring/rules/{code}") => {
                let code = format!("P{n}");
                let path = case.path.replace("{code}", &code);
                t.form(&path, who, &[("code", &code), ("class", "矩阵"), ("name", "矩阵规则"), ("expression", "payment.amount > 1"), ("action", "notice"), ("message", "矩阵"), ("op", "save")], None).await
            }
            (Method::POST, "/monitoring/hits/{id}") => {
                let p = self.payment_in(org_code, true).await;
                t.form(&format!("/monitoring/hits/{}", p["hits"][0]["id"]), who, &[("to", "verifying"), ("note", "矩阵核实")], None).await
            }
            (Method::GET, "/api/v1/payments/{id}") => {
                let p = self.payment_in(org_code, false).await;
                t.get(&format!("/api/v1/payments/{}", p["id"]), Some(who)).await
            }
            (Method::POST, "/api/v1/payments/{id}/decision") => {
                let p = self.payment_in(org_code, false).await;
                let body = json!({"decision": "reject", "reason": "矩阵退回"});
                t.call(Method::POST, &format!("/api/v1/payments/{}/decision", p["id"]), Some(who), Some(body)).await
            }
            (Method::POST, "/api/v1/rule-hits/{id}/disposition") => {
                let p = self.payment_in(org_code, true).await;
                let body = json!({"to": "verifying", "note": "矩阵核实"});
                t.call(Method::POST, &format!("/api/v1/rule-hits/{}/disposition", p["hits"][0]["id"]), Some(who), Some(body)).await
            }
            (Method::PUT, "/api/v1/monitoring-rules/{code}") => {
                let body = json!({"class": "矩阵", "name": "矩阵规则", "expression": "payment.amount > 1", "action": "notice", "message": "矩阵", "enabled": false});
                t.call(Method::PUT, &format!("/api/v1/monitoring-rules/M{n}"), Some(who), Some(body)).await
            }
            (Method::POST, "/api/v1/monitoring-rules/dry-run") => {
                let body = json!({"class": "矩阵", "name": "矩阵规则", "expression": "payment.amount > 1", "action": "notice", "message": "矩阵", "enabled": false});
                t.call(Method::POST, case.path, Some(who), Some(body)).await
            }
            (Method::POST, "/api/v1/projects/{id}/payment-suspension") => {
                let p = self.project_in(org_code).await;
                t.call(Method::POST, &format!("/api/v1/projects/{}/payment-suspension", p["id"]), Some(who), Some(json!({"reason": "矩阵暂缓"}))).await
            }
            (Method::POST, "/api/v1/projects/{id}/payment-suspension/lift") => {
                let p = self.project_in(org_code).await;
                let path = format!("/api/v1/projects/{}/payment-suspension", p["id"]);
                let r = t.call(Method::POST, &path, Some(self.finance), Some(json!({"reason": "矩阵暂缓"}))).await;
                assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
                t.call(Method::POST, &format!("{path}/lift"), Some(who), Some(json!({"reason": "矩阵解除"}))).await
            }
            (Method::GET, "/api/v1/lists/{list}") => t.get("/api/v1/lists/events", Some(who)).await,
            (Method::POST, "/api/v1/lists/{list}") => {
                let body = json!({"code": format!("M{n}"), "name": "矩阵活动", "year": 2026});
                t.call(Method::POST, "/api/v1/lists/events", Some(who), Some(body)).await
            }
            (Method::GET, "/api/v1/lists/entries/{id}") => {
                let e = self.list_entry().await;
                t.get(&format!("/api/v1/lists/entries/{}", e["id"]), Some(who)).await
            }
            (Method::PUT, "/api/v1/lists/entries/{id}") => {
                let e = self.list_entry().await;
                let body = json!({"entry": {"code": e["entry"]["code"], "name": "改名", "year": 2026}, "active": true, "expected_version": e["version"]});
                t.call(Method::PUT, &format!("/api/v1/lists/entries/{}", e["id"]), Some(who), Some(body)).await
            }
            (Method::PUT, "/api/v1/orgs/{id}/own-funds") => {
                let v = t.get(&format!("/api/v1/orgs/{org_id}"), Some(self.admin)).await.json()["version"].clone();
                t.call(Method::PUT, &format!("/api/v1/orgs/{org_id}/own-funds"), Some(who), Some(json!({"amount": "1000", "expected_version": v}))).await
            }
            (Method::POST, "/orgs/{id}/own-funds") => {
                let v = org["version"].to_string();
                t.form(&format!("/orgs/{org_id}/own-funds"), who, &[("own_funds", "1000"), ("version", &v)], None).await
            }
            (Method::GET, "/lists/{list}") => t.get("/lists/events", Some(who)).await,
            (Method::POST, "/lists/{list}") => {
                let code = format!("PM{n}");
                t.form("/lists/events", who, &[("code", &code), ("name", "页面活动"), ("year", "2026")], None).await
            }
            (Method::GET, "/lists/entries/{id}") => {
                let e = self.list_entry().await;
                t.get(&format!("/lists/entries/{}", e["id"]), Some(who)).await
            }
            (Method::POST, "/lists/entries/{id}") => {
                let e = self.list_entry().await;
                let (code, v) = (e["entry"]["code"].as_str().unwrap().to_string(), e["version"].to_string());
                t.form(&format!("/lists/entries/{}", e["id"]), who, &[("code", &code), ("name", "改名"), ("year", "2026"), ("active", "on"), ("version", &v)], None).await
            }
            (Method::GET, path) => t.get(&path.replace("{year}", "2026"), Some(who)).await,
            (m, p) => panic!("no request for {m} {p}"),
        }
    }
}

// --- 资金池 (fund pools, ZX-3b): requests and their set-up.
impl Ctx<'_> {
    /// Two fresh special funds of departments 101 and 102, registered by finance: their codes.
    async fn pool_funds(&self) -> (String, String) {
        let mut codes = Vec::new();
        for dept in ["101", "102"] {
            let code = format!("MP{}", self.next());
            let department = self.t.org_id(dept).await;
            let fund = json!({"code": code, "name": format!("矩阵专项{code}"), "lead_department_id": department,
                "start_year": 2026, "period_years": 3, "tasks": ["矩阵任务"]});
            let r = self
                .t
                .call(
                    Method::POST,
                    "/api/v1/lists/special_funds",
                    Some(self.finance),
                    Some(fund),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            codes.push(code);
        }
        (codes[0].clone(), codes[1].clone())
    }

    /// A pool body of the two funds, led by department 102.
    async fn pool_body(&self, funds: &(String, String)) -> Value {
        let lead = self.t.org_id("102").await;
        json!({"name": format!("矩阵资金池{}", self.next()), "fiscal_year": 2026, "lead_department_id": lead,
            "deadline": "2100-12-31", "members": [{"fund_code": funds.0, "amount": "1000"}, {"fund_code": funds.1, "amount": "2000"}]})
    }

    /// The demo's pool: its id and its terms as the update wants them.
    async fn demo_pool(&self) -> (i64, Value) {
        let list = self
            .t
            .get("/api/v1/pools?year=2026", Some(self.finance))
            .await
            .json();
        let p = list
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "产业发展统筹资金池")
            .expect("the demo pool")
            .clone();
        let members: Vec<Value> = p["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| json!({"fund_code": m["fund_code"], "amount": m["amount"]}))
            .collect();
        let body = json!({"name": p["name"], "fiscal_year": p["fiscal_year"], "lead_department_id": p["lead_department_id"],
            "deadline": p["deadline"], "members": members, "version": p["version"]});
        (p["id"].as_i64().unwrap(), body)
    }

    /// A fresh pool of finance's, to allocate: its id and version.
    async fn fresh_pool(&self) -> (i64, Value) {
        let funds = self.pool_funds().await;
        let body = self.pool_body(&funds).await;
        let r = self
            .t
            .call(
                Method::POST,
                "/api/v1/pools",
                Some(self.finance),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let p = r.json();
        (p["id"].as_i64().unwrap(), p["version"].clone())
    }

    /// Audit events the set-up of a pool case writes: two funds for a new pool, two funds and
    /// the pool for an allocation, the project for an application.
    fn pool_setup_events(case: &Case) -> Option<i64> {
        let p = case.path;
        if !p.contains("/pools") {
            return None;
        }
        Some(if p.ends_with("/pools") {
            2
        } else if p.ends_with("/allocate") {
            3
        } else if p.ends_with("/applications") || p.ends_with("/apply") {
            1
        } else {
            0
        })
    }

    /// Sends a pool case; None when the case is another's.
    async fn send_pools(
        &self,
        case: &Case,
        who: &Session,
        org_code: &str,
    ) -> Option<crate::common::Reply> {
        let t = self.t;
        if !case.path.contains("/pools") {
            return None;
        }
        Some(match (case.method.clone(), case.path) {
            (Method::POST, "/api/v1/pools") => {
                let body = self.pool_body(&self.pool_funds().await).await;
                t.call(Method::POST, case.path, Some(who), Some(body)).await
            }
            (Method::POST, "/pools") => {
                let (a, b) = self.pool_funds().await;
                let lead = self.t.org_id("102").await.to_string();
                let name = format!("矩阵页面资金池{}", self.next());
                let (amount_a, amount_b) = (format!("amount.{a}"), format!("amount.{b}"));
                t.form(
                    "/pools",
                    who,
                    &[
                        ("name", name.as_str()),
                        ("fiscal_year", "2026"),
                        ("deadline", "2100-12-31"),
                        ("lead_department_id", lead.as_str()),
                        ("fund", a.as_str()),
                        (amount_a.as_str(), "1000"),
                        ("fund", b.as_str()),
                        (amount_b.as_str(), "2000"),
                    ],
                    None,
                )
                .await
            }
            (Method::GET, path) => {
                let (id, _) = self.demo_pool().await;
                t.get(&path.replace("{id}", &id.to_string()), Some(who))
                    .await
            }
            (Method::PUT, "/api/v1/pools/{id}") => {
                let (id, body) = self.demo_pool().await;
                t.call(
                    Method::PUT,
                    &format!("/api/v1/pools/{id}"),
                    Some(who),
                    Some(body),
                )
                .await
            }
            (Method::POST, "/pools/{id}") => {
                let (id, body) = self.demo_pool().await;
                let text = |v: &Value| {
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string())
                };
                let mut fields: Vec<(String, String)> = [
                    "name",
                    "fiscal_year",
                    "lead_department_id",
                    "deadline",
                    "version",
                ]
                .iter()
                .map(|k| (k.to_string(), text(&body[*k])))
                .collect();
                for m in body["members"].as_array().unwrap() {
                    let code = text(&m["fund_code"]);
                    fields.push(("fund".into(), code.clone()));
                    fields.push((format!("amount.{code}"), text(&m["amount"])));
                }
                let fields: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                t.form(&format!("/pools/{id}"), who, &fields, None).await
            }
            (Method::POST, "/api/v1/pools/{id}/applications") => {
                let p = self.project_in(org_code).await;
                let (id, _) = self.demo_pool().await;
                let body = json!({"project_id": p["id"], "amount": "100", "purpose": "矩阵申报"});
                t.call(
                    Method::POST,
                    &format!("/api/v1/pools/{id}/applications"),
                    Some(who),
                    Some(body),
                )
                .await
            }
            (Method::POST, "/pools/{id}/apply") => {
                let p = self.project_in(org_code).await;
                let (id, _) = self.demo_pool().await;
                let project = p["id"].to_string();
                t.form(
                    &format!("/pools/{id}/apply"),
                    who,
                    &[("project_id", project.as_str()), ("amount", "100")],
                    None,
                )
                .await
            }
            (Method::POST, "/api/v1/pools/{id}/allocate") => {
                let (id, version) = self.fresh_pool().await;
                let body = json!({"document": "矩阵分配", "version": version, "shares": []});
                t.call(
                    Method::POST,
                    &format!("/api/v1/pools/{id}/allocate"),
                    Some(who),
                    Some(body),
                )
                .await
            }
            (Method::POST, "/pools/{id}/allocate") => {
                let (id, version) = self.fresh_pool().await;
                let version = version.to_string();
                t.form(
                    &format!("/pools/{id}/allocate"),
                    who,
                    &[("document", "矩阵分配"), ("version", version.as_str())],
                    None,
                )
                .await
            }
            (m, p) => panic!("no pool request for {m} {p}"),
        })
    }
}
// --- end of 资金池

/// What a reply shows against `want`: allowed (2xx or a redirect after a form), refused by a rule
/// of the domain (422 where one is wanted), denied (403, 404 — or any 422 when `refused_denies`);
/// `None` for anything else.
fn outcome(status: StatusCode, want: Want, refused_denies: bool) -> Option<Want> {
    if status.is_success() || status.is_redirection() {
        Some(A)
    } else if status == StatusCode::UNPROCESSABLE_ENTITY && want == R {
        Some(R)
    } else if matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
        || (status == StatusCode::UNPROCESSABLE_ENTITY && refused_denies)
    {
        Some(D)
    } else {
        None
    }
}

async fn role_scope_matrix(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    let admin = t.login("admin").await;
    let finance = t.login("caizheng").await;
    let ctx = Ctx {
        t: &t,
        admin: &admin,
        finance: &finance,
        serial: std::cell::Cell::new(0),
        years: std::cell::Cell::new(0),
    };
    ctx.prepare_targets().await;
    let mut sessions = Vec::new();
    for role in ROLES {
        sessions.push(t.login(role).await);
    }
    let mut failures = Vec::new();
    for case in cases() {
        for (i, role) in ROLES.iter().enumerate() {
            for (target, want) in [(OWN[i], case.want[i].0), (OTHER[i], case.want[i].1)] {
                let before = t.audit_events().await;
                let reply = ctx.send(&case, &sessions[i], target).await;
                let Some(got) = outcome(reply.status, want, false) else {
                    failures.push(format!(
                        "{role} {} {} on {target}: unexpected {} {}",
                        case.method,
                        case.path,
                        reply.status,
                        reply.text.chars().take(200).collect::<String>()
                    ));
                    continue;
                };
                if got != want {
                    failures.push(format!(
                        "{role} {} {} on {target}: want {want:?}, got {} ",
                        case.method, case.path, reply.status
                    ));
                }
                if case.method != Method::GET && got != A {
                    // Setting up the case (a user, project, list entry or run, an attachment on it, a
                    // suspension to lift, a plan to review, an adjustment to decide, a payment to
                    // decide or whose hit to dispose of) wrote events; the refused request itself
                    // must write none.
                    let setup_writes = Ctx::pool_setup_events(&case)
                        .or_else(|| Ctx::performance_setup_events(&case))
                        .unwrap_or_else(|| {
                            i64::from(
                                case.path.contains("{id}")
                                    && (case.path.contains("users")
                                        || case.path.contains("projects")
                                        || case.path.contains("lists/entries")
                                        || case.path.contains("adjustments")
                                        || case.path.contains("allocation/runs")
                                        || case.path.contains("payments")
                                        || case.path.contains("hits/{id}")),
                            ) + 2 * i64::from(case.path.starts_with("/tokens/"))
                                + i64::from(
                                    case.path.contains("{attachment")
                                        || case.path.ends_with("/lift")
                                        || case.path.ends_with("spending-plans/review"),
                                )
                        });
                    let after = t.audit_events().await;
                    if after != before + setup_writes {
                        failures.push(format!(
                            "{role} {} {} on {target}: refused but wrote {} audit events",
                            case.method,
                            case.path,
                            after - before - setup_writes
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "scope matrix:\n{}",
        failures.join("\n")
    );
    // The events counted above are the chain's, and it is intact after all of them.
    assert_eq!(t.audit_count().await, t.audit_events().await);

    // Lists are scoped too: an operator sees its own unit only, a reviewer its department.
    let list = |s: &Session| {
        let s = s.clone();
        let t = &t;
        async move {
            t.get("/api/v1/orgs", Some(&s))
                .await
                .json()
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["code"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(&sessions[0]).await, vec!["101001"]);
    let dept = list(&sessions[1]).await;
    assert!(
        dept.iter().all(|c| c.starts_with("101")) && dept.len() >= 6,
        "{dept:?}"
    );
    assert!(list(&sessions[2]).await.len() > 50);
}

/// The new reach (issue 21): the demo city under a province. The province's finance officer and
/// auditor, naming the city in `X-Lingji-Region`, read through every API route what the city's
/// own finance officer and auditor read, and every change is refused there; the province's
/// administrator reads nothing below.
async fn upper_reach_matrix(backend: Backend) {
    let Some(t) = TestApp::demo(backend).await else {
        return;
    };
    crate::levels::province(&t).await;
    let admin = t.login("admin").await;
    let finance = t.login("caizheng").await;
    let ctx = Ctx {
        t: &t,
        admin: &admin,
        finance: &finance,
        serial: std::cell::Cell::new(0),
        years: std::cell::Cell::new(0),
    };
    ctx.prepare_targets().await;
    // (province user, the city role whose reading it mirrors: its column in `cases`).
    let uppers = [
        ("shengcai", Some(2)),
        ("shengshenji", Some(4)),
        ("shengadmin", None),
    ];
    let mut sessions = Vec::new();
    for (who, _) in uppers {
        sessions.push(t.login(who).await);
    }
    *t.region.lock().unwrap() = Some("329900".into());
    let mut failures = Vec::new();
    // What answers about the caller themselves, whichever jurisdiction is named.
    let about_caller = |path: &str| {
        ["/api/v1/me", "/api/v1/auth", "/api/v1/tokens"]
            .iter()
            .any(|p| path.starts_with(p))
    };
    // A read that prepares a write (the import template lists the units one may declare for).
    let prepares_write = ["/api/v1/projects/template"];
    for case in cases()
        .into_iter()
        .filter(|c| !c.page && !about_caller(c.path))
    {
        for ((who, mirrors), session) in uppers.iter().zip(&sessions) {
            let target = "102001";
            let reads = case.method == Method::GET && !prepares_write.contains(&case.path);
            let want = match (reads, mirrors) {
                (true, Some(col)) => case.want[*col].1,
                _ => D,
            };
            let reply = ctx.send(&case, session, target).await;
            // A change below refused before it reaches its target (a code unknown in the
            // caller's own jurisdiction) writes nothing there either.
            let Some(got) = outcome(reply.status, want, case.method != Method::GET) else {
                failures.push(format!(
                    "{who} {} {} below: unexpected {} {}",
                    case.method,
                    case.path,
                    reply.status,
                    reply.text.chars().take(200).collect::<String>()
                ));
                continue;
            };
            if got != want {
                failures.push(format!(
                    "{who} {} {} below: want {want:?}, got {} {}",
                    case.method,
                    case.path,
                    reply.status,
                    reply.text.chars().take(160).collect::<String>()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "upper reach matrix:\n{}",
        failures.join("\n")
    );
}

backend_tests!(role_scope_matrix, upper_reach_matrix);
