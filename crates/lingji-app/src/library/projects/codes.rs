//! ZB-15d on the form: the codes typed into a project checked against the budget year's tables.

use std::collections::HashSet;

use lingji_domain::Refusal;
use lingji_domain::library::admission::{CodeBook, check_codes};
use lingji_store::foundation::codes;
use sqlx::AnyConnection;

use super::{ProjectDraft, invalid};
use crate::error::AppResult;

/// The year's code tables as sets, for the admission checks (ZB-15d).
pub(crate) struct YearCodes {
    function: HashSet<String>,
    economic: HashSet<String>,
}

impl CodeBook for YearCodes {
    fn function_exists(&self, code: &str) -> bool {
        self.function.contains(code)
    }
    fn economic_exists(&self, code: &str) -> bool {
        self.economic.contains(code)
    }
}

/// The codes typed into a project that break ZB-15d: malformed, or well-formed and missing
/// from the budget year's tables, each naming its field (`cost_lines[1].economic_code`). A
/// field left empty is for the admission checks to ask for; a year whose table of a kind is
/// not imported yet checks that kind at admission (which refuses every code then).
pub(crate) fn code_errors(draft: &ProjectDraft, codes: &YearCodes) -> Vec<Refusal> {
    let lines: Vec<&str> = draft
        .cost_lines
        .iter()
        .map(|l| l.economic_code.as_str())
        .collect();
    let book = ImportedOnly(codes);
    check_codes(
        &draft.function_code,
        &draft.government_economic_code,
        &lines,
        &book,
    )
    .into_iter()
    .filter(|r| {
        let field = r.field.as_deref().unwrap_or("");
        let value = match field {
            "function_code" => draft.function_code.as_str(),
            "government_economic_code" => draft.government_economic_code.as_str(),
            f => f
                .strip_prefix("cost_lines[")
                .and_then(|rest| rest.split_once(']'))
                .and_then(|(i, _)| i.parse::<usize>().ok())
                .and_then(|i| lines.get(i).copied())
                .unwrap_or(""),
        };
        !value.trim().is_empty()
    })
    .collect()
}

/// ZB-15d on every save of the form, as the import checks each row: a code not in the year's
/// table is refused by its field now, not first found at admission.
pub(super) async fn refuse_codes(
    conn: &mut AnyConnection,
    draft: &ProjectDraft,
    year: i32,
) -> AppResult<()> {
    let errors = code_errors(draft, &year_codes(conn, year).await?);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(invalid(errors, "项目"))
    }
}

/// The year's tables, taking every code of a kind whose table is not imported yet.
struct ImportedOnly<'a>(&'a YearCodes);

impl CodeBook for ImportedOnly<'_> {
    fn function_exists(&self, code: &str) -> bool {
        self.0.function.is_empty() || self.0.function.contains(code)
    }
    fn economic_exists(&self, code: &str) -> bool {
        self.0.economic.is_empty() || self.0.economic.contains(code)
    }
}

pub(crate) async fn year_codes(conn: &mut AnyConnection, year: i32) -> AppResult<YearCodes> {
    Ok(YearCodes {
        function: codes::function_codes(conn, year, "")
            .await?
            .into_iter()
            .map(|c| c.code)
            .collect(),
        economic: codes::economic_codes(conn, year, "")
            .await?
            .into_iter()
            .map(|c| c.code)
            .collect(),
    })
}
