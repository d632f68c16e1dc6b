//! OAuth 2.0: consent page, codes, token grants, revoke, disconnect, and the platform
//! management endpoints that authenticate with client_id + client_secret.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::api::{handle, ApiReq};
use crate::demo;
use crate::state::{
    lock, parse_scopes, AppState, CodeRec, Grant, TokenKind, TokenRec, World, KNOWN_SCOPES,
};
use crate::util::{
    fmt_rfc3339, json_id, json_str, ok, ok_empty, q_get, random_token, ApiError, ApiResult,
};

/// Authorization code life (CHOICES: 10 minutes).
const CODE_TTL: i64 = 600;
/// Refresh token life (CHOICES: 30 days).
const REFRESH_TTL: i64 = 30 * 86_400;

/// Is this redirect URI registered for the demo client?
pub fn redirect_ok(uri: &str) -> bool {
    if uri == "reviewdesk://oauth/callback" {
        return true;
    }
    match url::Url::parse(uri) {
        Ok(u) => {
            u.scheme() == "http"
                && matches!(u.host_str(), Some("127.0.0.1") | Some("localhost"))
                && u.port().is_some()
        }
        Err(_) => false,
    }
}

/// Registered clients: ours, plus the two from the docs' examples so those run verbatim.
const CLIENTS: &[(&str, &str)] = &[
    (demo::CLIENT_ID, demo::CLIENT_SECRET),
    ("trustwill", "oauth_test_secret_2026"),
    ("instafeed", "oauth_test_secret_2026"),
];

fn client_known(id: &str) -> bool {
    CLIENTS.iter().any(|(c, _)| *c == id)
}

fn client_ok(id: &str, secret: &str) -> bool {
    CLIENTS
        .iter()
        .any(|(c, s)| *c == id && crate::state::constant_eq(s.as_bytes(), secret.as_bytes()))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn error_page(status: StatusCode, msg: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Authorization error</title>{CSS}</head>\
         <body><main class=\"card\"><h1>Authorization error</h1><p class=\"err\">{}</p></main></body></html>",
        esc(msg)
    );
    (status, Html(body)).into_response()
}

const CSS: &str = "<style>body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;background:#f4f1ec;\
color:#222;display:flex;justify-content:center;padding:48px 16px;margin:0}.card{background:#fff;border-radius:14px;\
box-shadow:0 6px 24px rgba(0,0,0,.08);max-width:460px;width:100%;padding:32px}h1{font-size:1.35rem;margin:0 0 8px}\
.brand{color:#0b6e4f;font-weight:700;letter-spacing:.02em;font-size:.85rem;text-transform:uppercase}\
ul{padding-left:20px}li{margin:4px 0}code{background:#f0f0f0;padding:1px 5px;border-radius:4px}\
select{width:100%;padding:8px;border-radius:8px;border:1px solid #ccc;margin:6px 0 18px}\
.row{display:flex;gap:12px}button{flex:1;padding:11px;border-radius:8px;border:0;font-size:1rem;cursor:pointer}\
.allow{background:#0b6e4f;color:#fff}.deny{background:#e9e6e1;color:#333}.err{color:#a4262c}\
.muted{color:#777;font-size:.85rem}</style>";

struct AuthzParams {
    client_id: String,
    redirect_uri: String,
    state: String,
    scopes: Vec<String>,
    challenge: Option<String>,
}

fn check_authz(get: &dyn Fn(&str) -> Option<String>) -> Result<AuthzParams, String> {
    let client_id = get("client_id").unwrap_or_default();
    if !client_known(&client_id) {
        return Err(format!("unknown client_id '{client_id}'"));
    }
    let redirect_uri = get("redirect_uri").unwrap_or_default();
    if !redirect_ok(&redirect_uri) {
        return Err(format!(
            "redirect_uri '{redirect_uri}' is not registered for this client"
        ));
    }
    if let Some(rt) = get("response_type") {
        if rt != "code" {
            return Err("response_type must be code".into());
        }
    }
    let scopes = parse_scopes(&get("scope").unwrap_or_else(|| "read_reviews".into()));
    if let Some(bad) = scopes.iter().find(|s| !KNOWN_SCOPES.contains(&s.as_str())) {
        return Err(format!("unknown scope '{bad}'"));
    }
    let challenge = get("code_challenge").filter(|s| !s.is_empty());
    if challenge.is_some() {
        let m = get("code_challenge_method").unwrap_or_else(|| "plain".into());
        if m != "S256" {
            return Err("code_challenge_method must be S256".into());
        }
    }
    Ok(AuthzParams {
        client_id,
        redirect_uri,
        state: get("state").unwrap_or_default(),
        scopes,
        challenge,
    })
}

/// `GET /api/v1/openapi/oauth/authorize` — consent page (the real one needs a merchant
/// session; CHOICES "OAuth": the sandbox renders the page itself).
pub async fn authorize_page(State(st): State<AppState>, req: Request) -> Response {
    let pairs = crate::util::query_pairs(req.uri().query());
    let get = |k: &str| q_get(&pairs, k).map(String::from);
    let p = match check_authz(&get) {
        Ok(p) => p,
        Err(m) => return error_page(StatusCode::BAD_REQUEST, &m),
    };
    let w = st.world();
    let wanted_shop = get("shop").or_else(|| get("myshopify_domain"));
    let options: String = w
        .shops
        .iter()
        .map(|s| {
            let sh = s.shop();
            let sel = if wanted_shop.as_deref() == Some(sh.domain.as_str()) {
                " selected"
            } else {
                ""
            };
            format!(
                "<option value=\"{}\"{sel}>{} — {}</option>",
                sh.id,
                esc(&sh.name),
                esc(&sh.domain)
            )
        })
        .collect();
    let scopes: String = p
        .scopes
        .iter()
        .map(|s| format!("<li><code>{}</code> — {}</li>", esc(s), scope_text(s)))
        .collect();
    let hidden =
        |k: &str, v: &str| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", esc(v));
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Authorize ReviewDesk</title>{CSS}</head><body>\
<main class=\"card\"><div class=\"brand\">Trustoo · sandbox</div><h1>Authorize <b>ReviewDesk</b></h1>\
<p>ReviewDesk (<code>{cid}</code>) is requesting access to your store's Trustoo data:</p><ul>{scopes}</ul>\
<form method=\"post\" action=\"/api/v1/openapi/oauth/authorize\">\
<label for=\"shop\">Shop</label><select id=\"shop\" name=\"shop_id\">{options}</select>\
{h1}{h2}{h3}{h4}{h5}{h6}\
<div class=\"row\"><button class=\"deny\" type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\
<button class=\"allow\" type=\"submit\" name=\"decision\" value=\"allow\">Allow</button></div></form>\
<p class=\"muted\">You will be sent back to {ru}</p></main></body></html>",
        cid = esc(&p.client_id),
        ru = esc(&p.redirect_uri),
        h1 = hidden("client_id", &p.client_id),
        h2 = hidden("redirect_uri", &p.redirect_uri),
        h3 = hidden("state", &p.state),
        h4 = hidden("scope", &p.scopes.join(",")),
        h5 = hidden("code_challenge", p.challenge.as_deref().unwrap_or("")),
        h6 = hidden(
            "code_challenge_method",
            if p.challenge.is_some() { "S256" } else { "" }
        ),
    );
    Html(body).into_response()
}

fn scope_text(s: &str) -> &'static str {
    match s {
        "read_reviews" => "read reviews and ratings",
        "write_reviews" => "create and delete reviews, upload media, manage review webhooks",
        "read_customer_events" => "read storefront customer events",
        "write_customers" => "manage email exclusions and unsubscribes",
        "read_orders" => "read orders and review request status",
        "read_shop_install_status" => "check whether the app is installed",
        _ => "",
    }
}

fn redirect(to: &str, params: &[(&str, &str)]) -> Response {
    let target = match url::Url::parse(to) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in params {
                    q.append_pair(k, v);
                }
            }
            u.to_string()
        }
        Err(_) => return error_page(StatusCode::BAD_REQUEST, "bad redirect_uri"),
    };
    let mut r = StatusCode::FOUND.into_response();
    match HeaderValue::from_str(&target) {
        Ok(v) => {
            r.headers_mut().insert(header::LOCATION, v);
            r
        }
        Err(_) => error_page(StatusCode::BAD_REQUEST, "bad redirect_uri"),
    }
}

/// `POST /api/v1/openapi/oauth/authorize` — the consent form's answer: 302 to the
/// redirect URI with `code` + `state`, or `error=access_denied` (CHOICES "OAuth").
pub async fn authorize_post(State(st): State<AppState>, req: Request) -> Response {
    let body = match axum::body::to_bytes(req.into_body(), 64 * 1024).await {
        Ok(b) => b,
        Err(_) => return error_page(StatusCode::BAD_REQUEST, "form too large"),
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |k: &str| q_get(&pairs, k).map(String::from);
    let p = match check_authz(&get) {
        Ok(p) => p,
        Err(m) => return error_page(StatusCode::BAD_REQUEST, &m),
    };
    match get("decision").as_deref() {
        Some("allow") => {}
        Some("deny") => {
            return redirect(
                &p.redirect_uri,
                &[("error", "access_denied"), ("state", &p.state)],
            )
        }
        _ => return error_page(StatusCode::BAD_REQUEST, "decision must be allow or deny"),
    }
    let now = st.now();
    let mut w = st.world();
    let shop_id = get("shop_id").and_then(|s| s.parse().ok());
    let shop = match w.find_shop(shop_id, get("shop").as_deref()) {
        Some(s) => s,
        None if shop_id.is_none() && get("shop").is_none() => 0,
        None => return error_page(StatusCode::BAD_REQUEST, "unknown shop"),
    };
    let code = random_token();
    w.codes.insert(
        code.clone(),
        CodeRec {
            client_id: p.client_id,
            redirect_uri: p.redirect_uri.clone(),
            shop,
            scopes: p.scopes,
            challenge: p.challenge,
            expires_at: now + CODE_TTL,
            used: false,
        },
    );
    drop(w);
    redirect(&p.redirect_uri, &[("code", &code), ("state", &p.state)])
}

/// Issues an access + refresh token pair and records the grant.
pub fn issue(
    w: &mut World,
    now: i64,
    ttl: i64,
    client: &str,
    shop: usize,
    scopes: &[String],
) -> Value {
    let access = random_token();
    let refresh = random_token();
    let rec = |kind, exp, pair: &str| TokenRec {
        kind,
        client_id: client.to_string(),
        shop,
        scopes: scopes.to_vec(),
        expires_at: exp,
        revoked: false,
        pair: pair.to_string(),
    };
    w.tokens
        .insert(access.clone(), rec(TokenKind::Access, now + ttl, &refresh));
    w.tokens.insert(
        refresh.clone(),
        rec(TokenKind::Refresh, now + REFRESH_TTL, &access),
    );
    w.grants
        .entry((client.to_string(), shop))
        .and_modify(|g| g.scopes = scopes.to_vec())
        .or_insert(Grant {
            at: now,
            scopes: scopes.to_vec(),
        });
    json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ttl,
        "refresh_token": refresh,
        "scope": scopes.join(","),
    })
}

fn pkce_ok(challenge: &str, verifier: &str) -> bool {
    let d = Sha256::digest(verifier.as_bytes());
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(d);
    crate::state::constant_eq(enc.as_bytes(), challenge.as_bytes())
}

fn body_map(r: &ApiReq) -> ApiResult<Value> {
    let ct = r
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/x-www-form-urlencoded") {
        let m: serde_json::Map<String, Value> = url::form_urlencoded::parse(&r.body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        Ok(Value::Object(m))
    } else {
        r.json()
    }
}

/// `POST /api/v1/openapi/oauth/token` (SEEN; grant rules and errors per CHOICES "OAuth").
pub async fn token(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let v = body_map(&r)?;
        let s = |k: &str| json_str(&v, k).unwrap_or("").to_string();
        if !client_ok(&s("client_id"), &s("client_secret")) {
            return Err(ApiError::invalid(
                "invalid_client: unknown client_id or bad client_secret",
            ));
        }
        let client = s("client_id");
        let now = st.now();
        let ttl = st.cfg.token_ttl_secs as i64;
        let mut w = st.world();
        let data = match s("grant_type").as_str() {
            "authorization_code" => {
                let code = s("code");
                let rec = w.codes.get_mut(&code).ok_or_else(|| {
                    ApiError::invalid("invalid_grant: unknown authorization code")
                })?;
                if rec.used {
                    return Err(ApiError::invalid(
                        "invalid_grant: authorization code already used",
                    ));
                }
                rec.used = true;
                if rec.expires_at <= now {
                    return Err(ApiError::invalid(
                        "invalid_grant: authorization code expired",
                    ));
                }
                if rec.client_id != client {
                    return Err(ApiError::invalid(
                        "invalid_grant: code issued to another client",
                    ));
                }
                if rec.redirect_uri != s("redirect_uri") {
                    return Err(ApiError::invalid("invalid_grant: redirect_uri mismatch"));
                }
                if let Some(ch) = &rec.challenge {
                    let ver = s("code_verifier");
                    if ver.is_empty() || !pkce_ok(ch, &ver) {
                        return Err(ApiError::invalid(
                            "invalid_grant: code_verifier does not match",
                        ));
                    }
                }
                let (shop, scopes) = (rec.shop, rec.scopes.clone());
                issue(&mut w, now, ttl, &client, shop, &scopes)
            }
            "refresh_token" => {
                let rt = s("refresh_token");
                let rec = w
                    .tokens
                    .get(&rt)
                    .filter(|t| t.kind == TokenKind::Refresh && t.client_id == client)
                    .cloned()
                    .ok_or_else(|| ApiError::invalid("invalid_grant: unknown refresh token"))?;
                if rec.revoked {
                    return Err(ApiError::invalid("invalid_grant: refresh token revoked"));
                }
                if rec.expires_at <= now {
                    return Err(ApiError::invalid("invalid_grant: refresh token expired"));
                }
                // Rotation: the old pair stops working.
                for t in [&rt, &rec.pair] {
                    if let Some(x) = w.tokens.get_mut(t) {
                        x.revoked = true;
                    }
                }
                let out = issue(&mut w, now, ttl, &client, rec.shop, &rec.scopes);
                lock(&st.stats).token_refreshes += 1;
                out
            }
            "client_credentials" => {
                let shop_id = json_id(v.get("shop_id"));
                let domain = json_str(&v, "myshopify_domain").filter(|d| !d.is_empty());
                if shop_id.is_none() && domain.is_none() {
                    return Err(ApiError::invalid(
                        "client_credentials needs shop_id or myshopify_domain",
                    ));
                }
                let shop = w
                    .find_shop(shop_id, domain)
                    .ok_or_else(|| ApiError::not_found("shop not found"))?;
                let scopes = match json_str(&v, "scope").filter(|s| !s.is_empty()) {
                    Some(sc) => parse_scopes(sc),
                    None => KNOWN_SCOPES.iter().map(|s| s.to_string()).collect(),
                };
                if let Some(bad) = scopes.iter().find(|s| !KNOWN_SCOPES.contains(&s.as_str())) {
                    return Err(ApiError::invalid(format!("unknown scope {bad}")));
                }
                issue(&mut w, now, ttl, &client, shop, &scopes)
            }
            "" => return Err(ApiError::invalid("grant_type is required")),
            g => return Err(ApiError::invalid(format!("unsupported_grant_type: {g}"))),
        };
        drop(w);
        lock(&st.stats).tokens_issued += 1;
        Ok(ok(now, data))
    })
    .await
}

/// `POST oauth_revoke_token` (SEEN, older) and `POST oauth/revoke` (CHOICES alias):
/// revokes both tokens of a pair, answers a bare `{}`.
pub async fn revoke(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let v = body_map(&r)?;
        let s = |k: &str| json_str(&v, k).unwrap_or("").to_string();
        if !client_ok(&s("client_id"), &s("client_secret")) {
            return Err(ApiError::invalid(
                "invalid_client: unknown client_id or bad client_secret",
            ));
        }
        let token = s("token");
        if token.is_empty() {
            return Err(ApiError::invalid("token is required"));
        }
        let mut w = st.world();
        if let Some(rec) = w.tokens.get(&token).cloned() {
            if rec.client_id == s("client_id") {
                for t in [&token, &rec.pair] {
                    if let Some(x) = w.tokens.get_mut(t) {
                        x.revoked = true;
                    }
                }
            }
        }
        Ok(crate::util::json_response(StatusCode::OK, &json!({})))
    })
    .await
}

/// `POST /api/v1/openapi/oauth/disconnect` (SEEN, Bearer, no body): revokes every token
/// of that client for that shop and forgets the grant.
pub async fn disconnect(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        if r.headers.get(header::AUTHORIZATION).is_none() {
            return Err(ApiError::unauth("disconnect needs a Bearer token"));
        }
        let p = r.auth(&st, None)?;
        let client = p.client_id.clone().unwrap_or_default();
        let mut w = st.world();
        for t in w.tokens.values_mut() {
            if t.client_id == client && t.shop == p.shop {
                t.revoked = true;
            }
        }
        w.grants.remove(&(client, p.shop));
        // Platform isolation: its webhooks go with it (the docs are silent; harmless choice).
        let cid = p.client_id.clone();
        w.shops[p.shop].webhooks.retain(|h| h.platform != cid);
        Ok(ok_empty(st.now()))
    })
    .await
}

fn platform_shop(r: &ApiReq, w: &World) -> ApiResult<usize> {
    let cid = q_get(&r.pairs, "client_id").unwrap_or("");
    let sec = q_get(&r.pairs, "client_secret").unwrap_or("");
    if !client_ok(cid, sec) {
        return Err(ApiError::unauth("invalid client_id or client_secret"));
    }
    let id = q_get(&r.pairs, "shop_id").filter(|s| *s != "undefined");
    let domain = q_get(&r.pairs, "myshopify_domain").filter(|s| *s != "undefined");
    if id.is_none() && domain.is_none() {
        return Err(ApiError::invalid("shop_id or myshopify_domain is required"));
    }
    let idn = match id {
        Some(s) => Some(
            s.parse::<u64>()
                .map_err(|_| ApiError::invalid("shop_id must be a number"))?,
        ),
        None => None,
    };
    w.find_shop(idn, domain)
        .ok_or_else(|| ApiError::not_found("shop not found"))
}

/// `GET get_shop_authorization_info` (SEEN; not-authorized answers `is_authorized: false`, CHOICES-free pick).
pub async fn authorization_info(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let w = st.world();
        let shop = platform_shop(&r, &w)?;
        let sh = w.shops[shop].shop();
        let cid = q_get(&r.pairs, "client_id").unwrap_or("").to_string();
        let g = w.grants.get(&(cid, shop));
        Ok(ok(
            st.now(),
            json!({
                "is_authorized": g.is_some(),
                "authorized_at": g.map(|g| fmt_rfc3339(g.at)).unwrap_or_default(),
                "granted_scopes": g.map(|g| g.scopes.join(",")).unwrap_or_default(),
                "shop_id": sh.id.to_string(),
                "myshopify_domain": sh.domain,
                "can_upload_video": true,
            }),
        ))
    })
    .await
}

/// `GET get_shop_install_status` (SEEN; `is_installed` 1/0).
pub async fn install_status(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let w = st.world();
        let shop = platform_shop(&r, &w)?;
        let sh = w.shops[shop].shop();
        Ok(ok(
            st.now(),
            json!({
                "is_installed": 1,
                "installed_at": fmt_rfc3339(sh.installed_at),
                "shop_id": sh.id.to_string(),
                "myshopify_domain": sh.domain,
            }),
        ))
    })
    .await
}

/// `GET get_oauth_authorize_url` (SEEN older; `data.authorize_url` points at the sandbox consent page).
pub async fn authorize_url(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let get = |k: &str| q_get(&r.pairs, k).map(String::from);
        let p = check_authz(&get).map_err(ApiError::invalid)?;
        let mut u = url::Url::parse(&format!("{}/api/v1/openapi/oauth/authorize", st.base_url))
            .map_err(|e| ApiError::internal(e.to_string()))?;
        {
            let mut q = u.query_pairs_mut();
            q.append_pair("client_id", &p.client_id)
                .append_pair("redirect_uri", &p.redirect_uri)
                .append_pair("state", &p.state)
                .append_pair("scope", &p.scopes.join(","))
                .append_pair("response_type", "code");
            if let Some(c) = &p.challenge {
                q.append_pair("code_challenge", c)
                    .append_pair("code_challenge_method", "S256");
            }
        }
        Ok(ok(st.now(), json!({"authorize_url": u.to_string()})))
    })
    .await
}
