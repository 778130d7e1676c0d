//! What a correction changed, block by block, for people rather than for machines: the
//! Markdown of both versions is split into blocks (paragraphs, headings, lists, tables), and
//! the blocks that differ are returned rendered — a table as a table with its added, removed
//! and changed rows and cells marked (in words as well as colour, by the template), other
//! blocks whole, labelled removed or added. Never raw Markdown, and never an empty line.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use similar::{Algorithm, DiffOp, capture_diff_slices};
use yangguang_core::{Attachment, Disclosure};

use crate::markdown;

/// One change between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The title changed from `old` to `new` (plain text).
    Title {
        old: String,
        new: String,
    },
    /// A block (rendered, sanitised HTML) that the new version no longer has.
    Removed(String),
    /// A block (rendered, sanitised HTML) that the new version added.
    Added(String),
    /// A table that changed, rows aligned.
    Table(TableDiff),
    /// An attachment removed or added: its name and short hash.
    AttachmentRemoved(String),
    AttachmentAdded(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDiff {
    /// The header cells (sanitised HTML) of the new version.
    pub header: Vec<String>,
    pub rows: Vec<RowDiff>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowState {
    Same,
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowDiff {
    pub state: RowState,
    pub cells: Vec<CellDiff>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellDiff {
    /// The cell's content (sanitised HTML) in the version the row belongs to.
    pub html: String,
    /// In a changed row, what the cell said before, when it differs.
    pub old_html: Option<String>,
}

/// A top-level block of a body: its Markdown source, and its cells if it is a table.
struct Block {
    source: String,
    table: Option<Vec<Vec<String>>>,
}

fn blocks(md: &str) -> Vec<Block> {
    let mut out = vec![];
    let mut depth = 0usize;
    let mut start = 0usize;
    let mut table: Option<Vec<Vec<String>>> = None;
    let mut cell: Option<usize> = None;
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for (event, range) in Parser::new_ext(md, options).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    start = range.start;
                    if matches!(tag, Tag::Table(_)) {
                        table = Some(vec![]);
                    }
                }
                match tag {
                    Tag::TableHead | Tag::TableRow => {
                        if let Some(t) = table.as_mut() {
                            t.push(vec![]);
                        }
                    }
                    Tag::TableCell => cell = Some(range.start),
                    _ => {}
                }
                depth += 1;
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                if end == TagEnd::TableCell
                    && let (Some(from), Some(row)) = (cell.take(), table.as_mut().and_then(|t| t.last_mut()))
                {
                    row.push(md[from..range.end].trim().trim_matches('|').trim().to_owned());
                }
                if depth == 0 {
                    let source = md[start..range.end].trim().to_owned();
                    if !source.is_empty() {
                        out.push(Block { source, table: table.take() });
                    }
                }
            }
            Event::Rule if depth == 0 => out.push(Block { source: md[range].trim().to_owned(), table: None }),
            Event::Html(_) | Event::Text(_) if depth == 0 => {
                let source = md[range].trim().to_owned();
                if !source.is_empty() {
                    out.push(Block { source, table: None });
                }
            }
            _ => {}
        }
    }
    out
}

/// A cell's Markdown as inline HTML (sanitised), without the paragraph around it.
fn inline(md: &str) -> String {
    let html = markdown::render(md);
    let html = html.trim();
    html.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>")).unwrap_or(html).to_owned()
}

fn row_cells(row: &[String]) -> Vec<CellDiff> {
    row.iter().map(|c| CellDiff { html: inline(c), old_html: None }).collect()
}

fn table_diff(old: &[Vec<String>], new: &[Vec<String>]) -> TableDiff {
    let header = new.first().or(old.first()).map(|h| h.iter().map(|c| inline(c)).collect()).unwrap_or_default();
    let (old_rows, new_rows) = (old.get(1..).unwrap_or(&[]), new.get(1..).unwrap_or(&[]));
    let mut rows = vec![];
    for op in capture_diff_slices(Algorithm::Myers, old_rows, new_rows) {
        match op {
            DiffOp::Equal { new_index, len, .. } => {
                rows.extend(
                    new_rows[new_index..new_index + len]
                        .iter()
                        .map(|r| RowDiff { state: RowState::Same, cells: row_cells(r) }),
                );
            }
            DiffOp::Delete { old_index, old_len, .. } => rows.extend(
                old_rows[old_index..old_index + old_len]
                    .iter()
                    .map(|r| RowDiff { state: RowState::Removed, cells: row_cells(r) }),
            ),
            DiffOp::Insert { new_index, new_len, .. } => rows.extend(
                new_rows[new_index..new_index + new_len]
                    .iter()
                    .map(|r| RowDiff { state: RowState::Added, cells: row_cells(r) }),
            ),
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                let (olds, news) =
                    (&old_rows[old_index..old_index + old_len], &new_rows[new_index..new_index + new_len]);
                // Rows replaced one for one changed in place: mark the cells that differ.
                for i in 0..olds.len().max(news.len()) {
                    match (olds.get(i), news.get(i)) {
                        (Some(o), Some(n)) => rows.push(RowDiff {
                            state: RowState::Changed,
                            cells: n
                                .iter()
                                .enumerate()
                                .map(|(j, c)| CellDiff {
                                    html: inline(c),
                                    old_html: match o.get(j) {
                                        Some(was) if was == c => None,
                                        Some(was) => Some(inline(was)),
                                        None => Some(String::new()),
                                    },
                                })
                                .collect(),
                        }),
                        (Some(o), None) => rows.push(RowDiff { state: RowState::Removed, cells: row_cells(o) }),
                        (None, Some(n)) => rows.push(RowDiff { state: RowState::Added, cells: row_cells(n) }),
                        (None, None) => {}
                    }
                }
            }
        }
    }
    TableDiff { header, rows }
}

/// The changes from one body to another, block by block.
pub fn body_changes(old_md: &str, new_md: &str) -> Vec<Change> {
    let (old, new) = (blocks(old_md), blocks(new_md));
    let keys = |b: &[Block]| b.iter().map(|b| b.source.clone()).collect::<Vec<_>>();
    let (old_keys, new_keys) = (keys(&old), keys(&new));
    let mut out = vec![];
    for op in capture_diff_slices(Algorithm::Myers, &old_keys, &new_keys) {
        let (old_range, new_range) = match op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete { old_index, old_len, .. } => (old_index..old_index + old_len, 0..0),
            DiffOp::Insert { new_index, new_len, .. } => (0..0, new_index..new_index + new_len),
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                (old_index..old_index + old_len, new_index..new_index + new_len)
            }
        };
        let (olds, news) = (&old[old_range], &new[new_range]);
        // A table replaced by a table is one table with its changes marked.
        let old_tables: Vec<&Block> = olds.iter().filter(|b| b.table.is_some()).collect();
        let new_tables: Vec<&Block> = news.iter().filter(|b| b.table.is_some()).collect();
        let paired = old_tables.len().min(new_tables.len());
        for b in olds.iter().filter(|b| b.table.is_none()) {
            out.push(Change::Removed(markdown::render(&b.source)));
        }
        for b in &old_tables[paired..] {
            out.push(Change::Removed(markdown::render(&b.source)));
        }
        for (o, n) in old_tables.iter().zip(&new_tables) {
            if let (Some(ot), Some(nt)) = (&o.table, &n.table) {
                out.push(Change::Table(table_diff(ot, nt)));
            }
        }
        for b in &new_tables[paired..] {
            out.push(Change::Added(markdown::render(&b.source)));
        }
        for b in news.iter().filter(|b| b.table.is_none()) {
            out.push(Change::Added(markdown::render(&b.source)));
        }
    }
    out
}

fn attachment_label(a: &Attachment) -> String {
    let name = yangguang_core::disclosure::without_bidi_controls(&a.file_name);
    format!("{name}（{}）", a.sha256.get(..12).unwrap_or(&a.sha256))
}

/// Everything a correction changed: title, body and attachments.
pub fn changes(old: &Disclosure, new: &Disclosure) -> Vec<Change> {
    let mut out = vec![];
    if old.title.trim() != new.title.trim() {
        out.push(Change::Title { old: old.title.clone(), new: new.title.clone() });
    }
    out.extend(body_changes(&old.body_md, &new.body_md));
    for a in old.attachments.iter().filter(|a| !new.attachments.iter().any(|b| b.sha256 == a.sha256)) {
        out.push(Change::AttachmentRemoved(attachment_label(a)));
    }
    for a in new.attachments.iter().filter(|a| !old.attachments.iter().any(|b| b.sha256 == a.sha256)) {
        out.push(Change::AttachmentAdded(attachment_label(a)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "## 2026年11月收支\n\n| 项目 | 金额 |\n|---|---|\n| 办公费用 | 1,593.49 |\n| 路灯维修 | 3,600.00 |\n\n经手人：张*明";
    const NEW: &str = "## 2026年11月收支\n\n| 项目 | 金额 |\n|---|---|\n| 办公费用 | 1,359.49 |\n| 路灯维修 | 3,600.00 |\n| 保洁 | 800.00 |\n\n经手人：张*明\n\n**更正说明**：办公费用录入有误。";

    /// Every piece of text a change shows, as it would be read.
    fn texts(changes: &[Change]) -> String {
        let mut all = String::new();
        for c in changes {
            match c {
                Change::Title { old, new } => all.push_str(&format!("{old}{new}")),
                Change::Removed(h) | Change::Added(h) | Change::AttachmentAdded(h) | Change::AttachmentRemoved(h) => {
                    all.push_str(h)
                }
                Change::Table(t) => {
                    all.push_str(&t.header.concat());
                    for r in &t.rows {
                        for c in &r.cells {
                            all.push_str(&c.html);
                            all.push_str(c.old_html.as_deref().unwrap_or(""));
                        }
                    }
                }
            }
        }
        all
    }

    #[test]
    fn a_changed_table_is_a_table_with_its_changes_marked() {
        let changes = body_changes(OLD, NEW);
        let Some(Change::Table(t)) = changes.iter().find(|c| matches!(c, Change::Table(_))) else {
            panic!("no table in {changes:?}")
        };
        assert_eq!(t.header, vec!["项目", "金额"]);
        let states: Vec<RowState> = t.rows.iter().map(|r| r.state).collect();
        assert_eq!(states, vec![RowState::Changed, RowState::Same, RowState::Added]);
        let changed = &t.rows[0].cells;
        assert_eq!((changed[0].html.as_str(), changed[0].old_html.as_deref()), ("办公费用", None));
        assert_eq!((changed[1].html.as_str(), changed[1].old_html.as_deref()), ("1,359.49", Some("1,593.49")));
        // The explanation was added, rendered; the unchanged heading and line are not shown.
        let added: Vec<&String> =
            changes.iter().filter_map(|c| if let Change::Added(h) = c { Some(h) } else { None }).collect();
        assert_eq!(added.len(), 1);
        assert!(added[0].contains("<strong>更正说明</strong>"), "{}", added[0]);
        let all = texts(&changes);
        assert!(!all.contains("经手人") && !all.contains("<h2"), "{all}");
    }

    #[test]
    fn no_markdown_syntax_and_no_empty_changes_survive() {
        let changes = body_changes(OLD, NEW);
        let all = texts(&changes);
        for raw in ["| 办公费用", "**", "|---", "## "] {
            assert!(!all.contains(raw), "{raw} in {all}");
        }
        for c in &changes {
            if let Change::Added(h) | Change::Removed(h) = c {
                assert!(!h.trim().is_empty());
            }
        }
        // Blank lines added or removed are no change at all.
        assert!(body_changes("第一段\n\n第二段", "第一段\n\n\n\n第二段\n").is_empty());
    }

    #[test]
    fn removed_and_added_blocks_are_rendered_and_sanitised() {
        let changes = body_changes("- 甲\n- 乙\n\n旧的一段", "- 甲\n- 丙\n\n<script>alert(1)</script>新的一段");
        assert!(changes.contains(&Change::Removed("<ul>\n<li>甲</li>\n<li>乙</li>\n</ul>\n".into())), "{changes:?}");
        assert!(changes.iter().any(|c| matches!(c, Change::Added(h) if h.contains("<li>丙</li>"))));
        assert!(!texts(&changes).contains("<script"));
    }

    #[test]
    fn rows_removed_from_a_table_are_marked_removed() {
        let old = "| 户主 | 金额 |\n|---|---|\n| 张*明 | 300 |\n| 李*华 | 200 |";
        let new = "| 户主 | 金额 |\n|---|---|\n| 张*明 | 300 |";
        let [Change::Table(t)] = &body_changes(old, new)[..] else { panic!() };
        assert_eq!(t.rows.iter().map(|r| r.state).collect::<Vec<_>>(), vec![RowState::Same, RowState::Removed]);
        assert_eq!(t.rows[1].cells[0].html, "李*华");
    }
}
