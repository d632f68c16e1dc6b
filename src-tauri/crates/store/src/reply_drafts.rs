//! Reply drafts (schema V20): the text of a reply being written, kept per account and review at
//! every pause in typing, so closing the window, switching reviews or a crash loses nothing.
//! An account's drafts go with its other rows when it is forgotten (`delete_account`).

use reviewdesk_core::{AccountKey, ReviewId};
use rusqlite::{params, OptionalExtension};

use crate::{Result, Store};

impl Store {
    /// The draft of a reply to `review_id`, if one is kept.
    pub fn reply_draft(
        &self,
        account: &AccountKey,
        review_id: &ReviewId,
    ) -> Result<Option<String>> {
        let Some(shop) = self.account_id(account)? else {
            return Ok(None);
        };
        Ok(self
            .conn
            .prepare_cached("SELECT body FROM reply_drafts WHERE shop = ?1 AND review_id = ?2")?
            .query_row(params![shop, review_id.as_str()], |r| r.get(0))
            .optional()?)
    }

    /// Keeps `body` as the draft of a reply to `review_id`; an empty (or blank) body drops it
    /// (the reply was posted, or the merchant cleared it).
    pub fn save_reply_draft(
        &mut self,
        account: &AccountKey,
        review_id: &ReviewId,
        body: &str,
    ) -> Result<()> {
        if body.trim().is_empty() {
            if let Some(shop) = self.account_id(account)? {
                self.conn
                    .prepare_cached("DELETE FROM reply_drafts WHERE shop = ?1 AND review_id = ?2")?
                    .execute(params![shop, review_id.as_str()])?;
            }
            return Ok(());
        }
        let shop = Store::ensure_account(&self.conn, account)?;
        self.conn
            .prepare_cached(
                "INSERT INTO reply_drafts (shop, review_id, body, updated_at) \
                 VALUES (?1, ?2, ?3, unixepoch()) \
                 ON CONFLICT (shop, review_id) DO UPDATE SET body = excluded.body, \
                 updated_at = excluded.updated_at",
            )?
            .execute(params![shop, review_id.as_str(), body])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_draft_is_kept_per_account_and_review_replaced_dropped_when_blank_and_forgotten_with_its_account(
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let unit = AccountKey::trustpilot(
            &reviewdesk_core::TrustpilotId::parse("507f191e810c19729de860ea").unwrap(),
        );
        let shop = AccountKey::trustoo("s.myshopify.com");
        let id = ReviewId::from("6546f1a2b3c4d5e6f7a8b9c0");
        {
            let mut store = Store::open(&path).unwrap();
            assert_eq!(store.reply_draft(&unit, &id).unwrap(), None);
            store
                .save_reply_draft(&unit, &id, "Thank you, Ana")
                .unwrap();
            store
                .save_reply_draft(&unit, &id, "Thank you, Ana!")
                .unwrap();
            store
                .save_reply_draft(&shop, &id, "Another account")
                .unwrap();
        }
        // A new run (the app closed or crashed) finds them.
        let mut store = Store::open(&path).unwrap();
        assert_eq!(
            store.reply_draft(&unit, &id).unwrap().as_deref(),
            Some("Thank you, Ana!")
        );
        assert_eq!(
            store.reply_draft(&shop, &id).unwrap().as_deref(),
            Some("Another account")
        );
        assert_eq!(
            store.reply_draft(&unit, &ReviewId::from("other")).unwrap(),
            None
        );
        store.save_reply_draft(&unit, &id, "   ").unwrap();
        assert_eq!(store.reply_draft(&unit, &id).unwrap(), None);
        store.delete_account(&shop).unwrap();
        assert_eq!(store.reply_draft(&shop, &id).unwrap(), None);
        let left: i64 = store
            .conn
            .query_row("SELECT count(*) FROM reply_drafts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0, "no row left behind");
    }
}
