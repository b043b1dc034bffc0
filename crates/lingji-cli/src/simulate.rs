//! `lingji simulate`: lives a generated jurisdiction through consecutive fiscal years through
//! the use cases, checking the invariants after every step (issue 18). Prints one line per
//! step and a summary; exits 1 when an invariant broke, naming it with its step, year and seed.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use lingji_app::simulation::{Options, invariants::INVARIANTS};
use lingji_domain::foundation::policy::Preset;

use crate::config::Config;

/// The command's arguments.
#[derive(Args)]
pub struct SimulateArgs {
    /// Policy preset: lianyungang_city, zixing, cs_city or zibo_district.
    #[arg(long, default_value = "lianyungang_city")]
    preset: String,
    /// Fiscal years to live.
    #[arg(long, default_value_t = 2)]
    years: u32,
    /// Seed of the generator: the same seed lives the same history.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Multiplies departments, units and projects.
    #[arg(long, default_value_t = 1)]
    scale: u32,
    /// The first fiscal year.
    #[arg(long, default_value_t = 2026)]
    first_year: i32,
    /// A province (模拟省) with N jurisdictions below it — 模拟市 and N−1 counties, 1–6 —
    /// living side by side, the province dividing a transfer fund among them every year by
    /// population and performance score; 0: 模拟市 alone.
    #[arg(long, default_value_t = 0)]
    province: u32,
    /// Report breaks of this invariant and go on (a known seam being fixed); repeatable.
    #[arg(long)]
    tolerate: Vec<String>,
    /// Set by `main` when --database-url (or LINGJI_DATABASE_URL) was given; otherwise the run
    /// uses a fresh SQLite database in a temporary directory, never the configured one.
    #[arg(skip)]
    pub explicit_database: bool,
}

/// A temporary directory removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the simulation.
pub async fn run(mut config: Config, args: SimulateArgs) -> Result<ExitCode> {
    let preset =
        Preset::parse(&args.preset).map_err(|r| anyhow::anyhow!("{}（{}）", r.message, r.code))?;
    if let Some(unknown) = args
        .tolerate
        .iter()
        .find(|t| !INVARIANTS.iter().any(|(n, _)| n == t))
    {
        anyhow::bail!("没有名为 {unknown} 的不变量");
    }
    let _scratch = if args.explicit_database {
        None
    } else {
        let dir = std::env::temp_dir().join(format!(
            "lingji-simulate-{}-{}",
            std::process::id(),
            args.seed
        ));
        std::fs::create_dir_all(&dir).with_context(|| format!("创建 {}", dir.display()))?;
        config.database_url = format!("sqlite:{}", dir.join("simulate.db").display());
        config.read_database_url = None;
        config.audit_key_file = Some(dir.join("audit.key"));
        Some(Scratch(dir))
    };
    let app = crate::open(&config).await?;
    let opts = Options {
        scale: args.scale,
        first_year: args.first_year,
        tolerate: args.tolerate.clone(),
        lowers: args.province,
        ..Options::new(preset, args.years, args.seed)
    };
    let province = if args.province == 0 {
        String::new()
    } else {
        format!("模拟省下辖 {} 个区划，", args.province)
    };
    println!(
        "模拟：{province}预设 {}，{} 年（自 {} 年起），种子 {}，规模 ×{}，数据库 {}",
        preset.label(),
        args.years,
        args.first_year,
        args.seed,
        args.scale,
        config.redacted_database_url()
    );
    let started = std::time::Instant::now();
    let report = app
        .simulate(&opts, &mut |line| println!("{line}"))
        .await
        .map_err(|e| anyhow::anyhow!(crate::describe(&e)))?;
    for t in &report.tolerated {
        println!("已容忍：{t}");
    }
    let totals: Vec<String> = report
        .totals
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    println!(
        "合计：{} 个步骤，{}；用时 {:.1} 秒",
        report.steps.len(),
        totals.join(" "),
        started.elapsed().as_secs_f64()
    );
    println!("历史摘要（同一种子应相同）：{}", report.digest);
    match &report.broken {
        None => {
            println!("全部不变量成立。");
            Ok(ExitCode::SUCCESS)
        }
        Some(b) => {
            eprintln!("{b}");
            Ok(ExitCode::FAILURE)
        }
    }
}
