//! How a session's credentials are kept in the keyring: one JSON blob per shop.

use std::time::SystemTime;

use reviewdesk_trustoo::{Auth, Secret, TokenSet};
use serde_json::{json, Value};

use crate::clock::{from_unix, to_unix};
use crate::store::StoreError;

/// OAuth tokens of one shop, in memory.
#[derive(Debug, Clone)]
pub(super) struct OAuthTokens {
    pub(super) access: Secret,
    pub(super) refresh: Option<Secret>,
    pub(super) expires_at: Option<SystemTime>,
}

impl OAuthTokens {
    pub(super) fn from_set(ts: TokenSet, now: SystemTime, old_refresh: Option<Secret>) -> Self {
        Self {
            access: ts.access_token,
            refresh: ts.refresh_token.or(old_refresh),
            expires_at: ts.expires_in.map(|d| now + d),
        }
    }

    /// The keyring blob; without the access token when `with_access` is false (then the access
    /// token lives in memory only and a restart refreshes).
    pub(super) fn encode(&self, with_access: bool) -> Secret {
        let mut v = json!({ "v": 1 });
        if with_access {
            v["access_token"] = Value::from(self.access.expose());
        }
        if let Some(r) = &self.refresh {
            v["refresh_token"] = Value::from(r.expose());
        }
        if let (true, Some(e)) = (with_access, self.expires_at) {
            v["expires_at"] = Value::from(to_unix(e));
        }
        Secret::new(v.to_string())
    }

    pub(super) fn decode(blob: &Secret) -> Result<Self, StoreError> {
        let v: Value = serde_json::from_str(blob.expose()).map_err(|_| StoreError::Corrupt)?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(Secret::new);
        let t = Self {
            access: s("access_token").unwrap_or_default(),
            refresh: s("refresh_token"),
            expires_at: v.get("expires_at").and_then(Value::as_u64).map(from_unix),
        };
        if t.access.is_empty() && t.refresh.is_none() {
            return Err(StoreError::Corrupt);
        }
        Ok(t)
    }
}

pub(super) fn encode_hmac(public_token: &Secret, private_token: &Secret) -> Secret {
    Secret::new(
        json!({ "v": 1, "public_token": public_token.expose(), "private_token": private_token.expose() })
            .to_string(),
    )
}

pub(super) fn decode_hmac(blob: &Secret) -> Result<Auth, StoreError> {
    let v: Value = serde_json::from_str(blob.expose()).map_err(|_| StoreError::Corrupt)?;
    let s = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .filter(|x| !x.is_empty())
            .map(Secret::new)
            .ok_or(StoreError::Corrupt)
    };
    Ok(Auth::Hmac {
        public_token: s("public_token")?,
        private_token: s("private_token")?,
    })
}
