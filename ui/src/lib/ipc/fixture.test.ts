import { afterEach, describe, expect, it, vi } from "vitest";
import { COMMANDS } from "./backend";
import {
  createScenarioBackend,
  EMPTY_RATING,
  FIXTURE_RATING,
  FIXTURE_SECOND_PUBLIC_TOKEN,
  FIXTURE_SECOND_RATING,
  FIXTURE_SECOND_SESSION,
  FIXTURE_SESSION,
  FixtureBackend,
  LOGIN_TTL_S,
} from "./fixture";
import type { IpcError, LoginStatus } from "./types";

const RATE_LIMITED: IpcError = { code: "RATE_LIMITED", message: "Slow down.", retry_after_s: 5 };

describe("FixtureBackend", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("serves the Aurora Outfitters sandbox shop by default", async () => {
    const backend = new FixtureBackend();
    const session = await backend.currentSession();
    expect(session).toEqual(FIXTURE_SESSION);
    expect(session?.shop_name).toBe("Aurora Outfitters");
    expect(session?.domain).toBe("aurora-outfitters.myshopify.com");
    expect(session?.environment).toBe("sandbox");
  });

  it("has a consistent rating: five buckets that add up to the count", async () => {
    const rating = await new FixtureBackend().getRating();
    expect(rating).toEqual(FIXTURE_RATING);
    expect(rating.stars).toHaveLength(5);
    expect(rating.stars.reduce((a, b) => a + b, 0)).toBe(rating.count);
    const weighted = rating.stars.reduce((sum, n, i) => sum + n * (i + 1), 0) / rating.count;
    expect(rating.average).toBeCloseTo(weighted, 2);
  });

  it("is deterministic and hands out copies", async () => {
    const backend = new FixtureBackend();
    const first = await backend.getRating();
    first.stars[4] = 0;
    expect(await backend.getRating()).toEqual(await new FixtureBackend().getRating());
  });

  it("can be signed out", async () => {
    const backend = new FixtureBackend({ session: null });
    await expect(backend.currentSession()).resolves.toBeNull();
    await expect(backend.getRating()).rejects.toMatchObject({ code: "NOT_SIGNED_IN" });
  });

  it("injects errors for the next calls only", async () => {
    const backend = new FixtureBackend().failWith(COMMANDS.getRating, RATE_LIMITED, 2);
    await expect(backend.getRating()).rejects.toEqual(RATE_LIMITED);
    await expect(backend.getRating()).rejects.toEqual(RATE_LIMITED);
    await expect(backend.getRating()).resolves.toEqual(FIXTURE_RATING);
    await expect(backend.currentSession()).resolves.toEqual(FIXTURE_SESSION);
    expect(backend.calls).toMatchObject({ current_session: 1, get_rating: 3, auth_start: 0, list_shops: 0 });
  });

  it("can fail until cleared", async () => {
    const backend = new FixtureBackend().failWith(COMMANDS.currentSession, RATE_LIMITED, Infinity);
    for (let i = 0; i < 3; i++) await expect(backend.currentSession()).rejects.toEqual(RATE_LIMITED);
    backend.clearFailures();
    await expect(backend.currentSession()).resolves.toEqual(FIXTURE_SESSION);
  });

  it("waits the configured latency", async () => {
    vi.useFakeTimers();
    const backend = new FixtureBackend({ latencyMs: 500 });
    let settled = false;
    const pending = backend.getRating().then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(settled).toBe(true);
  });

  it("emits session-changed to subscribers until they unsubscribe", async () => {
    const backend = new FixtureBackend();
    const seen: unknown[] = [];
    const off = await backend.onSessionChanged((s) => seen.push(s?.shop_name ?? null));
    backend.setSession(null);
    backend.setSession({ ...FIXTURE_SESSION, shop_name: "Other" });
    off();
    backend.setSession(null);
    expect(seen).toEqual([null, "Other"]);
  });
});

describe("FixtureBackend sign-in and shops", () => {
  const NOW_MS = 1_750_000_000_000;

  it("starts a browser sign-in that waits 10 minutes, and tells listeners", async () => {
    const backend = new FixtureBackend({ session: null, now: () => NOW_MS });
    const seen: LoginStatus[] = [];
    await backend.onLoginStatus((s) => seen.push(s));

    const status = await backend.startSignIn();

    expect(status).toEqual({
      phase: "waiting_for_browser",
      message: null,
      session: null,
      expires_at: NOW_MS / 1000 + LOGIN_TTL_S,
    });
    expect(seen.map((s) => s.phase)).toEqual(["waiting_for_browser"]);
    await expect(backend.authStatus()).resolves.toEqual(status);
    await expect(backend.reopenBrowser()).resolves.toBeUndefined();
  });

  it("completes a sign-in: exchanging, signed_in, then session-changed", async () => {
    const backend = new FixtureBackend({ session: null });
    const events: string[] = [];
    await backend.onLoginStatus((s) => events.push(`login:${s.phase}`));
    await backend.onSessionChanged((s) => events.push(`session:${s?.shop_name ?? null}`));
    await backend.startSignIn();

    backend.completeSignIn();

    expect(events).toEqual([
      "login:waiting_for_browser",
      "login:exchanging",
      "login:signed_in",
      "session:Aurora Outfitters",
    ]);
    await expect(backend.currentSession()).resolves.toEqual(FIXTURE_SESSION);
    await expect(backend.listShops()).resolves.toEqual([{ session: FIXTURE_SESSION, signed_in: true, active: true, problem: null }]);
  });

  it("declines, fails and cancels with the right phases and messages", async () => {
    const backend = new FixtureBackend({ session: null });
    const seen: LoginStatus[] = [];
    await backend.onLoginStatus((s) => seen.push(s));
    backend.declineSignIn().failSignIn("Trustoo is down.");
    await backend.cancelSignIn();
    expect(seen.map((s) => [s.phase, s.message])).toEqual([
      ["declined", "You declined access."],
      ["failed", "Trustoo is down."],
      ["idle", null],
    ]);
    await expect(backend.reopenBrowser()).rejects.toMatchObject({ code: "VALIDATION" });
  });

  it("lists both sandbox shops and switches between them, each with its own rating", async () => {
    const backend = new FixtureBackend();
    const shops = await backend.listShops();
    expect(shops.map((s) => s.session.shop_name)).toEqual(["Aurora Outfitters", "Birch & Pine Home"]);
    expect(shops[1]?.session.domain).toBe("birch-and-pine-home.myshopify.com");
    expect(shops.map((s) => [s.active, s.signed_in])).toEqual([[true, true], [false, true]]);

    const changed: unknown[] = [];
    await backend.onSessionChanged((s) => changed.push(s?.domain));
    await expect(backend.switchShop(FIXTURE_SECOND_SESSION)).resolves.toEqual(FIXTURE_SECOND_SESSION);
    expect(changed).toEqual(["birch-and-pine-home.myshopify.com"]);
    await expect(backend.getRating()).resolves.toEqual(FIXTURE_SECOND_RATING);
    await expect(backend.switchShop({ shop_id: "nope", domain: "nope.myshopify.com" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("connects with tokens: Birch's public token picks Birch; blanks are refused", async () => {
    const backend = new FixtureBackend({ session: null });
    await expect(
      backend.connectWithTokens({
        public_token: ` ${FIXTURE_SECOND_PUBLIC_TOKEN} `,
        private_token: "x",
        shop_domain: FIXTURE_SECOND_SESSION.domain,
      }),
    ).resolves.toEqual(FIXTURE_SECOND_SESSION);
    await expect(backend.connectWithTokens({ public_token: "a", private_token: " ", shop_domain: "a.myshopify.com" })).rejects.toMatchObject({
      code: "VALIDATION",
    });
  });

  it("signs out: reports every step and makes the next shop active", async () => {
    const backend = new FixtureBackend();
    const report = await backend.signOut(FIXTURE_SESSION);
    expect(report.steps.every((s) => s.ok)).toBe(true);
    expect(report.steps.map((s) => s.step)).toContain("Revoke the access token");
    await expect(backend.currentSession()).resolves.toEqual(FIXTURE_SECOND_SESSION);
    await backend.signOut(FIXTURE_SECOND_SESSION);
    await expect(backend.currentSession()).resolves.toBeNull();
    await expect(backend.listShops()).resolves.toEqual([]);
  });

  it("emits notices", async () => {
    const backend = new FixtureBackend();
    const seen: unknown[] = [];
    const off = await backend.onNotice((n) => seen.push(n));
    backend.emitNotice({ level: "warning", message: "Hi" });
    off();
    backend.emitNotice({ level: "info", message: "unheard" });
    expect(seen).toEqual([{ level: "warning", message: "Hi" }]);
  });
});

describe("createScenarioBackend", () => {
  it("builds each browser-preview scenario", async () => {
    await expect(createScenarioBackend("empty", 0).getRating()).resolves.toEqual(EMPTY_RATING);
    await expect(createScenarioBackend("signed-out", 0).currentSession()).resolves.toBeNull();
    await expect(createScenarioBackend("error", 0).getRating()).rejects.toMatchObject({ code: "NETWORK" });
    await expect(createScenarioBackend("rate-limited", 0).getRating()).rejects.toMatchObject({
      code: "RATE_LIMITED",
      retry_after_s: 30,
    });
    await expect(createScenarioBackend(null, 0).getRating()).resolves.toEqual(FIXTURE_RATING);
    const waiting = createScenarioBackend("waiting", 0);
    await expect(waiting.currentSession()).resolves.toBeNull();
    await expect(waiting.authStatus()).resolves.toMatchObject({ phase: "waiting_for_browser" });
    await expect(createScenarioBackend("keychain", 0).startSignIn()).rejects.toMatchObject({
      code: "KEYCHAIN_UNAVAILABLE",
    });
    await expect(createScenarioBackend("expired", 0).getRating()).rejects.toMatchObject({ code: "SESSION_EXPIRED" });
  });
});
