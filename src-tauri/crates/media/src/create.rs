//! Creating a review exactly once, even when the network fails mid-request.
//!
//! Why: `create_review` is not idempotent and Trustoo documents no idempotency key. If the
//! connection breaks after the request left (a cut, a timeout, a 5xx from a proxy), the review
//! may exist; resending blindly makes a duplicate the merchant must find and delete.
//!
//! How: before re-sending after such an error, list the newest reviews of that product and look
//! for one with the same fingerprint — product, author, rating, title, content, `commented_at`
//! and number of attachments. `commented_at` is pinned to the second before the first send (we
//! fill it when the caller left it empty), so all attempts carry the same value, and the media
//! URLs come from uploads with unique keys. Two reviews with all of that equal are, in practice,
//! the same review.
//!
//! Limits (why this is "at most once in practice", not a guarantee):
//! - the check sees only the newest [`CHECK_PAGE_SIZE`] reviews of the product (ample: they
//!   are sorted newest first and the check runs seconds after the send);
//! - if Trustoo indexed a new review in its list asynchronously, a very quick check could miss
//!   it (the sandbox lists immediately; the real API is UNKNOWN here);
//! - if the server rewrote a field (trimmed content, normalised author), the match fails and a
//!   duplicate is possible; fields are compared trimmed to soften that;
//! - if the check itself fails, nothing is resent and the caller gets
//!   [`CreateError::Unknown`] — never a silent duplicate.
//!
//! After an app crash the caller persists the *prepared* request (see [`prepare`]) with its
//! [`IdempotencyKey`] and resumes with [`IdempotencyKey::resumed`], which checks before the
//! first send.

use std::future::Future;
use std::time::Duration;

use reviewdesk_core::{ProductId, Review, ReviewId};
use reviewdesk_trustoo::{
    CreatedReview, Error, NetworkKind, NewMedia, NewReview, ReviewQuery, SortOrder, TrustooClient,
};
use serde::Serialize;

use crate::error::CreateError;

/// How many of the newest reviews of the product the check looks at.
pub const CHECK_PAGE_SIZE: u32 = 50;

/// The two review calls the exactly-once logic needs.
///
/// Why a trait: [`TrustooClient`] implements it; unit tests drive the decision logic with a
/// fake that loses answers on purpose.
pub trait ReviewApi: Send + Sync {
    /// `POST create_review`.
    fn create(
        &self,
        review: &NewReview,
    ) -> impl Future<Output = Result<CreatedReview, Error>> + Send;
    /// The newest reviews of `product_id` (newest first); `"0"` means store reviews.
    fn newest_reviews(
        &self,
        product_id: &ProductId,
    ) -> impl Future<Output = Result<Vec<Review>, Error>> + Send;
}

impl ReviewApi for TrustooClient {
    async fn create(&self, review: &NewReview) -> Result<CreatedReview, Error> {
        self.create_review(review).await
    }

    async fn newest_reviews(&self, product_id: &ProductId) -> Result<Vec<Review>, Error> {
        let q = ReviewQuery::new()
            .sort(SortOrder::CreatedDescending)
            .page_size(CHECK_PAGE_SIZE);
        let q = if product_id.as_str() == "0" {
            q.store_review(true)
        } else {
            q.product(product_id.clone())
        };
        Ok(self.list_reviews(&q).await?.list)
    }
}

/// The caller's name for one intended review (e.g. the draft id).
///
/// Why: the caller stores it with the prepared request; `resumed` tells the logic that an
/// earlier run (before a crash or restart) may already have sent it, so it checks first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdempotencyKey {
    /// Caller-chosen identifier (for logs and the caller's records).
    pub key: String,
    /// An earlier run may have sent this request.
    pub maybe_sent_before: bool,
}

impl IdempotencyKey {
    /// First attempt for this key in this process.
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            maybe_sent_before: false,
        }
    }

    /// A key whose request an earlier run may have sent: check before sending.
    pub fn resumed(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            maybe_sent_before: true,
        }
    }
}

/// Bounds of [`create_review_once_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreateOnceConfig {
    /// Sends at most this many times.
    pub max_sends: u32,
    /// Pause before a resend (× the attempt number).
    pub backoff: Duration,
    /// Longest `Retry-After` honoured before a resend after a 429.
    pub max_rate_limit_wait: Duration,
}

impl Default for CreateOnceConfig {
    fn default() -> Self {
        Self {
            max_sends: 3,
            backoff: Duration::from_millis(500),
            max_rate_limit_wait: Duration::from_secs(10),
        }
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateOutcome {
    /// Id of the review (created now, or found from an earlier attempt).
    pub id: ReviewId,
    /// Requests sent in this call.
    pub sends: u32,
    /// True when an earlier attempt had landed and was found by the check.
    pub found_existing: bool,
}

/// What to do after a failed send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// The request provably did not create anything and may be sent again (connect failure,
    /// rate limit answered before processing).
    Resend,
    /// It may have landed: check the newest reviews before sending again.
    CheckFirst,
    /// A resend would fail the same way (validation, auth, forbidden, not found).
    GiveUp,
}

/// Classifies a failed send. Pure; unit tested.
pub fn after_failure(e: &Error) -> AfterFailure {
    match e {
        Error::Network {
            kind: NetworkKind::Connect,
            ..
        } => AfterFailure::Resend,
        Error::Network { .. } => AfterFailure::CheckFirst,
        // A 5xx may come from a proxy after the backend acted; a garbled answer came after it.
        Error::Server { .. } | Error::Decode { .. } => AfterFailure::CheckFirst,
        Error::RateLimited { .. } => AfterFailure::Resend,
        _ => AfterFailure::GiveUp,
    }
}

/// Fills `commented_at` (now, to the second) when empty, so every attempt — and a resumed one
/// after a restart, if the caller persisted this prepared request — carries the same value the
/// check can match.
pub fn prepare(mut request: NewReview, now_unix: i64) -> NewReview {
    if request.commented_at.as_deref().is_none_or(str::is_empty) {
        request = request.commented_at_unix(now_unix);
    }
    request
}

fn media_count(request: &NewReview) -> usize {
    match &request.media {
        None => 0,
        Some(NewMedia::Items(v)) => v.len(),
        Some(NewMedia::Legacy(l)) => l.images.len() + usize::from(l.video.is_some()),
    }
}

/// Whether `review` is the one `request` would create (the fingerprint described in the module
/// docs). Pure; unit tested.
pub fn is_same_review(review: &Review, request: &NewReview) -> bool {
    let t = |s: &str| s.trim().to_owned();
    let opt = |s: &Option<String>| s.as_deref().map(str::trim).unwrap_or("").to_owned();
    let commented_at = request
        .commented_at
        .as_deref()
        .and_then(reviewdesk_trustoo::wire::parse_timestamp);
    review.product_id == request.product_id
        && review.rating == request.rating
        && t(&review.author) == t(&request.author)
        && t(&review.content) == opt(&request.content)
        && (request.title.is_none() || t(&review.title) == opt(&request.title))
        && commented_at.is_some_and(|c| c == review.commented_at)
        && review.media.len() == media_count(request)
}

/// Creates the review unless an earlier attempt already did; see the module docs.
///
/// Why it exists: the Tauri "publish review" command calls this instead of `create_review`
/// so a flaky connection never produces a duplicate review.
pub async fn create_review_once<A: ReviewApi>(
    api: &A,
    request: &NewReview,
    key: &IdempotencyKey,
) -> Result<CreateOutcome, CreateError> {
    create_review_once_with(api, request, key, &CreateOnceConfig::default()).await
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

async fn find<A: ReviewApi>(api: &A, request: &NewReview) -> Result<Option<ReviewId>, Error> {
    let list = api.newest_reviews(&request.product_id).await?;
    Ok(list
        .into_iter()
        .find(|r| is_same_review(r, request))
        .map(|r| r.id))
}

/// [`create_review_once`] with explicit bounds (tests use a zero backoff).
pub async fn create_review_once_with<A: ReviewApi>(
    api: &A,
    request: &NewReview,
    key: &IdempotencyKey,
    config: &CreateOnceConfig,
) -> Result<CreateOutcome, CreateError> {
    let request = prepare(request.clone(), unix_now());
    let mut maybe_landed = key.maybe_sent_before;
    let mut last_error: Option<Error> = None;
    let mut sends = 0u32;
    loop {
        if maybe_landed {
            match find(api, &request).await {
                Ok(Some(id)) => {
                    tracing::info!(key = %key.key, sends, "review from an earlier attempt found; not resending");
                    return Ok(CreateOutcome {
                        id,
                        sends,
                        found_existing: true,
                    });
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(key = %key.key, error = %e, "could not check whether the review exists");
                    return Err(CreateError::Unknown(e));
                }
            }
        }
        if sends >= config.max_sends.max(1) {
            // Every send failed and the last check found nothing.
            return Err(CreateError::NotCreated(
                last_error.unwrap_or(Error::Config("no attempt was made".into())),
            ));
        }
        if sends > 0 {
            let wait = match &last_error {
                Some(Error::RateLimited {
                    retry_after: Some(ra),
                }) => (*ra).min(config.max_rate_limit_wait),
                _ => config.backoff.saturating_mul(sends),
            };
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
        }
        sends += 1;
        match api.create(&request).await {
            Ok(c) => {
                return Ok(CreateOutcome {
                    id: c.id,
                    sends,
                    found_existing: false,
                })
            }
            Err(e) => {
                tracing::info!(key = %key.key, sends, error = %e, "create_review failed");
                match after_failure(&e) {
                    AfterFailure::GiveUp => return Err(CreateError::NotCreated(e)),
                    AfterFailure::Resend => maybe_landed = false,
                    AfterFailure::CheckFirst => maybe_landed = true,
                }
                last_error = Some(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use reviewdesk_core::{Media, MediaKind};
    use reviewdesk_trustoo::NewMediaItem;
    use std::collections::VecDeque;
    use std::sync::Mutex;

    /// What the fake does with the next create call.
    #[derive(Debug, Clone, Copy)]
    enum Script {
        /// Stores the review and answers.
        Ok,
        /// Stores the review, then the answer is lost (a cut connection).
        LandThenCut,
        /// Answers 500 without storing.
        Fail500,
        /// Cannot connect.
        Connect,
        /// 400 validation.
        Invalid,
    }

    /// A FAKE review API (in memory) that follows a script, to test the decision logic.
    #[derive(Default)]
    struct FakeReviewApi {
        script: Mutex<VecDeque<Script>>,
        stored: Mutex<Vec<Review>>,
        creates: Mutex<u32>,
        lists: Mutex<u32>,
        list_fails: bool,
    }

    impl FakeReviewApi {
        fn with(script: &[Script]) -> Self {
            Self {
                script: Mutex::new(script.iter().copied().collect()),
                ..Default::default()
            }
        }
        fn store(&self, r: &NewReview) -> ReviewId {
            let mut s = self.stored.lock().unwrap();
            let id = ReviewId::from(format!("{}", 1000 + s.len()));
            s.push(review_from(id.clone(), r));
            id
        }
        fn count(&self) -> usize {
            self.stored.lock().unwrap().len()
        }
    }

    fn review_from(id: ReviewId, r: &NewReview) -> Review {
        let media = match &r.media {
            Some(NewMedia::Items(v)) => v
                .iter()
                .map(|m| Media {
                    url: m.url.clone(),
                    thumbnail_url: m.thumbnail_url.clone(),
                    kind: m.kind,
                    is_published: m.is_published,
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut rv: Review = serde_json::from_value(serde_json::json!({
            "id": "0", "product_id": "0", "product_title": "", "product_handle": "",
            "is_store_review": false, "rating": 5, "author": "",
            "author_country": "", "title": "", "content": "", "is_verified": false,
            "commented_at": 0, "updated_at": 0, "media": [], "reply": null,
            "details": {"provider": "trustoo", "source": "", "author_email": "",
                "is_featured": false, "is_published": true, "is_pinned": false, "item_type": "",
                "order_id": ""}
        }))
        .unwrap();
        rv.id = id;
        rv.product_id = r.product_id.clone();
        rv.rating = r.rating;
        rv.author = r.author.clone();
        rv.title = r.title.clone().unwrap_or_default();
        rv.content = r.content.clone().unwrap_or_default();
        rv.commented_at = r
            .commented_at
            .as_deref()
            .and_then(reviewdesk_trustoo::wire::parse_timestamp)
            .unwrap_or(0);
        rv.media = media;
        rv
    }

    impl ReviewApi for FakeReviewApi {
        async fn create(&self, r: &NewReview) -> Result<CreatedReview, Error> {
            *self.creates.lock().unwrap() += 1;
            let step = self
                .script
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(Script::Ok);
            match step {
                Script::Ok => Ok(CreatedReview { id: self.store(r) }),
                Script::LandThenCut => {
                    self.store(r);
                    Err(Error::Network {
                        kind: NetworkKind::Interrupted,
                        source: None,
                    })
                }
                Script::Fail500 => Err(Error::Server {
                    status: 500,
                    code: Some(13),
                }),
                Script::Connect => Err(Error::Network {
                    kind: NetworkKind::Connect,
                    source: None,
                }),
                Script::Invalid => Err(Error::Validation {
                    message: "rating must be 1..5".into(),
                }),
            }
        }

        async fn newest_reviews(&self, product_id: &ProductId) -> Result<Vec<Review>, Error> {
            *self.lists.lock().unwrap() += 1;
            if self.list_fails {
                return Err(Error::Network {
                    kind: NetworkKind::Timeout,
                    source: None,
                });
            }
            Ok(self
                .stored
                .lock()
                .unwrap()
                .iter()
                .rev()
                .filter(|r| &r.product_id == product_id)
                .cloned()
                .collect())
        }
    }

    fn request() -> NewReview {
        let mut r = NewReview::new("9200305176832", 5, "Ann Lee");
        r.content = Some("Great fit, fast shipping.".into());
        r.media = Some(NewMedia::Items(vec![NewMediaItem {
            url: "http://s/a-1.jpg".into(),
            thumbnail_url: String::new(),
            kind: MediaKind::Image,
            is_published: true,
        }]));
        r
    }

    fn fast() -> CreateOnceConfig {
        CreateOnceConfig {
            backoff: Duration::ZERO,
            ..Default::default()
        }
    }

    async fn run(api: &FakeReviewApi, key: IdempotencyKey) -> Result<CreateOutcome, CreateError> {
        create_review_once_with(api, &request(), &key, &fast()).await
    }

    #[tokio::test]
    async fn plain_success_sends_once_without_checking() {
        let api = FakeReviewApi::with(&[Script::Ok]);
        let o = run(&api, IdempotencyKey::new("d1")).await.unwrap();
        assert_eq!((o.sends, o.found_existing), (1, false));
        assert_eq!((api.count(), *api.lists.lock().unwrap()), (1, 0));
    }

    #[tokio::test]
    async fn a_landed_create_with_a_lost_answer_is_found_not_resent() {
        let api = FakeReviewApi::with(&[Script::LandThenCut]);
        let o = run(&api, IdempotencyKey::new("d1")).await.unwrap();
        assert_eq!((o.sends, o.found_existing), (1, true));
        assert_eq!(api.count(), 1);
        assert_eq!(*api.creates.lock().unwrap(), 1);
    }

    #[tokio::test]
    async fn a_5xx_that_did_not_land_is_checked_then_resent_once() {
        let api = FakeReviewApi::with(&[Script::Fail500, Script::Ok]);
        let o = run(&api, IdempotencyKey::new("d1")).await.unwrap();
        assert_eq!((o.sends, o.found_existing), (2, false));
        assert_eq!((api.count(), *api.lists.lock().unwrap()), (1, 1));
    }

    #[tokio::test]
    async fn connect_failures_are_resent_without_a_check() {
        let api = FakeReviewApi::with(&[Script::Connect, Script::Ok]);
        let o = run(&api, IdempotencyKey::new("d1")).await.unwrap();
        assert_eq!(o.sends, 2);
        assert_eq!(*api.lists.lock().unwrap(), 0);
    }

    #[tokio::test]
    async fn validation_errors_are_not_resent() {
        let api = FakeReviewApi::with(&[Script::Invalid]);
        let e = run(&api, IdempotencyKey::new("d1")).await.unwrap_err();
        assert!(matches!(
            e,
            CreateError::NotCreated(Error::Validation { .. })
        ));
        assert_eq!(*api.creates.lock().unwrap(), 1);
    }

    #[tokio::test]
    async fn a_failed_check_never_resends() {
        let api = FakeReviewApi {
            list_fails: true,
            ..FakeReviewApi::with(&[Script::Fail500])
        };
        let e = run(&api, IdempotencyKey::new("d1")).await.unwrap_err();
        assert!(matches!(e, CreateError::Unknown(_)));
        assert_eq!(*api.creates.lock().unwrap(), 1);
    }

    #[tokio::test]
    async fn sends_are_bounded_and_end_with_a_final_check() {
        let api = FakeReviewApi::with(&[Script::Fail500, Script::Fail500, Script::Fail500]);
        let e = run(&api, IdempotencyKey::new("d1")).await.unwrap_err();
        assert!(matches!(e, CreateError::NotCreated(Error::Server { .. })));
        assert_eq!(*api.creates.lock().unwrap(), 3);
        assert_eq!(*api.lists.lock().unwrap(), 3);
    }

    #[tokio::test]
    async fn a_resumed_key_checks_before_the_first_send() {
        let api = FakeReviewApi::with(&[]);
        // An earlier run (before a crash) created it with the prepared request.
        let prepared = prepare(request(), 1_790_000_000);
        let id = api.store(&prepared);
        let o = create_review_once_with(&api, &prepared, &IdempotencyKey::resumed("d1"), &fast())
            .await
            .unwrap();
        assert_eq!((o.id, o.sends, o.found_existing), (id, 0, true));
        // Nothing there yet: it checks, then sends.
        let api = FakeReviewApi::with(&[]);
        let o = create_review_once_with(&api, &prepared, &IdempotencyKey::resumed("d2"), &fast())
            .await
            .unwrap();
        assert_eq!((o.sends, o.found_existing), (1, false));
    }

    #[test]
    fn fingerprint_matching() {
        let req = prepare(request(), 1_790_000_000);
        let same = review_from("1".into(), &req);
        assert!(is_same_review(&same, &req));
        let mut other = same.clone();
        other.content = "Different".into();
        assert!(!is_same_review(&other, &req));
        let mut other = same.clone();
        other.commented_at += 1;
        assert!(!is_same_review(&other, &req));
        let mut other = same.clone();
        other.media.clear();
        assert!(!is_same_review(&other, &req));
        let mut padded = same.clone();
        padded.content = format!("  {}\n", padded.content);
        assert!(is_same_review(&padded, &req));
        // Without a pinned commented_at nothing matches (so prepare() is essential).
        assert!(!is_same_review(&same, &request()));
    }

    #[test]
    fn failure_classification() {
        use AfterFailure::*;
        let net = |kind| Error::Network { kind, source: None };
        assert_eq!(after_failure(&net(NetworkKind::Connect)), Resend);
        assert_eq!(after_failure(&net(NetworkKind::Interrupted)), CheckFirst);
        assert_eq!(after_failure(&net(NetworkKind::Timeout)), CheckFirst);
        assert_eq!(
            after_failure(&Error::Server {
                status: 502,
                code: None
            }),
            CheckFirst
        );
        assert_eq!(
            after_failure(&Error::RateLimited { retry_after: None }),
            Resend
        );
        assert_eq!(after_failure(&Error::NotFound), GiveUp);
        assert_eq!(
            after_failure(&Error::Unauthorized { expired: true }),
            GiveUp
        );
    }
}
