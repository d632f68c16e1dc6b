//! The review inbox with the real binary on the sandbox's demo shop: the first sync fills the
//! local store, the merchant filters to 1★, opens a review and deletes it with the keyboard,
//! excludes an author, then deletes one more while Trustoo is unreachable and sees it sent once
//! when Trustoo is back. Every outcome is checked on the sandbox's side too.

use crate::support::{id_of, resize_page, selected_id, LAYOUT_PROBLEMS, WAIT, WIDTHS};
use reviewdesk_core::ReviewId;
use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use reviewdesk_tests::app::AppUnderTest;
use reviewdesk_tests::loop_until;
use reviewdesk_trustoo::{Auth, ClientConfig, RatingQuery, Secret, TrustooClient};
use serde_json::{json, Value};
use std::time::Duration;

/// The WebDriver code of the Enter key.
const ENTER: &str = "\u{E007}";

/// `GET` a sandbox control endpoint (`/__sandbox/…`).
async fn control(sandbox: &Sandbox, path: &str) -> Value {
    reqwest::get(format!("{}/__sandbox/{path}", sandbox.base_url()))
        .await
        .expect("sandbox control")
        .json()
        .await
        .expect("sandbox control json")
}

/// How often the sandbox's deletion record holds review `id`.
async fn times_deleted(sandbox: &Sandbox, id: &str) -> usize {
    let record = control(sandbox, "state/deleted_reviews").await;
    record["list"]
        .as_array()
        .map(|list| list.iter().filter(|r| id_of(&r["id"]) == id).count())
        .unwrap_or(0)
}

/// Waits until no row of review `id` is in the list.
async fn wait_row_gone(app: &AppUnderTest, id: &str, what: &str) {
    app.wait_for_js(
        what,
        &format!(
            "return document.querySelector('[data-testid=review-row][data-review-id=\"{id}\"]') \
             ? null : true;"
        ),
        WAIT,
    )
    .await
    .expect(what);
}

/// Waits until the list's total reads `text`.
async fn wait_total(app: &AppUnderTest, text: &str, within: Duration) {
    app.wait_for_js(
        &format!("the list total to read {text}"),
        &format!(
            "const t = document.querySelector('[data-testid=review-total]'); \
             return t && t.textContent.trim() === '{text}' && \
               !document.querySelector('[data-testid=sync-progress]');"
        ),
        within,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_delete_exclude_and_replay_after_an_outage() {
    let sandbox = Sandbox::start(
        SandboxConfig {
            reviews: 400,
            ..SandboxConfig::default()
        },
        0,
    )
    .await
    .expect("sandbox starts");
    let direct = TrustooClient::new(ClientConfig::new(
        url::Url::parse(&sandbox.base_url()).expect("sandbox url"),
        Auth::Hmac {
            public_token: Secret::new(demo::PUBLIC_TOKEN.to_owned()),
            private_token: Secret::new(demo::PRIVATE_TOKEN.to_owned()),
        },
    ))
    .expect("client");
    let rating = direct.get_rating(RatingQuery::all()).await.expect("rating");
    let one_star = rating.stars[0];
    assert!(one_star >= 3, "the seed has a few 1★ reviews ({one_star})");

    let app = AppUnderTest::launch(
        "inbox",
        &[
            ("REVIEWDESK_API_BASE", sandbox.base_url()),
            ("REVIEWDESK_DEMO", "1".to_owned()),
        ],
    )
    .await
    .expect("app launches");

    // The first sync brings the whole shop into the local store.
    wait_total(
        &app,
        &format!("{} reviews", rating.count),
        Duration::from_secs(90),
    )
    .await;
    app.screenshot("inbox-1-synced").await.expect("shot");

    // Filter to 1★: only 1★ rows, as many as Trustoo counts.
    app.click("filter-rating-1", WAIT).await.expect("1★ filter");
    wait_total(&app, &format!("{one_star} reviews"), WAIT).await;
    let ratings = app
        .eval(
            "return [...document.querySelectorAll('[data-testid=review-row]')] \
               .map(r => r.dataset.rating);",
            vec![],
        )
        .await
        .expect("row ratings");
    let ratings = ratings.as_array().cloned().unwrap_or_default();
    assert!(!ratings.is_empty(), "rows are shown");
    assert!(
        ratings.iter().all(|r| r == "1"),
        "only 1★ rows after filtering: {ratings:?}"
    );

    // Open the first one and delete it with the keyboard (d, then Enter to confirm).
    app.client
        .find(fantoccini::Locator::Css(
            "[data-testid=\"review-row\"][data-index=\"0\"]",
        ))
        .await
        .expect("first row")
        .click()
        .await
        .expect("open the first row");
    let first = selected_id(&app).await;
    app.text_of("detail-title", WAIT)
        .await
        .expect("detail pane");
    app.screenshot("inbox-2-detail").await.expect("shot");
    app.press("d").await.expect("d");
    app.text_of("confirm-delete-text", WAIT)
        .await
        .expect("the confirmation names the count");
    app.press(ENTER).await.expect("Enter");
    wait_row_gone(&app, &first, "the deleted review to leave the list").await;
    wait_total(&app, &format!("{} reviews", one_star - 1), WAIT).await;
    assert_eq!(
        times_deleted(&sandbox, &first).await,
        1,
        "deleted on Trustoo"
    );

    // Exclude the next review's author from review requests (e).
    let second = selected_id(&app).await;
    let review = direct
        .get_review(&ReviewId(second.clone()))
        .await
        .expect("the review on Trustoo");
    app.press("e").await.expect("e");
    let email = review.details.reviewer_email().to_owned();
    let excluded = loop_until(WAIT, || async {
        let state = control(&sandbox, "state/exclusions").await;
        state["list"].as_array().and_then(|list| {
            list.iter()
                .find(|x| x["email"].as_str() == Some(email.as_str()))
                .cloned()
        })
    })
    .await;
    assert!(excluded.is_some(), "{email} is in Trustoo's exclusion list");

    // Trustoo goes away; a delete is queued and shown as waiting.
    let http = reqwest::Client::new();
    http.post(format!("{}/__sandbox/faults", sandbox.base_url()))
        .json(&json!({ "kind": "offline" }))
        .send()
        .await
        .expect("go offline");
    app.press("j").await.expect("j");
    let third = selected_id(&app).await;
    assert_ne!(third, second, "j moved to another review");
    app.press("d").await.expect("d");
    app.text_of("confirm-delete-text", WAIT)
        .await
        .expect("confirm");
    app.press(ENTER).await.expect("Enter");
    let waiting = app
        .text_of("pending-actions", WAIT)
        .await
        .expect("the queued delete is shown");
    assert!(waiting.starts_with("1 action"), "{waiting}");
    app.screenshot("inbox-3-offline-queued")
        .await
        .expect("shot");
    assert_eq!(times_deleted(&sandbox, &third).await, 0);

    // Trustoo is back: the queued delete is sent, exactly once.
    http.delete(format!("{}/__sandbox/faults", sandbox.base_url()))
        .send()
        .await
        .expect("back online");
    app.click("sync-now", WAIT).await.expect("sync now");
    let sent = loop_until(Duration::from_secs(60), || async {
        (times_deleted(&sandbox, &third).await > 0).then_some(())
    })
    .await;
    assert!(sent.is_some(), "the queued delete reached Trustoo");
    app.wait_for_js(
        "the waiting note to clear",
        "return !document.querySelector('[data-testid=pending-actions]');",
        WAIT,
    )
    .await
    .expect("nothing waits any more");
    wait_row_gone(&app, &third, "the replayed delete's row to leave").await;
    // Another sync must not send it again.
    app.click("sync-now", WAIT).await.expect("sync again");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(times_deleted(&sandbox, &third).await, 1, "replayed once");
    app.screenshot("inbox-4-replayed").await.expect("shot");

    app.quit().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_fits_screens_1024_1280_and_1920_px_wide() {
    // As many reviews as a big shop, so the counts are as wide as they get in practice.
    let sandbox = Sandbox::start(
        SandboxConfig {
            reviews: 100_000,
            ..SandboxConfig::default()
        },
        0,
    )
    .await
    .expect("sandbox starts");
    let app = AppUnderTest::launch(
        "layout",
        &[
            ("REVIEWDESK_API_BASE", sandbox.base_url()),
            ("REVIEWDESK_DEMO", "1".to_owned()),
        ],
    )
    .await
    .expect("app launches");
    // The first sync ends ("Last synced" shows) and a review is open in the detail pane.
    app.wait_for_js(
        "the first sync to end",
        "return !!document.querySelector('[data-testid=last-synced]') && \
           !document.querySelector('[data-testid=sync-progress]');",
        Duration::from_secs(300),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    app.click("review-row", WAIT).await.expect("a row");
    app.text_of("detail-title", WAIT).await.expect("detail");

    let mut failures = Vec::new();
    for width in WIDTHS {
        resize_page(&app, width).await;
        app.screenshot(&format!("layout-inbox-{width}"))
            .await
            .expect("shot");
        let measured = app
            .eval(LAYOUT_PROBLEMS, vec![])
            .await
            .expect("layout measured");
        assert_eq!(measured["width"], width, "{measured}");
        for problem in measured["problems"].as_array().into_iter().flatten() {
            failures.push(format!(
                "at {width} px: {}",
                problem.as_str().unwrap_or("?")
            ));
        }
    }
    app.quit().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
