//! Chinese word segmentation for the index: jieba (through `tantivy-jieba`) in search mode
//! when indexing, so that a long word is also indexed as the shorter words inside it
//! ("路灯维修" also as "路灯" and "维修"), and in ordinary mode for queries, so that every word
//! of a query must be found. Both lower-case Latin letters and drop punctuation and spaces.

use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};

/// The analyzer's name in the index's schema (documents).
pub const INDEXING: &str = "zh_index";
/// The analyzer used to read a query.
pub const QUERYING: &str = "zh_query";

fn analyzer(search_mode: bool) -> TextAnalyzer {
    TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::with_search_mode(search_mode))
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(WordsOnly)
        .build()
}

pub fn indexing() -> TextAnalyzer {
    analyzer(true)
}

pub fn querying() -> TextAnalyzer {
    analyzer(false)
}

/// Drops tokens without a letter or digit (punctuation, spaces): tantivy's own
/// `AlphaNumOnlyFilter` keeps ASCII only, which would drop every Chinese word.
#[derive(Clone)]
pub struct WordsOnly;

pub struct WordsOnlyStream<T>(T);

#[derive(Clone)]
pub struct WordsOnlyTokenizer<T>(T);

impl TokenFilter for WordsOnly {
    type Tokenizer<T: Tokenizer> = WordsOnlyTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> WordsOnlyTokenizer<T> {
        WordsOnlyTokenizer(tokenizer)
    }
}

impl<T: Tokenizer> Tokenizer for WordsOnlyTokenizer<T> {
    type TokenStream<'a> = WordsOnlyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordsOnlyStream(self.0.token_stream(text))
    }
}

impl<T: TokenStream> TokenStream for WordsOnlyStream<T> {
    fn advance(&mut self) -> bool {
        while self.0.advance() {
            if self.0.token().text.chars().any(char::is_alphanumeric) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

/// The words of `text` as the analyzer sees them (each once, in order).
pub fn words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        if !out.contains(&token.text) {
            out.push(token.text.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_is_cut_into_words_and_long_words_also_into_their_parts() {
        let indexed = words(&mut indexing(), "支付村道路灯维修费用");
        assert!(indexed.contains(&"路灯".to_owned()), "{indexed:?}");
        assert!(indexed.contains(&"维修".to_owned()), "{indexed:?}");
        let indexed = words(&mut indexing(), "收到厂房租金（第二季度）");
        assert!(indexed.contains(&"租金".to_owned()), "{indexed:?}");
        assert!(indexed.contains(&"厂房".to_owned()), "{indexed:?}");
    }

    #[test]
    fn punctuation_and_spaces_are_not_words_and_latin_is_lower_cased() {
        let w = words(&mut querying(), "  “租金”！！ OCDS, ()*:^~");
        assert_eq!(w, ["租金", "ocds"]);
        assert!(words(&mut querying(), "+-&&||!(){}[]^\"~*?:\\/").is_empty());
    }

    #[test]
    fn a_query_word_is_found_among_the_words_of_a_document() {
        for (doc, query) in
            [("2026年11月路灯电费", "路灯"), ("出租鱼塘租金收入", "租金"), ("村集体经济收入", "集体经济")]
        {
            let indexed = words(&mut indexing(), doc);
            for w in words(&mut querying(), query) {
                assert!(indexed.contains(&w), "{w} not among {indexed:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_can_be_cut(text in "\\PC{0,200}") {
            let _ = words(&mut indexing(), &text);
            let _ = words(&mut querying(), &text);
        }
    }
}
