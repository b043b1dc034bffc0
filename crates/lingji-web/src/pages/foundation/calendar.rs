//! The fiscal year's calendar, derived from the policy profile so that a changed parameter
//! changes the dates people see.

use lingji_domain::foundation::policy::PolicyProfile;
use serde::Serialize;
use utoipa::ToSchema;

/// One date of the budget year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarItem {
    /// Date, `YYYY-MM-DD`.
    pub date: String,
    /// What happens, in Chinese.
    pub title: String,
    /// Clause behind it.
    pub clause: String,
}

/// The calendar of `year` under `profile`, in date order.
pub fn calendar(year: i32, profile: &PolicyProfile) -> Vec<CalendarItem> {
    let mut items = Vec::new();
    items.push(CalendarItem {
        date: format!("{year}-01-01"),
        title: format!("{year} 年度预算开始执行"),
        clause: "ZB-7a".into(),
    });
    for month in &profile.performance.monitoring_months.0 {
        let last_day =
            chrono::NaiveDate::from_ymd_opt(year + i32::from(*month == 12), month % 12 + 1, 1)
                .and_then(|d| d.pred_opt())
                .map(|d| d.to_string())
                .unwrap_or_default();
        items.push(CalendarItem {
            date: last_day,
            title: format!("{month} 月末绩效运行“双监控”时点"),
            clause: "PM-9".into(),
        });
    }
    items.push(CalendarItem {
        date: profile.calendar.reserve_start.in_year(year).to_string(),
        title: format!("启动 {} 年度项目储备（不晚于此日）", year + 1),
        clause: "ZB-15b".into(),
    });
    items.push(CalendarItem {
        date: format!("{year}-12-31"),
        title: "年终结算：结转结余按政策参数收回".into(),
        clause: "QJ-4b, CS-6, ZB-6d".into(),
    });
    items.sort_by(|a, b| a.date.cmp(&b.date));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use lingji_domain::foundation::policy::{Preset, preset};

    #[test]
    fn zb_15b_reserve_start_follows_the_profile() {
        let mut p = preset(Preset::LianyungangCity);
        let item = |p: &PolicyProfile| {
            calendar(2026, p)
                .into_iter()
                .find(|i| i.clause == "ZB-15b")
                .unwrap()
                .date
        };
        assert_eq!(item(&p), "2026-06-30");
        p.set_parameter("calendar.reserve_start", "5月15日")
            .unwrap();
        assert_eq!(item(&p), "2026-05-15");
    }

    #[test]
    fn pm_9_checkpoints_fall_on_month_ends() {
        let p = preset(Preset::LianyungangCity);
        let dates: Vec<_> = calendar(2026, &p)
            .into_iter()
            .filter(|i| i.clause == "PM-9")
            .map(|i| i.date)
            .collect();
        assert_eq!(dates, ["2026-06-30", "2026-09-30"]);
    }
}
