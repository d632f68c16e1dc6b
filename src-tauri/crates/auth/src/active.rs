//! Which account is on screen when the merchant has both Trustoo shops and Trustpilot business
//! units.
//!
//! Why a file of its own: the Trustoo session manager remembers its active shop in the shops
//! file, and the Trustpilot accounts know nothing of Trustoo. A Trustpilot account chosen in
//! the switcher must still be the one on screen after a restart, so the choice across
//! providers is kept here (non-secret: a provider and a public id), and [`pick_active`] is the
//! one rule that turns it and the two lists into the account shown.

use std::path::PathBuf;

use reviewdesk_core::{AccountKey, Provider, ShopSession};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Serialize, Deserialize)]
struct ActiveFile {
    #[serde(default)]
    version: u32,
    #[serde(default)]
    active: Option<AccountKey>,
}

/// The account chosen last across providers, mirrored to a JSON file (written atomically).
/// `None`: the Trustoo session manager's active shop is shown.
#[derive(Debug)]
pub struct ActiveAccount {
    path: PathBuf,
    chosen: std::sync::Mutex<Option<AccountKey>>,
}

impl ActiveAccount {
    /// Loads `path`; a missing or unreadable file is "no choice" (the Trustoo shop shows, as
    /// before this file existed), never an error that stops the app.
    pub fn load(path: PathBuf) -> Self {
        let chosen = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<ActiveFile>(&bytes).ok())
            .and_then(|f| f.active);
        Self {
            path,
            chosen: std::sync::Mutex::new(chosen),
        }
    }

    /// The account chosen last, if any.
    pub fn chosen(&self) -> Option<AccountKey> {
        self.chosen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Remembers `account` as the one on screen (`None`: the Trustoo shop). A file that cannot
    /// be written only costs the choice at the next start, so it is logged, not returned.
    pub fn choose(&self, account: Option<AccountKey>) {
        *self
            .chosen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = account.clone();
        let file = ActiveFile {
            version: 1,
            active: account,
        };
        let write = || -> std::io::Result<()> {
            let mut bytes = serde_json::to_vec_pretty(&file).map_err(std::io::Error::other)?;
            bytes.push(b'\n');
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let mut tmp = self.path.clone().into_os_string();
            tmp.push(".tmp");
            std::fs::write(&tmp, &bytes)?;
            std::fs::rename(&tmp, &self.path)
        };
        if let Err(err) = write() {
            tracing::warn!(%err, "could not remember the account on screen");
        }
    }
}

/// The account on screen: the one chosen last when it is still known (a Trustpilot business
/// unit among `trustpilot`, or a Trustoo shop, which is then the session manager's active shop
/// `trustoo_active`), else the Trustoo shop, else the first Trustpilot account. Signing out of
/// the chosen account therefore falls back to another, never to nothing while one is left.
pub fn pick_active(
    chosen: Option<&AccountKey>,
    trustoo_active: Option<ShopSession>,
    trustpilot: &[ShopSession],
) -> Option<ShopSession> {
    if let Some(key) = chosen.filter(|k| k.provider == Provider::Trustpilot) {
        if let Some(found) = trustpilot.iter().find(|s| &s.account() == key) {
            return Some(found.clone());
        }
    }
    trustoo_active.or_else(|| trustpilot.first().cloned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use reviewdesk_core::{AuthMode, Environment, ShopId};

    fn session(provider: Provider, id: &str) -> ShopSession {
        ShopSession {
            shop_id: ShopId::from(id),
            shop_name: id.into(),
            domain: id.into(),
            scopes: vec![],
            missing_scopes: vec![],
            provider,
            capabilities: provider.capabilities(),
            auth_mode: AuthMode::Oauth,
            environment: Environment::Sandbox,
            api_base: "http://127.0.0.1:9/".into(),
        }
    }

    const UNIT_A: &str = "5f0c1a2b3c4d5e6f7a8b9c0d";
    const UNIT_B: &str = "5f0c1a2b3c4d5e6f7a8b9c0e";

    #[test]
    fn a_chosen_trustpilot_account_shows_until_it_is_gone() {
        let shop = session(Provider::Trustoo, "a.myshopify.com");
        let units = [
            session(Provider::Trustpilot, UNIT_A),
            session(Provider::Trustpilot, UNIT_B),
        ];
        let b = AccountKey::new(Provider::Trustpilot, UNIT_B);
        let shown = pick_active(Some(&b), Some(shop.clone()), &units).unwrap();
        assert_eq!(shown.domain, UNIT_B);
        // Signed out of B: the Trustoo shop shows again.
        let shown = pick_active(Some(&b), Some(shop.clone()), &units[..1]).unwrap();
        assert_eq!(shown.domain, "a.myshopify.com");
        // No Trustoo shop either: the first Trustpilot account.
        let shown = pick_active(Some(&b), None, &units[..1]).unwrap();
        assert_eq!(shown.domain, UNIT_A);
        // A Trustoo choice is the session manager's active shop.
        let t = AccountKey::trustoo("other.myshopify.com");
        let shown = pick_active(Some(&t), Some(shop), &units).unwrap();
        assert_eq!(shown.domain, "a.myshopify.com");
        assert_eq!(pick_active(None, None, &[]), None);
    }

    #[test]
    fn the_choice_survives_a_restart_and_a_damaged_file_is_no_choice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("active-account.json");
        let key = AccountKey::new(Provider::Trustpilot, UNIT_A);
        ActiveAccount::load(path.clone()).choose(Some(key.clone()));
        assert_eq!(ActiveAccount::load(path.clone()).chosen(), Some(key));
        std::fs::write(&path, b"{ not json").unwrap();
        assert_eq!(ActiveAccount::load(path.clone()).chosen(), None);
        ActiveAccount::load(path.clone()).choose(None);
        assert_eq!(ActiveAccount::load(path).chosen(), None);
    }
}
