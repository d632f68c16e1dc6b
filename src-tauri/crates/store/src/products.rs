//! Products that have reviews in the local store, for the inbox's product filter.
//!
//! `products` holds one row per product of a shop with the count of its active reviews (not
//! deleted here or on the server). The count changes only where a review becomes active or
//! stops being so: the writer's inserts and updates (a batch's changes applied at once, see
//! [`ProductCounts`]) and a change of a review's deleted state, which always goes through
//! `fts_write::refresh_facets` (its view facet token flips between active and deleted there).

use std::collections::HashMap;

use reviewdesk_core::AccountKey;
use reviewdesk_core::{ProductId, ProductSummary};
use rusqlite::{params, Connection};

use crate::{Result, Store};

/// Changes to the active review counts of products, gathered over one write and applied with
/// one statement per product (a batch of 20,000 reviews touches a few hundred products).
#[derive(Default)]
pub(crate) struct ProductCounts<'a> {
    /// Product id → (change of its active count, the title of its newest review in the write).
    changes: HashMap<String, (i64, Option<&'a str>)>,
}

impl<'a> ProductCounts<'a> {
    /// Counts `delta` more active reviews for `product_id` (`title`: as a review of this write
    /// names the product, if one does).
    pub(crate) fn add(&mut self, product_id: &str, delta: i64, title: Option<&'a str>) {
        match self.changes.get_mut(product_id) {
            Some((sum, seen)) => {
                *sum += delta;
                // Pages come newest first: the first title of a write is the newest.
                if seen.is_none() {
                    *seen = title;
                }
            }
            None => {
                self.changes.insert(product_id.to_owned(), (delta, title));
            }
        }
    }

    /// Applies the changes to shop `shop_id`'s products, in the caller's transaction.
    pub(crate) fn write(&self, conn: &Connection, shop_id: i64) -> Result<()> {
        if self.changes.is_empty() {
            return Ok(());
        }
        let mut upsert = conn.prepare_cached(
            "INSERT INTO products (shop, product_id, title, active) \
             VALUES (?1, ?2, coalesce(?3, ''), ?4) \
             ON CONFLICT (shop, product_id) DO UPDATE \
             SET active = active + excluded.active, title = coalesce(?3, title)",
        )?;
        for (product_id, (delta, title)) in &self.changes {
            upsert.execute(params![shop_id, product_id, title, delta])?;
        }
        Ok(())
    }
}

impl Store {
    /// Products with active reviews in the shop, most reviewed first, with the title last seen
    /// on one of their reviews. Computed locally so the filter works offline and matches the
    /// list (the API has no product listing).
    pub fn list_products(&self, account: &AccountKey) -> Result<Vec<ProductSummary>> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT product_id, active, title FROM products \
             WHERE shop = ?1 AND active > 0 ORDER BY active DESC, product_id",
        )?;
        let rows = stmt
            .query_map(params![shop_id], |r| {
                Ok(ProductSummary {
                    id: ProductId(r.get(0)?),
                    count: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    title: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
