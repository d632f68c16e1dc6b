//! Star summaries of an account's active reviews, for the rating chart.
//!
//! `rating_counts` holds one row per account and star with the count of its active reviews
//! (not deleted here or on the server), so the chart of a whole account reads five numbers
//! instead of counting a million facet tokens (issue 19). Kept like `tags` (see `tags.rs`): by
//! the writer's inserts and updates, one statement per star and batch, and by every change of a
//! review's deleted state, which goes through `fts_write::refresh_facets`. Forgetting an account
//! deletes its rows with the rest of its data (the table has a `shop` column, see
//! `accounts.rs`).

use reviewdesk_core::{AccountKey, ProductId, RatingSummary, ReviewFilter};
use rusqlite::{params, Connection};

use crate::{Result, Store};

/// Changes to the active review counts per star, gathered over one write and applied with one
/// statement per star that changed.
pub(crate) struct RatingCounts {
    /// Stars (the stored rating, 0 to 255 by the schema's check) → change of its active count.
    changes: [i64; 256],
}

impl Default for RatingCounts {
    fn default() -> Self {
        RatingCounts { changes: [0; 256] }
    }
}

impl RatingCounts {
    /// Counts `delta` more active reviews with `rating` stars.
    pub(crate) fn add(&mut self, rating: u8, delta: i64) {
        if let Some(sum) = self.changes.get_mut(usize::from(rating)) {
            *sum += delta;
        }
    }

    /// Applies the changes to account `shop_id`'s star counts, in the caller's transaction.
    pub(crate) fn write(&self, conn: &Connection, shop_id: i64) -> Result<()> {
        let mut upsert = None;
        for (rating, delta) in (0i64..).zip(self.changes.iter()).filter(|(_, d)| **d != 0) {
            let stmt = match &mut upsert {
                Some(stmt) => stmt,
                None => upsert.insert(conn.prepare_cached(
                    "INSERT INTO rating_counts (shop, rating, active) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (shop, rating) DO UPDATE SET active = active + excluded.active",
                )?),
            };
            stmt.execute(params![shop_id, rating, delta])?;
        }
        Ok(())
    }
}

impl Store {
    /// Star counts of the account's active reviews, for one product (`"0"`: store reviews) or
    /// all, computed locally so the chart works offline and matches the list. The whole
    /// account's chart (at each launch and after each sync) reads the kept counts; one
    /// product's is counted from the search index.
    pub fn rating_summary(
        &self,
        account: &AccountKey,
        product: Option<&ProductId>,
    ) -> Result<RatingSummary> {
        if product.is_some() {
            return self.rating_summary_from_index(account, product);
        }
        let mut stars = [0u64; 5];
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(RatingSummary::from_star_counts(stars));
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT rating, active FROM rating_counts \
             WHERE shop = ?1 AND rating BETWEEN 1 AND 5",
        )?;
        let mut rows = stmt.query(params![shop_id])?;
        while let Some(row) = rows.next()? {
            let rating: i64 = row.get(0)?;
            let active: i64 = row.get(1)?;
            let slot = usize::try_from(rating - 1)
                .ok()
                .and_then(|at| stars.get_mut(at));
            if let Some(slot) = slot {
                *slot = u64::try_from(active).unwrap_or(0);
            }
        }
        Ok(RatingSummary::from_star_counts(stars))
    }

    /// Star counts counted from the search index: one count per star of its facet tokens in
    /// FTS5 (with the product's: schema V7 and V8 have no rating or product index), the way the
    /// list counts a star filter, so the chart and the list agree. Serves one product's chart;
    /// for a whole account it is the slow reference the kept counts are checked and measured
    /// against (tests, `figures` bench).
    pub fn rating_summary_from_index(
        &self,
        account: &AccountKey,
        product: Option<&ProductId>,
    ) -> Result<RatingSummary> {
        let mut stars = [0u64; 5];
        for (star, slot) in (1u8..=5).zip(stars.iter_mut()) {
            let filter = ReviewFilter {
                ratings: vec![star],
                product_id: product.cloned(),
                ..ReviewFilter::default()
            };
            *slot = self.count_reviews(account, &filter)?;
        }
        Ok(RatingSummary::from_star_counts(stars))
    }
}

/// Active review counts keyed by account row id and star.
#[cfg(test)]
pub(crate) type StarCounts = std::collections::BTreeMap<(i64, i64), i64>;

/// Each account's kept star counts (`rating_counts`, zero counts left out) beside the same
/// counted afresh from its active rows with a full `GROUP BY`: what the kept counts must equal
/// after every write.
#[cfg(test)]
pub(crate) fn kept_and_counted(store: &Store) -> (StarCounts, StarCounts) {
    let read = |sql: &str| -> StarCounts {
        let mut stmt = store.conn().prepare(sql).expect("prepare");
        let rows = stmt
            .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
            .expect("query");
        rows.collect::<rusqlite::Result<_>>().expect("rows")
    };
    (
        read("SELECT shop, rating, active FROM rating_counts WHERE active <> 0"),
        read(
            "SELECT shop, rating, count(*) FROM reviews WHERE gone = 0 \
             GROUP BY shop, rating",
        ),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::{HashMap, HashSet};

    use reviewdesk_core::{AccountKey, RatingSummary, Review, ReviewId};

    use super::kept_and_counted;
    use crate::bench::{synthetic_review, Rng};
    use crate::{Store, StoreError};

    /// Checks the kept counts against the rows, and the whole-account chart of each account
    /// against those rows and against the star counts of the search index.
    fn check(store: &Store, accounts: &[AccountKey], step: &str) {
        let (kept, counted) = kept_and_counted(store);
        assert_eq!(kept, counted, "after {step}");
        for account in accounts {
            let mut stars = [0u64; 5];
            if let Some(shop) = store.account_id(account).unwrap() {
                for (star, slot) in (1i64..).zip(stars.iter_mut()) {
                    *slot = counted.get(&(shop, star)).map_or(0, |n| *n as u64);
                }
            }
            let want = RatingSummary::from_star_counts(stars);
            let chart = store.rating_summary(account, None).unwrap();
            assert_eq!(chart.stars, want.stars, "chart of {account:?} after {step}");
            let from_index = store.rating_summary_from_index(account, None).unwrap();
            assert_eq!(
                from_index.stars, want.stars,
                "index of {account:?} after {step}"
            );
        }
    }

    /// Every write path that changes whether a review is active or its stars, in a
    /// pseudo-random sequence over two accounts, the kept counts checked after each step:
    /// new reviews (one at a time and in batches of new and stored ones), re-syncs
    /// unchanged, with other stars or another date (its key moves), local deletion and
    /// restore, the end of a full sweep marking reviews gone from the server and their return,
    /// and forgetting an account (then syncing it again).
    #[test]
    fn kept_star_counts_equal_the_active_rows_after_every_write() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let accounts = [AccountKey::trustoo("a"), AccountKey::trustoo("b")];
        let mut rng = Rng::new(19);
        let at = |id: u64| 1_700_000_000 - i64::try_from(id).unwrap() * 600;
        // What the server last sent of each review, per account.
        let mut sent: Vec<HashMap<u64, Review>> = vec![HashMap::new(), HashMap::new()];
        // A first sync of account a, big enough for the writer's second thread.
        let first: Vec<Review> = (0..600)
            .map(|id| synthetic_review(&mut rng, id, at(id)))
            .collect();
        store.upsert_reviews(&accounts[0], &first).unwrap();
        for r in first {
            sent[0].insert(r.id.0.parse().unwrap(), r);
        }
        check(&store, &accounts, "the first sync");
        let mut done: HashMap<&str, usize> = HashMap::new();
        for step in 0..600 {
            let which = usize::from(rng.chance(30));
            let account = &accounts[which];
            let id = rng.below(700);
            let review_id = ReviewId(id.to_string());
            let what = match rng.below(100) {
                0..=19 => {
                    // New, or the same review again with whatever the rng gives (stars too).
                    let r = synthetic_review(&mut rng, id, at(id));
                    store
                        .upsert_reviews(account, std::slice::from_ref(&r))
                        .unwrap();
                    sent[which].insert(id, r);
                    "a sync of one review"
                }
                20..=34 => {
                    let Some(mut r) = sent[which].get(&id).cloned() else {
                        continue;
                    };
                    r.rating = u8::try_from(1 + rng.below(5)).unwrap();
                    if rng.chance(30) {
                        r.commented_at += 1 + i64::try_from(rng.below(100_000)).unwrap();
                    }
                    store
                        .upsert_reviews(account, std::slice::from_ref(&r))
                        .unwrap();
                    sent[which].insert(id, r);
                    "a change of stars"
                }
                35..=44 => {
                    let Some(r) = sent[which].get(&id) else {
                        continue;
                    };
                    store
                        .upsert_reviews(account, std::slice::from_ref(r))
                        .unwrap();
                    "a re-sync unchanged"
                }
                45..=59 => {
                    match store.delete_review(account, &review_id, "t") {
                        Ok(_) | Err(StoreError::NotFound(_) | StoreError::AlreadyDeleted(_)) => {}
                        Err(e) => panic!("delete: {e}"),
                    }
                    "a local deletion"
                }
                60..=74 => {
                    store.restore_review(account, &review_id, "t").unwrap();
                    "a restore"
                }
                75..=84 => {
                    // A batch of new and stored reviews, some with other stars. Each review
                    // once: a batch naming one twice breaks the search index (see the ignored
                    // test `a_batch_naming_a_review_twice_keeps_the_search_index_whole`).
                    let mut batch: Vec<Review> = Vec::new();
                    for _ in 0..1 + rng.below(20) {
                        let id = rng.below(700);
                        if batch.iter().any(|r| r.id.0 == id.to_string()) {
                            continue;
                        }
                        let r = match sent[which].get(&id) {
                            Some(r) if rng.chance(50) => {
                                let mut r = r.clone();
                                r.rating = u8::try_from(1 + rng.below(5)).unwrap();
                                r
                            }
                            _ => synthetic_review(&mut rng, id, at(id)),
                        };
                        batch.push(r);
                    }
                    store.upsert_reviews_reporting_new(account, &batch).unwrap();
                    for r in batch {
                        sent[which].insert(r.id.0.parse().unwrap(), r);
                    }
                    "a batch"
                }
                85..=94 => {
                    // A full sweep that saw about nine reviews in ten.
                    let seen: HashSet<ReviewId> = sent[which]
                        .values()
                        .filter(|_| !rng.chance(10))
                        .map(|r| r.id.clone())
                        .collect();
                    store
                        .mark_missing_as_deleted(account, &seen, i64::MAX)
                        .unwrap();
                    "a sweep marking reviews gone from the server"
                }
                _ => {
                    if !rng.chance(20) {
                        continue;
                    }
                    store.delete_account(account).unwrap();
                    sent[which].clear();
                    "forgetting the account"
                }
            };
            check(&store, &accounts, &format!("step {step}, {what}"));
            *done.entry(what).or_default() += 1;
        }
        assert_eq!(done.len(), 8, "every kind of write ran: {done:?}");
        let (kept, _) = kept_and_counted(&store);
        assert!(
            kept.keys().any(|(shop, _)| *shop != 1),
            "account b was written"
        );
        store.check_search_index().unwrap();
    }
}
