//! Joint-review bodies (ZB-5e, ZB-2e) as a department record names them: the identifiers of
//! [`JointBody`]; which department acts as each body is set per jurisdiction.

use lingji_domain::Refusal;
use lingji_domain::review::routing::JointBody;

/// Refuses an unknown body.
pub fn check(body: &str) -> Result<(), Refusal> {
    match JointBody::parse(body) {
        Some(_) => Ok(()),
        None => Err(Refusal::new(
            "REVIEW_BODY_UNKNOWN",
            format!("联审部门类别“{body}”未知，应为 organisation_department、data_bureau 或 development_reform"),
        )
        .field("review_body")
        .clause("ZB-5e")),
    }
}

/// Chinese name of a body.
pub fn label(body: &str) -> &'static str {
    JointBody::parse(body).map_or("联审部门", JointBody::label)
}

/// Every body as (identifier, Chinese name), for forms.
pub fn options() -> Vec<(&'static str, &'static str)> {
    JointBody::ALL
        .iter()
        .map(|b| (b.as_str(), b.label()))
        .collect()
}
