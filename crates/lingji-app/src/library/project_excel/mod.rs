//! The project workbook (项目申报表): one layout shared by the downloadable template and the
//! import, so a template filled in Excel, WPS, LibreOffice or written by a program reads back.
//!
//! Sheets 项目, 测算明细, 绩效指标 and 分年度计划, the child sheets tied to a project by its
//! 序号. Columns are found by their header, so their order may change; a header ending in `*`
//! is required.

mod import;
mod sheets;
mod template;

pub use import::ImportReport;

/// What a project workbook may hold: each sheet's columns and a few for notes, any number of
/// rows Excel allows, and cells for a province's import (100,000 projects with their cost
/// lines, targets and year plans take about 2.7 million).
pub const IMPORT_LIMITS: crate::workbook::Limits = crate::workbook::Limits {
    columns: 40,
    rows: 1_048_576,
    cells: 6_000_000,
};

/// Which drop-down list a column offers in the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    Units,
    Kinds,
    MatterClasses,
    Tiers,
    FundBooks,
    YesNo,
    FunctionCodes,
    GovernmentCodes,
    DepartmentCodes,
    Standards,
    Categories,
    Comparators,
}

/// A column: its header, the draft field it fills, its width and drop-down list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub header: &'static str,
    pub key: &'static str,
    pub required: bool,
    pub width: f64,
    pub list: Option<List>,
}

const fn col(header: &'static str, key: &'static str, width: f64) -> Column {
    Column {
        header,
        key,
        required: false,
        width,
        list: None,
    }
}

const fn req(header: &'static str, key: &'static str, width: f64) -> Column {
    Column {
        required: true,
        ..col(header, key, width)
    }
}

const fn listed(c: Column, list: List) -> Column {
    Column {
        list: Some(list),
        ..c
    }
}

/// A sheet: its name and columns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub name: &'static str,
    pub columns: &'static [Column],
}

impl Layout {
    /// The column filling `key`.
    pub fn column(&self, key: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.key == key)
    }
}

/// Sheet 项目: one project per row.
pub(crate) const PROJECTS: Layout = Layout {
    name: "项目",
    columns: &[
        req("序号", "seq", 8.0),
        listed(col("预算单位", "unit_code", 28.0), List::Units),
        req("项目名称", "name", 32.0),
        listed(req("项目类别", "kind", 12.0), List::Kinds),
        listed(col("事项分类", "matter_class", 16.0), List::MatterClasses),
        listed(col("支出层级", "tier", 22.0), List::Tiers),
        col("政策依据", "basis_title", 30.0),
        col("政策文号", "basis_number", 22.0),
        col("政策到期日", "basis_expires_on", 12.0),
        col("开始年度", "start_year", 9.0),
        col("结束年度", "end_year", 9.0),
        listed(col("试点项目", "pilot", 9.0), List::YesNo),
        col("资金总需求（元）", "total_need", 16.0),
        col("最低保障额（元）", "min_viable", 16.0),
        listed(
            col("功能分类（项）", "function_code", 26.0),
            List::FunctionCodes,
        ),
        listed(
            col("政府经济分类（款）", "government_economic_code", 26.0),
            List::GovernmentCodes,
        ),
        listed(col("资金来源", "fund_book", 16.0), List::FundBooks),
        col("项目负责人", "responsible_person", 10.0),
        col("联系电话", "responsible_phone", 14.0),
        listed(col("新增项目", "is_new", 9.0), List::YesNo),
        listed(col("重大项目", "is_major", 9.0), List::YesNo),
        listed(col("培训", "features.training", 7.0), List::YesNo),
        listed(col("信息化", "features.it", 7.0), List::YesNo),
        listed(
            col("政府投资", "features.government_investment", 9.0),
            List::YesNo,
        ),
        listed(
            col("政府购买服务", "features.purchase_of_services", 11.0),
            List::YesNo,
        ),
        listed(col("节庆论坛展会", "features.event", 11.0), List::YesNo),
        listed(
            col("产业基金可支持", "features.industry_fund_eligible", 12.0),
            List::YesNo,
        ),
        listed(
            col("重点事项清单", "features.key_matters_item", 11.0),
            List::YesNo,
        ),
        listed(col("专项资金", "features.special_fund", 9.0), List::YesNo),
        col("绩效总体目标", "overall_goal", 40.0),
        // Last, so that workbooks filled from an earlier template still read (CS-2b).
        listed(col("涉及人的民生", "livelihood", 11.0), List::YesNo),
    ],
};

/// Sheet 测算明细: cost lines (ZB-14).
pub(crate) const LINES: Layout = Layout {
    name: "测算明细",
    columns: &[
        req("项目序号", "seq", 9.0),
        req("支出事项", "item", 30.0),
        listed(
            req("部门经济分类（款）", "economic_code", 26.0),
            List::DepartmentCodes,
        ),
        listed(col("支出标准", "standard", 30.0), List::Standards),
        req("数量", "quantity", 10.0),
        req("单价（元）", "unit_amount", 14.0),
        col("测算依据", "basis", 36.0),
    ],
};

/// Sheet 绩效指标: the target table (PM-7).
pub(crate) const INDICATORS: Layout = Layout {
    name: "绩效指标",
    columns: &[
        req("项目序号", "seq", 9.0),
        listed(req("指标类别", "category", 14.0), List::Categories),
        req("指标名称", "name", 30.0),
        listed(req("比较符", "comparator", 8.0), List::Comparators),
        req("目标值", "target_value", 14.0),
        col("计量单位", "unit", 10.0),
    ],
};

/// Sheet 分年度计划: a multi-year project's need per year (QJ-2b).
pub(crate) const PLAN: Layout = Layout {
    name: "分年度计划",
    columns: &[
        req("项目序号", "seq", 9.0),
        req("年度", "year", 8.0),
        req("金额（元）", "amount", 16.0),
    ],
};

/// Every data sheet, in workbook order.
pub(crate) const SHEETS: [Layout; 4] = [PROJECTS, LINES, INDICATORS, PLAN];

/// The header as written in the template: required columns end in `*`.
pub(crate) fn header_text(c: &Column) -> String {
    if c.required {
        format!("{}*", c.header)
    } else {
        c.header.to_string()
    }
}

/// A header as found in a file, made comparable: no spaces or `*`, full-width brackets.
pub(crate) fn normalise_header(h: &str) -> String {
    h.chars()
        .filter(|c| !c.is_whitespace() && *c != '*')
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            c => c,
        })
        .collect()
}

/// The code at the start of a drop-down entry such as `2050201 学前教育`: lists show the name
/// beside the code, the import keeps the code.
pub(crate) fn leading_code(cell: &str) -> &str {
    cell.split_whitespace().next().unwrap_or("")
}
