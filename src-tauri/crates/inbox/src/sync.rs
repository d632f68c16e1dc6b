//! The sync engine (strategy in the crate docs).

use reviewdesk_core::AccountKey;
use std::collections::HashSet;

use futures::StreamExt;
use reviewdesk_core::{
    NewReviews, Review, ReviewFilter, ReviewId, SyncCursor, SyncPhase, SyncStatus,
};
use reviewdesk_store::{FullPassProgress, PassResume, Store, StoreError};

use crate::source::{PagePosition, ReviewSource};
use crate::{lock, now, Inbox, InboxError, SharedStore};

/// At most this many ids are listed in [`NewReviews::ids`] (the count stays exact): enough to
/// filter the list to what a poll brought, bounded so a first sync of a million reviews does
/// not carry a million ids in one event.
pub const MAX_NEW_IDS: usize = 1000;

/// What kind of sync to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncMode {
    /// Incremental, with a full pass when one is due (first sync, count mismatch, interval).
    #[default]
    Auto,
    /// Always a full pass (every page; notices every server deletion).
    Full,
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncReport {
    /// This was the shop's first sync (everything is new; do not notify).
    pub first_sync: bool,
    /// A full pass ran (so server deletions were swept).
    pub full_pass: bool,
    /// Reviews fetched from the server.
    pub fetched: u64,
    /// Reviews the server reports in all.
    pub total: Option<u64>,
    /// Reviews the store did not know before.
    pub new: NewReviews,
    /// Local reviews newly noticed as gone from the server.
    pub deleted_remotely: usize,
}

/// The smallest batches of a full pass, at its start and in its last stretch, are this many
/// times smaller than the full size (see `Inbox::full_pass`).
const SMALL_BATCH_DIVISOR: usize = 5;

/// Where a full pass starts: the unfinished pass it resumes, if any; and for its sweep, whether
/// anything was stored before this sync (a first sync has nothing to sweep) and the ids of the
/// reviews listed apart, read whole before the pass (the pass's own pages never hold them).
struct PassStart {
    resume: Option<FullPassProgress>,
    had_reviews: bool,
    apart: HashSet<ReviewId>,
}

/// The last page of a batch handed to the writer.
#[derive(Debug, Clone)]
struct Mark {
    /// Its number in the pass (1-based, counting the pages a resumed pass skipped).
    page: u32,
    /// Where a pass that stored it goes on, and how many reviews of the listing come before
    /// that position.
    resume: (PagePosition, u64),
}

/// Accumulates what was new.
#[derive(Default)]
struct News(NewReviews);

impl News {
    /// Notes the reviews of `batch` at `fresh` (indexes, as the store reported them new).
    fn add(&mut self, batch: &[Review], fresh: &[usize]) {
        for r in fresh.iter().filter_map(|&i| batch.get(i)) {
            self.0.count += 1;
            if r.rating == 1 {
                self.0.one_star += 1;
            }
            if self.0.ids.len() < MAX_NEW_IDS {
                self.0.ids.push(r.id.clone());
            }
        }
    }

    /// Adds what a later step found.
    fn merge(&mut self, later: News) {
        self.0.count += later.0.count;
        self.0.one_star += later.0.one_star;
        let room = MAX_NEW_IDS.saturating_sub(self.0.ids.len());
        self.0.ids.extend(later.0.ids.into_iter().take(room));
    }
}

/// Writes one batch in one transaction and notes what the store did not know in `news`.
fn store_batch(
    store: &mut Store,
    account: &AccountKey,
    batch: &[Review],
    news: &mut News,
) -> Result<(), StoreError> {
    let (_, inserted) = store.upsert_reviews_reporting_new(account, batch)?;
    news.add(batch, &inserted);
    Ok(())
}

/// [`store_batch`] off the async workers; returns the batch's news.
async fn store_batch_blocking(
    store: &SharedStore,
    account: &AccountKey,
    batch: Vec<Review>,
) -> Result<News, InboxError> {
    let store = store.clone();
    let account = account.clone();
    tokio::task::spawn_blocking(move || {
        let mut news = News::default();
        store_batch(&mut lock(&store), &account, &batch, &mut news).map(|()| news)
    })
    .await
    .map_err(|e| InboxError::Internal(e.to_string()))?
    .map_err(InboxError::from)
}

/// Newest review of a batch, to move the cursor.
fn newest(cursor: &mut SyncCursor, reviews: &[Review]) {
    for r in reviews {
        if r.commented_at > cursor.newest_commented_at || cursor.newest_id.is_none() {
            cursor.newest_commented_at = r.commented_at;
            cursor.newest_id = Some(r.id.clone());
        }
    }
}

impl Inbox {
    /// Brings the store up to date with Trustoo (see the crate docs for the strategy) and says
    /// what is new. `progress` receives the status after every page or batch (also kept for
    /// [`Inbox::sync_status`]). Syncs of one inbox run one at a time.
    pub async fn sync(
        &self,
        source: &dyn ReviewSource,
        mode: SyncMode,
        progress: &(dyn Fn(&SyncStatus) + Send + Sync),
    ) -> Result<SyncReport, InboxError> {
        let _running = self.sync_lock.lock().await;
        let previous = self.sync_status().last_synced_at;
        let mut status = SyncStatus {
            phase: SyncPhase::Fetching,
            last_synced_at: previous,
            ..SyncStatus::default()
        };
        self.set_status(&status);
        progress(&status);
        let result = self.run_sync(source, mode, &mut status, progress).await;
        match &result {
            Ok(report) => {
                self.note_reachable(true);
                status.phase = SyncPhase::Done;
                status.last_synced_at = Some(now());
                status.new_count = report.new.count;
                status.message = None;
                self.set_status(&status);
                progress(&status);
                self.compact_journal();
            }
            Err(e) => progress(&self.fail_with(status.clone(), e)),
        }
        result
    }

    /// Copies the write-ahead journal into the main file once a sync has written its batches,
    /// on a blocking thread after the sync reported "done" (copying a first sync's journal takes
    /// a moment the merchant need not wait for; the window reads on its own connection
    /// meanwhile). SQLite does so on its own only past 256 MiB and when the last connection
    /// closes, which a desktop app killed at shutdown never does: without this the journal grew
    /// launch after launch and the main file never held the data. A failure only costs disk
    /// space (the journal stays valid), so it is logged, not reported.
    pub fn compact_journal(&self) {
        let store = self.store.clone();
        let checkpoint = move || {
            if let Err(err) = lock(&store).checkpoint() {
                tracing::warn!(%err, "the store's journal could not be checkpointed");
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(checkpoint)),
            Err(_) => checkpoint(),
        }
    }

    async fn run_sync(
        &self,
        source: &dyn ReviewSource,
        mode: SyncMode,
        status: &mut SyncStatus,
        progress: &(dyn Fn(&SyncStatus) + Send + Sync),
    ) -> Result<SyncReport, InboxError> {
        let (cursor, resume) = {
            let store = lock(&self.store);
            (
                store.sync_cursor(&self.account)?,
                store.full_pass_progress(&self.account)?,
            )
        };
        let first_sync = cursor.as_ref().and_then(|c| c.last_full_sync_at).is_none();
        let mut cursor = cursor.unwrap_or_default();
        let overdue = cursor.last_full_sync_at.is_some_and(|at| {
            now().saturating_sub(at)
                >= i64::try_from(self.config.full_pass_every.as_secs()).unwrap_or(i64::MAX)
        });
        let mut report = SyncReport {
            first_sync,
            ..SyncReport::default()
        };
        let mut news = News::default();
        // Whether a new full pass has anything to sweep: asked before the reviews listed apart
        // are stored, so a first sync still skips the sweep.
        let had_reviews = lock(&self.store).has_reviews(&self.account)?;
        let apart = self
            .listed_apart(source, &mut news, status, progress)
            .await?;
        let mut full = first_sync || overdue || mode == SyncMode::Full || resume.is_some();
        // A pass that resumes where an earlier one stopped does not visit the pages before it,
        // so reviews that arrived since come from the newest-first pages first (a first sync
        // leaves them to the next poll: nothing stored is older than what it already has).
        if !full || (resume.is_some() && !first_sync) {
            let server_count = self
                .incremental(source, &mut cursor, &mut news, status, progress)
                .await?;
            report.total = server_count;
            // The count differs when the server lost reviews (deleted there) or the store
            // missed some (a listing shift): both need the full pass. A source that does not
            // say its count leaves deletions to the interval's pass.
            if let Some(server_count) = server_count {
                let local =
                    lock(&self.store).count_reviews(&self.account, &ReviewFilter::default())?;
                if server_count != local {
                    tracing::info!(
                        account = %self.account,
                        server_count,
                        local,
                        "review counts differ; running a full pass"
                    );
                    full = true;
                }
            }
        }
        if full {
            let start = PassStart {
                resume,
                had_reviews,
                apart,
            };
            report.deleted_remotely = self
                .full_pass(source, start, &mut cursor, &mut news, status, progress)
                .await?;
            report.full_pass = true;
            cursor.last_full_sync_at = Some(now());
        }
        cursor.last_incremental_sync_at = Some(now());
        {
            let mut store = lock(&self.store);
            store.set_sync_cursor(&self.account, &cursor)?;
            if report.full_pass {
                store.set_full_pass_progress(&self.account, None)?;
            }
        }
        report.fetched = status.fetched;
        report.total = status.total.or(report.total);
        report.new = news.0;
        Ok(report)
    }

    /// Newest-first pages until one holds a known review. Returns the server's review count,
    /// when the source says it.
    async fn incremental(
        &self,
        source: &dyn ReviewSource,
        cursor: &mut SyncCursor,
        news: &mut News,
        status: &mut SyncStatus,
        progress: &(dyn Fn(&SyncStatus) + Send + Sync),
    ) -> Result<Option<u64>, InboxError> {
        // One page in flight: the pages after the one with a known review are never asked.
        let mut pages = source.newest_pages(&PagePosition::Newest, self.config.page_size, 1);
        let mut total = None;
        // Reviews written since this instant are read again even when known (see
        // `ReviewSource::rescan_window`).
        let rescan_since = source
            .rescan_window()
            .map(|w| now().saturating_sub(i64::try_from(w.as_secs()).unwrap_or(i64::MAX)));
        while let Some(got) = pages.next().await {
            let got = got?;
            if got.total.is_some() {
                total = got.total;
                status.total = got.total;
            }
            status.fetched += got.reviews.len() as u64;
            let len = got.reviews.len();
            let still_recent = rescan_since.is_some_and(|since| {
                got.reviews.iter().map(|r| r.commented_at).min() >= Some(since)
            });
            newest(cursor, &got.reviews);
            let fresh = store_batch_blocking(&self.store, &self.account, got.reviews).await?;
            let reached_known = (fresh.0.count as usize) < len;
            news.merge(fresh);
            status.new_count = news.0.count;
            self.set_status(status);
            progress(status);
            if (reached_known && !still_recent) || len == 0 {
                break;
            }
        }
        Ok(total)
    }

    /// The reviews the source lists apart (see [`ReviewSource::listed_apart`]), read whole,
    /// each made whole against its stored copy, and stored page by page. Returns their ids
    /// (a full pass's sweep counts them as seen).
    async fn listed_apart(
        &self,
        source: &dyn ReviewSource,
        news: &mut News,
        status: &mut SyncStatus,
        progress: &(dyn Fn(&SyncStatus) + Send + Sync),
    ) -> Result<HashSet<ReviewId>, InboxError> {
        let mut seen = HashSet::new();
        let Some(mut pages) = source.listed_apart() else {
            return Ok(seen);
        };
        while let Some(page) = pages.next().await {
            let page = page?;
            let mut whole = Vec::with_capacity(page.reviews.len());
            for listed in page.reviews {
                let stored = lock(&self.store)
                    .get_review(&self.account, &listed.id)?
                    .map(|row| row.review);
                whole.push(source.complete(listed, stored).await?);
            }
            seen.extend(whole.iter().map(|r| r.id.clone()));
            status.fetched += whole.len() as u64;
            news.merge(store_batch_blocking(&self.store, &self.account, whole).await?);
            status.new_count = news.0.count;
            self.set_status(status);
            progress(status);
        }
        Ok(seen)
    }

    /// Every page, written by a writer thread in batches while the next pages download; ends
    /// with the deletion sweep. Returns how many local reviews were newly flagged as deleted on
    /// the server.
    ///
    /// After each batch the writer records in the store how far the pass got and where it goes
    /// on ([`FullPassProgress`] with its [`PassResume`]: the page after the batch's last page
    /// when the source named it with a token, else that last page); a page that fails (after
    /// the client's retries) stops the pass with what came before it written, and the next
    /// pass (`resume`, also after a restart) starts again there, not at the newest: a page
    /// number is asked again (in case the listing moved a little meanwhile), a token is not.
    async fn full_pass(
        &self,
        source: &dyn ReviewSource,
        start: PassStart,
        cursor: &mut SyncCursor,
        news: &mut News,
        status: &mut SyncStatus,
        progress: &(dyn Fn(&SyncStatus) + Send + Sync),
    ) -> Result<usize, InboxError> {
        let page_size = self.config.page_size.max(1);
        let (from, before, started_at, sweep, sweep_started_at) = match start.resume {
            Some(p) => {
                let (from, before) = Inbox::resume_position(source, &p, page_size);
                // Every review an earlier attempt wrote has `synced_at >= started_at`, so the
                // sweep leaves it alone (its ids are not in `seen`). A review synced in that
                // same second just before the pass is left alone too: a deletion among those
                // is missed here, never wrongly flagged, and the count check of the next sync
                // runs a whole pass again.
                (from, before, p.started_at, p.sweep, p.started_at)
            }
            None => {
                let started_at = now();
                // Syncs of this shop are serialised and the store only takes reviews from
                // syncs, so every review stored up to now (this second included, hence the +1;
                // `synced_at` has one-second resolution) is either seen by this pass or gone
                // from the server.
                // With nothing stored before the pass (a first sync), nothing can have gone
                // missing.
                let sweep = start.had_reviews;
                (PagePosition::Newest, 0, started_at, sweep, started_at + 1)
            }
        };
        let first_page = u32::try_from(before / u64::from(page_size) + 1).unwrap_or(u32::MAX);
        if first_page > 1 {
            tracing::info!(account = %self.account, first_page, "resuming an unfinished full pass");
        }
        // The reviews listed apart were read whole before this pass.
        let mut seen: HashSet<ReviewId> = if sweep { start.apart } else { HashSet::new() };
        // One batch waits at most: when the writer is the slower side, a long queue only means
        // a long tail written alone after the last page arrived (one core idle), while a short
        // one holds the fetch back and leaves the writer the CPU during the pass.
        // Each batch goes with the number of its last page, which the writer records once the
        // batch is written.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(Vec<Review>, Mark)>(1);
        let store = self.store.clone();
        let account = self.account.clone();
        // One transaction holds the writing connection (and so the window's own writes,
        // triage or a delete, which wait for it; its reads have a connection of their own) for
        // its whole length: at most one full batch, ~0.2 s for 20,000 reviews.
        let max_rows = self.config.batch_rows;
        let writer = tokio::task::spawn_blocking(move || {
            let mut news = News::default();
            while let Some((mut batch, mut last)) = rx.blocking_recv() {
                // When the writer falls behind, the smaller batches waiting for it (start and
                // end of a pass) go into the same transaction, up to the full batch size:
                // fewer commits and FTS segments let it catch up.
                while batch.len() < max_rows {
                    match rx.try_recv() {
                        Ok((more, mark)) => {
                            batch.extend(more);
                            last = mark;
                        }
                        Err(_) => break,
                    }
                }
                let mut store = lock(&store);
                store_batch(&mut store, &account, &batch, &mut news)?;
                // One small write per batch (a handful per pass).
                let stored = u64::from(last.page) * u64::from(page_size);
                let (at, before) = last.resume;
                store.set_full_pass_progress(
                    &account,
                    Some(&FullPassProgress {
                        stored,
                        started_at,
                        sweep,
                        resume: Some(PassResume {
                            at,
                            before,
                            page_size,
                        }),
                    }),
                )?;
            }
            Ok::<_, StoreError>(news)
        });
        let mut pages =
            source.full_pass_pages(&from, self.config.page_size, self.config.concurrency);
        let mut batch: Vec<Review> = Vec::with_capacity(self.config.batch_rows);
        // Reviews handed to the writer so far.
        let mut sent = 0usize;
        // The listing's reviews before `from` are stored already: progress counts them.
        status.fetched = before;
        // The last page received (pages come in order).
        let mut page_no = first_page - 1;
        // The last page received, as the writer records it.
        let mut mark: Option<Mark> = None;
        let mut failure = None;
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(account = %self.account, page = page_no + 1, error = %e, "full pass stopped");
                    failure = Some(e);
                    break;
                }
            };
            page_no += 1;
            // A provider that named the next page (a token) is asked from there; else this
            // page is asked again (page numbers shift as reviews arrive).
            let this = Mark {
                page: page_no,
                resume: match page.next {
                    Some(next) => (next, status.fetched + page.reviews.len() as u64),
                    None => (page.at, status.fetched),
                },
            };
            if page.total.is_some() {
                status.total = page.total;
            }
            status.fetched += page.reviews.len() as u64;
            newest(cursor, &page.reviews);
            if sweep {
                seen.extend(page.reviews.iter().map(|r| r.id.clone()));
            }
            batch.extend(page.reviews);
            // Near the end, smaller batches go to the writer: what is still unwritten when the
            // last page arrives is written with nothing left to overlap it. Not page by page:
            // each transaction has a fixed cost (commit, an FTS segment), measured at twice the
            // per-review cost of a 5,000-review batch for 100-review ones, which slowed the
            // last pages' download more than it shortened the tail.
            let last_stretch = status
                .total
                .is_some_and(|total| status.fetched + self.config.batch_rows as u64 > total);
            let last_page = status.total.is_some_and(|total| status.fetched >= total);
            // At the start, batches grow from a fifth of the full size to the full size (each
            // as large as what went before): the writer starts early instead of waiting idle
            // for a whole batch, at the cost of a few more (small) transactions.
            let ramp = sent.clamp(
                self.config.batch_rows / SMALL_BATCH_DIVISOR,
                self.config.batch_rows,
            );
            let due = if last_stretch {
                batch.len() >= self.config.batch_rows / SMALL_BATCH_DIVISOR || last_page
            } else {
                batch.len() >= ramp
            };
            if due {
                sent += batch.len();
                let full =
                    std::mem::replace(&mut batch, Vec::with_capacity(self.config.batch_rows));
                if tx.send((full, this.clone())).await.is_err() {
                    break; // the writer failed; its error is reported below
                }
            }
            mark = Some(this);
            self.set_status(status);
            progress(status);
        }
        // Also after a failure: every page before the failed one is here, in order, and is
        // kept (and the next pass resumes after it).
        if let Some(last) = mark.filter(|_| !batch.is_empty()) {
            let _ = tx.send((batch, last)).await;
        }
        drop(tx);
        let fresh = writer
            .await
            .map_err(|e| InboxError::Internal(e.to_string()))??;
        if let Some(e) = failure {
            return Err(e.into());
        }
        news.merge(fresh);
        status.new_count = news.0.count;
        if !sweep {
            return Ok(0);
        }
        let store = self.store.clone();
        let account = self.account.clone();
        let flagged = tokio::task::spawn_blocking(move || {
            lock(&store).mark_missing_as_deleted(&account, &seen, sweep_started_at)
        })
        .await
        .map_err(|e| InboxError::Internal(e.to_string()))??;
        if flagged > 0 {
            tracing::info!(account = %self.account, flagged, "reviews deleted on the server noticed");
        }
        Ok(flagged)
    }
}

impl Inbox {
    /// Where a stopped pass continues: the position it recorded (a page token, or a page
    /// number at the same page size), else where the source can jump to for the stored count
    /// (a row from before schema V14, or another page size), else the newest (the pass is asked
    /// whole again; what the earlier attempt stored is still left alone by the sweep). Also how
    /// many reviews of the listing come before that position.
    fn resume_position(
        source: &dyn ReviewSource,
        progress: &FullPassProgress,
        page_size: u32,
    ) -> (PagePosition, u64) {
        match progress
            .resume
            .as_ref()
            .filter(|r| r.page_size == page_size)
        {
            Some(r) => (r.at.clone(), r.before),
            None => source
                .position_after(progress.stored, page_size)
                .unwrap_or((PagePosition::Newest, 0)),
        }
    }
}
