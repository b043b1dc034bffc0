//! The repository suite: the same stories on SQLite and on PostgreSQL.

use lingji_domain::foundation::org::{OrgKind, OrgPath, Staffing, UnitKind};
use lingji_domain::foundation::policy::{Preset, preset};
use lingji_store::foundation::audit::{self, NewEvent};
use lingji_store::foundation::orgs::{self, NewOrganisation};
use lingji_store::testing::TestDb;
use lingji_store::{
    Backend, Store, StoreError, backend_tests, foundation::profiles, foundation::sessions,
    library::projects,
};

async fn open(backend: Backend) -> Option<(Store, TestDb)> {
    let db = TestDb::new(backend).await?;
    let store = Store::connect(&db.config).await.expect("connect");
    store.migrate().await.expect("migrate");
    Some((store, db))
}

fn event(n: usize) -> NewEvent<'static> {
    NewEvent {
        jurisdiction_id: 1,
        actor_id: 7,
        actor: "tester",
        action: "test.event",
        entity_type: "thing",
        entity_id: n.to_string(),
        before: String::new(),
        after: format!("{{\"n\":{n}}}"),
    }
}

async fn append_events(store: &Store, n: usize) {
    for i in 1..=n {
        let mut tx = store.begin().await.unwrap();
        audit::append(&mut tx, event(i)).await.unwrap();
        tx.commit().await.unwrap();
    }
}

async fn tamper(store: &Store, sql: &'static str) {
    sqlx::query(sql).execute(store.write()).await.unwrap();
}

async fn audit_chain_detects_an_altered_row(backend: Backend) {
    let Some((store, _db)) = open(backend).await else {
        return;
    };
    append_events(&store, 5).await;
    let mut conn = store.write().acquire().await.unwrap();
    assert_eq!(audit::verify(&mut conn).await.unwrap(), Ok(6));
    drop(conn);
    tamper(
        &store,
        "UPDATE audit_events SET after = '{\"n\":999}' WHERE seq = 3",
    )
    .await;
    let mut conn = store.write().acquire().await.unwrap();
    let broken = audit::verify(&mut conn).await.unwrap().unwrap_err();
    assert_eq!(broken.seq, 3, "{}", broken.reason);
}

async fn audit_chain_detects_a_removed_row_and_a_removed_tail(backend: Backend) {
    let Some((store, _db)) = open(backend).await else {
        return;
    };
    append_events(&store, 5).await;
    tamper(&store, "DELETE FROM audit_events WHERE seq = 5").await;
    let mut conn = store.write().acquire().await.unwrap();
    // Named at the event found in its place.
    let broken = audit::verify(&mut conn).await.unwrap().unwrap_err();
    assert_eq!(broken.seq, 6);
    assert!(broken.reason.contains("缺少第 5 条"), "{}", broken.reason);
    drop(conn);
    tamper(&store, "DELETE FROM audit_events WHERE seq = 2").await;
    let mut conn = store.write().acquire().await.unwrap();
    assert_eq!(audit::verify(&mut conn).await.unwrap().unwrap_err().seq, 3);
}

async fn a_rolled_back_change_leaves_no_audit_event(backend: Backend) {
    let Some((store, _db)) = open(backend).await else {
        return;
    };
    append_events(&store, 2).await;
    let mut tx = store.begin().await.unwrap();
    audit::append(&mut tx, event(3)).await.unwrap();
    tx.rollback().await.unwrap();
    append_events(&store, 1).await;
    let mut conn = store.write().acquire().await.unwrap();
    assert_eq!(audit::verify(&mut conn).await.unwrap(), Ok(4));
}

async fn concurrent_writers_form_one_chain(backend: Backend) {
    let Some((store, _db)) = open(backend).await else {
        return;
    };
    let mut tasks = Vec::new();
    for t in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..10 {
                let mut tx = store.begin().await.unwrap();
                audit::append(&mut tx, event(t * 100 + i)).await.unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut conn = store.write().acquire().await.unwrap();
    assert_eq!(audit::verify(&mut conn).await.unwrap(), Ok(81));
}

/// Payment requests' events on three lines' chains from eight writers while seals run and the
/// log is verified again and again: every verify in the middle of the writing sees a whole log
/// (one snapshot, whatever order the writers commit in), and so does the last.
async fn line_chains_seals_and_verify_run_together(backend: Backend) {
    let Some((store, _db)) = open(backend).await else {
        return;
    };
    let mut writers = tokio::task::JoinSet::new();
    for t in 0..8_usize {
        let store = store.clone();
        writers.spawn(async move {
            for i in 0..15 {
                let line = 1 + i64::try_from((t + i) % 3).unwrap();
                let mut tx = store.begin().await.unwrap();
                audit::append_to_line(&mut tx, line, event(t * 100 + i))
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }
        });
    }
    let sealer = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut sealed = 0;
            for _ in 0..10 {
                let mut tx = store.begin().await.unwrap();
                sealed += audit::seal_lines(&mut tx).await.unwrap();
                tx.commit().await.unwrap();
                tokio::task::yield_now().await;
            }
            sealed
        })
    };
    while !writers.is_empty() {
        let mut conn = store.write().acquire().await.unwrap();
        let seen = audit::verify(&mut conn).await.unwrap();
        assert!(seen.is_ok(), "{seen:?}");
        drop(conn);
        writers.join_next().await.unwrap().unwrap();
    }
    assert!(sealer.await.unwrap() > 0, "some heads were sealed");
    let mut tx = store.begin().await.unwrap();
    audit::seal_lines(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    let mut conn = store.write().acquire().await.unwrap();
    let (seals,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE action = 'audit.seal'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    // The key start, 120 line events and the seals.
    assert_eq!(audit::verify(&mut conn).await.unwrap(), Ok(121 + seals));
}

async fn seed_tree(store: &Store) -> (i64, i64, i64, i64) {
    let mut tx = store.begin().await.unwrap();
    let city = orgs::insert(
        &mut tx,
        &NewOrganisation {
            kind: OrgKind::Jurisdiction,
            code: "329900".into(),
            name: "示范市".into(),
            parent: None,
            region_code: Some("329900".into()),
            unit_kind: None,
            review_body: None,
            staffing: Staffing::default(),
        },
    )
    .await
    .unwrap();
    let city_path = OrgPath {
        jurisdiction: city,
        department: None,
        unit: None,
    };
    let dept = orgs::insert(
        &mut tx,
        &NewOrganisation {
            kind: OrgKind::Department,
            code: "101".into(),
            name: "市教育局".into(),
            parent: Some(city_path),
            region_code: None,
            unit_kind: None,
            review_body: None,
            staffing: Staffing::default(),
        },
    )
    .await
    .unwrap();
    let dept_path = OrgPath {
        jurisdiction: city,
        department: Some(dept),
        unit: None,
    };
    let mut units = Vec::new();
    for (code, name) in [("101001", "市教育局机关"), ("101002", "市第一中学")] {
        units.push(
            orgs::insert(
                &mut tx,
                &NewOrganisation {
                    kind: OrgKind::Unit,
                    code: code.into(),
                    name: name.into(),
                    parent: Some(dept_path),
                    region_code: None,
                    unit_kind: Some(UnitKind::Administrative),
                    review_body: None,
                    staffing: Staffing {
                        authorized_posts: 10,
                        actual_staff: 9,
                        retired_staff: 1,
                        contract_staff: 1,
                        contract_quota: 2,
                    },
                },
            )
            .await
            .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    (city, dept, units[0], units[1])
}

async fn organisations_keep_their_place_in_the_tree(backend: Backend) {
    let Some((store, _db)) = open(backend).await else {
        return;
    };
    let (city, dept, unit, other) = seed_tree(&store).await;
    let mut conn = store.read().acquire().await.unwrap();
    let u = orgs::get(&mut conn, unit).await.unwrap().unwrap();
    assert_eq!(
        u.path,
        OrgPath {
            jurisdiction: city,
            department: Some(dept),
            unit: Some(unit)
        }
    );
    assert_eq!(u.unit_kind, Some(UnitKind::Administrative));
    let in_dept = orgs::list(&mut conn, city, Some(dept)).await.unwrap();
    assert_eq!(
        in_dept.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![dept, unit, other]
    );
    let only_unit = orgs::list(&mut conn, city, Some(unit)).await.unwrap();
    assert_eq!(only_unit.len(), 1);
    assert_eq!(orgs::list(&mut conn, city, None).await.unwrap().len(), 4);
}

async fn duplicate_codes_are_a_conflict(backend: Backend) {
    let Some((store, _db)) = open(backend).await else {
        return;
    };
    let (city, dept, _, _) = seed_tree(&store).await;
    let mut tx = store.begin().await.unwrap();
    let err = orgs::insert(
        &mut tx,
        &NewOrganisation {
            kind: OrgKind::Unit,
            code: "101001".into(),
            name: "重复".into(),
            parent: Some(OrgPath {
                jurisdiction: city,
                department: Some(dept),
                unit: None,
            }),
            region_code: None,
            unit_kind: Some(UnitKind::Administrative),
            review_body: None,
            staffing: Staffing::default(),
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

async fn a_stale_version_does_not_overwrite(backend: Backend) {
    let Some((store, _db)) = open(backend).await else {
        return;
    };
    let (_, _, unit, _) = seed_tree(&store).await;
    let s = Staffing {
        authorized_posts: 12,
        actual_staff: 11,
        retired_staff: 2,
        contract_staff: 1,
        contract_quota: 2,
    };
    let mut conn = store.write().acquire().await.unwrap();
    orgs::update_staffing(&mut conn, unit, &s, 1).await.unwrap();
    let again = Staffing {
        actual_staff: 3,
        ..s
    };
    assert!(matches!(
        orgs::update_staffing(&mut conn, unit, &again, 1).await,
        Err(StoreError::Stale)
    ));
    let now = orgs::get(&mut conn, unit).await.unwrap().unwrap();
    assert_eq!((now.staffing.actual_staff, now.version), (11, 2));
}

async fn profile_versions_count_up(backend: Backend) {
    let Some((store, _db)) = open(backend).await else {
        return;
    };
    let (city, _, _, _) = seed_tree(&store).await;
    let mut conn = store.write().acquire().await.unwrap();
    let p = preset(Preset::CsCity);
    assert_eq!(
        profiles::insert_version(
            &mut conn,
            &profiles::NewVersion {
                jurisdiction_id: city,
                fiscal_year: 2026,
                preset: "cs_city",
                profile: &p,
                note: "a",
                created_by: "t",
            }
        )
        .await
        .unwrap(),
        1
    );
    let mut changed = p.clone();
    changed.set_parameter("allocation.cut_fair", "25%").unwrap();
    assert_eq!(
        profiles::insert_version(
            &mut conn,
            &profiles::NewVersion {
                jurisdiction_id: city,
                fiscal_year: 2026,
                preset: "cs_city",
                profile: &changed,
                note: "b",
                created_by: "t",
            }
        )
        .await
        .unwrap(),
        2
    );
    let current = profiles::current(&mut conn, city, 2026)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((current.version, current.profile), (2, changed));
    assert_eq!(
        profiles::history(&mut conn, city, 2026)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(
        profiles::current(&mut conn, city, 2027)
            .await
            .unwrap()
            .is_none()
    );
}

async fn expired_sessions_do_not_sign_in(backend: Backend) {
    let Some((store, _db)) = open(backend).await else {
        return;
    };
    let (_, _, unit, _) = seed_tree(&store).await;
    let mut conn = store.write().acquire().await.unwrap();
    let user = lingji_store::foundation::users::insert(
        &mut conn,
        "u1",
        "U",
        lingji_domain::foundation::authz::Role::UnitOperator,
        unit,
        "x",
    )
    .await
    .unwrap();
    sessions::insert(&mut conn, "live", user, "c1", "2999-01-01T00:00:00.000Z")
        .await
        .unwrap();
    sessions::insert(&mut conn, "dead", user, "c2", "2000-01-01T00:00:00.000Z")
        .await
        .unwrap();
    assert!(sessions::get(&mut conn, "live").await.unwrap().is_some());
    assert!(sessions::get(&mut conn, "dead").await.unwrap().is_none());
}

fn header(city: i64, dept: i64, unit: i64, code: &str, name: &str) -> projects::ProjectHeader {
    use lingji_domain::library::*;
    projects::ProjectHeader {
        jurisdiction_id: city,
        department_id: dept,
        unit_id: unit,
        code: code.into(),
        fiscal_year: 2026,
        name: name.into(),
        kind: ProjectKind::SpecificPurpose,
        matter_class: Some(MatterClass::PublicService),
        tier: Some(lingji_domain::library::tier::SpendingTier::Mandatory),
        state: ProjectState::Reserve,
        basis: PolicyBasis {
            title: "依据".into(),
            number: "示政发〔2024〕8号".into(),
            expires_on: chrono::NaiveDate::from_ymd_opt(2028, 12, 31),
        },
        period: Some(Period {
            start_year: 2026,
            end_year: 2027,
            pilot: true,
        }),
        total_need: lingji_domain::Money::from_yuan(1_000_000),
        request: lingji_domain::Money::from_yuan(600_000),
        min_viable: lingji_domain::Money::from_yuan(300_000),
        function_code: "2050803".into(),
        government_economic_code: "50203".into(),
        fund_book: Some(lingji_domain::foundation::fund::FundBook::GeneralPublic),
        responsible_person: "李老师".into(),
        responsible_phone: "0518-1".into(),
        is_new: true,
        is_major: false,
        features: Features {
            training: true,
            ..Features::default()
        },
        overall_goal: "培训教师".into(),
        last_funded_year: None,
        previous_id: None,
        approved: lingji_domain::Money::ZERO,
        spent: lingji_domain::Money::ZERO,
        livelihood: false,
        livelihood_checked: None,
    }
}

async fn projects_round_trip_with_their_lines_targets_and_plan(backend: Backend) {
    use lingji_domain::library::cost::CostLineInput;
    use lingji_domain::library::targets::{Comparator, Indicator, IndicatorCategory};
    let Some((store, _db)) = open(backend).await else {
        return;
    };
    let (city, dept, unit, _) = seed_tree(&store).await;
    let mut tx = store.begin().await.unwrap();
    let h = header(city, dept, unit, "329900202610100001", "全市教师培训");
    let id = projects::insert(&mut tx, &h).await.unwrap().id;
    let lines = vec![projects::CostLine {
        input: CostLineInput {
            item: "培训费".into(),
            economic_code: "30216".into(),
            standard_id: None,
            quantity: "1200.5".parse().unwrap(),
            unit_amount: lingji_domain::Money::from_fen(49_980),
            basis: "三家询价".into(),
        },
        amount: lingji_domain::Money::from_fen(59_999_990),
    }];
    let indicators = vec![Indicator {
        category: IndicatorCategory::Quantity,
        name: "培训人次".into(),
        comparator: Comparator::AtLeast,
        target_value: "3000".into(),
        unit: "人次".into(),
    }];
    let plan = vec![lingji_domain::library::YearNeed {
        year: 2026,
        amount: lingji_domain::Money::from_yuan(600_000),
    }];
    projects::replace_children(&mut tx, id, &lines, &indicators, &plan)
        .await
        .unwrap();
    projects::add_history(&mut tx, id, "danwei", "create", None, "")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut conn = store.read().acquire().await.unwrap();
    let d = projects::get_detail(&mut conn, id).await.unwrap().unwrap();
    assert_eq!(d.project.header, h);
    assert_eq!(
        (d.cost_lines, d.indicators, d.year_plan),
        (lines, indicators, plan)
    );
    assert_eq!(
        projects::history(&mut conn, id).await.unwrap()[0].actor,
        "danwei"
    );
    drop(conn);
    let mut conn = store.write().acquire().await.unwrap();
    projects::update(&mut conn, id, &header(city, dept, unit, "x", "改名"), 1)
        .await
        .unwrap();
    assert!(matches!(
        projects::update(&mut conn, id, &h, 1).await,
        Err(StoreError::Stale)
    ));
    assert_eq!(
        projects::get(&mut conn, id)
            .await
            .unwrap()
            .unwrap()
            .header
            .code,
        "329900202610100001",
        "the code never changes"
    );
}

async fn project_serials_are_unique_under_concurrency(backend: Backend) {
    let Some((store, _db)) = open(backend).await else {
        return;
    };
    let (city, dept, _, _) = seed_tree(&store).await;
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for _ in 0..5 {
                let mut tx = store.begin().await.unwrap();
                let serial = projects::take_serial(&mut tx, city, 2026, dept)
                    .await
                    .unwrap();
                projects::set_serial(&mut tx, city, 2026, dept, serial + 1)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                got.push(serial);
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_unstable();
    assert_eq!(all, (1..=30).collect::<Vec<u32>>());
}

async fn project_lists_filter_and_page_by_id(backend: Backend) {
    let Some((store, _db)) = open(backend).await else {
        return;
    };
    let (city, dept, unit, other) = seed_tree(&store).await;
    let mut tx = store.begin().await.unwrap();
    for i in 0..25 {
        let owner = if i % 5 == 0 { other } else { unit };
        let name = if i == 7 {
            "校园安全改造".to_string()
        } else {
            format!("项目{i}")
        };
        projects::insert(
            &mut tx,
            &header(city, dept, owner, &format!("C{i:03}"), &name),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut conn = store.read().acquire().await.unwrap();
    let base = projects::Filter {
        jurisdiction_id: city,
        limit: 10,
        ..Default::default()
    };
    let first = projects::list(&mut conn, &base).await.unwrap();
    let second = projects::list(
        &mut conn,
        &projects::Filter {
            after_id: Some(first.last().unwrap().id),
            ..base.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!((first.len(), second.len()), (10, 10));
    assert!(second[0].id > first[9].id);
    let mine = projects::list(
        &mut conn,
        &projects::Filter {
            unit_id: Some(other),
            limit: 100,
            ..base.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(mine.len(), 5);
    let found = projects::list(
        &mut conn,
        &projects::Filter {
            search: Some("安全".into()),
            ..base.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        found
            .iter()
            .map(|p| p.header.code.as_str())
            .collect::<Vec<_>>(),
        ["C007"]
    );
    let none = projects::list(
        &mut conn,
        &projects::Filter {
            state: Some(lingji_domain::library::ProjectState::Admitted),
            ..base
        },
    )
    .await
    .unwrap();
    assert!(none.is_empty());
}

backend_tests!(
    projects_round_trip_with_their_lines_targets_and_plan,
    project_serials_are_unique_under_concurrency,
    project_lists_filter_and_page_by_id,
    audit_chain_detects_an_altered_row,
    audit_chain_detects_a_removed_row_and_a_removed_tail,
    a_rolled_back_change_leaves_no_audit_event,
    concurrent_writers_form_one_chain,
    line_chains_seals_and_verify_run_together,
    organisations_keep_their_place_in_the_tree,
    duplicate_codes_are_a_conflict,
    a_stale_version_does_not_overwrite,
    profile_versions_count_up,
    expired_sessions_do_not_sign_in,
);
