//! Reading a query and answering it: the words of what was typed (never its syntax: any
//! character is just text), every word required, a title match worth twice a body match,
//! filtered by a region code and optionally a kind, newer first among equal relevance, with
//! snippets whose only markup is `<mark>`.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, FilterCollector, SegmentCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, DocId, Score, SegmentReader, TantivyDocument, Term};

use crate::{SearchError, SearchIndex, tokens};

/// The most characters of a query that are read; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 64;
/// The most words of a query that are looked for.
const MAX_WORDS: usize = 12;
/// Characters of a snippet.
const SNIPPET_CHARS: usize = 120;

/// A query as typed, made safe to show and to search: control characters out, spaces
/// collapsed, at most [`MAX_QUERY_CHARS`] characters.
pub fn clean_query(typed: &str) -> String {
    let mut out = String::new();
    for c in typed.chars() {
        if out.chars().count() >= MAX_QUERY_CHARS {
            break;
        }
        let c = if c.is_control() || c.is_whitespace() { ' ' } else { c };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    out.trim_end().to_owned()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query<'a> {
    pub text: &'a str,
    /// A village's, town's or county's code: only documents under it.
    pub region: Option<&'a str>,
    /// Only documents of this kind.
    pub kind: Option<u64>,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Results {
    /// The words looked for (empty: nothing searchable was typed).
    pub words: Vec<String>,
    /// Matches in the region, by kind, whatever the kind filter.
    pub per_kind: BTreeMap<u64, u64>,
    /// Matches of the query with its kind filter.
    pub total: u64,
    pub hits: Vec<Hit>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub key: String,
    pub village: String,
    pub kind: u64,
    /// HTML: the title escaped, the matched words in `<mark>`.
    pub title_html: String,
    /// HTML: a fragment of the body escaped, the matched words in `<mark>`; may be empty.
    pub snippet_html: String,
    pub date: i64,
    pub url: String,
    pub meta: String,
    pub score: Score,
}

impl SearchIndex {
    /// Answers a query. Nothing a reader types is syntax, so no query is an error.
    pub fn search(&self, q: &Query<'_>) -> Result<Results, SearchError> {
        let f = self.fields;
        let words: Vec<String> =
            tokens::words(&mut tokens::querying(), &clean_query(q.text)).into_iter().take(MAX_WORDS).collect();
        if words.is_empty() {
            return Ok(Results::default());
        }
        let mut must: Vec<(Occur, Box<dyn tantivy::query::Query>)> = words
            .iter()
            .map(|w| {
                let either: Vec<(Occur, Box<dyn tantivy::query::Query>)> = vec![
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(TermQuery::new(
                                Term::from_field_text(f.title, w),
                                IndexRecordOption::WithFreqsAndPositions,
                            )),
                            2.0,
                        )),
                    ),
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_text(f.body, w),
                            IndexRecordOption::WithFreqsAndPositions,
                        )),
                    ),
                ];
                (Occur::Must, Box::new(BooleanQuery::new(either)) as Box<dyn tantivy::query::Query>)
            })
            .collect();
        if let Some(region) = q.region {
            must.push((Occur::Must, filter(Term::from_field_text(f.regions, region))));
        }
        let scoped = BooleanQuery::new(must);
        let top = TopDocs::with_limit(q.limit.max(1)).and_offset(q.offset).tweak_score(|segment: &SegmentReader| {
            let dates = segment.fast_fields().i64("date").ok().map(|c| c.first_or_default_col(0));
            // Relevance in steps of a thousandth, then the newer first.
            move |doc: DocId, score: Score| {
                let date = dates.as_ref().map_or(0, |d| d.get_val(doc));
                ((score * 1000.0).round() as i64, date)
            }
        });
        let searcher = self.reader.searcher();
        // One pass over the matches: the counts of every kind (for the tabs), and the page of
        // the kind asked for; the total is then the kind's count.
        let (per_kind, top) = match q.kind {
            Some(kind) => {
                let of_kind = FilterCollector::new("kind".to_owned(), move |k: u64| k == kind, top);
                searcher.search(&scoped, &(KindCounts, of_kind))?
            }
            None => searcher.search(&scoped, &(KindCounts, top))?,
        };
        let total = match q.kind {
            Some(kind) => per_kind.get(&kind).copied().unwrap_or(0),
            None => per_kind.values().sum(),
        };
        let mut titles = SnippetGenerator::create(&searcher, &scoped, f.title)?;
        titles.set_max_num_chars(400);
        let mut bodies = SnippetGenerator::create(&searcher, &scoped, f.body)?;
        bodies.set_max_num_chars(SNIPPET_CHARS);
        let mut hits = Vec::with_capacity(top.len());
        for ((score, _), address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            hits.push(self.hit(&doc, address, score as Score / 1000.0, &titles, &bodies));
        }
        Ok(Results { words, per_kind, total, hits })
    }

    fn hit(
        &self,
        doc: &TantivyDocument,
        _address: DocAddress,
        score: Score,
        titles: &SnippetGenerator,
        bodies: &SnippetGenerator,
    ) -> Hit {
        use tantivy::schema::Value;
        let f = self.fields;
        let title = f.text(doc, f.title);
        let mut t = titles.snippet(&title);
        let title_html = if t.is_empty() {
            escape(&title)
        } else {
            t.set_snippet_prefix_postfix("<mark>", "</mark>");
            // The generator keeps a fragment; a title is short enough to show whole.
            let r = t.fragment_range();
            match (title.get(..r.start), title.get(r.end..)) {
                (Some(before), Some(after)) => format!("{}{}{}", escape(before), t.to_html(), escape(after)),
                _ => escape(&title),
            }
        };
        let mut s = bodies.snippet_from_doc(doc);
        s.set_snippet_prefix_postfix("<mark>", "</mark>");
        // No word found in the body (a title match): the title and meta say enough.
        let snippet_html = if s.is_empty() { String::new() } else { s.to_html() };
        Hit {
            key: f.text(doc, f.key),
            village: f.text(doc, f.village),
            kind: doc.get_first(f.kind).and_then(|v| v.as_u64()).unwrap_or_default(),
            title_html,
            snippet_html,
            date: doc.get_first(f.date).and_then(|v| v.as_i64()).unwrap_or_default(),
            url: f.text(doc, f.url),
            meta: f.text(doc, f.meta),
            score,
        }
    }
}

/// A filter that does not change scores.
fn filter(term: Term) -> Box<dyn tantivy::query::Query> {
    Box::new(ConstScoreQuery::new(Box::new(TermQuery::new(term, IndexRecordOption::Basic)), 0.0))
}

/// The same escaping tantivy's snippets use: `&`, `<`, `>`, `"` and `'`.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Counts matching documents by their kind, in one pass.
struct KindCounts;

struct SegmentKindCounts {
    kinds: Option<std::sync::Arc<dyn tantivy::columnar::ColumnValues<u64>>>,
    /// Kinds are small numbers: counted in an array, on the hot path of every query.
    small: [u64; 16],
    counts: BTreeMap<u64, u64>,
}

impl Collector for KindCounts {
    type Fruit = BTreeMap<u64, u64>;
    type Child = SegmentKindCounts;

    fn for_segment(&self, _ord: u32, segment: &SegmentReader) -> tantivy::Result<SegmentKindCounts> {
        let kinds = segment.fast_fields().u64("kind").ok().map(|c| c.first_or_default_col(0));
        Ok(SegmentKindCounts { kinds, small: [0; 16], counts: BTreeMap::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<BTreeMap<u64, u64>>) -> tantivy::Result<BTreeMap<u64, u64>> {
        let mut all = BTreeMap::new();
        for fruit in fruits {
            for (k, n) in fruit {
                *all.entry(k).or_default() += n;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentKindCounts {
    type Fruit = BTreeMap<u64, u64>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(kinds) = &self.kinds {
            match kinds.get_val(doc) {
                k @ 0..16 => self.small[k as usize] += 1,
                k => *self.counts.entry(k).or_default() += 1,
            }
        }
    }

    fn harvest(mut self) -> BTreeMap<u64, u64> {
        for (k, n) in self.small.into_iter().enumerate().filter(|(_, n)| *n > 0) {
            self.counts.insert(k as u64, n);
        }
        self.counts
    }
}
