//! The timestamp forms Trustoo sends.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Parses the timestamp forms Trustoo uses into unix seconds.
///
/// Why public: the UI and store compare times; one parser keeps them consistent.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(t) = parse_plain_digits(s) {
        return Some(t);
    }
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t.unix_timestamp());
    }
    if let Ok(t) = PrimitiveDateTime::parse(
        s,
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    ) {
        return Some(t.assume_utc().unix_timestamp());
    }
    if let Ok(t) = PrimitiveDateTime::parse(
        s,
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
    ) {
        return Some(t.assume_utc().unix_timestamp());
    }
    if let Ok(d) = time::Date::parse(s, format_description!("[year]-[month]-[day]")) {
        return Some(d.midnight().assume_utc().unix_timestamp());
    }
    None
}

/// The form the API sends, `YYYY-MM-DD HH:MM:SS` (UTC), read digit by digit: every review
/// carries two or three timestamps, and the general path above first fails as an integer and
/// as RFC 3339 and then runs `time`'s format interpreter (7 % of a page's decoding, perf).
/// Anything else, an impossible date included, is left to the general path.
fn parse_plain_digits(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let separators = [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')];
    if b.len() != 19 || separators.iter().any(|&(i, c)| b.get(i) != Some(&c)) {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u16> {
        b.get(from..to)?.iter().try_fold(0u16, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u16::from(d - b'0'))
        })
    };
    let small = |from: usize| number(from, from + 2).and_then(|n| u8::try_from(n).ok());
    let month = time::Month::try_from(small(5)?).ok()?;
    let date = time::Date::from_calendar_date(i32::from(number(0, 4)?), month, small(8)?).ok()?;
    let clock = time::Time::from_hms(small(11)?, small(14)?, small(17)?).ok()?;
    Some(
        PrimitiveDateTime::new(date, clock)
            .assume_utc()
            .unix_timestamp(),
    )
}

/// Formats unix seconds as `YYYY-MM-DD HH:MM:SS` (UTC), the form the docs use in requests.
pub fn format_plain(ts: i64) -> String {
    OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second]"
            ))
            .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_plain_form_read_by_digits_agrees_with_the_general_parser() {
        let general = |s: &str| {
            PrimitiveDateTime::parse(
                s,
                format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
            )
            .ok()
            .map(|t| t.assume_utc().unix_timestamp())
        };
        // Every day of 1999-2001 and 2024 (leap years, a century rule) at a varying time.
        let mut checked = 0;
        for day in (10_592..11_688).chain(19_723..20_089) {
            let ts = day * 86_400 + (day % 24) * 3_600 + 59 * 60 + 7;
            let text = format_plain(ts);
            assert_eq!(parse_plain_digits(&text), Some(ts), "{text}");
            assert_eq!(general(&text), Some(ts), "{text}");
            checked += 1;
        }
        assert_eq!(checked, 1_096 + 366);
        for bad in [
            "2025-02-29 10:00:00",
            "2024-13-01 00:00:00",
            "2024-00-10 00:00:00",
            "2024-06-31 00:00:00",
            "2024-06-20 24:00:00",
            "2024-06-20 23:60:00",
            "2024-06-20 23:59:60",
            "2024-06-20T23:59:59",
            "2024-6-20 23:59:59 ",
            "+024-06-20 23:59:59",
            "2024-06-20 23:59:5x",
        ] {
            assert_eq!(parse_plain_digits(bad), None, "{bad}");
            assert_eq!(parse_plain_digits(bad), general(bad), "{bad}");
        }
        assert_eq!(parse_timestamp("2024-06-20T23:59:59"), Some(1_718_927_999));
    }

    #[test]
    fn timestamps_in_every_documented_form() {
        assert_eq!(parse_timestamp("2025-06-20T11:06:48Z"), Some(1_750_417_608));
        assert_eq!(parse_timestamp("2025-06-20 11:06:48"), Some(1_750_417_608));
        assert_eq!(
            parse_timestamp("2025-06-20T13:06:48+02:00"),
            Some(1_750_417_608)
        );
        assert_eq!(parse_timestamp("1750417608"), Some(1_750_417_608));
        assert_eq!(parse_timestamp("2025-06-20"), Some(1_750_377_600));
        assert_eq!(parse_timestamp("2026-05-2"), None);
        assert_eq!(parse_timestamp(""), None);
        assert_eq!(format_plain(1_750_417_608), "2025-06-20 11:06:48");
    }
}
