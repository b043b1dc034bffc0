//! What finance publishes (PM-5, QJ-5c).

use serde::{Deserialize, Serialize};

labelled! {
    /// A kind of published item.
    PublicationKind {
        ProjectTargets = "project_targets" / "项目绩效目标",
        Targets = "targets" / "部门整体及政策绩效目标",
        SelfEvaluation = "self_evaluation" / "单位自评结果",
        /// 财政重点评价结果
        KeyEvaluation = "key_evaluation" / "重点评价结果",
        /// 专项资金任务清单与政策
        SpecialFund = "special_fund" / "专项资金任务清单及政策",
    }
}
