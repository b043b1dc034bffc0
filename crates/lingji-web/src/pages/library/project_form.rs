//! The project form in tabs (基本信息, 测算明细, 绩效目标, 分年度计划, 历史, 附件): the page with
//! everything it shows beside the draft, and the draft parsed back from the posted form.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use lingji_app::library::projects::{CostLineDraft, IndicatorDraft, ProjectDraft, YearNeedDraft};
use lingji_app::store::library::attachments::Attachment;
use lingji_app::store::library::projects::{HistoryEntry, Project};
use lingji_app::{AppError, AppResult};
use lingji_domain::foundation::authz::{Access, Resource, Role, may};
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::library::cost::Standard;
use lingji_domain::library::targets::{Comparator, IndicatorCategory};
use lingji_domain::library::tier::SpendingTier;
use lingji_domain::library::{Features, MatterClass, ProjectKind};

use super::projects::{Options, options};
use crate::AppState;
use crate::pages::inputs::{self, CodePickers};
use crate::pages::{FieldErrors, FieldNames, Layout, PageCtx, error_page, render};

#[derive(Template)]
#[template(path = "project.html")]
struct FormPage<'a> {
    layout: &'a Layout,
    /// None for a new project.
    project: Option<Project>,
    /// Last year's project id, carried by the new form.
    previous_id: Option<i64>,
    /// Last year's project, shown as reference (ZB-4).
    reference: Option<Project>,
    draft: ProjectDraft,
    /// Computed amounts of the stored lines, by row.
    amounts: Vec<String>,
    blank_lines: usize,
    blank_indicators: usize,
    blank_years: usize,
    history: Vec<HistoryEntry>,
    problems: Option<Vec<String>>,
    errors: FieldErrors,
    editable: bool,
    moves: Options,
    kinds: Options,
    classes: Options,
    tiers: Options,
    books: Options,
    categories: Options,
    comparators: Options,
    /// The standards in force in the form's year, the 支出标准 picker's list.
    standards: Vec<Standard>,
    /// The 支出标准 of each cost line as shown: the code typed when the form comes back,
    /// else the stored standard's code.
    standard_codes: Vec<String>,
    library: Vec<lingji_app::store::library::standards::LibraryIndicator>,
    version: i64,
    attachments: Vec<AttachmentRow>,
    can_attach: bool,
    /// How it will be reviewed (ZB-5a) and by which joint reviewers (ZB-5e).
    review: Option<lingji_app::review::plan::ReviewPlan>,
    attachment_error: String,
    /// The code tables as pickers (编码 名称).
    pickers: CodePickers,
    /// The posted form as typed, when it comes back refused: years and plan rows are shown as
    /// typed, so a year written `二〇二六` stays beside its refusal.
    typed: Vec<(String, String)>,
}

impl FormPage<'_> {
    /// A year field as typed when the form comes back, else the draft's.
    fn year_shown(&self, key: &str, draft: &Option<i32>) -> String {
        if self.typed.is_empty() {
            return Self::year_text(draft);
        }
        Fields(&self.typed).one(key)
    }

    /// The 分年度计划 rows (year, amount) as typed when the form comes back, else the draft's.
    fn plan_rows(&self) -> Vec<(String, String)> {
        if self.typed.is_empty() {
            return self
                .draft
                .year_plan
                .iter()
                .map(|n| (n.year.to_string(), n.amount.clone()))
                .collect();
        }
        let f = Fields(&self.typed);
        let (years, amounts) = (f.all("plan.year"), f.all("plan.amount"));
        (0..years.len())
            .map(|i| (at(&years, i), at(&amounts, i)))
            .filter(|(y, a)| !(y.is_empty() && a.is_empty()))
            .collect()
    }

    /// Units copy their own projects into next year's library.
    fn can_copy(&self) -> bool {
        self.layout.role == lingji_domain::foundation::authz::Role::UnitOperator
    }

    fn amount(&self, i: &usize) -> &str {
        self.amounts.get(*i).map(String::as_str).unwrap_or("")
    }

    fn err(&self, field: &str) -> &str {
        self.errors.get(field)
    }

    fn line_err(&self, i: &usize, field: &str) -> String {
        self.errors
            .get(&format!("cost_lines[{i}].{field}"))
            .to_string()
    }

    fn ind_err(&self, i: &usize, field: &str) -> String {
        self.errors
            .get(&format!("indicators[{i}].{field}"))
            .to_string()
    }

    fn is(&self, value: &Option<String>, option: &str) -> bool {
        value.as_deref() == Some(option)
    }

    fn feature(&self, name: &str) -> bool {
        let f = &self.draft.features;
        match name {
            "training" => f.training,
            "it" => f.it,
            "government_investment" => f.government_investment,
            "purchase_of_services" => f.purchase_of_services,
            "event" => f.event,
            "industry_fund_eligible" => f.industry_fund_eligible,
            "key_matters_item" => f.key_matters_item,
            _ => f.special_fund,
        }
    }

    fn opt(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }

    fn year_text(v: &Option<i32>) -> String {
        v.map(|y| y.to_string()).unwrap_or_default()
    }

    /// The 支出标准 code shown in cost line `i`.
    fn standard_code(&self, i: &usize) -> &str {
        self.standard_codes
            .get(*i)
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// The feature checkboxes with their Chinese labels.
const FEATURES: [(&str, &str); 8] = [
    ("training", "培训（组织部联审）"),
    ("it", "信息化建设和运维（数据局联审）"),
    ("government_investment", "政府投资（发改委联审）"),
    ("purchase_of_services", "政府购买服务"),
    ("event", "节庆论坛展会"),
    ("industry_fund_eligible", "可由产业基金支持"),
    ("key_matters_item", "大事要事保障清单事项"),
    ("special_fund", "专项资金"),
];

/// An attachment as the 附件 tab lists it.
struct AttachmentRow {
    id: i64,
    project_id: i64,
    file_name: String,
    size: String,
    note: String,
    uploaded_by: String,
    uploaded_at: String,
}

impl From<Attachment> for AttachmentRow {
    fn from(a: Attachment) -> Self {
        let size = if a.size_bytes >= 1_048_576 {
            format!(
                "{}.{} MB",
                a.size_bytes / 1_048_576,
                a.size_bytes % 1_048_576 * 10 / 1_048_576
            )
        } else {
            format!("{} KB", (a.size_bytes + 1023) / 1024)
        };
        AttachmentRow {
            id: a.id,
            project_id: a.project_id,
            file_name: a.file_name,
            size,
            note: a.note,
            uploaded_by: a.uploaded_by,
            uploaded_at: a
                .uploaded_at
                .get(..16)
                .unwrap_or(&a.uploaded_at)
                .replace('T', " "),
        }
    }
}

/// The form as a page shows it: the draft, and the stored project when there is one.
pub(crate) struct FormInput {
    pub(crate) project: Option<Project>,
    /// Last year's project this one continues (new form: from ?from=; stored: previous_id).
    pub(crate) previous: Option<i64>,
    pub(crate) draft: ProjectDraft,
    pub(crate) amounts: Vec<String>,
    pub(crate) history: Vec<HistoryEntry>,
    pub(crate) problems: Option<Vec<String>>,
    pub(crate) errors: FieldErrors,
    pub(crate) version: i64,
    /// Why the last upload was refused, shown in the 附件 tab.
    pub(crate) attachment_error: String,
    /// The posted form as typed, when it comes back refused (empty otherwise).
    pub(crate) typed: Vec<(String, String)>,
}

impl FormInput {
    /// A new project's form: the draft as typed, the project it continues and the refusals
    /// beside the fields.
    pub(crate) fn new_project(
        previous: Option<i64>,
        draft: ProjectDraft,
        errors: FieldErrors,
    ) -> FormInput {
        FormInput {
            project: None,
            previous,
            draft,
            amounts: Vec::new(),
            history: Vec::new(),
            problems: None,
            errors,
            version: 0,
            attachment_error: String::new(),
            typed: Vec::new(),
        }
    }
}

pub(crate) async fn form_page(
    ctx: &PageCtx<'_>,
    input: FormInput,
    flash: Option<String>,
    status: StatusCode,
) -> Response {
    let PageCtx { state, id, path } = *ctx;
    let (editable, moves) = moves_for(id, input.project.as_ref());
    let beside = match Beside::load(state, id, &input, editable).await {
        Ok(b) => b,
        Err(e) => return error_page(id, path, &e),
    };
    let title = input
        .project
        .as_ref()
        .map(|p| format!("{} {}", p.header.code, p.header.name))
        .unwrap_or_else(|| "新建项目".into());
    let layout = Layout::new(id, title, path).with_flash(flash);
    let d = &input.draft;
    let standard_codes = if input.typed.is_empty() {
        d.cost_lines
            .iter()
            .map(|l| {
                l.standard_id
                    .map(|sid| {
                        beside
                            .all_standards
                            .iter()
                            .find(|s| s.id == sid)
                            .map(|s| s.code.clone())
                            .unwrap_or_default()
                    })
                    .unwrap_or_default()
            })
            .collect()
    } else {
        Fields(&input.typed).line_standards()
    };
    let page = FormPage {
        layout: &layout,
        blank_lines: 3usize
            .saturating_sub(d.cost_lines.len().saturating_sub(2))
            .max(2),
        blank_indicators: 2,
        blank_years: if d.year_plan.is_empty() { 3 } else { 1 },
        editable,
        moves,
        kinds: options(&ProjectKind::ALL, ProjectKind::as_str, ProjectKind::label),
        classes: options(&MatterClass::ALL, MatterClass::as_str, MatterClass::label),
        tiers: options(
            &SpendingTier::ALL,
            SpendingTier::as_str,
            SpendingTier::label,
        ),
        books: options(&FundBook::ALL, FundBook::as_str, FundBook::label),
        categories: options(
            &IndicatorCategory::ALL,
            IndicatorCategory::as_str,
            IndicatorCategory::label,
        ),
        comparators: options(&Comparator::ALL, Comparator::as_str, Comparator::label),
        standards: beside.standards,
        standard_codes,
        library: beside.library,
        reference: beside.reference,
        previous_id: input.previous,
        project: input.project,
        draft: input.draft,
        amounts: input.amounts,
        history: input.history,
        problems: input.problems,
        errors: input.errors,
        version: input.version,
        attachments: beside.attachments,
        can_attach: beside.can_attach,
        review: beside.review,
        attachment_error: input.attachment_error,
        pickers: beside.pickers,
        typed: input.typed,
    };
    render(status, &page)
}

/// Whether the unit may still edit the project, and the moves the caller's role may make
/// (ZB-15c); the use case checks again. A new project is editable and has no moves.
fn moves_for(id: &crate::identity::Identity, project: Option<&Project>) -> (bool, Options) {
    let Some(p) = project else {
        return (true, Vec::new());
    };
    let st = p.header.state;
    let by = lingji_app::library::projects::mover(&id.caller());
    (
        st.editable_by_unit(),
        st.next_states()
            .into_iter()
            .filter(|to| by.is_some_and(|by| st.check_move(*to, by).is_ok()))
            .map(|s| (s.as_str(), s.label()))
            .collect(),
    )
}

/// What the form shows beside the draft: the catalogues to pick from, last year's project,
/// the attachments and how the project will be reviewed.
struct Beside {
    /// The standards in force in the form's year (the picker's list).
    standards: Vec<Standard>,
    /// Every standard of the catalogue, to name a stored line's standard.
    all_standards: Vec<Standard>,
    library: Vec<lingji_app::store::library::standards::LibraryIndicator>,
    reference: Option<Project>,
    attachments: Vec<AttachmentRow>,
    can_attach: bool,
    review: Option<lingji_app::review::plan::ReviewPlan>,
    pickers: CodePickers,
}

impl Beside {
    /// Only the standards and the attachments must load; the rest is shown when it can be.
    async fn load(
        state: &AppState,
        id: &crate::identity::Identity,
        input: &FormInput,
        editable: bool,
    ) -> AppResult<Beside> {
        let library = state.app.library();
        let standards = library.standards(&id.scope()).await?;
        let indicators = state
            .app
            .catalogues()
            .indicator_library(&id.scope())
            .await
            .unwrap_or_default();
        let reference = match input.previous {
            Some(prev) => library
                .project(&id.caller(), prev)
                .await
                .ok()
                .map(|(d, _)| d.project),
            None => None,
        };
        let attachments = match &input.project {
            Some(p) => library
                .attachments(&id.caller(), p.id)
                .await?
                .into_iter()
                .map(AttachmentRow::from)
                .collect(),
            None => Vec::new(),
        };
        // Units attach while they may edit; reviewers and finance at any stage. The use case
        // decides; this only hides a form that would be refused.
        let can_attach = input.project.is_some()
            && match id.actor.role {
                Role::UnitOperator => editable,
                role => may(role, Resource::Project, Access::Write),
            };
        let review = match &input.project {
            Some(p) => state
                .app
                .review()
                .review_plan(&id.caller(), p.id)
                .await
                .ok(),
            None => None,
        };
        // The pickers are a help: without a code table (or the right to read it) the fields
        // are typed, and the admission check still holds them against the table.
        let year = form_year(state, id, input).await?;
        let pickers = CodePickers::load(state, id, year)
            .await
            .unwrap_or_else(|_| CodePickers::empty());
        Ok(Beside {
            standards: standards
                .iter()
                .filter(|s| s.in_force(year))
                .cloned()
                .collect(),
            all_standards: standards,
            library: indicators,
            reference,
            attachments,
            can_attach,
            review,
            pickers,
        })
    }
}

/// The year whose code tables the form picks from: the project's, or the current one.
async fn form_year(
    state: &AppState,
    id: &crate::identity::Identity,
    input: &FormInput,
) -> AppResult<i32> {
    match &input.project {
        Some(p) => Ok(p.header.fiscal_year),
        None => {
            state
                .app
                .foundation()
                .current_year(id.actor.org.jurisdiction)
                .await
        }
    }
}

/// What the typed text says that the draft cannot hold or that the code tables do not know,
/// each refused beside its field naming it, before anything is saved: a year written in words
/// (`二〇二六`) or an amount that is not one (`12O,000`) — never dropped or read as 0 — and a
/// code typed that is not in the year's table.
pub(super) async fn check_typed(
    state: &AppState,
    id: &crate::identity::Identity,
    pairs: &[(String, String)],
    project: Option<&Project>,
    standards: &[Standard],
) -> AppResult<()> {
    let form = Fields(pairs);
    let mut e = Vec::new();
    for (key, label) in [("start_year", "开始年度"), ("end_year", "结束年度")] {
        if let Err(r) = inputs::year(&form.one(key), key, label) {
            e.push(r);
        }
    }
    let (years, amounts) = (form.all("plan.year"), form.all("plan.amount"));
    for i in 0..years.len().max(amounts.len()) {
        let (y, a) = (at(&years, i), at(&amounts, i));
        let label = format!("分年度计划第 {} 行", i + 1);
        match inputs::year(&y, "year_plan", &format!("{label}年度")) {
            Err(r) => e.push(r),
            Ok(None) if !a.is_empty() => e.push(
                lingji_domain::Refusal::new("YEAR_REQUIRED", format!("{label}：请填写年度"))
                    .field("year_plan"),
            ),
            Ok(_) => {}
        }
        if !a.is_empty()
            && let Err(r) = inputs::amount(&a, "year_plan", &format!("{label}资金需求"))
        {
            e.push(r);
        }
    }
    for (key, label) in [("total_need", "资金总需求"), ("min_viable", "最低可行额度")] {
        let v = form.one(key);
        if !v.is_empty()
            && let Err(r) = inputs::amount(&v, key, label)
        {
            e.push(r);
        }
    }
    let lines = form.cost_lines(standards);
    for (i, l) in lines.iter().enumerate() {
        if !l.unit_amount.is_empty()
            && let Err(r) = inputs::amount(
                &l.unit_amount,
                &format!("cost_lines[{i}].unit_amount"),
                "单价",
            )
        {
            e.push(r);
        }
    }
    let year = match project {
        Some(p) => p.header.fiscal_year,
        None => {
            state
                .app
                .foundation()
                .current_year(id.actor.org.jurisdiction)
                .await?
        }
    };
    let pickers = CodePickers::load(state, id, year)
        .await
        .unwrap_or_else(|_| CodePickers::empty());
    e.extend(inputs::known_code(
        &pickers.function,
        &form.one("function_code"),
        "function_code",
        "支出功能分类",
    ));
    e.extend(inputs::known_code(
        &pickers.government_economic,
        &form.one("government_economic_code"),
        "government_economic_code",
        "政府经济分类",
    ));
    let economic: Vec<inputs::Choice> = pickers
        .economic
        .iter()
        .chain(&pickers.government_economic)
        .cloned()
        .collect();
    for (i, code) in form.line_standards().iter().enumerate() {
        e.extend(standard_refusal(standards, code, year, i));
    }
    for (i, l) in lines.iter().enumerate() {
        e.extend(inputs::known_code(
            &economic,
            &l.economic_code,
            &format!("cost_lines[{i}].economic_code"),
            "经济分类",
        ));
    }
    if e.is_empty() {
        return Ok(());
    }
    Err(AppError::Invalid {
        summary: lingji_domain::Refusal::new("FORM_INVALID", format!("有 {} 处需补正", e.len())),
        errors: e,
    })
}

/// The 支出标准 typed in cost line `i` refused beside its cell when the catalogue does not know
/// it or it is not in force in `year` (ZB-14); empty means no standard (a written basis then).
fn standard_refusal(
    standards: &[Standard],
    typed: &str,
    year: i32,
    i: usize,
) -> Option<lingji_domain::Refusal> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    let field = format!("cost_lines[{i}].standard_id");
    let refusal = match standards.iter().find(|s| s.code == typed) {
        None => lingji_domain::Refusal::new(
            "STANDARD_UNKNOWN",
            format!(
                "第 {} 行支出标准“{typed}”不在支出标准库中，请从列表中选择（ZB-14）",
                i + 1
            ),
        ),
        Some(s) if !s.in_force(year) => lingji_domain::Refusal::new(
            "STANDARD_NOT_APPLICABLE",
            format!(
                "第 {} 行支出标准“{} {}”在 {year} 年度不执行，请选择现行标准（ZB-14）",
                i + 1,
                s.code,
                s.name
            ),
        ),
        Some(_) => return None,
    };
    Some(refusal.field(field).clause("ZB-14"))
}

/// The form's fields, parsed from repeated `line.*`, `ind.*`, `plan.*` and `f.*` fields; a cost
/// line's 支出标准 comes as the standard's code, read against `standards` (the catalogue). A
/// line on a standard with no 单价 typed takes the standard's amount (what the picker fills in
/// with JS on).
pub(super) fn draft_from(
    pairs: &[(String, String)],
    standards: &[Standard],
) -> (ProjectDraft, i64) {
    let form = Fields(pairs);
    let one = |k: &str| form.one(k);
    let opt = |k: &str| Some(one(k)).filter(|v| !v.is_empty());
    let year = |k: &str| one(k).parse::<i32>().ok();
    let flag = |k: &str| form.flag(k);
    let draft = ProjectDraft {
        name: one("name"),
        kind: one("kind"),
        matter_class: opt("matter_class"),
        tier: opt("tier"),
        basis_title: one("basis_title"),
        basis_number: one("basis_number"),
        basis_expires_on: opt("basis_expires_on"),
        start_year: year("start_year"),
        end_year: year("end_year"),
        pilot: flag("pilot"),
        total_need: opt("total_need"),
        min_viable: opt("min_viable"),
        function_code: one("function_code"),
        government_economic_code: one("government_economic_code"),
        fund_book: opt("fund_book"),
        responsible_person: one("responsible_person"),
        responsible_phone: one("responsible_phone"),
        is_new: flag("is_new"),
        is_major: flag("is_major"),
        livelihood: flag("livelihood"),
        features: Features {
            training: flag("f.training"),
            it: flag("f.it"),
            government_investment: flag("f.government_investment"),
            purchase_of_services: flag("f.purchase_of_services"),
            event: flag("f.event"),
            industry_fund_eligible: flag("f.industry_fund_eligible"),
            key_matters_item: flag("f.key_matters_item"),
            special_fund: flag("f.special_fund"),
        },
        overall_goal: one("overall_goal"),
        cost_lines: form.cost_lines(standards),
        indicators: form.indicators(),
        year_plan: form.year_plan(),
    };
    (draft, one("version").parse().unwrap_or_default())
}

/// The posted form as name–value pairs; a table's column comes as one field repeated per row.
struct Fields<'a>(&'a [(String, String)]);

impl Fields<'_> {
    /// The first value of a field, trimmed; empty when absent.
    fn one(&self, k: &str) -> String {
        self.0
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }

    /// Every value of a repeated field, trimmed, in row order.
    fn all(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// A checkbox: sent only when checked.
    fn flag(&self, k: &str) -> bool {
        self.0.iter().any(|(key, _)| key == k)
    }

    /// 测算明细: rows with an item, a quantity or a unit amount; the standard by its code.
    fn cost_lines(&self, standards: &[Standard]) -> Vec<CostLineDraft> {
        let (items, econ, codes, qty, unit, basis) = (
            self.all("line.item"),
            self.all("line.economic_code"),
            self.all("line.standard"),
            self.all("line.quantity"),
            self.all("line.unit_amount"),
            self.all("line.basis"),
        );
        (0..items.len())
            .filter(|&i| !Self::blank_line(&[&items, &codes, &qty, &unit], i))
            .map(|i| {
                let standard = standards.iter().find(|s| s.code == at(&codes, i));
                let typed_amount = at(&unit, i);
                CostLineDraft {
                    item: at(&items, i),
                    economic_code: at(&econ, i),
                    standard_id: standard.map(|s| s.id),
                    quantity: at(&qty, i),
                    unit_amount: match standard {
                        Some(s) if typed_amount.is_empty() => s.amount.to_plain(),
                        _ => typed_amount,
                    },
                    basis: at(&basis, i),
                }
            })
            .collect()
    }

    /// The 支出标准 codes typed in the cost lines that are not blank, in row order.
    fn line_standards(&self) -> Vec<String> {
        let (items, codes, qty, unit) = (
            self.all("line.item"),
            self.all("line.standard"),
            self.all("line.quantity"),
            self.all("line.unit_amount"),
        );
        (0..items.len())
            .filter(|&i| !Self::blank_line(&[&items, &codes, &qty, &unit], i))
            .map(|i| at(&codes, i))
            .collect()
    }

    /// A cost line row left empty (no item, standard, quantity or unit amount) is not a line.
    fn blank_line(columns: &[&Vec<String>], i: usize) -> bool {
        columns.iter().all(|c| at(c, i).is_empty())
    }

    /// 绩效目标: rows with a name or a target value.
    fn indicators(&self) -> Vec<IndicatorDraft> {
        let (cats, names, comps, values, units) = (
            self.all("ind.category"),
            self.all("ind.name"),
            self.all("ind.comparator"),
            self.all("ind.target_value"),
            self.all("ind.unit"),
        );
        (0..names.len())
            .map(|i| IndicatorDraft {
                category: at(&cats, i),
                name: at(&names, i),
                comparator: at(&comps, i),
                target_value: at(&values, i),
                unit: at(&units, i),
            })
            .filter(|x| !(x.name.is_empty() && x.target_value.is_empty()))
            .collect()
    }

    /// 分年度计划: rows with a year and an amount.
    fn year_plan(&self) -> Vec<YearNeedDraft> {
        let (years, amounts) = (self.all("plan.year"), self.all("plan.amount"));
        (0..years.len())
            .filter_map(|i| {
                Some(YearNeedDraft {
                    year: at(&years, i).parse().ok()?,
                    amount: at(&amounts, i),
                })
            })
            .filter(|n| !n.amount.is_empty())
            .collect()
    }
}

/// Row `i` of a column; a column sent short reads as empty.
fn at(v: &[String], i: usize) -> String {
    v.get(i).cloned().unwrap_or_default()
}

/// Every field a refusal may name on this form, so that messages land beside their fields.
fn form_fields(draft: &ProjectDraft) -> FieldNames {
    FieldNames::new(&[
        "name",
        "kind",
        "matter_class",
        "tier",
        "basis_title",
        "basis_number",
        "basis_expires_on",
        "period",
        "start_year",
        "end_year",
        "total_need",
        "min_viable",
        "function_code",
        "government_economic_code",
        "fund_book",
        "responsible_person",
        "targets",
        "cost_lines",
        "year_plan",
    ])
    .rows(
        "cost_lines",
        draft.cost_lines.len(),
        &[
            "item",
            "economic_code",
            "standard_id",
            "quantity",
            "unit_amount",
            "basis",
        ],
    )
    .rows(
        "indicators",
        draft.indicators.len(),
        &["category", "name", "comparator", "target_value", "unit"],
    )
}

pub(super) fn errors_for(e: &AppError, draft: &ProjectDraft) -> FieldErrors {
    form_fields(draft).errors(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lingji_domain::Money;
    use lingji_domain::library::cost::StandardCategory;

    fn standard(code: &str, to_year: Option<i32>) -> Standard {
        Standard {
            id: 7,
            code: code.into(),
            name: "二类会议综合定额".into(),
            category: StandardCategory::Project,
            unit_of_measure: "元/人·天".into(),
            amount: Money::from_yuan(500),
            unit_kinds: Vec::new(),
            from_year: 2020,
            to_year,
            source: String::new(),
        }
    }

    #[test]
    fn zb_14_a_standard_typed_is_read_by_code_and_refused_beside_its_cell_when_unknown_or_expired()
    {
        let list = [
            standard("P-MEET-2", None),
            standard("P-MEET-OLD", Some(2024)),
        ];
        assert!(standard_refusal(&list, "", 2026, 0).is_none());
        assert!(standard_refusal(&list, "P-MEET-2", 2026, 0).is_none());
        let unknown = standard_refusal(&list, "P-MEET-9", 2026, 1).unwrap();
        assert_eq!(
            (unknown.field.as_deref(), unknown.clause),
            (Some("cost_lines[1].standard_id"), Some("ZB-14"))
        );
        assert!(
            unknown.message.contains("第 2 行支出标准“P-MEET-9”"),
            "{}",
            unknown.message
        );
        let expired = standard_refusal(&list, "P-MEET-OLD", 2026, 0).unwrap();
        assert!(
            expired.message.contains("在 2026 年度不执行"),
            "{}",
            expired.message
        );
        // Picked with 单价 left empty (no JS), the line takes the standard's amount.
        let pairs: Vec<(String, String)> = [
            ("line.item", "全市教育工作会议"),
            ("line.standard", "P-MEET-2"),
            ("line.quantity", "100"),
            ("line.unit_amount", ""),
            ("line.item", ""),
            ("line.standard", ""),
            ("line.quantity", ""),
            ("line.unit_amount", ""),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (draft, _) = draft_from(&pairs, &list);
        assert_eq!(draft.cost_lines.len(), 1);
        assert_eq!(draft.cost_lines[0].standard_id, Some(7));
        assert_eq!(draft.cost_lines[0].unit_amount, "500.00");
    }
}
