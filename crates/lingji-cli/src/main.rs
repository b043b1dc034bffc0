//! `lingji`: the one binary. `serve`, `migrate`, `demo`, `user`, `codes`, `audit verify`.
//!
//! Configuration is layered: defaults, then `lingji.toml`, then `LINGJI_*` environment
//! variables, then command-line flags. Each command group lives in its own module; this file
//! parses the command line, opens the application and hands over.

mod allocate;
mod audit;
mod bench;
mod bench_payments;
mod config;
mod foundation;
mod projects;
mod serve;
mod simulate;
mod users;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use lingji_app::demo::DEMO_PASSWORD;
use lingji_app::{App, AppError};
use lingji_domain::foundation::codes::FiscalYear;

use crate::audit::AuditCommand;
use crate::bench::BenchCommand;
use crate::config::Config;
use crate::foundation::{CodesCommand, JurisdictionCommand, PolicyCommand};
use crate::projects::{ImportCommand, ProjectsCommand};
use crate::users::UserCommand;

#[derive(Parser)]
#[command(name = "lingji", version, about = "零基预算管理平台 lingji")]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct DbArgs {
    /// Database URL: sqlite:lingji.db (default) or postgres://user:pass@host/db.
    #[arg(long, global = true, env = "LINGJI_DATABASE_URL")]
    database_url: Option<String>,
    /// Read replica URL (PostgreSQL), for queries that only read.
    #[arg(long, global = true, env = "LINGJI_READ_DATABASE_URL")]
    read_database_url: Option<String>,
    /// The audit key file (created with mode 0600 when missing): keep it, and a copy, outside
    /// the database and its backups.
    #[arg(long, global = true, env = "LINGJI_AUDIT_KEY_FILE")]
    audit_key_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (migrates first).
    Serve(serve::ServeArgs),
    /// Apply database migrations.
    Migrate,
    /// Load the demo jurisdiction into an empty database.
    Demo {
        /// Multiply departments and units (for benchmarks).
        #[arg(long, default_value_t = 1)]
        scale: u32,
    },
    #[command(subcommand)]
    User(UserCommand),
    /// Manage classification code tables.
    #[command(subcommand)]
    Codes(CodesCommand),
    /// Audit log tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Jurisdictions (区划).
    #[command(subcommand)]
    Jurisdiction(JurisdictionCommand),
    /// The project library.
    #[command(subcommand)]
    Projects(ProjectsCommand),
    /// Import data files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Run the zero-based allocation of a budget year (ZB-3) and save it, numbered and audited;
    /// print the summary and, with --out, write the result as .xlsx or .json.
    Allocate(allocate::AllocateArgs),
    /// Benchmark helpers (docs/BENCHMARKS.md).
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Live a generated jurisdiction through consecutive fiscal years through the use cases,
    /// checking the invariants after every step; exits 1 naming the first that broke.
    Simulate(simulate::SimulateArgs),
    /// Take an online, consistent backup of a SQLite database while lingji keeps serving
    /// (PostgreSQL: use pg_dump or a base backup, see docs/OPERATIONS.md).
    Backup {
        /// The new backup file (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
}

/// mimalloc rather than glibc's malloc, also for SQLite's C code (feature `override`): glibc's
/// `malloc` and `free` were a fifth of a 100,000-project import's CPU, which mimalloc cut by
/// about 2 s (docs/BENCHMARKS.md, stop 32).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    if let Command::Simulate(args) = &mut cli.command {
        args.explicit_database = cli.db.database_url.is_some();
    }
    let config = match Config::load(
        cli.db.database_url.clone(),
        cli.db.read_database_url.clone(),
        cli.db.audit_key_file.clone(),
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("配置错误：{e:#}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LINGJI_LOG")
                .unwrap_or_else(|_| config.log.clone().into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Prints a use-case error the way people read it: message, code, field, clause, every row.
fn describe(e: &AppError) -> String {
    let r = e.refusal();
    let mut out = format!("{}（{}）", r.message, r.code);
    if let Some(f) = r.field {
        out.push_str(&format!(" 字段：{f}"));
    }
    if let Some(c) = r.clause {
        out.push_str(&format!(" 条款：{c}"));
    }
    if let AppError::Invalid { errors, .. } = e {
        for item in errors {
            out.push_str(&format!("\n  - {}（{}", item.message, item.code));
            if let Some(c) = item.clause {
                out.push_str(&format!("，{c}"));
            }
            out.push('）');
        }
    }
    out
}

async fn open(config: &Config) -> Result<App> {
    App::open(&config.store(), config.settings())
        .await
        // The operator at the command line sees what went wrong in opening (a missing audit
        // key file, an unreachable server), which a web user is not shown.
        .map_err(|e| match e {
            AppError::Internal(detail) => anyhow::anyhow!(detail),
            e => anyhow::anyhow!(describe(&e)),
        })
        .with_context(|| format!("打开数据库 {}", config.redacted_database_url()))
}

/// A budget year as typed on the command line.
fn fiscal_year(raw: &str) -> Result<FiscalYear> {
    FiscalYear::parse(raw).map_err(|r| anyhow::anyhow!("{}", r.message))
}

/// The application and the jurisdiction a command works in (`--region`, needed when the
/// database holds several).
async fn open_in(config: &Config, region: Option<&str>) -> Result<(App, i64)> {
    let app = open(config).await?;
    let jurisdiction = app
        .foundation()
        .find_jurisdiction(region)
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    Ok((app, jurisdiction))
}

/// Hands the command to its module.
async fn run(command: Command, config: Config) -> Result<ExitCode> {
    match command {
        Command::Serve(args) => serve::run(args, config).await,
        Command::Simulate(args) => simulate::run(config, args).await,
        Command::Migrate => migrate(&config).await,
        Command::Demo { scale } => demo(&config, scale).await,
        Command::User(command) => users::run(command, config).await,
        Command::Codes(command) => foundation::codes(command, config).await,
        Command::Jurisdiction(command) => foundation::jurisdiction(command, config).await,
        Command::Policy(command) => foundation::policy(command),
        Command::Projects(command) => projects::run(command, config).await,
        Command::Import(command) => projects::import(command, config).await,
        Command::Bench(command) => bench::run(command, config).await,
        Command::Allocate(args) => allocate::run(args, config).await,
        Command::Backup { to } => backup(&config, &to).await,
        Command::Audit(command) => audit::run(command, config).await,
    }
}

/// Opening the application migrates the database.
async fn migrate(config: &Config) -> Result<ExitCode> {
    open(config).await?;
    println!("数据库迁移已完成：{}", config.redacted_database_url());
    Ok(ExitCode::SUCCESS)
}

async fn demo(config: &Config, scale: u32) -> Result<ExitCode> {
    let app = open(config).await?;
    let id = app
        .demo()
        .load_demo(scale, true)
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    println!("已载入示范市（区划 id {id}，规模 ×{scale}）。示范账号密码：{DEMO_PASSWORD}");
    Ok(ExitCode::SUCCESS)
}

async fn backup(config: &Config, to: &std::path::Path) -> Result<ExitCode> {
    let app = open(config).await?;
    let started = std::time::Instant::now();
    app.store
        .backup_into(to)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let size = std::fs::metadata(to).map(|m| m.len()).unwrap_or_default();
    println!(
        "已备份到 {}（{size} 字节，用时 {:.1} 秒）",
        to.display(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "审计密钥文件不在备份中，请另行妥善保存：{}",
        app.store.audit_key_path().display()
    );
    Ok(ExitCode::SUCCESS)
}
