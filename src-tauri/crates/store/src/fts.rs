//! Turning the user's search words into a safe FTS5 query, and review text into search terms.

use std::borrow::Cow;
use std::collections::HashMap;

use reviewdesk_core::ReviewTag;

/// At most this many words are used (longer input is almost certainly pasted text).
const MAX_TERMS: usize = 16;
/// Words longer than this are cut (FTS5 has no use for a 5 kB "word").
const MAX_TERM_CHARS: usize = 64;

/// Builds an FTS5 MATCH expression from arbitrary user input, or `None` when it holds no word.
///
/// The input is split into words exactly where the `unicode61` tokenizer splits (anything not a
/// letter or digit separates words), so FTS5 operators (`AND`, `OR`, `NOT`, `NEAR`), quotes,
/// `*`, `-`, `^`, `:` and parentheses can never reach the query parser. Each word becomes a
/// quoted term and all words must match. The last word is a prefix term (`"comf"*` finds
/// "comfortable" while the user is still typing); earlier words are whole words, because FTS5
/// materialises the merged posting list of every prefix term, which is slow for common words.
/// A one-letter last word is a prefix too: matched whole, "z" found nothing where "zi" found
/// thousands of reviews (issue 19), and a prefix must find at least what its longer prefixes
/// find. The list query replaces the prefix term by the exact terms it stands for, which keeps
/// one letter fast (see `Store::match_terms`).
pub fn fts_match_expression(input: &str) -> Option<String> {
    let terms: Vec<String> = search_words(input)
        .iter()
        .map(|w| {
            let mut term = quoted(&w.text);
            if w.prefix {
                term.push('*');
            }
            term
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// One word of a search, as typed (case and accents kept; FTS5 folds them).
pub(crate) struct SearchWord {
    pub text: String,
    /// Matches every term starting with `text` (the last word, while the user types).
    pub prefix: bool,
}

/// The words of [`fts_match_expression`], bounded in number and length.
pub(crate) fn search_words(input: &str) -> Vec<SearchWord> {
    let words: Vec<&str> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_TERMS)
        .collect();
    let last = words.len().saturating_sub(1);
    words
        .into_iter()
        .enumerate()
        .map(|(i, word)| {
            let text: String = word.chars().take(MAX_TERM_CHARS).collect();
            let prefix = i == last;
            SearchWord { text, prefix }
        })
        .collect()
}

/// The tokens of `text` as the index's `unicode61` tokenizer makes them (folded), in order.
///
/// Why a connection of its own: the tokenizer is reached only through an FTS5 table, and a
/// store's read connection may write nothing, not even a temporary table; an in-memory
/// connection costs well under a millisecond, and only a search word outside ASCII asks.
pub(crate) fn unicode61_tokens(text: &str) -> rusqlite::Result<Vec<String>> {
    let conn = rusqlite::Connection::open_in_memory()?;
    conn.execute_batch(
        "CREATE VIRTUAL TABLE probe USING fts5(t, tokenize = 'unicode61 remove_diacritics 2'); \
         CREATE VIRTUAL TABLE probe_tokens USING fts5vocab(probe, instance);",
    )?;
    conn.execute("INSERT INTO probe (rowid, t) VALUES (1, ?1)", [text])?;
    let mut stmt = conn.prepare("SELECT term FROM probe_tokens ORDER BY offset")?;
    let tokens = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(tokens)
}

/// `word` as an FTS5 string (a single term, never syntax).
pub(crate) fn quoted(word: &str) -> String {
    // Words hold only letters and digits, so there is no quote to escape; the replace keeps
    // this safe even if the split rule changes.
    format!("\"{}\"", word.replace('"', "\"\""))
}

/// The search terms of the texts written in one transaction, split where the `unicode61`
/// tokenizer splits and counted once per occurrence.
///
/// Why here and not by SQLite alone: the writer needs the terms (for `search_terms`) of every
/// review it stores, and asking SQLite's tokenizer for all of them cost a fifth of a first sync.
/// ASCII characters other than letters and digits always separate tokens in `unicode61` (the
/// index sets no `tokenchars` or `separators`), so the text is cut there first. A piece of
/// ASCII letters and digits is exactly one token, lowercased, and is counted here (almost all
/// of any review). A piece holding other characters may be one token or several (`naïve`,
/// `don’t`), with Unicode case folding and diacritics removed: those pieces are collected in
/// [`TermCounter::other`] and tokenized by SQLite itself (see `fts_write::index_terms`), so the
/// folding is exactly the index's.
#[derive(Default)]
pub(crate) struct TermCounter<'a> {
    /// ASCII terms and their occurrences.
    pub ascii: HashMap<Cow<'a, str>, i64, rustc_hash::FxBuildHasher>,
    /// Every piece with non-ASCII characters, each followed by a space.
    pub other: String,
}

impl<'a> TermCounter<'a> {
    /// Counts the terms of one indexed text that occurs `times` times.
    pub fn add(&mut self, text: &'a str, times: i64) {
        let bytes = text.as_bytes();
        let separates = |b: u8| b.is_ascii() && !b.is_ascii_alphanumeric();
        let mut at = 0;
        while at < bytes.len() {
            while at < bytes.len() && separates(bytes[at]) {
                at += 1;
            }
            let start = at;
            let (mut upper, mut ascii) = (false, true);
            while at < bytes.len() && !separates(bytes[at]) {
                upper |= bytes[at].is_ascii_uppercase();
                ascii &= bytes[at].is_ascii();
                at += 1;
            }
            // Both ends sit next to an ASCII byte or at an end of the text: char boundaries.
            let Some(piece) = text.get(start..at).filter(|p| !p.is_empty()) else {
                continue;
            };
            if !ascii && !is_facet_token(piece) {
                for _ in 0..times {
                    self.other.push_str(piece);
                    self.other.push(' ');
                }
                continue;
            }
            // A facet token is already folded (lowercase ASCII after its mark).
            let term = if upper && ascii {
                Cow::Owned(piece.to_ascii_lowercase())
            } else {
                Cow::Borrowed(piece)
            };
            *self.ascii.entry(term).or_insert(0) += times;
        }
    }
}

/// Whether `piece` is a facet token as the writer makes them: [`FACET_MARK`], then lowercase
/// ASCII letters and digits (one `unicode61` token, already folded, so it is counted without
/// SQLite's tokenizer like an ASCII word).
fn is_facet_token(piece: &str) -> bool {
    piece.strip_prefix(FACET_MARK).is_some_and(|rest| {
        rest.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// Lowercase ASCII letters and digits of `text` (facet tokens must survive the tokenizer whole).
fn alnum_lower(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_alnum_lower(&mut out, text);
    out
}

/// Appends [`alnum_lower`] of `text` to `out`.
fn push_alnum_lower(out: &mut String, text: &str) {
    out.extend(
        text.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase()),
    );
}

/// The first character of every facet token: a private-use character, which the `unicode61`
/// tokenizer keeps inside a token (category `Co`) and which no search word can hold (words are
/// split at every character that is not a letter or digit).
///
/// Why (schema V18): the index keeps no columns or positions (`detail = none`, less than half
/// its size), so a search can no longer say "not in the facets column"; the mark keeps the
/// facet tokens apart from every word of review text instead ("r5" or "a1" typed in a review
/// never reads as a filter, and a search for them never finds a filter).
pub(crate) const FACET_MARK: char = '\u{E000}';

/// Facet token: the shop and whether the review is active (`a`) or deleted (`d`).
pub(crate) fn view_token(shop_id: i64, gone: bool) -> String {
    format!("{FACET_MARK}{}{shop_id}", if gone { 'd' } else { 'a' })
}

/// Facet token of a product.
pub(crate) fn product_token(product_id: &str) -> String {
    format!("{FACET_MARK}p{}", alnum_lower(product_id))
}

/// Facet token of a star rating.
pub(crate) fn star_token(stars: impl std::fmt::Display) -> String {
    format!("{FACET_MARK}r{stars}")
}

/// Facet token of a triage state (`new`, `reviewed`, `flagged`).
pub(crate) fn triage_token(triage: &str) -> String {
    format!("{FACET_MARK}t{triage}")
}

/// Facet token of a source (letters and digits only, so `Store front` ≡ `storefront`).
pub(crate) fn source_token(source: &str) -> String {
    format!("{FACET_MARK}s{}", alnum_lower(source))
}

/// Facet token of a tag: `k`, its group's UTF-8 bytes in hex, `z`, its value's in hex.
///
/// Why hex and not letters and digits as for sources: tags are the business's own free text
/// (any script, punctuation that tells tags apart), and the token must survive the tokenizer
/// whole and name exactly one tag; `z` is no hex digit, so group and value cannot run into
/// each other.
pub(crate) fn tag_token(tag: &ReviewTag) -> String {
    let mut out = String::with_capacity(2 + 2 * (tag.group.len() + tag.value.len()));
    push_tag_token(&mut out, tag);
    out
}

/// Appends [`tag_token`] of `tag` to `out`.
fn push_tag_token(out: &mut String, tag: &ReviewTag) {
    out.push(FACET_MARK);
    out.push('k');
    push_hex(out, &tag.group);
    out.push('z');
    push_hex(out, &tag.value);
}

/// Appends the UTF-8 bytes of `text` as lowercase hex.
fn push_hex(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in text.bytes() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
}

/// Facet token of a yes/no attribute.
pub(crate) fn flag_token(prefix: char, value: bool) -> String {
    format!("{FACET_MARK}{prefix}{}", u8::from(value))
}

/// A space and the [`FACET_MARK`] of the next facet token.
const MARKED_SPACE: &str = " \u{E000}";

/// The filterable values of one review, as indexed in the hidden `facets` FTS column.
pub(crate) struct Facets<'a> {
    pub shop_id: i64,
    pub gone: bool,
    pub product_id: &'a str,
    pub rating: i64,
    pub has_image: bool,
    pub has_video: bool,
    pub verified: bool,
    pub source: &'a str,
    pub triage: &'a str,
    /// The review's tags (none for most reviews: then the text is as before tags existed).
    pub tags: &'a [ReviewTag],
}

/// Whether stored facets (as [`Facets::text`] wrote them) are those of an active review: the
/// view token comes first, `a<shop>` for active, `d<shop>` for deleted (after the
/// [`FACET_MARK`]).
pub(crate) fn facets_are_active(facets: &str) -> bool {
    facets
        .strip_prefix(FACET_MARK)
        .unwrap_or(facets)
        .starts_with('a')
}

impl Facets<'_> {
    /// The space-separated tokens stored in `reviews.facets`.
    ///
    /// Built in one buffer, without the formatting machinery: it runs for every review a sync
    /// writes (with `write!` it was 3.4 % of a first sync's writer, now 1.9 %, callgrind).
    pub(crate) fn text(&self) -> String {
        let mut out = String::with_capacity(72 + self.product_id.len() + self.source.len());
        let mut decimal = itoa::Buffer::new();
        out.push(FACET_MARK);
        out.push(if self.gone { 'd' } else { 'a' });
        out.push_str(decimal.format(self.shop_id));
        out.push_str(MARKED_SPACE);
        out.push('p');
        push_alnum_lower(&mut out, self.product_id);
        out.push_str(MARKED_SPACE);
        out.push('r');
        out.push_str(decimal.format(self.rating));
        for (prefix, value) in [
            ('i', self.has_image),
            ('v', self.has_video),
            ('e', self.verified),
        ] {
            out.push_str(MARKED_SPACE);
            out.push(prefix);
            out.push(if value { '1' } else { '0' });
        }
        out.push_str(MARKED_SPACE);
        out.push('s');
        push_alnum_lower(&mut out, self.source);
        out.push_str(MARKED_SPACE);
        out.push('t');
        push_alnum_lower(&mut out, self.triage);
        for tag in self.tags {
            out.push(' ');
            push_tag_token(&mut out, tag);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_quoted_prefix_terms() {
        assert_eq!(
            fts_match_expression("Great  shirt!").as_deref(),
            Some("\"Great\" \"shirt\"*")
        );
    }

    #[test]
    fn operators_and_syntax_are_neutralised() {
        assert_eq!(
            fts_match_expression("\"a\" AND (b* OR -c) NEAR:x ^y").as_deref(),
            // The last word is a prefix, one letter too.
            Some("\"a\" \"AND\" \"b\" \"OR\" \"c\" \"NEAR\" \"x\" \"y\"*")
        );
    }

    #[test]
    fn text_is_split_like_unicode61_and_non_ascii_pieces_are_left_to_sqlite() {
        let mut terms = TermCounter::default();
        terms.add("Hello, hello WORLD-x2 O'Brien_9", 1);
        terms.add("Chloé's café—naïve 😀 fit DON’T", 1);
        terms.add("  ", 3);
        terms.add("fit x2", 2);
        let mut got: Vec<(String, i64)> = terms
            .ascii
            .iter()
            .map(|(t, n)| (t.to_string(), *n))
            .collect();
        got.sort();
        let want = [
            ("9", 1),
            ("brien", 1),
            ("fit", 3),
            ("hello", 2),
            ("o", 1),
            ("s", 1),
            ("world", 1),
            ("x2", 3),
        ];
        assert_eq!(got, want.map(|(t, n)| (t.to_owned(), n)));
        assert_eq!(terms.other, "Chloé café—naïve 😀 DON’T ");
    }

    #[test]
    fn facet_text_is_the_tokens_joined() {
        for (gone, flag) in [(false, true), (true, false)] {
            let f = Facets {
                shop_id: 12,
                gone,
                product_id: "92-00_X",
                rating: 4,
                has_image: flag,
                has_video: !flag,
                verified: flag,
                source: "Store front",
                triage: "flagged",
                tags: &[],
            };
            let want = [
                view_token(12, gone),
                product_token("92-00_X"),
                star_token(4),
                flag_token('i', flag),
                flag_token('v', !flag),
                flag_token('e', flag),
                source_token("Store front"),
                triage_token("flagged"),
            ]
            .join(" ");
            assert_eq!(f.text(), want);
            assert_eq!(facets_are_active(&f.text()), !gone);
            // Each token is counted whole, as the index holds it.
            let mut terms = TermCounter::default();
            let text = f.text();
            terms.add(&text, 1);
            assert_eq!(terms.ascii.len(), 8);
            assert!(terms.other.is_empty());
            assert!(terms.ascii.keys().all(|t| t.starts_with(FACET_MARK)));
        }
    }

    #[test]
    fn tag_tokens_name_one_tag_and_survive_the_tokenizer_whole() {
        let tags = [
            ReviewTag::generic("shipping"),
            ReviewTag::generic("Shipping"),
            ReviewTag::new("gen", "ericshipping"),
            ReviewTag::generic("ship ping"),
            ReviewTag::generic("livraison-rapide é"),
        ];
        let tokens: Vec<String> = tags.iter().map(tag_token).collect();
        for (i, t) in tokens.iter().enumerate() {
            assert!(is_facet_token(t), "{t}");
            assert!(t.starts_with(&format!("{FACET_MARK}k")));
            assert!(!tokens[..i].contains(t), "{t} twice");
        }
        assert_eq!(tokens[0], "\u{E000}k67656e65726963z7368697070696e67");
        let f = Facets {
            shop_id: 1,
            gone: false,
            product_id: "1",
            rating: 5,
            has_image: false,
            has_video: false,
            verified: false,
            source: "",
            triage: "new",
            tags: &tags[..2],
        };
        assert!(f.text().ends_with(&format!(
            " {} {} {}",
            triage_token("new"),
            tokens[0],
            tokens[1]
        )));
    }

    #[test]
    fn tokens_come_from_the_index_tokenizer_in_order() {
        assert_eq!(
            unicode61_tokens("Café NAÏVE x2").unwrap_or_default(),
            ["cafe", "naive", "x2"]
        );
    }

    #[test]
    fn input_without_words_is_no_query() {
        assert_eq!(fts_match_expression(""), None);
        assert_eq!(fts_match_expression(" \"*-()' "), None);
    }

    #[test]
    fn long_input_is_bounded() {
        let long = "word ".repeat(100);
        let expr = fts_match_expression(&long).unwrap_or_default();
        assert_eq!(expr.matches('"').count(), 2 * MAX_TERMS);
    }
}
