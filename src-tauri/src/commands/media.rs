//! The review composer: check dropped files, keep drafts, upload with progress over a
//! `Channel`, cancel, and create the review exactly once. Each command hands the window's
//! request to the composer service (`reviewdesk_media::service`).
//!
//! Files cross IPC as paths only; thumbnails come back as small data URLs made in Rust.

use reviewdesk_core::Feature;
use reviewdesk_media::service::{
    CheckResult, Composer, DraftSummary, DraftView, ProductChoice, PublishOutcome,
};
use reviewdesk_media::ProgressEvent;
use tauri::ipc::Channel;
use tauri::State;

use crate::composer::ComposerState;
use crate::error::IpcError;
use crate::state::AppState;

async fn shop(app: &AppState) -> Result<String, IpcError> {
    app.current_session()
        .await?
        .map(|s| s.domain)
        .ok_or_else(IpcError::not_signed_in)
}

/// Checks dropped or picked `paths` (by magic bytes, size and count, given the `existing`
/// attachments) and makes thumbnails. Nothing is uploaded.
#[tauri::command]
pub async fn media_check(
    composer: State<'_, ComposerState>,
    existing: Vec<String>,
    paths: Vec<String>,
) -> Result<CheckResult, IpcError> {
    Ok(composer.get()?.check(&existing, &paths).await)
}

/// Saves the composer's fields and attached paths as draft `id` (called on every change). The
/// submission progress already saved with the draft is kept.
#[tauri::command]
pub async fn draft_save(
    app: State<'_, AppState>,
    composer: State<'_, ComposerState>,
    id: String,
    fields: serde_json::Value,
    attachments: Vec<String>,
) -> Result<DraftSummary, IpcError> {
    let shop = shop(&app).await?;
    Ok(composer
        .get()?
        .save_draft(&shop, &id, fields, &attachments)?)
}

/// The active shop's review drafts, most recent first, with files that went missing.
#[tauri::command]
pub async fn draft_list(
    app: State<'_, AppState>,
    composer: State<'_, ComposerState>,
) -> Result<Vec<DraftSummary>, IpcError> {
    let shop = shop(&app).await?;
    Ok(composer.get()?.list_drafts(&shop)?)
}

/// Opens draft `id`: its fields, its files checked again (with thumbnails) and sentences about
/// files that were moved, deleted or changed.
#[tauri::command]
pub async fn draft_load(
    app: State<'_, AppState>,
    composer: State<'_, ComposerState>,
    id: String,
) -> Result<DraftView, IpcError> {
    let shop = shop(&app).await?;
    Ok(composer.get()?.load_draft(&shop, &id).await?)
}

/// Deletes draft `id` (its local files are the merchant's and stay where they are).
#[tauri::command]
pub async fn draft_discard(
    app: State<'_, AppState>,
    composer: State<'_, ComposerState>,
    id: String,
) -> Result<bool, IpcError> {
    let shop = shop(&app).await?;
    Ok(composer.get()?.discard_draft(&shop, &id)?)
}

/// Products of the shop for the picker (see [`Composer::products`]).
#[tauri::command]
pub async fn composer_products(app: State<'_, AppState>) -> Result<Vec<ProductChoice>, IpcError> {
    Ok(Composer::products(&app.client().await?).await?)
}

/// Publishes draft `id` (see [`Composer::publish`]), progress over `on_progress`.
#[tauri::command]
pub async fn composer_publish(
    app: State<'_, AppState>,
    composer: State<'_, ComposerState>,
    id: String,
    on_progress: Channel<ProgressEvent>,
) -> Result<PublishOutcome, IpcError> {
    let shop = shop(&app).await?;
    app.require(Feature::WriteReviews).await?;
    let client = app.client().await?;
    let progress = move |ev| {
        if let Err(err) = on_progress.send(ev) {
            tracing::debug!(%err, "progress channel closed");
        }
    };
    Ok(composer
        .get()?
        .publish(&shop, &id, &client, progress)
        .await?)
}

/// Cancels one file (`index`) or every file of draft `id`'s running upload. `false` when
/// nothing is uploading.
#[tauri::command]
pub async fn composer_cancel(
    composer: State<'_, ComposerState>,
    id: String,
    index: Option<usize>,
) -> Result<bool, IpcError> {
    Ok(composer.get()?.cancel(&id, index))
}
