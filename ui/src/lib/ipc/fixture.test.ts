import { afterEach, describe, expect, it, vi } from "vitest";
import { COMMANDS } from "./backend";
import { createScenarioBackend, EMPTY_RATING, FIXTURE_RATING, FIXTURE_SESSION, FixtureBackend } from "./fixture";

const RATE_LIMITED = { code: "RATE_LIMITED", message: "Slow down.", retry_after_s: 5 };

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
    expect(backend.calls).toEqual({ current_session: 1, get_rating: 3 });
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
  });
});
