//! The review inbox: the local list (filters and search run in the store, offline too),
//! details, triage, deletion, sync, the outbox, CSV export and local ratings.

use crate::error::IpcError;
use crate::inbox::{self, InboxState};
use crate::state::AppState;
use reviewdesk_core::{
    ActionOutcome, ExportResult, Feature, ProductId, ProductSummary, QueuedAction, RatingSummary,
    ReviewDetail, ReviewId, ReviewPage, ReviewQuery, SourceSummary, SyncStatus, TriageState,
};
use tauri::{AppHandle, State};

/// One page of the local review listing.
#[tauri::command]
pub async fn query_reviews(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    query: ReviewQuery,
) -> Result<ReviewPage, IpcError> {
    let inbox = inboxes.active(&app).await?;
    Ok(inbox.with_reader(|s| s.query_reviews(inbox.account(), &query))?)
}

/// A review with its audit history and the actions still waiting for it.
#[tauri::command]
pub async fn get_review_detail(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    id: String,
) -> Result<ReviewDetail, IpcError> {
    let inbox = inboxes.active(&app).await?;
    Ok(inbox.review_detail(&ReviewId(id))?)
}

/// Sets the local triage state of reviews (audited by the store).
#[tauri::command]
pub async fn set_triage(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    ids: Vec<String>,
    state: TriageState,
) -> Result<(), IpcError> {
    let inbox = inboxes.active(&app).await?;
    let ids: Vec<ReviewId> = ids.into_iter().map(ReviewId).collect();
    inbox.with_store(|s| s.set_triage(inbox.account(), &ids, state, "merchant"))?;
    Ok(())
}

/// Deletes reviews on Trustoo (queued while it is unreachable); one outcome per id.
#[tauri::command]
pub async fn delete_reviews(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    ids: Vec<String>,
) -> Result<Vec<ActionOutcome>, IpcError> {
    let ids: Vec<ReviewId> = ids.into_iter().map(ReviewId).collect();
    inbox::write_action(
        &handle,
        &app,
        &inboxes,
        Feature::WriteReviews,
        |inbox, client| async move { inbox.delete_reviews(client.as_deref(), &ids).await },
    )
    .await
}

/// Starts a sync now; progress arrives as `sync-progress`.
#[tauri::command]
pub async fn sync_now(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
) -> Result<(), IpcError> {
    inboxes.active(&app).await?;
    inbox::request_sync(&handle);
    Ok(())
}

/// Where the sync of the active shop stands (idle when no shop is connected).
#[tauri::command]
pub async fn sync_status(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
) -> Result<SyncStatus, IpcError> {
    Ok(inboxes
        .active_or_none(&app)
        .await?
        .map(|i| i.sync_status())
        .unwrap_or_default())
}

/// Actions waiting to reach Trustoo (empty when no shop is connected).
#[tauri::command]
pub async fn pending_actions(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
) -> Result<Vec<QueuedAction>, IpcError> {
    match inboxes.active_or_none(&app).await? {
        Some(inbox) => Ok(inbox.pending_actions()?),
        None => Ok(Vec::new()),
    }
}

/// Writes the reviews matching `query` to `reviewdesk-<shop>-<date>.csv` in Downloads.
#[tauri::command]
pub async fn export_csv(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    query: ReviewQuery,
) -> Result<ExportResult, IpcError> {
    let inbox = inboxes.active(&app).await?;
    let dir = inbox::downloads_dir(&handle)?;
    Ok(inbox.export_csv(&query, &dir, inbox::today()).await?)
}

/// Rating of one product (or, with `null`, the whole shop) from the local store.
#[tauri::command]
pub async fn local_rating(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    product_id: Option<String>,
) -> Result<RatingSummary, IpcError> {
    let inbox = inboxes.active(&app).await?;
    let product = product_id.map(ProductId);
    Ok(inbox.with_reader(|s| s.rating_summary(inbox.account(), product.as_ref()))?)
}

/// Products with reviews in the local store, most reviewed first.
#[tauri::command]
pub async fn list_products(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
) -> Result<Vec<ProductSummary>, IpcError> {
    let inbox = inboxes.active(&app).await?;
    Ok(inbox.with_reader(|s| s.list_products(inbox.account()))?)
}

/// Sources of the reviews in the local store with their counts, most used first: the source
/// filter's options (what the shop's reviews carry, never a fixed list).
#[tauri::command]
pub async fn list_sources(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
) -> Result<Vec<SourceSummary>, IpcError> {
    let inbox = inboxes.active(&app).await?;
    Ok(inbox.with_reader(|s| s.list_sources(inbox.account()))?)
}
