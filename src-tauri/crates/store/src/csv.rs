//! CSV export: RFC 4180 quoting plus a guard against spreadsheet formula injection.

use std::fmt::Write as _;
use std::io::Write;

use reviewdesk_core::{MediaKind, ReviewRow};

use crate::reviews::DetailColumns;

const HEADER: &[&str] = &[
    "id",
    "product_id",
    "product_title",
    "product_handle",
    "is_store_review",
    "rating",
    "author",
    "author_email",
    "author_country",
    "title",
    "content",
    "source",
    "is_verified",
    "is_featured",
    "is_published",
    "is_pinned",
    "item_type",
    "order_id",
    "commented_at",
    "updated_at",
    "image_urls",
    "video_urls",
    "reply_content",
    "reply_at",
    "triage",
    "deleted_at",
    "deleted_remotely_at",
];

/// Appends one text cell to `out`, quoted when needed.
///
/// * A cell starting with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'` so
///   Excel, Numbers or Sheets show it as text instead of running it as a formula (a review
///   body is attacker-controlled text).
/// * A cell containing a comma, quote, CR or LF (or starting/ending with a space) is wrapped
///   in double quotes, with inner quotes doubled (RFC 4180).
pub fn write_csv_cell(out: &mut String, value: &str) {
    let guard = matches!(
        value.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    );
    let needs_quotes = guard
        || value.contains([',', '"', '\n', '\r'])
        || value.starts_with(' ')
        || value.ends_with(' ');
    if needs_quotes {
        out.push('"');
    }
    if guard {
        out.push('\'');
    }
    if needs_quotes {
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// A number or fixed keyword cell (never needs quoting or guarding).
fn plain(out: &mut String, value: impl std::fmt::Display) {
    let _ = write!(out, "{value}");
}

/// Unix seconds as an RFC 3339 UTC date, empty for 0 or out of range.
fn date(out: &mut String, secs: i64) {
    if secs == 0 {
        return;
    }
    if let Ok(t) = time::OffsetDateTime::from_unix_timestamp(secs) {
        if let Ok(text) = t.format(&time::format_description::well_known::Rfc3339) {
            out.push_str(&text);
        }
    }
}

pub(crate) fn write_header(out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(HEADER.join(",").as_bytes())?;
    out.write_all(b"\r\n")
}

/// Formats one row (with the trailing CRLF) into `out`.
pub(crate) fn format_row(row: &ReviewRow, out: &mut String) {
    let r = &row.review;
    let flag = |b: bool| if b { 1 } else { 0 };
    write_csv_cell(out, r.id.as_str());
    out.push(',');
    write_csv_cell(out, r.product_id.as_str());
    out.push(',');
    write_csv_cell(out, &r.product_title);
    out.push(',');
    write_csv_cell(out, &r.product_handle);
    out.push(',');
    plain(out, flag(r.is_store_review));
    out.push(',');
    plain(out, r.rating);
    out.push(',');
    // The provider's columns as the store keeps them (Trustoo's; empty for other providers).
    let d = DetailColumns::of(&r.details);
    for text in [
        r.author.as_str(),
        d.author_email,
        &r.author_country,
        &r.title,
        &r.content,
        d.source,
    ] {
        write_csv_cell(out, text);
        out.push(',');
    }
    for b in [r.is_verified, d.is_featured, d.is_published, d.is_pinned] {
        plain(out, flag(b));
        out.push(',');
    }
    write_csv_cell(out, d.item_type);
    out.push(',');
    write_csv_cell(out, d.order_id);
    out.push(',');
    date(out, r.commented_at);
    out.push(',');
    date(out, r.updated_at);
    out.push(',');
    for kind in [MediaKind::Image, MediaKind::Video] {
        let urls: Vec<&str> = r
            .media
            .iter()
            .filter(|m| m.kind == kind)
            .map(|m| m.url.as_str())
            .collect();
        write_csv_cell(out, &urls.join(" "));
        out.push(',');
    }
    match &r.reply {
        Some(reply) => {
            write_csv_cell(out, &reply.content);
            out.push(',');
            write_csv_cell(out, &reply.reply_at);
        }
        None => out.push(','),
    }
    out.push(',');
    plain(out, row.triage.as_str());
    out.push(',');
    if let Some(at) = row.deleted_at {
        date(out, at);
    }
    out.push(',');
    if let Some(at) = row.deleted_remotely_at {
        date(out, at);
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(v: &str) -> String {
        let mut s = String::new();
        write_csv_cell(&mut s, v);
        s
    }

    #[test]
    fn plain_text_is_left_alone() {
        assert_eq!(cell("Great shirt"), "Great shirt");
        assert_eq!(cell("Ünïcode 👍"), "Ünïcode 👍");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn separators_and_quotes_are_quoted() {
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("line1\nline2"), "\"line1\nline2\"");
        assert_eq!(cell("cr\rlf"), "\"cr\rlf\"");
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+1"), "\"'+1\"");
        assert_eq!(cell("-2"), "\"'-2\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("a=b"), "a=b");
    }

    #[test]
    fn header_has_one_name_per_column() {
        assert_eq!(HEADER.len(), 27);
    }
}
