//! The demo jurisdiction 示范市: departments and units of mixed kinds with staffing, fiscal years
//! 2025 (prior) and 2026 (current), the 连云港市级 profile, the code tables and one login per
//! role. Built through the same use cases as real data, so it is validated and audited too;
//! with its projects, its 2025 and 2026 are lived through them ([`crate::demo::lived`]).

pub(crate) mod lists;
pub(crate) mod lived;
pub(crate) mod performance;
pub(crate) mod pools;
pub(crate) mod projects;
pub mod province;
use crate::Scope;
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::foundation::org::Staffing;
use lingji_domain::foundation::policy::Preset;
use lingji_store::foundation::orgs;

use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;
use crate::foundation::codes::CodeKind;
use crate::foundation::orgs::CreateOrganisation;
use crate::foundation::profiles::YearSource;
use crate::foundation::users::NewUser;
use crate::simulation::catalogues::{ECONOMIC_CODES, FUNCTION_CODES, INDICATORS, STANDARDS};

/// Password of every demo login.
pub const DEMO_PASSWORD: &str = "lingji-demo";

/// Code of the department finance's demo login belongs to (市财政局).
pub(crate) const FINANCE_ORG: &str = "111";

/// 区划 code of 示范市 (fictitious: no prefecture uses 99 in Jiangsu's 32xx range).
pub const DEMO_REGION: &str = "329900";

/// The demo logins: username, role, organisation code, display name.
pub const DEMO_USERS: [(&str, &str, &str, &str); 8] = [
    ("admin", "administrator", DEMO_REGION, "系统管理员"),
    ("caizheng", "finance_officer", "111", "财政局预算科 王会计"),
    (
        "zhuguan",
        "department_reviewer",
        "101",
        "教育局财务科 李审核",
    ),
    ("danwei", "unit_operator", "101001", "教育局机关 张经办"),
    ("shenji", "auditor", DEMO_REGION, "审计局 赵审计"),
    ("shuju", "joint_reviewer", "109", "数据局 陈联审"),
    ("fagai", "joint_reviewer", "110", "发展改革委 周联审"),
    ("zuzhi", "joint_reviewer", "108", "组织部 吴联审"),
];

/// A demo department: name, joint-review body, units (name, unit kind).
type DemoDepartment = (
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, &'static str)],
);

/// Departments with their joint-review body and units.
const DEPARTMENTS: [DemoDepartment; 12] = [
    (
        "市教育局",
        None,
        &[
            ("市教育局机关", "administrative"),
            ("市第一中学", "public_welfare_1"),
            ("市实验小学", "public_welfare_1"),
            ("市职业技术学院", "public_welfare_2"),
            ("市教育考试院", "civil_service_managed"),
        ],
    ),
    (
        "市卫生健康委员会",
        None,
        &[
            ("市卫生健康委员会机关", "administrative"),
            ("市人民医院", "public_welfare_2"),
            ("市疾病预防控制中心", "public_welfare_1"),
            ("市妇幼保健院", "public_welfare_2"),
        ],
    ),
    (
        "市民政局",
        None,
        &[
            ("市民政局机关", "administrative"),
            ("市社会福利院", "public_welfare_1"),
            ("市救助管理站", "public_welfare_1"),
            ("市殡仪馆", "business"),
        ],
    ),
    (
        "市人力资源和社会保障局",
        None,
        &[
            ("市人力资源和社会保障局机关", "administrative"),
            ("市就业服务中心", "civil_service_managed"),
            ("市社会保险事业管理中心", "civil_service_managed"),
        ],
    ),
    (
        "市住房和城乡建设局",
        None,
        &[
            ("市住房和城乡建设局机关", "administrative"),
            ("市住房保障中心", "public_welfare_1"),
            ("市市政设施管理处", "public_welfare_2"),
            ("市建设工程质量监督站", "public_welfare_1"),
        ],
    ),
    (
        "市交通运输局",
        None,
        &[
            ("市交通运输局机关", "administrative"),
            ("市公路事业发展中心", "public_welfare_1"),
            ("市港航事业发展中心", "public_welfare_2"),
        ],
    ),
    (
        "市农业农村局",
        None,
        &[
            ("市农业农村局机关", "administrative"),
            ("市农业技术推广中心", "public_welfare_1"),
            ("市动物疫病预防控制中心", "public_welfare_1"),
            ("市农村经济经营管理站", "civil_service_managed"),
        ],
    ),
    (
        "市委组织部",
        Some("organisation_department"),
        &[
            ("市委组织部机关", "administrative"),
            ("市干部教育中心", "public_welfare_1"),
        ],
    ),
    (
        "市数据局",
        Some("data_bureau"),
        &[
            ("市数据局机关", "administrative"),
            ("市大数据中心", "public_welfare_1"),
        ],
    ),
    (
        "市发展和改革委员会",
        Some("development_reform"),
        &[
            ("市发展和改革委员会机关", "administrative"),
            ("市重点项目服务中心", "civil_service_managed"),
        ],
    ),
    (
        "市财政局",
        None,
        &[
            ("市财政局机关", "administrative"),
            ("市财政国库支付中心", "civil_service_managed"),
            ("市政府采购中心", "civil_service_managed"),
            ("市财政评审中心", "public_welfare_1"),
        ],
    ),
    (
        "市总工会",
        None,
        &[
            ("市总工会机关", "mass_org"),
            ("市工人文化宫", "public_welfare_2"),
            ("市妇女联合会", "mass_org"),
        ],
    ),
];

/// Deterministic staffing from a unit's position: varied, plausible, within quota (ZB-6c).
fn staffing(dept: usize, unit: usize) -> Staffing {
    let seed = (dept * 37 + unit * 11) % 97;
    let authorized = i64::try_from(15 + seed).unwrap_or(15);
    let actual = authorized - i64::try_from(seed % 4).unwrap_or(0);
    let quota = (actual / 5).max(1);
    Staffing {
        authorized_posts: authorized,
        actual_staff: actual,
        retired_staff: actual / 3,
        contract_staff: quota - i64::from(seed.is_multiple_of(3)),
        contract_quota: quota,
    }
}

impl crate::DemoUseCases<'_> {
    /// True when the database holds no organisation yet.
    #[tracing::instrument(skip_all)]
    pub async fn is_empty(&self) -> AppResult<bool> {
        let mut conn = self.store.read().acquire().await?;
        Ok(orgs::count_all(&mut conn).await? == 0)
    }

    /// Loads the demo into an empty database. `scale` multiplies the departments (and their
    /// units) for benchmarks; scale 1 is the 12 departments and 40 units people see.
    ///
    /// With `projects`, 2025 and 2026 are lived through the use cases (a few hundred projects
    /// reviewed, allocated, approved; 2025 paid, closed and evaluated) and a few pending and
    /// stale projects added; tests that make their own projects leave it out to stay fast.
    #[tracing::instrument(skip_all)]
    pub async fn load_demo(&self, scale: u32, projects: bool) -> AppResult<i64> {
        if !self.is_empty().await? {
            return Err(AppError::Conflict(lingji_domain::Refusal::new(
                "DEMO_NOT_EMPTY",
                "数据库中已有数据，示范数据只能载入空数据库",
            )));
        }
        if !(1..=80).contains(&scale) {
            return Err(lingji_domain::Refusal::new(
                "DEMO_SCALE_OUT_OF_RANGE",
                "规模倍数应为 1–80",
            )
            .field("scale")
            .into());
        }
        self.import_demo_codes().await?;
        let city = self
            .foundation()
            .create_jurisdiction(&Caller::System, DEMO_REGION, "示范市", &[], None)
            .await?;
        self.start_demo_years(city.id, projects).await?;
        self.import_demo_library(city.id).await?;
        self.add_demo_organisations(city.id, scale).await?;
        self.add_demo_users().await?;
        self.load_demo_lists(city.id).await?;
        if projects {
            self.live_demo_years(city.id).await?;
            self.load_demo_publications(city.id).await?;
            self.load_demo_backlog(city.id).await?;
        }
        // In the year people work in: after the lived years, when there are any.
        self.load_demo_pool(city.id).await?;
        Ok(city.id)
    }

    /// Both classification tables for 2025 and 2026.
    async fn import_demo_codes(&self) -> AppResult<()> {
        let system = Caller::System;
        for year in [2025, 2026] {
            let y = FiscalYear::new(year)?;
            let source =
                "财政部《2026年政府收支分类科目》节选（示范用，正式使用请导入当年完整科目表）";
            self.foundation()
                .import_codes(
                    &system,
                    CodeKind::Function,
                    y,
                    "function.csv",
                    FUNCTION_CODES.as_bytes(),
                    source,
                )
                .await?;
            self.foundation()
                .import_codes(
                    &system,
                    CodeKind::Economic,
                    y,
                    "economic.csv",
                    ECONOMIC_CODES.as_bytes(),
                    source,
                )
                .await?;
        }
        Ok(())
    }

    /// The demo's fiscal years on the 连云港市 preset. A lived demo opens 2025 alone: its close
    /// opens 2026, as a bureau's does.
    async fn start_demo_years(&self, city: i64, projects: bool) -> AppResult<()> {
        let years: &[(i32, bool)] = if projects {
            &[(crate::demo::lived::PAST_YEAR, true)]
        } else {
            &[(2025, false), (2026, true)]
        };
        for &(year, current) in years {
            let source = YearSource::Preset(Preset::LianyungangCity);
            self.foundation()
                .start_year(
                    &Scope::system(city),
                    FiscalYear::new(year)?,
                    source,
                    current,
                )
                .await?;
        }
        Ok(())
    }

    /// The demo's expenditure standards and indicator library.
    async fn import_demo_library(&self, city: i64) -> AppResult<()> {
        let system = Caller::System;
        self.catalogues()
            .import_standards(
                &Scope::new(&system, city),
                "demo_standards.csv",
                STANDARDS.as_bytes(),
            )
            .await?;
        self.catalogues()
            .import_indicators(
                &Scope::new(&system, city),
                "demo_indicators.csv",
                INDICATORS.as_bytes(),
            )
            .await?;
        Ok(())
    }

    /// The departments and their units, `scale` times over (the review bodies once).
    async fn add_demo_organisations(&self, city: i64, scale: u32) -> AppResult<()> {
        let system = Caller::System;
        let mut serial = 0usize;
        for group in 0..scale as usize {
            for (d, (name, body, units)) in DEPARTMENTS.iter().enumerate() {
                serial += 1;
                let dept_code = format!("{:03}", 100 + serial);
                let dept_name = if group == 0 {
                    name.to_string()
                } else {
                    format!("{name}（第{}组）", group + 1)
                };
                let dept = self
                    .foundation()
                    .create_organisation(
                        &system,
                        CreateOrganisation {
                            kind: "department".into(),
                            parent_id: city,
                            code: dept_code.clone(),
                            name: dept_name,
                            unit_kind: None,
                            review_body: body.filter(|_| group == 0).map(str::to_string),
                            staffing: Staffing::default(),
                        },
                    )
                    .await?;
                for (u, (unit_name, kind)) in units.iter().enumerate() {
                    let unit_name = if group == 0 {
                        unit_name.to_string()
                    } else {
                        format!("{unit_name}（第{}组）", group + 1)
                    };
                    self.foundation()
                        .create_organisation(
                            &system,
                            CreateOrganisation {
                                kind: "unit".into(),
                                parent_id: dept.id,
                                code: format!("{dept_code}{:03}", u + 1),
                                name: unit_name,
                                unit_kind: Some(kind.to_string()),
                                review_body: None,
                                staffing: staffing(d + group, u),
                            },
                        )
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// One login per demo role, all with the demo password.
    async fn add_demo_users(&self) -> AppResult<()> {
        for (username, role, org, display) in DEMO_USERS {
            self.accounts()
                .add_user(
                    &Caller::System,
                    NewUser {
                        username: username.into(),
                        display_name: Some(display.into()),
                        role: role.into(),
                        org: org.into(),
                        password: DEMO_PASSWORD.into(),
                    },
                )
                .await
                .map_err(|e| AppError::Internal(format!("demo user {username}: {e}")))?;
        }
        Ok(())
    }
}
