//! The write-ahead journal reaches the main file and stays small (issue 19 §2): before, a
//! merchant's `reviewdesk.db` stayed at 16 KB while its `-wal` grew launch after launch.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use reviewdesk_core::{AccountKey, ReviewFilter, ReviewQuery};
use reviewdesk_store::Store;

/// What "small" means for the journal left beside the file (a sync of 100,000 reviews writes
/// over 100 MB of it).
const SMALL_JOURNAL: u64 = 8 << 20;

fn wal(path: &Path) -> PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

fn len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// The app's shape: the writer the sync uses and, beside it, the read connection the window
/// reads through (it outlives the writer's close here, so SQLite's own copy at the last close
/// does not happen and only the store's own work can move the journal).
#[test]
fn after_100000_reviews_and_a_close_the_data_is_in_the_main_file_and_the_journal_is_small() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reviewdesk.db");
    let shop = AccountKey::trustoo("demo.myshopify.com");
    let mut writer = Store::open(&path).unwrap();
    let reader = Store::open_reader(&path).unwrap();
    reviewdesk_store::bench::fill_synthetic(&mut writer, &shop, 100_000, 19).unwrap();
    let page = reader
        .query_reviews(&shop, &ReviewQuery::default())
        .unwrap();
    assert!(!page.rows.is_empty());
    drop(writer);
    let (main, journal) = (len(&path), len(&wal(&path)));
    assert!(
        journal < SMALL_JOURNAL,
        "after the close: journal {journal} bytes, main file {main} bytes"
    );
    // 100,000 reviews take tens of megabytes: they are in the main file.
    assert!(main > 30 << 20, "main file {main} bytes");
    drop(reader);
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store
            .count_reviews(&shop, &ReviewFilter::default())
            .unwrap(),
        100_000
    );
    assert!(len(&wal(&path)) < SMALL_JOURNAL);
}

/// While the app runs, the keeper copies a grown journal into the main file on its own (an app
/// killed before its quit, or writes between syncs, would otherwise leave it growing), without
/// waiting for a sync that holds the writer.
#[test]
fn the_journal_keeper_copies_a_grown_journal_while_the_store_stays_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reviewdesk.db");
    let shop = AccountKey::trustoo("demo.myshopify.com");
    let mut writer = Store::open(&path).unwrap();
    let reader = Store::open_reader(&path).unwrap();
    reviewdesk_store::bench::fill_synthetic(&mut writer, &shop, 20_000, 7).unwrap();
    assert!(
        len(&wal(&path)) > SMALL_JOURNAL,
        "the fill grows the journal"
    );
    let shared = std::sync::Arc::new(std::sync::Mutex::new(writer));
    let keeper = reviewdesk_store::spawn_journal_keeper(
        std::sync::Arc::downgrade(&shared),
        std::time::Duration::from_millis(20),
    )
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while len(&wal(&path)) > reviewdesk_store::JOURNAL_SIZE_LIMIT
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let (main, journal) = (len(&path), len(&wal(&path)));
    assert!(
        journal <= reviewdesk_store::JOURNAL_SIZE_LIMIT,
        "journal {journal} bytes, main file {main} bytes"
    );
    assert!(main > 5 << 20, "main file {main} bytes");
    assert_eq!(
        reader
            .count_reviews(&shop, &ReviewFilter::default())
            .unwrap(),
        20_000
    );
    // The keeper ends with the store.
    drop(shared);
    keeper.join().unwrap();
}
