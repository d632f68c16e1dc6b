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
  IpcError,
  LoginStatus,
  Notice,
  RatingSummary,
  ShopRef,
  ShopSession,
  SignOutReport,
  TokenInput,
} from "./types";

/** The demo shop the sandbox seeds (and the browser preview shows). */
export const FIXTURE_SESSION: Readonly<ShopSession> = Object.freeze({
  shop_id: "73011823011",
  shop_name: "Aurora Outfitters",
  domain: "aurora-outfitters.myshopify.com",
  scopes: ["read_reviews", "write_reviews", "write_customers"],
  auth_mode: "oauth",
  environment: "sandbox",
  api_base: "http://127.0.0.1:8787",
});

/** The second sandbox shop (`SECOND_SHOP_*` in the sandbox crate), connected with its tokens. */
export const FIXTURE_SECOND_SESSION: Readonly<ShopSession> = Object.freeze({
  shop_id: "71234567890",
  shop_name: "Birch & Pine Home",
  domain: "birch-and-pine-home.myshopify.com",
  scopes: ["read_reviews", "write_reviews"],
  auth_mode: "hmac",
  environment: "sandbox",
  api_base: "http://127.0.0.1:8787",
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
  /** Where a browser sign-in stands at start. Default: idle. */
  login?: LoginStatus;
  /** The clock, in ms since the epoch (only used for `expires_at`). Default: `Date.now`. */
  now?: () => number;
}

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
  #login: LoginStatus;
  #signOutReport: SignOutReport = clone(FIXTURE_SIGN_OUT_REPORT);
  #now: () => number;
  #failures = new Map<CommandName, Failure[]>();
  #sessionHandlers = new Set<(session: ShopSession | null) => void>();
  #loginHandlers = new Set<(status: LoginStatus) => void>();
  #noticeHandlers = new Set<(notice: Notice) => void>();

  constructor(options: FixtureOptions = {}) {
    this.#session = options.session === undefined ? clone(FIXTURE_SESSION) : clone(options.session);
    this.#rating = clone(options.rating ?? FIXTURE_RATING);
    this.latencyMs = options.latencyMs ?? 0;
    this.#now = options.now ?? (() => Date.now());
    const shops = options.shops ?? (this.#session ? [FIXTURE_SESSION, FIXTURE_SECOND_SESSION] : []);
    this.#shops = shops.map((s) => clone(s));
    if (this.#session && !this.#shops.some((s) => s.shop_id === this.#session?.shop_id)) {
      this.#shops.unshift(clone(this.#session));
    }
    this.#login = clone(options.login ?? IDLE);
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

  listShops(): Promise<ShopSession[]> {
    return this.#answer(COMMANDS.listShops, () => this.#shops.map((s) => clone(s)));
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
    default:
      return new FixtureBackend({ latencyMs });
  }
}

function clone<T>(value: T): T {
  return value === null || typeof value !== "object" ? value : (structuredClone(value) as T);
}
