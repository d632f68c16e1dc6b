//! What a Trustpilot sign-in can fail with, as sentences the UI shows as they are.

use crate::callback::{CallbackRejection, ProviderError};
use crate::store::StoreError;

/// A Trustpilot sign-in or account failure. No message contains a key, secret, token, code,
/// password or text taken from a link.
///
/// Why its own enum beside [`crate::AuthError`]: that one speaks Trustoo (shops, scopes,
/// consent pages); here the merchant brings an application, picks a grant and a business unit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustpilotAuthError {
    /// The deep link was refused (malformed, forged, expired, replayed …).
    #[error(transparent)]
    Callback(#[from] CallbackRejection),
    /// The authenticate page reported an error other than the merchant cancelling.
    #[error("Trustpilot could not complete the sign-in ({}). Check the application's redirect URI, then try again.", provider_error_words(*.0))]
    Provider(ProviderError),
    /// Trustpilot refused a call; its sentence (two-factor users, too frequent sign-ins, a
    /// refused key or secret …) is shown as it is.
    #[error(transparent)]
    Trustpilot(#[from] reviewdesk_trustpilot::Error),
    /// Something the merchant typed cannot be right (the sentence says what).
    #[error("{0}")]
    Input(String),
    /// No sign-in is waiting for a business unit to be picked.
    #[error("Sign in to Trustpilot first, then pick the business unit.")]
    NoSignInToPlace,
    /// The sign-in cannot read the chosen business unit's reviews.
    #[error("This Trustpilot sign-in cannot read the reviews of {0}. Pick a business unit of the business you signed in to.")]
    UnitNotReadable(String),
    /// No such Trustpilot account in ReviewDesk.
    #[error("This Trustpilot business unit is not in ReviewDesk's list of accounts.")]
    UnknownAccount,
    /// The account's sign-in ended and cannot be renewed (implicit grant after ~4 days, a
    /// refresh token that expired or was revoked).
    #[error("The Trustpilot sign-in for this business unit has ended. Sign in again.")]
    SessionEnded,
    /// The system keyring cannot be used.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The list of accounts could not be read or written.
    #[error("ReviewDesk could not update its list of Trustpilot accounts: {reason}")]
    AccountsFile {
        /// The I/O problem (paths only, nothing secret).
        reason: String,
    },
}

impl TrustpilotAuthError {
    /// True when only a new sign-in helps (show the sign-in screen for this account).
    pub fn needs_sign_in(&self) -> bool {
        use reviewdesk_trustpilot::Error as E;
        matches!(
            self,
            TrustpilotAuthError::SessionEnded
                | TrustpilotAuthError::Trustpilot(
                    E::Unauthorized { .. } | E::InvalidGrant | E::InvalidClient | E::NotSignedIn
                )
        )
    }

    /// True when the keyring is the problem (show the install/unlock hint).
    pub fn is_keyring_unavailable(&self) -> bool {
        matches!(
            self,
            TrustpilotAuthError::Store(StoreError::KeyringUnavailable { .. })
        )
    }
}

fn provider_error_words(e: ProviderError) -> &'static str {
    match e {
        ProviderError::AccessDenied => "access denied",
        ProviderError::InvalidRequest => "invalid request",
        ProviderError::UnauthorizedClient => "the application may not sign in this way",
        ProviderError::UnsupportedResponseType => "this grant is not enabled for the application",
        ProviderError::InvalidScope => "invalid scope",
        ProviderError::ServerError => "a server error",
        ProviderError::TemporarilyUnavailable => "temporarily unavailable",
        ProviderError::Other => "an unknown error",
    }
}
