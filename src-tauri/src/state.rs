//! What the running app holds: its configuration and the connected shop (session facts for the
//! UI plus a client whose credentials live only in memory).

use crate::config::{AppConfig, ConfigError};
use crate::error::{ErrorCode, IpcError};
use reviewdesk_core::ShopSession;
use reviewdesk_trustoo::TrustooClient;
use std::sync::Arc;
use tokio::sync::Mutex;

/// A connected shop.
pub struct ActiveShop {
    /// What the UI may see.
    pub session: ShopSession,
    /// Talks to Trustoo for this shop.
    pub client: TrustooClient,
}

/// Tauri-managed state.
pub struct AppState {
    config: Result<AppConfig, ConfigError>,
    shop: Mutex<Option<Arc<ActiveShop>>>,
}

impl AppState {
    /// State for a fresh start; no shop connected yet.
    pub fn new(config: Result<AppConfig, ConfigError>) -> Self {
        Self {
            config,
            shop: Mutex::new(None),
        }
    }

    /// The configuration, or the reason it cannot be used.
    pub fn config(&self) -> Result<&AppConfig, IpcError> {
        self.config.as_ref().map_err(|err| {
            IpcError::new(
                ErrorCode::Internal,
                format!("ReviewDesk's settings are not usable: {err}"),
            )
        })
    }

    /// The connected shop, connecting first when the configuration says how (the sandbox demo
    /// shop). Concurrent callers wait for one connection attempt instead of starting their own.
    pub async fn ensure_connected(&self) -> Result<Option<Arc<ActiveShop>>, IpcError> {
        let mut shop = self.shop.lock().await;
        if let Some(active) = shop.as_ref() {
            return Ok(Some(active.clone()));
        }
        let config = self.config()?;
        if !config.demo {
            return Ok(None);
        }
        let active = Arc::new(crate::demo::connect(config).await?);
        tracing::info!(shop = %active.session.domain, "connected to the sandbox demo shop");
        *shop = Some(active.clone());
        Ok(Some(active))
    }

    /// The connected shop, or `NOT_SIGNED_IN`.
    pub async fn active_shop(&self) -> Result<Arc<ActiveShop>, IpcError> {
        self.ensure_connected()
            .await?
            .ok_or_else(IpcError::not_signed_in)
    }
}
