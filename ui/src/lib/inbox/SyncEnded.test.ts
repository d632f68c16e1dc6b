import { render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { FixtureBackend } from "../ipc/fixture";
import WorkspaceHarness from "./WorkspaceHarness.svelte";

/**
 * Opens the inbox while the last sync's status says it ended `secondsAgo` (its "done" event came
 * before the page listened); answers the spy on the list's reads once the rows are shown.
 */
async function openAfterSyncEnded(secondsAgo: number) {
  const backend = new FixtureBackend({ reviews: 30, latencyMs: 0, syncStepMs: 5 });
  const query = vi.spyOn(backend.reviews, "queryReviews");
  vi.spyOn(backend.reviews, "syncStatus").mockImplementation(async () => ({
    phase: "done",
    fetched: 30,
    total: 30,
    new_count: 0,
    last_synced_at: Math.floor(Date.now() / 1000) - secondsAgo,
    message: null,
  }));
  render(WorkspaceHarness, { backend, initialPage: "inbox" });
  await waitFor(() => expect(screen.queryAllByTestId("review-row").length).toBeGreaterThan(0));
  return query;
}

describe("a sync that ended while the page was opening", () => {
  it("makes the list read the store again (its first read may have come mid-sync)", async () => {
    const query = await openAfterSyncEnded(0);
    await waitFor(() => expect(query.mock.calls.length).toBeGreaterThanOrEqual(2));
  });

  it("leaves the list alone when the last sync ended before the page opened", async () => {
    const query = await openAfterSyncEnded(3600);
    await new Promise((r) => setTimeout(r, 200));
    expect(query.mock.calls.length).toBe(1);
  });
});

describe("the sync status", () => {
  it("is read only once the page listens for its changes (a change in between is not lost)", async () => {
    const backend = new FixtureBackend({ reviews: 30, latencyMs: 0, syncStepMs: 5 });
    const order: string[] = [];
    const listen = backend.reviews.onSyncProgress.bind(backend.reviews);
    vi.spyOn(backend.reviews, "onSyncProgress").mockImplementation(async (handler) => {
      await new Promise((r) => setTimeout(r, 50));
      const off = await listen(handler);
      order.push("listening");
      return off;
    });
    const status = backend.reviews.syncStatus.bind(backend.reviews);
    vi.spyOn(backend.reviews, "syncStatus").mockImplementation(() => {
      order.push("status read");
      return status();
    });
    render(WorkspaceHarness, { backend, initialPage: "inbox" });
    await waitFor(() => expect(order).toContain("status read"));
    expect(order.indexOf("listening")).toBeGreaterThanOrEqual(0);
    expect(order.indexOf("listening")).toBeLessThan(order.indexOf("status read"));
  });
});
