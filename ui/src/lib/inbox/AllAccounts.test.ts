import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../ipc/backend";
import { FixtureBackend, FIXTURE_SESSION, FIXTURE_UNIT_SESSION } from "../ipc/fixture";
import type { AccountKey } from "../ipc";
import WorkspaceHarness from "./WorkspaceHarness.svelte";
import type { AccountLabel } from "./accounts";

const SHOP: AccountKey = { provider: "trustoo", id: FIXTURE_SESSION.domain };
const UNIT: AccountKey = { provider: "trustpilot", id: FIXTURE_UNIT_SESSION.domain };
const ACCOUNTS: AccountLabel[] = [
  { account: SHOP, name: FIXTURE_SESSION.shop_name, capabilities: FIXTURE_SESSION.capabilities },
  { account: UNIT, name: "Aurora Outfitters (Trustpilot)", capabilities: FIXTURE_UNIT_SESSION.capabilities },
];

function setup() {
  // Few shop reviews, so the unit's 120 are among the first rows too.
  const backend = new FixtureBackend({ reviews: 60, latencyMs: 0, syncStepMs: 5 });
  render(WorkspaceHarness, { backend, allAccounts: ACCOUNTS });
  return backend;
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
    const backend = setup();
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
    const backend = setup();
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
});
