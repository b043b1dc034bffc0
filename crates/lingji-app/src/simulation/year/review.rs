//! 审核: the department, finance, the joint bodies and the panel in turn on every submitted
//! project; finance records the gates the admitted ones need.

use lingji_domain::Money;
use lingji_domain::library::{Features, MatterClass, ProjectState};
use lingji_domain::review::gates::{CapacityResult, GateRecord, ProviderKind};
use lingji_store::library::projects::ProjectHeader;

use super::{Counts, Sim};
use crate::error::{AppError, AppResult};
use crate::review::flow::{PanelInput, PointInput, ReviewInput, ReviewRecord};
use crate::simulation::jurisdiction::{self, SPECIAL_FUND};

/// What the review step did, counted.
#[derive(Default)]
struct Tally {
    returned: i64,
    rejected: i64,
    admitted: i64,
    postponed: i64,
    joint: i64,
    gates: i64,
}

/// 审核: the department ranks or returns (the unit resubmits), finance passes with 财政审核数
/// or rejects, every routed joint body answers, the panel admits on the four points; finance
/// records the gates the admitted projects need.
pub(super) async fn review(sim: &mut Sim<'_>, year: i32) -> AppResult<Counts> {
    let mut tally = Tally::default();
    let submitted = sim.submitted.clone();
    for (rank, id) in submitted.iter().enumerate() {
        review_project(sim, year, rank, *id, &mut tally).await?;
    }
    Ok(vec![
        ("returned", tally.returned),
        ("rejected", tally.rejected),
        ("admitted", tally.admitted),
        ("postponed", tally.postponed),
        ("joint_answers", tally.joint),
        ("gates", tally.gates),
    ])
}

/// One project through every desk, `rank` its place in its department's order.
async fn review_project(
    sim: &mut Sim<'_>,
    year: i32,
    rank: usize,
    id: i64,
    tally: &mut Tally,
) -> AppResult<()> {
    let (detail, _) = sim.app.library().project(&sim.j.finance, id).await?;
    let h = detail.project.header.clone();
    let rec = department(sim, &h, rank, id, tally).await?;
    let Some((rec, reviewed)) = finance(sim, &h, id, rec, tally).await? else {
        return Ok(());
    };
    let rec = joint_answers(sim, id, rec, tally).await?;
    let finance = sim.j.finance.clone();
    let mut admit = input("admit", "", rec.version);
    admit.panel = Some(PanelInput {
        necessity: agreed("必要"),
        basis: agreed("依据充分"),
        progress_match: agreed("与进度匹配"),
        benefit: agreed("效益明确"),
        recommended: rec.review.reviewed.unwrap_or(reviewed).to_plain(),
    });
    let rec = sim
        .app
        .review()
        .review_project(&finance, id, &admit)
        .await?;
    match rec.state {
        ProjectState::Admitted => tally.admitted += 1,
        ProjectState::Postponed => tally.postponed += 1,
        _ => {}
    }
    for record in gate_records(sim, &h.features, h.matter_class, year) {
        sim.app.review().record_gate(&finance, id, record).await?;
        tally.gates += 1;
    }
    Ok(())
}

/// The department passes the project at its rank, now and then after returning it once for
/// the unit to resubmit.
async fn department(
    sim: &mut Sim<'_>,
    h: &ProjectHeader,
    rank: usize,
    id: i64,
    tally: &mut Tally,
) -> AppResult<ReviewRecord> {
    let reviewer = sim.reviewer_of(h.unit_id)?;
    let operator = sim.operator_of(h.unit_id)?;
    let mut rec = sim.app.review().review_record(&reviewer, id).await?;
    if sim.rng.chance(12) {
        rec = sim
            .app
            .review()
            .review_project(
                &reviewer,
                id,
                &input(
                    "return",
                    "请细化测算依据，补充指标值的测算过程",
                    rec.version,
                ),
            )
            .await?;
        let moved = sim
            .app
            .library()
            .move_project(
                &operator,
                id,
                ProjectState::Submitted,
                "已按意见补充测算依据",
                rec.version,
            )
            .await?;
        rec.version = moved.project.version;
        tally.returned += 1;
    }
    let mut pass = input("pass", "", rec.version);
    pass.rank = Some(u32::try_from(rank + 1).unwrap_or(1));
    sim.app.review().review_project(&reviewer, id, &pass).await
}

/// Finance rejects now and then, else passes with its 财政审核数; answers the record and that
/// figure, or nothing when rejected.
async fn finance(
    sim: &mut Sim<'_>,
    h: &ProjectHeader,
    id: i64,
    rec: ReviewRecord,
    tally: &mut Tally,
) -> AppResult<Option<(ReviewRecord, Money)>> {
    let finance = sim.j.finance.clone();
    if sim.rng.chance(8) {
        sim.app
            .review()
            .review_project(
                &finance,
                id,
                &input("reject", "绩效目标不明确，不予入库", rec.version),
            )
            .await?;
        tally.rejected += 1;
        return Ok(None);
    }
    // 财政审核数: the request, or up to a tenth less for single-year projects (a multi-year
    // plan must keep its year's need, QJ-2b).
    let multi = h.period.is_some_and(|p| p.end_year > p.start_year);
    let cut = if multi { 0 } else { sim.rng.below(11) };
    let reviewed = Money::from_fen(h.request.fen() / 100 * (100 - i64::try_from(cut).unwrap_or(0)));
    let mut pass = input("pass", "", rec.version);
    pass.reviewed = Some(reviewed.to_plain());
    let rec = sim.app.review().review_project(&finance, id, &pass).await?;
    Ok(Some((rec, reviewed)))
}

/// Every joint body the project was routed to and has not answered agrees.
async fn joint_answers(
    sim: &mut Sim<'_>,
    id: i64,
    mut rec: ReviewRecord,
    tally: &mut Tally,
) -> AppResult<ReviewRecord> {
    for (body, answered) in rec.routes.clone() {
        if answered {
            continue;
        }
        let caller = sim
            .j
            .joint
            .iter()
            .find(|(b, _)| *b == body.as_str())
            .map(|(_, c)| c.clone())
            .ok_or_else(|| AppError::Internal(format!("no joint reviewer {}", body.as_str())))?;
        rec = sim
            .app
            .review()
            .review_project(&caller, id, &input("agree", "同意", rec.version))
            .await?;
        tally.joint += 1;
    }
    Ok(rec)
}

fn input(decision: &str, opinion: &str, version: i64) -> ReviewInput {
    ReviewInput {
        decision: decision.into(),
        opinion: opinion.into(),
        expected_version: version,
        ..ReviewInput::default()
    }
}

fn agreed(comment: &str) -> PointInput {
    PointInput {
        agreed: true,
        comment: comment.into(),
    }
}

/// The findings finance records so an admitted project may be funded (CS-2a, ZB-2c, ZB-12,
/// ZB-2d); purchases of services are recorded for about half, the rest stay excluded (ZB-8).
fn gate_records(
    sim: &mut Sim<'_>,
    f: &Features,
    class: Option<MatterClass>,
    year: i32,
) -> Vec<GateRecord> {
    let mut out = Vec::new();
    if f.key_matters_item {
        out.push(GateRecord::KeyMatter {
            item_code: jurisdiction::key_matter(year),
        });
    }
    if f.government_investment {
        out.push(GateRecord::FiscalCapacity {
            result: CapacityResult::Passed,
            note: "未超过一般公共预算支出 10% 红线".into(),
        });
    }
    if f.special_fund {
        out.push(GateRecord::SpecialFund {
            fund_code: SPECIAL_FUND.into(),
        });
    }
    if f.industry_fund_eligible || class == Some(MatterClass::IndustrySupport) {
        out.push(GateRecord::IndustryFund {
            fundable: false,
            note: "不符合产业基金投资条件，由预算安排".into(),
        });
    }
    if f.purchase_of_services && sim.rng.chance(50) {
        out.push(GateRecord::PurchaseOfServices {
            item: "技术性服务".into(),
            provider: format!("{}检测技术有限公司", sim.j.place),
            provider_kind: ProviderKind::Enterprise,
        });
    }
    out
}
