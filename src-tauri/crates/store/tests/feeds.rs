//! Orders and customer events in the store (schema V15): paging, filters, search, sort, the
//! review link, the funnel, and the events rollup agreeing with a plain count.
#![allow(clippy::unwrap_used)]

use std::sync::LazyLock;

use reviewdesk_core::{
    AccountKey, CustomerEvent, EventBucket, EventFilter, MediaKind, Order, OrderListQuery,
    OrderProduct, OrderSort, ProductId, RequestEmailStatus, Review, ReviewId,
};
use reviewdesk_store::{Feed, Store};
use tempfile::TempDir;

static SHOP: LazyLock<AccountKey> = LazyLock::new(|| AccountKey::trustoo("demo.myshopify.com"));
static OTHER: LazyLock<AccountKey> = LazyLock::new(|| AccountKey::trustoo("other.myshopify.com"));

const DAY: i64 = 86_400;
/// 2026-01-05 00:00 UTC, a Monday.
const T0: i64 = 1_767_571_200;

fn open() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("s.db")).unwrap();
    (dir, store)
}

const STATUSES: [RequestEmailStatus; 6] = [
    RequestEmailStatus::Waiting,
    RequestEmailStatus::Scheduled,
    RequestEmailStatus::Sent,
    RequestEmailStatus::Opened,
    RequestEmailStatus::Evaluated,
    RequestEmailStatus::Cancelled,
];

fn order(i: u32) -> Order {
    let status = STATUSES[(i % 6) as usize];
    let sent = matches!(
        status,
        RequestEmailStatus::Sent | RequestEmailStatus::Opened | RequestEmailStatus::Evaluated
    );
    Order {
        id: format!("{}", 5_000 + i),
        order_number: format!("#{}", 1001 + i),
        customer_id: format!("c{}", i % 7).into(),
        customer_email: format!("buyer{i}@example.com"),
        customer_name: if i == 3 {
            "Zoë Ferrand".into()
        } else {
            format!("Buyer {i}")
        },
        products: vec![OrderProduct {
            product_id: ProductId("9".into()),
            title: "Linen Shirt".into(),
            quantity: 1,
        }],
        created_at: T0 + i64::from(i) * 3600,
        sent_at: sent.then_some(T0 + i64::from(i) * 3600 + 10 * DAY),
        request_status: status,
    }
}

fn review_for(order_id: &str) -> Review {
    Review {
        id: ReviewId("r1".into()),
        product_id: ProductId("9".into()),
        product_title: "Linen Shirt".into(),
        product_handle: "linen-shirt".into(),
        is_store_review: false,
        rating: 5,
        author: "Buyer".into(),
        author_country: "US".into(),
        title: "Nice".into(),
        content: "Nice".into(),
        is_verified: true,
        commented_at: T0,
        updated_at: T0,
        media: vec![],
        reply: None,
        tags: Vec::new(),
        details: reviewdesk_core::ProviderDetails::Trustoo(reviewdesk_core::TrustooDetails {
            source: "Email request".into(),
            author_email: "b@example.com".into(),
            order_id: order_id.into(),
            is_published: true,
            ..Default::default()
        }),
    }
}

#[test]
fn orders_page_filter_search_sort_and_update() {
    let (_d, mut s) = open();
    let orders: Vec<Order> = (0..600).map(order).collect();
    assert_eq!(s.upsert_orders(&SHOP, &orders).unwrap(), 600);
    assert_eq!(s.upsert_orders(&SHOP, &orders[..10]).unwrap(), 0);
    let q = |f: &dyn Fn(&mut OrderListQuery)| {
        let mut q = OrderListQuery {
            limit: 50,
            ..Default::default()
        };
        f(&mut q);
        s.list_orders(&SHOP, &q).unwrap()
    };
    // Paging: newest first, windows that tile the list.
    let p1 = q(&|_| {});
    assert_eq!(p1.total, 600);
    assert_eq!(p1.rows.len(), 50);
    assert_eq!(p1.rows[0].order.id, "5599");
    let p2 = q(&|q| q.offset = 50);
    assert_eq!(p2.rows[0].order.id, "5549");
    assert_eq!(p1.rows[0].order.products[0].title, "Linen Shirt");
    // Status filter, and its count agrees with the data.
    let opened = q(&|q| q.status = Some(RequestEmailStatus::Opened));
    assert_eq!(opened.total, 100);
    assert!(opened
        .rows
        .iter()
        .all(|r| r.order.request_status == RequestEmailStatus::Opened));
    // Created range [from, to): orders 10..20.
    let ranged = q(&|q| {
        q.created_from = Some(T0 + 10 * 3600);
        q.created_to = Some(T0 + 20 * 3600);
    });
    assert_eq!(ranged.total, 10);
    // Sent range: only sent/opened/reviewed orders have a sending time.
    let sent = q(&|q| {
        q.sent_from = Some(T0);
        q.sent_to = Some(T0 + 100 * DAY);
    });
    assert_eq!(sent.total, 300);
    // Search by order number (with or without '#'), by customer name (accents kept) and email.
    assert_eq!(q(&|q| q.search = "#1011".into()).rows[0].order.id, "5010");
    assert_eq!(q(&|q| q.search = "1011".into()).total, 1);
    assert_eq!(q(&|q| q.search = "zoë".into()).total, 1);
    assert_eq!(q(&|q| q.search = "Zoë".into()).rows[0].order.id, "5003");
    assert_eq!(
        q(&|q| q.search = "buyer42@".into()).rows[0].order.id,
        "5042"
    );
    assert_eq!(q(&|q| q.search = "5042".into()).total, 1);
    assert_eq!(
        q(&|q| q.search = "100%".into()).total,
        0,
        "wildcards are literal"
    );
    // Sorts.
    assert_eq!(
        q(&|q| q.sort = OrderSort::CreatedAsc).rows[0].order.id,
        "5000"
    );
    let by_sent = q(&|q| q.sort = OrderSort::SentDesc);
    assert_eq!(by_sent.rows[0].order.id, "5598");
    let last = q(&|q| {
        q.sort = OrderSort::SentAsc;
        q.offset = 590;
    });
    assert!(last.rows.iter().all(|r| r.order.sent_at.is_none()));
    // A request's status moves on: the upsert updates it.
    let mut moved = order(2);
    moved.request_status = RequestEmailStatus::Opened;
    s.upsert_orders(&SHOP, &[moved]).unwrap();
    assert_eq!(
        s.order(&SHOP, "5002")
            .unwrap()
            .unwrap()
            .order
            .request_status,
        RequestEmailStatus::Opened
    );
    // Other accounts see nothing.
    assert_eq!(
        s.list_orders(&OTHER, &OrderListQuery::default())
            .unwrap()
            .total,
        0
    );
}

#[test]
fn an_order_links_to_the_review_it_brought_and_back() {
    let (_d, mut s) = open();
    s.upsert_orders(&SHOP, &[order(4), order(5)]).unwrap();
    s.upsert_reviews(&SHOP, &[review_for("5004")]).unwrap();
    let row = s.order(&SHOP, "5004").unwrap().unwrap();
    assert_eq!(row.review_id, Some(ReviewId("r1".into())));
    assert_eq!(s.order(&SHOP, "5005").unwrap().unwrap().review_id, None);
    assert!(s.order(&SHOP, "nope").unwrap().is_none());
    let page = s
        .list_orders(
            &SHOP,
            &OrderListQuery {
                status: Some(RequestEmailStatus::Evaluated),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.rows[0].review_id, Some(ReviewId("r1".into())));
    let _ = MediaKind::Image;
}

#[test]
fn the_funnel_counts_requests_sent_in_the_period() {
    let (_d, mut s) = open();
    let orders: Vec<Order> = (0..600).map(order).collect();
    s.upsert_orders(&SHOP, &orders).unwrap();
    let f = s.request_funnel(&SHOP, T0, T0 + 365 * DAY).unwrap();
    // Of every six orders: one sent, one opened, one reviewed (and three never sent).
    assert_eq!((f.sent, f.opened, f.reviewed), (300, 200, 100));
    // A period holding orders 0..24 sent (sent 10 days after creation, one an hour).
    let f = s
        .request_funnel(&SHOP, T0 + 10 * DAY, T0 + 10 * DAY + 24 * 3600)
        .unwrap();
    let plain = orders
        .iter()
        .filter(|o| {
            o.sent_at
                .is_some_and(|t| (T0 + 10 * DAY..T0 + 10 * DAY + 24 * 3600).contains(&t))
        })
        .count() as u64;
    assert_eq!(f.sent, plain);
    assert_eq!(s.request_funnel(&OTHER, 0, i64::MAX).unwrap().sent, 0);
}

fn events(n: u32) -> Vec<CustomerEvent> {
    const TYPES: [&str; 4] = ["VIEW_REVIEW", "VIEW_REVIEW", "CLICK_MEDIA", "SUBMIT_REVIEW"];
    const SOURCES: [&str; 3] = ["STOREFRONT", "STOREFRONT", "EMAIL"];
    const OS: [&str; 5] = ["IOS", "ANDROID", "WINDOWS", "IOS", "MACOS"];
    (0..n)
        .map(|i| CustomerEvent {
            id: format!("e{i}"),
            event_type: TYPES[(i % 4) as usize].into(),
            event_source: SOURCES[(i % 3) as usize].into(),
            os_type: OS[(i % 5) as usize].into(),
            customer_id: "0".into(),
            review_id: "0".into(),
            product_id: "9".into(),
            created_at: T0 + i64::from(i) * 997,
        })
        .collect()
}

#[test]
fn events_are_stored_once_and_the_rollup_agrees_with_a_plain_count() {
    let (_d, mut s) = open();
    let all = events(20_000); // ~230 days
    assert_eq!(s.insert_events(&SHOP, &all[..12_000]).unwrap(), 12_000);
    // Overlapping batches (a refetched page) are neither stored nor counted twice.
    assert_eq!(s.insert_events(&SHOP, &all[11_000..]).unwrap(), 8_000);
    assert!(s.has_event(&SHOP, all[5].created_at, "e5").unwrap());
    assert!(!s.has_event(&SHOP, all[5].created_at, "e6").unwrap());
    let year = EventFilter {
        from: T0,
        to: T0 + 365 * DAY,
        ..Default::default()
    };
    let filters = [
        year.clone(),
        EventFilter {
            event_type: Some("CLICK_MEDIA".into()),
            ..year.clone()
        },
        EventFilter {
            event_source: Some("EMAIL".into()),
            os_type: Some("IOS".into()),
            ..year.clone()
        },
        EventFilter {
            from: T0 + 30 * DAY + 5000,
            to: T0 + 61 * DAY - 1,
            ..year.clone()
        },
    ];
    for f in &filters {
        let plain = s.count_events_plain(&SHOP, f).unwrap();
        for bucket in [EventBucket::Day, EventBucket::Week, EventBucket::Month] {
            let sum = s.event_summary(&SHOP, f, bucket).unwrap();
            assert_eq!(sum.total, plain, "{f:?} {bucket:?}");
            assert_eq!(sum.series.iter().map(|p| p.count).sum::<u64>(), plain);
            assert_eq!(sum.by_source.iter().map(|p| p.count).sum::<u64>(), plain);
            assert_eq!(sum.by_os.iter().map(|p| p.count).sum::<u64>(), plain);
        }
    }
    // The plain count by hand, for one filter.
    let by_hand = all.iter().filter(|e| e.event_type == "CLICK_MEDIA").count() as u64;
    assert_eq!(s.count_events_plain(&SHOP, &filters[1]).unwrap(), by_hand);
    // Buckets: weeks start on Mondays, months on the 1st; totals are sorted largest first.
    let weeks = s.event_summary(&SHOP, &year, EventBucket::Week).unwrap();
    assert_eq!(weeks.series[0].start, T0);
    assert!(weeks.series.iter().all(|p| (p.start - T0) % (7 * DAY) == 0));
    let months = s.event_summary(&SHOP, &year, EventBucket::Month).unwrap();
    assert_eq!(months.series[0].start, 1_767_225_600); // 2026-01-01
    assert_eq!(months.by_type[0].key, "VIEW_REVIEW");
    assert_eq!(months.by_type[0].count, 10_000);
    // Options come from the data.
    assert_eq!(
        s.event_values(&SHOP, "os_type").unwrap(),
        vec!["ANDROID", "IOS", "MACOS", "WINDOWS"]
    );
    assert!(s.event_values(&SHOP, "id; drop table x").is_err());
    // Raw table: newest first, paged, filtered, with the rollup's total.
    let page = s.list_events(&SHOP, &filters[1], 0, 10).unwrap();
    assert_eq!(page.total, by_hand);
    assert_eq!(page.rows.len(), 10);
    assert!(page.rows.iter().all(|e| e.event_type == "CLICK_MEDIA"));
    assert!(page
        .rows
        .windows(2)
        .all(|w| w[0].created_at >= w[1].created_at));
    let next = s.list_events(&SHOP, &filters[1], 10, 10).unwrap();
    assert!(next.rows[0].created_at <= page.rows[9].created_at);
    assert_eq!(
        s.event_summary(&OTHER, &year, EventBucket::Day)
            .unwrap()
            .total,
        0
    );
}

#[test]
fn feeds_remember_when_they_were_fetched_and_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    {
        let mut s = Store::open(&path).unwrap();
        assert!(s.feed_state(&SHOP, Feed::Orders).unwrap().is_none());
        s.set_feed_synced(&SHOP, Feed::Orders, 100, true).unwrap();
        s.set_feed_synced(&SHOP, Feed::Orders, 200, false).unwrap();
        s.upsert_orders(&SHOP, &[order(1)]).unwrap();
        s.insert_events(&SHOP, &events(3)).unwrap();
    }
    let s = Store::open_reader(&path).unwrap();
    let st = s.feed_state(&SHOP, Feed::Orders).unwrap().unwrap();
    assert_eq!((st.synced_at, st.full_at), (200, Some(100)));
    assert!(s.feed_state(&SHOP, Feed::Events).unwrap().is_none());
    let page = s.list_orders(&SHOP, &OrderListQuery::default()).unwrap();
    assert_eq!((page.total, page.synced_at), (1, Some(200)));
    assert_eq!(
        s.list_events(
            &SHOP,
            &EventFilter {
                from: 0,
                to: T0 + DAY,
                ..Default::default()
            },
            0,
            10
        )
        .unwrap()
        .total,
        3
    );
}
