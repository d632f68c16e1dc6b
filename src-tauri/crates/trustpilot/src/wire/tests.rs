//! Decoding tests: the §1.3 review with every field, the drift, and token answers.
#![allow(clippy::unwrap_used)]

use super::*;

/// A private review as Airbyte's schema and the sandbox show it, plus fields nobody documents.
const REVIEW: &str = r##"{
  "links": [{"href": "https://api.trustpilot.com/v1/private/reviews/5f1b2c3d4e5f60718293a4b5", "method": "GET", "rel": "self"}],
  "id": "5f1b2c3d4e5f60718293a4b5",
  "consumer": {"id": "5e0f1a2b3c4d5e6f70819203", "displayName": "Jane D.", "displayLocation": null, "numberOfReviews": "3", "links": []},
  "businessUnit": {"id": "5c1a7e8f2d3b4a0001f6e9d2", "identifyingName": "aurora-outfitters.com", "displayName": "Aurora Outfitters", "links": []},
  "location": null,
  "stars": 2,
  "title": "Late parcel",
  "text": "Arrived a week late.",
  "language": "en",
  "createdAt": "2024-05-01T10:11:12Z",
  "updatedAt": null,
  "experiencedAt": "2024-04-28T00:00:00",
  "referralEmail": "jane@example.com",
  "referenceId": "#1042",
  "source": "AFS",
  "companyReply": {"text": "Sorry!", "authorBusinessUserId": "5f8e2a1c9b3d4e7f60a1b2c3", "authorBusinessUserName": "Owner", "createdAt": "2024-05-02T08:00:00.123Z", "updatedAt": "2024-05-02T08:00:00.123Z"},
  "tags": [{"group": "generic", "value": "Delivery"}, {"group": 7, "value": null}, "not a tag"],
  "findReviewer": {"isEligible": false, "requests": [{"id": "r1", "status": "answered", "created": "2024-05-03T09:00:00", "businessUserMessage": "Order?", "consumerResponse": {"referenceId": "#1042", "name": "Jane", "email": null, "submittedAt": "2024-05-04T09:00:00Z"}}]},
  "isVerified": true,
  "numberOfLikes": 0,
  "status": "reported",
  "reportData": {"source": "Business", "publicComment": null, "createdAt": "2024-05-05T10:00:00.5Z", "reasons": ["consumerIsCompetitor"], "reason": "consumer_is_competitor", "reviewVisibility": "hidden"},
  "complianceLabels": [],
  "countsTowardsTrustScore": false,
  "countsTowardsLocationTrustScore": null,
  "invitation": {"businessUnitId": "5c1a7e8f2d3b4a0001f6e9d2"},
  "businessUnitHistory": [],
  "reviewVerificationLevel": "verified",
  "somethingNew": {"nested": [1, 2, 3]}
}"##;

#[test]
fn a_full_private_review() {
    let r: ServiceReview = serde_json::from_str(REVIEW).unwrap();
    assert!(is_object_id(&r.id));
    assert_eq!(r.consumer.display_name, "Jane D.");
    assert_eq!(r.consumer.display_location, None);
    assert_eq!(r.consumer.number_of_reviews, 3);
    assert_eq!(
        r.business_unit.as_ref().unwrap().identifying_name,
        "aurora-outfitters.com"
    );
    assert_eq!(
        (r.stars, r.title.as_str(), r.language.as_str()),
        (2, "Late parcel", "en")
    );
    assert_eq!(r.created_at, Some(1_714_558_272));
    assert_eq!(r.updated_at, None);
    assert_eq!(r.experienced_at, Some(1_714_262_400));
    assert_eq!(r.referral_email.as_deref(), Some("jane@example.com"));
    assert_eq!(r.reference_id.as_deref(), Some("#1042"));
    assert_eq!(r.source.as_deref(), Some("AFS"));
    let reply = r.company_reply.as_ref().unwrap();
    assert_eq!(reply.text, "Sorry!");
    assert_eq!(reply.created_at, Some(1_714_636_800));
    assert_eq!(
        reply.author_business_user_id.as_deref(),
        Some("5f8e2a1c9b3d4e7f60a1b2c3")
    );
    assert!(r.has_reply());
    // A tag of an odd shape does not hide the review; a non-object is skipped.
    assert_eq!(
        r.tags,
        vec![
            Tag {
                group: "generic".into(),
                value: "Delivery".into()
            },
            Tag {
                group: "7".into(),
                value: String::new()
            },
        ]
    );
    let fr = r.find_reviewer.as_ref().unwrap();
    assert_eq!(
        fr.requests[0]
            .consumer_response
            .as_ref()
            .unwrap()
            .submitted_at,
        Some(1_714_813_200)
    );
    assert!(r.is_verified);
    assert_eq!(r.status, ReviewStatus::Reported);
    let report = r.report_data.as_ref().unwrap();
    assert_eq!(report.reasons, ["consumerIsCompetitor"]);
    assert_eq!(report.review_visibility.as_deref(), Some("hidden"));
    assert_eq!(report.created_at, Some(1_714_903_200));
    assert_eq!(r.counts_towards_trust_score, Some(false));
    assert_eq!(r.links[0].rel, "self");
}

#[test]
fn a_sparse_review_decodes_with_defaults() {
    let r: ServiceReview = serde_json::from_str(
        r#"{"id":"abc","consumer":null,"stars":"5","createdAt":"2013-09-07T13:37:00","companyReply":null,"tags":null,"status":null,"reportData":null,"isVerified":"false"}"#,
    )
    .unwrap();
    assert_eq!(r.stars, 5);
    assert_eq!(r.created_at, Some(1_378_561_020));
    assert_eq!(r.consumer, Consumer::default());
    assert!(!r.has_reply());
    assert!(r.tags.is_empty());
    assert_eq!(r.status, ReviewStatus::Active);
    assert!(!r.is_verified);
    let r: ServiceReview =
        serde_json::from_str(r#"{"stars": 9, "status": "archived", "createdAt": "soon"}"#).unwrap();
    assert_eq!((r.stars, r.created_at), (0, None));
    assert_eq!(r.status, ReviewStatus::Other("archived".into()));
}

#[test]
fn a_page_and_its_end_conditions() {
    let page = |n: usize, next: bool| {
        let reviews: Vec<String> = (0..n).map(|i| format!(r#"{{"id":"{i}"}}"#)).collect();
        let links = if next {
            r#"[{"href":"x","method":"GET","rel":"prev-page"},{"href":"y","method":"GET","rel":"next-page"}]"#
        } else {
            r#"[{"href":"x","method":"GET","rel":"prev-page"}]"#
        };
        serde_json::from_str::<ReviewPage>(&format!(
            r#"{{"reviews":[{}],"links":{links}}}"#,
            reviews.join(",")
        ))
        .unwrap()
    };
    assert!(page(3, true).has_next(3), "full page with a next link");
    assert!(!page(2, true).has_next(3), "short page");
    assert!(!page(3, false).has_next(3), "full page without a next link");
    assert!(!page(0, true).has_next(3), "empty page");
    assert!(!page(0, false).has_next(0));
    let empty: ReviewPage = serde_json::from_str(r#"{"reviews":null}"#).unwrap();
    assert!(empty.reviews.is_empty() && empty.links.is_empty());
    // A review that does not decode fails the page rather than vanishing from it.
    assert!(serde_json::from_str::<ReviewPage>(r#"{"reviews":[{"id":"1"}, 5]}"#).is_err());
}

#[test]
fn a_business_unit() {
    let u: BusinessUnit = serde_json::from_str(
        r#"{"links":[],"id":"5c1a7e8f2d3b4a0001f6e9d2","displayName":"Aurora Outfitters",
            "name":{"identifying":"aurora-outfitters.com","referring":["www.aurora-outfitters.com"]},
            "websiteUrl":"https://aurora-outfitters.com","country":"US",
            "numberOfReviews":{"total":10,"usedForTrustScoreCalculation":9,"oneStar":1,"twoStars":"1","threeStars":1,"fourStars":2,"fiveStars":5},
            "status":"active","score":{"trustScore":4.6,"stars":"4.5"},"badFit":false}"#,
    )
    .unwrap();
    assert_eq!(
        u.name.as_ref().unwrap().referring,
        ["www.aurora-outfitters.com"]
    );
    assert_eq!(
        u.number_of_reviews.as_ref().unwrap().by_stars(),
        [1, 1, 1, 2, 5]
    );
    let s = u.score.unwrap();
    assert!((s.trust_score - 4.6).abs() < 1e-9 && (s.stars - 4.5).abs() < 1e-9);
}

#[test]
fn expires_in_as_a_string_or_a_number() {
    let now = 1_000;
    for body in [
        r#"{"access_token":"A","refresh_token":"R","expires_in":"359999","issued_at":"1","status":"approved"}"#,
        r#"{"access_token":"A","refresh_token":"R","expires_in":359999}"#,
        r#"{"access_token":"A","refresh_token":"R","expires_in":359999.0}"#,
    ] {
        let t = serde_json::from_str::<WireToken>(body)
            .unwrap()
            .into_tokens(Grant::Password, now)
            .unwrap();
        assert_eq!(t.expires_at, Some(360_999), "{body}");
        assert_eq!(t.refresh_token.as_ref().unwrap().expose(), "R");
    }
    // No refresh token (client credentials), no or a junk expires_in.
    let t = serde_json::from_str::<WireToken>(
        r#"{"access_token":"A","expires_in":"soon","refresh_token":null}"#,
    )
    .unwrap()
    .into_tokens(Grant::ClientCredentials, now)
    .unwrap();
    assert!(
        !t.expires_within(now, 0),
        "an unknown expiry is not an expiry"
    );
    assert_eq!((t.expires_at, t.refresh_token), (None, None));
    assert!(serde_json::from_str::<WireToken>(r#"{"access_token":""}"#)
        .unwrap()
        .into_tokens(Grant::Password, now)
        .is_none());
    // The token never shows in Debug.
    let t = serde_json::from_str::<WireToken>(
        r#"{"access_token":"SeCrEtAcCeSs","refresh_token":"SeCrEtReFrEsH"}"#,
    )
    .unwrap()
    .into_tokens(Grant::Password, now)
    .unwrap();
    let shown = format!("{t:?}");
    assert!(!shown.contains("SeCrEt"), "{shown}");
}

/// A product review as Pipedream reads it, with the drift: numbers as strings, an unknown
/// state, attribute options of an unknown shape, a processed file without a readable size.
const PRODUCT_REVIEW: &str = r#"{
  "id": "6a1b2c3d4e5f60718293a4b5",
  "createdAt": "2025-03-01T10:00:00Z",
  "updatedAt": "2025-03-02T10:00:00.250Z",
  "businessUnitId": "5c1a7e8f2d3b4a0001f6e9d2",
  "stars": "4",
  "content": "Warm and light.",
  "product": {"id": "p1", "productUrl": "https://shop.example/p1", "productImages": ["https://img.example/p1.jpg"], "name": "Down Jacket", "sku": "AU-101", "gtin": null, "mpn": "M1", "brand": "Aurora"},
  "consumer": {"id": "c1", "email": "jane@example.com", "name": "Jane Doe"},
  "referenceId": 5001,
  "locale": "en-US",
  "language": "en",
  "redirectUri": null,
  "state": "pendingSomething",
  "hasModerationHistory": "false",
  "conversationId": null,
  "attributeRatings": [
    {"attributeId": "a1", "attributeName": "Fit", "attributeType": "scale", "attributeOptions": ["Runs small", "True to size", "Runs large"], "rating": 2},
    {"attributeId": "a2", "attributeName": "Quality", "attributeType": "range", "attributeOptions": {"min": 1, "max": 5}, "rating": "5"}
  ],
  "attachments": [{"id": "f1", "state": "approved", "processedFiles": [
    {"dimension": "original", "mimeType": "image/jpeg", "url": "https://img.example/f1.jpg"},
    {"dimension": "256x192", "mimeType": "image/jpeg", "url": "https://img.example/f1-s.jpg"},
    {"dimension": "1024x768", "mimeType": "image/jpeg", "url": "https://img.example/f1-l.jpg"}
  ]}],
  "somethingNew": true
}"#;

#[test]
fn a_product_review_with_drift() {
    let r: ProductReview = serde_json::from_str(PRODUCT_REVIEW).unwrap();
    assert_eq!((r.stars, r.content.as_str()), (4, "Warm and light."));
    assert_eq!(r.created_at, Some(1_740_823_200));
    assert_eq!(r.updated_at, Some(1_740_909_600));
    assert_eq!(r.reference_id.as_deref(), Some("5001"));
    assert_eq!(
        r.state,
        ProductReviewState::Other("pendingSomething".into())
    );
    assert!(!r.has_moderation_history);
    assert_eq!(r.conversation_id, None);
    let p = r.product.as_ref().unwrap();
    assert_eq!(
        (p.sku.as_deref(), p.gtin.as_deref()),
        (Some("AU-101"), None)
    );
    assert_eq!(r.consumer.email.as_deref(), Some("jane@example.com"));
    assert_eq!(r.attribute_ratings[0].chosen_option(), Some("True to size"));
    assert_eq!(r.attribute_ratings[1].rating, Some(5));
    assert_eq!(r.attribute_ratings[1].chosen_option(), None);
    let a = &r.attachments[0];
    assert_eq!(a.largest().unwrap().url, "https://img.example/f1-l.jpg");
    assert_eq!(a.smallest().unwrap().url, "https://img.example/f1-s.jpg");
    assert_eq!(a.processed_files[1].pixel_size(), Some((256, 192)));
    assert_eq!(a.processed_files[0].pixel_size(), None);
    assert_eq!(
        ProductReviewState::parse("UNDERMODERATION"),
        ProductReviewState::UnderModeration
    );
}

#[test]
fn conversations_and_comments_read_either_id() {
    let c: Conversation = serde_json::from_str(
        r#"{"id": "k1", "businessUnitId": "u1", "consumerId": "c1", "source": "Product reviews", "sourceId": "r1", "state": "PRIVATE",
            "comments": [
              {"commentId": "m1", "createdAt": "2025-03-03T08:00:00", "author": {"id": "b1", "type": "businessUser"}, "content": "Thanks!"},
              {"id": "m2", "commentId": null, "createdAt": null, "author": {"id": "c1", "type": "consumer"}, "content": "You're welcome"}
            ]}"#,
    )
    .unwrap();
    assert_eq!(c.state, ConversationState::Private);
    assert_eq!(c.source_id.as_deref(), Some("r1"));
    assert_eq!(c.comments.len(), 2);
    assert_eq!(c.comments[0].comment_id, "m1");
    assert!(c.comments[0].is_from_business());
    assert_eq!(c.comments[1].comment_id, "m2");
    assert!(!c.comments[1].is_from_business());
    let page: ProductReviewPage = serde_json::from_str(&format!(
        r#"{{"productReviews": [{PRODUCT_REVIEW}], "links": [{{"href": "x", "method": "GET", "rel": "next-page"}}]}}"#
    ))
    .unwrap();
    assert!(page.has_next(1) && !page.has_next(2));
    let created: CreatedConversation = serde_json::from_str(r#"{"id": "k2"}"#).unwrap();
    assert_eq!(created.into_id().as_deref(), Some("k2"));
}
