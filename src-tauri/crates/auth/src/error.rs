//! Everything sign-in can fail with, as sentences the UI can show as they are.
//!
//! Why one enum: the Tauri layer maps each variant to a UI state (sign-in again, unlock the
//! keyring, try later). No message contains a token, a code, or text from the callback URL.

use crate::callback::CallbackRejection;
use crate::store::StoreError;

/// A sign-in or session failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The deep link was refused (malformed, forged, expired, replayed …).
    #[error(transparent)]
    Callback(#[from] CallbackRejection),
    /// Trustoo refused the authorization code (used, expired, PKCE mismatch) or the client.
    #[error("Trustoo did not accept the sign-in ({0}). Please start the sign-in again.")]
    Exchange(#[source] reviewdesk_trustoo::Error),
    /// The merchant authorized a different shop than the one they started with.
    #[error("Trustoo did not confirm access to this shop. Make sure you pick the same shop on the consent page, then sign in again.")]
    WrongShop,
    /// The refresh token no longer works: the shop must sign in again. Keep drafts and cache.
    #[error("Your session expired — sign in again")]
    SessionExpired,
    /// The shop's Public/Private Token were refused (wrong, or the private token was reset).
    #[error("Trustoo did not accept this shop's Public and Private Token. Copy them again from the Trustoo admin.")]
    CredentialsRejected,
    /// The shop is not signed in (never, or signed out).
    #[error("This shop is not signed in.")]
    NotSignedIn,
    /// No such shop in the list.
    #[error("This shop is not in ReviewDesk's list of shops.")]
    UnknownShop,
    /// What the merchant typed is not a `*.myshopify.com` shop.
    #[error("Enter the shop's myshopify.com address, for example my-store.myshopify.com.")]
    InvalidShopDomain,
    /// The system keyring cannot be used (see [`StoreError`] for the install/unlock hint).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The known-shops file could not be read or written.
    #[error("ReviewDesk could not update its list of shops: {reason}")]
    ShopsFile {
        /// The I/O problem (paths only, nothing secret).
        reason: String,
    },
    /// Any other Trustoo failure (network, rate limit, server) — the session is kept.
    #[error(transparent)]
    Trustoo(reviewdesk_trustoo::Error),
    /// The configuration is unusable (bad base URL or redirect URI).
    #[error("ReviewDesk's sign-in is misconfigured: {0}")]
    Config(String),
}

impl AuthError {
    /// True when the caller should sign the shop out locally and ask for a new sign-in.
    pub fn needs_sign_in(&self) -> bool {
        matches!(
            self,
            AuthError::SessionExpired | AuthError::CredentialsRejected | AuthError::NotSignedIn
        )
    }

    /// The same failure as a Trustoo client error, for code that speaks only the client's
    /// errors (the inbox's background sync turns it into its phase and sentence): a refresh
    /// that could not be made keeps its own error; a sign-in that ended is `Unauthorized`.
    pub fn into_api_error(self) -> reviewdesk_trustoo::Error {
        match self {
            AuthError::Trustoo(e) => e,
            AuthError::SessionExpired
            | AuthError::CredentialsRejected
            | AuthError::NotSignedIn
            | AuthError::UnknownShop => reviewdesk_trustoo::Error::Unauthorized { expired: false },
            other => reviewdesk_trustoo::Error::Config(other.to_string()),
        }
    }

    /// True when the keyring is the problem (show the install/unlock hint).
    pub fn is_keyring_unavailable(&self) -> bool {
        matches!(
            self,
            AuthError::Store(StoreError::KeyringUnavailable { .. })
        )
    }
}
