//! The words of the paper board (打印公示单): one item's printable sheet and a period's
//! whole board with its cover.

use super::Lang;

pub struct PrintTexts {
    /// The link on an item's page and the console's due list.
    pub print_sheet: &'static str,
    /// The link on a month's (or period's) pages: print all of it.
    pub print_period: &'static str,
    /// The sheet's heading above the title: "村务公开".
    pub board: &'static str,
    pub village: &'static str,
    pub column: &'static str,
    pub catalog_item: &'static str,
    pub period: &'static str,
    pub published: &'static str,
    pub reference: &'static str,
    pub signoffs: &'static str,
    pub no_signoffs: &'static str,
    pub attachments: &'static str,
    /// After the attachments' names: where to read them.
    pub attachments_online: &'static str,
    pub fingerprint: &'static str,
    /// How a villager checks the paper against the record.
    pub check_line: &'static str,
    /// The QR code's accessible name.
    pub qr_label: &'static str,
    /// The printed address under the QR code, for those who type it.
    pub address: &'static str,
    /// A withdrawn version's banner: `{at}`, `{reason}`.
    pub withdrawn: &'static str,
    /// A corrected version's banner: `{at}`, `{id}` (the correction's number).
    pub superseded: &'static str,
    /// The button that opens the browser's print dialog (a link to this page).
    pub print_hint: &'static str,
    /// The cover: `{village}`, `{period}`.
    pub cover_title: &'static str,
    pub cover_published: &'static str,
    pub cover_none_published: &'static str,
    pub cover_missing: &'static str,
    pub cover_none_missing: &'static str,
    pub cover_withdrawn: &'static str,
    pub deadline: &'static str,
    pub state: &'static str,
    pub sheet_no: &'static str,
    /// How a period is given, when it is not: `{value}`.
    pub bad_period: &'static str,
    pub printed_on: &'static str,
    /// The cover's column heads: the item's title, its page in the print.
    pub col_title: &'static str,
    pub col_page: &'static str,
    /// The screen-only link back to the web page.
    pub back: &'static str,
}

impl Lang {
    pub fn print(self) -> &'static PrintTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
}

static ZH: PrintTexts = PrintTexts {
    print_sheet: "打印公示单",
    print_period: "打印本期公示单",
    board: "村务公开栏",
    village: "村（社区）",
    column: "栏目",
    catalog_item: "公开事项",
    period: "公开期",
    published: "公布日期",
    reference: "编号",
    signoffs: "审核签字",
    no_signoffs: "本事项无需审核签字",
    attachments: "附件",
    attachments_online: "（附件全文见扫码页面）",
    fingerprint: "内容指纹",
    check_line: "扫码核对：二维码页面上的指纹与本页一致即为原件。",
    qr_label: "本事项网上页面的二维码",
    address: "网址",
    withdrawn: "本事项已于 {at} 撤回，原因：{reason}。请撤下原公示单。",
    superseded: "本版本已于 {at} 被更正（第 {id} 号），请张贴更正后的版本。",
    print_hint: "用浏览器的“打印”即可打印或另存为 PDF（A4 纸）。",
    cover_title: "{village} {period} 公开事项清单",
    cover_published: "本期已公开、需张贴的事项",
    cover_none_published: "本期还没有已公开的事项。",
    cover_missing: "本期应公开而未公开的事项",
    cover_none_missing: "本期应公开的事项均已公开。",
    cover_withdrawn: "本期已撤回的事项（不再张贴，请撤下）",
    deadline: "截止日期",
    state: "状态",
    sheet_no: "第 {n} 页",
    bad_period: "公开期 “{value}” 无效：请写成 2026-03（月）、2026-Q1（季度）、2026-H1（半年）或 2026（年）",
    printed_on: "打印日期",
    col_title: "标题",
    col_page: "页码",
    back: "返回网页",
};

static EN: PrintTexts = PrintTexts {
    print_sheet: "Print the notice",
    print_period: "Print this period's notices",
    board: "Village affairs notice board",
    village: "Village",
    column: "Column",
    catalog_item: "Catalog item",
    period: "Period",
    published: "Published on",
    reference: "Reference",
    signoffs: "Sign-offs",
    no_signoffs: "This item needs no sign-off",
    attachments: "Attachments",
    attachments_online: "(read them in full on the page the QR code opens)",
    fingerprint: "Content fingerprint",
    check_line: "Scan to check: if the fingerprint on the QR code's page matches this sheet, this is the original.",
    qr_label: "QR code of this item's web page",
    address: "Address",
    withdrawn: "Withdrawn on {at} because: {reason}. Take the old notice down.",
    superseded: "Corrected on {at} (no. {id}): post the corrected version instead.",
    print_hint: "Use the browser's Print to print it or save it as PDF (A4).",
    cover_title: "{village}: items of {period}",
    cover_published: "Published items to post",
    cover_none_published: "Nothing of this period is published yet.",
    cover_missing: "Items due and not published",
    cover_none_missing: "Every item due for this period is published.",
    cover_withdrawn: "Withdrawn items of this period (take them down)",
    deadline: "Deadline",
    state: "State",
    sheet_no: "Page {n}",
    bad_period: "The period \"{value}\" is not valid: write 2026-03 (month), 2026-Q1 (quarter), 2026-H1 (half-year) or 2026 (year)",
    printed_on: "Printed on",
    col_title: "Title",
    col_page: "Page",
    back: "Back to the web page",
};
