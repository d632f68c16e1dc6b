//! Uploads and exactly-once creates against the sandbox, in process: the real client, the real
//! storage emulation (policy checks, exact lengths), and injected faults. No timings.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use reviewdesk_core::MediaKind;
use reviewdesk_media::check::{check_file, check_selection};
use reviewdesk_media::create::{create_review_once_with, CreateOnceConfig};
use reviewdesk_media::samples;
use reviewdesk_media::upload::{is_expired_credentials, SentFn};
use reviewdesk_media::{
    media_for_review, FileState, IdempotencyKey, MediaLimits, MediaStore, ProgressEvent, Rejection,
    UploadBatch, UploadConfig, UploadError, Uploader,
};
use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use reviewdesk_trustoo::{
    Auth, ClientConfig, Error, ImageUploadPolicy, NewReview, ReviewQuery, TrustooClient,
    UploadedImage, Url, VideoUploadTarget,
};
use serde_json::{json, Value};

struct World {
    sb: Sandbox,
    client: TrustooClient,
    http: reqwest::Client,
    dir: tempfile::TempDir,
}

impl World {
    async fn start() -> Self {
        Self::start_with(SandboxConfig::default()).await
    }

    /// A sandbox with few reviews and a Bearer client.
    ///
    /// Bearer, not HMAC: the expiry test moves the sandbox clock 15 minutes ahead, past the
    /// HMAC timestamp window (the client signs with the real clock); an access token lives an
    /// hour, so Bearer calls keep working.
    async fn start_with(cfg: SandboxConfig) -> Self {
        let sb = Sandbox::start(
            SandboxConfig {
                reviews: 30,
                second_shop_reviews: 10,
                ..cfg
            },
            0,
        )
        .await
        .unwrap();
        let token = {
            let st = sb.state();
            let now = st.now();
            let mut w = st.world();
            let shop = w.find_shop(Some(demo::SHOP_ID), None).unwrap();
            let scopes = vec!["read_reviews".to_string(), "write_reviews".to_string()];
            let v =
                reviewdesk_sandbox::oauth::issue(&mut w, now, 3600, demo::CLIENT_ID, shop, &scopes);
            v["access_token"].as_str().unwrap().to_string()
        };
        let client = TrustooClient::new(ClientConfig::new(
            Url::parse(&sb.base_url()).unwrap(),
            Auth::Bearer(token.into()),
        ))
        .unwrap();
        Self {
            sb,
            client,
            http: reqwest::Client::new(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    async fn control(&self, path: &str, body: Value) -> Value {
        self.http
            .post(format!("{}{path}", self.sb.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn fault(&self, kind: &str, path_prefix: &str, extra: Value) {
        let mut body = json!({"kind": kind, "path_prefix": path_prefix, "count": 1});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let v = self.control("/__sandbox/faults", body).await;
        assert_eq!(v["ok"], true, "{v}");
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    async fn fetch(&self, url: &str) -> Vec<u8> {
        let r = self.http.get(url).send().await.unwrap();
        assert!(r.status().is_success(), "{url}: {}", r.status());
        r.bytes().await.unwrap().to_vec()
    }
}

fn encoded(format: image::ImageFormat, w: u32, h: u32) -> Vec<u8> {
    samples::image(format, w, h, 90).unwrap()
}

/// An MP4 `ftyp` box, an `mdat` header, then `payload` bytes of (fake) media data.
fn mp4(payload: usize) -> Vec<u8> {
    samples::mp4(payload)
}

fn recorder() -> (
    Arc<Mutex<Vec<ProgressEvent>>>,
    impl Fn(ProgressEvent) + Send + Sync + 'static,
) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    (events, move |ev| sink.lock().unwrap().push(ev))
}

fn product() -> String {
    demo::product_ids()[0].to_string()
}

fn new_review(content: &str) -> NewReview {
    let mut r = NewReview::new(product(), 5, "Dana Whitfield");
    r.title = Some("Exactly as pictured".into());
    r.content = Some(content.into());
    r
}

fn fast() -> CreateOnceConfig {
    CreateOnceConfig {
        backoff: std::time::Duration::ZERO,
        ..Default::default()
    }
}

async fn reviews_with(client: &TrustooClient, content: &str) -> usize {
    let page = client
        .list_reviews(
            &ReviewQuery::new()
                .product(product())
                .keyword(content)
                .page_size(100),
        )
        .await
        .unwrap();
    page.list.iter().filter(|r| r.content == content).count()
}

#[tokio::test]
async fn two_images_and_a_video_are_uploaded_then_the_review_is_created_and_read_back() {
    let w = World::start().await;
    let png = encoded(image::ImageFormat::Png, 64, 48);
    let jpg = encoded(image::ImageFormat::Jpeg, 80, 60);
    let video = mp4(300_000);
    let paths = vec![
        w.write("front.png", &png),
        w.write("IMG_2231.jpg", &jpg),
        w.write("unboxing.mp4", &video),
    ];
    let sel = check_selection(&[], &paths, &MediaLimits::default());
    assert!(sel.rejected.is_empty(), "{:?}", sel.rejected);
    let (events, sink) = recorder();
    let batch = UploadBatch::new(sel.accepted, sink);
    let up = Uploader::new(w.client.clone(), UploadConfig::default());
    let uploaded: Vec<_> = up
        .upload_all(&batch)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();

    // The storage serves back exactly what was sent (the thumbnail URL's style query is
    // ignored by the sandbox, as OSS would apply a style).
    assert_eq!(w.fetch(&uploaded[0].url).await, png);
    assert_eq!(w.fetch(&uploaded[1].url).await, jpg);
    assert_eq!(w.fetch(&uploaded[1].thumbnail_url).await, jpg);
    assert_eq!(w.fetch(&uploaded[2].url).await, video);
    assert!(uploaded[1].url.contains("/IMG_2231-") && uploaded[1].url.ends_with(".jpg"));

    // Progress: 100 % per file only once done, 100 % overall only at the very end.
    let ev = events.lock().unwrap().clone();
    assert!(ev
        .iter()
        .all(|e| (e.percent == 100) == (e.state == FileState::Done)));
    let last = ev.last().unwrap();
    assert_eq!(
        (last.total_percent, last.total_sent),
        (100, last.total_size)
    );
    assert!(ev[..ev.len() - 1].iter().all(|e| e.total_percent < 100));
    assert!(ev
        .iter()
        .any(|e| e.index == 2 && e.state == FileState::Finalizing));

    // Create with the documented media array and read it back.
    let mut req = new_review("Lovely jacket, photos and a video attached.");
    req.media = Some(media_for_review(&uploaded));
    let out = create_review_once_with(&w.client, &req, &IdempotencyKey::new("draft-1"), &fast())
        .await
        .unwrap();
    assert_eq!((out.sends, out.found_existing), (1, false));
    let r = w.client.get_review(&out.id).await.unwrap();
    assert_eq!(r.media.len(), 3);
    let kinds: Vec<MediaKind> = r.media.iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        [MediaKind::Image, MediaKind::Image, MediaKind::Video]
    );
    for (m, u) in r.media.iter().zip(&uploaded) {
        assert_eq!(m.url, u.url);
        assert_eq!(m.thumbnail_url, u.thumbnail_url);
        assert!(m.is_published);
    }
}

/// Wraps the real client and moves the sandbox clock 15 minutes ahead right after the first
/// policy is fetched, so that policy is expired when the upload reaches the storage.
struct ExpireAfterFirstPolicy {
    inner: TrustooClient,
    base: String,
    policies: AtomicU32,
}

impl MediaStore for ExpireAfterFirstPolicy {
    async fn image_policy(&self) -> Result<ImageUploadPolicy, Error> {
        let p = self.inner.image_upload_policy().await?;
        if self.policies.fetch_add(1, Ordering::SeqCst) == 0 {
            reqwest::Client::new()
                .post(format!("{}/__sandbox/time/advance", self.base))
                .json(&json!({"seconds": 901}))
                .send()
                .await
                .unwrap();
        }
        Ok(p)
    }
    async fn upload_image(
        &self,
        policy: &ImageUploadPolicy,
        key_name: &str,
        path: &Path,
        len: u64,
        sent: SentFn,
    ) -> Result<UploadedImage, Error> {
        MediaStore::upload_image(&self.inner, policy, key_name, path, len, sent).await
    }
    async fn video_target(&self, file_name: &str, len: u64) -> Result<VideoUploadTarget, Error> {
        self.inner.video_target(file_name, len).await
    }
    async fn upload_video(
        &self,
        target: &VideoUploadTarget,
        path: &Path,
        len: u64,
        content_type: &str,
        sent: SentFn,
    ) -> Result<(), Error> {
        MediaStore::upload_video(&self.inner, target, path, len, content_type, sent).await
    }
}

#[tokio::test]
async fn an_expired_policy_is_refreshed_once_automatically() {
    let w = World::start().await;
    let png = encoded(image::ImageFormat::Png, 16, 16);
    let f = check_file(&w.write("late.png", &png), &MediaLimits::default()).unwrap();

    // The raw client sees the storage's refusal...
    let policy = w.client.image_upload_policy().await.unwrap();
    w.control("/__sandbox/time/advance", json!({"seconds": 901}))
        .await;
    let e = w
        .client
        .upload_image(&policy, "late-raw.png", &f.path, f.size, |_| {})
        .await
        .unwrap_err();
    assert!(is_expired_credentials(&e), "{e:?}");

    // ...the uploader refreshes it once and succeeds.
    let store = ExpireAfterFirstPolicy {
        inner: w.client.clone(),
        base: w.sb.base_url(),
        policies: AtomicU32::new(0),
    };
    let up = Uploader::new(store, UploadConfig::default());
    let batch = UploadBatch::new(vec![f], |_| {});
    let r = up.upload_one(&batch, 0).await.unwrap().unwrap();
    assert_eq!(up.store().policies.load(Ordering::SeqCst), 2);
    assert_eq!(w.fetch(&r.url).await, png);
}

#[tokio::test]
async fn a_connection_cut_during_upload_fails_the_file_and_a_retry_succeeds() {
    let w = World::start().await;
    let jpg = encoded(image::ImageFormat::Jpeg, 32, 32);
    let video = mp4(100_000);
    let paths = vec![w.write("a.jpg", &jpg), w.write("b.mp4", &video)];
    let sel = check_selection(&[], &paths, &MediaLimits::default());
    let (events, sink) = recorder();
    let batch = UploadBatch::new(sel.accepted, sink);
    let up = Uploader::new(w.client.clone(), UploadConfig::default());

    // The storage's connection breaks for the image POST and for the video PUT.
    w.fault("cut", "/storage", json!({"count": 2})).await;
    let res = up.upload_all(&batch).await;
    for r in &res {
        let e = r.as_ref().unwrap_err();
        assert!(
            matches!(
                e,
                UploadError::Failed {
                    source: Error::Network { .. },
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.is_retryable());
    }
    assert_eq!(batch.snapshot(0).unwrap().state, FileState::Failed);
    assert_eq!(batch.snapshot(1).unwrap().total_percent, 0);

    // Retry each with fresh credentials.
    let a = up.upload_one(&batch, 0).await.unwrap().unwrap();
    let b = up.upload_one(&batch, 1).await.unwrap().unwrap();
    assert_eq!(w.fetch(&a.url).await, jpg);
    assert_eq!(w.fetch(&b.url).await, video);
    let last = events.lock().unwrap().last().cloned().unwrap();
    assert_eq!((last.state, last.total_percent), (FileState::Done, 100));
}

#[tokio::test]
async fn a_cut_answer_on_create_does_not_duplicate_the_review() {
    let w = World::start().await;
    let content = format!("Cut answer {}", uuid_like());
    w.fault("cut", "/api/v1/openapi/create_review", json!({}))
        .await;
    let out = create_review_once_with(
        &w.client,
        &new_review(&content),
        &IdempotencyKey::new("draft-cut"),
        &fast(),
    )
    .await
    .unwrap();
    assert_eq!((out.sends, out.found_existing), (1, true));
    assert_eq!(reviews_with(&w.client, &content).await, 1);
    assert_eq!(w.client.get_review(&out.id).await.unwrap().content, content);
}

#[tokio::test]
async fn a_5xx_on_create_is_retried_once_without_a_duplicate() {
    let w = World::start().await;
    let content = format!("Server hiccup {}", uuid_like());
    w.fault(
        "status",
        "/api/v1/openapi/create_review",
        json!({"status": 503}),
    )
    .await;
    let out = create_review_once_with(
        &w.client,
        &new_review(&content),
        &IdempotencyKey::new("draft-5xx"),
        &fast(),
    )
    .await
    .unwrap();
    assert_eq!((out.sends, out.found_existing), (2, false));
    assert_eq!(reviews_with(&w.client, &content).await, 1);
}

#[tokio::test]
async fn oversize_files_are_refused_locally_and_by_the_storage() {
    // Locally, from metadata + magic bytes: a 25 MB "PNG" (sparse, no disk used).
    let w = World::start_with(SandboxConfig {
        image_max_bytes: 1024,
        ..SandboxConfig::default()
    })
    .await;
    let big = w.write("poster.png", &encoded(image::ImageFormat::Png, 4, 4));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(25 * 1024 * 1024)
        .unwrap();
    let sel = check_selection(&[], &[big], &MediaLimits::default());
    assert_eq!(
        sel.rejected,
        [Rejection::ImageTooLarge {
            name: "poster.png".into(),
            size: "25 MB".into(),
            max: "20 MB".into()
        }]
    );

    // By the storage, when its policy is stricter than our limits (here 1 KiB).
    let f = check_file(
        &w.write("photo.jpg", &encoded(image::ImageFormat::Jpeg, 200, 200)),
        &MediaLimits::default(),
    )
    .unwrap();
    assert!(f.size > 1024);
    let up = Uploader::new(w.client.clone(), UploadConfig::default());
    let batch = UploadBatch::new(vec![f], |_| {});
    let e = up.upload_one(&batch, 0).await.unwrap().unwrap_err();
    assert_eq!(
        e.to_string(),
        "The storage refused photo.jpg (EntityTooLarge)"
    );
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn peak_memory_does_not_grow_with_the_file_size() {
    let w = World::start().await;
    // 128 MiB sparse file: reading it yields zeros without using disk for the source.
    let p = w.dir.path().join("big.bin");
    std::fs::File::create(&p)
        .unwrap()
        .set_len(128 * 1024 * 1024)
        .unwrap();
    let before = reviewdesk_media::bench::peak_rss_bytes();
    let t = reviewdesk_media::bench::upload_throughput(&w.client, &p)
        .await
        .unwrap();
    assert_eq!(t.bytes, 128 * 1024 * 1024);
    assert!(t.bytes_per_second > 0.0);
    if let (Some(a), Some(b)) = (before, reviewdesk_media::bench::peak_rss_bytes()) {
        let growth = b.saturating_sub(a);
        eprintln!(
            "128 MiB upload: peak RSS growth {} KiB, {:.0} MiB/s",
            growth >> 10,
            t.bytes_per_second / 1_048_576.0
        );
        assert!(
            growth < 64 * 1024 * 1024,
            "peak RSS grew by {} MiB for a 128 MiB upload",
            growth >> 20
        );
    }
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}
