//! The inbox's background work while the app is open: a sync when the active account changes,
//! on "Sync now" and every few minutes (every half minute while Trustoo is unreachable, so the
//! offline queue goes out soon after it is back), the queue replayed before a sync and again
//! when Trustoo answers after an outage, and the window and desktop told what happened.
//!
//! Why here and not in the app crate: these are rules (when to sync, when to replay, what to
//! say), and rules are tested without a window. The app provides an [`InboxHost`]: events,
//! notifications and a client for the active account (Yaak's `TestHost` is the model); tests
//! use a fake host over the sandbox.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reviewdesk_core::{NewReviews, QueuedAction, SyncPhase, SyncStatus};

use crate::{Inbox, InboxError, ReviewSource, SourceError, SyncMode};

/// How often the background poll runs while the app is open.
pub const POLL_EVERY: Duration = Duration::from_secs(5 * 60);
/// How often it tries again while Trustoo is unreachable or in trouble.
pub const PROBE_OFFLINE_EVERY: Duration = Duration::from_secs(30);

/// A boxed future the host's methods return (the trait stays object-safe).
pub type HostFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the background work needs from the app.
pub trait InboxHost: Send + Sync {
    /// The inbox of the active account, `None` while no account is open.
    fn active_inbox(&self) -> HostFuture<'_, Option<Arc<Inbox>>>;
    /// The review source of the active account (a client whose token was refreshed first
    /// when about to expire), or why none can be had: a refresh that could not reach the
    /// provider is `Unreachable`, a sign-in that ended is `Unauthorized`.
    fn client(&self) -> HostFuture<'_, Result<Box<dyn ReviewSource>, SourceError>>;
    /// The sync's status changed (the window's `sync-progress`).
    fn sync_progress(&self, status: &SyncStatus);
    /// What still waits in the offline queue (the window's `queue-changed`).
    fn queue_changed(&self, waiting: &[QueuedAction]);
    /// Reviews arrived in a sync that was not the first: tell the window and the desktop
    /// (`text` is the notification's sentence, see [`notification_text`]).
    fn new_reviews(&self, news: &NewReviews, text: &str);
}

/// "3 new reviews, 1 with 1★".
pub fn notification_text(news: &NewReviews) -> String {
    let head = if news.count == 1 {
        "1 new review".to_owned()
    } else {
        format!("{} new reviews", news.count)
    };
    if news.one_star == 0 {
        head
    } else {
        format!("{head}, {} with 1★", news.one_star)
    }
}

/// Shortest time between two "still fetching" statuses sent to the window.
///
/// Why: a sync from a fast server stores a page every few milliseconds, and each status sent is
/// a script the webview runs and a status line it lays out and paints again. At 100,000 reviews
/// from the sandbox (70–150 pages a second) that kept WebKit's page thread at 100 % of a core and
/// starved its frames (`cargo xtask bench app`: frames of 1.5–2.6 s during the first sync). Ten
/// a second is as smooth as a progress bar needs.
pub const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Lets through every status of a sync that is not "still fetching" (start, done, failure,
/// offline: the window must hear each), and a "still fetching" one when [`PROGRESS_EVERY`] has
/// passed since the last status let through. A status held back is superseded by the next one;
/// the last status of a sync is never a "fetching" one, so the window always ends on the truth.
#[derive(Debug, Default)]
pub struct ProgressPace {
    last_sent: std::sync::Mutex<Option<Instant>>,
}

impl ProgressPace {
    /// Whether `status`, reported at `now`, goes to the window.
    pub fn admit(&self, status: &SyncStatus, now: Instant) -> bool {
        let Ok(mut last) = self.last_sent.lock() else {
            return true;
        };
        let due = match (*last, status.phase) {
            (Some(sent), SyncPhase::Fetching) => {
                now.saturating_duration_since(sent) >= PROGRESS_EVERY
            }
            _ => true,
        };
        if due {
            *last = Some(now);
        }
        due
    }
}

/// The background loop and the bookkeeping every call to Trustoo needs, over one host.
pub struct Background<H> {
    host: H,
    nudge: tokio::sync::Notify,
    poll_every: Duration,
    probe_offline_every: Duration,
}

impl<H: InboxHost> Background<H> {
    /// With the app's intervals ([`POLL_EVERY`], [`PROBE_OFFLINE_EVERY`]).
    pub fn new(host: H) -> Self {
        Self::with_intervals(host, POLL_EVERY, PROBE_OFFLINE_EVERY)
    }

    /// With other intervals (tests).
    pub fn with_intervals(host: H, poll_every: Duration, probe_offline_every: Duration) -> Self {
        Self {
            host,
            nudge: tokio::sync::Notify::new(),
            poll_every,
            probe_offline_every,
        }
    }

    /// The host (the app reaches its own state through it).
    pub fn host(&self) -> &H {
        &self.host
    }

    /// Asks the loop for a sync now (the active account changed, "Sync now").
    pub fn request_sync(&self) {
        self.nudge.notify_one();
    }

    /// Runs forever: a round at once, then one whenever asked or when the wait is over.
    pub async fn run(&self) {
        loop {
            let wait = self.cycle(SyncMode::Auto).await;
            tokio::select! {
                _ = self.nudge.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// One round: replay what waits, sync, tell the window. Returns how long to wait before
    /// the next round (shorter while Trustoo is unreachable or in trouble).
    pub async fn cycle(&self, mode: SyncMode) -> Duration {
        let Some(inbox) = self.host.active_inbox().await else {
            return self.poll_every;
        };
        let client = match self.host.client().await {
            Ok(client) => client,
            Err(e) => {
                let status = inbox.report_failure(&InboxError::Source(e));
                self.host.sync_progress(&status);
                return self.wait_after(&inbox);
            }
        };
        let client = &*client;
        self.replay_with(&inbox, client).await;
        let was_offline = inbox.is_offline();
        let pace = ProgressPace::default();
        let progress = |s: &SyncStatus| {
            if pace.admit(s, Instant::now()) {
                self.host.sync_progress(s);
            }
        };
        match inbox.sync(client, mode, &progress).await {
            Ok(report) => {
                if !report.first_sync && report.new.count > 0 {
                    self.host
                        .new_reviews(&report.new, &notification_text(&report.new));
                }
                if was_offline {
                    self.replay_with(&inbox, client).await;
                }
                if let Some(trustoo) = client.as_trustoo() {
                    inbox.refresh_feeds(trustoo).await;
                }
            }
            Err(err) => tracing::info!(%err, account = %inbox.account(), "sync did not finish"),
        }
        self.wait_after(&inbox)
    }

    fn wait_after(&self, inbox: &Inbox) -> Duration {
        if inbox.is_offline() {
            self.probe_offline_every
        } else {
            self.poll_every
        }
    }

    /// Tells the window what still waits in `inbox`'s queue.
    pub fn queue_changed(&self, inbox: &Inbox) {
        let waiting = inbox.pending_actions().unwrap_or_default();
        self.host.queue_changed(&waiting);
    }

    /// After a command that talked to Trustoo: the window learns what still waits. True when
    /// Trustoo answered again after being unreachable: the moment to [`Background::replay`]
    /// (the caller decides where that runs; the app spawns it).
    pub fn after_call(&self, inbox: &Inbox, was_offline: bool) -> bool {
        self.queue_changed(inbox);
        was_offline && !inbox.is_offline()
    }

    /// Sends what waits in `inbox`'s queue with a client from the host (nothing when the
    /// queue is empty or no client can be had).
    pub async fn replay(&self, inbox: &Inbox) {
        if !has_waiting(inbox) {
            return;
        }
        let Ok(client) = self.host.client().await else {
            return;
        };
        self.replay_with(inbox, &*client).await;
    }

    async fn replay_with(&self, inbox: &Inbox, client: &dyn ReviewSource) {
        if !has_waiting(inbox) {
            return;
        }
        match inbox.replay(client).await {
            Ok(report) => tracing::info!(?report, account = %inbox.account(), "queue replayed"),
            Err(err) => tracing::warn!(%err, "queue replay failed"),
        }
        self.queue_changed(inbox);
    }
}

fn has_waiting(inbox: &Inbox) -> bool {
    inbox.pending_actions().is_ok_and(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(phase: SyncPhase, fetched: u64) -> SyncStatus {
        SyncStatus {
            phase,
            fetched,
            total: Some(1_000),
            new_count: 0,
            last_synced_at: None,
            message: None,
        }
    }

    #[test]
    fn progress_reaches_the_window_at_most_ten_times_a_second_but_every_phase_change_does() {
        let pace = ProgressPace::default();
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        assert!(
            pace.admit(&status(SyncPhase::Fetching, 0), at(0)),
            "the start"
        );
        let sent: Vec<u64> = (1..=50)
            .filter(|page| pace.admit(&status(SyncPhase::Fetching, page * 100), at(page * 7)))
            .collect();
        // 50 pages 7 ms apart (350 ms): one status each 100 ms, the rest held back.
        assert_eq!(sent, vec![15, 30, 45]);
        assert!(
            pace.admit(&status(SyncPhase::Done, 5_000), at(351)),
            "the end is never held back, however soon it comes"
        );
        assert!(pace.admit(&status(SyncPhase::Failed, 0), at(352)));
        assert!(pace.admit(&status(SyncPhase::Offline, 0), at(353)));
    }

    #[test]
    fn notification_counts_one_star_reviews() {
        let news = |count, one_star| NewReviews {
            count,
            one_star,
            ids: vec![],
        };
        assert_eq!(notification_text(&news(3, 1)), "3 new reviews, 1 with 1★");
        assert_eq!(notification_text(&news(1, 0)), "1 new review");
        assert_eq!(notification_text(&news(2, 2)), "2 new reviews, 2 with 1★");
    }
}
