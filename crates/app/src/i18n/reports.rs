//! The words of problem reports (随手拍): the public pages, the follow-up page, the console's
//! report pages, and the names of categories and statuses.

use yangguang_core::report::{Category, Status};

use super::{Label, Lang};

pub struct ReportTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub new_title: &'static str,
    pub new_intro: &'static str,
    pub category: &'static str,
    pub description: &'static str,
    pub description_hint: &'static str,
    pub photos: &'static str,
    pub photos_hint: &'static str,
    pub address: &'static str,
    pub address_hint: &'static str,
    pub lat: &'static str,
    pub long: &'static str,
    pub locate: &'static str,
    pub locating: &'static str,
    pub located: &'static str,
    pub locate_failed: &'static str,
    pub submit: &'static str,
    pub anonymous_note: &'static str,
    pub sent_title: &'static str,
    pub sent_text: &'static str,
    pub receipt_code: &'static str,
    pub keep_code: &'static str,
    pub follow_title: &'static str,
    pub follow_intro: &'static str,
    pub follow_button: &'static str,
    pub follow_unknown: &'static str,
    pub status: &'static str,
    pub history: &'static str,
    pub sent_at: &'static str,
    pub handled_by: &'static str,
    pub outcome: &'static str,
    pub hidden: &'static str,
    pub resolved_list: &'static str,
    pub none_resolved: &'static str,
    pub report_link: &'static str,
    pub follow_link: &'static str,
    pub photo_alt: &'static str,
    pub open_data: &'static str,
    pub open_data_text: &'static str,
    // The console.
    pub console_title: &'static str,
    pub all_statuses: &'static str,
    pub filter: &'static str,
    pub none_here: &'static str,
    pub assign: &'static str,
    pub assignee: &'static str,
    pub new_status: &'static str,
    pub note: &'static str,
    pub note_hint: &'static str,
    pub save_status: &'static str,
    pub hide: &'static str,
    pub hide_reason: &'static str,
    pub hide_button: &'static str,
    pub location: &'static str,
    pub village: &'static str,
    pub done: &'static str,
}

impl Lang {
    pub fn reports(self) -> &'static ReportTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
}

impl Label for Category {
    fn zh(self) -> &'static str {
        match self {
            Self::Road => "道路",
            Self::Sanitation => "环境卫生",
            Self::Water => "水利",
            Self::StreetLight => "路灯",
            Self::Safety => "安全隐患",
            Self::Other => "其他",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::Road => "Roads",
            Self::Sanitation => "Sanitation",
            Self::Water => "Water works",
            Self::StreetLight => "Street lights",
            Self::Safety => "Safety hazards",
            Self::Other => "Other",
        }
    }
}

impl Label for Status {
    fn zh(self) -> &'static str {
        match self {
            Self::Received => "已受理",
            Self::Assigned => "已派单",
            Self::InProgress => "处理中",
            Self::Resolved => "已解决",
            Self::Closed => "已关闭",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Assigned => "assigned",
            Self::InProgress => "in progress",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }
}

static ZH: ReportTexts = ReportTexts {
    title: "随手拍",
    intro: "看到村里道路破损、垃圾乱堆、路灯不亮、安全隐患，拍张照片告诉网格员。下面是已经解决的问题。",
    new_title: "随手拍：反映问题",
    new_intro: "拍照、写清楚问题和地点，提交后会交给本村网格员处理。不需要登录，也不会公开您的身份。",
    category: "问题类别",
    description: "问题描述",
    description_hint: "5 到 500 个字。只保存文字，不支持网页代码。",
    photos: "照片（可选，最多 3 张）",
    photos_hint: "手机拍摄的照片即可。照片里的拍摄地点等信息会被去掉。",
    address: "地点",
    address_hint: "例如：村口石桥东侧、3 组王家门前（可选）",
    lat: "纬度",
    long: "经度",
    locate: "用手机定位",
    locating: "正在定位……",
    located: "已填入手机定位的经纬度。",
    locate_failed: "无法定位，请直接填写地点。",
    submit: "提交问题",
    anonymous_note: "为防止刷屏，同一手机或网络一小时内提交次数有限。",
    sent_title: "问题已提交",
    sent_text: "网格员会尽快处理。请记下或截图保存下面的查询码，凭它查看处理进度：",
    receipt_code: "查询码",
    keep_code: "查询码只显示这一次，丢失后无法找回。",
    follow_title: "查询处理进度",
    follow_intro: "输入提交问题时得到的查询码。",
    follow_button: "查询",
    follow_unknown: "没有找到这个查询码对应的问题，请检查后再试。",
    status: "状态",
    history: "处理记录",
    sent_at: "提交时间",
    handled_by: "处理人",
    outcome: "处理结果",
    hidden: "已隐藏",
    resolved_list: "已解决的问题",
    none_resolved: "还没有已解决的问题。",
    report_link: "我要反映问题",
    follow_link: "查询处理进度",
    photo_alt: "问题照片",
    open_data: "开放数据",
    open_data_text: "已解决的问题也以 Open311 GeoReport v2 格式提供，供其他系统读取：",
    console_title: "随手拍问题",
    all_statuses: "全部状态",
    filter: "筛选",
    none_here: "没有符合条件的问题。",
    assign: "派单",
    assignee: "派给",
    new_status: "新的状态",
    note: "处理说明",
    note_hint: "写给反映人看的说明；关闭问题时必须写明原因。最多 500 个字。",
    save_status: "保存状态",
    hide: "隐藏不当内容",
    hide_reason: "隐藏原因",
    hide_button: "隐藏",
    location: "位置",
    village: "村（社区）",
    done: "已保存。",
};

static EN: ReportTexts = ReportTexts {
    title: "Problem reports",
    intro: "Broken roads, rubbish, dead street lights, hazards: take a photo and tell the grid worker. Resolved problems are listed below.",
    new_title: "Report a problem",
    new_intro: "Take a photo and say what and where; the village's grid worker handles it. No login needed; your identity is never published.",
    category: "Category",
    description: "Description",
    description_hint: "5 to 500 characters, plain text only.",
    photos: "Photos (optional, at most 3)",
    photos_hint: "Phone photos are fine. Location data inside them is removed.",
    address: "Place",
    address_hint: "e.g. east of the stone bridge (optional)",
    lat: "Latitude",
    long: "Longitude",
    locate: "Use my phone's location",
    locating: "Locating…",
    located: "The phone's coordinates were filled in.",
    locate_failed: "No location available; please describe the place.",
    submit: "Send report",
    anonymous_note: "To prevent flooding, reports from one phone or network are limited per hour.",
    sent_title: "Report sent",
    sent_text: "The grid worker will handle it. Keep this code (write it down or take a screenshot) to follow the report:",
    receipt_code: "Receipt code",
    keep_code: "The code is shown only this once and cannot be recovered.",
    follow_title: "Follow a report",
    follow_intro: "Enter the receipt code you got when sending the report.",
    follow_button: "Look up",
    follow_unknown: "No report has this code; please check it and try again.",
    status: "Status",
    history: "History",
    sent_at: "Sent",
    handled_by: "Handled by",
    outcome: "Outcome",
    hidden: "Hidden",
    resolved_list: "Resolved problems",
    none_resolved: "No resolved problems yet.",
    report_link: "Report a problem",
    follow_link: "Follow a report",
    photo_alt: "Photo of the problem",
    open_data: "Open data",
    open_data_text: "Resolved reports are also published as Open311 GeoReport v2 for other systems:",
    console_title: "Problem reports",
    all_statuses: "All statuses",
    filter: "Filter",
    none_here: "No reports match.",
    assign: "Assign",
    assignee: "Assign to",
    new_status: "New status",
    note: "Note",
    note_hint: "Shown to the reporter; closing needs a reason. At most 500 characters.",
    save_status: "Save status",
    hide: "Hide abusive content",
    hide_reason: "Reason",
    hide_button: "Hide",
    location: "Location",
    village: "Village",
    done: "Saved.",
};
