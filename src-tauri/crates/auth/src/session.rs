//! The session manager: sign-in, per-shop sessions with single-flight refresh, HMAC connect,
//! shop list, sign-out.
//!
//! Why one type: the Tauri layer holds one `SessionManager` in its state and calls it from
//! commands and deep-link handlers; every secret stays inside it (and the keyring), the UI only
//! ever gets [`ShopSession`]s.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use reviewdesk_core::{AuthMode, Environment, ShopId, ShopSession};
use reviewdesk_trustoo::{
    Auth, AuthorizeRequest, ClientConfig, OAuthClient, OAuthConfig, RatingQuery, Secret, TokenSet,
    TrustooClient, Url,
};
use serde_json::{json, Value};

use crate::backend::OAuthBackend;
use crate::callback::{parse_callback, CallbackParams, CallbackRejection, ProviderError};
use crate::clock::{from_unix, to_unix, Clock, SystemClock};
use crate::error::AuthError;
use crate::login::{verifier, LoginFlow, LoginStart, PendingLogin, LOGIN_TTL};
use crate::shops::{name_from_domain, normalize_shop_domain, KnownShop, ShopRegistry};
use crate::store::{GuardedStore, SecretKind, StoreError, StoreKey, TokenStore};

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

/// One step of sign-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignOutStep {
    /// `POST oauth/disconnect` with the Bearer token.
    Disconnect,
    /// Revoke the refresh token.
    RevokeRefreshToken,
    /// Revoke the access token.
    RevokeAccessToken,
    /// Delete the shop's keyring entries.
    DeleteKeyringEntries,
    /// Remove the shop from the known-shops file.
    ForgetShop,
}

/// How one sign-out step went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepResult {
    /// Done.
    Done,
    /// Not applicable (e.g. no OAuth tokens for an HMAC shop).
    Skipped,
    /// Failed; the message is safe to show (no secrets).
    Failed(String),
}

/// What sign-out did. Every step runs even when an earlier one fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOutReport {
    /// The shop.
    pub shop_domain: String,
    /// Each step in order.
    pub steps: Vec<(SignOutStep, StepResult)>,
}

impl SignOutReport {
    /// True when no step failed.
    pub fn is_clean(&self) -> bool {
        self.steps
            .iter()
            .all(|(_, r)| !matches!(r, StepResult::Failed(_)))
    }

    /// The result of one step.
    pub fn step(&self, step: SignOutStep) -> Option<&StepResult> {
        self.steps.iter().find(|(s, _)| *s == step).map(|(_, r)| r)
    }
}

/// OAuth tokens of one shop, in memory.
#[derive(Debug, Clone)]
struct OAuthTokens {
    access: Secret,
    refresh: Option<Secret>,
    expires_at: Option<SystemTime>,
}

impl OAuthTokens {
    fn from_set(ts: TokenSet, now: SystemTime, old_refresh: Option<Secret>) -> Self {
        Self {
            access: ts.access_token,
            refresh: ts.refresh_token.or(old_refresh),
            expires_at: ts.expires_in.map(|d| now + d),
        }
    }

    /// The keyring blob; without the access token when `with_access` is false (then the access
    /// token lives in memory only and a restart refreshes).
    fn encode(&self, with_access: bool) -> Secret {
        let mut v = json!({ "v": 1 });
        if with_access {
            v["access_token"] = Value::from(self.access.expose());
        }
        if let Some(r) = &self.refresh {
            v["refresh_token"] = Value::from(r.expose());
        }
        if let (true, Some(e)) = (with_access, self.expires_at) {
            v["expires_at"] = Value::from(to_unix(e));
        }
        Secret::new(v.to_string())
    }

    fn decode(blob: &Secret) -> Result<Self, StoreError> {
        let v: Value = serde_json::from_str(blob.expose()).map_err(|_| StoreError::Corrupt)?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(Secret::new);
        let t = Self {
            access: s("access_token").unwrap_or_default(),
            refresh: s("refresh_token"),
            expires_at: v.get("expires_at").and_then(Value::as_u64).map(from_unix),
        };
        if t.access.is_empty() && t.refresh.is_none() {
            return Err(StoreError::Corrupt);
        }
        Ok(t)
    }
}

fn encode_hmac(public_token: &Secret, private_token: &Secret) -> Secret {
    Secret::new(
        json!({ "v": 1, "public_token": public_token.expose(), "private_token": private_token.expose() })
            .to_string(),
    )
}

fn decode_hmac(blob: &Secret) -> Result<Auth, StoreError> {
    let v: Value = serde_json::from_str(blob.expose()).map_err(|_| StoreError::Corrupt)?;
    let s = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .filter(|x| !x.is_empty())
            .map(Secret::new)
            .ok_or(StoreError::Corrupt)
    };
    Ok(Auth::Hmac {
        public_token: s("public_token")?,
        private_token: s("private_token")?,
    })
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

/// A callback link that belongs to the sign-in in progress, which it has consumed: the next
/// step is [`SessionManager::finish_login`]. Its `Debug` shows the shop only (the code and the
/// PKCE verifier are credentials).
pub struct AcceptedCallback {
    pending: PendingLogin,
    params: CallbackParams,
}

impl AcceptedCallback {
    /// The shop the merchant is signing in to.
    pub fn shop_domain(&self) -> &str {
        &self.pending.shop_domain
    }
}

impl std::fmt::Debug for AcceptedCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcceptedCallback")
            .field("shop_domain", &self.pending.shop_domain)
            .finish_non_exhaustive()
    }
}

/// Sign-in and per-shop sessions. Cheap to clone; clones share everything.
#[derive(Debug, Clone)]
pub struct SessionManager {
    inner: Arc<Inner>,
}

/// What a shop's client calls when Trustoo refuses its token: one refresh (single-flight
/// through [`SessionManager::ensure_fresh`]), after which the client retries the call.
///
/// Why weak references: the session owns the client and the client owns this; strong ones
/// would keep a signed-out session alive forever.
#[derive(Debug)]
struct RefreshOn401 {
    sessions: std::sync::Weak<Inner>,
    live: std::sync::Weak<Live>,
    domain: String,
}

impl reviewdesk_trustoo::Renewer for RefreshOn401 {
    fn renew<'a>(&'a self, rejected: &'a Auth) -> reviewdesk_trustoo::RenewFuture<'a> {
        Box::pin(async move {
            let (Some(inner), Some(live)) = (self.sessions.upgrade(), self.live.upgrade()) else {
                return Ok(false);
            };
            let sessions = SessionManager { inner };
            match sessions
                .after_unauthorized(&self.domain, &live, rejected)
                .await
            {
                Ok(()) => Ok(true),
                // The refresh itself could not be made (Trustoo unreachable, busy…): that is
                // what the call failed with, and the session is kept.
                Err(AuthError::Trustoo(e)) => Err(e),
                // The sign-in ended or the shop's own tokens were refused: the 401 stands.
                Err(e) => {
                    tracing::info!(error = %e, "credentials refused and cannot be renewed");
                    Ok(false)
                }
            }
        })
    }
}

/// Refresh refused for good (as opposed to a network or server problem).
fn refresh_rejected(e: &reviewdesk_trustoo::Error) -> bool {
    use reviewdesk_trustoo::Error as E;
    match e {
        E::Unauthorized { .. } => true,
        E::Validation { message } => message.contains("invalid_grant"),
        _ => false,
    }
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

    // ---- Browser sign-in ----------------------------------------------------------------

    /// Starts a browser sign-in for `shop` (what the merchant typed: `my-store` or
    /// `my-store.myshopify.com`). Cancels any sign-in in progress. Open the returned URL in the
    /// system browser.
    ///
    /// The URL carries `client_id, redirect_uri, state, scope, response_type=code,
    /// code_challenge, code_challenge_method=S256`, plus `shop=<domain>` so the consent page can
    /// preselect the shop (Trustoo has no token-introspection endpoint; the domain is how we
    /// know which shop the tokens are for).
    ///
    /// The attempt is kept in the keyring too, so the callback still completes it when the
    /// app was closed meanwhile and the OS starts it afresh (cold start).
    pub async fn start_login(&self, shop: &str) -> Result<LoginStart, AuthError> {
        let shop_domain = normalize_shop_domain(shop)?;
        let now = self.now();
        let pending = PendingLogin::new(shop_domain.clone(), now);
        let mut url = self
            .inner
            .oauth
            .authorize_url(&AuthorizeRequest {
                redirect_uri: self.inner.cfg.redirect_uri.clone(),
                state: pending.state.clone(),
                scopes: self.inner.cfg.scopes.clone(),
                code_challenge: Some(pending.pkce.challenge.clone()),
            })
            .map_err(|e| AuthError::Config(e.to_string()))?;
        url.query_pairs_mut().append_pair("shop", &shop_domain);
        self.inner
            .store
            .set(&Self::pending_key(), pending.to_secret())
            .await?;
        if self.login_flow().begin(pending) {
            tracing::info!("a newer sign-in replaced the one in progress");
        }
        Ok(LoginStart {
            authorize_url: url,
            shop_domain,
            expires_at: now + LOGIN_TTL,
        })
    }

    /// Cancels the sign-in in progress (its callback will be refused). Returns true if there
    /// was one.
    pub async fn cancel_login(&self) -> bool {
        let cancelled = self.login_flow().cancel();
        self.forget_pending_login().await;
        cancelled
    }

    /// Handles the deep link `reviewdesk://oauth/callback?…` (pass the raw string the OS gave).
    /// On success the tokens are in the keyring, the shop is in the list and active.
    /// Same as [`SessionManager::accept_callback`] then [`SessionManager::finish_login`].
    pub async fn complete_login(&self, callback_url: &str) -> Result<LoginOutcome, AuthError> {
        let accepted = self.accept_callback(callback_url).await?;
        self.finish_login(accepted).await
    }

    /// First half of [`SessionManager::complete_login`]: parses the link strictly and takes the
    /// sign-in in progress if, and only if, the link belongs to it. Nothing slow happens here,
    /// so the caller knows at once whether this link is the genuine callback (then show
    /// "finishing sign-in" and call [`SessionManager::finish_login`]) or one to refuse.
    ///
    /// Why split: a refused link (forged, replayed, garbage, a second copy of the genuine one)
    /// must leave the sign-in in progress, and what the merchant sees of it, untouched. The
    /// pending attempt, in memory and in the keyring, is only consumed by its own `state`.
    pub async fn accept_callback(
        &self,
        callback_url: &str,
    ) -> Result<AcceptedCallback, CallbackRejection> {
        let params = parse_callback(callback_url, &self.inner.redirect)?;
        let taken = self.login_flow().take(params.state(), self.now());
        // Only a link with the pending attempt's own state consumes it (a match, or a match
        // that came too late); then its keyring copy goes too. A replayed state (an older,
        // spent attempt) leaves the newer attempt pending, and its keyring copy with it, so a
        // cold start can still finish it.
        if matches!(taken, Ok(_) | Err(CallbackRejection::StateExpired)) {
            self.forget_pending_login().await;
        }
        Ok(AcceptedCallback {
            pending: taken?,
            params,
        })
    }

    /// Second half of [`SessionManager::complete_login`]: exchanges the code of an accepted
    /// callback, confirms the shop and stores the tokens.
    pub async fn finish_login(
        &self,
        accepted: AcceptedCallback,
    ) -> Result<LoginOutcome, AuthError> {
        let AcceptedCallback { pending, params } = accepted;
        let code = match params {
            CallbackParams::Code { code, .. } => code,
            CallbackParams::Error {
                error: ProviderError::AccessDenied,
                ..
            } => return Ok(LoginOutcome::Declined),
            CallbackParams::Error { error, .. } => {
                return Err(CallbackRejection::Provider(error).into())
            }
        };
        let domain = pending.shop_domain.clone();
        let ts = self
            .inner
            .oauth
            .exchange_code(&code, &self.inner.cfg.redirect_uri, verifier(&pending))
            .await
            .map_err(|e| {
                if e.is_transient() {
                    AuthError::Trustoo(e)
                } else {
                    AuthError::Exchange(e)
                }
            })?;
        let granted = ts.scopes.clone();
        let tokens = OAuthTokens::from_set(ts, self.now(), None);

        // Which shop did the merchant authorize? Confirm it is the one they named.
        let info = match self.inner.oauth.authorization_info(&domain).await {
            Ok(i) => i,
            Err(e) => {
                self.revoke_quietly(&tokens).await;
                return Err(AuthError::Trustoo(e));
            }
        };
        let domain_matches =
            info.myshopify_domain.is_empty() || info.myshopify_domain.eq_ignore_ascii_case(&domain);
        if !info.is_authorized || !domain_matches {
            self.revoke_quietly(&tokens).await;
            return Err(AuthError::WrongShop);
        }
        if let Err(e) = self.persist_oauth(&domain, &tokens).await {
            self.revoke_quietly(&tokens).await;
            return Err(e);
        }
        // One mode per shop: drop an older HMAC entry.
        if let Err(e) = self
            .inner
            .store
            .delete(&StoreKey::new(&domain, SecretKind::Hmac))
            .await
        {
            tracing::warn!(error = %e, "could not delete an older HMAC entry");
        }
        let scopes = if granted.is_empty() {
            info.granted_scopes.clone()
        } else {
            granted
        };
        let shop_id = (!info.shop_id.as_str().is_empty()).then(|| info.shop_id.clone());
        let client = self.new_client(Auth::Bearer(tokens.access.clone()))?;
        let known = self
            .remember_shop(&domain, None, shop_id, scopes, AuthMode::Oauth)
            .await?;
        self.install_live(
            &domain,
            Live {
                client,
                creds: tokio::sync::Mutex::new(Creds::OAuth(tokens)),
            },
        )
        .await;
        Ok(LoginOutcome::SignedIn(self.session_of(&known)))
    }

    /// Adds/updates the shop in the file and makes it active; keeps an existing name.
    async fn remember_shop(
        &self,
        domain: &str,
        name: Option<String>,
        shop_id: Option<ShopId>,
        scopes: Vec<String>,
        auth_mode: AuthMode,
    ) -> Result<KnownShop, AuthError> {
        let mut shops = self.inner.shops.lock().await;
        let old = shops.get(domain).cloned();
        let known = KnownShop {
            domain: domain.to_owned(),
            name: name
                .filter(|n| !n.trim().is_empty())
                .or_else(|| old.as_ref().map(|o| o.name.clone()))
                .unwrap_or_else(|| name_from_domain(domain)),
            shop_id: shop_id.or_else(|| old.and_then(|o| o.shop_id)),
            scopes,
            auth_mode,
        };
        shops.upsert_active(known.clone()).await?;
        Ok(known)
    }

    /// Installs a live session; the tokens of a replaced OAuth session are revoked quietly.
    async fn install_live(&self, domain: &str, live: Live) {
        if let Some(old) = self.set_live(domain, Some(live)) {
            let creds = std::mem::replace(&mut *old.creds.lock().await, Creds::Expired);
            if let Creds::OAuth(t) = creds {
                self.revoke_quietly(&t).await;
            }
        }
    }

    async fn revoke_quietly(&self, t: &OAuthTokens) {
        let token = t.refresh.as_ref().unwrap_or(&t.access);
        if let Err(e) = self.inner.oauth.revoke(token).await {
            tracing::warn!(error = %e, "could not revoke unused tokens");
        }
    }

    /// Saves OAuth tokens; if the blob is too large for the keyring, saves only the refresh
    /// token (the access token then lives in memory only).
    async fn persist_oauth(&self, domain: &str, t: &OAuthTokens) -> Result<(), AuthError> {
        let key = StoreKey::new(domain, SecretKind::OAuth);
        match self.inner.store.set(&key, t.encode(true)).await {
            Err(StoreError::TooLarge { .. }) if t.refresh.is_some() => {
                tracing::info!(
                    "tokens too large for the keyring; keeping the access token in memory only"
                );
                Ok(self.inner.store.set(&key, t.encode(false)).await?)
            }
            other => Ok(other?),
        }
    }

    // ---- HMAC connect -------------------------------------------------------------------

    /// Connects a shop with its Public and Private Token (HMAC mode). The tokens are checked
    /// with a cheap read (`get_rating`) before anything is stored.
    pub async fn connect_hmac(
        &self,
        shop: &str,
        shop_name: Option<String>,
        public_token: Secret,
        private_token: Secret,
    ) -> Result<ShopSession, AuthError> {
        let domain = normalize_shop_domain(shop)?;
        if public_token.is_empty() || private_token.is_empty() {
            return Err(AuthError::CredentialsRejected);
        }
        let auth = Auth::Hmac {
            public_token: public_token.clone(),
            private_token: private_token.clone(),
        };
        let client = self.new_client(auth)?;
        match client.get_rating(RatingQuery::all()).await {
            Ok(_) => {}
            Err(reviewdesk_trustoo::Error::Unauthorized { .. }) => {
                return Err(AuthError::CredentialsRejected)
            }
            Err(e) => return Err(AuthError::Trustoo(e)),
        }
        // The shop id, if the platform endpoint knows the shop (best effort).
        let shop_id = match self.inner.oauth.authorization_info(&domain).await {
            Ok(i)
                if i.myshopify_domain.eq_ignore_ascii_case(&domain)
                    && !i.shop_id.as_str().is_empty() =>
            {
                Some(i.shop_id)
            }
            _ => None,
        };
        self.inner
            .store
            .set(
                &StoreKey::new(&domain, SecretKind::Hmac),
                encode_hmac(&public_token, &private_token),
            )
            .await?;
        if let Err(e) = self
            .inner
            .store
            .delete(&StoreKey::new(&domain, SecretKind::OAuth))
            .await
        {
            tracing::warn!(error = %e, "could not delete older OAuth tokens");
        }
        let known = self
            .remember_shop(&domain, shop_name, shop_id, Vec::new(), AuthMode::Hmac)
            .await?;
        self.install_live(
            &domain,
            Live {
                client,
                creds: tokio::sync::Mutex::new(Creds::Hmac),
            },
        )
        .await;
        Ok(self.session_of(&known))
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

    // ---- Using a session ----------------------------------------------------------------

    fn live_for(&self, shop: &str) -> Result<(String, Arc<Live>), AuthError> {
        let domain = normalize_shop_domain(shop)?;
        let live = self.live(&domain).ok_or(AuthError::NotSignedIn)?;
        Ok((domain, live))
    }

    /// The shop's client with a fresh token (refreshed first when it expires within the
    /// margin). Clones share credentials: a later refresh is seen by every clone. The client
    /// refreshes by itself when Trustoo refuses its token (401), single-flight across every
    /// clone and call, and makes the refused call once more: callers never handle a 401.
    pub async fn client(&self, shop: &str) -> Result<TrustooClient, AuthError> {
        let (domain, live) = self.live_for(shop)?;
        self.ensure_fresh(&domain, &live, None).await?;
        Ok(live.client.clone())
    }

    async fn after_unauthorized(
        &self,
        domain: &str,
        live: &Live,
        used: &Auth,
    ) -> Result<(), AuthError> {
        match used {
            Auth::Bearer(token) => self.ensure_fresh(domain, live, Some(token)).await,
            Auth::Hmac { .. } => Err(AuthError::CredentialsRejected),
        }
    }

    /// The single-flight point: holds the shop's credential lock while refreshing, so
    /// concurrent callers wait and then see the new token instead of refreshing again.
    /// `failed`: the token a call was refused with (refresh only if it is still current).
    async fn ensure_fresh(
        &self,
        domain: &str,
        live: &Live,
        failed: Option<&Secret>,
    ) -> Result<(), AuthError> {
        let mut creds = live.creds.lock().await;
        let refresh_token = match &*creds {
            Creds::Hmac => {
                return match failed {
                    Some(_) => Err(AuthError::CredentialsRejected),
                    None => Ok(()),
                }
            }
            Creds::Expired => return Err(AuthError::SessionExpired),
            Creds::OAuth(t) => {
                let needed = match failed {
                    Some(f) => t.access == *f,
                    None => {
                        let soon = self.now() + self.inner.cfg.refresh_margin;
                        t.access.is_empty() || t.expires_at.is_some_and(|e| e <= soon)
                    }
                };
                if !needed {
                    return Ok(());
                }
                t.refresh.clone()
            }
        };
        let Some(refresh_token) = refresh_token else {
            *creds = Creds::Expired;
            drop(creds);
            self.forget_dead_tokens(domain).await;
            return Err(AuthError::SessionExpired);
        };
        match self.inner.oauth.refresh(&refresh_token).await {
            Ok(ts) => {
                let new = OAuthTokens::from_set(ts, self.now(), Some(refresh_token));
                // Refresh tokens rotate: the old one is dead now, so save the new one. If the
                // keyring fails, the session goes on in memory; the next start asks to sign in.
                if let Err(e) = self.persist_oauth(domain, &new).await {
                    tracing::warn!(error = %e, "could not save refreshed tokens");
                }
                live.client.set_auth(Auth::Bearer(new.access.clone()));
                *creds = Creds::OAuth(new);
                tracing::debug!("access token refreshed");
                Ok(())
            }
            Err(e) if refresh_rejected(&e) => {
                *creds = Creds::Expired;
                drop(creds);
                self.forget_dead_tokens(domain).await;
                Err(AuthError::SessionExpired)
            }
            Err(e) => Err(AuthError::Trustoo(e)),
        }
    }

    async fn forget_dead_tokens(&self, domain: &str) {
        if let Err(e) = self
            .inner
            .store
            .delete(&StoreKey::new(domain, SecretKind::OAuth))
            .await
        {
            tracing::warn!(error = %e, "could not delete expired tokens");
        }
    }

    // ---- Sign-out -----------------------------------------------------------------------

    /// Signs a shop out: disconnect (Bearer), revoke the refresh and access token, delete the
    /// keyring entries, forget the shop. Every step runs even if an earlier one failed.
    /// Drafts and cached reviews are the caller's and are not touched.
    pub async fn sign_out(&self, shop: &str) -> SignOutReport {
        let domain = normalize_shop_domain(shop).unwrap_or_else(|_| shop.to_owned());
        let mut steps = Vec::new();
        let fail = |e: &dyn std::fmt::Display| StepResult::Failed(e.to_string());
        let live = self.set_live(&domain, None);
        let creds = match &live {
            Some(l) => std::mem::replace(&mut *l.creds.lock().await, Creds::Expired),
            None => Creds::Expired,
        };
        match (creds, live) {
            (Creds::OAuth(mut t), Some(live)) => {
                // Disconnect needs a working Bearer token; refresh once if it was refused.
                let mut r = live.client.disconnect().await;
                if matches!(r, Err(reviewdesk_trustoo::Error::Unauthorized { .. })) {
                    if let Some(rt) = t.refresh.clone() {
                        if let Ok(ts) = self.inner.oauth.refresh(&rt).await {
                            t = OAuthTokens::from_set(ts, self.now(), Some(rt));
                            live.client.set_auth(Auth::Bearer(t.access.clone()));
                            r = live.client.disconnect().await;
                        }
                    }
                }
                steps.push((
                    SignOutStep::Disconnect,
                    r.map_or_else(|e| fail(&e), |_| StepResult::Done),
                ));
                let refresh = match &t.refresh {
                    Some(rt) => self
                        .inner
                        .oauth
                        .revoke(rt)
                        .await
                        .map_or_else(|e| fail(&e), |_| StepResult::Done),
                    None => StepResult::Skipped,
                };
                steps.push((SignOutStep::RevokeRefreshToken, refresh));
                let access = self
                    .inner
                    .oauth
                    .revoke(&t.access)
                    .await
                    .map_or_else(|e| fail(&e), |_| StepResult::Done);
                steps.push((SignOutStep::RevokeAccessToken, access));
            }
            _ => {
                steps.push((SignOutStep::Disconnect, StepResult::Skipped));
                steps.push((SignOutStep::RevokeRefreshToken, StepResult::Skipped));
                steps.push((SignOutStep::RevokeAccessToken, StepResult::Skipped));
            }
        }
        let mut deleted = StepResult::Done;
        for kind in [SecretKind::OAuth, SecretKind::Hmac] {
            if let Err(e) = self.inner.store.delete(&StoreKey::new(&domain, kind)).await {
                deleted = fail(&e);
            }
        }
        steps.push((SignOutStep::DeleteKeyringEntries, deleted));
        let forgot = self
            .inner
            .shops
            .lock()
            .await
            .remove(&domain)
            .await
            .map_or_else(|e| fail(&e), |_| StepResult::Done);
        steps.push((SignOutStep::ForgetShop, forgot));
        SignOutReport {
            shop_domain: domain,
            steps,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use reviewdesk_trustoo::{Error as TErr, ShopAuthorizationInfo};

    use super::*;
    use crate::backend::BoxFuture;
    use crate::clock::ManualClock;
    use crate::store::MemoryStore;

    /// A counting fake of Trustoo's token endpoint: issues `access-N`/`refresh-N`, counts
    /// refresh grants, records revocations.
    #[derive(Debug, Default)]
    struct CountingFakeTokenEndpoint {
        refreshes: AtomicUsize,
        reject_refresh: AtomicBool,
        revoked: Mutex<Vec<String>>,
    }

    fn token_set(n: usize) -> TokenSet {
        TokenSet {
            access_token: Secret::new(format!("access-{n}")),
            token_type: "Bearer".into(),
            expires_in: Some(Duration::from_secs(3600)),
            refresh_token: Some(Secret::new(format!("refresh-{n}"))),
            scopes: reviewdesk_core::trustoo_scopes_to_request(),
        }
    }

    impl OAuthBackend for CountingFakeTokenEndpoint {
        fn authorize_url(&self, req: &AuthorizeRequest) -> Result<Url, TErr> {
            let mut u =
                Url::parse("https://trustoo.example/api/v1/openapi/oauth/authorize").unwrap();
            u.query_pairs_mut()
                .append_pair("client_id", "fake")
                .append_pair("redirect_uri", &req.redirect_uri)
                .append_pair("state", &req.state)
                .append_pair("scope", &req.scopes.join(","))
                .append_pair("response_type", "code")
                .append_pair(
                    "code_challenge",
                    req.code_challenge.as_deref().unwrap_or(""),
                )
                .append_pair("code_challenge_method", "S256");
            Ok(u)
        }
        fn exchange_code<'a>(
            &'a self,
            code: &'a Secret,
            _: &'a str,
            v: &'a Secret,
        ) -> BoxFuture<'a, Result<TokenSet, TErr>> {
            Box::pin(async move {
                assert!(!v.is_empty());
                if code.expose() == "used-code" {
                    return Err(TErr::Validation {
                        message: "invalid_grant: authorization code already used".into(),
                    });
                }
                Ok(token_set(1))
            })
        }
        fn refresh<'a>(&'a self, rt: &'a Secret) -> BoxFuture<'a, Result<TokenSet, TErr>> {
            Box::pin(async move {
                // Give concurrent callers every chance to pile up behind us.
                for _ in 0..10 {
                    tokio::task::yield_now().await;
                }
                if self.reject_refresh.load(Ordering::SeqCst) {
                    return Err(TErr::Validation {
                        message: "invalid_grant: refresh token revoked".into(),
                    });
                }
                let n = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
                assert_eq!(
                    rt.expose(),
                    format!("refresh-{n}"),
                    "the rotated refresh token is used"
                );
                Ok(token_set(n + 1))
            })
        }
        fn revoke<'a>(&'a self, token: &'a Secret) -> BoxFuture<'a, Result<(), TErr>> {
            Box::pin(async move {
                self.revoked.lock().unwrap().push(token.expose().to_owned());
                Ok(())
            })
        }
        fn authorization_info<'a>(
            &'a self,
            d: &'a str,
        ) -> BoxFuture<'a, Result<ShopAuthorizationInfo, TErr>> {
            Box::pin(async move {
                Ok(ShopAuthorizationInfo {
                    is_authorized: d != "other-shop.myshopify.com",
                    authorized_at: None,
                    granted_scopes: vec!["read_reviews".into()],
                    shop_id: "42".into(),
                    myshopify_domain: d.to_owned(),
                    can_upload_video: None,
                })
            })
        }
    }

    struct Rig {
        mgr: SessionManager,
        fake: Arc<CountingFakeTokenEndpoint>,
        store: Arc<MemoryStore>,
        clock: Arc<ManualClock>,
        dir: PathBuf,
    }

    impl Drop for Rig {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    const SHOP: &str = "shop-a.myshopify.com";

    async fn rig() -> Rig {
        let dir = std::env::temp_dir().join(format!("rd-auth-{}", crate::login::random_state()));
        let cfg = AuthConfig::new(
            Url::parse("http://127.0.0.1:9/").unwrap(),
            Environment::Sandbox,
            "fake",
            Secret::new("CLIENTSECRETxyz"),
            dir.join("shops.json"),
        );
        let fake = Arc::new(CountingFakeTokenEndpoint::default());
        let store = Arc::new(MemoryStore::new());
        let clock = Arc::new(ManualClock::at_unix(1_800_000_000));
        let mgr = SessionManager::with_parts(cfg, store.clone(), fake.clone(), clock.clone())
            .await
            .unwrap();
        Rig {
            mgr,
            fake,
            store,
            clock,
            dir,
        }
    }

    fn state_of(url: &Url) -> String {
        url.query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned()
    }

    /// What the shop client's renewer does when Trustoo refused `token` (tested here without
    /// a server; the whole path through a real 401 is in tests/flow.rs against the sandbox).
    async fn refused_with(mgr: &SessionManager, token: &str) -> Result<(), AuthError> {
        let (domain, live) = mgr.live_for(SHOP)?;
        mgr.after_unauthorized(&domain, &live, &Auth::Bearer(Secret::new(token)))
            .await
    }

    async fn sign_in(r: &Rig) -> ShopSession {
        let start = r.mgr.start_login("shop-a").await.unwrap();
        let cb = format!(
            "reviewdesk://oauth/callback?code=good-code&state={}",
            state_of(&start.authorize_url)
        );
        match r.mgr.complete_login(&cb).await.unwrap() {
            LoginOutcome::SignedIn(s) => s,
            other => panic!("{other:?}"),
        }
    }

    fn stored_blob(r: &Rig) -> String {
        r.store
            .get(&StoreKey::new(SHOP, SecretKind::OAuth))
            .unwrap()
            .map(|s| s.expose().to_owned())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn login_stores_tokens_and_lists_the_shop() {
        let r = rig().await;
        let start = r.mgr.start_login("Shop-A").await.unwrap();
        let q: HashMap<String, String> = start.authorize_url.query_pairs().into_owned().collect();
        assert_eq!(
            q.get("code_challenge_method").map(String::as_str),
            Some("S256")
        );
        assert_eq!(q.get("shop").map(String::as_str), Some(SHOP));
        assert_eq!(
            q.get("redirect_uri").map(String::as_str),
            Some(crate::REDIRECT_URI)
        );
        let s = sign_in(&r).await;
        assert_eq!(s.domain, SHOP);
        assert_eq!(s.shop_id.as_str(), "42");
        assert_eq!(s.auth_mode, AuthMode::Oauth);
        assert!(stored_blob(&r).contains("refresh-1"));
        let shops = r.mgr.shops().await;
        assert_eq!(shops.len(), 1);
        assert!(shops[0].signed_in && shops[0].active);
        assert_eq!(r.mgr.active_shop().await.unwrap().domain, SHOP);
        // A second manager on the same file and store restores the session.
        let cfg2 = r.mgr.inner.cfg.clone();
        let m2 = SessionManager::with_parts(cfg2, r.store.clone(), r.fake.clone(), r.clock.clone())
            .await
            .unwrap();
        let restored = m2.restore().await;
        assert!(restored[0].signed_in, "{restored:?}");
        assert_eq!(
            m2.client(SHOP).await.unwrap().auth(),
            Auth::Bearer(Secret::new("access-1"))
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn twenty_concurrent_401s_cause_exactly_one_refresh() {
        let r = rig().await;
        sign_in(&r).await;
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let mgr = r.mgr.clone();
            set.spawn(async move { refused_with(&mgr, "access-1").await });
        }
        while let Some(res) = set.join_next().await {
            res.unwrap().unwrap();
        }
        assert_eq!(r.fake.refreshes.load(Ordering::SeqCst), 1);
        assert!(
            stored_blob(&r).contains("refresh-2"),
            "the rotated refresh token was saved"
        );
        assert_eq!(
            r.mgr.client(SHOP).await.unwrap().auth(),
            Auth::Bearer(Secret::new("access-2"))
        );
        // A late report of the same stale token: no further refresh.
        refused_with(&r.mgr, "access-1").await.unwrap();
        assert_eq!(r.fake.refreshes.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_shop_whose_tokens_cannot_be_loaded_says_why_in_every_listing() {
        let r = rig().await;
        sign_in(&r).await;
        // The next start finds the keyring entry damaged.
        r.store
            .set(
                &StoreKey::new(SHOP, SecretKind::OAuth),
                &Secret::new("not json"),
            )
            .unwrap();
        let cfg = AuthConfig::new(
            Url::parse("http://127.0.0.1:9/").unwrap(),
            Environment::Sandbox,
            "fake",
            Secret::new("CLIENTSECRETxyz"),
            r.dir.join("shops.json"),
        );
        let restarted =
            SessionManager::with_parts(cfg, r.store.clone(), r.fake.clone(), r.clock.clone())
                .await
                .unwrap();
        let at_start = restarted.restore().await;
        assert!(!at_start[0].signed_in);
        let problem = at_start[0].problem.clone();
        assert!(problem.is_some(), "{at_start:?}");
        let later = restarted.shops().await;
        assert_eq!(later[0].problem, problem, "the switcher asks again later");
    }

    #[tokio::test]
    async fn refreshes_when_less_than_a_minute_is_left() {
        let r = rig().await;
        sign_in(&r).await;
        r.clock.advance(Duration::from_secs(3600 - 61));
        r.mgr.client(SHOP).await.unwrap();
        assert_eq!(r.fake.refreshes.load(Ordering::SeqCst), 0);
        r.clock.advance(Duration::from_secs(2));
        let c = r.mgr.client(SHOP).await.unwrap();
        assert_eq!(r.fake.refreshes.load(Ordering::SeqCst), 1);
        assert_eq!(c.auth(), Auth::Bearer(Secret::new("access-2")));
        r.mgr.client(SHOP).await.unwrap();
        assert_eq!(r.fake.refreshes.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn refused_refresh_is_session_expired() {
        let r = rig().await;
        sign_in(&r).await;
        r.fake.reject_refresh.store(true, Ordering::SeqCst);
        let e = refused_with(&r.mgr, "access-1").await.unwrap_err();
        assert!(matches!(e, AuthError::SessionExpired), "{e:?}");
        assert_eq!(e.to_string(), "Your session expired — sign in again");
        assert!(e.needs_sign_in());
        assert!(matches!(
            r.mgr.client(SHOP).await,
            Err(AuthError::SessionExpired)
        ));
        assert_eq!(
            stored_blob(&r),
            "",
            "dead tokens are removed from the keyring"
        );
        let shops = r.mgr.shops().await;
        assert!(!shops[0].signed_in, "the shop stays listed, signed out");
        assert_eq!(
            shops[0].problem.as_deref(),
            Some("Your session expired — sign in again"),
            "and every listing says why"
        );
    }

    #[tokio::test]
    async fn declined_forged_replayed_and_wrong_shop() {
        let r = rig().await;
        let start = r.mgr.start_login(SHOP).await.unwrap();
        let st = state_of(&start.authorize_url);
        let forged = r
            .mgr
            .complete_login("reviewdesk://oauth/callback?code=x&state=forged")
            .await
            .unwrap_err();
        assert!(matches!(
            forged,
            AuthError::Callback(CallbackRejection::StateMismatch)
        ));
        let out = r
            .mgr
            .complete_login(&format!(
                "reviewdesk://oauth/callback?error=access_denied&state={st}"
            ))
            .await
            .unwrap();
        assert_eq!(out, LoginOutcome::Declined);
        assert_eq!(out.to_string(), "You declined access");
        let replay = r
            .mgr
            .complete_login(&format!("reviewdesk://oauth/callback?code=x&state={st}"))
            .await
            .unwrap_err();
        assert!(matches!(
            replay,
            AuthError::Callback(CallbackRejection::StateReused)
        ));
        // Expired attempt.
        let start = r.mgr.start_login(SHOP).await.unwrap();
        r.clock.advance(LOGIN_TTL);
        let e = r
            .mgr
            .complete_login(&format!(
                "reviewdesk://oauth/callback?code=x&state={}",
                state_of(&start.authorize_url)
            ))
            .await
            .unwrap_err();
        assert!(matches!(
            e,
            AuthError::Callback(CallbackRejection::StateExpired)
        ));
        // A code Trustoo refuses.
        let start = r.mgr.start_login(SHOP).await.unwrap();
        let e = r
            .mgr
            .complete_login(&format!(
                "reviewdesk://oauth/callback?code=used-code&state={}",
                state_of(&start.authorize_url)
            ))
            .await
            .unwrap_err();
        assert!(matches!(e, AuthError::Exchange(_)), "{e:?}");
        // Trustoo does not confirm the shop: tokens revoked, nothing stored.
        let start = r.mgr.start_login("other-shop").await.unwrap();
        let e = r
            .mgr
            .complete_login(&format!(
                "reviewdesk://oauth/callback?code=ok&state={}",
                state_of(&start.authorize_url)
            ))
            .await
            .unwrap_err();
        assert!(matches!(e, AuthError::WrongShop), "{e:?}");
        assert!(r.store.is_empty());
        assert_eq!(r.fake.revoked.lock().unwrap().as_slice(), ["refresh-1"]);
    }

    #[tokio::test]
    async fn a_refused_link_never_cancels_the_pending_login() {
        let r = rig().await;
        let older = r.mgr.start_login(SHOP).await.unwrap();
        let start = r.mgr.start_login(SHOP).await.unwrap();
        let st = state_of(&start.authorize_url);
        let refused = [
            // Forged state.
            "reviewdesk://oauth/callback?code=x&state=forged".to_owned(),
            // The older attempt's link, replayed (its state is spent).
            format!(
                "reviewdesk://oauth/callback?code=x&state={}",
                state_of(&older.authorize_url)
            ),
            // Wrong host, garbage, a byte that was not UTF-8 (replaced by U+FFFD).
            format!("reviewdesk://evil/callback?code=x&state={st}"),
            "garbage".to_owned(),
            format!("reviewdesk://oauth/callback?code=\u{FFFD}&state={st}"),
        ];
        for link in &refused {
            let e = r.mgr.complete_login(link).await.unwrap_err();
            assert!(matches!(e, AuthError::Callback(_)), "{link}: {e:?}");
        }
        // The app is closed and the OS starts it again for the genuine callback: the attempt is
        // still in the keyring.
        let restarted = SessionManager::with_parts(
            r.mgr.inner.cfg.clone(),
            r.store.clone(),
            r.fake.clone(),
            r.clock.clone(),
        )
        .await
        .unwrap();
        let genuine = format!("reviewdesk://oauth/callback?code=good-code&state={st}");
        assert!(
            matches!(
                restarted.complete_login(&genuine).await,
                Ok(LoginOutcome::SignedIn(_))
            ),
            "the persisted attempt survived the refused links"
        );
        // And in the running app the attempt was still pending as well.
        assert!(matches!(
            r.mgr.complete_login(&genuine).await,
            Ok(LoginOutcome::SignedIn(_))
        ));
    }

    #[tokio::test]
    async fn a_second_link_while_the_exchange_runs_leaves_the_sign_in_alone() {
        let r = rig().await;
        let start = r.mgr.start_login(SHOP).await.unwrap();
        let st = state_of(&start.authorize_url);
        let genuine = format!("reviewdesk://oauth/callback?code=good-code&state={st}");
        let accepted = r.mgr.accept_callback(&genuine).await.unwrap();
        assert_eq!(accepted.shop_domain(), SHOP);
        // The browser sends the same link again, and a forged one follows.
        assert_eq!(
            r.mgr.accept_callback(&genuine).await.unwrap_err(),
            CallbackRejection::StateReused
        );
        assert_eq!(
            r.mgr
                .accept_callback("reviewdesk://oauth/callback?code=x&state=forged")
                .await
                .unwrap_err(),
            CallbackRejection::NoLoginInProgress
        );
        match r.mgr.finish_login(accepted).await.unwrap() {
            LoginOutcome::SignedIn(s) => assert_eq!(s.domain, SHOP),
            other => panic!("{other:?}"),
        }
        assert!(!stored_blob(&r).is_empty(), "the tokens are stored");
    }

    #[tokio::test]
    async fn sign_out_runs_every_step_even_when_one_fails() {
        let r = rig().await;
        sign_in(&r).await;
        // api_base is 127.0.0.1:9 (nothing listens): disconnect fails, the rest goes on.
        let report = r.mgr.sign_out(SHOP).await;
        assert!(
            matches!(
                report.step(SignOutStep::Disconnect),
                Some(StepResult::Failed(_))
            ),
            "{report:?}"
        );
        assert_eq!(
            report.step(SignOutStep::RevokeRefreshToken),
            Some(&StepResult::Done)
        );
        assert_eq!(
            report.step(SignOutStep::RevokeAccessToken),
            Some(&StepResult::Done)
        );
        assert_eq!(
            report.step(SignOutStep::DeleteKeyringEntries),
            Some(&StepResult::Done)
        );
        assert_eq!(
            report.step(SignOutStep::ForgetShop),
            Some(&StepResult::Done)
        );
        assert!(!report.is_clean());
        assert_eq!(
            r.fake.revoked.lock().unwrap().as_slice(),
            ["refresh-1", "access-1"]
        );
        assert!(r.store.is_empty());
        assert!(r.mgr.shops().await.is_empty());
        assert!(matches!(
            r.mgr.client(SHOP).await,
            Err(AuthError::NotSignedIn)
        ));
        assert!(!format!("{report:?}").contains("access-1"));
    }

    #[tokio::test]
    async fn no_secret_in_any_debug_or_display() {
        let r = rig().await;
        let start = r.mgr.start_login(SHOP).await.unwrap();
        let st = state_of(&start.authorize_url);
        // The pending PKCE verifier is held as a `Secret`.
        assert!(format!("{:?}", r.mgr.inner.login).contains("<redacted>"));
        let bad = r
            .mgr
            .complete_login(&format!(
                "reviewdesk://oauth/callback?code=CODEzzz&state={st}&x=CODEzzz"
            ))
            .await
            .unwrap_err();
        sign_in(&r).await;
        r.fake.reject_refresh.store(true, Ordering::SeqCst);
        let expired = refused_with(&r.mgr, "access-1").await.unwrap_err();
        let errors: Vec<AuthError> = vec![
            bad,
            expired,
            AuthError::Exchange(TErr::Validation {
                message: "invalid_grant".into(),
            }),
            AuthError::Store(StoreError::KeyringUnavailable {
                reason: "locked".into(),
            }),
            AuthError::Store(StoreError::TooLarge { utf16_bytes: 3000 }),
            AuthError::CredentialsRejected,
        ];
        let mut text = format!("{:?} {:?}", r.mgr, start);
        for e in &errors {
            text.push_str(&format!("{e} {e:?} "));
        }
        for secret in [
            "access-1",
            "refresh-1",
            "access-2",
            "CLIENTSECRETxyz",
            "CODEzzz",
            "good-code",
        ] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }
}
