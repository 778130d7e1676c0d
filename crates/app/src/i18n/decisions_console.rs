//! The words of the console's decision pages (`/console/decisions`): the list, the form that
//! opens a decision, and a decision's page with its steps, files, money and publications.

use super::Lang;

macro_rules! texts {
    ($($name:ident: $zh:expr, $en:expr;)*) => {
        pub struct DecisionConsoleTexts { $(pub $name: &'static str,)* }
        static ZH: DecisionConsoleTexts = DecisionConsoleTexts { $($name: $zh,)* };
        static EN: DecisionConsoleTexts = DecisionConsoleTexts { $($name: $en,)* };
    };
}

impl Lang {
    pub fn decisions_console(self) -> &'static DecisionConsoleTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }

    /// What kind of thing a decision authorised (see `decisions::LINK_KINDS`).
    pub fn link_kind(self, kind: &str) -> &'static str {
        let t = self.decisions_console();
        match kind {
            "voucher" => t.kind_voucher,
            "lease" => t.kind_lease,
            "works" => t.kind_works,
            "disposal" => t.kind_disposal,
            _ => t.kind_other,
        }
    }
}

texts! {
    // The list.
    title: "民主决策（四议两公开）", "Decisions (four discussions, two publications)";
    intro: "村里的重大事项（出租集体资产、工程项目、资产购置或处置、举债、村规民约、规划等）按“四议两公开”决定。先在这里登记决议，再按顺序登记每一步；到会人数不足、未过半数或缺少步骤的，系统会用红色标出，不会隐藏。", "Major matters (letting collective assets, works, buying or disposing of assets, borrowing, village rules, plans) are decided by the four discussions and two publications. Record the decision here, then each step in order; a missed quorum, a vote without a majority or a missing step is marked in red, never hidden.";
    recorded_list: "已登记的决议", "Decisions recorded";
    none: "还没有登记决议。", "No decisions recorded yet.";
    amount_resolved: "决议金额", "Amount resolved";
    stage: "进展：", "Stage: ";
    new_heading: "登记新决议", "Record a new decision";
    village: "村（社区）", "Village";
    number_hint: "决议编号（系统建议了下一个编号，可修改）", "Decision number (the next one is proposed; you may change it)";
    subject_hint: "决策事项（如：村道硬化工程、仓库出租）", "Subject (e.g. paving the village road, letting the warehouse)";
    kind: "事项类别", "Kind";
    procedure: "程序", "Procedure";
    amount_hint: "决议金额（元，没有金额可不填）", "Amount resolved (yuan; leave empty if none)";
    create: "登记决议", "Record the decision";
    // A decision's page.
    decision: "决议", "Decision";
    colon: "：", ": ";
    yuan: "元", "yuan";
    public_page: "查看公开页面", "View the public page";
    no_flags: "没有发现问题。", "No problems found.";
    flags_label: "需要注意的问题", "Problems to look at";
    timeline: "决策过程", "How it was decided";
    recorded_by: "登记：", "Recorded by ";
    not_recorded: "尚未登记", "Not recorded yet";
    step_heading: "登记或更正一个步骤", "Record or correct a step";
    step_intro: "系统已选好下一步。更正已登记的步骤时选那一步重新填写，原来的内容会记入审计日志。决议公开后，决议前的步骤不能再改。", "The next step is chosen for you. To correct a recorded step, choose it and fill it in again; what it said before is kept in the audit log. Once the resolution is published, the steps before it can no longer change.";
    step: "步骤", "Step";
    date_hint: "日期（如 2026-03-05）", "Date (e.g. 2026-03-05)";
    form_hint: "会议形式（只有村民代表会议或村民会议决议这一步需要选）", "Meeting (only for the resolution by the representatives' meeting or the assembly)";
    not_applicable: "（不适用）", "(not applicable)";
    counts_legend: "到会和表决（党员大会、代表会议必填；提议和组织实施不填）", "Attendance and votes (required for the members' and representatives' meetings; not for the proposal or the implementation)";
    expected: "应到人数", "Expected";
    present: "实到人数", "Present";
    votes_for: "赞成票", "Votes for";
    against: "反对票", "Votes against";
    abstain: "弃权票", "Abstentions";
    content: "会议内容或议题摘要", "What the meeting discussed";
    save_step: "保存这一步", "Save this step";
    files_heading: "会议记录、签到表", "Minutes and sign-in sheets";
    files_first: "先登记步骤，再上传该步骤的会议记录和签到表。", "Record a step first, then upload its minutes and sign-in sheets.";
    file_step: "属于哪一步", "Which step";
    files_label: "文件（照片、PDF 或 Word）", "Files (photos, PDF or Word)";
    upload: "上传", "Upload";
    money_heading: "依据本决议的收支和合同", "Payments and contracts under this decision";
    no_links: "还没有关联凭证或合同。", "No voucher or contract linked yet.";
    links_caption: "关联的凭证和合同", "Linked vouchers and contracts";
    col_kind: "类别", "Kind";
    col_ref: "编号", "Number";
    col_label: "摘要", "Summary";
    col_amount: "金额（元）", "Amount (yuan)";
    col_action: "操作", "Action";
    outgoing: "（支出）", " (paid out)";
    unlink: "取消关联", "Unlink";
    spent: "已支出", "Paid out";
    income: "合同、收入", "contracts and income";
    over: "超出决议金额", "Over the amount resolved by";
    link_what: "关联什么", "What to link";
    opt_voucher: "记账凭证（填月份和凭证号）", "Voucher (month and voucher number)";
    opt_lease: "租赁合同（填合同编号）", "Lease (contract number)";
    opt_works: "工程合同（填编号、名称、金额）", "Works contract (number, name, amount)";
    opt_disposal: "资产处置（填编号、名称、金额）", "Asset disposal (number, name, amount)";
    month_hint: "凭证月份（如 2026-03，只关联凭证时填）", "Voucher month (e.g. 2026-03; vouchers only)";
    ref_hint: "凭证号或合同编号", "Voucher or contract number";
    label_hint: "合同名称和对方（工程合同、资产处置时填）", "Contract and other party (works and disposals)";
    link_amount_hint: "合同金额（元，工程合同、资产处置时填）", "Contract amount (yuan; works and disposals)";
    link: "关联", "Link";
    publish_heading: "两公开", "The two publications";
    publish_intro: "决议须在决议之日起 5 日内公开。生成的公开稿内容来自上面的记录，经监督委员会审核签字后公开，并记入公开日志。", "A resolution is published within 5 days of being adopted. The draft is made from the record above and published once the supervision committee signs it; the publication is logged.";
    draft_prefix: "生成", "Draft the ";
    draft_suffix: "公开稿", " publication";
    no_draft: "未生成公开稿", "No publication drafted yet";
    published_on: "于", "published on";
    published_after: "公开", "";
    opinion: "；监督委员会意见：", "; supervision committee's opinion: ";
    edit_summary: "修改决策事项、类别或金额", "Change the subject, kind or amount";
    subject: "决策事项", "Subject";
    amount_yuan: "决议金额（元）", "Amount resolved (yuan)";
    save_edit: "保存修改", "Save changes";
    back: "返回民主决策列表", "Back to the decisions";
    // What a decision authorised.
    kind_voucher: "记账凭证", "Voucher";
    kind_lease: "租赁（经济）合同", "Lease contract";
    kind_works: "工程合同", "Works contract";
    kind_disposal: "资产处置", "Asset disposal";
    kind_other: "其他", "Other";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_kind_has_its_words_in_both_languages() {
        for kind in ["voucher", "lease", "works", "disposal"] {
            assert_ne!(Lang::Zh.link_kind(kind), Lang::Zh.link_kind("?"), "{kind}");
            assert_ne!(Lang::En.link_kind(kind), Lang::Zh.link_kind(kind), "{kind}");
        }
        assert_eq!(Lang::Zh.link_kind("disposal"), "资产处置");
    }
}
