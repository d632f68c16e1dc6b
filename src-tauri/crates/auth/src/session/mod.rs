//! The session manager: sign-in, per-shop sessions with single-flight refresh, HMAC connect,
//! shop list, sign-out.
//!
//! Why one type: the Tauri layer holds one `SessionManager` in its state and calls it from
//! commands and deep-link handlers; every secret stays inside it (and the keyring), the UI only
//! ever gets [`ShopSession`]s.
//!
//! One file a seam: the shops and their live sessions here; `sign_in` (browser sign-in, the
//! callback, the exchange, HMAC connect), `refresh` (a fresh client, single-flight refresh on
//! expiry and on a 401), `sign_out`, and `codec` (the keyring blobs).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use reviewdesk_core::{AuthMode, Environment, ShopId, ShopSession};
use reviewdesk_trustoo::{
    Auth, ClientConfig, OAuthClient, OAuthConfig, Secret, TrustooClient, Url,
};

use crate::backend::OAuthBackend;
use crate::clock::{Clock, SystemClock};
use crate::error::AuthError;
use crate::login::{LoginFlow, PendingLogin};
use crate::shops::{normalize_shop_domain, KnownShop, ShopRegistry};
use crate::store::{GuardedStore, SecretKind, StoreKey, TokenStore};

mod codec;
mod refresh;
mod sign_in;
mod sign_out;
#[cfg(test)]
mod tests;

pub use sign_in::AcceptedCallback;
pub use sign_out::{SignOutReport, SignOutStep, StepResult};

use codec::{decode_hmac, OAuthTokens};
use refresh::RefreshOn401;

/// Everything the session manager needs to know about the app's environment.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Trustoo API root (production or the sandbox).
    pub api_base: Url,
    /// Sandbox or production (shown to the UI in [`ShopSession`]).
    pub environment: Environment,
    /// The platform's OAuth client id.
    pub client_id: String,
    /// The platform's client secret (shipped in the app, so not truly secret: RFC 8252 §8.5).
    pub client_secret: Secret,
    /// Registered redirect URI; callbacks must match its scheme, host and path exactly.
    pub redirect_uri: String,
    /// Scopes asked for at sign-in.
    pub scopes: Vec<String>,
    /// JSON file for the list of known shops (non-secret metadata only).
    pub shops_file: PathBuf,
    /// Longest wait for one keyring call.
    pub keyring_timeout: Duration,
    /// Refresh when the access token has less than this left.
    pub refresh_margin: Duration,
}

impl AuthConfig {
    /// Defaults: redirect [`crate::REDIRECT_URI`], the scopes of every feature
    /// ([`reviewdesk_core::trustoo_scopes_to_request`]),
    /// 5 s keyring timeout, refresh 60 s before expiry.
    pub fn new(
        api_base: Url,
        environment: Environment,
        client_id: impl Into<String>,
        client_secret: Secret,
        shops_file: PathBuf,
    ) -> Self {
        Self {
            api_base,
            environment,
            client_id: client_id.into(),
            client_secret,
            redirect_uri: crate::REDIRECT_URI.to_owned(),
            scopes: reviewdesk_core::trustoo_scopes_to_request(),
            shops_file,
            keyring_timeout: Duration::from_secs(5),
            refresh_margin: Duration::from_secs(60),
        }
    }
}

/// How a completed callback ended (errors aside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    /// Signed in; the shop is now the active one.
    SignedIn(ShopSession),
    /// The merchant clicked "Deny" on Trustoo's consent page.
    Declined,
}

impl std::fmt::Display for LoginOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoginOutcome::SignedIn(s) => write!(f, "Signed in to {}", s.shop_name),
            LoginOutcome::Declined => f.write_str("You declined access"),
        }
    }
}

/// A shop as the UI lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopStatus {
    /// What the UI may know (no token).
    pub session: ShopSession,
    /// Credentials are loaded and usable.
    pub signed_in: bool,
    /// This is the active shop.
    pub active: bool,
    /// Why credentials could not be loaded (e.g. keyring locked), as a UI sentence.
    pub problem: Option<String>,
}

/// The credentials of a live session.
#[derive(Debug)]
enum Creds {
    OAuth(OAuthTokens),
    Hmac,
    /// The refresh token stopped working: only a new sign-in helps.
    Expired,
}

/// A shop with loaded credentials: the client every caller shares, and the credentials
/// behind one async mutex (the single-flight point of refresh).
#[derive(Debug)]
struct Live {
    client: TrustooClient,
    creds: tokio::sync::Mutex<Creds>,
}

#[derive(Debug)]
struct Inner {
    cfg: AuthConfig,
    redirect: Url,
    oauth: Arc<dyn OAuthBackend>,
    store: GuardedStore,
    clock: Arc<dyn Clock>,
    login: Mutex<LoginFlow>,
    shops: tokio::sync::Mutex<ShopRegistry>,
    live: RwLock<HashMap<String, Arc<Live>>>,
    /// Why a shop's credentials could not be loaded at start (keyring locked, entry damaged),
    /// kept so every listing of the shops says it, not only the first.
    load_problems: Mutex<HashMap<String, String>>,
}

/// Sign-in and per-shop sessions. Cheap to clone; clones share everything.
#[derive(Debug, Clone)]
pub struct SessionManager {
    inner: Arc<Inner>,
}

impl SessionManager {
    /// The production setup: Trustoo's [`OAuthClient`] (no redirects) and the system clock.
    /// Pass `Arc::new(KeyringStore::new())` in the app, a [`crate::MemoryStore`] in tests.
    pub async fn new(cfg: AuthConfig, store: Arc<dyn TokenStore>) -> Result<Self, AuthError> {
        let oauth = OAuthClient::new(OAuthConfig::new(
            cfg.api_base.clone(),
            cfg.client_id.clone(),
            cfg.client_secret.clone(),
        ))
        .map_err(|e| AuthError::Config(e.to_string()))?;
        Self::with_parts(cfg, store, Arc::new(oauth), Arc::new(SystemClock)).await
    }

    /// Same with an injected OAuth backend and clock (tests, fakes).
    pub async fn with_parts(
        cfg: AuthConfig,
        store: Arc<dyn TokenStore>,
        oauth: Arc<dyn OAuthBackend>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, AuthError> {
        let redirect = Url::parse(&cfg.redirect_uri)
            .map_err(|_| AuthError::Config("the redirect URI is not a URL".into()))?;
        let shops = ShopRegistry::load(cfg.shops_file.clone()).await?;
        let mgr = Self {
            inner: Arc::new(Inner {
                store: GuardedStore::new(store, cfg.keyring_timeout),
                cfg,
                redirect,
                oauth,
                clock,
                login: Mutex::new(LoginFlow::default()),
                shops: tokio::sync::Mutex::new(shops),
                live: RwLock::new(HashMap::new()),
                load_problems: Mutex::new(HashMap::new()),
            }),
        };
        mgr.resume_pending_login().await;
        Ok(mgr)
    }

    /// The keyring entry that holds the sign-in in progress.
    fn pending_key() -> StoreKey {
        StoreKey::new("sign-in", SecretKind::PendingLogin)
    }

    /// Picks up a sign-in that an earlier run of the app started (the OS may have started
    /// this run just to deliver its callback). An expired or damaged entry is removed. A
    /// keyring problem is only logged: restoring shops reports it to the merchant.
    async fn resume_pending_login(&self) {
        let stored = match self.inner.store.get(&Self::pending_key()).await {
            Ok(Some(secret)) => secret,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the sign-in in progress");
                return;
            }
        };
        match PendingLogin::from_secret(&stored) {
            Some(p) if !p.is_expired(self.now()) => {
                tracing::info!("resuming the sign-in started by an earlier run");
                self.login_flow().resume(p);
            }
            _ => self.forget_pending_login().await,
        }
    }

    /// Deletes the persisted sign-in attempt (best effort: it expires on its own anyway).
    async fn forget_pending_login(&self) {
        if let Err(e) = self.inner.store.delete(&Self::pending_key()).await {
            tracing::warn!(error = %e, "could not delete the finished sign-in attempt");
        }
    }

    fn now(&self) -> SystemTime {
        self.inner.clock.now()
    }

    fn login_flow(&self) -> std::sync::MutexGuard<'_, LoginFlow> {
        self.inner.login.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn live(&self, domain: &str) -> Option<Arc<Live>> {
        let map = self.inner.live.read().unwrap_or_else(|p| p.into_inner());
        map.get(domain).cloned()
    }

    /// Makes `live` the shop's session (or removes it). A new session's client gets its
    /// [`RefreshOn401`], so every call made with it refreshes on a 401.
    fn set_live(&self, domain: &str, live: Option<Live>) -> Option<Arc<Live>> {
        if live.is_some() {
            self.load_problems().remove(domain);
        }
        let live = live.map(|live| {
            let live = Arc::new(live);
            live.client.set_renewer(Arc::new(RefreshOn401 {
                sessions: Arc::downgrade(&self.inner),
                live: Arc::downgrade(&live),
                domain: domain.to_owned(),
            }));
            live
        });
        let mut map = self.inner.live.write().unwrap_or_else(|p| p.into_inner());
        match live {
            Some(l) => map.insert(domain.to_owned(), l),
            None => map.remove(domain),
        }
    }

    fn new_client(&self, auth: Auth) -> Result<TrustooClient, AuthError> {
        TrustooClient::new(ClientConfig::new(self.inner.cfg.api_base.clone(), auth))
            .map_err(|e| AuthError::Config(e.to_string()))
    }

    fn session_of(&self, shop: &KnownShop) -> ShopSession {
        ShopSession {
            shop_id: shop
                .shop_id
                .clone()
                .unwrap_or_else(|| ShopId(String::new())),
            shop_name: shop.name.clone(),
            domain: shop.domain.clone(),
            scopes: shop.scopes.clone(),
            missing_scopes: reviewdesk_core::missing_scopes(shop.auth_mode, &shop.scopes),
            provider: reviewdesk_core::Provider::Trustoo,
            capabilities: reviewdesk_core::Provider::Trustoo.capabilities(),
            auth_mode: shop.auth_mode,
            environment: self.inner.cfg.environment,
            api_base: self
                .inner
                .cfg
                .api_base
                .as_str()
                .trim_end_matches('/')
                .to_owned(),
        }
    }

    // ---- Startup, list, switch ----------------------------------------------------------

    /// Loads every known shop's credentials from the store (call once at startup). A shop
    /// whose credentials cannot be loaded is listed with `signed_in: false` and a `problem`.
    pub async fn restore(&self) -> Vec<ShopStatus> {
        let shops: Vec<KnownShop> = self.inner.shops.lock().await.all().to_vec();
        for shop in &shops {
            if self.live(&shop.domain).is_some() {
                continue;
            }
            let problem = match self.load_live(shop).await {
                Ok(Some(live)) => {
                    self.set_live(&shop.domain, Some(live));
                    None
                }
                Ok(None) => None,
                Err(e) => Some(e.to_string()),
            };
            let mut problems = self.load_problems();
            match problem {
                Some(p) => problems.insert(shop.domain.clone(), p),
                None => problems.remove(&shop.domain),
            };
        }
        self.shops().await
    }

    fn load_problems(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.inner
            .load_problems
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    async fn load_live(&self, shop: &KnownShop) -> Result<Option<Live>, AuthError> {
        let (kind, mode) = match shop.auth_mode {
            AuthMode::Oauth => (SecretKind::OAuth, AuthMode::Oauth),
            AuthMode::Hmac => (SecretKind::Hmac, AuthMode::Hmac),
        };
        let Some(blob) = self
            .inner
            .store
            .get(&StoreKey::new(&shop.domain, kind))
            .await?
        else {
            return Ok(None);
        };
        let live = match mode {
            AuthMode::Oauth => {
                let t = OAuthTokens::decode(&blob)?;
                Live {
                    client: self.new_client(Auth::Bearer(t.access.clone()))?,
                    creds: tokio::sync::Mutex::new(Creds::OAuth(t)),
                }
            }
            AuthMode::Hmac => Live {
                client: self.new_client(decode_hmac(&blob)?)?,
                creds: tokio::sync::Mutex::new(Creds::Hmac),
            },
        };
        Ok(Some(live))
    }

    /// Every known shop, in sign-in order.
    pub async fn shops(&self) -> Vec<ShopStatus> {
        let (shops, active) = {
            let r = self.inner.shops.lock().await;
            (r.all().to_vec(), r.active().map(str::to_owned))
        };
        let mut out = Vec::with_capacity(shops.len());
        for shop in shops {
            // A shop that is not signed in says why, when that is known.
            let (signed_in, problem) = match self.live(&shop.domain) {
                Some(l) if matches!(*l.creds.lock().await, Creds::Expired) => {
                    (false, Some(AuthError::SessionExpired.to_string()))
                }
                Some(_) => (true, None),
                None => (false, self.load_problems().get(&shop.domain).cloned()),
            };
            out.push(ShopStatus {
                active: active.as_deref() == Some(shop.domain.as_str()),
                session: self.session_of(&shop),
                signed_in,
                problem,
            });
        }
        out
    }

    /// The active shop, if any.
    pub async fn active_shop(&self) -> Option<ShopSession> {
        let r = self.inner.shops.lock().await;
        let domain = r.active()?;
        r.get(domain).map(|s| self.session_of(s))
    }

    /// Makes another known shop active.
    pub async fn set_active(&self, shop: &str) -> Result<ShopSession, AuthError> {
        let domain = normalize_shop_domain(shop)?;
        let mut r = self.inner.shops.lock().await;
        r.set_active(&domain).await?;
        r.get(&domain)
            .map(|s| self.session_of(s))
            .ok_or(AuthError::UnknownShop)
    }
}
