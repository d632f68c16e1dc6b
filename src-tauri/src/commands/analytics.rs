//! Widget analytics (Trustoo customer events): the charts and the raw table read the store
//! (its daily rollup answers a year at once, offline too); a refresh fetches new events.

use crate::error::IpcError;
use crate::inbox::{self, InboxState};
use crate::state::AppState;
use reviewdesk_core::{
    EventBucket, EventFilter, EventOptions, EventPage, EventSummary, Feature, FeedRefresh,
};
use tauri::{AppHandle, State};

/// Counts over time by type, and totals by type, source and OS.
#[tauri::command]
pub async fn event_summary(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    filter: EventFilter,
    bucket: EventBucket,
) -> Result<EventSummary, IpcError> {
    let inbox = inboxes.active(&app).await?;
    Ok(inbox.with_reader(|s| s.event_summary(inbox.account(), &filter, bucket))?)
}

/// A window of the raw events, newest first.
#[tauri::command]
pub async fn list_events(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    filter: EventFilter,
    offset: u32,
    limit: u32,
) -> Result<EventPage, IpcError> {
    let inbox = inboxes.active(&app).await?;
    Ok(inbox.with_reader(|s| s.list_events(inbox.account(), &filter, offset, limit))?)
}

/// The filters' options, from the stored events.
#[tauri::command]
pub async fn event_options(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
) -> Result<EventOptions, IpcError> {
    let inbox = inboxes.active(&app).await?;
    let account = inbox.account().clone();
    Ok(inbox.with_reader(|s| {
        Ok(EventOptions {
            event_types: s.event_values(&account, "event_type")?,
            event_sources: s.event_values(&account, "event_source")?,
            os_types: s.event_values(&account, "os_type")?,
        })
    })?)
}

/// Fetches new events from Trustoo into the store (the page calls it when it opens; from
/// then on the regular sync keeps them current).
#[tauri::command]
pub async fn refresh_events(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
) -> Result<FeedRefresh, IpcError> {
    app.require(Feature::CustomerEvents).await?;
    let inbox = inboxes.active(&app).await?;
    let client = app.client().await?;
    let was_offline = inbox.is_offline();
    let refreshed = inbox.refresh_events(&client).await;
    inbox::after_call(&handle, &inbox, was_offline);
    Ok(refreshed?)
}
