import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { COMMANDS } from "../ipc/backend";
import { FixtureBackend, FIXTURE_SESSION, FIXTURE_UNIT_SESSION } from "../ipc/fixture";
import type { AccountKey, ReviewFilter } from "../ipc";
import WorkspaceHarness from "./WorkspaceHarness.svelte";
import { accountLabels } from "./accounts";

const SHOP: AccountKey = { provider: "trustoo", id: FIXTURE_SESSION.domain };
const UNIT: AccountKey = { provider: "trustpilot", id: FIXTURE_UNIT_SESSION.domain };
const UNIT_NAME = "Aurora Outfitters (Trustpilot)";

/** The switcher's entries with `onScreen` the account on screen. */
function labels(onScreen: AccountKey) {
  return accountLabels([
    { session: FIXTURE_SESSION, signed_in: true, active: onScreen === SHOP, problem: null },
    { session: { ...FIXTURE_UNIT_SESSION, shop_name: UNIT_NAME }, signed_in: true, active: onScreen === UNIT, problem: null },
  ]);
}

function setup(onScreen: AccountKey = SHOP) {
  // Few shop reviews, so the unit's 120 are among the first rows too.
  const backend = new FixtureBackend({ reviews: 60, latencyMs: 0, syncStepMs: 5 });
  const opened: AccountKey[] = [];
  render(WorkspaceHarness, { backend, allAccounts: labels(onScreen), opened });
  return { backend, opened };
}

/** The filter of the last `query_all_reviews`. */
function lastFilter(backend: FixtureBackend): ReviewFilter | undefined {
  const asked = backend.wire.args.filter((a) => a.command === COMMANDS.queryAllReviews).at(-1);
  return (asked?.arg as { query: { filter: ReviewFilter } } | undefined)?.query.filter;
}

function rows(): HTMLElement[] {
  return screen.queryAllByTestId("review-row");
}

function providers(): string[] {
  return rows().map((r) => within(r).getByTestId("row-account").dataset.provider ?? "");
}

describe("All accounts view", () => {
  it("lists both providers' reviews side by side, each with its account", async () => {
    setup();
    await waitFor(() => expect(new Set(providers())).toEqual(new Set(["trustoo", "trustpilot"])));
    const unitRow = rows().find((r) => within(r).getByTestId("row-account").dataset.provider === "trustpilot");
    expect(within(unitRow as HTMLElement).getByTestId("row-account")).toHaveTextContent("Trustpilot");
    await waitFor(() => expect(screen.getByTestId("review-total")).toHaveTextContent("180 reviews"));
  });

  it("filters by account and counts each account's matches", async () => {
    const { backend } = setup();
    await waitFor(() => expect(screen.getAllByTestId("account-chip")).toHaveLength(2));
    const [shopChip, unitChip] = screen.getAllByTestId("account-chip");
    await waitFor(() => expect(unitChip).toHaveTextContent("120"));
    expect(shopChip).toHaveTextContent("60");
    await fireEvent.click(unitChip as HTMLElement);
    await waitFor(() => {
      const asked = backend.wire.args.filter((a) => a.command === COMMANDS.queryAllReviews).at(-1);
      expect((asked?.arg as { accounts: AccountKey[] | null }).accounts).toEqual([SHOP]);
    }, { timeout: 3000 });
    await waitFor(() => expect(new Set(providers())).toEqual(new Set(["trustoo"])));
  });

  it("triage of a Trustpilot row is sent with its account", async () => {
    const { backend } = setup();
    await waitFor(() => expect(providers()[0]).toBeDefined());
    const index = providers().indexOf("trustpilot");
    expect(index).toBeGreaterThanOrEqual(0);
    await fireEvent.click(rows()[index] as HTMLElement);
    await fireEvent.keyDown(window, { key: "f" });
    await waitFor(() => {
      const sent = backend.wire.args.filter((a) => a.command === COMMANDS.setTriage).at(-1);
      expect((sent?.arg as { account: AccountKey | null }).account).toEqual(UNIT);
    });
  });

  it("the detail pane reads a Trustpilot row from its own account and shows its Trustpilot facts", async () => {
    const { backend } = setup();
    const detail = vi.spyOn(backend.reviews, "getReviewDetail");
    await waitFor(() => expect(providers()).toContain("trustpilot"));
    const row = rows()[providers().indexOf("trustpilot")] as HTMLElement;
    await fireEvent.click(row);
    await waitFor(() => expect(detail).toHaveBeenLastCalledWith(expect.any(String), UNIT));
    await waitFor(() => expect(screen.getByTestId("detail-title")).toBeInTheDocument());
    // Trustpilot cannot delete: no button. It answers and tags here, through the unit's own
    // sign-in, though the Trustoo shop is on screen.
    const pane = screen.getByTestId("review-detail");
    expect(within(pane).queryByTestId("delete")).toBeNull();
    expect(within(pane).queryByTestId("actions-elsewhere")).toBeNull();
    const post = vi.spyOn(backend.reviews, "postReply");
    await fireEvent.click(within(pane).getByTestId("reply-open"));
    const text = (await screen.findByTestId("reply-text")) as HTMLTextAreaElement;
    await fireEvent.input(text, { target: { value: "Thank you for the kind words." } });
    await fireEvent.keyDown(text, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(post).toHaveBeenCalledWith(row.dataset.reviewId, "Thank you for the kind words.", UNIT, null));
    const tag = vi.spyOn(backend.reviews, "addTag");
    await fireEvent.keyDown(window, { key: "t" });
    const input = await screen.findByTestId("tag-input");
    await fireEvent.input(input, { target: { value: "Praise" } });
    await fireEvent.keyDown(input, { key: "Enter" });
    await waitFor(() => expect(tag).toHaveBeenCalledWith([row.dataset.reviewId], { group: "generic", value: "Praise" }, UNIT));
  });

  it("a row of a Trustoo shop not on screen offers no delete and says where to do it", async () => {
    const { backend, opened } = setup(UNIT);
    await waitFor(() => expect(providers()).toContain("trustoo"));
    await fireEvent.click(rows()[providers().indexOf("trustoo")] as HTMLElement);
    const pane = screen.getByTestId("review-detail");
    await waitFor(() => expect(within(pane).getByTestId("actions-elsewhere")).toHaveTextContent(FIXTURE_SESSION.shop_name));
    expect(within(pane).queryByTestId("delete")).toBeNull();
    expect(within(pane).queryByTestId("exclude-author")).toBeNull();
    // The key does nothing to it either: no dialog, nothing sent.
    await fireEvent.keyDown(window, { key: "d" });
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(backend.wire.args.some((a) => a.command === COMMANDS.deleteReviews)).toBe(false);
    await fireEvent.click(within(pane).getByTestId("open-account"));
    expect(opened).toEqual([SHOP]);
  });

  it("checked rows of another account are not deleted with the ones on screen", async () => {
    const { backend } = setup(SHOP);
    await waitFor(() => expect(new Set(providers())).toEqual(new Set(["trustoo", "trustpilot"])));
    await fireEvent.click(rows()[providers().indexOf("trustpilot")] as HTMLElement);
    await fireEvent.keyDown(window, { key: "x" });
    await fireEvent.click(rows()[providers().indexOf("trustoo")] as HTMLElement);
    await fireEvent.keyDown(window, { key: "x" });
    await fireEvent.keyDown(window, { key: "d" });
    expect(screen.queryByRole("alertdialog")).toBeNull();
    await waitFor(() => expect(document.body).toHaveTextContent("does not let a business delete reviews"));
    expect(backend.wire.args.some((a) => a.command === COMMANDS.deleteReviews)).toBe(false);
  });

  it("language, reply and report filters are offered from the accounts' providers and narrow the list", async () => {
    const { backend } = setup();
    const language = (await screen.findByTestId("filter-language")) as HTMLSelectElement;
    await waitFor(() => expect(language.options.length).toBeGreaterThan(1));
    const danish = [...language.options].find((o) => o.value === "da");
    expect(danish?.textContent).toMatch(/\(\d+\)/);
    await fireEvent.change(language, { target: { value: "da" } });
    await waitFor(() => expect(lastFilter(backend)?.language).toBe("da"));
    await waitFor(() => expect(new Set(providers())).toEqual(new Set(["trustpilot"])));

    await fireEvent.change(screen.getByTestId("filter-replied"), { target: { value: "awaiting" } });
    await waitFor(() => expect(lastFilter(backend)?.replied).toBe(false));
    await fireEvent.change(screen.getByTestId("filter-reported"), { target: { value: "reported" } });
    await waitFor(() => expect(lastFilter(backend)?.reported).toBe(true));
    await waitFor(() => expect(screen.getByTestId("review-total")).toHaveTextContent(/review/));
    // The tags of the synced reviews, and a tag narrows to the reviews carrying it.
    await fireEvent.click(screen.getByTestId("clear-filters"));
    const tag = screen.getByTestId("filter-tag") as HTMLSelectElement;
    const delivery = [...tag.options].find((o) => o.textContent?.startsWith("Delivery ("));
    expect(delivery).toBeDefined();
    await fireEvent.change(tag, { target: { value: delivery?.value } });
    await waitFor(() => expect(lastFilter(backend)?.tag).toEqual({ group: "generic", value: "Delivery" }));
    const count = Number(/\((\d+)\)/.exec(delivery?.textContent ?? "")?.[1]);
    await waitFor(() => expect(screen.getByTestId("review-total")).toHaveTextContent(`${count} review`));
    await fireEvent.click(screen.getByTestId("clear-filters"));
    await waitFor(() => expect(lastFilter(backend)?.language).toBeUndefined());
    expect(lastFilter(backend)?.replied).toBeUndefined();
  });
  it("Awaiting reply lists the unanswered reviews of the accounts that answer, even with a Trustoo shop on screen", async () => {
    const { backend } = setup(SHOP);
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    await fireEvent.click(await screen.findByTestId("nav-awaiting"));
    await waitFor(() => expect(providers().length).toBeGreaterThan(0));
    await waitFor(() => expect(new Set(providers())).toEqual(new Set(["trustpilot"])));
    const asked = backend.wire.args.filter((a) => a.command === COMMANDS.queryAllReviews).at(-1);
    expect((asked?.arg as { accounts: AccountKey[] | null }).accounts).toEqual([UNIT]);
    expect(lastFilter(backend)?.replied).toBe(false);
    // One chip, the unit's: the shop has nothing to answer.
    expect(screen.getAllByTestId("account-chip").map((c) => c.dataset.provider)).toEqual(["trustpilot"]);
  });
});
