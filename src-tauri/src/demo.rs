//! The sandbox demo shop as the app holds it (see `reviewdesk_auth::demo`, which asks the
//! sandbox for it). [`crate::config::AppConfig::load`] refuses demo mode for any API base that
//! is not on loopback, so a real Trustoo is never asked for it.

use crate::config::AppConfig;
use crate::error::IpcError;
use crate::state::ActiveShop;
use reviewdesk_core::{AuthMode, ShopSession};
use reviewdesk_trustoo::{ClientConfig, TrustooClient};

/// Connects to the sandbox's demo shop with its HMAC tokens.
pub async fn connect(config: &AppConfig) -> Result<ActiveShop, IpcError> {
    let demo = reviewdesk_auth::demo::fetch_demo_shop(&config.api_base).await?;
    let client = TrustooClient::new(ClientConfig::new(config.api_base.clone(), demo.auth))?;
    let session = ShopSession {
        shop_id: demo.shop_id.into(),
        shop_name: demo.name,
        domain: demo.domain,
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
