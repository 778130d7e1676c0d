//! The demo county: a deterministic synthetic county shaped like the real one (12 towns,
//! 229 villages and communities) with 24 months of disclosures that follow the catalog —
//! most on time, some late, some missing, so supervision has something to find.

mod assets;
mod bodies;
mod books;
mod decisions;
mod governance;
pub mod names;
pub mod people;
pub mod planted;
mod points;
mod receipts;
mod timeline;
mod visits;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc};
use yangguang_core::catalog::required::MONTHLY_ACCOUNTS;
use yangguang_core::catalog::{DeadlineRule, Frequency, ReviewerRole};
use yangguang_core::publication::{SignoffRecord, content_hash};
use yangguang_core::region::CodeLevel;
use yangguang_core::staff::{Grant, Role};
use yangguang_core::{
    Attachment, CatalogItem, DisclosureKind, DisclosureState, Fen, NewDisclosure, Period, Region, RegionCode,
    RegionKind,
};
use yangguang_store::NewStaff;

use crate::{AppError, Site};

/// SplitMix64: tiny and fixed forever, so a seed always yields the same county (library
/// generators may change their streams between versions).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    /// "Today" for the demo: history covers the 24 months before it.
    pub as_of: NaiveDate,
    /// Number of counties (each 12 towns, 229 villages and communities).
    pub scale: u32,
    /// Books as busy as the real county's: about 190,000 receipt scans a year, every document
    /// of every payment scanned.
    pub full: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub counties: usize,
    pub towns: usize,
    pub villages: usize,
    pub disclosures: usize,
    pub attachments: usize,
    pub corrections: usize,
    pub withdrawals: usize,
    pub vouchers: usize,
    pub receipts: usize,
    pub leases: usize,
    pub households: usize,
    /// Trading listings, stored through the feed's own checks.
    pub listings: usize,
    /// Login accounts for each role, with their one-time passwords.
    pub accounts: Vec<DemoAccount>,
    /// Page views over the last year (访问统计).
    pub visits: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub region: String,
    pub password: String,
}

const CITY: u32 = 339_900;
const TOWNS_PER_COUNTY: usize = 12;
const VILLAGES_PER_COUNTY: usize = 229;

/// The region tree of the demo: one city, `scale` counties, 12 towns each (two street
/// offices with more communities, ten towns and townships), 229 villages and communities
/// per county, with codes in the official format.
pub fn build_regions(options: &DemoOptions) -> Vec<Region> {
    let mut rng = Rng::new(options.seed);
    let city = RegionCode::from_parts(CITY, 0, 0).expect("valid");
    let mut regions = vec![Region { code: city, name: "青山市".into(), parent: None, kind: RegionKind::City }];
    for c in 0..options.scale as usize {
        let county_code = RegionCode::from_parts(CITY + 21 + c as u32, 0, 0).expect("county codes fit");
        let county_name = match names::COUNTY_NAMES.get(c) {
            Some(n) => n.to_string(),
            None => format!("第{}示范县", c + 1),
        };
        regions.push(Region { code: county_code, name: county_name, parent: Some(city), kind: RegionKind::County });
        // Villages per town: between 15 and 23, summing to 229.
        let mut sizes: Vec<usize> = (0..TOWNS_PER_COUNTY).map(|_| 15 + rng.below(9) as usize).collect();
        while sizes.iter().sum::<usize>() != VILLAGES_PER_COUNTY {
            let i = rng.below(TOWNS_PER_COUNTY as u64) as usize;
            if sizes.iter().sum::<usize>() < VILLAGES_PER_COUNTY {
                sizes[i] += 1;
            } else if sizes[i] > 12 {
                sizes[i] -= 1;
            }
        }
        let mut town_names: Vec<&str> = names::TOWN_NAMES.to_vec();
        let mut taken = HashSet::new();
        for (t, &size) in sizes.iter().enumerate() {
            // Street offices are 001–099, towns 100–199, townships 200–399.
            let street = t < 2;
            let name = if street {
                town_names.remove(0).to_string()
            } else {
                let i = 2 + rng.below((town_names.len() - 2) as u64) as usize;
                town_names.remove(i).to_string()
            };
            let town_digits = if street {
                1 + t as u32
            } else if name.ends_with('乡') {
                200 + t as u32
            } else {
                100 + t as u32
            };
            let town_code = RegionCode::from_parts(county_code.county_prefix(), town_digits, 0).expect("valid");
            regions.push(Region { code: town_code, name, parent: Some(county_code), kind: RegionKind::Town });
            let communities = if street { size * 2 / 3 } else { 1 + rng.below(2) as usize };
            for v in 0..size {
                let community = v < communities;
                // Communities are 001–199, villages 200–399.
                let digits = if community { 1 + v as u32 } else { 200 + (v - communities) as u32 + 1 };
                let code = RegionCode::from_parts(county_code.county_prefix(), town_digits, digits).expect("valid");
                let (name, kind) = if community {
                    (names::community(&mut rng, &mut taken), RegionKind::Community)
                } else {
                    (names::village(&mut rng, &mut taken), RegionKind::Village)
                };
                regions.push(Region { code, name, parent: Some(town_code), kind });
            }
        }
    }
    regions
}

/// A publish instant on `date`, during office hours in China.
fn office_time(date: NaiveDate, rng: &mut Rng) -> DateTime<Utc> {
    let local = date.and_hms_opt(8 + rng.below(10) as u32, rng.below(60) as u32, rng.below(60) as u32).expect("valid");
    yangguang_core::time::china().from_local_datetime(&local).single().expect("fixed offset").with_timezone(&Utc)
}

/// How many events an on-event item has in two years, for an average village.
fn events_in_two_years(item: &CatalogItem) -> u64 {
    match item.id.as_str() {
        "decision-resolution" | "decision-result" => 5,
        "deliberation" | "safety-notices" => 4,
        "homestead" | "works-progress" => 3,
        "land-compensation" | "one-matter-funds" | "party-organisation" => 1,
        _ => 2,
    }
}

/// One village's disclosures, each with its attachment bytes to store.
struct VillagePlan {
    disclosures: Vec<(NewDisclosure, Option<bodies::NewFile>)>,
    books: Vec<yangguang_core::ledger::LedgerEntry>,
    leases: Vec<yangguang_core::lease::Lease>,
    /// Households registered, as the village's profile states.
    households: u32,
}

fn plan_village(
    site_items: &[CatalogItem],
    village: &Region,
    options: &DemoOptions,
    catalog: &yangguang_core::Catalog,
    charts: &yangguang_core::accounts::Charts,
    demo_village_code: Option<RegionCode>,
    place: Option<planted::Place>,
) -> VillagePlan {
    let mut rng = Rng::new(
        options.seed
            ^ (u64::from(village.code.county_prefix()) << 20)
            ^ village.code.to_string().parse::<u64>().unwrap_or(0),
    );
    // Most villages publish on time, a few days late now and then; one in sixteen is a laggard
    // that is often late or never publishes. The clean village is never late.
    let laggard = rng.below(16) == 0 && place.is_none();
    let diligence = if laggard { 0.55 + rng.unit() * 0.2 } else { 0.97 + rng.unit() * 0.03 };
    let diligence = if place == Some(planted::Place::Clean) { 1.0 } else { diligence };
    let households =
        if village.kind == RegionKind::Community { 800 + rng.below(2500) } else { 150 + rng.below(700) } as u32;
    let activity = 0.4 + rng.unit() * 1.6;
    let window_start = options.as_of.checked_sub_months(Months::new(24)).expect("date in range");
    let books_start = window_start.with_day(1).expect("valid");
    let mut books_rng = Rng::new(rng.next_u64());
    let busy = if options.full { books::FULL_BUSY } else { 1 };
    // About the county's count of leases, more in busier villages.
    let average = assets::leases_per_county(options.full) as f64 / VILLAGES_PER_COUNTY as f64;
    let mut lease_rng = Rng::new(rng.next_u64());
    let lease_count = (average * activity / 1.2 * (0.5 + lease_rng.unit())).round() as u64;
    let mut leases = assets::village_leases(&mut lease_rng, village, lease_count.max(2), options.as_of);
    leases.extend(planted::leases(place, village.code, options.as_of));
    // The README's village shows a contract running out soon, as the lease pages flag it.
    if demo_village_code == Some(village.code)
        && let Some(first) = leases.first_mut()
    {
        first.end = options.as_of + chrono::Days::new(45);
        first.start = first.end + chrono::Days::new(1) - Months::new(36);
    }
    let arrears = place != Some(planted::Place::Clean);
    let unpaid = planted::unpaid(place, options.as_of);
    let span = (books_start, options.as_of);
    let mut books = books::village_books(&mut books_rng, span, activity, busy, &leases, arrears, &unpaid);
    planted::books(place, &mut books, options.as_of);
    let village_path = format!("/v/{}", village.code);
    let mut plan = VillagePlan { disclosures: vec![], books: vec![], leases, households };
    let mut push =
        |item: &CatalogItem, period: Option<Period>, event: Option<NaiveDate>, published: NaiveDate, rng: &mut Rng| {
            let monthly_accounts = match period {
                Some(p @ Period::Month { .. }) if item.id == MONTHLY_ACCOUNTS => {
                    let lines: Vec<_> =
                        books.iter().filter(|e| e.date >= p.start() && e.date <= p.end()).cloned().collect();
                    Some((yangguang_core::finance::statement(p, &books, charts, Fen(1_000_000)), lines))
                }
                _ => None,
            };
            let ctx = bodies::BodyContext {
                village: &village.name,
                period,
                event_date: event,
                households,
                activity,
                books: monthly_accounts.as_ref().map(|(s, l)| (s, l.as_slice())),
                village_path: &village_path,
            };
            let body = bodies::body(item, &ctx, rng);
            let title = match (period, event) {
                (_, Some(d)) => format!("{}（{}）", item.name, d.format("%Y年%-m月%-d日")),
                (Some(p), None) => format!("{}{}", p.label_zh(), item.name),
                (None, None) => item.name.clone(),
            };
            // A per-event item carries its event's day as its period, as the drafting form
            // records it: the disclosure calendar counts its deadline from that day.
            let period = period.or(event.map(Period::of_day));
            let at = office_time(published, rng);
            plan.disclosures.push((
                NewDisclosure {
                    village: village.code,
                    column: item.column.clone(),
                    catalog_item: Some(item.id.clone()),
                    period,
                    title,
                    body_md: body.markdown,
                    state: DisclosureState::Published,
                    created_at: at,
                    published_at: Some(at),
                    attachments: vec![],
                    kind: DisclosureKind::Original,
                    replaces: None,
                    reason: None,
                    created_by: None,
                    signoffs: vec![],
                },
                body.attachment,
            ));
        };
    for item in site_items {
        match item.frequency {
            Frequency::Continuous => {
                let published = window_start - Days::new(30 + rng.below(300));
                push(item, None, None, published, &mut rng);
            }
            Frequency::OnEvent => {
                let expected = events_in_two_years(item) as f64 * (0.5 + activity / 2.0);
                let count = (expected + rng.unit() * 2.0) as u64;
                let span = (options.as_of - window_start).num_days().max(1) as u64;
                for _ in 0..count {
                    let event = window_start + Days::new(rng.below(span));
                    let on_time = rng.unit() < diligence;
                    let published = match item.deadline {
                        DeadlineRule::BeforeEvent => event - Days::new(if on_time { 3 + rng.below(10) } else { 0 }),
                        rule => {
                            let deadline = rule.deadline_after_event(event, catalog.holidays()).unwrap_or(event);
                            if on_time {
                                event + Days::new(rng.below((deadline - event).num_days().max(0) as u64 + 1))
                            } else {
                                deadline + Days::new(1 + rng.below(if laggard { 30 } else { 5 }))
                            }
                        }
                    };
                    if published <= options.as_of {
                        push(item, None, Some(event), published, &mut rng);
                    }
                }
            }
            _ => {
                let planted = demo_village_code == Some(village.code) && item.id == MONTHLY_ACCOUNTS;
                for period in catalog.periods_due(item, window_start, options.as_of) {
                    // Villages publish their accounts monthly, quiet months too: the busy rule
                    // only gives a quiet month more time.
                    let deadline = item.deadline.deadline_for(period, catalog.holidays()).expect("periodic");
                    let roll = rng.unit();
                    let published = if planted && period == planted_month(options.as_of, GAP_MONTHS_BACK) {
                        continue; // the planted gap: never published
                    } else if planted && period == planted_month(options.as_of, LATE_MONTHS_BACK) {
                        deadline + Days::new(PLANTED_LATE_DAYS)
                    } else if roll < diligence {
                        let room = (deadline - period.end()).num_days().max(1) as u64;
                        period.end() + Days::new(1 + rng.below(room))
                    } else if !laggard {
                        deadline + Days::new(1 + rng.below(5))
                    } else if roll < diligence + (1.0 - diligence) * 0.6 {
                        deadline + Days::new(1 + rng.below(40))
                    } else {
                        continue; // never published: a gap for supervisors to find
                    };
                    if published <= options.as_of {
                        push(item, Some(period), None, published, &mut rng);
                    }
                }
            }
        }
    }
    plan.books = books;
    plan
}

/// The demo village never publishes its monthly accounts of the month this many months
/// before the demo's date (as of 2026-12-07: May 2026), so the disclosure calendar and the
/// public pages have a known gap to show.
pub const GAP_MONTHS_BACK: u32 = 7;
/// … and publishes those of this many months back late, by [`PLANTED_LATE_DAYS`] past the
/// monthly deadline (as of 2026-12-07: August 2026's, due 10 September).
pub const LATE_MONTHS_BACK: u32 = 4;
pub const PLANTED_LATE_DAYS: u64 = 50;

/// The month `back` months before the month of `as_of`.
pub fn planted_month(as_of: NaiveDate, back: u32) -> Period {
    let day = as_of.with_day(1).expect("valid").checked_sub_months(Months::new(back)).expect("in range");
    Period::containing(yangguang_core::period::PeriodKind::Month, day)
}

/// Creates the demo county in an empty store. Refuses a store that already has regions, so
/// a real deployment is never mixed with synthetic data.
pub async fn generate(site: &Site, options: &DemoOptions) -> Result<DemoSummary, AppError> {
    if !site.store.list_regions().await?.is_empty() {
        return Err(AppError::Invalid(
            "数据库中已有区划数据，演示数据只能写入空库 / the demo only fills an empty database".into(),
        ));
    }
    if options.scale == 0 || options.scale > 500 {
        return Err(AppError::Invalid("--scale 应在 1 到 500 之间 / scale must be 1–500".into()));
    }
    // Warnings are computed once, for every village, when the county is complete.
    site.warnings.hold();
    // Each phase's time in the debug log (RUST_LOG=yangguang_app::demo=debug): the demo is
    // the quick start, and its time is watched.
    let started = std::time::Instant::now();
    let phase = |name: &str| tracing::debug!(phase = name, seconds = started.elapsed().as_secs_f64(), "demo");
    let regions = build_regions(options);
    site.store.upsert_regions(&regions).await?;
    site.reload_regions().await?;
    let mut summary = DemoSummary {
        counties: regions.iter().filter(|r| r.kind == RegionKind::County).count(),
        towns: regions.iter().filter(|r| r.kind == RegionKind::Town).count(),
        villages: regions.iter().filter(|r| r.kind.is_village_level()).count(),
        ..DemoSummary::default()
    };
    let catalog = site.catalog.clone();
    let reviewers = create_reviewers(site, &regions, options.seed).await?;
    let villages: Vec<&Region> = regions.iter().filter(|r| r.kind.is_village_level()).collect();
    let mut rng = Rng::new(options.seed ^ 0x00C0_FFEE);
    let mut phone_seq = 0u64;
    // Every village's publications, published in one timeline: the log's times then rise
    // with its sequence, as they do in a real deployment (publishing appends "now").
    let mut planned: Vec<NewDisclosure> = vec![];
    let places = planted::Places::of(&regions);
    // The leases at or above the must-trade rent went through the trading platform.
    let must_trade =
        yangguang_core::warning::Thresholds::fen(yangguang_core::warning::Thresholds::default().must_trade_rent_yuan);
    let mut lease_listings = vec![];
    // Batches of villages keep each transaction short and memory flat at any scale.
    for chunk in villages.chunks(16) {
        for village in chunk {
            let demo = demo_village(&regions).map(|r| r.code);
            let place = places.and_then(|p| p.place(village.code));
            let plan = plan_village(catalog.items(), village, options, &catalog, &site.charts, demo, place);
            let demo = demo == Some(village.code);
            let vouchers = yangguang_core::ledger::vouchers(&plan.books);
            site.store.import_vouchers(village.code, &vouchers, Utc::now()).await?;
            summary.vouchers += vouchers.len();
            summary.receipts += receipts::attach_receipts(site, village.code, &vouchers).await?;
            let budgets = decisions::budgets(site, village, &plan.books).await?;
            for (n, l) in plan.leases.iter().enumerate() {
                if l.annual_rent >= must_trade && !planted::trades_itself(&l.contract_no) {
                    lease_listings.push(assets::lease_listing(village, l, n + 1));
                }
            }
            let leases: Vec<yangguang_store::NewRecord> = plan
                .leases
                .iter()
                .map(|l| crate::registers::record(village.code, crate::leases::key(village.code, &l.contract_no), l))
                .collect();
            site.store.replace_village_records(crate::leases::LEASE, village.code, &leases, Utc::now()).await?;
            summary.leases += leases.len();
            summary.households += add_people(site, village, &plan, options, &mut phone_seq, demo).await?;
            // Governance items come from records, as a clerk's console makes them.
            let mut gov_rng = Rng::new(options.seed ^ village.code.to_string().parse::<u64>().unwrap_or(0) ^ 0x60F);
            // In the README's village and about one village in eight, like the points: every
            // village's records made the demo several times slower; the others keep the generic items.
            let governance = if demo || gov_rng.below(8) == 0 {
                governance::village_records(site, village, options.as_of, &mut gov_rng).await?
            } else {
                vec![]
            };
            let replaced: &[&str] = if governance.is_empty() { &[] } else { &governance::ITEMS };
            let generic = plan
                .disclosures
                .into_iter()
                .filter(|(new, _)| !new.catalog_item.as_deref().is_some_and(|i| replaced.contains(&i)));
            let records = governance.into_iter().chain(budgets).map(|g| (g, None));
            for (mut new, file) in generic.chain(records) {
                if let Some(file) = file {
                    let sha256 = site.files.put_unsynced(&file.bytes).await?;
                    new.attachments.push(Attachment {
                        file_name: file.name,
                        media_type: file.media_type.into(),
                        byte_size: file.bytes.len() as i64,
                        sha256,
                    });
                    summary.attachments += 1;
                }
                new.signoffs = signoffs_for(&catalog, &reviewers, &new);
                planned.push(new);
            }
        }
    }
    phase("villages: books, receipts, registers, people");
    // The tables were empty when the load began: plans made now would scan them whole.
    site.store.refresh_statistics().await?;
    // The README village's decision records, their publications in the same timeline, and
    // its planted publications.
    let mut corrected = None;
    if let Some(village) = demo_village(&regions) {
        for mut new in decisions::add(site, village, options.as_of).await? {
            new.signoffs = signoffs_for(&catalog, &reviewers, &new);
            planned.push(new);
        }
        for mut new in planted::disclosures(village, &catalog, options.as_of) {
            new.signoffs = signoffs_for(&catalog, &reviewers, &new);
            let title = new.title.clone();
            new.signoffs
                .retain(|s| ReviewerRole::parse(&s.role).is_none_or(|role| !planted::drops_signoff(&title, role)));
            if new.title == planted::LAMPS {
                corrected = Some(planned.len());
            }
            planned.push(new);
        }
    }
    summary.disclosures = planned.len();
    let quiet = places.map(|p| p.clean);
    timeline::publish_in_time_order(site, planned, &mut rng, &reviewers, &mut summary, (corrected, quiet)).await?;
    phase("disclosures published");
    for village in &villages {
        decisions::attach_publications(site, village).await?;
    }
    if let Some(village) = demo_village(&regions) {
        planted::question(site, village.code, options.as_of).await?;
    }
    let mut listings = assets::listings(&villages, demo_village(&regions), quiet, options);
    listings.extend(lease_listings);
    if let Some(p) = &places {
        listings.extend(planted::listings(p, &regions, options.as_of));
    }
    for chunk in listings.chunks(500) {
        let page = yangguang_core::trading::FeedPage { listings: chunk.to_vec(), ..Default::default() };
        let report = crate::trading::ingest(site, &page, false, Utc::now()).await?;
        if let Some(e) = report.errors.first() {
            return Err(AppError::Invalid(format!("demo listing refused: {e}")));
        }
        summary.listings += report.inserted as usize;
    }
    phase("listings");
    for village in &villages {
        governance::link_rules(site, village).await?;
    }
    phase("rules linked");
    add_bank(site, &regions, options).await?;
    phase("bank");
    summary.visits = visits::add_visits(site, &villages, options).await?;
    phase("visits");
    summary.accounts = create_accounts(site, &regions).await?;
    add_work_in_progress(site, &regions, options).await?;
    phase("accounts and work in progress");
    site.store.refresh_statistics().await?;
    // Warnings as of the demo's day (not the clock's), every village at once.
    site.warnings.release();
    site.warnings.take();
    let codes: Vec<RegionCode> = villages.iter().map(|v| v.code).collect();
    crate::warnings::refresh(site, &codes, options.as_of, Utc::now()).await?;
    site.announce().await;
    phase("warnings and announce");
    Ok(summary)
}

/// Who signs for a reviewer role: a village's branch, supervision committee and finance
/// group members, a town's reviewer, a county's operator.
type Reviewers = HashMap<(RegionCode, ReviewerRole), (i64, String)>;

fn reviewer_region(village: RegionCode, role: ReviewerRole) -> RegionCode {
    match role {
        ReviewerRole::Township => village.ancestor_at(CodeLevel::Town),
        ReviewerRole::TradingPlatform => village.ancestor_at(CodeLevel::County),
        _ => village,
    }
}

/// Reviewers of every village (they sign the demo's history; they cannot log in).
async fn create_reviewers(site: &Site, regions: &[Region], seed: u64) -> Result<Reviewers, AppError> {
    let mut rng = Rng::new(seed ^ 0x5EED);
    let mut out = HashMap::new();
    let now = Utc::now();
    for region in regions {
        let roles: &[ReviewerRole] = match region.kind {
            RegionKind::Village | RegionKind::Community => {
                &[ReviewerRole::Branch, ReviewerRole::SupervisionCommittee, ReviewerRole::FinanceGroup]
            }
            RegionKind::Town => &[ReviewerRole::Township],
            RegionKind::County => &[ReviewerRole::TradingPlatform],
            RegionKind::City => &[],
        };
        for &role in roles {
            let name = names::cadre(&mut rng);
            let staff_role = Role::signing_for(role);
            let new = NewStaff {
                username: format!("{}-{}", staff_role.as_str(), region.code),
                display_name: name.clone(),
                password_hash: "!".into(),
                must_change_password: false,
                phone: None,
                grants: vec![Grant::new(staff_role, region.code).map_err(|e| AppError::Invalid(e.to_string()))?],
                created_at: now,
            };
            let id = site.store.create_staff(&new).await?;
            out.insert((region.code, role), (id, name));
        }
    }
    Ok(out)
}

fn signoffs_for(catalog: &yangguang_core::Catalog, reviewers: &Reviewers, new: &NewDisclosure) -> Vec<SignoffRecord> {
    let roles = new
        .catalog_item
        .as_deref()
        .and_then(|id| catalog.item(id))
        .map(|i| i.reviewers.clone())
        .unwrap_or_else(|| vec![ReviewerRole::SupervisionCommittee]);
    let hash = content_hash(&new.content());
    let at = new.published_at.unwrap_or(new.created_at) - chrono::Duration::hours(20);
    roles
        .into_iter()
        .filter_map(|role| {
            let (staff_id, name) = reviewers.get(&(reviewer_region(new.village, role), role))?;
            Some(SignoffRecord {
                staff_id: *staff_id,
                reviewer: name.clone(),
                role: role.as_str().into(),
                at,
                content_hash: hash.clone(),
                comment: Some("经审核，同意公开。".into()),
            })
        })
        .collect()
}

/// A village's households (all of them at full scale, a tenth by default), their credit
/// lines, and its assets and resources registers.
async fn add_people(
    site: &Site,
    village: &Region,
    plan: &VillagePlan,
    options: &DemoOptions,
    phone_seq: &mut u64,
    demo: bool,
) -> Result<usize, AppError> {
    // The villages' registered households add up to about 177,000 a county; the register
    // holds three in four of them (about 130,000, as the real county), a tenth of that by default.
    let full = plan.households * 3 / 4;
    let count = if options.full { full } else { (full / 10).max(5) };
    let mut rng = Rng::new(options.seed ^ village.code.to_string().parse::<u64>().unwrap_or(0) ^ 0x4855);
    let key = crate::households::personal_key(site);
    let (mut households, phones) =
        people::village_households(&mut rng, village, count, *phone_seq, options.as_of, &key, demo);
    *phone_seq += u64::from(count);
    // Credit lines are the bank's, kept apart from the register.
    let credit: Vec<yangguang_store::NewRecord> = households
        .iter_mut()
        .filter_map(|h| {
            let line = h.credit.take()?;
            Some(crate::registers::record(village.code, h.key(), &line))
        })
        .collect();
    crate::households::store_households(site, village.code, &households, &phones).await?;
    site.store.replace_village_records(crate::households::CREDIT, village.code, &credit, Utc::now()).await?;
    // The points system in the README's village and about one village in eight.
    if demo || rng.below(8) == 0 {
        points::village_points(site, village.code, &households, &mut rng, options.as_of, demo).await?;
    }
    let (assets, resources) = assets::village_registers(&mut rng, village, &plan.leases);
    for rows in [assets, resources] {
        let Some(kind) = rows.first().map(|r| r.register.kind()) else { continue };
        let records: Vec<yangguang_store::NewRecord> = rows
            .iter()
            .map(|a| crate::registers::record(village.code, crate::assets::key(village.code, &a.code), a))
            .collect();
        site.store.replace_village_records(kind, village.code, &records, Utc::now()).await?;
    }
    Ok(households.len())
}

/// The bank's products in each county, and each village's grade, service point and adviser.
async fn add_bank(site: &Site, regions: &[Region], options: &DemoOptions) -> Result<(), AppError> {
    use crate::finance_inclusion::{PRODUCT, Product, VILLAGE_SERVICE, VillageService};
    let mut rng = Rng::new(options.seed ^ 0xBA4C);
    let products = [
        ("XD-01", "丰收信用贷", "信用贷款", "年化 3.85% 起", "1–3 年", 300_000),
        ("DY-01", "三权抵押贷", "三权抵押贷款", "年化 4.20% 起", "1–5 年", 1_000_000),
        ("CY-01", "创业扶持贷", "创业担保贷款", "财政贴息，个人承担 1.5%", "最长 3 年", 300_000),
    ];
    let mut records = vec![];
    for county in regions.iter().filter(|r| r.kind == RegionKind::County) {
        for (id, name, kind, rate, term, max) in products {
            let product = Product {
                id: id.into(),
                name: name.into(),
                kind: kind.into(),
                rate: rate.into(),
                term: term.into(),
                max_amount: yangguang_core::Fen::from_yuan(max),
                description: "凭整村授信结果办理，随借随还，线上申请、线下服务。".into(),
            };
            records.push(crate::registers::record(county.code, format!("{}/{id}", county.code), &product));
        }
    }
    site.store.upsert_records(PRODUCT, &records, Utc::now()).await?;
    let mut services = vec![];
    for village in regions.iter().filter(|r| r.kind.is_village_level()) {
        let town = village.parent.and_then(|p| regions.iter().find(|r| r.code == p)).map(|t| t.name.clone());
        let service = VillageService {
            grade: ["AAA", "AA", "A", ""][rng.below(4) as usize].into(),
            service_point: format!("{}支行", town.unwrap_or_default()),
            address: format!("{}便民服务中心一楼", village.name),
            hours: "周一至周五 8:30–17:00".into(),
            adviser: names::cadre(&mut rng),
            adviser_phone: format!("0570-{}", 6_000_000 + rng.below(999_999)),
        };
        services.push(crate::registers::record(village.code, village.code.to_string(), &service));
    }
    for chunk in services.chunks(500) {
        site.store.upsert_records(VILLAGE_SERVICE, chunk, Utc::now()).await?;
    }
    Ok(())
}

/// The village whose accounts the README documents: the first village (not community).
pub fn demo_village(regions: &[Region]) -> Option<&Region> {
    regions.iter().filter(|r| r.kind == RegionKind::Village).min_by_key(|r| r.code)
}

/// One login account for each role, around the demo village, with one-time passwords.
async fn create_accounts(site: &Site, regions: &[Region]) -> Result<Vec<DemoAccount>, AppError> {
    let Some(village) = demo_village(regions) else { return Ok(vec![]) };
    let town = village.code.ancestor_at(CodeLevel::Town);
    let county = village.code.ancestor_at(CodeLevel::County);
    let root = regions.iter().find(|r| r.parent.is_none()).map_or(county, |r| r.code);
    let plan = [
        ("clerk", "王秀英", Role::VillageClerk, village.code),
        ("supervisor", "李建国", Role::SupervisionMember, village.code),
        ("finance", "张春兰", Role::FinanceGroupMember, village.code),
        ("branch", "陈国强", Role::BranchMember, village.code),
        ("grid", "赵志远", Role::GridWorker, village.code),
        ("township", "刘芳", Role::TownshipReviewer, town),
        ("operator", "周海", Role::CountyOperator, county),
        ("catalog", "吴敏", Role::CatalogAdmin, county),
        ("bank", "郑丽", Role::BankEditor, county),
        ("discipline", "孙刚", Role::DisciplineCommission, county),
        ("admin", "杨平", Role::PlatformAdmin, root),
    ];
    let mut accounts = vec![];
    for (username, name, role, region) in plan {
        let grant = Grant::new(role, region).map_err(|e| AppError::Invalid(e.to_string()))?;
        let (id, password) = crate::auth::create_staff(site, username, name, vec![grant]).await?;
        // The village's clerk and reviewers get numbers, so the console sender prints their
        // daily digests (`sms 1390000… 【阳光村务】…`).
        if region == village.code {
            let mut staff = site.store.get_staff(id).await?;
            staff.phone = Some(format!("139000000{:02}", accounts.len() + 1));
            site.store.update_staff(&staff).await?;
        }
        let region_name = site.regions().get(region).map(|r| r.name.clone()).unwrap_or_default();
        accounts.push(DemoAccount { username: username.into(), role, region: region_name, password });
    }
    Ok(accounts)
}

/// A draft and an item waiting for review in the demo village, so the console has work.
async fn add_work_in_progress(site: &Site, regions: &[Region], options: &DemoOptions) -> Result<(), AppError> {
    let Some(village) = demo_village(regions) else { return Ok(()) };
    let clerk = site.store.find_staff("clerk").await?.map(|s| s.id);
    let at = office_time(options.as_of, &mut Rng::new(options.seed));
    let base = NewDisclosure {
        village: village.code,
        column: "affairs-works".into(),
        catalog_item: None,
        period: None,
        title: String::new(),
        body_md: String::new(),
        state: DisclosureState::Draft,
        created_at: at,
        published_at: None,
        attachments: vec![],
        kind: DisclosureKind::Original,
        replaces: None,
        reason: None,
        created_by: clerk,
        signoffs: vec![],
    };
    let draft = NewDisclosure {
        title: "村道路灯维修工程验收情况".into(),
        body_md: "村道路灯维修工程已于本月完工，共更换路灯 **24** 盏。\n\n验收意见：合格。".into(),
        ..base.clone()
    };
    let submitted = NewDisclosure {
        title: "关于冬季森林防火的通知".into(),
        column: "safety-notices".into(),
        body_md:
            "进入冬季，天干物燥。请村民：\n\n- 上山不带火种\n- 不在林区烧荒、烧纸\n- 发现火情立即拨打 119 并报告网格员"
                .into(),
        state: DisclosureState::Submitted,
        ..base
    };
    site.add_disclosures(&[draft, submitted]).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> DemoOptions {
        DemoOptions { seed: 7, as_of: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(), scale: 1, full: false }
    }

    #[test]
    fn the_county_has_the_real_shape_and_valid_codes() {
        let regions = build_regions(&options());
        let count = |k| regions.iter().filter(|r| r.kind == k).count();
        assert_eq!(count(RegionKind::Town), 12);
        assert_eq!(count(RegionKind::Village) + count(RegionKind::Community), 229);
        assert!(count(RegionKind::Community) >= 12);
        let csv = yangguang_core::region::regions_to_csv(&regions);
        let parsed = yangguang_core::region::parse_regions_csv(&csv, &[]).expect("a valid tree");
        assert_eq!(parsed, regions);
        let names: HashSet<_> = regions.iter().filter(|r| r.kind.is_village_level()).map(|r| &r.name).collect();
        assert_eq!(names.len(), 229, "village names are unique within the county");
    }

    #[test]
    fn scale_adds_whole_counties_with_distinct_codes() {
        let regions = build_regions(&DemoOptions { scale: 3, ..options() });
        let villages: HashSet<_> = regions.iter().filter(|r| r.kind.is_village_level()).map(|r| r.code).collect();
        assert_eq!(villages.len(), 3 * 229);
        assert_eq!(regions.iter().filter(|r| r.kind == RegionKind::County).count(), 3);
        yangguang_core::region::parse_regions_csv(&yangguang_core::region::regions_to_csv(&regions), &[])
            .expect("a valid tree");
    }

    #[test]
    fn the_same_seed_gives_the_same_county() {
        assert_eq!(build_regions(&options()), build_regions(&options()));
        let other = DemoOptions { seed: 8, ..options() };
        assert_ne!(build_regions(&options()), build_regions(&other));
    }

    #[test]
    fn villages_publish_across_all_columns_with_gaps() {
        let catalog = crate::catalog_files::default_catalog();
        let regions = build_regions(&options());
        let mut tops = HashSet::new();
        let mut total = 0;
        let mut monthly_finance = vec![];
        for village in regions.iter().filter(|r| r.kind.is_village_level()) {
            let charts = crate::catalog_files::default_charts();
            let charts = yangguang_core::accounts::Charts {
                before: charts.0,
                from: charts.1,
                switch: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            };
            let plan = plan_village(catalog.items(), village, &options(), &catalog, &charts, None, None);
            total += plan.disclosures.len();
            let finance =
                plan.disclosures.iter().filter(|(d, _)| d.catalog_item.as_deref() == Some(MONTHLY_ACCOUNTS)).count();
            monthly_finance.push(finance);
            for (d, _) in &plan.disclosures {
                tops.insert(catalog.top_of(&d.column).unwrap().id.clone());
                assert!(
                    d.published_at.unwrap()
                        <= office_time(options().as_of, &mut Rng::new(0)) + chrono::Duration::days(1)
                );
                d.validate().unwrap();
            }
        }
        assert_eq!(tops.len(), 8, "{tops:?}");
        assert!(total > 229 * 100, "{total}");
        assert!(monthly_finance.iter().any(|&n| n < 20), "some village misses monthly accounts");
        assert!(monthly_finance.iter().filter(|&&n| n >= 23).count() > 100);
    }
}
