//! A year of a shop's widget events, computed on demand instead of stored.
//!
//! Why procedural: a mid-size shop's reviews widget records about two million events a year
//! (views on every product page, expands, media clicks, paging…). Stored as structs that would
//! be ~160 MB per sandbox, and tests start many sandboxes. Instead the log keeps one number per
//! day (a running total) and derives event `i` from a hash of `i`: the same seed gives the same
//! events, an unfiltered page costs only its own items, and a filtered listing is one pass.
//!
//! Shape of the volumes (chosen, the docs give none): a weekly rhythm (weekends busier), slow
//! growth over the year, a November peak, and day-to-day noise; the mix of types, sources and
//! operating systems below is weighted like a storefront widget's traffic.

use super::Event;
use crate::util::Rng;

/// Event types (the documented enum of §3.22) with their weight in a widget's traffic.
pub(crate) const EVENT_TYPES: &[(&str, u64)] = &[
    ("VIEW_REVIEW", 6_800),
    ("EXPAND_CONTENT", 1_050),
    ("CLICK_MEDIA", 600),
    ("PAGINATION", 520),
    ("CLICK_REVIEW", 400),
    ("FILTER_REVIEW", 260),
    ("SORT_REVIEW", 180),
    ("CLOSE_VIDEO_POPUP", 150),
    ("SUBMIT_REVIEW", 40),
];

/// Sources (documented values of §3.22) and their weights.
pub(crate) const EVENT_SOURCES: &[(&str, u64)] =
    &[("STOREFRONT", 915), ("EMAIL", 65), ("ADMIN", 20)];

/// Operating systems (documented `IOS`, `ANDROID`, `WINDOWS`, "etc.": the sandbox adds `MACOS`
/// and `LINUX`) and their weights.
pub(crate) const OS_TYPES: &[(&str, u64)] = &[
    ("IOS", 430),
    ("ANDROID", 310),
    ("WINDOWS", 160),
    ("MACOS", 85),
    ("LINUX", 15),
];

/// Seconds in a day.
const DAY: i64 = 86_400;

/// One shop's event log over `days` days ending at `end`.
#[derive(Debug, Clone, Default)]
pub struct EventLog {
    /// First second of the first day.
    start: i64,
    /// `cumulative[d]` = events before day `d`; the last entry is the total.
    cumulative: Vec<u64>,
    /// Hash salt (per shop).
    salt: u64,
    /// First event id.
    id_base: u64,
    /// Customer ids an event may name (40 % of events come from a known customer).
    customers: Vec<u64>,
    /// Review ids an event may name.
    reviews: Vec<u64>,
    /// Product ids an event may name.
    products: Vec<u64>,
}

/// Picks from a weighted table with a number in `0..sum`.
fn weighted(table: &[(&'static str, u64)], mut x: u64) -> &'static str {
    for &(v, w) in table {
        if x < w {
            return v;
        }
        x -= w;
    }
    table[0].0
}

/// Sum of a weight table.
fn total(table: &[(&str, u64)]) -> u64 {
    table.iter().map(|(_, w)| w).sum()
}

/// A 64-bit mix of the salt and an index (SplitMix64's finaliser).
fn mix(salt: u64, i: u64) -> u64 {
    let mut z = salt ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What the log needs to know about the shop it belongs to.
pub struct EventSeed {
    /// Last instant (exclusive) of the log.
    pub end: i64,
    /// Days covered.
    pub days: u32,
    /// Average events per day.
    pub per_day: u32,
    /// First event id.
    pub id_base: u64,
    /// Known customers.
    pub customers: Vec<u64>,
    /// Reviews.
    pub reviews: Vec<u64>,
    /// Products.
    pub products: Vec<u64>,
}

impl EventLog {
    /// Builds the per-day volumes.
    pub fn new(seed: EventSeed, rng: &mut Rng) -> Self {
        let days = seed.days.max(1) as usize;
        let mut cumulative = Vec::with_capacity(days + 1);
        cumulative.push(0u64);
        let start = seed.end - days as i64 * DAY;
        let mut sum = 0u64;
        for d in 0..days {
            let at = start + d as i64 * DAY;
            // 1970-01-01 was a Thursday: day-of-week 0 = Thursday, so 2 and 3 are Sat/Sun.
            let weekday = (at.div_euclid(DAY)).rem_euclid(7);
            let week = if weekday == 2 || weekday == 3 {
                1.25
            } else {
                0.92
            };
            let growth = 0.8 + 0.4 * d as f64 / days as f64;
            // Black Friday / holiday season: the last five weeks before the anchor run hotter.
            let season = if days - d <= 35 { 1.35 } else { 1.0 };
            let noise = 0.85 + (rng.below(300) as f64) / 1000.0;
            let n = (f64::from(seed.per_day) * week * growth * season * noise).round() as u64;
            sum += n;
            cumulative.push(sum);
        }
        EventLog {
            start,
            cumulative,
            salt: rng.next_u64(),
            id_base: seed.id_base,
            customers: seed.customers,
            reviews: seed.reviews,
            products: seed.products,
        }
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.cumulative.last().copied().unwrap_or(0) as usize
    }

    /// Whether the log is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Event `i` in created-ascending order (`i < len()`).
    pub fn get(&self, i: usize) -> Event {
        let i = i as u64;
        // The day holding event i: the last d with cumulative[d] <= i.
        let d = self
            .cumulative
            .partition_point(|&c| c <= i)
            .saturating_sub(1);
        let (lo, hi) = (self.cumulative[d], self.cumulative[d + 1].max(1));
        let within = (i - lo) as i64 * DAY / (hi - lo).max(1) as i64;
        let h = mix(self.salt, i);
        let a = h & 0xFFFF;
        let b = (h >> 16) & 0xFFFF;
        let c = (h >> 32) & 0xFFFF;
        let e = h >> 48;
        let event_type = weighted(EVENT_TYPES, a * total(EVENT_TYPES) / 0x1_0000);
        let pick = |v: &[u64], x: u64| -> u64 {
            if v.is_empty() {
                0
            } else {
                v[(x % v.len() as u64) as usize]
            }
        };
        Event {
            id: self.id_base + i,
            event_type,
            event_source: weighted(EVENT_SOURCES, b * total(EVENT_SOURCES) / 0x1_0000),
            os_type: weighted(OS_TYPES, c * total(OS_TYPES) / 0x1_0000),
            customer_id: if e % 100 < 40 {
                pick(&self.customers, e / 100)
            } else {
                0
            },
            review_id: if event_type == "PAGINATION" || event_type == "FILTER_REVIEW" {
                0
            } else {
                pick(&self.reviews, h >> 7)
            },
            product_id: pick(&self.products, h >> 13),
            created: self.start + d as i64 * DAY + within,
        }
    }

    /// Every event, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = Event> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(per_day: u32) -> EventLog {
        EventLog::new(
            EventSeed {
                end: super::super::ANCHOR,
                days: 365,
                per_day,
                id_base: 1,
                customers: vec![10, 11],
                reviews: vec![20],
                products: vec![30, 31, 32],
            },
            &mut Rng::new(3),
        )
    }

    #[test]
    fn a_year_is_ordered_deterministic_and_weighted_like_a_widget() {
        let a = log(500);
        let b = log(500);
        assert!((150_000..220_000).contains(&a.len()), "{}", a.len());
        let ea: Vec<_> = a
            .iter()
            .take(50)
            .map(|e| (e.event_type, e.created))
            .collect();
        let eb: Vec<_> = b
            .iter()
            .take(50)
            .map(|e| (e.event_type, e.created))
            .collect();
        assert_eq!(ea, eb);
        let all: Vec<Event> = a.iter().collect();
        assert!(all.windows(2).all(|w| w[0].created <= w[1].created));
        assert!(all[0].created >= super::super::ANCHOR - 365 * DAY);
        assert!(all[all.len() - 1].created < super::super::ANCHOR);
        let views = all.iter().filter(|e| e.event_type == "VIEW_REVIEW").count();
        let share = views as f64 / all.len() as f64;
        assert!((0.62..0.74).contains(&share), "{share}");
        let ios = all.iter().filter(|e| e.os_type == "IOS").count() as f64 / all.len() as f64;
        assert!((0.38..0.48).contains(&ios), "{ios}");
        assert!(all.iter().any(|e| e.event_type == "SUBMIT_REVIEW"));
        // Weekends are busier than weekdays, and the season at the end is the busiest.
        let per_day: Vec<u64> = a.cumulative.windows(2).map(|w| w[1] - w[0]).collect();
        let last_month: u64 = per_day[335..].iter().sum();
        let first_month: u64 = per_day[..30].iter().sum();
        assert!(
            last_month > first_month * 3 / 2,
            "{first_month} {last_month}"
        );
    }
}
