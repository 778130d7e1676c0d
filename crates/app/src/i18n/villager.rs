//! The words of the villager's side that came with elder mode on a small phone: the login's
//! help line, units of area, the accounts' month switch, tap-to-call, and the "开放数据"
//! section that explains each technical format in plain words.

use super::Lang;

pub struct VillagerTexts {
    /// The help line on the code step, for every number alike (it never says whether this
    /// number is registered). `{village}` is the village's name, or `village_unknown`.
    pub code_help: &'static str,
    pub village_unknown: &'static str,
    pub unit_mu: &'static str,
    pub unit_m2: &'static str,
    pub yuan: &'static str,
    pub area: &'static str,
    pub parcel_area: &'static str,
    pub floor_area: &'static str,
    pub member_name: &'static str,
    pub dividend_year: &'static str,
    pub month_nav: &'static str,
    pub prev_month: &'static str,
    pub next_month: &'static str,
    /// The accessible name of a tap-to-call link: "拨打 {name} 的电话".
    pub call: &'static str,
    pub open_data: &'static str,
    pub open_data_intro: &'static str,
    pub atom: &'static str,
    pub atom_plain: &'static str,
    pub ocds: &'static str,
    pub ocds_plain: &'static str,
    pub fdp: &'static str,
    pub fdp_plain: &'static str,
    pub ed25519: &'static str,
    pub ed25519_plain: &'static str,
}

impl Lang {
    pub fn villager(self) -> &'static VillagerTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
}

impl VillagerTexts {
    /// The help line naming the village, when the reader's last village is known.
    pub fn code_help_for(&self, village: Option<&str>) -> String {
        self.code_help.replace("{village}", village.unwrap_or(self.village_unknown))
    }
}

static ZH: VillagerTexts = VillagerTexts {
    code_help: "收不到验证码？只有本户登记过的手机号码才能收到。请带上户口簿，到{village}村委会找村务工作者核对或登记本户的手机号码。",
    village_unknown: "本村",
    unit_mu: "亩",
    unit_m2: "平方米",
    yuan: "元",
    area: "面积",
    parcel_area: "宗地面积",
    floor_area: "建筑面积",
    member_name: "姓名",
    dividend_year: "年度",
    month_nav: "切换月份",
    prev_month: "上个月",
    next_month: "下个月",
    call: "拨打电话",
    open_data: "开放数据",
    open_data_intro: "下面是给会用电脑处理数据的人准备的文件，内容和本页相同，只是格式便于程序读取和核对。",
    atom: "订阅更新（Atom）",
    atom_plain: "用新闻阅读器订阅后，本村一有新的公开内容就能收到。",
    ocds: "交易数据（OCDS）",
    ocds_plain: "本村产权交易的公告和成交结果，按国际通用的交易公开格式整理。",
    fdp: "全年账目（Fiscal Data Package）",
    fdp_plain: "本年已公开的每一笔账，按国际通用的财政数据格式整理，可以用电子表格打开核对。",
    ed25519: "平台签名公钥（ed25519）",
    ed25519_plain: "用来核对公开记录确实由本平台签发、没有被人改过的一串数字。",
};

static EN: VillagerTexts = VillagerTexts {
    code_help: "No code arriving? Only a number registered for your household gets one. Take your household register to the {village} village committee and ask the clerk to check or register your household's number.",
    village_unknown: "your",
    unit_mu: "mu",
    unit_m2: "m²",
    yuan: "yuan",
    area: "Area",
    parcel_area: "Parcel area",
    floor_area: "Floor area",
    member_name: "Name",
    dividend_year: "Year",
    month_nav: "Other months",
    prev_month: "Previous month",
    next_month: "Next month",
    call: "Call",
    open_data: "Open data",
    open_data_intro: "Files for people who work with data on a computer: the same content as this page, in formats programs can read and check.",
    atom: "Updates (Atom)",
    atom_plain: "Subscribe in a news reader to hear of everything the village publishes.",
    ocds: "Trading data (OCDS)",
    ocds_plain: "The village's property listings and deals, in the international open contracting format.",
    fdp: "The year's books (Fiscal Data Package)",
    fdp_plain: "Every entry of the year's published books, in the international fiscal data format; opens in a spreadsheet.",
    ed25519: "The platform's signing key (ed25519)",
    ed25519_plain: "The number that shows the publication record was signed by this platform and not altered.",
};
