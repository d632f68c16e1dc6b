//! Sandbox-only controls under `/__sandbox/` and the fault-injection middleware.

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::data;
use crate::demo;
use crate::render;
use crate::state::{lock, AppState, Fault, LoggedRequest, Stats, TokenKind, MAX_LOGGED_REQUESTS};
use crate::util::{json_response, ApiError};

/// What one half of the sandbox (Trustoo, Trustpilot) lends the shared fault machinery: its
/// armed faults, offline switch and counters, and how its API answers a faulted request. Why a
/// trait: both emulators get the same faults and controls from one implementation, each in
/// the error shape of the API it emulates.
pub trait FaultHost: Clone + Send + Sync + 'static {
    /// Armed faults.
    fn faults(&self) -> &std::sync::Mutex<Vec<Fault>>;
    /// Offline mode (API connections dropped before any byte).
    fn offline(&self) -> &std::sync::atomic::AtomicBool;
    /// Request counters and log.
    fn stats(&self) -> &std::sync::Mutex<Stats>;
    /// Path prefix of the API (offline mode and the default `path_prefix` of a fault).
    fn api_prefix(&self) -> &'static str;
    /// Ends every live access token now; returns how many were live.
    fn expire_access_tokens(&self) -> usize;
    /// The API's answer to a faulted status (`retry_after` for a 429).
    fn fault_response(&self, status: StatusCode, retry_after: u64) -> Response;
    /// A JSON body cut off in the middle, in the shape of this API's lists.
    fn malformed_body(&self) -> &'static str;
}

impl FaultHost for AppState {
    fn faults(&self) -> &std::sync::Mutex<Vec<Fault>> {
        &self.0.faults
    }
    fn offline(&self) -> &std::sync::atomic::AtomicBool {
        &self.0.offline
    }
    fn stats(&self) -> &std::sync::Mutex<Stats> {
        &self.0.stats
    }
    fn api_prefix(&self) -> &'static str {
        "/api/"
    }
    fn expire_access_tokens(&self) -> usize {
        self.0.expire_access_tokens()
    }
    fn fault_response(&self, status: StatusCode, retry_after: u64) -> Response {
        if status == StatusCode::TOO_MANY_REQUESTS {
            ApiError::rate_limited(retry_after).into_response()
        } else {
            ApiError::status(status).into_response()
        }
    }
    fn malformed_body(&self) -> &'static str {
        "{\"code\":0,\"message\":\"success\",\"data\":{\"list\":[{\"id\":\"1\","
    }
}

/// What to do with one request.
enum Action {
    Pass,
    Status(StatusCode),
    RateLimit(u64),
    Slow(u64),
    Cut,
    Malformed,
    Offline,
    /// Expire every access token, then serve the request (which meets the expired token).
    ExpireTokens,
}

fn parse_header_fault(v: &str) -> Option<Action> {
    let v = v.trim();
    if let Some(rest) = v.strip_prefix("status=") {
        let mut parts = rest.split(';');
        let code: u16 = parts.next()?.trim().parse().ok()?;
        if code == 429 {
            let ra = parts
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("retry_after=")
                        .and_then(|x| x.parse().ok())
                })
                .unwrap_or(1);
            return Some(Action::RateLimit(ra));
        }
        return StatusCode::from_u16(code).ok().map(Action::Status);
    }
    if let Some(ms) = v.strip_prefix("slow=") {
        return ms.trim().parse().ok().map(Action::Slow);
    }
    match v {
        "cut" => Some(Action::Cut),
        "malformed" => Some(Action::Malformed),
        _ => None, // `expire` is handled by authentication.
    }
}

/// Counts requests, then applies offline mode, the `X-Sandbox-Fault` header and armed faults.
pub async fn fault_layer<H: FaultHost>(State(st): State<H>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/__sandbox/") {
        return next.run(req).await;
    }
    let query = crate::util::query_pairs(req.uri().query());
    {
        let mut s = lock(st.stats());
        s.total += 1;
        *s.per_path.entry(path.clone()).or_insert(0) += 1;
        if s.requests.len() >= MAX_LOGGED_REQUESTS {
            s.requests.pop_front();
        }
        s.requests.push_back(LoggedRequest {
            method: req.method().to_string(),
            path: path.clone(),
            query: query.clone(),
        });
    }
    let mut action = Action::Pass;
    if path.starts_with(st.api_prefix()) && st.offline().load(Ordering::SeqCst) {
        action = Action::Offline;
    } else if let Some(a) = req
        .headers()
        .get("x-sandbox-fault")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_header_fault)
    {
        action = a;
    } else {
        let mut faults = lock(st.faults());
        if let Some(i) = faults.iter().position(|f| f.matches(&path, &query)) {
            let f = &mut faults[i];
            action = match f.kind.as_str() {
                "status" => Action::Status(
                    StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                ),
                "rate_limit" => Action::RateLimit(f.retry_after),
                "slow" => Action::Slow(f.delay_ms),
                "cut" => Action::Cut,
                "malformed" => Action::Malformed,
                // Counts down the requests it lets through; the last one meets an expired token.
                "expire_tokens" if f.remaining == Some(1) => Action::ExpireTokens,
                _ => Action::Pass,
            };
            if let Some(n) = f.remaining.as_mut() {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    faults.remove(i);
                }
            }
        }
    }
    match action {
        Action::Pass => next.run(req).await,
        Action::ExpireTokens => {
            st.expire_access_tokens();
            next.run(req).await
        }
        Action::Status(s) => st.fault_response(s, 0),
        Action::RateLimit(ra) => st.fault_response(StatusCode::TOO_MANY_REQUESTS, ra),
        Action::Slow(ms) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(req).await
        }
        Action::Malformed => {
            let mut r = (StatusCode::OK, st.malformed_body()).into_response();
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            r
        }
        Action::Offline => broken_body(Bytes::new()),
        Action::Cut => {
            let resp = next.run(req).await;
            let (parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, 16 << 20)
                .await
                .unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            let mut r = broken_body(half);
            *r.status_mut() = parts.status;
            for (k, v) in parts.headers.iter() {
                if k != "content-length" {
                    r.headers_mut().insert(k.clone(), v.clone());
                }
            }
            r
        }
    }
}

/// A response whose body sends `prefix` and then fails, so hyper aborts the connection.
fn broken_body(prefix: Bytes) -> Response {
    let empty = prefix.is_empty();
    let s = futures::stream::iter(vec![
        Ok::<Bytes, std::io::Error>(prefix),
        Err(std::io::Error::other("sandbox fault: connection cut")),
    ]);
    let s: futures::stream::BoxStream<'static, Result<Bytes, std::io::Error>> = if empty {
        Box::pin(futures::stream::iter(vec![Err(std::io::Error::other(
            "sandbox fault: offline",
        ))]))
    } else {
        Box::pin(futures::StreamExt::then(s, |x| async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            x
        }))
    };
    Response::new(Body::from_stream(s))
}

fn bad(msg: &str) -> Response {
    ApiError::invalid(msg).into_response()
}

/// `POST /__sandbox/faults` — arms a fault (JSON, see module docs and CHOICES).
pub async fn arm_fault<H: FaultHost>(State(st): State<H>, body: Bytes) -> Response {
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad(&format!("body must be JSON: {e}")),
    };
    let kind = v
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut remaining = match v.get("count") {
        None | Some(Value::Null) => Some(1),
        Some(c) => match c.as_u64() {
            Some(0) => None,
            Some(n) => Some(n),
            None => return bad("count must be a non-negative integer"),
        },
    };
    let prefix = v
        .get("path_prefix")
        .and_then(Value::as_str)
        .unwrap_or(st.api_prefix())
        .to_string();
    match kind.as_str() {
        "expire_tokens" => match v.get("after") {
            None | Some(Value::Null) => {
                let n = st.expire_access_tokens();
                return json_response(StatusCode::OK, &json!({"ok": true, "expired": n}));
            }
            Some(after) => match after.as_u64() {
                // Armed below: `after` requests pass, the next one meets expired tokens.
                Some(after) => remaining = Some(after + 1),
                None => return bad("after must be a non-negative integer"),
            },
        },
        "offline" => {
            st.offline().store(true, Ordering::SeqCst);
            return json_response(StatusCode::OK, &json!({"ok": true}));
        }
        "status" | "rate_limit" | "slow" | "cut" | "malformed" => {}
        _ => {
            return bad(
                "kind must be status, rate_limit, slow, cut, malformed, expire_tokens or offline",
            )
        }
    }
    // `query`: `{"page": 7}` faults only requests whose query has `page=7` (values may be
    // strings or numbers; every pair must match).
    let query = match v.get("query") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(m)) => {
            let mut pairs = Vec::new();
            for (k, val) in m {
                let val = match val {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return bad("query values must be strings, numbers or booleans"),
                };
                pairs.push((k.clone(), val));
            }
            pairs
        }
        Some(_) => return bad("query must be an object of parameter values"),
    };
    let status = v.get("status").and_then(Value::as_u64).unwrap_or(500) as u16;
    if kind == "status" && StatusCode::from_u16(status).is_err() {
        return bad("status must be an HTTP status");
    }
    lock(st.faults()).push(Fault {
        kind,
        status,
        remaining,
        path_prefix: prefix,
        delay_ms: v.get("delay_ms").and_then(Value::as_u64).unwrap_or(1000),
        retry_after: v.get("retry_after").and_then(Value::as_u64).unwrap_or(1),
        query,
    });
    json_response(StatusCode::OK, &json!({"ok": true}))
}

/// `DELETE /__sandbox/faults` — clears every fault and offline mode.
pub async fn clear_faults<H: FaultHost>(State(st): State<H>) -> Response {
    lock(st.faults()).clear();
    st.offline().store(false, Ordering::SeqCst);
    json_response(StatusCode::OK, &json!({"ok": true}))
}

/// `GET /__sandbox/faults` — lists armed faults.
pub async fn list_faults<H: FaultHost>(State(st): State<H>) -> Response {
    let f: Vec<Value> = lock(st.faults())
        .iter()
        .map(|f| json!({"kind": f.kind, "status": f.status, "remaining": f.remaining, "path_prefix": f.path_prefix, "delay_ms": f.delay_ms, "retry_after": f.retry_after, "query": f.query.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect::<serde_json::Map<String, Value>>()}))
        .collect();
    json_response(
        StatusCode::OK,
        &json!({"faults": f, "offline": st.offline().load(Ordering::SeqCst)}),
    )
}

/// `GET /__sandbox/demo` — demo shop, client and HMAC tokens.
pub async fn demo_info(State(st): State<AppState>) -> Response {
    let w = st.world();
    let shops: Vec<Value> = w
        .shops
        .iter()
        .map(|s| {
            let sh = s.shop();
            json!({
                "shop_id": sh.id.to_string(), "myshopify_domain": sh.domain, "name": sh.name,
                "public_token": sh.public_token, "private_token": sh.private_token,
                "counts": data::counts(s),
                "products": s.products.iter().take(100).map(|p| json!({"id": p.id.to_string(), "title": p.title, "handle": p.handle})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json_response(
        StatusCode::OK,
        &json!({
            "base_url": st.base_url,
            "client_id": demo::CLIENT_ID,
            "client_secret": demo::CLIENT_SECRET,
            "redirect_uris": ["reviewdesk://oauth/callback", "http://127.0.0.1:<port>/..."],
            "shop": shops.first().cloned().unwrap_or(Value::Null),
            "shops": shops,
            "token_ttl_secs": st.cfg.token_ttl_secs,
            "seed": st.cfg.seed,
            "seed_ms": st.seed_ms as u64,
            "storage_dir": st.storage_dir.display().to_string(),
            "now": st.now(),
        }),
    )
}

/// `GET /__sandbox/stats` — request counters and token-refresh count.
pub async fn stats<H: FaultHost>(State(st): State<H>) -> Response {
    let s = lock(st.stats());
    json_response(
        StatusCode::OK,
        &json!({
            "total": s.total,
            "per_path": s.per_path,
            "token_refreshes": s.token_refreshes,
            "tokens_issued": s.tokens_issued,
        }),
    )
}

/// `GET /__sandbox/requests` — the request log, oldest first: `{"requests": [{method, path,
/// query: {name: value}}]}` (a repeated parameter keeps its last value here; in-process callers
/// read `Stats::requests` for every pair).
pub async fn requests<H: FaultHost>(State(st): State<H>) -> Response {
    let s = lock(st.stats());
    let list: Vec<Value> = s
        .requests
        .iter()
        .map(|r| {
            json!({
                "method": r.method,
                "path": r.path,
                "query": r.query.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect::<serde_json::Map<String, Value>>(),
            })
        })
        .collect();
    json_response(StatusCode::OK, &json!({ "requests": list }))
}

/// `DELETE /__sandbox/stats` — resets counters and the request log.
pub async fn reset_stats<H: FaultHost>(State(st): State<H>) -> Response {
    let mut s = lock(st.stats());
    *s = Default::default();
    json_response(StatusCode::OK, &json!({"ok": true}))
}

fn shop_param(st: &AppState, q: Option<&str>) -> usize {
    let pairs = crate::util::query_pairs(q);
    let id = crate::util::q_get(&pairs, "shop_id").and_then(|s| s.parse().ok());
    let dom = crate::util::q_get(&pairs, "myshopify_domain");
    st.world().find_shop(id, dom).unwrap_or(0)
}

/// `GET /__sandbox/state/deleted_reviews[?shop_id=]`.
pub async fn deleted_reviews(State(st): State<AppState>, req: Request) -> Response {
    let shop = shop_param(&st, req.uri().query());
    let w = st.world();
    json_response(
        StatusCode::OK,
        &json!({"list": w.shops.get(shop).map(|s| s.deleted.clone()).unwrap_or_default()}),
    )
}

/// `GET /__sandbox/state/exclusions[?shop_id=]` — exclusions and unsubscribes.
pub async fn exclusions(State(st): State<AppState>, req: Request) -> Response {
    let shop = shop_param(&st, req.uri().query());
    let w = st.world();
    let Some(sd) = w.shops.get(shop) else {
        return bad("unknown shop");
    };
    json_response(
        StatusCode::OK,
        &json!({
            "list": sd.exclusions.iter().map(render::render_exclusion).collect::<Vec<_>>(),
            "unsubscribes": sd.unsubscribes.iter().map(|(e, t, at)| json!({"email": e, "email_type": t, "at": at})).collect::<Vec<_>>(),
        }),
    )
}

/// `POST /__sandbox/state/token_status` `{token}` → `active|revoked|expired|unknown`.
pub async fn token_status(State(st): State<AppState>, body: Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(t) = v.get("token").and_then(Value::as_str) else {
        return bad("token is required");
    };
    let now = st.now();
    let w = st.world();
    let (status, kind) = match w.tokens.get(t) {
        None => ("unknown", Value::Null),
        Some(r) => (
            if r.revoked {
                "revoked"
            } else if r.expires_at <= now {
                "expired"
            } else {
                "active"
            },
            json!(if r.kind == TokenKind::Access {
                "access"
            } else {
                "refresh"
            }),
        ),
    };
    json_response(StatusCode::OK, &json!({"status": status, "kind": kind}))
}

/// `POST /__sandbox/time/advance` `{seconds}` — moves the sandbox clock forward.
pub async fn advance(State(st): State<AppState>, body: Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(s) = v.get("seconds").and_then(Value::as_i64).filter(|s| *s >= 0) else {
        return bad("seconds must be a non-negative integer");
    };
    let off = st.clock_offset.fetch_add(s, Ordering::SeqCst) + s;
    json_response(StatusCode::OK, &json!({"offset": off, "now": st.now()}))
}
