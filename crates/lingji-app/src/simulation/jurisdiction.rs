//! The generated jurisdiction 模拟市: code tables and profiles for every simulated year,
//! departments with units of every kind (the three joint-review bodies among them), one login
//! per role and organisation, the standards and indicators, and finance's lists — all through
//! the use cases an administrator and finance would call.

use crate::Scope;
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::foundation::org::Staffing;
use lingji_domain::foundation::policy::Preset;
use lingji_domain::review::lists::{ListEntry, ListKind, SpecialFundTerms};

use super::Options;
use super::rng::Rng;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::foundation::auth::actor_for;
use crate::foundation::caller::Caller;
use crate::foundation::codes::CodeKind;
use crate::foundation::orgs::CreateOrganisation;
use crate::foundation::profiles::YearSource;
use crate::foundation::users::NewUser;

/// 区划 of 模拟市 (fictitious, as the demo's).
pub const REGION: &str = "329800";

/// A jurisdiction the simulation can build: its 区划, its name and the prefix of its logins.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub region: &'static str,
    pub name: &'static str,
    /// Logins are `{logins}finance`, `{logins}d101`, …: unique across the deployment.
    pub logins: &'static str,
}

/// 模拟市, the one jurisdiction of a plain run and the city of a province's.
pub const CITY: Place = Place {
    region: REGION,
    name: "模拟市",
    logins: "sim-",
};

/// The counties directly under the simulated province (省直管县), in the order a province run
/// adds them after the city.
pub const COUNTIES: [Place; 5] = [
    Place {
        region: "329701",
        name: "模拟甲县",
        logins: "sim1-",
    },
    Place {
        region: "329702",
        name: "模拟乙县",
        logins: "sim2-",
    },
    Place {
        region: "329703",
        name: "模拟丙县",
        logins: "sim3-",
    },
    Place {
        region: "329704",
        name: "模拟丁县",
        logins: "sim4-",
    },
    Place {
        region: "329705",
        name: "模拟戊县",
        logins: "sim5-",
    },
];

/// The special fund the simulated industry projects belong to (ZB-12).
pub const SPECIAL_FUND: &str = "ZX-QY01";

const PASSWORD: &str = "lingji-simulate";

/// A department: name, joint-review body, units (name, kind).
type DepartmentTemplate = (
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, &'static str)],
);

/// Departments with units of every kind.
const DEPARTMENTS: [DepartmentTemplate; 7] = [
    (
        "教育局",
        None,
        &[
            ("教育局机关", "administrative"),
            ("第一中学", "public_welfare_1"),
            ("职业技术学院", "public_welfare_2"),
        ],
    ),
    (
        "民政局",
        None,
        &[
            ("民政局机关", "administrative"),
            ("社会福利院", "public_welfare_1"),
            ("殡仪馆", "business"),
        ],
    ),
    (
        "人力资源和社会保障局",
        None,
        &[
            ("人社局机关", "administrative"),
            ("就业服务中心", "civil_service_managed"),
        ],
    ),
    (
        "总工会",
        None,
        &[
            ("总工会机关", "mass_org"),
            ("工人文化宫", "public_welfare_2"),
        ],
    ),
    (
        "组织部",
        Some("organisation_department"),
        &[("组织部机关", "administrative")],
    ),
    (
        "数据局",
        Some("data_bureau"),
        &[("数据局机关", "administrative")],
    ),
    (
        "发展和改革委员会",
        Some("development_reform"),
        &[("发改委机关", "administrative")],
    ),
];

/// A unit and its operator.
#[derive(Debug, Clone)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// The unit operator's login.
    pub operator: Caller,
}

/// A department, its reviewer and its units.
#[derive(Debug, Clone)]
pub struct Department {
    pub id: i64,
    /// The department reviewer's login.
    pub reviewer: Caller,
    pub units: Vec<Unit>,
}

/// The jurisdiction as the simulation drives it.
#[derive(Debug, Clone)]
pub struct Jurisdiction {
    /// Organisation id of the jurisdiction.
    pub id: i64,
    /// Its 区划 code.
    pub region: &'static str,
    /// Its name, which local companies and funds are named after.
    pub place: &'static str,
    /// The preset each of its years starts from.
    pub preset: Preset,
    /// Finance's login.
    pub finance: Caller,
    /// The auditor's login (reads the ledger and reports).
    pub auditor: Caller,
    /// The joint reviewers (组织部, 数据局, 发改委) by the body they act as.
    pub joint: Vec<(String, Caller)>,
    pub departments: Vec<Department>,
}

impl Jurisdiction {
    /// Every unit with its department's index.
    pub fn units(&self) -> impl Iterator<Item = (usize, &Unit)> {
        self.departments
            .iter()
            .enumerate()
            .flat_map(|(d, dep)| dep.units.iter().map(move |u| (d, u)))
    }
}

/// Adds the special fund the simulated industry projects belong to, led by `lead` (ZB-12).
pub(crate) async fn add_special_fund(
    app: &App,
    finance: &Caller,
    city: i64,
    lead: Option<i64>,
    first_year: i32,
    place: &str,
) -> AppResult<()> {
    app.review()
        .add_list_entry(
            &Scope::new(finance, city),
            ListKind::SpecialFunds,
            ListEntry {
                code: SPECIAL_FUND.into(),
                name: format!("{place}中小企业发展专项资金"),
                fund: SpecialFundTerms {
                    lead_department_id: lead,
                    start_year: Some(first_year),
                    period_years: Some(5),
                    pilot: false,
                    big: true,
                    tasks: vec!["中小企业融资贴息".into()],
                },
                ..ListEntry::default()
            },
        )
        .await?;
    Ok(())
}

/// Adds a login and returns it as a caller.
pub(crate) async fn login(app: &App, new: NewUser) -> AppResult<Caller> {
    let user = app.accounts().add_user(&Caller::System, new).await?;
    let mut conn = app.store.read().acquire().await?;
    Ok(Caller::User(actor_for(&mut conn, &user).await?))
}

fn user(username: String, role: &str, org: &str, display: String) -> NewUser {
    NewUser {
        username,
        display_name: Some(display),
        role: role.into(),
        org: org.into(),
        password: PASSWORD.into(),
    }
}

/// Builds 模拟市 in an empty database for `opts`'s years, preset and scale.
pub async fn build(app: &App, opts: &Options, rng: &mut Rng) -> AppResult<Jurisdiction> {
    refuse_if_not_empty(app).await?;
    import_code_tables(app, opts).await?;
    build_place(app, opts, rng, CITY, opts.preset, None).await
}

/// Refuses a database that holds anything: the simulation lives its own history.
pub(crate) async fn refuse_if_not_empty(app: &App) -> AppResult<()> {
    if !app.demo().is_empty().await? {
        return Err(AppError::Conflict(lingji_domain::Refusal::new(
            "SIMULATION_NOT_EMPTY",
            "模拟只能在空数据库中进行",
        )));
    }
    Ok(())
}

/// Builds the jurisdiction `place` (under the 区划 `upper`, if any) with its first year on
/// `preset`, its library, logins, departments and units, and its special fund.
pub(crate) async fn build_place(
    app: &App,
    opts: &Options,
    rng: &mut Rng,
    place: Place,
    preset: Preset,
    upper: Option<&str>,
) -> AppResult<Jurisdiction> {
    let system = Caller::System;
    let city = app
        .foundation()
        .create_jurisdiction(&system, place.region, place.name, &[], upper)
        .await?;
    start_year(app, city.id, preset, opts.first_year, true).await?;
    import_library(app, city.id).await?;
    let finance = login(
        app,
        user(
            format!("{}finance", place.logins),
            "finance_officer",
            place.region,
            "财政局预算科".into(),
        ),
    )
    .await?;
    let auditor = login(
        app,
        user(
            format!("{}audit", place.logins),
            "auditor",
            place.region,
            "审计局".into(),
        ),
    )
    .await?;
    let (departments, joint) = add_departments(app, city.id, place, opts.scale, rng).await?;
    add_special_fund(
        app,
        &finance,
        city.id,
        departments.first().map(|d| d.id),
        opts.first_year,
        place.name,
    )
    .await?;
    Ok(Jurisdiction {
        id: city.id,
        region: place.region,
        place: place.name,
        preset,
        finance,
        auditor,
        joint,
        departments,
    })
}

/// Code tables for every year lived and the one after it, which the last close opens.
pub(crate) async fn import_code_tables(app: &App, opts: &Options) -> AppResult<()> {
    let last = opts.first_year + i32::try_from(opts.years).unwrap_or(1);
    for year in opts.first_year..=last {
        let y = FiscalYear::new(year)?;
        let source = "财政部《2026年政府收支分类科目》节选（模拟用）";
        for (kind, file, text) in [
            (
                CodeKind::Function,
                "function.csv",
                crate::simulation::catalogues::FUNCTION_CODES,
            ),
            (
                CodeKind::Economic,
                "economic.csv",
                crate::simulation::catalogues::ECONOMIC_CODES,
            ),
        ] {
            app.foundation()
                .import_codes(&Caller::System, kind, y, file, text.as_bytes(), source)
                .await?;
        }
    }
    Ok(())
}

/// The demo's expenditure standards and indicator library.
async fn import_library(app: &App, city: i64) -> AppResult<()> {
    app.catalogues()
        .import_standards(
            &Scope::system(city),
            "demo_standards.csv",
            crate::simulation::catalogues::STANDARDS.as_bytes(),
        )
        .await?;
    app.catalogues()
        .import_indicators(
            &Scope::system(city),
            "demo_indicators.csv",
            crate::simulation::catalogues::INDICATORS.as_bytes(),
        )
        .await?;
    Ok(())
}

/// The departments `scale` times over (the joint-review bodies once), each with its units and
/// logins; answers them and the joint reviewers by body.
async fn add_departments(
    app: &App,
    city: i64,
    place: Place,
    scale: u32,
    rng: &mut Rng,
) -> AppResult<(Vec<Department>, Vec<(String, Caller)>)> {
    let mut departments = Vec::new();
    let mut joint = Vec::new();
    let mut serial = 100;
    for group in 0..scale {
        for (name, body, units) in DEPARTMENTS {
            // The joint-review bodies exist once; the scale multiplies the others.
            if body.is_some() && group > 0 {
                continue;
            }
            serial += 1;
            let code = format!("{serial:03}");
            let suffix = if group == 0 {
                String::new()
            } else {
                format!("（第{}组）", group + 1)
            };
            let (dept, reviewer) =
                add_department(app, city, place, &code, name, &suffix, body).await?;
            if let Some(body) = body {
                joint.push((
                    body.to_string(),
                    login(
                        app,
                        user(
                            format!("{}j{code}", place.logins),
                            "joint_reviewer",
                            &format!("{}/{code}", place.region),
                            format!("{name}联审"),
                        ),
                    )
                    .await?,
                ));
            }
            let mut list = Vec::new();
            for (u, (unit_name, kind)) in units.iter().enumerate() {
                let unit_code = format!("{code}{:03}", u + 1);
                let unit_name = format!("{}{unit_name}{suffix}", place.name);
                list.push(add_unit(app, dept, place, unit_code, unit_name, kind, rng).await?);
            }
            departments.push(Department {
                id: dept,
                reviewer,
                units: list,
            });
        }
    }
    Ok((departments, joint))
}

/// A department with its reviewer's login; answers its id and that login.
async fn add_department(
    app: &App,
    city: i64,
    place: Place,
    code: &str,
    name: &str,
    suffix: &str,
    body: Option<&str>,
) -> AppResult<(i64, Caller)> {
    let dept = app
        .foundation()
        .create_organisation(
            &Caller::System,
            CreateOrganisation {
                kind: "department".into(),
                parent_id: city,
                code: code.to_string(),
                name: format!("{}{name}{suffix}", place.name),
                unit_kind: None,
                review_body: body.map(str::to_string),
                staffing: Staffing::default(),
            },
        )
        .await?;
    let reviewer = login(
        app,
        user(
            format!("{}d{code}", place.logins),
            "department_reviewer",
            &format!("{}/{code}", place.region),
            format!("{name}财务科"),
        ),
    )
    .await?;
    Ok((dept.id, reviewer))
}

/// A unit of the department with its operator's login.
async fn add_unit(
    app: &App,
    department: i64,
    place: Place,
    code: String,
    name: String,
    kind: &str,
    rng: &mut Rng,
) -> AppResult<Unit> {
    let unit = app
        .foundation()
        .create_organisation(
            &Caller::System,
            CreateOrganisation {
                kind: "unit".into(),
                parent_id: department,
                code: code.clone(),
                name: name.clone(),
                unit_kind: Some(kind.to_string()),
                review_body: None,
                staffing: staffing(rng),
            },
        )
        .await?;
    let operator = login(
        app,
        user(
            format!("{}u{code}", place.logins),
            "unit_operator",
            &format!("{}/{code}", place.region),
            format!("{name}经办"),
        ),
    )
    .await?;
    Ok(Unit {
        id: unit.id,
        code,
        name,
        operator,
    })
}

/// Opens a fiscal year with the preset's profile (administrators).
pub async fn start_year(
    app: &App,
    city: i64,
    preset: Preset,
    year: i32,
    current: bool,
) -> AppResult<()> {
    app.foundation()
        .start_year(
            &Scope::system(city),
            FiscalYear::new(year)?,
            YearSource::Preset(preset),
            current,
        )
        .await?;
    Ok(())
}

/// The key-matters list entry of a year (CS-2a) that key-priority projects carry out.
pub fn key_matter(year: i32) -> String {
    format!("DS{year}-01")
}

/// Adds the year's key matter to finance's list, unless finance has already listed it.
pub async fn add_key_matter(app: &App, j: &Jurisdiction, year: i32) -> AppResult<()> {
    let listed = app
        .review()
        .list_entries(
            &Scope::new(&j.finance, j.id),
            ListKind::KeyMatters,
            Some(year),
        )
        .await?;
    if listed.iter().any(|e| e.entry.code == key_matter(year)) {
        return Ok(());
    }
    app.review()
        .add_list_entry(
            &Scope::new(&j.finance, j.id),
            ListKind::KeyMatters,
            ListEntry {
                code: key_matter(year),
                name: format!("{year} 年度重点任务推进"),
                year: Some(year),
                note: "市委常委会确定".into(),
                ..ListEntry::default()
            },
        )
        .await?;
    Ok(())
}

/// Plausible staffing within quota (ZB-6c), from the generator.
fn staffing(rng: &mut Rng) -> Staffing {
    let authorized = i64::try_from(rng.between(12, 60)).unwrap_or(12);
    let actual = authorized - i64::try_from(rng.below(4)).unwrap_or(0);
    let quota = (actual / 5).max(1);
    Staffing {
        authorized_posts: authorized,
        actual_staff: actual,
        retired_staff: actual / 3,
        contract_staff: quota - i64::from(rng.chance(30)),
        contract_quota: quota,
    }
}
