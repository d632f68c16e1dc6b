//! End-to-end tests of the Trustpilot half of the sandbox over real HTTP on loopback, with a
//! plain reqwest client (written from the reference and `CHOICES-trustpilot.md`, not from the
//! sandbox's code).
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::time::Duration;

use reqwest::{redirect, Client, StatusCode};
use reviewdesk_sandbox::trustpilot::demo;
use reviewdesk_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

const OAUTH: &str = "/v1/oauth/oauth-business-users-for-applications";
const UA: &str = "ReviewDesk-tests/1.0";

struct T {
    sb: Sandbox,
    c: Client,
    api: String,
    auth: String,
}

async fn start_with(cfg: SandboxConfig) -> T {
    let sb = Sandbox::start(cfg, 0).await.expect("sandbox starts");
    let api = sb.trustpilot().api_url();
    let auth = sb.trustpilot().authenticate_url();
    let c = Client::builder()
        .redirect(redirect::Policy::none())
        .user_agent(UA)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    T { sb, c, api, auth }
}

async fn start() -> T {
    start_with(SandboxConfig {
        reviews: 20,
        second_shop_reviews: 10,
        trustpilot_reviews: 300,
        trustpilot_second_reviews: 25,
        ..SandboxConfig::default()
    })
    .await
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

impl T {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.api, path)
    }

    /// A token request with Basic auth (`basic = None`: no Authorization header).
    async fn token_req(
        &self,
        endpoint: &str,
        basic: Option<(&str, &str)>,
        pairs: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut rb = self
            .c
            .post(self.url(&format!("{OAUTH}/{endpoint}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(pairs));
        if let Some((k, s)) = basic {
            rb = rb.basic_auth(k, Some(s));
        }
        let r = rb.send().await.unwrap();
        let s = r.status();
        let text = r.text().await.unwrap();
        (s, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn password_token(&self) -> Value {
        let (s, v) = self
            .token_req(
                "accesstoken",
                Some((demo::API_KEY, demo::API_SECRET)),
                &[
                    ("grant_type", "password"),
                    ("username", demo::USERNAME),
                    ("password", demo::PASSWORD),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    async fn access(&self) -> String {
        self.password_token().await["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// GET with a Bearer token; answers status and JSON (Null when not JSON).
    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let r = self
            .c
            .get(self.url(path))
            .bearer_auth(token)
            .header("apikey", demo::API_KEY)
            .send()
            .await
            .unwrap();
        let s = r.status();
        (
            s,
            serde_json::from_str(&r.text().await.unwrap()).unwrap_or(Value::Null),
        )
    }

    async fn reviews(&self, token: &str, query: &str) -> (StatusCode, Value) {
        self.get(
            &format!(
                "/v1/private/business-units/{}/reviews?{query}",
                demo::BUSINESS_UNIT_ID
            ),
            token,
        )
        .await
    }

    /// Every review matching `query`, walking pages of 100 by the `next-page` link.
    async fn all_reviews(&self, token: &str, query: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            let (s, v) = self
                .reviews(token, &format!("perPage=100&page={page}&{query}"))
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            let list = v["reviews"].as_array().unwrap().clone();
            out.extend(list);
            if !has_next(&v) {
                return out;
            }
            page += 1;
        }
    }

    async fn control(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .c
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }
}

fn has_next(v: &Value) -> bool {
    v["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "next-page")
}

fn next_href(v: &Value) -> Option<String> {
    v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next-page")
        .map(|l| l["href"].as_str().unwrap().to_string())
}

fn assert_tp_error(s: StatusCode, v: &Value, status: u16) {
    assert_eq!(s.as_u16(), status, "{v}");
    assert_eq!(v["errors"][0]["status"], status, "{v}");
    assert!(
        v["errors"][0]["title"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "{v}"
    );
}

fn is_hex24(s: &str) -> bool {
    s.len() == 24
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

#[tokio::test]
async fn grants_issue_tokens_as_documented() {
    let t = start().await;
    // Password: access + refresh, `expires_in` a string (100 h less a second).
    let v = t.password_token().await;
    assert_eq!(v["expires_in"], "359999");
    assert!(v["access_token"].as_str().is_some_and(|s| s.len() >= 20));
    assert!(v["refresh_token"].as_str().is_some_and(|s| s.len() >= 20));
    // Client credentials: no refresh token.
    let (s, cc) = t
        .token_req(
            "accesstoken",
            Some((demo::API_KEY, demo::API_SECRET)),
            &[("grant_type", "client_credentials")],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{cc}");
    assert!(cc.get("refresh_token").is_none(), "{cc}");
    assert_eq!(cc["expires_in"], "359999");
    let (s, _) = t
        .reviews(cc["access_token"].as_str().unwrap(), "perPage=1")
        .await;
    assert_eq!(s, StatusCode::OK);
    // Key and secret in the body are allowed only for the code and refresh grants.
    let (s, e) = t
        .token_req(
            "accesstoken",
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", demo::API_KEY),
                ("client_secret", demo::API_SECRET),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(e["error"], "invalid_client");
    // A wrong secret, an unknown grant, a wrong password.
    let (s, e) = t
        .token_req(
            "accesstoken",
            Some((demo::API_KEY, "nope")),
            &[("grant_type", "client_credentials")],
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let (s, e) = t
        .token_req(
            "accesstoken",
            Some((demo::API_KEY, demo::API_SECRET)),
            &[("grant_type", "magic")],
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unsupported_grant_type"))
    );
    let (s, e) = t
        .token_req(
            "accesstoken",
            Some((demo::API_KEY, demo::API_SECRET)),
            &[
                ("grant_type", "password"),
                ("username", demo::USERNAME),
                ("password", "wrong"),
            ],
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // The token endpoint is form-encoded: JSON is refused.
    let r =
        t.c.post(t.url(&format!("{OAUTH}/accesstoken")))
            .basic_auth(demo::API_KEY, Some(demo::API_SECRET))
            .json(&json!({"grant_type": "client_credentials"}))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    t.sb.shutdown().await;
}

#[tokio::test]
async fn refresh_at_both_paths_and_revoke_takes_the_access_token_along() {
    let t = start().await;
    let first = t.password_token().await;
    let rt1 = first["refresh_token"].as_str().unwrap();
    // `/refresh` with Basic.
    let (s, second) = t
        .token_req(
            "refresh",
            Some((demo::API_KEY, demo::API_SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", rt1)],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{second}");
    assert_eq!(second["expires_in"], "359999");
    let rt2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(rt1, rt2);
    // The used refresh token is spent.
    let (s, e) = t
        .token_req(
            "refresh",
            Some((demo::API_KEY, demo::API_SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", rt1)],
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // `/accesstoken` with key and secret in the body (allowed for refresh).
    let (s, third) = t
        .token_req(
            "accesstoken",
            None,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", rt2),
                ("client_id", demo::API_KEY),
                ("client_secret", demo::API_SECRET),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{third}");
    // `/refresh` takes only the refresh grant.
    let (s, _) = t
        .token_req(
            "refresh",
            Some((demo::API_KEY, demo::API_SECRET)),
            &[("grant_type", "client_credentials")],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Another application cannot use this refresh token.
    let rt3 = third["refresh_token"].as_str().unwrap();
    let (s, _) = t
        .token_req(
            "refresh",
            Some((demo::SECOND_API_KEY, demo::SECOND_API_SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", rt3)],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Revoke (form `token=`, no Basic needed): 200, empty body; the access token goes too.
    let at3 = third["access_token"].as_str().unwrap();
    assert_eq!(t.reviews(at3, "perPage=1").await.0, StatusCode::OK);
    let r =
        t.c.post(t.url(&format!("{OAUTH}/revoke")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[("token", rt3)]))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.unwrap().is_empty());
    let (s, v) = t.reviews(at3, "perPage=1").await;
    assert_tp_error(s, &v, 401);
    let (s, _) = t
        .token_req(
            "refresh",
            Some((demo::API_KEY, demo::API_SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", rt3)],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Revoking an access token ends that token alone; an unknown token is still a 200.
    let (s, v) = t
        .control("/__sandbox/state/token_status", json!({"token": rt3}))
        .await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("revoked")));
    let fresh = t.password_token().await;
    let at = fresh["access_token"].as_str().unwrap();
    let r =
        t.c.post(t.url(&format!("{OAUTH}/revoke")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[("token", at)]))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(t.reviews(at, "perPage=1").await.0, StatusCode::UNAUTHORIZED);
    let (_, v) = t
        .control(
            "/__sandbox/state/token_status",
            json!({"token": fresh["refresh_token"]}),
        )
        .await;
    assert_eq!(v["status"], "active");
    let r =
        t.c.post(t.url(&format!("{OAUTH}/revoke")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[("token", "never-issued")]))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    t.sb.shutdown().await;
}

#[tokio::test]
async fn a_two_factor_user_gets_the_documented_password_grant_error() {
    let t = start().await;
    let (s, e) = t
        .token_req(
            "accesstoken",
            Some((demo::API_KEY, demo::API_SECRET)),
            &[
                ("grant_type", "password"),
                ("username", demo::TWO_FACTOR_USERNAME),
                ("password", demo::TWO_FACTOR_PASSWORD),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["error"], "invalid_grant");
    assert_eq!(
        e["error_description"],
        "OAuth authentication is not supported for business users with enabled 2nd factor authentication."
    );
    t.sb.shutdown().await;
}

#[tokio::test]
async fn authenticating_too_often_for_one_key_is_429() {
    let t = start_with(SandboxConfig {
        trustpilot_reviews: 20,
        trustpilot_auth_per_minute: 3,
        ..SandboxConfig::default()
    })
    .await;
    let cc = |key: &'static str, secret: &'static str| {
        let t = &t;
        async move {
            t.token_req(
                "accesstoken",
                Some((key, secret)),
                &[("grant_type", "client_credentials")],
            )
            .await
        }
    };
    for _ in 0..3 {
        assert_eq!(cc(demo::API_KEY, demo::API_SECRET).await.0, StatusCode::OK);
    }
    let (s, _) = cc(demo::API_KEY, demo::API_SECRET).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    // Per key: the other application is not affected.
    assert_eq!(
        cc(demo::SECOND_API_KEY, demo::SECOND_API_SECRET).await.0,
        StatusCode::OK
    );
    // A minute later the key may authenticate again.
    t.control("/__sandbox/time/advance", json!({"seconds": 61}))
        .await;
    assert_eq!(cc(demo::API_KEY, demo::API_SECRET).await.0, StatusCode::OK);
    t.sb.shutdown().await;
}

#[tokio::test]
async fn access_tokens_expire_after_the_ttl_and_refresh_tokens_after_30_days() {
    let t = start_with(SandboxConfig {
        trustpilot_reviews: 20,
        trustpilot_token_ttl_secs: 100,
        ..SandboxConfig::default()
    })
    .await;
    let v = t.password_token().await;
    assert_eq!(v["expires_in"], "99");
    let at = v["access_token"].as_str().unwrap();
    assert_eq!(t.reviews(at, "").await.0, StatusCode::OK);
    t.control("/__sandbox/time/advance", json!({"seconds": 100}))
        .await;
    let (s, e) = t.reviews(at, "").await;
    assert_tp_error(s, &e, 401);
    let (s, v2) = t
        .token_req(
            "refresh",
            Some((demo::API_KEY, demo::API_SECRET)),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", v["refresh_token"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        t.reviews(v2["access_token"].as_str().unwrap(), "").await.0,
        StatusCode::OK
    );
    t.control("/__sandbox/time/advance", json!({"seconds": 30 * 86_400}))
        .await;
    let (s, e) = t
        .token_req(
            "refresh",
            Some((demo::API_KEY, demo::API_SECRET)),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", v2["refresh_token"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    t.sb.shutdown().await;
}

fn page_url(t: &T, redirect: &str, response_type: &str, state: Option<&str>) -> String {
    let mut pairs = vec![
        ("client_id", demo::API_KEY),
        ("redirect_uri", redirect),
        ("response_type", response_type),
    ];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    format!("{}/?{}", t.auth, form(&pairs))
}

async fn sign_in(
    t: &T,
    redirect: &str,
    response_type: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut pairs = vec![
        ("client_id", demo::API_KEY),
        ("redirect_uri", redirect),
        ("response_type", response_type),
        ("state", "st-42"),
    ];
    if !extra.iter().any(|(k, _)| *k == "decision") {
        pairs.push(("decision", "login"));
    }
    pairs.extend_from_slice(extra);
    t.c.post(format!("{}/", t.auth))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&pairs))
        .send()
        .await
        .unwrap()
}

fn location(r: &reqwest::Response) -> url::Url {
    assert_eq!(r.status(), StatusCode::FOUND);
    url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap()
}

#[tokio::test]
async fn authenticate_page_code_flow_with_a_loopback_redirect() {
    let t = start().await;
    let redirect = "http://127.0.0.1:53117/trustpilot/callback";
    let r =
        t.c.get(page_url(&t, redirect, "code", Some("st-42")))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("<form method=\"post\""), "{html}");
    assert!(html.contains("name=\"password\""));
    assert!(
        html.contains("loopback redirect URI, which only the sandbox accepts"),
        "{html}"
    );
    let r = sign_in(
        &t,
        redirect,
        "code",
        &[("email", demo::USERNAME), ("password", demo::PASSWORD)],
    )
    .await;
    let loc = location(&r);
    assert_eq!(
        format!(
            "{}://{}:{}{}",
            loc.scheme(),
            loc.host_str().unwrap(),
            loc.port().unwrap(),
            loc.path()
        ),
        redirect
    );
    let q: Vec<(String, String)> = loc.query_pairs().into_owned().collect();
    let code = q
        .iter()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.clone())
        .unwrap();
    assert!(q.contains(&("state".into(), "st-42".into())), "{q:?}");
    assert!(loc.fragment().is_none());
    // The exchange needs the same redirect URI.
    let (s, e) = t
        .token_req(
            "accesstoken",
            Some((demo::API_KEY, demo::API_SECRET)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "http://127.0.0.1:1/x"),
            ],
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // That attempt spent the code (single use): sign in again, exchange with body credentials.
    let r = sign_in(
        &t,
        redirect,
        "code",
        &[("email", demo::USERNAME), ("password", demo::PASSWORD)],
    )
    .await;
    let code = location(&r)
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let exchange = |code: String| {
        let t = &t;
        async move {
            t.token_req(
                "accesstoken",
                None,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", redirect),
                    ("client_id", demo::API_KEY),
                    ("client_secret", demo::API_SECRET),
                ],
            )
            .await
        }
    };
    let (s, v) = exchange(code.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["refresh_token"].is_string());
    assert_eq!(v["expires_in"], "359999");
    assert_eq!(
        t.reviews(v["access_token"].as_str().unwrap(), "").await.0,
        StatusCode::OK
    );
    let (s, e) = exchange(code).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // The registered https URI works too, without a state.
    let r =
        t.c.post(format!("{}/", t.auth))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("client_id", demo::API_KEY),
                ("redirect_uri", demo::REDIRECT_URI),
                ("response_type", "code"),
                ("email", demo::USERNAME),
                ("password", demo::PASSWORD),
            ]))
            .send()
            .await
            .unwrap();
    let loc = location(&r);
    assert!(
        loc.as_str()
            .starts_with(&format!("{}?code=", demo::REDIRECT_URI)),
        "{loc}"
    );
    assert!(!loc.as_str().contains("state="));
    t.sb.shutdown().await;
}

#[tokio::test]
async fn authenticate_page_implicit_flow_puts_the_token_in_the_fragment() {
    let t = start().await;
    let r = sign_in(
        &t,
        demo::REDIRECT_URI,
        "token",
        &[("email", demo::USERNAME), ("password", demo::PASSWORD)],
    )
    .await;
    let loc = location(&r);
    assert!(loc.query().is_none(), "{loc}");
    let frag: Vec<(String, String)> =
        url::form_urlencoded::parse(loc.fragment().unwrap().as_bytes())
            .into_owned()
            .collect();
    let get = |k: &str| frag.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
    assert_eq!(get("token_type").as_deref(), Some("bearer"));
    assert_eq!(get("expires_in").as_deref(), Some("359999"));
    assert_eq!(get("state").as_deref(), Some("st-42"));
    assert!(get("refresh_token").is_none());
    let at = get("access_token").unwrap();
    assert_eq!(t.reviews(&at, "").await.0, StatusCode::OK);
    let (_, v) = t
        .control("/__sandbox/state/token_status", json!({"token": at}))
        .await;
    assert_eq!(v["grant"], "implicit");
    t.sb.shutdown().await;
}

#[tokio::test]
async fn authenticate_page_refuses_what_is_not_registered_and_wrong_sign_ins() {
    let t = start().await;
    for (redirect, rt, client) in [
        ("https://evil.example/cb", "code", demo::API_KEY),
        ("reviewdesk://trustpilot/callback", "code", demo::API_KEY),
        ("http://192.168.1.5:8080/cb", "code", demo::API_KEY),
        (demo::REDIRECT_URI, "id_token", demo::API_KEY),
        (demo::REDIRECT_URI, "code", "unknown-key"),
    ] {
        let u = format!(
            "{}/?{}",
            t.auth,
            form(&[
                ("client_id", client),
                ("redirect_uri", redirect),
                ("response_type", rt)
            ])
        );
        let r = t.c.get(u).send().await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::BAD_REQUEST,
            "{redirect} {rt} {client}"
        );
        assert!(r.headers().get("location").is_none());
        let html = r.text().await.unwrap();
        assert!(
            html.contains("only the https redirect URI registered"),
            "{html}"
        );
        // Posting the form anyway does not redirect either.
        let r =
            t.c.post(format!("{}/", t.auth))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form(&[
                    ("client_id", client),
                    ("redirect_uri", redirect),
                    ("response_type", rt),
                    ("email", demo::USERNAME),
                    ("password", demo::PASSWORD),
                ]))
                .send()
                .await
                .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
    // A wrong password shows the form again.
    let r = sign_in(
        &t,
        demo::REDIRECT_URI,
        "code",
        &[("email", demo::USERNAME), ("password", "x")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("incorrect"));
    // Cancel: `error=access_denied` with the state.
    let r = sign_in(&t, demo::REDIRECT_URI, "code", &[("decision", "cancel")]).await;
    let loc = location(&r);
    assert!(
        loc.query().unwrap().contains("error=access_denied"),
        "{loc}"
    );
    // A two-factor user needs the code on the page (the password grant refuses them).
    let creds = [
        ("email", demo::TWO_FACTOR_USERNAME),
        ("password", demo::TWO_FACTOR_PASSWORD),
    ];
    let r = sign_in(&t, demo::REDIRECT_URI, "code", &creds).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("6-digit code"));
    let mut with_code = creds.to_vec();
    with_code.push(("otp", demo::TWO_FACTOR_CODE));
    let r = sign_in(&t, demo::REDIRECT_URI, "code", &with_code).await;
    assert!(location(&r).query().unwrap().contains("code="));
    t.sb.shutdown().await;
}

const UNIT_FIELDS: &[&str] = &[
    "links",
    "id",
    "displayName",
    "name",
    "websiteUrl",
    "country",
    "numberOfReviews",
    "status",
    "score",
    "badFit",
];

#[tokio::test]
async fn business_units_find_by_name_and_get_by_id_with_the_api_key() {
    let t = start().await;
    let get = |path: String, key: Option<&'static str>| {
        let t = &t;
        async move {
            let mut rb = t.c.get(t.url(&path));
            if let Some(k) = key {
                rb = rb.header("apikey", k);
            }
            let r = rb.send().await.unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    for name in [
        demo::DOMAIN,
        "www.aurora-outfitters.com",
        "Aurora-Outfitters.com",
        "aurora-outfitters.myshopify.com",
    ] {
        let (s, v) = get(
            format!("/v1/business-units/find?name={name}"),
            Some(demo::API_KEY),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{name}: {v}");
        assert_eq!(v["id"], demo::BUSINESS_UNIT_ID);
    }
    let (s, v) = get(
        "/v1/business-units/find?name=nowhere.example".into(),
        Some(demo::API_KEY),
    )
    .await;
    assert_tp_error(s, &v, 404);
    let (s, v) = get(
        format!("/v1/business-units/find?name={}", demo::DOMAIN),
        None,
    )
    .await;
    assert_tp_error(s, &v, 401);
    let (s, v) = get(
        format!("/v1/business-units/find?name={}", demo::DOMAIN),
        Some("bad-key"),
    )
    .await;
    assert_tp_error(s, &v, 401);
    assert_eq!(v["errors"][0]["title"], "Invalid API key");
    // `?apikey=` works as well as the header.
    let (s, bu) = get(
        format!(
            "/v1/business-units/{}?apikey={}",
            demo::BUSINESS_UNIT_ID,
            demo::API_KEY
        ),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{bu}");
    let keys: HashSet<&str> = bu.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, UNIT_FIELDS.iter().copied().collect::<HashSet<_>>());
    assert_eq!(bu["name"]["identifying"], demo::DOMAIN);
    assert_eq!(bu["displayName"], demo::DISPLAY_NAME);
    assert_eq!(bu["status"], "active");
    let n = &bu["numberOfReviews"];
    assert_eq!(n["total"], 300);
    let sum: u64 = [
        "oneStar",
        "twoStars",
        "threeStars",
        "fourStars",
        "fiveStars",
    ]
    .iter()
    .map(|k| n[*k].as_u64().unwrap())
    .sum();
    assert_eq!(sum, 300);
    assert!(n["usedForTrustScoreCalculation"].as_u64().unwrap() <= 300);
    let ts = bu["score"]["trustScore"].as_f64().unwrap();
    assert!((3.0..=5.0).contains(&ts), "{ts}");
    assert_eq!(
        bu["score"]["stars"].as_f64().unwrap(),
        (ts * 2.0).round() / 2.0
    );
    // Star counts agree with the listing.
    let token = t.access().await;
    let five = t.all_reviews(&token, "stars=5").await.len() as u64;
    assert_eq!(n["fiveStars"].as_u64().unwrap(), five);
    let (s, v) = get(
        "/v1/business-units/000000000000000000000000".into(),
        Some(demo::API_KEY),
    )
    .await;
    assert_tp_error(s, &v, 404);
    t.sb.shutdown().await;
}

const REVIEW_FIELDS: &[&str] = &[
    "links",
    "id",
    "consumer",
    "businessUnit",
    "location",
    "stars",
    "title",
    "text",
    "language",
    "createdAt",
    "updatedAt",
    "experiencedAt",
    "referralEmail",
    "referenceId",
    "source",
    "companyReply",
    "tags",
    "findReviewer",
    "isVerified",
    "numberOfLikes",
    "status",
    "reportData",
    "complianceLabels",
    "countsTowardsTrustScore",
    "countsTowardsLocationTrustScore",
    "invitation",
    "businessUnitHistory",
    "reviewVerificationLevel",
];

#[tokio::test]
async fn private_reviews_page_from_one_with_next_page_links_and_an_empty_page_past_the_end() {
    let t = start().await;
    let token = t.access().await;
    // Default: 20 a page, newest first.
    let (s, v) = t.reviews(&token, "").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let list = v["reviews"].as_array().unwrap();
    assert_eq!(list.len(), 20);
    let r0 = &list[0];
    let keys: HashSet<&str> = r0.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, REVIEW_FIELDS.iter().copied().collect::<HashSet<_>>());
    assert!(is_hex24(r0["id"].as_str().unwrap()));
    assert!(is_hex24(r0["consumer"]["id"].as_str().unwrap()));
    assert_eq!(r0["businessUnit"]["id"], demo::BUSINESS_UNIT_ID);
    assert_eq!(r0["businessUnit"]["identifyingName"], demo::DOMAIN);
    for k in ["displayName", "displayLocation", "numberOfReviews"] {
        assert!(r0["consumer"].get(k).is_some(), "{k}");
    }
    assert!(r0["consumer"].get("email").is_none());
    let created: Vec<String> = list
        .iter()
        .map(|r| r["createdAt"].as_str().unwrap().to_string())
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "{created:?}");
    assert!(
        created[0].ends_with('Z') && created[0].len() == 20,
        "{}",
        created[0]
    );
    // 300 reviews at 100 a page: pages 1–3 full, next-page on 1 and 2 only, page 4 empty.
    let mut ids = HashSet::new();
    let mut href = Some(t.url(&format!(
        "/v1/private/business-units/{}/reviews?perPage=100&orderBy=createdat.asc",
        demo::BUSINESS_UNIT_ID
    )));
    let mut pages = 0;
    let mut last_created = String::new();
    while let Some(h) = href {
        let r = t.c.get(&h).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        for r in v["reviews"].as_array().unwrap() {
            assert!(ids.insert(r["id"].as_str().unwrap().to_string()));
            let c = r["createdAt"].as_str().unwrap().to_string();
            assert!(c >= last_created);
            last_created = c;
        }
        pages += 1;
        let links = v["links"].as_array().unwrap();
        if pages > 1 {
            assert!(links
                .iter()
                .any(|l| l["rel"] == "prev-page" && l["method"] == "GET"));
        }
        href = next_href(&v);
        assert!(pages <= 3);
    }
    assert_eq!((pages, ids.len()), (3, 300));
    let (_, v) = t.reviews(&token, "perPage=100&page=3").await;
    assert_eq!(v["reviews"].as_array().unwrap().len(), 100);
    assert!(!has_next(&v));
    let (s, v) = t.reviews(&token, "perPage=100&page=4").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["reviews"], json!([]));
    let (_, v) = t.reviews(&token, "perPage=7&page=43").await;
    assert_eq!(v["reviews"].as_array().unwrap().len(), 6);
    // Bounds.
    for q in [
        "perPage=101",
        "perPage=0",
        "page=0",
        "page=x",
        "orderBy=updatedat.desc",
        "stars=6",
        "responded=maybe",
    ] {
        let (s, v) = t.reviews(&token, q).await;
        assert_tp_error(s, &v, 400);
    }
    // Star orders: newest first within a star.
    for (q, desc) in [("orderBy=stars.desc", true), ("orderBy=stars.asc", false)] {
        let all = t.all_reviews(&token, q).await;
        assert_eq!(all.len(), 300);
        let stars: Vec<u64> = all.iter().map(|r| r["stars"].as_u64().unwrap()).collect();
        assert!(
            stars
                .windows(2)
                .all(|w| if desc { w[0] >= w[1] } else { w[0] <= w[1] }),
            "{q}"
        );
        assert!(all.windows(2).all(|w| w[0]["stars"] != w[1]["stars"]
            || w[0]["createdAt"].as_str() >= w[1]["createdAt"].as_str()));
    }
    t.sb.shutdown().await;
}

#[tokio::test]
async fn private_review_filters() {
    let t = start().await;
    let token = t.access().await;
    let all = t.all_reviews(&token, "").await;
    assert_eq!(all.len(), 300);
    let count = |f: &dyn Fn(&Value) -> bool| all.iter().filter(|r| f(r)).count();
    // Stars: comma list and repeated parameter alike.
    let a = t.all_reviews(&token, "stars=1,2").await;
    let b = t.all_reviews(&token, "stars=1&stars=2").await;
    assert_eq!(a, b);
    assert_eq!(a.len(), count(&|r| r["stars"] == 1 || r["stars"] == 2));
    assert!(!a.is_empty());
    // Language.
    let de = t.all_reviews(&token, "language=de").await;
    assert!(!de.is_empty() && de.iter().all(|r| r["language"] == "de"));
    assert_eq!(de.len(), count(&|r| r["language"] == "de"));
    assert_eq!(t.all_reviews(&token, "language=xx").await.len(), 0);
    // Responded (the "awaiting reply" inbox) and reported.
    let replied = t.all_reviews(&token, "responded=true").await;
    let waiting = t.all_reviews(&token, "responded=false").await;
    assert_eq!(replied.len() + waiting.len(), 300);
    assert!(
        !replied.is_empty()
            && replied
                .iter()
                .all(|r| r["companyReply"]["text"].is_string())
    );
    assert!(replied.iter().all(|r| r["companyReply"]["createdAt"]
        .as_str()
        .unwrap()
        .contains('.')));
    assert!(waiting.iter().all(|r| r["companyReply"].is_null()));
    let reported = t.all_reviews(&token, "reported=true").await;
    assert_eq!(reported.len(), count(&|r| r["status"] == "reported"));
    assert!(!reported.is_empty(), "the seed reports a few reviews");
    assert!(reported
        .iter()
        .all(|r| r["reportData"]["reasons"].is_array()
            && r["reportData"]["reviewVisibility"].is_string()));
    assert!(all
        .iter()
        .filter(|r| r["status"] == "active")
        .all(|r| r["reportData"].is_null()));
    assert_eq!(
        t.all_reviews(&token, "reported=false").await.len(),
        300 - reported.len()
    );
    // Tags: group and value, case-insensitive value on request.
    let tagged = count(&|r| {
        r["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["group"] == "generic" && x["value"] == "Delivery")
    });
    assert!(tagged > 0, "the seed tags some reviews");
    assert_eq!(
        t.all_reviews(&token, "tagGroup=generic&tagValue=Delivery")
            .await
            .len(),
        tagged
    );
    assert_eq!(
        t.all_reviews(&token, "tagGroup=generic&tagValue=delivery")
            .await
            .len(),
        0
    );
    assert_eq!(
        t.all_reviews(
            &token,
            "tagGroup=generic&tagValue=delivery&ignoreTagValueCase=true"
        )
        .await
        .len(),
        tagged
    );
    let generic = count(&|r| {
        r["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["group"] == "generic")
    });
    assert_eq!(
        t.all_reviews(&token, "tagGroup=generic").await.len(),
        generic
    );
    // Reference id and referral email (invited reviews carry them; organic ones do not).
    let invited = all.iter().find(|r| r["referenceId"].is_string()).unwrap();
    assert!(all
        .iter()
        .any(|r| r["referenceId"].is_null() && r["invitation"].is_null()));
    let rid = invited["referenceId"].as_str().unwrap();
    let hit = t.all_reviews(&token, &format!("referenceId={rid}")).await;
    assert_eq!(
        hit.iter().map(|r| r["id"].clone()).collect::<Vec<_>>(),
        vec![invited["id"].clone()]
    );
    let email = invited["referralEmail"].as_str().unwrap();
    assert!(email.contains('@'));
    let hit = t
        .all_reviews(&token, &format!("referralEmail={}", email.to_uppercase()))
        .await;
    assert!(hit.iter().any(|r| r["id"] == invited["id"]));
    assert!(hit.iter().all(|r| r["referralEmail"] == email));
    // Date range on createdAt: start inclusive, end exclusive; time defaults to 00:00:00.
    let mid = all[150]["createdAt"]
        .as_str()
        .unwrap()
        .trim_end_matches('Z')
        .to_string();
    let after = t.all_reviews(&token, &format!("startDateTime={mid}")).await;
    assert_eq!(
        after.len(),
        count(&|r| r["createdAt"].as_str().unwrap().trim_end_matches('Z') >= mid.as_str())
    );
    let before = t.all_reviews(&token, &format!("endDateTime={mid}")).await;
    assert_eq!(after.len() + before.len(), 300);
    let day = &mid[..10];
    let since_day = t.all_reviews(&token, &format!("startDateTime={day}")).await;
    assert_eq!(
        since_day.len(),
        count(&|r| &r["createdAt"].as_str().unwrap()[..10] >= day)
    );
    let with_z = t
        .all_reviews(&token, &format!("startDateTime={mid}.000Z"))
        .await;
    assert_eq!(with_z.len(), after.len());
    let (s, v) = t.reviews(&token, "startDateTime=yesterday").await;
    assert_tp_error(s, &v, 400);
    // Filters combine.
    let combo = t
        .all_reviews(&token, "stars=1&responded=false&language=en")
        .await;
    assert_eq!(
        combo.len(),
        count(&|r| r["stars"] == 1 && r["companyReply"].is_null() && r["language"] == "en")
    );
    t.sb.shutdown().await;
}

#[tokio::test]
async fn one_private_review_token_forms_and_access() {
    let t = start().await;
    let token = t.access().await;
    let (_, v) = t.reviews(&token, "perPage=3").await;
    let listed = &v["reviews"][1];
    let id = listed["id"].as_str().unwrap();
    let (s, one) = t.get(&format!("/v1/private/reviews/{id}"), &token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&one, listed);
    // `?token=` instead of the header, and no apikey at all.
    let r =
        t.c.get(t.url(&format!("/v1/private/reviews/{id}?token={token}")))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // No token, a bad token, a bad apikey beside a good token.
    let r =
        t.c.get(t.url(&format!("/v1/private/reviews/{id}")))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (s, v) = t
        .get(&format!("/v1/private/reviews/{id}"), "not-a-token")
        .await;
    assert_tp_error(s, &v, 401);
    let r =
        t.c.get(t.url(&format!("/v1/private/reviews/{id}")))
            .bearer_auth(&token)
            .header("apikey", "bad")
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Unknown and malformed ids.
    let (s, v) = t
        .get("/v1/private/reviews/5c1a7e8f2d3b4a0001f6e9d2", &token)
        .await;
    assert_tp_error(s, &v, 404);
    let (s, v) = t.get("/v1/private/reviews/42", &token).await;
    assert_tp_error(s, &v, 404);
    // Another business's unit and reviews: 401 (a token without access to the unit, SEEN-DOC).
    let (s, v) = t
        .get(
            &format!(
                "/v1/private/business-units/{}/reviews",
                demo::SECOND_BUSINESS_UNIT_ID
            ),
            &token,
        )
        .await;
    assert_tp_error(s, &v, 401);
    let (s, other) = t
        .token_req(
            "accesstoken",
            Some((demo::SECOND_API_KEY, demo::SECOND_API_SECRET)),
            &[
                ("grant_type", "password"),
                ("username", demo::SECOND_USERNAME),
                ("password", demo::SECOND_PASSWORD),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let other = other["access_token"].as_str().unwrap();
    let (s, v) = t
        .get(
            &format!(
                "/v1/private/business-units/{}/reviews?perPage=100",
                demo::SECOND_BUSINESS_UNIT_ID
            ),
            other,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["reviews"].as_array().unwrap().len(), 25);
    let theirs = v["reviews"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        t.get(&format!("/v1/private/reviews/{theirs}"), &token)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        t.get(&format!("/v1/private/reviews/{id}"), other).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (s, v) = t
        .get(
            "/v1/private/business-units/000000000000000000000000/reviews",
            &token,
        )
        .await;
    assert_tp_error(s, &v, 404);
    t.sb.shutdown().await;
}

#[tokio::test]
async fn no_user_agent_gets_the_cdn_html_403_on_every_host() {
    let t = start().await;
    let bare = Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    for url in [
        format!(
            "{}/v1/business-units/find?name={}&apikey={}",
            t.api,
            demo::DOMAIN,
            demo::API_KEY
        ),
        format!("{}{OAUTH}/accesstoken", t.api),
        page_url(&t, demo::REDIRECT_URI, "code", None),
        format!(
            "{}/v1/private/business-units/{}/invitation-links",
            t.sb.trustpilot().invitations_url(),
            demo::BUSINESS_UNIT_ID
        ),
    ] {
        let r = bare.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{url}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let body = r.text().await.unwrap();
        assert!(
            body.contains("The request could not be satisfied") && body.contains("cloudfront"),
            "{body}"
        );
    }
    let r = bare
        .get(format!(
            "{}/v1/business-units/find?name={}&apikey={}",
            t.api,
            demo::DOMAIN,
            demo::API_KEY
        ))
        .header("user-agent", "Python-urllib/3.11")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = bare
        .get(format!(
            "{}/v1/business-units/find?name={}&apikey={}",
            t.api,
            demo::DOMAIN,
            demo::API_KEY
        ))
        .header("user-agent", "ReviewDesk/0.1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Sandbox controls need no User-Agent.
    assert_eq!(
        bare.get(format!("{}/__sandbox/demo", t.api))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    t.sb.shutdown().await;
}

#[tokio::test]
async fn replies_are_posted_and_deleted() {
    let t = start().await;
    let token = t.access().await;
    let (_, v) = t.reviews(&token, "responded=false&perPage=1").await;
    let id = v["reviews"][0]["id"].as_str().unwrap().to_string();
    let post = |tok: String, body: Value| {
        let t = &t;
        let id = id.clone();
        async move {
            let r =
                t.c.post(t.url(&format!("/v1/private/reviews/{id}/reply")))
                    .bearer_auth(tok)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (s, _) = post(
        token.clone(),
        json!({"message": "Thanks for the feedback!"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, one) = t.get(&format!("/v1/private/reviews/{id}"), &token).await;
    assert_eq!(one["companyReply"]["text"], "Thanks for the feedback!");
    assert_eq!(
        one["companyReply"]["authorBusinessUserId"],
        demo::BUSINESS_USER_ID
    );
    let replied = t.all_reviews(&token, "responded=true").await;
    assert!(replied.iter().any(|r| r["id"] == id.as_str()));
    // A client-credentials token must name the author.
    let (_, cc) = t
        .token_req(
            "accesstoken",
            Some((demo::API_KEY, demo::API_SECRET)),
            &[("grant_type", "client_credentials")],
        )
        .await;
    let cc = cc["access_token"].as_str().unwrap().to_string();
    let (s, e) = post(cc.clone(), json!({"message": "Edited"})).await;
    assert_tp_error(s, &e, 400);
    let (s, e) = post(
        cc.clone(),
        json!({"message": "Edited", "authorBusinessUserId": "000000000000000000000000"}),
    )
    .await;
    assert_tp_error(s, &e, 400);
    let (s, _) = post(cc.clone(), json!({"message": "Edited", "authorBusinessUserId": demo::BUSINESS_USER_ID, "submittedAt": "2026-07-15T12:00:00"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, one) = t.get(&format!("/v1/private/reviews/{id}"), &token).await;
    assert_eq!(one["companyReply"]["text"], "Edited");
    assert_eq!(one["companyReply"]["createdAt"], "2026-07-15T12:00:00.000Z");
    let (s, e) = post(token.clone(), json!({"message": "  "})).await;
    assert_tp_error(s, &e, 400);
    // Delete: 204, then 404.
    let del = || {
        t.c.delete(t.url(&format!("/v1/private/reviews/{id}/reply")))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(del().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(del().await.unwrap().status(), StatusCode::NOT_FOUND);
    let (_, one) = t.get(&format!("/v1/private/reviews/{id}"), &token).await;
    assert!(one["companyReply"].is_null());
    t.sb.shutdown().await;
}

/// A tag request (`method` on `/v1/private/reviews/{id}/tags` + `query`), status only.
async fn tag_call(
    t: &T,
    token: &str,
    method: reqwest::Method,
    id: &str,
    query: &str,
    body: Option<Value>,
) -> StatusCode {
    let mut req =
        t.c.request(
            method,
            t.url(&format!("/v1/private/reviews/{id}/tags{query}")),
        )
        .bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.unwrap().status()
}

fn tag_pairs(v: &Value) -> Vec<(String, String)> {
    v["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["group"].as_str().unwrap().to_owned(),
                t["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn tags_put_adds_post_replaces_delete_removes_one_and_the_list_filters_by_them() {
    use reqwest::Method;
    let t = start().await;
    let token = t.access().await;
    // Two reviews without tags.
    let untagged: Vec<String> = t
        .all_reviews(&token, "orderBy=createdat.asc")
        .await
        .into_iter()
        .filter(|r| r["tags"].as_array().is_some_and(Vec::is_empty))
        .take(2)
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let (a, b) = (&untagged[0], &untagged[1]);
    let tag = |g: &str, v: &str| json!({"group": g, "value": v});
    // PUT adds (twice the same tag stays once), to each review.
    for id in [a, b] {
        let s = tag_call(
            &t,
            &token,
            Method::PUT,
            id,
            "",
            Some(json!({"tags": [tag("generic", "Late parcel")]})),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    let s = tag_call(
        &t,
        &token,
        Method::PUT,
        a,
        "",
        Some(json!({"tags": [tag("generic", "Late parcel"), tag("Channel", "Shopify")]})),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, list) = t
        .get(&format!("/v1/private/reviews/{a}/tags"), &token)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        tag_pairs(&list),
        vec![
            ("generic".to_owned(), "Late parcel".to_owned()),
            ("Channel".to_owned(), "Shopify".to_owned())
        ]
    );
    // The review object and the list's tag filter see them.
    let (_, one) = t.get(&format!("/v1/private/reviews/{a}"), &token).await;
    assert_eq!(tag_pairs(&one).len(), 2);
    let tagged = t
        .all_reviews(
            &token,
            "tagGroup=generic&tagValue=late%20parcel&ignoreTagValueCase=true",
        )
        .await;
    let mut ids: Vec<&str> = tagged.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort();
    let mut want = vec![a.as_str(), b.as_str()];
    want.sort();
    assert_eq!(ids, want);
    // DELETE removes the one named (again: still 204), leaving the other.
    let q = "?group=generic&value=Late%20parcel";
    assert_eq!(
        tag_call(&t, &token, Method::DELETE, a, q, None).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        tag_call(&t, &token, Method::DELETE, a, q, None).await,
        StatusCode::NO_CONTENT
    );
    let (_, list) = t
        .get(&format!("/v1/private/reviews/{a}/tags"), &token)
        .await;
    assert_eq!(
        tag_pairs(&list),
        vec![("Channel".to_owned(), "Shopify".to_owned())]
    );
    // POST replaces the whole set.
    let s = tag_call(
        &t,
        &token,
        Method::POST,
        b,
        "",
        Some(json!({"tags": [tag("generic", "Test")]})),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, list) = t
        .get(&format!("/v1/private/reviews/{b}/tags"), &token)
        .await;
    assert_eq!(
        tag_pairs(&list),
        vec![("generic".to_owned(), "Test".to_owned())]
    );
    // Bad requests: no group, an empty add, a missing value on delete, not JSON.
    let s = tag_call(
        &t,
        &token,
        Method::PUT,
        a,
        "",
        Some(json!({"tags": [{"value": "x"}]})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let s = tag_call(&t, &token, Method::PUT, a, "", Some(json!({"tags": []}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let s = tag_call(&t, &token, Method::DELETE, a, "?group=generic", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let s =
        t.c.put(t.url(&format!("/v1/private/reviews/{a}/tags")))
            .bearer_auth(&token)
            .body("tags=x")
            .send()
            .await
            .unwrap()
            .status();
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Unknown review: 404; no token: 401.
    let s = tag_call(
        &t,
        &token,
        Method::PUT,
        "0000000000000000000000ff",
        "",
        Some(json!({"tags": [tag("generic", "x")]})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let s =
        t.c.get(t.url(&format!("/v1/private/reviews/{a}/tags")))
            .send()
            .await
            .unwrap()
            .status();
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    t.sb.shutdown().await;
}

#[tokio::test]
async fn faults_come_from_the_shared_machinery_in_trustpilot_shapes() {
    let t = start().await;
    let token = t.access().await;
    // Status and rate limit, on the private reviews only.
    let (s, _) = t
        .control(
            "/__sandbox/faults",
            json!({"kind": "status", "status": 500, "path_prefix": "/v1/private/"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = t.reviews(&token, "").await;
    assert_tp_error(s, &v, 500);
    assert_eq!(t.reviews(&token, "").await.0, StatusCode::OK);
    t.control(
        "/__sandbox/faults",
        json!({"kind": "rate_limit", "retry_after": 3}),
    )
    .await;
    let r =
        t.c.get(t.url(&format!(
            "/v1/private/business-units/{}/reviews",
            demo::BUSINESS_UNIT_ID
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "3");
    // A fault aimed at page 2 only; malformed JSON there.
    t.control(
        "/__sandbox/faults",
        json!({"kind": "malformed", "query": {"page": 2}}),
    )
    .await;
    assert_eq!(t.reviews(&token, "page=1").await.0, StatusCode::OK);
    let r =
        t.c.get(t.url(&format!(
            "/v1/private/business-units/{}/reviews?page=2",
            demo::BUSINESS_UNIT_ID
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(serde_json::from_str::<Value>(&r.text().await.unwrap()).is_err());
    // Cut mid-body.
    t.control("/__sandbox/faults", json!({"kind": "cut"})).await;
    let r =
        t.c.get(t.url(&format!(
            "/v1/private/business-units/{}/reviews",
            demo::BUSINESS_UNIT_ID
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(r.bytes().await.is_err());
    // Tokens expire after N requests; refresh still works.
    let pair = t.password_token().await;
    let at = pair["access_token"].as_str().unwrap();
    t.control(
        "/__sandbox/faults",
        json!({"kind": "expire_tokens", "after": 2, "path_prefix": "/v1/private/"}),
    )
    .await;
    assert_eq!(t.reviews(at, "").await.0, StatusCode::OK);
    assert_eq!(t.reviews(at, "").await.0, StatusCode::OK);
    assert_eq!(t.reviews(at, "").await.0, StatusCode::UNAUTHORIZED);
    let (s, _) = t
        .token_req(
            "refresh",
            Some((demo::API_KEY, demo::API_SECRET)),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", pair["refresh_token"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // One request's token treated as expired by header.
    let fresh = t.access().await;
    let r =
        t.c.get(t.url(&format!(
            "/v1/private/business-units/{}/reviews",
            demo::BUSINESS_UNIT_ID
        )))
        .bearer_auth(&fresh)
        .header("x-sandbox-fault", "expire")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(t.reviews(&fresh, "").await.0, StatusCode::OK);
    // A 429 on the token endpoint by fault, and offline mode (connections dropped).
    t.control(
        "/__sandbox/faults",
        json!({"kind": "status", "status": 503, "path_prefix": "/v1/oauth/"}),
    )
    .await;
    let (s, _) = t
        .token_req(
            "accesstoken",
            Some((demo::API_KEY, demo::API_SECRET)),
            &[("grant_type", "client_credentials")],
        )
        .await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    t.control("/__sandbox/faults", json!({"kind": "offline"}))
        .await;
    let r =
        t.c.get(t.url(&format!(
            "/v1/private/business-units/{}/reviews",
            demo::BUSINESS_UNIT_ID
        )))
        .bearer_auth(&fresh)
        .send()
        .await;
    let failed = match r {
        Err(_) => true,
        Ok(resp) => resp.bytes().await.is_err(),
    };
    assert!(failed, "offline drops the connection");
    let r = t.c.delete(t.url("/__sandbox/faults")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(t.reviews(&fresh, "").await.0, StatusCode::OK);
    // The Trustoo half's faults are its own.
    let r =
        t.c.post(format!("{}/__sandbox/faults", t.sb.base_url()))
            .json(&json!({"kind": "status", "status": 500, "count": 0}))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(t.reviews(&fresh, "").await.0, StatusCode::OK);
    // Counters and the request log.
    let r: Value =
        t.c.get(t.url("/__sandbox/requests"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert!(r["requests"].as_array().unwrap().iter().any(|q| q["path"]
        == format!(
            "/v1/private/business-units/{}/reviews",
            demo::BUSINESS_UNIT_ID
        )));
    let st: Value =
        t.c.get(t.url("/__sandbox/stats"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert!(
        st["tokens_issued"].as_u64().unwrap() >= 3 && st["token_refreshes"] == 1,
        "{st}"
    );
    t.sb.shutdown().await;
}

#[tokio::test]
async fn controls_add_a_review_now_and_report_one() {
    let t = start().await;
    let token = t.access().await;
    let (s, added) = t
        .control(
            "/__sandbox/reviews",
            json!({"stars": 2, "language": "en", "title": "Late parcel", "text": "Took two weeks.", "referenceId": "A-1001", "referralEmail": "pat@example.com"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{added}");
    let (_, v) = t.reviews(&token, "perPage=1").await;
    assert_eq!(v["reviews"][0], added);
    assert_eq!(added["title"], "Late parcel");
    assert_eq!(added["stars"], 2);
    assert!(added["companyReply"].is_null() && added["status"] == "active");
    let hit = t.all_reviews(&token, "referenceId=A-1001").await;
    assert_eq!(hit.len(), 1);
    let id = added["id"].as_str().unwrap();
    let (s, rep) = t
        .control(
            &format!("/__sandbox/reviews/{id}/report"),
            json!({"visibility": "hidden"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(rep["status"], "reported");
    assert_eq!(rep["reportData"]["reviewVisibility"], "hidden");
    assert_eq!(rep["countsTowardsTrustScore"], false);
    let (_, one) = t.get(&format!("/v1/private/reviews/{id}"), &token).await;
    assert_eq!(one["status"], "reported");
    let demo_info: Value =
        t.c.get(t.url("/__sandbox/demo"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(demo_info["business_units"][0]["reviews"], 301);
    assert_eq!(demo_info["authenticate_base"], t.auth);
    t.sb.shutdown().await;
}

#[tokio::test]
async fn seeding_is_deterministic_and_large_worlds_filter_and_page() {
    let cfg = || SandboxConfig {
        reviews: 10,
        second_shop_reviews: 10,
        trustpilot_reviews: 100_000,
        ..SandboxConfig::default()
    };
    let a = start_with(cfg()).await;
    let b = start_with(cfg()).await;
    let ta = a.access().await;
    let tb = b.access().await;
    let (_, pa) = a
        .reviews(&ta, "perPage=100&page=321&orderBy=createdat.asc")
        .await;
    let (_, pb) = b
        .reviews(&tb, "perPage=100&page=321&orderBy=createdat.asc")
        .await;
    let strip = |v: &Value| {
        let mut v = v["reviews"].clone();
        for r in v.as_array_mut().unwrap() {
            r.as_object_mut().unwrap().remove("links");
            r["businessUnit"].as_object_mut().unwrap().remove("links");
        }
        v
    };
    assert_eq!(strip(&pa), strip(&pb));
    let (_, last) = a.reviews(&ta, "perPage=100&page=1000").await;
    assert_eq!(last["reviews"].as_array().unwrap().len(), 100);
    assert!(!has_next(&last));
    let (_, far) = a.reviews(&ta, "perPage=100&page=1001").await;
    assert_eq!(far["reviews"], json!([]));
    let (s, v) = a
        .reviews(&ta, "stars=3&language=fr&responded=true&perPage=100&page=2")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["stars"] == 3 && r["language"] == "fr"));
    a.sb.shutdown().await;
    b.sb.shutdown().await;
}

#[test]
fn a_million_reviews_seed_compactly() {
    let started = std::time::Instant::now();
    let w = reviewdesk_sandbox::trustpilot::build_world(&SandboxConfig {
        trustpilot_reviews: 1_000_000,
        ..SandboxConfig::default()
    });
    let unit = &w.units[0];
    assert_eq!(unit.reviews.len(), 1_000_000);
    assert!(unit.reviews.windows(2).all(|p| p[0].id < p[1].id));
    assert!(std::mem::size_of_val(&unit.reviews[0]) <= 64);
    eprintln!(
        "1,000,000 Trustpilot reviews seeded in {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_invitations_host_makes_links_and_queues_emails() {
    let t = start().await;
    let inv = t.sb.trustpilot().invitations_url();
    let token = t.access().await;
    let post = |path: &'static str, tok: String, body: Value, user: Option<&'static str>| {
        let t = &t;
        let inv = inv.clone();
        async move {
            let mut rb =
                t.c.post(format!(
                    "{inv}/v1/private/business-units/{}/{path}",
                    demo::BUSINESS_UNIT_ID
                ))
                .bearer_auth(tok)
                .json(&body);
            if let Some(u) = user {
                rb = rb.header("x-business-user-id", u);
            }
            let r = rb.send().await.unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let link = json!({"referenceId": "1042", "email": "pat@example.com", "name": "Pat Lee", "locale": "en-US", "tags": ["spring"], "redirectUri": "https://aurora-outfitters.com/thanks"});
    let (s, v) = post("invitation-links", token.clone(), link.clone(), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(is_hex24(v["id"].as_str().unwrap()));
    assert!(v["url"].as_str().unwrap().starts_with("https://"));
    let (s, e) = post(
        "invitation-links",
        token.clone(),
        json!({"name": "Pat"}),
        None,
    )
    .await;
    assert_tp_error(s, &e, 400);
    // The API host does not serve invitations (another host), nor the reverse.
    let r =
        t.c.post(t.url(&format!(
            "/v1/private/business-units/{}/invitation-links",
            demo::BUSINESS_UNIT_ID
        )))
        .bearer_auth(&token)
        .json(&link)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r =
        t.c.get(format!(
            "{inv}/v1/business-units/{}?apikey={}",
            demo::BUSINESS_UNIT_ID,
            demo::API_KEY
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Email invitations: queued (202); a client-credentials token needs x-business-user-id.
    let email = json!({"consumerEmail": "sam@example.com", "consumerName": "Sam", "referenceNumber": "1043", "locale": "en-US", "type": "email", "serviceReviewInvitation": {"preferredSendTime": "2026-12-10T09:00:00", "tags": []}});
    let (s, _) = post("email-invitations", token.clone(), email.clone(), None).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (_, cc) = t
        .token_req(
            "accesstoken",
            Some((demo::API_KEY, demo::API_SECRET)),
            &[("grant_type", "client_credentials")],
        )
        .await;
    let cc = cc["access_token"].as_str().unwrap().to_string();
    let (s, e) = post("email-invitations", cc.clone(), email.clone(), None).await;
    assert_tp_error(s, &e, 400);
    let (s, _) = post(
        "email-invitations",
        cc.clone(),
        email.clone(),
        Some(demo::BUSINESS_USER_ID),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let mut both = email.clone();
    both["productReviewInvitation"] = json!({"products": [{"sku": "A"}], "productSkus": ["A"]});
    let (s, e) = post("email-invitations", token.clone(), both, None).await;
    assert_tp_error(s, &e, 400);
    let (s, e) = post(
        "email-invitations",
        token.clone(),
        json!({"consumerName": "Sam", "referenceNumber": "1"}),
        None,
    )
    .await;
    assert_tp_error(s, &e, 400);
    let rec: Value =
        t.c.get(t.url("/__sandbox/state/invitations"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let list = rec["invitations"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[2]["businessUserId"], demo::BUSINESS_USER_ID);
    assert_eq!(list[0]["kind"], "invitation-link");
    t.sb.shutdown().await;
}

#[tokio::test]
async fn the_invitations_host_lists_templates_and_a_plan_without_the_api_is_403() {
    let t = start().await;
    let inv = t.sb.trustpilot().invitations_url();
    let token = t.access().await;
    let templates = format!(
        "{inv}/v1/private/business-units/{}/templates",
        demo::BUSINESS_UNIT_ID
    );
    let r =
        t.c.get(&templates)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    let list = v["templates"].as_array().unwrap();
    assert!(list.len() >= 2, "{v}");
    assert_eq!(
        list.iter()
            .filter(|t| t["isDefaultTemplate"] == true)
            .count(),
        1
    );
    assert!(list
        .iter()
        .all(|t| is_hex24(t["id"].as_str().unwrap()) && t["name"].is_string()));
    // No token: 401.
    let r = t.c.get(&templates).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The plan loses the Invitation API: every invitations endpoint answers 403, in JSON.
    let (s, _) = t
        .control("/__sandbox/state/plan", json!({"invitations": false}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let r =
        t.c.get(&templates)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
    let s = r.status();
    let e: Value = r.json().await.unwrap();
    assert_tp_error(s, &e, 403);
    let r =
        t.c.post(format!(
            "{inv}/v1/private/business-units/{}/invitation-links",
            demo::BUSINESS_UNIT_ID
        ))
        .bearer_auth(&token)
        .json(&json!({"email": "pat@example.com", "name": "Pat"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (s, _) = t
        .control("/__sandbox/state/plan", json!({"invitations": "no"}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    t.sb.shutdown().await;
}

#[tokio::test]
async fn find_reviewer_records_a_request_the_review_lists_and_a_control_answers_it() {
    let t = start().await;
    let token = t.access().await;
    let all = t.all_reviews(&token, "orderBy=createdat.asc").await;
    let pick = |eligible: bool| {
        all.iter()
            .find(|r| r["findReviewer"]["isEligible"] == eligible)
            .and_then(|r| r["id"].as_str())
            .unwrap()
            .to_owned()
    };
    let (organic, invited) = (pick(true), pick(false));
    let ask = |id: String, body: Value| {
        let t = &t;
        let token = token.clone();
        async move {
            let r =
                t.c.post(t.url(&format!("/v1/private/reviews/{id}/find-reviewer")))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // No request to answer yet.
    let (s, _) = t
        .control(
            &format!("/__sandbox/reviews/{organic}/find-reviewer/answer"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = ask(
        organic.clone(),
        json!({"message": "Your order number?", "skipNotificationEmailToBusinessUser": false}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["StatusCode"], 201, "the documented HttpResponseMessage");
    let (_, one) = t
        .get(&format!("/v1/private/reviews/{organic}"), &token)
        .await;
    let requests = one["findReviewer"]["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["status"], "requested");
    assert_eq!(requests[0]["businessUserMessage"], "Your order number?");
    assert!(is_hex24(requests[0]["id"].as_str().unwrap()));
    let (s, _) = t
        .control(
            &format!("/__sandbox/reviews/{organic}/find-reviewer/answer"),
            json!({"referenceId": "#7", "name": "Ana"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, one) = t
        .get(&format!("/v1/private/reviews/{organic}"), &token)
        .await;
    let answered = &one["findReviewer"]["requests"][0];
    assert_eq!(answered["status"], "answered");
    assert_eq!(answered["consumerResponse"]["referenceId"], "#7");
    assert!(answered["consumerResponse"]["submittedAt"].is_string());
    // An invited review is not eligible; a message must be text.
    let (s, e) = ask(invited, json!({"message": null})).await;
    assert_tp_error(s, &e, 400);
    let (s, e) = ask(organic, json!({"message": 7})).await;
    assert_tp_error(s, &e, 400);
    t.sb.shutdown().await;
}

// ---- Product reviews (§1.8) ------------------------------------------------------------------

fn product_reviews_path(unit: &str) -> String {
    format!("/v1/private/product-reviews/business-units/{unit}/reviews")
}

impl T {
    async fn product_reviews(&self, token: &str, query: &str) -> (StatusCode, Value) {
        self.get(
            &format!("{}?{query}", product_reviews_path(demo::BUSINESS_UNIT_ID)),
            token,
        )
        .await
    }

    /// Every product review matching `query`, by the `next-page` links.
    async fn all_product_reviews(&self, token: &str, query: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut href = Some(self.url(&format!(
            "{}?perPage=7&{query}",
            product_reviews_path(demo::BUSINESS_UNIT_ID)
        )));
        while let Some(h) = href {
            let r = self.c.get(&h).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            let v: Value = r.json().await.unwrap();
            out.extend(v["productReviews"].as_array().unwrap().clone());
            href = next_href(&v);
        }
        out
    }

    /// A JSON write with a Bearer token (and `x-business-user-id` when given).
    async fn write(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
        business_user: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut rb = self.c.request(method, self.url(path)).bearer_auth(token);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        if let Some(u) = business_user {
            rb = rb.header("x-business-user-id", u);
        }
        let r = rb.send().await.unwrap();
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    async fn client_credentials(&self) -> String {
        let (_, cc) = self
            .token_req(
                "accesstoken",
                Some((demo::API_KEY, demo::API_SECRET)),
                &[("grant_type", "client_credentials")],
            )
            .await;
        cc["access_token"].as_str().unwrap().to_string()
    }
}

const PRODUCT_REVIEW_FIELDS: &[&str] = &[
    "id",
    "createdAt",
    "updatedAt",
    "businessUnitId",
    "stars",
    "content",
    "product",
    "consumer",
    "referenceId",
    "locale",
    "language",
    "redirectUri",
    "state",
    "hasModerationHistory",
    "conversationId",
    "attributeRatings",
    "attachments",
];

#[tokio::test]
async fn product_reviews_page_by_next_links_and_filter_by_state_sku_language_and_locale() {
    let t = start().await;
    let token = t.access().await;
    // Default: published only, 20 a page, newest first, the §1.8 fields.
    let (s, v) = t.product_reviews(&token, "").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let list = v["productReviews"].as_array().unwrap();
    assert_eq!(list.len(), 20);
    assert!(has_next(&v));
    let r0 = &list[0];
    let keys: HashSet<&str> = r0.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        PRODUCT_REVIEW_FIELDS
            .iter()
            .copied()
            .collect::<HashSet<_>>()
    );
    assert!(list.iter().all(|r| r["state"] == "published"));
    let created: Vec<&str> = list
        .iter()
        .map(|r| r["createdAt"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "{created:?}");
    for k in ["id", "email", "name"] {
        assert!(
            r0["consumer"][k].as_str().is_some_and(|s| !s.is_empty()),
            "{k}"
        );
    }
    for k in ["id", "name", "sku", "productUrl", "gtin", "mpn", "brand"] {
        assert!(r0["product"][k].is_string(), "{k}");
    }
    assert!(r0["product"]["productImages"].is_array());
    // 300 service reviews make 60 product reviews, each state present.
    let everything = t
        .all_product_reviews(
            &token,
            "state=published,unpublished,underModeration,archived",
        )
        .await;
    assert_eq!(everything.len(), 60);
    let ids: HashSet<&str> = everything
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 60);
    assert!(ids.iter().all(|id| is_hex24(id)));
    for state in ["published", "unpublished", "underModeration", "archived"] {
        let n = everything.iter().filter(|r| r["state"] == state).count();
        assert!(n >= 1, "{state}");
        let only = t
            .all_product_reviews(&token, &format!("state={state}"))
            .await;
        assert_eq!(only.len(), n, "{state}");
    }
    let published = everything
        .iter()
        .filter(|r| r["state"] == "published")
        .count();
    assert!(published * 10 >= 60 * 6, "most are published: {published}");
    // Repeated state parameters work like a comma list.
    let two = t
        .all_product_reviews(&token, "state=archived&state=unpublished")
        .await;
    assert!(two
        .iter()
        .all(|r| r["state"] == "archived" || r["state"] == "unpublished"));
    // Seeded variety: attachments with processed files, attribute ratings, conversations.
    let with_files: Vec<&Value> = everything
        .iter()
        .filter(|r| !r["attachments"].as_array().unwrap().is_empty())
        .collect();
    assert!(!with_files.is_empty());
    let file = &with_files[0]["attachments"][0]["processedFiles"][0];
    assert_eq!(file["mimeType"], "image/png");
    assert!(file["dimension"].is_string());
    let image = t.c.get(file["url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()["content-type"], "image/png");
    assert!(image.bytes().await.unwrap().starts_with(b"\x89PNG"));
    let rated = everything
        .iter()
        .find(|r| !r["attributeRatings"].as_array().unwrap().is_empty())
        .unwrap();
    for k in ["attributeId", "attributeName", "attributeType", "rating"] {
        assert!(rated["attributeRatings"][0].get(k).is_some(), "{k}");
    }
    let answered = everything
        .iter()
        .filter(|r| r["conversationId"].is_string())
        .count();
    assert!(answered >= 1 && answered * 2 < 60, "{answered}");
    // sku, language and locale filters.
    let sku = r0["product"]["sku"].as_str().unwrap();
    let by_sku = t.all_product_reviews(&token, &format!("sku={sku}")).await;
    assert!(!by_sku.is_empty());
    assert!(by_sku.iter().all(|r| r["product"]["sku"] == sku));
    let german = t.all_product_reviews(&token, "language=de").await;
    assert!(german.iter().all(|r| r["language"] == "de"));
    let de_de = t.all_product_reviews(&token, "locale=de-de").await;
    assert_eq!(de_de.len(), german.len());
    let (_, none) = t.product_reviews(&token, "sku=NOPE").await;
    assert_eq!(none["productReviews"], json!([]));
    // Past the end: an empty page with a prev-page link only.
    let (s, v) = t.product_reviews(&token, "perPage=100&page=2").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["productReviews"], json!([]));
    assert!(!has_next(&v));
    // Bounds and errors.
    for q in ["perPage=101", "perPage=0", "page=0", "state=deleted"] {
        let (s, v) = t.product_reviews(&token, q).await;
        assert_tp_error(s, &v, 400);
    }
    let (s, v) = t.product_reviews("not-a-token", "").await;
    assert_tp_error(s, &v, 401);
    let (s, v) = t
        .get(&product_reviews_path(demo::SECOND_BUSINESS_UNIT_ID), &token)
        .await;
    assert_tp_error(s, &v, 401);
    let (s, v) = t
        .get(&product_reviews_path("000000000000000000000000"), &token)
        .await;
    assert_tp_error(s, &v, 404);
    t.sb.shutdown().await;
}

#[tokio::test]
async fn one_product_review_by_id_and_its_errors() {
    let t = start().await;
    let token = t.access().await;
    let (_, v) = t.product_reviews(&token, "perPage=1").await;
    let listed = v["productReviews"][0].clone();
    let id = listed["id"].as_str().unwrap();
    let (s, one) = t
        .get(
            &format!("/v1/private/product-reviews/{id}?locale=en-US"),
            &token,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{one}");
    assert_eq!(one, listed);
    let (s, e) = t
        .get(
            "/v1/private/product-reviews/000000000000000000000000",
            &token,
        )
        .await;
    assert_tp_error(s, &e, 404);
    // A service review id is not a product review.
    let (_, services) = t.reviews(&token, "perPage=1").await;
    let service_id = services["reviews"][0]["id"].as_str().unwrap();
    let (s, e) = t
        .get(&format!("/v1/private/product-reviews/{service_id}"), &token)
        .await;
    assert_tp_error(s, &e, 404);
    // Another business's token.
    let (s, other) = t
        .token_req(
            "accesstoken",
            Some((demo::SECOND_API_KEY, demo::SECOND_API_SECRET)),
            &[
                ("grant_type", "password"),
                ("username", demo::SECOND_USERNAME),
                ("password", demo::SECOND_PASSWORD),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let other = other["access_token"].as_str().unwrap();
    let (s, e) = t
        .get(&format!("/v1/private/product-reviews/{id}"), other)
        .await;
    assert_tp_error(s, &e, 401);
    t.sb.shutdown().await;
}

#[tokio::test]
async fn conversations_are_created_once_then_take_comments_edits_and_a_state() {
    use reqwest::Method;
    let t = start().await;
    let token = t.access().await;
    let all = t.all_product_reviews(&token, "").await;
    let fresh = all.iter().find(|r| r["conversationId"].is_null()).unwrap();
    let id = fresh["id"].as_str().unwrap();
    let create = format!("/v1/private/product-reviews/{id}/create-conversation");
    // Created (201), then the same id again (200) and no second conversation.
    let (s, v) = t.write(Method::POST, &create, &token, None, None).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let cid = v["conversationId"].as_str().unwrap().to_string();
    assert!(is_hex24(&cid));
    let (s, again) = t.write(Method::POST, &create, &token, None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["conversationId"], cid.as_str());
    let (_, review) = t
        .get(&format!("/v1/private/product-reviews/{id}"), &token)
        .await;
    assert_eq!(review["conversationId"], cid.as_str());
    let conv_path = format!("/v1/private/conversations/{cid}");
    let (s, conv) = t.get(&conv_path, &token).await;
    assert_eq!(s, StatusCode::OK, "{conv}");
    assert_eq!(conv["id"], cid.as_str());
    assert_eq!(conv["businessUnitId"], demo::BUSINESS_UNIT_ID);
    assert_eq!(conv["consumerId"], fresh["consumer"]["id"]);
    assert_eq!(conv["source"], "Product reviews");
    assert_eq!(conv["sourceId"], id);
    assert_eq!(conv["state"], "public");
    assert_eq!(conv["comments"], json!([]));
    // Post a comment: the documented answer.
    let comments = format!("{conv_path}/comments");
    let (s, posted) = t
        .write(
            Method::POST,
            &comments,
            &token,
            Some(json!({"content": "Thanks for the review!", "integrationId": "reviewdesk"})),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{posted}");
    let keys: HashSet<&str> = posted
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["commentId", "createdAt", "author", "content"]
            .into_iter()
            .collect()
    );
    assert_eq!(posted["author"]["id"], demo::BUSINESS_USER_ID);
    assert_eq!(posted["author"]["type"], "businessUser");
    assert_eq!(posted["content"], "Thanks for the review!");
    let comment_id = posted["commentId"].as_str().unwrap().to_string();
    let comment_path = format!("{comments}/{comment_id}");
    let (s, got) = t.get(&comment_path, &token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["content"], "Thanks for the review!");
    assert!(got["updatedAt"].is_null());
    // Update it.
    let (s, _) = t
        .write(
            Method::PUT,
            &comment_path,
            &token,
            Some(json!({"content": "Thank you, enjoy it!", "integrationId": "reviewdesk"})),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, got) = t.get(&comment_path, &token).await;
    assert_eq!(got["content"], "Thank you, enjoy it!");
    assert!(got["updatedAt"].is_string());
    assert_eq!(got["author"]["id"], demo::BUSINESS_USER_ID);
    // State: private, then public; anything else 400.
    let state = format!("{conv_path}/state");
    let (s, _) = t
        .write(
            Method::POST,
            &state,
            &token,
            Some(json!({"state": "private"})),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, conv) = t.get(&conv_path, &token).await;
    assert_eq!(conv["state"], "private");
    assert_eq!(conv["comments"].as_array().unwrap().len(), 1);
    assert_eq!(conv["comments"][0]["commentId"], comment_id.as_str());
    let (s, e) = t
        .write(
            Method::POST,
            &state,
            &token,
            Some(json!({"state": "hidden"})),
            None,
        )
        .await;
    assert_tp_error(s, &e, 400);
    // Bodies: empty content 400, non-JSON 415, unknown ids 404.
    let (s, e) = t
        .write(
            Method::POST,
            &comments,
            &token,
            Some(json!({"content": " "})),
            None,
        )
        .await;
    assert_tp_error(s, &e, 400);
    let r =
        t.c.post(t.url(&comments))
            .bearer_auth(&token)
            .body("content=hi")
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (s, e) = t
        .get("/v1/private/conversations/000000000000000000000000", &token)
        .await;
    assert_tp_error(s, &e, 404);
    let (s, e) = t
        .get(&format!("{comments}/000000000000000000000000"), &token)
        .await;
    assert_tp_error(s, &e, 404);
    let (s, e) = t
        .write(
            Method::POST,
            "/v1/private/product-reviews/000000000000000000000000/create-conversation",
            &token,
            None,
            None,
        )
        .await;
    assert_tp_error(s, &e, 404);
    let (s, e) = t.get(&conv_path, "not-a-token").await;
    assert_tp_error(s, &e, 401);
    // A client-credentials token must name the business user.
    let cc = t.client_credentials().await;
    let body = json!({"content": "From the team"});
    let (s, e) = t
        .write(Method::POST, &comments, &cc, Some(body.clone()), None)
        .await;
    assert_tp_error(s, &e, 400);
    let (s, e) = t
        .write(
            Method::POST,
            &comments,
            &cc,
            Some(body.clone()),
            Some("000000000000000000000000"),
        )
        .await;
    assert_tp_error(s, &e, 400);
    let (s, posted) = t
        .write(
            Method::POST,
            &comments,
            &cc,
            Some(body),
            Some(demo::BUSINESS_USER_ID),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(posted["author"]["id"], demo::BUSINESS_USER_ID);
    // A seeded conversation holds the business's answer.
    let seeded = all
        .iter()
        .find(|r| r["conversationId"].is_string())
        .unwrap();
    let (_, conv) = t
        .get(
            &format!(
                "/v1/private/conversations/{}",
                seeded["conversationId"].as_str().unwrap()
            ),
            &token,
        )
        .await;
    assert_eq!(conv["sourceId"], seeded["id"]);
    assert_eq!(conv["comments"][0]["author"]["type"], "businessUser");
    assert!(conv["comments"][0]["content"]
        .as_str()
        .is_some_and(|c| !c.is_empty()));
    t.sb.shutdown().await;
}
