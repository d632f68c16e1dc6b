//! Reply insights (issue 17 §5): an account's reply rate and median time to reply, by star
//! rating and by month, from the reviews synced here. Counted when asked: an account with
//! replies is a Trustpilot business unit, whose reviews are read by its index in milliseconds.

use std::collections::BTreeMap;

use reviewdesk_core::{AccountKey, ReplyInsights, ReplyStats};
use rusqlite::params;
use time::OffsetDateTime;

use crate::{Result, Store};

/// Months the insights look back, up to the newest review's month.
pub const INSIGHT_MONTHS: usize = 12;

/// Reviews of one group and the hours each answered one waited.
#[derive(Default)]
struct Group {
    reviews: u64,
    waits: Vec<f64>,
}

impl Group {
    fn stats(mut self, group: String) -> ReplyStats {
        self.waits.sort_by(f64::total_cmp);
        let n = self.waits.len();
        let median_hours = match n {
            0 => None,
            _ if n % 2 == 1 => Some(self.waits[n / 2]),
            _ => Some((self.waits[n / 2 - 1] + self.waits[n / 2]) / 2.0),
        };
        ReplyStats {
            group,
            reviews: self.reviews,
            replied: n as u64,
            median_hours,
        }
    }
}

/// `YYYY-MM` of a unix second (UTC).
fn month_of(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|d| format!("{:04}-{:02}", d.year(), u8::from(d.month())))
        .unwrap_or_default()
}

impl Store {
    /// The accounts' reply rate and median time to reply, overall, per star and per month (one
    /// account, or every Trustpilot account of the All accounts view, their reviews counted
    /// together). A reply whose time Trustpilot sent in a form SQLite cannot read counts as
    /// answered, with no wait.
    pub fn reply_insights(&self, accounts: &[AccountKey]) -> Result<ReplyInsights> {
        let mut overall = Group::default();
        let mut stars: [Group; 5] = Default::default();
        let mut months: BTreeMap<String, Group> = BTreeMap::new();
        for account in accounts {
            let Some(shop) = self.account_id(account)? else {
                continue;
            };
            let mut stmt = self.conn.prepare_cached(
                "SELECT rating, commented_at, reply_content IS NOT NULL AND reply_content <> '', \
                 unixepoch(reply_at) FROM reviews WHERE shop = ?1 AND gone = 0",
            )?;
            let mut rows = stmt.query(params![shop])?;
            while let Some(r) = rows.next()? {
                let rating: i64 = r.get(0)?;
                let written: i64 = r.get(1)?;
                let replied: bool = r.get(2)?;
                let reply_at: Option<i64> = r.get(3)?;
                let wait = replied.then(|| {
                    reply_at
                        .map(|at| (at - written).max(0) as f64 / 3600.0)
                        .unwrap_or(0.0)
                });
                let month = months.entry(month_of(written)).or_default();
                let star = usize::try_from(rating - 1)
                    .ok()
                    .and_then(|i| stars.get_mut(i));
                for g in [Some(&mut overall), Some(month), star]
                    .into_iter()
                    .flatten()
                {
                    g.reviews += 1;
                    if let Some(w) = wait {
                        g.waits.push(w);
                    }
                }
            }
        }
        let by_stars = stars
            .into_iter()
            .enumerate()
            .map(|(i, g)| g.stats((i + 1).to_string()))
            .collect();
        let skip = months.len().saturating_sub(INSIGHT_MONTHS);
        let by_month = months
            .into_iter()
            .skip(skip)
            .map(|(m, g)| g.stats(m))
            .collect();
        Ok(ReplyInsights {
            overall: overall.stats("all".into()),
            by_stars,
            by_month,
        })
    }
}
