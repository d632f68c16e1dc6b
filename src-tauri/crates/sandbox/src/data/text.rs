//! A generated review's texts and media, rebuilt from its pool indices.

use super::*;

/// Phrase pools by rating (title pool, phrase pool).
pub(crate) fn pools(rating: u8) -> (&'static [&'static str], &'static [&'static str]) {
    match rating {
        4 | 5 => (POS_TITLES, POS_PHRASES),
        3 => (MID_TITLES, MID_PHRASES),
        _ => (NEG_TITLES, NEG_PHRASES),
    }
}

/// Lowercase ASCII words joined by `-`, for handles and email addresses: accented letters
/// become their plain ones first (Lucía Müller → `lucia`, `muller`), as a shop's real addresses
/// would be, not holes (`luc-a`, `m-ller`).
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in deunicode::deunicode(s).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Author name of a review.
pub fn author(r: &Review) -> String {
    match &r.text {
        Text::Gen { first, last, .. } => format!(
            "{} {}.",
            FIRST[*first as usize % FIRST.len()],
            LAST[*last as usize % LAST.len()]
                .chars()
                .next()
                .unwrap_or('X')
        ),
        Text::Owned(o) => o.author.clone(),
    }
}

/// Title of a review.
pub fn title(r: &Review) -> String {
    match &r.text {
        Text::Gen { title, .. } => {
            let (t, _) = pools(r.rating);
            t[*title as usize % t.len()].to_string()
        }
        Text::Owned(o) => o.title.clone(),
    }
}

/// Writes the content of a review into `out` (no allocation for seeded ones beyond `out`).
pub fn content_into(r: &Review, out: &mut String) {
    out.clear();
    push_content(r, out);
}

pub(crate) fn push_content(r: &Review, out: &mut String) {
    match &r.text {
        Text::Gen { phrases, .. } => {
            let (_, p) = pools(r.rating);
            let mut first = true;
            for &i in phrases.iter().filter(|&&i| i != u16::MAX) {
                if !first {
                    out.push(' ');
                }
                first = false;
                out.push_str(p[i as usize % p.len()]);
            }
        }
        Text::Owned(o) => out.push_str(&o.content),
    }
}

/// Case-insensitive keyword match over author, title and content (CHOICES `keyword`).
/// Builds one haystack in a reused buffer so a scan of a million reviews stays cheap.
pub fn matches_keyword(r: &Review, kw_lower: &str, buf: &mut String) -> bool {
    buf.clear();
    match &r.text {
        Text::Gen {
            first, last, title, ..
        } => {
            buf.push_str(FIRST[*first as usize % FIRST.len()]);
            buf.push(' ');
            buf.push(
                LAST[*last as usize % LAST.len()]
                    .chars()
                    .next()
                    .unwrap_or('X'),
            );
            buf.push_str(".\n");
            let (t, _) = pools(r.rating);
            buf.push_str(t[*title as usize % t.len()]);
        }
        Text::Owned(o) => {
            buf.push_str(&o.author);
            buf.push('\n');
            buf.push_str(&o.title);
        }
    }
    buf.push('\n');
    push_content(r, buf);
    if buf.is_ascii() {
        buf.make_ascii_lowercase();
        buf.contains(kw_lower)
    } else {
        buf.to_lowercase().contains(kw_lower)
    }
}

/// Media of a review; seeded media point at images the sandbox itself renders.
pub fn media(r: &Review, shop_id: u64, base: &str) -> Vec<MediaItem> {
    match &r.text {
        Text::Gen { media, .. } => {
            let mut v = Vec::new();
            let n = match media {
                0 => 0,
                4 => 1,
                n => *n,
            };
            for i in 0..n {
                v.push(MediaItem {
                    url: format!("{base}/storage/seed/{shop_id}/{}-{i}.png", r.id),
                    thumbnail_url: format!("{base}/storage/seed/{shop_id}/{}-{i}-thumb.png", r.id),
                    kind: 1,
                    is_published: 1,
                });
            }
            if *media == 4 {
                v.push(MediaItem {
                    url: format!("{base}/storage/seed/{shop_id}/{}-video.mp4", r.id),
                    thumbnail_url: format!("{base}/storage/seed/{shop_id}/{}-0-thumb.png", r.id),
                    kind: 2,
                    is_published: 1,
                });
            }
            v
        }
        Text::Owned(o) => o.media.clone(),
    }
}
