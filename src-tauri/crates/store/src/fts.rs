//! Turning the user's search words into a safe FTS5 query.

/// At most this many words are used (longer input is almost certainly pasted text).
const MAX_TERMS: usize = 16;
/// Words longer than this are cut (FTS5 has no use for a 5 kB "word").
const MAX_TERM_CHARS: usize = 64;

/// Builds an FTS5 MATCH expression from arbitrary user input, or `None` when it holds no word.
///
/// The input is split into words exactly where the `unicode61` tokenizer splits (anything not a
/// letter or digit separates words), so FTS5 operators (`AND`, `OR`, `NOT`, `NEAR`), quotes,
/// `*`, `-`, `^`, `:` and parentheses can never reach the query parser. Each word becomes a
/// quoted prefix term (`"word"*`, so typing "comf" finds "comfortable") and all words must match.
/// One-letter words are matched whole: a one-letter prefix would merge a large part of the
/// term dictionary.
pub fn fts_match_expression(input: &str) -> Option<String> {
    let mut out = String::new();
    let words = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_TERMS);
    for word in words {
        let word: String = word.chars().take(MAX_TERM_CHARS).collect();
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('"');
        // Words hold only letters and digits, so there is no quote to escape; the replace keeps
        // this safe even if the split rule changes.
        out.push_str(&word.replace('"', "\"\""));
        out.push('"');
        if word.chars().count() > 1 {
            out.push('*');
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_quoted_prefix_terms() {
        assert_eq!(
            fts_match_expression("Great  shirt!").as_deref(),
            Some("\"Great\"* \"shirt\"*")
        );
    }

    #[test]
    fn operators_and_syntax_are_neutralised() {
        assert_eq!(
            fts_match_expression("\"a\" AND (b* OR -c) NEAR:x ^y").as_deref(),
            Some("\"a\" \"AND\"* \"b\" \"OR\"* \"c\" \"NEAR\"* \"x\" \"y\"")
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
