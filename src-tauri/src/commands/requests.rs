//! Review requests (Trustoo orders): the cached list, one order, the funnel, and a refresh
//! from Trustoo. Reads run on the store (offline too); excluding an order's customer is the
//! existing `add_exclusion` action.

use crate::error::IpcError;
use crate::inbox::{self, InboxState};
use crate::state::AppState;
use reviewdesk_core::{Feature, FeedRefresh, OrderListQuery, OrderPage, OrderRow, RequestFunnel};
use tauri::{AppHandle, State};

/// A window of the cached orders with the page's filters, search and sort.
#[tauri::command]
pub async fn list_orders(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    query: OrderListQuery,
) -> Result<OrderPage, IpcError> {
    let inbox = inboxes.active(&app).await?;
    Ok(inbox.with_reader(|s| s.list_orders(inbox.account(), &query))?)
}

/// One cached order (the link from a review to its order), `null` when not cached.
#[tauri::command]
pub async fn get_order(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    id: String,
) -> Result<Option<OrderRow>, IpcError> {
    let inbox = inboxes.active(&app).await?;
    Ok(inbox.with_reader(|s| s.order(inbox.account(), &id))?)
}

/// Requests sent in `[from, to)`: sent, opened, reviewed.
#[tauri::command]
pub async fn request_funnel(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    from: i64,
    to: i64,
) -> Result<RequestFunnel, IpcError> {
    let inbox = inboxes.active(&app).await?;
    Ok(inbox.with_reader(|s| s.request_funnel(inbox.account(), from, to))?)
}

/// Fetches orders from Trustoo into the store (the page calls it when it opens).
#[tauri::command]
pub async fn refresh_orders(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
) -> Result<FeedRefresh, IpcError> {
    app.require(Feature::Orders).await?;
    let inbox = inboxes.active(&app).await?;
    let client = app.client().await?;
    let was_offline = inbox.is_offline();
    let refreshed = inbox.refresh_orders(&client).await;
    inbox::after_call(&handle, &inbox, was_offline);
    Ok(refreshed?)
}
