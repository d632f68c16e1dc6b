//! Typed errors with merchant-readable messages that name the file.
//!
//! Why: the UI shows these strings as they are ("holiday.mov is 2.4 GB; videos can be at most
//! 2 GB"), and the Tauri layer maps the variants to `IpcError` codes (`VALIDATION`,
//! `UPLOAD_REJECTED`, `NETWORK`, …). No message carries a URL, a credential or a raw body.

use serde::Serialize;

/// Why a dropped file cannot be attached (found before any network call).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Rejection {
    /// Neither image nor video by content (PDF, text, archive, unknown).
    #[error("{name} is not an image or video")]
    NotMedia {
        /// File name.
        name: String,
    },
    /// An image or video format we cannot attach (AVIF, MKV, AVI, TIFF, …).
    #[error("{name} is a {format} file; use JPEG, PNG, WebP, GIF or HEIC photos and MP4, MOV or WebM videos")]
    Unsupported {
        /// File name.
        name: String,
        /// Short format name, e.g. `AVIF`.
        format: String,
    },
    /// Larger than the photo limit.
    #[error("{name} is {size}; photos can be at most {max}")]
    ImageTooLarge {
        /// File name.
        name: String,
        /// Its size, human readable.
        size: String,
        /// The limit, human readable.
        max: String,
    },
    /// Larger than the video limit.
    #[error("{name} is {size}; videos can be at most {max}")]
    VideoTooLarge {
        /// File name.
        name: String,
        /// Its size, human readable.
        size: String,
        /// The limit, human readable.
        max: String,
    },
    /// Zero bytes.
    #[error("{name} is empty")]
    Empty {
        /// File name.
        name: String,
    },
    /// Not a file with content on disk: a named pipe, a device (e.g. a link to `/dev/zero`), a
    /// socket. Such paths report a size of 0, so without this they would read as "empty".
    #[error("{name} is not a regular file; choose a photo or video saved on disk")]
    NotRegularFile {
        /// File name.
        name: String,
    },
    /// A folder was dropped.
    #[error("{name} is a folder; drop the photos or videos inside it")]
    Directory {
        /// Folder name.
        name: String,
    },
    /// The path no longer exists.
    #[error("{name} was moved or deleted")]
    Missing {
        /// File name.
        name: String,
    },
    /// Exists but cannot be read (permissions, a device, a broken link).
    #[error("{name} can't be read; check that ReviewDesk may open it")]
    Unreadable {
        /// File name.
        name: String,
    },
    /// The same path is already attached to this review.
    #[error("{name} is already attached")]
    AlreadyAdded {
        /// File name.
        name: String,
    },
    /// The review already has the maximum number of photos.
    #[error("A review can have at most {max} photos")]
    TooManyImages {
        /// The limit.
        max: usize,
    },
    /// The review already has the maximum number of videos.
    #[error("A review can have at most {max} video{}", if *max == 1 { "" } else { "s" })]
    TooManyVideos {
        /// The limit.
        max: usize,
    },
}

/// Why a thumbnail could not be made (the file itself may still be uploaded).
#[derive(Debug, thiserror::Error)]
pub enum ThumbnailError {
    /// The image is larger (in pixels or decoded bytes) than the decode limits: possibly a
    /// decompression bomb. Refused before allocating.
    #[error("{name} is too large to preview")]
    TooLarge {
        /// File name.
        name: String,
    },
    /// The content is corrupt or truncated.
    #[error("{name} looks damaged and can't be previewed")]
    Corrupt {
        /// File name.
        name: String,
    },
    /// Reading the source or writing the cache failed.
    #[error("could not make a preview of {name}: {source}")]
    Io {
        /// File name.
        name: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}

/// Why one file's upload failed. Each variant says whether a retry can help
/// ([`UploadError::is_retryable`]).
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file disappeared after it was added.
    #[error("{name} was moved or deleted")]
    Missing {
        /// File name.
        name: String,
    },
    /// The file's size changed after it was checked (the upload announces an exact length).
    #[error("{name} changed since it was added; remove it and add it again")]
    Changed {
        /// File name.
        name: String,
    },
    /// Cancelled by the merchant (per file or all).
    #[error("Upload of {name} was cancelled")]
    Cancelled {
        /// File name.
        name: String,
    },
    /// The storage refused the file itself (too large, bad type, policy condition) — a retry
    /// with the same file will not help.
    #[error("The storage refused {name} ({code})")]
    Refused {
        /// File name.
        name: String,
        /// OSS error code, e.g. `EntityTooLarge`.
        code: String,
    },
    /// Trustoo or the network failed (credentials call or transfer); retry may help.
    #[error("Could not upload {name}: {source}")]
    Failed {
        /// File name.
        name: String,
        /// Cause (never carries a URL with a signature).
        #[source]
        source: reviewdesk_trustoo::Error,
    },
}

impl UploadError {
    /// True when trying again (with fresh credentials) may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            UploadError::Cancelled { .. } => true,
            UploadError::Failed { source, .. } => {
                source.is_transient()
                    || matches!(
                        source,
                        reviewdesk_trustoo::Error::Storage { status: 403, .. }
                    )
                    || matches!(source, reviewdesk_trustoo::Error::Unauthorized { .. })
            }
            UploadError::Missing { .. }
            | UploadError::Changed { .. }
            | UploadError::Refused { .. } => false,
        }
    }

    /// The file the error is about.
    pub fn file_name(&self) -> &str {
        match self {
            UploadError::Missing { name }
            | UploadError::Changed { name }
            | UploadError::Cancelled { name }
            | UploadError::Refused { name, .. }
            | UploadError::Failed { name, .. } => name,
        }
    }
}

/// Why [`crate::create::create_review_once`] could not report a created review.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The review was certainly not created (validation error, forbidden, or every attempt
    /// provably failed); safe to fix and send again.
    #[error("The review was not created: {0}")]
    NotCreated(#[source] reviewdesk_trustoo::Error),
    /// The outcome is unknown: a send may have landed and the check could not tell. Do not send
    /// again blindly; look at the product's reviews (or retry later with the same key).
    #[error("Could not confirm whether the review was created; check the product's reviews before trying again")]
    Unknown(#[source] reviewdesk_trustoo::Error),
}

const UNITS: [&str; 4] = ["bytes", "KB", "MB", "GB"];

/// `bytes` in binary units labelled KB/MB/GB with at most one decimal (`2.4 GB`, `20 MB`).
/// `ceil` rounds up instead of to nearest.
pub fn human_size(bytes: u64, ceil: bool) -> String {
    let mut unit = 0usize;
    let mut scale = 1u64;
    while unit + 1 < UNITS.len() && bytes >= scale * 1024 {
        scale *= 1024;
        unit += 1;
    }
    if unit == 0 {
        return format!("{bytes} bytes");
    }
    // Tenths of the unit, in integer arithmetic (exact for any u64).
    let num = u128::from(bytes) * 10;
    let den = u128::from(scale);
    let tenths = if ceil {
        num.div_ceil(den)
    } else {
        (num + den / 2) / den
    };
    let (whole, frac) = (tenths / 10, tenths % 10);
    if frac == 0 {
        format!("{whole} {}", UNITS[unit])
    } else {
        format!("{whole}.{frac} {}", UNITS[unit])
    }
}

/// `(size, limit)` for a "too large" message: the limit rounded to nearest, the size to nearest
/// unless that would read as "not over" (then rounded up), so "2 GB; at most 2 GB" never shows.
pub fn over_limit(size: u64, max: u64) -> (String, String) {
    let max_s = human_size(max, false);
    let near = human_size(size, false);
    if near == max_s {
        (human_size(size, true), max_s)
    } else {
        (near, max_s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(0, false), "0 bytes");
        assert_eq!(human_size(1023, false), "1023 bytes");
        assert_eq!(human_size(1024, false), "1 KB");
        assert_eq!(human_size(1536, false), "1.5 KB");
        assert_eq!(human_size(20 << 20, false), "20 MB");
        assert_eq!(human_size(2 << 30, false), "2 GB");
        assert_eq!(human_size(10 << 30, false), "10 GB");
        assert_eq!(human_size((2 << 30) + 1, true), "2.1 GB");
        assert_eq!(over_limit((2 << 30) + 1, 2 << 30).0, "2.1 GB");
        assert_eq!(over_limit(u64::MAX, 2 << 30).0, "17179869184 GB");
    }

    #[test]
    fn rejection_json_is_tagged() {
        let v = serde_json::to_value(Rejection::Missing {
            name: "IMG_2231.jpg".into(),
        })
        .unwrap_or_default();
        assert_eq!(v["reason"], "missing");
        assert_eq!(v["name"], "IMG_2231.jpg");
        assert_eq!(
            Rejection::TooManyVideos { max: 1 }.to_string(),
            "A review can have at most 1 video"
        );
    }
}
