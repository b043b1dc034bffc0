//! `lingji serve`: the web server, with the demo jurisdiction on request.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use lingji_app::App;
use lingji_app::demo::{DEMO_PASSWORD, DEMO_USERS};

use crate::config::Config;
use crate::{describe, open};

// The variant's doc comment in main.rs is the command's help; a doc comment here would
// replace it.
#[derive(Args)]
pub struct ServeArgs {
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
}

pub async fn run(args: ServeArgs, mut config: Config) -> Result<ExitCode> {
    if args.metrics_listen.is_some() {
        config.metrics_listen = args.metrics_listen;
    }
    config.secure_cookies |= args.secure_cookies;
    let app = open(&config).await?;
    if args.demo {
        load_demo_if_empty(&app).await?;
    }
    let listen = args.listen.unwrap_or(config.listen);
    let web = config.web(args.demo)?;
    print_banner(&config, listen, args.demo);
    spawn_janitor(&app);
    spawn_gatherer(&app);
    lingji_web::serve(app, web, listen)
        .await
        .context("服务器运行失败")?;
    Ok(ExitCode::SUCCESS)
}

async fn load_demo_if_empty(app: &App) -> Result<()> {
    if app
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
    Ok(())
}

/// Where the server listens, its database and, with the demo, the demo logins.
fn print_banner(config: &Config, listen: SocketAddr, demo: bool) {
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
}

/// The province dashboard's figures are gathered upward daily: every hour, those computed
/// before today (Beijing) are computed again (issue 21). Every server may do it; a second
/// finds them fresh.
fn spawn_gatherer(app: &App) {
    let gatherer = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match gatherer.year_end().refresh_province_figures(false).await {
                Ok(n) if n > 0 => tracing::info!(computed = n, "province figures gathered"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "province figures not gathered"),
            }
        }
    });
}

/// Expired sessions and old login attempts go hourly; every server may do it.
fn spawn_janitor(app: &App) {
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
}
