//! One browser sign-in attempt at a time: random `state`, PKCE verifier, 10-minute expiry.
//!
//! Why: `state` binds the deep link to the attempt this app started (CSRF, RFC 8252 §8.9), PKCE
//! makes an intercepted code useless (the client secret ships in the app, §8.5), and allowing a
//! single pending attempt means an old browser tab can never complete a sign-in.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use reviewdesk_trustoo::{Pkce, Secret};
use url::Url;

use crate::callback::{constant_time_eq, CallbackRejection};

/// How long a sign-in attempt stays valid.
pub const LOGIN_TTL: Duration = Duration::from_secs(600);

/// How many spent `state` values we remember to tell "replayed" from "forged".
const SPENT_MEMORY: usize = 16;

/// What the UI needs to start a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginStart {
    /// Open this in the system browser (never in a webview, RFC 8252 §8.12).
    pub authorize_url: Url,
    /// The shop the merchant said they sign in to (normalised `*.myshopify.com`).
    pub shop_domain: String,
    /// After this instant the callback is refused.
    pub expires_at: SystemTime,
}

/// A started sign-in attempt, waiting for its callback.
#[derive(Debug, Clone)]
pub(crate) struct PendingLogin {
    pub state: String,
    pub pkce: Pkce,
    pub started_at: SystemTime,
    pub shop_domain: String,
}

impl PendingLogin {
    /// A fresh attempt with random `state` (256 bits) and PKCE pair.
    pub fn new(shop_domain: String, now: SystemTime) -> Self {
        Self {
            state: random_state(),
            pkce: Pkce::generate(),
            started_at: now,
            shop_domain,
        }
    }
}

/// A pending attempt as kept in the OS keyring, so a callback that cold-starts the app (the
/// merchant closed ReviewDesk while the browser was open) can still finish the sign-in. It
/// holds the PKCE verifier, a secret, hence the keyring and never a file.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredPendingLogin {
    state: String,
    verifier: String,
    shop_domain: String,
    /// Unix seconds.
    started_at: u64,
}

impl PendingLogin {
    /// The keyring form (JSON).
    pub fn to_secret(&self) -> Secret {
        let stored = StoredPendingLogin {
            state: self.state.clone(),
            verifier: self.pkce.verifier.expose().to_owned(),
            shop_domain: self.shop_domain.clone(),
            started_at: self
                .started_at
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        };
        Secret::new(serde_json::to_string(&stored).unwrap_or_default())
    }

    /// Reads the keyring form back; `None` when it is not ours or is damaged.
    pub fn from_secret(secret: &Secret) -> Option<Self> {
        let stored: StoredPendingLogin = serde_json::from_str(secret.expose()).ok()?;
        if stored.state.is_empty() || stored.verifier.is_empty() {
            return None;
        }
        Some(Self {
            state: stored.state,
            pkce: Pkce::from_verifier(Secret::new(stored.verifier)),
            started_at: SystemTime::UNIX_EPOCH + Duration::from_secs(stored.started_at),
            shop_domain: stored.shop_domain,
        })
    }

    /// True once the attempt can no longer complete.
    pub fn is_expired(&self, now: SystemTime) -> bool {
        now.duration_since(self.started_at)
            .unwrap_or(Duration::ZERO)
            >= LOGIN_TTL
    }
}

/// 32 random bytes, base64url without padding (43 URL-safe characters, 256 bits).
pub(crate) fn random_state() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The single pending attempt plus a short memory of spent states.
#[derive(Debug, Default)]
pub(crate) struct LoginFlow {
    pending: Option<PendingLogin>,
    spent: VecDeque<String>,
}

impl LoginFlow {
    fn remember(&mut self, state: String) {
        if self.spent.len() >= SPENT_MEMORY {
            self.spent.pop_front();
        }
        self.spent.push_back(state);
    }

    fn was_spent(&self, state: &str) -> bool {
        self.spent.iter().any(|s| constant_time_eq(s, state))
    }

    /// Makes `p` the pending attempt; a previous one is cancelled (its state stops working).
    /// Returns true when one was cancelled.
    pub fn begin(&mut self, p: PendingLogin) -> bool {
        let cancelled = self.cancel();
        self.pending = Some(p);
        cancelled
    }

    /// Cancels the pending attempt, if any. Returns true when there was one.
    pub fn cancel(&mut self) -> bool {
        match self.pending.take() {
            Some(old) => {
                self.remember(old.state);
                true
            }
            None => false,
        }
    }

    /// Consumes the pending attempt if `state` matches and it has not expired. A wrong state
    /// leaves the pending attempt alone (a forged link must not cancel the real sign-in).
    pub fn take(
        &mut self,
        state: &str,
        now: SystemTime,
    ) -> Result<PendingLogin, CallbackRejection> {
        let matches = self
            .pending
            .as_ref()
            .is_some_and(|p| constant_time_eq(&p.state, state));
        if !matches {
            return Err(if self.was_spent(state) {
                CallbackRejection::StateReused
            } else if self.pending.is_none() {
                CallbackRejection::NoLoginInProgress
            } else {
                CallbackRejection::StateMismatch
            });
        }
        let p = self
            .pending
            .take()
            .ok_or(CallbackRejection::NoLoginInProgress)?;
        self.remember(p.state.clone());
        if p.is_expired(now) {
            return Err(CallbackRejection::StateExpired);
        }
        Ok(p)
    }

    /// Puts back an attempt persisted by an earlier run of the app (no attempt may be pending).
    pub fn resume(&mut self, p: PendingLogin) {
        if self.pending.is_none() {
            self.pending = Some(p);
        }
    }

    /// True while an attempt is pending (expired or not).
    #[cfg(test)]
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// The pending attempt, if any (expired or not).
    pub fn pending(&self) -> Option<&PendingLogin> {
        self.pending.as_ref()
    }
}

/// Exposes a PKCE verifier for the token request only.
pub(crate) fn verifier(p: &PendingLogin) -> &Secret {
    &p.pkce.verifier
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::clock::{Clock, ManualClock};

    #[test]
    fn pkce_matches_rfc7636_appendix_b() {
        // RFC 7636 Appendix B. (The brief quoted E9cbhXwN…; the RFC's value is E9Melhoa….)
        let p = Pkce::from_verifier(Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert_eq!(p.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let g = Pkce::generate();
        assert!(g.verifier.expose().len() >= 43);
        assert_eq!(
            Pkce::from_verifier(g.verifier.clone()).challenge,
            g.challenge
        );
    }

    #[test]
    fn state_is_long_random_and_url_safe() {
        let a = random_state();
        assert!(a.len() >= 22, "at least 128 bits");
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(a, random_state());
    }

    fn flow_with(clock: &ManualClock) -> (LoginFlow, String) {
        let mut f = LoginFlow::default();
        let p = PendingLogin::new("a.myshopify.com".into(), clock.now());
        let s = p.state.clone();
        assert!(!f.begin(p));
        (f, s)
    }

    #[test]
    fn state_is_single_use() {
        let clock = ManualClock::at_unix(1_800_000_000);
        let (mut f, s) = flow_with(&clock);
        assert!(f.take(&s, clock.now()).is_ok());
        assert_eq!(
            f.take(&s, clock.now()).unwrap_err(),
            CallbackRejection::StateReused
        );
    }

    #[test]
    fn wrong_state_keeps_the_real_attempt() {
        let clock = ManualClock::at_unix(1_800_000_000);
        let (mut f, s) = flow_with(&clock);
        assert_eq!(
            f.take("forged", clock.now()).unwrap_err(),
            CallbackRejection::StateMismatch
        );
        assert!(f.take(&s, clock.now()).is_ok());
    }

    #[test]
    fn state_expires_after_ten_minutes() {
        let clock = ManualClock::at_unix(1_800_000_000);
        let (mut f, s) = flow_with(&clock);
        clock.advance(Duration::from_secs(599));
        let (mut f2, s2) = flow_with(&ManualClock::at_unix(1_800_000_000));
        assert!(f2.take(&s2, clock.now()).is_ok(), "599 s is still fine");
        clock.advance(Duration::from_secs(1));
        assert_eq!(
            f.take(&s, clock.now()).unwrap_err(),
            CallbackRejection::StateExpired
        );
        assert!(!f.is_pending());
    }

    #[test]
    fn new_attempt_cancels_the_previous_one() {
        let clock = ManualClock::at_unix(1_800_000_000);
        let (mut f, old) = flow_with(&clock);
        let p = PendingLogin::new("a.myshopify.com".into(), clock.now());
        let new = p.state.clone();
        assert!(f.begin(p), "the old attempt was cancelled");
        assert_eq!(
            f.take(&old, clock.now()).unwrap_err(),
            CallbackRejection::StateReused
        );
        assert!(f.take(&new, clock.now()).is_ok());
        assert_eq!(
            f.take(&new, clock.now()).unwrap_err(),
            CallbackRejection::StateReused
        );
        assert_eq!(
            f.take("other", clock.now()).unwrap_err(),
            CallbackRejection::NoLoginInProgress
        );
    }

    #[test]
    fn pending_login_survives_the_keyring_round_trip() {
        let clock = ManualClock::at_unix(1_800_000_000);
        let p = PendingLogin::new("a.myshopify.com".into(), clock.now());
        let back = PendingLogin::from_secret(&p.to_secret()).unwrap();
        assert_eq!(back.state, p.state);
        assert_eq!(back.shop_domain, p.shop_domain);
        assert_eq!(back.pkce.challenge, p.pkce.challenge);
        assert_eq!(back.pkce.verifier.expose(), p.pkce.verifier.expose());
        assert!(!back.is_expired(clock.now()));
        assert!(back.is_expired(clock.now() + LOGIN_TTL));
        assert!(PendingLogin::from_secret(&Secret::new("not json")).is_none());
        assert!(PendingLogin::from_secret(&Secret::new(
            r#"{"state":"","verifier":"v","shop_domain":"d","started_at":1}"#
        ))
        .is_none());
    }
}
