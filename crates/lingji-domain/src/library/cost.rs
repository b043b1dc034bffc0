//! Cost lines (测算明细) computed from expenditure standards (支出标准, ZB-14), and basic
//! expenditure from staffing (定员定额, ZB-14, ZB-6c).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::Refusal;
use crate::foundation::org::UnitKind;
use crate::money::Money;

labelled! {
    /// Kind of expenditure standard (ZX-std).
    StandardCategory: refuse("STANDARD_CATEGORY_UNKNOWN", "支出标准类别") {
        /// 工资性支出标准 (per person per year).
        Wage = "wage" / "工资性支出标准",
        /// 公用经费标准 (per person per year, by unit class).
        PublicExpense = "public_expense" / "公用经费标准",
        Livelihood = "livelihood" / "保民生支出标准",
        /// 项目支出标准 (meetings, training, travel, vehicles, …).
        Project = "project" / "项目支出标准",
    }
}

/// An expenditure standard: at most this much per unit of measure (ZB-14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standard {
    /// Id in the catalogue.
    pub id: i64,
    /// Stable code, e.g. `P-MEET-2`.
    pub code: String,
    /// Name, e.g. 二类会议综合定额.
    pub name: String,
    pub category: StandardCategory,
    /// Unit of measure, e.g. 元/人·天.
    pub unit_of_measure: String,
    /// The ceiling per unit of measure.
    pub amount: Money,
    /// Unit kinds it applies to; empty means all.
    pub unit_kinds: Vec<UnitKind>,
    /// First year in force.
    pub from_year: i32,
    /// Last year in force, if it ends.
    pub to_year: Option<i32>,
    pub source: String,
}

impl Standard {
    /// True when the standard is in force in `year` (ZB-14).
    pub fn in_force(&self, year: i32) -> bool {
        self.from_year <= year && self.to_year.is_none_or(|t| year <= t)
    }

    /// True when the standard is in force in `year` for units of `kind`.
    pub fn applies(&self, year: i32, kind: Option<UnitKind>) -> bool {
        let in_force = self.in_force(year);
        let for_kind =
            self.unit_kinds.is_empty() || kind.is_some_and(|k| self.unit_kinds.contains(&k));
        in_force && for_kind
    }
}

/// The input of one cost line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostLineInput {
    /// What is bought, e.g. 全市教师培训（二类）.
    pub item: String,
    /// Economic classification (部门) at 款 level.
    pub economic_code: String,
    /// Standard applied, if one exists.
    pub standard_id: Option<i64>,
    /// Quantity in the standard's unit of measure (e.g. 人·天), up to 4 decimals.
    pub quantity: Decimal,
    /// Money per unit of measure.
    pub unit_amount: Money,
    /// Written basis when no standard applies (ZB-14).
    pub basis: String,
}

/// A quantity as people type it: `3000`, `1,500`, `2.5`; thousands separators only between
/// groups of three, like amounts, and nothing a lax number reader would also take (`1_0`, `1e5`,
/// `1,5` — which must not become 15).
pub fn parse_quantity(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let whole = crate::money::ungroup(whole)?;
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(&whole) || !digits(fraction) || text.ends_with('.') {
        return None;
    }
    let plain = if fraction.is_empty() {
        whole
    } else {
        format!("{whole}.{fraction}")
    };
    plain.parse().ok()
}

/// Amount = quantity × unit amount, rounded half up to the fen. Refuses a quantity that is not
/// positive or that overflows.
pub fn line_amount(quantity: Decimal, unit_amount: Money) -> Result<Money, Refusal> {
    if quantity <= Decimal::ZERO {
        return Err(Refusal::new("QUANTITY_NOT_POSITIVE", "数量须大于零").field("quantity"));
    }
    if quantity.scale() > 4 {
        return Err(
            Refusal::new("QUANTITY_TOO_PRECISE", "数量最多保留 4 位小数").field("quantity"),
        );
    }
    let fen = Decimal::from(unit_amount.fen())
        .checked_mul(quantity)
        .map(|v| v.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
        .and_then(|v| v.to_i64())
        .filter(|v| v.abs() <= crate::money::MAX_INPUT_YUAN * 100)
        .ok_or_else(|| {
            Refusal::new("MONEY_OUT_OF_RANGE", "数量 × 单价超出允许范围").field("quantity")
        })?;
    Ok(Money::from_fen(fen))
}

/// Checks a cost line against its standard (ZB-14): the standard must be in force for the
/// unit's kind and year, and the unit amount may not exceed it. A line without a standard needs
/// a written basis. Returns the computed amount.
pub fn check_line(
    line: &CostLineInput,
    standard: Option<&Standard>,
    year: i32,
    unit_kind: Option<UnitKind>,
) -> Result<Money, Refusal> {
    if line.item.trim().is_empty() {
        return Err(Refusal::new("COST_ITEM_MISSING", "请填写支出事项")
            .field("item")
            .clause("CS-1"));
    }
    if line.unit_amount.is_negative() || line.unit_amount == Money::ZERO {
        return Err(Refusal::new("UNIT_AMOUNT_NOT_POSITIVE", "单价须大于零").field("unit_amount"));
    }
    match (line.standard_id, standard) {
        (Some(_), Some(std)) => {
            if !std.applies(year, unit_kind) {
                return Err(Refusal::new(
                    "STANDARD_NOT_APPLICABLE",
                    format!("支出标准“{}”不适用于 {year} 年度或本单位类型", std.name),
                )
                .field("standard_id")
                .clause("ZB-14"));
            }
            if line.unit_amount > std.amount {
                return Err(Refusal::new(
                    "COST_ABOVE_STANDARD",
                    format!(
                        "单价 {} 元超过支出标准“{}”（{} {}），不得超标准编制预算",
                        line.unit_amount, std.name, std.amount, std.unit_of_measure
                    ),
                )
                .field("unit_amount")
                .clause("ZB-14"));
            }
        }
        (Some(id), None) => {
            return Err(
                Refusal::new("STANDARD_UNKNOWN", format!("支出标准 {id} 不存在"))
                    .field("standard_id"),
            );
        }
        (None, _) => {
            if line.basis.trim().chars().count() < 4 {
                return Err(Refusal::new(
                    "COST_BASIS_MISSING",
                    "没有适用支出标准的测算须写明测算依据（如询价、合同、历史成交价）",
                )
                .field("basis")
                .clause("ZB-14"));
            }
        }
    }
    line_amount(line.quantity, line.unit_amount)
}

/// Headcount of a unit by category, for basic expenditure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Headcount {
    /// 在职.
    pub in_service: i64,
    /// 离退休.
    pub retired: i64,
    /// 编外 actually funded.
    pub contract: i64,
}

/// Contract staff the budget may carry next year: the actual number, but no more than the quota
/// reduced by the profile's yearly rate (ZB-6c; ZX: 每年压缩10%), rounded down.
pub fn funded_contract_staff(actual: i64, quota: i64, yearly_reduction_bp: u32) -> i64 {
    let keep = i128::from(quota) * i128::from(10_000 - yearly_reduction_bp.min(10_000)) / 10_000;
    actual.min(i64::try_from(keep).unwrap_or(0)).max(0)
}

/// One line of basic expenditure: a standard times a headcount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicLine {
    pub standard: String,
    /// People it applies to.
    pub people: i64,
    pub per_person: Money,
    /// people × per person.
    pub amount: Money,
}

/// Basic expenditure of a unit (ZB-14: 定员定额): every wage standard × in-service headcount,
/// every public-expense standard × in-service + funded contract headcount. Standards not in force
/// for the unit's kind and year are skipped.
pub fn basic_expenditure(
    standards: &[Standard],
    headcount: Headcount,
    year: i32,
    unit_kind: UnitKind,
) -> Result<(Vec<BasicLine>, Money), Refusal> {
    let mut lines = Vec::new();
    for s in standards
        .iter()
        .filter(|s| s.applies(year, Some(unit_kind)))
    {
        let people = match s.category {
            StandardCategory::Wage => headcount.in_service,
            StandardCategory::PublicExpense => headcount.in_service + headcount.contract,
            _ => continue,
        };
        let amount = s
            .amount
            .checked_mul(people)
            .ok_or_else(|| Refusal::new("MONEY_OUT_OF_RANGE", "基本支出超出允许范围"))?;
        lines.push(BasicLine {
            standard: s.name.clone(),
            people,
            per_person: s.amount,
            amount,
        });
    }
    let total = Money::checked_sum(lines.iter().map(|l| l.amount))
        .ok_or_else(|| Refusal::new("MONEY_OUT_OF_RANGE", "基本支出超出允许范围"))?;
    Ok((lines, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting() -> Standard {
        Standard {
            id: 7,
            code: "P-MEET-2".into(),
            name: "二类会议综合定额".into(),
            category: StandardCategory::Project,
            unit_of_measure: "元/人·天".into(),
            amount: Money::from_yuan(500),
            unit_kinds: vec![],
            from_year: 2024,
            to_year: None,
            source: "示范".into(),
        }
    }

    fn line(unit_yuan: i64, standard: Option<i64>, basis: &str) -> CostLineInput {
        CostLineInput {
            item: "全市教育工作会议".into(),
            economic_code: "30215".into(),
            standard_id: standard,
            quantity: Decimal::new(1205, 1), // 120.5 人·天
            unit_amount: Money::from_yuan(unit_yuan),
            basis: basis.into(),
        }
    }

    #[test]
    fn zb_14_a_line_above_its_standard_is_refused_naming_it() {
        let err = check_line(&line(520, Some(7), ""), Some(&meeting()), 2026, None).unwrap_err();
        assert_eq!(
            (err.code, err.clause),
            ("COST_ABOVE_STANDARD", Some("ZB-14"))
        );
        assert!(err.message.contains("二类会议综合定额"), "{}", err.message);
        assert_eq!(
            check_line(&line(500, Some(7), ""), Some(&meeting()), 2026, None).unwrap(),
            Money::from_yuan(60_250)
        );
    }

    #[test]
    fn zb_14_a_line_without_standard_needs_a_written_basis() {
        let err = check_line(&line(800, None, ""), None, 2026, None).unwrap_err();
        assert_eq!(
            (err.code, err.clause),
            ("COST_BASIS_MISSING", Some("ZB-14"))
        );
        assert!(check_line(&line(800, None, "三家询价取最低价"), None, 2026, None).is_ok());
    }

    #[test]
    fn zb_14_standards_apply_only_in_their_years_and_unit_kinds() {
        let mut s = meeting();
        s.to_year = Some(2025);
        assert_eq!(
            check_line(&line(400, Some(7), ""), Some(&s), 2026, None)
                .unwrap_err()
                .code,
            "STANDARD_NOT_APPLICABLE"
        );
        let mut s = meeting();
        s.unit_kinds = vec![UnitKind::Administrative];
        assert!(!s.applies(2026, Some(UnitKind::PublicWelfare1)));
        assert!(s.applies(2026, Some(UnitKind::Administrative)));
    }

    #[test]
    fn amounts_round_half_up_to_the_fen() {
        assert_eq!(
            line_amount(Decimal::new(3, 1), Money::from_fen(5)).unwrap(),
            Money::from_fen(2)
        ); // 1.5 → 2
        assert_eq!(
            line_amount(Decimal::new(1, 4), Money::from_fen(1)).unwrap(),
            Money::from_fen(0)
        );
        assert_eq!(
            line_amount(Decimal::ZERO, Money::from_fen(1))
                .unwrap_err()
                .code,
            "QUANTITY_NOT_POSITIVE"
        );
        assert_eq!(
            line_amount(Decimal::new(1, 5), Money::from_fen(1))
                .unwrap_err()
                .code,
            "QUANTITY_TOO_PRECISE"
        );
        assert_eq!(
            line_amount(Decimal::from(1_000_000_000), Money::from_yuan(1_000_000))
                .unwrap_err()
                .code,
            "MONEY_OUT_OF_RANGE"
        );
    }

    #[test]
    fn zb_6c_contract_staff_funded_within_the_reduced_quota() {
        assert_eq!(funded_contract_staff(10, 10, 1000), 9); // ZX: 压缩10%
        assert_eq!(funded_contract_staff(5, 10, 1000), 5);
        assert_eq!(funded_contract_staff(3, 3, 0), 3);
    }

    #[test]
    fn zb_14_basic_expenditure_is_headcount_times_quota() {
        let wage = Standard {
            id: 1,
            code: "W-1".into(),
            name: "基本工资".into(),
            category: StandardCategory::Wage,
            unit_of_measure: "元/人·年".into(),
            amount: Money::from_yuan(60_000),
            unit_kinds: vec![],
            from_year: 2025,
            to_year: None,
            source: String::new(),
        };
        let office = Standard {
            id: 2,
            code: "G-ADM".into(),
            name: "行政单位公用经费".into(),
            category: StandardCategory::PublicExpense,
            unit_of_measure: "元/人·年".into(),
            amount: Money::from_yuan(12_000),
            unit_kinds: vec![UnitKind::Administrative],
            from_year: 2025,
            to_year: None,
            source: String::new(),
        };
        let welfare = Standard {
            unit_kinds: vec![UnitKind::PublicWelfare1],
            id: 3,
            name: "公益一类公用经费".into(),
            ..office.clone()
        };
        let (lines, total) = basic_expenditure(
            &[wage, office, welfare],
            Headcount {
                in_service: 20,
                retired: 5,
                contract: 2,
            },
            2026,
            UnitKind::Administrative,
        )
        .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(total, Money::from_yuan(20 * 60_000 + 22 * 12_000));
    }

    #[test]
    fn quantities_are_read_as_typed_or_refused() {
        let q = |t: &str| parse_quantity(t).map(|d| d.to_string());
        assert_eq!(q("3000"), Some("3000".into()));
        assert_eq!(q(" 1,500 "), Some("1500".into()));
        assert_eq!(q("2.5"), Some("2.5".into()));
        for bad in ["1,5", "1_0", "1e5", "-1", "", ".5", "5.", "１２", "1,0,0"] {
            assert_eq!(q(bad), None, "{bad}");
        }
    }
}
