//! The invariant `conservation`: per year and fund book, to the fen, the lines' balances
//! against the other read models that record the same money.

use std::collections::{BTreeMap, BTreeSet};

use lingji_domain::execution::PaymentStatus;
use lingji_store::execution::reconcile;

use super::{Books, Finding, add, yuan};
use crate::Scope;
use crate::error::AppResult;

/// Per year and fund book, to the fen, the lines' balances against the other read models:
/// paid and held against the payments, approved allocation lines against the approved run,
/// carried-in lines against last year's close, closed against this year's close report; and
/// a closed year keeps nothing available.
pub(super) async fn conservation(known: &Books<'_>, year: i32) -> AppResult<Option<Finding>> {
    let facts = Facts::load(known, year).await?;
    let lines = LineTotals::of(&facts.sums);
    let supplemented = supplemented(&facts.adjustments, &facts.books);
    let (paid, held) = payment_totals(&facts.payments);
    let broken = |what: String| Ok(Some(("conservation", format!("{year} 年度：{what}"))));
    if let Some((book, a, b)) = first_difference(&lines.spent, &paid) {
        return broken(format!(
            "{book} 指标已支付 {} 元，支付记录中已支付 {} 元",
            yuan(a),
            yuan(b)
        ));
    }
    if let Some((book, a, b)) = first_difference(&lines.reserved, &held) {
        return broken(format!(
            "{book} 指标在途 {} 元，支付记录中待支付与预警待核 {} 元",
            yuan(a),
            yuan(b)
        ));
    }
    if let Some((book, a, b)) = first_difference(&lines.adjusted, &supplemented) {
        return broken(format!(
            "{book} 指标调整与追加合计 {} 元，已批准的追加 {} 元（调剂应不增不减）",
            yuan(a),
            yuan(b)
        ));
    }
    if let Some(what) = allocation_differs(known, year, &lines.from_allocation).await? {
        return broken(what);
    }
    if let Some(what) =
        carried_in_differs(known, year, &lines.carried_in, &facts.last_books).await?
    {
        return broken(what);
    }
    if known.closed.contains(&year) {
        return closed_books(known, year, &lines.closed, &facts.books).await;
    }
    Ok(None)
}

/// Fen by fund book.
type ByBook = BTreeMap<String, i64>;

/// What the year's conservation is checked on, read at once.
struct Facts {
    sums: Vec<reconcile::LineSums>,
    payments: Vec<reconcile::PaymentSums>,
    books: Vec<reconcile::LineBook>,
    last_books: Vec<reconcile::LineBook>,
    adjustments: Vec<crate::execution::adjustments::AdjustmentView>,
}

impl Facts {
    async fn load(known: &Books<'_>, year: i32) -> AppResult<Facts> {
        let (app, city) = (known.app, known.city);
        let (sums, payments, books, last_books) = {
            let mut conn = app.store.read().acquire().await?;
            (
                reconcile::line_sums(&mut conn, city, year).await?,
                reconcile::payment_sums(&mut conn, city, year).await?,
                reconcile::line_books(&mut conn, city, year).await?,
                reconcile::line_books(&mut conn, city, year - 1).await?,
            )
        };
        let adjustments = app
            .execution()
            .adjustments(
                &Scope::new(known.finance, city),
                crate::store::execution::adjustments::AdjustmentFilter {
                    fiscal_year: year,
                    status: Some(lingji_domain::execution::AdjustmentStatus::Approved),
                    ..Default::default()
                },
            )
            .await?;
        Ok(Facts {
            sums,
            payments,
            books,
            last_books,
            adjustments,
        })
    }
}

/// The lines' own sums by book.
struct LineTotals {
    spent: ByBook,
    reserved: ByBook,
    closed: ByBook,
    from_allocation: ByBook,
    carried_in: ByBook,
    /// Adjusted amounts plus supplement lines: a transfer moves money within one book and adds
    /// nothing, a supplement adds its amount (onto a line, or as a line of its own).
    adjusted: ByBook,
}

impl LineTotals {
    fn of(sums: &[reconcile::LineSums]) -> LineTotals {
        let mut t = LineTotals {
            spent: BTreeMap::new(),
            reserved: BTreeMap::new(),
            closed: BTreeMap::new(),
            from_allocation: BTreeMap::new(),
            carried_in: BTreeMap::new(),
            adjusted: BTreeMap::new(),
        };
        for s in sums {
            add(&mut t.spent, &s.fund_book, s.spent);
            add(&mut t.reserved, &s.fund_book, s.reserved);
            add(&mut t.closed, &s.fund_book, s.closed);
            match s.source.as_str() {
                "allocation" => add(&mut t.from_allocation, &s.fund_book, s.approved),
                "carryover" => add(&mut t.carried_in, &s.fund_book, s.approved),
                _ => {}
            }
        }
        for s in sums {
            let of_book = s.adjusted
                + if s.source == "supplement" {
                    s.approved
                } else {
                    0
                };
            add(&mut t.adjusted, &s.fund_book, of_book);
        }
        t
    }
}

/// Approved supplements by the book of the line they go onto.
fn supplemented(
    adjustments: &[crate::execution::adjustments::AdjustmentView],
    books: &[reconcile::LineBook],
) -> ByBook {
    let mut supplemented = BTreeMap::new();
    for a in adjustments {
        if a.kind == lingji_domain::execution::AdjustmentKind::Supplement {
            let book = a
                .to_line_id
                .and_then(|l| books.iter().find(|b| b.id == l))
                .map(|b| b.fund_book.clone())
                .unwrap_or_default();
            add(&mut supplemented, &book, a.amount.fen());
        }
    }
    supplemented
}

/// Paid, and held or pending, by book, from the payments' records.
fn payment_totals(payments: &[reconcile::PaymentSums]) -> (ByBook, ByBook) {
    let mut paid = BTreeMap::new();
    let mut held = BTreeMap::new();
    for p in payments {
        match PaymentStatus::parse(&p.status) {
            Some(PaymentStatus::Paid) => add(&mut paid, &p.fund_book, p.amount),
            Some(PaymentStatus::Held | PaymentStatus::Pending) => {
                add(&mut held, &p.fund_book, p.amount)
            }
            _ => {}
        }
    }
    (paid, held)
}

/// The first book where the two differ, with both figures (a missing book counts as zero).
fn first_difference(a: &ByBook, b: &ByBook) -> Option<(String, i64, i64)> {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .find(|k| a.get(*k).copied().unwrap_or(0) != b.get(*k).copied().unwrap_or(0))
        .map(|k| {
            (
                k.clone(),
                a.get(k).copied().unwrap_or(0),
                b.get(k).copied().unwrap_or(0),
            )
        })
}

/// The lines the approval made against what the approved run allocated, by book.
async fn allocation_differs(
    known: &Books<'_>,
    year: i32,
    from_allocation: &ByBook,
) -> AppResult<Option<String>> {
    let Some(&run) = known.approved_runs.get(&year) else {
        return Ok(None);
    };
    let (_, items) = known
        .app
        .allocation()
        .allocation_items(&Scope::new(known.finance, known.city), run)
        .await?;
    let mut allocated = BTreeMap::new();
    for i in &items {
        add(
            &mut allocated,
            i.result.fund_book.as_str(),
            i.result.allocated.fen(),
        );
    }
    Ok(
        first_difference(from_allocation, &allocated).map(|(book, a, b)| {
            format!(
                "{book} 批复生成指标 {} 元，批复的测算方案安排 {} 元",
                yuan(a),
                yuan(b)
            )
        }),
    )
}

fn book_of(list: &[reconcile::LineBook], line: i64) -> String {
    list.iter()
        .find(|l| l.id == line)
        .map(|l| l.fund_book.clone())
        .unwrap_or_default()
}

/// The carry-over lines against what last year's close carried out, by book. The recorded
/// close as it stands now, not as the close answered: money given back after it (a payment
/// rejected after the close) is recovered into it.
async fn carried_in_differs(
    known: &Books<'_>,
    year: i32,
    carried_in: &ByBook,
    last_books: &[reconcile::LineBook],
) -> AppResult<Option<String>> {
    if !known.closed.contains(&(year - 1)) {
        return Ok(None);
    }
    let last = known
        .app
        .year_end()
        .year_end_report(&Scope::new(known.finance, known.city), year - 1)
        .await?;
    let mut out = BTreeMap::new();
    for l in &last.lines {
        add(&mut out, &book_of(last_books, l.line_id), l.carried.fen());
    }
    Ok(first_difference(carried_in, &out).map(|(book, a, b)| {
        format!(
            "{book} 结转转入指标 {} 元，上年年终结转转出 {} 元",
            yuan(a),
            yuan(b)
        )
    }))
}

/// A closed year: what the lines closed against what the close carried and recovered, and
/// nothing left available.
async fn closed_books(
    known: &Books<'_>,
    year: i32,
    closed: &ByBook,
    books: &[reconcile::LineBook],
) -> AppResult<Option<Finding>> {
    let report = known
        .app
        .year_end()
        .year_end_report(&Scope::new(known.finance, known.city), year)
        .await?;
    let mut out = BTreeMap::new();
    for l in &report.lines {
        add(
            &mut out,
            &book_of(books, l.line_id),
            l.carried.fen() + l.recovered.fen(),
        );
    }
    if let Some((book, a, b)) = first_difference(closed, &out) {
        return Ok(Some((
            "conservation",
            format!(
                "{year} 年度：{book} 指标结转关闭 {} 元，年终结转报告结转与收回合计 {} 元",
                yuan(a),
                yuan(b)
            ),
        )));
    }
    // After the close nothing may be left available: money that arrives in a closed year (a
    // new line, a supplement, a release) is never carried or recovered.
    if let Some(reconcile::LineBook {
        id: line,
        fund_book: book,
        source,
        available: fen,
    }) = books.iter().find(|l| l.available != 0)
    {
        return Ok(Some((
            "closed_year",
            format!(
                "{year} 年度已结转，指标 {line}（{book}，来源 {source}）仍有可用余额 {} 元，既未结转也未收回",
                yuan(*fen)
            ),
        )));
    }
    Ok(None)
}
