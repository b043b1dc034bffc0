//! The demo's fund pool, like 资兴's (ZX-3b): 会议费, 培训费, 产业引导, 项目前期 and 招商引资
//! special funds of several departments merged into one pool led by 发展改革委, open for
//! applications for the next thirty days.

use lingji_domain::Money;
use lingji_domain::review::lists::{ListEntry, ListKind, SpecialFundTerms};
use lingji_store::foundation::orgs;

use crate::allocation::pools::{MemberInput, PoolInput, beijing_today};
use crate::error::{AppError, AppResult};
use crate::{Caller, Scope};

/// The pooled funds: code, name, lead department code, amount in 元, task.
const POOLED: [(&str, &str, &str, i64, &str); 5] = [
    (
        "ZX-HY01",
        "会议费专项资金",
        "102",
        3_000_000,
        "全市性重要会议",
    ),
    (
        "ZX-PX01",
        "培训费专项资金",
        "101",
        5_000_000,
        "干部人才培训",
    ),
    (
        "ZX-CY01",
        "产业引导资金",
        "110",
        80_000_000,
        "重点产业项目扶持",
    ),
    (
        "ZX-QQ01",
        "项目前期经费",
        "110",
        12_000_000,
        "重大项目前期论证",
    ),
    (
        "ZX-ZS01",
        "招商引资专项资金",
        "103",
        25_000_000,
        "招商活动与落地奖励",
    ),
];

impl crate::DemoUseCases<'_> {
    /// Registers the pooled special funds and merges them into the year's pool.
    pub(crate) async fn load_demo_pool(&self, city: i64) -> AppResult<()> {
        let system = Caller::System;
        let scope = Scope::new(&system, city);
        let year = self.foundation().current_year(city).await?;
        let mut lead = None;
        let mut members = Vec::new();
        for (code, name, department, yuan, task) in POOLED {
            let department_id = {
                let mut conn = self.store.read().acquire().await?;
                orgs::find_by_code(&mut conn, city, department)
                    .await?
                    .map(|o| o.id)
                    .ok_or_else(|| {
                        AppError::Internal(format!("demo organisation {department} missing"))
                    })?
            };
            if department == "110" {
                lead = Some(department_id);
            }
            let entry = ListEntry {
                code: code.into(),
                name: name.into(),
                fund: SpecialFundTerms {
                    lead_department_id: Some(department_id),
                    start_year: Some(year),
                    period_years: Some(3),
                    pilot: false,
                    big: false,
                    tasks: vec![task.to_string()],
                },
                ..ListEntry::default()
            };
            self.review()
                .add_list_entry(&scope, ListKind::SpecialFunds, entry)
                .await?;
            members.push(MemberInput {
                fund_code: code.into(),
                amount: Money::from_yuan(yuan),
            });
        }
        let deadline = beijing_today() + chrono::Days::new(30);
        self.allocation()
            .create_fund_pool(
                &scope,
                PoolInput {
                    name: "产业发展统筹资金池".into(),
                    fiscal_year: year,
                    lead_department_id: lead,
                    deadline: deadline.to_string(),
                    members,
                },
            )
            .await?;
        Ok(())
    }
}
