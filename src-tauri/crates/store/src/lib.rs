//! The local SQLite store of ReviewDesk: a cache of each shop's Trustoo reviews plus the
//! merchant's own work (triage, drafts, queued actions, audit log).
//!
//! Why it exists: the app must open instantly, search a million reviews in milliseconds and keep
//! working offline. The store never invents server state: reviews only come in through
//! [`Store::upsert_reviews`], local changes live in their own columns or tables (triage, local
//! deletion, queue, drafts) and reach the server only through the action queue.
//!
//! One [`Store`] owns one connection and is not `Sync`; the inbox keeps the writing one behind a
//! mutex and opens a second, read-only one on the same file ([`Store::open_reader`]) for the
//! window's reads: WAL mode lets readers and one writer work side by side, and the busy timeout
//! absorbs short write contention.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use reviewdesk_core::AccountKey;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

mod accounts;
mod audit;
#[cfg(any(test, feature = "testing"))]
pub mod bench;
mod csv;
mod drafts;
mod feeds;
mod fts;
mod fts_write;
mod insights;
#[cfg(test)]
mod migration_tests;
mod products;
mod query;
mod queue;
mod ratings;
mod reply_drafts;
mod reviews;
mod schema;
mod sources;
mod sync;
mod tags;
mod templates;
pub use insights::INSIGHT_MONTHS;
pub use templates::{MAX_TEMPLATE_BODY_CHARS, MAX_TEMPLATE_NAME_CHARS};

pub use csv::write_csv_cell;
pub use feeds::{Feed, FeedState};
pub use fts::fts_match_expression;
pub use queue::{NewAction, NextAction};
pub use reviews::UpsertStats;
pub use schema::SCHEMA_VERSION;
pub use sync::{FullPassProgress, PassResume};

/// Everything that can go wrong in the store, typed so the Tauri layer can map each to a message.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused an operation (I/O error, disk full, locked past the busy timeout…).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A JSON column could not be written or read back.
    #[error("json error: {0}")]
    Json(#[from] serde_json::Error),
    /// Writing an export or reading the file size failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// The file was written by a newer ReviewDesk; opening it could destroy data.
    #[error("database schema version {found} is newer than this build supports ({supported})")]
    NewerSchema {
        /// Version found in the file.
        found: u32,
        /// Highest version this build knows.
        supported: u32,
    },
    /// A stored value does not decode (hand-edited or corrupt file).
    #[error("corrupt store: {0}")]
    Corrupt(String),
    /// The review, action or draft does not exist for that shop.
    #[error("not found: {0}")]
    NotFound(String),
    /// The review was already deleted locally.
    #[error("review {0} is already deleted")]
    AlreadyDeleted(String),
    /// A queued action cannot move to the requested state from where it is.
    #[error("action {id} is {state}, cannot change it")]
    InvalidTransition {
        /// Action id.
        id: i64,
        /// Its current state.
        state: String,
    },
    /// A value given by the caller is out of range (e.g. a rating of 7).
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

/// Result type of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Busy timeout: how long a write waits for another connection's write before failing.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// How much of the store file SQLite maps into memory for reads: none (issue 19: every page a
/// connection's map touches stays in the app's resident memory, once per connection).
///
/// History: 1 GiB mapped a store of a million reviews almost whole (most of the 1.09 GiB the app
/// held); 64 MiB still cost ~110 MiB with the writer's and the reader's maps touched. Measured
/// without a map against 64 MiB (16 MiB page caches both): `cargo xtask bench app memory`, idle,
/// the app process 310 → 201 MiB at 1,000,000 reviews (hello-world + 136 → + 27 MiB) and
/// 279 → 201 MiB at 100,000; `cargo xtask bench search` at 1 M, two runs each: p95 22.0 / 22.8
/// → 24.5 / 24.0 ms, p50 2.7 → 2.8–3.6 ms. Two milliseconds of a search against a tenth of a
/// gigabyte held for as long as the app runs.
const MMAP_BYTES: i64 = 0;

/// The page cache of each connection, in KiB (the writer's and the window's reader's: both stay
/// full once a million reviews have been read, and both count in the app's resident memory).
///
/// Why 16 MiB and not 64: `cargo xtask bench app memory`, same run of the hello-world, 1,000,000
/// reviews, idle: the app process 407 → 310 MiB (hello-world + 231 → + 136 MiB); `cargo xtask
/// bench search` at 1 M, two runs each: p95 21.4 / 21.5 ms with 64 MiB, 22.0 / 22.8 ms with
/// 16 MiB (p50 2.5–2.7 ms both), the first sync's upserts no slower (28.6–34.1 s against
/// 34.8–36.1 s).
const CACHE_KIB: i64 = 16 << 10;

/// The page cache, memory map, temp storage and statement cache every connection to a store
/// uses (the writer's and the readers'): a cache because listings and searches read the same
/// index pages again and again, bounded by [`CACHE_KIB`], and no map ([`MMAP_BYTES`]).
fn set_caches(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Page size of a store file created by this build (see [`Store::open_to_version`]).
const NEW_STORE_PAGE_SIZE: i64 = 16_384;

/// How much write-ahead journal SQLite lets grow before it copies it into the main file.
const WAL_CHECKPOINT_BYTES: i64 = 256 << 20;

/// The size SQLite cuts the journal file back to once its content is in the main file
/// (`journal_size_limit`), and the size past which [`spawn_journal_keeper`] copies it.
///
/// Why: without a limit SQLite reuses the journal file at its largest size forever (a first
/// sync leaves 100 MB or more beside the data); 4 MiB is a few incremental syncs' worth, so
/// ordinary writes reuse the file without growing it again.
pub const JOURNAL_SIZE_LIMIT: u64 = 4 << 20;

/// The local database of one app installation (all shops the merchant signed into).
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Opened by [`Store::open`] (the writer), not [`Store::open_reader`]: only the writer
    /// copies the journal into the main file when it closes.
    writer: bool,
    /// Unique per open: marks queued actions claimed by this process, so actions left
    /// `in_flight` by an earlier (crashed) process are recognisable after a restart.
    session: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("session", &self.session)
            .finish()
    }
}

impl Drop for Store {
    /// The writer copies the journal into the main file as it closes.
    ///
    /// Why: SQLite does so itself only when the *last* connection to the file closes, and the
    /// app's window keeps a read connection ([`Store::open_reader`]) open beside the writer, so
    /// a closed writer used to leave the whole journal (every review of a first sync) beside a
    /// main file that held none of it. A failure only leaves the journal for the next copy.
    fn drop(&mut self) {
        if self.writer {
            if let Err(err) = self.checkpoint() {
                tracing::warn!(%err, "the store's journal could not be copied at close");
            }
        }
    }
}

/// Copies the journal of the shared writer into the main file every `every` while the app
/// runs, whenever it has grown past [`JOURNAL_SIZE_LIMIT`]; the thread ends when the store is
/// dropped (it holds only a [`std::sync::Weak`]).
///
/// Why a schedule as well as after each sync and at quit: an app that is killed (logout,
/// crash, a test harness) never reaches its quit, and moderation, triage and drafts write
/// between syncs; the journal left by such a run is copied at the next launch's first tick.
/// Why `try_lock`: the tick never waits for (or delays) a sync's batch; it tries again later.
pub fn spawn_journal_keeper(
    store: std::sync::Weak<std::sync::Mutex<Store>>,
    every: std::time::Duration,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("store-journal".into())
        .spawn(move || loop {
            std::thread::sleep(every);
            let Some(store) = store.upgrade() else {
                return;
            };
            let guard = match store.try_lock() {
                Ok(guard) => guard,
                Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => continue,
            };
            if guard.journal_size() > JOURNAL_SIZE_LIMIT {
                if let Err(err) = guard.checkpoint() {
                    tracing::warn!(%err, "the store's journal could not be copied");
                }
            }
        })
}

static SESSION_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A process-unique token (pid, clock, counter) without pulling in a UUID crate.
pub(crate) fn unique_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = SESSION_COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{:x}-{:x}-{:x}", std::process::id(), nanos, n)
}

/// Current time in unix seconds.
pub(crate) fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it to [`SCHEMA_VERSION`].
    ///
    /// Sets WAL mode (readers never block the writer), `synchronous = NORMAL` (safe against app
    /// crashes; a power cut may lose the last moments, which the next sync restores), foreign
    /// keys, a busy timeout, a 16 MiB page cache and no memory-mapped reads, and a
    /// 256 MiB WAL between automatic checkpoints for fast syncs.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_to_version(path.as_ref(), SCHEMA_VERSION)
    }

    /// Opens and migrates only up to `version` (tests build every earlier schema with this).
    #[doc(hidden)]
    pub fn open_to_version(path: &Path, version: u32) -> Result<Self> {
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // 16 KiB pages for a new store (SQLite ignores this for an existing file, whose page
        // size is fixed, and it must come before the switch to WAL). Reviews are ~1 KiB rows
        // written in large batches; with 4 KiB pages a first sync of 100,000 reviews spends
        // twice as long committing (WAL frames, FTS5 segment pages, B-tree splits). Measured,
        // the writer alone: 2.2 s with 4 KiB pages, 1.8 s with 16 KiB.
        conn.pragma_update(None, "page_size", NEW_STORE_PAGE_SIZE)?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(%mode, "store could not switch to WAL");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        set_caches(&conn)?;
        // Let the WAL grow to 256 MiB before SQLite copies it into the main file on its own: a
        // sync rewrites the same index and FTS pages many times, and each checkpoint copies them
        // (and syncs the file) again, so a first sync of 100,000 reviews runs without one. The
        // inbox checkpoints after each sync and the app at quit, which keeps the journal small
        // between syncs. The setting counts pages, so it follows the file's own page size.
        let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        conn.pragma_update(
            None,
            "wal_autocheckpoint",
            WAL_CHECKPOINT_BYTES / page_size.max(512),
        )?;
        // Once the journal's content is in the main file, SQLite cuts the file back to this
        // size (at the next write or checkpoint) instead of keeping it at its largest.
        conn.query_row(
            &format!("PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}"),
            [],
            |_| Ok(()),
        )?;
        // `rarray(?)`: a list of keys bound as one parameter (the writer indexes a batch's new
        // rows with one statement).
        rusqlite::vtab::array::load_module(&conn)?;
        schema::migrate_to(&mut conn, version)?;
        // Cheap when nothing changed; keeps the planner's statistics current (SQLite advice for
        // long-lived connections).
        conn.execute_batch("PRAGMA optimize = 0x10002")?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            writer: true,
            session: unique_token(),
        })
    }

    /// Opens a second connection to a store another [`Store`] has already opened (and
    /// migrated), for reads only: it refuses every write (`PRAGMA query_only`).
    ///
    /// Why: one connection serves one caller at a time, and a sync's write transaction holds
    /// it for a whole batch (a fifth of a second or more); in WAL mode a reader on its own
    /// connection runs beside that writer and sees every committed batch, so the window's
    /// listings, search and details never wait for a sync.
    pub fn open_reader(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        set_caches(&conn)?;
        conn.pragma_update(None, "query_only", true)?;
        let found = schema::current_version(&conn)?;
        if found != SCHEMA_VERSION {
            return Err(StoreError::Corrupt(format!(
                "a reader needs schema version {SCHEMA_VERSION}, the file has {found} (open it \
                 for writing first)"
            )));
        }
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            writer: false,
            session: unique_token(),
        })
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file (equals [`SCHEMA_VERSION`] after [`Store::open`]).
    pub fn schema_version(&self) -> Result<u32> {
        schema::current_version(&self.conn)
    }

    /// Bytes on disk: the database file plus its write-ahead log, so size reports are honest.
    pub fn file_size(&self) -> Result<u64> {
        Ok(std::fs::metadata(&self.path)?.len() + self.journal_size())
    }

    /// Bytes of the write-ahead journal file beside the database (0 when there is none).
    pub fn journal_size(&self) -> u64 {
        let mut wal = self.path.as_os_str().to_owned();
        wal.push("-wal");
        std::fs::metadata(PathBuf::from(wal)).map_or(0, |meta| meta.len())
    }

    /// Copies the write-ahead journal into the main file and truncates it (after a sync, on a
    /// schedule, at quit, before measuring size or backing up the file). Returns whether the
    /// whole journal was copied: `false` when a reader still reading an older snapshot kept
    /// part of it (past the busy timeout); the rest is copied by a later call.
    ///
    /// Why the answer is checked: SQLite reports a blocked checkpoint as a row, not an error,
    /// and a checkpoint that silently copied nothing is how the journal came to hold all the
    /// data while the main file stayed empty.
    pub fn checkpoint(&self) -> Result<bool> {
        let (busy, log, copied): (i64, i64, i64) =
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
        if busy != 0 {
            tracing::warn!(
                log,
                copied,
                "the store's journal was only partly copied: a reader held an older snapshot"
            );
        }
        Ok(busy == 0)
    }

    /// The integer id of an account, if the account has any data here.
    pub(crate) fn account_id(&self, account: &AccountKey) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM shops WHERE provider = ?1 AND key = ?2")?
            .query_row(params![account.provider.as_str(), account.id], |r| r.get(0))
            .optional()?)
    }

    /// The integer id of an account, creating the account on first write.
    pub(crate) fn ensure_account(conn: &Connection, account: &AccountKey) -> Result<i64> {
        let provider = account.provider.as_str();
        conn.prepare_cached("INSERT OR IGNORE INTO shops (provider, key) VALUES (?1, ?2)")?
            .execute(params![provider, account.id])?;
        Ok(conn
            .prepare_cached("SELECT id FROM shops WHERE provider = ?1 AND key = ?2")?
            .query_row(params![provider, account.id], |r| r.get(0))?)
    }

    /// Direct access for tests inside the crate.
    #[cfg(test)]
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

impl Store {
    /// Checks that the FTS index matches the reviews table exactly (FTS5 `integrity-check`
    /// against the content table) and that `search_terms` holds every indexed term (prefix
    /// search relies on it, and filters order their parts by the facet tokens' counts); an error means search results would be wrong. Reads the whole
    /// index: for tests and diagnosis, not for every open.
    pub fn check_search_index(&self) -> Result<()> {
        self.conn.execute(
            "INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )?;
        self.conn.execute_batch(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.reviews_vocab_row \
             USING fts5vocab(main, reviews_fts, row)",
        )?;
        let missing: i64 = self.conn.query_row(
            "SELECT count(*) FROM temp.reviews_vocab_row v \
             WHERE NOT EXISTS (SELECT 1 FROM search_terms s WHERE s.term = v.term)",
            [],
            |r| r.get(0),
        )?;
        if missing > 0 {
            return Err(StoreError::Corrupt(format!(
                "{missing} indexed terms are missing from search_terms"
            )));
        }
        Ok(())
    }
}

impl Store {
    /// Bytes used per table and index (SQLite `dbstat`), largest first, so size regressions can
    /// be traced to a table or index.
    pub fn size_breakdown(&self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn search_index_check_catches_a_stale_index() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let reviews = synthetic(3, 20, 1);
        store
            .upsert_reviews(&AccountKey::trustoo("s"), &reviews)
            .unwrap();
        store.check_search_index().unwrap();
        // Bypassing upsert_reviews leaves the index stale, and the check notices.
        store
            .conn()
            .execute("UPDATE reviews SET content = 'zzz' WHERE id = '3'", [])
            .unwrap();
        assert!(store.check_search_index().is_err());
    }

    /// SQLite copies the journal into the main file at the same size whatever the file's page
    /// size (new stores use 16 KiB pages, older ones 4 KiB).
    #[test]
    fn the_journal_threshold_is_in_bytes_whatever_the_page_size() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.db");
        {
            let conn = Connection::open(&old).unwrap();
            conn.pragma_update(None, "page_size", 4096).unwrap();
            conn.execute_batch("CREATE TABLE t (x); DROP TABLE t;")
                .unwrap();
        }
        for path in [dir.path().join("new.db"), old] {
            let store = Store::open(&path).unwrap();
            let pages: i64 = store
                .conn()
                .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
                .unwrap();
            let page_size: i64 = store
                .conn()
                .query_row("PRAGMA page_size", [], |r| r.get(0))
                .unwrap();
            assert_eq!(
                pages * page_size,
                WAL_CHECKPOINT_BYTES,
                "{}",
                path.display()
            );
        }
    }

    /// Ids of the active reviews matching `keyword`, newest first, as FTS5's own prefix query
    /// finds them (the reference for the store's prefix expansion).
    fn native_search(store: &Store, keyword: &str) -> Vec<String> {
        // No column filter: facet tokens carry a mark no search word holds (schema V18).
        let expr = fts_match_expression(keyword).unwrap();
        store
            .conn()
            .prepare(
                "SELECT r.id FROM reviews_fts JOIN reviews r ON r.rid = reviews_fts.rowid \
                 WHERE reviews_fts MATCH ?1 AND r.gone = 0 \
                 AND r.shop = (SELECT id FROM shops WHERE key = 's') \
                 ORDER BY reviews_fts.rowid",
            )
            .unwrap()
            .query_map([expr], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn store_search(store: &Store, keyword: &str) -> (Vec<String>, u64) {
        store_search_counting(store, keyword, None)
    }

    /// A page of up to 1,000 matches of `keyword`, its total counted up to `count_limit`.
    fn store_search_counting(
        store: &Store,
        keyword: &str,
        count_limit: Option<u32>,
    ) -> (Vec<String>, u64) {
        let query = reviewdesk_core::ReviewQuery {
            filter: reviewdesk_core::ReviewFilter {
                keyword: Some(keyword.to_owned()),
                ..Default::default()
            },
            limit: 1000,
            count_limit,
            ..Default::default()
        };
        let page = store
            .query_reviews(&AccountKey::trustoo("s"), &query)
            .unwrap();
        let ids = page.rows.iter().map(|r| r.review.id.0.clone()).collect();
        (ids, page.total)
    }

    /// Issue 19: "z" found no review where "zi" found 2,728, "c" fewer than "co". Typed letter
    /// by letter, each prefix (one letter too) finds at least every review a longer one finds,
    /// and exactly what FTS5's own prefix query finds, for a page with an exact total and for
    /// the list view's page with a capped total.
    #[test]
    fn a_prefix_finds_every_review_its_longer_prefixes_find() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let mut reviews = synthetic(19, 600, 60);
        reviews[0].content = "Zinnia zigzag".into();
        reviews[1].title = "Zip".into();
        store
            .upsert_reviews(&AccountKey::trustoo("s"), &reviews)
            .unwrap();
        for word in ["zigzag", "comfortable", "size", "thick", "the great zi"] {
            let mut longer: Option<Vec<String>> = None;
            for end in (1..=word.len()).rev() {
                let typed = &word[..end];
                if typed.ends_with(' ') {
                    continue;
                }
                let want = native_search(&store, typed);
                let (got, total) = store_search(&store, typed);
                assert_eq!(got, want, "{typed:?}");
                assert_eq!(total, want.len() as u64, "{typed:?}");
                let (got, total) = store_search_counting(&store, typed, Some(1000));
                assert_eq!(got, want, "{typed:?}, capped total");
                assert_eq!(total, want.len().min(1000) as u64, "{typed:?}");
                if let Some(longer) = &longer {
                    if !typed.contains(' ') || word[end..].chars().all(char::is_alphanumeric) {
                        let missing: Vec<_> =
                            longer.iter().filter(|id| !got.contains(id)).collect();
                        assert!(missing.is_empty(), "{typed:?} misses {missing:?}");
                    }
                }
                longer = Some(got);
            }
        }
        assert!(!store_search(&store, "z").0.is_empty());
    }

    #[test]
    fn prefix_search_finds_exactly_what_an_fts5_prefix_query_finds() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let mut reviews = synthetic(9, 600, 60);
        // Capitals, accents and other non-ASCII text go through SQLite's tokenizer.
        reviews[0].author = "Chloé Ärger".into();
        reviews[1].content = "NAÏVE Thème résumé, THICKER than Thimble".into();
        reviews[2].title = "Straße café ﬁne Ελληνικά".into();
        reviews[3].product_title = "Thi-Shirt Größe".into();
        // ASCII words glued to non-ASCII punctuation, emoji and accents in one piece.
        reviews[6].content = "DON’T stop—naïve😀fitted, O'Neil’s Ωmega".into();
        // More terms than a prefix is expanded to ("zq"), and fewer ("zq1").
        reviews[5].content = (0..300).map(|i| format!("zq{i} ")).collect();
        store
            .upsert_reviews(&AccountKey::trustoo("s"), &reviews)
            .unwrap();
        // A changed text brings new terms.
        reviews[4].content = "thixotropic gel, Naïveté".into();
        store
            .upsert_reviews(&AccountKey::trustoo("s"), &reviews[4..5])
            .unwrap();
        store.check_search_index().unwrap();
        let keywords = [
            "thi", "Thi", "THICK", "thix", "chlo", "Chlo", "arg", "ärg", "naiv", "naïv", "them",
            "thè", "résu", "resu", "stra", "straß", "caf", "fin", "ελλ", "gro", "größ", "size sma",
            "great fi", "co", "zzz", "s", "zq", "zq1", "the zq2", "don", "neil", "fitt", "ωme",
            "omeg",
        ];
        let check = |store: &Store| {
            for keyword in keywords {
                let want = native_search(store, keyword);
                let (got, total) = store_search(store, keyword);
                assert_eq!(got, want, "{keyword}");
                assert_eq!(total, want.len() as u64, "{keyword}");
            }
        };
        // One shop: "active" is "not deleted".
        check(&store);
        store
            .delete_review(&AccountKey::trustoo("s"), &reviews[1].id, "test")
            .expect("delete");
        check(&store);
        // Two shops: "active in this shop" is a facet token.
        store
            .upsert_reviews(&AccountKey::trustoo("t"), &reviews[..50])
            .unwrap();
        check(&store);
        // The interesting cases really match something.
        for keyword in [
            "thi", "thix", "arg", "naiv", "resu", "co", "zq", "zq1", "don", "neil", "ωme",
        ] {
            assert!(!native_search(&store, keyword).is_empty(), "{keyword}");
        }
    }

    #[test]
    fn a_version_1_store_gets_its_term_list_from_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut store = Store::open(&path).unwrap();
        let mut reviews = synthetic(5, 50, 1);
        reviews[0].content = "Zyxwabc Éclair".into();
        store
            .upsert_reviews(&AccountKey::trustoo("s"), &reviews)
            .unwrap();
        // Make it a version 1 file: no term list.
        store
            .conn()
            .execute_batch("DROP TABLE search_terms; PRAGMA user_version = 1;")
            .unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        store.check_search_index().unwrap();
        assert_eq!(store_search(&store, "zyxw").0, vec!["0".to_owned()]);
        assert_eq!(store_search(&store, "ecla").0, vec!["0".to_owned()]);
    }

    /// `n` synthetic reviews from `seed`, newest first, `seconds_apart` from 2023-11-14 back.
    fn synthetic(seed: u64, n: u64, seconds_apart: i64) -> Vec<reviewdesk_core::Review> {
        let mut rng = bench::Rng::new(seed);
        (0..n)
            .map(|i| bench::synthetic_review(&mut rng, i, 1_700_000_000 - i as i64 * seconds_apart))
            .collect()
    }

    /// Flags one review of shop "s" (local state that lives in the index's facets).
    fn flag(store: &mut Store, id: &reviewdesk_core::ReviewId) {
        store
            .set_triage(
                &AccountKey::trustoo("s"),
                std::slice::from_ref(id),
                reviewdesk_core::TriageState::Flagged,
                "t",
            )
            .unwrap();
    }

    /// What this build's writer needs of later versions, run ahead in an older file (the later
    /// steps then find their change there and only bump the version): the products and sources
    /// tables (8, 10), accounts (11), tags and reply columns (12), the reply's FTS column (13,
    /// with the column sizes an index had before version 6), Trustpilot's review columns (14,
    /// which also extends the full pass table of 9), the star counts (16), Find Reviewer (19), product reviews (21).
    fn later_schema(store: &Store) {
        let v13 = crate::schema::V13.replace("columnsize = 0,", "");
        for sql in [
            crate::schema::V8,
            crate::schema::V9,
            crate::schema::V10,
            crate::schema::V11,
            crate::schema::V12,
            &v13,
            crate::schema::V14,
            crate::schema::V16,
            crate::schema::V19,
            crate::schema::V21,
        ] {
            store.conn().execute_batch(sql).unwrap();
        }
    }

    #[test]
    fn version_8_counts_each_products_active_reviews_from_the_reviews() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut store = Store::open(&path).unwrap();
        let reviews = synthetic(8, 400, 60);
        store
            .upsert_reviews(&AccountKey::trustoo("s"), &reviews)
            .unwrap();
        store
            .delete_review(&AccountKey::trustoo("s"), &reviews[7].id, "t")
            .unwrap();
        store
            .delete_review(&AccountKey::trustoo("s"), &reviews[9].id, "t")
            .unwrap();
        let kept = store.list_products(&AccountKey::trustoo("s")).unwrap();
        assert!(kept.len() > 1, "{kept:?}");
        // Make it a version 7 file: no products table, the product index back.
        store
            .conn()
            .execute_batch(
                "DROP TABLE products; \
                 CREATE INDEX reviews_shop_gone_product ON reviews (shop, gone, product_id); \
                 PRAGMA user_version = 7;",
            )
            .unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(
            store.list_products(&AccountKey::trustoo("s")).unwrap(),
            kept
        );
        let total: u64 = kept.iter().map(|p| p.count).sum();
        assert_eq!(total, 398);
    }

    #[test]
    fn version_10_counts_each_sources_active_reviews_from_the_reviews() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut store = Store::open(&path).unwrap();
        let reviews = synthetic(9, 400, 60);
        store
            .upsert_reviews(&AccountKey::trustoo("s"), &reviews)
            .unwrap();
        store
            .delete_review(&AccountKey::trustoo("s"), &reviews[4].id, "t")
            .unwrap();
        let kept = store.list_sources(&AccountKey::trustoo("s")).unwrap();
        assert!(kept.len() > 1, "{kept:?}");
        // Make it a version 9 file: no sources table.
        store
            .conn()
            .execute_batch("DROP TABLE sources; PRAGMA user_version = 9;")
            .unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.list_sources(&AccountKey::trustoo("s")).unwrap(), kept);
        let total: u64 = kept.iter().map(|s| s.count).sum();
        assert_eq!(total, 399);
    }

    /// A store written before the star counts were kept (version 15) gets them counted from
    /// its rows on open: deleted here, gone from the server and active reviews of two accounts.
    #[test]
    fn version_16_counts_each_accounts_active_reviews_per_star_from_the_reviews() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut store = Store::open(&path).unwrap();
        let shop = AccountKey::trustoo("s");
        let other = AccountKey::trustoo("t");
        let reviews = synthetic(16, 400, 60);
        store.upsert_reviews(&shop, &reviews).unwrap();
        store.upsert_reviews(&other, &reviews[..50]).unwrap();
        for r in &reviews[3..9] {
            store.delete_review(&shop, &r.id, "t").unwrap();
        }
        let seen: std::collections::HashSet<_> =
            reviews[20..].iter().map(|r| r.id.clone()).collect();
        assert_eq!(
            store
                .mark_missing_as_deleted(&shop, &seen, i64::MAX)
                .unwrap(),
            20
        );
        let chart = store.rating_summary_from_index(&shop, None).unwrap();
        assert_eq!(chart.count, 380);
        // Make it a version 15 file: no star counts.
        store
            .conn()
            .execute_batch("DROP TABLE rating_counts; PRAGMA user_version = 15;")
            .unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let (kept, counted) = crate::ratings::kept_and_counted(&store);
        assert_eq!(kept, counted);
        assert_eq!(store.rating_summary(&shop, None).unwrap(), chart);
        assert_eq!(store.rating_summary(&other, None).unwrap().count, 50);
    }

    #[test]
    fn version_3_rewrites_the_triage_check_in_place_and_keeps_it_strict() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut store = Store::open_to_version(&path, 2).unwrap();
        later_schema(&store);
        let reviews = synthetic(3, 20, 1);
        store
            .upsert_reviews(&AccountKey::trustoo("s"), &reviews[..10])
            .unwrap();
        // A second connection open across the migration must see the new definition too.
        let other = Connection::open(&path).unwrap();
        let table_sql = |conn: &Connection| -> String {
            conn.query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'reviews'",
                [],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert!(table_sql(&other).contains("triage IN ("));
        drop(store);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        for conn in [store.conn(), &other] {
            let sql = table_sql(conn);
            assert!(!sql.contains(" IN ("), "{sql}");
            assert!(
                sql.contains("triage = 'new' OR triage = 'reviewed'"),
                "{sql}"
            );
            let check: String = conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .unwrap();
            assert_eq!(check, "ok");
            // The constraint still holds, on both connections.
            let bad = conn.execute("UPDATE reviews SET triage = 'bogus' WHERE rowid IN (SELECT rid FROM reviews LIMIT 1)", []);
            assert!(bad.is_err(), "{bad:?}");
        }
        // Rows written before and after the migration are all there and searchable.
        store
            .upsert_reviews(&AccountKey::trustoo("s"), &reviews[10..])
            .unwrap();
        flag(&mut store, &reviews[0].id);
        assert_eq!(
            store
                .count_reviews(&AccountKey::trustoo("s"), &Default::default())
                .unwrap(),
            20
        );
        store.check_search_index().unwrap();
    }

    #[test]
    fn the_fts_index_merges_sixteen_segments_at_a_time_from_version_4() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let automerge = |store: &Store| -> Option<i64> {
            store
                .conn()
                .query_row(
                    "SELECT v FROM reviews_fts_config WHERE k = 'automerge'",
                    [],
                    |r| r.get(0),
                )
                .optional()
                .unwrap()
        };
        // FTS5's default (4) until version 4, then 16, also for a store migrated from 3.
        assert_eq!(automerge(&Store::open_to_version(&path, 3).unwrap()), None);
        assert_eq!(automerge(&Store::open(&path).unwrap()), Some(16));
    }

    #[test]
    fn version_6_rebuilds_the_fts_index_without_column_sizes_and_finds_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut store = Store::open_to_version(&path, 5).unwrap();
        later_schema(&store);
        let reviews = synthetic(6, 300, 60);
        store
            .upsert_reviews(&AccountKey::trustoo("s"), &reviews)
            .unwrap();
        store
            .delete_review(&AccountKey::trustoo("s"), &reviews[3].id, "t")
            .unwrap();
        flag(&mut store, &reviews[5].id);
        let keywords = ["thi", "comf", "great fi", "size sma", "co", "s"];
        let before: Vec<_> = keywords.iter().map(|k| store_search(&store, k)).collect();
        let docsize = |store: &Store| -> i64 {
            store
                .conn()
                .query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE name = 'reviews_fts_docsize'",
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        };
        assert_eq!(docsize(&store), 1);
        drop(store);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(docsize(&store), 0);
        store.check_search_index().unwrap();
        let after: Vec<_> = keywords.iter().map(|k| store_search(&store, k)).collect();
        assert_eq!(after, before);
        assert!(after.iter().any(|(ids, _)| !ids.is_empty()));
        // Writes and deletions keep the rebuilt index exact.
        store
            .upsert_reviews(&AccountKey::trustoo("s"), &reviews[..10])
            .unwrap();
        store
            .delete_review(&AccountKey::trustoo("s"), &reviews[7].id, "t")
            .unwrap();
        store.check_search_index().unwrap();
    }

    #[test]
    fn terms_counted_on_a_second_thread_equal_terms_counted_by_the_writer() {
        let mut reviews = synthetic(11, 1200, 60);
        reviews[7].content = "Straße café ﬁne Ελληνικά DON’T stop—naïve😀fitted".into();
        let terms = |batch: usize| {
            let dir = tempfile::tempdir().unwrap();
            let mut store = Store::open(dir.path().join("s.db")).unwrap();
            for chunk in reviews.chunks(batch) {
                store
                    .upsert_reviews(&AccountKey::trustoo("s"), chunk)
                    .unwrap();
            }
            // A batch of stored reviews again (the writer counts what it re-indexed: nothing).
            store
                .upsert_reviews(&AccountKey::trustoo("s"), &reviews[..600])
                .unwrap();
            store.check_search_index().unwrap();
            let mut stmt = store
                .conn()
                .prepare("SELECT term, docs FROM search_terms ORDER BY term")
                .unwrap();
            let rows: Vec<(String, i64)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            rows
        };
        // 600-review batches count on a second thread, 100-review ones in the writer.
        let (parallel, serial) = (terms(600), terms(100));
        assert!(parallel
            .iter()
            .any(|(t, _)| t == "strasse" || t == "straße"));
        assert_eq!(parallel, serial);
    }

    #[test]
    fn keys_order_newest_first_and_bound_dates() {
        use crate::reviews::{key_base, key_bound_at_or_after};
        assert!(key_base(2_000) < key_base(1_000));
        assert!(key_base(1_000) < key_bound_at_or_after(1_000));
        assert_eq!(key_bound_at_or_after(1_000), key_base(999));
        // Out-of-range times clamp instead of overflowing.
        assert_eq!(key_base(-5), key_base(0));
        assert!(key_base(i64::MAX) >= 0);
    }

    #[test]
    fn many_reviews_in_one_second_get_distinct_keys() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let mut rng = bench::Rng::new(4);
        let reviews: Vec<_> = (0..50)
            .map(|i| bench::synthetic_review(&mut rng, i, 0))
            .collect();
        assert_eq!(
            store
                .upsert_reviews(&AccountKey::trustoo("s"), &reviews)
                .unwrap()
                .inserted,
            50
        );
        // Later batches (another shop too: keys are store-wide) count on from the keys in use,
        // also when their span reaches seconds the batch itself does not use.
        let later: Vec<_> = (50..80)
            .map(|i| bench::synthetic_review(&mut rng, i, if i % 2 == 0 { 0 } else { 5 }))
            .collect();
        assert_eq!(
            store
                .upsert_reviews(&AccountKey::trustoo("s"), &later[..20])
                .unwrap()
                .inserted,
            20
        );
        assert_eq!(
            store
                .upsert_reviews(&AccountKey::trustoo("t"), &later[20..])
                .unwrap()
                .inserted,
            10
        );
        let (n, distinct): (i64, i64) = store
            .conn()
            .query_row(
                "SELECT count(*), count(DISTINCT rid) FROM reviews",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((n, distinct), (80, 80));
        store.check_search_index().unwrap();
    }
}
