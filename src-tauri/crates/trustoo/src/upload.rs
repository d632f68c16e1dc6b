//! Streaming uploads to the object storage: images by OSS PostObject (multipart with a policy),
//! videos by presigned PUT.
//!
//! Why streaming from disk: files can be hundreds of MB; memory must not grow with file size.
//! Each upload runs on its own thread with its own single-threaded runtime, which reads the file
//! in 128 KiB chunks whenever the HTTP stack asks for the next one and sends it, like `curl`
//! does: no hand-off between threads per chunk (see [`on_upload_thread`]). Each chunk handed to
//! the HTTP body advances the progress. Progress reaches `done` only after the storage answered.
//!
//! Why no whole-request timeout: a slow uplink legitimately takes minutes. Instead an idle
//! watchdog fails the upload (`Network { kind: Timeout }`) when no chunk was taken by the HTTP
//! stack, or no answer came, for `Timeouts::read`. (reqwest's own `read_timeout` would start at
//! send time and cut long uploads, so the upload client is built without it.)
//!
//! Uploads are not retried here: the caller fetches fresh credentials and calls again (a stream
//! cannot be replayed, and the policy may have expired).

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::multipart::{Form, Part};
use serde::Deserialize;
use tokio::time::Instant;

use crate::client::TrustooClient;
use crate::error::{truncate_chars, Error, MAX_MESSAGE_CHARS};
use crate::secret::Secret;
use crate::types::ImageUploadPolicy;
use crate::wire::de;

/// Read size from disk.
///
/// 128 KiB with recycled buffers (`ChunkPool`): the chunks in flight stay in the CPU cache
/// between the `read` and the socket's copy. On `cargo xtask bench upload` (2 cores, loopback)
/// 1 MiB chunks ran at 0.77–0.80× of `curl`, 256 KiB at 0.89×, 128 KiB at ~1180 MiB/s (curl
/// ~1100–1300), all with a separate reader thread.
const CHUNK: usize = 128 * 1024;

/// Buffers kept for reuse per upload. The HTTP stack asks for the next chunk only while it holds
/// less than its write-buffer limit (hyper: ~400 KiB), so a few chunks are in flight at most and
/// memory per upload stays a few MiB whatever the file size.
const KEPT_BUFFERS: usize = 8;

/// One progress report of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes handed to the HTTP body so far.
    pub sent: u64,
    /// Size of the file.
    pub total: u64,
    /// The storage answered with success (the only state that means 100 %).
    pub done: bool,
}

impl UploadProgress {
    /// Fraction for a progress bar: capped below 1.0 until `done`, so the bar never shows 100 %
    /// while the server may still reject the file.
    pub fn fraction(&self) -> f64 {
        if self.done {
            return 1.0;
        }
        if self.total == 0 {
            return 0.0;
        }
        (self.sent as f64 / self.total as f64).min(0.99)
    }
}

/// Where an uploaded image now lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedImage {
    /// Object key (`dir` + name).
    pub key: String,
    /// Public URL to put in `create_review` media.
    pub url: String,
}

#[derive(Debug, Deserialize)]
struct StorageAnswer {
    #[serde(default, deserialize_with = "de::string")]
    key: String,
    #[serde(default, deserialize_with = "de::string")]
    url: String,
}

/// Shared state between the body stream and the idle watchdog.
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
    sent: AtomicU64,
}

impl Activity {
    fn new() -> Arc<Activity> {
        Arc::new(Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            sent: AtomicU64::new(0),
        })
    }

    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }
    fn idle(&self) -> Duration {
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(now.saturating_sub(self.last_ms.load(Ordering::Relaxed)))
    }
}

/// The reader's chunk buffers, handed to the HTTP stack as owned `Bytes` and recycled.
///
/// Why: each chunk goes out without a copy (hyper queues an owned `Bytes` as is), and when the
/// stack drops it the buffer comes back here already initialised, so a chunk costs neither an
/// allocation nor zeroing a buffer before the read (which reusing one `BytesMut` did: its space
/// is reclaimed uninitialised, so it had to be zeroed again for every chunk).
struct ChunkPool {
    home: std::sync::mpsc::SyncSender<Vec<u8>>,
    back: std::sync::mpsc::Receiver<Vec<u8>>,
}

/// One chunk lent to the HTTP stack; dropping it returns its buffer to the pool.
struct Lent {
    buf: Vec<u8>,
    len: usize,
    home: std::sync::mpsc::SyncSender<Vec<u8>>,
}

impl AsRef<[u8]> for Lent {
    fn as_ref(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&self.buf)
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        // The pool is full or gone (the upload ended): the buffer is simply freed then.
        let _ = self.home.try_send(std::mem::take(&mut self.buf));
    }
}

impl ChunkPool {
    fn new() -> Self {
        let (home, back) = std::sync::mpsc::sync_channel(KEPT_BUFFERS);
        Self { home, back }
    }

    /// A `CHUNK`-long buffer: one the HTTP stack gave back, else a new one. Never waits: the
    /// reader runs on the thread that also sends, so a buffer in flight cannot come back
    /// while it waits.
    fn take(&self) -> Vec<u8> {
        self.back.try_recv().unwrap_or_else(|_| vec![0; CHUNK])
    }

    /// Lends the first `len` bytes of `buf` as `Bytes` that return `buf` here when dropped.
    fn bytes(&self, buf: Vec<u8>, len: usize) -> bytes::Bytes {
        bytes::Bytes::from_owner(Lent {
            buf,
            len,
            home: self.home.clone(),
        })
    }
}

/// Runs one upload on a thread of its own, with a single-threaded runtime, and waits for it.
///
/// Why: the body reads the file right where the HTTP stack asks for the next chunk, so reading
/// and sending take turns on one thread as in `curl`. With a reader thread feeding the HTTP task
/// through a channel, every 128 KiB chunk cost two cross-thread wake-ups, and on two cores shared
/// with the receiving server the upload ran at 0.72–0.78× of `curl`; reading in place brought it
/// to 0.94–0.96×. The read blocks only this upload's own thread, never the app's runtime.
/// Dropping the returned future (a cancelled upload) stops the upload: the connection is closed.
async fn on_upload_thread<T, F, Fut>(make: F) -> Result<T, Error>
where
    T: Send + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<T, Error>> + 'static,
{
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    let (cancel_tx, cancel_rx) = tokio::sync::oneshot::channel::<()>();
    // The upload logs where its caller logs, inside the caller's span.
    let dispatch = tracing::dispatcher::get_default(|d| d.clone());
    let span = tracing::Span::current();
    std::thread::Builder::new()
        .name("reviewdesk-upload".into())
        .spawn(move || {
            let _logs = tracing::dispatcher::set_default(&dispatch);
            let _span = span.enter();
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = done_tx.send(Err(Error::File(e)));
                    return;
                }
            };
            let result = runtime.block_on(async move {
                tokio::select! {
                    result = make() => Some(result),
                    // The caller dropped its future: stop here (dropping the request).
                    _ = cancel_rx => None,
                }
            });
            if let Some(result) = result {
                let _ = done_tx.send(result);
            }
        })?;
    let answer = done_rx.await;
    drop(cancel_tx);
    answer.map_err(|_| Error::File(std::io::Error::other("the upload thread stopped")))?
}

type ProgressFn = Arc<dyn Fn(UploadProgress) + Send + Sync>;

/// Opens the file, checks its size, and returns a counting body stream with the activity it
/// reports to (for the idle watchdog of [`send_watched`]).
async fn file_body(
    file_path: &Path,
    content_length: u64,
    progress: ProgressFn,
) -> Result<(reqwest::Body, Arc<Activity>), Error> {
    let activity = Activity::new();
    let watched = activity.clone();
    let file = tokio::fs::File::open(file_path).await?;
    let len = file.metadata().await?.len();
    if len != content_length {
        return Err(Error::File(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("file is {len} bytes, expected {content_length}"),
        )));
    }
    // The file is read in place, when the body is polled: only ever on an upload's own thread
    // (see `on_upload_thread`). `take` guarantees we never send more than announced even if the
    // file grows meanwhile.
    let reader = std::io::Read::take(file.into_std().await, content_length);
    let chunks = futures::stream::unfold(Some((reader, ChunkPool::new())), |state| async move {
        let (mut reader, pool) = state?;
        let mut buf = pool.take();
        let mut filled = 0;
        // Fill the chunk (short reads happen) unless the file ends.
        let result = loop {
            match std::io::Read::read(&mut reader, &mut buf[filled..]) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    filled += n;
                    if filled == CHUNK {
                        break Ok(());
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        match result {
            Ok(()) if filled == 0 => None, // end of file: the body ends
            Ok(()) => {
                let chunk = pool.bytes(buf, filled);
                Some((Ok(chunk), Some((reader, pool))))
            }
            Err(e) => Some((Err(e), None)), // the error ends the body
        }
    });
    let stream = chunks.map(move |chunk| {
        if let Ok(bytes) = &chunk {
            let n = u64::try_from(bytes.len()).unwrap_or(0);
            let sent = activity
                .sent
                .fetch_add(n, Ordering::Relaxed)
                .saturating_add(n);
            activity.touch();
            progress(UploadProgress {
                sent: sent.min(content_length),
                total: content_length,
                done: false,
            });
        }
        chunk
    });
    Ok((reqwest::Body::wrap_stream(stream), watched))
}

/// Runs `fut` unless the upload goes idle for longer than `limit`.
async fn with_idle_watchdog<T>(
    activity: &Activity,
    limit: Duration,
    fut: impl std::future::Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let tick = (limit / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
    let watchdog = async {
        loop {
            tokio::time::sleep(tick).await;
            if activity.idle() > limit {
                return;
            }
        }
    };
    tokio::select! {
        r = fut => r,
        () = watchdog => Err(Error::Network {
            kind: crate::error::NetworkKind::Timeout,
            source: None,
        }),
    }
}

/// Sends `request`, whose body streams the file and reports to `activity`, and reads the
/// storage's answer (status and body), unless the upload goes idle for longer than `limit`.
async fn send_watched(
    activity: Arc<Activity>,
    limit: Duration,
    request: reqwest::RequestBuilder,
) -> Result<(u16, bytes::Bytes), Error> {
    let started = activity.clone();
    with_idle_watchdog(&activity, limit, async move {
        started.touch();
        let resp = request.send().await.map_err(Error::from_reqwest)?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(Error::from_reqwest)?;
        Ok((status, bytes))
    })
    .await
}

/// Pulls `<Code>` and `<Message>` out of an OSS XML error (or `code`/`message` of JSON).
fn storage_error(status: u16, body: &[u8]) -> Error {
    let text = String::from_utf8_lossy(body);
    let tag = |name: &str| -> Option<String> {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find(&close)? + start;
        Some(truncate_chars(text[start..end].trim(), MAX_MESSAGE_CHARS))
    };
    let (mut code, mut message) = (tag("Code"), tag("Message"));
    if code.is_none() && message.is_none() {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
            code = v.get("code").map(|c| match c {
                serde_json::Value::String(s) => truncate_chars(s, 100),
                other => truncate_chars(&other.to_string(), 100),
            });
            message = v
                .get("message")
                .and_then(|m| m.as_str())
                .map(|m| truncate_chars(m, MAX_MESSAGE_CHARS));
        }
    }
    Error::Storage {
        status,
        code,
        message,
    }
}

fn guess_mime(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    match lower.rsplit('.').next().unwrap_or("") {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        _ => "application/octet-stream",
    }
}

impl TrustooClient {
    /// Uploads one image with OSS PostObject semantics to `policy.host`.
    ///
    /// Fields in this order: `key` (= `policy.dir` + `key_name`), `policy`, `OSSAccessKeyId`,
    /// `success_action_status` (200), `callback` (when given), `Signature`, then `file` last,
    /// streamed from disk with its exact length (so the request has a Content-Length).
    pub async fn upload_image(
        &self,
        policy: &ImageUploadPolicy,
        key_name: &str,
        file_path: &Path,
        content_length: u64,
        progress: impl Fn(UploadProgress) + Send + Sync + 'static,
    ) -> Result<UploadedImage, Error> {
        if key_name.is_empty() || key_name.contains("..") || key_name.starts_with('/') {
            return Err(Error::Config("invalid upload key name".into()));
        }
        let key = format!("{}{}", policy.dir, key_name);
        let host = url::Url::parse(&policy.host)
            .map_err(|_| Error::Config("upload host is not a URL".into()))?;
        let progress: ProgressFn = Arc::new(progress);
        let read = self.inner.timeouts.read;
        let http = self.inner.upload_http.clone();
        let (file_path, key_name, on_progress) = (
            file_path.to_path_buf(),
            key_name.to_owned(),
            progress.clone(),
        );
        // The form's fields, in the order OSS wants them (`file` is added last, on the thread).
        let mut fields = vec![
            ("key", key.clone()),
            ("policy", policy.policy.clone()),
            ("OSSAccessKeyId", policy.access_id.clone()),
            ("success_action_status", "200".to_owned()),
        ];
        if !policy.callback.is_empty() {
            fields.push(("callback", policy.callback.clone()));
        }
        fields.push(("Signature", policy.signature.expose().to_owned()));
        let (status, bytes) = on_upload_thread(move || async move {
            let (body, activity) = file_body(&file_path, content_length, on_progress).await?;
            let file_part = Part::stream_with_length(body, content_length)
                .file_name(key_name.clone())
                .mime_str(guess_mime(&key_name))
                .map_err(|_| Error::Config("invalid mime type".into()))?;
            let form = fields
                .into_iter()
                .fold(Form::new(), |form, (name, value)| form.text(name, value))
                .part("file", file_part);
            send_watched(activity, read, http.post(host).multipart(form)).await
        })
        .await?;
        tracing::debug!(status, bytes = bytes.len(), "image upload answered");
        if !(200..300).contains(&status) {
            return Err(storage_error(status, &bytes));
        }
        let answer = serde_json::from_slice::<StorageAnswer>(&bytes).ok();
        let url = answer
            .as_ref()
            .map(|a| a.url.clone())
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| format!("{}/{}", policy.host.trim_end_matches('/'), key));
        let key = answer
            .map(|a| a.key)
            .filter(|k| !k.is_empty())
            .unwrap_or(key);
        progress(UploadProgress {
            sent: content_length,
            total: content_length,
            done: true,
        });
        Ok(UploadedImage { key, url })
    }

    /// Uploads one video with a presigned PUT: raw bytes streamed from disk, the exact
    /// `Content-Length` set explicitly (presigned PUTs refuse chunked bodies) and the
    /// `Content-Type` the URL was signed for.
    pub async fn upload_video(
        &self,
        upload_url: &Secret,
        file_path: &Path,
        content_length: u64,
        content_type: &str,
        progress: impl Fn(UploadProgress) + Send + Sync + 'static,
    ) -> Result<(), Error> {
        let url = url::Url::parse(upload_url.expose())
            .map_err(|_| Error::Config("upload URL is not a URL".into()))?;
        let progress: ProgressFn = Arc::new(progress);
        let read = self.inner.timeouts.read;
        let http = self.inner.upload_http.clone();
        let (file_path, content_type, on_progress) = (
            file_path.to_path_buf(),
            content_type.to_owned(),
            progress.clone(),
        );
        let (status, bytes) = on_upload_thread(move || async move {
            let (body, activity) = file_body(&file_path, content_length, on_progress).await?;
            let request = http
                .put(url)
                .header(CONTENT_LENGTH, content_length)
                .header(CONTENT_TYPE, content_type)
                .body(body);
            send_watched(activity, read, request).await
        })
        .await?;
        tracing::debug!(status, "video upload answered");
        if !(200..300).contains(&status) {
            return Err(storage_error(status, &bytes));
        }
        progress(UploadProgress {
            sent: content_length,
            total: content_length,
            done: true,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fraction_is_below_one_until_done() {
        let p = UploadProgress {
            sent: 100,
            total: 100,
            done: false,
        };
        assert!(p.fraction() < 1.0);
        assert_eq!(UploadProgress { done: true, ..p }.fraction(), 1.0);
        assert_eq!(
            UploadProgress {
                sent: 0,
                total: 0,
                done: false
            }
            .fraction(),
            0.0
        );
    }

    #[test]
    fn oss_xml_error_is_parsed_without_the_body() {
        let e = storage_error(
            403,
            b"<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Policy expired.</Message><HostId>x</HostId></Error>",
        );
        match &e {
            Error::Storage {
                status: 403,
                code,
                message,
            } => {
                assert_eq!(code.as_deref(), Some("AccessDenied"));
                assert_eq!(message.as_deref(), Some("Policy expired."));
            }
            other => panic!("{other:?}"),
        }
        assert!(!e.to_string().contains("HostId"));
    }

    #[test]
    fn mime_guess() {
        assert_eq!(guess_mime("a.JPG"), "image/jpeg");
        assert_eq!(guess_mime("a.png"), "image/png");
        assert_eq!(guess_mime("noext"), "application/octet-stream");
    }
}
