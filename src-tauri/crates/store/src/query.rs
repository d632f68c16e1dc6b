//! Filtered, sorted, searched listings of one account's reviews, or of several accounts' together.
//!
//! Every listing is a *stream in key order*: the rowid of a review is derived from its
//! `commented_at`, so "newest first" is a walk down the rowid, which the table itself, every
//! index on `(shop, …)` and the FTS5 index deliver without sorting. Every filter but the date
//! range is also a facet token in a hidden FTS5 column, so FTS5 answers a listing with a
//! keyword, a product or a star rating by intersecting doclists: it yields matching rowids
//! newest-first, the page reads only its own rows, and a count reads no row at all. Otherwise
//! the store walks one of the two small partial indexes (reviews triaged away from `new`,
//! deleted reviews) or the table in rowid order, and checks the other filters per row (the
//! unary `+` keeps SQLite from choosing an index that would force a sort), stopping at the
//! page limit.
//! Rating sorts walk one star at a time, newest-first within it.
//! Totals are counted separately and capped ([`ReviewQuery::count_limit`]) so a huge shop does
//! not pay for an exact count on every keystroke.

use std::collections::HashMap;
use std::io::Write;

use reviewdesk_core::{AccountCount, AccountKey};
use reviewdesk_core::{
    ReviewCursor, ReviewFilter, ReviewPage, ReviewQuery, ReviewRow, ReviewSort, ReviewView,
    TriageState,
};
use rusqlite::types::Value;
use rusqlite::OptionalExtension;

use crate::fts::{
    flag_token, product_token, quoted, search_words, source_token, star_token, tag_token,
    triage_token, view_token,
};
use crate::fts::{unicode61_tokens, SearchWord};
use crate::reviews::{key_bound_at_or_after, review_row, ROW_COLUMNS};
use crate::{Result, Store};

/// Largest page the store hands out.
pub const MAX_PAGE: u32 = 1000;

/// One SQL shape for a filter: FROM, WHERE terms and their parameters.
struct Plan {
    from: &'static str,
    /// FROM of a count (no join needed when FTS5 answers alone).
    count_from: &'static str,
    key: &'static str,
    conds: Vec<String>,
    params: Vec<Value>,
}

impl Plan {
    fn push(&mut self, cond: String, value: Value) {
        self.params.push(value);
        let n = self.params.len();
        self.conds.push(cond.replace("?#", &format!("?{n}")));
    }

    fn where_clause(&self) -> String {
        if self.conds.is_empty() {
            "1".to_owned()
        } else {
            self.conds.join(" AND ")
        }
    }
}

fn bool_value(b: bool) -> Value {
    Value::Integer(i64::from(b))
}

/// What is searched: the reviews of a set of accounts (one, for a shop's inbox; several, for
/// the All accounts view) matching a filter, with its keyword prepared.
#[derive(Clone, Copy)]
struct Search<'a> {
    /// The accounts' store ids (`shops.id`), distinct and never empty.
    shop_ids: &'a [i64],
    filter: &'a ReviewFilter,
    keyword: &'a Keyword,
}

/// A filter's keyword prepared for FTS5 by [`Store::keyword`]. Empty `terms`: no keyword.
#[derive(Default)]
struct Keyword {
    /// Each word as an FTS5 term or OR group (see [`Store::match_terms`]), with its estimated
    /// number of matching reviews, for a walk that stops early (a page, a capped count).
    terms: Vec<(String, i64)>,
    /// The same words for a walk to the end of the matches (an exact count, an export): a
    /// prefix with more than [`MAX_PREFIX_TERMS`] terms stays a prefix term here.
    exhaustive_terms: Vec<(String, i64)>,
    /// Estimated reviews per facet token the filter may use.
    facet_docs: HashMap<String, i64>,
    /// The searched accounts are every account in the store (a shop alone in it, or the All
    /// accounts view), so "active" is "not deleted" and needs no token that every review
    /// carries.
    every_shop: bool,
}

/// Most exact terms a prefix is replaced by in a walk to the end of its matches (an exact
/// count, an export); a prefix matching more stays a prefix term and FTS5 merges its posting
/// lists as usual.
///
/// Why two limits: FTS5 steps an OR by looking at every one of its terms for each row, so an OR
/// of many terms streams the first rows fast but walks all of them slowly, where a prefix term
/// pays once to merge its posting lists and then walks fast. Measured at 1M reviews, "s" (1,284
/// terms): first 1,001 rows 52 ms as an OR, 675 ms as `"s"*`; all 958,572 rows 4.3 s as an OR,
/// 0.66 s as `"s"*`.
const MAX_PREFIX_TERMS: i64 = 256;

/// Most exact terms a prefix is replaced by in a walk that stops early: a page and its capped
/// total, what the list view asks on every keystroke (see [`MAX_PREFIX_TERMS`]).
///
/// Why 2,048: one-letter prefixes are searched as prefixes (issue 19) and stand for about a
/// thousand terms each at 1M synthetic reviews; an OR's cost grows ~30 µs per term (1,001 rows
/// of an OR of 2,000 terms: 69 ms), so past this a real store's vocabulary would make the OR
/// slower than FTS5's own prefix merge (0.1–0.75 s for one letter at 1M), which is used then.
const MAX_STREAMED_PREFIX_TERMS: i64 = 2048;

/// The search words as single index terms: a word the `unicode61` tokenizer cuts into several
/// tokens (a few non-Latin scripts, where a letter's marks separate tokens) becomes those
/// tokens, each a word of its own, the last one a prefix when the word was.
///
/// Why: the index keeps no positions (schema V18, `detail = none`), and FTS5 refuses a quoted
/// term of several tokens there (a phrase). All of the tokens must match, anywhere in the
/// review, where a phrase asked them side by side: the same reviews, or a few more.
fn index_tokens(words: Vec<SearchWord>) -> Result<Vec<SearchWord>> {
    let mut out = Vec::with_capacity(words.len());
    for word in words {
        if word.text.is_ascii() {
            out.push(word);
            continue;
        }
        let tokens = unicode61_tokens(&word.text)?;
        if tokens.len() < 2 {
            out.push(word);
            continue;
        }
        let last = tokens.len() - 1;
        out.extend(tokens.into_iter().enumerate().map(|(i, text)| SearchWord {
            text,
            prefix: word.prefix && i == last,
        }));
    }
    Ok(out)
}

/// Builds the FTS5 MATCH of a keyword search with every filter folded in as facet terms, or
/// `None` without search words, unless no index serves the filter (`no_index`) and either the
/// filter names a product or a star rating (a walk of their facet tokens) or the shop shares
/// the store: then the filters alone, as facet terms (the view is a term of its own). Only
/// date ranges stay outside (they are rowid ranges).
///
/// FTS5 intersects the parts of an AND in the order written, stepping through the first one
/// row by row and skipping ahead in the others, so the parts are ordered by their estimated
/// number of reviews, rarest first ("Yuki" before "all" before "1 star"). A part that every
/// review of a one-shop store matches (active) becomes a `NOT` of the few deleted ones.
///
/// `exhaustive`: the walk goes to the end of the matches (see [`Keyword::exhaustive_terms`]).
fn fts_query(
    search: &Search<'_>,
    star: Option<u8>,
    no_index: bool,
    exhaustive: bool,
) -> Option<String> {
    let Search {
        shop_ids,
        filter,
        keyword,
    } = *search;
    // A tag has no column or index to check it by: its facet token always answers it.
    let facet_walk = (no_index && (!keyword.every_shop || names_product_or_stars(filter, star)))
        || filter.tag.is_some();
    if keyword.terms.is_empty() && !facet_walk {
        return None;
    }
    let docs = |token: &str| keyword.facet_docs.get(token).copied().unwrap_or(0);
    // Facet tokens and words never meet (see `fts::FACET_MARK`): no column filter is needed,
    // and the index keeps no columns to filter by (schema V18).
    let facet = |token: String| (docs(&token), quoted(&token));
    let any = |tokens: Vec<String>| {
        let total = tokens.iter().map(|t| docs(t)).sum();
        let parts: Vec<String> = tokens.into_iter().map(|t| facet(t).1).collect();
        (total, format!("({})", parts.join(" OR ")))
    };
    let terms = if exhaustive {
        &keyword.exhaustive_terms
    } else {
        &keyword.terms
    };
    let mut parts: Vec<(i64, String)> = terms.iter().map(|(w, n)| (*n, w.clone())).collect();
    // One account's view token, or the OR of the accounts' tokens.
    let view = |gone: &[bool]| {
        let tokens: Vec<String> = shop_ids
            .iter()
            .flat_map(|id| gone.iter().map(move |g| view_token(*id, *g)))
            .collect();
        match <[String; 1]>::try_from(tokens) {
            Ok([one]) => facet(one),
            Err(tokens) => any(tokens),
        }
    };
    let mut not = None;
    match (filter.view, keyword.every_shop) {
        (ReviewView::Active, true) => not = Some(view(&[true]).1),
        (ReviewView::Active, false) => parts.push(view(&[false])),
        (ReviewView::Deleted, _) => parts.push(view(&[true])),
        (ReviewView::All, true) => {}
        (ReviewView::All, false) => parts.push(view(&[false, true])),
    }
    if let Some(product) = &filter.product_id {
        parts.push(facet(product_token(product.as_str())));
    }
    match star {
        Some(s) => parts.push(facet(star_token(s))),
        None if !filter.ratings.is_empty() => {
            parts.push(any(filter.ratings.iter().map(star_token).collect()));
        }
        None => {}
    }
    if let Some(triage) = filter.triage {
        parts.push(facet(triage_token(triage.as_str())));
    }
    if let Some(source) = &filter.source {
        parts.push(facet(source_token(source)));
    }
    if let Some(tag) = &filter.tag {
        parts.push(facet(tag_token(tag)));
    }
    for (prefix, value) in [
        ('i', filter.has_image),
        ('v', filter.has_video),
        ('e', filter.verified),
    ] {
        if let Some(v) = value {
            parts.push(facet(flag_token(prefix, v)));
        }
    }
    // Stable: equal estimates keep the written order.
    parts.sort_by_key(|(n, _)| *n);
    let all: Vec<String> = parts.into_iter().map(|(_, p)| p).collect();
    let expr = all.join(" AND ");
    Some(match not {
        Some(deleted) => format!("({expr}) NOT {deleted}"),
        None => expr,
    })
}

/// Whether the filter (or the star a rating sort walks) names a product or star ratings: those
/// are answered by their FTS5 facet tokens (schema V7 and V8 dropped their indexes).
fn names_product_or_stars(filter: &ReviewFilter, star: Option<u8>) -> bool {
    filter.product_id.is_some() || !filter.ratings.is_empty() || star.is_some()
}

/// Every facet token a filter (or its rating sort) can put into [`fts_query`].
fn facet_tokens(shop_ids: &[i64], filter: &ReviewFilter) -> Vec<String> {
    let mut tokens: Vec<String> = shop_ids
        .iter()
        .flat_map(|id| [view_token(*id, false), view_token(*id, true)])
        .collect();
    tokens.extend((1..=5).map(star_token));
    if let Some(product) = &filter.product_id {
        tokens.push(product_token(product.as_str()));
    }
    if let Some(triage) = filter.triage {
        tokens.push(triage_token(triage.as_str()));
    }
    if let Some(source) = &filter.source {
        tokens.push(source_token(source));
    }
    if let Some(tag) = &filter.tag {
        tokens.push(tag_token(tag));
    }
    for (prefix, value) in [
        ('i', filter.has_image),
        ('v', filter.has_video),
        ('e', filter.verified),
    ] {
        if let Some(v) = value {
            tokens.push(flag_token(prefix, v));
        }
    }
    tokens
}

/// Builds the plan for `filter`, restricted to `star` when walking a rating sort.
///
/// With a keyword, FTS5 answers every filter itself (see [`fts_query`]). Without, with
/// `hints`, only one equality is left usable by an index (so the walk stays in key order);
/// without hints (for counting), SQLite may use any index.
///
/// `exhaustive`: the query reads every match (no limit), see [`fts_query`].
fn plan(search: &Search<'_>, star: Option<u8>, hints: bool, exhaustive: bool) -> Plan {
    let Search { filter, .. } = *search;
    let single_rating = star.or(match filter.ratings.as_slice() {
        [one] => Some(*one),
        _ => None,
    });
    // Which equality an index may serve (the rest get a unary `+`): only the two partial
    // indexes (schema V5), each small. A product or a star rating is a walk of its facet
    // tokens in FTS5 (schema V7 and V8 dropped their indexes). Triage `new` (nearly every
    // review) and the active view have no index of their own: without another equality, a
    // shop alone in the store walks the table itself (its rowid order is the date order), and
    // a shop sharing the store walks its facet tokens in FTS5 instead of every other shop's
    // rows.
    let triaged = filter.triage.filter(|t| *t != TriageState::New);
    let indexed = if triaged.is_some() {
        "triage"
    } else if filter.view == ReviewView::Deleted {
        "deleted"
    } else {
        ""
    };
    if let Some(expr) = fts_query(search, star, indexed.is_empty(), exhaustive) {
        let mut p = Plan {
            from: "reviews_fts CROSS JOIN reviews r ON r.rid = reviews_fts.rowid",
            count_from: "reviews_fts",
            key: "reviews_fts.rowid",
            conds: Vec::new(),
            params: Vec::new(),
        };
        p.push("reviews_fts MATCH ?#".to_owned(), Value::Text(expr));
        date_range(&mut p, filter);
        if provider_filters(&mut p, filter, "") {
            // Checked on the review's row, so a count joins it too.
            p.count_from = p.from;
        }
        return p;
    }
    let mut p = Plan {
        from: "reviews r",
        count_from: "reviews r",
        key: "r.rid",
        conds: Vec::new(),
        params: Vec::new(),
    };
    let h = |what: &str| if hints && indexed != what { "+" } else { "" };
    // Every index starts with the shop: with none chosen, the shop is checked per row too.
    let table_walk = if hints && indexed.is_empty() { "+" } else { "" };
    match search.shop_ids {
        [one] => p.push(format!("{table_walk}r.shop = ?#"), Value::Integer(*one)),
        several => {
            // Store ids are integers, so inlining them is safe (as the ratings below).
            let list: Vec<String> = several.iter().map(i64::to_string).collect();
            p.conds
                .push(format!("{table_walk}r.shop IN ({})", list.join(",")));
        }
    }
    match filter.view {
        ReviewView::Active => p.push(format!("{table_walk}r.gone = ?#"), Value::Integer(0)),
        // Written out, not bound: the partial index `reviews_shop_deleted` is only used for a
        // query that states its condition (`gone = 1`).
        ReviewView::Deleted => p.conds.push("r.gone = 1".to_owned()),
        ReviewView::All => {}
    }
    let plus = if hints { "+" } else { "" };
    // Reached with a product or stars only beside a triage state or the deleted view (whose
    // partial index is walked).
    if let Some(product) = &filter.product_id {
        p.push(
            format!("{plus}r.product_id = ?#"),
            Value::Text(product.0.clone()),
        );
    }
    match single_rating {
        Some(s) => p.push(format!("{plus}r.rating = ?#"), Value::Integer(i64::from(s))),
        None if !filter.ratings.is_empty() => {
            let list: Vec<String> = filter.ratings.iter().map(|r| r.to_string()).collect();
            // Ratings are u8, so inlining them is safe and keeps one statement per set.
            p.conds
                .push(format!("{plus}r.rating IN ({})", list.join(",")));
        }
        None => {}
    }
    if let Some(triage) = filter.triage {
        p.push(
            format!("{}r.triage = ?#", h("triage")),
            Value::Text(triage.as_str().to_owned()),
        );
        if indexed == "triage" {
            // The condition of the partial index `reviews_shop_gone_triaged`, stated so SQLite
            // may use it.
            p.conds.push("r.triage <> 'new'".to_owned());
        }
    }
    if let Some(source) = &filter.source {
        p.push(format!("{plus}r.source = ?#"), Value::Text(source.clone()));
    }
    if let Some(b) = filter.has_image {
        p.push(format!("{plus}r.has_image = ?#"), bool_value(b));
    }
    if let Some(b) = filter.has_video {
        p.push(format!("{plus}r.has_video = ?#"), bool_value(b));
    }
    if let Some(b) = filter.verified {
        p.push(format!("{plus}r.is_verified = ?#"), bool_value(b));
    }
    provider_filters(&mut p, filter, plus);
    date_range(&mut p, filter);
    p
}

/// Language, reply and report: Trustpilot's own filters, checked on the review's row (columns
/// of schema V14, no index nor facet token). Choice: a Trustpilot account holds tens of
/// thousands of reviews, where checking a walk's rows is a few milliseconds, and adding facet
/// tokens would re-index every stored review. Whether any was added.
fn provider_filters(p: &mut Plan, filter: &ReviewFilter, plus: &str) -> bool {
    let before = p.conds.len();
    if let Some(language) = &filter.language {
        p.push(
            format!("{plus}r.language = ?#"),
            Value::Text(language.clone()),
        );
    }
    match filter.replied {
        Some(true) => p
            .conds
            .push(format!("{plus}coalesce(r.reply_content, '') <> ''")),
        Some(false) => p
            .conds
            .push(format!("{plus}coalesce(r.reply_content, '') = ''")),
        None => {}
    }
    match filter.reported {
        Some(true) => p
            .conds
            .push(format!("{plus}coalesce(r.report_status, '') = 'reported'")),
        Some(false) => p
            .conds
            .push(format!("{plus}coalesce(r.report_status, '') <> 'reported'")),
        None => {}
    }
    p.conds.len() > before
}

/// Keys descend with time: "at or after `from`" is "key below the bound of `from`", "before
/// `to`" is "key at or above the bound of `to`".
fn date_range(p: &mut Plan, filter: &ReviewFilter) {
    if let Some(from) = filter.commented_from {
        p.push(
            format!("{} < ?#", p.key),
            Value::Integer(key_bound_at_or_after(from)),
        );
    }
    if let Some(to) = filter.commented_to {
        p.push(
            format!("{} >= ?#", p.key),
            Value::Integer(key_bound_at_or_after(to)),
        );
    }
}

/// Direction and starting point of one key-ordered walk.
#[derive(Clone, Copy)]
struct Walk {
    /// Newest first, which is ascending key order.
    newest_first: bool,
    /// Only keys strictly beyond this one (keyset pagination).
    after_key: Option<i64>,
    offset: u64,
    /// `None`: no limit (exports).
    limit: Option<u64>,
}

/// What a page or an export walks: one shop's filtered reviews in one sort order, from a
/// cursor or an offset, up to a limit. Grouped so the walkers take one argument, not eight.
#[derive(Clone, Copy)]
struct Listing<'a> {
    search: Search<'a>,
    sort: ReviewSort,
    /// Start strictly after this row (keyset pagination); `offset` is ignored then.
    after: Option<ReviewCursor>,
    offset: u64,
    /// `None`: every row (exports).
    limit: Option<u64>,
}

/// The stars a rating sort walks, in order, restricted to the filter's ratings.
fn star_order(sort: ReviewSort, filter: &ReviewFilter) -> Vec<u8> {
    let all: Vec<u8> = match sort {
        ReviewSort::RatingLow => vec![1, 2, 3, 4, 5],
        _ => vec![5, 4, 3, 2, 1],
    };
    all.into_iter()
        .filter(|s| filter.ratings.is_empty() || filter.ratings.contains(s))
        .collect()
}

impl Store {
    fn walk(
        &self,
        search: &Search<'_>,
        star: Option<u8>,
        walk: Walk,
        sink: &mut dyn FnMut(ReviewRow) -> Result<()>,
    ) -> Result<u64> {
        let mut p = plan(search, star, true, walk.limit.is_none());
        if let Some(after) = walk.after_key {
            let op = if walk.newest_first { ">" } else { "<" };
            p.push(format!("{} {op} ?#", p.key), Value::Integer(after));
        }
        let limit = walk
            .limit
            .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let offset = i64::try_from(walk.offset).unwrap_or(i64::MAX);
        let n = p.params.len();
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM {} WHERE {} ORDER BY {} {} LIMIT ?{} OFFSET ?{}",
            p.from,
            p.where_clause(),
            p.key,
            if walk.newest_first { "ASC" } else { "DESC" },
            n + 1,
            n + 2
        );
        p.params.push(Value::Integer(limit));
        p.params.push(Value::Integer(offset));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(p.params.iter()))?;
        let mut count = 0;
        while let Some(row) = rows.next()? {
            sink(review_row(row)?)?;
            count += 1;
        }
        Ok(count)
    }

    /// Counts rows of `filter` (restricted to `star`, beyond `after_key`), stopping at `cap`.
    fn count_capped(
        &self,
        search: &Search<'_>,
        star: Option<u8>,
        after_key: Option<i64>,
        cap: Option<u64>,
        hints: bool,
    ) -> Result<u64> {
        let mut p = plan(search, star, hints, cap.is_none());
        if let Some(after) = after_key {
            // Only rating sorts count past a cursor, and they walk newest first.
            p.push(format!("{} > ?#", p.key), Value::Integer(after));
        }
        let inner = format!("SELECT 1 FROM {} WHERE {}", p.count_from, p.where_clause());
        let sql = match cap {
            Some(cap) => {
                p.params
                    .push(Value::Integer(i64::try_from(cap).unwrap_or(i64::MAX)));
                format!("SELECT count(*) FROM ({inner} LIMIT ?{})", p.params.len())
            }
            None => format!("SELECT count(*) FROM ({inner})"),
        };
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(p.params.iter()), |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Walks the rows of a listing in its sort order, skipping `offset` (or starting after the
    /// cursor) and stopping after `limit` rows (`None`: all).
    fn walk_sorted(
        &self,
        listing: &Listing<'_>,
        sink: &mut dyn FnMut(ReviewRow) -> Result<()>,
    ) -> Result<u64> {
        let Listing {
            search,
            sort,
            after,
            offset,
            limit,
        } = *listing;
        let filter = search.filter;
        match sort {
            ReviewSort::Newest | ReviewSort::Oldest => {
                let walk = Walk {
                    newest_first: sort == ReviewSort::Newest,
                    after_key: after.map(|c| c.key),
                    offset: if after.is_some() { 0 } else { offset },
                    limit,
                };
                self.walk(&search, None, walk, sink)
            }
            ReviewSort::RatingHigh | ReviewSort::RatingLow => {
                let mut remaining_offset = if after.is_some() { 0 } else { offset };
                let mut done = 0u64;
                let mut started = after.is_none();
                for star in star_order(sort, filter) {
                    let mut after_key = None;
                    if let Some(c) = after {
                        if !started {
                            if star != c.rating {
                                continue;
                            }
                            started = true;
                            after_key = Some(c.key);
                        }
                    }
                    let want = match limit {
                        Some(l) if done >= l => break,
                        Some(l) => Some(l - done),
                        None => None,
                    };
                    if remaining_offset > 0 {
                        let here = self.count_capped(
                            &search,
                            Some(star),
                            after_key,
                            Some(remaining_offset),
                            true,
                        )?;
                        if here < remaining_offset {
                            remaining_offset -= here;
                            continue;
                        }
                    }
                    let walk = Walk {
                        newest_first: true,
                        after_key,
                        offset: remaining_offset,
                        limit: want,
                    };
                    remaining_offset = 0;
                    done += self.walk(&search, Some(star), walk, sink)?;
                }
                Ok(done)
            }
        }
    }

    /// Prepares a filter's keyword for [`fts_query`]: its terms, the estimated frequency of
    /// every facet token it may use, and whether the accounts are every account in the store.
    fn keyword(&self, shop_ids: &[i64], filter: &ReviewFilter) -> Result<Keyword> {
        let (terms, exhaustive_terms) = self.match_terms(filter.keyword.as_deref())?;
        let shops: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM shops")?
            .query_row([], |r| r.get(0))?;
        let every_shop = usize::try_from(shops).is_ok_and(|n| n == shop_ids.len());
        let mut facet_docs = HashMap::new();
        // Facet counts order the parts of an FTS5 query: one with search words, or a walk of
        // the facet tokens (a product, a star rating, a shop sharing the store; see `plan`).
        if !terms.is_empty()
            || !every_shop
            || names_product_or_stars(filter, None)
            || filter.tag.is_some()
        {
            for token in facet_tokens(shop_ids, filter) {
                let n = self.term_docs(&token)?;
                facet_docs.insert(token, n);
            }
        }
        Ok(Keyword {
            terms,
            exhaustive_terms,
            facet_docs,
            every_shop,
        })
    }

    /// Estimated number of reviews holding `term` (`search_terms.docs`: counted when reviews
    /// are written, never decreased, so only good for ordering), 0 when unknown.
    fn term_docs(&self, term: &str) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached("SELECT docs FROM search_terms WHERE term = ?1")?
            .query_row([term.to_lowercase()], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    /// The FTS5 terms of a search with their estimated frequency: each word quoted, and the
    /// last word (a prefix while the user types, one letter too) replaced by the OR of the
    /// exact terms in `search_terms` that start with it. Two lists: for walks that stop early
    /// (a page, a capped count) and for walks to the end ([`Keyword::exhaustive_terms`]).
    ///
    /// Same matches as the prefix term `"thi"*`, because `search_terms` holds every indexed term,
    /// but FTS5 streams an OR of terms in rowid order and stops at the page limit, where a prefix
    /// term first merges the posting lists of all its terms (most of the index for "thi"). The
    /// lookup compares bytes, so it is only used for ASCII words, whose folding is plain
    /// lowercase; other words, and prefixes with more terms than [`MAX_STREAMED_PREFIX_TERMS`]
    /// (or [`MAX_PREFIX_TERMS`] for walks to the end), stay prefix terms.
    #[allow(clippy::type_complexity)]
    fn match_terms(
        &self,
        keyword: Option<&str>,
    ) -> Result<(Vec<(String, i64)>, Vec<(String, i64)>)> {
        let Some(keyword) = keyword else {
            return Ok((Vec::new(), Vec::new()));
        };
        let (mut streamed, mut exhaustive) = (Vec::new(), Vec::new());
        for word in index_tokens(search_words(keyword))? {
            if !word.prefix {
                let term = (quoted(&word.text), self.term_docs(&word.text)?);
                streamed.push(term.clone());
                exhaustive.push(term);
                continue;
            }
            // Unknown frequency: assume common, so that known rarer parts lead.
            let prefix_term = (format!("{}*", quoted(&word.text)), i64::MAX / 4);
            let terms = if word.text.is_ascii() {
                self.terms_starting_with(&word.text.to_ascii_lowercase())?
            } else {
                Vec::new()
            };
            let or_group = || {
                (
                    format!(
                        "({})",
                        terms
                            .iter()
                            .map(|(t, _)| quoted(t))
                            .collect::<Vec<_>>()
                            .join(" OR ")
                    ),
                    terms.iter().map(|(_, n)| n).sum(),
                )
            };
            let n = i64::try_from(terms.len()).unwrap_or(i64::MAX);
            let expanded = |max: i64| {
                if (1..=max).contains(&n) {
                    or_group()
                } else {
                    prefix_term.clone()
                }
            };
            streamed.push(expanded(MAX_STREAMED_PREFIX_TERMS));
            exhaustive.push(expanded(MAX_PREFIX_TERMS));
        }
        Ok((streamed, exhaustive))
    }

    /// The terms of `search_terms` starting with `low` (ASCII letters and digits, lowercase)
    /// with their estimated frequency, at most [`MAX_STREAMED_PREFIX_TERMS`] + 1 of them (one
    /// more says "too many").
    fn terms_starting_with(&self, low: &str) -> Result<Vec<(String, i64)>> {
        // Every term starting with `low` sorts in [low, low with its last byte + 1): the word
        // is ASCII letters and digits, so the last byte is below 0x7f.
        let mut high = low.as_bytes().to_vec();
        if let Some(last) = high.last_mut() {
            *last += 1;
        }
        let high = String::from_utf8(high).unwrap_or_default();
        Ok(self
            .conn
            .prepare_cached(
                "SELECT term, docs FROM search_terms WHERE term >= ?1 AND term < ?2 LIMIT ?3",
            )?
            .query_map(
                rusqlite::params![low, high, MAX_STREAMED_PREFIX_TERMS + 1],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// One page of the shop's reviews for the list view, with a (capped) total and the cursor
    /// of the next page.
    pub fn query_reviews(&self, account: &AccountKey, query: &ReviewQuery) -> Result<ReviewPage> {
        self.query_reviews_across(std::slice::from_ref(account), query)
    }

    /// One page of the reviews of several accounts together (the All accounts view): the same
    /// filters, search, sorts, keyset cursor and capped total as [`Store::query_reviews`], in
    /// one walk, because a review's key orders it by time across every account. Each row says
    /// its account; accounts with no data here add nothing.
    pub fn query_reviews_across(
        &self,
        accounts: &[AccountKey],
        query: &ReviewQuery,
    ) -> Result<ReviewPage> {
        let shop_ids = self.account_ids(accounts)?;
        if shop_ids.is_empty() {
            return Ok(ReviewPage {
                rows: Vec::new(),
                total: 0,
                total_exact: true,
                next: None,
            });
        }
        let limit = u64::from(query.limit.min(MAX_PAGE));
        let keyword = self.keyword(&shop_ids, &query.filter)?;
        let search = Search {
            shop_ids: &shop_ids,
            filter: &query.filter,
            keyword: &keyword,
        };
        let mut rows = Vec::new();
        if limit > 0 {
            let listing = Listing {
                search,
                sort: query.sort,
                after: query.after,
                offset: u64::from(query.offset),
                limit: Some(limit),
            };
            self.walk_sorted(&listing, &mut |row| {
                rows.push(row);
                Ok(())
            })?;
        }
        let (total, total_exact) = self.total(&search, query.count_limit)?;
        let next = if limit > 0 && rows.len() as u64 == limit {
            rows.last().map(|r| r.cursor)
        } else {
            None
        };
        Ok(ReviewPage {
            rows,
            total,
            total_exact,
            next,
        })
    }

    /// How many reviews of each account match `filter`, capped at `count_limit` as a page's
    /// total is: the All accounts view's account chips. In the order given.
    pub fn count_reviews_by_account(
        &self,
        accounts: &[AccountKey],
        filter: &ReviewFilter,
        count_limit: Option<u32>,
    ) -> Result<Vec<AccountCount>> {
        let mut out = Vec::with_capacity(accounts.len());
        for account in accounts {
            let (total, total_exact) = match self.account_id(account)? {
                None => (0, true),
                Some(id) => {
                    let shop_ids = [id];
                    let keyword = self.keyword(&shop_ids, filter)?;
                    let search = Search {
                        shop_ids: &shop_ids,
                        filter,
                        keyword: &keyword,
                    };
                    self.total(&search, count_limit)?
                }
            };
            out.push(AccountCount {
                account: account.clone(),
                total,
                total_exact,
            });
        }
        Ok(out)
    }

    /// A listing's total, counted up to `count_limit` (`Some(0)`: not counted), and whether it
    /// is exact.
    fn total(&self, search: &Search<'_>, count_limit: Option<u32>) -> Result<(u64, bool)> {
        Ok(match count_limit {
            Some(0) => (0, false),
            Some(cap) => {
                let cap = u64::from(cap);
                let n = self.count_capped(search, None, None, Some(cap + 1), false)?;
                (n.min(cap), n <= cap)
            }
            None => (self.count_capped(search, None, None, None, false)?, true),
        })
    }

    /// The store ids of the accounts that have data here, each once.
    fn account_ids(&self, accounts: &[AccountKey]) -> Result<Vec<i64>> {
        let mut ids = Vec::with_capacity(accounts.len());
        for account in accounts {
            if let Some(id) = self.account_id(account)? {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        Ok(ids)
    }

    /// Counts the reviews matching `filter` exactly (for a "N reviews" badge computed after the
    /// page is shown).
    pub fn count_reviews(&self, account: &AccountKey, filter: &ReviewFilter) -> Result<u64> {
        match self.account_id(account)? {
            None => Ok(0),
            Some(shop_id) => {
                let shop_ids = [shop_id];
                let keyword = self.keyword(&shop_ids, filter)?;
                let search = Search {
                    shop_ids: &shop_ids,
                    filter,
                    keyword: &keyword,
                };
                self.count_capped(&search, None, None, None, false)
            }
        }
    }

    /// Writes every review matching `filter`, in `sort` order, as CSV to `out`, one row at a
    /// time (a million rows never sit in memory). Returns the number of data rows written.
    /// See [`crate::write_csv_cell`] for quoting and the formula-injection guard.
    pub fn export_csv(
        &self,
        account: &AccountKey,
        filter: &ReviewFilter,
        sort: ReviewSort,
        out: &mut dyn Write,
    ) -> Result<u64> {
        crate::csv::write_header(out)?;
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(0);
        };
        let mut line = String::new();
        let shop_ids = [shop_id];
        let keyword = self.keyword(&shop_ids, filter)?;
        let listing = Listing {
            search: Search {
                shop_ids: &shop_ids,
                filter,
                keyword: &keyword,
            },
            sort,
            after: None,
            offset: 0,
            limit: None,
        };
        self.walk_sorted(&listing, &mut |row| {
            line.clear();
            crate::csv::format_row(&row, &mut line);
            out.write_all(line.as_bytes())?;
            Ok(())
        })
    }

    /// The query plan SQLite picks for a page query, for tests and diagnosis.
    #[doc(hidden)]
    pub fn explain_page_query(&self, account: &AccountKey, query: &ReviewQuery) -> Result<String> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(String::new());
        };
        let star = match query.sort {
            ReviewSort::RatingHigh | ReviewSort::RatingLow => {
                star_order(query.sort, &query.filter).first().copied()
            }
            _ => None,
        };
        let shop_ids = [shop_id];
        let keyword = self.keyword(&shop_ids, &query.filter)?;
        let search = Search {
            shop_ids: &shop_ids,
            filter: &query.filter,
            keyword: &keyword,
        };
        let p = plan(&search, star, true, false);
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT {ROW_COLUMNS} FROM {} WHERE {} ORDER BY {} {} LIMIT 50",
            p.from,
            p.where_clause(),
            p.key,
            if query.sort == ReviewSort::Oldest {
                "DESC"
            } else {
                "ASC"
            }
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let lines = stmt
            .query_map(rusqlite::params_from_iter(p.params.iter()), |r| {
                r.get::<_, String>(3)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(lines.join("\n"))
    }
}
