import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../ipc/backend";
import {
  FIXTURE_NARROW_SESSION,
  FIXTURE_SECOND_SESSION,
  FIXTURE_SESSION,
  FixtureBackend,
} from "../ipc/fixture";
import type { ShopSession } from "../ipc";
import WorkspaceHarness from "../inbox/WorkspaceHarness.svelte";

function setup(session: ShopSession = FIXTURE_SESSION) {
  const backend = new FixtureBackend({ reviews: 5, latencyMs: 0, session });
  const signOuts: ShopSession[] = [];
  render(WorkspaceHarness, { backend, initialPage: "shop", session, signOuts });
  return { backend, signOuts };
}

describe("shop page", () => {
  it("says how ReviewDesk is connected and what Trustoo reports", async () => {
    setup();
    expect(await screen.findByTestId("shop-auth-mode")).toHaveTextContent("Browser sign-in (OAuth)");
    expect(screen.getByTestId("shop-authorized")).toHaveTextContent("May 23, 2025");
    expect(screen.getByTestId("shop-video")).toHaveTextContent("Allowed");
    expect(screen.getByTestId("shop-installation")).toHaveTextContent("Installed since May 22, 2025");
    const scopes = screen.getAllByTestId("shop-scope");
    expect(scopes.map((s) => s.dataset.scope)).toEqual(FIXTURE_SESSION.scopes);
    expect(scopes[2]).toHaveTextContent("Keep customers out of review requests and unsubscribe addresses");
  });

  it("for a Public/Private Token, says the tokens carry every permission and only what Trustoo says", async () => {
    setup(FIXTURE_SECOND_SESSION);
    expect(await screen.findByTestId("shop-auth-mode")).toHaveTextContent("The shop's Public and Private Token");
    expect(screen.getByTestId("shop-scopes-all")).toBeInTheDocument();
    expect(screen.getByTestId("shop-authorized")).toHaveTextContent("Trustoo has no browser sign-in of ReviewDesk for this shop.");
  });

  it("lists the features the sign-in does not allow, each with a way to sign in again", async () => {
    setup(FIXTURE_NARROW_SESSION);
    await screen.findByTestId("shop-auth-mode");
    expect(screen.getByTestId("scope-notice-exclusions")).toHaveTextContent("Trustoo scope write_customers");
    expect(screen.getByTestId("scope-notice-orders")).toHaveTextContent("review requests");
    expect(screen.getByTestId("scope-notice-customer_events")).toHaveTextContent("widget analytics");
  });

  it("shows a load failure with a way to retry", async () => {
    const backend = new FixtureBackend({ latencyMs: 0 }).failWith(COMMANDS.shopAuthorization, {
      code: "INTERNAL",
      message: "Trustoo is having trouble (error 500). Try again in a moment.",
      retry_after_s: null,
    });
    render(WorkspaceHarness, { backend, initialPage: "shop", session: FIXTURE_SESSION });
    expect(await screen.findByText("Trustoo is having trouble (error 500). Try again in a moment.")).toBeInTheDocument();
    await fireEvent.click(screen.getByRole("button", { name: /retry/i }));
    expect(await screen.findByTestId("shop-auth-mode")).toBeInTheDocument();
  });

  it("disconnects only after asking, with the local data kept by default, and reports it", async () => {
    const { backend } = setup();
    await fireEvent.click(await screen.findByTestId("shop-disconnect"));
    const dialog = await screen.findByTestId("confirm-dialog");
    expect(dialog).toHaveTextContent("Disconnect ReviewDesk from Aurora Outfitters?");
    expect(within(dialog).getByTestId("keep-local-data")).toBeChecked();
    await fireEvent.click(within(dialog).getByTestId("cancel"));
    expect(backend.calls[COMMANDS.disconnectShop]).toBe(0);

    await fireEvent.click(screen.getByTestId("shop-disconnect"));
    await fireEvent.click(await screen.findByTestId("confirm-disconnect"));
    await waitFor(() => expect(backend.calls[COMMANDS.disconnectShop]).toBe(1));
    expect(backend.args.find((a) => a.command === COMMANDS.disconnectShop)?.arg).toEqual({
      shop_id: FIXTURE_SESSION.shop_id,
      domain: FIXTURE_SESSION.domain,
      deleteLocalData: false,
    });
    expect(await screen.findByText(/Disconnected ReviewDesk from Aurora Outfitters\. Its reviews and drafts stay/)).toBeInTheDocument();
    // The shop left: the next known shop is the active one.
    expect(backend.auth.session?.shop_id).toBe(FIXTURE_SECOND_SESSION.shop_id);
  });

  it("deletes the local data when chosen, and names a failed step", async () => {
    const { backend } = setup();
    backend.shop.setDisconnectReport({
      steps: [
        { step: "Disconnect ReviewDesk on Trustoo", ok: false, message: "Could not reach Trustoo." },
        { step: "Delete the shop's reviews and drafts from this computer", ok: true, message: null },
      ],
    });
    await fireEvent.click(await screen.findByTestId("shop-disconnect"));
    await fireEvent.click(await screen.findByTestId("delete-local-data"));
    await fireEvent.click(screen.getByTestId("confirm-disconnect"));
    await waitFor(() =>
      expect(backend.args.find((a) => a.command === COMMANDS.disconnectShop)?.arg).toMatchObject({ deleteLocalData: true }),
    );
    expect(await screen.findByText(/Not done: disconnect ReviewDesk on Trustoo \(Could not reach Trustoo\)\./)).toBeInTheDocument();
  });

  it("hands Sign out to the app, which asks first", async () => {
    const { signOuts } = setup();
    await fireEvent.click(await screen.findByTestId("shop-sign-out"));
    expect(signOuts.map((s) => s.shop_id)).toEqual([FIXTURE_SESSION.shop_id]);
  });
});
