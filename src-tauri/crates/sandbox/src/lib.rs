//! `reviewdesk-sandbox`: a faithful, offline emulator of the Trustoo Open API and of the
//! Trustpilot Business APIs (the `trustpilot` module, on listeners of its own).
//!
//! Every test, benchmark and the demo talk to this server because no machine here reaches
//! the real APIs. What the docs SEE is implemented as documented; every UNKNOWN follows
//! `CHOICES.md` (Trustoo) or `CHOICES-trustpilot.md` beside this crate (the wire contracts
//! shared with the client crates).

pub mod api;
pub mod control;
pub mod data;
pub mod media;
pub mod oauth;
pub mod render;
pub mod state;
pub mod trustpilot;
pub mod util;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64};
use std::sync::{Arc, Mutex};

use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{get, post, MethodRouter};
use axum::Router;

pub use state::AppState;

/// Sandbox configuration (CLI flags map 1:1 onto it).
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Reviews seeded for the demo shop (10..=1,000,000 is the supported range).
    pub reviews: usize,
    /// Reviews seeded for the second, smaller shop.
    pub second_shop_reviews: usize,
    /// Seed: same seed, same data.
    pub seed: u64,
    /// Access-token lifetime in seconds.
    pub token_ttl_secs: u64,
    /// Upload directory; `None` = a tempdir owned (and removed) by the running sandbox.
    pub storage_dir: Option<PathBuf>,
    /// Max image upload size (policy `content-length-range`).
    pub image_max_bytes: u64,
    /// Max video upload size.
    pub video_max_bytes: u64,
    /// Trustpilot service reviews seeded for the demo shop's business unit (10..=1,000,000).
    pub trustpilot_reviews: usize,
    /// Trustpilot service reviews of the second shop's business unit.
    pub trustpilot_second_reviews: usize,
    /// Trustpilot access-token lifetime in seconds (Trustpilot's is 100 h).
    pub trustpilot_token_ttl_secs: u64,
    /// Token requests one API key may make per minute before the "too frequent
    /// authentication" 429.
    pub trustpilot_auth_per_minute: u32,
    /// Ports of the Trustpilot API, authenticate and invitations listeners (0 = ephemeral).
    pub trustpilot_ports: [u16; 3],
    /// Orders of the demo shop over the year before the anchor (the second shop gets 1/20).
    pub orders: usize,
    /// Average widget events a day for the demo shop over that year (the second shop gets
    /// 1/25). The binary's default, 5,200, is a mid-size shop's year (~2 M events); the
    /// library's is small so that tests page through a year quickly.
    pub events_per_day: u32,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            reviews: 2000,
            second_shop_reviews: 120,
            seed: 7,
            token_ttl_secs: 3600,
            storage_dir: None,
            image_max_bytes: 20 * 1024 * 1024,
            video_max_bytes: 2 * 1024 * 1024 * 1024,
            trustpilot_reviews: 1500,
            trustpilot_second_reviews: 60,
            trustpilot_token_ttl_secs: 100 * 3600,
            trustpilot_auth_per_minute: 30,
            trustpilot_ports: [0, 0, 0],
            orders: 7_300,
            events_per_day: 16,
        }
    }
}

/// Well-known identities of the seeded world, so tests and the demo need no discovery call.
pub mod demo {
    /// Registered OAuth client id.
    pub const CLIENT_ID: &str = "reviewdesk";
    /// Registered OAuth client secret.
    pub const CLIENT_SECRET: &str = "reviewdesk-sandbox-secret";
    /// Registered custom-scheme redirect URI (loopback `http://127.0.0.1:<port>/...` is also accepted).
    pub const REDIRECT_URI: &str = "reviewdesk://oauth/callback";
    /// Demo shop id.
    pub const SHOP_ID: u64 = 60_512_345_678;
    /// Demo shop domain.
    pub const SHOP_DOMAIN: &str = "aurora-outfitters.myshopify.com";
    /// Demo shop name.
    pub const SHOP_NAME: &str = "Aurora Outfitters";
    /// Demo shop HMAC public token (base64 of 16 bytes, like the docs' example).
    pub const PUBLIC_TOKEN: &str = "QXVyb3JhT3V0Zml0dGVycw==";
    /// Demo shop HMAC private token.
    pub const PRIVATE_TOKEN: &str = "aurora-private-7f3c9e2a41d8b605";
    /// Second shop id.
    pub const SECOND_SHOP_ID: u64 = 71_234_567_890;
    /// Second shop domain.
    pub const SECOND_SHOP_DOMAIN: &str = "birch-and-pine-home.myshopify.com";
    /// Second shop name.
    pub const SECOND_SHOP_NAME: &str = "Birch & Pine Home";
    /// Second shop HMAC public token.
    pub const SECOND_PUBLIC_TOKEN: &str = "QmlyY2hBbmRQaW5lSG9tZQ==";
    /// Second shop HMAC private token.
    pub const SECOND_PRIVATE_TOKEN: &str = "birch-private-0b5d7a19e4c2f863";

    /// Product ids of the demo shop, in catalogue order (deterministic, seed-independent).
    pub fn product_ids() -> Vec<u64> {
        (0..crate::data::demo_catalogue().len() as u64)
            .map(|i| 9_200_305_176_832 + i * 131)
            .collect()
    }
}

/// Builds the state (seeds the world). `base_url` is where the router will be reachable.
pub fn build_state(config: SandboxConfig, base_url: String) -> anyhow::Result<AppState> {
    let started = std::time::Instant::now();
    let world = state::build_world(&config);
    let seed_ms = started.elapsed().as_millis();
    let (storage_dir, tempdir) = match &config.storage_dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            (d.clone(), None)
        }
        None => {
            let t = tempfile::Builder::new()
                .prefix("reviewdesk-sandbox-")
                .tempdir()?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    tracing::info!(
        reviews = config.reviews,
        seed = config.seed,
        seed_ms = seed_ms as u64,
        storage = %storage_dir.display(),
        "sandbox world seeded"
    );
    Ok(AppState(Arc::new(state::Inner {
        cfg: config,
        base_url,
        storage_dir,
        _tempdir: tempdir,
        world: Mutex::new(world),
        clock_offset: AtomicI64::new(0),
        faults: Mutex::new(Vec::new()),
        offline: AtomicBool::new(false),
        stats: Mutex::new(Default::default()),
        access_id: "LTAI5tSandboxReviewDesk".into(),
        media_secret: format!("sandbox-oss-secret-{}", uuid::Uuid::new_v4().simple()),
        seed_ms,
    })))
}

/// The data routes, served under both `/api/v1/openapi/` and the oldest `/api/v1/open_api/`.
fn data_routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        // Webhooks: SEEN create; update/delete/list paths from the oldest doc and code (CHOICES).
        ("create_shop_webhook", post(api::create_webhook)),
        (
            "update_shop_webhook",
            post(api::update_webhook).put(api::update_webhook),
        ),
        (
            "delete_shop_webhook",
            post(api::delete_webhook).delete(api::delete_webhook),
        ),
        ("get_shop_webhooks", get(api::list_webhooks)),
        // Reviews (SEEN paths; delete_review path from code).
        ("get_review", get(api::get_review)),
        ("get_reviews", get(api::get_reviews)),
        ("create_review", post(api::create_review)),
        ("delete_review", post(api::delete_review)),
        ("get_rating", get(api::get_rating)),
        // Media (image SEEN; video path UNKNOWN → CHOICES).
        ("get_image_upload_policy_token", get(media::image_policy)),
        ("get_video_upload_url", get(media::video_url)),
        // Orders / events (SEEN; oldest names too).
        ("get_orders", get(api::get_orders)),
        ("orders", get(api::get_orders)),
        ("get_customer_events", get(api::get_events)),
        ("customer_events", get(api::get_events)),
        // Customers (list path UNKNOWN → CHOICES).
        ("email_unsubscribe", post(api::email_unsubscribe)),
        ("create_customer_exclude", post(api::create_exclusion)),
        ("delete_customer_exclude", post(api::delete_exclusion)),
        ("get_customer_excludes", get(api::list_exclusions)),
    ]
}

/// The full router (useful for in-process tests); `state` comes from [`build_state`].
pub fn router(state: AppState) -> Router {
    let mut r: Router<AppState> = Router::new()
        // OAuth (SEEN paths; revoke alias `/oauth/revoke` is a CHOICES pick).
        .route(
            "/api/v1/openapi/oauth/authorize",
            get(oauth::authorize_page).post(oauth::authorize_post),
        )
        .route(
            "/api/v1/openapi/get_oauth_authorize_url",
            get(oauth::authorize_url),
        )
        .route("/api/v1/openapi/oauth/token", post(oauth::token))
        .route("/api/v1/openapi/oauth_revoke_token", post(oauth::revoke))
        .route("/api/v1/openapi/oauth/revoke", post(oauth::revoke))
        .route("/api/v1/openapi/oauth/disconnect", post(oauth::disconnect))
        .route(
            "/api/v1/openapi/get_shop_authorization_info",
            get(oauth::authorization_info),
        )
        .route(
            "/api/v1/openapi/get_shop_install_status",
            get(oauth::install_status),
        );
    for (name, mr) in data_routes() {
        r = r
            .route(&format!("/api/v1/openapi/{name}"), mr.clone())
            .route(&format!("/api/v1/open_api/{name}"), mr);
    }
    let storage = Router::new()
        .route("/storage", post(media::storage_post))
        .route("/storage/callback", post(media::storage_callback))
        .route(
            "/storage/{*key}",
            get(media::storage_get).put(media::storage_put),
        )
        .layer(DefaultBodyLimit::disable());
    let control = Router::new()
        .route(
            "/__sandbox/faults",
            get(control::list_faults::<AppState>)
                .post(control::arm_fault::<AppState>)
                .delete(control::clear_faults::<AppState>),
        )
        .route("/__sandbox/demo", get(control::demo_info))
        .route("/__sandbox/requests", get(control::requests::<AppState>))
        .route(
            "/__sandbox/stats",
            get(control::stats::<AppState>).delete(control::reset_stats::<AppState>),
        )
        .route(
            "/__sandbox/state/deleted_reviews",
            get(control::deleted_reviews),
        )
        .route("/__sandbox/state/exclusions", get(control::exclusions))
        .route("/__sandbox/state/token_status", post(control::token_status))
        .route("/__sandbox/time/advance", post(control::advance));
    r.merge(storage)
        .merge(control)
        .fallback(|| async { util::ApiError::not_found("no such endpoint").into_response() })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            control::fault_layer::<AppState>,
        ))
        .with_state(state)
}

/// A running sandbox: bound to 127.0.0.1, served by background tokio tasks (the Trustoo
/// router on one port, the Trustpilot hosts on three more).
pub struct Sandbox {
    addr: SocketAddr,
    state: AppState,
    trustpilot: trustpilot::TrustpilotServers,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Sandbox {
    /// Binds 127.0.0.1:<port> (0 = ephemeral) and serves in a background tokio task.
    pub async fn start(config: SandboxConfig, port: u16) -> anyhow::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let base = format!("http://{addr}");
        let trustpilot = trustpilot::TrustpilotServers::start(config.clone()).await?;
        // Seeding a million reviews takes a moment; keep it off the async workers.
        let state = tokio::task::spawn_blocking(move || build_state(config, base)).await??;
        let app = router(state.clone());
        let (stop, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let res = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = res {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        Ok(Sandbox {
            addr,
            state,
            trustpilot,
            stop,
            task,
        })
    }

    /// `http://127.0.0.1:PORT`, the base for every API path.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (for in-process inspection).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The Trustpilot half: its base URLs (API, authenticate page, invitations) and state.
    pub fn trustpilot(&self) -> &trustpilot::TrustpilotServers {
        &self.trustpilot
    }

    /// Stops accepting, lets in-flight requests finish, and waits for the server tasks.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
        self.trustpilot.shutdown().await;
    }
}
