//! The review composer with the real binary on the sandbox's demo shop: two photos and a video
//! are attached through the app's drop path (the test emits the same `tauri://drag-drop` event,
//! with real paths, that Tauri's native handler emits), uploaded for real with progress bars,
//! and the review is created once; the merchant then finds it in the inbox with its thumbnails.
//! Screenshots mid-upload and after go to `target/e2e-shots`.

use reviewdesk_media::samples::{self, mp4};
use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use reviewdesk_tests::app::AppUnderTest;
use reviewdesk_trustoo::{Auth, ClientConfig, ReviewQuery, Secret, TrustooClient};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

fn png(w: u32, h: u32, tint: u8) -> Vec<u8> {
    samples::image(samples::ImageFormat::Png, w, h, tint).expect("png")
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    samples::image(samples::ImageFormat::Jpeg, w, h, 90).expect("jpeg")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write sample file");
    p.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_two_photos_and_a_video_by_drop_and_publish_the_review() {
    let sandbox = Sandbox::start(
        SandboxConfig {
            reviews: 200,
            ..SandboxConfig::default()
        },
        0,
    )
    .await
    .expect("sandbox starts");
    let base = sandbox.base_url();
    let files = tempfile::tempdir().expect("tempdir");
    let photo_a = png(800, 600, 40);
    let photo_b = jpeg(640, 480);
    let video = mp4(24 << 20);
    let paths = vec![
        write(files.path(), "IMG_2231.png", &photo_a),
        write(files.path(), "IMG_2232.jpg", &photo_b),
        write(files.path(), "unboxing.mp4", &video),
    ];
    let content = format!(
        "Sent by email with photos, imported by ReviewDesk {}",
        std::process::id()
    );
    let product = demo::product_ids()[0].to_string();

    let app = AppUnderTest::launch(
        "composer",
        &[
            ("REVIEWDESK_API_BASE", base.clone()),
            ("REVIEWDESK_DEMO", "1".to_owned()),
        ],
    )
    .await
    .expect("app launches under WebDriver");

    // The first sync may re-render the workspace just after the click (once, under load, the
    // page went back to the inbox): the composer is asked for until it is on screen.
    app.wait_for_js(
        "the composer on screen",
        "if (document.querySelector('[data-testid=new-review]')) return true; \
         document.querySelector('[data-testid=nav-compose]')?.click(); return false;",
        WAIT,
    )
    .await
    .expect("nav");
    app.click("new-review", WAIT).await.expect("new review");
    app.click("product-search", WAIT).await.expect("picker");
    app.click(&format!("product-{product}"), WAIT)
        .await
        .expect("the demo product is offered");
    // The star is a small button in a radio group; click it the way the page does.
    app.eval(
        "document.querySelector('[data-testid=rating-4]').click(); return true;",
        vec![],
    )
    .await
    .expect("rating");
    app.type_into("author", "Mina Oduya", WAIT)
        .await
        .expect("author");
    app.type_into("title", "Warm and light", WAIT)
        .await
        .expect("title");
    app.type_into("content", &content, WAIT)
        .await
        .expect("content");

    // The drop: the event Tauri's native drag-and-drop handler emits, with real paths.
    app.eval(
        "window.__TAURI_INTERNALS__.invoke('plugin:event|emit', { event: 'tauri://drag-drop', \
         payload: { paths: arguments[0], position: { x: 900, y: 300 } } }); return true;",
        vec![json!(paths)],
    )
    .await
    .expect("drop injected");
    app.wait_for_js(
        "three attachments with photo thumbnails",
        "const imgs = document.querySelectorAll('[data-testid^=attachment-] img[src^=\"data:image/jpeg\"]'); \
         return document.querySelector('[data-testid=attachment-2] [data-testid=video-tile]') && imgs.length === 2;",
        WAIT,
    )
    .await
    .expect("attachments shown");
    app.wait_for_js(
        "the draft saved",
        "const e = document.querySelector('[data-testid=draft-saved]'); return e && e.textContent.includes('Draft saved');",
        WAIT,
    )
    .await
    .expect("draft saved");

    // Hold the video's PUT for a few seconds so the screen can be caught mid-upload.
    let v: Value = reqwest::Client::new()
        .post(format!("{base}/__sandbox/faults"))
        .json(&json!({"kind": "slow", "path_prefix": "/storage/videos/", "delay_ms": 4000, "count": 1}))
        .send()
        .await
        .expect("fault")
        .json()
        .await
        .expect("fault json");
    assert_eq!(v["ok"], true, "{v}");

    app.click("publish", WAIT).await.expect("publish");
    let mid = app
        .wait_for_js(
            "upload in progress",
            "const t = document.querySelector('[data-testid=progress-total]'); \
             const a = document.querySelector('[data-testid=progress-0]'); \
             if (!t || !a) return null; const n = Number(t.getAttribute('aria-valuenow')); \
             return a.dataset.state === 'done' && n > 0 && n < 100 ? n : null;",
            WAIT,
        )
        .await
        .expect("progress mid-upload");
    app.screenshot("composer-mid-upload").await.expect("shot");
    eprintln!("total progress mid-upload: {mid} %");

    let notice = app
        .text_of("published-notice", Duration::from_secs(90))
        .await
        .expect("published");
    app.screenshot("composer-published").await.expect("shot");
    assert!(notice.contains("was created"), "{notice}");

    // On Trustoo's side: exactly one such review, with the three attachments, bytes intact.
    let client = TrustooClient::new(ClientConfig::new(
        url::Url::parse(&base).expect("url"),
        Auth::Hmac {
            public_token: Secret::new(demo::PUBLIC_TOKEN.to_owned()),
            private_token: Secret::new(demo::PRIVATE_TOKEN.to_owned()),
        },
    ))
    .expect("client");
    let page = client
        .list_reviews(&ReviewQuery::new().keyword(&content).page_size(50))
        .await
        .expect("list");
    let found: Vec<_> = page
        .list
        .into_iter()
        .filter(|r| r.content == content)
        .collect();
    assert_eq!(found.len(), 1, "exactly one review created");
    let review = &found[0];
    assert_eq!(review.rating, 4);
    assert_eq!(review.product_id.as_str(), product);
    assert_eq!(review.media.len(), 3);
    let http = reqwest::Client::new();
    let get = |u: String| {
        let http = http.clone();
        async move {
            http.get(u)
                .send()
                .await
                .expect("media")
                .bytes()
                .await
                .expect("bytes")
                .to_vec()
        }
    };
    assert_eq!(get(review.media[0].url.clone()).await, photo_a);
    assert_eq!(get(review.media[1].url.clone()).await, photo_b);
    assert_eq!(get(review.media[2].url.clone()).await.len(), video.len());

    // In the inbox, after a sync: the review with its thumbnails.
    app.click("nav-inbox", WAIT).await.expect("inbox");
    app.click("sync-now", WAIT).await.expect("sync");
    app.type_into("search", "imported by ReviewDesk", WAIT)
        .await
        .expect("search");
    app.wait_for_js(
        "the new review in the inbox with thumbnails",
        "const rows = [...document.querySelectorAll('[data-testid=review-row]')]; \
         const r = rows.find((e) => e.textContent.includes('Warm and light') || e.textContent.includes('imported by ReviewDesk')); \
         return r && r.querySelectorAll('.thumb').length === 3;",
        Duration::from_secs(60),
    )
    .await
    .expect("review in the inbox");
    app.screenshot("composer-in-inbox").await.expect("shot");

    app.quit().await;
    sandbox.shutdown().await;
}
