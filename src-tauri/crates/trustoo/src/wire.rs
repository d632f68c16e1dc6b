//! Private wire shapes and the tolerant decoding of Trustoo's documented drift.
//!
//! Drift handled here (trustoo-api.md §2.1, §3.9, §3.20, CHOICES.md): success `code` 0 or 2000
//! or absent; ids as strings or numbers; numbers/flags as strings; `expire` as string or number;
//! timestamps as RFC 3339, `YYYY-MM-DD HH:MM:SS` (taken as UTC; the zone is UNKNOWN) or unix
//! seconds; missing or `null` `data`.

use reviewdesk_core::{
    CustomerEvent, CustomerExclusion, Media, MediaKind, Order, Page, PageInfo, RatingSummary,
    RequestEmailStatus, Review, ReviewReply, Webhook,
};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::error::{classify, Error, ErrorAnswer};

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

/// serde helpers accepting the drift.
pub(crate) mod de {
    use super::*;

    /// Text from a string, number or bool; `null`/missing → empty.
    pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => String::new(),
            _ => return Err(D::Error::custom("expected a string or a number")),
        })
    }

    pub(crate) fn value_i64(v: &Value) -> Option<i64> {
        match v {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_u64().map(|u| i64::try_from(u).unwrap_or(i64::MAX)))
                .or_else(|| n.as_f64().map(|f| f as i64)),
            Value::String(s) => {
                let s = s.trim();
                s.parse::<i64>()
                    .ok()
                    .or_else(|| s.parse::<f64>().ok().map(|f| f as i64))
            }
            Value::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    }

    /// Integer from a number or numeric string; `null`/missing/empty → `None`.
    pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        let v = Value::deserialize(d)?;
        match &v {
            Value::Null => Ok(None),
            Value::String(s) if s.trim().is_empty() => Ok(None),
            _ => value_i64(&v)
                .map(Some)
                .ok_or_else(|| D::Error::custom("expected an integer")),
        }
    }

    /// Integer (≥ 0) from a number or numeric string; `null`/missing → 0.
    pub fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        Ok(opt_i64(d)?
            .map(|n| u64::try_from(n).unwrap_or(0))
            .unwrap_or(0))
    }

    /// Like [`u64`] for page numbers.
    pub fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        Ok(opt_i64(d)?
            .map(|n| u32::try_from(n).unwrap_or(0))
            .unwrap_or(0))
    }

    /// Float from a number or a numeric string (`rating_value: "4.5"`); else 0.
    pub fn f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Number(n) => n.as_f64().unwrap_or(0.0),
            Value::String(s) => s.trim().parse::<f64>().unwrap_or(0.0),
            _ => 0.0,
        })
    }

    pub(crate) fn value_bool(v: &Value) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            Value::Number(_) => value_i64(v).map(|n| n != 0),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" => Some(true),
                "0" | "false" | "no" | "" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// Flag from `true`/`1`/`"1"`/`"true"`; `null`/missing → `None`.
    pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        let v = Value::deserialize(d)?;
        if v.is_null() {
            return Ok(None);
        }
        value_bool(&v)
            .map(Some)
            .ok_or_else(|| D::Error::custom("expected a flag"))
    }

    /// Flag; `null`/missing → false.
    pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        Ok(opt_bool(d)?.unwrap_or(false))
    }

    /// Timestamp in any known form → unix seconds; `null`/missing/unparseable → `None`.
    pub fn opt_ts<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(s) => parse_timestamp(&s),
            v @ Value::Number(_) => value_i64(&v),
            _ => None,
        })
    }

    /// Any JSON value, kept for a second pass (media/reply drift).
    pub fn value<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
}

/// The common envelope `{code, message, time, request_id, data}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Envelope {
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub code: Option<i64>,
    #[serde(default, deserialize_with = "de::string")]
    pub message: String,
    #[serde(default)]
    pub data: Data,
}

/// The `data` of an answer, still as its JSON text: each endpoint decodes it straight into its
/// wire type. Going through a `serde_json::Value` first built a map with an owned key for every
/// field of every review, then took it apart again; for a page of reviews that doubled the
/// client's decoding work (`null` and a missing `data` are `None`).
pub(crate) type Data = Option<Box<serde_json::value::RawValue>>;

/// True for the success codes seen in the wild (0 new docs, 2000 older docs, absent in `{}`).
pub(crate) fn is_success_code(code: Option<i64>) -> bool {
    matches!(code, None | Some(0) | Some(2000))
}

/// Turns one HTTP answer into its `data` (or `None`) or a typed error.
///
/// Pure so the envelope rules are unit tested without a server.
pub(crate) fn interpret(
    context: &'static str,
    status: u16,
    body: &[u8],
    www_authenticate: Option<&str>,
    retry_after: Option<std::time::Duration>,
) -> Result<Data, Error> {
    let is_2xx = (200..300).contains(&status);
    let trimmed = body.iter().all(|b| b.is_ascii_whitespace());
    let parsed: Result<Envelope, serde_json::Error> = if trimmed {
        Ok(Envelope::default())
    } else {
        serde_json::from_slice(body)
    };
    match parsed {
        Err(e) if is_2xx => Err(Error::decode(context, &e)),
        Err(_) => Err(classify(&ErrorAnswer {
            status,
            code: None,
            message: None,
            www_authenticate,
            retry_after,
        })),
        Ok(env) => {
            let ok_code = is_success_code(env.code);
            if is_2xx && ok_code {
                Ok(env.data)
            } else {
                Err(classify(&ErrorAnswer {
                    status,
                    code: if ok_code { None } else { env.code },
                    message: Some(&env.message),
                    www_authenticate,
                    retry_after,
                }))
            }
        }
    }
}

/// Decodes `data` into a wire type.
pub(crate) fn decode_data<T: DeserializeOwned>(
    context: &'static str,
    data: Data,
) -> Result<T, Error> {
    match data {
        Some(raw) => serde_json::from_str(raw.get()),
        None => serde_json::from_value(Value::Null),
    }
    .map_err(|e| Error::decode(context, &e))
}

// ---------------------------------------------------------------------------------------------
// Reviews

/// Review as sent by `get_review(s)`; aliases cover the field names third-party code reads.
#[derive(Debug, Deserialize)]
pub(crate) struct WireReview {
    #[serde(deserialize_with = "de::string")]
    id: String,
    #[serde(default, deserialize_with = "de::string")]
    product_id: String,
    #[serde(default, deserialize_with = "de::string")]
    product_title: String,
    #[serde(default, deserialize_with = "de::string")]
    product_handle: String,
    #[serde(default, deserialize_with = "de::opt_bool")]
    is_store_review: Option<bool>,
    #[serde(default, alias = "star", deserialize_with = "de::opt_i64")]
    rating: Option<i64>,
    #[serde(default, deserialize_with = "de::string")]
    author: String,
    #[serde(default, deserialize_with = "de::string")]
    author_email: String,
    #[serde(default, deserialize_with = "de::string")]
    author_country: String,
    #[serde(default, alias = "review_title", deserialize_with = "de::string")]
    title: String,
    #[serde(default, deserialize_with = "de::string")]
    content: String,
    #[serde(default, deserialize_with = "de::string")]
    source: String,
    #[serde(default, alias = "verified", deserialize_with = "de::bool")]
    is_verified: bool,
    #[serde(default, deserialize_with = "de::bool")]
    is_featured: bool,
    #[serde(default, deserialize_with = "de::opt_bool")]
    is_published: Option<bool>,
    #[serde(default, alias = "is_pinned", deserialize_with = "de::bool")]
    is_top: bool,
    #[serde(default, deserialize_with = "de::string")]
    item_type: String,
    #[serde(default, deserialize_with = "de::string")]
    order_id: String,
    #[serde(default, deserialize_with = "de::opt_ts")]
    commented_at: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_ts")]
    created_at: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_ts")]
    updated_at: Option<i64>,
    #[serde(default, deserialize_with = "de::value")]
    media: Value,
    #[serde(default, deserialize_with = "de::value")]
    reply: Value,
    #[serde(default, deserialize_with = "de::string")]
    reply_content: String,
}

fn media_kind(v: &Value) -> MediaKind {
    match v {
        Value::String(s) if s.eq_ignore_ascii_case("video") => MediaKind::Video,
        other if de::value_i64(other) == Some(2) => MediaKind::Video,
        _ => MediaKind::Image,
    }
}

fn str_field(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Media as either the newer array `[{url, thumbnail_url, type, is_published}]` or the older
/// object `{images, thumbnails, video, video_thumbnail}`.
fn media_from(v: &Value) -> Vec<Media> {
    match v {
        Value::Array(items) => items
            .iter()
            .filter_map(|m| {
                let url = str_field(m, "url");
                (!url.is_empty()).then(|| Media {
                    url,
                    thumbnail_url: str_field(m, "thumbnail_url"),
                    kind: media_kind(m.get("type").unwrap_or(&Value::Null)),
                    is_published: m
                        .get("is_published")
                        .and_then(de::value_bool)
                        .unwrap_or(true),
                })
            })
            .collect(),
        Value::Object(_) => {
            let strings = |key: &str| -> Vec<String> {
                v.get(key)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let thumbs = strings("thumbnails");
            let mut out: Vec<Media> = strings("images")
                .into_iter()
                .enumerate()
                .map(|(i, url)| Media {
                    url,
                    thumbnail_url: thumbs.get(i).cloned().unwrap_or_default(),
                    kind: MediaKind::Image,
                    is_published: true,
                })
                .collect();
            let video = str_field(v, "video");
            if !video.is_empty() {
                out.push(Media {
                    url: video,
                    thumbnail_url: str_field(v, "video_thumbnail"),
                    kind: MediaKind::Video,
                    is_published: true,
                });
            }
            out
        }
        _ => Vec::new(),
    }
}

impl WireReview {
    pub(crate) fn into_domain(self) -> Review {
        let reply = match &self.reply {
            Value::Object(_) => {
                let content = str_field(&self.reply, "content");
                (!content.is_empty()).then(|| ReviewReply {
                    content,
                    reply_at: str_field(&self.reply, "reply_at"),
                })
            }
            Value::String(s) if !s.is_empty() => Some(ReviewReply {
                content: s.clone(),
                reply_at: String::new(),
            }),
            _ => (!self.reply_content.is_empty()).then(|| ReviewReply {
                content: self.reply_content.clone(),
                reply_at: String::new(),
            }),
        };
        let product_id = if self.product_id.is_empty() {
            "0".to_owned()
        } else {
            self.product_id
        };
        let is_store_review = self.is_store_review.unwrap_or(product_id == "0");
        let commented_at = self.commented_at.or(self.created_at).unwrap_or(0);
        Review {
            id: self.id.into(),
            product_id: product_id.into(),
            product_title: self.product_title,
            product_handle: self.product_handle,
            is_store_review,
            rating: u8::try_from(self.rating.unwrap_or(0).clamp(0, 5)).unwrap_or(0),
            author: self.author,
            author_email: self.author_email,
            author_country: self.author_country,
            title: self.title,
            content: self.content,
            source: self.source,
            is_verified: self.is_verified,
            is_featured: self.is_featured,
            is_published: self.is_published.unwrap_or(true),
            is_pinned: self.is_top,
            item_type: self.item_type,
            order_id: self.order_id,
            commented_at,
            updated_at: self.updated_at.or(self.created_at).unwrap_or(commented_at),
            media: media_from(&self.media),
            reply,
        }
    }
}

/// `data.page` of listings; aliases for the storefront-API spelling.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WirePageInfo {
    #[serde(default, alias = "cur_page", deserialize_with = "de::u32")]
    page: u32,
    #[serde(default, alias = "limit", deserialize_with = "de::u32")]
    page_size: u32,
    #[serde(default, deserialize_with = "de::u32")]
    total_page: u32,
    #[serde(default, alias = "total", deserialize_with = "de::u64")]
    count: u64,
}

/// `data` of listings: `{page, list}`.
#[derive(Debug, Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
pub(crate) struct WirePage<T> {
    #[serde(default)]
    page: Option<WirePageInfo>,
    #[serde(default = "Vec::new", deserialize_with = "null_as_empty")]
    list: Vec<T>,
}

fn null_as_empty<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

impl<T> WirePage<T> {
    /// Converts items and fills `total_page` when the server gave only `count`.
    pub(crate) fn into_domain<D>(
        self,
        requested_page: u32,
        requested_size: u32,
        f: impl FnMut(T) -> D,
    ) -> Page<D> {
        let p = self.page.unwrap_or_default();
        let page_size = if p.page_size == 0 {
            requested_size
        } else {
            p.page_size
        };
        let total_page = if p.total_page == 0 && p.count > 0 && page_size > 0 {
            u32::try_from(p.count.div_ceil(u64::from(page_size))).unwrap_or(u32::MAX)
        } else {
            p.total_page
        };
        Page {
            page: PageInfo {
                page: if p.page == 0 { requested_page } else { p.page },
                page_size,
                total_page,
                count: p.count,
            },
            list: self.list.into_iter().map(f).collect(),
        }
    }
}

/// `data` of `create_review`: `{id}` (string or number).
#[derive(Debug, Deserialize)]
pub(crate) struct WireCreated {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
}

// ---------------------------------------------------------------------------------------------
// Rating

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

// ---------------------------------------------------------------------------------------------
// Webhooks, customers, orders, events

/// Webhook object (`id` string or number; the two timestamp formats kept as sent).
#[derive(Debug, Deserialize)]
pub(crate) struct WireWebhook {
    #[serde(deserialize_with = "de::string")]
    id: String,
    #[serde(default, deserialize_with = "de::string")]
    topic: String,
    #[serde(default, deserialize_with = "de::string")]
    url: String,
    #[serde(default, deserialize_with = "de::string")]
    created_at: String,
    #[serde(default, deserialize_with = "de::string")]
    updated_at: String,
}

impl WireWebhook {
    pub(crate) fn into_domain(self) -> Webhook {
        Webhook {
            id: self.id,
            topic: self.topic,
            url: self.url,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// `get_shop_webhooks` `data`: an array (documented) or `{list: [...]}` (tolerated).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum WireWebhookList {
    Array(Vec<WireWebhook>),
    Wrapped { list: Vec<WireWebhook> },
}

impl WireWebhookList {
    pub(crate) fn into_domain(self) -> Vec<Webhook> {
        match self {
            Self::Array(v) | Self::Wrapped { list: v } => {
                v.into_iter().map(WireWebhook::into_domain).collect()
            }
        }
    }
}

/// CustomerExclusion object.
#[derive(Debug, Deserialize)]
pub(crate) struct WireExclusion {
    #[serde(default, deserialize_with = "de::string")]
    customer_id: String,
    #[serde(default, deserialize_with = "de::string")]
    first_name: String,
    #[serde(default, deserialize_with = "de::string")]
    last_name: String,
    #[serde(default, deserialize_with = "de::string")]
    email: String,
    #[serde(default, deserialize_with = "de::string")]
    phone: String,
    #[serde(default, deserialize_with = "de::string")]
    created_at: String,
    #[serde(default, deserialize_with = "de::string")]
    updated_at: String,
}

impl WireExclusion {
    pub(crate) fn into_domain(self) -> CustomerExclusion {
        CustomerExclusion {
            customer_id: self.customer_id.into(),
            first_name: self.first_name,
            last_name: self.last_name,
            email: self.email,
            phone: self.phone,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// Order object (the 9 fields chosen in CHOICES.md).
#[derive(Debug, Deserialize)]
pub(crate) struct WireOrder {
    #[serde(deserialize_with = "de::string")]
    id: String,
    #[serde(default, deserialize_with = "de::string")]
    order_number: String,
    #[serde(default, deserialize_with = "de::string")]
    customer_id: String,
    #[serde(default, deserialize_with = "de::string")]
    customer_email: String,
    #[serde(default, deserialize_with = "de::string")]
    customer_name: String,
    #[serde(default, deserialize_with = "de::string")]
    total_price: String,
    #[serde(default, deserialize_with = "de::string")]
    currency: String,
    #[serde(default, deserialize_with = "de::opt_ts")]
    created_at: Option<i64>,
    #[serde(
        default,
        alias = "type",
        alias = "status",
        deserialize_with = "de::opt_i64"
    )]
    request_status: Option<i64>,
}

impl WireOrder {
    pub(crate) fn into_domain(self) -> Order {
        Order {
            id: self.id,
            order_number: self.order_number,
            customer_id: self.customer_id.into(),
            customer_email: self.customer_email,
            customer_name: self.customer_name,
            total_price: self.total_price,
            currency: self.currency,
            created_at: self.created_at.unwrap_or(0),
            request_status: RequestEmailStatus::from_code(self.request_status.unwrap_or(0)),
        }
    }
}

/// CustomerEvent object (fields chosen in CHOICES.md).
#[derive(Debug, Deserialize)]
pub(crate) struct WireEvent {
    #[serde(deserialize_with = "de::string")]
    id: String,
    #[serde(default, deserialize_with = "de::string")]
    event_type: String,
    #[serde(default, deserialize_with = "de::string")]
    event_source: String,
    #[serde(default, deserialize_with = "de::string")]
    os_type: String,
    #[serde(default, deserialize_with = "de::string")]
    customer_id: String,
    #[serde(default, deserialize_with = "de::string")]
    review_id: String,
    #[serde(default, deserialize_with = "de::string")]
    product_id: String,
    #[serde(default, deserialize_with = "de::opt_ts")]
    created_at: Option<i64>,
}

impl WireEvent {
    pub(crate) fn into_domain(self) -> CustomerEvent {
        CustomerEvent {
            id: self.id,
            event_type: self.event_type,
            event_source: self.event_source,
            os_type: self.os_type,
            customer_id: self.customer_id.into(),
            review_id: self.review_id.into(),
            product_id: self.product_id.into(),
            created_at: self.created_at.unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

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

    #[test]
    fn success_codes() {
        for code in [None, Some(0), Some(2000)] {
            assert!(is_success_code(code), "{code:?}");
        }
        for code in [Some(3), Some(16), Some(1)] {
            assert!(!is_success_code(code), "{code:?}");
        }
    }

    #[test]
    fn envelope_with_code_0_and_2000_and_none() {
        let a = interpret(
            "t",
            200,
            br#"{"code":0,"message":"success","time":1,"request_id":"x","data":{"a":1}}"#,
            None,
            None,
        )
        .unwrap();
        assert_eq!(decode_data::<Value>("t", a).unwrap(), json!({"a":1}));
        let b = interpret(
            "t",
            200,
            br#"{"code":2000,"message":"OK","request_id":"42c3-..","data":[1]}"#,
            None,
            None,
        )
        .unwrap();
        assert_eq!(decode_data::<Value>("t", b).unwrap(), json!([1]));
        let c = interpret("t", 200, br#"{"code":"0","message":"OK"}"#, None, None).unwrap();
        assert!(c.is_none());
        // Bare `{}` (older revoke) and an empty body are success without data.
        assert!(interpret("t", 200, b"{}", None, None).unwrap().is_none());
        assert!(interpret("t", 200, b"", None, None).unwrap().is_none());
        let null = interpret("t", 200, br#"{"code":0,"data":null}"#, None, None).unwrap();
        assert!(null.is_none());
    }

    #[test]
    fn envelope_errors_map_by_code_even_on_http_200() {
        let e = interpret(
            "t",
            200,
            br#"{"code":16,"message":"invalid signature"}"#,
            None,
            None,
        );
        assert!(matches!(e, Err(Error::Unauthorized { expired: false })));
        let e = interpret(
            "t",
            404,
            br#"{"code":5,"message":"review 1 not found"}"#,
            None,
            None,
        );
        assert!(matches!(e, Err(Error::NotFound)));
        // Non-JSON error bodies map by status and never carry the body.
        let e = interpret("t", 502, b"<html>Bad gateway SECRET</html>", None, None);
        match e {
            Err(
                err @ Error::Server {
                    status: 502,
                    code: None,
                },
            ) => {
                assert!(!err.to_string().contains("SECRET"))
            }
            other => panic!("{other:?}"),
        }
        // Malformed JSON on 200 is a decode error without body text.
        match interpret(
            "t",
            200,
            br#"{"code":0,"data":{"access_token":"SECRET"#,
            None,
            None,
        ) {
            Err(err @ Error::Decode { .. }) => assert!(!err.to_string().contains("SECRET")),
            other => panic!("{other:?}"),
        }
        // 5xx with a success-looking code is still an error.
        assert!(matches!(
            interpret("t", 500, br#"{"code":0}"#, None, None),
            Err(Error::Server { status: 500, .. })
        ));
    }

    #[test]
    fn review_with_numbers_as_strings_and_both_timestamp_formats() {
        let v = json!({
            "id": 123, "product_id": 9200305176832u64, "rating": "4", "author": "Ann",
            "is_verified": "1", "is_featured": true, "is_published": 0, "is_top": 1,
            "commented_at": "2025-06-20 11:06:48", "created_at": "2025-06-20T11:06:48Z",
            "updated_at": "2025-06-21 00:00:00",
            "media": [{"url": "https://img.trustoo.io/a.jpg", "thumbnail_url": "t", "type": 1, "is_published": 1},
                      {"url": "https://img.trustoo.io/v.mp4", "type": "2"}],
            "reply": {"content": "Thanks!", "reply_at": "2025-06-22 00:00:00"}
        });
        let r = serde_json::from_value::<WireReview>(v)
            .unwrap()
            .into_domain();
        assert_eq!(r.id.as_str(), "123");
        assert_eq!(r.product_id.as_str(), "9200305176832");
        assert!(!r.is_store_review);
        assert_eq!(r.rating, 4);
        assert!(r.is_verified && r.is_featured && !r.is_published && r.is_pinned);
        assert_eq!(r.commented_at, 1_750_417_608);
        assert_eq!(r.updated_at, 1_750_464_000);
        assert_eq!(r.media.len(), 2);
        assert_eq!(r.media[1].kind, MediaKind::Video);
        assert_eq!(
            r.reply.as_ref().map(|x| x.content.as_str()),
            Some("Thanks!")
        );
    }

    #[test]
    fn review_with_legacy_media_object_and_minimal_fields() {
        let v = json!({
            "id": "7", "rating": 5, "author": "Bo", "product_id": "0",
            "media": {"images": ["i1", "i2"], "thumbnails": ["t1"], "video": "v", "video_thumbnail": "vt"},
            "reply": null
        });
        let r = serde_json::from_value::<WireReview>(v)
            .unwrap()
            .into_domain();
        assert!(r.is_store_review);
        assert!(r.is_published);
        assert_eq!(r.media.len(), 3);
        assert_eq!(r.media[0].thumbnail_url, "t1");
        assert_eq!(r.media[1].thumbnail_url, "");
        assert_eq!(r.media[2].kind, MediaKind::Video);
        assert!(r.reply.is_none());
        assert_eq!(r.commented_at, 0);
    }

    #[test]
    fn page_fills_total_page_from_count() {
        let v = json!({"page": {"page": "2", "page_size": 20, "count": 45}, "list": null});
        let p = serde_json::from_value::<WirePage<WireReview>>(v)
            .unwrap()
            .into_domain(2, 20, WireReview::into_domain);
        assert_eq!(p.page.total_page, 3);
        assert_eq!(p.page.page, 2);
        assert!(p.list.is_empty());
    }

    #[test]
    fn rating_with_string_value_and_missing_star_counts() {
        let r = serde_json::from_value::<WireRating>(
            json!({"rating_value": "4.5", "review_count": 10}),
        )
        .unwrap()
        .into_domain();
        assert_eq!(r.count, 10);
        assert!((r.average - 4.5).abs() < 1e-9);
        let r = serde_json::from_value::<WireRating>(json!({"rating_value": "0", "review_count": 0,
            "star1_count": 0, "star2_count": 0, "star3_count": 0, "star4_count": 0, "star5_count": 0}))
        .unwrap()
        .into_domain();
        assert_eq!(r.count, 0);
    }

    #[test]
    fn webhook_list_array_or_wrapped() {
        let a: WireWebhookList =
            serde_json::from_value(json!([{"id": 19, "topic": "review/created", "url": "u"}]))
                .unwrap();
        assert_eq!(a.into_domain()[0].id, "19");
        let b: WireWebhookList =
            serde_json::from_value(json!({"list": [{"id": "20", "topic": "t", "url": "u"}]}))
                .unwrap();
        assert_eq!(b.into_domain()[0].id, "20");
    }

    #[test]
    fn order_status_from_number_or_string() {
        let o: WireOrder = serde_json::from_value(
            json!({"id": 1, "request_status": "5", "created_at": "2026-01-01T00:00:00Z"}),
        )
        .unwrap();
        let o = o.into_domain();
        assert_eq!(o.request_status, RequestEmailStatus::Evaluated);
        assert_eq!(o.created_at, 1_767_225_600);
    }
}
