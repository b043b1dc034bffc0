//! The seams between fiscal years (issue 18), each under its clause: last year is built through
//! the use cases (projects, review, allocation, approval, payments, year-end, evaluation) and
//! this year is read as the review, the run, the statistics and the supervision read it — on
//! SQLite and PostgreSQL.

use crate::common::{Ask, LAST, THIS, World};
use lingji_app::AppError;
use lingji_app::Scope;
use lingji_app::execution::adjustments::AdjustmentDraft;
use lingji_app::execution::transfer_lines::TransferLine;
use lingji_app::performance::results::ApplyDraft;
use lingji_app::store::{Backend, backend_tests};
use lingji_domain::Money;
use lingji_domain::allocation::Status;
use lingji_domain::execution::{AdjustmentKind, Decision, PaymentStatus};
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::foundation::policy::{Preset, Rate};
use lingji_domain::review::mode::ReviewMode;

fn refusal(e: AppError) -> lingji_domain::Refusal {
    match e {
        AppError::Refused(r) | AppError::Conflict(r) | AppError::Forbidden(r) => r,
        AppError::Invalid { errors, summary } => errors.into_iter().next().unwrap_or(summary),
        other => panic!("not a refusal: {other:?}"),
    }
}

/// Last year's project fully paid; this year's continuation is read at 100 %.
async fn cs_5a_a_fully_paid_continuing_project_is_100_percent_executed(backend: Backend) {
    let Some(w) = World::new(backend, Preset::LianyungangCity).await else {
        return;
    };
    let last = w.admitted(&Ask::default(), LAST).await;
    w.approve_year(LAST).await;
    let lines = w.lines_of(last, LAST).await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    w.pay(lines[0].id, 100_000, "31002", "full-1", LAST).await;
    w.close(LAST).await;
    // The self-evaluation reads the ledger: 100 %.
    let e = w.self_evaluate(last).await;
    let card = e.scorecard.expect("a self-evaluation's scorecard");
    assert_eq!(card.execution_rate, Rate::FULL);
    // The project shows what its line says.
    let (d, _) = w.app.library().project(&w.system, last).await.unwrap();
    assert_eq!(
        (d.project.header.approved, d.project.header.spent),
        (Money::from_yuan(100_000), Money::from_yuan(100_000))
    );

    let this = w
        .admitted(
            &Ask {
                previous: Some(last),
                ..Ask::default()
            },
            THIS,
        )
        .await;
    // ZB-5a: a fully executed project is not sent to focused review for its execution.
    let plan = w.app.review().review_plan(&w.system, this).await.unwrap();
    assert!(
        !plan.mode.reasons.iter().any(|r| r.contains("上年执行率")),
        "{plan:?}"
    );
    // CS-5a: no execution cut on it.
    w.approve_year(THIS).await;
    let items = w.run_items(THIS).await;
    let item = items.iter().find(|i| i.candidate.id == this).unwrap();
    assert_eq!(item.candidate.signals.execution_rate, Some(Rate::FULL));
    assert!(
        item.result.adjustments.iter().all(|a| a.clause != "CS-5a"),
        "{:?}",
        item.result.adjustments
    );
    assert_eq!(item.result.allocated, Money::from_yuan(100_000));
}

/// A 425,000 元 project carried whole into next year is a 425,000 元 project.
async fn zx_2_a_carried_over_project_is_counted_once(backend: Backend) {
    let Some(w) = World::new(backend, Preset::LianyungangCity).await else {
        return;
    };
    let p = w
        .admitted(
            &Ask {
                yuan: 425_000,
                ..Ask::default()
            },
            LAST,
        )
        .await;
    w.approve_year(LAST).await;
    let report = w.close(LAST).await;
    let carried = report
        .lines
        .iter()
        .find_map(|l| l.new_line_id)
        .expect("the project's balance is carried");
    w.pay(carried, 100_000, "31002", "carried-1", THIS).await;

    let trace = w
        .app
        .supervision()
        .trace(&Scope::new(&w.system, w.city), p)
        .await
        .unwrap();
    assert_eq!(trace.lines.len(), 2, "the line and its carry-over");
    assert_eq!(trace.execution.budget, Money::from_yuan(425_000));
    assert_eq!(trace.execution.spent, Money::from_yuan(100_000));
    assert!(!trace.flagged, "425,000 is below the 500,000 threshold");
    let listed = w
        .app
        .supervision()
        .supervised(&Scope::new(&w.system, w.city))
        .await
        .unwrap();
    assert!(listed.projects.iter().all(|f| f.id != p), "{listed:?}");
    let (d, _) = w.app.library().project(&w.system, p).await.unwrap();
    assert_eq!(d.project.header.approved, Money::from_yuan(425_000));
}

/// Every project funded last year is cut, cancelled, unchanged or increased; the base is stated.
async fn zx_3a_a_project_not_requested_again_is_cancelled_and_in_the_base(backend: Backend) {
    let Some(w) = World::new(backend, Preset::LianyungangCity).await else {
        return;
    };
    let a = w.admitted(&Ask::default(), LAST).await;
    w.admitted(
        &Ask {
            name: "校园安全设施改造",
            yuan: 200_000,
            ..Ask::default()
        },
        LAST,
    )
    .await;
    w.approve_year(LAST).await;
    // A continues at 80,000; B is not requested again; D is new.
    w.admitted(
        &Ask {
            yuan: 80_000,
            previous: Some(a),
            ..Ask::default()
        },
        THIS,
    )
    .await;
    w.admitted(
        &Ask {
            name: "智慧课堂试点",
            yuan: 30_000,
            ..Ask::default()
        },
        THIS,
    )
    .await;
    w.approve_year(THIS).await;
    let v = w
        .app
        .allocation()
        .allocation_year_on_year(&Scope::new(&w.system, w.city), THIS, None)
        .await
        .unwrap();
    let t = v.stats.overall;
    assert_eq!(t.base_count, 2);
    assert_eq!(t.last_year, Money::from_yuan(300_000));
    assert_eq!(
        (
            t.cut.count,
            t.cancelled.count,
            t.unchanged,
            t.increased.count
        ),
        (1, 1, 0, 0)
    );
    assert_eq!(
        t.cut.count + t.cancelled.count + t.unchanged + t.increased.count,
        t.base_count
    );
    assert_eq!((t.new.count, t.new.amount), (1, Money::from_yuan(30_000)));
    // A was not paid last year: CS-5a cuts its 80,000 by 10 % to 72,000; B's 200,000 is gone.
    assert_eq!(t.cut.amount, Money::from_yuan(28_000));
    assert_eq!(t.cancelled.amount, Money::from_yuan(200_000));
    assert_eq!(t.reduction, Money::from_yuan(228_000));
    assert_eq!(t.ratio, Rate(7_600));
    // The export states the base too.
    let xlsx = w
        .app
        .allocation()
        .export_year_on_year(&Scope::new(&w.system, w.city), THIS)
        .await
        .unwrap();
    assert!(!xlsx.is_empty());
    let _ = Status::Cancelled;
}

/// Under 淄博区: a project's balance is recovered at once, an upper transfer carried one year
/// and then recovered — even one entered in the general budget's book.
async fn qj_4b_zibo_recovers_project_balances_and_year_old_transfer_carryovers(backend: Backend) {
    let Some(w) = World::new(backend, Preset::ZiboDistrict).await else {
        return;
    };
    let p = w.admitted(&Ask::default(), LAST).await;
    w.approve_year(LAST).await;
    let line = w.lines_of(p, LAST).await[0].id;
    w.pay(line, 40_000, "31002", "zibo-1", LAST).await;
    let transfer = w
        .app
        .execution()
        .add_transfer_line(
            &Scope::new(&w.system, w.city),
            TransferLine {
                fiscal_year: LAST,
                unit_id: w.units[0],
                project_id: None,
                name: "上级补助设备购置".into(),
                economic_code: "31002".into(),
                fund_book: FundBook::GeneralPublic,
                three_guarantees: false,
                amount: Money::from_yuan(50_000),
                document: "鲁财教〔2025〕8号".into(),
            },
        )
        .await
        .unwrap();
    let first = w.close(LAST).await;
    let row = |r: &lingji_app::execution::year_end::YearEndReport, id: i64| {
        r.lines.iter().find(|l| l.line_id == id).cloned().unwrap()
    };
    let own = row(&first, line);
    assert_eq!(
        (own.carried, own.recovered, own.clause.as_str()),
        (Money::ZERO, Money::from_yuan(60_000), "QJ-4b")
    );
    let t = row(&first, transfer);
    assert_eq!(
        (t.carried, t.recovered),
        (Money::from_yuan(50_000), Money::ZERO)
    );
    let carried = t.new_line_id.unwrap();
    let second = w.close(THIS).await;
    let c = row(&second, carried);
    assert_eq!(
        (c.carried, c.recovered, c.clause.as_str()),
        (Money::ZERO, Money::from_yuan(50_000), "QJ-4b")
    );
}

/// A closed year takes no new line, transfer, supplement or payment.
async fn qj_4b_a_closed_year_refuses_every_money_movement(backend: Backend) {
    let Some(w) = World::new(backend, Preset::ZiboDistrict).await else {
        return;
    };
    let [(p, from), (_, to)] = w.two_approved_lines(LAST).await;
    w.close(LAST).await;

    let line = TransferLine {
        fiscal_year: LAST,
        unit_id: w.units[0],
        project_id: Some(p),
        name: "上级补助".into(),
        economic_code: "31002".into(),
        fund_book: FundBook::UpperTransfer,
        three_guarantees: false,
        amount: Money::from_yuan(10_000),
        document: "鲁财教〔2025〕9号".into(),
    };
    let r = refusal(
        w.app
            .execution()
            .add_transfer_line(&Scope::new(&w.system, w.city), line)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (r.code, r.clause, r.field.as_deref()),
        ("YEAR_CLOSED", Some("ZB-7b"), Some("fiscal_year"))
    );
    assert!(
        r.message.contains("2025 年度已完成年终结转"),
        "{}",
        r.message
    );
    let r = refusal(
        w.app
            .execution()
            .request_payment(
                &Scope::new(&w.system, w.city),
                w.payment(from, 1_000, "31002", "late-1", LAST),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (r.code, r.clause, r.field.as_deref()),
        ("YEAR_CLOSED", Some("ZB-7a"), Some("line_id"))
    );
    let transfer: AdjustmentDraft = serde_json::from_value(serde_json::json!({
        "kind": AdjustmentKind::Transfer, "from_line_id": from, "to_line_id": to,
        "amount": "1000", "reason": "结构调整"
    }))
    .unwrap();
    let r = refusal(
        w.app
            .execution()
            .request_adjustment(&Scope::new(&w.system, w.city), transfer)
            .await
            .unwrap_err(),
    );
    // The transfer out of a closed line is refused for its year before its balance.
    assert_eq!(
        (r.code, r.clause, r.field.as_deref()),
        ("YEAR_CLOSED", Some("ZB-7b"), Some("from_line_id"))
    );
    let supplement: AdjustmentDraft = serde_json::from_value(serde_json::json!({
        "kind": AdjustmentKind::Supplement, "project_id": p, "to_line_id": from,
        "amount": "1000", "reason": "追加设备"
    }))
    .unwrap();
    let r = refusal(
        w.app
            .execution()
            .request_adjustment(&Scope::new(&w.system, w.city), supplement)
            .await
            .unwrap_err(),
    );
    assert_eq!((r.code, r.clause), ("YEAR_CLOSED", Some("ZB-7b")));
}

/// After the close a unit asking to move money between its lines is told the year is closed
/// and where its money went — not that the line lacks the balance the close took away (found
/// by the short histories of `tests/histories.rs`).
async fn zb_7b_a_transfer_in_a_closed_year_is_refused_for_its_year_not_its_balance(
    backend: Backend,
) {
    let Some(w) = World::new(backend, Preset::LianyungangCity).await else {
        return;
    };
    let [(_, from), (_, to)] = w.two_approved_lines(THIS).await;
    w.app
        .foundation()
        .start_year(
            &Scope::new(&w.system, w.city),
            lingji_domain::foundation::codes::FiscalYear::new(THIS + 1).unwrap(),
            lingji_app::foundation::profiles::YearSource::Preset(Preset::LianyungangCity),
            false,
        )
        .await
        .unwrap();
    let closed = w.close(THIS).await;
    assert!(closed.carried > Money::ZERO, "{closed:?}");
    let transfer: AdjustmentDraft = serde_json::from_value(serde_json::json!({
        "kind": AdjustmentKind::Transfer, "from_line_id": from, "to_line_id": to,
        "amount": "1000", "reason": "实施进度调整"
    }))
    .unwrap();
    let r = refusal(
        w.app
            .execution()
            .request_adjustment(&Scope::new(&w.operators[0], w.city), transfer)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (r.code, r.clause, r.field.as_deref()),
        ("YEAR_CLOSED", Some("ZB-7b"), Some("from_line_id")),
        "{}",
        r.message
    );
    assert!(r.message.contains("2027 年度的结转指标"), "{}", r.message);
}

/// A well-formed economic code missing from the year's table is refused by its field.
async fn zb_15d_a_code_not_in_the_years_table_is_refused_by_its_field(backend: Backend) {
    let Some(w) = World::new(backend, Preset::LianyungangCity).await else {
        return;
    };
    let e = w
        .app
        .library()
        .create_project(
            &w.system,
            w.units[0],
            lingji_domain::foundation::codes::FiscalYear::new(THIS).unwrap(),
            &crate::common::draft(
                &Ask {
                    economic_code: "30298",
                    ..Ask::default()
                },
                THIS,
            ),
            None,
        )
        .await
        .unwrap_err();
    let AppError::Invalid { errors, .. } = e else {
        panic!("{e:?}")
    };
    let r = errors
        .iter()
        .find(|r| r.code == "CODE_NOT_IN_TABLE")
        .unwrap_or_else(|| panic!("{errors:?}"));
    assert_eq!(
        (r.field.as_deref(), r.clause),
        (Some("cost_lines[0].economic_code"), Some("ZB-15d"))
    );
}

/// 公务接待费 is not paid from a 302 public-expense line: no 三公 budget, no 三公 payment.
async fn zb_6b_a_302_line_is_no_sangong_budget(backend: Backend) {
    let Some(w) = World::new(backend, Preset::LianyungangCity).await else {
        return;
    };
    w.admitted(&Ask::default(), LAST).await;
    w.approve_year(LAST).await;
    let operations = w
        .lines(LAST)
        .await
        .into_iter()
        .find(|l| l.unit_id == w.units[0] && l.economic_code == "302")
        .expect("the unit's basic public expense line");
    let p = w
        .app
        .execution()
        .request_payment(
            &Scope::new(&w.system, w.city),
            w.payment(operations.id, 800, "30217", "reception-1", LAST),
        )
        .await
        .unwrap();
    assert_eq!(p.status, PaymentStatus::Blocked, "{p:?}");
    assert!(p.hits.iter().any(|h| h.code == "B02-02"), "{:?}", p.hits);
}

/// 淄博区's grade-linked cut is QJ-5b's, not CS-5b's.
async fn qj_5b_the_zibo_grade_cut_is_labelled_qj_5b(backend: Backend) {
    let Some(w) = World::new(backend, Preset::ZiboDistrict).await else {
        return;
    };
    let last = w.admitted(&Ask::default(), LAST).await;
    w.approve_year(LAST).await;
    w.close(LAST).await;
    // Nothing paid, nothing achieved: 差.
    let e = w.self_evaluate_missed(last).await;
    assert_eq!(e.grade_label, "差", "{e:?}");
    w.app
        .performance()
        .apply_result(
            &Scope::new(&w.system, w.city),
            LAST,
            &ApplyDraft {
                project_id: last,
                cut: String::new(),
                retire: false,
                reason: String::new(),
            },
        )
        .await
        .unwrap();
    let this = w
        .admitted(
            &Ask {
                previous: Some(last),
                ..Ask::default()
            },
            THIS,
        )
        .await;
    w.approve_year(THIS).await;
    let items = w.run_items(THIS).await;
    let item = items.iter().find(|i| i.candidate.id == this).unwrap();
    let grade = item
        .result
        .adjustments
        .iter()
        .find(|a| a.label.to_string().contains("上年绩效评价"))
        .unwrap_or_else(|| panic!("{:?}", item.result.adjustments));
    assert_eq!(grade.clause, "QJ-5b");
    assert_eq!(grade.amount, Money::from_yuan(10_000));
}

/// 涉及人的民生 is what the unit states and finance finds, not a guess from the class; the run
/// reads finance's finding.
async fn cs_2b_livelihood_is_stated_by_the_unit_and_found_by_finance(backend: Backend) {
    let Some(w) = World::new(backend, Preset::CsCity).await else {
        return;
    };
    let stated = |d: &mut lingji_app::library::projects::ProjectDraft| d.livelihood = true;
    // Stated and confirmed; stated and overruled; public service but not stated.
    let confirmed = w
        .create(
            &Ask {
                name: "困难学生生活补助",
                edit: stated,
                ..Ask::default()
            },
            THIS,
        )
        .await;
    w.admit(confirmed, None).await;
    let overruled = w
        .create(
            &Ask {
                name: "教师培训基地建设",
                edit: stated,
                ..Ask::default()
            },
            THIS,
        )
        .await;
    w.admit(overruled, Some(false)).await;
    let silent = w.admitted(&Ask::default(), THIS).await;
    for (id, said, found) in [
        (confirmed, true, Some(true)),
        (overruled, true, Some(false)),
        (silent, false, Some(false)),
    ] {
        let (d, history) = w.app.library().project(&w.system, id).await.unwrap();
        assert_eq!(
            (
                d.project.header.livelihood,
                d.project.header.livelihood_checked
            ),
            (said, found)
        );
        assert!(
            history.iter().any(|h| h.note.contains("涉及人的民生")),
            "{history:?}"
        );
    }
    w.approve_year(THIS).await;
    let items = w.run_items(THIS).await;
    let exempt = |id: i64| {
        items
            .iter()
            .find(|i| i.candidate.id == id)
            .unwrap()
            .candidate
            .livelihood
    };
    assert!(exempt(confirmed));
    assert!(!exempt(overruled));
    assert!(
        !exempt(silent),
        "a public-service project is not exempt by its class"
    );
}

/// A payment held when the year closes keeps its money on the line; rejected after the close,
/// that money is recovered in the same decision and the close's record grows by it — left on
/// the closed line it would never be paid, carried or recovered.
async fn zb_7a_a_payment_rejected_after_the_close_is_recovered_with_the_close(backend: Backend) {
    let Some(w) = World::new(backend, Preset::ZiboDistrict).await else {
        return;
    };
    let p = w.admitted(&Ask::default(), LAST).await;
    w.approve_year(LAST).await;
    let line = w.lines_of(p, LAST).await[0].id;
    let held = w
        .app
        .execution()
        .request_payment(
            &Scope::new(&w.system, w.city),
            w.payment(line, 2_000, "31002", "held-at-close", LAST),
        )
        .await
        .unwrap();
    assert!(
        matches!(held.status, PaymentStatus::Pending | PaymentStatus::Held),
        "{held:?}"
    );
    let closed = w.close(LAST).await;
    let rejected = w
        .app
        .execution()
        .decide_payment(
            &Scope::new(&w.system, w.city),
            held.id,
            Decision::Reject,
            "合同解除",
        )
        .await
        .unwrap();
    assert_eq!(rejected.status, PaymentStatus::Released);
    let report = w
        .app
        .year_end()
        .year_end_report(&Scope::new(&w.system, w.city), LAST)
        .await
        .unwrap();
    assert_eq!(
        report.recovered,
        closed
            .recovered
            .checked_add(Money::from_yuan(2_000))
            .unwrap()
    );
    let late = report
        .lines
        .iter()
        .find(|l| l.line_id == line && l.clause == "ZB-7a")
        .expect("the late recovery is in the close's record");
    assert_eq!(late.recovered, Money::from_yuan(2_000));
    let ledger = w
        .app
        .execution()
        .line_ledger(&Scope::new(&w.system, w.city), line)
        .await
        .unwrap();
    assert_eq!(ledger.line.balance.available(), Money::ZERO, "{ledger:?}");
    assert_eq!(
        w.app.foundation().verify_ledger().await.unwrap(),
        Ok(w.lines(LAST).await.len())
    );
    assert!(
        w.app
            .foundation()
            .verify_audit(None)
            .await
            .unwrap()
            .is_intact()
    );
}

/// Last year's budget raised by a 40 % supplement sends this year's continuation to focused
/// review for its adjustment rate (ZB-5a, 调整率高); a continuation of a line never adjusted
/// is not — both fully paid, so execution is no reason for either.
async fn zb_5a_last_years_adjustment_rate_is_read_from_its_lines(backend: Backend) {
    let Some(w) = World::new(backend, Preset::LianyungangCity).await else {
        return;
    };
    let raised = w.admitted(&Ask::default(), LAST).await;
    let steady = w
        .admitted(
            &Ask {
                name: "档案数字化加工",
                unit: 1,
                ..Ask::default()
            },
            LAST,
        )
        .await;
    w.approve_year(LAST).await;
    let line = w.lines_of(raised, LAST).await[0].id;
    let supplement: AdjustmentDraft = serde_json::from_value(serde_json::json!({
        "kind": AdjustmentKind::Supplement, "project_id": raised, "to_line_id": line,
        "amount": "40000", "reason": "政策标准提高，追加项目经费"
    }))
    .unwrap();
    let asked = w
        .app
        .execution()
        .request_adjustment(&Scope::new(&w.system, w.city), supplement)
        .await
        .unwrap();
    w.app
        .execution()
        .decide_adjustment(&Scope::new(&w.system, w.city), asked.id, true, "同意")
        .await
        .unwrap();
    w.pay(line, 140_000, "31002", "raised-1", LAST).await;
    let other = w.lines_of(steady, LAST).await[0].id;
    w.pay(other, 100_000, "31002", "steady-1", LAST).await;
    w.close(LAST).await;

    let again = |previous, unit| Ask {
        previous: Some(previous),
        unit,
        ..Ask::default()
    };
    let this = w.create(&again(raised, 0), THIS).await;
    let plan = w.app.review().review_plan(&w.system, this).await.unwrap();
    assert_eq!(plan.mode.mode, ReviewMode::Focused, "{plan:?}");
    assert!(
        plan.mode
            .reasons
            .iter()
            .any(|r| r.contains("上年调整率 40") && r.contains("ZB-5a")),
        "{plan:?}"
    );
    let this = w.create(&again(steady, 1), THIS).await;
    let plan = w.app.review().review_plan(&w.system, this).await.unwrap();
    assert!(
        !plan.mode.reasons.iter().any(|r| r.contains("上年调整率")),
        "{plan:?}"
    );
}

backend_tests!(
    zb_5a_last_years_adjustment_rate_is_read_from_its_lines,
    cs_2b_livelihood_is_stated_by_the_unit_and_found_by_finance,
    cs_5a_a_fully_paid_continuing_project_is_100_percent_executed,
    zx_2_a_carried_over_project_is_counted_once,
    zx_3a_a_project_not_requested_again_is_cancelled_and_in_the_base,
    qj_4b_zibo_recovers_project_balances_and_year_old_transfer_carryovers,
    qj_4b_a_closed_year_refuses_every_money_movement,
    zb_7b_a_transfer_in_a_closed_year_is_refused_for_its_year_not_its_balance,
    zb_7a_a_payment_rejected_after_the_close_is_recovered_with_the_close,
    zb_15d_a_code_not_in_the_years_table_is_refused_by_its_field,
    zb_6b_a_302_line_is_no_sangong_budget,
    qj_5b_the_zibo_grade_cut_is_labelled_qj_5b,
);
