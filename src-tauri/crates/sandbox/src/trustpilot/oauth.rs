//! Trustpilot OAuth: the token endpoints of the API host (`accesstoken`, `refresh`, `revoke`)
//! and the sign-in page of the authenticate host, as the seed's Authentication page describes
//! them.

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use serde_json::{json, Value};

use super::{TpCode, TpState, TpToken, TpWorld, CODE_TTL, REFRESH_TTL};
use crate::state::{constant_eq, lock, TokenKind};
use crate::util::{json_response, q_get, query_pairs};

/// An OAuth error: RFC 6749 §5.2 `{"error", "error_description"}` (CHOICES-trustpilot: the docs
/// say only that OAuth errors "are not very elaborate").
#[derive(Debug)]
pub struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, d: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: d.into(),
        }
    }
    fn request(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", d)
    }
    fn client(d: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", d)
    }
    fn grant(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", d)
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        json_response(
            self.status,
            &json!({"error": self.error, "error_description": self.description}),
        )
    }
}

/// What the seed page says a business user with two-factor sign-in gets (password grant).
pub const TWO_FACTOR_MESSAGE: &str =
    "OAuth authentication is not supported for business users with enabled 2nd factor authentication.";

/// A token value: 32 letters and digits, like the seed's example refresh token.
pub fn random_alnum(n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| A[(rand::random::<u32>() as usize) % A.len()] as char)
        .collect()
}

/// The form body of a token request (415 unless `application/x-www-form-urlencoded`).
fn form(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, String)>, OAuthError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct.starts_with("application/x-www-form-urlencoded") {
        return Err(OAuthError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded",
        ));
    }
    Ok(query_pairs(Some(&String::from_utf8_lossy(body))))
}

/// `key:secret` from `Authorization: Basic …`.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let b64 = v
        .strip_prefix("Basic ")
        .or_else(|| v.strip_prefix("basic "))?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (k, sec) = s.split_once(':')?;
    Some((k.to_string(), sec.to_string()))
}

/// The application authenticating: Basic always; `client_id`/`client_secret` in the body only
/// where the docs allow it (authorization code, refresh).
fn client(
    w: &TpWorld,
    headers: &HeaderMap,
    f: &[(String, String)],
    body_allowed: bool,
) -> Result<usize, OAuthError> {
    let (key, secret) = match basic(headers) {
        Some(ks) => ks,
        None if body_allowed => match (q_get(f, "client_id"), q_get(f, "client_secret")) {
            (Some(k), Some(s)) => (k.to_string(), s.to_string()),
            _ => return Err(OAuthError::client(
                "API key and secret are required (Authorization: Basic or client_id/client_secret)",
            )),
        },
        None => {
            return Err(OAuthError::client(
                "Authorization: Basic base64(API_KEY:API_SECRET) is required",
            ))
        }
    };
    let app = w
        .app_by_key(&key)
        .filter(|&a| constant_eq(w.apps[a].secret.as_bytes(), secret.as_bytes()))
        .ok_or_else(|| OAuthError::client("Invalid API key or secret"))?;
    Ok(app)
}

/// Issues an access token (and a refresh token when `refresh`) and answers like the docs:
/// `{access_token, refresh_token?, expires_in: "<string>", …}`.
/// Who a token is for: the application, the business user (none for client credentials),
/// the business whose units it reads, and the grant that issued it.
struct Grantee {
    app: usize,
    user: Option<usize>,
    business: usize,
    grant: &'static str,
}

fn issue(st: &TpState, w: &mut TpWorld, now: i64, g: Grantee, refresh: bool) -> Value {
    let Grantee {
        app,
        user,
        business,
        grant,
    } = g;
    let ttl = st.token_ttl();
    let access = random_alnum(28);
    w.tokens.insert(
        access.clone(),
        TpToken {
            kind: TokenKind::Access,
            app,
            user,
            business,
            grant,
            expires_at: now + ttl,
            revoked: false,
            access: None,
        },
    );
    let mut v = json!({
        "access_token": access,
        "expires_in": (ttl - 1).max(0).to_string(),
        "issued_at": (now * 1000).to_string(),
        "token_type": "BearerToken",
        "status": "approved",
        "application_name": w.apps[app].name,
    });
    if refresh {
        let rt = random_alnum(32);
        w.tokens.insert(
            rt.clone(),
            TpToken {
                kind: TokenKind::Refresh,
                app,
                user,
                business,
                grant,
                expires_at: now + REFRESH_TTL,
                revoked: false,
                access: Some(access),
            },
        );
        v["refresh_token"] = json!(rt);
        v["refresh_token_expires_in"] = json!((REFRESH_TTL - 1).to_string());
    }
    lock(&st.stats).tokens_issued += 1;
    v
}

/// Counts a token request of an application and refuses it (429) past the per-minute limit
/// the sandbox enforces for "too frequent authentication requests" (seed page).
fn throttle(st: &TpState, w: &mut TpWorld, app: usize, now: i64) -> Result<(), OAuthError> {
    let limit = st.cfg.trustpilot_auth_per_minute.max(1) as usize;
    let log = w.auth_log.entry(app).or_default();
    while log.front().is_some_and(|&t| t <= now - 60) {
        log.pop_front();
    }
    if log.len() >= limit {
        return Err(OAuthError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "Too frequent authentication requests: reuse the access token until it expires",
        ));
    }
    log.push_back(now);
    Ok(())
}

fn token_request(st: &TpState, headers: &HeaderMap, body: &[u8], refresh_only: bool) -> Response {
    let res = (|| {
        let f = form(headers, body)?;
        let grant = q_get(&f, "grant_type").unwrap_or("");
        let body_creds = matches!(grant, "authorization_code" | "refresh_token");
        let now = st.now();
        let mut w = st.world();
        let app = client(&w, headers, &f, body_creds)?;
        if refresh_only && grant != "refresh_token" {
            return Err(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "the refresh endpoint takes grant_type=refresh_token",
            ));
        }
        throttle(st, &mut w, app, now)?;
        let v = match grant {
            "password" => {
                let user = q_get(&f, "username").unwrap_or("");
                let pass = q_get(&f, "password").unwrap_or("");
                if user.is_empty() || pass.is_empty() {
                    return Err(OAuthError::request("username and password are required"));
                }
                let u = w
                    .users
                    .iter()
                    .position(|u| {
                        u.email.eq_ignore_ascii_case(user)
                            && constant_eq(u.password.as_bytes(), pass.as_bytes())
                    })
                    .ok_or_else(|| OAuthError::grant("Invalid username or password"))?;
                if w.users[u].two_factor {
                    return Err(OAuthError::grant(TWO_FACTOR_MESSAGE));
                }
                let b = w.users[u].business;
                issue(
                    st,
                    &mut w,
                    now,
                    Grantee {
                        app,
                        user: Some(u),
                        business: b,
                        grant: "password",
                    },
                    true,
                )
            }
            "client_credentials" => {
                let b = w.apps[app].business;
                issue(
                    st,
                    &mut w,
                    now,
                    Grantee {
                        app,
                        user: None,
                        business: b,
                        grant: "client_credentials",
                    },
                    false,
                )
            }
            "authorization_code" => {
                let code = q_get(&f, "code").unwrap_or("").to_string();
                let redirect = q_get(&f, "redirect_uri").unwrap_or("").to_string();
                let rec = w
                    .codes
                    .get_mut(&code)
                    .ok_or_else(|| OAuthError::grant("Invalid authorization code"))?;
                if rec.used {
                    return Err(OAuthError::grant("Authorization code already used"));
                }
                rec.used = true;
                if rec.expires_at <= now {
                    return Err(OAuthError::grant("Authorization code expired"));
                }
                if rec.app != app {
                    return Err(OAuthError::grant(
                        "Authorization code was issued to another application",
                    ));
                }
                if rec.redirect_uri != redirect {
                    return Err(OAuthError::grant(
                        "redirect_uri must be identical to the one of the authorization request",
                    ));
                }
                let user = rec.user;
                let b = w.users[user].business;
                let g = Grantee {
                    app,
                    user: Some(user),
                    business: b,
                    grant: "authorization_code",
                };
                issue(st, &mut w, now, g, true)
            }
            "refresh_token" => {
                let rt = q_get(&f, "refresh_token").unwrap_or("").to_string();
                let t = w
                    .tokens
                    .get(&rt)
                    .filter(|t| t.kind == TokenKind::Refresh)
                    .cloned()
                    .ok_or_else(|| OAuthError::grant("Invalid refresh token"))?;
                if t.app != app {
                    return Err(OAuthError::grant(
                        "Refresh token was issued to another application",
                    ));
                }
                if t.revoked {
                    return Err(OAuthError::grant("Refresh token revoked"));
                }
                if t.expires_at <= now {
                    return Err(OAuthError::grant("Refresh token expired"));
                }
                // A new pair; the old refresh token stops working, the old access token lives
                // out its time (CHOICES-trustpilot).
                if let Some(x) = w.tokens.get_mut(&rt) {
                    x.revoked = true;
                }
                let v = issue(
                    st,
                    &mut w,
                    now,
                    Grantee {
                        app,
                        user: t.user,
                        business: t.business,
                        grant: t.grant,
                    },
                    true,
                );
                lock(&st.stats).token_refreshes += 1;
                v
            }
            "" => return Err(OAuthError::request("grant_type is required")),
            g => {
                return Err(OAuthError::new(
                    StatusCode::BAD_REQUEST,
                    "unsupported_grant_type",
                    format!("unsupported grant_type {g}"),
                ))
            }
        };
        Ok(json_response(StatusCode::OK, &v))
    })();
    res.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /v1/oauth/oauth-business-users-for-applications/accesstoken` (SEEN-DOC): grants
/// `password`, `client_credentials`, `authorization_code` and `refresh_token`.
pub async fn access_token(State(st): State<TpState>, headers: HeaderMap, body: Bytes) -> Response {
    token_request(&st, &headers, &body, false)
}

/// `POST /v1/oauth/oauth-business-users-for-applications/refresh` (SEEN-DOC): the
/// `refresh_token` grant only.
pub async fn refresh(State(st): State<TpState>, headers: HeaderMap, body: Bytes) -> Response {
    token_request(&st, &headers, &body, true)
}

/// `POST /v1/oauth/oauth-business-users-for-applications/revoke` (SEEN-DOC): form `token=`;
/// a refresh token takes its access token with it; an access token is revoked alone (which
/// token Bruno sends is ambiguous, CHOICES-trustpilot). `200` with an empty body, also for an
/// unknown token (RFC 7009).
pub async fn revoke(State(st): State<TpState>, headers: HeaderMap, body: Bytes) -> Response {
    let res = (|| {
        let f = form(&headers, &body)?;
        let token = q_get(&f, "token").ok_or_else(|| OAuthError::request("token is required"))?;
        let mut w = st.world();
        if let Some(t) = w.tokens.get_mut(token) {
            t.revoked = true;
            if let Some(a) = t.access.clone() {
                if let Some(x) = w.tokens.get_mut(&a) {
                    x.revoked = true;
                }
            }
        }
        Ok(StatusCode::OK.into_response())
    })();
    res.unwrap_or_else(|e: OAuthError| e.into_response())
}

// ---------------------------------------------------------------------------------------
// The authenticate page.

/// Is `uri` a loopback `http://127.0.0.1:<port>/…` or `http://localhost:<port>/…` URI (the
/// sandbox-only exception to the registered https redirect)?
pub fn is_loopback(uri: &str) -> bool {
    match url::Url::parse(uri) {
        Ok(u) => {
            u.scheme() == "http"
                && matches!(u.host_str(), Some("127.0.0.1") | Some("localhost"))
                && u.port().is_some()
        }
        Err(_) => false,
    }
}

struct AuthParams {
    app: usize,
    client_id: String,
    redirect_uri: String,
    response_type: String,
    state: Option<String>,
}

fn check(w: &TpWorld, get: &dyn Fn(&str) -> Option<String>) -> Result<AuthParams, String> {
    let client_id = get("client_id").unwrap_or_default();
    let app = w
        .app_by_key(&client_id)
        .ok_or_else(|| format!("Unknown client_id '{client_id}'."))?;
    let redirect_uri = get("redirect_uri").unwrap_or_default();
    if redirect_uri != w.apps[app].redirect_uri && !is_loopback(&redirect_uri) {
        return Err(format!(
            "redirect_uri '{redirect_uri}' is not the https URI registered for this application."
        ));
    }
    let response_type = get("response_type").unwrap_or_default();
    if response_type != "code" && response_type != "token" {
        return Err("response_type must be code or token.".into());
    }
    Ok(AuthParams {
        app,
        client_id,
        redirect_uri,
        response_type,
        state: get("state").filter(|s| !s.is_empty()),
    })
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const CSS: &str = "<style>body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;background:#f7f7f2;\
color:#1c1c1c;display:flex;justify-content:center;padding:48px 16px;margin:0}.card{background:#fff;border-radius:8px;\
box-shadow:0 4px 18px rgba(0,0,0,.08);max-width:420px;width:100%;padding:32px}h1{font-size:1.3rem;margin:0 0 6px}\
.brand{color:#00b67a;font-weight:700;font-size:1.1rem;margin-bottom:18px}.brand span{color:#1c1c1c}\
label{display:block;font-size:.85rem;margin-top:12px}input[type=email],input[type=password],input[type=text]\
{width:100%;box-sizing:border-box;padding:9px;border:1px solid #ccc;border-radius:4px;margin-top:4px}\
.row{display:flex;gap:10px;margin-top:20px}button{flex:1;padding:11px;border-radius:4px;border:0;font-size:1rem;cursor:pointer}\
.go{background:#00b67a;color:#fff}.cancel{background:#ececec;color:#333}.err{color:#b00020}\
.note{background:#fff7d6;border:1px solid #f0d77a;border-radius:4px;padding:8px 10px;font-size:.82rem;margin-top:18px}\
.muted{color:#777;font-size:.8rem}</style>";

fn error_page(msg: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Trustpilot — sign-in error</title>{CSS}</head>\
         <body><main class=\"card\"><div class=\"brand\">★ Trustpilot <span>Business</span></div><h1>Something went wrong</h1>\
         <p class=\"err\">{}</p><p class=\"note\">Sandbox: Trustpilot accepts only the https redirect URI registered \
         for the application. This sandbox also accepts loopback URIs (http://127.0.0.1:&lt;port&gt;/…), which the real \
         page does not.</p></main></body></html>",
        esc(msg)
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

fn sign_in_page(w: &TpWorld, p: &AuthParams, error: Option<&str>, email: &str) -> String {
    let hidden =
        |k: &str, v: &str| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", esc(v));
    let loopback = if is_loopback(&p.redirect_uri) {
        "<b>This request uses a loopback redirect URI, which only the sandbox accepts.</b> "
    } else {
        ""
    };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Log in to Trustpilot Business</title>{CSS}</head><body>\
<main class=\"card\"><div class=\"brand\">★ Trustpilot <span>Business</span> · sandbox</div>\
<h1>Log in to connect <b>{app}</b></h1><p class=\"muted\">The application will be able to read your service reviews \
and reply to them on your behalf.</p>{err}\
<form method=\"post\" action=\"/\">\
<label for=\"email\">Work email</label><input id=\"email\" type=\"email\" name=\"email\" value=\"{email}\" autocomplete=\"username\">\
<label for=\"password\">Password</label><input id=\"password\" type=\"password\" name=\"password\" autocomplete=\"current-password\">\
<label for=\"otp\">Two-factor code (if your account uses one)</label><input id=\"otp\" type=\"text\" name=\"otp\" inputmode=\"numeric\" autocomplete=\"one-time-code\">\
{h1}{h2}{h3}{h4}\
<div class=\"row\"><button class=\"cancel\" type=\"submit\" name=\"decision\" value=\"cancel\">Cancel</button>\
<button class=\"go\" type=\"submit\" name=\"decision\" value=\"login\">Log in</button></div></form>\
<p class=\"note\">{loopback}Sandbox stand-in for authenticate.trustpilot.com. Trustpilot redirects only to the https URI \
registered for the application; this sandbox also accepts loopback URIs (http://127.0.0.1:&lt;port&gt;/…) so tests and \
the demo can finish the flow on this machine.</p>\
<p class=\"muted\">You will be sent back to {ru}</p></main></body></html>",
        app = esc(&w.apps[p.app].name),
        err = error
            .map(|e| format!("<p class=\"err\" role=\"alert\">{}</p>", esc(e)))
            .unwrap_or_default(),
        email = esc(email),
        h1 = hidden("client_id", &p.client_id),
        h2 = hidden("redirect_uri", &p.redirect_uri),
        h3 = hidden("response_type", &p.response_type),
        h4 = hidden("state", p.state.as_deref().unwrap_or("")),
        ru = esc(&p.redirect_uri),
    )
}

/// `GET /` on the authenticate host (SEEN-DOC `?client_id&redirect_uri&response_type=code|token`,
/// `state` echoed, CHOICES-trustpilot): the sign-in form, or an error page (never a redirect)
/// for an unknown application or an unregistered redirect URI.
pub async fn authenticate_page(State(st): State<TpState>, req: Request) -> Response {
    let pairs = query_pairs(req.uri().query());
    let get = |k: &str| q_get(&pairs, k).map(String::from);
    let w = st.world();
    match check(&w, &get) {
        Ok(p) => Html(sign_in_page(&w, &p, None, "")).into_response(),
        Err(m) => error_page(&m),
    }
}

/// Where the browser goes: `?code=…&state=…` for the code flow, `#access_token=…&token_type=
/// bearer&expires_in=…&state=…` for the implicit one (SEEN-DOC), errors the same way.
fn redirect_to(p: &AuthParams, params: &[(&str, &str)]) -> Response {
    let Ok(mut u) = url::Url::parse(&p.redirect_uri) else {
        return error_page("bad redirect_uri");
    };
    let mut all: Vec<(&str, &str)> = params.to_vec();
    if let Some(s) = &p.state {
        all.push(("state", s));
    }
    if p.response_type == "token" {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &all {
            s.append_pair(k, v);
        }
        u.set_fragment(Some(&s.finish()));
    } else {
        let mut q = u.query_pairs_mut();
        for (k, v) in &all {
            q.append_pair(k, v);
        }
    }
    let mut r = StatusCode::FOUND.into_response();
    match HeaderValue::from_str(u.as_str()) {
        Ok(v) => {
            r.headers_mut().insert(header::LOCATION, v);
            r
        }
        Err(_) => error_page("bad redirect_uri"),
    }
}

/// `POST /` on the authenticate host: the form's answer. Good credentials redirect with a
/// code (single use, ten minutes) or an access token (no refresh token); Cancel redirects with
/// `error=access_denied`; bad credentials show the form again (401).
pub async fn authenticate_post(State(st): State<TpState>, body: Bytes) -> Response {
    let pairs = query_pairs(Some(&String::from_utf8_lossy(&body)));
    let get = |k: &str| q_get(&pairs, k).map(String::from);
    let now = st.now();
    let mut w = st.world();
    let p = match check(&w, &get) {
        Ok(p) => p,
        Err(m) => return error_page(&m),
    };
    if get("decision").as_deref() == Some("cancel") {
        return redirect_to(&p, &[("error", "access_denied")]);
    }
    let email = get("email").unwrap_or_default();
    let pass = get("password").unwrap_or_default();
    let user = w.users.iter().position(|u| {
        u.email.eq_ignore_ascii_case(&email) && constant_eq(u.password.as_bytes(), pass.as_bytes())
    });
    let again = |w: &TpWorld, msg: &str| {
        (
            StatusCode::UNAUTHORIZED,
            Html(sign_in_page(w, &p, Some(msg), &email)),
        )
            .into_response()
    };
    let Some(user) = user else {
        return again(&w, "The email or password is incorrect.");
    };
    if w.users[user].two_factor && get("otp").as_deref() != Some(super::demo::TWO_FACTOR_CODE) {
        return again(&w, "Enter the 6-digit code from your authenticator app.");
    }
    if p.response_type == "token" {
        let b = w.users[user].business;
        let v = issue(
            &st,
            &mut w,
            now,
            Grantee {
                app: p.app,
                user: Some(user),
                business: b,
                grant: "implicit",
            },
            false,
        );
        let token = v["access_token"].as_str().unwrap_or("").to_string();
        let expires = v["expires_in"].as_str().unwrap_or("0").to_string();
        drop(w);
        return redirect_to(
            &p,
            &[
                ("access_token", &token),
                ("token_type", "bearer"),
                ("expires_in", &expires),
            ],
        );
    }
    let code = random_alnum(20);
    w.codes.insert(
        code.clone(),
        TpCode {
            app: p.app,
            user,
            redirect_uri: p.redirect_uri.clone(),
            expires_at: now + CODE_TTL,
            used: false,
        },
    );
    drop(w);
    redirect_to(&p, &[("code", &code)])
}
