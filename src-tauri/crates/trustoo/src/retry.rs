//! When to try a failed call again: a pure policy ([`decide`]) plus the knobs ([`RetryConfig`]).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;

use crate::error::Error;

/// How waiting is done between attempts.
///
/// Why injectable: tests replace it with one that records the requested delays and returns at
/// once, so retry tests neither sleep nor depend on timing.
#[derive(Clone)]
pub struct Sleeper(Arc<dyn Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync>);

impl Sleeper {
    /// Real sleeping with `tokio::time::sleep` (the default).
    pub fn tokio() -> Self {
        Self(Arc::new(|d| Box::pin(tokio::time::sleep(d))))
    }

    /// A custom sleeper (e.g. one that records delays in tests).
    pub fn new<F>(f: F) -> Self
    where
        F: Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync + 'static,
    {
        Self(Arc::new(f))
    }

    /// Waits for `d` the configured way.
    pub fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
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
/// Why bounded twice (attempts and total wait): the UI must get an answer in a predictable time,
/// even when the server keeps sending `Retry-After`.
#[derive(Clone, Debug)]
pub struct RetryConfig {
    /// Attempts in total, the first one included (1 = never retry).
    pub max_attempts: u32,
    /// Backoff before the 2nd attempt; doubles each time.
    pub base_delay: Duration,
    /// Cap of one computed backoff (a server's `Retry-After` may exceed it, within the budget).
    pub max_delay: Duration,
    /// Cap of the sum of all waits of one call; a wait that would exceed it gives up instead.
    pub max_total_wait: Duration,
    /// How to wait.
    pub sleeper: Sleeper,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_total_wait: Duration::from_secs(30),
            sleeper: Sleeper::tokio(),
        }
    }
}

impl RetryConfig {
    /// Never retry (each call is attempted once).
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
}

/// Whether repeating a request is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    /// Reads (GET): repeating changes nothing.
    Idempotent,
    /// Creates/changes (POST): repeating may duplicate (a second review) or fail oddly (a used
    /// authorization code, a rotated refresh token). Retried only when provably not sent.
    NonIdempotent,
}

/// What happened on one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Connecting failed: no byte was sent, the server cannot have acted.
    NotSent,
    /// The request may have reached the server (timeout, cut connection).
    MaybeSent,
    /// HTTP 429 / rate limited.
    RateLimited,
    /// HTTP 5xx / internal error code.
    ServerError,
    /// A success answer whose body could not be decoded (a proxy's error page, a cut or
    /// garbled body): usually a passing fault on the way, like a 5xx. The server did get the
    /// request and may have acted on it.
    Undecodable,
    /// Anything a repeat would not fix (4xx, …).
    Permanent,
}

impl Outcome {
    /// Classifies an error for the policy.
    pub fn of(e: &Error) -> Self {
        match e {
            Error::Network { kind, .. } => {
                if kind.may_have_reached_server() {
                    Outcome::MaybeSent
                } else {
                    Outcome::NotSent
                }
            }
            Error::RateLimited { .. } => Outcome::RateLimited,
            e @ Error::Server { .. } if e.is_transient() => Outcome::ServerError,
            // Inside the retry loop a decode error can only come from reading the answer's
            // envelope (its data is decoded into the endpoint's type after the loop).
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
    /// Return the error to the caller.
    GiveUp,
}

/// Decides whether attempt number `attempt` (1-based, the one that just failed) is retried.
///
/// Pure (the random part comes in as `jitter` in `0.0..=1.0`) so every row of the policy is unit
/// tested. Rules:
/// - never more than `max_attempts` attempts, never more than `max_total_wait` of waiting
///   (`waited` is what was already slept for this call);
/// - `Idempotent`: retry network errors, 5xx, 429 and undecodable answers; `NonIdempotent`:
///   retry only `NotSent` (a create that may have landed is left to the caller, who checks
///   before resending — e.g. `create_review` callers list recent reviews first);
/// - delay = `Retry-After` when the server gave one, else exponential backoff
///   `base_delay * 2^(attempt-1)` capped at `max_delay`, with "equal jitter" (half fixed, half random).
pub fn decide(
    cfg: &RetryConfig,
    attempt: u32,
    kind: MethodKind,
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
        // An answer we could not read still means the server received the request: asking
        // again is only safe for reads (GET). A POST (create, delete, token grant) may have
        // acted already, so it is never repeated on an undecodable answer; its caller checks
        // before resending.
        (MethodKind::NonIdempotent, Outcome::Undecodable) => false,
        (MethodKind::Idempotent, _) => true,
        (MethodKind::NonIdempotent, Outcome::NotSent) => true,
        (MethodKind::NonIdempotent, _) => false,
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
    use Decision::*;
    use MethodKind::*;
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

    type Row = (
        u32,
        MethodKind,
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
        // (attempt, kind, outcome, retry_after, waited, jitter) -> decision
        let rows: Vec<Row> = vec![
            // Idempotent GETs retry transient failures with backoff (jitter 0 = half the backoff).
            (1, Idempotent, NotSent, None, z, 0.0, Retry(MS(50))),
            (1, Idempotent, MaybeSent, None, z, 1.0, Retry(MS(100))),
            (2, Idempotent, ServerError, None, z, 0.0, Retry(MS(100))),
            (3, Idempotent, ServerError, None, z, 1.0, Retry(MS(400))),
            (1, Idempotent, RateLimited, None, z, 0.5, Retry(MS(75))),
            // An unreadable answer to a read is a passing fault too, with the same backoff.
            (1, Idempotent, Undecodable, None, z, 0.0, Retry(MS(50))),
            (3, Idempotent, Undecodable, None, z, 1.0, Retry(MS(400))),
            (4, Idempotent, Undecodable, None, z, 0.0, GiveUp),
            // Retry-After wins over backoff, even above max_delay.
            (
                1,
                Idempotent,
                RateLimited,
                Some(Duration::from_secs(2)),
                z,
                0.9,
                Retry(Duration::from_secs(2)),
            ),
            // ... but not beyond the total budget.
            (
                1,
                Idempotent,
                RateLimited,
                Some(Duration::from_secs(11)),
                z,
                0.0,
                GiveUp,
            ),
            (
                2,
                Idempotent,
                ServerError,
                None,
                Duration::from_millis(9_950),
                0.0,
                GiveUp,
            ),
            // Attempts are bounded.
            (4, Idempotent, ServerError, None, z, 0.0, GiveUp),
            (9, Idempotent, NotSent, None, z, 0.0, GiveUp),
            // Permanent failures are never retried.
            (1, Idempotent, Permanent, None, z, 0.0, GiveUp),
            (1, NonIdempotent, Permanent, None, z, 0.0, GiveUp),
            // Creates: only when provably not sent.
            (1, NonIdempotent, NotSent, None, z, 0.0, Retry(MS(50))),
            (1, NonIdempotent, MaybeSent, None, z, 0.0, GiveUp),
            (1, NonIdempotent, ServerError, None, z, 0.0, GiveUp),
            // A create whose answer was unreadable may have landed: never repeated.
            (1, NonIdempotent, Undecodable, None, z, 0.0, GiveUp),
            (
                1,
                NonIdempotent,
                RateLimited,
                Some(Duration::from_secs(1)),
                z,
                0.0,
                GiveUp,
            ),
            (4, NonIdempotent, NotSent, None, z, 0.0, GiveUp),
        ];
        for (i, (attempt, kind, outcome, ra, waited, jitter, want)) in rows.into_iter().enumerate()
        {
            let got = decide(&c, attempt, kind, outcome, ra, waited, jitter);
            assert_eq!(
                got, want,
                "row {i}: attempt {attempt} {kind:?} {outcome:?} {ra:?}"
            );
        }
    }

    #[test]
    fn backoff_is_capped_at_max_delay() {
        let c = RetryConfig {
            max_attempts: 50,
            max_total_wait: Duration::from_secs(3600),
            ..cfg()
        };
        for attempt in 1..40 {
            match decide(
                &c,
                attempt,
                Idempotent,
                ServerError,
                None,
                Duration::ZERO,
                1.0,
            ) {
                Retry(d) => assert!(d <= c.max_delay, "attempt {attempt}: {d:?}"),
                GiveUp => panic!("attempt {attempt} gave up"),
            }
        }
    }

    #[test]
    fn bad_jitter_is_clamped() {
        let c = cfg();
        assert_eq!(
            decide(
                &c,
                1,
                Idempotent,
                ServerError,
                None,
                Duration::ZERO,
                f64::NAN
            ),
            Retry(MS(50))
        );
        assert_eq!(
            decide(&c, 1, Idempotent, ServerError, None, Duration::ZERO, 7.0),
            Retry(MS(100))
        );
    }

    #[test]
    fn total_wait_of_a_whole_sequence_is_bounded() {
        let c = cfg();
        let mut waited = Duration::ZERO;
        let mut attempt = 1;
        while let Retry(d) = decide(&c, attempt, Idempotent, ServerError, None, waited, 1.0) {
            waited += d;
            attempt += 1;
        }
        assert!(attempt <= c.max_attempts);
        assert!(waited <= c.max_total_wait);
    }

    #[test]
    fn none_never_retries() {
        let c = RetryConfig::none();
        assert_eq!(
            decide(&c, 1, Idempotent, NotSent, None, Duration::ZERO, 0.0),
            GiveUp
        );
    }

    #[test]
    fn outcome_of_errors() {
        use crate::error::NetworkKind;
        let net = |kind| Error::Network { kind, source: None };
        assert_eq!(Outcome::of(&net(NetworkKind::Connect)), NotSent);
        assert_eq!(Outcome::of(&net(NetworkKind::Timeout)), MaybeSent);
        assert_eq!(Outcome::of(&net(NetworkKind::Interrupted)), MaybeSent);
        assert_eq!(
            Outcome::of(&Error::RateLimited { retry_after: None }),
            RateLimited
        );
        assert_eq!(
            Outcome::of(&Error::Server {
                status: 502,
                code: None
            }),
            ServerError
        );
        assert_eq!(
            Outcome::of(&Error::Server {
                status: 302,
                code: None
            }),
            Permanent
        );
        assert_eq!(
            Outcome::of(&Error::Unauthorized { expired: true }),
            Permanent
        );
        assert_eq!(Outcome::of(&Error::NotFound), Permanent);
        assert_eq!(
            Outcome::of(&Error::Decode {
                context: "get_reviews",
                detail: "Eof error at line 1 column 56".into()
            }),
            Undecodable
        );
    }
}
