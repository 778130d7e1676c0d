//! The words of decision records (四议两公开): the names of kinds, steps and meeting forms,
//! the flags, and the public pages' texts, in both languages.

use yangguang_core::decision::{Flag, Form, Kind, Procedure, Step};

use super::{Label, Lang};

impl Label for Kind {
    fn zh(self) -> &'static str {
        match self {
            Self::Lease => "资产资源出租",
            Self::Works => "工程项目",
            Self::AssetDisposal => "资产处置",
            Self::AssetPurchase => "资产购置",
            Self::Borrowing => "举债借款",
            Self::Charter => "村规民约、章程",
            Self::Plan => "规划计划",
            Self::Other => "其他重大事项",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::Lease => "letting of assets",
            Self::Works => "works project",
            Self::AssetDisposal => "asset disposal",
            Self::AssetPurchase => "asset purchase",
            Self::Borrowing => "borrowing",
            Self::Charter => "charter and rules",
            Self::Plan => "plan",
            Self::Other => "other major matter",
        }
    }
}

impl Label for Procedure {
    fn zh(self) -> &'static str {
        match self {
            Self::FourTwo => "四议两公开",
            Self::FiveTwo => "五议两公开",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::FourTwo => "four discussions, two publications",
            Self::FiveTwo => "five discussions, two publications",
        }
    }
}

impl Label for Step {
    fn zh(self) -> &'static str {
        match self {
            Self::Proposal => "党组织提议",
            Self::Committees => "“两委”会议商议",
            Self::Supervision => "村务监督委员会审议",
            Self::Members => "党员大会审议",
            Self::Resolution => "村民代表会议（村民会议）决议",
            Self::ResolutionPublished => "决议公开",
            Self::Implementation => "组织实施",
            Self::ResultPublished => "实施结果公开",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::Proposal => "branch proposes",
            Self::Committees => "two committees discuss",
            Self::Supervision => "supervision committee checks",
            Self::Members => "party members' meeting reviews",
            Self::Resolution => "villagers' (representatives') meeting resolves",
            Self::ResolutionPublished => "resolution published",
            Self::Implementation => "carried out",
            Self::ResultPublished => "result published",
        }
    }
}

impl Label for Form {
    fn zh(self) -> &'static str {
        match self {
            Self::Representatives => "村民代表会议",
            Self::AssemblyAdults => "村民会议（十八周岁以上村民）",
            Self::AssemblyHouseholds => "村民会议（户代表）",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::Representatives => "villagers' representatives' meeting",
            Self::AssemblyAdults => "villagers' assembly (adults)",
            Self::AssemblyHouseholds => "villagers' assembly (households)",
        }
    }
}

/// A flag as people read it: what is wrong, with the numbers.
pub fn flag_text(flag: &Flag, lang: Lang) -> String {
    let en = lang == Lang::En;
    match flag {
        Flag::QuorumFailed { step, present, expected } => {
            if en {
                format!("Quorum not met at “{}”: {present} of {expected} present", step.en())
            } else {
                format!("{}到会人数不足：应到 {expected} 人，实到 {present} 人", step.zh())
            }
        }
        Flag::MajorityFailed { step, votes_for, present } => {
            if en {
                format!("Not passed at “{}”: {votes_for} for, of {present} present", step.en())
            } else {
                format!("{}未获到会人员过半数同意：赞成 {votes_for} 人，到会 {present} 人", step.zh())
            }
        }
        Flag::Missing(steps) => {
            let names: Vec<&str> = steps.iter().map(|s| s.label(lang)).collect();
            if en {
                format!("Incomplete: missing {}", names.join(", "))
            } else {
                format!("程序不完整：缺少{}", names.join("、"))
            }
        }
        Flag::ResolutionNotPublished { resolved } => {
            if en {
                format!("Resolution of {resolved} not published within 5 days")
            } else {
                format!("{resolved} 的决议未在 5 日内公开")
            }
        }
        Flag::OverAmount { resolved, spent } => {
            let over = yangguang_core::Fen(spent.0 - resolved.0);
            if en {
                format!("Spending exceeds the amount resolved by {over} yuan ({spent} of {resolved})")
            } else {
                format!("超出决议金额 {over} 元（决议 {resolved} 元，已支出 {spent} 元）")
            }
        }
    }
}

pub struct DecisionTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub none: &'static str,
    pub number: &'static str,
    pub kind: &'static str,
    pub amount: &'static str,
    pub procedure: &'static str,
    pub state: &'static str,
    pub clean: &'static str,
    pub timeline: &'static str,
    pub date: &'static str,
    pub form: &'static str,
    pub expected: &'static str,
    pub present: &'static str,
    pub votes: &'static str,
    pub votes_for: &'static str,
    pub against: &'static str,
    pub abstain: &'static str,
    pub quorum_met: &'static str,
    pub quorum_failed: &'static str,
    pub passed: &'static str,
    pub not_passed: &'static str,
    pub files: &'static str,
    pub not_yet: &'static str,
    pub published_on: &'static str,
    pub in_review: &'static str,
    pub opinion: &'static str,
    pub money: &'static str,
    pub money_none: &'static str,
    pub money_item: &'static str,
    pub spent: &'static str,
    pub received: &'static str,
    pub resolved: &'static str,
    pub yuan: &'static str,
    pub new_stage: &'static str,
    pub authorised_by: &'static str,
    pub list_link: &'static str,
}

impl Lang {
    pub fn decisions(self) -> &'static DecisionTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
}

static ZH: DecisionTexts = DecisionTexts {
    title: "民主决策记录（四议两公开）",
    intro: "村里的重大事项按“四议两公开”（或“五议两公开”）程序决定：党组织提议，“两委”会议商议，党员大会审议，村民代表会议或村民会议决议，决议公开，组织实施，实施结果公开。每一步的日期、到会人数和表决结果都记录在这里；到会人数不足、未过半数或缺少步骤的，用红色标出。",
    none: "还没有决策记录。",
    number: "决议编号",
    kind: "事项类别",
    amount: "决议金额",
    procedure: "程序",
    state: "进展",
    clean: "程序完整",
    timeline: "决策过程",
    date: "日期",
    form: "会议形式",
    expected: "应到",
    present: "实到",
    votes: "表决",
    votes_for: "赞成",
    against: "反对",
    abstain: "弃权",
    quorum_met: "到会人数符合规定",
    quorum_failed: "到会人数不足",
    passed: "获通过",
    not_passed: "未获通过",
    files: "会议记录、签到表",
    not_yet: "尚未进行",
    published_on: "已公开",
    in_review: "公开稿审核中",
    opinion: "监督委员会意见",
    money: "依据本决议的收支和合同",
    money_none: "还没有登记依据本决议的凭证或合同。",
    money_item: "项目",
    spent: "已支出",
    received: "合同、收入",
    resolved: "决议金额",
    yuan: "元",
    new_stage: "刚立项",
    authorised_by: "依据决议",
    list_link: "民主决策记录（四议两公开）",
};

static EN: DecisionTexts = DecisionTexts {
    title: "Decision records (four discussions, two publications)",
    intro: "Major matters are decided in fixed steps: the party branch proposes, the two committees discuss, the party members' meeting reviews, the villagers' representatives' meeting or assembly resolves, the resolution is published, the matter is carried out and the result is published. Each step's date, attendance and votes are recorded here; a missed quorum, a vote without a majority or a missing step is shown in red.",
    none: "No decisions recorded yet.",
    number: "Decision number",
    kind: "Kind",
    amount: "Amount resolved",
    procedure: "Procedure",
    state: "Stage",
    clean: "Procedure complete",
    timeline: "How it was decided",
    date: "Date",
    form: "Meeting",
    expected: "Expected",
    present: "Present",
    votes: "Votes",
    votes_for: "for",
    against: "against",
    abstain: "abstaining",
    quorum_met: "Quorum met",
    quorum_failed: "Quorum not met",
    passed: "Passed",
    not_passed: "Not passed",
    files: "Minutes and sign-in sheets",
    not_yet: "Not yet held",
    published_on: "Published",
    in_review: "Publication in review",
    opinion: "Supervision committee's opinion",
    money: "Payments and contracts under this decision",
    money_none: "No voucher or contract names this decision yet.",
    money_item: "Item",
    spent: "Spent",
    received: "Contracts and income",
    resolved: "Amount resolved",
    yuan: "yuan",
    new_stage: "Just opened",
    authorised_by: "Authorised by decision",
    list_link: "Decision records",
};
