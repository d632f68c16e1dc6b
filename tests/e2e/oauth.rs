//! The path most merchants take: sign in through the browser (OAuth with the consent page and a
//! deep link through `gio open`, not the token form), then work while Trustoo's hour-long access
//! token runs out. The first sync, an exclusion and an unsubscribe each meet an expired token in
//! the middle; each finishes after one refresh, and the sign-in screen never comes back.

use crate::support::{selected_id, toast_containing, SignInRig, WAIT};
use reviewdesk_core::ReviewId;
use reviewdesk_sandbox::state::lock;
use reviewdesk_sandbox::{demo, Sandbox};
use reviewdesk_tests::app::AppUnderTest;
use reviewdesk_tests::loop_until;
use reviewdesk_tests::merchant::{answer_consent, os_open};
use reviewdesk_trustoo::{Auth, ClientConfig, Secret, TrustooClient};
use serde_json::json;
use std::time::Duration;
const REVIEWS: usize = 600;

/// Lets `after` requests under `path` through, then ends every access token (as an hour would).
async fn expire_tokens_after(sandbox: &Sandbox, after: u64, path: &str) {
    let answer = reqwest::Client::new()
        .post(format!("{}/__sandbox/faults", sandbox.base_url()))
        .json(&json!({ "kind": "expire_tokens", "after": after, "path_prefix": path }))
        .send()
        .await
        .expect("arm the expiry");
    assert!(answer.status().is_success());
}

fn refreshes(sandbox: &Sandbox) -> u64 {
    lock(&sandbox.state().stats).token_refreshes
}

/// Fails the test if the window went back to the sign-in screen.
async fn still_signed_in(app: &AppUnderTest, when: &str) {
    let back = app
        .eval(
            "return document.querySelector('[data-testid=not-signed-in]') !== null;",
            vec![],
        )
        .await
        .expect("eval");
    assert_eq!(back, json!(false), "the sign-in screen came back {when}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oauth_merchant_syncs_excludes_and_unsubscribes_while_the_token_expires() {
    let rig = SignInRig::start(REVIEWS).await;
    let (sandbox, env) = (&rig.sandbox, &rig.env);
    let app = AppUnderTest::launch("oauth-work", env)
        .await
        .expect("launch");

    // Sign in through the browser, as a merchant does.
    let authorize_url = rig.start_sign_in(&app).await;
    let scope = url::Url::parse(&authorize_url)
        .expect("authorize URL")
        .query_pairs()
        .find(|(k, _)| k == "scope")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    assert!(
        scope.contains("write_customers"),
        "the sign-in asks for what exclusions need: {scope}"
    );
    // The token will run out after the first three pages of the first sync.
    expire_tokens_after(sandbox, 3, "/api/v1/openapi/get_reviews").await;
    let redirect = answer_consent(&authorize_url, "allow")
        .await
        .expect("consent");
    os_open(&redirect, app.home.path(), env).expect("deliver the redirect");
    app.text_of("shop-name", WAIT).await.expect("signed in");

    // The first sync refreshed once in the middle and stored every review.
    app.wait_for_js(
        "the first sync to store every review",
        &format!(
            "const t = document.querySelector('[data-testid=review-total]'); \
             return t && t.textContent.trim() === '{REVIEWS} reviews' && \
               !document.querySelector('[data-testid=sync-progress]');"
        ),
        Duration::from_secs(60),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(refreshes(sandbox), 1, "one refresh for the sync");
    still_signed_in(&app, "during the sync").await;
    app.screenshot("oauth-1-synced-after-refresh")
        .await
        .expect("shot");

    // Exclude the selected review's author (e); the token has just expired again.
    app.press("j").await.expect("j");
    let id = selected_id(&app).await;
    let direct = TrustooClient::new(ClientConfig::new(
        url::Url::parse(&sandbox.base_url()).expect("sandbox url"),
        Auth::Hmac {
            public_token: Secret::new(demo::PUBLIC_TOKEN),
            private_token: Secret::new(demo::PRIVATE_TOKEN),
        },
    ))
    .expect("client");
    let email = direct
        .get_review(&ReviewId(id))
        .await
        .expect("the review on Trustoo")
        .details
        .reviewer_email()
        .to_owned();
    assert!(!email.is_empty(), "the seeded review has an email");
    expire_tokens_after(sandbox, 0, "/api/v1/openapi/create_customer_exclude").await;
    app.press("e").await.expect("e");
    toast_containing(&app, "no more review requests").await;
    let excluded = sandbox.state().world().shops[0]
        .exclusions
        .iter()
        .any(|x| x.email == email);
    assert!(excluded, "{email} is on Trustoo's exclusion list");
    assert_eq!(refreshes(sandbox), 2, "one refresh for the exclusion");
    still_signed_in(&app, "after the exclusion").await;

    // Unsubscribe an address from the Exclusions page; the token expires once more.
    app.click("nav-exclusions", WAIT)
        .await
        .expect("exclusions page");
    app.text_of("exclusions-count", WAIT)
        .await
        .expect("the exclusion list loaded");
    expire_tokens_after(sandbox, 0, "/api/v1/openapi/email_unsubscribe").await;
    app.type_into("unsubscribe-email", "lea.martin@example.com", WAIT)
        .await
        .expect("email");
    app.click("unsubscribe", WAIT).await.expect("unsubscribe");
    let unsubscribed = loop_until(WAIT, || async {
        sandbox.state().world().shops[0]
            .unsubscribes
            .iter()
            .any(|(e, _, _)| e == "lea.martin@example.com")
            .then_some(())
    })
    .await;
    assert!(
        unsubscribed.is_some(),
        "the address is unsubscribed on Trustoo"
    );
    assert_eq!(refreshes(sandbox), 3, "one refresh for the unsubscribe");
    still_signed_in(&app, "after the unsubscribe").await;
    app.screenshot("oauth-2-unsubscribed").await.expect("shot");

    // Sign out, so the keyring the e2e tests share holds no tokens of this sandbox.
    app.click("shop-switcher", WAIT).await.expect("shop menu");
    app.click("sign-out", WAIT).await.expect("sign out");
    app.click("confirm-sign-out", WAIT)
        .await
        .expect("confirm sign-out");
    app.text_of("not-signed-in", WAIT)
        .await
        .expect("signed out");
    app.quit().await;
    rig.sandbox.shutdown().await;
}
