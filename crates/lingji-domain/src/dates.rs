//! Dates people enter: a payment's date, a rule's validity, a policy basis's expiry. Chrono
//! accepts years from −262,143 to 262,142; a date typed as 0026 or 20260 is a typing mistake that
//! would sort and compare wrongly for decades, so only 1900–2199 is accepted.

use chrono::NaiveDate;

use crate::error::Refusal;

/// The first date accepted.
pub const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a real date");
/// The last date accepted.
pub const LATEST: NaiveDate = NaiveDate::from_ymd_opt(2199, 12, 31).expect("a real date");

/// Refuses a date outside 1900–2199, naming the field.
pub fn check(date: NaiveDate, field: &str) -> Result<NaiveDate, Refusal> {
    if (EARLIEST..=LATEST).contains(&date) {
        Ok(date)
    } else {
        Err(Refusal::new(
            "DATE_OUT_OF_RANGE",
            format!("日期 {date} 不在 1900-01-01 至 2199-12-31 之间"),
        )
        .field(field))
    }
}

/// Parses `YYYY-MM-DD` within 1900–2199, naming the field.
pub fn parse(text: &str, field: &str) -> Result<NaiveDate, Refusal> {
    let date = text.trim().parse::<NaiveDate>().map_err(|_| {
        Refusal::new(
            "DATE_MALFORMED",
            format!("日期“{text}”应为 YYYY-MM-DD，如 2026-03-31"),
        )
        .field(field)
    })?;
    check(date, field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_outside_1900_to_2199_are_refused() {
        assert_eq!(
            parse("2026-03-31", "date").unwrap().to_string(),
            "2026-03-31"
        );
        assert!(parse("1900-01-01", "date").is_ok());
        assert!(parse("2199-12-31", "date").is_ok());
        for (text, code) in [
            ("1899-12-31", "DATE_OUT_OF_RANGE"),
            ("2200-01-01", "DATE_OUT_OF_RANGE"),
            ("+20260-01-01", "DATE_OUT_OF_RANGE"),
            ("0026-01-01", "DATE_OUT_OF_RANGE"),
            ("2026-02-30", "DATE_MALFORMED"),
            ("二〇二六年", "DATE_MALFORMED"),
        ] {
            let r = parse(text, "date").unwrap_err();
            assert_eq!(r.code, code, "{text}");
            assert_eq!(r.field.as_deref(), Some("date"));
        }
    }
}
