//! The project form as typed (every value text) and its parsing, each wrong field reported by
//! name so that one save shows every problem at once.

use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::library::cost::CostLineInput;
use lingji_domain::library::targets::{Comparator, Indicator, IndicatorCategory};
use lingji_domain::library::tier::SpendingTier;
use lingji_domain::library::{Features, MatterClass, Period, PolicyBasis, ProjectKind, YearNeed};
use lingji_domain::{Money, Refusal};
use lingji_store::library::projects::ProjectDetail;
use serde::Deserialize;

/// A cost line as typed.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct CostLineDraft {
    /// 支出事项.
    pub item: String,
    /// 部门经济分类 (款).
    pub economic_code: String,
    pub standard_id: Option<i64>,
    /// Quantity, e.g. `120.5`.
    pub quantity: String,
    /// Unit amount in 元.
    pub unit_amount: String,
    /// Basis when no standard applies.
    #[serde(default)]
    pub basis: String,
}

/// An indicator as typed.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct IndicatorDraft {
    /// Category identifier or Chinese name.
    #[schema(value_type = crate::schema::IndicatorCategory)]
    pub category: String,
    pub name: String,
    /// `ge`, `le`, `eq`, `qualitative` (or ≥ ≤ = 定性).
    #[schema(value_type = crate::schema::Comparator)]
    pub comparator: String,
    pub target_value: String,
    #[serde(default)]
    pub unit: String,
}

/// One year of the plan as typed.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct YearNeedDraft {
    pub year: i32,
    /// Amount in 元.
    pub amount: String,
}

/// The editable content of a project as typed; parsed with every wrong field reported.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct ProjectDraft {
    pub name: String,
    /// 项目类别.
    #[schema(value_type = crate::schema::ProjectKind)]
    pub kind: String,
    /// 事项分类.
    #[schema(value_type = Option<crate::schema::MatterClass>)]
    pub matter_class: Option<String>,
    #[schema(value_type = Option<crate::schema::SpendingTier>)]
    pub tier: Option<String>,
    /// Policy document title.
    #[serde(default)]
    pub basis_title: String,
    /// Policy document number.
    #[serde(default)]
    pub basis_number: String,
    /// Policy expiry `YYYY-MM-DD`.
    pub basis_expires_on: Option<String>,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    #[serde(default)]
    pub pilot: bool,
    /// Total need (multi-year), 元.
    pub total_need: Option<String>,
    /// Minimum viable funding, 元.
    pub min_viable: Option<String>,
    /// 功能分类 (项).
    #[serde(default)]
    pub function_code: String,
    /// 政府经济分类 (款).
    #[serde(default)]
    pub government_economic_code: String,
    /// 资金来源.
    #[schema(value_type = Option<crate::schema::FundBook>)]
    pub fund_book: Option<String>,
    #[serde(default)]
    pub responsible_person: String,
    #[serde(default)]
    pub responsible_phone: String,
    /// New (not continuing).
    #[serde(default = "yes")]
    pub is_new: bool,
    #[serde(default)]
    pub is_major: bool,
    /// 涉及人的民生 (CS-2b exempts such a key special project from the across-the-board cut),
    /// stated by the unit and checked by finance at its review step.
    #[serde(default)]
    pub livelihood: bool,
    /// Features for later gates: training, it, government_investment, purchase_of_services,
    /// event, industry_fund_eligible, key_matters_item, special_fund (booleans).
    #[serde(default)]
    #[schema(value_type = crate::schema::domain::Features)]
    pub features: Features,
    /// 绩效总体目标.
    #[serde(default)]
    pub overall_goal: String,
    /// 测算明细.
    #[serde(default)]
    pub cost_lines: Vec<CostLineDraft>,
    /// 绩效指标.
    #[serde(default)]
    pub indicators: Vec<IndicatorDraft>,
    /// 分年度计划.
    #[serde(default)]
    pub year_plan: Vec<YearNeedDraft>,
}

fn yes() -> bool {
    true
}

impl ProjectDraft {
    /// A stored project as the form shows it: every value as text, so that a refused form and
    /// a stored one render the same way.
    pub fn of(d: &ProjectDetail) -> ProjectDraft {
        let h = &d.project.header;
        let yuan = |m: Money| {
            if m == Money::ZERO {
                String::new()
            } else {
                m.to_plain()
            }
        };
        ProjectDraft {
            name: h.name.clone(),
            kind: h.kind.as_str().into(),
            matter_class: h.matter_class.map(|m| m.as_str().into()),
            tier: h.tier.map(|t| t.as_str().into()),
            basis_title: h.basis.title.clone(),
            basis_number: h.basis.number.clone(),
            basis_expires_on: h.basis.expires_on.map(|d| d.to_string()),
            start_year: h.period.map(|p| p.start_year),
            end_year: h.period.map(|p| p.end_year),
            pilot: h.period.is_some_and(|p| p.pilot),
            total_need: Some(yuan(h.total_need)),
            min_viable: Some(yuan(h.min_viable)),
            function_code: h.function_code.clone(),
            government_economic_code: h.government_economic_code.clone(),
            fund_book: h.fund_book.map(|f| f.as_str().into()),
            responsible_person: h.responsible_person.clone(),
            responsible_phone: h.responsible_phone.clone(),
            is_new: h.is_new,
            is_major: h.is_major,
            livelihood: h.livelihood,
            features: h.features,
            overall_goal: h.overall_goal.clone(),
            cost_lines: d
                .cost_lines
                .iter()
                .map(|l| CostLineDraft {
                    item: l.input.item.clone(),
                    economic_code: l.input.economic_code.clone(),
                    standard_id: l.input.standard_id,
                    quantity: l.input.quantity.to_string(),
                    unit_amount: l.input.unit_amount.to_plain(),
                    basis: l.input.basis.clone(),
                })
                .collect(),
            indicators: d
                .indicators
                .iter()
                .map(|i| IndicatorDraft {
                    category: i.category.as_str().into(),
                    name: i.name.clone(),
                    comparator: i.comparator.as_str().into(),
                    target_value: i.target_value.clone(),
                    unit: i.unit.clone(),
                })
                .collect(),
            year_plan: d
                .year_plan
                .iter()
                .map(|n| YearNeedDraft {
                    year: n.year,
                    amount: n.amount.to_plain(),
                })
                .collect(),
        }
    }
}

/// A parsed draft: the header content and child rows (amounts still to compute). Fields that
/// did not parse are absent and reported beside it, so the cost lines are still checked.
pub(super) struct Parsed {
    pub(super) name: String,
    pub(super) kind: Option<ProjectKind>,
    pub(super) matter_class: Option<MatterClass>,
    pub(super) tier: Option<SpendingTier>,
    pub(super) basis: PolicyBasis,
    pub(super) period: Option<Period>,
    pub(super) total_need: Money,
    pub(super) min_viable: Money,
    pub(super) fund_book: Option<FundBook>,
    /// Each line that parsed, with its index in the draft.
    pub(super) lines: Vec<(usize, CostLineInput)>,
    pub(super) indicators: Vec<Indicator>,
    pub(super) plan: Vec<YearNeed>,
}

fn optional<T>(
    v: &Option<String>,
    field: &str,
    parse: impl Fn(&str) -> Result<T, Refusal>,
    errors: &mut Vec<Refusal>,
) -> Option<T> {
    let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    parse(v).map_err(|r| errors.push(r.field(field))).ok()
}

fn money(v: &str, field: &str, errors: &mut Vec<Refusal>) -> Money {
    if v.trim().is_empty() {
        return Money::ZERO;
    }
    Money::parse_non_negative(v, field)
        .map_err(|r| errors.push(r))
        .unwrap_or_default()
}

pub(super) fn parse_draft(d: &ProjectDraft) -> (Parsed, Vec<Refusal>) {
    let mut e = Vec::new();
    check_name(&d.name, &mut e);
    let kind = ProjectKind::parse(&d.kind)
        .map_err(|r| e.push(r.field("kind")))
        .ok();
    let matter_class = optional(
        &d.matter_class,
        "matter_class",
        |s| MatterClass::parse(s).map_err(|r| r.clause("ZB-2a")),
        &mut e,
    );
    let tier = optional(&d.tier, "tier", SpendingTier::parse, &mut e);
    let fund_book = optional(&d.fund_book, "fund_book", FundBook::parse, &mut e);
    let expires_on = optional(
        &d.basis_expires_on,
        "basis_expires_on",
        |s| lingji_domain::dates::parse(s, "basis_expires_on"),
        &mut e,
    );
    check_years(d, &mut e);
    let period = parse_period(d, &mut e);
    let total_need = money(d.total_need.as_deref().unwrap_or(""), "total_need", &mut e);
    let min_viable = money(d.min_viable.as_deref().unwrap_or(""), "min_viable", &mut e);
    let lines = parse_cost_lines(&d.cost_lines, &mut e);
    let indicators = parse_indicators(&d.indicators, &mut e);
    let plan = d
        .year_plan
        .iter()
        .enumerate()
        .map(|(i, n)| YearNeed {
            year: n.year,
            amount: money(&n.amount, &format!("year_plan[{i}].amount"), &mut e),
        })
        .collect();
    let parsed = Parsed {
        name: d.name.trim().to_string(),
        kind,
        matter_class,
        tier,
        basis: PolicyBasis {
            title: d.basis_title.trim().to_string(),
            number: d.basis_number.trim().to_string(),
            expires_on,
        },
        period,
        total_need,
        min_viable,
        fund_book,
        lines,
        indicators,
        plan,
    };
    (parsed, e)
}

fn check_name(name: &str, e: &mut Vec<Refusal>) {
    if name.trim().is_empty() || name.chars().count() > 200 {
        e.push(
            Refusal::new("PROJECT_NAME_INVALID", "项目名称不能为空且不超过 200 字")
                .field("name")
                .clause("ZB-15a"),
        );
    }
    if let Err(r) = lingji_domain::text::check_name(name, "name") {
        e.push(r);
    }
}

/// Years people type stay within the years the system keeps (FiscalYear::RANGE).
fn check_years(d: &ProjectDraft, e: &mut Vec<Refusal>) {
    let years = [
        (d.start_year, "start_year".to_string()),
        (d.end_year, "end_year".to_string()),
    ]
    .into_iter()
    .chain(
        d.year_plan
            .iter()
            .enumerate()
            .map(|(i, n)| (Some(n.year), format!("year_plan[{i}].year"))),
    );
    for (year, field) in years {
        if let Some(Err(r)) = year.map(FiscalYear::new) {
            e.push(r.field(field));
        }
    }
}

fn parse_period(d: &ProjectDraft, e: &mut Vec<Refusal>) -> Option<Period> {
    match (d.start_year, d.end_year) {
        (Some(s), Some(t)) => Some(Period {
            start_year: s,
            end_year: t,
            pilot: d.pilot,
        }),
        (None, None) => None,
        _ => {
            e.push(
                Refusal::new("PERIOD_INCOMPLETE", "实施期限须同时填写开始和结束年度")
                    .field("period"),
            );
            None
        }
    }
}

/// The cost lines whose quantity and unit amount parse, each with its index in the draft;
/// the amounts are computed later against the catalogue.
fn parse_cost_lines(drafts: &[CostLineDraft], e: &mut Vec<Refusal>) -> Vec<(usize, CostLineInput)> {
    let mut lines = Vec::new();
    for (i, l) in drafts.iter().enumerate() {
        let field = |f: &str| format!("cost_lines[{i}].{f}");
        let quantity = lingji_domain::library::cost::parse_quantity(&l.quantity).ok_or_else(|| {
            e.push(
                Refusal::new(
                    "QUANTITY_MALFORMED",
                    format!("第 {} 行测算数量“{}”不是数字", i + 1, l.quantity),
                )
                .field(field("quantity")),
            );
        });
        let unit_amount =
            Money::parse_non_negative(&l.unit_amount, &field("unit_amount")).map_err(|r| e.push(r));
        if let (Ok(quantity), Ok(unit_amount)) = (quantity, unit_amount) {
            lines.push((
                i,
                CostLineInput {
                    item: l.item.trim().to_string(),
                    economic_code: l.economic_code.trim().to_string(),
                    standard_id: l.standard_id,
                    quantity,
                    unit_amount,
                    basis: l.basis.trim().to_string(),
                },
            ));
        }
    }
    lines
}

/// Indicators as typed, each category and comparator parsed; what cannot be is refused by
/// its row (`indicators[i].category`).
pub(crate) fn parse_indicators(drafts: &[IndicatorDraft], e: &mut Vec<Refusal>) -> Vec<Indicator> {
    let mut indicators = Vec::new();
    for (i, ind) in drafts.iter().enumerate() {
        let field = |f: &str| format!("indicators[{i}].{f}");
        let category =
            IndicatorCategory::parse(&ind.category).map_err(|r| e.push(r.field(field("category"))));
        let comparator =
            Comparator::parse(&ind.comparator).map_err(|r| e.push(r.field(field("comparator"))));
        if let (Ok(category), Ok(comparator)) = (category, comparator) {
            indicators.push(Indicator {
                category,
                name: ind.name.trim().to_string(),
                comparator,
                target_value: ind.target_value.trim().to_string(),
                unit: ind.unit.trim().to_string(),
            });
        }
    }
    indicators
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_reports_every_wrong_field_at_once() {
        let d = ProjectDraft {
            name: String::new(),
            kind: "特定目标类".into(),
            matter_class: Some("别的".into()),
            total_need: Some("-5".into()),
            start_year: Some(2026),
            cost_lines: vec![CostLineDraft {
                quantity: "十".into(),
                unit_amount: "1.234".into(),
                ..Default::default()
            }],
            indicators: vec![IndicatorDraft {
                category: "数量指标".into(),
                comparator: "≈".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let fields: Vec<_> = parse_draft(&d)
            .1
            .into_iter()
            .map(|r| r.field.unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "matter_class",
                "period",
                "total_need",
                "cost_lines[0].quantity",
                "cost_lines[0].unit_amount",
                "indicators[0].comparator"
            ]
        );
    }
}
