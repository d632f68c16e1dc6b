//! Bounded retries with backoff: a pure policy ([`decide`]) and an injectable way to wait.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;

/// A boxed future that waits.
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// How the client waits (backoff, `Retry-After`, the call budget).
///
/// Why injectable: tests record the delays asked for instead of sleeping, so no test depends on
/// wall-clock timing.
#[derive(Clone)]
pub struct Sleeper(Arc<dyn Fn(Duration) -> SleepFuture + Send + Sync>);

impl Sleeper {
    /// Real waiting with `tokio::time::sleep`.
    pub fn tokio() -> Self {
        Self(Arc::new(|d| Box::pin(tokio::time::sleep(d))))
    }

    /// Any waiting function (tests: record and return at once).
    pub fn new(f: impl Fn(Duration) -> SleepFuture + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// Waits for `d` the configured way.
    pub fn sleep(&self, d: Duration) -> SleepFuture {
        (self.0)(d)
    }
}

impl Default for Sleeper {
    fn default() -> Self {
        Self::tokio()
    }
}

impl fmt::Debug for Sleeper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sleeper")
    }
}

/// Bounds on retrying.
///
/// Why bounded twice (attempts and total wait): the UI must get an answer in a predictable time.
/// The defaults follow what real clients do against Trustpilot (trustpilot-api.md §1.10: the
/// Singer tap retries 429 and 503 with exponential backoff; Pipedream retries 429 three times).
#[derive(Clone, Debug)]
pub struct RetryConfig {
    /// Attempts in total, the first one included (1 = never retry).
    pub max_attempts: u32,
    /// Backoff before the 2nd attempt; doubles each time.
    pub base_delay: Duration,
    /// Cap of one computed backoff (a server's `Retry-After` may exceed it, within the total).
    pub max_delay: Duration,
    /// Cap of the sum of all backoff waits of one call; a wait that would pass it gives up.
    pub max_total_wait: Duration,
    /// How to wait (shared with the call budget).
    pub sleeper: Sleeper,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_total_wait: Duration::from_secs(30),
            sleeper: Sleeper::tokio(),
        }
    }
}

impl RetryConfig {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
}

/// Whether repeating a call is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// Reads, and writes whose repeat changes nothing (posting a reply replaces the one reply a
    /// review can have). Retried on network trouble, 429, 502/503/504 and unreadable answers.
    Idempotent,
    /// Writes a repeat could trip over (deleting a reply twice is a 404). Retried only when the
    /// request provably never left, or on 429 (the server refused it without acting).
    NonIdempotent,
    /// Token requests: retried only when provably never sent. A 429 there means "too frequent
    /// authentication" (seed page), and asking again only prolongs it; a used code or a rotated
    /// refresh token cannot be sent twice.
    Token,
}

/// What happened on one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Connecting failed: the server cannot have acted.
    NotSent,
    /// The request may have reached the server (timeout, cut connection).
    MaybeSent,
    /// HTTP 429 on an API call.
    RateLimited,
    /// HTTP 502, 503 or 504: a gateway or an overloaded server; worth another try. (A 500 is
    /// not retried at once: Trustpilot's docs say to try again in 5–15 minutes.)
    Unavailable,
    /// A success whose body could not be read (a cut or garbled answer).
    Undecodable,
    /// Anything a repeat would not fix.
    Permanent,
}

impl Outcome {
    /// Classifies an error for the policy.
    pub fn of(e: &Error) -> Self {
        match e {
            Error::Network { kind, .. } if kind.may_have_reached_server() => Outcome::MaybeSent,
            Error::Network { .. } => Outcome::NotSent,
            Error::RateLimited { .. } => Outcome::RateLimited,
            Error::Server { status: 502..=504 } => Outcome::Unavailable,
            Error::Decode { .. } => Outcome::Undecodable,
            _ => Outcome::Permanent,
        }
    }
}

/// The policy's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then try again.
    Retry(Duration),
    /// Return the error.
    GiveUp,
}

/// Decides whether attempt number `attempt` (1-based, the one that just failed) is retried.
///
/// Pure (the random part comes in as `jitter` in `0.0..=1.0`) so every row is unit tested.
/// Delay: `Retry-After` when the server gave one (none is documented, but it is read), else
/// `base_delay * 2^(attempt-1)` capped at `max_delay`, half fixed and half random.
pub fn decide(
    cfg: &RetryConfig,
    attempt: u32,
    kind: CallKind,
    outcome: Outcome,
    retry_after: Option<Duration>,
    waited: Duration,
    jitter: f64,
) -> Decision {
    if attempt >= cfg.max_attempts {
        return Decision::GiveUp;
    }
    let retryable = match (kind, outcome) {
        (_, Outcome::Permanent) => false,
        (_, Outcome::NotSent) => true,
        (CallKind::Idempotent, _) => true,
        (CallKind::NonIdempotent, Outcome::RateLimited) => true,
        (CallKind::NonIdempotent | CallKind::Token, _) => false,
    };
    if !retryable {
        return Decision::GiveUp;
    }
    let delay = match retry_after {
        Some(ra) => ra,
        None => {
            let exp = attempt.saturating_sub(1).min(20);
            let backoff = cfg
                .base_delay
                .saturating_mul(1u32 << exp)
                .min(cfg.max_delay);
            let j = if jitter.is_finite() {
                jitter.clamp(0.0, 1.0)
            } else {
                0.0
            };
            backoff / 2 + backoff.mul_f64(0.5 * j)
        }
    };
    if waited.saturating_add(delay) > cfg.max_total_wait {
        return Decision::GiveUp;
    }
    Decision::Retry(delay)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CallKind::*;
    use Decision::*;
    use Outcome::*;

    fn cfg() -> RetryConfig {
        RetryConfig {
            max_attempts: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            max_total_wait: Duration::from_secs(10),
            sleeper: Sleeper::tokio(),
        }
    }

    const MS: fn(u64) -> Duration = Duration::from_millis;

    /// (attempt, kind, outcome, retry_after, waited, jitter) → decision.
    type Row = (
        u32,
        CallKind,
        Outcome,
        Option<Duration>,
        Duration,
        f64,
        Decision,
    );

    #[test]
    fn policy_table() {
        let c = cfg();
        let z = Duration::ZERO;
        let rows: Vec<Row> = vec![
            (1, Idempotent, NotSent, None, z, 0.0, Retry(MS(50))),
            (1, Idempotent, MaybeSent, None, z, 1.0, Retry(MS(100))),
            (2, Idempotent, Unavailable, None, z, 0.0, Retry(MS(100))),
            (3, Idempotent, RateLimited, None, z, 1.0, Retry(MS(400))),
            (1, Idempotent, Undecodable, None, z, 0.0, Retry(MS(50))),
            (
                1,
                Idempotent,
                RateLimited,
                Some(Duration::from_secs(2)),
                z,
                0.3,
                Retry(Duration::from_secs(2)),
            ),
            (
                1,
                Idempotent,
                RateLimited,
                Some(Duration::from_secs(11)),
                z,
                0.0,
                GiveUp,
            ),
            (2, Idempotent, Unavailable, None, MS(9_950), 0.0, GiveUp),
            (4, Idempotent, Unavailable, None, z, 0.0, GiveUp),
            (1, Idempotent, Permanent, None, z, 0.0, GiveUp),
            (1, NonIdempotent, NotSent, None, z, 0.0, Retry(MS(50))),
            (1, NonIdempotent, RateLimited, None, z, 0.0, Retry(MS(50))),
            (1, NonIdempotent, MaybeSent, None, z, 0.0, GiveUp),
            (1, NonIdempotent, Unavailable, None, z, 0.0, GiveUp),
            (1, NonIdempotent, Undecodable, None, z, 0.0, GiveUp),
            (1, Token, NotSent, None, z, 0.0, Retry(MS(50))),
            (1, Token, RateLimited, None, z, 0.0, GiveUp),
            (1, Token, Unavailable, None, z, 0.0, GiveUp),
            (1, Token, MaybeSent, None, z, 0.0, GiveUp),
        ];
        for (i, (attempt, kind, outcome, ra, waited, jitter, want)) in rows.into_iter().enumerate()
        {
            assert_eq!(
                decide(&c, attempt, kind, outcome, ra, waited, jitter),
                want,
                "row {i}"
            );
        }
    }

    #[test]
    fn a_whole_sequence_is_bounded() {
        let c = RetryConfig {
            max_attempts: 50,
            ..cfg()
        };
        let mut waited = Duration::ZERO;
        let mut attempt = 1;
        while let Retry(d) = decide(&c, attempt, Idempotent, Unavailable, None, waited, 1.0) {
            assert!(d <= c.max_delay);
            waited += d;
            attempt += 1;
        }
        assert!(waited <= c.max_total_wait);
        assert!(
            attempt < 50,
            "the total wait stops it before the attempts do"
        );
    }

    #[test]
    fn outcome_of_errors() {
        use crate::error::NetworkKind;
        let net = |kind| Error::Network { kind, source: None };
        assert_eq!(Outcome::of(&net(NetworkKind::Connect)), NotSent);
        assert_eq!(Outcome::of(&net(NetworkKind::Timeout)), MaybeSent);
        assert_eq!(
            Outcome::of(&Error::RateLimited { retry_after: None }),
            RateLimited
        );
        assert_eq!(Outcome::of(&Error::Server { status: 503 }), Unavailable);
        assert_eq!(Outcome::of(&Error::Server { status: 500 }), Permanent);
        assert_eq!(Outcome::of(&Error::AuthTooFrequent), Permanent);
        assert_eq!(Outcome::of(&Error::BlockedByCdn), Permanent);
    }
}
