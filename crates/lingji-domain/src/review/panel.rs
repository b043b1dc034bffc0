//! The panel review (集中会审, ZB-5b): an opinion on each of four points and a recommended
//! amount.

use serde::{Deserialize, Serialize};

use crate::{Money, Refusal};

/// The panel's view of one point.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointOpinion {
    /// The point is satisfied.
    pub agreed: bool,
    /// What the panel found.
    pub comment: String,
}

/// A panel opinion (ZB-5b).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelOpinion {
    /// 项目安排的必要性.
    pub necessity: PointOpinion,
    /// 资金申报依据的合理性.
    pub basis: PointOpinion,
    /// 申报金额与实际工作进度的匹配性.
    pub progress_match: PointOpinion,
    /// 项目实施后的预期效益.
    pub benefit: PointOpinion,
    pub recommended: Money,
}

impl PanelOpinion {
    /// The four points with their field names and Chinese names.
    pub fn points(&self) -> [(&'static str, &'static str, &PointOpinion); 4] {
        [
            ("necessity", "项目安排的必要性", &self.necessity),
            ("basis", "资金申报依据的合理性", &self.basis),
            (
                "progress_match",
                "申报金额与实际工作进度的匹配性",
                &self.progress_match,
            ),
            ("benefit", "项目实施后的预期效益", &self.benefit),
        ]
    }

    /// Checks the opinion against the amount under review: every point answered with a
    /// comment, the recommendation within the reviewed amount, and nothing recommended when a
    /// point fails. Every problem is reported.
    pub fn check(&self, reviewed: Money) -> Vec<Refusal> {
        let mut out = Vec::new();
        for (field, name, p) in self.points() {
            if p.comment.trim().is_empty() {
                out.push(
                    Refusal::new("PANEL_POINT_MISSING", format!("请写明对“{name}”的意见"))
                        .field(field)
                        .clause("ZB-5b"),
                );
            }
        }
        if self.recommended > reviewed {
            out.push(
                Refusal::new(
                    "PANEL_ABOVE_REVIEWED",
                    format!(
                        "建议金额 {} 元高于审核数 {} 元",
                        self.recommended.to_yuan_display(),
                        reviewed.to_yuan_display()
                    ),
                )
                .field("recommended")
                .clause("ZB-5b"),
            );
        }
        if self.recommended > Money::ZERO && self.points().iter().any(|(_, _, p)| !p.agreed) {
            out.push(
                Refusal::new(
                    "PANEL_FUNDS_A_FAILED_POINT",
                    "有未通过的审核要点时，建议金额应为零（不予安排）",
                )
                .field("recommended")
                .clause("ZB-5b"),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agreed(comment: &str) -> PointOpinion {
        PointOpinion {
            agreed: true,
            comment: comment.into(),
        }
    }

    fn full() -> PanelOpinion {
        PanelOpinion {
            necessity: agreed("群众急需"),
            basis: agreed("依据充分"),
            progress_match: agreed("与进度匹配"),
            benefit: agreed("效益明确"),
            recommended: Money::from_yuan(800_000),
        }
    }

    #[test]
    fn zb_5b_the_panel_answers_all_four_points() {
        assert!(full().check(Money::from_yuan(1_000_000)).is_empty());
        let mut o = full();
        o.benefit.comment = " ".into();
        o.basis.comment.clear();
        let got: Vec<_> = o
            .check(Money::from_yuan(1_000_000))
            .into_iter()
            .map(|r| (r.field.unwrap(), r.clause))
            .collect();
        assert_eq!(
            got,
            [
                ("basis".to_string(), Some("ZB-5b")),
                ("benefit".to_string(), Some("ZB-5b"))
            ]
        );
    }

    #[test]
    fn zb_5b_the_recommendation_stays_within_the_reviewed_amount() {
        let r = full().check(Money::from_yuan(700_000));
        assert_eq!(r[0].code, "PANEL_ABOVE_REVIEWED");
        let mut o = full();
        o.progress_match.agreed = false;
        assert_eq!(
            o.check(Money::from_yuan(1_000_000))[0].code,
            "PANEL_FUNDS_A_FAILED_POINT"
        );
        o.recommended = Money::ZERO;
        assert!(o.check(Money::from_yuan(1_000_000)).is_empty());
    }
}
