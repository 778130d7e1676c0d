//! The demo county: a deterministic synthetic county shaped like the real one (12 towns,
//! 229 villages and communities) with 24 months of disclosures that follow the catalog —
//! most on time, some late, some missing, so supervision has something to find.

mod bodies;
mod names;

use std::collections::HashSet;

use chrono::{DateTime, Days, Months, NaiveDate, TimeZone, Utc};
use yangguang_core::catalog::{DeadlineRule, Frequency};
use yangguang_core::{
    Attachment, CatalogItem, DisclosureState, NewDisclosure, Period, Region, RegionCode, RegionKind,
};

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
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub counties: usize,
    pub towns: usize,
    pub villages: usize,
    pub disclosures: usize,
    pub attachments: usize,
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
    let mut regions = vec![Region {
        code: city,
        name: "青山市".into(),
        parent: None,
        kind: RegionKind::City,
    }];
    for c in 0..options.scale as usize {
        let county_code =
            RegionCode::from_parts(CITY + 21 + c as u32, 0, 0).expect("county codes fit");
        let county_name = match names::COUNTY_NAMES.get(c) {
            Some(n) => n.to_string(),
            None => format!("第{}示范县", c + 1),
        };
        regions.push(Region {
            code: county_code,
            name: county_name,
            parent: Some(city),
            kind: RegionKind::County,
        });
        // Villages per town: between 15 and 23, summing to 229.
        let mut sizes: Vec<usize> = (0..TOWNS_PER_COUNTY)
            .map(|_| 15 + rng.below(9) as usize)
            .collect();
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
            let town_code =
                RegionCode::from_parts(county_code.county_prefix(), town_digits, 0).expect("valid");
            regions.push(Region {
                code: town_code,
                name,
                parent: Some(county_code),
                kind: RegionKind::Town,
            });
            let communities = if street {
                size * 2 / 3
            } else {
                1 + rng.below(2) as usize
            };
            for v in 0..size {
                let community = v < communities;
                // Communities are 001–199, villages 200–399.
                let digits = if community {
                    1 + v as u32
                } else {
                    200 + (v - communities) as u32 + 1
                };
                let code = RegionCode::from_parts(county_code.county_prefix(), town_digits, digits)
                    .expect("valid");
                let (name, kind) = if community {
                    (
                        names::community(&mut rng, &mut taken),
                        RegionKind::Community,
                    )
                } else {
                    (names::village(&mut rng, &mut taken), RegionKind::Village)
                };
                regions.push(Region {
                    code,
                    name,
                    parent: Some(town_code),
                    kind,
                });
            }
        }
    }
    regions
}

/// A publish instant on `date`, during office hours in China.
fn office_time(date: NaiveDate, rng: &mut Rng) -> DateTime<Utc> {
    let local = date
        .and_hms_opt(
            8 + rng.below(10) as u32,
            rng.below(60) as u32,
            rng.below(60) as u32,
        )
        .expect("valid");
    yangguang_core::time::china()
        .from_local_datetime(&local)
        .single()
        .expect("fixed offset")
        .with_timezone(&Utc)
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
}

fn plan_village(
    site_items: &[CatalogItem],
    village: &Region,
    options: &DemoOptions,
    catalog: &yangguang_core::Catalog,
) -> VillagePlan {
    let mut rng = Rng::new(
        options.seed
            ^ (u64::from(village.code.county_prefix()) << 20)
            ^ village.code.to_string().parse::<u64>().unwrap_or(0),
    );
    // Most villages publish on time; one in six is a laggard that is often late or missing.
    let diligence = if rng.below(6) == 0 {
        0.55 + rng.unit() * 0.2
    } else {
        0.9 + rng.unit() * 0.1
    };
    let households = if village.kind == RegionKind::Community {
        800 + rng.below(2500)
    } else {
        150 + rng.below(700)
    } as u32;
    let activity = 0.4 + rng.unit() * 1.6;
    let window_start = options
        .as_of
        .checked_sub_months(Months::new(24))
        .expect("date in range");
    let mut plan = VillagePlan {
        disclosures: vec![],
    };
    let mut push = |item: &CatalogItem,
                    period: Option<Period>,
                    event: Option<NaiveDate>,
                    published: NaiveDate,
                    rng: &mut Rng| {
        let ctx = bodies::BodyContext {
            village: &village.name,
            period,
            event_date: event,
            households,
            activity,
        };
        let body = bodies::body(item, &ctx, rng);
        let title = match (period, event) {
            (Some(p), _) => format!("{}{}", p.label_zh(), item.name),
            (None, Some(d)) => format!("{}（{}）", item.name, d.format("%Y年%-m月%-d日")),
            (None, None) => item.name.clone(),
        };
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
                        DeadlineRule::BeforeEvent => {
                            event - Days::new(if on_time { 3 + rng.below(10) } else { 0 })
                        }
                        rule => {
                            let deadline = rule.deadline_after_event(event).unwrap_or(event);
                            if on_time {
                                event
                                    + Days::new(
                                        rng.below((deadline - event).num_days().max(0) as u64 + 1),
                                    )
                            } else {
                                deadline + Days::new(1 + rng.below(30))
                            }
                        }
                    };
                    if published <= options.as_of {
                        push(item, None, Some(event), published, &mut rng);
                    }
                }
            }
            _ => {
                for period in catalog.periods_due(item, window_start, options.as_of) {
                    let deadline = item.deadline.deadline_for(period).expect("periodic");
                    let roll = rng.unit();
                    let published = if roll < diligence {
                        let room = (deadline - period.end()).num_days().max(1) as u64;
                        period.end() + Days::new(1 + rng.below(room))
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
    plan
}

/// Creates the demo county in an empty store. Refuses a store that already has regions, so
/// a real deployment is never mixed with synthetic data.
pub async fn generate(site: &Site, options: &DemoOptions) -> Result<DemoSummary, AppError> {
    if !site.store.list_regions().await?.is_empty() {
        return Err(AppError::Invalid(
            "数据库中已有区划数据，演示数据只能写入空库 / the demo only fills an empty database"
                .into(),
        ));
    }
    if options.scale == 0 || options.scale > 500 {
        return Err(AppError::Invalid(
            "--scale 应在 1 到 500 之间 / scale must be 1–500".into(),
        ));
    }
    let regions = build_regions(options);
    site.store.upsert_regions(&regions).await?;
    site.reload_regions().await?;
    let mut summary = DemoSummary {
        counties: regions
            .iter()
            .filter(|r| r.kind == RegionKind::County)
            .count(),
        towns: regions
            .iter()
            .filter(|r| r.kind == RegionKind::Town)
            .count(),
        villages: regions.iter().filter(|r| r.kind.is_village_level()).count(),
        ..DemoSummary::default()
    };
    let catalog = site.catalog.clone();
    let villages: Vec<&Region> = regions
        .iter()
        .filter(|r| r.kind.is_village_level())
        .collect();
    // Batches of villages keep each transaction short and memory flat at any scale.
    for chunk in villages.chunks(16) {
        let mut batch = vec![];
        for village in chunk {
            let plan = plan_village(catalog.items(), village, options, &catalog);
            for (mut new, file) in plan.disclosures {
                if let Some(file) = file {
                    let sha256 = site.files.put(&file.bytes)?;
                    new.attachments.push(Attachment {
                        file_name: file.name,
                        media_type: file.media_type.into(),
                        byte_size: file.bytes.len() as i64,
                        sha256,
                    });
                    summary.attachments += 1;
                }
                batch.push(new);
            }
        }
        summary.disclosures += batch.len();
        site.add_disclosures(&batch).await?;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> DemoOptions {
        DemoOptions {
            seed: 7,
            as_of: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            scale: 1,
        }
    }

    #[test]
    fn the_county_has_the_real_shape_and_valid_codes() {
        let regions = build_regions(&options());
        let count = |k| regions.iter().filter(|r| r.kind == k).count();
        assert_eq!(count(RegionKind::Town), 12);
        assert_eq!(
            count(RegionKind::Village) + count(RegionKind::Community),
            229
        );
        assert!(count(RegionKind::Community) >= 12);
        let csv = yangguang_core::region::regions_to_csv(&regions);
        let parsed = yangguang_core::region::parse_regions_csv(&csv, &[]).expect("a valid tree");
        assert_eq!(parsed, regions);
        let names: HashSet<_> = regions
            .iter()
            .filter(|r| r.kind.is_village_level())
            .map(|r| &r.name)
            .collect();
        assert_eq!(
            names.len(),
            229,
            "village names are unique within the county"
        );
    }

    #[test]
    fn scale_adds_whole_counties_with_distinct_codes() {
        let regions = build_regions(&DemoOptions {
            scale: 3,
            ..options()
        });
        let villages: HashSet<_> = regions
            .iter()
            .filter(|r| r.kind.is_village_level())
            .map(|r| r.code)
            .collect();
        assert_eq!(villages.len(), 3 * 229);
        assert_eq!(
            regions
                .iter()
                .filter(|r| r.kind == RegionKind::County)
                .count(),
            3
        );
        yangguang_core::region::parse_regions_csv(
            &yangguang_core::region::regions_to_csv(&regions),
            &[],
        )
        .expect("a valid tree");
    }

    #[test]
    fn the_same_seed_gives_the_same_county() {
        assert_eq!(build_regions(&options()), build_regions(&options()));
        let other = DemoOptions {
            seed: 8,
            ..options()
        };
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
            let plan = plan_village(catalog.items(), village, &options(), &catalog);
            total += plan.disclosures.len();
            let finance = plan
                .disclosures
                .iter()
                .filter(|(d, _)| d.catalog_item.as_deref() == Some("income-expenditure"))
                .count();
            monthly_finance.push(finance);
            for (d, _) in &plan.disclosures {
                tops.insert(catalog.top_of(&d.column).unwrap().id.clone());
                assert!(
                    d.published_at.unwrap()
                        <= office_time(options().as_of, &mut Rng::new(0))
                            + chrono::Duration::days(1)
                );
                d.validate().unwrap();
            }
        }
        assert_eq!(tops.len(), 8, "{tops:?}");
        assert!(total > 229 * 100, "{total}");
        assert!(
            monthly_finance.iter().any(|&n| n < 20),
            "some village misses monthly accounts"
        );
        assert!(monthly_finance.iter().filter(|&&n| n >= 23).count() > 100);
    }
}
