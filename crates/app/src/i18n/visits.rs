//! The words of visit statistics (访问统计): the public totals and the console's page.

use super::Lang;

pub struct VisitTexts {
    /// The village home's line; `{n}` is the count.
    pub village_total: &'static str,
    /// An item's fact: its label and value (`{n}`).
    pub item_label: &'static str,
    pub item_total: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub region: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub column: &'static str,
    pub all_columns: &'static str,
    pub show: &'static str,
    pub csv: &'static str,
    pub summary: &'static str,
    pub by_day: &'static str,
    pub by_place: &'static str,
    pub by_column: &'static str,
    pub day: &'static str,
    pub place: &'static str,
    pub views: &'static str,
    pub visitors: &'static str,
    pub home: &'static str,
    pub nothing: &'static str,
    pub chart_title: &'static str,
    pub daily_figures: &'static str,
    /// What is counted and what is never kept.
    pub privacy: &'static str,
    /// `{n}` visits dropped since the server started, when the queue was full.
    pub dropped: &'static str,
    pub off: &'static str,
    pub bad_date: &'static str,
}

impl Lang {
    pub fn visits(self) -> &'static VisitTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
}

static ZH: VisitTexts = VisitTexts {
    village_total: "近 12 个月，本村公开栏已被查看 {n} 次",
    item_label: "查看次数",
    item_total: "已被查看 {n} 次",
    title: "访问统计",
    intro: "村民打开本村公开栏各页面的次数，按村、栏目和日期统计，用来判断公开内容有没有人看。",
    region: "地区",
    from: "开始日期",
    to: "结束日期",
    column: "栏目",
    all_columns: "全部栏目",
    show: "查看",
    csv: "下载 CSV 表格",
    summary: "共查看 {views} 次，访客 {visitors} 人次",
    by_day: "每日查看次数",
    by_place: "各地查看次数",
    by_column: "各栏目查看次数",
    day: "日期",
    place: "镇（街道）或村（社区）",
    views: "查看次数",
    visitors: "访客人次",
    home: "村首页",
    nothing: "这段时间没有查看记录。",
    chart_title: "{from} 至 {to} 每日查看次数",
    daily_figures: "每日数字",
    privacy: "统计不用 Cookie，不保存任何 IP 地址、浏览器信息或个人信息：只记每天每页的次数。访客人次是同一天同一地址和浏览器在一个村只算一次（用每天更换、只在内存中的密钥区分，第二天无法与前一天对应）；搜索引擎等机器访问、预加载和工作人员自己的浏览不计入。",
    dropped: "本次启动以来，因访问过于集中未能计入 {n} 次。",
    off: "本服务器未开启访问统计（配置 [visits] enabled）。",
    bad_date: "日期格式应为 2026-05-01",
};

static EN: VisitTexts = VisitTexts {
    village_total: "This village's notice board was viewed {n} times in the last 12 months",
    item_label: "Views",
    item_total: "Viewed {n} times",
    title: "Visits",
    intro: "How often villagers open their village's public pages, by village, column and day: whether what is published is read.",
    region: "Region",
    from: "From",
    to: "To",
    column: "Column",
    all_columns: "All columns",
    show: "Show",
    csv: "Download as CSV",
    summary: "{views} views by {visitors} visitor-days",
    by_day: "Views per day",
    by_place: "Views per place",
    by_column: "Views per column",
    day: "Day",
    place: "Town or village",
    views: "Views",
    visitors: "Visitor-days",
    home: "Village home",
    nothing: "No views in this period.",
    chart_title: "Views per day, {from} to {to}",
    daily_figures: "Daily figures",
    privacy: "Counting uses no cookies and keeps no IP address, browser details or personal data: only each page's count per day. A visitor-day is one address and browser in one village on one day (told apart with a key that changes daily and lives only in memory, so one day cannot be linked to the next); search engines and other bots, prefetches and staff's own browsing are not counted.",
    dropped: "{n} visits could not be counted since this server started (too many at once).",
    off: "Visit counting is off on this server ([visits] enabled).",
    bad_date: "Dates are written 2026-05-01",
};
