//! The default monitoring rule catalogue (ZX-4b): 46 rules in 15 classes drawn from published
//! treasury-monitoring practice, installed for a jurisdiction that has none and then kept by
//! finance as data. Thresholds sit in the expressions, where finance edits them.

use super::rules::{Action, MonitoringRule};

/// (code, class, name, expression, action, clause, message).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Action,
    Option<&'static str>,
    &'static str,
);

use Action::{Block as B, Notice as N, Warning as W};

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // 无预算、超预算 (ZB-7a)
    ("B01-01", "无预算超预算", "超指标余额支付", "payment.amount > line.available", B, Some("ZB-7a"), "支付金额超过指标可用余额，不得超预算列支"),
    ("B01-02", "无预算超预算", "跨年度列支", "payment.year != line.fiscal_year", B, Some("ZB-7a"), "支付日期不在指标所属预算年度，不得跨年度列支"),
    ("B01-03", "无预算超预算", "单笔支付超过指标一半", "payment.amount * 2 > line.budget", N, Some("ZB-7a"), "单笔支付超过该指标预算的一半，请确认用款进度"),
    // 三公经费 (ZB-6b)
    ("B02-01", "三公经费", "三公经费超预算", "catalogue.sangong and unit.sangong_used + payment.amount > unit.sangong_budget", B, Some("ZB-6b"), "本单位三公经费已用与本笔合计超过三公经费预算"),
    ("B02-02", "三公经费", "无三公预算列支三公经费", "catalogue.sangong and unit.sangong_budget == 0", B, Some("ZB-6b"), "本单位无三公经费预算，不得列支"),
    ("B02-03", "三公经费", "公务接待列支烟酒礼品", "startsWith(payment.economic_code, '30217') and (contains(payment.purpose, '烟') or contains(payment.purpose, '酒') or contains(payment.purpose, '高档') or contains(payment.purpose, '礼品'))", B, Some("ZB-6b"), "公务接待不得列支烟酒、礼品和高档菜肴"),
    ("B02-04", "三公经费", "公务接待费付给个人", "startsWith(payment.economic_code, '30217') and payment.payee_kind == 'individual'", W, Some("ZB-6b"), "公务接待费应付给接待单位或以公务卡结算"),
    ("B02-05", "三公经费", "公务用车费用付给个人", "startsWith(payment.economic_code, '30231') and payment.payee_kind == 'individual'", W, Some("ZB-6b"), "公务用车运行维护费应付给服务单位或以公务卡结算"),
    ("B02-06", "三公经费", "因公出国（境）大额支付", "startsWith(payment.economic_code, '30212') and payment.amount > 100000", W, Some("ZB-6b"), "因公出国（境）单笔超过 10 万元，请核对批件和团组预算"),
    // 节庆论坛展会 (ZB-6a)
    ("B03-01", "节庆论坛展会", "活动未列入清单", "event.listed == false", B, Some("ZB-6a"), "该节庆、论坛、展会活动未列入本年度清单，不得安排支出"),
    ("B03-02", "节庆论坛展会", "疑似活动支出未填清单编号", "payment.event_code == null and (contains(payment.purpose, '文化节') or contains(payment.purpose, '艺术节') or contains(payment.purpose, '旅游节') or contains(payment.purpose, '节庆') or contains(payment.purpose, '论坛') or contains(payment.purpose, '展会') or contains(payment.purpose, '博览会') or contains(payment.purpose, '庆典'))", W, Some("ZB-6a"), "用途像节庆论坛展会活动，请填写活动清单编号"),
    ("B03-03", "节庆论坛展会", "活动单笔大额", "payment.event_code != null and payment.amount > 200000", N, Some("ZB-6a"), "活动支出单笔超过 20 万元"),
    // 公务卡结算
    ("B04-01", "公务卡结算", "目录内支出未用公务卡", "catalogue.card_mandatory and payment.payee_kind == 'individual' and payment.amount > 1000", W, Some("ZX-4b"), "属公务卡强制结算目录的支出，超过 1000 元不得付给个人"),
    ("B04-02", "公务卡结算", "目录内小额支出付给个人", "catalogue.card_mandatory and payment.payee_kind == 'individual' and payment.amount <= 1000", N, Some("ZX-4b"), "属公务卡强制结算目录的支出，原则上应使用公务卡"),
    ("B04-03", "公务卡结算", "公务卡单笔大额", "payment.payee_kind == 'official_card' and payment.amount > 50000", W, Some("ZX-4b"), "公务卡单笔还款超过 5 万元"),
    ("B04-04", "公务卡结算", "公务卡列支人员或补助支出", "payment.payee_kind == 'official_card' and (startsWith(payment.economic_code, '301') or startsWith(payment.economic_code, '303'))", B, Some("ZX-4b"), "人员支出和对个人补助不得通过公务卡列支"),
    // 对个人转账
    ("B05-01", "对个人转账", "向个人转账超过 5 万元", "payment.payee_kind == 'individual' and payment.amount > 50000", W, Some("ZX-4b"), "向个人转账单笔超过 5 万元"),
    ("B05-02", "对个人转账", "向个人转账超过 20 万元", "payment.payee_kind == 'individual' and payment.amount > 200000", B, Some("ZX-4b"), "向个人转账单笔超过 20 万元，不予支付"),
    ("B05-03", "对个人转账", "首次向个人大额转账", "payment.payee_kind == 'individual' and payee.first_time and payment.amount > 10000", N, Some("ZX-4b"), "首次向该个人账户转账且超过 1 万元"),
    ("B05-04", "对个人转账", "劳务费无合同", "startsWith(payment.economic_code, '30226') and payment.payee_kind == 'individual' and not payment.has_contract and payment.amount > 5000", N, Some("ZX-4b"), "劳务费超过 5000 元未填写合同编号"),
    // 本单位及关联账户
    ("B06-01", "本单位及关联账户", "转入本单位账户", "payee.own_unit", B, Some("ZX-4b"), "收款人为本单位，不得将财政资金转入本单位账户"),
    ("B06-02", "本单位及关联账户", "转往其他预算单位无合同", "payee.budget_unit and not payment.has_contract", W, Some("ZX-4b"), "收款人为其他预算单位且无合同，请核实资金用途"),
    ("B06-03", "本单位及关联账户", "转往工会或社团", "(contains(payment.payee_name, '工会') or contains(payment.payee_name, '协会') or contains(payment.payee_name, '学会') or contains(payment.payee_name, '商会'))", W, Some("ZX-4b"), "收款人为工会或社团组织，请核实"),
    // 大额现金
    ("B07-01", "大额现金", "提取现金超过 5 万元", "(contains(payment.purpose, '现金') or contains(payment.purpose, '提现') or contains(payment.purpose, '取现')) and payment.amount > 50000", W, Some("ZX-4b"), "提取现金超过 5 万元"),
    ("B07-02", "大额现金", "提取现金超过 20 万元", "(contains(payment.purpose, '现金') or contains(payment.purpose, '提现') or contains(payment.purpose, '取现')) and payment.amount > 200000", B, Some("ZX-4b"), "提取现金超过 20 万元，不予支付"),
    ("B07-03", "大额现金", "备用金超过 2 万元", "contains(payment.purpose, '备用金') and payment.amount > 20000", N, Some("ZX-4b"), "备用金超过 2 万元"),
    // 拆分支付
    ("B08-01", "拆分支付", "拆分规避个人转账限额", "payment.amount >= 45000 and payment.amount <= 50000 and len(filter(payee.recent_7d, # >= 45000 and # <= 50000)) >= 2", W, Some("ZX-4b"), "7 日内向同一收款人多笔略低于 5 万元的支付，疑似拆分"),
    ("B08-02", "拆分支付", "拆分规避采购限额", "payment.amount < 200000 and len(payee.recent_7d) > 0 and sum(payee.recent_7d) + payment.amount >= 200000", W, Some("ZX-4b"), "7 日内向同一收款人累计达 20 万元，疑似化整为零规避采购"),
    // 频次异常
    ("B09-01", "频次异常", "同一收款人月内频繁", "payee.count_30d >= 10", N, Some("ZX-4b"), "30 日内向同一收款人支付 10 笔以上"),
    ("B09-02", "频次异常", "单位当日笔数过多", "unit.today_count >= 20", N, Some("ZX-4b"), "本单位当日已提交 20 笔以上支付"),
    ("B09-03", "频次异常", "向个人整数大额", "payment.payee_kind == 'individual' and payment.amount >= 100000 and payment.amount % 10000 == 0", N, Some("ZX-4b"), "向个人支付整万元大额款项"),
    // 节假日
    ("B10-01", "节假日支付", "周末支付", "calendar.weekend", N, Some("ZX-4b"), "支付日期为周末"),
    ("B10-02", "节假日支付", "法定节假日支付", "calendar.holiday", W, Some("ZX-4b"), "支付日期为法定节假日"),
    ("B10-03", "节假日支付", "年末突击支付", "payment.month == 12 and payment.day >= 20 and payment.amount > 1000000", N, Some("ZX-4b"), "年末集中支付超过 100 万元，请核实是否突击花钱"),
    // 会议培训
    ("B11-01", "会议培训", "会议费超标准", "startsWith(payment.economic_code, '30215') and payment.per_person_day != null and payment.per_person_day > 550", W, Some("ZB-6b"), "会议费超过每人每天 550 元的标准"),
    ("B11-02", "会议培训", "培训费超标准", "startsWith(payment.economic_code, '30216') and payment.per_person_day != null and payment.per_person_day > 450", W, Some("ZB-6b"), "培训费超过每人每天 450 元的标准"),
    ("B11-03", "会议培训", "会议培训未填人数天数", "(startsWith(payment.economic_code, '30215') or startsWith(payment.economic_code, '30216')) and payment.per_person_day == null", N, Some("ZB-6b"), "会议费、培训费请填写人数和天数"),
    ("B11-04", "会议培训", "会议培训差旅超年度预算", "(startsWith(payment.economic_code, '30211') or startsWith(payment.economic_code, '30215') or startsWith(payment.economic_code, '30216')) and unit.class_used + payment.amount > unit.class_budget", W, Some("ZB-6b"), "本单位该科目已用与本笔合计超过年度预算"),
    // 人员经费
    ("B12-01", "人员经费", "公用经费发放人员费用", "startsWith(payment.economic_code, '302') and (contains(payment.purpose, '工资') or contains(payment.purpose, '奖金') or contains(payment.purpose, '津贴') or contains(payment.purpose, '补贴') or contains(payment.purpose, '绩效') or contains(payment.purpose, '加班费'))", B, Some("ZX-4b"), "不得以公用经费发放工资、奖金、津补贴"),
    ("B12-02", "人员经费", "人员经费付给非代发机构", "startsWith(payment.economic_code, '301') and payment.payee_kind == 'unit' and not (contains(payment.payee_name, '银行') or contains(payment.payee_name, '社会保险') or contains(payment.payee_name, '社保') or contains(payment.payee_name, '公积金') or contains(payment.payee_name, '税务'))", N, Some("ZX-4b"), "人员经费付给非银行、社保、公积金、税务机构"),
    // 专项资金
    ("B13-01", "专项资金", "专项资金已到期", "line.special_fund_expired", B, Some("ZB-12"), "该指标所属专项资金已到期，不得继续支付"),
    ("B13-02", "专项资金", "三保指标用于资本性支出", "line.three_guarantees and startsWith(payment.economic_code, '310')", W, Some("ZX-4b"), "三保指标不得用于资本性支出"),
    // 合同
    ("B14-01", "合同管理", "大额支付无合同", "payment.payee_kind == 'unit' and not payment.has_contract and payment.amount >= 100000", W, Some("ZX-4b"), "向单位支付 10 万元以上未填写合同编号"),
    ("B14-02", "合同管理", "资本性支出无合同", "startsWith(payment.economic_code, '310') and not payment.has_contract", W, Some("ZX-4b"), "资本性支出未填写合同编号"),
    ("B14-03", "合同管理", "委托业务费无合同", "startsWith(payment.economic_code, '30227') and not payment.has_contract and payment.amount > 50000", N, Some("ZX-4b"), "委托业务费超过 5 万元未填写合同编号"),
    // 单位资金
    ("B15-01", "单位资金", "单位资金未优先使用", "line.fund_book != 'unit_funds' and unit.own_funds_available >= payment.amount", W, Some("ZB-11"), "本单位同科目单位资金可用余额足以支付，应先使用单位资金"),
];

/// The default catalogue, every rule enabled and without end date.
pub fn default_catalogue() -> Vec<MonitoringRule> {
    ROWS.iter()
        .map(
            |&(code, class, name, expression, action, clause, message)| MonitoringRule {
                code: code.into(),
                class: class.into(),
                name: name.into(),
                expression: expression.into(),
                action,
                clause: clause.map(Into::into),
                message: message.into(),
                effective_from: None,
                effective_to: None,
                enabled: true,
            },
        )
        .collect()
}

#[cfg(test)]
#[path = "catalogue_tests.rs"]
mod tests;
