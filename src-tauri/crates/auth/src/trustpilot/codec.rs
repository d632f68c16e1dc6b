//! How Trustpilot credentials are kept in the keyring: one entry per application (API key and,
//! when the grant needs it, the secret) and one per account (the business unit's tokens, grant
//! and business user id). Every blob is JSON with a version, read strictly.

use reviewdesk_core::{AccountKey, TrustpilotId};
use reviewdesk_trustpilot::{Grant, Secret, TokenSet};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::store::{SecretKind, StoreError, StoreKey};

/// A keyring value (the store's own credential type).
type Blob = crate::Secret;

/// How a Trustpilot account signed in, as the UI and the accounts file name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustpilotGrant {
    /// Authorization code through the browser (recommended): renewed for 30 days by itself.
    AuthorizationCode,
    /// Implicit through the browser: no secret kept, no renewal, about four days.
    Implicit,
    /// Username and password, sent once: renewed for 30 days by itself.
    Password,
    /// The application alone (key, secret, business user id): a new token when one expires.
    ClientCredentials,
}

impl TrustpilotGrant {
    /// The stable spelling kept in the keyring and the accounts file.
    pub fn as_str(self) -> &'static str {
        match self {
            TrustpilotGrant::AuthorizationCode => "authorization_code",
            TrustpilotGrant::Implicit => "implicit",
            TrustpilotGrant::Password => "password",
            TrustpilotGrant::ClientCredentials => "client_credentials",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            TrustpilotGrant::AuthorizationCode,
            TrustpilotGrant::Implicit,
            TrustpilotGrant::Password,
            TrustpilotGrant::ClientCredentials,
        ]
        .into_iter()
        .find(|g| g.as_str() == s)
    }

    /// The client crate's grant (which decides how the client renews tokens).
    pub fn client_grant(self) -> Grant {
        match self {
            TrustpilotGrant::AuthorizationCode => Grant::AuthorizationCode,
            TrustpilotGrant::Implicit => Grant::Implicit,
            TrustpilotGrant::Password => Grant::Password,
            TrustpilotGrant::ClientCredentials => Grant::ClientCredentials,
        }
    }

    /// From the client crate's grant.
    pub fn from_client(g: Grant) -> Self {
        match g {
            Grant::AuthorizationCode => TrustpilotGrant::AuthorizationCode,
            Grant::Implicit => TrustpilotGrant::Implicit,
            Grant::Password => TrustpilotGrant::Password,
            Grant::ClientCredentials => TrustpilotGrant::ClientCredentials,
        }
    }

    /// True when the grant needs the application's API secret (all but implicit).
    pub fn needs_secret(self) -> bool {
        self != TrustpilotGrant::Implicit
    }
}

/// The merchant's Trustpilot application as they paste it (Trustpilot Business → Integrations
/// → Developers → APIs). `Debug` prints neither value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustpilotApp {
    /// The API key (the `client_id` of sign-in; sent as `apikey` on every call).
    pub api_key: Secret,
    /// The API secret; `None` for the implicit grant, which keeps no secret on the machine.
    pub api_secret: Option<Secret>,
}

impl TrustpilotApp {
    /// A short, stable name for the application that reveals nothing of its key: the first
    /// 16 hex digits of SHA-256 of the key. Names its keyring entry and is kept in the
    /// accounts file so accounts of one application share the entry.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.api_key.expose().as_bytes());
        digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }

    pub(super) fn encode(&self) -> Blob {
        let mut v = json!({ "v": 1, "api_key": self.api_key.expose() });
        if let Some(s) = &self.api_secret {
            v["api_secret"] = Value::from(s.expose());
        }
        Blob::new(v.to_string())
    }

    pub(super) fn decode(blob: &Blob) -> Result<Self, StoreError> {
        let v: Value = serde_json::from_str(blob.expose()).map_err(|_| StoreError::Corrupt)?;
        if v.get("v").and_then(Value::as_u64) != Some(1) {
            return Err(StoreError::Corrupt);
        }
        let s = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .filter(|x| !x.is_empty())
                .map(Secret::new)
        };
        Ok(Self {
            api_key: s("api_key").ok_or(StoreError::Corrupt)?,
            api_secret: s("api_secret"),
        })
    }
}

/// The keyring entry of an application, by fingerprint.
pub(super) fn app_key(fingerprint: &str) -> StoreKey {
    StoreKey::new(
        format!("trustpilot-app:{fingerprint}"),
        SecretKind::Application,
    )
}

/// The keyring entry of an account: user `trustpilot:<business unit id>/oauth`.
pub(super) fn account_key(unit: &TrustpilotId) -> StoreKey {
    StoreKey::new(AccountKey::trustpilot(unit).to_string(), SecretKind::OAuth)
}

/// The keyring entry of the browser sign-in in progress (one at a time).
pub(super) fn pending_key() -> StoreKey {
    StoreKey::new("trustpilot-sign-in", SecretKind::PendingLogin)
}

/// What one account keeps in the keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AccountSecrets {
    pub tokens: TokenSet,
    /// The business user who answers reviews (required for client credentials).
    pub business_user_id: Option<TrustpilotId>,
}

impl AccountSecrets {
    pub(super) fn encode(&self) -> Blob {
        let t = &self.tokens;
        let mut v = json!({
            "v": 1,
            "grant": TrustpilotGrant::from_client(t.grant).as_str(),
            "access_token": t.access_token.expose(),
        });
        if let Some(r) = &t.refresh_token {
            v["refresh_token"] = Value::from(r.expose());
        }
        if let Some(e) = t.expires_at {
            v["expires_at"] = Value::from(e);
        }
        if let Some(e) = t.refresh_expires_at {
            v["refresh_expires_at"] = Value::from(e);
        }
        if let Some(u) = &self.business_user_id {
            v["business_user_id"] = Value::from(u.as_str());
        }
        Blob::new(v.to_string())
    }

    pub(super) fn decode(blob: &Blob) -> Result<Self, StoreError> {
        let v: Value = serde_json::from_str(blob.expose()).map_err(|_| StoreError::Corrupt)?;
        if v.get("v").and_then(Value::as_u64) != Some(1) {
            return Err(StoreError::Corrupt);
        }
        let text = |k: &str| v.get(k).and_then(Value::as_str).filter(|x| !x.is_empty());
        let grant = text("grant")
            .and_then(TrustpilotGrant::parse)
            .ok_or(StoreError::Corrupt)?;
        let business_user_id = match text("business_user_id") {
            Some(id) => Some(TrustpilotId::parse(id).map_err(|_| StoreError::Corrupt)?),
            None => None,
        };
        Ok(Self {
            tokens: TokenSet {
                access_token: Secret::new(text("access_token").ok_or(StoreError::Corrupt)?),
                refresh_token: text("refresh_token").map(Secret::new),
                expires_at: v.get("expires_at").and_then(Value::as_i64),
                refresh_expires_at: v.get("refresh_expires_at").and_then(Value::as_i64),
                grant: grant.client_grant(),
            },
            business_user_id,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn unit() -> TrustpilotId {
        TrustpilotId::parse("5c1a7e8f2d3b4a0001f6e9d2").unwrap()
    }

    #[test]
    fn entries_are_named_by_account_and_application_never_by_a_secret() {
        assert_eq!(
            account_key(&unit()).account(),
            "trustpilot:5c1a7e8f2d3b4a0001f6e9d2/oauth"
        );
        let app = TrustpilotApp {
            api_key: Secret::new("Rv7dSbxK3yTq9LmN2pWc8HfJ4aZe6UoX"),
            api_secret: None,
        };
        let fp = app.fingerprint();
        assert_eq!(fp.len(), 16);
        assert!(!fp.contains("Rv7d"));
        assert_eq!(
            app_key(&fp).account(),
            format!("trustpilot-app:{fp}/application")
        );
        let other = TrustpilotApp {
            api_key: Secret::new("another"),
            api_secret: None,
        };
        assert_ne!(other.fingerprint(), fp);
        assert_eq!(pending_key().account(), "trustpilot-sign-in/pending-login");
    }

    #[test]
    fn blobs_round_trip_and_damage_is_corrupt() {
        let app = TrustpilotApp {
            api_key: Secret::new("K"),
            api_secret: Some(Secret::new("S")),
        };
        assert_eq!(TrustpilotApp::decode(&app.encode()).unwrap(), app);
        let implicit = TrustpilotApp {
            api_key: Secret::new("K"),
            api_secret: None,
        };
        assert!(!implicit.encode().expose().contains("api_secret"));
        assert_eq!(TrustpilotApp::decode(&implicit.encode()).unwrap(), implicit);

        for grant in [
            Grant::AuthorizationCode,
            Grant::Implicit,
            Grant::Password,
            Grant::ClientCredentials,
        ] {
            let a = AccountSecrets {
                tokens: TokenSet {
                    access_token: Secret::new("A"),
                    refresh_token: (grant == Grant::Password).then(|| Secret::new("R")),
                    expires_at: Some(1_900_000_000),
                    refresh_expires_at: None,
                    grant,
                },
                business_user_id: Some(TrustpilotId::parse("5f8e2a1c9b3d4e7f60a1b2c3").unwrap()),
            };
            assert_eq!(AccountSecrets::decode(&a.encode()).unwrap(), a);
        }
        for bad in [
            "not json",
            "{}",
            r#"{"v":2,"grant":"password","access_token":"A"}"#,
            r#"{"v":1,"grant":"magic","access_token":"A"}"#,
            r#"{"v":1,"grant":"password","access_token":""}"#,
            r#"{"v":1,"grant":"password","access_token":"A","business_user_id":"../x"}"#,
        ] {
            assert_eq!(
                AccountSecrets::decode(&Blob::new(bad)).unwrap_err(),
                StoreError::Corrupt,
                "{bad}"
            );
        }
        assert!(TrustpilotApp::decode(&Blob::new(r#"{"v":1}"#)).is_err());
    }
}
