//! The whole sign-in flow without a window, against the sandbox in-process: start login →
//! consent page (allow/deny, like a merchant's click) → deep link → exchange → data call →
//! expiry → single refresh → sign-out. Tokens live in the in-memory mock store.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use reviewdesk_auth::{
    AuthConfig, AuthError, CallbackRejection, LoginOutcome, MemoryStore, SecretKind,
    SessionManager, SignOutStep, StepResult, StoreKey, TokenStore,
};
use reviewdesk_core::{AuthMode, Environment};
use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use reviewdesk_trustoo::{RatingQuery, Secret, Url};
use serde_json::{json, Value};

struct Rig {
    sandbox: Sandbox,
    mgr: SessionManager,
    store: Arc<MemoryStore>,
    http: reqwest::Client,
    dir: PathBuf,
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn rig() -> Rig {
    let sandbox = Sandbox::start(
        SandboxConfig {
            reviews: 40,
            second_shop_reviews: 10,
            ..SandboxConfig::default()
        },
        0,
    )
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!("rd-auth-flow-{}", uuid_like()));
    let cfg = config(&sandbox, &dir);
    assert_eq!(cfg.redirect_uri, demo::REDIRECT_URI);
    let store = Arc::new(MemoryStore::new());
    let mgr = SessionManager::new(cfg, store.clone()).await.unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Rig {
        sandbox,
        mgr,
        store,
        http,
        dir,
    }
}

/// The app's auth configuration for the sandbox, with its data under `dir`.
fn config(sandbox: &Sandbox, dir: &std::path::Path) -> AuthConfig {
    AuthConfig::new(
        Url::parse(&sandbox.base_url()).unwrap(),
        Environment::Sandbox,
        demo::CLIENT_ID,
        Secret::new(demo::CLIENT_SECRET),
        dir.join("shops.json"),
    )
}

fn uuid_like() -> String {
    format!(
        "{}-{:?}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Reads `name="…" value="…"` of every hidden input and the selected shop of the consent page.
fn consent_form(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for chunk in html.split("<input type=\"hidden\" ").skip(1) {
        let name = chunk
            .split("name=\"")
            .nth(1)
            .and_then(|s| s.split('"').next());
        let value = chunk
            .split("value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next());
        if let (Some(n), Some(v)) = (name, value) {
            out.push((n.to_owned(), unescape(v)));
        }
    }
    let selected = html
        .split("<option value=\"")
        .skip(1)
        .find(|c| {
            c.split('>')
                .next()
                .is_some_and(|head| head.contains("selected"))
        })
        .and_then(|c| c.split('"').next())
        .map(str::to_owned);
    out.push((
        "shop_id".into(),
        selected.unwrap_or_else(|| demo::SHOP_ID.to_string()),
    ));
    out
}

/// Opens the authorize URL like a browser and clicks Allow or Deny; returns the `Location`.
async fn consent(r: &Rig, authorize_url: &Url, decision: &str) -> String {
    let page = r.http.get(authorize_url.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Authorize"), "{html}");
    let mut form = consent_form(&html);
    form.push(("decision".into(), decision.into()));
    let resp = r
        .http
        .post(format!(
            "{}/api/v1/openapi/oauth/authorize",
            r.sandbox.base_url()
        ))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let loc = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(loc.starts_with("reviewdesk://oauth/callback?"), "{loc}");
    loc
}

fn stored(r: &Rig, domain: &str) -> Option<Value> {
    r.store
        .get(&StoreKey::new(domain, SecretKind::OAuth))
        .unwrap()
        .map(|s| serde_json::from_str(s.expose()).unwrap())
}

async fn token_status(r: &Rig, token: &str) -> String {
    let v: Value = r
        .http
        .post(format!(
            "{}/__sandbox/state/token_status",
            r.sandbox.base_url()
        ))
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["status"].as_str().unwrap().to_owned()
}

async fn sandbox_stats(r: &Rig) -> Value {
    r.http
        .get(format!("{}/__sandbox/stats", r.sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn sign_in(r: &Rig) -> String {
    let start = r.mgr.start_login(demo::SHOP_DOMAIN).await.unwrap();
    let loc = consent(r, &start.authorize_url, "allow").await;
    match r.mgr.complete_login(&loc).await.unwrap() {
        LoginOutcome::SignedIn(s) => {
            assert_eq!(s.domain, demo::SHOP_DOMAIN);
            assert_eq!(s.shop_id.as_str(), demo::SHOP_ID.to_string());
            assert_eq!(s.auth_mode, AuthMode::Oauth);
            assert!(
                s.scopes.iter().any(|x| x == "read_reviews"),
                "{:?}",
                s.scopes
            );
        }
        other => panic!("{other:?}"),
    }
    loc
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_use_expire_refresh_once_sign_out() {
    let r = rig().await;
    sign_in(&r).await;
    let first = stored(&r, demo::SHOP_DOMAIN).unwrap();
    let access1 = first["access_token"].as_str().unwrap().to_owned();
    let refresh1 = first["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(token_status(&r, &access1).await, "active");

    // A data call with the Bearer token.
    let rating = r
        .mgr
        .client(demo::SHOP_DOMAIN)
        .await
        .unwrap()
        .get_rating(RatingQuery::all())
        .await
        .unwrap();
    assert!(rating.count > 0);

    // The server's clock moves past the token's life; ours does not (so the 401 path runs).
    r.http
        .delete(format!("{}/__sandbox/stats", r.sandbox.base_url()))
        .send()
        .await
        .unwrap();
    r.http
        .post(format!("{}/__sandbox/time/advance", r.sandbox.base_url()))
        .json(&json!({ "seconds": 3601 }))
        .send()
        .await
        .unwrap();
    assert_eq!(token_status(&r, &access1).await, "expired");

    // 20 concurrent calls all hit the 401: exactly one refresh.
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let mgr = r.mgr.clone();
        set.spawn(async move {
            mgr.client(demo::SHOP_DOMAIN)
                .await
                .unwrap()
                .get_rating(RatingQuery::all())
                .await
        });
    }
    while let Some(res) = set.join_next().await {
        res.unwrap().unwrap();
    }
    assert_eq!(sandbox_stats(&r).await["token_refreshes"], 1);

    // The rotated refresh token was written to the store; the old one is dead.
    let second = stored(&r, demo::SHOP_DOMAIN).unwrap();
    let access2 = second["access_token"].as_str().unwrap().to_owned();
    let refresh2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(refresh2, refresh1);
    assert_eq!(token_status(&r, &refresh1).await, "revoked");
    assert_eq!(token_status(&r, &access2).await, "active");

    // Sign out: every step succeeds, tokens revoked, keyring and list empty. Sign-out only
    // revokes: ending ReviewDesk's authorization on Trustoo is the disconnect's.
    let report = r.mgr.sign_out(demo::SHOP_DOMAIN).await;
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.step(SignOutStep::Disconnect), None);
    assert_eq!(
        report.step(SignOutStep::RevokeAccessToken),
        Some(&StepResult::Done)
    );
    assert_eq!(token_status(&r, &access2).await, "revoked");
    assert_eq!(token_status(&r, &refresh2).await, "revoked");
    assert!(r.store.is_empty());
    assert!(r.mgr.shops().await.is_empty());
    assert!(matches!(
        r.mgr.client(demo::SHOP_DOMAIN).await,
        Err(AuthError::NotSignedIn)
    ));
}

#[tokio::test]
async fn a_callback_after_a_restart_still_completes_the_sign_in() {
    let r = rig().await;
    let start = r.mgr.start_login(demo::SHOP_DOMAIN).await.unwrap();
    let pending = StoreKey::new("sign-in", SecretKind::PendingLogin);
    assert!(
        r.store.get(&pending).unwrap().is_some(),
        "attempt kept in the keyring"
    );
    let loc = consent(&r, &start.authorize_url, "allow").await;
    // The merchant closed the app; the OS starts a new run (same keyring, same data) with the link.
    let next_run = SessionManager::new(config(&r.sandbox, &r.dir), r.store.clone())
        .await
        .unwrap();
    let out = next_run.complete_login(&loc).await.unwrap();
    assert!(
        matches!(out, LoginOutcome::SignedIn(ref s) if s.domain == demo::SHOP_DOMAIN),
        "{out:?}"
    );
    assert!(
        r.store.get(&pending).unwrap().is_none(),
        "spent attempt removed"
    );
    // The same link again is refused (single use), in this run and in yet another one.
    assert!(next_run.complete_login(&loc).await.is_err());
    let third_run = SessionManager::new(config(&r.sandbox, &r.dir), r.store.clone())
        .await
        .unwrap();
    assert!(matches!(
        third_run.complete_login(&loc).await,
        Err(AuthError::Callback(CallbackRejection::NoLoginInProgress))
    ));
}

#[tokio::test]
async fn cancel_forgets_the_kept_attempt() {
    let r = rig().await;
    r.mgr.start_login(demo::SHOP_DOMAIN).await.unwrap();
    assert!(r.mgr.cancel_login().await);
    assert!(r.store.is_empty());
}

#[tokio::test]
async fn deny_is_declined() {
    let r = rig().await;
    let start = r.mgr.start_login(demo::SHOP_DOMAIN).await.unwrap();
    let loc = consent(&r, &start.authorize_url, "deny").await;
    assert!(loc.contains("error=access_denied"), "{loc}");
    let out = r.mgr.complete_login(&loc).await.unwrap();
    assert_eq!(out, LoginOutcome::Declined);
    assert_eq!(out.to_string(), "You declined access");
    assert!(r.store.is_empty());
}

#[tokio::test]
async fn forged_state_is_rejected_and_the_real_link_still_works() {
    let r = rig().await;
    let start = r.mgr.start_login(demo::SHOP_DOMAIN).await.unwrap();
    let loc = consent(&r, &start.authorize_url, "allow").await;
    let url = Url::parse(&loc).unwrap();
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let forged: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", &code)
        .append_pair("state", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .finish();
    let e = r
        .mgr
        .complete_login(&format!("reviewdesk://oauth/callback?{forged}"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, AuthError::Callback(CallbackRejection::StateMismatch)),
        "{e:?}"
    );
    assert!(!e.to_string().contains(&code));
    assert!(matches!(
        r.mgr.complete_login(&loc).await.unwrap(),
        LoginOutcome::SignedIn(_)
    ));
    // The same link a second time: our state check refuses it.
    let e = r.mgr.complete_login(&loc).await.unwrap_err();
    assert!(matches!(
        e,
        AuthError::Callback(CallbackRejection::StateReused)
    ));
}

#[tokio::test]
async fn replayed_code_is_refused_by_the_sandbox() {
    let r = rig().await;
    let loc = sign_in(&r).await;
    let code = Url::parse(&loc)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    // A fresh attempt, so our state check passes; only the server can refuse the old code.
    let start = r.mgr.start_login(demo::SHOP_DOMAIN).await.unwrap();
    let state = start
        .authorize_url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", &code)
        .append_pair("state", &state)
        .finish();
    let e = r
        .mgr
        .complete_login(&format!("reviewdesk://oauth/callback?{q}"))
        .await
        .unwrap_err();
    assert!(matches!(e, AuthError::Exchange(_)), "{e:?}");
    assert!(!format!("{e} {e:?}").contains(&code));
    // The first session is untouched.
    r.mgr.client(demo::SHOP_DOMAIN).await.unwrap();
}

#[tokio::test]
async fn hmac_connect_and_several_shops() {
    let r = rig().await;
    sign_in(&r).await;
    let wrong = r
        .mgr
        .connect_hmac(
            demo::SECOND_SHOP_DOMAIN,
            None,
            Secret::new(demo::SECOND_PUBLIC_TOKEN),
            Secret::new("not-the-private-token"),
        )
        .await
        .unwrap_err();
    assert!(matches!(wrong, AuthError::CredentialsRejected), "{wrong:?}");
    let s = r
        .mgr
        .connect_hmac(
            demo::SECOND_SHOP_DOMAIN,
            Some(demo::SECOND_SHOP_NAME.into()),
            Secret::new(demo::SECOND_PUBLIC_TOKEN),
            Secret::new(demo::SECOND_PRIVATE_TOKEN),
        )
        .await
        .unwrap();
    assert_eq!(s.auth_mode, AuthMode::Hmac);
    assert_eq!(s.shop_name, demo::SECOND_SHOP_NAME);
    assert!(r
        .store
        .get(&StoreKey::new(demo::SECOND_SHOP_DOMAIN, SecretKind::Hmac))
        .unwrap()
        .is_some());
    r.mgr
        .client(demo::SECOND_SHOP_DOMAIN)
        .await
        .unwrap()
        .get_rating(RatingQuery::all())
        .await
        .unwrap();

    let shops = r.mgr.shops().await;
    let by: HashMap<_, _> = shops
        .iter()
        .map(|s| (s.session.domain.clone(), s))
        .collect();
    assert_eq!(by.len(), 2);
    assert!(by[demo::SECOND_SHOP_DOMAIN].active);
    assert!(by[demo::SHOP_DOMAIN].signed_in && !by[demo::SHOP_DOMAIN].active);
    let a = r.mgr.set_active(demo::SHOP_DOMAIN).await.unwrap();
    assert_eq!(a.domain, demo::SHOP_DOMAIN);
    assert_eq!(r.mgr.active_shop().await.unwrap().domain, demo::SHOP_DOMAIN);

    // Signing out of the HMAC shop leaves the OAuth shop alone.
    let report = r.mgr.sign_out(demo::SECOND_SHOP_DOMAIN).await;
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(
        report.step(SignOutStep::RevokeAccessToken),
        Some(&StepResult::Skipped)
    );
    assert!(r
        .store
        .get(&StoreKey::new(demo::SECOND_SHOP_DOMAIN, SecretKind::Hmac))
        .unwrap()
        .is_none());
    assert!(stored(&r, demo::SHOP_DOMAIN).is_some());
    r.mgr.client(demo::SHOP_DOMAIN).await.unwrap();
}

#[tokio::test]
async fn refused_refresh_signs_the_shop_out_as_session_expired() {
    let r = rig().await;
    sign_in(&r).await;
    let refresh = stored(&r, demo::SHOP_DOMAIN).unwrap()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Revoked elsewhere (e.g. the merchant removed the app in Trustoo), then the token expires.
    let revoked = r
        .http
        .post(format!(
            "{}/api/v1/openapi/oauth_revoke_token",
            r.sandbox.base_url()
        ))
        .json(&json!({ "client_id": demo::CLIENT_ID, "client_secret": demo::CLIENT_SECRET, "token": refresh }))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let e = r
        .mgr
        .client(demo::SHOP_DOMAIN)
        .await
        .unwrap()
        .get_rating(RatingQuery::all())
        .await
        .unwrap_err();
    // The client's own refresh was refused: the 401 stands, and the session has ended.
    assert!(
        matches!(e, reviewdesk_trustoo::Error::Unauthorized { .. }),
        "{e:?}"
    );
    assert!(matches!(
        r.mgr.client(demo::SHOP_DOMAIN).await,
        Err(AuthError::SessionExpired)
    ));
    assert!(stored(&r, demo::SHOP_DOMAIN).is_none());
    let shops = r.mgr.shops().await;
    assert_eq!(
        shops.len(),
        1,
        "kept in the list so the UI can offer a new sign-in"
    );
    assert!(!shops[0].signed_in);
}
