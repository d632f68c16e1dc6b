import { render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { FixtureBackend } from "../ipc/fixture";
import WorkspaceHarness from "./WorkspaceHarness.svelte";

describe("a sync that ended while the page was opening", () => {
  it("makes the list read the store again (its first read may have come mid-sync)", async () => {
    const backend = new FixtureBackend({ reviews: 30, latencyMs: 0, syncStepMs: 5 });
    const query = vi.spyOn(backend.reviews, "queryReviews");
    // The sync's "done" came before the page listened: only its status says it ended now.
    vi.spyOn(backend.reviews, "syncStatus").mockImplementation(async () => ({
      phase: "done",
      fetched: 30,
      total: 30,
      new_count: 0,
      last_synced_at: Math.floor(Date.now() / 1000),
      message: null,
    }));
    render(WorkspaceHarness, { backend, initialPage: "inbox" });
    await waitFor(() => expect(screen.queryAllByTestId("review-row").length).toBeGreaterThan(0));
    await waitFor(() => expect(query.mock.calls.length).toBeGreaterThanOrEqual(2));
  });

  it("leaves the list alone when the last sync ended before the page opened", async () => {
    const backend = new FixtureBackend({ reviews: 30, latencyMs: 0, syncStepMs: 5 });
    const query = vi.spyOn(backend.reviews, "queryReviews");
    vi.spyOn(backend.reviews, "syncStatus").mockImplementation(async () => ({
      phase: "done",
      fetched: 30,
      total: 30,
      new_count: 0,
      last_synced_at: Math.floor(Date.now() / 1000) - 3600,
      message: null,
    }));
    render(WorkspaceHarness, { backend, initialPage: "inbox" });
    await waitFor(() => expect(screen.queryAllByTestId("review-row").length).toBeGreaterThan(0));
    await new Promise((r) => setTimeout(r, 200));
    expect(query.mock.calls.length).toBe(1);
  });
});
