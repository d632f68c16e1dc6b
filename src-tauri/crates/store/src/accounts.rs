//! Forgetting an account: every row the store keeps for it, in one transaction.
//!
//! Why: a merchant who disconnects ReviewDesk from a shop may ask for its local data to go too
//! (cached reviews, drafts, queued actions, audit log, sync state, filter and star counts). The
//! tables are found from the schema (every table with a `shop` column names an account, see V1
//! and V11), so a table a later migration adds is forgotten too without a change here. The
//! reviews go first, through the FTS delete trigger, so the search index never keeps a forgotten
//! review.

use reviewdesk_core::AccountKey;
use rusqlite::params;

use crate::{Result, Store};

/// Tables holding an account's rows: those with a `shop` column (`reviews` first, for its FTS
/// trigger; the virtual FTS table has no `shop` column).
const ACCOUNT_TABLES: &str =
    "SELECT m.name FROM sqlite_schema AS m, pragma_table_info(m.name) AS p \
     WHERE m.type = 'table' AND p.name = 'shop' AND m.name <> 'shops' \
     ORDER BY m.name <> 'reviews', m.name";

impl Store {
    /// Deletes every row of `account` (reviews, their search entries, drafts, queued actions,
    /// audit log, sync state, products, sources, tags, star counts) and the account itself, in
    /// one transaction. Answers how many reviews went; an account with no data is `Ok(0)`.
    /// Other accounts' rows are untouched.
    pub fn delete_account(&mut self, account: &AccountKey) -> Result<u64> {
        let Some(id) = self.account_id(account)? else {
            return Ok(0);
        };
        let tx = self.conn.transaction()?;
        let tables: Vec<String> = tx
            .prepare(ACCOUNT_TABLES)?
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        let mut reviews = 0;
        for table in &tables {
            // Table names come from the schema itself, quoted as identifiers.
            let sql = format!(
                "DELETE FROM \"{}\" WHERE shop = ?1",
                table.replace('"', "\"\"")
            );
            let n = tx.execute(&sql, params![id])?;
            if table == "reviews" {
                reviews = n as u64;
            }
        }
        tx.execute("DELETE FROM shops WHERE id = ?1", params![id])?;
        tx.commit()?;
        Ok(reviews)
    }
}
