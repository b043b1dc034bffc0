//! `lingji user`: add a user, and issue, list and revoke a user's API tokens.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use lingji_app::Caller;
use lingji_app::foundation::users::NewUser;

use crate::config::Config;
use crate::{describe, open};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user. The password comes from LINGJI_USER_PASSWORD or the first line of stdin.
    Add {
        name: String,
        /// Role: unit_operator, department_reviewer, finance_officer, joint_reviewer, auditor,
        /// administrator.
        #[arg(long)]
        role: String,
        /// Organisation code (e.g. 101001), 区划代码/代码 when several jurisdictions hold it (329701/101001), or id.
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

pub async fn run(command: UserCommand, config: Config) -> Result<ExitCode> {
    match command {
        UserCommand::Add {
            name,
            role,
            org,
            display_name,
        } => {
            let user = NewUser {
                username: name,
                display_name,
                role,
                org,
                password: read_password()?,
            };
            add(&config, user).await
        }
        UserCommand::Token { name, label, days } => token(&config, &name, &label, days).await,
        UserCommand::Tokens { name } => tokens(&config, &name).await,
        UserCommand::RevokeToken { id } => revoke_token(&config, id).await,
    }
}

/// The new user's password from LINGJI_USER_PASSWORD, else the first line of stdin.
fn read_password() -> Result<String> {
    Ok(match std::env::var("LINGJI_USER_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("请输入新用户的密码（一行）：");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    })
}

async fn add(config: &Config, user: NewUser) -> Result<ExitCode> {
    let app = open(config).await?;
    let user = app
        .accounts()
        .add_user(&Caller::System, user)
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

async fn token(config: &Config, name: &str, label: &str, days: Option<i64>) -> Result<ExitCode> {
    let app = open(config).await?;
    let issued = app
        .accounts()
        .issue_token(name, label, days)
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    // The token alone on stdout, for `$(lingji user token …)`; the rest to stderr.
    println!("{}", issued.token);
    eprintln!("令牌 {} 有效期至 {}", issued.id, issued.expires_at);
    Ok(ExitCode::SUCCESS)
}

async fn tokens(config: &Config, name: &str) -> Result<ExitCode> {
    let app = open(config).await?;
    let tokens = app
        .accounts()
        .tokens_by_name(name)
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

async fn revoke_token(config: &Config, id: i64) -> Result<ExitCode> {
    let app = open(config).await?;
    let t = app
        .accounts()
        .revoke_token(&Caller::System, id)
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    println!("已撤销 {} 的令牌 {}（{}）", t.username, t.id, t.name);
    Ok(ExitCode::SUCCESS)
}
