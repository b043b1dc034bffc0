//! The demo's finance lists: a few entries on each list finance keeps for review, so a new
//! user finds them filled in (CS-2a, ZB-6a, ZB-8, ZB-12, QJ-3b, ZB-13a), and one unit's own
//! funds (ZB-11). Added through the same use case as real entries, so they are audited.

use crate::Scope;
use lingji_domain::review::lists::{ListEntry, ListKind, SpecialFundTerms};
use lingji_store::foundation::orgs;

use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;

/// Simple entries: list, code, name, year (yearly lists), note.
const ENTRIES: [(ListKind, &str, &str, Option<i32>, &str); 9] = [
    (
        ListKind::KeyMatters,
        "DS2026-01",
        "义务教育优质均衡发展",
        Some(2026),
        "市委常委会确定的年度大事要事",
    ),
    (
        ListKind::KeyMatters,
        "DS2026-02",
        "城市更新重点片区改造",
        Some(2026),
        "",
    ),
    (
        ListKind::KeyMatters,
        "DS2026-03",
        "基层医疗卫生服务能力提升",
        Some(2026),
        "",
    ),
    (
        ListKind::Events,
        "HZ2026-01",
        "示范市农产品博览会",
        Some(2026),
        "市政府批准举办",
    ),
    (
        ListKind::Events,
        "HZ2026-02",
        "全民健身运动会",
        Some(2026),
        "",
    ),
    (
        ListKind::NegativeList,
        "FMQD-01",
        "行政许可审批",
        None,
        "属于行政职能，不得购买服务",
    ),
    (ListKind::NegativeList, "FMQD-02", "监督检查执法", None, ""),
    (
        ListKind::Agencies,
        "PG-01",
        "示范市预算绩效评价中心",
        None,
        "",
    ),
    (ListKind::Agencies, "PG-02", "某某会计师事务所", None, ""),
];

/// Special funds: code, name, lead department code, start year, period, pilot, big, tasks.
type DemoFund = (
    &'static str,
    &'static str,
    &'static str,
    i32,
    u32,
    bool,
    bool,
    &'static [&'static str],
);

const FUNDS: [DemoFund; 3] = [
    (
        "ZX-NY01",
        "乡村振兴专项资金",
        "107",
        2024,
        5,
        false,
        true,
        &["高标准农田建设", "农村人居环境整治", "特色产业发展"],
    ),
    (
        "ZX-JT01",
        "公交优先发展专项资金",
        "106",
        2025,
        3,
        true,
        false,
        &["新能源公交车购置补贴", "智能调度系统"],
    ),
    (
        "ZX-WS01",
        "公共卫生服务专项资金",
        "102",
        2022,
        5,
        false,
        true,
        &["基本公共卫生服务", "重大传染病防控"],
    ),
];

impl crate::DemoUseCases<'_> {
    /// Fills the demo's lists for `city`.
    pub(crate) async fn load_demo_lists(&self, city: i64) -> AppResult<()> {
        let system = Caller::System;
        for (kind, code, name, year, note) in ENTRIES {
            let entry = ListEntry {
                code: code.into(),
                name: name.into(),
                year,
                note: note.into(),
                ..ListEntry::default()
            };
            self.review()
                .add_list_entry(&Scope::new(&system, city), kind, entry)
                .await?;
        }
        for (code, name, lead, start, period, pilot, big, tasks) in FUNDS {
            let entry = ListEntry {
                code: code.into(),
                name: name.into(),
                fund: SpecialFundTerms {
                    lead_department_id: Some(self.demo_org(city, lead).await?),
                    start_year: Some(start),
                    period_years: Some(period),
                    pilot,
                    big,
                    tasks: tasks.iter().map(|t| t.to_string()).collect(),
                },
                ..ListEntry::default()
            };
            self.review()
                .add_list_entry(&Scope::new(&system, city), ListKind::SpecialFunds, entry)
                .await?;
        }
        // An agency caught faking a report stays on the list, blacklisted (PM-12).
        let agencies = self
            .review()
            .list_entries(&Scope::new(&system, city), ListKind::Agencies, None)
            .await?;
        if let Some(a) = agencies.into_iter().find(|a| a.entry.code == "PG-02") {
            let mut e = a.entry.clone();
            e.blacklisted = true;
            e.note = "2025 年评价报告弄虚作假，列入黑名单".into();
            self.review()
                .update_list_entry(&system, a.id, e, true, a.version)
                .await?;
        }
        // A unit with money of its own: its requests for new money draw the ZB-11 warning.
        let unit = self.demo_org(city, "103002").await?;
        let version = {
            let mut conn = self.store.read().acquire().await?;
            orgs::get(&mut conn, unit).await?.map(|o| o.version)
        };
        if let Some(v) = version {
            self.review()
                .set_own_funds(&system, unit, "800000.00", v)
                .await?;
        }
        Ok(())
    }

    async fn demo_org(&self, city: i64, code: &str) -> AppResult<i64> {
        let mut conn = self.store.read().acquire().await?;
        orgs::find_by_code(&mut conn, city, code)
            .await?
            .map(|o| o.id)
            .ok_or_else(|| AppError::Internal(format!("demo organisation {code} missing")))
    }
}
