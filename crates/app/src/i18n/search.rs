//! The words of full-text search (`/search`) on the public site.

use super::Lang;

pub struct SearchTexts {
    pub title: &'static str,
    pub label: &'static str,
    pub placeholder: &'static str,
    pub button: &'static str,
    /// "{n} results for “{q}”"
    pub found: &'static str,
    pub villages: &'static str,
    pub all_kinds: &'static str,
    pub scope: &'static str,
    pub whole_county: &'static str,
    pub nothing: &'static str,
    pub widen: &'static str,
    pub try_words: &'static str,
    pub building: &'static str,
    pub unavailable: &'static str,
    pub too_long: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    /// "page {page} of {pages}"
    pub page_of: &'static str,
    pub kind_disclosure: &'static str,
    pub kind_finance: &'static str,
    pub kind_lease: &'static str,
    pub kind_listing: &'static str,
    pub kind_question: &'static str,
    pub kind_decision: &'static str,
}

impl Lang {
    pub fn search(self) -> &'static SearchTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
}

static ZH: SearchTexts = SearchTexts {
    title: "搜索",
    label: "搜索公开内容",
    placeholder: "如：路灯、租金、村名或拼音首字母 ltc",
    button: "搜索",
    found: "“{q}”共找到 {n} 条",
    villages: "村（社区）",
    all_kinds: "全部",
    scope: "搜索范围",
    whole_county: "全县",
    nothing: "没有找到与“{q}”相关的公开内容。",
    widen: "扩大到{scope}搜索",
    try_words: "可以试试更短的词，如“路灯”“租金”“低保”。",
    building: "搜索索引正在建立，结果可能还不完整，请稍后再试。",
    unavailable: "搜索暂时不可用，请稍后再试。",
    too_long: "搜索词太长，只按前 {n} 个字搜索。",
    previous: "上一页",
    next: "下一页",
    page_of: "第 {page} 页，共 {pages} 页",
    kind_disclosure: "公开事项",
    kind_finance: "财务收支",
    kind_lease: "产权出租",
    kind_listing: "产权交易",
    kind_question: "质询回复",
    kind_decision: "民主决策",
};

static EN: SearchTexts = SearchTexts {
    title: "Search",
    label: "Search what is published",
    placeholder: "e.g. 路灯, 租金, a village or its initials (ltc)",
    button: "Search",
    found: "{n} results for “{q}”",
    villages: "Villages",
    all_kinds: "All",
    scope: "Search in",
    whole_county: "the whole county",
    nothing: "Nothing published matches “{q}”.",
    widen: "Search {scope} instead",
    try_words: "Try a shorter word, e.g. 路灯 (street lights), 租金 (rent).",
    building: "The search index is being built; results may be incomplete for a little while.",
    unavailable: "Search is unavailable for the moment; please try again shortly.",
    too_long: "The search was too long: only its first {n} characters were used.",
    previous: "Previous",
    next: "Next",
    page_of: "page {page} of {pages}",
    kind_disclosure: "Disclosures",
    kind_finance: "Accounts",
    kind_lease: "Leases",
    kind_listing: "Trading",
    kind_question: "Questions",
    kind_decision: "Decisions",
};
