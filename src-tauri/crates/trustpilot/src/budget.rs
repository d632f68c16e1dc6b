//! The client-side call budget: never more than `max_calls` in any `window`.
//!
//! Trustpilot recommends at most 833 calls per 5 minutes and 10,000 per hour
//! (trustpilot-api.md §1.10, SEEN-DOC rate-limiting) and documents no rate-limit headers, so
//! the client keeps under it on its own. The default, 800 per 5 minutes, stays under both
//! (800 × 12 = 9,600 an hour).
//!
//! Why a sliding window of reserved slots rather than a token bucket: a bucket of 833 that
//! refills 833 per 5 minutes lets up to twice that through in one 5-minute span (a full bucket,
//! then its refill); a window guarantees the bound for every span. Each call reserves the
//! earliest slot that keeps the bound and waits until then, so concurrent callers queue fairly.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A monotonic clock, as time since some fixed origin.
///
/// Why injectable: the budget is tested with a fake clock, without sleeping.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Time since the clock's origin.
    fn now(&self) -> Duration;
}

/// The real monotonic clock.
#[derive(Debug)]
pub struct SystemClock(Instant);

impl SystemClock {
    /// A clock whose origin is now.
    pub fn new() -> Self {
        Self(Instant::now())
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
}

/// Trustpilot's recommended ceiling: 833 calls per 5 minutes.
pub const TRUSTPILOT_RECOMMENDED_CALLS: u32 = 833;
/// The window of that recommendation.
pub const TRUSTPILOT_WINDOW: Duration = Duration::from_secs(300);
/// What the client allows by default: under the recommendation, with room for the app's other
/// clients of the same application.
pub const DEFAULT_MAX_CALLS: u32 = 800;

/// At most `max_calls` calls in any span of `window`, shared by every clone of a client (and by
/// several clients, when handed the same `Arc`).
pub struct CallBudget {
    max_calls: usize,
    window: Duration,
    clock: Arc<dyn Clock>,
    /// Reserved slots (times since the clock's origin), oldest first.
    slots: Mutex<VecDeque<Duration>>,
}

impl fmt::Debug for CallBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallBudget")
            .field("max_calls", &self.max_calls)
            .field("window", &self.window)
            .finish()
    }
}

impl Default for CallBudget {
    fn default() -> Self {
        Self::new(
            DEFAULT_MAX_CALLS,
            TRUSTPILOT_WINDOW,
            Arc::new(SystemClock::new()),
        )
    }
}

impl CallBudget {
    /// A budget of `max_calls` (at least 1) per `window`, on `clock`.
    pub fn new(max_calls: u32, window: Duration, clock: Arc<dyn Clock>) -> Self {
        let max_calls = usize::try_from(max_calls.max(1)).unwrap_or(usize::MAX);
        Self {
            max_calls,
            window,
            clock,
            slots: Mutex::new(VecDeque::with_capacity(max_calls.min(1024))),
        }
    }

    /// Reserves the next call's slot and says how long to wait for it (zero: go now).
    ///
    /// The slot is the earliest time at which the calls reserved in the `window` before it,
    /// itself included, number at most `max_calls`.
    pub fn reserve(&self) -> Duration {
        let now = self.clock.now();
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        while slots
            .front()
            .is_some_and(|&t| t.saturating_add(self.window) <= now)
        {
            slots.pop_front();
        }
        let mut at = now;
        if let Some(&last) = slots.back() {
            at = at.max(last);
        }
        if slots.len() >= self.max_calls {
            if let Some(&nth) = slots.get(slots.len() - self.max_calls) {
                at = at.max(nth.saturating_add(self.window));
            }
        }
        slots.push_back(at);
        at.saturating_sub(now)
    }

    /// Calls reserved in the window ending now (for diagnostics).
    pub fn in_window(&self) -> usize {
        let now = self.clock.now();
        let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots
            .iter()
            .filter(|&&t| t.saturating_add(self.window) > now && t <= now)
            .count()
    }
}

/// A clock moved by hand, for tests (also of the crates that use this client).
#[derive(Debug, Default)]
pub struct ManualClock(Mutex<Duration>);

impl ManualClock {
    /// A clock at its origin.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward.
    pub fn advance(&self, d: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t = t.saturating_add(d);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn calls_within_the_budget_go_at_once_and_the_next_waits_for_the_window() {
        let clock = Arc::new(ManualClock::new());
        let b = CallBudget::new(3, S(10), clock.clone());
        assert_eq!([b.reserve(), b.reserve(), b.reserve()], [S(0); 3]);
        assert_eq!(
            b.reserve(),
            S(10),
            "the 4th waits for the 1st to leave the window"
        );
        assert_eq!(b.reserve(), S(10));
        assert_eq!(b.reserve(), S(10));
        assert_eq!(b.reserve(), S(20));
        clock.advance(S(4));
        assert_eq!(b.reserve(), S(16), "waits counted from the new now");
    }

    #[test]
    fn spread_calls_never_wait() {
        let clock = Arc::new(ManualClock::new());
        let b = CallBudget::new(5, S(60), clock.clone());
        for _ in 0..100 {
            assert_eq!(b.reserve(), S(0));
            clock.advance(S(12));
        }
    }

    #[test]
    fn no_window_ever_holds_more_than_the_budget() {
        // Bursts and pauses; every reserved slot is checked against every window.
        let clock = Arc::new(ManualClock::new());
        let b = CallBudget::new(7, S(30), clock.clone());
        let mut slots = Vec::new();
        for i in 0..200u64 {
            let wait = b.reserve();
            slots.push(clock.now() + wait);
            if i % 13 == 0 {
                clock.advance(S(i % 29));
            }
        }
        slots.sort();
        for (i, &start) in slots.iter().enumerate() {
            let within = slots[i..]
                .iter()
                .take_while(|&&t| t < start + S(30))
                .count();
            assert!(within <= 7, "{within} calls within 30 s from {start:?}");
        }
    }

    #[test]
    fn the_default_is_under_trustpilots_recommendation() {
        let b = CallBudget::default();
        assert!(b.max_calls < TRUSTPILOT_RECOMMENDED_CALLS as usize);
        assert_eq!(b.window, TRUSTPILOT_WINDOW);
        // And under 10,000 an hour.
        assert!(b.max_calls * 12 < 10_000);
    }
}
