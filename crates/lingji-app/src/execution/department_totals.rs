//! Two amounts summed per department and overall, as the reports by department show them (the
//! amendment document, the year-end close). Exact to the fen; an overflow is refused.

use lingji_domain::{Money, Refusal};

use crate::error::AppResult;

/// Per department (in the order rows arrive, grouped by department): name and the two sums;
/// then the two overall sums.
pub(crate) type Totals = (Vec<(String, Money, Money)>, (Money, Money));

/// Sums `(department, a, b)` rows that arrive grouped by department.
pub(crate) fn department_totals<'a>(
    rows: impl IntoIterator<Item = (&'a str, Money, Money)>,
) -> AppResult<Totals> {
    let overflow = || Refusal::new("MONEY_OUT_OF_RANGE", "金额超出允许范围");
    let add = |x: Money, y: Money| x.checked_add(y).ok_or_else(overflow);
    let mut departments: Vec<(String, Money, Money)> = Vec::new();
    let (mut a_total, mut b_total) = (Money::ZERO, Money::ZERO);
    for (name, a, b) in rows {
        match departments.last_mut() {
            Some(d) if d.0 == name => {
                d.1 = add(d.1, a)?;
                d.2 = add(d.2, b)?;
            }
            _ => departments.push((name.to_string(), a, b)),
        }
        a_total = add(a_total, a)?;
        b_total = add(b_total, b)?;
    }
    Ok((departments, (a_total, b_total)))
}
