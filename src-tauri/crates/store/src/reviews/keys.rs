//! The key scheme: a review's rowid orders it newest first and turns date filters into rowid
//! ranges; keys for a write batch are handed out without a query per review.

use std::collections::HashMap;

use reviewdesk_core::Review;
use rusqlite::Connection;

use crate::{Result, StoreError};

/// Bits of the rowid below the `commented_at` seconds: up to 16 M reviews per second.
pub(crate) const SEQ_BITS: u32 = 24;
pub(crate) const SEQ_MASK: i64 = (1 << SEQ_BITS) - 1;
/// Largest `commented_at` that fits the key (year ~19 400); larger or negative values are clamped.
pub(crate) const MAX_KEY_SECONDS: i64 = (1 << (62 - SEQ_BITS)) - 1;

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

/// Hands out free rowids for the reviews of one write batch.
///
/// Why not one `max(rid)` probe per review: most reviews are alone in their second, so that was
/// one query per stored review (5 % of a first sync's writer). Instead, the first time a key is
/// needed, one rowid range scan over the batch's time span notes the last key in use for every
/// second; later keys are counted on from there. Reviews of a batch come from consecutive
/// pages, so the span holds about as many stored rows as the batch itself.
pub(crate) struct KeyAllocator {
    /// Key range of the batch's seconds (newest second's base to oldest second's last key).
    span: (i64, i64),
    /// Last key in use per second base; `None` until first needed (one scan of the span).
    last: Option<HashMap<i64, i64>>,
    /// Keys of the rows stored in the span before the batch (found by the same scan).
    stored: Vec<i64>,
}

impl KeyAllocator {
    pub(crate) fn new(reviews: &[Review]) -> Self {
        let newest = reviews.iter().map(|r| r.commented_at).max().unwrap_or(0);
        let oldest = reviews.iter().map(|r| r.commented_at).min().unwrap_or(0);
        KeyAllocator {
            span: (key_base(newest), key_base(oldest) | SEQ_MASK),
            last: None,
            stored: Vec::new(),
        }
    }

    /// Last key in use per second of the batch's span (scanned on first use).
    pub(crate) fn in_use(&mut self, conn: &Connection) -> Result<&mut HashMap<i64, i64>> {
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
    pub(crate) fn stored_before(&mut self, conn: &Connection) -> Result<&[i64]> {
        self.in_use(conn)?;
        Ok(&self.stored)
    }

    /// Whether a stored review, or one given a key in this batch, has a key in the second of
    /// `commented_at` (inside the batch's span).
    pub(crate) fn second_in_use(&mut self, conn: &Connection, commented_at: i64) -> Result<bool> {
        Ok(self.in_use(conn)?.contains_key(&key_base(commented_at)))
    }

    /// A free key for a review written at `commented_at` (inside the batch's span).
    pub(crate) fn allocate(&mut self, conn: &Connection, commented_at: i64) -> Result<i64> {
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
