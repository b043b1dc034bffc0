//! What units enter in a self-evaluation of a lived year: actual values spread from full
//! achievement to well short (PM-10).

use lingji_domain::foundation::policy::{Performance, Score};
use lingji_domain::library::targets::Comparator;
use lingji_domain::performance::{Actual, Attainment, SelfEvaluation, indicator_weights};
use lingji_store::library::projects::ProjectDetail;
use rust_decimal::Decimal;

/// Share of each target a unit reports reached: from all to half.
pub(crate) const REACHED: [u32; 5] = [100, 95, 85, 70, 50];

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
