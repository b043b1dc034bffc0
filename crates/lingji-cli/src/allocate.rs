//! `lingji allocate`: a run (or, with `--base`, a scenario) of a budget year from the command
//! line, its summary printed and its result written as .xlsx or JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use lingji_app::allocation::{RunView, Scenario};
use lingji_app::{App, Scope};

use crate::config::Config;
use crate::{describe, fiscal_year, open_in};

// The variant's doc comment in main.rs is the command's help; a doc comment here would
// replace it.
#[derive(Args)]
pub struct AllocateArgs {
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
}

/// Runs and saves the allocation, prints its summary and, with `--out`, writes the result.
pub async fn run(args: AllocateArgs, config: Config) -> Result<ExitCode> {
    let year = fiscal_year(&args.year)?;
    let changes = scenario(args.scenario.as_deref())?;
    let (app, jurisdiction) = open_in(&config, args.region.as_deref()).await?;
    let run = app
        .allocation()
        .run_allocation(
            &Scope::system(jurisdiction),
            year.value(),
            &args.name,
            args.base,
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
    print!("{}", summary(&run, &counts));
    if let Some(out) = args.out {
        write(&app, jurisdiction, &run, &out).await?;
        println!("测算结果已写入 {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a scenario file (JSON: `resources`, `finance_ranks`, `parameters`).
pub fn scenario(file: Option<&Path>) -> Result<Scenario> {
    let Some(file) = file else {
        return Ok(Scenario::default());
    };
    let text = std::fs::read_to_string(file).with_context(|| format!("读取 {}", file.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} 不是有效的情景文件（JSON：resources 资金来源→元，finance_ranks 项目 id→名次，parameters 参数键→值）",
            file.display()
        )
    })
}

/// The run's summary: per fund book and per tier, then the counts by status.
pub fn summary(run: &RunView, counts: &[(&str, i64)]) -> String {
    let h = &run.header;
    let mut out = format!(
        "{} 年度测算方案第 {} 号（{}），共 {} 项\n",
        h.fiscal_year, h.number, h.name, h.items
    );
    for b in &run.book_totals {
        out.push_str(&format!(
            "{}：可用财力 {} 元，安排 {} 元，待分资金 {} 元，结余 {} 元\n",
            b.fund_book.label(),
            b.resources.to_yuan_display(),
            b.allocated.to_yuan_display(),
            b.reserve.to_yuan_display(),
            b.remaining.to_yuan_display()
        ));
        if let Some(s) = b.must_fund_shortfall {
            out.push_str(&format!(
                "  必保支出缺口 {} 万元，其他支出不予安排（ZB-3b）\n",
                s.to_wan_display()
            ));
        }
        if let Some(n) = &b.reserve_note {
            out.push_str(&format!("  {n}\n"));
        }
    }
    for t in &run.tier_totals {
        out.push_str(&format!(
            "  {}. {}：需求 {} 元，安排 {} 元，缺口 {} 元\n",
            t.number,
            t.tier.label(),
            t.demand.to_yuan_display(),
            t.allocated.to_yuan_display(),
            t.shortfall.to_yuan_display()
        ));
    }
    let counts: Vec<String> = counts.iter().map(|(l, n)| format!("{l} {n}")).collect();
    out.push_str(&counts.join("，"));
    out.push('\n');
    out
}

/// Writes the run's result to `out`: .xlsx (the same workbook as the page's export) or .json
/// (every item with its candidate and result).
pub async fn write(app: &App, jurisdiction: i64, run: &RunView, out: &Path) -> Result<()> {
    let id = run.header.id;
    let bytes = match out.extension().and_then(|e| e.to_str()) {
        Some("xlsx") => app
            .allocation()
            .export_allocation_run(&Scope::system(jurisdiction), id)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.refusal().message))?,
        Some("json") => {
            let (run, items) = app
                .allocation()
                .allocation_items(&Scope::system(jurisdiction), id)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.refusal().message))?;
            serde_json::to_vec_pretty(&serde_json::json!({ "run": run, "items": items }))?
        }
        _ => anyhow::bail!("输出文件须为 .xlsx 或 .json：{}", out.display()),
    };
    std::fs::write(out, bytes).with_context(|| format!("写入 {}", out.display()))
}
