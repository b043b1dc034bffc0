//! `lingji bench workbook`: a large project workbook in the import template's layout, for the
//! import and list benchmarks in docs/BENCHMARKS.md. Projects are spread over every unit of the
//! jurisdiction, each with one cost line at its standard and one indicator.

use anyhow::{Context, Result};
use lingji_app::App;
use lingji_app::Scope;
use lingji_domain::foundation::org::OrgKind;
use rust_xlsxwriter::Workbook;

/// Writes `projects` projects for `year` to `out`.
pub async fn workbook(
    app: &App,
    jurisdiction: i64,
    year: i32,
    projects: u32,
    out: &std::path::Path,
) -> Result<()> {
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
    let mut book = Workbook::new();
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
    let sheet = book.add_worksheet().set_name("项目")?;
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
    let lines = book.add_worksheet().set_name("测算明细")?;
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
    let targets = book.add_worksheet().set_name("绩效指标")?;
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
    book.save(out)
        .with_context(|| format!("写入 {}", out.display()))?;
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
/// transactions of 10,000 so that the head is written once per batch), then verifies the whole
/// chain with its payments and prints both times (docs/BENCHMARKS.md).
pub async fn audit_events(app: &App, events: u32) -> Result<()> {
    use lingji_app::store::foundation::audit::{self, Chain, NewEvent};
    let start = std::time::Instant::now();
    let mut done = 0_u32;
    while done < events {
        let batch = (events - done).min(10_000);
        let mut tx = app.store.begin().await?;
        let mut chain = Chain::take(&mut tx).await?;
        for i in done..done + batch {
            chain
                .append(
                    &mut tx,
                    NewEvent {
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
                    },
                )
                .await?;
        }
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
