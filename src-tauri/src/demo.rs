//! The sandbox demo shop: `cargo xtask demo` starts the app against the local sandbox with
//! `REVIEWDESK_DEMO=1`, and the app connects to the sandbox's demo shop with no account.
//!
//! The sandbox publishes the demo shop's Public and Private Token on a sandbox-only endpoint
//! (`GET /__sandbox/demo`); they are fixtures of the emulator, not anyone's secrets, and they are
//! kept in memory only. [`crate::config::AppConfig::load`] refuses demo mode for any API base that
//! is not on loopback, so a real Trustoo is never asked for them.

use crate::config::AppConfig;
use crate::error::{ErrorCode, IpcError};
use crate::state::ActiveShop;
use reviewdesk_core::{AuthMode, ShopSession};
use reviewdesk_trustoo::{Auth, ClientConfig, Secret, TrustooClient};
use serde::Deserialize;
use std::time::Duration;

/// What `GET /__sandbox/demo` answers (the parts the app uses).
#[derive(Deserialize)]
struct DemoInfo {
    shop: DemoShop,
}

/// The demo shop inside [`DemoInfo`].
#[derive(Deserialize)]
struct DemoShop {
    shop_id: String,
    name: String,
    myshopify_domain: String,
    public_token: String,
    private_token: String,
}

/// Connects to the sandbox's demo shop with its HMAC tokens.
pub async fn connect(config: &AppConfig) -> Result<ActiveShop, IpcError> {
    let unreachable = |_| {
        IpcError::new(
            ErrorCode::Network,
            format!(
                "The sandbox at {} is not answering. Start it with `cargo xtask demo`.",
                config.api_base
            ),
        )
    };
    let url = config
        .api_base
        .join("/__sandbox/demo")
        .map_err(|_| IpcError::new(ErrorCode::Internal, "the sandbox address is not valid"))?;
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|_| IpcError::new(ErrorCode::Internal, "could not create an HTTP client"))?;
    let DemoInfo { shop: demo } = http
        .get(url)
        .send()
        .await
        .map_err(unreachable)?
        .error_for_status()
        .map_err(unreachable)?
        .json()
        .await
        .map_err(|_| {
            IpcError::new(
                ErrorCode::Internal,
                "The server at the configured address is not a ReviewDesk sandbox.",
            )
        })?;
    let auth = Auth::Hmac {
        public_token: Secret::new(demo.public_token),
        private_token: Secret::new(demo.private_token),
    };
    let client = TrustooClient::new(ClientConfig::new(config.api_base.clone(), auth))?;
    let session = ShopSession {
        shop_id: demo.shop_id.into(),
        shop_name: demo.name,
        domain: demo.myshopify_domain,
        // A shop's own Public/Private Token carries every permission.
        scopes: reviewdesk_core::trustoo_scopes_to_request(),
        missing_scopes: Vec::new(),
        provider: reviewdesk_core::Provider::Trustoo,
        capabilities: reviewdesk_core::Provider::Trustoo.capabilities(),
        auth_mode: AuthMode::Hmac,
        environment: config.environment(),
        api_base: config.api_base.to_string(),
    };
    Ok(ActiveShop { session, client })
}
