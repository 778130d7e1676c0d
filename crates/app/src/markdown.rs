//! Markdown bodies rendered to HTML that is safe to embed in our pages: CommonMark with
//! tables, then sanitised by ammonia, so no script, event handler or `javascript:` link
//! survives whatever a clerk (or an attacker with a clerk's password) typed.

use pulldown_cmark::{Options, Parser, html};

pub fn render(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&unsafe_html)
        .to_string()
}

/// Text written into generated Markdown (a table cell, a line of a statement) so that it reads
/// literally: every character that could open a link or an image (`[`), emphasis, code,
/// strikethrough, an HTML tag or autolink, an entity, or end a table cell (`|`) is
/// backslash-escaped, and so is whatever could open a block at its start (`#`, `+`, `-`, `=`,
/// `>`, `1.`, `1)`); line breaks become spaces (a cell is one line) and outer white space is
/// dropped (a table drops it anyway). `[x](http://evil)` shows as those characters, never as a
/// link; `![](http://evil/img.png)` never as an image.
pub fn escape(text: &str) -> String {
    let text = text.trim();
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().enumerate().peekable();
    // Still in the leading run of digits (where `1.` or `1)` would open a numbered list).
    let mut leading_digits = true;
    while let Some((i, ch)) = chars.next() {
        let list_marker = leading_digits
            && i > 0
            && matches!(ch, '.' | ')')
            && chars.peek().is_none_or(|(_, next)| next.is_whitespace());
        let special = matches!(ch, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~')
            || (i == 0 && matches!(ch, '#' | '+' | '-' | '='))
            || list_marker;
        match ch {
            '\r' | '\n' => out.push(' '),
            c if special => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        leading_digits &= ch.is_ascii_digit();
    }
    out
}

/// Plain text of a Markdown body, for page descriptions: the sanitised HTML without its
/// tags, so nothing the sanitiser removed (script contents) reappears as text.
pub fn plain_text(markdown: &str, max_chars: usize) -> String {
    let html = render(markdown);
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    let mut out: String = joined.chars().take(max_chars).collect();
    if joined.chars().count() > max_chars {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn script_and_handlers_are_removed() {
        let evil = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n\
                    [点我](javascript:alert(1)) <a href=\"javascript:alert(2)\">链接</a>\n\n\
                    <iframe src=\"https://evil\"></iframe><style>body{display:none}</style>";
        let html = render(evil);
        for bad in ["<script", "onerror", "javascript:", "<iframe", "<style"] {
            assert!(!html.to_lowercase().contains(bad), "{bad} survived in {html}");
        }
    }

    #[test]
    fn tables_and_links_are_kept() {
        let html = render("| 姓名 | 金额 |\n|---|---|\n| 张*明 | 300 |\n\n[通知](https://example.org/a)");
        assert!(html.contains("<table>") && html.contains("张*明"));
        assert!(html.contains("href=\"https://example.org/a\"") && html.contains("noopener"));
    }

    /// The text of the HTML, tags removed and entities decoded.
    fn text_of(html: &str) -> String {
        let mut text = String::new();
        let mut in_tag = false;
        for ch in html.chars() {
            match ch {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    #[test]
    fn escaped_text_reads_literally() {
        let hostile =
            "# 收[x](http://evil) ![](http://evil/img.png) <b>粗</b> a|b *斜* `码` ~~删~~ &lt; \\ _下_ <http://evil>";
        let html = render(&escape(hostile));
        for bad in ["<a", "<img", "<b>", "<em", "<code", "<del", "<h1", "href", "src="] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert_eq!(text_of(&html).trim(), hostile);
        assert_eq!(escape("第一行\r\n第二行"), "第一行  第二行");
        for lead in ["+1", "=1", "-1", "#1", "1. 一", "2)", "> 引", "---", "1.5", "-12.50"] {
            assert_eq!(text_of(&render(&escape(lead))).trim(), lead);
        }
        assert_eq!(escape("1,234.50"), "1,234.50", "amounts stay readable in the source");
        assert_eq!(escape("2026-03-05"), "2026-03-05");
    }

    #[test]
    fn plain_text_is_shortened() {
        assert_eq!(plain_text("# 标题\n\n第一段**加粗**。", 100), "标题 第一段 加粗 。");
        assert_eq!(plain_text("名单<script>alert(1)</script>如下 &amp; x", 100), "名单如下 & x");
        assert_eq!(plain_text("一二三四五", 3), "一二三…");
    }

    proptest! {
        /// Whatever the text, escaped it renders as one paragraph of exactly that text (line
        /// breaks as spaces, outer spaces trimmed), with no tag but the paragraph's.
        #[test]
        fn escaped_text_is_plain_text(s in "([-#+=!*_`~<>&|\\\\()\\[\\]:/. a-z0-9中]|http://e|&lt;|\r|\n){0,40}") {
            let html = render(&escape(&s));
            let tags: Vec<&str> = html.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("")).collect();
            prop_assert!(tags.iter().all(|t| *t == "p" || *t == "/p"), "{}", html);
            let expected = s.replace(['\r', '\n'], " ");
            let text = text_of(&html);
            prop_assert_eq!(text.trim(), expected.trim());
        }

        #[test]
        fn no_input_yields_a_script_tag(s in "(<script>|<img onerror=x>|javascript:|[a-z<>\"'= ]){0,40}") {
            // Text is escaped, so every literal `<…>` left in the output is a real tag.
            let html = render(&s).to_lowercase();
            for tag in html.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("")) {
                prop_assert!(!tag.contains("script") && !tag.contains("onerror") && !tag.contains("javascript:"), "{}", html);
            }
        }
    }
}
