//! The app side of the review composer: drafts in the local store, file checks and thumbnails
//! for dropped paths, and the running uploads (so "cancel" reaches the batch another command is
//! uploading).
//!
//! Why here and not in a command file: commands stay a few lines; the rules live in
//! `reviewdesk-media` (checks, uploads, [`reviewdesk_media::compose::submit`]) and this module
//! only holds state and converts to what the UI sees.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine as _;
use reviewdesk_core::MediaKind;
use reviewdesk_inbox::SharedStore;
use reviewdesk_media::check::{check_files, CheckedFile};
use reviewdesk_media::compose::{missing_files, DraftDoc};
use reviewdesk_media::thumb::{preview, Preview, ThumbnailConfig};
use reviewdesk_media::{MediaLimits, UploadBatch};
use reviewdesk_store::Store;
use serde::Serialize;

use crate::error::{ErrorCode, IpcError};

/// Thumbnails shown in the composer are at most this many pixels on a side: small enough that
/// a data URL of eleven of them is a few hundred KB over IPC, never the original bytes.
pub const THUMB_BOX: u32 = 240;

/// One attached file as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// The local path (what the draft stores and the upload reads).
    pub path: String,
    /// File name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// `image` or `video`.
    pub kind: MediaKind,
    /// Type found by magic bytes, e.g. `image/jpeg`.
    pub mime: String,
    /// A small JPEG thumbnail as a `data:` URL; `None` shows a tile (video, HEIC, undecodable).
    pub thumbnail: Option<String>,
}

/// A refused file and why, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    /// File name (empty for a count limit).
    pub name: String,
    /// The sentence to show ("report.pdf is not an image or video").
    pub message: String,
}

/// Result of checking dropped or picked paths.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    /// Accepted files, in drop order.
    pub accepted: Vec<Attachment>,
    /// Refused files with reasons.
    pub refused: Vec<Refusal>,
}

/// A draft in the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftSummary {
    /// Draft id.
    pub id: String,
    /// Reviewer name typed so far.
    pub author: String,
    /// Product chosen so far.
    pub product_title: String,
    /// Title typed so far.
    pub title: String,
    /// Stars.
    pub rating: u8,
    /// How many files are attached.
    pub attachments: usize,
    /// Attached files that no longer exist, as sentences ("IMG_2231.jpg was moved or deleted").
    pub missing: Vec<String>,
    /// Some files are already uploaded or a create was started (publishing was interrupted).
    pub interrupted: bool,
    /// Last saved (unix seconds).
    pub updated_at: i64,
}

/// A draft opened in the composer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftView {
    /// Draft id.
    pub id: String,
    /// The form fields (the UI's own JSON).
    pub fields: serde_json::Value,
    /// Attached files still present, checked again, with thumbnails.
    pub attachments: Vec<Attachment>,
    /// Sentences about attached files that are gone or no longer acceptable.
    pub problems: Vec<String>,
    /// Files of this draft already on the storage (by path): not uploaded again.
    pub uploaded: Vec<String>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A store error as the UI sees it (no paths, no SQL).
pub fn store_error(err: reviewdesk_store::StoreError) -> IpcError {
    tracing::error!(%err, "draft store error");
    IpcError::new(
        ErrorCode::Internal,
        "ReviewDesk could not read or save the draft in its local database. Try again; if it keeps happening, restart ReviewDesk.",
    )
}

/// Tauri-managed state of the composer.
pub struct ComposerState {
    /// The inbox's store (drafts live beside the reviews), or why it could not open.
    store: Result<SharedStore, IpcError>,
    thumbs: PathBuf,
    limits: MediaLimits,
    running: Mutex<HashMap<String, Arc<UploadBatch>>>,
}

impl ComposerState {
    /// State over the app's store (shared with the inbox: one connection, one migration) and
    /// the cache directory `cache_dir` for thumbnails.
    pub fn new(store: Result<SharedStore, IpcError>, cache_dir: &Path) -> Self {
        Self {
            store,
            thumbs: cache_dir.join("thumbnails"),
            limits: MediaLimits::default(),
            running: Mutex::new(HashMap::new()),
        }
    }

    /// Runs `f` with the store.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> reviewdesk_store::Result<T>,
    ) -> Result<T, IpcError> {
        let store = self.store.as_ref().map_err(Clone::clone)?;
        f(&mut lock(store)).map_err(store_error)
    }

    /// The attachment limits.
    pub fn limits(&self) -> &MediaLimits {
        &self.limits
    }

    /// Checks `paths` to be added to a review that already has `existing`, with thumbnails.
    pub async fn check(&self, existing: &[String], paths: &[String]) -> CheckResult {
        let already = check_files(
            Vec::new(),
            existing.iter().map(PathBuf::from).collect(),
            self.limits,
        )
        .await
        .accepted;
        let sel = check_files(
            already,
            paths.iter().map(PathBuf::from).collect(),
            self.limits,
        )
        .await;
        let mut out = CheckResult::default();
        for f in sel.accepted {
            out.accepted.push(self.attachment(f).await);
        }
        out.refused = sel
            .rejected
            .iter()
            .map(|r| Refusal {
                name: rejection_name(r),
                message: r.to_string(),
            })
            .collect();
        out
    }

    /// The UI view of a checked file, with a thumbnail made here (never the original bytes).
    pub async fn attachment(&self, f: CheckedFile) -> Attachment {
        let cfg = ThumbnailConfig {
            max_width: THUMB_BOX,
            max_height: THUMB_BOX,
            ..ThumbnailConfig::default()
        };
        let thumbnail = match preview(f.clone(), self.thumbs.clone(), cfg).await {
            Ok(Preview::Image { thumbnail, .. }) => {
                tokio::fs::read(&thumbnail).await.ok().map(|b| {
                    format!(
                        "data:image/jpeg;base64,{}",
                        base64::engine::general_purpose::STANDARD.encode(b)
                    )
                })
            }
            Ok(_) => None,
            Err(err) => {
                tracing::info!(%err, "no thumbnail");
                None
            }
        };
        Attachment {
            path: f.path.to_string_lossy().into_owned(),
            name: f.name.clone(),
            size: f.size,
            kind: f.kind(),
            mime: f.media_type.mime().to_owned(),
            thumbnail,
        }
    }

    /// Registers the batch uploading for `draft`. False when one is already running for it:
    /// two publishes of one draft at once could each send the create, so the second is refused.
    pub fn start(&self, draft: &str, batch: Arc<UploadBatch>) -> bool {
        let mut running = lock(&self.running);
        if running.contains_key(draft) {
            return false;
        }
        running.insert(draft.to_owned(), batch);
        true
    }

    /// Forgets the batch of `draft`.
    pub fn finish(&self, draft: &str) {
        lock(&self.running).remove(draft);
    }

    /// Cancels one file (`Some(index)`) or every file of `draft`'s upload. False when nothing
    /// is uploading for it.
    pub fn cancel(&self, draft: &str, index: Option<usize>) -> bool {
        let Some(batch) = lock(&self.running).get(draft).cloned() else {
            return false;
        };
        match index {
            Some(i) => batch.cancel_file(i),
            None => batch.cancel_all(),
        }
        true
    }
}

fn rejection_name(r: &reviewdesk_media::Rejection) -> String {
    use reviewdesk_media::Rejection as R;
    match r {
        R::NotMedia { name }
        | R::Unsupported { name, .. }
        | R::ImageTooLarge { name, .. }
        | R::VideoTooLarge { name, .. }
        | R::Empty { name }
        | R::NotRegularFile { name }
        | R::Directory { name }
        | R::Missing { name }
        | R::Unreadable { name }
        | R::AlreadyAdded { name } => name.clone(),
        R::TooManyImages { .. } | R::TooManyVideos { .. } => String::new(),
    }
}

/// The list entry of a stored draft.
pub fn summary(d: &reviewdesk_core::Draft) -> DraftSummary {
    let doc = DraftDoc::from_json(&d.form);
    DraftSummary {
        id: d.id.clone(),
        author: doc.fields.author.clone(),
        product_title: doc.fields.product_title.clone(),
        title: doc.fields.title.clone(),
        rating: doc.fields.rating,
        attachments: d.attachments.len(),
        missing: missing_files(&d.attachments)
            .into_iter()
            .map(|n| format!("{n} was moved or deleted"))
            .collect(),
        interrupted: !doc.submission.uploaded.is_empty() || doc.submission.create_started,
        updated_at: d.updated_at,
    }
}

/// Whether `id` names a composer draft (other features keep drafts too, e.g. `reply:123`).
pub fn is_composer_draft(id: &str) -> bool {
    id.starts_with("new-review:")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn dropped_paths_get_thumbnails_and_reasons() {
        let dir = tempfile::tempdir().unwrap();
        let img = image::RgbImage::from_fn(600, 400, |x, _| image::Rgb([x as u8, 10, 10]));
        let jpg = dir.path().join("IMG_1.jpg");
        img.save(&jpg).unwrap();
        let pdf = dir.path().join("report.pdf");
        std::fs::write(&pdf, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n").unwrap();
        let state = test_state(dir.path());
        let p = |p: &Path| p.to_string_lossy().into_owned();
        let r = state.check(&[], &[p(&jpg), p(&pdf)]).await;
        assert_eq!(r.accepted.len(), 1);
        let thumb = r.accepted[0].thumbnail.as_deref().unwrap();
        assert!(thumb.starts_with("data:image/jpeg;base64,"));
        assert!(thumb.len() < 64 * 1024, "a thumbnail, not the photo");
        assert_eq!(r.refused[0].message, "report.pdf is not an image or video");
        // Already attached: refused with a reason.
        let again = state.check(&[p(&jpg)], &[p(&jpg)]).await;
        assert_eq!(again.refused[0].message, "IMG_1.jpg is already attached");
    }

    /// A composer over a fresh store in `dir`.
    fn test_state(dir: &Path) -> ComposerState {
        let store = Store::open(dir.join("test.db")).unwrap();
        ComposerState::new(Ok(Arc::new(Mutex::new(store))), dir)
    }

    #[test]
    fn one_publish_per_draft_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let state = test_state(dir.path());
        let batch = || Arc::new(UploadBatch::new(Vec::new(), |_| {}));
        assert!(state.start("new-review:1", batch()));
        assert!(!state.start("new-review:1", batch()));
        assert!(state.cancel("new-review:1", None));
        state.finish("new-review:1");
        assert!(!state.cancel("new-review:1", None));
        assert!(state.start("new-review:1", batch()));
    }

    #[test]
    fn drafts_round_trip_and_name_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let state = test_state(dir.path());
        let doc = serde_json::json!({"fields": {"author": "Ana", "rating": 4}});
        let gone = dir
            .path()
            .join("IMG_2231.jpg")
            .to_string_lossy()
            .into_owned();
        let d = state
            .with_store(|s| s.save_draft("shop", "new-review:1", &doc, std::slice::from_ref(&gone)))
            .unwrap();
        let s = summary(&d);
        assert_eq!(s.author, "Ana");
        assert_eq!(s.missing, ["IMG_2231.jpg was moved or deleted"]);
        assert!(!s.interrupted);
        assert!(is_composer_draft(&s.id));
    }
}
