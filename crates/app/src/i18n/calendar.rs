//! The words of the disclosure calendar (公开日历): the states of an item, the rates, the
//! gaps on public pages, the console's calendar and the exports.

use chrono::NaiveDate;
use yangguang_core::calendar::{CellState, NotApplicable, Tally};

use super::Lang;

pub struct CalendarTexts {
    pub on_time: &'static str,
    /// `{n}`: days after the deadline.
    pub late: &'static str,
    /// `{n}`: days past the deadline.
    pub missing: &'static str,
    pub waiting: &'static str,
    pub waiting_overdue: &'static str,
    /// `{date}`: the deadline.
    pub open: &'static str,
    pub no_vouchers: &'static str,
    /// Short names for a grid or a table cell.
    pub short_on_time: &'static str,
    pub short_late: &'static str,
    pub short_missing: &'static str,
    pub short_waiting: &'static str,
    pub short_open: &'static str,
    pub short_not_applicable: &'static str,
    pub quiet: &'static str,
    pub rates_title: &'static str,
    pub timely_rate: &'static str,
    pub published_rate: &'static str,
    pub rates_note: &'static str,
    pub how_counted: &'static str,
    /// `{due}`, `{on_time}`, `{late}`, `{missing}`.
    pub counts: &'static str,
    pub gaps_title: &'static str,
    pub no_gaps: &'static str,
    pub deadline: &'static str,
    /// A month's accounts not published (`{period}`).
    pub month_missing_title: &'static str,
    pub month_missing_text: &'static str,
    pub month_open_text: &'static str,
    pub month_no_vouchers_text: &'static str,
    pub month_not_published: &'static str,
    pub village: &'static str,
    pub town: &'static str,
    pub gaps: &'static str,
    pub due: &'static str,
    pub sort_by: &'static str,
    pub villages_title: &'static str,
    pub towns_title: &'static str,
    pub whole: &'static str,
    pub trend_title: &'static str,
    pub month: &'static str,
    pub item: &'static str,
    pub period: &'static str,
    pub state: &'static str,
    pub published_on: &'static str,
    pub evidence: &'static str,
    pub open_published: &'static str,
    pub open_draft: &'static str,
    pub console_title: &'static str,
    pub console_intro: &'static str,
    pub region: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub show: &'static str,
    pub download_csv: &'static str,
    pub download_xlsx: &'static str,
    pub legend: &'static str,
    pub village_title: &'static str,
    pub back_to_grid: &'static str,
    pub nothing: &'static str,
    pub my_deadlines: &'static str,
}

impl Lang {
    pub fn calendar(self) -> &'static CalendarTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
}

impl CalendarTexts {
    /// The state of an item as a sentence: "未按时公开，已逾期 35 天".
    pub fn state(&self, state: CellState, deadline: NaiveDate) -> String {
        match state {
            CellState::OnTime => self.on_time.into(),
            CellState::Late { days } => self.late.replace("{n}", &days.to_string()),
            CellState::Missing { days } => self.missing.replace("{n}", &days.to_string()),
            CellState::Waiting { overdue: 0 } => self.waiting.into(),
            CellState::Waiting { overdue } => self.waiting_overdue.replace("{n}", &overdue.to_string()),
            CellState::Open => self.open.replace("{date}", &deadline.to_string()),
            CellState::NotApplicable(NotApplicable::NoVouchers) => self.no_vouchers.into(),
        }
    }

    /// The state in a word or two, with a sign so that it never rests on colour alone.
    pub fn short(&self, state: CellState) -> &'static str {
        match state {
            CellState::OnTime => self.short_on_time,
            CellState::Late { .. } => self.short_late,
            CellState::Missing { .. } => self.short_missing,
            CellState::Waiting { .. } => self.short_waiting,
            CellState::Open => self.short_open,
            CellState::NotApplicable(_) => self.short_not_applicable,
        }
    }

    pub fn counts(&self, t: &Tally) -> String {
        self.counts
            .replace("{due}", &t.due.to_string())
            .replace("{on_time}", &t.on_time.to_string())
            .replace("{late}", &t.late.to_string())
            .replace("{missing}", &t.missing.to_string())
    }
}

static ZH: CalendarTexts = CalendarTexts {
    on_time: "按时公开",
    late: "逾期 {n} 天公开",
    missing: "未按时公开，已逾期 {n} 天",
    waiting: "已提交审核，尚未公开",
    waiting_overdue: "待审核，已逾期 {n} 天",
    open: "尚未到期（{date} 前公开）",
    no_vouchers: "不适用：本月没有收支凭证",
    short_on_time: "✓ 按时",
    short_late: "△ 逾期公开",
    short_missing: "✕ 未公开",
    short_waiting: "… 待审核",
    short_open: "○ 未到期",
    short_not_applicable: "－ 不适用",
    quiet: "非高峰月，随季度公开",
    rates_title: "近 12 个月公开情况",
    timely_rate: "及时率",
    published_rate: "公开率",
    rates_note: "及时率＝按时公开的事项÷应公开的事项；公开率＝已公开的事项÷应公开的事项。统计近 12 个月内期限已到（或已公开）的公开目录事项；本月没有收支凭证的月份不计。",
    how_counted: "怎么算的",
    counts: "应公开 {due} 项：按时 {on_time} 项，逾期公开 {late} 项，未公开 {missing} 项",
    gaps_title: "逾期未公开",
    no_gaps: "近 12 个月没有逾期未公开的事项。",
    deadline: "期限",
    month_missing_title: "{period}收支明细未按时公开",
    month_missing_text: "本村{period}的收支明细应在 {date} 前公开，至今未公开：{state}。公开后，本页将显示当月收支和每一张凭证。",
    month_open_text: "本村{period}的收支明细尚未到公开期限，应在 {date} 前公开。",
    month_no_vouchers_text: "本村{period}没有收支凭证，当月无需公开收支明细。",
    month_not_published: "未公开",
    village: "村（社区）",
    town: "乡镇（街道）",
    gaps: "逾期未公开",
    due: "应公开",
    sort_by: "排序",
    villages_title: "各村（社区）公开情况",
    towns_title: "各乡镇（街道）公开情况",
    whole: "合计",
    trend_title: "逐月情况",
    month: "月份",
    item: "公开事项",
    period: "公开期",
    state: "状态",
    published_on: "公开日期",
    evidence: "依据",
    open_published: "查看公开内容",
    open_draft: "查看待审稿",
    console_title: "公开日历",
    console_intro: "每个村（社区）每月到期的公开事项：按时、逾期公开、未公开、待审核、未到期。点击格子查看该村当月的事项及其依据。",
    region: "范围",
    from: "起始月份",
    to: "截止月份",
    show: "查看",
    download_csv: "下载 CSV",
    download_xlsx: "下载 Excel",
    legend: "图例",
    village_title: "{village} 公开日历",
    back_to_grid: "返回公开日历",
    nothing: "无",
    my_deadlines: "我的公开期限（逾期与 45 天内到期）",
};

static EN: CalendarTexts = CalendarTexts {
    on_time: "Published on time",
    late: "Published {n} days late",
    missing: "Not published: {n} days overdue",
    waiting: "Submitted, waiting for review",
    waiting_overdue: "Waiting for review, {n} days overdue",
    open: "Not yet due (by {date})",
    no_vouchers: "Not applicable: no vouchers this month",
    short_on_time: "✓ On time",
    short_late: "△ Late",
    short_missing: "✕ Missing",
    short_waiting: "… Waiting",
    short_open: "○ Not due",
    short_not_applicable: "－ N/A",
    quiet: "quiet month, due with its quarter",
    rates_title: "Disclosure record, last 12 months",
    timely_rate: "On time",
    published_rate: "Published",
    rates_note: "On time = items published by their deadline ÷ items due; published = items published ÷ items due. Counts the catalog items of the last 12 months whose deadline has passed (or that are published); months with no vouchers do not count.",
    how_counted: "How these are counted",
    counts: "{due} due: {on_time} on time, {late} late, {missing} not published",
    gaps_title: "Overdue, not published",
    no_gaps: "Nothing overdue in the last 12 months.",
    deadline: "Deadline",
    month_missing_title: "Accounts of {period} not published on time",
    month_missing_text: "The village's accounts of {period} were due by {date} and are not published: {state}. Once published, this page shows the month's income, spending and every voucher.",
    month_open_text: "The village's accounts of {period} are not due yet: they must be published by {date}.",
    month_no_vouchers_text: "The village has no vouchers in {period}: there are no accounts to publish for it.",
    month_not_published: "Not published",
    village: "Village",
    town: "Town",
    gaps: "Overdue",
    due: "Due",
    sort_by: "Sort",
    villages_title: "Villages' disclosure record",
    towns_title: "Towns' disclosure record",
    whole: "Total",
    trend_title: "Month by month",
    month: "Month",
    item: "Item",
    period: "Period",
    state: "State",
    published_on: "Published",
    evidence: "Evidence",
    open_published: "Open the publication",
    open_draft: "Open the version under review",
    console_title: "Disclosure calendar",
    console_intro: "What each village had to publish each month: on time, late, missing, waiting for review, not yet due. Open a cell for the village's items that month and their evidence.",
    region: "Area",
    from: "From month",
    to: "To month",
    show: "Show",
    download_csv: "Download CSV",
    download_xlsx: "Download Excel",
    legend: "Legend",
    village_title: "{village}: disclosure calendar",
    back_to_grid: "Back to the calendar",
    nothing: "None",
    my_deadlines: "My deadlines (overdue, and due within 45 days)",
};
