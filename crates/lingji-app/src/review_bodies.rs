//! Joint-review bodies (ZB-5e, ZB-2e): which departments review which project features. The
//! identifiers are fixed; which department acts as each body is set per jurisdiction on the
//! department's record.

use lingji_domain::Refusal;

/// Every joint-review body with its Chinese name and what it reviews.
pub const BODIES: [(&str, &str, &str); 3] = [
    ("organisation_department", "组织部", "培训费项目（ZB-5e）"),
    (
        "data_bureau",
        "数据局",
        "信息化建设和运维项目（ZB-5e、ZB-2e）",
    ),
    (
        "development_reform",
        "发展和改革委员会",
        "政府投资项目（ZB-5e）",
    ),
];

/// Refuses an unknown body.
pub fn check(body: &str) -> Result<(), Refusal> {
    if BODIES.iter().any(|(id, _, _)| *id == body) {
        Ok(())
    } else {
        Err(Refusal::new(
            "REVIEW_BODY_UNKNOWN",
            format!("联审部门类别“{body}”未知，应为 organisation_department、data_bureau 或 development_reform"),
        )
        .field("review_body")
        .clause("ZB-5e"))
    }
}

/// Chinese name of a body.
pub fn label(body: &str) -> &'static str {
    BODIES
        .iter()
        .find(|(id, _, _)| *id == body)
        .map(|(_, name, _)| *name)
        .unwrap_or("联审部门")
}
