//! The merchant's audit log: who did what to which review, and when. Append-only.

use reviewdesk_core::AccountKey;
use reviewdesk_core::{AuditEntry, ReviewId};
use rusqlite::{params, Connection};

use crate::{now, Result, Store, StoreError};

/// Appends one entry inside the caller's transaction (so the entry and the change it describes
/// commit together).
pub(crate) fn insert(
    conn: &Connection,
    shop_id: i64,
    at: i64,
    actor: &str,
    action: &str,
    review_id: Option<&ReviewId>,
    details: &serde_json::Value,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO audit_log (shop, at, actor, action, review_id, details_json) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        shop_id,
        at,
        actor,
        action,
        review_id.map(ReviewId::as_str),
        serde_json::to_string(details)?
    ])?;
    Ok(conn.last_insert_rowid())
}

fn entry(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(i64, i64, String, String, Option<String>, String)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

fn decode(
    (id, at, actor, action, review_id, details): (i64, i64, String, String, Option<String>, String),
) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id,
        at,
        actor,
        action,
        review_id: review_id.map(ReviewId),
        details: serde_json::from_str(&details)
            .map_err(|e| StoreError::Corrupt(format!("audit {id} details: {e}")))?,
    })
}

impl Store {
    /// Records a merchant action that the store does not record by itself (e.g. a reply sent
    /// directly, an exclusion created online). Returns the entry id.
    pub fn record_audit(
        &mut self,
        account: &AccountKey,
        actor: &str,
        action: &str,
        review_id: Option<&ReviewId>,
        details: &serde_json::Value,
    ) -> Result<i64> {
        let shop_id = Store::ensure_account(&self.conn, account)?;
        insert(
            &self.conn,
            shop_id,
            now(),
            actor,
            action,
            review_id,
            details,
        )
    }

    /// The shop's audit log, newest first, `limit` entries older than `before_id` (paging).
    pub fn list_audit(
        &self,
        account: &AccountKey,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, actor, action, review_id, details_json FROM audit_log \
             WHERE shop = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
        )?;
        let rows = stmt
            .query_map(
                params![shop_id, before_id.unwrap_or(i64::MAX), limit],
                entry,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(decode).collect()
    }

    /// Every audit entry about one review, oldest first (the review's history).
    pub fn review_audit(
        &self,
        account: &AccountKey,
        review_id: &ReviewId,
    ) -> Result<Vec<AuditEntry>> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, actor, action, review_id, details_json FROM audit_log \
             WHERE shop = ?1 AND review_id = ?2 ORDER BY id",
        )?;
        let rows = stmt
            .query_map(params![shop_id, review_id.as_str()], entry)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(decode).collect()
    }
}
