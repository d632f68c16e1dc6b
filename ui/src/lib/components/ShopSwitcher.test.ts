import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { ShopEntry, ShopSession } from "../ipc";
import { FIXTURE_SECOND_SESSION, FIXTURE_SESSION } from "../ipc/fixture";
import ShopSwitcher from "./ShopSwitcher.svelte";

const THIRD: ShopSession = { ...FIXTURE_SECOND_SESSION, shop_id: "3", shop_name: "Cedar Lane", domain: "cedar-lane.myshopify.com" };
const LOCKED = "The keyring is locked; unlock it, then open ReviewDesk again.";

function open(entries: ShopEntry[]) {
  render(ShopSwitcher, {
    session: FIXTURE_SESSION,
    loadShops: () => Promise.resolve(entries),
    onswitch: vi.fn(),
    onaddshop: vi.fn(),
    onsignout: vi.fn(),
  });
  return fireEvent.click(screen.getByTestId("shop-switcher"));
}

describe("shop switcher states", () => {
  it("shows which shops are signed out and why, and which one is open", async () => {
    await open([
      { session: FIXTURE_SESSION, signed_in: true, active: true, problem: null },
      { session: FIXTURE_SECOND_SESSION, signed_in: false, active: false, problem: LOCKED },
      { session: THIRD, signed_in: false, active: false, problem: null },
    ]);
    const menu = await screen.findByTestId("shop-menu");
    const broken = await within(menu).findByTestId(`shop-option-${FIXTURE_SECOND_SESSION.domain}`);
    expect(broken).toHaveAttribute("data-signed-in", "false");
    expect(within(broken).getByTestId("shop-state")).toHaveTextContent("Signed out");
    expect(within(broken).getByTestId("shop-problem")).toHaveTextContent(LOCKED);

    // Signed out with no reason given: still says so, and what to do.
    const third = within(menu).getByTestId(`shop-option-${THIRD.domain}`);
    expect(within(third).getByTestId("shop-state")).toHaveTextContent("Signed out");
    expect(within(third).getByTestId("shop-problem")).toHaveTextContent("Sign in again to see its reviews.");

    const current = within(menu).getByTestId(`shop-option-${FIXTURE_SESSION.domain}`);
    expect(current).toHaveAttribute("data-signed-in", "true");
    expect(current).toHaveAttribute("data-active", "true");
    expect(current).toHaveAttribute("aria-checked", "true");
    expect(within(current).queryByTestId("shop-problem")).toBeNull();
    expect(within(current).queryByTestId("shop-state")).toBeNull();
  });

  it("marks the header when the open shop's own sign-in broke", async () => {
    await open([{ session: FIXTURE_SESSION, signed_in: false, active: true, problem: LOCKED }]);
    const menu = await screen.findByTestId("shop-menu");
    await within(menu).findByTestId("shop-problem");
    const trigger = screen.getByTestId("shop-switcher");
    expect(within(trigger).getByTestId("shop-signed-out")).toHaveAttribute("title", LOCKED);
  });
});
