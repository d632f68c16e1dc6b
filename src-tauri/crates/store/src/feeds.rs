//! Review requests (orders) and widget events, cached per account (schema V15).
//!
//! Why in the store: the Requests and Analytics pages must open offline and answer at once
//! for a year of a shop's data, and the provider's listings cannot (events have no date filter
//! at all, so every chart needs the whole year locally). Orders are upserted (a request's status
//! moves on after the order was first seen); events never change, so they are inserted once and
//! counted into the `event_days` rollup as they arrive, which is what the charts read.

use std::collections::HashMap;

use reviewdesk_core::{
    AccountKey, CustomerEvent, EventBucket, EventFilter, EventPage, EventPoint, EventSummary,
    NamedCount, Order, OrderListQuery, OrderPage, OrderProduct, OrderRow, OrderSort,
    RequestEmailStatus, RequestFunnel, ReviewId,
};
use rusqlite::{params, params_from_iter, types::Value as SqlValue, OptionalExtension, Row};

use crate::{now, Result, Store, StoreError};

/// Seconds in a day.
const DAY: i64 = 86_400;

/// The feeds whose last fetch is recorded in `feed_sync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// Orders (review requests).
    Orders,
    /// Customer events (widget analytics).
    Events,
}

impl Feed {
    fn as_str(self) -> &'static str {
        match self {
            Feed::Orders => "orders",
            Feed::Events => "events",
        }
    }
}

/// When a feed was last fetched: any fetch, and the last complete one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedState {
    /// Last fetch that stored something (unix s).
    pub synced_at: i64,
    /// Last fetch that went through every page (unix s).
    pub full_at: Option<i64>,
}

/// The store's number for a status (Trustoo's numbering; 0 for unknown).
fn status_code(s: RequestEmailStatus) -> i64 {
    i64::from(s.code())
}

/// `LIKE` pattern for a substring, with `\` escaping the wildcards.
fn like_pattern(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// First second of the UTC day holding `t`.
fn day_of(t: i64) -> i64 {
    t.div_euclid(DAY)
}

/// Reads an order row (columns in the order of [`ORDER_COLUMNS`]).
fn order_row(r: &Row<'_>) -> rusqlite::Result<(OrderRow, String)> {
    let products: String = r.get(6)?;
    Ok((
        OrderRow {
            order: Order {
                id: r.get(0)?,
                order_number: r.get(1)?,
                customer_id: r.get::<_, String>(2)?.into(),
                customer_email: r.get(3)?,
                customer_name: r.get(4)?,
                products: Vec::new(),
                created_at: r.get(7)?,
                sent_at: r.get(8)?,
                request_status: RequestEmailStatus::from_code(r.get(9)?),
            },
            review_id: r.get::<_, Option<String>>(10)?.map(ReviewId),
        },
        products,
    ))
}

/// Columns read by [`order_row`] (the last one finds the review the request brought).
const ORDER_COLUMNS: &str = "o.id, o.order_number, o.customer_id, o.customer_email, \
     o.customer_name, o.shop, o.products_json, o.created_at, o.sent_at, o.status, \
     (SELECT r.id FROM reviews r WHERE r.shop = o.shop AND r.order_id = o.id \
      AND r.order_id <> '' LIMIT 1)";

/// Decodes the products column.
fn with_products((mut row, json): (OrderRow, String)) -> Result<OrderRow> {
    row.order.products = serde_json::from_str::<Vec<OrderProduct>>(&json)?;
    Ok(row)
}

impl Store {
    /// Stores orders (new ones inserted, known ones updated: a request's status and sending
    /// time change after the order was first seen). Returns how many were new.
    pub fn upsert_orders(&mut self, account: &AccountKey, orders: &[Order]) -> Result<u64> {
        let tx = self.conn.transaction()?;
        let shop = Store::ensure_account(&tx, account)?;
        let at = now();
        let mut new = 0u64;
        {
            let mut known =
                tx.prepare_cached("SELECT 1 FROM orders WHERE shop = ?1 AND id = ?2")?;
            let mut put = tx.prepare_cached(
                "INSERT INTO orders (shop, id, order_number, customer_id, customer_email, \
                 customer_name, products_json, created_at, sent_at, status, synced_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
                 ON CONFLICT (shop, id) DO UPDATE SET order_number = excluded.order_number, \
                 customer_id = excluded.customer_id, customer_email = excluded.customer_email, \
                 customer_name = excluded.customer_name, products_json = excluded.products_json, \
                 created_at = excluded.created_at, sent_at = excluded.sent_at, \
                 status = excluded.status, synced_at = excluded.synced_at",
            )?;
            for o in orders {
                if !known.exists(params![shop, o.id])? {
                    new += 1;
                }
                put.execute(params![
                    shop,
                    o.id,
                    o.order_number,
                    o.customer_id.as_str(),
                    o.customer_email,
                    o.customer_name,
                    serde_json::to_string(&o.products)?,
                    o.created_at,
                    o.sent_at,
                    status_code(o.request_status),
                    at,
                ])?;
            }
        }
        tx.commit()?;
        Ok(new)
    }

    /// A window of the cached orders with the Requests page's filters, search and sort, and
    /// the count of every matching order.
    pub fn list_orders(&self, account: &AccountKey, q: &OrderListQuery) -> Result<OrderPage> {
        let synced_at = self.feed_state(account, Feed::Orders)?.map(|s| s.synced_at);
        let Some(shop) = self.account_id(account)? else {
            return Ok(OrderPage {
                rows: Vec::new(),
                total: 0,
                synced_at,
            });
        };
        let mut cond = String::from("o.shop = ?");
        let mut args: Vec<SqlValue> = vec![shop.into()];
        if let Some(s) = q.status {
            cond.push_str(" AND o.status = ?");
            args.push(status_code(s).into());
        }
        for (col, op, v) in [
            ("created_at", ">=", q.created_from),
            ("created_at", "<", q.created_to),
            ("sent_at", ">=", q.sent_from),
            ("sent_at", "<", q.sent_to),
        ] {
            if let Some(v) = v {
                cond.push_str(&format!(" AND o.{col} {op} ?"));
                args.push(v.into());
            }
        }
        let search = q.search.trim();
        if !search.is_empty() {
            let pat = like_pattern(search.trim_start_matches('#'));
            cond.push_str(
                " AND (o.id = ? OR o.order_number LIKE ? ESCAPE '\\' \
                 OR o.customer_name LIKE ? ESCAPE '\\' OR o.customer_email LIKE ? ESCAPE '\\')",
            );
            args.push(search.to_owned().into());
            for _ in 0..3 {
                args.push(pat.clone().into());
            }
        }
        let total: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM orders o WHERE {cond}"))?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
        let order_by = match q.sort {
            OrderSort::CreatedDesc => "o.created_at DESC, o.id DESC",
            OrderSort::CreatedAsc => "o.created_at ASC, o.id ASC",
            OrderSort::SentDesc => "o.sent_at IS NULL, o.sent_at DESC, o.id DESC",
            OrderSort::SentAsc => "o.sent_at IS NULL, o.sent_at ASC, o.id ASC",
        };
        let limit = if q.limit == 0 { 100 } else { q.limit.min(1000) };
        args.push(i64::from(limit).into());
        args.push(i64::from(q.offset).into());
        let rows = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ORDER_COLUMNS} FROM orders o WHERE {cond} ORDER BY {order_by} \
                 LIMIT ? OFFSET ?"
            ))?
            .query_map(params_from_iter(args.iter()), order_row)?
            .map(|r| with_products(r?))
            .collect::<Result<Vec<_>>>()?;
        Ok(OrderPage {
            rows,
            total: u64::try_from(total).unwrap_or(0),
            synced_at,
        })
    }

    /// One cached order by id (the link from a review to the order it came from).
    pub fn order(&self, account: &AccountKey, id: &str) -> Result<Option<OrderRow>> {
        let Some(shop) = self.account_id(account)? else {
            return Ok(None);
        };
        self.conn
            .prepare_cached(&format!(
                "SELECT {ORDER_COLUMNS} FROM orders o WHERE o.shop = ?1 AND o.id = ?2"
            ))?
            .query_row(params![shop, id], order_row)
            .optional()?
            .map(with_products)
            .transpose()
    }

    /// The request funnel of requests sent in `[from, to)`: how many were sent, opened and
    /// reviewed (a reviewed request was opened, an opened one sent).
    pub fn request_funnel(
        &self,
        account: &AccountKey,
        from: i64,
        to: i64,
    ) -> Result<RequestFunnel> {
        let Some(shop) = self.account_id(account)? else {
            return Ok(RequestFunnel::default());
        };
        let (sent, opened, reviewed): (i64, i64, i64) = self
            .conn
            .prepare_cached(
                "SELECT count(*), coalesce(sum(status IN (4, 5)), 0), coalesce(sum(status = 5), 0) \
                 FROM orders WHERE shop = ?1 AND sent_at >= ?2 AND sent_at < ?3 \
                 AND status IN (3, 4, 5)",
            )?
            .query_row(params![shop, from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(RequestFunnel {
            sent: n(sent),
            opened: n(opened),
            reviewed: n(reviewed),
        })
    }

    /// Stores events not stored yet and counts each new one into the daily rollup; returns
    /// how many were new (an event seen again is neither stored nor counted twice).
    pub fn insert_events(&mut self, account: &AccountKey, events: &[CustomerEvent]) -> Result<u64> {
        let tx = self.conn.transaction()?;
        let shop = Store::ensure_account(&tx, account)?;
        let mut rollup: HashMap<(i64, &str, &str, &str), i64> = HashMap::new();
        {
            let mut put = tx.prepare_cached(
                "INSERT INTO customer_events (shop, created_at, id, event_type, event_source, \
                 os_type, customer_id, review_id, product_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
            )?;
            for e in events {
                let added = put.execute(params![
                    shop,
                    e.created_at,
                    e.id,
                    e.event_type,
                    e.event_source,
                    e.os_type,
                    e.customer_id.as_str(),
                    e.review_id.as_str(),
                    e.product_id.as_str(),
                ])?;
                if added > 0 {
                    *rollup
                        .entry((
                            day_of(e.created_at),
                            e.event_type.as_str(),
                            e.event_source.as_str(),
                            e.os_type.as_str(),
                        ))
                        .or_default() += 1;
                }
            }
            let mut count = tx.prepare_cached(
                "INSERT INTO event_days (shop, day, event_type, event_source, os_type, n) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO UPDATE SET n = n + excluded.n",
            )?;
            for ((day, t, s, o), n) in &rollup {
                count.execute(params![shop, day, t, s, o, n])?;
            }
        }
        tx.commit()?;
        Ok(rollup.values().map(|n| *n as u64).sum())
    }

    /// Whether the event is stored (the incremental fetch stops at the first known one).
    pub fn has_event(&self, account: &AccountKey, created_at: i64, id: &str) -> Result<bool> {
        let Some(shop) = self.account_id(account)? else {
            return Ok(false);
        };
        Ok(self
            .conn
            .prepare_cached(
                "SELECT 1 FROM customer_events WHERE shop = ?1 AND created_at = ?2 AND id = ?3",
            )?
            .exists(params![shop, created_at, id])?)
    }

    /// The charts of the Analytics page, from the daily rollup: counts by bucket × type, and
    /// totals by type, source and OS, for whole UTC days covering `[from, to)`.
    pub fn event_summary(
        &self,
        account: &AccountKey,
        filter: &EventFilter,
        bucket: EventBucket,
    ) -> Result<EventSummary> {
        let synced_at = self.feed_state(account, Feed::Events)?.map(|s| s.synced_at);
        let Some(shop) = self.account_id(account)? else {
            return Ok(EventSummary {
                bucket,
                synced_at,
                ..Default::default()
            });
        };
        let (cond, args) = rollup_condition(shop, filter);
        // Counts by day × type in SQL (the rollup's key order serves the GROUP BY without a
        // sort); the few thousand (day, type) points are then folded into weeks or months.
        let days = self
            .conn
            .prepare_cached(&format!(
                "SELECT day, event_type, sum(n) FROM event_days WHERE {cond} \
                 GROUP BY day, event_type"
            ))?
            .query_map(params_from_iter(args.iter()), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut buckets: std::collections::BTreeMap<(i64, String), u64> = Default::default();
        let mut types: HashMap<String, u64> = HashMap::new();
        for (day, kind, n) in days {
            *types.entry(kind.clone()).or_default() += n;
            *buckets
                .entry((bucket_start(bucket, day), kind))
                .or_default() += n;
        }
        let series = buckets
            .into_iter()
            .map(|((start, event_type), count)| EventPoint {
                start,
                event_type,
                count,
            })
            .collect();
        let mut by_type: Vec<NamedCount> = types
            .into_iter()
            .map(|(key, count)| NamedCount { key, count })
            .collect();
        by_type.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        let totals = |col: &str| -> Result<Vec<NamedCount>> {
            Ok(self
                .conn
                .prepare_cached(&format!(
                    "SELECT {col}, sum(n) AS c FROM event_days WHERE {cond} \
                     GROUP BY {col} ORDER BY c DESC, {col}"
                ))?
                .query_map(params_from_iter(args.iter()), |r| {
                    Ok(NamedCount {
                        key: r.get(0)?,
                        count: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        };
        let total = by_type.iter().map(|c| c.count).sum();
        Ok(EventSummary {
            bucket,
            series,
            by_type,
            by_source: totals("event_source")?,
            by_os: totals("os_type")?,
            total,
            synced_at,
        })
    }

    /// A plain `count(*)` over the stored events of whole UTC days covering `[from, to)` with
    /// the filter: what the rollup must agree with (tests, and the bench's reference figure).
    pub fn count_events_plain(&self, account: &AccountKey, filter: &EventFilter) -> Result<u64> {
        let Some(shop) = self.account_id(account)? else {
            return Ok(0);
        };
        let (cond, args) = event_condition(shop, &days_cover(filter));
        let n: i64 = self
            .conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM customer_events WHERE {cond}"
            ))?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// A window of the raw events (newest first) with the filter; the total is the rollup's,
    /// so a year's table opens without counting millions of rows.
    pub fn list_events(
        &self,
        account: &AccountKey,
        filter: &EventFilter,
        offset: u32,
        limit: u32,
    ) -> Result<EventPage> {
        let Some(shop) = self.account_id(account)? else {
            return Ok(EventPage {
                rows: Vec::new(),
                total: 0,
            });
        };
        let days = days_cover(filter);
        let (cond, mut args) = event_condition(shop, &days);
        let (rcond, rargs) = rollup_condition(shop, &days);
        let total: i64 = self
            .conn
            .prepare_cached(&format!(
                "SELECT coalesce(sum(n), 0) FROM event_days WHERE {rcond}"
            ))?
            .query_row(params_from_iter(rargs.iter()), |r| r.get(0))?;
        let limit = if limit == 0 { 100 } else { limit.min(1000) };
        args.push(i64::from(limit).into());
        args.push(i64::from(offset).into());
        let rows = self
            .conn
            .prepare_cached(&format!(
                "SELECT id, event_type, event_source, os_type, customer_id, review_id, \
                 product_id, created_at FROM customer_events WHERE {cond} \
                 ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
            ))?
            .query_map(params_from_iter(args.iter()), |r| {
                Ok(CustomerEvent {
                    id: r.get(0)?,
                    event_type: r.get(1)?,
                    event_source: r.get(2)?,
                    os_type: r.get(3)?,
                    customer_id: r.get::<_, String>(4)?.into(),
                    review_id: r.get::<_, String>(5)?.into(),
                    product_id: r.get::<_, String>(6)?.into(),
                    created_at: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(EventPage {
            rows,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    /// Values present in the stored events for a column (`event_type`, `event_source`,
    /// `os_type`): the filters' options come from the data, not from a list in the code.
    pub fn event_values(&self, account: &AccountKey, column: &str) -> Result<Vec<String>> {
        let col = match column {
            "event_type" | "event_source" | "os_type" => column,
            other => return Err(StoreError::InvalidInput(format!("no event column {other}"))),
        };
        let Some(shop) = self.account_id(account)? else {
            return Ok(Vec::new());
        };
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT DISTINCT {col} FROM event_days WHERE shop = ?1 ORDER BY {col}"
            ))?
            .query_map([shop], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// When a feed was last fetched for the account.
    pub fn feed_state(&self, account: &AccountKey, feed: Feed) -> Result<Option<FeedState>> {
        let Some(shop) = self.account_id(account)? else {
            return Ok(None);
        };
        Ok(self
            .conn
            .prepare_cached(
                "SELECT synced_at, full_at FROM feed_sync WHERE shop = ?1 AND feed = ?2",
            )?
            .query_row(params![shop, feed.as_str()], |r| {
                Ok(FeedState {
                    synced_at: r.get(0)?,
                    full_at: r.get(1)?,
                })
            })
            .optional()?)
    }

    /// Records a fetch of a feed (`full`: it went through every page).
    pub fn set_feed_synced(
        &mut self,
        account: &AccountKey,
        feed: Feed,
        at: i64,
        full: bool,
    ) -> Result<()> {
        let shop = Store::ensure_account(&self.conn, account)?;
        self.conn
            .prepare_cached(
                "INSERT INTO feed_sync (shop, feed, synced_at, full_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (shop, feed) DO UPDATE SET synced_at = excluded.synced_at, \
                 full_at = coalesce(excluded.full_at, full_at)",
            )?
            .execute(params![shop, feed.as_str(), at, full.then_some(at)])?;
        Ok(())
    }
}

/// First second of the bucket holding UTC day number `day`.
fn bucket_start(bucket: EventBucket, day: i64) -> i64 {
    match bucket {
        EventBucket::Day => day * DAY,
        // 1970-01-01 was a Thursday: Monday-based weeks start 3 days before a multiple of 7.
        EventBucket::Week => ((day + 3).div_euclid(7) * 7 - 3) * DAY,
        EventBucket::Month => time::OffsetDateTime::from_unix_timestamp(day * DAY)
            .ok()
            .and_then(|t| t.replace_day(1).ok())
            .map_or(day * DAY, |t| t.unix_timestamp()),
    }
}

/// The filter widened to whole UTC days (what the rollup can answer).
fn days_cover(f: &EventFilter) -> EventFilter {
    EventFilter {
        from: day_of(f.from) * DAY,
        to: (day_of(f.to - 1) + 1) * DAY,
        ..f.clone()
    }
}

/// `WHERE` of the rollup for the filter's days and values.
fn rollup_condition(shop: i64, f: &EventFilter) -> (String, Vec<SqlValue>) {
    let mut cond = String::from("shop = ? AND day >= ? AND day < ?");
    let mut args: Vec<SqlValue> = vec![
        shop.into(),
        day_of(f.from).into(),
        (day_of(f.to - 1) + 1).into(),
    ];
    push_values(&mut cond, &mut args, f);
    (cond, args)
}

/// `WHERE` of the events table for the filter.
fn event_condition(shop: i64, f: &EventFilter) -> (String, Vec<SqlValue>) {
    let mut cond = String::from("shop = ? AND created_at >= ? AND created_at < ?");
    let mut args: Vec<SqlValue> = vec![shop.into(), f.from.into(), f.to.into()];
    push_values(&mut cond, &mut args, f);
    (cond, args)
}

fn push_values(cond: &mut String, args: &mut Vec<SqlValue>, f: &EventFilter) {
    for (col, v) in [
        ("event_type", &f.event_type),
        ("event_source", &f.event_source),
        ("os_type", &f.os_type),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            cond.push_str(&format!(" AND {col} = ?"));
            args.push(v.to_owned().into());
        }
    }
}
