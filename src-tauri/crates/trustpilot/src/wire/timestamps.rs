//! The timestamp forms Trustpilot sends and takes.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Parses a Trustpilot timestamp into unix seconds (UTC).
///
/// Accepts `2013-09-07T13:37:00` (the docs' form, no zone: read as UTC, trustpilot-api.md §4.6),
/// the same with `Z`, an offset, or fractions of a second (`…12.345Z`, as reply and report times
/// carry), a space instead of `T`, and a bare date (midnight). Anything else is `None`.
///
/// Why public: the sync compares and stores these times; one parser keeps them consistent.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t.unix_timestamp());
    }
    let no_zone = format_description!(
        version = 2,
        "[year]-[month]-[day][first [T][ ]][hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    // A zone designator RFC 3339 did not take (lower-case `z`): drop it and read as UTC.
    let bare = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    if let Ok(t) = PrimitiveDateTime::parse(bare, no_zone) {
        return Some(t.assume_utc().unix_timestamp());
    }
    if let Ok(d) = time::Date::parse(s, format_description!("[year]-[month]-[day]")) {
        return Some(d.midnight().assume_utc().unix_timestamp());
    }
    None
}

/// Formats unix seconds the way the docs write `startDateTime`/`endDateTime`:
/// `2013-09-07T13:37:00`, UTC, no zone.
pub fn format_query_time(ts: i64) -> String {
    OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]"
            ))
            .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_seen_or_documented() {
        let t = 1_378_561_020; // 2013-09-07T13:37:00Z
        for s in [
            "2013-09-07T13:37:00",
            "2013-09-07T13:37:00Z",
            "2013-09-07T13:37:00z",
            "2013-09-07T13:37:00.000Z",
            "2013-09-07T13:37:00.5",
            "2013-09-07T13:37:00.123456Z",
            "2013-09-07T15:37:00+02:00",
            "2013-09-07 13:37:00",
            " 2013-09-07T13:37:00Z ",
        ] {
            assert_eq!(parse_timestamp(s), Some(t), "{s}");
        }
        assert_eq!(parse_timestamp("2013-09-07"), Some(t - 13 * 3600 - 37 * 60));
        for bad in [
            "",
            "yesterday",
            "2013-13-07T13:37:00",
            "2013-09-07T25:00:00",
            "1378561020",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn query_times_round_trip() {
        assert_eq!(format_query_time(1_378_561_020), "2013-09-07T13:37:00");
        assert_eq!(
            parse_timestamp(&format_query_time(1_700_000_000)),
            Some(1_700_000_000)
        );
    }
}
