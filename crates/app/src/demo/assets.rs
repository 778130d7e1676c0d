//! The demo's collective assets: trading listings in the trading platform's own feed format
//! (stored through the same checks and upserts as the real feed), and each village's leases,
//! whose rent the books then receive.

use chrono::{Days, Months, NaiveDate};
use serde_json::{Value, json};
use yangguang_core::lease::{Lease, Schedule};
use yangguang_core::trading::mask_person;
use yangguang_core::{Fen, Region};

use super::{Rng, names};

/// Listings a county's trading platform publishes in two years: 664 a year at full scale.
pub fn listings_per_county(full: bool) -> usize {
    if full { 664 * 2 } else { 160 }
}

/// Subject type, area unit, area range, price unit and reserve price range (yuan per unit).
type Subject = (&'static str, &'static str, (u64, u64), &'static str, (u64, u64));
const SUBJECTS: &[Subject] = &[
    ("店面房", "m2", (40, 400), "year", (20_000, 120_000)),
    ("厂房", "m2", (300, 3_000), "year", (60_000, 600_000)),
    ("耕地", "mu", (10, 300), "mu_year", (600, 1_200)),
    ("鱼塘", "mu", (5, 60), "mu_year", (800, 1_600)),
    ("山林", "mu", (50, 800), "mu_year", (30, 120)),
    ("集体经营性建设用地", "mu", (2, 30), "total", (300_000, 3_000_000)),
];

const PLACES: &[&str] = &["村口", "溪东", "后山", "老校舍", "大桥头", "新村路", "水库边", "工业区"];
const FIRMS: &[&str] = &["农业开发有限公司", "生态农场", "水产养殖专业合作社", "物流有限公司", "茶业有限公司"];

fn day(d: NaiveDate) -> String {
    d.to_string()
}

/// One listing announced on `start`, at the stage it would have reached by `as_of`.
fn listing(rng: &mut Rng, no: usize, village: &Region, start: NaiveDate, as_of: NaiveDate) -> Value {
    let &(kind, unit, (amin, amax), price_unit, (pmin, pmax)) = rng.pick(SUBJECTS);
    let area = amin + rng.below(amax - amin);
    let reserve = pmin + rng.below(pmax - pmin) / 100 * 100;
    let place = rng.pick(PLACES);
    let ann_end = start + Days::new(14);
    let bidding = ann_end + Days::new(3);
    let deal_day = bidding + Days::new(2);
    let pub_start = deal_day + Days::new(1);
    let pub_end = pub_start + Days::new(6);
    let term_start = pub_end + Days::new(10);
    let years = [3, 5, 10, 15][rng.below(4) as usize];
    let method = ["open_bidding", "auction", "listing"][rng.below(3) as usize];
    let mut l = json!({
        "project_no": format!("QX-CQ-{}-{no:05}", start.format("%Y")),
        "village_code": village.code.to_string(),
        "title": format!("{}{place}{kind}{}", village.name, if price_unit == "total" { "出让" } else { "出租" }),
        "subject_type": kind,
        "location": format!("{}{place}", village.name),
        "area": area.to_string(),
        "area_unit": unit,
        "reserve_price": reserve,
        "price_unit": price_unit,
        "method": method,
        "term_start": day(term_start),
        "term_end": day(term_start + chrono::Months::new(12 * years) - Days::new(1)),
        "announcement_start": day(start),
        "announcement_end": day(ann_end),
        "registration_end": day(ann_end),
        "bidding_date": day(bidding),
        "stage": "announcement",
        "updated_at": format!("{}T09:00:00+08:00", day(start.min(as_of))),
    });
    let terminated = rng.below(100) < 7;
    let stage = if as_of <= ann_end {
        "announcement"
    } else if terminated {
        "terminated"
    } else if as_of < bidding {
        "registration"
    } else if as_of < deal_day {
        "bidding"
    } else if as_of < pub_start {
        "deal"
    } else if as_of <= pub_end {
        "publicity"
    } else {
        "closed"
    };
    l["stage"] = stage.into();
    if matches!(stage, "deal" | "publicity" | "closed") {
        let premium = rng.below(40);
        let person = rng.below(10) < 6;
        let winner = if person {
            names::cadre(rng)
        } else {
            format!("{}{}", names::TOWN_NAMES[no % names::TOWN_NAMES.len()], rng.pick(FIRMS))
        };
        l["deal"] = json!({
            "date": day(deal_day),
            "price": reserve * (100 + premium) / 100,
            "winner": winner,
            "winner_type": if person { "person" } else { "organisation" },
        });
        l["publicity_start"] = day(pub_start).into();
        l["publicity_end"] = day(pub_end).into();
        l["updated_at"] = format!("{}T09:00:00+08:00", day(deal_day.min(as_of))).into();
    }
    l
}

/// Two years of listings across the villages (none in the `quiet` village), plus, for the demo village, one open
/// announcement and one deal in its result publicity, so both show on its trading column.
pub fn listings(
    villages: &[&Region],
    demo: Option<&Region>,
    quiet: Option<yangguang_core::RegionCode>,
    options: &super::DemoOptions,
) -> Vec<Value> {
    let mut rng = Rng::new(options.seed ^ 0x7ADE);
    let counties = options.scale.max(1) as usize;
    let count = listings_per_county(options.full) * counties;
    let first = options.as_of - Days::new(730);
    let mut out = Vec::with_capacity(count + 2);
    for no in 0..count {
        let mut village = villages[rng.below(villages.len() as u64) as usize];
        // The clean village's assets stay as its leases say: none of its own on the platform.
        if Some(village.code) == quiet {
            village = villages[(no * 7 + 11) % villages.len()];
        }
        let start = first + Days::new(rng.below(730));
        out.push(listing(&mut rng, no + 1, village, start, options.as_of));
    }
    if let Some(demo) = demo {
        out.push(listing(&mut rng, count + 1, demo, options.as_of - Days::new(2), options.as_of));
        // Drawn again if the draw was a terminated listing, which has no result to show.
        let dealt = (0..50)
            .map(|_| listing(&mut rng, count + 2, demo, options.as_of - Days::new(21), options.as_of))
            .find(|l| l["stage"] == "publicity")
            .expect("most listings reach their deal");
        out.push(dealt);
    }
    out
}

/// A listing that reached its deal and closed: announced on `start`, dealt 19 days later at
/// `price` to `winner`, for a term from `term.0` to `term.1`. The leases at or above the
/// must-trade rent were let this way, and the planted deals are written with it.
pub struct Closed<'a> {
    pub project_no: String,
    pub village: &'a Region,
    pub title: String,
    pub subject_type: &'a str,
    pub area: (&'a str, &'a str),
    pub reserve: Fen,
    pub price: Fen,
    pub price_unit: &'a str,
    pub winner: (String, bool),
    pub start: NaiveDate,
    pub term: (NaiveDate, NaiveDate),
}

pub fn closed_listing(c: &Closed<'_>) -> Value {
    let ann_end = c.start + Days::new(14);
    let bidding = ann_end + Days::new(3);
    let deal_day = bidding + Days::new(2);
    let pub_start = deal_day + Days::new(1);
    let pub_end = pub_start + Days::new(6);
    // The feed carries prices in yuan.
    let yuan = |f: Fen| f.0 / 100;
    json!({
        "project_no": c.project_no,
        "village_code": c.village.code.to_string(),
        "title": c.title,
        "subject_type": c.subject_type,
        "location": c.village.name.clone(),
        "area": c.area.0,
        "area_unit": c.area.1,
        "reserve_price": yuan(c.reserve),
        "price_unit": c.price_unit,
        "method": "open_bidding",
        "term_start": day(c.term.0),
        "term_end": day(c.term.1),
        "announcement_start": day(c.start),
        "announcement_end": day(ann_end),
        "registration_end": day(ann_end),
        "bidding_date": day(bidding),
        "stage": "closed",
        "deal": {
            "date": day(deal_day),
            "price": yuan(c.price),
            "winner": c.winner.0,
            "winner_type": if c.winner.1 { "person" } else { "organisation" },
        },
        "publicity_start": day(pub_start),
        "publicity_end": day(pub_end),
        "updated_at": format!("{}T09:00:00+08:00", day(pub_end)),
    })
}

/// The trading platform's record of a lease at or above the must-trade rent: announced about
/// seven weeks before the term began, dealt at the lease's rent (the reserve a little lower).
pub fn lease_listing(village: &Region, lease: &Lease, n: usize) -> Value {
    let start = lease.start - Days::new(50);
    closed_listing(&Closed {
        project_no: format!("QX-CQ-{}-L{}{n:02}", start.format("%Y"), village.code.to_string().get(6..).unwrap_or("")),
        village,
        title: format!("{}{}出租", village.name, lease.asset),
        subject_type: &lease.asset_type,
        area: (&lease.area, &lease.area_unit),
        reserve: Fen(lease.annual_rent.0 / 100 * 92),
        price: lease.annual_rent,
        price_unit: "year",
        winner: (lease.lessee.clone(), lease.lessee_is_person),
        start,
        term: (lease.start, lease.end),
    })
}

/// Leases a county holds: 2,019 at full scale, as the real one listed.
pub fn leases_per_county(full: bool) -> u64 {
    if full { 2_019 } else { 1_010 }
}

/// A village's leases, all or most running on `as_of`: a few end within 90 days, a few have
/// ended (not yet re-tendered).
pub fn village_leases(rng: &mut Rng, village: &Region, count: u64, as_of: NaiveDate) -> Vec<Lease> {
    let mut taken = std::collections::HashSet::new();
    (0..count)
        .map(|n| {
            let &(kind, unit, (amin, amax), price_unit, (pmin, pmax)) = rng.pick(&SUBJECTS[..5]);
            let area = amin + rng.below(amax - amin);
            let per = pmin + rng.below(pmax - pmin);
            let annual = if price_unit == "mu_year" { area * per } else { per } / 100 * 100;
            let years = [3u32, 5, 10, 15][rng.below(4) as usize];
            let span = u64::from(years) * 365;
            // One in twenty has ended already; the rest are somewhere in their term.
            let back = if rng.below(20) == 0 { span + rng.below(200) } else { rng.below(span) };
            let start = as_of - Days::new(back);
            let end = start + Months::new(12 * years) - Days::new(1);
            let person = rng.below(10) < 7;
            let lessee = if person {
                mask_person(&names::cadre(rng))
            } else {
                format!("{}{}", names::TOWN_NAMES[(n as usize) % names::TOWN_NAMES.len()], rng.pick(FIRMS))
            };
            let schedule = match rng.below(10) {
                0..6 => Schedule::Yearly,
                6 | 7 => Schedule::HalfYearly,
                8 => Schedule::Quarterly,
                _ => Schedule::Once,
            };
            Lease {
                contract_no: format!("HT-{}-{:03}", start.format("%Y"), n + 1),
                village: village.code,
                asset: unique_asset(&mut taken, PLACES[rng.below(PLACES.len() as u64) as usize], kind),
                asset_type: kind.into(),
                location: format!("{}{}", village.name, rng.pick(PLACES)),
                lessee,
                lessee_is_person: person,
                area: area.to_string(),
                area_unit: unit.into(),
                annual_rent: Fen::from_yuan(annual as i64),
                start,
                end,
                schedule,
            }
        })
        .collect()
}

/// An asset's name, numbered when the village already lets one of the same place and kind
/// (`村口二号店面房`), so that a listing naming one never names the other.
fn unique_asset(taken: &mut std::collections::HashSet<String>, place: &str, kind: &str) -> String {
    let mut name = format!("{place}{kind}");
    let mut n = 1;
    while !taken.insert(name.clone()) {
        n += 1;
        let zh =
            ["二", "三", "四", "五", "六", "七", "八", "九"].get(n - 2).map_or_else(|| n.to_string(), |z| (*z).into());
        name = format!("{place}{zh}号{kind}");
    }
    name
}

/// A village's assets and resources registers: buildings and facilities with original values
/// (those let out naming their lessee), and land, forest and water under contract.
pub fn village_registers(
    rng: &mut Rng,
    village: &Region,
    leases: &[Lease],
) -> (Vec<yangguang_core::assets::Asset>, Vec<yangguang_core::assets::Asset>) {
    use yangguang_core::assets::{Asset, Register};
    let mut assets: Vec<Asset> = ["村委办公楼", "文化礼堂", "老年活动中心", "公共厕所", "路灯", "村道"]
        .iter()
        .take(3 + rng.below(4) as usize)
        .enumerate()
        .map(|(i, name)| Asset {
            register: Register::Assets,
            code: format!("ZC-{:03}", i + 1),
            village: village.code,
            name: (*name).into(),
            category: if i < 4 { "房屋及建筑物" } else { "公益设施" }.into(),
            location: format!("{}{}", village.name, rng.pick(PLACES)),
            area: if i < 4 { (120 + rng.below(900)).to_string() } else { String::new() },
            area_unit: "m2".into(),
            original_value: Some(Fen::from_yuan(20_000 + rng.below(2_000_000) as i64)),
            status: "在用".into(),
            occupant: "村集体".into(),
        })
        .collect();
    let mut resources = vec![];
    for l in leases {
        let building = l.area_unit == "m2";
        let row = Asset {
            register: if building { Register::Assets } else { Register::Resources },
            code: String::new(),
            village: village.code,
            name: l.asset.clone(),
            category: l.asset_type.clone(),
            location: l.location.clone(),
            area: l.area.clone(),
            area_unit: l.area_unit.clone(),
            original_value: building.then(|| Fen::from_yuan(100_000 + rng.below(900_000) as i64)),
            status: "出租".into(),
            occupant: l.lessee.clone(),
        };
        if building { assets.push(row) } else { resources.push(row) }
    }
    for (i, kind) in ["林地", "水面", "荒地"].iter().enumerate().take(1 + rng.below(3) as usize) {
        resources.push(Asset {
            register: Register::Resources,
            code: String::new(),
            village: village.code,
            name: format!("{}{kind}", rng.pick(PLACES)),
            category: (*kind).into(),
            location: format!("{}{}", village.name, rng.pick(PLACES)),
            area: (10 + rng.below(400) + i as u64).to_string(),
            area_unit: "mu".into(),
            original_value: None,
            status: "未利用".into(),
            occupant: String::new(),
        });
    }
    for (i, a) in assets.iter_mut().enumerate() {
        a.code = format!("ZC-{:03}", i + 1);
    }
    for (i, r) in resources.iter_mut().enumerate() {
        r.code = format!("ZY-{:03}", i + 1);
    }
    (assets, resources)
}
