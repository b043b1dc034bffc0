//! Year-on-year statistics (ZX-3a): against last year, how many projects were cut, cancelled,
//! newly funded and increased, by how much, and the reduction ratio — overall and by department.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::waterfall::Status;
use crate::foundation::policy::Rate;
use crate::money::Money;

/// A project beside last year's budget of its line: every project of this year's run, and
/// every project funded last year whose line has no project in the run (cancelled, with
/// nothing allocated) — so that each project funded last year is counted exactly once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearRow {
    pub department_id: i64,
    /// Last year's budget of the project's line (`None`: a new project).
    pub last_year: Option<Money>,
    /// Allocated this year.
    pub allocated: Money,
    /// Status this year.
    pub status: Status,
}

impl YearRow {
    /// Adds another project of this year that continues the same project of last year (one
    /// project split in two): the two are held to last year's budget together, so last year's
    /// project stays in the base once.
    pub fn continue_with(&mut self, allocated: Money, status: Status) {
        self.allocated = plus(self.allocated, allocated);
        if self.status == Status::Cancelled || self.allocated == allocated {
            self.status = status;
        }
    }
}

/// A count with its amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted {
    pub count: u64,
    /// Amount (the change for cut/increased/cancelled, the allocation for new).
    pub amount: Money,
}

/// The statistics of a set of projects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// 压减: funded this year below last year.
    pub cut: Counted,
    /// 取消: funded last year, nothing this year.
    pub cancelled: Counted,
    /// 新增: not funded last year, funded this year.
    pub new: Counted,
    /// 调增: funded above last year.
    pub increased: Counted,
    /// Same as last year.
    pub unchanged: u64,
    /// 基数: projects funded last year (cut + cancelled + unchanged + increased).
    pub base_count: u64,
    /// 基数: last year's budget of those projects.
    pub last_year: Money,
    /// This year's allocation of all projects.
    pub this_year: Money,
    /// 核减: what cuts and cancellations took off.
    pub reduction: Money,
    /// 压减比例: the reduction over last year's budget of the projects that had one.
    pub ratio: Rate,
}

fn plus(a: Money, b: Money) -> Money {
    a.checked_add(b).expect("budget totals stay inside i64 fen")
}

fn minus(a: Money, b: Money) -> Money {
    a.checked_sub(b).expect("budget totals stay inside i64 fen")
}

impl Tally {
    fn count(&mut self, r: &YearRow) {
        self.this_year = plus(self.this_year, r.allocated);
        let Some(last) = r.last_year.filter(|l| *l > Money::ZERO) else {
            if r.allocated > Money::ZERO {
                self.new.count += 1;
                self.new.amount = plus(self.new.amount, r.allocated);
            }
            return;
        };
        self.base_count += 1;
        self.last_year = plus(self.last_year, last);
        let bucket = if r.allocated == Money::ZERO || r.status == Status::Cancelled {
            &mut self.cancelled
        } else if r.allocated < last {
            &mut self.cut
        } else if r.allocated > last {
            self.increased.count += 1;
            self.increased.amount = plus(self.increased.amount, minus(r.allocated, last));
            return;
        } else {
            self.unchanged += 1;
            return;
        };
        let taken = minus(last, r.allocated);
        bucket.count += 1;
        bucket.amount = plus(bucket.amount, taken);
        self.reduction = plus(self.reduction, taken);
    }
}

/// Overall and per-department statistics (ZX-3a).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearOnYear {
    pub overall: Tally,
    /// Per department, by id.
    pub by_department: Vec<(i64, Tally)>,
}

/// Counts `rows` (ZX-3a).
pub fn year_on_year(rows: &[YearRow]) -> YearOnYear {
    let mut overall = Tally::default();
    let mut by: BTreeMap<i64, Tally> = BTreeMap::new();
    for r in rows {
        overall.count(r);
        by.entry(r.department_id).or_default().count(r);
    }
    let finish = |mut t: Tally| {
        t.ratio = Rate::ratio(t.reduction, t.last_year);
        t
    };
    YearOnYear {
        overall: finish(overall),
        by_department: by.into_iter().map(|(d, t)| (d, finish(t))).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(last: Option<i64>, allocated: i64, status: Status) -> YearRow {
        YearRow {
            department_id: 1,
            last_year: last.map(Money::from_yuan),
            allocated: Money::from_yuan(allocated),
            status,
        }
    }

    #[test]
    fn zx_3a_every_project_funded_last_year_is_in_exactly_one_bucket() {
        let rows = [
            row(Some(100), 80, Status::Partial),  // cut 20
            row(Some(100), 0, Status::Cancelled), // cancelled 100
            row(Some(50), 0, Status::Cancelled),  // not requested again: cancelled 50
            row(Some(100), 100, Status::Funded),  // unchanged
            row(Some(100), 130, Status::Funded),  // increased 30
            row(None, 40, Status::Funded),        // new 40
            row(None, 0, Status::Unfunded),       // neither year
        ];
        let t = year_on_year(&rows).overall;
        assert_eq!(t.base_count, 5);
        assert_eq!(
            t.cut.count + t.cancelled.count + t.unchanged + t.increased.count,
            t.base_count
        );
        assert_eq!(t.last_year, Money::from_yuan(450));
        assert_eq!(t.reduction, Money::from_yuan(170));
        assert_eq!((t.new.count, t.new.amount), (1, Money::from_yuan(40)));
        // 170 / 450 = 37.78 %.
        assert_eq!(t.ratio, Rate(3_778));
    }

    #[test]
    fn zx_3a_a_project_split_in_two_is_in_the_base_once() {
        // Last year 100; this year two projects continue it with 60 and 50: increased by 10.
        let mut split = row(Some(100), 60, Status::Partial);
        split.continue_with(Money::from_yuan(50), Status::Funded);
        let t = year_on_year(&[split]).overall;
        assert_eq!(t.base_count, 1);
        assert_eq!(t.last_year, Money::from_yuan(100));
        assert_eq!(
            (t.increased.count, t.increased.amount),
            (1, Money::from_yuan(10))
        );
        // A cancelled first part takes the funded second part's status.
        let mut split = row(Some(100), 0, Status::Cancelled);
        split.continue_with(Money::from_yuan(70), Status::Partial);
        let t = year_on_year(&[split]).overall;
        assert_eq!((t.cut.count, t.cut.amount), (1, Money::from_yuan(30)));
    }
}
