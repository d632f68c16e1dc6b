//! Products that have reviews in the local store, for the inbox's product filter.

use reviewdesk_core::{ProductId, ProductSummary};
use rusqlite::params;

use crate::{Result, Store};

impl Store {
    /// Products with active reviews in the shop, most reviewed first, with the title last seen
    /// on one of their reviews. Computed locally so the filter works offline and matches the
    /// list (the API has no product listing).
    pub fn list_products(&self, shop: &str) -> Result<Vec<ProductSummary>> {
        let Some(shop_id) = self.shop_id(shop)? else {
            return Ok(Vec::new());
        };
        // Counting walks the (shop, gone, product_id) index only; the title is one indexed
        // lookup per product instead of reading every row.
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.product_id, p.n, \
                (SELECT product_title FROM reviews r \
                 WHERE r.shop = ?1 AND r.gone = 0 AND r.product_id = p.product_id LIMIT 1) \
             FROM (SELECT product_id, count(*) AS n FROM reviews \
                   WHERE shop = ?1 AND gone = 0 GROUP BY product_id) p \
             ORDER BY p.n DESC, p.product_id",
        )?;
        let rows = stmt
            .query_map(params![shop_id], |r| {
                Ok(ProductSummary {
                    id: ProductId(r.get(0)?),
                    count: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    title: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
