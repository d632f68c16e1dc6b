//! Upload orchestration: fresh credentials per file, streamed from disk, progress per file and
//! in total, cancel per file or for all, retry with fresh credentials.
//!
//! Why here and not in the client: the client (`reviewdesk-trustoo`) knows the wire (policy
//! POST with `file` last and an exact length; presigned PUT with exact `Content-Length`); this
//! module owns the merchant's batch: order, refresh of an expired policy (once), mapping
//! failures to messages that name the file, and the 100 %-only-after-the-answer rule.
//!
//! Memory: the client streams each file in 64 KiB chunks; nothing here buffers file content,
//! so memory stays flat however large the file is.

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use reviewdesk_core::MediaKind;
use reviewdesk_trustoo::{
    Error, ImageUploadPolicy, NewMedia, NewMediaItem, TrustooClient, UploadProgress, UploadedImage,
    VideoUploadTarget,
};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::check::CheckedFile;
use crate::error::UploadError;
use crate::progress::{ProgressEvent, ProgressTracker};

/// Called with the bytes of the current file handed to the network so far.
pub type SentFn = Arc<dyn Fn(u64) + Send + Sync>;

/// Called with each progress event (the Tauri layer forwards it to a `Channel`).
pub type ProgressSink = Arc<dyn Fn(ProgressEvent) + Send + Sync>;

/// The four storage operations the uploader needs.
///
/// Why a trait: [`TrustooClient`] implements it for real; unit tests use a fake to prove the
/// orchestration rules (one refresh of an expired policy, fresh credentials per retry) without
/// a server.
pub trait MediaStore: Send + Sync {
    /// Fresh image POST policy (`get_image_upload_policy_token`).
    fn image_policy(&self) -> impl Future<Output = Result<ImageUploadPolicy, Error>> + Send;
    /// POSTs one image under `policy.dir + key_name`, streamed from `path` with exactly `len`
    /// bytes; `sent` is called as bytes go out.
    fn upload_image(
        &self,
        policy: &ImageUploadPolicy,
        key_name: &str,
        path: &Path,
        len: u64,
        sent: SentFn,
    ) -> impl Future<Output = Result<UploadedImage, Error>> + Send;
    /// Presigned PUT for one video (`get_video_upload_url`).
    fn video_target(
        &self,
        file_name: &str,
        len: u64,
    ) -> impl Future<Output = Result<VideoUploadTarget, Error>> + Send;
    /// PUTs one video with exact `Content-Length` and the signed `Content-Type`.
    fn upload_video(
        &self,
        target: &VideoUploadTarget,
        path: &Path,
        len: u64,
        content_type: &str,
        sent: SentFn,
    ) -> impl Future<Output = Result<(), Error>> + Send;
}

impl MediaStore for TrustooClient {
    async fn image_policy(&self) -> Result<ImageUploadPolicy, Error> {
        TrustooClient::image_upload_policy(self).await
    }

    async fn upload_image(
        &self,
        policy: &ImageUploadPolicy,
        key_name: &str,
        path: &Path,
        len: u64,
        sent: SentFn,
    ) -> Result<UploadedImage, Error> {
        TrustooClient::upload_image(
            self,
            policy,
            key_name,
            path,
            len,
            move |p: UploadProgress| sent(p.sent),
        )
        .await
    }

    async fn video_target(&self, file_name: &str, len: u64) -> Result<VideoUploadTarget, Error> {
        self.video_upload_url(file_name, len).await
    }

    async fn upload_video(
        &self,
        target: &VideoUploadTarget,
        path: &Path,
        len: u64,
        content_type: &str,
        sent: SentFn,
    ) -> Result<(), Error> {
        TrustooClient::upload_video(
            self,
            &target.upload_url,
            path,
            len,
            content_type,
            move |p: UploadProgress| sent(p.sent),
        )
        .await
    }
}

/// Uploader settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadConfig {
    /// Appended to an image URL to form its `thumbnail_url`.
    ///
    /// Default `?x-oss-process=style/trustoo_small`: Trustoo's own create-review example uses
    /// OSS image styles (`trustoo_big`/`trustoo_small`) on `img.trustoo.io`, so the storefront
    /// gets a server-made small image. The sandbox serves objects by path and ignores the
    /// query, so the same URL works there. Set it to `""` to use the image URL itself.
    pub image_thumbnail_suffix: String,
}

impl Default for UploadConfig {
    fn default() -> Self {
        Self {
            image_thumbnail_suffix: "?x-oss-process=style/trustoo_small".into(),
        }
    }
}

/// One uploaded attachment, ready for `create_review`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadedMedia {
    /// Index in the batch.
    pub index: usize,
    /// File name (for the UI).
    pub name: String,
    /// Photo or video.
    pub kind: MediaKind,
    /// Public URL of the object.
    pub url: String,
    /// Preview URL: the image URL + [`UploadConfig::image_thumbnail_suffix`]; empty for videos
    /// (no frame is extracted locally, and Trustoo's video URL call returns no thumbnail).
    pub thumbnail_url: String,
}

impl UploadedMedia {
    /// The newer documented `media` item `{url, thumbnail_url, type: 1|2, is_published: 1}`.
    pub fn to_media_item(&self) -> NewMediaItem {
        NewMediaItem {
            url: self.url.clone(),
            thumbnail_url: self.thumbnail_url.clone(),
            kind: self.kind,
            is_published: true,
        }
    }
}

/// `create_review`'s `media` array for uploaded attachments, in batch order.
pub fn media_for_review(uploaded: &[UploadedMedia]) -> NewMedia {
    let mut v: Vec<&UploadedMedia> = uploaded.iter().collect();
    v.sort_by_key(|m| m.index);
    NewMedia::Items(v.into_iter().map(UploadedMedia::to_media_item).collect())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The files of one review being uploaded, with their cancel switches and progress.
///
/// Why one object: the Tauri layer keeps it (in an `Arc`) in its state so a "cancel" or
/// "retry" command can reach the batch another command is uploading; progress totals stay
/// right across retries because they share one tracker.
pub struct UploadBatch {
    files: Vec<CheckedFile>,
    all: Mutex<CancellationToken>,
    per_file: Mutex<Vec<CancellationToken>>,
    tracker: Arc<Mutex<ProgressTracker>>,
    sink: ProgressSink,
}

impl std::fmt::Debug for UploadBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadBatch")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl UploadBatch {
    /// A batch of checked files; `on_progress` receives every [`ProgressEvent`].
    pub fn new(
        files: Vec<CheckedFile>,
        on_progress: impl Fn(ProgressEvent) + Send + Sync + 'static,
    ) -> Self {
        let all = CancellationToken::new();
        let per_file = files.iter().map(|_| all.child_token()).collect();
        let tracker = ProgressTracker::new(files.iter().map(|f| (f.name.clone(), f.size)));
        Self {
            files,
            all: Mutex::new(all),
            per_file: Mutex::new(per_file),
            tracker: Arc::new(Mutex::new(tracker)),
            sink: Arc::new(on_progress),
        }
    }

    /// The files, in order.
    pub fn files(&self) -> &[CheckedFile] {
        &self.files
    }

    /// Cancels the running upload and every file not yet started.
    pub fn cancel_all(&self) {
        lock(&self.all).cancel();
    }

    /// Cancels file `index` (running or queued); others continue.
    pub fn cancel_file(&self, index: usize) {
        if let Some(t) = lock(&self.per_file).get(index) {
            t.cancel();
        }
    }

    /// Marks file `index` as already on the storage (uploaded by an earlier run of a resumed
    /// draft), so per-file and total progress count it in full.
    pub fn mark_uploaded(&self, index: usize) {
        self.track(|t| t.done(index));
    }

    /// A progress snapshot of file `index` (for a UI that reconnects).
    pub fn snapshot(&self, index: usize) -> Option<ProgressEvent> {
        lock(&self.tracker).snapshot(index)
    }

    fn emit(&self, ev: Option<ProgressEvent>) {
        if let Some(ev) = ev {
            (self.sink)(ev);
        }
    }

    fn track(&self, f: impl FnOnce(&mut ProgressTracker) -> Option<ProgressEvent>) {
        let ev = f(&mut lock(&self.tracker));
        self.emit(ev);
    }

    fn all_token(&self) -> CancellationToken {
        lock(&self.all).clone()
    }

    fn file_token(&self, index: usize) -> Option<CancellationToken> {
        lock(&self.per_file).get(index).cloned()
    }

    /// Fresh tokens for a retry of `index` (a cancel is an event, not a permanent state).
    fn rearm(&self, index: usize) -> Option<CancellationToken> {
        let mut all = lock(&self.all);
        if all.is_cancelled() {
            *all = CancellationToken::new();
        }
        let mut per = lock(&self.per_file);
        let slot = per.get_mut(index)?;
        // A token that is not cancelled is a child of the current `all`: `all` is only
        // replaced after it was cancelled, which cancelled all of its children too.
        if slot.is_cancelled() {
            *slot = all.child_token();
        }
        Some(slot.clone())
    }
}

/// Whether a storage error is the OSS "policy/URL expired" refusal (worth one refresh).
pub fn is_expired_credentials(e: &Error) -> bool {
    match e {
        Error::Storage {
            status: 403,
            code,
            message,
        } => {
            code.as_deref() == Some("AccessDenied")
                && message
                    .as_deref()
                    .is_some_and(|m| m.to_ascii_lowercase().contains("expired"))
        }
        _ => false,
    }
}

/// Maps a client error on file `name` to an [`UploadError`].
fn map_error(name: &str, e: Error) -> UploadError {
    let name = name.to_owned();
    match e {
        Error::File(io) if io.kind() == std::io::ErrorKind::NotFound => {
            UploadError::Missing { name }
        }
        Error::File(io) if io.kind() == std::io::ErrorKind::InvalidInput => {
            UploadError::Changed { name }
        }
        Error::Storage {
            status: 400,
            code: Some(code),
            ..
        } => UploadError::Refused { name, code },
        other => UploadError::Failed {
            name,
            source: other,
        },
    }
}

/// A storage key name: the file's stem (ASCII-safe, ≤ 40 chars) + a random suffix + the
/// extension, e.g. `IMG_2231-3f9c0a1b2c3d.jpg`.
///
/// Why: keys must be unique (two `IMG_0001.jpg` from two phones must not overwrite each
/// other), should stay recognisable in the storage, and keep the extension so the storage
/// serves the right type. The extension is the original one when it matches the content,
/// else the canonical one for the detected type (a PNG named `.jpg` is stored as `.png`).
pub fn unique_key_name(file: &CheckedFile) -> String {
    let path = Path::new(&file.name);
    let mut stem = String::new();
    for c in path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
    {
        let c = if c.is_ascii_alphanumeric() || c == '-' {
            c
        } else {
            '_'
        };
        // One `_` for any run of unsafe characters: `Été photo (1)` → `t_photo_1`.
        if !(c == '_' && stem.ends_with('_')) && stem.len() < 40 {
            stem.push(c);
        }
    }
    let stem = stem.trim_matches('_');
    let stem = if stem.is_empty() {
        match file.kind() {
            MediaKind::Image => "photo",
            MediaKind::Video => "video",
        }
    } else {
        stem
    };
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .filter(|e| file.media_type.accepts_extension(e))
        .unwrap_or_else(|| file.media_type.extension().to_owned());
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{stem}-{}.{ext}", &id[..12])
}

/// Uploads checked files to the storage, one after the other, in order.
///
/// Why sequential: one stream at a time keeps memory and bandwidth predictable and progress
/// easy to read; a review has at most 11 attachments.
#[derive(Debug, Clone)]
pub struct Uploader<S = TrustooClient> {
    store: S,
    config: UploadConfig,
}

impl<S: MediaStore> Uploader<S> {
    /// An uploader over `store` (a [`TrustooClient`] in the app).
    pub fn new(store: S, config: UploadConfig) -> Self {
        Self { store, config }
    }

    /// The store (e.g. to inspect a fake in tests).
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Uploads every file of the batch in order. A file that fails or is cancelled does not
    /// stop the others (except [`UploadBatch::cancel_all`], which cancels the rest). Returns
    /// one result per file, in order; retry failed ones with [`Uploader::upload_one`].
    pub async fn upload_all(&self, batch: &UploadBatch) -> Vec<Result<UploadedMedia, UploadError>> {
        let all = batch.all_token();
        let mut out = Vec::with_capacity(batch.files.len());
        for index in 0..batch.files.len() {
            let token = batch.file_token(index).unwrap_or_else(|| all.child_token());
            out.push(self.run(batch, index, token).await);
        }
        out
    }

    /// Uploads only the files at `indices`, in that order (a resumed draft skips the files an
    /// earlier run already uploaded). Cancel semantics as in [`Uploader::upload_all`].
    /// `on_result` sees each file's result as soon as it is known (so the caller can save it
    /// before the next file starts); also returns `(index, result)` pairs.
    pub async fn upload_some(
        &self,
        batch: &UploadBatch,
        indices: &[usize],
        mut on_result: impl FnMut(usize, &Result<UploadedMedia, UploadError>) + Send,
    ) -> Vec<(usize, Result<UploadedMedia, UploadError>)> {
        // Files cancelled earlier (per file, or by a cancel-all) get fresh switches now that
        // the merchant asks again; a cancel during this call still stops them (re-arming is
        // done once, up front, so a cancel-all in the middle cancels the rest).
        let tokens: Vec<(usize, CancellationToken)> = indices
            .iter()
            .filter_map(|&i| batch.rearm(i).map(|t| (i, t)))
            .collect();
        let mut out = Vec::with_capacity(tokens.len());
        for (index, token) in tokens {
            let result = self.run(batch, index, token).await;
            on_result(index, &result);
            out.push((index, result));
        }
        out
    }

    /// Uploads (or retries) file `index` alone, with fresh credentials and fresh cancel
    /// switches. `None` when `index` is out of range.
    pub async fn upload_one(
        &self,
        batch: &UploadBatch,
        index: usize,
    ) -> Option<Result<UploadedMedia, UploadError>> {
        let token = batch.rearm(index)?;
        Some(self.run(batch, index, token).await)
    }

    async fn run(
        &self,
        batch: &UploadBatch,
        index: usize,
        token: CancellationToken,
    ) -> Result<UploadedMedia, UploadError> {
        let file = match batch.files.get(index) {
            Some(f) => f,
            None => {
                return Err(UploadError::Missing {
                    name: format!("#{index}"),
                })
            }
        };
        if token.is_cancelled() {
            batch.track(|t| t.cancelled(index));
            return Err(UploadError::Cancelled {
                name: file.name.clone(),
            });
        }
        batch.track(|t| t.start(index));
        let result = tokio::select! {
            biased;
            () = token.cancelled() => Err(UploadError::Cancelled { name: file.name.clone() }),
            r = self.transfer(batch, index, file) => r,
        };
        match &result {
            Ok(_) => batch.track(|t| t.done(index)),
            Err(UploadError::Cancelled { .. }) => batch.track(|t| t.cancelled(index)),
            Err(_) => batch.track(|t| t.failed(index)),
        }
        if let Err(e) = &result {
            tracing::info!(file = %file.name, error = %e, "upload did not complete");
        }
        result
    }

    /// Credentials + transfer of one file; an expired policy/URL is refreshed once.
    async fn transfer(
        &self,
        batch: &UploadBatch,
        index: usize,
        file: &CheckedFile,
    ) -> Result<UploadedMedia, UploadError> {
        // The client's progress callback is `'static`: share the tracker and sink by `Arc`.
        let sent: SentFn = {
            let sink = batch.sink.clone();
            let tracker = batch.tracker.clone();
            Arc::new(move |n: u64| {
                let ev = lock(&tracker).sent(index, n);
                if let Some(ev) = ev {
                    sink(ev);
                }
            })
        };
        let mut refreshed = false;
        loop {
            let attempt = match file.kind() {
                MediaKind::Image => self.image_attempt(file, sent.clone()).await,
                MediaKind::Video => self.video_attempt(file, sent.clone()).await,
            };
            match attempt {
                Ok((url, thumbnail_url)) => {
                    return Ok(UploadedMedia {
                        index,
                        name: file.name.clone(),
                        kind: file.kind(),
                        url,
                        thumbnail_url,
                    })
                }
                Err(e) if !refreshed && is_expired_credentials(&e) => {
                    tracing::info!(file = %file.name, "upload credentials expired; refreshing once");
                    refreshed = true;
                    batch.track(|t| t.start(index));
                }
                Err(e) => return Err(map_error(&file.name, e)),
            }
        }
    }

    async fn image_attempt(
        &self,
        file: &CheckedFile,
        sent: SentFn,
    ) -> Result<(String, String), Error> {
        let policy = self.store.image_policy().await?;
        let key_name = unique_key_name(file);
        let img = self
            .store
            .upload_image(&policy, &key_name, &file.path, file.size, sent)
            .await?;
        let thumb = format!("{}{}", img.url, self.config.image_thumbnail_suffix);
        Ok((img.url, thumb))
    }

    async fn video_attempt(
        &self,
        file: &CheckedFile,
        sent: SentFn,
    ) -> Result<(String, String), Error> {
        let name = unique_key_name(file);
        let target = self.store.video_target(&name, file.size).await?;
        let content_type = if target.content_type.is_empty() {
            file.media_type.mime().to_owned()
        } else {
            target.content_type.clone()
        };
        self.store
            .upload_video(&target, &file.path, file.size, &content_type, sent)
            .await?;
        Ok((target.video_url.clone(), String::new()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::check::tests::{encoded, mp4, write};
    use crate::check::{check_file, MediaLimits, MediaType};
    use crate::progress::FileState;
    use std::collections::VecDeque;
    use std::path::PathBuf;

    /// What the FAKE storage does with the next upload.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Step {
        Accept,
        Expired,
        TooLarge,
        /// Reports every byte, then never answers (to be cancelled).
        Hang,
    }

    /// A FAKE media store: hands out numbered policies and follows a script per upload.
    #[derive(Default)]
    struct FakeStore {
        script: Mutex<VecDeque<Step>>,
        policies: Mutex<u32>,
        keys: Mutex<Vec<String>>,
    }

    impl FakeStore {
        fn with(steps: &[Step]) -> Self {
            Self {
                script: Mutex::new(steps.iter().copied().collect()),
                ..Default::default()
            }
        }
        fn step(&self) -> Step {
            lock(&self.script).pop_front().unwrap_or(Step::Accept)
        }
        async fn play(&self, len: u64, sent: &SentFn) -> Result<(), Error> {
            match self.step() {
                Step::Accept => {
                    sent(len / 2);
                    sent(len);
                    Ok(())
                }
                Step::Expired => Err(Error::Storage {
                    status: 403,
                    code: Some("AccessDenied".into()),
                    message: Some("Policy expired.".into()),
                }),
                Step::TooLarge => Err(Error::Storage {
                    status: 400,
                    code: Some("EntityTooLarge".into()),
                    message: None,
                }),
                Step::Hang => {
                    sent(len);
                    std::future::pending::<()>().await;
                    Ok(())
                }
            }
        }
    }

    impl MediaStore for FakeStore {
        async fn image_policy(&self) -> Result<ImageUploadPolicy, Error> {
            let mut n = lock(&self.policies);
            *n += 1;
            Ok(ImageUploadPolicy {
                access_id: "fake".into(),
                host: "http://fake/storage".into(),
                expire: 0,
                signature: "sig".into(),
                policy: format!("policy-{n}"),
                dir: format!("dir{n}/"),
                callback: String::new(),
            })
        }
        async fn upload_image(
            &self,
            policy: &ImageUploadPolicy,
            key_name: &str,
            path: &Path,
            len: u64,
            sent: SentFn,
        ) -> Result<UploadedImage, Error> {
            if !path.exists() {
                return Err(Error::File(std::io::Error::from(
                    std::io::ErrorKind::NotFound,
                )));
            }
            let key = format!("{}{key_name}", policy.dir);
            lock(&self.keys).push(key.clone());
            self.play(len, &sent).await?;
            Ok(UploadedImage {
                url: format!("{}/{key}", policy.host),
                key,
            })
        }
        async fn video_target(
            &self,
            file_name: &str,
            _len: u64,
        ) -> Result<VideoUploadTarget, Error> {
            *lock(&self.policies) += 1;
            Ok(VideoUploadTarget {
                upload_url: format!("http://fake/put/{file_name}").into(),
                video_url: format!("http://fake/v/{file_name}"),
                expire: 0,
                content_type: String::new(),
            })
        }
        async fn upload_video(
            &self,
            _target: &VideoUploadTarget,
            _path: &Path,
            len: u64,
            content_type: &str,
            sent: SentFn,
        ) -> Result<(), Error> {
            assert_eq!(content_type, "video/mp4");
            self.play(len, &sent).await
        }
    }

    struct Fixture {
        _dir: tempfile::TempDir,
        files: Vec<CheckedFile>,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let a = write(
            dir.path(),
            "IMG 2231.JPG",
            &encoded(image::ImageFormat::Jpeg, 4, 4),
        );
        let b = write(dir.path(), "clip.mp4", &mp4());
        let files = [a, b]
            .iter()
            .map(|p| check_file(p, &MediaLimits::default()).unwrap())
            .collect();
        Fixture { _dir: dir, files }
    }

    fn batch(files: Vec<CheckedFile>) -> (UploadBatch, Arc<Mutex<Vec<ProgressEvent>>>) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let b = UploadBatch::new(files, move |ev| lock(&sink).push(ev));
        (b, events)
    }

    #[tokio::test]
    async fn uploads_in_order_and_reports_100_only_after_the_answer() {
        let fx = fixture();
        let up = Uploader::new(FakeStore::with(&[]), UploadConfig::default());
        let (b, events) = batch(fx.files.clone());
        let res = up.upload_all(&b).await;
        let ok: Vec<UploadedMedia> = res.into_iter().map(Result::unwrap).collect();
        assert_eq!(ok[0].kind, MediaKind::Image);
        assert!(ok[0].url.starts_with("http://fake/storage/dir1/IMG_2231-"));
        assert!(ok[0].url.ends_with(".jpg"));
        assert_eq!(
            ok[0].thumbnail_url,
            format!("{}?x-oss-process=style/trustoo_small", ok[0].url)
        );
        assert_eq!(ok[1].kind, MediaKind::Video);
        assert!(ok[1].url.starts_with("http://fake/v/clip-") && ok[1].url.ends_with(".mp4"));
        assert_eq!(ok[1].thumbnail_url, "");
        let ev = lock(&events).clone();
        let states: Vec<(usize, FileState)> = ev.iter().map(|e| (e.index, e.state)).collect();
        use FileState::*;
        assert_eq!(
            states,
            [
                (0, Uploading),
                (0, Uploading),
                (0, Finalizing),
                (0, Done),
                (1, Uploading),
                (1, Uploading),
                (1, Finalizing),
                (1, Done),
            ]
        );
        assert!(ev.iter().all(|e| (e.percent == 100) == (e.state == Done)));
        assert_eq!(ev[2].percent, 99, "all bytes sent, no answer yet");
        assert!(ev[..7].iter().all(|e| e.total_percent < 100));
        assert_eq!(ev[7].total_percent, 100);
        let media = media_for_review(&ok);
        let v = serde_json::to_value(&media).unwrap();
        assert_eq!(v[0]["type"], 1);
        assert_eq!(v[1]["type"], 2);
        assert_eq!(v[1]["is_published"], 1);
    }

    #[tokio::test]
    async fn an_expired_policy_is_refreshed_once() {
        let fx = fixture();
        let up = Uploader::new(FakeStore::with(&[Step::Expired]), UploadConfig::default());
        let (b, _) = batch(fx.files[..1].to_vec());
        let r = up.upload_one(&b, 0).await.unwrap().unwrap();
        assert!(
            r.url.contains("/dir2/"),
            "the fresh policy was used: {}",
            r.url
        );
        assert_eq!(*lock(&up.store().policies), 2);
        // Twice expired: refreshed once only, then reported (retryable).
        let up = Uploader::new(
            FakeStore::with(&[Step::Expired, Step::Expired]),
            UploadConfig::default(),
        );
        let e = up.upload_one(&b, 0).await.unwrap().unwrap_err();
        assert!(
            matches!(e, UploadError::Failed { .. }) && e.is_retryable(),
            "{e:?}"
        );
        assert_eq!(*lock(&up.store().policies), 2);
        // Each attempt used a new key.
        let keys = lock(&up.store().keys).clone();
        assert_ne!(keys[0], keys[1]);
    }

    #[tokio::test]
    async fn refusals_and_missing_files_name_the_file() {
        let fx = fixture();
        let up = Uploader::new(FakeStore::with(&[Step::TooLarge]), UploadConfig::default());
        let (b, events) = batch(fx.files[..1].to_vec());
        let e = up.upload_one(&b, 0).await.unwrap().unwrap_err();
        assert_eq!(
            e.to_string(),
            "The storage refused IMG 2231.JPG (EntityTooLarge)"
        );
        assert!(!e.is_retryable());
        assert_eq!(lock(&events).last().unwrap().state, FileState::Failed);
        std::fs::remove_file(&fx.files[0].path).unwrap();
        let e = up.upload_one(&b, 0).await.unwrap().unwrap_err();
        assert_eq!(e.to_string(), "IMG 2231.JPG was moved or deleted");
        assert!(up.upload_one(&b, 7).await.is_none());
    }

    #[tokio::test]
    async fn cancel_one_file_then_retry_it() {
        let fx = fixture();
        let up = Arc::new(Uploader::new(
            FakeStore::with(&[Step::Hang]),
            UploadConfig::default(),
        ));
        let (b, events) = batch(fx.files.clone());
        let b = Arc::new(b);
        let task = {
            let (up, b) = (up.clone(), b.clone());
            tokio::spawn(async move { up.upload_all(&b).await })
        };
        // Wait until file 0 reports Finalizing (all bytes handed over, no answer), then cancel.
        loop {
            if lock(&events)
                .iter()
                .any(|e| e.index == 0 && e.state == FileState::Finalizing)
            {
                break;
            }
            tokio::task::yield_now().await;
        }
        b.cancel_file(0);
        let res = task.await.unwrap();
        assert!(matches!(res[0], Err(UploadError::Cancelled { .. })));
        assert!(res[1].is_ok(), "the other file continues");
        assert!(res[0].as_ref().unwrap_err().is_retryable());
        assert_eq!(b.snapshot(0).unwrap().state, FileState::Cancelled);
        // Retry: fresh credentials, succeeds.
        let before = *lock(&up.store().policies);
        let r = up.upload_one(&b, 0).await.unwrap();
        assert!(r.is_ok());
        assert_eq!(*lock(&up.store().policies), before + 1);
        assert_eq!(b.snapshot(0).unwrap().total_percent, 100);
    }

    #[tokio::test]
    async fn cancel_all_stops_the_rest_and_a_retry_still_works() {
        let fx = fixture();
        let up = Uploader::new(FakeStore::with(&[]), UploadConfig::default());
        let (b, _) = batch(fx.files.clone());
        b.cancel_all();
        let res = up.upload_all(&b).await;
        assert!(res
            .iter()
            .all(|r| matches!(r, Err(UploadError::Cancelled { .. }))));
        assert_eq!(*lock(&up.store().policies), 0, "nothing was requested");
        assert!(up.upload_one(&b, 1).await.unwrap().is_ok());
    }

    #[test]
    fn key_names_are_unique_safe_and_keep_a_matching_extension() {
        let f = CheckedFile {
            path: PathBuf::from("/x/Été photo (1).JPEG"),
            name: "Été photo (1).JPEG".into(),
            size: 1,
            modified_ns: 0,
            media_type: MediaType::Jpeg,
        };
        let a = unique_key_name(&f);
        let b = unique_key_name(&f);
        assert_ne!(a, b);
        assert!(a.starts_with("t_photo_1-") && a.ends_with(".jpeg"), "{a}");
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)));
        let png_named_jpg = CheckedFile {
            name: "cat.jpg".into(),
            media_type: MediaType::Png,
            ..f.clone()
        };
        assert!(unique_key_name(&png_named_jpg).ends_with(".png"));
        let no_stem = CheckedFile {
            name: "...".into(),
            media_type: MediaType::Mov,
            ..f
        };
        assert!(unique_key_name(&no_stem).starts_with("video-"));
    }

    #[test]
    fn expired_detection() {
        let e = |status, code: &str, msg: &str| Error::Storage {
            status,
            code: Some(code.into()),
            message: Some(msg.into()),
        };
        assert!(is_expired_credentials(&e(
            403,
            "AccessDenied",
            "Policy expired."
        )));
        assert!(is_expired_credentials(&e(
            403,
            "AccessDenied",
            "Request has expired."
        )));
        assert!(!is_expired_credentials(&e(
            403,
            "SignatureDoesNotMatch",
            "x"
        )));
        assert!(!is_expired_credentials(&e(
            403,
            "AccessDenied",
            "Invalid according to Policy"
        )));
    }

    #[test]
    fn uploads_are_send_for_tauri_commands() {
        fn assert_send<T: Send>(_: &T) {}
        let up = Uploader::new(
            TrustooClient::new(reviewdesk_trustoo::ClientConfig::new(
                reviewdesk_trustoo::Url::parse("http://127.0.0.1:9").unwrap(),
                reviewdesk_trustoo::Auth::Bearer("t".into()),
            ))
            .unwrap(),
            UploadConfig::default(),
        );
        let b = UploadBatch::new(Vec::new(), |_| {});
        assert_send(&up.upload_all(&b));
        assert_send(&up.upload_one(&b, 0));
    }
}
