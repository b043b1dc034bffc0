//! lingji use cases: one method on [`App`] per command or query. Each authorises the caller
//! (through [`Caller::authorize`], the one place), loads, asks the domain to decide, and
//! persists the change with its audit event in one transaction.

mod additions;
pub mod adjustments;
pub mod allocation;
pub mod allocation_approval;
pub mod allocation_stats;
pub mod annual_report;
pub mod attachments;
pub mod audit;
pub mod auth;
mod blocking;
pub mod caller;
pub mod codes;
mod demand_survey;
pub mod demo;
mod demo_lists;
mod demo_lived;
mod demo_performance;
mod demo_projects;
mod department_totals;
pub mod disclosure;
pub mod error;
pub mod evaluations;
pub mod export;
pub mod finance_lists;
pub mod monitoring;
pub mod orgs;
mod payment_facts;
pub mod payments;
pub mod performance_dashboard;
pub mod performance_monitoring;
pub mod performance_results;
pub mod performance_targets;
pub mod plans;
pub mod profiles;
pub mod project_excel;
pub mod projects;
pub mod review;
pub mod review_bodies;
pub mod review_flow;
pub mod review_gates;
pub mod review_queue;
pub mod simulation;
pub mod standards;
pub mod supervision;
pub mod transfer_lines;
pub mod users;
pub mod year_end;

pub use caller::Caller;
pub use error::{AppError, AppResult, UNAVAILABLE_RETRY_AFTER_SECS};
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
    /// The database.
    pub store: Store,
    /// Settings.
    pub settings: Settings,
    /// Monitoring rules by jurisdiction, kept while the catalogue's stamp is unchanged.
    rule_cache: payment_facts::RuleCache,
}

impl App {
    /// Connects, migrates and returns the application.
    pub async fn open(config: &StoreConfig, settings: Settings) -> AppResult<App> {
        let store = Store::connect(config).await?;
        store.migrate().await?;
        Ok(App {
            store,
            settings,
            rule_cache: payment_facts::RuleCache::default(),
        })
    }
}
