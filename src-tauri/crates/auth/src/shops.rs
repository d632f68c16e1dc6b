//! The list of known shops: non-secret metadata in a JSON file the caller chooses.
//!
//! Why a file: the shop list is needed before the keyring is touched (to show "signed in to
//! X"), and it holds nothing secret. Tokens never go into it.

use std::path::{Path, PathBuf};

use reviewdesk_core::{AuthMode, ShopId};
use serde::{Deserialize, Serialize};

use crate::error::AuthError;

/// One shop the app has signed in to. No credential in here, by construction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownShop {
    /// Normalised `*.myshopify.com` domain (the key of everything per shop).
    pub domain: String,
    /// Display name.
    pub name: String,
    /// Shopify shop id, when Trustoo told us.
    pub shop_id: Option<ShopId>,
    /// Granted scopes (empty for HMAC: the tokens carry every permission of the shop).
    pub scopes: Vec<String>,
    /// OAuth or HMAC.
    pub auth_mode: AuthMode,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ShopsFile {
    #[serde(default)]
    version: u32,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    shops: Vec<KnownShop>,
}

/// The known shops and which one is active, mirrored to a JSON file.
#[derive(Debug)]
pub(crate) struct ShopRegistry {
    path: PathBuf,
    data: ShopsFile,
}

impl ShopRegistry {
    /// Loads `path`; a missing file is an empty list.
    pub async fn load(path: PathBuf) -> Result<Self, AuthError> {
        let data = match tokio::fs::read(&path).await {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|_| AuthError::ShopsFile {
                reason: "the list of shops is unreadable".into(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ShopsFile::default(),
            Err(e) => {
                return Err(AuthError::ShopsFile {
                    reason: e.to_string(),
                })
            }
        };
        Ok(Self { path, data })
    }

    /// Writes the file atomically (temp file + rename).
    async fn save(&self) -> Result<(), AuthError> {
        let io = |e: std::io::Error| AuthError::ShopsFile {
            reason: e.to_string(),
        };
        let mut data = serde_json::to_vec_pretty(&self.data).map_err(|_| AuthError::ShopsFile {
            reason: "could not encode the list of shops".into(),
        })?;
        data.push(b'\n');
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir).await.map_err(io)?;
        }
        let tmp = tmp_path(&self.path);
        tokio::fs::write(&tmp, &data).await.map_err(io)?;
        tokio::fs::rename(&tmp, &self.path).await.map_err(io)
    }

    pub fn all(&self) -> &[KnownShop] {
        &self.data.shops
    }

    pub fn get(&self, domain: &str) -> Option<&KnownShop> {
        self.data.shops.iter().find(|s| s.domain == domain)
    }

    pub fn active(&self) -> Option<&str> {
        self.data.active.as_deref()
    }

    /// Adds or replaces a shop and makes it active.
    pub async fn upsert_active(&mut self, shop: KnownShop) -> Result<(), AuthError> {
        self.data.active = Some(shop.domain.clone());
        match self.data.shops.iter_mut().find(|s| s.domain == shop.domain) {
            Some(s) => *s = shop,
            None => self.data.shops.push(shop),
        }
        self.save().await
    }

    pub async fn set_active(&mut self, domain: &str) -> Result<(), AuthError> {
        if self.get(domain).is_none() {
            return Err(AuthError::UnknownShop);
        }
        self.data.active = Some(domain.to_owned());
        self.save().await
    }

    /// Forgets a shop; if it was active, the first remaining shop becomes active.
    pub async fn remove(&mut self, domain: &str) -> Result<(), AuthError> {
        self.data.shops.retain(|s| s.domain != domain);
        if self.data.active.as_deref() == Some(domain) {
            self.data.active = self.data.shops.first().map(|s| s.domain.clone());
        }
        self.save().await
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

/// Normalises what a merchant typed into `<handle>.myshopify.com`: accepts `handle`,
/// `handle.myshopify.com`, `https://handle.myshopify.com/`; lowercases.
///
/// Why strict: the domain names keyring entries and goes into URLs.
pub fn normalize_shop_domain(input: &str) -> Result<String, AuthError> {
    let s = input.trim().to_ascii_lowercase();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(&s);
    let s = s.strip_suffix('/').unwrap_or(s);
    let handle = s.strip_suffix(".myshopify.com").unwrap_or(s);
    let valid = !handle.is_empty()
        && handle.len() <= 60
        && handle
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !handle.starts_with('-')
        && !handle.ends_with('-');
    if !valid {
        return Err(AuthError::InvalidShopDomain);
    }
    Ok(format!("{handle}.myshopify.com"))
}

/// A display name from a domain when Trustoo gave none: `aurora-outfitters` → `aurora-outfitters`.
/// A readable name for a shop Trustoo gave no name for (OAuth answers carry none): the
/// myshopify handle in words, `aurora-outfitters` → `Aurora Outfitters`.
pub(crate) fn name_from_domain(domain: &str) -> String {
    let handle = domain.strip_suffix(".myshopify.com").unwrap_or(domain);
    handle
        .split(['-', '_'])
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, word)| match word {
            "and" | "of" | "the" | "for" if i > 0 => word.to_owned(),
            _ => {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_are_made_from_the_handle() {
        assert_eq!(
            name_from_domain("aurora-outfitters.myshopify.com"),
            "Aurora Outfitters"
        );
        assert_eq!(
            name_from_domain("birch-and-pine-home.myshopify.com"),
            "Birch and Pine Home"
        );
        assert_eq!(name_from_domain("shop42.myshopify.com"), "Shop42");
    }

    #[test]
    fn domains_are_normalised() {
        for ok in [
            "aurora-outfitters",
            "Aurora-Outfitters.myshopify.com",
            "https://aurora-outfitters.myshopify.com/",
            " aurora-outfitters.myshopify.com ",
        ] {
            assert_eq!(
                normalize_shop_domain(ok).unwrap(),
                "aurora-outfitters.myshopify.com"
            );
        }
        for bad in [
            "",
            "evil.com/x",
            "a b",
            "../x",
            "-a",
            "a.b.myshopify.com",
            "x/oauth",
        ] {
            assert!(normalize_shop_domain(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn registry_persists_and_holds_no_secret_fields() {
        let dir =
            std::env::temp_dir().join(format!("rd-auth-shops-{}", crate::login::random_state()));
        let path = dir.join("shops.json");
        let mut r = ShopRegistry::load(path.clone()).await.unwrap();
        assert!(r.all().is_empty());
        let shop = KnownShop {
            domain: "a.myshopify.com".into(),
            name: "A".into(),
            shop_id: Some("1".into()),
            scopes: vec!["read_reviews".into()],
            auth_mode: AuthMode::Oauth,
        };
        r.upsert_active(shop.clone()).await.unwrap();
        let r2 = ShopRegistry::load(path.clone()).await.unwrap();
        assert_eq!(r2.all(), &[shop]);
        assert_eq!(r2.active(), Some("a.myshopify.com"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("token"), "{text}");
        r.remove("a.myshopify.com").await.unwrap();
        assert_eq!(r.active(), None);
        let _ = std::fs::remove_dir_all(dir);
    }
}
