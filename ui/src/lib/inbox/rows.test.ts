import { describe, expect, it } from "vitest";
import { COMMANDS } from "../ipc/backend";
import { FixtureBackend } from "../ipc/fixture";
import { toIpcError, type IpcError } from "../ipc";
import { COUNT_LIMIT, emptyFilters, PAGE_SIZE, toFilter } from "./query";
import { ReviewList } from "./rows.svelte";

const NOW = 1_763_985_600;
const ALL = toFilter(emptyFilters(), "active", NOW);

/** Lets the fixture's microtask answers (and what they start) settle. */
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

function make(reviews = 5000, maxRows = 2000) {
  const backend = new FixtureBackend({ reviews, latencyMs: 0 });
  const errors: IpcError[] = [];
  const list = new ReviewList(backend.reviews, (reason) => {
    const error = toIpcError(reason);
    errors.push(error);
    return error;
  }, maxRows);
  return { backend, list, errors };
}

describe("ReviewList (the inbox rows)", () => {
  it("answers the first page with a capped count, then brings the exact total", async () => {
    const { backend, list } = make(5000);
    await list.reset(ALL, "newest");
    expect(list.ready).toBe(true);
    expect(backend.reviews.queries[0]).toMatchObject({ offset: 0, after: null, limit: PAGE_SIZE, count_limit: COUNT_LIMIT });
    await settle();
    expect(list.count).toBe(5000);
    expect(list.exact).toBe(true);
    expect(backend.reviews.queries.some((q) => q.count_limit === null && q.limit === 1)).toBe(true);
    expect(list.rowAt(0)?.review.id).toBeDefined();
    // Newest first.
    const first = list.rowAt(0)?.review.commented_at ?? 0;
    const second = list.rowAt(1)?.review.commented_at ?? 0;
    expect(first).toBeGreaterThanOrEqual(second);
  });

  it("is exact at once on a small result", async () => {
    const { backend, list } = make(5000);
    await list.reset({ ...ALL, keyword: "zzzz-nothing" }, "newest");
    expect(list.count).toBe(0);
    expect(list.exact).toBe(true);
    await settle();
    expect(backend.reviews.queries).toHaveLength(1);
  });

  it("continues right after a loaded row with its cursor, and jumps far by offset", async () => {
    const { backend, list } = make(5000);
    await list.reset(ALL, "newest");
    await settle();
    const before = backend.reviews.queries.length;
    list.ensure(100, 120);
    await settle();
    const next = backend.reviews.queries.slice(before).find((q) => q.limit === PAGE_SIZE);
    expect(next?.after).toEqual(list.rowAt(99)?.cursor);
    expect(list.rowAt(100)).toBeDefined();

    const mark = backend.reviews.queries.length;
    list.ensure(3210, 3225);
    await settle();
    const far = backend.reviews.queries.slice(mark).find((q) => q.limit === PAGE_SIZE);
    expect(far).toMatchObject({ after: null, offset: 3200 });
    expect(list.rowAt(3210)).toBeDefined();
    expect(list.rowAt(3150)).toBeUndefined();
  });

  it("keeps memory bounded while scrolling a long list", async () => {
    const { list } = make(5000, 300);
    await list.reset(ALL, "newest");
    await settle();
    for (let start = 0; start < 3000; start += 250) {
      list.ensure(start, start + 20);
      await settle(5);
    }
    expect(list.held).toBeLessThanOrEqual(300);
    expect(list.rowAt(2760)).toBeDefined();
    expect(list.rowAt(0)).toBeUndefined();
  });

  it("closes the gap when reviews are removed, and counts one less each", async () => {
    const { list } = make(300);
    await list.reset(ALL, "newest");
    await settle();
    const gone = [list.rowAt(1)?.review.id ?? "", list.rowAt(3)?.review.id ?? ""];
    const fourth = list.rowAt(4)?.review.id;
    list.remove(gone);
    expect(list.count).toBe(298);
    expect(list.rowAt(2)?.review.id).toBe(fourth);
    expect(list.indexOf(gone[0] ?? "")).toBe(-1);
  });

  it("changes a row's triage state in place", async () => {
    const { list } = make(300);
    await list.reset(ALL, "newest");
    const id = list.rowAt(0)?.review.id ?? "";
    const version = list.version;
    list.setTriage([id], "flagged");
    expect(list.rowAt(0)?.triage).toBe("flagged");
    expect(list.version).toBeGreaterThan(version);
  });

  it("shows the first page's failure as the list's error, and recovers on a new query", async () => {
    const { backend, list, errors } = make(300);
    backend.failWith(COMMANDS.queryReviews, { code: "INTERNAL", message: "The local store is locked.", retry_after_s: null });
    await list.reset(ALL, "newest");
    expect(list.error?.message).toBe("The local store is locked.");
    expect(errors).toHaveLength(1);
    await list.reset(ALL, "newest");
    expect(list.error).toBeNull();
    expect(list.count).toBe(300);
  });

  it("drops the answer of a query that was replaced meanwhile", async () => {
    const backend = new FixtureBackend({ reviews: 300, latencyMs: 30 });
    const list = new ReviewList(backend.reviews, toIpcError);
    const old = list.reset({ ...ALL, ratings: [5] }, "newest");
    const current = list.reset({ ...ALL, ratings: [1] }, "newest");
    await Promise.all([old, current]);
    await settle();
    expect(list.count).toBeGreaterThan(0);
    for (let i = 0; i < Math.min(list.count, 20); i++) expect(list.rowAt(i)?.review.rating).toBe(1);
  });

  it("keeps the previous rows and total until a new query answers, then swaps them at once", async () => {
    const backend = new FixtureBackend({ reviews: 300, latencyMs: 20 });
    const list = new ReviewList(backend.reviews, toIpcError);
    await list.reset(ALL, "newest");
    await settle();
    const first = list.rowAt(0)?.review.id;
    const pending = list.reset({ ...ALL, ratings: [1] }, "newest");
    expect(list.loading).toBe(true);
    expect(list.ready).toBe(true);
    expect(list.count).toBe(300);
    expect(list.rowAt(0)?.review.id).toBe(first);
    // Scrolling the old rows meanwhile asks nothing for them.
    const asked = backend.reviews.queries.length;
    list.ensure(150, 170);
    expect(backend.reviews.queries.length).toBe(asked);
    expect(await pending).toBe(true);
    expect(list.loading).toBe(false);
    expect(list.count).toBeLessThan(300);
    for (let i = 0; i < Math.min(list.count, 20); i++) expect(list.rowAt(i)?.review.rating).toBe(1);
  });

  it("lets the caller act on both sides of the swap, in one go", async () => {
    const { list } = make(300);
    await list.reset(ALL, "newest");
    const old = list.rowAt(0)?.review.rating;
    const seen: (number | undefined)[] = [];
    const taken = await list.reset({ ...ALL, ratings: [old === 1 ? 2 : 1] }, "newest", (swap) => {
      seen.push(list.rowAt(0)?.review.rating);
      swap();
      seen.push(list.rowAt(0)?.review.rating);
    });
    expect(taken).toBe(true);
    expect(seen).toEqual([old, old === 1 ? 2 : 1]);
  });

  it("asks one first page at a time: of a burst of queries, only the first and the last are sent", async () => {
    const backend = new FixtureBackend({ reviews: 300, latencyMs: 20 });
    const list = new ReviewList(backend.reviews, toIpcError);
    const answers = [1, 2, 3, 4, 5].map((star) => list.reset({ ...ALL, ratings: [star] }, "newest"));
    expect(await Promise.all(answers)).toEqual([false, false, false, false, true]);
    const firsts = backend.reviews.queries.filter((q) => q.count_limit === COUNT_LIMIT).map((q) => q.filter.ratings);
    expect(firsts).toEqual([[1], [5]]);
    for (let i = 0; i < Math.min(list.count, 20); i++) expect(list.rowAt(i)?.review.rating).toBe(5);
  });

  it("shows a new query's failure instead of the previous rows", async () => {
    const { backend, list } = make(300);
    await list.reset(ALL, "newest");
    backend.failWith(COMMANDS.queryReviews, { code: "INTERNAL", message: "The local store is locked.", retry_after_s: null });
    expect(await list.reset({ ...ALL, ratings: [1] }, "newest")).toBe(false);
    expect(list.error?.message).toBe("The local store is locked.");
    expect(list.rowAt(0)).toBeUndefined();
    expect(list.loading).toBe(false);
  });

  it("can show just a given set of reviews (the new ones of a sync), newest first", async () => {
    const { backend, list } = make(300);
    await list.reset(ALL, "oldest");
    const ids = [list.rowAt(5)?.review.id ?? "", list.rowAt(0)?.review.id ?? "", "no-such-review"];
    await list.showOnly(ids);
    expect(list.fixed).toBe(true);
    expect(list.count).toBe(2);
    expect(list.rowAt(0)?.review.id).toBe(ids[0]);
    expect(list.rowAt(1)?.review.id).toBe(ids[1]);
    expect(backend.calls[COMMANDS.getReviewDetail]).toBe(3);
    await list.reset(ALL, "newest");
    expect(list.fixed).toBe(false);
    await settle();
    expect(list.count).toBe(300);
  });
});
