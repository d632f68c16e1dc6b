//! The review composer's model: the form the merchant fills in, its validation with Trustoo's
//! documented limits, and the submission that uploads the attachments and creates the review
//! exactly once — resumable after a crash from what was persisted in the draft.
//!
//! Why here and not in the Tauri layer: every rule (limits, which files still need uploading,
//! when the create may have been sent) runs in `cargo test` against the sandbox, and the Tauri
//! command only wires the draft store and a progress channel to [`submit`].
//!
//! Persistence contract: [`submit`] calls `persist` with the [`Submission`] after every file
//! that reached the storage and right *before* the create request leaves. A process killed at
//! any point therefore leaves a draft that says which files are already up (they are not sent
//! again) and whether a create may have been sent (then the resumed run looks the review up
//! before sending — see [`crate::create`]).

use std::path::Path;

use reviewdesk_core::MediaKind;
use reviewdesk_trustoo::{NewReply, NewReview};
use serde::{Deserialize, Serialize};

use crate::check::CheckedFile;
use crate::create::{create_review_once_with, CreateOnceConfig, IdempotencyKey, ReviewApi};
use crate::error::{CreateError, UploadError};
use crate::upload::{media_for_review, MediaStore, UploadBatch, UploadedMedia, Uploader};

/// Documented limit of `author` (characters).
pub const MAX_AUTHOR: usize = 120;
/// Documented limit of `title` (characters).
pub const MAX_TITLE: usize = 300;
/// Documented limit of `content` (characters).
pub const MAX_CONTENT: usize = 10_000;
/// Documented limit of photos per review.
pub const MAX_IMAGES: usize = 10;
/// Documented limit of videos per review.
pub const MAX_VIDEOS: usize = 1;

/// The composer's fields, exactly as the UI holds them, saved in the draft.
///
/// Why strings everywhere: a half-typed form must round-trip through the draft unchanged;
/// conversion to the wire type happens once, in [`to_new_review`], after [`validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct ComposerForm {
    /// Product id; `"0"` for a store review; empty while none is chosen.
    pub product_id: String,
    /// Product title (display only, so a resumed draft shows the choice without a lookup).
    pub product_title: String,
    /// 1–5; 0 while not chosen.
    pub rating: u8,
    /// Reviewer name (required, ≤ 120).
    pub author: String,
    /// Reviewer email (optional).
    pub email: String,
    /// Country code, e.g. `US` (optional).
    pub country: String,
    /// Title (≤ 300).
    pub title: String,
    /// Body (≤ 10 000).
    pub content: String,
    /// Review date `YYYY-MM-DD` (optional; empty = now).
    pub date: String,
    /// Where the review came from (`Shop`, `AliExpress`, `Email request`, …: Trustoo's documented sources; optional).
    pub source: String,
    /// Verified purchase.
    pub verified: bool,
    /// Featured.
    pub featured: bool,
    /// Published on the storefront.
    pub published: bool,
    /// Pinned to the top.
    pub pinned: bool,
    /// Optional merchant reply.
    pub reply: String,
}

impl Default for ComposerForm {
    fn default() -> Self {
        Self {
            product_id: String::new(),
            product_title: String::new(),
            rating: 5,
            author: String::new(),
            email: String::new(),
            country: String::new(),
            title: String::new(),
            content: String::new(),
            date: String::new(),
            source: String::new(),
            verified: false,
            featured: false,
            // Trustoo's own default is published.
            published: true,
            pinned: false,
            reply: String::new(),
        }
    }
}

/// One invalid field and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FieldError {
    /// Field name as in [`ComposerForm`]'s JSON (`author`, `title`, …) or `attachments`.
    pub field: String,
    /// A sentence for the merchant.
    pub message: String,
}

fn field(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// Checks the form and the attachment counts against the documented limits. Empty = valid.
///
/// Lengths count characters (Unicode scalar values), the way the limits read to a merchant.
pub fn validate(form: &ComposerForm, images: usize, videos: usize) -> Vec<FieldError> {
    let mut out = Vec::new();
    let len = |s: &str| s.chars().count();
    if form.product_id.trim().is_empty() {
        out.push(field(
            "product_id",
            "Choose a product, or \"Store review\" for a review of the shop",
        ));
    }
    if !(1..=5).contains(&form.rating) {
        out.push(field("rating", "Choose a rating from 1 to 5 stars"));
    }
    if form.author.trim().is_empty() {
        out.push(field("author", "Enter the reviewer's name"));
    } else if len(&form.author) > MAX_AUTHOR {
        out.push(field(
            "author",
            format!(
                "The name is {} characters; shorten it to {MAX_AUTHOR}",
                len(&form.author)
            ),
        ));
    }
    let email = form.email.trim();
    if !email.is_empty() {
        let ok = email
            .split_once('@')
            .is_some_and(|(a, d)| !a.is_empty() && d.contains('.') && !d.starts_with('.'))
            && !email.contains(char::is_whitespace);
        if !ok {
            out.push(field(
                "email",
                "Enter an email like name@example.com, or leave it empty",
            ));
        }
    }
    let country = form.country.trim();
    let two_letters = country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic());
    if !country.is_empty() && !two_letters {
        out.push(field(
            "country",
            "Use a two-letter country code like US or DE, or leave it empty",
        ));
    }
    if len(&form.title) > MAX_TITLE {
        out.push(field(
            "title",
            format!(
                "The title is {} characters; shorten it to {MAX_TITLE}",
                len(&form.title)
            ),
        ));
    }
    if len(&form.content) > MAX_CONTENT {
        out.push(field(
            "content",
            format!(
                "The review is {} characters; shorten it to {MAX_CONTENT}",
                len(&form.content)
            ),
        ));
    }
    if !form.date.trim().is_empty()
        && reviewdesk_trustoo::wire::parse_timestamp(form.date.trim()).is_none()
    {
        out.push(field(
            "date",
            "Enter the date as YYYY-MM-DD, or leave it empty",
        ));
    }
    if images > MAX_IMAGES {
        out.push(field(
            "attachments",
            format!(
                "A review can have at most {MAX_IMAGES} photos; remove {}",
                images - MAX_IMAGES
            ),
        ));
    }
    if videos > MAX_VIDEOS {
        out.push(field(
            "attachments",
            format!(
                "A review can have at most {MAX_VIDEOS} video; remove {}",
                videos - MAX_VIDEOS
            ),
        ));
    }
    out
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The `create_review` body for a validated form, its uploaded media (in attachment order) and
/// the pinned `commented_at` (unix seconds).
pub fn to_new_review(form: &ComposerForm, media: &[UploadedMedia], commented_at: i64) -> NewReview {
    let mut r = NewReview::new(form.product_id.trim(), form.rating, form.author.trim())
        .commented_at_unix(commented_at);
    r.author_email = opt(&form.email);
    r.author_country = opt(&form.country).map(|c| c.to_ascii_uppercase());
    r.title = opt(&form.title);
    r.content = opt(&form.content);
    r.source = opt(&form.source);
    r.is_verified = Some(form.verified);
    r.is_featured = Some(form.featured);
    r.is_published = Some(form.published);
    r.is_top = Some(form.pinned);
    r.media = (!media.is_empty()).then(|| media_for_review(media));
    r.reply = opt(&form.reply).map(|content| NewReply {
        content,
        reply_at: None,
    });
    r
}

/// A file of the draft that is already on the storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedRecord {
    /// The local path it came from.
    pub path: String,
    /// Its size then (a changed file is uploaded again).
    pub size: u64,
    /// Photo or video.
    pub kind: MediaKind,
    /// Public URL.
    pub url: String,
    /// Thumbnail URL (may be empty for videos).
    pub thumbnail_url: String,
}

/// What a submission has achieved so far; saved in the draft next to the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Submission {
    /// Files already on the storage.
    pub uploaded: Vec<UploadedRecord>,
    /// `commented_at` pinned for every create attempt (unix seconds).
    pub commented_at: Option<i64>,
    /// A create request may have left (set before sending; cleared when provably not created).
    pub create_started: bool,
    /// The created review, once known.
    pub review_id: Option<String>,
}

impl Submission {
    /// The record of `file` if it was uploaded and has not changed size since.
    pub fn uploaded_for(&self, file: &CheckedFile) -> Option<&UploadedRecord> {
        let path = file.path.to_string_lossy();
        self.uploaded
            .iter()
            .find(|r| r.path == path && r.size == file.size)
    }
}

/// What a composer draft's `form` JSON holds in the store: the fields and the submission.
///
/// Why one document: the store keeps a draft as (form JSON, attachment paths); putting the
/// submission next to the fields lets a resumed draft know which files are up and whether a
/// create may have been sent, in the same atomic save.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DraftDoc {
    /// The form.
    pub fields: ComposerForm,
    /// Progress of the submission.
    pub submission: Submission,
}

impl DraftDoc {
    /// Reads a stored draft's JSON; anything unreadable becomes an empty form rather than an
    /// error, so one odd draft never blocks the composer.
    pub fn from_json(v: &serde_json::Value) -> Self {
        let mut v = v.clone();
        // Drafts saved while the form's JSON was camelCase spell its two-word fields so.
        if let Some(fields) = v.get_mut("fields").and_then(|f| f.as_object_mut()) {
            for (old, new) in [
                ("productId", "product_id"),
                ("productTitle", "product_title"),
            ] {
                if let Some(value) = fields.remove(old) {
                    fields.entry(new).or_insert(value);
                }
            }
        }
        serde_json::from_value(v).unwrap_or_default()
    }

    /// The JSON to store.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// Why a submission stopped.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The form is not valid; nothing was uploaded.
    #[error("Some fields need attention")]
    Invalid(Vec<FieldError>),
    /// Some files did not reach the storage (the others are recorded and will not be sent
    /// again); retry them or remove them.
    #[error("{} file(s) could not be uploaded", .0.len())]
    Upload(Vec<(usize, UploadError)>),
    /// The create failed.
    #[error(transparent)]
    Create(#[from] CreateError),
}

/// A finished submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Submitted {
    /// The review's id.
    pub review_id: String,
    /// True when a review from an earlier (interrupted) attempt was found instead of sending.
    pub found_existing: bool,
    /// Files uploaded in this run (the others were already up).
    pub uploaded_now: usize,
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// How [`submit`] names and bounds its create.
#[derive(Debug, Clone, Copy)]
pub struct SubmitOptions<'a> {
    /// Names the draft in logs (e.g. the draft id).
    pub key: &'a str,
    /// Bounds of the exactly-once create.
    pub create: CreateOnceConfig,
}

/// Validates, uploads the batch's files that are not up yet, then creates the review once.
///
/// `sub` is the draft's saved [`Submission`] (default for a fresh draft); `persist` is called
/// whenever it changes (see the module docs). The same call
/// serves the first attempt, a retry after failures and a resume after a crash.
pub async fn submit<S: MediaStore, A: ReviewApi>(
    uploader: &Uploader<S>,
    api: &A,
    batch: &UploadBatch,
    form: &ComposerForm,
    sub: &mut Submission,
    options: &SubmitOptions<'_>,
    persist: &mut (dyn FnMut(&Submission) + Send),
) -> Result<Submitted, SubmitError> {
    if let Some(id) = &sub.review_id {
        return Ok(Submitted {
            review_id: id.clone(),
            found_existing: true,
            uploaded_now: 0,
        });
    }
    let images = batch
        .files()
        .iter()
        .filter(|f| f.kind() == MediaKind::Image)
        .count();
    let errors = validate(form, images, batch.files().len() - images);
    if !errors.is_empty() {
        return Err(SubmitError::Invalid(errors));
    }

    // Forget uploads of files no longer attached (removed, or changed on disk).
    let before = sub.uploaded.len();
    sub.uploaded.retain(|r| {
        batch
            .files()
            .iter()
            .any(|f| f.path.to_string_lossy() == r.path && f.size == r.size)
    });
    if sub.uploaded.len() != before {
        persist(sub);
    }

    let mut todo = Vec::new();
    for (i, f) in batch.files().iter().enumerate() {
        if sub.uploaded_for(f).is_some() {
            batch.mark_uploaded(i);
        } else {
            todo.push(i);
        }
    }
    let mut uploaded_now = 0;
    let results = {
        let files = batch.files();
        let (sub, persist, uploaded_now) = (&mut *sub, &mut *persist, &mut uploaded_now);
        // Saved as each file lands, before the next starts: a crash loses at most the file
        // in flight.
        let on_result = move |i: usize, r: &Result<UploadedMedia, UploadError>| {
            if let (Ok(m), Some(f)) = (r, files.get(i)) {
                sub.uploaded.push(UploadedRecord {
                    path: f.path.to_string_lossy().into_owned(),
                    size: f.size,
                    kind: m.kind,
                    url: m.url.clone(),
                    thumbnail_url: m.thumbnail_url.clone(),
                });
                *uploaded_now += 1;
                persist(sub);
            }
        };
        uploader.upload_some(batch, &todo, on_result).await
    };
    let failures: Vec<(usize, UploadError)> = results
        .into_iter()
        .filter_map(|(i, r)| r.err().map(|e| (i, e)))
        .collect();
    if !failures.is_empty() {
        return Err(SubmitError::Upload(failures));
    }

    // Media in attachment order.
    let media: Vec<UploadedMedia> = batch
        .files()
        .iter()
        .enumerate()
        .filter_map(|(index, f)| {
            sub.uploaded_for(f).map(|r| UploadedMedia {
                index,
                name: f.name.clone(),
                kind: r.kind,
                url: r.url.clone(),
                thumbnail_url: r.thumbnail_url.clone(),
            })
        })
        .collect();
    let commented_at = match sub.commented_at {
        Some(t) => t,
        None => {
            let t = reviewdesk_trustoo::wire::parse_timestamp(form.date.trim())
                .unwrap_or_else(unix_now);
            sub.commented_at = Some(t);
            t
        }
    };
    let request = to_new_review(form, &media, commented_at);
    // A create may have left in an earlier run (the process died before its answer was
    // saved): then look the review up before sending again, never send blindly.
    let idem = if sub.create_started {
        IdempotencyKey::resumed(options.key)
    } else {
        IdempotencyKey::new(options.key)
    };
    sub.create_started = true;
    persist(sub);
    match create_review_once_with(api, &request, &idem, &options.create).await {
        Ok(out) => {
            sub.review_id = Some(out.id.as_str().to_owned());
            persist(sub);
            Ok(Submitted {
                review_id: out.id.as_str().to_owned(),
                found_existing: out.found_existing,
                uploaded_now,
            })
        }
        Err(e) => {
            if matches!(e, CreateError::NotCreated(_)) {
                sub.create_started = false;
                persist(sub);
            }
            Err(SubmitError::Create(e))
        }
    }
}

/// Names of attached paths that no longer exist (for "IMG_2231.jpg was moved or deleted").
pub fn missing_files(paths: &[String]) -> Vec<String> {
    paths
        .iter()
        .filter(|p| !Path::new(p).is_file())
        .map(|p| crate::check::display_name(Path::new(p)))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn valid() -> ComposerForm {
        ComposerForm {
            product_id: "0".into(),
            rating: 4,
            author: "Ana".into(),
            ..ComposerForm::default()
        }
    }

    #[test]
    fn a_minimal_form_is_valid() {
        assert_eq!(validate(&valid(), 10, 1), vec![]);
    }

    #[test]
    fn documented_limits_are_enforced_at_the_boundary() {
        let mut f = valid();
        f.author = "a".repeat(MAX_AUTHOR);
        f.title = "t".repeat(MAX_TITLE);
        f.content = "é".repeat(MAX_CONTENT);
        assert!(validate(&f, 0, 0).is_empty());
        f.author.push('a');
        f.title.push('t');
        f.content.push('é');
        f.rating = 6;
        let fields: Vec<String> = validate(&f, 11, 2).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "rating",
                "author",
                "title",
                "content",
                "attachments",
                "attachments"
            ]
        );
        f = valid();
        f.rating = 0;
        f.product_id.clear();
        f.author = "  ".into();
        f.email = "nope".into();
        f.country = "USA".into();
        f.date = "yesterday".into();
        let fields: Vec<String> = validate(&f, 0, 0).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["product_id", "rating", "author", "email", "country", "date"]
        );
    }

    #[test]
    fn the_wire_body_carries_every_field_and_media_in_order() {
        let mut f = valid();
        f.product_id = "7001".into();
        f.email = " a@b.co ".into();
        f.country = "de".into();
        f.title = "Great".into();
        f.content = "Lovely".into();
        f.source = "Email request".into();
        f.verified = true;
        f.pinned = true;
        f.reply = "Thanks!".into();
        let media = vec![
            UploadedMedia {
                index: 1,
                name: "b.mp4".into(),
                kind: MediaKind::Video,
                url: "https://v/b.mp4".into(),
                thumbnail_url: String::new(),
            },
            UploadedMedia {
                index: 0,
                name: "a.jpg".into(),
                kind: MediaKind::Image,
                url: "https://i/a.jpg".into(),
                thumbnail_url: "https://i/a.jpg?s".into(),
            },
        ];
        let body = serde_json::to_value(to_new_review(&f, &media, 1_750_000_000)).unwrap();
        assert_eq!(body["product_id"], "7001");
        assert_eq!(body["author_email"], "a@b.co");
        assert_eq!(body["author_country"], "DE");
        assert_eq!(body["commented_at"], "2025-06-15 15:06:40");
        assert_eq!(body["is_verified"], 1);
        assert_eq!(body["is_top"], 1);
        assert_eq!(body["is_featured"], 0);
        assert_eq!(body["is_published"], 1);
        assert_eq!(body["reply"]["content"], "Thanks!");
        assert_eq!(body["media"][0]["url"], "https://i/a.jpg");
        assert_eq!(body["media"][0]["type"], 1);
        assert_eq!(body["media"][1]["url"], "https://v/b.mp4");
        assert_eq!(body["media"][1]["type"], 2);
    }

    #[test]
    fn a_half_typed_form_round_trips_through_json() {
        let v = serde_json::json!({"author": "Bo", "rating": 3, "unknownLater": true});
        let f: ComposerForm = serde_json::from_value(v).unwrap();
        assert_eq!((f.author.as_str(), f.rating, f.published), ("Bo", 3, true));
        let back: ComposerForm = serde_json::from_value(serde_json::to_value(&f).unwrap()).unwrap();
        assert_eq!(back, f);
    }

    #[test]
    fn the_form_is_snake_case_and_drafts_saved_in_camel_case_still_read() {
        let mut f = valid();
        f.product_id = "7001".into();
        f.product_title = "Mug".into();
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["product_id"], "7001");
        assert_eq!(v["product_title"], "Mug");
        assert!(v.get("productId").is_none(), "{v}");
        let stored = serde_json::json!({
            "fields": {"productId": "7001", "productTitle": "Mug", "author": "Bo"},
            "submission": {"createStarted": true}
        });
        let doc = DraftDoc::from_json(&stored);
        assert_eq!(doc.fields.product_id, "7001");
        assert_eq!(doc.fields.product_title, "Mug");
        assert_eq!(doc.fields.author, "Bo");
        assert!(doc.submission.create_started);
    }

    #[test]
    fn missing_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let here = dir.path().join("here.jpg");
        std::fs::write(&here, b"x").unwrap();
        let gone = dir.path().join("IMG_2231.jpg");
        let paths = vec![
            here.to_string_lossy().into_owned(),
            gone.to_string_lossy().into_owned(),
        ];
        assert_eq!(missing_files(&paths), vec!["IMG_2231.jpg".to_owned()]);
    }
}
