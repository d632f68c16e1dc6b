//! Sign-in through the browser and a deep link, with the real OS pieces: the app opens the
//! "browser" (a recording stand-in), the test clicks Allow on the sandbox's consent page like the
//! merchant, and `gio open` delivers the redirect through the OS to the running app. Tokens must
//! then be in the Secret Service and nowhere in the app's files or logs.

use crate::support::{SignInRig, WAIT};
use reviewdesk_sandbox::{demo, Sandbox};
use reviewdesk_tests::app::AppUnderTest;
use reviewdesk_tests::merchant::{answer_consent, files_containing, keyring_secret, os_open};
use std::time::Duration;

async fn token_status(sandbox: &Sandbox, token: &str) -> String {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "{}/__sandbox/state/token_status",
            sandbox.base_url()
        ))
        .json(&serde_json::json!({ "token": token }))
        .send()
        .await
        .expect("token_status")
        .json()
        .await
        .expect("token_status json");
    answer["status"].as_str().unwrap_or_default().to_owned()
}

/// True once the app's shop list (`$XDG_DATA_HOME/<identifier>/shops.json`, with the data
/// home the harness gives the app under `home`) names `domain`.
fn shop_listed(home: &std::path::Path, domain: &str) -> bool {
    std::fs::read_to_string(home.join("data/io.reviewdesk.desktop/shops.json"))
        .is_ok_and(|list| list.contains(domain))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sign_in_reaches_the_running_app_and_keeps_tokens_in_the_keyring() {
    let rig = SignInRig::start(300).await;
    let (sandbox, env) = (&rig.sandbox, &rig.env);
    let app = AppUnderTest::launch("signin", env).await.expect("launch");

    // Signed out at first: the sign-in screen.
    app.text_of("not-signed-in", WAIT)
        .await
        .expect("sign-in screen");
    app.screenshot("signin-1-signed-out").await.expect("shot");
    let authorize_url = rig.start_sign_in(&app).await;
    assert!(
        authorize_url.contains("code_challenge_method=S256"),
        "PKCE is sent"
    );
    app.screenshot("signin-2-waiting").await.expect("shot");

    // A forged callback (wrong state) is refused on screen and the app stays up.
    os_open(
        "reviewdesk://oauth/callback?code=AAAA&state=forged-state",
        app.home.path(),
        env,
    )
    .expect("deliver forged link");
    let toast = app.text_of("toast", WAIT).await.expect("a visible refusal");
    assert!(
        toast.contains("ignored"),
        "toast says the link was ignored: {toast}"
    );

    // The merchant approves in the browser; the browser hands the redirect to the OS.
    let redirect = answer_consent(&authorize_url, "allow")
        .await
        .expect("consent");
    os_open(&redirect, app.home.path(), env).expect("deliver the redirect");

    // The running app finishes the sign-in and shows the shop.
    let shop = app.text_of("shop-name", WAIT).await.expect("signed in");
    assert_eq!(shop, demo::SHOP_NAME);
    app.text_of("rating-average", WAIT)
        .await
        .expect("the shop's data");
    app.screenshot("signin-3-signed-in").await.expect("shot");

    // The tokens are in the Secret Service, and they work on the sandbox.
    let blob = keyring_secret(&format!("{}/oauth", demo::SHOP_DOMAIN))
        .expect("secret-tool")
        .expect("an OAuth entry in the keyring");
    let stored: serde_json::Value = serde_json::from_str(&blob).expect("keyring entry is JSON");
    let access = stored["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();
    let refresh = stored["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned();
    assert_eq!(token_status(sandbox, &access).await, "active");

    // No token in any file of the app (data, config, cache, the handler registration) or its
    // log.
    for token in [&access, &refresh] {
        let leaks = files_containing(app.home.path(), token);
        assert!(leaks.is_empty(), "a token was written to {leaks:?}");
        let log = std::fs::read_to_string(app.log_path()).unwrap_or_default();
        assert!(!log.is_empty(), "the app's log was captured");
        assert!(!log.contains(token.as_str()), "a token is in the log");
    }

    // Sign out from the shop menu: keyring entries gone, tokens revoked on the sandbox.
    app.click("shop-switcher", WAIT)
        .await
        .expect("shop-switcher");
    app.click("sign-out", WAIT).await.expect("sign-out");
    app.click("confirm-sign-out", WAIT)
        .await
        .expect("confirm-sign-out");
    app.text_of("not-signed-in", WAIT)
        .await
        .expect("signed out");
    app.screenshot("signin-4-signed-out-again")
        .await
        .expect("shot");
    assert_eq!(
        keyring_secret(&format!("{}/oauth", demo::SHOP_DOMAIN)).expect("secret-tool"),
        None,
        "sign-out leaves no keyring entry"
    );
    assert_eq!(token_status(sandbox, &access).await, "revoked");
    assert_eq!(token_status(sandbox, &refresh).await, "revoked");

    app.quit().await;
    rig.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sign_in_completes_when_the_app_was_closed_meanwhile() {
    let rig = SignInRig::start(300).await;
    let (sandbox, env) = (&rig.sandbox, &rig.env);
    // The merchant closes ReviewDesk while the browser is open.
    let (home, redirect) = rig.sign_in_then_close("signin-cold").await;
    // The OS starts ReviewDesk afresh with the redirect (cold start).
    os_open(&redirect, home.path(), env).expect("deliver the redirect");
    let user = format!("{}/oauth", demo::SHOP_DOMAIN);
    let start = std::time::Instant::now();
    let blob = loop {
        if let Some(blob) = keyring_secret(&user).expect("secret-tool") {
            break blob;
        }
        assert!(
            start.elapsed() < WAIT,
            "the cold-started app did not finish the sign-in"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let stored: serde_json::Value = serde_json::from_str(&blob).expect("keyring entry is JSON");
    let access = stored["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();
    assert_eq!(token_status(sandbox, &access).await, "active");
    // The tokens go to the keyring a moment before the shop list is written: wait for both
    // before closing the app, as a merchant would see the shop appear first.
    let start = std::time::Instant::now();
    while !shop_listed(home.path(), demo::SHOP_DOMAIN) {
        assert!(
            start.elapsed() < WAIT,
            "the shop was never added to the shop list"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    reviewdesk_tests::app::stop_app_instances().await;

    // Next start: the shop comes back from the keyring, signed in.
    let app = AppUnderTest::relaunch("signin-cold-again", env, home)
        .await
        .expect("relaunch");
    let shop = app.text_of("shop-name", WAIT).await.expect("restored shop");
    assert_eq!(shop, demo::SHOP_NAME);
    app.text_of("rating-average", WAIT)
        .await
        .expect("the shop's data");
    app.screenshot("signin-5-cold-start-restored")
        .await
        .expect("shot");
    let leaks = files_containing(app.home.path(), &access);
    assert!(leaks.is_empty(), "a token was written to {leaks:?}");
    app.quit().await;
    rig.sandbox.shutdown().await;
}
