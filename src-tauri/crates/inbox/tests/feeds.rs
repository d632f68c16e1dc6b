//! Orders and widget events fetched into the store against the sandbox: every page the first
//! time, then only what can still change (orders) or what is new (events), readable offline,
//! and a token that expires in the middle of a fetch renewed once through the client's door.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use reviewdesk_core::{AccountKey, EventBucket, EventFilter, OrderListQuery, RequestEmailStatus};
use reviewdesk_inbox::{Inbox, InboxConfig};
use reviewdesk_sandbox::state::{lock, Fault};
use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use reviewdesk_store::{Feed, Store};
use reviewdesk_trustoo::{
    Auth, ClientConfig, OAuthClient, OAuthConfig, RenewFuture, Renewer, RetryConfig, Secret,
    ShopRef, TrustooClient, Url,
};

const SHOP: &str = demo::SHOP_DOMAIN;

async fn sandbox() -> Sandbox {
    Sandbox::start(
        SandboxConfig {
            reviews: 300,
            second_shop_reviews: 10,
            orders: 1_500,
            events_per_day: 16,
            ..SandboxConfig::default()
        },
        0,
    )
    .await
    .unwrap()
}

fn hmac(sandbox: &Sandbox) -> TrustooClient {
    let mut cfg = ClientConfig::new(
        Url::parse(&sandbox.base_url()).unwrap(),
        Auth::Hmac {
            public_token: Secret::new(demo::PUBLIC_TOKEN),
            private_token: Secret::new(demo::PRIVATE_TOKEN),
        },
    );
    cfg.retry = RetryConfig::none();
    TrustooClient::new(cfg).unwrap()
}

fn inbox(dir: &std::path::Path) -> Inbox {
    let store = Store::open(dir.join("reviewdesk.db")).unwrap();
    Inbox::new(
        Arc::new(Mutex::new(store)),
        AccountKey::trustoo(SHOP),
        "merchant",
        InboxConfig {
            concurrency: 3,
            page_size: 100,
            ..InboxConfig::default()
        },
    )
    .unwrap()
}

fn account() -> AccountKey {
    AccountKey::trustoo(SHOP)
}

fn hits(sandbox: &Sandbox, endpoint: &str) -> u64 {
    let stats = lock(&sandbox.state().stats);
    stats
        .per_path
        .get(&format!("/api/v1/openapi/{endpoint}"))
        .copied()
        .unwrap_or(0)
}

#[tokio::test]
async fn orders_are_cached_whole_then_only_the_recent_ones_are_read_again() {
    let sb = sandbox().await;
    let c = hmac(&sb);
    let dir = tempfile::tempdir().unwrap();
    let ib = inbox(dir.path());
    let first = ib.refresh_orders(&c).await.unwrap();
    assert_eq!((first.fetched, first.new), (1_500, 1_500));
    let page = ib
        .with_reader(|s| s.list_orders(&account(), &OrderListQuery::default()))
        .unwrap();
    assert_eq!(page.total, 1_500);
    // A status count agrees with the sandbox's own filter.
    let reviewed = c
        .list_orders(&reviewdesk_trustoo::OrderQuery {
            status: Some(RequestEmailStatus::Evaluated),
            ..Default::default()
        })
        .await
        .unwrap()
        .page
        .count;
    assert!(reviewed > 0);
    let local = ib
        .with_reader(|s| {
            s.list_orders(
                &account(),
                &OrderListQuery {
                    status: Some(RequestEmailStatus::Evaluated),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(local.total, reviewed);
    // The second refresh reads the last 60 days only (statuses that can still move).
    let before = hits(&sb, "get_orders");
    let again = ib.refresh_orders(&c).await.unwrap();
    assert_eq!(again.new, 0);
    assert!(again.fetched > 0 && again.fetched < 400, "{again:?}");
    assert!(hits(&sb, "get_orders") - before < 5);
    // Offline, the page still reads the store.
    sb.state().offline.store(true, Ordering::SeqCst);
    assert!(ib.refresh_orders(&c).await.is_err());
    let page = ib
        .with_reader(|s| s.list_orders(&account(), &OrderListQuery::default()))
        .unwrap();
    assert_eq!(page.total, 1_500);
    sb.shutdown().await;
}

#[tokio::test]
async fn events_are_fetched_once_then_only_the_new_ones_and_the_charts_count_them() {
    let sb = sandbox().await;
    let c = hmac(&sb);
    let dir = tempfile::tempdir().unwrap();
    let ib = inbox(dir.path());
    // The regular sync leaves events alone until the Analytics page was opened once.
    ib.refresh_feeds(&c).await;
    assert!(ib
        .with_reader(|s| s.feed_state(&account(), Feed::Events))
        .unwrap()
        .is_none());
    assert!(ib
        .with_reader(|s| s.feed_state(&account(), Feed::Orders))
        .unwrap()
        .is_some());
    let first = ib.refresh_events(&c).await.unwrap();
    let total = sb.state().world().shops[0].events.len() as u64;
    assert_eq!((first.fetched, first.new), (total, total));
    let year = EventFilter {
        from: 0,
        to: 2_000_000_000,
        ..Default::default()
    };
    let summary = ib
        .with_reader(|s| s.event_summary(&account(), &year, EventBucket::Month))
        .unwrap();
    assert_eq!(summary.total, total);
    assert!(summary.series.len() >= 12 * 8, "{}", summary.series.len());
    // Nothing new: one page read, nothing stored.
    let before = hits(&sb, "get_customer_events");
    let again = ib.refresh_events(&c).await.unwrap();
    assert_eq!(again.new, 0);
    assert_eq!(hits(&sb, "get_customer_events") - before, 1);
    // Now the regular sync refreshes events too.
    let before = hits(&sb, "get_customer_events");
    ib.refresh_feeds(&c).await;
    assert_eq!(hits(&sb, "get_customer_events") - before, 1);
    sb.shutdown().await;
}

/// Renews the Bearer token with the refresh token, counting renewals; single-flight as the
/// contract asks (a call refused with a token already replaced just tries again).
#[derive(Debug)]
struct Refresh {
    one: tokio::sync::Mutex<()>,
    oauth: OAuthClient,
    refresh: Mutex<Secret>,
    client: Mutex<Option<TrustooClient>>,
    count: AtomicUsize,
}

impl Renewer for Refresh {
    fn renew<'a>(&'a self, rejected: &'a Auth) -> RenewFuture<'a> {
        Box::pin(async move {
            let _one = self.one.lock().await;
            let current = self.client.lock().unwrap().as_ref().map(|c| c.auth());
            let bearer = |a: &Auth| match a {
                Auth::Bearer(t) => t.expose().to_owned(),
                Auth::Hmac { .. } => String::new(),
            };
            if current.is_some_and(|c| bearer(&c) != bearer(rejected)) {
                return Ok(true);
            }
            self.count.fetch_add(1, Ordering::SeqCst);
            let token = self.refresh.lock().unwrap().clone();
            let fresh = self.oauth.refresh(&token).await?;
            if let Some(r) = fresh.refresh_token.clone() {
                *self.refresh.lock().unwrap() = r;
            }
            let client = self.client.lock().unwrap().clone();
            if let Some(c) = client {
                c.set_auth(Auth::Bearer(fresh.access_token));
            }
            Ok(true)
        })
    }
}

#[tokio::test]
async fn a_token_expiring_in_the_middle_of_a_fetch_is_renewed_once_and_the_fetch_completes() {
    let sb = sandbox().await;
    let base = Url::parse(&sb.base_url()).unwrap();
    let oauth = OAuthClient::new(OAuthConfig::new(
        base.clone(),
        demo::CLIENT_ID,
        Secret::new(demo::CLIENT_SECRET),
    ))
    .unwrap();
    let tokens = oauth
        .client_credentials(
            &ShopRef::domain(SHOP),
            &["read_orders".to_owned(), "read_customer_events".to_owned()],
        )
        .await
        .unwrap();
    let mut cfg = ClientConfig::new(base, Auth::Bearer(tokens.access_token.clone()));
    cfg.retry = RetryConfig::none();
    let c = TrustooClient::new(cfg).unwrap();
    let renewer = Arc::new(Refresh {
        one: tokio::sync::Mutex::new(()),
        oauth,
        refresh: Mutex::new(tokens.refresh_token.clone().unwrap()),
        client: Mutex::new(Some(c.clone())),
        count: AtomicUsize::new(0),
    });
    c.set_renewer(renewer.clone());
    // Five pages go through, then every access token ends.
    lock(&sb.state().faults).push(Fault {
        kind: "expire_tokens".into(),
        status: 0,
        remaining: Some(6),
        path_prefix: "/api/".into(),
        delay_ms: 0,
        retry_after: 1,
        query: Vec::new(),
    });
    let dir = tempfile::tempdir().unwrap();
    let ib = inbox(dir.path());
    let got = ib.refresh_events(&c).await.unwrap();
    let total = sb.state().world().shops[0].events.len() as u64;
    assert_eq!(got.new, total);
    assert_eq!(renewer.count.load(Ordering::SeqCst), 1);
    let orders = ib.refresh_orders(&c).await.unwrap();
    assert_eq!(orders.new, 1_500);
    assert_eq!(renewer.count.load(Ordering::SeqCst), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_events_fetch_cut_off_in_the_middle_leaves_no_gap_for_the_next_one() {
    let sb = sandbox().await;
    let c = hmac(&sb);
    let dir = tempfile::tempdir().unwrap();
    let ib = inbox(dir.path());
    let total = ib.refresh_events(&c).await.unwrap().new;
    let all = EventFilter {
        from: 0,
        to: 2_000_000_000,
        ..Default::default()
    };
    let stored = || {
        ib.with_reader(|s| s.count_events_plain(&account(), &all))
            .unwrap()
    };
    assert_eq!(stored(), total);
    // The server got 450 events since (here: the store forgets its newest 450, which is the
    // same for the next fetch: five pages of 100 are new to it).
    {
        let db = rusqlite::Connection::open(dir.path().join("reviewdesk.db")).unwrap();
        let cut: i64 = db
            .query_row(
                "SELECT created_at FROM customer_events ORDER BY created_at DESC, id DESC \
                 LIMIT 1 OFFSET 449",
                [],
                |r| r.get(0),
            )
            .unwrap();
        db.execute("DELETE FROM customer_events WHERE created_at >= ?1", [cut])
            .unwrap();
    }
    let missing = total - stored();
    assert!(missing >= 450, "{missing}");
    // The next fetch is cut off at its third page (Trustoo answers 500 there, every retry).
    lock(&sb.state().faults).push(Fault {
        kind: "status".into(),
        status: 500,
        remaining: None,
        path_prefix: "/api/v1/openapi/get_customer_events".into(),
        delay_ms: 0,
        retry_after: 1,
        query: vec![("page".into(), "3".into())],
    });
    assert!(ib.refresh_events(&c).await.is_err());
    lock(&sb.state().faults).clear();
    // Trustoo answers again: the fetch after it brings every missing event, not only those
    // above what the cut-off one had stored.
    ib.refresh_events(&c).await.unwrap();
    assert_eq!(stored(), total, "events between the pages are missing");
    sb.shutdown().await;
}
