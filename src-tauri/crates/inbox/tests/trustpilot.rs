//! Trustpilot's service reviews synced into the store through [`TrustpilotSource`], against the
//! Trustpilot half of the sandbox over loopback: the first pass, a new review, and the re-scan
//! that brings a reply to a review the store already has.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use reviewdesk_core::{
    AccountKey, ProductId, ProviderDetails, ReviewFilter, ReviewId, ReviewTag, TrustpilotId,
};
use reviewdesk_inbox::{Inbox, InboxConfig, SyncMode, TrustpilotSource};
use reviewdesk_sandbox::trustpilot::demo;
use reviewdesk_sandbox::{Sandbox, SandboxConfig};
use reviewdesk_store::Store;
use reviewdesk_trustpilot::{
    BaseUrls, ClientConfig, NewReply, OrderBy, ReviewQuery, Secret, TrustpilotClient,
};
use serde_json::{json, Value};

const REVIEWS: usize = 230;

async fn sandbox() -> Sandbox {
    Sandbox::start(
        SandboxConfig {
            reviews: 10,
            second_shop_reviews: 10,
            trustpilot_reviews: REVIEWS,
            trustpilot_second_reviews: 10,
            ..SandboxConfig::default()
        },
        0,
    )
    .await
    .unwrap()
}

async fn client(sb: &Sandbox) -> TrustpilotClient {
    let tp = sb.trustpilot();
    let bases =
        BaseUrls::parse(&tp.api_url(), &tp.authenticate_url(), &tp.invitations_url()).unwrap();
    let c = TrustpilotClient::new(ClientConfig::new(
        bases,
        Secret::new(demo::API_KEY),
        Some(Secret::new(demo::API_SECRET)),
    ))
    .unwrap();
    c.sign_in_with_password(demo::USERNAME, &Secret::new(demo::PASSWORD))
        .await
        .unwrap();
    c
}

fn unit() -> TrustpilotId {
    TrustpilotId::parse(demo::BUSINESS_UNIT_ID).unwrap()
}

fn inbox(dir: &std::path::Path, page_size: u32) -> Inbox {
    let store = Store::open(dir.join("reviewdesk.db")).unwrap();
    Inbox::new(
        Arc::new(Mutex::new(store)),
        AccountKey::trustpilot(&unit()),
        "merchant",
        InboxConfig {
            concurrency: 3,
            page_size,
            ..InboxConfig::default()
        },
    )
    .unwrap()
}

/// The filter of the unit's service reviews (its product reviews are in the same inbox, each
/// under its product).
fn service_reviews() -> ReviewFilter {
    ReviewFilter {
        product_id: Some(ProductId::from("0")),
        ..ReviewFilter::default()
    }
}

/// How many service reviews the store holds.
fn stored(ib: &Inbox) -> u64 {
    ib.with_reader(|s| s.count_reviews(ib.account(), &service_reviews()))
        .unwrap()
}

async fn new_review(sb: &Sandbox) -> Value {
    let r = reqwest::Client::new()
        .post(format!("{}/__sandbox/reviews", sb.trustpilot().api_url()))
        .header("user-agent", "reviewdesk-tests")
        .json(&json!({ "stars": 2, "language": "en" }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_first_sync_stores_every_review_once_with_its_trustpilot_fields() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let dir = tempfile::tempdir().unwrap();
    let ib = inbox(dir.path(), 100);
    let source = TrustpilotSource::new(c.clone(), unit());
    let report = ib.sync(&source, SyncMode::Auto, &|_| {}).await.unwrap();
    assert!(report.first_sync && report.full_pass);
    assert_eq!(report.fetched, REVIEWS as u64);
    assert_eq!(stored(&ib), REVIEWS as u64);

    // Each stored review is the API's, with the reply, tags and Trustpilot's own fields.
    let api = c
        .private_reviews(
            demo::BUSINESS_UNIT_ID,
            ReviewQuery {
                order_by: Some(OrderBy::CreatedAtDesc),
                ..ReviewQuery::default()
            },
        )
        .collect_all()
        .await
        .unwrap();
    assert_eq!(api.len(), REVIEWS);
    let (mut replies, mut tagged, mut reported) = (0, 0, 0);
    for r in &api {
        let row = ib
            .with_reader(|s| s.get_review(ib.account(), &ReviewId::from(r.id.as_str())))
            .unwrap()
            .unwrap_or_else(|| panic!("review {} stored", r.id));
        let got = row.review;
        assert_eq!(got.rating, r.stars);
        assert_eq!(got.title, r.title);
        assert_eq!(got.author, r.consumer.display_name);
        assert_eq!(Some(got.commented_at), r.created_at);
        assert_eq!(
            got.reply.as_ref().map(|x| x.content.as_str()),
            r.company_reply
                .as_ref()
                .map(|x| x.text.as_str())
                .filter(|t| !t.is_empty())
        );
        assert_eq!(got.tags.len(), r.tags.len());
        let ProviderDetails::Trustpilot(d) = &got.details else {
            panic!("Trustpilot details")
        };
        assert_eq!(d.language, r.language);
        assert_eq!(d.reference_id, r.reference_id);
        assert_eq!(d.referral_email, r.referral_email);
        replies += usize::from(got.reply.is_some());
        tagged += usize::from(!got.tags.is_empty());
        reported += usize::from(d.report_status == "reported");
    }
    assert!(
        replies > 0 && tagged > 0 && reported > 0,
        "{replies} {tagged} {reported}"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn an_incremental_sync_brings_a_new_review_and_re_reads_the_recent_window_for_replies() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    // Twelve reviews written just now: with pages of 5, the recent window spans three pages.
    for _ in 0..12 {
        new_review(&sb).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let ib = inbox(dir.path(), 5);
    let source = TrustpilotSource::new(c.clone(), unit());
    ib.sync(&source, SyncMode::Auto, &|_| {}).await.unwrap();
    let before = stored(&ib);
    assert_eq!(before, REVIEWS as u64 + 12);

    // The business answers the 8th newest review (page 2), and a consumer writes a new one.
    let newest = c
        .private_reviews_page(
            demo::BUSINESS_UNIT_ID,
            &ReviewQuery {
                per_page: 10,
                order_by: Some(OrderBy::CreatedAtDesc),
                ..ReviewQuery::default()
            },
            1,
        )
        .await
        .unwrap();
    let target = newest.reviews[7].id.clone();
    c.reply(
        &target,
        &NewReply {
            message: "Thank you, we have sent a replacement.".into(),
            author_business_user_id: Some(demo::BUSINESS_USER_ID.into()),
            submitted_at: None,
        },
    )
    .await
    .unwrap();
    let added = new_review(&sb).await;

    let report = ib.sync(&source, SyncMode::Auto, &|_| {}).await.unwrap();
    assert!(!report.full_pass, "an incremental sync");
    assert_eq!(report.new.count, 1);
    assert_eq!(stored(&ib), before + 1);
    let id = added["id"].as_str().unwrap();
    assert!(ib
        .with_reader(|s| s.get_review(ib.account(), &ReviewId::from(id)))
        .unwrap()
        .is_some());
    let replied = ib
        .with_reader(|s| s.get_review(ib.account(), &ReviewId::from(target.as_str())))
        .unwrap()
        .unwrap();
    assert_eq!(
        replied.review.reply.map(|r| r.content).as_deref(),
        Some("Thank you, we have sent a replacement."),
        "the re-scan brought the reply to a review the store had"
    );
    sb.shutdown().await;
}

/// A sandbox control call on the Trustpilot API host; answers its JSON.
async fn ctl(sb: &Sandbox, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let mut r = reqwest::Client::new()
        .request(method, format!("{}{path}", sb.trustpilot().api_url()))
        .header("user-agent", "reviewdesk-tests");
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap()
}

/// Trustpilot becomes unreachable (the sandbox's `offline` fault).
async fn offline(sb: &Sandbox) {
    ctl(
        sb,
        reqwest::Method::POST,
        "/__sandbox/faults",
        Some(json!({"kind": "offline"})),
    )
    .await;
}

/// Trustpilot is reachable again, and its request counters start from zero.
async fn online_and_counting_afresh(sb: &Sandbox) {
    ctl(sb, reqwest::Method::DELETE, "/__sandbox/faults", None).await;
    ctl(sb, reqwest::Method::DELETE, "/__sandbox/stats", None).await;
}

fn reviews_path() -> String {
    format!(
        "/v1/private/business-units/{}/reviews",
        demo::BUSINESS_UNIT_ID
    )
}

/// The review listings the sandbox saw since its stats were reset, as (orderBy, page).
async fn listings(sb: &Sandbox) -> Vec<(String, u32)> {
    let log = ctl(sb, reqwest::Method::GET, "/__sandbox/requests", None).await;
    log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == reviews_path().as_str())
        .map(|r| {
            (
                r["query"]["orderBy"].as_str().unwrap_or("").to_owned(),
                r["query"]["page"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect()
}

fn unix_now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

#[tokio::test]
async fn the_first_pass_reads_oldest_first_and_a_pass_cut_off_resumes_at_its_page() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let dir = tempfile::tempdir().unwrap();
    // Pages of 20: 230 reviews are 12 pages; page 5 fails (a 500 is not retried by the client).
    let ib = inbox(dir.path(), 20);
    let source = TrustpilotSource::new(c.clone(), unit());
    ctl(&sb, reqwest::Method::DELETE, "/__sandbox/stats", None).await;
    ctl(
        &sb,
        reqwest::Method::POST,
        "/__sandbox/faults",
        Some(json!({"kind": "status", "status": 500, "path_prefix": reviews_path(), "query": {"page": 5}})),
    )
    .await;
    let e = ib.sync(&source, SyncMode::Auto, &|_| {}).await.unwrap_err();
    assert!(e.to_string().contains("500"), "{e}");
    // The four pages before the failed one are kept: the 80 oldest reviews.
    assert_eq!(stored(&ib), 80);
    let seen = listings(&sb).await;
    assert!(
        seen.iter().all(|(order, _)| order == "createdat.asc"),
        "a first pass reads oldest first: {seen:?}"
    );

    // A consumer writes a review meanwhile: it lands on the last page of the oldest-first
    // listing, so the pages already stored stay where they were.
    let added = new_review(&sb).await;
    ctl(&sb, reqwest::Method::DELETE, "/__sandbox/stats", None).await;
    let report = ib.sync(&source, SyncMode::Auto, &|_| {}).await.unwrap();
    assert!(report.full_pass);
    assert_eq!(report.deleted_remotely, 0);
    assert_eq!(stored(&ib), REVIEWS as u64 + 1);
    let added = added["id"].as_str().unwrap();
    assert!(ib
        .with_reader(|s| s.get_review(ib.account(), &ReviewId::from(added)))
        .unwrap()
        .is_some());
    // The resumed pass went on at the last stored page (asked again in case a deletion moved
    // the listing back a little), not at page 1, and asked no page twice.
    let mut pages: Vec<u32> = listings(&sb).await.into_iter().map(|(_, p)| p).collect();
    pages.sort_unstable();
    assert_eq!(
        pages.first(),
        Some(&4),
        "resumed at the last stored page: {pages:?}"
    );
    let asked = pages.len();
    pages.dedup();
    assert_eq!(pages.len(), asked, "no page asked twice: {pages:?}");
    // Every review the API lists is stored once (the store counts rows by id).
    let api = c
        .private_reviews(demo::BUSINESS_UNIT_ID, ReviewQuery::default())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(api.len() as u64, stored(&ib));
    for r in &api {
        assert!(ib
            .with_reader(|s| s.get_review(ib.account(), &ReviewId::from(r.id.as_str())))
            .unwrap()
            .is_some());
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn a_token_expiring_mid_sync_is_renewed_once_and_the_sync_completes() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let before = c.tokens().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ib = inbox(dir.path(), 20);
    let source = TrustpilotSource::new(c.clone(), unit());
    ctl(&sb, reqwest::Method::DELETE, "/__sandbox/stats", None).await;
    // Three pages pass, then every access token expires (pages are three in flight).
    ctl(
        &sb,
        reqwest::Method::POST,
        "/__sandbox/faults",
        Some(json!({"kind": "expire_tokens", "after": 3, "path_prefix": "/v1/private/"})),
    )
    .await;
    let report = ib.sync(&source, SyncMode::Auto, &|_| {}).await.unwrap();
    assert_eq!(report.fetched, REVIEWS as u64);
    assert_eq!(stored(&ib), REVIEWS as u64);
    let stats = ctl(&sb, reqwest::Method::GET, "/__sandbox/stats", None).await;
    assert_eq!(stats["token_refreshes"], 1, "{stats}");
    assert_ne!(
        c.tokens().unwrap().access_token.expose(),
        before.access_token.expose(),
        "the client holds the renewed token"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn an_incremental_sync_re_reads_only_the_recent_window_and_sees_a_report() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    for _ in 0..12 {
        new_review(&sb).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let ib = inbox(dir.path(), 5);
    let source = TrustpilotSource::new(c.clone(), unit());
    ib.sync(&source, SyncMode::Auto, &|_| {}).await.unwrap();

    // Trustpilot Business reports the 3rd newest review (no API does that; the sandbox's
    // control stands in).
    let newest = c
        .private_reviews_page(
            demo::BUSINESS_UNIT_ID,
            &ReviewQuery {
                per_page: 100,
                order_by: Some(OrderBy::CreatedAtDesc),
                ..ReviewQuery::default()
            },
            1,
        )
        .await
        .unwrap()
        .reviews;
    let target = newest[2].id.clone();
    ctl(
        &sb,
        reqwest::Method::POST,
        &format!("/__sandbox/reviews/{target}/report"),
        Some(json!({})),
    )
    .await;
    // Newest-first pages of 5 are read until one is wholly older than the 14-day window.
    let since = unix_now() - 14 * 86_400;
    let all = c
        .private_reviews(
            demo::BUSINESS_UNIT_ID,
            ReviewQuery {
                order_by: Some(OrderBy::CreatedAtDesc),
                ..ReviewQuery::default()
            },
        )
        .collect_all()
        .await
        .unwrap();
    let expected_pages = all
        .chunks(5)
        .position(|p| p.iter().filter_map(|r| r.created_at).min() < Some(since))
        .unwrap()
        + 1;
    assert!(expected_pages >= 3, "the 12 new reviews span three pages");

    ctl(&sb, reqwest::Method::DELETE, "/__sandbox/stats", None).await;
    let report = ib.sync(&source, SyncMode::Auto, &|_| {}).await.unwrap();
    assert!(!report.full_pass);
    assert_eq!(report.new.count, 0);
    let seen = listings(&sb).await;
    assert_eq!(
        seen,
        (1..=expected_pages as u32)
            .map(|p| ("createdat.desc".to_owned(), p))
            .collect::<Vec<_>>(),
        "the window's pages, newest first, and not one more"
    );
    let row = ib
        .with_reader(|s| s.get_review(ib.account(), &ReviewId::from(target.as_str())))
        .unwrap()
        .unwrap();
    let ProviderDetails::Trustpilot(d) = &row.review.details else {
        panic!("Trustpilot details")
    };
    assert_eq!(d.report_status, "reported");
    assert!(!d.report_reasons.is_empty());
    sb.shutdown().await;
}

// ---- Replies (issue 17 §1) --------------------------------------------------------------------

/// A synced inbox on the sandbox's unit, its source, and the id of a review without a reply.
/// An inbox on the sandbox's unit after its first sync, and its source.
async fn synced(sb: &Sandbox, dir: &std::path::Path) -> (Inbox, TrustpilotSource) {
    let source = TrustpilotSource::new(client(sb).await, unit());
    let ib = inbox(dir, 100);
    ib.sync(&source, SyncMode::Auto, &|_| {}).await.unwrap();
    (ib, source)
}

async fn replying(sb: &Sandbox, dir: &std::path::Path) -> (Inbox, TrustpilotSource, ReviewId) {
    let (ib, source) = synced(sb, dir).await;
    let unanswered = ib
        .with_reader(|s| {
            s.query_reviews(
                ib.account(),
                &reviewdesk_core::ReviewQuery {
                    filter: ReviewFilter {
                        replied: Some(false),
                        ..service_reviews()
                    },
                    limit: 1,
                    ..reviewdesk_core::ReviewQuery::default()
                },
            )
        })
        .unwrap();
    let id = unanswered.rows[0].review.id.clone();
    (ib, source, id)
}

/// The reply the sandbox holds for `id` (read as a client would), if any.
async fn sandbox_reply(source: &TrustpilotSource, id: &ReviewId) -> Option<String> {
    use reviewdesk_inbox::ReviewSource;
    source.review(id).await.unwrap().reply.map(|r| r.content)
}

/// How many requests of `method` the sandbox saw on `id`'s reply since its stats were reset.
async fn reply_calls(sb: &Sandbox, method: &str, id: &ReviewId) -> usize {
    let path = format!("/v1/private/reviews/{id}/reply", id = id.as_str());
    sandbox_calls(sb, method, &path).await
}

/// How many requests of `method` the sandbox saw on `path` since its stats were reset.
async fn sandbox_calls(sb: &Sandbox, method: &str, path: &str) -> usize {
    let log = ctl(sb, reqwest::Method::GET, "/__sandbox/requests", None).await;
    log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == path && r["method"] == method)
        .count()
}

fn stored_reply(ib: &Inbox, id: &ReviewId) -> Option<String> {
    ib.with_reader(|s| s.get_review(ib.account(), id))
        .unwrap()
        .unwrap()
        .review
        .reply
        .map(|r| r.content)
}

#[tokio::test]
async fn a_reply_is_posted_once_and_the_stored_review_shows_it() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (ib, source, id) = replying(&sb, dir.path()).await;
    ctl(&sb, reqwest::Method::DELETE, "/__sandbox/stats", None).await;
    let text = "Thank you, Ana: we are glad the parcel came so quickly.";
    let outcome = ib
        .post_reply(Some(&source), &id, text, Some(demo::BUSINESS_USER_ID))
        .await
        .unwrap();
    assert_eq!(
        outcome.status,
        reviewdesk_core::ActionStatus::Done,
        "{outcome:?}"
    );
    assert_eq!(sandbox_reply(&source, &id).await.as_deref(), Some(text));
    assert_eq!(stored_reply(&ib, &id).as_deref(), Some(text));
    assert_eq!(reply_calls(&sb, "POST", &id).await, 1);
    let detail = ib.review_detail(&id).unwrap();
    assert!(detail.audit.iter().any(|a| a.action == "post_reply"));
    assert!(detail.pending.is_empty());
    // Nothing to send: an empty or over-long reply is refused before anything is queued.
    assert!(ib
        .post_reply(Some(&source), &id, "   ", None)
        .await
        .is_err());
    let long = "x".repeat(reviewdesk_inbox::MAX_REPLY_CHARS + 1);
    assert!(ib
        .post_reply(Some(&source), &id, &long, None)
        .await
        .is_err());
    assert!(ib.pending_actions().unwrap().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_reply_written_while_trustpilot_is_unreachable_is_sent_once_when_it_is_back() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (ib, source, id) = replying(&sb, dir.path()).await;
    offline(&sb).await;
    let text = "Sorry to hear it. We have sent a new jacket today.";
    let outcome = ib.post_reply(Some(&source), &id, text, None).await.unwrap();
    assert_eq!(
        outcome.status,
        reviewdesk_core::ActionStatus::Queued,
        "{outcome:?}"
    );
    assert_eq!(ib.pending_actions().unwrap().len(), 1);
    assert_eq!(ib.review_detail(&id).unwrap().pending.len(), 1);
    assert_eq!(stored_reply(&ib, &id), None);

    // The app closes and opens again on the same store: the reply is still waiting.
    drop(ib);
    let ib = inbox(dir.path(), 100);
    assert_eq!(ib.pending_actions().unwrap().len(), 1);
    online_and_counting_afresh(&sb).await;
    let report = ib.replay(&source).await.unwrap();
    assert_eq!(report.done, 1, "{report:?}");
    let again = ib.replay(&source).await.unwrap();
    assert_eq!(again.done + again.still_queued, 0, "{again:?}");
    assert_eq!(reply_calls(&sb, "POST", &id).await, 1, "sent exactly once");
    assert_eq!(sandbox_reply(&source, &id).await.as_deref(), Some(text));
    assert_eq!(stored_reply(&ib, &id).as_deref(), Some(text));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_reply_whose_answer_was_lost_is_not_posted_again() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (ib, source, id) = replying(&sb, dir.path()).await;
    let text = "Thanks for the kind words!";
    // Queued (no connection), then the app sends it and dies before hearing the answer: the
    // reply is on Trustpilot and the action still in flight here.
    ib.post_reply(None, &id, text, None).await.unwrap();
    let action = ib.pending_actions().unwrap().remove(0);
    assert!(ib.with_store(|s| s.mark_in_flight(action.id)).unwrap());
    client(&sb)
        .await
        .reply(
            id.as_str(),
            &NewReply {
                message: text.into(),
                author_business_user_id: None,
                submitted_at: None,
            },
        )
        .await
        .unwrap();
    // ReviewDesk starts again on the same store.
    drop(ib);
    let ib = inbox(dir.path(), 100);
    ctl(&sb, reqwest::Method::DELETE, "/__sandbox/stats", None).await;
    let report = ib.replay(&source).await.unwrap();
    assert_eq!(report.done, 1, "{report:?}");
    assert_eq!(
        reply_calls(&sb, "POST", &id).await,
        0,
        "checked, not posted again"
    );
    assert_eq!(stored_reply(&ib, &id).as_deref(), Some(text));
    sb.shutdown().await;
}

#[tokio::test]
async fn editing_a_reply_takes_the_old_one_down_then_posts_and_keeps_the_old_words() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (ib, source, id) = replying(&sb, dir.path()).await;
    let first = "Thank you!";
    let second = "Thank you, Noah: see you next winter.";
    ib.post_reply(Some(&source), &id, first, None)
        .await
        .unwrap();
    ctl(&sb, reqwest::Method::DELETE, "/__sandbox/stats", None).await;
    let down = ib.delete_reply(Some(&source), &id).await.unwrap();
    assert_eq!(down.status, reviewdesk_core::ActionStatus::Done, "{down:?}");
    assert_eq!(stored_reply(&ib, &id), None);
    ib.post_reply(Some(&source), &id, second, None)
        .await
        .unwrap();
    assert_eq!(reply_calls(&sb, "DELETE", &id).await, 1);
    assert_eq!(reply_calls(&sb, "POST", &id).await, 1);
    assert_eq!(sandbox_reply(&source, &id).await.as_deref(), Some(second));
    assert_eq!(stored_reply(&ib, &id).as_deref(), Some(second));
    let audit = ib.review_detail(&id).unwrap().audit;
    let taken_down = audit
        .iter()
        .find(|a| a.action == "delete_reply")
        .expect("the delete is in the history");
    assert_eq!(taken_down.details["previous"], json!(first));
    // Taking down a reply that is already gone is what the merchant wanted: done.
    ib.delete_reply(Some(&source), &id).await.unwrap();
    let again = ib.delete_reply(Some(&source), &id).await.unwrap();
    assert_eq!(
        again.status,
        reviewdesk_core::ActionStatus::Done,
        "{again:?}"
    );
    sb.shutdown().await;
}

// ---- Tags (issue 17 §2) -----------------------------------------------------------------------

/// Stored reviews of the inbox's account carrying `tag`, by the store's tag filter.
fn stored_with_tag(ib: &Inbox, tag: &ReviewTag) -> Vec<ReviewId> {
    let mut ids: Vec<ReviewId> = ib
        .with_reader(|s| {
            s.query_reviews(
                ib.account(),
                &reviewdesk_core::ReviewQuery {
                    filter: ReviewFilter {
                        tag: Some(tag.clone()),
                        ..ReviewFilter::default()
                    },
                    limit: 100,
                    ..reviewdesk_core::ReviewQuery::default()
                },
            )
        })
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.review.id)
        .collect();
    ids.sort();
    ids
}

/// How many requests of `method` the sandbox saw on `id`'s tags since its stats were reset.
async fn tag_calls(sb: &Sandbox, method: &str, id: &ReviewId) -> usize {
    let path = format!("/v1/private/reviews/{id}/tags", id = id.as_str());
    sandbox_calls(sb, method, &path).await
}

#[tokio::test]
async fn tagging_two_reviews_puts_the_tag_on_trustpilot_and_in_the_stored_filter_and_counts() {
    use reviewdesk_core::ActionStatus;
    use reviewdesk_inbox::ReviewSource;
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (ib, source, _) = replying(&sb, dir.path()).await;
    let untagged: Vec<ReviewId> = ib
        .with_reader(|s| {
            s.query_reviews(
                ib.account(),
                &reviewdesk_core::ReviewQuery {
                    filter: service_reviews(),
                    limit: 100,
                    ..reviewdesk_core::ReviewQuery::default()
                },
            )
        })
        .unwrap()
        .rows
        .into_iter()
        .filter(|r| r.review.tags.is_empty())
        .map(|r| r.review.id)
        .take(2)
        .collect();
    let tag = reviewdesk_inbox::check_tag(None, "  Late parcel ").unwrap();
    assert_eq!(
        tag,
        ReviewTag::generic("Late parcel"),
        "trimmed, group generic"
    );
    ctl(&sb, reqwest::Method::DELETE, "/__sandbox/stats", None).await;
    let outcomes = ib.add_tag(Some(&source), &untagged, &tag).await.unwrap();
    assert!(
        outcomes.iter().all(|o| o.status == ActionStatus::Done),
        "{outcomes:?}"
    );
    for id in &untagged {
        assert_eq!(tag_calls(&sb, "PUT", id).await, 1);
        assert_eq!(source.review(id).await.unwrap().tags, vec![tag.clone()]);
    }
    let mut want = untagged.clone();
    want.sort();
    assert_eq!(
        stored_with_tag(&ib, &tag),
        want,
        "the tag filter finds both"
    );
    let counted = ib.with_reader(|s| s.list_tags(ib.account())).unwrap();
    assert!(
        counted.iter().any(|t| t.tag == tag && t.count == 2),
        "{counted:?}"
    );
    // Tagging again changes nothing and sends nothing.
    ctl(&sb, reqwest::Method::DELETE, "/__sandbox/stats", None).await;
    let again = ib
        .add_tag(Some(&source), &untagged[..1], &tag)
        .await
        .unwrap();
    assert_eq!(again[0].status, ActionStatus::Done);
    assert_eq!(tag_calls(&sb, "PUT", &untagged[0]).await, 0);
    assert!(ib
        .review_detail(&untagged[0])
        .unwrap()
        .audit
        .iter()
        .any(|a| a.action == "add_tag"));
    // Nothing to send: an empty tag, or removing a tag the review does not carry.
    assert!(reviewdesk_inbox::check_tag(None, "  ").is_err());
    assert!(reviewdesk_inbox::check_tag(None, &"x".repeat(101)).is_err());
    assert!(ib
        .remove_tag(Some(&source), &untagged[0], &ReviewTag::generic("Nope"))
        .await
        .is_err());
    assert!(ib.pending_actions().unwrap().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_tag_removed_while_trustpilot_is_unreachable_is_removed_once_after_a_restart() {
    use reviewdesk_core::ActionStatus;
    use reviewdesk_inbox::ReviewSource;
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (ib, source, id) = replying(&sb, dir.path()).await;
    // Not one of the sandbox's seeded tags, so only this review carries it.
    let tag = ReviewTag::generic("Callback promised");
    ib.add_tag(Some(&source), std::slice::from_ref(&id), &tag)
        .await
        .unwrap();
    assert_eq!(stored_with_tag(&ib, &tag), std::slice::from_ref(&id));
    offline(&sb).await;
    let outcome = ib.remove_tag(Some(&source), &id, &tag).await.unwrap();
    assert_eq!(outcome.status, ActionStatus::Queued, "{outcome:?}");
    assert!(
        outcome.message.contains("Trustpilot"),
        "{}",
        outcome.message
    );
    assert_eq!(ib.review_detail(&id).unwrap().pending.len(), 1);
    drop(ib);
    let ib = inbox(dir.path(), 100);
    online_and_counting_afresh(&sb).await;
    let report = ib.replay(&source).await.unwrap();
    assert_eq!(report.done, 1, "{report:?}");
    let again = ib.replay(&source).await.unwrap();
    assert_eq!(again.done + again.still_queued, 0, "{again:?}");
    assert_eq!(tag_calls(&sb, "DELETE", &id).await, 1, "sent exactly once");
    assert!(source.review(&id).await.unwrap().tags.is_empty());
    assert!(stored_with_tag(&ib, &tag).is_empty());
    sb.shutdown().await;
}

// ---- Find Reviewer (issue 17 §2) ---------------------------------------------------------------

/// A stored review of the unit that came without an invitation (Find Reviewer is offered).
fn organic_review(ib: &Inbox) -> ReviewId {
    ib.with_reader(|s| {
        s.query_reviews(
            ib.account(),
            &reviewdesk_core::ReviewQuery {
                limit: 100,
                ..reviewdesk_core::ReviewQuery::default()
            },
        )
    })
    .unwrap()
    .rows
    .into_iter()
    .find(|r| match &r.review.details {
        ProviderDetails::Trustpilot(t) => t.find_reviewer.as_ref().is_some_and(|f| f.eligible),
        ProviderDetails::Trustoo(_) => false,
    })
    .map(|r| r.review.id)
    .unwrap()
}

fn stored_find(ib: &Inbox, id: &ReviewId) -> reviewdesk_core::FindReviewer {
    let row = ib
        .with_reader(|s| s.get_review(ib.account(), id))
        .unwrap()
        .unwrap();
    match row.review.details {
        ProviderDetails::Trustpilot(t) => t.find_reviewer.unwrap_or_default(),
        ProviderDetails::Trustoo(_) => panic!("a Trustpilot review"),
    }
}

#[tokio::test]
async fn find_reviewer_is_asked_once_even_across_an_outage_and_the_answer_comes_on_refresh() {
    use reviewdesk_core::ActionStatus;
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (ib, source, _) = replying(&sb, dir.path()).await;
    let id = organic_review(&ib);
    assert!(stored_find(&ib, &id).requests.is_empty());
    let path = format!("/v1/private/reviews/{}/find-reviewer", id.as_str());
    // Written while Trustpilot is unreachable: queued; the app restarts; sent once when back.
    offline(&sb).await;
    let message = "Could you share your order number so we can help?";
    let outcome = ib
        .find_reviewer(Some(&source), &id, Some(message))
        .await
        .unwrap();
    assert_eq!(outcome.status, ActionStatus::Queued, "{outcome:?}");
    drop(ib);
    let ib = inbox(dir.path(), 100);
    online_and_counting_afresh(&sb).await;
    let report = ib.replay(&source).await.unwrap();
    assert_eq!(report.done, 1, "{report:?}");
    let again = ib.replay(&source).await.unwrap();
    assert_eq!(again.done + again.still_queued, 0, "{again:?}");
    assert_eq!(
        sandbox_calls(&sb, "POST", &path).await,
        1,
        "asked exactly once"
    );
    // The stored review shows the request as Trustpilot has it.
    let find = stored_find(&ib, &id);
    assert_eq!(find.requests.len(), 1, "{find:?}");
    assert_eq!(find.requests[0].status, "requested");
    assert_eq!(find.requests[0].message.as_deref(), Some(message));
    assert!(find.requests[0].answer.is_none());
    assert!(ib
        .review_detail(&id)
        .unwrap()
        .audit
        .iter()
        .any(|a| a.action == "find_reviewer"));
    // The consumer answers; "Check for an answer" reads the review again.
    ctl(
        &sb,
        reqwest::Method::POST,
        &format!("/__sandbox/reviews/{}/find-reviewer/answer", id.as_str()),
        Some(
            json!({"referenceId": "#1042", "name": "Ana Souza", "message": "Order #1042, thanks"}),
        ),
    )
    .await;
    ib.refresh_review(&source, &id).await.unwrap();
    let answered = stored_find(&ib, &id).requests.remove(0);
    assert_eq!(answered.status, "answered");
    let answer = answered.answer.unwrap();
    assert_eq!(answer.reference_id.as_deref(), Some("#1042"));
    assert_eq!(answer.name.as_deref(), Some("Ana Souza"));
    assert!(answer.submitted_at.is_some());
    sb.shutdown().await;
}

#[tokio::test]
async fn find_reviewer_is_refused_for_an_invited_review_before_anything_is_sent() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (ib, source, _) = replying(&sb, dir.path()).await;
    let invited = ib
        .with_reader(|s| {
            s.query_reviews(
                ib.account(),
                &reviewdesk_core::ReviewQuery {
                    limit: 100,
                    ..reviewdesk_core::ReviewQuery::default()
                },
            )
        })
        .unwrap()
        .rows
        .into_iter()
        .find(|r| match &r.review.details {
            ProviderDetails::Trustpilot(t) => t.find_reviewer.as_ref().is_some_and(|f| !f.eligible),
            ProviderDetails::Trustoo(_) => false,
        })
        .map(|r| r.review.id)
        .unwrap();
    let refused = ib.find_reviewer(Some(&source), &invited, None).await;
    assert!(
        matches!(&refused, Err(reviewdesk_inbox::InboxError::Invalid(m)) if m.contains("invitation")),
        "{refused:?}"
    );
    assert!(ib.pending_actions().unwrap().is_empty());
    let long = "x".repeat(reviewdesk_inbox::MAX_FIND_MESSAGE_CHARS + 1);
    let id = organic_review(&ib);
    assert!(ib
        .find_reviewer(Some(&source), &id, Some(&long))
        .await
        .is_err());
    sb.shutdown().await;
}

// ---- Product reviews (issue 17 §3) ------------------------------------------------------------

/// The unit's product reviews as the API lists them, every state.
async fn api_product_reviews(
    c: &TrustpilotClient,
) -> Vec<reviewdesk_trustpilot::wire::ProductReview> {
    c.private_product_reviews(
        demo::BUSINESS_UNIT_ID,
        reviewdesk_trustpilot::ProductReviewQuery::every_state(),
    )
    .collect_all()
    .await
    .unwrap()
}

/// How many requests of `method` the sandbox saw on paths starting with `prefix`.
async fn sandbox_calls_under(sb: &Sandbox, method: &str, prefix: &str) -> usize {
    let log = ctl(sb, reqwest::Method::GET, "/__sandbox/requests", None).await;
    log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["method"] == method && r["path"].as_str().is_some_and(|p| p.starts_with(prefix))
        })
        .count()
}

fn stored_review(ib: &Inbox, id: &ReviewId) -> reviewdesk_core::Review {
    ib.with_reader(|s| s.get_review(ib.account(), id))
        .unwrap()
        .unwrap()
        .review
}

/// A product review nobody has answered yet (no conversation), as the sandbox has it now.
async fn unanswered_product_review(sb: &Sandbox) -> ReviewId {
    api_product_reviews(&client(sb).await)
        .await
        .into_iter()
        .find(|r| r.conversation_id.is_none())
        .map(|r| ReviewId::from(r.id.as_str()))
        .unwrap()
}

/// A synced inbox, its source, and a product review nobody has answered (no conversation).
async fn product_replying(
    sb: &Sandbox,
    dir: &std::path::Path,
) -> (Inbox, TrustpilotSource, ReviewId) {
    let (ib, source) = synced(sb, dir).await;
    (ib, source, unanswered_product_review(sb).await)
}

#[tokio::test]
async fn product_reviews_of_every_state_sync_under_their_products_with_photos_and_answers() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let dir = tempfile::tempdir().unwrap();
    let (ib, source) = synced(&sb, dir.path()).await;
    let api = api_product_reviews(&c).await;
    assert!(api.len() >= 12, "{}", api.len());
    let mut states = std::collections::BTreeSet::new();
    let mut answered = 0;
    for r in &api {
        let got = stored_review(&ib, &ReviewId::from(r.id.as_str()));
        let product = r.product.clone().unwrap();
        assert!(!got.is_store_review);
        assert_eq!(got.product_id.as_str(), product.id);
        assert_eq!(got.product_title, product.name);
        assert_eq!(got.rating, r.stars);
        assert_eq!(got.content, r.content);
        assert_eq!(got.media.len(), r.attachments.len());
        let details = got.product_review().unwrap();
        assert_eq!(details.state, r.state.as_str());
        assert_eq!(details.attributes.len(), r.attribute_ratings.len());
        assert_eq!(details.conversation_id, r.conversation_id);
        states.insert(details.state.clone());
        if let Some(cid) = &r.conversation_id {
            // The sandbox seeds each conversation with the business's comment.
            let conversation = c.conversation(cid).await.unwrap();
            let comment = conversation
                .comments
                .iter()
                .rev()
                .find(|k| k.is_from_business())
                .unwrap();
            assert_eq!(got.reply.as_ref().unwrap().content, comment.content);
            assert_eq!(
                details.comment_id.as_deref(),
                Some(comment.comment_id.as_str())
            );
            answered += 1;
        } else {
            assert!(got.reply.is_none());
        }
    }
    assert_eq!(states.len(), 4, "every state is in the inbox: {states:?}");
    assert!(answered > 0);
    let all = ib
        .with_reader(|s| s.count_reviews(ib.account(), &ReviewFilter::default()))
        .unwrap();
    assert_eq!(all, (REVIEWS + api.len()) as u64);
    assert_eq!(stored(&ib), REVIEWS as u64);

    // A full pass over the service reviews flags none of them as deleted, and a later sync
    // reads no conversation again (each is known here).
    ctl(&sb, reqwest::Method::DELETE, "/__sandbox/stats", None).await;
    let report = ib.sync(&source, SyncMode::Full, &|_| {}).await.unwrap();
    assert!(report.full_pass);
    assert_eq!(report.deleted_remotely, 0);
    let all_after = ib
        .with_reader(|s| s.count_reviews(ib.account(), &ReviewFilter::default()))
        .unwrap();
    assert_eq!(all_after, all);
    assert_eq!(
        sandbox_calls_under(&sb, "GET", "/v1/private/conversations/").await,
        0
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_product_review_is_answered_in_a_conversation_created_only_when_missing() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (ib, source, id) = product_replying(&sb, dir.path()).await;
    ctl(&sb, reqwest::Method::DELETE, "/__sandbox/stats", None).await;
    let first = "Thank you, Mia! We are sorry the zip broke: a new one is on its way.";
    let outcome = ib
        .post_answer(
            Some(&source),
            &id,
            first,
            Some(demo::BUSINESS_USER_ID),
            Some(false),
        )
        .await
        .unwrap();
    assert_eq!(
        outcome.status,
        reviewdesk_core::ActionStatus::Done,
        "{outcome:?}"
    );
    let create = format!(
        "/v1/private/product-reviews/{}/create-conversation",
        id.as_str()
    );
    assert_eq!(sandbox_calls(&sb, "POST", &create).await, 1);
    let got = stored_review(&ib, &id);
    assert_eq!(got.reply.as_ref().unwrap().content, first);
    let details = got.product_review().unwrap().clone();
    let cid = details.conversation_id.clone().unwrap();
    let comment = details.comment_id.clone().unwrap();
    assert!(
        !details.conversation_public,
        "kept between the business and the reviewer"
    );
    let comments = format!("/v1/private/conversations/{cid}/comments");
    assert_eq!(sandbox_calls(&sb, "POST", &comments).await, 1);
    assert_eq!(
        sandbox_calls(
            &sb,
            "POST",
            &format!("/v1/private/conversations/{cid}/state")
        )
        .await,
        1
    );

    // An edit replaces the comment in place: no second conversation, no second comment.
    ctl(&sb, reqwest::Method::DELETE, "/__sandbox/stats", None).await;
    let second = "Thank you, Mia: the new zip went out today.";
    let edited = ib
        .post_answer(Some(&source), &id, second, None, None)
        .await
        .unwrap();
    assert_eq!(
        edited.status,
        reviewdesk_core::ActionStatus::Done,
        "{edited:?}"
    );
    assert_eq!(sandbox_calls(&sb, "POST", &create).await, 0);
    assert_eq!(sandbox_calls(&sb, "POST", &comments).await, 0);
    assert_eq!(
        sandbox_calls(&sb, "PUT", &format!("{comments}/{comment}")).await,
        1
    );
    assert_eq!(stored_review(&ib, &id).reply.unwrap().content, second);
    let audit = ib.review_detail(&id).unwrap().audit;
    assert!(audit.iter().any(|a| a.details["previous"] == json!(first)));

    // Shown on Trustpilot again, by its own action.
    let shown = ib
        .set_conversation_public(Some(&source), &id, true)
        .await
        .unwrap();
    assert_eq!(
        shown.status,
        reviewdesk_core::ActionStatus::Done,
        "{shown:?}"
    );
    assert!(
        stored_review(&ib, &id)
            .product_review()
            .unwrap()
            .conversation_public
    );

    // What Trustpilot cannot do to a product review is refused in words, with nothing queued.
    assert!(ib.delete_reply(Some(&source), &id).await.is_err());
    let tagged = ib
        .add_tag(
            Some(&source),
            std::slice::from_ref(&id),
            &ReviewTag::generic("Zip"),
        )
        .await
        .unwrap();
    assert_eq!(tagged[0].status, reviewdesk_core::ActionStatus::Failed);
    assert!(ib.find_reviewer(Some(&source), &id, None).await.is_err());
    assert!(ib.pending_actions().unwrap().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_product_answer_written_offline_is_sent_once_after_a_restart_and_a_lost_answer_is_not_resent(
) {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (ib, source, id) = product_replying(&sb, dir.path()).await;
    offline(&sb).await;
    let text = "Thank you for the photos, they help other walkers choose.";
    let outcome = ib
        .post_answer(Some(&source), &id, text, None, None)
        .await
        .unwrap();
    assert_eq!(
        outcome.status,
        reviewdesk_core::ActionStatus::Queued,
        "{outcome:?}"
    );
    drop(ib);
    let ib = inbox(dir.path(), 100);
    online_and_counting_afresh(&sb).await;
    let report = ib.replay(&source).await.unwrap();
    assert_eq!(report.done, 1, "{report:?}");
    let again = ib.replay(&source).await.unwrap();
    assert_eq!(again.done + again.still_queued, 0, "{again:?}");
    let create = format!(
        "/v1/private/product-reviews/{}/create-conversation",
        id.as_str()
    );
    assert_eq!(sandbox_calls(&sb, "POST", &create).await, 1);
    assert_eq!(
        sandbox_calls_under(&sb, "POST", "/v1/private/conversations/").await,
        1,
        "one comment"
    );
    assert_eq!(stored_review(&ib, &id).reply.unwrap().content, text);

    // Another review: the answer lands but the app dies before hearing it; the replay reads the
    // conversation and posts nothing again.
    let other = unanswered_product_review(&sb).await;
    let words = "Thanks, Leo!";
    ib.post_answer(None, &other, words, None, None)
        .await
        .unwrap();
    let action = ib.pending_actions().unwrap().remove(0);
    assert!(ib.with_store(|s| s.mark_in_flight(action.id)).unwrap());
    client(&sb)
        .await
        .reply_to_product_review(other.as_str(), words, None)
        .await
        .unwrap();
    drop(ib);
    let ib = inbox(dir.path(), 100);
    ctl(&sb, reqwest::Method::DELETE, "/__sandbox/stats", None).await;
    let report = ib.replay(&source).await.unwrap();
    assert_eq!(report.done, 1, "{report:?}");
    assert_eq!(
        sandbox_calls_under(&sb, "POST", "/v1/private/").await,
        0,
        "checked, not posted again"
    );
    assert_eq!(stored_review(&ib, &other).reply.unwrap().content, words);
    sb.shutdown().await;
}
