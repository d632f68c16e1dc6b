//! Deep links that start the app (cold start), with the real binary: the OS runs ReviewDesk
//! with the link as its only argument, and a second link may arrive through single-instance
//! while the first process is still starting. Each link must end up handled as a running app
//! handles it: a refused link is told to the merchant, a link with bytes that are not UTF-8 is
//! refused without taking the app down, and a second link never costs the genuine sign-in.

use crate::support::{toast_containing, SignInRig, WAIT};
use reviewdesk_sandbox::demo;
use reviewdesk_tests::app::{shell_quote, AppUnderTest};
use reviewdesk_tests::merchant::keyring_secret;

fn fresh_home() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("reviewdesk-e2e-")
        .tempdir()
        .expect("home")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_link_that_starts_the_app_is_shown_once_the_window_listens() {
    let rig = SignInRig::start(50).await;
    let env = rig.env.clone();
    // No sign-in was started: the link is forged. The OS starts ReviewDesk with it.
    let app = AppUnderTest::relaunch_with_argument(
        "cold-refused",
        &env,
        fresh_home(),
        std::ffi::OsStr::new("reviewdesk://oauth/callback?code=AAAA&state=forged-state"),
    )
    .await
    .expect("the app starts");
    let toast = toast_containing(&app, "ignored a sign-in link").await;
    assert!(
        toast.contains("No sign-in is in progress"),
        "the notice says why: {toast}"
    );
    app.text_of("not-signed-in", WAIT)
        .await
        .expect("the sign-in screen");
    app.screenshot("cold-link-1-refused").await.expect("shot");
    app.quit().await;
    rig.sandbox.shutdown().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_with_a_byte_that_is_not_utf8_is_refused_and_the_app_starts() {
    use std::os::unix::ffi::OsStrExt;
    let rig = SignInRig::start(50).await;
    let env = rig.env.clone();
    // A raw 0xFF in the argument (not `%FF`, which is plain ASCII).
    let link = std::ffi::OsStr::from_bytes(b"reviewdesk://oauth/callback?code=\xFF&state=x");
    let app = AppUnderTest::relaunch_with_argument("cold-not-utf8", &env, fresh_home(), link)
        .await
        .expect("the app starts (it used to panic in the deep-link plugin)");
    let toast = toast_containing(&app, "ignored a sign-in link").await;
    assert!(toast.contains("malformed"), "the notice says why: {toast}");
    app.text_of("not-signed-in", WAIT)
        .await
        .expect("the sign-in screen");
    app.screenshot("cold-link-2-not-utf8").await.expect("shot");

    // The running app gets the same link from a second launch (single-instance forwards it with
    // the bad byte replaced): refused the same way, and the app stays up.
    app.eval(
        "document.querySelectorAll('[data-testid=\"toast\"] button.close')\
           .forEach((b) => b.click()); return true;",
        vec![],
    )
    .await
    .expect("dismiss the toasts");
    let harness = reviewdesk_tests::app::Harness::from_env().expect("harness");
    let status = std::process::Command::new(&harness.app)
        .arg(link)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("XDG_DATA_HOME", app.home.path().join("data"))
        .env("XDG_CONFIG_HOME", app.home.path().join("config"))
        .env("XDG_CACHE_HOME", app.home.path().join("cache"))
        .status()
        .expect("second launch");
    assert!(status.success(), "the second launch hands over: {status}");
    let toast = toast_containing(&app, "ignored a sign-in link").await;
    assert!(toast.contains("malformed"), "the notice says why: {toast}");
    app.text_of("not-signed-in", WAIT)
        .await
        .expect("still the sign-in screen");
    app.quit().await;
    rig.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_link_right_after_the_callback_does_not_lose_a_cold_start_sign_in() {
    let rig = SignInRig::start(50).await;
    let env = rig.env.clone();

    // The merchant starts a sign-in, then closes ReviewDesk while the browser is open.
    let (home, redirect) = rig.sign_in_then_close("cold-double-start").await;

    // The browser hands the redirect to the OS, and at once a second link follows (a browser
    // that sends twice, a forged link), both through `gio open`: the first starts ReviewDesk,
    // the second starts another process that hands its link over while the first is starting.
    let forged = "reviewdesk://oauth/callback?code=AAAA&state=forged-state";
    let name_owned = b"gdbus call --session --dest org.freedesktop.DBus \
          --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.NameHasOwner \
          io.reviewdesk.desktop.SingleInstance | grep -q true";
    let body = [
        b"gio open ".as_slice(),
        &shell_quote(redirect.as_bytes()),
        b"\ngio open ",
        &shell_quote(forged.as_bytes()),
        // Whichever process became the running instance is the one WebDriver drives (it got
        // the automation address through the environment); stay as long as it runs.
        b"\nuntil ",
        name_owned,
        b"; do sleep 0.1; done\nwhile ",
        name_owned,
        b"; do sleep 1; done\n",
    ]
    .concat();
    let app = AppUnderTest::relaunch_through("cold-double", &env, home, &body)
        .await
        .expect("the app starts");

    // The genuine sign-in completes; the second link is refused out loud.
    let shop = app
        .text_of("shop-name", WAIT)
        .await
        .expect("signed in despite the second link");
    assert_eq!(shop, demo::SHOP_NAME);
    toast_containing(&app, "ignored a sign-in link").await;
    assert!(
        keyring_secret(&format!("{}/oauth", demo::SHOP_DOMAIN))
            .expect("secret-tool")
            .is_some(),
        "the tokens are in the keyring"
    );
    app.screenshot("cold-link-3-double").await.expect("shot");
    app.quit().await;
    // The keyring is shared by every test of the run: leave no entry for the next one.
    forget_keyring_entry(&format!("{}/oauth", demo::SHOP_DOMAIN));
    rig.sandbox.shutdown().await;
}

/// Deletes one ReviewDesk entry from the Secret Service (`secret-tool clear`).
fn forget_keyring_entry(user: &str) {
    let status = std::process::Command::new("secret-tool")
        .args([
            "clear",
            "service",
            "io.reviewdesk.desktop",
            "username",
            user,
        ])
        .status()
        .expect("secret-tool");
    assert!(status.success(), "secret-tool clear: {status}");
    assert_eq!(keyring_secret(user).expect("secret-tool"), None);
}
