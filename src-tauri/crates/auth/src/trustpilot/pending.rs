//! The browser sign-in in progress (authorization code or implicit): one at a time, a random
//! `state`, a 10-minute life, kept in the keyring so a callback that cold-starts the app
//! still finishes it.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use reviewdesk_core::TrustpilotId;
use reviewdesk_trustpilot::Secret;
use serde::{Deserialize, Serialize};

use crate::callback::{constant_time_eq, CallbackRejection};
use crate::clock::{from_unix, to_unix};
use crate::login::LOGIN_TTL;

use super::codec::TrustpilotApp;

/// How many spent `state` values are remembered to tell "replayed" from "forged".
const SPENT_MEMORY: usize = 16;

/// Which browser grant a sign-in uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BrowserGrant {
    /// `response_type=code`: a code, exchanged with the application's secret (recommended).
    AuthorizationCode,
    /// `response_type=token`: the token itself; no secret kept, no renewal (about four days).
    Implicit,
}

/// A browser sign-in waiting for its callback. Holds the application's key (and secret for the
/// code grant), hence the keyring and never a file. `Debug` shows no credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PendingSignIn {
    pub state: String,
    pub grant: BrowserGrant,
    pub app: TrustpilotApp,
    pub redirect_uri: String,
    pub business_user_id: Option<TrustpilotId>,
    pub started_at: SystemTime,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    v: u32,
    state: String,
    grant: BrowserGrant,
    api_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    api_secret: Option<String>,
    redirect_uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    business_user_id: Option<TrustpilotId>,
    started_at: u64,
}

impl PendingSignIn {
    /// The keyring form (JSON).
    pub fn to_secret(&self) -> crate::Secret {
        let stored = Stored {
            v: 1,
            state: self.state.clone(),
            grant: self.grant,
            api_key: self.app.api_key.expose().to_owned(),
            api_secret: self.app.api_secret.as_ref().map(|s| s.expose().to_owned()),
            redirect_uri: self.redirect_uri.clone(),
            business_user_id: self.business_user_id.clone(),
            started_at: to_unix(self.started_at),
        };
        crate::Secret::new(serde_json::to_string(&stored).unwrap_or_default())
    }

    /// Reads the keyring form back; `None` when it is damaged or not ours.
    pub fn from_secret(secret: &crate::Secret) -> Option<Self> {
        let s: Stored = serde_json::from_str(secret.expose()).ok()?;
        if s.v != 1 || s.state.is_empty() || s.api_key.is_empty() || s.redirect_uri.is_empty() {
            return None;
        }
        Some(Self {
            state: s.state,
            grant: s.grant,
            app: TrustpilotApp {
                api_key: Secret::new(s.api_key),
                api_secret: s.api_secret.filter(|x| !x.is_empty()).map(Secret::new),
            },
            redirect_uri: s.redirect_uri,
            business_user_id: s.business_user_id,
            started_at: from_unix(s.started_at),
        })
    }

    /// True once the attempt can no longer complete.
    pub fn is_expired(&self, now: SystemTime) -> bool {
        now.duration_since(self.started_at)
            .unwrap_or(Duration::ZERO)
            >= LOGIN_TTL
    }
}

/// The single pending attempt plus a short memory of spent states.
#[derive(Debug, Default)]
pub(super) struct Flow {
    pending: Option<PendingSignIn>,
    spent: VecDeque<String>,
}

impl Flow {
    fn remember(&mut self, state: String) {
        if self.spent.len() >= SPENT_MEMORY {
            self.spent.pop_front();
        }
        self.spent.push_back(state);
    }

    /// Makes `p` the pending attempt; an earlier one is cancelled (its state stops working).
    pub fn begin(&mut self, p: PendingSignIn) {
        self.cancel();
        self.pending = Some(p);
    }

    /// Cancels the pending attempt. Returns true when there was one.
    pub fn cancel(&mut self) -> bool {
        match self.pending.take() {
            Some(old) => {
                self.remember(old.state);
                true
            }
            None => false,
        }
    }

    /// Puts back an attempt kept by an earlier run (only when none is pending).
    pub fn resume(&mut self, p: PendingSignIn) {
        if self.pending.is_none() {
            self.pending = Some(p);
        }
    }

    /// The pending attempt, expired or not.
    pub fn pending(&self) -> Option<&PendingSignIn> {
        self.pending.as_ref()
    }

    /// Consumes the pending attempt when `state` is its own and it has not expired. A wrong
    /// state leaves it alone: a forged link must not cancel the genuine sign-in.
    pub fn take(
        &mut self,
        state: &str,
        now: SystemTime,
    ) -> Result<PendingSignIn, CallbackRejection> {
        let matches = self
            .pending
            .as_ref()
            .is_some_and(|p| constant_time_eq(&p.state, state));
        if !matches {
            return Err(if self.spent.iter().any(|s| constant_time_eq(s, state)) {
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
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::clock::{Clock, ManualClock};

    fn pending(clock: &ManualClock, state: &str) -> PendingSignIn {
        PendingSignIn {
            state: state.into(),
            grant: BrowserGrant::AuthorizationCode,
            app: TrustpilotApp {
                api_key: Secret::new("KEY"),
                api_secret: Some(Secret::new("SECRET")),
            },
            redirect_uri: "https://example.com/cb".into(),
            business_user_id: None,
            started_at: clock.now(),
        }
    }

    #[test]
    fn state_is_single_use_forgery_keeps_the_attempt_and_it_expires() {
        let clock = ManualClock::at_unix(1_800_000_000);
        let mut f = Flow::default();
        assert_eq!(
            f.take("x", clock.now()).unwrap_err(),
            CallbackRejection::NoLoginInProgress
        );
        f.begin(pending(&clock, "s1"));
        assert_eq!(
            f.take("forged", clock.now()).unwrap_err(),
            CallbackRejection::StateMismatch
        );
        assert!(f.take("s1", clock.now()).is_ok());
        assert_eq!(
            f.take("s1", clock.now()).unwrap_err(),
            CallbackRejection::StateReused
        );
        f.begin(pending(&clock, "s2"));
        f.begin(pending(&clock, "s3"));
        assert_eq!(
            f.take("s2", clock.now()).unwrap_err(),
            CallbackRejection::StateReused,
            "a newer attempt cancels the older one"
        );
        clock.advance(LOGIN_TTL);
        assert_eq!(
            f.take("s3", clock.now()).unwrap_err(),
            CallbackRejection::StateExpired
        );
        assert!(f.pending().is_none());
    }

    #[test]
    fn keyring_round_trip_and_damage() {
        let clock = ManualClock::at_unix(1_800_000_000);
        let mut p = pending(&clock, "s");
        p.business_user_id = Some(TrustpilotId::parse("5f8e2a1c9b3d4e7f60a1b2c3").unwrap());
        assert_eq!(PendingSignIn::from_secret(&p.to_secret()).unwrap(), p);
        p.grant = BrowserGrant::Implicit;
        p.app.api_secret = None;
        let blob = p.to_secret();
        assert!(!blob.expose().contains("api_secret"));
        assert_eq!(PendingSignIn::from_secret(&blob).unwrap(), p);
        assert!(PendingSignIn::from_secret(&crate::Secret::new("nope")).is_none());
        assert!(format!("{p:?}").contains("<redacted>"));
        assert!(!format!("{p:?}").contains("KEY"));
    }
}
