//! Streaming uploads to the object storage: images by OSS PostObject (multipart with a policy),
//! videos by presigned PUT.
//!
//! Why streaming from disk: files can be hundreds of MB; memory must not grow with file size.
//! A reader thread reads the file in 128 KiB chunks, a few ahead of the network; each chunk handed
//! to the HTTP body advances the progress.
//! Progress reaches `done` only after the storage answered.
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
/// 128 KiB with recycled buffers (`ChunkPool`): the whole read-ahead (~1.25 MiB) stays in the CPU
/// cache between the reader's `read` and the socket's copy, where 1 MiB chunks (6 MiB in flight)
/// went through RAM. On `cargo xtask bench upload` (2 cores, loopback) 1 MiB chunks ran at
/// 0.77–0.80× of `curl`, 256 KiB at 0.89×, 128 KiB at ~1180 MiB/s (curl ~1100–1300).
const CHUNK: usize = 128 * 1024;

/// Chunks read ahead of the network. Memory per upload is at most `BUFFERS × CHUNK` (queued,
/// being read, being sent) whatever the file size.
const READ_AHEAD: usize = 8;

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
    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }
    fn idle(&self) -> Duration {
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(now.saturating_sub(self.last_ms.load(Ordering::Relaxed)))
    }
}

/// Buffers in circulation per upload: the queued chunks, the one being read and the ones the HTTP
/// stack still holds. Bounds memory per upload to `BUFFERS × CHUNK` whatever the file size.
const BUFFERS: usize = READ_AHEAD + 2;

/// The reader's chunk buffers, handed to the HTTP stack as owned `Bytes` and recycled.
///
/// Why: each chunk goes out without a copy (hyper queues an owned `Bytes` as is), and when the
/// stack drops it the buffer comes back here already initialised, so a chunk costs neither an
/// allocation nor zeroing a MiB before the read (which reusing one `BytesMut` did: its space is
/// reclaimed uninitialised, so it had to be zeroed again for every chunk).
struct ChunkPool {
    home: std::sync::mpsc::SyncSender<Vec<u8>>,
    back: std::sync::mpsc::Receiver<Vec<u8>>,
    made: usize,
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
        // The pool is gone when the reader finished: the buffer is simply freed then.
        let _ = self.home.try_send(std::mem::take(&mut self.buf));
    }
}

impl ChunkPool {
    fn new() -> Self {
        let (home, back) = std::sync::mpsc::sync_channel(BUFFERS);
        Self {
            home,
            back,
            made: 0,
        }
    }

    /// A free `CHUNK`-long buffer: a returned one, a new one while fewer than `BUFFERS` exist,
    /// else waits for the HTTP stack to drop one. `None` when the body is gone (`tx` closed).
    fn take<T>(&mut self, tx: &tokio::sync::mpsc::Sender<T>) -> Option<Vec<u8>> {
        if let Ok(buf) = self.back.try_recv() {
            return Some(buf);
        }
        if self.made < BUFFERS {
            self.made += 1;
            return Some(vec![0; CHUNK]);
        }
        loop {
            match self.back.recv_timeout(Duration::from_millis(100)) {
                Ok(buf) => return Some(buf),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) if !tx.is_closed() => {}
                Err(_) => return None,
            }
        }
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

type ProgressFn = Arc<dyn Fn(UploadProgress) + Send + Sync>;

/// Opens the file, checks its size, and returns a counting body stream.
async fn file_body(
    file_path: &Path,
    content_length: u64,
    activity: Arc<Activity>,
    progress: ProgressFn,
) -> Result<reqwest::Body, Error> {
    let file = tokio::fs::File::open(file_path).await?;
    let len = file.metadata().await?.len();
    if len != content_length {
        return Err(Error::File(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("file is {len} bytes, expected {content_length}"),
        )));
    }
    // One blocking reader per upload reads ahead (at most `READ_AHEAD` chunks queued) while the
    // network sends: no per-read hand-off to the blocking pool, and disk and socket overlap.
    // `take` guarantees we never send more than announced even if the file grows meanwhile.
    let mut reader = std::io::Read::take(file.into_std().await, content_length);
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<bytes::Bytes>>(READ_AHEAD);
    tokio::task::spawn_blocking(move || {
        let mut pool = ChunkPool::new();
        loop {
            let Some(mut buf) = pool.take(&tx) else {
                return; // the body was dropped while every buffer was still in flight
            };
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
            let item = match result {
                Ok(()) if filled == 0 => return, // end of file: closing the channel ends the body
                Ok(()) => Ok(pool.bytes(buf, filled)),
                Err(e) => Err(e),
            };
            let failed = item.is_err();
            // The body was dropped (upload cancelled or failed): stop reading.
            if tx.blocking_send(item).is_err() || failed {
                return;
            }
        }
    });
    let chunks = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
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
    Ok(reqwest::Body::wrap_stream(stream))
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
        let progress: ProgressFn = Arc::new(progress);
        let activity = Arc::new(Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            sent: AtomicU64::new(0),
        });
        let body = file_body(
            file_path,
            content_length,
            activity.clone(),
            progress.clone(),
        )
        .await?;
        let file_part = Part::stream_with_length(body, content_length)
            .file_name(key_name.to_owned())
            .mime_str(guess_mime(key_name))
            .map_err(|_| Error::Config("invalid mime type".into()))?;
        let mut form = Form::new()
            .text("key", key.clone())
            .text("policy", policy.policy.clone())
            .text("OSSAccessKeyId", policy.access_id.clone())
            .text("success_action_status", "200");
        if !policy.callback.is_empty() {
            form = form.text("callback", policy.callback.clone());
        }
        form = form
            .text("Signature", policy.signature.expose().to_owned())
            .part("file", file_part);

        let host = url::Url::parse(&policy.host)
            .map_err(|_| Error::Config("upload host is not a URL".into()))?;
        let read = self.inner.timeouts.read;
        let http = self.inner.upload_http.clone();
        let started = activity.clone();
        let (status, bytes) = with_idle_watchdog(&activity, read, async move {
            started.touch();
            let resp = http
                .post(host)
                .multipart(form)
                .send()
                .await
                .map_err(Error::from_reqwest)?;
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await.map_err(Error::from_reqwest)?;
            Ok((status, bytes))
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
        let activity = Arc::new(Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            sent: AtomicU64::new(0),
        });
        let body = file_body(
            file_path,
            content_length,
            activity.clone(),
            progress.clone(),
        )
        .await?;
        let read = self.inner.timeouts.read;
        let http = self.inner.upload_http.clone();
        let content_type = content_type.to_owned();
        let started = activity.clone();
        let (status, bytes) = with_idle_watchdog(&activity, read, async move {
            started.touch();
            let resp = http
                .put(url)
                .header(CONTENT_LENGTH, content_length)
                .header(CONTENT_TYPE, content_type)
                .body(body)
                .send()
                .await
                .map_err(Error::from_reqwest)?;
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await.map_err(Error::from_reqwest)?;
            Ok((status, bytes))
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
