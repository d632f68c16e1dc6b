//! Sign-in logic for ReviewDesk, testable without a window.
//!
//! Why a separate crate: everything about credentials (OAuth state + PKCE, strict parsing of the
//! `reviewdesk://oauth/callback` deep link, the code exchange, single-flight refresh, the OS
//! keyring, sign-out) lives here, so it can be tested against the sandbox and fakes. The Tauri
//! layer only forwards deep links, opens the browser and maps [`AuthError`] to UI messages.
//!
//! Entry point: [`SessionManager`]. Typical use from the Tauri layer:
//!
//! 1. at startup `SessionManager::new(config, Arc::new(KeyringStore::new())).await?`, then
//!    [`SessionManager::restore`];
//! 2. `auth_start`: [`SessionManager::start_login`] → open [`LoginStart::authorize_url`] with `open`;
//! 3. on a deep link: [`SessionManager::complete_login`] with the raw URL string;
//! 4. data calls: [`SessionManager::client`], whose client refreshes by itself on a 401
//!    (single-flight) and retries the call;
//! 5. sign-out: [`SessionManager::sign_out`] (or [`SessionManager::disconnect`]) → show the
//!    [`SignOutReport`];
//! 6. the shop's webhooks and authorization: [`shop`].
//!
//! Trustpilot accounts (the merchant's own API application, every grant) live beside it in
//! [`trustpilot::TrustpilotAccounts`]; [`route_link`] tells whose callback a deep link is.

#![warn(missing_docs)]

pub mod active;
pub mod backend;
pub mod callback;
pub mod clock;
pub mod demo;
pub mod error;
pub mod links;
pub mod login;
pub mod session;
pub mod shop;
pub mod shops;
pub mod store;
pub mod trustpilot;

pub use active::{pick_active, ActiveAccount};
pub use backend::{BoxFuture, OAuthBackend};
pub use callback::{
    parse_callback, CallbackParams, CallbackRejection, ProviderError, MAX_CALLBACK_LEN,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::AuthError;
pub use links::{route_link, LinkRoute};
pub use login::{LoginStart, LOGIN_TTL};
pub use reviewdesk_trustoo::Secret;
pub use session::{
    AcceptedCallback, AuthConfig, LoginOutcome, SessionManager, ShopStatus, SignOutReport,
    SignOutStep, StepResult,
};
pub use shop::authorization::{LocalData, LocalDataChoice, LocalFuture};
pub use shops::{normalize_shop_domain, KnownShop};
pub use store::{
    KeyringStore, MemoryStore, SecretKind, StoreError, StoreKey, TokenStore, KEYRING_SERVICE,
    MAX_SECRET_UTF16_BYTES,
};

/// The redirect URI registered for the desktop app (a private-use scheme, RFC 8252 §7.1).
pub const REDIRECT_URI: &str = "reviewdesk://oauth/callback";
