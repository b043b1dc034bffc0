//! Codes a page shows in people's words: a project's history and review steps.

use lingji_domain::library::ProjectState;

/// What happened to a project in one history entry.
pub fn project_action(action: &str) -> &'static str {
    match action {
        "create" => "新建",
        "update" => "修改",
        "move" => "流转",
        "cleanup" => "清理退出",
        "attach" => "上传附件",
        "detach" => "删除附件",
        "seed" => "示范数据",
        _ => "其他",
    }
}

/// A project state stored as its code.
pub fn project_state(state: &str) -> &'static str {
    ProjectState::parse(state).map_or("未知", ProjectState::label)
}

/// A reviewer's decision stored as its code.
pub fn decision(code: &str) -> &'static str {
    lingji_app::review::flow::decision_label(code)
}
