/**
 * The rows of the inbox list, fetched page by page from Rust's local store.
 *
 * Rows live in a sparse map (list index → row) holding at most `maxRows`; rows far from the
 * viewport are dropped as the merchant scrolls, so memory stays bounded on a 1,000,000-review
 * shop. A page right after a loaded row continues with that row's keyset cursor (`after`),
 * anything else (a scrollbar jump) asks by `offset`.
 *
 * The first page counts matches only up to `COUNT_LIMIT` (instant on any shop; "1,000+"); when
 * there are more, a second count-only request brings the exact total and the list grows to it.
 */
import type { IpcError, ReviewsArea, ReviewFilter, ReviewRow, ReviewSort, TriageState } from "../ipc";
import { COUNT_LIMIT, PAGE_SIZE, pageQuery } from "./query";
import { markLaunch } from "../paint";

/** How many requests may be under way at once (newer ranges wait for a free slot). */
const MAX_IN_FLIGHT = 3;

/*
 * A new query (a key typed in the search box, a filter chip) keeps the rows of the previous one
 * on screen until its first page answers, then swaps rows and total in one go: the list never
 * shows an empty or "Loading" frame between two results. At most one first page is asked at a
 * time: the store answers queries one after another on one connection, so a burst of keys would
 * otherwise queue a query per key and the newest would wait behind all of them; with this gate it
 * waits behind one at most, and the queries in between are never sent.
 */

interface Range {
  start: number;
  end: number;
}

export class ReviewList {
  /** How many rows the list has (exact, or at least this many while `exact` is false). */
  count = $state(0);
  /** False while the total is only known to be ≥ `count` ("1,000+"). */
  exact = $state(true);
  /** Some query answered: there are rows (or a known empty result) to show. */
  ready = $state(false);
  /**
   * A new query's first page is on its way; the rows and total on screen are the previous
   * query's until it answers (a busy hint, never an empty list).
   */
  loading = $state(false);
  /** The first page of the current query failed. */
  error = $state<IpcError | null>(null);
  /** Bumped whenever rows change, so readers of `rowAt` update. */
  version = $state(0);

  #rows = new Map<number, ReviewRow>();
  #inFlight: Range[] = [];
  #generation = 0;
  /** The first-page request under way, if any (see the gate above). */
  #firstPage: Promise<unknown> | null = null;
  /** Rows are from an older generation: kept on screen until the new ones arrive. */
  #stale = false;
  #filter: ReviewFilter | null = null;
  #sort: ReviewSort = "newest";
  #wanted: Range = { start: 0, end: PAGE_SIZE };
  /** Set while the list shows a fixed set of reviews (the new ones of a sync) instead of a query. */
  #only: string[] | null = null;
  readonly #reviews: ReviewsArea;
  readonly #onerror: (reason: unknown) => IpcError;
  readonly maxRows: number;

  constructor(reviews: ReviewsArea, onerror: (reason: unknown) => IpcError, maxRows = 2000) {
    this.#reviews = reviews;
    this.#onerror = onerror;
    this.maxRows = maxRows;
  }

  /** Rows held in memory right now. */
  get held(): number {
    return this.#rows.size;
  }

  /** The row at list index `index`, if loaded. Reactive through `version`. */
  rowAt(index: number): ReviewRow | undefined {
    void this.version;
    return this.#rows.get(index);
  }

  /** List index of a loaded review, or -1. */
  indexOf(id: string): number {
    for (const [index, row] of this.#rows) if (row.review.id === id) return index;
    return -1;
  }

  /**
   * A new query. The rows on screen stay until its first page answers, then are replaced at
   * once. Resolves to true when this query's answer was taken (false when a newer query, or an
   * error, came first).
   *
   * `around`, when given, is called with the swap when the answer is taken, and must call it once,
   * synchronously: what it does before sees the previous rows, what it does after the new ones,
   * all in the same frame (the page moves its selection onto the new rows this way).
   */
  async reset(filter: ReviewFilter, sort: ReviewSort, around?: (swap: () => void) => void): Promise<boolean> {
    this.#only = null;
    this.#filter = filter;
    this.#sort = sort;
    this.#stale = true;
    this.#wanted = { start: 0, end: PAGE_SIZE };
    return this.#loadFirst(0, true, around);
  }

  /**
   * Just these reviews (e.g. the ones a sync brought), newest first, each read from the local
   * store; ids it no longer has (or that were deleted) are left out.
   */
  async showOnly(ids: readonly string[]): Promise<void> {
    const mine = ++this.#generation;
    this.#only = [...ids];
    this.#filter = null;
    this.#inFlight = [];
    this.#rows = new Map();
    this.#stale = false;
    this.ready = false;
    this.loading = false;
    this.error = null;
    this.version++;
    const answers = await Promise.allSettled(ids.map((id) => this.#reviews.getReviewDetail(id)));
    if (mine !== this.#generation) return;
    const rows = answers
      .flatMap((a) => (a.status === "fulfilled" ? [a.value.row] : []))
      .filter((row) => row.deleted_at === null && row.deleted_remotely_at === null)
      .sort((a, b) => b.review.commented_at - a.review.commented_at);
    const failed = answers.find((a): a is PromiseRejectedResult => a.status === "rejected");
    if (rows.length === 0 && failed) {
      this.error = this.#onerror(failed.reason);
      return;
    }
    this.#rows = new Map(rows.map((row, i) => [i, row]));
    this.count = rows.length;
    this.exact = true;
    this.ready = true;
    this.version++;
  }

  /** True while the list shows a fixed set of reviews (see `showOnly`). */
  get fixed(): boolean {
    return this.#only !== null;
  }

  /** Same query again (after a sync or a flushed queue): rows stay on screen until fresh ones arrive. */
  async reload(): Promise<void> {
    if (this.#only) {
      const ids = this.#only.filter((id) => this.indexOf(id) >= 0 || !this.ready);
      await this.showOnly(ids);
      return;
    }
    if (!this.#filter) return;
    this.#stale = true;
    await this.#loadFirst(Math.floor(this.#wanted.start / PAGE_SIZE) * PAGE_SIZE, false);
  }

  /**
   * Asks for the first page at `start` (0 for a new query, the page on screen for a reload).
   * `replacing`: a new query, whose failure replaces the rows with the error (a reload's failure
   * keeps the rows it had). True when the answer was taken.
   */
  async #loadFirst(start: number, replacing: boolean, around?: (swap: () => void) => void): Promise<boolean> {
    if (!this.#filter) return false;
    const mine = ++this.#generation;
    this.#inFlight = [{ start, end: start + PAGE_SIZE }];
    this.loading = true;
    // One first page at a time: wait for the one under way; ask only if still the newest.
    while (this.#firstPage) {
      await this.#firstPage.catch(() => undefined);
      if (mine !== this.#generation) return false;
    }
    const filter = this.#filter;
    if (!filter) return false;
    markLaunch("first-query");
    const request = this.#reviews.queryReviews(pageQuery(filter, this.#sort, start, null, COUNT_LIMIT));
    this.#firstPage = request;
    try {
      const page = await request;
      markLaunch("first-answer");
      if (mine !== this.#generation) return false;
      this.#inFlight = [];
      const swap = () => {
        this.#take(start, page.rows);
        const total = page.total_exact ? page.total : Math.max(page.total, start + page.rows.length);
        this.count = start === 0 || page.total_exact ? total : Math.max(this.count, total);
        this.exact = page.total_exact;
        this.ready = true;
        this.loading = false;
        this.error = null;
      };
      if (around) around(swap);
      else swap();
      if (!page.total_exact) void this.#countExactly(mine);
      this.ensure(this.#wanted.start, this.#wanted.end);
      return true;
    } catch (reason) {
      if (mine !== this.#generation) return false;
      this.#inFlight = [];
      this.loading = false;
      const error = this.#onerror(reason);
      if (replacing || !this.ready) {
        this.#rows = new Map();
        this.#stale = false;
        this.error = error;
        this.version++;
      }
      return false;
    } finally {
      if (this.#firstPage === request) this.#firstPage = null;
    }
  }

  /** The exact total, by a one-row query without a count limit. */
  async #countExactly(mine: number): Promise<void> {
    const filter = this.#filter;
    if (!filter) return;
    try {
      const page = await this.#reviews.queryReviews(pageQuery(filter, this.#sort, 0, null, null, 1));
      if (mine !== this.#generation) return;
      this.count = page.total;
      this.exact = true;
    } catch {
      // Keep "1,000+": scrolling still loads further pages (the list grows as they arrive).
    }
  }

  /** Makes sure rows `[start, end)` are loaded or on their way. */
  ensure(start: number, end: number): void {
    this.#wanted = { start, end };
    const filter = this.#filter;
    // Before the current query's first page, the count and rows are the previous query's.
    if (!filter || !this.ready || this.loading) return;
    const last = Math.min(end, this.count);
    let i = Math.max(0, start);
    while (i < last && this.#inFlight.length < MAX_IN_FLIGHT) {
      if ((this.#rows.has(i) && !this.#stale) || this.#covered(i)) {
        i++;
        continue;
      }
      const before = this.#stale ? undefined : this.#rows.get(i - 1);
      // Without a cursor, align to a page so neighbouring requests do not overlap.
      const from = before ? i : Math.max(0, Math.floor(i / PAGE_SIZE) * PAGE_SIZE);
      void this.#loadPage(from, before?.cursor ?? null);
      i = from + PAGE_SIZE;
    }
  }

  async #loadPage(start: number, after: ReviewRow["cursor"] | null): Promise<void> {
    const filter = this.#filter;
    if (!filter) return;
    const mine = this.#generation;
    const range = { start, end: start + PAGE_SIZE };
    this.#inFlight.push(range);
    try {
      const page = await this.#reviews.queryReviews(pageQuery(filter, this.#sort, start, after, 0));
      if (mine !== this.#generation) return;
      this.#take(start, page.rows);
      if (!this.exact) {
        // Counting stopped at the limit: grow as pages arrive.
        const seen = start + page.rows.length + (page.next ? PAGE_SIZE : 0);
        if (seen > this.count) this.count = seen;
        if (!page.next && page.rows.length < PAGE_SIZE) {
          this.count = start + page.rows.length;
          this.exact = true;
        }
      }
    } catch (reason) {
      if (mine === this.#generation) this.#onerror(reason);
      return;
    } finally {
      this.#inFlight = this.#inFlight.filter((r) => r !== range);
    }
    this.ensure(this.#wanted.start, this.#wanted.end);
  }

  #covered(index: number): boolean {
    return this.#inFlight.some((r) => index >= r.start && index < r.end);
  }

  #take(start: number, rows: ReviewRow[]): void {
    if (this.#stale) {
      this.#rows = new Map();
      this.#stale = false;
    }
    rows.forEach((row, k) => this.#rows.set(start + k, row));
    this.#evict();
    this.version++;
  }

  /** Drops the rows farthest from what is on screen once more than `maxRows` are held. */
  #evict(): void {
    if (this.#rows.size <= this.maxRows) return;
    const centre = (this.#wanted.start + this.#wanted.end) / 2;
    const keep = Math.floor(this.maxRows * 0.75);
    const byDistance = [...this.#rows.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const index of byDistance.slice(0, this.#rows.size - keep)) this.#rows.delete(index);
  }

  /** Reviews that left this list (deleted): the rows after them move up. */
  remove(ids: Iterable<string>): void {
    const gone = new Set(ids);
    const indices = [...this.#rows].filter(([, row]) => gone.has(row.review.id)).map(([i]) => i);
    if (indices.length < gone.size) {
      // Some of them scrolled out of memory: their positions are unknown, ask the store again.
      void this.reload();
      return;
    }
    indices.sort((a, b) => a - b);
    const next = new Map<number, ReviewRow>();
    for (const [index, row] of this.#rows) {
      if (gone.has(row.review.id)) continue;
      // How many removed rows were above this one.
      let shift = 0;
      while (shift < indices.length && (indices[shift] ?? Infinity) < index) shift++;
      next.set(index - shift, row);
    }
    // Rows that were not loaded cannot be placed any more after the shift: drop the far ones.
    this.#rows = next;
    this.count = Math.max(0, this.count - indices.length);
    // Answers under way were computed for the old positions.
    this.#generation++;
    this.#inFlight = [];
    this.version++;
    // A first page that was on its way was dropped with them: ask again.
    if (this.loading) void this.#loadFirst(0, true);
    else this.ensure(this.#wanted.start, this.#wanted.end);
  }

  /** Changes loaded rows in place (e.g. their triage state). */
  patch(ids: Iterable<string>, change: (row: ReviewRow) => ReviewRow): void {
    const wanted = new Set(ids);
    let changed = false;
    for (const [index, row] of this.#rows) {
      if (wanted.has(row.review.id)) {
        this.#rows.set(index, change(row));
        changed = true;
      }
    }
    if (changed) this.version++;
  }

  setTriage(ids: Iterable<string>, triage: TriageState): void {
    this.patch(ids, (row) => ({ ...row, triage }));
  }
}
