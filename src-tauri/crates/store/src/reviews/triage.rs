//! The merchant's own state of a review: triage, and deleting or restoring it locally.

use reviewdesk_core::AccountKey;
use reviewdesk_core::{ActionKind, ReviewId, TriageState};
use rusqlite::{params, OptionalExtension};

use crate::fts_write::refresh_facets;
use crate::{now, queue::NewAction, Result, Store, StoreError};

impl Store {
    /// Sets the local triage state of reviews and writes one audit entry per changed review.
    /// Unknown ids are ignored; returns how many reviews changed.
    pub fn set_triage(
        &mut self,
        account: &AccountKey,
        ids: &[ReviewId],
        state: TriageState,
        actor: &str,
    ) -> Result<usize> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(0);
        };
        let at = now();
        let tx = self.conn.transaction()?;
        let mut changed = 0;
        {
            let mut find =
                tx.prepare_cached("SELECT rid, triage FROM reviews WHERE shop = ?1 AND id = ?2")?;
            let mut set = tx.prepare_cached("UPDATE reviews SET triage = ?2 WHERE rid = ?1")?;
            for id in ids {
                let old: Option<(i64, String)> = find
                    .query_row(params![shop_id, id.as_str()], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()?;
                let Some((rid, old)) = old else { continue };
                if old == state.as_str() {
                    continue;
                }
                set.execute(params![rid, state.as_str()])?;
                refresh_facets(&tx, rid)?;
                crate::audit::insert(
                    &tx,
                    shop_id,
                    at,
                    actor,
                    "set_triage",
                    Some(id),
                    &serde_json::json!({ "from": old, "to": state.as_str() }),
                )?;
                changed += 1;
            }
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Deletes a review for the merchant: marks it `deleted_at` (the full copy stays, visible in
    /// the Deleted view), writes the audit entry and queues the server `delete_review` call, all
    /// in one transaction. Returns the queued action's id.
    pub fn delete_review(
        &mut self,
        account: &AccountKey,
        id: &ReviewId,
        actor: &str,
    ) -> Result<i64> {
        let shop_id = self
            .account_id(account)?
            .ok_or_else(|| StoreError::NotFound(format!("review {id}")))?;
        let at = now();
        let tx = self.conn.transaction()?;
        let found: Option<(Option<i64>, i64, String, String, i64)> = tx
            .prepare_cached(
                "SELECT deleted_at, rating, author, title, rid FROM reviews \
                 WHERE shop = ?1 AND id = ?2",
            )?
            .query_row(params![shop_id, id.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        let Some((deleted_at, rating, author, title, rid)) = found else {
            return Err(StoreError::NotFound(format!("review {id}")));
        };
        if deleted_at.is_some() {
            return Err(StoreError::AlreadyDeleted(id.to_string()));
        }
        tx.prepare_cached("UPDATE reviews SET deleted_at = ?2 WHERE rid = ?1")?
            .execute(params![rid, at])?;
        refresh_facets(&tx, rid)?;
        crate::audit::insert(
            &tx,
            shop_id,
            at,
            actor,
            "delete_review",
            Some(id),
            &serde_json::json!({ "rating": rating, "author": author, "title": title }),
        )?;
        let action = NewAction {
            kind: ActionKind::DeleteReview,
            payload: serde_json::json!({ "id": id.as_str() }),
            idempotency_key: None,
        };
        let action_id = crate::queue::insert(&tx, shop_id, &action, at)?;
        tx.commit()?;
        Ok(action_id)
    }

    /// Undoes a local deletion (e.g. after the server refused it); audited. Returns false when
    /// the review was not deleted locally.
    pub fn restore_review(
        &mut self,
        account: &AccountKey,
        id: &ReviewId,
        actor: &str,
    ) -> Result<bool> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(false);
        };
        let at = now();
        let tx = self.conn.transaction()?;
        let rid: Option<i64> = tx
            .prepare_cached(
                "UPDATE reviews SET deleted_at = NULL \
                 WHERE shop = ?1 AND id = ?2 AND deleted_at IS NOT NULL RETURNING rid",
            )?
            .query_row(params![shop_id, id.as_str()], |r| r.get(0))
            .optional()?;
        if let Some(rid) = rid {
            refresh_facets(&tx, rid)?;
            crate::audit::insert(
                &tx,
                shop_id,
                at,
                actor,
                "restore_review",
                Some(id),
                &serde_json::json!({}),
            )?;
        }
        tx.commit()?;
        Ok(rid.is_some())
    }
}
