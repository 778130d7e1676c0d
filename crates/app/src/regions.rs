//! The region tree in memory: a county has a few hundred regions and even a province fits
//! easily, so lookups, children and village search never touch the database.

use std::collections::HashMap;

use yangguang_core::{Region, RegionCode};

#[derive(Debug, Default)]
pub struct RegionIndex {
    by_code: HashMap<RegionCode, Region>,
    children: HashMap<RegionCode, Vec<RegionCode>>,
    roots: Vec<RegionCode>,
    /// Villages' names as full pinyin and initials, for searching by letters.
    pinyin: HashMap<RegionCode, (String, String)>,
}

/// A village found by search, with its town for telling namesakes apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageHit<'a> {
    pub village: &'a Region,
    pub town: Option<&'a Region>,
}

impl RegionIndex {
    pub fn new(regions: Vec<Region>) -> Self {
        let mut index = Self::default();
        for r in &regions {
            match r.parent {
                Some(p) => index.children.entry(p).or_default().push(r.code),
                None => index.roots.push(r.code),
            }
        }
        for list in index.children.values_mut() {
            list.sort();
        }
        index.roots.sort();
        index.pinyin = regions
            .iter()
            .filter(|r| r.kind.is_village_level())
            .map(|r| (r.code, crate::search::pinyin::keys(&r.name)))
            .collect();
        index.by_code = regions.into_iter().map(|r| (r.code, r)).collect();
        index
    }

    pub fn get(&self, code: RegionCode) -> Option<&Region> {
        self.by_code.get(&code)
    }

    /// Every village and community, by code.
    pub fn villages(&self) -> impl Iterator<Item = &Region> {
        let mut v: Vec<&Region> = self.by_code.values().filter(|r| r.kind.is_village_level()).collect();
        v.sort_by_key(|r| r.code);
        v.into_iter()
    }

    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    pub fn children(&self, code: RegionCode) -> impl Iterator<Item = &Region> {
        self.children.get(&code).into_iter().flatten().filter_map(|c| self.by_code.get(c))
    }

    /// From the root down to `code`.
    pub fn ancestry(&self, code: RegionCode) -> Vec<&Region> {
        let mut chain = vec![];
        let mut next = self.get(code);
        while let Some(r) = next {
            chain.push(r);
            next = r.parent.and_then(|p| self.get(p));
        }
        chain.reverse();
        chain
    }

    /// The region the public home page shows: the single root, followed down while it has
    /// a single child (a city with one county shows that county's towns).
    pub fn home(&self) -> Option<&Region> {
        if self.roots.len() != 1 {
            return None;
        }
        let mut region = self.get(self.roots[0])?;
        loop {
            let mut kids = self.children(region.code);
            match (kids.next(), kids.next()) {
                (Some(only), None) if !only.kind.is_village_level() => region = only,
                _ => return Some(region),
            }
        }
    }

    pub fn roots(&self) -> impl Iterator<Item = &Region> {
        self.roots.iter().filter_map(|c| self.by_code.get(c))
    }

    pub fn village_count(&self) -> usize {
        self.by_code.values().filter(|r| r.kind.is_village_level()).count()
    }

    /// Villages and communities whose name contains every character group of `query`
    /// (spaces separate groups; a query of digits matches codes), or whose name's pinyin
    /// initials start with it or full pinyin contains it (`ltc`, `litian` for 李田村). Exact names first, then
    /// names that start with the query, then the rest, each by code.
    pub fn search_villages(&self, query: &str, limit: usize) -> Vec<VillageHit<'_>> {
        let words: Vec<&str> = query.split_whitespace().collect();
        if words.is_empty() {
            return vec![];
        }
        let joined: String = words.concat();
        let mut hits: Vec<(u8, &Region)> = self
            .by_code
            .values()
            .filter(|r| r.kind.is_village_level())
            .filter_map(|r| {
                let code = r.code.to_string();
                let town = r.parent.and_then(|p| self.get(p)).map_or("", |t| t.name.as_str());
                let matches = words.iter().all(|w| r.name.contains(w) || town.contains(w) || code.starts_with(w))
                    || self.pinyin.get(&r.code).is_some_and(|k| crate::search::pinyin::matches(k, query));
                if !matches {
                    return None;
                }
                let rank = if r.name == joined || r.name.trim_end_matches(['村', '社', '区']) == joined {
                    0
                } else if r.name.starts_with(&joined) {
                    1
                } else {
                    2
                };
                Some((rank, r))
            })
            .collect();
        hits.sort_by_key(|(rank, r)| (*rank, r.code));
        hits.into_iter()
            .take(limit)
            .map(|(_, village)| VillageHit { village, town: village.parent.and_then(|p| self.get(p)) })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yangguang_core::RegionKind;

    fn index() -> RegionIndex {
        let r = |c: &str, name: &str, parent: Option<&str>, kind| Region {
            code: RegionCode::parse(c).unwrap(),
            name: name.into(),
            parent: parent.map(|p| RegionCode::parse(p).unwrap()),
            kind,
        };
        RegionIndex::new(vec![
            r("339900000000", "青山市", None, RegionKind::City),
            r("339921000000", "清溪县", Some("339900000000"), RegionKind::County),
            r("339921100000", "白沙镇", Some("339921000000"), RegionKind::Town),
            r("339921101000", "龙潭镇", Some("339921000000"), RegionKind::Town),
            r("339921100201", "前山村", Some("339921100000"), RegionKind::Village),
            r("339921100202", "山前村", Some("339921100000"), RegionKind::Village),
            r("339921101201", "前山村", Some("339921101000"), RegionKind::Village),
            r("339921101001", "龙潭社区", Some("339921101000"), RegionKind::Community),
        ])
    }

    #[test]
    fn home_descends_through_single_children() {
        assert_eq!(index().home().unwrap().name, "清溪县");
    }

    #[test]
    fn search_finds_any_part_of_a_name_best_first() {
        let idx = index();
        let names = |q| idx.search_villages(q, 10).iter().map(|h| h.village.code.to_string()).collect::<Vec<_>>();
        assert_eq!(names("前山"), ["339921100201", "339921101201"]);
        assert_eq!(names("山"), ["339921100202", "339921100201", "339921101201"], "names starting with it first");
        assert_eq!(names("龙潭 前山"), ["339921101201"]);
        assert_eq!(names("339921101"), ["339921101001", "339921101201"]);
        assert!(names("  ").is_empty());
        assert!(names("不存在").is_empty());
    }

    #[test]
    fn search_hits_carry_their_town() {
        let idx = index();
        let hits = idx.search_villages("社区", 10);
        assert_eq!(hits[0].town.unwrap().name, "龙潭镇");
    }
}
