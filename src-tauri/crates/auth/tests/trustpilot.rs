//! Trustpilot sign-in against the sandbox's Trustpilot half, in-process: every grant of the
//! seed page, the browser page → redirect page → deep link chain (the page's own script run by
//! node), cold start, the business unit pick, the keyring round trip, renewal written back,
//! sign-out, and no credential in any Debug, Display, file or log line.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reviewdesk_auth::trustpilot::{
    BrowserGrant, BrowserSignIn, SignInOutcome, TrustpilotAccounts, TrustpilotApp,
    TrustpilotAuthConfig, TrustpilotAuthError, TrustpilotGrant, TrustpilotSignOutStep,
    TRUSTPILOT_REDIRECT_PAGE,
};
use reviewdesk_auth::{
    route_link, CallbackRejection, LinkRoute, ManualClock, StepResult, StoreError, StoreKey,
    TokenStore,
};
use reviewdesk_core::{Environment, Provider, TrustpilotId};
use reviewdesk_sandbox::trustpilot::demo;
use reviewdesk_sandbox::{Sandbox, SandboxConfig};
use reviewdesk_trustpilot::{BaseUrls, RetryConfig, ReviewQuery, Secret, Sleeper, Url};
use serde_json::{json, Value};

const TOKEN_PATH: &str = "/v1/oauth/oauth-business-users-for-applications/accesstoken";

/// A memory store that also keeps every value ever written, to prove what never was. Its
/// `Debug` names entries only, as the real stores' do.
#[derive(Default)]
struct RecordingStore {
    map: Mutex<HashMap<String, String>>,
    written: Mutex<Vec<String>>,
}

impl std::fmt::Debug for RecordingStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingStore")
            .field("entries", &self.accounts())
            .finish()
    }
}

impl RecordingStore {
    fn get_raw(&self, account: &str) -> Option<String> {
        self.map.lock().unwrap().get(account).cloned()
    }
    fn accounts(&self) -> Vec<String> {
        let mut v: Vec<String> = self.map.lock().unwrap().keys().cloned().collect();
        v.sort();
        v
    }
    fn everything_written(&self) -> String {
        self.written.lock().unwrap().join("\n")
    }
}

impl TokenStore for RecordingStore {
    fn get(&self, key: &StoreKey) -> Result<Option<reviewdesk_auth::Secret>, StoreError> {
        Ok(self
            .get_raw(&key.account())
            .map(reviewdesk_auth::Secret::new))
    }
    fn set(&self, key: &StoreKey, value: &reviewdesk_auth::Secret) -> Result<(), StoreError> {
        self.written
            .lock()
            .unwrap()
            .push(format!("{} {}", key.account(), value.expose()));
        self.map
            .lock()
            .unwrap()
            .insert(key.account(), value.expose().to_owned());
        Ok(())
    }
    fn delete(&self, key: &StoreKey) -> Result<(), StoreError> {
        self.map.lock().unwrap().remove(&key.account());
        Ok(())
    }
}

struct Rig {
    sb: Sandbox,
    store: Arc<RecordingStore>,
    dir: PathBuf,
    http: reqwest::Client,
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn unit_a() -> TrustpilotId {
    TrustpilotId::parse(demo::BUSINESS_UNIT_ID).unwrap()
}

fn unit_b() -> TrustpilotId {
    TrustpilotId::parse(demo::SECOND_BUSINESS_UNIT_ID).unwrap()
}

fn user_id() -> TrustpilotId {
    TrustpilotId::parse(demo::BUSINESS_USER_ID).unwrap()
}

fn app_a() -> TrustpilotApp {
    TrustpilotApp {
        api_key: Secret::new(demo::API_KEY),
        api_secret: Some(Secret::new(demo::API_SECRET)),
    }
}

fn app_b() -> TrustpilotApp {
    TrustpilotApp {
        api_key: Secret::new(demo::SECOND_API_KEY),
        api_secret: Some(Secret::new(demo::SECOND_API_SECRET)),
    }
}

async fn rig_with(cfg: SandboxConfig) -> Rig {
    let sb = Sandbox::start(cfg, 0).await.unwrap();
    let dir = std::env::temp_dir().join(format!(
        "rd-auth-tp-{}-{}",
        std::process::id(),
        reviewdesk_trustpilot::random_state()
    ));
    Rig {
        sb,
        store: Arc::new(RecordingStore::default()),
        dir,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("reviewdesk-auth-tests")
            .build()
            .unwrap(),
    }
}

async fn rig() -> Rig {
    rig_with(SandboxConfig {
        reviews: 10,
        second_shop_reviews: 10,
        trustpilot_reviews: 30,
        trustpilot_second_reviews: 12,
        ..SandboxConfig::default()
    })
    .await
}

impl Rig {
    fn config(&self) -> TrustpilotAuthConfig {
        let tp = self.sb.trustpilot();
        let mut c = TrustpilotAuthConfig::new(
            BaseUrls::parse(&tp.api_url(), &tp.authenticate_url(), &tp.invitations_url()).unwrap(),
            Environment::Sandbox,
            self.dir.join("trustpilot-accounts.json"),
        );
        c.retry = RetryConfig {
            sleeper: Sleeper::new(|_| Box::pin(async {})),
            ..RetryConfig::default()
        };
        c
    }

    /// A manager as the app builds it at start (a second call is a restart of the app).
    async fn accounts(&self) -> TrustpilotAccounts {
        TrustpilotAccounts::new(self.config(), self.store.clone())
            .await
            .unwrap()
    }

    async fn ctl(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.sb.trustpilot().api_url()));
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap_or(Value::Null)
    }

    async fn token_requests(&self) -> u64 {
        self.ctl(reqwest::Method::GET, "/__sandbox/stats", None)
            .await["per_path"][TOKEN_PATH]
            .as_u64()
            .unwrap_or(0)
    }

    async fn token_status(&self, token: &Secret) -> String {
        self.ctl(
            reqwest::Method::POST,
            "/__sandbox/state/token_status",
            Some(json!({ "token": token.expose() })),
        )
        .await["status"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The merchant signs in on the authenticate page; returns where Trustpilot redirects.
    async fn authenticate(&self, authorize: &Url, email: &str, password: &str) -> Url {
        let page = self.http.get(authorize.as_str()).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
        form.push(("email".into(), email.into()));
        form.push(("password".into(), password.into()));
        form.push(("decision".into(), "login".into()));
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let r = self
            .http
            .post(format!("{}/", self.sb.trustpilot().authenticate_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 302);
        Url::parse(r.headers()["location"].to_str().unwrap()).unwrap()
    }

    /// The merchant cancels on the authenticate page.
    async fn cancel(&self, authorize: &Url) -> Url {
        let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
        form.push(("decision".into(), "cancel".into()));
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let r = self
            .http
            .post(format!("{}/", self.sb.trustpilot().authenticate_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 302);
        Url::parse(r.headers()["location"].to_str().unwrap()).unwrap()
    }

    async fn browser_start(&self, accts: &TrustpilotAccounts, grant: BrowserGrant) -> Url {
        accts
            .start_browser_sign_in(BrowserSignIn {
                grant,
                app: app_a(),
                redirect_uri: demo::REDIRECT_URI.into(),
                business_user_id: None,
            })
            .await
            .unwrap()
            .authorize_url
    }
}

/// What ReviewDesk's redirect page does with the address Trustpilot sent the browser to: its
/// own script, run by node, builds the `reviewdesk://` link.
fn redirect_page(location: &Url) -> Option<String> {
    let script = TRUSTPILOT_REDIRECT_PAGE
        .split("<script>")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .unwrap();
    let harness = format!(
        "{script}\nconsole.log(JSON.stringify(reviewdeskLink(process.argv[1], process.argv[2])));"
    );
    let search = location
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let hash = location
        .fragment()
        .map(|f| format!("#{f}"))
        .unwrap_or_default();
    let out = std::process::Command::new("node")
        .arg("-e")
        .arg(&harness)
        .arg(&search)
        .arg(&hash)
        .output()
        .expect("node runs the redirect page's script (it is installed for the UI's tests)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_str().map(str::to_owned)
}

fn state_of(authorize: &Url) -> String {
    authorize
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned()
}

/// Waits (briefly) until the keyring holds something else for `account` than `before`.
async fn changed(store: &RecordingStore, account: &str, before: &str) -> String {
    for _ in 0..200 {
        if let Some(now) = store.get_raw(account) {
            if now != before {
                return now;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the keyring entry {account} did not change");
}

// ---- Browser grants --------------------------------------------------------------------------

#[tokio::test]
async fn authorization_code_through_the_browser_the_redirect_page_and_the_deep_link() {
    let rig = rig().await;
    let accts = rig.accounts().await;
    let authorize = rig
        .browser_start(&accts, BrowserGrant::AuthorizationCode)
        .await;
    assert!(accts.pending_sign_in().is_some());
    let back = rig
        .authenticate(&authorize, demo::USERNAME, demo::PASSWORD)
        .await;
    assert!(back.as_str().starts_with(demo::REDIRECT_URI), "{back}");
    let link = redirect_page(&back).unwrap();
    assert!(
        link.starts_with("reviewdesk://trustpilot/callback?code="),
        "{link}"
    );
    assert_eq!(route_link(&link), LinkRoute::Trustpilot);

    let ready = match accts.complete_sign_in(&link).await.unwrap() {
        SignInOutcome::Ready(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(ready.grant, TrustpilotGrant::AuthorizationCode);
    assert!(accts.awaiting_business_unit());
    assert!(accts.pending_sign_in().is_none());
    assert!(
        rig.store
            .get_raw("trustpilot-sign-in/pending-login")
            .is_none(),
        "the finished attempt left the keyring"
    );
    // The same link again (a browser that opens it twice) is refused.
    assert_eq!(
        accts.accept_callback(&link).await.unwrap_err(),
        CallbackRejection::StateReused
    );

    // The shop's domain finds the unit (a referring name); the pick shows TrustScore and stars.
    let found = accts
        .find_business_unit("aurora-outfitters.myshopify.com")
        .await
        .unwrap();
    assert_eq!(found.id, unit_a());
    let typed = accts
        .find_business_unit("https://aurora-outfitters.com/")
        .await
        .unwrap();
    assert_eq!(typed.id, unit_a());
    let e = accts
        .find_business_unit("nobody.example")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no business unit"), "{e}");
    let (status, unit) = accts.choose_business_unit(&found.id).await.unwrap();
    assert_eq!(unit.display_name, demo::DISPLAY_NAME);
    assert_eq!(unit.identifying_name, demo::DOMAIN);
    assert!((1.0..=5.0).contains(&unit.trust_score.unwrap()));
    assert_eq!(
        unit.star_counts.unwrap().iter().sum::<u64>(),
        unit.total_reviews.unwrap()
    );
    assert_eq!(unit.total_reviews, Some(30));
    assert!(!accts.awaiting_business_unit());

    // It joins the switcher as a Trustpilot account with Trustpilot's capabilities.
    assert!(status.signed_in, "{status:?}");
    assert_eq!(status.session.provider, Provider::Trustpilot);
    assert_eq!(
        status.session.capabilities,
        Provider::Trustpilot.capabilities()
    );
    assert_eq!(status.session.domain, demo::BUSINESS_UNIT_ID);
    assert_eq!(status.session.shop_name, demo::DISPLAY_NAME);
    assert_eq!(
        status.account_key().to_string(),
        format!("trustpilot:{}", demo::BUSINESS_UNIT_ID)
    );
    assert!(
        status.renewal.contains("refresh token"),
        "{}",
        status.renewal
    );
    let rows = accts.sessions().await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].signed_in);

    // The account reads its reviews; its credentials are in the keyring, one entry each.
    let client = accts.client(&unit_a()).unwrap();
    let page = client
        .private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap();
    assert_eq!(page.reviews.len(), 30);
    let fp = app_a().fingerprint();
    assert_eq!(
        rig.store.accounts(),
        vec![
            format!("trustpilot-app:{fp}/application"),
            format!("trustpilot:{}/oauth", demo::BUSINESS_UNIT_ID),
        ]
    );
    let file = std::fs::read_to_string(rig.dir.join("trustpilot-accounts.json")).unwrap();
    for secret in [demo::API_KEY, demo::API_SECRET] {
        assert!(!file.contains(secret), "{file}");
    }
    assert!(file.contains("authorization_code"), "{file}");
}

#[tokio::test]
async fn implicit_grant_keeps_no_secret_and_says_it_lasts_four_days() {
    let rig = rig().await;
    let accts = rig.accounts().await;
    // The merchant typed the secret too: the implicit grant does not keep it.
    let authorize = rig.browser_start(&accts, BrowserGrant::Implicit).await;
    assert!(authorize
        .query_pairs()
        .any(|(k, v)| k == "response_type" && v == "token"));
    let pending = rig
        .store
        .get_raw("trustpilot-sign-in/pending-login")
        .unwrap();
    assert!(!pending.contains(demo::API_SECRET), "{pending}");
    let back = rig
        .authenticate(&authorize, demo::USERNAME, demo::PASSWORD)
        .await;
    assert!(back.fragment().unwrap().contains("access_token="), "{back}");
    let link = redirect_page(&back).unwrap();
    assert!(
        link.starts_with("reviewdesk://trustpilot/callback?access_token="),
        "{link}"
    );
    let ready = match accts.complete_sign_in(&link).await.unwrap() {
        SignInOutcome::Ready(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(ready.grant, TrustpilotGrant::Implicit);
    assert!(
        ready.renewal.contains("cannot be renewed"),
        "{}",
        ready.renewal
    );
    let (status, _) = accts.choose_business_unit(&unit_a()).await.unwrap();
    assert!(
        status.renewal.contains("about 4 days"),
        "{}",
        status.renewal
    );
    assert!(status.renewal.contains("four days"), "{}", status.renewal);
    assert!(!rig.store.everything_written().contains(demo::API_SECRET));
    assert!(accts
        .client(&unit_a())
        .unwrap()
        .tokens()
        .unwrap()
        .refresh_token
        .is_none());
}

#[tokio::test]
async fn a_cancelled_browser_sign_in_is_declined_and_a_mismatched_answer_refused() {
    let rig = rig().await;
    let accts = rig.accounts().await;
    let authorize = rig
        .browser_start(&accts, BrowserGrant::AuthorizationCode)
        .await;
    let back = rig.cancel(&authorize).await;
    let link = redirect_page(&back).unwrap();
    assert!(link.contains("error=access_denied"), "{link}");
    assert_eq!(
        accts.complete_sign_in(&link).await.unwrap(),
        SignInOutcome::Declined
    );
    assert!(!accts.awaiting_business_unit());

    // A token answering a code attempt is not what this attempt asked for.
    let authorize = rig
        .browser_start(&accts, BrowserGrant::AuthorizationCode)
        .await;
    let st = state_of(&authorize);
    let forged = format!(
        "reviewdesk://trustpilot/callback?access_token=x&token_type=bearer&expires_in=9&state={st}"
    );
    assert_eq!(
        accts.accept_callback(&forged).await.unwrap_err(),
        CallbackRejection::UnexpectedParameter
    );
}

// ---- The deep link: strict, state-bound, cold start ------------------------------------------

#[tokio::test]
async fn deep_links_are_strict_bound_to_state_and_survive_a_cold_start() {
    let rig = rig().await;
    let first_run = rig.accounts().await;
    let authorize = rig
        .browser_start(&first_run, BrowserGrant::AuthorizationCode)
        .await;
    let st = state_of(&authorize);
    drop(first_run); // the merchant closes ReviewDesk while the browser is open

    let back = rig
        .authenticate(&authorize, demo::USERNAME, demo::PASSWORD)
        .await;
    let genuine = redirect_page(&back).unwrap();
    // The OS starts ReviewDesk afresh with the link: the attempt comes back from the keyring.
    let cold = rig.accounts().await;
    assert!(cold.pending_sign_in().is_some(), "resumed from the keyring");

    for (link, want) in [
        (
            "reviewdesk://trustpilot/callback?code=abc&state=forged".to_owned(),
            CallbackRejection::StateMismatch,
        ),
        (
            format!("reviewdesk://trustpilot/callback?code=abc&state={st}&x=1"),
            CallbackRejection::UnexpectedParameter,
        ),
        (
            format!("reviewdesk://trustpilot/callback?code=&state={st}"),
            CallbackRejection::EmptyParameter("code"),
        ),
        (
            format!("reviewdesk://trustpilot/callback#code=abc&state={st}"),
            CallbackRejection::WrongPath,
        ),
        (
            "reviewdesk://trustpilot/callback?code=a\u{FFFD}&state=s".to_owned(),
            CallbackRejection::Malformed,
        ),
    ] {
        let got = cold.accept_callback(&link).await.unwrap_err();
        assert_eq!(got, want, "{link}");
        assert!(!got.to_string().contains("abc"));
    }
    assert!(
        cold.pending_sign_in().is_some(),
        "refused links leave the attempt waiting"
    );
    assert!(rig
        .store
        .get_raw("trustpilot-sign-in/pending-login")
        .is_some());
    match cold.complete_sign_in(&genuine).await.unwrap() {
        SignInOutcome::Ready(r) => assert_eq!(r.grant, TrustpilotGrant::AuthorizationCode),
        other => panic!("{other:?}"),
    }

    // An attempt older than ten minutes is not resumed, and its entry is removed.
    let accts = rig.accounts().await;
    rig.browser_start(&accts, BrowserGrant::AuthorizationCode)
        .await;
    let later = ManualClock::at_unix(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 601,
    );
    let restarted =
        TrustpilotAccounts::with_clock(rig.config(), rig.store.clone(), Arc::new(later))
            .await
            .unwrap();
    assert!(restarted.pending_sign_in().is_none());
    assert!(rig
        .store
        .get_raw("trustpilot-sign-in/pending-login")
        .is_none());
}

// ---- Password and client credentials ---------------------------------------------------------

#[tokio::test]
async fn password_grant_never_keeps_the_password_and_two_factor_users_are_pointed_elsewhere() {
    let rig = rig().await;
    let accts = rig.accounts().await;
    let ready = accts
        .sign_in_with_password(
            app_a(),
            demo::USERNAME,
            Secret::new(demo::PASSWORD),
            Some(user_id()),
        )
        .await
        .unwrap();
    assert_eq!(ready.grant, TrustpilotGrant::Password);
    accts.choose_business_unit(&unit_a()).await.unwrap();
    assert_eq!(accts.business_user_id(&unit_a()), Some(user_id()));
    let written = rig.store.everything_written();
    assert!(
        !written.contains(demo::PASSWORD),
        "the password is never stored"
    );
    assert!(!written.contains(demo::USERNAME), "nor the username");

    let e = accts
        .sign_in_with_password(
            app_a(),
            demo::TWO_FACTOR_USERNAME,
            Secret::new(demo::TWO_FACTOR_PASSWORD),
            None,
        )
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("two-factor"), "{text}");
    assert!(
        text.contains("authorization code, implicit or client credentials"),
        "{text}"
    );

    let e = accts
        .sign_in_with_password(app_a(), demo::USERNAME, Secret::new("wrong"), None)
        .await
        .unwrap_err();
    assert!(e.needs_sign_in(), "{e:?}");
    let bad_secret = TrustpilotApp {
        api_key: Secret::new(demo::API_KEY),
        api_secret: Some(Secret::new("not-the-secret")),
    };
    let e = accts
        .sign_in_with_password(
            bad_secret,
            demo::USERNAME,
            Secret::new(demo::PASSWORD),
            None,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("API key or secret"), "{e}");
}

#[tokio::test]
async fn signing_in_too_often_gets_a_sentence_about_waiting() {
    let rig = rig_with(SandboxConfig {
        reviews: 10,
        second_shop_reviews: 10,
        trustpilot_reviews: 10,
        trustpilot_second_reviews: 10,
        trustpilot_auth_per_minute: 2,
        ..SandboxConfig::default()
    })
    .await;
    let accts = rig.accounts().await;
    for _ in 0..2 {
        accts
            .sign_in_with_client_credentials(app_a(), user_id())
            .await
            .unwrap();
    }
    let before = rig.token_requests().await;
    let e = accts
        .sign_in_with_client_credentials(app_a(), user_id())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            TrustpilotAuthError::Trustpilot(reviewdesk_trustpilot::Error::AuthTooFrequent)
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("too often"), "{e}");
    assert!(e.to_string().contains("Wait a minute"), "{e}");
    assert_eq!(rig.token_requests().await, before + 1, "not retried");
}

#[tokio::test]
async fn client_credentials_ask_for_a_token_only_when_the_last_one_ended() {
    let rig = rig().await;
    let accts = rig.accounts().await;
    let ready = accts
        .sign_in_with_client_credentials(app_a(), user_id())
        .await
        .unwrap();
    assert_eq!(ready.grant, TrustpilotGrant::ClientCredentials);
    let (status, _) = accts.choose_business_unit(&unit_a()).await.unwrap();
    assert!(
        status.renewal.contains("never more often"),
        "{}",
        status.renewal
    );
    assert_eq!(rig.token_requests().await, 1);

    // A restart uses the stored token: no token request.
    let restarted = rig.accounts().await;
    let listed = restarted.restore().await;
    assert!(listed[0].signed_in, "{listed:?}");
    let client = restarted.client(&unit_a()).unwrap();
    for _ in 0..3 {
        client
            .private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
            .await
            .unwrap();
    }
    assert_eq!(restarted.business_user_id(&unit_a()), Some(user_id()));
    assert_eq!(rig.token_requests().await, 1);

    // Trustpilot's clock passes the token's 100 hours: one new token, written to the keyring.
    let entry = format!("trustpilot:{}/oauth", demo::BUSINESS_UNIT_ID);
    let before = rig.store.get_raw(&entry).unwrap();
    rig.ctl(
        reqwest::Method::POST,
        "/__sandbox/time/advance",
        Some(json!({ "seconds": 360_001 })),
    )
    .await;
    client
        .private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap();
    assert_eq!(rig.token_requests().await, 2);
    let after = changed(&rig.store, &entry, &before).await;
    let fresh = client.tokens().unwrap();
    assert!(after.contains(fresh.access_token.expose()));
    assert!(after.contains(demo::BUSINESS_USER_ID));
}

// ---- Keyring round trip, renewal written back, sign-out --------------------------------------

#[tokio::test]
async fn renewed_tokens_reach_the_keyring_and_a_restart_uses_them() {
    let rig = rig().await;
    let accts = rig.accounts().await;
    accts
        .sign_in_with_password(app_a(), demo::USERNAME, Secret::new(demo::PASSWORD), None)
        .await
        .unwrap();
    accts.choose_business_unit(&unit_a()).await.unwrap();
    let entry = format!("trustpilot:{}/oauth", demo::BUSINESS_UNIT_ID);
    let before = rig.store.get_raw(&entry).unwrap();
    let old = accts.client(&unit_a()).unwrap().tokens().unwrap();

    rig.ctl(
        reqwest::Method::POST,
        "/__sandbox/faults",
        Some(json!({"kind": "expire_tokens"})),
    )
    .await;
    let client = accts.client(&unit_a()).unwrap();
    client
        .private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap();
    let new = client.tokens().unwrap();
    assert_ne!(new.refresh_token, old.refresh_token, "refreshed");
    let after = changed(&rig.store, &entry, &before).await;
    assert!(after.contains(new.refresh_token.as_ref().unwrap().expose()));

    // The old refresh token is spent; a restart works only because the new one was saved.
    let restarted = rig.accounts().await;
    restarted.restore().await;
    rig.ctl(
        reqwest::Method::POST,
        "/__sandbox/faults",
        Some(json!({"kind": "expire_tokens"})),
    )
    .await;
    restarted
        .client(&unit_a())
        .unwrap()
        .private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap();
}

#[tokio::test]
async fn two_accounts_round_trip_and_sign_out_removes_only_its_own_entries() {
    let rig = rig().await;
    let accts = rig.accounts().await;
    accts
        .sign_in_with_password(app_a(), demo::USERNAME, Secret::new(demo::PASSWORD), None)
        .await
        .unwrap();
    // A sign-in of business A cannot become business B's account.
    let e = accts.choose_business_unit(&unit_b()).await.unwrap_err();
    assert!(
        matches!(e, TrustpilotAuthError::UnitNotReadable(_)),
        "{e:?}"
    );
    assert!(e.to_string().contains("Birch"), "{e}");
    assert!(
        rig.store.accounts().is_empty(),
        "nothing kept for a refused pick"
    );
    accts.choose_business_unit(&unit_a()).await.unwrap();
    accts
        .sign_in_with_password(
            app_b(),
            demo::SECOND_USERNAME,
            Secret::new(demo::SECOND_PASSWORD),
            None,
        )
        .await
        .unwrap();
    accts.choose_business_unit(&unit_b()).await.unwrap();
    assert_eq!(rig.store.accounts().len(), 4);

    // Restart: both come back from the keyring, no token requested.
    let requests = rig.token_requests().await;
    let restarted = rig.accounts().await;
    let listed = restarted.restore().await;
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|s| s.signed_in), "{listed:?}");
    assert_eq!(rig.token_requests().await, requests);
    let refresh_a = restarted
        .client(&unit_a())
        .unwrap()
        .tokens()
        .unwrap()
        .refresh_token
        .unwrap();

    let report = restarted.sign_out(&unit_a()).await;
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(
        report.step(TrustpilotSignOutStep::RevokeToken),
        Some(&StepResult::Done)
    );
    assert_eq!(rig.token_status(&refresh_a).await, "revoked");
    assert_eq!(
        rig.store.accounts(),
        vec![
            format!("trustpilot-app:{}/application", app_b().fingerprint()),
            format!("trustpilot:{}/oauth", demo::SECOND_BUSINESS_UNIT_ID),
        ],
        "only A's entries went"
    );
    let left = restarted.accounts().await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].account.business_unit_id, unit_b());
    assert!(restarted.client(&unit_a()).is_none());
    restarted
        .client(&unit_b())
        .unwrap()
        .private_reviews_page(demo::SECOND_BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap();

    // A damaged entry is listed with the keyring's sentence, not a crash.
    rig.store
        .set(
            &StoreKey::new(
                format!("trustpilot:{}", demo::SECOND_BUSINESS_UNIT_ID),
                reviewdesk_auth::SecretKind::OAuth,
            ),
            &reviewdesk_auth::Secret::new("garbage"),
        )
        .unwrap();
    let again = rig.accounts().await.restore().await;
    assert!(!again[0].signed_in);
    assert!(
        again[0].problem.as_deref().unwrap().contains("unreadable"),
        "{again:?}"
    );
}

// ---- No credential anywhere ------------------------------------------------------------------

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct LogBuf(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_credential_in_any_debug_display_file_or_log_line() {
    let logs = LogBuf::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let rig = rig().await;
    let accts = rig.accounts().await;
    let mut shown = Vec::new();

    let start = accts
        .start_browser_sign_in(BrowserSignIn {
            grant: BrowserGrant::AuthorizationCode,
            app: app_a(),
            redirect_uri: demo::REDIRECT_URI.into(),
            business_user_id: Some(user_id()),
        })
        .await
        .unwrap();
    shown.push(format!("{start:?}"));
    let back = rig
        .authenticate(&start.authorize_url, demo::USERNAME, demo::PASSWORD)
        .await;
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let link = redirect_page(&back).unwrap();
    let forged = link.replace("state=", "state=x");
    shown.push(format!(
        "{:?}",
        accts.accept_callback(&forged).await.unwrap_err()
    ));
    let accepted = accts.accept_callback(&link).await.unwrap();
    shown.push(format!("{accepted:?}"));
    shown.push(format!(
        "{:?}",
        accts.finish_sign_in(accepted).await.unwrap()
    ));
    let picked = accts.choose_business_unit(&unit_a()).await.unwrap();
    shown.push(format!("{picked:?}"));
    shown.push(format!("{:?}", accts.accounts().await));
    shown.push(format!("{:?}", accts.sessions().await));
    let tokens = accts.client(&unit_a()).unwrap().tokens().unwrap();
    shown.push(format!("{tokens:?}"));
    shown.push(format!("{accts:?}"));
    for e in [
        accts
            .sign_in_with_password(
                app_a(),
                demo::TWO_FACTOR_USERNAME,
                Secret::new(demo::TWO_FACTOR_PASSWORD),
                None,
            )
            .await
            .unwrap_err(),
        accts
            .sign_in_with_password(app_a(), demo::USERNAME, Secret::new("wrong-pw"), None)
            .await
            .unwrap_err(),
        accts
            .sign_in_with_client_credentials(
                TrustpilotApp {
                    api_key: Secret::new(demo::API_KEY),
                    api_secret: Some(Secret::new("WRONGSECRETVALUE")),
                },
                user_id(),
            )
            .await
            .unwrap_err(),
    ] {
        shown.push(format!("{e} {e:?}"));
    }
    rig.ctl(
        reqwest::Method::POST,
        "/__sandbox/faults",
        Some(json!({"kind": "expire_tokens"})),
    )
    .await;
    accts
        .client(&unit_a())
        .unwrap()
        .private_reviews_page(demo::BUSINESS_UNIT_ID, &ReviewQuery::default(), 1)
        .await
        .unwrap();
    let renewed = accts.client(&unit_a()).unwrap().tokens().unwrap();
    shown.push(format!("{:?}", accts.sign_out(&unit_a()).await));
    shown.push(std::fs::read_to_string(rig.dir.join("trustpilot-accounts.json")).unwrap());
    tokio::time::sleep(Duration::from_millis(50)).await;
    let log = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("Trustpilot"), "the log was captured: {log}");
    shown.push(log);

    let secrets = [
        demo::API_KEY.to_owned(),
        demo::API_SECRET.to_owned(),
        demo::PASSWORD.to_owned(),
        demo::TWO_FACTOR_PASSWORD.to_owned(),
        "wrong-pw".to_owned(),
        "WRONGSECRETVALUE".to_owned(),
        code,
        tokens.access_token.expose().to_owned(),
        tokens.refresh_token.unwrap().expose().to_owned(),
        renewed.access_token.expose().to_owned(),
        renewed.refresh_token.unwrap().expose().to_owned(),
    ];
    for text in &shown {
        for s in &secrets {
            assert!(
                !text.contains(s.as_str()),
                "a credential leaked into: {text}"
            );
        }
    }
}
