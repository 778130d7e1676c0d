//! The words of the console's warnings (预警) pages.

use super::Lang;

pub struct WarningTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub village: &'static str,
    pub rule: &'static str,
    pub severity: &'static str,
    pub state: &'static str,
    pub any: &'static str,
    pub filter: &'static str,
    pub message: &'static str,
    pub evidence: &'static str,
    pub none: &'static str,
    pub open: &'static str,
    pub reviewed: &'static str,
    pub dismissed: &'static str,
    pub resolved: &'static str,
    pub note_label: &'static str,
    pub review: &'static str,
    pub dismiss: &'static str,
    pub trail: &'static str,
    pub system: &'static str,
    pub saved: &'static str,
    pub thresholds: &'static str,
    pub back: &'static str,
    /// `{n}`: warnings matching.
    pub count: &'static str,
    pub page: &'static str,
    pub first_seen: &'static str,
}

const ZH: WarningTexts = WarningTexts {
    title: "预警",
    intro: "按规则自动发现的问题，每条附有证据链接。核查后填写情况标记为“已核查”，确认无问题的填写理由“排除”。数据变化后预警自动更新：问题消失的自动消除，再出现的重新打开。",
    village: "村（社区）",
    rule: "规则",
    severity: "等级",
    state: "状态",
    any: "全部",
    filter: "筛选",
    message: "情况",
    evidence: "证据",
    none: "没有符合条件的预警。",
    open: "待处理",
    reviewed: "已核查",
    dismissed: "已排除",
    resolved: "已消除",
    note_label: "核查情况或排除理由",
    review: "标记已核查",
    dismiss: "排除",
    trail: "处理记录",
    system: "系统",
    saved: "已保存，并记入处理记录和审计日志。",
    thresholds: "预警阈值",
    back: "返回预警列表",
    count: "共 {n} 条",
    page: "页",
    first_seen: "首次发现",
};

const EN: WarningTexts = WarningTexts {
    title: "Warnings",
    intro: "Problems found by rules, each with links to its evidence. Mark one reviewed with what you found, or dismiss it with the reason. Warnings follow the data: one that no longer holds is resolved, one that comes back reopens.",
    village: "Village",
    rule: "Rule",
    severity: "Severity",
    state: "State",
    any: "All",
    filter: "Filter",
    message: "Finding",
    evidence: "Evidence",
    none: "No warnings match.",
    open: "Open",
    reviewed: "Reviewed",
    dismissed: "Dismissed",
    resolved: "Resolved",
    note_label: "What you found, or why it is no problem",
    review: "Mark reviewed",
    dismiss: "Dismiss",
    trail: "Trail",
    system: "system",
    saved: "Saved, on the warning's trail and in the audit log.",
    thresholds: "Thresholds",
    back: "Back to the warnings",
    count: "{n} in all",
    page: "Page",
    first_seen: "First found",
};

impl Lang {
    pub fn warnings(self) -> &'static WarningTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
}

impl WarningTexts {
    pub fn state(&self, s: yangguang_store::WarningState) -> &'static str {
        use yangguang_store::WarningState::*;
        match s {
            Open => self.open,
            Reviewed => self.reviewed,
            Dismissed => self.dismissed,
            Resolved => self.resolved,
        }
    }
}
