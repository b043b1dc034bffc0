//! OpenAPI schemas of the domain's labelled enums, built from [`Labelled`]: the codes are the
//! schema's `enum` values (what the API sends and accepts), the Chinese labels stand beside them
//! in the description and in `x-enum-descriptions`. The domain knows nothing of OpenAPI; a field
//! of such an enum names its schema here with `#[schema(value_type = schema::ProjectKind)]`.
//! [`domain`] does the same for the domain's structs the API sends.
//!
//! It lives in the store, the lowest crate whose rows the API sends, so that the store's rows,
//! the application's views and the web's bodies all name the same schemas
//! (`lingji_app::schema` re-exports it).

use std::borrow::Cow;

use lingji_domain::Labelled;
use utoipa::openapi::RefOr;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// The schema of a labelled enum: a string, one of the codes, each label described.
pub fn labelled_schema<T: Labelled>(what: &str) -> Schema {
    let codes: Vec<&str> = T::ALL.iter().map(|v| v.code()).collect();
    let labels: Vec<&str> = T::ALL.iter().map(|v| v.label()).collect();
    let listed: Vec<String> = T::ALL
        .iter()
        .map(|v| format!("`{}` {}", v.code(), v.label()))
        .collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes.clone()))
        .description(Some(format!("{what}：{}", listed.join("，"))))
        .extensions(Some(
            ExtensionsBuilder::new()
                .add("x-enum-varnames", codes)
                .add("x-enum-descriptions", labels)
                .build(),
        ))
        .into()
}

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
    /// 评价维度.
    Dimension = lingji_domain::performance::evaluation::Dimension, "评价维度";
    /// 定性指标达成情况.
    Attainment = lingji_domain::performance::Attainment, "达成情况";
    /// 公开类型.
    PublicationKind = lingji_domain::disclosure::PublicationKind, "公开类型";
    /// 审核环节.
    ReviewStage = lingji_domain::review::decision::ReviewStage, "审核环节";
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
    /// 政策预设.
    Preset = lingji_domain::foundation::policy::Preset, "政策预设";
    /// 功能分类级次.
    FunctionLevel = lingji_domain::foundation::codes::FunctionLevel, "功能分类级次";
    /// 经济分类体系.
    EconomicSet = lingji_domain::foundation::codes::EconomicSet, "经济分类体系";
}

/// Schemas of the domain's structs the API sends, field for field as serde writes them (the
/// domain has no OpenAPI): money and dates as strings, labelled enums by their schemas. Each is
/// held to its domain struct by a pattern that stops compiling when a field is added or removed.
pub mod domain {
    /// A payment request as entered.
    #[derive(utoipa::ToSchema)]
    pub struct PaymentDraft {
        /// 收款人.
        pub payee_name: String,
        /// 收款账号 (bank account or card number).
        pub payee_account: String,
        /// 收款人类型.
        pub payee_kind: super::PayeeKind,
        pub amount: String,
        /// Government economic code of the spending.
        pub economic_code: String,
        /// The budget line paid from.
        pub line_id: i64,
        /// 用途.
        pub purpose: String,
        pub date: String,
        /// 合同编号, when there is one.
        pub contract_no: Option<String>,
        /// The events-list code when the payment is for a festival, forum or exhibition (ZB-6a).
        #[serde(default)]
        pub event_code: Option<String>,
        /// Participants, for meeting and training spend against the standard.
        #[serde(default)]
        pub headcount: Option<u32>,
        /// Days, likewise.
        #[serde(default)]
        pub days: Option<u32>,
        /// The client's key: the same key again is the same request, never a second payment.
        pub idempotency_key: String,
    }

    /// One monitoring rule as finance keeps it.
    #[derive(utoipa::ToSchema)]
    pub struct MonitoringRule {
        /// Stable code, e.g. `B05-01`.
        pub code: String,
        /// The rule class (规则大类), e.g. 对个人转账.
        pub class: String,
        pub name: String,
        /// zen-expression, true when the payment hits the rule.
        pub expression: String,
        /// What a hit does.
        pub action: super::RuleAction,
        /// The clause the rule enforces, when there is one.
        pub clause: Option<String>,
        /// What the operator is told on a hit.
        pub message: String,
        /// First payment date the rule applies to.
        pub effective_from: Option<String>,
        /// Last payment date the rule applies to.
        pub effective_to: Option<String>,
        pub enabled: bool,
    }

    /// A rule a payment hit.
    #[derive(utoipa::ToSchema)]
    pub struct Hit {
        pub code: String,
        pub class: String,
        pub name: String,
        /// What the hit does.
        pub action: super::RuleAction,
        pub clause: Option<String>,
        /// Message for the operator.
        pub message: String,
    }

    /// A tier of a fund book.
    #[derive(utoipa::ToSchema)]
    pub struct TierResult {
        pub fund_book: super::FundBook,
        pub tier: super::SpendingTier,
        /// Its number in the profile's order (1 first).
        pub number: usize,
        /// What its projects need after adjustments.
        pub demand: String,
        /// What they got.
        pub allocated: String,
        /// demand − allocated.
        pub shortfall: String,
    }

    /// A fund book's totals.
    #[derive(utoipa::ToSchema)]
    pub struct Outcome {
        pub fund_book: super::FundBook,
        /// Available resources (可用财力).
        pub resources: String,
        /// Allocated in all.
        pub allocated: String,
        pub remaining: String,
        /// Must-fund items (ZB-3b) exceed the resources by this much: nothing else is funded.
        pub must_fund_shortfall: Option<String>,
        /// Unassigned reserve (待分资金) set aside from what is left (ZB-2b).
        pub reserve: String,
        /// How the reserve was decided, when one was asked for.
        pub reserve_note: Option<String>,
    }

    #[derive(utoipa::ToSchema)]
    pub struct Indicator {
        pub category: super::IndicatorCategory,
        /// Name, e.g. 培训教师人次.
        pub name: String,
        pub comparator: super::Comparator,
        /// Target value: a number for ≥ ≤ =, words for 定性.
        pub target_value: String,
        /// Unit of the value, e.g. 人次; empty for 定性.
        pub unit: String,
    }

    /// A target table.
    #[derive(utoipa::ToSchema)]
    pub struct TargetTable {
        /// 总体目标.
        pub overall_goal: String,
        pub indicators: Vec<Indicator>,
    }

    /// One scored row of the self-evaluation table.
    #[derive(utoipa::ToSchema)]
    pub struct ScoredIndicator {
        /// Second-level category.
        pub category: super::IndicatorCategory,
        pub name: String,
        pub comparator: super::Comparator,
        pub target: String,
        /// Unit of the value.
        pub unit: String,
        pub actual: String,
        /// Weight (分值).
        pub weight: u32,
        /// Score (得分).
        pub score: u32,
        /// Reason it fell short.
        pub reason: String,
        pub remedy: String,
    }

    /// A scored self-evaluation.
    #[derive(utoipa::ToSchema)]
    pub struct Scorecard {
        /// Budget execution rate from the ledger.
        pub execution_rate: u32,
        pub execution_weight: u32,
        pub execution_score: u32,
        /// Why it fell short.
        pub execution_reason: String,
        pub execution_remedy: String,
        pub indicators: Vec<ScoredIndicator>,
        /// Total out of 100.
        pub total: u32,
        /// Grade by the profile's bands.
        pub grade: super::Grade,
    }

    /// One indicator of a key evaluation as the evaluator scores it.
    #[derive(utoipa::ToSchema)]
    pub struct KeyItem {
        pub dimension: super::Dimension,
        /// Indicator, e.g. 立项依据充分性.
        pub name: String,
        pub weight: u32,
        pub score: u32,
    }

    /// A dimension's weight and score in a key evaluation.
    #[derive(utoipa::ToSchema)]
    pub struct DimensionScore {
        pub dimension: super::Dimension,
        pub weight: u32,
        pub score: u32,
    }

    /// A scored key evaluation.
    #[derive(utoipa::ToSchema)]
    pub struct KeyScorecard {
        pub items: Vec<KeyItem>,
        pub dimensions: Vec<DimensionScore>,
        /// Total out of 100.
        pub total: u32,
        pub grade: super::Grade,
    }

    /// A project that ends differently in the two runs.
    #[derive(utoipa::ToSchema)]
    pub struct ProjectDiff {
        pub id: i64,
        /// Allocated in the first run (zero when absent).
        pub allocated_a: String,
        /// Allocated in the second run.
        pub allocated_b: String,
        /// Status in the first run (`None`: not in it).
        pub status_a: Option<super::AllocationStatus>,
        /// Status in the second run.
        pub status_b: Option<super::AllocationStatus>,
        /// b − a.
        pub change: String,
    }

    /// A tier of a fund book in both runs.
    #[derive(utoipa::ToSchema)]
    pub struct TierDiff {
        pub fund_book: super::FundBook,
        pub tier: super::SpendingTier,
        /// Allocated in the first run.
        pub allocated_a: String,
        /// Allocated in the second run.
        pub allocated_b: String,
        /// Shortfall in the first run.
        pub shortfall_a: String,
        /// Shortfall in the second run.
        pub shortfall_b: String,
    }

    /// The differences between two runs.
    #[derive(utoipa::ToSchema)]
    pub struct Comparison {
        /// Projects whose allocation or status differ, largest change first.
        pub projects: Vec<ProjectDiff>,
        /// Every tier of either run, in fund-book and tier order.
        pub tiers: Vec<TierDiff>,
    }

    /// A count with its amount.
    #[derive(utoipa::ToSchema)]
    #[schema(as = YearCounted)]
    pub struct Counted {
        pub count: u64,
        /// Amount (the change for cut/increased/cancelled, the allocation for new).
        pub amount: String,
    }

    /// The statistics of a set of projects.
    #[derive(utoipa::ToSchema)]
    pub struct Tally {
        /// 压减: funded this year below last year.
        pub cut: Counted,
        /// 取消: funded last year, nothing this year.
        pub cancelled: Counted,
        /// 新增: not funded last year, funded this year.
        pub new: Counted,
        /// 调增: funded above last year.
        pub increased: Counted,
        /// Same as last year.
        pub unchanged: u64,
        /// 基数: projects funded last year (cut + cancelled + unchanged + increased).
        pub base_count: u64,
        /// 基数: last year's budget of those projects.
        pub last_year: String,
        /// This year's allocation of all projects.
        pub this_year: String,
        /// 核减: what cuts and cancellations took off.
        pub reduction: String,
        /// 压减比例: the reduction over last year's budget of the projects that had one.
        pub ratio: u32,
    }

    /// Overall and per-department statistics (ZX-3a).
    #[derive(utoipa::ToSchema)]
    pub struct YearOnYear {
        pub overall: Tally,
        /// Per department, by id.
        pub by_department: Vec<(i64, Tally)>,
    }

    /// Two items that look like the same money in two departments.
    #[derive(utoipa::ToSchema)]
    pub struct OverlapPair {
        /// The item with the smaller id.
        pub a: i64,
        pub b: i64,
        /// Shared function code.
        pub function_code: String,
        /// Similarity of the names (Dice over character pairs).
        pub name_similarity: u32,
        /// Share of indicator names in common (Jaccard).
        pub indicator_similarity: u32,
        /// Why they are listed, citing the clauses.
        pub reason: String,
    }

    /// A project's budget and payments from its lines, carry-over lines counted once.
    #[derive(utoipa::ToSchema)]
    pub struct ProjectExecution {
        /// Approved plus adjustments, without the carried amounts.
        pub budget: String,
        /// Paid, from its own lines and the lines carried from them.
        pub spent: String,
        /// Number of lines read (a project without any has no figures from the ledger).
        pub lines: usize,
    }

    /// One indicator's progress as the unit records it.
    #[derive(utoipa::ToSchema)]
    pub struct IndicatorProgress {
        /// The indicator's name (from the target table).
        pub name: String,
        /// Its annual target, as written in the target table.
        pub target: String,
        /// What has been reached so far, in words or a number.
        pub actual: String,
        /// Share of the annual target reached.
        pub progress: u32,
        /// Whether the annual target will be reached.
        pub likelihood: super::Likelihood,
        /// Why it is behind, and what is done about it.
        pub reason: String,
    }

    /// What results application does to next year's budget of an evaluated project (PM-13,
    /// CS-5b, QJ-5b): cut it by a rate, or retire it.
    #[derive(utoipa::ToSchema)]
    pub struct ResultCut {
        /// Share of the reviewed amount taken off.
        pub rate: u32,
        /// The project (or special fund) is retired: nothing next year.
        pub retire: bool,
    }

    /// The five signals of CS-5a besides performance (which is the grade).
    #[derive(utoipa::ToSchema)]
    pub struct Signals {
        /// Last year's execution rate of the project, when it ran last year.
        pub execution_rate: Option<u32>,
        /// Cost lines not detailed enough (细化程度不足).
        pub detail_insufficient: bool,
        /// The unit's idle stock funds that could serve the project (存量资金).
        pub stock_funds: String,
        /// Unresolved audit findings on the project.
        pub audit_findings: u32,
    }

    /// One candidate of the run: an admitted project that passed every gate, or a unit's basic
    /// expenditure.
    #[derive(utoipa::ToSchema)]
    pub struct Candidate {
        /// Project id (basic expenditure: a negative id per unit, so ids stay unique).
        pub id: i64,
        pub code: String,
        pub name: String,
        pub department_id: i64,
        pub unit_id: i64,
        /// Fund book the money comes from.
        pub fund_book: super::FundBook,
        /// Spending tier (ZB-3); key-matters items belong to the key-priorities tier (CS-2a).
        pub tier: super::SpendingTier,
        /// Inside the three guarantees: which one (QJ-2c).
        pub guarantee: Option<super::Guarantee>,
        /// Computed by headcount × standard or settled at actual cost: funded in full first (ZB-3b).
        pub must_fund: bool,
        /// On the key-matters list (CS-2a, ZX-1): first inside its tier.
        pub key_matter: bool,
        /// Requested by the unit.
        pub requested: String,
        /// Finance-reviewed amount (财政审核数, ≤ requested).
        pub reviewed: String,
        /// Lowest amount at which the project still makes sense; `None`: only in full.
        pub minimum: Option<String>,
        /// Finance's rank (1 first).
        pub finance_rank: Option<u32>,
        /// The department's rank (1 first).
        pub department_rank: Option<u32>,
        /// Last year's evaluation score.
        pub last_score: Option<u32>,
        /// Last year's evaluation grade.
        pub last_grade: Option<super::Grade>,
        /// Finance's confirmed application of that grade when it overrode the profile's cut
        /// (PM-13); `None`: the profile's cut for the grade (CS-5b, QJ-5b).
        #[serde(default)]
        pub result_cut: Option<ResultCut>,
        /// Last year's budget of the project (ZB-4: shown, never the base; CS-2b's reference).
        pub last_year: Option<String>,
        /// A key special project subject to the across-the-board cut (CS-2b).
        pub key_special: bool,
        /// A people-related livelihood project, exempt from that cut when the profile says so.
        pub livelihood: bool,
        /// CS-5a signals.
        pub signals: Signals,
    }

    /// A decision that refused the input: a stable code for machines, a Chinese message for
    /// people, the field or row that is wrong and, when a policy rule refused, its clause id
    /// from `POLICY.md`.
    #[derive(utoipa::ToSchema)]
    pub struct Refusal {
        /// Stable machine-readable code, e.g. `MONEY_MALFORMED`.
        pub code: String,
        /// Message for people, in Chinese.
        pub message: String,
        /// The field (or `row N, column C`) that is wrong, when there is one.
        pub field: Option<String>,
        /// The policy clause that refused, e.g. `ZB-3`.
        pub clause: Option<String>,
    }

    /// Features of a project that later gates use (ZB-5e, ZB-2c, ZB-2d, ZB-8, ZB-6a, CS-2a, ZB-12).
    #[derive(Default, serde::Serialize, utoipa::ToSchema)]
    #[serde(default)]
    pub struct Features {
        /// 培训 (organisation department reviews, ZB-5e).
        pub training: bool,
        /// 信息化 (data bureau reviews, ZB-2e).
        pub it: bool,
        /// 政府投资 (development and reform reviews, fiscal capacity, ZB-2c).
        pub government_investment: bool,
        /// 政府购买服务 (ZB-8).
        pub purchase_of_services: bool,
        /// 节庆论坛展会 (ZB-6a).
        pub event: bool,
        /// 可由产业基金支持 (ZB-2d: no budget money).
        pub industry_fund_eligible: bool,
        /// 大事要事保障清单事项 (CS-2a, ZX-1).
        pub key_matters_item: bool,
        /// 专项资金 (ZB-12).
        pub special_fund: bool,
    }

    /// A project's result in a run, as sent: its amounts, its adjustments and why it ended so.
    #[derive(utoipa::ToSchema)]
    pub struct ProjectResult {
        pub id: i64,
        pub fund_book: super::FundBook,
        pub tier: super::SpendingTier,
        pub requested: String,
        pub reviewed: String,
        /// Reductions, each with its clause.
        pub adjustments: Vec<Adjustment>,
        pub adjusted: String,
        pub allocated: String,
        /// Place in the run order.
        pub position: u32,
        /// How it ended.
        pub status: super::AllocationStatus,
        /// Why, in Chinese, citing the clauses.
        pub explanation: String,
    }

    /// One reduction of a candidate's amount, with the clause that makes it.
    #[derive(utoipa::ToSchema)]
    pub struct Adjustment {
        pub clause: String,
        /// What it is, in Chinese (e.g. "上年绩效评价“中”，压减 20%").
        pub label: String,
        /// Amount taken off (positive).
        pub amount: String,
    }

    /// One applicable gate and whether it is satisfied.
    #[derive(utoipa::ToSchema)]
    pub struct GateStatus {
        pub gate: super::GateKind,
        pub label: String,
        pub clause: String,
        pub open: bool,
        /// A record exists.
        pub recorded: bool,
    }

    /// A block or warning, serialisable.
    #[derive(utoipa::ToSchema)]
    pub struct Finding {
        pub code: String,
        pub message: String,
        pub clause: String,
    }

    /// The input of one cost line.
    #[derive(utoipa::ToSchema)]
    pub struct CostLineInput {
        /// What is bought, e.g. 全市教师培训（二类）.
        pub item: String,
        /// Economic classification (部门) at 款 level.
        pub economic_code: String,
        /// Standard applied, if one exists.
        pub standard_id: Option<i64>,
        /// Quantity in the standard's unit of measure (e.g. 人·天), up to 4 decimals.
        pub quantity: String,
        /// Money per unit of measure.
        pub unit_amount: String,
        /// Written basis when no standard applies (ZB-14).
        pub basis: String,
    }

    /// One year of a multi-year plan (CS-4, QJ-2b).
    #[derive(utoipa::ToSchema)]
    pub struct YearNeed {
        pub year: i32,
        /// Money needed that year.
        pub amount: String,
    }

    /// A special fund in the registry (ZB-12, QJ-3b).
    #[derive(Default, serde::Serialize, utoipa::ToSchema)]
    #[serde(default)]
    pub struct SpecialFundTerms {
        /// 牵头主管部门 (organisation id).
        pub lead_department_id: Option<i64>,
        /// First year of the fund.
        pub start_year: Option<i32>,
        /// Period in years (一年一定, at most the profile's limit).
        pub period_years: Option<u32>,
        /// 试点类.
        pub pilot: bool,
        /// A department's "big" special fund (QJ-3b: one per department).
        pub big: bool,
        /// 任务清单.
        pub tasks: Vec<String>,
    }

    /// One entry of a list.
    #[derive(Default, serde::Serialize, utoipa::ToSchema)]
    #[serde(default)]
    pub struct ListEntry {
        /// Code, unique in the list.
        pub code: String,
        /// Name. On the negative list, the words that identify a refused service.
        pub name: String,
        /// Budget year, for yearly lists.
        pub year: Option<i32>,
        /// Remarks, or the reason an agency is blacklisted.
        pub note: String,
        /// Special funds only.
        pub fund: SpecialFundTerms,
        /// Agencies only: blacklisted for fraud (PM-12).
        pub blacklisted: bool,
    }

    /// 政策依据.
    #[derive(utoipa::ToSchema)]
    pub struct PolicyBasis {
        pub title: String,
        /// Document number, e.g. 连政发〔2024〕119号.
        pub number: String,
        /// Date the policy expires, if it does (ZB-5d).
        pub expires_on: Option<String>,
    }

    /// 实施期限.
    #[derive(utoipa::ToSchema)]
    pub struct Period {
        pub start_year: i32,
        pub end_year: i32,
        /// 试点类 (QJ-3c).
        pub pilot: bool,
    }

    fn _payment_draft(v: &lingji_domain::execution::PaymentDraft) {
        let lingji_domain::execution::PaymentDraft {
            payee_name: _,
            payee_account: _,
            payee_kind: _,
            amount: _,
            economic_code: _,
            line_id: _,
            purpose: _,
            date: _,
            contract_no: _,
            event_code: _,
            headcount: _,
            days: _,
            idempotency_key: _,
        } = v;
    }

    fn _monitoring_rule(v: &lingji_domain::execution::MonitoringRule) {
        let lingji_domain::execution::MonitoringRule {
            code: _,
            class: _,
            name: _,
            expression: _,
            action: _,
            clause: _,
            message: _,
            effective_from: _,
            effective_to: _,
            enabled: _,
        } = v;
    }

    fn _hit(v: &lingji_domain::execution::Hit) {
        let lingji_domain::execution::Hit {
            code: _,
            class: _,
            name: _,
            action: _,
            clause: _,
            message: _,
        } = v;
    }

    fn _tier_result(v: &lingji_domain::allocation::TierResult) {
        let lingji_domain::allocation::TierResult {
            fund_book: _,
            tier: _,
            number: _,
            demand: _,
            allocated: _,
            shortfall: _,
        } = v;
    }

    fn _outcome(v: &lingji_domain::allocation::Outcome) {
        let lingji_domain::allocation::Outcome {
            fund_book: _,
            resources: _,
            allocated: _,
            remaining: _,
            must_fund_shortfall: _,
            reserve: _,
            reserve_note: _,
        } = v;
    }

    fn _indicator(v: &lingji_domain::library::targets::Indicator) {
        let lingji_domain::library::targets::Indicator {
            category: _,
            name: _,
            comparator: _,
            target_value: _,
            unit: _,
        } = v;
    }

    fn _target_table(v: &lingji_domain::library::targets::TargetTable) {
        let lingji_domain::library::targets::TargetTable {
            overall_goal: _,
            indicators: _,
        } = v;
    }

    fn _scored_indicator(v: &lingji_domain::performance::evaluation::ScoredIndicator) {
        let lingji_domain::performance::evaluation::ScoredIndicator {
            category: _,
            name: _,
            comparator: _,
            target: _,
            unit: _,
            actual: _,
            weight: _,
            score: _,
            reason: _,
            remedy: _,
        } = v;
    }

    fn _scorecard(v: &lingji_domain::performance::evaluation::Scorecard) {
        let lingji_domain::performance::evaluation::Scorecard {
            execution_rate: _,
            execution_weight: _,
            execution_score: _,
            execution_reason: _,
            execution_remedy: _,
            indicators: _,
            total: _,
            grade: _,
        } = v;
    }

    fn _key_item(v: &lingji_domain::performance::evaluation::KeyItem) {
        let lingji_domain::performance::evaluation::KeyItem {
            dimension: _,
            name: _,
            weight: _,
            score: _,
        } = v;
    }

    fn _dimension_score(v: &lingji_domain::performance::evaluation::DimensionScore) {
        let lingji_domain::performance::evaluation::DimensionScore {
            dimension: _,
            weight: _,
            score: _,
        } = v;
    }

    fn _key_scorecard(v: &lingji_domain::performance::evaluation::KeyScorecard) {
        let lingji_domain::performance::evaluation::KeyScorecard {
            items: _,
            dimensions: _,
            total: _,
            grade: _,
        } = v;
    }

    fn _project_diff(v: &lingji_domain::allocation::ProjectDiff) {
        let lingji_domain::allocation::ProjectDiff {
            id: _,
            allocated_a: _,
            allocated_b: _,
            status_a: _,
            status_b: _,
            change: _,
        } = v;
    }

    fn _tier_diff(v: &lingji_domain::allocation::TierDiff) {
        let lingji_domain::allocation::TierDiff {
            fund_book: _,
            tier: _,
            allocated_a: _,
            allocated_b: _,
            shortfall_a: _,
            shortfall_b: _,
        } = v;
    }

    fn _comparison(v: &lingji_domain::allocation::Comparison) {
        let lingji_domain::allocation::Comparison {
            projects: _,
            tiers: _,
        } = v;
    }

    fn _counted(v: &lingji_domain::allocation::Counted) {
        let lingji_domain::allocation::Counted {
            count: _,
            amount: _,
        } = v;
    }

    fn _tally(v: &lingji_domain::allocation::Tally) {
        let lingji_domain::allocation::Tally {
            cut: _,
            cancelled: _,
            new: _,
            increased: _,
            unchanged: _,
            base_count: _,
            last_year: _,
            this_year: _,
            reduction: _,
            ratio: _,
        } = v;
    }

    fn _year_on_year(v: &lingji_domain::allocation::YearOnYear) {
        let lingji_domain::allocation::YearOnYear {
            overall: _,
            by_department: _,
        } = v;
    }

    fn _overlap_pair(v: &lingji_domain::allocation::OverlapPair) {
        let lingji_domain::allocation::OverlapPair {
            a: _,
            b: _,
            function_code: _,
            name_similarity: _,
            indicator_similarity: _,
            reason: _,
        } = v;
    }

    fn _project_execution(v: &lingji_domain::execution::ProjectExecution) {
        let lingji_domain::execution::ProjectExecution {
            budget: _,
            spent: _,
            lines: _,
        } = v;
    }

    fn _indicator_progress(v: &lingji_domain::performance::monitoring::IndicatorProgress) {
        let lingji_domain::performance::monitoring::IndicatorProgress {
            name: _,
            target: _,
            actual: _,
            progress: _,
            likelihood: _,
            reason: _,
        } = v;
    }

    fn _result_cut(v: &lingji_domain::allocation::ResultCut) {
        let lingji_domain::allocation::ResultCut { rate: _, retire: _ } = v;
    }

    fn _signals(v: &lingji_domain::allocation::Signals) {
        let lingji_domain::allocation::Signals {
            execution_rate: _,
            detail_insufficient: _,
            stock_funds: _,
            audit_findings: _,
        } = v;
    }

    fn _candidate(v: &lingji_domain::allocation::Candidate) {
        let lingji_domain::allocation::Candidate {
            id: _,
            code: _,
            name: _,
            department_id: _,
            unit_id: _,
            fund_book: _,
            tier: _,
            guarantee: _,
            must_fund: _,
            key_matter: _,
            requested: _,
            reviewed: _,
            minimum: _,
            finance_rank: _,
            department_rank: _,
            last_score: _,
            last_grade: _,
            result_cut: _,
            last_year: _,
            key_special: _,
            livelihood: _,
            signals: _,
        } = v;
    }

    fn _refusal(v: &lingji_domain::error::Refusal) {
        let lingji_domain::error::Refusal {
            code: _,
            message: _,
            field: _,
            clause: _,
        } = v;
    }

    fn _features(v: &lingji_domain::library::Features) {
        let lingji_domain::library::Features {
            training: _,
            it: _,
            government_investment: _,
            purchase_of_services: _,
            event: _,
            industry_fund_eligible: _,
            key_matters_item: _,
            special_fund: _,
        } = v;
    }

    fn _project_result(v: &lingji_domain::allocation::ProjectResult) {
        // `reason` is sent as `explanation`.
        let lingji_domain::allocation::ProjectResult {
            id: _,
            fund_book: _,
            tier: _,
            requested: _,
            reviewed: _,
            adjustments: _,
            adjusted: _,
            allocated: _,
            position: _,
            status: _,
            reason: _,
        } = v;
    }

    fn _adjustment(v: &lingji_domain::allocation::Adjustment) {
        let lingji_domain::allocation::Adjustment {
            clause: _,
            label: _,
            amount: _,
        } = v;
    }

    fn _gate_status(v: &lingji_domain::review::eligibility::GateStatus) {
        let lingji_domain::review::eligibility::GateStatus {
            gate: _,
            label: _,
            clause: _,
            open: _,
            recorded: _,
        } = v;
    }

    fn _finding(v: &lingji_domain::review::eligibility::Finding) {
        let lingji_domain::review::eligibility::Finding {
            code: _,
            message: _,
            clause: _,
        } = v;
    }

    fn _cost_line_input(v: &lingji_domain::library::cost::CostLineInput) {
        let lingji_domain::library::cost::CostLineInput {
            item: _,
            economic_code: _,
            standard_id: _,
            quantity: _,
            unit_amount: _,
            basis: _,
        } = v;
    }

    fn _year_need(v: &lingji_domain::library::YearNeed) {
        let lingji_domain::library::YearNeed { year: _, amount: _ } = v;
    }

    fn _special_fund_terms(v: &lingji_domain::review::lists::SpecialFundTerms) {
        let lingji_domain::review::lists::SpecialFundTerms {
            lead_department_id: _,
            start_year: _,
            period_years: _,
            pilot: _,
            big: _,
            tasks: _,
        } = v;
    }

    fn _list_entry(v: &lingji_domain::review::lists::ListEntry) {
        let lingji_domain::review::lists::ListEntry {
            code: _,
            name: _,
            year: _,
            note: _,
            fund: _,
            blacklisted: _,
        } = v;
    }

    fn _policy_basis(v: &lingji_domain::library::PolicyBasis) {
        let lingji_domain::library::PolicyBasis {
            title: _,
            number: _,
            expires_on: _,
        } = v;
    }

    fn _period(v: &lingji_domain::library::Period) {
        let lingji_domain::library::Period {
            start_year: _,
            end_year: _,
            pilot: _,
        } = v;
    }
}
