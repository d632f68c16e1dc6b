import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { COMMANDS } from "../ipc/backend";
import { FixtureBackend } from "../ipc/fixture";
import type { IpcError } from "../ipc";
import WorkspaceHarness from "./WorkspaceHarness.svelte";

function setup(options: ConstructorParameters<typeof FixtureBackend>[0] = {}, page: "inbox" | "deleted" = "inbox") {
  const backend = new FixtureBackend({ reviews: 400, latencyMs: 0, syncStepMs: 5, ...options });
  const errors: IpcError[] = [];
  render(WorkspaceHarness, { backend, initialPage: page, errors });
  return { backend, errors };
}

function rows(): HTMLElement[] {
  return screen.queryAllByTestId("review-row");
}

function row(index: number): HTMLElement {
  const found = rows().find((r) => r.dataset.index === String(index));
  if (!found) throw new Error(`row ${index} is not rendered`);
  return found;
}

async function firstRows(): Promise<HTMLElement[]> {
  await waitFor(() => expect(rows().length).toBeGreaterThan(0));
  return rows();
}

function key(k: string): void {
  void fireEvent.keyDown(window, { key: k });
}

describe("inbox list", () => {
  it("shows the shop's rating, the total and a window of rows (not all of them)", async () => {
    setup({ reviews: 5000 });
    expect(screen.getByTestId("rating-average")).toHaveTextContent("4.3");
    await firstRows();
    await waitFor(() => expect(screen.getByTestId("review-total")).toHaveTextContent("5,000 reviews"));
    const list = screen.getByTestId("review-list");
    expect(rows().length).toBeLessThan(40);
    expect(Number(list.dataset.rendered)).toBeLessThan(40);
    const first = row(0);
    expect(first.dataset.reviewId).toBeTruthy();
    expect(within(first).getByTestId("row-triage")).toHaveTextContent(/new|reviewed|flagged/);
  });

  it("tells Rust once when the first rows are painted, with how many there are", async () => {
    const before = Date.now();
    const { backend } = setup({ reviews: 5000 });
    await firstRows();
    await waitFor(() => expect(backend.reviews.paintReports).toHaveLength(1));
    const [report] = backend.reviews.paintReports;
    expect(report?.rows).toBe(5000);
    expect(report?.atUnixMs).toBeGreaterThanOrEqual(before);
    // Where the launch went: the list's first page asked and answered, on the page's clock.
    expect(report?.marks["first-query"]).toBeLessThanOrEqual(report?.marks["first-answer"] ?? -1);
    expect(report?.marks["page-start"]).toBeGreaterThan(0);
    await fireEvent.click(screen.getByTestId("filter-rating-1"));
    await waitFor(() => expect(backend.reviews.queries.at(-1)?.filter.ratings).toEqual([1]));
    expect(backend.reviews.paintReports).toHaveLength(1);
  });

  it("filters to 1★ and tells the store exactly that", async () => {
    const { backend } = setup();
    await firstRows();
    await fireEvent.click(screen.getByTestId("filter-rating-1"));
    await waitFor(() => expect(backend.reviews.queries.at(-1)?.filter.ratings).toEqual([1]));
    await waitFor(() => {
      const shown = rows();
      expect(shown.length).toBeGreaterThan(0);
      for (const r of shown) expect(r.dataset.rating).toBe("1");
    });
    expect(screen.getByTestId("filter-rating-1")).toHaveAttribute("aria-pressed", "true");
  });

  it("searches while typing and says so when nothing matches, with a way out", async () => {
    const { backend } = setup();
    await firstRows();
    await fireEvent.input(screen.getByTestId("search"), { target: { value: "qqqzzz" } });
    await waitFor(() => expect(screen.getByTestId("no-results")).toBeInTheDocument());
    expect(backend.reviews.queries.at(-1)?.filter.keyword).toBe("qqqzzz");
    expect(screen.getByTestId("no-results")).toHaveTextContent("No reviews match these filters.");
    await fireEvent.click(within(screen.getByTestId("no-results")).getByRole("button", { name: "Clear filters" }));
    await firstRows();
    expect(backend.reviews.queries.at(-1)?.filter.keyword).toBeNull();
    expect(screen.getByTestId("search")).toHaveValue("");
  });

  it("asks at each key, keeps the previous results on screen until the new ones are in, and the last key's answer wins", async () => {
    const { backend } = setup();
    await firstRows();
    await waitFor(() => expect(screen.getByTestId("review-total")).toHaveTextContent("400 reviews"));
    // The shorter (older) a word, the later its answer: answers would arrive out of order.
    const reviews = backend.reviews;
    const ask = reviews.queryReviews.bind(reviews);
    const totals = new Map<string, number>();
    reviews.queryReviews = async (query) => {
      const page = await ask(query);
      const word = query.filter.keyword ?? "";
      if (query.offset === 0 && query.count_limit !== 0) totals.set(word, page.total);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 80 - 20 * word.length)));
      return page;
    };
    // Between two results, no moment shows an empty list, "Loading" or "No reviews match".
    const gaps: string[] = [];
    const observer = new MutationObserver(() => {
      const total = screen.getByTestId("review-total").textContent ?? "";
      if (rows().length === 0 || /Loading/.test(total) || screen.queryByTestId("no-results")) gaps.push(`${rows().length} rows, "${total}"`);
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    let expected = "";
    try {
      const box = screen.getByTestId("search");
      await fireEvent.input(box, { target: { value: "g" } });
      // Asked at once: no debounce timer in front of the store.
      expect(reviews.queries.at(-1)?.filter.keyword).toBe("g");
      for (const word of ["gl", "gla", "glac"]) await fireEvent.input(box, { target: { value: word } });
      await waitFor(() => expect(totals.has("glac")).toBe(true));
      expected = `${(totals.get("glac") ?? -1).toLocaleString("en-US")} review`;
      await waitFor(() => expect(screen.getByTestId("review-total")).toHaveTextContent(expected));
      // Whatever was still on its way for an older word does not overwrite it.
      await new Promise((resolve) => setTimeout(resolve, 150));
    } finally {
      observer.disconnect();
    }
    expect(screen.getByTestId("review-total")).toHaveTextContent(expected);
    expect(totals.get("g")).not.toBe(totals.get("glac"));
    expect(gaps).toEqual([]);
    expect(rows().filter((r) => r.getAttribute("aria-selected") === "true")).toHaveLength(1);
    // The words in between were coalesced: not every key needed its own first page.
    expect(reviews.queries.filter((q) => q.offset === 0 && q.count_limit !== 0 && q.filter.keyword === "glac")).toHaveLength(1);
  });

  it("offers the sources of the shop's stored reviews, with their counts, and nothing else", async () => {
    // Trustoo's documented `source` values (trustoo-api.md, Create Review), as the sandbox sends them.
    const documented = ["Store front", "Store link", "Email request", "CSV uploaded", "AliExpress", "Amazon", "Shopee", "Auto", "Shop", "QR Code"];
    setup();
    await firstRows();
    const select = screen.getByTestId("filter-source");
    await waitFor(() => expect(within(select).getAllByRole("option").length).toBeGreaterThan(5));
    const [any, ...options] = within(select).getAllByRole("option") as HTMLOptionElement[];
    expect(any).toHaveTextContent(/^Source$/);
    const offered = options.map((o) => {
      const m = /^(.+) \(([\d,]+)\)$/.exec(o.textContent?.trim() ?? "");
      expect(m, `"${o.textContent}" names a source and its count`).not.toBeNull();
      return { value: o.value, label: m?.[1] ?? "", count: Number((m?.[2] ?? "").replace(/,/g, "")) };
    });
    for (const o of offered) {
      expect(documented).toContain(o.value);
      expect(o.label).toBe(o.value);
    }
    expect(offered.reduce((sum, o) => sum + o.count, 0)).toBe(400);
    // Each count is what the list shows once the source is chosen.
    for (const o of offered) {
      await fireEvent.change(select, { target: { value: o.value } });
      await waitFor(() => expect(screen.getByTestId("review-total")).toHaveTextContent(`${o.count.toLocaleString("en-US")} review`));
    }
  });

  it("moves the selection onto a search's rows in the same frame as they arrive, and the pane with it", async () => {
    const { backend } = setup();
    await firstRows();
    await waitFor(() => expect(row(0)).toHaveAttribute("aria-selected", "true"));
    for (let i = 0; i < 5; i++) key("j");
    await waitFor(() => expect(row(5)).toHaveAttribute("aria-selected", "true"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const paneShows = () => screen.getByTestId("review-id-label").nextElementSibling?.textContent;
    expect(paneShows()).toBe(row(5).dataset.reviewId);
    const loads = backend.calls[COMMANDS.getReviewDetail];
    await fireEvent.input(screen.getByTestId("search"), { target: { value: "glacier" } });
    await waitFor(() => expect(screen.getByTestId("review-total")).not.toHaveTextContent("400 reviews"));
    // At once (not after the pane's quiet time): the first of the new rows, selected and shown.
    expect(row(0)).toHaveAttribute("aria-selected", "true");
    expect(paneShows()).toBe(row(0).dataset.reviewId);
    await waitFor(() => expect(screen.getByTestId("audit-list")).toBeInTheDocument());
    expect(backend.calls[COMMANDS.getReviewDetail]).toBe(loads + 1);
  });

  it("asks for what the first screen does not show (products, sources, drafts) only once the first rows are painted", async () => {
    const backend = new FixtureBackend({ reviews: 400, latencyMs: 5 });
    const drafts = vi.spyOn(backend.composer, "listDrafts");
    render(WorkspaceHarness, { backend });
    await firstRows();
    expect(backend.calls[COMMANDS.listProducts]).toBe(0);
    expect(backend.calls[COMMANDS.listSources]).toBe(0);
    expect(drafts).not.toHaveBeenCalled();
    // The first page was the store's first question.
    expect(backend.calls[COMMANDS.queryReviews]).toBeGreaterThan(0);
    await waitFor(() => expect(within(screen.getByTestId("filter-source")).getAllByRole("option").length).toBeGreaterThan(2));
    expect(backend.calls[COMMANDS.listProducts]).toBe(1);
    expect(backend.calls[COMMANDS.listSources]).toBe(1);
    await waitFor(() => expect(drafts).toHaveBeenCalledTimes(1));
  });

  it("sends sort, source, media, verified, date and triage filters", async () => {
    const { backend } = setup();
    await firstRows();
    await fireEvent.change(screen.getByTestId("sort"), { target: { value: "rating_low" } });
    await waitFor(() => expect(within(screen.getByTestId("filter-source")).getAllByRole("option").length).toBeGreaterThan(2));
    await fireEvent.change(screen.getByTestId("filter-source"), { target: { value: "Email request" } });
    await fireEvent.click(screen.getByTestId("filter-photo"));
    await fireEvent.click(screen.getByTestId("filter-verified"));
    await fireEvent.change(screen.getByTestId("filter-date"), { target: { value: "30d" } });
    await fireEvent.change(screen.getByTestId("filter-triage"), { target: { value: "flagged" } });
    await waitFor(() =>
      expect(backend.reviews.queries.at(-1)).toMatchObject({
        sort: "rating_low",
        filter: { source: "Email request", has_image: true, verified: true, triage: "flagged" },
      }),
    );
    expect(backend.reviews.queries.at(-1)?.filter.commented_from).toEqual(expect.any(Number));
  });

  it("exports the current filter as CSV and says where the file went", async () => {
    const { backend } = setup();
    await firstRows();
    await fireEvent.click(screen.getByTestId("filter-rating-5"));
    await fireEvent.click(screen.getByTestId("export-csv"));
    await waitFor(() => expect(screen.getByText(/Exported .* reviews to \/home\/merchant\/Downloads\//)).toBeInTheDocument());
    const arg = backend.args.find((a) => a.command === COMMANDS.exportCsv)?.arg as { filter: { ratings: number[] } };
    expect(arg.filter.ratings).toEqual([5]);
  });
});

describe("keyboard triage", () => {
  it("moves with j/k and opens the review in the detail pane", async () => {
    setup();
    await firstRows();
    await waitFor(() => expect(row(0)).toHaveAttribute("aria-selected", "true"));
    key("j");
    key("j");
    key("k");
    await waitFor(() => expect(row(1)).toHaveAttribute("aria-selected", "true"));
    expect(row(0)).toHaveAttribute("aria-selected", "false");
    const id = row(1).dataset.reviewId;
    // The pane follows once the selection settles: the first row's detail may still be there.
    await waitFor(() => expect(screen.getByText(id ?? "missing")).toBeInTheDocument());
    await waitFor(() => expect(screen.getByTestId("audit-list")).toBeInTheDocument());
    expect(screen.getByTestId("detail-content").textContent?.length).toBeGreaterThan(10);
  });

  it("pages through the list with PageDown / PageUp and jumps with Home / End, scrolling the selection into view", async () => {
    setup();
    await firstRows();
    await waitFor(() => expect(row(0)).toHaveAttribute("aria-selected", "true"));
    await waitFor(() => expect(screen.getByTestId("review-total")).toHaveTextContent("400 reviews"));
    // 640 px of list, 88 px rows: 7 whole rows a page.
    const selectedIndex = () => rows().find((r) => r.getAttribute("aria-selected") === "true")?.dataset.index;
    for (let page = 1; page <= 6; page++) {
      key("PageDown");
      await waitFor(() => expect(selectedIndex()).toBe(String(7 * page)));
    }
    // Row 0 scrolled away (the list shows rows around 42, not the first screen).
    expect(rows().some((r) => r.dataset.index === "0")).toBe(false);
    key("PageUp");
    await waitFor(() => expect(selectedIndex()).toBe("35"));
    key("End");
    await waitFor(() => expect(selectedIndex()).toBe("399"));
    key("PageDown");
    await waitFor(() => expect(selectedIndex()).toBe("399"));
    key("Home");
    await waitFor(() => expect(selectedIndex()).toBe("0"));
    expect(rows().some((r) => r.dataset.index === "399")).toBe(false);
    key("?");
    const help = await screen.findByRole("dialog");
    for (const k of ["PgDn", "PgUp", "Home", "End"]) expect(within(help).getByText(k)).toBeInTheDocument();
  });

  it("moves the highlight at once while j is held, and the detail pane follows once the key rests (fake clock)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const { backend } = setup();
      await vi.advanceTimersByTimeAsync(200);
      expect(row(0)).toHaveAttribute("aria-selected", "true");
      const paneShows = () => screen.getByTestId("review-id-label").nextElementSibling?.textContent;
      expect(paneShows()).toBe(row(0).dataset.reviewId);
      await vi.advanceTimersByTimeAsync(1000);
      const loads = backend.calls[COMMANDS.getReviewDetail];

      // The press, the keyboard's repeat delay, then a repeat every 33 ms.
      key("j");
      await vi.advanceTimersByTimeAsync(500);
      const second = row(1).dataset.reviewId;
      expect(paneShows()).toBe(second);
      for (let i = 2; i <= 16; i++) {
        void fireEvent.keyDown(window, { key: "j", repeat: true });
        await vi.advanceTimersByTimeAsync(0);
        // The highlight is on the new row at once…
        expect(row(i)).toHaveAttribute("aria-selected", "true");
        expect(row(i - 1)).toHaveAttribute("aria-selected", "false");
        await vi.advanceTimersByTimeAsync(33);
        // …and the pane stays on the review it shows, without loading each row on the way.
        expect(paneShows()).toBe(second);
      }
      expect(backend.calls[COMMANDS.getReviewDetail]).toBe(loads + 1);

      // The key is released: the pane shows the selected review and loads its detail, once.
      await vi.advanceTimersByTimeAsync(120);
      expect(paneShows()).toBe(row(16).dataset.reviewId);
      expect(screen.getByTestId("audit-list")).toBeInTheDocument();
      expect(backend.calls[COMMANDS.getReviewDetail]).toBe(loads + 2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("marks reviewed with r and flags with f, locally and in the store", async () => {
    const { backend } = setup();
    await firstRows();
    await waitFor(() => expect(row(0)).toHaveAttribute("aria-selected", "true"));
    const id = row(0).dataset.reviewId ?? "";
    key("f");
    await waitFor(() => expect(row(0).dataset.triage).toBe("flagged"));
    expect(backend.reviews.storedRow(id)?.triage).toBe("flagged");
    key("r");
    await waitFor(() => expect(row(0).dataset.triage).toBe("reviewed"));
    expect(backend.reviews.storedRow(id)?.triage).toBe("reviewed");
  });

  it("selects with x, shows the bulk bar and acts on every selected review", async () => {
    const { backend } = setup();
    await firstRows();
    await waitFor(() => expect(row(0)).toHaveAttribute("aria-selected", "true"));
    key("x");
    key("j");
    key("x");
    await waitFor(() => expect(screen.getByTestId("bulk-count")).toHaveTextContent("2 selected"));
    const ids = [row(0).dataset.reviewId ?? "", row(1).dataset.reviewId ?? ""];
    await fireEvent.click(screen.getByTestId("bulk-flag"));
    await waitFor(() => expect(backend.reviews.storedRow(ids[1] ?? "")?.triage).toBe("flagged"));
    expect(backend.reviews.storedRow(ids[0] ?? "")?.triage).toBe("flagged");
    key("Escape");
    await waitFor(() => expect(screen.queryByTestId("bulk-bar")).not.toBeInTheDocument());
  });

  it("asks before deleting with d, then removes the review and keeps it under Deleted", async () => {
    const { backend } = setup();
    await firstRows();
    await waitFor(() => expect(row(0)).toHaveAttribute("aria-selected", "true"));
    await waitFor(() => expect(screen.getByTestId("review-total")).toHaveTextContent("400 reviews"));
    const id = row(0).dataset.reviewId ?? "";
    key("d");
    const dialog = await screen.findByTestId("confirm-dialog");
    expect(dialog).toHaveTextContent("Delete this review?");
    expect(backend.calls[COMMANDS.deleteReviews]).toBe(0);
    await fireEvent.click(screen.getByTestId("confirm-delete"));
    await waitFor(() => expect(screen.queryByTestId("confirm-dialog")).not.toBeInTheDocument());
    await waitFor(() => expect(rows().some((r) => r.dataset.reviewId === id)).toBe(false));
    expect(screen.getByTestId("review-total")).toHaveTextContent("399 reviews");
    expect(backend.reviews.storedRow(id)?.deleted_at).not.toBeNull();
    expect(screen.getByText("Review deleted.")).toBeInTheDocument();

    await fireEvent.click(screen.getByTestId("nav-deleted"));
    await waitFor(() => expect(rows().map((r) => r.dataset.reviewId)).toEqual([id]));
  });

  it("names the count when deleting several, and Cancel deletes nothing", async () => {
    const { backend } = setup();
    await firstRows();
    await waitFor(() => expect(row(0)).toHaveAttribute("aria-selected", "true"));
    key("x");
    key("j");
    key("x");
    key("j");
    key("x");
    key("d");
    expect(await screen.findByTestId("confirm-dialog")).toHaveTextContent("Delete 3 reviews?");
    expect(screen.getByTestId("confirm-delete")).toHaveTextContent("Delete 3 reviews");
    await fireEvent.click(screen.getByTestId("cancel"));
    expect(backend.calls[COMMANDS.deleteReviews]).toBe(0);
    expect(screen.getByTestId("bulk-count")).toHaveTextContent("3 selected");
  });

  it("excludes the author with e", async () => {
    const { backend } = setup();
    await firstRows();
    await waitFor(() => expect(row(0)).toHaveAttribute("aria-selected", "true"));
    const before = backend.reviews.exclusions.length;
    key("e");
    await waitFor(() => expect(backend.reviews.exclusions.length).toBe(before + 1));
    expect(await screen.findByText(/won't get review requests any more/)).toBeInTheDocument();
  });

  it("focuses the search with / and shows the shortcuts with ?", async () => {
    setup();
    await firstRows();
    key("/");
    expect(screen.getByTestId("search")).toHaveFocus();
    // Typing in the search box is not a shortcut.
    await fireEvent.keyDown(screen.getByTestId("search"), { key: "d" });
    expect(screen.queryByTestId("confirm-dialog")).not.toBeInTheDocument();
    (screen.getByTestId("search") as HTMLInputElement).blur();
    key("?");
    const help = await screen.findByRole("dialog");
    for (const k of ["j", "k", "x", "r", "f", "d", "e", "/"]) expect(within(help).getAllByText(k).length).toBeGreaterThan(0);
  });
});

describe("offline and errors", () => {
  it("queues a delete while offline, shows it pending, and sends it once back online", async () => {
    const { backend } = setup({ offline: true });
    await firstRows();
    expect(await screen.findByTestId("offline-banner")).toHaveTextContent(/Offline/);
    await waitFor(() => expect(row(0)).toHaveAttribute("aria-selected", "true"));
    const id = row(0).dataset.reviewId ?? "";
    key("d");
    await fireEvent.click(await screen.findByTestId("confirm-delete"));
    await waitFor(() => expect(within(row(0)).getByTestId("row-pending")).toBeInTheDocument());
    expect(screen.getByTestId("pending-actions")).toHaveTextContent("1 action waiting to be sent");
    expect(backend.reviews.storedRow(id)?.deleted_at).toBeNull();
    expect(await screen.findByTestId("detail-pending")).toBeInTheDocument();

    backend.reviews.setOffline(false);
    await waitFor(() => expect(rows().some((r) => r.dataset.reviewId === id)).toBe(false));
    expect(screen.queryByTestId("pending-actions")).not.toBeInTheDocument();
    expect(screen.queryByTestId("offline-banner")).not.toBeInTheDocument();
    expect(backend.reviews.storedRow(id)?.deleted_at).not.toBeNull();
  });

  it("says Trustoo is having trouble on server errors, without the offline banner", async () => {
    const { backend } = setup();
    await firstRows();
    const idle = { phase: "idle", fetched: 0, total: null, new_count: 0, last_synced_at: null, message: null } as const;
    backend.reviews.emitSyncProgress({ ...idle, phase: "server_trouble", message: "Trustoo is having trouble (error 500), retrying." });
    expect(await screen.findByTestId("sync-trouble")).toHaveTextContent("Trustoo is having trouble (error 500), retrying.");
    expect(screen.queryByTestId("offline-banner")).not.toBeInTheDocument();
    expect(screen.queryByTestId("sync-failed")).not.toBeInTheDocument();
    // A connection that fails is offline: the banner, and no trouble line.
    backend.reviews.emitSyncProgress({ ...idle, phase: "offline", message: "Trustoo cannot be reached; showing the reviews saved on this computer." });
    expect(await screen.findByTestId("offline-banner")).toBeInTheDocument();
    expect(screen.queryByTestId("sync-trouble")).not.toBeInTheDocument();
  });

  it("reports a review that was already deleted as a conflict, not as done", async () => {
    const { backend } = setup();
    await firstRows();
    await waitFor(() => expect(row(0)).toHaveAttribute("aria-selected", "true"));
    const id = row(0).dataset.reviewId ?? "";
    backend.reviews.forceOutcome("conflict", "Trustoo no longer has this review.");
    key("d");
    await fireEvent.click(await screen.findByTestId("confirm-delete"));
    expect(await screen.findByText("Trustoo no longer has this review.")).toBeInTheDocument();
    expect(rows().some((r) => r.dataset.reviewId === id)).toBe(true);
  });

  it("shows a calm error with Retry when the store can't be read (e.g. an older back end)", async () => {
    const backend = new FixtureBackend({ reviews: 50, latencyMs: 0 });
    backend.failWith(COMMANDS.queryReviews, { code: "INTERNAL", message: "Command query_reviews not found", retry_after_s: null });
    render(WorkspaceHarness, { backend });
    expect(await screen.findByTestId("error-message")).toHaveTextContent("Command query_reviews not found");
    expect(screen.getByTestId("rating-average")).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("retry-button"));
    await firstRows();
  });

  it("offers Retry in 30 s when Trustoo rate-limits a delete", async () => {
    const { backend } = setup();
    await firstRows();
    await waitFor(() => expect(row(0)).toHaveAttribute("aria-selected", "true"));
    backend.failWith(COMMANDS.deleteReviews, { code: "RATE_LIMITED", message: "Trustoo is receiving too many requests.", retry_after_s: 30 });
    key("d");
    await fireEvent.click(await screen.findByTestId("confirm-delete"));
    const toast = await screen.findByRole("alert");
    expect(toast).toHaveTextContent("Trustoo is receiving too many requests.");
    expect(within(toast).getByTestId("toast-action")).toHaveTextContent(/30/);
  });

  it("says what to do when nothing is synced yet", async () => {
    setup({ reviews: 0 });
    const empty = await screen.findByTestId("inbox-empty");
    expect(empty).toHaveTextContent("No reviews yet");
    expect(within(empty).getByRole("button", { name: "Sync now" })).toBeInTheDocument();
  });

  it("says so when nothing was deleted", async () => {
    setup({}, "deleted");
    expect(await screen.findByTestId("no-deleted")).toHaveTextContent("Nothing deleted.");
  });
});

describe("sync and new reviews", () => {
  it("shows the sync's progress with counts, then the new reviews behind a badge", async () => {
    const { backend } = setup();
    await firstRows();
    backend.reviews.emitSyncProgress({ phase: "fetching", fetched: 1200, total: 5000, new_count: 0, last_synced_at: null, message: null });
    expect(await screen.findByTestId("sync-progress")).toHaveTextContent("Syncing 1,200 / 5,000");
    expect(screen.getByTestId("sync-now")).toBeDisabled();

    backend.reviews.addNewReviews(3);
    const badge = await screen.findByTestId("new-badge");
    expect(badge).toHaveTextContent("3 new");
    await fireEvent.click(badge);
    await waitFor(() => expect(screen.getByTestId("review-total")).toHaveTextContent("3 reviews from the last sync"));
    expect(rows()).toHaveLength(3);
    expect(rows().some((r) => r.dataset.rating === "1")).toBe(true);
    expect(screen.queryByTestId("new-badge")).not.toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("show-all"));
    await waitFor(() => expect(screen.getByTestId("review-total")).toHaveTextContent("403 reviews"));
  });

  it("runs a sync with Sync now and reloads the list when it is done", async () => {
    const { backend } = setup();
    await firstRows();
    await fireEvent.click(screen.getByTestId("sync-now"));
    expect(backend.calls[COMMANDS.syncNow]).toBe(1);
    // One toast for the new reviews (with "Show"), not a second "Synced" one.
    expect(await screen.findByText("3 new reviews (1 one-star).")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("review-total")).toHaveTextContent("403 reviews"));
    expect(screen.queryAllByTestId("toast").filter((t) => /^Synced/.test(t.textContent?.trim() ?? ""))).toEqual([]);
  });
});

describe("offline with nothing saved", () => {
  it("says to connect and sync", async () => {
    setup({ reviews: 0, offline: true });
    const empty = await screen.findByTestId("inbox-offline-empty");
    expect(empty).toHaveTextContent("You're offline");
    expect(empty).toHaveTextContent("Connect to the internet");
  });
});
