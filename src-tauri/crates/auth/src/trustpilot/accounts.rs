//! The list of Trustpilot accounts: non-secret metadata in a JSON file beside the shops file.
//!
//! Why a file: the switcher lists accounts before the keyring is touched, and nothing here is
//! a credential — the business unit (public on Trustpilot), its names, the grant, and the
//! application's fingerprint (which reveals nothing of its key).

use std::path::{Path, PathBuf};

use reviewdesk_core::TrustpilotId;
use serde::{Deserialize, Serialize};

use super::codec::TrustpilotGrant;
use super::error::TrustpilotAuthError;

/// One Trustpilot business unit ReviewDesk is signed in to. No credential, by construction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownTrustpilotAccount {
    /// The business unit (the account's id: `AccountKey::trustpilot`).
    pub business_unit_id: TrustpilotId,
    /// Name shown on Trustpilot.
    pub display_name: String,
    /// Identifying name, usually the domain (`aurora-outfitters.com`).
    pub identifying_name: String,
    /// How it signed in.
    pub grant: TrustpilotGrant,
    /// [`super::TrustpilotApp::fingerprint`] of the application it signed in with.
    pub application: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct AccountsFile {
    #[serde(default)]
    version: u32,
    #[serde(default)]
    accounts: Vec<KnownTrustpilotAccount>,
}

/// The accounts, mirrored to a JSON file (written atomically).
#[derive(Debug)]
pub(super) struct Registry {
    path: PathBuf,
    data: AccountsFile,
}

impl Registry {
    /// Loads `path`; a missing file is an empty list.
    pub async fn load(path: PathBuf) -> Result<Self, TrustpilotAuthError> {
        let data = match tokio::fs::read(&path).await {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|_| TrustpilotAuthError::AccountsFile {
                    reason: "the list of Trustpilot accounts is unreadable".into(),
                })?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => AccountsFile::default(),
            Err(e) => {
                return Err(TrustpilotAuthError::AccountsFile {
                    reason: e.to_string(),
                })
            }
        };
        Ok(Self { path, data })
    }

    async fn save(&self) -> Result<(), TrustpilotAuthError> {
        let io = |e: std::io::Error| TrustpilotAuthError::AccountsFile {
            reason: e.to_string(),
        };
        let mut bytes = serde_json::to_vec_pretty(&AccountsFile {
            version: 1,
            accounts: self.data.accounts.clone(),
        })
        .map_err(|_| TrustpilotAuthError::AccountsFile {
            reason: "could not encode the list of Trustpilot accounts".into(),
        })?;
        bytes.push(b'\n');
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir).await.map_err(io)?;
        }
        let tmp = tmp_path(&self.path);
        tokio::fs::write(&tmp, &bytes).await.map_err(io)?;
        tokio::fs::rename(&tmp, &self.path).await.map_err(io)
    }

    pub fn all(&self) -> &[KnownTrustpilotAccount] {
        &self.data.accounts
    }

    pub fn get(&self, unit: &TrustpilotId) -> Option<&KnownTrustpilotAccount> {
        self.data
            .accounts
            .iter()
            .find(|a| &a.business_unit_id == unit)
    }

    /// Adds or replaces an account (keeping its place in the list).
    pub async fn upsert(&mut self, a: KnownTrustpilotAccount) -> Result<(), TrustpilotAuthError> {
        match self
            .data
            .accounts
            .iter_mut()
            .find(|x| x.business_unit_id == a.business_unit_id)
        {
            Some(x) => *x = a,
            None => self.data.accounts.push(a),
        }
        self.save().await
    }

    /// Forgets an account.
    pub async fn remove(&mut self, unit: &TrustpilotId) -> Result<(), TrustpilotAuthError> {
        self.data.accounts.retain(|a| &a.business_unit_id != unit);
        self.save().await
    }

    /// True when some account still signs in with this application.
    pub fn uses_application(&self, fingerprint: &str) -> bool {
        self.data
            .accounts
            .iter()
            .any(|a| a.application == fingerprint)
    }
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".tmp");
    path.with_file_name(name)
}
