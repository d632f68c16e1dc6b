//! Trustpilot sign-in: the merchant's own API application, every grant of Trustpilot's
//! Authentication page, the business unit the account is, and its credentials in the keyring.
//!
//! Why here: `auth` owns every credential and the keyring (ARCHITECTURE.md, "Providers");
//! `reviewdesk-trustpilot` stays a plain API client. Nothing secret ships in ReviewDesk: the
//! merchant creates an application in Trustpilot Business (Integrations → Developers → APIs)
//! and pastes its key (and secret, for every grant but implicit).
//!
//! Entry point: [`TrustpilotAccounts`]. The flow the app drives:
//!
//! 1. at startup [`TrustpilotAccounts::new`] (resumes a browser sign-in an earlier run started,
//!    for a cold-start callback) then [`TrustpilotAccounts::restore`];
//! 2. sign in with one grant — [`TrustpilotAccounts::start_browser_sign_in`] (authorization
//!    code or implicit; open the URL in the system browser, the deep link comes back to
//!    [`TrustpilotAccounts::accept_callback`] + [`TrustpilotAccounts::finish_sign_in`]),
//!    [`TrustpilotAccounts::sign_in_with_password`] or
//!    [`TrustpilotAccounts::sign_in_with_client_credentials`];
//! 3. pick the business unit: [`TrustpilotAccounts::find_business_unit`] (the shop's domain,
//!    or a name the merchant types) then [`TrustpilotAccounts::choose_business_unit`], which
//!    stores everything and returns the account with its TrustScore and star counts;
//! 4. data calls: [`TrustpilotAccounts::client`] (renews by itself; renewed tokens are written
//!    back to the keyring by its token listener);
//! 5. [`TrustpilotAccounts::sign_out`].
//!
//! Keyring (through [`crate::TokenStore`]): `trustpilot:<business unit id>/oauth` per account
//! (grant, tokens, business user id), `trustpilot-app:<fingerprint>/application` per
//! application (key, and secret unless implicit), `trustpilot-sign-in/pending-login` while a
//! browser sign-in waits. Non-secret metadata: the accounts file.

mod accounts;
mod callback;
mod codec;
mod error;
mod pending;
mod sign_in;
mod sign_out;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, SystemTime};

use reviewdesk_core::{AuthMode, Environment, Provider, ShopId, ShopSession, TrustpilotId};
use reviewdesk_trustpilot::{
    BaseUrls, BusinessUnit, CallBudget, ClientConfig, Grant, InvitationLink, InvitationTemplate,
    NewEmailInvitation, NewInvitationLink, RetryConfig, TokenSet, TrustpilotClient,
};

use crate::clock::{to_unix, Clock, SystemClock};
use crate::session::ShopStatus;
use crate::store::{GuardedStore, TokenStore};

pub use accounts::KnownTrustpilotAccount;
pub use callback::{parse_trustpilot_callback, TrustpilotCallback, TRUSTPILOT_CALLBACK};
pub use codec::{TrustpilotApp, TrustpilotGrant};
pub use error::TrustpilotAuthError;
pub use pending::BrowserGrant;
pub use sign_in::{
    AcceptedTrustpilotCallback, BrowserSignIn, SignInOutcome, SignInReady, TrustpilotLoginStart,
};
pub use sign_out::{TrustpilotSignOutReport, TrustpilotSignOutStep};

use accounts::Registry;
use codec::AccountSecrets;
use pending::Flow;

/// The redirect page ReviewDesk ships: the merchant hosts it at the https address they
/// registered for their Trustpilot application; it forwards `code` and `state` (or the
/// implicit grant's token) to [`TRUSTPILOT_CALLBACK`]. The app can offer to save it.
pub const TRUSTPILOT_REDIRECT_PAGE: &str = include_str!("../../trustpilot-callback.html");

/// Everything the Trustpilot half of `auth` needs to know about the app's environment.
#[derive(Debug, Clone)]
pub struct TrustpilotAuthConfig {
    /// Trustpilot's three hosts (production, or the sandbox's loopback listeners).
    pub base_urls: BaseUrls,
    /// Sandbox or production: the sandbox alone accepts a loopback redirect URI.
    pub environment: Environment,
    /// JSON file for the list of accounts (non-secret metadata only).
    pub accounts_file: PathBuf,
    /// Longest wait for one keyring call.
    pub keyring_timeout: Duration,
    /// Retry bounds of every client (tests record waits instead of sleeping).
    pub retry: RetryConfig,
}

impl TrustpilotAuthConfig {
    /// Defaults: 5 s keyring timeout, the client's default retries.
    pub fn new(base_urls: BaseUrls, environment: Environment, accounts_file: PathBuf) -> Self {
        Self {
            base_urls,
            environment,
            accounts_file,
            keyring_timeout: Duration::from_secs(5),
            retry: RetryConfig::default(),
        }
    }
}

/// A business unit as the merchant picks it: its names, TrustScore and star counts.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessUnitSummary {
    /// The business unit id.
    pub id: TrustpilotId,
    /// Name shown on Trustpilot.
    pub display_name: String,
    /// Identifying name (usually the domain).
    pub identifying_name: String,
    /// The business's site, when Trustpilot has it.
    pub website_url: Option<String>,
    /// TrustScore (e.g. 4.6), when Trustpilot gave one.
    pub trust_score: Option<f64>,
    /// Stars shown (e.g. 4.5).
    pub stars: Option<f64>,
    /// Reviews with 1★ … 5★ (index 0 is 1★), when Trustpilot gave them.
    pub star_counts: Option<[u64; 5]>,
    /// Every review.
    pub total_reviews: Option<u64>,
}

impl BusinessUnitSummary {
    fn from_unit(u: BusinessUnit) -> Result<Self, TrustpilotAuthError> {
        let id = TrustpilotId::parse(&u.id).map_err(|_| {
            TrustpilotAuthError::Input(
                "Trustpilot answered with a business unit id that is not one.".into(),
            )
        })?;
        Ok(Self {
            id,
            identifying_name: u
                .name
                .as_ref()
                .map(|n| n.identifying.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| u.display_name.clone()),
            display_name: u.display_name,
            website_url: u.website_url,
            trust_score: u.score.map(|s| s.trust_score),
            stars: u.score.map(|s| s.stars),
            star_counts: u.number_of_reviews.as_ref().map(|c| c.by_stars()),
            total_reviews: u.number_of_reviews.map(|c| c.total),
        })
    }
}

/// A Trustpilot account as the UI lists it: never a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustpilotStatus {
    /// The switcher's entry: provider Trustpilot with its capabilities; `domain` and
    /// `shop_id` are the business unit id (the account's id, as in `AccountKey`), `shop_name`
    /// its display name.
    pub session: ShopSession,
    /// Names, grant and application fingerprint.
    pub account: KnownTrustpilotAccount,
    /// Credentials are loaded and the sign-in has not ended.
    pub signed_in: bool,
    /// When the access token ends (unix seconds), when known.
    pub access_expires_at: Option<i64>,
    /// How this sign-in lasts, as a sentence (the implicit grant's four days, say).
    pub renewal: String,
    /// Why it is not signed in (keyring locked, entry damaged, sign-in ended), as a sentence.
    pub problem: Option<String>,
}

impl TrustpilotStatus {
    /// The account's key in the store and the inbox.
    pub fn account_key(&self) -> reviewdesk_core::AccountKey {
        reviewdesk_core::AccountKey::trustpilot(&self.account.business_unit_id)
    }

    /// The switcher's row ([`crate::ShopStatus`], `active` left false: the app knows which
    /// account is shown).
    pub fn shop_status(&self) -> ShopStatus {
        ShopStatus {
            session: self.session.clone(),
            signed_in: self.signed_in,
            active: false,
            problem: self.problem.clone(),
        }
    }
}

/// How a grant's sign-in lasts, as the status says it. `expires_at` and `now` are unix seconds.
pub fn renewal_sentence(grant: TrustpilotGrant, expires_at: Option<i64>, now: i64) -> String {
    match grant {
        TrustpilotGrant::AuthorizationCode | TrustpilotGrant::Password => {
            "Renews itself with its refresh token; sign in again after 30 days without use.".into()
        }
        TrustpilotGrant::ClientCredentials => "ReviewDesk asks Trustpilot for a new token with the application's key and secret when the current one expires (every 100 hours), never more often.".into(),
        TrustpilotGrant::Implicit => {
            let left = expires_at.map(|e| e - now);
            match left {
                Some(s) if s <= 0 => "This implicit sign-in has ended: it cannot be renewed because no secret is kept on this computer. Sign in again.".into(),
                Some(s) => format!(
                    "Implicit sign-in: no secret is kept on this computer, so it cannot be renewed. It ends in about {} (about four days after signing in); sign in again then.",
                    hours_or_days(s)
                ),
                None => "Implicit sign-in: no secret is kept on this computer, so it cannot be renewed; it lasts about four days, then sign in again.".into(),
            }
        }
    }
}

fn hours_or_days(secs: i64) -> String {
    let hours = (secs + 1800) / 3600;
    if hours >= 48 {
        format!("{} days", (hours + 12) / 24)
    } else if hours == 1 {
        "1 hour".into()
    } else if hours < 1 {
        "less than an hour".into()
    } else {
        format!("{hours} hours")
    }
}

/// An account with loaded credentials: the client every caller shares.
#[derive(Debug)]
struct Live {
    client: TrustpilotClient,
    business_user_id: Option<TrustpilotId>,
    /// Serialises keyring writes of renewed tokens (the last write holds the newest tokens).
    persist: tokio::sync::Mutex<()>,
}

/// A sign-in that worked but has no business unit yet (one at a time).
#[derive(Debug, Clone)]
struct Unplaced {
    client: TrustpilotClient,
    app: TrustpilotApp,
    business_user_id: Option<TrustpilotId>,
}

#[derive(Debug)]
struct Inner {
    cfg: TrustpilotAuthConfig,
    store: GuardedStore,
    clock: Arc<dyn Clock>,
    flow: Mutex<Flow>,
    registry: tokio::sync::Mutex<Registry>,
    live: RwLock<HashMap<TrustpilotId, Arc<Live>>>,
    unplaced: Mutex<Option<Unplaced>>,
    /// One call budget per application (Trustpilot's 833 calls per 5 minutes are per key).
    budgets: Mutex<HashMap<String, Arc<CallBudget>>>,
    problems: Mutex<HashMap<TrustpilotId, String>>,
}

/// Trustpilot accounts: sign-in with every grant, the business unit, keyring, sign-out.
/// Cheap to clone; clones share everything.
#[derive(Debug, Clone)]
pub struct TrustpilotAccounts {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl TrustpilotAccounts {
    /// The production setup (system clock). Pass `Arc::new(KeyringStore::new())` in the app,
    /// a [`crate::MemoryStore`] in tests.
    pub async fn new(
        cfg: TrustpilotAuthConfig,
        store: Arc<dyn TokenStore>,
    ) -> Result<Self, TrustpilotAuthError> {
        Self::with_clock(cfg, store, Arc::new(SystemClock)).await
    }

    /// Same with an injected clock (tests).
    pub async fn with_clock(
        cfg: TrustpilotAuthConfig,
        store: Arc<dyn TokenStore>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, TrustpilotAuthError> {
        let registry = Registry::load(cfg.accounts_file.clone()).await?;
        let me = Self {
            inner: Arc::new(Inner {
                store: GuardedStore::new(store, cfg.keyring_timeout),
                cfg,
                clock,
                flow: Mutex::new(Flow::default()),
                registry: tokio::sync::Mutex::new(registry),
                live: RwLock::new(HashMap::new()),
                unplaced: Mutex::new(None),
                budgets: Mutex::new(HashMap::new()),
                problems: Mutex::new(HashMap::new()),
            }),
        };
        me.resume_pending().await;
        Ok(me)
    }

    fn now(&self) -> SystemTime {
        self.inner.clock.now()
    }

    fn now_unix(&self) -> i64 {
        i64::try_from(to_unix(self.now())).unwrap_or(i64::MAX)
    }

    fn live(&self, unit: &TrustpilotId) -> Option<Arc<Live>> {
        self.inner
            .live
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(unit)
            .cloned()
    }

    /// A client for `app` (no tokens yet), sharing the application's call budget.
    fn new_client(&self, app: &TrustpilotApp) -> Result<TrustpilotClient, TrustpilotAuthError> {
        let budget = lock(&self.inner.budgets)
            .entry(app.fingerprint())
            .or_insert_with(|| Arc::new(CallBudget::default()))
            .clone();
        let mut config = ClientConfig::new(
            self.inner.cfg.base_urls.clone(),
            app.api_key.clone(),
            app.api_secret.clone(),
        );
        config.retry = self.inner.cfg.retry.clone();
        config.budget = budget;
        Ok(TrustpilotClient::new(config)?)
    }

    /// Makes `live` the account's session, with the listener that writes renewed tokens to the
    /// keyring. Returns the session it replaced.
    fn set_live(&self, unit: &TrustpilotId, live: Option<Live>) -> Option<Arc<Live>> {
        let mut map = self.inner.live.write().unwrap_or_else(|p| p.into_inner());
        match live {
            Some(live) => {
                lock(&self.inner.problems).remove(unit);
                let weak: Weak<Inner> = Arc::downgrade(&self.inner);
                let id = unit.clone();
                live.client.set_token_listener(move |_renewed: &TokenSet| {
                    let Some(inner) = weak.upgrade() else { return };
                    let Ok(rt) = tokio::runtime::Handle::try_current() else {
                        tracing::warn!("renewed Trustpilot tokens could not be saved: no runtime");
                        return;
                    };
                    let id = id.clone();
                    rt.spawn(async move {
                        TrustpilotAccounts { inner }.persist_live(&id).await;
                    });
                });
                map.insert(unit.clone(), Arc::new(live))
            }
            None => map.remove(unit),
        }
    }

    /// Writes the account's current tokens to the keyring (after the client renewed them).
    async fn persist_live(&self, unit: &TrustpilotId) {
        let Some(live) = self.live(unit) else { return };
        let _one_at_a_time = live.persist.lock().await;
        let Some(tokens) = live.client.tokens() else {
            return;
        };
        let secrets = AccountSecrets {
            tokens,
            business_user_id: live.business_user_id.clone(),
        };
        match self
            .inner
            .store
            .set(&codec::account_key(unit), secrets.encode())
            .await
        {
            Ok(()) => tracing::debug!(unit = %unit, "saved renewed Trustpilot tokens"),
            Err(e) => {
                tracing::warn!(unit = %unit, error = %e, "could not save renewed Trustpilot tokens");
            }
        }
    }

    fn session_of(&self, a: &KnownTrustpilotAccount) -> ShopSession {
        ShopSession {
            shop_id: ShopId(a.business_unit_id.as_str().to_owned()),
            shop_name: a.display_name.clone(),
            domain: a.business_unit_id.as_str().to_owned(),
            scopes: Vec::new(),
            missing_scopes: Vec::new(),
            provider: Provider::Trustpilot,
            capabilities: Provider::Trustpilot.capabilities(),
            auth_mode: AuthMode::Oauth,
            environment: self.inner.cfg.environment,
            api_base: self
                .inner
                .cfg
                .base_urls
                .api
                .as_str()
                .trim_end_matches('/')
                .to_owned(),
        }
    }

    fn status_of(&self, a: &KnownTrustpilotAccount) -> TrustpilotStatus {
        let now = self.now_unix();
        let live = self.live(&a.business_unit_id);
        let tokens = live.as_ref().and_then(|l| l.client.tokens());
        let expires_at = tokens.as_ref().and_then(|t| t.expires_at);
        let ended = a.grant == TrustpilotGrant::Implicit && expires_at.is_some_and(|e| e <= now);
        let problem = match (&live, ended) {
            (Some(_), true) => Some(TrustpilotAuthError::SessionEnded.to_string()),
            (Some(l), false) if l.client.tokens().is_none() => {
                Some(TrustpilotAuthError::SessionEnded.to_string())
            }
            (Some(_), false) => None,
            (None, _) => Some(
                lock(&self.inner.problems)
                    .get(&a.business_unit_id)
                    .cloned()
                    .unwrap_or_else(|| TrustpilotAuthError::SessionEnded.to_string()),
            ),
        };
        TrustpilotStatus {
            session: self.session_of(a),
            account: a.clone(),
            signed_in: problem.is_none(),
            access_expires_at: expires_at,
            renewal: renewal_sentence(a.grant, expires_at, now),
            problem,
        }
    }

    // ---- Startup and listing ------------------------------------------------------------

    /// Loads every known account's credentials from the keyring (once at startup; no token
    /// is requested). An account whose credentials cannot be loaded is listed with a problem.
    pub async fn restore(&self) -> Vec<TrustpilotStatus> {
        let accounts: Vec<KnownTrustpilotAccount> = self.inner.registry.lock().await.all().to_vec();
        for a in &accounts {
            if self.live(&a.business_unit_id).is_some() {
                continue;
            }
            match self.load_live(a).await {
                Ok(Some(live)) => {
                    self.set_live(&a.business_unit_id, Some(live));
                }
                Ok(None) => {
                    lock(&self.inner.problems).insert(
                        a.business_unit_id.clone(),
                        TrustpilotAuthError::SessionEnded.to_string(),
                    );
                }
                Err(e) => {
                    lock(&self.inner.problems).insert(a.business_unit_id.clone(), e.to_string());
                }
            }
        }
        self.accounts().await
    }

    async fn load_live(
        &self,
        a: &KnownTrustpilotAccount,
    ) -> Result<Option<Live>, TrustpilotAuthError> {
        let store = &self.inner.store;
        let Some(app_blob) = store.get(&codec::app_key(&a.application)).await? else {
            return Ok(None);
        };
        let Some(acct_blob) = store.get(&codec::account_key(&a.business_unit_id)).await? else {
            return Ok(None);
        };
        let app = TrustpilotApp::decode(&app_blob)?;
        let secrets = AccountSecrets::decode(&acct_blob)?;
        // An implicit account never uses a secret, even one another account keeps for the key.
        let app = if secrets.tokens.grant == Grant::Implicit {
            TrustpilotApp {
                api_key: app.api_key,
                api_secret: None,
            }
        } else {
            app
        };
        let client = self.new_client(&app)?;
        client.set_tokens(secrets.tokens);
        Ok(Some(Live {
            client,
            business_user_id: secrets.business_user_id,
            persist: tokio::sync::Mutex::new(()),
        }))
    }

    /// Every known account, in sign-in order.
    pub async fn accounts(&self) -> Vec<TrustpilotStatus> {
        let accounts: Vec<KnownTrustpilotAccount> = self.inner.registry.lock().await.all().to_vec();
        accounts.iter().map(|a| self.status_of(a)).collect()
    }

    /// The switcher's rows for the Trustpilot accounts (provider Trustpilot, its
    /// capabilities), to list after the Trustoo shops of [`crate::SessionManager::shops`].
    pub async fn sessions(&self) -> Vec<ShopStatus> {
        self.accounts()
            .await
            .iter()
            .map(TrustpilotStatus::shop_status)
            .collect()
    }

    /// One account's status.
    pub async fn account(&self, unit: &TrustpilotId) -> Option<TrustpilotStatus> {
        let a = self.inner.registry.lock().await.get(unit).cloned()?;
        Some(self.status_of(&a))
    }

    /// The account's client (shared; it renews tokens by itself and the renewed tokens go to
    /// the keyring). `None` when the account is not signed in.
    pub fn client(&self, unit: &TrustpilotId) -> Option<TrustpilotClient> {
        self.live(unit).map(|l| l.client.clone())
    }

    /// The business user who answers reviews (`authorBusinessUserId`; required with client
    /// credentials), when the merchant gave it.
    pub fn business_user_id(&self, unit: &TrustpilotId) -> Option<TrustpilotId> {
        self.live(unit).and_then(|l| l.business_user_id.clone())
    }

    /// The account's business unit as Trustpilot has it now (TrustScore, star counts).
    pub async fn business_unit(
        &self,
        unit: &TrustpilotId,
    ) -> Result<BusinessUnitSummary, TrustpilotAuthError> {
        let live = self.live(unit).ok_or(TrustpilotAuthError::UnknownAccount)?;
        BusinessUnitSummary::from_unit(live.client.business_unit(unit.as_str()).await?)
    }

    /// The unit's invitation email templates, asked as its business user.
    pub async fn invitation_templates(
        &self,
        unit: &TrustpilotId,
    ) -> Result<Vec<InvitationTemplate>, TrustpilotAuthError> {
        let live = self.live(unit).ok_or(TrustpilotAuthError::UnknownAccount)?;
        let user = live.business_user_id.as_ref().map(TrustpilotId::as_str);
        Ok(live
            .client
            .invitation_templates(unit.as_str(), user)
            .await?)
    }

    /// A service-review invitation link for one customer, made as the unit's business user.
    pub async fn create_invitation_link(
        &self,
        unit: &TrustpilotId,
        link: &NewInvitationLink,
    ) -> Result<InvitationLink, TrustpilotAuthError> {
        let live = self.live(unit).ok_or(TrustpilotAuthError::UnknownAccount)?;
        let user = live.business_user_id.as_ref().map(TrustpilotId::as_str);
        Ok(live
            .client
            .create_invitation_link(unit.as_str(), link, user)
            .await?)
    }

    /// Queues an invitation email for one customer, sent as the unit's business user.
    pub async fn send_email_invitation(
        &self,
        unit: &TrustpilotId,
        invitation: &NewEmailInvitation,
    ) -> Result<(), TrustpilotAuthError> {
        let live = self.live(unit).ok_or(TrustpilotAuthError::UnknownAccount)?;
        let user = live.business_user_id.as_ref().map(TrustpilotId::as_str);
        Ok(live
            .client
            .send_email_invitation(unit.as_str(), invitation, user)
            .await?)
    }
}
