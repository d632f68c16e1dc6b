import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { COMMANDS } from "../ipc/backend";
import { FixtureBackend, FIXTURE_SESSION, FIXTURE_UNIT_SESSION } from "../ipc/fixture";
import type { ReplyWarning } from "../ipc";
import WorkspaceHarness from "./WorkspaceHarness.svelte";
import { renderUnitOnScreen, UNIT_ACCOUNT, UNIT_NAME } from "./harness";

/** The All accounts view with the Trustpilot unit on screen. */
function setup() {
  return renderUnitOnScreen();
}

function rows(): HTMLElement[] {
  return screen.queryAllByTestId("review-row");
}

/** Selects the first Trustpilot row (without a reply when `unanswered`); answers its index. */
async function selectTrustpilotRow(): Promise<number> {
  await waitFor(() => expect(rows().length).toBeGreaterThan(0));
  const index = rows().findIndex((r) => within(r).queryByTestId("row-account")?.dataset.provider === "trustpilot");
  expect(index).toBeGreaterThanOrEqual(0);
  await fireEvent.click(rows()[index] as HTMLElement);
  return index;
}

const ADVICE: ReplyWarning = {
  rule: "incentive",
  message: "Offering something in a public reply reads as an incentive.",
  excerpt: "voucher",
  blocking: false,
};

beforeEach(() => localStorage.clear());

describe("answering a review", () => {
  it("a opens the editor on a template with the reviewer's name; a warning asks before posting; the reply shows", async () => {
    const backend = setup();
    vi.spyOn(backend.reviews, "checkReply").mockImplementation(async (text) => (/voucher/i.test(text) ? [ADVICE] : []));
    const post = vi.spyOn(backend.reviews, "postReply");
    await selectTrustpilotRow();
    await fireEvent.keyDown(window, { key: "a" });
    const text = (await screen.findByTestId("reply-text")) as HTMLTextAreaElement;
    const author = screen.getByTestId("review-detail").querySelector(".author")?.textContent?.trim() ?? "";
    const first = author.split(/\s+/)[0] ?? "";
    expect(text.value).toContain(first.charAt(0).toUpperCase() + first.slice(1).toLowerCase());
    expect(screen.getByTestId("reply-preview")).toHaveTextContent(`Reply from ${UNIT_NAME}`);

    await fireEvent.input(text, { target: { value: "Thanks! Here is a voucher for next time." } });
    await waitFor(() => expect(screen.getByTestId("reply-warnings")).toHaveTextContent("incentive"));
    expect(screen.getByTestId("reply-post")).toHaveTextContent("Post anyway");
    await fireEvent.input(text, { target: { value: "Thank you, we are glad it arrived quickly." } });
    await waitFor(() => expect(screen.queryByTestId("reply-warnings")).toBeNull());
    await fireEvent.keyDown(text, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(post).toHaveBeenCalledWith(expect.any(String), "Thank you, we are glad it arrived quickly.", UNIT_ACCOUNT, null));
    await waitFor(() => expect(screen.queryByTestId("reply-editor")).toBeNull());
    await waitFor(() => expect(screen.getByTestId("review-reply")).toHaveTextContent("we are glad it arrived quickly"));
  });

  it("an empty reply cannot be posted, and Escape closes the editor keeping the draft", async () => {
    setup();
    await selectTrustpilotRow();
    await fireEvent.click(await screen.findByTestId("reply-open"));
    const text = (await screen.findByTestId("reply-text")) as HTMLTextAreaElement;
    await fireEvent.input(text, { target: { value: "   " } });
    await waitFor(() => expect(screen.getByTestId("reply-warnings")).toHaveTextContent("Write the reply first."));
    expect(screen.getByTestId("reply-post")).toBeDisabled();
    await fireEvent.input(text, { target: { value: "Half a thought" } });
    await fireEvent.keyDown(text, { key: "Escape" });
    expect(screen.queryByTestId("reply-editor")).toBeNull();
    // The list did not take Escape too (nothing else closed).
    expect(screen.getByTestId("review-detail")).toBeInTheDocument();
    await fireEvent.keyDown(window, { key: "a" });
    const again = (await screen.findByTestId("reply-text")) as HTMLTextAreaElement;
    await waitFor(() => expect(again.value).toBe("Half a thought"));
  });

  it("the draft is kept in the store as the merchant types and comes back in a new window", async () => {
    const backend = setup();
    const index = await selectTrustpilotRow();
    const id = rows()[index]?.dataset.reviewId ?? "";
    await fireEvent.keyDown(window, { key: "a" });
    const text = (await screen.findByTestId("reply-text")) as HTMLTextAreaElement;
    await fireEvent.input(text, { target: { value: "Sorry about the parcel, Ana" } });
    await waitFor(() => expect(backend.reviews.replyDrafts.get(id)).toBe("Sorry about the parcel, Ana"));
    // The window goes (a crash, a restart): a new one on the same store finds the draft.
    cleanup();
    renderUnitOnScreen(backend);
    await waitFor(() => expect(rows().length).toBeGreaterThan(index));
    await fireEvent.click(rows()[index] as HTMLElement);
    await fireEvent.keyDown(window, { key: "a" });
    const again = (await screen.findByTestId("reply-text")) as HTMLTextAreaElement;
    await waitFor(() => expect(again.value).toBe("Sorry about the parcel, Ana"));
  });

  it("a draft an earlier version kept in the webview's storage moves to the store", async () => {
    const backend = setup();
    const index = await selectTrustpilotRow();
    const row = rows()[index];
    const id = row?.dataset.reviewId ?? "";
    const key = `reviewdesk.reply-draft.trustpilot.${FIXTURE_UNIT_SESSION.domain}.${id}`;
    localStorage.setItem(key, "Written before the update");
    await fireEvent.keyDown(window, { key: "a" });
    const text = (await screen.findByTestId("reply-text")) as HTMLTextAreaElement;
    await waitFor(() => expect(text.value).toBe("Written before the update"));
    await waitFor(() => expect(backend.reviews.replyDrafts.get(id)).toBe("Written before the update"));
    expect(localStorage.getItem(key)).toBeNull();
  });

  it("editing a reply asks once, then takes the old one down before posting the new one", async () => {
    const backend = setup();
    await selectTrustpilotRow();
    // It has a reply first (posted from here).
    await fireEvent.keyDown(window, { key: "a" });
    const first = (await screen.findByTestId("reply-text")) as HTMLTextAreaElement;
    await fireEvent.input(first, { target: { value: "Thanks!" } });
    await fireEvent.keyDown(first, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(screen.getByTestId("review-reply")).toHaveTextContent("Thanks!"));

    const calls: string[] = [];
    vi.spyOn(backend.reviews, "deleteReply").mockImplementation(async (id) => {
      calls.push(`delete ${id}`);
      return { id, status: "done", message: "Taken down." };
    });
    vi.spyOn(backend.reviews, "postReply").mockImplementation(async (id, message) => {
      calls.push(`post ${id} ${message}`);
      return { id, status: "done", message: "Posted." };
    });
    await fireEvent.click(screen.getByTestId("reply-edit"));
    const text = (await screen.findByTestId("reply-text")) as HTMLTextAreaElement;
    expect(text.value).toBe("Thanks!");
    await fireEvent.input(text, { target: { value: "Thank you, see you next winter." } });
    await fireEvent.click(screen.getByTestId("reply-post"));
    expect(screen.getByTestId("reply-confirm-replace")).toHaveTextContent("The old text stays");
    expect(calls).toEqual([]);
    await fireEvent.click(screen.getByTestId("reply-post"));
    await waitFor(() => expect(calls).toHaveLength(2));
    const id = calls[0]?.replace("delete ", "");
    expect(calls).toEqual([`delete ${id}`, `post ${id} Thank you, see you next winter.`]);
  });

  it("a Trustoo shop offers no reply, and no a key", async () => {
    const backend = new FixtureBackend({ reviews: 10, latencyMs: 0 });
    render(WorkspaceHarness, { backend, session: FIXTURE_SESSION });
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    await fireEvent.click(rows()[0] as HTMLElement);
    await fireEvent.keyDown(window, { key: "a" });
    expect(screen.queryByTestId("reply-editor")).toBeNull();
    expect(screen.queryByTestId("reply-open")).toBeNull();
    expect(backend.wire.args.some((a) => a.command === COMMANDS.postReply)).toBe(false);
  });

  it("the merchant adds a template with variables, and the editor offers and fills it", async () => {
    const backend = setup();
    const saved = vi.spyOn(backend.reviews, "saveReplyTemplate");
    await selectTrustpilotRow();
    await fireEvent.keyDown(window, { key: "a" });
    await screen.findByTestId("reply-text");
    await fireEvent.click(screen.getByTestId("reply-manage-templates"));
    const manager = await screen.findByTestId("templates-manager");
    expect(within(manager).getAllByTestId("template-item")).toHaveLength(3);
    await fireEvent.click(within(manager).getByTestId("template-new"));
    await fireEvent.input(within(manager).getByTestId("template-name"), { target: { value: "Late parcel" } });
    await fireEvent.click(within(manager).getByTestId("template-star-2"));
    await fireEvent.input(within(manager).getByTestId("template-body"), {
      target: { value: "Sorry, {first_name}: the parcel from {shop_name} was late." },
    });
    await fireEvent.click(within(manager).getByTestId("template-save"));
    await waitFor(() => expect(within(manager).getAllByTestId("template-item")).toHaveLength(4));
    expect(saved).toHaveBeenCalledWith(expect.objectContaining({ name: "Late parcel", stars: [2] }));
    await fireEvent.click(within(manager).getByTestId("templates-close"));
    await waitFor(() => expect(screen.queryByTestId("templates-manager")).toBeNull());

    const picker = screen.getByTestId("reply-template") as HTMLSelectElement;
    await waitFor(() => expect([...picker.options].map((o) => o.textContent)).toContain("Late parcel"));
    const late = [...picker.options].find((o) => o.textContent === "Late parcel");
    await fireEvent.change(picker, { target: { value: late?.value } });
    const text = screen.getByTestId("reply-text") as HTMLTextAreaElement;
    expect(text.value).toMatch(new RegExp(`^Sorry, \\S+: the parcel from ${UNIT_NAME.replace(/[()]/g, "\\$&")} was late\\.$`));
  });

  it("a template without a text is refused in Rust's words and nothing is added", async () => {
    const backend = setup();
    await selectTrustpilotRow();
    await fireEvent.keyDown(window, { key: "a" });
    await fireEvent.click(await screen.findByTestId("reply-manage-templates"));
    const manager = await screen.findByTestId("templates-manager");
    await fireEvent.click(within(manager).getByTestId("template-new"));
    await fireEvent.input(within(manager).getByTestId("template-name"), { target: { value: "Empty" } });
    await fireEvent.click(within(manager).getByTestId("template-save"));
    expect(await within(manager).findByTestId("template-error")).toHaveTextContent("A template needs a name and a text.");
    expect(within(manager).getAllByTestId("template-item")).toHaveLength(3);
    expect((await backend.reviews.listReplyTemplates()).length).toBe(3);
  });

  it("Awaiting reply lists the unanswered reviews oldest first, and Clear filters keeps it so", async () => {
    const backend = new FixtureBackend({ reviews: 30, latencyMs: 0 });
    render(WorkspaceHarness, { backend, session: FIXTURE_UNIT_SESSION });
    await fireEvent.click(await screen.findByTestId("nav-awaiting"));
    await waitFor(() => {
      const last = backend.reviews.queries.at(-1);
      expect(last?.filter.replied).toBe(false);
      expect(last?.sort).toBe("oldest");
    });
    expect(screen.queryByTestId("clear-filters")).toBeNull();
    await fireEvent.click(screen.getByTestId("filter-rating-1"));
    await fireEvent.click(await screen.findByTestId("clear-filters"));
    await waitFor(() => {
      const last = backend.reviews.queries.at(-1);
      expect(last?.filter.ratings).toEqual([]);
      expect(last?.filter.replied).toBe(false);
    });
  });

  it("in Awaiting reply, an answered review leaves the list and the next one is selected", async () => {
    const backend = new FixtureBackend({ reviews: 30, latencyMs: 0 });
    render(WorkspaceHarness, { backend, session: FIXTURE_UNIT_SESSION, initialPage: "awaiting" });
    await waitFor(() => expect(rows().length).toBeGreaterThan(2));
    const before = rows().map((r) => r.dataset.reviewId);
    await fireEvent.click(rows()[0] as HTMLElement);
    await fireEvent.keyDown(window, { key: "a" });
    const text = (await screen.findByTestId("reply-text")) as HTMLTextAreaElement;
    await fireEvent.input(text, { target: { value: "Thank you for telling us." } });
    await fireEvent.keyDown(text, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(rows()[0]?.dataset.reviewId).toBe(before[1]));
    expect(rows().map((r) => r.dataset.reviewId)).not.toContain(before[0]);
    await waitFor(() => expect(rows()[0]).toHaveAttribute("aria-selected", "true"));
  });

  it("a Trustoo shop has no Awaiting reply view", async () => {
    render(WorkspaceHarness, { backend: new FixtureBackend({ reviews: 5, latencyMs: 0 }), session: FIXTURE_SESSION });
    await screen.findByTestId("nav-inbox");
    expect(screen.queryByTestId("nav-awaiting")).toBeNull();
  });

  it("with reviews checked, a answers each with one template, personalised, one by one", async () => {
    const backend = setup();
    const post = vi.spyOn(backend.reviews, "postReply");
    await waitFor(() => expect(rows().length).toBeGreaterThan(3));
    const page = await backend.reviews.queryAllReviews(
      {
        filter: { ratings: [], product_id: null, source: null, has_image: null, has_video: null, verified: null, commented_from: null, commented_to: null, triage: null, view: "active", keyword: null, replied: false },
        sort: "newest",
        limit: 1000,
        offset: 0,
        after: null,
        count_limit: 0,
      },
      null,
    );
    const unanswered = new Set(page.page.rows.filter((r) => r.account.provider === "trustpilot").map((r) => r.review.id));
    const unit = rows()
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => unanswered.has(r.dataset.reviewId ?? ""))
      .slice(0, 2);
    expect(unit).toHaveLength(2);
    const authors: string[] = [];
    for (const { r } of unit) {
      await fireEvent.click(r);
      await fireEvent.keyDown(window, { key: "x" });
      authors.push(r.querySelector(".author, [data-testid=row-author]")?.textContent?.trim() ?? "");
    }
    await fireEvent.keyDown(window, { key: "a" });
    const dialog = await screen.findByTestId("bulk-reply");
    expect(dialog).toHaveTextContent("Reply to 2 reviews");
    await fireEvent.click(within(dialog).getByTestId("bulk-send"));
    await waitFor(() => expect(screen.queryByTestId("bulk-reply")).toBeNull());
    expect(post).toHaveBeenCalledTimes(2);
    const sent = post.mock.calls.map(([, text]) => text);
    // Each greets its own reviewer.
    expect(new Set(sent).size).toBe(2);
    expect(sent.every((t) => !t.includes("{first_name}"))).toBe(true);
    await waitFor(() => expect(document.body).toHaveTextContent("Sent 2 replies."));
  });
});
