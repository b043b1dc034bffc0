//! The demo's performance cycle of 2025: every project of last year self-evaluated with the
//! real scorecard (actual values spread from full achievement to well short, the execution
//! rate from its outcome), its result confirmed at the profile's proposal so this year's run
//! reads it (CS-5b), and a few targets and results published for the public pages (PM-5).

use lingji_domain::allocation::grade_cut;
use lingji_domain::performance::{
    Actual, Attainment, SelfEvaluation, indicator_weights, score_self,
};
use lingji_domain::policy::{Allocation, Performance, Rate, Score};
use lingji_domain::project::targets::Comparator;
use lingji_domain::{Money, Refusal};
use lingji_store::evaluations::{self as store, NewApplied, NewEvaluation};
use lingji_store::projects::ProjectDetail;
use rust_decimal::Decimal;
use sqlx::AnyConnection;

use crate::App;
use crate::caller::Caller;
use crate::disclosure::{PublicationKind, PublishDraft};
use crate::error::{AppError, AppResult};

/// Share of each target reached, by the project's place in the demo: from all to half.
const REACHED: [u32; 5] = [100, 95, 85, 70, 50];

/// The unit's entries for a project reaching `pct` percent of each target.
pub(crate) fn actuals(d: &ProjectDetail, pct: u32, perf: &Performance) -> SelfEvaluation {
    let weights = indicator_weights(&d.indicators, perf);
    let f = Decimal::new(i64::from(pct), 2);
    let short = pct < 100;
    let why = |text: &str| {
        if short {
            text.to_string()
        } else {
            String::new()
        }
    };
    let actuals = d
        .indicators
        .iter()
        .zip(&weights)
        .map(|(i, w)| {
            let mut a = Actual {
                reason: why("示范数据：部分任务推迟到次年实施"),
                remedy: why("示范数据：细化进度安排，按月调度"),
                ..Actual::default()
            };
            match (i.comparator, i.target_number()) {
                (Comparator::Qualitative, _) | (_, None) => {
                    let (attainment, tenths) = match pct {
                        90.. => (Attainment::Achieved, 10),
                        70.. => (Attainment::Partly, 7),
                        _ => (Attainment::NotAchieved, 4),
                    };
                    a.actual = attainment.label().to_string();
                    a.attainment = Some(attainment);
                    a.score = Some(Score(w.0 * tenths / 10));
                }
                (Comparator::AtMost, Some(t)) => {
                    a.actual = (t * (Decimal::TWO - f)).round_dp(2).normalize().to_string();
                }
                (_, Some(t)) => a.actual = (t * f).round_dp(2).normalize().to_string(),
            }
            a
        })
        .collect();
    SelfEvaluation {
        actuals,
        execution_reason: "示范数据：部分合同尾款未到支付节点".into(),
        execution_remedy: "示范数据：按合同节点加快支付".into(),
    }
}

/// Records the self-evaluation of a finished demo project of last year and confirms its
/// result at the profile's proposal.
pub(crate) async fn seed_self_evaluation(
    conn: &mut AnyConnection,
    d: &ProjectDetail,
    (approved, spent): (Money, Money),
    place: usize,
    (perf, cuts): (&Performance, &Allocation),
) -> AppResult<()> {
    let input = actuals(d, REACHED[place % REACHED.len()], perf);
    let card = score_self(&d.indicators, &input, Rate::ratio(spent, approved), perf).map_err(
        |errors: Vec<Refusal>| {
            AppError::Internal(format!(
                "demo self-evaluation refused: {:?}",
                errors.first()
            ))
        },
    )?;
    let h = &d.project.header;
    let subject = format!("project:{}", d.project.id);
    let id = store::put(
        conn,
        &NewEvaluation {
            jurisdiction_id: h.jurisdiction_id,
            fiscal_year: h.fiscal_year,
            kind: "self",
            subject_key: &subject,
            project_id: Some(d.project.id),
            target_id: None,
            department_id: h.department_id,
            unit_id: Some(h.unit_id),
            name: &h.name,
            agency_code: "",
            budget: approved,
            spent,
            score: card.total.0,
            grade: card.grade.as_str(),
            scorecard: serde_json::to_string(&card)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            findings: "示范数据：年度主要任务完成情况见各指标",
            report_attachment_id: None,
            by: "system",
        },
    )
    .await?;
    let proposed = grade_cut(card.grade, cuts);
    store::apply(
        conn,
        &NewApplied {
            project_id: d.project.id,
            evaluation_id: id,
            score: card.total.0,
            grade: card.grade.as_str(),
            proposed_rate: proposed.rate.0,
            cut_rate: proposed.rate.0,
            retire: proposed.retire,
            reason: "",
            by: "system",
        },
    )
    .await?;
    Ok(())
}

impl App {
    /// Publishes a few of the demo's 2025 self-evaluations and 2026 targets (PM-5).
    pub(crate) async fn load_demo_publications(&self, city: i64) -> AppResult<()> {
        let system = Caller::System;
        let evaluations = self.evaluations(&system, city, 2025, Some("self")).await?;
        // Six results spread over the departments, each with next year's targets.
        let step = (evaluations.len() / 6).max(1);
        for e in evaluations.iter().step_by(step).take(6) {
            let draft = PublishDraft {
                kind: PublicationKind::SelfEvaluation,
                source: e.id.to_string(),
            };
            self.publish(&system, city, &draft).await?;
            if let Some(p) = e.project_id {
                let mut conn = self.store.read().acquire().await?;
                let next = lingji_store::projects::successor(&mut conn, p).await?;
                drop(conn);
                if let Some(next) = next {
                    let draft = PublishDraft {
                        kind: PublicationKind::ProjectTargets,
                        source: next.to_string(),
                    };
                    self.publish(&system, city, &draft).await?;
                }
            }
        }
        Ok(())
    }
}
