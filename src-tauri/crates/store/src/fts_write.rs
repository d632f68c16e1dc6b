//! The FTS write path of the reviews (beside `fts.rs`, which reads): index entries for new
//! and changed reviews, facets refreshed when a review's state changes, and the search terms
//! counted per batch.

use std::collections::HashMap;

use reviewdesk_core::{Review, ReviewTag};
use rusqlite::{params, Connection, OptionalExtension};

use crate::fts::{facets_are_active, Facets, TermCounter};
use crate::products::ProductCounts;
use crate::ratings::RatingCounts;
use crate::reviews::KeyAllocator;
use crate::sources::SourceCounts;
use crate::tags::TagCounts;
use crate::{Result, StoreError};

/// One pending change to the FTS index.
pub(crate) struct FtsOp<'r> {
    pub(crate) rid: i64,
    pub(crate) delete: bool,
    /// author, title, content, product_title, reply_content, facets: borrowed from the batch
    /// for a new entry
    /// (no copy of the review text per row), owned as stored for a delete.
    pub(crate) text: FtsText<'r>,
}

pub(crate) enum FtsText<'r> {
    New(&'r Review, String),
    Old([String; FTS_COLUMNS]),
}

/// Columns of the FTS index: the review texts of [`review_texts`], then the facets.
pub(crate) const FTS_COLUMNS: usize = 6;

impl FtsText<'_> {
    pub(crate) fn columns(&self) -> [&str; FTS_COLUMNS] {
        match self {
            FtsText::New(r, facets) => {
                let [author, title, content, product_title, reply] = review_texts(r);
                [author, title, content, product_title, reply, facets]
            }
            FtsText::Old(text) => text.each_ref().map(String::as_str),
        }
    }

    /// The facets column (the last of [`FtsText::columns`]).
    pub(crate) fn facets(&self) -> &str {
        match self {
            FtsText::New(_, facets) => facets,
            FtsText::Old([.., facets]) => facets,
        }
    }
}

/// Adds (or, with `delete`, removes) the FTS entry of one row; `text` holds the indexed columns
/// author, title, content, product_title, reply_content, facets (for a delete: exactly as
/// indexed).
pub(crate) fn fts_write<S: AsRef<str>>(
    conn: &Connection,
    rid: i64,
    delete: bool,
    text: &[S; FTS_COLUMNS],
) -> Result<()> {
    let [a, t, c, p, r, f] = text.each_ref().map(AsRef::as_ref);
    if delete {
        conn.prepare_cached(
            "INSERT INTO reviews_fts (reviews_fts, rowid, author, title, content, product_title, \
             reply_content, facets) VALUES ('delete', ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![rid, a, t, c, p, r, f])?;
    } else {
        conn.prepare_cached(
            "INSERT INTO reviews_fts (rowid, author, title, content, product_title, \
             reply_content, facets) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![rid, a, t, c, p, r, f])?;
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
pub(crate) fn index_new_rows_at_once(
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
            "INSERT INTO reviews_fts (rowid, author, title, content, product_title, \
             reply_content, facets) SELECT rid, author, title, content, product_title, \
             reply_content, facets FROM reviews \
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
            "SELECT author, title, content, product_title, coalesce(reply_content, ''), facets, \
             shop, gone, product_id, rating, has_image, has_video, is_verified, source, triage, \
             tags_json FROM reviews WHERE rid = ?1",
        )?
        .query_row([rid], |r| {
            Ok((
                [
                    r.get::<_, String>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ],
                (
                    r.get::<_, i64>(6)?,
                    r.get::<_, bool>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, i64>(9)?,
                    r.get::<_, bool>(10)?,
                    r.get::<_, bool>(11)?,
                    r.get::<_, bool>(12)?,
                    r.get::<_, String>(13)?,
                    r.get::<_, String>(14)?,
                    r.get::<_, String>(15)?,
                ),
            ))
        })
        .optional()?;
    let Some((
        old,
        (shop_id, gone, product_id, rating, has_image, has_video, verified, source, triage, tags),
    )) = row
    else {
        return Ok(());
    };
    let tags =
        decode_tags(&tags).map_err(|e| StoreError::Corrupt(format!("tags of {rid}: {e}")))?;
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
        tags: &tags,
    }
    .text();
    if facets == old[FTS_COLUMNS - 1] {
        return Ok(());
    }
    // Every change of a review's deleted state comes through here: its view token tells
    // whether it was counted as active for its product, its source, its tags and its stars.
    if facets_are_active(&old[FTS_COLUMNS - 1]) == gone {
        let delta = if gone { -1 } else { 1 };
        let mut counts = ProductCounts::default();
        counts.add(&product_id, delta, None);
        counts.write(conn, shop_id)?;
        let mut sources = SourceCounts::default();
        sources.add(&source, delta);
        sources.write(conn, shop_id)?;
        let mut tag_counts = TagCounts::default();
        for tag in &tags {
            tag_counts.add(tag, delta);
        }
        tag_counts.write(conn, shop_id)?;
        let mut ratings = RatingCounts::default();
        ratings.add(
            u8::try_from(rating)
                .map_err(|_| StoreError::Corrupt(format!("rating {rating} of {rid}")))?,
            delta,
        );
        ratings.write(conn, shop_id)?;
    }
    fts_write(conn, rid, true, &old)?;
    conn.prepare_cached("UPDATE reviews SET facets = ?2 WHERE rid = ?1")?
        .execute(params![rid, facets])?;
    // Count the new facet tokens (e.g. the first "flagged"), so searches can order them.
    index_terms(conn, std::iter::once(facets.as_str()))?;
    let [a, t, c, p, r, _] = old;
    fts_write(conn, rid, false, &[a, t, c, p, r, facets])?;
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
pub(crate) fn count_terms<'a>(texts: impl Iterator<Item = &'a str>) -> TermCounter<'a> {
    let mut terms = TermCounter::default();
    add_terms(&mut terms, texts);
    terms
}

/// Adds the terms of `texts` to `terms`, as [`count_terms`] counts them.
pub(crate) fn add_terms<'a>(terms: &mut TermCounter<'a>, texts: impl Iterator<Item = &'a str>) {
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
pub(crate) fn write_terms(conn: &Connection, terms: &TermCounter<'_>) -> Result<()> {
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
pub(crate) const PARALLEL_TERMS_MIN: usize = 500;

/// The review texts the FTS index holds besides the facets (the facets differ per row state and
/// are counted by the writer): author, title, content, product title, reply.
pub(crate) fn review_texts(r: &Review) -> [&str; FTS_COLUMNS - 1] {
    let reply = r.reply.as_ref().map_or("", |reply| reply.content.as_str());
    [&r.author, &r.title, &r.content, &r.product_title, reply]
}

/// The stored `tags_json` of a review (`[]` for almost every one, read without the parser).
pub(crate) fn decode_tags(json: &str) -> serde_json::Result<Vec<ReviewTag>> {
    if json == "[]" {
        return Ok(Vec::new());
    }
    serde_json::from_str(json)
}

/// `tags` as stored in `tags_json` (`[]`, not written by the serializer, for none).
pub(crate) fn encode_tags(tags: &[ReviewTag]) -> Result<std::borrow::Cow<'static, str>> {
    if tags.is_empty() {
        return Ok(std::borrow::Cow::Borrowed("[]"));
    }
    Ok(std::borrow::Cow::Owned(serde_json::to_string(tags)?))
}
