//! Property trading listings (产权交易) as the public resource trading platform reports them:
//! the feed's documented JSON checked field by field, the stages a listing moves through, the
//! premium of a deal over its reserve price, and winners who are people shown masked.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ledger::parse_amount;
use crate::{Fen, RegionCode};

/// The stages of a listing, in the order the platform moves it through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Announcement,
    Registration,
    Bidding,
    Deal,
    Publicity,
    Closed,
    Terminated,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Announcement,
        Stage::Registration,
        Stage::Bidding,
        Stage::Deal,
        Stage::Publicity,
        Stage::Closed,
        Stage::Terminated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Announcement => "announcement",
            Self::Registration => "registration",
            Self::Bidding => "bidding",
            Self::Deal => "deal",
            Self::Publicity => "publicity",
            Self::Closed => "closed",
            Self::Terminated => "terminated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|stage| stage.as_str() == s)
    }

    pub fn label(self, english: bool) -> &'static str {
        match (self, english) {
            (Self::Announcement, false) => "公告中",
            (Self::Registration, false) => "报名中",
            (Self::Bidding, false) => "竞价中",
            (Self::Deal, false) => "已成交",
            (Self::Publicity, false) => "结果公示",
            (Self::Closed, false) => "已结束",
            (Self::Terminated, false) => "已终止",
            (Self::Announcement, true) => "Announced",
            (Self::Registration, true) => "Registration",
            (Self::Bidding, true) => "Bidding",
            (Self::Deal, true) => "Deal",
            (Self::Publicity, true) => "Result publicity",
            (Self::Closed, true) => "Closed",
            (Self::Terminated, true) => "Terminated",
        }
    }

    /// Whether the deal has been struck (a result exists).
    pub fn has_result(self) -> bool {
        matches!(self, Self::Deal | Self::Publicity | Self::Closed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    OpenBidding,
    Auction,
    Listing,
    Negotiation,
}

impl Method {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open_bidding" => Some(Self::OpenBidding),
            "auction" => Some(Self::Auction),
            "listing" => Some(Self::Listing),
            "negotiation" => Some(Self::Negotiation),
            _ => None,
        }
    }

    pub fn label(self, english: bool) -> &'static str {
        match (self, english) {
            (Self::OpenBidding, false) => "公开竞价",
            (Self::Auction, false) => "拍卖",
            (Self::Listing, false) => "挂牌",
            (Self::Negotiation, false) => "协议",
            (Self::OpenBidding, true) => "Open bidding",
            (Self::Auction, true) => "Auction",
            (Self::Listing, true) => "Listing",
            (Self::Negotiation, true) => "Negotiation",
        }
    }
}

/// What the reserve and deal prices are per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceUnit {
    Year,
    MuYear,
    Total,
}

impl PriceUnit {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "year" => Some(Self::Year),
            "mu_year" => Some(Self::MuYear),
            "total" => Some(Self::Total),
            _ => None,
        }
    }

    pub fn label(self, english: bool) -> &'static str {
        match (self, english) {
            (Self::Year, false) => "元/年",
            (Self::MuYear, false) => "元/亩·年",
            (Self::Total, false) => "元",
            (Self::Year, true) => "yuan a year",
            (Self::MuYear, true) => "yuan per mu a year",
            (Self::Total, true) => "yuan",
        }
    }
}

/// A period of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Window {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deal {
    pub date: NaiveDate,
    pub price: Fen,
    /// As published: a person's name masked (张*明), an organisation's in full. The clear name of
    /// a person is never stored.
    pub winner: String,
    pub winner_is_person: bool,
    /// An organisation's unified social credit code (统一社会信用代码), when the feed gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winner_uscc: Option<String>,
}

/// A listing as yangguang keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub project_no: String,
    pub village: RegionCode,
    pub title: String,
    pub subject_type: String,
    pub location: String,
    /// Decimal text as the platform gave it, with its unit ("m2" or "mu").
    pub area: String,
    pub area_unit: String,
    pub reserve_price: Fen,
    pub price_unit: PriceUnit,
    pub method: Method,
    pub term: Option<Window>,
    pub announcement: Window,
    pub registration_end: Option<NaiveDate>,
    pub bidding_date: Option<NaiveDate>,
    pub deal: Option<Deal>,
    pub publicity: Option<Window>,
    pub stage: Stage,
    /// When the platform last changed the listing.
    pub updated_at: DateTime<Utc>,
}

impl Listing {
    /// Open for villagers to act on: announced and not yet past its announcement period.
    pub fn is_open(&self, today: NaiveDate) -> bool {
        matches!(self.stage, Stage::Announcement | Stage::Registration) && self.announcement.contains(today)
    }

    /// The premium of the deal over the reserve price, in hundredths of a percent.
    pub fn premium_basis_points(&self) -> Option<i64> {
        let deal = self.deal.as_ref()?;
        if self.reserve_price.0 <= 0 {
            return None;
        }
        let diff = i128::from(deal.price.0) - i128::from(self.reserve_price.0);
        i64::try_from(diff * 10_000 / i128::from(self.reserve_price.0)).ok()
    }

    /// "12.50%": the premium as shown to villagers.
    pub fn premium_text(&self) -> Option<String> {
        self.premium_basis_points().map(|bp| {
            let sign = if bp < 0 { "-" } else { "" };
            format!("{sign}{}.{:02}%", bp.abs() / 100, bp.abs() % 100)
        })
    }
}

/// A person's name as published: the first character kept, the rest starred (张** , 欧阳*华).
pub fn mask_person(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => {
            let mut masked = String::new();
            masked.push(chars[0]);
            masked.extend(std::iter::repeat_n('*', n - 2));
            masked.push(chars[n - 1]);
            masked
        }
    }
}

/// A listing as the feed sends it (see the README, "Trading feed format"). Amounts may be
/// JSON numbers or strings; every field is checked by [`FeedListing::check`].
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FeedListing {
    pub project_no: String,
    pub village_code: String,
    pub title: String,
    pub subject_type: String,
    pub location: String,
    pub area: serde_json::Value,
    pub area_unit: String,
    pub reserve_price: serde_json::Value,
    pub price_unit: String,
    pub method: String,
    pub term_start: Option<String>,
    pub term_end: Option<String>,
    pub announcement_start: String,
    pub announcement_end: String,
    pub registration_end: Option<String>,
    pub bidding_date: Option<String>,
    pub deal: Option<FeedDeal>,
    pub publicity_start: Option<String>,
    pub publicity_end: Option<String>,
    pub stage: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FeedDeal {
    pub date: String,
    pub price: serde_json::Value,
    pub winner: String,
    /// "person" or "organisation".
    pub winner_type: String,
    /// An organisation's 统一社会信用代码 (optional; never given for a person).
    pub winner_uscc: Option<String>,
}

/// One problem with one field of one listing in a feed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// 0-based position in the message's `listings`.
    pub index: usize,
    pub project_no: String,
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "第 {} 条（项目编号 {}）{}：{}", self.index + 1, self.project_no, self.field, self.message)
    }
}

fn text_of(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl FeedListing {
    /// Checks every field and returns the listing as kept, or every problem found.
    pub fn check(&self, index: usize) -> Result<Listing, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &'static str, message: String| {
            errors.push(FieldError { index, project_no: self.project_no.clone(), field, message });
        };
        let project_no = self.project_no.trim().to_owned();
        if project_no.is_empty() || project_no.len() > 64 || project_no.chars().any(|c| c.is_control() || c == '/') {
            fail("project_no", "项目编号为空、过长或含有不允许的字符 / missing or malformed".into());
        }
        let village = RegionCode::parse(self.village_code.trim()).ok();
        if village.is_none() {
            fail(
                "village_code",
                format!("“{}”不是 12 位村级区划代码 / not a 12-digit village code", self.village_code),
            );
        }
        for (field, value) in [("title", &self.title), ("subject_type", &self.subject_type)] {
            if value.trim().is_empty() {
                fail(field, "不能为空 / required".into());
            }
        }
        let area = text_of(&self.area).unwrap_or_default();
        if area.parse::<f64>().map_or(true, |a| !(a >= 0.0 && a.is_finite())) {
            fail("area", format!("面积“{area}”不是数字 / not a number"));
        }
        if !matches!(self.area_unit.as_str(), "m2" | "mu") {
            fail("area_unit", format!("面积单位“{}”应为 m2 或 mu / must be m2 or mu", self.area_unit));
        }
        let mut amount = |field: &'static str, value: &serde_json::Value| -> Fen {
            match text_of(value).map(|t| parse_amount(&t)) {
                Some(Ok(fen)) if fen.0 >= 0 => fen,
                _ => {
                    fail(field, format!("金额“{value}”无法识别 / not an amount in yuan"));
                    Fen(0)
                }
            }
        };
        let reserve_price = amount("reserve_price", &self.reserve_price);
        let deal_price = self.deal.as_ref().map(|d| amount("deal.price", &d.price));
        let price_unit = PriceUnit::parse(&self.price_unit);
        if price_unit.is_none() {
            fail("price_unit", format!("“{}”应为 year、mu_year 或 total", self.price_unit));
        }
        let method = Method::parse(&self.method);
        if method.is_none() {
            fail("method", format!("“{}”应为 open_bidding、auction、listing 或 negotiation", self.method));
        }
        let stage = Stage::parse(&self.stage);
        if stage.is_none() {
            fail("stage", format!("“{}”不是已知的阶段 / unknown stage", self.stage));
        }
        let mut date = |field: &'static str, value: Option<&str>| -> Option<NaiveDate> {
            let value = value?.trim();
            if value.is_empty() {
                return None;
            }
            let parsed = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok();
            if parsed.is_none() {
                fail(field, format!("日期“{value}”应写作 YYYY-MM-DD"));
            }
            parsed
        };
        let term_start = date("term_start", self.term_start.as_deref());
        let term_end = date("term_end", self.term_end.as_deref());
        let announcement_start = date("announcement_start", Some(&self.announcement_start));
        let announcement_end = date("announcement_end", Some(&self.announcement_end));
        let registration_end = date("registration_end", self.registration_end.as_deref());
        let bidding_date = date("bidding_date", self.bidding_date.as_deref());
        let deal_date = self.deal.as_ref().and_then(|d| date("deal.date", Some(&d.date)));
        let publicity_start = date("publicity_start", self.publicity_start.as_deref());
        let publicity_end = date("publicity_end", self.publicity_end.as_deref());
        let updated_at = DateTime::parse_from_rfc3339(self.updated_at.trim()).ok().map(|t| t.with_timezone(&Utc));
        if updated_at.is_none() {
            fail("updated_at", format!("“{}”应为 RFC 3339 时间，如 2026-11-20T08:00:00+08:00", self.updated_at));
        }
        let window = |start: Option<NaiveDate>, end: Option<NaiveDate>| match (start, end) {
            (Some(start), Some(end)) if start <= end => Ok(Some(Window { start, end })),
            (None, None) => Ok(None),
            _ => Err(()),
        };
        let term = window(term_start, term_end).unwrap_or_else(|()| {
            fail("term_end", "租期须同时给出起止日期，且止不早于起 / start and end, end not before start".into());
            None
        });
        let announcement = window(announcement_start, announcement_end).ok().flatten();
        if announcement.is_none() && announcement_start.is_some() && announcement_end.is_some() {
            fail("announcement_end", "公告截止日期早于开始日期 / ends before it starts".into());
        }
        let publicity = window(publicity_start, publicity_end).unwrap_or_else(|()| {
            fail("publicity_end", "结果公示须同时给出起止日期 / start and end".into());
            None
        });
        let deal = match (&self.deal, deal_date, deal_price) {
            (Some(d), Some(date), Some(price)) => {
                let winner = d.winner.trim();
                let is_person = match d.winner_type.as_str() {
                    "person" => Some(true),
                    "organisation" => Some(false),
                    _ => None,
                };
                if winner.is_empty() || is_person.is_none() {
                    fail("deal.winner", "成交须有受让方及其类型（person 或 organisation）/ winner and type".into());
                }
                let is_person = is_person.unwrap_or(true);
                let uscc = d.winner_uscc.as_deref().map(str::trim).filter(|c| !c.is_empty());
                if let Some(code) = uscc
                    && (is_person || !crate::contract_value::is_uscc(code))
                {
                    fail(
                        "deal.winner_uscc",
                        format!("“{code}”不是有效的统一社会信用代码（仅限单位）/ not a valid USCC of an organisation"),
                    );
                }
                Some(Deal {
                    date,
                    price,
                    winner: if is_person { mask_person(winner) } else { winner.to_owned() },
                    winner_is_person: is_person,
                    winner_uscc: uscc.map(str::to_owned),
                })
            }
            (Some(_), _, _) => None,
            (None, ..) => {
                if stage.is_some_and(Stage::has_result) {
                    fail("deal", format!("阶段为“{}”却没有成交信息 / a deal stage needs the deal", self.stage));
                }
                None
            }
        };
        match (errors.is_empty(), village, price_unit, method, stage, announcement, updated_at) {
            (
                true,
                Some(village),
                Some(price_unit),
                Some(method),
                Some(stage),
                Some(announcement),
                Some(updated_at),
            ) => Ok(Listing {
                project_no,
                village,
                title: self.title.trim().to_owned(),
                subject_type: self.subject_type.trim().to_owned(),
                location: self.location.trim().to_owned(),
                area,
                area_unit: self.area_unit.clone(),
                reserve_price,
                price_unit,
                method,
                term,
                announcement,
                registration_end,
                bidding_date,
                deal,
                publicity,
                stage,
                updated_at,
            }),
            _ => Err(errors),
        }
    }
}

/// A feed message: a page of a pull, or the body of a push.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct FeedPage {
    pub listings: Vec<serde_json::Value>,
    /// Where the next pull starts; absent on pushes.
    #[serde(default)]
    pub next_cursor: Option<String>,
    #[serde(default)]
    pub has_more: bool,
}

/// Checks every listing of a message: the good ones (with their positions) and every problem
/// with the others (a listing that is not even an object is a problem too).
pub fn check_page(page: &FeedPage) -> (Vec<(usize, Listing)>, Vec<FieldError>) {
    let mut listings = Vec::new();
    let mut errors = Vec::new();
    for (index, value) in page.listings.iter().enumerate() {
        match serde_json::from_value::<FeedListing>(value.clone()) {
            Ok(raw) => match raw.check(index) {
                Ok(listing) => listings.push((index, listing)),
                Err(mut e) => errors.append(&mut e),
            },
            Err(e) => errors.push(FieldError {
                index,
                project_no: value.get("project_no").and_then(|v| v.as_str()).unwrap_or("?").to_owned(),
                field: "listing",
                message: format!("不是有效的挂牌记录 / not a listing: {e}"),
            }),
        }
    }
    (listings, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    pub fn sample() -> serde_json::Value {
        serde_json::json!({
            "project_no": "JX2026-0042",
            "village_code": "339921100201",
            "title": "前山村村口店面房出租",
            "subject_type": "房屋",
            "location": "前山村村口 12 号",
            "area": 120.5,
            "area_unit": "m2",
            "reserve_price": "36,000.00",
            "price_unit": "year",
            "method": "open_bidding",
            "term_start": "2027-01-01",
            "term_end": "2031-12-31",
            "announcement_start": "2026-11-20",
            "announcement_end": "2026-12-04",
            "stage": "announcement",
            "updated_at": "2026-11-20T08:00:00+08:00"
        })
    }

    fn check(value: serde_json::Value) -> Result<Listing, Vec<FieldError>> {
        serde_json::from_value::<FeedListing>(value).unwrap().check(0)
    }

    #[test]
    fn a_documented_listing_is_read_whole() {
        let listing = check(sample()).unwrap();
        assert_eq!(listing.reserve_price, Fen(3_600_000));
        assert_eq!(listing.area, "120.5");
        assert_eq!(listing.stage, Stage::Announcement);
        assert!(listing.is_open(NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()));
        assert!(!listing.is_open(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()));
        assert_eq!(listing.updated_at.to_rfc3339(), "2026-11-20T00:00:00+00:00");
    }

    #[test]
    fn a_deal_masks_a_person_and_states_the_premium() {
        let mut value = sample();
        value["stage"] = "publicity".into();
        value["deal"] =
            serde_json::json!({"date": "2026-12-10", "price": 40500, "winner": "王建明", "winner_type": "person"});
        value["publicity_start"] = "2026-12-11".into();
        value["publicity_end"] = "2026-12-17".into();
        let listing = check(value.clone()).unwrap();
        let deal = listing.deal.as_ref().unwrap();
        assert_eq!(deal.winner, "王*明");
        assert_eq!(listing.premium_text().as_deref(), Some("12.50%"));
        value["deal"]["winner_type"] = "organisation".into();
        value["deal"]["winner"] = "青山农业开发有限公司".into();
        value["deal"]["winner_uscc"] = "91350100M000100Y43".into();
        let deal = check(value.clone()).unwrap().deal.unwrap();
        assert_eq!(deal.winner, "青山农业开发有限公司");
        assert_eq!(deal.winner_uscc.as_deref(), Some("91350100M000100Y43"));
        value["deal"]["winner_uscc"] = "91350100M000100Y44".into();
        assert_eq!(check(value).unwrap_err()[0].field, "deal.winner_uscc");
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut value = sample();
        value["village_code"] = "3399".into();
        value["reserve_price"] = "三万".into();
        value["stage"] = "sold".into();
        value["announcement_end"] = "2026/12/04".into();
        let fields: Vec<&str> = check(value).unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["village_code", "reserve_price", "stage", "announcement_end"]);
        let mut deal_stage = sample();
        deal_stage["stage"] = "deal".into();
        assert_eq!(check(deal_stage).unwrap_err()[0].field, "deal");
    }

    #[test]
    fn a_page_reports_what_is_not_even_an_object() {
        let page = FeedPage { listings: vec![sample(), serde_json::json!(42)], ..Default::default() };
        let (good, bad) = check_page(&page);
        assert_eq!((good.len(), bad.len()), (1, 1));
        assert_eq!(bad[0].index, 1);
    }

    #[test]
    fn stages_round_trip() {
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.as_str()), Some(stage));
        }
    }

    proptest! {
        #[test]
        fn masking_keeps_only_the_ends(name in "\\PC{1,8}") {
            let masked = mask_person(&name);
            let chars: Vec<char> = name.trim().chars().collect();
            prop_assert_eq!(masked.chars().count(), chars.len());
            if chars.len() >= 2 {
                prop_assert!(masked.chars().skip(1).take(chars.len() - 2).all(|c| c == '*'));
            }
        }

        #[test]
        fn premium_sign_follows_the_price(reserve in 1i64..1_000_000_000, price in 0i64..2_000_000_000) {
            let mut listing = check(sample()).unwrap();
            listing.reserve_price = Fen(reserve);
            listing.deal = Some(Deal {
                date: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
                price: Fen(price),
                winner: "*".into(),
                winner_is_person: true,
                winner_uscc: None,
            });
            let bp = listing.premium_basis_points().unwrap();
            prop_assert_eq!(bp.signum(), (price - reserve).signum() * i64::from(bp != 0));
        }
    }
}
