//! `lingji codes`, `lingji jurisdiction` and `lingji policy`: the foundation a jurisdiction
//! works on — classification codes, the jurisdiction and its year, the policy presets.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use lingji_app::Caller;
use lingji_app::Scope;
use lingji_app::foundation::codes::CodeKind;
use lingji_domain::foundation::policy::Preset;

use crate::config::Config;
use crate::{describe, fiscal_year, open};

#[derive(Subcommand)]
pub enum CodesCommand {
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
pub enum JurisdictionCommand {
    /// Add a jurisdiction with its current fiscal year, its policy profile started from a
    /// preset or, under an upper jurisdiction, from the upper's profile of that year.
    Add {
        /// 6-digit 区划 code.
        region: String,
        /// Name, e.g. 连云港市.
        name: String,
        /// The upper jurisdiction's 区划 code (a city's province, a county's city or province):
        /// it reads this one and its rules apply here (ZX-4b).
        #[arg(long)]
        parent: Option<String>,
        /// Preset: lianyungang_city, zixing, cs_city, zibo_district. Without one, a jurisdiction
        /// under a parent starts from the parent's profile of the year.
        #[arg(long)]
        preset: Option<String>,
        /// Current fiscal year; under a parent, the parent's current year by default.
        #[arg(long)]
        year: Option<String>,
    },
    /// Gather every jurisdiction's figures for the province dashboard now (the server does it
    /// daily): this year's, and every year since last year already gathered.
    Gather {
        /// Only those gathered before today (Beijing), as the server's hourly check does.
        #[arg(long)]
        stale_only: bool,
    },
}

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Print every parameter with its clause and each shipped preset's value (Markdown).
    Presets,
}

pub async fn codes(command: CodesCommand, config: Config) -> Result<ExitCode> {
    match command {
        CodesCommand::Import {
            kind,
            year,
            source,
            file,
        } => import_codes(&config, &kind, &year, &source, &file).await,
    }
}

pub async fn jurisdiction(command: JurisdictionCommand, config: Config) -> Result<ExitCode> {
    match command {
        JurisdictionCommand::Add {
            region,
            name,
            parent,
            preset,
            year,
        } => {
            add_jurisdiction(
                &config,
                &region,
                &name,
                parent.as_deref(),
                preset.as_deref(),
                year.as_deref(),
            )
            .await
        }
        JurisdictionCommand::Gather { stale_only } => {
            let app = open(&config).await?;
            let started = std::time::Instant::now();
            let n = app
                .year_end()
                .refresh_province_figures(!stale_only)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            println!(
                "已汇集 {n} 个区划年度的指标（{:.2} 秒）",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn policy(command: PolicyCommand) -> Result<ExitCode> {
    match command {
        PolicyCommand::Presets => {
            print!("{}", presets_markdown());
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn import_codes(
    config: &Config,
    kind: &str,
    year: &str,
    source: &str,
    file: &Path,
) -> Result<ExitCode> {
    let kind = CodeKind::parse(kind).map_err(|r| anyhow::anyhow!("{}", r.message))?;
    let year = fiscal_year(year)?;
    let bytes = std::fs::read(file).with_context(|| format!("读取 {}", file.display()))?;
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("upload")
        .to_string();
    let app = open(config).await?;
    match app
        .foundation()
        .import_codes(&Caller::System, kind, year, &name, &bytes, source)
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

/// Creates the jurisdiction, places it under its parent, then starts its year from the preset
/// or from the parent's profile.
async fn add_jurisdiction(
    config: &Config,
    region: &str,
    name: &str,
    parent: Option<&str>,
    preset: Option<&str>,
    year: Option<&str>,
) -> Result<ExitCode> {
    let preset = preset
        .map(Preset::parse)
        .transpose()
        .map_err(|r| anyhow::anyhow!("{}", r.message))?;
    let app = open(config).await?;
    let upper = match parent {
        Some(code) => Some(
            app.foundation()
                .find_jurisdiction(Some(code.trim()))
                .await
                .map_err(|_| anyhow::anyhow!("上级区划 {code} 不存在"))?,
        ),
        None => None,
    };
    let year = match (year, upper) {
        (Some(y), _) => fiscal_year(y)?,
        (None, Some(up)) => fiscal_year(
            &app.foundation()
                .current_year(up)
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?
                .to_string(),
        )?,
        (None, None) => bail!("请用 --year 指定当前财政年度"),
    };
    let source = match (preset, upper) {
        (Some(p), _) => lingji_app::foundation::profiles::YearSource::Preset(p),
        (None, Some(up)) => lingji_app::foundation::profiles::YearSource::FromUpper(up),
        (None, None) => bail!("请用 --preset 指定政策参数预设，或用 --parent 沿用上级区划的参数"),
    };
    let j = app
        .foundation()
        .create_jurisdiction(&Caller::System, region, name, &[], parent)
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    let profile = app
        .foundation()
        .start_year(&Scope::system(j.id), year, source, true)
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    let under = parent.map(|p| format!("，隶属 {p}")).unwrap_or_default();
    println!(
        "已创建区划 {name}（{region}，id {}{under}），{year} 年度政策参数：{}",
        j.id, profile.note
    );
    println!("下一步：lingji user add admin2 --role administrator --org {region}");
    Ok(ExitCode::SUCCESS)
}

/// The presets side by side, one row per parameter, for docs/POLICY-PROFILES.md.
fn presets_markdown() -> String {
    use lingji_domain::foundation::policy::preset;
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
