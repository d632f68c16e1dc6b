//! Keeping customers out of review-request emails: exclude a review's author, the exclusion
//! list (list, add, remove by email or customer id) and email unsubscribes. Writes are queued
//! while Trustoo is unreachable and replayed once it answers.

use crate::error::IpcError;
use crate::inbox::{self, InboxState};
use crate::state::AppState;
use reviewdesk_core::{ActionOutcome, ExclusionPage, ExclusionTarget, Feature, ReviewId};
use tauri::{AppHandle, State};

/// Excludes the author of a review (by the review's email).
#[tauri::command]
pub async fn exclude_author(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    review_id: String,
) -> Result<ActionOutcome, IpcError> {
    inbox::write_action(
        &handle,
        &app,
        &inboxes,
        Feature::Exclusions,
        |inbox, client| async move {
            inbox
                .exclude_author(client.as_deref(), &ReviewId(review_id))
                .await
        },
    )
    .await
}

/// One page (1-based) of excluded customers, from Trustoo.
#[tauri::command]
pub async fn list_exclusions(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    page: u32,
) -> Result<ExclusionPage, IpcError> {
    app.require(Feature::Exclusions).await?;
    let inbox = inboxes.active(&app).await?;
    let client = app.client().await?;
    let was_offline = inbox.is_offline();
    let listed = inbox.list_exclusions(&client, page).await;
    inbox::after_call(&handle, &inbox, was_offline);
    Ok(listed?)
}

/// Adds a customer (`{ email }` or `{ customer_id }`) to the exclusion list.
#[tauri::command]
pub async fn add_exclusion(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    target: ExclusionTarget,
) -> Result<ActionOutcome, IpcError> {
    inbox::write_action(
        &handle,
        &app,
        &inboxes,
        Feature::Exclusions,
        |inbox, client| async move { inbox.add_exclusion(client.as_deref(), &target).await },
    )
    .await
}

/// Removes a customer (`{ email }` or `{ customer_id }`) from the exclusion list.
#[tauri::command]
pub async fn remove_exclusion(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    target: ExclusionTarget,
) -> Result<ActionOutcome, IpcError> {
    inbox::write_action(
        &handle,
        &app,
        &inboxes,
        Feature::Exclusions,
        |inbox, client| async move { inbox.remove_exclusion(client.as_deref(), &target).await },
    )
    .await
}

/// Unsubscribes an address from one category of Trustoo emails.
#[tauri::command]
pub async fn unsubscribe_email(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    email: String,
    email_type: String,
) -> Result<ActionOutcome, IpcError> {
    inbox::write_action(
        &handle,
        &app,
        &inboxes,
        Feature::Exclusions,
        |inbox, client| async move {
            inbox
                .unsubscribe_email(client.as_deref(), &email, &email_type)
                .await
        },
    )
    .await
}
