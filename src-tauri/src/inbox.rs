//! The app side of the review inbox: opens the store, keeps one [`Inbox`] per shop, and is the
//! [`InboxHost`] of the inbox crate's [`Background`] work (its rules: when to sync, replay and
//! notify, live and are tested there): the window's events (`sync-progress`, `queue-changed`,
//! `new-reviews`), the desktop notification and the active shop's client.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use reviewdesk_core::{
    AccountKey, Feature, NewReviews, Provider, QueuedAction, SyncStatus, TrustpilotId,
};
use reviewdesk_inbox::background::HostFuture;
use reviewdesk_inbox::{
    Background, Inbox, InboxConfig, InboxError, InboxHost, ReviewSource, SharedStore, SourceError,
    SourceErrorKind, TrustpilotSource,
};
use reviewdesk_store::Store;
use tauri::{AppHandle, Emitter, Listener, Manager};

use crate::error::{ErrorCode, IpcError};
use crate::state::AppState;
/// The database file in the app data directory (every shop in one file, separated inside).
pub const DB_FILE: &str = "reviewdesk.db";
/// How often the store's journal is checked and, when grown, copied into the main file while
/// the app runs (see [`reviewdesk_store::spawn_journal_keeper`]): often enough that a killed
/// app leaves little behind, rarely enough to cost nothing (a file size read per tick).
const JOURNAL_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(60);
/// Who the audit log names for the merchant's own actions (the app has one user per machine).
const ACTOR: &str = "merchant";

/// Tauri-managed state of the inbox.
pub struct InboxState {
    store: Result<SharedStore, IpcError>,
    inboxes: Mutex<HashMap<AccountKey, Arc<Inbox>>>,
}

impl InboxState {
    /// Opens (or creates) the store in `data_dir`. A store that cannot open is kept as an
    /// error so the app still starts and every inbox command says why.
    pub fn open(data_dir: &Path) -> Self {
        let path: PathBuf = data_dir.join(DB_FILE);
        let store = Store::open(&path)
            .map(|s| {
                let store = Arc::new(Mutex::new(s));
                if let Err(err) = reviewdesk_store::spawn_journal_keeper(
                    Arc::downgrade(&store),
                    JOURNAL_CHECK_EVERY,
                ) {
                    tracing::warn!(%err, "the store's journal keeper could not start");
                }
                store
            })
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
        }
    }

    /// Copies the store's journal into its main file as the app quits (SQLite would on the last
    /// connection's close, which a quitting app does not wait for).
    pub fn compact_journal(&self) {
        if let Ok(store) = &self.store {
            let store = store
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Err(err) = store.checkpoint() {
                tracing::warn!(%err, "the store's journal could not be checkpointed at quit");
            }
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

    /// The inbox of the active account, `None` when no account is connected.
    pub async fn active_or_none(&self, app: &AppState) -> Result<Option<Arc<Inbox>>, IpcError> {
        let Some(session) = app.current_session().await? else {
            return Ok(None);
        };
        self.inbox_of(session.account()).map(Some)
    }

    /// The inbox of `account` (one the app knows: the caller checks), opened on first use.
    fn inbox_of(&self, account: AccountKey) -> Result<Arc<Inbox>, IpcError> {
        let store = self.store.as_ref().map_err(Clone::clone)?;
        let mut inboxes = self.inboxes.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(inbox) = inboxes.get(&account) {
            return Ok(inbox.clone());
        }
        let inbox = Arc::new(
            Inbox::new(
                store.clone(),
                account.clone(),
                ACTOR,
                InboxConfig::default(),
            )
            .map_err(IpcError::from)?,
        );
        inboxes.insert(account, inbox.clone());
        Ok(inbox)
    }
}

impl reviewdesk_auth::LocalData for InboxState {
    /// Deletes every local row of the shop (off the async threads: a large shop takes a moment)
    /// and drops its open inbox, so nothing writes it back.
    fn forget<'a>(&'a self, account: &'a AccountKey) -> reviewdesk_auth::LocalFuture<'a> {
        Box::pin(async move {
            self.inboxes
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(account);
            let store = self.store.clone().map_err(|e| e.message)?;
            let account = account.clone();
            let deleted = tokio::task::spawn_blocking(move || {
                store
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .delete_account(&account)
            })
            .await;
            match deleted {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(err)) => {
                    tracing::error!(%err, "could not delete a shop's local data");
                    Err("ReviewDesk's review database could not delete it. Try again.".into())
                }
                Err(_) => Err("ReviewDesk stopped while deleting it. Try again.".into()),
            }
        })
    }
}

/// A client for a write action, or `None` when none can be had right now (e.g. the token
/// refresh itself cannot reach Trustoo): the action is then queued instead of lost.
pub async fn client_for_action(app: &AppState) -> Option<Box<dyn ReviewSource>> {
    // The account on screen's own provider: a Trustpilot reply goes to Trustpilot.
    client_or_queue(active_source(app).await)
}

/// The source, or `None` (logged) so that the action is queued.
fn client_or_queue(
    source: Result<Box<dyn ReviewSource>, SourceError>,
) -> Option<Box<dyn ReviewSource>> {
    match source {
        Ok(source) => Some(source),
        Err(err) => {
            tracing::info!(
                provider = err.provider(),
                "no client; the action will be queued"
            );
            None
        }
    }
}

/// The review source of the account on screen: a Trustpilot business unit's, or the Trustoo
/// shop's client (its token refreshed first when about to expire).
async fn active_source(app: &AppState) -> Result<Box<dyn ReviewSource>, SourceError> {
    if let Ok(Some(unit)) = app.current_trustpilot().await {
        return unit_source(app, unit);
    }
    match app.background_client().await {
        Ok(client) => Ok(Box::new(client)),
        Err(e) => Err(e.into()),
    }
}

/// The review source of a Trustpilot business unit the app is signed in to (on screen or not).
fn unit_source(app: &AppState, unit: TrustpilotId) -> Result<Box<dyn ReviewSource>, SourceError> {
    let client = app
        .trustpilot()
        .ok()
        .and_then(|accounts| accounts.client(&unit))
        .ok_or_else(|| {
            SourceError::new(
                "Trustpilot",
                SourceErrorKind::Unauthorized,
                "The Trustpilot sign-in for this business unit has ended. Sign in again to sync; the reviews saved on this computer stay.",
            )
        })?;
    Ok(Box::new(TrustpilotSource::new(client, unit)))
}

/// Runs one write action on a review of `account` (the All accounts view names the row's own)
/// or, without one, of the account on screen ([`write_action`]). Another account's action goes
/// through that account's own inbox and sign-in; only a Trustpilot business unit can be acted on
/// from outside it (a Trustoo shop's writes need its own session on screen). Its queued actions
/// are sent when that account is next on screen.
pub async fn write_action_on<T, F, Fut>(
    handle: &AppHandle,
    app: &AppState,
    inboxes: &InboxState,
    account: Option<AccountKey>,
    feature: Feature,
    action: F,
) -> Result<T, IpcError>
where
    F: FnOnce(Arc<Inbox>, Option<Box<dyn ReviewSource>>) -> Fut,
    Fut: std::future::Future<Output = Result<T, InboxError>>,
{
    let on_screen = app.current_account().await?;
    let Some(account) = account.filter(|a| *a != on_screen) else {
        return write_action(handle, app, inboxes, feature, action).await;
    };
    if !app.known_accounts().await.contains(&account) {
        return Err(IpcError::new(
            ErrorCode::NotFound,
            crate::commands::reviews::UNKNOWN_ACCOUNT,
        ));
    }
    let unit = match account.provider {
        Provider::Trustpilot => TrustpilotId::parse(&account.id).map_err(|_| {
            IpcError::new(ErrorCode::NotFound, "That business unit is not known here.")
        })?,
        Provider::Trustoo => {
            return Err(IpcError::new(
                ErrorCode::Validation,
                "A Trustoo shop's reviews are changed from its own inbox: open it from the account switcher.",
            ))
        }
    };
    let inbox = inboxes.inbox_of(account)?;
    let client = client_or_queue(unit_source(app, unit));
    Ok(action(inbox, client).await?)
}

/// The app as the inbox's background work sees it.
pub struct AppHost {
    handle: AppHandle,
}

/// The app's background work (Tauri-managed).
pub type AppBackground = Background<AppHost>;

impl InboxHost for AppHost {
    fn active_inbox(&self) -> HostFuture<'_, Option<Arc<Inbox>>> {
        Box::pin(async move {
            let app = self.handle.state::<AppState>();
            let inboxes = self.handle.state::<InboxState>();
            match inboxes.active_or_none(&app).await {
                Ok(inbox) => inbox,
                Err(err) => {
                    tracing::warn!(%err, "no inbox to sync");
                    None
                }
            }
        })
    }

    fn client(&self) -> HostFuture<'_, Result<Box<dyn ReviewSource>, SourceError>> {
        Box::pin(async move { active_source(&self.handle.state::<AppState>()).await })
    }

    fn sync_progress(&self, status: &SyncStatus) {
        if let Err(err) = self.handle.emit("sync-progress", status) {
            tracing::warn!(%err, "could not send sync-progress");
        }
    }

    fn queue_changed(&self, waiting: &[QueuedAction]) {
        if let Err(err) = self.handle.emit("queue-changed", waiting) {
            tracing::warn!(%err, "could not send queue-changed");
        }
    }

    fn new_reviews(&self, news: &NewReviews, text: &str) {
        if let Err(err) = self.handle.emit("new-reviews", news) {
            tracing::warn!(%err, "could not send new-reviews");
        }
        use tauri_plugin_notification::NotificationExt;
        if let Err(err) = self
            .handle
            .notification()
            .builder()
            .title("ReviewDesk")
            .body(text)
            .show()
        {
            tracing::warn!(%err, "could not show the desktop notification");
        }
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
    F: FnOnce(Arc<Inbox>, Option<Box<dyn ReviewSource>>) -> Fut,
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

/// After a command that talked to Trustoo: the window learns what still waits, and if
/// Trustoo answered again after being unreachable, the queue is replayed in the background.
pub fn after_call(handle: &AppHandle, inbox: &Arc<Inbox>, was_offline: bool) {
    let background = handle.state::<Arc<AppBackground>>().inner().clone();
    if background.after_call(inbox, was_offline) {
        let inbox = inbox.clone();
        tauri::async_runtime::spawn(async move { background.replay(&inbox).await });
    }
}

/// Asks the background work for a sync now ("Sync now").
pub fn request_sync(handle: &AppHandle) {
    handle.state::<Arc<AppBackground>>().request_sync();
}

/// Starts the background work: a sync right away (the shop active at start, demo included),
/// whenever the active shop changes (`session-changed`: sign-in, switch), on "Sync now", and
/// on the inbox crate's intervals.
pub fn start(handle: &AppHandle) {
    let background = Arc::new(Background::new(AppHost {
        handle: handle.clone(),
    }));
    handle.manage(background.clone());
    let nudger = background.clone();
    handle.listen_any("session-changed", move |_| nudger.request_sync());
    tauri::async_runtime::spawn(async move { background.run().await });
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
