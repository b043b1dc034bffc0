//! What pages read from typed text, the same way everywhere: amounts (one parser, the domain's
//! [`Money::parse_as`]: thousands separators, spaces and full-width digits accepted, anything else
//! refused naming the field), years, and the code pickers (`编码 名称`) a form offers instead of
//! codes typed from memory.

use lingji_app::AppResult;
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::money::half_width;
use lingji_domain::{Money, Refusal};

use crate::AppState;
use crate::identity::Identity;

/// An amount typed in the field `field` labelled `label` (e.g. `资金总需求`): `120,000`,
/// `1,234.56`, `１２０`; anything else refused beside the field, naming it.
pub fn amount(raw: &str, field: &str, label: &str) -> Result<Money, Refusal> {
    Money::parse_as(raw, label).map_err(|r| r.field(field))
}

/// [`amount`] that may not be negative (资源、可用财力): `-5` refused beside the field, naming it.
pub fn non_negative_amount(raw: &str, field: &str, label: &str) -> Result<Money, Refusal> {
    let m = amount(raw, field, label)?;
    if m.is_negative() {
        return Err(
            Refusal::new("MONEY_NEGATIVE", format!("{label}“{raw}”不能为负数")).field(field),
        );
    }
    Ok(m)
}

/// An amount as typed, shown back formatted (`120000` → `120,000.00`) when it reads as one, or
/// exactly as typed when it does not, so that the person sees what to correct.
pub fn amount_shown(raw: &str) -> String {
    if raw.trim().is_empty() {
        return String::new();
    }
    Money::parse(raw)
        .map(Money::to_yuan_display)
        .unwrap_or_else(|_| raw.to_string())
}

/// A year typed in a field: `2026`, `２０２６` or `2026年`; empty is `None`; `二〇二六` or
/// `26` is refused beside the field, naming it, never dropped.
pub fn year(raw: &str, field: &str, label: &str) -> Result<Option<i32>, Refusal> {
    let t = half_width(raw);
    let t = t.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let digits = t.trim_end_matches('年').trim();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::new(
            "YEAR_MALFORMED",
            format!("{label}“{raw}”格式不正确，应为四位数字年度，如 2026"),
        )
        .field(field));
    }
    let y: i32 = digits.parse().map_err(|_| {
        Refusal::new("YEAR_MALFORMED", format!("{label}“{raw}”格式不正确")).field(field)
    })?;
    FiscalYear::new(y)
        .map(|_| Some(y))
        .map_err(|r| r.field(field))
}

/// One entry of a picker: the code submitted and the name shown beside it.
#[derive(Debug, Clone)]
pub struct Choice {
    pub code: String,
    pub name: String,
}

/// The code tables of a year as pickers: function codes at 项 level (7 digits, what a project
/// names), government economic 款 (5 digits, starting 5) and department economic 款 (5 digits,
/// starting 3).
pub struct CodePickers {
    pub function: Vec<Choice>,
    pub government_economic: Vec<Choice>,
    pub economic: Vec<Choice>,
}

impl CodePickers {
    /// The tables of `year`; empty lists when the year has no table loaded (the use case then
    /// refuses an unknown code at the admission check).
    pub async fn load(state: &AppState, id: &Identity, year: i32) -> AppResult<CodePickers> {
        let Ok(fy) = FiscalYear::new(year) else {
            return Ok(CodePickers::empty());
        };
        let codes = state.app.foundation();
        let caller = id.caller();
        let function = codes
            .function_codes(&caller, fy, "")
            .await?
            .into_iter()
            .filter(|c| c.code.len() == 7)
            .map(|c| Choice {
                code: c.code,
                name: c.name,
            })
            .collect();
        let (mut government_economic, mut economic) = (Vec::new(), Vec::new());
        for c in codes.economic_codes(&caller, fy, "").await? {
            if c.code.len() != 5 {
                continue;
            }
            let choice = Choice {
                code: c.code,
                name: c.name,
            };
            if c.code_set == "government" {
                government_economic.push(choice);
            } else {
                economic.push(choice);
            }
        }
        Ok(CodePickers {
            function,
            government_economic,
            economic,
        })
    }

    /// No pickers: the fields are typed.
    pub fn empty() -> CodePickers {
        CodePickers {
            function: Vec::new(),
            government_economic: Vec::new(),
            economic: Vec::new(),
        }
    }
}

/// A code typed into a picker's field: refused beside it when the list knows codes and this is
/// not one of them. Empty is left to the use case (which says what is required).
pub fn known_code(list: &[Choice], typed: &str, field: &str, label: &str) -> Option<Refusal> {
    let typed = typed.trim();
    if typed.is_empty() || list.is_empty() || list.iter().any(|c| c.code == typed) {
        return None;
    }
    Some(
        Refusal::new(
            "CODE_UNKNOWN",
            format!("{label}“{typed}”不在本年度科目表中，请从列表中选择"),
        )
        .field(field),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_with_separators_and_refuse_letters_naming_the_field() {
        assert_eq!(
            amount("120,000", "total_need", "资金总需求").unwrap(),
            Money::from_yuan(120_000)
        );
        let r = amount("12O,000", "total_need", "资金总需求").unwrap_err();
        assert_eq!(r.field.as_deref(), Some("total_need"));
        assert!(r.message.starts_with("资金总需求“12O,000”"));
        assert_eq!(amount_shown("１２００００"), "120,000.00");
        assert_eq!(amount_shown("12O,000"), "12O,000");
        let r = non_negative_amount("-5", "resources", "一般公共预算可用财力").unwrap_err();
        assert_eq!(r.field.as_deref(), Some("resources"));
        assert!(r.message.starts_with("一般公共预算可用财力“-5”不能为负数"));
    }

    #[test]
    fn years_in_words_are_refused_not_dropped() {
        assert_eq!(year("2026", "y", "开始年度").unwrap(), Some(2026));
        assert_eq!(year("２０２６年", "y", "开始年度").unwrap(), Some(2026));
        assert_eq!(year(" ", "y", "开始年度").unwrap(), None);
        for bad in ["二〇二六", "26", "2026.5", "1999x"] {
            let r = year(bad, "start_year", "开始年度").unwrap_err();
            assert_eq!(r.field.as_deref(), Some("start_year"), "{bad}");
            assert!(r.message.contains("开始年度"), "{}", r.message);
        }
        assert!(year("1900", "y", "开始年度").is_err());
    }
}
