//! Tags present in the local store, for the inbox's tag filter.
//!
//! `tags` holds one row per tag (group and value) of an account with the count of its active
//! reviews. Kept like `sources` (see `sources.rs`): by the writer's inserts and updates, one
//! statement per tag and batch, and by every change of a review's deleted state, which goes
//! through `fts_write::refresh_facets`. Trustoo reviews carry no tags, so for them this is never
//! written.

use std::collections::HashMap;

use reviewdesk_core::{AccountKey, LanguageSummary, ReviewTag, TagSummary};
use rusqlite::{params, Connection};

use crate::{Result, Store};

/// Changes to the active review counts of tags, gathered over one write.
#[derive(Default)]
pub(crate) struct TagCounts {
    /// Tag → change of its active count.
    changes: HashMap<ReviewTag, i64>,
}

impl TagCounts {
    /// Counts `delta` more active reviews with `tag`.
    pub(crate) fn add(&mut self, tag: &ReviewTag, delta: i64) {
        match self.changes.get_mut(tag) {
            Some(sum) => *sum += delta,
            None => {
                self.changes.insert(tag.clone(), delta);
            }
        }
    }

    /// Applies the changes to account `shop_id`'s tags, in the caller's transaction.
    pub(crate) fn write(&self, conn: &Connection, shop_id: i64) -> Result<()> {
        let mut upsert = None;
        for (tag, delta) in self.changes.iter().filter(|(_, d)| **d != 0) {
            let stmt = match &mut upsert {
                Some(stmt) => stmt,
                None => upsert.insert(conn.prepare_cached(
                    "INSERT INTO tags (shop, tag_group, tag_value, active) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT (shop, tag_group, tag_value) \
                     DO UPDATE SET active = active + excluded.active",
                )?),
            };
            stmt.execute(params![shop_id, tag.group, tag.value, delta])?;
        }
        Ok(())
    }
}

impl Store {
    /// Tags of the account's active reviews, most used first, with their counts: the tag
    /// filter's options. Computed locally, so the filter works offline and never offers a tag
    /// no review has.
    pub fn list_tags(&self, account: &AccountKey) -> Result<Vec<TagSummary>> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT tag_group, tag_value, active FROM tags \
             WHERE shop = ?1 AND active > 0 ORDER BY active DESC, tag_group, tag_value",
        )?;
        let rows = stmt
            .query_map(params![shop_id], |r| {
                Ok(TagSummary {
                    tag: ReviewTag::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                    count: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Languages of the account's active reviews, most used first, with their counts: the
    /// language filter's options (Trustpilot accounts; Trustoo reviews have no language, so
    /// theirs is empty). Counted when asked: no table keeps them, as a Trustpilot account's
    /// reviews are counted by its index in milliseconds.
    pub fn list_languages(&self, account: &AccountKey) -> Result<Vec<LanguageSummary>> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT language, count(*) AS n FROM reviews \
             WHERE shop = ?1 AND gone = 0 AND coalesce(language, '') <> '' \
             GROUP BY language ORDER BY n DESC, language",
        )?;
        let rows = stmt
            .query_map(params![shop_id], |r| {
                Ok(LanguageSummary {
                    language: r.get(0)?,
                    count: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
