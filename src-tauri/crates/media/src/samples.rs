//! Real sample media for tests and benchmarks: images encoded by the `image` crate and a
//! minimal MP4 whose magic bytes pass [`crate::check`]. Public so this crate's integration
//! tests, the app's end-to-end tests and the benchmarks all make their files the same way.

use std::io::Cursor;

pub use image::ImageFormat;

/// A `w`×`h` RGB gradient tinted by `tint`, encoded as `format`.
pub fn image(format: ImageFormat, w: u32, h: u32, tint: u8) -> Result<Vec<u8>, image::ImageError> {
    let (w, h) = (w.max(1), h.max(1));
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, tint])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, format)?;
    Ok(out.into_inner())
}

/// An MP4 `ftyp` box, an `mdat` header, then `payload` bytes of (fake) media data.
pub fn mp4(payload: usize) -> Vec<u8> {
    let mut v = vec![0, 0, 0, 20];
    v.extend_from_slice(b"ftypisom\0\0\x02\0mp41");
    v.extend_from_slice(&((payload + 8) as u32).to_be_bytes());
    v.extend_from_slice(b"mdat");
    v.extend((0..payload).map(|i| (i % 251) as u8));
    v
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn samples_are_what_their_magic_bytes_say() {
        let png = image(ImageFormat::Png, 8, 6, 1).unwrap();
        assert_eq!(infer::get(&png).unwrap().mime_type(), "image/png");
        let jpeg = image(ImageFormat::Jpeg, 8, 6, 1).unwrap();
        assert_eq!(infer::get(&jpeg).unwrap().mime_type(), "image/jpeg");
        let video = mp4(100);
        assert_eq!(video.len(), 28 + 100);
        assert_eq!(infer::get(&video).unwrap().mime_type(), "video/mp4");
    }
}
