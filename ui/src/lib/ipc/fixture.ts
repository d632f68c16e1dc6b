/**
 * An in-memory `Backend` for vitest and for running the UI in a plain
 * browser (`npm run dev` without Tauri). Deterministic: no randomness, no
 * clock reads beyond the optional latency timer, no network.
 */
import { COMMANDS, type Backend, type CommandName, type Unsubscribe } from "./backend";
import type { IpcError, RatingSummary, ShopSession } from "./types";

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

/** A rating whose average and count follow from its five buckets (1★ … 5★). */
export function ratingFromStars(stars: RatingSummary["stars"]): RatingSummary {
  const count = stars.reduce((sum, n) => sum + n, 0);
  const points = stars.reduce((sum, n, i) => sum + n * (i + 1), 0);
  const copy: RatingSummary["stars"] = [stars[0], stars[1], stars[2], stars[3], stars[4]];
  return { average: count === 0 ? 0 : Math.round((points / count) * 100) / 100, count, stars: copy };
}

/** A realistic J-shaped distribution: 1,234 reviews averaging 4.3. */
export const FIXTURE_RATING: Readonly<RatingSummary> = Object.freeze(ratingFromStars([71, 44, 93, 262, 764]));

export const EMPTY_RATING: Readonly<RatingSummary> = Object.freeze(ratingFromStars([0, 0, 0, 0, 0]));

export interface FixtureOptions {
  /** `null` means "not signed in". Default: `FIXTURE_SESSION`. */
  session?: ShopSession | null;
  /** Default: `FIXTURE_RATING`. */
  rating?: RatingSummary;
  /** Delay before every answer, in ms. Default 0 (answers on the next microtask). */
  latencyMs?: number;
}

interface Failure {
  error: IpcError;
  remaining: number;
}

export class FixtureBackend implements Backend {
  latencyMs: number;
  /** How many times each command was called (tests assert on this). */
  readonly calls: Record<CommandName, number> = {
    [COMMANDS.currentSession]: 0,
    [COMMANDS.getRating]: 0,
  };

  #session: ShopSession | null;
  #rating: RatingSummary;
  #failures = new Map<CommandName, Failure[]>();
  #sessionHandlers = new Set<(session: ShopSession | null) => void>();

  constructor(options: FixtureOptions = {}) {
    this.#session = options.session === undefined ? clone(FIXTURE_SESSION) : clone(options.session);
    this.#rating = clone(options.rating ?? FIXTURE_RATING);
    this.latencyMs = options.latencyMs ?? 0;
  }

  currentSession(): Promise<ShopSession | null> {
    return this.#answer(COMMANDS.currentSession, () => clone(this.#session));
  }

  getRating(): Promise<RatingSummary> {
    return this.#answer(COMMANDS.getRating, () => {
      if (this.#session === null) {
        throw { code: "NOT_SIGNED_IN", message: "Connect ReviewDesk to a shop first.", retry_after_s: null } satisfies IpcError;
      }
      return clone(this.#rating);
    });
  }

  async onSessionChanged(handler: (session: ShopSession | null) => void): Promise<Unsubscribe> {
    this.#sessionHandlers.add(handler);
    return () => {
      this.#sessionHandlers.delete(handler);
    };
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

  setRating(rating: RatingSummary): this {
    this.#rating = clone(rating);
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
export const FIXTURE_SCENARIOS = ["default", "empty", "error", "rate-limited", "signed-out", "loading"] as const;
export type FixtureScenario = (typeof FIXTURE_SCENARIOS)[number];

export function createScenarioBackend(scenario: string | null, latencyMs = 350): FixtureBackend {
  switch (scenario) {
    case "empty":
      return new FixtureBackend({ rating: EMPTY_RATING, latencyMs });
    case "signed-out":
      return new FixtureBackend({ session: null, latencyMs });
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
    case "loading":
      return new FixtureBackend({ latencyMs: 24 * 60 * 60 * 1000 });
    default:
      return new FixtureBackend({ latencyMs });
  }
}

function clone<T>(value: T): T {
  return value === null || typeof value !== "object" ? value : (structuredClone(value) as T);
}
