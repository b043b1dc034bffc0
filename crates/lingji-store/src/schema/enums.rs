//! The labelled enums' schemas, one unit struct per enum named as the API names it.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

use super::labelled_schema;

macro_rules! labelled_schemas {
    ($($(#[$m:meta])* $name:ident = $ty:path, $what:literal;)+) => {
        $(
            $(#[$m])*
            pub struct $name;

            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    labelled_schema::<$ty>($what).into()
                }
            }

            impl utoipa::ToSchema for $name {
                fn name() -> Cow<'static, str> {
                    Cow::Borrowed(stringify!($name))
                }
            }
        )+

        /// Every labelled enum's schema, by name, for the OpenAPI document's components.
        pub fn all() -> Vec<(String, RefOr<Schema>)> {
            use utoipa::{PartialSchema, ToSchema};
            vec![$(($name::name().into_owned(), $name::schema()),)+]
        }
    };
}

labelled_schemas! {
    /// 项目类别.
    ProjectKind = lingji_domain::library::ProjectKind, "项目类别";
    /// 事项分类.
    MatterClass = lingji_domain::library::MatterClass, "事项分类";
    /// 项目状态.
    ProjectState = lingji_domain::library::ProjectState, "项目状态";
    /// 支出标准类别.
    StandardCategory = lingji_domain::library::cost::StandardCategory, "支出标准类别";
    /// 指标类别.
    IndicatorCategory = lingji_domain::library::targets::IndicatorCategory, "指标类别";
    /// 指标值比较方式.
    Comparator = lingji_domain::library::targets::Comparator, "指标值比较方式";
    /// 资金来源 (fund book).
    FundBook = lingji_domain::foundation::fund::FundBook, "资金来源";
    /// 支出层级 (spending tier).
    SpendingTier = lingji_domain::library::tier::SpendingTier, "支出层级";
    /// 保障类别.
    Guarantee = lingji_domain::library::tier::Guarantee, "保障类别";
    /// A project's end in an allocation run.
    AllocationStatus = lingji_domain::allocation::Status, "测算结果";
    /// 绩效等级 used by the allocation.
    Grade = lingji_domain::allocation::Grade, "绩效等级";
    /// 区划层级.
    JurisdictionLevel = lingji_domain::foundation::levels::JurisdictionLevel, "区划层级";
    /// 调整类型.
    AdjustmentKind = lingji_domain::execution::AdjustmentKind, "调整类型";
    /// 调整状态.
    AdjustmentStatus = lingji_domain::execution::AdjustmentStatus, "调整状态";
    /// 用款计划层级.
    PlanTier = lingji_domain::execution::PlanTier, "用款计划层级";
    /// 用款计划状态.
    PlanStatus = lingji_domain::execution::PlanStatus, "用款计划状态";
    /// 支付申请状态.
    PaymentStatus = lingji_domain::execution::PaymentStatus, "支付申请状态";
    /// 支付处理.
    PaymentDecision = lingji_domain::execution::Decision, "支付处理";
    /// 疑点处置.
    Disposition = lingji_domain::execution::Disposition, "疑点处置";
    /// 收款人类型.
    PayeeKind = lingji_domain::execution::PayeeKind, "收款人类型";
    /// 规则动作.
    RuleAction = lingji_domain::execution::Action, "规则动作";
    /// 监控灯.
    Light = lingji_domain::performance::Light, "监控灯";
    /// 完成目标可能性.
    Likelihood = lingji_domain::performance::Likelihood, "完成目标可能性";
    /// 监控处理.
    MonitoringDecision = lingji_domain::performance::Decision, "监控处理";
    /// 评价类型.
    EvaluationKind = lingji_domain::performance::evaluation::EvaluationKind, "评价类型";
    /// 评价维度.
    Dimension = lingji_domain::performance::evaluation::Dimension, "评价维度";
    /// 定性指标达成情况.
    Attainment = lingji_domain::performance::Attainment, "达成情况";
    /// 公开类型.
    PublicationKind = lingji_domain::disclosure::PublicationKind, "公开类型";
    /// 审核环节.
    ReviewStage = lingji_domain::review::decision::ReviewStage, "审核环节";
    /// 审核结论.
    ReviewDecision = lingji_domain::review::decision::ReviewDecision, "审核结论";
    /// 审核方式.
    ReviewMode = lingji_domain::review::mode::ReviewMode, "审核方式";
    /// 审核关口.
    GateKind = lingji_domain::review::gates::GateKind, "审核关口";
    /// 事前评估结论.
    ExAnteConclusion = lingji_domain::review::gates::ExAnteConclusion, "事前评估结论";
    /// 财政承受能力结论.
    CapacityResult = lingji_domain::review::gates::CapacityResult, "财政承受能力结论";
    /// 未成熟原因.
    NotReadyReason = lingji_domain::review::gates::NotReadyReason, "未成熟原因";
    /// 承接主体类型.
    ProviderKind = lingji_domain::review::gates::ProviderKind, "承接主体类型";
    /// 联审部门.
    JointBody = lingji_domain::review::routing::JointBody, "联审部门";
    /// 清单类型.
    ListKind = lingji_domain::review::lists::ListKind, "清单类型";
    /// 角色.
    Role = lingji_domain::foundation::authz::Role, "角色";
    /// 组织类型.
    OrgKind = lingji_domain::foundation::org::OrgKind, "组织类型";
    /// 单位类型.
    UnitKind = lingji_domain::foundation::org::UnitKind, "单位类型";
    /// 政策参数类型.
    ParamKind = lingji_domain::foundation::policy::ParamKind, "政策参数类型";
    /// 政策预设.
    Preset = lingji_domain::foundation::policy::Preset, "政策预设";
    /// 代码表类别.
    CodeKind = lingji_domain::foundation::codes::CodeKind, "代码表类别";
    /// 待办事项类型.
    TodoKind = lingji_domain::foundation::todo::TodoKind, "待办事项类型";
    /// 功能分类级次.
    FunctionLevel = lingji_domain::foundation::codes::FunctionLevel, "功能分类级次";
    /// 经济分类体系.
    EconomicSet = lingji_domain::foundation::codes::EconomicSet, "经济分类体系";
    /// 转移支付分配因素类型 (transfers between levels).
    FactorKind = lingji_domain::allocation::transfers::FactorKind, "分配因素类型";
    /// 转移支付状态 (transfers between levels).
    TransferStatus = lingji_domain::allocation::transfers::TransferStatus, "转移支付状态";
}
