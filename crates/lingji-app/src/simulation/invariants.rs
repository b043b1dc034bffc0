//! What must hold after every step of every year. Each check reads what the use cases and
//! read models report — the ledger, the audit chain, the payments, the allocation run, the
//! year-end report — and compares figures that come from different places, so money that
//! appears or disappears between two capabilities is named. The first broken one stops the
//! run (see [`super::Broken`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

use chrono::NaiveDate;
use lingji_domain::Money;
use lingji_domain::allocation::Status;
use lingji_domain::execution::{PayeeKind, PaymentDraft};
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::foundation::policy::Rate;
use lingji_store::execution::reconcile;

use super::Step;
use super::year::Sim;
use crate::App;
use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::execution::transfer_lines::TransferLine;
use crate::foundation::caller::Caller;

mod conservation;

/// Every invariant by its stable name, with what it says in Chinese.
pub const INVARIANTS: [(&str, &str); 15] = [
    ("ledger", "每条指标的余额等于其分录之和"),
    ("audit_chain", "审计链校验通过，支付与其事件、分录一致"),
    (
        "conservation",
        "每年每个资金来源：批复 + 追加 ± 调剂 + 结转转入 = 支付 + 在途 + 结转转出 + 收回 + 可用，逐项对得上",
    ),
    ("closed_year", "已结转年度不再发生任何资金变动"),
    (
        "allocation_order",
        "测算不超过各资金来源的可用财力，且严格按层级顺序安排",
    ),
    (
        "idempotency",
        "同一幂等键的重试只答复第一次的结果，不重复支付",
    ),
    ("year_end_outcome", "年终结转的试算与实际执行结果一致"),
    (
        "project_figures",
        "项目显示的数字（测算读取的上年执行率、穿透式监管的预算与支付）等于其指标分录所示（结转指标只计一次）",
    ),
    (
        "year_on_year",
        "同比统计：上年安排的每个项目恰在压减、取消、持平、调增之一，本年新安排的项目计为新增（ZX-3a）",
    ),
    (
        super::cuts_by_profile::NAME,
        "批复测算中的结果应用压减与“五个结合”压减，等于本年政策参数作用于上年确认的评价结果、上年执行率和本年测算细化程度（CS-5b、QJ-5b、PM-13、CS-5a）",
    ),
    (
        super::year_end_by_rule::NAME,
        "年终结转每条指标的结转与收回，等于政策参数按该指标的支出类型、资金来源、已结转年数和闲置年数得出的结果（QJ-4b、CS-6、ZX-3c、ZB-6d）",
    ),
    (
        super::disclosure::NAME,
        "公开页面恰好显示财政公开的内容，且与公开时冻结的内容一致（PM-5）",
    ),
    (
        super::province::NAME,
        "省对下转移支付：各下级按文号收到的合计等于资金总额，分解到指标的恰等于收到的，多分解一分即被拒绝（PM-13b、ZB-10、ZB-7a）",
    ),
    (
        super::province::NAME_RULE,
        "省定监控规则对下级生效：下级每笔向个人超过 5.5 万元的支付都被省定规则命中、标为省级并拦截（ZX-4b）",
    ),
    (
        super::cleanup::NAME,
        "定期清理：长期未安排和政策到期的项目列入清理名单并退出，安排过预算的项目从不列入（ZB-15c、ZB-5d）",
    ),
];

/// A broken invariant: its name and what was seen.
pub type Finding = (&'static str, String);

/// Checks everything that must hold after `step` of `year`: every invariant broken, in the
/// order checked (each check names its first break), so a tolerated one never hides another.
pub async fn after_step(sim: &mut Sim<'_>, year: i32, step: Step) -> AppResult<Vec<Finding>> {
    let mut out: Vec<Finding> = std::mem::take(&mut sim.findings);
    out.extend(ledger(sim.app).await?);
    out.extend(audit(sim.app).await?);
    // Money first, then the step's own checks: the closed-year probe moves money when the
    // seam is open, and what the step itself did must be named before what the probe did.
    let books = Books {
        app: sim.app,
        city: sim.j.id,
        finance: &sim.j.finance,
        approved_runs: sim.approved_runs.clone(),
        closed: sim.closes.keys().copied().collect(),
    };
    for y in sim.opts.first_year..=year {
        out.extend(conservation::conservation(&books, y).await?);
    }
    out.extend(super::disclosure::check(sim).await?);
    if step == Step::Allocation {
        out.extend(allocation_order(sim, year).await?);
        out.extend(project_figures(sim, year).await?);
        out.extend(year_on_year(sim, year).await?);
        out.extend(super::cuts_by_profile::check(sim, year).await?);
    }
    if step == Step::Close {
        out.extend(super::year_end_by_rule::check(sim, year).await?);
        out.extend(supervision_figures(sim).await?);
        out.extend(closed_year_refuses(sim, year).await?);
    }
    Ok(out)
}

/// A jurisdiction's money as whoever drives it knows it: what the money checks need besides
/// the database, so they run on a history the simulation did not live (the property tests of
/// short histories, `tests/histories.rs`) as well as on the simulation's own.
pub struct Books<'a> {
    pub app: &'a App,
    pub city: i64,
    /// Who reads for finance.
    pub finance: &'a Caller,
    /// Each year's approved allocation run.
    pub approved_runs: BTreeMap<i32, i64>,
    /// The years whose close has been run.
    pub closed: BTreeSet<i32>,
}

/// The money invariants of a jurisdiction over `years`, every one broken in the order checked:
/// the ledger, the audit chain, conservation per year and fund book (with a closed year
/// keeping nothing available), and the supervision figures against the lines' ledgers.
pub async fn money(books: &Books<'_>, years: RangeInclusive<i32>) -> AppResult<Vec<Finding>> {
    let mut out = Vec::new();
    out.extend(ledger(books.app).await?);
    out.extend(audit(books.app).await?);
    for y in years {
        out.extend(conservation::conservation(books, y).await?);
    }
    out.extend(project_budgets_shown(books.app, books.city, books.finance).await?);
    Ok(out)
}

/// Every line's balance is its entries replayed (`lingji audit verify` does the same).
async fn ledger(app: &App) -> AppResult<Option<Finding>> {
    Ok(match app.foundation().verify_ledger().await? {
        Ok(_) => None,
        Err((line, why)) => Some(("ledger", format!("指标 {line}：{why}"))),
    })
}

/// The audit chain verifies, and every payment agrees with its events and its hold.
async fn audit(app: &App) -> AppResult<Option<Finding>> {
    let r = app.foundation().verify_audit(None).await?;
    if let Err(b) = &r.chain {
        return Ok(Some(("audit_chain", format!("审计链断裂：{b:?}"))));
    }
    if let Err(damage) = &r.payments {
        return Ok(Some(("audit_chain", damage.join("；"))));
    }
    Ok(None)
}

fn add(map: &mut BTreeMap<String, i64>, book: &str, fen: i64) {
    *map.entry(book.to_string()).or_default() += fen;
}

fn yuan(fen: i64) -> String {
    Money::from_fen(fen).to_yuan_display()
}

/// The approved run within each book's resources, and nothing funded below a tier that fell
/// short (ZB-3), recomputed from the run's items, not from its own totals.
async fn allocation_order(sim: &Sim<'_>, year: i32) -> AppResult<Option<Finding>> {
    let (app, city, finance) = (sim.app, sim.j.id, &sim.j.finance);
    let Some(&run) = sim.approved_runs.get(&year) else {
        return Ok(None);
    };
    let (view, items) = app
        .allocation()
        .allocation_items(&Scope::new(finance, city), run)
        .await?;
    let resources = app
        .allocation()
        .resources(&Scope::new(finance, city), year)
        .await?;
    for entry in &resources.books {
        let entered = entry.parts.total().unwrap_or(Money::ZERO);
        let allocated: i64 = items
            .iter()
            .filter(|i| i.result.fund_book == entry.fund_book)
            .map(|i| i.result.allocated.fen())
            .sum();
        let reserve = view
            .book_totals
            .iter()
            .find(|b| b.fund_book == entry.fund_book)
            .map_or(0, |b| b.reserve.fen());
        if allocated + reserve > entered.fen() {
            return Ok(Some((
                "allocation_order",
                format!(
                    "{year} 年度 {}：安排 {} 元加待分资金 {} 元，超过可用财力 {} 元",
                    entry.fund_book.as_str(),
                    yuan(allocated),
                    yuan(reserve),
                    yuan(entered.fen())
                ),
            )));
        }
    }
    // The tiers' numbers in the profile's order, per book, from the run.
    let number = |book: FundBook, tier| {
        view.tier_totals
            .iter()
            .find(|t| t.fund_book == book && t.tier == tier)
            .map(|t| t.number)
    };
    let mut short: BTreeMap<&'static str, usize> = BTreeMap::new();
    for i in &items {
        let r = &i.result;
        if matches!(r.status, Status::Excluded | Status::Cancelled) {
            continue;
        }
        if r.allocated < r.adjusted
            && let Some(n) = number(r.fund_book, r.tier)
        {
            let e = short.entry(r.fund_book.as_str()).or_insert(n);
            *e = (*e).min(n);
        }
    }
    for i in &items {
        let r = &i.result;
        let (Some(&first_short), Some(n)) =
            (short.get(r.fund_book.as_str()), number(r.fund_book, r.tier))
        else {
            continue;
        };
        if n > first_short && r.allocated > Money::ZERO {
            return Ok(Some((
                "allocation_order",
                format!(
                    "{year} 年度 {}：第 {first_short} 层级未足额保障，第 {n} 层级的项目 {} 仍安排 {} 元（ZB-3）",
                    r.fund_book.as_str(),
                    r.id,
                    r.allocated.to_yuan_display()
                ),
            )));
        }
    }
    Ok(None)
}

/// After the close, a closed year takes no money: a supplement onto one of its project lines,
/// a new upper-transfer line and a payment on that line are tried, and each must be refused.
/// The supplement is only asked for, never approved, so an open seam moves no money there.
async fn closed_year_refuses(sim: &Sim<'_>, year: i32) -> AppResult<Option<Finding>> {
    let Some((_, unit)) = sim.j.units().next() else {
        return Ok(None);
    };
    let mut accepted = Vec::new();
    accepted.extend(probe_supplement(sim, year).await?);
    accepted.extend(probe_transfer_line(sim, year, unit).await?);
    Ok((!accepted.is_empty()).then(|| {
        (
            "closed_year",
            format!("{year} 年度已结转，仍{}", accepted.join("；")),
        )
    }))
}

/// A supplement asked onto the year's first project line; answers what was accepted.
async fn probe_supplement(sim: &Sim<'_>, year: i32) -> AppResult<Option<String>> {
    let (app, city, finance) = (sim.app, sim.j.id, &sim.j.finance);
    let lines = app
        .allocation()
        .budget_lines(&Scope::new(finance, city), year, 0, 100_000)
        .await?;
    let Some(l) = lines.iter().find(|l| l.project_id.is_some()) else {
        return Ok(None);
    };
    let operator = sim
        .j
        .units()
        .find(|(_, u)| u.id == l.unit_id)
        .map(|(_, u)| u.operator.clone())
        .ok_or_else(|| AppError::Internal("line of no simulated unit".into()))?;
    let asked = app
        .execution()
        .request_adjustment(
            &Scope::new(&operator, city),
            crate::execution::adjustments::AdjustmentDraft {
                kind: lingji_domain::execution::AdjustmentKind::Supplement,
                from_line_id: None,
                to_line_id: Some(l.id),
                project_id: l.project_id,
                economic_code: None,
                amount: Money::from_yuan(1_000),
                reason: "年终结转后追加试探".into(),
            },
        )
        .await;
    match asked {
        Err(AppError::Internal(e)) => Err(AppError::Internal(e)),
        Err(_) => Ok(None),
        Ok(v) => Ok(Some(format!("受理了对指标 {} 的追加申请 {}", l.id, v.id))),
    }
}

/// An upper transfer line added to the unit and, if it is, a payment asked on it; answers
/// what was accepted.
async fn probe_transfer_line(
    sim: &Sim<'_>,
    year: i32,
    unit: &super::jurisdiction::Unit,
) -> AppResult<Option<String>> {
    let (app, city, finance) = (sim.app, sim.j.id, &sim.j.finance);
    let line = app
        .execution()
        .add_transfer_line(
            &Scope::new(finance, city),
            TransferLine {
                fiscal_year: year,
                unit_id: unit.id,
                project_id: None,
                name: "年终结转后补录的上级补助".into(),
                economic_code: "31002".into(),
                fund_book: FundBook::UpperTransfer,
                three_guarantees: false,
                amount: Money::from_yuan(1_000),
                document: format!("财建〔{year}〕补1号"),
            },
        )
        .await;
    let line = match line {
        Err(AppError::Internal(e)) => return Err(AppError::Internal(e)),
        Err(_) => return Ok(None),
        Ok(line) => line,
    };
    let date =
        NaiveDate::from_ymd_opt(year, 12, 30).ok_or_else(|| AppError::Internal("date".into()))?;
    let paid = app
        .execution()
        .request_payment(
            &Scope::new(&unit.operator, city),
            PaymentDraft {
                payee_name: format!("{}设备有限公司", sim.j.place),
                payee_account: "6222021234567890".into(),
                payee_kind: PayeeKind::Unit,
                amount: Money::from_yuan(100),
                economic_code: "31002".into(),
                line_id: line,
                purpose: "结转后支付试探".into(),
                date,
                contract_no: Some("HT-PROBE".into()),
                event_code: None,
                headcount: None,
                days: None,
                idempotency_key: format!("sim-{}-{year}-probe", sim.opts.seed),
            },
        )
        .await;
    let payment = match paid {
        Ok(v) => format!("，其上的支付申请答复为“{}”", v.status.label()),
        Err(_) => String::new(),
    };
    Ok(Some(format!(
        "新增了上级转移支付指标 {line}（1,000.00 元）{payment}"
    )))
}

/// Last year's execution rate the run read for each continuing project (CS-5a, ZB-5a) equals
/// what last year's lines of its previous project say: paid over budget (approved and
/// adjusted), every line of that year counted once.
async fn project_figures(sim: &Sim<'_>, year: i32) -> AppResult<Option<Finding>> {
    let (app, city, finance) = (sim.app, sim.j.id, &sim.j.finance);
    let Some(&run) = sim.approved_runs.get(&year) else {
        return Ok(None);
    };
    let (_, items) = app
        .allocation()
        .allocation_items(&Scope::new(finance, city), run)
        .await?;
    let last: BTreeMap<i64, (i64, i64)> = {
        let mut conn = app.store.read().acquire().await?;
        reconcile::project_lines(&mut conn, city, year - 1)
            .await?
            .into_iter()
            .map(|p| (p.project_id, (p.approved + p.adjusted, p.spent)))
            .collect()
    };
    for i in items.iter().filter(|i| i.candidate.id > 0) {
        let Some(read) = i.candidate.signals.execution_rate else {
            continue;
        };
        let (detail, _) = app.library().project(finance, i.candidate.id).await?;
        let Some(previous) = detail.project.header.previous_id else {
            continue;
        };
        let (budget, spent) = last.get(&previous).copied().unwrap_or((0, 0));
        let ledger = Rate::ratio(Money::from_fen(spent), Money::from_fen(budget));
        if ledger != read {
            return Ok(Some((
                "project_figures",
                format!(
                    "{year} 年度测算读取项目 {}（上年项目 {previous}）上年执行率 {}，上年指标分录为支付 {} 元 / 预算 {} 元 = {}",
                    i.candidate.id,
                    read.to_percent_display(),
                    yuan(spent),
                    yuan(budget),
                    ledger.to_percent_display()
                ),
            )));
        }
    }
    Ok(None)
}

/// The year-on-year statistics (ZX-3a) of the approved run against the two approved runs
/// themselves: every project funded last year is counted once as cut, cancelled, unchanged or
/// increased — whether or not it was asked for again — and every project funded this year
/// whose line was not funded last year is new.
async fn year_on_year(sim: &Sim<'_>, year: i32) -> AppResult<Option<Finding>> {
    let (app, city, finance) = (sim.app, sim.j.id, &sim.j.finance);
    let (Some(&run), Some(&last_run)) = (
        sim.approved_runs.get(&year),
        sim.approved_runs.get(&(year - 1)),
    ) else {
        return Ok(None);
    };
    let funded = |items: &[lingji_store::allocation::StoredItem]| -> Vec<i64> {
        items
            .iter()
            .filter(|i| i.candidate.id > 0 && i.result.allocated > Money::ZERO)
            .map(|i| i.candidate.id)
            .collect()
    };
    let last = funded(
        &app.allocation()
            .allocation_items(&Scope::new(finance, city), last_run)
            .await?
            .1,
    );
    let (_, items) = app
        .allocation()
        .allocation_items(&Scope::new(finance, city), run)
        .await?;
    let mut new = 0u64;
    for id in funded(&items) {
        let (d, _) = app.library().project(finance, id).await?;
        if !d
            .project
            .header
            .previous_id
            .is_some_and(|p| last.contains(&p))
        {
            new += 1;
        }
    }
    let stats = app
        .allocation()
        .allocation_year_on_year(&Scope::new(finance, city), year, Some(run))
        .await?
        .stats
        .overall;
    let counted = stats.cut.count + stats.cancelled.count + stats.unchanged + stats.increased.count;
    let expected = u64::try_from(last.len()).unwrap_or(0);
    if counted != expected || stats.new.count != new {
        return Ok(Some((
            "year_on_year",
            format!(
                "{year} 年度同比统计：上年安排的项目 {expected} 个，统计为压减 {}、取消 {}、持平 {}、调增 {}，合计 {counted} 个；本年新增应为 {new} 个，统计为 {} 个",
                stats.cut.count,
                stats.cancelled.count,
                stats.unchanged,
                stats.increased.count,
                stats.new.count
            ),
        )));
    }
    Ok(None)
}

/// The budget and spending penetrating supervision shows for each flagged project (ZX-2)
/// equal its lines' ledgers, carried-over money counted once; and a project is flagged
/// exactly when its request or that budget reaches the threshold.
async fn supervision_figures(sim: &Sim<'_>) -> AppResult<Option<Finding>> {
    project_budgets_shown(sim.app, sim.j.id, &sim.j.finance).await
}

/// [`supervision_figures`] for whoever drives the jurisdiction.
async fn project_budgets_shown(
    app: &App,
    city: i64,
    finance: &Caller,
) -> AppResult<Option<Finding>> {
    let shown = app
        .supervision()
        .supervised(&Scope::new(finance, city))
        .await?;
    let ledger: BTreeMap<i64, (i64, i64)> = {
        let mut conn = app.store.read().acquire().await?;
        reconcile::project_budgets(&mut conn, city)
            .await?
            .into_iter()
            .map(|p| (p.project_id, (p.budget, p.spent)))
            .collect()
    };
    for f in &shown.projects {
        let (budget, spent) = ledger.get(&f.id).copied().unwrap_or((0, 0));
        if (f.budget, f.spent) != (budget, spent) {
            let crossed = if f.request < shown.threshold.fen() && budget < shown.threshold.fen() {
                format!(
                    "，因此越过了 {} 元的监管门槛",
                    shown.threshold.to_yuan_display()
                )
            } else {
                String::new()
            };
            return Ok(Some((
                "project_figures",
                format!(
                    "穿透式监管显示项目 {}（{}）预算 {} 元、支付 {} 元，其指标分录为预算 {} 元、支付 {} 元{crossed}（ZX-2）",
                    f.id,
                    f.name,
                    yuan(f.budget),
                    yuan(f.spent),
                    yuan(budget),
                    yuan(spent)
                ),
            )));
        }
    }
    Ok(None)
}
