//! `lingji`: the one binary. `serve`, `migrate`, `demo`, `user`, `codes`, `audit verify`.
//!
//! Configuration is layered: defaults, then `lingji.toml`, then `LINGJI_*` environment
//! variables, then command-line flags.

mod allocate;
mod bench;
mod bench_payments;
mod config;
mod simulate;

use lingji_app::Scope;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use lingji_app::demo::{DEMO_PASSWORD, DEMO_USERS};
use lingji_app::foundation::codes::CodeKind;
use lingji_app::foundation::users::NewUser;
use lingji_app::{App, AppError, Caller};
use lingji_domain::foundation::codes::FiscalYear;

use crate::config::Config;

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
    Serve {
        /// Address to listen on.
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Load the demo jurisdiction 示范市 if the database is empty, and list demo logins.
        #[arg(long)]
        demo: bool,
        /// Serve /metrics on this address only (not on the main listener).
        #[arg(long)]
        metrics_listen: Option<SocketAddr>,
        /// Mark session cookies Secure and send Strict-Transport-Security (TLS terminates in
        /// front of lingji). Same as `secure_cookies = true` in lingji.toml.
        #[arg(long)]
        secure_cookies: bool,
    },
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
    Allocate {
        #[arg(long)]
        year: String,
        /// 区划 code of the jurisdiction (needed when the database holds several).
        #[arg(long)]
        region: Option<String>,
        /// Name of the run.
        #[arg(long, default_value = "命令行测算")]
        name: String,
        /// A saved run to make a scenario of (its inputs, with the scenario's changes).
        #[arg(long)]
        base: Option<i64>,
        /// Scenario file (JSON: resources, finance_ranks, parameters).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Result file, .xlsx or .json.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
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

#[derive(Subcommand)]
enum BenchCommand {
    /// Time the allocation run (ZB-3) over generated projects against sorting them alone.
    Allocation {
        /// Numbers of projects, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
        projects: Vec<usize>,
        /// Rounds per size; the best is kept.
        #[arg(long, default_value_t = 3)]
        rounds: u32,
    },
    /// Screen generated payments against a catalogue of N rules (ZX-4b), compiled once, beside
    /// evaluating every expression from its text.
    Rules {
        /// Catalogue size (the source reports 206 rules).
        #[arg(long, default_value_t = 206)]
        rules: usize,
        /// Payments to screen.
        #[arg(long, default_value_t = 100_000)]
        payments: u64,
    },
    /// File payment requests through the use case on the configured database (a fresh line of
    /// the demo unit 101001), N at a time; prints payments per second.
    Payments {
        /// Requests in all.
        #[arg(long, default_value_t = 5_000)]
        requests: u32,
        /// Requests at a time.
        #[arg(long, default_value_t = 16)]
        concurrency: u32,
        /// 区划 code of the jurisdiction (needed when the database holds several).
        #[arg(long)]
        region: Option<String>,
    },
    /// Append N generated audit events (keyed, in transactions of 10,000) to the configured
    /// database, then time verifying the whole chain, for `lingji audit verify` at scale.
    Audit {
        /// Events to append.
        #[arg(long, default_value_t = 1_000_000)]
        events: u32,
    },
    /// Write a project workbook of N projects (each with a cost line and an indicator) over
    /// every unit of the jurisdiction, for `lingji import projects`.
    Workbook {
        /// Number of projects.
        #[arg(long, default_value_t = 100_000)]
        projects: u32,
        #[arg(long)]
        year: String,
        /// 区划 code of the jurisdiction (needed when the database holds several).
        #[arg(long)]
        region: Option<String>,
        #[arg(long, short, default_value = "bench-projects.xlsx")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import projects with cost lines, targets and year plans from an .xlsx file in the
    /// template's layout (`lingji projects template`), all or nothing.
    Projects {
        /// The .xlsx file.
        file: PathBuf,
        /// Budget year of the projects.
        #[arg(long)]
        year: String,
        /// 区划 code of the jurisdiction (needed when the database holds several).
        #[arg(long)]
        region: Option<String>,
    },
}

#[derive(Subcommand)]
enum ProjectsCommand {
    /// List projects to clean out of the library (ZB-15c unfunded for the profile's years,
    /// ZB-5d policy expired); with --retire, retire them all.
    Cleanup {
        /// Budget year being prepared.
        #[arg(long)]
        year: String,
        /// 区划 code of the jurisdiction (needed when the database holds several).
        #[arg(long)]
        region: Option<String>,
        /// Retire every listed project.
        #[arg(long)]
        retire: bool,
    },
    /// Write the .xlsx import template of a budget year (drop-down lists for every unit, code,
    /// standard and class).
    Template {
        #[arg(long)]
        year: String,
        /// 区划 code of the jurisdiction (needed when the database holds several).
        #[arg(long)]
        region: Option<String>,
        #[arg(long, short, default_value = "项目导入模板.xlsx")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum JurisdictionCommand {
    /// Add a jurisdiction with its current fiscal year, its policy profile started from a
    /// preset.
    Add {
        /// 6-digit 区划 code.
        region: String,
        /// Name, e.g. 连云港市.
        name: String,
        /// Preset: lianyungang_city, zixing, cs_city, zibo_district.
        #[arg(long)]
        preset: String,
        /// Current fiscal year.
        #[arg(long)]
        year: String,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Print every parameter with its clause and each shipped preset's value (Markdown).
    Presets,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. The password comes from LINGJI_USER_PASSWORD or the first line of stdin.
    Add {
        name: String,
        /// Role: unit_operator, department_reviewer, finance_officer, joint_reviewer, auditor,
        /// administrator.
        #[arg(long)]
        role: String,
        /// Organisation code (e.g. 101001) or id.
        #[arg(long)]
        org: String,
        /// Name shown in the UI.
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Print a new API bearer token for scripts; it expires after `--days` (default 90).
    Token {
        name: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        label: String,
        /// Days until it expires (1–3650).
        #[arg(long)]
        days: Option<i64>,
    },
    /// List a user's API tokens: id, label, issued, expires, state.
    Tokens { name: String },
    /// Revoke an API token by its id (as `tokens` lists it).
    RevokeToken { id: i64 },
}

#[derive(Subcommand)]
enum CodesCommand {
    /// Import the official table of a year from .csv or .xlsx; nothing is imported if any row
    /// is wrong.
    Import {
        /// function or economic.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        year: String,
        /// Source note (document and year); defaults to the file name.
        #[arg(long, default_value = "")]
        source: String,
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the keyed hash chain, every payment against its audit events and ledger entries,
    /// and every line's balance against its entries; exit code 1 names what is damaged.
    Verify {
        /// An anchor printed earlier by `lingji audit anchor` (`LINK:HASH`): the main chain
        /// must still reach it with the same hash, and through the seals before it every line
        /// chain where it stood (catches a truncated tail).
        #[arg(long)]
        anchor: Option<String>,
    },
    /// Seal the budget lines' chains into the main chain, then print its head as `LINK:HASH`,
    /// to keep outside the database for `verify --anchor`.
    Anchor,
}

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

/// A progress bar on standard error: redrawn in place on a terminal, a line every tenth
/// otherwise (logs of scripted imports).
struct ProgressBar {
    terminal: bool,
    shown: std::sync::atomic::AtomicUsize,
}

impl ProgressBar {
    fn new() -> ProgressBar {
        use std::io::IsTerminal;
        ProgressBar {
            terminal: std::io::stderr().is_terminal(),
            shown: std::sync::atomic::AtomicUsize::new(usize::MAX),
        }
    }

    fn show(&self, done: usize, total: usize) {
        use std::sync::atomic::Ordering;
        let percent = (done * 100).checked_div(total).unwrap_or(100);
        let step = if self.terminal {
            percent
        } else {
            percent / 10 * 10
        };
        if self.shown.swap(step, Ordering::Relaxed) == step {
            return;
        }
        let filled = percent / 4;
        let bar = format!(
            "导入 [{}{}] {percent:>3}% {done}/{total}",
            "#".repeat(filled),
            "-".repeat(25 - filled)
        );
        if self.terminal {
            eprint!("\r{bar}");
        } else {
            eprintln!("{bar}");
        }
    }

    fn finish(&self) {
        if self.terminal && self.shown.load(std::sync::atomic::Ordering::Relaxed) != usize::MAX {
            eprintln!();
        }
    }
}

/// The presets side by side, one row per parameter, for docs/POLICY-PROFILES.md.
fn presets_markdown() -> String {
    use lingji_domain::foundation::policy::{Preset, preset};
    let profiles: Vec<_> = Preset::ALL
        .iter()
        .map(|p| preset(*p).parameters())
        .collect();
    let mut out = String::from("| 参数 | key | 条款 |");
    for p in Preset::ALL {
        out.push_str(&format!(" {} |", p.as_str()));
    }
    out.push_str("\n|---|---|---|");
    out.push_str(&"---|".repeat(Preset::ALL.len()));
    out.push('\n');
    for (i, param) in profiles[0].iter().enumerate() {
        out.push_str(&format!(
            "| {} | `{}` | {} |",
            param.label, param.key, param.clause
        ));
        for profile in &profiles {
            out.push_str(&format!(" {} |", profile[i].value));
        }
        out.push('\n');
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

/// An anchor as `lingji audit anchor` prints it: `LINK:HASH` (a position on the main chain).
fn parse_anchor(raw: &str) -> Result<(i64, String)> {
    let bad = || {
        anyhow::anyhow!(
            "锚点格式应为 位置:哈希（lingji audit anchor 的输出），收到：{raw}（AUDIT_ANCHOR_INVALID）"
        )
    };
    let (seq, hash) = raw.trim().split_once(':').ok_or_else(bad)?;
    let seq: i64 = seq.parse().map_err(|_| bad())?;
    if seq < 0 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    Ok((seq, hash.to_ascii_lowercase()))
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

async fn run(command: Command, config: Config) -> Result<ExitCode> {
    match command {
        Command::Serve {
            listen,
            demo,
            metrics_listen,
            secure_cookies,
        } => {
            let mut config = config;
            if metrics_listen.is_some() {
                config.metrics_listen = metrics_listen;
            }
            config.secure_cookies |= secure_cookies;
            let app = open(&config).await?;
            if demo
                && app
                    .demo()
                    .is_empty()
                    .await
                    .map_err(|e| anyhow::anyhow!(describe(&e)))?
            {
                eprintln!("数据库为空，正在载入示范市数据……");
                app.demo()
                    .load_demo(1, true)
                    .await
                    .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            }
            let listen = listen.unwrap_or(config.listen);
            let web = config.web(demo)?;
            println!("lingji 零基预算管理平台已启动：http://{listen}/");
            if let Some(m) = config.metrics_listen {
                println!("指标：http://{m}/metrics");
            }
            println!("数据库：{}", config.redacted_database_url());
            if demo {
                println!("示范账号（密码均为 {DEMO_PASSWORD}）：");
                for (user, role, _, name) in DEMO_USERS {
                    let label = lingji_domain::foundation::authz::Role::parse(role)
                        .map(|r| r.label())
                        .unwrap_or(role);
                    println!("  {user:<10} {label}　{name}");
                }
            }
            // Expired sessions and old login attempts go hourly; every server may do it.
            let janitor = app.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
                loop {
                    tick.tick().await;
                    if let Err(e) = janitor.accounts().purge_sessions().await {
                        tracing::warn!(error = %e, "session purge failed");
                    }
                }
            });
            lingji_web::serve(app, web, listen)
                .await
                .context("服务器运行失败")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Simulate(args) => simulate::run(config, args).await,
        Command::Migrate => {
            open(&config).await?;
            println!("数据库迁移已完成：{}", config.redacted_database_url());
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { scale } => {
            let app = open(&config).await?;
            let id = app
                .demo()
                .load_demo(scale, true)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            println!("已载入示范市（区划 id {id}，规模 ×{scale}）。示范账号密码：{DEMO_PASSWORD}");
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Add {
            name,
            role,
            org,
            display_name,
        }) => {
            let password = match std::env::var("LINGJI_USER_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!("请输入新用户的密码（一行）：");
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let app = open(&config).await?;
            let user = app
                .accounts()
                .add_user(
                    &Caller::System,
                    NewUser {
                        username: name,
                        display_name,
                        role,
                        org,
                        password,
                    },
                )
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            println!(
                "已创建用户 {}（{}，{}）",
                user.username,
                user.role.label(),
                user.org_name
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Token { name, label, days }) => {
            let app = open(&config).await?;
            let issued = app
                .accounts()
                .issue_token(&name, &label, days)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            // The token alone on stdout, for `$(lingji user token …)`; the rest to stderr.
            println!("{}", issued.token);
            eprintln!("令牌 {} 有效期至 {}", issued.id, issued.expires_at);
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Tokens { name }) => {
            let app = open(&config).await?;
            let tokens = app
                .accounts()
                .tokens_by_name(&name)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            println!("编号\t用途\t签发时间\t到期时间\t状态");
            let now = lingji_app::store::time::now_text();
            for t in tokens {
                let expires = t.expires_at.as_deref().unwrap_or("");
                let state = match &t.revoked_at {
                    Some(at) => format!("已撤销 {at}"),
                    None if expires <= now.as_str() => "已过期".to_string(),
                    None => "有效".to_string(),
                };
                println!("{}\t{}\t{}\t{expires}\t{state}", t.id, t.name, t.created_at);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::RevokeToken { id }) => {
            let app = open(&config).await?;
            let t = app
                .accounts()
                .revoke_token(&Caller::System, id)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            println!("已撤销 {} 的令牌 {}（{}）", t.username, t.id, t.name);
            Ok(ExitCode::SUCCESS)
        }
        Command::Codes(CodesCommand::Import {
            kind,
            year,
            source,
            file,
        }) => {
            let kind = CodeKind::parse(&kind).map_err(|r| anyhow::anyhow!("{}", r.message))?;
            let year = fiscal_year(&year)?;
            let bytes = std::fs::read(&file).with_context(|| format!("读取 {}", file.display()))?;
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("upload")
                .to_string();
            let app = open(&config).await?;
            match app
                .foundation()
                .import_codes(&Caller::System, kind, year, &name, &bytes, &source)
                .await
            {
                Ok(rows) => {
                    println!(
                        "已导入 {year} 年度{}科目 {rows} 条",
                        if kind == CodeKind::Function {
                            "功能分类"
                        } else {
                            "经济分类"
                        }
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => bail!(describe(&e)),
            }
        }
        Command::Jurisdiction(JurisdictionCommand::Add {
            region,
            name,
            preset,
            year,
        }) => {
            let preset = lingji_domain::foundation::policy::Preset::parse(&preset)
                .map_err(|r| anyhow::anyhow!("{}", r.message))?;
            let year = fiscal_year(&year)?;
            let app = open(&config).await?;
            let j = app
                .foundation()
                .create_jurisdiction(&Caller::System, &region, &name, &[])
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            app.foundation()
                .start_year(
                    &Scope::system(j.id),
                    year,
                    lingji_app::foundation::profiles::YearSource::Preset(preset),
                    true,
                )
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            println!(
                "已创建区划 {name}（{region}，id {}），{year} 年度采用预设：{}",
                j.id,
                preset.label()
            );
            println!("下一步：lingji user add admin2 --role administrator --org {region}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Projects(ProjectsCommand::Cleanup {
            year,
            region,
            retire,
        }) => {
            let year = fiscal_year(&year)?;
            let (app, jurisdiction) = open_in(&config, region.as_deref()).await?;
            let list = app
                .library()
                .cleanup_candidates(&Scope::system(jurisdiction), year)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            for c in &list {
                println!(
                    "{}\t{}\t{}\t{}",
                    c.project.header.code,
                    c.project.header.name,
                    c.project.header.state.label(),
                    c.reasons.join("；")
                );
            }
            println!("共 {} 个项目需清理", list.len());
            if retire && !list.is_empty() {
                let ids: Vec<i64> = list.iter().map(|c| c.project.id).collect();
                let n = app
                    .library()
                    .retire_candidates(
                        &Scope::system(jurisdiction),
                        year,
                        &ids,
                        "lingji projects cleanup --retire",
                    )
                    .await
                    .map_err(|e| anyhow::anyhow!(describe(&e)))?;
                println!("已退出 {n} 个项目");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Projects(ProjectsCommand::Template { year, region, out }) => {
            let year = fiscal_year(&year)?;
            let (app, jurisdiction) = open_in(&config, region.as_deref()).await?;
            let bytes = app
                .library()
                .project_template(&Scope::system(jurisdiction), year)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            std::fs::write(&out, bytes).with_context(|| format!("写入 {}", out.display()))?;
            println!("已生成 {year} 年度项目导入模板：{}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(ImportCommand::Projects { file, year, region }) => {
            let year = fiscal_year(&year)?;
            let bytes = std::fs::read(&file).with_context(|| format!("读取 {}", file.display()))?;
            let (app, jurisdiction) = open_in(&config, region.as_deref()).await?;
            let bar = ProgressBar::new();
            let started = std::time::Instant::now();
            let result = app
                .library()
                .import_projects(
                    &Scope::system(jurisdiction),
                    year,
                    &bytes,
                    &|done, total| bar.show(done, total),
                )
                .await;
            bar.finish();
            match result {
                Ok(r) => {
                    println!(
                        "已导入 {year} 年度项目 {} 个（测算明细 {} 条，绩效指标 {} 个，分年度计划 {} 条），申请合计 {} 元，用时 {:.1} 秒",
                        r.projects,
                        r.cost_lines,
                        r.indicators,
                        r.year_plans,
                        r.request_total,
                        started.elapsed().as_secs_f64()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => bail!(describe(&e)),
            }
        }
        Command::Bench(BenchCommand::Allocation { projects, rounds }) => {
            bench::allocation(&projects, rounds);
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Rules { rules, payments }) => {
            bench_payments::rules(rules, payments)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Payments {
            requests,
            concurrency,
            region,
        }) => {
            let (app, jurisdiction) = open_in(&config, region.as_deref()).await?;
            bench_payments::payments(&app, jurisdiction, requests, concurrency.max(1)).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Audit { events }) => {
            let app = open(&config).await?;
            bench::audit_events(&app, events).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Workbook {
            projects,
            year,
            region,
            out,
        }) => {
            let year = fiscal_year(&year)?;
            let (app, jurisdiction) = open_in(&config, region.as_deref()).await?;
            bench::workbook(&app, jurisdiction, year.value(), projects, &out).await?;
            println!("已生成 {projects} 个项目的测试工作簿：{}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Allocate {
            year,
            region,
            name,
            base,
            scenario,
            out,
        } => {
            let year = fiscal_year(&year)?;
            let changes = allocate::scenario(scenario.as_deref())?;
            let (app, jurisdiction) = open_in(&config, region.as_deref()).await?;
            let run = app
                .allocation()
                .run_allocation(
                    &Scope::system(jurisdiction),
                    year.value(),
                    &name,
                    base,
                    changes,
                )
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            let counts = app
                .allocation()
                .allocation_status_counts(&Scope::system(jurisdiction), run.header.id)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            let counts: Vec<(&str, i64)> = counts
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(s, n)| (s.label(), *n))
                .collect();
            print!("{}", allocate::summary(&run, &counts));
            if let Some(out) = out {
                allocate::write(&app, jurisdiction, &run, &out).await?;
                println!("测算结果已写入 {}", out.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Policy(PolicyCommand::Presets) => {
            print!("{}", presets_markdown());
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { to } => {
            let app = open(&config).await?;
            let started = std::time::Instant::now();
            app.store
                .backup_into(&to)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let size = std::fs::metadata(&to).map(|m| m.len()).unwrap_or_default();
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
        Command::Audit(AuditCommand::Anchor) => {
            let app = open(&config).await?;
            let (seq, hash) = app
                .foundation()
                .audit_anchor()
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            println!("{seq}:{hash}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify { anchor }) => {
            let anchor = match anchor.as_deref().map(parse_anchor).transpose() {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("{e}");
                    return Ok(ExitCode::from(2));
                }
            };
            let app = open(&config).await?;
            let report = app
                .foundation()
                .verify_audit(anchor.as_ref().map(|(s, h)| (*s, h.as_str())))
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            match &report.chain {
                Ok(count) => println!(
                    "审计链完整：共 {count} 条事件，逐条验证通过（密钥签名自第 {} 号起）",
                    report.keyed_from.unwrap_or_default()
                ),
                Err(brk) => println!(
                    "审计链被破坏：第 {} 号事件起不可信。{}",
                    brk.seq, brk.reason
                ),
            }
            match &report.anchor {
                Some(Ok(())) => println!("锚点相符：审计链仍到达保存的锚点"),
                Some(Err(why)) => println!("锚点不符：{why}"),
                None => {}
            }
            match &report.payments {
                Ok(n) => println!("支付申请相符：共 {n} 笔，均与审计事件和指标账分录一致"),
                Err(damage) => {
                    println!("支付申请不符：");
                    for d in damage {
                        println!("  - {d}");
                    }
                }
            }
            let chain = report.is_intact();
            let ledger = match app
                .foundation()
                .verify_ledger()
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?
            {
                Ok(lines) => {
                    println!("指标账相符：共 {lines} 条指标，余额均等于分录合计");
                    true
                }
                Err((line, why)) => {
                    println!("指标账不符：指标 #{line}，{why}");
                    false
                }
            };
            Ok(if chain && ledger {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
