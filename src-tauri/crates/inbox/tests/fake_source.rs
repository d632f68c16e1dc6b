//! The sync engine and the action queue over a `ReviewSource` that is not Trustoo: a fake
//! that pages like Trustpilot (opaque page tokens, no page numbers, no total count, 24-hex
//! ids) and keeps its listing in memory. Why: it proves the seam, i.e. that a second provider
//! is an adapter and not edits through the engine (the real Trustoo path is tested over the
//! sandbox in `sandbox.rs`).

#![allow(clippy::unwrap_used)]

use reviewdesk_core::AccountKey;
use std::path::Path;
use std::sync::{Arc, Mutex};

use futures::stream::{self, BoxStream, StreamExt};
use reviewdesk_core::{
    ActionKind, ActionStatus, ProductId, Provider, ProviderDetails, QueuedAction, Review,
    ReviewFilter, ReviewId, SyncPhase, TrustpilotDetails,
};
use reviewdesk_inbox::{
    Inbox, InboxConfig, PagePosition, ReviewSource, SourceError, SourceErrorKind, SourceFuture,
    SourcePage, SyncMode,
};
use reviewdesk_store::{FullPassProgress, Store};

/// The fake's account: a business unit id like Trustpilot's.
const UNIT: &str = "5f0c1e2d3b4a59687a6b5c4d";
const PROVIDER: &str = "Fakepilot";

/// What the fake holds and what it was asked.
#[derive(Default)]
struct FakeState {
    /// The listing, newest first.
    reviews: Vec<Review>,
    /// A page asked from this token fails with server trouble.
    fail_from: Option<String>,
    /// Every page position asked, in order.
    asked: Vec<PagePosition>,
    /// Every page position answered with its page (not failed), in order.
    served: Vec<PagePosition>,
    /// Every action sent.
    sent: Vec<QueuedAction>,
}

/// A fake cursor-paged review source (in memory, no network).
#[derive(Clone, Default)]
struct FakeCursorSource(Arc<Mutex<FakeState>>);

/// A 24-hex id like Trustpilot's.
fn hex_id(n: usize) -> ReviewId {
    ReviewId(format!("{n:024x}"))
}

fn review(n: usize) -> Review {
    Review {
        id: hex_id(n),
        product_id: ProductId("0".into()),
        product_title: String::new(),
        product_handle: String::new(),
        is_store_review: true,
        rating: if n.is_multiple_of(7) { 1 } else { 5 },
        author: format!("Author {n}"),
        author_country: "FR".into(),
        title: format!("Review {n}"),
        content: format!("Text of review {n}"),
        is_verified: true,
        commented_at: 1_700_000_000 + n as i64 * 60,
        updated_at: 1_700_000_000 + n as i64 * 60,
        media: Vec::new(),
        reply: None,
        tags: Vec::new(),
        details: ProviderDetails::Trustpilot(TrustpilotDetails {
            source: "Organic".into(),
            language: "fr".into(),
            report_status: "active".into(),
            ..TrustpilotDetails::default()
        }),
    }
}

impl FakeCursorSource {
    /// `count` reviews numbered `1..=count`, newest (highest number) first.
    fn with_reviews(count: usize) -> Self {
        let fake = Self::default();
        fake.0.lock().unwrap().reviews = (1..=count).rev().map(review).collect();
        fake
    }

    fn state(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.0.lock().unwrap()
    }

    /// The token of the page that starts after review `id` (opaque to the engine).
    fn token_after(id: &ReviewId) -> String {
        format!("after-{id}")
    }

    /// The page at `from` (and the position of the next one), as the fake's server answers.
    fn page(
        &self,
        from: &PagePosition,
        page_size: usize,
    ) -> Result<(SourcePage, Option<PagePosition>), SourceError> {
        let mut state = self.state();
        state.asked.push(from.clone());
        let start = match from {
            PagePosition::Newest => 0,
            PagePosition::Token(token) => {
                if state.fail_from.as_deref() == Some(token.as_str()) {
                    return Err(SourceError::new(
                        PROVIDER,
                        SourceErrorKind::Server {
                            error: 503,
                            transient: true,
                        },
                        "Fakepilot server error (HTTP 503)",
                    ));
                }
                match state
                    .reviews
                    .iter()
                    .position(|r| Self::token_after(&r.id) == *token)
                {
                    Some(i) => i + 1,
                    None => state.reviews.len(),
                }
            }
            other => {
                return Err(SourceError::new(
                    PROVIDER,
                    SourceErrorKind::Other,
                    format!("the fake pages by token only, not {other:?}"),
                ))
            }
        };
        let end = (start + page_size).min(state.reviews.len());
        let reviews = state.reviews[start..end].to_vec();
        let next = (end < state.reviews.len())
            .then(|| {
                reviews
                    .last()
                    .map(|r| PagePosition::Token(Self::token_after(&r.id)))
            })
            .flatten();
        state.served.push(from.clone());
        Ok((
            SourcePage {
                at: from.clone(),
                next: next.clone(),
                reviews,
                total: None,
            },
            next,
        ))
    }
}

impl ReviewSource for FakeCursorSource {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    /// One page at a time, each asked only when the reader wants it (a token comes with the
    /// page before).
    fn newest_pages(
        &self,
        from: &PagePosition,
        page_size: u32,
        _concurrency: usize,
    ) -> BoxStream<'static, Result<SourcePage, SourceError>> {
        let fake = self.clone();
        let size = page_size.max(1) as usize;
        stream::unfold(Some(from.clone()), move |position| {
            let fake = fake.clone();
            async move {
                let position = position?;
                match fake.page(&position, size) {
                    Ok((page, next)) => Some((Ok(page), next)),
                    Err(e) => Some((Err(e), None)),
                }
            }
        })
        .boxed()
    }

    fn review<'a>(&'a self, id: &'a ReviewId) -> SourceFuture<'a, Review> {
        Box::pin(async move {
            self.state()
                .reviews
                .iter()
                .find(|r| &r.id == id)
                .cloned()
                .ok_or_else(|| {
                    SourceError::new(
                        PROVIDER,
                        SourceErrorKind::NotFound,
                        "not found on Fakepilot",
                    )
                })
        })
    }

    fn send<'a>(&'a self, action: &'a QueuedAction) -> SourceFuture<'a, ()> {
        Box::pin(async move {
            self.state().sent.push(action.clone());
            Ok(())
        })
    }

    fn landed<'a>(&'a self, action: &'a QueuedAction) -> SourceFuture<'a, bool> {
        Box::pin(async move { Ok(self.state().sent.iter().any(|a| a.id == action.id)) })
    }
}

fn config() -> InboxConfig {
    InboxConfig {
        concurrency: 3,
        page_size: 20,
        batch_rows: 20,
        ..InboxConfig::default()
    }
}

fn account() -> AccountKey {
    AccountKey::new(Provider::Trustpilot, UNIT)
}

fn open_inbox(dir: &Path) -> Inbox {
    let store = Store::open(dir.join("reviewdesk.db")).unwrap();
    Inbox::new(Arc::new(Mutex::new(store)), account(), "merchant", config()).unwrap()
}

fn stored(inbox: &Inbox) -> u64 {
    inbox
        .with_store(|s| s.count_reviews(&account(), &ReviewFilter::default()))
        .unwrap()
}

fn is_token(p: &PagePosition) -> bool {
    matches!(p, PagePosition::Token(_))
}

#[tokio::test]
async fn a_cursor_paged_source_syncs_first_then_incrementally_and_sweeps_deletions() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = open_inbox(dir.path());
    let fake = FakeCursorSource::with_reviews(95);

    let report = inbox.sync(&fake, SyncMode::Auto, &|_| {}).await.unwrap();
    assert!(report.first_sync && report.full_pass);
    assert_eq!(report.fetched, 95);
    assert_eq!(report.total, None, "the fake does not say its count");
    assert_eq!(report.new.count, 95);
    assert_eq!(stored(&inbox), 95);
    {
        let state = fake.state();
        // 5 pages: the newest, then a token from each page for the next.
        assert_eq!(state.asked.len(), 5, "{:?}", state.asked);
        assert_eq!(state.asked[0], PagePosition::Newest);
        assert!(state.asked[1..].iter().all(is_token), "{:?}", state.asked);
    }

    // Three new reviews at the head: the incremental sync asks one page and stops at the
    // first review it knows.
    {
        let mut state = fake.state();
        state.asked.clear();
        for n in 96..=98 {
            state.reviews.insert(0, review(n));
        }
    }
    let report = inbox.sync(&fake, SyncMode::Auto, &|_| {}).await.unwrap();
    assert!(!report.first_sync && !report.full_pass);
    assert_eq!(report.new.count, 3);
    assert_eq!(report.new.one_star, 1, "review 98 has 1 star");
    assert_eq!(report.new.ids, vec![hex_id(98), hex_id(97), hex_id(96)]);
    assert_eq!(fake.state().asked, vec![PagePosition::Newest]);
    assert_eq!(stored(&inbox), 98);

    // A review deleted on the server is noticed by a full pass and kept locally.
    fake.state().reviews.retain(|r| r.id != hex_id(50));
    let report = inbox.sync(&fake, SyncMode::Full, &|_| {}).await.unwrap();
    assert!(report.full_pass);
    assert_eq!(report.deleted_remotely, 1);
    assert_eq!(stored(&inbox), 97);
    let row = inbox
        .with_store(|s| s.get_review(&account(), &hex_id(50)))
        .unwrap()
        .unwrap();
    assert!(row.deleted_remotely_at.is_some());
}

#[tokio::test]
async fn a_stopped_cursor_paged_pass_resumes_after_its_last_stored_page_token() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = open_inbox(dir.path());
    let fake = FakeCursorSource::with_reviews(95);
    // The third page (reviews 55 down to 36) fails.
    let third = PagePosition::Token(FakeCursorSource::token_after(&hex_id(56)));
    fake.state().fail_from = Some(FakeCursorSource::token_after(&hex_id(56)));

    let err = inbox
        .sync(&fake, SyncMode::Auto, &|_| {})
        .await
        .unwrap_err();
    let status = inbox.sync_status();
    assert_eq!(status.phase, SyncPhase::ServerTrouble, "{err}");
    assert_eq!(
        status.message.as_deref(),
        Some("Fakepilot is having trouble (error 503), retrying.")
    );
    assert_eq!(
        stored(&inbox),
        40,
        "the two pages before the bad one are kept"
    );

    // The server is well again: the pass continues at the token the last stored page named
    // (a token does not shift, so that page is not asked again), not at the newest review.
    {
        let mut state = fake.state();
        state.fail_from = None;
        state.asked.clear();
    }
    let report = inbox.sync(&fake, SyncMode::Auto, &|_| {}).await.unwrap();
    assert!(report.full_pass);
    assert_eq!(report.fetched, 95);
    assert_eq!(stored(&inbox), 95);
    {
        let state = fake.state();
        assert_eq!(state.asked.first(), Some(&third), "{:?}", state.asked);
        assert!(!state.asked.contains(&PagePosition::Newest));
        assert_eq!(state.asked.len(), 3, "pages 3 to 5: {:?}", state.asked);
    }
    assert_eq!(
        inbox
            .with_store(|s| s.full_pass_progress(&account()))
            .unwrap(),
        None
    );

    // A pass recorded without a position (by a build before schema V14) cannot jump to a
    // token: it is asked whole again, and still finishes without flagging anything.
    inbox
        .with_store(|s| {
            s.set_full_pass_progress(
                &account(),
                Some(&FullPassProgress {
                    stored: 40,
                    started_at: 1_700_000_000,
                    sweep: true,
                    resume: None,
                }),
            )
        })
        .unwrap();
    fake.state().asked.clear();
    let report = inbox.sync(&fake, SyncMode::Auto, &|_| {}).await.unwrap();
    assert!(report.full_pass);
    assert_eq!(report.deleted_remotely, 0, "nothing was deleted");
    assert!(fake.state().asked.contains(&PagePosition::Newest));
    assert_eq!(stored(&inbox), 95);
}

/// A first sync of a token-paged source stops mid-pass and the app quits: the store keeps the
/// token the pass goes on from, and the reopened inbox asks from it, so across both runs every
/// page is fetched once.
#[tokio::test]
async fn a_token_paged_pass_goes_on_from_its_stored_token_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeCursorSource::with_reviews(95);
    let token = |n| PagePosition::Token(FakeCursorSource::token_after(&hex_id(n)));
    fake.state().fail_from = Some(FakeCursorSource::token_after(&hex_id(56)));
    {
        let inbox = open_inbox(dir.path());
        inbox
            .sync(&fake, SyncMode::Auto, &|_| {})
            .await
            .unwrap_err();
        assert_eq!(stored(&inbox), 40);
    }
    // What the quitting app left on disk: 40 reviews stored, and the third page's token.
    {
        let store = Store::open(dir.path().join("reviewdesk.db")).unwrap();
        let progress = store.full_pass_progress(&account()).unwrap().unwrap();
        assert_eq!(progress.stored, 40);
        let resume = progress.resume.unwrap();
        assert_eq!((resume.at, resume.before), (token(56), 40));
    }

    fake.state().fail_from = None;
    let inbox = open_inbox(dir.path());
    let report = inbox.sync(&fake, SyncMode::Auto, &|_| {}).await.unwrap();
    assert!(report.first_sync && report.full_pass);
    assert_eq!(report.new.count, 55, "the reviews of pages 3 to 5");
    assert_eq!(stored(&inbox), 95);
    let state = fake.state();
    assert_eq!(
        state.served,
        vec![
            PagePosition::Newest,
            token(76),
            token(56),
            token(36),
            token(16)
        ],
        "every page fetched once, in order, across the restart"
    );
    assert_eq!(
        state.asked.len(),
        6,
        "and the failed third page once more: {:?}",
        state.asked
    );
    drop(state);
    assert_eq!(
        inbox
            .with_store(|s| s.full_pass_progress(&account()))
            .unwrap(),
        None,
        "the finished pass leaves nothing to resume"
    );
}

#[tokio::test]
async fn a_queued_action_is_sent_through_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = open_inbox(dir.path());
    let fake = FakeCursorSource::with_reviews(5);
    inbox.sync(&fake, SyncMode::Auto, &|_| {}).await.unwrap();

    // No source at hand: queued.
    let out = inbox.delete_reviews(None, &[hex_id(3)]).await.unwrap();
    assert_eq!(out[0].status, ActionStatus::Queued);
    assert!(fake.state().sent.is_empty());

    let report = inbox.replay(&fake).await.unwrap();
    assert_eq!(report.done, 1);
    assert!(inbox.pending_actions().unwrap().is_empty());
    let sent = fake.state().sent.clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].kind, ActionKind::DeleteReview);
    assert_eq!(sent[0].payload["id"], hex_id(3).as_str());
}
