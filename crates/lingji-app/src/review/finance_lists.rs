//! The lists finance maintains for review (CS-2a, ZB-6a, ZB-8, ZB-12, QJ-3b, ZB-13a): read by
//! everyone who picks from them, changed only by finance, every change kept with who and when.

use crate::Scope;
use lingji_domain::Refusal;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::org::{OrgKind, OrgPath};
use lingji_domain::review::eligibility::Lists;
use lingji_domain::review::lists::{ListEntry, ListKind};
use lingji_store::foundation::orgs;
use lingji_store::review::lists::{self, EntryChange, StoredEntry};
use sqlx::AnyConnection;

use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;

/// The lists in force for a jurisdiction's year, as the gates read them.
pub(crate) async fn in_force(
    conn: &mut AnyConnection,
    jurisdiction_id: i64,
    year: i32,
) -> AppResult<Lists> {
    let mut out = Lists::default();
    for kind in ListKind::ALL {
        let y = kind.yearly().then_some(year);
        let entries: Vec<ListEntry> = lists::entries(conn, jurisdiction_id, kind, y, true)
            .await?
            .into_iter()
            .map(|e| e.entry)
            .collect();
        match kind {
            ListKind::KeyMatters => out.key_matters = entries,
            ListKind::Events => out.events = entries,
            ListKind::NegativeList => out.negative = entries,
            ListKind::SpecialFunds => out.funds = entries,
            ListKind::Agencies => out.agencies = entries,
        }
    }
    Ok(out)
}

fn clean(mut e: ListEntry) -> ListEntry {
    e.code = e.code.trim().to_string();
    e.name = e.name.trim().to_string();
    e.note = e.note.trim().to_string();
    e.fund.tasks = e
        .fund
        .tasks
        .iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    e
}

/// A unique-code conflict named for people; other store errors as they are.
fn code_taken(e: lingji_store::StoreError, kind: ListKind, entry: &ListEntry) -> AppError {
    match e {
        lingji_store::StoreError::Conflict(_) => AppError::Conflict(
            Refusal::new(
                "LIST_CODE_TAKEN",
                format!("{}中已有编码“{}”", kind.label(), entry.code),
            )
            .field("code"),
        ),
        e => e.into(),
    }
}

/// Everyone in the jurisdiction who picks from the lists may read them.
fn may_read(caller: &Caller, jurisdiction_id: i64) -> AppResult<()> {
    caller.authorize(
        Resource::FinanceList,
        Access::Read,
        &OrgPath::of_jurisdiction(jurisdiction_id),
    )
}

impl crate::ReviewUseCases<'_> {
    /// Entries of a list (yearly lists: of `year` when given), retired ones included.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn list_entries(
        &self,
        scope: &Scope,
        kind: ListKind,
        year: Option<i32>,
    ) -> AppResult<Vec<StoredEntry>> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        may_read(caller, jurisdiction_id)?;
        let mut conn = self.store.read().acquire().await?;
        Ok(lists::entries(&mut conn, jurisdiction_id, kind, year, false).await?)
    }

    /// The departments of a jurisdiction that may lead a special fund, as `(id, "code name")`:
    /// part of reading the registry, so whoever may read the lists sees them named.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn fund_lead_departments(&self, scope: &Scope) -> AppResult<Vec<(i64, String)>> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        may_read(caller, jurisdiction_id)?;
        let mut conn = self.store.read().acquire().await?;
        Ok(orgs::list(&mut conn, jurisdiction_id, None)
            .await?
            .into_iter()
            .filter(|o| o.kind == OrgKind::Department)
            .map(|o| (o.id, format!("{} {}", o.code, o.name)))
            .collect())
    }

    /// One entry with its changes.
    #[tracing::instrument(skip_all)]
    pub async fn list_entry(
        &self,
        caller: &Caller,
        id: i64,
    ) -> AppResult<(StoredEntry, Vec<EntryChange>)> {
        let mut conn = self.store.read().acquire().await?;
        let lists::EntryOf {
            jurisdiction_id: jurisdiction,
            entry,
        } = lists::get(&mut conn, id)
            .await?
            .ok_or_else(|| AppError::not_found("清单条目"))?;
        caller
            .authorize(
                Resource::FinanceList,
                Access::Read,
                &OrgPath::of_jurisdiction(jurisdiction),
            )
            .map_err(|_| AppError::not_found("清单条目"))?;
        let history = lists::history(&mut conn, id).await?;
        Ok((entry, history))
    }

    async fn check_entry(
        &self,
        conn: &mut AnyConnection,
        jurisdiction_id: i64,
        kind: ListKind,
        e: &ListEntry,
    ) -> AppResult<()> {
        // The limit of the year everyone works in: a registry outlives any one budget.
        let current = crate::foundation::orgs::current_year_in(conn, jurisdiction_id).await?;
        let max = crate::foundation::profiles::in_force(conn, jurisdiction_id, current)
            .await?
            .special_funds
            .max_period_years
            .0;
        let mut errors = e.check(kind, max);
        if let Some(dept) = e
            .fund
            .lead_department_id
            .filter(|_| kind == ListKind::SpecialFunds)
        {
            let ok = orgs::get(conn, dept).await?.is_some_and(|o| {
                o.kind == OrgKind::Department && o.path.jurisdiction == jurisdiction_id
            });
            if !ok {
                errors.push(
                    Refusal::new("FUND_LEAD_UNKNOWN", "牵头主管部门不是本区划的部门")
                        .field("lead_department_id")
                        .clause("QJ-3b"),
                );
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid {
                summary: Refusal::new(
                    "LIST_ENTRY_INVALID",
                    format!("{}条目有 {} 处需补正", kind.label(), errors.len()),
                )
                .clause(kind.clause()),
                errors,
            })
        }
    }

    /// Adds an entry to a list.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn add_list_entry(
        &self,
        scope: &Scope,
        kind: ListKind,
        entry: ListEntry,
    ) -> AppResult<StoredEntry> {
        scope.authorize_jurisdiction(Resource::FinanceList, Access::Write)?;
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let entry = clean(entry);
        let mut tx = self.store.begin().await?;
        self.check_entry(&mut tx, jurisdiction_id, kind, &entry)
            .await?;
        let id = lists::insert(&mut tx, jurisdiction_id, kind, &entry)
            .await
            .map_err(|e| code_taken(e, kind, &entry))?;
        lists::add_history(&mut tx, id, caller.name(), "create", &entry, true).await?;
        let event = caller
            .event(jurisdiction_id, "finance_list.create", kind.as_str(), id)
            .after_json(&entry);
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        let lists::EntryOf { entry: stored, .. } = lists::get(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("清单条目"))?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Changes or retires an entry (retired entries stay for history).
    #[tracing::instrument(skip_all)]
    pub async fn update_list_entry(
        &self,
        caller: &Caller,
        id: i64,
        entry: ListEntry,
        active: bool,
        expected_version: i64,
    ) -> AppResult<StoredEntry> {
        let mut tx = self.store.begin().await?;
        let lists::EntryOf {
            jurisdiction_id,
            entry: before,
        } = lists::get(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("清单条目"))?;
        caller.authorize(
            Resource::FinanceList,
            Access::Write,
            &OrgPath::of_jurisdiction(jurisdiction_id),
        )?;
        let entry = clean(entry);
        self.check_entry(&mut tx, jurisdiction_id, before.list, &entry)
            .await?;
        lists::update(&mut tx, id, &entry, active, expected_version)
            .await
            .map_err(|e| code_taken(e, before.list, &entry))?;
        lists::add_history(&mut tx, id, caller.name(), "update", &entry, active).await?;
        let lists::EntryOf { entry: after, .. } = lists::get(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("清单条目"))?;
        let event = caller
            .event(
                jurisdiction_id,
                "finance_list.update",
                before.list.as_str(),
                id,
            )
            .before_json(&before)
            .after_json(&after);
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(after)
    }
}
