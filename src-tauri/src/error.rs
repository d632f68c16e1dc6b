//! The one error shape the UI sees: `{ code, message, retry_after_s }`.
//!
//! Every command returns `Result<T, IpcError>`. The message is a plain sentence for the merchant;
//! it never carries a token, a raw response body or a stack trace.

use reviewdesk_inbox::{InboxError, SourceError, SourceErrorKind};
use serde::Serialize;

/// Stable machine-readable error codes; the UI chooses actions from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// No shop is connected.
    NotSignedIn,
    /// The shop's session ended; sign in again.
    SessionExpired,
    /// The token lacks a permission.
    Forbidden,
    /// The thing asked for does not exist (any more).
    NotFound,
    /// Input was rejected.
    Validation,
    /// Too many requests; try again later.
    RateLimited,
    /// Trustoo could not be reached.
    Network,
    /// A file upload was refused.
    UploadRejected,
    /// The OS keyring is missing or locked.
    KeychainUnavailable,
    /// Anything else (a bug or an unexpected answer).
    Internal,
}

/// Error returned by every Tauri command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[error("{message}")]
pub struct IpcError {
    /// What went wrong, for code.
    pub code: ErrorCode,
    /// What went wrong, for the merchant.
    pub message: String,
    /// When `code` is `RATE_LIMITED`, seconds to wait before retrying.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub retry_after_s: Option<u64>,
}

impl IpcError {
    /// An error with no retry hint.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after_s: None,
        }
    }

    /// No shop is connected yet.
    pub fn not_signed_in() -> Self {
        Self::new(
            ErrorCode::NotSignedIn,
            "No shop is connected. Sign in with Trustoo to continue.",
        )
    }
}

impl From<reviewdesk_trustoo::Error> for IpcError {
    fn from(err: reviewdesk_trustoo::Error) -> Self {
        use reviewdesk_trustoo::Error as E;
        match err {
            E::Unauthorized { expired: true } => Self::new(
                ErrorCode::SessionExpired,
                "Your session expired — sign in again.",
            ),
            E::Unauthorized { expired: false } => Self::new(
                ErrorCode::SessionExpired,
                "Trustoo did not accept this shop's credentials — sign in again.",
            ),
            E::Forbidden { scope } => Self::new(
                ErrorCode::Forbidden,
                match scope {
                    Some(scope) => format!(
                        "ReviewDesk is not allowed to do this: the shop did not grant `{scope}`."
                    ),
                    None => "ReviewDesk is not allowed to do this for this shop.".to_owned(),
                },
            ),
            E::NotFound => Self::new(
                ErrorCode::NotFound,
                "Trustoo could not find it; it may have been deleted.",
            ),
            E::Validation { message } => Self::new(
                ErrorCode::Validation,
                format!("Trustoo rejected the request: {message}"),
            ),
            E::RateLimited { retry_after } => {
                let seconds = retry_after.map(|d| d.as_secs().max(1)).unwrap_or(30);
                Self {
                    code: ErrorCode::RateLimited,
                    message: format!("Trustoo is busy. Retry in {seconds} s."),
                    retry_after_s: Some(seconds),
                }
            }
            E::AlreadyExists => Self::new(
                ErrorCode::Validation,
                "Trustoo already has this, so nothing was changed.",
            ),
            E::Storage { .. } => Self::new(
                ErrorCode::UploadRejected,
                "The file upload was refused by Trustoo's storage. Try again; ReviewDesk will ask for fresh upload credentials.",
            ),
            E::Network { .. } => Self::new(
                ErrorCode::Network,
                "Could not reach Trustoo. Check your internet connection and try again.",
            ),
            // Trustoo answered, with an error of its own: not a connection problem (no NETWORK
            // code, so the window does not say it is offline).
            E::Server { status, code } if status >= 500 || code == Some(13) => Self::new(
                ErrorCode::Internal,
                format!(
                    "Trustoo is having trouble (error {}). Try again in a moment.",
                    if status >= 500 { i64::from(status) } else { code.unwrap_or(13) }
                ),
            ),
            other => {
                tracing::warn!(error = %other, "unexpected Trustoo error");
                Self::new(
                    ErrorCode::Internal,
                    "Trustoo answered in a way ReviewDesk did not understand. Try again in a moment.",
                )
            }
        }
    }
}

impl From<reviewdesk_auth::shop::webhooks::WebhookError> for IpcError {
    /// The library words the webhook refusals; each gets the code the UI acts on.
    fn from(err: reviewdesk_auth::shop::webhooks::WebhookError) -> Self {
        use reviewdesk_auth::shop::webhooks::WebhookError as W;
        match err {
            W::Invalid(m) | W::Duplicate(m) | W::Rejected(m) => Self::new(ErrorCode::Validation, m),
            W::MissingScope(m) => Self::new(ErrorCode::Forbidden, m),
            W::NotFound(m) => Self::new(ErrorCode::NotFound, m),
            W::Api(e) => e.into(),
        }
    }
}

impl From<SourceError> for IpcError {
    /// Trustoo's own error keeps its finer mapping (scopes, session expiry); another
    /// provider's is mapped by kind, in the same words.
    fn from(err: SourceError) -> Self {
        let err = match err.into_origin::<reviewdesk_trustoo::Error>() {
            Ok(trustoo) => return trustoo.into(),
            Err(err) => err,
        };
        let provider = err.provider();
        match err.kind() {
            SourceErrorKind::Unreachable => Self::new(
                ErrorCode::Network,
                format!(
                    "Could not reach {provider}. Check your internet connection and try again."
                ),
            ),
            SourceErrorKind::Unauthorized => Self::new(
                ErrorCode::SessionExpired,
                format!("{provider} did not accept this account's credentials — sign in again."),
            ),
            SourceErrorKind::Forbidden => Self::new(
                ErrorCode::Forbidden,
                "ReviewDesk is not allowed to do this for this account.",
            ),
            SourceErrorKind::NotFound => Self::new(
                ErrorCode::NotFound,
                format!("{provider} could not find it; it may have been deleted."),
            ),
            SourceErrorKind::Refused { message } => Self::new(
                ErrorCode::Validation,
                format!("{provider} rejected the request: {message}"),
            ),
            SourceErrorKind::AlreadyExists => Self::new(
                ErrorCode::Validation,
                format!("{provider} already has this, so nothing was changed."),
            ),
            SourceErrorKind::RateLimited { retry_after } => {
                let seconds = retry_after.map(|d| d.as_secs().max(1)).unwrap_or(30);
                Self {
                    code: ErrorCode::RateLimited,
                    message: format!("{provider} is busy. Retry in {seconds} s."),
                    retry_after_s: Some(seconds),
                }
            }
            SourceErrorKind::Server {
                error,
                transient: true,
            } => Self::new(
                ErrorCode::Internal,
                format!("{provider} is having trouble (error {error}). Try again in a moment."),
            ),
            _ => {
                tracing::warn!(error = %err, "unexpected review source error");
                Self::new(
                    ErrorCode::Internal,
                    format!(
                        "{provider} answered in a way ReviewDesk did not understand. Try again in a moment."
                    ),
                )
            }
        }
    }
}

impl From<reviewdesk_auth::AuthError> for IpcError {
    fn from(err: reviewdesk_auth::AuthError) -> Self {
        use reviewdesk_auth::AuthError as A;
        if err.is_keyring_unavailable() {
            return Self::new(ErrorCode::KeychainUnavailable, err.to_string());
        }
        match err {
            A::Trustoo(inner) => inner.into(),
            A::SessionExpired => Self::new(
                ErrorCode::SessionExpired,
                "Your session expired — sign in again.",
            ),
            A::NotSignedIn | A::UnknownShop => Self::new(ErrorCode::NotSignedIn, err.to_string()),
            A::CredentialsRejected | A::InvalidShopDomain | A::Callback(_) | A::WrongShop => {
                Self::new(ErrorCode::Validation, err.to_string())
            }
            // Every other sign-in error is written as a sentence without secrets.
            other => Self::new(ErrorCode::Internal, other.to_string()),
        }
    }
}

impl From<reviewdesk_auth::trustpilot::TrustpilotAuthError> for IpcError {
    /// The library words every Trustpilot sign-in failure (no credential in any sentence);
    /// each gets the code the UI acts on.
    fn from(err: reviewdesk_auth::trustpilot::TrustpilotAuthError) -> Self {
        use reviewdesk_auth::trustpilot::TrustpilotAuthError as T;
        use reviewdesk_trustpilot::Error as E;
        let code = if err.is_keyring_unavailable() {
            ErrorCode::KeychainUnavailable
        } else if err.needs_sign_in() {
            ErrorCode::SessionExpired
        } else {
            match &err {
                T::Trustpilot(E::Network { .. }) => ErrorCode::Network,
                T::Trustpilot(E::RateLimited { retry_after }) => {
                    let seconds = retry_after.map(|d| d.as_secs().max(1)).unwrap_or(60);
                    return Self {
                        code: ErrorCode::RateLimited,
                        message: err.to_string(),
                        retry_after_s: Some(seconds),
                    };
                }
                T::Trustpilot(E::AuthTooFrequent) => ErrorCode::RateLimited,
                T::Trustpilot(E::Forbidden) => ErrorCode::Forbidden,
                T::Trustpilot(E::NotFound) => ErrorCode::NotFound,
                T::UnknownAccount => ErrorCode::NotSignedIn,
                T::Input(_)
                | T::Callback(_)
                | T::Provider(_)
                | T::NoSignInToPlace
                | T::UnitNotReadable(_)
                | T::Trustpilot(
                    E::Validation { .. }
                    | E::TwoFactorNotSupported
                    | E::InvalidClient
                    | E::InvalidGrant
                    | E::NoSecret,
                ) => ErrorCode::Validation,
                _ => ErrorCode::Internal,
            }
        };
        Self::new(code, err.to_string())
    }
}

impl From<InboxError> for IpcError {
    fn from(err: InboxError) -> Self {
        match err {
            InboxError::Source(source) => source.into(),
            InboxError::NotFound(message) => IpcError::new(ErrorCode::NotFound, message),
            InboxError::Invalid(message) => IpcError::new(ErrorCode::Validation, message),
            InboxError::Store(e) => {
                tracing::error!(err = %e, "store error");
                IpcError::new(
                    ErrorCode::Internal,
                    "ReviewDesk's review database failed. Try again; restart the app if it persists.",
                )
            }
            InboxError::Io(e) => IpcError::new(
                ErrorCode::Internal,
                format!("ReviewDesk could not write the file: {e}."),
            ),
            InboxError::Internal(e) => {
                tracing::error!(err = %e, "inbox internal error");
                IpcError::new(
                    ErrorCode::Internal,
                    "Something went wrong inside ReviewDesk. Try again.",
                )
            }
        }
    }
}

impl From<reviewdesk_store::StoreError> for IpcError {
    fn from(err: reviewdesk_store::StoreError) -> Self {
        InboxError::Store(err).into()
    }
}

impl From<reviewdesk_auth::demo::DemoError> for IpcError {
    fn from(err: reviewdesk_auth::demo::DemoError) -> Self {
        use reviewdesk_auth::demo::DemoError as D;
        let code = match err {
            D::Unreachable { .. } => ErrorCode::Network,
            D::NotASandbox => ErrorCode::Internal,
        };
        Self::new(code, err.to_string())
    }
}

impl From<reviewdesk_media::service::ComposerError> for IpcError {
    fn from(err: reviewdesk_media::service::ComposerError) -> Self {
        use reviewdesk_media::service::ComposerError as C;
        use reviewdesk_media::CreateError;
        match err {
            C::NotFound(message) => Self::new(ErrorCode::NotFound, message),
            C::Invalid(message) => Self::new(ErrorCode::Validation, message),
            C::Store(e) => {
                tracing::error!(err = %e, "draft store error");
                Self::new(
                    ErrorCode::Internal,
                    "ReviewDesk could not read or save the draft in its local database. Try again; if it keeps happening, restart ReviewDesk.",
                )
            }
            C::Api(e) => e.into(),
            C::Create(CreateError::NotCreated(inner)) => {
                let base = IpcError::from(inner);
                IpcError {
                    message: format!("The review was not created. {}", base.message),
                    ..base
                }
            }
            C::Create(e @ CreateError::Unknown(_)) => Self::new(ErrorCode::Network, e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbox_errors_become_plain_sentences() {
        let e: IpcError =
            InboxError::Invalid("That email address does not look right.".into()).into();
        assert_eq!(e.code, ErrorCode::Validation);
        let e: IpcError = InboxError::from(reviewdesk_trustoo::Error::NotFound).into();
        assert_eq!(e.code, ErrorCode::NotFound);
    }

    #[test]
    fn review_source_errors_keep_trustoos_mapping_and_map_other_providers_by_kind() {
        // A Trustoo error keeps its finer mapping (the missing scope is named).
        let e: IpcError = InboxError::from(reviewdesk_trustoo::Error::Forbidden {
            scope: Some("write_reviews".into()),
        })
        .into();
        assert_eq!(e.code, ErrorCode::Forbidden);
        assert!(e.message.contains("`write_reviews`"), "{}", e.message);
        // Another provider's error is mapped by its kind, in the same words.
        let e: IpcError = SourceError::new(
            "Fakepilot",
            SourceErrorKind::Unreachable,
            "connection refused",
        )
        .into();
        assert_eq!(e.code, ErrorCode::Network);
        assert_eq!(
            e.message,
            "Could not reach Fakepilot. Check your internet connection and try again."
        );
        let e: IpcError = InboxError::Source(SourceError::new(
            "Fakepilot",
            SourceErrorKind::RateLimited {
                retry_after: Some(std::time::Duration::from_secs(12)),
            },
            "rate limited",
        ))
        .into();
        assert_eq!(e.code, ErrorCode::RateLimited);
        assert_eq!(e.retry_after_s, Some(12));
        assert_eq!(e.message, "Fakepilot is busy. Retry in 12 s.");
    }

    #[test]
    fn webhook_refusals_keep_their_sentence_and_get_a_code() {
        use reviewdesk_auth::shop::webhooks::refusal;
        let dup: IpcError = refusal(reviewdesk_trustoo::Error::AlreadyExists, None).into();
        assert_eq!(dup.code, ErrorCode::Validation);
        assert!(
            dup.message.starts_with("Trustoo already has"),
            "{}",
            dup.message
        );
        let scope: IpcError = refusal(
            reviewdesk_trustoo::Error::Forbidden {
                scope: Some("read_customer_events".into()),
            },
            Some("customer_event/created"),
        )
        .into();
        assert_eq!(scope.code, ErrorCode::Forbidden);
        assert!(scope.message.contains("read_customer_events"));
        let gone: IpcError = refusal(reviewdesk_trustoo::Error::NotFound, None).into();
        assert_eq!(gone.code, ErrorCode::NotFound);
        let expired: IpcError = refusal(
            reviewdesk_trustoo::Error::Unauthorized { expired: true },
            None,
        )
        .into();
        assert_eq!(expired.code, ErrorCode::SessionExpired);
    }

    #[test]
    fn json_shape_is_pinned() {
        let err = IpcError {
            code: ErrorCode::RateLimited,
            message: "Trustoo is busy. Retry in 30 s.".into(),
            retry_after_s: Some(30),
        };
        let json = serde_json::to_value(&err).expect("serialize");
        assert_eq!(
            json,
            serde_json::json!({
                "code": "RATE_LIMITED",
                "message": "Trustoo is busy. Retry in 30 s.",
                "retry_after_s": 30
            })
        );
        let json = serde_json::to_value(IpcError::not_signed_in()).expect("serialize");
        assert_eq!(json["code"], "NOT_SIGNED_IN");
        assert_eq!(json["retry_after_s"], serde_json::Value::Null);
    }

    #[test]
    fn auth_errors_keep_their_sentence_and_get_a_code() {
        let expired: IpcError = reviewdesk_auth::AuthError::SessionExpired.into();
        assert_eq!(expired.code, ErrorCode::SessionExpired);
        assert_eq!(expired.message, "Your session expired — sign in again.");
        let bad_domain: IpcError = reviewdesk_auth::AuthError::InvalidShopDomain.into();
        assert_eq!(bad_domain.code, ErrorCode::Validation);
        assert!(bad_domain.message.contains("myshopify.com"));
    }

    #[test]
    fn trustoo_errors_map_to_actionable_codes() {
        let limited: IpcError = reviewdesk_trustoo::Error::RateLimited {
            retry_after: Some(std::time::Duration::from_secs(12)),
        }
        .into();
        assert_eq!(limited.code, ErrorCode::RateLimited);
        assert_eq!(limited.retry_after_s, Some(12));
        assert!(limited.message.contains("12 s"));
        let expired: IpcError = reviewdesk_trustoo::Error::Unauthorized { expired: true }.into();
        assert_eq!(expired.code, ErrorCode::SessionExpired);
    }

    #[test]
    fn server_errors_say_trustoo_is_having_trouble_not_unreachable() {
        let err: IpcError = reviewdesk_trustoo::Error::Server {
            status: 500,
            code: Some(13),
        }
        .into();
        assert_ne!(err.code, ErrorCode::Network);
        assert_eq!(
            err.message,
            "Trustoo is having trouble (error 500). Try again in a moment."
        );
        let offline: IpcError = reviewdesk_trustoo::Error::Network {
            kind: reviewdesk_trustoo::NetworkKind::Connect,
            source: None,
        }
        .into();
        assert_eq!(offline.code, ErrorCode::Network);
    }

    #[test]
    fn every_code_is_screaming_snake() {
        let codes = [
            (ErrorCode::NotSignedIn, "NOT_SIGNED_IN"),
            (ErrorCode::SessionExpired, "SESSION_EXPIRED"),
            (ErrorCode::Forbidden, "FORBIDDEN"),
            (ErrorCode::NotFound, "NOT_FOUND"),
            (ErrorCode::Validation, "VALIDATION"),
            (ErrorCode::RateLimited, "RATE_LIMITED"),
            (ErrorCode::Network, "NETWORK"),
            (ErrorCode::UploadRejected, "UPLOAD_REJECTED"),
            (ErrorCode::KeychainUnavailable, "KEYCHAIN_UNAVAILABLE"),
            (ErrorCode::Internal, "INTERNAL"),
        ];
        for (code, text) in codes {
            assert_eq!(serde_json::to_value(code).expect("serialize"), text);
        }
    }
}
