//! `lingji bench`: the benchmarks of docs/BENCHMARKS.md. `bench workbook` writes a large project
//! workbook in the import template's layout, for the import and list benchmarks: projects are
//! spread over every unit of the jurisdiction, each with one cost line at its standard and one
//! indicator.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use lingji_app::App;
use lingji_app::Scope;
use lingji_domain::foundation::org::OrgKind;
use rust_xlsxwriter::{Workbook, Worksheet};

use crate::config::Config;
use crate::{bench_payments, fiscal_year, open, open_in};

#[derive(Subcommand)]
pub enum BenchCommand {
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
    /// Append N generated audit events (keyed, in transactions of 10,000, through the chain's
    /// multi-row append) to the configured database, then time verifying the whole chain, for
    /// `lingji audit verify` at scale.
    Audit {
        /// Events to append.
        #[arg(long, default_value_t = 1_000_000)]
        events: u32,
    },
    /// Generate a province into an empty database (docs/BENCHMARKS.md, issue 21): a province,
    /// its cities and counties through the jurisdiction use case, departments and units, a
    /// library of projects in every state (the import's multi-row path), budget lines and their
    /// ledger with an audit event per movement; logins `shengcai` (province) and `shicai` (the
    /// first city), password of the demo. Defaults are the full size.
    Province {
        /// Jurisdictions in all (province + cities + counties).
        #[arg(long, default_value_t = 100)]
        jurisdictions: u32,
        /// Budget units in all.
        #[arg(long, default_value_t = 30_000)]
        units: u32,
        /// Projects in all.
        #[arg(long, default_value_t = 1_000_000)]
        projects: u32,
        /// Ledger entries in all.
        #[arg(long, default_value_t = 10_000_000)]
        ledger: u64,
        /// Budget lines per unit.
        #[arg(long, default_value_t = 3)]
        lines_per_unit: u32,
    },
    /// Time one jurisdiction's allocation through the use cases: the run and its save, then
    /// choosing, publishing and approving it (budget lines, projects funded), each step timed.
    Approve {
        /// 区划 code of the jurisdiction.
        #[arg(long)]
        region: String,
        #[arg(long)]
        year: String,
        /// Resources of the general public budget, 元 (the run's scenario).
        #[arg(long, default_value = "3000000000.00")]
        general_public: String,
        /// Resources of the government fund budget, 元.
        #[arg(long, default_value = "800000000.00")]
        government_fund: String,
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

pub async fn run(command: BenchCommand, config: Config) -> Result<ExitCode> {
    match command {
        BenchCommand::Allocation { projects, rounds } => allocation(&projects, rounds),
        BenchCommand::Rules { rules, payments } => bench_payments::rules(rules, payments)?,
        BenchCommand::Payments {
            requests,
            concurrency,
            region,
        } => {
            let (app, jurisdiction) = open_in(&config, region.as_deref()).await?;
            bench_payments::payments(&app, jurisdiction, requests, concurrency.max(1)).await?;
        }
        BenchCommand::Audit { events } => {
            let app = open(&config).await?;
            audit_events(&app, events).await?;
        }
        BenchCommand::Province {
            jurisdictions,
            units,
            projects,
            ledger,
            lines_per_unit,
        } => {
            let app = open(&config).await?;
            let size = lingji_app::demo::province::ProvinceSize {
                jurisdictions,
                units,
                projects,
                ledger,
                lines_per_unit,
            };
            province(&app, size).await?;
        }
        BenchCommand::Approve {
            region,
            year,
            general_public,
            government_fund,
        } => {
            let year = fiscal_year(&year)?;
            let (app, jurisdiction) = open_in(&config, Some(&region)).await?;
            approve(
                &app,
                jurisdiction,
                year.value(),
                &general_public,
                &government_fund,
            )
            .await?;
        }
        BenchCommand::Workbook {
            projects,
            year,
            region,
            out,
        } => {
            let year = fiscal_year(&year)?;
            let (app, jurisdiction) = open_in(&config, region.as_deref()).await?;
            workbook(&app, jurisdiction, year.value(), projects, &out).await?;
            println!("已生成 {projects} 个项目的测试工作簿：{}", out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Generates the province and prints what it holds and how long it took.
async fn province(app: &App, size: lingji_app::demo::province::ProvinceSize) -> Result<()> {
    let start = std::time::Instant::now();
    let report = app
        .demo()
        .load_province(size, &|line| eprintln!("{line}"))
        .await
        .map_err(|e| anyhow::anyhow!(crate::describe(&e)))?;
    println!(
        "已生成基准省：区划 {}，部门 {}，单位 {}，项目 {}，指标 {}，指标账分录 {}，用时 {:.1} 秒",
        report.jurisdictions,
        report.departments,
        report.units,
        report.projects,
        report.lines,
        report.ledger_entries,
        start.elapsed().as_secs_f64()
    );
    println!(
        "列表测量：{}（财政账号 shicai）；测算：{}（项目全部入库）；省级财政账号 shengcai",
        report.city_region, report.allocation_region
    );
    Ok(())
}

/// Runs and saves an allocation of the jurisdiction's admitted projects, then chooses,
/// publishes and approves it, printing the time of each step (the use cases the pages call).
async fn approve(
    app: &App,
    jurisdiction: i64,
    year: i32,
    general_public: &str,
    government_fund: &str,
) -> Result<()> {
    let scope = Scope::system(jurisdiction);
    let changes: lingji_app::allocation::Scenario = serde_json::from_value(serde_json::json!({
        "resources": { "general_public": general_public, "government_fund": government_fund }
    }))?;
    let fail = |e: lingji_app::AppError| anyhow::anyhow!(crate::describe(&e));
    let all = std::time::Instant::now();
    let start = std::time::Instant::now();
    let run = app
        .allocation()
        .run_allocation(&scope, year, "基准测算", None, changes)
        .await
        .map_err(fail)?;
    let ran = start.elapsed().as_secs_f64();
    let id = run.header.id;
    let start = std::time::Instant::now();
    app.allocation()
        .choose_run(&scope, id)
        .await
        .map_err(fail)?;
    app.allocation()
        .publish_control_figures(&scope, id)
        .await
        .map_err(fail)?;
    let marked = start.elapsed().as_secs_f64();
    let start = std::time::Instant::now();
    app.allocation()
        .approve_budget(&scope, id, "基准财预〔2026〕2号")
        .await
        .map_err(fail)?;
    let approved = start.elapsed().as_secs_f64();
    println!(
        "测算并保存 {} 项：{ran:.2} 秒；选定并下达控制数：{marked:.2} 秒；批复：{approved:.2} 秒；合计 {:.2} 秒",
        run.header.items,
        all.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes `projects` projects for `year` to `out`.
pub async fn workbook(
    app: &App,
    jurisdiction: i64,
    year: i32,
    projects: u32,
    out: &Path,
) -> Result<()> {
    let units = unit_codes(app, jurisdiction).await?;
    let mut book = Workbook::new();
    write_projects(
        book.add_worksheet().set_name("项目")?,
        &units,
        year,
        projects,
    )?;
    write_cost_lines(book.add_worksheet().set_name("测算明细")?, projects)?;
    write_indicators(book.add_worksheet().set_name("绩效指标")?, projects)?;
    book.save(out)
        .with_context(|| format!("写入 {}", out.display()))?;
    Ok(())
}

/// The codes of the jurisdiction's units, the projects' owners in turn.
async fn unit_codes(app: &App, jurisdiction: i64) -> Result<Vec<String>> {
    let units: Vec<String> = app
        .foundation()
        .list_organisations(&Scope::system(jurisdiction))
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
        .into_iter()
        .filter(|o| o.kind == OrgKind::Unit)
        .map(|o| o.code)
        .collect();
    anyhow::ensure!(!units.is_empty(), "该区划没有预算单位");
    Ok(units)
}

fn write_projects(sheet: &mut Worksheet, units: &[String], year: i32, projects: u32) -> Result<()> {
    let headers = [
        "序号",
        "预算单位",
        "项目名称",
        "项目类别",
        "事项分类",
        "支出层级",
        "政策依据",
        "开始年度",
        "结束年度",
        "功能分类（项）",
        "政府经济分类（款）",
        "资金来源",
        "项目负责人",
        "联系电话",
        "绩效总体目标",
    ];
    sheet.write_row(0, 0, headers)?;
    for i in 1..=projects {
        let unit = &units[(i as usize) % units.len()];
        let row = [
            i.to_string(),
            unit.clone(),
            format!("基准项目{i:06}"),
            "特定目标类".into(),
            "公共服务".into(),
            "“三保”支出".into(),
            "示范市基准测试政策".into(),
            year.to_string(),
            year.to_string(),
            "2050202".into(),
            "50202".into(),
            "一般公共预算".into(),
            "基准".into(),
            "0518-85550000".into(),
            "完成年度工作会议".into(),
        ];
        sheet.write_row(i, 0, row)?;
    }
    Ok(())
}

fn write_cost_lines(lines: &mut Worksheet, projects: u32) -> Result<()> {
    lines.write_row(
        0,
        0,
        [
            "项目序号",
            "支出事项",
            "部门经济分类（款）",
            "支出标准",
            "数量",
            "单价（元）",
        ],
    )?;
    for i in 1..=projects {
        lines.write_row(
            i,
            0,
            [
                i.to_string(),
                "年度工作会议（二类）".into(),
                "30215".into(),
                "P-MEET-2".into(),
                format!("{}", 10 + i % 90),
                "480".into(),
            ],
        )?;
    }
    Ok(())
}

fn write_indicators(targets: &mut Worksheet, projects: u32) -> Result<()> {
    targets.write_row(
        0,
        0,
        [
            "项目序号",
            "指标类别",
            "指标名称",
            "比较符",
            "目标值",
            "计量单位",
        ],
    )?;
    for i in 1..=projects {
        targets.write_row(
            i,
            0,
            [
                i.to_string(),
                "数量指标".into(),
                "会议场次".into(),
                "≥".into(),
                "1".into(),
                "场".into(),
            ],
        )?;
    }
    Ok(())
}

/// A deterministic generator (xorshift64*), so every bench run allocates the same jurisdiction.
pub(crate) struct Gen(pub(crate) u64);

impl Gen {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `n` generated candidates over 2 fund books, every tier, 5% must-fund, 5% key matters, ranks,
/// last year's grades and execution on most, and the resources to fund about 80% of them.
fn jurisdiction(
    n: usize,
) -> (
    Vec<lingji_domain::allocation::Candidate>,
    std::collections::BTreeMap<lingji_domain::foundation::fund::FundBook, lingji_domain::Money>,
) {
    use lingji_domain::Money;
    use lingji_domain::allocation::{Candidate, Grade, Signals};
    use lingji_domain::foundation::fund::FundBook;
    use lingji_domain::foundation::policy::{Rate, Score};
    use lingji_domain::library::tier::{Guarantee, SpendingTier};
    let mut g = Gen(0x9E37_79B9_7F4A_7C15);
    let mut demand = std::collections::BTreeMap::<FundBook, i64>::new();
    let candidates: Vec<Candidate> = (0..n)
        .map(|i| {
            let book = if g.below(10) < 8 {
                FundBook::GeneralPublic
            } else {
                FundBook::GovernmentFund
            };
            let tier = SpendingTier::ALL[g.below(6) as usize];
            let must_fund = tier == SpendingTier::ThreeGuarantees && g.below(3) == 0;
            let requested = 1_000_000 + g.below(50_000_000) as i64;
            let reviewed = requested - requested * g.below(20) as i64 / 100;
            *demand.entry(book).or_default() += reviewed;
            let grade =
                [Grade::Excellent, Grade::Good, Grade::Fair, Grade::Poor][g.below(4) as usize];
            Candidate {
                id: i as i64 + 1,
                code: format!("B{i:07}"),
                name: String::new(),
                department_id: 1 + g.below(40) as i64,
                unit_id: 1 + g.below(400) as i64,
                fund_book: book,
                tier,
                guarantee: must_fund.then_some(Guarantee::ALL[g.below(3) as usize]),
                must_fund,
                key_matter: g.below(20) == 0,
                requested: Money::from_fen(requested),
                reviewed: Money::from_fen(reviewed),
                minimum: (g.below(2) == 0).then(|| Money::from_fen(reviewed / 2)),
                finance_rank: (g.below(4) == 0).then(|| g.below(1_000) as u32 + 1),
                department_rank: Some(g.below(100) as u32 + 1),
                last_score: Some(Score(g.below(10_001) as u32)),
                last_grade: (g.below(3) > 0).then_some(grade),
                result_cut: None,
                last_year: Some(Money::from_fen(requested)),
                key_special: g.below(10) == 0,
                livelihood: g.below(5) == 0,
                signals: Signals {
                    execution_rate: Some(Rate(g.below(10_001) as u32)),
                    detail_insufficient: g.below(10) == 0,
                    stock_funds: Money::ZERO,
                    audit_findings: u32::from(g.below(20) == 0),
                },
            }
        })
        .collect();
    let resources = demand
        .into_iter()
        .map(|(b, d)| (b, Money::from_fen(d / 10 * 8)))
        .collect();
    (candidates, resources)
}

/// Times the allocation run over `n` generated projects against sorting the same projects by
/// their priority alone, each the best of `rounds`; prints one line per size.
pub fn allocation(sizes: &[usize], rounds: u32) {
    use std::time::Instant;

    use lingji_domain::foundation::policy::{Preset, preset};
    let profile = preset(Preset::LianyungangCity).allocation;
    println!("项目数\t排序（毫秒）\t测算（毫秒）\t倍数\t安排项目数\t写出全部说明（毫秒）");
    for &n in sizes {
        let (candidates, resources) = jurisdiction(n);
        let mut sort_best = f64::MAX;
        let mut run_best = f64::MAX;
        let mut funded = 0;
        let mut explain = 0.0;
        for _ in 0..rounds.max(1) {
            let start = Instant::now();
            // The same projects by the same priorities, keys computed once, one unstable sort.
            let mut order: Vec<_> = candidates
                .iter()
                .map(|c| {
                    (
                        (
                            c.fund_book,
                            c.tier,
                            !c.must_fund,
                            !c.key_matter,
                            c.finance_rank.unwrap_or(u32::MAX),
                            c.department_rank.unwrap_or(u32::MAX),
                            std::cmp::Reverse(c.last_score),
                            c.id,
                        ),
                        c,
                    )
                })
                .collect();
            order.sort_unstable_by_key(|x| x.0);
            std::hint::black_box(&order);
            sort_best = sort_best.min(start.elapsed().as_secs_f64() * 1000.0);
            let start = Instant::now();
            let result = lingji_domain::allocation::run(&candidates, &[], &resources, &profile);
            run_best = run_best.min(start.elapsed().as_secs_f64() * 1000.0);
            funded = result
                .projects
                .iter()
                .filter(|p| p.allocated > lingji_domain::Money::ZERO)
                .count();
            // What an export adds: every explanation in Chinese.
            let start = Instant::now();
            let chars: usize = result.projects.iter().map(|p| p.explanation().len()).sum();
            std::hint::black_box(chars);
            explain = start.elapsed().as_secs_f64() * 1000.0;
        }
        println!(
            "{n}\t{sort_best:.1}\t{run_best:.1}\t{:.2}\t{funded}\t{explain:.1}",
            run_best / sort_best
        );
    }
}

/// Appends `events` generated audit events through the chain (keyed like every event, in
/// transactions of 10,000 so that the head is written once per batch, in multi-row statements), then verifies the whole
/// chain with its payments and prints both times (docs/BENCHMARKS.md).
pub async fn audit_events(app: &App, events: u32) -> Result<()> {
    use lingji_app::store::foundation::audit::{self, Chain, NewEvent};
    let start = std::time::Instant::now();
    let mut done = 0_u32;
    while done < events {
        let batch = (events - done).min(10_000);
        let mut tx = app.store.begin().await?;
        let mut chain = Chain::take(&mut tx).await?;
        let generated: Vec<NewEvent<'_>> = (done..done + batch)
            .map(|i| NewEvent {
                jurisdiction_id: 1,
                actor_id: 1,
                actor: "bench",
                action: "bench.event",
                entity_type: "bench",
                entity_id: i.to_string(),
                before: String::new(),
                after: format!(
                    "{{\"n\":{i},\"amount\":\"{}.00\",\"payee\":\"压测收款人{}\"}}",
                    100 + i % 9000,
                    i % 500
                ),
            })
            .collect();
        // Through the chain's multi-row append, as an import writes its events.
        chain.append_many(&mut tx, generated).await?;
        chain.finish(&mut tx).await?;
        tx.commit().await?;
        done += batch;
    }
    let appended = start.elapsed().as_secs_f64();
    let start = std::time::Instant::now();
    let mut conn = app.store.write().acquire().await?;
    let report = audit::verify_all(&mut conn, None).await?;
    let verified = start.elapsed().as_secs_f64();
    let count = report
        .chain
        .map_err(|b| anyhow::anyhow!("第 {} 号：{}", b.seq, b.reason))?;
    println!("追加 {events} 条事件：{appended:.1} 秒；验证全链 {count} 条：{verified:.2} 秒");
    Ok(())
}
