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
  it("a provider that cannot delete, create or exclude: no Delete, Exclude, Deleted, New review, d or e", async () => {
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
  });

  it("Trustoo's capabilities offer every action", async () => {
    await open(FIXTURE_SESSION);
    const nav = screen.getByRole("navigation", { name: "Sections" });
    for (const page of ["inbox", "overview", "exclusions", "deleted", "compose"]) {
      expect(within(nav).getByTestId(`nav-${page}`)).toBeInTheDocument();
    }
    await fireEvent.keyDown(window, { key: "j" });
    expect(await screen.findByTestId("delete")).toBeInTheDocument();
    expect(screen.getByTestId("exclude-author")).toBeInTheDocument();
  });
});
