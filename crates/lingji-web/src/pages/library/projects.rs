//! `/projects`: the project library — the list with filters and paging, the project form in
//! tabs (基本信息, 测算明细, 绩效目标, 分年度计划, 历史), checking, submitting and moving; and
//! `/standards`, the expenditure standards catalogue.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use lingji_app::library::projects::{CostLineDraft, IndicatorDraft, ProjectDraft, YearNeedDraft};
use lingji_app::store::library::attachments::Attachment;
use lingji_app::store::library::projects::{HistoryEntry, Project};
use lingji_app::{AppError, AppResult};
use lingji_domain::foundation::authz::{Access, Resource, Role, may, may_create};
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::library::cost::Standard;
use lingji_domain::library::targets::{Comparator, IndicatorCategory};
use lingji_domain::library::tier::SpendingTier;
use lingji_domain::library::{Features, MatterClass, ProjectKind, ProjectState};

use crate::AppState;
use crate::api::library::projects::ProjectQuery;
use crate::identity::PageUser;
use crate::pages::{FieldErrors, Layout, PageCtx, error_page, flash_from, render};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/projects", get(list))
        .route("/projects/new", get(new_form).post(create))
        .route("/projects/{id}", get(show).post(save))
        .route("/projects/{id}/move", post(move_to))
        .route("/standards", get(standards))
        .route("/indicators", get(indicator_library))
        .route("/projects/cleanup", get(cleanup).post(cleanup_retire))
}

type Options = Vec<(&'static str, &'static str)>;

fn options<T: Copy>(all: &[T], id: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Options {
    all.iter().map(|v| (id(*v), label(*v))).collect()
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ListPage<'a> {
    layout: &'a Layout,
    projects: Vec<Project>,
    q: ProjectQueryView,
    states: Options,
    classes: Options,
    tiers: Options,
    kinds: Options,
    next_page: Option<String>,
    can_create: bool,
    can_import: bool,
    can_clean: bool,
    export_link: String,
}

/// The filters as the form shows them.
#[derive(Default)]
struct ProjectQueryView {
    year: String,
    state: String,
    matter_class: String,
    tier: String,
    kind: String,
    q: String,
}

const PAGE: i64 = 50;

/// The export of what the list shows.
fn export_link(v: &ProjectQueryView) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "/api/v1/projects/export?year={}&state={}&matter_class={}&tier={}&kind={}&q={}",
        enc(&v.year),
        enc(&v.state),
        enc(&v.matter_class),
        enc(&v.tier),
        enc(&v.kind),
        enc(&v.q)
    )
}

async fn list(
    State(state): State<AppState>,
    PageUser(id): PageUser,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<ProjectQuery>,
) -> Response {
    let view = ProjectQueryView {
        year: q.year.map(|y| y.to_string()).unwrap_or_default(),
        state: q.state.clone().unwrap_or_default(),
        matter_class: q.matter_class.clone().unwrap_or_default(),
        tier: q.tier.clone().unwrap_or_default(),
        kind: q.kind.clone().unwrap_or_default(),
        q: q.q.clone().unwrap_or_default(),
    };
    let loaded = async {
        let mut filter = q.filter(id.actor.org.jurisdiction).map_err(|e| e.0)?;
        filter.limit = PAGE;
        state
            .app
            .library()
            .list_projects(&id.caller(), filter)
            .await
    };
    match loaded.await {
        Ok(projects) => {
            let next_page = (projects.len() as i64 == PAGE).then(|| {
                let last = projects.last().map(|p| p.id).unwrap_or_default();
                let enc = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                format!(
                    "/projects?year={}&state={}&matter_class={}&tier={}&kind={}&q={}&after={last}",
                    enc(&view.year),
                    enc(&view.state),
                    enc(&view.matter_class),
                    enc(&view.tier),
                    enc(&view.kind),
                    enc(&view.q)
                )
            });
            let export_link = export_link(&view);
            let layout = Layout::new(&id, "项目库", uri.path());
            render(
                StatusCode::OK,
                &ListPage {
                    layout: &layout,
                    projects,
                    q: view,
                    states: options(ProjectState::ALL, ProjectState::as_str, ProjectState::label),
                    classes: options(MatterClass::ALL, MatterClass::as_str, MatterClass::label),
                    tiers: options(
                        &SpendingTier::ALL,
                        SpendingTier::as_str,
                        SpendingTier::label,
                    ),
                    kinds: options(ProjectKind::ALL, ProjectKind::as_str, ProjectKind::label),
                    next_page,
                    can_create: id.actor.org.unit.is_some(),
                    can_import: may_create(id.actor.role, Resource::Project),
                    can_clean: id.actor.role == Role::FinanceOfficer,
                    export_link,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

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
    standards: Vec<Standard>,
    library: Vec<lingji_app::store::library::standards::LibraryIndicator>,
    version: i64,
    attachments: Vec<AttachmentRow>,
    can_attach: bool,
    /// How it will be reviewed (ZB-5a) and by which joint reviewers (ZB-5e).
    review: Option<lingji_app::review::plan::ReviewPlan>,
    attachment_error: String,
}

impl FormPage<'_> {
    /// A history action in Chinese.
    fn action_label(&self, action: &str) -> &'static str {
        match action {
            "create" => "新建",
            "update" => "修改",
            "move" => "流转",
            "cleanup" => "清理退出",
            "attach" => "上传附件",
            "detach" => "删除附件",
            "seed" => "示范数据",
            _ => "其他",
        }
    }

    /// A stored state identifier in Chinese.
    fn state_label(&self, state: &str) -> &'static str {
        ProjectState::parse(state).map_or("未知", ProjectState::label)
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

    fn standard_selected(&self, line: &CostLineDraft, id: &i64) -> bool {
        line.standard_id == Some(*id)
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

pub(crate) struct FormInput {
    project: Option<Project>,
    /// Last year's project this one continues (new form: from ?from=; stored: previous_id).
    previous: Option<i64>,
    draft: ProjectDraft,
    amounts: Vec<String>,
    history: Vec<HistoryEntry>,
    problems: Option<Vec<String>>,
    errors: FieldErrors,
    version: i64,
    /// Why the last upload was refused, shown in the 附件 tab.
    pub(crate) attachment_error: String,
}

pub(crate) async fn form_page(
    ctx: &PageCtx<'_>,
    input: FormInput,
    flash: Option<String>,
    status: StatusCode,
) -> Response {
    let PageCtx { state, id, path } = *ctx;
    let standards = match state.app.library().standards(&id.scope()).await {
        Ok(s) => s,
        Err(e) => return error_page(id, path, &e),
    };
    let library = state
        .app
        .catalogues()
        .indicator_library(&id.scope())
        .await
        .unwrap_or_default();
    let (editable, moves) = match &input.project {
        None => (true, Vec::new()),
        Some(p) => {
            let st = p.header.state;
            // Only the moves the caller's role may make (ZB-15c); the use case checks again.
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
    };
    let reference = match input.previous {
        Some(prev) => state
            .app
            .library()
            .project(&id.caller(), prev)
            .await
            .ok()
            .map(|(d, _)| d.project),
        None => None,
    };
    let attachments = match &input.project {
        Some(p) => match state.app.library().attachments(&id.caller(), p.id).await {
            Ok(list) => list.into_iter().map(AttachmentRow::from).collect(),
            Err(e) => return error_page(id, path, &e),
        },
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
    let title = input
        .project
        .as_ref()
        .map(|p| format!("{} {}", p.header.code, p.header.name))
        .unwrap_or_else(|| "新建项目".into());
    let layout = Layout::new(id, title, path).with_flash(flash);
    let d = &input.draft;
    let page = FormPage {
        layout: &layout,
        blank_lines: 3usize
            .saturating_sub(d.cost_lines.len().saturating_sub(2))
            .max(2),
        blank_indicators: 2,
        blank_years: if d.year_plan.is_empty() { 3 } else { 1 },
        editable,
        moves,
        kinds: options(ProjectKind::ALL, ProjectKind::as_str, ProjectKind::label),
        classes: options(MatterClass::ALL, MatterClass::as_str, MatterClass::label),
        tiers: options(
            &SpendingTier::ALL,
            SpendingTier::as_str,
            SpendingTier::label,
        ),
        books: options(&FundBook::ALL, FundBook::as_str, FundBook::label),
        categories: options(
            IndicatorCategory::ALL,
            IndicatorCategory::as_str,
            IndicatorCategory::label,
        ),
        comparators: options(Comparator::ALL, Comparator::as_str, Comparator::label),
        standards,
        library,
        reference,
        previous_id: input.previous,
        project: input.project,
        draft: input.draft,
        amounts: input.amounts,
        history: input.history,
        problems: input.problems,
        errors: input.errors,
        version: input.version,
        attachments,
        can_attach,
        review,
        attachment_error: input.attachment_error,
    };
    render(status, &page)
}

async fn new_form(
    State(state): State<AppState>,
    PageUser(id): PageUser,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let ctx = PageCtx {
        state: &state,
        id: &id,
        path: uri.path(),
    };
    // "Copy last year's structure" (ZB-4): lines without quantities, to be justified again.
    let previous = q.get("from").and_then(|v| v.parse::<i64>().ok());
    let draft = match previous {
        Some(prev) => match state.app.library().copy_structure(&id.caller(), prev).await {
            Ok(d) => d,
            Err(e) => return error_page(&id, uri.path(), &e),
        },
        None => ProjectDraft {
            kind: "specific_purpose".into(),
            is_new: true,
            ..ProjectDraft::default()
        },
    };
    let input = FormInput {
        project: None,
        previous,
        draft,
        amounts: Vec::new(),
        history: Vec::new(),
        problems: None,
        errors: FieldErrors::default(),
        version: 0,
        attachment_error: String::new(),
    };
    form_page(&ctx, input, None, StatusCode::OK).await
}

/// The form's fields, parsed from repeated `line.*`, `ind.*`, `plan.*` and `f.*` fields.
fn draft_from(pairs: &[(String, String)]) -> (ProjectDraft, i64) {
    let one = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let opt = |k: &str| Some(one(k)).filter(|v| !v.is_empty());
    let all = |k: &str| {
        pairs
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .collect::<Vec<_>>()
    };
    let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
    let year = |k: &str| one(k).parse::<i32>().ok();
    let (items, econ, std_ids, qty, unit, basis) = (
        all("line.item"),
        all("line.economic_code"),
        all("line.standard_id"),
        all("line.quantity"),
        all("line.unit_amount"),
        all("line.basis"),
    );
    let cost_lines = (0..items.len())
        .map(|i| CostLineDraft {
            item: at(&items, i),
            economic_code: at(&econ, i),
            standard_id: at(&std_ids, i).parse().ok(),
            quantity: at(&qty, i),
            unit_amount: at(&unit, i),
            basis: at(&basis, i),
        })
        .filter(|l| !(l.item.is_empty() && l.quantity.is_empty() && l.unit_amount.is_empty()))
        .collect();
    let (cats, names, comps, values, units) = (
        all("ind.category"),
        all("ind.name"),
        all("ind.comparator"),
        all("ind.target_value"),
        all("ind.unit"),
    );
    let indicators = (0..names.len())
        .map(|i| IndicatorDraft {
            category: at(&cats, i),
            name: at(&names, i),
            comparator: at(&comps, i),
            target_value: at(&values, i),
            unit: at(&units, i),
        })
        .filter(|x| !(x.name.is_empty() && x.target_value.is_empty()))
        .collect();
    let (years, amounts) = (all("plan.year"), all("plan.amount"));
    let year_plan = (0..years.len())
        .filter_map(|i| {
            Some(YearNeedDraft {
                year: at(&years, i).parse().ok()?,
                amount: at(&amounts, i),
            })
        })
        .filter(|n| !n.amount.is_empty())
        .collect();
    let flag = |k: &str| pairs.iter().any(|(key, _)| key == k);
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
        cost_lines,
        indicators,
        year_plan,
    };
    (draft, one("version").parse().unwrap_or_default())
}

/// Every field a refusal may name on this form, so that messages land beside their fields.
fn form_fields(draft: &ProjectDraft) -> Vec<String> {
    let mut f: Vec<String> = [
        "name",
        "kind",
        "matter_class",
        "tier",
        "basis_title",
        "basis_number",
        "basis_expires_on",
        "period",
        "total_need",
        "min_viable",
        "function_code",
        "government_economic_code",
        "fund_book",
        "responsible_person",
        "targets",
        "cost_lines",
        "year_plan",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for i in 0..draft.cost_lines.len() {
        for c in [
            "item",
            "economic_code",
            "standard_id",
            "quantity",
            "unit_amount",
            "basis",
        ] {
            f.push(format!("cost_lines[{i}].{c}"));
        }
    }
    for i in 0..draft.indicators.len() {
        for c in ["category", "name", "comparator", "target_value", "unit"] {
            f.push(format!("indicators[{i}].{c}"));
        }
    }
    f
}

fn errors_for(e: &AppError, draft: &ProjectDraft) -> FieldErrors {
    let fields = form_fields(draft);
    let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
    FieldErrors::from_error(e, &refs)
}

async fn create(
    State(state): State<AppState>,
    PageUser(id): PageUser,
    OriginalUri(uri): OriginalUri,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (draft, _) = draft_from(&pairs);
    let previous = pairs
        .iter()
        .find(|(k, _)| k == "previous_id")
        .and_then(|(_, v)| v.parse::<i64>().ok());
    let result = async {
        let unit = id.actor.org.unit.ok_or_else(|| {
            AppError::Refused(lingji_domain::Refusal::new(
                "UNIT_REQUIRED",
                "只有预算单位可新建项目",
            ))
        })?;
        let year = FiscalYear::new(
            state
                .app
                .foundation()
                .current_year(id.actor.org.jurisdiction)
                .await?,
        )?;
        state
            .app
            .library()
            .create_project(&id.caller(), unit, year, &draft, previous)
            .await
    };
    match result.await {
        Ok(p) => Redirect::to(&format!("/projects/{}?msg=created", p.project.id)).into_response(),
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => {
            error_page(&id, uri.path(), &e)
        }
        Err(e) => {
            let ctx = PageCtx {
                state: &state,
                id: &id,
                path: uri.path(),
            };
            let errors = errors_for(&e, &draft);
            let input = FormInput {
                project: None,
                previous,
                draft,
                amounts: Vec::new(),
                history: Vec::new(),
                problems: None,
                errors,
                version: 0,
                attachment_error: String::new(),
            };
            form_page(&ctx, input, None, crate::problem::status_of(&e)).await
        }
    }
}

pub(crate) async fn stored(
    state: &AppState,
    id: &crate::identity::Identity,
    project_id: i64,
    check: bool,
) -> AppResult<FormInput> {
    let (detail, history) = state
        .app
        .library()
        .project(&id.caller(), project_id)
        .await?;
    let problems = if check {
        Some(
            state
                .app
                .library()
                .check_project(&id.caller(), project_id)
                .await?
                .into_iter()
                .map(|r| match r.clause {
                    Some(c) => format!("{}（{c}）", r.message),
                    None => r.message,
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(FormInput {
        draft: ProjectDraft::of(&detail),
        amounts: detail
            .cost_lines
            .iter()
            .map(|l| l.amount.to_yuan_display())
            .collect(),
        version: detail.project.version,
        previous: detail.project.header.previous_id,
        project: Some(detail.project),
        history,
        problems,
        errors: FieldErrors::default(),
        attachment_error: String::new(),
    })
}

async fn show(
    State(state): State<AppState>,
    PageUser(id): PageUser,
    OriginalUri(uri): OriginalUri,
    Path(project_id): Path<i64>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let ctx = PageCtx {
        state: &state,
        id: &id,
        path: uri.path(),
    };
    match stored(&state, &id, project_id, q.contains_key("check")).await {
        Ok(input) => form_page(&ctx, input, flash_from(&q), StatusCode::OK).await,
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

async fn save(
    State(state): State<AppState>,
    PageUser(id): PageUser,
    OriginalUri(uri): OriginalUri,
    Path(project_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (draft, version) = draft_from(&pairs);
    match state
        .app
        .library()
        .update_project(&id.caller(), project_id, &draft, version)
        .await
    {
        Ok(_) => Redirect::to(&format!("/projects/{project_id}?msg=saved")).into_response(),
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => {
            error_page(&id, uri.path(), &e)
        }
        Err(e) => match stored(&state, &id, project_id, false).await {
            Ok(input) => {
                let ctx = PageCtx {
                    state: &state,
                    id: &id,
                    path: uri.path(),
                };
                let errors = errors_for(&e, &draft);
                let input = FormInput {
                    draft,
                    amounts: Vec::new(),
                    errors,
                    version,
                    ..input
                };
                form_page(&ctx, input, None, crate::problem::status_of(&e)).await
            }
            Err(e2) => error_page(&id, uri.path(), &e2),
        },
    }
}

async fn move_to(
    State(state): State<AppState>,
    PageUser(id): PageUser,
    OriginalUri(uri): OriginalUri,
    Path(project_id): Path<i64>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let to = form.get("to").map(String::as_str).unwrap_or("");
    let note = form.get("note").map(String::as_str).unwrap_or("");
    let version = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    let result = async {
        let to = ProjectState::parse(to)?;
        state
            .app
            .library()
            .move_project(&id.caller(), project_id, to, note, version)
            .await
    };
    match result.await {
        Ok(p) => Redirect::to(&format!(
            "/projects/{project_id}?msg=saved#state-{}",
            p.project.header.state.as_str()
        ))
        .into_response(),
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => {
            error_page(&id, uri.path(), &e)
        }
        Err(e) => match stored(&state, &id, project_id, false).await {
            Ok(input) => {
                let ctx = PageCtx {
                    state: &state,
                    id: &id,
                    path: uri.path(),
                };
                let problems = match &e {
                    AppError::Invalid { errors, .. } => errors
                        .iter()
                        .map(|r| match r.clause {
                            Some(c) => format!("{}（{c}）", r.message),
                            None => r.message.clone(),
                        })
                        .collect(),
                    other => vec![FieldErrors::from_error(other, &[]).general.join("；")],
                };
                let input = FormInput {
                    problems: Some(problems),
                    ..input
                };
                form_page(&ctx, input, None, crate::problem::status_of(&e)).await
            }
            Err(e2) => error_page(&id, uri.path(), &e2),
        },
    }
}

#[derive(Template)]
#[template(path = "standards.html")]
struct StandardsPage<'a> {
    layout: &'a Layout,
    groups: Vec<(&'static str, Vec<Standard>)>,
}

async fn standards(
    State(state): State<AppState>,
    PageUser(id): PageUser,
    OriginalUri(uri): OriginalUri,
) -> Response {
    match state.app.library().standards(&id.scope()).await {
        Ok(all) => {
            let mut groups: Vec<(&'static str, Vec<Standard>)> = Vec::new();
            for s in all {
                match groups.last_mut() {
                    Some((label, list)) if *label == s.category.label() => list.push(s),
                    _ => groups.push((s.category.label(), vec![s])),
                }
            }
            let layout = Layout::new(&id, "支出标准目录", uri.path());
            render(
                StatusCode::OK,
                &StandardsPage {
                    layout: &layout,
                    groups,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}

#[derive(Template)]
#[template(path = "cleanup.html")]
struct CleanupPage<'a> {
    layout: &'a Layout,
    candidates: Vec<lingji_app::library::projects::CleanupCandidate>,
    can_retire: bool,
}

async fn cleanup_page(
    state: &AppState,
    id: &crate::identity::Identity,
    path: &str,
    flash: Option<String>,
    error: Option<AppError>,
) -> Response {
    let loaded = async {
        let year = FiscalYear::new(
            state
                .app
                .foundation()
                .current_year(id.actor.org.jurisdiction)
                .await?,
        )?;
        let list = state
            .app
            .library()
            .cleanup_candidates(&id.scope(), year)
            .await?;
        AppResult::Ok((year, list))
    };
    match loaded.await {
        Ok((year, candidates)) => {
            let status = error
                .as_ref()
                .map(crate::problem::status_of)
                .unwrap_or(StatusCode::OK);
            let flash = error
                .map(|e| format!("未能退出：{}", e.refusal().message))
                .or(flash);
            let layout = Layout::new(id, format!("{year} 年度项目库清理"), path).with_flash(flash);
            let can_retire =
                id.actor.role == lingji_domain::foundation::authz::Role::FinanceOfficer;
            render(
                status,
                &CleanupPage {
                    layout: &layout,
                    candidates,
                    can_retire,
                },
            )
        }
        Err(e) => error_page(id, path, &e),
    }
}

async fn cleanup(
    State(state): State<AppState>,
    PageUser(id): PageUser,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    cleanup_page(&state, &id, uri.path(), flash_from(&q), None).await
}

async fn cleanup_retire(
    State(state): State<AppState>,
    PageUser(id): PageUser,
    OriginalUri(uri): OriginalUri,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let note = pairs
        .iter()
        .find(|(k, _)| k == "note")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let result = async {
        let year = FiscalYear::new(
            state
                .app
                .foundation()
                .current_year(id.actor.org.jurisdiction)
                .await?,
        )?;
        state
            .app
            .library()
            .retire_candidates(&id.scope(), year, &ids, note)
            .await
    };
    match result.await {
        Ok(_) => Redirect::to("/projects/cleanup?msg=saved").into_response(),
        Err(e @ AppError::Forbidden(_)) => error_page(&id, uri.path(), &e),
        Err(e) => cleanup_page(&state, &id, uri.path(), None, Some(e)).await,
    }
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage<'a> {
    layout: &'a Layout,
    library: Vec<lingji_app::store::library::standards::LibraryIndicator>,
}

impl IndicatorsPage<'_> {
    fn category(&self, id: &str) -> &'static str {
        IndicatorCategory::parse(id)
            .map(|c| c.label())
            .unwrap_or("")
    }

    fn comparator(&self, id: &str) -> &'static str {
        Comparator::parse(id).map(|c| c.label()).unwrap_or("")
    }
}

async fn indicator_library(
    State(state): State<AppState>,
    PageUser(id): PageUser,
    OriginalUri(uri): OriginalUri,
) -> Response {
    match state.app.catalogues().indicator_library(&id.scope()).await {
        Ok(library) => {
            let layout = Layout::new(&id, "绩效指标库", uri.path());
            render(
                StatusCode::OK,
                &IndicatorsPage {
                    layout: &layout,
                    library,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}
