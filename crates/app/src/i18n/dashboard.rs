//! The words of the supervision dashboard (监督看板): the colours with a sign each (never
//! colour alone), the reasons, the rule as stated on the page, the trend charts.

use yangguang_core::calendar::percent;
use yangguang_core::health::{Health, Reason, Thresholds};

use super::Lang;

pub struct DashboardTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub nav: &'static str,
    /// A colour's label with its sign, in [`Health::ALL`] order (red, yellow, green).
    pub health: [&'static str; 3],
    /// The rule for each colour, in the same order; `{overdue}`, `{published}`, `{timely}`.
    pub rule: [&'static str; 3],
    pub rule_title: &'static str,
    /// `{red}`, `{yellow}`, `{green}`.
    pub counts: &'static str,
    pub red_warnings: &'static str,
    pub yellow_warnings: &'static str,
    pub overdue: &'static str,
    /// `{rate}`, `{limit}`.
    pub low_published: &'static str,
    pub low_timely: &'static str,
    pub all_well: &'static str,
    pub town_page: &'static str,
    pub village_title: &'static str,
    pub back: &'static str,
    pub attention_title: &'static str,
    pub nothing: &'static str,
    pub public_page: &'static str,
    pub console_item: &'static str,
    pub full_calendar: &'static str,
    /// `{year}`, `{month}`.
    pub visits: &'static str,
    pub visits_title: &'static str,
    /// `{red}`, `{yellow}`.
    pub warnings: &'static str,
    pub trend_title: &'static str,
    /// `{from}`, `{to}`.
    pub trend_desc: &'static str,
    pub month: &'static str,
    pub due: &'static str,
    pub overdue_col: &'static str,
    pub window: &'static str,
}

impl Lang {
    pub fn dashboard(self) -> &'static DashboardTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
}

fn index(h: Health) -> usize {
    Health::ALL.iter().position(|x| *x == h).expect("every colour listed")
}

impl DashboardTexts {
    pub fn health(&self, h: Health) -> &'static str {
        self.health[index(h)]
    }

    /// The rule of each colour, with the thresholds written in.
    pub fn rules(&self, th: &Thresholds) -> Vec<(Health, &'static str, String)> {
        Health::ALL
            .iter()
            .map(|h| {
                let text = self.rule[index(*h)]
                    .replace("{overdue}", &th.red_overdue.to_string())
                    .replace("{published}", &percent(Some(th.red_published_below)))
                    .replace("{timely}", &percent(Some(th.yellow_timely_below)));
                (*h, self.health(*h), text)
            })
            .collect()
    }

    pub fn reason(&self, r: Reason, th: &Thresholds) -> String {
        match r {
            Reason::RedWarnings(n) => self.red_warnings.replace("{n}", &n.to_string()),
            Reason::YellowWarnings(n) => self.yellow_warnings.replace("{n}", &n.to_string()),
            Reason::Overdue(n) => self.overdue.replace("{n}", &n.to_string()),
            Reason::LowPublished(p) => self
                .low_published
                .replace("{rate}", &percent(Some(p)))
                .replace("{limit}", &percent(Some(th.red_published_below))),
            Reason::LowTimely(p) => self
                .low_timely
                .replace("{rate}", &percent(Some(p)))
                .replace("{limit}", &percent(Some(th.yellow_timely_below))),
        }
    }

    pub fn counts(&self, [red, yellow, green]: [u32; 3]) -> String {
        self.counts
            .replace("{red}", &red.to_string())
            .replace("{yellow}", &yellow.to_string())
            .replace("{green}", &green.to_string())
    }
}

static ZH: DashboardTexts = DashboardTexts {
    title: "监督看板",
    intro: "各村（社区）近 12 个月的公开情况和未处理的预警，按下方规则标为红、黄、绿。点击村名查看它逾期、未公开和待审核的事项及依据。",
    nav: "监督看板",
    health: ["✕ 红·需督办", "! 黄·需关注", "✓ 绿·正常"],
    rule: [
        "有红色预警，或逾期未公开达 {overdue} 项，或公开率低于 {published}",
        "有黄色预警，或有逾期未公开的事项，或及时率低于 {timely}",
        "以上都没有（近 12 个月没有到期事项的也算正常）",
    ],
    rule_title: "颜色规则（近 12 个月）",
    counts: "红 {red} 个 · 黄 {yellow} 个 · 绿 {green} 个",
    red_warnings: "红色预警 {n} 条",
    yellow_warnings: "黄色预警 {n} 条",
    overdue: "逾期未公开 {n} 项",
    low_published: "公开率 {rate}，低于 {limit}",
    low_timely: "及时率 {rate}，低于 {limit}",
    all_well: "按时公开，无预警",
    town_page: "查看本乡镇",
    village_title: "{village} 监督情况",
    back: "返回监督看板",
    attention_title: "需关注的公开事项（近 12 个月逾期、未公开、待审核）",
    nothing: "近 12 个月没有逾期、未公开或待审核的事项。",
    public_page: "公开页面",
    console_item: "控制台中的事项",
    full_calendar: "完整公开日历",
    visits: "近 12 个月公开栏被查看 {year} 次，近 30 天 {month} 次。",
    visits_title: "访问统计",
    warnings: "未处理预警：红色 {red} 条，黄色 {yellow} 条",
    trend_title: "及时率和公开率逐月走势",
    trend_desc: "{from}至{to}每月到期事项的及时率（实线、圆点）和公开率（虚线、方块），0% 到 100%；数字见下表。",
    month: "月份",
    due: "应公开",
    overdue_col: "未公开",
    window: "统计期",
};

static EN: DashboardTexts = DashboardTexts {
    title: "Supervision dashboard",
    intro: "Each village's disclosure record over the last 12 months and its open warnings, marked red, yellow or green by the rule below. Open a village for its late, missing and waiting items with their evidence.",
    nav: "Dashboard",
    health: ["✕ Red: act", "! Yellow: watch", "✓ Green: fine"],
    rule: [
        "an open red warning, or {overdue} or more items overdue, or published rate below {published}",
        "an open yellow warning, or any item overdue, or on-time rate below {timely}",
        "none of the above (also when nothing fell due in the last 12 months)",
    ],
    rule_title: "Colour rule (last 12 months)",
    counts: "{red} red · {yellow} yellow · {green} green",
    red_warnings: "{n} red warnings",
    yellow_warnings: "{n} yellow warnings",
    overdue: "{n} items overdue",
    low_published: "published {rate}, below {limit}",
    low_timely: "on time {rate}, below {limit}",
    all_well: "On time, no warnings",
    town_page: "Open the town",
    village_title: "{village}: supervision",
    back: "Back to the dashboard",
    attention_title: "Items to look at (late, missing, waiting for review; last 12 months)",
    nothing: "Nothing late, missing or waiting in the last 12 months.",
    public_page: "Public page",
    console_item: "Console item",
    full_calendar: "Full disclosure calendar",
    visits: "Its public pages were viewed {year} times in the last 12 months, {month} in the last 30 days.",
    visits_title: "Visits",
    warnings: "Open warnings: {red} red, {yellow} yellow",
    trend_title: "On-time and published rates by month",
    trend_desc: "On-time rate (solid line, dots) and published rate (dashed line, squares) of the items due each month from {from} to {to}, 0% to 100%; the figures are in the table below.",
    month: "Month",
    due: "Due",
    overdue_col: "Missing",
    window: "Period",
};
