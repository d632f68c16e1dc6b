//! Entry points for `cargo xtask bench`: upload throughput and peak memory.
//!
//! Why here: the benchmark must measure exactly the streaming path the app uses (the client's
//! presigned PUT through [`crate::upload::MediaStore`]), to compare with `curl` on a 1 GiB file
//! and to show that peak RSS does not grow with the file size.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use reviewdesk_trustoo::TrustooClient;
use serde::Serialize;

use crate::error::UploadError;
use crate::upload::{MediaStore, SentFn};

/// Result of one timed upload.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Throughput {
    /// Bytes sent (the file size).
    pub bytes: u64,
    /// Wall time of the transfer (credential call excluded), seconds.
    pub seconds: f64,
    /// `bytes / seconds`.
    pub bytes_per_second: f64,
}

/// Uploads `path` to the storage host as a video PUT (the path without a 20 MiB image cap) and
/// times the transfer from first byte to the storage's answer.
///
/// The file's content is not checked: any file works (the name sent is `bench.mp4`, so a
/// sandbox or storage that checks the extension accepts it).
pub async fn upload_throughput(
    client: &TrustooClient,
    path: &Path,
) -> Result<Throughput, UploadError> {
    let name = crate::check::display_name(path);
    let failed = |source| UploadError::Failed {
        name: name.clone(),
        source,
    };
    let len = tokio::fs::metadata(path)
        .await
        .map_err(|_| UploadError::Missing { name: name.clone() })?
        .len();
    let target = client
        .video_target("bench.mp4", len)
        .await
        .map_err(failed)?;
    let content_type = if target.content_type.is_empty() {
        "video/mp4".to_owned()
    } else {
        target.content_type.clone()
    };
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let on_sent: SentFn = Arc::new(move |n| counter.store(n, Ordering::Relaxed));
    let start = Instant::now();
    MediaStore::upload_video(client, &target, path, len, &content_type, on_sent)
        .await
        .map_err(failed)?;
    let seconds = start.elapsed().as_secs_f64().max(f64::MIN_POSITIVE);
    Ok(Throughput {
        bytes: len,
        seconds,
        bytes_per_second: len as f64 / seconds,
    })
}

/// Peak resident set size of this process so far (`VmHWM`), in bytes; `None` off Linux.
///
/// Why: the bench reports the growth of peak RSS across an upload (must stay < 64 MiB for a
/// 1 GiB file) without an external tool.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kb.checked_mul(1024)
}
