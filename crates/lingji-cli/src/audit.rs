//! `lingji audit`: verify the audit chain, the payments and the ledger; print an anchor.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use lingji_app::store::foundation::audit::VerifyReport;

use crate::config::Config;
use crate::{describe, open};

#[derive(Subcommand)]
pub enum AuditCommand {
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

pub async fn run(command: AuditCommand, config: Config) -> Result<ExitCode> {
    match command {
        AuditCommand::Anchor => anchor(&config).await,
        AuditCommand::Verify { anchor } => verify(&config, anchor.as_deref()).await,
    }
}

async fn anchor(config: &Config) -> Result<ExitCode> {
    let app = open(config).await?;
    let (seq, hash) = app
        .foundation()
        .audit_anchor()
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    println!("{seq}:{hash}");
    Ok(ExitCode::SUCCESS)
}

/// Exit code 2 for a malformed anchor, 1 when the chain, the payments or the ledger is
/// damaged.
async fn verify(config: &Config, anchor: Option<&str>) -> Result<ExitCode> {
    let anchor = match anchor.map(parse_anchor).transpose() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(2));
        }
    };
    let app = open(config).await?;
    let report = app
        .foundation()
        .verify_audit(anchor.as_ref().map(|(s, h)| (*s, h.as_str())))
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    print_report(&report);
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

/// The chain, the anchor and the payments, one verdict a line.
fn print_report(report: &VerifyReport) {
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
