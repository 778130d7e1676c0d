//! The words of the console's frame — its navigation, the counts of work waiting, the headings
//! of refusals, content fingerprints — and [`pick`], which shows a "中文 / English" message in
//! the reader's language.

use super::Lang;

pub struct ConsoleTexts {
    pub nav_label: &'static str,
    pub menu: &'static str,
    pub work: &'static str,
    pub waiting: &'static str,
    pub to_review: &'static str,
    pub returned: &'static str,
    pub new_item: &'static str,
    pub published: &'static str,
    pub ledger: &'static str,
    pub receipts: &'static str,
    /// Villagers' questions (我要质询) and the count waiting.
    pub questions: &'static str,
    pub questions_waiting: &'static str,
    /// Visit statistics (访问统计).
    pub visits: &'static str,
    pub assets: &'static str,
    pub leases: &'static str,
    pub decisions: &'static str,
    pub households: &'static str,
    pub bank: &'static str,
    pub audit: &'static str,
    pub users: &'static str,
    pub tips: &'static str,
    pub account: &'static str,
    pub logout: &'static str,
    pub refused_title: &'static str,
    pub changed_title: &'static str,
    pub bad_request_title: &'static str,
    pub fingerprint: &'static str,
    pub fingerprint_help: &'static str,
    pub phone: &'static str,
    pub phone_hint: &'static str,
    pub save_phone: &'static str,
    pub phone_saved: &'static str,
    pub phone_removed: &'static str,
    pub reports: &'static str,
    pub new_reports: &'static str,
}

impl Lang {
    pub fn console(self) -> &'static ConsoleTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
}

/// A message written "中文 / English" (as services' refusals are) in the reader's language:
/// the Chinese before the first " / ", the English after it. One-language text is kept whole.
pub fn pick(message: &str, lang: Lang) -> &str {
    match message.split_once(" / ") {
        // Only a Chinese half before the slash makes it a two-language message.
        Some((zh, en)) if has_cjk(zh) && !en.trim().is_empty() => match lang {
            Lang::Zh => zh.trim_end(),
            Lang::En => en.trim_start(),
        },
        _ => message,
    }
}

fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The first 8 hex digits of a SHA-256, grouped for reading aloud ("3f2a 9c01").
pub fn fingerprint(hash: &str) -> String {
    let short: String = hash.chars().take(8).collect();
    if short.len() == 8 { format!("{} {}", &short[..4], &short[4..]) } else { short }
}

static ZH: ConsoleTexts = ConsoleTexts {
    nav_label: "控制台",
    menu: "菜单",
    work: "工作台",
    waiting: "项待办",
    to_review: "待我审核",
    returned: "被退回",
    new_item: "新建公开事项",
    published: "已公开事项",
    ledger: "导入账簿",
    receipts: "原始票据",
    questions: "村民质询",
    questions_waiting: "待处理",
    visits: "访问统计",
    assets: "导入资产资源台账",
    leases: "导入出租台账",
    decisions: "民主决策",
    households: "导入农户三权",
    bank: "普惠金融",
    audit: "审计记录",
    users: "账号管理",
    tips: "监督举报",
    account: "我的账号",
    logout: "退出",
    refused_title: "无法完成此操作",
    changed_title: "内容已变化",
    bad_request_title: "请求有误",
    fingerprint: "内容指纹",
    fingerprint_help: "内容指纹由内容算出：内容改动一个字，指纹就会不同。签字针对的就是这个指纹。",
    phone: "接收提醒的手机号码",
    phone_hint: "有事项等您审核、或您的事项被退回或已公开时，每天最多发一条短信汇总。留空则不发短信。",
    save_phone: "保存手机号码",
    phone_saved: "手机号码已保存，提醒短信将发到这个号码。",
    phone_removed: "已删除手机号码，不再发送提醒短信。",
    reports: "随手拍问题",
    new_reports: "新问题",
};

static EN: ConsoleTexts = ConsoleTexts {
    nav_label: "Console",
    menu: "Menu",
    work: "Work list",
    waiting: "waiting",
    to_review: "to review",
    returned: "returned",
    new_item: "New item",
    published: "Published items",
    ledger: "Import books",
    receipts: "Receipt scans",
    questions: "Villagers' questions",
    questions_waiting: "waiting",
    visits: "Visits",
    assets: "Import assets",
    leases: "Import leases",
    decisions: "Decisions",
    households: "Import households",
    bank: "Inclusive finance",
    audit: "Audit trail",
    users: "Accounts",
    tips: "Reports",
    account: "My account",
    logout: "Log out",
    refused_title: "This cannot be done",
    changed_title: "The content has changed",
    bad_request_title: "Something in the request is wrong",
    fingerprint: "Fingerprint",
    fingerprint_help: "Computed from the content: change one character and it differs. Sign-offs are bound to it.",
    phone: "Mobile number for reminders",
    phone_hint: "At most one text a day summing up what awaits your review, or your items returned or published. Leave empty for no texts.",
    save_phone: "Save number",
    phone_saved: "Number saved: reminders will go to it.",
    phone_removed: "Number removed: no more reminder texts.",
    reports: "Problem reports",
    new_reports: "new",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_two_language_message_shows_the_readers_half() {
        let m = "用户名 wang 已存在 / username taken";
        assert_eq!(pick(m, Lang::Zh), "用户名 wang 已存在");
        assert_eq!(pick(m, Lang::En), "username taken");
        assert_eq!(pick("只有中文", Lang::En), "只有中文");
        assert_eq!(pick("只有中文 / ", Lang::En), "只有中文 / ");
        // A slash inside English is not a language boundary.
        assert_eq!(pick("use A / B", Lang::En), "use A / B");
    }

    #[test]
    fn fingerprints_are_short_and_grouped() {
        assert_eq!(fingerprint("3f2a9c01deadbeef"), "3f2a 9c01");
        assert_eq!(fingerprint("abc"), "abc");
    }
}
