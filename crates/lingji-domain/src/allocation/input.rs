//! What the allocation run reads about each candidate: the project (or a unit's basic
//! expenditure) as review left it, and last year's results.

use serde::{Deserialize, Serialize};

use crate::foundation::fund::FundBook;
use crate::foundation::policy::{Rate, Score};
use crate::library::tier::{Guarantee, SpendingTier};
use crate::money::Money;

/// What results application does to next year's budget of an evaluated project (PM-13,
/// CS-5b, QJ-5b): cut it by a rate, or retire it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultCut {
    /// Share of the reviewed amount taken off.
    pub rate: Rate,
    /// The project (or special fund) is retired: nothing next year.
    pub retire: bool,
}

labelled! {
    /// Last year's evaluation grade (PM-10), as results application reads it (CS-5b, QJ-5b).
    Grade: custom {
        Excellent = "excellent" / "优",
        Good = "good" / "良",
        Fair = "fair" / "中",
        Poor = "poor" / "差",
    }
}

impl Grade {
    /// The grade of a score by the profile's bands (NAT-10, PM-10).
    pub fn of_score(score: Score, bands: &crate::foundation::policy::Performance) -> Grade {
        if score >= bands.grade_excellent_min {
            Grade::Excellent
        } else if score >= bands.grade_good_min {
            Grade::Good
        } else if score >= bands.grade_fair_min {
            Grade::Fair
        } else {
            Grade::Poor
        }
    }

    /// From the identifier.
    pub fn parse(s: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// The five signals of CS-5a besides performance (which is the grade).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signals {
    /// Last year's execution rate of the project, when it ran last year.
    pub execution_rate: Option<Rate>,
    /// Cost lines not detailed enough (细化程度不足).
    pub detail_insufficient: bool,
    /// The unit's idle stock funds that could serve the project (存量资金).
    pub stock_funds: Money,
    /// Unresolved audit findings on the project.
    pub audit_findings: u32,
}

/// One candidate of the run: an admitted project that passed every gate, or a unit's basic
/// expenditure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// Project id (basic expenditure: a negative id per unit, so ids stay unique).
    pub id: i64,
    pub code: String,
    pub name: String,
    pub department_id: i64,
    pub unit_id: i64,
    /// Fund book the money comes from.
    pub fund_book: FundBook,
    /// Spending tier (ZB-3); key-matters items belong to the key-priorities tier (CS-2a).
    pub tier: SpendingTier,
    /// Inside the three guarantees: which one (QJ-2c).
    pub guarantee: Option<Guarantee>,
    /// Computed by headcount × standard or settled at actual cost: funded in full first (ZB-3b).
    pub must_fund: bool,
    /// On the key-matters list (CS-2a, ZX-1): first inside its tier.
    pub key_matter: bool,
    /// Requested by the unit.
    pub requested: Money,
    /// Finance-reviewed amount (财政审核数, ≤ requested).
    pub reviewed: Money,
    /// Lowest amount at which the project still makes sense; `None`: only in full.
    pub minimum: Option<Money>,
    /// Finance's rank (1 first).
    pub finance_rank: Option<u32>,
    /// The department's rank (1 first).
    pub department_rank: Option<u32>,
    /// Last year's evaluation score.
    pub last_score: Option<Score>,
    /// Last year's evaluation grade.
    pub last_grade: Option<Grade>,
    /// Finance's confirmed application of that grade when it overrode the profile's cut
    /// (PM-13); `None`: the profile's cut for the grade (CS-5b, QJ-5b).
    #[serde(default)]
    pub result_cut: Option<ResultCut>,
    /// Last year's budget of the project (ZB-4: shown, never the base; CS-2b's reference).
    pub last_year: Option<Money>,
    /// A key special project subject to the across-the-board cut (CS-2b).
    pub key_special: bool,
    /// A people-related livelihood project, exempt from that cut when the profile says so.
    pub livelihood: bool,
    /// CS-5a signals.
    pub signals: Signals,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::policy::{Preset, preset};

    #[test]
    fn pm_10_grades_follow_the_profiles_bands_at_their_edges() {
        let bands = preset(Preset::LianyungangCity).performance;
        let at = |s: u32| Grade::of_score(Score(s), &bands);
        assert_eq!(at(bands.grade_excellent_min.0), Grade::Excellent);
        assert_eq!(at(bands.grade_excellent_min.0 - 1), Grade::Good);
        assert_eq!(at(bands.grade_fair_min.0), Grade::Fair);
        assert_eq!(at(bands.grade_fair_min.0 - 1), Grade::Poor);
        for g in Grade::ALL {
            assert_eq!(Grade::parse(g.as_str()), Some(g));
        }
    }
}
