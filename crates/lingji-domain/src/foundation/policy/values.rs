//! The kinds of value a policy parameter holds, each with its display and its parser.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::library::tier::{Guarantee, SpendingTier};
use crate::money::Money;

labelled! {
    /// The kind of value a policy parameter holds, as the API names it.
    ParamKind {
        Rate = "rate" / "比率",
        Score = "score" / "分值",
        Count = "count" / "数量",
        Bool = "bool" / "是否",
        Money = "money" / "金额",
        MonthDay = "month_day" / "月日",
        Months = "months" / "月份",
        TierOrder = "tier_order" / "层级顺序",
        GuaranteeOrder = "guarantee_order" / "保障类别顺序",
        MarginalPolicy = "marginal_policy" / "边际项目规则",
        Clause = "clause" / "条款",
    }
}

/// A value that can stand in a policy profile: shown to people and parsed back from a form.
pub trait ParamValue: Sized {
    /// The kind, for forms and the API.
    const KIND: ParamKind;
    /// The value as people read it; [`ParamValue::parse_param`] reads it back.
    fn display(&self) -> String;
    /// Parses what an administrator typed; the error is a Chinese sentence.
    fn parse_param(raw: &str) -> Result<Self, String>;
    /// The value when it is a rate, so that range checks need not know every field.
    fn as_rate(&self) -> Option<Rate> {
        None
    }
}

/// A rate in basis points: 10000 = 100%. Exact, no floating point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rate(pub u32);

impl Rate {
    /// 100%.
    pub const FULL: Rate = Rate(10_000);

    /// From whole percent.
    pub const fn percent(p: u32) -> Rate {
        Rate(p * 100)
    }

    pub fn basis_points(self) -> u32 {
        self.0
    }

    /// `part / whole`, rounded half up to the basis point; zero when `whole` is zero; at most
    /// `u32::MAX` basis points.
    pub fn ratio(part: crate::money::Money, whole: crate::money::Money) -> Rate {
        let (part, whole) = (i128::from(part.fen()), i128::from(whole.fen()));
        if whole <= 0 || part <= 0 {
            return Rate(0);
        }
        let bp = (part * 10_000 * 2 + whole) / (whole * 2);
        Rate(u32::try_from(bp).unwrap_or(u32::MAX))
    }

    /// "20%", "12.5%", "11.74%".
    pub fn to_percent_display(self) -> String {
        let whole = self.0 / 100;
        match self.0 % 100 {
            0 => format!("{whole}%"),
            f if f % 10 == 0 => format!("{whole}.{}%", f / 10),
            f => format!("{whole}.{f:02}%"),
        }
    }
}

/// Parses a non-negative decimal with at most two decimals into hundredths.
fn parse_hundredths(t: &str) -> Option<u32> {
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 6 || frac.len() > 2 || !digits(int) || !digits(frac) {
        return None;
    }
    let whole: u32 = int.parse().ok()?;
    let frac: u32 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    Some(whole * 100 + frac)
}

/// Shows hundredths as a decimal without trailing zeros: 1174 → "11.74", 2000 → "20".
fn show_hundredths(v: u32) -> String {
    let mut s = format!("{}", v / 100);
    if !v.is_multiple_of(100) {
        let _ = write!(s, ".{:02}", v % 100);
        while s.ends_with('0') {
            s.pop();
        }
    }
    s
}

impl ParamValue for Rate {
    const KIND: ParamKind = ParamKind::Rate;
    fn as_rate(&self) -> Option<Rate> {
        Some(*self)
    }
    fn display(&self) -> String {
        format!("{}%", show_hundredths(self.0))
    }
    fn parse_param(raw: &str) -> Result<Self, String> {
        parse_hundredths(raw.trim().trim_end_matches(['%', '％']).trim())
            .map(Rate)
            .ok_or_else(|| format!("“{raw}”不是百分比，应如 20% 或 11.74%"))
    }
}

/// A score with two decimals (hundredths): 9000 = 90.00 分.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Score(pub u32);

impl Score {
    /// From whole points.
    pub const fn points(p: u32) -> Score {
        Score(p * 100)
    }
}

impl ParamValue for Score {
    const KIND: ParamKind = ParamKind::Score;
    fn display(&self) -> String {
        format!("{}分", show_hundredths(self.0))
    }
    fn parse_param(raw: &str) -> Result<Self, String> {
        parse_hundredths(raw.trim().trim_end_matches('分').trim())
            .map(Score)
            .ok_or_else(|| format!("“{raw}”不是分值，应如 90 或 89.99"))
    }
}

/// A whole number of years, items or people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Count(pub u32);

impl ParamValue for Count {
    const KIND: ParamKind = ParamKind::Count;
    fn display(&self) -> String {
        self.0.to_string()
    }
    fn parse_param(raw: &str) -> Result<Self, String> {
        let t = raw.trim().trim_end_matches(['年', '个', '次', '项']);
        t.parse::<u32>()
            .map(Count)
            .map_err(|_| format!("“{raw}”应为非负整数"))
    }
}

impl ParamValue for bool {
    const KIND: ParamKind = ParamKind::Bool;
    fn display(&self) -> String {
        if *self { "是" } else { "否" }.to_string()
    }
    fn parse_param(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "是" | "true" | "1" | "yes" | "on" => Ok(true),
            "否" | "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(format!("“{raw}”应为“是”或“否”")),
        }
    }
}

impl ParamValue for Money {
    const KIND: ParamKind = ParamKind::Money;
    fn display(&self) -> String {
        format!("{} 元", self.to_yuan_display())
    }
    fn parse_param(raw: &str) -> Result<Self, String> {
        Money::parse(raw.trim()).map_err(|r| r.message)
    }
}

/// A month and day of the fiscal calendar, e.g. 06-30.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MonthDay {
    /// 1–12.
    pub month: u32,
    /// 1–31, valid for the month in a leap year.
    pub day: u32,
}

impl MonthDay {
    /// The date in a given calendar year; 29 February falls back to the 28th in other years.
    pub fn in_year(self, year: i32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(year, self.month, self.day)
            .or_else(|| chrono::NaiveDate::from_ymd_opt(year, self.month, self.day - 1))
            .unwrap_or_default()
    }
}

impl ParamValue for MonthDay {
    const KIND: ParamKind = ParamKind::MonthDay;
    fn display(&self) -> String {
        format!("{}月{}日", self.month, self.day)
    }
    fn parse_param(raw: &str) -> Result<Self, String> {
        let t = raw.trim().replace('月', "-").replace('日', "");
        let bad = || format!("“{raw}”应为月日，如 06-30 或 6月30日");
        let (m, d) = t.split_once('-').ok_or_else(bad)?;
        let month: u32 = m.trim().parse().map_err(|_| bad())?;
        let day: u32 = d.trim().parse().map_err(|_| bad())?;
        chrono::NaiveDate::from_ymd_opt(2024, month, day).ok_or_else(bad)?;
        Ok(MonthDay { month, day })
    }
}

/// Months of the year at which something happens (monitoring checkpoints).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MonthList(pub Vec<u32>);

impl ParamValue for MonthList {
    const KIND: ParamKind = ParamKind::Months;
    fn display(&self) -> String {
        self.0
            .iter()
            .map(|m| format!("{m}月"))
            .collect::<Vec<_>>()
            .join("、")
    }
    fn parse_param(raw: &str) -> Result<Self, String> {
        let mut months = Vec::new();
        for part in raw
            .split([',', '，', '、', ' '])
            .filter(|p| !p.trim().is_empty())
        {
            let m: u32 = part
                .trim()
                .trim_end_matches('月')
                .parse()
                .map_err(|_| format!("“{part}”不是月份"))?;
            if !(1..=12).contains(&m) {
                return Err(format!("月份 {m} 不在 1–12 之间"));
            }
            months.push(m);
        }
        months.sort_unstable();
        months.dedup();
        Ok(MonthList(months))
    }
}

fn parse_list<T>(
    raw: &str,
    parse: impl Fn(&str) -> Result<T, crate::error::Refusal>,
) -> Result<Vec<T>, String> {
    raw.split([',', '，', '、', '>', '→'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| parse(p).map_err(|r| r.message))
        .collect()
}

impl ParamValue for Vec<SpendingTier> {
    const KIND: ParamKind = ParamKind::TierOrder;
    fn display(&self) -> String {
        self.iter()
            .map(|t| t.label())
            .collect::<Vec<_>>()
            .join(" → ")
    }
    fn parse_param(raw: &str) -> Result<Self, String> {
        parse_list(raw, SpendingTier::parse)
    }
}

impl ParamValue for Vec<Guarantee> {
    const KIND: ParamKind = ParamKind::GuaranteeOrder;
    fn display(&self) -> String {
        self.iter()
            .map(|g| g.label())
            .collect::<Vec<_>>()
            .join(" → ")
    }
    fn parse_param(raw: &str) -> Result<Self, String> {
        parse_list(raw, Guarantee::parse)
    }
}

/// What the allocation does with the marginal project that does not fit in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarginalPolicy {
    /// Fund it partially, down to its minimum viable level.
    Partial,
    /// Skip it and fund the next project that fits.
    SkipToNextFit,
    /// Stop the tier there.
    Stop,
}

impl ParamValue for MarginalPolicy {
    const KIND: ParamKind = ParamKind::MarginalPolicy;
    fn display(&self) -> String {
        match self {
            MarginalPolicy::Partial => "部分安排",
            MarginalPolicy::SkipToNextFit => "跳过",
            MarginalPolicy::Stop => "停止",
        }
        .to_string()
    }
    fn parse_param(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "partial" | "部分安排" => Ok(MarginalPolicy::Partial),
            "skip" | "skip_to_next_fit" | "跳过" => Ok(MarginalPolicy::SkipToNextFit),
            "stop" | "停止" => Ok(MarginalPolicy::Stop),
            _ => Err(format!(
                "“{raw}”应为“部分安排”（不低于最低可行额度）、“跳过”（安排下一个可足额安排的项目）或“停止”"
            )),
        }
    }
}

/// The clause a jurisdiction's grade-linked cut applies (结果应用): the documents set different
/// numbers under different clauses, and the run labels each cut with the one its profile
/// follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeCutClause {
    /// PM-13: 绩效好的优先保障……低效无效的削减或取消, for a profile that sets its own numbers.
    Pm13,
    /// CS-5b: 上年评价"中"削减20%以上；"差"削减50%以上直至取消 (the base profile's numbers).
    #[default]
    Cs5b,
    /// QJ-5b: 绩效结果达不到优良等次的，原则上按不低于10%压减.
    Qj5b,
}

impl GradeCutClause {
    /// The clause id.
    pub fn id(self) -> &'static str {
        match self {
            GradeCutClause::Pm13 => "PM-13",
            GradeCutClause::Cs5b => "CS-5b",
            GradeCutClause::Qj5b => "QJ-5b",
        }
    }
}

impl ParamValue for GradeCutClause {
    const KIND: ParamKind = ParamKind::Clause;
    fn display(&self) -> String {
        self.id().to_string()
    }
    fn parse_param(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_uppercase().as_str() {
            "PM-13" => Ok(GradeCutClause::Pm13),
            "CS-5B" => Ok(GradeCutClause::Cs5b),
            "QJ-5B" => Ok(GradeCutClause::Qj5b),
            _ => Err(format!("“{raw}”应为 PM-13、CS-5b 或 QJ-5b")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_trip_exactly() {
        for (raw, bp) in [
            ("20%", 2000),
            ("11.74%", 1174),
            ("0.5", 50),
            ("100", 10_000),
        ] {
            let r = Rate::parse_param(raw).unwrap();
            assert_eq!(r.0, bp);
            assert_eq!(Rate::parse_param(&r.display()).unwrap(), r);
        }
        assert!(Rate::parse_param("abc").is_err());
        assert!(Rate::parse_param("1.234%").is_err());
        assert!(Rate::parse_param("-5%").is_err());
    }

    #[test]
    fn month_day_is_a_real_date() {
        assert_eq!(
            MonthDay::parse_param("6月30日").unwrap(),
            MonthDay { month: 6, day: 30 }
        );
        assert!(MonthDay::parse_param("02-30").is_err());
    }

    #[test]
    fn every_kind_reads_back_what_it_shows() {
        let tiers = SpendingTier::ALL.to_vec();
        assert_eq!(
            Vec::<SpendingTier>::parse_param(&tiers.display()).unwrap(),
            tiers
        );
        let m = Money::from_fen(50_000_000);
        assert_eq!(Money::parse_param(&m.display()).unwrap(), m);
        let s = Score(8999);
        assert_eq!(Score::parse_param(&s.display()).unwrap(), s);
        let months = MonthList(vec![6, 9]);
        assert_eq!(MonthList::parse_param(&months.display()).unwrap(), months);
        for p in [
            MarginalPolicy::Partial,
            MarginalPolicy::SkipToNextFit,
            MarginalPolicy::Stop,
        ] {
            assert_eq!(MarginalPolicy::parse_param(&p.display()).unwrap(), p);
        }
        for c in [
            GradeCutClause::Pm13,
            GradeCutClause::Cs5b,
            GradeCutClause::Qj5b,
        ] {
            assert_eq!(GradeCutClause::parse_param(&c.display()).unwrap(), c);
        }
    }
}
