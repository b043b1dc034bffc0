//! A generated province at a bureau's real size, for the benchmarks of docs/BENCHMARKS.md
//! (`lingji bench province`, issue 21): a province above cities above counties, departments
//! and units in each, a library of projects in every state, budget lines and their ledger.
//!
//! Jurisdictions, departments, units and logins are made through the use cases, as people
//! make them. Projects are numbered and checked as the import checks them (`numbered_project`,
//! through `prepare_project`) and written by its multi-row path (`store_projects`, one
//! `project.create` event each, sealed on the chain by `Chain::seal`). What only a benchmark needs is written in bulk and says so: the
//! review fields of projects already reviewed (`bench_review_fields`) and the ledger's
//! movements — adjustments in pairs that net to nothing, so every line's balance stays its
//! entries replayed, each with its audit event on the main chain — so `lingji audit verify`
//! passes on the result. Everything streams: a jurisdiction's projects are written 2,000 at a
//! time and the ledger 20,000 entries at a time, never held whole.

use lingji_domain::Money;
use lingji_domain::execution::Movement;
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::foundation::org::Staffing;
use lingji_domain::foundation::policy::Preset;
use lingji_domain::library::ProjectState;
use lingji_store::allocation::{BudgetLine, insert_lines};
use lingji_store::execution::ledger::{self, NewEntry};
use lingji_store::foundation::audit::{Chain, NewEvent};
use lingji_store::library::projects as store_projects;

use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::foundation::additions::Additions;
use crate::foundation::caller::Caller;
use crate::foundation::orgs::CreateOrganisation;
use crate::foundation::profiles::YearSource;
use crate::foundation::users::NewUser;
use crate::library::projects::{Catalogue, Owner, ProjectDraft};

/// The budget year the province works in.
pub const PROVINCE_YEAR: i32 = 2026;

/// 区划 code of the generated province (江苏省's).
pub const PROVINCE_REGION: &str = "320000";

/// How large a province to generate.
#[derive(Debug, Clone, Copy)]
pub struct ProvinceSize {
    /// Jurisdictions in all: the province, its cities and their counties (at least 3).
    pub jurisdictions: u32,
    /// Budget units in all, spread evenly over the jurisdictions.
    pub units: u32,
    /// Projects in all, spread evenly over the jurisdictions and their units.
    pub projects: u32,
    /// Ledger entries in all (each line's approval and then adjustments in pairs).
    pub ledger: u64,
    /// Budget lines per unit.
    pub lines_per_unit: u32,
}

/// What was generated, and where to measure.
#[derive(Debug, Clone, Default)]
pub struct ProvinceReport {
    pub jurisdictions: u32,
    pub departments: u32,
    pub units: u32,
    pub projects: u64,
    pub lines: u64,
    pub ledger_entries: u64,
    /// The first city (its finance login `shicai`): projects in every state, for the lists.
    pub city_region: String,
    /// The last county: every project admitted, for the allocation run.
    pub allocation_region: String,
}

/// One jurisdiction to make: 区划 code, name, the upper one's code and index.
struct Place {
    code: String,
    name: String,
    upper: Option<(String, usize)>,
}

/// The province, `cities` cities and the counties spread under them (`n` in all): 320000,
/// cities 3201xx-style codes 32CC00, counties 32CCNN.
fn layout(n: u32) -> Vec<Place> {
    let rest = n.saturating_sub(1).max(2);
    // About as many cities as counties under each (100 → 9 cities of 10 counties).
    let cities = (f64::from(rest).sqrt().floor() as u32).clamp(1, 98);
    let counties = rest - cities;
    let mut out = vec![Place {
        code: PROVINCE_REGION.into(),
        name: "基准省".into(),
        upper: None,
    }];
    for c in 1..=cities {
        out.push(Place {
            code: format!("32{c:02}00"),
            name: format!("基准省第{c}市"),
            upper: Some((PROVINCE_REGION.into(), 0)),
        });
    }
    for k in 0..counties {
        let c = k % cities + 1;
        let m = k / cities + 1;
        out.push(Place {
            code: format!("32{c:02}{m:02}"),
            name: format!("基准省第{c}市第{m}县"),
            upper: Some((format!("32{c:02}00"), c as usize)),
        });
    }
    out
}

/// Units per department.
const UNITS_PER_DEPARTMENT: u32 = 15;

/// Projects written per multi-row batch (the import's chunk).
const PROJECT_CHUNK: usize = 2_000;

/// Ledger entries (and their events) per transaction.
const LEDGER_CHUNK: usize = 20_000;

/// The states of a jurisdiction's projects, by the project's number modulo 20: a library in
/// mid-year, with work in every queue.
fn state_of(n: u32) -> ProjectState {
    match n % 20 {
        0..=5 => ProjectState::Reserve,
        6..=10 => ProjectState::Submitted,
        11 => ProjectState::Returned,
        12 => ProjectState::Rejected,
        13..=15 => ProjectState::Admitted,
        16 | 17 => ProjectState::Funded,
        18 => ProjectState::Postponed,
        _ => ProjectState::Retired,
    }
}

const TIERS: [&str; 6] = [
    "three_guarantees",
    "debt_service",
    "key_priorities",
    "mandatory",
    "general_development",
    "other",
];

/// The `n`th project of a unit: one cost line (a quantity at a price, its basis stated) and one
/// indicator, its tier and amount varied.
fn draft(n: u32, unit: usize) -> AppResult<ProjectDraft> {
    let d = serde_json::json!({
        "name": format!("基准项目{unit:05}-{n:06}"),
        "kind": "specific_purpose",
        "matter_class": "public_service",
        "tier": TIERS[(n % 6) as usize],
        "basis_title": "基准省基准测试政策",
        "start_year": PROVINCE_YEAR,
        "end_year": PROVINCE_YEAR,
        "function_code": "2050202",
        "government_economic_code": "50202",
        "fund_book": if n.is_multiple_of(5) { "government_fund" } else { "general_public" },
        "responsible_person": "基准",
        "responsible_phone": "025-83330000",
        "overall_goal": "完成年度工作任务",
        "cost_lines": [{
            "item": "专项业务费",
            "economic_code": "30215",
            "quantity": format!("{}", 10 + n % 90),
            "unit_amount": format!("{}", 480 + (n % 7) * 100),
            "basis": "按市场询价测算",
        }],
        "indicators": [{
            "category": "quantity",
            "name": "完成事项数",
            "comparator": "ge",
            "target_value": "1",
            "unit": "项",
        }],
    });
    serde_json::from_value(d).map_err(|e| AppError::Internal(format!("基准项目草稿：{e}")))
}

impl crate::DemoUseCases<'_> {
    /// Generates a province of `size` into an empty database (see the module's note); the
    /// logins `shengcai` (province finance) and `shicai` (the first city's) get the demo
    /// password. `progress` is told what was just done.
    #[tracing::instrument(skip_all)]
    pub async fn load_province(
        &self,
        size: ProvinceSize,
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> AppResult<ProvinceReport> {
        if !self.is_empty().await? {
            return Err(AppError::Conflict(lingji_domain::Refusal::new(
                "DEMO_NOT_EMPTY",
                "数据库中已有数据，基准省只能生成到空数据库",
            )));
        }
        if size.jurisdictions < 3 || size.units < size.jurisdictions {
            return Err(lingji_domain::Refusal::new(
                "PROVINCE_SIZE_INVALID",
                "基准省至少需要 3 个区划，且每个区划至少 1 个预算单位",
            )
            .field("jurisdictions")
            .into());
        }
        self.import_demo_codes().await?;
        let system = Caller::System;
        let year = FiscalYear::new(PROVINCE_YEAR)?;
        let places = layout(size.jurisdictions);
        let n = places.len() as u32;
        let mut report = ProvinceReport {
            city_region: places[1].code.clone(),
            allocation_region: places[places.len() - 1].code.clone(),
            ..ProvinceReport::default()
        };
        // Every line's approval is an entry; the rest are adjustments in pairs, spread over the
        // jurisdictions (one entry short of `ledger` when the rest is odd).
        let lines = u64::from(size.units) * u64::from(size.lines_per_unit);
        let pairs = size.ledger.saturating_sub(lines) / 2;
        let mut ids = Vec::with_capacity(places.len());
        for (j, place) in places.iter().enumerate() {
            let started = std::time::Instant::now();
            let upper = place.upper.as_ref().map(|(code, _)| code.as_str());
            let created = self
                .foundation()
                .create_jurisdiction(&system, &place.code, &place.name, &[], upper)
                .await?;
            let source = match &place.upper {
                None => YearSource::Preset(Preset::LianyungangCity),
                Some((_, i)) => YearSource::FromUpper(ids[*i]),
            };
            self.foundation()
                .start_year(&Scope::system(created.id), year, source, true)
                .await?;
            ids.push(created.id);
            report.jurisdictions += 1;
            let share = |total: u64| {
                total / u64::from(n) + u64::from(u64::from(j as u32) < total % u64::from(n))
            };
            let units = self
                .province_units(created.id, share(u64::from(size.units)) as u32, &mut report)
                .await?;
            let all_admitted = j == places.len() - 1;
            self.province_projects(
                created.id,
                year,
                &units,
                share(u64::from(size.projects)) as u32,
                all_admitted,
                &mut report,
            )
            .await?;
            self.province_ledger(
                created.id,
                &units,
                size.lines_per_unit,
                share(pairs),
                &mut report,
            )
            .await?;
            progress(&format!(
                "区划 {}/{} {} {}：{} 个单位，累计项目 {}，累计分录 {}，{:.1} 秒",
                j + 1,
                places.len(),
                place.code,
                place.name,
                units.len(),
                report.projects,
                report.ledger_entries,
                started.elapsed().as_secs_f64()
            ));
        }
        for (username, org, display) in [
            ("shengcai", ids[0], "基准省财政厅 预算处"),
            ("shicai", ids[1], "基准省第1市财政局 预算科"),
        ] {
            self.accounts()
                .add_user(
                    &system,
                    NewUser {
                        username: username.into(),
                        display_name: Some(display.into()),
                        role: "finance_officer".into(),
                        org: org.to_string(),
                        password: crate::demo::DEMO_PASSWORD.into(),
                    },
                )
                .await?;
        }
        Ok(report)
    }

    /// `count` units in departments of 15 under the jurisdiction, through the use case; their
    /// (department, unit) ids.
    async fn province_units(
        &self,
        jurisdiction: i64,
        count: u32,
        report: &mut ProvinceReport,
    ) -> AppResult<Vec<(i64, i64)>> {
        let system = Caller::System;
        let mut out = Vec::with_capacity(count as usize);
        let departments = count.div_ceil(UNITS_PER_DEPARTMENT);
        for d in 0..departments {
            let code = format!("{:03}", 101 + d);
            let dept = self
                .foundation()
                .create_organisation(
                    &system,
                    CreateOrganisation {
                        kind: "department".into(),
                        parent_id: jurisdiction,
                        code: code.clone(),
                        name: format!("基准部门{code}"),
                        unit_kind: None,
                        review_body: None,
                        staffing: Staffing::default(),
                    },
                )
                .await?;
            report.departments += 1;
            let here = (count - d * UNITS_PER_DEPARTMENT).min(UNITS_PER_DEPARTMENT);
            for u in 0..here {
                let unit = self
                    .foundation()
                    .create_organisation(
                        &system,
                        CreateOrganisation {
                            kind: "unit".into(),
                            parent_id: dept.id,
                            code: format!("{code}{:03}", u + 1),
                            name: format!("基准单位{code}{:03}", u + 1),
                            unit_kind: Some(
                                if u == 0 {
                                    "administrative"
                                } else {
                                    "public_welfare_1"
                                }
                                .into(),
                            ),
                            review_body: None,
                            staffing: super::staffing(d as usize, u as usize),
                        },
                    )
                    .await?;
                out.push((dept.id, unit.id));
                report.units += 1;
            }
        }
        Ok(out)
    }

    /// `count` projects over the jurisdiction's units in one transaction, checked and numbered
    /// as an import's rows and written 2,000 at a time by the import's multi-row path; then the
    /// review fields their states imply.
    async fn province_projects(
        &self,
        jurisdiction: i64,
        year: FiscalYear,
        units: &[(i64, i64)],
        count: u32,
        all_admitted: bool,
        report: &mut ProvinceReport,
    ) -> AppResult<()> {
        if count == 0 || units.is_empty() {
            return Ok(());
        }
        let system = Caller::System;
        let mut tx = self.store.begin().await?;
        let mut adds = Additions::begin(&mut tx).await?;
        let mut owners = Vec::with_capacity(units.len());
        for (_, unit) in units {
            owners.push(Owner::load(&mut tx, &system, *unit).await?);
        }
        // No standard is named (each cost line states its basis), so the catalogue is empty.
        let catalogue = Catalogue::new();
        let mut pending = Vec::with_capacity(PROJECT_CHUNK);
        for n in 0..count {
            let u = n as usize % units.len();
            let mut new = self
                .library()
                .prepare_project(
                    &mut tx,
                    &mut adds,
                    &owners[u],
                    year,
                    &draft(n, u)?,
                    None,
                    Some(&catalogue),
                )
                .await?;
            new.header.state = if all_admitted {
                ProjectState::Admitted
            } else {
                state_of(n)
            };
            pending.push(new);
            if pending.len() == PROJECT_CHUNK || n + 1 == count {
                let chunk = std::mem::replace(&mut pending, Vec::with_capacity(PROJECT_CHUNK));
                report.projects += chunk.len() as u64;
                self.library()
                    .store_projects(&mut tx, &mut adds.chain, &system, chunk)
                    .await?;
            }
        }
        store_projects::bench_review_fields(&mut tx, jurisdiction, year.value()).await?;
        adds.finish(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `per_unit` budget lines of every unit (each with its approval entry), then `pairs`
    /// adjustments in pairs (+x then −x, netting to nothing) round the lines, each with a
    /// `ledger.adjust` event on the main chain.
    async fn province_ledger(
        &self,
        jurisdiction: i64,
        units: &[(i64, i64)],
        per_unit: u32,
        pairs: u64,
        report: &mut ProvinceReport,
    ) -> AppResult<()> {
        let lines: Vec<BudgetLine> = units
            .iter()
            .enumerate()
            .flat_map(|(i, (department, unit))| {
                (0..per_unit).map(move |k| BudgetLine {
                    id: 0,
                    fiscal_year: PROVINCE_YEAR,
                    department_id: *department,
                    unit_id: *unit,
                    project_id: None,
                    item_id: -1,
                    name: format!("基准公用经费{}", k + 1),
                    economic_code: "302".into(),
                    fund_book: FundBook::GeneralPublic,
                    three_guarantees: k == 0,
                    approved: Money::from_yuan(1_000_000 + (i as i64 % 100) * 10_000),
                    source_document: "基准省财预〔2026〕1号".into(),
                    run_id: None,
                })
            })
            .collect();
        if lines.is_empty() {
            return Ok(());
        }
        let mut tx = self.store.begin().await?;
        insert_lines(&mut tx, jurisdiction, &lines, "system").await?;
        tx.commit().await?;
        report.lines += lines.len() as u64;
        report.ledger_entries += lines.len() as u64;
        let mut conn = self.store.write().acquire().await?;
        let ids = ledger::jurisdiction_line_ids(&mut conn, jurisdiction, PROVINCE_YEAR).await?;
        drop(conn);
        let mut done = 0_u64;
        while done < pairs {
            let batch = (pairs - done).min(LEDGER_CHUNK as u64 / 2);
            let mut rows = Vec::with_capacity(batch as usize * 2);
            for p in done..done + batch {
                let line = ids[(p % ids.len() as u64) as usize];
                let fen = 10_000 + (p % 997) as i64 * 100;
                let reference = format!("基准调剂〔2026〕{p}号");
                rows.push(NewEntry {
                    line_id: line,
                    movement: Movement::Adjust(Money::from_fen(fen)),
                    reference: reference.clone(),
                });
                rows.push(NewEntry {
                    line_id: line,
                    movement: Movement::Adjust(Money::from_fen(-fen)),
                    reference,
                });
            }
            let system = Caller::System;
            let events: Vec<NewEvent<'_>> = rows
                .iter()
                .map(|e| {
                    let Movement::Adjust(a) = e.movement else {
                        unreachable!("only adjustments are generated")
                    };
                    let mut event =
                        system.event(jurisdiction, "ledger.adjust", "budget_line", e.line_id);
                    event.after = serde_json::json!({
                        "kind": "adjust",
                        "amount": a.to_yuan_display(),
                        "reference": e.reference,
                    })
                    .to_string();
                    event
                })
                .collect();
            let mut tx = self.store.begin().await?;
            ledger::add_entries_many(&mut tx, &rows, "system").await?;
            let mut chain = Chain::take(&mut tx).await?;
            chain.append_many(&mut tx, events).await?;
            chain.finish(&mut tx).await?;
            tx.commit().await?;
            done += batch;
            report.ledger_entries += rows.len() as u64;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hundred_jurisdictions_are_a_province_nine_cities_and_ninety_counties() {
        let l = layout(100);
        assert_eq!(l.len(), 100);
        assert_eq!(l.iter().filter(|p| p.code.ends_with("00")).count(), 10);
        let codes: std::collections::BTreeSet<_> = l.iter().map(|p| &p.code).collect();
        assert_eq!(codes.len(), 100, "codes are unique");
        assert_eq!(layout(3).len(), 3);
    }
}
