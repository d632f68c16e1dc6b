//! `reviewdesk-inbox`: keeps the local store and Trustoo in agreement, without a window.
//!
//! Why a crate of its own: the Tauri commands must stay a few lines each, and the rules that
//! make the inbox trustworthy (what a sync fetches, when a deletion is noticed, that a queued
//! action reaches Trustoo exactly once) need tests against the sandbox, not against a window.
//!
//! One [`Inbox`] serves one account (a provider's shop or business unit, an `AccountKey`). It shares the store (one SQLite file for every shop, see
//! `reviewdesk-store`) through a mutex, reads for the window on a read-only connection of its
//! own ([`Inbox::with_reader`]), and takes a [`ReviewSource`] per call (Trustoo's client is
//! one, see `trustoo.rs`), so the app can hand it a client with a fresh token each time, of
//! whichever provider the account has.
//!
//! # How the inbox learns about the server
//!
//! * **First sync**: every page of `get_reviews` newest-first, fetched with bounded
//!   concurrency by the client's pager, written in batched transactions by a writer thread
//!   while the next pages download.
//! * **Incremental sync**: `get_reviews` newest-first, one page at a time, until a page
//!   contains a review the store already knows (reviews only get older from there). A provider
//!   with no "updated since" (Trustpilot) names a re-scan window
//!   ([`ReviewSource::rescan_window`]): pages are read on past known reviews until one is wholly
//!   older than it, so recent replies, edits and reports are picked up.
//! * **Full pass listing**: newest-first by default; a provider whose page numbers are stable
//!   only oldest first (Trustpilot's `createdat.asc`) reads that order
//!   ([`ReviewSource::full_pass_pages`]).
//! * **Deletions on the server** never show up in a newest-first listing. They are noticed
//!   by a *full pass* (every page, every id) that ends with
//!   [`reviewdesk_store::Store::mark_missing_as_deleted`]: a local review the pass did not see
//!   is flagged `deleted_remotely_at` (the copy stays in the Deleted view). A full pass runs
//!   (1) on the first sync, (2) whenever the server's review `count` (page 1 of the incremental
//!   sync) differs from the number of active reviews in the store after the incremental pages
//!   are written, which catches a deletion right at the next poll (also next to new reviews:
//!   they are stored before counting), and (3) at least every [`InboxConfig::full_pass_every`]
//!   as a safety net for anything the counts cannot show (e.g. a deletion and a review the
//!   store missed cancelling out).
//!   A review flagged by mistake (the listing shifted during the pass) is un-flagged by the
//!   next upsert that sees it, and the count check triggers that next pass.
//! * **New reviews** are the ones a sync inserted that the store did not know; the first sync
//!   reports them with `first_sync = true` so the app does not notify a whole history.
//! * **A bad page** (an answer that cannot be decoded, a 5xx, a cut connection) is asked again
//!   by the client with backoff (reads only; see `reviewdesk_trustoo::retry`). If it stays bad,
//!   the sync stops with the reason and keeps every page before it: a full pass records after
//!   each written batch how far it got and where it goes on, as a page number or a page token
//!   ([`reviewdesk_store::FullPassProgress`]), and the next sync (also after a restart)
//!   continues from there instead of page 1 (a first sync of a million reviews is not started
//!   over because of one bad answer). An incremental sync stores page by
//!   page; what a stopped one missed shows in the count check, which runs the full pass.
//! * **Phases**: a sync that cannot connect is `Offline`; one that Trustoo answers with server
//!   errors or "too many requests" is `ServerTrouble` (not offline; tried again shortly); any
//!   other stop is `Failed`, with a sentence saying why.

mod actions;
pub mod background;
mod export;
mod feeds;
mod product_reviews;
mod replies;
pub mod source;
mod sync;
mod trustoo;
pub mod trustpilot;

use reviewdesk_core::AccountKey;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use reviewdesk_core::{SyncPhase, SyncStatus};
use reviewdesk_store::{Store, StoreError};

pub use actions::{
    check_tag, parse_email_type, ReplayReport, EXCLUSION_PAGE_SIZE, MAX_FIND_MESSAGE_CHARS,
    MAX_REPLY_CHARS, MAX_TAG_CHARS,
};
pub use background::{notification_text, Background, InboxHost};
pub use export::{export_file_name, unique_export_path};
pub use feeds::ORDERS_STILL_MOVING;
pub use product_reviews::product_review_from;
pub use replies::check_reply;
pub use source::{
    PagePosition, ReviewSource, SourceError, SourceErrorKind, SourceFuture, SourcePage,
};
pub use sync::{SyncMode, SyncReport, MAX_NEW_IDS};
pub use trustpilot::TrustpilotSource;

/// The store as the inbox shares it: one connection behind a mutex (the store is not `Sync`).
pub type SharedStore = Arc<Mutex<Store>>;

/// Locks the store, recovering from a panic in another holder (the store itself stays
/// consistent: every write is a transaction).
pub(crate) fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Everything an inbox operation can fail with, typed so the app can pick a sentence.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The review platform answered with an error (or could not be reached).
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The caller asked about something the store does not have.
    #[error("{0}")]
    NotFound(String),
    /// The caller's input cannot be used; the message is a sentence for the merchant.
    #[error("{0}")]
    Invalid(String),
    /// Writing an export file failed.
    #[error("could not write the file: {0}")]
    Io(#[from] std::io::Error),
    /// A background task died (a bug).
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<reviewdesk_trustoo::Error> for InboxError {
    fn from(e: reviewdesk_trustoo::Error) -> Self {
        InboxError::Source(e.into())
    }
}

/// Tuning of one inbox; the defaults suit the real API.
#[derive(Debug, Clone)]
pub struct InboxConfig {
    /// Pages fetched at once during a full pass (the pager keeps them in order).
    pub concurrency: usize,
    /// Reviews per `get_reviews` page (the documented maximum is 100).
    pub page_size: u32,
    /// Reviews per store transaction during a full pass.
    ///
    /// 20,000 by default: each transaction has a fixed cost (an FTS5 segment flush, and a merge
    /// once 16 segments pile up; the search-term upserts of every distinct word; B-tree pages
    /// rewritten into the WAL). Measured with callgrind on the writer over the sandbox's 100,000
    /// reviews: 9.09 G instructions in 5,000-review transactions, 7.61 G in 20,000-review ones
    /// (at 1,000 rows, earlier, a third of the writer's time was this fixed cost). The last
    /// batch's worth of a pass goes in smaller batches, so what is left to write after the last
    /// page stays short. A transaction holds the writing connection while it runs, and the
    /// window's writes (triage, a delete) wait for it: ~0.2 s for 20,000 reviews, which bounds
    /// the size (its reads run on a connection of their own).
    pub batch_rows: usize,
    /// A full pass (deletion sweep) runs at least this often.
    pub full_pass_every: Duration,
}

impl Default for InboxConfig {
    fn default() -> Self {
        Self {
            concurrency: 4,
            page_size: 100,
            batch_rows: 20_000,
            full_pass_every: Duration::from_secs(24 * 3600),
        }
    }
}

/// The review inbox of one shop: sync, moderation, queue replay, export.
pub struct Inbox {
    pub(crate) store: SharedStore,
    /// A read-only connection to the same store for the window's reads (listings, search,
    /// details, charts), so they never wait behind a sync's write transaction on `store`.
    pub(crate) reader: Mutex<Store>,
    /// The account this inbox works for: every store call and every sentence is about it.
    pub(crate) account: AccountKey,
    pub(crate) actor: String,
    pub(crate) config: InboxConfig,
    /// Serialises syncs of this shop (a manual "Sync now" during the poll waits for it).
    pub(crate) sync_lock: tokio::sync::Mutex<()>,
    /// Serialises queue replays so two triggers never race over the same actions.
    pub(crate) replay_lock: tokio::sync::Mutex<()>,
    /// Serialises fetches of orders and events (the page's refresh and the regular sync).
    pub(crate) feeds_lock: tokio::sync::Mutex<()>,
    pub(crate) status: Mutex<SyncStatus>,
    /// True after a call failed because Trustoo was unreachable, until one succeeds.
    pub(crate) offline: AtomicBool,
}

impl std::fmt::Debug for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbox")
            .field("account", &self.account)
            .finish()
    }
}

impl Inbox {
    /// An inbox for `account` (one provider's account: every row it reads and writes is that
    /// account's). `actor` is who the audit log names for the merchant's actions.
    pub fn new(
        store: SharedStore,
        account: AccountKey,
        actor: impl Into<String>,
        config: InboxConfig,
    ) -> Result<Self, InboxError> {
        let (last, reader) = {
            let writer = lock(&store);
            let last = writer
                .sync_cursor(&account)?
                .and_then(|c| c.last_incremental_sync_at.or(c.last_full_sync_at));
            (last, Store::open_reader(writer.path())?)
        };
        Ok(Self {
            store,
            reader: Mutex::new(reader),
            account,
            actor: actor.into(),
            config,
            sync_lock: tokio::sync::Mutex::new(()),
            replay_lock: tokio::sync::Mutex::new(()),
            feeds_lock: tokio::sync::Mutex::new(()),
            status: Mutex::new(SyncStatus {
                last_synced_at: last,
                ..SyncStatus::default()
            }),
            offline: AtomicBool::new(false),
        })
    }

    /// The account this inbox serves (what the app's commands pass to the store).
    pub fn account(&self) -> &AccountKey {
        &self.account
    }

    /// The shared store: the writing connection (syncs, moderation, the queue, drafts).
    pub fn store(&self) -> &SharedStore {
        &self.store
    }

    /// Runs `f` on the store's read-only connection (queries the window makes: they run beside
    /// a sync's writes instead of waiting for them).
    pub fn with_reader<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, InboxError> {
        Ok(f(&lock(&self.reader))?)
    }

    /// Runs `f` on the locked store (short, synchronous work only).
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, InboxError> {
        Ok(f(&mut lock(&self.store))?)
    }

    /// The last sync status (what `sync_status` answers).
    pub fn sync_status(&self) -> SyncStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn set_status(&self, status: &SyncStatus) {
        *self.status.lock().unwrap_or_else(|p| p.into_inner()) = status.clone();
    }

    /// True while Trustoo is believed unreachable (the last call failed at the network level
    /// or with a transient server error).
    pub fn is_offline(&self) -> bool {
        self.offline.load(Ordering::SeqCst)
    }

    /// Records how a call to Trustoo ended. Returns true when a call succeeded after the inbox
    /// was offline: the moment to replay the queue.
    pub fn note_result<T>(&self, result: &Result<T, SourceError>) -> bool {
        // Any answer other than a transient failure came from the server, so it is reachable.
        self.note_reachable(!matches!(result, Err(e) if e.is_transient()))
    }

    /// Records whether Trustoo answered; true when it answered after being unreachable.
    pub fn note_reachable(&self, reachable: bool) -> bool {
        if reachable {
            self.offline.swap(false, Ordering::SeqCst)
        } else {
            self.offline.store(true, Ordering::SeqCst);
            false
        }
    }

    /// Records a sync that could not run or stopped (e.g. no client could be had: the token
    /// refresh could not reach Trustoo), as the window will show it: the phase, the sentence,
    /// and whether Trustoo is reachable. Returns the new status.
    pub fn report_failure(&self, e: &InboxError) -> SyncStatus {
        self.fail_with(self.sync_status(), e)
    }

    pub(crate) fn fail_with(&self, mut status: SyncStatus, e: &InboxError) -> SyncStatus {
        self.note_reachable(!matches!(e, InboxError::Source(source) if source.is_transient()));
        status.phase = Inbox::failure_phase(e);
        status.message = Some(Inbox::failure_message(e));
        self.set_status(&status);
        status
    }

    /// The phase a failed sync reports: offline only when Trustoo could not be reached at all;
    /// a server that answers with errors is having trouble, not offline.
    pub(crate) fn failure_phase(e: &InboxError) -> SyncPhase {
        match e {
            InboxError::Source(source) if source.is_unreachable() => SyncPhase::Offline,
            InboxError::Source(source) if source.is_transient() => SyncPhase::ServerTrouble,
            _ => SyncPhase::Failed,
        }
    }

    /// The sentence a failed sync shows the merchant (its phase from
    /// [`Inbox::failure_phase`]).
    pub(crate) fn failure_message(e: &InboxError) -> String {
        let InboxError::Source(source) = e else {
            return format!("The sync stopped: {e}.");
        };
        let provider = source.provider();
        match source.kind() {
            SourceErrorKind::Unreachable => {
                format!("{provider} cannot be reached; showing the reviews saved on this computer.")
            }
            SourceErrorKind::RateLimited { .. } => {
                format!("{provider} is busy (error 429), retrying.")
            }
            SourceErrorKind::Server { error, .. } => {
                format!("{provider} is having trouble (error {error}), retrying.")
            }
            SourceErrorKind::Undecodable => format!(
                "{provider} sent an answer ReviewDesk could not read, even after asking again. \
                 The reviews fetched so far are saved, and the next sync continues from there."
            ),
            // The client has already tried a refresh: only a new sign-in helps.
            SourceErrorKind::Unauthorized => format!(
                "{provider} no longer accepts this shop's sign-in. Sign in again to sync; the \
                 reviews saved on this computer stay."
            ),
            _ => format!("The sync stopped: {e}."),
        }
    }
}

/// Current time in unix seconds.
pub(crate) fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
