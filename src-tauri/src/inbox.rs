//! The app side of the review inbox: opens the store, keeps one [`Inbox`] per shop, runs the
//! background sync (when a shop becomes active, every five minutes, on "Sync now"), replays the
//! offline queue when Trustoo answers again, and tells the window (`sync-progress`,
//! `queue-changed`, `new-reviews`) and the desktop (a notification for new reviews).
//!
//! Why here and not in the inbox crate: it needs the app (events, notifications, the active
//! session); everything with rules lives in `reviewdesk-inbox`, tested against the sandbox.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reviewdesk_core::{Feature, NewReviews, QueuedAction, SyncStatus};
use reviewdesk_inbox::{Inbox, InboxConfig, InboxError, SharedStore, SyncMode};
use reviewdesk_store::Store;
use reviewdesk_trustoo::TrustooClient;
use tauri::{AppHandle, Emitter, Listener, Manager};

use crate::error::{ErrorCode, IpcError};
use crate::state::AppState;

/// How often the background poll runs while the app is open.
pub const POLL_EVERY: Duration = Duration::from_secs(5 * 60);
/// How often it probes while Trustoo is unreachable, so the queue is replayed soon after it
/// is back.
pub const PROBE_OFFLINE_EVERY: Duration = Duration::from_secs(30);
/// The database file in the app data directory (every shop in one file, separated inside).
pub const DB_FILE: &str = "reviewdesk.db";
/// Who the audit log names for the merchant's own actions (the app has one user per machine).
const ACTOR: &str = "merchant";

/// Tauri-managed state of the inbox.
pub struct InboxState {
    store: Result<SharedStore, IpcError>,
    inboxes: Mutex<HashMap<String, Arc<Inbox>>>,
    /// Wakes the background loop (shop changed, "Sync now").
    nudge: tokio::sync::Notify,
}

impl InboxState {
    /// Opens (or creates) the store in `data_dir`. A store that cannot open is kept as an
    /// error so the app still starts and every inbox command says why.
    pub fn open(data_dir: &Path) -> Self {
        let path: PathBuf = data_dir.join(DB_FILE);
        let store = Store::open(&path)
            .map(|s| Arc::new(Mutex::new(s)))
            .map_err(|err| {
                tracing::error!(%err, "the review store could not open");
                IpcError::new(
                    ErrorCode::Internal,
                    format!("ReviewDesk could not open its review database: {err}."),
                )
            });
        Self {
            store,
            inboxes: Mutex::new(HashMap::new()),
            nudge: tokio::sync::Notify::new(),
        }
    }

    /// The store every part of the app shares (drafts live beside the reviews), or why it
    /// could not open.
    pub fn store(&self) -> Result<SharedStore, IpcError> {
        self.store.clone()
    }

    /// The inbox of the active shop.
    pub async fn active(&self, app: &AppState) -> Result<Arc<Inbox>, IpcError> {
        self.active_or_none(app)
            .await?
            .ok_or_else(IpcError::not_signed_in)
    }

    /// The inbox of the active shop, `None` when no shop is connected.
    pub async fn active_or_none(&self, app: &AppState) -> Result<Option<Arc<Inbox>>, IpcError> {
        let Some(session) = app.current_session().await? else {
            return Ok(None);
        };
        let store = self.store.as_ref().map_err(Clone::clone)?;
        let mut inboxes = self.inboxes.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(inbox) = inboxes.get(&session.domain) {
            return Ok(Some(inbox.clone()));
        }
        let inbox = Arc::new(
            Inbox::new(
                store.clone(),
                session.domain.clone(),
                ACTOR,
                InboxConfig::default(),
            )
            .map_err(IpcError::from)?,
        );
        inboxes.insert(session.domain, inbox.clone());
        Ok(Some(inbox))
    }

    /// Asks the background loop for a sync now.
    pub fn request_sync(&self) {
        self.nudge.notify_one();
    }
}

/// A client for a write action, or `None` when none can be had right now (e.g. the token
/// refresh itself cannot reach Trustoo): the action is then queued instead of lost.
pub async fn client_for_action(app: &AppState) -> Option<TrustooClient> {
    match app.client().await {
        Ok(c) => Some(c),
        Err(err) => {
            tracing::info!(code = ?err.code, "no Trustoo client; the action will be queued");
            None
        }
    }
}

/// Sends `queue-changed` with what is still waiting.
pub fn queue_changed(handle: &AppHandle, inbox: &Inbox) {
    let waiting: Vec<QueuedAction> = inbox.pending_actions().unwrap_or_default();
    if let Err(err) = handle.emit("queue-changed", &waiting) {
        tracing::warn!(%err, "could not send queue-changed");
    }
}

/// Runs one write action (delete, exclude, unsubscribe…) of the active shop: with a client
/// when one can be had, else the inbox queues the action; then the bookkeeping every such call
/// needs ([`after_call`]). One place, so no command forgets the replay after an outage, nor
/// the check that the shop's sign-in allows `feature` (refused before anything is queued).
pub async fn write_action<T, F, Fut>(
    handle: &AppHandle,
    app: &AppState,
    inboxes: &InboxState,
    feature: Feature,
    action: F,
) -> Result<T, IpcError>
where
    F: FnOnce(Arc<Inbox>, Option<TrustooClient>) -> Fut,
    Fut: std::future::Future<Output = Result<T, InboxError>>,
{
    app.require(feature).await?;
    let inbox = inboxes.active(app).await?;
    let client = client_for_action(app).await;
    let was_offline = inbox.is_offline();
    let outcome = action(inbox.clone(), client).await;
    after_call(handle, &inbox, was_offline);
    Ok(outcome?)
}

/// After a command that talked to Trustoo: if Trustoo answered again after being
/// unreachable, replay the queue in the background.
pub fn after_call(handle: &AppHandle, inbox: &Arc<Inbox>, was_offline: bool) {
    queue_changed(handle, inbox);
    if was_offline && !inbox.is_offline() {
        let handle = handle.clone();
        let inbox = inbox.clone();
        tauri::async_runtime::spawn(async move { replay(&handle, &inbox).await });
    }
}

async fn replay(handle: &AppHandle, inbox: &Arc<Inbox>) {
    if inbox
        .pending_actions()
        .map(|a| a.is_empty())
        .unwrap_or(true)
    {
        return;
    }
    let state = handle.state::<AppState>();
    let Ok(client) = state.client().await else {
        return;
    };
    match inbox.replay(&client).await {
        Ok(report) => tracing::info!(?report, shop = inbox.shop(), "queue replayed"),
        Err(err) => tracing::warn!(%err, "queue replay failed"),
    }
    queue_changed(handle, inbox);
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

fn announce(handle: &AppHandle, news: &NewReviews) {
    if let Err(err) = handle.emit("new-reviews", news) {
        tracing::warn!(%err, "could not send new-reviews");
    }
    use tauri_plugin_notification::NotificationExt;
    if let Err(err) = handle
        .notification()
        .builder()
        .title("ReviewDesk")
        .body(notification_text(news))
        .show()
    {
        tracing::warn!(%err, "could not show the desktop notification");
    }
}

/// One round: replay what waits, then sync, then tell the window.
async fn cycle(handle: &AppHandle, mode: SyncMode) {
    let app = handle.state::<AppState>();
    let inboxes = handle.state::<InboxState>();
    let inbox = match inboxes.active_or_none(&app).await {
        Ok(Some(inbox)) => inbox,
        Ok(None) => return,
        Err(err) => {
            tracing::warn!(%err, "no inbox to sync");
            return;
        }
    };
    let client = match app.client().await {
        Ok(c) => c,
        Err(err) => {
            let unreachable = err.code == ErrorCode::Network;
            if unreachable {
                inbox.note_reachable(false);
            }
            let status = SyncStatus {
                phase: if unreachable {
                    reviewdesk_core::SyncPhase::Offline
                } else {
                    reviewdesk_core::SyncPhase::Failed
                },
                message: Some(err.message.clone()),
                ..inbox.sync_status()
            };
            emit_status(handle, &status);
            return;
        }
    };
    replay(handle, &inbox).await;
    let was_offline = inbox.is_offline();
    let progress_handle = handle.clone();
    let progress = move |s: &SyncStatus| emit_status(&progress_handle, s);
    match inbox.sync(&client, mode, &progress).await {
        Ok(report) => {
            if !report.first_sync && report.new.count > 0 {
                announce(handle, &report.new);
            }
            if was_offline {
                replay(handle, &inbox).await;
            }
        }
        Err(err) => tracing::info!(%err, shop = inbox.shop(), "sync did not finish"),
    }
}

fn emit_status(handle: &AppHandle, status: &SyncStatus) {
    if let Err(err) = handle.emit("sync-progress", status) {
        tracing::warn!(%err, "could not send sync-progress");
    }
}

/// Starts the background loop: a sync right away (the shop active at start, demo included),
/// whenever the active shop changes (`session-changed`: sign-in, switch), on "Sync now", and
/// every [`POLL_EVERY`] (every [`PROBE_OFFLINE_EVERY`] while Trustoo is unreachable).
pub fn start(handle: &AppHandle) {
    let nudger = handle.clone();
    handle.listen_any("session-changed", move |_| {
        nudger.state::<InboxState>().request_sync();
    });
    let handle = handle.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            cycle(&handle, SyncMode::Auto).await;
            let offline = {
                let app = handle.state::<AppState>();
                let inboxes = handle.state::<InboxState>();
                matches!(inboxes.active_or_none(&app).await, Ok(Some(i)) if i.is_offline())
            };
            let wait = if offline {
                PROBE_OFFLINE_EVERY
            } else {
                POLL_EVERY
            };
            let inboxes = handle.state::<InboxState>();
            tokio::select! {
                _ = inboxes.nudge.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    });
}

/// Today's date for export file names. UTC: the `time` crate's local offset is unreliable in
/// a multi-threaded process on Linux, and a date off by one near midnight is harmless here.
pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// Where exports go: the XDG download directory, else `~/Downloads`.
pub fn downloads_dir(handle: &AppHandle) -> Result<PathBuf, IpcError> {
    if let Ok(dir) = handle.path().download_dir() {
        return Ok(dir);
    }
    handle
        .path()
        .home_dir()
        .map(|home| home.join("Downloads"))
        .map_err(|_| {
            IpcError::new(
                ErrorCode::Internal,
                "ReviewDesk could not find your Downloads folder.",
            )
        })
}

impl From<InboxError> for IpcError {
    fn from(err: InboxError) -> Self {
        match err {
            InboxError::Api(api) => api.into(),
            InboxError::NotFound(message) => IpcError::new(ErrorCode::NotFound, message),
            InboxError::Invalid(message) => IpcError::new(ErrorCode::Validation, message),
            InboxError::Store(e) => {
                tracing::error!(err = %e, "store error");
                IpcError::new(
                    ErrorCode::Internal,
                    "ReviewDesk's review database failed. Try again; restart the app if it persists.",
                )
            }
            InboxError::Io(e) => IpcError::new(
                ErrorCode::Internal,
                format!("ReviewDesk could not write the file: {e}."),
            ),
            InboxError::Internal(e) => {
                tracing::error!(err = %e, "inbox internal error");
                IpcError::new(
                    ErrorCode::Internal,
                    "Something went wrong inside ReviewDesk. Try again.",
                )
            }
        }
    }
}

impl From<reviewdesk_store::StoreError> for IpcError {
    fn from(err: reviewdesk_store::StoreError) -> Self {
        InboxError::Store(err).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn inbox_errors_become_plain_sentences() {
        let e: IpcError =
            InboxError::Invalid("That email address does not look right.".into()).into();
        assert_eq!(e.code, ErrorCode::Validation);
        let e: IpcError = InboxError::Api(reviewdesk_trustoo::Error::NotFound).into();
        assert_eq!(e.code, ErrorCode::NotFound);
    }
}
