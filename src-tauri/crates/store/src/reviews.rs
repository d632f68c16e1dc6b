//! Reviews: batched upserts from the server, local triage, local deletion, star summaries.

use std::collections::HashMap;

use reviewdesk_core::{
    ActionKind, Media, RatingSummary, Review, ReviewCursor, ReviewFilter, ReviewId, ReviewReply,
    ReviewRow, TriageState,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::fts::{facets_are_active, Facets, TermCounter};
use crate::products::ProductCounts;
use crate::sources::SourceCounts;
use crate::{now, queue::NewAction, Result, Store, StoreError};

/// Bits of the rowid below the `commented_at` seconds: up to 16 M reviews per second.
pub(crate) const SEQ_BITS: u32 = 24;
const SEQ_MASK: i64 = (1 << SEQ_BITS) - 1;
/// Largest `commented_at` that fits the key (year ~19 400); larger or negative values are clamped.
const MAX_KEY_SECONDS: i64 = (1 << (62 - SEQ_BITS)) - 1;

/// First rowid of reviews written at `commented_at`.
///
/// Keys *descend* with time (`(MAX - commented_at) << 24 | seq`): newer reviews get smaller
/// rowids, so a newest-first sync appends in ascending rowid order (dense B-tree pages, and FTS5
/// keeps its pending segment in memory, as it flushes whenever a rowid goes down) and ascending
/// rowid order, the natural order of every index and of FTS5, is "newest first".
pub(crate) fn key_base(commented_at: i64) -> i64 {
    (MAX_KEY_SECONDS - commented_at.clamp(0, MAX_KEY_SECONDS)) << SEQ_BITS
}

/// Every review written at or after second `commented_at` has a key below this bound (and every
/// older one a key at or above it), which turns date filters into rowid ranges.
pub(crate) fn key_bound_at_or_after(commented_at: i64) -> i64 {
    key_base(commented_at).saturating_add(SEQ_MASK + 1)
}

/// What one [`Store::upsert_reviews`] batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct UpsertStats {
    /// Reviews not seen before.
    pub inserted: usize,
    /// Reviews already stored (their server fields were refreshed).
    pub updated: usize,
}

/// Columns selected for a [`ReviewRow`], in the order [`review_row`] reads them.
pub(crate) const ROW_COLUMNS: &str = "r.rid, r.id, r.product_id, r.product_title, \
    r.product_handle, r.is_store_review, r.rating, r.author, r.author_email, r.author_country, \
    r.title, r.content, r.source, r.is_verified, r.is_featured, r.is_published, r.is_pinned, \
    r.item_type, r.order_id, r.commented_at, r.updated_at, r.media_json, r.reply_content, \
    r.reply_at, r.triage, r.deleted_at, r.deleted_remotely_at";

fn conversion_error(index: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        index,
        rusqlite::types::Type::Text,
        Box::new(StoreError::Corrupt(message)),
    )
}

/// Decodes one row selected with [`ROW_COLUMNS`].
pub(crate) fn review_row(row: &Row<'_>) -> rusqlite::Result<ReviewRow> {
    let rid: i64 = row.get(0)?;
    let rating: i64 = row.get(6)?;
    let rating =
        u8::try_from(rating).map_err(|_| conversion_error(6, format!("rating {rating}")))?;
    let media_json: String = row.get(21)?;
    let media: Vec<Media> = serde_json::from_str(&media_json)
        .map_err(|e| conversion_error(21, format!("media json: {e}")))?;
    let reply_content: Option<String> = row.get(22)?;
    let reply_at: Option<String> = row.get(23)?;
    let triage_text: String = row.get(24)?;
    let triage = TriageState::parse(&triage_text)
        .ok_or_else(|| conversion_error(24, format!("triage {triage_text}")))?;
    let review = Review {
        id: ReviewId(row.get(1)?),
        product_id: reviewdesk_core::ProductId(row.get(2)?),
        product_title: row.get(3)?,
        product_handle: row.get(4)?,
        is_store_review: row.get(5)?,
        rating,
        author: row.get(7)?,
        author_email: row.get(8)?,
        author_country: row.get(9)?,
        title: row.get(10)?,
        content: row.get(11)?,
        source: row.get(12)?,
        is_verified: row.get(13)?,
        is_featured: row.get(14)?,
        is_published: row.get(15)?,
        is_pinned: row.get(16)?,
        item_type: row.get(17)?,
        order_id: row.get(18)?,
        commented_at: row.get(19)?,
        updated_at: row.get(20)?,
        media,
        reply: reply_content.map(|content| ReviewReply {
            content,
            reply_at: reply_at.unwrap_or_default(),
        }),
    };
    Ok(ReviewRow {
        review,
        triage,
        deleted_at: row.get(25)?,
        deleted_remotely_at: row.get(26)?,
        cursor: ReviewCursor { rating, key: rid },
    })
}

/// The stored state of a review that an upsert needs.
struct Existing {
    rid: i64,
    commented_at: i64,
    /// author, title, content, product_title, facets as indexed.
    text: [String; 5],
    triage: String,
    deleted_locally: bool,
    product_id: String,
    /// Its source as stored (for the source counts when it changes).
    source: String,
}

/// One pending change to the FTS index.
struct FtsOp<'r> {
    rid: i64,
    delete: bool,
    /// author, title, content, product_title, facets: borrowed from the batch for a new entry
    /// (no copy of the review text per row), owned as stored for a delete.
    text: FtsText<'r>,
}

enum FtsText<'r> {
    New(&'r Review, String),
    Old([String; 5]),
}

impl FtsText<'_> {
    fn columns(&self) -> [&str; 5] {
        match self {
            FtsText::New(r, facets) => {
                let [author, title, content, product_title] = review_texts(r);
                [author, title, content, product_title, facets]
            }
            FtsText::Old(text) => text.each_ref().map(String::as_str),
        }
    }

    /// The facets column (the last of [`FtsText::columns`]).
    fn facets(&self) -> &str {
        match self {
            FtsText::New(_, facets) => facets,
            FtsText::Old([.., facets]) => facets,
        }
    }
}

/// Adds (or, with `delete`, removes) the FTS entry of one row; `text` holds the indexed columns
/// author, title, content, product_title, facets (for a delete: exactly as indexed).
fn fts_write<S: AsRef<str>>(
    conn: &Connection,
    rid: i64,
    delete: bool,
    text: &[S; 5],
) -> Result<()> {
    let [a, t, c, p, f] = text.each_ref().map(AsRef::as_ref);
    if delete {
        conn.prepare_cached(
            "INSERT INTO reviews_fts (reviews_fts, rowid, author, title, content, product_title, \
             facets) VALUES ('delete', ?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![rid, a, t, c, p, f])?;
    } else {
        conn.prepare_cached(
            "INSERT INTO reviews_fts (rowid, author, title, content, product_title, facets) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![rid, a, t, c, p, f])?;
    }
    Ok(())
}

/// Indexes a batch's FTS entries with one `INSERT … SELECT` over the rows just written, when
/// the batch only inserted reviews (a first sync's batches, and most of a full pass's over an
/// older store); returns whether it did. Otherwise the caller writes the entries one by one.
///
/// Why: writing an entry per review binds its four texts and facets a second time (SQLite
/// copies every bound text) and runs one statement per review. The single statement walks the
/// key range of the new rows in the pages the batch has just written, in rowid order (the
/// order FTS5 wants, or it flushes its buffer), skipping the rows that were stored there
/// before the batch (`keys` found them when it scanned the batch's span).
fn index_new_rows_at_once(
    conn: &Connection,
    fts_ops: &[FtsOp<'_>],
    updated: usize,
    keys: &mut KeyAllocator,
) -> Result<bool> {
    if updated > 0 || fts_ops.is_empty() || fts_ops.iter().any(|op| op.delete) {
        return Ok(false);
    }
    let lowest = fts_ops.iter().map(|op| op.rid).min().unwrap_or(0);
    let highest = fts_ops.iter().map(|op| op.rid).max().unwrap_or(0);
    let stored: rusqlite::vtab::array::Array = std::rc::Rc::new(
        keys.stored_before(conn)?
            .iter()
            .filter(|rid| (lowest..=highest).contains(*rid))
            .map(|&rid| rusqlite::types::Value::Integer(rid))
            .collect(),
    );
    let indexed = conn
        .prepare_cached(
            "INSERT INTO reviews_fts (rowid, author, title, content, product_title, facets) \
             SELECT rid, author, title, content, product_title, facets FROM reviews \
             WHERE rid BETWEEN ?1 AND ?2 AND rid NOT IN rarray(?3) ORDER BY rid",
        )?
        .execute(params![lowest, highest, stored])?;
    // Every row in the range is new unless it was stored before: anything else means the store
    // changed under the batch, and the transaction is abandoned.
    if indexed != fts_ops.len() {
        return Err(StoreError::Corrupt(format!(
            "indexed {indexed} of {} new reviews",
            fts_ops.len()
        )));
    }
    Ok(true)
}

/// Recomputes the facets of one review after a change of local state (triage, deletion) and
/// re-indexes its FTS entry when they changed. Call inside the transaction of the change.
pub(crate) fn refresh_facets(conn: &Connection, rid: i64) -> Result<()> {
    let row = conn
        .prepare_cached(
            "SELECT author, title, content, product_title, facets, shop, gone, product_id, \
             rating, has_image, has_video, is_verified, source, triage FROM reviews WHERE rid = ?1",
        )?
        .query_row([rid], |r| {
            Ok((
                [
                    r.get::<_, String>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ],
                (
                    r.get::<_, i64>(5)?,
                    r.get::<_, bool>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, i64>(8)?,
                    r.get::<_, bool>(9)?,
                    r.get::<_, bool>(10)?,
                    r.get::<_, bool>(11)?,
                    r.get::<_, String>(12)?,
                    r.get::<_, String>(13)?,
                ),
            ))
        })
        .optional()?;
    let Some((
        old,
        (shop_id, gone, product_id, rating, has_image, has_video, verified, source, triage),
    )) = row
    else {
        return Ok(());
    };
    let facets = Facets {
        shop_id,
        gone,
        product_id: &product_id,
        rating,
        has_image,
        has_video,
        verified,
        source: &source,
        triage: &triage,
    }
    .text();
    if facets == old[4] {
        return Ok(());
    }
    // Every change of a review's deleted state comes through here: its view token tells
    // whether it was counted as active for its product and its source.
    if facets_are_active(&old[4]) == gone {
        let delta = if gone { -1 } else { 1 };
        let mut counts = ProductCounts::default();
        counts.add(&product_id, delta, None);
        counts.write(conn, shop_id)?;
        let mut sources = SourceCounts::default();
        sources.add(&source, delta);
        sources.write(conn, shop_id)?;
    }
    fts_write(conn, rid, true, &old)?;
    conn.prepare_cached("UPDATE reviews SET facets = ?2 WHERE rid = ?1")?
        .execute(params![rid, facets])?;
    // Count the new facet tokens (e.g. the first "flagged"), so searches can order them.
    index_terms(conn, std::iter::once(facets.as_str()))?;
    let [a, t, c, p, _] = old;
    fts_write(conn, rid, false, &[a, t, c, p, facets])?;
    Ok(())
}

/// Adds the search terms of `texts` (indexed columns of new or changed rows) to `search_terms`,
/// which must always hold every term of the FTS index (prefix search relies on it), and counts
/// them (`docs`, an estimate for ordering a search's parts). Call in the write transaction.
pub(crate) fn index_terms<'a>(
    conn: &Connection,
    texts: impl Iterator<Item = &'a str>,
) -> Result<()> {
    write_terms(conn, &count_terms(texts))
}

/// The terms of `texts`, each distinct text split once (product titles, facets and many authors
/// and titles repeat within a batch). [`TermCounter`] splits the text and counts the ASCII
/// terms; pieces with other characters are kept for [`write_terms`].
fn count_terms<'a>(texts: impl Iterator<Item = &'a str>) -> TermCounter<'a> {
    let mut terms = TermCounter::default();
    add_terms(&mut terms, texts);
    terms
}

/// Adds the terms of `texts` to `terms`, as [`count_terms`] counts them.
fn add_terms<'a>(terms: &mut TermCounter<'a>, texts: impl Iterator<Item = &'a str>) {
    let mut distinct: HashMap<&str, i64, rustc_hash::FxBuildHasher> = HashMap::default();
    for text in texts {
        *distinct.entry(text).or_insert(0) += 1;
    }
    for (text, times) in distinct {
        terms.add(text, times);
    }
}

/// Adds counted terms to `search_terms`. The pieces with non-ASCII characters go through
/// SQLite's own `unicode61` tokenizer in a per-connection scratch FTS5 table, all in one row,
/// so case folding and diacritic removal are exactly those of the index.
fn write_terms(conn: &Connection, terms: &TermCounter<'_>) -> Result<()> {
    let mut add = conn.prepare_cached(
        "INSERT INTO search_terms (term, docs) VALUES (?1, ?2) \
         ON CONFLICT (term) DO UPDATE SET docs = docs + excluded.docs",
    )?;
    for (term, n) in &terms.ascii {
        add.execute(params![term.as_ref(), n])?;
    }
    if !terms.other.is_empty() {
        // Same tokenizer arguments as `reviews_fts` (schema V1); `detail = full` so the
        // vocabulary's `cnt` counts occurrences within the one row.
        conn.execute_batch(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.term_probe USING fts5(t, content = '', \
             tokenize = 'unicode61 remove_diacritics 2'); \
             CREATE VIRTUAL TABLE IF NOT EXISTS temp.term_probe_vocab \
             USING fts5vocab(temp, term_probe, row);",
        )?;
        conn.prepare_cached("INSERT INTO temp.term_probe (rowid, t) VALUES (1, ?1)")?
            .execute([terms.other.as_str()])?;
        conn.prepare_cached(
            "INSERT INTO search_terms (term, docs) SELECT term, cnt FROM temp.term_probe_vocab \
             WHERE true ON CONFLICT (term) DO UPDATE SET docs = docs + excluded.docs",
        )?
        .execute([])?;
        conn.prepare_cached("INSERT INTO temp.term_probe (term_probe) VALUES ('delete-all')")?
            .execute([])?;
    }
    Ok(())
}

/// Batches of at least this many reviews count their text terms on a second thread (see
/// `Store::upsert_reviews_inner`); smaller ones (an incremental sync's page) are not worth a
/// thread.
const PARALLEL_TERMS_MIN: usize = 500;

/// The four review texts the FTS index holds besides the facets (the facets differ per row
/// state and are counted by the writer).
fn review_texts(r: &Review) -> [&str; 4] {
    [&r.author, &r.title, &r.content, &r.product_title]
}

/// Column values of one review row that are computed, done once per review (an upsert may
/// bind them for an insert attempt and then an update).
struct RowExtras<'r> {
    media_json: String,
    reply_content: Option<&'r str>,
    reply_at: Option<&'r str>,
    has_image: bool,
    has_video: bool,
    synced_at: i64,
}

impl<'r> RowExtras<'r> {
    fn of(r: &'r Review, synced_at: i64) -> Result<Self> {
        Ok(RowExtras {
            media_json: serde_json::to_string(&r.media)?,
            reply_content: r.reply.as_ref().map(|reply| reply.content.as_str()),
            reply_at: r.reply.as_ref().map(|reply| reply.reply_at.as_str()),
            has_image: r.has_image(),
            has_video: r.has_video(),
            synced_at,
        })
    }
}

/// Parameters `?1`…`?29` of the writer's insert and update statements.
#[allow(clippy::ptr_arg)] // `&String`: a `&str` cannot become a `&dyn ToSql` (unsized).
fn row_values<'v>(
    rid: &'v i64,
    shop_id: &'v i64,
    r: &'v Review,
    row: &'v RowExtras<'_>,
    facets: &'v String,
) -> [&'v dyn rusqlite::ToSql; 29] {
    [
        rid,
        shop_id,
        &r.id.0,
        &r.product_id.0,
        &r.product_title,
        &r.product_handle,
        &r.is_store_review,
        &r.rating,
        &r.author,
        &r.author_email,
        &r.author_country,
        &r.title,
        &r.content,
        &r.source,
        &r.is_verified,
        &r.is_featured,
        &r.is_published,
        &r.is_pinned,
        &r.item_type,
        &r.order_id,
        &r.commented_at,
        &r.updated_at,
        &row.media_json,
        &row.reply_content,
        &row.reply_at,
        &row.has_image,
        &row.has_video,
        &row.synced_at,
        facets,
    ]
}

/// The stored state of review `id` of shop `shop_id`, if stored.
fn find_existing(
    find: &mut rusqlite::CachedStatement<'_>,
    shop_id: i64,
    id: &ReviewId,
) -> Result<Option<Existing>> {
    Ok(find
        .query_row(params![shop_id, id.as_str()], |row| {
            Ok(Existing {
                rid: row.get(0)?,
                commented_at: row.get(1)?,
                text: [
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                ],
                triage: row.get(7)?,
                deleted_locally: row.get(8)?,
                product_id: row.get(9)?,
                source: row.get(10)?,
            })
        })
        .optional()?)
}

/// Hands out free rowids for the reviews of one write batch.
///
/// Why not one `max(rid)` probe per review: most reviews are alone in their second, so that was
/// one query per stored review (5 % of a first sync's writer). Instead, the first time a key is
/// needed, one rowid range scan over the batch's time span notes the last key in use for every
/// second; later keys are counted on from there. Reviews of a batch come from consecutive
/// pages, so the span holds about as many stored rows as the batch itself.
struct KeyAllocator {
    /// Key range of the batch's seconds (newest second's base to oldest second's last key).
    span: (i64, i64),
    /// Last key in use per second base; `None` until first needed (one scan of the span).
    last: Option<HashMap<i64, i64>>,
    /// Keys of the rows stored in the span before the batch (found by the same scan).
    stored: Vec<i64>,
}

impl KeyAllocator {
    fn new(reviews: &[Review]) -> Self {
        let newest = reviews.iter().map(|r| r.commented_at).max().unwrap_or(0);
        let oldest = reviews.iter().map(|r| r.commented_at).min().unwrap_or(0);
        KeyAllocator {
            span: (key_base(newest), key_base(oldest) | SEQ_MASK),
            last: None,
            stored: Vec::new(),
        }
    }

    /// Last key in use per second of the batch's span (scanned on first use).
    fn in_use(&mut self, conn: &Connection) -> Result<&mut HashMap<i64, i64>> {
        if self.last.is_none() {
            let mut last = HashMap::new();
            let mut scan =
                conn.prepare_cached("SELECT rid FROM reviews WHERE rid BETWEEN ?1 AND ?2")?;
            let mut rows = scan.query([self.span.0, self.span.1])?;
            while let Some(row) = rows.next()? {
                let rid: i64 = row.get(0)?;
                self.stored.push(rid);
                let slot = last.entry(rid & !SEQ_MASK).or_insert(rid);
                *slot = (*slot).max(rid);
            }
            self.last = Some(last);
        }
        Ok(self.last.get_or_insert_default())
    }

    /// Keys of the rows that were stored in the batch's span before it.
    fn stored_before(&mut self, conn: &Connection) -> Result<&[i64]> {
        self.in_use(conn)?;
        Ok(&self.stored)
    }

    /// Whether a stored review, or one given a key in this batch, has a key in the second of
    /// `commented_at` (inside the batch's span).
    fn second_in_use(&mut self, conn: &Connection, commented_at: i64) -> Result<bool> {
        Ok(self.in_use(conn)?.contains_key(&key_base(commented_at)))
    }

    /// A free key for a review written at `commented_at` (inside the batch's span).
    fn allocate(&mut self, conn: &Connection, commented_at: i64) -> Result<i64> {
        let last = self.in_use(conn)?;
        let base = key_base(commented_at);
        let key = match last.get(&base) {
            None => base,
            Some(&m) if m < (base | SEQ_MASK) => m + 1,
            Some(_) => {
                return Err(StoreError::InvalidInput(format!(
                    "more than {} reviews at second {commented_at}",
                    SEQ_MASK + 1
                )))
            }
        };
        last.insert(base, key);
        Ok(key)
    }
}

impl Store {
    /// Stores a batch of reviews as the server sent them, in one transaction with prepared
    /// statements (call it once per fetched page, or with bigger chunks on a first sync).
    ///
    /// Server fields are overwritten (the server is the truth); local state (triage, local
    /// deletion) is kept. A review previously noticed as gone from the server and now seen again
    /// loses its `deleted_remotely_at` mark. Idempotent: the same batch twice changes nothing.
    pub fn upsert_reviews(&mut self, shop: &str, reviews: &[Review]) -> Result<UpsertStats> {
        self.upsert_reviews_inner(shop, reviews, None)
    }

    /// [`Store::upsert_reviews`] that also says which reviews the store did not know before
    /// (their indexes in `reviews`, ascending).
    ///
    /// Why: the sync reports new reviews, and the upsert looks every review up anyway (a
    /// separate "which are known" query would cost a second index lookup per review on the
    /// single writer thread).
    pub fn upsert_reviews_reporting_new(
        &mut self,
        shop: &str,
        reviews: &[Review],
    ) -> Result<(UpsertStats, Vec<usize>)> {
        let mut inserted = Vec::new();
        let stats = self.upsert_reviews_inner(shop, reviews, Some(&mut inserted))?;
        Ok((stats, inserted))
    }

    fn upsert_reviews_inner(
        &mut self,
        shop: &str,
        reviews: &[Review],
        inserted: Option<&mut Vec<usize>>,
    ) -> Result<UpsertStats> {
        for r in reviews {
            if !(1..=5).contains(&r.rating) {
                return Err(StoreError::InvalidInput(format!(
                    "review {} has rating {}",
                    r.id, r.rating
                )));
            }
        }
        std::thread::scope(|scope| {
            // The text terms of every review of the batch, counted on a second thread while
            // this one writes rows and the FTS index. On a first sync every review is new, so
            // this is exactly what `search_terms` needs, and the writer's own work shrinks by the
            // counting (a tenth of it, measured with callgrind). When some reviews were already
            // stored, the terms are counted from what was really (re)indexed instead.
            let text_terms = (reviews.len() >= PARALLEL_TERMS_MIN)
                .then(|| scope.spawn(|| count_terms(reviews.iter().flat_map(review_texts))));
            self.write_batch(shop, reviews, inserted, text_terms)
        })
    }

    fn write_batch<'scope, 'a>(
        &mut self,
        shop: &str,
        reviews: &'a [Review],
        mut inserted: Option<&mut Vec<usize>>,
        text_terms: Option<std::thread::ScopedJoinHandle<'scope, TermCounter<'a>>>,
    ) -> Result<UpsertStats> {
        let synced_at = now();
        let tx = self.conn.transaction()?;
        let shop_id = Store::ensure_shop(&tx, shop)?;
        let mut stats = UpsertStats::default();
        {
            let mut find = tx.prepare_cached(
                "SELECT rid, commented_at, author, title, content, product_title, facets, \
                 triage, deleted_at IS NOT NULL, product_id, source FROM reviews \
                 WHERE shop = ?1 AND id = ?2",
            )?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO reviews (rid, shop, id, product_id, product_title, product_handle, \
                 is_store_review, rating, author, author_email, author_country, title, content, \
                 source, is_verified, is_featured, is_published, is_pinned, item_type, order_id, \
                 commented_at, updated_at, media_json, reply_content, reply_at, has_image, \
                 has_video, synced_at, facets) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, \
                 ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, \
                 ?27, ?28, ?29) ON CONFLICT (shop, id) DO NOTHING",
            )?;
            let mut update = tx.prepare_cached(
                "UPDATE reviews SET rid = ?1, product_id = ?4, product_title = ?5, \
                 product_handle = ?6, is_store_review = ?7, rating = ?8, author = ?9, \
                 author_email = ?10, author_country = ?11, title = ?12, content = ?13, \
                 source = ?14, is_verified = ?15, is_featured = ?16, is_published = ?17, \
                 is_pinned = ?18, item_type = ?19, order_id = ?20, commented_at = ?21, \
                 updated_at = ?22, media_json = ?23, reply_content = ?24, reply_at = ?25, \
                 has_image = ?26, has_video = ?27, synced_at = ?28, facets = ?29, \
                 deleted_remotely_at = NULL WHERE rid = ?30 AND shop = ?2 AND id = ?3",
            )?;
            let mut fts_ops: Vec<FtsOp> = Vec::with_capacity(reviews.len());
            let mut products = ProductCounts::default();
            let mut sources = SourceCounts::default();
            let mut keys = KeyAllocator::new(reviews);
            for (index, r) in reviews.iter().enumerate() {
                let row = RowExtras::of(r, synced_at)?;
                let facets_of = |existing: Option<&Existing>| {
                    Facets {
                        shop_id,
                        // Seen on the server again: only a local deletion keeps it out of the
                        // list.
                        gone: existing.is_some_and(|e| e.deleted_locally),
                        product_id: r.product_id.as_str(),
                        rating: i64::from(r.rating),
                        has_image: row.has_image,
                        has_video: row.has_video,
                        verified: r.is_verified,
                        source: &r.source,
                        triage: existing.map_or(TriageState::New.as_str(), |e| e.triage.as_str()),
                    }
                    .text()
                };
                // A review is looked up before its write only when a stored review (or one of
                // this batch) has a key in its second, which a stored copy of it with the same
                // date would. Otherwise it is inserted straight away and looked up only if the
                // insert finds it stored after all (its date changed). A first sync's reviews
                // are all new, and the insert checks the `(shop, id)` index anyway: the lookup
                // before it was 6 % of the writer (callgrind), while a full pass over stored
                // reviews still looks each one up once and never attempts an insert.
                let mut existing = if keys.second_in_use(&tx, r.commented_at)? {
                    find_existing(&mut find, shop_id, &r.id)?
                } else {
                    None
                };
                let mut fresh_key = None;
                if existing.is_none() {
                    let key = keys.allocate(&tx, r.commented_at)?;
                    let facets = facets_of(None);
                    if insert.execute(row_values(&key, &shop_id, r, &row, &facets))? == 1 {
                        fts_ops.push(FtsOp {
                            rid: key,
                            delete: false,
                            text: FtsText::New(r, facets),
                        });
                        stats.inserted += 1;
                        products.add(r.product_id.as_str(), 1, Some(&r.product_title));
                        sources.add(&r.source, 1);
                        if let Some(list) = inserted.as_deref_mut() {
                            list.push(index);
                        }
                        continue;
                    }
                    fresh_key = Some(key);
                    existing = find_existing(&mut find, shop_id, &r.id)?;
                }
                let Some(old) = existing else {
                    return Err(StoreError::Corrupt(format!(
                        "review {} conflicts but is not stored",
                        r.id
                    )));
                };
                let rid = match fresh_key {
                    _ if key_base(old.commented_at) == key_base(r.commented_at) => old.rid,
                    Some(key) => key,
                    None => keys.allocate(&tx, r.commented_at)?,
                };
                let facets = facets_of(Some(&old));
                let mut values: Vec<&dyn rusqlite::ToSql> =
                    row_values(&rid, &shop_id, r, &row, &facets).to_vec();
                values.push(&old.rid);
                update.execute(values.as_slice())?;
                // Active before (its stored view token) and after (only a local deletion keeps
                // a review seen on the server out of the list); the product may have changed.
                if facets_are_active(&old.text[4]) {
                    products.add(&old.product_id, -1, None);
                    sources.add(&old.source, -1);
                }
                let active = !old.deleted_locally;
                sources.add(&r.source, i64::from(active));
                products.add(
                    r.product_id.as_str(),
                    i64::from(active),
                    Some(&r.product_title),
                );
                let new = FtsText::New(r, facets);
                if old.rid != rid || old.text.iter().zip(new.columns()).any(|(a, b)| a != b) {
                    fts_ops.push(FtsOp {
                        rid,
                        delete: false,
                        text: new,
                    });
                    fts_ops.push(FtsOp {
                        rid: old.rid,
                        delete: true,
                        text: FtsText::Old(old.text),
                    });
                }
                stats.updated += 1;
            }
            // Before the FTS5 writes: a statement on another table after them would make FTS5
            // flush its pending segment early.
            products.write(&tx, shop_id)?;
            sources.write(&tx, shop_id)?;
            // FTS5 flushes its in-memory segment whenever a rowid is not above the previous one
            // written in the transaction; applying the index changes in ascending rowid order
            // (delete before insert) keeps one flush per batch instead of one per review. The
            // order is sorted as small keys: sorting the operations themselves (moving them)
            // was 4 % of the writer, the keys 1.4 % (callgrind).
            if !index_new_rows_at_once(&tx, &fts_ops, stats.updated, &mut keys)? {
                let mut order: Vec<(i64, bool, usize)> = fts_ops
                    .iter()
                    .enumerate()
                    .map(|(at, op)| (op.rid, !op.delete, at))
                    .collect();
                order.sort_unstable();
                for op in order.iter().filter_map(|&(_, _, at)| fts_ops.get(at)) {
                    fts_write(&tx, op.rid, op.delete, &op.text.columns())?;
                }
            }
            let indexed = fts_ops.iter().filter(|op| !op.delete);
            let counted = match text_terms {
                // Every review was inserted: its texts are exactly what was indexed.
                Some(handle) if stats.inserted == reviews.len() => handle.join().ok(),
                _ => None,
            };
            // One write of the batch's terms: the texts counted on the second thread plus the
            // facets, or everything (re)indexed, counted here.
            let terms = match counted {
                Some(mut terms) => {
                    add_terms(&mut terms, indexed.map(|op| op.text.facets()));
                    terms
                }
                None => count_terms(indexed.flat_map(|op| op.text.columns())),
            };
            write_terms(&tx, &terms)?;
        }
        tx.commit()?;
        Ok(stats)
    }

    /// One review with its local state, deleted or not.
    pub fn get_review(&self, shop: &str, id: &ReviewId) -> Result<Option<ReviewRow>> {
        let Some(shop_id) = self.shop_id(shop)? else {
            return Ok(None);
        };
        let sql = format!("SELECT {ROW_COLUMNS} FROM reviews r WHERE r.shop = ?1 AND r.id = ?2");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![shop_id, id.as_str()], review_row)
            .optional()?)
    }

    /// Sets the local triage state of reviews and writes one audit entry per changed review.
    /// Unknown ids are ignored; returns how many reviews changed.
    pub fn set_triage(
        &mut self,
        shop: &str,
        ids: &[ReviewId],
        state: TriageState,
        actor: &str,
    ) -> Result<usize> {
        let Some(shop_id) = self.shop_id(shop)? else {
            return Ok(0);
        };
        let at = now();
        let tx = self.conn.transaction()?;
        let mut changed = 0;
        {
            let mut find =
                tx.prepare_cached("SELECT rid, triage FROM reviews WHERE shop = ?1 AND id = ?2")?;
            let mut set = tx.prepare_cached("UPDATE reviews SET triage = ?2 WHERE rid = ?1")?;
            for id in ids {
                let old: Option<(i64, String)> = find
                    .query_row(params![shop_id, id.as_str()], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()?;
                let Some((rid, old)) = old else { continue };
                if old == state.as_str() {
                    continue;
                }
                set.execute(params![rid, state.as_str()])?;
                refresh_facets(&tx, rid)?;
                crate::audit::insert(
                    &tx,
                    shop_id,
                    at,
                    actor,
                    "set_triage",
                    Some(id),
                    &serde_json::json!({ "from": old, "to": state.as_str() }),
                )?;
                changed += 1;
            }
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Deletes a review for the merchant: marks it `deleted_at` (the full copy stays, visible in
    /// the Deleted view), writes the audit entry and queues the server `delete_review` call, all
    /// in one transaction. Returns the queued action's id.
    pub fn delete_review(&mut self, shop: &str, id: &ReviewId, actor: &str) -> Result<i64> {
        let shop_id = self
            .shop_id(shop)?
            .ok_or_else(|| StoreError::NotFound(format!("review {id}")))?;
        let at = now();
        let tx = self.conn.transaction()?;
        let found: Option<(Option<i64>, i64, String, String, i64)> = tx
            .prepare_cached(
                "SELECT deleted_at, rating, author, title, rid FROM reviews \
                 WHERE shop = ?1 AND id = ?2",
            )?
            .query_row(params![shop_id, id.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        let Some((deleted_at, rating, author, title, rid)) = found else {
            return Err(StoreError::NotFound(format!("review {id}")));
        };
        if deleted_at.is_some() {
            return Err(StoreError::AlreadyDeleted(id.to_string()));
        }
        tx.prepare_cached("UPDATE reviews SET deleted_at = ?2 WHERE rid = ?1")?
            .execute(params![rid, at])?;
        refresh_facets(&tx, rid)?;
        crate::audit::insert(
            &tx,
            shop_id,
            at,
            actor,
            "delete_review",
            Some(id),
            &serde_json::json!({ "rating": rating, "author": author, "title": title }),
        )?;
        let action = NewAction {
            kind: ActionKind::DeleteReview,
            payload: serde_json::json!({ "id": id.as_str() }),
            idempotency_key: None,
        };
        let action_id = crate::queue::insert(&tx, shop_id, &action, at)?;
        tx.commit()?;
        Ok(action_id)
    }

    /// Undoes a local deletion (e.g. after the server refused it); audited. Returns false when
    /// the review was not deleted locally.
    pub fn restore_review(&mut self, shop: &str, id: &ReviewId, actor: &str) -> Result<bool> {
        let Some(shop_id) = self.shop_id(shop)? else {
            return Ok(false);
        };
        let at = now();
        let tx = self.conn.transaction()?;
        let rid: Option<i64> = tx
            .prepare_cached(
                "UPDATE reviews SET deleted_at = NULL \
                 WHERE shop = ?1 AND id = ?2 AND deleted_at IS NOT NULL RETURNING rid",
            )?
            .query_row(params![shop_id, id.as_str()], |r| r.get(0))
            .optional()?;
        if let Some(rid) = rid {
            refresh_facets(&tx, rid)?;
            crate::audit::insert(
                &tx,
                shop_id,
                at,
                actor,
                "restore_review",
                Some(id),
                &serde_json::json!({}),
            )?;
        }
        tx.commit()?;
        Ok(rid.is_some())
    }

    /// Star counts of the shop's active reviews, for one product (`"0"`: store reviews) or all,
    /// computed locally so it works offline and matches the list.
    pub fn rating_summary(
        &self,
        shop: &str,
        product: Option<&reviewdesk_core::ProductId>,
    ) -> Result<RatingSummary> {
        // One count per star of its facet tokens in FTS5 (with the product's: schema V7 and V8
        // have no rating or product index), the way the list counts a star filter, so the
        // chart and the list agree.
        let mut stars = [0u64; 5];
        for (star, slot) in (1u8..=5).zip(stars.iter_mut()) {
            let filter = ReviewFilter {
                ratings: vec![star],
                product_id: product.cloned(),
                ..ReviewFilter::default()
            };
            *slot = self.count_reviews(shop, &filter)?;
        }
        Ok(RatingSummary::from_star_counts(stars))
    }
}
