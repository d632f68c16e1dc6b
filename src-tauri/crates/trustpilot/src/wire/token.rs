//! Token answers (§1.1): `{access_token, refresh_token?, expires_in: "359999", …}`.

use serde::Deserialize;

use super::de;
use crate::secret::Secret;

/// How a token set was obtained, which decides how the client renews it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grant {
    /// Username and password (server-side grant; fails for two-factor users). Refreshable.
    Password,
    /// Authorization code from the authenticate page. Refreshable.
    AuthorizationCode,
    /// Application key and secret alone. Not refreshable: the same request is made again
    /// (SEEN-DOC "issue the same request").
    ClientCredentials,
    /// Token from the authenticate page's URL fragment. No refresh token, no secret: when it
    /// expires the merchant signs in again (about four days).
    Implicit,
}

/// Tokens from Trustpilot, with their expiry computed from `expires_in` on receipt.
///
/// `Debug` prints `<redacted>` for the tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSet {
    /// Bearer token for private calls (100 h).
    pub access_token: Secret,
    /// Refresh token (30 days), absent for client credentials and implicit.
    pub refresh_token: Option<Secret>,
    /// When the access token expires, unix seconds (`None` when the answer did not say).
    pub expires_at: Option<i64>,
    /// When the refresh token expires, unix seconds, when said.
    pub refresh_expires_at: Option<i64>,
    /// How the sign-in was made (a refresh keeps the grant it refreshes).
    pub grant: Grant,
}

impl TokenSet {
    /// True when the access token is known to expire within `margin_secs` of `now`.
    pub fn expires_within(&self, now: i64, margin_secs: i64) -> bool {
        self.expires_at
            .is_some_and(|t| t <= now.saturating_add(margin_secs))
    }

    /// Reads the implicit grant's redirect fragment
    /// (`access_token=…&token_type=bearer&expires_in=359999[&state=…]`, SEEN-DOC), with or
    /// without the leading `#`. `now` is the current unix time. Returns the tokens and the
    /// `state` echoed, or `None` without an `access_token`.
    pub fn from_implicit_fragment(fragment: &str, now: i64) -> Option<(TokenSet, Option<String>)> {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        let mut access = None;
        let mut expires_in = None;
        let mut state = None;
        for (k, v) in url::form_urlencoded::parse(fragment.as_bytes()) {
            match k.as_ref() {
                "access_token" if !v.is_empty() => access = Some(Secret::new(v.into_owned())),
                "expires_in" => expires_in = v.trim().parse::<i64>().ok(),
                "state" => state = Some(v.into_owned()),
                _ => {}
            }
        }
        let tokens = TokenSet {
            access_token: access?,
            refresh_token: None,
            expires_at: expires_in.map(|s| now.saturating_add(s)),
            refresh_expires_at: None,
            grant: Grant::Implicit,
        };
        Some((tokens, state))
    }
}

/// The token endpoint's answer. Every number may be a string (`expires_in: "359999"`, SEEN-DOC
/// and Airbyte's comment); unknown fields (`issued_at`, `status`, `application_name`, …) are
/// ignored.
#[derive(Debug, Deserialize)]
pub(crate) struct WireToken {
    #[serde(deserialize_with = "de::string")]
    access_token: String,
    #[serde(default, deserialize_with = "de::opt_string")]
    refresh_token: Option<String>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    expires_in: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    refresh_token_expires_in: Option<i64>,
}

impl WireToken {
    /// The tokens, with expiries counted from `now` (seconds; the node client's milliseconds
    /// reading of `expires_in` is a known bug, §1.10).
    pub(crate) fn into_tokens(self, grant: Grant, now: i64) -> Option<TokenSet> {
        if self.access_token.is_empty() {
            return None;
        }
        Some(TokenSet {
            access_token: Secret::new(self.access_token),
            refresh_token: self.refresh_token.map(Secret::new),
            expires_at: self
                .expires_in
                .filter(|s| *s > 0)
                .map(|s| now.saturating_add(s)),
            refresh_expires_at: self
                .refresh_token_expires_in
                .filter(|s| *s > 0)
                .map(|s| now.saturating_add(s)),
            grant,
        })
    }
}
