//! Integration tests against the sandbox emulator, in-process, over real HTTP on 127.0.0.1.
//!
//! Retries use a recording sleeper (no real sleeping, no timing assertions): tests check which
//! delays the client asked for, e.g. exactly the server's `Retry-After`.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::collections::HashSet;
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use reviewdesk_core::{MediaKind, RequestEmailStatus};
use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use reviewdesk_trustoo::oauth::ShopRef;
use reviewdesk_trustoo::{
    Auth, AuthorizeRequest, ClientConfig, EmailType, Error, EventQuery, ExclusionTarget,
    LegacyMedia, NetworkKind, NewMedia, NewMediaItem, NewReview, OAuthClient, OAuthConfig,
    OrderQuery, Pkce, RatingQuery, RetryConfig, ReviewQuery, Secret, Sleeper, SortOrder, Timeouts,
    TokenSet, TrustooClient, UploadProgress, Url, WebhookTopic,
};
use serde_json::{json, Value};

const REDIRECT: &str = "http://127.0.0.1:5173/oauth/callback";

struct Env {
    sb: Sandbox,
    http: reqwest::Client,
}

impl Env {
    async fn start() -> Self {
        let cfg = SandboxConfig {
            reviews: 300,
            second_shop_reviews: 20,
            ..SandboxConfig::default()
        };
        let sb = Sandbox::start(cfg, 0).await.unwrap();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self { sb, http }
    }

    fn base(&self) -> Url {
        Url::parse(&self.sb.base_url()).unwrap()
    }

    fn client(&self, auth: Auth, retry: RetryConfig) -> TrustooClient {
        TrustooClient::new(ClientConfig {
            retry,
            ..ClientConfig::new(self.base(), auth)
        })
        .unwrap()
    }

    fn hmac(&self) -> TrustooClient {
        self.client(hmac_auth(), RetryConfig::none())
    }

    fn oauth(&self) -> OAuthClient {
        OAuthClient::new(OAuthConfig::new(
            self.base(),
            demo::CLIENT_ID,
            Secret::new(demo::CLIENT_SECRET),
        ))
        .unwrap()
    }

    async fn ctl(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.sb.base_url()));
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap()
    }

    async fn arm(&self, fault: Value) {
        self.ctl(reqwest::Method::POST, "/__sandbox/faults", Some(fault))
            .await;
    }

    async fn hits(&self, path: &str) -> u64 {
        let s = self
            .ctl(reqwest::Method::GET, "/__sandbox/stats", None)
            .await;
        s["per_path"][path].as_u64().unwrap_or(0)
    }

    /// Runs the browser part of the authorization-code flow (consent "allow") and returns
    /// `(code, state)` from the redirect.
    async fn authorize(
        &self,
        oauth: &OAuthClient,
        scopes: &[&str],
        pkce: &Pkce,
    ) -> (String, String) {
        let state = reviewdesk_trustoo::oauth::random_state();
        let url = oauth
            .authorize_url(&AuthorizeRequest {
                redirect_uri: REDIRECT.into(),
                state: state.clone(),
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
                code_challenge: Some(pkce.challenge.clone()),
            })
            .unwrap();
        // The consent page renders for our URL.
        let page = self.http.get(url.clone()).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        form.push(("decision".into(), "allow".into()));
        form.push(("shop_id".into(), demo::SHOP_ID.to_string()));
        let resp = self
            .http
            .post(url.as_str().split('?').next().unwrap())
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 302);
        let loc = Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
        let get = |k: &str| {
            loc.query_pairs()
                .find(|(a, _)| a == k)
                .map(|(_, v)| v.into_owned())
                .unwrap()
        };
        assert_eq!(get("state"), state);
        (get("code"), state)
    }

    async fn sign_in(&self, scopes: &[&str]) -> TokenSet {
        let oauth = self.oauth();
        let pkce = Pkce::generate();
        let (code, _) = self.authorize(&oauth, scopes, &pkce).await;
        oauth
            .exchange_code(&Secret::new(code), REDIRECT, Some(&pkce.verifier))
            .await
            .unwrap()
    }
}

fn hmac_auth() -> Auth {
    Auth::Hmac {
        public_token: Secret::new(demo::PUBLIC_TOKEN),
        private_token: Secret::new(demo::PRIVATE_TOKEN),
    }
}

/// Retry config whose sleeper records the requested delays and returns at once.
fn recording_retry() -> (RetryConfig, Arc<Mutex<Vec<Duration>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    let cfg = RetryConfig {
        max_attempts: 4,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(2),
        max_total_wait: Duration::from_secs(30),
        sleeper: Sleeper::new(move |d| {
            l.lock().unwrap().push(d);
            Box::pin(async {})
        }),
    };
    (cfg, log)
}

const ALL_SCOPES: &[&str] = &[
    "read_reviews",
    "write_reviews",
    "read_customer_events",
    "write_customers",
    "read_orders",
];

// ---------------------------------------------------------------------------------------------
// Auth modes and rating

#[tokio::test]
async fn rating_with_hmac_and_bearer_in_every_form() {
    let env = Env::start().await;
    let hmac = env.hmac();
    let all = hmac.get_rating(RatingQuery::all()).await.unwrap();
    let products = hmac.get_rating(RatingQuery::all_products()).await.unwrap();
    let store = hmac.get_rating(RatingQuery::store()).await.unwrap();
    assert!(all.count > 0);
    assert_eq!(all.count, products.count + store.count);
    assert_eq!(all.stars.iter().sum::<u64>(), all.count);
    assert!(all.average >= 1.0 && all.average <= 5.0);
    let pid = demo::product_ids()[0].to_string();
    let one = hmac
        .get_rating(RatingQuery::product(pid.clone()))
        .await
        .unwrap();
    let listed = hmac
        .list_reviews(&ReviewQuery::new().product(pid).page_size(1))
        .await
        .unwrap();
    assert_eq!(one.count, listed.page.count);

    let tokens = env.sign_in(&["read_reviews"]).await;
    let bearer = env.client(
        Auth::Bearer(tokens.access_token.clone()),
        RetryConfig::none(),
    );
    assert_eq!(bearer.get_rating(RatingQuery::all()).await.unwrap(), all);
    assert_eq!(tokens.scopes, ["read_reviews"]);
}

#[tokio::test]
async fn bad_credentials_are_unauthorized_not_expired() {
    let env = Env::start().await;
    let wrong = env.client(
        Auth::Hmac {
            public_token: Secret::new(demo::PUBLIC_TOKEN),
            private_token: Secret::new("not-the-private-token"),
        },
        RetryConfig::none(),
    );
    let e = wrong.get_rating(RatingQuery::all()).await.unwrap_err();
    assert!(matches!(e, Error::Unauthorized { expired: false }), "{e:?}");
    let bogus = env.client(Auth::Bearer(Secret::new("nope")), RetryConfig::none());
    let e = bogus.get_rating(RatingQuery::all()).await.unwrap_err();
    assert!(matches!(e, Error::Unauthorized { expired: false }), "{e:?}");
}

#[tokio::test]
async fn missing_scope_is_forbidden_with_the_scope_named() {
    let env = Env::start().await;
    let t = env.sign_in(&["read_reviews"]).await;
    let c = env.client(Auth::Bearer(t.access_token), RetryConfig::none());
    let e = c
        .create_review(&NewReview::new("0", 5, "Scope Test"))
        .await
        .unwrap_err();
    match e {
        Error::Forbidden { scope } => assert_eq!(scope.as_deref(), Some("write_reviews")),
        other => panic!("{other:?}"),
    }
    let e = c.list_orders(&OrderQuery::default()).await.unwrap_err();
    assert!(matches!(e, Error::Forbidden { .. }), "{e:?}");
}

// ---------------------------------------------------------------------------------------------
// Reviews

#[tokio::test]
async fn review_list_every_filter() {
    let env = Env::start().await;
    let c = env.hmac();
    let everything = c
        .list_reviews(&ReviewQuery::new().page_size(100))
        .await
        .unwrap();
    let total = everything.page.count;
    assert!(total >= 300, "{total}");
    assert_eq!(everything.list.len(), 100);

    // ratings[] (two values)
    let p = c
        .list_reviews(&ReviewQuery::new().rating(5).rating(4).page_size(100))
        .await
        .unwrap();
    assert!(!p.list.is_empty());
    assert!(p.list.iter().all(|r| r.rating == 5 || r.rating == 4));
    assert!(p.page.count < total);
    let one_star = c
        .list_reviews(&ReviewQuery::new().rating(1).page_size(100))
        .await
        .unwrap();
    assert!(one_star.list.iter().all(|r| r.rating == 1));

    // sources[]
    let src = everything.list[0].details.source().to_owned();
    let p = c
        .list_reviews(&ReviewQuery::new().source(src.clone()).page_size(100))
        .await
        .unwrap();
    assert!(!p.list.is_empty());
    assert!(p.list.iter().all(|r| r.details.source() == src), "{src}");

    // product_ids[] (two products)
    let ids = demo::product_ids();
    let (a, b) = (ids[0].to_string(), ids[1].to_string());
    let p = c
        .list_reviews(
            &ReviewQuery::new()
                .product(a.clone())
                .product(b.clone())
                .page_size(100),
        )
        .await
        .unwrap();
    assert!(!p.list.is_empty());
    assert!(p
        .list
        .iter()
        .all(|r| r.product_id.as_str() == a || r.product_id.as_str() == b));

    // is_store_review
    let store = c
        .list_reviews(&ReviewQuery::new().store_review(true).page_size(100))
        .await
        .unwrap();
    assert!(!store.list.is_empty());
    assert!(store
        .list
        .iter()
        .all(|r| r.is_store_review && r.product_id.as_str() == "0"));
    let products = c
        .list_reviews(&ReviewQuery::new().store_review(false).page_size(1))
        .await
        .unwrap();
    assert_eq!(store.page.count + products.page.count, total);

    // keyword (case-insensitive substring of author, title or content)
    let word: String = everything
        .list
        .iter()
        .flat_map(|r| {
            r.content
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .find(|w| w.len() >= 5 && w.chars().all(char::is_alphabetic))
        .unwrap();
    let p = c
        .list_reviews(
            &ReviewQuery::new()
                .keyword(word.to_uppercase())
                .page_size(100),
        )
        .await
        .unwrap();
    assert!(!p.list.is_empty(), "{word}");
    let lw = word.to_lowercase();
    assert!(p.list.iter().all(|r| {
        r.author.to_lowercase().contains(&lw)
            || r.title.to_lowercase().contains(&lw)
            || r.content.to_lowercase().contains(&lw)
    }));

    // sort_by both ways (sandbox: updated_at = creation time)
    let asc = c
        .list_reviews(
            &ReviewQuery::new()
                .sort(SortOrder::CreatedAscending)
                .page_size(50),
        )
        .await
        .unwrap();
    assert!(asc
        .list
        .windows(2)
        .all(|w| w[0].updated_at <= w[1].updated_at));
    let desc = c
        .list_reviews(
            &ReviewQuery::new()
                .sort(SortOrder::CreatedDescending)
                .page_size(50),
        )
        .await
        .unwrap();
    assert!(desc
        .list
        .windows(2)
        .all(|w| w[0].updated_at >= w[1].updated_at));
    assert_ne!(asc.list[0].id, desc.list[0].id);

    // page / page_size
    let p2 = c
        .list_reviews(&ReviewQuery::new().page(2).page_size(7))
        .await
        .unwrap();
    assert_eq!(p2.page.page, 2);
    assert_eq!(p2.page.page_size, 7);
    assert_eq!(p2.list.len(), 7);
    assert_eq!(u64::from(p2.page.total_page), total.div_ceil(7));
    let past = c
        .list_reviews(&ReviewQuery::new().page(p2.page.total_page + 1).page_size(7))
        .await
        .unwrap();
    assert!(past.list.is_empty());

    // every filter at once still signs and parses
    let combined = c
        .list_reviews(
            &ReviewQuery::new()
                .product(a)
                .store_review(false)
                .keyword("a")
                .rating(5)
                .source(src)
                .sort(SortOrder::CreatedAscending)
                .page(1)
                .page_size(10),
        )
        .await
        .unwrap();
    assert!(combined.list.iter().all(|r| r.rating == 5));
}

#[tokio::test]
async fn review_detail_create_both_media_forms_and_delete() {
    let env = Env::start().await;
    let c = env.hmac();
    let first = c
        .list_reviews(&ReviewQuery::new().page_size(1))
        .await
        .unwrap()
        .list[0]
        .clone();
    assert_eq!(c.get_review(&first.id).await.unwrap(), first);
    let e = c.get_review(&"999999999999".into()).await.unwrap_err();
    assert!(matches!(e, Error::NotFound), "{e:?}");

    let pid = demo::product_ids()[2].to_string();
    let mut r = NewReview::new(pid.clone(), 4, "Integration Ann").commented_at_unix(1_780_000_000);
    r.title = Some("Array media".into());
    r.content = Some("Created by the trustoo crate tests".into());
    r.author_country = Some("FR".into());
    r.is_verified = Some(true);
    r.media = Some(NewMedia::Items(vec![
        NewMediaItem {
            url: "https://img.trustoo.io/x.jpg".into(),
            thumbnail_url: "https://img.trustoo.io/x_s.jpg".into(),
            kind: MediaKind::Image,
            is_published: true,
        },
        NewMediaItem {
            url: "https://img.trustoo.io/x.mp4".into(),
            thumbnail_url: String::new(),
            kind: MediaKind::Video,
            is_published: false,
        },
    ]));
    let created = c.create_review(&r).await.unwrap();
    let back = c.get_review(&created.id).await.unwrap();
    assert_eq!(back.author, "Integration Ann");
    assert_eq!(back.product_id.as_str(), pid);
    assert_eq!(back.rating, 4);
    assert_eq!(back.title, "Array media");
    assert_eq!(back.author_country, "FR");
    assert!(back.is_verified);
    assert_eq!(back.commented_at, 1_780_000_000);
    assert_eq!(back.media.len(), 2);
    assert!(back.has_image() && back.has_video());

    let mut legacy = NewReview::new("0", 3, "Integration Bo");
    legacy.media = Some(NewMedia::Legacy(LegacyMedia {
        images: vec![
            "https://img.trustoo.io/a.jpg".into(),
            "https://img.trustoo.io/b.jpg".into(),
        ],
        thumbnails: vec![],
        video: Some("https://img.trustoo.io/v.mp4".into()),
        video_thumbnail: Some("https://img.trustoo.io/v.jpg".into()),
    }));
    let created2 = c.create_review(&legacy).await.unwrap();
    let back2 = c.get_review(&created2.id).await.unwrap();
    assert!(back2.is_store_review);
    assert_eq!(
        back2
            .media
            .iter()
            .filter(|m| m.kind == MediaKind::Image)
            .count(),
        2
    );
    assert!(back2.has_video());

    // Validation: the server's message, not the body.
    let e = c
        .create_review(&NewReview::new("0", 5, "x".repeat(121)))
        .await
        .unwrap_err();
    match &e {
        Error::Validation { message } => assert!(message.contains("120"), "{message}"),
        other => panic!("{other:?}"),
    }

    c.delete_review(&created.id).await.unwrap();
    assert!(matches!(
        c.get_review(&created.id).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        c.delete_review(&created.id).await,
        Err(Error::NotFound)
    ));
    let deleted = env
        .ctl(
            reqwest::Method::GET,
            "/__sandbox/state/deleted_reviews",
            None,
        )
        .await;
    assert!(
        deleted.to_string().contains(created.id.as_str()),
        "{deleted}"
    );
}

#[tokio::test]
async fn pager_fetches_every_review_in_order_with_and_without_concurrency() {
    let env = Env::start().await;
    let c = env.hmac();
    let count = c
        .list_reviews(&ReviewQuery::new().page_size(1))
        .await
        .unwrap()
        .page
        .count;
    let q = ReviewQuery::new()
        .sort(SortOrder::CreatedAscending)
        .page_size(25);
    let seq: Vec<_> = c
        .all_reviews(q.clone(), 1)
        .map(|r| r.unwrap().id)
        .collect()
        .await;
    let conc: Vec<_> = c.all_reviews(q, 4).map(|r| r.unwrap().id).collect().await;
    assert_eq!(seq.len() as u64, count);
    assert_eq!(seq, conc);
    assert_eq!(seq.iter().collect::<HashSet<_>>().len(), seq.len());
    // Filters apply to every page.
    let fives: Vec<_> = c
        .all_reviews(ReviewQuery::new().rating(5).page_size(30), 3)
        .map(|r| r.unwrap())
        .collect()
        .await;
    assert!(fives.iter().all(|r| r.rating == 5));
    // The bench entry points agree.
    assert_eq!(
        reviewdesk_trustoo::bench::fetch_all_reviews_concurrent(&c, 4)
            .await
            .unwrap() as u64,
        count
    );
    assert_eq!(
        reviewdesk_trustoo::bench::fetch_all_reviews_sequential(&c)
            .await
            .unwrap() as u64,
        count
    );
}

// ---------------------------------------------------------------------------------------------
// Webhooks, orders, events, customers

#[tokio::test]
async fn webhooks_create_update_list_delete() {
    let env = Env::start().await;
    let c = env.hmac();
    let w = c
        .create_webhook(WebhookTopic::ReviewCreated, "https://example.com/hook")
        .await
        .unwrap();
    assert_eq!(w.topic, "review/created");
    assert!(!w.id.is_empty());
    let dup = c
        .create_webhook(WebhookTopic::ReviewCreated, "https://example.com/hook")
        .await
        .unwrap_err();
    assert!(matches!(dup, Error::AlreadyExists), "{dup:?}");
    assert!(c
        .list_webhooks()
        .await
        .unwrap()
        .iter()
        .any(|x| x.id == w.id));
    let u = c
        .update_webhook(
            &w.id,
            WebhookTopic::ReviewDeleted,
            "https://example.com/hook2",
        )
        .await
        .unwrap();
    assert_eq!(u.id, w.id);
    assert_eq!(u.topic, "review/deleted");
    assert_eq!(u.url, "https://example.com/hook2");
    c.delete_webhook(&w.id).await.unwrap();
    assert!(!c
        .list_webhooks()
        .await
        .unwrap()
        .iter()
        .any(|x| x.id == w.id));
    assert!(matches!(
        c.delete_webhook(&w.id).await,
        Err(Error::NotFound)
    ));

    // Bearer webhooks are isolated per platform (the HMAC shop list does not see them... or does;
    // we only require the platform to see its own).
    let t = env
        .sign_in(&["write_reviews", "read_customer_events"])
        .await;
    let b = env.client(Auth::Bearer(t.access_token), RetryConfig::none());
    let bw = b
        .create_webhook(
            WebhookTopic::CustomerEventCreated,
            "https://example.com/events",
        )
        .await
        .unwrap();
    assert!(b
        .list_webhooks()
        .await
        .unwrap()
        .iter()
        .any(|x| x.id == bw.id));
}

#[tokio::test]
async fn orders_and_events_with_filters_and_paging() {
    let env = Env::start().await;
    let c = env.hmac();
    let all = c
        .list_orders(&OrderQuery {
            page_size: Some(50),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(all.page.count > 0);
    let o = &all.list[0];
    assert!(!o.id.is_empty() && o.created_at > 0 && !o.products.is_empty());
    let sent = c
        .list_orders(&OrderQuery {
            status: Some(RequestEmailStatus::Sent),
            page_size: Some(50),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(sent
        .list
        .iter()
        .all(|o| o.request_status == RequestEmailStatus::Sent));
    let (lo, hi) = (o.created_at - 86_400, o.created_at + 86_400);
    let ranged = c
        .list_orders(&OrderQuery {
            created_between: Some((lo, hi)),
            sort: Some(SortOrder::CreatedAscending),
            page_size: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!ranged.list.is_empty());
    assert!(ranged
        .list
        .iter()
        .all(|o| o.created_at >= lo && o.created_at <= hi));
    let every: Vec<_> = c
        .order_pages(
            OrderQuery {
                page_size: Some(40),
                ..Default::default()
            },
            3,
        )
        .map(|p| p.unwrap().list.len())
        .collect()
        .await;
    assert_eq!(every.iter().sum::<usize>() as u64, all.page.count);

    let ev = c
        .list_customer_events(&EventQuery {
            page_size: Some(50),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(ev.page.count > 0);
    let kind = ev.list[0].event_type.clone();
    let filtered = c
        .list_customer_events(&EventQuery {
            event_type: Some(kind.clone()),
            os_type: Some(ev.list[0].os_type.clone()),
            event_source: Some(ev.list[0].event_source.clone()),
            sort: Some(SortOrder::CreatedDescending),
            page: Some(1),
            page_size: Some(50),
        })
        .await
        .unwrap();
    assert!(!filtered.list.is_empty());
    assert!(filtered.list.iter().all(|e| e.event_type == kind));
    let n: usize = c
        .event_pages(
            EventQuery {
                page_size: Some(60),
                ..Default::default()
            },
            2,
        )
        .map(|p| p.unwrap().list.len())
        .collect::<Vec<_>>()
        .await
        .iter()
        .sum();
    assert_eq!(n as u64, ev.page.count);
}

#[tokio::test]
async fn exclusions_and_unsubscribe() {
    let env = Env::start().await;
    let c = env.hmac();
    let x = c
        .create_exclusion(&ExclusionTarget::Email("someone@example.com".into()))
        .await
        .unwrap();
    assert_eq!(x.email, "someone@example.com");
    let dup = c
        .create_exclusion(&ExclusionTarget::Email("someone@example.com".into()))
        .await
        .unwrap_err();
    assert!(matches!(dup, Error::AlreadyExists), "{dup:?}");
    let page = c.list_exclusions(1, 100).await.unwrap();
    assert!(page.list.iter().any(|e| e.email == "someone@example.com"));
    let all: usize = c
        .exclusion_pages(1, 2)
        .map(|p| p.unwrap().list.len())
        .collect::<Vec<_>>()
        .await
        .iter()
        .sum();
    assert_eq!(all as u64, page.page.count);
    c.delete_exclusion(&ExclusionTarget::Email("someone@example.com".into()))
        .await
        .unwrap();
    assert!(!c
        .list_exclusions(1, 100)
        .await
        .unwrap()
        .list
        .iter()
        .any(|e| e.email == "someone@example.com"));
    let e = c
        .delete_exclusion(&ExclusionTarget::Email("someone@example.com".into()))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound), "{e:?}");
    let bad = c
        .create_exclusion(&ExclusionTarget::Email("not-an-email".into()))
        .await
        .unwrap_err();
    assert!(matches!(bad, Error::Validation { .. }), "{bad:?}");

    c.email_unsubscribe("someone@example.com", EmailType::ReviewRequest)
        .await
        .unwrap();
    let st = env
        .ctl(reqwest::Method::GET, "/__sandbox/state/exclusions", None)
        .await;
    assert!(
        st["unsubscribes"].to_string().contains("review_request"),
        "{st}"
    );
}

// ---------------------------------------------------------------------------------------------
// OAuth

#[tokio::test]
async fn oauth_code_refresh_rotation_client_credentials_revoke_disconnect() {
    let env = Env::start().await;
    let oauth = env.oauth();

    // PKCE: a wrong verifier is refused, the right one works; the code is single-use.
    let pkce = Pkce::generate();
    let (code, _) = env
        .authorize(&oauth, &["read_reviews", "write_reviews"], &pkce)
        .await;
    let wrong = oauth
        .exchange_code(
            &Secret::new(code.clone()),
            REDIRECT,
            Some(&Pkce::generate().verifier),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&wrong, Error::Validation { message } if message.contains("invalid_grant")),
        "{wrong:?}"
    );
    let pkce = Pkce::generate();
    let (code, _) = env
        .authorize(&oauth, &["read_reviews", "write_reviews"], &pkce)
        .await;
    let t = oauth
        .exchange_code(&Secret::new(code.clone()), REDIRECT, Some(&pkce.verifier))
        .await
        .unwrap();
    assert_eq!(t.token_type, "Bearer");
    assert!(t.expires_in.is_some());
    assert_eq!(t.scopes, ["read_reviews", "write_reviews"]);
    let again = oauth
        .exchange_code(&Secret::new(code), REDIRECT, Some(&pkce.verifier))
        .await
        .unwrap_err();
    assert!(matches!(again, Error::Validation { .. }), "{again:?}");

    // Refresh rotates: the old refresh token stops working.
    let old_refresh = t.refresh_token.clone().unwrap();
    let t2 = oauth.refresh(&old_refresh).await.unwrap();
    assert_ne!(t2.access_token, t.access_token);
    assert!(matches!(
        oauth.refresh(&old_refresh).await,
        Err(Error::Validation { .. })
    ));

    // Platform endpoints.
    let info = oauth
        .shop_authorization_info(&ShopRef::id(demo::SHOP_ID.to_string()))
        .await
        .unwrap();
    assert!(info.is_authorized);
    assert_eq!(info.myshopify_domain, demo::SHOP_DOMAIN);
    assert!(info.granted_scopes.contains(&"write_reviews".to_owned()));
    let info2 = oauth
        .shop_authorization_info(&ShopRef::domain(demo::SHOP_DOMAIN))
        .await
        .unwrap();
    assert_eq!(info2.shop_id.as_str(), demo::SHOP_ID.to_string());
    let inst = oauth
        .shop_install_status(&ShopRef::id(demo::SHOP_ID.to_string()))
        .await
        .unwrap();
    assert!(inst.is_installed);
    let bad = OAuthClient::new(OAuthConfig::new(
        env.base(),
        demo::CLIENT_ID,
        Secret::new("wrong"),
    ))
    .unwrap()
    .shop_install_status(&ShopRef::id(demo::SHOP_ID.to_string()))
    .await
    .unwrap_err();
    assert!(matches!(bad, Error::Unauthorized { .. }), "{bad:?}");

    // Authorize URL from the server (older endpoint).
    let u = oauth
        .fetch_authorize_url(&AuthorizeRequest {
            redirect_uri: REDIRECT.into(),
            state: "s1".into(),
            scopes: vec!["read_reviews".into()],
            code_challenge: None,
        })
        .await
        .unwrap();
    assert!(u.as_str().contains("state=s1"), "{u}");

    // client_credentials.
    let cc = oauth
        .client_credentials(
            &ShopRef::id(demo::SHOP_ID.to_string()),
            &["read_reviews".into()],
        )
        .await
        .unwrap();
    let ccc = env.client(Auth::Bearer(cc.access_token.clone()), RetryConfig::none());
    ccc.get_rating(RatingQuery::all()).await.unwrap();

    // Revoke: the token stops working.
    oauth.revoke(&cc.access_token).await.unwrap();
    let st = env
        .ctl(
            reqwest::Method::POST,
            "/__sandbox/state/token_status",
            Some(json!({"token": cc.access_token.expose()})),
        )
        .await;
    assert_eq!(st["status"], "revoked", "{st}");
    assert!(matches!(
        ccc.get_rating(RatingQuery::all()).await,
        Err(Error::Unauthorized { .. })
    ));

    // Disconnect (Bearer): every token of this client for the shop stops working.
    let c = env.client(Auth::Bearer(t2.access_token.clone()), RetryConfig::none());
    c.get_rating(RatingQuery::all()).await.unwrap();
    c.disconnect().await.unwrap();
    assert!(matches!(
        c.get_rating(RatingQuery::all()).await,
        Err(Error::Unauthorized { .. })
    ));
}

#[tokio::test]
async fn expired_token_then_success_after_the_caller_refreshes() {
    let env = Env::start().await;
    let t = env.sign_in(&["read_reviews"]).await;
    let c = env.client(Auth::Bearer(t.access_token.clone()), RetryConfig::none());
    c.get_rating(RatingQuery::all()).await.unwrap();
    env.arm(json!({"kind": "expire_tokens"})).await;
    let e = c.get_rating(RatingQuery::all()).await.unwrap_err();
    assert!(matches!(e, Error::Unauthorized { expired: true }), "{e:?}");
    let fresh = env
        .oauth()
        .refresh(t.refresh_token.as_ref().unwrap())
        .await
        .unwrap();
    let clone = c.clone();
    c.set_auth(Auth::Bearer(fresh.access_token));
    clone.get_rating(RatingQuery::all()).await.unwrap();
}

#[tokio::test]
async fn oauth_client_never_follows_redirects() {
    // A fake "token endpoint" that redirects to a second listener; the second must see nothing.
    let target = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target_addr = target.local_addr().unwrap();
    let hit = Arc::new(Mutex::new(false));
    let h = hit.clone();
    tokio::spawn(async move {
        if target.accept().await.is_ok() {
            *h.lock().unwrap() = true;
        }
    });
    let redirector = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = redirector.local_addr().unwrap();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut s, _)) = redirector.accept().await {
            let mut buf = vec![0u8; 8192];
            let _ = s.read(&mut buf).await;
            let resp = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://{target_addr}/steal\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = s.write_all(resp.as_bytes()).await;
        }
    });
    let oauth = OAuthClient::new(OAuthConfig::new(
        Url::parse(&format!("http://{addr}")).unwrap(),
        "c",
        Secret::new("s"),
    ))
    .unwrap();
    let e = oauth.refresh(&Secret::new("r")).await.unwrap_err();
    assert!(matches!(e, Error::Server { status: 307, .. }), "{e:?}");
    tokio::task::yield_now().await;
    assert!(!*hit.lock().unwrap());
}

// ---------------------------------------------------------------------------------------------
// Faults and retries

const RATING: &str = "/api/v1/openapi/get_rating";
const REVIEWS: &str = "/api/v1/openapi/get_reviews";
const CREATE: &str = "/api/v1/openapi/create_review";

#[tokio::test]
async fn rate_limit_honours_retry_after() {
    let env = Env::start().await;
    let (retry, log) = recording_retry();
    let c = env.client(hmac_auth(), retry);
    env.arm(json!({"kind": "rate_limit", "retry_after": 2, "path_prefix": RATING}))
        .await;
    c.get_rating(RatingQuery::all()).await.unwrap();
    assert_eq!(*log.lock().unwrap(), [Duration::from_secs(2)]);
    assert_eq!(env.hits(RATING).await, 2);

    // Without retries the caller sees the server's Retry-After.
    env.arm(json!({"kind": "rate_limit", "retry_after": 3, "path_prefix": RATING}))
        .await;
    let e = env.hmac().get_rating(RatingQuery::all()).await.unwrap_err();
    match e {
        Error::RateLimited { retry_after } => assert_eq!(retry_after, Some(Duration::from_secs(3))),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn server_errors_are_retried_for_gets_but_not_for_creates() {
    let env = Env::start().await;
    let (retry, log) = recording_retry();
    let c = env.client(hmac_auth(), retry);
    env.arm(json!({"kind": "status", "status": 500, "count": 2, "path_prefix": REVIEWS}))
        .await;
    c.list_reviews(&ReviewQuery::new().page_size(5))
        .await
        .unwrap();
    assert_eq!(log.lock().unwrap().len(), 2);
    assert_eq!(env.hits(REVIEWS).await, 3);

    // Persistent 503: bounded attempts, then the typed error.
    env.arm(json!({"kind": "status", "status": 503, "count": 0, "path_prefix": REVIEWS}))
        .await;
    let e = c.list_reviews(&ReviewQuery::new()).await.unwrap_err();
    assert!(matches!(e, Error::Server { status: 503, .. }), "{e:?}");
    assert_eq!(env.hits(REVIEWS).await, 3 + 4);
    env.ctl(reqwest::Method::DELETE, "/__sandbox/faults", None)
        .await;

    // A create that got a 500 may have landed: no retry.
    log.lock().unwrap().clear();
    env.arm(json!({"kind": "status", "status": 500, "path_prefix": CREATE}))
        .await;
    let e = c
        .create_review(&NewReview::new("0", 5, "No Retry"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Server {
                status: 500,
                code: Some(13)
            }
        ),
        "{e:?}"
    );
    assert!(log.lock().unwrap().is_empty());
    assert_eq!(env.hits(CREATE).await, 1);
}

#[tokio::test]
async fn cut_connection_retries_gets_and_leaves_creates_to_the_caller() {
    let env = Env::start().await;
    let (retry, log) = recording_retry();
    let c = env.client(hmac_auth(), retry);
    env.arm(json!({"kind": "cut", "path_prefix": REVIEWS}))
        .await;
    let p = c
        .list_reviews(&ReviewQuery::new().page_size(5))
        .await
        .unwrap();
    assert_eq!(p.list.len(), 5);
    assert_eq!(log.lock().unwrap().len(), 1);

    env.arm(json!({"kind": "cut", "path_prefix": CREATE})).await;
    let e = c
        .create_review(&NewReview::new("0", 5, "Cut Connection Author"))
        .await
        .unwrap_err();
    match &e {
        Error::Network { kind, .. } => {
            assert_eq!(*kind, NetworkKind::Interrupted);
            assert!(kind.may_have_reached_server());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(env.hits(CREATE).await, 1);
    // Check-then-resend (what the caller does): the review did land.
    let newest = c
        .list_reviews(
            &ReviewQuery::new()
                .keyword("Cut Connection Author")
                .page_size(5),
        )
        .await
        .unwrap();
    assert_eq!(newest.list.len(), 1);
}

/// An answer that is not JSON (a proxy's error page, a cut body) is a passing fault like a 500:
/// a read is asked again with backoff, then the typed error names the call.
#[tokio::test]
async fn malformed_json_on_a_read_is_retried_with_backoff_then_reported() {
    let env = Env::start().await;
    let (retry, log) = recording_retry();
    let c = env.client(hmac_auth(), retry);
    env.arm(json!({"kind": "malformed", "count": 2, "path_prefix": REVIEWS}))
        .await;
    let page = c
        .list_reviews(&ReviewQuery::new().page_size(5))
        .await
        .unwrap();
    assert_eq!(page.list.len(), 5);
    // Exponential backoff with equal jitter: 50..=100 ms, then 100..=200 ms.
    let waits = log.lock().unwrap().clone();
    assert_eq!(waits.len(), 2);
    assert!(waits[0] >= Duration::from_millis(50) && waits[0] <= Duration::from_millis(100));
    assert!(waits[1] >= Duration::from_millis(100) && waits[1] <= Duration::from_millis(200));
    assert_eq!(env.hits(REVIEWS).await, 3);

    // Malformed every time: bounded attempts, then the decode error.
    env.arm(json!({"kind": "malformed", "count": 0, "path_prefix": REVIEWS}))
        .await;
    let e = c.list_reviews(&ReviewQuery::new()).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Decode {
                context: "get_reviews",
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(env.hits(REVIEWS).await, 3 + 4);
    env.ctl(reqwest::Method::DELETE, "/__sandbox/faults", None)
        .await;
}

/// A create whose answer cannot be read may have created the review: it is never resent
/// blindly (the caller checks first, as for a cut connection).
#[tokio::test]
async fn malformed_json_on_a_create_is_not_retried() {
    let env = Env::start().await;
    let (retry, log) = recording_retry();
    let c = env.client(hmac_auth(), retry);
    env.arm(json!({"kind": "malformed", "path_prefix": CREATE}))
        .await;
    let e = c
        .create_review(&NewReview::new("0", 5, "Unreadable Answer"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Decode {
                context: "create_review",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(log.lock().unwrap().is_empty());
    assert_eq!(env.hits(CREATE).await, 1);
}

#[tokio::test]
async fn slow_answer_hits_the_read_timeout_and_is_retried() {
    let env = Env::start().await;
    let (retry, log) = recording_retry();
    let c = TrustooClient::new(ClientConfig {
        retry,
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            read: Duration::from_millis(200),
        },
        ..ClientConfig::new(env.base(), hmac_auth())
    })
    .unwrap();
    env.arm(json!({"kind": "slow", "delay_ms": 1500, "path_prefix": RATING}))
        .await;
    c.get_rating(RatingQuery::all()).await.unwrap();
    assert_eq!(log.lock().unwrap().len(), 1);
    env.arm(json!({"kind": "slow", "delay_ms": 1500, "path_prefix": RATING}))
        .await;
    let no_retry = TrustooClient::new(ClientConfig {
        retry: RetryConfig::none(),
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            read: Duration::from_millis(200),
        },
        ..ClientConfig::new(env.base(), hmac_auth())
    })
    .unwrap();
    let e = no_retry.get_rating(RatingQuery::all()).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Network {
                kind: NetworkKind::Timeout,
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn offline_mode_fails_then_recovers() {
    let env = Env::start().await;
    let (retry, log) = recording_retry();
    let c = env.client(hmac_auth(), retry);
    env.arm(json!({"kind": "offline"})).await;
    let e = c.get_rating(RatingQuery::all()).await.unwrap_err();
    assert!(matches!(e, Error::Network { .. }), "{e:?}");
    assert_eq!(log.lock().unwrap().len(), 3); // 4 attempts
    env.ctl(reqwest::Method::DELETE, "/__sandbox/faults", None)
        .await;
    c.get_rating(RatingQuery::all()).await.unwrap();
}

#[tokio::test]
async fn connect_errors_are_retried_even_for_creates() {
    // A port nobody listens on: the request provably never left.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    let (retry, log) = recording_retry();
    let c = TrustooClient::new(ClientConfig {
        retry,
        ..ClientConfig::new(
            Url::parse(&format!("http://127.0.0.1:{port}")).unwrap(),
            hmac_auth(),
        )
    })
    .unwrap();
    let e = c
        .create_review(&NewReview::new("0", 5, "Nobody"))
        .await
        .unwrap_err();
    match e {
        Error::Network { kind, .. } => assert!(!kind.may_have_reached_server()),
        other => panic!("{other:?}"),
    }
    assert_eq!(log.lock().unwrap().len(), 3);
}

// ---------------------------------------------------------------------------------------------
// Uploads

fn temp_file(len: usize) -> (tempfile::NamedTempFile, Vec<u8>) {
    let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(&data).unwrap();
    f.flush().unwrap();
    (f, data)
}

fn progress_log() -> (
    Arc<Mutex<Vec<UploadProgress>>>,
    impl Fn(UploadProgress) + Send + Sync + 'static,
) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    (log, move |p| l.lock().unwrap().push(p))
}

fn check_progress(log: &[UploadProgress], total: u64) {
    assert!(log.len() >= 2, "{}", log.len());
    assert!(log.windows(2).all(|w| w[0].sent <= w[1].sent));
    let (last, before) = log.split_last().unwrap();
    assert!(last.done && last.sent == total && last.fraction() == 1.0);
    assert!(before.iter().all(|p| !p.done && p.fraction() < 1.0));
}

#[tokio::test]
async fn image_upload_with_read_back() {
    let env = Env::start().await;
    let c = env.hmac();
    let (file, data) = temp_file(300 * 1024 + 17);
    let policy = c.image_upload_policy().await.unwrap();
    assert!(policy.host.starts_with(&env.sb.base_url()));
    assert!(policy.expire > 0);
    let (log, cb) = progress_log();
    let up = c
        .upload_image(&policy, "photo.jpg", file.path(), data.len() as u64, cb)
        .await
        .unwrap();
    assert!(up.key.starts_with(&policy.dir) && up.key.ends_with("photo.jpg"));
    let back = env
        .http
        .get(&up.url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(back.as_ref(), data.as_slice());
    check_progress(&log.lock().unwrap(), data.len() as u64);

    // A wrong length is refused locally, before any byte is sent.
    let e = c
        .upload_image(
            &policy,
            "photo2.jpg",
            file.path(),
            data.len() as u64 + 1,
            |_| {},
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::File(_)), "{e:?}");
    // A tampered signature is refused by the storage with a typed error. The file is small so
    // it is fully written before the storage answers early and closes: with a large file the
    // client can instead see the close as a broken pipe (`Network { Interrupted }`), which is
    // inherent to early rejection over HTTP/1.1.
    let (small, small_data) = temp_file(2048);
    let mut bad = policy.clone();
    bad.signature = Secret::new("AAAA");
    let e = c
        .upload_image(
            &bad,
            "photo3.jpg",
            small.path(),
            small_data.len() as u64,
            |_| {},
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Storage { status: 403, .. }), "{e:?}");
}

#[tokio::test]
async fn expired_image_policy_is_a_storage_error() {
    let env = Env::start().await;
    let c = env.hmac();
    let (file, data) = temp_file(1000);
    let policy = c.image_upload_policy().await.unwrap();
    env.ctl(
        reqwest::Method::POST,
        "/__sandbox/time/advance",
        Some(json!({"seconds": 16 * 60})),
    )
    .await;
    let e = c
        .upload_image(&policy, "late.png", file.path(), data.len() as u64, |_| {})
        .await
        .unwrap_err();
    match e {
        Error::Storage {
            status,
            code,
            message,
        } => {
            assert_eq!(status, 403);
            assert_eq!(code.as_deref(), Some("AccessDenied"));
            assert!(message.unwrap_or_default().contains("expired"));
        }
        other => panic!("{other:?}"),
    }
}

/// Threads of this process whose name starts with `prefix` (Linux names are cut at 15 bytes).
fn threads_named(prefix: &str) -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|tasks| {
            tasks
                .filter_map(|t| t.ok())
                .filter_map(|t| std::fs::read_to_string(t.path().join("comm")).ok())
                .filter(|name| name.starts_with(prefix))
                .count()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn a_dropped_upload_stops_its_thread_and_sends_no_more() {
    let env = Env::start().await;
    let c = env.hmac();
    // 64 MiB, sparse (no disk), and a storage host that does not read it for 30 s: the upload
    // fills the socket buffers and waits.
    let file = tempfile::NamedTempFile::new().unwrap();
    let len: u64 = 64 << 20;
    file.as_file().set_len(len).unwrap();
    env.arm(json!({"kind": "slow", "delay_ms": 30_000, "count": 1, "path_prefix": "/storage"}))
        .await;
    let target = c.video_upload_url("big.mp4", len).await.unwrap();
    let (log, cb) = progress_log();
    let before = threads_named("reviewdesk-uplo");
    let upload = tokio::spawn({
        let (c, path) = (c.clone(), file.path().to_path_buf());
        async move {
            c.upload_video(&target.upload_url, &path, len, &target.content_type, cb)
                .await
        }
    });
    let sent = || log.lock().unwrap().last().map_or(0, |p| p.sent);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while sent() == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(sent() > 0 && sent() < len, "sent {}", sent());
    // (Other tests of this binary may upload at the same time under `cargo test`; nextest runs
    // each test in a process of its own.)
    assert!(threads_named("reviewdesk-uplo") >= 1);
    // Cancel: the task (and with it the upload's future) is dropped.
    upload.abort();
    assert!(upload.await.unwrap_err().is_cancelled());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while threads_named("reviewdesk-uplo") > before && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        threads_named("reviewdesk-uplo") <= before,
        "the upload thread ended"
    );
    let stopped_at = sent();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        sent(),
        stopped_at,
        "nothing is read or sent after the cancel"
    );
    assert!(!log.lock().unwrap().iter().any(|p| p.done));
}

#[tokio::test]
async fn video_upload_with_exact_length_and_read_back() {
    let env = Env::start().await;
    let c = env.hmac();
    let (file, data) = temp_file(2 * 1024 * 1024 + 5);
    let target = c
        .video_upload_url("clip.mp4", data.len() as u64)
        .await
        .unwrap();
    assert!(!target.content_type.is_empty());
    assert!(!format!("{target:?}").contains("signature="));
    let (log, cb) = progress_log();
    c.upload_video(
        &target.upload_url,
        file.path(),
        data.len() as u64,
        &target.content_type,
        cb,
    )
    .await
    .unwrap();
    check_progress(&log.lock().unwrap(), data.len() as u64);
    let back = env
        .http
        .get(&target.video_url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(back.len(), data.len());
    assert_eq!(back.as_ref(), data.as_slice());

    // The sandbox refuses chunked bodies (411); prove ours is not chunked by comparing with a
    // raw chunked PUT to a fresh URL.
    let t2 = c.video_upload_url("clip2.mp4", 10).await.unwrap();
    let chunked = env
        .http
        .put(t2.upload_url.expose())
        .header("content-type", &t2.content_type)
        .body(reqwest::Body::wrap_stream(futures::stream::iter(vec![
            Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"0123456789")),
        ])))
        .send()
        .await
        .unwrap();
    assert_eq!(chunked.status(), 411);
}

#[tokio::test]
async fn video_put_sends_content_length_not_chunked() {
    // A raw server that records the request head.
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let head = Arc::new(Mutex::new(String::new()));
    let h = head.clone();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut s, _) = l.accept().await.unwrap();
        let mut buf = Vec::new();
        let mut tmp = [0u8; 65536];
        loop {
            let n = s.read(&mut tmp).await.unwrap();
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&tmp[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let text = String::from_utf8_lossy(&buf[..i]).to_string();
                let body_len = buf.len() - i - 4;
                *h.lock().unwrap() = text;
                let mut remaining = 100_000usize.saturating_sub(body_len);
                while remaining > 0 {
                    let n = s.read(&mut tmp).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    remaining = remaining.saturating_sub(n);
                }
                break;
            }
        }
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .await
            .unwrap();
    });
    let (file, data) = temp_file(100_000);
    let c = TrustooClient::new(ClientConfig::new(
        Url::parse(&format!("http://{addr}")).unwrap(),
        hmac_auth(),
    ))
    .unwrap();
    c.upload_video(
        &Secret::new(format!("http://{addr}/storage/v.mp4?signature=x")),
        file.path(),
        data.len() as u64,
        "video/mp4",
        |_| {},
    )
    .await
    .unwrap();
    let head = head.lock().unwrap().to_ascii_lowercase();
    assert!(head.starts_with("put /storage/v.mp4"), "{head}");
    assert!(head.contains("content-length: 100000"), "{head}");
    assert!(!head.contains("transfer-encoding"), "{head}");
    assert!(head.contains("content-type: video/mp4"), "{head}");
}

// ---------------------------------------------------------------------------------------------
// Secrets

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn no_token_in_any_error_string_or_log_line() {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let cap = Capture(buf.clone());
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "reviewdesk_trustoo=trace,reqwest=trace,hyper=trace,hyper_util=trace,h2=trace,rustls=trace",
        ))
        .with_writer(move || cap.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let env = Env::start().await;
    let mut secrets: Vec<String> = vec![
        demo::PRIVATE_TOKEN.into(),
        demo::PUBLIC_TOKEN.into(),
        demo::CLIENT_SECRET.into(),
    ];
    let mut outputs: Vec<String> = Vec::new();
    fn record_into(outputs: &mut Vec<String>, e: &Error) {
        outputs.push(e.to_string());
        outputs.push(format!("{e:?}"));
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            outputs.push(s.to_string());
            src = s.source();
        }
    }
    macro_rules! record {
        ($e:expr $(,)?) => {
            record_into(&mut outputs, $e)
        };
    }

    let (retry, _) = recording_retry();
    let hmac = env.client(hmac_auth(), retry.clone());
    hmac.list_reviews(&ReviewQuery::new().page_size(3))
        .await
        .unwrap();
    outputs.push(format!("{hmac:?}"));
    let bad = env.client(
        Auth::Hmac {
            public_token: Secret::new(demo::PUBLIC_TOKEN),
            private_token: Secret::new("wrong-private-token-XYZ"),
        },
        RetryConfig::none(),
    );
    secrets.push("wrong-private-token-XYZ".into());
    record!(&bad.get_rating(RatingQuery::all()).await.unwrap_err());

    let t = env.sign_in(ALL_SCOPES).await;
    secrets.push(t.access_token.expose().into());
    secrets.push(t.refresh_token.as_ref().unwrap().expose().into());
    outputs.push(format!("{t:?}"));
    let bearer = env.client(Auth::Bearer(t.access_token.clone()), retry.clone());
    bearer.get_rating(RatingQuery::all()).await.unwrap();
    env.arm(json!({"kind": "expire_tokens"})).await;
    record!(&bearer.get_rating(RatingQuery::all()).await.unwrap_err());
    let oauth = env.oauth();
    outputs.push(format!("{oauth:?}"));
    let t2 = oauth
        .refresh(t.refresh_token.as_ref().unwrap())
        .await
        .unwrap();
    secrets.push(t2.access_token.expose().into());
    secrets.push(t2.refresh_token.as_ref().unwrap().expose().into());
    record!(&oauth
        .refresh(t.refresh_token.as_ref().unwrap())
        .await
        .unwrap_err());
    record!(&oauth
        .exchange_code(&Secret::new("bogus-code-SECRET"), REDIRECT, None)
        .await
        .unwrap_err(),);
    secrets.push("bogus-code-SECRET".into());
    bearer.set_auth(Auth::Bearer(t2.access_token.clone()));
    oauth
        .shop_authorization_info(&ShopRef::id(demo::SHOP_ID.to_string()))
        .await
        .unwrap();
    env.arm(json!({"kind": "cut", "path_prefix": "/api/v1/openapi/get_shop_authorization_info"}))
        .await;
    let no_retry_oauth = OAuthClient::new(OAuthConfig {
        retry: RetryConfig::none(),
        ..OAuthConfig::new(
            env.base(),
            demo::CLIENT_ID,
            Secret::new(demo::CLIENT_SECRET),
        )
    })
    .unwrap();
    record!(&no_retry_oauth
        .shop_authorization_info(&ShopRef::id(demo::SHOP_ID.to_string()))
        .await
        .unwrap_err(),);
    env.arm(json!({"kind": "malformed", "path_prefix": "/api/v1/openapi/oauth/token"}))
        .await;
    record!(&oauth
        .refresh(t2.refresh_token.as_ref().unwrap())
        .await
        .unwrap_err());

    // Uploads: policy signature and presigned URL are credentials too.
    let policy = bearer.image_upload_policy().await.unwrap();
    secrets.push(policy.signature.expose().into());
    outputs.push(format!("{policy:?}"));
    let (file, data) = temp_file(4096);
    bearer
        .upload_image(&policy, "a.png", file.path(), data.len() as u64, |_| {})
        .await
        .unwrap();
    let target = bearer
        .video_upload_url("v.mp4", data.len() as u64)
        .await
        .unwrap();
    let url = Url::parse(target.upload_url.expose()).unwrap();
    for (_, v) in url.query_pairs() {
        if v.len() >= 16 {
            secrets.push(v.into_owned());
        }
    }
    outputs.push(format!("{target:?}"));
    record!(&bearer
        .upload_video(
            &target.upload_url,
            file.path(),
            data.len() as u64,
            "text/plain",
            |_| {},
        )
        .await
        .unwrap_err(),);
    oauth.revoke(&t2.access_token).await.unwrap();
    record!(&bearer.get_rating(RatingQuery::all()).await.unwrap_err());

    let logs = String::from_utf8_lossy(&buf.lock().unwrap()).to_string();
    assert!(
        logs.contains("trustoo answered"),
        "the capture did not work:\n{logs}"
    );
    assert!(logs.contains("retrying trustoo call") || logs.contains("trustoo call failed"));
    for s in &secrets {
        assert!(!s.is_empty());
        for o in &outputs {
            assert!(
                !o.contains(s.as_str()),
                "secret leaked in error/debug output: {o}"
            );
        }
        assert!(!logs.contains(s.as_str()), "secret leaked in logs");
    }
}
