//! The library projects a form picks from by code or name — a supplement's project (QJ-2a), a
//! policy's projects — instead of a typed number or a list of codes.

use lingji_app::AppResult;
use lingji_app::store::library::projects::Filter;
use lingji_domain::library::ProjectState;

use crate::AppState;
use crate::identity::Identity;

/// A project as a picker lists it.
pub(crate) struct ProjectOption {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// The caller's projects of `year` in the library (入库, 已安排), in order of code.
pub(crate) async fn library_projects(
    state: &AppState,
    id: &Identity,
    year: i32,
) -> AppResult<Vec<ProjectOption>> {
    let mut out = Vec::new();
    for wanted in [ProjectState::Admitted, ProjectState::Funded] {
        let filter = Filter {
            jurisdiction_id: id.actor.org.jurisdiction,
            fiscal_year: Some(year),
            state: Some(wanted),
            limit: 2000,
            ..Filter::default()
        };
        let found = state
            .app
            .library()
            .list_projects(&id.caller(), filter)
            .await?;
        out.extend(found.into_iter().map(|p| ProjectOption {
            id: p.id,
            code: p.header.code,
            name: p.header.name,
        }));
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

/// The code in what was typed or picked: the picker submits the code, a person may type
/// "code name" as the list shows it.
pub(crate) fn code_of(typed: &str) -> &str {
    let typed = typed.trim();
    typed.split_whitespace().next().unwrap_or(typed)
}

/// The project among `options` that `typed` names by its code.
pub(crate) fn find<'a>(options: &'a [ProjectOption], typed: &str) -> Option<&'a ProjectOption> {
    let code = code_of(typed);
    options.iter().find(|o| o.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_is_found_by_its_code_or_as_the_list_shows_it() {
        let options = [ProjectOption {
            id: 7,
            code: "JY2026-0001".into(),
            name: "全市教育工作会议".into(),
        }];
        assert_eq!(find(&options, " JY2026-0001 ").map(|o| o.id), Some(7));
        assert_eq!(
            find(&options, "JY2026-0001 全市教育工作会议").map(|o| o.id),
            Some(7)
        );
        assert!(find(&options, "全市教育工作会议").is_none());
        assert!(find(&options, "JY2026-0002").is_none());
    }
}
