//! Importing projects from the workbook: every cell is read and checked like the project form
//! (ZB-14 cost lines, ZB-15d codes, PM-7 targets), every wrong cell is reported with its sheet,
//! row and column, and the whole file is one transaction: nothing is imported if any cell is
//! wrong.

use std::collections::{HashMap, HashSet};

use lingji_domain::Money;
use lingji_domain::Refusal;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::codes::FiscalYear;
use lingji_domain::foundation::org::OrgPath;
use lingji_domain::library::targets::{Comparator, Indicator, IndicatorCategory, TargetTable};
use lingji_store::{foundation::orgs, library::projects as store_projects, library::standards};
use sqlx::AnyConnection;

use super::sheets::{Entry, read_file, report};
use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::foundation::additions::{Additions, Serials};
use crate::foundation::caller::Caller;
use crate::library::projects::{
    Catalogue, NewProject, Owner, ProjectDraft, code_errors, numbered_project, year_codes,
};

/// What an import loaded.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Projects created in the reserve (储备).
    pub projects: usize,
    pub cost_lines: usize,
    pub indicators: usize,
    /// Years of multi-year plans.
    pub year_plans: usize,
    /// Sum of the new requests in 元, e.g. `1234567.89`.
    pub request_total: String,
}

/// The report counted up as projects are stored, with their requests' sum in fen.
#[derive(Default)]
struct Tally {
    report: ImportReport,
    total: Money,
}

impl Tally {
    fn add(&mut self, new: &NewProject) -> Result<(), Refusal> {
        self.report.projects += 1;
        self.report.cost_lines += new.lines.len();
        self.report.indicators += new.indicators.len();
        self.report.year_plans += new.plan.len();
        self.total = self.total.checked_add(new.header.request).ok_or_else(|| {
            Refusal::new("MONEY_OUT_OF_RANGE", "导入文件的申请合计超出允许范围").field("file")
        })?;
        Ok(())
    }

    fn finish(self) -> ImportReport {
        ImportReport {
            request_total: self.total.to_plain(),
            ..self.report
        }
    }
}

/// Projects written per round of multi-row statements: enough that the statements' round trips
/// no longer count, few enough that a chunk's rows and events stay small in memory.
const STORE_CHUNK: usize = 2_000;

/// Rows checked between two turns of the writer: a turn sends the next statement once the
/// server is done with the last, so the server waits at most this many rows' checking.
const CHECK_SLICE: usize = 64;

/// Imports add projects in the caller's own jurisdiction only.
fn may_import(caller: &Caller, jurisdiction_id: i64) -> AppResult<()> {
    let own = caller
        .actor()
        .map_or(OrgPath::of_jurisdiction(jurisdiction_id), |a| a.org);
    if own.jurisdiction != jurisdiction_id {
        return Err(AppError::Forbidden(Refusal::new(
            "FORBIDDEN",
            "只能导入本区划的项目",
        )));
    }
    caller.authorize(Resource::Project, Access::Write, &own)?;
    Ok(())
}

/// What a row's project was refused for; any other error ends the import.
fn row_refusals(e: AppError) -> AppResult<Vec<Refusal>> {
    match e {
        AppError::Invalid { errors, .. } => Ok(errors),
        AppError::Refused(r) => Ok(vec![r]),
        other => Err(other),
    }
}

/// The names the year's projects already have, by unit.
async fn names_in_year(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: FiscalYear,
) -> AppResult<HashSet<(i64, String)>> {
    Ok(
        store_projects::names_in_year(conn, jurisdiction_id, year.value())
            .await?
            .into_iter()
            .map(|p| (p.unit_id, p.name))
            .collect(),
    )
}

/// A unit's project names are unique within a year, counting those already in the library
/// and those earlier in the file; `names` takes this one.
fn name_taken(
    names: &mut HashSet<(i64, String)>,
    owner: &Owner,
    year: FiscalYear,
    name: &str,
) -> Option<Refusal> {
    let name = name.trim().to_string();
    if name.is_empty() || names.insert((owner.unit.id, name.clone())) {
        return None;
    }
    Some(
        Refusal::new(
            "PROJECT_NAME_TAKEN",
            format!("“{}”{year} 年度已有同名项目“{name}”", owner.unit.name),
        )
        .field("name"),
    )
}

/// The indicator rows' own checks (PM-7) when every category and comparator reads.
fn target_errors(draft: &ProjectDraft) -> Vec<Refusal> {
    let indicators: Option<Vec<Indicator>> = draft
        .indicators
        .iter()
        .map(|i| {
            Some(Indicator {
                category: IndicatorCategory::parse(&i.category).ok()?,
                name: i.name.clone(),
                comparator: Comparator::parse(&i.comparator).ok()?,
                target_value: i.target_value.clone(),
                unit: i.unit.clone(),
            })
        })
        .collect();
    indicators
        .map(|indicators| {
            TargetTable {
                overall_goal: draft.overall_goal.clone(),
                indicators,
            }
            .check_rows()
        })
        .unwrap_or_default()
}

impl crate::LibraryUseCases<'_> {
    /// Imports the projects of an .xlsx workbook (the template's layout) into the reserve of
    /// budget year `year`, all or nothing. `progress` is told `(done, total)` as projects are
    /// checked and stored.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn import_projects(
        &self,
        scope: &Scope,
        year: FiscalYear,
        bytes: &[u8],
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> AppResult<ImportReport> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        // Rows are authorised unit by unit below; a caller who may add projects nowhere (or
        // not in this jurisdiction) is refused before the file is read.
        may_import(caller, jurisdiction_id)?;
        let catalogue = self.standard_ids(jurisdiction_id).await?;
        // The file is read off the async workers and before the transaction, which on SQLite
        // holds the one writer: nobody's payment waits for a workbook to be parsed.
        let (sheets, entries, mut errors) =
            crate::blocking::parse(bytes, move |b| read_file(b, &catalogue)).await?;
        let mut tx = self.store.begin().await?;
        let codes = year_codes(&mut tx, year.value()).await?;
        let mut adds = Additions::begin(&mut tx).await?;
        let own_unit = caller.actor().and_then(|a| a.org.unit);
        let owners = self
            .owners_of(
                &mut tx,
                &mut adds.serials,
                caller,
                (jurisdiction_id, year),
                &entries,
                own_unit,
            )
            .await?;
        // Names already in the library this year, and those taken earlier in the file.
        let mut names = names_in_year(&mut tx, jurisdiction_id, year).await?;
        // The catalogue once, inside the transaction, for every cost line of the file (ZB-14).
        let loaded: Catalogue = standards::list(&mut tx, jurisdiction_id)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        // Rows are checked and numbered here while the chunks before are written on the
        // transaction's connection: on PostgreSQL its server writes one chunk while the next
        // is checked (docs/BENCHMARKS.md, stop 37). Nothing below the channel reads the
        // store, so the checking needs no connection.
        let (to_write, mut chunks) = tokio::sync::mpsc::channel::<Vec<NewProject>>(2);
        let Additions { chain, serials } = &mut adds;
        let check = async {
            let mut tally = Tally::default();
            // Projects checked and numbered, written a chunk at a time; once a cell is wrong
            // no more are written (the transaction rolls back), but every row is still checked.
            let mut pending = Vec::with_capacity(STORE_CHUNK);
            let count = entries.len();
            for (n, e) in entries.iter().enumerate() {
                progress(n, count);
                if n % CHECK_SLICE == 0 {
                    // Lets the writer send its next statement as soon as the last is done.
                    tokio::task::yield_now().await;
                }
                if e.broken {
                    continue;
                }
                let owner = match &owners[&e.unit_code] {
                    Ok(o) => o,
                    Err(r) => {
                        errors.at(&sheets.projects, e.row, "unit_code", r.clone());
                        continue;
                    }
                };
                let mut problems = code_errors(&e.draft, &codes);
                problems.extend(target_errors(&e.draft));
                problems.extend(name_taken(&mut names, owner, year, &e.draft.name));
                if !problems.is_empty() {
                    for r in problems {
                        report(&mut errors, &sheets, e, r);
                    }
                    continue;
                }
                let numbered = serials
                    .take_held(owner.jurisdiction.id, year.value(), owner.department.id)
                    .and_then(|serial| {
                        numbered_project(owner, year, serial, &e.draft, None, &loaded)
                    });
                match numbered {
                    Ok(new) if errors.total == 0 => {
                        tally.add(&new)?;
                        pending.push(new);
                        if pending.len() == STORE_CHUNK {
                            let chunk =
                                std::mem::replace(&mut pending, Vec::with_capacity(STORE_CHUNK));
                            if to_write.send(chunk).await.is_err() {
                                // The writer failed; its error is the import's.
                                break;
                            }
                        }
                    }
                    Ok(_) => pending.clear(),
                    Err(refused) => {
                        for r in row_refusals(refused)? {
                            report(&mut errors, &sheets, e, r);
                        }
                    }
                }
            }
            progress(count, count);
            if errors.total == 0 && !pending.is_empty() {
                // A failed send means the writer failed, as above.
                let _ = to_write.send(pending).await;
            }
            drop(to_write);
            AppResult::Ok(tally)
        };
        let write = async {
            while let Some(chunk) = chunks.recv().await {
                self.store_projects(&mut tx, chain, caller, chunk).await?;
            }
            AppResult::Ok(())
        };
        let (checked, written) = tokio::join!(check, write);
        written?;
        let tally = checked?;
        if errors.total > 0 {
            // Dropping the transaction rolls back every project stored above.
            return Err(errors.into_error());
        }
        let done = tally.finish();
        let event = caller
            .event(jurisdiction_id, "project.import", "fiscal_year", year)
            .after_json(&done);
        adds.chain.append(&mut tx, event).await?;
        adds.finish(&mut tx).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// The catalogue's standard ids by code, as the cost lines name their standards.
    async fn standard_ids(&self, jurisdiction_id: i64) -> AppResult<HashMap<String, i64>> {
        let mut conn = self.store.read().acquire().await?;
        Ok(standards::list(&mut conn, jurisdiction_id)
            .await?
            .into_iter()
            .map(|s| (s.code, s.id))
            .collect())
    }

    /// The unit of every row that reads, by code, each looked up once, with the serial
    /// counter of each unit's department held in `serials`: numbering the rows then needs no
    /// connection.
    async fn owners_of(
        &self,
        conn: &mut AnyConnection,
        serials: &mut Serials,
        caller: &Caller,
        (jurisdiction_id, year): (i64, FiscalYear),
        entries: &[Entry],
        own_unit: Option<i64>,
    ) -> AppResult<HashMap<String, Result<Owner, Refusal>>> {
        let mut owners = HashMap::new();
        for e in entries.iter().filter(|e| !e.broken) {
            let owner = self
                .owner_once(
                    conn,
                    &mut owners,
                    caller,
                    jurisdiction_id,
                    &e.unit_code,
                    own_unit,
                )
                .await?;
            if let Ok(owner) = owner {
                serials
                    .hold(
                        conn,
                        owner.jurisdiction.id,
                        year.value(),
                        owner.department.id,
                    )
                    .await?;
            }
        }
        Ok(owners)
    }

    /// [`Self::owner_by_code`], looked up once per code of the file.
    async fn owner_once<'o>(
        &self,
        conn: &mut AnyConnection,
        owners: &'o mut HashMap<String, Result<Owner, Refusal>>,
        caller: &Caller,
        jurisdiction_id: i64,
        code: &str,
        own_unit: Option<i64>,
    ) -> AppResult<&'o Result<Owner, Refusal>> {
        if !owners.contains_key(code) {
            let found = self
                .owner_by_code(conn, caller, jurisdiction_id, code, own_unit)
                .await?;
            owners.insert(code.to_string(), found);
        }
        Ok(&owners[code])
    }

    /// The unit a row names by code (blank: the caller's own unit), if the caller may add
    /// projects to it.
    async fn owner_by_code(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
        jurisdiction_id: i64,
        code: &str,
        own_unit: Option<i64>,
    ) -> AppResult<Result<Owner, Refusal>> {
        let unit_id = if code.is_empty() {
            match own_unit {
                Some(id) => id,
                None => {
                    return Ok(Err(Refusal::new(
                        "IMPORT_UNIT_MISSING",
                        "请填写预算单位编码",
                    )));
                }
            }
        } else {
            match orgs::find_by_code(conn, jurisdiction_id, code).await? {
                Some(o) => o.id,
                None => {
                    return Ok(Err(Refusal::new(
                        "IMPORT_UNIT_UNKNOWN",
                        format!("预算单位“{code}”不存在"),
                    )));
                }
            }
        };
        match Owner::load(conn, caller, unit_id).await {
            Ok(owner) => Ok(Ok(owner)),
            Err(AppError::NotFound(_)) => Ok(Err(Refusal::new(
                "IMPORT_UNIT_FORBIDDEN",
                format!("无权为预算单位“{code}”申报项目"),
            ))),
            Err(AppError::Refused(r)) => Ok(Err(r)),
            Err(other) => Err(other),
        }
    }
}
