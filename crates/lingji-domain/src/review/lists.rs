//! Lists the finance bureau maintains and the review checks against: the key-matters list
//! 大事要事保障清单 (CS-2a, ZX-1), the festival/forum/exhibition list (ZB-6a), the
//! purchase-of-services negative list (ZB-8), the special-fund registry (ZB-12, QJ-3b) and the
//! assessment agencies (ZB-13a, PM-12).

use serde::{Deserialize, Serialize};

use crate::Refusal;

labelled! {
    ListKind: custom {
        KeyMatters = "key_matters" / "大事要事保障清单",
        Events = "events" / "节庆论坛展会清单",
        NegativeList = "negative_list" / "政府购买服务负面清单",
        SpecialFunds = "special_funds" / "专项资金目录",
        Agencies = "agencies" / "评估机构",
    }
}

impl ListKind {
    /// The clause the list serves.
    pub fn clause(self) -> &'static str {
        match self {
            ListKind::KeyMatters => "CS-2a",
            ListKind::Events => "ZB-6a",
            ListKind::NegativeList => "ZB-8",
            ListKind::SpecialFunds => "ZB-12",
            ListKind::Agencies => "ZB-13a",
        }
    }

    /// Entries of this list are for one budget year (the others stand until retired).
    pub fn yearly(self) -> bool {
        matches!(self, ListKind::KeyMatters | ListKind::Events)
    }

    /// Parses the identifier.
    pub fn parse(s: &str) -> Result<ListKind, Refusal> {
        ListKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| Refusal::new("LIST_UNKNOWN", format!("清单“{s}”未知")).field("list"))
    }
}

/// A special fund in the registry (ZB-12, QJ-3b).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SpecialFundTerms {
    /// 牵头主管部门 (organisation id).
    pub lead_department_id: Option<i64>,
    /// First year of the fund.
    pub start_year: Option<i32>,
    /// Period in years (一年一定, at most the profile's limit).
    pub period_years: Option<u32>,
    /// 试点类.
    pub pilot: bool,
    /// A department's "big" special fund (QJ-3b: one per department).
    pub big: bool,
    /// 任务清单.
    pub tasks: Vec<String>,
}

impl SpecialFundTerms {
    /// The last year money may be arranged.
    pub fn last_year(&self) -> Option<i32> {
        let years = i32::try_from(self.period_years?).ok()?;
        Some(self.start_year? + years - 1)
    }

    /// Whether the fund's period ended before `year` (ZB-12: special funds stop when their
    /// period is over); a fund of no known period never ends.
    pub fn ended_before(&self, year: i32) -> bool {
        self.last_year().is_some_and(|last| last < year)
    }
}

/// One entry of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListEntry {
    /// Code, unique in the list.
    pub code: String,
    /// Name. On the negative list, the words that identify a refused service.
    pub name: String,
    /// Budget year, for yearly lists.
    pub year: Option<i32>,
    /// Remarks, or the reason an agency is blacklisted.
    pub note: String,
    /// Special funds only.
    pub fund: SpecialFundTerms,
    /// Agencies only: blacklisted for fraud (PM-12).
    pub blacklisted: bool,
}

impl ListEntry {
    /// Checks an entry of `kind` against the special-fund period limit `max_fund_years`.
    pub fn check(&self, kind: ListKind, max_fund_years: u32) -> Vec<Refusal> {
        let mut out = Vec::new();
        let clause = kind.clause();
        if self.code.trim().is_empty() || self.code.chars().count() > 40 {
            out.push(
                Refusal::new("LIST_CODE_INVALID", "编码必填，最多 40 个字符")
                    .field("code")
                    .clause(clause),
            );
        }
        if self.name.trim().is_empty() {
            out.push(
                Refusal::new("LIST_NAME_MISSING", "请填写名称")
                    .field("name")
                    .clause(clause),
            );
        }
        if kind.yearly() && self.year.is_none() {
            out.push(
                Refusal::new("LIST_YEAR_MISSING", "请填写清单所属年度")
                    .field("year")
                    .clause(clause),
            );
        }
        if kind == ListKind::SpecialFunds {
            let f = &self.fund;
            if f.lead_department_id.is_none() {
                out.push(
                    Refusal::new("FUND_LEAD_MISSING", "请选择牵头主管部门")
                        .field("lead_department_id")
                        .clause("QJ-3b"),
                );
            }
            if f.start_year.is_none() {
                out.push(
                    Refusal::new("FUND_START_MISSING", "请填写设立年度")
                        .field("start_year")
                        .clause("ZB-12"),
                );
            }
            match f.period_years {
                Some(y) if (1..=max_fund_years).contains(&y) => {}
                _ => out.push(
                    Refusal::new(
                        "FUND_PERIOD_INVALID",
                        format!("专项资金须明确执行期限，1–{max_fund_years} 年"),
                    )
                    .field("period_years")
                    .clause("ZB-12"),
                ),
            }
            if f.tasks.iter().all(|t| t.trim().is_empty()) {
                out.push(
                    Refusal::new("FUND_TASKS_MISSING", "请列出专项资金任务清单")
                        .field("tasks")
                        .clause("QJ-3b"),
                );
            }
        }
        out
    }
}

/// The negative-list entry a purchased service falls under (ZB-8): the service names the
/// entry's words, or the words name the whole service.
pub fn negative_hit<'a>(item: &str, negative: &'a [ListEntry]) -> Option<&'a ListEntry> {
    let item = item.trim();
    negative.iter().find(|e| {
        let words = e.name.trim();
        !words.is_empty() && !item.is_empty() && (item.contains(words) || words.contains(item))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fund(period: Option<u32>) -> ListEntry {
        ListEntry {
            code: "ZX01".into(),
            name: "产业发展专项".into(),
            fund: SpecialFundTerms {
                lead_department_id: Some(7),
                start_year: Some(2024),
                period_years: period,
                pilot: false,
                big: true,
                tasks: vec!["技术改造".into()],
            },
            ..ListEntry::default()
        }
    }

    #[test]
    fn zb_12_a_special_fund_has_a_period_within_the_limit() {
        assert!(fund(Some(5)).check(ListKind::SpecialFunds, 5).is_empty());
        assert_eq!(fund(Some(5)).fund.last_year(), Some(2028));
        for bad in [None, Some(0), Some(6)] {
            let r = fund(bad).check(ListKind::SpecialFunds, 5);
            assert_eq!(
                (r[0].code, r[0].clause),
                ("FUND_PERIOD_INVALID", Some("ZB-12"))
            );
        }
    }

    #[test]
    fn zb_6a_yearly_lists_need_their_year() {
        let e = ListEntry {
            code: "JQ01".into(),
            name: "海洋文化节".into(),
            ..ListEntry::default()
        };
        assert_eq!(e.check(ListKind::Events, 5)[0].code, "LIST_YEAR_MISSING");
        assert!(e.check(ListKind::NegativeList, 5).is_empty());
    }

    #[test]
    fn zb_8_negative_list_matches_by_words() {
        let list = [ListEntry {
            code: "FM01".into(),
            name: "行政决策".into(),
            ..ListEntry::default()
        }];
        assert!(negative_hit("重大行政决策事项咨询", &list).is_some());
        assert!(negative_hit("社区养老服务", &list).is_none());
    }
}
