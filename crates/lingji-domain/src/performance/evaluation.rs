//! Evaluation scorecards (PM-10, NAT-10). A self-evaluation scores every indicator of the
//! target table with the formulas of [`super::scoring`] under the profile's level weights
//! (预算执行率 10, 产出 50, 效益 30, 满意度 10 by default) and needs a reason and a remedy
//! wherever a score falls short. A key evaluation scores the 决策 / 过程 / 产出 / 效益 framework
//! whose dimension weights the profile sets. Both end in a total out of 100 and a grade.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::scoring::{Attainment, execution, qualitative, quantitative, split_weight};
use crate::allocation::Grade;
use crate::error::Refusal;
use crate::foundation::policy::{Performance, Rate, Score};
use crate::library::targets::{Comparator, Indicator, IndicatorCategory, IndicatorLevel};

/// What the unit enters for one indicator after the year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actual {
    /// The actual value: a number for ≥ ≤ =, words for 定性.
    pub actual: String,
    /// 定性 only: the finding.
    pub attainment: Option<Attainment>,
    /// 定性 only: the score given, inside the finding's band.
    pub score: Option<Score>,
    /// Why it fell short (偏差原因).
    #[serde(default)]
    pub reason: String,
    /// What will be done (改进措施).
    #[serde(default)]
    pub remedy: String,
}

/// A self-evaluation as entered: one [`Actual`] per indicator of the target table, in order,
/// and the reason and remedy for the execution rate when it falls short.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfEvaluation {
    pub actuals: Vec<Actual>,
    /// Why the budget was not fully spent.
    #[serde(default)]
    pub execution_reason: String,
    /// What will be done about it.
    #[serde(default)]
    pub execution_remedy: String,
}

/// One scored row of the self-evaluation table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoredIndicator {
    /// Second-level category.
    pub category: IndicatorCategory,
    pub name: String,
    pub comparator: Comparator,
    pub target: String,
    /// Unit of the value.
    pub unit: String,
    pub actual: String,
    /// Weight (分值).
    pub weight: Score,
    /// Score (得分).
    pub score: Score,
    /// Reason it fell short.
    pub reason: String,
    pub remedy: String,
}

impl ScoredIndicator {
    /// The target as a table shows it: "≥3000人次", or the words of a qualitative one.
    pub fn target_text(&self) -> String {
        if self.comparator == Comparator::Qualitative {
            self.target.clone()
        } else {
            format!("{}{}{}", self.comparator.label(), self.target, self.unit)
        }
    }
}

/// A scored self-evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scorecard {
    /// Budget execution rate from the ledger.
    pub execution_rate: Rate,
    pub execution_weight: Score,
    pub execution_score: Score,
    /// Why it fell short.
    pub execution_reason: String,
    pub execution_remedy: String,
    pub indicators: Vec<ScoredIndicator>,
    /// Total out of 100.
    pub total: Score,
    /// Grade by the profile's bands.
    pub grade: Grade,
}

/// The weight of each level: the profile's, with the weight of a level that has no indicator
/// spread over the others in proportion to theirs, so the levels still make up 100 (the first
/// present level takes the remainder).
fn level_weights(targets: &[Indicator], p: &Performance) -> [(IndicatorLevel, Score); 3] {
    let levels = [
        (IndicatorLevel::Output, p.weight_output),
        (IndicatorLevel::Benefit, p.weight_benefit),
        (IndicatorLevel::Satisfaction, p.weight_satisfaction),
    ];
    let present = |l: IndicatorLevel| targets.iter().any(|i| i.category.level() == l);
    let kept: u32 = levels
        .iter()
        .filter(|(l, _)| present(*l))
        .map(|(_, w)| w.0)
        .sum();
    let absent: u32 = levels
        .iter()
        .filter(|(l, _)| !present(*l))
        .map(|(_, w)| w.0)
        .sum();
    if kept == 0 {
        return levels;
    }
    let mut out = levels.map(|(l, w)| {
        let extra = if present(l) {
            u32::try_from(u64::from(absent) * u64::from(w.0) / u64::from(kept)).unwrap_or(0)
        } else {
            0
        };
        (
            l,
            if present(l) {
                Score(w.0 + extra)
            } else {
                Score(0)
            },
        )
    });
    let given: u32 = out.iter().map(|(_, w)| w.0).sum();
    if let Some(first) = out.iter_mut().find(|(l, _)| present(*l)) {
        first.1 = Score(first.1.0 + (kept + absent).saturating_sub(given));
    }
    out
}

/// Each indicator's weight, in table order: its level's weight split evenly over the level's
/// indicators, exact to the hundredth (NAT-10).
pub fn indicator_weights(targets: &[Indicator], p: &Performance) -> Vec<Score> {
    let mut weights = vec![Score(0); targets.len()];
    for (level, w) in level_weights(targets, p) {
        let positions: Vec<usize> = (0..targets.len())
            .filter(|i| targets[*i].category.level() == level)
            .collect();
        for (pos, part) in positions.iter().zip(split_weight(w, positions.len())) {
            weights[*pos] = part;
        }
    }
    weights
}

fn short(code: &'static str, message: String, field: String) -> Refusal {
    Refusal::new(code, message).field(field).clause("PM-10")
}

/// Scores a self-evaluation (PM-10, NAT-10): each indicator by its formula under its share of
/// its level's weight, the execution rate under its own weight, the total and the grade.
/// Refuses missing or malformed actual values, qualitative scores outside their band, and any
/// shortfall without both a reason and a remedy — every problem with its row.
pub fn score_self(
    targets: &[Indicator],
    input: &SelfEvaluation,
    execution_rate: Rate,
    p: &Performance,
) -> Result<Scorecard, Vec<Refusal>> {
    check_table(targets, input)?;
    let mut refusals = Vec::new();
    let weights = indicator_weights(targets, p);
    let rows: Vec<ScoredIndicator> = targets
        .iter()
        .zip(&input.actuals)
        .enumerate()
        .map(|(i, (target, given))| score_row(i, target, given, weights[i], &mut refusals))
        .collect();
    let execution_score = execution(execution_rate, p.weight_execution);
    if execution_score < p.weight_execution {
        for (text, what, f) in [
            (&input.execution_reason, "偏差原因", "execution_reason"),
            (&input.execution_remedy, "改进措施", "execution_remedy"),
        ] {
            if text.trim().is_empty() {
                refusals.push(short(
                    "EVALUATION_SHORTFALL_UNEXPLAINED",
                    format!(
                        "预算执行率 {} 未得满分，须填写{what}",
                        execution_rate.to_percent_display()
                    ),
                    f.into(),
                ));
            }
        }
    }
    if !refusals.is_empty() {
        return Err(refusals);
    }
    let total = Score(execution_score.0 + rows.iter().map(|r| r.score.0).sum::<u32>());
    Ok(Scorecard {
        execution_rate,
        execution_weight: p.weight_execution,
        execution_score,
        execution_reason: input.execution_reason.trim().to_string(),
        execution_remedy: input.execution_remedy.trim().to_string(),
        indicators: rows,
        total,
        grade: Grade::of_score(total, p),
    })
}

/// Nothing is scored without a target table, or with actual values that do not match it row
/// for row.
fn check_table(targets: &[Indicator], input: &SelfEvaluation) -> Result<(), Vec<Refusal>> {
    if targets.is_empty() {
        return Err(vec![short(
            "EVALUATION_INDICATORS_MISSING",
            "没有绩效指标，无法评价；请先完善绩效目标表".into(),
            "indicators".into(),
        )]);
    }
    if input.actuals.len() != targets.len() {
        return Err(vec![short(
            "EVALUATION_ACTUALS_MISMATCH",
            format!(
                "绩效目标表有 {} 个指标，填报了 {} 个实际完成值",
                targets.len(),
                input.actuals.len()
            ),
            "actuals".into(),
        )]);
    }
    Ok(())
}

/// Row `i` scored under weight `w`; a shortfall needs both a reason and a remedy. Problems go to
/// `refusals`, the row scoring 0 for a value that cannot be scored.
fn score_row(
    i: usize,
    target: &Indicator,
    given: &Actual,
    w: Score,
    refusals: &mut Vec<Refusal>,
) -> ScoredIndicator {
    let field = |f: &str| format!("actuals[{i}].{f}");
    let score = if target.is_quantitative() {
        quantitative_score(target, given, w, field("actual"), refusals)
    } else {
        qualitative_score(target, given, w, &field, refusals)
    };
    if score < w {
        for (text, what, f) in [
            (&given.reason, "偏差原因", "reason"),
            (&given.remedy, "改进措施", "remedy"),
        ] {
            if text.trim().is_empty() {
                refusals.push(short(
                    "EVALUATION_SHORTFALL_UNEXPLAINED",
                    format!("指标“{}”未得满分，须填写{what}", target.name),
                    field(f),
                ));
            }
        }
    }
    ScoredIndicator {
        category: target.category,
        name: target.name.clone(),
        comparator: target.comparator,
        target: target.target_value.clone(),
        unit: target.unit.clone(),
        actual: given.actual.trim().to_string(),
        weight: w,
        score,
        reason: given.reason.trim().to_string(),
        remedy: given.remedy.trim().to_string(),
    }
}

/// A quantitative indicator by its formula; a percent sign after the value is allowed.
fn quantitative_score(
    target: &Indicator,
    given: &Actual,
    w: Score,
    field: String,
    refusals: &mut Vec<Refusal>,
) -> Score {
    let actual = given.actual.trim().trim_end_matches(['%', '％']).trim();
    match (target.target_number(), actual.parse::<Decimal>()) {
        (Some(t), Ok(a)) => quantitative(target.comparator, t, a, w),
        (None, _) => {
            refusals.push(short(
                "INDICATOR_VALUE_NOT_NUMBER",
                format!("指标“{}”的目标值不是数字，无法计分", target.name),
                field,
            ));
            Score(0)
        }
        (_, Err(_)) => {
            refusals.push(short(
                "EVALUATION_ACTUAL_NOT_NUMBER",
                format!("指标“{}”为定量指标，实际完成值须为数字", target.name),
                field,
            ));
            Score(0)
        }
    }
}

/// A qualitative indicator: its attainment and the score given within the attainment's band.
fn qualitative_score(
    target: &Indicator,
    given: &Actual,
    w: Score,
    field: &dyn Fn(&str) -> String,
    refusals: &mut Vec<Refusal>,
) -> Score {
    match (given.attainment, given.score) {
        (Some(a), Some(s)) => qualitative(a, s, w).unwrap_or_else(|mut r| {
            r.field = Some(field("score"));
            refusals.push(r);
            Score(0)
        }),
        _ => {
            refusals.push(short(
                "EVALUATION_QUALITATIVE_INCOMPLETE",
                format!("定性指标“{}”须选择达成情况并给出得分", target.name),
                field("attainment"),
            ));
            Score(0)
        }
    }
}

labelled! {
    /// Who evaluates (PM-10): the unit itself after the year (单位自评) or finance, for a few
    /// projects chosen each year (财政重点评价).
    EvaluationKind {
        SelfEvaluation = "self" / "单位自评",
        Key = "key" / "财政重点评价",
    }
}

labelled! {
    /// First-level dimension of the key-evaluation framework (PM-10).
    Dimension {
        Decision = "decision" / "决策",
        Process = "process" / "过程",
        Output = "output" / "产出",
        Benefit = "benefit" / "效益",
    }
}

impl Dimension {
    /// The profile's weight of the dimension.
    pub fn weight(self, p: &Performance) -> Score {
        match self {
            Dimension::Decision => p.key_weight_decision,
            Dimension::Process => p.key_weight_process,
            Dimension::Output => p.key_weight_output,
            Dimension::Benefit => p.key_weight_benefit,
        }
    }
}

/// One indicator of a key evaluation as the evaluator scores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyItem {
    pub dimension: Dimension,
    /// Indicator, e.g. 立项依据充分性.
    pub name: String,
    pub weight: Score,
    pub score: Score,
}

/// A dimension's weight and score in a key evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionScore {
    pub dimension: Dimension,
    pub weight: Score,
    pub score: Score,
}

/// A scored key evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyScorecard {
    pub items: Vec<KeyItem>,
    pub dimensions: Vec<DimensionScore>,
    /// Total out of 100.
    pub total: Score,
    pub grade: Grade,
}

/// Scores a key evaluation (PM-10): each dimension's indicator weights must make up the
/// profile's weight of the dimension, and no score may exceed its weight.
pub fn score_key(items: &[KeyItem], p: &Performance) -> Result<KeyScorecard, Vec<Refusal>> {
    let mut refusals = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.name.trim().is_empty() {
            refusals.push(short(
                "KEY_INDICATOR_NAME_MISSING",
                format!("第 {} 个评价指标缺少名称", i + 1),
                format!("items[{i}].name"),
            ));
        }
        if item.score > item.weight {
            refusals.push(short(
                "KEY_SCORE_ABOVE_WEIGHT",
                format!("评价指标“{}”的得分高于其分值", item.name),
                format!("items[{i}].score"),
            ));
        }
    }
    let mut dimensions = Vec::new();
    for d in Dimension::ALL.iter().copied() {
        let of = || items.iter().filter(move |i| i.dimension == d);
        let weight = Score(of().map(|i| i.weight.0).sum());
        if weight != d.weight(p) {
            refusals.push(short(
                "KEY_WEIGHTS_MISMATCH",
                format!(
                    "“{}”类指标分值合计 {}，应为 {}",
                    d.label(),
                    crate::review::gates::show(weight),
                    crate::review::gates::show(d.weight(p))
                ),
                format!("items.{}", d.as_str()),
            ));
        }
        dimensions.push(DimensionScore {
            dimension: d,
            weight,
            score: Score(of().map(|i| i.score.0.min(i.weight.0)).sum()),
        });
    }
    if !refusals.is_empty() {
        return Err(refusals);
    }
    let total = Score(dimensions.iter().map(|d| d.score.0).sum());
    Ok(KeyScorecard {
        items: items.to_vec(),
        dimensions,
        total,
        grade: Grade::of_score(total, p),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::policy::{Preset, preset};

    fn perf() -> Performance {
        preset(Preset::LianyungangCity).performance
    }

    fn ind(category: IndicatorCategory, name: &str, c: Comparator, t: &str) -> Indicator {
        Indicator {
            category,
            name: name.into(),
            comparator: c,
            target_value: t.into(),
            unit: if c == Comparator::Qualitative {
                String::new()
            } else {
                "个".into()
            },
        }
    }

    fn actual(v: &str) -> Actual {
        Actual {
            actual: v.into(),
            ..Actual::default()
        }
    }

    fn table() -> Vec<Indicator> {
        use IndicatorCategory::*;
        vec![
            ind(Quantity, "培训人次", Comparator::AtLeast, "3000"),
            ind(Cost, "人均成本", Comparator::AtMost, "200"),
            ind(Social, "教师能力提升", Comparator::Qualitative, "明显提升"),
            ind(Satisfaction, "参训满意度", Comparator::AtLeast, "90%"),
        ]
    }

    #[test]
    fn pm_10_a_self_evaluation_at_every_target_scores_100_and_grades_excellent() {
        let input = SelfEvaluation {
            actuals: vec![
                actual("3200"),
                actual("180"),
                Actual {
                    actual: "教师能力明显提升".into(),
                    attainment: Some(Attainment::Achieved),
                    score: Some(Score::points(30)),
                    ..Actual::default()
                },
                actual("95%"),
            ],
            ..SelfEvaluation::default()
        };
        let s = score_self(&table(), &input, Rate::FULL, &perf()).unwrap();
        // 产出 50 split over two indicators, 效益 30, 满意度 10, execution 10.
        let weights: Vec<u32> = s.indicators.iter().map(|r| r.weight.0).collect();
        assert_eq!(weights, vec![2_500, 2_500, 3_000, 1_000]);
        assert_eq!(s.total, Score::points(100));
        assert_eq!(s.grade, Grade::Excellent);
    }

    #[test]
    fn nat_10_shortfalls_lower_the_grade_and_each_needs_a_reason_and_a_remedy() {
        let mut input = SelfEvaluation {
            actuals: vec![
                actual("2250"), // 3/4 of 25 = 18.75
                actual("300"),  // 1.5T on ≤: half of 25 = 12.5
                Actual {
                    actual: "部分提升".into(),
                    attainment: Some(Attainment::Partly),
                    score: Some(Score::points(20)),
                    ..Actual::default()
                },
                actual("90"),
            ],
            ..SelfEvaluation::default()
        };
        let errs = score_self(&table(), &input, Rate::percent(80), &perf()).unwrap_err();
        let fields: Vec<&str> = errs.iter().filter_map(|r| r.field.as_deref()).collect();
        assert_eq!(
            fields,
            vec![
                "actuals[0].reason",
                "actuals[0].remedy",
                "actuals[1].reason",
                "actuals[1].remedy",
                "actuals[2].reason",
                "actuals[2].remedy",
                "execution_reason",
                "execution_remedy"
            ]
        );
        assert!(errs.iter().all(|r| r.clause == Some("PM-10")));
        for a in &mut input.actuals[..3] {
            a.reason = "原因".into();
            a.remedy = "措施".into();
        }
        input.execution_reason = "项目延期".into();
        input.execution_remedy = "加快进度".into();
        let s = score_self(&table(), &input, Rate::percent(80), &perf()).unwrap();
        // 18.75 + 12.5 + 20 + 10 + 8 = 69.25 → 中.
        assert_eq!(s.total, Score(6_925));
        assert_eq!(s.grade, Grade::Fair);
    }

    #[test]
    fn nat_10_bad_actuals_and_out_of_band_scores_are_refused_by_row() {
        let input = SelfEvaluation {
            actuals: vec![
                actual("很多"),
                actual("180"),
                Actual {
                    actual: "提升".into(),
                    attainment: Some(Attainment::Achieved),
                    score: Some(Score::points(10)),
                    reason: "r".into(),
                    remedy: "r".into(),
                },
                actual("95"),
            ],
            ..SelfEvaluation::default()
        };
        let errs = score_self(&table(), &input, Rate::FULL, &perf()).unwrap_err();
        let codes: Vec<(&str, Option<&str>)> =
            errs.iter().map(|r| (r.code, r.field.as_deref())).collect();
        assert!(codes.contains(&("EVALUATION_ACTUAL_NOT_NUMBER", Some("actuals[0].actual"))));
        assert!(codes.contains(&("QUALITATIVE_SCORE_OUT_OF_BAND", Some("actuals[2].score"))));
        let one_short = SelfEvaluation {
            actuals: vec![actual("1")],
            ..SelfEvaluation::default()
        };
        assert_eq!(
            score_self(&table(), &one_short, Rate::FULL, &perf()).unwrap_err()[0].code,
            "EVALUATION_ACTUALS_MISMATCH"
        );
    }

    #[test]
    fn nat_10_a_missing_level_gives_its_weight_to_the_others_in_proportion() {
        use IndicatorCategory::*;
        let targets = vec![
            ind(Quantity, "培训人次", Comparator::AtLeast, "10"),
            ind(Social, "受益人数", Comparator::AtLeast, "10"),
        ];
        // 满意度 10 spread 50 : 30 → 产出 56.25, 效益 33.75; with execution 10 still 100.
        let w = level_weights(&targets, &perf());
        assert_eq!(w.map(|(_, s)| s.0), [5_625, 3_375, 0]);
        let input = SelfEvaluation {
            actuals: vec![actual("10"), actual("10")],
            ..SelfEvaluation::default()
        };
        let s = score_self(&targets, &input, Rate::FULL, &perf()).unwrap();
        assert_eq!(s.total, Score::points(100));
    }

    fn key(d: Dimension, w: u32, s: u32) -> KeyItem {
        KeyItem {
            dimension: d,
            name: format!("{}指标", d.label()),
            weight: Score::points(w),
            score: Score::points(s),
        }
    }

    #[test]
    fn pm_10_key_evaluation_weights_come_from_the_profile() {
        let p = perf();
        let (dw, pw, ow, bw) = (
            p.key_weight_decision.0 / 100,
            p.key_weight_process.0 / 100,
            p.key_weight_output.0 / 100,
            p.key_weight_benefit.0 / 100,
        );
        let items = vec![
            key(Dimension::Decision, dw, dw),
            key(Dimension::Process, pw, pw - 5),
            key(Dimension::Output, ow, ow),
            key(Dimension::Benefit, bw, bw - 10),
        ];
        let s = score_key(&items, &p).unwrap();
        assert_eq!(s.total, Score::points(85));
        assert_eq!(s.grade, Grade::Good);

        let mut wrong = items.clone();
        wrong[1].weight = Score::points(pw + 1);
        wrong[2].score = Score::points(ow + 1);
        let errs = score_key(&wrong, &p).unwrap_err();
        let codes: Vec<&str> = errs.iter().map(|r| r.code).collect();
        assert_eq!(
            codes,
            vec!["KEY_SCORE_ABOVE_WEIGHT", "KEY_WEIGHTS_MISMATCH"]
        );
        assert_eq!(errs[1].field.as_deref(), Some("items.process"));
    }
}
