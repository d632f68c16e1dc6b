//! The seam between the inbox and a review platform: [`ReviewSource`].
//!
//! Why a trait: the sync engine and the action queue hold the rules that make the inbox
//! trustworthy (stop at a known review, sweep deletions, resume a stopped pass, send a queued
//! action exactly once); a provider only says how to fetch pages, one review, and how to send
//! one action. Trustoo pages by page number, Trustpilot by page token or "created since": a
//! [`PagePosition`] holds any of them. Each provider's client crate stays a standalone API
//! client; its adapter lives in this crate (Trustoo's in `trustoo.rs`).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures::stream::BoxStream;
pub use reviewdesk_core::PagePosition;
use reviewdesk_core::{QueuedAction, Review, ReviewId};

/// A boxed future a source's methods return (the trait stays object-safe, so the app can hand
/// the inbox whichever provider the active account has).
pub type SourceFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, SourceError>> + Send + 'a>>;

/// One page of a newest-first listing.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcePage {
    /// Where this page was asked from: a pass that stopped after storing it is continued from
    /// here when [`SourcePage::next`] is `None` (the page is asked again: page numbers shift
    /// when reviews arrive meanwhile).
    pub at: PagePosition,
    /// Where the listing goes on after this page, when the provider named it with the page (a
    /// page token or cursor): a pass that stopped after storing this page goes on from there,
    /// also after a restart, without asking this page again (a token names a fixed point of
    /// the listing, which new reviews do not shift). `None` for page numbers and on the last
    /// page.
    pub next: Option<PagePosition>,
    /// Its reviews, newest first.
    pub reviews: Vec<Review>,
    /// How many reviews the server holds in all, when it says (the sync's count check, which
    /// notices deletions on the server, runs only when it does).
    pub total: Option<u64>,
}

/// What a source's call failed with, in the terms the engine and the queue branch on.
///
/// Why not the provider's error: the queue decides "send again later", "conflict" or "failed"
/// and the sync picks its phase from this alone. The provider's own error is kept as the
/// source ([`SourceError::origin`]) for the logs and for an app that maps it more finely, and
/// its sentence is this error's `Display`, so what the merchant reads does not change.
#[derive(Debug, thiserror::Error)]
#[error("{detail}")]
pub struct SourceError {
    kind: SourceErrorKind,
    provider: &'static str,
    detail: String,
    #[source]
    origin: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// The kinds of [`SourceError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceErrorKind {
    /// The provider could not be reached at all (no connection, timeout, cut off): offline.
    Unreachable,
    /// The provider answered with an error of its own; `error` is the number it gave (HTTP
    /// status or its code). `transient` when asking again later may succeed.
    Server {
        /// The error number shown to the merchant.
        error: i64,
        /// Whether asking again later may succeed.
        transient: bool,
    },
    /// The sign-in is no longer accepted (already refreshed): only a new sign-in helps.
    Unauthorized,
    /// The sign-in does not allow this.
    Forbidden,
    /// The review or customer does not exist there (any more).
    NotFound,
    /// It exists already (e.g. the customer is already excluded).
    AlreadyExists,
    /// The provider refused the request; `message` is its reason.
    Refused {
        /// The provider's reason.
        message: String,
    },
    /// Too many requests; wait `retry_after` when the provider said.
    RateLimited {
        /// How long the provider asked to wait.
        retry_after: Option<Duration>,
    },
    /// The answer could not be read (it may have acted: a write is checked before resent).
    Undecodable,
    /// Anything else (a bad configuration, an unsupported position, a local file).
    Other,
}

impl SourceError {
    /// An error of `kind` from `provider` ("Trustoo"), with `detail` as its sentence.
    pub fn new(provider: &'static str, kind: SourceErrorKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            provider,
            detail: detail.into(),
            origin: None,
        }
    }

    /// Keeps the provider's own error (its `Display` should be `detail`).
    pub fn with_origin(mut self, origin: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.origin = Some(Box::new(origin));
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> &SourceErrorKind {
        &self.kind
    }

    /// The provider's name, for sentences ("Trustoo cannot be reached").
    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// The provider's own error, when this came from one.
    pub fn origin(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.origin.as_deref()
    }

    /// The provider's own error as `E`, or this error back (the app maps Trustoo's errors to
    /// its own codes and sentences).
    pub fn into_origin<E: std::error::Error + 'static>(self) -> Result<E, Self> {
        match self.origin {
            Some(origin) => match origin.downcast::<E>() {
                Ok(e) => Ok(*e),
                Err(origin) => Err(Self {
                    origin: Some(origin),
                    ..self
                }),
            },
            None => Err(self),
        }
    }

    /// True when the same call may succeed later (unreachable, rate limited, server trouble).
    pub fn is_transient(&self) -> bool {
        match self.kind {
            SourceErrorKind::Unreachable | SourceErrorKind::RateLimited { .. } => true,
            SourceErrorKind::Server { transient, .. } => transient,
            _ => false,
        }
    }

    /// True when the provider could not be reached at all (the sync is offline, not in
    /// trouble).
    pub fn is_unreachable(&self) -> bool {
        self.kind == SourceErrorKind::Unreachable
    }
}

/// A review platform as the inbox uses it: newest-first pages, one review, one action.
///
/// Object-safe (`&dyn ReviewSource`): the app hands the inbox the active account's source.
pub trait ReviewSource: Send + Sync {
    /// The provider's name, for sentences ("Trustoo").
    fn provider(&self) -> &'static str;

    /// The Trustoo client behind this source, for what only Trustoo has (orders and widget
    /// events, fetched by the regular sync after the reviews); `None` for other providers.
    fn as_trustoo(&self) -> Option<&reviewdesk_trustoo::TrustooClient> {
        None
    }

    /// How far back an incremental sync reads again although it met a known review: a
    /// provider with no "updated since" (Trustpilot) gets its recent replies, edits and reports
    /// this way. `None` (Trustoo): stop at the first page with a known review.
    fn rescan_window(&self) -> Option<Duration> {
        None
    }

    /// The newest-first listing from `from` on, `page_size` reviews a page, at most
    /// `concurrency` pages in flight, yielded in order. An error is yielded in place of its
    /// page (the caller stops there); a reader that drops the stream stops the fetching.
    fn newest_pages(
        &self,
        from: &PagePosition,
        page_size: u32,
        concurrency: usize,
    ) -> BoxStream<'static, Result<SourcePage, SourceError>>;

    /// The listing a full pass reads (every review, once), from `from` on, like
    /// [`ReviewSource::newest_pages`]. By default that newest-first listing (Trustoo). A
    /// provider whose page numbers are stable only oldest first (Trustpilot's `createdat.asc`:
    /// a new review lands on the last page, so a pass resumed at its page number neither skips
    /// nor repeats a review) reads that order here; the engine does not depend on the order (it
    /// tracks the newest review by date, and the sweep by the ids it saw). The resume position
    /// and [`ReviewSource::position_after`] are in this listing's pages.
    fn full_pass_pages(
        &self,
        from: &PagePosition,
        page_size: u32,
        concurrency: usize,
    ) -> BoxStream<'static, Result<SourcePage, SourceError>> {
        self.newest_pages(from, page_size, concurrency)
    }

    /// Where to continue a newest-first pass of which the first `stored` reviews are stored,
    /// when the store holds no position for it at `page_size` (a pass recorded before schema
    /// V14, or asked at another page size): the position and how many reviews come before it.
    /// `None` when the provider cannot jump there (cursor paging): the pass starts again from
    /// the newest.
    fn position_after(&self, stored: u64, page_size: u32) -> Option<(PagePosition, u64)> {
        let _ = (stored, page_size);
        None
    }

    /// Reviews of another kind that the provider lists apart, in no order a sync could stop in
    /// (Trustpilot's product reviews: no sort, no "since"): read whole at every sync, stored
    /// like the others, and counted as seen by a full pass's sweep. `None` (Trustoo): none.
    fn listed_apart(&self) -> Option<BoxStream<'static, Result<SourcePage, SourceError>>> {
        None
    }

    /// A review of [`ReviewSource::listed_apart`] made whole, given the copy stored here (a
    /// product review's conversation is read only when it is new here). By default as listed.
    fn complete(&self, listed: Review, stored: Option<Review>) -> SourceFuture<'_, Review> {
        let _ = stored;
        Box::pin(async move { Ok(listed) })
    }

    /// One review, by id (`NotFound` once it is deleted).
    fn review<'a>(&'a self, id: &'a ReviewId) -> SourceFuture<'a, Review>;

    /// Sends one queued action (its kind and payload as the queue stored them).
    fn send<'a>(&'a self, action: &'a QueuedAction) -> SourceFuture<'a, ()>;

    /// Whether an action sent before already took effect (so it is not sent twice).
    fn landed<'a>(&'a self, action: &'a QueuedAction) -> SourceFuture<'a, bool>;
}
