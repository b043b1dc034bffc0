//! The project templates units request from in a simulated or lived year: every kind, matter
//! class and tier, each line on a demo standard or a written basis (ZB-14).

use lingji_domain::Refusal;
use lingji_domain::library::Features;

use crate::error::AppResult;
use crate::library::projects::{CostLineDraft, IndicatorDraft, ProjectDraft};

/// A line of a template: item, department economic code, standard code (or a written basis),
/// quantity, unit amount in 元.
pub(crate) type Line = (&'static str, &'static str, Std, &'static str, &'static str);

/// The standard of a line, or the basis when none applies.
#[derive(Clone, Copy)]
pub(crate) enum Std {
    Code(&'static str),
    Basis(&'static str),
}

/// A project template: name, kind, matter class, tier, function code, government economic
/// code, feature, lines, output indicator (name, value, unit), benefit indicator.
pub(crate) struct Template {
    pub(crate) name: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) class: &'static str,
    pub(crate) tier: &'static str,
    pub(crate) function: &'static str,
    pub(crate) gov_econ: &'static str,
    pub(crate) features: Features,
    pub(crate) lines: &'static [Line],
    pub(crate) output: (&'static str, &'static str, &'static str),
    pub(crate) benefit: &'static str,
}

const NONE: Features = Features {
    training: false,
    it: false,
    government_investment: false,
    purchase_of_services: false,
    event: false,
    industry_fund_eligible: false,
    key_matters_item: false,
    special_fund: false,
};

pub(crate) const TEMPLATES: &[Template] = &[
    Template {
        name: "业务骨干能力提升培训",
        kind: "specific_purpose",
        class: "public_service",
        tier: "mandatory",
        function: "2019999",
        gov_econ: "50203",
        features: Features {
            training: true,
            ..NONE
        },
        lines: &[
            (
                "集中培训（二类）",
                "30216",
                Std::Code("P-TRAIN-2"),
                "240",
                "420",
            ),
            (
                "外聘讲课费（副高）",
                "30226",
                Std::Code("P-LEC-1"),
                "24",
                "500",
            ),
        ],
        output: ("培训人次", "240", "人次"),
        benefit: "业务能力明显提升",
    },
    Template {
        name: "信息系统运行维护",
        kind: "other_operating",
        class: "it",
        tier: "mandatory",
        function: "2019999",
        gov_econ: "50205",
        features: Features { it: true, ..NONE },
        lines: &[
            (
                "系统运维服务",
                "30227",
                Std::Basis("运维合同及三家询价"),
                "12",
                "18000",
            ),
            (
                "便携式计算机更新",
                "31002",
                Std::Code("P-EQ-2"),
                "6",
                "5800",
            ),
        ],
        output: ("系统可用率", "99", "%"),
        benefit: "业务系统稳定运行",
    },
    Template {
        name: "年度工作会议",
        kind: "other_operating",
        class: "city_operation",
        tier: "mandatory",
        function: "2019999",
        gov_econ: "50202",
        features: NONE,
        lines: &[(
            "工作会议（三类）",
            "30215",
            Std::Code("P-MEET-3"),
            "150",
            "380",
        )],
        output: ("参会人数", "150", "人"),
        benefit: "年度工作部署落实",
    },
    Template {
        name: "公务用车运行维护",
        kind: "public_expense",
        class: "city_operation",
        tier: "three_guarantees",
        function: "2019999",
        gov_econ: "50208",
        features: NONE,
        lines: &[(
            "公务用车运行维护",
            "30231",
            Std::Code("P-CAR-1"),
            "3",
            "19500",
        )],
        output: ("保障车辆", "3", "辆"),
        benefit: "公务出行保障到位",
    },
    Template {
        name: "基层服务能力建设",
        kind: "specific_purpose",
        class: "public_service",
        tier: "general_development",
        function: "2019999",
        gov_econ: "50299",
        features: NONE,
        lines: &[
            (
                "专用材料",
                "30218",
                Std::Basis("政府采购协议价"),
                "1",
                "86000",
            ),
            (
                "专家咨询（高级）",
                "30226",
                Std::Code("P-EXP-1"),
                "10",
                "1500",
            ),
        ],
        output: ("服务网点", "12", "个"),
        benefit: "群众办事便利度提升",
    },
    Template {
        name: "重点工作专项推进",
        kind: "specific_purpose",
        class: "public_service",
        tier: "key_priorities",
        function: "2019999",
        gov_econ: "50299",
        features: Features {
            key_matters_item: true,
            ..NONE
        },
        lines: &[
            (
                "委托第三方服务",
                "30227",
                Std::Basis("公开招标中标价"),
                "1",
                "320000",
            ),
            (
                "差旅住宿（省内）",
                "30211",
                Std::Code("P-TRAVEL-1"),
                "40",
                "420",
            ),
        ],
        output: ("完成专项任务", "6", "项"),
        benefit: "市委市政府重点任务按期完成",
    },
    Template {
        name: "安全隐患排查整治",
        kind: "specific_purpose",
        class: "risk",
        tier: "mandatory",
        function: "2019999",
        gov_econ: "50205",
        features: Features {
            purchase_of_services: true,
            ..NONE
        },
        lines: &[(
            "安全检测服务",
            "30227",
            Std::Basis("检测机构报价"),
            "20",
            "8500",
        )],
        output: ("排查点位", "20", "处"),
        benefit: "安全隐患动态清零",
    },
    Template {
        name: "编外聘用人员经费",
        kind: "personnel",
        class: "city_operation",
        tier: "three_guarantees",
        function: "2019999",
        gov_econ: "50199",
        features: NONE,
        lines: &[(
            "编外人员劳务费（按核定限额）",
            "30226",
            Std::Basis("编外人员核定数 × 人社部门劳务指导价"),
            "3",
            "52000",
        )],
        output: ("保障编外人员", "3", "人"),
        benefit: "基本运转保障到位",
    },
    Template {
        name: "中小企业发展扶持",
        kind: "specific_purpose",
        class: "industry_support",
        tier: "general_development",
        function: "2150805",
        gov_econ: "50799",
        features: Features {
            industry_fund_eligible: false,
            special_fund: true,
            ..NONE
        },
        lines: &[(
            "中小企业贷款贴息",
            "31205",
            Std::Basis("扶持对象清单 × 贴息比例"),
            "20",
            "25000",
        )],
        output: ("扶持企业", "20", "家"),
        benefit: "企业融资成本下降",
    },
    Template {
        name: "业务用房维修改造",
        kind: "specific_purpose",
        class: "gov_investment",
        tier: "general_development",
        function: "2019999",
        gov_econ: "50307",
        features: Features {
            government_investment: true,
            ..NONE
        },
        lines: &[(
            "房屋大型修缮",
            "31006",
            Std::Basis("财政评审中心预算评审结论"),
            "1",
            "480000",
        )],
        output: ("维修面积", "1200", "平方米"),
        benefit: "办公条件安全达标",
    },
    Template {
        name: "档案数字化整理",
        kind: "other_operating",
        class: "misc",
        tier: "other",
        function: "2019999",
        gov_econ: "50205",
        features: Features {
            purchase_of_services: true,
            ..NONE
        },
        lines: &[(
            "档案数字化服务",
            "30227",
            Std::Basis("三家询价取最低价"),
            "40000",
            "1.2",
        )],
        output: ("数字化档案", "40000", "页"),
        benefit: "档案利用效率提高",
    },
    Template {
        name: "地方政府一般债券付息",
        kind: "other_operating",
        class: "risk",
        tier: "debt_service",
        function: "2320301",
        gov_econ: "51101",
        features: NONE,
        lines: &[(
            "一般债券利息",
            "30701",
            Std::Basis("债券发行文件约定利率 × 存量余额"),
            "1",
            "350000",
        )],
        output: ("按期付息", "100", "%"),
        benefit: "政府债务风险可控",
    },
];

pub(crate) fn draft(t: &Template, unit_name: &str, year: i32, shrink: u32) -> ProjectDraft {
    ProjectDraft {
        name: format!("{unit_name}{}", t.name),
        kind: t.kind.into(),
        matter_class: Some(t.class.into()),
        tier: Some(t.tier.into()),
        basis_title: "示范市2026年度部门预算编制通知".into(),
        basis_number: "示财预〔2025〕21号".into(),
        basis_expires_on: None,
        start_year: Some(year),
        end_year: Some(year),
        pilot: false,
        total_need: None,
        min_viable: None,
        function_code: t.function.into(),
        government_economic_code: t.gov_econ.into(),
        fund_book: Some("general_public".into()),
        responsible_person: "项目负责人".into(),
        responsible_phone: "0518-85550000".into(),
        is_new: year == 2025,
        is_major: false,
        livelihood: false,
        features: t.features,
        overall_goal: format!("{}：{}", t.name, t.benefit),
        cost_lines: t
            .lines
            .iter()
            .map(|(item, econ, std, qty, unit)| CostLineDraft {
                item: (*item).into(),
                economic_code: (*econ).into(),
                standard_id: None,
                // Zero base: this year's quantities are re-measured, not carried over.
                quantity: (qty.parse::<u32>().unwrap_or(1) * (100 - shrink) / 100)
                    .max(1)
                    .to_string(),
                unit_amount: (*unit).into(),
                basis: match std {
                    Std::Basis(b) => (*b).into(),
                    Std::Code(_) => String::new(),
                },
            })
            .collect(),
        indicators: vec![
            IndicatorDraft {
                category: "quantity".into(),
                name: t.output.0.into(),
                comparator: "ge".into(),
                target_value: t.output.1.into(),
                unit: t.output.2.into(),
            },
            IndicatorDraft {
                category: "social".into(),
                name: "社会效益".into(),
                comparator: "qualitative".into(),
                target_value: t.benefit.into(),
                unit: String::new(),
            },
        ],
        year_plan: Vec::new(),
    }
}

pub(crate) fn set_standards(
    d: &mut ProjectDraft,
    t: &Template,
    std_id: &impl Fn(&str) -> AppResult<i64>,
) -> AppResult<()> {
    for (line, (_, _, std, _, _)) in d.cost_lines.iter_mut().zip(t.lines) {
        if let Std::Code(code) = std {
            line.standard_id = Some(std_id(code)?);
        }
    }
    if d.cost_lines.is_empty() {
        return Err(Refusal::new("DEMO_TEMPLATE_EMPTY", "示范模板没有测算").into());
    }
    Ok(())
}
