//! Envelope, errors, time formatting, query parsing and a tiny deterministic RNG.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::OffsetDateTime;

/// A fresh `request_id`: 32 lowercase hex characters, as in the new docs.
pub fn request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Success envelope with `data` (CHOICES "Envelope and errors").
pub fn ok(now: i64, data: Value) -> Response {
    json_response(
        StatusCode::OK,
        &json!({"code": 0, "message": "success", "time": now, "request_id": request_id(), "data": data}),
    )
}

/// Success envelope without `data` (disconnect, unsubscribe, deletes).
pub fn ok_empty(now: i64) -> Response {
    json_response(
        StatusCode::OK,
        &json!({"code": 0, "message": "success", "time": now, "request_id": request_id()}),
    )
}

/// Serialises a JSON value into a response with the right content type.
pub fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut r = (status, v.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// An API error rendered as the envelope without `data` and a matching HTTP status.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status (CHOICES error table).
    pub status: StatusCode,
    /// gRPC-style code of the "Response Code" page.
    pub code: i64,
    /// Human readable message.
    pub message: String,
    /// Extra headers (Retry-After, WWW-Authenticate).
    pub headers: Vec<(&'static str, String)>,
}

impl ApiError {
    fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            headers: Vec::new(),
        }
    }
    /// 400 / 3: invalid argument.
    pub fn invalid(m: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 3, m)
    }
    /// 404 / 5: not found.
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, 5, m)
    }
    /// 409 / 6: already exists.
    pub fn exists(m: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, 6, m)
    }
    /// 403 / 8: scope missing.
    pub fn scope(scope: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, 8, format!("missing scope {scope}"))
    }
    /// 429 / 8 with Retry-After.
    pub fn rate_limited(retry_after: u64) -> Self {
        let mut e = Self::new(StatusCode::TOO_MANY_REQUESTS, 8, "rate limited");
        e.headers.push(("retry-after", retry_after.to_string()));
        e
    }
    /// 500 / 13.
    pub fn internal(m: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, 13, m)
    }
    /// Any status with code 13 (fault injection of 502/503).
    pub fn status(status: StatusCode) -> Self {
        Self::new(status, 13, "internal error")
    }
    /// 401 / 16.
    pub fn unauth(m: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 16, m)
    }
    /// 401 / 16 with the RFC 6750 header for an expired Bearer token.
    pub fn token_expired() -> Self {
        let mut e = Self::unauth("access token expired");
        e.headers.push((
            "www-authenticate",
            "Bearer error=\"invalid_token\", error_description=\"The access token expired\""
                .to_string(),
        ));
        e
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "code": self.code,
            "message": self.message,
            "time": OffsetDateTime::now_utc().unix_timestamp(),
            "request_id": request_id(),
        });
        let mut r = json_response(self.status, &body);
        for (k, v) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&v) {
                r.headers_mut().insert(k, v);
            }
        }
        r
    }
}

/// Result alias for handlers.
pub type ApiResult<T = Response> = Result<T, ApiError>;

fn dt(ts: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(ts).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// `YYYY-MM-DD HH:MM:SS` (UTC).
pub fn fmt_plain(ts: i64) -> String {
    dt(ts)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_default()
}

/// RFC 3339 with a `Z` suffix (UTC).
pub fn fmt_rfc3339(ts: i64) -> String {
    dt(ts).format(&Rfc3339).unwrap_or_default()
}

/// Parses the date forms clients send: unix seconds, `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`, RFC 3339.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t.unix_timestamp());
    }
    if let Ok(t) = time::PrimitiveDateTime::parse(
        s,
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    ) {
        return Some(t.assume_utc().unix_timestamp());
    }
    if let Ok(d) = time::Date::parse(s, format_description!("[year]-[month]-[day]")) {
        return Some(d.midnight().assume_utc().unix_timestamp());
    }
    None
}

/// Decoded query pairs in the order they were sent.
pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// First value of a plain (non-array) parameter.
pub fn q_get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// Array parameter in any of the accepted forms: `k[0]=a`, `k[]=a`, repeated `k=a`, or `k=a,b`.
pub fn q_array(pairs: &[(String, String)], key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in pairs {
        let matches =
            k == key || (k.starts_with(key) && k[key.len()..].starts_with('[') && k.ends_with(']'));
        if matches {
            out.extend(
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            );
        }
    }
    out
}

/// Parses an integer parameter with a range check, giving a 400 on nonsense.
pub fn q_int(
    pairs: &[(String, String)],
    key: &str,
    default: i64,
    min: i64,
    max: i64,
) -> ApiResult<i64> {
    match q_get(pairs, key) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid(format!(
                "{key} must be an integer between {min} and {max}"
            ))),
        },
    }
}

/// Standard paging parameters (`page` default 1, `page_size` default 20, max 100).
pub fn paging(pairs: &[(String, String)]) -> ApiResult<(usize, usize)> {
    let page = q_int(pairs, "page", 1, 1, 1_000_000_000)? as usize;
    let size = q_int(pairs, "page_size", 20, 1, 100)? as usize;
    Ok((page, size))
}

/// The `data.page` object shared by every paged list.
pub fn page_obj(page: usize, size: usize, count: usize) -> Value {
    json!({"page": page, "page_size": size, "total_page": count.div_ceil(size), "count": count})
}

/// `sort_by`: true for descending (the default).
pub fn sort_desc(pairs: &[(String, String)]) -> ApiResult<bool> {
    match q_get(pairs, "sort_by") {
        None | Some("created-descending") => Ok(true),
        Some("created-ascending") => Ok(false),
        Some(o) => Err(ApiError::invalid(format!(
            "sort_by must be created-ascending or created-descending, got {o}"
        ))),
    }
}

/// A value that may be sent as a JSON number or string (ids drift between both).
pub fn json_id(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A JSON string field, or None.
pub fn json_str<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// SplitMix64: small, fast and identical everywhere, so seeded data is deterministic.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeds the generator.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32) * n) >> 32
    }
    /// Percent chance.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    /// Random element of a slice.
    pub fn pick<'a, T>(&mut self, s: &'a [T]) -> &'a T {
        &s[self.below(s.len() as u64) as usize]
    }
}

/// 16 random bytes in standard base64, the shape of the docs' codes and tokens.
pub fn random_token() -> String {
    use base64::Engine;
    let b: [u8; 16] = rand::random();
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_accept_every_form() {
        let p = query_pairs(Some(
            "ratings[0]=5&ratings[1]=4&sources=Amazon,Shop&x=1&ratings=3",
        ));
        assert_eq!(q_array(&p, "ratings"), vec!["5", "4", "3"]);
        assert_eq!(q_array(&p, "sources"), vec!["Amazon", "Shop"]);
    }

    #[test]
    fn time_forms() {
        assert_eq!(parse_time("1700000000"), Some(1_700_000_000));
        assert_eq!(parse_time("2025-06-20 00:00:00"), Some(1_750_377_600));
        assert_eq!(parse_time("2025-06-20"), Some(1_750_377_600));
        assert_eq!(parse_time("2025-06-20T00:00:00Z"), Some(1_750_377_600));
        assert_eq!(fmt_plain(1_750_377_600), "2025-06-20 00:00:00");
        assert_eq!(fmt_rfc3339(1_750_377_600), "2025-06-20T00:00:00Z");
        assert_eq!(parse_time("nope"), None);
    }

    #[test]
    fn rng_is_deterministic() {
        let a: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let mut r = Rng::new(7);
        let b: Vec<u64> = (0..5).map(|_| r.next_u64()).collect();
        assert_eq!(a, b);
        assert!((0..1000).all(|_| r.below(10) < 10));
    }
}
