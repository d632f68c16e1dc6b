//! The review inbox with the real binary on the sandbox's demo shop: the first sync fills the
//! local store, the merchant filters to 1★, opens a review and deletes it with the keyboard,
//! excludes an author, then deletes one more while Trustoo is unreachable and sees it sent once
//! when Trustoo is back. Every outcome is checked on the sandbox's side too.

use crate::support::{id_of, selected_id};
use reviewdesk_core::ReviewId;
use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use reviewdesk_tests::app::AppUnderTest;
use reviewdesk_tests::loop_until;
use reviewdesk_trustoo::{Auth, ClientConfig, RatingQuery, Secret, TrustooClient};
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);
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

/// Widths of the screens the main screens are laid out for (a small laptop, the common one,
/// full HD), with the window as tall as a laptop's.
const WIDTHS: [u32; 3] = [1024, 1280, 1920];
const HEIGHT: u32 = 760;

/// Everything on the inbox that does not fit at the current width, measured in the page:
/// overlapping parts of the rating strip, a filter bar on more than one row, detail actions on
/// more than one row, a "Last synced" on more than one line, product names cut to a few letters,
/// a clipped "Review id", and a page wider than the window. Empty when it all fits.
const LAYOUT_PROBLEMS: &str = r#"
const problems = [];
const all = (sel) => [...document.querySelectorAll(sel)];
const one = (sel) => document.querySelector(sel);
const shown = (el) => { const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0; };
const name = (el) => ((el.dataset && el.dataset.testid) || el.getAttribute('class') || el.tagName) + ' "' + el.textContent.trim().slice(0, 24) + '"';
const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
const oneRow = (els) => { const bs = els.filter(shown).map((e) => e.getBoundingClientRect());
  return bs.length === 0 || Math.max(...bs.map((b) => b.top)) < Math.min(...bs.map((b) => b.bottom)); };
// The rating strip: no two of its texts and bars drawn over each other, none outside the strip.
const strip = one('[aria-label="Rating summary"]');
if (!strip) problems.push('no rating strip');
else {
  const parts = [...strip.querySelectorAll('[data-testid=rating-average], [data-testid=rating-count], [data-testid=rating-scope], [data-testid^=rating-bar-] > *')].filter(shown);
  const sb = strip.getBoundingClientRect();
  for (let i = 0; i < parts.length; i++) {
    const a = parts[i].getBoundingClientRect();
    if (a.left < sb.left - 1 || a.right > sb.right + 1) problems.push(name(parts[i]) + ' sticks out of the rating strip');
    for (let j = i + 1; j < parts.length; j++)
      if (overlap(a, parts[j].getBoundingClientRect())) problems.push(name(parts[i]) + ' overlaps ' + name(parts[j]));
  }
}
const bar = one('[data-testid=filter-bar]');
if (!bar || !oneRow([...bar.children])) problems.push('the filter bar wraps onto more than one row');
else if (bar.scrollWidth > bar.clientWidth + 1) problems.push('the filter bar hides ' + (bar.scrollWidth - bar.clientWidth) + ' px of its chips');
for (const sel of bar ? bar.querySelectorAll('select') : []) {
  // The drop-down arrow is drawn 10-14 px from the right edge: the text must stop before it.
  const right = parseFloat(getComputedStyle(sel).paddingRight);
  if (right < 18) problems.push('the ' + sel.getAttribute('aria-label') + ' menu draws its text under its arrow (' + right + ' px right padding)');
}
const actions = one('[data-testid=detail-actions]');
if (!actions) problems.push('no detail actions (no review selected)');
else if (!oneRow([...actions.children])) problems.push('the detail actions wrap (' + [...actions.children].map((b) => b.textContent.trim() + '@' + Math.round(b.getBoundingClientRect().top)).join(', ') + ')');
const synced = one('[data-testid=last-synced]');
if (!synced) problems.push('no "Last synced"');
else {
  // Lines of its text: the distinct tops of the text's boxes (the span itself is one block).
  const range = document.createRange();
  range.selectNodeContents(synced);
  const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  if (lines !== 1) problems.push('"' + synced.textContent.trim() + '" takes ' + lines + ' lines');
  const nav = synced.closest('nav');
  if (nav && range.getBoundingClientRect().right > nav.getBoundingClientRect().right) problems.push('"' + synced.textContent.trim() + '" sticks out of the sidebar');
}
const products = all('[data-testid=row-product]').filter(shown);
if (products.length === 0) problems.push('no product names in the rows');
for (const p of products.slice(0, 12)) {
  const full = p.scrollWidth, seen = p.clientWidth;
  if (full > seen + 1 && seen < 110) problems.push('product "' + p.textContent.trim() + '" cut to ' + seen + ' px of ' + full);
}
const idLabel = one('[data-testid=review-id-label]');
if (!idLabel) problems.push('no "Review id"');
else if (idLabel.scrollWidth > idLabel.clientWidth + 1) problems.push('"Review id" is cut off (' + idLabel.clientWidth + ' of ' + idLabel.scrollWidth + ' px)');
if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push('the page is ' + document.documentElement.scrollWidth + ' px wide in a ' + window.innerWidth + ' px window');
return { width: window.innerWidth, problems };
"#;

/// Makes the page `width` × [`HEIGHT`] CSS pixels (the window may add a frame around it).
async fn resize_page(app: &AppUnderTest, width: u32) {
    app.client
        .set_window_size(width, HEIGHT)
        .await
        .expect("set window size");
    let inner = app
        .eval("return window.innerWidth;", vec![])
        .await
        .expect("inner width")
        .as_u64()
        .unwrap_or(u64::from(width));
    if inner != u64::from(width) {
        let frame = u64::from(width).abs_diff(inner) as u32;
        app.client
            .set_window_size(width + frame, HEIGHT)
            .await
            .expect("set window size");
    }
    app.wait_for_js(
        &format!("the page to be {width} px wide"),
        &format!("return window.innerWidth === {width};"),
        WAIT,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
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
