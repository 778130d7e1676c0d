//! The words of the "开放数据" pages: a village's datasets and the county's list of them.

use super::Lang;

pub struct OpenDataTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub county_title: &'static str,
    pub county_intro: &'static str,
    pub format: &'static str,
    pub size: &'static str,
    pub size_unknown: &'static str,
    pub license: &'static str,
    pub updated: &'static str,
    pub schema: &'static str,
    pub never: &'static str,
    pub bulk_title: &'static str,
    pub bulk_plain: &'static str,
    pub fdp_title: &'static str,
    pub feed_title: &'static str,
    pub ocds_title: &'static str,
    pub county_ocds_title: &'static str,
    pub catalog: &'static str,
    pub catalog_plain: &'static str,
    pub villages: &'static str,
    pub datasets_count: &'static str,
    pub link: &'static str,
}

impl Lang {
    pub fn open_data(self) -> &'static OpenDataTexts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
}

static ZH: OpenDataTexts = OpenDataTexts {
    title: "开放数据",
    intro: "本村公开的全部数据，可以自由下载、使用和转载，请注明来源。压缩包里的表格用 Excel 或 WPS 可以直接打开。",
    county_title: "开放数据目录",
    county_intro: "全县各村的公开数据。机器可读的目录（DCAT）：",
    format: "格式",
    size: "大小",
    size_unknown: "下载时生成",
    license: "许可",
    updated: "更新",
    schema: "数据说明",
    never: "暂无",
    bulk_title: "{year}年村务公开数据（全部表格）",
    bulk_plain: "公开事项目录、账目分录、凭证、月度收支、资产资源、出租合同、产权交易、民主决策、质询答复，每类一张表。",
    fdp_title: "{year}年收支明细（Fiscal Data Package）",
    feed_title: "公开事项订阅（Atom）",
    ocds_title: "产权交易数据（OCDS）",
    county_ocds_title: "全县产权交易数据（OCDS）",
    catalog: "数据目录",
    catalog_plain: "按 DCAT-AP 3 标准列出全县所有数据集，供数据平台采集。",
    villages: "各村开放数据",
    datasets_count: "{n} 个数据集",
    link: "本村开放数据",
};

static EN: OpenDataTexts = OpenDataTexts {
    title: "Open data",
    intro: "Everything the village publishes as data, free to download, use and republish with credit. The tables in the ZIP open in Excel or WPS.",
    county_title: "Open data catalogue",
    county_intro: "Every village's open data. The machine-readable catalogue (DCAT):",
    format: "Format",
    size: "Size",
    size_unknown: "made on download",
    license: "Licence",
    updated: "Updated",
    schema: "Schema",
    never: "none yet",
    bulk_title: "{year}: all the village's tables",
    bulk_plain: "The disclosures index, ledger lines, vouchers, monthly statements, assets, leases, listings, decisions and answered questions, one table each.",
    fdp_title: "{year}: income and spending (Fiscal Data Package)",
    feed_title: "Publications feed (Atom)",
    ocds_title: "Property trading (OCDS)",
    county_ocds_title: "The county's property trading (OCDS)",
    catalog: "Data catalogue",
    catalog_plain: "Every dataset of the county in DCAT-AP 3, for data portals to harvest.",
    villages: "Villages' open data",
    datasets_count: "{n} datasets",
    link: "The village's open data",
};
