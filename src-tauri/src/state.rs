//! What the running app holds: its configuration, the merchant's shops (through the auth
//! crate's session manager, whose secrets live in the OS keyring and in memory only), and the
//! sandbox demo shop when the demo runs.

use crate::config::{AppConfig, ConfigError};
use crate::error::{ErrorCode, IpcError};
use reviewdesk_auth::trustpilot::{TrustpilotAccounts, TrustpilotAuthConfig};
use reviewdesk_auth::{
    pick_active, ActiveAccount, AuthConfig, KeyringStore, Secret, SessionManager, TokenStore,
};
use reviewdesk_core::{AccountKey, Provider, ShopSession, TrustpilotId};
use reviewdesk_trustoo::TrustooClient;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::Mutex;

/// The (non-secret) list of Trustpilot accounts in the app data directory.
pub const TRUSTPILOT_ACCOUNTS_FILE: &str = "trustpilot-accounts.json";
/// Which account is on screen across providers, in the app data directory.
pub const ACTIVE_ACCOUNT_FILE: &str = "active-account.json";

/// A shop connected outside the session manager: the sandbox demo shop (HMAC, memory only).
pub struct ActiveShop {
    /// What the UI may see.
    pub session: ShopSession,
    /// Talks to Trustoo for this shop.
    pub client: TrustooClient,
}

/// Tauri-managed state.
pub struct AppState {
    config: Result<AppConfig, ConfigError>,
    sessions: Result<SessionManager, IpcError>,
    trustpilot: Result<TrustpilotAccounts, IpcError>,
    /// Which account is on screen across providers (see `reviewdesk_auth::active`).
    active: ActiveAccount,
    demo: Mutex<Option<Arc<ActiveShop>>>,
    /// The last `login-status` this run sent (an outcome: signed in, declined, failed…).
    /// Whether a sign-in is in progress is the auth crate's to say
    /// (`SessionManager::pending_sign_in`), see [`crate::events::current_login_status`].
    pub login_status: std::sync::Mutex<crate::events::LoginStatus>,
    /// The last `trustpilot-sign-in` this run sent; whether a browser sign-in waits is the
    /// auth crate's to say (see `commands::trustpilot::trustpilot_sign_in_status`).
    pub trustpilot_sign_in: std::sync::Mutex<crate::commands::trustpilot::TrustpilotSignIn>,
}

impl AppState {
    /// Builds the state. `data_dir` holds the (non-secret) lists of known shops and Trustpilot
    /// accounts, and which one is on screen.
    pub async fn new(config: Result<AppConfig, ConfigError>, data_dir: &Path) -> Self {
        let store: Arc<dyn TokenStore> = Arc::new(KeyringStore::new());
        Self::with_store(config, data_dir, store).await
    }

    /// Same with another token store (tests use the in-memory one).
    pub async fn with_store(
        config: Result<AppConfig, ConfigError>,
        data_dir: &Path,
        store: Arc<dyn TokenStore>,
    ) -> Self {
        let trustpilot = match &config {
            Ok(config) => TrustpilotAccounts::new(
                TrustpilotAuthConfig::new(
                    config.trustpilot.clone(),
                    config.trustpilot_environment(),
                    data_dir.join(TRUSTPILOT_ACCOUNTS_FILE),
                ),
                store.clone(),
            )
            .await
            .map_err(IpcError::from),
            Err(err) => Err(config_error(err)),
        };
        let sessions = match &config {
            Ok(config) => {
                let auth = AuthConfig::new(
                    config.api_base.clone(),
                    config.environment(),
                    config.client_id.clone(),
                    Secret::new(config.client_secret.clone()),
                    data_dir.join("shops.json"),
                );
                SessionManager::new(auth, store)
                    .await
                    .map_err(IpcError::from)
            }
            Err(err) => Err(config_error(err)),
        };
        Self {
            config,
            sessions,
            trustpilot,
            active: ActiveAccount::load(data_dir.join(ACTIVE_ACCOUNT_FILE)),
            demo: Mutex::new(None),
            login_status: std::sync::Mutex::new(crate::events::LoginStatus::new(
                crate::events::LoginPhase::Idle,
                None,
            )),
            trustpilot_sign_in: std::sync::Mutex::new(
                crate::commands::trustpilot::TrustpilotSignIn::new(
                    crate::commands::trustpilot::TrustpilotPhase::Idle,
                    None,
                ),
            ),
        }
    }

    /// The configuration, or the reason it cannot be used.
    pub fn config(&self) -> Result<&AppConfig, IpcError> {
        self.config.as_ref().map_err(config_error)
    }

    /// The session manager, or why it could not start.
    pub fn sessions(&self) -> Result<&SessionManager, IpcError> {
        self.sessions.as_ref().map_err(Clone::clone)
    }

    /// The Trustpilot accounts, or why they could not be loaded.
    pub fn trustpilot(&self) -> Result<&TrustpilotAccounts, IpcError> {
        self.trustpilot.as_ref().map_err(Clone::clone)
    }

    /// Remembers which account is on screen (`None`: the Trustoo shop the session manager
    /// holds active). Every sign-in and switch says it, so the choice survives a restart.
    pub fn choose_account(&self, account: Option<AccountKey>) {
        self.active.choose(account);
    }

    /// Every account whose reviews the All accounts view lists: each Trustoo shop the session
    /// manager knows, each Trustpilot business unit, signed in or not (their stored reviews read
    /// offline), and the sandbox demo shop when the demo runs (chosen: it stands for the Trustoo
    /// side there and is in no shop list). Each once, Trustoo first, in the switcher's order.
    pub async fn known_accounts(&self) -> Vec<AccountKey> {
        let mut out: Vec<AccountKey> = Vec::new();
        if let Ok(Some(demo)) = self.demo_session().await {
            out.push(demo.account());
        }
        if let Ok(sessions) = self.sessions() {
            out.extend(
                sessions
                    .shops()
                    .await
                    .into_iter()
                    .map(|s| s.session.account()),
            );
        }
        if let Ok(trustpilot) = self.trustpilot() {
            out.extend(trustpilot.accounts().await.iter().map(|a| a.account_key()));
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|a| seen.insert(a.clone()));
        out
    }

    /// The Trustpilot accounts' sessions (signed in or not), as the switcher lists them.
    async fn trustpilot_sessions(&self) -> Vec<ShopSession> {
        match self.trustpilot() {
            Ok(accounts) => accounts
                .accounts()
                .await
                .into_iter()
                .map(|a| a.session)
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Connects the sandbox demo shop when the configuration asks for it (once; concurrent
    /// callers wait for the same attempt).
    async fn demo_shop(&self) -> Result<Option<Arc<ActiveShop>>, IpcError> {
        let config = self.config()?;
        if !config.demo {
            return Ok(None);
        }
        let mut demo = self.demo.lock().await;
        if let Some(active) = demo.as_ref() {
            return Ok(Some(active.clone()));
        }
        let active = Arc::new(crate::demo::connect(config).await?);
        tracing::info!(shop = %active.session.domain, "connected to the sandbox demo shop");
        *demo = Some(active.clone());
        Ok(Some(active))
    }

    /// The shop the merchant is working in, if any.
    pub async fn current_session(&self) -> Result<Option<ShopSession>, IpcError> {
        // The demo shop stands for the Trustoo side in demo mode; a Trustpilot account signed
        // in beside it can still be the one on screen.
        let trustoo = match self.demo_session().await? {
            Some(demo) => Some(demo),
            None => match self.sessions() {
                Ok(sessions) => sessions.active_shop().await,
                Err(_) => None,
            },
        };
        let trustpilot = self.trustpilot_sessions().await;
        Ok(pick_active(
            self.active.chosen().as_ref(),
            trustoo,
            &trustpilot,
        ))
    }

    /// The sandbox demo shop's session when the demo runs (it is in no shop list).
    pub async fn demo_session(&self) -> Result<Option<ShopSession>, IpcError> {
        Ok(self.demo_shop().await?.map(|d| d.session.clone()))
    }

    /// The Trustpilot business unit on screen, when the account on screen is one.
    pub async fn current_trustpilot(&self) -> Result<Option<TrustpilotId>, IpcError> {
        Ok(self
            .current_session()
            .await?
            .filter(|s| s.provider == Provider::Trustpilot)
            .and_then(|s| TrustpilotId::parse(&s.domain).ok()))
    }

    /// The account the merchant is working in, or "not signed in".
    pub async fn current_account(&self) -> Result<AccountKey, IpcError> {
        Ok(self.require_session().await?.account())
    }

    /// The shop the merchant is working in, or "not signed in".
    pub async fn require_session(&self) -> Result<ShopSession, IpcError> {
        self.current_session()
            .await?
            .ok_or_else(IpcError::not_signed_in)
    }

    /// Refuses, before any call, a feature the active shop's sign-in has no scope for, with a
    /// sentence that says to sign in again (the same one the UI shows where the feature is).
    pub async fn require(&self, feature: reviewdesk_core::Feature) -> Result<(), IpcError> {
        let Some(session) = self.current_session().await? else {
            return Err(IpcError::not_signed_in());
        };
        match session.refusal(feature) {
            Some(sentence) => Err(IpcError::new(ErrorCode::Forbidden, sentence)),
            None => Ok(()),
        }
    }

    /// The active shop's client, its token refreshed first if it is about to expire. Every
    /// call made with it refreshes once on a 401 (single-flight across callers) and is made
    /// again, so no caller handles an expired token.
    pub async fn client(&self) -> Result<TrustooClient, IpcError> {
        match self.active_client().await? {
            Ok(client) => Ok(client),
            Err(auth) => Err(auth.into()),
        }
    }

    /// The same client for the background sync, which speaks the client's errors (see
    /// `AuthError::into_api_error`).
    pub async fn background_client(&self) -> Result<TrustooClient, reviewdesk_trustoo::Error> {
        match self.active_client().await {
            Ok(Ok(client)) => Ok(client),
            Ok(Err(auth)) => Err(auth.into_api_error()),
            Err(app) => Err(reviewdesk_trustoo::Error::Config(app.message)),
        }
    }

    /// The demo shop's client, or the active shop's from the session manager (whose error is
    /// kept as it is, for the caller to word).
    async fn active_client(
        &self,
    ) -> Result<Result<TrustooClient, reviewdesk_auth::AuthError>, IpcError> {
        let shop = self.require_session().await?;
        if shop.provider != Provider::Trustoo {
            return Err(IpcError::new(
                ErrorCode::Validation,
                "This is a Trustpilot account: this part of ReviewDesk works with Trustoo shops. Switch to a Trustoo shop in the account switcher.",
            ));
        }
        if let Some(demo) = self.demo_shop().await? {
            return Ok(Ok(demo.client.clone()));
        }
        Ok(self.sessions()?.client(&shop.domain).await)
    }
}

fn config_error(err: &ConfigError) -> IpcError {
    IpcError::new(
        ErrorCode::Internal,
        format!("ReviewDesk's settings are not usable: {err}"),
    )
}
