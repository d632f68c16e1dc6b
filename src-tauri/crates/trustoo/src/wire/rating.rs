//! The rating summary.

use reviewdesk_core::RatingSummary;
use serde::Deserialize;

use super::de;

/// `data` of `get_rating`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireRating {
    #[serde(default, deserialize_with = "de::f64")]
    rating_value: f64,
    #[serde(default, deserialize_with = "de::u64")]
    review_count: u64,
    #[serde(default, deserialize_with = "de::u64")]
    star1_count: u64,
    #[serde(default, deserialize_with = "de::u64")]
    star2_count: u64,
    #[serde(default, deserialize_with = "de::u64")]
    star3_count: u64,
    #[serde(default, deserialize_with = "de::u64")]
    star4_count: u64,
    #[serde(default, deserialize_with = "de::u64")]
    star5_count: u64,
}

impl WireRating {
    pub(crate) fn into_domain(self) -> RatingSummary {
        let stars = [
            self.star1_count,
            self.star2_count,
            self.star3_count,
            self.star4_count,
            self.star5_count,
        ];
        let mut s = RatingSummary::from_star_counts(stars);
        if s.count == 0 && self.review_count > 0 {
            // Per-star counts missing: keep the server's totals.
            s.count = self.review_count;
            s.average = self.rating_value;
        }
        s
    }
}
