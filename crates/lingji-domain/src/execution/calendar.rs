//! The working calendar the payment rules read (weekend and holiday payments, ZX-4b): Saturdays
//! and Sundays are rest days except the make-up working days, and the statutory holidays are rest
//! days, as the State Council's annual notice on holiday arrangements sets them.

use chrono::{Datelike, NaiveDate, Weekday};

/// (month, day) of the 2026 statutory holidays (国务院办公厅关于2026年部分节假日安排的通知).
const HOLIDAYS_2026: &[(u32, u32)] = &[
    (1, 1),
    (1, 2),
    (1, 3),
    (2, 15),
    (2, 16),
    (2, 17),
    (2, 18),
    (2, 19),
    (2, 20),
    (2, 21),
    (2, 22),
    (2, 23),
    (4, 4),
    (4, 5),
    (4, 6),
    (5, 1),
    (5, 2),
    (5, 3),
    (5, 4),
    (5, 5),
    (6, 19),
    (6, 20),
    (6, 21),
    (9, 25),
    (9, 26),
    (9, 27),
    (10, 1),
    (10, 2),
    (10, 3),
    (10, 4),
    (10, 5),
    (10, 6),
    (10, 7),
];

/// Weekend days that are working days in 2026 (调休上班).
const WORKDAYS_2026: &[(u32, u32)] = &[(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)];

fn listed(list: &[(u32, u32)], date: NaiveDate) -> bool {
    date.year() == 2026 && list.contains(&(date.month(), date.day()))
}

/// A statutory holiday.
pub fn is_holiday(date: NaiveDate) -> bool {
    listed(HOLIDAYS_2026, date)
}

/// A Saturday or Sunday that is not a make-up working day.
pub fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !listed(WORKDAYS_2026, date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn spring_festival_is_a_holiday_and_its_make_up_saturday_a_working_day() {
        assert!(is_holiday(d(2, 17)));
        assert!(!is_weekend(d(2, 14)), "2026-02-14 is a make-up working day");
        assert!(is_weekend(d(3, 7)));
        assert!(!is_weekend(d(3, 9)) && !is_holiday(d(3, 9)));
    }
}

/// 时间进度: the share of `year` gone by on `today` (days elapsed, today included, over the
/// year's days); 0 before the year, 100% after it. The execution rate is held against it.
pub fn time_progress(year: i32, today: NaiveDate) -> crate::foundation::policy::Rate {
    use crate::foundation::policy::Rate;
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Rate(0);
    };
    if today < first {
        return Rate(0);
    }
    if today >= last {
        return Rate::FULL;
    }
    let days = i64::from(last.ordinal());
    let gone = i64::from(today.ordinal());
    Rate::ratio(crate::Money::from_fen(gone), crate::Money::from_fen(days))
}

#[cfg(test)]
mod progress_tests {
    use super::*;

    #[test]
    fn time_progress_runs_from_nothing_to_the_whole_year() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(time_progress(2026, d(2025, 12, 31)).basis_points(), 0);
        assert_eq!(time_progress(2026, d(2026, 1, 1)).basis_points(), 27);
        assert_eq!(
            time_progress(2026, d(2026, 7, 2)).to_percent_display(),
            "50.14%"
        );
        assert_eq!(time_progress(2026, d(2026, 12, 31)).basis_points(), 10_000);
        assert_eq!(time_progress(2026, d(2027, 3, 1)).basis_points(), 10_000);
    }
}
