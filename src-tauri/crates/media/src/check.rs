//! File checks before anything touches the network: what a dropped path really is (by its
//! magic bytes, never its extension), whether it fits the limits, and whether the review still
//! has room for it.
//!
//! Why content and not extension: merchants rename files, phones export `.jpg` that are HEIC,
//! and a PDF named `photo.jpg` must not reach the storage. Why metadata first: a 10 GB file is
//! refused from its size alone, without reading a byte of it.

use std::fs::{File, Metadata};
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use reviewdesk_core::MediaKind;
use serde::Serialize;

use crate::error::{over_limit, Rejection};

/// Bytes read from the start of a file to recognise its type (ISO-BMFF `ftyp` boxes with many
/// compatible brands fit easily).
const MAGIC_READ: usize = 8 * 1024;

/// Size and count limits of the attachments of one review.
///
/// Why a struct: the storage's policy (`content-length-range`) and Trustoo's rules may change or
/// differ per shop; the defaults are the documented/sandbox ones (images 20 MiB, videos 2 GiB,
/// 10 images and 1 video per review).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaLimits {
    /// Largest image, in bytes.
    pub max_image_bytes: u64,
    /// Largest video, in bytes.
    pub max_video_bytes: u64,
    /// Photos per review (Trustoo: `images` ≤ 10).
    pub max_images: usize,
    /// Videos per review (Trustoo: one `video`).
    pub max_videos: usize,
}

impl Default for MediaLimits {
    fn default() -> Self {
        Self {
            max_image_bytes: 20 * 1024 * 1024,
            max_video_bytes: 2 * 1024 * 1024 * 1024,
            max_images: 10,
            max_videos: 1,
        }
    }
}

/// A file type ReviewDesk can attach, as recognised from its content.
///
/// Why an enum and not a MIME string: every later step (thumbnail, upload key extension,
/// `Content-Type`, media `type`) branches on it exhaustively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    /// JPEG photo.
    Jpeg,
    /// PNG image.
    Png,
    /// WebP image.
    Webp,
    /// GIF (possibly animated; the thumbnail shows the first frame).
    Gif,
    /// HEIC/HEIF (iPhone photos). Accepted and uploaded; no thumbnail is decoded (the `image`
    /// crate has no pure-Rust HEIC decoder), the UI shows a photo tile instead.
    Heic,
    /// MP4 (ISO-BMFF, including `.m4v`).
    Mp4,
    /// QuickTime MOV.
    Mov,
    /// WebM (Matroska/EBML).
    Webm,
}

impl MediaType {
    /// Photo or video (the `type` of create_review's `media` items).
    pub fn kind(self) -> MediaKind {
        match self {
            MediaType::Jpeg
            | MediaType::Png
            | MediaType::Webp
            | MediaType::Gif
            | MediaType::Heic => MediaKind::Image,
            MediaType::Mp4 | MediaType::Mov | MediaType::Webm => MediaKind::Video,
        }
    }

    /// The canonical MIME type (used as the upload `Content-Type` when the server names none).
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
            MediaType::Gif => "image/gif",
            MediaType::Heic => "image/heic",
            MediaType::Mp4 => "video/mp4",
            MediaType::Mov => "video/quicktime",
            MediaType::Webm => "video/webm",
        }
    }

    /// The canonical file extension (without dot), used for the storage key when the original
    /// extension does not match the content.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
            MediaType::Webp => "webp",
            MediaType::Gif => "gif",
            MediaType::Heic => "heic",
            MediaType::Mp4 => "mp4",
            MediaType::Mov => "mov",
            MediaType::Webm => "webm",
        }
    }

    /// Whether `ext` (lowercase, no dot) is an accepted spelling for this type.
    pub fn accepts_extension(self, ext: &str) -> bool {
        match self {
            MediaType::Jpeg => matches!(ext, "jpg" | "jpeg" | "jpe"),
            MediaType::Heic => matches!(ext, "heic" | "heif"),
            MediaType::Mp4 => matches!(ext, "mp4" | "m4v"),
            other => ext == other.extension(),
        }
    }

    /// Whether the `image` crate (with our features) can decode it for a thumbnail.
    pub fn can_thumbnail(self) -> bool {
        matches!(
            self,
            MediaType::Jpeg | MediaType::Png | MediaType::Webp | MediaType::Gif
        )
    }
}

/// What the magic bytes say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    /// A type we attach.
    Supported(MediaType),
    /// An image or video we recognise but cannot attach (AVIF, MKV, AVI, TIFF, …); the string
    /// is a short name for the message.
    OtherMedia(&'static str),
    /// Not an image or video at all (PDF, ZIP, text, unknown).
    NotMedia,
}

/// Recognises the type from the first bytes of a file.
///
/// Why public and pure: the magic-byte table is the contract; it is unit tested with real
/// encoded samples and renamed fakes.
pub fn sniff(header: &[u8]) -> Sniffed {
    let Some(t) = infer::get(header) else {
        return Sniffed::NotMedia;
    };
    let supported = match t.mime_type() {
        "image/jpeg" => Some(MediaType::Jpeg),
        "image/png" => Some(MediaType::Png),
        "image/webp" => Some(MediaType::Webp),
        "image/gif" => Some(MediaType::Gif),
        "image/heif" => Some(MediaType::Heic),
        "video/mp4" | "video/x-m4v" => Some(MediaType::Mp4),
        "video/quicktime" => Some(MediaType::Mov),
        "video/webm" => Some(MediaType::Webm),
        _ => None,
    };
    if let Some(m) = supported {
        return Sniffed::Supported(m);
    }
    match t.matcher_type() {
        infer::MatcherType::Image | infer::MatcherType::Video => Sniffed::OtherMedia(t.extension()),
        _ => Sniffed::NotMedia,
    }
}

/// A file that passed every check, ready for a thumbnail and an upload.
///
/// Why it carries size and mtime: the upload announces exactly `size` bytes (the storage needs
/// an exact length) and refuses a file that changed meanwhile; the thumbnail cache is keyed by
/// (path, size, mtime).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedFile {
    /// Absolute or caller-given path, as dropped.
    pub path: PathBuf,
    /// File name for messages (`IMG_2231.jpg`).
    pub name: String,
    /// Size in bytes at check time.
    pub size: u64,
    /// Modification time (nanoseconds since the epoch; 0 if the platform has none).
    pub modified_ns: u128,
    /// Type recognised from the content.
    pub media_type: MediaType,
}

impl CheckedFile {
    /// Photo or video.
    pub fn kind(&self) -> MediaKind {
        self.media_type.kind()
    }
}

/// The display name of a path (its last component, or the whole path).
pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string_lossy().into_owned())
}

fn lower_ext(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Whether the extension suggests a photo (only used to word a size message for a file too
/// big to be read).
fn looks_like_image(path: &Path) -> bool {
    matches!(
        lower_ext(path).as_str(),
        "jpg" | "jpeg" | "jpe" | "png" | "webp" | "gif" | "heic" | "heif"
    )
}

/// Metadata-only checks: directory, empty, larger than anything we could accept.
///
/// Why separate and pure: it proves that a huge file is refused before it is opened.
pub fn check_metadata(
    path: &Path,
    is_dir: bool,
    size: u64,
    limits: &MediaLimits,
) -> Result<(), Rejection> {
    let name = display_name(path);
    if is_dir {
        return Err(Rejection::Directory { name });
    }
    if size == 0 {
        return Err(Rejection::Empty { name });
    }
    let overall = limits.max_image_bytes.max(limits.max_video_bytes);
    if size > overall {
        return Err(if looks_like_image(path) {
            let (size, max) = over_limit(size, limits.max_image_bytes);
            Rejection::ImageTooLarge { name, size, max }
        } else {
            let (size, max) = over_limit(size, limits.max_video_bytes);
            Rejection::VideoTooLarge { name, size, max }
        });
    }
    Ok(())
}

/// Size check once the kind is known.
pub fn check_size(
    name: &str,
    media_type: MediaType,
    size: u64,
    limits: &MediaLimits,
) -> Result<(), Rejection> {
    let name = name.to_owned();
    match media_type.kind() {
        MediaKind::Image if size > limits.max_image_bytes => {
            let (size, max) = over_limit(size, limits.max_image_bytes);
            Err(Rejection::ImageTooLarge { name, size, max })
        }
        MediaKind::Video if size > limits.max_video_bytes => {
            let (size, max) = over_limit(size, limits.max_video_bytes);
            Err(Rejection::VideoTooLarge { name, size, max })
        }
        _ => Ok(()),
    }
}

fn io_rejection(name: String, e: &std::io::Error) -> Rejection {
    match e.kind() {
        ErrorKind::NotFound => Rejection::Missing { name },
        _ => Rejection::Unreadable { name },
    }
}

fn modified_ns(meta: &Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Checks one dropped path: exists, is a readable non-empty regular file, is a supported image or video
/// by content, and fits the size limits. Blocking (a metadata call and one small read); call it
/// from `spawn_blocking` or use [`check_files`].
pub fn check_file(path: &Path, limits: &MediaLimits) -> Result<CheckedFile, Rejection> {
    let name = display_name(path);
    let meta = std::fs::metadata(path).map_err(|e| io_rejection(name.clone(), &e))?;
    // A pipe, a device or a socket (also through a link, `metadata` follows it) reports a size
    // of 0: it is not an empty file, and opening a pipe would block until a writer comes.
    if !meta.is_dir() && !meta.is_file() {
        return Err(Rejection::NotRegularFile { name });
    }
    check_metadata(path, meta.is_dir(), meta.len(), limits)?;
    let mut header = Vec::with_capacity(MAGIC_READ);
    File::open(path)
        .and_then(|f| f.take(MAGIC_READ as u64).read_to_end(&mut header))
        .map_err(|e| io_rejection(name.clone(), &e))?;
    let media_type = match sniff(&header) {
        Sniffed::Supported(m) => m,
        Sniffed::OtherMedia(kind) => {
            return Err(Rejection::Unsupported {
                name,
                format: kind.to_ascii_uppercase(),
            })
        }
        Sniffed::NotMedia => return Err(Rejection::NotMedia { name }),
    };
    check_size(&name, media_type, meta.len(), limits)?;
    Ok(CheckedFile {
        path: path.to_path_buf(),
        name,
        size: meta.len(),
        modified_ns: modified_ns(&meta),
        media_type,
    })
}

/// Outcome of adding dropped paths to a review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Selection {
    /// Files accepted, in drop order.
    pub accepted: Vec<CheckedFile>,
    /// Refusals with merchant-readable messages, in drop order.
    pub rejected: Vec<Rejection>,
}

/// Checks dropped `paths` against the limits, given the files the review `already` has.
///
/// Count limits apply in drop order: the 11th photo is refused with "A review can have at most
/// 10 photos"; a path already attached is refused too. Blocking; see [`check_files`].
pub fn check_selection(
    already: &[CheckedFile],
    paths: &[PathBuf],
    limits: &MediaLimits,
) -> Selection {
    let mut images = already
        .iter()
        .filter(|f| f.kind() == MediaKind::Image)
        .count();
    let mut videos = already.len() - images;
    let mut out = Selection::default();
    for path in paths {
        let dup = already
            .iter()
            .chain(out.accepted.iter())
            .any(|f| f.path == *path);
        if dup {
            out.rejected.push(Rejection::AlreadyAdded {
                name: display_name(path),
            });
            continue;
        }
        match check_file(path, limits) {
            Err(r) => out.rejected.push(r),
            Ok(f) => match f.kind() {
                MediaKind::Image if images >= limits.max_images => {
                    out.rejected.push(Rejection::TooManyImages {
                        max: limits.max_images,
                    })
                }
                MediaKind::Video if videos >= limits.max_videos => {
                    out.rejected.push(Rejection::TooManyVideos {
                        max: limits.max_videos,
                    })
                }
                MediaKind::Image => {
                    images += 1;
                    out.accepted.push(f);
                }
                MediaKind::Video => {
                    videos += 1;
                    out.accepted.push(f);
                }
            },
        }
    }
    out
}

/// Async [`check_selection`] on the blocking pool (what a Tauri command awaits).
pub async fn check_files(
    already: Vec<CheckedFile>,
    paths: Vec<PathBuf>,
    limits: MediaLimits,
) -> Selection {
    let fallback = paths.clone();
    match tokio::task::spawn_blocking(move || check_selection(&already, &paths, &limits)).await {
        Ok(s) => s,
        // The blocking task panicked or was cancelled: refuse everything rather than guess.
        Err(_) => Selection {
            accepted: Vec::new(),
            rejected: fallback
                .iter()
                .map(|p| Rejection::Unreadable {
                    name: display_name(p),
                })
                .collect(),
        },
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::Cursor;

    /// Encodes a real tiny image in `format` with the `image` crate.
    pub(crate) fn encoded(format: image::ImageFormat, w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_fn(w, h, |x, y| {
            image::Rgba([(x * 40) as u8, (y * 40) as u8, 128, 255])
        });
        let img = image::DynamicImage::ImageRgba8(img);
        let img = if format == image::ImageFormat::Jpeg {
            image::DynamicImage::ImageRgb8(img.to_rgb8())
        } else {
            img
        };
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    /// A minimal ISO-BMFF `ftyp` box (+ empty `mdat`) with the given brands.
    pub(crate) fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len();
        let mut v = Vec::new();
        v.extend_from_slice(&(size as u32).to_be_bytes());
        v.extend_from_slice(b"ftyp");
        v.extend_from_slice(major);
        v.extend_from_slice(&[0, 0, 2, 0]);
        for c in compatible {
            v.extend_from_slice(*c);
        }
        v.extend_from_slice(&[0, 0, 0, 8]);
        v.extend_from_slice(b"mdat");
        v
    }

    pub(crate) fn mp4() -> Vec<u8> {
        ftyp(b"isom", &[b"isom", b"iso2", b"mp41"])
    }

    pub(crate) fn mov() -> Vec<u8> {
        ftyp(b"qt  ", &[b"qt  "])
    }

    pub(crate) fn heic() -> Vec<u8> {
        ftyp(b"heic", &[b"mif1", b"heic"])
    }

    /// An EBML header with DocType `webm`, then an empty Segment.
    pub(crate) fn webm() -> Vec<u8> {
        let mut v = vec![0x1A, 0x45, 0xDF, 0xA3, 0x9F];
        v.extend_from_slice(&[0x42, 0x86, 0x81, 0x01]); // EBMLVersion 1
        v.extend_from_slice(&[0x42, 0xF7, 0x81, 0x01]); // EBMLReadVersion 1
        v.extend_from_slice(&[0x42, 0xF2, 0x81, 0x04]); // EBMLMaxIDLength 4
        v.extend_from_slice(&[0x42, 0xF3, 0x81, 0x08]); // EBMLMaxSizeLength 8
        v.extend_from_slice(&[0x42, 0x82, 0x84, b'w', b'e', b'b', b'm']); // DocType
        v.extend_from_slice(&[0x42, 0x87, 0x81, 0x04]); // DocTypeVersion 4
        v.extend_from_slice(&[0x42, 0x85, 0x81, 0x02]); // DocTypeReadVersion 2
        v.extend_from_slice(&[0x18, 0x53, 0x80, 0x67, 0x80]); // Segment, size 0
        v
    }

    pub(crate) fn pdf() -> Vec<u8> {
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n".to_vec()
    }

    pub(crate) fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn real_images_are_recognised_by_content() {
        use image::ImageFormat as F;
        for (f, want) in [
            (F::Png, MediaType::Png),
            (F::Jpeg, MediaType::Jpeg),
            (F::WebP, MediaType::Webp),
            (F::Gif, MediaType::Gif),
        ] {
            assert_eq!(sniff(&encoded(f, 4, 3)), Sniffed::Supported(want), "{f:?}");
        }
    }

    #[test]
    fn hand_written_video_and_heic_headers_are_recognised() {
        assert_eq!(sniff(&mp4()), Sniffed::Supported(MediaType::Mp4));
        assert_eq!(sniff(&mov()), Sniffed::Supported(MediaType::Mov));
        assert_eq!(sniff(&webm()), Sniffed::Supported(MediaType::Webm));
        assert_eq!(sniff(&heic()), Sniffed::Supported(MediaType::Heic));
        assert_eq!(
            sniff(&ftyp(b"M4V ", &[b"M4V ", b"mp42"])),
            Sniffed::Supported(MediaType::Mp4)
        );
    }

    #[test]
    fn other_media_and_non_media_are_told_apart() {
        assert_eq!(
            sniff(&ftyp(b"avif", &[b"avif", b"mif1"])),
            Sniffed::OtherMedia("avif")
        );
        assert_eq!(sniff(&pdf()), Sniffed::NotMedia);
        assert_eq!(sniff(b"hello, world, this is text"), Sniffed::NotMedia);
        assert_eq!(sniff(&[]), Sniffed::NotMedia);
    }

    #[test]
    fn files_are_judged_by_content_not_extension() {
        let d = tempfile::tempdir().unwrap();
        let lim = MediaLimits::default();
        let fake = write(d.path(), "holiday.jpg", &pdf());
        let e = check_file(&fake, &lim).unwrap_err();
        assert_eq!(e.to_string(), "holiday.jpg is not an image or video");

        let png_as_mp4 = write(
            d.path(),
            "clip.mp4",
            &encoded(image::ImageFormat::Png, 2, 2),
        );
        let f = check_file(&png_as_mp4, &lim).unwrap();
        assert_eq!(f.media_type, MediaType::Png);
        assert_eq!(f.kind(), MediaKind::Image);

        let pdf = write(d.path(), "report.pdf", &pdf());
        assert_eq!(
            check_file(&pdf, &lim).unwrap_err().to_string(),
            "report.pdf is not an image or video"
        );

        let mov = write(d.path(), "IMG_0001.MOV", &mov());
        let f = check_file(&mov, &lim).unwrap();
        assert_eq!(
            (f.media_type, f.size, f.name.as_str()),
            (MediaType::Mov, 28, "IMG_0001.MOV")
        );

        let avif = write(d.path(), "a.avif", &ftyp(b"avif", &[b"avif"]));
        assert!(matches!(
            check_file(&avif, &lim).unwrap_err(),
            Rejection::Unsupported { .. }
        ));
    }

    #[test]
    fn empty_missing_and_directories_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let lim = MediaLimits::default();
        let empty = write(d.path(), "empty.png", b"");
        assert_eq!(
            check_file(&empty, &lim).unwrap_err(),
            Rejection::Empty {
                name: "empty.png".into()
            }
        );
        let gone = d.path().join("IMG_2231.jpg");
        assert_eq!(
            check_file(&gone, &lim).unwrap_err().to_string(),
            "IMG_2231.jpg was moved or deleted"
        );
        let sub = d.path().join("Photos");
        std::fs::create_dir(&sub).unwrap();
        assert!(matches!(
            check_file(&sub, &lim).unwrap_err(),
            Rejection::Directory { .. }
        ));
    }

    /// A named pipe and a link to a device have no size (metadata says 0 bytes) but are not
    /// empty files: calling them "empty" sends the merchant looking for a content problem.
    #[cfg(unix)]
    #[test]
    fn pipes_and_devices_are_not_regular_files_not_empty() {
        use std::os::unix::fs::FileTypeExt;
        let d = tempfile::tempdir().unwrap();
        let lim = MediaLimits::default();
        let fifo = d.path().join("camera-feed.mp4");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success(), "mkfifo failed: {made}");
        assert!(std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo());
        assert_eq!(
            check_file(&fifo, &lim).unwrap_err().to_string(),
            "camera-feed.mp4 is not a regular file; choose a photo or video saved on disk"
        );

        let zero = d.path().join("zero.jpg");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert_eq!(
            check_file(&zero, &lim).unwrap_err(),
            Rejection::NotRegularFile {
                name: "zero.jpg".into()
            }
        );

        // Both come back refused from a whole drop, without blocking on the pipe.
        let s = check_selection(&[], &[fifo, zero], &lim);
        assert!(s.accepted.is_empty());
        assert!(s
            .rejected
            .iter()
            .all(|r| matches!(r, Rejection::NotRegularFile { .. })));
    }

    #[test]
    fn huge_sparse_file_is_refused_from_metadata() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("holiday.mov");
        let f = File::create(&p).unwrap();
        f.set_len(10 * 1024 * 1024 * 1024).unwrap(); // sparse: no disk used
        drop(f);
        let e = check_file(&p, &MediaLimits::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "holiday.mov is 10 GB; videos can be at most 2 GB"
        );
        // The pure metadata step alone refuses it (so no byte is ever read).
        assert!(check_metadata(&p, false, 10 << 30, &MediaLimits::default()).is_err());
        let e = check_metadata(
            Path::new("big.jpg"),
            false,
            10 << 30,
            &MediaLimits::default(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "big.jpg is 10 GB; photos can be at most 20 MB"
        );
    }

    #[test]
    fn size_limits_per_kind() {
        let lim = MediaLimits::default();
        let e = check_size("holiday.mov", MediaType::Mov, 2_576_980_378, &lim).unwrap_err();
        assert_eq!(
            e.to_string(),
            "holiday.mov is 2.4 GB; videos can be at most 2 GB"
        );
        // One byte over still reads as over (sizes round up, limits down).
        let e = check_size("a.mp4", MediaType::Mp4, (2 << 30) + 1, &lim).unwrap_err();
        assert_eq!(e.to_string(), "a.mp4 is 2.1 GB; videos can be at most 2 GB");
        assert!(check_size("a.mp4", MediaType::Mp4, 2 << 30, &lim).is_ok());
        let e = check_size("cat.png", MediaType::Png, (20 << 20) + 1, &lim).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cat.png is 20.1 MB; photos can be at most 20 MB"
        );
        assert!(check_size("cat.png", MediaType::Png, 20 << 20, &lim).is_ok());

        // A configurable limit applies to an actual file.
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "x.webm", &webm());
        let small = MediaLimits {
            max_video_bytes: 10,
            ..lim
        };
        assert!(matches!(
            check_file(&p, &small).unwrap_err(),
            Rejection::VideoTooLarge { .. }
        ));
    }

    #[test]
    fn count_limits_apply_in_drop_order() {
        let d = tempfile::tempdir().unwrap();
        let lim = MediaLimits::default();
        let png = encoded(image::ImageFormat::Png, 2, 2);
        let mut paths: Vec<PathBuf> = (0..12)
            .map(|i| write(d.path(), &format!("p{i}.png"), &png))
            .collect();
        paths.push(write(d.path(), "a.mp4", &mp4()));
        paths.push(write(d.path(), "b.webm", &webm()));
        paths.push(paths[0].clone());
        let s = check_selection(&[], &paths, &lim);
        assert_eq!(s.accepted.len(), 11);
        assert_eq!(
            s.accepted
                .iter()
                .filter(|f| f.kind() == MediaKind::Video)
                .count(),
            1
        );
        let msgs: Vec<String> = s.rejected.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "A review can have at most 10 photos",
                "A review can have at most 10 photos",
                "A review can have at most 1 video",
                "p0.png is already attached",
            ]
        );
        // Adding to a review that already has 10 photos refuses the next one.
        let s2 = check_selection(&s.accepted, &[write(d.path(), "more.png", &png)], &lim);
        assert!(s2.accepted.is_empty());
        assert_eq!(s2.rejected, [Rejection::TooManyImages { max: 10 }]);
    }

    #[tokio::test]
    async fn async_check_runs_on_the_blocking_pool() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "a.gif", &encoded(image::ImageFormat::Gif, 3, 3));
        let s = check_files(Vec::new(), vec![p], MediaLimits::default()).await;
        assert_eq!(s.accepted[0].media_type, MediaType::Gif);
    }
}
