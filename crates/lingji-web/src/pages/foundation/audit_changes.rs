//! An audit event's before and after as people read them: a small table of 字段 → 原值 → 新值
//! with Chinese field names, amounts in 元, states by label, people by name and times in
//! Beijing time. Fields without a Chinese name are counted, not shown: the raw record stays one
//! click away (「原始数据」), so nothing is hidden from an auditor, but no code reaches the table.

use lingji_domain::allocation::Grade;
use lingji_domain::execution::{
    AdjustmentKind, AdjustmentStatus, Decision as PaymentDecision, PayeeKind, PaymentStatus,
    PlanStatus,
};
use lingji_domain::foundation::authz::Role;
use lingji_domain::foundation::fund::FundBook;
use lingji_domain::foundation::org::{OrgKind, UnitKind};
use lingji_domain::library::tier::SpendingTier;
use lingji_domain::library::{MatterClass, ProjectKind, ProjectState};
use lingji_domain::performance::{Decision as MonitoringDecision, Light};
use lingji_domain::review::decision::ReviewStage;
use lingji_domain::review::gates::{CapacityResult, GateKind, ProviderKind};
use lingji_domain::review::lists::ListKind;
use lingji_domain::review::routing::JointBody;
use lingji_domain::{Labelled, Money};
use serde_json::Value;

/// How a field's value reads.
#[derive(Clone, Copy)]
enum Shape {
    /// Free text, a number or an id as stored.
    Plain,
    /// A decimal amount in 元 (`"46000.00"`).
    Amount,
    /// A stored time (RFC 3339 UTC).
    Time,
    /// A login.
    Person,
    /// A code with a Chinese label among these tables.
    Code(&'static [fn(&str) -> Option<&'static str>]),
}

fn label<T: Labelled>(code: &str) -> Option<&'static str> {
    T::from_code(code).map(|v| v.label())
}

const STATES: &[fn(&str) -> Option<&'static str>] = &[
    label::<ProjectState>,
    label::<PaymentStatus>,
    label::<AdjustmentStatus>,
    label::<PlanStatus>,
];
const KINDS: &[fn(&str) -> Option<&'static str>] = &[
    label::<OrgKind>,
    label::<ProjectKind>,
    label::<AdjustmentKind>,
];
const DECISIONS: &[fn(&str) -> Option<&'static str>] =
    &[label::<MonitoringDecision>, label::<PaymentDecision>];

/// Every field with a Chinese name, in the order the table shows them.
const FIELDS: &[(&str, &str, Shape)] = &[
    ("name", "名称", Shape::Plain),
    ("display_name", "姓名", Shape::Plain),
    ("username", "用户", Shape::Person),
    ("code", "编码", Shape::Plain),
    ("state", "状态", Shape::Code(STATES)),
    ("status", "状态", Shape::Code(STATES)),
    ("stage", "审核环节", Shape::Code(&[label::<ReviewStage>])),
    ("decision", "处理方式", Shape::Code(DECISIONS)),
    ("kind", "类别", Shape::Code(KINDS)),
    ("unit_kind", "单位类别", Shape::Code(&[label::<UnitKind>])),
    ("role", "角色", Shape::Code(&[label::<Role>])),
    ("tier", "支出层级", Shape::Code(&[label::<SpendingTier>])),
    (
        "matter_class",
        "事项分类",
        Shape::Code(&[label::<MatterClass>]),
    ),
    ("fund_book", "资金账套", Shape::Code(&[label::<FundBook>])),
    ("grade", "等级", Shape::Code(&[label::<Grade>])),
    ("light", "预警灯", Shape::Code(&[label::<Light>])),
    ("gate", "前置条件", Shape::Code(&[label::<GateKind>])),
    ("result", "结论", Shape::Code(&[label::<CapacityResult>])),
    (
        "provider_kind",
        "服务主体类别",
        Shape::Code(&[label::<ProviderKind>]),
    ),
    (
        "payee_kind",
        "收款人类别",
        Shape::Code(&[label::<PayeeKind>]),
    ),
    (
        "review_body",
        "联合审核机构",
        Shape::Code(&[label::<JointBody>]),
    ),
    ("list", "清单", Shape::Code(&[label::<ListKind>])),
    ("fiscal_year", "年度", Shape::Plain),
    ("year", "年度", Shape::Plain),
    ("month", "月份", Shape::Plain),
    ("amount", "金额", Shape::Amount),
    ("total_need", "资金总需求", Shape::Amount),
    ("request", "本年申请", Shape::Amount),
    ("min_viable", "最低需求", Shape::Amount),
    ("approved", "批复数", Shape::Amount),
    ("spent", "已支付", Shape::Amount),
    ("own_funds", "自有资金", Shape::Amount),
    ("allocated", "安排数", Shape::Amount),
    ("reserve", "预备费", Shape::Amount),
    ("recovered", "收回", Shape::Amount),
    ("carried", "结转", Shape::Amount),
    ("approved_total", "核定用款", Shape::Amount),
    ("cash_limit", "用款限额", Shape::Amount),
    ("payee_name", "收款人", Shape::Plain),
    ("payee_account", "收款账号", Shape::Plain),
    ("purpose", "用途", Shape::Plain),
    ("economic_code", "经济分类", Shape::Plain),
    ("function_code", "功能分类", Shape::Plain),
    ("government_economic_code", "政府经济分类", Shape::Plain),
    ("line_id", "指标号", Shape::Plain),
    ("from_line_id", "调出指标号", Shape::Plain),
    ("to_line_id", "调入指标号", Shape::Plain),
    ("project_id", "项目号", Shape::Plain),
    ("unit_id", "单位号", Shape::Plain),
    ("department_id", "部门号", Shape::Plain),
    ("reason", "理由", Shape::Plain),
    ("note", "说明", Shape::Plain),
    ("overall_goal", "总体目标", Shape::Plain),
    ("responsible_person", "项目负责人", Shape::Plain),
    ("responsible_phone", "联系电话", Shape::Plain),
    ("org_name", "所属机构", Shape::Plain),
    ("document", "文号", Shape::Plain),
    ("source", "来源", Shape::Plain),
    ("item", "事项", Shape::Plain),
    ("provider", "服务主体", Shape::Plain),
    ("fund_code", "资金编码", Shape::Plain),
    ("score", "得分", Shape::Plain),
    ("rows", "行数", Shape::Plain),
    ("plans", "计划数", Shape::Plain),
    ("lines", "指标数", Shape::Plain),
    ("items", "项目数", Shape::Plain),
    ("number", "编号", Shape::Plain),
    ("clause", "条款", Shape::Plain),
    ("active", "启用", Shape::Plain),
    ("is_new", "新增项目", Shape::Plain),
    ("is_major", "重大项目", Shape::Plain),
    ("major", "重大", Shape::Plain),
    ("livelihood", "民生项目", Shape::Plain),
    ("three_guarantees", "三保", Shape::Plain),
    ("created_by", "创建人", Shape::Person),
    ("updated_by", "修改人", Shape::Person),
    ("chosen_by", "选定人", Shape::Person),
    ("published_by", "下达人", Shape::Person),
    ("approved_by", "批复人", Shape::Person),
    ("requested_by", "申请人", Shape::Person),
    ("decided_by", "决定人", Shape::Person),
    ("created_at", "创建时间", Shape::Time),
    ("updated_at", "修改时间", Shape::Time),
    ("chosen_at", "选定时间", Shape::Time),
    ("published_at", "下达时间", Shape::Time),
    ("approved_at", "批复时间", Shape::Time),
    ("password_changed_at", "密码修改时间", Shape::Time),
];

/// One row of the table.
pub struct Change {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// An event's changes as shown, and how many fields only the raw record shows.
pub struct Changes {
    pub rows: Vec<Change>,
    pub unnamed: usize,
}

fn fields(text: &str) -> Option<serde_json::Map<String, Value>> {
    if text.trim().is_empty() {
        return Some(serde_json::Map::new());
    }
    match serde_json::from_str::<Value>(text).ok()? {
        Value::Object(m) => Some(m),
        Value::Null => Some(serde_json::Map::new()),
        _ => None,
    }
}

/// Whether a text holds a word in Latin letters (a code, a file name, English) rather than only
/// what a person wrote in Chinese, numbers and codes with digits: such text stays in the raw
/// record.
fn code_like(s: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || "_-.:/%".contains(c);
    s.split(|c: char| !word(c)).any(|token| {
        !token.chars().any(|c| c.is_ascii_digit())
            && token
                .as_bytes()
                .windows(2)
                .any(|w| w[0].is_ascii_alphabetic() && w[1].is_ascii_alphabetic())
    })
}

fn shown(v: &Value, shape: Shape, person: &dyn Fn(&str) -> String) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Bool(b) => (if *b { "是" } else { "否" }).into(),
        Value::Number(n) => match (shape, n.as_i64()) {
            (Shape::Amount, Some(fen)) => format!("{} 元", Money::from_fen(fen).to_yuan_display()),
            _ => n.to_string(),
        },
        Value::Array(a) if a.is_empty() => "无".into(),
        Value::Array(a) => format!("共 {} 项（见原始数据）", a.len()),
        Value::Object(_) => "（见原始数据）".into(),
        Value::String(s) => match shape {
            Shape::Amount => Money::parse(s).map_or_else(
                |_| "（见原始数据）".into(),
                |m| format!("{} 元", m.to_yuan_display()),
            ),
            Shape::Time => crate::pages::beijing(s),
            Shape::Person => person(s),
            Shape::Code(tables) => tables
                .iter()
                .find_map(|t| t(s))
                .map_or_else(|| "（见原始数据）".into(), str::to_string),
            Shape::Plain if code_like(s) => "（见原始数据）".into(),
            Shape::Plain if s.chars().count() > 80 => {
                format!("{}…", s.chars().take(80).collect::<String>())
            }
            Shape::Plain => s.clone(),
        },
    }
}

/// The changes of one event: with both sides, the fields whose value changed; with one, every
/// field of it. `person` names a login.
pub fn changes(before: &str, after: &str, person: &dyn Fn(&str) -> String) -> Changes {
    let (Some(b), Some(a)) = (fields(before), fields(after)) else {
        return Changes {
            rows: Vec::new(),
            unnamed: 1,
        };
    };
    let both = !b.is_empty() && !a.is_empty();
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let keys: Vec<&String> = keys
        .into_iter()
        .filter(|k| !both || a.get(*k) != b.get(*k))
        .collect();
    let mut rows = Vec::new();
    for (key, name, shape) in FIELDS {
        if !keys.iter().any(|k| k == key) {
            continue;
        }
        let side = |m: &serde_json::Map<String, Value>| {
            m.get(*key)
                .map_or_else(String::new, |v| shown(v, *shape, person))
        };
        let (before, after) = (side(&b), side(&a));
        if rows
            .iter()
            .any(|r: &Change| r.field == *name && r.before == before && r.after == after)
        {
            continue;
        }
        rows.push(Change {
            field: name,
            before,
            after,
        });
    }
    let unnamed = keys
        .iter()
        .filter(|k| !FIELDS.iter().any(|(f, _, _)| *f == k.as_str()))
        .count();
    Changes { rows, unnamed }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(login: &str) -> String {
        if login == "caizheng" {
            "财政局 王财政".into()
        } else {
            login.into()
        }
    }

    #[test]
    fn changed_fields_read_in_chinese_and_codes_stay_in_the_raw_record() {
        let c = changes(
            r#"{"state":"reserve","request":"161500.00","updated_by":"caizheng","x":1}"#,
            r#"{"state":"admitted","request":"161500.00","updated_by":"caizheng","x":2,"note":"ok"}"#,
            &person,
        );
        let rows: Vec<(&str, &str, &str)> = c
            .rows
            .iter()
            .map(|r| (r.field, r.before.as_str(), r.after.as_str()))
            .collect();
        assert_eq!(
            rows,
            vec![("状态", "储备", "入库"), ("说明", "", "（见原始数据）")]
        );
        assert_eq!(c.unnamed, 1);
        let c = changes(
            "",
            r#"{"amount":"46000.00","created_by":"caizheng"}"#,
            &person,
        );
        assert_eq!(c.rows[0].after, "46,000.00 元");
        assert_eq!(c.rows[1].after, "财政局 王财政");
        assert!(code_like("导入 demo_standards.csv"));
        assert!(!code_like("合同 HT-2026-009，6222021234567890"));
    }
}
