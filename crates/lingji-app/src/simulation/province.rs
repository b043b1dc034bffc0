//! A province lived with the jurisdictions below it (issue 21): 模拟省 above 模拟市 and counties
//! directly under it (省直管县). Each lower jurisdiction lives its years as a plain run does,
//! on its own profile; after their allocations the province records each lower government's
//! comprehensive fiscal performance score (PM-10), divides a transfer fund among them by
//! population and that score (PM-13b) with their cost shares (ZB-10) and approves it, and each
//! lower's finance breaks its receipt down into upper-transfer lines over its units — whose
//! year-end then follows the lower profile (QJ-4b), checked by the lowers' own invariants.

use std::collections::BTreeSet;

use lingji_domain::Money;
use lingji_domain::execution::{Action, MonitoringRule, PayeeKind, PaymentStatus};
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::foundation::policy::Preset;
use lingji_store::execution::payment_list::{PAGE_MAX, PaymentSearch};

use super::jurisdiction::{self, Jurisdiction, Place};
use super::rng::Rng;
use super::{Options, invariants::Finding};
use crate::App;
use crate::Scope;
use crate::allocation::transfers::{FactorInput, LowerEntryInput, TransferInput};
use crate::error::{AppError, AppResult};
use crate::execution::transfer_lines::TransferLine;
use crate::foundation::caller::Caller;
use crate::foundation::users::NewUser;

/// 模拟省 (its 区划 code contains 模拟市's 3298…, as a province's contains its cities').
pub const PROVINCE: Place = Place {
    region: "320000",
    name: "模拟省",
    logins: "simp-",
};

/// The invariant this module checks.
pub const NAME: &str = "transfer_arrives";

/// The document prefix of the province's funds (文号字头; 模拟市's own are 模财预).
const PREFIX: &str = "模省财预";

/// The province as the simulation drives it.
pub struct Province {
    pub id: i64,
    /// The province finance department's login.
    pub finance: Caller,
    preset: Preset,
}

/// Builds 模拟省 with its first year and its finance login; the jurisdictions below are built
/// under it by [`jurisdiction::build_place`].
pub async fn build(app: &App, opts: &Options) -> AppResult<Province> {
    let p = app
        .foundation()
        .create_jurisdiction(&Caller::System, PROVINCE.region, PROVINCE.name, &[], None)
        .await?;
    jurisdiction::start_year(app, p.id, opts.preset, opts.first_year, true).await?;
    let finance = jurisdiction::login(
        app,
        NewUser {
            username: format!("{}finance", PROVINCE.logins),
            display_name: Some("省财政厅预算处".into()),
            role: "finance_officer".into(),
            org: PROVINCE.region.into(),
            password: "lingji-simulate".into(),
        },
    )
    .await?;
    Ok(Province {
        id: p.id,
        finance,
        preset: opts.preset,
    })
}

impl Province {
    /// Signs the province's finance in again once the jurisdictions below exist: the reach
    /// below is read at sign-in (`Actor::below`), as for a person whose session starts after
    /// the lowers were placed.
    pub async fn sign_in_again(&mut self, app: &App) -> AppResult<()> {
        let id = self
            .finance
            .actor()
            .map(|a| a.user_id)
            .ok_or_else(|| AppError::Internal("province finance is no user".into()))?;
        let mut conn = app.store.read().acquire().await?;
        let user = lingji_store::foundation::users::get(&mut conn, id)
            .await?
            .ok_or_else(|| AppError::not_found("用户"))?;
        self.finance = Caller::User(crate::foundation::auth::actor_for(&mut conn, &user).await?);
        Ok(())
    }
}

/// The province's own monitoring rule (ZX-4b), binding on every jurisdiction below, which
/// cannot switch it off: a payment to a person above 55,000 元 is stopped, where their own
/// catalogue only warns above 5 万元 (B05-01) — so some of the payments the lowers' years
/// file to persons are warned there and blocked here.
pub async fn add_rule(app: &App, p: &Province) -> AppResult<()> {
    app.supervision()
        .put_monitoring_rule(
            &Scope::new(&p.finance, p.id),
            MonitoringRule {
                code: RULE.into(),
                class: "对个人转账".into(),
                name: "省定：向个人转账超过 5.5 万元".into(),
                expression: "payment.payee_kind == 'individual' and payment.amount > 55000".into(),
                action: Action::Block,
                clause: Some("ZX-4b".into()),
                message: "省定：向个人转账单笔超过 5.5 万元，不予支付".into(),
                effective_from: None,
                effective_to: None,
                enabled: true,
            },
            None,
        )
        .await?;
    Ok(())
}

/// The province rule's code in its own catalogue.
const RULE: &str = "S01-01";

/// After the lowers' payments, read as the province reads below: every payment of the year to
/// a person above 55,000 元 that reached the rules (not refused first for want of a line or
/// balance) was hit by the province's rule, labelled 省级, and blocked — found in the lower's
/// payments list, compared with its rule hits; answers how many, and what broke.
pub async fn rule_hits(
    app: &App,
    p: &Province,
    lowers: &[&Jurisdiction],
    year: i32,
) -> AppResult<(Vec<(&'static str, i64)>, Vec<Finding>)> {
    let mut out = Vec::new();
    let mut blocked = 0;
    for j in lowers {
        let hits = app
            .supervision()
            .rule_hits(&Scope::new(&p.finance, j.id), year, None)
            .await?;
        let over = to_persons_over(app, p, j, year).await?;
        let province: Vec<_> = hits
            .iter()
            .filter(|h| h.hit.code.ends_with(&format!("/{RULE}")))
            .collect();
        let by_province: BTreeSet<i64> = province.iter().map(|h| h.payment_id).collect();
        if over != by_province {
            out.push((
                NAME_RULE,
                format!(
                    "{} 向个人超过 5.5 万元的支付 {:?}，省定规则命中的是 {:?}",
                    j.place, over, by_province
                ),
            ));
        }
        for h in &province {
            if h.level_label != "省级" || h.payment_status != PaymentStatus::Blocked {
                out.push((
                    NAME_RULE,
                    format!(
                        "{} 支付 {} 命中省定规则，显示为“{}”、状态“{}”，应为省级、已拦截",
                        j.place, h.payment_id, h.level_label, h.payment_status_label
                    ),
                ));
            }
        }
        blocked += i64::try_from(province.len()).unwrap_or(0);
    }
    Ok((vec![("province_rule_blocked", blocked)], out))
}

/// The lower's payments of `year` to a person above 55,000 元 that the rules screened.
async fn to_persons_over(
    app: &App,
    p: &Province,
    j: &Jurisdiction,
    year: i32,
) -> AppResult<BTreeSet<i64>> {
    let mut found = BTreeSet::new();
    let mut search = PaymentSearch {
        limit: PAGE_MAX,
        ..PaymentSearch::default()
    };
    search.filter.fiscal_year = Some(year);
    loop {
        let page = app
            .execution()
            .payments_page(&Scope::new(&p.finance, j.id), search.clone())
            .await?;
        let n = i64::try_from(page.rows.len()).unwrap_or(0);
        found.extend(
            page.rows
                .iter()
                .filter(|r| {
                    r.draft.payee_kind == PayeeKind::Individual
                        && r.draft.amount > Money::from_yuan(55_000)
                        && r.status != PaymentStatus::Refused
                })
                .map(|r| r.id),
        );
        search.offset += n;
        if n == 0 || search.offset >= page.count {
            return Ok(found);
        }
    }
}

/// The invariant [`rule_hits`] checks.
pub const NAME_RULE: &str = "province_rule";

/// The places of a province run with `lowers` jurisdictions below it: the city first, then
/// counties, each county on 资兴's rules (a county-level profile) whatever the city's preset.
pub fn places(opts: &Options, lowers: u32) -> Vec<(Place, Preset)> {
    let counties = jurisdiction::COUNTIES
        .iter()
        .take(usize::try_from(lowers.saturating_sub(1)).unwrap_or(0))
        .map(|c| (*c, Preset::Zixing));
    std::iter::once((jurisdiction::CITY, opts.preset))
        .chain(counties)
        .collect()
}

/// The province's transfer of `year` (after every lower's allocation): scores recorded, the
/// fund set up by population and score, approved, and every receipt broken down into lines.
/// Answers its counts and what broke.
pub async fn transfer(
    app: &App,
    p: &Province,
    lowers: &[&Jurisdiction],
    rng: &mut Rng,
    year: i32,
) -> AppResult<(Vec<(&'static str, i64)>, Vec<Finding>)> {
    let scope = Scope::new(&p.finance, p.id);
    if app
        .foundation()
        .fiscal_years(p.id)
        .await?
        .iter()
        .all(|y| y.year != year)
    {
        jurisdiction::start_year(app, p.id, p.preset, year, true).await?;
    }
    let mut entries = Vec::new();
    for j in lowers {
        // 60.00–99.99 points: every grade band occurs over a few years.
        let score = rng.between(6000, 9999);
        app.allocation()
            .record_lower_score(
                &scope,
                year,
                j.id,
                &format!("{}.{:02}", score / 100, score % 100),
            )
            .await?;
        entries.push(LowerEntryInput {
            lower_id: j.id,
            values: vec![format!("{}", rng.between(20, 120)), String::new()],
            cost_share: format!("{}", 10 * rng.below(4)),
        });
    }
    // 200–800 万元 and a fen, so that the division has a remainder to place (PM-13b).
    let total =
        Money::from_fen(i64::try_from(rng.between(2_000_000, 8_000_000)).unwrap_or(0) * 100 + 1);
    let fund = app
        .allocation()
        .create_transfer(
            &scope,
            &TransferInput {
                year,
                prefix: PREFIX.into(),
                name: "县级基本财力保障机制奖补资金".into(),
                total: total.to_string(),
                fund_book: FundBook::GeneralPublic.as_str().into(),
                economic_code: "30201".into(),
                factors: vec![
                    FactorInput {
                        name: "常住人口".into(),
                        kind: "entered".into(),
                        weight: "60".into(),
                    },
                    FactorInput {
                        name: "综合绩效得分".into(),
                        kind: "performance".into(),
                        weight: "40".into(),
                    },
                ],
                lowers: entries,
            },
        )
        .await?;
    let approved = app.allocation().approve_transfer(&scope, fund.id).await?;
    let mut lines = 0;
    for j in lowers {
        lines += break_down(app, j, rng, year, &approved.fund.document).await?;
    }
    let found = check(app, &approved.fund.document, total, lowers, year).await?;
    Ok((
        vec![
            ("transfer_funds", 1),
            (
                "transfer_receipts",
                i64::try_from(approved.lowers).unwrap_or(0),
            ),
            ("transfer_lines", lines),
        ],
        found,
    ))
}

/// The lower's finance breaks its receipt of `document` down into one to three lines over its
/// units, to the fen; answers how many lines.
async fn break_down(
    app: &App,
    j: &Jurisdiction,
    rng: &mut Rng,
    year: i32,
    document: &str,
) -> AppResult<i64> {
    let scope = Scope::new(&j.finance, j.id);
    let receipt = app
        .allocation()
        .transfer_receipts(&scope, year)
        .await?
        .into_iter()
        .find(|r| r.document == document)
        .ok_or_else(|| AppError::Internal(format!("{} 没有收到 {document}", j.place)))?;
    let units: Vec<_> = j.units().map(|(_, u)| u.id).collect();
    let parts = 1 + rng.below(3);
    let mut left = receipt.remaining;
    let mut made = 0;
    for k in 0..parts {
        let amount = if k + 1 == parts {
            left
        } else {
            // An uneven share of what is left, never the whole of it.
            Money::from_fen(left.fen() / i64::try_from(parts - k).unwrap_or(1) - 1)
        };
        if amount <= Money::ZERO {
            continue;
        }
        left = Money::from_fen(left.fen() - amount.fen());
        app.execution()
            .add_transfer_line(
                &scope,
                TransferLine {
                    fiscal_year: year,
                    unit_id: units[rng.index(units.len())],
                    project_id: None,
                    name: format!("{}（第{}笔）", receipt.name, k + 1),
                    economic_code: receipt.economic_code.clone(),
                    fund_book: FundBook::UpperTransfer,
                    three_guarantees: false,
                    amount,
                    document: document.to_string(),
                },
            )
            .await?;
        made += 1;
    }
    Ok(made)
}

/// What must hold once a fund is approved and broken down: the receipts add up to the fund to
/// the fen, each lower's lines under the document add up to its receipt, and one fen more is
/// refused (ZB-7a).
async fn check(
    app: &App,
    document: &str,
    total: Money,
    lowers: &[&Jurisdiction],
    year: i32,
) -> AppResult<Vec<Finding>> {
    let mut out = Vec::new();
    let mut received = Money::ZERO;
    for j in lowers {
        let scope = Scope::new(&j.finance, j.id);
        let Some(r) = app
            .allocation()
            .transfer_receipts(&scope, year)
            .await?
            .into_iter()
            .find(|r| r.document == document)
        else {
            out.push((NAME, format!("{} 没有收到 {document}", j.place)));
            continue;
        };
        received = Money::from_fen(received.fen() + r.amount.fen());
        let lines = Money::checked_sum(
            app.allocation()
                .budget_lines(&scope, year, 0, 100_000)
                .await?
                .iter()
                .filter(|l| l.fund_book == FundBook::UpperTransfer && l.source_document == document)
                .map(|l| l.approved),
        )
        .unwrap_or(Money::ZERO);
        if lines != r.amount || r.distributed != r.amount || r.remaining != Money::ZERO {
            out.push((
                NAME,
                format!(
                    "{} 收到 {document} {} 元，分解为指标 {} 元（显示已分解 {}、待分解 {}）",
                    j.place, r.amount, lines, r.distributed, r.remaining
                ),
            ));
        }
        let over = app
            .execution()
            .add_transfer_line(
                &scope,
                TransferLine {
                    fiscal_year: year,
                    unit_id: j.units().next().map_or(0, |(_, u)| u.id),
                    project_id: None,
                    name: "超出到达额的分解".into(),
                    economic_code: r.economic_code.clone(),
                    fund_book: FundBook::UpperTransfer,
                    three_guarantees: false,
                    amount: Money::from_fen(1),
                    document: document.to_string(),
                },
            )
            .await;
        match over {
            Err(AppError::Refused(r)) if r.code == "TRANSFER_RECEIPT_EXCEEDED" => {}
            other => out.push((
                NAME,
                format!(
                    "{} 在 {document} 已全部分解后又分解 1 分，应被拒绝（ZB-7a），实际：{}",
                    j.place,
                    match other {
                        Ok(id) => format!("建成指标 {id}"),
                        Err(e) => e.to_string(),
                    }
                ),
            )),
        }
    }
    if received != total {
        out.push((
            NAME,
            format!("{document} 总额 {total} 元，各下级收到合计 {received} 元"),
        ));
    }
    Ok(out)
}
