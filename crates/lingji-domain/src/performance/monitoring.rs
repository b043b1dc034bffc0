//! Dual monitoring (双监控, PM-9, CS-3, QJ-5a, ZX-5): at the profile's checkpoints a unit records
//! how far each indicator has come; the spending rate comes from the ledger. Both are compared
//! with the time elapsed: behind by the profile's yellow gap or more is yellow, by its red gap or
//! more is red; the project takes the worse of the two lights.

use serde::{Deserialize, Serialize};

use crate::error::Refusal;
use crate::foundation::policy::{Performance, Rate};

labelled! {
    /// A monitoring light.
    Light {
        /// 绿灯: on track.
        Green = "green" / "绿灯",
        /// 黄灯: behind by the yellow gap or more.
        Yellow = "yellow" / "黄灯",
        /// 红灯: behind by the red gap or more.
        Red = "red" / "红灯",
    }
}

labelled! {
    /// The unit's judgement whether an indicator's annual target will be reached (the national
    /// monitoring form's "完成目标可能性").
    Likelihood {
        Certain = "certain" / "确定能",
        Possible = "possible" / "有可能",
        Impossible = "impossible" / "完全不可能",
    }
}

labelled! {
    /// Finance's decision on a monitored project (PM-9, CS-3: 偏差及时纠正；严重问题暂缓或停止拨款).
    Decision {
        /// 督促整改: the unit corrects; payments go on.
        Correct = "correct" / "督促整改",
        /// 暂缓拨款: payments are blocked until lifted.
        Suspend = "suspend" / "暂缓拨款",
        /// 停止拨款: payments are blocked; the project is not to go on.
        Stop = "stop" / "停止拨款",
    }
}

impl Decision {
    /// Whether the decision blocks the project's payments (PM-9).
    pub fn blocks_payments(self) -> bool {
        matches!(self, Decision::Suspend | Decision::Stop)
    }
}

/// One indicator's progress as the unit records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorProgress {
    /// The indicator's name (from the target table).
    pub name: String,
    /// Its annual target, as written in the target table.
    pub target: String,
    /// What has been reached so far, in words or a number.
    pub actual: String,
    /// Share of the annual target reached.
    pub progress: Rate,
    /// Whether the annual target will be reached.
    pub likelihood: Likelihood,
    /// Why it is behind, and what is done about it.
    pub reason: String,
}

/// The comparison of a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// Time elapsed at the checkpoint: month / 12.
    pub elapsed: Rate,
    /// Spent / budget from the ledger.
    pub spending_rate: Rate,
    /// Mean progress of the indicators (capped at 100% each).
    pub indicator_rate: Rate,
    /// Light of the spending rate.
    pub spending_light: Light,
    /// Light of the indicators.
    pub indicator_light: Light,
    /// The worse of the two.
    pub light: Light,
    /// Positions of the indicators behind by the yellow gap or more, or unlikely to be reached.
    pub off_track: Vec<usize>,
}

/// Share of the year gone at the end of `month` (1–12).
pub fn elapsed(month: u32) -> Rate {
    Rate(month.min(12) * 10_000 / 12)
}

/// The light of a progress against the time elapsed (PM-9).
pub fn light(progress: Rate, elapsed: Rate, p: &Performance) -> Light {
    let behind = Rate(elapsed.0.saturating_sub(progress.0));
    if behind >= p.monitoring_red_gap {
        Light::Red
    } else if behind >= p.monitoring_yellow_gap {
        Light::Yellow
    } else {
        Light::Green
    }
}

/// Compares a checkpoint's spending rate and indicator progress with the time elapsed; every
/// indicator behind or unlikely to be reached needs its reason (PM-9). `month` must be one of
/// the profile's checkpoints.
pub fn assess(
    month: u32,
    spending_rate: Rate,
    indicators: &[IndicatorProgress],
    p: &Performance,
) -> Result<Assessment, Vec<Refusal>> {
    let mut refusals = Vec::new();
    if !p.monitoring_months.0.contains(&month) {
        let months: Vec<String> = p
            .monitoring_months
            .0
            .iter()
            .map(|m| format!("{m} 月"))
            .collect();
        refusals.push(
            Refusal::new(
                "MONITORING_MONTH_NOT_CHECKPOINT",
                format!("{month} 月不是绩效监控时点（本级为 {}）", months.join("、")),
            )
            .field("month")
            .clause("PM-9"),
        );
    }
    if indicators.is_empty() {
        refusals.push(
            Refusal::new(
                "MONITORING_INDICATORS_MISSING",
                "项目没有绩效指标，无法监控；请先完善绩效目标表",
            )
            .field("indicators")
            .clause("PM-9"),
        );
    }
    let time = elapsed(month);
    let mut off_track = Vec::new();
    for (i, ind) in indicators.iter().enumerate() {
        let behind = light(ind.progress, time, p) != Light::Green;
        if behind || ind.likelihood != Likelihood::Certain {
            off_track.push(i);
            if ind.reason.trim().is_empty() {
                refusals.push(
                    Refusal::new(
                        "MONITORING_REASON_REQUIRED",
                        format!(
                            "指标“{}”进度 {} 落后于时间进度 {} 或目标可能无法完成，请说明原因和措施",
                            ind.name,
                            ind.progress.to_percent_display(),
                            time.to_percent_display()
                        ),
                    )
                    .field(format!("indicators[{i}].reason"))
                    .clause("PM-9"),
                );
            }
        }
        if ind.reason.chars().count() > 500 {
            refusals.push(
                Refusal::new("MONITORING_REASON_TOO_LONG", "原因说明不超过 500 个字")
                    .field(format!("indicators[{i}].reason")),
            );
        }
    }
    if !refusals.is_empty() {
        return Err(refusals);
    }
    let n = u64::try_from(indicators.len()).unwrap_or(1).max(1);
    let sum: u64 = indicators
        .iter()
        .map(|i| u64::from(i.progress.min(Rate::FULL).0))
        .sum();
    let indicator_rate = Rate(u32::try_from((sum * 2 + n) / (n * 2)).unwrap_or(u32::MAX));
    let spending_light = light(spending_rate, time, p);
    let indicator_light = light(indicator_rate, time, p);
    Ok(Assessment {
        elapsed: time,
        spending_rate,
        indicator_rate,
        spending_light,
        indicator_light,
        light: spending_light.max(indicator_light),
        off_track,
    })
}

impl PartialOrd for Light {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Light {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let rank = |l: &Light| match l {
            Light::Green => 0,
            Light::Yellow => 1,
            Light::Red => 2,
        };
        rank(self).cmp(&rank(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::policy::{Preset, preset};

    fn perf() -> Performance {
        preset(Preset::LianyungangCity).performance
    }

    fn progress(name: &str, pct: u32, likelihood: Likelihood, reason: &str) -> IndicatorProgress {
        IndicatorProgress {
            name: name.into(),
            target: "100".into(),
            actual: String::new(),
            progress: Rate::percent(pct),
            likelihood,
            reason: reason.into(),
        }
    }

    #[test]
    fn pm_9_lights_follow_the_gap_to_time_elapsed() {
        let p = perf(); // yellow 10%, red 20%
        let half = elapsed(6);
        assert_eq!(half, Rate::percent(50));
        assert_eq!(light(Rate::percent(50), half, &p), Light::Green);
        assert_eq!(light(Rate::percent(41), half, &p), Light::Green);
        assert_eq!(light(Rate::percent(40), half, &p), Light::Yellow);
        assert_eq!(light(Rate::percent(31), half, &p), Light::Yellow);
        assert_eq!(light(Rate::percent(30), half, &p), Light::Red);
        assert_eq!(light(Rate::percent(90), half, &p), Light::Green);
    }

    #[test]
    fn pm_9_the_project_takes_the_worse_light_and_behind_indicators_need_a_reason() {
        let p = perf();
        let on_track = [progress("培训人次", 60, Likelihood::Certain, "")];
        let a = assess(6, Rate::percent(25), &on_track, &p).unwrap();
        assert_eq!(
            (a.spending_light, a.indicator_light, a.light),
            (Light::Red, Light::Green, Light::Red)
        );
        assert!(a.off_track.is_empty());

        let behind = [
            progress("培训人次", 35, Likelihood::Possible, ""),
            progress("满意度", 100, Likelihood::Certain, ""),
        ];
        let errs = assess(6, Rate::percent(50), &behind, &p).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].code, "MONITORING_REASON_REQUIRED");
        assert_eq!(errs[0].field.as_deref(), Some("indicators[0].reason"));
        assert_eq!(errs[0].clause, Some("PM-9"));

        let explained = [
            progress(
                "培训人次",
                35,
                Likelihood::Possible,
                "场地改造推迟，9月集中培训",
            ),
            progress("满意度", 100, Likelihood::Certain, ""),
        ];
        let a = assess(6, Rate::percent(50), &explained, &p).unwrap();
        // Mean progress (35 + 100) / 2 = 67.5%: ahead of time, so the indicators are green.
        assert_eq!(a.indicator_rate, Rate(6_750));
        assert_eq!(a.light, Light::Green);
        assert_eq!(a.off_track, vec![0]);
    }

    #[test]
    fn pm_9_only_the_profiles_checkpoints_are_recorded() {
        let p = perf(); // June and September
        let ok = [progress("培训人次", 60, Likelihood::Certain, "")];
        let errs = assess(5, Rate::percent(50), &ok, &p).unwrap_err();
        assert_eq!(errs[0].code, "MONITORING_MONTH_NOT_CHECKPOINT");
        assert!(
            errs[0].message.contains("6 月、9 月"),
            "{}",
            errs[0].message
        );
        let ahead = [progress("培训人次", 80, Likelihood::Certain, "")];
        assert!(assess(9, Rate::percent(75), &ahead, &p).is_ok());
        assert_eq!(
            assess(6, Rate::percent(50), &[], &p).unwrap_err()[0].code,
            "MONITORING_INDICATORS_MISSING"
        );
    }
}
