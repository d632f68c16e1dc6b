//! Versioned schema migrations, applied in order on open.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Each migration runs inside its
//! own transaction together with the version bump, so a crash mid-migration leaves the previous
//! version intact. Migrations are append-only: never edit one that has shipped.

use rusqlite::Connection;

use crate::StoreError;

/// Version 1: the whole first schema.
///
/// Design notes:
/// * `shops` maps the caller's shop key (myshopify domain) to a small integer so the key is not
///   repeated in every row and index entry (saves ~30 bytes × 6 per review).
/// * `reviews.rid` is the rowid and is *derived from `commented_at`*:
///   `(MAX - commented_at) << 24 | seq`. Ascending rowid order is therefore "newest first", every
///   index (which ends in the rowid) is sorted by date within its equality prefix, date ranges
///   are rowid ranges, the FTS5 index (which returns rowids in order) streams matches
///   newest-first and stops at the page limit, and a newest-first sync appends.
/// * The FTS5 table is external-content over `reviews` (no second copy of the text). A DELETE
///   trigger keeps it in sync on row deletion; inserts and updates are indexed by
///   `upsert_reviews` in the same transaction (see the comment in the SQL for why not triggers),
///   and only when an indexed column or the rowid really changed.
/// * `reviews.facets` holds one token per filterable value (shop + active/deleted, product,
///   stars, photo, video, verified, source, triage), indexed in its own FTS column, so a search
///   with filters is a pure FTS5 doclist intersection and its count never reads `reviews`.
pub(crate) const V1: &str = r#"
CREATE TABLE shops (
    id INTEGER PRIMARY KEY,
    shop_key TEXT NOT NULL UNIQUE
);

CREATE TABLE reviews (
    rid INTEGER PRIMARY KEY,
    shop INTEGER NOT NULL REFERENCES shops(id),
    id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    product_title TEXT NOT NULL,
    product_handle TEXT NOT NULL,
    is_store_review INTEGER NOT NULL,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 0 AND 255),
    author TEXT NOT NULL,
    author_email TEXT NOT NULL,
    author_country TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    source TEXT NOT NULL,
    is_verified INTEGER NOT NULL,
    is_featured INTEGER NOT NULL,
    is_published INTEGER NOT NULL,
    is_pinned INTEGER NOT NULL,
    item_type TEXT NOT NULL,
    order_id TEXT NOT NULL,
    commented_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    media_json TEXT NOT NULL,
    reply_content TEXT,
    reply_at TEXT,
    has_image INTEGER NOT NULL,
    has_video INTEGER NOT NULL,
    triage TEXT NOT NULL DEFAULT 'new' CHECK (triage IN ('new', 'reviewed', 'flagged')),
    deleted_at INTEGER,
    deleted_remotely_at INTEGER,
    synced_at INTEGER NOT NULL,
    facets TEXT NOT NULL DEFAULT '',
    gone INTEGER GENERATED ALWAYS AS (deleted_at IS NOT NULL OR deleted_remotely_at IS NOT NULL) VIRTUAL
);

CREATE UNIQUE INDEX reviews_shop_id ON reviews (shop, id);
CREATE INDEX reviews_shop_gone ON reviews (shop, gone);
CREATE INDEX reviews_shop_gone_rating ON reviews (shop, gone, rating);
CREATE INDEX reviews_shop_gone_product ON reviews (shop, gone, product_id);
CREATE INDEX reviews_shop_gone_triage ON reviews (shop, gone, triage);

CREATE VIRTUAL TABLE reviews_fts USING fts5(
    author, title, content, product_title, facets,
    content = 'reviews', content_rowid = 'rid',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Deleting a review row (only a future "forget this shop" does) removes its FTS entry.
CREATE TRIGGER reviews_fts_ad AFTER DELETE ON reviews BEGIN
    INSERT INTO reviews_fts (reviews_fts, rowid, author, title, content, product_title, facets)
    VALUES ('delete', old.rid, old.author, old.title, old.content, old.product_title, old.facets);
END;

-- No INSERT/UPDATE triggers: a trigger makes every write a multi-write statement with a
-- statement savepoint, and FTS5 flushes its pending in-memory segment on each savepoint, so a
-- trigger-maintained index writes one tiny segment per review and spends its time merging them
-- (measured: > 2 minutes for 100k reviews). `upsert_reviews`, the only writer of the indexed
-- columns and of the rowid, indexes inserted and changed rows itself in the same transaction.

CREATE TABLE sync_state (
    shop INTEGER PRIMARY KEY REFERENCES shops(id),
    newest_commented_at INTEGER NOT NULL DEFAULT 0,
    newest_id TEXT,
    last_full_sync_at INTEGER,
    last_incremental_sync_at INTEGER
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    shop INTEGER NOT NULL REFERENCES shops(id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    review_id TEXT,
    details_json TEXT NOT NULL
);
CREATE INDEX audit_log_shop ON audit_log (shop, id);
CREATE INDEX audit_log_review ON audit_log (shop, review_id);

CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    shop INTEGER NOT NULL REFERENCES shops(id),
    kind TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'in_flight', 'done', 'failed', 'conflict')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    idempotency_key TEXT NOT NULL UNIQUE,
    claimed_by TEXT,
    not_before INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX actions_shop_state ON actions (shop, state, id);

CREATE TABLE drafts (
    shop INTEGER NOT NULL REFERENCES shops(id),
    id TEXT NOT NULL,
    form_json TEXT NOT NULL,
    attachments_json TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (shop, id)
) WITHOUT ROWID;
"#;

/// Version 2: a term list for fast prefix search, and a bigger FTS5 write buffer.
///
/// * `search_terms` holds every term the FTS index has ever held (a superset: terms are never
///   removed, which costs nothing in correctness). A search's last word is a prefix while the
///   user types; FTS5 answers a prefix term by merging the posting lists of *all* terms that
///   start with it into one buffer before returning the first row, which for "thi" (this, thin,
///   thick…) means most of a million-review index. The store instead looks the prefix up here
///   and asks FTS5 for the OR of those exact terms, which it streams newest-first and stops at
///   the page limit (see `Store::match_terms`). Kept current by `upsert_reviews`; filled here
///   from the FTS5 vocabulary for stores written by version 1. `docs` estimates how many
///   reviews hold the term (added on every write, never decreased; facet tokens included) so a
///   search can put its rarest part first.
/// * `hashsize` 32 MiB (default 1 MiB): FTS5 writes a new index segment whenever its in-memory
///   buffer fills and at every commit, and later merges segments (each merge rewrites them).
///   With 1 MiB a first sync of a million reviews writes thousands of small segments and spends
///   most of its time merging them; with 32 MiB a transaction of 20,000 reviews is one segment
///   (measured: 100k reviews upserted in 3.7 s instead of 5.2 s). The memory is only used while
///   a large write transaction is open.
pub(crate) const V2: &str = r#"
CREATE TABLE search_terms (
    term TEXT PRIMARY KEY,
    docs INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE VIRTUAL TABLE temp.reviews_vocab_v2 USING fts5vocab(main, reviews_fts, row);
INSERT INTO search_terms (term, docs) SELECT term, doc FROM temp.reviews_vocab_v2;
DROP TABLE temp.reviews_vocab_v2;
INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('hashsize', 33554432);
"#;

/// Version 3: the `reviews.triage` CHECK written as comparisons instead of `IN (…)`.
///
/// SQLite evaluates an `IN` over three or more constants by filling a temporary B-tree, and a
/// CHECK constraint is evaluated on every insert and update: each stored review built and threw
/// away a scratch table (two zeroed pages of the store's page size). Measured with callgrind on
/// the sync's writer: 15 % of all its instructions. The constraint accepts exactly the same
/// values, so existing rows need no check and the table definition is edited in place, the way
/// the SQLite documentation describes for CHECK changes (`PRAGMA writable_schema`; the schema
/// cookie is bumped by [`migrate_to`]).
pub(crate) const V3: &str = r#"
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (triage IN (''new'', ''reviewed'', ''flagged''))',
    'CHECK (triage = ''new'' OR triage = ''reviewed'' OR triage = ''flagged'')')
WHERE type = 'table' AND name = 'reviews';
PRAGMA writable_schema = OFF;
"#;

/// Version 4: FTS5 merges index segments 16 at a time instead of 4 (`automerge`).
///
/// Each write transaction adds one FTS5 segment; with the default, every 4 segments of a level
/// are merged into one of the next, so a first sync rewrites every posting again and again. With
/// 16, a sync of 100,000 reviews (20 transactions) merges about once. Measured on 1,000,000
/// reviews written like a first sync: filled in 27.6 s instead of 35.8 s, 3 % more space, and
/// the search figure unchanged (p95 11.5 ms against 12.7 ms; queries read more, smaller
/// segments).
pub(crate) const V4: &str = r#"
INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('automerge', 16);
"#;

/// Version 5: the `(shop, gone)` and `(shop, gone, triage)` indexes become partial indexes
/// that hold only the rows they are for: deleted reviews, and reviews triaged away from `new`.
///
/// Every stored review paid for an entry in both, though a listing of all active reviews walks
/// the table itself (its rowid is the date order, see `query.rs`) and the `new` triage state is
/// almost every review. Measured with callgrind on the sync's writer: 8.6 % fewer
/// instructions. A listing of deleted reviews, or of reviewed or flagged ones, still walks an
/// index of just those rows, newest first.
pub(crate) const V5: &str = r#"
DROP INDEX IF EXISTS reviews_shop_gone;
DROP INDEX IF EXISTS reviews_shop_gone_triage;
CREATE INDEX IF NOT EXISTS reviews_shop_deleted ON reviews (shop) WHERE gone = 1;
CREATE INDEX IF NOT EXISTS reviews_shop_gone_triaged ON reviews (shop, gone, triage) WHERE triage <> 'new';
"#;

/// Version 6: the FTS5 index keeps no per-review column sizes (`columnsize = 0`).
///
/// FTS5 stores the token count of every column of every row in a table of its own, for `bm25()`
/// ranking; listings here are ordered by date, never by rank, so each stored review paid a
/// B-tree insert for nothing (measured with callgrind on the sync's writer: 3.3 % of its
/// instructions). The option can only be set when the table is created: the index is
/// recreated with the same columns, tokenizer and settings (V2's `hashsize`, V4's `automerge`)
/// and rebuilt from `reviews`, once (measured: 1.5 s for 200,000 reviews, so about 8 s for a
/// million). Search terms are unchanged, so `search_terms` stays as it is.
pub(crate) const V6: &str = r#"
DROP TRIGGER IF EXISTS reviews_fts_ad;
DROP TABLE reviews_fts;
CREATE VIRTUAL TABLE reviews_fts USING fts5(
    author, title, content, product_title, facets,
    content = 'reviews', content_rowid = 'rid', columnsize = 0,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('hashsize', 33554432);
INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('automerge', 16);
INSERT INTO reviews_fts (reviews_fts) VALUES ('rebuild');
CREATE TRIGGER reviews_fts_ad AFTER DELETE ON reviews BEGIN
    INSERT INTO reviews_fts (reviews_fts, rowid, author, title, content, product_title, facets)
    VALUES ('delete', old.rid, old.author, old.title, old.content, old.product_title, old.facets);
END;
"#;

/// Version 7: no `(shop, gone, rating)` index.
///
/// Every stored review paid an entry in it, and a first sync writes 100,000 of them in a few
/// seconds beside its download. What it served is answered by the star facet token every
/// review already has in FTS5 (see `query.rs`): a listing filtered or sorted by stars walks
/// those doclists newest-first, its count reads no row, and the rating chart is five such
/// counts (measured over 1,000,000 reviews: 53 ms, as with the index).
pub(crate) const V7: &str = r#"
DROP INDEX IF EXISTS reviews_shop_gone_rating;
"#;

/// Version 8: a `products` table instead of the `(shop, gone, product_id)` index.
///
/// The index gave the product filter its list (products with active reviews, most reviewed
/// first) and served listings of one product; every stored review paid an entry in it (measured
/// with callgrind on the sync's writer: 9 % of its instructions). The list now comes from one
/// row per product with its count of active reviews, kept by the writer per batch and by every
/// change of a review's deleted state (see `products.rs`); a listing of one product walks its
/// facet token in FTS5, like a star (V7). Filled here from the reviews, once.
pub(crate) const V8: &str = r#"
CREATE TABLE IF NOT EXISTS products (
    shop INTEGER NOT NULL REFERENCES shops(id),
    product_id TEXT NOT NULL,
    title TEXT NOT NULL,
    active INTEGER NOT NULL,
    PRIMARY KEY (shop, product_id)
) WITHOUT ROWID;
-- Counted afresh from the reviews (so the step can run again: tests write reviews with this
-- build's writer into older schemas, after running this step's SQL first). The title is that of
-- the product's newest review (the row of min(rid), SQLite's bare-column rule).
DELETE FROM products;
INSERT INTO products (shop, product_id, title, active)
SELECT shop, product_id, title, active FROM (
    SELECT shop, product_id, product_title AS title, sum(gone = 0) AS active, min(rid)
    FROM reviews GROUP BY shop, product_id
);
DROP INDEX IF EXISTS reviews_shop_gone_product;
"#;

/// Version 9: where an unfinished full pass stopped (see `Store::full_pass_progress`).
///
/// A first sync of a million reviews that one bad answer stops must not start again at page 1:
/// the pass's writer records, after each batch, how much of the newest-first listing is stored,
/// when the pass began (for the deletion sweep) and whether it sweeps at all. No row = no pass
/// left unfinished. A table of its own (not columns of `sync_state`) so the step can run again
/// (tests take files of this build back to older versions).
pub(crate) const V9: &str = r#"
CREATE TABLE IF NOT EXISTS full_pass_progress (
    shop INTEGER PRIMARY KEY REFERENCES shops(id),
    stored INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    sweep INTEGER NOT NULL
);
"#;

/// Version 10: a `sources` table, the source filter's options with their counts.
///
/// Why a table and not a query: the sources present in a shop's reviews would be a pass over
/// every review (no index holds the source, see V7), and their FTS5 facet tokens are folded
/// (`Store front` is `sstorefront`), so they cannot name the options. Like `products` (V8), one
/// row per source of a shop with its count of active reviews, kept by the writer per batch and
/// by every change of a review's deleted state (see `sources.rs`). Filled here from the reviews.
pub(crate) const V10: &str = r#"
CREATE TABLE IF NOT EXISTS sources (
    shop INTEGER NOT NULL REFERENCES shops(id),
    source TEXT NOT NULL,
    active INTEGER NOT NULL,
    PRIMARY KEY (shop, source)
) WITHOUT ROWID;
-- Counted afresh from the reviews, so the step can run again (see V8).
DELETE FROM sources;
INSERT INTO sources (shop, source, active)
SELECT shop, source, sum(gone = 0) FROM reviews GROUP BY shop, source;
"#;

/// Version 11: a row of `shops` is an account, keyed by provider and the provider's own id.
///
/// An account is a provider plus its id (Trustoo: the shop domain; Trustpilot: a business unit
/// id), and two providers may spell an id alike, so the key is the pair, unique together
/// (`provider`, `key`; V1's `shop_key` becomes `key`). Every other table keeps pointing at the
/// row by its integer id (their `shop` columns name an account), so nothing but this small table
/// is rewritten. Existing rows keep their ids and become Trustoo accounts.
///
/// The table keeps its name: earlier steps create tables `REFERENCES shops(id)` and must stay
/// able to run again (see [`Migration::done_if`]). V1's `UNIQUE` on `shop_key` can only go with
/// a new table: SQLite's documented way to change a table (create the new one, copy, drop the
/// old, rename the new to the old name), with foreign keys off around the step's transaction
/// and a `foreign_key_check` before it commits (see [`migrate_to`]).
pub(crate) const V11: &str = r#"
CREATE TABLE shops_v11 (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL CHECK (provider = 'trustoo' OR provider = 'trustpilot'),
    key TEXT NOT NULL,
    UNIQUE (provider, key)
);
INSERT INTO shops_v11 (id, provider, key) SELECT id, 'trustoo', shop_key FROM shops;
DROP TABLE shops;
ALTER TABLE shops_v11 RENAME TO shops;
"#;

/// Version 12: replies with their author and last change, and tags, stored per review; a
/// `tags` table, the tag filter's options with their counts.
///
/// `tags_json` holds the review's tags (`[]` for every Trustoo review); each tag is also a facet
/// token (see `fts::tag_token`), so a tag filter is one more doclist for FTS5, like a product.
/// `tags` is kept like `sources` (V10): one row per tag of an account with its count of active
/// reviews, by the writer per batch and by every change of a review's deleted state. Stores
/// written before hold no tags, so the table starts empty.
pub(crate) const V12: &str = r#"
ALTER TABLE reviews ADD COLUMN reply_author TEXT;
ALTER TABLE reviews ADD COLUMN reply_updated_at TEXT;
ALTER TABLE reviews ADD COLUMN tags_json TEXT NOT NULL DEFAULT '[]';
CREATE TABLE IF NOT EXISTS tags (
    shop INTEGER NOT NULL REFERENCES shops(id),
    tag_group TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    active INTEGER NOT NULL,
    PRIMARY KEY (shop, tag_group, tag_value)
) WITHOUT ROWID;
"#;

/// Version 13: the reply text is searchable: the FTS index gets a `reply_content` column.
///
/// FTS5 cannot add a column, so the index is recreated with the settings of V2, V4 and V6 and
/// rebuilt from `reviews`, once (as V6: about 8 s for a million reviews), and the reply texts'
/// terms are added to `search_terms` (prefix search needs every indexed term there). The
/// column comes before `facets`, which stays last. Its own step (not part of V12) so it can run
/// again after V6 (tests take files of this build back to older versions).
pub(crate) const V13: &str = r#"
DROP TRIGGER IF EXISTS reviews_fts_ad;
DROP TABLE reviews_fts;
CREATE VIRTUAL TABLE reviews_fts USING fts5(
    author, title, content, product_title, reply_content, facets,
    content = 'reviews', content_rowid = 'rid', columnsize = 0,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('hashsize', 33554432);
INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('automerge', 16);
INSERT INTO reviews_fts (reviews_fts) VALUES ('rebuild');
CREATE TRIGGER reviews_fts_ad AFTER DELETE ON reviews BEGIN
    INSERT INTO reviews_fts (reviews_fts, rowid, author, title, content, product_title,
        reply_content, facets)
    VALUES ('delete', old.rid, old.author, old.title, old.content, old.product_title,
        old.reply_content, old.facets);
END;
CREATE VIRTUAL TABLE temp.reviews_vocab_v13 USING fts5vocab(main, reviews_fts, col);
INSERT INTO search_terms (term, docs)
SELECT term, doc FROM temp.reviews_vocab_v13 WHERE col = 'reply_content'
ON CONFLICT (term) DO UPDATE SET docs = docs + excluded.docs;
DROP TABLE temp.reviews_vocab_v13;
"#;

/// Version 14: what Trustpilot reviews have besides the common fields, and where a stopped full
/// pass goes on.
///
/// * A review's provider part (`reviewdesk_core::ProviderDetails`) keeps its V1 columns for
///   Trustoo (source, email, order, variant, featured/published/pinned); Trustpilot's own
///   fields get columns of their own, NULL in Trustoo rows, so nothing is rewritten (see
///   `reviews/details.rs`). Trustpilot's source shares `source`, the source filter's column.
/// * A stopped full pass keeps where it goes on in the provider's own paging (a page number or
///   a page token), not only how many reviews it stored: a token cannot be worked out again
///   from a count, so without it a restart asked a cursor-paged listing whole again (see
///   `Store::full_pass_progress`). Rows written before have no position (NULL): the inbox works
///   it out from `stored` as before.
pub(crate) const V14: &str = r#"
ALTER TABLE reviews ADD COLUMN reference_id TEXT;
ALTER TABLE reviews ADD COLUMN referral_email TEXT;
ALTER TABLE reviews ADD COLUMN report_status TEXT;
ALTER TABLE reviews ADD COLUMN report_reasons_json TEXT;
ALTER TABLE reviews ADD COLUMN language TEXT;
ALTER TABLE reviews ADD COLUMN consumer_id TEXT;
ALTER TABLE full_pass_progress ADD COLUMN resume_kind TEXT
    CHECK (resume_kind IN ('newest', 'page', 'token', 'created_since'));
ALTER TABLE full_pass_progress ADD COLUMN resume_value TEXT;
ALTER TABLE full_pass_progress ADD COLUMN resume_before INTEGER;
ALTER TABLE full_pass_progress ADD COLUMN resume_page_size INTEGER;
"#;

/// Version 15 (issue 18):
/// review requests (orders) and widget events, cached per account for offline reading.
///
/// * `orders`: one row per order; the Requests page filters by status and by created/sent
///   ranges, so `(shop, status, created_at)`, `(shop, created_at)` and `(shop, sent_at,
///   status)` indexes serve the list and the funnel (the last one covers the funnel's counts).
/// * `customer_events`: `WITHOUT ROWID`, keyed `(shop, created_at, id)`: an event never changes,
///   the raw table reads newest-first ranges of it, and a year is ~2 M rows, so no second index.
/// * `event_days`: the rollup the Analytics page reads: one row per (UTC day, type, source, OS)
///   with its count, kept by the writer as events arrive (an event is counted only when its row
///   is new). A year is at most a few ten thousand rows, so any chart is a scan of those, not of
///   millions of events.
/// * `reviews_order`: a partial index to find the review an order brought (only reviews with an
///   order id are in it).
/// * `feed_sync`: when each feed (orders, events) of an account was last fetched.
pub(crate) const V15: &str = r#"
CREATE TABLE IF NOT EXISTS orders (
    shop INTEGER NOT NULL REFERENCES shops(id),
    id TEXT NOT NULL,
    order_number TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    customer_email TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    products_json TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    status INTEGER NOT NULL,
    synced_at INTEGER NOT NULL,
    PRIMARY KEY (shop, id)
);
CREATE INDEX IF NOT EXISTS orders_created ON orders (shop, created_at);
CREATE INDEX IF NOT EXISTS orders_status ON orders (shop, status, created_at);
CREATE INDEX IF NOT EXISTS orders_sent ON orders (shop, sent_at, status);
CREATE TABLE IF NOT EXISTS customer_events (
    shop INTEGER NOT NULL REFERENCES shops(id),
    created_at INTEGER NOT NULL,
    id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    event_source TEXT NOT NULL,
    os_type TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    review_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    PRIMARY KEY (shop, created_at, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_days (
    shop INTEGER NOT NULL REFERENCES shops(id),
    day INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    event_source TEXT NOT NULL,
    os_type TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (shop, day, event_type, event_source, os_type)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reviews_order ON reviews (shop, order_id) WHERE order_id <> '';
CREATE TABLE IF NOT EXISTS feed_sync (
    shop INTEGER NOT NULL REFERENCES shops(id),
    feed TEXT NOT NULL,
    synced_at INTEGER NOT NULL,
    full_at INTEGER,
    PRIMARY KEY (shop, feed)
) WITHOUT ROWID;
"#;

/// Version 16 (issue 19): a `rating_counts` table, each account's count of active reviews per
/// star, so the rating chart of a whole account is five kept numbers.
///
/// Why a table: the chart runs at each launch and after each sync, and counting it from the
/// star facet tokens in FTS5 (V7) took ~35 ms at 1,000,000 reviews. Kept like `tags` (V12): by
/// the writer per batch (a changed star moves a review from one count to the other) and by
/// every change of a review's deleted state. Counted afresh from the reviews, so the step can
/// run again (see V8); at a million reviews that is one pass over the table, once.
pub(crate) const V16: &str = r#"
CREATE TABLE IF NOT EXISTS rating_counts (
    shop INTEGER NOT NULL REFERENCES shops(id),
    rating INTEGER NOT NULL,
    active INTEGER NOT NULL,
    PRIMARY KEY (shop, rating)
) WITHOUT ROWID;
DELETE FROM rating_counts;
INSERT INTO rating_counts (shop, rating, active)
SELECT shop, rating, sum(gone = 0) FROM reviews GROUP BY shop, rating;
"#;

/// Version 17 (issue 17): the merchant's reply templates, kept on this computer for every
/// account (a template's `{shop_name}` is filled with the account's own name), starting with
/// three defaults written to Trustpilot's guidelines for businesses (thank by name, own the
/// problem, invite to a private channel; no personal details, no request to change the review,
/// no incentive). `stars` lists the ratings a template is offered first for, as "4,5".
pub(crate) const V17: &str = r#"
CREATE TABLE IF NOT EXISTS reply_templates (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    stars TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO reply_templates (name, stars, body, updated_at)
SELECT name, stars, body, unixepoch() FROM (
    SELECT 1 AS n, 'Thank you' AS name, '4,5' AS stars,
        'Thank you, {first_name}! We''re glad you enjoyed shopping with {shop_name}, and we hope to see you again soon.' AS body
    UNION ALL SELECT 2, 'Thanks, and we''d like to hear more', '3',
        'Thank you for your feedback, {first_name}. We''d love to know what would have made it better: please write to us through the contact page on our website.'
    UNION ALL SELECT 3, 'Sorry, let us put it right', '1,2',
        'We''re sorry, {first_name}. This is not the experience we want anyone to have with {shop_name}. Please contact us through our website so we can put it right.'
    ORDER BY n
) WHERE NOT EXISTS (SELECT 1 FROM reply_templates);
"#;

/// Version 18 (issue 19 §2): the store's size per review no bigger than the same reviews as
/// JSON. The FTS index keeps which reviews hold a term, not where (`detail = none`), and facet
/// tokens carry a mark of their own (`fts::FACET_MARK`, U+E000).
///
/// * Why `detail = none`: no search asks where a term is. Every search word is one token and
///   the listing only needs the reviews that hold all of them, newest first; positions and
///   columns were more than half the index (measured at 100,000 synthetic reviews: 455 bytes
///   per review with them, about 260 without).
/// * Why the mark: without columns a search cannot be kept out of the facets column, so the
///   facet tokens must be tokens no review text makes and no search word names. A private-use
///   character is a token character for `unicode61` and never part of a search word.
/// * The stored facets get the mark (the index is rebuilt from them), and `search_terms` is
///   counted afresh from the new index (the unmarked facet tokens go; every indexed term stays).
///   Like V13, the index is rebuilt once (about 8 s at a million reviews); the step can run
///   again (rows already marked are left as they are).
pub(crate) const V18: &str = r#"
UPDATE reviews SET facets = char(57344) || replace(facets, ' ', ' ' || char(57344))
WHERE facets <> '' AND substr(facets, 1, 1) <> char(57344);
DROP TRIGGER IF EXISTS reviews_fts_ad;
DROP TABLE IF EXISTS reviews_fts;
CREATE VIRTUAL TABLE reviews_fts USING fts5(
    author, title, content, product_title, reply_content, facets,
    content = 'reviews', content_rowid = 'rid', columnsize = 0, detail = none,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('hashsize', 33554432);
INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('automerge', 16);
INSERT INTO reviews_fts (reviews_fts) VALUES ('rebuild');
CREATE TRIGGER reviews_fts_ad AFTER DELETE ON reviews BEGIN
    INSERT INTO reviews_fts (reviews_fts, rowid, author, title, content, product_title,
        reply_content, facets)
    VALUES ('delete', old.rid, old.author, old.title, old.content, old.product_title,
        old.reply_content, old.facets);
END;
CREATE VIRTUAL TABLE temp.reviews_vocab_v18 USING fts5vocab(main, reviews_fts, row);
DELETE FROM search_terms;
INSERT INTO search_terms (term, docs) SELECT term, doc FROM temp.reviews_vocab_v18;
DROP TABLE temp.reviews_vocab_v18;
"#;

/// Whether V11 has run: `shops` has a `provider` column.
const ACCOUNTS_EXIST: &str = "SELECT EXISTS (SELECT 1 FROM pragma_table_info('shops') \
     WHERE name = 'provider')";

/// Whether V12 has run: `reviews` has a `tags_json` column.
const TAGS_STORED: &str = "SELECT EXISTS (SELECT 1 FROM pragma_table_info('reviews') \
     WHERE name = 'tags_json')";

/// Whether V13 has run: the FTS index has a `reply_content` column.
const REPLIES_INDEXED: &str = "SELECT EXISTS (SELECT 1 FROM sqlite_schema \
     WHERE name = 'reviews_fts' AND sql LIKE '%reply_content%')";

/// Whether V14 has run: `full_pass_progress` has a `resume_kind` column.
const PASS_POSITIONS_STORED: &str = "SELECT EXISTS (SELECT 1 FROM \
     pragma_table_info('full_pass_progress') WHERE name = 'resume_kind')";

const PRODUCT_REVIEWS_STORED: &str = "SELECT EXISTS (SELECT 1 FROM \
     pragma_table_info('reviews') WHERE name = 'product_json')";

const FIND_REVIEWER_STORED: &str = "SELECT EXISTS (SELECT 1 FROM \
     pragma_table_info('reviews') WHERE name = 'find_reviewer_json')";

/// One schema step.
pub(crate) struct Migration {
    /// Run inside the step's transaction.
    sql: &'static str,
    /// The step edits table definitions in `sqlite_schema` directly, so the schema cookie must
    /// change for every connection to re-read them.
    edits_schema_text: bool,
    /// The step rebuilds a table other tables reference: foreign keys are switched off around
    /// its transaction (SQLite ignores the switch inside one) and checked before it commits.
    rebuilds_table: bool,
    /// A query answering 1 when the step's change is already there, so only the version is
    /// bumped: for steps that cannot simply run again (tests take files of this build back to
    /// older versions, and write into older schemas after running a later step's SQL first).
    done_if: Option<&'static str>,
}

/// Every migration in order; index `i` moves the schema from version `i` to `i + 1`.
/// Version 19: a Trustpilot review's Find Reviewer state (eligibility, the business's requests
/// and the consumer's answers) as JSON, NULL for Trustoo rows and for reviews stored before.
pub(crate) const V19: &str = r#"
ALTER TABLE reviews ADD COLUMN find_reviewer_json TEXT;
"#;

/// Version 20: reply drafts in the store (they were in the webview's storage): one per account
/// and review, written at every pause in typing.
pub(crate) const V20: &str = r#"
CREATE TABLE IF NOT EXISTS reply_drafts (
    shop INTEGER NOT NULL,
    review_id TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (shop, review_id)
) WITHOUT ROWID;
"#;

/// Version 21: a Trustpilot product review's own fields (state, product, attribute ratings, the
/// conversation the business answers in) as JSON; NULL for service reviews and Trustoo rows.
pub(crate) const V21: &str = r#"
ALTER TABLE reviews ADD COLUMN product_json TEXT;
"#;

pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        sql: V1,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: None,
    },
    Migration {
        sql: V2,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: None,
    },
    Migration {
        sql: V3,
        edits_schema_text: true,
        rebuilds_table: false,
        done_if: None,
    },
    Migration {
        sql: V4,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: None,
    },
    Migration {
        sql: V5,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: None,
    },
    Migration {
        sql: V6,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: None,
    },
    Migration {
        sql: V7,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: None,
    },
    Migration {
        sql: V8,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: None,
    },
    Migration {
        sql: V9,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: None,
    },
    Migration {
        sql: V10,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: None,
    },
    Migration {
        sql: V11,
        edits_schema_text: false,
        rebuilds_table: true,
        done_if: Some(ACCOUNTS_EXIST),
    },
    Migration {
        sql: V12,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: Some(TAGS_STORED),
    },
    Migration {
        sql: V13,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: Some(REPLIES_INDEXED),
    },
    Migration {
        sql: V14,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: Some(PASS_POSITIONS_STORED),
    },
    Migration {
        sql: V15,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: None,
    },
    Migration {
        sql: V16,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: None,
    },
    Migration {
        sql: V17,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: None,
    },
    Migration {
        sql: V18,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: None,
    },
    Migration {
        sql: V19,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: Some(FIND_REVIEWER_STORED),
    },
    Migration {
        sql: V20,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: None,
    },
    Migration {
        sql: V21,
        edits_schema_text: false,
        rebuilds_table: false,
        done_if: Some(PRODUCT_REVIEWS_STORED),
    },
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Reads `PRAGMA user_version`.
pub(crate) fn current_version(conn: &Connection) -> Result<u32, StoreError> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("user_version {v}")))
}

/// Applies the migrations from the current version up to `target`, each in its own transaction.
pub(crate) fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), StoreError> {
    let found = current_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for version in found..target.min(SCHEMA_VERSION) {
        let step = MIGRATIONS
            .get(version as usize)
            .ok_or_else(|| StoreError::Corrupt(format!("no migration {version}")))?;
        let foreign_keys: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
        if step.rebuilds_table {
            conn.pragma_update(None, "foreign_keys", false)?;
        }
        let applied = apply(conn, step, version);
        if step.rebuilds_table {
            conn.pragma_update(None, "foreign_keys", foreign_keys)?;
        }
        applied?;
        tracing::info!(version = version + 1, "store schema migrated");
    }
    Ok(())
}

/// Runs one step and its version bump in one transaction.
fn apply(conn: &mut Connection, step: &Migration, version: u32) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    let done = match step.done_if {
        Some(query) => tx.query_row(query, [], |r| r.get(0))?,
        None => false,
    };
    if done {
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
        return Ok(());
    }
    tx.execute_batch(step.sql)?;
    if step.edits_schema_text {
        let cookie: i64 = tx.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
        tx.pragma_update(None, "schema_version", cookie + 1)?;
    }
    if step.rebuilds_table {
        let broken: i64 =
            tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })?;
        if broken > 0 {
            return Err(StoreError::Corrupt(format!(
                "schema step {} leaves {broken} rows without their parent",
                version + 1
            )));
        }
    }
    tx.pragma_update(None, "user_version", version + 1)?;
    tx.commit()?;
    Ok(())
}
