//! The control figures grouped as people read them, on the page and on the printed document
//! alike: by department in order of name, each unit's row per fund book, with the basic,
//! project and whole sums of every row, department and the year, exact to the fen.

use std::collections::BTreeMap;

use lingji_domain::Money;
use lingji_domain::foundation::fund::FundBook;

use crate::allocation::approval::ControlFigures;
use crate::error::{AppError, AppResult};

/// Basic expenditure, projects and their sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FigureSums {
    pub basic: Money,
    pub projects: Money,
    pub total: Money,
}

impl FigureSums {
    fn of(basic: Money, projects: Money) -> AppResult<FigureSums> {
        Ok(FigureSums {
            basic,
            projects,
            total: sum(basic, projects)?,
        })
    }

    fn add(&mut self, other: &FigureSums) -> AppResult<()> {
        *self = FigureSums {
            basic: sum(self.basic, other.basic)?,
            projects: sum(self.projects, other.projects)?,
            total: sum(self.total, other.total)?,
        };
        Ok(())
    }
}

/// A sum past the range of money is an error, never a silently wrong figure.
fn sum(a: Money, b: Money) -> AppResult<Money> {
    a.checked_add(b)
        .ok_or_else(|| AppError::Internal("control figures past the range of money".into()))
}

/// A unit's figures from one fund book.
#[derive(Debug, Clone)]
pub struct FigureRow {
    pub unit_id: i64,
    pub unit: String,
    pub fund_book: FundBook,
    pub sums: FigureSums,
}

/// A department's rows and its subtotal.
#[derive(Debug, Clone)]
pub struct DepartmentFigures {
    pub name: String,
    pub rows: Vec<FigureRow>,
    pub sums: FigureSums,
}

/// The year's figures by department, and the year's sums.
#[derive(Debug, Clone, Default)]
pub struct GroupedFigures {
    pub departments: Vec<DepartmentFigures>,
    pub sums: FigureSums,
}

impl GroupedFigures {
    /// How many units the figures name.
    pub fn units(&self) -> usize {
        let mut ids: Vec<i64> = self
            .departments
            .iter()
            .flat_map(|d| d.rows.iter().map(|r| r.unit_id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
}

impl ControlFigures {
    /// The figures grouped by department (in order of name, rows as the store orders them).
    pub fn grouped(&self) -> AppResult<GroupedFigures> {
        let name = |id: &i64| self.names.get(id).cloned().unwrap_or_default();
        let mut by: BTreeMap<(String, i64), DepartmentFigures> = BTreeMap::new();
        let mut all = FigureSums::default();
        for x in &self.figures {
            let row = FigureSums::of(x.basic, x.projects)?;
            let d = by
                .entry((name(&x.department_id), x.department_id))
                .or_insert_with(|| DepartmentFigures {
                    name: name(&x.department_id),
                    rows: Vec::new(),
                    sums: FigureSums::default(),
                });
            d.sums.add(&row)?;
            all.add(&row)?;
            d.rows.push(FigureRow {
                unit_id: x.unit_id,
                unit: name(&x.unit_id),
                fund_book: x.fund_book,
                sums: row,
            });
        }
        Ok(GroupedFigures {
            departments: by.into_values().collect(),
            sums: all,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use lingji_store::allocation::Figure;

    use super::*;

    fn figure(department_id: i64, unit_id: i64, basic: i64, projects: i64) -> Figure {
        Figure {
            department_id,
            unit_id,
            fund_book: FundBook::GeneralPublic,
            basic: Money::from_fen(basic),
            projects: Money::from_fen(projects),
            funded_projects: 0,
        }
    }

    #[test]
    fn departments_in_order_of_name_add_up_to_the_fen() {
        let f = ControlFigures {
            run: None,
            figures: vec![
                figure(1, 11, 101, 1),
                figure(2, 21, 5, 0),
                figure(1, 12, 0, 7),
            ],
            names: HashMap::from([
                (1, "乙局".to_string()),
                (2, "甲局".to_string()),
                (11, "一所".to_string()),
                (12, "二所".to_string()),
                (21, "三所".to_string()),
            ]),
        };
        let g = f.grouped().unwrap();
        let names: Vec<&str> = g.departments.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["乙局", "甲局"]);
        assert_eq!(g.departments[0].sums.total, Money::from_fen(109));
        assert_eq!(g.sums.total, Money::from_fen(114));
        assert_eq!(g.units(), 3);
    }

    #[test]
    fn a_sum_past_the_range_of_money_is_an_error_not_a_wrong_figure() {
        let f = ControlFigures {
            run: None,
            figures: vec![figure(1, 11, i64::MAX, 1)],
            names: HashMap::new(),
        };
        assert!(f.grouped().is_err());
    }
}
