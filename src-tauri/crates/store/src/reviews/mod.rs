//! Reviews: batched upserts from the server, local triage, local deletion (star summaries are in
//! `crate::ratings`).
//!
//! The key scheme is in `keys`, the merchant's triage and local deletion in `triage`, the FTS
//! write path in `crate::fts_write`.

use reviewdesk_core::{AccountKey, Provider};
use reviewdesk_core::{
    Media, Review, ReviewCursor, ReviewId, ReviewReply, ReviewRow, ReviewTag, TriageState,
};
use rusqlite::{params, OptionalExtension, Row};

use crate::fts::{facets_are_active, Facets, TermCounter};
use crate::products::ProductCounts;
use crate::ratings::RatingCounts;
use crate::sources::SourceCounts;
use crate::tags::TagCounts;
use crate::{now, Result, Store, StoreError};

mod details;
mod keys;
mod triage;

pub(crate) use details::DetailColumns;
use details::StoredDetails;

use crate::fts_write::*;
pub(crate) use keys::{key_base, key_bound_at_or_after, KeyAllocator};

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
    r.reply_at, r.triage, r.deleted_at, r.deleted_remotely_at, r.reply_author, \
    r.reply_updated_at, r.tags_json, r.reference_id, r.referral_email, r.report_status, \
    r.report_reasons_json, r.language, r.consumer_id, \
    (SELECT provider FROM shops WHERE shops.id = r.shop), \
    (SELECT key FROM shops WHERE shops.id = r.shop), r.find_reviewer_json, r.product_json";

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
    let reply_author: Option<String> = row.get(27)?;
    let reply_updated_at: Option<String> = row.get(28)?;
    let tags_json: String = row.get(29)?;
    let tags =
        decode_tags(&tags_json).map_err(|e| conversion_error(29, format!("tags json: {e}")))?;
    let provider: String = row.get(36)?;
    let account = AccountKey::new(
        Provider::parse(&provider)
            .ok_or_else(|| conversion_error(36, format!("provider {provider}")))?,
        row.get::<_, String>(37)?,
    );
    let details = StoredDetails {
        provider,
        author_email: row.get(8)?,
        source: row.get(12)?,
        is_featured: row.get(14)?,
        is_published: row.get(15)?,
        is_pinned: row.get(16)?,
        item_type: row.get(17)?,
        order_id: row.get(18)?,
        reference_id: row.get(30)?,
        referral_email: row.get(31)?,
        report_status: row.get(32)?,
        report_reasons_json: row.get(33)?,
        language: row.get(34)?,
        consumer_id: row.get(35)?,
        find_reviewer_json: row.get(38)?,
        product_json: row.get(39)?,
    }
    .into_details()
    .map_err(|e| conversion_error(36, e))?;
    let review = Review {
        id: ReviewId(row.get(1)?),
        product_id: reviewdesk_core::ProductId(row.get(2)?),
        product_title: row.get(3)?,
        product_handle: row.get(4)?,
        is_store_review: row.get(5)?,
        rating,
        author: row.get(7)?,
        author_country: row.get(9)?,
        title: row.get(10)?,
        content: row.get(11)?,
        is_verified: row.get(13)?,
        commented_at: row.get(19)?,
        updated_at: row.get(20)?,
        media,
        reply: reply_content.map(|content| ReviewReply {
            content,
            reply_at: reply_at.unwrap_or_default(),
            author: reply_author,
            updated_at: reply_updated_at,
        }),
        tags,
        details,
    };
    Ok(ReviewRow {
        account,
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
    /// author, title, content, product_title, reply_content, facets as indexed.
    text: [String; FTS_COLUMNS],
    triage: String,
    deleted_locally: bool,
    product_id: String,
    /// Its source as stored (for the source counts when it changes).
    source: String,
    /// Its tags as stored (for the tag counts when they change).
    tags: Vec<ReviewTag>,
    /// Its stars as stored (for the star counts when they change).
    rating: u8,
}

/// Column values of one review row that are computed, done once per review (an upsert may
/// bind them for an insert attempt and then an update).
struct RowExtras<'r> {
    media_json: String,
    reply_content: Option<&'r str>,
    reply_at: Option<&'r str>,
    reply_author: Option<&'r str>,
    reply_updated_at: Option<&'r str>,
    tags_json: std::borrow::Cow<'static, str>,
    /// The provider part's columns.
    details: DetailColumns<'r>,
    /// Trustpilot's report reasons as JSON (NULL for other providers).
    report_reasons_json: Option<String>,
    /// Trustpilot's Find Reviewer state as JSON (NULL for other providers and when none).
    find_reviewer_json: Option<String>,
    /// A Trustpilot product review's own fields as JSON (NULL for every other review).
    product_json: Option<String>,
    has_image: bool,
    has_video: bool,
    synced_at: i64,
}

impl<'r> RowExtras<'r> {
    fn of(r: &'r Review, synced_at: i64) -> Result<Self> {
        let details = DetailColumns::of(&r.details);
        Ok(RowExtras {
            media_json: serde_json::to_string(&r.media)?,
            reply_content: r.reply.as_ref().map(|reply| reply.content.as_str()),
            reply_at: r.reply.as_ref().map(|reply| reply.reply_at.as_str()),
            reply_author: r.reply.as_ref().and_then(|reply| reply.author.as_deref()),
            reply_updated_at: r
                .reply
                .as_ref()
                .and_then(|reply| reply.updated_at.as_deref()),
            tags_json: encode_tags(&r.tags)?,
            report_reasons_json: details
                .report_reasons
                .map(serde_json::to_string)
                .transpose()?,
            find_reviewer_json: details
                .find_reviewer
                .map(serde_json::to_string)
                .transpose()?,
            product_json: details.product.map(serde_json::to_string).transpose()?,
            details,
            has_image: r.has_image(),
            has_video: r.has_video(),
            synced_at,
        })
    }
}

/// Parameters `?1`…`?40` of the writer's insert and update statements.
#[allow(clippy::ptr_arg)] // `&String`: a `&str` cannot become a `&dyn ToSql` (unsized).
fn row_values<'v>(
    rid: &'v i64,
    shop_id: &'v i64,
    r: &'v Review,
    row: &'v RowExtras<'_>,
    facets: &'v String,
) -> [&'v dyn rusqlite::ToSql; 40] {
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
        &row.details.author_email,
        &r.author_country,
        &r.title,
        &r.content,
        &row.details.source,
        &r.is_verified,
        &row.details.is_featured,
        &row.details.is_published,
        &row.details.is_pinned,
        &row.details.item_type,
        &row.details.order_id,
        &r.commented_at,
        &r.updated_at,
        &row.media_json,
        &row.reply_content,
        &row.reply_at,
        &row.has_image,
        &row.has_video,
        &row.synced_at,
        facets,
        &row.reply_author,
        &row.reply_updated_at,
        &row.tags_json,
        &row.details.reference_id,
        &row.details.referral_email,
        &row.details.report_status,
        &row.report_reasons_json,
        &row.details.language,
        &row.details.consumer_id,
        &row.find_reviewer_json,
        &row.product_json,
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
                    row.get(7)?,
                ],
                triage: row.get(8)?,
                deleted_locally: row.get(9)?,
                product_id: row.get(10)?,
                source: row.get(11)?,
                tags: {
                    let json: String = row.get(12)?;
                    decode_tags(&json).map_err(|e| conversion_error(12, format!("tags: {e}")))?
                },
                rating: {
                    let rating: i64 = row.get(13)?;
                    u8::try_from(rating)
                        .map_err(|_| conversion_error(13, format!("rating {rating}")))?
                },
            })
        })
        .optional()?)
}

/// The indexes of the first copy of each review of `reviews`, in order, when some review is
/// there more than once; `None` (nothing to copy) when each is there once.
fn first_copies(reviews: &[Review]) -> Option<Vec<usize>> {
    let mut seen = std::collections::HashSet::with_capacity(reviews.len());
    let firsts: Vec<usize> = reviews
        .iter()
        .enumerate()
        .filter(|(_, r)| seen.insert(r.id.as_str()))
        .map(|(i, _)| i)
        .collect();
    (firsts.len() < reviews.len()).then_some(firsts)
}

impl Store {
    /// Stores a batch of reviews as the server sent them, in one transaction with prepared
    /// statements (call it once per fetched page, or with bigger chunks on a first sync).
    ///
    /// Server fields are overwritten (the server is the truth); local state (triage, local
    /// deletion) is kept. A review previously noticed as gone from the server and now seen again
    /// loses its `deleted_remotely_at` mark. Idempotent: the same batch twice changes nothing.
    pub fn upsert_reviews(
        &mut self,
        account: &AccountKey,
        reviews: &[Review],
    ) -> Result<UpsertStats> {
        self.upsert_reviews_inner(account, reviews, None)
    }

    /// [`Store::upsert_reviews`] that also says which reviews the store did not know before
    /// (their indexes in `reviews`, ascending).
    ///
    /// Why: the sync reports new reviews, and the upsert looks every review up anyway (a
    /// separate "which are known" query would cost a second index lookup per review on the
    /// single writer thread).
    pub fn upsert_reviews_reporting_new(
        &mut self,
        account: &AccountKey,
        reviews: &[Review],
    ) -> Result<(UpsertStats, Vec<usize>)> {
        let mut inserted = Vec::new();
        let stats = self.upsert_reviews_inner(account, reviews, Some(&mut inserted))?;
        Ok((stats, inserted))
    }

    fn upsert_reviews_inner(
        &mut self,
        account: &AccountKey,
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
        // A review named twice in one batch (a page that shifted under a full pass: both copies
        // were read moments apart) is written once, as its first copy: the batch's search index
        // entries are written after its rows, so a second copy would update an entry that is
        // not there yet.
        if let Some(kept) = first_copies(reviews) {
            let unique: Vec<Review> = kept.iter().map(|&i| reviews[i].clone()).collect();
            let mut new_in_unique = Vec::new();
            let want_new = inserted.is_some();
            let stats = self.upsert_reviews_inner(
                account,
                &unique,
                want_new.then_some(&mut new_in_unique),
            )?;
            if let Some(out) = inserted {
                out.extend(new_in_unique.into_iter().map(|i| kept[i]));
            }
            return Ok(stats);
        }
        std::thread::scope(|scope| {
            // The text terms of every review of the batch, counted on a second thread while
            // this one writes rows and the FTS index. On a first sync every review is new, so
            // this is exactly what `search_terms` needs, and the writer's own work shrinks by the
            // counting (a tenth of it, measured with callgrind). When some reviews were already
            // stored, the terms are counted from what was really (re)indexed instead.
            let text_terms = (reviews.len() >= PARALLEL_TERMS_MIN)
                .then(|| scope.spawn(|| count_terms(reviews.iter().flat_map(review_texts))));
            self.write_batch(account, reviews, inserted, text_terms)
        })
    }

    fn write_batch<'scope, 'a>(
        &mut self,
        account: &AccountKey,
        reviews: &'a [Review],
        mut inserted: Option<&mut Vec<usize>>,
        text_terms: Option<std::thread::ScopedJoinHandle<'scope, TermCounter<'a>>>,
    ) -> Result<UpsertStats> {
        // A row is read back into its account's provider part: one of another provider would
        // come back as something else.
        if let Some(r) = reviews
            .iter()
            .find(|r| r.details.provider() != account.provider)
        {
            return Err(StoreError::InvalidInput(format!(
                "review {} is a {} review, not one of the {} account {}",
                r.id,
                r.details.provider().as_str(),
                account.provider.as_str(),
                account.id
            )));
        }
        let synced_at = now();
        let tx = self.conn.transaction()?;
        let shop_id = Store::ensure_account(&tx, account)?;
        let mut stats = UpsertStats::default();
        {
            let mut find = tx.prepare_cached(
                "SELECT rid, commented_at, author, title, content, product_title, \
                 coalesce(reply_content, ''), facets, triage, deleted_at IS NOT NULL, \
                 product_id, source, tags_json, rating FROM reviews WHERE shop = ?1 AND id = ?2",
            )?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO reviews (rid, shop, id, product_id, product_title, product_handle, \
                 is_store_review, rating, author, author_email, author_country, title, content, \
                 source, is_verified, is_featured, is_published, is_pinned, item_type, order_id, \
                 commented_at, updated_at, media_json, reply_content, reply_at, has_image, \
                 has_video, synced_at, facets, reply_author, reply_updated_at, tags_json, \
                 reference_id, referral_email, report_status, report_reasons_json, language, \
                 consumer_id, find_reviewer_json, product_json) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
                 ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, \
                 ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40) \
                 ON CONFLICT (shop, id) DO NOTHING",
            )?;
            let mut update = tx.prepare_cached(
                "UPDATE reviews SET rid = ?1, product_id = ?4, product_title = ?5, \
                 product_handle = ?6, is_store_review = ?7, rating = ?8, author = ?9, \
                 author_email = ?10, author_country = ?11, title = ?12, content = ?13, \
                 source = ?14, is_verified = ?15, is_featured = ?16, is_published = ?17, \
                 is_pinned = ?18, item_type = ?19, order_id = ?20, commented_at = ?21, \
                 updated_at = ?22, media_json = ?23, reply_content = ?24, reply_at = ?25, \
                 has_image = ?26, has_video = ?27, synced_at = ?28, facets = ?29, \
                 reply_author = ?30, reply_updated_at = ?31, tags_json = ?32, \
                 reference_id = ?33, referral_email = ?34, report_status = ?35, \
                 report_reasons_json = ?36, language = ?37, consumer_id = ?38, \
                 find_reviewer_json = ?39, product_json = ?40, \
                 deleted_remotely_at = NULL WHERE rid = ?41 AND shop = ?2 AND id = ?3",
            )?;
            let mut fts_ops: Vec<FtsOp> = Vec::with_capacity(reviews.len());
            let mut products = ProductCounts::default();
            let mut sources = SourceCounts::default();
            let mut tags = TagCounts::default();
            let mut ratings = RatingCounts::default();
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
                        source: row.details.source,
                        triage: existing.map_or(TriageState::New.as_str(), |e| e.triage.as_str()),
                        tags: &r.tags,
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
                    if insert.execute(&row_values(&key, &shop_id, r, &row, &facets)[..])? == 1 {
                        fts_ops.push(FtsOp {
                            rid: key,
                            delete: false,
                            text: FtsText::New(r, facets),
                        });
                        stats.inserted += 1;
                        products.add(r.product_id.as_str(), 1, Some(&r.product_title));
                        sources.add(row.details.source, 1);
                        for tag in &r.tags {
                            tags.add(tag, 1);
                        }
                        ratings.add(r.rating, 1);
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
                if facets_are_active(&old.text[FTS_COLUMNS - 1]) {
                    products.add(&old.product_id, -1, None);
                    sources.add(&old.source, -1);
                    for tag in &old.tags {
                        tags.add(tag, -1);
                    }
                    ratings.add(old.rating, -1);
                }
                let active = !old.deleted_locally;
                sources.add(row.details.source, i64::from(active));
                for tag in &r.tags {
                    tags.add(tag, i64::from(active));
                }
                ratings.add(r.rating, i64::from(active));
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
            tags.write(&tx, shop_id)?;
            ratings.write(&tx, shop_id)?;
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
    pub fn get_review(&self, account: &AccountKey, id: &ReviewId) -> Result<Option<ReviewRow>> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(None);
        };
        let sql = format!("SELECT {ROW_COLUMNS} FROM reviews r WHERE r.shop = ?1 AND r.id = ?2");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![shop_id, id.as_str()], review_row)
            .optional()?)
    }
}
