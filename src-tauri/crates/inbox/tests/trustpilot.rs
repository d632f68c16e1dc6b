//! Trustpilot's service reviews synced into the store through [`TrustpilotSource`], against the
//! Trustpilot half of the sandbox over loopback: the first pass, a new review, and the re-scan
//! that brings a reply to a review the store already has.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use reviewdesk_core::{AccountKey, ProviderDetails, ReviewFilter, ReviewId, TrustpilotId};
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

fn stored(ib: &Inbox) -> u64 {
    ib.with_reader(|s| s.count_reviews(ib.account(), &ReviewFilter::default()))
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
