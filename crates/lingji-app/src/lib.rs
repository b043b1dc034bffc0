//! lingji use cases, one folder per fiscal context and one handle per context on [`App`]
//! (`app.execution().request_payment(&scope, …)`). Each authorises the caller of its [`Scope`]
//! (through [`Caller::authorize`], the one place), loads, asks the domain to decide, and
//! persists the change with its audit event in one transaction.

pub mod allocation;
mod blocking;
pub mod demo;
pub mod disclosure;
pub mod error;
pub mod execution;
pub mod foundation;
pub mod library;
pub mod performance;
pub mod review;
mod sheets;
pub mod simulation;
pub mod todo;

pub use error::{AppError, AppResult, UNAVAILABLE_RETRY_AFTER_SECS};
pub use foundation::caller::{Caller, Scope};
/// The storage types use cases return (rows of organisations, users, code tables, …).
pub use lingji_store as store;
pub use lingji_store::schema;
pub use lingji_store::{Store, StoreConfig};
pub use lingji_workbook as workbook;

/// Operational settings of sign-in.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Idle minutes before a session expires.
    pub session_ttl_minutes: i64,
    /// Failed attempts of one username from one address taken without waiting.
    pub login_failures_before_backoff: i64,
    /// The first wait after them, doubled with every further failure.
    pub login_backoff_seconds: i64,
    /// The longest wait.
    pub login_backoff_max_seconds: i64,
    /// Failed logins from one address, whatever the usernames, within the window.
    pub login_max_failures_per_ip: i64,
    /// The window of the per-address limit, in minutes.
    pub login_window_minutes: i64,
    /// Days a new API token lasts unless told otherwise.
    pub token_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            session_ttl_minutes: 8 * 60,
            login_failures_before_backoff: 5,
            login_backoff_seconds: 60,
            login_backoff_max_seconds: 60 * 60,
            login_max_failures_per_ip: 30,
            login_window_minutes: 15,
            token_days: 90,
        }
    }
}

/// The application: the store plus settings. Cheap to clone; holds no per-user state, so many
/// instances can serve behind a load balancer.
#[derive(Debug, Clone)]
pub struct App {
    pub store: Store,
    pub settings: Settings,
    /// Monitoring rules by jurisdiction, kept while the catalogue's stamp is unchanged.
    rule_cache: execution::payment_facts::RuleCache,
}

impl App {
    /// Connects, migrates and returns the application.
    pub async fn open(config: &StoreConfig, settings: Settings) -> AppResult<App> {
        let store = Store::connect(config).await?;
        store.migrate().await?;
        Ok(App {
            store,
            settings,
            rule_cache: execution::payment_facts::RuleCache::default(),
        })
    }
}

/// Declares a context's handle: a view of the [`App`] whose methods are that context's use
/// cases, reached as `app.execution().request_payment(…)`. The handle borrows the App and reads
/// its store and settings through `Deref`, so a use case's body is the same on either.
macro_rules! use_cases {
    ($(#[$doc:meta])* $handle:ident, $accessor:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $handle<'a> {
            app: &'a App,
        }

        impl std::ops::Deref for $handle<'_> {
            type Target = App;
            fn deref(&self) -> &App {
                self.app
            }
        }

        impl App {
            $(#[$doc])*
            pub fn $accessor(&self) -> $handle<'_> {
                $handle { app: self }
            }
        }
    };
}

use_cases!(
    /// Organisations, code tables, policy profiles and the audit trail.
    FoundationUseCases, foundation
);
use_cases!(
    /// Sign-in, sessions, API tokens and user accounts.
    AccountUseCases, accounts
);
use_cases!(
    /// The project library: projects, standards, attachments, Excel import and export.
    LibraryUseCases, library
);
use_cases!(
    /// The catalogues projects are costed and targeted against: spending standards (ZX-STD)
    /// and the indicator library.
    CatalogueUseCases, catalogues
);
use_cases!(
    /// Review of projects: plans, the flow, gates, queues and finance's lists.
    ReviewUseCases, review
);
use_cases!(
    /// Allocation runs, scenarios, approval and their statistics.
    AllocationUseCases, allocation
);
use_cases!(
    /// Payments, spending plans, adjustments and upper transfers.
    ExecutionUseCases, execution
);
use_cases!(
    /// The year-end close and the year in figures (the annual report).
    YearEndUseCases, year_end
);
use_cases!(
    /// Monitoring rules and their hits, suspensions and penetrating supervision (ZX-2, ZX-4b).
    SupervisionUseCases, supervision
);
use_cases!(
    /// Targets, monitoring checkpoints, evaluations, results and the dashboard.
    PerformanceUseCases, performance
);
use_cases!(
    /// Publication of budgets, targets and evaluations.
    DisclosureUseCases, disclosure
);
use_cases!(
    /// 待办: the work waiting for the caller, across the contexts.
    TodoUseCases, todo
);
use_cases!(
    /// The demo jurisdiction and its lived years.
    DemoUseCases, demo
);
