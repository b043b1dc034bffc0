//! Transfers between levels (issue 21; PM-10, PM-13b, ZB-10). An upper finance bureau records
//! each lower government's comprehensive fiscal performance score, sets up a transfer fund
//! (转移支付) with its factors and weights, each lower's factor values and cost share, previews
//! the division ([`lingji_domain::allocation::transfers::allocate`]) and approves it: in one
//! transaction every lower jurisdiction receives its part under the fund's document number,
//! audited there and in the upper. The receipt waits to be broken down (待分解) by the lower's
//! finance into upper-transfer lines through the ordinary transfer-line path
//! (`execution::transfer_lines`), capped at the receipt (ZB-7a), so their year-end follows the
//! lower profile (QJ-4b).
//!
//! The upper writes into a lower jurisdiction only here, as the system inside its own approval;
//! its users never act in the lower's scope.

use std::collections::BTreeMap;

use lingji_domain::allocation::Grade;
use lingji_domain::allocation::transfers::{
    self as rule, Allotment, Factor, FactorKind, LowerInput, TransferStatus,
};
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::foundation::policy::{ParamValue, Rate, Score};
use lingji_domain::{Money, Refusal};
use lingji_store::allocation::transfers::{
    self as store, FundRow, NewFund, NewReceipt, ReceiptRow,
};
use lingji_store::foundation::levels::{self, JurisdictionRow};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::Scope;
use crate::error::{AppError, AppResult};

/// A jurisdiction below the caller's with its comprehensive performance score of the year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LowerScore {
    pub lower_id: i64,
    /// Its 区划 code.
    pub region: String,
    pub name: String,
    /// The score in hundredths of a point (9250 = 92.50 分), when recorded.
    pub score: Option<u32>,
    /// The score as people read it ("92.5").
    pub score_text: String,
    /// Its grade by the upper profile's bands (NAT-10): excellent, good, fair, poor.
    #[schema(value_type = Option<crate::schema::Grade>)]
    pub grade: Option<String>,
    /// The grade in Chinese (优, 良, 中, 差).
    pub grade_label: String,
    pub recorded_by: String,
}

/// A factor of a fund as the API and pages send it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FactorInput {
    /// 常住人口, 财力缺口, 综合绩效得分 …
    pub name: String,
    /// `entered` (values typed per lower) or `performance` (read from the recorded scores).
    #[schema(value_type = crate::schema::FactorKind)]
    pub kind: String,
    /// Its weight in percent ("50", "12.5%").
    pub weight: String,
}

/// One lower jurisdiction's entries in a fund.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LowerEntryInput {
    pub lower_id: i64,
    /// A value per factor, in the factors' order (ignored for the performance factor).
    #[serde(default)]
    pub values: Vec<String>,
    /// Its cost share in percent of its allocation (市县分级共担, ZB-10), "0" when none.
    #[serde(default)]
    pub cost_share: String,
}

/// A transfer fund as finance sets it up.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TransferInput {
    pub year: i32,
    /// 文号字头, e.g. 湘财预: the document is 湘财预〔year〕serial号.
    pub prefix: String,
    pub name: String,
    /// Total in 元 ("5000000.00" or "500万").
    pub total: String,
    /// Fund book code (general_public, government_fund, …).
    #[schema(value_type = crate::schema::FundBook)]
    pub fund_book: String,
    /// Government economic code of the lines it becomes (3, 5 or 7 digits).
    pub economic_code: String,
    pub factors: Vec<FactorInput>,
    pub lowers: Vec<LowerEntryInput>,
}

/// A factor of a fund as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FactorView {
    pub name: String,
    #[schema(value_type = crate::schema::FactorKind)]
    pub kind: String,
    pub kind_label: String,
    /// Weight in basis points (5000 = 50%).
    pub weight: u32,
    pub weight_text: String,
}

/// One lower's part of a fund: its values, its amount and counterpart, and once approved what
/// it has broken down into lines.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AllotmentView {
    pub lower_id: i64,
    pub region: String,
    pub name: String,
    /// Its value of each factor as shown (the performance factor: its score).
    pub values: Vec<String>,
    /// Cost share in basis points (ZB-10).
    pub cost_share: u32,
    pub cost_share_text: String,
    /// Its amount (元), when the fund divides.
    #[schema(value_type = Option<String>)]
    pub amount: Option<Money>,
    /// Share of the total in basis points.
    pub share: Option<u32>,
    pub share_text: String,
    /// The counterpart it must arrange itself (元, ZB-10).
    #[schema(value_type = Option<String>)]
    pub counterpart: Option<Money>,
    /// Approved: its receipt and what it has broken down into lines so far.
    pub receipt_id: Option<i64>,
    #[schema(value_type = Option<String>)]
    pub distributed: Option<Money>,
}

/// A transfer fund with its division.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TransferView {
    pub id: i64,
    pub fiscal_year: i32,
    /// 文号.
    pub document: String,
    pub name: String,
    #[schema(value_type = String)]
    pub total: Money,
    #[schema(value_type = crate::schema::FundBook)]
    pub fund_book: String,
    pub fund_book_label: String,
    pub economic_code: String,
    /// `draft` or `approved`.
    #[schema(value_type = crate::schema::TransferStatus)]
    pub status: String,
    pub status_label: String,
    pub factors: Vec<FactorView>,
    pub lowers: Vec<AllotmentView>,
    /// Why a draft does not divide now (e.g. a score missing, PM-13b).
    pub refusal: Option<String>,
    /// The clause of that refusal.
    pub refusal_clause: Option<String>,
    pub created_by: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
}

/// What a lower jurisdiction received from an upper fund.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReceiptView {
    pub id: i64,
    pub fiscal_year: i32,
    /// The upper's document number, prefilled on the lines.
    pub document: String,
    pub name: String,
    /// The upper jurisdiction's name.
    pub upper: String,
    #[schema(value_type = String)]
    pub amount: Money,
    /// Cost share in basis points and the counterpart it requires (ZB-10).
    pub cost_share: u32,
    #[schema(value_type = String)]
    pub counterpart: Money,
    #[schema(value_type = crate::schema::FundBook)]
    pub fund_book: String,
    pub fund_book_label: String,
    pub economic_code: String,
    /// Broken down into upper-transfer lines so far, and what is left (待分解).
    #[schema(value_type = String)]
    pub distributed: Money,
    #[schema(value_type = String)]
    pub remaining: Money,
    pub created_at: String,
}

/// What approving did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Approved {
    pub fund: TransferView,
    /// How many lower jurisdictions received a part.
    pub lowers: usize,
}

/// A stored lower entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredLower {
    lower_id: i64,
    values: Vec<Option<i64>>,
    cost_share: Rate,
}

/// A fund's draft as checked: what is stored.
struct Draft {
    total: Money,
    fund_book: FundBook,
    factors: Vec<Factor>,
    lowers: Vec<StoredLower>,
}

fn corrupt<E: std::fmt::Display>(e: E) -> AppError {
    AppError::Internal(format!("transfer fund unreadable: {e}"))
}

fn year_of(v: i64) -> i32 {
    i32::try_from(v).unwrap_or_default()
}

/// Checks what finance typed; every wrong field is named.
fn check_input(t: &TransferInput, below: &[JurisdictionRow]) -> AppResult<Draft> {
    let mut errors = Vec::new();
    if let Err(r) = rule::check_prefix(&t.prefix) {
        errors.push(r);
    }
    let name = t.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(
            Refusal::new(
                "TRANSFER_NAME_INVALID",
                "请填写转移支付名称（不超过 100 个字）",
            )
            .field("name"),
        );
    }
    if !(2000..=2100).contains(&t.year) {
        errors.push(Refusal::new("YEAR_OUT_OF_RANGE", "预算年度应在 2000–2100 之间").field("year"));
    }
    let total = Money::parse_as(&t.total, "转移支付总额")
        .map_err(|r| errors.push(r.field("total")))
        .ok();
    if total.is_some_and(|m| m <= Money::ZERO) {
        errors.push(
            Refusal::new("TRANSFER_TOTAL_NOT_POSITIVE", "转移支付总额须大于零").field("total"),
        );
    }
    let fund_book = FundBook::parse(&t.fund_book)
        .map_err(|r| errors.push(r.field("fund_book")))
        .ok();
    let code = t.economic_code.trim();
    if !(matches!(code.len(), 3 | 5 | 7) && code.bytes().all(|b| b.is_ascii_digit())) {
        errors.push(
            Refusal::new(
                "ECONOMIC_CODE_MALFORMED",
                "经济分类科目应为 3、5 或 7 位数字",
            )
            .field("economic_code"),
        );
    }
    let mut factors = Vec::new();
    for (i, f) in t.factors.iter().enumerate() {
        let kind = FactorKind::parse(&f.kind)
            .map_err(|r| errors.push(r.field(format!("factor_kind_{i}"))))
            .unwrap_or(FactorKind::Entered);
        let weight = Rate::parse_param(&f.weight)
            .map_err(|m| {
                errors.push(
                    Refusal::new("FACTOR_WEIGHT_INVALID", format!("因素权重{m}"))
                        .field(format!("factor_weight_{i}")),
                )
            })
            .unwrap_or(Rate(0));
        factors.push(Factor {
            name: f.name.trim().to_string(),
            kind,
            weight,
        });
    }
    let more: Vec<Refusal> = rule::check_factors(&factors)
        .into_iter()
        .filter(|r| r.code != "FACTOR_WEIGHT_INVALID" || !errors.iter().any(|e| e.field == r.field))
        .collect();
    errors.extend(more);
    let mut lowers = Vec::new();
    let mut seen = Vec::new();
    for (k, l) in t.lowers.iter().enumerate() {
        let Some(row) = below.iter().find(|j| j.id == l.lower_id) else {
            errors.push(
                Refusal::new("LOWER_UNKNOWN", "只能向本级以下的区划分配转移支付")
                    .field(format!("lower_{k}"))
                    .clause("PM-13b"),
            );
            continue;
        };
        if seen.contains(&l.lower_id) {
            errors.push(
                Refusal::new("LOWER_TWICE", format!("{} 重复列出", row.name))
                    .field(format!("lower_{k}")),
            );
            continue;
        }
        seen.push(l.lower_id);
        let mut values = Vec::new();
        for (i, f) in factors.iter().enumerate() {
            if f.kind == FactorKind::Performance {
                values.push(None);
                continue;
            }
            let raw = l.values.get(i).map(|s| s.trim()).unwrap_or("");
            match rule::parse_value(raw) {
                Some(v) => values.push(Some(v)),
                None => {
                    errors.push(
                        Refusal::new(
                            "FACTOR_VALUE_INVALID",
                            format!(
                                "{} 的“{}”应为不小于零的数（最多两位小数）",
                                row.name, f.name
                            ),
                        )
                        .field(format!("value_{k}_{i}")),
                    );
                    values.push(None);
                }
            }
        }
        let raw = l.cost_share.trim();
        let cost_share = if raw.is_empty() {
            Rate(0)
        } else {
            match Rate::parse_param(raw) {
                Ok(r) if r <= Rate::FULL => r,
                _ => {
                    errors.push(
                        Refusal::new(
                            "COST_SHARE_OUT_OF_RANGE",
                            format!("{} 的分级共担比例应在 0 至 100% 之间", row.name),
                        )
                        .field(format!("share_{k}"))
                        .clause("ZB-10"),
                    );
                    Rate(0)
                }
            }
        };
        lowers.push(StoredLower {
            lower_id: l.lower_id,
            values,
            cost_share,
        });
    }
    if t.lowers.is_empty() {
        errors.push(
            Refusal::new("TRANSFER_NO_LOWER", "请至少选择一个参与分配的下级区划")
                .field("lowers")
                .clause("PM-13b"),
        );
    }
    match (total, fund_book) {
        (Some(total), Some(fund_book)) if errors.is_empty() => Ok(Draft {
            total,
            fund_book,
            factors,
            lowers,
        }),
        _ => Err(AppError::invalid(
            "TRANSFER_INVALID",
            "转移支付有误，请按提示修改",
            errors,
        )),
    }
}

/// The jurisdictions below `upper`, by code.
async fn below_rows(conn: &mut AnyConnection, upper: i64) -> AppResult<Vec<JurisdictionRow>> {
    let ids = levels::below(&mut *conn, upper).await?;
    Ok(levels::all(conn)
        .await?
        .into_iter()
        .filter(|j| ids.contains(&j.id))
        .collect())
}

/// The scores `upper` recorded for a year, by lower.
async fn score_map(
    conn: &mut AnyConnection,
    upper: i64,
    year: i32,
) -> AppResult<BTreeMap<i64, store::ScoreRow>> {
    Ok(store::scores(conn, upper, year)
        .await?
        .into_iter()
        .map(|s| (s.lower_id, s))
        .collect())
}

/// Divides a fund with the scores as they are now.
fn divide(
    draft: &Draft,
    below: &[JurisdictionRow],
    scores: &BTreeMap<i64, store::ScoreRow>,
) -> Result<Vec<Allotment>, Refusal> {
    let inputs: Vec<LowerInput> = draft
        .lowers
        .iter()
        .map(|l| LowerInput {
            lower_id: l.lower_id,
            name: below
                .iter()
                .find(|j| j.id == l.lower_id)
                .map(|j| j.name.clone())
                .unwrap_or_default(),
            values: draft
                .factors
                .iter()
                .enumerate()
                .map(|(i, f)| match f.kind {
                    FactorKind::Performance => scores.get(&l.lower_id).map(|s| s.score),
                    FactorKind::Entered => l.values.get(i).copied().flatten(),
                })
                .collect(),
            cost_share: l.cost_share,
        })
        .collect();
    rule::allocate(draft.total, &draft.factors, &inputs)
}

fn stored(row: &FundRow) -> AppResult<Draft> {
    Ok(Draft {
        total: Money::from_fen(row.total),
        fund_book: FundBook::parse(&row.fund_book).map_err(corrupt)?,
        factors: serde_json::from_str(&row.factors).map_err(corrupt)?,
        lowers: serde_json::from_str(&row.lowers).map_err(corrupt)?,
    })
}

/// The view of a fund: its division now (a draft) or its receipts (approved).
async fn view(conn: &mut AnyConnection, row: FundRow) -> AppResult<TransferView> {
    let draft = stored(&row)?;
    let year = year_of(row.fiscal_year);
    let below = levels::all(&mut *conn).await?;
    let scores = score_map(conn, row.jurisdiction_id, year).await?;
    let receipts: Vec<ReceiptRow> = if row.status == "approved" {
        store::receipts_of_fund(conn, row.id).await?
    } else {
        Vec::new()
    };
    let (allotments, refusal) = match divide(&draft, &below, &scores) {
        Ok(a) => (a, None),
        Err(r) => (Vec::new(), Some(r)),
    };
    let lowers = draft
        .lowers
        .iter()
        .map(|l| {
            let j = below.iter().find(|j| j.id == l.lower_id);
            let receipt = receipts.iter().find(|r| r.jurisdiction_id == l.lower_id);
            // Approved: what was received stands, whatever the scores say now.
            let (amount, counterpart) = match receipt {
                Some(r) => (
                    Some(Money::from_fen(r.amount)),
                    Some(Money::from_fen(r.counterpart)),
                ),
                None => allotments
                    .iter()
                    .find(|a| a.lower_id == l.lower_id)
                    .map(|a| (Some(a.amount), Some(a.counterpart)))
                    .unwrap_or((None, None)),
            };
            let share = amount.map(|a| Rate::ratio(a, draft.total).0);
            AllotmentView {
                lower_id: l.lower_id,
                region: j.map(|j| j.code.clone()).unwrap_or_default(),
                name: j.map(|j| j.name.clone()).unwrap_or_default(),
                values: draft
                    .factors
                    .iter()
                    .enumerate()
                    .map(|(i, f)| match f.kind {
                        FactorKind::Performance => scores
                            .get(&l.lower_id)
                            .map(|s| rule::show_value(s.score))
                            .unwrap_or_else(|| "未评价".into()),
                        FactorKind::Entered => l
                            .values
                            .get(i)
                            .copied()
                            .flatten()
                            .map(rule::show_value)
                            .unwrap_or_default(),
                    })
                    .collect(),
                cost_share: l.cost_share.0,
                cost_share_text: l.cost_share.to_percent_display(),
                amount,
                share,
                share_text: share
                    .map(|s| Rate(s).to_percent_display())
                    .unwrap_or_default(),
                counterpart,
                receipt_id: receipt.map(|r| r.id),
                distributed: receipt.map(|r| Money::from_fen(r.distributed)),
            }
        })
        .collect();
    let approved = row.status == "approved";
    Ok(TransferView {
        id: row.id,
        fiscal_year: year,
        document: row.document,
        name: row.name,
        total: draft.total,
        fund_book: draft.fund_book.as_str().into(),
        fund_book_label: draft.fund_book.label().into(),
        economic_code: row.economic_code,
        status: row.status,
        status_label: if approved {
            TransferStatus::Approved
        } else {
            TransferStatus::Draft
        }
        .label()
        .into(),
        factors: draft
            .factors
            .iter()
            .map(|f| FactorView {
                name: f.name.clone(),
                kind: f.kind.as_str().into(),
                kind_label: f.kind.label().into(),
                weight: f.weight.0,
                weight_text: f.weight.to_percent_display(),
            })
            .collect(),
        lowers,
        refusal: refusal
            .as_ref()
            .filter(|_| !approved)
            .map(|r| r.message.clone()),
        refusal_clause: refusal
            .filter(|_| !approved)
            .and_then(|r| r.clause.map(String::from)),
        created_by: row.created_by,
        approved_by: row.approved_by,
        approved_at: row.approved_at,
    })
}

fn receipt_view(r: ReceiptRow, uppers: &[JurisdictionRow]) -> ReceiptView {
    let book = FundBook::parse(&r.fund_book).ok();
    ReceiptView {
        id: r.id,
        fiscal_year: year_of(r.fiscal_year),
        document: r.document,
        name: r.name,
        upper: uppers
            .iter()
            .find(|j| j.id == r.upper_id)
            .map(|j| j.name.clone())
            .unwrap_or_default(),
        amount: Money::from_fen(r.amount),
        cost_share: u32::try_from(r.cost_share).unwrap_or_default(),
        counterpart: Money::from_fen(r.counterpart),
        fund_book: r.fund_book.clone(),
        fund_book_label: book.map(|b| b.label()).unwrap_or_default().into(),
        economic_code: r.economic_code,
        distributed: Money::from_fen(r.distributed),
        remaining: Money::from_fen(r.amount - r.distributed),
        created_at: r.created_at,
    }
}

/// The receipt under `document` in a jurisdiction, when there is one, refusing a line of
/// `amount` that would take its lines beyond what was received (ZB-7a). Called by the
/// upper-transfer line path inside its transaction.
pub(crate) async fn check_receipt_cap(
    tx: &mut AnyConnection,
    jurisdiction_id: i64,
    document: &str,
    amount: Money,
) -> AppResult<()> {
    let Some(r) = store::receipt_by_document(tx, jurisdiction_id, document.trim()).await? else {
        return Ok(());
    };
    let left = Money::from_fen(r.amount - r.distributed);
    if amount > left {
        return Err(Refusal::new(
            "TRANSFER_RECEIPT_EXCEEDED",
            format!(
                "{} 下达 {} 元，已分解 {} 元，本次最多还可分解 {} 元",
                r.document,
                Money::from_fen(r.amount).to_yuan_display(),
                Money::from_fen(r.distributed).to_yuan_display(),
                left.to_yuan_display()
            ),
        )
        .field("amount")
        .clause("ZB-7a")
        .into());
    }
    Ok(())
}

impl crate::AllocationUseCases<'_> {
    /// The jurisdictions below the caller's with their comprehensive performance scores of the
    /// year (PM-10): finance and audit of the upper.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn lower_scores(&self, scope: &Scope, year: i32) -> AppResult<Vec<LowerScore>> {
        scope.authorize_jurisdiction(Resource::PerformanceDecision, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        let below = below_rows(&mut conn, scope.jurisdiction).await?;
        let scores = score_map(&mut conn, scope.jurisdiction, year).await?;
        Ok(below
            .into_iter()
            .map(|j| {
                let s = scores.get(&j.id);
                let grade = s.and_then(|s| Grade::parse(&s.grade));
                LowerScore {
                    lower_id: j.id,
                    region: j.code,
                    name: j.name,
                    score: s.and_then(|s| u32::try_from(s.score).ok()),
                    score_text: s.map(|s| rule::show_value(s.score)).unwrap_or_default(),
                    grade: grade.map(|g| g.as_str().into()),
                    grade_label: grade.map(|g| g.label()).unwrap_or_default().into(),
                    recorded_by: s.map(|s| s.recorded_by.clone()).unwrap_or_default(),
                }
            })
            .collect())
    }

    /// Records (or corrects) a lower government's comprehensive fiscal performance score of the
    /// year, 0–100 to the hundredth, graded by the upper profile's bands (PM-10, NAT-10);
    /// audited in the upper jurisdiction.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn record_lower_score(
        &self,
        scope: &Scope,
        year: i32,
        lower_id: i64,
        score: &str,
    ) -> AppResult<LowerScore> {
        scope.authorize_jurisdiction(Resource::PerformanceDecision, Access::Write)?;
        let score = Score::parse_param(score)
            .map_err(|m| {
                AppError::from(
                    Refusal::new("LOWER_SCORE_OUT_OF_RANGE", format!("综合绩效评价得分{m}"))
                        .field("score")
                        .clause("PM-10"),
                )
            })
            .and_then(|s| rule::check_score(s).map(|()| s).map_err(AppError::from))?;
        let mut tx = self.store.begin().await?;
        let below = below_rows(&mut tx, scope.jurisdiction).await?;
        if !below.iter().any(|j| j.id == lower_id) {
            return Err(AppError::not_found("下级区划"));
        }
        let profile =
            lingji_store::foundation::profiles::current(&mut tx, scope.jurisdiction, year)
                .await?
                .ok_or_else(|| AppError::not_found(&format!("{year} 年度政策参数")))?;
        let grade = Grade::of_score(score, &profile.profile.performance);
        let before = store::put_score(
            &mut tx,
            scope.jurisdiction,
            lower_id,
            year,
            i64::from(score.0),
            grade.as_str(),
            scope.caller.name(),
        )
        .await?;
        lingji_store::foundation::audit::append(
            &mut tx,
            scope
                .caller
                .event(
                    scope.jurisdiction,
                    "lower_performance.record",
                    "organisation",
                    lower_id,
                )
                .before_json(
                    &before.map(|b| serde_json::json!({"score": b.score, "grade": b.grade})),
                )
                .after_json(&serde_json::json!({
                    "fiscal_year": year, "score": score.0, "grade": grade.as_str(),
                })),
        )
        .await?;
        tx.commit().await?;
        self.lower_scores(scope, year)
            .await?
            .into_iter()
            .find(|s| s.lower_id == lower_id)
            .ok_or_else(|| AppError::not_found("下级区划"))
    }

    /// The caller's jurisdiction's transfer funds of the year, newest first, each with its
    /// division (finance; audit reads).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn transfers(&self, scope: &Scope, year: i32) -> AppResult<Vec<TransferView>> {
        scope.authorize_jurisdiction(Resource::Allocation, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        let mut out = Vec::new();
        for row in store::funds(&mut conn, scope.jurisdiction, year).await? {
            out.push(view(&mut conn, row).await?);
        }
        Ok(out)
    }

    /// One transfer fund of the caller's jurisdiction.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn transfer(&self, scope: &Scope, id: i64) -> AppResult<TransferView> {
        scope.authorize_jurisdiction(Resource::Allocation, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        let row = store::fund(&mut conn, id)
            .await?
            .filter(|f| f.jurisdiction_id == scope.jurisdiction)
            .ok_or_else(|| AppError::not_found("转移支付"))?;
        view(&mut conn, row).await
    }

    /// Sets up a transfer fund (finance) under the jurisdiction's next document number of the
    /// year; refused unless it divides now (every lower scored when the performance factor
    /// weighs, PM-13b). Audited.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn create_transfer(
        &self,
        scope: &Scope,
        input: &TransferInput,
    ) -> AppResult<TransferView> {
        scope.authorize_jurisdiction(Resource::Allocation, Access::Write)?;
        let mut tx = self.store.begin().await?;
        let below = below_rows(&mut tx, scope.jurisdiction).await?;
        let draft = check_input(input, &below)?;
        let scores = score_map(&mut tx, scope.jurisdiction, input.year).await?;
        divide(&draft, &below, &scores)?;
        let prefix = input.prefix.trim();
        let row = store::insert_fund(
            &mut tx,
            &NewFund {
                jurisdiction_id: scope.jurisdiction,
                fiscal_year: input.year,
                prefix,
                name: input.name.trim(),
                total: draft.total.fen(),
                fund_book: draft.fund_book.as_str(),
                economic_code: input.economic_code.trim(),
                factors: serde_json::to_string(&draft.factors).map_err(corrupt)?,
                lowers: serde_json::to_string(&draft.lowers).map_err(corrupt)?,
                actor: scope.caller.name(),
            },
            |serial| rule::document_number(prefix, input.year, serial),
        )
        .await?;
        lingji_store::foundation::audit::append(
            &mut tx,
            scope
                .caller
                .event(
                    scope.jurisdiction,
                    "transfer.create",
                    "transfer_fund",
                    row.id,
                )
                .after_json(&serde_json::json!({
                    "document": row.document, "name": row.name, "total": draft.total,
                    "factors": draft.factors, "lowers": draft.lowers,
                })),
        )
        .await?;
        let shown = view(&mut tx, row).await?;
        tx.commit().await?;
        Ok(shown)
    }

    /// Approves a draft fund (finance): divides it with the scores as they are, and in one
    /// transaction gives each lower jurisdiction its receipt under the fund's document, audited
    /// there (`transfer.receive`) and in the upper (`transfer.approve`). The lower's finance
    /// breaks the receipt down into lines (ZB-7a, QJ-4b).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn approve_transfer(&self, scope: &Scope, id: i64) -> AppResult<Approved> {
        scope.authorize_jurisdiction(Resource::Allocation, Access::Write)?;
        let mut tx = self.store.begin().await?;
        let row = store::fund(&mut tx, id)
            .await?
            .filter(|f| f.jurisdiction_id == scope.jurisdiction)
            .ok_or_else(|| AppError::not_found("转移支付"))?;
        if row.status != "draft" {
            return Err(Refusal::new(
                "TRANSFER_ALREADY_APPROVED",
                format!("{} 已批准下达，不能再次批准", row.document),
            )
            .into());
        }
        let draft = stored(&row)?;
        let below = below_rows(&mut tx, scope.jurisdiction).await?;
        let year = year_of(row.fiscal_year);
        let scores = score_map(&mut tx, scope.jurisdiction, year).await?;
        let allotments = divide(&draft, &below, &scores)?;
        if !store::mark_approved(&mut tx, id, scope.caller.name()).await? {
            return Err(AppError::stale());
        }
        let mut received = 0;
        for (a, l) in allotments.iter().zip(&draft.lowers) {
            if a.amount <= Money::ZERO {
                continue;
            }
            // The system writes into the lower jurisdiction, inside the upper's authorised
            // approval; no user of the upper acts in the lower's scope.
            let receipt = store::insert_receipt(
                &mut tx,
                &NewReceipt {
                    fund: &row,
                    jurisdiction_id: a.lower_id,
                    amount: a.amount.fen(),
                    cost_share: i64::from(l.cost_share.0),
                    counterpart: a.counterpart.fen(),
                },
            )
            .await?;
            lingji_store::foundation::audit::append(
                &mut tx,
                scope
                    .caller
                    .event(a.lower_id, "transfer.receive", "transfer_receipt", receipt)
                    .after_json(&serde_json::json!({
                        "upper_id": scope.jurisdiction, "document": row.document,
                        "name": row.name, "amount": a.amount, "counterpart": a.counterpart,
                    })),
            )
            .await?;
            received += 1;
        }
        lingji_store::foundation::audit::append(
            &mut tx,
            scope
                .caller
                .event(scope.jurisdiction, "transfer.approve", "transfer_fund", id)
                .before_json(&serde_json::json!({"status": "draft"}))
                .after_json(&serde_json::json!({
                    "status": "approved", "document": row.document,
                    "allotments": allotments,
                })),
        )
        .await?;
        let row = store::fund(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("转移支付"))?;
        let fund = view(&mut tx, row).await?;
        tx.commit().await?;
        Ok(Approved {
            fund,
            lowers: received,
        })
    }

    /// What the scope's jurisdiction received from the jurisdictions above it in the year, with
    /// what is broken down into lines so far (its finance and audit; an upper's finance reading
    /// below).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn transfer_receipts(&self, scope: &Scope, year: i32) -> AppResult<Vec<ReceiptView>> {
        scope.authorize_jurisdiction(Resource::BudgetLine, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        let rows = store::receipts(&mut conn, scope.jurisdiction, year).await?;
        let all = levels::all(&mut conn).await?;
        Ok(rows.into_iter().map(|r| receipt_view(r, &all)).collect())
    }

    /// One receipt of the scope's jurisdiction (the transfer-line form prefilled from it).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn transfer_receipt(&self, scope: &Scope, id: i64) -> AppResult<ReceiptView> {
        scope.authorize_jurisdiction(Resource::BudgetLine, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        let row = store::receipt(&mut conn, id)
            .await?
            .filter(|r| r.jurisdiction_id == scope.jurisdiction)
            .ok_or_else(|| AppError::not_found("上级转移支付"))?;
        let all = levels::all(&mut conn).await?;
        Ok(receipt_view(row, &all))
    }
}
