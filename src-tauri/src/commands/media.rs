//! The review composer: check dropped files, keep drafts, upload with progress over a
//! `Channel`, cancel, and create the review exactly once.
//!
//! Files cross IPC as paths only; thumbnails come back as small data URLs made in Rust.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use reviewdesk_core::ProductId;
use reviewdesk_media::check::check_files;
use reviewdesk_media::compose::{
    submit, ComposerForm, DraftDoc, FieldError, Submission, SubmitError, SubmitOptions,
};
use reviewdesk_media::create::CreateOnceConfig;
use reviewdesk_media::{
    CreateError, ProgressEvent, UploadBatch, UploadConfig, UploadError, Uploader,
};
use reviewdesk_trustoo::{ReviewQuery, SortOrder};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

use crate::composer::{self, CheckResult, ComposerState, DraftSummary, DraftView};
use crate::error::{ErrorCode, IpcError};
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
    Ok(composer.check(&existing, &paths).await)
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
    if !composer::is_composer_draft(&id) {
        return Err(IpcError::new(
            ErrorCode::Validation,
            "Not a review draft id.",
        ));
    }
    let shop = shop(&app).await?;
    let fields: ComposerForm = serde_json::from_value(fields).map_err(|_| {
        IpcError::new(
            ErrorCode::Validation,
            "The form could not be read; nothing was saved.",
        )
    })?;
    let d = composer.with_store(|s| {
        let submission = s
            .load_draft(&shop, &id)?
            .map(|d| DraftDoc::from_json(&d.form).submission)
            .unwrap_or_default();
        let doc = DraftDoc { fields, submission };
        s.save_draft(&shop, &id, &doc.to_json(), &attachments)
    })?;
    Ok(composer::summary(&d))
}

/// The active shop's review drafts, most recent first, with files that went missing.
#[tauri::command]
pub async fn draft_list(
    app: State<'_, AppState>,
    composer: State<'_, ComposerState>,
) -> Result<Vec<DraftSummary>, IpcError> {
    let shop = shop(&app).await?;
    let drafts = composer.with_store(|s| s.list_drafts(&shop))?;
    Ok(drafts
        .iter()
        .filter(|d| composer::is_composer_draft(&d.id))
        .map(composer::summary)
        .collect())
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
    let d = composer
        .with_store(|s| s.load_draft(&shop, &id))?
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, "This draft no longer exists."))?;
    let doc = DraftDoc::from_json(&d.form);
    let checked = composer.check(&[], &d.attachments).await;
    Ok(DraftView {
        id: d.id,
        fields: serde_json::to_value(&doc.fields).unwrap_or_default(),
        attachments: checked.accepted,
        problems: checked.refused.into_iter().map(|r| r.message).collect(),
        uploaded: doc
            .submission
            .uploaded
            .iter()
            .map(|u| u.path.clone())
            .collect(),
    })
}

/// Deletes draft `id` (its local files are the merchant's and stay where they are).
#[tauri::command]
pub async fn draft_discard(
    app: State<'_, AppState>,
    composer: State<'_, ComposerState>,
    id: String,
) -> Result<bool, IpcError> {
    let shop = shop(&app).await?;
    composer.cancel(&id, None);
    composer.with_store(|s| s.discard_draft(&shop, &id))
}

/// A product the composer can attach a review to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductChoice {
    /// Product id.
    pub id: String,
    /// Title.
    pub title: String,
}

/// Products of the shop for the picker. Trustoo has no product listing, so they are collected
/// from the shop's newest reviews (up to 300); the store review is the UI's fixed first entry.
#[tauri::command]
pub async fn composer_products(app: State<'_, AppState>) -> Result<Vec<ProductChoice>, IpcError> {
    let client = app.client().await?;
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for page in 1..=3u32 {
        let q = ReviewQuery::new()
            .sort(SortOrder::CreatedDescending)
            .page(page)
            .page_size(100);
        let list = client.list_reviews(&q).await?.list;
        let n = list.len();
        for r in list {
            if r.is_store_review || r.product_id == ProductId("0".into()) {
                continue;
            }
            let e = seen.entry(r.product_id.as_str().to_owned()).or_default();
            if e.is_empty() {
                *e = r.product_title;
            }
        }
        if n < 100 {
            break;
        }
    }
    let mut out: Vec<ProductChoice> = seen
        .into_iter()
        .map(|(id, title)| ProductChoice { id, title })
        .collect();
    out.sort_by_key(|a| a.title.to_lowercase());
    Ok(out)
}

/// One file that did not reach the storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileFailure {
    /// Index in the attachments.
    pub index: usize,
    /// File name.
    pub name: String,
    /// What happened and what to do.
    pub message: String,
    /// True when "Retry" may help; false means remove or replace the file.
    pub retryable: bool,
    /// The merchant cancelled it.
    pub cancelled: bool,
}

/// How a publish ended (failures that the merchant fixes in the form are outcomes, not errors).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PublishOutcome {
    /// The review exists (now, or from an interrupted earlier attempt).
    Created {
        /// Its id.
        #[serde(rename = "reviewId")]
        review_id: String,
        /// True when an earlier attempt had already created it.
        #[serde(rename = "foundExisting")]
        found_existing: bool,
    },
    /// Fields to fix; nothing was uploaded.
    Invalid {
        /// Per field.
        errors: Vec<FieldError>,
    },
    /// Some files did not upload; the others are kept and not sent again.
    UploadFailed {
        /// Per file.
        files: Vec<FileFailure>,
    },
}

fn failure(index: usize, e: &UploadError) -> FileFailure {
    let cancelled = matches!(e, UploadError::Cancelled { .. });
    let hint = if cancelled {
        " Publish again to upload it, or remove it."
    } else if e.is_retryable() {
        " Retry to upload it with fresh credentials."
    } else {
        " Remove it or replace it."
    };
    FileFailure {
        index,
        name: e.file_name().to_owned(),
        message: format!("{e}.{hint}"),
        retryable: e.is_retryable(),
        cancelled,
    }
}

fn create_error(e: CreateError) -> IpcError {
    match e {
        CreateError::NotCreated(inner) => {
            let base = IpcError::from(inner);
            IpcError {
                message: format!("The review was not created. {}", base.message),
                ..base
            }
        }
        CreateError::Unknown(_) => IpcError::new(ErrorCode::Network, e.to_string()),
    }
}

/// Uploads the draft's files that are not up yet (progress per file and in total over
/// `on_progress`), then creates the review once and removes the draft. Publishing again after
/// a failure or a restart continues where it stopped: finished files are not uploaded again,
/// and a create that may have been sent is looked up before sending again.
#[tauri::command]
pub async fn composer_publish(
    app: State<'_, AppState>,
    composer: State<'_, ComposerState>,
    id: String,
    on_progress: Channel<ProgressEvent>,
) -> Result<PublishOutcome, IpcError> {
    let shop = shop(&app).await?;
    app.require(reviewdesk_core::Feature::WriteReviews).await?;
    let draft = composer
        .with_store(|s| s.load_draft(&shop, &id))?
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, "Save the draft before publishing."))?;
    let mut doc = DraftDoc::from_json(&draft.form);
    let sel = check_files(
        Vec::new(),
        draft.attachments.iter().map(PathBuf::from).collect(),
        *composer.limits(),
    )
    .await;
    if !sel.rejected.is_empty() {
        return Ok(PublishOutcome::Invalid {
            errors: sel
                .rejected
                .iter()
                .map(|r| FieldError {
                    field: "attachments".into(),
                    message: format!("{r}; remove it or attach it again"),
                })
                .collect(),
        });
    }
    let client = app.client().await?;
    let batch = Arc::new(UploadBatch::new(sel.accepted, move |ev| {
        if let Err(err) = on_progress.send(ev) {
            tracing::debug!(%err, "progress channel closed");
        }
    }));
    if !composer.start(&id, batch.clone()) {
        return Err(IpcError::new(
            ErrorCode::Validation,
            "This review is already being published; wait for it to finish or cancel it.",
        ));
    }
    let uploader = Uploader::new(client.clone(), UploadConfig::default());
    let fields = doc.fields.clone();
    let attachments = draft.attachments.clone();
    let mut sub: Submission = doc.submission.clone();
    let composer_ref = &*composer;
    let shop_ref = &shop;
    let id_ref = &id;
    let mut persist = |s: &Submission| {
        doc.submission = s.clone();
        if let Err(err) = composer_ref
            .with_store(|st| st.save_draft(shop_ref, id_ref, &doc.to_json(), &attachments))
        {
            tracing::error!(code = ?err.code, "could not save upload progress in the draft");
        }
    };
    let result = submit(
        &uploader,
        &client,
        &batch,
        &fields,
        &mut sub,
        &SubmitOptions {
            key: &id,
            create: CreateOnceConfig::default(),
        },
        &mut persist,
    )
    .await;
    composer.finish(&id);
    match result {
        Ok(done) => {
            composer.with_store(|s| s.discard_draft(&shop, &id))?;
            Ok(PublishOutcome::Created {
                review_id: done.review_id,
                found_existing: done.found_existing,
            })
        }
        Err(SubmitError::Invalid(errors)) => Ok(PublishOutcome::Invalid { errors }),
        Err(SubmitError::Upload(files)) => Ok(PublishOutcome::UploadFailed {
            files: files.iter().map(|(i, e)| failure(*i, e)).collect(),
        }),
        Err(SubmitError::Create(e)) => Err(create_error(e)),
    }
}

/// Cancels one file (`index`) or every file of draft `id`'s running upload. `false` when
/// nothing is uploading.
#[tauri::command]
pub async fn composer_cancel(
    composer: State<'_, ComposerState>,
    id: String,
    index: Option<usize>,
) -> Result<bool, IpcError> {
    Ok(composer.cancel(&id, index))
}
