//! Sync bookkeeping. The network part lives in the Tauri layer; this is what it relies on.
//!
//! Strategy:
//! * **First sync**: fetch every page newest-first and write them in batches with
//!   [`Store::upsert_reviews_reporting_new`] (which also says which reviews were new).
//! * **Incremental sync**: fetch newest-first (`created-descending`) and upsert each page; stop
//!   at the first page that held a review already known (reviews only get older from there),
//!   then [`Store::set_sync_cursor`].
//! * **Deletions on the server** do not show up in a newest-first listing, so a periodic full
//!   id sweep (every page, ids only kept) ends with [`Store::mark_missing_as_deleted`]: a local
//!   review the sweep did not see is flagged `deleted_remotely_at`, never destroyed (the merchant
//!   keeps the copy in the Deleted view). A webhook can later replace the sweep.
//! * A flagged review that the server returns again is un-flagged by the next upsert.

use std::collections::HashSet;

use reviewdesk_core::AccountKey;
use reviewdesk_core::{PagePosition, ReviewId, SyncCursor};
use rusqlite::{params, OptionalExtension};

use crate::{now, Result, Store};

/// Where an unfinished full pass stopped, so the next sync continues from there instead of
/// from page 1.
///
/// Why positions, not a page number: the pages are re-cut if the page size changes between two
/// attempts. Why `started_at` and `sweep`: the pass that resumes must sweep deletions as the
/// first attempt would have, without the ids that attempt saw (see
/// [`Store::mark_missing_as_deleted`]; every review it wrote has `synced_at >= started_at`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullPassProgress {
    /// How many reviews of the newest-first listing are stored: positions `0..stored`.
    pub stored: u64,
    /// The second the pass began (unix seconds); everything it wrote was synced from then on.
    pub started_at: i64,
    /// Whether the shop had reviews stored before the pass, i.e. whether it ends with a
    /// deletion sweep (a first sync has nothing to sweep).
    pub sweep: bool,
    /// Where the pass goes on, as the provider pages (a page number or a page token), when the
    /// pass recorded it (`None` in rows written before schema V14: the inbox then works the
    /// position out from `stored`, which only page numbers allow).
    pub resume: Option<PassResume>,
}

/// Where a stopped full pass goes on, in the provider's own paging.
///
/// Why kept beside the count: a page token (Trustpilot's feed and other cursor-paged
/// listings) cannot be worked out again from how many reviews are stored, so a pass that
/// stops and the app that restarts would otherwise ask the whole listing again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassResume {
    /// The page to ask next.
    pub at: PagePosition,
    /// How many reviews of the listing come before that page.
    pub before: u64,
    /// The page size the position was asked with (a page number means another page at another
    /// size, so the position is used only at the same size).
    pub page_size: u32,
}

/// A page position as the store spells it: a kind and a value (both text, so a token is kept
/// exactly as the provider sent it).
fn position_columns(at: &PagePosition) -> (&'static str, Option<String>) {
    match at {
        PagePosition::Newest => ("newest", None),
        PagePosition::Page(n) => ("page", Some(n.to_string())),
        PagePosition::Token(t) => ("token", Some(t.clone())),
        PagePosition::CreatedSince(at) => ("created_since", Some(at.to_string())),
    }
}

/// The position of stored columns; `None` for a kind or value this build cannot read (the pass
/// then goes on as if nothing were recorded, which is slower, never wrong).
fn position_from_columns(kind: &str, value: Option<String>) -> Option<PagePosition> {
    match (kind, value) {
        ("newest", _) => Some(PagePosition::Newest),
        ("page", Some(v)) => v.parse().ok().map(PagePosition::Page),
        ("token", Some(v)) => Some(PagePosition::Token(v)),
        ("created_since", Some(v)) => v.parse().ok().map(PagePosition::CreatedSince),
        _ => None,
    }
}

impl Store {
    /// Where the last sync of the shop stopped; `None` before the first sync.
    pub fn sync_cursor(&self, account: &AccountKey) -> Result<Option<SyncCursor>> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(None);
        };
        Ok(self
            .conn
            .prepare_cached(
                "SELECT newest_commented_at, newest_id, last_full_sync_at, \
                 last_incremental_sync_at FROM sync_state WHERE shop = ?1",
            )?
            .query_row([shop_id], |r| {
                Ok(SyncCursor {
                    newest_commented_at: r.get(0)?,
                    newest_id: r.get::<_, Option<String>>(1)?.map(ReviewId),
                    last_full_sync_at: r.get(2)?,
                    last_incremental_sync_at: r.get(3)?,
                })
            })
            .optional()?)
    }

    /// Records where a sync stopped.
    pub fn set_sync_cursor(&mut self, account: &AccountKey, cursor: &SyncCursor) -> Result<()> {
        let shop_id = Store::ensure_account(&self.conn, account)?;
        self.conn
            .prepare_cached(
                "INSERT INTO sync_state (shop, newest_commented_at, newest_id, \
                 last_full_sync_at, last_incremental_sync_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (shop) DO UPDATE SET newest_commented_at = excluded.newest_commented_at, \
                 newest_id = excluded.newest_id, last_full_sync_at = excluded.last_full_sync_at, \
                 last_incremental_sync_at = excluded.last_incremental_sync_at",
            )?
            .execute(params![
                shop_id,
                cursor.newest_commented_at,
                cursor.newest_id.as_ref().map(ReviewId::as_str),
                cursor.last_full_sync_at,
                cursor.last_incremental_sync_at
            ])?;
        Ok(())
    }

    /// The unfinished full pass of `shop`, if one stopped before its end.
    pub fn full_pass_progress(&self, account: &AccountKey) -> Result<Option<FullPassProgress>> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(None);
        };
        Ok(self
            .conn
            .prepare_cached(
                "SELECT stored, started_at, sweep, resume_kind, resume_value, resume_before, \
                 resume_page_size FROM full_pass_progress WHERE shop = ?1",
            )?
            .query_row([shop_id], |r| {
                let kind: Option<String> = r.get(3)?;
                let value: Option<String> = r.get(4)?;
                let before: Option<i64> = r.get(5)?;
                let page_size: Option<i64> = r.get(6)?;
                let resume = match (kind, before, page_size) {
                    (Some(kind), Some(before), Some(page_size)) => {
                        position_from_columns(&kind, value).and_then(|at| {
                            Some(PassResume {
                                at,
                                before: u64::try_from(before).ok()?,
                                page_size: u32::try_from(page_size).ok()?,
                            })
                        })
                    }
                    _ => None,
                };
                Ok(FullPassProgress {
                    stored: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                    started_at: r.get(1)?,
                    sweep: r.get(2)?,
                    resume,
                })
            })
            .optional()?)
    }

    /// Records how far a full pass got (`None`: the pass finished, nothing to resume). Why a
    /// write of its own after each batch, not inside the batch's transaction: a crash between
    /// the two only makes the next attempt fetch one batch again.
    pub fn set_full_pass_progress(
        &mut self,
        account: &AccountKey,
        progress: Option<&FullPassProgress>,
    ) -> Result<()> {
        let shop_id = Store::ensure_account(&self.conn, account)?;
        match progress {
            Some(p) => {
                let (kind, value) = match &p.resume {
                    Some(r) => {
                        let (kind, value) = position_columns(&r.at);
                        (Some(kind), value)
                    }
                    None => (None, None),
                };
                self.conn
                    .prepare_cached(
                        "INSERT INTO full_pass_progress (shop, stored, started_at, sweep, \
                         resume_kind, resume_value, resume_before, resume_page_size) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (shop) DO UPDATE SET \
                         stored = excluded.stored, started_at = excluded.started_at, \
                         sweep = excluded.sweep, resume_kind = excluded.resume_kind, \
                         resume_value = excluded.resume_value, \
                         resume_before = excluded.resume_before, \
                         resume_page_size = excluded.resume_page_size",
                    )?
                    .execute(params![
                        shop_id,
                        i64::try_from(p.stored).unwrap_or(i64::MAX),
                        p.started_at,
                        p.sweep,
                        kind,
                        value,
                        p.resume
                            .as_ref()
                            .map(|r| i64::try_from(r.before).unwrap_or(i64::MAX)),
                        p.resume.as_ref().map(|r| r.page_size),
                    ])?;
            }
            None => {
                self.conn
                    .prepare_cached("DELETE FROM full_pass_progress WHERE shop = ?1")?
                    .execute([shop_id])?;
            }
        }
        Ok(())
    }

    /// Whether the store holds any review of `shop`, active or deleted. Why: a full pass over a
    /// shop with none stored before it has nothing to sweep ([`Store::mark_missing_as_deleted`]
    /// would read every row it just wrote), and need not remember the ids it saw.
    pub fn has_reviews(&self, account: &AccountKey) -> Result<bool> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(false);
        };
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM reviews WHERE shop = ?1)")?
            .query_row([shop_id], |r| r.get(0))?)
    }

    /// Ends a full id sweep: flags `deleted_remotely_at` on every review of the shop that the
    /// sweep did not see. Only reviews last synced before `sweep_started_at` (unix seconds) are
    /// considered, so a review inserted by a concurrent incremental sync is never flagged.
    /// Returns how many reviews were newly flagged.
    pub fn mark_missing_as_deleted(
        &mut self,
        account: &AccountKey,
        seen: &HashSet<ReviewId>,
        sweep_started_at: i64,
    ) -> Result<usize> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(0);
        };
        let at = now();
        let tx = self.conn.transaction()?;
        // Candidates come from one pass over the shop's rows and are checked against `seen` in
        // memory: copying 100k seen ids into a temp table would cost more than the whole check.
        // (A first sync has nothing to sweep and does not call this; see `has_reviews`.)
        let missing: Vec<i64> = {
            let mut stmt = tx.prepare_cached(
                "SELECT rid, id FROM reviews \
                 WHERE shop = ?1 AND deleted_remotely_at IS NULL AND synced_at < ?2 ORDER BY rid",
            )?;
            let mut rows = stmt.query(params![shop_id, sweep_started_at])?;
            let mut missing = Vec::new();
            while let Some(row) = rows.next()? {
                let id = ReviewId(row.get(1)?);
                if !seen.contains(&id) {
                    missing.push(row.get(0)?);
                }
            }
            missing
        };
        {
            let mut flag =
                tx.prepare_cached("UPDATE reviews SET deleted_remotely_at = ?2 WHERE rid = ?1")?;
            for rid in &missing {
                flag.execute(params![rid, at])?;
                crate::fts_write::refresh_facets(&tx, *rid)?;
            }
        }
        let n = missing.len();
        tx.commit()?;
        Ok(n)
    }
}
