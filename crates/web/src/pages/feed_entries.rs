//! What an Atom feed says about each item, so that a reader following it loses nothing:
//! ids are `tag:` URIs of the deployment's domain (RFC 4151), links absolute (with `xml:base`),
//! every entry has a summary; a correction links (`rel="related"`) to the version it replaces,
//! and that version stays in the feed, marked corrected, `updated` when it was corrected; a
//! withdrawn item stays, marked withdrawn, `updated` when it was withdrawn, with the reason.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use yangguang_app::Site;
use yangguang_core::{Disclosure, DisclosureId, DisclosureKind, DisclosureState, DisclosureSummary};

use super::feeds::xml_escape;
use crate::error::WebError;
use crate::public_base::tag;

/// Characters of an item's text in its entry's summary.
const SUMMARY_CHARS: usize = 140;
/// How far back a chain of corrections is followed.
const MAX_CHAIN: usize = 20;

pub struct FeedHead {
    pub title: String,
    pub author: String,
    /// Paths, made absolute against the base.
    pub self_path: String,
    pub alternate: String,
}

pub struct Entry {
    pub id: DisclosureId,
    pub path: String,
    pub title: String,
    pub summary: String,
    pub column: String,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// Paths of the related versions, with what they are.
    pub related: Vec<(String, &'static str)>,
}

fn path(d: &Disclosure) -> String {
    format!("/v/{}/d/{}", d.village, d.id)
}

fn day(at: DateTime<Utc>) -> String {
    yangguang_core::time::china_date(at).to_string()
}

/// The entries for a list of items (newest first, as listed), with the versions corrections
/// replaced, each once, most recently updated first.
pub async fn entries(site: &Site, listed: &[DisclosureSummary]) -> Result<Vec<Entry>, WebError> {
    let ids: Vec<DisclosureId> = listed.iter().map(|d| d.id).collect();
    let mut known: HashMap<DisclosureId, Disclosure> =
        site.store.get_disclosures(&ids).await?.into_iter().map(|d| (d.id, d)).collect();
    let mut out: Vec<Entry> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        let Some(d) = known.get(&id).cloned() else { continue };
        let mut entry = entry_of(&d);
        if d.state == DisclosureState::Withdrawn {
            let withdrawals = site.store.list_replacements(d.id).await?;
            if let Some(w) = withdrawals.iter().find(|w| w.kind == DisclosureKind::Withdrawal) {
                let w = site.store.get_disclosure(w.id).await?;
                let at = w.published_at.unwrap_or(d.updated_at);
                entry.title = format!("{}（已撤回）", d.title);
                entry.updated = at.max(entry.published);
                entry.summary = format!(
                    "此条已于 {} 撤回，原因：{}。/ Withdrawn. {}",
                    day(at),
                    w.reason.as_deref().unwrap_or("—"),
                    entry.summary
                );
            }
        }
        // Each correction names the version it replaces: that version stays, marked, and the
        // two link to each other.
        let mut newer = d.clone();
        let mut chain = 0;
        while let (Some(old_id), true) = (newer.replaces, chain < MAX_CHAIN) {
            chain += 1;
            let old = match known.get(&old_id) {
                Some(o) => o.clone(),
                None => {
                    let o = site.store.get_disclosure(old_id).await?;
                    known.insert(o.id, o.clone());
                    o
                }
            };
            if newer.id == d.id {
                entry.related.push((path(&old), "更正前的版本 / the version this corrects"));
            }
            if seen.insert(old.id) {
                let at = newer.published_at.unwrap_or(newer.updated_at);
                let mut e = entry_of(&old);
                e.title = format!("{}（已更正）", old.title);
                e.updated = at.max(e.published);
                e.summary = format!(
                    "此条已于 {} 更正，原因：{}；请看更正后的版本。/ Corrected; see the related link. {}",
                    day(at),
                    newer.reason.as_deref().unwrap_or("—"),
                    e.summary
                );
                e.related.push((path(&newer), "更正后的版本 / the correction"));
                out.push(e);
            }
            newer = old;
        }
        if seen.insert(d.id) {
            out.push(entry);
        }
    }
    out.sort_by(|a, b| b.updated.cmp(&a.updated).then(b.id.0.cmp(&a.id.0)));
    Ok(out)
}

fn entry_of(d: &Disclosure) -> Entry {
    let published = d.published_at.unwrap_or(d.updated_at);
    let text = yangguang_app::markdown::plain_text(&d.body_md, SUMMARY_CHARS);
    let mut summary = match &d.period {
        Some(p) => format!("{p}。"),
        None => String::new(),
    };
    summary.push_str(if text.trim().is_empty() { &d.title } else { &text });
    let title = if d.kind == DisclosureKind::Correction {
        format!("{}（更正，第 {} 版）", d.title, d.version)
    } else {
        d.title.clone()
    };
    Entry {
        id: d.id,
        path: path(d),
        title,
        summary,
        column: d.column.to_string(),
        published,
        updated: published,
        related: vec![],
    }
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The feed as Atom (RFC 4287).
pub fn atom(base: &str, head: &FeedHead, entries: &[Entry], now: DateTime<Utc>) -> String {
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or(now);
    let abs = |p: &str| xml_escape(&format!("{base}{p}"));
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\" xml:base=\"{}\">\n",
        abs("/")
    );
    xml.push_str(&format!(
        "<title>{}</title>\n<id>{}</id>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<updated>{}</updated>\n<author><name>{}</name></author>\n",
        xml_escape(&head.title),
        xml_escape(&tag(base, &head.self_path)),
        abs(&head.self_path),
        abs(&head.alternate),
        stamp(updated),
        xml_escape(&head.author)
    ));
    for e in entries {
        xml.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml_escape(&e.title),
            xml_escape(&tag(base, &format!("disclosure:{}", e.id))),
            abs(&e.path)
        ));
        for (path, title) in &e.related {
            xml.push_str(&format!(
                "<link rel=\"related\" type=\"text/html\" href=\"{}\" title=\"{title}\"/>\n",
                abs(path)
            ));
        }
        xml.push_str(&format!(
            "<updated>{}</updated>\n<published>{}</published>\n<summary type=\"text\">{}</summary>\n<category term=\"{}\"/>\n</entry>\n",
            stamp(e.updated),
            stamp(e.published),
            xml_escape(&e.summary),
            xml_escape(&e.column)
        ));
    }
    xml.push_str("</feed>\n");
    xml
}
