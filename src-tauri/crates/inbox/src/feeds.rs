//! Review requests (orders) and widget events brought into the store: when the Requests or
//! Analytics page opens, and by the regular sync after the reviews.
//!
//! Why beside the review sync: the same rules hold (the client's one door renews a refused
//! token once and retries bad pages; what was fetched before a failure stays stored; the pages
//! read the store, so they work offline). What differs is what may change on the server:
//!
//! * **Orders**: a request's status moves on (scheduled → sent → opened → reviewed) for weeks
//!   after the order, and the listing has no "updated since" filter. So the first fetch takes
//!   every page, later ones re-read only orders created in the last [`ORDERS_STILL_MOVING`]
//!   (`start_time`), and a full pass runs again at least every `full_pass_every`.
//! * **Events** never change and have no date filter: newest first, page by page, until a page
//!   holds an event the store has (stored only then, so a fetch cut off in the middle leaves no
//!   gap). Until one fetch has gone through every page (a year can be
//!   two million events), each fetch goes through every page again; the store ignores what it
//!   has.
//!
//! The regular sync refreshes events only for an account whose Analytics page was opened once
//! (its events feed has a state): a year of events is not downloaded for a merchant who never
//! looks at it.

use futures::StreamExt;
use reviewdesk_core::FeedRefresh;
use reviewdesk_store::Feed;
use reviewdesk_trustoo::types::{EventQuery, OrderQuery, SortOrder};
use reviewdesk_trustoo::TrustooClient;

use crate::{lock, now, Inbox, InboxError};

/// Orders created this recently may still see their request's status change.
pub const ORDERS_STILL_MOVING: i64 = 60 * 86_400;

/// Events written to the store per transaction.
const EVENT_BATCH: usize = 5_000;

impl Inbox {
    /// Fetches orders into the store (see the module's rules) and records the fetch.
    pub async fn refresh_orders(&self, client: &TrustooClient) -> Result<FeedRefresh, InboxError> {
        let _one = self.feeds_lock.lock().await;
        let account = self.account.clone();
        let started = now();
        let state = self.with_reader(|s| s.feed_state(&account, Feed::Orders))?;
        let full_every = i64::try_from(self.config.full_pass_every.as_secs()).unwrap_or(i64::MAX);
        let full = state
            .and_then(|s| s.full_at)
            .is_none_or(|at| started - at >= full_every);
        let query = OrderQuery {
            sort: Some(SortOrder::CreatedDescending),
            page_size: Some(self.config.page_size),
            created_between: (!full).then_some((started - ORDERS_STILL_MOVING, started + 86_400)),
            ..Default::default()
        };
        let mut pages = client.order_pages(query, self.config.concurrency);
        let (mut fetched, mut new) = (0u64, 0u64);
        let result = async {
            while let Some(page) = pages.next().await {
                let page = page?;
                fetched += page.list.len() as u64;
                new += lock(&self.store).upsert_orders(&account, &page.list)?;
            }
            Ok::<(), InboxError>(())
        }
        .await;
        let done = result.is_ok();
        if fetched > 0 || done {
            lock(&self.store).set_feed_synced(&account, Feed::Orders, now(), full && done)?;
        }
        result?;
        Ok(FeedRefresh {
            fetched,
            new,
            synced_at: now(),
        })
    }

    /// Fetches new events into the store (see the module's rules) and records the fetch.
    pub async fn refresh_events(&self, client: &TrustooClient) -> Result<FeedRefresh, InboxError> {
        let _one = self.feeds_lock.lock().await;
        let account = self.account.clone();
        let state = self.with_reader(|s| s.feed_state(&account, Feed::Events))?;
        let every_page = state.and_then(|s| s.full_at).is_none();
        let query = EventQuery {
            sort: Some(SortOrder::CreatedDescending),
            page_size: Some(self.config.page_size),
            ..Default::default()
        };
        // Page by page when stopping early is likely; with bounded concurrency for a full pass.
        let concurrency = if every_page {
            self.config.concurrency
        } else {
            1
        };
        let mut pages = client.event_pages(query, concurrency);
        let (mut fetched, mut new) = (0u64, 0u64);
        let mut batch = Vec::with_capacity(EVENT_BATCH);
        let mut reached_known = false;
        let result = async {
            while let Some(page) = pages.next().await {
                let page = page?;
                fetched += page.list.len() as u64;
                if !every_page {
                    let reader = lock(&self.reader);
                    for e in &page.list {
                        if reader.has_event(&account, e.created_at, &e.id)? {
                            reached_known = true;
                            break;
                        }
                    }
                }
                batch.extend(page.list);
                // A pass over every page stores as it goes. A fetch of the new events only
                // stores once it reached a known event: stored earlier, the newest pages of a
                // fetch cut off in the middle would be "known" to the next one, which would stop
                // there and never fetch the pages between (a gap in the charts for good).
                if (every_page && batch.len() >= EVENT_BATCH) || reached_known {
                    new += lock(&self.store).insert_events(&account, &batch)?;
                    batch.clear();
                }
                if reached_known {
                    break;
                }
            }
            Ok::<(), InboxError>(())
        }
        .await;
        // What a pass over every page fetched before a failure is kept (the next pass reads
        // every page again); the new events of a cut-off fetch are fetched again next time.
        if !batch.is_empty() && (every_page || result.is_ok()) {
            new += lock(&self.store).insert_events(&account, &batch)?;
        }
        let done = result.is_ok();
        if fetched > 0 || done {
            let full = every_page && done;
            lock(&self.store).set_feed_synced(&account, Feed::Events, now(), full)?;
        }
        result?;
        Ok(FeedRefresh {
            fetched,
            new,
            synced_at: now(),
        })
    }

    /// The regular sync's part: orders always (when the sign-in allows them), events only for
    /// an account whose Analytics page was opened once. A feed the sign-in does not allow, or a
    /// failure, is logged and leaves the review sync's result alone.
    pub async fn refresh_feeds(&self, client: &TrustooClient) {
        if let Err(err) = self.refresh_orders(client).await {
            tracing::info!(%err, account = %self.account.id, "orders not refreshed");
        }
        let account = self.account.clone();
        let opened = self
            .with_reader(|s| s.feed_state(&account, Feed::Events))
            .ok()
            .flatten()
            .is_some();
        if opened {
            if let Err(err) = self.refresh_events(client).await {
                tracing::info!(%err, account = %self.account.id, "events not refreshed");
            }
        }
    }
}
