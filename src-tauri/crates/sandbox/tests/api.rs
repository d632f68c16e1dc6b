//! End-to-end tests of the sandbox over real HTTP with a plain reqwest client.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::{redirect, Client, StatusCode};
use reviewdesk_sandbox::state::lock;
use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const OPENAPI: &str = "/api/v1/openapi";

/// Independent HMAC-SHA256 signer (lowercase hex), written from the CHOICES text.
fn hmac_hex(key: &str, msg: &str) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("hmac key");
    m.update(msg.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

fn get_string_to_sign(pairs: &[(&str, &str)], ts: i64) -> String {
    let mut all: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    all.push(("timestamp".into(), ts.to_string()));
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

struct T {
    sb: Sandbox,
    c: Client,
    base: String,
}

async fn start_with(cfg: SandboxConfig) -> T {
    let sb = Sandbox::start(cfg, 0).await.expect("sandbox starts");
    let base = sb.base_url();
    let c = Client::builder()
        .redirect(redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    T { sb, c, base }
}

async fn start() -> T {
    start_with(SandboxConfig {
        reviews: 300,
        second_shop_reviews: 40,
        ..SandboxConfig::default()
    })
    .await
}

impl T {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn query(pairs: &[(&str, &str)]) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            s.append_pair(k, v);
        }
        s.finish()
    }

    async fn hget_with(
        &self,
        key: &str,
        public: &str,
        ts: i64,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let sign = hmac_hex(key, &get_string_to_sign(pairs, ts));
        let r = self
            .c
            .get(format!("{}?{}", self.url(path), Self::query(pairs)))
            .header("Public-Token", public)
            .header("Timestamp", ts.to_string())
            .header("Sign", sign)
            .send()
            .await
            .expect("send");
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// HMAC-signed GET as the demo shop.
    async fn hget(&self, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, Value) {
        self.hget_with(
            demo::PRIVATE_TOKEN,
            demo::PUBLIC_TOKEN,
            unix_now(),
            path,
            pairs,
        )
        .await
    }

    /// HMAC-signed POST as the demo shop.
    async fn hpost(&self, path: &str, body: &str) -> (StatusCode, Value) {
        let ts = unix_now();
        let sign = hmac_hex(demo::PRIVATE_TOKEN, &format!("timestamp={ts}|{body}"));
        let r = self
            .c
            .post(self.url(path))
            .header("Public-Token", demo::PUBLIC_TOKEN)
            .header("timestamp", ts.to_string())
            .header("sign", sign)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("send");
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    async fn bget(&self, token: &str, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, Value) {
        let r = self
            .c
            .get(format!("{}?{}", self.url(path), Self::query(pairs)))
            .bearer_auth(token)
            .send()
            .await
            .expect("send");
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    async fn bpost(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .c
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("send");
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    async fn post_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .c
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("send");
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// Runs the consent flow and returns the authorization code.
    async fn authorize(&self, scope: &str, challenge: Option<&str>) -> String {
        let mut q = vec![
            ("client_id", demo::CLIENT_ID),
            ("redirect_uri", demo::REDIRECT_URI),
            ("state", "xyz"),
            ("scope", scope),
            ("response_type", "code"),
        ];
        if let Some(c) = challenge {
            q.push(("code_challenge", c));
            q.push(("code_challenge_method", "S256"));
        }
        let page = self
            .c
            .get(format!(
                "{}?{}",
                self.url(&format!("{OPENAPI}/oauth/authorize")),
                Self::query(&q)
            ))
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), 200);
        let html = page.text().await.expect("html");
        assert!(html.contains("Aurora Outfitters"));
        assert!(html.contains("value=\"allow\"") && html.contains("value=\"deny\""));
        let mut form: Vec<(&str, &str)> = q.clone();
        form.push(("decision", "allow"));
        let shop = demo::SHOP_ID.to_string();
        form.push(("shop_id", &shop));
        let r = self
            .c
            .post(self.url(&format!("{OPENAPI}/oauth/authorize")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Self::query(&form))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), StatusCode::FOUND);
        let loc = r.headers()["location"]
            .to_str()
            .expect("location")
            .to_string();
        let u = url::Url::parse(&loc).expect("url");
        assert_eq!(u.scheme(), "reviewdesk");
        let pairs: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        assert!(pairs.contains(&("state".into(), "xyz".into())));
        pairs
            .into_iter()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v)
            .expect("code in redirect")
    }

    async fn token_for(&self, scope: &str) -> (String, String) {
        let code = self.authorize(scope, None).await;
        let (s, v) = self
            .post_json(
                &format!("{OPENAPI}/oauth/token"),
                json!({"grant_type": "authorization_code", "client_id": demo::CLIENT_ID,
                       "client_secret": demo::CLIENT_SECRET, "code": code, "redirect_uri": demo::REDIRECT_URI}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        (
            v["data"]["access_token"].as_str().unwrap().to_string(),
            v["data"]["refresh_token"].as_str().unwrap().to_string(),
        )
    }

    /// `GET` a sandbox control endpoint (`/__sandbox/…`) and its JSON.
    async fn control(&self, path: &str) -> Value {
        self.c
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn token_status(&self, token: &str) -> String {
        let (_, v) = self
            .post_json("/__sandbox/state/token_status", json!({"token": token}))
            .await;
        v["status"].as_str().unwrap_or("").to_string()
    }
}

fn assert_envelope(v: &Value) {
    assert_eq!(v["code"], 0, "{v}");
    assert!(v["message"].is_string());
    assert!(v["time"].is_i64());
    let rid = v["request_id"].as_str().expect("request_id");
    assert_eq!(rid.len(), 32);
    assert!(rid.chars().all(|c| c.is_ascii_hexdigit()));
}

fn assert_error(s: StatusCode, v: &Value, status: u16, code: i64) {
    assert_eq!(s.as_u16(), status, "{v}");
    assert_eq!(v["code"], code, "{v}");
    assert!(v.get("data").is_none(), "{v}");
    assert!(v["request_id"].is_string() && v["message"].is_string());
}

// ---------------------------------------------------------------- HMAC

#[test]
fn hmac_vectors_match_openssl() {
    // printf '%s' 'page=1&page_size=20&timestamp=1700465771' | openssl dgst -sha256 -hmac 'aurora-private-7f3c9e2a41d8b605'
    let get = "5b7fc3beb3943a1fda7f91d112491ce3d443a67c13c1aa20bdec781ff1b212a3";
    // printf '%s' 'timestamp=1700465771|{"id":1}' | openssl dgst -sha256 -hmac 'aurora-private-7f3c9e2a41d8b605'
    let post = "2e50355313603ac40595a772956222fc60913346680cdf589197d80a8124a5e1";
    let msg = get_string_to_sign(&[("page_size", "20"), ("page", "1")], 1_700_465_771);
    assert_eq!(msg, "page=1&page_size=20&timestamp=1700465771");
    assert_eq!(hmac_hex(demo::PRIVATE_TOKEN, &msg), get);
    // The server's own functions agree.
    let pairs = vec![
        ("page_size".to_string(), "20".to_string()),
        ("page".to_string(), "1".to_string()),
    ];
    let s =
        reviewdesk_sandbox::state::string_to_sign(&http::Method::GET, &pairs, "1700465771", b"");
    assert_eq!(
        reviewdesk_sandbox::state::hmac_hex(demo::PRIVATE_TOKEN.as_bytes(), &s),
        get
    );
    let s = reviewdesk_sandbox::state::string_to_sign(
        &http::Method::POST,
        &[],
        "1700465771",
        b"{\"id\":1}",
    );
    assert_eq!(
        reviewdesk_sandbox::state::hmac_hex(demo::PRIVATE_TOKEN.as_bytes(), &s),
        post
    );
    assert_eq!(
        hmac_hex(demo::PRIVATE_TOKEN, "timestamp=1700465771|{\"id\":1}"),
        post
    );
}

#[tokio::test]
async fn hmac_auth_accepts_good_and_rejects_bad() {
    let t = start().await;
    let p = format!("{OPENAPI}/get_reviews");
    let (s, v) = t.hget(&p, &[("page", "1"), ("page_size", "5")]).await;
    assert_eq!(s, 200);
    assert_envelope(&v);
    // Array params enter the signature pair by pair, with the key as sent.
    let (s, v) = t
        .hget(
            &p,
            &[
                ("ratings[0]", "5"),
                ("ratings[1]", "4"),
                ("page_size", "50"),
            ],
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["data"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["rating"] == 5 || r["rating"] == 4));
    // Bad signature.
    let (s, v) = t
        .hget_with("wrong-key", demo::PUBLIC_TOKEN, unix_now(), &p, &[])
        .await;
    assert_error(s, &v, 401, 16);
    // Stale timestamp (16 minutes).
    let (s, v) = t
        .hget_with(
            demo::PRIVATE_TOKEN,
            demo::PUBLIC_TOKEN,
            unix_now() - 16 * 60,
            &p,
            &[],
        )
        .await;
    assert_error(s, &v, 401, 16);
    // 14 minutes is still fine.
    let (s, _) = t
        .hget_with(
            demo::PRIVATE_TOKEN,
            demo::PUBLIC_TOKEN,
            unix_now() - 14 * 60,
            &p,
            &[],
        )
        .await;
    assert_eq!(s, 200);
    // Unknown public token.
    let (s, v) = t
        .hget_with(demo::PRIVATE_TOKEN, "bm9wZQ==", unix_now(), &p, &[])
        .await;
    assert_error(s, &v, 401, 16);
    // No credentials at all.
    let r = t.c.get(t.url(&p)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], 16);
    // Tampered POST body.
    let ts = unix_now();
    let sign = hmac_hex(demo::PRIVATE_TOKEN, &format!("timestamp={ts}|{{\"id\":1}}"));
    let r =
        t.c.post(t.url(&format!("{OPENAPI}/delete_review")))
            .header("Public-Token", demo::PUBLIC_TOKEN)
            .header("Timestamp", ts.to_string())
            .header("Sign", sign)
            .body("{\"id\":2}")
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 401);
    // The second shop has its own tokens and data.
    let (s, v) = t
        .hget_with(
            demo::SECOND_PRIVATE_TOKEN,
            demo::SECOND_PUBLIC_TOKEN,
            unix_now(),
            &p,
            &[],
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["data"]["page"]["count"], 40);
    t.sb.shutdown().await;
}

// ---------------------------------------------------------------- OAuth

#[tokio::test]
async fn oauth_full_flow() {
    let t = start().await;
    let (access, refresh) = t.token_for("read_reviews,write_reviews").await;
    assert_eq!(t.token_status(&access).await, "active");
    let (s, v) = t
        .bget(&access, &format!("{OPENAPI}/get_reviews"), &[])
        .await;
    assert_eq!(s, 200);
    assert_envelope(&v);
    // Refresh rotates.
    let (s, v) = t
        .post_json(
            &format!("{OPENAPI}/oauth/token"),
            json!({"grant_type": "refresh_token", "client_id": demo::CLIENT_ID,
                   "client_secret": demo::CLIENT_SECRET, "refresh_token": refresh}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["token_type"], "Bearer");
    assert_eq!(v["data"]["expires_in"], 3600);
    let access2 = v["data"]["access_token"].as_str().unwrap().to_string();
    let refresh2 = v["data"]["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(access2, access);
    assert_ne!(refresh2, refresh);
    assert_eq!(t.token_status(&refresh).await, "revoked");
    let (s, v) = t
        .post_json(
            &format!("{OPENAPI}/oauth/token"),
            json!({"grant_type": "refresh_token", "client_id": demo::CLIENT_ID,
                   "client_secret": demo::CLIENT_SECRET, "refresh_token": refresh}),
        )
        .await;
    assert_error(s, &v, 400, 3);
    let st: Value = t.control("/__sandbox/stats").await;
    assert_eq!(st["token_refreshes"], 1);
    // Authorization info reflects the grant.
    let r = t
        .c
        .get(format!(
            "{}?client_id={}&client_secret={}&shop_id={}&myshopify_domain=undefined&can_upload_video=undefined",
            t.url(&format!("{OPENAPI}/get_shop_authorization_info")),
            demo::CLIENT_ID,
            demo::CLIENT_SECRET,
            demo::SHOP_ID
        ))
        .send()
        .await
        .unwrap();
    let (s, v) = (r.status(), r.json::<Value>().await.unwrap());
    assert_eq!(s, 200);
    assert_envelope(&v);
    assert_eq!(v["data"]["is_authorized"], true);
    assert_eq!(v["data"]["shop_id"], demo::SHOP_ID.to_string());
    assert_eq!(v["data"]["myshopify_domain"], demo::SHOP_DOMAIN);
    assert_eq!(v["data"]["granted_scopes"], "read_reviews,write_reviews");
    assert!(v["data"]["authorized_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["data"]["can_upload_video"], true);
    // Revoke (older path) answers a bare {} and kills the pair.
    let (s, v) = t
        .post_json(
            &format!("{OPENAPI}/oauth_revoke_token"),
            json!({"client_id": demo::CLIENT_ID, "client_secret": demo::CLIENT_SECRET, "token": access2}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v, json!({}));
    assert_eq!(t.token_status(&access2).await, "revoked");
    assert_eq!(t.token_status(&refresh2).await, "revoked");
    let (s, v) = t
        .bget(&access2, &format!("{OPENAPI}/get_reviews"), &[])
        .await;
    assert_error(s, &v, 401, 16);
    assert_eq!(t.token_status("nope").await, "unknown");
    t.sb.shutdown().await;
}

#[tokio::test]
async fn oauth_errors_replay_pkce_redirect_deny() {
    let t = start().await;
    // Replayed code.
    let code = t.authorize("read_reviews", None).await;
    let body = json!({"grant_type": "authorization_code", "client_id": demo::CLIENT_ID,
        "client_secret": demo::CLIENT_SECRET, "code": code, "redirect_uri": demo::REDIRECT_URI});
    let (s, _) = t
        .post_json(&format!("{OPENAPI}/oauth/token"), body.clone())
        .await;
    assert_eq!(s, 200);
    let (s, v) = t.post_json(&format!("{OPENAPI}/oauth/token"), body).await;
    assert_error(s, &v, 400, 3);
    assert!(v["message"].as_str().unwrap().contains("invalid_grant"));
    // Wrong redirect_uri.
    let code = t.authorize("read_reviews", None).await;
    let (s, v) = t
        .post_json(
            &format!("{OPENAPI}/oauth/token"),
            json!({"grant_type": "authorization_code", "client_id": demo::CLIENT_ID,
                "client_secret": demo::CLIENT_SECRET, "code": code, "redirect_uri": "http://127.0.0.1:9/cb"}),
        )
        .await;
    assert_error(s, &v, 400, 3);
    // Wrong secret.
    let code = t.authorize("read_reviews", None).await;
    let (s, v) = t
        .post_json(
            &format!("{OPENAPI}/oauth/token"),
            json!({"grant_type": "authorization_code", "client_id": demo::CLIENT_ID,
                "client_secret": "nope", "code": code, "redirect_uri": demo::REDIRECT_URI}),
        )
        .await;
    assert_error(s, &v, 400, 3);
    // PKCE: wrong verifier fails, right verifier works.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier));
    assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    let code = t.authorize("read_reviews", Some(&challenge)).await;
    let mk = |code: &str, ver: &str| {
        json!({"grant_type": "authorization_code", "client_id": demo::CLIENT_ID,
            "client_secret": demo::CLIENT_SECRET, "code": code, "redirect_uri": demo::REDIRECT_URI,
            "code_verifier": ver})
    };
    let (s, v) = t
        .post_json(
            &format!("{OPENAPI}/oauth/token"),
            mk(&code, "wrong-verifier"),
        )
        .await;
    assert_error(s, &v, 400, 3);
    let code = t.authorize("read_reviews", Some(&challenge)).await;
    let (s, v) = t
        .post_json(&format!("{OPENAPI}/oauth/token"), mk(&code, verifier))
        .await;
    assert_eq!(s, 200, "{v}");
    // Expired code (10 minutes).
    let code = t.authorize("read_reviews", None).await;
    t.post_json("/__sandbox/time/advance", json!({"seconds": 601}))
        .await;
    let (s, v) = t
        .post_json(
            &format!("{OPENAPI}/oauth/token"),
            json!({"grant_type": "authorization_code", "client_id": demo::CLIENT_ID,
                "client_secret": demo::CLIENT_SECRET, "code": code, "redirect_uri": demo::REDIRECT_URI}),
        )
        .await;
    assert_error(s, &v, 400, 3);
    // Deny.
    let r =
        t.c.post(t.url(&format!("{OPENAPI}/oauth/authorize")))
            .form(&[
                ("client_id", demo::CLIENT_ID),
                ("redirect_uri", "http://127.0.0.1:4567/cb"),
                ("state", "s1"),
                ("scope", "read_reviews"),
                ("decision", "deny"),
            ])
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 302);
    let loc = r.headers()["location"].to_str().unwrap();
    assert!(loc.starts_with("http://127.0.0.1:4567/cb?"), "{loc}");
    assert!(loc.contains("error=access_denied") && loc.contains("state=s1"));
    // Unregistered redirect / unknown client: error page, never a redirect.
    for q in [
        "client_id=reviewdesk&redirect_uri=https%3A%2F%2Fevil.example%2Fcb",
        "client_id=other&redirect_uri=reviewdesk%3A%2F%2Foauth%2Fcallback",
    ] {
        let r =
            t.c.get(format!(
                "{}?{q}",
                t.url(&format!("{OPENAPI}/oauth/authorize"))
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert!(r.headers().get("location").is_none());
    }
    // Unsupported grant.
    let (s, v) = t
        .post_json(
            &format!("{OPENAPI}/oauth/token"),
            json!({"grant_type": "password", "client_id": demo::CLIENT_ID, "client_secret": demo::CLIENT_SECRET}),
        )
        .await;
    assert_error(s, &v, 400, 3);
    t.sb.shutdown().await;
}

#[tokio::test]
async fn client_credentials_scopes_expiry_disconnect() {
    let t = start_with(SandboxConfig {
        reviews: 50,
        token_ttl_secs: 120,
        ..SandboxConfig::default()
    })
    .await;
    let (s, v) = t
        .post_json(
            &format!("{OPENAPI}/oauth/token"),
            json!({"grant_type": "client_credentials", "client_id": demo::CLIENT_ID,
                "client_secret": demo::CLIENT_SECRET, "myshopify_domain": demo::SHOP_DOMAIN, "scope": "read_reviews"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["expires_in"], 120);
    assert_eq!(v["data"]["scope"], "read_reviews");
    let tok = v["data"]["access_token"].as_str().unwrap().to_string();
    // Wrong scope.
    let (s, v) = t
        .bpost(
            &tok,
            &format!("{OPENAPI}/create_review"),
            json!({"rating": 5, "author": "A"}),
        )
        .await;
    assert_error(s, &v, 403, 8);
    let (s, v) = t.bget(&tok, &format!("{OPENAPI}/get_orders"), &[]).await;
    assert_error(s, &v, 403, 8);
    // Missing shop.
    let (s, v) = t
        .post_json(
            &format!("{OPENAPI}/oauth/token"),
            json!({"grant_type": "client_credentials", "client_id": demo::CLIENT_ID, "client_secret": demo::CLIENT_SECRET}),
        )
        .await;
    assert_error(s, &v, 400, 3);
    // Expiry via the sandbox clock.
    let (s, _) = t.bget(&tok, &format!("{OPENAPI}/get_rating"), &[]).await;
    assert_eq!(s, 200);
    t.post_json("/__sandbox/time/advance", json!({"seconds": 121}))
        .await;
    let r =
        t.c.get(t.url(&format!("{OPENAPI}/get_rating")))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("invalid_token"));
    assert_eq!(r.json::<Value>().await.unwrap()["code"], 16);
    assert_eq!(t.token_status(&tok).await, "expired");
    // Disconnect revokes every token of the client for the shop.
    let (a, _) = t.token_for("read_reviews").await;
    let (s, v) = t
        .bpost(&a, &format!("{OPENAPI}/oauth/disconnect"), json!({}))
        .await;
    assert_eq!(s, 200);
    assert_envelope(&v);
    assert!(v.get("data").is_none());
    assert_eq!(t.token_status(&a).await, "revoked");
    let r =
        t.c.get(format!(
            "{}?client_id={}&client_secret={}&myshopify_domain={}",
            t.url(&format!("{OPENAPI}/get_shop_authorization_info")),
            demo::CLIENT_ID,
            demo::CLIENT_SECRET,
            demo::SHOP_DOMAIN
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["data"]["is_authorized"],
        false
    );
    // Install status + bad platform credentials + unknown shop.
    let base = t.url(&format!("{OPENAPI}/get_shop_install_status"));
    let v: Value =
        t.c.get(format!(
            "{base}?client_id=reviewdesk&client_secret=reviewdesk-sandbox-secret&shop_id={}",
            demo::SHOP_ID
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_envelope(&v);
    assert_eq!(v["data"]["is_installed"], 1);
    assert!(v["data"]["installed_at"].is_string());
    let r =
        t.c.get(format!(
            "{base}?client_id=reviewdesk&client_secret=bad&shop_id=1"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r =
        t.c.get(format!(
            "{base}?client_id=reviewdesk&client_secret=reviewdesk-sandbox-secret&shop_id=1"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], 5);
    // get_oauth_authorize_url (the documented example query, with our client).
    let r = t
        .c
        .get(format!(
            "{}?client_id=reviewdesk&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Foauth%2Fcallback&state=123456789&scope=read_reviews",
            t.url(&format!("{OPENAPI}/get_oauth_authorize_url"))
        ))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_envelope(&v);
    let u = v["data"]["authorize_url"].as_str().unwrap();
    assert!(u.starts_with(&t.base) && u.contains("state=123456789"));
    t.sb.shutdown().await;
}

// ---------------------------------------------------------------- Reviews

#[tokio::test]
async fn reviews_crud_and_rating() {
    let t = start().await;
    // Older field table.
    let body = json!({
        "order_id": "5100000000001", "product_id": demo::product_ids()[0], "rating": 4, "author": "Jane Doe",
        "author_email": "jane@example.com", "author_country": "US", "title": "Warm", "content": "Very warm sweater",
        "commented_at": "2025-06-20 00:00:00", "item_type": "Red", "source": "Store front", "tag": "gift",
        "is_verified": 1, "is_featured": 0, "is_published": 1, "is_top": 0,
        "media": {"images": ["https://img.example/a.jpg"], "thumbnails": ["https://img.example/a_s.jpg"], "video": "", "video_thumbnail": ""},
        "reply": {"content": "Thanks!", "reply_at": "2025-06-21 00:00:00"}
    })
    .to_string();
    let (s, v) = t.hpost(&format!("{OPENAPI}/create_review"), &body).await;
    assert_eq!(s, 200, "{v}");
    assert_envelope(&v);
    let id = v["data"]["id"].as_str().unwrap().to_string();
    let (s, v) = t
        .hget(&format!("{OPENAPI}/get_review"), &[("id", &id)])
        .await;
    assert_eq!(s, 200);
    let r = &v["data"];
    assert_eq!(r["id"], id);
    assert_eq!(r["rating"], 4);
    assert_eq!(r["author"], "Jane Doe");
    assert_eq!(r["commented_at"], "2025-06-20 00:00:00");
    assert_eq!(r["product_id"], demo::product_ids()[0].to_string());
    assert_eq!(r["is_store_review"], 0);
    assert_eq!(
        r["media"][0]["thumbnail_url"],
        "https://img.example/a_s.jpg"
    );
    assert_eq!(r["media"][0]["type"], 1);
    assert_eq!(r["reply"]["content"], "Thanks!");
    // Newer form (ChatWILL example): product_id as string, media array.
    let body = json!({"product_id": demo::product_ids()[1].to_string(), "rating": 5, "author": "Chat User",
        "author_country": "US", "content": "Great", "source": "ChatWILL",
        "media": [{"url": "https://img.trustoo.io/x.jpg?x-oss-process=style/trustoo_big",
                   "thumbnail_url": "https://img.trustoo.io/x.jpg?x-oss-process=style/trustoo_small", "type": 1, "is_published": 1}]})
    .to_string();
    let (s, v) = t.hpost(&format!("{OPENAPI}/create_review"), &body).await;
    assert_eq!(s, 200, "{v}");
    let id2 = v["data"]["id"].as_str().unwrap().to_string();
    // It is the newest, so it leads the default (descending) list.
    let (_, v) = t
        .hget(&format!("{OPENAPI}/get_reviews"), &[("page_size", "1")])
        .await;
    assert_eq!(v["data"]["list"][0]["id"], id2);
    assert_eq!(v["data"]["list"][0]["source"], "ChatWILL");
    // Store review.
    let (s, v) = t
        .hpost(
            &format!("{OPENAPI}/create_review"),
            r#"{"product_id":0,"rating":1,"author":"S"}"#,
        )
        .await;
    assert_eq!(s, 200);
    let id3 = v["data"]["id"].as_str().unwrap().to_string();
    let (_, v) = t
        .hget(&format!("{OPENAPI}/get_review"), &[("id", &id3)])
        .await;
    assert_eq!(v["data"]["is_store_review"], 1);
    assert_eq!(v["data"]["product_id"], "0");
    assert_eq!(v["data"]["source"], "Shop");
    assert_eq!(v["data"]["is_published"], 1);
    // Bad input.
    for bad in [
        r#"{"author":"x"}"#,
        r#"{"rating":6,"author":"x"}"#,
        r#"{"rating":5}"#,
        r#"{"rating":5,"author":"x","source":"Myspace"}"#,
        r#"{"rating":5,"author":"x","commented_at":"yesterday"}"#,
        r#"{"rating":5,"author":"x","is_top":2}"#,
        "not json",
    ] {
        let (s, v) = t.hpost(&format!("{OPENAPI}/create_review"), bad).await;
        assert_error(s, &v, 400, 3);
    }
    let long = json!({"rating": 5, "author": "a".repeat(121)}).to_string();
    let (s, v) = t.hpost(&format!("{OPENAPI}/create_review"), &long).await;
    assert_error(s, &v, 400, 3);
    assert_eq!(v["message"], "author must be at most 120 characters");
    let many = json!({"rating": 5, "author": "a", "media": {"images": vec!["u"; 11]}}).to_string();
    let (s, v) = t.hpost(&format!("{OPENAPI}/create_review"), &many).await;
    assert_error(s, &v, 400, 3);
    let (s, v) = t
        .hpost(
            &format!("{OPENAPI}/create_review"),
            r#"{"rating":5,"author":"x","product_id":"123"}"#,
        )
        .await;
    assert_error(s, &v, 404, 5);
    // Unknown ids.
    let (s, v) = t
        .hget(&format!("{OPENAPI}/get_review"), &[("id", "1")])
        .await;
    assert_error(s, &v, 404, 5);
    let (s, v) = t.hget(&format!("{OPENAPI}/get_review"), &[]).await;
    assert_error(s, &v, 400, 3);
    // Rating before/after delete.
    let pid = demo::product_ids()[0].to_string();
    let (s, v) = t
        .hget(
            &format!("{OPENAPI}/get_rating"),
            &[
                ("product_id", &pid),
                ("is_store_rating", "1"),
                ("is_all_products_rating", "0"),
                ("is_all_rating", "0"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert_envelope(&v);
    let d = &v["data"];
    let count = d["review_count"].as_u64().unwrap();
    let stars: u64 = (1..=5)
        .map(|i| d[format!("star{i}_count")].as_u64().unwrap())
        .sum();
    assert_eq!(count, stars);
    assert!(d["rating_value"].as_str().unwrap().contains('.'));
    // Delete (id as number) and verify.
    let (s, v) = t
        .hpost(
            &format!("{OPENAPI}/delete_review"),
            &format!("{{\"id\":{id}}}"),
        )
        .await;
    assert_eq!(s, 200);
    assert_envelope(&v);
    assert!(v.get("data").is_none());
    let (_, v2) = t
        .hget(&format!("{OPENAPI}/get_rating"), &[("product_id", &pid)])
        .await;
    assert_eq!(v2["data"]["review_count"].as_u64().unwrap(), count - 1);
    let (s, v) = t
        .hget(&format!("{OPENAPI}/get_review"), &[("id", &id)])
        .await;
    assert_error(s, &v, 404, 5);
    let (s, v) = t
        .hpost(
            &format!("{OPENAPI}/delete_review"),
            &format!("{{\"id\":\"{id}\"}}"),
        )
        .await;
    assert_error(s, &v, 404, 5);
    let v: Value = t.control("/__sandbox/state/deleted_reviews").await;
    assert_eq!(v["list"][0]["id"], id);
    // Rating of the whole shop by handle and store.
    let (s, v) = t
        .hget(
            &format!("{OPENAPI}/get_rating"),
            &[("product_handle", "alpine-merino-crew-sweater")],
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["data"]["review_count"].as_u64().unwrap(), count - 1);
    let (_, all) = t.hget(&format!("{OPENAPI}/get_rating"), &[]).await;
    let (_, list) = t.hget(&format!("{OPENAPI}/get_reviews"), &[]).await;
    assert_eq!(all["data"]["review_count"], list["data"]["page"]["count"]);
    t.sb.shutdown().await;
}

#[tokio::test]
async fn hundred_thousand_reviews_filters_and_paging() {
    let t = start_with(SandboxConfig {
        reviews: 100_000,
        ..SandboxConfig::default()
    })
    .await;
    let p = format!("{OPENAPI}/get_reviews");
    let (_, v) = t.hget(&p, &[("page_size", "100")]).await;
    assert_eq!(v["data"]["page"]["count"], 100_000);
    assert_eq!(v["data"]["page"]["total_page"], 1000);
    assert_eq!(v["data"]["page"]["page_size"], 100);
    let list = v["data"]["list"].as_array().unwrap();
    assert_eq!(list.len(), 100);
    let times: Vec<&str> = list
        .iter()
        .map(|r| r["created_at"].as_str().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "descending by default"
    );
    // Ascending, page 2 follows page 1 without overlap.
    let (_, a1) = t
        .hget(&p, &[("sort_by", "created-ascending"), ("page_size", "50")])
        .await;
    let (_, a2) = t
        .hget(
            &p,
            &[
                ("sort_by", "created-ascending"),
                ("page_size", "50"),
                ("page", "2"),
            ],
        )
        .await;
    let last1 = a1["data"]["list"][49]["id"]
        .as_str()
        .unwrap()
        .parse::<u64>()
        .unwrap();
    let first2 = a2["data"]["list"][0]["id"]
        .as_str()
        .unwrap()
        .parse::<u64>()
        .unwrap();
    assert_eq!(first2, last1 + 1);
    // Ratings filter: counts match get_rating.
    let (_, rating) = t.hget(&format!("{OPENAPI}/get_rating"), &[]).await;
    let (_, ones) = t.hget(&p, &[("ratings", "1")]).await;
    assert_eq!(ones["data"]["page"]["count"], rating["data"]["star1_count"]);
    let five = rating["data"]["star5_count"].as_u64().unwrap() as f64 / 100_000.0;
    assert!((0.62..0.68).contains(&five), "{five}");
    let (_, both) = t
        .hget(&p, &[("ratings[0]", "1"), ("ratings[1]", "2")])
        .await;
    assert_eq!(
        both["data"]["page"]["count"].as_u64().unwrap(),
        rating["data"]["star1_count"].as_u64().unwrap()
            + rating["data"]["star2_count"].as_u64().unwrap()
    );
    // Store reviews + product filter.
    let (_, store) = t
        .hget(&p, &[("is_store_review", "1"), ("page_size", "100")])
        .await;
    assert!(store["data"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["is_store_review"] == 1));
    let pid = demo::product_ids()[3].to_string();
    let (_, prod) = t
        .hget(&p, &[("product_ids[0]", &pid), ("page_size", "100")])
        .await;
    assert!(prod["data"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["product_id"] == pid));
    let (_, pr) = t
        .hget(&format!("{OPENAPI}/get_rating"), &[("product_id", &pid)])
        .await;
    assert_eq!(prod["data"]["page"]["count"], pr["data"]["review_count"]);
    // Sources and keyword.
    let (_, src) = t
        .hget(
            &p,
            &[("sources", "Amazon,AliExpress"), ("page_size", "100")],
        )
        .await;
    assert!(src["data"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["source"] == "Amazon" || r["source"] == "AliExpress"));
    assert!(src["data"]["page"]["count"].as_u64().unwrap() > 0);
    let (_, kw) = t
        .hget(&p, &[("keyword", "ZIPPER"), ("page_size", "100")])
        .await;
    assert!(kw["data"]["page"]["count"].as_u64().unwrap() > 0);
    assert!(kw["data"]["list"].as_array().unwrap().iter().all(|r| {
        let all = format!("{} {} {}", r["author"], r["title"], r["content"]).to_lowercase();
        all.contains("zipper")
    }));
    // Past the end: empty list.
    let (_, end) = t.hget(&p, &[("page", "5000"), ("page_size", "100")]).await;
    assert_eq!(end["data"]["list"].as_array().unwrap().len(), 0);
    assert_eq!(end["data"]["page"]["count"], 100_000);
    // Bad paging.
    for bad in [
        ("page_size", "101"),
        ("page", "0"),
        ("sort_by", "rating"),
        ("ratings", "7"),
    ] {
        let (s, v) = t.hget(&p, &[bad]).await;
        assert_error(s, &v, 400, 3);
    }
    // Seeded media point at images the sandbox serves.
    let (_, m) = t.hget(&p, &[("page_size", "100")]).await;
    let url = m["data"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["media"].as_array().unwrap().iter())
        .find(|x| x["type"] == 1)
        .map(|x| x["url"].as_str().unwrap().to_string())
        .expect("some seeded review has an image");
    let r = t.c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(&r.bytes().await.unwrap()[1..4], b"PNG");
    t.sb.shutdown().await;
}

#[tokio::test]
async fn seeding_is_deterministic() {
    let a = start().await;
    let b = start().await;
    let (_, va) = a
        .hget(&format!("{OPENAPI}/get_reviews"), &[("page_size", "100")])
        .await;
    let (_, vb) = b
        .hget(&format!("{OPENAPI}/get_reviews"), &[("page_size", "100")])
        .await;
    let strip = |v: &Value| -> Vec<Value> {
        v["data"]["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                json!([
                    r["id"],
                    r["author"],
                    r["rating"],
                    r["content"],
                    r["created_at"]
                ])
            })
            .collect()
    };
    assert_eq!(strip(&va), strip(&vb));
    a.sb.shutdown().await;
    b.sb.shutdown().await;
}

// ---------------------------------------------------------------- Media

async fn upload(t: &T, creds: &Value, key: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("key", key.to_string())
        .text("policy", creds["policy"].as_str().unwrap().to_string())
        .text(
            "OSSAccessKeyId",
            creds["access_id"].as_str().unwrap().to_string(),
        )
        .text("success_action_status", "200")
        .text("callback", creds["callback"].as_str().unwrap().to_string())
        .text(
            "Signature",
            creds["signature"].as_str().unwrap().to_string(),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("photo.png"),
        );
    t.c.post(creds["host"].as_str().unwrap())
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn image_upload_policy_and_storage() {
    let dir = tempfile::tempdir().unwrap();
    let t = start_with(SandboxConfig {
        reviews: 20,
        storage_dir: Some(dir.path().to_path_buf()),
        image_max_bytes: 64 * 1024,
        ..SandboxConfig::default()
    })
    .await;
    let (s, v) = t
        .hget(&format!("{OPENAPI}/get_image_upload_policy_token"), &[])
        .await;
    assert_eq!(s, 200);
    assert_envelope(&v);
    let c = v["data"].clone();
    for k in [
        "access_id",
        "host",
        "expire",
        "signature",
        "policy",
        "dir",
        "callback",
    ] {
        assert!(c[k].is_string(), "{k} must be a string");
    }
    let policy: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(c["policy"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(policy["conditions"][0][0], "starts-with");
    assert!(policy["expiration"].is_string());
    let dirp = c["dir"].as_str().unwrap();
    let key = format!("{dirp}photo.png");
    let img = vec![7u8; 5000];
    let r = upload(&t, &c, &key, img.clone()).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["size"], 5000);
    let url = v["url"].as_str().unwrap().to_string();
    let got = t.c.get(&url).send().await.unwrap();
    assert_eq!(got.headers()["content-type"], "image/png");
    assert_eq!(got.bytes().await.unwrap().to_vec(), img);
    assert!(dir.path().join(&key).exists());
    // Oversize.
    let r = upload(&t, &c, &format!("{dirp}big.png"), vec![1u8; 64 * 1024 + 1]).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("EntityTooLarge"));
    assert!(!dir.path().join(format!("{dirp}big.png")).exists());
    // Wrong prefix.
    let r = upload(&t, &c, "elsewhere/x.png", vec![1u8; 10]).await;
    assert_eq!(r.status(), 403);
    // Bad signature.
    let mut bad = c.clone();
    bad["signature"] = json!("AAAA");
    let r = upload(&t, &bad, &key, vec![1u8; 10]).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("SignatureDoesNotMatch"));
    // Empty file (content-length-range starts at 1).
    let r = upload(&t, &c, &format!("{dirp}empty.png"), vec![]).await;
    assert_eq!(r.status(), 400);
    // File before key.
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(vec![1u8; 3]).file_name("a.png"),
        )
        .text("key", key.clone());
    let r =
        t.c.post(c["host"].as_str().unwrap())
            .multipart(form)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 400);
    // Expired policy.
    t.post_json("/__sandbox/time/advance", json!({"seconds": 901}))
        .await;
    let r = upload(&t, &c, &format!("{dirp}late.png"), vec![1u8; 10]).await;
    assert_eq!(r.status(), 403);
    let body = r.text().await.unwrap();
    assert!(body.contains("<Code>AccessDenied</Code>") && body.contains("Policy expired."));
    // Missing object.
    let r = t.c.get(t.url("/storage/nope/x.png")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    t.sb.shutdown().await;
}

#[tokio::test]
async fn video_presigned_put() {
    let t = start().await;
    let (s, v) = t
        .hget(
            &format!("{OPENAPI}/get_video_upload_url"),
            &[("file_name", "clip.mp4"), ("file_size", "3000")],
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let d = v["data"].clone();
    assert_eq!(d["content_type"], "video/mp4");
    assert!(d["expire"].is_string());
    let up = d["upload_url"].as_str().unwrap();
    // Wrong length.
    let r =
        t.c.put(up)
            .header("content-type", "video/mp4")
            .body(vec![0u8; 2999])
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 400);
    // Chunked (no Content-Length).
    let stream = futures::stream::iter(vec![Ok::<_, std::io::Error>(bytes::Bytes::from(vec![
        0u8;
        3000
    ]))]);
    let r =
        t.c.put(up)
            .header("content-type", "video/mp4")
            .body(reqwest::Body::wrap_stream(stream))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 411);
    // Tampered size.
    let r =
        t.c.put(up.replace("size=3000", "size=2"))
            .header("content-type", "video/mp4")
            .body(vec![0u8; 2])
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 403);
    // Right.
    let body: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    let r =
        t.c.put(up)
            .header("content-type", "video/mp4")
            .body(body.clone())
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 200);
    let got =
        t.c.get(d["video_url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
    assert_eq!(got.headers()["content-type"], "video/mp4");
    assert_eq!(got.bytes().await.unwrap().to_vec(), body);
    // Bad params.
    let (s, v) = t
        .hget(
            &format!("{OPENAPI}/get_video_upload_url"),
            &[("file_name", "clip.exe"), ("file_size", "3")],
        )
        .await;
    assert_error(s, &v, 400, 3);
    let (s, v) = t
        .hget(
            &format!("{OPENAPI}/get_video_upload_url"),
            &[("file_name", "clip.mp4")],
        )
        .await;
    assert_error(s, &v, 400, 3);
    // Expired URL.
    let (_, v) = t
        .hget(
            &format!("{OPENAPI}/get_video_upload_url"),
            &[("file_name", "b.mov"), ("file_size", "4")],
        )
        .await;
    t.post_json("/__sandbox/time/advance", json!({"seconds": 1000}))
        .await;
    let r =
        t.c.put(v["data"]["upload_url"].as_str().unwrap())
            .header("content-type", "video/quicktime")
            .body(vec![1u8; 4])
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 403);
    t.sb.shutdown().await;
}

// ---------------------------------------------------------------- Webhooks, customers, orders, events

#[tokio::test]
async fn webhooks_crud_and_isolation() {
    let t = start().await;
    let body = r#"{"topic":"review/created","url":"http://api.trustoo.io/webhook"}"#;
    let (s, v) = t
        .hpost(&format!("{OPENAPI}/create_shop_webhook"), body)
        .await;
    assert_eq!(s, 200, "{v}");
    assert_envelope(&v);
    let id = v["data"]["id"].as_str().unwrap().to_string();
    assert_eq!(v["data"]["topic"], "review/created");
    assert!(v["data"]["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["data"]["updated_at"].as_str().unwrap().len(), 19);
    let (s, v) = t
        .hpost(&format!("{OPENAPI}/create_shop_webhook"), body)
        .await;
    assert_error(s, &v, 409, 6);
    let (s, v) = t
        .hpost(
            &format!("{OPENAPI}/create_shop_webhook"),
            r#"{"topic":"review/exploded","url":"http://x.io"}"#,
        )
        .await;
    assert_error(s, &v, 400, 3);
    // Update via the oldest path and PUT.
    let ts = unix_now();
    let ub = format!(r#"{{"id":{id},"topic":"review/deleted","url":"https://example.com/hook"}}"#);
    let r =
        t.c.put(t.url("/api/v1/open_api/update_shop_webhook"))
            .header("Public-Token", demo::PUBLIC_TOKEN)
            .header("Timestamp", ts.to_string())
            .header(
                "Sign",
                hmac_hex(demo::PRIVATE_TOKEN, &format!("timestamp={ts}|{ub}")),
            )
            .body(ub.clone())
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 200);
    let (_, v) = t.hget("/api/v1/open_api/get_shop_webhooks", &[]).await;
    assert_eq!(v["data"][0]["topic"], "review/deleted");
    assert!(v["data"].is_array());
    // A platform sees only its own webhooks.
    let (tok, _) = t.token_for("read_reviews").await;
    let (s, v) = t
        .bpost(
            &tok,
            &format!("{OPENAPI}/create_shop_webhook"),
            json!({"topic": "review/created", "url": "https://a.io/h"}),
        )
        .await;
    assert_error(s, &v, 403, 8);
    let (tok, _) = t.token_for("write_reviews").await;
    let (s, _) = t
        .bpost(
            &tok,
            &format!("{OPENAPI}/create_shop_webhook"),
            json!({"topic": "review/created", "url": "https://a.io/h"}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, v) = t
        .bget(&tok, &format!("{OPENAPI}/get_shop_webhooks"), &[])
        .await;
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    let (_, v) = t.hget(&format!("{OPENAPI}/get_shop_webhooks"), &[]).await;
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    // Delete.
    let (s, v) = t
        .hpost(
            &format!("{OPENAPI}/delete_shop_webhook"),
            &format!(r#"{{"id":"{id}"}}"#),
        )
        .await;
    assert_eq!(s, 200);
    assert!(v.get("data").is_none());
    let (s, v) = t
        .hpost(
            &format!("{OPENAPI}/delete_shop_webhook"),
            &format!(r#"{{"id":"{id}"}}"#),
        )
        .await;
    assert_error(s, &v, 404, 5);
    t.sb.shutdown().await;
}

#[tokio::test]
async fn customers_exclusions_unsubscribe() {
    let t = start().await;
    let (s, v) = t
        .hpost(
            &format!("{OPENAPI}/create_customer_exclude"),
            r#"{"email":"example@gmail.com"}"#,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_envelope(&v);
    for k in [
        "customer_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "created_at",
        "updated_at",
    ] {
        assert!(v["data"][k].is_string(), "{k}");
    }
    let cid = v["data"]["customer_id"].as_str().unwrap().to_string();
    let (s, v) = t
        .hpost(
            &format!("{OPENAPI}/create_customer_exclude"),
            r#"{"email":"example@gmail.com"}"#,
        )
        .await;
    assert_error(s, &v, 409, 6);
    let (s, v) = t
        .hpost(&format!("{OPENAPI}/create_customer_exclude"), r#"{}"#)
        .await;
    assert_error(s, &v, 400, 3);
    let (_, v) = t
        .hget(
            &format!("{OPENAPI}/get_customer_excludes"),
            &[("page", "1"), ("page_size", "10")],
        )
        .await;
    assert_eq!(v["data"]["page"]["count"], 1);
    assert_eq!(v["data"]["list"][0]["customer_id"], cid);
    let (s, v) = t
        .hpost(
            &format!("{OPENAPI}/delete_customer_exclude"),
            &format!(r#"{{"customer_id":"{cid}","email":"example@gmail.com"}}"#),
        )
        .await;
    assert_error(s, &v, 400, 3);
    let (s, v) = t
        .hpost(&format!("{OPENAPI}/delete_customer_exclude"), "{}")
        .await;
    assert_error(s, &v, 400, 3);
    let (s, v) = t
        .hpost(
            &format!("{OPENAPI}/delete_customer_exclude"),
            &format!(r#"{{"customer_id":"{cid}"}}"#),
        )
        .await;
    assert_eq!(s, 200);
    assert!(v.get("data").is_none());
    let (s, v) = t
        .hpost(
            &format!("{OPENAPI}/delete_customer_exclude"),
            r#"{"email":"example@gmail.com"}"#,
        )
        .await;
    assert_error(s, &v, 404, 5);
    // Unsubscribe (SEEN body) on both paths.
    let (s, v) = t
        .hpost(
            &format!("{OPENAPI}/email_unsubscribe"),
            r#"{"email":"a@b.co","email_type":"review_request"}"#,
        )
        .await;
    assert_eq!(s, 200);
    assert_envelope(&v);
    let (s, _) = t
        .hpost(
            "/api/v1/open_api/email_unsubscribe",
            r#"{"email":"a@b.co","email_type":"all"}"#,
        )
        .await;
    assert_eq!(s, 200);
    let (s, v) = t
        .hpost(
            &format!("{OPENAPI}/email_unsubscribe"),
            r#"{"email":"a@b.co","email_type":"spam"}"#,
        )
        .await;
    assert_error(s, &v, 400, 3);
    let v: Value = t.control("/__sandbox/state/exclusions").await;
    assert_eq!(v["unsubscribes"].as_array().unwrap().len(), 2);
    // Scope.
    let (tok, _) = t.token_for("read_reviews").await;
    let (s, v) = t
        .bpost(
            &tok,
            &format!("{OPENAPI}/create_customer_exclude"),
            json!({"email": "x@y.z"}),
        )
        .await;
    assert_error(s, &v, 403, 8);
    t.sb.shutdown().await;
}

#[tokio::test]
async fn orders_and_events() {
    let t = start().await;
    let (s, v) = t
        .hget(
            &format!("{OPENAPI}/get_orders"),
            &[("type", "0"), ("page_size", "20"), ("page", "1")],
        )
        .await;
    assert_eq!(s, 200);
    assert_envelope(&v);
    let o = &v["data"]["list"][0];
    for k in [
        "id",
        "order_number",
        "customer_id",
        "customer_email",
        "customer_name",
        "products",
        "created_at",
        "sent_at",
        "request_status",
    ] {
        assert!(o.get(k).is_some(), "{k}");
    }
    assert_eq!(v["data"]["page"]["count"], 7_300);
    let (_, v) = t
        .hget(
            "/api/v1/open_api/orders",
            &[("type", "3"), ("page_size", "100")],
        )
        .await;
    assert!(v["data"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["request_status"] == 3));
    let (_, v) = t
        .hget(
            &format!("{OPENAPI}/get_orders"),
            &[
                ("start_time", "2026-06-01"),
                ("end_time", "2026-06-30 23:59:59"),
                ("sort_by", "created-ascending"),
            ],
        )
        .await;
    let n = v["data"]["page"]["count"].as_u64().unwrap();
    assert!(n > 0 && n < 7_300);
    assert!(v["data"]["list"][0]["created_at"]
        .as_str()
        .unwrap()
        .starts_with("2026-06"));
    let (s, v) = t
        .hget(&format!("{OPENAPI}/get_orders"), &[("type", "9")])
        .await;
    assert_error(s, &v, 400, 3);
    let (s, v) = t
        .hget(
            &format!("{OPENAPI}/get_customer_events"),
            &[
                ("event_type", "VIEW_REVIEW"),
                ("os_type", "IOS"),
                ("event_source", "STOREFRONT"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert!(v["data"]["page"]["count"].as_u64().unwrap() > 0);
    assert!(v["data"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["event_type"] == "VIEW_REVIEW" && e["os_type"] == "IOS"));
    let (s, _) = t.hget("/api/v1/open_api/customer_events", &[]).await;
    assert_eq!(s, 200);
    let (tok, _) = t.token_for("read_reviews").await;
    let (s, v) = t
        .bget(&tok, &format!("{OPENAPI}/get_customer_events"), &[])
        .await;
    assert_error(s, &v, 403, 8);
    t.sb.shutdown().await;
}

/// Every item of a paged listing (page_size 100).
async fn every(t: &T, path: &str, q: &[(&str, &str)]) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let p = page.to_string();
        let mut q: Vec<(&str, &str)> = q.to_vec();
        q.push(("page", &p));
        q.push(("page_size", "100"));
        let (s, v) = t.hget(path, &q).await;
        assert_eq!(s, 200, "{v}");
        let list = v["data"]["list"].as_array().unwrap().clone();
        if list.is_empty() {
            break;
        }
        out.extend(list);
    }
    out
}

#[tokio::test]
async fn request_statuses_follow_the_email_and_reviewed_orders_have_their_review() {
    let t = start().await;
    let orders = every(&t, &format!("{OPENAPI}/get_orders"), &[]).await;
    assert_eq!(orders.len(), 7_300);
    let mut by_status = [0usize; 7];
    for o in &orders {
        let st = o["request_status"].as_u64().unwrap() as usize;
        by_status[st] += 1;
        // Only a sent (or scheduled) request has a sending time.
        assert_eq!(o["sent_at"].is_null(), st == 1 || st == 6, "{o}");
        if let Some(sent) = o["sent_at"].as_str() {
            assert!(sent > o["created_at"].as_str().unwrap(), "{o}");
        }
        assert!(!o["products"].as_array().unwrap().is_empty(), "{o}");
    }
    assert_eq!(by_status[0], 0);
    for (st, n) in by_status.iter().enumerate().skip(1) {
        assert!(*n > 0, "status {st}: {by_status:?}");
    }
    // Sent and opened are the bulk; reviewed a minority; waiting/scheduled only recent.
    assert!(
        by_status[3] + by_status[4] > orders.len() * 8 / 10,
        "{by_status:?}"
    );
    assert!(by_status[5] < by_status[4], "{by_status:?}");
    let reviews = every(&t, &format!("{OPENAPI}/get_reviews"), &[]).await;
    let reviewed: Vec<&Value> = orders.iter().filter(|o| o["request_status"] == 5).collect();
    for o in &reviewed {
        let r = reviews
            .iter()
            .find(|r| r["order_id"] == o["id"])
            .unwrap_or_else(|| panic!("no review for {o}"));
        // Reviews show the buyer as "First L."
        let name = o["customer_name"].as_str().unwrap();
        let (first, last) = name.split_once(' ').unwrap();
        let shown = format!(
            "{first} {}.",
            &last[..last.chars().next().unwrap().len_utf8()]
        );
        assert_eq!(r["author"], shown.as_str());
        assert_eq!(r["author_email"], o["customer_email"]);
        assert_eq!(r["source"], "Email request");
        assert_eq!(r["is_verified"], 1);
        assert!(r["created_at"].as_str().unwrap() > o["sent_at"].as_str().unwrap());
    }
    // And no review names a seeded order that is not "reviewed".
    let ids: std::collections::HashSet<&str> =
        reviewed.iter().map(|o| o["id"].as_str().unwrap()).collect();
    let all: std::collections::HashSet<&str> =
        orders.iter().map(|o| o["id"].as_str().unwrap()).collect();
    for r in &reviews {
        let id = r["order_id"].as_str().unwrap();
        if all.contains(id) {
            assert!(ids.contains(id), "{r}");
        }
    }
    // The status filter (`type`) and the sending-time filter agree with the items.
    let (_, v) = t
        .hget(&format!("{OPENAPI}/get_orders"), &[("type", "5")])
        .await;
    assert_eq!(v["data"]["page"]["count"], reviewed.len());
    t.sb.shutdown().await;
}

#[tokio::test]
async fn a_mid_size_shop_has_a_year_of_widget_events() {
    let t = start_with(SandboxConfig {
        reviews: 200,
        second_shop_reviews: 10,
        events_per_day: 5_200,
        ..SandboxConfig::default()
    })
    .await;
    let path = format!("{OPENAPI}/get_customer_events");
    let (_, v) = t.hget(&path, &[("page_size", "100")]).await;
    let n = v["data"]["page"]["count"].as_u64().unwrap();
    assert!((1_800_000..2_300_000).contains(&n), "{n}");
    let newest = v["data"]["list"][0]["created_at"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(newest.starts_with("2026-10-31"), "{newest}");
    let (_, v) = t.hget(&path, &[("sort_by", "created-ascending")]).await;
    let oldest = v["data"]["list"][0]["created_at"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(oldest.starts_with("2025-1"), "{oldest}");
    let (_, v) = t.hget(&path, &[("event_type", "SUBMIT_REVIEW")]).await;
    let submits = v["data"]["page"]["count"].as_u64().unwrap();
    assert!(submits > 0 && submits < n / 100, "{submits}");
    t.sb.shutdown().await;
}

// ---------------------------------------------------------------- Faults

async fn arm(t: &T, f: Value) {
    let (s, v) = t.post_json("/__sandbox/faults", f).await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test]
async fn faults_status_rate_limit_slow_malformed() {
    let t = start().await;
    let p = format!("{OPENAPI}/get_reviews");
    arm(
        &t,
        json!({"kind": "status", "status": 503, "count": 2, "path_prefix": p}),
    )
    .await;
    for _ in 0..2 {
        let (s, v) = t.hget(&p, &[]).await;
        assert_error(s, &v, 503, 13);
    }
    let (s, _) = t.hget(&p, &[]).await;
    assert_eq!(s, 200);
    // Other paths are untouched by a prefix.
    arm(
        &t,
        json!({"kind": "status", "status": 500, "count": 1, "path_prefix": p}),
    )
    .await;
    let (s, _) = t.hget(&format!("{OPENAPI}/get_rating"), &[]).await;
    assert_eq!(s, 200);
    t.c.delete(t.url("/__sandbox/faults")).send().await.unwrap();
    let (s, _) = t.hget(&p, &[]).await;
    assert_eq!(s, 200);
    arm(
        &t,
        json!({"kind": "rate_limit", "retry_after": 7, "count": 1}),
    )
    .await;
    let r = t.c.get(t.url(&p)).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "7");
    assert_eq!(r.json::<Value>().await.unwrap()["code"], 8);
    arm(&t, json!({"kind": "slow", "delay_ms": 300, "count": 1})).await;
    let started = std::time::Instant::now();
    let (s, _) = t.hget(&p, &[]).await;
    assert_eq!(s, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    arm(&t, json!({"kind": "malformed", "count": 1})).await;
    let r = t.c.get(t.url(&p)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(serde_json::from_str::<Value>(&r.text().await.unwrap()).is_err());
    // One-request header forms.
    let r =
        t.c.get(t.url(&p))
            .header("X-Sandbox-Fault", "status=500")
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 500);
    let r =
        t.c.get(t.url(&p))
            .header("X-Sandbox-Fault", "status=429;retry_after=2")
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "2");
    let r =
        t.c.get(t.url(&p))
            .header("X-Sandbox-Fault", "malformed")
            .send()
            .await
            .unwrap();
    assert!(serde_json::from_str::<Value>(&r.text().await.unwrap()).is_err());
    let started = std::time::Instant::now();
    let r =
        t.c.get(t.url(&p))
            .header("X-Sandbox-Fault", "slow=200")
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 401);
    assert!(started.elapsed() >= Duration::from_millis(200));
    // Stats counted every request to the path.
    let v: Value = t.control("/__sandbox/stats").await;
    assert!(v["per_path"][&p].as_u64().unwrap() >= 10);
    t.sb.shutdown().await;
}

/// A fault can aim at one page of a listing (`query`), and the request log shows which pages
/// were asked for, in order.
#[tokio::test]
async fn a_fault_can_aim_at_one_page_and_requests_are_logged() {
    let t = start().await;
    let p = format!("{OPENAPI}/get_reviews");
    arm(
        &t,
        json!({"kind": "malformed", "count": 2, "path_prefix": p, "query": {"page": 3}}),
    )
    .await;
    let listed: Value = t.control("/__sandbox/faults").await;
    assert_eq!(listed["faults"][0]["query"]["page"], "3");
    // Pages 1, 2 and 4 are untouched; page 3 is malformed twice (count 2), then served.
    let expect = [
        ("1", true),
        ("2", true),
        ("3", false),
        ("4", true),
        ("3", false),
        ("3", true),
    ];
    for (page, decodes) in expect {
        let r =
            t.c.get(t.url(&format!("{p}?page={page}&page_size=10")))
                .send()
                .await
                .unwrap();
        let text = r.text().await.unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&text).is_ok(),
            decodes,
            "page {page}: {text}"
        );
    }
    let log: Value = t.control("/__sandbox/requests").await;
    let pages: Vec<&str> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == p.as_str())
        .map(|r| r["query"]["page"].as_str().unwrap())
        .collect();
    assert_eq!(pages, ["1", "2", "3", "4", "3", "3"]);
    assert_eq!(log["requests"][0]["method"], "GET");
    // The in-process view holds the same log; resetting the stats clears it.
    assert_eq!(
        lock(&t.sb.state().stats).requests[2].param("page"),
        Some("3")
    );
    t.c.delete(t.url("/__sandbox/stats")).send().await.unwrap();
    assert!(lock(&t.sb.state().stats).requests.is_empty());
    let (s, v) = t
        .post_json(
            "/__sandbox/faults",
            json!({"kind": "malformed", "query": [1]}),
        )
        .await;
    assert_error(s, &v, 400, 3);
    t.sb.shutdown().await;
}

#[tokio::test]
async fn faults_cut_offline_expire() {
    let t = start().await;
    let p = format!("{OPENAPI}/get_reviews");
    // Cut: headers arrive, the body breaks.
    arm(&t, json!({"kind": "cut", "count": 1})).await;
    let r = t.c.get(t.url(&p)).send().await.expect("headers arrive");
    assert!(r.bytes().await.is_err(), "body must fail mid-way");
    let ts = unix_now();
    let sign = hmac_hex(demo::PRIVATE_TOKEN, &get_string_to_sign(&[], ts));
    let r =
        t.c.get(t.url(&p))
            .header("Public-Token", demo::PUBLIC_TOKEN)
            .header("Timestamp", ts.to_string())
            .header("Sign", sign)
            .header("X-Sandbox-Fault", "cut")
            .send()
            .await
            .expect("headers arrive");
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.is_err());
    // Offline: every /api request fails until cleared; controls still work.
    arm(&t, json!({"kind": "offline"})).await;
    for _ in 0..2 {
        let res = async { t.c.get(t.url(&p)).send().await?.bytes().await }.await;
        assert!(res.is_err());
    }
    let v: Value = t.control("/__sandbox/faults").await;
    assert_eq!(v["offline"], true);
    t.c.delete(t.url("/__sandbox/faults")).send().await.unwrap();
    let (s, _) = t.hget(&p, &[]).await;
    assert_eq!(s, 200);
    // expire_tokens: all current access tokens expire, refresh still works.
    let (tok, refresh) = t.token_for("read_reviews").await;
    let (s, _) = t.bget(&tok, &p, &[]).await;
    assert_eq!(s, 200);
    let r =
        t.c.get(t.url(&p))
            .bearer_auth(&tok)
            .header("X-Sandbox-Fault", "expire")
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
    arm(&t, json!({"kind": "expire_tokens"})).await;
    let (s, v) = t.bget(&tok, &p, &[]).await;
    assert_error(s, &v, 401, 16);
    assert_eq!(v["message"], "access token expired");
    assert_eq!(t.token_status(&tok).await, "expired");
    let (s, v) = t
        .post_json(
            &format!("{OPENAPI}/oauth/token"),
            json!({"grant_type": "refresh_token", "client_id": demo::CLIENT_ID,
                   "client_secret": demo::CLIENT_SECRET, "refresh_token": refresh}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let fresh = v["data"]["access_token"].as_str().unwrap().to_owned();
    let (s, _) = t.bget(&fresh, &p, &[]).await;
    assert_eq!(s, 200);
    // expire_tokens armed with `after`: that many requests pass, the next meets an expired
    // token (for a token that runs out in the middle of a sync).
    arm(&t, json!({"kind": "expire_tokens", "after": 2})).await;
    for _ in 0..2 {
        let (s, _) = t.bget(&fresh, &p, &[]).await;
        assert_eq!(s, 200);
    }
    let (s, v) = t.bget(&fresh, &p, &[]).await;
    assert_error(s, &v, 401, 16);
    assert_eq!(v["message"], "access token expired");
    let v: Value = t.control("/__sandbox/faults").await;
    assert_eq!(v["faults"], json!([]), "the trigger is spent");
    t.sb.shutdown().await;
}

#[tokio::test]
async fn controls_and_unknown_routes() {
    let t = start().await;
    let v: Value = t.control("/__sandbox/demo").await;
    assert_eq!(v["shop"]["name"], demo::SHOP_NAME);
    assert_eq!(v["shop"]["public_token"], demo::PUBLIC_TOKEN);
    assert_eq!(v["client_id"], demo::CLIENT_ID);
    assert_eq!(v["shops"].as_array().unwrap().len(), 2);
    assert_eq!(v["shop"]["counts"]["products"], 40);
    let r = t.c.get(t.url("/api/v1/openapi/nope")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], 5);
    let (s, v) = t
        .post_json("/__sandbox/faults", json!({"kind": "explode"}))
        .await;
    assert_error(s, &v, 400, 3);
    let (s, _) = t
        .post_json("/__sandbox/time/advance", json!({"seconds": -5}))
        .await;
    assert_eq!(s, 400);
    t.sb.shutdown().await;
}

// ---------------------------------------------------------------- Documented examples, verbatim

#[tokio::test]
async fn documented_examples_verbatim() {
    let t = start().await;
    // Seed 000: the token example (its code was never issued here) → invalid_grant envelope.
    let (s, v) = t
        .post_json(
            &format!("{OPENAPI}/oauth/token"),
            json!({"grant_type": "authorization_code", "client_id": "trustwill",
                "client_secret": "oauth_test_secret_2026", "code": "6y/ly4b0PVJLCv6fafC2Xg==",
                "redirect_uri": "http://localhost:3000/oauth/callback"}),
        )
        .await;
    assert_error(s, &v, 400, 3);
    // The same request with a code the sandbox issued for that client gets the documented shape.
    let r =
        t.c.post(t.url(&format!("{OPENAPI}/oauth/authorize")))
            .form(&[
                ("client_id", "trustwill"),
                ("redirect_uri", "http://localhost:3000/oauth/callback"),
                ("state", "123456789"),
                ("scope", "read_reviews"),
                ("decision", "allow"),
            ])
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 302);
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let code = loc
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let (s, v) = t
        .post_json(
            &format!("{OPENAPI}/oauth/token"),
            json!({"grant_type": "authorization_code", "client_id": "trustwill",
                "client_secret": "oauth_test_secret_2026", "code": code,
                "redirect_uri": "http://localhost:3000/oauth/callback"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_envelope(&v);
    let d = &v["data"];
    assert!(d["access_token"].is_string() && d["refresh_token"].is_string());
    assert_eq!(d["token_type"], "Bearer");
    assert_eq!(d["expires_in"], 3600);
    assert_eq!(d["scope"], "read_reviews");
    let access = d["access_token"].as_str().unwrap().to_string();
    // Seed 001: auth info example (its shop is unknown here → not found; with ours → documented shape).
    let base = t.url(&format!("{OPENAPI}/get_shop_authorization_info"));
    let r = t
        .c
        .get(format!("{base}?client_id=instafeed&client_secret=oauth_test_secret_2026&shop_id=59730165893&myshopify_domain=undefined&can_upload_video=undefined"))
        .send()
        .await
        .unwrap();
    let (s, v) = (r.status(), r.json::<Value>().await.unwrap());
    assert_error(s, &v, 404, 5);
    let r = t
        .c
        .get(format!("{base}?client_id=trustwill&client_secret=oauth_test_secret_2026&shop_id={}&myshopify_domain=undefined&can_upload_video=undefined", demo::SHOP_ID))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_envelope(&v);
    assert_eq!(v["data"]["is_authorized"], true);
    assert_eq!(v["data"]["granted_scopes"], "read_reviews");
    // Seed 002: revoke example verbatim → {} (unknown token is not an error, RFC 7009).
    let r = t
        .c
        .post(t.url(&format!("{OPENAPI}/oauth_revoke_token")))
        .header("authorization", "<api-key>")
        .json(&json!({"client_id": "instafeed", "client_secret": "oauth_test_secret_2026", "token": "TWzg8XQGVsYDHAIiaXYygg=="}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({}));
    // Seed 003: disconnect with the placeholder token → 401/16; with a real one → envelope without data.
    let (s, v) = t
        .bpost("<token>", &format!("{OPENAPI}/oauth/disconnect"), json!({}))
        .await;
    assert_error(s, &v, 401, 16);
    let r =
        t.c.post(t.url(&format!("{OPENAPI}/oauth/disconnect")))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_envelope(&v);
    assert!(v.get("data").is_none());
    // O-authurl example query verbatim.
    let r = t
        .c
        .get(format!("{}?client_id=trustwill&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Foauth%2Fcallback&state=123456789&scope=read_reviews", t.url(&format!("{OPENAPI}/get_oauth_authorize_url"))))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_envelope(&v);
    assert!(v["data"]["authorize_url"]
        .as_str()
        .unwrap()
        .contains("client_id=trustwill"));
    // O-install example query (with our shop id).
    let r = t
        .c
        .get(format!("{}?client_id=trustwill&client_secret=oauth_test_secret_2026&shop_id={}&myshopify_domain={}", t.url(&format!("{OPENAPI}/get_shop_install_status")), demo::SHOP_ID, demo::SHOP_DOMAIN))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_envelope(&v);
    assert_eq!(v["data"]["is_installed"], 1);
    // N-rating curl example (product 123455 does not exist here → 404/5).
    let (s, v) = t
        .hget(
            &format!("{OPENAPI}/get_rating"),
            &[
                ("product_id", "123455"),
                ("is_store_rating", "1"),
                ("is_all_products_rating", "0"),
                ("is_all_rating", "0"),
            ],
        )
        .await;
    assert_error(s, &v, 404, 5);
    let (s, v) = t
        .hget(
            &format!("{OPENAPI}/get_rating"),
            &[
                ("is_store_rating", "1"),
                ("is_all_products_rating", "0"),
                ("is_all_rating", "0"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    for k in [
        "review_count",
        "star1_count",
        "star2_count",
        "star3_count",
        "star4_count",
        "star5_count",
    ] {
        assert!(v["data"][k].is_u64(), "{k}");
    }
    assert!(v["data"]["rating_value"].is_string());
    t.sb.shutdown().await;
}

#[tokio::test]
async fn unfiltered_pages_are_the_same_as_a_filter_that_keeps_everything() {
    let t = start().await;
    let p = format!("{OPENAPI}/get_reviews");
    let all_ratings = [
        ("ratings[0]", "1"),
        ("ratings[1]", "2"),
        ("ratings[2]", "3"),
        ("ratings[3]", "4"),
        ("ratings[4]", "5"),
    ];
    for sort in ["created-descending", "created-ascending"] {
        // 300 reviews in pages of 70: the last page is short, the one after it empty.
        for page in ["1", "2", "5", "6"] {
            let base = [("sort_by", sort), ("page", page), ("page_size", "70")];
            let (s, plain) = t.hget(&p, &base).await;
            assert_eq!(s, 200, "{plain}");
            let filtered: Vec<(&str, &str)> = base.iter().chain(&all_ratings).copied().collect();
            let (s, walked) = t.hget(&p, &filtered).await;
            assert_eq!(s, 200, "{walked}");
            assert_eq!(plain["data"], walked["data"], "{sort} page {page}");
        }
    }
    let (_, first) = t.hget(&p, &[("page_size", "70")]).await;
    assert_eq!(first["data"]["page"]["count"], 300);
    assert_eq!(first["data"]["page"]["total_page"], 5);
    assert_eq!(first["data"]["list"].as_array().map(Vec::len), Some(70));
    t.sb.shutdown().await;
}
