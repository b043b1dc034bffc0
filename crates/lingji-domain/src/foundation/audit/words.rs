//! The audit log in people's words: each recorded action and kind of object by its Chinese name,
//! for the pages (the log itself keeps the stable codes, which scripts filter on).

/// Every action a use case records, by code, with what a person calls it.
pub const ACTIONS: &[(&str, &str)] = &[
    ("adjustment.approve", "批准预算调整"),
    ("adjustment.reject", "驳回预算调整"),
    ("adjustment.request", "申请预算调整"),
    ("allocation.approve", "批复预算"),
    ("allocation.choose", "选定测算方案"),
    ("allocation.publish", "下达预算控制数"),
    ("allocation.resources", "设定可用财力"),
    ("allocation.run", "零基测算"),
    ("audit.key", "启用审计密钥"),
    ("audit.seal", "封存指标分录"),
    ("budget_line.transfer", "上级转移支付指标"),
    ("codes.import", "导入分类科目"),
    ("disclosure.publish", "信息公开"),
    ("disclosure.withdraw", "撤回公开"),
    ("evaluation.key", "重点绩效评价"),
    ("evaluation.self", "绩效自评"),
    ("finance_list.create", "新增清单条目"),
    ("finance_list.update", "修改清单条目"),
    ("fiscal_year.start", "开启预算年度"),
    ("fund_pool.allocate", "分配资金池"),
    ("fund_pool.apply", "申报资金池"),
    ("fund_pool.create", "新建资金池"),
    ("fund_pool.update", "修改资金池"),
    ("indicators.import", "导入绩效指标库"),
    ("monitoring_rule.disable", "停用监控规则"),
    ("monitoring_rule.enable", "启用监控规则"),
    ("monitoring_rule.put", "保存监控规则"),
    ("monitoring.decide", "绩效监控处理"),
    ("monitoring.record", "填报绩效监控"),
    ("org.create", "新增机构"),
    ("org.staffing_update", "修改编制人数"),
    ("org.update", "修改机构"),
    ("organisation.own_funds", "登记单位自有资金"),
    ("payment.confirm", "核实确认支付"),
    ("payment.pay", "支付"),
    ("payment.reject", "退回支付申请"),
    ("payment.request", "申请支付"),
    ("payments.lift", "恢复拨款"),
    ("payments.suspend", "暂缓拨款"),
    ("policy.update", "修改政策参数"),
    ("project.attach", "上传项目附件"),
    ("project.create", "新建项目"),
    ("project.detach", "删除项目附件"),
    ("project.gate", "登记前置条件"),
    ("project.import", "导入项目"),
    ("project.move", "项目流转"),
    ("project.retire", "项目退库"),
    ("project.review", "项目审核"),
    ("project.update", "修改项目"),
    ("results.apply", "绩效结果应用"),
    ("results.retire_policy", "政策退出"),
    ("rule_hit.dispose", "处理预警"),
    ("spending_plan.file", "申报用款计划"),
    ("spending_plan.review", "审核用款计划"),
    ("standards.import", "导入支出标准"),
    ("targets.put", "设定绩效目标"),
    ("token.issue", "签发访问令牌"),
    ("token.revoke", "撤销访问令牌"),
    ("user.create", "新增用户"),
    ("user.password_change", "修改密码"),
    ("user.password_reset", "重置密码"),
    ("user.update", "修改用户"),
    ("year.close", "年终结转"),
    ("year_end.recover", "收回结余资金"),
];

/// Every kind of object the log records, by code, with its Chinese name.
pub const OBJECTS: &[(&str, &str)] = &[
    ("adjustment", "预算调整"),
    ("agencies", "第三方机构"),
    ("allocation_run", "测算方案"),
    ("api_token", "访问令牌"),
    ("audit", "审计日志"),
    ("available_resources", "可用财力"),
    ("budget_line", "预算指标"),
    ("code_table", "分类科目表"),
    ("events", "事项清单"),
    ("fiscal_year", "预算年度"),
    ("fund_pool", "资金池"),
    ("indicator_library", "绩效指标库"),
    ("key_matters", "重大事项清单"),
    ("monitoring_rule", "监控规则"),
    ("negative_list", "政府购买服务负面清单"),
    ("organisation", "机构"),
    ("payment", "支付申请"),
    ("performance_target", "绩效目标"),
    ("plan_review", "用款计划审核"),
    ("policy_profile", "政策参数"),
    ("project", "项目"),
    ("publication", "公开信息"),
    ("rule_hit", "预警"),
    ("special_funds", "专项资金清单"),
    ("spending_plan", "用款计划"),
    ("standard", "支出标准"),
    ("user", "用户"),
];

/// What a person calls `action`; None for a code no use case records.
pub fn action_label(action: &str) -> Option<&'static str> {
    ACTIONS.iter().find(|(c, _)| *c == action).map(|(_, l)| *l)
}

/// What a person calls the kind of object `kind`; None for an unknown one.
pub fn object_label(kind: &str) -> Option<&'static str> {
    OBJECTS.iter().find(|(c, _)| *c == kind).map(|(_, l)| *l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_named_once() {
        for table in [ACTIONS, OBJECTS] {
            let mut codes: Vec<_> = table.iter().map(|(c, _)| *c).collect();
            codes.sort();
            codes.dedup();
            assert_eq!(codes.len(), table.len());
        }
        assert_eq!(action_label("payment.pay"), Some("支付"));
        assert_eq!(object_label("allocation_run"), Some("测算方案"));
        assert_eq!(action_label("payment.teleport"), None);
    }
}
