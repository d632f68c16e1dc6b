//! Review sources present in the local store, for the inbox's source filter.
//!
//! `sources` holds one row per source of a shop (`Store front`, `Email request`, …, exactly as
//! Trustoo sends them) with the count of its active reviews. Kept like `products` (see
//! `products.rs`): by the writer's inserts and updates, one statement per source and batch, and
//! by every change of a review's deleted state, which goes through `fts_write::refresh_facets`.

use std::collections::HashMap;

use reviewdesk_core::AccountKey;
use reviewdesk_core::SourceSummary;
use rusqlite::{params, Connection};

use crate::{Result, Store};

/// Changes to the active review counts of sources, gathered over one write (a batch of 20,000
/// reviews names a handful of sources).
#[derive(Default)]
pub(crate) struct SourceCounts {
    /// Source → change of its active count.
    changes: HashMap<String, i64>,
}

impl SourceCounts {
    /// Counts `delta` more active reviews with `source` (a copy of the name only the first time
    /// a write sees it).
    pub(crate) fn add(&mut self, source: &str, delta: i64) {
        match self.changes.get_mut(source) {
            Some(sum) => *sum += delta,
            None => {
                self.changes.insert(source.to_owned(), delta);
            }
        }
    }

    /// Applies the changes to shop `shop_id`'s sources, in the caller's transaction.
    pub(crate) fn write(&self, conn: &Connection, shop_id: i64) -> Result<()> {
        let mut upsert = None;
        for (source, delta) in self.changes.iter().filter(|(_, d)| **d != 0) {
            let stmt = match &mut upsert {
                Some(stmt) => stmt,
                None => upsert.insert(conn.prepare_cached(
                    "INSERT INTO sources (shop, source, active) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (shop, source) DO UPDATE SET active = active + excluded.active",
                )?),
            };
            stmt.execute(params![shop_id, source, delta])?;
        }
        Ok(())
    }
}

impl Store {
    /// Sources of the shop's active reviews, most used first, with their counts: the source
    /// filter's options. Computed locally, so the filter offers what the list can show, offline
    /// too, and never a source no review has.
    pub fn list_sources(&self, account: &AccountKey) -> Result<Vec<SourceSummary>> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT source, active FROM sources \
             WHERE shop = ?1 AND active > 0 ORDER BY active DESC, source",
        )?;
        let rows = stmt
            .query_map(params![shop_id], |r| {
                Ok(SourceSummary {
                    source: r.get(0)?,
                    count: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
