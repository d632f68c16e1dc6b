//! Forgetting one account's local data, and nothing else.
#![allow(clippy::unwrap_used)]

use reviewdesk_core::{
    AccountKey, ActionKind, ProductId, ProviderDetails, Review, ReviewFilter, ReviewId, ReviewView,
    SyncCursor, TrustooDetails,
};
use reviewdesk_store::{NewAction, Store};

fn review(id: u32, content: &str) -> Review {
    Review {
        id: ReviewId(id.to_string()),
        product_id: ProductId("100".into()),
        product_title: "Linen Shirt".into(),
        product_handle: "linen-shirt".into(),
        is_store_review: false,
        rating: 5,
        author: format!("Author {id}"),
        author_country: "US".into(),
        title: format!("Title {id}"),
        content: content.into(),
        is_verified: false,
        commented_at: 1_700_000_000 + i64::from(id),
        updated_at: 1_700_000_000 + i64::from(id),
        media: vec![],
        reply: None,
        tags: Vec::new(),
        details: ProviderDetails::Trustoo(TrustooDetails {
            source: "Store front".into(),
            author_email: format!("a{id}@example.com"),
            is_published: true,
            ..TrustooDetails::default()
        }),
    }
}

fn fill(store: &mut Store, account: &AccountKey, ids: std::ops::Range<u32>, word: &str) {
    let reviews: Vec<Review> = ids.map(|i| review(i, word)).collect();
    store.upsert_reviews(account, &reviews).unwrap();
    store
        .save_draft(account, "new", &serde_json::json!({"text": word}), &[])
        .unwrap();
    store
        .enqueue(
            account,
            &NewAction {
                kind: ActionKind::DeleteReview,
                payload: serde_json::json!({}),
                idempotency_key: Some(format!("{}-key", account.id)),
            },
        )
        .unwrap();
    store
        .set_sync_cursor(
            account,
            &SyncCursor {
                newest_commented_at: 9,
                ..Default::default()
            },
        )
        .unwrap();
}

#[test]
fn deleting_an_account_removes_all_its_rows_and_keeps_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("store.db")).unwrap();
    let gone = AccountKey::trustoo("gone.myshopify.com");
    let kept = AccountKey::trustoo("kept.myshopify.com");
    fill(&mut store, &gone, 1..6, "walrus");
    fill(&mut store, &kept, 100..103, "penguin");
    let all = ReviewFilter {
        view: ReviewView::All,
        ..Default::default()
    };
    let search = |word: &str| ReviewFilter {
        keyword: Some(word.into()),
        ..all.clone()
    };

    assert_eq!(store.delete_account(&gone).unwrap(), 5);

    assert_eq!(store.count_reviews(&gone, &all).unwrap(), 0);
    assert!(store.list_drafts(&gone).unwrap().is_empty());
    assert!(store.list_actions(&gone, &[]).unwrap().is_empty());
    assert!(store.list_audit(&gone, None, 10).unwrap().is_empty());
    assert!(store.sync_cursor(&gone).unwrap().is_none());
    assert!(store.list_products(&gone).unwrap().is_empty());
    assert!(store.list_sources(&gone).unwrap().is_empty());
    // The search index forgot the reviews too (and still matches the table).
    assert_eq!(store.count_reviews(&kept, &search("walrus")).unwrap(), 0);
    store.check_search_index().unwrap();

    // The other account is whole.
    assert_eq!(store.count_reviews(&kept, &all).unwrap(), 3);
    assert_eq!(store.count_reviews(&kept, &search("penguin")).unwrap(), 3);
    assert_eq!(store.list_drafts(&kept).unwrap().len(), 1);
    assert_eq!(store.list_actions(&kept, &[]).unwrap().len(), 1);
    assert!(store.sync_cursor(&kept).unwrap().is_some());
    assert_eq!(store.list_products(&kept).unwrap().len(), 1);

    // Forgetting an account with no data is not an error; the account can come back.
    assert_eq!(store.delete_account(&gone).unwrap(), 0);
    fill(&mut store, &gone, 1..3, "walrus");
    assert_eq!(store.count_reviews(&gone, &all).unwrap(), 2);
}
