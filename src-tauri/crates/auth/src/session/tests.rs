//! The session manager with a fake token endpoint, a manual clock and the memory store.

#![allow(clippy::unwrap_used)]
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use reviewdesk_trustoo::{Error as TErr, ShopAuthorizationInfo};

use super::*;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reviewdesk_core::{Environment, ShopSession};
use reviewdesk_trustoo::{Auth, AuthorizeRequest, Secret, TokenSet, Url};

use crate::backend::BoxFuture;
use crate::backend::OAuthBackend;
use crate::callback::CallbackRejection;
use crate::clock::ManualClock;
use crate::error::AuthError;
use crate::login::LOGIN_TTL;
use crate::store::MemoryStore;
use crate::store::{SecretKind, StoreError, StoreKey, TokenStore};

/// A counting fake of Trustoo's token endpoint: issues `access-N`/`refresh-N`, counts
/// refresh grants, records revocations.
#[derive(Debug, Default)]
struct CountingFakeTokenEndpoint {
    refreshes: AtomicUsize,
    reject_refresh: AtomicBool,
    revoked: Mutex<Vec<String>>,
}

fn token_set(n: usize) -> TokenSet {
    TokenSet {
        access_token: Secret::new(format!("access-{n}")),
        token_type: "Bearer".into(),
        expires_in: Some(Duration::from_secs(3600)),
        refresh_token: Some(Secret::new(format!("refresh-{n}"))),
        scopes: reviewdesk_core::trustoo_scopes_to_request(),
    }
}

impl OAuthBackend for CountingFakeTokenEndpoint {
    fn authorize_url(&self, req: &AuthorizeRequest) -> Result<Url, TErr> {
        let mut u = Url::parse("https://trustoo.example/api/v1/openapi/oauth/authorize").unwrap();
        u.query_pairs_mut()
            .append_pair("client_id", "fake")
            .append_pair("redirect_uri", &req.redirect_uri)
            .append_pair("state", &req.state)
            .append_pair("scope", &req.scopes.join(","))
            .append_pair("response_type", "code")
            .append_pair(
                "code_challenge",
                req.code_challenge.as_deref().unwrap_or(""),
            )
            .append_pair("code_challenge_method", "S256");
        Ok(u)
    }
    fn exchange_code<'a>(
        &'a self,
        code: &'a Secret,
        _: &'a str,
        v: &'a Secret,
    ) -> BoxFuture<'a, Result<TokenSet, TErr>> {
        Box::pin(async move {
            assert!(!v.is_empty());
            if code.expose() == "used-code" {
                return Err(TErr::Validation {
                    message: "invalid_grant: authorization code already used".into(),
                });
            }
            Ok(token_set(1))
        })
    }
    fn refresh<'a>(&'a self, rt: &'a Secret) -> BoxFuture<'a, Result<TokenSet, TErr>> {
        Box::pin(async move {
            // Give concurrent callers every chance to pile up behind us.
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            if self.reject_refresh.load(Ordering::SeqCst) {
                return Err(TErr::Validation {
                    message: "invalid_grant: refresh token revoked".into(),
                });
            }
            let n = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
            assert_eq!(
                rt.expose(),
                format!("refresh-{n}"),
                "the rotated refresh token is used"
            );
            Ok(token_set(n + 1))
        })
    }
    fn revoke<'a>(&'a self, token: &'a Secret) -> BoxFuture<'a, Result<(), TErr>> {
        Box::pin(async move {
            self.revoked.lock().unwrap().push(token.expose().to_owned());
            Ok(())
        })
    }
    fn install_status<'a>(
        &'a self,
        _d: &'a str,
    ) -> BoxFuture<'a, Result<reviewdesk_trustoo::ShopInstallStatus, TErr>> {
        Box::pin(async move {
            Ok(reviewdesk_trustoo::ShopInstallStatus {
                is_installed: true,
                installed_at: Some(1_780_000_000),
            })
        })
    }
    fn authorization_info<'a>(
        &'a self,
        d: &'a str,
    ) -> BoxFuture<'a, Result<ShopAuthorizationInfo, TErr>> {
        Box::pin(async move {
            Ok(ShopAuthorizationInfo {
                is_authorized: d != "other-shop.myshopify.com",
                authorized_at: None,
                granted_scopes: vec!["read_reviews".into()],
                shop_id: "42".into(),
                myshopify_domain: d.to_owned(),
                can_upload_video: None,
            })
        })
    }
}

struct Rig {
    mgr: SessionManager,
    fake: Arc<CountingFakeTokenEndpoint>,
    store: Arc<MemoryStore>,
    clock: Arc<ManualClock>,
    dir: PathBuf,
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const SHOP: &str = "shop-a.myshopify.com";

/// The app's configuration for the fake endpoint, with its shop list under `dir`.
fn config(dir: &std::path::Path) -> AuthConfig {
    AuthConfig::new(
        Url::parse("http://127.0.0.1:9/").unwrap(),
        Environment::Sandbox,
        "fake",
        Secret::new("CLIENTSECRETxyz"),
        dir.join("shops.json"),
    )
}

/// The app started again over the same keyring, shop list, fake endpoint and clock.
async fn restart(r: &Rig) -> SessionManager {
    SessionManager::with_parts(
        config(&r.dir),
        r.store.clone(),
        r.fake.clone(),
        r.clock.clone(),
    )
    .await
    .unwrap()
}

async fn rig() -> Rig {
    let dir = std::env::temp_dir().join(format!("rd-auth-{}", crate::login::random_state()));
    let cfg = config(&dir);
    let fake = Arc::new(CountingFakeTokenEndpoint::default());
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(ManualClock::at_unix(1_800_000_000));
    let mgr = SessionManager::with_parts(cfg, store.clone(), fake.clone(), clock.clone())
        .await
        .unwrap();
    Rig {
        mgr,
        fake,
        store,
        clock,
        dir,
    }
}

fn state_of(url: &Url) -> String {
    url.query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned()
}

/// What the shop client's renewer does when Trustoo refused `token` (tested here without
/// a server; the whole path through a real 401 is in tests/flow.rs against the sandbox).
async fn refused_with(mgr: &SessionManager, token: &str) -> Result<(), AuthError> {
    let (domain, live) = mgr.live_for(SHOP)?;
    mgr.after_unauthorized(&domain, &live, &Auth::Bearer(Secret::new(token)))
        .await
}

async fn sign_in(r: &Rig) -> ShopSession {
    let start = r.mgr.start_login("shop-a").await.unwrap();
    let cb = format!(
        "reviewdesk://oauth/callback?code=good-code&state={}",
        state_of(&start.authorize_url)
    );
    match r.mgr.complete_login(&cb).await.unwrap() {
        LoginOutcome::SignedIn(s) => s,
        other => panic!("{other:?}"),
    }
}

fn stored_blob(r: &Rig) -> String {
    r.store
        .get(&StoreKey::new(SHOP, SecretKind::OAuth))
        .unwrap()
        .map(|s| s.expose().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn login_stores_tokens_and_lists_the_shop() {
    let r = rig().await;
    let start = r.mgr.start_login("Shop-A").await.unwrap();
    let q: HashMap<String, String> = start.authorize_url.query_pairs().into_owned().collect();
    assert_eq!(
        q.get("code_challenge_method").map(String::as_str),
        Some("S256")
    );
    assert_eq!(q.get("shop").map(String::as_str), Some(SHOP));
    assert_eq!(
        q.get("redirect_uri").map(String::as_str),
        Some(crate::REDIRECT_URI)
    );
    let s = sign_in(&r).await;
    assert_eq!(s.domain, SHOP);
    assert_eq!(s.shop_id.as_str(), "42");
    assert_eq!(s.auth_mode, AuthMode::Oauth);
    assert!(stored_blob(&r).contains("refresh-1"));
    let shops = r.mgr.shops().await;
    assert_eq!(shops.len(), 1);
    assert!(shops[0].signed_in && shops[0].active);
    assert_eq!(r.mgr.active_shop().await.unwrap().domain, SHOP);
    // A second manager on the same file and store restores the session.
    let cfg2 = r.mgr.inner.cfg.clone();
    let m2 = SessionManager::with_parts(cfg2, r.store.clone(), r.fake.clone(), r.clock.clone())
        .await
        .unwrap();
    let restored = m2.restore().await;
    assert!(restored[0].signed_in, "{restored:?}");
    assert_eq!(
        m2.client(SHOP).await.unwrap().auth(),
        Auth::Bearer(Secret::new("access-1"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_401s_cause_exactly_one_refresh() {
    let r = rig().await;
    sign_in(&r).await;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let mgr = r.mgr.clone();
        set.spawn(async move { refused_with(&mgr, "access-1").await });
    }
    while let Some(res) = set.join_next().await {
        res.unwrap().unwrap();
    }
    assert_eq!(r.fake.refreshes.load(Ordering::SeqCst), 1);
    assert!(
        stored_blob(&r).contains("refresh-2"),
        "the rotated refresh token was saved"
    );
    assert_eq!(
        r.mgr.client(SHOP).await.unwrap().auth(),
        Auth::Bearer(Secret::new("access-2"))
    );
    // A late report of the same stale token: no further refresh.
    refused_with(&r.mgr, "access-1").await.unwrap();
    assert_eq!(r.fake.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_sign_in_in_progress_is_known_to_a_restarted_app_and_its_page_can_open_again() {
    let r = rig().await;
    assert!(r.mgr.pending_sign_in().is_none());
    let start = r.mgr.start_login(SHOP).await.unwrap();
    // The app is closed while the browser is open, and started again.
    let restarted = restart(&r).await;
    let again = restarted.pending_sign_in().expect("still in progress");
    assert_eq!(again, start, "the same consent page, shop and expiry");
    r.clock.advance(LOGIN_TTL);
    assert!(restarted.pending_sign_in().is_none(), "expired");
    let fresh = restarted.start_login(SHOP).await.unwrap();
    assert!(restarted.cancel_login().await);
    assert!(restarted.pending_sign_in().is_none(), "cancelled");
    assert_ne!(fresh.authorize_url, start.authorize_url);
}

#[tokio::test]
async fn a_shop_whose_tokens_cannot_be_loaded_says_why_in_every_listing() {
    let r = rig().await;
    sign_in(&r).await;
    // The next start finds the keyring entry damaged.
    r.store
        .set(
            &StoreKey::new(SHOP, SecretKind::OAuth),
            &Secret::new("not json"),
        )
        .unwrap();
    let restarted = restart(&r).await;
    let at_start = restarted.restore().await;
    assert!(!at_start[0].signed_in);
    let problem = at_start[0].problem.clone();
    assert!(problem.is_some(), "{at_start:?}");
    let later = restarted.shops().await;
    assert_eq!(later[0].problem, problem, "the switcher asks again later");
}

#[tokio::test]
async fn refreshes_when_less_than_a_minute_is_left() {
    let r = rig().await;
    sign_in(&r).await;
    r.clock.advance(Duration::from_secs(3600 - 61));
    r.mgr.client(SHOP).await.unwrap();
    assert_eq!(r.fake.refreshes.load(Ordering::SeqCst), 0);
    r.clock.advance(Duration::from_secs(2));
    let c = r.mgr.client(SHOP).await.unwrap();
    assert_eq!(r.fake.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(c.auth(), Auth::Bearer(Secret::new("access-2")));
    r.mgr.client(SHOP).await.unwrap();
    assert_eq!(r.fake.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn refused_refresh_is_session_expired() {
    let r = rig().await;
    sign_in(&r).await;
    r.fake.reject_refresh.store(true, Ordering::SeqCst);
    let e = refused_with(&r.mgr, "access-1").await.unwrap_err();
    assert!(matches!(e, AuthError::SessionExpired), "{e:?}");
    assert_eq!(e.to_string(), "Your session expired — sign in again");
    assert!(e.needs_sign_in());
    assert!(matches!(
        r.mgr.client(SHOP).await,
        Err(AuthError::SessionExpired)
    ));
    assert_eq!(
        stored_blob(&r),
        "",
        "dead tokens are removed from the keyring"
    );
    let shops = r.mgr.shops().await;
    assert!(!shops[0].signed_in, "the shop stays listed, signed out");
    assert_eq!(
        shops[0].problem.as_deref(),
        Some("Your session expired — sign in again"),
        "and every listing says why"
    );
}

#[tokio::test]
async fn declined_forged_replayed_and_wrong_shop() {
    let r = rig().await;
    let start = r.mgr.start_login(SHOP).await.unwrap();
    let st = state_of(&start.authorize_url);
    let forged = r
        .mgr
        .complete_login("reviewdesk://oauth/callback?code=x&state=forged")
        .await
        .unwrap_err();
    assert!(matches!(
        forged,
        AuthError::Callback(CallbackRejection::StateMismatch)
    ));
    let out = r
        .mgr
        .complete_login(&format!(
            "reviewdesk://oauth/callback?error=access_denied&state={st}"
        ))
        .await
        .unwrap();
    assert_eq!(out, LoginOutcome::Declined);
    assert_eq!(out.to_string(), "You declined access");
    let replay = r
        .mgr
        .complete_login(&format!("reviewdesk://oauth/callback?code=x&state={st}"))
        .await
        .unwrap_err();
    assert!(matches!(
        replay,
        AuthError::Callback(CallbackRejection::StateReused)
    ));
    // Expired attempt.
    let start = r.mgr.start_login(SHOP).await.unwrap();
    r.clock.advance(LOGIN_TTL);
    let e = r
        .mgr
        .complete_login(&format!(
            "reviewdesk://oauth/callback?code=x&state={}",
            state_of(&start.authorize_url)
        ))
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        AuthError::Callback(CallbackRejection::StateExpired)
    ));
    // A code Trustoo refuses.
    let start = r.mgr.start_login(SHOP).await.unwrap();
    let e = r
        .mgr
        .complete_login(&format!(
            "reviewdesk://oauth/callback?code=used-code&state={}",
            state_of(&start.authorize_url)
        ))
        .await
        .unwrap_err();
    assert!(matches!(e, AuthError::Exchange(_)), "{e:?}");
    // Trustoo does not confirm the shop: tokens revoked, nothing stored.
    let start = r.mgr.start_login("other-shop").await.unwrap();
    let e = r
        .mgr
        .complete_login(&format!(
            "reviewdesk://oauth/callback?code=ok&state={}",
            state_of(&start.authorize_url)
        ))
        .await
        .unwrap_err();
    assert!(matches!(e, AuthError::WrongShop), "{e:?}");
    assert!(r.store.is_empty());
    assert_eq!(r.fake.revoked.lock().unwrap().as_slice(), ["refresh-1"]);
}

#[tokio::test]
async fn a_refused_link_never_cancels_the_pending_login() {
    let r = rig().await;
    let older = r.mgr.start_login(SHOP).await.unwrap();
    let start = r.mgr.start_login(SHOP).await.unwrap();
    let st = state_of(&start.authorize_url);
    let refused = [
        // Forged state.
        "reviewdesk://oauth/callback?code=x&state=forged".to_owned(),
        // The older attempt's link, replayed (its state is spent).
        format!(
            "reviewdesk://oauth/callback?code=x&state={}",
            state_of(&older.authorize_url)
        ),
        // Wrong host, garbage, a byte that was not UTF-8 (replaced by U+FFFD).
        format!("reviewdesk://evil/callback?code=x&state={st}"),
        "garbage".to_owned(),
        format!("reviewdesk://oauth/callback?code=\u{FFFD}&state={st}"),
    ];
    for link in &refused {
        let e = r.mgr.complete_login(link).await.unwrap_err();
        assert!(matches!(e, AuthError::Callback(_)), "{link}: {e:?}");
    }
    // The app is closed and the OS starts it again for the genuine callback: the attempt is
    // still in the keyring.
    let restarted = SessionManager::with_parts(
        r.mgr.inner.cfg.clone(),
        r.store.clone(),
        r.fake.clone(),
        r.clock.clone(),
    )
    .await
    .unwrap();
    let genuine = format!("reviewdesk://oauth/callback?code=good-code&state={st}");
    assert!(
        matches!(
            restarted.complete_login(&genuine).await,
            Ok(LoginOutcome::SignedIn(_))
        ),
        "the persisted attempt survived the refused links"
    );
    // And in the running app the attempt was still pending as well.
    assert!(matches!(
        r.mgr.complete_login(&genuine).await,
        Ok(LoginOutcome::SignedIn(_))
    ));
}

#[tokio::test]
async fn a_second_link_while_the_exchange_runs_leaves_the_sign_in_alone() {
    let r = rig().await;
    let start = r.mgr.start_login(SHOP).await.unwrap();
    let st = state_of(&start.authorize_url);
    let genuine = format!("reviewdesk://oauth/callback?code=good-code&state={st}");
    let accepted = r.mgr.accept_callback(&genuine).await.unwrap();
    assert_eq!(accepted.shop_domain(), SHOP);
    // The browser sends the same link again, and a forged one follows.
    assert_eq!(
        r.mgr.accept_callback(&genuine).await.unwrap_err(),
        CallbackRejection::StateReused
    );
    assert_eq!(
        r.mgr
            .accept_callback("reviewdesk://oauth/callback?code=x&state=forged")
            .await
            .unwrap_err(),
        CallbackRejection::NoLoginInProgress
    );
    match r.mgr.finish_login(accepted).await.unwrap() {
        LoginOutcome::SignedIn(s) => assert_eq!(s.domain, SHOP),
        other => panic!("{other:?}"),
    }
    assert!(!stored_blob(&r).is_empty(), "the tokens are stored");
}

#[tokio::test]
async fn disconnect_runs_every_step_even_when_one_fails() {
    let r = rig().await;
    sign_in(&r).await;
    // api_base is 127.0.0.1:9 (nothing listens): disconnect fails, the rest goes on.
    let report = r.mgr.disconnect(SHOP, crate::LocalDataChoice::Keep).await;
    assert!(
        matches!(
            report.step(SignOutStep::Disconnect),
            Some(StepResult::Failed(_))
        ),
        "{report:?}"
    );
    assert_eq!(
        report.step(SignOutStep::RevokeRefreshToken),
        Some(&StepResult::Done)
    );
    assert_eq!(
        report.step(SignOutStep::RevokeAccessToken),
        Some(&StepResult::Done)
    );
    assert_eq!(
        report.step(SignOutStep::DeleteKeyringEntries),
        Some(&StepResult::Done)
    );
    assert_eq!(
        report.step(SignOutStep::ForgetShop),
        Some(&StepResult::Done)
    );
    assert_eq!(
        report.step(SignOutStep::KeepLocalData),
        Some(&StepResult::Done)
    );
    assert!(!report.is_clean());
    assert_eq!(
        r.fake.revoked.lock().unwrap().as_slice(),
        ["refresh-1", "access-1"]
    );
    assert!(r.store.is_empty());
    assert!(r.mgr.shops().await.is_empty());
    assert!(matches!(
        r.mgr.client(SHOP).await,
        Err(AuthError::NotSignedIn)
    ));
    assert!(!format!("{report:?}").contains("access-1"));
}

#[tokio::test]
async fn no_secret_in_any_debug_or_display() {
    let r = rig().await;
    let start = r.mgr.start_login(SHOP).await.unwrap();
    let st = state_of(&start.authorize_url);
    // The pending PKCE verifier is held as a `Secret`.
    assert!(format!("{:?}", r.mgr.inner.login).contains("<redacted>"));
    let bad = r
        .mgr
        .complete_login(&format!(
            "reviewdesk://oauth/callback?code=CODEzzz&state={st}&x=CODEzzz"
        ))
        .await
        .unwrap_err();
    sign_in(&r).await;
    r.fake.reject_refresh.store(true, Ordering::SeqCst);
    let expired = refused_with(&r.mgr, "access-1").await.unwrap_err();
    let errors: Vec<AuthError> = vec![
        bad,
        expired,
        AuthError::Exchange(TErr::Validation {
            message: "invalid_grant".into(),
        }),
        AuthError::Store(StoreError::KeyringUnavailable {
            reason: "locked".into(),
        }),
        AuthError::Store(StoreError::TooLarge { utf16_bytes: 3000 }),
        AuthError::CredentialsRejected,
    ];
    let mut text = format!("{:?} {:?}", r.mgr, start);
    for e in &errors {
        text.push_str(&format!("{e} {e:?} "));
    }
    for secret in [
        "access-1",
        "refresh-1",
        "access-2",
        "CLIENTSECRETxyz",
        "CODEzzz",
        "good-code",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}
