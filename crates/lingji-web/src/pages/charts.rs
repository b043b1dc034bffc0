//! ECharts on pages without inline scripts: a page puts a chart's data in a `data-chart`
//! attribute and `app.js` draws it with the vendored ECharts. Amounts travel as exact decimal
//! text in 万元; converting them to numbers for drawing is display, never arithmetic.

use lingji_domain::Money;
use lingji_domain::foundation::policy::Rate;
use serde::Serialize;

/// One series of a bar chart.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub name: String,
    /// Stack group: series with the same stack are drawn on top of each other.
    pub stack: Option<String>,
    /// One value per category, as decimal text.
    pub data: Vec<String>,
    /// `line` for a line over the bars; bars otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
}

fn wan(m: Money) -> String {
    // 万元 with two decimals from the exact fen, half up as to_wan_display, no separators.
    let fen = m.fen();
    let sign = if fen < 0 { "-" } else { "" };
    let hundredths = (fen.unsigned_abs() + 5_000) / 10_000;
    format!("{sign}{}.{:02}", hundredths / 100, hundredths % 100)
}

fn percent(r: Rate) -> String {
    format!("{}.{:02}", r.0 / 100, r.0 % 100)
}

impl Series {
    /// A series stacked with the others of the chart.
    pub fn stacked(name: &str, amounts: Vec<Money>) -> Series {
        Series {
            name: name.into(),
            stack: Some("total".into()),
            data: amounts.into_iter().map(wan).collect(),
            kind: None,
        }
    }

    /// A series of counts (not money) drawn beside the others.
    pub fn counts(name: &str, counts: Vec<i64>) -> Series {
        Series {
            name: name.into(),
            stack: None,
            data: counts.into_iter().map(|n| n.to_string()).collect(),
            kind: None,
        }
    }

    /// A series drawn beside the others.
    pub fn beside(name: &str, amounts: Vec<Money>) -> Series {
        Series {
            name: name.into(),
            stack: None,
            data: amounts.into_iter().map(wan).collect(),
            kind: None,
        }
    }

    /// Rates in percent (e.g. "61.25"), as bars.
    pub fn percents(name: &str, rates: Vec<Rate>) -> Series {
        Series {
            name: name.into(),
            stack: None,
            data: rates.into_iter().map(percent).collect(),
            kind: None,
        }
    }

    /// Rates in percent drawn as a line over the bars (e.g. the time elapsed).
    pub fn percent_line(name: &str, rates: Vec<Rate>) -> Series {
        Series {
            kind: Some("line"),
            ..Series::percents(name, rates)
        }
    }
}

/// A bar chart: categories along the axis, one or more series.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub categories: Vec<String>,
    pub series: Vec<Series>,
}

impl Chart {
    /// Bars over `categories`.
    pub fn bars(categories: Vec<String>, series: Vec<Series>) -> Chart {
        Chart { categories, series }
    }

    /// The JSON for the `data-chart` attribute (askama escapes it for the attribute).
    pub fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_amounts_are_exact_wan_text() {
        // 3,125,000.00 元, 31,250.00 元, −12,345.67 元, 123,456,789.00 元.
        assert_eq!(wan(Money::from_fen(312_500_000)), "312.50");
        assert_eq!(wan(Money::from_fen(3_125_000)), "3.13");
        assert_eq!(wan(Money::from_fen(-1_234_567)), "-1.23");
        assert_eq!(wan(Money::from_fen(12_345_678_900)), "12345.68");
        assert_eq!(
            wan(Money::from_fen(3_125_000)),
            Money::from_fen(3_125_000).to_wan_display()
        );
    }
}
