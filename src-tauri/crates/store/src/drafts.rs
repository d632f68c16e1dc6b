//! Drafts: half-written forms that survive a crash or a closed window.
//!
//! Saving is one prepared upsert in WAL mode with `synchronous = NORMAL` (no fsync per commit),
//! so it is cheap enough to call on every form change.

use reviewdesk_core::AccountKey;
use reviewdesk_core::Draft;
use rusqlite::{params, OptionalExtension};

use crate::{now, Result, Store, StoreError};

fn draft(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, String, i64, i64)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    ))
}

fn decode(
    (id, form, attachments, created_at, updated_at): (String, String, String, i64, i64),
) -> Result<Draft> {
    Ok(Draft {
        form: serde_json::from_str(&form)
            .map_err(|e| StoreError::Corrupt(format!("draft {id} form: {e}")))?,
        attachments: serde_json::from_str(&attachments)
            .map_err(|e| StoreError::Corrupt(format!("draft {id} attachments: {e}")))?,
        id,
        created_at,
        updated_at,
    })
}

impl Store {
    /// Creates or replaces the draft `id` of the shop; keeps its creation time.
    pub fn save_draft(
        &mut self,
        account: &AccountKey,
        id: &str,
        form: &serde_json::Value,
        attachments: &[String],
    ) -> Result<Draft> {
        let shop_id = Store::ensure_account(&self.conn, account)?;
        let at = now();
        let (created_at, updated_at) = self
            .conn
            .prepare_cached(
                "INSERT INTO drafts (shop, id, form_json, attachments_json, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5) \
                 ON CONFLICT (shop, id) DO UPDATE SET form_json = excluded.form_json, \
                 attachments_json = excluded.attachments_json, updated_at = excluded.updated_at \
                 RETURNING created_at, updated_at",
            )?
            .query_row(
                params![
                    shop_id,
                    id,
                    serde_json::to_string(form)?,
                    serde_json::to_string(attachments)?,
                    at
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
        Ok(Draft {
            id: id.to_owned(),
            form: form.clone(),
            attachments: attachments.to_vec(),
            created_at,
            updated_at,
        })
    }

    /// The shop's drafts, most recently saved first.
    pub fn list_drafts(&self, account: &AccountKey) -> Result<Vec<Draft>> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, form_json, attachments_json, created_at, updated_at FROM drafts \
             WHERE shop = ?1 ORDER BY updated_at DESC, id",
        )?;
        let rows = stmt
            .query_map([shop_id], draft)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(decode).collect()
    }

    /// One draft, if it exists.
    pub fn load_draft(&self, account: &AccountKey, id: &str) -> Result<Option<Draft>> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(None);
        };
        let found = self
            .conn
            .prepare_cached(
                "SELECT id, form_json, attachments_json, created_at, updated_at FROM drafts \
                 WHERE shop = ?1 AND id = ?2",
            )?
            .query_row(params![shop_id, id], draft)
            .optional()?;
        found.map(decode).transpose()
    }

    /// Removes a draft (sent or abandoned). Returns false when there was none. Attachment files
    /// are the caller's to delete.
    pub fn discard_draft(&mut self, account: &AccountKey, id: &str) -> Result<bool> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(false);
        };
        let n = self
            .conn
            .prepare_cached("DELETE FROM drafts WHERE shop = ?1 AND id = ?2")?
            .execute(params![shop_id, id])?;
        Ok(n > 0)
    }
}
