//! What the running app holds: its configuration, the merchant's shops (through the auth
//! crate's session manager, whose secrets live in the OS keyring and in memory only), and the
//! sandbox demo shop when the demo runs.

use crate::config::{AppConfig, ConfigError};
use crate::error::{ErrorCode, IpcError};
use reviewdesk_auth::{AuthConfig, KeyringStore, Secret, SessionManager, TokenStore};
use reviewdesk_core::{AccountKey, ShopSession};
use reviewdesk_trustoo::TrustooClient;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::Mutex;

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
    demo: Mutex<Option<Arc<ActiveShop>>>,
    /// The last `login-status` this run sent (an outcome: signed in, declined, failed…).
    /// Whether a sign-in is in progress is the auth crate's to say
    /// (`SessionManager::pending_sign_in`), see [`crate::events::current_login_status`].
    pub login_status: std::sync::Mutex<crate::events::LoginStatus>,
}

impl AppState {
    /// Builds the state. `data_dir` holds the (non-secret) list of known shops.
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
            demo: Mutex::new(None),
            login_status: std::sync::Mutex::new(crate::events::LoginStatus::new(
                crate::events::LoginPhase::Idle,
                None,
            )),
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
        if let Some(demo) = self.demo_shop().await? {
            return Ok(Some(demo.session.clone()));
        }
        Ok(self.sessions()?.active_shop().await)
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
        if let Some(demo) = self.demo_shop().await? {
            return Ok(Ok(demo.client.clone()));
        }
        let sessions = self.sessions()?;
        let shop = sessions
            .active_shop()
            .await
            .ok_or_else(IpcError::not_signed_in)?;
        Ok(sessions.client(&shop.domain).await)
    }
}

fn config_error(err: &ConfigError) -> IpcError {
    IpcError::new(
        ErrorCode::Internal,
        format!("ReviewDesk's settings are not usable: {err}"),
    )
}
