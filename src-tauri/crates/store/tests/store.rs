//! Integration tests of the local store against real database files.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::sync::LazyLock;
use std::time::Duration;

use reviewdesk_core::{
    AccountKey, ActionKind, ActionState, Media, MediaKind, PagePosition, ProductId,
    ProviderDetails, Review, ReviewCursor, ReviewFilter, ReviewId, ReviewQuery, ReviewReply,
    ReviewSort, ReviewTag, ReviewView, SyncCursor, TriageState, TrustooDetails, TrustpilotDetails,
    TrustpilotId,
};
use reviewdesk_store::{
    FullPassProgress, NewAction, PassResume, Store, StoreError, SCHEMA_VERSION,
};
use tempfile::TempDir;

/// The shop most tests work in (a Trustoo account).
static SHOP: LazyLock<AccountKey> = LazyLock::new(|| AccountKey::trustoo("demo.myshopify.com"));

fn open() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("store.db")).unwrap();
    (dir, store)
}

fn reopen(dir: &TempDir, store: Store) -> Store {
    drop(store);
    Store::open(dir.path().join("store.db")).unwrap()
}

/// The Trustoo part of a test review, to change it.
fn trustoo(r: &mut Review) -> &mut TrustooDetails {
    match &mut r.details {
        ProviderDetails::Trustoo(t) => t,
        other => panic!("not a Trustoo review: {other:?}"),
    }
}

fn review(id: u32, rating: u8, at: i64, content: &str) -> Review {
    Review {
        id: ReviewId(id.to_string()),
        product_id: ProductId("100".into()),
        product_title: "Linen Shirt".into(),
        product_handle: "linen-shirt".into(),
        is_store_review: false,
        rating,
        author: format!("Author {id}"),
        author_country: "US".into(),
        title: format!("Title {id}"),
        content: content.into(),
        is_verified: false,
        commented_at: at,
        updated_at: at,
        media: vec![],
        reply: None,
        tags: Vec::new(),
        details: ProviderDetails::Trustoo(TrustooDetails {
            source: "Store front".into(),
            author_email: format!("a{id}@example.com"),
            order_id: String::new(),
            item_type: "Blue / M".into(),
            is_featured: false,
            is_published: true,
            is_pinned: false,
        }),
    }
}

/// Ten reviews with varied fields; ids 1..=10, commented_at 1000*id.
fn sample() -> Vec<Review> {
    (1..=10)
        .map(|i| {
            let mut r = review(
                i,
                (i % 5 + 1) as u8,
                1_700_000_000 + i64::from(i) * 1000,
                "",
            );
            r.content = match i {
                1 => "Great comfortable shirt, love it".into(),
                2 => "Terrible stitching, fell apart".into(),
                3 => "Comfy and soft fabric".into(),
                4 => "Arrived late but great quality".into(),
                5 => "Café au lait colour, très jolie".into(),
                _ => format!("Ordinary review number {i}"),
            };
            if i % 2 == 0 {
                r.product_id = ProductId("200".into());
                r.product_title = "Wool Sweater".into();
            }
            if i % 3 == 0 {
                r.media.push(Media {
                    url: format!("https://cdn/{i}.jpg"),
                    thumbnail_url: String::new(),
                    kind: MediaKind::Image,
                    is_published: true,
                });
            }
            if i == 7 {
                r.media.push(Media {
                    url: "https://cdn/7.mp4".into(),
                    thumbnail_url: String::new(),
                    kind: MediaKind::Video,
                    is_published: true,
                });
            }
            r.is_verified = i % 2 == 1;
            trustoo(&mut r).source = if i <= 7 {
                "Store front".into()
            } else {
                "AliExpress".into()
            };
            if i == 4 {
                r.reply = Some(ReviewReply {
                    content: "Thanks!".into(),
                    reply_at: "2024-01-02 03:04:05".into(),
                    author: None,
                    updated_at: None,
                });
            }
            r
        })
        .collect()
}

fn filled() -> (TempDir, Store) {
    let (dir, mut store) = open();
    store.upsert_reviews(&SHOP, &sample()).unwrap();
    (dir, store)
}

fn ids(store: &Store, q: &ReviewQuery) -> Vec<u32> {
    store
        .query_reviews(&SHOP, q)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.review.id.0.parse().unwrap())
        .collect()
}

fn with_filter(filter: ReviewFilter) -> ReviewQuery {
    ReviewQuery {
        filter,
        ..ReviewQuery::default()
    }
}

#[test]
fn a_word_only_in_a_reply_finds_the_review() {
    let (dir, mut store) = filled();
    let mut r = review(11, 3, 1_700_100_000, "Nothing special");
    r.reply = Some(ReviewReply {
        content: "We replaced the zebrafish buttons for you".into(),
        reply_at: "2024-03-01T10:00:00Z".into(),
        author: Some("Ana from Support".into()),
        updated_at: Some("2024-03-02T09:00:00Z".into()),
    });
    store
        .upsert_reviews(&SHOP, std::slice::from_ref(&r))
        .unwrap();
    let search = |store: &Store, word: &str| {
        ids(
            store,
            &with_filter(ReviewFilter {
                keyword: Some(word.into()),
                ..Default::default()
            }),
        )
    };
    assert_eq!(search(&store, "zebrafish"), [11]);
    assert_eq!(search(&store, "zebraf"), [11], "prefix of a reply word");
    assert_eq!(search(&store, "replaced zebra"), [11]);
    // The reply of sample review 4 ("Thanks!") is searchable too.
    assert_eq!(search(&store, "thanks"), [4]);
    let store = reopen(&dir, store);
    let row = store.get_review(&SHOP, &r.id).unwrap().unwrap();
    assert_eq!(row.review.reply, r.reply, "author and updated time kept");
    let mut store = store;
    // A changed reply is re-indexed: the old word no longer finds it.
    r.reply = Some(ReviewReply {
        content: "Sorted out by phone".into(),
        reply_at: "2024-03-01T10:00:00Z".into(),
        author: None,
        updated_at: None,
    });
    store
        .upsert_reviews(&SHOP, std::slice::from_ref(&r))
        .unwrap();
    assert!(search(&store, "zebrafish").is_empty());
    assert_eq!(search(&store, "phone"), [11]);
    store.check_search_index().unwrap();
}

#[test]
fn tags_are_stored_filterable_and_counted() {
    let (_dir, mut store) = filled();
    let shipping = ReviewTag::generic("shipping");
    let ana = ReviewTag::new("team", "Ana Müller");
    let at = |i: u32| 1_700_100_000 + i64::from(i) * 60;
    let mut tagged: Vec<Review> = (11..=14)
        .map(|i| review(i, 5, at(i), "Tagged review"))
        .collect();
    tagged[0].tags = vec![shipping.clone()];
    tagged[1].tags = vec![shipping.clone(), ana.clone()];
    tagged[2].tags = vec![ana.clone()];
    store.upsert_reviews(&SHOP, &tagged).unwrap();
    let summary = |store: &Store| -> Vec<(ReviewTag, u64)> {
        store
            .list_tags(&SHOP)
            .unwrap()
            .into_iter()
            .map(|t| (t.tag, t.count))
            .collect()
    };
    assert_eq!(summary(&store), [(shipping.clone(), 2), (ana.clone(), 2)]);
    let row = store.get_review(&SHOP, &tagged[1].id).unwrap().unwrap();
    assert_eq!(row.review.tags, [shipping.clone(), ana.clone()]);
    let by_tag = |store: &Store, tag: &ReviewTag, more: ReviewFilter| {
        ids(
            store,
            &with_filter(ReviewFilter {
                tag: Some(tag.clone()),
                ..more
            }),
        )
    };
    assert_eq!(by_tag(&store, &shipping, Default::default()), [12, 11]);
    assert_eq!(by_tag(&store, &ana, Default::default()), [13, 12]);
    // A tag that looks alike is another tag.
    let near = ReviewTag::new("team", "ana müller");
    assert!(by_tag(&store, &near, Default::default()).is_empty());
    // With a keyword, a star rating, a triage state (an index of its own) and the deleted view.
    let words = ReviewFilter {
        keyword: Some("tagg".into()),
        ratings: vec![5],
        ..Default::default()
    };
    assert_eq!(by_tag(&store, &ana, words), [13, 12]);
    store
        .set_triage(&SHOP, &[tagged[2].id.clone()], TriageState::Flagged, "t")
        .unwrap();
    let flagged = ReviewFilter {
        triage: Some(TriageState::Flagged),
        ..Default::default()
    };
    assert_eq!(by_tag(&store, &ana, flagged.clone()), [13]);
    assert!(by_tag(&store, &shipping, flagged).is_empty());
    store.delete_review(&SHOP, &tagged[1].id, "t").unwrap();
    assert_eq!(by_tag(&store, &shipping, Default::default()), [11]);
    let deleted = ReviewFilter {
        view: ReviewView::Deleted,
        ..Default::default()
    };
    assert_eq!(by_tag(&store, &shipping, deleted), [12]);
    assert_eq!(summary(&store), [(shipping.clone(), 1), (ana.clone(), 1)]);
    let count = ReviewFilter {
        tag: Some(ana.clone()),
        ..Default::default()
    };
    assert_eq!(store.count_reviews(&SHOP, &count).unwrap(), 1);
    // Tags changed on the server move the counts; a restored review counts again.
    tagged[0].tags = vec![ana.clone()];
    store.upsert_reviews(&SHOP, &tagged[..1]).unwrap();
    assert_eq!(summary(&store), [(ana.clone(), 2)]);
    assert!(
        by_tag(&store, &shipping, Default::default()).is_empty(),
        "a tag taken off on the server no longer finds the review"
    );
    store.restore_review(&SHOP, &tagged[1].id, "t").unwrap();
    assert_eq!(summary(&store), [(ana.clone(), 3), (shipping.clone(), 1)]);
    assert_eq!(by_tag(&store, &ana, Default::default()), [13, 12, 11]);
    assert!(store
        .list_tags(&AccountKey::trustoo("nobody"))
        .unwrap()
        .is_empty());
    store.check_search_index().unwrap();
}

/// A Trustpilot part with the shared source of `details` (other fields made up).
fn as_trustpilot(details: &ProviderDetails) -> ProviderDetails {
    ProviderDetails::Trustpilot(TrustpilotDetails {
        source: details.source().to_owned(),
        language: "en".into(),
        report_status: "active".into(),
        ..TrustpilotDetails::default()
    })
}

/// Each provider's part of a review comes back as it was written, through every read (one
/// review, a listing, a search, the source filter and counts), and a review of another provider
/// than the account's is refused rather than stored as something else.
#[test]
fn each_providers_part_of_a_review_round_trips_through_the_store() {
    let (_dir, mut store) = open();
    let unit = TrustpilotId::parse("507f191e810c19729de860ea").unwrap();
    let trustpilot = AccountKey::trustpilot(&unit);
    let mut tp = review(1, 2, 1_700_000_000, "Delivery took three weeks");
    tp.details = ProviderDetails::Trustpilot(TrustpilotDetails {
        source: "AFS".into(),
        reference_id: Some("#1042".into()),
        referral_email: Some("ana@example.com".into()),
        report_status: "reported".into(),
        report_reasons: vec!["sensitiveInformation".into(), "consumerIsCompetitor".into()],
        language: "da".into(),
        consumer_id: TrustpilotId::parse("5f0c1e2d3b4a59687a6b5c4d").ok(),
        product: None,
        find_reviewer: Some(reviewdesk_core::FindReviewer {
            eligible: true,
            requests: vec![reviewdesk_core::FindReviewerRequest {
                id: "65a1b2c3d4e5f60718293a4b".into(),
                status: "answered".into(),
                created_at: Some("2024-05-01 10:00:00".into()),
                message: Some("Could you share your order number?".into()),
                answer: Some(reviewdesk_core::FindReviewerAnswer {
                    reference_id: Some("#1042".into()),
                    name: Some("Ana".into()),
                    submitted_at: Some("2024-05-02 09:00:00".into()),
                    ..Default::default()
                }),
            }],
        }),
    });
    let mut bare = review(2, 5, 1_700_000_100, "Fine");
    bare.details = ProviderDetails::Trustpilot(TrustpilotDetails::default());
    // A product review's own part (schema V21).
    let mut product = review(4, 2, 1_700_000_300, "The zip broke");
    product.is_store_review = false;
    product.details = ProviderDetails::Trustpilot(TrustpilotDetails {
        language: "en".into(),
        product: Some(Box::new(reviewdesk_core::ProductReviewDetails {
            state: "underModeration".into(),
            sku: Some("AU-101".into()),
            product_url: Some("https://shop.example/jacket".into()),
            image_url: None,
            brand: Some("Aurora".into()),
            attributes: vec![reviewdesk_core::ProductAttributeRating {
                name: "Fit".into(),
                rating: Some(2),
                option: Some("True to size".into()),
            }],
            conversation_id: Some("c0ffee000000000000000001".into()),
            conversation_public: false,
            comment_id: Some("k1".into()),
        })),
        ..TrustpilotDetails::default()
    });
    store
        .upsert_reviews(&trustpilot, &[tp.clone(), bare.clone(), product.clone()])
        .unwrap();
    let trustoo = review(3, 4, 1_700_000_200, "Soft");
    store
        .upsert_reviews(&SHOP, std::slice::from_ref(&trustoo))
        .unwrap();

    let got = |account: &AccountKey, r: &Review| {
        store.get_review(account, &r.id).unwrap().unwrap().review
    };
    assert_eq!(got(&trustpilot, &tp), tp);
    assert_eq!(got(&trustpilot, &bare), bare);
    assert_eq!(got(&trustpilot, &product), product);
    assert_eq!(got(&SHOP, &trustoo), trustoo);
    let listed = store
        .query_reviews(&trustpilot, &ReviewQuery::default())
        .unwrap();
    assert_eq!(
        listed.rows.iter().map(|r| &r.review).collect::<Vec<_>>(),
        vec![&product, &bare, &tp]
    );
    let afs = ReviewFilter {
        source: Some("AFS".into()),
        keyword: Some("delivery".into()),
        ..Default::default()
    };
    assert_eq!(store.count_reviews(&trustpilot, &afs).unwrap(), 1);
    assert_eq!(
        store
            .list_sources(&trustpilot)
            .unwrap()
            .iter()
            .map(|s| s.source.as_str())
            .collect::<Vec<_>>(),
        ["", "AFS"]
    );

    let err = store.upsert_reviews(&trustpilot, &[trustoo]).unwrap_err();
    assert!(matches!(err, StoreError::InvalidInput(_)), "{err}");
    store.check_search_index().unwrap();
}

/// Trustpilot's own filters (language, replied or awaiting a reply, reported) narrow a listing,
/// a search, a count and the All accounts listing alike, combine with the other filters, and
/// the language options come from the stored reviews with their counts.
#[test]
fn language_reply_and_report_filters_narrow_every_read() {
    let (_dir, mut store) = open();
    let unit = TrustpilotId::parse("507f191e810c19729de860ea").unwrap();
    let trustpilot = AccountKey::trustpilot(&unit);
    // id, stars, language, replied, reported
    let specs: [(u32, u8, &str, bool, bool); 6] = [
        (1, 1, "en", false, true),
        (2, 5, "en", true, false),
        (3, 2, "da", false, false),
        (4, 4, "da", true, true),
        (5, 1, "en", false, false),
        (6, 3, "de", false, false),
    ];
    let reviews: Vec<Review> = specs
        .iter()
        .map(|&(id, stars, language, replied, reported)| {
            let mut r = review(id, stars, 1_700_000_000 + i64::from(id), "Parcel arrived");
            r.details = ProviderDetails::Trustpilot(TrustpilotDetails {
                language: language.into(),
                report_status: if reported { "reported" } else { "active" }.into(),
                ..TrustpilotDetails::default()
            });
            r.reply = replied.then(|| ReviewReply {
                content: "Thank you".into(),
                reply_at: "2024-03-01T10:00:00Z".into(),
                author: None,
                updated_at: None,
            });
            r
        })
        .collect();
    store.upsert_reviews(&trustpilot, &reviews).unwrap();
    store
        .upsert_reviews(&SHOP, &[review(9, 1, 1_700_000_500, "Parcel arrived")])
        .unwrap();
    let listed = |filter: ReviewFilter| -> Vec<u32> {
        let q = with_filter(filter.clone());
        let mut got: Vec<u32> = store
            .query_reviews(&trustpilot, &q)
            .unwrap()
            .rows
            .iter()
            .map(|r| r.review.id.0.parse().unwrap())
            .collect();
        got.sort_unstable();
        let count = store.count_reviews(&trustpilot, &filter).unwrap();
        assert_eq!(count, got.len() as u64, "count agrees with the listing");
        got
    };
    let f = |language: Option<&str>, replied, reported| ReviewFilter {
        language: language.map(Into::into),
        replied,
        reported,
        ..Default::default()
    };
    assert_eq!(listed(f(Some("en"), None, None)), [1, 2, 5]);
    assert_eq!(listed(f(Some("fr"), None, None)), Vec::<u32>::new());
    assert_eq!(listed(f(None, Some(true), None)), [2, 4]);
    assert_eq!(listed(f(None, Some(false), None)), [1, 3, 5, 6]);
    assert_eq!(listed(f(None, None, Some(true))), [1, 4]);
    assert_eq!(listed(f(None, None, Some(false))), [2, 3, 5, 6]);
    assert_eq!(listed(f(Some("en"), Some(false), Some(false))), [5]);
    // With search words (answered by FTS5) and with stars (a facet walk) too.
    let mut searched = f(Some("da"), Some(false), None);
    searched.keyword = Some("parcel".into());
    assert_eq!(listed(searched), [3]);
    let mut one_star = f(None, Some(false), None);
    one_star.ratings = vec![1];
    assert_eq!(listed(one_star), [1, 5]);
    // The Trustoo review has no language, no report and no reply: awaiting, not reported.
    let across = |filter: ReviewFilter| -> usize {
        store
            .query_reviews_across(&[trustpilot.clone(), SHOP.clone()], &with_filter(filter))
            .unwrap()
            .rows
            .len()
    };
    assert_eq!(across(f(None, Some(false), None)), 5);
    assert_eq!(across(f(Some("en"), None, None)), 3);
    assert_eq!(across(f(None, None, Some(false))), 5);
    let languages: Vec<(String, u64)> = store
        .list_languages(&trustpilot)
        .unwrap()
        .into_iter()
        .map(|l| (l.language, l.count))
        .collect();
    assert_eq!(
        languages,
        [("en".into(), 3), ("da".into(), 2), ("de".into(), 1)]
    );
    assert!(store.list_languages(&SHOP).unwrap().is_empty());
}

#[test]
fn accounts_with_the_same_id_under_different_providers_never_see_each_others_rows() {
    let (dir, mut store) = open();
    let id = TrustpilotId::parse("507f191e810c19729de860ea").unwrap();
    let trustpilot = AccountKey::trustpilot(&id);
    let trustoo = AccountKey::trustoo(id.as_str());
    let all = ReviewFilter {
        view: ReviewView::All,
        ..Default::default()
    };
    let mut reviews = sample();
    for r in &mut reviews[6..] {
        r.details = as_trustpilot(&r.details);
    }
    store.upsert_reviews(&trustoo, &reviews[..6]).unwrap();
    store.upsert_reviews(&trustpilot, &reviews[6..]).unwrap();
    store
        .set_triage(
            &trustoo,
            &[reviews[0].id.clone()],
            TriageState::Flagged,
            "a",
        )
        .unwrap();
    store
        .delete_review(&trustpilot, &reviews[7].id, "b")
        .unwrap();
    store
        .save_draft(&trustoo, "reply:1", &serde_json::json!({"text": "oo"}), &[])
        .unwrap();
    store
        .save_draft(
            &trustpilot,
            "reply:1",
            &serde_json::json!({"text": "tp"}),
            &[],
        )
        .unwrap();
    let action = |key: &str| NewAction {
        kind: ActionKind::DeleteReview,
        payload: serde_json::json!({}),
        idempotency_key: Some(key.into()),
    };
    store.enqueue(&trustoo, &action("oo")).unwrap();
    store.enqueue(&trustpilot, &action("tp")).unwrap();
    store
        .set_sync_cursor(
            &trustpilot,
            &SyncCursor {
                newest_commented_at: 7,
                ..Default::default()
            },
        )
        .unwrap();
    let mut store = reopen(&dir, store);

    // The local deletion queued an action of its own.
    for (account, own, other, queued) in [
        (&trustoo, &reviews[..6], &reviews[6..], 1),
        (&trustpilot, &reviews[6..], &reviews[..6], 2),
    ] {
        assert_eq!(
            store.count_reviews(account, &all).unwrap(),
            own.len() as u64
        );
        for r in own {
            assert!(store.get_review(account, &r.id).unwrap().is_some());
        }
        for r in other {
            assert!(store.get_review(account, &r.id).unwrap().is_none());
        }
        let actions = store.list_actions(account, &[]).unwrap();
        assert_eq!(actions.len(), queued);
        assert!(actions.iter().all(|a| &a.account == account));
        assert_eq!(store.list_drafts(account).unwrap().len(), 1);
        assert_eq!(store.list_audit(account, None, 10).unwrap().len(), 1);
    }
    // Search, facets and local state stay per account.
    let search = |word: &str| ReviewFilter {
        keyword: Some(word.into()),
        ..all.clone()
    };
    assert_eq!(
        store.count_reviews(&trustoo, &search("ordinary")).unwrap(),
        1
    );
    assert_eq!(
        store
            .count_reviews(&trustpilot, &search("ordinary"))
            .unwrap(),
        4
    );
    assert_eq!(
        store
            .count_reviews(&trustpilot, &search("comfortable"))
            .unwrap(),
        0
    );
    let flagged = ReviewFilter {
        triage: Some(TriageState::Flagged),
        ..Default::default()
    };
    assert_eq!(store.count_reviews(&trustoo, &flagged).unwrap(), 1);
    assert_eq!(store.count_reviews(&trustpilot, &flagged).unwrap(), 0);
    let deleted = ReviewFilter {
        view: ReviewView::Deleted,
        ..Default::default()
    };
    assert_eq!(store.count_reviews(&trustoo, &deleted).unwrap(), 0);
    assert_eq!(store.count_reviews(&trustpilot, &deleted).unwrap(), 1);
    assert_eq!(
        store
            .load_draft(&trustpilot, "reply:1")
            .unwrap()
            .unwrap()
            .form,
        serde_json::json!({"text": "tp"})
    );
    assert_eq!(store.sync_cursor(&trustoo).unwrap(), None);
    assert_eq!(
        store
            .sync_cursor(&trustpilot)
            .unwrap()
            .unwrap()
            .newest_commented_at,
        7
    );
    let products = |a: &AccountKey| -> u64 {
        store
            .list_products(a)
            .unwrap()
            .iter()
            .map(|p| p.count)
            .sum()
    };
    assert_eq!((products(&trustoo), products(&trustpilot)), (6, 3));
    // A sweep of one account never flags the other's reviews.
    let flagged = store
        .mark_missing_as_deleted(&trustoo, &HashSet::new(), i64::MAX)
        .unwrap();
    assert_eq!(flagged, 6);
    assert_eq!(
        store
            .count_reviews(&trustpilot, &ReviewFilter::default())
            .unwrap(),
        3
    );
    store.check_search_index().unwrap();
}

/// Three accounts for the All accounts view: the Trustoo shop with the sample (ids 1..=10), a
/// Trustpilot business unit with the same reviews as ids 11..=20, each 500 s later than its
/// twin (so the two interleave by time), and a second Trustoo shop with one review (id 99)
/// newer than all, which the two-account listings must leave out.
fn three_accounts() -> (TempDir, Store, AccountKey, AccountKey) {
    let (dir, mut store) = filled();
    let unit = TrustpilotId::parse("507f191e810c19729de860ea").unwrap();
    let tp = AccountKey::trustpilot(&unit);
    let twins: Vec<Review> = sample()
        .into_iter()
        .map(|mut r| {
            let n: u32 = r.id.0.parse().unwrap();
            r.id = ReviewId((n + 10).to_string());
            r.commented_at += 500;
            r.updated_at += 500;
            r.details = as_trustpilot(&r.details);
            r
        })
        .collect();
    store.upsert_reviews(&tp, &twins).unwrap();
    let other = AccountKey::trustoo("other.myshopify.com");
    store
        .upsert_reviews(
            &other,
            &[review(99, 5, 1_800_000_000, "Great comfortable hat")],
        )
        .unwrap();
    (dir, store, tp, other)
}

/// (id, provider) of each row of a listing over `accounts`.
fn across(store: &Store, accounts: &[AccountKey], q: &ReviewQuery) -> Vec<(u32, &'static str)> {
    store
        .query_reviews_across(accounts, q)
        .unwrap()
        .rows
        .iter()
        .map(|r| {
            assert_eq!(r.review.details.provider(), r.account.provider);
            (r.review.id.0.parse().unwrap(), r.account.provider.as_str())
        })
        .collect()
}

#[test]
fn the_all_accounts_listing_merges_both_providers_by_time_with_search_filters_and_sorts() {
    let (_dir, store, tp, other) = three_accounts();
    let both = [SHOP.clone(), tp.clone()];
    let newest = across(&store, &both, &ReviewQuery::default());
    let expected: Vec<(u32, &str)> = (1..=10)
        .rev()
        .flat_map(|i| [(i + 10, "trustpilot"), (i, "trustoo")])
        .collect();
    assert_eq!(newest, expected, "newest first across both, 99 left out");
    let page = store
        .query_reviews_across(&both, &ReviewQuery::default())
        .unwrap();
    assert_eq!((page.total, page.total_exact), (20, true));
    assert!(page
        .rows
        .iter()
        .all(|r| r.account == SHOP.clone() || r.account == tp));

    // Search (FTS) across both, with and without a filter; the third shop's match stays out.
    let search = |keyword: &str| ReviewFilter {
        keyword: Some(keyword.into()),
        ..Default::default()
    };
    assert_eq!(
        across(&store, &both, &with_filter(search("comfortable"))),
        vec![(11, "trustpilot"), (1, "trustoo")]
    );
    assert_eq!(
        across(&store, &both, &with_filter(search("comf"))),
        vec![
            (13, "trustpilot"),
            (3, "trustoo"),
            (11, "trustpilot"),
            (1, "trustoo")
        ]
    );
    let five_stars_with_image = ReviewFilter {
        ratings: vec![5],
        has_image: Some(true),
        ..Default::default()
    };
    // Rating 5 is i % 5 == 4 (4, 9); an image is i % 3 == 0 (9).
    assert_eq!(
        across(&store, &both, &with_filter(five_stars_with_image)),
        vec![(19, "trustpilot"), (9, "trustoo")]
    );
    let oldest = ReviewQuery {
        sort: ReviewSort::Oldest,
        ..ReviewQuery::default()
    };
    let mut reversed = expected.clone();
    reversed.reverse();
    assert_eq!(across(&store, &both, &oldest), reversed);
    let high = ReviewQuery {
        sort: ReviewSort::RatingHigh,
        ..ReviewQuery::default()
    };
    let by_rating = across(&store, &both, &high);
    let mut want = expected.clone();
    // Stable: newest first within a star.
    want.sort_by_key(|(id, _)| std::cmp::Reverse(((id - 1) % 10 + 1) % 5 + 1));
    assert_eq!(by_rating, want);

    // Every account of the store (the third shop too): "active" no longer needs a view token.
    let all = [SHOP.clone(), tp.clone(), other.clone()];
    assert_eq!(
        across(&store, &all, &with_filter(search("comfortable"))),
        vec![(99, "trustoo"), (11, "trustpilot"), (1, "trustoo")]
    );
    assert_eq!(across(&store, &all, &ReviewQuery::default()).len(), 21);
}

#[test]
fn the_account_filter_and_per_account_counts_follow_the_filter() {
    let (_dir, mut store, tp, other) = three_accounts();
    let both = [SHOP.clone(), tp.clone()];
    // One account asked across is that account's own listing, row for row.
    for account in [&*SHOP, &tp] {
        let one = std::slice::from_ref(account);
        let q = with_filter(ReviewFilter {
            keyword: Some("great".into()),
            ..Default::default()
        });
        assert_eq!(
            store.query_reviews_across(one, &q).unwrap(),
            store.query_reviews(account, &q).unwrap()
        );
    }
    // The one-account query says its account on every row too.
    let rows = store
        .query_reviews(&tp, &ReviewQuery::default())
        .unwrap()
        .rows;
    assert!(rows.len() == 10 && rows.iter().all(|r| r.account == tp));

    // A deleted review and a triaged one, each in its own account.
    store
        .delete_review(&tp, &ReviewId("12".into()), "m")
        .unwrap();
    store
        .set_triage(&SHOP, &[ReviewId("3".into())], TriageState::Flagged, "m")
        .unwrap();
    let counts = |filter: &ReviewFilter, cap: Option<u32>| -> Vec<(u64, bool)> {
        store
            .count_reviews_by_account(&[SHOP.clone(), tp.clone(), other.clone()], filter, cap)
            .unwrap()
            .into_iter()
            .map(|c| (c.total, c.total_exact))
            .collect()
    };
    assert_eq!(
        counts(&ReviewFilter::default(), None),
        vec![(10, true), (9, true), (1, true)]
    );
    assert_eq!(
        counts(&ReviewFilter::default(), Some(5)),
        vec![(5, false), (5, false), (1, true)]
    );
    let flagged = ReviewFilter {
        triage: Some(TriageState::Flagged),
        ..Default::default()
    };
    assert_eq!(
        counts(&flagged, None),
        vec![(1, true), (0, true), (0, true)]
    );
    assert_eq!(
        across(&store, &both, &with_filter(flagged)),
        vec![(3, "trustoo")]
    );
    let deleted = ReviewFilter {
        view: ReviewView::Deleted,
        ..Default::default()
    };
    assert_eq!(
        across(&store, &both, &with_filter(deleted)),
        vec![(12, "trustpilot")]
    );
    assert!(!across(&store, &both, &ReviewQuery::default()).contains(&(12, "trustpilot")));
    // An account with no data here adds nothing, and none at all is an empty page.
    let nobody = AccountKey::trustoo("nobody.myshopify.com");
    assert_eq!(
        across(
            &store,
            &[tp.clone(), nobody.clone()],
            &ReviewQuery::default()
        )
        .len(),
        9
    );
    let empty = store
        .query_reviews_across(&[nobody], &ReviewQuery::default())
        .unwrap();
    assert!(empty.rows.is_empty() && empty.total == 0 && empty.next.is_none());
}

#[test]
fn keyset_pages_across_accounts_stay_stable_while_reviews_arrive() {
    for sort in [ReviewSort::Newest, ReviewSort::RatingLow] {
        let (_dir, mut store, tp, _other) = three_accounts();
        let both = [SHOP.clone(), tp.clone()];
        let everything = across(
            &store,
            &both,
            &ReviewQuery {
                sort,
                ..ReviewQuery::default()
            },
        );
        let mut seen = Vec::new();
        let mut after = None;
        for page_no in 0.. {
            let page = store
                .query_reviews_across(
                    &both,
                    &ReviewQuery {
                        sort,
                        limit: 3,
                        after,
                        ..ReviewQuery::default()
                    },
                )
                .unwrap();
            seen.extend(page.rows.iter().map(|r| {
                (
                    r.review.id.0.parse::<u32>().unwrap(),
                    r.account.provider.as_str(),
                )
            }));
            // After the first page, a newer review arrives in each account: the pages after
            // the cursor neither repeat nor skip a row.
            if page_no == 0 {
                let mut fresh = review(50, 3, 1_750_000_000, "new");
                store.upsert_reviews(&SHOP, &[fresh.clone()]).unwrap();
                fresh.id = ReviewId("51".into());
                fresh.details = as_trustpilot(&fresh.details);
                store.upsert_reviews(&tp, &[fresh]).unwrap();
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        let fresh: Vec<_> = seen.iter().filter(|(id, _)| *id >= 50).copied().collect();
        seen.retain(|(id, _)| *id < 50);
        assert_eq!(seen, everything, "{sort:?}");
        // Newest first, the new reviews sort before the cursor; by rating (3 stars, after
        // the 1 and 2 star pages), they come in their place, in the order they were written
        // (the same second: the later write has the later key).
        let want: Vec<(u32, &str)> = if sort == ReviewSort::Newest {
            vec![]
        } else {
            vec![(50, "trustoo"), (51, "trustpilot")]
        };
        assert_eq!(fresh, want, "{sort:?}");
    }
}

#[test]
fn opens_fresh_file_at_latest_version_in_wal() {
    let (_dir, store) = open();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(store.file_size().unwrap() > 0);
}

#[test]
fn migrates_from_every_earlier_version_keeping_data() {
    for start in 0..SCHEMA_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let store = Store::open_to_version(&path, start).unwrap();
        assert_eq!(store.schema_version().unwrap(), start);
        drop(store);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        store.upsert_reviews(&SHOP, &sample()).unwrap();
        drop(store);
        // Opening again is a no-op migration and keeps the data.
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store
                .count_reviews(&SHOP, &ReviewFilter::default())
                .unwrap(),
            10
        );
    }
}

#[test]
fn refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    match Store::open(&path) {
        Err(StoreError::NewerSchema { found, .. }) => assert_eq!(found, SCHEMA_VERSION + 1),
        other => panic!("expected NewerSchema, got {other:?}"),
    }
}

#[test]
fn upsert_reports_exactly_the_reviews_it_inserted() {
    let (_dir, mut store) = open();
    let reviews = sample();
    let (stats, new) = store
        .upsert_reviews_reporting_new(&SHOP, &reviews[..4])
        .unwrap();
    assert_eq!((stats.inserted, new), (4, vec![0, 1, 2, 3]));
    // Known ones are not new; a review twice in one batch is new once, and written once.
    let mut batch = reviews.clone();
    batch.push(reviews[7].clone());
    let (stats, new) = store.upsert_reviews_reporting_new(&SHOP, &batch).unwrap();
    assert_eq!((stats.inserted, stats.updated), (6, 4));
    assert_eq!(new, vec![4, 5, 6, 7, 8, 9]);
    store.check_search_index().unwrap();
}

#[test]
fn a_batch_of_new_reviews_around_stored_ones_indexes_each_once() {
    // A batch of only new reviews is indexed with one statement over its key range; stored
    // reviews inside that range (dates interleaved, as consecutive pages of a listing sorted by
    // creation time have) must be neither indexed twice nor missed. Several shops, so the
    // range holds another shop's rows too.
    let (_dir, mut store) = open();
    let at = |i: u32| 1_700_000_000 + i64::from(i) * 60;
    let stored: Vec<Review> = [2, 5, 8]
        .iter()
        .map(|&i| review(i, 5, at(i), &format!("stored kept{i}")))
        .collect();
    store.upsert_reviews(&SHOP, &stored[..2]).unwrap();
    store
        .upsert_reviews(&AccountKey::trustoo("other.myshopify.com"), &stored[2..])
        .unwrap();
    let batch: Vec<Review> = [1, 3, 4, 6, 7, 9]
        .iter()
        .map(|&i| review(i, 1, at(i), &format!("fresh word{i}")))
        .collect();
    let (stats, new) = store.upsert_reviews_reporting_new(&SHOP, &batch).unwrap();
    assert_eq!((stats.inserted, stats.updated), (6, 0));
    assert_eq!(new, vec![0, 1, 2, 3, 4, 5]);
    store.check_search_index().unwrap();
    let count = |store: &Store, shop: &AccountKey, keyword: &str| {
        store
            .count_reviews(
                shop,
                &ReviewFilter {
                    keyword: Some(keyword.into()),
                    ..Default::default()
                },
            )
            .unwrap()
    };
    let other = AccountKey::trustoo("other.myshopify.com");
    assert_eq!(count(&store, &SHOP, "fresh"), 6);
    assert_eq!(count(&store, &SHOP, "stored"), 2);
    assert_eq!(count(&store, &SHOP, "word6"), 1);
    assert_eq!(count(&store, &other, "stored"), 1);
    assert_eq!(count(&store, &other, "fresh"), 0);
}

/// `list_products` against the list itself: each product's count is the number of its active
/// reviews as the list counts them, and together they are every active review (so no product
/// with active reviews is missing).
fn assert_product_counts_agree(store: &Store, step: &str) {
    let products = store.list_products(&SHOP).unwrap();
    let total: u64 = products.iter().map(|p| p.count).sum();
    let active = store
        .count_reviews(&SHOP, &ReviewFilter::default())
        .unwrap();
    assert_eq!(total, active, "{step}: {products:?}");
    for p in &products {
        let listed = store
            .count_reviews(
                &SHOP,
                &ReviewFilter {
                    product_id: Some(p.id.clone()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(p.count, listed, "{step}: {p:?}");
        assert!(p.count > 0, "{step}: {p:?}");
    }
    assert!(
        products.windows(2).all(|w| w[0].count >= w[1].count),
        "{step}: most reviewed first: {products:?}"
    );
}

#[test]
fn product_counts_follow_every_change_of_a_review() {
    let (dir, mut store) = open();
    let reviews = sample();
    store.upsert_reviews(&SHOP, &reviews).unwrap();
    assert_product_counts_agree(&store, "first write");
    let summary = |store: &Store| -> Vec<(String, u64, String)> {
        store
            .list_products(&SHOP)
            .unwrap()
            .into_iter()
            .map(|p| (p.id.0, p.count, p.title))
            .collect()
    };
    assert_eq!(
        summary(&store),
        vec![
            ("100".to_owned(), 5, "Linen Shirt".to_owned()),
            ("200".to_owned(), 5, "Wool Sweater".to_owned())
        ]
    );
    // The server moved review 1 to another product (and renamed it).
    let mut moved = reviews[0].clone();
    moved.product_id = ProductId("300".into());
    moved.product_title = "Canvas Tote".into();
    store.upsert_reviews(&SHOP, &[moved]).unwrap();
    assert_product_counts_agree(&store, "moved");
    assert!(summary(&store).contains(&("300".to_owned(), 1, "Canvas Tote".to_owned())));
    // Deleted here, restored, deleted again.
    store.delete_review(&SHOP, &reviews[1].id, "me").unwrap();
    assert_product_counts_agree(&store, "deleted");
    store.restore_review(&SHOP, &reviews[1].id, "me").unwrap();
    assert_product_counts_agree(&store, "restored");
    store.delete_review(&SHOP, &reviews[2].id, "me").unwrap();
    // Gone from the server: review 4, and review 3 (already deleted here).
    let seen: HashSet<ReviewId> = reviews
        .iter()
        .filter(|r| r.id.0 != "3" && r.id.0 != "4")
        .map(|r| r.id.clone())
        .collect();
    let flagged = store
        .mark_missing_as_deleted(&SHOP, &seen, i64::MAX / 4)
        .unwrap();
    assert_eq!(flagged, 2);
    assert_product_counts_agree(&store, "missing on the server");
    // Seen on the server again: 4 is back in the list, 3 stays deleted here.
    store
        .upsert_reviews(&SHOP, &[reviews[2].clone(), reviews[3].clone()])
        .unwrap();
    assert_product_counts_agree(&store, "seen again");
    // Every review of product 300 deleted: it leaves the filter's list.
    store.delete_review(&SHOP, &reviews[0].id, "me").unwrap();
    assert_product_counts_agree(&store, "product emptied");
    assert!(summary(&store).iter().all(|(id, _, _)| id != "300"));
    let store = reopen(&dir, store);
    assert_product_counts_agree(&store, "reopened");
}

/// Sources as the sandbox and Trustoo send them (`crates/sandbox/src/data.rs`, the documented
/// `source` enum), spread over reviews like a shop that collects mostly by email and widget.
const SANDBOX_SOURCES: [&str; 6] = [
    "Email request",
    "Email request",
    "Store front",
    "Email request",
    "CSV uploaded",
    "QR Code",
];

/// `n` reviews over two products with the sources above.
fn sandbox_like(n: u32) -> Vec<Review> {
    (1..=n)
        .map(|i| {
            let mut r = review(i, (i % 5 + 1) as u8, 1_700_000_000 + i64::from(i) * 60, "");
            trustoo(&mut r).source = SANDBOX_SOURCES[i as usize % SANDBOX_SOURCES.len()].into();
            if i % 2 == 0 {
                r.product_id = ProductId("200".into());
            }
            r
        })
        .collect()
}

fn assert_source_counts_agree(store: &Store, step: &str) {
    let sources = store.list_sources(&SHOP).unwrap();
    let total: u64 = sources.iter().map(|s| s.count).sum();
    let active = store
        .count_reviews(&SHOP, &ReviewFilter::default())
        .unwrap();
    assert_eq!(total, active, "{step}: {sources:?}");
    for s in &sources {
        let listed = store
            .count_reviews(
                &SHOP,
                &ReviewFilter {
                    source: Some(s.source.clone()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(s.count, listed, "{step}: {s:?}");
        assert!(s.count > 0, "{step}: {s:?}");
    }
    assert!(
        sources.windows(2).all(|w| w[0].count >= w[1].count),
        "{step}: most used first: {sources:?}"
    );
}

#[test]
fn source_facet_lists_the_sources_of_the_stored_reviews_with_counts() {
    let (dir, mut store) = open();
    assert!(store.list_sources(&SHOP).unwrap().is_empty());
    let reviews = sandbox_like(60);
    store.upsert_reviews(&SHOP, &reviews).unwrap();
    let summary = |store: &Store| -> Vec<(String, u64)> {
        store
            .list_sources(&SHOP)
            .unwrap()
            .into_iter()
            .map(|s| (s.source, s.count))
            .collect()
    };
    // Exactly the values the reviews carry, spelled as stored, most used first.
    assert_eq!(
        summary(&store),
        vec![
            ("Email request".to_owned(), 30),
            ("CSV uploaded".to_owned(), 10),
            ("QR Code".to_owned(), 10),
            ("Store front".to_owned(), 10),
        ]
    );
    assert_source_counts_agree(&store, "first write");
    // The server changed review 1's source to one no review had.
    let mut moved = reviews[0].clone();
    trustoo(&mut moved).source = "Shopee".into();
    store.upsert_reviews(&SHOP, &[moved]).unwrap();
    assert_source_counts_agree(&store, "changed");
    assert!(summary(&store).contains(&("Shopee".to_owned(), 1)));
    // Deleted here, restored, deleted again; gone from the server.
    store.delete_review(&SHOP, &reviews[1].id, "me").unwrap();
    assert_source_counts_agree(&store, "deleted");
    store.restore_review(&SHOP, &reviews[1].id, "me").unwrap();
    assert_source_counts_agree(&store, "restored");
    let seen: HashSet<ReviewId> = reviews
        .iter()
        .filter(|r| r.id.0 != "5")
        .map(|r| r.id.clone())
        .collect();
    store
        .mark_missing_as_deleted(&SHOP, &seen, i64::MAX / 4)
        .unwrap();
    assert_source_counts_agree(&store, "missing on the server");
    // The only Shopee review deleted: Shopee leaves the list.
    store.delete_review(&SHOP, &reviews[0].id, "me").unwrap();
    assert!(summary(&store).iter().all(|(s, _)| s != "Shopee"));
    assert_source_counts_agree(&store, "source emptied");
    // Another shop's sources are its own.
    let mut other = review(1, 5, 1_700_000_000, "");
    trustoo(&mut other).source = "Amazon".into();
    store
        .upsert_reviews(&AccountKey::trustoo("other.myshopify.com"), &[other])
        .unwrap();
    assert!(summary(&store).iter().all(|(s, _)| s != "Amazon"));
    let store = reopen(&dir, store);
    assert_source_counts_agree(&store, "reopened");
}

#[test]
fn a_reader_sees_every_commit_and_refuses_writes() {
    let (dir, mut store) = open();
    let reviews = sample();
    store.upsert_reviews(&SHOP, &reviews[..4]).unwrap();
    let mut reader = Store::open_reader(dir.path().join("store.db")).unwrap();
    let all = ReviewQuery::default();
    assert_eq!(ids(&reader, &all).len(), 4);
    // A write committed on the writer's connection is seen by the reader's next query.
    store.upsert_reviews(&SHOP, &reviews[4..]).unwrap();
    assert_eq!(ids(&reader, &all).len(), 10);
    assert_eq!(reader.list_products(&SHOP).unwrap().len(), 2);
    // The reader cannot change the store.
    assert!(reader.upsert_reviews(&SHOP, &reviews[..1]).is_err());
    assert!(reader
        .set_triage(&SHOP, &[reviews[0].id.clone()], TriageState::Flagged, "me")
        .is_err());
    assert_eq!(
        store
            .count_reviews(
                &SHOP,
                &ReviewFilter {
                    triage: Some(TriageState::Flagged),
                    ..Default::default()
                }
            )
            .unwrap(),
        0
    );
    // A store that was not opened (migrated) for writing first is refused.
    let other = tempfile::tempdir().unwrap();
    assert!(Store::open_reader(other.path().join("none.db")).is_err());
}

#[test]
fn upsert_round_trips_every_field_and_is_idempotent() {
    let (_dir, mut store) = open();
    let reviews = sample();
    let first = store.upsert_reviews(&SHOP, &reviews).unwrap();
    assert_eq!((first.inserted, first.updated), (10, 0));
    let again = store.upsert_reviews(&SHOP, &reviews).unwrap();
    assert_eq!((again.inserted, again.updated), (0, 10));
    store.check_search_index().unwrap();
    assert_eq!(
        store
            .count_reviews(&SHOP, &ReviewFilter::default())
            .unwrap(),
        10
    );
    for r in &reviews {
        let row = store.get_review(&SHOP, &r.id).unwrap().unwrap();
        assert_eq!(&row.review, r);
        assert_eq!(row.triage, TriageState::New);
        assert_eq!(row.deleted_at, None);
    }
    // The FTS index has one entry per review, not one per upsert.
    let page = store
        .query_reviews(
            &SHOP,
            &with_filter(ReviewFilter {
                keyword: Some("great".into()),
                ..Default::default()
            }),
        )
        .unwrap();
    assert_eq!(page.total, 2);
}

#[test]
fn upsert_refreshes_server_fields_and_keeps_local_state() {
    let (_dir, mut store) = filled();
    store
        .set_triage(&SHOP, &[ReviewId("1".into())], TriageState::Flagged, "me")
        .unwrap();
    let mut changed = sample().remove(0);
    changed.content = "Now it shrank after washing".into();
    changed.commented_at += 50_000; // moves it to the top
    store.upsert_reviews(&SHOP, &[changed.clone()]).unwrap();
    let row = store.get_review(&SHOP, &changed.id).unwrap().unwrap();
    assert_eq!(row.review, changed);
    assert_eq!(row.triage, TriageState::Flagged);
    assert_eq!(ids(&store, &ReviewQuery::default()).first(), Some(&1));
    let kw = |k: &str| {
        ids(
            &store,
            &with_filter(ReviewFilter {
                keyword: Some(k.into()),
                ..Default::default()
            }),
        )
    };
    assert_eq!(kw("shrank"), vec![1]);
    assert_eq!(kw("comfortable"), Vec::<u32>::new());
    store.check_search_index().unwrap();
}

#[test]
fn shops_are_separate() {
    let (_dir, mut store) = filled();
    store
        .upsert_reviews(&AccountKey::trustoo("other.myshopify.com"), &sample()[..3])
        .unwrap();
    assert_eq!(
        store
            .count_reviews(&SHOP, &ReviewFilter::default())
            .unwrap(),
        10
    );
    assert_eq!(
        store
            .count_reviews(
                &AccountKey::trustoo("other.myshopify.com"),
                &ReviewFilter::default()
            )
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .count_reviews(&AccountKey::trustoo("nobody"), &ReviewFilter::default())
            .unwrap(),
        0
    );
    let q = with_filter(ReviewFilter {
        keyword: Some("great".into()),
        ..Default::default()
    });
    assert_eq!(
        store
            .query_reviews(&AccountKey::trustoo("other.myshopify.com"), &q)
            .unwrap()
            .rows
            .len(),
        1
    );
}

#[test]
fn rejects_out_of_range_ratings() {
    let (_dir, mut store) = open();
    let bad = review(1, 9, 1, "x");
    assert!(matches!(
        store.upsert_reviews(&SHOP, &[bad]),
        Err(StoreError::InvalidInput(_))
    ));
}

#[test]
fn every_filter_narrows_the_list() {
    let (_dir, store) = filled();
    let f = |filter: ReviewFilter| ids(&store, &with_filter(filter));
    // ratings: i % 5 + 1 → 5★: 4, 9; 1★: 5, 10
    assert_eq!(
        f(ReviewFilter {
            ratings: vec![5],
            ..Default::default()
        }),
        vec![9, 4]
    );
    assert_eq!(
        f(ReviewFilter {
            ratings: vec![1, 5],
            ..Default::default()
        }),
        vec![10, 9, 5, 4]
    );
    assert_eq!(
        f(ReviewFilter {
            product_id: Some(ProductId("200".into())),
            ..Default::default()
        }),
        vec![10, 8, 6, 4, 2]
    );
    assert_eq!(
        f(ReviewFilter {
            source: Some("AliExpress".into()),
            ..Default::default()
        }),
        vec![10, 9, 8]
    );
    assert_eq!(
        f(ReviewFilter {
            has_image: Some(true),
            ..Default::default()
        }),
        vec![9, 6, 3]
    );
    assert_eq!(
        f(ReviewFilter {
            has_image: Some(false),
            ..Default::default()
        })
        .len(),
        7
    );
    assert_eq!(
        f(ReviewFilter {
            has_video: Some(true),
            ..Default::default()
        }),
        vec![7]
    );
    assert_eq!(
        f(ReviewFilter {
            verified: Some(true),
            ..Default::default()
        }),
        vec![9, 7, 5, 3, 1]
    );
    assert_eq!(
        f(ReviewFilter {
            verified: Some(false),
            ..Default::default()
        }),
        vec![10, 8, 6, 4, 2]
    );
    assert_eq!(
        f(ReviewFilter {
            commented_from: Some(1_700_000_000 + 3000),
            commented_to: Some(1_700_000_000 + 6000),
            ..Default::default()
        }),
        vec![5, 4, 3]
    );
    // combined
    assert_eq!(
        f(ReviewFilter {
            product_id: Some(ProductId("200".into())),
            ratings: vec![5, 1],
            has_image: Some(false),
            ..Default::default()
        }),
        vec![10, 4]
    );
    assert_eq!(
        f(ReviewFilter {
            ratings: vec![7],
            ..Default::default()
        }),
        Vec::<u32>::new()
    );
}

#[test]
fn every_sort_orders_the_list() {
    let (_dir, store) = filled();
    let s = |sort: ReviewSort| {
        ids(
            &store,
            &ReviewQuery {
                sort,
                ..Default::default()
            },
        )
    };
    assert_eq!(s(ReviewSort::Newest), vec![10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(s(ReviewSort::Oldest), vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // rating = i % 5 + 1: 5★ {9,4} 4★ {8,3} 3★ {7,2} 2★ {6,1} 1★ {10,5}
    assert_eq!(
        s(ReviewSort::RatingHigh),
        vec![9, 4, 8, 3, 7, 2, 6, 1, 10, 5]
    );
    assert_eq!(
        s(ReviewSort::RatingLow),
        vec![10, 5, 6, 1, 7, 2, 8, 3, 9, 4]
    );
}

#[test]
fn offset_and_cursor_pages_agree_for_every_sort() {
    let (_dir, store) = filled();
    for sort in [
        ReviewSort::Newest,
        ReviewSort::Oldest,
        ReviewSort::RatingHigh,
        ReviewSort::RatingLow,
    ] {
        let all = ids(
            &store,
            &ReviewQuery {
                sort,
                ..Default::default()
            },
        );
        let mut by_offset = Vec::new();
        let mut by_cursor = Vec::new();
        let mut after: Option<ReviewCursor> = None;
        for page in 0..4 {
            let q = ReviewQuery {
                sort,
                limit: 3,
                offset: page * 3,
                ..Default::default()
            };
            by_offset.extend(ids(&store, &q));
            let q = ReviewQuery {
                sort,
                limit: 3,
                after,
                ..Default::default()
            };
            let p = store.query_reviews(&SHOP, &q).unwrap();
            by_cursor.extend(p.rows.iter().map(|r| r.review.id.0.parse::<u32>().unwrap()));
            after = p.next;
            if after.is_none() {
                break;
            }
        }
        assert_eq!(by_offset, all, "{sort:?} offset");
        assert_eq!(by_cursor, all, "{sort:?} cursor");
    }
}

#[test]
fn totals_are_exact_or_capped() {
    let (_dir, store) = filled();
    let p = store
        .query_reviews(
            &SHOP,
            &ReviewQuery {
                limit: 2,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((p.rows.len(), p.total, p.total_exact), (2, 10, true));
    let p = store
        .query_reviews(
            &SHOP,
            &ReviewQuery {
                limit: 2,
                count_limit: Some(4),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((p.total, p.total_exact), (4, false));
    let p = store
        .query_reviews(
            &SHOP,
            &ReviewQuery {
                limit: 2,
                count_limit: None,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((p.total, p.total_exact), (10, true));
}

#[test]
fn full_text_search_matches_prefixes_and_accents() {
    let (_dir, store) = filled();
    let kw = |k: &str| {
        let mut v = ids(
            &store,
            &with_filter(ReviewFilter {
                keyword: Some(k.into()),
                ..Default::default()
            }),
        );
        v.sort();
        v
    };
    assert_eq!(kw("great"), vec![1, 4]);
    assert_eq!(kw("GREAT quality"), vec![4]);
    assert_eq!(kw("comf"), vec![1, 3]);
    assert_eq!(kw("cafe"), vec![5]); // diacritics folded
    assert_eq!(kw("très"), vec![5]);
    assert_eq!(kw("Author 7"), vec![7]); // author column
    assert_eq!(kw("wool"), vec![2, 4, 6, 8, 10]); // product title column
    assert_eq!(kw("nothingmatches"), Vec::<u32>::new());
    // combined with filters and sorts
    let q = ReviewQuery {
        filter: ReviewFilter {
            keyword: Some("great".into()),
            ratings: vec![5],
            ..Default::default()
        },
        sort: ReviewSort::RatingLow,
        ..Default::default()
    };
    assert_eq!(ids(&store, &q), vec![4]);
}

#[test]
fn hostile_search_input_never_errors() {
    let (_dir, store) = filled();
    for input in [
        "\"",
        "\"\"",
        "'",
        "*",
        "great*",
        "-",
        "-great",
        "AND",
        "OR",
        "NOT",
        "great AND",
        "AND OR NOT",
        "(",
        ")",
        "(great",
        "great)",
        "NEAR(great shirt)",
        "great NEAR/2 shirt",
        "^great",
        "col:great",
        "content:great",
        "{author}: x",
        "a\"b",
        "\\",
        "%",
        "_",
        "; DROP TABLE reviews; --",
        "\0",
        "😀",
        "   ",
        "",
        "+",
        "=1+1",
        "@",
        "**",
        "\"great",
        "great\"",
        "[]",
        "x' OR '1'='1",
    ] {
        for sort in [ReviewSort::Newest, ReviewSort::RatingHigh] {
            let q = ReviewQuery {
                filter: ReviewFilter {
                    keyword: Some(input.into()),
                    ..Default::default()
                },
                sort,
                ..Default::default()
            };
            store
                .query_reviews(&SHOP, &q)
                .unwrap_or_else(|e| panic!("input {input:?}: {e}"));
        }
    }
    // Input without words is no filter at all.
    assert_eq!(
        ids(
            &store,
            &with_filter(ReviewFilter {
                keyword: Some("*()".into()),
                ..Default::default()
            })
        )
        .len(),
        10
    );
    // Words around operators still match as words.
    assert_eq!(
        ids(
            &store,
            &with_filter(ReviewFilter {
                keyword: Some("-terrible*".into()),
                ..Default::default()
            })
        ),
        vec![2]
    );
}

#[test]
fn triage_is_local_state_with_audit() {
    let (_dir, mut store) = filled();
    let two = [
        ReviewId("2".into()),
        ReviewId("5".into()),
        ReviewId("999".into()),
    ];
    assert_eq!(
        store
            .set_triage(&SHOP, &two, TriageState::Flagged, "ann")
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .set_triage(&SHOP, &two, TriageState::Flagged, "ann")
            .unwrap(),
        0
    );
    store
        .set_triage(&SHOP, &[ReviewId("3".into())], TriageState::Reviewed, "bob")
        .unwrap();
    let f = |t| {
        ids(
            &store,
            &with_filter(ReviewFilter {
                triage: Some(t),
                ..Default::default()
            }),
        )
    };
    assert_eq!(f(TriageState::Flagged), vec![5, 2]);
    assert_eq!(f(TriageState::Reviewed), vec![3]);
    assert_eq!(f(TriageState::New).len(), 7);
    let log = store.review_audit(&SHOP, &ReviewId("2".into())).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].actor, "ann");
    assert_eq!(log[0].action, "set_triage");
    assert_eq!(log[0].details["to"], "flagged");
}

#[test]
fn deleting_keeps_the_copy_audits_and_queues() {
    let (dir, mut store) = filled();
    let id = ReviewId("4".into());
    let action = store.delete_review(&SHOP, &id, "ann").unwrap();
    assert!(matches!(
        store.delete_review(&SHOP, &id, "ann"),
        Err(StoreError::AlreadyDeleted(_))
    ));
    assert!(matches!(
        store.delete_review(&SHOP, &ReviewId("404".into()), "ann"),
        Err(StoreError::NotFound(_))
    ));
    let store_ = reopen(&dir, store);
    store = store_;
    assert!(!ids(&store, &ReviewQuery::default()).contains(&4));
    let deleted = store
        .query_reviews(
            &SHOP,
            &with_filter(ReviewFilter {
                view: ReviewView::Deleted,
                ..Default::default()
            }),
        )
        .unwrap();
    assert_eq!(deleted.rows.len(), 1);
    let row = &deleted.rows[0];
    assert_eq!(row.review, sample()[3]); // full copy, reply included
    assert!(row.deleted_at.is_some());
    assert_eq!(
        ids(
            &store,
            &with_filter(ReviewFilter {
                view: ReviewView::All,
                ..Default::default()
            })
        )
        .len(),
        10
    );
    // Searching the Deleted view works too.
    assert_eq!(
        ids(
            &store,
            &with_filter(ReviewFilter {
                view: ReviewView::Deleted,
                keyword: Some("late".into()),
                ..Default::default()
            })
        ),
        vec![4]
    );
    let log = store.list_audit(&SHOP, None, 10).unwrap();
    assert_eq!(log[0].action, "delete_review");
    assert_eq!(log[0].review_id, Some(id.clone()));
    assert_eq!(log[0].details["rating"], 5);
    let queued = store.get_action(action).unwrap().unwrap();
    assert_eq!(queued.kind, ActionKind::DeleteReview);
    assert_eq!(queued.payload["id"], "4");
    assert_eq!(queued.state, ActionState::Pending);
    // Summary ignores deleted reviews.
    assert_eq!(store.rating_summary(&SHOP, None).unwrap().count, 9);
    // A re-sync from the server does not resurrect it (local deletion is the merchant's).
    store.upsert_reviews(&SHOP, &sample()).unwrap();
    assert!(!ids(&store, &ReviewQuery::default()).contains(&4));
    // Restore after the server refused.
    assert!(store.restore_review(&SHOP, &id, "ann").unwrap());
    assert!(ids(&store, &ReviewQuery::default()).contains(&4));
    assert_eq!(store.review_audit(&SHOP, &id).unwrap().len(), 2);
}

#[test]
fn rating_summary_is_computed_locally() {
    let (_dir, store) = filled();
    let all = store.rating_summary(&SHOP, None).unwrap();
    assert_eq!(all.stars, [2, 2, 2, 2, 2]);
    assert!((all.average - 3.0).abs() < 1e-9);
    let p = store
        .rating_summary(&SHOP, Some(&ProductId("200".into())))
        .unwrap();
    // ids 2,4,6,8,10 → ratings 3,5,2,4,1
    assert_eq!(p.stars, [1, 1, 1, 1, 1]);
    assert_eq!(
        store
            .rating_summary(&AccountKey::trustoo("nobody"), None)
            .unwrap()
            .count,
        0
    );
}

/// A batch naming one review twice (a page-numbered full pass can: a review arriving during the
/// pass shifts the next page by one, and pages are gathered into one batch) is written once, as
/// its first copy, with the search index whole and its star counts those of the rows. Before the
/// writer kept one copy, a new review's batch failed with "database disk image is malformed"
/// and a stored review's was indexed twice (the FTS entries are written after the rows).
#[test]
fn a_batch_naming_a_review_twice_keeps_the_search_index_whole() {
    let (_dir, mut store) = open();
    let reviews = sample();
    let mut again = reviews[0].clone();
    again.rating = if again.rating == 1 { 2 } else { 1 };
    let mut batch = reviews.clone();
    batch.push(again.clone());
    store.upsert_reviews(&SHOP, &batch).unwrap();
    store.check_search_index().unwrap();
    let mut changed = reviews[1].clone();
    changed.rating = if changed.rating == 1 { 2 } else { 1 };
    store
        .upsert_reviews(&SHOP, &[reviews[1].clone(), changed])
        .unwrap();
    store.check_search_index().unwrap();
    assert_eq!(
        store.rating_summary(&SHOP, None).unwrap(),
        store.rating_summary_from_index(&SHOP, None).unwrap()
    );
}

/// An unfinished full pass is remembered across a reopen (a restart), is independent of the
/// sync cursor, and is forgotten once finished.
#[test]
fn full_pass_progress_survives_a_reopen_and_is_cleared() {
    let (dir, mut store) = filled();
    assert_eq!(store.full_pass_progress(&SHOP).unwrap(), None);
    let progress = FullPassProgress {
        stored: 600,
        started_at: 1_700_000_000,
        sweep: true,
        resume: Some(PassResume {
            at: PagePosition::Token("after-5f0c1e2d3b4a59687a6b5c4d".into()),
            before: 600,
            page_size: 100,
        }),
    };
    store
        .set_full_pass_progress(&SHOP, Some(&progress))
        .unwrap();
    let cursor = SyncCursor {
        newest_commented_at: 1_700_010_000,
        newest_id: Some(ReviewId("10".into())),
        last_full_sync_at: None,
        last_incremental_sync_at: Some(6),
    };
    // Writing the cursor leaves the progress alone, and the other way round.
    store.set_sync_cursor(&SHOP, &cursor).unwrap();
    let mut store = reopen(&dir, store);
    assert_eq!(
        store.full_pass_progress(&SHOP).unwrap(),
        Some(progress.clone())
    );
    assert_eq!(store.sync_cursor(&SHOP).unwrap(), Some(cursor.clone()));
    assert_eq!(
        store
            .full_pass_progress(&AccountKey::trustoo("other.myshopify.com"))
            .unwrap(),
        None
    );
    // Every kind of position is kept as it was written; a row without one reads without one.
    for at in [
        PagePosition::Newest,
        PagePosition::Page(7),
        PagePosition::CreatedSince(1_700_000_123),
    ] {
        let p = FullPassProgress {
            resume: Some(PassResume {
                at,
                before: 500,
                page_size: 50,
            }),
            ..progress.clone()
        };
        store.set_full_pass_progress(&SHOP, Some(&p)).unwrap();
        assert_eq!(store.full_pass_progress(&SHOP).unwrap(), Some(p));
    }
    let counted_only = FullPassProgress {
        resume: None,
        ..progress.clone()
    };
    store
        .set_full_pass_progress(&SHOP, Some(&counted_only))
        .unwrap();
    assert_eq!(store.full_pass_progress(&SHOP).unwrap(), Some(counted_only));
    store.set_full_pass_progress(&SHOP, None).unwrap();
    assert_eq!(store.full_pass_progress(&SHOP).unwrap(), None);
    assert_eq!(store.sync_cursor(&SHOP).unwrap(), Some(cursor));
}

#[test]
fn incremental_sync_support_and_deletion_detection() {
    let (dir, mut store) = filled();
    assert_eq!(store.sync_cursor(&SHOP).unwrap(), None);
    let cursor = SyncCursor {
        newest_commented_at: 1_700_010_000,
        newest_id: Some(ReviewId("10".into())),
        last_full_sync_at: Some(5),
        last_incremental_sync_at: Some(6),
    };
    store.set_sync_cursor(&SHOP, &cursor).unwrap();
    let store_ = reopen(&dir, store);
    store = store_;
    assert_eq!(store.sync_cursor(&SHOP).unwrap(), Some(cursor));

    let page: Vec<ReviewId> = ["12", "11", "10", "9"]
        .iter()
        .map(|s| ReviewId((*s).into()))
        .collect();
    let known: HashSet<ReviewId> = page
        .iter()
        .filter(|id| store.get_review(&SHOP, id).unwrap().is_some())
        .cloned()
        .collect();
    assert_eq!(
        known,
        HashSet::from([ReviewId("10".into()), ReviewId("9".into())])
    );

    // A shop with stored reviews has something to sweep; another shop has not.
    assert!(store.has_reviews(&SHOP).unwrap());
    assert!(!store
        .has_reviews(&AccountKey::trustoo("other.myshopify.com"))
        .unwrap());

    // Full sweep saw everything but 3 and 6.
    let seen: HashSet<ReviewId> = (1..=10)
        .filter(|i| *i != 3 && *i != 6)
        .map(|i| ReviewId(i.to_string()))
        .collect();
    let started = reviewdesk_store::bench::Rng::new(0).below(1) as i64 + i64::MAX / 4;
    assert_eq!(
        store
            .mark_missing_as_deleted(&SHOP, &seen, started)
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .mark_missing_as_deleted(&SHOP, &seen, started)
            .unwrap(),
        0
    );
    assert!(!ids(&store, &ReviewQuery::default()).contains(&3));
    let gone = ids(
        &store,
        &with_filter(ReviewFilter {
            view: ReviewView::Deleted,
            ..Default::default()
        }),
    );
    assert_eq!(gone, vec![6, 3]);
    let row = store
        .get_review(&SHOP, &ReviewId("3".into()))
        .unwrap()
        .unwrap();
    assert!(row.deleted_remotely_at.is_some() && row.deleted_at.is_none());
    assert_eq!(row.review, sample()[2]);
    // Still known (so an incremental sync does not re-fetch it as new).
    assert!(store
        .get_review(&SHOP, &ReviewId("3".into()))
        .unwrap()
        .is_some());
    // A sweep that started before the reviews were synced flags nothing.
    assert_eq!(
        store
            .mark_missing_as_deleted(&SHOP, &HashSet::new(), 0)
            .unwrap(),
        0
    );
    // The server returns review 3 again: it comes back.
    store.upsert_reviews(&SHOP, &sample()[2..3]).unwrap();
    assert!(ids(&store, &ReviewQuery::default()).contains(&3));
    store.check_search_index().unwrap();
}

#[test]
fn queue_replays_exactly_once_across_restarts() {
    let (dir, mut store) = open();
    let new = |key: Option<&str>| NewAction {
        kind: ActionKind::CreateExclusion,
        payload: serde_json::json!({ "email": "x@example.com" }),
        idempotency_key: key.map(str::to_owned),
    };
    let a = store.enqueue(&SHOP, &new(Some("click-1"))).unwrap();
    assert_eq!(
        store.enqueue(&SHOP, &new(Some("click-1"))).unwrap(),
        a,
        "same key queues once"
    );
    let b = store.enqueue(&SHOP, &new(None)).unwrap();
    assert_ne!(a, b);

    // Claim a, crash while sending.
    let next = store.next_pending(&SHOP).unwrap().unwrap();
    assert_eq!((next.action.id, next.needs_check), (a, false));
    assert!(store.mark_in_flight(a).unwrap());
    assert!(
        !store.mark_in_flight(a).unwrap(),
        "claimed once per session"
    );
    // In this session, a is in flight: the next one is b.
    assert_eq!(store.next_pending(&SHOP).unwrap().unwrap().action.id, b);
    let mut store = reopen(&dir, store);

    // After the restart a comes back first, flagged for a server check, not as a fresh send.
    let next = store.next_pending(&SHOP).unwrap().unwrap();
    assert_eq!((next.action.id, next.needs_check), (a, true));
    assert_eq!(next.action.state, ActionState::InFlight);
    assert_eq!(next.action.attempts, 1);
    // The check says it landed.
    store.mark_done(a).unwrap();
    assert!(matches!(
        store.mark_done(a),
        Err(StoreError::InvalidTransition { .. })
    ));

    // b: fails with retry, then succeeds.
    let next = store.next_pending(&SHOP).unwrap().unwrap();
    assert_eq!((next.action.id, next.needs_check), (b, false));
    assert!(store.mark_in_flight(b).unwrap());
    store
        .mark_failed(b, "HTTP 500", Some(Duration::from_secs(3600)))
        .unwrap();
    assert!(
        store.next_pending(&SHOP).unwrap().is_none(),
        "retry delay respected"
    );
    let mut store = reopen(&dir, store);
    assert!(store.next_pending(&SHOP).unwrap().is_none());
    let c = store.enqueue(&SHOP, &new(None)).unwrap();
    assert!(store.mark_in_flight(c).unwrap());
    store.mark_conflict(c, "customer already excluded").unwrap();
    store.mark_failed(b, "gave up", None).unwrap();

    let mut store = reopen(&dir, store);
    assert!(store.next_pending(&SHOP).unwrap().is_none());
    let all = store.list_actions(&SHOP, &[]).unwrap();
    let states: Vec<_> = all.iter().map(|x| (x.id, x.state, x.attempts)).collect();
    assert_eq!(
        states,
        vec![
            (a, ActionState::Done, 1),
            (b, ActionState::Failed, 1),
            (c, ActionState::Conflict, 1)
        ]
    );
    assert_eq!(all[1].last_error.as_deref(), Some("gave up"));
    assert_eq!(
        store
            .list_actions(&SHOP, &[ActionState::Conflict])
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        store.mark_done(9999),
        Err(StoreError::NotFound(_))
    ));
    // A crashed in-flight action re-claimed after a failed check is sent once more.
    let d = store.enqueue(&SHOP, &new(None)).unwrap();
    assert!(store.mark_in_flight(d).unwrap());
    let mut store = reopen(&dir, store);
    let next = store.next_pending(&SHOP).unwrap().unwrap();
    assert!(next.needs_check);
    assert!(store.mark_in_flight(d).unwrap());
    assert!(store.next_pending(&SHOP).unwrap().is_none());
    store.mark_done(d).unwrap();
    assert_eq!(store.get_action(d).unwrap().unwrap().attempts, 2);
}

#[test]
fn drafts_survive_reopen() {
    let (dir, mut store) = open();
    let form = serde_json::json!({ "rating": 5, "content": "Half wri" });
    let d = store
        .save_draft(&SHOP, "new-review", &form, &["/tmp/a.jpg".into()])
        .unwrap();
    let form2 = serde_json::json!({ "rating": 5, "content": "Half written" });
    let d2 = store.save_draft(&SHOP, "new-review", &form2, &[]).unwrap();
    assert_eq!(d2.created_at, d.created_at);
    store
        .save_draft(&SHOP, "reply:4", &serde_json::json!("Thanks"), &[])
        .unwrap();
    let mut store = reopen(&dir, store);
    let loaded = store.load_draft(&SHOP, "new-review").unwrap().unwrap();
    assert_eq!(loaded.form, form2);
    assert!(loaded.attachments.is_empty());
    assert_eq!(store.list_drafts(&SHOP).unwrap().len(), 2);
    assert_eq!(
        store
            .list_drafts(&AccountKey::trustoo("other"))
            .unwrap()
            .len(),
        0
    );
    assert!(store.discard_draft(&SHOP, "new-review").unwrap());
    assert!(!store.discard_draft(&SHOP, "new-review").unwrap());
    let store = reopen(&dir, store);
    assert_eq!(store.load_draft(&SHOP, "new-review").unwrap(), None);
    assert_eq!(store.list_drafts(&SHOP).unwrap().len(), 1);
}

#[test]
fn csv_export_streams_all_columns_with_quoting() {
    let (_dir, mut store) = filled();
    let mut nasty = review(11, 1, 1_800_000_000, "=HYPERLINK(\"http://evil\")");
    nasty.author = "Smith, \"Jo\"".into();
    nasty.title = "line one\nline two".into();
    nasty.product_title = "-5 off".into();
    store.upsert_reviews(&SHOP, &[nasty]).unwrap();
    let mut out = Vec::new();
    let n = store
        .export_csv(
            &SHOP,
            &ReviewFilter {
                ratings: vec![1],
                ..Default::default()
            },
            ReviewSort::Newest,
            &mut out,
        )
        .unwrap();
    assert_eq!(n, 3);
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.split("\r\n");
    let header = lines.next().unwrap();
    assert!(header.starts_with("id,product_id,product_title,"));
    assert_eq!(header.split(',').count(), 27);
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("11,100,\"'-5 off\",linen-shirt,0,1,\"Smith, \"\"Jo\"\"\","),
        "{first}"
    );
    assert!(
        first.contains(",\"line one\nline two\",\"'=HYPERLINK(\"\"http://evil\"\")\","),
        "{first}"
    );
    assert!(first.contains(",2027-01-15T08:00:00Z,"), "{first}");
    assert!(text.ends_with("\r\n"));
    // Empty shop: header only.
    let mut out = Vec::new();
    assert_eq!(
        store
            .export_csv(
                &AccountKey::trustoo("nobody"),
                &ReviewFilter::default(),
                ReviewSort::Newest,
                &mut out
            )
            .unwrap(),
        0
    );
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 1);
}

#[test]
fn page_queries_walk_an_index_or_the_table_without_sorting() {
    let (_dir, mut store) = open();
    reviewdesk_store::bench::fill_synthetic(&mut store, &SHOP, 3000, 7).unwrap();
    // (filter, an index or FTS5 serves it; else the table is walked in rowid order)
    let queries = [
        (ReviewFilter::default(), false),
        (
            ReviewFilter {
                ratings: vec![4, 5],
                has_image: Some(true),
                ..Default::default()
            },
            false,
        ),
        (
            ReviewFilter {
                ratings: vec![1],
                ..Default::default()
            },
            true,
        ),
        (
            ReviewFilter {
                product_id: Some(ProductId("7000000001".into())),
                ratings: vec![2, 3],
                ..Default::default()
            },
            true,
        ),
        (
            ReviewFilter {
                triage: Some(TriageState::Flagged),
                verified: Some(true),
                ..Default::default()
            },
            true,
        ),
        (
            ReviewFilter {
                triage: Some(TriageState::New),
                ..Default::default()
            },
            false,
        ),
        (
            ReviewFilter {
                view: ReviewView::Deleted,
                ..Default::default()
            },
            true,
        ),
        (
            ReviewFilter {
                keyword: Some("comfortable".into()),
                ratings: vec![5],
                ..Default::default()
            },
            true,
        ),
        (
            ReviewFilter {
                keyword: Some("soft fab".into()),
                commented_from: Some(1_700_000_000),
                ..Default::default()
            },
            true,
        ),
    ];
    let plan = |store: &Store, filter: &ReviewFilter, sort: ReviewSort| {
        store
            .explain_page_query(
                &SHOP,
                &ReviewQuery {
                    filter: filter.clone(),
                    sort,
                    ..Default::default()
                },
            )
            .unwrap()
    };
    let sorts = [
        ReviewSort::Newest,
        ReviewSort::Oldest,
        ReviewSort::RatingHigh,
    ];
    for (filter, served) in &queries {
        for sort in sorts {
            let plan = plan(&store, filter, sort);
            assert!(
                !plan.contains("TEMP B-TREE"),
                "{filter:?} {sort:?}:\n{plan}"
            );
            // A table walk only where no index fits (rating sorts walk one star at a time).
            let walks_table = plan.lines().any(|l| l.trim() == "SCAN r");
            let star_walk = sort == ReviewSort::RatingHigh;
            assert!(
                !walks_table || (!served && !star_walk),
                "{filter:?} {sort:?}:\n{plan}"
            );
        }
    }
    // A shop sharing the store never walks the other shop's rows: FTS5 walks its own.
    let mut rng = reviewdesk_store::bench::Rng::new(8);
    let other: Vec<_> = (0..50)
        .map(|i| reviewdesk_store::bench::synthetic_review(&mut rng, 900_000 + i, 1_700_000_000))
        .collect();
    store
        .upsert_reviews(&AccountKey::trustoo("other.myshopify.com"), &other)
        .unwrap();
    for (filter, _) in &queries {
        for sort in sorts {
            let plan = plan(&store, filter, sort);
            assert!(
                !plan.lines().any(|l| l.trim() == "SCAN r") && !plan.contains("TEMP B-TREE"),
                "{filter:?} {sort:?}:\n{plan}"
            );
        }
    }
}

#[test]
fn synthetic_fill_is_searchable() {
    let (_dir, mut store) = open();
    let stats = reviewdesk_store::bench::fill_synthetic(&mut store, &SHOP, 2500, 1).unwrap();
    assert_eq!(stats.reviews, 2500);
    store.check_search_index().unwrap();
    assert_eq!(
        store
            .count_reviews(&SHOP, &ReviewFilter::default())
            .unwrap(),
        2500
    );
    let times = reviewdesk_store::bench::run_random_queries(&store, &SHOP, 50, 2).unwrap();
    assert_eq!(times.len(), 50);
    // Newest-first order holds across the whole fill.
    let page = store
        .query_reviews(
            &SHOP,
            &ReviewQuery {
                limit: 1000,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(page
        .rows
        .windows(2)
        .all(|w| w[0].review.commented_at >= w[1].review.commented_at));
}

#[test]
fn search_path_and_index_path_agree_on_every_filter() {
    let (_dir, mut store) = filled();
    store
        .set_triage(
            &SHOP,
            &[ReviewId("2".into()), ReviewId("9".into())],
            TriageState::Flagged,
            "me",
        )
        .unwrap();
    store
        .set_triage(&SHOP, &[ReviewId("5".into())], TriageState::Reviewed, "me")
        .unwrap();
    store
        .delete_review(&SHOP, &ReviewId("4".into()), "me")
        .unwrap();
    let seen: HashSet<ReviewId> = (1..=10)
        .filter(|i| *i != 7)
        .map(|i| ReviewId(i.to_string()))
        .collect();
    store
        .mark_missing_as_deleted(&SHOP, &seen, i64::MAX / 4)
        .unwrap();
    store.check_search_index().unwrap();
    let filters = [
        ReviewFilter::default(),
        ReviewFilter {
            ratings: vec![5],
            ..Default::default()
        },
        ReviewFilter {
            ratings: vec![1, 3, 5],
            ..Default::default()
        },
        ReviewFilter {
            product_id: Some(ProductId("200".into())),
            ..Default::default()
        },
        ReviewFilter {
            source: Some("AliExpress".into()),
            ..Default::default()
        },
        ReviewFilter {
            has_image: Some(true),
            ..Default::default()
        },
        ReviewFilter {
            has_image: Some(false),
            verified: Some(true),
            ..Default::default()
        },
        ReviewFilter {
            has_video: Some(true),
            ..Default::default()
        },
        ReviewFilter {
            verified: Some(false),
            ..Default::default()
        },
        ReviewFilter {
            triage: Some(TriageState::Flagged),
            ..Default::default()
        },
        ReviewFilter {
            triage: Some(TriageState::New),
            ratings: vec![2, 4],
            ..Default::default()
        },
        ReviewFilter {
            commented_from: Some(1_700_000_000 + 2000),
            commented_to: Some(1_700_000_000 + 9000),
            ..Default::default()
        },
    ];
    for base in filters {
        for view in [ReviewView::Active, ReviewView::Deleted, ReviewView::All] {
            for sort in [
                ReviewSort::Newest,
                ReviewSort::Oldest,
                ReviewSort::RatingHigh,
                ReviewSort::RatingLow,
            ] {
                let plain = ReviewQuery {
                    filter: ReviewFilter {
                        view,
                        ..base.clone()
                    },
                    sort,
                    ..Default::default()
                };
                let mut searched = plain.clone();
                // Every review's author is "Author <id>", so this keyword matches all of them.
                searched.filter.keyword = Some("auth".into());
                let a = store.query_reviews(&SHOP, &plain).unwrap();
                let b = store.query_reviews(&SHOP, &searched).unwrap();
                let ids = |p: &reviewdesk_core::ReviewPage| {
                    p.rows
                        .iter()
                        .map(|r| r.review.id.0.clone())
                        .collect::<Vec<_>>()
                };
                assert_eq!(ids(&a), ids(&b), "{base:?} {view:?} {sort:?}");
                assert_eq!(a.total, b.total, "{base:?} {view:?} {sort:?}");
            }
        }
    }
}

/// Reply rate and median time to reply, overall, per star and per month, from stored reviews;
/// deleted reviews and other accounts do not count, a month with no reply has no median.
#[test]
fn reply_insights_count_replies_and_the_median_wait_per_star_and_month() {
    let (_dir, mut store) = open();
    let unit = TrustpilotId::parse("507f191e810c19729de860eb").unwrap();
    let trustpilot = AccountKey::trustpilot(&unit);
    // 2024-01-10 and 2024-02-10, 12:00 UTC.
    let jan = 1_704_888_000;
    let feb = 1_707_566_400;
    // id, stars, written, hours to the reply (None: unanswered)
    let specs: [(u32, u8, i64, Option<i64>); 6] = [
        (1, 1, jan, Some(2)),
        (2, 1, jan, Some(10)),
        (3, 1, jan, None),
        (4, 5, jan, Some(1)),
        (5, 5, feb, None),
        (6, 3, feb, None),
    ];
    let reviews: Vec<Review> = specs
        .iter()
        .map(|&(id, stars, written, hours)| {
            let mut r = review(id, stars, written, "Parcel arrived");
            r.details = ProviderDetails::Trustpilot(TrustpilotDetails::default());
            r.reply = hours.map(|h| ReviewReply {
                content: "Thank you".into(),
                reply_at: time::OffsetDateTime::from_unix_timestamp(written + h * 3600)
                    .unwrap()
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap(),
                author: None,
                updated_at: None,
            });
            r
        })
        .collect();
    store.upsert_reviews(&trustpilot, &reviews).unwrap();
    store
        .upsert_reviews(&SHOP, &[review(9, 1, jan, "Parcel arrived")])
        .unwrap();
    store
        .delete_review(&trustpilot, &ReviewId::from("6"), "merchant")
        .unwrap();

    let insights = store
        .reply_insights(std::slice::from_ref(&trustpilot))
        .unwrap();
    assert_eq!((insights.overall.reviews, insights.overall.replied), (5, 3));
    assert_eq!(insights.overall.median_hours, Some(2.0));
    let one = &insights.by_stars[0];
    assert_eq!((one.group.as_str(), one.reviews, one.replied), ("1", 3, 2));
    assert_eq!(one.median_hours, Some(6.0), "the middle of 2 h and 10 h");
    let three = &insights.by_stars[2];
    assert_eq!(
        (three.reviews, three.replied, three.median_hours),
        (0, 0, None)
    );
    let months: Vec<(&str, u64, u64)> = insights
        .by_month
        .iter()
        .map(|m| (m.group.as_str(), m.reviews, m.replied))
        .collect();
    assert_eq!(months, vec![("2024-01", 4, 3), ("2024-02", 1, 0)]);
    assert_eq!(insights.by_month[1].median_hours, None);
    // An account with nothing stored answers empty groups.
    let nobody = AccountKey::trustpilot(&TrustpilotId::parse("507f191e810c19729de860ec").unwrap());
    let none = store.reply_insights(std::slice::from_ref(&nobody)).unwrap();
    assert_eq!(none.overall.reviews, 0);
    assert!(none.by_month.is_empty());
    // Several accounts (All accounts) count their reviews together: a second unit's review
    // answered after 4 h joins the first unit's waits of 1, 2 and 10 h.
    let second = AccountKey::trustpilot(&TrustpilotId::parse("507f191e810c19729de860ed").unwrap());
    let mut other = review(20, 1, jan, "Late again");
    other.details = ProviderDetails::Trustpilot(TrustpilotDetails::default());
    other.reply = Some(ReviewReply {
        content: "Sorry".into(),
        reply_at: time::OffsetDateTime::from_unix_timestamp(jan + 4 * 3600)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap(),
        author: None,
        updated_at: None,
    });
    store.upsert_reviews(&second, &[other]).unwrap();
    let both = store
        .reply_insights(&[trustpilot.clone(), second.clone(), nobody])
        .unwrap();
    assert_eq!((both.overall.reviews, both.overall.replied), (6, 4));
    assert_eq!(
        both.overall.median_hours,
        Some(3.0),
        "the middle of 2 h and 4 h"
    );
    assert_eq!(both.by_stars[0].reviews, 4);
}
