//! 年度报告 — the year in figures: the headline figures the source documents publish, each
//! computed by the use case that already computes it for its own page, so the report can never
//! disagree with the list it links to:
//!
//! 1. 项目压减 (ZX-3a) — `allocation_year_on_year`, the year's chosen run against last year;
//! 2. 止付 (ZX-4b) — payments stopped by monitoring rules, split from other blocks so the total
//!    equals the figure on `/monitoring/hits`;
//! 3. 收回 (ZX-3c and the other recovery clauses) — the recorded year-end close;
//! 4. 评价结果调减 (CS-5b, QJ-5b, PM-13) — what this year's chosen run took off for last year's
//!    results, and the cuts confirmed from this year's results for next year;
//! 5. 重点评价 (PM-10) — finance's key evaluations of the year's projects by grade;
//! 6. 预算执行 — the year's lines summed, held against their ledger entries (ZB-7a).
//!
//! Amounts are Money to the fen; the headlines show 万元 through Money's display helpers.

use std::collections::BTreeMap;

use lingji_domain::Money;
use lingji_domain::allocation::{Grade, share};
use lingji_domain::execution::reconcile;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::policy::Rate;
use serde::Serialize;
use utoipa::ToSchema;

mod xlsx;

use crate::Scope;
use crate::error::{AppError, AppResult};
use crate::execution::year_end::YearEndReport;
use crate::performance::results::ResultRow;

/// A page a figure counts, with what it shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Link {
    /// What the page lists.
    pub label: String,
    pub href: String,
}

fn link(label: &str, href: String) -> Link {
    Link {
        label: label.to_string(),
        href,
    }
}

/// A count with its amount.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct Counted {
    pub count: u64,
    /// Their amount, 元 to the fen.
    #[schema(value_type = String, example = "1234.56")]
    pub amount: Money,
}

impl From<lingji_domain::allocation::Counted> for Counted {
    fn from(c: lingji_domain::allocation::Counted) -> Self {
        Counted {
            count: c.count,
            amount: c.amount,
        }
    }
}

impl Counted {
    fn of(count: i64, amount: Money) -> Self {
        Counted {
            count: u64::try_from(count).unwrap_or(0),
            amount,
        }
    }
}

/// 1. Projects cut, cancelled, new and increased against last year (ZX-3a).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectChanges {
    /// The run counted ("第 2 号 一上测算"), when the year has one.
    pub run: Option<String>,
    /// 压缩 (funded below last year).
    pub cut: Counted,
    /// 取消 (funded last year, nothing this year).
    pub cancelled: Counted,
    /// 新增.
    pub new: Counted,
    /// 调增.
    pub increased: Counted,
    /// Funded as last year.
    pub unchanged: u64,
    /// 核减: what cuts and cancellations took off.
    #[schema(value_type = String)]
    pub reduction: Money,
    /// 压减比例, e.g. "11.74%".
    pub ratio: String,
    /// 基数: projects funded last year.
    pub base_count: u64,
    /// 基数: their budget last year.
    #[schema(value_type = String)]
    pub base_amount: Money,
    /// "压缩项目 N 个、取消 N 个、核减 X 万元、压减比例 Y%".
    pub headline: String,
    /// The lists counted.
    pub links: Vec<Link>,
}

/// 2. Payments stopped in the year (ZX-4b).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StoppedPayments {
    /// Stopped by monitoring rules: blocked by a 拦截 rule or released after a hit.
    pub by_rules: Counted,
    /// Of which blocked by a 拦截 rule.
    pub rule_blocked: Counted,
    /// Of which released by finance after a 预警 hit.
    pub released_after_hit: Counted,
    /// Blocked by another check of the request without a 拦截 rule hit (a PM-9 suspension, …);
    /// an overdraft is stopped by the catalogue's rule B01-01 (ZB-7a) and counts as a rule stop.
    pub other_blocked: Counted,
    /// Everything stopped: the figure of `/monitoring/hits`.
    pub all: Counted,
    /// Rule hits of the year.
    pub hits: u64,
    /// "止付 N 笔 X 万元".
    pub headline: String,
    /// The lists counted.
    pub links: Vec<Link>,
}

/// Recovered (or carried) under one clause at the close.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClauseAmount {
    /// The clause that decided (ZX-3c, CS-6, QJ-4b, ZB-6d).
    pub clause: String,
    pub lines: u64,
    /// Recovered under it.
    #[schema(value_type = String)]
    pub recovered: Money,
}

/// 3. Money recovered at the year-end close (ZX-3c, CS-6, QJ-4b, ZB-6d).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recovered {
    /// The close is recorded.
    pub closed: bool,
    /// Who closed the year and when (Beijing time).
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    /// Recovered in all.
    #[schema(value_type = String)]
    pub recovered: Money,
    /// Of which idle money recovered (ZX-3c).
    #[schema(value_type = String)]
    pub idle: Money,
    /// Carried over to next year.
    #[schema(value_type = String)]
    pub carried: Money,
    /// Recovered by clause.
    pub by_clause: Vec<ClauseAmount>,
    /// "收回 X 万元，其中连续闲置资金 Y 万元".
    pub headline: String,
    /// The lists counted.
    pub links: Vec<Link>,
}

/// 4. Budget cut for poor evaluation results, by the clause of the year's profile.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationCuts {
    /// The clause the year's profile cuts by (`allocation.grade_cut_clause`: CS-5b, QJ-5b or
    /// PM-13).
    pub clause: String,
    /// Taken off this year's budget (the chosen run) for last year's results.
    pub this_year: Counted,
    /// Confirmed from this year's results for next year: projects cut or retired, and their
    /// cut against this year's budget.
    pub next_year: Counted,
    /// Evaluated projects of the year whose result finance has not confirmed yet.
    pub unconfirmed: u64,
    /// "对上年评价效果不理想的 N 个项目调减预算 X 万元".
    pub headline: String,
    /// The lists counted.
    pub links: Vec<Link>,
}

/// Projects of one grade.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GradeCount {
    #[schema(value_type = crate::schema::Grade)]
    pub grade: Grade,
    /// 优 / 良 / 中 / 差.
    pub grade_label: &'static str,
    pub count: u64,
    #[schema(value_type = String)]
    pub budget: Money,
}

/// 5. Finance's key evaluations of the year's projects (PM-10).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyEvaluations {
    pub count: u64,
    #[schema(value_type = String)]
    pub budget: Money,
    /// By grade, best first (every grade, zeros included).
    pub by_grade: Vec<GradeCount>,
    /// "重点评价项目 N 个：优 a 个、良 b 个、中 c 个、差 d 个".
    pub headline: String,
    /// The lists counted.
    pub links: Vec<Link>,
}

/// A figure on which the lines and their entries disagree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Disagreement {
    /// What is compared.
    pub figure: String,
    /// The lines' balances say.
    #[schema(value_type = String)]
    pub lines: Money,
    /// The ledger entries (or the recorded close) say.
    #[schema(value_type = String)]
    pub entries: Money,
}

/// 6. The year's budget execution from its lines, held against the ledger (ZB-7a).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Execution {
    /// Budget lines of the year.
    pub lines: u64,
    /// Approved (批复 and upper transfers, carry-overs included).
    #[schema(value_type = String)]
    pub approved: Money,
    /// Of which carried in from last year's close.
    #[schema(value_type = String)]
    pub carried_in: Money,
    /// Net adjustments (调剂, 追加).
    #[schema(value_type = String)]
    pub adjusted: Money,
    /// Budget: approved + adjusted.
    #[schema(value_type = String)]
    pub budget: Money,
    #[schema(value_type = String)]
    pub paid: Money,
    /// Held by payments not yet paid.
    #[schema(value_type = String)]
    pub held: Money,
    /// Carried over at the close.
    #[schema(value_type = String)]
    pub carried_over: Money,
    /// Recovered at the close.
    #[schema(value_type = String)]
    pub recovered: Money,
    #[schema(value_type = String)]
    pub available: Money,
    /// 执行率: paid over budget.
    pub execution_rate: String,
    /// The lines agree with their ledger entries (and the close with its record).
    pub agrees: bool,
    /// Where they do not.
    pub disagreements: Vec<Disagreement>,
    /// "以上数字与指标账分录一致" or the disagreement.
    pub reconciliation: String,
    /// The lists counted.
    pub links: Vec<Link>,
}

/// 年度报告: the year in figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnnualReport {
    pub fiscal_year: i32,
    /// 1. 项目压减 (ZX-3a).
    pub projects: ProjectChanges,
    /// 2. 止付 (ZX-4b).
    pub stopped: StoppedPayments,
    /// 3. 收回 (ZX-3c).
    pub recovered: Recovered,
    /// 4. 评价结果调减 (the profile's grade-cut clause).
    pub evaluation_cuts: EvaluationCuts,
    /// 5. 重点评价 (PM-10).
    pub key_evaluations: KeyEvaluations,
    /// 6. 预算执行.
    pub execution: Execution,
    /// Steps of the year that have not happened yet ("年终结转尚未办理").
    pub pending: Vec<String>,
}

fn add(a: Money, b: Money) -> AppResult<Money> {
    a.checked_add(b)
        .ok_or_else(|| AppError::Internal("annual report: amount out of range".into()))
}

fn sub(a: Money, b: Money) -> AppResult<Money> {
    a.checked_sub(b)
        .ok_or_else(|| AppError::Internal("annual report: amount out of range".into()))
}

impl crate::YearEndUseCases<'_> {
    /// The year in figures (finance, audit), every figure from the use case that shows it on its
    /// own page, the execution held against the ledger.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn annual_report(&self, scope: &Scope, year: i32) -> AppResult<AnnualReport> {
        scope.authorize_jurisdiction(Resource::AnnualReport, Access::Read)?;
        let jurisdiction_id = scope.jurisdiction;
        let mut pending = Vec::new();
        let projects = self.project_changes(scope, year, &mut pending).await?;
        let stopped = self.stopped_payments(scope, year).await?;
        let close = self.recorded_close(scope, year, &mut pending).await?;
        let recovered = recovered_at_close(close.as_ref(), year)?;
        let evaluation_cuts = self.evaluation_cuts(scope, year, &mut pending).await?;
        let key_evaluations = self.key_evaluations(scope, year, &mut pending).await?;
        let execution = self
            .execution_against_ledger(jurisdiction_id, year, close.as_ref(), &mut pending)
            .await?;
        Ok(AnnualReport {
            fiscal_year: year,
            projects,
            stopped,
            recovered,
            evaluation_cuts,
            key_evaluations,
            execution,
            pending,
        })
    }

    /// 1. ZX-3a: the statistics exactly as `/allocation/statistics` counts them.
    async fn project_changes(
        &self,
        scope: &Scope,
        year: i32,
        pending: &mut Vec<String>,
    ) -> AppResult<ProjectChanges> {
        let yoy = self
            .allocation()
            .allocation_year_on_year(scope, year, None)
            .await?;
        let o = yoy.stats.overall;
        let run = yoy.run.as_ref().map(|r| {
            format!(
                "第 {} 号 {}{}",
                r.header.number,
                r.header.name,
                if r.header.chosen_at.is_some() {
                    ""
                } else {
                    "（尚未选定，按最新方案）"
                }
            )
        });
        match &yoy.run {
            None => pending.push(format!("{year} 年度尚无测算方案")),
            Some(r) if r.header.chosen_at.is_none() => {
                pending.push(format!("{year} 年度测算方案尚未选定"))
            }
            Some(_) => {}
        }
        let mut links = vec![link(
            "同比统计（按部门）",
            format!("/allocation/statistics?year={year}"),
        )];
        if let Some(r) = &yoy.run {
            links.push(link(
                "测算方案（逐项目结果）",
                format!("/allocation/runs/{}", r.header.id),
            ));
        }
        Ok(ProjectChanges {
            run,
            cut: o.cut.into(),
            cancelled: o.cancelled.into(),
            new: o.new.into(),
            increased: o.increased.into(),
            unchanged: o.unchanged,
            reduction: o.reduction,
            ratio: o.ratio.to_percent_display(),
            base_count: o.base_count,
            base_amount: o.last_year,
            headline: format!(
                "压缩项目 {} 个、取消 {} 个、核减 {} 万元、压减比例 {}；新增 {} 个，调增 {} 个",
                o.cut.count,
                o.cancelled.count,
                o.reduction.to_wan_display(),
                o.ratio.to_percent_display(),
                o.new.count,
                o.increased.count
            ),
            links,
        })
    }

    /// 2. ZX-4b: the stopped payments of `/monitoring/hits`, by cause.
    async fn stopped_payments(&self, scope: &Scope, year: i32) -> AppResult<StoppedPayments> {
        let jurisdiction_id = scope.jurisdiction;
        let stats = self.supervision().hit_stats(scope, year).await?;
        let causes = {
            let mut conn = self.store.read().acquire().await?;
            lingji_store::execution::hits::stopped_by_cause(&mut conn, jurisdiction_id, year)
                .await?
        };
        let c = |(n, m): (i64, Money)| Counted::of(n, m);
        let rule_blocked = c(causes.rule_blocked);
        let released_after_hit = c(causes.released_after_hit);
        let by_rules = Counted {
            count: rule_blocked.count + released_after_hit.count,
            amount: add(rule_blocked.amount, released_after_hit.amount)?,
        };
        Ok(StoppedPayments {
            by_rules,
            rule_blocked,
            released_after_hit,
            other_blocked: c(causes.other_blocked),
            all: Counted::of(stats.stopped, stats.stopped_amount),
            hits: u64::try_from(stats.hits).unwrap_or(0),
            headline: format!(
                "止付 {} 笔 {} 万元",
                by_rules.count,
                by_rules.amount.to_wan_display()
            ),
            links: vec![
                link(
                    "预警处理与统计（命中与止付）",
                    format!("/monitoring/hits?year={year}"),
                ),
                link("被拦截的支付申请", "/payments?status=blocked".into()),
                link("已退回的支付申请", "/payments?status=released".into()),
            ],
        })
    }

    /// 3. The recorded close (ZX-3c and the clauses beside it); None while the year is open.
    async fn recorded_close(
        &self,
        scope: &Scope,
        year: i32,
        pending: &mut Vec<String>,
    ) -> AppResult<Option<YearEndReport>> {
        match self.year_end_report(scope, year).await {
            Ok(r) => Ok(Some(r)),
            Err(AppError::NotFound(_)) => {
                pending.push(format!("{year} 年度年终结转尚未办理"));
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Section 4, results application: this year's budget cut for last year's results, and
    /// what this year's results take off next year.
    async fn evaluation_cuts(
        &self,
        scope: &Scope,
        year: i32,
        pending: &mut Vec<String>,
    ) -> AppResult<EvaluationCuts> {
        let jurisdiction_id = scope.jurisdiction;
        let results = self.performance().results(scope, year).await?;
        let clause = {
            let mut conn = self.store.read().acquire().await?;
            crate::foundation::profiles::in_force(&mut conn, jurisdiction_id, year)
                .await?
                .allocation
                .grade_cut_clause
                .id()
                .to_string()
        };
        let (next_year, unconfirmed) = confirmed_cuts(&results.rows)?;
        if unconfirmed > 0 {
            pending.push(format!(
                "{year} 年度 {unconfirmed} 个项目的评价结果尚未确认"
            ));
        }
        let this_year = Counted {
            count: u64::try_from(results.reductions.projects).unwrap_or(0),
            amount: results.reductions.amount,
        };
        Ok(EvaluationCuts {
            clause,
            this_year,
            next_year,
            unconfirmed,
            headline: format!(
                "{year} 年预算对上年评价效果不理想的 {} 个项目调减预算 {} 万元；本年评价结果确认下年调减 {} 个项目 {} 万元",
                this_year.count,
                this_year.amount.to_wan_display(),
                next_year.count,
                next_year.amount.to_wan_display()
            ),
            links: vec![
                link(
                    "绩效结果应用（本年评价与调减）",
                    format!("/performance/results?year={year}"),
                ),
                link(
                    "上年评价结果",
                    format!("/performance/results?year={}", year - 1),
                ),
            ],
        })
    }

    /// 5. Key evaluations of projects by grade.
    async fn key_evaluations(
        &self,
        scope: &Scope,
        year: i32,
        pending: &mut Vec<String>,
    ) -> AppResult<KeyEvaluations> {
        let keys: Vec<_> = self
            .performance()
            .evaluations(scope, year, Some("key"))
            .await?
            .into_iter()
            .filter(|e| e.project_id.is_some())
            .collect();
        let mut by_grade = Vec::new();
        let mut key_budget = Money::ZERO;
        for g in Grade::ALL {
            let of: Vec<_> = keys.iter().filter(|e| e.grade == g).collect();
            let budget = Money::checked_sum(of.iter().map(|e| e.budget))
                .ok_or_else(|| AppError::Internal("key evaluations: budget".into()))?;
            key_budget = add(key_budget, budget)?;
            by_grade.push(GradeCount {
                grade: g,
                grade_label: g.label(),
                count: of.len() as u64,
                budget,
            });
        }
        if keys.is_empty() {
            pending.push(format!("{year} 年度尚无财政重点评价"));
        }
        Ok(KeyEvaluations {
            count: keys.len() as u64,
            budget: key_budget,
            headline: format!(
                "财政重点评价项目 {} 个、涉及资金 {} 万元：{}",
                keys.len(),
                key_budget.to_wan_display(),
                by_grade
                    .iter()
                    .map(|g| format!("{} {} 个", g.grade_label, g.count))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            by_grade,
            links: vec![link(
                "绩效评价（单位自评与财政重点评价）",
                format!("/evaluations?year={year}"),
            )],
        })
    }

    /// 6. The lines and their ledger.
    async fn execution_against_ledger(
        &self,
        jurisdiction_id: i64,
        year: i32,
        close: Option<&YearEndReport>,
        pending: &mut Vec<String>,
    ) -> AppResult<Execution> {
        let (lines, entries) = {
            let mut conn = self.store.read().acquire().await?;
            let lines =
                lingji_store::execution::ledger::year_lines(&mut conn, jurisdiction_id, year)
                    .await?;
            let entries =
                lingji_store::execution::ledger::year_entries(&mut conn, jurisdiction_id, year)
                    .await?;
            (lines, entries)
        };
        if lines.count == 0 {
            pending.push(format!("{year} 年度预算尚未批复（没有指标）"));
        }
        let b = lines.balance;
        let disagreements: Vec<Disagreement> =
            reconcile(&b, &entries, close.map(|r| (r.carried, r.recovered)))
                .into_iter()
                .map(|d| Disagreement {
                    figure: d.figure.to_string(),
                    lines: d.lines,
                    entries: d.entries,
                })
                .collect();
        let (carried, recovered) = close.map(|r| (r.carried, r.recovered)).unwrap_or_default();
        let budget = add(b.approved, b.adjusted)?;
        let available = sub(budget, add(add(b.reserved, b.spent)?, b.closed)?)?;
        Ok(Execution {
            lines: u64::try_from(lines.count).unwrap_or(0),
            approved: b.approved,
            carried_in: lines.carried_in,
            adjusted: b.adjusted,
            budget,
            paid: b.spent,
            held: b.reserved,
            carried_over: carried,
            recovered,
            available,
            execution_rate: Rate::ratio(b.spent, budget).to_percent_display(),
            agrees: disagreements.is_empty(),
            reconciliation: reconciliation(lines.count, &disagreements),
            disagreements,
            links: vec![link(
                "指标（逐条余额与指标账）",
                format!("/budget-lines?year={year}"),
            )],
        })
    }
}

/// 3. What the close recovered and carried, recovered money summed by the clause that decided.
fn recovered_at_close(close: Option<&YearEndReport>, year: i32) -> AppResult<Recovered> {
    let mut by_clause: BTreeMap<String, (u64, Money)> = BTreeMap::new();
    if let Some(r) = close {
        for l in r.lines.iter().filter(|l| l.recovered > Money::ZERO) {
            let e = by_clause.entry(l.clause.clone()).or_default();
            e.0 += 1;
            e.1 = add(e.1, l.recovered)?;
        }
    }
    let idle = by_clause
        .get("ZX-3c")
        .map(|(_, m)| *m)
        .unwrap_or(Money::ZERO);
    let (carried, recovered_total) = close.map(|r| (r.carried, r.recovered)).unwrap_or_default();
    Ok(Recovered {
        closed: close.is_some(),
        closed_by: close.and_then(|r| r.closed.as_ref().map(|c| c.0.clone())),
        closed_at: close.and_then(|r| r.closed.as_ref().map(|c| c.1.clone())),
        recovered: recovered_total,
        idle,
        carried,
        by_clause: by_clause
            .into_iter()
            .map(|(clause, (lines, recovered))| ClauseAmount {
                clause,
                lines,
                recovered,
            })
            .collect(),
        headline: if close.is_some() {
            format!(
                "年终收回资金 {} 万元，其中收回连续闲置资金 {} 万元（ZX-3c）；结转下年 {} 万元",
                recovered_total.to_wan_display(),
                idle.to_wan_display(),
                carried.to_wan_display()
            )
        } else {
            format!("{year} 年度年终结转尚未办理，收回 0.00 万元")
        },
        links: vec![link(
            "年终结转（逐条指标的结转与收回）",
            format!("/year-end?year={year}"),
        )],
    })
}

/// Section 4: the cuts confirmed from this year's results against this year's budget, as the
/// next run takes them, and how many results are still unconfirmed.
fn confirmed_cuts(rows: &[ResultRow]) -> AppResult<(Counted, u64)> {
    let mut next_year = Counted::default();
    let mut unconfirmed = 0;
    for r in rows {
        match &r.confirmed {
            Some(c) if c.retire || c.rate > Rate(0) => {
                next_year.count += 1;
                let amount = if c.retire {
                    r.budget
                } else {
                    share(r.budget, c.rate)
                };
                next_year.amount = add(next_year.amount, amount)?;
            }
            Some(_) => {}
            None => unconfirmed += 1,
        }
    }
    Ok((next_year, unconfirmed))
}

/// 6. "一致" with the number of lines checked, or every figure on which lines and entries differ.
fn reconciliation(lines: i64, disagreements: &[Disagreement]) -> String {
    if disagreements.is_empty() {
        format!(
            "以上数字与 {} 条指标的指标账分录逐类核对一致（批复、调整、冻结、支付、年终结转收回）",
            lines
        )
    } else {
        format!(
            "指标余额与指标账分录不一致：{}",
            disagreements
                .iter()
                .map(|d| format!(
                    "{} 指标 {} 元、分录 {} 元",
                    d.figure,
                    d.lines.to_yuan_display(),
                    d.entries.to_yuan_display()
                ))
                .collect::<Vec<_>>()
                .join("；")
        )
    }
}
