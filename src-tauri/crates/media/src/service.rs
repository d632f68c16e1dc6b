//! The review composer as a service the app holds: drafts in the local store, file checks and
//! thumbnails for dropped paths, the product picker, publishing (uploads with progress, then the
//! review created once) and cancelling a running upload from another call.
//!
//! Why here and not in the app crate: these are the composer's rules (one publish per draft at
//! a time, progress saved in the draft, finished files never sent again, what a failure tells
//! the merchant); the app's commands only hand over what the window sent and map the error.

use reviewdesk_core::AccountKey;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine as _;
use reviewdesk_core::{MediaKind, ProductId};
use reviewdesk_store::{Store, StoreError};
use reviewdesk_trustoo::{ReviewQuery, SortOrder, TrustooClient};
use serde::Serialize;

use crate::check::{check_files, CheckedFile};
use crate::compose::{
    missing_files, submit, ComposerForm, DraftDoc, FieldError, Submission, SubmitError,
    SubmitOptions,
};
use crate::create::CreateOnceConfig;
use crate::thumb::{preview, Preview, ThumbnailConfig};
use crate::{
    CreateError, MediaLimits, ProgressEvent, UploadBatch, UploadConfig, UploadError, Uploader,
};

/// The store the composer keeps drafts in (the app shares it with the inbox).
pub type SharedStore = Arc<Mutex<Store>>;

/// Thumbnails shown in the composer are at most this many pixels on a side: small enough that
/// a data URL of eleven of them is a few hundred KB over IPC, never the original bytes.
pub const THUMB_BOX: u32 = 240;

/// One attached file as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Attachment {
    /// The local path (what the draft stores and the upload reads).
    pub path: String,
    /// File name.
    pub name: String,
    /// Size in bytes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Refusal {
    /// File name (empty for a count limit).
    pub name: String,
    /// The sentence to show ("report.pdf is not an image or video").
    pub message: String,
}

/// Result of checking dropped or picked paths.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CheckResult {
    /// Accepted files, in drop order.
    pub accepted: Vec<Attachment>,
    /// Refused files with reasons.
    pub refused: Vec<Refusal>,
}

/// A draft in the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
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
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub updated_at: i64,
}

/// A draft opened in the composer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DraftView {
    /// Draft id.
    pub id: String,
    /// The form fields.
    pub fields: ComposerForm,
    /// Attached files still present, checked again, with thumbnails.
    pub attachments: Vec<Attachment>,
    /// Sentences about attached files that are gone or no longer acceptable.
    pub problems: Vec<String>,
    /// Files of this draft already on the storage (by path): not uploaded again.
    pub uploaded: Vec<String>,
}

/// A product the composer can attach a review to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ProductChoice {
    /// Product id.
    pub id: String,
    /// Title.
    pub title: String,
}

/// One file that did not reach the storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PublishOutcome {
    /// The review exists (now, or from an interrupted earlier attempt).
    Created {
        /// Its id.
        review_id: String,
        /// True when an earlier attempt had already created it.
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

/// Why a composer call failed (fixable form problems are [`PublishOutcome`]s, not errors).
#[derive(Debug, thiserror::Error)]
pub enum ComposerError {
    /// The draft is not there (any more).
    #[error("{0}")]
    NotFound(&'static str),
    /// The request cannot be taken as it is (not a draft id, an unreadable form, a second
    /// publish of the same draft).
    #[error("{0}")]
    Invalid(&'static str),
    /// The local store failed.
    #[error("the draft store failed: {0}")]
    Store(#[from] StoreError),
    /// Trustoo failed (the product listing).
    #[error(transparent)]
    Api(#[from] reviewdesk_trustoo::Error),
    /// The review could not be created (or it is unknown whether it was).
    #[error(transparent)]
    Create(CreateError),
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The composer of one account: its drafts, checks, publishing and running uploads.
pub struct Composer {
    store: SharedStore,
    /// Whose drafts these are (every draft read and write is this account's).
    account: AccountKey,
    thumbs: PathBuf,
    limits: MediaLimits,
    running: Mutex<HashMap<String, Arc<UploadBatch>>>,
}

impl Composer {
    /// The composer of `account` over `store` (drafts live beside the reviews) with thumbnails
    /// cached under `cache_dir`.
    pub fn new(store: SharedStore, account: AccountKey, cache_dir: &Path) -> Self {
        Self {
            store,
            account,
            thumbs: cache_dir.join("thumbnails"),
            limits: MediaLimits::default(),
            running: Mutex::new(HashMap::new()),
        }
    }

    fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> reviewdesk_store::Result<T>,
    ) -> Result<T, ComposerError> {
        Ok(f(&mut lock(&self.store))?)
    }

    /// The account whose drafts this composer keeps.
    pub fn account(&self) -> &AccountKey {
        &self.account
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

    /// Saves the form `fields` (the UI's JSON) and the attached paths as draft `id` (called on
    /// every change); the submission progress already saved with it is kept.
    pub fn save_draft(
        &self,
        id: &str,
        fields: serde_json::Value,
        attachments: &[String],
    ) -> Result<DraftSummary, ComposerError> {
        if !is_composer_draft(id) {
            return Err(ComposerError::Invalid("Not a review draft id."));
        }
        let fields: ComposerForm = serde_json::from_value(fields).map_err(|_| {
            ComposerError::Invalid("The form could not be read; nothing was saved.")
        })?;
        let d = self.with_store(|s| {
            let submission = s
                .load_draft(&self.account, id)?
                .map(|d| DraftDoc::from_json(&d.form).submission)
                .unwrap_or_default();
            let doc = DraftDoc { fields, submission };
            s.save_draft(&self.account, id, &doc.to_json(), attachments)
        })?;
        Ok(summary(&d))
    }

    /// The account's review drafts, most recent first, with files that went missing.
    pub fn list_drafts(&self) -> Result<Vec<DraftSummary>, ComposerError> {
        let drafts = self.with_store(|s| s.list_drafts(&self.account))?;
        Ok(drafts
            .iter()
            .filter(|d| is_composer_draft(&d.id))
            .map(summary)
            .collect())
    }

    /// Draft `id`: its fields, its files checked again (with thumbnails) and sentences about
    /// files that were moved, deleted or changed.
    pub async fn load_draft(&self, id: &str) -> Result<DraftView, ComposerError> {
        let d = self
            .with_store(|s| s.load_draft(&self.account, id))?
            .ok_or(ComposerError::NotFound("This draft no longer exists."))?;
        let doc = DraftDoc::from_json(&d.form);
        let checked = self.check(&[], &d.attachments).await;
        Ok(DraftView {
            id: d.id,
            fields: doc.fields,
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

    /// Deletes draft `id`, cancelling its upload (its local files are the merchant's).
    pub fn discard_draft(&self, id: &str) -> Result<bool, ComposerError> {
        self.cancel(id, None);
        self.with_store(|s| s.discard_draft(&self.account, id))
    }

    /// Products of the shop for the picker. Trustoo has no product listing, so they are
    /// collected from the shop's newest reviews (up to 300); the store review is the UI's fixed
    /// first entry.
    pub async fn products(client: &TrustooClient) -> Result<Vec<ProductChoice>, ComposerError> {
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

    /// Uploads draft `id`'s files that are not up yet (progress per file and in total to
    /// `on_progress`), then creates the review once and removes the draft. Publishing again
    /// after a failure or a restart continues where it stopped: finished files are not
    /// uploaded again, and a create that may have been sent is looked up before sending again.
    pub async fn publish(
        &self,
        id: &str,
        client: &TrustooClient,
        on_progress: impl Fn(ProgressEvent) + Send + Sync + 'static,
    ) -> Result<PublishOutcome, ComposerError> {
        let draft = self
            .with_store(|s| s.load_draft(&self.account, id))?
            .ok_or(ComposerError::NotFound("Save the draft before publishing."))?;
        let mut doc = DraftDoc::from_json(&draft.form);
        let sel = check_files(
            Vec::new(),
            draft.attachments.iter().map(PathBuf::from).collect(),
            self.limits,
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
        let batch = Arc::new(UploadBatch::new(sel.accepted, on_progress));
        if !self.start(id, batch.clone()) {
            return Err(ComposerError::Invalid(
                "This review is already being published; wait for it to finish or cancel it.",
            ));
        }
        let uploader = Uploader::new(client.clone(), UploadConfig::default());
        let fields = doc.fields.clone();
        let attachments = draft.attachments.clone();
        let mut sub: Submission = doc.submission.clone();
        let mut persist = |s: &Submission| {
            doc.submission = s.clone();
            if let Err(err) =
                self.with_store(|st| st.save_draft(&self.account, id, &doc.to_json(), &attachments))
            {
                tracing::error!(%err, "could not save upload progress in the draft");
            }
        };
        let result = submit(
            &uploader,
            client,
            &batch,
            &fields,
            &mut sub,
            &SubmitOptions {
                key: id,
                create: CreateOnceConfig::default(),
            },
            &mut persist,
        )
        .await;
        self.finish(id);
        match result {
            Ok(done) => {
                self.with_store(|s| s.discard_draft(&self.account, id))?;
                Ok(PublishOutcome::Created {
                    review_id: done.review_id,
                    found_existing: done.found_existing,
                })
            }
            Err(SubmitError::Invalid(errors)) => Ok(PublishOutcome::Invalid { errors }),
            Err(SubmitError::Upload(files)) => Ok(PublishOutcome::UploadFailed {
                files: files.iter().map(|(i, e)| failure(*i, e)).collect(),
            }),
            Err(SubmitError::Create(e)) => Err(ComposerError::Create(e)),
        }
    }
}

fn rejection_name(r: &crate::Rejection) -> String {
    use crate::Rejection as R;
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
    fn test_state(dir: &Path) -> Composer {
        let store = Store::open(dir.join("test.db")).unwrap();
        Composer::new(
            Arc::new(Mutex::new(store)),
            AccountKey::trustoo("shop"),
            dir,
        )
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
            .with_store(|s| {
                s.save_draft(
                    state.account(),
                    "new-review:1",
                    &doc,
                    std::slice::from_ref(&gone),
                )
            })
            .unwrap();
        let s = summary(&d);
        assert_eq!(s.author, "Ana");
        assert_eq!(s.missing, ["IMG_2231.jpg was moved or deleted"]);
        assert!(!s.interrupted);
        assert!(is_composer_draft(&s.id));
    }
}
