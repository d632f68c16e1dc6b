//! The shop's tools against the sandbox in-process: webhooks (list, create, edit, delete,
//! validation, duplicate, missing scope, a refused URL), the Shop page's facts, and disconnect
//! versus sign-out (which keyring entries go, what Trustoo still says).
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use reviewdesk_auth::shop::webhooks::{self, WebhookError, HTTP_WARNING};
use reviewdesk_auth::{
    AuthConfig, LocalData, LocalDataChoice, LocalFuture, LoginOutcome, MemoryStore, SecretKind,
    SessionManager, SignOutStep, StepResult, StoreKey, TokenStore,
};
use reviewdesk_core::{AuthMode, Environment, ShopSession, WebhookInput};
use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use reviewdesk_trustoo::{Secret, Url, WebhookTopic};

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
            reviews: 20,
            second_shop_reviews: 5,
            ..SandboxConfig::default()
        },
        0,
    )
    .await
    .unwrap();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("rd-auth-shop-{}-{nanos}", std::process::id()));
    let cfg = AuthConfig::new(
        Url::parse(&sandbox.base_url()).unwrap(),
        Environment::Sandbox,
        demo::CLIENT_ID,
        Secret::new(demo::CLIENT_SECRET),
        dir.join("shops.json"),
    );
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

/// Signs in to the demo shop through the consent page, granting `scope` (the merchant may
/// narrow what the app asked for), and answers the session.
async fn sign_in(r: &Rig, scope: Option<&str>) -> ShopSession {
    let start = r.mgr.start_login(demo::SHOP_DOMAIN).await.unwrap();
    let html = r
        .http
        .get(start.authorize_url.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut form: Vec<(String, String)> = Vec::new();
    for chunk in html.split("<input type=\"hidden\" ").skip(1) {
        let field = |k: &str| {
            chunk
                .split(&format!("{k}=\""))
                .nth(1)
                .and_then(|s| s.split('"').next())
                .map(|s| s.replace("&amp;", "&").replace("&quot;", "\""))
        };
        if let (Some(n), Some(v)) = (field("name"), field("value")) {
            let v = match (n.as_str(), scope) {
                ("scope", Some(s)) => s.to_owned(),
                _ => v,
            };
            form.push((n, v));
        }
    }
    form.push(("shop_id".into(), demo::SHOP_ID.to_string()));
    form.push(("decision".into(), "allow".into()));
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
    match r.mgr.complete_login(&loc).await.unwrap() {
        LoginOutcome::SignedIn(s) => s,
        other => panic!("{other:?}"),
    }
}

async fn connect_second(r: &Rig) -> ShopSession {
    r.mgr
        .connect_hmac(
            demo::SECOND_SHOP_DOMAIN,
            Some(demo::SECOND_SHOP_NAME.into()),
            Secret::new(demo::SECOND_PUBLIC_TOKEN),
            Secret::new(demo::SECOND_PRIVATE_TOKEN),
        )
        .await
        .unwrap()
}

fn input(topic: &str, url: &str) -> WebhookInput {
    WebhookInput {
        topic: topic.into(),
        url: url.into(),
    }
}

#[tokio::test]
async fn webhooks_list_create_edit_delete() {
    let r = rig().await;
    let session = sign_in(&r, None).await;
    let client = r.mgr.client(&session.domain).await.unwrap();

    let empty = webhooks::overview(&client, &session).await.unwrap();
    assert!(empty.webhooks.is_empty());
    assert_eq!(empty.topics.len(), 4);
    assert!(empty.topics.iter().all(|t| t.allowed));

    // The docs' own example is http: accepted, with the warning.
    let saved = webhooks::create(
        &client,
        &session,
        &input("review/created", " http://api.trustoo.io/webhook "),
    )
    .await
    .unwrap();
    assert_eq!(saved.warning.as_deref(), Some(HTTP_WARNING));
    assert_eq!(saved.webhook.url, "http://api.trustoo.io/webhook");
    let listed = webhooks::overview(&client, &session).await.unwrap();
    assert_eq!(listed.webhooks, vec![saved.webhook.clone()]);

    let edited = webhooks::update(
        &client,
        &session,
        &saved.webhook.id,
        &input("review/deleted", "https://example.com/hooks/trustoo"),
    )
    .await
    .unwrap();
    assert_eq!(edited.warning, None);
    assert_eq!(edited.webhook.id, saved.webhook.id);
    assert_eq!(edited.webhook.topic, "review/deleted");
    let listed = webhooks::overview(&client, &session).await.unwrap();
    assert_eq!(listed.webhooks.len(), 1);
    assert_eq!(listed.webhooks[0].url, "https://example.com/hooks/trustoo");

    webhooks::delete(&client, &edited.webhook).await.unwrap();
    assert!(webhooks::overview(&client, &session)
        .await
        .unwrap()
        .webhooks
        .is_empty());
    // Deleting it again: Trustoo no longer has it, said plainly.
    let gone = webhooks::delete(&client, &edited.webhook)
        .await
        .unwrap_err();
    assert!(matches!(gone, WebhookError::NotFound(_)), "{gone:?}");
}

#[tokio::test]
async fn a_duplicate_and_a_refused_url_get_trustoos_reason_in_a_sentence() {
    let r = rig().await;
    let session = sign_in(&r, None).await;
    let client = r.mgr.client(&session.domain).await.unwrap();
    let hook = input("review/updated", "https://example.com/a");
    webhooks::create(&client, &session, &hook).await.unwrap();
    let dup = webhooks::create(&client, &session, &hook)
        .await
        .unwrap_err();
    assert!(matches!(dup, WebhookError::Duplicate(_)), "{dup:?}");
    assert_eq!(
        dup.to_string(),
        "Trustoo already has a “review/updated” webhook to this address, so nothing was changed."
    );

    // A URL our own check would stop, sent anyway: Trustoo's reason comes back as a sentence.
    let refused = client
        .create_webhook(WebhookTopic::ReviewCreated, "ftp://example.com/a")
        .await
        .unwrap_err();
    let refused = webhooks::refusal(refused, Some("review/created"));
    assert!(matches!(refused, WebhookError::Rejected(_)), "{refused:?}");
    assert_eq!(
        refused.to_string(),
        "Trustoo refused the webhook: url must be an http(s) URL."
    );
    // Our check stops it before any call.
    let before = webhooks::create(
        &client,
        &session,
        &input("review/created", "ftp://example.com/a"),
    )
    .await
    .unwrap_err();
    assert!(matches!(before, WebhookError::Invalid(_)), "{before:?}");
}

#[tokio::test]
async fn a_missing_scope_is_said_before_sending_and_when_trustoo_refuses() {
    let r = rig().await;
    // The merchant granted reading reviews only.
    let narrow = sign_in(&r, Some("read_reviews")).await;
    assert_eq!(narrow.scopes, ["read_reviews"]);
    let client = r.mgr.client(&narrow.domain).await.unwrap();

    let page = webhooks::overview(&client, &narrow).await.unwrap();
    assert!(page.topics.iter().all(|t| !t.allowed));
    assert!(page.topics[0]
        .refusal
        .as_deref()
        .unwrap()
        .contains("scope write_reviews"));
    let before = webhooks::create(
        &client,
        &narrow,
        &input("review/created", "https://example.com"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(before, WebhookError::MissingScope(_)),
        "{before:?}"
    );

    // A session that believes it has every scope: Trustoo itself refuses, and says which.
    let believes = ShopSession {
        auth_mode: AuthMode::Hmac,
        ..narrow.clone()
    };
    let refused = webhooks::create(
        &client,
        &believes,
        &input("customer_event/created", "https://example.com"),
    )
    .await
    .unwrap_err();
    match refused {
        WebhookError::MissingScope(s) => {
            assert!(s.contains("scope read_customer_events"), "{s}")
        }
        other => panic!("{other:?}"),
    }
}

/// Counts what the app's store was asked to forget.
#[derive(Default)]
struct FakeLocal(Mutex<Vec<String>>);

impl LocalData for FakeLocal {
    fn forget<'a>(&'a self, account: &'a reviewdesk_core::AccountKey) -> LocalFuture<'a> {
        assert_eq!(account.provider, reviewdesk_core::Provider::Trustoo);
        self.0.lock().unwrap().push(account.id.clone());
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test]
async fn disconnect_ends_the_authorization_and_removes_only_that_shops_keyring_entries() {
    let r = rig().await;
    let oauth = sign_in(&r, None).await;
    connect_second(&r).await;
    assert_eq!(r.store.len(), 2);

    let facts = r.mgr.shop_authorization(&oauth).await;
    assert!(facts.unavailable.is_empty(), "{:?}", facts.unavailable);
    let auth = facts.authorization.unwrap();
    assert!(auth.is_authorized);
    assert!(auth.authorized_at.is_some());
    assert!(auth
        .granted_scopes
        .iter()
        .any(|g| g.scope == "read_reviews" && g.words == "Read your reviews and ratings"));
    assert_eq!(auth.can_upload_video, Some(true));
    assert!(facts.installation.unwrap().is_installed);

    let local = FakeLocal::default();
    let report = r
        .mgr
        .disconnect(demo::SHOP_DOMAIN, LocalDataChoice::Delete(&local))
        .await;
    assert!(report.is_clean(), "{report:?}");
    let steps: Vec<_> = report.steps.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        steps,
        [
            SignOutStep::Disconnect,
            SignOutStep::RevokeRefreshToken,
            SignOutStep::RevokeAccessToken,
            SignOutStep::DeleteKeyringEntries,
            SignOutStep::ForgetShop,
            SignOutStep::DeleteLocalData,
        ]
    );
    assert_eq!(
        report.step(SignOutStep::Disconnect),
        Some(&StepResult::Done)
    );
    assert_eq!(local.0.lock().unwrap().as_slice(), [demo::SHOP_DOMAIN]);

    // That shop's entries are gone; the other shop's entry and session are untouched.
    for kind in [SecretKind::OAuth, SecretKind::Hmac] {
        assert!(r
            .store
            .get(&StoreKey::new(demo::SHOP_DOMAIN, kind))
            .unwrap()
            .is_none());
    }
    assert_eq!(r.store.len(), 1);
    assert!(r
        .store
        .get(&StoreKey::new(demo::SECOND_SHOP_DOMAIN, SecretKind::Hmac))
        .unwrap()
        .is_some());
    let shops = r.mgr.shops().await;
    assert_eq!(shops.len(), 1);
    assert_eq!(shops[0].session.domain, demo::SECOND_SHOP_DOMAIN);
    r.mgr.client(demo::SECOND_SHOP_DOMAIN).await.unwrap();

    // Trustoo no longer has ReviewDesk authorized for that shop.
    let after = r.mgr.shop_authorization(&oauth).await;
    assert!(!after.authorization.unwrap().is_authorized);
}

#[tokio::test]
async fn sign_out_revokes_but_leaves_the_authorization_and_a_token_shop_skips_disconnect() {
    let r = rig().await;
    let oauth = sign_in(&r, None).await;
    let hmac = connect_second(&r).await;

    let report = r.mgr.sign_out(demo::SHOP_DOMAIN).await;
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.step(SignOutStep::Disconnect), None);
    let facts = r.mgr.shop_authorization(&oauth).await;
    assert!(facts.authorization.unwrap().is_authorized);

    // A Public/Private Token shop has no platform authorization to end; its data is kept.
    let facts = r.mgr.shop_authorization(&hmac).await;
    assert!(facts.session_scopes.is_empty());
    assert!(!facts.authorization.unwrap().is_authorized);
    let report = r
        .mgr
        .disconnect(demo::SECOND_SHOP_DOMAIN, LocalDataChoice::Keep)
        .await;
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(
        report.step(SignOutStep::Disconnect),
        Some(&StepResult::Skipped)
    );
    assert_eq!(
        report.step(SignOutStep::KeepLocalData),
        Some(&StepResult::Done)
    );
    assert!(r.store.is_empty());
    assert!(r.mgr.shops().await.is_empty());
}
