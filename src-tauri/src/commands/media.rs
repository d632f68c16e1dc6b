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

/// Checks dropped or picked `paths` (by magic bytes, size and count, given the `existing`
/// attachments) and makes thumbnails. Nothing is uploaded.
#[tauri::command]
pub async fn media_check(
    app: State<'_, AppState>,
    composer: State<'_, ComposerState>,
    existing: Vec<String>,
    paths: Vec<String>,
) -> Result<CheckResult, IpcError> {
    Ok(composer.active(&app).await?.check(&existing, &paths).await)
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
    let composer = composer.active(&app).await?;
    Ok(composer.save_draft(&id, fields, &attachments)?)
}

/// The active shop's review drafts, most recent first, with files that went missing.
#[tauri::command]
pub async fn draft_list(
    app: State<'_, AppState>,
    composer: State<'_, ComposerState>,
) -> Result<Vec<DraftSummary>, IpcError> {
    Ok(composer.active(&app).await?.list_drafts()?)
}

/// Opens draft `id`: its fields, its files checked again (with thumbnails) and sentences about
/// files that were moved, deleted or changed.
#[tauri::command]
pub async fn draft_load(
    app: State<'_, AppState>,
    composer: State<'_, ComposerState>,
    id: String,
) -> Result<DraftView, IpcError> {
    Ok(composer.active(&app).await?.load_draft(&id).await?)
}

/// Deletes draft `id` (its local files are the merchant's and stay where they are).
#[tauri::command]
pub async fn draft_discard(
    app: State<'_, AppState>,
    composer: State<'_, ComposerState>,
    id: String,
) -> Result<bool, IpcError> {
    Ok(composer.active(&app).await?.discard_draft(&id)?)
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
    let composer = composer.active(&app).await?;
    app.require(Feature::WriteReviews).await?;
    let client = app.client().await?;
    let progress = move |ev| {
        if let Err(err) = on_progress.send(ev) {
            tracing::debug!(%err, "progress channel closed");
        }
    };
    Ok(composer.publish(&id, &client, progress).await?)
}

/// Cancels one file (`index`) or every file of draft `id`'s running upload. `false` when
/// nothing is uploading.
#[tauri::command]
pub async fn composer_cancel(
    app: State<'_, AppState>,
    composer: State<'_, ComposerState>,
    id: String,
    index: Option<usize>,
) -> Result<bool, IpcError> {
    Ok(composer.active(&app).await?.cancel(&id, index))
}
