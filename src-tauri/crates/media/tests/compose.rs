//! The composer's submission against the sandbox, with the draft in a real store: a process
//! killed mid-upload (or while the create is in flight) resumes from the draft, does not upload
//! finished files again, and never creates the review twice.
//!
//! The "process" is real: the test re-runs its own binary as a child (`COMPOSE_CHILD_*` env),
//! which submits the draft until the parent kills it with SIGKILL.
#![allow(clippy::unwrap_used)]

use reviewdesk_core::AccountKey;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reviewdesk_media::check::check_selection;
use reviewdesk_media::compose::{submit, ComposerForm, DraftDoc, Submission, SubmitOptions};
use reviewdesk_media::create::CreateOnceConfig;
use reviewdesk_media::samples;
use reviewdesk_media::{MediaLimits, UploadBatch, UploadConfig, Uploader};
use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use reviewdesk_store::Store;
use reviewdesk_trustoo::{Auth, ClientConfig, ReviewQuery, Secret, TrustooClient, Url};
use serde_json::json;

const SHOP: &str = demo::SHOP_DOMAIN;

fn client(base: &str) -> TrustooClient {
    TrustooClient::new(ClientConfig::new(
        Url::parse(base).unwrap(),
        Auth::Hmac {
            public_token: Secret::new(demo::PUBLIC_TOKEN.to_owned()),
            private_token: Secret::new(demo::PRIVATE_TOKEN.to_owned()),
        },
    ))
    .unwrap()
}

fn png(w: u32, h: u32) -> Vec<u8> {
    samples::image(samples::ImageFormat::Png, w, h, 7).unwrap()
}

fn mp4(payload: usize) -> Vec<u8> {
    samples::mp4(payload)
}

fn fast() -> CreateOnceConfig {
    CreateOnceConfig {
        backoff: Duration::ZERO,
        ..Default::default()
    }
}

/// Submits draft `id` of the store at `db` once, saving progress into the draft.
async fn submit_draft(base: &str, db: &Path, id: &str) -> Result<String, String> {
    let mut store = Store::open(db).unwrap();
    let draft = store
        .load_draft(&AccountKey::trustoo(SHOP), id)
        .unwrap()
        .unwrap();
    let mut doc = DraftDoc::from_json(&draft.form);
    let paths: Vec<PathBuf> = draft.attachments.iter().map(PathBuf::from).collect();
    let sel = check_selection(&[], &paths, &MediaLimits::default());
    assert!(sel.rejected.is_empty(), "{:?}", sel.rejected);
    let batch = UploadBatch::new(sel.accepted, |_| {});
    let c = client(base);
    let up = Uploader::new(c.clone(), UploadConfig::default());
    let fields = doc.fields.clone();
    let attachments = draft.attachments.clone();
    let mut sub: Submission = doc.submission.clone();
    let mut persist = |s: &Submission| {
        doc.submission = s.clone();
        store
            .save_draft(&AccountKey::trustoo(SHOP), id, &doc.to_json(), &attachments)
            .unwrap();
    };
    submit(
        &up,
        &c,
        &batch,
        &fields,
        &mut sub,
        &SubmitOptions {
            key: id,
            create: fast(),
        },
        &mut persist,
    )
    .await
    .map(|s| s.review_id)
    .map_err(|e| e.to_string())
}

/// The child side: runs only when the parent re-executes this binary (with `--ignored`), so a
/// plain run counts it as ignored, not as a test that passed without checking anything.
#[tokio::test]
#[ignore = "the child process of the kill tests; they run it with --ignored"]
async fn child_submits_a_draft_until_killed() {
    let (Ok(base), Ok(db), Ok(id)) = (
        std::env::var("COMPOSE_CHILD_BASE"),
        std::env::var("COMPOSE_CHILD_DB"),
        std::env::var("COMPOSE_CHILD_ID"),
    ) else {
        panic!("run only as the child of the kill tests (COMPOSE_CHILD_* are not set)");
    };
    let _ = submit_draft(&base, Path::new(&db), &id).await;
}

/// The child entry is not a test of its own: a run of this binary counts it as ignored, never
/// as passed, so the number of passed tests is the number of checks that ran.
#[test]
fn the_child_entry_is_ignored_not_counted_as_passed() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--list", "--ignored", "--format", "terse"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed
            .lines()
            .any(|l| l == "child_submits_a_draft_until_killed: test"),
        "the child entry is not #[ignore]d; ignored tests: {listed:?}"
    );
}

fn spawn_child(base: &str, db: &Path, id: &str) -> std::process::Child {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_submits_a_draft_until_killed",
            "--ignored",
            "--nocapture",
        ])
        .env("COMPOSE_CHILD_BASE", base)
        .env("COMPOSE_CHILD_DB", db)
        .env("COMPOSE_CHILD_ID", id)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

fn saved(db: &Path, id: &str) -> Submission {
    let store = Store::open(db).unwrap();
    DraftDoc::from_json(
        &store
            .load_draft(&AccountKey::trustoo(SHOP), id)
            .unwrap()
            .unwrap()
            .form,
    )
    .submission
}

/// Waits until the saved submission satisfies `done` (the child is at the point to kill).
async fn wait_for(db: &Path, id: &str, done: impl Fn(&Submission) -> bool) -> Submission {
    let start = Instant::now();
    loop {
        let s = saved(db, id);
        eprintln!(
            "{:?} {} {}",
            start.elapsed(),
            s.uploaded.len(),
            s.create_started
        );
        if done(&s) {
            return s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "child stalled: {s:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn reviews_with(c: &TrustooClient, content: &str) -> Vec<reviewdesk_core::Review> {
    let page = c
        .list_reviews(&ReviewQuery::new().keyword(content).page_size(100))
        .await
        .unwrap();
    page.list
        .into_iter()
        .filter(|r| r.content == content)
        .collect()
}

struct Rig {
    sb: Sandbox,
    dir: tempfile::TempDir,
    db: PathBuf,
    http: reqwest::Client,
}

impl Rig {
    async fn start() -> Self {
        let sb = Sandbox::start(
            SandboxConfig {
                reviews: 20,
                second_shop_reviews: 5,
                ..SandboxConfig::default()
            },
            0,
        )
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("store.sqlite3");
        Self {
            sb,
            dir,
            db,
            http: reqwest::Client::new(),
        }
    }

    async fn fault(&self, body: serde_json::Value) {
        let v: serde_json::Value = self
            .http
            .post(format!("{}/__sandbox/faults", self.sb.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["ok"], true, "{v}");
    }

    async fn clear_faults(&self) {
        self.http
            .delete(format!("{}/__sandbox/faults", self.sb.base_url()))
            .send()
            .await
            .unwrap();
    }

    /// A draft with two photos and a video, saved as the composer saves it.
    fn draft(&self, id: &str, content: &str) -> Vec<String> {
        let files = [
            ("IMG_2231.png", png(40, 30)),
            ("IMG_2232.png", png(30, 40)),
            ("clip.mp4", mp4(300_000)),
        ];
        let mut paths = Vec::new();
        for (name, bytes) in files {
            let p = self.dir.path().join(format!("{id}-{name}"));
            std::fs::write(&p, bytes).unwrap();
            paths.push(p.to_string_lossy().into_owned());
        }
        let doc = DraftDoc {
            fields: ComposerForm {
                product_id: demo::product_ids()[0].to_string(),
                rating: 5,
                author: "Mina Oduya".into(),
                title: "Sent by email".into(),
                content: content.into(),
                ..ComposerForm::default()
            },
            submission: Submission::default(),
        };
        let mut store = Store::open(&self.db).unwrap();
        store
            .save_draft(&AccountKey::trustoo(SHOP), id, &doc.to_json(), &paths)
            .unwrap();
        paths
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_mid_upload_resumes_from_the_draft_without_a_duplicate() {
    let rig = Rig::start().await;
    let base = rig.sb.base_url();
    let content = format!("Killed mid-upload {}", uuid::Uuid::new_v4().simple());
    rig.draft("d1", &content);
    // The video PUT (`/storage/videos/…`) hangs for 20 s: the child is killed while it is in
    // flight (bounded so the sandbox still shuts down soon after the test).
    rig.fault(
        json!({"kind": "slow", "path_prefix": "/storage/videos/", "delay_ms": 20_000, "count": 1}),
    )
    .await;

    let mut child = spawn_child(&base, &rig.db, "d1");
    let at_kill = wait_for(&rig.db, "d1", |s| s.uploaded.len() == 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().unwrap();
    let _ = child.wait();
    rig.clear_faults().await;

    assert!(!at_kill.create_started);
    let c = client(&base);
    assert!(reviews_with(&c, &content).await.is_empty());

    // Restart: the two photos are not sent again, the video is, the review is created once.
    let id = submit_draft(&base, &rig.db, "d1").await.unwrap();
    let after = saved(&rig.db, "d1");
    assert_eq!(after.uploaded.len(), 3);
    assert_eq!(after.uploaded[..2], at_kill.uploaded[..2], "photos reused");
    assert_eq!(after.review_id.as_deref(), Some(id.as_str()));
    let found = reviews_with(&c, &content).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].media.len(), 3);
    // A second resume (e.g. a double click) returns the same review.
    assert_eq!(submit_draft(&base, &rig.db, "d1").await.unwrap(), id);
    assert_eq!(reviews_with(&c, &content).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_while_creating_checks_before_sending_again() {
    let rig = Rig::start().await;
    let base = rig.sb.base_url();
    let content = format!("Killed while creating {}", uuid::Uuid::new_v4().simple());
    rig.draft("d2", &content);
    rig.fault(json!({"kind": "slow", "path_prefix": "/api/v1/openapi/create_review", "delay_ms": 5_000, "count": 1}))
        .await;

    let mut child = spawn_child(&base, &rig.db, "d2");
    let at_kill = wait_for(&rig.db, "d2", |s| s.create_started).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().unwrap();
    let _ = child.wait();
    rig.clear_faults().await;
    assert_eq!(at_kill.uploaded.len(), 3);
    assert!(at_kill.review_id.is_none());

    let id = submit_draft(&base, &rig.db, "d2").await.unwrap();
    let c = client(&base);
    let found = reviews_with(&c, &content).await;
    assert_eq!(found.len(), 1, "exactly one review");
    assert_eq!(found[0].id.as_str(), id);
    assert_eq!(
        saved(&rig.db, "d2").uploaded,
        at_kill.uploaded,
        "nothing re-uploaded"
    );
}
