//! The strict waterfall (ZB-3): per fund book, tiers in the profile's order; no money to a tier
//! while any tier above it is short; inside a tier must-fund items first (ZB-3b) in the
//! profile's guarantee order (QJ-2c), then key-matters items (CS-2a), finance rank, department
//! rank and last year's score; the marginal project as the profile says.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::adjust::{Adjustment, adjust, share};
use super::input::Candidate;
use crate::foundation::fund::FundBook;
use crate::foundation::policy::{Allocation, MarginalPolicy, Rate};
use crate::library::tier::SpendingTier;
use crate::money::Money;

labelled! {
    /// Where a project ends.
    #[derive(PartialOrd, Ord)]
    Status: custom {
        /// Funded in full.
        Funded = "funded" / "足额安排",
        /// Funded in part, not below its minimum viable level.
        Partial = "partial" / "部分安排",
        Unfunded = "unfunded" / "未安排",
        /// Not eligible (a gate of the review is unmet).
        Excluded = "excluded" / "不具备安排资格",
        /// Cancelled by results application (CS-5b) or cut to nothing.
        Cancelled = "cancelled" / "取消",
    }
}

impl Status {
    /// Parses the identifier or the Chinese name.
    pub fn parse(s: &str) -> Result<Status, crate::error::Refusal> {
        let s = s.trim();
        Status::ALL
            .into_iter()
            .find(|x| x.as_str() == s || x.label() == s)
            .ok_or_else(|| {
                crate::error::Refusal::new(
                    "ALLOCATION_STATUS_UNKNOWN",
                    format!(
                        "安排结果“{s}”未知，应为：足额安排、部分安排、未安排、不具备安排资格、取消"
                    ),
                )
            })
    }
}

/// Why a project ends as it does, with the numbers; [`ProjectResult::explanation`] renders it
/// in Chinese with its clauses. Kept structured so the run itself formats nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Must-fund item funded in full (ZB-3b).
    MustFundFunded(Money),
    /// Funded in full at its place (ZB-3).
    Funded {
        number: usize,
        tier: SpendingTier,
        /// Place in the fund book.
        position: u32,
        amount: Money,
    },
    /// The marginal project, funded in part down to its minimum (ZB-3).
    Partial {
        number: usize,
        /// What was left.
        left: Money,
        /// What it needed.
        need: Money,
        /// Its minimum viable level.
        minimum: Money,
    },
    /// What was left is below its minimum (ZB-3).
    BelowMinimum {
        number: usize,
        /// What was left.
        left: Money,
        /// Its minimum viable level.
        minimum: Money,
    },
    /// Skipped for the next that fits (ZB-3).
    Skipped {
        number: usize,
        /// What was left.
        left: Money,
        /// What it needed.
        need: Money,
    },
    /// The tier stops at the marginal project (ZB-3).
    Stopped {
        number: usize,
        /// What was left.
        left: Money,
        /// What it needed.
        need: Money,
    },
    /// The tier's money went to those before it (ZB-3).
    TierSpent(usize),
    /// A higher tier is short (ZB-3).
    HigherTierShort {
        /// The short tier's number.
        short: usize,
        shortfall: Money,
        /// This tier's number.
        number: usize,
    },
    /// The must-fund items exceed the resources: nothing else (ZB-3b).
    MustFundExceeds,
    /// A must-fund item beyond the resources (ZB-3b).
    MustFundShort(Money),
    /// Cancelled by results application; the adjustments say why.
    Cancelled,
    /// Text as given (an excluded project's reasons) or as stored.
    Text(String),
}

/// One project in the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectResult {
    pub id: i64,
    pub fund_book: FundBook,
    /// Tier the project was arranged in (must-fund items: the three guarantees).
    pub tier: SpendingTier,
    /// Requested by the unit.
    pub requested: Money,
    /// Finance-reviewed.
    pub reviewed: Money,
    /// Results-application adjustments, each with its clause.
    pub adjustments: Vec<Adjustment>,
    /// Reviewed less the adjustments: what the waterfall tries to fund.
    pub adjusted: Money,
    pub allocated: Money,
    /// Place in its fund book's order (1 first; 0 for excluded projects).
    pub position: u32,
    pub status: Status,
    /// Why; [`ProjectResult::explanation`] says it in Chinese.
    pub reason: Reason,
}

impl ProjectResult {
    /// Why, in Chinese, citing clauses, e.g. "第4层级缺口 312.50 万元，第5层级不予安排（ZB-3）";
    /// results-application cuts come first.
    pub fn explanation(&self) -> String {
        let why = match &self.reason {
            Reason::Text(t) => return t.clone(),
            Reason::Cancelled => return cut_summary(&self.adjustments),
            Reason::MustFundFunded(m) => format!(
                "按人数和标准计算或据实结算的必保支出，足额安排 {} 万元（ZB-3b）",
                m.to_wan_display()
            ),
            Reason::Funded {
                number,
                tier,
                position,
                amount,
            } => format!(
                "第{number}层级（{}）第{position}位，足额安排 {} 万元（ZB-3）",
                tier.label(),
                amount.to_wan_display()
            ),
            Reason::Partial {
                number,
                left,
                need,
                minimum,
            } => format!(
                "第{number}层级余额 {} 万元不足以足额安排（需 {} 万元），不低于最低可行额度 {} 万元，部分安排（ZB-3）",
                left.to_wan_display(),
                need.to_wan_display(),
                minimum.to_wan_display()
            ),
            Reason::BelowMinimum {
                number,
                left,
                minimum,
            } => format!(
                "第{number}层级余额 {} 万元低于本项目最低可行额度 {} 万元，不予安排（ZB-3）",
                left.to_wan_display(),
                minimum.to_wan_display()
            ),
            Reason::Skipped { number, left, need } => format!(
                "第{number}层级余额 {} 万元不足以足额安排（需 {} 万元），跳过，安排其后可足额安排的项目（ZB-3）",
                left.to_wan_display(),
                need.to_wan_display()
            ),
            Reason::Stopped { number, left, need } => format!(
                "第{number}层级余额 {} 万元不足以足额安排（需 {} 万元），本层级安排至此（ZB-3）",
                left.to_wan_display(),
                need.to_wan_display()
            ),
            Reason::TierSpent(number) => {
                format!("第{number}层级资金已安排完毕，排序在后不予安排（ZB-3）")
            }
            Reason::HigherTierShort {
                short,
                shortfall,
                number,
            } => format!(
                "第{short}层级缺口 {} 万元，第{number}层级不予安排（ZB-3）",
                shortfall.to_wan_display()
            ),
            Reason::MustFundExceeds => {
                "按人数和标准计算、据实结算的必保支出已超过可用财力，其他支出不予安排（ZB-3b）"
                    .to_string()
            }
            Reason::MustFundShort(m) => format!(
                "必保支出超过可用财力，缺口 {} 万元（ZB-3b）",
                m.to_wan_display()
            ),
        };
        if self.adjustments.is_empty() {
            why
        } else {
            format!("{}；{why}", cut_summary(&self.adjustments))
        }
    }
}

impl Serialize for ProjectResult {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("ProjectResult", 12)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("fund_book", &self.fund_book)?;
        st.serialize_field("tier", &self.tier)?;
        st.serialize_field("requested", &self.requested)?;
        st.serialize_field("reviewed", &self.reviewed)?;
        st.serialize_field("adjustments", &self.adjustments)?;
        st.serialize_field("adjusted", &self.adjusted)?;
        st.serialize_field("allocated", &self.allocated)?;
        st.serialize_field("position", &self.position)?;
        st.serialize_field("status", &self.status)?;
        st.serialize_field("explanation", &self.explanation())?;
        st.end()
    }
}

/// A tier of a fund book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierResult {
    pub fund_book: FundBook,
    pub tier: SpendingTier,
    /// Its number in the profile's order (1 first).
    pub number: usize,
    /// What its projects need after adjustments.
    pub demand: Money,
    /// What they got.
    pub allocated: Money,
    /// demand − allocated.
    pub shortfall: Money,
}

/// A fund book's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub fund_book: FundBook,
    /// Available resources (可用财力).
    pub resources: Money,
    /// Allocated in all.
    pub allocated: Money,
    pub remaining: Money,
    /// Must-fund items (ZB-3b) exceed the resources by this much: nothing else is funded.
    pub must_fund_shortfall: Option<Money>,
    /// Unassigned reserve (待分资金) set aside from what is left (ZB-2b).
    pub reserve: Money,
    /// How the reserve was decided, when one was asked for.
    pub reserve_note: Option<String>,
}

/// The whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunResult {
    /// Every candidate in input order, then every excluded project; `position` is the run
    /// order within each fund book.
    pub projects: Vec<ProjectResult>,
    /// Every tier of every fund book with candidates.
    pub tiers: Vec<TierResult>,
    /// Every fund book with resources or candidates.
    pub books: Vec<Outcome>,
}

fn add(a: Money, b: Money) -> Money {
    a.checked_add(b)
        .expect("allocation totals stay far below i64::MAX fen")
}

fn sub(a: Money, b: Money) -> Money {
    a.checked_sub(b)
        .expect("allocation totals stay far below i64::MAX fen")
}

/// The tier a candidate is arranged in: must-fund items belong to the three guarantees (ZB-3b).
fn tier_of(c: &Candidate) -> SpendingTier {
    if c.must_fund {
        SpendingTier::ThreeGuarantees
    } else {
        c.tier
    }
}

/// 1-based number of `tier` in the profile's order; tiers the profile leaves out come last,
/// in ZB-3's order.
fn tier_number(p: &Allocation, tier: SpendingTier) -> usize {
    match p.tier_order.iter().position(|t| *t == tier) {
        Some(i) => i + 1,
        None => {
            p.tier_order.len()
                + 1
                + SpendingTier::ALL
                    .iter()
                    .position(|t| *t == tier)
                    .unwrap_or(0)
        }
    }
}

/// The order of the run: tier, then inside it must-fund items by guarantee (QJ-2c), key
/// matters (CS-2a), finance rank, department rank, last year's score (higher first), id.
/// Tier number, must-fund first, guarantee place, key matter first, finance rank, department
/// rank, score (higher first), id.
type Priority = (
    usize,
    bool,
    usize,
    bool,
    u32,
    u32,
    std::cmp::Reverse<Option<crate::foundation::policy::Score>>,
    i64,
);

fn order_key(p: &Allocation, c: &Candidate) -> Priority {
    let guarantee = c
        .guarantee
        .and_then(|g| p.guarantee_order.iter().position(|x| *x == g))
        .unwrap_or(usize::MAX);
    (
        tier_number(p, tier_of(c)),
        !c.must_fund,
        guarantee,
        !c.key_matter,
        c.finance_rank.unwrap_or(u32::MAX),
        c.department_rank.unwrap_or(u32::MAX),
        std::cmp::Reverse(c.last_score),
        c.id,
    )
}

/// What the waterfall reads of a candidate once its adjustments are known: small, so that the
/// sorted walk reads it in order instead of chasing every candidate through memory.
struct Slot {
    /// Fund book, then the priority order (ends in the id, so all keys differ).
    key: (FundBook, Priority),
    /// Index of the candidate and of its result.
    index: usize,
    tier: SpendingTier,
    must_fund: bool,
    reviewed: Money,
    need: Money,
    minimum: Option<Money>,
    cancelled: bool,
}

/// Runs the allocation. `excluded` are projects that failed a gate, each with its reason
/// (clauses included); they are listed and get nothing. The results come in the order of
/// `candidates`, then `excluded`; `position` is the place in the run.
pub fn run(
    candidates: &[Candidate],
    excluded: &[(Candidate, String)],
    resources: &BTreeMap<FundBook, Money>,
    p: &Allocation,
) -> RunResult {
    let mut out = RunResult {
        projects: Vec::with_capacity(candidates.len() + excluded.len()),
        tiers: Vec::new(),
        books: Vec::new(),
    };
    // One pass in input order: results application (CS-5b, CS-5a, CS-2b) before ranking.
    let mut slots = Vec::with_capacity(candidates.len());
    for (index, c) in candidates.iter().enumerate() {
        let (adjustments, cancelled) = if c.must_fund {
            (Vec::new(), false)
        } else {
            adjust(c, p)
        };
        let cuts = adjustments
            .iter()
            .fold(Money::ZERO, |s, a| add(s, a.amount));
        let need = sub(c.reviewed, cuts);
        slots.push(Slot {
            key: (c.fund_book, order_key(p, c)),
            index,
            tier: tier_of(c),
            must_fund: c.must_fund,
            reviewed: c.reviewed,
            need,
            minimum: c.minimum,
            cancelled: cancelled || (need == Money::ZERO && cuts > Money::ZERO),
        });
        // The outcome is written when the walk reaches it.
        out.projects.push(unplaced(
            c,
            adjustments,
            need,
            Status::Unfunded,
            Reason::Cancelled,
        ));
    }
    slots.sort_unstable_by_key(|s| s.key);
    let mut books: Vec<FundBook> = resources.keys().copied().collect();
    books.extend(slots.iter().map(|s| s.key.0));
    books.sort_unstable();
    books.dedup();
    let mut start = 0;
    for book in books {
        let end = start
            + slots[start..]
                .iter()
                .take_while(|s| s.key.0 == book)
                .count();
        let available = resources.get(&book).copied().unwrap_or(Money::ZERO);
        book_run(book, &slots[start..end], available, p, &mut out);
        start = end;
    }
    for (c, reason) in excluded {
        out.projects.push(unplaced(
            c,
            Vec::new(),
            Money::ZERO,
            Status::Excluded,
            Reason::Text(reason.clone()),
        ));
    }
    out
}

/// A candidate's result before (or without) a place in the run: nothing allocated.
fn unplaced(
    c: &Candidate,
    adjustments: Vec<Adjustment>,
    adjusted: Money,
    status: Status,
    reason: Reason,
) -> ProjectResult {
    ProjectResult {
        id: c.id,
        fund_book: c.fund_book,
        tier: tier_of(c),
        requested: c.requested,
        reviewed: c.reviewed,
        adjustments,
        adjusted,
        allocated: Money::ZERO,
        position: 0,
        status,
        reason,
    }
}

/// A higher tier that is short, for the explanation of everything below it.
struct Short {
    number: usize,
    shortfall: Money,
}

/// The waterfall of one fund book over its slots in run order; writes each result's outcome.
fn book_run(book: FundBook, list: &[Slot], available: Money, p: &Allocation, out: &mut RunResult) {
    let must_total = list
        .iter()
        .filter(|c| c.must_fund)
        .fold(Money::ZERO, |s, c| add(s, c.reviewed));
    let mut walk = Walk {
        remaining: available,
        must_fund_shortfall: (must_total > available).then(|| sub(must_total, available)),
        short: None,
        position: 0,
        stopped: false,
    };
    let mut i = 0;
    while i < list.len() {
        let tier = list[i].tier;
        let end = i + list[i..].iter().take_while(|c| c.tier == tier).count();
        let tier_row = walk.tier_run(book, tier, &list[i..end], p, out);
        out.tiers.push(tier_row);
        i = end;
    }
    out.books.push(Outcome {
        fund_book: book,
        resources: available,
        allocated: sub(available, walk.remaining),
        remaining: walk.remaining,
        must_fund_shortfall: walk.must_fund_shortfall,
        reserve: Money::ZERO,
        reserve_note: None,
    });
}

/// Where the walk down one fund book stands.
struct Walk {
    /// Not yet allocated.
    remaining: Money,
    /// What the must-fund projects lack when they alone exceed the book.
    must_fund_shortfall: Option<Money>,
    /// The first tier that came out short.
    short: Option<Short>,
    /// The last place given in the run.
    position: u32,
    /// Stopped inside the current tier: the marginal project took the rest, or the policy stops.
    stopped: bool,
}

impl Walk {
    /// One tier's slots in order; writes each result's outcome and returns the tier's row.
    fn tier_run(
        &mut self,
        book: FundBook,
        tier: SpendingTier,
        slots: &[Slot],
        p: &Allocation,
        out: &mut RunResult,
    ) -> TierResult {
        let number = tier_number(p, tier);
        let mut tier_row = TierResult {
            fund_book: book,
            tier,
            number,
            demand: Money::ZERO,
            allocated: Money::ZERO,
            shortfall: Money::ZERO,
        };
        self.stopped = false;
        for c in slots {
            self.position += 1;
            let (allocated, status, reason) = self.place(c, tier, number, p);
            if status != Status::Cancelled {
                tier_row.demand = add(tier_row.demand, c.need);
                tier_row.allocated = add(tier_row.allocated, allocated);
            }
            let r = &mut out.projects[c.index];
            r.tier = tier;
            r.allocated = allocated;
            r.position = self.position;
            r.status = status;
            r.reason = reason;
        }
        tier_row.shortfall = sub(tier_row.demand, tier_row.allocated);
        if self.short.is_none() && tier_row.shortfall > Money::ZERO {
            self.short = Some(Short {
                number,
                shortfall: tier_row.shortfall,
            });
        }
        tier_row
    }

    /// One slot's outcome — what it gets, its status and why — taking what it gets off
    /// `remaining`.
    fn place(
        &mut self,
        c: &Slot,
        tier: SpendingTier,
        number: usize,
        p: &Allocation,
    ) -> (Money, Status, Reason) {
        let need = c.need;
        if c.cancelled {
            (Money::ZERO, Status::Cancelled, Reason::Cancelled)
        } else if self.must_fund_shortfall.is_some() && !c.must_fund {
            (Money::ZERO, Status::Unfunded, Reason::MustFundExceeds)
        } else if let Some(s) = &self.short {
            (
                Money::ZERO,
                Status::Unfunded,
                Reason::HigherTierShort {
                    short: s.number,
                    shortfall: s.shortfall,
                    number,
                },
            )
        } else if self.stopped {
            (Money::ZERO, Status::Unfunded, Reason::TierSpent(number))
        } else if need <= self.remaining {
            self.remaining = sub(self.remaining, need);
            let reason = if c.must_fund {
                Reason::MustFundFunded(need)
            } else {
                Reason::Funded {
                    number,
                    tier,
                    position: self.position,
                    amount: need,
                }
            };
            (need, Status::Funded, reason)
        } else if c.must_fund {
            (
                Money::ZERO,
                Status::Unfunded,
                Reason::MustFundShort(self.must_fund_shortfall.unwrap_or(Money::ZERO)),
            )
        } else {
            self.marginal(c, number, p)
        }
    }

    /// The first project of the tier that does not fit whole, by the profile's marginal policy.
    fn marginal(&mut self, c: &Slot, number: usize, p: &Allocation) -> (Money, Status, Reason) {
        let need = c.need;
        let left = self.remaining;
        match p.marginal_policy {
            MarginalPolicy::Partial => {
                self.stopped = true;
                let minimum = c.minimum.unwrap_or(need).min(need);
                if left > Money::ZERO && left >= minimum {
                    self.remaining = Money::ZERO;
                    (
                        left,
                        Status::Partial,
                        Reason::Partial {
                            number,
                            left,
                            need,
                            minimum,
                        },
                    )
                } else {
                    (
                        Money::ZERO,
                        Status::Unfunded,
                        Reason::BelowMinimum {
                            number,
                            left,
                            minimum,
                        },
                    )
                }
            }
            MarginalPolicy::SkipToNextFit => (
                Money::ZERO,
                Status::Unfunded,
                Reason::Skipped { number, left, need },
            ),
            MarginalPolicy::Stop => {
                self.stopped = true;
                (
                    Money::ZERO,
                    Status::Unfunded,
                    Reason::Stopped { number, left, need },
                )
            }
        }
    }
}

/// Sets aside the unassigned reserve (待分资金, ZB-2b) each fund book asks for, from what the
/// waterfall left, never more than `cap` of the book's project spending (basic expenditure,
/// with negative ids, is not project spending). The reserve comes after every tier and only
/// when none is short, so it never takes money a tier needs (ZB-3).
pub fn set_aside_reserve(r: &mut RunResult, requests: &BTreeMap<FundBook, Money>, cap: Rate) {
    for b in &mut r.books {
        let Some(asked) = requests.get(&b.fund_book).copied() else {
            continue;
        };
        if asked <= Money::ZERO {
            continue;
        }
        // ZB-3: nothing after a tier that is short, the reserve included.
        if let Some(t) = r
            .tiers
            .iter()
            .find(|t| t.fund_book == b.fund_book && t.shortfall > Money::ZERO)
        {
            b.reserve_note = Some(format!(
                "第{}层级缺口 {} 万元，不预留待分资金（ZB-3、ZB-2b）",
                t.number,
                t.shortfall.to_wan_display()
            ));
            continue;
        }
        let spending = r
            .projects
            .iter()
            .filter(|p| p.fund_book == b.fund_book && p.id > 0)
            .fold(Money::ZERO, |s, p| add(s, p.allocated));
        let ceiling = share(spending, cap);
        let granted = asked.min(ceiling).min(b.remaining);
        let why = if granted == asked {
            "全额预留".to_string()
        } else if granted == ceiling && ceiling <= b.remaining {
            format!(
                "超过项目支出 {} 万元的 {} 上限，按上限预留",
                spending.to_wan_display(),
                cap.to_percent_display()
            )
        } else {
            "按各层级安排后的余额预留".to_string()
        };
        b.reserve = granted;
        b.remaining = sub(b.remaining, granted);
        b.reserve_note = Some(format!(
            "申请待分资金 {} 万元，{why} {} 万元（ZB-2b）",
            asked.to_wan_display(),
            granted.to_wan_display()
        ));
    }
}

/// The adjustments in one sentence: "压减 60.00 万元：上年绩效评价“中”，压减 20%（CS-5b）".
fn cut_summary(adjustments: &[Adjustment]) -> String {
    let total = adjustments
        .iter()
        .fold(Money::ZERO, |s, a| add(s, a.amount));
    let parts: Vec<String> = adjustments
        .iter()
        .map(|a| format!("{}（{}）", a.label, a.clause))
        .collect();
    format!(
        "结果应用压减 {} 万元：{}",
        total.to_wan_display(),
        parts.join("；")
    )
}
