//! The words of the public API's page for people (`/api`): what the API is, how its lists,
//! caching and errors work, and a table of the endpoints (from the OpenAPI document).

use super::Lang;

pub struct ApiTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub document: &'static str,
    pub rules_title: &'static str,
    pub rule_paging: &'static str,
    pub rule_cache: &'static str,
    pub rule_cors: &'static str,
    pub rule_money: &'static str,
    pub rule_errors: &'static str,
    pub rule_private: &'static str,
    pub endpoints: &'static str,
    pub parameters: &'static str,
    pub example: &'static str,
    pub downloads_title: &'static str,
    pub downloads: &'static str,
}

impl Lang {
    pub fn api(self) -> &'static ApiTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
}

static ZH: ApiTexts = ApiTexts {
    title: "公开数据接口",
    intro: "本平台公开页面上能看到的内容，都可以通过下面的只读接口以 JSON 取得，无需登录，供媒体、研究者和上级平台使用。",
    document: "机器可读的接口说明（OpenAPI 3.1）：",
    rules_title: "使用规则",
    rule_paging: "列表按游标翻页：回答里的 next_cursor 原样放进下一次请求的 cursor 参数；limit 为 1 到 200，默认 50。翻页期间新公开的内容只会出现在后面的页上，不会重复或遗漏。",
    rule_cache: "每个回答都带 ETag；再次请求时带上 If-None-Match，内容没变就得到 304，不必重新下载。",
    rule_cors: "允许任何网站的脚本跨域读取（GET、HEAD、OPTIONS）。",
    rule_money: "金额一律以“分”为单位的整数（字段名以 _fen 结尾），1 元 = 100 分。",
    rule_errors: "出错时回答 {\"code\", \"message\", \"field\"}：code 固定不变（如 not_found、bad_parameter），field 指出哪个参数有误。",
    rule_private: "草稿、未公开的质询、农户个人信息等不公开的内容，接口同样不提供。",
    endpoints: "接口一览",
    parameters: "参数",
    example: "示例",
    downloads_title: "批量下载",
    downloads: "整县产权交易数据（OCDS）：/open-data/ocds.json；各村年度账目（Fiscal Data Package）：/v/{村代码}/open-data/{年}/datapackage.json；公开记录链全文：/api/log.jsonl。",
};

static EN: ApiTexts = ApiTexts {
    title: "Open data API",
    intro: "Everything the public pages show is available as JSON through the read-only endpoints below, with no sign-in, for journalists, researchers and higher-level platforms.",
    document: "The machine-readable description (OpenAPI 3.1):",
    rules_title: "How it works",
    rule_paging: "Lists page by cursor: pass a page's next_cursor as the cursor parameter of the next request; limit is 1 to 200, 50 by default. Items published while you page appear on later pages, never twice, never skipped.",
    rule_cache: "Every answer carries an ETag; send it back in If-None-Match and an unchanged answer is a 304 with no body.",
    rule_cors: "Any site's scripts may read it cross-origin (GET, HEAD, OPTIONS).",
    rule_money: "Money is integer fen (fields ending in _fen); 1 yuan = 100 fen.",
    rule_errors: "Errors answer {\"code\", \"message\", \"field\"}: code is stable (not_found, bad_parameter, …), field names the parameter at fault.",
    rule_private: "Nothing that is not public — drafts, private questions, households' own records — is in the API either.",
    endpoints: "Endpoints",
    parameters: "Parameters",
    example: "Example",
    downloads_title: "Bulk downloads",
    downloads: "The county's trading data (OCDS): /open-data/ocds.json; a village's books per year (Fiscal Data Package): /v/{village code}/open-data/{year}/datapackage.json; the whole publication log: /api/log.jsonl.",
};
