//! The expenditure standards catalogue (ZB-14, ZX-std): import from CSV/XLSX, all rows
//! checked first, nothing written if any is wrong.

use crate::Scope;
use lingji_domain::Refusal;
use lingji_domain::foundation::authz::{Access, Resource};
use lingji_domain::foundation::org::UnitKind;
use lingji_domain::library::cost::{Standard, StandardCategory};
use lingji_domain::{Money, foundation::codes::FiscalYear};
use lingji_store::library::standards;

use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;
use crate::foundation::codes::read_table;

const COLUMNS: [&str; 9] = [
    "编码",
    "名称",
    "类别",
    "计量单位",
    "标准金额（元）",
    "适用单位类型",
    "起始年度",
    "终止年度",
    "依据",
];

/// Checks every row of a standards file: columns in the order of [`COLUMNS`].
pub fn check_rows(rows: &[(usize, Vec<String>)]) -> Result<Vec<Standard>, Vec<Refusal>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut codes = std::collections::HashSet::new();
    for (line, cells) in rows {
        let cell = |i: usize| cells.get(i).map(|c| c.trim()).unwrap_or("");
        let err = |col: usize, r: Refusal| {
            let field = format!("第 {line} 行「{}」", COLUMNS[col]);
            Refusal {
                message: format!("{field}：{}", r.message),
                field: Some(field),
                ..r
            }
        };
        let before = errors.len();
        let code = cell(0).to_string();
        if code.is_empty() || !codes.insert(code.clone()) {
            errors.push(err(
                0,
                Refusal::new("STANDARD_CODE_INVALID", "编码为空或重复"),
            ));
        }
        if cell(1).is_empty() {
            errors.push(err(
                1,
                Refusal::new("STANDARD_NAME_MISSING", "名称不能为空"),
            ));
        }
        let category = StandardCategory::parse(cell(2))
            .map_err(|r| errors.push(err(2, r)))
            .ok();
        if cell(3).is_empty() {
            errors.push(err(
                3,
                Refusal::new("STANDARD_UNIT_MISSING", "计量单位不能为空"),
            ));
        }
        let amount = Money::parse(cell(4))
            .map_err(|r| errors.push(err(4, r)))
            .ok();
        if amount.is_some_and(|a| a.fen() <= 0) {
            errors.push(err(
                4,
                Refusal::new("STANDARD_AMOUNT_NOT_POSITIVE", "标准金额须大于零"),
            ));
        }
        let kinds: Vec<UnitKind> = cell(5)
            .split(['|', '、', ','])
            .filter(|k| !k.trim().is_empty())
            .filter_map(|k| UnitKind::parse(k).map_err(|r| errors.push(err(5, r))).ok())
            .collect();
        let from = FiscalYear::parse(cell(6))
            .map_err(|r| errors.push(err(6, r)))
            .ok();
        let to = if cell(7).is_empty() {
            None
        } else {
            FiscalYear::parse(cell(7))
                .map_err(|r| errors.push(err(7, r)))
                .ok()
        };
        if errors.len() == before
            && let (Some(category), Some(amount), Some(from)) = (category, amount, from)
        {
            out.push(Standard {
                id: 0,
                code,
                name: cell(1).to_string(),
                category,
                unit_of_measure: cell(3).to_string(),
                amount,
                unit_kinds: kinds,
                from_year: from.value(),
                to_year: to.map(FiscalYear::value),
                source: cell(8).to_string(),
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

impl crate::CatalogueUseCases<'_> {
    /// Adds the standards of a file to a jurisdiction's catalogue (finance, administrators).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn import_standards(
        &self,
        scope: &Scope,
        file_name: &str,
        bytes: &[u8],
    ) -> AppResult<usize> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        scope.authorize_jurisdiction(Resource::Standard, Access::Write)?;
        let name = file_name.to_string();
        let rows = crate::blocking::parse(bytes, move |b| read_table(&name, b)).await?;
        let checked = check_rows(&rows).map_err(|errors| AppError::Invalid {
            summary: Refusal::new(
                "IMPORT_ROWS_INVALID",
                format!("文件中有 {} 处错误，未导入任何数据", errors.len()),
            ),
            errors,
        })?;
        let mut tx = self.store.begin().await?;
        for s in &checked {
            standards::insert(&mut tx, jurisdiction_id, s)
                .await
                .map_err(|e| match e {
                    lingji_store::StoreError::Conflict(_) => AppError::Conflict(
                        Refusal::new(
                            "STANDARD_CODE_TAKEN",
                            format!("支出标准编码 {} 已存在", s.code),
                        )
                        .field("code"),
                    ),
                    other => other.into(),
                })?;
        }
        let event = caller
            .event(jurisdiction_id, "standards.import", "standard", file_name)
            .after_json(&serde_json::json!({ "rows": checked.len() }));
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(checked.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_catalogue_is_as_large_as_zx_std_describes() {
        let rows = read_table(
            "s.csv",
            include_bytes!("../../../../data/standards/demo_standards.csv"),
        )
        .unwrap();
        let all = check_rows(&rows).unwrap();
        let count = |c: StandardCategory| all.iter().filter(|s| s.category == c).count();
        assert_eq!(count(StandardCategory::Wage), 9);
        assert_eq!(count(StandardCategory::PublicExpense), 8);
        assert!(count(StandardCategory::Livelihood) >= 73);
        assert!(count(StandardCategory::Project) >= 20);
    }

    #[test]
    fn a_bad_row_is_named_and_nothing_passes() {
        let csv = "编码,名称,类别,计量单位,标准金额（元）,适用单位类型,起始年度,终止年度,依据\nW-01,基本工资,wage,元/人·年,36000,,2025,,x\nW-02,津贴,工资,元/人·年,-1,企业,2025,,x\n";
        let rows = read_table("s.csv", csv.as_bytes()).unwrap();
        let fields: Vec<_> = check_rows(&rows)
            .unwrap_err()
            .into_iter()
            .map(|r| r.field.unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "第 3 行「类别」",
                "第 3 行「标准金额（元）」",
                "第 3 行「适用单位类型」"
            ]
        );
    }
}

/// A unit's basic expenditure for a year (ZB-14, ZB-6c).
#[derive(Debug, Clone, serde::Serialize)]
pub struct BasicExpenditure {
    pub year: i32,
    /// In-service staff.
    pub in_service: i64,
    /// Contract staff actually employed.
    pub contract_actual: i64,
    /// Contract staff funded: within the quota reduced by the profile's yearly rate (ZB-6c).
    pub contract_funded: i64,
    /// One line per standard applied.
    pub lines: Vec<lingji_domain::library::cost::BasicLine>,
    /// Sum of the lines.
    pub total: Money,
}

impl crate::CatalogueUseCases<'_> {
    /// Computes a unit's basic expenditure from its staffing and the standards in force for
    /// its kind and year: headcount × quota (ZB-14), contract staff capped (ZB-6c).
    #[tracing::instrument(skip_all)]
    pub async fn basic_expenditure(
        &self,
        caller: &Caller,
        unit_id: i64,
        year: FiscalYear,
    ) -> AppResult<BasicExpenditure> {
        let unit = self.foundation().organisation(caller, unit_id).await?;
        let Some(kind) = unit.unit_kind else {
            return Err(
                Refusal::new("BASIC_EXPENDITURE_UNIT_ONLY", "只有预算单位测算基本支出").into(),
            );
        };
        let mut conn = self.store.read().acquire().await?;
        let profile = lingji_store::foundation::profiles::current(
            &mut conn,
            unit.path.jurisdiction,
            year.value(),
        )
        .await?
        .ok_or_else(|| AppError::not_found(&format!("{year} 年度政策参数")))?;
        let catalogue = standards::list(&mut conn, unit.path.jurisdiction).await?;
        let s = unit.staffing;
        let reduction = profile
            .profile
            .library
            .contract_staff_yearly_reduction
            .basis_points();
        let contract_funded = lingji_domain::library::cost::funded_contract_staff(
            s.contract_staff,
            s.contract_quota,
            reduction,
        );
        let headcount = lingji_domain::library::cost::Headcount {
            in_service: s.actual_staff,
            retired: s.retired_staff,
            contract: contract_funded,
        };
        let (lines, total) = lingji_domain::library::cost::basic_expenditure(
            &catalogue,
            headcount,
            year.value(),
            kind,
        )?;
        Ok(BasicExpenditure {
            year: year.value(),
            in_service: s.actual_staff,
            contract_actual: s.contract_staff,
            contract_funded,
            lines,
            total,
        })
    }
}

impl crate::CatalogueUseCases<'_> {
    /// Loads indicators into a jurisdiction's library (PM-4) from CSV/XLSX: 领域, 指标类别,
    /// 指标名称, 比较方式, 计量单位. All rows checked; nothing written if one is wrong.
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn import_indicators(
        &self,
        scope: &Scope,
        file_name: &str,
        bytes: &[u8],
    ) -> AppResult<usize> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        use lingji_domain::library::targets::{Comparator, IndicatorCategory};
        scope.authorize_jurisdiction(Resource::Standard, Access::Write)?;
        let name = file_name.to_string();
        let rows = crate::blocking::parse(bytes, move |b| read_table(&name, b)).await?;
        let mut errors = Vec::new();
        let mut entries = Vec::new();
        for (line, cells) in &rows {
            let cell = |i: usize| cells.get(i).map(|c| c.trim()).unwrap_or("");
            let at = |col: &str, r: Refusal| {
                let field = format!("第 {line} 行「{col}」");
                Refusal {
                    message: format!("{field}：{}", r.message),
                    field: Some(field),
                    ..r
                }
            };
            let category =
                IndicatorCategory::parse(cell(1)).map_err(|r| errors.push(at("指标类别", r)));
            let comparator = Comparator::parse(cell(3)).map_err(|r| errors.push(at("比较方式", r)));
            if cell(0).is_empty() || cell(2).is_empty() {
                errors.push(at(
                    "指标名称",
                    Refusal::new("INDICATOR_LIBRARY_ROW_INCOMPLETE", "领域和指标名称不能为空"),
                ));
            }
            if let (Ok(category), Ok(comparator)) = (category, comparator) {
                entries.push(standards::LibraryIndicator {
                    id: 0,
                    sector: cell(0).into(),
                    category: category.as_str().into(),
                    name: cell(2).into(),
                    comparator: comparator.as_str().into(),
                    unit: cell(4).into(),
                });
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid {
                summary: Refusal::new(
                    "IMPORT_ROWS_INVALID",
                    format!("文件中有 {} 处错误，未导入任何数据", errors.len()),
                ),
                errors,
            });
        }
        let mut tx = self.store.begin().await?;
        for e in &entries {
            standards::insert_indicator(&mut tx, jurisdiction_id, e).await?;
        }
        let event = caller
            .event(
                jurisdiction_id,
                "indicators.import",
                "indicator_library",
                file_name,
            )
            .after_json(&serde_json::json!({ "rows": entries.len() }));
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(entries.len())
    }

    /// The indicator library of a jurisdiction (PM-4).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn indicator_library(
        &self,
        scope: &Scope,
    ) -> AppResult<Vec<standards::LibraryIndicator>> {
        let jurisdiction_id = scope.jurisdiction;
        scope.authorize_jurisdiction(Resource::Standard, Access::Read)?;
        let mut conn = self.store.read().acquire().await?;
        Ok(standards::indicators(&mut conn, jurisdiction_id).await?)
    }
}
