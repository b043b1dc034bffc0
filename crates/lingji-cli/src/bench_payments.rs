//! Payment benchmarks (docs/BENCHMARKS.md): rule screening against a catalogue of the size the
//! ZX-4b source reports (206 rules), beside evaluating every expression from its text; and
//! checked-and-posted payments per second through the use case on the configured database.

use std::time::Instant;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use lingji_app::App;
use lingji_app::Scope;
use lingji_app::store::allocation::{BudgetLine, insert_lines};
use lingji_domain::Money;
use lingji_domain::execution::{
    self, Facts, LineFacts, MonitoringRule, PartyFacts, PayeeKind, PaymentDraft,
};
use lingji_domain::foundation::fund::FundBook;

use crate::bench::Gen;

/// The default catalogue grown to `size` rules: each extra rule is a default one with an
/// amount threshold of its own, so every expression is distinct and as costly as a real one.
pub fn catalogue(size: usize) -> Vec<MonitoringRule> {
    let base = execution::default_catalogue();
    (0..size)
        .map(|i| {
            let mut r = base[i % base.len()].clone();
            if i >= base.len() {
                r.code = format!("{}-{i}", r.code);
                r.expression = format!("({}) and payment.amount >= {}", r.expression, 100 + i);
            }
            r
        })
        .collect()
}

const CODES: [&str; 10] = [
    "30201", "30211", "30215", "30216", "30217", "30226", "30227", "30231", "31002", "30101",
];

fn payment(g: &mut Gen, n: u64) -> Facts {
    let kind = match g.below(4) {
        0 => PayeeKind::Individual,
        1 => PayeeKind::OfficialCard,
        _ => PayeeKind::Unit,
    };
    let day =
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default() + chrono::Days::new(g.below(365));
    let fen = i64::try_from(g.below(30_000_000) + 100).unwrap_or(100);
    Facts {
        payment: PaymentDraft {
            payee_name: format!("收款人{}", g.below(500)),
            payee_account: format!("62220212345{:05}", g.below(500)),
            payee_kind: kind,
            amount: Money::from_fen(fen),
            economic_code: CODES[usize::try_from(g.below(10)).unwrap_or(0)].into(),
            line_id: 1,
            purpose: ["采购办公用品", "专家咨询劳务", "会议场租", "提取现金备用金"]
                [usize::try_from(g.below(4)).unwrap_or(0)]
            .into(),
            date: day,
            contract_no: (g.below(2) == 0).then(|| "HT-1".into()),
            event_code: None,
            headcount: (g.below(3) == 0).then_some(50),
            days: Some(2),
            idempotency_key: format!("bench-{n}"),
        },
        line: LineFacts {
            economic_code: "30".into(),
            fund_book: "general_public".into(),
            fiscal_year: 2026,
            three_guarantees: g.below(5) == 0,
            budget: Money::from_yuan(1_000_000),
            available: Money::from_yuan(i64::try_from(g.below(1_000_000)).unwrap_or(0)),
            source: "allocation".into(),
            special_fund_expired: g.below(50) == 0,
        },
        party: PartyFacts {
            own_unit: g.below(100) == 0,
            budget_unit: g.below(20) == 0,
            first_time: g.below(3) == 0,
            recent_7d: (0..g.below(4)).map(|_| Money::from_yuan(45_000)).collect(),
            count_30d: u32::try_from(g.below(12)).unwrap_or(0),
            unit_today: u32::try_from(g.below(25)).unwrap_or(0),
            class_budget: Money::from_yuan(200_000),
            class_used: Money::from_yuan(i64::try_from(g.below(200_000)).unwrap_or(0)),
            sangong_budget: Money::from_yuan(50_000),
            sangong_used: Money::from_yuan(i64::try_from(g.below(50_000)).unwrap_or(0)),
            event_listed: None,
            own_funds_available: Money::from_yuan(i64::try_from(g.below(20_000)).unwrap_or(0)),
        },
    }
}

/// Screens `payments` generated payments against a catalogue of `size` rules on this thread,
/// compiled once, beside evaluating every expression from its text (the naive baseline) on a
/// tenth as many; prints payments per second for both and the hits found.
pub fn rules(size: usize, payments: u64) -> Result<()> {
    let rules = catalogue(size);
    let compiled: Vec<_> = rules
        .iter()
        .cloned()
        .map(execution::compile)
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!(e.message))
        .context("编译规则")?;
    let mut g = Gen(0x5eed);
    let facts: Vec<Facts> = (0..payments).map(|n| payment(&mut g, n)).collect();
    let start = Instant::now();
    let mut hits = 0usize;
    for f in &facts {
        hits += execution::screen(&compiled, f).len();
    }
    let fast = start.elapsed().as_secs_f64();
    let naive_n = (payments / 10).max(1);
    let start = Instant::now();
    let mut naive_hits = 0usize;
    for f in facts
        .iter()
        .take(usize::try_from(naive_n).unwrap_or(usize::MAX))
    {
        let env = execution::environment(f);
        for r in rules.iter().filter(|r| r.applies_on(f.payment.date)) {
            if let Ok(v) = zen_expression::evaluate_expression(&r.expression, env.clone())
                && v.as_bool() == Some(true)
            {
                naive_hits += 1;
            }
        }
    }
    let naive = start.elapsed().as_secs_f64();
    println!("规则数\t支付笔数\t编译后（笔/秒）\t逐条解析执行（笔/秒）\t倍数\t命中次数");
    let per_s = |n: u64, s: f64| n as f64 / s;
    println!(
        "{size}\t{payments}\t{:.0}\t{:.0}\t{:.1}\t{hits}（逐条：{naive_hits}/{naive_n} 笔）",
        per_s(payments, fast),
        per_s(naive_n, naive),
        per_s(payments, fast) / per_s(naive_n, naive)
    );
    Ok(())
}

/// Files `requests` payment requests through the use case, `concurrency` at a time, spread
/// over a fresh line of every unit of the jurisdiction and over the year's days, on the
/// configured database; prints checked-and-posted payments per second and how they ended.
pub async fn payments(app: &App, jurisdiction: i64, requests: u32, concurrency: u32) -> Result<()> {
    let lines = std::sync::Arc::new(fresh_lines(app, jurisdiction).await?);
    let stamp = chrono::Utc::now().timestamp_millis();
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..concurrency {
        let app = app.clone();
        let lines = std::sync::Arc::clone(&lines);
        tasks.spawn(async move {
            let mut statuses = Vec::new();
            let mut n = worker;
            while n < requests {
                let draft = draft(n, lines[n as usize % lines.len()], stamp);
                let p = app
                    .execution()
                    .request_payment(&Scope::system(jurisdiction), draft)
                    .await
                    .map_err(|e| anyhow::anyhow!(e.to_string()))?;
                statuses.push(p.status);
                n += concurrency;
            }
            Ok::<_, anyhow::Error>(statuses)
        });
    }
    let mut done = Vec::new();
    while let Some(r) = tasks.join_next().await {
        done.extend(r??);
    }
    let secs = start.elapsed().as_secs_f64();
    let pending = done
        .iter()
        .filter(|s| **s == execution::PaymentStatus::Pending)
        .count();
    println!("请求数\t并发\t耗时（秒）\t笔/秒\t待支付");
    println!(
        "{requests}\t{concurrency}\t{secs:.2}\t{:.0}\t{pending}",
        f64::from(requests) / secs
    );
    println!(
        "指标：{} 条（{}–{}）",
        lines.len(),
        lines[0],
        lines[lines.len() - 1]
    );
    Ok(())
}

/// A fresh line of every unit of the jurisdiction, for the requests to spread over.
async fn fresh_lines(app: &App, jurisdiction: i64) -> Result<Vec<i64>> {
    let units: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, department_id FROM organisations WHERE jurisdiction_id = $1 AND kind = 'unit' ORDER BY id",
    )
    .bind(jurisdiction)
    .fetch_all(app.store.write())
    .await?;
    anyhow::ensure!(
        !units.is_empty(),
        "该辖区没有预算单位：请先载入示范数据（lingji demo）"
    );
    let mut lines = Vec::new();
    for (unit, department) in units {
        let mut tx = app.store.begin().await?;
        insert_lines(
            &mut tx,
            jurisdiction,
            &[BudgetLine {
                id: 0,
                fiscal_year: 2026,
                department_id: department,
                unit_id: unit,
                project_id: None,
                item_id: -1,
                name: "压测公用经费".into(),
                economic_code: "302".into(),
                fund_book: FundBook::GeneralPublic,
                three_guarantees: false,
                approved: Money::from_yuan(1_000_000_000),
                source_document: "压测".into(),
                run_id: None,
            }],
            "bench",
        )
        .await?;
        tx.commit().await?;
        let (line,): (i64,) = sqlx::query_as("SELECT MAX(id) FROM budget_lines")
            .fetch_one(app.store.write())
            .await?;
        lines.push(line);
    }
    Ok(lines)
}

/// The `n`th request: a small office purchase, its day spread over the year.
fn draft(n: u32, line_id: i64, stamp: i64) -> PaymentDraft {
    PaymentDraft {
        payee_name: "示范市办公用品有限公司".into(),
        payee_account: format!("62220212345{:05}", n % 1000),
        payee_kind: PayeeKind::Unit,
        amount: Money::from_yuan(100),
        economic_code: "30201".into(),
        line_id,
        purpose: "采购办公用品".into(),
        date: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default()
            + chrono::Days::new(u64::from(n % 300)),
        contract_no: Some("HT-1".into()),
        event_code: None,
        headcount: None,
        days: None,
        idempotency_key: format!("bench-{stamp}-{n}"),
    }
}
