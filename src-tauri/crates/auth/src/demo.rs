//! The sandbox's demo shop: `cargo xtask demo` starts the app against the local sandbox with
//! `REVIEWDESK_DEMO=1`, and the app connects to the sandbox's demo shop with no account.
//!
//! The sandbox publishes the demo shop's Public and Private Token on a sandbox-only endpoint
//! (`GET /__sandbox/demo`); they are fixtures of the emulator, not anyone's secrets, and they are
//! kept in memory only. The app refuses demo mode for any API base that is not on loopback, so a
//! real Trustoo is never asked for them.

use std::time::Duration;

use reviewdesk_trustoo::{Auth, Secret, Url};
use serde::Deserialize;

/// The demo shop as the sandbox describes it, with its tokens as HMAC credentials.
#[derive(Debug)]
pub struct DemoShop {
    /// Shopify shop id.
    pub shop_id: String,
    /// Display name.
    pub name: String,
    /// `*.myshopify.com` domain.
    pub domain: String,
    /// The shop's Public/Private Token.
    pub auth: Auth,
}

/// Why the demo shop could not be had.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Nothing answers at the configured address.
    #[error("The sandbox at {base} is not answering. Start it with `cargo xtask demo`.")]
    Unreachable {
        /// The configured API base.
        base: String,
    },
    /// Something answers, but not as the sandbox does.
    #[error("The server at the configured address is not a ReviewDesk sandbox.")]
    NotASandbox,
}

/// What `GET /__sandbox/demo` answers (the parts the app uses).
#[derive(Deserialize)]
struct DemoInfo {
    shop: DemoShopInfo,
}

#[derive(Deserialize)]
struct DemoShopInfo {
    shop_id: String,
    name: String,
    myshopify_domain: String,
    public_token: String,
    private_token: String,
}

/// Asks the sandbox at `api_base` for its demo shop.
pub async fn fetch_demo_shop(api_base: &Url) -> Result<DemoShop, DemoError> {
    let unreachable = |_| DemoError::Unreachable {
        base: api_base.to_string(),
    };
    let url = api_base
        .join("/__sandbox/demo")
        .map_err(|_| DemoError::NotASandbox)?;
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(unreachable)?;
    let DemoInfo { shop } = http
        .get(url)
        .send()
        .await
        .map_err(unreachable)?
        .error_for_status()
        .map_err(unreachable)?
        .json()
        .await
        .map_err(|_| DemoError::NotASandbox)?;
    Ok(DemoShop {
        shop_id: shop.shop_id,
        name: shop.name,
        domain: shop.myshopify_domain,
        auth: Auth::Hmac {
            public_token: Secret::new(shop.public_token),
            private_token: Secret::new(shop.private_token),
        },
    })
}
