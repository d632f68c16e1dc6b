//! A store written by a version 8 build, migrated in place: every row is still there, under the
//! Trustoo account of its shop, and the normal API reads it.
//!
//! The version 8 file is built the way a version 8 build left it: the schema with
//! `schema::migrate_to(conn, 8)`, and rows written with plain SQL in that schema's columns (this
//! build's writer needs the later schema), the FTS index and term list filled from them.
#![allow(clippy::unwrap_used)]

use reviewdesk_core::{
    AccountKey, ActionKind, ActionState, Media, MediaKind, ProductId, Provider, ProviderDetails,
    Review, ReviewFilter, ReviewId, ReviewQuery, ReviewReply, ReviewView, SyncCursor, TriageState,
    TrustooDetails,
};
use rusqlite::{params, Connection};

use crate::fts::{Facets, FACET_MARK};
use crate::reviews::key_base;
use crate::{schema, NewAction, Store, SCHEMA_VERSION};

const AURORA: &str = "aurora.myshopify.com";
const BOREAL: &str = "boreal.myshopify.com";

fn review(id: u32, at: i64, content: &str) -> Review {
    Review {
        id: ReviewId(id.to_string()),
        product_id: ProductId(if id.is_multiple_of(2) { "200" } else { "100" }.into()),
        product_title: if id.is_multiple_of(2) {
            "Wool Sweater"
        } else {
            "Linen Shirt"
        }
        .into(),
        product_handle: "linen-shirt".into(),
        is_store_review: false,
        rating: (id % 5 + 1) as u8,
        author: format!("Author {id}"),
        author_country: "DE".into(),
        title: format!("Title {id}"),
        content: content.into(),
        is_verified: id % 2 == 1,
        commented_at: at,
        updated_at: at + 5,
        media: if id == 1 {
            vec![Media {
                url: "https://cdn/1.jpg".into(),
                thumbnail_url: "https://cdn/1_t.jpg".into(),
                kind: MediaKind::Image,
                is_published: true,
            }]
        } else {
            vec![]
        },
        reply: (id == 2).then(|| ReviewReply {
            content: "Thank you for the kind words".into(),
            reply_at: "2024-01-02 10:00:00".into(),
            author: None,
            updated_at: None,
        }),
        tags: Vec::new(),
        details: ProviderDetails::Trustoo(TrustooDetails {
            source: if id.is_multiple_of(3) {
                "AliExpress"
            } else {
                "Store front"
            }
            .into(),
            author_email: format!("a{id}@example.com"),
            order_id: format!("#{id}"),
            item_type: "Blue / M".into(),
            is_featured: id == 1,
            is_published: true,
            is_pinned: false,
        }),
    }
}

/// Writes one review row as a version 8 build did (its columns, its facet tokens).
fn insert_v8_review(
    conn: &Connection,
    shop_id: i64,
    r: &Review,
    triage: TriageState,
    deleted_at: Option<i64>,
) {
    let facets = Facets {
        shop_id,
        gone: deleted_at.is_some(),
        product_id: r.product_id.as_str(),
        rating: i64::from(r.rating),
        has_image: r.has_image(),
        has_video: r.has_video(),
        verified: r.is_verified,
        source: r.details.source(),
        triage: triage.as_str(),
        tags: &[],
    }
    .text()
    // Builds before V18 wrote facet tokens without their mark.
    .replace(FACET_MARK, "");
    let t = r.trustoo().unwrap();
    conn.execute(
        "INSERT INTO reviews (rid, shop, id, product_id, product_title, product_handle, \
         is_store_review, rating, author, author_email, author_country, title, content, source, \
         is_verified, is_featured, is_published, is_pinned, item_type, order_id, commented_at, \
         updated_at, media_json, reply_content, reply_at, has_image, has_video, triage, \
         deleted_at, synced_at, facets) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, \
         ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, \
         ?29, ?30, ?31)",
        params![
            key_base(r.commented_at),
            shop_id,
            r.id.as_str(),
            r.product_id.as_str(),
            r.product_title,
            r.product_handle,
            r.is_store_review,
            r.rating,
            r.author,
            t.author_email,
            r.author_country,
            r.title,
            r.content,
            t.source,
            r.is_verified,
            t.is_featured,
            t.is_published,
            t.is_pinned,
            t.item_type,
            t.order_id,
            r.commented_at,
            r.updated_at,
            serde_json::to_string(&r.media).unwrap(),
            r.reply.as_ref().map(|x| x.content.as_str()),
            r.reply.as_ref().map(|x| x.reply_at.as_str()),
            r.has_image(),
            r.has_video(),
            triage.as_str(),
            deleted_at,
            1_700_000_000_i64,
            facets,
        ],
    )
    .unwrap();
}

/// A version 8 store at `path` with two shops' reviews, drafts, queued actions, audit rows and
/// sync state. Returns the reviews written per shop.
fn write_v8_store(path: &std::path::Path) -> (Vec<Review>, Vec<Review>) {
    let mut conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    schema::migrate_to(&mut conn, 8).unwrap();
    assert_eq!(schema::current_version(&conn).unwrap(), 8);
    conn.execute_batch(&format!(
        "INSERT INTO shops (id, shop_key) VALUES (1, '{AURORA}'), (2, '{BOREAL}');"
    ))
    .unwrap();
    let at = |i: u32| 1_700_000_000 + i64::from(i) * 3600;
    let aurora = vec![
        review(1, at(1), "Comfortable linen, perfect summer shirt"),
        review(2, at(2), "Colour faded after one wash"),
        review(3, at(3), "Shipping took forever"),
    ];
    let boreal = vec![review(4, at(4), "Warm sweater, zigzag pattern")];
    insert_v8_review(&conn, 1, &aurora[0], TriageState::New, None);
    insert_v8_review(&conn, 1, &aurora[1], TriageState::Flagged, None);
    insert_v8_review(&conn, 1, &aurora[2], TriageState::Reviewed, Some(at(9)));
    insert_v8_review(&conn, 2, &boreal[0], TriageState::New, None);
    // The index and its term list as the version 8 writer kept them, and the product counts
    // (V8 counts them from the reviews, so running its SQL again is what the writer kept).
    conn.execute_batch(
        "INSERT INTO reviews_fts (reviews_fts) VALUES ('rebuild');
         CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, reviews_fts, row);
         INSERT INTO search_terms (term, docs) SELECT term, doc FROM temp.v;
         DROP TABLE temp.v;",
    )
    .unwrap();
    conn.execute_batch(schema::V8).unwrap();
    conn.execute_batch(
        "INSERT INTO sync_state (shop, newest_commented_at, newest_id, last_full_sync_at, \
             last_incremental_sync_at) VALUES (1, 1700010800, '3', 1700020000, 1700030000);
         INSERT INTO audit_log (shop, at, actor, action, review_id, details_json) VALUES
             (1, 1700040000, 'ana@aurora', 'set_triage', '2', '{\"to\":\"flagged\"}'),
             (1, 1700040100, 'ana@aurora', 'delete_review', '3', '{}'),
             (2, 1700040200, 'bo@boreal', 'export_csv', NULL, '{\"rows\":1}');
         INSERT INTO actions (shop, kind, payload_json, state, attempts, idempotency_key, \
             created_at, updated_at) VALUES
             (1, 'delete_review', '{\"id\":\"3\"}', 'pending', 0, 'del-3', 1700040100, 1700040100),
             (1, 'unsubscribe', '{\"email\":\"x@y.z\"}', 'done', 1, 'unsub-1', 1700040000, 1700040050),
             (2, 'create_exclusion', '{\"email\":\"q@r.s\"}', 'failed', 3, 'ex-1', 1700040000, 1700040060);
         INSERT INTO drafts (shop, id, form_json, attachments_json, created_at, updated_at) VALUES
             (1, 'reply:2', '{\"text\":\"Sorry to hear\"}', '[\"/tmp/a.jpg\"]', 1700040000, 1700040001),
             (2, 'new:1', '{\"rating\":5}', '[]', 1700040002, 1700040003);",
    )
    .unwrap();
    (aurora, boreal)
}

fn keyword(word: &str) -> ReviewFilter {
    ReviewFilter {
        keyword: Some(word.into()),
        view: ReviewView::All,
        ..ReviewFilter::default()
    }
}

#[test]
fn a_version_8_store_migrates_in_place_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (aurora_reviews, boreal_reviews) = write_v8_store(&path);
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let check: String = store
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let broken: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(broken, 0);
    let foreign_keys: bool = store
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert!(foreign_keys, "the migration switches foreign keys back on");
    store.check_search_index().unwrap();

    let aurora = AccountKey::trustoo(AURORA);
    let boreal = AccountKey::trustoo(BOREAL);
    // Each shop is now a Trustoo account with its old row id.
    assert_eq!(store.account_id(&aurora).unwrap(), Some(1));
    assert_eq!(store.account_id(&boreal).unwrap(), Some(2));
    assert_eq!(
        store
            .account_id(&AccountKey::new(Provider::Trustpilot, AURORA))
            .unwrap(),
        None
    );

    // Reviews: every field, local state and deletion kept.
    for (account, reviews) in [(&aurora, &aurora_reviews), (&boreal, &boreal_reviews)] {
        for r in reviews {
            let row = store.get_review(account, &r.id).unwrap().unwrap();
            assert_eq!(&row.review, r);
        }
    }
    let row = |id: &str| {
        store
            .get_review(&aurora, &ReviewId(id.into()))
            .unwrap()
            .unwrap()
    };
    assert_eq!(row("2").triage, TriageState::Flagged);
    assert_eq!(row("3").triage, TriageState::Reviewed);
    assert!(row("3").deleted_at.is_some());
    let listed = |view: ReviewView| -> Vec<String> {
        let query = ReviewQuery {
            filter: ReviewFilter {
                view,
                ..ReviewFilter::default()
            },
            ..ReviewQuery::default()
        };
        let page = store.query_reviews(&aurora, &query).unwrap();
        page.rows.into_iter().map(|r| r.review.id.0).collect()
    };
    assert_eq!(listed(ReviewView::Active), ["2", "1"]);
    assert_eq!(listed(ReviewView::Deleted), ["3"]);
    let flagged = ReviewFilter {
        triage: Some(TriageState::Flagged),
        ..ReviewFilter::default()
    };
    assert_eq!(store.count_reviews(&aurora, &flagged).unwrap(), 1);
    // Search still finds them, per account, prefixes included.
    assert_eq!(store.count_reviews(&aurora, &keyword("linen")).unwrap(), 2);
    assert_eq!(store.count_reviews(&aurora, &keyword("forev")).unwrap(), 1);
    assert_eq!(store.count_reviews(&aurora, &keyword("zigzag")).unwrap(), 0);
    assert_eq!(store.count_reviews(&boreal, &keyword("zigzag")).unwrap(), 1);
    // A word only in a reply finds its review (the index was rebuilt with the reply column).
    assert_eq!(store.count_reviews(&aurora, &keyword("kind")).unwrap(), 1);
    assert!(store.list_tags(&aurora).unwrap().is_empty());
    let products = store.list_products(&aurora).unwrap();
    assert_eq!(
        products.iter().map(|p| p.count).sum::<u64>(),
        2,
        "{products:?}"
    );
    let sources = store.list_sources(&aurora).unwrap();
    assert_eq!(
        sources.len(),
        1,
        "the deleted review's source is not offered"
    );
    assert_eq!(store.rating_summary(&aurora, None).unwrap().count, 2);
    // The chart's star counts were counted from the rows (V16): 2 and 3 stars active, the
    // deleted review's 4 stars not.
    assert_eq!(
        store.rating_summary(&aurora, None).unwrap().stars,
        [0, 1, 1, 0, 0]
    );
    let (kept, counted) = crate::ratings::kept_and_counted(&store);
    assert_eq!(kept, counted);

    // Sync state, audit, queue and drafts.
    assert_eq!(
        store.sync_cursor(&aurora).unwrap(),
        Some(SyncCursor {
            newest_commented_at: 1_700_010_800,
            newest_id: Some(ReviewId("3".into())),
            last_full_sync_at: Some(1_700_020_000),
            last_incremental_sync_at: Some(1_700_030_000),
        })
    );
    assert_eq!(store.sync_cursor(&boreal).unwrap(), None);
    let audit = store.list_audit(&aurora, None, 10).unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["delete_review", "set_triage"]);
    assert_eq!(audit[1].details, serde_json::json!({"to": "flagged"}));
    assert_eq!(
        store
            .review_audit(&aurora, &ReviewId("2".into()))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(store.list_audit(&boreal, None, 10).unwrap().len(), 1);
    let queued = store.list_actions(&aurora, &[]).unwrap();
    assert_eq!(queued.len(), 2);
    assert!(queued.iter().all(|a| a.account == aurora));
    assert_eq!(
        (queued[0].kind, queued[0].state, queued[0].payload.clone()),
        (
            ActionKind::DeleteReview,
            ActionState::Pending,
            serde_json::json!({"id": "3"})
        )
    );
    assert_eq!(
        (queued[1].state, queued[1].attempts),
        (ActionState::Done, 1)
    );
    let next = store.next_pending(&aurora).unwrap().unwrap();
    assert_eq!(next.action.idempotency_key, "del-3");
    let boreal_actions = store.list_actions(&boreal, &[]).unwrap();
    assert_eq!(boreal_actions.len(), 1);
    assert_eq!(boreal_actions[0].account, boreal);
    assert_eq!(boreal_actions[0].last_error, None);
    let draft = store.load_draft(&aurora, "reply:2").unwrap().unwrap();
    assert_eq!(draft.form, serde_json::json!({"text": "Sorry to hear"}));
    assert_eq!(draft.attachments, ["/tmp/a.jpg"]);
    assert_eq!(store.list_drafts(&boreal).unwrap().len(), 1);

    // And the migrated store goes on working: the writer finds the stored copy.
    let mut changed = aurora_reviews[0].clone();
    changed.content = "Comfortable linen, bought a second one".into();
    let stats = store.upsert_reviews(&aurora, &[changed]).unwrap();
    assert_eq!((stats.inserted, stats.updated), (0, 1));
    assert_eq!(store.count_reviews(&aurora, &keyword("second")).unwrap(), 1);
    store
        .enqueue(
            &aurora,
            &NewAction {
                kind: ActionKind::DeleteReview,
                payload: serde_json::json!({"id": "1"}),
                idempotency_key: Some("del-1".into()),
            },
        )
        .unwrap();
    assert_eq!(store.list_actions(&aurora, &[]).unwrap().len(), 3);
    store.check_search_index().unwrap();
}

/// A full pass that a version 13 build left unfinished keeps its count after V14, with no
/// position (the inbox then works one out from the count, as that build did).
#[test]
fn an_unfinished_pass_of_a_version_13_store_keeps_its_count_without_a_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        schema::migrate_to(&mut conn, 13).unwrap();
        conn.execute(
            "INSERT INTO shops (id, provider, key) VALUES (1, 'trustoo', ?1)",
            [AURORA],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO full_pass_progress (shop, stored, started_at, sweep) \
             VALUES (1, 300, 1700000000, 1)",
            [],
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let progress = store
        .full_pass_progress(&AccountKey::trustoo(AURORA))
        .unwrap()
        .unwrap();
    assert_eq!(
        (progress.stored, progress.started_at, progress.sweep),
        (300, 1_700_000_000, true)
    );
    assert_eq!(progress.resume, None);
}

/// A version 17 store (facet tokens without their mark, an index with positions) becomes a
/// V18 one: marked facets, an index without positions or columns, the term list counted from
/// it; searches and filters find what they found, and a review text that reads like a facet
/// token ("r5", "a1") is found by a search for it and never by a filter.
#[test]
fn a_version_17_store_gets_an_index_without_positions_and_finds_the_same_reviews() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let at = |i: u32| 1_700_000_000 + i64::from(i) * 3600;
    let reviews = [
        review(1, at(1), "Comfortable linen, perfect summer shirt"),
        review(2, at(2), "Colour faded after one wash, r5 a1 quality"),
        review(3, at(3), "Shipping took forever"),
        review(4, at(4), "Perfect fit"),
    ];
    {
        let mut conn = Connection::open(&path).unwrap();
        schema::migrate_to(&mut conn, 17).unwrap();
        conn.execute(
            "INSERT INTO shops (id, provider, key) VALUES (1, 'trustoo', ?1)",
            [AURORA],
        )
        .unwrap();
        insert_v8_review(&conn, 1, &reviews[0], TriageState::New, None);
        insert_v8_review(&conn, 1, &reviews[1], TriageState::Flagged, None);
        insert_v8_review(&conn, 1, &reviews[2], TriageState::New, Some(at(9)));
        insert_v8_review(&conn, 1, &reviews[3], TriageState::New, None);
        conn.execute_batch(
            "INSERT INTO reviews_fts (reviews_fts) VALUES ('rebuild');
             CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, reviews_fts, row);
             INSERT INTO search_terms (term, docs) SELECT term, doc FROM temp.v;
             DROP TABLE temp.v;",
        )
        .unwrap();
        conn.execute_batch(schema::V8).unwrap();
        conn.execute_batch(schema::V10).unwrap();
        conn.execute_batch(schema::V16).unwrap();
        let unmarked: i64 = conn
            .query_row(
                "SELECT count(*) FROM reviews WHERE instr(facets, char(57344)) = 0",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(unmarked, 4);
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store.check_search_index().unwrap();
    let sql: String = store
        .conn()
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'reviews_fts'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(sql.contains("detail = none"), "{sql}");
    let marked: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM reviews WHERE facets LIKE char(57344) || '%' \
             AND instr(replace(facets, ' ' || char(57344), ''), ' ') = 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(marked, 4, "every token of every review's facets is marked");
    let stale: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM search_terms WHERE term IN ('tnew', 'p200', 'sstorefront')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stale, 0, "the unmarked facet tokens left the term list");

    let aurora = AccountKey::trustoo(AURORA);
    let ids = |filter: ReviewFilter| -> Vec<String> {
        let query = ReviewQuery {
            filter,
            ..ReviewQuery::default()
        };
        let page = store.query_reviews(&aurora, &query).unwrap();
        page.rows.into_iter().map(|r| r.review.id.0).collect()
    };
    let active = |word: &str| ReviewFilter {
        keyword: Some(word.into()),
        ..ReviewFilter::default()
    };
    assert_eq!(ids(active("perfect")), ["4", "1"]);
    assert_eq!(ids(active("perf")), ["4", "1"]);
    assert_eq!(
        ids(active("p")),
        ["4", "1"],
        "no product facet token reads as a word"
    );
    assert_eq!(ids(keyword("forever")), ["3"]);
    assert!(ids(active("forever")).is_empty(), "deleted");
    // Words that read like facet tokens are words: found by a search, never by a filter.
    assert_eq!(ids(active("r5")), ["2"]);
    assert_eq!(ids(active("a1 quality")), ["2"]);
    let five_stars = ReviewFilter {
        ratings: vec![5],
        ..ReviewFilter::default()
    };
    // Ratings are id % 5 + 1: review 4 has five stars, review 2 three.
    assert_eq!(ids(five_stars), ["4"]);
    let flagged = ReviewFilter {
        triage: Some(TriageState::Flagged),
        keyword: Some("colour".into()),
        ..ReviewFilter::default()
    };
    assert_eq!(ids(flagged), ["2"]);
    assert_eq!(store.rating_summary(&aurora, None).unwrap().count, 3);
}
