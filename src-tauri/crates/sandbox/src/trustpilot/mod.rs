//! The Trustpilot half of the sandbox: an offline emulator of the Trustpilot Business APIs a
//! merchant tool uses (OAuth token endpoints, the authenticate page, business units, private
//! service reviews, replies and tags, product reviews and their conversations).
//!
//! Trustpilot serves three hosts: `api.trustpilot.com` (everything under `/v1`),
//! `authenticate.trustpilot.com` (the sign-in page, at `/`) and `invitations-api.trustpilot.com`.
//! The sandbox gives each its own loopback listener, so a client with three injectable base
//! URLs builds exactly the paths it builds in production (the page is at `/`, not under a
//! prefix), and a call sent to the wrong host fails here as it would there. What the reference
//! (`../shared/reference/trustpilot-api.md`) marks SEEN is built as seen; every UNKNOWN follows
//! `CHOICES-trustpilot.md` beside this crate.

pub mod api;
pub mod control;
pub mod data;
pub mod invitations;
pub mod oauth;
pub(crate) mod pools;
pub mod product_api;
pub mod products;
pub mod render;
pub mod tags;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::control::{self as shared, FaultHost};
use crate::state::{lock, Fault, Stats, TokenKind};
use crate::util::Rng;
use crate::SandboxConfig;

use data::{App, Business, BusinessUnit, BusinessUser};

/// Well-known identities of the seeded Trustpilot world, so tests and the demo need no
/// discovery call.
pub mod demo {
    /// API key of the demo shop's application.
    pub const API_KEY: &str = "Rv7dSbxK3yTq9LmN2pWc8HfJ4aZe6UoX";
    /// API secret of that application.
    pub const API_SECRET: &str = "q2W8eR4tY6uI0oP3aS5dF7gH9jK1lZxC";
    /// The https redirect URI registered for it (loopback URIs are also accepted, sandbox only).
    pub const REDIRECT_URI: &str = "https://reviewdesk.example/trustpilot/callback";
    /// The demo business user (no two-factor sign-in).
    pub const USERNAME: &str = "owner@aurora-outfitters.com";
    /// Their password.
    pub const PASSWORD: &str = "aurora-sandbox-password";
    /// Their user id (`authorBusinessUserId`, `x-business-user-id`).
    pub const BUSINESS_USER_ID: &str = "5f8e2a1c9b3d4e7f60a1b2c3";
    /// A business user of the same business with two-factor sign-in enabled.
    pub const TWO_FACTOR_USERNAME: &str = "security@aurora-outfitters.com";
    /// Their password.
    pub const TWO_FACTOR_PASSWORD: &str = "aurora-sandbox-password";
    /// The one-time code the sandbox's sign-in page accepts for them.
    pub const TWO_FACTOR_CODE: &str = "246810";
    /// The demo shop's business unit id.
    pub const BUSINESS_UNIT_ID: &str = "5c1a7e8f2d3b4a0001f6e9d2";
    /// Its identifying name (the shop's own domain).
    pub const DOMAIN: &str = "aurora-outfitters.com";
    /// Its display name.
    pub const DISPLAY_NAME: &str = "Aurora Outfitters";
    /// The second shop's business unit (another business: the demo tokens cannot read it).
    pub const SECOND_BUSINESS_UNIT_ID: &str = "5d2b8f903e4c5b0001a7f0e3";
    /// Its identifying name.
    pub const SECOND_DOMAIN: &str = "birch-and-pine-home.com";
    /// API key of the second business's application.
    pub const SECOND_API_KEY: &str = "Bp4nH0m3Sbx8Kq2Wd6Ty1Lm9Rc5Vz7Ne";
    /// Its secret.
    pub const SECOND_API_SECRET: &str = "w9E3rT5yU7iO1pA4sD6fG8hJ0kL2zX3c";
    /// The second business's user.
    pub const SECOND_USERNAME: &str = "owner@birch-and-pine-home.com";
    /// Their password.
    pub const SECOND_PASSWORD: &str = "birch-sandbox-password";
}

/// Authorization codes live ten minutes (CHOICES-trustpilot: UNKNOWN, chosen).
pub const CODE_TTL: i64 = 600;
/// Refresh tokens live 30 days (SEEN-DOC).
pub const REFRESH_TTL: i64 = 30 * 86_400;

/// An issued token.
#[derive(Debug, Clone)]
pub struct TpToken {
    /// Access or refresh.
    pub kind: TokenKind,
    /// Index of the application it was issued to.
    pub app: usize,
    /// Business user (None for client credentials).
    pub user: Option<usize>,
    /// Business whose units the token may read.
    pub business: usize,
    /// The grant that issued it.
    pub grant: &'static str,
    /// Expiry (sandbox clock).
    pub expires_at: i64,
    /// Revoked.
    pub revoked: bool,
    /// The access token of a refresh token (None for access tokens).
    pub access: Option<String>,
}

/// An authorization code from the authenticate page.
#[derive(Debug, Clone)]
pub struct TpCode {
    /// Application.
    pub app: usize,
    /// Business user who signed in.
    pub user: usize,
    /// The redirect URI it was issued for.
    pub redirect_uri: String,
    /// Expiry.
    pub expires_at: i64,
    /// Single use.
    pub used: bool,
}

/// The mutable Trustpilot world, behind one mutex.
#[derive(Debug, Default)]
pub struct TpWorld {
    /// Businesses; 0 is the demo shop's.
    pub businesses: Vec<Business>,
    /// API applications.
    pub apps: Vec<App>,
    /// Business users.
    pub users: Vec<BusinessUser>,
    /// Business units; 0 is the demo shop's.
    pub units: Vec<BusinessUnit>,
    /// Tokens by value.
    pub tokens: HashMap<String, TpToken>,
    /// Authorization codes by value.
    pub codes: HashMap<String, TpCode>,
    /// Token requests per API key (sandbox clock), for the "too often" 429.
    pub auth_log: HashMap<usize, VecDeque<i64>>,
    /// Counter of the next review id.
    pub next_counter: u32,
    /// Invitations received by the invitations host, as sent plus who and when.
    pub invitations: Vec<serde_json::Value>,
    /// Products of every unit's catalogue.
    pub products: Vec<products::Product>,
    /// Product reviews of every unit, each unit's oldest first.
    pub product_reviews: Vec<products::ProductReview>,
    /// Conversations on product reviews.
    pub conversations: Vec<products::Conversation>,
}

impl TpWorld {
    /// Application by API key.
    pub fn app_by_key(&self, key: &str) -> Option<usize> {
        self.apps.iter().position(|a| a.key == key)
    }
    /// Business unit by id.
    pub fn unit(&self, id: &str) -> Option<usize> {
        self.units.iter().position(|u| u.id == id)
    }
    /// The unit a review id belongs to (its five naming bytes), and the review's position.
    pub fn find_review(&self, id: &str) -> Option<(usize, usize)> {
        let oid = data::parse_oid(id)?;
        let u = self.units.iter().position(|u| oid[4..9] == u.salt)?;
        Some((u, self.units[u].review_pos(&oid)?))
    }
    /// Position of a product review by id (ids of either case).
    pub fn find_product_review(&self, id: &str) -> Option<usize> {
        self.product_reviews
            .iter()
            .position(|r| r.id.eq_ignore_ascii_case(id))
    }
    /// Position of a conversation by id.
    pub fn find_conversation(&self, id: &str) -> Option<usize> {
        self.conversations
            .iter()
            .position(|c| c.id.eq_ignore_ascii_case(id))
    }
}

/// Everything behind the `Arc`.
#[derive(Debug)]
pub struct TpInner {
    /// Configuration (the `trustpilot_*` fields apply).
    pub cfg: SandboxConfig,
    /// `http://127.0.0.1:PORT` of the API host.
    pub api_base: String,
    /// `http://127.0.0.1:PORT` of the authenticate page.
    pub auth_base: String,
    /// `http://127.0.0.1:PORT` of the invitations host.
    pub invitations_base: String,
    /// World.
    pub world: Mutex<TpWorld>,
    /// Sandbox clock offset (its own: `/__sandbox/time/advance` on the Trustpilot API host).
    pub clock_offset: AtomicI64,
    /// Armed faults.
    pub faults: Mutex<Vec<Fault>>,
    /// Offline mode.
    pub offline: AtomicBool,
    /// Counters and request log.
    pub stats: Mutex<Stats>,
    /// Seeding time (ms).
    pub seed_ms: u128,
}

/// Cheap clonable handle to the Trustpilot state.
#[derive(Debug, Clone)]
pub struct TpState(pub Arc<TpInner>);

impl std::ops::Deref for TpState {
    type Target = TpInner;
    fn deref(&self) -> &TpInner {
        &self.0
    }
}

impl TpInner {
    /// Sandbox clock (unix s).
    pub fn now(&self) -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp() + self.clock_offset.load(Ordering::SeqCst)
    }
    /// Locks the world.
    pub fn world(&self) -> MutexGuard<'_, TpWorld> {
        lock(&self.world)
    }
    /// Access-token lifetime in seconds.
    pub fn token_ttl(&self) -> i64 {
        self.cfg.trustpilot_token_ttl_secs.max(1) as i64
    }
}

impl FaultHost for TpState {
    fn faults(&self) -> &Mutex<Vec<Fault>> {
        &self.0.faults
    }
    fn offline(&self) -> &AtomicBool {
        &self.0.offline
    }
    fn stats(&self) -> &Mutex<Stats> {
        &self.0.stats
    }
    fn api_prefix(&self) -> &'static str {
        "/v1/"
    }
    fn expire_access_tokens(&self) -> usize {
        let now = self.now();
        let mut w = self.world();
        let mut n = 0;
        for t in w.tokens.values_mut() {
            if t.kind == TokenKind::Access && t.expires_at > now {
                t.expires_at = now;
                n += 1;
            }
        }
        n
    }
    fn fault_response(&self, status: StatusCode, retry_after: u64) -> Response {
        let mut e = api::TpError::new(status, "Internal server error");
        if status == StatusCode::TOO_MANY_REQUESTS {
            e = api::TpError::new(status, "Too many requests");
            e.headers.push(("retry-after", retry_after.to_string()));
        }
        e.into_response()
    }
    fn malformed_body(&self) -> &'static str {
        "{\"reviews\":[{\"id\":\"5c1a7e8f2d3b4a0001f6e9d2\",\"stars\":"
    }
}

/// Builds the seeded Trustpilot world.
pub fn build_world(cfg: &SandboxConfig) -> TpWorld {
    let mut rng = Rng::new(cfg.seed ^ 0x7275_7374_7069_6c74);
    let mut counter = 0x10_0000u32;
    let users = vec![
        BusinessUser {
            id: demo::BUSINESS_USER_ID.into(),
            email: demo::USERNAME.into(),
            password: demo::PASSWORD.into(),
            name: "Maya Lindqvist".into(),
            business: 0,
            two_factor: false,
        },
        BusinessUser {
            id: "5f8e2a1c9b3d4e7f60a1b2c4".into(),
            email: demo::TWO_FACTOR_USERNAME.into(),
            password: demo::TWO_FACTOR_PASSWORD.into(),
            name: "Tom Okafor".into(),
            business: 0,
            two_factor: true,
        },
        BusinessUser {
            id: "60c3d5e7f9a1b2c3d4e5f607".into(),
            email: demo::SECOND_USERNAME.into(),
            password: demo::SECOND_PASSWORD.into(),
            name: "Ines Albrecht".into(),
            business: 1,
            two_factor: false,
        },
    ];
    let apps = vec![
        App {
            key: demo::API_KEY.into(),
            secret: demo::API_SECRET.into(),
            name: "ReviewDesk".into(),
            business: 0,
            redirect_uri: demo::REDIRECT_URI.into(),
        },
        App {
            key: demo::SECOND_API_KEY.into(),
            secret: demo::SECOND_API_SECRET.into(),
            name: "ReviewDesk (Birch & Pine)".into(),
            business: 1,
            redirect_uri: demo::REDIRECT_URI.into(),
        },
    ];
    let unit = |id: &str, salt, business, name: &str, domain: &str, shop: &str, country: &str| {
        BusinessUnit {
            id: id.into(),
            salt,
            business,
            display_name: name.into(),
            identifying: domain.into(),
            referring: vec![format!("www.{domain}"), shop.to_string()],
            website_url: format!("https://{domain}"),
            country: country.into(),
            reviews: Vec::new(),
            replies: HashMap::new(),
            texts: HashMap::new(),
            tags: HashMap::new(),
            find_requests: HashMap::new(),
        }
    };
    let mut first = unit(
        demo::BUSINESS_UNIT_ID,
        [0x8a, 0x41, 0x3e, 0x07, 0xd2],
        0,
        demo::DISPLAY_NAME,
        demo::DOMAIN,
        crate::demo::SHOP_DOMAIN,
        "US",
    );
    data::seed_reviews(&mut first, cfg.trustpilot_reviews, &mut rng, &mut counter);
    let mut second = unit(
        demo::SECOND_BUSINESS_UNIT_ID,
        [0x5b, 0x19, 0xc4, 0x60, 0x2f],
        1,
        crate::demo::SECOND_SHOP_NAME,
        demo::SECOND_DOMAIN,
        crate::demo::SECOND_SHOP_DOMAIN,
        "GB",
    );
    data::seed_reviews(
        &mut second,
        cfg.trustpilot_second_reviews,
        &mut rng,
        &mut counter,
    );
    // Product reviews come from their own stream, so the service reviews stay as they were.
    let mut product_rng = Rng::new(cfg.seed ^ 0x7072_6f64_7563_7473);
    let (mut catalogue, mut product_reviews, mut conversations) =
        (Vec::new(), Vec::new(), Vec::new());
    for (unit_index, (unit, service_reviews, answered_by)) in [
        (&first, cfg.trustpilot_reviews, &users[0].id),
        (&second, cfg.trustpilot_second_reviews, &users[2].id),
    ]
    .into_iter()
    .enumerate()
    {
        products::seed(
            &products::Seed {
                unit,
                unit_index,
                service_reviews,
                answered_by: answered_by.clone(),
            },
            &mut product_rng,
            &mut catalogue,
            &mut product_reviews,
            &mut conversations,
        );
    }
    TpWorld {
        businesses: vec![
            Business {
                name: demo::DISPLAY_NAME.into(),
                invitations_api: true,
            },
            Business {
                name: crate::demo::SECOND_SHOP_NAME.into(),
                invitations_api: true,
            },
        ],
        apps,
        users,
        units: vec![first, second],
        next_counter: counter,
        products: catalogue,
        product_reviews,
        conversations,
        ..Default::default()
    }
}

/// The CloudFront page Trustpilot's CDN answers a request without a User-Agent with (SEEN-3P:
/// "the request never reaches the API").
pub const CDN_403_HTML: &str = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" \"http://www.w3.org/TR/html4/loose.dtd\">\n\
<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=iso-8859-1\">\n\
<TITLE>ERROR: The request could not be satisfied</TITLE>\n</HEAD><BODY>\n\
<H1>403 ERROR</H1>\n<H2>The request could not be satisfied.</H2>\n<HR noshade size=\"1px\">\n\
Request blocked.\nWe can't connect to the server for this app or website at this time. \
There might be too much traffic or a configuration error. Try again later, or contact the app or website owner.\n\
<BR clear=\"all\">\n<HR noshade size=\"1px\">\n<PRE>\nGenerated by cloudfront (CloudFront)\n\
Request ID: sandbox-blocked-no-user-agent\n</PRE>\n<ADDRESS>\n</ADDRESS>\n</BODY></HTML>";

/// The CDN in front of every Trustpilot host: no `User-Agent` (or Python's default one, SEEN-3P)
/// gets an HTML 403 before the API sees the request. Sandbox controls are exempt.
pub async fn cdn_layer(req: Request, next: Next) -> Response {
    let blocked = !req.uri().path().starts_with("/__sandbox/")
        && match req
            .headers()
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
        {
            None => true,
            Some(ua) => ua.trim().is_empty() || ua.starts_with("Python-urllib"),
        };
    if !blocked {
        return next.run(req).await;
    }
    let mut r = (StatusCode::FORBIDDEN, CDN_403_HTML).into_response();
    let h = r.headers_mut();
    h.insert(
        "content-type",
        axum::http::HeaderValue::from_static("text/html"),
    );
    h.insert("server", axum::http::HeaderValue::from_static("CloudFront"));
    h.insert(
        "x-cache",
        axum::http::HeaderValue::from_static("Error from cloudfront"),
    );
    r
}

fn not_found() -> Response {
    api::TpError::new(StatusCode::NOT_FOUND, "Not found").into_response()
}

/// The API host's router: token endpoints, business units, private reviews, and the sandbox
/// controls under `/__sandbox/`.
pub fn api_router(state: TpState) -> Router {
    const OAUTH: &str = "/v1/oauth/oauth-business-users-for-applications";
    let r: Router<TpState> = Router::new()
        .route(&format!("{OAUTH}/accesstoken"), post(oauth::access_token))
        .route(&format!("{OAUTH}/refresh"), post(oauth::refresh))
        .route(&format!("{OAUTH}/revoke"), post(oauth::revoke))
        .route("/v1/business-units/find", get(api::find_unit))
        .route("/v1/business-units/{id}", get(api::get_unit))
        .route(
            "/v1/private/business-units/{id}/reviews",
            get(api::private_reviews),
        )
        .route("/v1/private/reviews/{id}", get(api::private_review))
        .route(
            "/v1/private/reviews/{id}/reply",
            post(api::reply).delete(api::delete_reply),
        )
        .route(
            "/v1/private/reviews/{id}/find-reviewer",
            post(tags::find_reviewer),
        )
        .route(
            "/v1/private/reviews/{id}/tags",
            get(tags::list)
                .post(tags::replace)
                .put(tags::add)
                .delete(tags::remove),
        )
        .route(
            "/v1/private/product-reviews/business-units/{id}/reviews",
            get(product_api::list),
        )
        .route("/v1/private/product-reviews/{id}", get(product_api::one))
        .route(
            "/v1/private/product-reviews/{id}/create-conversation",
            post(product_api::create_conversation),
        )
        .route(
            "/v1/private/conversations/{id}",
            get(product_api::conversation),
        )
        .route(
            "/v1/private/conversations/{id}/comments",
            post(product_api::post_comment),
        )
        .route(
            "/v1/private/conversations/{id}/comments/{comment}",
            get(product_api::comment).put(product_api::update_comment),
        )
        .route(
            "/v1/private/conversations/{id}/state",
            post(product_api::set_state),
        );
    let controls: Router<TpState> = Router::new()
        .route(
            "/__sandbox/faults",
            get(shared::list_faults::<TpState>)
                .post(shared::arm_fault::<TpState>)
                .delete(shared::clear_faults::<TpState>),
        )
        .route("/__sandbox/requests", get(shared::requests::<TpState>))
        .route(
            "/__sandbox/stats",
            get(shared::stats::<TpState>).delete(shared::reset_stats::<TpState>),
        )
        .route("/__sandbox/demo", get(control::demo_info))
        .route("/__sandbox/state/token_status", post(control::token_status))
        .route("/__sandbox/time/advance", post(control::advance))
        .route("/__sandbox/reviews", post(control::add_review))
        .route(
            "/__sandbox/reviews/{id}/report",
            post(control::report_review),
        )
        .route(
            "/__sandbox/reviews/{id}/find-reviewer/answer",
            post(control::answer_find_reviewer),
        )
        .route("/__sandbox/state/invitations", get(invitations::recorded))
        .route("/__sandbox/state/plan", post(control::plan))
        .route(
            "/__sandbox/media/product-reviews/{id}/{file}",
            get(product_api::image),
        );
    r.merge(controls)
        .fallback(|| async { not_found() })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            shared::fault_layer::<TpState>,
        ))
        .layer(axum::middleware::from_fn(cdn_layer))
        .with_state(state)
}

/// The authenticate host's router: the sign-in page at `/`.
pub fn auth_router(state: TpState) -> Router {
    Router::new()
        .route(
            "/",
            get(oauth::authenticate_page).post(oauth::authenticate_post),
        )
        .fallback(|| async { not_found() })
        .layer(axum::middleware::from_fn(cdn_layer))
        .with_state(state)
}

/// The invitations host's router.
pub fn invitations_router(state: TpState) -> Router {
    Router::new()
        .route(
            "/v1/private/business-units/{id}/invitation-links",
            post(invitations::invitation_link),
        )
        .route(
            "/v1/private/business-units/{id}/email-invitations",
            post(invitations::email_invitation),
        )
        .route(
            "/v1/private/business-units/{id}/templates",
            get(invitations::templates),
        )
        .fallback(|| async { not_found() })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            shared::fault_layer::<TpState>,
        ))
        .layer(axum::middleware::from_fn(cdn_layer))
        .with_state(state)
}

/// The three running Trustpilot listeners.
pub struct TrustpilotServers {
    state: TpState,
    addrs: [SocketAddr; 3],
    stops: Vec<tokio::sync::oneshot::Sender<()>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl TrustpilotServers {
    /// Binds the API, authenticate and invitations listeners on 127.0.0.1 (`ports`, 0 =
    /// ephemeral), seeds the world and serves each in a background task.
    pub async fn start(config: SandboxConfig) -> anyhow::Result<TrustpilotServers> {
        let mut listeners = Vec::new();
        let mut addrs = Vec::new();
        for port in config.trustpilot_ports {
            let l = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
            addrs.push(l.local_addr()?);
            listeners.push(l);
        }
        let addrs: [SocketAddr; 3] = [addrs[0], addrs[1], addrs[2]];
        let state = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let world = build_world(&config);
            let seed_ms = started.elapsed().as_millis();
            tracing::info!(
                reviews = config.trustpilot_reviews,
                seed_ms = seed_ms as u64,
                "trustpilot world seeded"
            );
            TpState(Arc::new(TpInner {
                cfg: config,
                api_base: format!("http://{}", addrs[0]),
                auth_base: format!("http://{}", addrs[1]),
                invitations_base: format!("http://{}", addrs[2]),
                world: Mutex::new(world),
                clock_offset: AtomicI64::new(0),
                faults: Mutex::new(Vec::new()),
                offline: AtomicBool::new(false),
                stats: Mutex::new(Stats::default()),
                seed_ms,
            }))
        })
        .await?;
        let routers = [
            api_router(state.clone()),
            auth_router(state.clone()),
            invitations_router(state.clone()),
        ];
        let mut stops = Vec::new();
        let mut tasks = Vec::new();
        for (listener, app) in listeners.into_iter().zip(routers) {
            let (stop, rx) = tokio::sync::oneshot::channel::<()>();
            stops.push(stop);
            tasks.push(tokio::spawn(async move {
                let res = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await;
                if let Err(e) = res {
                    tracing::error!(error = %e, "trustpilot sandbox server stopped");
                }
            }));
        }
        Ok(TrustpilotServers {
            state,
            addrs,
            stops,
            tasks,
        })
    }

    /// Base URL standing in for `https://api.trustpilot.com` (paths start with `/v1`).
    pub fn api_url(&self) -> String {
        format!("http://{}", self.addrs[0])
    }
    /// Base URL standing in for `https://authenticate.trustpilot.com` (the page is at `/`).
    pub fn authenticate_url(&self) -> String {
        format!("http://{}", self.addrs[1])
    }
    /// Base URL standing in for `https://invitations-api.trustpilot.com`.
    pub fn invitations_url(&self) -> String {
        format!("http://{}", self.addrs[2])
    }
    /// The shared state (for in-process inspection).
    pub fn state(&self) -> &TpState {
        &self.state
    }
    /// Stops the three servers and waits for them.
    pub async fn shutdown(self) {
        for s in self.stops {
            let _ = s.send(());
        }
        for t in self.tasks {
            let _ = t.await;
        }
    }
}
