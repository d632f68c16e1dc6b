import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "./App.svelte";
import { FIXTURE_SESSION, FixtureBackend, TRUSTOO_CAPABILITIES } from "./lib/ipc/fixture";
import type { ShopSession } from "./lib/ipc";

// The window offers what the account's provider allows, read from its capabilities, never
// from the provider's name: here a provider that answers reviews but cannot delete, create or
// exclude (as Trustpilot's API is documented).
const CANNOT_DELETE: ShopSession = {
  ...FIXTURE_SESSION,
  capabilities: {
    ...TRUSTOO_CAPABILITIES,
    delete_reviews: false,
    create_reviews: false,
    exclusions: false,
    reply: "delete_and_post_again",
  },
};

async function open(session: ShopSession) {
  const backend = new FixtureBackend({ session, reviews: 50 });
  render(App, { backend });
  await screen.findByTestId("rating-average");
  await waitFor(() => expect(screen.queryAllByTestId("review-row").length).toBeGreaterThan(0));
  return backend;
}

describe("actions come from the account's capabilities", () => {
  it("a provider that can reply but not delete, create or exclude: its replies show; no Delete, Exclude, Deleted, New review, d or e", async () => {
    const backend = await open(CANNOT_DELETE);
    const nav = screen.getByRole("navigation", { name: "Sections" });
    expect(within(nav).queryByTestId("nav-exclusions")).not.toBeInTheDocument();
    expect(within(nav).queryByTestId("nav-deleted")).not.toBeInTheDocument();
    expect(within(nav).queryByTestId("nav-compose")).not.toBeInTheDocument();
    expect(within(nav).getByTestId("nav-inbox")).toBeInTheDocument();

    await fireEvent.keyDown(window, { key: "j" });
    await screen.findByTestId("mark-reviewed");
    expect(screen.queryByTestId("delete")).not.toBeInTheDocument();
    expect(screen.queryByTestId("exclude-author")).not.toBeInTheDocument();

    await fireEvent.keyDown(window, { key: "d" });
    await fireEvent.keyDown(window, { key: "e" });
    expect(screen.queryByTestId("confirm-delete-text")).not.toBeInTheDocument();
    expect(backend.calls.exclude_author).toBe(0);
    expect(backend.calls.delete_reviews).toBe(0);

    await fireEvent.keyDown(window, { key: "x" });
    await screen.findByTestId("bulk-bar");
    expect(screen.queryByTestId("bulk-delete")).not.toBeInTheDocument();

    await fireEvent.keyDown(window, { key: "?" });
    const help = await screen.findByTestId("shortcuts-help");
    expect(help).not.toHaveTextContent("Delete (Enter confirms");
    expect(help).not.toHaveTextContent("Exclude the author");
    expect(help).toHaveTextContent("Mark reviewed");
    expect(help).toHaveTextContent("r and f act on the checked reviews");
    const keys = within(help).getAllByRole("term").map((dt) => dt.textContent?.trim());
    expect(keys).toContain("r");
    expect(keys).not.toContain("d");
    expect(keys).not.toContain("e");
    await fireEvent.keyDown(window, { key: "Escape" });

    // The provider answers reviews in public: a review's reply is shown with it. (Writing a reply
    // from ReviewDesk comes with the first provider that allows it; there is no reply action yet.)
    const replied = screen
      .getAllByTestId("review-row")
      .find((row) => backend.reviews.storedRow(row.dataset.reviewId ?? "")?.review.reply);
    if (!replied) throw new Error("no review with a reply among the rows shown");
    await fireEvent.click(replied);
    const reply = await screen.findByTestId("review-reply");
    expect(reply).toHaveTextContent(backend.reviews.storedRow(replied.dataset.reviewId ?? "")?.review.reply?.content ?? "missing");
    expect(screen.queryByTestId("delete")).not.toBeInTheDocument();
  });

  it("Trustoo's capabilities offer every action", async () => {
    await open(FIXTURE_SESSION);
    const nav = screen.getByRole("navigation", { name: "Sections" });
    for (const page of ["inbox", "overview", "exclusions", "deleted", "compose"]) {
      expect(within(nav).getByTestId(`nav-${page}`)).toBeInTheDocument();
    }
    await fireEvent.keyDown(window, { key: "j" });
    expect(await screen.findByTestId("delete")).toHaveAttribute("title", "Delete (d)");
    expect(screen.getByTestId("delete")).toHaveTextContent(/^Delete\s*d$/);
    expect(screen.getByTestId("exclude-author")).toBeInTheDocument();
    await fireEvent.keyDown(window, { key: "?" });
    const help = await screen.findByTestId("shortcuts-help");
    const keys = within(help).getAllByRole("term").map((dt) => dt.textContent?.trim());
    expect(keys).toContain("d");
    expect(keys).toContain("e");
    expect(help).toHaveTextContent("r, f and d act on the checked reviews");
  });
});
