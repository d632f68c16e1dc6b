//! Where credentials live: the OS keyring in the app, an in-memory mock in tests.
//!
//! Why a trait: the real Secret Service/Keychain/Credential Manager cannot run in unit tests,
//! and the app must never fall back to a file. Every call goes through `GuardedStore`, which
//! runs it on a blocking thread with a timeout, because a locked Linux keyring with a `DISPLAY`
//! opens an invisible unlock prompt and blocks forever (tauri-on-linux.md §5).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reviewdesk_trustoo::Secret;

/// The keyring "service" of every ReviewDesk entry (the app identifier).
pub const KEYRING_SERVICE: &str = "io.reviewdesk.desktop";

/// Largest stored value, measured as UTF-16 bytes: Windows Credential Manager's blob limit.
/// Checked on every platform so a sign-in that works on Linux also works on Windows.
pub const MAX_SECRET_UTF16_BYTES: usize = 2560;

/// Which credential of a shop an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    /// OAuth tokens (JSON: access token, refresh token, expiry).
    OAuth,
    /// HMAC Public + Private Token (JSON).
    Hmac,
    /// The browser sign-in in progress (`state`, PKCE verifier), so a cold start can finish it.
    PendingLogin,
    /// An API application the merchant brought (Trustpilot: key and secret), shared by the
    /// accounts signed in with it.
    Application,
}

impl SecretKind {
    fn as_str(self) -> &'static str {
        match self {
            SecretKind::OAuth => "oauth",
            SecretKind::Hmac => "hmac",
            SecretKind::PendingLogin => "pending-login",
            SecretKind::Application => "application",
        }
    }
}

/// Names one keyring entry: user `"<shop domain>/<kind>"` under [`KEYRING_SERVICE`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StoreKey {
    /// Normalised `*.myshopify.com` domain.
    pub shop_domain: String,
    /// Which credential.
    pub kind: SecretKind,
}

impl StoreKey {
    /// A key for `shop_domain`'s `kind` credential.
    pub fn new(shop_domain: impl Into<String>, kind: SecretKind) -> Self {
        Self {
            shop_domain: shop_domain.into(),
            kind,
        }
    }

    /// The keyring user name.
    pub fn account(&self) -> String {
        format!("{}/{}", self.shop_domain, self.kind.as_str())
    }
}

/// Why the credential store failed. Messages never contain a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The keyring cannot be reached, is locked, or did not answer in time.
    #[error("{} (Details: {reason})", keyring_hint())]
    KeyringUnavailable {
        /// What the platform said (no secrets in it), or that it timed out.
        reason: String,
    },
    /// The value exceeds [`MAX_SECRET_UTF16_BYTES`].
    #[error("The sign-in data is too large for the system keyring ({utf16_bytes} bytes; the limit is {MAX_SECRET_UTF16_BYTES}).")]
    TooLarge {
        /// Size of the value as UTF-16 bytes.
        utf16_bytes: usize,
    },
    /// The stored value is not what ReviewDesk wrote (edited by hand, or another app's).
    #[error("The saved sign-in for this shop is unreadable. Please sign in again.")]
    Corrupt,
}

/// The sentence the UI shows when the keyring cannot be used: what to install or unlock.
pub fn keyring_hint() -> &'static str {
    if cfg!(target_os = "macos") {
        "ReviewDesk keeps your sign-in in the macOS Keychain. Unlock your login keychain, then try again."
    } else if cfg!(target_os = "windows") {
        "ReviewDesk keeps your sign-in in Windows Credential Manager. Make sure it is available for your account, then try again."
    } else {
        "ReviewDesk keeps your sign-in in the system keyring (Secret Service). Install and unlock GNOME Keyring or KWallet, then try again."
    }
}

/// A synchronous credential store (get/set/delete of one string per [`StoreKey`]).
///
/// Why synchronous: keyring v3 is blocking; `GuardedStore` moves every call to a blocking
/// thread with a timeout, for every implementation alike.
pub trait TokenStore: Send + Sync + std::fmt::Debug + 'static {
    /// The value, or `None` when there is no entry.
    fn get(&self, key: &StoreKey) -> Result<Option<Secret>, StoreError>;
    /// Creates or replaces the value.
    fn set(&self, key: &StoreKey, value: &Secret) -> Result<(), StoreError>;
    /// Removes the entry; removing a missing entry is not an error.
    fn delete(&self, key: &StoreKey) -> Result<(), StoreError>;
}

/// The OS keyring through `keyring` v3 (Secret Service, macOS Keychain, Windows Credential
/// Manager). One entry per shop and [`SecretKind`].
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// The store under [`KEYRING_SERVICE`].
    pub fn new() -> Self {
        Self::with_service(KEYRING_SERVICE)
    }

    /// A store under another service name (e.g. a dev build that must not touch real entries).
    pub fn with_service(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, key: &StoreKey) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(&self.service, &key.account()).map_err(map_keyring_error)
    }
}

impl Default for KeyringStore {
    fn default() -> Self {
        Self::new()
    }
}

impl TokenStore for KeyringStore {
    fn get(&self, key: &StoreKey) -> Result<Option<Secret>, StoreError> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn set(&self, key: &StoreKey, value: &Secret) -> Result<(), StoreError> {
        check_len(value)?;
        self.entry(key)?
            .set_password(value.expose())
            .map_err(map_keyring_error)
    }

    fn delete(&self, key: &StoreKey) -> Result<(), StoreError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }
}

/// Maps a keyring error to ours. Never includes the stored bytes (`BadEncoding` carries them).
pub(crate) fn map_keyring_error(e: keyring::Error) -> StoreError {
    match e {
        keyring::Error::NoStorageAccess(inner) => StoreError::KeyringUnavailable {
            reason: format!("the keyring is locked or refused access: {inner}"),
        },
        keyring::Error::PlatformFailure(inner) => StoreError::KeyringUnavailable {
            reason: format!("the keyring service failed: {inner}"),
        },
        keyring::Error::TooLong(attr, limit) => StoreError::KeyringUnavailable {
            reason: format!("the keyring refused a {attr} longer than {limit}"),
        },
        keyring::Error::Invalid(attr, why) => StoreError::KeyringUnavailable {
            reason: format!("the keyring refused the {attr}: {why}"),
        },
        keyring::Error::BadEncoding(_) | keyring::Error::Ambiguous(_) => StoreError::Corrupt,
        keyring::Error::NoEntry => StoreError::Corrupt,
        other => StoreError::KeyringUnavailable {
            reason: format!("unexpected keyring error: {other}"),
        },
    }
}

/// Refuses values over the Windows blob limit.
fn check_len(value: &Secret) -> Result<(), StoreError> {
    let utf16_bytes = value.expose().encode_utf16().count() * 2;
    if utf16_bytes > MAX_SECRET_UTF16_BYTES {
        return Err(StoreError::TooLarge { utf16_bytes });
    }
    Ok(())
}

/// In-memory mock token store for tests and the sandbox demo. Nothing is persisted.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: Mutex<HashMap<String, Secret>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entries (tests check that sign-out removed them).
    pub fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl TokenStore for MemoryStore {
    fn get(&self, key: &StoreKey) -> Result<Option<Secret>, StoreError> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        Ok(map.get(&key.account()).cloned())
    }

    fn set(&self, key: &StoreKey, value: &Secret) -> Result<(), StoreError> {
        check_len(value)?;
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(key.account(), value.clone());
        Ok(())
    }

    fn delete(&self, key: &StoreKey) -> Result<(), StoreError> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&key.account());
        Ok(())
    }
}

/// Runs [`TokenStore`] calls on a blocking thread with a timeout.
///
/// Why: a hung keyring call must not hang the app. A call that timed out keeps its blocking
/// thread until the platform gives up; while one is still stuck, new calls fail at once instead
/// of piling up more stuck threads.
#[derive(Debug, Clone)]
pub(crate) struct GuardedStore {
    inner: Arc<dyn TokenStore>,
    timeout: Duration,
    stuck: Arc<AtomicUsize>,
}

impl GuardedStore {
    pub fn new(inner: Arc<dyn TokenStore>, timeout: Duration) -> Self {
        Self {
            inner,
            timeout,
            stuck: Arc::new(AtomicUsize::new(0)),
        }
    }

    async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn TokenStore) -> Result<T, StoreError> + Send + 'static,
    {
        if self.stuck.load(Ordering::SeqCst) > 0 {
            return Err(StoreError::KeyringUnavailable {
                reason: "an earlier keyring request is still waiting (is the keyring locked behind an unlock prompt?)".into(),
            });
        }
        let store = Arc::clone(&self.inner);
        let stuck = Arc::clone(&self.stuck);
        let done = Arc::new(AtomicBool::new(false));
        let done_in_task = Arc::clone(&done);
        let task = tokio::task::spawn_blocking(move || {
            let r = f(store.as_ref());
            // If the caller already gave up on us, we were counted as stuck: uncount.
            if done_in_task.swap(true, Ordering::SeqCst) {
                stuck.fetch_sub(1, Ordering::SeqCst);
            }
            r
        });
        match tokio::time::timeout(self.timeout, task).await {
            Ok(Ok(r)) => r,
            Ok(Err(_join)) => Err(StoreError::KeyringUnavailable {
                reason: "the keyring request crashed".into(),
            }),
            Err(_elapsed) => {
                if !done.swap(true, Ordering::SeqCst) {
                    self.stuck.fetch_add(1, Ordering::SeqCst);
                }
                Err(StoreError::KeyringUnavailable {
                    reason: format!(
                        "the keyring did not answer within {:.1} s (it may be locked behind an unlock prompt)",
                        self.timeout.as_secs_f64()
                    ),
                })
            }
        }
    }

    pub async fn get(&self, key: &StoreKey) -> Result<Option<Secret>, StoreError> {
        let key = key.clone();
        self.run(move |s| s.get(&key)).await
    }

    pub async fn set(&self, key: &StoreKey, value: Secret) -> Result<(), StoreError> {
        check_len(&value)?;
        let key = key.clone();
        self.run(move |s| s.set(&key, &value)).await
    }

    pub async fn delete(&self, key: &StoreKey) -> Result<(), StoreError> {
        let key = key.clone();
        self.run(move |s| s.delete(&key)).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn key() -> StoreKey {
        StoreKey::new("aurora-outfitters.myshopify.com", SecretKind::OAuth)
    }

    #[test]
    fn account_is_domain_slash_kind() {
        assert_eq!(key().account(), "aurora-outfitters.myshopify.com/oauth");
        assert_eq!(
            StoreKey::new("a.myshopify.com", SecretKind::Hmac).account(),
            "a.myshopify.com/hmac"
        );
    }

    #[test]
    fn memory_store_round_trip_and_limit() {
        let s = MemoryStore::new();
        assert_eq!(s.get(&key()).unwrap(), None);
        s.set(&key(), &Secret::new("v")).unwrap();
        assert_eq!(s.get(&key()).unwrap(), Some(Secret::new("v")));
        s.delete(&key()).unwrap();
        s.delete(&key()).unwrap();
        assert!(s.is_empty());
        // 1280 ASCII chars = 2560 UTF-16 bytes: allowed; one more is not.
        s.set(&key(), &Secret::new("x".repeat(1280))).unwrap();
        assert_eq!(
            s.set(&key(), &Secret::new("x".repeat(1281))).unwrap_err(),
            StoreError::TooLarge { utf16_bytes: 2562 }
        );
    }

    #[test]
    fn keyring_errors_map_to_actionable_messages() {
        let locked = map_keyring_error(keyring::Error::NoStorageAccess(
            "unlock prompt was dismissed".into(),
        ));
        let msg = locked.to_string();
        assert!(
            msg.contains("Install and unlock GNOME Keyring or KWallet")
                || !cfg!(target_os = "linux"),
            "{msg}"
        );
        assert!(msg.contains("unlock prompt was dismissed"), "{msg}");
        assert!(matches!(
            map_keyring_error(keyring::Error::PlatformFailure(
                "org.freedesktop.secrets was not provided".into()
            )),
            StoreError::KeyringUnavailable { .. }
        ));
        // The raw bytes of a bad entry never reach the message.
        let bad = map_keyring_error(keyring::Error::BadEncoding(b"TOKENBYTES".to_vec()));
        assert_eq!(bad, StoreError::Corrupt);
        assert!(!format!("{bad} {bad:?}").contains("TOKENBYTES"));
        assert!(matches!(
            map_keyring_error(keyring::Error::TooLong("password".into(), 2560)),
            StoreError::KeyringUnavailable { .. }
        ));
    }

    /// keyring's mock: each `Entry` has its own storage (no persistence across `Entry::new`),
    /// which is exactly what this checks: KeyringStore opens a fresh entry per call, maps
    /// NoEntry to `None`/`Ok`, and set succeeds.
    #[test]
    fn keyring_store_with_keyring_mock() {
        keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
        let s = KeyringStore::with_service("io.reviewdesk.test");
        s.set(&key(), &Secret::new("blob")).unwrap();
        assert_eq!(
            s.get(&key()).unwrap(),
            None,
            "mock does not persist across entries"
        );
        s.delete(&key()).unwrap();
        assert!(matches!(
            s.set(&key(), &Secret::new("x".repeat(2000))),
            Err(StoreError::TooLarge { .. })
        ));
    }

    /// A store whose every call blocks until the test ends: a locked keyring behind an
    /// invisible unlock prompt.
    #[derive(Debug)]
    struct HangingStore {
        calls: AtomicUsize,
        release: Mutex<std::sync::mpsc::Receiver<()>>,
    }

    impl HangingStore {
        fn hang(&self) -> Result<(), StoreError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let rx = self.release.lock().unwrap_or_else(|p| p.into_inner());
            let _ = rx.recv();
            Ok(())
        }
    }

    impl TokenStore for HangingStore {
        fn get(&self, _: &StoreKey) -> Result<Option<Secret>, StoreError> {
            self.hang().map(|_| None)
        }
        fn set(&self, _: &StoreKey, _: &Secret) -> Result<(), StoreError> {
            self.hang()
        }
        fn delete(&self, _: &StoreKey) -> Result<(), StoreError> {
            self.hang()
        }
    }

    /// The store hangs forever, so any timeout fires; the short one only keeps the test quick.
    #[tokio::test]
    async fn hung_keyring_times_out_and_later_calls_fail_fast() {
        let (tx, rx) = std::sync::mpsc::channel();
        let hanging = Arc::new(HangingStore {
            calls: AtomicUsize::new(0),
            release: Mutex::new(rx),
        });
        let g = GuardedStore::new(hanging.clone(), Duration::from_millis(50));
        let e = g.get(&key()).await.unwrap_err();
        assert!(matches!(e, StoreError::KeyringUnavailable { .. }), "{e:?}");
        assert!(e.to_string().contains("did not answer"), "{e}");
        let e2 = g.set(&key(), Secret::new("v")).await.unwrap_err();
        assert!(e2.to_string().contains("still waiting"), "{e2}");
        assert_eq!(
            hanging.calls.load(Ordering::SeqCst),
            1,
            "no second stuck thread"
        );
        drop(tx);
    }
}
