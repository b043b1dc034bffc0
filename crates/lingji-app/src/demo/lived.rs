//! The demo's past, lived rather than seeded (issue 18): 示范市's 2025 is requested, reviewed,
//! allocated, approved, adjusted, monitored, paid (with rule hits, held and stopped payments),
//! closed, self-evaluated and its results applied; 2026 is requested again from zero (linked to
//! 2025's projects), reviewed, allocated and approved, so payments and monitoring work at once.
//! It is the simulation's year machinery run on the demo's departments and people, through the
//! use cases, with every invariant checked after each step: every figure a visitor sees was
//! computed by lingji.

use crate::Scope;
use lingji_domain::foundation::policy::Preset;
use lingji_store::foundation::orgs::Organisation;

use crate::demo::{DEMO_PASSWORD, DEMO_USERS};
use crate::error::{AppError, AppResult};
use crate::foundation::auth::actor_for;
use crate::foundation::caller::Caller;
use crate::foundation::users::NewUser;
use crate::simulation::jurisdiction::{self, Department, Jurisdiction, Unit};
use crate::simulation::rng::Rng;
use crate::simulation::{Options, Step};

/// The year the demo's past begins.
pub const PAST_YEAR: i32 = 2025;

/// The generator's seed: the demo is the same on every machine.
const SEED: u64 = 2025;

/// Surnames and given names of the people the demo's other units and departments are run by
/// (a person is shown by name, never by login).
const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
const GIVEN: [&str; 23] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "华", "平", "建国", "晓燕", "志刚",
];

/// A person's name for the `n`-th generated login.
fn person(n: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[n % SURNAMES.len()],
        GIVEN[(n * 7 + n / SURNAMES.len()) % GIVEN.len()]
    )
}

impl crate::DemoUseCases<'_> {
    /// Lives the demo's 2025 and its 2026 up to the approved budget in `city`, whose
    /// organisations, logins, lists and 2025 profile are in place. A broken invariant or a
    /// refused step is an error: the demo never shows figures lingji cannot account for.
    pub(crate) async fn live_demo_years(&self, city: i64) -> AppResult<()> {
        let j = self.demo_jurisdiction(city).await?;
        let opts = Options {
            first_year: PAST_YEAR,
            last_step: Some(Step::Allocation),
            ..Options::new(Preset::LianyungangCity, 2, SEED)
        };
        let report = self
            .live(&opts, vec![(j, Rng::new(SEED))], None, &mut |_| {})
            .await?;
        match report.broken {
            None => Ok(()),
            Some(b) => Err(AppError::Internal(format!("示范数据未能生成：{b}"))),
        }
    }

    /// The demo as the simulation drives it: the demo's own logins where it has them (finance,
    /// the auditor, 教育局's reviewer, 教育局机关's operator, the three joint bodies), a new
    /// login for every other department's reviewer and unit's operator, and the special fund
    /// its industry projects belong to.
    async fn demo_jurisdiction(&self, city: i64) -> AppResult<Jurisdiction> {
        let system = Caller::System;
        let orgs = self
            .foundation()
            .list_organisations(&Scope::new(&system, city))
            .await?;
        let mut named = 0usize;
        let mut departments = Vec::new();
        let mut joint = Vec::new();
        for dept in orgs
            .iter()
            .filter(|o| o.kind == lingji_domain::foundation::org::OrgKind::Department)
        {
            let reviewer = self
                .person_at(dept, "department_reviewer", "d", &mut named)
                .await?;
            if let Some(body) = &dept.review_body {
                let c = self
                    .person_at(dept, "joint_reviewer", "j", &mut named)
                    .await?;
                joint.push((body.clone(), c));
            }
            let mut units = Vec::new();
            for unit in orgs.iter().filter(|o| o.parent_id == Some(dept.id)) {
                let operator = self
                    .person_at(unit, "unit_operator", "u", &mut named)
                    .await?;
                units.push(Unit {
                    id: unit.id,
                    code: unit.code.clone(),
                    name: unit.name.clone(),
                    operator,
                });
            }
            departments.push(Department {
                id: dept.id,
                reviewer,
                units,
            });
        }
        let finance = self
            .demo_login(crate::demo::FINANCE_ORG, "finance_officer")
            .await?
            .ok_or_else(|| AppError::Internal("demo finance login missing".into()))?;
        let auditor = self
            .demo_login(crate::demo::DEMO_REGION, "auditor")
            .await?
            .ok_or_else(|| AppError::Internal("demo auditor login missing".into()))?;
        let lead = departments.first().map(|d| d.id);
        jurisdiction::add_special_fund(self, &finance, city, lead, PAST_YEAR, "示范市").await?;
        Ok(Jurisdiction {
            id: city,
            region: crate::demo::DEMO_REGION,
            place: "示范市",
            preset: Preset::LianyungangCity,
            finance,
            auditor,
            joint,
            departments,
        })
    }

    /// The demo login of `role` at organisation `org`, as a caller, when the demo has one.
    async fn demo_login(&self, org: &str, role: &str) -> AppResult<Option<Caller>> {
        let Some((username, ..)) = DEMO_USERS
            .iter()
            .find(|(_, r, o, _)| *r == role && *o == org)
        else {
            return Ok(None);
        };
        self.demo_caller(username).await.map(Some)
    }

    /// The demo's login `username` (one of [`DEMO_USERS`] or one made for the lived years), as
    /// a caller.
    pub(crate) async fn demo_caller(&self, username: &str) -> AppResult<Caller> {
        let mut conn = self.store.read().acquire().await?;
        let user = lingji_store::foundation::users::find(&mut conn, username)
            .await?
            .ok_or_else(|| AppError::Internal(format!("demo user {username} missing")))?;
        Ok(Caller::User(actor_for(&mut conn, &user).await?))
    }

    /// Who acts as `role` at `org`: the demo's own login, or a new one (`prefix` + the code)
    /// for the next person the demo names.
    async fn person_at(
        &self,
        org: &Organisation,
        role: &str,
        prefix: &str,
        named: &mut usize,
    ) -> AppResult<Caller> {
        if let Some(c) = self.demo_login(&org.code, role).await? {
            return Ok(c);
        }
        *named += 1;
        jurisdiction::login(
            self,
            NewUser {
                username: format!("{prefix}{}", org.code),
                display_name: Some(format!("{} {}", org.name, person(*named))),
                role: role.into(),
                org: org.code.clone(),
                password: DEMO_PASSWORD.into(),
            },
        )
        .await
    }
}
