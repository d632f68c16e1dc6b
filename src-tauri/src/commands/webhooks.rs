//! The shop's webhook subscriptions (the work is in `reviewdesk_auth::shop::webhooks`).

use crate::error::IpcError;
use crate::state::AppState;
use reviewdesk_auth::shop::webhooks;
use reviewdesk_core::{Webhook, WebhookInput, WebhookOverview, WebhookSaved};
use tauri::State;

/// The shop's webhooks and the documented topics, each with whether this sign-in allows it.
#[tauri::command]
pub async fn webhooks_overview(state: State<'_, AppState>) -> Result<WebhookOverview, IpcError> {
    let session = state.require_session().await?;
    Ok(webhooks::overview(&state.client().await?, &session).await?)
}

/// Subscribes an address to a topic (checked first; `http` comes back with a warning).
#[tauri::command]
pub async fn webhook_create(
    state: State<'_, AppState>,
    input: WebhookInput,
) -> Result<WebhookSaved, IpcError> {
    let session = state.require_session().await?;
    Ok(webhooks::create(&state.client().await?, &session, &input).await?)
}

/// Changes a webhook's topic and address.
#[tauri::command]
pub async fn webhook_update(
    state: State<'_, AppState>,
    id: String,
    input: WebhookInput,
) -> Result<WebhookSaved, IpcError> {
    let session = state.require_session().await?;
    Ok(webhooks::update(&state.client().await?, &session, &id, &input).await?)
}

/// Deletes a webhook.
#[tauri::command]
pub async fn webhook_delete(state: State<'_, AppState>, webhook: Webhook) -> Result<(), IpcError> {
    Ok(webhooks::delete(&state.client().await?, &webhook).await?)
}
