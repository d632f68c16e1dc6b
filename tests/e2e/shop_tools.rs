//! The shop tools with the real binary, signed in through the browser as a merchant is: a
//! webhook created, edited and deleted (each seen in the sandbox), the Requests page's count
//! for a status against the sandbox's orders, Analytics over twelve months against the
//! sandbox's event log, and "Disconnect ReviewDesk from this shop", which removes the shop's
//! keyring entries and nothing else.

use crate::support::{choose, thousands, SignInRig, WAIT};
use reviewdesk_sandbox::demo;
use reviewdesk_tests::app::AppUnderTest;
use reviewdesk_tests::merchant::{answer_consent, keyring_secret, os_open};
use serde_json::json;

/// The demo shop's webhooks as the sandbox holds them: (topic, url).
fn sandbox_webhooks(rig: &SignInRig) -> Vec<(String, String)> {
    let world = rig.sandbox.state().world();
    world.shops[0]
        .webhooks
        .iter()
        .map(|w| (w.topic.clone(), w.url.clone()))
        .collect()
}

/// Waits until the text of `test_id` is `want`.
async fn text_becomes(app: &AppUnderTest, test_id: &str, want: &str) {
    app.wait_for_js(
        &format!("{test_id} to read {want:?}"),
        &format!(
            "const e = document.querySelector('[data-testid={test_id}]'); \
             return !!e && e.textContent.trim() === {};",
            json!(want)
        ),
        WAIT,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
}

/// Waits until `check` (a Rust condition on the sandbox) holds.
async fn sandbox_shows(what: &str, check: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + WAIT;
    while !check() {
        assert!(
            std::time::Instant::now() < deadline,
            "the sandbox never showed {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_requests_analytics_and_disconnect_work_against_the_sandbox() {
    let rig = SignInRig::start(200).await;
    let env = &rig.env;
    let app = AppUnderTest::launch("shop-tools", env)
        .await
        .expect("launch");
    let authorize_url = rig.start_sign_in(&app).await;
    let redirect = answer_consent(&authorize_url, "allow")
        .await
        .expect("consent");
    os_open(&redirect, app.home.path(), env).expect("deliver the redirect");
    app.text_of("shop-name", WAIT).await.expect("signed in");

    // Webhooks: create, edit, delete; the sandbox sees each.
    app.click("nav-webhooks", WAIT)
        .await
        .expect("webhooks page");
    app.text_of("webhooks-empty", WAIT)
        .await
        .expect("no webhook yet");
    choose(&app, "webhook-topic", "review/created").await;
    app.type_into("webhook-url", "https://hooks.example.com/reviews", WAIT)
        .await
        .expect("url");
    app.click("save-webhook", WAIT).await.expect("save");
    app.text_of("webhook-row", WAIT).await.expect("listed");
    sandbox_shows("the new webhook", || {
        sandbox_webhooks(&rig)
            == vec![(
                "review/created".to_owned(),
                "https://hooks.example.com/reviews".to_owned(),
            )]
    })
    .await;
    app.screenshot("shop-tools-1-webhook-created")
        .await
        .expect("shot");

    app.click("edit-webhook", WAIT).await.expect("edit");
    app.eval(
        "const i = document.querySelector('[data-testid=webhook-url]'); i.value = ''; \
         i.dispatchEvent(new Event('input', { bubbles: true })); return true;",
        vec![],
    )
    .await
    .expect("clear the address");
    app.type_into("webhook-url", "https://hooks.example.com/v2/reviews", WAIT)
        .await
        .expect("new url");
    app.click("save-webhook", WAIT)
        .await
        .expect("save the edit");
    sandbox_shows("the edited webhook", || {
        sandbox_webhooks(&rig)
            .iter()
            .map(|(_, url)| url.as_str())
            .eq(["https://hooks.example.com/v2/reviews"])
    })
    .await;

    app.click("delete-webhook", WAIT).await.expect("delete");
    app.click("confirm-delete-webhook", WAIT)
        .await
        .expect("confirm the deletion");
    app.text_of("webhooks-empty", WAIT)
        .await
        .expect("the list is empty again");
    sandbox_shows("no webhook", || sandbox_webhooks(&rig).is_empty()).await;

    // Requests: the count of sent requests is the sandbox's (status 3, "sent").
    let sent = {
        let world = rig.sandbox.state().world();
        world.shops[0]
            .orders
            .iter()
            .filter(|o| o.status == 3)
            .count()
    };
    assert!(sent > 0, "the sandbox has sent requests");
    app.click("nav-requests", WAIT)
        .await
        .expect("requests page");
    // The list re-renders as the refresh brings orders: wait for a row, not one element.
    app.wait_for_js(
        "orders listed",
        "return document.querySelectorAll('[data-testid=order-row]').length > 0;",
        WAIT,
    )
    .await
    .expect("orders listed");
    choose(&app, "requests-status", "sent").await;
    text_becomes(
        &app,
        "requests-count",
        &format!("{} requests", thousands(sent as u64)),
    )
    .await;
    app.screenshot("shop-tools-2-requests").await.expect("shot");

    // Analytics for twelve months: the sandbox's events in the page's window (UTC days, the
    // last 365 ending today; the sandbox's year of events ends on a fixed day).
    const DAY: i64 = 86_400;
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
        / DAY
        * DAY;
    let from = today - 364 * DAY;
    let events = rig.sandbox.state().world().shops[0]
        .events
        .iter()
        .filter(|e| e.created >= from && e.created < today + DAY)
        .count();
    assert!(events > 1000, "months of widget events: {events}");
    app.click("nav-analytics", WAIT)
        .await
        .expect("analytics page");
    app.click("preset-365", WAIT).await.expect("twelve months");
    text_becomes(
        &app,
        "analytics-total",
        &format!("{} events", thousands(events as u64)),
    )
    .await;
    app.wait_for_js(
        "the chart",
        "return document.querySelectorAll('[data-testid=timeline-column]').length > 0;",
        WAIT,
    )
    .await
    .expect("the chart");
    app.screenshot("shop-tools-3-analytics")
        .await
        .expect("shot");

    // Disconnect, deleting the local data: the keyring entries go, the shop leaves the
    // switcher, the sign-in screen comes back.
    let entry = format!("{}/oauth", demo::SHOP_DOMAIN);
    assert!(
        keyring_secret(&entry).expect("secret-tool").is_some(),
        "signed in: the shop's entry is in the keyring"
    );
    app.click("nav-shop", WAIT).await.expect("shop page");
    app.text_of("shop-connection", WAIT)
        .await
        .expect("how ReviewDesk is connected");
    app.screenshot("shop-tools-4-shop").await.expect("shot");
    app.click("shop-disconnect", WAIT)
        .await
        .expect("disconnect");
    app.click("delete-local-data", WAIT)
        .await
        .expect("delete the local data too");
    app.click("confirm-disconnect", WAIT)
        .await
        .expect("confirm");
    app.text_of("not-signed-in", WAIT)
        .await
        .expect("back to the sign-in screen");
    assert_eq!(
        keyring_secret(&entry).expect("secret-tool"),
        None,
        "the shop's keyring entry is gone"
    );
    app.quit().await;
}
