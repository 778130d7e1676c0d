//! The words of the console's warning-thresholds page (预警阈值): the thresholds' names and
//! units, the form, the history, and why a new value was refused.

use super::Lang;
use crate::warnings::thresholds::Refusal;

pub struct ThresholdTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub dates: &'static str,
    pub read_only: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub default: &'static str,
    pub overrides: &'static str,
    pub in_force: &'static str,
    pub region: &'static str,
    pub value: &'static str,
    pub from: &'static str,
    pub by: &'static str,
    pub at: &'static str,
    pub previous: &'static str,
    pub first_set: &'static str,
    pub not_yet: &'static str,
    pub none: &'static str,
    pub form_title: &'static str,
    pub choose: &'static str,
    pub from_hint: &'static str,
    pub save: &'static str,
    pub history: &'static str,
    pub history_none: &'static str,
    /// `{n}`: villages recomputed.
    pub saved: &'static str,
    pub csrf_expired: &'static str,
    pub link: &'static str,
    pub back: &'static str,
    /// The refusals' words; `{min}`, `{max}`, `{today}`, `{name}` are filled in.
    unknown_name: &'static str,
    unknown_region: &'static str,
    outside_scope: &'static str,
    not_a_number: &'static str,
    out_of_range: &'static str,
    bad_date: &'static str,
    past_date: &'static str,
    /// Per threshold (in `Thresholds::NAMES`' order): its name and unit.
    labels: [(&'static str, &'static str, &'static str); 12],
}

const ZH: ThresholdTexts = ThresholdTexts {
    title: "预警阈值",
    intro: "预警规则按这些数值判断。默认值对全县适用；县可以为全县、也可以为某个镇另设数值，镇可以为本镇另设数值，镇的数值优先于县的。每项数值从“生效日期”起适用，改动后本辖区各村的预警立即重新计算。",
    dates: "生效日期只能是今天或以后：过去各天的预警已按当时的阈值发现和处理，改动过去会让已有的核查失去依据。选今天则立即生效；选以后的日期则在当天生效，届时自动重新计算。同一地区、同一项目、同一生效日期再次设置会替换原值，变更记录保留每一次改动。要恢复默认，请从某日起设为默认值。",
    read_only: "您可以查看阈值和变更记录；修改本辖区阈值的是镇审核员、县农业农村局、县民政局和平台管理员。",
    name: "项目",
    unit: "单位",
    default: "默认值",
    overrides: "县、镇另设的数值",
    in_force: "今天适用的数值（未列出的镇与县相同）",
    region: "地区",
    value: "数值",
    from: "生效日期",
    by: "设置人",
    at: "设置时间",
    previous: "原值",
    first_set: "新设",
    not_yet: "尚未生效",
    none: "未另设，使用默认值",
    form_title: "另设一项阈值",
    choose: "请选择",
    from_hint: "今天或以后的日期，格式如 2026-12-07。",
    save: "保存并重新计算预警",
    history: "变更记录",
    history_none: "还没有任何改动。",
    saved: "已保存并记入审计日志；{n} 个村（社区）的预警已重新计算。",
    csrf_expired: "表单已过期或来源不明（CSRF 校验失败），没有保存。您填写的内容已保留，请核对后重新提交。",
    link: "查看和设置预警阈值",
    back: "返回预警列表",
    unknown_name: "没有名为「{name}」的预警阈值，请从列表中选择项目。",
    unknown_region: "请选择一个县或镇。",
    outside_scope: "您不能修改该地区的阈值：只能设置您负责的县或镇（镇只能设置本镇）。",
    not_a_number: "请填写整数，例如 1000。",
    out_of_range: "该项目的数值须在 {min} 到 {max} 之间。",
    bad_date: "请填写日期，格式如 2026-12-07。",
    past_date: "生效日期不能早于今天（{today}）：过去各天的预警已按当时的阈值处理。",
    labels: [
        ("overdue_red_days", "逾期转红天数", "天"),
        ("busy_month_vouchers", "业务较多月份的凭证数", "张"),
        ("cash_limit_yuan", "库存现金限额", "元"),
        ("cash_payment_yuan", "现金支付限额", "元"),
        ("approval_yuan", "审批金额（拆分支付判断）", "元"),
        ("split_days", "拆分支付观察天数", "天"),
        ("split_min_share_percent", "拆分单笔最低占比", "%"),
        ("large_payment_yuan", "大额支出（须有民主决策）", "元"),
        ("must_trade_rent_yuan", "应进场交易的年租金", "元"),
        ("arrears_grace_days", "租金拖欠宽限天数", "天"),
        ("spike_percent", "支出异常倍数", "%"),
        ("spike_min_yuan", "支出异常最低金额", "元"),
    ],
};

const EN: ThresholdTexts = ThresholdTexts {
    title: "Warning thresholds",
    intro: "The warning rules judge by these values. The defaults hold for the whole county; a county may set its own values for itself or for one of its towns, a town for itself, and a town's value wins over its county's. Each value holds from its effective date; after a change the warnings of every village concerned are recomputed at once.",
    dates: "The effective date is today or later: past days' warnings were found and handled with the values then in force, and changing the past would pull the ground from under reviews already made. Today takes effect at once; a later date takes effect on that day, with a recompute then. Setting the same item for the same region and date again replaces the value; the history keeps every change. To go back to the default, set the default value from a date.",
    read_only: "You can read the thresholds and their history; township reviewers, the county's agriculture and civil-affairs bureaus and platform admins change them for their regions.",
    name: "Item",
    unit: "Unit",
    default: "Default",
    overrides: "Values set by the county or a town",
    in_force: "In force today (a town not listed: as its county)",
    region: "Region",
    value: "Value",
    from: "Effective from",
    by: "Set by",
    at: "Set at",
    previous: "Was",
    first_set: "new",
    not_yet: "not yet in force",
    none: "none: the default holds",
    form_title: "Set a threshold",
    choose: "Choose",
    from_hint: "Today or a later day, as 2026-12-07.",
    save: "Save and recompute the warnings",
    history: "History",
    history_none: "No changes yet.",
    saved: "Saved and in the audit log; the warnings of {n} villages were recomputed.",
    csrf_expired: "The form expired or came from elsewhere (CSRF check failed); nothing was saved. What you typed is kept: check it and send it again.",
    link: "Read and set the warning thresholds",
    back: "Back to the warnings",
    unknown_name: "There is no threshold named “{name}”: choose an item from the list.",
    unknown_region: "Choose a county or a town.",
    outside_scope: "You cannot change this region's thresholds: only a county or town you are responsible for (a town's staff only their town).",
    not_a_number: "Type a whole number, such as 1000.",
    out_of_range: "This item's value must be between {min} and {max}.",
    bad_date: "Type a date, as 2026-12-07.",
    past_date: "The effective date cannot be before today ({today}): past days' warnings were handled with the values then in force.",
    labels: [
        ("overdue_red_days", "Days overdue before an item turns red", "days"),
        ("busy_month_vouchers", "Vouchers that make a month busy", "vouchers"),
        ("cash_limit_yuan", "Cash on hand limit", "yuan"),
        ("cash_payment_yuan", "Cash payment limit", "yuan"),
        ("approval_yuan", "Approval amount (split payments)", "yuan"),
        ("split_days", "Split-payment window", "days"),
        ("split_min_share_percent", "Smallest share of a split part", "%"),
        ("large_payment_yuan", "Large payment (needs a decision record)", "yuan"),
        ("must_trade_rent_yuan", "Annual rent that must be traded", "yuan"),
        ("arrears_grace_days", "Rent arrears grace", "days"),
        ("spike_percent", "Spending spike ratio", "%"),
        ("spike_min_yuan", "Spending spike minimum", "yuan"),
    ],
};

impl Lang {
    pub fn thresholds(self) -> &'static ThresholdTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
}

impl ThresholdTexts {
    /// A threshold's name and unit as people read them; an unknown name reads as itself.
    pub fn label<'a>(&'a self, name: &'a str) -> (&'a str, &'static str) {
        match self.labels.iter().find(|(n, ..)| *n == name) {
            Some((_, label, unit)) => (label, unit),
            None => (name, ""),
        }
    }

    /// Why a new value was refused, in these words.
    pub fn refusal(&self, r: &Refusal) -> String {
        match r {
            Refusal::UnknownName(name) => self.unknown_name.replace("{name}", name),
            Refusal::UnknownRegion => self.unknown_region.to_owned(),
            Refusal::OutsideScope => self.outside_scope.to_owned(),
            Refusal::NotANumber => self.not_a_number.to_owned(),
            Refusal::OutOfRange { min, max } => {
                self.out_of_range.replace("{min}", &min.to_string()).replace("{max}", &max.to_string())
            }
            Refusal::BadDate => self.bad_date.to_owned(),
            Refusal::PastDate { today } => self.past_date.replace("{today}", &today.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yangguang_core::warning::Thresholds;

    #[test]
    fn every_threshold_has_a_name_and_unit_in_both_languages() {
        for t in [&ZH, &EN] {
            let names: Vec<&str> = t.labels.iter().map(|(n, ..)| *n).collect();
            let shipped: Vec<&str> = Thresholds::NAMES.iter().map(|(n, ..)| *n).collect();
            assert_eq!(names, shipped);
            assert!(t.labels.iter().all(|(_, l, u)| !l.is_empty() && !u.is_empty()));
        }
    }
}
