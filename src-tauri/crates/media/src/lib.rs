//! Media for new reviews: file checks by magic bytes and limits, thumbnails, streaming uploads
//! with progress, cancel and retry, and an exactly-once review create.
//!
//! Why a library: the Tauri commands stay a few lines (paths in, progress out over a channel)
//! and everything here runs in `cargo test` without a window, against the sandbox.
//!
//! Flow for a Tauri command:
//! 1. [`check::check_files`] on the dropped paths → accepted [`CheckedFile`]s + [`Rejection`]s
//!    with merchant-readable messages.
//! 2. [`thumb::preview`] for each accepted file → a cached JPEG thumbnail path or a tile.
//! 3. An [`UploadBatch`] of the accepted files with a progress callback that forwards
//!    [`ProgressEvent`]s to a `tauri::ipc::Channel`; [`Uploader::upload_all`] uploads it,
//!    [`UploadBatch::cancel_file`]/[`UploadBatch::cancel_all`] cancel, and
//!    [`Uploader::upload_one`] retries a file with fresh credentials.
//! 4. [`media_for_review`] → `create_review`'s `media` array, then [`create_review_once`].

#![warn(missing_docs)]

#[cfg(any(test, feature = "testing"))]
pub mod bench;
pub mod check;
pub mod compose;
pub mod create;
pub mod error;
pub mod progress;
pub mod samples;
pub mod service;
pub mod thumb;
pub mod upload;

pub use check::{CheckedFile, MediaLimits, MediaType, Selection};
pub use compose::{
    submit, ComposerForm, DraftDoc, FieldError, Submission, SubmitError, SubmitOptions, Submitted,
};
pub use create::{create_review_once, CreateOutcome, IdempotencyKey, ReviewApi};
pub use error::{CreateError, Rejection, ThumbnailError, UploadError};
pub use progress::{FileState, ProgressEvent, ProgressTracker};
pub use thumb::{Preview, ThumbnailConfig};
pub use upload::{
    media_for_review, MediaStore, UploadBatch, UploadConfig, UploadedMedia, Uploader,
};
