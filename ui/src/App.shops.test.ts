import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "./App.svelte";
import { COMMANDS } from "./lib/ipc/backend";
import { FIXTURE_SECOND_SESSION, FIXTURE_SESSION, FixtureBackend } from "./lib/ipc/fixture";

const AURORA = `shop-option-${FIXTURE_SESSION.domain}`;
const BIRCH = `shop-option-${FIXTURE_SECOND_SESSION.domain}`;

async function signedIn(backend = new FixtureBackend()) {
  render(App, { backend });
  await screen.findByTestId("rating-average");
  return backend;
}

async function openMenu(waitFor = BIRCH): Promise<HTMLElement> {
  await fireEvent.click(screen.getByTestId("shop-switcher"));
  const menu = await screen.findByTestId("shop-menu");
  // Wait for listShops() to fill it.
  await within(menu).findByTestId(waitFor);
  await within(menu).findByTestId("add-shop");
  return menu;
}

describe("shop switcher", () => {
  it("names the All accounts view while it is on, and the shop's own entry leaves it without switching", async () => {
    const backend = await signedIn();
    let menu = await openMenu();
    await fireEvent.click(within(menu).getByTestId("all-accounts"));
    expect(await screen.findAllByTestId("account-chip")).toHaveLength(2);
    expect(screen.getByTestId("shop-name")).toHaveTextContent(/^All accounts$/);
    menu = await openMenu();
    expect(within(menu).getByTestId("all-accounts")).toHaveAttribute("aria-checked", "true");
    expect(within(menu).getByTestId(AURORA)).toHaveAttribute("aria-checked", "false");
    await fireEvent.click(within(menu).getByTestId(AURORA));
    expect(screen.getByTestId("shop-name")).toHaveTextContent(/^Aurora Outfitters$/);
    expect(screen.queryAllByTestId("account-chip")).toHaveLength(0);
    expect(backend.args.filter((a) => a.command === COMMANDS.switchShop)).toEqual([]);
  });

  it("shows the shop name in a button that opens the list of shops, current one checked", async () => {
    const backend = await signedIn();
    const trigger = screen.getByTestId("shop-switcher");
    expect(trigger).toHaveAttribute("aria-haspopup", "menu");
    expect(trigger).toHaveAttribute("aria-expanded", "false");
    expect(screen.getByTestId("shop-name")).toHaveTextContent(/^Aurora Outfitters$/);

    const menu = await openMenu();
    expect(trigger).toHaveAttribute("aria-expanded", "true");
    expect(within(menu).getByTestId(AURORA)).toHaveAttribute("aria-checked", "true");
    expect(within(menu).getByTestId(AURORA)).toHaveTextContent("Aurora Outfitters");
    expect(within(menu).getByTestId(BIRCH)).toHaveAttribute("aria-checked", "false");
    expect(within(menu).getByTestId(BIRCH)).toHaveTextContent("Birch & Pine Home");
    expect(within(menu).getByTestId("add-shop")).toHaveTextContent("Add a shop or Trustpilot business…");
    expect(within(menu).getByTestId("sign-out")).toHaveTextContent("Sign out of Aurora Outfitters");
    expect(backend.calls.list_shops).toBe(1);
  });

  it("switches shop: the header and the rating follow", async () => {
    const backend = await signedIn();
    expect(screen.getByTestId("rating-count")).toHaveTextContent("1,234 reviews");

    const menu = await openMenu();
    await fireEvent.click(within(menu).getByTestId(BIRCH));

    expect(await screen.findByText("436 reviews")).toBeInTheDocument();
    expect(screen.getByTestId("shop-name")).toHaveTextContent(/^Birch & Pine Home$/);
    expect(screen.getByText("birch-and-pine-home.myshopify.com")).toBeInTheDocument();
    expect(screen.getByTestId("rating-average")).toHaveTextContent(/^4\.6$/);
    expect(screen.queryByTestId("shop-menu")).not.toBeInTheDocument();
    expect(backend.args).toEqual([
      { command: "switch_shop", arg: { shop_id: FIXTURE_SECOND_SESSION.shop_id, domain: FIXTURE_SECOND_SESSION.domain } },
    ]);
    // One rating load for the switch, not a second one for the session-changed event.
    expect(backend.calls.get_rating).toBe(2);
  });

  it("tells the merchant when switching failed and stays on the shop", async () => {
    const backend = await signedIn();
    backend.failWith(COMMANDS.switchShop, { code: "NETWORK", message: "Couldn't reach Trustoo.", retry_after_s: null });

    await fireEvent.click(within(await openMenu()).getByTestId(BIRCH));

    expect(await screen.findByTestId("toast")).toHaveTextContent("Couldn't reach Trustoo.");
    expect(within(screen.getByTestId("toast")).getByTestId("toast-action")).toHaveTextContent("Retry");
    expect(await screen.findByTestId("rating-average")).toHaveTextContent(/^4\.3$/);
    expect(screen.getByTestId("shop-name")).toHaveTextContent(/^Aurora Outfitters$/);
  });

  it("works with the keyboard: arrows move, Escape closes and gives focus back", async () => {
    await signedIn();
    const trigger = screen.getByTestId("shop-switcher");
    trigger.focus();

    await fireEvent.keyDown(trigger, { key: "ArrowDown" });
    const menu = await screen.findByTestId("shop-menu");
    await within(menu).findByTestId(BIRCH);
    expect(within(menu).getByTestId(AURORA)).toHaveFocus();

    await fireEvent.keyDown(menu, { key: "ArrowDown" });
    expect(within(menu).getByTestId(BIRCH)).toHaveFocus();
    await fireEvent.keyDown(menu, { key: "End" });
    expect(within(menu).getByTestId("sign-out")).toHaveFocus();
    // Past the last item, focus wraps to the first: the All accounts entry (two accounts).
    await fireEvent.keyDown(menu, { key: "ArrowDown" });
    expect(within(menu).getByTestId("all-accounts")).toHaveFocus();
    await fireEvent.keyDown(menu, { key: "ArrowDown" });
    expect(within(menu).getByTestId(AURORA)).toHaveFocus();
    await fireEvent.keyDown(menu, { key: "Home" });
    expect(within(menu).getByTestId("all-accounts")).toHaveFocus();
    await fireEvent.keyDown(menu, { key: "ArrowUp" });
    expect(within(menu).getByTestId("sign-out")).toHaveFocus();

    await fireEvent.keyDown(menu, { key: "Escape" });
    expect(screen.queryByTestId("shop-menu")).not.toBeInTheDocument();
    expect(trigger).toHaveFocus();
    expect(trigger).toHaveAttribute("aria-expanded", "false");
  });

  it("closes when clicking elsewhere", async () => {
    await signedIn();
    await openMenu();
    await fireEvent.pointerDown(document.body);
    expect(screen.queryByTestId("shop-menu")).not.toBeInTheDocument();
  });

  it("adds another shop through the browser, with a way back", async () => {
    const backend = await signedIn();
    await fireEvent.click(within(await openMenu()).getByTestId("add-shop"));

    const screenEl = await screen.findByTestId("not-signed-in");
    expect(screenEl).toHaveTextContent("Add another account");
    expect(screen.getByTestId("shop-domain")).toHaveValue("");
    await fireEvent.click(within(screenEl).getByTestId("return-to-shop"));
    expect(await screen.findByTestId("shop-name")).toHaveTextContent("Aurora Outfitters");
    expect(screen.getByTestId("rating-average")).toHaveTextContent(/^4\.3$/);

    // And all the way through: the new shop becomes the active one.
    await fireEvent.click(within(await openMenu()).getByTestId("add-shop"));
    await fireEvent.input(await screen.findByTestId("shop-domain"), { target: { value: FIXTURE_SECOND_SESSION.domain } });
    await fireEvent.click(screen.getByTestId("sign-in"));
    expect(await screen.findByTestId("waiting-for-browser")).toHaveTextContent("Waiting for your browser…");
    // Cancelling goes back to the add-shop screen (tokens are an option there too).
    await fireEvent.click(screen.getByTestId("cancel-sign-in"));
    expect(await screen.findByTestId("not-signed-in")).toHaveTextContent("Add another account");
    await fireEvent.click(screen.getByTestId("sign-in"));
    await screen.findByTestId("waiting-for-browser");
    backend.auth.completeSignIn(FIXTURE_SECOND_SESSION);
    expect(await screen.findByText("436 reviews")).toBeInTheDocument();
    expect(screen.getByTestId("shop-name")).toHaveTextContent(/^Birch & Pine Home$/);
  });
});

describe("sign-out", () => {
  it("asks first; Cancel (or Escape) signs nobody out", async () => {
    const backend = await signedIn();
    await fireEvent.click(within(await openMenu()).getByTestId("sign-out"));

    const dialog = await screen.findByRole("alertdialog");
    expect(dialog).toHaveAccessibleName("Sign out of Aurora Outfitters?");
    expect(dialog).toHaveTextContent("revoke its access on Trustoo");
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();

    await fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();

    await fireEvent.click(within(await openMenu()).getByTestId("sign-out"));
    await fireEvent.keyDown(await screen.findByRole("alertdialog"), { key: "Escape" });
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(screen.getByTestId("shop-switcher")).toHaveFocus();
    expect(backend.calls.sign_out).toBe(0);
  });

  it("signs out, summarises the report in a toast and moves to the next shop", async () => {
    const backend = await signedIn();
    await fireEvent.click(within(await openMenu()).getByTestId("sign-out"));
    await fireEvent.click(await screen.findByTestId("confirm-sign-out"));

    expect(await screen.findByTestId("toast")).toHaveTextContent(/^Signed out of Aurora Outfitters\.$/);
    expect(backend.args).toEqual([
      { command: "sign_out", arg: { shop_id: FIXTURE_SESSION.shop_id, domain: FIXTURE_SESSION.domain } },
    ]);
    expect(await screen.findByText("436 reviews")).toBeInTheDocument();
    expect(screen.getByTestId("shop-name")).toHaveTextContent(/^Birch & Pine Home$/);
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
  });

  it("says what could not be undone, and shows the sign-in screen after the last shop", async () => {
    const backend = new FixtureBackend({ shops: [FIXTURE_SESSION] });
    backend.auth.setSignOutReport({
      steps: [
        { step: "Disconnect ReviewDesk on Trustoo", ok: false, message: "Offline" },
        { step: "Revoke the refresh token", ok: false, message: "Offline" },
        { step: "Revoke the access token", ok: false, message: "Offline" },
        { step: "Delete the keyring entries", ok: true, message: null },
        { step: "Remove the shop from ReviewDesk", ok: true, message: null },
      ],
    });
    await signedIn(backend);
    const menu = await openMenu(AURORA);
    expect(within(menu).queryByTestId(BIRCH)).not.toBeInTheDocument();
    await fireEvent.click(within(menu).getByTestId("sign-out"));
    await fireEvent.click(await screen.findByTestId("confirm-sign-out"));

    const toast = await screen.findByTestId("toast");
    expect(toast).toHaveTextContent(
      "Signed out of Aurora Outfitters. Could not revoke the token on Trustoo (offline); it will expire on its own.",
    );
    expect(toast).toHaveAttribute("data-level", "warning");
    expect(await screen.findByTestId("not-signed-in")).toHaveTextContent("Sign in with Trustoo");
    expect(screen.queryByTestId("shop-name")).not.toBeInTheDocument();
  });
});

describe("notices", () => {
  it("shows a notice from the back end as a toast", async () => {
    const backend = new FixtureBackend({ session: null });
    render(App, { backend });
    await screen.findByTestId("not-signed-in");

    backend.auth.emitNotice({ level: "warning", message: "ReviewDesk ignored a sign-in link it did not expect." });

    const toast = await screen.findByTestId("toast");
    expect(toast).toHaveTextContent("ReviewDesk ignored a sign-in link it did not expect.");
    expect(toast).toHaveAttribute("data-level", "warning");
  });

  it("announces error notices as alerts", async () => {
    const backend = new FixtureBackend();
    render(App, { backend });
    await screen.findByTestId("rating-average");
    backend.auth.emitNotice({ level: "error", message: "The system keychain is locked." });
    expect(await screen.findByRole("alert")).toHaveTextContent("The system keychain is locked.");
  });
});
