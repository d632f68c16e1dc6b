//! Shared state: the world, tokens and codes, the sandbox clock, faults and counters, and
//! authentication of data requests (Bearer or HMAC).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::{HeaderMap, Method};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::data::{self, Shop, ShopData, ShopSeed};
use crate::demo;
use crate::util::{ApiError, ApiResult, Rng};
use crate::SandboxConfig;

/// Every scope the sandbox knows (SEEN scopes plus the chosen `read_orders`).
pub const KNOWN_SCOPES: &[&str] = &[
    "read_reviews",
    "write_reviews",
    "read_customer_events",
    "write_customers",
    "read_orders",
    "read_shop_install_status",
];

/// Which half of a token pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Access token.
    Access,
    /// Refresh token.
    Refresh,
}

/// An issued OAuth token.
#[derive(Debug, Clone)]
pub struct TokenRec {
    /// Access or refresh.
    pub kind: TokenKind,
    /// Client it was issued to.
    pub client_id: String,
    /// Shop index in `World::shops`.
    pub shop: usize,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Expiry (sandbox clock).
    pub expires_at: i64,
    /// Revoked flag.
    pub revoked: bool,
    /// The other token of the pair.
    pub pair: String,
}

/// An authorization code.
#[derive(Debug, Clone)]
pub struct CodeRec {
    /// Client.
    pub client_id: String,
    /// Redirect URI it was issued for.
    pub redirect_uri: String,
    /// Shop index.
    pub shop: usize,
    /// Scopes.
    pub scopes: Vec<String>,
    /// PKCE S256 challenge.
    pub challenge: Option<String>,
    /// Expiry.
    pub expires_at: i64,
    /// Single use.
    pub used: bool,
}

/// A merchant's grant to a client.
#[derive(Debug, Clone)]
pub struct Grant {
    /// When.
    pub at: i64,
    /// Scopes.
    pub scopes: Vec<String>,
}

/// Mutable world guarded by one mutex.
#[derive(Debug, Default)]
pub struct World {
    /// Shops; index 0 is the demo shop.
    pub shops: Vec<ShopData>,
    /// Access and refresh tokens by value.
    pub tokens: HashMap<String, TokenRec>,
    /// Authorization codes.
    pub codes: HashMap<String, CodeRec>,
    /// (client_id, shop index) → grant.
    pub grants: HashMap<(String, usize), Grant>,
    /// Source strings; index stored in reviews.
    pub sources: Vec<String>,
    /// Next review id.
    pub next_review_id: u64,
    /// Next webhook id.
    pub next_webhook_id: u64,
    /// Next customer id for exclusions of unknown emails.
    pub next_customer_id: u64,
}

impl World {
    /// Index of the shop with this id or domain.
    pub fn find_shop(&self, id: Option<u64>, domain: Option<&str>) -> Option<usize> {
        self.shops.iter().position(|s| {
            let sh = s.shop();
            id.is_some_and(|i| i == sh.id) || domain.is_some_and(|d| d == sh.domain)
        })
    }

    /// Interns a source string.
    pub fn source_idx(&mut self, s: &str) -> u16 {
        if let Some(i) = self.sources.iter().position(|x| x == s) {
            return i as u16;
        }
        self.sources.push(s.to_string());
        (self.sources.len() - 1) as u16
    }
}

/// An armed fault (see `/__sandbox/faults`).
#[derive(Debug, Clone)]
pub struct Fault {
    /// status | rate_limit | slow | cut | malformed | expire_tokens (armed with `after`: the
    /// access tokens expire just before the `after + 1`-th matching request is served).
    pub kind: String,
    /// HTTP status for `status`.
    pub status: u16,
    /// Remaining uses (None = until cleared).
    pub remaining: Option<u64>,
    /// Path prefix it applies to.
    pub path_prefix: String,
    /// Delay for `slow`.
    pub delay_ms: u64,
    /// Retry-After for `rate_limit`.
    pub retry_after: u64,
    /// Query parameters the request must carry, all of them, to be faulted (e.g.
    /// `[("page", "7")]`: only page 7 of a listing). Empty = any query.
    pub query: Vec<(String, String)>,
}

impl Fault {
    /// Whether this fault applies to a request for `path` with these decoded query pairs.
    pub fn matches(&self, path: &str, query: &[(String, String)]) -> bool {
        path.starts_with(&self.path_prefix) && self.query.iter().all(|want| query.contains(want))
    }
}

/// One API request as the sandbox received it (see [`Stats::requests`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Decoded query pairs in sending order.
    pub query: Vec<(String, String)>,
}

impl LoggedRequest {
    /// The first value of query parameter `key`.
    pub fn param(&self, key: &str) -> Option<&str> {
        crate::util::q_get(&self.query, key)
    }
}

/// Most requests [`Stats::requests`] keeps; older ones are dropped first. Why bounded: the
/// benchmark syncs a million reviews (10,000 pages) through one sandbox, and the log must not
/// grow without end in a long demo session.
pub const MAX_LOGGED_REQUESTS: usize = 100_000;

/// Request counters for `/__sandbox/stats`.
#[derive(Debug, Default)]
pub struct Stats {
    /// Per path.
    pub per_path: HashMap<String, u64>,
    /// Total requests.
    pub total: u64,
    /// Successful refresh_token grants.
    pub token_refreshes: u64,
    /// Tokens issued by any grant.
    pub tokens_issued: u64,
    /// The last [`MAX_LOGGED_REQUESTS`] counted requests, oldest first. Why: a test can check
    /// which pages of a listing a client asked for, and in which order (e.g. that a sync
    /// resumed at the right page).
    pub requests: std::collections::VecDeque<LoggedRequest>,
}

/// Everything behind the `Arc`.
#[derive(Debug)]
pub struct Inner {
    /// Configuration.
    pub cfg: SandboxConfig,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// Where uploads go.
    pub storage_dir: PathBuf,
    /// Keeps the default storage tempdir alive.
    pub _tempdir: Option<tempfile::TempDir>,
    /// World.
    pub world: Mutex<World>,
    /// Sandbox clock offset in seconds (`/__sandbox/time/advance`).
    pub clock_offset: AtomicI64,
    /// Armed faults.
    pub faults: Mutex<Vec<Fault>>,
    /// Offline mode.
    pub offline: AtomicBool,
    /// Counters.
    pub stats: Mutex<Stats>,
    /// OSS-style access key id.
    pub access_id: String,
    /// OSS-style access key secret (policy signatures) and PUT URL signing key.
    pub media_secret: String,
    /// Seeding time in milliseconds (reported by `/__sandbox/demo`).
    pub seed_ms: u128,
}

/// Cheap clonable handle to the sandbox state, passed to the router.
#[derive(Debug, Clone)]
pub struct AppState(pub Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// Locks a mutex even if a previous holder panicked.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    /// Sandbox clock (unix s): real time plus the advance offset.
    pub fn now(&self) -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp() + self.clock_offset.load(Ordering::SeqCst)
    }
    /// Locks the world.
    pub fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    /// Ends the life of every live access token now (refresh tokens keep working), as an hour
    /// passing would; returns how many were live.
    pub fn expire_access_tokens(&self) -> usize {
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
}

/// Builds the seeded world for a config.
pub fn build_world(cfg: &SandboxConfig) -> World {
    let mut rng = Rng::new(cfg.seed);
    let mut next_id = 300_000_001u64;
    let demo_shop = seed_shop_data(
        ShopSeed {
            shop: Shop {
                id: demo::SHOP_ID,
                domain: demo::SHOP_DOMAIN.into(),
                name: demo::SHOP_NAME.into(),
                public_token: demo::PUBLIC_TOKEN.into(),
                private_token: demo::PRIVATE_TOKEN.into(),
                installed_at: data::ANCHOR - 400 * 86_400,
            },
            catalogue: data::demo_catalogue(),
            product_base: 9_200_305_176_832,
            reviews: cfg.reviews,
            customers: 400,
            orders: cfg.orders,
            events_per_day: cfg.events_per_day,
        },
        &mut rng,
        &mut next_id,
    );
    let second = seed_shop_data(
        ShopSeed {
            shop: Shop {
                id: demo::SECOND_SHOP_ID,
                domain: demo::SECOND_SHOP_DOMAIN.into(),
                name: demo::SECOND_SHOP_NAME.into(),
                public_token: demo::SECOND_PUBLIC_TOKEN.into(),
                private_token: demo::SECOND_PRIVATE_TOKEN.into(),
                installed_at: data::ANCHOR - 120 * 86_400,
            },
            catalogue: data::second_catalogue(),
            product_base: 8_100_000_000_000,
            reviews: cfg.second_shop_reviews,
            customers: 80,
            orders: cfg.orders / 20,
            events_per_day: cfg.events_per_day / 25,
        },
        &mut rng,
        &mut next_id,
    );
    World {
        shops: vec![demo_shop, second],
        sources: data::SOURCES.iter().map(|s| s.to_string()).collect(),
        next_review_id: next_id,
        next_webhook_id: 1,
        next_customer_id: 23_044_610_359_590,
        ..Default::default()
    }
}

fn seed_shop_data(seed: ShopSeed, rng: &mut Rng, next_id: &mut u64) -> ShopData {
    data::seed_shop(seed, rng, next_id)
}

/// Who is calling a data endpoint.
#[derive(Debug, Clone)]
pub struct Principal {
    /// Shop index.
    pub shop: usize,
    /// OAuth client (None = HMAC, every scope).
    pub client_id: Option<String>,
    /// Scopes (ignored for HMAC).
    pub scopes: Vec<String>,
}

impl Principal {
    /// Does the caller hold `scope`?
    pub fn has(&self, scope: &str) -> bool {
        self.client_id.is_none() || self.scopes.iter().any(|s| s == scope)
    }
    /// Errors with 403/8 unless the caller holds `scope`.
    pub fn require(&self, scope: &str) -> ApiResult<()> {
        if self.has(scope) {
            Ok(())
        } else {
            Err(ApiError::scope(scope))
        }
    }
}

/// Splits a scope string on commas and/or spaces (CHOICES "Scopes").
pub fn parse_scopes(s: &str) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for p in s.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
        if !v.iter().any(|x| x == p) {
            v.push(p.to_string());
        }
    }
    v
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// The HMAC string to sign (CHOICES "HMAC string to sign").
pub fn string_to_sign(
    method: &Method,
    pairs: &[(String, String)],
    ts: &str,
    body: &[u8],
) -> Vec<u8> {
    if method == Method::GET
        || method == Method::HEAD
        || method == Method::DELETE && body.is_empty()
    {
        let mut all: Vec<(&str, &str)> = pairs
            .iter()
            .filter(|(k, _)| k != "timestamp")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        all.push(("timestamp", ts));
        all.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let s = all
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        s.into_bytes()
    } else {
        let mut m = format!("timestamp={ts}|").into_bytes();
        m.extend_from_slice(body);
        m
    }
}

/// Lowercase hex HMAC-SHA256.
pub fn hmac_hex(key: &[u8], msg: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(msg);
    hex::encode(mac.finalize().into_bytes())
}

/// Authenticates a data request: Bearer when `Authorization` is present and non-empty, else HMAC.
pub fn authenticate(
    st: &Inner,
    method: &Method,
    headers: &HeaderMap,
    pairs: &[(String, String)],
    body: &[u8],
) -> ApiResult<Principal> {
    let now = st.now();
    if let Some(authz) = header(headers, "authorization").filter(|s| !s.is_empty()) {
        let token = authz
            .strip_prefix("Bearer ")
            .or_else(|| authz.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(|| ApiError::unauth("Authorization must be 'Bearer <access_token>'"))?;
        let forced_expire = header(headers, "x-sandbox-fault").is_some_and(|f| f == "expire");
        let w = st.world();
        let rec = w
            .tokens
            .get(token)
            .filter(|r| r.kind == TokenKind::Access)
            .ok_or_else(|| ApiError::unauth("invalid access token"))?;
        if rec.revoked {
            return Err(ApiError::unauth("access token revoked"));
        }
        if forced_expire || rec.expires_at <= now {
            return Err(ApiError::token_expired());
        }
        return Ok(Principal {
            shop: rec.shop,
            client_id: Some(rec.client_id.clone()),
            scopes: rec.scopes.clone(),
        });
    }
    let public = header(headers, "public-token")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::unauth("missing credentials: Authorization or Public-Token"))?;
    let ts = header(headers, "timestamp")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::unauth("missing Timestamp header"))?;
    let sign = header(headers, "sign")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::unauth("missing Sign header"))?;
    let tsn: i64 = ts
        .parse()
        .map_err(|_| ApiError::unauth("Timestamp must be unix seconds"))?;
    if (now - tsn).abs() > 15 * 60 {
        return Err(ApiError::unauth("timestamp expired"));
    }
    let w = st.world();
    let shop = w
        .shops
        .iter()
        .position(|s| s.shop().public_token == public)
        .ok_or_else(|| ApiError::unauth("unknown Public-Token"))?;
    let key = w.shops[shop].shop().private_token.clone();
    drop(w);
    let expected = hmac_hex(key.as_bytes(), &string_to_sign(method, pairs, ts, body));
    if !constant_eq(expected.as_bytes(), sign.to_ascii_lowercase().as_bytes()) {
        return Err(ApiError::unauth("invalid signature"));
    }
    Ok(Principal {
        shop,
        client_id: None,
        scopes: Vec::new(),
    })
}

/// Constant-time comparison.
pub fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_strings() {
        let pairs = vec![
            ("page".to_string(), "1".to_string()),
            ("ratings[1]".to_string(), "4".to_string()),
            ("ratings[0]".to_string(), "5".to_string()),
        ];
        let s = string_to_sign(&Method::GET, &pairs, "1700465771", b"");
        assert_eq!(
            String::from_utf8_lossy(&s),
            "page=1&ratings[0]=5&ratings[1]=4&timestamp=1700465771"
        );
        let s = string_to_sign(&Method::POST, &[], "1700465771", b"{\"id\":1}");
        assert_eq!(
            String::from_utf8_lossy(&s),
            "timestamp=1700465771|{\"id\":1}"
        );
    }

    #[test]
    fn scopes_split() {
        assert_eq!(
            parse_scopes("read_reviews, write_reviews read_reviews"),
            vec!["read_reviews", "write_reviews"]
        );
    }
}
