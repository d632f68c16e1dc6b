//! Data endpoints: reviews, rating, webhooks, customers, orders, customer events.

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::data::{self, MediaItem, OwnedText, Review, Text, STORE};
use crate::render;
use crate::state::{authenticate, AppState, Principal};
use crate::util::{
    json_id, json_str, ok, ok_empty, page_obj, paging, q_array, q_get, q_int, query_pairs,
    sort_desc, ApiError, ApiResult,
};

/// A data request read in full: method, headers, decoded query pairs and raw body.
pub struct ApiReq {
    /// Method.
    pub method: Method,
    /// Headers.
    pub headers: HeaderMap,
    /// Query pairs.
    pub pairs: Vec<(String, String)>,
    /// Raw body as sent (needed for the HMAC).
    pub body: Bytes,
}

impl ApiReq {
    /// Reads a request (bodies up to 1 MiB; data endpoints never need more).
    pub async fn read(req: Request) -> ApiResult<ApiReq> {
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, 1 << 20)
            .await
            .map_err(|_| ApiError::invalid("request body too large or unreadable"))?;
        Ok(ApiReq {
            method: parts.method,
            headers: parts.headers,
            pairs: query_pairs(parts.uri.query()),
            body,
        })
    }
    /// Authenticates (Bearer or HMAC) and checks a scope.
    pub fn auth(&self, st: &AppState, scope: Option<&str>) -> ApiResult<Principal> {
        let p = authenticate(st, &self.method, &self.headers, &self.pairs, &self.body)?;
        if let Some(s) = scope {
            p.require(s)?;
        }
        Ok(p)
    }
    /// Parses the JSON body as an object.
    pub fn json(&self) -> ApiResult<Value> {
        let v: Value = serde_json::from_slice(&self.body)
            .map_err(|e| ApiError::invalid(format!("body must be JSON: {e}")))?;
        if !v.is_object() {
            return Err(ApiError::invalid("body must be a JSON object"));
        }
        Ok(v)
    }
}

/// Runs a handler body, turning errors into the envelope.
pub async fn handle<F>(req: Request, f: F) -> Response
where
    F: FnOnce(ApiReq) -> ApiResult,
{
    match ApiReq::read(req).await {
        Ok(r) => f(r).unwrap_or_else(IntoResponse::into_response),
        Err(e) => e.into_response(),
    }
}

struct ReviewFilter {
    ratings: Vec<u8>,
    sources: Vec<u16>,
    products: Vec<u32>,
    store: Option<bool>,
    keyword: Option<String>,
    impossible: bool,
}

impl ReviewFilter {
    fn parse(
        pairs: &[(String, String)],
        sd: &data::ShopData,
        sources: &[String],
    ) -> ApiResult<Self> {
        let mut f = ReviewFilter {
            ratings: Vec::new(),
            sources: Vec::new(),
            products: Vec::new(),
            store: None,
            keyword: q_get(pairs, "keyword").map(str::to_lowercase),
            impossible: false,
        };
        for r in q_array(pairs, "ratings") {
            match r.parse::<u8>() {
                Ok(n @ 1..=5) => f.ratings.push(n),
                _ => return Err(ApiError::invalid(format!("ratings: {r} is not 1..5"))),
            }
        }
        let wanted_sources = q_array(pairs, "sources");
        for s in &wanted_sources {
            if let Some(i) = sources.iter().position(|x| x == s) {
                f.sources.push(i as u16);
            }
        }
        if !wanted_sources.is_empty() && f.sources.is_empty() {
            f.impossible = true;
        }
        let wanted_products = q_array(pairs, "product_ids");
        for p in &wanted_products {
            let id: u64 = p
                .parse()
                .map_err(|_| ApiError::invalid(format!("product_ids: {p} is not a number")))?;
            if id == 0 {
                f.products.push(STORE);
            } else if let Some(i) = sd.product_idx(id) {
                f.products.push(i);
            }
        }
        if !wanted_products.is_empty() && f.products.is_empty() {
            f.impossible = true;
        }
        f.store = match q_get(pairs, "is_store_review") {
            None => None,
            Some("1") => Some(true),
            Some("0") => Some(false),
            Some(o) => {
                return Err(ApiError::invalid(format!(
                    "is_store_review must be 0 or 1, got {o}"
                )))
            }
        };
        Ok(f)
    }

    /// Whether every review matches (no filter given).
    fn is_everything(&self) -> bool {
        !self.impossible
            && self.ratings.is_empty()
            && self.sources.is_empty()
            && self.products.is_empty()
            && self.store.is_none()
            && self.keyword.is_none()
    }

    fn matches(&self, r: &Review, buf: &mut String) -> bool {
        if self.impossible {
            return false;
        }
        if !self.ratings.is_empty() && !self.ratings.contains(&r.rating) {
            return false;
        }
        if !self.sources.is_empty() && !self.sources.contains(&r.source) {
            return false;
        }
        if !self.products.is_empty() && !self.products.contains(&r.product) {
            return false;
        }
        if let Some(s) = self.store {
            if s != (r.product == STORE) {
                return false;
            }
        }
        if let Some(k) = &self.keyword {
            if !data::matches_keyword(r, k, buf) {
                return false;
            }
        }
        true
    }
}

/// `GET /api/v1/openapi/get_reviews` (SEEN path; params from code, CHOICES "Reviews").
pub async fn get_reviews(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, Some("read_reviews"))?;
        let (page, size) = paging(&r.pairs)?;
        let desc = sort_desc(&r.pairs)?;
        let w = st.world();
        let sd = &w.shops[p.shop];
        let f = ReviewFilter::parse(&r.pairs, sd, &w.sources)?;
        let skip = (page - 1).saturating_mul(size);
        let render = |rev: &Review| render::render_review(rev, sd, &w.sources, &st.base_url);
        if f.is_everything() {
            // Unfiltered (a sync's listing): the page is a slice, no walk over every review
            // per request, which made a 100,000-review listing cost the server O(n) per page.
            let list: Vec<Value> = if desc {
                sd.reviews
                    .iter()
                    .rev()
                    .skip(skip)
                    .take(size)
                    .map(render)
                    .collect()
            } else {
                sd.reviews
                    .iter()
                    .skip(skip)
                    .take(size)
                    .map(render)
                    .collect()
            };
            return Ok(ok(
                st.now(),
                json!({"page": page_obj(page, size, sd.reviews.len()), "list": list}),
            ));
        }
        let mut count = 0usize;
        let mut list = Vec::new();
        let mut buf = String::new();
        let mut visit = |rev: &Review| {
            if f.matches(rev, &mut buf) {
                if count >= skip && list.len() < size {
                    list.push(render(rev));
                }
                count += 1;
            }
        };
        if desc {
            sd.reviews.iter().rev().for_each(&mut visit);
        } else {
            sd.reviews.iter().for_each(&mut visit);
        }
        Ok(ok(
            st.now(),
            json!({"page": page_obj(page, size, count), "list": list}),
        ))
    })
    .await
}

/// `GET /api/v1/openapi/get_review?id=` (SEEN path; param name `id` is the CHOICES pick).
pub async fn get_review(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, Some("read_reviews"))?;
        let id: u64 = q_get(&r.pairs, "id")
            .ok_or_else(|| ApiError::invalid("id is required"))?
            .parse()
            .map_err(|_| ApiError::invalid("id must be a number"))?;
        let w = st.world();
        let sd = &w.shops[p.shop];
        let pos = sd
            .review_pos(id)
            .ok_or_else(|| ApiError::not_found(format!("review {id} not found")))?;
        Ok(ok(
            st.now(),
            render::render_review(&sd.reviews[pos], sd, &w.sources, &st.base_url),
        ))
    })
    .await
}

fn flag(v: &Value, key: &str, default: u8) -> ApiResult<u8> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(x) => match json_id(Some(x)) {
            Some(n @ 0..=1) => Ok(n as u8),
            _ => Err(ApiError::invalid(format!("{key} must be 0 or 1"))),
        },
    }
}

fn opt_str(v: &Value, key: &str, max: usize) -> ApiResult<String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => {
            if s.chars().count() > max {
                Err(ApiError::invalid(format!(
                    "{key} must be at most {max} characters"
                )))
            } else {
                Ok(s.clone())
            }
        }
        Some(Value::Number(n)) if key == "order_id" => Ok(n.to_string()),
        Some(_) => Err(ApiError::invalid(format!("{key} must be a string"))),
    }
}

fn parse_media(v: Option<&Value>) -> ApiResult<Vec<MediaItem>> {
    let mut out = Vec::new();
    let s = |x: Option<&Value>| x.and_then(Value::as_str).unwrap_or("").to_string();
    match v {
        None | Some(Value::Null) => {}
        // Newer form: array of {url, thumbnail_url, type, is_published}.
        Some(Value::Array(items)) => {
            for it in items {
                let url = s(it.get("url"));
                if url.is_empty() {
                    return Err(ApiError::invalid("media[].url is required"));
                }
                let kind = match json_id(it.get("type")) {
                    None => 1,
                    Some(k @ 1..=2) => k as u8,
                    Some(_) => return Err(ApiError::invalid("media[].type must be 1 or 2")),
                };
                let pubd = match json_id(it.get("is_published")) {
                    None => 1,
                    Some(k @ 0..=1) => k as u8,
                    Some(_) => {
                        return Err(ApiError::invalid("media[].is_published must be 0 or 1"))
                    }
                };
                out.push(MediaItem {
                    thumbnail_url: it
                        .get("thumbnail_url")
                        .and_then(Value::as_str)
                        .unwrap_or(&url)
                        .to_string(),
                    url,
                    kind,
                    is_published: pubd,
                });
            }
            if out.iter().filter(|m| m.kind == 1).count() > 10 {
                return Err(ApiError::invalid("media may hold at most 10 images"));
            }
        }
        // Older form: {images, thumbnails, video, video_thumbnail}.
        Some(Value::Object(o)) => {
            let strings = |k: &str| -> ApiResult<Vec<String>> {
                match o.get(k) {
                    None | Some(Value::Null) => Ok(Vec::new()),
                    Some(Value::Array(a)) => a
                        .iter()
                        .map(|x| {
                            x.as_str().map(String::from).ok_or_else(|| {
                                ApiError::invalid(format!("media.{k} must be strings"))
                            })
                        })
                        .collect(),
                    Some(_) => Err(ApiError::invalid(format!("media.{k} must be an array"))),
                }
            };
            let images = strings("images")?;
            let thumbs = strings("thumbnails")?;
            if images.len() > 10 {
                return Err(ApiError::invalid("media.images may hold at most 10 items"));
            }
            for (i, u) in images.iter().enumerate() {
                out.push(MediaItem {
                    url: u.clone(),
                    thumbnail_url: thumbs.get(i).cloned().unwrap_or_else(|| u.clone()),
                    kind: 1,
                    is_published: 1,
                });
            }
            let video = s(o.get("video"));
            if !video.is_empty() {
                out.push(MediaItem {
                    thumbnail_url: s(o.get("video_thumbnail")),
                    url: video,
                    kind: 2,
                    is_published: 1,
                });
            }
        }
        Some(_) => return Err(ApiError::invalid("media must be an array or an object")),
    }
    Ok(out)
}

/// `POST /api/v1/openapi/create_review` (SEEN; both media forms; required set per CHOICES).
pub async fn create_review(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, Some("write_reviews"))?;
        let v = r.json()?;
        let rating = match v.get("rating") {
            None | Some(Value::Null) => return Err(ApiError::invalid("rating is required")),
            Some(x) => match json_id(Some(x)) {
                Some(n @ 1..=5) => n as u8,
                _ => return Err(ApiError::invalid("rating must be an integer 1..5")),
            },
        };
        let author = opt_str(&v, "author", 120)?;
        if author.trim().is_empty() {
            return Err(ApiError::invalid("author is required"));
        }
        let now = st.now();
        let commented = match v.get("commented_at") {
            None | Some(Value::Null) => now,
            Some(Value::String(s)) if s.is_empty() => now,
            Some(Value::String(s)) => crate::util::parse_time(s).ok_or_else(|| {
                ApiError::invalid("commented_at must look like 2025-06-20 00:00:00")
            })?,
            Some(_) => return Err(ApiError::invalid("commented_at must be a string")),
        };
        let source = match v.get("source") {
            None | Some(Value::Null) => "Shop".to_string(),
            Some(Value::String(s)) if data::SOURCES.contains(&s.as_str()) => s.clone(),
            Some(_) => {
                return Err(ApiError::invalid(format!(
                    "source must be one of {}",
                    data::SOURCES.join(", ")
                )))
            }
        };
        let product_id = match v.get("product_id") {
            None | Some(Value::Null) => 0,
            Some(x) => {
                json_id(Some(x)).ok_or_else(|| ApiError::invalid("product_id must be a number"))?
            }
        };
        let mut flags = 0u8;
        flags |= flag(&v, "is_verified", 0)?;
        flags |= flag(&v, "is_featured", 0)? << 1;
        flags |= flag(&v, "is_published", 1)? << 2;
        flags |= flag(&v, "is_top", 0)? << 3;
        let reply = match v.get("reply") {
            None | Some(Value::Null) => None,
            Some(Value::Object(o)) => {
                let c = o.get("content").and_then(Value::as_str).unwrap_or("");
                if c.is_empty() {
                    None
                } else {
                    let at = o
                        .get("reply_at")
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .unwrap_or_else(|| crate::util::fmt_plain(now));
                    Some((c.to_string(), at))
                }
            }
            Some(_) => return Err(ApiError::invalid("reply must be an object")),
        };
        let text = OwnedText {
            author,
            email: opt_str(&v, "author_email", 255)?,
            phone: opt_str(&v, "author_phone", 64)?,
            country: opt_str(&v, "author_country", 8)?,
            title: opt_str(&v, "title", 300)?,
            content: opt_str(&v, "content", 10_000)?,
            item_type: opt_str(&v, "item_type", 120)?,
            tag: opt_str(&v, "tag", 120)?,
            order_id: opt_str(&v, "order_id", 64)?,
            media: parse_media(v.get("media"))?,
            reply,
        };
        let mut w = st.world();
        let src = w.source_idx(&source);
        let id = w.next_review_id;
        let sd = &mut w.shops[p.shop];
        let product = if product_id == 0 {
            STORE
        } else {
            sd.product_idx(product_id)
                .ok_or_else(|| ApiError::not_found(format!("product {product_id} not found")))?
        };
        // Keep the vector sorted by (created, id): the sandbox clock only moves forward.
        let created = now.max(sd.reviews.last().map(|r| r.created).unwrap_or(now));
        sd.reviews.push(Review {
            id,
            product,
            rating,
            flags,
            source: src,
            created,
            commented,
            text: Text::Owned(Box::new(text)),
            order: 0,
        });
        w.next_review_id += 1;
        Ok(ok(now, json!({"id": id.to_string()})))
    })
    .await
}

/// `POST /api/v1/openapi/delete_review` `{id}` (path from code; CHOICES: no data, 404/5 unknown).
pub async fn delete_review(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, Some("write_reviews"))?;
        let v = r.json()?;
        let id = json_id(v.get("id")).ok_or_else(|| ApiError::invalid("id is required"))?;
        let mut w = st.world();
        let pos = w.shops[p.shop]
            .review_pos(id)
            .ok_or_else(|| ApiError::not_found(format!("review {id} not found")))?;
        let rendered = {
            let sd = &w.shops[p.shop];
            render::render_review(&sd.reviews[pos], sd, &w.sources, &st.base_url)
        };
        let sd = &mut w.shops[p.shop];
        sd.reviews.remove(pos);
        sd.deleted.push(rendered);
        Ok(ok_empty(st.now()))
    })
    .await
}

/// `GET /api/v1/openapi/get_rating` (SEEN; flag precedence per CHOICES).
pub async fn get_rating(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, Some("read_reviews"))?;
        let w = st.world();
        let sd = &w.shops[p.shop];
        let flag_on = |k: &str| q_get(&r.pairs, k) == Some("1");
        enum Sel {
            Product(u32),
            Store,
            AllProducts,
            All,
        }
        let sel = if let Some(pid) = q_get(&r.pairs, "product_id") {
            let id: u64 = pid
                .parse()
                .map_err(|_| ApiError::invalid("product_id must be a number"))?;
            Sel::Product(
                sd.product_idx(id)
                    .ok_or_else(|| ApiError::not_found(format!("product {id} not found")))?,
            )
        } else if let Some(h) = q_get(&r.pairs, "product_handle") {
            Sel::Product(
                sd.products
                    .iter()
                    .position(|p| p.handle == h)
                    .ok_or_else(|| ApiError::not_found(format!("product {h} not found")))?
                    as u32,
            )
        } else if flag_on("is_store_rating") {
            Sel::Store
        } else if flag_on("is_all_products_rating") {
            Sel::AllProducts
        } else {
            Sel::All
        };
        let mut counts = [0u64; 6];
        for rev in &sd.reviews {
            let hit = match sel {
                Sel::Product(i) => rev.product == i,
                Sel::Store => rev.product == STORE,
                Sel::AllProducts => rev.product != STORE,
                Sel::All => true,
            };
            if hit {
                counts[rev.rating as usize] += 1;
            }
        }
        let total: u64 = counts.iter().sum();
        let sum: u64 = counts.iter().enumerate().map(|(i, c)| i as u64 * c).sum();
        let value = if total == 0 {
            0.0
        } else {
            sum as f64 / total as f64
        };
        Ok(ok(
            st.now(),
            json!({
                "rating_value": format!("{value:.1}"),
                "review_count": total,
                "star1_count": counts[1], "star2_count": counts[2], "star3_count": counts[3],
                "star4_count": counts[4], "star5_count": counts[5],
            }),
        ))
    })
    .await
}

const TOPICS: &[&str] = &[
    "review/created",
    "review/updated",
    "review/deleted",
    "customer_event/created",
];

fn topic_scope(topic: &str) -> &'static str {
    if topic == "customer_event/created" {
        "read_customer_events"
    } else {
        "write_reviews"
    }
}

fn webhook_fields(v: &Value) -> ApiResult<(String, String)> {
    let topic = json_str(v, "topic").unwrap_or("");
    if !TOPICS.contains(&topic) {
        return Err(ApiError::invalid(format!(
            "topic must be one of {}",
            TOPICS.join(", ")
        )));
    }
    let url = json_str(v, "url").unwrap_or("");
    match url::Url::parse(url) {
        Ok(u) if u.scheme() == "http" || u.scheme() == "https" => {}
        _ => return Err(ApiError::invalid("url must be an http(s) URL")),
    }
    Ok((topic.to_string(), url.to_string()))
}

/// `POST create_shop_webhook` (SEEN; scope by topic; platform isolation SEEN; 409 dup is CHOICES).
pub async fn create_webhook(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, None)?;
        let (topic, url) = webhook_fields(&r.json()?)?;
        p.require(topic_scope(&topic))?;
        let now = st.now();
        let mut w = st.world();
        let id = w.next_webhook_id;
        let sd = &mut w.shops[p.shop];
        if sd
            .webhooks
            .iter()
            .any(|h| h.platform == p.client_id && h.topic == topic && h.url == url)
        {
            return Err(ApiError::exists(format!(
                "webhook {topic} {url} already exists"
            )));
        }
        let hook = data::Webhook {
            id,
            topic,
            url,
            platform: p.client_id.clone(),
            created: now,
            updated: now,
        };
        let out = render::render_webhook(&hook);
        sd.webhooks.push(hook);
        w.next_webhook_id += 1;
        Ok(ok(now, out))
    })
    .await
}

/// `POST|PUT update_shop_webhook` `{id, topic, url}` (path UNKNOWN on rapi: CHOICES serves both).
pub async fn update_webhook(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, None)?;
        let v = r.json()?;
        let id = json_id(v.get("id")).ok_or_else(|| ApiError::invalid("id is required"))?;
        let (topic, url) = webhook_fields(&v)?;
        p.require(topic_scope(&topic))?;
        let now = st.now();
        let mut w = st.world();
        let sd = &mut w.shops[p.shop];
        if sd
            .webhooks
            .iter()
            .any(|h| h.id != id && h.platform == p.client_id && h.topic == topic && h.url == url)
        {
            return Err(ApiError::exists(format!(
                "webhook {topic} {url} already exists"
            )));
        }
        let hook = sd
            .webhooks
            .iter_mut()
            .find(|h| h.id == id && h.platform == p.client_id)
            .ok_or_else(|| ApiError::not_found(format!("webhook {id} not found")))?;
        hook.topic = topic;
        hook.url = url;
        hook.updated = now;
        Ok(ok(now, render::render_webhook(hook)))
    })
    .await
}

/// `POST delete_shop_webhook` `{id}` (path from code, CHOICES; no data).
pub async fn delete_webhook(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, None)?;
        let id = json_id(r.json()?.get("id")).ok_or_else(|| ApiError::invalid("id is required"))?;
        let mut w = st.world();
        let sd = &mut w.shops[p.shop];
        let pos = sd
            .webhooks
            .iter()
            .position(|h| h.id == id && h.platform == p.client_id)
            .ok_or_else(|| ApiError::not_found(format!("webhook {id} not found")))?;
        let topic = sd.webhooks[pos].topic.clone();
        p.require(topic_scope(&topic))?;
        sd.webhooks.remove(pos);
        Ok(ok_empty(st.now()))
    })
    .await
}

/// `GET get_shop_webhooks` (data: array; listing needs any webhook scope — CHOICES).
pub async fn list_webhooks(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, None)?;
        if !p.has("write_reviews") && !p.has("read_customer_events") {
            return Err(ApiError::scope("write_reviews"));
        }
        let w = st.world();
        let list: Vec<Value> = w.shops[p.shop]
            .webhooks
            .iter()
            .filter(|h| h.platform == p.client_id)
            .map(render::render_webhook)
            .collect();
        Ok(ok(st.now(), Value::Array(list)))
    })
    .await
}

/// The `email_type` values `unsubscribe_email` accepts, as Trustoo documents them (tests of
/// the client side check their own spelling against this list).
pub const EMAIL_TYPES: &[&str] = &[
    "all",
    "review_request",
    "review_request_test",
    "discount_for_photo_review",
    "left_review",
    "market_email",
    "question_notification",
    "answer_notification",
    "review_request_quota_exhausted",
    "review_display_quota_exhausted",
    "reply_to_review",
    "post_purchase_referral",
    "advocate_reward_paid",
    "advocate_reward_refund",
    "review_media_remind",
    "auto_leave_review",
    "request_update_review",
];

fn valid_email(e: &str) -> bool {
    let mut parts = e.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None) if !a.is_empty() && b.contains('.'))
}

/// `POST email_unsubscribe` `{email, email_type}` (SEEN; scope `write_customers` is CHOICES).
pub async fn email_unsubscribe(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, Some("write_customers"))?;
        let v = r.json()?;
        let email = json_str(&v, "email").unwrap_or("").trim().to_string();
        if !valid_email(&email) {
            return Err(ApiError::invalid(
                "email is required and must be an email address",
            ));
        }
        let t = json_str(&v, "email_type").unwrap_or("");
        if !EMAIL_TYPES.contains(&t) {
            return Err(ApiError::invalid(format!(
                "email_type must be one of {}",
                EMAIL_TYPES.join(", ")
            )));
        }
        let now = st.now();
        st.world().shops[p.shop]
            .unsubscribes
            .push((email, t.to_string(), now));
        Ok(ok_empty(now))
    })
    .await
}

/// `POST create_customer_exclude` `{email}` or `{customer_id}` (SEEN; 409 dup per CHOICES).
pub async fn create_exclusion(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, Some("write_customers"))?;
        let v = r.json()?;
        let email = json_str(&v, "email")
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let cid = json_id(v.get("customer_id"));
        if email.is_none() && cid.is_none() {
            return Err(ApiError::invalid("email or customer_id is required"));
        }
        if let Some(e) = email {
            if !valid_email(e) {
                return Err(ApiError::invalid("email must be an email address"));
            }
        }
        let now = st.now();
        let mut w = st.world();
        let next_id = w.next_customer_id;
        let sd = &mut w.shops[p.shop];
        let customer = sd
            .customers
            .iter()
            .find(|c| cid == Some(c.id) || email.is_some_and(|e| e.eq_ignore_ascii_case(&c.email)))
            .cloned();
        let x = match (customer, cid) {
            (Some(c), _) => data::Exclusion {
                customer_id: c.id,
                first: c.first,
                last: c.last,
                email: c.email,
                phone: c.phone,
                created: now,
            },
            (None, Some(id)) => {
                return Err(ApiError::not_found(format!("customer {id} not found")))
            }
            (None, None) => data::Exclusion {
                customer_id: next_id,
                first: String::new(),
                last: String::new(),
                email: email.unwrap_or_default().to_string(),
                phone: String::new(),
                created: now,
            },
        };
        if sd.exclusions.iter().any(|e| {
            e.customer_id == x.customer_id
                || (!x.email.is_empty() && e.email.eq_ignore_ascii_case(&x.email))
        }) {
            return Err(ApiError::exists("customer already excluded"));
        }
        let out = render::render_exclusion(&x);
        let new_id = x.customer_id == next_id;
        sd.exclusions.push(x);
        if new_id {
            w.next_customer_id += 1;
        }
        Ok(ok(now, out))
    })
    .await
}

/// `POST delete_customer_exclude` `{customer_id}` xor `{email}` (SEEN; errors per CHOICES).
pub async fn delete_exclusion(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, Some("write_customers"))?;
        let v = r.json()?;
        let email = json_str(&v, "email")
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let has_cid = v
            .get("customer_id")
            .is_some_and(|x| !x.is_null() && x != "");
        let cid = json_id(v.get("customer_id"));
        if email.is_some() == has_cid {
            return Err(ApiError::invalid(
                "provide exactly one of customer_id or email",
            ));
        }
        if has_cid && cid.is_none() {
            return Err(ApiError::invalid("customer_id must be a number"));
        }
        let mut w = st.world();
        let sd = &mut w.shops[p.shop];
        let pos = sd
            .exclusions
            .iter()
            .position(|x| {
                cid == Some(x.customer_id)
                    || email.is_some_and(|e| e.eq_ignore_ascii_case(&x.email))
            })
            .ok_or_else(|| ApiError::not_found("exclusion not found"))?;
        sd.exclusions.remove(pos);
        Ok(ok_empty(st.now()))
    })
    .await
}

/// `GET get_customer_excludes` (path UNKNOWN: CHOICES "Customers" chosen path).
pub async fn list_exclusions(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, Some("write_customers"))?;
        let (page, size) = paging(&r.pairs)?;
        let w = st.world();
        let all = &w.shops[p.shop].exclusions;
        let list: Vec<Value> = all
            .iter()
            .skip((page - 1).saturating_mul(size))
            .take(size)
            .map(render::render_exclusion)
            .collect();
        Ok(ok(
            st.now(),
            json!({"page": page_obj(page, size, all.len()), "list": list}),
        ))
    })
    .await
}

fn time_param(pairs: &[(String, String)], k: &str) -> ApiResult<Option<i64>> {
    match q_get(pairs, k) {
        None => Ok(None),
        Some(s) => crate::util::parse_time(s).map(Some).ok_or_else(|| {
            ApiError::invalid(format!(
                "{k} must be a date (unix seconds, YYYY-MM-DD or RFC 3339)"
            ))
        }),
    }
}

/// `GET get_orders` (SEEN params; item fields and `read_orders` scope are CHOICES).
pub async fn get_orders(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, Some("read_orders"))?;
        let (page, size) = paging(&r.pairs)?;
        let desc = sort_desc(&r.pairs)?;
        let ty = q_int(&r.pairs, "type", 0, 0, 6)? as u8;
        let (st_s, st_e) = (
            time_param(&r.pairs, "start_time")?,
            time_param(&r.pairs, "end_time")?,
        );
        let (se_s, se_e) = (
            time_param(&r.pairs, "start_sent_at")?,
            time_param(&r.pairs, "end_sent_at")?,
        );
        let w = st.world();
        let sd = &w.shops[p.shop];
        let hit = |o: &&data::Order| {
            (ty == 0 || o.status == ty)
                && st_s.is_none_or(|t| o.created >= t)
                && st_e.is_none_or(|t| o.created <= t)
                && (se_s.is_none() && se_e.is_none()
                    || o.sent_at.is_some_and(|s| {
                        se_s.is_none_or(|t| s >= t) && se_e.is_none_or(|t| s <= t)
                    }))
        };
        let matched: Vec<&data::Order> = if desc {
            sd.orders.iter().rev().filter(hit).collect()
        } else {
            sd.orders.iter().filter(hit).collect()
        };
        let list: Vec<Value> = matched
            .iter()
            .skip((page - 1).saturating_mul(size))
            .take(size)
            .map(|o| render::render_order(o, sd))
            .collect();
        Ok(ok(
            st.now(),
            json!({"page": page_obj(page, size, matched.len()), "list": list}),
        ))
    })
    .await
}

/// `GET get_customer_events` (SEEN params; item fields are CHOICES).
pub async fn get_events(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, Some("read_customer_events"))?;
        let (page, size) = paging(&r.pairs)?;
        let desc = sort_desc(&r.pairs)?;
        let et = q_get(&r.pairs, "event_type");
        let os = q_get(&r.pairs, "os_type");
        let src = q_get(&r.pairs, "event_source");
        let w = st.world();
        let sd = &w.shops[p.shop];
        let hit = |e: &data::Event| {
            et.is_none_or(|x| x.eq_ignore_ascii_case(e.event_type))
                && os.is_none_or(|x| x.eq_ignore_ascii_case(e.os_type))
                && src.is_none_or(|x| x.eq_ignore_ascii_case(e.event_source))
        };
        let log = &sd.events;
        let skip = (page - 1).saturating_mul(size);
        // The log computes events on demand: an unfiltered page reads only its own items, a
        // filtered listing is one pass over the year.
        let (count, list): (usize, Vec<Value>) = if et.is_none() && os.is_none() && src.is_none() {
            let n = log.len();
            let idx =
                (skip..n.min(skip.saturating_add(size))).map(|k| if desc { n - 1 - k } else { k });
            (n, idx.map(|i| render::render_event(&log.get(i))).collect())
        } else {
            let mut count = 0usize;
            let mut list = Vec::new();
            let mut visit = |e: data::Event| {
                if hit(&e) {
                    if count >= skip && list.len() < size {
                        list.push(render::render_event(&e));
                    }
                    count += 1;
                }
            };
            if desc {
                log.iter().rev().for_each(&mut visit);
            } else {
                log.iter().for_each(&mut visit);
            }
            (count, list)
        };
        Ok(ok(
            st.now(),
            json!({"page": page_obj(page, size, count), "list": list}),
        ))
    })
    .await
}
