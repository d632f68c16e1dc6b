//! The client against the Trustpilot half of the sandbox, in-process, over real HTTP on
//! loopback (three hosts: API, authenticate page, invitations).
//!
//! Waiting is recorded, never slept (a recording [`Sleeper`]): tests check which delays the
//! client asked for, with no wall-clock timing.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reviewdesk_sandbox::trustpilot::demo;
use reviewdesk_sandbox::{Sandbox, SandboxConfig};
use reviewdesk_trustpilot::{
    AuthorizeRequest, BaseUrls, CallBudget, ClientConfig, Clock, ConversationState, Credential,
    Error, Grant, ManualClock, NewComment, NewReply, OrderBy, ProductReviewQuery,
    ProductReviewState, ResponseType, RetryConfig, ReviewQuery, ReviewStatus, Secret, Sleeper, Tag,
    TrustpilotClient,
};
use serde_json::{json, Value};

/// The sandbox's loopback redirect (accepted there only, and it says so).
const REDIRECT: &str = "http://127.0.0.1:53117/trustpilot/callback";
const REVIEWS: usize = 300;

struct Env {
    sb: Sandbox,
    http: reqwest::Client,
    slept: Arc<Mutex<Vec<Duration>>>,
}

impl Env {
    async fn start_with(cfg: SandboxConfig) -> Self {
        let sb = Sandbox::start(cfg, 0).await.unwrap();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("reviewdesk-trustpilot-tests")
            .build()
            .unwrap();
        Self {
            sb,
            http,
            slept: Arc::default(),
        }
    }

    async fn start() -> Self {
        Self::start_with(SandboxConfig {
            reviews: 10,
            second_shop_reviews: 10,
            trustpilot_reviews: REVIEWS,
            trustpilot_second_reviews: 20,
            ..SandboxConfig::default()
        })
        .await
    }

    fn bases(&self) -> BaseUrls {
        let tp = self.sb.trustpilot();
        BaseUrls::parse(&tp.api_url(), &tp.authenticate_url(), &tp.invitations_url()).unwrap()
    }

    /// A sleeper that records the delays asked for and returns at once.
    fn sleeper(&self) -> Sleeper {
        let slept = self.slept.clone();
        Sleeper::new(move |d| {
            slept.lock().unwrap().push(d);
            Box::pin(async {})
        })
    }

    fn config(&self) -> ClientConfig {
        let mut c = ClientConfig::new(
            self.bases(),
            Secret::new(demo::API_KEY),
            Some(Secret::new(demo::API_SECRET)),
        );
        c.retry = RetryConfig {
            sleeper: self.sleeper(),
            ..RetryConfig::default()
        };
        c
    }

    fn client(&self) -> TrustpilotClient {
        TrustpilotClient::new(self.config()).unwrap()
    }

    async fn signed_in(&self) -> TrustpilotClient {
        let c = self.client();
        c.sign_in_with_password(demo::USERNAME, &Secret::new(demo::PASSWORD))
            .await
            .unwrap();
        c
    }

    fn slept(&self) -> Vec<Duration> {
        self.slept.lock().unwrap().clone()
    }

    async fn ctl(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.sb.trustpilot().api_url()));
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap()
    }

    async fn fault(&self, body: Value) {
        self.ctl(reqwest::Method::POST, "/__sandbox/faults", Some(body))
            .await;
    }

    async fn stats(&self) -> Value {
        self.ctl(reqwest::Method::GET, "/__sandbox/stats", None)
            .await
    }

    async fn reset_stats(&self) {
        self.ctl(reqwest::Method::DELETE, "/__sandbox/stats", None)
            .await;
    }

    async fn token_status(&self, token: &Secret) -> String {
        let v = self
            .ctl(
                reqwest::Method::POST,
                "/__sandbox/state/token_status",
                Some(json!({ "token": token.expose() })),
            )
            .await;
        v["status"].as_str().unwrap().to_owned()
    }

    /// Requests the sandbox saw on `path`.
    async fn hits(&self, path: &str) -> u64 {
        self.stats().await["per_path"][path].as_u64().unwrap_or(0)
    }

    /// Signs in on the authenticate page's form as the demo owner; answers the redirect.
    async fn authenticate(
        &self,
        authorize: &reviewdesk_trustpilot::Url,
    ) -> reviewdesk_trustpilot::Url {
        // The page itself renders for the URL the client built.
        let page = self.http.get(authorize.as_str()).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
        form.push(("email".into(), demo::USERNAME.into()));
        form.push(("password".into(), demo::PASSWORD.into()));
        form.push(("decision".into(), "login".into()));
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let r = self
            .http
            .post(format!("{}/", self.sb.trustpilot().authenticate_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 302);
        reviewdesk_trustpilot::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap()
    }
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

fn reviews_path() -> String {
    format!(
        "/v1/private/business-units/{}/reviews",
        demo::BUSINESS_UNIT_ID
    )
}

// ---- Grants ---------------------------------------------------------------------------------

#[tokio::test]
async fn password_grant_reads_units_and_reviews() {
    let env = Env::start().await;
    let c = env.client();
    let t = c
        .sign_in_with_password(demo::USERNAME, &Secret::new(demo::PASSWORD))
        .await
        .unwrap();
    assert_eq!(t.grant, Grant::Password);
    assert!(t.refresh_token.is_some());
    // `expires_in` comes as the string "359999": 100 h less a second, counted from now.
    let left = t.expires_at.unwrap() - unix_now();
    assert!((359_000..=360_000).contains(&left), "{left}");
    assert_eq!(env.token_status(&t.access_token).await, "active");

    let unit = c.find_business_unit(demo::DOMAIN).await.unwrap();
    assert_eq!(unit.id, demo::BUSINESS_UNIT_ID);
    assert_eq!(unit.display_name, demo::DISPLAY_NAME);
    let by_shop = c
        .find_business_unit("aurora-outfitters.myshopify.com")
        .await
        .unwrap();
    assert_eq!(by_shop.id, unit.id);
    let got = c.business_unit(&unit.id).await.unwrap();
    let counts = got.number_of_reviews.clone().unwrap();
    assert_eq!(counts.total, REVIEWS as u64);
    assert_eq!(counts.by_stars().iter().sum::<u64>(), counts.total);
    let score = got.score.unwrap();
    assert!((1.0..=5.0).contains(&score.trust_score), "{score:?}");
    assert!(matches!(
        c.find_business_unit("nobody.example").await,
        Err(Error::NotFound)
    ));

    let page = c
        .private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap();
    assert_eq!(page.reviews.len(), 100);
    assert!(page.next_page_link().is_some());
    let one = c.private_review(&page.reviews[0].id).await.unwrap();
    assert_eq!(one, page.reviews[0]);
    assert!(matches!(
        c.private_review("5c1a7e8f2d3b4a0001f6e9d9").await,
        Err(Error::NotFound)
    ));
    // An id that could walk the path never leaves the machine.
    assert!(matches!(
        c.private_review("../x").await,
        Err(Error::Config(_))
    ));
}

#[tokio::test]
async fn authorization_code_grant_through_the_authenticate_page() {
    let env = Env::start().await;
    let c = env.client();
    let state = reviewdesk_trustpilot::random_state();
    let url = c.authorize_url(&AuthorizeRequest {
        redirect_uri: REDIRECT.into(),
        response_type: ResponseType::Code,
        state: Some(state.clone()),
    });
    let back = env.authenticate(&url).await;
    let q: Vec<(String, String)> = back.query_pairs().into_owned().collect();
    assert!(q.contains(&("state".into(), state)), "{q:?}");
    let code = q.iter().find(|(k, _)| k == "code").unwrap().1.clone();
    let t = c
        .sign_in_with_code(&Secret::new(code.clone()), REDIRECT)
        .await
        .unwrap();
    assert_eq!(t.grant, Grant::AuthorizationCode);
    assert!(t.refresh_token.is_some());
    c.private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap();
    // A code is single use.
    assert!(matches!(
        c.sign_in_with_code(&Secret::new(code), REDIRECT).await,
        Err(Error::InvalidGrant)
    ));
}

#[tokio::test]
async fn implicit_grant_needs_no_secret_and_cannot_renew() {
    let env = Env::start().await;
    let mut cfg = env.config();
    cfg.api_secret = None;
    let c = TrustpilotClient::new(cfg).unwrap();
    assert!(!c.has_api_secret());
    let url = c.authorize_url(&AuthorizeRequest {
        redirect_uri: REDIRECT.into(),
        response_type: ResponseType::Token,
        state: Some("st-1".into()),
    });
    let back = env.authenticate(&url).await;
    assert!(back.query().is_none());
    let t = c
        .sign_in_with_implicit_fragment(back.fragment().unwrap(), Some("st-1"), unix_now())
        .unwrap();
    assert_eq!(t.grant, Grant::Implicit);
    assert!(t.refresh_token.is_none());
    assert!(t.expires_at.unwrap() > unix_now() + 350_000);
    c.private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap();
    // The other grants need the secret and say so without a request.
    assert!(matches!(
        c.sign_in_with_client_credentials().await,
        Err(Error::NoSecret)
    ));
    // When the token ends there is nothing to renew it with: sign in again.
    env.fault(json!({"kind": "expire_tokens"})).await;
    env.reset_stats().await;
    let e = c
        .private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unauthorized {
                credential: Credential::AccessToken
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        env.stats().await["total"],
        1,
        "one refused call, no token request"
    );
}

#[tokio::test]
async fn client_credentials_are_requested_again_when_refused_never_more_often() {
    let env = Env::start().await;
    let c = env.client();
    let renewed = Arc::new(Mutex::new(Vec::new()));
    let seen = renewed.clone();
    c.set_token_listener(move |t| seen.lock().unwrap().push(t.grant));
    let t = c.sign_in_with_client_credentials().await.unwrap();
    assert_eq!(t.grant, Grant::ClientCredentials);
    assert!(t.refresh_token.is_none());
    let issued = env.stats().await["tokens_issued"].as_u64().unwrap();
    for _ in 0..3 {
        c.private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
            .await
            .unwrap();
    }
    assert_eq!(
        env.stats().await["tokens_issued"].as_u64().unwrap(),
        issued,
        "reused"
    );
    env.fault(json!({"kind": "expire_tokens"})).await;
    c.private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap();
    assert_eq!(
        env.stats().await["tokens_issued"].as_u64().unwrap(),
        issued + 1
    );
    assert_eq!(*renewed.lock().unwrap(), [Grant::ClientCredentials]);
    let now = c.tokens().unwrap();
    assert_ne!(now.access_token, t.access_token);
    assert_eq!(now.grant, Grant::ClientCredentials);

    // Replies need the business user id with client credentials.
    let id = c
        .private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap()
        .reviews[0]
        .id
        .clone();
    let e = c
        .reply(
            &id,
            &NewReply {
                message: "Thanks!".into(),
                author_business_user_id: None,
                submitted_at: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Validation { .. }), "{e:?}");
    c.reply(
        &id,
        &NewReply {
            message: "Thanks!".into(),
            author_business_user_id: Some(demo::BUSINESS_USER_ID.into()),
            submitted_at: None,
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn an_expired_client_credentials_token_is_renewed_before_the_call() {
    let env = Env::start().await;
    let c = env.client();
    let mut t = c.sign_in_with_client_credentials().await.unwrap();
    // The client knows the token is over (e.g. kept from a run 100 h ago): it asks for a new
    // one first instead of spending a call on a 401.
    t.expires_at = Some(unix_now() - 10);
    c.set_tokens(t.clone());
    env.reset_stats().await;
    c.private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap();
    let stats = env.stats().await;
    assert_eq!(stats["total"], 2, "{stats}");
    assert_eq!(stats["tokens_issued"], 1);
    assert_ne!(c.tokens().unwrap().access_token, t.access_token);
}

#[tokio::test]
async fn refresh_and_revoke() {
    let env = Env::start().await;
    let c = env.signed_in().await;
    let first = c.tokens().unwrap();
    let second = c.refresh().await.unwrap();
    assert_eq!(second.grant, Grant::Password, "a refresh keeps the grant");
    assert_ne!(second.access_token, first.access_token);
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_eq!(
        env.token_status(first.refresh_token.as_ref().unwrap())
            .await,
        "revoked"
    );
    assert_eq!(c.tokens().unwrap(), second);
    assert_eq!(env.stats().await["token_refreshes"], 1);

    // Sign-out revokes the refresh token, which takes its access token with it.
    c.sign_out().await.unwrap();
    assert!(c.tokens().is_none());
    assert_eq!(
        env.token_status(second.refresh_token.as_ref().unwrap())
            .await,
        "revoked"
    );
    assert_eq!(env.token_status(&second.access_token).await, "revoked");
    assert!(matches!(
        c.private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
            .await,
        Err(Error::NotSignedIn)
    ));
    // Revoking an unknown token is fine (RFC 7009).
    c.revoke(&Secret::new("nothing-like-this")).await.unwrap();

    // A revoked session left in a client is not renewed forever: the spent refresh token ends it.
    c.set_tokens(second);
    let e = c
        .private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unauthorized {
                credential: Credential::AccessToken
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn refused_sign_ins_are_typed_and_never_show_a_secret() {
    let env = Env::start().await;
    let c = env.client();
    let mut shown = Vec::new();

    let e = c
        .sign_in_with_password(
            demo::TWO_FACTOR_USERNAME,
            &Secret::new(demo::TWO_FACTOR_PASSWORD),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::TwoFactorNotSupported), "{e:?}");
    assert!(e.to_string().contains("authorization code"), "{e}");
    shown.push(e);

    let e = c
        .sign_in_with_password(demo::USERNAME, &Secret::new("wrong-password-123"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidGrant), "{e:?}");
    shown.push(e);

    let mut cfg = env.config();
    cfg.api_secret = Some(Secret::new("WrongSecret0000000000000000000000"));
    let bad = TrustpilotClient::new(cfg).unwrap();
    let e = bad.sign_in_with_client_credentials().await.unwrap_err();
    assert!(matches!(e, Error::InvalidClient), "{e:?}");
    shown.push(e);

    let mut cfg = env.config();
    cfg.api_key = Secret::new("UnknownKey000000000000000000000X");
    let e = TrustpilotClient::new(cfg)
        .unwrap()
        .find_business_unit(demo::DOMAIN)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unauthorized {
                credential: Credential::ApiKey
            }
        ),
        "{e:?}"
    );
    shown.push(e);

    let signed = env.signed_in().await;
    let tokens = signed.tokens().unwrap();
    let e = signed
        .private_reviews_page(demo::SECOND_BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unauthorized {
                credential: Credential::AccessToken
            }
        ),
        "{e:?}"
    );
    shown.push(e);
    let e = signed
        .private_reviews_page(
            demo::BUSINESS_UNIT_ID,
            &ReviewQuery {
                reference_id: Some(String::new()),
                ..ReviewQuery::default()
            },
            1,
        )
        .await;
    if let Err(e) = e {
        shown.push(e);
    }

    let secrets = [
        demo::API_KEY.to_owned(),
        demo::API_SECRET.to_owned(),
        demo::PASSWORD.to_owned(),
        tokens.access_token.expose().to_owned(),
        tokens.refresh_token.unwrap().expose().to_owned(),
    ];
    for e in &shown {
        let text = format!("{e} / {e:?}");
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "{text}");
        }
    }
}

#[tokio::test]
async fn too_frequent_authentication_is_a_typed_error_and_not_retried() {
    let env = Env::start_with(SandboxConfig {
        reviews: 10,
        second_shop_reviews: 10,
        trustpilot_reviews: 10,
        trustpilot_second_reviews: 10,
        trustpilot_auth_per_minute: 2,
        ..SandboxConfig::default()
    })
    .await;
    let c = env.client();
    c.sign_in_with_client_credentials().await.unwrap();
    c.sign_in_with_client_credentials().await.unwrap();
    let e = c.sign_in_with_client_credentials().await.unwrap_err();
    assert!(matches!(e, Error::AuthTooFrequent), "{e:?}");
    assert!(env.slept().is_empty(), "no retry: {:?}", env.slept());
    assert_eq!(
        env.hits("/v1/oauth/oauth-business-users-for-applications/accesstoken")
            .await,
        3
    );
}

// ---- Retries --------------------------------------------------------------------------------

#[tokio::test]
async fn rate_limits_and_unavailability_are_retried_within_bounds() {
    let env = Env::start().await;
    let c = env.signed_in().await;
    let q = ReviewQuery::default();

    env.fault(
        json!({"kind": "rate_limit", "count": 2, "retry_after": 3, "path_prefix": reviews_path()}),
    )
    .await;
    c.private_reviews_page(demo::BUSINESS_UNIT_ID, &q, 1)
        .await
        .unwrap();
    assert_eq!(
        env.slept(),
        [Duration::from_secs(3); 2],
        "the server's Retry-After"
    );

    env.slept.lock().unwrap().clear();
    env.fault(json!({"kind": "status", "status": 503, "count": 1, "path_prefix": reviews_path()}))
        .await;
    c.private_reviews_page(demo::BUSINESS_UNIT_ID, &q, 1)
        .await
        .unwrap();
    let slept = env.slept();
    assert_eq!(slept.len(), 1);
    assert!(
        slept[0] >= Duration::from_millis(250) && slept[0] <= Duration::from_millis(500),
        "{slept:?}"
    );

    // A 500 is not retried at once (the docs say: try again in 5-15 minutes).
    env.slept.lock().unwrap().clear();
    env.fault(json!({"kind": "status", "status": 500, "count": 1, "path_prefix": reviews_path()}))
        .await;
    let e = c
        .private_reviews_page(demo::BUSINESS_UNIT_ID, &q, 1)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Server { status: 500 }), "{e:?}");
    assert!(env.slept().is_empty());

    // A rate limit that does not end: four attempts, then the typed error.
    env.reset_stats().await;
    env.fault(
        json!({"kind": "rate_limit", "count": 0, "retry_after": 1, "path_prefix": reviews_path()}),
    )
    .await;
    let e = c
        .private_reviews_page(demo::BUSINESS_UNIT_ID, &q, 1)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::RateLimited {
                retry_after: Some(_)
            }
        ),
        "{e:?}"
    );
    assert_eq!(env.hits(&reviews_path()).await, 4);
    env.ctl(reqwest::Method::DELETE, "/__sandbox/faults", None)
        .await;

    // A cut-off answer to a read is asked again.
    env.slept.lock().unwrap().clear();
    env.fault(json!({"kind": "malformed", "count": 1, "path_prefix": reviews_path()}))
        .await;
    let page = c
        .private_reviews_page(demo::BUSINESS_UNIT_ID, &q, 1)
        .await
        .unwrap();
    assert_eq!(page.reviews.len(), 100);
    assert_eq!(env.slept().len(), 1);
}

// ---- 401 renewal ----------------------------------------------------------------------------

#[tokio::test]
async fn a_token_expiring_mid_paging_is_refreshed_once_and_the_walk_completes() {
    let env = Env::start().await;
    let c = env.signed_in().await;
    let renewed = Arc::new(Mutex::new(0));
    let n = renewed.clone();
    c.set_token_listener(move |_| *n.lock().unwrap() += 1);
    // Two pages pass, the third meets an expired token.
    env.fault(json!({"kind": "expire_tokens", "after": 2, "path_prefix": "/v1/private/"}))
        .await;
    let all = c
        .private_reviews(
            demo::BUSINESS_UNIT_ID,
            ReviewQuery {
                order_by: Some(OrderBy::CreatedAtAsc),
                ..ReviewQuery::default()
            },
        )
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), REVIEWS);
    let ids: HashSet<&str> = all.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), REVIEWS);
    assert!(all.windows(2).all(|w| w[0].created_at <= w[1].created_at));
    let stats = env.stats().await;
    assert_eq!(stats["token_refreshes"], 1, "{stats}");
    // Three pages and the one refused call.
    assert_eq!(stats["per_path"][reviews_path()], 4, "{stats}");
    assert_eq!(*renewed.lock().unwrap(), 1);
}

#[tokio::test]
async fn concurrent_calls_refused_together_share_one_refresh() {
    let env = Env::start().await;
    let c = env.signed_in().await;
    let ids: Vec<String> = c
        .private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap()
        .reviews
        .into_iter()
        .take(8)
        .map(|r| r.id)
        .collect();
    env.fault(json!({"kind": "expire_tokens"})).await;
    let calls = ids.iter().map(|id| {
        let c = c.clone();
        let id = id.clone();
        tokio::spawn(async move { c.private_review(&id).await })
    });
    for r in futures::future::join_all(calls).await {
        r.unwrap().unwrap();
    }
    assert_eq!(env.stats().await["token_refreshes"], 1);
}

// ---- The CDN's HTML 403 ---------------------------------------------------------------------

#[tokio::test]
async fn a_request_without_a_user_agent_meets_the_cdn_and_the_client_says_so() {
    let env = Env::start().await;
    // Plain reqwest sends no User-Agent at all: the sandbox's CDN answers an HTML 403.
    let raw = reqwest::Client::new()
        .get(format!(
            "{}/v1/business-units/find?name={}",
            env.sb.trustpilot().api_url(),
            demo::DOMAIN
        ))
        .header("apikey", demo::API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 403);
    assert!(raw.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(raw.text().await.unwrap().contains("CloudFront"));

    // The client refuses to be built without one; with a User-Agent the CDN also refuses
    // (Python's default), it maps the page to its own error, not to a sign-in problem.
    let mut cfg = env.config();
    cfg.user_agent = String::new();
    assert!(matches!(TrustpilotClient::new(cfg), Err(Error::Config(_))));
    let mut cfg = env.config();
    cfg.user_agent = "Python-urllib/3.11".into();
    let c = TrustpilotClient::new(cfg).unwrap();
    let e = c.find_business_unit(demo::DOMAIN).await.unwrap_err();
    assert!(matches!(e, Error::BlockedByCdn), "{e:?}");
    assert!(e.to_string().contains("User-Agent"));
    let e = c.sign_in_with_client_credentials().await.unwrap_err();
    assert!(matches!(e, Error::BlockedByCdn), "{e:?}");
    assert!(env.slept().is_empty(), "a CDN block is not retried");
}

// ---- Paging and filters ---------------------------------------------------------------------

#[tokio::test]
async fn paging_stops_on_a_missing_next_link_a_short_page_or_an_empty_one() {
    let env = Env::start().await;
    let c = env.signed_in().await;
    let env = &env;
    let walk = |q: ReviewQuery| {
        let c = c.clone();
        async move {
            env.reset_stats().await;
            let all = c
                .private_reviews(demo::BUSINESS_UNIT_ID, q)
                .collect_all()
                .await
                .unwrap();
            (all.len(), env.hits(&reviews_path()).await)
        }
    };
    // 300 reviews, 100 a page: the third page is full but has no next-page link, so there is
    // no fourth call.
    assert_eq!(walk(ReviewQuery::default()).await, (REVIEWS, 3));
    // 300 in pages of 70: the fifth is short (20).
    assert_eq!(
        walk(ReviewQuery {
            per_page: 70,
            ..ReviewQuery::default()
        })
        .await,
        (REVIEWS, 5)
    );
    // Nothing matches: one empty page.
    assert_eq!(
        walk(ReviewQuery {
            reference_id: Some("no-such-order".into()),
            ..ReviewQuery::default()
        })
        .await,
        (0, 1)
    );
    // perPage above 100 is sent as 100.
    assert_eq!(
        walk(ReviewQuery {
            per_page: 1000,
            ..ReviewQuery::default()
        })
        .await,
        (REVIEWS, 3)
    );
    // A page past the end is empty and says there is nothing next.
    let past = c
        .private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 9)
        .await
        .unwrap();
    assert!(past.reviews.is_empty() && !past.has_next(100));
    // The pager tells where it is.
    let mut pager = c.private_reviews(demo::BUSINESS_UNIT_ID, ReviewQuery::default());
    assert_eq!(pager.next_page_number(), Some(1));
    pager.next_page().await.unwrap();
    assert_eq!(pager.next_page_number(), Some(2));
}

#[tokio::test]
async fn filters_and_sorts_are_served_by_trustpilot() {
    let env = Env::start().await;
    let c = env.signed_in().await;
    let all = c
        .private_reviews(demo::BUSINESS_UNIT_ID, ReviewQuery::default())
        .collect_all()
        .await
        .unwrap();
    let get = |q: ReviewQuery| {
        let c = c.clone();
        async move {
            c.private_reviews(demo::BUSINESS_UNIT_ID, q)
                .collect_all()
                .await
                .unwrap()
        }
    };
    let base = ReviewQuery::default;

    let low = get(ReviewQuery {
        stars: vec![1, 2],
        ..base()
    })
    .await;
    assert_eq!(low.len(), all.iter().filter(|r| r.stars <= 2).count());
    assert!(!low.is_empty() && low.iter().all(|r| r.stars <= 2));

    let de = get(ReviewQuery {
        language: vec!["de".into()],
        ..base()
    })
    .await;
    assert_eq!(de.len(), all.iter().filter(|r| r.language == "de").count());
    assert!(!de.is_empty());

    let awaiting = get(ReviewQuery {
        responded: Some(false),
        ..base()
    })
    .await;
    assert_eq!(
        awaiting.len(),
        all.iter().filter(|r| !r.has_reply()).count()
    );
    let replied = get(ReviewQuery {
        responded: Some(true),
        ..base()
    })
    .await;
    assert_eq!(replied.len() + awaiting.len(), all.len());
    assert!(replied.iter().all(|r| r
        .company_reply
        .as_ref()
        .is_some_and(|x| x.created_at.is_some())));

    let reported = get(ReviewQuery {
        reported: Some(true),
        ..base()
    })
    .await;
    assert!(!reported.is_empty());
    assert!(reported
        .iter()
        .all(|r| r.status == ReviewStatus::Reported && r.report_data.is_some()));

    let tagged = all.iter().find(|r| !r.tags.is_empty()).unwrap();
    let tag = tagged.tags[0].clone();
    let with_tag = get(ReviewQuery {
        tag_group: Some(tag.group.clone()),
        tag_value: Some(tag.value.to_uppercase()),
        ignore_tag_value_case: Some(true),
        ..base()
    })
    .await;
    assert!(with_tag.iter().any(|r| r.id == tagged.id));
    assert!(with_tag.iter().all(|r| r
        .tags
        .iter()
        .any(|t| t.group == tag.group && t.value.eq_ignore_ascii_case(&tag.value))));

    let invited = all
        .iter()
        .find(|r| r.reference_id.is_some() && r.referral_email.is_some())
        .unwrap();
    let by_ref = get(ReviewQuery {
        reference_id: invited.reference_id.clone(),
        ..base()
    })
    .await;
    assert!(by_ref.iter().any(|r| r.id == invited.id));
    let by_email = get(ReviewQuery {
        referral_email: invited.referral_email.as_ref().map(|e| e.to_uppercase()),
        ..base()
    })
    .await;
    assert!(by_email.iter().any(|r| r.id == invited.id));

    let mut times: Vec<i64> = all.iter().filter_map(|r| r.created_at).collect();
    times.sort_unstable();
    let (from, to) = (times[50], times[150]);
    let window = get(ReviewQuery {
        start_date_time: Some(from),
        end_date_time: Some(to),
        ..base()
    })
    .await;
    assert_eq!(
        window.len(),
        times.iter().filter(|&&t| t >= from && t < to).count()
    );

    let asc = get(ReviewQuery {
        order_by: Some(OrderBy::CreatedAtAsc),
        ..base()
    })
    .await;
    assert!(asc.windows(2).all(|w| w[0].created_at <= w[1].created_at));
    let desc = get(base()).await;
    assert!(
        desc.windows(2).all(|w| w[0].created_at >= w[1].created_at),
        "createdat.desc is the default"
    );
    let stars = get(ReviewQuery {
        order_by: Some(OrderBy::StarsDesc),
        ..base()
    })
    .await;
    assert!(stars.windows(2).all(|w| w[0].stars >= w[1].stars));
}

// ---- Replies --------------------------------------------------------------------------------

#[tokio::test]
async fn reply_then_delete_it() {
    let env = Env::start().await;
    let c = env.signed_in().await;
    let id = c
        .private_reviews(
            demo::BUSINESS_UNIT_ID,
            ReviewQuery {
                responded: Some(false),
                ..ReviewQuery::default()
            },
        )
        .next_page()
        .await
        .unwrap()
        .unwrap()[0]
        .id
        .clone();
    let reply = NewReply {
        message: "Thank you for telling us.".into(),
        author_business_user_id: None,
        submitted_at: Some(1_780_000_000),
    };
    c.reply(&id, &reply).await.unwrap();
    // Posting again replaces the one reply.
    c.reply(
        &id,
        &NewReply {
            message: "Thank you!".into(),
            ..reply.clone()
        },
    )
    .await
    .unwrap();
    let r = c.private_review(&id).await.unwrap();
    let got = r.company_reply.unwrap();
    assert_eq!(got.text, "Thank you!");
    assert_eq!(got.created_at, Some(1_780_000_000));
    assert_eq!(
        got.author_business_user_id.as_deref(),
        Some(demo::BUSINESS_USER_ID)
    );
    c.delete_reply(&id).await.unwrap();
    assert!(!c.private_review(&id).await.unwrap().has_reply());
    assert!(matches!(c.delete_reply(&id).await, Err(Error::NotFound)));
    assert!(matches!(
        c.reply(
            &id,
            &NewReply {
                message: "  ".into(),
                ..reply
            }
        )
        .await,
        Err(Error::Validation { .. })
    ));
}

#[tokio::test]
async fn tags_are_added_replaced_and_removed_with_their_own_verbs() {
    let env = Env::start().await;
    let c = env.signed_in().await;
    let page = c
        .private_reviews(demo::BUSINESS_UNIT_ID, ReviewQuery::default())
        .next_page()
        .await
        .unwrap()
        .unwrap();
    let id = page.iter().find(|r| r.tags.is_empty()).unwrap().id.clone();
    let tag = |g: &str, v: &str| Tag {
        group: g.into(),
        value: v.into(),
    };
    let path = format!("/v1/private/reviews/{id}/tags");
    // PUT adds: a 503 on the first try is retried (adding twice changes nothing).
    env.fault(json!({"kind": "status", "status": 503, "count": 1, "path_prefix": path}))
        .await;
    c.add_tags(&id, &[tag("generic", "Late parcel")])
        .await
        .unwrap();
    c.add_tags(
        &id,
        &[tag("generic", "Late parcel"), tag("Channel", "Shopify")],
    )
    .await
    .unwrap();
    assert_eq!(
        c.review_tags(&id).await.unwrap(),
        vec![tag("generic", "Late parcel"), tag("Channel", "Shopify")]
    );
    assert_eq!(c.private_review(&id).await.unwrap().tags.len(), 2);
    // DELETE removes the one named; a token expiring just before it is refreshed once.
    env.fault(json!({"kind": "expire_tokens", "after": 0, "path_prefix": path}))
        .await;
    c.remove_tag(&id, &tag("generic", "Late parcel"))
        .await
        .unwrap();
    assert_eq!(
        c.review_tags(&id).await.unwrap(),
        vec![tag("Channel", "Shopify")]
    );
    // POST replaces them all.
    c.replace_tags(&id, &[tag("generic", "Test")])
        .await
        .unwrap();
    assert_eq!(
        c.review_tags(&id).await.unwrap(),
        vec![tag("generic", "Test")]
    );
    // The verbs the sandbox saw, in order, for this review's tags.
    let log = env
        .ctl(reqwest::Method::GET, "/__sandbox/requests", None)
        .await;
    let verbs: Vec<&str> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == path.as_str() && r["method"] != "GET")
        .map(|r| r["method"].as_str().unwrap())
        .collect();
    assert_eq!(verbs, ["PUT", "PUT", "PUT", "DELETE", "DELETE", "POST"]);
    // A tag without a value is refused before any call.
    assert!(matches!(
        c.add_tags(&id, &[tag("generic", " ")]).await,
        Err(Error::Validation { .. })
    ));
}

// ---- The call budget ------------------------------------------------------------------------

#[tokio::test]
async fn the_call_budget_spaces_calls_and_counts_every_kind() {
    let env = Env::start().await;
    let clock = Arc::new(ManualClock::new());
    let waits = Arc::new(Mutex::new(Vec::new()));
    let (w, ck) = (waits.clone(), clock.clone());
    let mut cfg = env.config();
    cfg.budget = Arc::new(CallBudget::new(2, Duration::from_secs(60), clock.clone()));
    // Waiting moves the fake clock, as real sleeping moves the real one.
    cfg.retry.sleeper = Sleeper::new(move |d| {
        w.lock().unwrap().push(d);
        ck.advance(d);
        Box::pin(async {})
    });
    let c = TrustpilotClient::new(cfg).unwrap();
    c.sign_in_with_client_credentials().await.unwrap(); // token call: counts too
    c.find_business_unit(demo::DOMAIN).await.unwrap();
    c.business_unit(demo::BUSINESS_UNIT_ID).await.unwrap(); // 3rd in 60 s: waits
    c.private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap();
    c.private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 2)
        .await
        .unwrap(); // waits
    assert_eq!(*waits.lock().unwrap(), [Duration::from_secs(60); 2]);
    assert_eq!(clock.now(), Duration::from_secs(120));
}

// ---- Invitations host -----------------------------------------------------------------------

#[tokio::test]
async fn invitation_links_go_to_the_invitations_host() {
    let env = Env::start().await;
    let c = env.client();
    c.sign_in_with_client_credentials().await.unwrap();
    let link = reviewdesk_trustpilot::NewInvitationLink {
        email: "jane@example.com".into(),
        name: "Jane".into(),
        reference_id: Some("1042".into()),
        tags: vec![reviewdesk_trustpilot::Tag {
            group: "generic".into(),
            value: "Shopify".into(),
        }],
        ..Default::default()
    };
    // With client credentials the business user must be named.
    let e = c
        .create_invitation_link(demo::BUSINESS_UNIT_ID, &link, None)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Validation { .. }), "{e:?}");
    assert!(!e.to_string().contains("jane@example.com"));
    let made = c
        .create_invitation_link(demo::BUSINESS_UNIT_ID, &link, Some(demo::BUSINESS_USER_ID))
        .await
        .unwrap();
    assert!(
        reviewdesk_trustpilot::wire::is_object_id(&made.id),
        "{made:?}"
    );
    assert!(made.url.ends_with(&made.id));
    let recorded = env
        .ctl(reqwest::Method::GET, "/__sandbox/state/invitations", None)
        .await;
    let text = recorded.to_string();
    assert!(
        text.contains("1042") && text.contains(demo::BUSINESS_USER_ID),
        "{text}"
    );
}

#[tokio::test]
async fn email_invitations_use_a_listed_template_and_a_plan_without_the_api_is_forbidden() {
    let env = Env::start().await;
    let c = env.signed_in().await;
    let templates = c
        .invitation_templates(demo::BUSINESS_UNIT_ID, None)
        .await
        .unwrap();
    assert!(templates.len() >= 2, "{templates:?}");
    let default = templates.iter().find(|t| t.is_default_template).unwrap();
    let other = templates.iter().find(|t| !t.is_default_template).unwrap();
    assert!(!default.name.is_empty());
    let invitation = reviewdesk_trustpilot::NewEmailInvitation {
        consumer_email: "ana@example.com".into(),
        consumer_name: "Ana".into(),
        reference_number: "#1077".into(),
        template_id: Some(other.id.clone()),
        preferred_send_time: Some(1_790_000_000),
        ..Default::default()
    };
    c.send_email_invitation(demo::BUSINESS_UNIT_ID, &invitation, None)
        .await
        .unwrap();
    let recorded = env
        .ctl(reqwest::Method::GET, "/__sandbox/state/invitations", None)
        .await;
    let sent = recorded["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "email-invitation")
        .unwrap()
        .clone();
    assert_eq!(sent["consumerEmail"], "ana@example.com");
    assert_eq!(sent["referenceNumber"], "#1077");
    assert_eq!(sent["type"], "email");
    assert_eq!(
        sent["serviceReviewInvitation"]["templateId"],
        other.id.as_str()
    );
    assert_eq!(
        sent["serviceReviewInvitation"]["preferredSendTime"],
        "2026-09-21T14:13:20"
    );
    assert_eq!(sent["businessUserId"], demo::BUSINESS_USER_ID);
    // A plan without the Invitation API: each invitations call is Forbidden, nothing retried.
    env.ctl(
        reqwest::Method::POST,
        "/__sandbox/state/plan",
        Some(json!({"invitations": false})),
    )
    .await;
    env.reset_stats().await;
    assert!(matches!(
        c.invitation_templates(demo::BUSINESS_UNIT_ID, None).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        c.send_email_invitation(demo::BUSINESS_UNIT_ID, &invitation, None)
            .await,
        Err(Error::Forbidden)
    ));
    let link = reviewdesk_trustpilot::NewInvitationLink {
        email: "ana@example.com".into(),
        name: "Ana".into(),
        ..Default::default()
    };
    assert!(matches!(
        c.create_invitation_link(demo::BUSINESS_UNIT_ID, &link, None)
            .await,
        Err(Error::Forbidden)
    ));
}

// ---- Product reviews ------------------------------------------------------------------------

/// Product reviews seeded for the demo unit (a fifth of its 300 service reviews).
const PRODUCT_REVIEWS: usize = 60;

impl Env {
    /// How many create-conversation requests the API host saw (its request log).
    async fn create_conversation_requests(&self) -> usize {
        let log = self
            .ctl(reqwest::Method::GET, "/__sandbox/requests", None)
            .await;
        log["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| {
                r["method"] == "POST"
                    && r["path"]
                        .as_str()
                        .is_some_and(|p| p.ends_with("/create-conversation"))
            })
            .count()
    }
}

/// Every product review of the demo unit, whatever its state.
async fn every_product_review(c: &TrustpilotClient) -> Vec<reviewdesk_trustpilot::ProductReview> {
    c.private_product_reviews(demo::BUSINESS_UNIT_ID, ProductReviewQuery::every_state())
        .collect_all()
        .await
        .unwrap()
}

#[tokio::test]
async fn product_reviews_are_paged_and_filtered_by_state_and_sku() {
    let env = Env::start().await;
    let c = env.signed_in().await;
    // Small pages walk by the next-page links to the end, every review once.
    let mut pager = c.private_product_reviews(
        demo::BUSINESS_UNIT_ID,
        ProductReviewQuery {
            per_page: 7,
            ..ProductReviewQuery::every_state()
        },
    );
    let mut all = Vec::new();
    let mut pages = 0;
    while let Some(page) = pager.next_page().await.unwrap() {
        all.extend(page);
        pages += 1;
    }
    assert_eq!(all.len(), PRODUCT_REVIEWS);
    assert_eq!(pages, PRODUCT_REVIEWS.div_ceil(7));
    let ids: HashSet<&str> = all.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), PRODUCT_REVIEWS);
    assert!(all.windows(2).all(|w| w[0].created_at >= w[1].created_at));
    for state in ProductReviewState::ALL {
        assert!(all.iter().any(|r| r.state == state), "{state:?}");
    }
    // Trustpilot's default is published only.
    let published = c
        .private_product_reviews(demo::BUSINESS_UNIT_ID, ProductReviewQuery::default())
        .collect_all()
        .await
        .unwrap();
    assert!(published
        .iter()
        .all(|r| r.state == ProductReviewState::Published));
    assert_eq!(
        published.len(),
        all.iter()
            .filter(|r| r.state == ProductReviewState::Published)
            .count()
    );
    // The fields a merchant sees: product, consumer, attachments with files, attributes.
    let r = &all[0];
    assert_eq!(r.business_unit_id, demo::BUSINESS_UNIT_ID);
    assert!((1..=5).contains(&r.stars) && !r.content.is_empty());
    assert!(r.consumer.email.is_some() && !r.consumer.name.is_empty());
    let sku = r.product.as_ref().unwrap().sku.clone().unwrap();
    let with_image = all.iter().find(|r| !r.attachments.is_empty()).unwrap();
    let file = with_image.attachments[0].largest().unwrap();
    assert!(file.pixel_size().is_some() && file.url.starts_with("http"));
    assert!(all.iter().any(|r| r
        .attribute_ratings
        .iter()
        .any(|a| a.chosen_option().is_some())));
    let by_sku = c
        .private_product_reviews(
            demo::BUSINESS_UNIT_ID,
            ProductReviewQuery {
                sku: Some(sku.clone()),
                ..ProductReviewQuery::every_state()
            },
        )
        .collect_all()
        .await
        .unwrap();
    assert!(!by_sku.is_empty());
    assert!(by_sku
        .iter()
        .all(|r| r.product.as_ref().and_then(|p| p.sku.as_deref()) == Some(sku.as_str())));
    // One review by id is the listed one.
    assert_eq!(c.private_product_review(&r.id).await.unwrap(), *r);
    assert!(matches!(
        c.private_product_review("000000000000000000000000").await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn replying_to_a_product_review_creates_its_conversation_only_when_missing() {
    let env = Env::start().await;
    let c = env.signed_in().await;
    let all = every_product_review(&c).await;
    let fresh = all
        .iter()
        .find(|r| r.conversation_id.is_none() && r.state == ProductReviewState::Published)
        .unwrap();
    let answered = all.iter().find(|r| r.conversation_id.is_some()).unwrap();
    env.reset_stats().await;

    // No conversation yet: one is created, then the comment posted in it.
    let first = c
        .reply_to_product_review(&fresh.id, "Thank you for the review!", None)
        .await
        .unwrap();
    assert!(first.created_conversation);
    assert_eq!(env.create_conversation_requests().await, 1);
    assert_eq!(first.comment.content, "Thank you for the review!");
    assert_eq!(
        first.comment.author.as_ref().unwrap().id,
        demo::BUSINESS_USER_ID
    );
    assert!(first.comment.is_from_business());
    // The review now names it, and a second reply goes to the same conversation.
    let again = c
        .reply_to_product_review(&fresh.id, "One more thing: enjoy it!", None)
        .await
        .unwrap();
    assert!(!again.created_conversation);
    assert_eq!(again.conversation_id, first.conversation_id);
    assert_eq!(env.create_conversation_requests().await, 1);
    let conversation = c.conversation(&first.conversation_id).await.unwrap();
    assert_eq!(conversation.source_id.as_deref(), Some(fresh.id.as_str()));
    assert_eq!(conversation.source.as_deref(), Some("Product reviews"));
    assert_eq!(conversation.business_unit_id, demo::BUSINESS_UNIT_ID);
    let texts: Vec<&str> = conversation
        .comments
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(
        texts,
        ["Thank you for the review!", "One more thing: enjoy it!"]
    );
    // A review answered before (seeded conversation): no create-conversation at all.
    let reply = c
        .reply_to_product_review(&answered.id, "Glad you like it.", None)
        .await
        .unwrap();
    assert!(!reply.created_conversation);
    assert_eq!(Some(reply.conversation_id), answered.conversation_id);
    assert_eq!(env.create_conversation_requests().await, 1);
    // An empty reply is refused before any call.
    env.reset_stats().await;
    assert!(matches!(
        c.reply_to_product_review(&fresh.id, "  ", None).await,
        Err(Error::Validation { .. })
    ));
    assert_eq!(env.stats().await["total"], 0);
}

#[tokio::test]
async fn a_comment_is_read_updated_and_the_conversation_made_private() {
    let env = Env::start().await;
    let c = env.signed_in().await;
    let fresh = every_product_review(&c)
        .await
        .into_iter()
        .find(|r| r.conversation_id.is_none())
        .unwrap();
    let cid = c.create_conversation(&fresh.id).await.unwrap();
    let posted = c
        .post_comment(
            &cid,
            &NewComment {
                content: "Thanks!".into(),
                integration_id: Some("reviewdesk".into()),
            },
            None,
        )
        .await
        .unwrap();
    let read = c.comment(&cid, &posted.comment_id).await.unwrap();
    assert_eq!((read.content.as_str(), read.updated_at), ("Thanks!", None));
    c.update_comment(
        &cid,
        &posted.comment_id,
        &NewComment::new("Thank you, enjoy it!"),
    )
    .await
    .unwrap();
    let read = c.comment(&cid, &posted.comment_id).await.unwrap();
    assert_eq!(read.content, "Thank you, enjoy it!");
    assert!(read.updated_at.is_some());
    assert_eq!(read.created_at, posted.created_at);
    // Private, then public again.
    c.set_conversation_state(&cid, &ConversationState::Private)
        .await
        .unwrap();
    assert_eq!(
        c.conversation(&cid).await.unwrap().state,
        ConversationState::Private
    );
    c.set_conversation_state(&cid, &ConversationState::Public)
        .await
        .unwrap();
    let conversation = c.conversation(&cid).await.unwrap();
    assert_eq!(conversation.state, ConversationState::Public);
    assert_eq!(conversation.comments.len(), 1);
    // Unknown ids are NotFound; an id that could walk the path never leaves the client.
    assert!(matches!(
        c.comment(&cid, "000000000000000000000000").await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        c.conversation("../reviews").await,
        Err(Error::Config(_))
    ));
    // With client credentials the business user must be named.
    let cc = env.client();
    cc.sign_in_with_client_credentials().await.unwrap();
    let e = cc
        .post_comment(&cid, &NewComment::new("From the team"), None)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Validation { .. }), "{e:?}");
    let posted = cc
        .post_comment(
            &cid,
            &NewComment::new("From the team"),
            Some(demo::BUSINESS_USER_ID),
        )
        .await
        .unwrap();
    assert_eq!(posted.author.unwrap().id, demo::BUSINESS_USER_ID);
}

#[tokio::test]
async fn a_token_expiring_mid_reply_is_refreshed_once_and_the_conversation_made_once() {
    let env = Env::start().await;
    let c = env.signed_in().await;
    let fresh = every_product_review(&c)
        .await
        .into_iter()
        .find(|r| r.conversation_id.is_none())
        .unwrap();
    env.reset_stats().await;
    // Reading the review passes; create-conversation meets an expired token.
    env.fault(json!({"kind": "expire_tokens", "after": 1, "path_prefix": "/v1/private/"}))
        .await;
    let reply = c
        .reply_to_product_review(&fresh.id, "Thanks for the review!", None)
        .await
        .unwrap();
    assert!(reply.created_conversation);
    let stats = env.stats().await;
    assert_eq!(stats["token_refreshes"], 1, "{stats}");
    // The refused create and the one that landed; one conversation with one comment.
    assert_eq!(env.create_conversation_requests().await, 2);
    let review = c.private_product_review(&fresh.id).await.unwrap();
    assert_eq!(
        review.conversation_id.as_deref(),
        Some(reply.conversation_id.as_str())
    );
    let conversation = c.conversation(&reply.conversation_id).await.unwrap();
    assert_eq!(conversation.comments.len(), 1);
}

#[tokio::test]
async fn a_503_on_posting_a_comment_is_not_retried() {
    let env = Env::start().await;
    let c = env.signed_in().await;
    let answered = every_product_review(&c)
        .await
        .into_iter()
        .find(|r| r.conversation_id.is_some())
        .unwrap();
    let cid = answered.conversation_id.unwrap();
    let before = c.conversation(&cid).await.unwrap().comments.len();
    let comments = format!("/v1/private/conversations/{cid}/comments");
    env.reset_stats().await;
    env.slept.lock().unwrap().clear();
    env.fault(json!({"kind": "status", "status": 503, "count": 1, "path_prefix": comments}))
        .await;
    let e = c
        .post_comment(&cid, &NewComment::new("Thanks!"), None)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Server { status: 503 }), "{e:?}");
    assert_eq!(env.hits(&comments).await, 1);
    assert!(env.slept().is_empty(), "{:?}", env.slept());
    assert_eq!(c.conversation(&cid).await.unwrap().comments.len(), before);
    // The same 503 on updating a comment is retried (the same text twice changes nothing).
    let posted = c
        .post_comment(&cid, &NewComment::new("Thanks!"), None)
        .await
        .unwrap();
    let one = format!("{comments}/{}", posted.comment_id);
    env.fault(json!({"kind": "status", "status": 503, "count": 1, "path_prefix": one}))
        .await;
    c.update_comment(&cid, &posted.comment_id, &NewComment::new("Thank you!"))
        .await
        .unwrap();
    assert_eq!(env.hits(&one).await, 2);
    assert_eq!(
        c.comment(&cid, &posted.comment_id).await.unwrap().content,
        "Thank you!"
    );
}

#[tokio::test]
async fn a_lost_create_conversation_answer_is_not_sent_again_the_review_says_it_landed() {
    let env = Env::start().await;
    let c = env.signed_in().await;
    let fresh = every_product_review(&c)
        .await
        .into_iter()
        .find(|r| r.conversation_id.is_none())
        .unwrap();
    env.reset_stats().await;
    // The conversation is made, but its answer is cut off on the way back.
    env.fault(json!({
        "kind": "cut",
        "count": 1,
        "path_prefix": format!("/v1/private/product-reviews/{}/create-conversation", fresh.id),
    }))
    .await;
    let reply = c
        .reply_to_product_review(&fresh.id, "Thanks for the review!", None)
        .await
        .unwrap();
    assert!(reply.created_conversation);
    assert_eq!(env.create_conversation_requests().await, 1);
    let review = c.private_product_review(&fresh.id).await.unwrap();
    assert_eq!(
        review.conversation_id.as_deref(),
        Some(reply.conversation_id.as_str())
    );
    assert_eq!(
        c.conversation(&reply.conversation_id)
            .await
            .unwrap()
            .comments
            .len(),
        1
    );
}
