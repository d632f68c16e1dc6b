import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "./App.svelte";
import { FIXTURE_NARROW_SESSION, FixtureBackend } from "./lib/ipc/fixture";

// A shop whose browser sign-in lacks `write_customers` sees it where exclusions are, before
// any call, with a way to sign in again.
async function narrowShop() {
  const backend = new FixtureBackend({ session: FIXTURE_NARROW_SESSION, reviews: 50 });
  render(App, { backend });
  await screen.findByTestId("rating-average");
  return backend;
}

describe("a sign-in without a scope the app uses", () => {
  it("the Exclusions page says which scope is missing, asks Trustoo nothing, and offers a new sign-in", async () => {
    const backend = await narrowShop();
    await fireEvent.click(screen.getByTestId("nav-exclusions"));
    const notice = await screen.findByTestId("scope-notice-exclusions");
    expect(notice).toHaveTextContent(
      "This shop's sign-in does not allow excluding customers and unsubscribing addresses (Trustoo scope write_customers). Sign in again to allow it.",
    );
    expect(screen.queryByTestId("add-exclusion")).not.toBeInTheDocument();
    expect(screen.queryByTestId("unsubscribe")).not.toBeInTheDocument();
    expect(backend.calls.list_exclusions).toBe(0);

    await fireEvent.click(within(notice).getByTestId("scope-sign-in"));
    await waitFor(() => expect(backend.calls.auth_start).toBe(1));
  });

  it("the review's Exclude button is off and `e` explains instead of calling", async () => {
    const backend = await narrowShop();
    await waitFor(() => expect(screen.queryAllByTestId("review-row").length).toBeGreaterThan(0));
    await fireEvent.keyDown(window, { key: "j" });
    const exclude = await screen.findByTestId("exclude-author");
    expect(exclude).toBeDisabled();
    expect(screen.getByTestId("delete")).toBeEnabled();
    expect(screen.getByTestId("scope-notice-exclusions")).toBeInTheDocument();

    await fireEvent.keyDown(window, { key: "e" });
    const toast = await screen.findByText(/Trustoo scope write_customers/, { selector: "[data-testid=toast] *" });
    expect(toast).toBeInTheDocument();
    expect(backend.calls.exclude_author).toBe(0);
  });
});
