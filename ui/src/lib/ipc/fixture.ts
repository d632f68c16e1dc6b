/**
 * An in-memory `Backend` for vitest and for running the UI in a plain
 * browser (`npm run dev` without Tauri). Deterministic: no randomness, no
 * network; the only clock read is `now()` for a sign-in's `expires_at`
 * (injectable), besides the optional latency timer.
 *
 * Test helpers (`completeSignIn`, `declineSignIn`, `failSignIn`, `emitNotice`,
 * `setSession`) play the part of the browser and of the events Rust emits.
 */
import { COMMANDS, type Backend, type CommandName, type Unsubscribe } from "./backend";
import type {
  Capabilities,
  IpcError,
  LoginStatus,
  Notice,
  RatingSummary,
  ShopEntry,
  ShopRef,
  ShopSession,
  SignOutReport,
  TokenInput,
} from "./types";
import type {
  ActionOutcome,
  ActionStatus,
  AuditEntry,
  CustomerExclusion,
  ExclusionPage,
  ExclusionTarget,
  ExportResult,
  NewReviews,
  ProductSummary,
  SourceSummary,
  QueuedAction,
  ReviewDetail,
  ReviewPage,
  ReviewQuery,
  SyncStatus,
  TriageState,
} from "./types";
import { EMAIL_TYPES } from "./types";
import {
  FIXTURE_NOW_S,
  generateExclusions,
  generateReviews,
  productsOf,
  sourcesOf,
  ratingOf,
  runQuery,
  seedAudit,
  wordsOf,
  type StoredReview,
} from "./fixture-reviews";

/** What Trustoo allows, as `Provider::Trustoo.capabilities()` in reviewdesk-core says. */
export const TRUSTOO_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  delete_reviews: true,
  create_reviews: true,
  exclusions: true,
  reply: "none",
  tags: false,
  find_reviewer: false,
  product_review_conversations: false,
  invitations: false,
  webhooks: true,
  orders: true,
  customer_events: true,
});

/** The demo shop the sandbox seeds (and the browser preview shows). */
export const FIXTURE_SESSION: Readonly<ShopSession> = Object.freeze({
  shop_id: "73011823011",
  shop_name: "Aurora Outfitters",
  domain: "aurora-outfitters.myshopify.com",
  // What the sandbox grants a browser sign-in: every scope the app asks for
  // (`trustoo_scopes_to_request` in reviewdesk-core).
  scopes: ["read_reviews", "write_reviews", "write_customers", "read_orders", "read_customer_events"],
  missing_scopes: [],
  provider: "trustoo",
  // `Provider::Trustoo.capabilities()` in reviewdesk-core.
  capabilities: TRUSTOO_CAPABILITIES,
  auth_mode: "oauth",
  environment: "sandbox",
  api_base: "http://127.0.0.1:8787",
});

/** The second sandbox shop (`SECOND_SHOP_*` in the sandbox crate), connected with its tokens. */
export const FIXTURE_SECOND_SESSION: Readonly<ShopSession> = Object.freeze({
  shop_id: "71234567890",
  shop_name: "Birch & Pine Home",
  domain: "birch-and-pine-home.myshopify.com",
  // A Public/Private Token carries every scope.
  scopes: ["read_reviews", "write_reviews", "write_customers", "read_orders", "read_customer_events"],
  missing_scopes: [],
  provider: "trustoo",
  // `Provider::Trustoo.capabilities()` in reviewdesk-core.
  capabilities: TRUSTOO_CAPABILITIES,
  auth_mode: "hmac",
  environment: "sandbox",
  api_base: "http://127.0.0.1:8787",
});

/**
 * Aurora Outfitters signed in through the browser before ReviewDesk asked for every scope (or by
 * a merchant who narrowed the consent): reviews only. `missing_scopes` is what Rust's
 * `missing_scopes` reports for these scopes, its sentences word for word.
 */
export const FIXTURE_NARROW_SESSION: Readonly<ShopSession> = Object.freeze<ShopSession>({
  ...FIXTURE_SESSION,
  scopes: ["read_reviews", "write_reviews"],
  missing_scopes: [
    {
      feature: "exclusions",
      scope: "write_customers",
      message:
        "This shop's sign-in does not allow excluding customers and unsubscribing addresses (Trustoo scope write_customers). Sign in again to allow it.",
    },
    {
      feature: "orders",
      scope: "read_orders",
      message: "This shop's sign-in does not allow review requests (Trustoo scope read_orders). Sign in again to allow it.",
    },
    {
      feature: "customer_events",
      scope: "read_customer_events",
      message:
        "This shop's sign-in does not allow widget analytics (Trustoo scope read_customer_events). Sign in again to allow it.",
    },
  ],
});

/** The sandbox's Public Token for Birch & Pine Home: `connectWithTokens` with it connects that shop. */
export const FIXTURE_SECOND_PUBLIC_TOKEN = "QmlyY2hBbmRQaW5lSG9tZQ==";

/** How long a pending browser sign-in stays valid (10 minutes, like the Rust side). */
export const LOGIN_TTL_S = 600;

/** What sign-out reports when every step works (step sentences as the Rust side words them). */
export const FIXTURE_SIGN_OUT_REPORT: Readonly<SignOutReport> = Object.freeze({
  steps: [
    { step: "Disconnect ReviewDesk on Trustoo", ok: true, message: null },
    { step: "Revoke the refresh token", ok: true, message: null },
    { step: "Revoke the access token", ok: true, message: null },
    { step: "Delete the keyring entries", ok: true, message: null },
    { step: "Remove the shop from ReviewDesk", ok: true, message: null },
  ],
});

/** A rating whose average and count follow from its five buckets (1★ … 5★). */
export function ratingFromStars(stars: RatingSummary["stars"]): RatingSummary {
  const count = stars.reduce((sum, n) => sum + n, 0);
  const points = stars.reduce((sum, n, i) => sum + n * (i + 1), 0);
  const copy: RatingSummary["stars"] = [stars[0], stars[1], stars[2], stars[3], stars[4]];
  return { average: count === 0 ? 0 : Math.round((points / count) * 100) / 100, count, stars: copy };
}

/** A realistic J-shaped distribution: 1,234 reviews averaging 4.3. */
export const FIXTURE_RATING: Readonly<RatingSummary> = Object.freeze(ratingFromStars([71, 44, 93, 262, 764]));

/** Birch & Pine Home: 436 reviews averaging 4.55 (shown as 4.6). */
export const FIXTURE_SECOND_RATING: Readonly<RatingSummary> = Object.freeze(ratingFromStars([9, 7, 21, 98, 301]));

export const EMPTY_RATING: Readonly<RatingSummary> = Object.freeze(ratingFromStars([0, 0, 0, 0, 0]));

export interface FixtureOptions {
  /** `null` means "not signed in". Default: `FIXTURE_SESSION`. */
  session?: ShopSession | null;
  /** Default: `FIXTURE_RATING`. */
  rating?: RatingSummary;
  /** Delay before every answer, in ms. Default 0 (answers on the next microtask). */
  latencyMs?: number;
  /**
   * Shops `listShops()` knows. Default: Aurora Outfitters and Birch & Pine Home when signed in,
   * none when not. The active session is always among them.
   */
  shops?: ShopSession[];
  /**
   * Known shops whose credentials are gone or broken, by shop id, with the problem sentence
   * `list_shops` gives (null: none given). Default: every shop is signed in.
   */
  signedOut?: Record<string, string | null>;
  /** Where a browser sign-in stands at start. Default: idle. */
  login?: LoginStatus;
  /** The clock, in ms since the epoch (only used for `expires_at`). Default: `Date.now`. */
  now?: () => number;
  /** How many reviews the local store holds (generated deterministically). Default 5,000. */
  reviews?: number;
  /** Trustoo is unreachable: write actions are queued, sync reports `offline`. Default false. */
  offline?: boolean;
  /** Delay between two `sync-progress` events of `syncNow()`, in ms. Default 250. */
  syncStepMs?: number;
}

/** How many reviews the fixture's local store holds by default. */
export const FIXTURE_REVIEW_COUNT = 5000;

const IDLE_SYNC: Readonly<SyncStatus> = Object.freeze({
  phase: "idle",
  fetched: 0,
  total: null,
  new_count: 0,
  last_synced_at: FIXTURE_NOW_S - 3600,
  message: null,
});

const IDLE: Readonly<LoginStatus> = Object.freeze({ phase: "idle", message: null, session: null, expires_at: null });

interface Failure {
  error: IpcError;
  remaining: number;
}

export class FixtureBackend implements Backend {
  latencyMs: number;
  /** How many times each command was called (tests assert on this). */
  readonly calls = Object.fromEntries(Object.values(COMMANDS).map((name) => [name, 0])) as Record<
    CommandName,
    number
  >;
  /** Arguments of `startSignIn`, `switchShop`, `signOut` and `connectWithTokens`, in call order. */
  readonly args: { command: CommandName; arg: unknown }[] = [];

  #session: ShopSession | null;
  #rating: RatingSummary;
  /** Ratings of other shops than the first, by shop id. */
  #ratings = new Map<string, RatingSummary>([[FIXTURE_SECOND_SESSION.shop_id, clone(FIXTURE_SECOND_RATING)]]);
  #shops: ShopSession[];
  #signedOut: Map<string, string | null>;
  #login: LoginStatus;
  #signOutReport: SignOutReport = clone(FIXTURE_SIGN_OUT_REPORT);
  #now: () => number;
  #failures = new Map<CommandName, Failure[]>();
  #sessionHandlers = new Set<(session: ShopSession | null) => void>();
  #loginHandlers = new Set<(status: LoginStatus) => void>();
  #noticeHandlers = new Set<(notice: Notice) => void>();
  /** Notices said before the window asked (`holdNotice`), for `takePendingNotices`. */
  #heldNotices: Notice[] = [];

  // ---- Review inbox state (generated on first use) ----
  #reviewCount: number;
  #store: StoredReview[] | null = null;
  #audit: AuditEntry[] = [];
  #queue: QueuedAction[] = [];
  #exclusions: CustomerExclusion[] = generateExclusions();
  #offline: boolean;
  #sync: SyncStatus;
  #syncStepMs: number;
  #nextId = 1;
  #outcomeOverride: { status: ActionStatus; message: string; remaining: number } | null = null;
  #syncHandlers = new Set<(status: SyncStatus) => void>();
  #queueHandlers = new Set<(actions: QueuedAction[]) => void>();
  #newReviewHandlers = new Set<(news: NewReviews) => void>();
  /** Every `ReviewQuery` received by `queryReviews`, in call order (tests assert on it). */
  readonly queries: ReviewQuery[] = [];

  constructor(options: FixtureOptions = {}) {
    this.#session = options.session === undefined ? clone(FIXTURE_SESSION) : clone(options.session);
    this.#rating = clone(options.rating ?? FIXTURE_RATING);
    this.latencyMs = options.latencyMs ?? 0;
    this.#now = options.now ?? (() => Date.now());
    const shops = options.shops ?? (this.#session ? [FIXTURE_SESSION, FIXTURE_SECOND_SESSION] : []);
    this.#shops = shops.map((s) => clone(s));
    this.#signedOut = new Map(Object.entries(options.signedOut ?? {}));
    if (this.#session && !this.#shops.some((s) => s.shop_id === this.#session?.shop_id)) {
      this.#shops.unshift(clone(this.#session));
    }
    this.#login = clone(options.login ?? IDLE);
    this.#reviewCount = options.reviews ?? FIXTURE_REVIEW_COUNT;
    this.#offline = options.offline ?? false;
    this.#syncStepMs = options.syncStepMs ?? 250;
    this.#sync = this.#offline
      ? { ...IDLE_SYNC, phase: "offline", message: "Couldn't reach Trustoo." }
      : { ...IDLE_SYNC, last_synced_at: this.#reviewCount === 0 ? null : IDLE_SYNC.last_synced_at };
  }

  currentSession(): Promise<ShopSession | null> {
    return this.#answer(COMMANDS.currentSession, () => clone(this.#session));
  }

  getRating(): Promise<RatingSummary> {
    return this.#answer(COMMANDS.getRating, () => {
      if (this.#session === null) {
        throw { code: "NOT_SIGNED_IN", message: "Connect ReviewDesk to a shop first.", retry_after_s: null } satisfies IpcError;
      }
      return clone(this.#ratings.get(this.#session.shop_id) ?? this.#rating);
    });
  }

  /** Moves to `waiting_for_browser` (a fresh 10-minute attempt, replacing any earlier one). */
  startSignIn(shopDomain?: string): Promise<LoginStatus> {
    this.args.push({ command: COMMANDS.startSignIn, arg: shopDomain });
    return this.#answer(COMMANDS.startSignIn, () => {
      const expires_at = Math.floor(this.#now() / 1000) + LOGIN_TTL_S;
      this.#emitLogin({ phase: "waiting_for_browser", message: null, session: null, expires_at });
      return clone(this.#login);
    });
  }

  authStatus(): Promise<LoginStatus> {
    return this.#answer(COMMANDS.authStatus, () => clone(this.#login));
  }

  cancelSignIn(): Promise<void> {
    return this.#answer(COMMANDS.cancelSignIn, () => {
      this.#emitLogin(IDLE);
    });
  }

  /** Refused unless a sign-in is waiting for the browser (`calls.auth_reopen_browser` counts it). */
  reopenBrowser(): Promise<void> {
    return this.#answer(COMMANDS.reopenBrowser, () => {
      if (this.#login.phase !== "waiting_for_browser") {
        throw { code: "VALIDATION", message: "No sign-in is in progress. Start it again.", retry_after_s: null } satisfies IpcError;
      }
    });
  }

  /**
   * Connects with tokens: the Birch & Pine Home public token connects that shop, any other
   * non-empty pair connects Aurora Outfitters; an empty token is refused like Rust would.
   */
  connectWithTokens(input: TokenInput): Promise<ShopSession> {
    this.args.push({ command: COMMANDS.connectWithTokens, arg: clone(input) });
    return this.#answer(COMMANDS.connectWithTokens, () => {
      if (input.public_token.trim() === "" || input.private_token.trim() === "") {
        throw { code: "VALIDATION", message: "Enter both the Public Token and the Private Token.", retry_after_s: null } satisfies IpcError;
      }
      const shop = input.public_token.trim() === FIXTURE_SECOND_PUBLIC_TOKEN ? FIXTURE_SECOND_SESSION : FIXTURE_SESSION;
      this.#signIn(clone(shop));
      return clone(shop);
    });
  }

  listShops(): Promise<ShopEntry[]> {
    return this.#answer(COMMANDS.listShops, () =>
      this.#shops.map((s) => ({
        session: clone(s),
        signed_in: !this.#signedOut.has(s.shop_id),
        active: s.shop_id === this.#session?.shop_id,
        problem: this.#signedOut.get(s.shop_id) ?? null,
      })),
    );
  }

  switchShop(ref: ShopRef): Promise<ShopSession> {
    this.args.push({ command: COMMANDS.switchShop, arg: clone(ref) });
    return this.#answer(COMMANDS.switchShop, () => {
      const shop = this.#shops.find((s) => s.shop_id === ref.shop_id);
      if (!shop) {
        throw { code: "NOT_FOUND", message: "ReviewDesk doesn't know that shop.", retry_after_s: null } satisfies IpcError;
      }
      this.setSession(shop);
      return clone(shop);
    });
  }

  /** Forgets the shop; the next known shop (or none) becomes active, like the Rust side. */
  signOut(ref: ShopRef): Promise<SignOutReport> {
    this.args.push({ command: COMMANDS.signOut, arg: clone(ref) });
    return this.#answer(COMMANDS.signOut, () => {
      this.#shops = this.#shops.filter((s) => s.shop_id !== ref.shop_id);
      if (this.#session?.shop_id === ref.shop_id) this.setSession(this.#shops[0] ?? null);
      return clone(this.#signOutReport);
    });
  }

  async onSessionChanged(handler: (session: ShopSession | null) => void): Promise<Unsubscribe> {
    this.#sessionHandlers.add(handler);
    return () => {
      this.#sessionHandlers.delete(handler);
    };
  }

  async onLoginStatus(handler: (status: LoginStatus) => void): Promise<Unsubscribe> {
    this.#loginHandlers.add(handler);
    return () => {
      this.#loginHandlers.delete(handler);
    };
  }

  async onNotice(handler: (notice: Notice) => void): Promise<Unsubscribe> {
    this.#noticeHandlers.add(handler);
    return () => {
      this.#noticeHandlers.delete(handler);
    };
  }

  takePendingNotices(): Promise<Notice[]> {
    return this.#answer(COMMANDS.takePendingNotices, () => this.#heldNotices.splice(0).map((n) => clone(n)));
  }

  // ---- Test helpers: play the part of the browser and of Rust's events ---------------------

  /** Where the browser sign-in stands (a copy). */
  get loginStatus(): LoginStatus {
    return clone(this.#login);
  }

  /** The merchant approved in the browser: `exchanging`, then `signed_in` + `session-changed`. */
  completeSignIn(session: ShopSession = FIXTURE_SESSION): this {
    this.#emitLogin({ phase: "exchanging", message: null, session: null, expires_at: null });
    this.#emitLogin({ phase: "signed_in", message: null, session: clone(session), expires_at: null });
    this.#signIn(clone(session));
    return this;
  }

  /** The merchant clicked Deny on the consent page. */
  declineSignIn(message = "You declined access."): this {
    this.#emitLogin({ phase: "declined", message, session: null, expires_at: null });
    return this;
  }

  /** The token exchange failed. */
  failSignIn(message = "Trustoo didn't accept the sign-in. Try again."): this {
    this.#emitLogin({ phase: "failed", message, session: null, expires_at: null });
    return this;
  }

  /** Sends any `login-status` (e.g. `exchanging` alone). */
  emitLoginStatus(status: LoginStatus): this {
    this.#emitLogin(status);
    return this;
  }

  /** A notice Rust made before the window listened (a cold start): kept for `takePendingNotices`. */
  holdNotice(notice: Notice): this {
    this.#heldNotices.push(clone(notice));
    return this;
  }

  /** Sends a `notice` event. */
  emitNotice(notice: Notice): this {
    for (const handler of [...this.#noticeHandlers]) handler(clone(notice));
    return this;
  }

  /** What the next `signOut` reports. */
  setSignOutReport(report: SignOutReport): this {
    this.#signOutReport = clone(report);
    return this;
  }

  #signIn(session: ShopSession): void {
    if (!this.#shops.some((s) => s.shop_id === session.shop_id)) this.#shops.push(clone(session));
    this.setSession(session);
  }

  #emitLogin(status: LoginStatus): void {
    this.#login = clone(status);
    for (const handler of [...this.#loginHandlers]) handler(clone(status));
  }

  /**
   * Makes the next `times` calls of `command` reject with `error`
   * (`Infinity` = until `clearFailures()`). Failures queue up in order.
   */
  failWith(command: CommandName, error: IpcError, times = 1): this {
    const queue = this.#failures.get(command) ?? [];
    queue.push({ error: clone(error), remaining: times });
    this.#failures.set(command, queue);
    return this;
  }

  clearFailures(): this {
    this.#failures.clear();
    return this;
  }

  /** Sets the rating of the active shop (of the default shop when signed out). */
  setRating(rating: RatingSummary): this {
    if (this.#session && this.#ratings.has(this.#session.shop_id)) this.#ratings.set(this.#session.shop_id, clone(rating));
    else this.#rating = clone(rating);
    return this;
  }

  /** Changes the session and emits `session-changed`, like the Rust side does after sign-in/out. */
  setSession(session: ShopSession | null): this {
    this.#session = clone(session);
    for (const handler of [...this.#sessionHandlers]) handler(clone(session));
    return this;
  }

  // ---- Review inbox -------------------------------------------------------------------------

  queryReviews(query: ReviewQuery): Promise<ReviewPage> {
    this.queries.push(clone(query));
    return this.#answer(COMMANDS.queryReviews, () => runQuery(this.#reviews(), query));
  }

  getReviewDetail(id: string): Promise<ReviewDetail> {
    return this.#answer(COMMANDS.getReviewDetail, () => {
      const item = this.#find(id);
      return {
        row: clone(item.row),
        audit: [seedAudit(item.row, 0), ...this.#audit.filter((a) => a.review_id === id)].sort((a, b) => b.at - a.at || b.id - a.id),
        pending: this.#queue.filter((a) => queuedFor(a) === id).map((a) => clone(a)),
      };
    });
  }

  setTriage(ids: string[], state: TriageState): Promise<void> {
    this.args.push({ command: COMMANDS.setTriage, arg: { ids: [...ids], state } });
    return this.#answer(COMMANDS.setTriage, () => {
      for (const id of ids) {
        this.#find(id).row.triage = state;
        this.#log("set_triage", id, { state });
      }
    });
  }

  /** Deletes (online) or queues (offline) each review; a deleted review moves to the deleted view. */
  deleteReviews(ids: string[]): Promise<ActionOutcome[]> {
    this.args.push({ command: COMMANDS.deleteReviews, arg: [...ids] });
    return this.#answer(COMMANDS.deleteReviews, () => {
      const outcomes = ids.map((id): ActionOutcome => {
        const item = this.#find(id);
        const forced = this.#takeOutcome();
        if (forced) return { id, status: forced.status, message: forced.message };
        if (item.row.deleted_at !== null) {
          return { id, status: "conflict", message: "This review was already deleted." };
        }
        if (this.#offline) {
          this.#enqueue("delete_review", { review_id: id });
          return { id, status: "queued", message: "You're offline. The delete will be sent when Trustoo is reachable." };
        }
        item.row.deleted_at = this.#nowS();
        this.#log("delete_review", id, {});
        return { id, status: "done", message: "Review deleted." };
      });
      if (outcomes.some((o) => o.status === "queued")) this.#emitQueue();
      return outcomes;
    });
  }

  excludeAuthor(reviewId: string): Promise<ActionOutcome> {
    this.args.push({ command: COMMANDS.excludeAuthor, arg: reviewId });
    return this.#answer(COMMANDS.excludeAuthor, () => {
      const item = this.#find(reviewId);
      const email = item.row.review.author_email;
      if (email === "" && item.customer_id === "") {
        return { id: reviewId, status: "failed", message: "This review has no email or customer to exclude." };
      }
      const outcome = this.#exclude(email !== "" ? { email } : { customer_id: item.customer_id }, item.row.review.author);
      if (outcome.status === "done" || outcome.status === "queued") this.#log("exclude_author", reviewId, { email });
      return { ...outcome, id: reviewId };
    });
  }

  listExclusions(page: number): Promise<ExclusionPage> {
    return this.#answer(COMMANDS.listExclusions, () => {
      const page_size = 10;
      const count = this.#exclusions.length;
      const total_page = Math.max(1, Math.ceil(count / page_size));
      const p = Math.min(Math.max(1, Math.floor(page)), total_page);
      return {
        page: { page: p, page_size, total_page, count },
        list: this.#exclusions.slice((p - 1) * page_size, p * page_size).map((e) => clone(e)),
      };
    });
  }

  addExclusion(target: ExclusionTarget): Promise<ActionOutcome> {
    this.args.push({ command: COMMANDS.addExclusion, arg: clone(target) });
    return this.#answer(COMMANDS.addExclusion, () => this.#exclude(target, ""));
  }

  removeExclusion(target: ExclusionTarget): Promise<ActionOutcome> {
    this.args.push({ command: COMMANDS.removeExclusion, arg: clone(target) });
    return this.#answer(COMMANDS.removeExclusion, () => {
      const key = target.email ?? target.customer_id ?? "";
      const forced = this.#takeOutcome();
      if (forced) return { id: key, ...forced };
      const index = this.#exclusions.findIndex((e) =>
        target.email !== undefined ? e.email === target.email : e.customer_id === target.customer_id,
      );
      if (index < 0) return { id: key, status: "failed", message: `${key} isn't excluded.` };
      if (this.#offline) {
        this.#enqueue("delete_exclusion", { ...target });
        this.#emitQueue();
        return { id: key, status: "queued", message: "You're offline. The change will be sent when Trustoo is reachable." };
      }
      this.#exclusions.splice(index, 1);
      return { id: key, status: "done", message: `${key} will get review requests again.` };
    });
  }

  unsubscribeEmail(email: string, emailType: string): Promise<ActionOutcome> {
    this.args.push({ command: COMMANDS.unsubscribeEmail, arg: { email, emailType } });
    return this.#answer(COMMANDS.unsubscribeEmail, () => {
      if (!(EMAIL_TYPES as readonly string[]).includes(emailType)) {
        throw { code: "VALIDATION", message: `Unknown email type "${emailType}".`, retry_after_s: null } satisfies IpcError;
      }
      if (!isEmail(email)) {
        throw { code: "VALIDATION", message: "Enter a valid email address.", retry_after_s: null } satisfies IpcError;
      }
      const forced = this.#takeOutcome();
      if (forced) return { id: email, ...forced };
      if (this.#offline) {
        this.#enqueue("unsubscribe", { email, email_type: emailType });
        this.#emitQueue();
        return { id: email, status: "queued", message: "You're offline. The unsubscribe will be sent when Trustoo is reachable." };
      }
      return { id: email, status: "done", message: `${email} is unsubscribed from ${emailType.replaceAll("_", " ")} emails.` };
    });
  }

  /** Resolves at once; `sync-progress` events follow every `syncStepMs`, then `new-reviews`. */
  syncNow(): Promise<void> {
    return this.#answer(COMMANDS.syncNow, () => {
      if (this.#offline) {
        this.#emitSync({ ...this.#sync, phase: "offline", message: "Couldn't reach Trustoo. Showing reviews saved on this computer." });
        return;
      }
      const total = this.#reviews().length + 3;
      const steps = [0, 0.25, 0.5, 0.75, 1];
      steps.forEach((part, i) => {
        setTimeout(() => {
          const done = i === steps.length - 1;
          if (done) this.#addNewReviews(3);
          this.#emitSync({
            phase: done ? "done" : "fetching",
            fetched: Math.round(total * part),
            total,
            new_count: done ? 3 : 0,
            last_synced_at: done ? this.#nowS() : this.#sync.last_synced_at,
            message: null,
          });
        }, this.#syncStepMs * (i + 1));
      });
      this.#emitSync({ ...this.#sync, phase: "fetching", fetched: 0, total: null, new_count: 0, message: null });
    });
  }

  syncStatus(): Promise<SyncStatus> {
    return this.#answer(COMMANDS.syncStatus, () => clone(this.#sync));
  }

  pendingActions(): Promise<QueuedAction[]> {
    return this.#answer(COMMANDS.pendingActions, () => this.#queue.map((a) => clone(a)));
  }

  exportCsv(query: ReviewQuery): Promise<ExportResult> {
    this.args.push({ command: COMMANDS.exportCsv, arg: clone(query) });
    return this.#answer(COMMANDS.exportCsv, () => {
      const page = runQuery(this.#reviews(), { ...query, limit: 0, offset: 0, after: null, count_limit: null });
      const shop = (this.#session?.domain ?? "shop").replace(".myshopify.com", "");
      return { path: `/home/merchant/Downloads/reviews-${shop}-2025-11-24.csv`, rows: page.total };
    });
  }

  localRating(productId: string | null): Promise<RatingSummary> {
    return this.#answer(COMMANDS.localRating, () =>
      ratingOf(this.#active().filter((item) => productId === null || item.row.review.product_id === productId)),
    );
  }

  listProducts(): Promise<ProductSummary[]> {
    return this.#answer(COMMANDS.listProducts, () => productsOf(this.#active()));
  }

  listSources(): Promise<SourceSummary[]> {
    return this.#answer(COMMANDS.listSources, () => sourcesOf(this.#active()));
  }

  async onSyncProgress(handler: (status: SyncStatus) => void): Promise<Unsubscribe> {
    this.#syncHandlers.add(handler);
    return () => {
      this.#syncHandlers.delete(handler);
    };
  }

  async onQueueChanged(handler: (actions: QueuedAction[]) => void): Promise<Unsubscribe> {
    this.#queueHandlers.add(handler);
    return () => {
      this.#queueHandlers.delete(handler);
    };
  }

  async onNewReviews(handler: (news: NewReviews) => void): Promise<Unsubscribe> {
    this.#newReviewHandlers.add(handler);
    return () => {
      this.#newReviewHandlers.delete(handler);
    };
  }

  // ---- Review inbox test helpers -----------------------------------------------------------

  /** Trustoo becomes unreachable (write actions are queued) or reachable again (the queue is sent). */
  setOffline(offline: boolean): this {
    this.#offline = offline;
    if (offline) {
      this.#emitSync({ ...this.#sync, phase: "offline", message: "Couldn't reach Trustoo." });
      return this;
    }
    this.#emitSync({ ...this.#sync, phase: "idle", message: null });
    if (this.#queue.length > 0) {
      for (const action of this.#queue) {
        const id = queuedFor(action);
        if (action.kind === "delete_review" && id) {
          const item = this.#reviews().find((r) => r.row.review.id === id);
          if (item) item.row.deleted_at = this.#nowS();
          this.#log("delete_review", id, { queued: true });
        }
        if (action.kind === "create_exclusion") {
          const p = action.payload as { exclusion: CustomerExclusion };
          this.#exclusions.unshift(p.exclusion);
        }
      }
      this.#queue = [];
      this.#emitQueue();
    }
    return this;
  }

  /** The next `times` write outcomes (delete per id, exclusions, unsubscribe) are `status` with `message`. */
  forceOutcome(status: ActionStatus, message: string, times = 1): this {
    this.#outcomeOverride = { status, message, remaining: times };
    return this;
  }

  /** Sends a `sync-progress` event. */
  emitSyncProgress(status: SyncStatus): this {
    this.#emitSync(status);
    return this;
  }

  /** A sync brought `count` new reviews (the first one 1★): adds them and sends `new-reviews`. */
  addNewReviews(count: number): this {
    this.#addNewReviews(count);
    return this;
  }

  /** The stored row of a review (a copy), or undefined. */
  storedRow(id: string): ReviewDetail["row"] | undefined {
    const item = this.#reviews().find((r) => r.row.review.id === id);
    return item ? clone(item.row) : undefined;
  }

  /** Excluded customers now (copies). */
  get exclusions(): CustomerExclusion[] {
    return this.#exclusions.map((e) => clone(e));
  }

  #reviews(): StoredReview[] {
    this.#store ??= generateReviews(this.#reviewCount);
    return this.#store;
  }

  #active(): StoredReview[] {
    return this.#reviews().filter((r) => r.row.deleted_at === null && r.row.deleted_remotely_at === null);
  }

  #find(id: string): StoredReview {
    const item = this.#reviews().find((r) => r.row.review.id === id);
    if (!item) throw { code: "NOT_FOUND", message: "That review isn't on this computer.", retry_after_s: null } satisfies IpcError;
    return item;
  }

  #nowS(): number {
    return FIXTURE_NOW_S + this.#nextId;
  }

  #log(action: string, reviewId: string | null, details: unknown): void {
    const id = this.#nextId++;
    this.#audit.push({ id, at: this.#nowS(), actor: "merchant@aurora-outfitters.com", action, review_id: reviewId, details });
  }

  #enqueue(kind: QueuedAction["kind"], payload: unknown): void {
    const id = this.#nextId++;
    this.#queue.push({
      id,
      account: { provider: this.#session?.provider ?? "trustoo", id: this.#session?.domain ?? "" },
      kind,
      payload,
      state: "pending",
      attempts: 0,
      last_error: "Couldn't reach Trustoo.",
      idempotency_key: `fixture-${id}`,
      created_at: this.#nowS(),
      updated_at: this.#nowS(),
    });
  }

  #takeOutcome(): { status: ActionStatus; message: string } | null {
    const forced = this.#outcomeOverride;
    if (!forced) return null;
    forced.remaining -= 1;
    if (forced.remaining <= 0) this.#outcomeOverride = null;
    return { status: forced.status, message: forced.message };
  }

  #exclude(target: ExclusionTarget, name: string): ActionOutcome {
    const email = target.email?.trim();
    const customerId = target.customer_id?.trim();
    const key = email ?? customerId ?? "";
    if (email !== undefined && !isEmail(email)) {
      throw { code: "VALIDATION", message: "Enter a valid email address.", retry_after_s: null } satisfies IpcError;
    }
    if (email === undefined && !/^\d{1,20}$/.test(customerId ?? "")) {
      throw { code: "VALIDATION", message: "A customer id is digits only.", retry_after_s: null } satisfies IpcError;
    }
    const forced = this.#takeOutcome();
    if (forced) return { id: key, ...forced };
    const exists = this.#exclusions.some((e) => (email !== undefined ? e.email === email : e.customer_id === customerId));
    if (exists) return { id: key, status: "conflict", message: `${key} is already excluded.` };
    const [first = "", ...rest] = name.split(" ");
    const stamp = new Date(this.#nowS() * 1000).toISOString();
    const exclusion: CustomerExclusion = {
      customer_id: customerId ?? "",
      first_name: first,
      last_name: rest.join(" "),
      email: email ?? "",
      phone: "",
      created_at: stamp,
      updated_at: stamp,
    };
    if (this.#offline) {
      this.#enqueue("create_exclusion", { ...target, exclusion });
      this.#emitQueue();
      return { id: key, status: "queued", message: "You're offline. The exclusion will be sent when Trustoo is reachable." };
    }
    this.#exclusions.unshift(exclusion);
    return { id: key, status: "done", message: `${key} won't get review requests any more.` };
  }

  #addNewReviews(count: number): void {
    const store = this.#reviews();
    const fresh = generateReviews(count, 99 + store.length, FIXTURE_NOW_S + 3600, 900_000_000 + store.length * 10);
    const ids: string[] = [];
    let oneStar = 0;
    fresh.forEach((item, i) => {
      const seq = store.length + 1;
      if (i === 0) {
        item.row.review.rating = 1;
        item.row.review.title = "Zipper broke on day one";
        item.words = wordsOf(item.row.review.author, item.row.review.title, item.row.review.content, item.row.review.product_title);
      }
      item.seq = seq;
      item.row.cursor = { rating: item.row.review.rating, key: seq };
      item.row.triage = "new";
      if (item.row.review.rating === 1) oneStar += 1;
      store.push(item);
      ids.push(item.row.review.id);
    });
    const news: NewReviews = { count, one_star: oneStar, ids };
    for (const handler of [...this.#newReviewHandlers]) handler(clone(news));
  }

  #emitSync(status: SyncStatus): void {
    this.#sync = clone(status);
    for (const handler of [...this.#syncHandlers]) handler(clone(status));
  }

  #emitQueue(): void {
    const pending = this.#queue.map((a) => clone(a));
    for (const handler of [...this.#queueHandlers]) handler(clone(pending));
  }

  #answer<T>(command: CommandName, produce: () => T): Promise<T> {
    this.calls[command] += 1;
    const failure = this.#takeFailure(command);
    return new Promise<T>((resolve, reject) => {
      const settle = () => {
        if (failure) {
          reject(clone(failure));
          return;
        }
        try {
          resolve(produce());
        } catch (error) {
          reject(error);
        }
      };
      if (this.latencyMs > 0) setTimeout(settle, this.latencyMs);
      else queueMicrotask(settle);
    });
  }

  #takeFailure(command: CommandName): IpcError | null {
    const queue = this.#failures.get(command);
    const head = queue?.[0];
    if (!queue || !head) return null;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.error;
  }
}

/** The review a queued action is about (its payload's `review_id`), if any. */
function queuedFor(action: QueuedAction): string | null {
  const p = action.payload as { review_id?: unknown } | null;
  return p && typeof p.review_id === "string" ? p.review_id : null;
}

function isEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}

export function createFixtureBackend(options?: FixtureOptions): FixtureBackend {
  return new FixtureBackend(options);
}

/**
 * Browser-preview scenarios, chosen with `?fixture=<name>` in the URL, so
 * every screen state can be looked at (and screenshotted) without Tauri.
 */
export const FIXTURE_SCENARIOS = [
  "default",
  "empty",
  "error",
  "rate-limited",
  "signed-out",
  "waiting",
  "keychain",
  "expired",
  "loading",
  "inbox-empty",
  "offline",
  "million",
] as const;
export type FixtureScenario = (typeof FIXTURE_SCENARIOS)[number];

const KEYCHAIN_LOCKED: IpcError = {
  code: "KEYCHAIN_UNAVAILABLE",
  message:
    "ReviewDesk couldn't open the system keychain. On Linux, install and unlock a Secret Service keychain such as GNOME Keyring or KWallet, then retry.",
  retry_after_s: null,
};

export function createScenarioBackend(scenario: string | null, latencyMs = 350): FixtureBackend {
  switch (scenario) {
    case "empty":
      return new FixtureBackend({ rating: EMPTY_RATING, latencyMs });
    case "signed-out":
      return new FixtureBackend({ session: null, latencyMs });
    case "waiting": {
      // Signed out, with a browser sign-in already under way (as after clicking "Sign in").
      const expires_at = Math.floor(Date.now() / 1000) + LOGIN_TTL_S;
      return new FixtureBackend({
        session: null,
        latencyMs,
        login: { phase: "waiting_for_browser", message: null, session: null, expires_at },
      });
    }
    case "error":
      return new FixtureBackend({ latencyMs }).failWith(COMMANDS.getRating, {
        code: "NETWORK",
        message: "Couldn't reach Trustoo. Check your internet connection and try again.",
        retry_after_s: null,
      });
    case "rate-limited":
      return new FixtureBackend({ latencyMs }).failWith(COMMANDS.getRating, {
        code: "RATE_LIMITED",
        message: "Trustoo is receiving too many requests from this shop.",
        retry_after_s: 30,
      });
    case "keychain":
      // Signed out; signing in (either way) finds the system keychain locked, until it works on Retry.
      return new FixtureBackend({ session: null, latencyMs })
        .failWith(COMMANDS.startSignIn, KEYCHAIN_LOCKED)
        .failWith(COMMANDS.connectWithTokens, KEYCHAIN_LOCKED);
    case "expired":
      return new FixtureBackend({ latencyMs }).failWith(COMMANDS.getRating, {
        code: "SESSION_EXPIRED",
        message: "Your session with Trustoo expired.",
        retry_after_s: null,
      });
    case "loading":
      return new FixtureBackend({ latencyMs: 24 * 60 * 60 * 1000 });
    case "inbox-empty":
      // Signed in, nothing synced yet: no local reviews (the server's rating is empty too).
      return new FixtureBackend({ rating: EMPTY_RATING, reviews: 0, latencyMs });
    case "million":
      // A 1,000,000-review shop (unfiltered listing only; filters fall back to 5,000 reviews).
      return new MillionFixtureBackend({ latencyMs: Math.min(latencyMs, 40) });
    case "narrow-scopes":
      // An OAuth sign-in that did not grant `write_customers`: exclusions say so.
      return new FixtureBackend({ session: FIXTURE_NARROW_SESSION, latencyMs });
    case "offline":
      // Trustoo unreachable: the local reviews show, write actions are queued.
      return new FixtureBackend({ offline: true, latencyMs });
    default:
      return new FixtureBackend({ latencyMs });
  }
}

/**
 * The browser preview of a 1,000,000-review shop: the unfiltered, newest-first listing is
 * synthesised row by row from the 5,000 generated reviews (ids and cursors of its own), so
 * scrolling and jumping can be looked at without holding a million reviews in memory.
 */
export class MillionFixtureBackend extends FixtureBackend {
  static readonly TOTAL = 1_000_000;
  #base: ReviewPage["rows"] | null = null;

  override async queryReviews(query: ReviewQuery): Promise<ReviewPage> {
    const f = query.filter;
    const plain =
      f.view === "active" && f.ratings.length === 0 && f.keyword === null && f.product_id === null && f.source === null &&
      f.has_image === null && f.has_video === null && f.verified === null && f.triage === null &&
      f.commented_from === null && f.commented_to === null && query.sort === "newest";
    if (!plain) return super.queryReviews(query);
    this.#base ??= (await super.queryReviews({ ...query, limit: 1000, offset: 0, after: null, count_limit: 0 })).rows;
    const base = this.#base;
    const total = MillionFixtureBackend.TOTAL;
    const start = query.after ? total - query.after.key + 1 : Math.max(0, query.offset);
    const rows = [];
    for (let k = start; k < Math.min(total, start + query.limit); k++) {
      const src = base[k % base.length];
      if (!src) break;
      const key = total - k;
      rows.push({
        ...src,
        review: { ...src.review, id: `${src.review.id}~${k}`, commented_at: src.review.commented_at - Math.floor(k / base.length) * 86_400 },
        cursor: { rating: src.review.rating, key },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const capped = query.count_limit !== null && query.count_limit < total;
    const last = rows[rows.length - 1];
    return {
      rows,
      total: query.count_limit === 0 ? 0 : capped ? (query.count_limit ?? total) : total,
      total_exact: !capped && query.count_limit !== 0,
      next: last && start + rows.length < total ? { ...last.cursor } : null,
    };
  }

  override getReviewDetail(id: string): Promise<ReviewDetail> {
    const [real = id, k] = id.split("~");
    return super.getReviewDetail(real).then((detail) =>
      k === undefined ? detail : { ...detail, row: { ...detail.row, review: { ...detail.row.review, id } } },
    );
  }
}

function clone<T>(value: T): T {
  return value === null || typeof value !== "object" ? value : (structuredClone(value) as T);
}
