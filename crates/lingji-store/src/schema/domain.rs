//! Schemas of the domain's structs the API sends, field for field as serde writes them (the
//! domain has no OpenAPI): money and dates as strings, labelled enums by their schemas. Each is
//! held to its domain struct by a pattern that stops compiling when a field is added or removed.
//! The patterns are in `same_fields`.

mod same_fields;

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
