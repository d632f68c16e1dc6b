//! A merchant's work without a window, signed in the way a merchant signs in (OAuth through the
//! sandbox's consent page, tokens in the in-memory mock store), while the access token runs out
//! in the middle: the sandbox ends every access token after a given number of requests. Every
//! path the app offers (first and incremental sync, delete, bulk delete, exclude, unsubscribe,
//! create a review with media, replay of the offline queue) must finish with exactly one
//! refresh, queue nothing twice and never ask the merchant to sign in again.
#![allow(clippy::unwrap_used)]

use reviewdesk_core::AccountKey;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reviewdesk_auth::{AuthConfig, LoginOutcome, MemoryStore, SessionManager};
use reviewdesk_core::{ActionStatus, Environment, ReviewFilter, ReviewId, ReviewQuery};
use reviewdesk_inbox::{Inbox, InboxConfig, SyncMode, SyncReport};
use reviewdesk_media::check::check_selection;
use reviewdesk_media::compose::{submit, ComposerForm, Submission, SubmitOptions};
use reviewdesk_media::create::CreateOnceConfig;
use reviewdesk_media::{samples, MediaLimits, UploadBatch, UploadConfig, Uploader};
use reviewdesk_sandbox::state::lock;
use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use reviewdesk_store::Store;
use reviewdesk_tests::merchant::answer_consent;
use reviewdesk_trustoo::{Secret, TrustooClient, Url};
use serde_json::json;

const SHOP: &str = demo::SHOP_DOMAIN;
const SEEDED: usize = 600;

struct Rig {
    sandbox: Sandbox,
    sessions: SessionManager,
    inbox: Inbox,
    dir: tempfile::TempDir,
}

impl Rig {
    /// A sandbox with [`SEEDED`] reviews and the demo shop signed in through the consent page
    /// with the app's own configuration (so with the scopes the app asks for).
    async fn signed_in() -> Self {
        let sandbox = Sandbox::start(
            SandboxConfig {
                reviews: SEEDED,
                second_shop_reviews: 5,
                ..SandboxConfig::default()
            },
            0,
        )
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let cfg = AuthConfig::new(
            Url::parse(&sandbox.base_url()).unwrap(),
            Environment::Sandbox,
            demo::CLIENT_ID,
            Secret::new(demo::CLIENT_SECRET),
            dir.path().join("shops.json"),
        );
        let sessions = SessionManager::new(cfg, Arc::new(MemoryStore::new()))
            .await
            .unwrap();
        let start = sessions.start_login(SHOP).await.unwrap();
        let redirect = answer_consent(start.authorize_url.as_str(), "allow")
            .await
            .unwrap();
        match sessions.complete_login(&redirect).await.unwrap() {
            LoginOutcome::SignedIn(s) => assert_eq!(s.domain, SHOP),
            other => panic!("{other:?}"),
        }
        let store = Store::open(dir.path().join("reviewdesk.db")).unwrap();
        let inbox = Inbox::new(
            Arc::new(Mutex::new(store)),
            AccountKey::trustoo(SHOP),
            "merchant",
            InboxConfig {
                concurrency: 3,
                page_size: 50,
                batch_rows: 100,
                ..InboxConfig::default()
            },
        )
        .unwrap();
        Self {
            sandbox,
            sessions,
            inbox,
            dir,
        }
    }

    /// The client the app uses for the shop (what `AppState::client` hands out).
    async fn client(&self) -> TrustooClient {
        self.sessions.client(SHOP).await.unwrap()
    }

    /// Lets `after` requests under `path` through, then ends every access token.
    async fn expire_tokens_after(&self, after: u64, path: &str) {
        let answer = reqwest::Client::new()
            .post(format!("{}/__sandbox/faults", self.sandbox.base_url()))
            .json(&json!({ "kind": "expire_tokens", "after": after, "path_prefix": path }))
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success());
    }

    fn refreshes(&self) -> u64 {
        lock(&self.sandbox.state().stats).token_refreshes
    }

    fn hits(&self, endpoint: &str) -> u64 {
        lock(&self.sandbox.state().stats)
            .per_path
            .get(&format!("/api/v1/openapi/{endpoint}"))
            .copied()
            .unwrap_or(0)
    }

    /// The trigger was spent: the token really expired during the work.
    fn trigger_fired(&self) {
        assert!(
            lock(&self.sandbox.state().faults).is_empty(),
            "the token never expired"
        );
    }

    /// Syncs with the app's client for the shop, as the background work does.
    async fn synced(&self) -> SyncReport {
        let client = self.client().await;
        self.inbox
            .sync(&client, SyncMode::Auto, &|_| {})
            .await
            .unwrap()
    }

    /// Ids of the newest stored reviews.
    fn newest(&self, n: usize) -> Vec<ReviewId> {
        let page = self
            .inbox
            .with_reader(|s| {
                s.query_reviews(
                    &AccountKey::trustoo(SHOP),
                    &ReviewQuery {
                        filter: ReviewFilter::default(),
                        limit: n as u32,
                        ..ReviewQuery::default()
                    },
                )
            })
            .unwrap();
        page.rows.into_iter().map(|r| r.review.id).collect()
    }

    fn deletions_of(&self, id: &ReviewId) -> usize {
        let w = self.sandbox.state().world();
        w.shops[0]
            .deleted
            .iter()
            .filter(|v| v.get("id").and_then(|x| x.as_str()) == Some(id.as_str()))
            .count()
    }

    fn waiting(&self) -> usize {
        self.inbox.pending_actions().unwrap().len()
    }

    /// The one call to `endpoint` met the expired token, was made again after one refresh,
    /// and nothing waits in the queue.
    fn sent_after_one_refresh(&self, endpoint: &str) {
        self.trigger_fired();
        assert_eq!(self.refreshes(), 1);
        assert_eq!(self.hits(endpoint), 2, "refused once, then sent");
        assert_eq!(self.waiting(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sync_refreshes_once_in_the_middle_and_goes_on_from_its_page() {
    let rig = Rig::signed_in().await;
    rig.expire_tokens_after(4, "/api/v1/openapi/get_reviews")
        .await;
    let report = rig.synced().await;
    rig.trigger_fired();
    assert!(report.first_sync);
    assert_eq!(report.total, Some(SEEDED as u64));
    assert_eq!(
        report.fetched, SEEDED as u64,
        "every review fetched once: the sync went on, it did not start over"
    );
    assert_eq!(rig.refreshes(), 1);
    let stored = rig
        .inbox
        .with_reader(|s| s.count_reviews(&AccountKey::trustoo(SHOP), &ReviewFilter::default()))
        .unwrap();
    assert_eq!(stored, SEEDED as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incremental_sync_refreshes_once_and_completes() {
    let rig = Rig::signed_in().await;
    rig.synced().await;
    rig.expire_tokens_after(0, "/api/v1/openapi/get_reviews")
        .await;
    let report = rig.synced().await;
    rig.trigger_fired();
    assert!(!report.first_sync && !report.full_pass);
    assert_eq!(rig.refreshes(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_refreshes_once_and_is_sent() {
    let rig = Rig::signed_in().await;
    rig.synced().await;
    let id = rig.newest(1).remove(0);
    rig.expire_tokens_after(0, "/api/v1/openapi/delete_review")
        .await;
    let client = rig.client().await;
    let out = rig
        .inbox
        .delete_reviews(Some(&client), std::slice::from_ref(&id))
        .await
        .unwrap();
    assert_eq!(out[0].status, ActionStatus::Done, "{out:?}");
    rig.sent_after_one_refresh("delete_review");
    assert_eq!(rig.deletions_of(&id), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_delete_refreshes_once_in_the_middle_and_sends_each_once() {
    let rig = Rig::signed_in().await;
    rig.synced().await;
    let ids = rig.newest(6);
    rig.expire_tokens_after(3, "/api/v1/openapi/delete_review")
        .await;
    let client = rig.client().await;
    let out = rig.inbox.delete_reviews(Some(&client), &ids).await.unwrap();
    rig.trigger_fired();
    assert!(
        out.iter().all(|o| o.status == ActionStatus::Done),
        "{out:?}"
    );
    assert_eq!(rig.refreshes(), 1);
    for id in &ids {
        assert_eq!(rig.deletions_of(id), 1, "{id:?}");
    }
    assert_eq!(rig.hits("delete_review"), ids.len() as u64 + 1);
    assert_eq!(rig.waiting(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excluding_an_author_refreshes_once_and_is_sent() {
    let rig = Rig::signed_in().await;
    rig.synced().await;
    let with_email = rig
        .newest(50)
        .into_iter()
        .find(|id| {
            rig.inbox
                .review_detail(id)
                .is_ok_and(|d| !d.row.review.details.reviewer_email().is_empty())
        })
        .unwrap();
    rig.expire_tokens_after(0, "/api/v1/openapi/create_customer_exclude")
        .await;
    let client = rig.client().await;
    let out = rig
        .inbox
        .exclude_author(Some(&client), &with_email)
        .await
        .unwrap();
    assert_eq!(out.status, ActionStatus::Done, "{out:?}");
    rig.sent_after_one_refresh("create_customer_exclude");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsubscribing_refreshes_once_and_is_sent() {
    let rig = Rig::signed_in().await;
    rig.expire_tokens_after(0, "/api/v1/openapi/email_unsubscribe")
        .await;
    let client = rig.client().await;
    // The documented email types are the sandbox's own list.
    let email_type = reviewdesk_sandbox::api::EMAIL_TYPES[0];
    let out = rig
        .inbox
        .unsubscribe_email(Some(&client), "lea.martin@example.com", email_type)
        .await
        .unwrap();
    assert_eq!(out.status, ActionStatus::Done, "{out:?}");
    rig.sent_after_one_refresh("email_unsubscribe");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_review_with_media_refreshes_once_between_uploads_and_creates_it_once() {
    let rig = Rig::signed_in().await;
    let mut paths = Vec::new();
    for (name, bytes) in [
        (
            "IMG_2231.png",
            samples::image(samples::ImageFormat::Png, 40, 30, 7).unwrap(),
        ),
        (
            "IMG_2232.png",
            samples::image(samples::ImageFormat::Png, 30, 40, 9).unwrap(),
        ),
        ("clip.mp4", samples::mp4(200_000)),
    ] {
        let p: PathBuf = rig.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        paths.push(p);
    }
    let selection = check_selection(&[], &paths, &MediaLimits::default());
    assert!(selection.rejected.is_empty(), "{:?}", selection.rejected);
    let batch = UploadBatch::new(selection.accepted, |_| {});
    let client = rig.client().await;
    let uploader = Uploader::new(client.clone(), UploadConfig::default());
    let form = ComposerForm {
        product_id: demo::product_ids()[0].to_string(),
        rating: 5,
        author: "Mina Oduya".into(),
        title: "Fits as promised".into(),
        content: "Expired token in the middle, one review in the end.".into(),
        ..ComposerForm::default()
    };
    // The second image's upload policy meets the expired token.
    rig.expire_tokens_after(1, "/api/v1/openapi/get_image_upload_policy_token")
        .await;
    let mut sub = Submission::default();
    let created = submit(
        &uploader,
        &client,
        &batch,
        &form,
        &mut sub,
        &SubmitOptions {
            key: "draft-expiring",
            create: CreateOnceConfig {
                backoff: Duration::ZERO,
                ..CreateOnceConfig::default()
            },
        },
        &mut |_| {},
    )
    .await
    .unwrap();
    rig.trigger_fired();
    assert!(!created.found_existing);
    assert_eq!(created.uploaded_now, 3);
    assert_eq!(rig.refreshes(), 1);
    assert_eq!(rig.hits("create_review"), 1, "created exactly once");
    let review = client
        .get_review(&ReviewId::from(created.review_id.as_str()))
        .await
        .unwrap();
    assert_eq!(review.media.len(), 3, "{:?}", review.media);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_queue_is_replayed_with_one_refresh_and_sent_once() {
    let rig = Rig::signed_in().await;
    rig.synced().await;
    let ids = rig.newest(3);
    rig.sandbox
        .state()
        .offline
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let client = rig.client().await;
    let out = rig.inbox.delete_reviews(Some(&client), &ids).await.unwrap();
    assert!(
        out.iter().all(|o| o.status == ActionStatus::Queued),
        "{out:?}"
    );
    assert_eq!(rig.waiting(), ids.len(), "each queued once");
    // Back online an hour later: the token has expired meanwhile.
    rig.sandbox
        .state()
        .offline
        .store(false, std::sync::atomic::Ordering::SeqCst);
    rig.expire_tokens_after(0, "/api/").await;
    let report = rig.inbox.replay(&client).await.unwrap();
    rig.trigger_fired();
    assert_eq!(rig.refreshes(), 1);
    assert_eq!(rig.waiting(), 0, "{report:?}");
    for id in &ids {
        assert_eq!(rig.deletions_of(id), 1, "{id:?}");
    }
}
