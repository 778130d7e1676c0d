//! The words of the governance pages (党建引领, 小微权力清单, 村规民约): public pages and the
//! console's forms, and the names of the kinds of branch, meeting, log entry and document.

use yangguang_core::governance::party::{BranchKind, MeetingKind};
use yangguang_core::governance::powers::SealKind;
use yangguang_core::governance::rules::RuleDoc;

use super::{Label, Lang};

impl Label for BranchKind {
    fn zh(self) -> &'static str {
        match self {
            Self::Branch => "党支部",
            Self::GeneralBranch => "党总支",
            Self::Committee => "党委",
        }
    }
    fn en(self) -> &'static str {
        match self {
            Self::Branch => "Party branch",
            Self::GeneralBranch => "General party branch",
            Self::Committee => "Party committee",
        }
    }
}

impl Label for MeetingKind {
    fn zh(self) -> &'static str {
        match self {
            Self::MembersMeeting => "支部党员大会",
            Self::CommitteeMeeting => "支部委员会",
            Self::GroupMeeting => "党小组会",
            Self::PartyLecture => "党课",
            Self::ThemeDay => "主题党日",
        }
    }
    fn en(self) -> &'static str {
        match self {
            Self::MembersMeeting => "Members' meeting",
            Self::CommitteeMeeting => "Branch committee meeting",
            Self::GroupMeeting => "Party group meeting",
            Self::PartyLecture => "Party lecture",
            Self::ThemeDay => "Theme day",
        }
    }
}

impl Label for SealKind {
    fn zh(self) -> &'static str {
        match self {
            Self::Seal => "用印",
            Self::Certificate => "出具证明",
        }
    }
    fn en(self) -> &'static str {
        match self {
            Self::Seal => "Seal used",
            Self::Certificate => "Certificate issued",
        }
    }
}

impl Label for RuleDoc {
    fn zh(self) -> &'static str {
        match self {
            Self::Charter => "村民自治章程",
            Self::Rules => "村规民约",
        }
    }
    fn en(self) -> &'static str {
        match self {
            Self::Charter => "Village charter",
            Self::Rules => "Village rules",
        }
    }
}

macro_rules! texts {
    ($($name:ident: $zh:expr, $en:expr;)*) => {
        pub struct GovTexts { $(pub $name: &'static str,)* }
        static ZH: GovTexts = GovTexts { $($name: $zh,)* };
        static EN: GovTexts = GovTexts { $($name: $en,)* };
    };
}

texts! {
    // Public pages.
    party_title: "党建引领", "Party building";
    party_intro: "本村党组织设置、组织生活和党费收缴使用情况，均为经审核后公开的内容。", "The village's party organisation, organisational life and party dues, as published after review.";
    organisation: "组织设置及支部委员会", "Organisation and branch committee";
    life: "组织生活（三会一课、主题党日）", "Organisational life";
    dues: "党费收缴使用", "Party dues";
    nothing_yet: "尚未公开。", "Not published yet.";
    published_on: "公开于", "Published";
    open_item: "查看公开详情、审核签署和提问", "Details, sign-offs and questions";
    powers_title: "小微权力清单", "Micro-power list";
    powers_intro: "村级小微权力的事项、依据、责任岗位和运行流程，以及每月用印和出具证明登记。", "What the village may decide, on what basis, by whom and through which steps; and the monthly seal and certificate log.";
    power_list: "权力清单及运行流程", "The list and its flows";
    seal_log: "用印及证明出具登记（按月）", "Seal and certificate log (monthly)";
    rules_title: "村规民约", "Charter and village rules";
    rules_intro: "村民自治章程和村规民约的现行版本、历次修订及每次修改的内容。", "The charter and village rules in force, every version, and what each amendment changed.";
    current: "现行版本", "Version in force";
    version_word: "第", "Version ";
    version_after: "版", "";
    adopted_on: "通过日期", "Adopted on";
    decision: "决议编号", "Decision";
    history: "修订历史", "Versions";
    changes: "与上一版相比的修改", "Changes from the previous version";
    no_changes: "正文无变化。", "The text did not change.";
    first_version: "首次通过。", "First adopted.";
    rules_none: "本村尚未公开村规民约。", "No charter or rules published yet.";
    see_party: "党建引领：组织、组织生活、党费", "Party building: organisation, life, dues";
    see_powers: "小微权力清单及用印登记", "Micro-power list and seal log";
    see_rules: "村规民约及修订历史", "Charter, rules and their versions";
    // The console.
    c_village: "村（社区）", "Village";
    c_choose: "选择", "Show";
    c_saved_note: "保存后自动生成公开草稿，经审核签署后才对村民公开。", "Saving makes a disclosure draft; villagers see it only after review and sign-off.";
    c_branch: "支部组织设置", "Branch organisation";
    c_branch_name: "组织名称（如：中共××村支部委员会）", "Name of the organisation";
    c_branch_kind: "组织类型", "Kind";
    c_secretary: "书记姓名", "Secretary";
    c_total: "党员总数", "Members in total";
    c_full: "其中正式党员", "Full members";
    c_probationary: "其中预备党员", "Probationary members";
    c_committee: "支部委员（每行一人：姓名，职务，分工）", "Committee members (one a line: name, post, duties)";
    c_committee_hint: "例：王建国，书记，主持支部全面工作", "e.g. 王建国，书记，主持支部全面工作";
    c_save_branch: "保存并生成公开草稿", "Save and draft";
    c_meetings: "组织生活登记", "Organisational life";
    c_held_on: "日期", "Date";
    c_meeting_kind: "形式", "Form";
    c_topic: "主题", "Topic";
    c_expected: "应到人数", "Expected";
    c_present: "实到人数", "Present";
    c_add_meeting: "登记", "Record";
    c_delete: "删除", "Delete";
    c_recent_meetings: "近两年已登记", "Recorded in the last two years";
    c_draft_life: "生成季度组织生活公开草稿", "Draft a quarter's disclosure";
    c_quarter: "季度", "Quarter";
    c_make_draft: "生成公开草稿", "Make the draft";
    c_dues: "党费收缴使用（半年）", "Party dues (half-year)";
    c_half: "半年", "Half-year";
    c_brought: "上期结余（元）", "Brought forward (yuan)";
    c_collected: "本期收缴（元）", "Collected (yuan)";
    c_used: "本期使用（元）", "Used (yuan)";
    c_carried: "结余（元）", "Balance carried (yuan)";
    c_uses: "使用明细（每行一项：用途，金额）", "Uses (one a line: purpose, amount)";
    c_uses_hint: "例：订阅党报党刊，1200", "e.g. 订阅党报党刊，1200";
    c_save_dues: "保存并生成公开草稿", "Save and draft";
    c_saved_dues: "已保存", "Saved";
    c_powers: "权力事项", "Powers";
    c_category: "类别", "Category";
    c_power_name: "权力事项名称", "Power";
    c_basis: "法律政策依据", "Legal basis";
    c_post: "责任岗位", "Responsible post";
    c_steps: "运行流程（每行一步，按顺序）", "Flow (one step a line, in order)";
    c_disclosure: "公开要求", "Disclosure requirement";
    c_add_power: "添加到清单", "Add to the list";
    c_save_power: "保存修改", "Save changes";
    c_edit: "修改", "Edit";
    c_new_power: "添加权力事项", "Add a power";
    c_draft_list: "清单通过或修订后，生成公开草稿", "After adoption or amendment, draft the list";
    c_log: "用印、证明登记", "Seal and certificate log";
    c_log_on: "日期", "Date";
    c_log_kind: "类别", "Kind";
    c_matter: "事项", "Matter";
    c_applicant: "申请人", "Applicant";
    c_applicant_person: "申请人是个人（公开时姓名脱敏，如 张*明）", "The applicant is a person (the name is masked, e.g. 张*明)";
    c_approver: "审批人职务", "Approver's post";
    c_purpose: "用途", "Purpose";
    c_add_entry: "登记", "Record";
    c_month: "月份", "Month";
    c_draft_log: "生成月度登记公开草稿", "Draft a month's log";
    c_recent_log: "近三个月登记", "The last three months";
    c_rules: "村规民约及章程", "Charter and rules";
    c_doc: "文件", "Document";
    c_rule_title: "标题", "Title";
    c_rule_text: "正文（可直接粘贴，段落之间空一行）", "Text (paste it; a blank line between paragraphs)";
    c_adopted_on: "通过日期", "Adopted on";
    c_decision_no: "通过该版本的决议编号（如 2026-003）", "The adopting decision's number (e.g. 2026-003)";
    c_add_version: "登记新版本并生成公开草稿", "Record the version and draft it";
    c_versions: "已登记的版本", "Versions recorded";
    c_draft_link: "公开草稿", "Draft";
    c_public_page: "村民看到的页面", "The villagers' page";
    c_errors: "请修改以下内容：", "Please fix:";
    c_none: "暂无", "None yet";
    c_intro_party: "登记本村党组织信息、组织生活和党费。每项保存后生成公开草稿，经支部（和村务监督委员会）审核签署后公开。", "Record the branch, its organisational life and dues. Each makes a disclosure draft, published after the branch (and the supervision committee) sign.";
    c_intro_powers: "维护本村小微权力清单，登记每次用印和出具证明。清单修订后生成公开草稿；登记按月公开，已公开月份补登的事项自动生成更正草稿。", "Keep the micro-power list and log each seal use and certificate. The list is drafted after amendment; the log monthly, and an entry added to a published month drafts a correction.";
    c_intro_rules: "村民自治章程和村规民约每次通过或修订，登记为新版本：正文、通过日期和决议编号。登记后生成公开草稿，经村务监督委员会审核后公开，村民可看到历次修订的内容对比。", "Each adopted or amended version of the charter or rules is recorded with its text, date and decision number, drafted, and published after the supervision committee signs; villagers see what each amendment changed.";
}

impl Lang {
    pub fn gov(self) -> &'static GovTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
}
