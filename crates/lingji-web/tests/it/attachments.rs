//! Project attachments on SQLite and PostgreSQL: bounded, checked, stored with the project,
//! downloaded as they were uploaded, and only while the unit may still edit (ZB-15c).

use crate::common::{Session, TestApp};
use axum::http::{Method, StatusCode};
use lingji_app::store::{Backend, backend_tests};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

macro_rules! app {
    ($backend:expr) => {
        match TestApp::demo_with_projects($backend).await {
            Some(app) => app,
            None => return,
        }
    };
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

async fn reserve_project(t: &TestApp, s: &Session) -> i64 {
    let unit = t.org_id("101001").await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/projects",
            Some(s),
            Some(json!({"unit_id": unit, "name": "附件测试项目", "kind": "other_operating"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

async fn attach(
    t: &TestApp,
    s: &Session,
    project: i64,
    name: &str,
    bytes: &[u8],
) -> crate::common::Reply {
    t.upload(
        &format!("/api/v1/projects/{project}/attachments"),
        s,
        &[("note", "可行性研究报告")],
        name,
        bytes,
    )
    .await
}

async fn a_unit_attaches_and_everyone_in_scope_downloads_the_same_bytes(backend: Backend) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let project = reserve_project(&t, &op).await;
    let before = t.audit_count().await;

    let r = attach(&t, &op, project, "../../etc/可研报告.pdf", PDF).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let a = r.json();
    assert_eq!(a["file_name"], "可研报告.pdf", "no folders in stored names");
    assert_eq!(a["size_bytes"].as_u64(), Some(PDF.len() as u64));
    assert_eq!(a["sha256"], hex::encode(Sha256::digest(PDF)));
    assert_eq!(t.audit_count().await, before + 1);

    // The auditor reads it back byte for byte, as a download that no browser renders.
    let auditor = t.login("shenji").await;
    let href = a["href"].as_str().unwrap().to_string();
    let d = t.get(&href, Some(&auditor)).await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.bytes, PDF);
    assert_eq!(d.headers["content-type"], "application/pdf");
    assert_eq!(d.headers["x-content-type-options"], "nosniff");
    assert!(
        d.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert!(
        d.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    // …but adds none.
    assert_eq!(
        attach(&t, &auditor, project, "x.pdf", PDF).await.status,
        StatusCode::FORBIDDEN
    );
    // Another department sees neither the project nor its files: they do not exist for it.
    let other = t.login("shuju").await;
    assert_eq!(
        t.get(&href, Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );

    // The project page lists it in the 附件 tab; history keeps upload and removal.
    let page = t.get(&format!("/projects/{project}"), Some(&op)).await;
    assert!(page.text.contains("可研报告.pdf") && page.text.contains("data-testid=\"attach\""));
    assert!(
        page.text.contains("<td>上传附件</td>"),
        "the 历史 tab says what happened in Chinese"
    );
    let r = t.call(Method::DELETE, &href, Some(&op), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(t.get(&href, Some(&op)).await.status, StatusCode::NOT_FOUND);
    let detail = t
        .get(&format!("/api/v1/projects/{project}"), Some(&op))
        .await
        .json();
    let actions: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "attach", "detach"]);
    assert_eq!(t.audit_count().await, before + 2);
}

async fn attachments_are_bounded_and_must_be_what_they_claim(backend: Backend) {
    let t = app!(backend);
    let op = t.login("danwei").await;
    let project = reserve_project(&t, &op).await;
    let code = |r: crate::common::Reply| r.json()["code"].as_str().unwrap().to_string();
    assert_eq!(
        code(attach(&t, &op, project, "setup.exe", b"MZ\x90\x00").await),
        "ATTACHMENT_TYPE"
    );
    assert_eq!(
        code(
            attach(
                &t,
                &op,
                project,
                "报告.pdf",
                b"<html><script>alert(1)</script>"
            )
            .await
        ),
        "ATTACHMENT_CONTENT_MISMATCH"
    );
    assert_eq!(
        code(attach(&t, &op, project, "空.txt", b"").await),
        "ATTACHMENT_EMPTY"
    );
    let big = vec![b'a'; lingji_app::library::attachments::MAX_ATTACHMENT_BYTES + 1];
    let r = attach(&t, &op, project, "大.txt", &big).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(r), "ATTACHMENT_TOO_LARGE");
    let list: Value = t
        .get(
            &format!("/api/v1/projects/{project}/attachments"),
            Some(&op),
        )
        .await
        .json();
    assert_eq!(list, json!([]), "nothing refused was kept");

    // A submitted project is out of the unit's hands (ZB-15c); its reviewer may still attach.
    let submitted = t
        .get("/api/v1/projects?state=submitted&limit=1", Some(&op))
        .await
        .json()[0]["id"]
        .as_i64()
        .expect("a submitted demo project of 101001");
    let r = attach(&t, &op, submitted, "补充.pdf", PDF).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (r.json()["code"].as_str(), r.json()["clause"].as_str()),
        (Some("PROJECT_NOT_EDITABLE"), Some("ZB-15c"))
    );
    let reviewer = t.login("zhuguan").await;
    let r = attach(&t, &reviewer, submitted, "初审意见.pdf", PDF).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    // The page shows a refusal in the tab and keeps the project as it was.
    let r = t
        .upload(
            &format!("/projects/{project}/attachments?_csrf={}", op.csrf),
            &op,
            &[("note", "")],
            "setup.exe",
            b"MZ",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text.contains("attachment-error") && r.text.contains("不接受"),
        "{}",
        r.text
    );
    let r = t
        .upload(
            &format!("/projects/{project}/attachments?_csrf={}", op.csrf),
            &op,
            &[("note", "询价单")],
            "询价单.pdf",
            PDF,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
}

backend_tests!(
    a_unit_attaches_and_everyone_in_scope_downloads_the_same_bytes,
    attachments_are_bounded_and_must_be_what_they_claim,
);
