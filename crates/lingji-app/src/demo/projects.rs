//! What the demo leaves in review and for clean-up after its years are lived, requested from
//! the simulation's project templates.

use crate::Scope;
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::library::ProjectState;

use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;
use crate::review::flow::ReviewInput;
use crate::simulation::templates::{TEMPLATES, draft, set_standards};

impl crate::DemoUseCases<'_> {
    /// What the lived years leave for a visitor to do and to clean up: 2026 requests still in
    /// review (one waiting for 教育局's reviewer, one passed by it and waiting for finance, one
    /// returned to 教育局机关 with the reason), and a few lines nobody funded for years with
    /// one resting on an expired policy (ZB-15c, ZB-5d). Returns the number of projects.
    pub(crate) async fn load_demo_backlog(&self, city: i64) -> AppResult<usize> {
        let system = Caller::System;
        let standards = self.library().standards(&Scope::new(&system, city)).await?;
        let std_id = |code: &str| -> AppResult<i64> {
            standards
                .iter()
                .find(|s| s.code == code)
                .map(|s| s.id)
                .ok_or_else(|| AppError::Internal(format!("demo standard {code} missing")))
        };
        let units: Vec<_> = self
            .foundation()
            .list_organisations(&Scope::new(&system, city))
            .await?
            .into_iter()
            .filter(|o| o.kind == lingji_domain::foundation::org::OrgKind::Unit)
            .collect();
        let mut count = self.load_demo_queue(city, &std_id).await?;
        // A few lines nobody funded for years, and one resting on an expired policy: what the
        // clean-up (ZB-15c, ZB-5d) is for.
        for unit in units.iter().step_by(8) {
            let mut d = draft(&TEMPLATES[6], &unit.name, 2023, 0);
            d.name = format!("{}（2023 年储备，未获安排）", d.name);
            set_standards(&mut d, &TEMPLATES[6], &std_id)?;
            self.library()
                .create_project(&system, unit.id, FiscalYear::new(2023)?, &d, None)
                .await?;
            count += 1;
        }
        if let Some(unit) = units.get(1) {
            let mut d = draft(&TEMPLATES[6], &unit.name, 2026, 0);
            d.name = format!("{}（政策已到期）", d.name);
            d.basis_title = "示范市安全生产三年行动方案（2023—2025）".into();
            d.basis_expires_on = Some("2025-12-31".into());
            set_standards(&mut d, &TEMPLATES[6], &std_id)?;
            self.library()
                .create_project(&system, unit.id, FiscalYear::new(2026)?, &d, None)
                .await?;
            count += 1;
        }
        Ok(count)
    }

    /// 2026 requests of 教育局's units still in review — each of a kind the unit has not asked
    /// for this year — moved by the person whose step it is: two of every unit waiting for the
    /// department's reviewer, and of 教育局机关 one passed by it and waiting for finance and
    /// one returned with the reason.
    async fn load_demo_queue(
        &self,
        city: i64,
        std_id: &impl Fn(&str) -> AppResult<i64>,
    ) -> AppResult<usize> {
        let reviewer = self.demo_caller("zhuguan").await?;
        let units: Vec<_> = self
            .foundation()
            .list_organisations(&Scope::system(city))
            .await?
            .into_iter()
            .filter(|o| {
                o.kind == lingji_domain::foundation::org::OrgKind::Unit && o.code.starts_with("101")
            })
            .collect();
        let mut count = 0;
        for (u, unit) in units.iter().enumerate() {
            // 教育局机关 is the demo's own login; the others were made for the lived years.
            let operator = if unit.code == "101001" {
                self.demo_caller("danwei").await?
            } else {
                self.demo_caller(&format!("u{}", unit.code)).await?
            };
            // Things the unit has not asked for this year: late requests, not repeats.
            let asked: Vec<String> = self
                .library()
                .list_projects(
                    &operator,
                    lingji_store::library::projects::Filter {
                        jurisdiction_id: city,
                        fiscal_year: Some(2026),
                        unit_id: Some(unit.id),
                        limit: 1000,
                        ..Default::default()
                    },
                )
                .await?
                .into_iter()
                .map(|p| p.header.name)
                .collect();
            let stages: &[&str] = if u == 0 {
                &["department", "department", "finance", "returned"]
            } else {
                &["department", "department"]
            };
            let fresh = (0..TEMPLATES.len())
                .map(|k| (u * 5 + k) % TEMPLATES.len())
                .filter(|&k| {
                    let name = format!("{}{}", unit.name, TEMPLATES[k].name);
                    !asked.contains(&name)
                });
            for (template, &stage) in fresh.zip(stages) {
                let t = &TEMPLATES[template];
                let mut d = draft(t, &unit.name, 2026, 10);
                d.is_new = true;
                set_standards(&mut d, t, std_id)?;
                let p = self
                    .library()
                    .create_project(&operator, unit.id, FiscalYear::new(2026)?, &d, None)
                    .await?;
                let moved = self
                    .library()
                    .move_project(
                        &operator,
                        p.project.id,
                        ProjectState::Submitted,
                        "",
                        p.project.version,
                    )
                    .await?;
                count += 1;
                let decision = match stage {
                    "finance" => "pass",
                    "returned" => "return",
                    _ => continue,
                };
                let rec = self
                    .review()
                    .review_record(&reviewer, moved.project.id)
                    .await?;
                let input = ReviewInput {
                    decision: decision.into(),
                    opinion: if decision == "return" {
                        "请细化测算依据，补充绩效指标值的测算过程".into()
                    } else {
                        String::new()
                    },
                    rank: (decision == "pass").then_some(1),
                    expected_version: rec.version,
                    ..ReviewInput::default()
                };
                self.review()
                    .review_project(&reviewer, moved.project.id, &input)
                    .await?;
            }
        }
        Ok(count)
    }
}
