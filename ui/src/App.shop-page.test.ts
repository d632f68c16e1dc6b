import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "./App.svelte";
import { FIXTURE_SESSION, FixtureBackend } from "./lib/ipc/fixture";

async function openShopSettings(): Promise<void> {
  await fireEvent.click(screen.getByTestId("shop-switcher"));
  const menu = await screen.findByTestId("shop-menu");
  await fireEvent.click(within(menu).getByTestId("shop-settings"));
}

describe("the Shop page from the shop switcher", () => {
  it("opens from Shop settings, and its Sign out asks first like the switcher's", async () => {
    const backend = new FixtureBackend();
    render(App, { backend });
    await screen.findByTestId("rating-average");
    await openShopSettings();
    expect(await screen.findByTestId("shop-auth-mode")).toHaveTextContent("Browser sign-in (OAuth)");
    expect(screen.getByTestId("nav-shop")).toHaveAttribute("aria-current", "page");

    await fireEvent.click(screen.getByTestId("shop-sign-out"));
    expect(await screen.findByRole("alertdialog")).toHaveAccessibleName("Sign out of Aurora Outfitters?");
    await fireEvent.click(screen.getByTestId("confirm-sign-out"));
    expect(await screen.findByText(/^Signed out of Aurora Outfitters\.$/)).toBeInTheDocument();
    expect(backend.calls.sign_out).toBe(1);
  });

  it("disconnecting the last shop leaves the switcher and shows the sign-in screen", async () => {
    const backend = new FixtureBackend({ shops: [FIXTURE_SESSION] });
    render(App, { backend });
    await screen.findByTestId("rating-average");
    await openShopSettings();
    await fireEvent.click(await screen.findByTestId("shop-disconnect"));
    await fireEvent.click(await screen.findByTestId("confirm-disconnect"));
    expect(await screen.findByText(/Disconnected ReviewDesk from Aurora Outfitters\./)).toBeInTheDocument();
    expect(screen.queryByTestId("shop-switcher")).not.toBeInTheDocument();
    expect(backend.auth.session).toBeNull();
    expect(await screen.findByTestId("not-signed-in")).toBeInTheDocument();
  });
});
