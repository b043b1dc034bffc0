//! `lingji projects` and `lingji import projects`: the project library from the command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use lingji_app::Scope;

use crate::config::Config;
use crate::{describe, fiscal_year, open_in};

#[derive(Subcommand)]
pub enum ImportCommand {
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
pub enum ProjectsCommand {
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

pub async fn run(command: ProjectsCommand, config: Config) -> Result<ExitCode> {
    match command {
        ProjectsCommand::Cleanup {
            year,
            region,
            retire,
        } => cleanup(&config, &year, region.as_deref(), retire).await,
        ProjectsCommand::Template { year, region, out } => {
            template(&config, &year, region.as_deref(), &out).await
        }
    }
}

pub async fn import(command: ImportCommand, config: Config) -> Result<ExitCode> {
    match command {
        ImportCommand::Projects { file, year, region } => {
            import_projects(&config, &file, &year, region.as_deref()).await
        }
    }
}

/// Lists the projects to clean out and, with `retire`, retires them all.
async fn cleanup(
    config: &Config,
    year: &str,
    region: Option<&str>,
    retire: bool,
) -> Result<ExitCode> {
    let year = fiscal_year(year)?;
    let (app, jurisdiction) = open_in(config, region).await?;
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

async fn template(
    config: &Config,
    year: &str,
    region: Option<&str>,
    out: &Path,
) -> Result<ExitCode> {
    let year = fiscal_year(year)?;
    let (app, jurisdiction) = open_in(config, region).await?;
    let bytes = app
        .library()
        .project_template(&Scope::system(jurisdiction), year)
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    std::fs::write(out, bytes).with_context(|| format!("写入 {}", out.display()))?;
    println!("已生成 {year} 年度项目导入模板：{}", out.display());
    Ok(ExitCode::SUCCESS)
}

async fn import_projects(
    config: &Config,
    file: &Path,
    year: &str,
    region: Option<&str>,
) -> Result<ExitCode> {
    let year = fiscal_year(year)?;
    let bytes = std::fs::read(file).with_context(|| format!("读取 {}", file.display()))?;
    let (app, jurisdiction) = open_in(config, region).await?;
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
