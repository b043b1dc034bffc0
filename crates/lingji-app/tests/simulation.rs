//! `lingji simulate` on SQLite and PostgreSQL (issue 18): a small jurisdiction lives two years
//! through the use cases with every invariant holding, the same seed lives the same history,
//! and a ledger tampered with behind the use cases' back stops the run naming the invariant,
//! the step, the year and the seed.

use lingji_app::simulation::{Options, Report, Step, Tamper};
use lingji_app::store::testing::TestDb;
use lingji_app::store::{Backend, backend_tests};
use lingji_app::{App, Settings};
use lingji_domain::policy::Preset;

/// Seams of issue 18 the simulation finds that are being fixed elsewhere; the run reports
/// them and goes on. Remove a name when its fix lands, and the run must then hold it:
/// `closed_year` — a closed year still takes a new line, a payment on it, and the money of a
/// payment rejected after the close; `project_figures` — the run reads a continuing project's
/// last-year execution as 0 % while its lines were paid (CS-5a, ZB-5a), and supervision adds
/// a line and its carry-over line (ZX-2); `year_on_year` — a
/// project funded last year and not asked for again is neither cancelled nor in the base
/// (ZX-3a).
const KNOWN_SEAMS: &[&str] = &["closed_year", "project_figures", "year_on_year"];

async fn simulate(backend: Backend, opts: &Options) -> Option<(Report, Vec<String>)> {
    let db = TestDb::new(backend).await?;
    let app = App::open(&db.config, Settings::default()).await.unwrap();
    let mut lines = Vec::new();
    let report = app
        .simulate(opts, &mut |l| lines.push(l.to_string()))
        .await
        .unwrap();
    Some((report, lines))
}

fn two_years(seed: u64) -> Options {
    Options {
        tolerate: KNOWN_SEAMS.iter().map(|s| s.to_string()).collect(),
        ..Options::new(Preset::LianyungangCity, 2, seed)
    }
}

async fn zb_3_zb_7a_two_years_keep_every_invariant_and_repeat_by_seed(backend: Backend) {
    let Some((first, lines)) = simulate(backend, &two_years(7)).await else {
        return;
    };
    assert!(
        first.passed(),
        "{}\n{:?}\n{}",
        lines.join("\n"),
        first.tolerated,
        first.broken.unwrap()
    );
    assert_eq!(
        first.steps.len(),
        2 * Step::ALL.len(),
        "{}",
        lines.join("\n")
    );
    for (name, wanted) in [
        ("admitted", 1),
        ("paid", 1),
        ("evaluated", 1),
        ("continued", 1),
    ] {
        assert!(
            first.totals.get(name).copied().unwrap_or(0) >= wanted,
            "{name}: {:?}",
            first.totals
        );
    }
    let (again, lines_again) = simulate(backend, &two_years(7)).await.unwrap();
    assert_eq!(lines, lines_again, "the same seed lives the same history");
    assert_eq!(first.digest, again.digest);
    let (other, _) = simulate(backend, &two_years(8)).await.unwrap();
    assert_ne!(first.digest, other.digest, "another seed, another history");
}

async fn a_ledger_tampered_behind_the_use_cases_stops_the_run_naming_it(backend: Backend) {
    let opts = Options {
        tamper: Some(Tamper {
            year: 2026,
            step: Step::Payments,
            sql: "UPDATE budget_lines SET spent = spent + 1 \
                  WHERE id = (SELECT MIN(id) FROM budget_lines)"
                .into(),
        }),
        ..two_years(11)
    };
    let Some((report, lines)) = simulate(backend, &opts).await else {
        return;
    };
    let broken = report.broken.expect("the tampered ledger was not noticed");
    assert_eq!(
        (
            broken.invariant.as_str(),
            broken.step,
            broken.year,
            broken.seed
        ),
        ("ledger", Step::Payments, 2026, 11),
        "{broken}"
    );
    assert!(broken.to_string().contains("种子 11"), "{broken}");
    // It stopped there: nothing after the payments of the first year was lived.
    let through = Step::ALL.iter().position(|s| *s == Step::Payments).unwrap() + 1;
    assert_eq!(lines.len(), through, "{}", lines.join("\n"));
}

backend_tests!(
    zb_3_zb_7a_two_years_keep_every_invariant_and_repeat_by_seed,
    a_ledger_tampered_behind_the_use_cases_stops_the_run_naming_it,
);

/// The history is the use cases' answers, not the backend's: SQLite and PostgreSQL live the
/// same seed alike, line for line (when PostgreSQL is configured).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_lives_the_same_history_on_both_backends() {
    let (sqlite, lines) = simulate(Backend::Sqlite, &two_years(3)).await.unwrap();
    let Some((postgres, pg_lines)) = simulate(Backend::Postgres, &two_years(3)).await else {
        return;
    };
    assert_eq!(lines, pg_lines);
    assert_eq!(sqlite.digest, postgres.digest);
}
