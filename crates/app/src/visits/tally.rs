//! Counting in memory between two flushes: views per page and day, and distinct visitors per
//! village and day. A visitor is a number made from (address, user agent) with a key that is
//! drawn at random for each day and held only here, in memory: it is never written anywhere,
//! so a visitor today cannot be linked to the same visitor yesterday, and after a restart not
//! even to earlier today. The numbers themselves are not stored either — only the sums.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use yangguang_core::RegionCode;
use yangguang_store::VisitCount;

use super::Visit;
use super::filter::BotFilter;

/// One day's visitor key.
pub struct DayKey {
    day: NaiveDate,
    key: [u8; 32],
}

impl DayKey {
    /// A fresh random key for `day`.
    pub fn new(day: NaiveDate) -> Self {
        Self { day, key: crate::auth::random_bytes::<32>() }
    }

    pub fn day(&self) -> NaiveDate {
        self.day
    }

    /// The visitor number of an (address, user agent) pair under this day's key (HMAC-SHA256,
    /// the first 64 bits: a collision merges two visitors once in billions).
    pub fn visitor(&self, address: &str, user_agent: &str) -> u64 {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(address.as_bytes());
        mac.update(&[0]);
        mac.update(user_agent.as_bytes());
        let out = mac.finalize().into_bytes();
        u64::from_le_bytes(out[..8].try_into().expect("8 bytes"))
    }
}

/// Visitors remembered per day before new ones are counted without the check (a flood of
/// invented user agents then inflates visitors, never memory).
const MAX_SEEN: usize = 1_000_000;

type Key = (NaiveDate, RegionCode, String, i64);

/// Views and first visits since the last flush.
#[derive(Default)]
pub struct Tally {
    key: Option<DayKey>,
    /// (village, visitor) pairs seen under today's key.
    seen: HashSet<(RegionCode, u64)>,
    pending: HashMap<Key, (i64, i64)>,
    bots: BotFilter,
    /// Visits left out as bots since the start.
    pub bot_visits: u64,
}

impl Tally {
    /// Counts one visit on `day` unless its user agent is a bot's; whether it counted. A new day
    /// draws a new key and forgets every visitor.
    pub fn add(&mut self, day: NaiveDate, visit: &Visit) -> bool {
        if self.bots.is_bot(&visit.user_agent) {
            self.bot_visits += 1;
            return false;
        }
        if self.key.as_ref().is_none_or(|k| k.day() != day) {
            self.key = Some(DayKey::new(day));
            self.seen = HashSet::new();
        }
        let key = self.key.as_ref().expect("set above");
        let visitor = key.visitor(&visit.address, &visit.user_agent);
        // Each visitor is counted once a village and day, on the first page they open there:
        // so a village's rows add up to its visitors, and so do a town's and a county's.
        let first = self.seen.len() >= MAX_SEEN || self.seen.insert((visit.page.village, visitor));
        let counter =
            self.pending.entry((day, visit.page.village, visit.page.column.clone(), visit.page.item)).or_default();
        counter.0 += 1;
        counter.1 += i64::from(first);
        true
    }

    /// Whether nothing waits to be flushed.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// The counts since the last flush, as rows to add; the tally starts over (its visitors stay
    /// remembered for the rest of the day).
    pub fn take(&mut self) -> Vec<VisitCount> {
        let mut counts: Vec<VisitCount> = self
            .pending
            .drain()
            .map(|((day, village, column, item), (views, visitors))| VisitCount {
                day,
                village,
                column,
                item,
                views,
                visitors,
            })
            .collect();
        counts.sort_by(|a, b| (a.day, a.village, &a.column, a.item).cmp(&(b.day, b.village, &b.column, b.item)));
        counts
    }

    /// Puts counts back after a flush failed, so the next one adds them.
    pub fn restore(&mut self, counts: Vec<VisitCount>) {
        for c in counts {
            let counter = self.pending.entry((c.day, c.village, c.column, c.item)).or_default();
            counter.0 += c.views;
            counter.1 += c.visitors;
        }
    }
}

/// Adds up rows with the same key (an item's rows once its column is known).
pub fn merge(counts: Vec<VisitCount>) -> Vec<VisitCount> {
    let mut tally = Tally::default();
    tally.restore(counts);
    tally.take()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visits::VisitPage;

    const PHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2d) NetType/WIFI Language/zh_CN";

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, d).unwrap()
    }

    fn visit(village: u32, column: &str, item: i64, address: &str, ua: &str) -> Visit {
        Visit {
            page: VisitPage {
                village: RegionCode::from_parts(339921, 100, village).unwrap(),
                column: column.into(),
                item,
            },
            address: address.into(),
            user_agent: ua.into(),
        }
    }

    #[test]
    fn different_days_give_unlinkable_visitor_numbers() {
        let (monday, tuesday) = (DayKey::new(day(4)), DayKey::new(day(5)));
        let a = monday.visitor("10.1.2.3", PHONE);
        assert_eq!(a, monday.visitor("10.1.2.3", PHONE), "one day, one number");
        assert_ne!(a, monday.visitor("10.1.2.4", PHONE));
        assert_ne!(a, monday.visitor("10.1.2.3", "Mozilla/5.0 (Windows NT 10.0)"));
        assert_ne!(a, tuesday.visitor("10.1.2.3", PHONE), "the next day's number is another");
        // Even the same day drawn again (a restart) gives another number: the key is random,
        // not derived from the date.
        assert_ne!(a, DayKey::new(day(4)).visitor("10.1.2.3", PHONE));
        // Address and agent are separated: ("1.2.3.4", "5x") is not ("1.2.3.45", "x").
        assert_ne!(monday.visitor("1.2.3.4", "5x"), monday.visitor("1.2.3.45", "x"));
    }

    #[test]
    fn many_visits_become_one_flush_with_the_right_sums() {
        let mut tally = Tally::default();
        for n in 0..1000 {
            // 10 phones, each opening the home and then an item, 50 times each.
            let address = format!("10.0.0.{}", n % 10);
            assert!(tally.add(day(4), &visit(201, "", 0, &address, PHONE)));
            assert!(tally.add(day(4), &visit(201, "", 7, &address, PHONE)));
        }
        tally.add(day(4), &visit(202, "finance", 0, "10.0.0.1", PHONE));
        assert!(!tally.add(day(4), &visit(201, "", 0, "10.0.0.1", "Baiduspider/2.0")));
        assert_eq!(tally.bot_visits, 1);
        let counts = tally.take();
        assert!(tally.is_empty());
        let summary: Vec<_> =
            counts.iter().map(|c| (c.village.to_string(), c.column.as_str(), c.item, c.views, c.visitors)).collect();
        assert_eq!(
            summary,
            [
                ("339921100201".to_owned(), "", 0, 1000, 10),
                ("339921100201".to_owned(), "", 7, 1000, 0),
                ("339921100202".to_owned(), "finance", 0, 1, 1),
            ]
        );
        // The same people later that day are not new visitors; the next day they are.
        tally.add(day(4), &visit(201, "", 0, "10.0.0.3", PHONE));
        tally.add(day(5), &visit(201, "", 0, "10.0.0.3", PHONE));
        let later: Vec<_> = tally.take().iter().map(|c| (c.day, c.views, c.visitors)).collect();
        assert_eq!(later, [(day(4), 1, 0), (day(5), 1, 1)]);
    }

    #[test]
    fn a_failed_flush_keeps_its_counts_for_the_next() {
        let mut tally = Tally::default();
        tally.add(day(4), &visit(201, "", 0, "10.0.0.1", PHONE));
        let failed = tally.take();
        tally.add(day(4), &visit(201, "", 0, "10.0.0.2", PHONE));
        tally.restore(failed);
        let counts = tally.take();
        assert_eq!((counts.len(), counts[0].views, counts[0].visitors), (1, 2, 2));
    }

    #[test]
    fn rows_of_one_key_merge() {
        let c = |column: &str, views| VisitCount {
            day: day(4),
            village: RegionCode::from_parts(339921, 100, 201).unwrap(),
            column: column.into(),
            item: 7,
            views,
            visitors: 1,
        };
        let merged = merge(vec![c("finance", 2), c("finance", 3), c("party", 1)]);
        assert_eq!(
            merged.iter().map(|m| (m.column.as_str(), m.views, m.visitors)).collect::<Vec<_>>(),
            [("finance", 5, 2), ("party", 1, 1)]
        );
    }
}
