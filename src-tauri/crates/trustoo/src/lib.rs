//! Trustoo Open API client for ReviewDesk.
//!
//! Every part of ReviewDesk talks to Trustoo through this crate. It works unchanged against
//! `https://rapi.trustoo.io` and the sandbox emulator: only [`ClientConfig::base_url`] differs.
//!
//! - [`TrustooClient`]: data endpoints, authenticated by [`Auth::Bearer`] or [`Auth::Hmac`];
//!   credentials can be swapped at runtime ([`TrustooClient::set_auth`]) after a refresh.
//! - [`OAuthClient`]: authorize URL (state, scope, PKCE S256), token grants, revoke, shop
//!   authorization info and install status (client id + secret; never follows redirects).
//! - Typed errors ([`Error`]), a pure retry policy ([`retry::decide`]), stream pagination
//!   ([`pager`]), streaming uploads ([`upload`]).
//!
//! Where the Trustoo docs are silent the wire format follows
//! `src-tauri/crates/sandbox/CHOICES.md`; decoding tolerates the documented drift.

#![deny(missing_docs)]

pub mod api;
pub mod auth;
#[cfg(any(test, feature = "testing"))]
pub mod bench;
pub mod client;
pub mod error;
pub mod oauth;
pub mod pager;
pub mod retry;
pub mod secret;
pub mod types;
pub mod upload;
pub mod wire;

pub use auth::Auth;
pub use client::{
    ClientConfig, RenewFuture, Renewer, Timeouts, TrustooClient, PRODUCTION_BASE_URL,
};
pub use error::{Error, NetworkKind};
pub use oauth::{
    AuthorizeRequest, OAuthClient, OAuthConfig, Pkce, ShopAuthorizationInfo, ShopInstallStatus,
    ShopRef, TokenSet,
};
pub use retry::{Decision, MethodKind, RetryConfig, Sleeper};
pub use secret::Secret;
pub use types::{
    CreatedReview, DocumentedSource, EmailType, EventQuery, ExclusionTarget, ImageUploadPolicy,
    LegacyMedia, NewMedia, NewMediaItem, NewReply, NewReview, OrderQuery, RatingQuery, ReviewQuery,
    SortOrder, VideoUploadTarget, WebhookTopic,
};
pub use upload::{UploadProgress, UploadedImage};
pub use url::Url;
