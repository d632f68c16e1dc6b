//! Previews made in Rust: decoded with `image` under strict limits, scaled to fit a box keeping
//! the aspect ratio, encoded as JPEG into a cache directory the caller owns.
//!
//! Why in Rust and on disk: the webview then shows a small file from the app cache (a narrow
//! asset scope) instead of the original; and the cache name is a hash of (path, size, mtime),
//! so adding the same unchanged file again costs nothing. Why limits: a 50 KB PNG can claim
//! 100 000 × 100 000 pixels; the decoder must refuse it before allocating.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageError, ImageReader, Limits};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::check::{CheckedFile, MediaType};
use crate::error::ThumbnailError;

/// Thumbnail size and decode bounds.
///
/// Why configurable: the UI decides the tile size; tests shrink the limits to prove a bomb is
/// refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThumbnailConfig {
    /// Box the thumbnail fits in (aspect kept), pixels.
    pub max_width: u32,
    /// Box height, pixels.
    pub max_height: u32,
    /// JPEG quality 1–100.
    pub jpeg_quality: u8,
    /// Largest source width/height accepted by the decoder.
    pub max_source_dimension: u32,
    /// Largest decoded buffer, bytes (width × height × bytes per pixel).
    pub max_decode_bytes: u64,
}

impl Default for ThumbnailConfig {
    fn default() -> Self {
        Self {
            max_width: 320,
            max_height: 320,
            jpeg_quality: 80,
            // 16 384 px covers every phone and DSLR photo (a 200 MP sensor is ~16 320 px wide).
            max_source_dimension: 16_384,
            // 200 MP × 4 bytes (RGBA8 after conversion) ≈ 800 MB would be too much for a
            // desktop helper; 512 MiB matches the `image` default and fits a 100 MP RGBA photo.
            max_decode_bytes: 512 * 1024 * 1024,
        }
    }
}

/// What the UI shows for an attachment before it is uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Preview {
    /// A JPEG thumbnail on disk (show it through the asset protocol).
    Image {
        /// Cached thumbnail file.
        thumbnail: PathBuf,
        /// Thumbnail width in pixels.
        width: u32,
        /// Thumbnail height in pixels.
        height: u32,
    },
    /// A photo we upload but cannot decode here (HEIC): show a generic photo tile.
    PhotoTile {
        /// Type, for the tile's label.
        media_type: MediaType,
    },
    /// A video: show a video tile with its name and size (no frame is extracted; that would
    /// need ffmpeg or a codec stack).
    VideoTile {
        /// Type, for the tile's label.
        media_type: MediaType,
        /// Size in bytes.
        size: u64,
    },
}

/// Cache file name for a source: SHA-256 of (path, size, mtime) + the box size, hex.
///
/// Why these inputs: a changed file (new size or mtime) gets a new thumbnail, an unchanged one
/// reuses it; the box size is included so a UI change does not serve stale sizes.
pub fn cache_key(file: &CheckedFile, cfg: &ThumbnailConfig) -> String {
    let mut h = Sha256::new();
    h.update(file.path.to_string_lossy().as_bytes());
    h.update([0]);
    h.update(file.size.to_le_bytes());
    h.update(file.modified_ns.to_le_bytes());
    h.update(cfg.max_width.to_le_bytes());
    h.update(cfg.max_height.to_le_bytes());
    h.update([cfg.jpeg_quality]);
    let digest = h.finalize();
    hex::encode(&digest[..16])
}

fn limits(cfg: &ThumbnailConfig) -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(cfg.max_source_dimension);
    l.max_image_height = Some(cfg.max_source_dimension);
    l.max_alloc = Some(cfg.max_decode_bytes);
    l
}

fn map_image_error(name: &str, e: ImageError) -> ThumbnailError {
    match e {
        ImageError::Limits(_) => ThumbnailError::TooLarge {
            name: name.to_owned(),
        },
        ImageError::IoError(source) => ThumbnailError::Io {
            name: name.to_owned(),
            source,
        },
        _ => ThumbnailError::Corrupt {
            name: name.to_owned(),
        },
    }
}

/// Decodes `path` under the limits, honouring EXIF orientation.
fn decode(path: &Path, name: &str, cfg: &ThumbnailConfig) -> Result<DynamicImage, ThumbnailError> {
    let io = |source| ThumbnailError::Io {
        name: name.to_owned(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let mut reader = ImageReader::new(BufReader::new(file))
        .with_guessed_format()
        .map_err(io)?;
    reader.limits(limits(cfg));
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| map_image_error(name, e))?;
    // `into_decoder` checks the dimensions; check the decoded size too, since not every decoder
    // enforces `max_alloc` itself.
    if decoder.total_bytes() > cfg.max_decode_bytes {
        return Err(ThumbnailError::TooLarge {
            name: name.to_owned(),
        });
    }
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| map_image_error(name, e))?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img)
}

/// Makes (or reuses) the preview of a checked file. Blocking and CPU-bound: call it from
/// `spawn_blocking` or use [`preview`].
///
/// Returns [`Preview::Image`] with a JPEG in `cache_dir` named `<hash>.jpg`, a
/// [`Preview::PhotoTile`] for HEIC, and a [`Preview::VideoTile`] for videos.
pub fn make_preview(
    file: &CheckedFile,
    cache_dir: &Path,
    cfg: &ThumbnailConfig,
) -> Result<Preview, ThumbnailError> {
    if file.media_type.kind() == reviewdesk_core::MediaKind::Video {
        return Ok(Preview::VideoTile {
            media_type: file.media_type,
            size: file.size,
        });
    }
    if !file.media_type.can_thumbnail() {
        return Ok(Preview::PhotoTile {
            media_type: file.media_type,
        });
    }
    let name = file.name.as_str();
    let io = |source| ThumbnailError::Io {
        name: name.to_owned(),
        source,
    };
    let target = cache_dir.join(format!("{}.jpg", cache_key(file, cfg)));
    if let Ok(dims) = image::image_dimensions(&target) {
        return Ok(Preview::Image {
            thumbnail: target,
            width: dims.0,
            height: dims.1,
        });
    }
    let img = decode(&file.path, name, cfg)?;
    let (bw, bh) = (cfg.max_width.max(1), cfg.max_height.max(1));
    // `thumbnail` also scales small images up; a preview never needs more pixels than the source.
    let thumb = if img.width() <= bw && img.height() <= bh {
        img
    } else {
        img.thumbnail(bw, bh)
    };
    // JPEG has no alpha: flatten to RGB (transparent pixels become their colour channels).
    let rgb = thumb.to_rgb8();
    std::fs::create_dir_all(cache_dir).map_err(io)?;
    // Write to a unique temporary name, then rename: a reader never sees half a JPEG and two
    // concurrent previews of the same file do not corrupt each other.
    let tmp = cache_dir.join(format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
    let written = (|| -> Result<(), ThumbnailError> {
        let mut out = BufWriter::new(File::create(&tmp).map_err(io)?);
        JpegEncoder::new_with_quality(&mut out, cfg.jpeg_quality.clamp(1, 100))
            .encode_image(&rgb)
            .map_err(|e| map_image_error(name, e))?;
        out.flush().map_err(io)?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &target).map_err(io)?;
    Ok(Preview::Image {
        thumbnail: target,
        width: rgb.width(),
        height: rgb.height(),
    })
}

/// Async [`make_preview`] on the blocking pool (what a Tauri command awaits).
pub async fn preview(
    file: CheckedFile,
    cache_dir: PathBuf,
    cfg: ThumbnailConfig,
) -> Result<Preview, ThumbnailError> {
    let name = file.name.clone();
    tokio::task::spawn_blocking(move || make_preview(&file, &cache_dir, &cfg))
        .await
        .unwrap_or_else(|e| {
            Err(ThumbnailError::Io {
                name,
                source: std::io::Error::other(e.to_string()),
            })
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::check::tests::{encoded, heic, mp4, write};
    use crate::check::{check_file, MediaLimits};

    fn checked(dir: &Path, name: &str, bytes: &[u8]) -> CheckedFile {
        let p = write(dir, name, bytes);
        check_file(&p, &MediaLimits::default()).unwrap()
    }

    #[test]
    fn thumbnails_fit_the_box_keeping_aspect_and_are_cached() {
        let src = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let cfg = ThumbnailConfig::default();
        for (fmt, name) in [
            (image::ImageFormat::Png, "wide.png"),
            (image::ImageFormat::Jpeg, "wide.jpg"),
            (image::ImageFormat::WebP, "wide.webp"),
            (image::ImageFormat::Gif, "wide.gif"),
        ] {
            let f = checked(src.path(), name, &encoded(fmt, 640, 160));
            let p = make_preview(&f, cache.path(), &cfg).unwrap();
            let Preview::Image {
                thumbnail,
                width,
                height,
            } = p.clone()
            else {
                panic!("{p:?}")
            };
            assert_eq!((width, height), (320, 80), "{name}");
            assert!(thumbnail.starts_with(cache.path()));
            let bytes = std::fs::read(&thumbnail).unwrap();
            assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF], "JPEG magic");
            assert_eq!(image::image_dimensions(&thumbnail).unwrap(), (320, 80));
            // Same file again: same path, served from the cache (mtime of the file unchanged).
            let before = std::fs::metadata(&thumbnail).unwrap().modified().unwrap();
            assert_eq!(make_preview(&f, cache.path(), &cfg).unwrap(), p);
            let after = std::fs::metadata(&thumbnail).unwrap().modified().unwrap();
            assert_eq!(before, after);
        }
        // Small images are not upscaled.
        let f = checked(
            src.path(),
            "tiny.png",
            &encoded(image::ImageFormat::Png, 10, 20),
        );
        assert!(matches!(
            make_preview(&f, cache.path(), &cfg).unwrap(),
            Preview::Image {
                width: 10,
                height: 20,
                ..
            }
        ));
    }

    #[test]
    fn a_changed_file_gets_a_new_cache_key() {
        let src = tempfile::tempdir().unwrap();
        let cfg = ThumbnailConfig::default();
        let mut f = checked(src.path(), "a.png", &encoded(image::ImageFormat::Png, 4, 4));
        let k1 = cache_key(&f, &cfg);
        f.modified_ns += 1;
        assert_ne!(k1, cache_key(&f, &cfg));
        f.modified_ns -= 1;
        f.size += 1;
        assert_ne!(k1, cache_key(&f, &cfg));
    }

    #[test]
    fn videos_and_heic_get_tiles() {
        let src = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let cfg = ThumbnailConfig::default();
        let v = checked(src.path(), "clip.mp4", &mp4());
        assert_eq!(
            make_preview(&v, cache.path(), &cfg).unwrap(),
            Preview::VideoTile {
                media_type: MediaType::Mp4,
                size: v.size
            }
        );
        let h = checked(src.path(), "IMG_1.HEIC", &heic());
        assert_eq!(
            make_preview(&h, cache.path(), &cfg).unwrap(),
            Preview::PhotoTile {
                media_type: MediaType::Heic
            }
        );
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    fn chunk(out: &mut Vec<u8>, ty: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(ty);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }

    /// A 60-byte PNG that claims to be `w` × `h` RGBA pixels.
    fn bomb_png(w: u32, h: u32) -> Vec<u8> {
        let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&w.to_be_bytes());
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        chunk(&mut out, b"IHDR", &ihdr);
        chunk(
            &mut out,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        chunk(&mut out, b"IEND", &[]);
        out
    }

    #[test]
    fn decompression_bombs_are_refused_before_allocating() {
        let src = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let cfg = ThumbnailConfig::default();
        // 100 000 × 100 000 RGBA = 40 GB decoded: refused by the dimension limit.
        let f = checked(src.path(), "bomb.png", &bomb_png(100_000, 100_000));
        let e = make_preview(&f, cache.path(), &cfg).unwrap_err();
        assert!(matches!(e, ThumbnailError::TooLarge { .. }), "{e:?}");
        assert_eq!(e.to_string(), "bomb.png is too large to preview");
        // 16 000 × 16 000 RGBA = 1 GB: within the dimension limit, refused by the byte limit.
        let f = checked(src.path(), "bomb2.png", &bomb_png(16_000, 16_000));
        let e = make_preview(&f, cache.path(), &cfg).unwrap_err();
        assert!(matches!(e, ThumbnailError::TooLarge { .. }), "{e:?}");
        // Nothing was written to the cache.
        assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 0);
    }

    #[test]
    fn truncated_images_are_reported_as_damaged() {
        let src = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let mut png = encoded(image::ImageFormat::Png, 64, 64);
        png.truncate(60);
        let f = checked(src.path(), "cut.png", &png);
        let e = make_preview(&f, cache.path(), &ThumbnailConfig::default()).unwrap_err();
        assert!(
            matches!(
                e,
                ThumbnailError::Corrupt { .. } | ThumbnailError::Io { .. }
            ),
            "{e:?}"
        );
    }

    #[tokio::test]
    async fn async_preview_works() {
        let src = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let f = checked(
            src.path(),
            "a.jpg",
            &encoded(image::ImageFormat::Jpeg, 8, 8),
        );
        let p = preview(f, cache.path().join("nested"), ThumbnailConfig::default())
            .await
            .unwrap();
        assert!(matches!(p, Preview::Image { width: 8, .. }), "{p:?}");
    }
}
