//! The inbox against the sandbox in-process: syncs (first, incremental, server deletions, new
//! reviews), moderation online, offline and faulting with exactly-once replay (counted on the
//! sandbox side), replay across a store reopen (a restart), and conflicts.
#![allow(clippy::unwrap_used)]

use reviewdesk_core::AccountKey;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reviewdesk_core::{
    ActionKind, ActionState, ActionStatus, ExclusionTarget, ReviewFilter, ReviewId, ReviewQuery,
    ReviewView, SyncPhase, SyncStatus,
};
use reviewdesk_inbox::background::HostFuture;
use reviewdesk_inbox::{
    Background, Inbox, InboxConfig, InboxHost, ReviewSource, SourceError, SyncMode,
};
use reviewdesk_sandbox::state::{lock, Fault};
use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use reviewdesk_store::Store;
use reviewdesk_trustoo::types::NewReview;
use reviewdesk_trustoo::{Auth, ClientConfig, RetryConfig, Secret, Timeouts, TrustooClient, Url};

const SHOP: &str = demo::SHOP_DOMAIN;
const SEEDED: u64 = 230;

struct Rig {
    sandbox: Sandbox,
    client: TrustooClient,
    dir: tempfile::TempDir,
    inbox: Inbox,
}

fn client(sandbox: &Sandbox) -> TrustooClient {
    let mut cfg = ClientConfig::new(
        Url::parse(&sandbox.base_url()).unwrap(),
        Auth::Hmac {
            public_token: Secret::new(demo::PUBLIC_TOKEN),
            private_token: Secret::new(demo::PRIVATE_TOKEN),
        },
    );
    // One attempt per call, so a test sees each fault exactly once and counts stay exact.
    cfg.retry = RetryConfig::none();
    cfg.timeouts = Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_secs(5),
    };
    TrustooClient::new(cfg).unwrap()
}

fn config() -> InboxConfig {
    InboxConfig {
        concurrency: 3,
        page_size: 20,
        batch_rows: 50,
        ..InboxConfig::default()
    }
}

fn open_inbox(dir: &Path) -> Inbox {
    open_inbox_with(dir, config())
}

fn open_inbox_with(dir: &Path, config: InboxConfig) -> Inbox {
    let store = Store::open(dir.join("reviewdesk.db")).unwrap();
    Inbox::new(
        Arc::new(Mutex::new(store)),
        AccountKey::trustoo(SHOP),
        "merchant",
        config,
    )
    .unwrap()
}

async fn rig() -> Rig {
    rig_with(SEEDED as usize, client, config()).await
}

/// A sandbox of `reviews` reviews of the demo shop, an inbox with `config` over a new store,
/// and the client `client` makes for the sandbox.
async fn rig_with(
    reviews: usize,
    client: fn(&Sandbox) -> TrustooClient,
    config: InboxConfig,
) -> Rig {
    let sandbox = Sandbox::start(
        SandboxConfig {
            reviews,
            second_shop_reviews: 10,
            ..SandboxConfig::default()
        },
        0,
    )
    .await
    .unwrap();
    let client = client(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let inbox = open_inbox_with(dir.path(), config);
    Rig {
        sandbox,
        client,
        dir,
        inbox,
    }
}

fn quiet(_: &SyncStatus) {}

/// Requests the sandbox received on one API path.
fn hits(sandbox: &Sandbox, endpoint: &str) -> u64 {
    let stats = lock(&sandbox.state().stats);
    stats
        .per_path
        .get(&format!("/api/v1/openapi/{endpoint}"))
        .copied()
        .unwrap_or(0)
}

/// How often the sandbox's deletion record holds `id`.
fn deletions_of(sandbox: &Sandbox, id: &ReviewId) -> usize {
    let w = sandbox.state().world();
    w.shops[0]
        .deleted
        .iter()
        .filter(|v| v.get("id").and_then(|x| x.as_str()) == Some(id.as_str()))
        .count()
}

fn set_offline(sandbox: &Sandbox, offline: bool) {
    sandbox.state().offline.store(offline, Ordering::SeqCst);
}

fn arm(sandbox: &Sandbox, kind: &str, status: u16, count: u64, path: &str) {
    lock(&sandbox.state().faults).push(Fault {
        kind: kind.into(),
        status,
        remaining: Some(count),
        path_prefix: path.into(),
        delay_ms: 0,
        retry_after: 1,
        query: Vec::new(),
    });
}

fn active_count(inbox: &Inbox) -> u64 {
    inbox
        .with_store(|s| s.count_reviews(&AccountKey::trustoo(SHOP), &ReviewFilter::default()))
        .unwrap()
}

/// A few active review ids from the store, newest first.
fn some_ids(inbox: &Inbox, n: u32) -> Vec<ReviewId> {
    let q = ReviewQuery {
        limit: n,
        ..ReviewQuery::default()
    };
    inbox
        .with_store(|s| s.query_reviews(&AccountKey::trustoo(SHOP), &q))
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.review.id)
        .collect()
}

#[tokio::test]
async fn the_windows_reads_do_not_wait_for_the_writer() {
    let r = rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    let inbox = Arc::new(r.inbox);
    // Another thread holds the writer's connection, as a sync's write transaction does for a
    // whole batch, until the read below has finished.
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (held, holding) = std::sync::mpsc::channel::<()>();
    let writer = {
        let inbox = inbox.clone();
        std::thread::spawn(move || {
            let _store = lock(inbox.store());
            held.send(()).unwrap();
            let _ = released.recv();
        })
    };
    holding.recv().unwrap();
    let (answer, answered) = std::sync::mpsc::channel();
    {
        let inbox = inbox.clone();
        std::thread::spawn(move || {
            let page = inbox.with_reader(|s| {
                s.query_reviews(&AccountKey::trustoo(SHOP), &ReviewQuery::default())
            });
            let products = inbox.with_reader(|s| s.list_products(&AccountKey::trustoo(SHOP)));
            let _ = answer.send((page, products));
        });
    }
    // Read on the writer's connection, this would wait for the writer forever.
    let (page, products) = answered
        .recv_timeout(Duration::from_secs(30))
        .expect("the read waited for the writer");
    assert_eq!(page.unwrap().total, SEEDED);
    assert!(!products.unwrap().is_empty());
    release.send(()).unwrap();
    writer.join().unwrap();
}

#[tokio::test]
async fn first_sync_fetches_every_review_with_progress() {
    let r = rig().await;
    let seen: Arc<Mutex<Vec<SyncStatus>>> = Arc::default();
    let log = seen.clone();
    let report = r
        .inbox
        .sync(&r.client, SyncMode::Auto, &move |s: &SyncStatus| {
            log.lock().unwrap().push(s.clone())
        })
        .await
        .unwrap();
    assert!(report.first_sync && report.full_pass);
    assert_eq!(report.fetched, SEEDED);
    assert_eq!(report.total, Some(SEEDED));
    assert_eq!(report.new.count, SEEDED);
    assert!(report.new.one_star > 0, "seeded data has 1★ reviews");
    // Written in several batches (the last ones smaller): every 1★ review counted once.
    let stars = r
        .inbox
        .with_store(|s| s.rating_summary(&AccountKey::trustoo(SHOP), None))
        .unwrap()
        .stars;
    assert_eq!(report.new.one_star, stars[0]);
    assert_eq!(report.new.ids.len() as u64, SEEDED);
    assert_eq!(active_count(&r.inbox), SEEDED);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.first().unwrap().phase, SyncPhase::Fetching);
    assert!(seen.iter().any(|s| s.phase == SyncPhase::Fetching
        && s.fetched > 0
        && s.fetched < SEEDED
        && s.total == Some(SEEDED)));
    let last = seen.last().unwrap();
    assert_eq!(last.phase, SyncPhase::Done);
    assert_eq!(last.fetched, SEEDED);
    assert!(last.last_synced_at.is_some());
    assert_eq!(r.inbox.sync_status(), *last);
    // Pages were fetched concurrently but each exactly once: 230 / 20 = 12 pages.
    assert_eq!(hits(&r.sandbox, "get_reviews"), 12);
}

/// What a killed app leaves on disk after a sync of 100,000 reviews: the data is in the main
/// file and the write-ahead journal is (nearly) empty, so the journal does not grow launch after
/// launch. The files are copied while the store is still open (the app is usually killed, not
/// closed: SQLite's own checkpoint on close never runs) and the copy is opened again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_sync_of_100000_reviews_the_data_is_in_the_main_file_not_the_journal() {
    const N: usize = 100_000;
    let r = rig_with(N, client, InboxConfig::default()).await;
    let report = r
        .inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    assert_eq!(report.fetched, N as u64);
    let db = r.dir.path().join("reviewdesk.db");
    let wal = r.dir.path().join("reviewdesk.db-wal");
    // The journal is copied in the background once the sync is done.
    let journal_len = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while journal_len() > 4 << 20 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let journal = journal_len();
    let main = std::fs::metadata(&db).unwrap().len();
    assert!(
        journal <= 4 << 20,
        "journal {journal} bytes, main file {main} bytes"
    );
    assert!(main > 40 << 20, "main file {main} bytes holds the reviews");
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(&db, copy.path().join("reviewdesk.db")).unwrap();
    if wal.exists() {
        std::fs::copy(&wal, copy.path().join("reviewdesk.db-wal")).unwrap();
    }
    let reopened = open_inbox(copy.path());
    assert_eq!(active_count(&reopened), N as u64);
}

#[tokio::test]
async fn incremental_sync_stops_at_known_reviews_and_reports_new_ones() {
    let r = rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    // Nothing changed: one page, nothing new, no full pass.
    let before = hits(&r.sandbox, "get_reviews");
    let report = r
        .inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    assert!(!report.first_sync && !report.full_pass);
    assert_eq!(report.new.count, 0);
    assert_eq!(hits(&r.sandbox, "get_reviews") - before, 1);

    // Three new reviews on the server, one of them 1★.
    let product = demo::product_ids()[0].to_string();
    let mut created = Vec::new();
    for (stars, who) in [(5, "Ada"), (1, "Bob"), (4, "Cyd")] {
        let mut nr = NewReview::new(product.as_str(), stars, who);
        nr.content = Some(format!("fresh review by {who}"));
        created.push(r.client.create_review(&nr).await.unwrap().id);
    }
    let before = hits(&r.sandbox, "get_reviews");
    let report = r
        .inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    assert!(!report.full_pass, "counts agree, no sweep needed");
    assert_eq!(report.new.count, 3);
    assert_eq!(report.new.one_star, 1);
    let mut ids = report.new.ids.clone();
    ids.sort();
    created.sort();
    assert_eq!(ids, created);
    assert_eq!(hits(&r.sandbox, "get_reviews") - before, 1);
    assert_eq!(active_count(&r.inbox), SEEDED + 3);
    assert_eq!(r.inbox.sync_status().new_count, 3);
}

/// A first sync that an earlier attempt left half done still sweeps: reviews stored by that
/// attempt and deleted on the server since are noticed (only a shop with nothing stored skips
/// the sweep).
#[tokio::test]
async fn a_retried_first_sync_still_notices_deletions() {
    let r = rig().await;
    let first_page = r
        .client
        .list_reviews(&reviewdesk_trustoo::types::ReviewQuery::new().page_size(20))
        .await
        .unwrap()
        .list;
    r.inbox
        .with_store(|s| s.upsert_reviews(&AccountKey::trustoo(SHOP), &first_page))
        .unwrap();
    let gone = first_page[3].id.clone();
    r.client.delete_review(&gone).await.unwrap();
    let report = r
        .inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    assert!(report.first_sync && report.full_pass);
    assert_eq!(report.deleted_remotely, 1);
    assert_eq!(active_count(&r.inbox), SEEDED - 1);
}

#[tokio::test]
async fn reviews_deleted_on_the_server_are_noticed_and_kept() {
    let r = rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    let ids = some_ids(&r.inbox, 40);
    // Deleted elsewhere (Trustoo admin): one new, one old.
    let gone = [ids[0].clone(), ids[35].clone()];
    for id in &gone {
        r.client.delete_review(id).await.unwrap();
    }
    let report = r
        .inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    assert!(report.full_pass, "the count mismatch triggers the sweep");
    assert_eq!(report.deleted_remotely, 2);
    assert_eq!(active_count(&r.inbox), SEEDED - 2);
    for id in &gone {
        let row = r
            .inbox
            .with_store(|s| s.get_review(&AccountKey::trustoo(SHOP), id))
            .unwrap()
            .unwrap();
        assert!(row.deleted_remotely_at.is_some(), "copy kept, flagged");
        assert!(row.deleted_at.is_none());
    }
    let deleted_view = ReviewFilter {
        view: ReviewView::Deleted,
        ..ReviewFilter::default()
    };
    assert_eq!(
        r.inbox
            .with_store(|s| s.count_reviews(&AccountKey::trustoo(SHOP), &deleted_view))
            .unwrap(),
        2
    );
    // The next poll agrees with the server again: no sweep.
    let report = r
        .inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    assert!(!report.full_pass);
}

#[tokio::test]
async fn a_sign_in_trustoo_refuses_says_to_sign_in_again_and_keeps_the_store() {
    let r = rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    // The shop's Private Token was reset in the Trustoo admin: every request is refused.
    let refused = TrustooClient::new(ClientConfig::new(
        Url::parse(&r.sandbox.base_url()).unwrap(),
        Auth::Hmac {
            public_token: Secret::new(demo::PUBLIC_TOKEN),
            private_token: Secret::new("reset-in-the-admin"),
        },
    ))
    .unwrap();
    assert!(r
        .inbox
        .sync(&refused, SyncMode::Auto, &quiet)
        .await
        .is_err());
    let status = r.inbox.sync_status();
    assert_eq!(status.phase, SyncPhase::Failed);
    assert_eq!(
        status.message.as_deref(),
        Some("Trustoo no longer accepts this shop's sign-in. Sign in again to sync; the reviews saved on this computer stay.")
    );
    assert!(!r.inbox.is_offline());
    assert_eq!(active_count(&r.inbox), SEEDED);
}

#[tokio::test]
async fn sync_while_offline_reports_offline_and_keeps_the_store() {
    let r = rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    set_offline(&r.sandbox, true);
    let err = r.inbox.sync(&r.client, SyncMode::Auto, &quiet).await;
    assert!(err.is_err());
    let status = r.inbox.sync_status();
    assert_eq!(status.phase, SyncPhase::Offline);
    assert!(status.message.is_some());
    assert!(r.inbox.is_offline());
    assert_eq!(active_count(&r.inbox), SEEDED);
    set_offline(&r.sandbox, false);
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    assert!(!r.inbox.is_offline());
}

#[tokio::test]
async fn actions_online_reach_the_sandbox_and_the_audit_log() {
    let r = rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    let ids = some_ids(&r.inbox, 3);
    let out = r
        .inbox
        .delete_reviews(Some(&r.client), &ids[..2])
        .await
        .unwrap();
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|o| o.status == ActionStatus::Done));
    for id in &ids[..2] {
        assert_eq!(deletions_of(&r.sandbox, id), 1);
        let d = r.inbox.review_detail(id).unwrap();
        assert!(d.row.deleted_at.is_some());
        assert!(d.audit.iter().any(|a| a.action == "delete_review"));
        assert!(d.pending.is_empty());
    }
    // Deleting again is a conflict, not a second request.
    let again = r
        .inbox
        .delete_reviews(Some(&r.client), &ids[..1])
        .await
        .unwrap();
    assert_eq!(again[0].status, ActionStatus::Conflict);
    assert_eq!(hits(&r.sandbox, "delete_review"), 2);

    // Exclude a reviewer by the review's email.
    let row = r
        .inbox
        .with_store(|s| {
            s.query_reviews(
                &AccountKey::trustoo(SHOP),
                &ReviewQuery {
                    limit: 200,
                    ..ReviewQuery::default()
                },
            )
        })
        .unwrap()
        .rows
        .into_iter()
        .find(|r| !r.review.details.reviewer_email().is_empty())
        .expect("a seeded review with an email");
    let email = row.review.details.reviewer_email().to_owned();
    let o = r
        .inbox
        .exclude_author(Some(&r.client), &row.review.id)
        .await
        .unwrap();
    assert_eq!(o.status, ActionStatus::Done, "{}", o.message);
    assert_eq!(o.id, row.review.id.as_str());
    let listed = r.inbox.list_exclusions(&r.client, 1).await.unwrap();
    assert!(listed
        .list
        .iter()
        .any(|x| x.email.eq_ignore_ascii_case(&email)));
    let detail = r.inbox.review_detail(&row.review.id).unwrap();
    assert!(detail.audit.iter().any(|a| a.action == "exclude_author"));

    // Add and remove by email; unsubscribe.
    let target = ExclusionTarget {
        email: Some("someone@example.com".into()),
        customer_id: None,
    };
    assert_eq!(
        r.inbox
            .add_exclusion(Some(&r.client), &target)
            .await
            .unwrap()
            .status,
        ActionStatus::Done
    );
    assert_eq!(
        r.inbox
            .add_exclusion(Some(&r.client), &target)
            .await
            .unwrap()
            .status,
        ActionStatus::Conflict,
        "already excluded"
    );
    assert_eq!(
        r.inbox
            .remove_exclusion(Some(&r.client), &target)
            .await
            .unwrap()
            .status,
        ActionStatus::Done
    );
    let o = r
        .inbox
        .unsubscribe_email(Some(&r.client), "someone@example.com", "review_request")
        .await
        .unwrap();
    assert_eq!(o.status, ActionStatus::Done);
    {
        let w = r.sandbox.state().world();
        assert!(w.shops[0]
            .unsubscribes
            .iter()
            .any(|(e, t, _)| e == "someone@example.com" && t == "review_request"));
    }
    assert!(r
        .inbox
        .unsubscribe_email(Some(&r.client), "someone@example.com", "spam")
        .await
        .is_err());
    assert!(r
        .inbox
        .add_exclusion(Some(&r.client), &ExclusionTarget::default())
        .await
        .is_err());
    let log = r
        .inbox
        .with_store(|s| s.list_audit(&AccountKey::trustoo(SHOP), None, 100))
        .unwrap();
    for action in [
        "delete_review",
        "exclude_author",
        "create_exclusion",
        "delete_exclusion",
        "unsubscribe_email",
        "action_conflict",
    ] {
        assert!(log.iter().any(|e| e.action == action), "audit has {action}");
    }
    assert!(r.inbox.pending_actions().unwrap().is_empty());
}

#[tokio::test]
async fn actions_while_offline_are_queued_then_replayed_exactly_once() {
    let r = rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    let ids = some_ids(&r.inbox, 3);
    set_offline(&r.sandbox, true);
    let out = r.inbox.delete_reviews(Some(&r.client), &ids).await.unwrap();
    assert!(out.iter().all(|o| o.status == ActionStatus::Queued));
    // Only the first delete tried the network; the others were queued straight away.
    assert_eq!(hits(&r.sandbox, "delete_review"), 1);
    let excl = ExclusionTarget {
        email: Some("later@example.com".into()),
        customer_id: None,
    };
    assert_eq!(
        r.inbox
            .add_exclusion(Some(&r.client), &excl)
            .await
            .unwrap()
            .status,
        ActionStatus::Queued
    );
    let pending = r.inbox.pending_actions().unwrap();
    assert_eq!(pending.len(), 4);
    assert!(pending.iter().all(|a| a.state == ActionState::Pending));
    // Still offline: the replay stops at the first failure and keeps everything.
    let report = r.inbox.replay(&r.client).await.unwrap();
    assert_eq!(report.done, 0);
    assert_eq!(report.still_queued, 4);
    // The detail pane shows the waiting delete; the list hides the review already.
    assert_eq!(r.inbox.review_detail(&ids[0]).unwrap().pending.len(), 1);
    assert_eq!(active_count(&r.inbox), SEEDED - 3);

    set_offline(&r.sandbox, false);
    let deletes_before = hits(&r.sandbox, "delete_review");
    let report = r.inbox.replay(&r.client).await.unwrap();
    assert_eq!(report.done, 4);
    assert_eq!(report.still_queued, 0);
    assert_eq!(hits(&r.sandbox, "delete_review") - deletes_before, 3);
    for id in &ids {
        assert_eq!(deletions_of(&r.sandbox, id), 1);
    }
    assert!(r.inbox.pending_actions().unwrap().is_empty());
    // A second replay sends nothing.
    let total = lock(&r.sandbox.state().stats).total;
    let report = r.inbox.replay(&r.client).await.unwrap();
    assert_eq!(report, Default::default());
    assert_eq!(lock(&r.sandbox.state().stats).total, total);
}

#[tokio::test]
async fn server_errors_and_rate_limits_queue_the_action() {
    let r = rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    let ids = some_ids(&r.inbox, 2);
    arm(
        &r.sandbox,
        "status",
        503,
        1,
        "/api/v1/openapi/delete_review",
    );
    let out = r
        .inbox
        .delete_reviews(Some(&r.client), &ids[..1])
        .await
        .unwrap();
    assert_eq!(out[0].status, ActionStatus::Queued);
    arm(
        &r.sandbox,
        "rate_limit",
        429,
        1,
        "/api/v1/openapi/create_customer_exclude",
    );
    let excl = ExclusionTarget {
        email: Some("rl@example.com".into()),
        customer_id: None,
    };
    assert_eq!(
        r.inbox
            .add_exclusion(Some(&r.client), &excl)
            .await
            .unwrap()
            .status,
        ActionStatus::Queued
    );
    // The 429 asked for one second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let report = r.inbox.replay(&r.client).await.unwrap();
    assert_eq!(report.done, 2);
    assert_eq!(deletions_of(&r.sandbox, &ids[0]), 1);
}

#[tokio::test]
async fn a_cut_answer_is_checked_before_resending() {
    let r = rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    let id = some_ids(&r.inbox, 1).remove(0);
    // The server deletes, then the connection dies mid-answer: the client cannot know.
    arm(&r.sandbox, "cut", 0, 1, "/api/v1/openapi/delete_review");
    let out = r
        .inbox
        .delete_reviews(Some(&r.client), std::slice::from_ref(&id))
        .await
        .unwrap();
    assert_eq!(out[0].status, ActionStatus::Queued);
    assert_eq!(deletions_of(&r.sandbox, &id), 1, "it did land");
    let report = r.inbox.replay(&r.client).await.unwrap();
    assert_eq!(report.done, 1);
    assert_eq!(hits(&r.sandbox, "delete_review"), 1, "never sent twice");
    assert_eq!(hits(&r.sandbox, "get_review"), 1, "looked up instead");
}

#[tokio::test]
async fn the_queue_survives_a_restart_and_in_flight_actions_are_checked() {
    let r = rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    let ids = some_ids(&r.inbox, 3);
    set_offline(&r.sandbox, true);
    r.inbox.delete_reviews(Some(&r.client), &ids).await.unwrap();
    set_offline(&r.sandbox, false);
    // Simulate a crash while sending: claim two actions; the first one's request landed,
    // the second one's never left; then the process dies (the store is dropped).
    let actions = r.inbox.pending_actions().unwrap();
    assert_eq!(actions.len(), 3);
    r.inbox
        .with_store(|s| {
            s.mark_in_flight(actions[0].id)?;
            s.mark_in_flight(actions[1].id)
        })
        .unwrap();
    r.client.delete_review(&ids[0]).await.unwrap();
    let Rig {
        sandbox,
        client,
        dir,
        inbox,
    } = r;
    drop(inbox);

    let deletes_before = hits(&sandbox, "delete_review");
    let inbox = open_inbox(dir.path());
    let waiting = inbox.pending_actions().unwrap();
    assert_eq!(
        waiting
            .iter()
            .filter(|a| a.state == ActionState::InFlight)
            .count(),
        2
    );
    assert!(waiting.iter().all(|a| a.kind == ActionKind::DeleteReview));
    let report = inbox.replay(&client).await.unwrap();
    assert_eq!(report.done, 3);
    // The landed one was looked up, not resent; the two others were sent once each.
    assert_eq!(hits(&sandbox, "delete_review") - deletes_before, 2);
    for id in &ids {
        assert_eq!(deletions_of(&sandbox, id), 1);
    }
    assert!(inbox.pending_actions().unwrap().is_empty());
}

#[tokio::test]
async fn conflicts_are_reported_once_and_never_retried() {
    let r = rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    let ids = some_ids(&r.inbox, 2);
    // Someone deleted it in the Trustoo admin since the last sync.
    r.client.delete_review(&ids[0]).await.unwrap();
    let out = r
        .inbox
        .delete_reviews(Some(&r.client), &ids[..1])
        .await
        .unwrap();
    assert_eq!(out[0].status, ActionStatus::Conflict);
    assert!(
        out[0].message.contains("already deleted"),
        "{}",
        out[0].message
    );
    let actions = r
        .inbox
        .with_store(|s| s.list_actions(&AccountKey::trustoo(SHOP), &[]))
        .unwrap();
    assert_eq!(actions[0].state, ActionState::Conflict);
    // The copy stays in the Deleted view (it is gone on the server either way).
    let row = r
        .inbox
        .with_store(|s| s.get_review(&AccountKey::trustoo(SHOP), &ids[0]))
        .unwrap()
        .unwrap();
    assert!(row.deleted_at.is_some());
    // Removing an exclusion that does not exist.
    let o = r
        .inbox
        .remove_exclusion(
            Some(&r.client),
            &ExclusionTarget {
                email: None,
                customer_id: Some("999999999".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(o.status, ActionStatus::Conflict);
    let requests = lock(&r.sandbox.state().stats).total;
    let report = r.inbox.replay(&r.client).await.unwrap();
    assert_eq!(report, Default::default(), "conflicts are not retried");
    assert_eq!(lock(&r.sandbox.state().stats).total, requests);
}

#[tokio::test]
async fn export_writes_the_filtered_list_to_a_new_file() {
    let r = rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    let out_dir = r.dir.path().join("Downloads");
    let q = ReviewQuery {
        filter: ReviewFilter {
            ratings: vec![1],
            ..ReviewFilter::default()
        },
        ..ReviewQuery::default()
    };
    let expected = r
        .inbox
        .with_store(|s| s.count_reviews(&AccountKey::trustoo(SHOP), &q.filter))
        .unwrap();
    let date = time::macros::date!(2026 - 05 - 04);
    let first = r.inbox.export_csv(&q, &out_dir, date).await.unwrap();
    assert_eq!(first.rows, expected);
    assert!(first
        .path
        .ends_with("reviewdesk-aurora-outfitters-2026-05-04.csv"));
    let text = std::fs::read_to_string(&first.path).unwrap();
    assert!(text.starts_with("id,product_id,"));
    let second = r.inbox.export_csv(&q, &out_dir, date).await.unwrap();
    assert!(second
        .path
        .ends_with("reviewdesk-aurora-outfitters-2026-05-04-2.csv"));
}

#[tokio::test]
async fn a_deletion_next_to_a_new_review_is_still_noticed() {
    let r = rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    let products = r
        .inbox
        .with_store(|s| s.list_products(&AccountKey::trustoo(SHOP)))
        .unwrap();
    assert_eq!(products.iter().map(|p| p.count).sum::<u64>(), SEEDED);
    assert!(products.windows(2).all(|w| w[0].count >= w[1].count));
    assert!(products
        .iter()
        .filter(|p| p.id.as_str() != "0")
        .all(|p| !p.title.is_empty()));
    // One deleted, one created: the server's count does not move, but once the new review
    // is stored the local count is one higher, so the sweep still runs.
    let old = some_ids(&r.inbox, 60).pop().unwrap();
    r.client.delete_review(&old).await.unwrap();
    let product = demo::product_ids()[1].to_string();
    r.client
        .create_review(&NewReview::new(product.as_str(), 2, "Dee"))
        .await
        .unwrap();
    let report = r
        .inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    assert!(report.full_pass);
    assert_eq!(report.new.count, 1);
    assert_eq!(report.new.one_star, 0);
    assert_eq!(report.deleted_remotely, 1);
    let row = r
        .inbox
        .with_store(|s| s.get_review(&AccountKey::trustoo(SHOP), &old))
        .unwrap()
        .unwrap();
    assert!(row.deleted_remotely_at.is_some());
    assert_eq!(active_count(&r.inbox), SEEDED);
    // A forced full pass over an unchanged server changes nothing.
    let report = r
        .inbox
        .sync(&r.client, SyncMode::Full, &quiet)
        .await
        .unwrap();
    assert!(report.full_pass && !report.first_sync);
    assert_eq!(report.deleted_remotely, 0);
    assert_eq!(report.new.count, 0);
    assert_eq!(report.fetched, SEEDED);
}

// ---------------------------------------------------------------- A sync survives a bad page

const GET_REVIEWS: &str = "/api/v1/openapi/get_reviews";
/// Enough reviews for a full pass of 30 pages of 100, written in several batches.
const MANY: u64 = 3000;

/// A client that retries like the app's (4 attempts), without sleeping: the waits it asks for
/// are only recorded.
fn retrying_client(base_url: &str) -> TrustooClient {
    let mut cfg = ClientConfig::new(
        Url::parse(base_url).unwrap(),
        Auth::Hmac {
            public_token: Secret::new(demo::PUBLIC_TOKEN),
            private_token: Secret::new(demo::PRIVATE_TOKEN),
        },
    );
    cfg.retry = RetryConfig {
        sleeper: reviewdesk_trustoo::Sleeper::new(|_| Box::pin(async {})),
        ..RetryConfig::default()
    };
    cfg.timeouts = Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_secs(5),
    };
    TrustooClient::new(cfg).unwrap()
}

/// A sandbox of [`MANY`] reviews, an inbox paging by 100 and writing batches of up to 1,000
/// (so a pass has several batches), and a retrying client.
async fn many_rig() -> Rig {
    let config = InboxConfig {
        concurrency: 3,
        page_size: 100,
        batch_rows: 1000,
        ..InboxConfig::default()
    };
    rig_with(MANY as usize, |s| retrying_client(&s.base_url()), config).await
}

/// Arms a malformed-JSON answer on one page of `get_reviews`, `count` times (0 = until cleared).
fn arm_bad_page(sandbox: &Sandbox, page: u32, count: u64) {
    lock(&sandbox.state().faults).push(Fault {
        kind: "malformed".into(),
        status: 200,
        remaining: (count > 0).then_some(count),
        path_prefix: GET_REVIEWS.into(),
        delay_ms: 0,
        retry_after: 1,
        query: vec![("page".into(), page.to_string())],
    });
}

/// The pages of `get_reviews` the sandbox was asked for since the last reset, in arrival order.
fn pages_requested(sandbox: &Sandbox) -> Vec<u32> {
    lock(&sandbox.state().stats)
        .requests
        .iter()
        .filter(|r| r.path == GET_REVIEWS)
        .map(|r| r.param("page").unwrap_or("1").parse().unwrap())
        .collect()
}

fn reset_requests(sandbox: &Sandbox) {
    lock(&sandbox.state().stats).requests.clear();
}

#[tokio::test]
async fn a_first_sync_retries_a_bad_page_and_completes() {
    let r = many_rig().await;
    arm_bad_page(&r.sandbox, 7, 2);
    let report = r
        .inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    assert!(report.first_sync && report.full_pass);
    assert_eq!(report.fetched, MANY);
    assert_eq!(report.new.count, MANY);
    assert_eq!(active_count(&r.inbox), MANY);
    let pages = pages_requested(&r.sandbox);
    assert_eq!(pages.iter().filter(|&&p| p == 7).count(), 3, "{pages:?}");
    assert_eq!(r.inbox.sync_status().phase, SyncPhase::Done);
}

#[tokio::test]
async fn a_first_sync_stopped_by_a_bad_page_keeps_what_it_fetched_and_resumes_there() {
    let r = many_rig().await;
    arm_bad_page(&r.sandbox, 7, 0);
    let err = r.inbox.sync(&r.client, SyncMode::Auto, &quiet).await;
    assert!(err.is_err());
    // Asked four times (the client's attempts), then the sync stopped with the reason.
    let pages = pages_requested(&r.sandbox);
    assert_eq!(pages.iter().filter(|&&p| p == 7).count(), 4, "{pages:?}");
    // Pages 1 to 6 are kept.
    assert_eq!(active_count(&r.inbox), 600);
    let status = r.inbox.sync_status();
    assert_eq!(status.phase, SyncPhase::Failed);
    let message = status.message.unwrap();
    assert!(message.contains("could not read"), "{message}");
    assert!(!r.inbox.is_offline());

    lock(&r.sandbox.state().faults).clear();
    reset_requests(&r.sandbox);
    let report = r
        .inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    // It went on from the last stored page (6, asked again in case the listing moved), not
    // from page 1, and every later page once.
    let mut pages = pages_requested(&r.sandbox);
    assert_eq!(pages.first(), Some(&6), "{pages:?}");
    pages.sort_unstable();
    assert_eq!(pages, (6..=30).collect::<Vec<u32>>());
    assert!(report.first_sync, "still the first sync: nothing to notify");
    assert_eq!(report.total, Some(MANY));
    assert_eq!(active_count(&r.inbox), MANY);
    assert_eq!(report.deleted_remotely, 0);
    assert_eq!(r.inbox.sync_status().phase, SyncPhase::Done);
    // Done: the next sync is an incremental one again (one page).
    reset_requests(&r.sandbox);
    let report = r
        .inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    assert!(!report.full_pass && !report.first_sync);
    assert_eq!(pages_requested(&r.sandbox), [1]);
}

/// A full pass over a shop already stored, stopped by a bad page and resumed, flags no review
/// the first attempt saw (it does not know their ids any more), and the deletions are all
/// noticed by the next poll at the latest. (Whether the resumed pass flags them itself depends
/// on the second the reviews were stored in: one stored in the second the pass began is left
/// to the next pass, never flagged by mistake.)
#[tokio::test]
async fn a_resumed_full_pass_flags_nothing_wrongly_and_deletions_are_noticed() {
    let r = many_rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    // One deleted on the server near the top (seen by the first attempt's pages), one far
    // below (reached only by the resumed pass).
    let page = |n: u32| {
        let client = r.client.clone();
        async move {
            client
                .list_reviews(
                    &reviewdesk_trustoo::types::ReviewQuery::new()
                        .page(n)
                        .page_size(100),
                )
                .await
                .unwrap()
                .list
        }
    };
    let gone = [page(1).await[50].id.clone(), page(25).await[40].id.clone()];
    for id in &gone {
        r.client.delete_review(id).await.unwrap();
    }
    arm_bad_page(&r.sandbox, 12, 0);
    assert!(r
        .inbox
        .sync(&r.client, SyncMode::Full, &quiet)
        .await
        .is_err());
    lock(&r.sandbox.state().faults).clear();
    reset_requests(&r.sandbox);
    let report = r
        .inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    assert!(report.full_pass);
    let pages = pages_requested(&r.sandbox);
    // The newest page first (new reviews), then on from page 11, the last one stored.
    assert_eq!(pages.iter().min(), Some(&1), "{pages:?}");
    assert!(!pages.contains(&2), "resumed, not restarted: {pages:?}");
    assert_eq!(pages.iter().filter(|&&p| p == 11).count(), 1, "{pages:?}");
    let deleted_view = ReviewQuery {
        filter: ReviewFilter {
            view: ReviewView::Deleted,
            ..ReviewFilter::default()
        },
        ..ReviewQuery::default()
    };
    let flagged: Vec<ReviewId> = r
        .inbox
        .with_store(|s| s.query_reviews(&AccountKey::trustoo(SHOP), &deleted_view))
        .unwrap()
        .rows
        .into_iter()
        .map(|row| row.review.id)
        .collect();
    assert!(flagged.iter().all(|id| gone.contains(id)), "{flagged:?}");
    assert_eq!(report.deleted_remotely, flagged.len());
    assert_eq!(active_count(&r.inbox), MANY - flagged.len() as u64);
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    assert_eq!(active_count(&r.inbox), MANY - 2);
    for id in &gone {
        let row = r
            .inbox
            .with_store(|s| s.get_review(&AccountKey::trustoo(SHOP), id))
            .unwrap()
            .unwrap();
        assert!(row.deleted_remotely_at.is_some());
    }
}

#[tokio::test]
async fn an_incremental_sync_survives_a_bad_page() {
    let r = many_rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    let product = demo::product_ids()[0].to_string();
    let create = |n: usize, who: &'static str| {
        let client = r.client.clone();
        let product = product.clone();
        async move {
            for i in 0..n {
                let who = format!("{who} {i}");
                client
                    .create_review(&NewReview::new(product.as_str(), 4, who.as_str()))
                    .await
                    .unwrap();
            }
        }
    };
    // 250 new reviews: the incremental sync needs pages 1 to 3; page 2 fails twice.
    create(250, "Early").await;
    arm_bad_page(&r.sandbox, 2, 2);
    let report = r
        .inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    assert!(!report.full_pass);
    assert_eq!(report.new.count, 250);
    assert_eq!(active_count(&r.inbox), MANY + 250);

    // 250 more, and page 2 stays bad: the sync stops with the reason, page 1 is kept, and the
    // next sync brings the rest.
    create(250, "Late").await;
    arm_bad_page(&r.sandbox, 2, 0);
    assert!(r
        .inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .is_err());
    assert_eq!(r.inbox.sync_status().phase, SyncPhase::Failed);
    assert_eq!(active_count(&r.inbox), MANY + 350);
    lock(&r.sandbox.state().faults).clear();
    let report = r
        .inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    assert_eq!(report.new.count, 150);
    assert_eq!(active_count(&r.inbox), MANY + 500);
}

/// A server that answers with errors is not offline: the status says it is having trouble,
/// with the error, and that the app retries; a refused connection is offline.
#[tokio::test]
async fn server_errors_say_trouble_and_only_a_refused_connection_is_offline() {
    let r = many_rig().await;
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    arm(&r.sandbox, "status", 500, 1000, GET_REVIEWS);
    assert!(r
        .inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .is_err());
    let status = r.inbox.sync_status();
    assert_eq!(status.phase, SyncPhase::ServerTrouble);
    let message = status.message.unwrap();
    assert!(
        message.contains("Trustoo is having trouble (error 500), retrying"),
        "{message}"
    );
    assert!(!message.contains("cannot be reached"), "{message}");
    lock(&r.sandbox.state().faults).clear();

    // Nothing listens on this port: the connection is refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let refused = retrying_client(&format!("http://127.0.0.1:{port}"));
    assert!(r
        .inbox
        .sync(&refused, SyncMode::Auto, &quiet)
        .await
        .is_err());
    let status = r.inbox.sync_status();
    assert_eq!(status.phase, SyncPhase::Offline);
    assert!(status.message.unwrap().contains("cannot be reached"));
    assert!(r.inbox.is_offline());
    r.inbox
        .sync(&r.client, SyncMode::Auto, &quiet)
        .await
        .unwrap();
    assert_eq!(r.inbox.sync_status().phase, SyncPhase::Done);
}

// ---- The background work, over a fake host (no window) ------------------------------------

/// A host that records what the background work tells the window and the desktop; its
/// client can be made unavailable with a chosen error (e.g. a refresh that cannot connect).
struct FakeHost {
    inbox: Arc<Inbox>,
    client: TrustooClient,
    client_fails_with: Mutex<Option<fn() -> reviewdesk_trustoo::Error>>,
    statuses: Mutex<Vec<SyncStatus>>,
    queue_sizes: Mutex<Vec<usize>>,
    notifications: Mutex<Vec<String>>,
}

impl InboxHost for FakeHost {
    fn active_inbox(&self) -> HostFuture<'_, Option<Arc<Inbox>>> {
        Box::pin(async move { Some(self.inbox.clone()) })
    }

    fn client(&self) -> HostFuture<'_, Result<Box<dyn ReviewSource>, SourceError>> {
        Box::pin(async move {
            match *self.client_fails_with.lock().unwrap() {
                Some(error) => Err(error().into()),
                None => Ok(Box::new(self.client.clone()) as Box<dyn ReviewSource>),
            }
        })
    }

    fn sync_progress(&self, status: &SyncStatus) {
        self.statuses.lock().unwrap().push(status.clone());
    }

    fn queue_changed(&self, waiting: &[reviewdesk_core::QueuedAction]) {
        self.queue_sizes.lock().unwrap().push(waiting.len());
    }

    fn new_reviews(&self, _news: &reviewdesk_core::NewReviews, text: &str) {
        self.notifications.lock().unwrap().push(text.to_owned());
    }
}

const POLL: Duration = Duration::from_secs(300);
const PROBE: Duration = Duration::from_secs(30);

/// The background work over a fresh sandbox (the rig's inbox and client move into the host).
async fn background() -> (Sandbox, tempfile::TempDir, Background<FakeHost>) {
    let Rig {
        sandbox,
        client,
        dir,
        inbox,
    } = rig().await;
    let host = FakeHost {
        inbox: Arc::new(inbox),
        client,
        client_fails_with: Mutex::new(None),
        statuses: Mutex::new(Vec::new()),
        queue_sizes: Mutex::new(Vec::new()),
        notifications: Mutex::new(Vec::new()),
    };
    (sandbox, dir, Background::with_intervals(host, POLL, PROBE))
}

fn last_status(bg: &Background<FakeHost>) -> SyncStatus {
    bg.host().statuses.lock().unwrap().last().cloned().unwrap()
}

#[tokio::test]
async fn the_background_notifies_new_reviews_but_never_a_first_sync() {
    let (sandbox, _dir, bg) = background().await;
    assert_eq!(bg.cycle(SyncMode::Auto).await, POLL);
    assert_eq!(last_status(&bg).phase, SyncPhase::Done);
    assert!(
        bg.host().notifications.lock().unwrap().is_empty(),
        "a first sync brings the whole history: no notification"
    );
    let product = demo::product_ids()[0].to_string();
    for (stars, who) in [(1, "Ada"), (5, "Bob")] {
        bg.host()
            .client
            .create_review(&NewReview::new(product.as_str(), stars, who))
            .await
            .unwrap();
    }
    bg.cycle(SyncMode::Auto).await;
    assert_eq!(
        *bg.host().notifications.lock().unwrap(),
        ["2 new reviews, 1 with 1★"]
    );
    drop(sandbox);
}

#[tokio::test]
async fn the_background_probes_while_offline_and_replays_the_queue_when_trustoo_is_back() {
    let (sandbox, _dir, bg) = background().await;
    bg.cycle(SyncMode::Auto).await;
    let inbox = bg.host().inbox.clone();
    let ids = some_ids(&inbox, 2);
    set_offline(&sandbox, true);
    let was_offline = inbox.is_offline();
    inbox
        .delete_reviews(Some(&bg.host().client), &ids)
        .await
        .unwrap();
    assert!(!bg.after_call(&inbox, was_offline), "still offline");
    assert_eq!(bg.host().queue_sizes.lock().unwrap().last(), Some(&2));
    assert_eq!(
        bg.cycle(SyncMode::Auto).await,
        PROBE,
        "probes soon while offline"
    );
    assert_eq!(last_status(&bg).phase, SyncPhase::Offline);

    set_offline(&sandbox, false);
    assert_eq!(bg.cycle(SyncMode::Auto).await, POLL);
    assert_eq!(last_status(&bg).phase, SyncPhase::Done);
    assert_eq!(bg.host().queue_sizes.lock().unwrap().last(), Some(&0));
    for id in &ids {
        assert_eq!(deletions_of(&sandbox, id), 1, "sent once");
    }
}

#[tokio::test]
async fn a_client_the_host_cannot_get_is_reported_as_the_syncs_phase() {
    let (_sandbox, _dir, bg) = background().await;
    let fail_with = |error: fn() -> reviewdesk_trustoo::Error| {
        *bg.host().client_fails_with.lock().unwrap() = Some(error);
    };
    // The token refresh could not connect: offline, and probed soon.
    fail_with(|| reviewdesk_trustoo::Error::Network {
        kind: reviewdesk_trustoo::NetworkKind::Connect,
        source: None,
    });
    assert_eq!(bg.cycle(SyncMode::Auto).await, PROBE);
    assert_eq!(last_status(&bg).phase, SyncPhase::Offline);
    // Trustoo answered the refresh with a server error: in trouble, not offline.
    fail_with(|| reviewdesk_trustoo::Error::Server {
        status: 500,
        code: Some(13),
    });
    bg.cycle(SyncMode::Auto).await;
    let status = last_status(&bg);
    assert_eq!(status.phase, SyncPhase::ServerTrouble);
    assert_eq!(
        status.message.as_deref(),
        Some("Trustoo is having trouble (error 500), retrying.")
    );
    // The sign-in ended: say so, not "offline".
    fail_with(|| reviewdesk_trustoo::Error::Unauthorized { expired: false });
    assert_eq!(bg.cycle(SyncMode::Auto).await, POLL);
    let status = last_status(&bg);
    assert_eq!(status.phase, SyncPhase::Failed);
    assert!(
        status
            .message
            .as_deref()
            .is_some_and(|m| m.contains("Sign in again")),
        "{status:?}"
    );
}
