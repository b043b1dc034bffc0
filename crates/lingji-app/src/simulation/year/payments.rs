//! 支付: monthly spending plans, then payments of every kind on the year's lines.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use lingji_domain::Money;
use lingji_domain::allocation::share;
use lingji_domain::execution::{Decision, PayeeKind, PaymentDraft, PaymentStatus};
use lingji_domain::foundation::policy::Rate;

use super::{Counts, Sim};
use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::execution::payments::PaymentView;
use crate::foundation::caller::Caller;

/// A working day of `year` in month `month` on or after `day` (the rules warn on holidays;
/// May and October, with their long holidays, are never asked for).
fn working_day(year: i32, month: u32, day: u32) -> AppResult<NaiveDate> {
    let mut d = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| AppError::Internal(format!("date {year}-{month}-{day}")))?;
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d = d
            .succ_opt()
            .ok_or_else(|| AppError::Internal("date".into()))?;
    }
    Ok(d)
}

/// The economic code a payment on a line names: the line's own 款, or the first 款 of its 类.
fn payment_code(line_code: &str) -> String {
    if line_code.len() >= 5 {
        line_code.to_string()
    } else if line_code == "301" {
        "30101".into()
    } else {
        format!("{line_code}01")
    }
}

/// A draft payment to a company of `place` on `line`.
fn to_company(
    place: &str,
    line: i64,
    code: &str,
    amount: Money,
    date: NaiveDate,
    key: String,
) -> PaymentDraft {
    PaymentDraft {
        payee_name: format!("{place}综合服务有限公司"),
        payee_account: "6222021234567890".into(),
        payee_kind: PayeeKind::Unit,
        amount,
        economic_code: code.into(),
        line_id: line,
        purpose: "按合同支付服务费".into(),
        date,
        contract_no: Some(format!("HT-{}", date.format("%Y%m%d"))),
        event_code: None,
        headcount: None,
        days: None,
        idempotency_key: key,
    }
}

/// What the simulation means to do on one line this year.
enum Intent {
    /// One request (passing, warned or blocked by what it says), perhaps retried.
    One { draft: PaymentDraft, retry: bool },
    /// Requests at once on one line, more than it holds together (ZB-7a).
    Simultaneous(Vec<PaymentDraft>),
}

impl Intent {
    fn drafts(&self) -> Vec<&PaymentDraft> {
        match self {
            Intent::One { draft, .. } => vec![draft],
            Intent::Simultaneous(v) => v.iter().collect(),
        }
    }
}

/// A line's intent with who files it and what the line had when it was made.
struct Planned {
    operator: Caller,
    available: Money,
    intent: Intent,
}

/// What the payments did, counted.
#[derive(Default)]
struct Tally {
    by_status: BTreeMap<&'static str, i64>,
    retried: i64,
    concurrent: i64,
    paid: i64,
    released: i64,
    /// Simultaneous requests that won the line, and that lost it.
    raced: (i64, i64),
}

/// 支付: units file monthly spending plans for what they mean to pay and finance reviews each
/// month within the cash limit (ZX-4a); then on every line a payment that passes and is paid,
/// or one a warning holds and finance confirms or releases, or one a rule blocks; some retried
/// with the same key (the answer must repeat, never pay twice); four at once on one line;
/// some left pending at the year's end.
pub(super) async fn payments(sim: &mut Sim<'_>, year: i32) -> AppResult<Counts> {
    let planned = intents(sim, year).await?;
    let (plans, per_month) = file_plans(sim, &planned).await?;
    let (deferred, partly) = review_months(sim, year, per_month).await?;
    let mut tally = Tally::default();
    for Planned {
        operator, intent, ..
    } in planned
    {
        let answers = match intent {
            Intent::Simultaneous(drafts) => {
                request_at_once(sim, &operator, drafts, &mut tally).await?;
                Vec::new()
            }
            Intent::One { draft, retry } => {
                vec![request_once(sim, &operator, draft, retry, &mut tally).await?]
            }
        };
        for v in answers {
            settle(sim, &v, &mut tally).await?;
        }
    }
    let lifted = lift_suspensions(sim).await?;
    let mut counts: Counts = vec![
        ("plans", i64::try_from(plans).unwrap_or(0)),
        ("plans_partly", partly),
        ("plans_deferred", deferred),
    ];
    counts.extend(tally.by_status);
    counts.extend([
        ("paid", tally.paid),
        ("released", tally.released),
        ("retried", tally.retried),
        ("simultaneous", tally.concurrent),
        ("simultaneous_won", tally.raced.0),
        ("simultaneous_lost", tally.raced.1),
        ("suspensions_lifted", lifted),
    ]);
    Ok(counts)
}

/// What to pay on every line with money left: one request each, and on the first ample line
/// off the 三公 codes four at once.
async fn intents(sim: &mut Sim<'_>, year: i32) -> AppResult<Vec<Planned>> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    let lines = {
        let mut conn = app.store.read().acquire().await?;
        lingji_store::execution::reconcile::line_books(&mut conn, city, year).await?
    };
    let all = app
        .allocation()
        .budget_lines(&Scope::new(&finance, city), year, 0, 100_000)
        .await?;
    let months = [3, 4, 6, 7, 8, 9, 11];
    let mut intents: Vec<Planned> = Vec::new();
    let mut simultaneous_planned = false;
    for lingji_store::execution::reconcile::LineBook { id, available, .. } in lines {
        let Some(line) = all.iter().find(|l| l.id == id) else {
            continue;
        };
        let available = Money::from_fen(available);
        if available < Money::from_yuan(100) {
            continue;
        }
        let operator = sim.operator_of(line.unit_id)?;
        let code = payment_code(&line.economic_code);
        let month = months[sim.rng.index(months.len())];
        let date = working_day(
            year,
            month,
            u32::try_from(sim.rng.between(8, 20)).unwrap_or(10),
        )?;
        // Most of a line is spent over the year, as a bureau's budget is (a year-end that
        // recovers most of the budget would be no year to show or to learn from).
        let pct = i64::try_from(sim.rng.between(60, 98)).unwrap_or(80);
        let amount = Money::from_fen(available.fen() / 10_000 * pct * 100);
        if amount <= Money::ZERO {
            continue;
        }
        let key = sim.next_key(year);
        let mut draft = to_company(sim.j.place, id, &code, amount, date, key);
        if code.starts_with("301") {
            // Wages are paid through the bank that pays them out (代发), never to a company
            // (B12-02).
            draft.payee_name = format!("中国工商银行{}分行（代发工资）", sim.j.place);
            draft.purpose = "代发工资".into();
        }
        let intent = if !simultaneous_planned
            && available >= Money::from_yuan(10_000)
            && !lingji_domain::execution::in_codes(lingji_domain::execution::SANGONG, &code)
        {
            simultaneous_planned = true;
            Intent::Simultaneous(at_once(sim, year, &draft, available))
        } else {
            one(sim, line, draft, available)
        };
        intents.push(Planned {
            operator,
            available,
            intent,
        });
    }
    Ok(intents)
}

/// Four requests at once for 30% each: the line can hold at most three (ZB-7a).
fn at_once(
    sim: &mut Sim<'_>,
    year: i32,
    draft: &PaymentDraft,
    available: Money,
) -> Vec<PaymentDraft> {
    // Each to a payee of its own, off the 三公 codes: rules that read other requests (a
    // payee's last seven days, the 三公 budget's use) would otherwise see more or fewer of the
    // others by the scheduler's whim, and the history would not repeat.
    let each = Money::from_fen(available.fen() / 100 * 30);
    let mut drafts = Vec::new();
    for n in 1..=4 {
        let mut d = draft.clone();
        d.amount = each;
        d.payee_name = format!("{}第{n}工程有限公司", sim.j.place);
        d.idempotency_key = sim.next_key(year);
        drafts.push(d);
    }
    drafts
}

/// One request on `line`: as drafted, or on a project line now and then to a person above
/// 5 万元 or to the unit itself; some to be retried.
fn one(
    sim: &mut Sim<'_>,
    line: &lingji_store::allocation::BudgetLine,
    mut draft: PaymentDraft,
    available: Money,
) -> Intent {
    let dice = sim.rng.below(100);
    // The rules' cases (a person, the unit itself) fall on project lines; basic
    // expenditure — wages and running costs, most of a budget — is paid as it falls due.
    let project = line.project_id.is_some();
    if project && dice < 15 && available > Money::from_yuan(60_000) {
        // To a person above 5 万元: the rules warn (B05-01) and hold it for finance.
        draft.payee_kind = PayeeKind::Individual;
        draft.payee_name = "张明".into();
        draft.amount =
            Money::from_yuan(i64::try_from(sim.rng.between(51, 59)).unwrap_or(55) * 1000);
    } else if project && dice < 25 {
        // To the unit itself: blocked (B06-01), nothing held.
        draft.payee_name = sim
            .units()
            .into_iter()
            .find(|(_, u)| u.id == line.unit_id)
            .map(|(_, u)| u.name)
            .unwrap_or_default();
    }
    let retry = (25..40).contains(&dice);
    Intent::One { draft, retry }
}

/// Spending plans: one per line and month for what will be asked, never above what the line
/// has (ZB-7a). Answers how many were filed and what each month asks in all.
async fn file_plans(
    sim: &Sim<'_>,
    planned: &[Planned],
) -> AppResult<(usize, BTreeMap<u32, Money>)> {
    let (app, city) = (sim.app, sim.j.id);
    let mut plans: BTreeMap<(i64, u32), (Caller, Money, Money)> = BTreeMap::new();
    for p in planned {
        for d in p.intent.drafts() {
            let e = plans.entry((d.line_id, d.date.month())).or_insert((
                p.operator.clone(),
                p.available,
                Money::ZERO,
            ));
            e.2 = e.2.checked_add(d.amount).unwrap_or(e.2).min(e.1);
        }
    }
    let mut per_month: BTreeMap<u32, Money> = BTreeMap::new();
    for ((line_id, month), (operator, _, amount)) in &plans {
        app.execution()
            .file_plan(
                &Scope::new(operator, city),
                crate::execution::plans::PlanDraft {
                    line_id: *line_id,
                    month: *month,
                    amount: *amount,
                    purpose: "按合同节点支付".into(),
                },
            )
            .await?;
        let m = per_month.entry(*month).or_insert(Money::ZERO);
        *m = m.checked_add(*amount).unwrap_or(*m);
    }
    Ok((plans.len(), per_month))
}

/// Each month reviewed at once, now and then under a tight cash limit (部分批准 / 缓拨), which
/// under a within-plan profile refuses what goes beyond. Answers (deferred, partly approved)
/// plan lines.
async fn review_months(
    sim: &mut Sim<'_>,
    year: i32,
    per_month: BTreeMap<u32, Money>,
) -> AppResult<(i64, i64)> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    let (mut deferred, mut partly) = (0, 0);
    for (month, asked) in per_month {
        let limit = if sim.rng.chance(20) {
            share(asked, Rate::percent(80))
        } else {
            asked
        };
        let review = app
            .execution()
            .review_month(&Scope::new(&finance, city), (year, month), limit, true)
            .await?;
        for l in &review.lines {
            match l.outcome {
                lingji_domain::execution::PlanStatus::Deferred => deferred += 1,
                lingji_domain::execution::PlanStatus::Partial => partly += 1,
                _ => {}
            }
        }
    }
    Ok((deferred, partly))
}

/// Files the drafts at once, then pays every winner.
async fn request_at_once(
    sim: &Sim<'_>,
    operator: &Caller,
    drafts: Vec<PaymentDraft>,
    tally: &mut Tally,
) -> AppResult<()> {
    let (app, city, finance) = (sim.app, sim.j.id, &sim.j.finance);
    let mut tasks = Vec::new();
    for d in drafts {
        let (app, op) = (app.clone(), operator.clone());
        tasks.push(tokio::spawn(async move {
            app.execution()
                .request_payment(&Scope::new(&op, city), d)
                .await
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(
            t.await
                .map_err(|e| AppError::Internal(format!("payment task: {e}")))??,
        );
        tally.concurrent += 1;
    }
    // Which of them won the line is up to the scheduler, and so is the loser's state:
    // "blocked" (ZB-7a) when its check read the line after the others held it, "refused" when
    // it read it before and lost the hold. The history counts winners and losers only, so the
    // same seed prints the same lines. Finance pays every winner (confirming a held one first)
    // without drawing from the generator, so who won changes nothing that follows.
    for v in answers {
        match v.status {
            PaymentStatus::Pending | PaymentStatus::Held => tally.raced.0 += 1,
            _ => {
                tally.raced.1 += 1;
                continue;
            }
        }
        if v.status == PaymentStatus::Held {
            app.execution()
                .decide_payment(
                    &Scope::new(finance, city),
                    v.id,
                    Decision::Confirm,
                    "已核实合同",
                )
                .await?;
        }
        app.execution()
            .decide_payment(&Scope::new(finance, city), v.id, Decision::Pay, "")
            .await?;
        tally.paid += 1;
    }
    Ok(())
}

/// Files the draft and, when `retry`, files it again with the same key; a second answer that
/// is not the first replayed is a finding.
async fn request_once(
    sim: &mut Sim<'_>,
    operator: &Caller,
    draft: PaymentDraft,
    retry: bool,
    tally: &mut Tally,
) -> AppResult<PaymentView> {
    let (app, city) = (sim.app, sim.j.id);
    let key = draft.idempotency_key.clone();
    let v = app
        .execution()
        .request_payment(&Scope::new(operator, city), draft.clone())
        .await?;
    if retry {
        // The client did not hear the answer and asks again with the same key.
        let again = app
            .execution()
            .request_payment(&Scope::new(operator, city), draft)
            .await?;
        tally.retried += 1;
        if again.id != v.id || !again.replayed {
            sim.findings.push((
                "idempotency",
                format!(
                    "幂等键 {key} 先答复支付 {}，重试又答复支付 {}（replayed = {}）",
                    v.id, again.id, again.replayed
                ),
            ));
        }
    }
    Ok(v)
}

/// Finance confirms and pays most held payments and releases the rest; pays most pending
/// ones.
async fn settle(sim: &mut Sim<'_>, v: &PaymentView, tally: &mut Tally) -> AppResult<()> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    *tally.by_status.entry(v.status.as_str()).or_default() += 1;
    match v.status {
        PaymentStatus::Held => {
            if sim.rng.chance(60) {
                app.execution()
                    .decide_payment(
                        &Scope::new(&finance, city),
                        v.id,
                        Decision::Confirm,
                        "已核实劳务合同",
                    )
                    .await?;
                app.execution()
                    .decide_payment(&Scope::new(&finance, city), v.id, Decision::Pay, "")
                    .await?;
                tally.paid += 1;
            } else {
                app.execution()
                    .decide_payment(
                        &Scope::new(&finance, city),
                        v.id,
                        Decision::Reject,
                        "劳务合同未附",
                    )
                    .await?;
                tally.released += 1;
            }
        }
        // One in ten waits for payment over the year's end: a hold the close leaves.
        PaymentStatus::Pending if !sim.rng.chance(10) => {
            app.execution()
                .decide_payment(&Scope::new(&finance, city), v.id, Decision::Pay, "")
                .await?;
            tally.paid += 1;
        }
        _ => {}
    }
    Ok(())
}

/// Half of the suspended projects put things right and finance lifts the suspension.
async fn lift_suspensions(sim: &mut Sim<'_>) -> AppResult<i64> {
    let (app, city, finance) = (sim.app, sim.j.id, sim.j.finance.clone());
    let mut lifted = 0;
    for id in std::mem::take(&mut sim.suspended) {
        if sim.rng.chance(50) {
            app.supervision()
                .lift_suspension(&Scope::new(&finance, city), id, "已整改到位，恢复拨款")
                .await?;
            lifted += 1;
        }
    }
    Ok(lifted)
}
